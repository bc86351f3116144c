"""The attack of issue 13, rerunnable: hostile files and fault runs against
the borderflow program, counted (docs/reliability.md, "The attack").

    attack.py BORDERFLOW WORKDIR [--full] [--table]

Families:
  files      every model parameter set to absurd values (huge, negative,
             non-finite-looking, degenerate distributions), hostile names
             (formulas, markup, escapes, long, path-like) and structures
             (extends to files that are not scenarios, deep nesting, huge
             counts): `validate`, then `run` on what validate accepts
  links      a symbolic link planted at each name a run writes (results,
             temporary and part names, charts, data, lock) pointing at a
             victim file
  disk full  a run, and a `plot`, into a tmpfs too small for the charts,
             at several sizes (skipped without the right to mount)
  interrupt  SIGINT or SIGTERM at many moments of a run with charts, then
             --resume
  concurrent two runs started together into one folder

Counted per family: inputs tried, aborts (a signal or an assertion, a
sanitizer report, or a run of what validate accepted refused as bad
input), escapes (a file outside the results folder written, changed or
removed), silent corruptions (a folder that run.json marks complete or
"drawn" while a file differs from its recorded SHA-256, an image is not
whole or the report is missing; exit 0 without run.json; a message that
says a thing was removed or kept when it was not; a gnuplot left running).
Exit status 1 when any count but "tried" is not 0. Without --full a
sample of each family (the dev suite); --table prints the Markdown table
of docs/reliability.md.
"""
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

from common import SANITIZER, fresh_dir, tiny_scenario, write_json

TIMEOUT_S = 120


class Counts:
    def __init__(self):
        self.rows = {}

    def add(self, family, tried=0, abort=0, escape=0, corrupt=0):
        r = self.rows.setdefault(family, [0, 0, 0, 0])
        for i, v in enumerate((tried, abort, escape, corrupt)):
            r[i] += v

    def bad(self):
        return sum(r[1] + r[2] + r[3] for r in self.rows.values())


problems = []


def note(family, what):
    problems.append("%s: %s" % (family, what))


def run(bf, args, cwd=None, env=None, timeout=TIMEOUT_S):
    p = subprocess.run([bf] + args, cwd=cwd, capture_output=True, timeout=timeout,
                       env=dict(os.environ, LC_ALL="C", **(env or {})))
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def aborted(rc, err):
    return rc < 0 or rc >= 128 or "ssertion" in err or SANITIZER.search(err) is not None


def tree(root):
    """Every path under root with its type, size and content hash."""
    out = {}
    for r, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            p = os.path.join(r, name)
            if os.path.islink(p):
                out[p] = ("link", os.readlink(p))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    out[p] = ("file", hashlib.sha256(f.read()).hexdigest())
            else:
                out[p] = ("dir",)
    return out


def whole_image(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".png"):
        return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    import xml.etree.ElementTree as ET
    try:
        ET.fromstring(data)
        return True
    except ET.ParseError:
        return False


def folder_truth(folder, rc):
    """What is wrong with a results folder as the program left it: a list
    of silent corruptions (empty when it is truthful)."""
    wrong = []
    rj_path = os.path.join(folder, "run.json")
    if not os.path.exists(rj_path):
        if rc == 0:
            wrong.append("exit 0 without run.json")
        return wrong
    try:
        with open(rj_path, encoding="utf-8") as f:
            rj = json.load(f)
    except (OSError, ValueError) as e:
        return ["run.json unreadable: %s" % e]
    for name in rj.get("files", []):
        p = os.path.join(folder, name)
        try:
            with open(p, "rb") as f:
                got = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            got = None
        if got != rj.get("file_sha256", {}).get(name):
            wrong.append("%s differs from run.json's SHA-256" % name)
    charts = os.path.join(folder, "charts")
    images = [n for n in os.listdir(charts) if n.endswith((".png", ".svg"))] \
        if os.path.isdir(charts) else []
    for n in images:
        if not whole_image(os.path.join(charts, n)):
            wrong.append("charts/%s is not whole" % n)
    if rj.get("plots") == "drawn":
        for n in ("report.html", "results.xlsx"):
            if not os.path.isfile(os.path.join(folder, n)):
                wrong.append("run.json says drawn without %s" % n)
        if not images:
            wrong.append("run.json says drawn without images")
    return wrong


# ---- files ----

ABSURD_DURATIONS = [
    {"dist": "gamma", "shape": 1, "scale": 1e9},
    {"dist": "gamma", "shape": 1e-5, "scale": 1},
    {"dist": "gamma", "shape": 1e6, "scale": 1},
    {"dist": "lognormal", "mu": 690, "sigma": 1},
    {"dist": "lognormal", "mu": 1, "sigma": 1e3},
    {"dist": "uniform", "min": 0, "max": 1e12},
    {"dist": "uniform", "min": 5, "max": 1},
    {"dist": "constant", "value": -1},
    {"dist": "normal", "mean": 0, "sd": 1},
    1e300, -1, 0, "NaN", None, [], {},
]
ABSURD_SCALARS = [1e300, -1e300, -1, 0, 2, 1e12, 1e-300, 1.5, "1", True, None, [1, 2]]
HOSTILE_NAMES = ["=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\tTab", "]]>", "&#x41;",
                 "<script>alert(1)</script>", "\u001b[2J", "\u0000x", "a" * 300, "../../etc",
                 "/etc/passwd", "x\ny", "\u202ertl", "", " ", "合肥" * 40]


def params(bf):
    rc, so, _ = run(bf, ["params"])
    out = []
    for line in so.splitlines():
        m = re.match(r"\| `([a-z_]+)\.([a-z_0-9]+)` \| .*? \| ([a-z/%-]+) \|", line)
        if m:
            out.append((m.group(1), m.group(2), m.group(3)))
    return out


def file_attacks(bf, full):
    base = tiny_scenario("attack", days=20, tail=20, reps=1)
    for section, name, unit in params(bf):
        values = ABSURD_DURATIONS if unit in ("h", "d", "wd") else ABSURD_SCALARS
        for v in values:
            sc = json.loads(json.dumps(base))
            sc["defaults"] = {section: {name: v}}
            yield "%s.%s=%s" % (section, name, json.dumps(v)[:40]), sc
            if not full:
                break
    for n in HOSTILE_NAMES:
        for where in ("city", "policy", "scenario", "province", "note"):
            sc = json.loads(json.dumps(base))
            if where == "city":
                sc["cities"][0]["name"] = n
            elif where == "policy":
                sc["policies"] = {n: sc["policies"]["before"], "after": sc["policies"]["after"]}
                sc["compare"] = [n, "after"]
            elif where == "scenario":
                sc["name"] = n
            elif where == "province":
                sc["cities"][0]["province"] = n
            else:
                sc["cities"][0]["note"] = n
            yield "%s name %r" % (where, n[:20]), sc
    for k, v in (("replications", 10 ** 9), ("replications", 0), ("seed", -1),
                 ("seed", 2 ** 64), ("seed", 2 ** 53), ("extends", "/etc/shadow"),
                 ("extends", "/dev/zero"), ("extends", "."), ("extends", "attack.json"),
                 ("cities", []), ("cities", [{}] * 2000), ("policies", {}),
                 ("compare", ["before", "nope"]), ("horizon", {"window": {
                     "start": "2026-02-30", "end": "2026-03-01"}})):
        sc = json.loads(json.dumps(base))
        sc[k] = v
        yield "%s=%s" % (k, json.dumps(v)[:30]), sc


def attack_files(bf, work, counts, full):
    fam = "files"
    sandbox = fresh_dir(os.path.join(work, "files"))
    n = 0
    for label, sc in file_attacks(bf, full):
        n += 1
        path = os.path.join(sandbox, "attack.json")
        write_json(path, sc)
        out = os.path.join(sandbox, "out")
        shutil.rmtree(out, ignore_errors=True)
        before = tree(sandbox)
        rc, so, se = run(bf, ["validate", path], cwd=sandbox)
        ab = es = co = 0
        if aborted(rc, se):
            ab = 1
            note(fam, "validate %s: exit %d %s" % (label, rc, se[-300:]))
        elif rc == 2 and not re.search(r":\d+:\d+: ", se):
            co = 1
            note(fam, "validate %s: exit 2 without a located message: %r" % (label, se[:200]))
        elif rc == 0:
            rc2, so2, se2 = run(bf, ["run", "-q", "-r", "1", "-j", "1", "--no-plots", "-o", out,
                                     path], cwd=sandbox)
            if aborted(rc2, se2) or rc2 == 2:
                ab = 1
                note(fam, "run of what validate accepts, %s: exit %d %s" % (label, rc2, se2[-300:]))
            else:
                for sub in os.listdir(out) if os.path.isdir(out) else []:
                    wrong = folder_truth(os.path.join(out, sub), rc2)
                    if wrong:
                        co = 1
                        note(fam, "%s: %s" % (label, wrong))
        after = {p: v for p, v in tree(sandbox).items() if not p.startswith(out)}
        if after != before or os.path.exists("/one_city") or os.path.exists("/attack"):
            es = 1
            note(fam, "%s: files outside the results folder changed: %s"
                 % (label, sorted(set(after) ^ set(before))[:5]))
        counts.add(fam, 1, ab, es, co)
    return n


# ---- links ----

def attack_links(bf, work, counts, full):
    fam = "links"
    sandbox = fresh_dir(os.path.join(work, "links"))
    path = os.path.join(sandbox, "attack.json")
    write_json(path, tiny_scenario("attack", days=20, tail=20, reps=2))
    out = os.path.join(sandbox, "out")
    rc, _, se = run(bf, ["run", "-q", "-o", out, path])
    folder = os.path.join(out, "attack")
    names = sorted(os.path.relpath(os.path.join(r, f), folder)
                   for r, _, fs in os.walk(folder) for f in fs)
    extra = []
    for n in names:
        d, b = os.path.split(n)
        extra += [os.path.join(d, b + ".tmp"), os.path.join(d, "." + b + ".part")]
    targets = names + extra
    if not full:
        targets = [t for i, t in enumerate(targets) if i % 5 == 0]
    for t in targets:
        victim_dir = fresh_dir(os.path.join(sandbox, "victim"))
        victim = os.path.join(victim_dir, "precious")
        with open(victim, "w") as f:
            f.write("keep me\n")
        shutil.rmtree(out, ignore_errors=True)
        link = os.path.join(folder, t)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(victim, link)
        # --force: a planted name makes the folder look like earlier results
        rc, _, se = run(bf, ["run", "-q", "--force", "-r", "2", "-o", out, path])
        ab = int(aborted(rc, se)) or rc == 2
        if rc == 2:
            note(fam, "link at %s: refused as bad input: %s" % (t, se[-200:]))
        with open(victim) as f:
            es = int(f.read() != "keep me\n" or os.listdir(victim_dir) != ["precious"])
        co = 0
        if rc == 0:
            wrong = folder_truth(folder, rc)
            co = int(bool(wrong))
            if wrong:
                note(fam, "link at %s: %s" % (t, wrong))
        if es:
            note(fam, "link at %s: the victim was written through" % t)
        if ab:
            note(fam, "link at %s: exit %d %s" % (t, rc, se[-200:]))
        counts.add(fam, 1, ab, es, co)


# ---- disk full ----

def attack_disk(bf, work, counts, full):
    fam = "disk full"
    sandbox = fresh_dir(os.path.join(work, "disk"))
    path = os.path.join(sandbox, "attack.json")
    write_json(path, tiny_scenario("attack", days=30, tail=30, reps=2))
    mnt = fresh_dir(os.path.join(sandbox, "mnt"))
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print("disk full: skipped: cannot mount a tmpfs here (%s)" % p.stderr.strip())
        return
    try:
        sizes = range(64, 1600, 48 if full else 160)
        for k in sizes:
            subprocess.run(["mount", "-o", "remount,size=%dk" % k, mnt], check=True)
            shutil.rmtree(os.path.join(mnt, "attack"), ignore_errors=True)
            rc, _, se = run(bf, ["run", "-q", "-o", mnt, path])
            ab = int(aborted(rc, se))
            wrong = folder_truth(os.path.join(mnt, "attack"), rc)
            leftovers = [os.path.join(r, f) for r, _, fs in os.walk(mnt) for f in fs
                         if f.endswith((".part", ".tmp")) or re.search(r"\.[A-Za-z0-9]{6}$", f)]
            if leftovers:
                wrong.append("temporary files left: %s" % leftovers[:3])
            if ab:
                note(fam, "%d KiB: exit %d %s" % (k, rc, se[-200:]))
            if wrong:
                note(fam, "%d KiB: %s" % (k, wrong))
            counts.add(fam, 1, ab, 0, int(bool(wrong)))
    finally:
        subprocess.run(["umount", mnt])


# ---- interrupts ----

def attack_interrupt(bf, work, counts, full):
    fam = "interrupt"
    sandbox = fresh_dir(os.path.join(work, "interrupt"))
    path = os.path.join(sandbox, "attack.json")
    write_json(path, tiny_scenario("attack", days=120, tail=60, reps=6, per_day=20))
    ref = os.path.join(sandbox, "ref")
    rc, _, se = run(bf, ["run", "-q", "-o", ref, path])
    t0 = time.time()
    run(bf, ["run", "-q", "-o", os.path.join(sandbox, "timing"), path])
    total = time.time() - t0
    rng = random.Random(13)
    trials = 40 if full else 8
    for i in range(trials):
        out = fresh_dir(os.path.join(sandbox, "out"))
        sig = signal.SIGINT if i % 2 == 0 else signal.SIGTERM
        delay = rng.uniform(0.0, total)
        p = subprocess.Popen([bf, "run", "-o", out, path], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
        time.sleep(delay)
        p.send_signal(sig)
        _, se = p.communicate(timeout=TIMEOUT_S)
        rc = p.returncode
        folder = os.path.join(out, "attack")
        ab = int(aborted(rc, se) and rc not in (130, 143))
        wrong = folder_truth(folder, rc)
        if rc in (130, 143):
            kept = "numbers are complete and kept" in se
            rj = os.path.join(folder, "run.json")
            if kept != os.path.exists(rj):
                wrong.append("the message says %s but run.json %s" % (
                    "the numbers were kept" if kept else "nothing was written",
                    "exists" if os.path.exists(rj) else "does not"))
            if kept and os.path.isdir(os.path.join(folder, "charts")) and any(
                    n.endswith((".png", ".svg")) for n in os.listdir(os.path.join(folder, "charts"))):
                wrong.append("the message says the charts were removed, but some are left")
        ps = subprocess.run(["pgrep", "-s", str(p.pid)], capture_output=True, text=True)
        if ps.stdout.strip():
            wrong.append("processes of the run still alive: %s" % ps.stdout.split())
            subprocess.run(["pkill", "-KILL", "-s", str(p.pid)])
        # --resume completes it, with the numbers of an uninterrupted run
        rc2, _, se2 = run(bf, ["run", "-q", "--resume", "-o", out, path])
        if rc2 != 0:
            wrong.append("--resume: exit %d %s" % (rc2, se2[-200:]))
        else:
            with open(os.path.join(ref, "attack", "summary.csv"), "rb") as a, \
                    open(os.path.join(folder, "summary.csv"), "rb") as b:
                if a.read() != b.read():
                    wrong.append("--resume gave other numbers than an uninterrupted run")
            wrong += folder_truth(folder, rc2)
        if wrong or ab:
            note(fam, "%s after %.2f s: exit %d: %s %s" % (sig.name, delay, rc, wrong, se[-200:]))
        counts.add(fam, 1, ab, 0, int(bool(wrong)))


# ---- concurrent runs ----

def attack_concurrent(bf, work, counts, full):
    fam = "concurrent"
    sandbox = fresh_dir(os.path.join(work, "concurrent"))
    path = os.path.join(sandbox, "attack.json")
    write_json(path, tiny_scenario("attack", days=60, tail=30, reps=4, per_day=10))
    for i in range(12 if full else 3):
        out = fresh_dir(os.path.join(sandbox, "out"))
        ps = [subprocess.Popen([bf, "run", "-q", "-s", str(s), "-o", out, path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for s in (1, 2)]
        res = [(p.wait(timeout=TIMEOUT_S), p.stderr.read()) for p in ps]
        wrong = folder_truth(os.path.join(out, "attack"), 0 if any(r == 0 for r, _ in res) else 1)
        # one holds the folder, the other stops at once (exit 2); or, when
        # the first ended before the second began, the second replaced it
        # or was refused
        ok = sorted(r for r, _ in res)
        if ok not in ([0, 2], [0, 0]):
            wrong.append("exits %s" % ok)
        ab = int(any(aborted(r, e) for r, e in res))
        if wrong:
            note(fam, "try %d: %s" % (i, wrong))
        counts.add(fam, 1, ab, 0, int(bool(wrong)))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    full = "--full" in sys.argv
    bf, work = os.path.abspath(args[0]), os.path.abspath(args[1])
    fresh_dir(work)
    counts = Counts()
    t0 = time.time()
    attack_files(bf, work, counts, full)
    attack_links(bf, work, counts, full)
    attack_disk(bf, work, counts, full)
    attack_interrupt(bf, work, counts, full)
    attack_concurrent(bf, work, counts, full)
    print("| family | inputs tried | aborts | escapes | silent corruptions |")
    print("|---|---|---|---|---|")
    tot = [0, 0, 0, 0]
    for fam, r in counts.rows.items():
        print("| %s | %d | %d | %d | %d |" % (fam, *r))
        tot = [a + b for a, b in zip(tot, r)]
    print("| **all** | %d | %d | %d | %d |" % tuple(tot))
    print("(%s, %.0f s)" % ("--full" if full else "sample", time.time() - t0))
    for p in problems:
        print("PROBLEM: " + p, file=sys.stderr)
    return 1 if counts.bad() else 0


if __name__ == "__main__":
    sys.exit(main())
