#!/usr/bin/env python3
"""Integration tests of the borderflow program (docs/testing.md).

CTest runs one sub-command of this script per test, with the program and the
source tree given by CMake:

    cli_tests.py --borderflow PROGRAM --source SRCDIR --work WORKDIR CHECK ...

Checks:
    golden NAME        run scenarios/tests/NAME.json; every output file equals
                       tests/golden/NAME/ byte for byte, run.json in its
                       stable fields (run.stable.json)
    threads NAME       the same scenario with -j 1 and -j 4 gives the same files
    bad NAME           tests/data/bad/NAME.json (or a file generated at run
                       time) is refused by validate and run with exit status 2,
                       exactly the stderr lines of NAME.expect, and no output
    scenario PATH      PATH (relative to the source tree) validates and runs
    generated WHAT     `borderflow schema` / `borderflow params` output equals
                       docs/scenario.schema.json / docs/parameters.md
    cli                --help, --version, usage errors, a good run
    resume             --resume skips complete folders and reruns stale ones
    totals NAME        totals.csv and ranking.csv of scenarios/tests/NAME.json
                       equal what replications.csv gives when recomputed here

Update modes (regenerate what the checks compare with, then review the diff):
    update-golden      tests/golden/* from scenarios/tests/*.json
    update-expect      tests/data/bad/*.expect from the program's messages
    update-docs        docs/scenario.schema.json and docs/parameters.md

Python 3 standard library only. Exit status 0 when the check passes.
"""

import argparse
import difflib
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys

# Fields of run.json that do not depend on the machine, the clock, the
# thread count or the path the scenario was given by.
STABLE_RUN_FIELDS = [
    "scenario",
    "scenario_sha256",
    "seed",
    "replications",
    "cities",
    "policies",
    "sweep_points",
    "work_items",
    "events",
    "calendar_years",
    "files",
    "warnings",
]

RUN_FLAGS = ["--no-plots", "-j", "2"]
TIMEOUT_S = 900


class Failure(Exception):
    pass


class Ctx:
    def __init__(self, args):
        self.bf = os.path.abspath(args.borderflow)
        self.src = os.path.abspath(args.source)
        self.work = os.path.abspath(args.work)
        self.version = args.version
        self.update = False

    def path(self, *parts):
        return os.path.join(self.src, *parts)

    def fresh(self, *parts):
        """An empty directory under the work directory."""
        d = os.path.join(self.work, *parts)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d


def run(ctx, args, cwd=None):
    p = subprocess.run(
        [ctx.bf] + args,
        cwd=cwd or ctx.src,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=TIMEOUT_S,
        env=dict(os.environ, LC_ALL="C"),
    )
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def expect_status(what, got, want, out, err):
    if got != want:
        raise Failure(
            "%s: exit status %d, expected %d\n--- stdout:\n%s--- stderr:\n%s" % (what, got, want, out, err)
        )


def output_files(folder):
    return sorted(f for f in os.listdir(folder) if os.path.isfile(os.path.join(folder, f)))


def first_difference(a_path, b_path, label_a, label_b):
    with open(a_path, "rb") as f:
        a = f.read().decode("utf-8", "replace").splitlines(keepends=True)
    with open(b_path, "rb") as f:
        b = f.read().decode("utf-8", "replace").splitlines(keepends=True)
    diff = list(difflib.unified_diff(a, b, label_a, label_b, n=1))
    return "".join(diff[:40]) + ("...\n" if len(diff) > 40 else "")


def compare_folders(a, b, label_a, label_b, skip):
    """Problems found comparing every file of a and b (but `skip`) byte for byte."""
    problems = []
    fa = [f for f in output_files(a) if f not in skip]
    fb = [f for f in output_files(b) if f not in skip]
    if fa != fb:
        problems.append(
            "the files differ: %s has %s, %s has %s" % (label_a, fa, label_b, fb)
        )
    for f in sorted(set(fa) & set(fb)):
        pa, pb = os.path.join(a, f), os.path.join(b, f)
        with open(pa, "rb") as x, open(pb, "rb") as y:
            if x.read() != y.read():
                problems.append(
                    "%s differs:\n%s" % (f, first_difference(pa, pb, label_a + "/" + f, label_b + "/" + f))
                )
    return problems


def stable_fields(run_json_path):
    with open(run_json_path, encoding="utf-8") as f:
        rec = json.load(f)
    missing = [k for k in STABLE_RUN_FIELDS if k not in rec]
    if missing:
        raise Failure("%s lacks the fields %s" % (run_json_path, missing))
    return {k: rec[k] for k in STABLE_RUN_FIELDS}


def check_complete(folder):
    """run.json exists and every file it lists is there."""
    rj = os.path.join(folder, "run.json")
    if not os.path.isfile(rj):
        raise Failure("%s: no run.json" % folder)
    rec = stable_fields(rj)
    for f in rec["files"]:
        if not os.path.isfile(os.path.join(folder, f)):
            raise Failure("%s lists %s, which is missing" % (rj, f))
    leftovers = [f for f in os.listdir(folder) if f.endswith(".tmp")]
    if leftovers:
        raise Failure("%s: temporary files left: %s" % (folder, leftovers))
    return rec


# ---- golden files ----


def golden_run(ctx, name):
    scenario = os.path.join("scenarios", "tests", name + ".json")
    if not os.path.isfile(ctx.path(scenario)):
        raise Failure("no scenario %s" % scenario)
    out = ctx.fresh("out")
    rc, so, se = run(ctx, ["run", "-o", out] + RUN_FLAGS + [scenario])
    expect_status("borderflow run %s" % scenario, rc, 0, so, se)
    folder = os.path.join(out, name)
    if not os.path.isdir(folder):
        raise Failure("%s did not write %s/ (is its \"name\" %r?)" % (scenario, folder, name))
    check_complete(folder)
    return folder


def write_golden(ctx, name, folder):
    gdir = ctx.path("tests", "golden", name)
    shutil.rmtree(gdir, ignore_errors=True)
    os.makedirs(gdir)
    for f in output_files(folder):
        if f != "run.json":
            shutil.copyfile(os.path.join(folder, f), os.path.join(gdir, f))
    with open(os.path.join(gdir, "run.stable.json"), "w", encoding="utf-8") as f:
        json.dump(stable_fields(os.path.join(folder, "run.json")), f, indent=2, ensure_ascii=False)
        f.write("\n")
    print("updated tests/golden/%s/" % name)


def check_golden(ctx, name):
    folder = golden_run(ctx, name)
    if ctx.update:
        write_golden(ctx, name, folder)
        return
    gdir = ctx.path("tests", "golden", name)
    if not os.path.isdir(gdir):
        raise Failure("no golden files in tests/golden/%s/: run the update-golden target" % name)
    problems = compare_folders(
        gdir, folder, "golden", "actual", skip={"run.json", "run.stable.json"}
    )
    with open(os.path.join(gdir, "run.stable.json"), encoding="utf-8") as f:
        want = json.load(f)
    got = stable_fields(os.path.join(folder, "run.json"))
    for k in STABLE_RUN_FIELDS:
        if want.get(k) != got[k]:
            problems.append("run.json %s: golden %r, actual %r" % (k, want.get(k), got[k]))
    if problems:
        raise Failure(
            "%s differs from tests/golden/%s/ (if the change is intended, run the "
            "update-golden target and review the diff):\n%s" % (name, name, "\n".join(problems))
        )
    print("%s: %d files equal to tests/golden/%s/" % (name, len(output_files(gdir)), name))


# Two-sided 95% Student t quantiles by degrees of freedom (tables; the
# standard library has none).
T975 = {1: 12.7062, 2: 4.3027, 3: 3.1824, 4: 2.7764, 5: 2.5706, 6: 2.4469, 7: 2.3646,
        8: 2.3060, 9: 2.2622, 10: 2.2281, 11: 2.2010, 19: 2.0930, 29: 2.0452}


def read_csv(path):
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def close(a, b, what, rel=1e-6, scale=1.0):
    """a equals b to rel, relative to the larger of them or to scale (the
    size of the numbers a difference was taken of: the CSV files round to
    ten significant digits)."""
    if abs(a - b) > rel * max(scale, abs(a), abs(b)):
        raise Failure("%s: %.10g, recomputed %.10g" % (what, a, b))


def check_totals(ctx, name):
    """The study totals recomputed from replications.csv: per replication,
    capital released = sum over cities of (before - after) mean working
    capital, then mean and paired t interval over replications; each
    component the same way, and the components add up to the total."""
    folder = golden_run(ctx, name)
    reps = read_csv(os.path.join(folder, "replications.csv"))
    val = {}
    for r in reps:
        val[(r["city"], r["policy"], int(r["replication"]), r["metric"])] = float(r["value"])
    cities = sorted({k[0] for k in val})
    nrep = 1 + max(k[2] for k in val)
    totals = {(t["metric"], t["scope"]): t for t in read_csv(os.path.join(folder, "totals.csv"))}
    scale = sum(abs(v) for k, v in val.items() if k[3] == "wc_avg_cny") / nrep

    def released(metric):
        def v(c, p, r):
            x = val[(c, p, r, metric)]
            if metric == "wc_inventory_avg_cny":  # the stock abroad: less the goods returning
                x -= val[(c, p, r, "wc_returning_avg_cny")]
            return x
        return [sum(v(c, "before", r) - v(c, "after", r) for c in cities) for r in range(nrep)]

    def mean_ci(xs):
        m = sum(xs) / len(xs)
        sd = (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5
        h = T975[len(xs) - 1] * sd / len(xs) ** 0.5
        return m, m - h, m + h

    parts = ["stock_abroad", "returning", "receivables", "rebate_receivable"]
    for metric, src in [("capital_released_cny", "wc_avg_cny"),
                        ("released_stock_abroad_cny", "wc_inventory_avg_cny"),
                        ("released_returning_cny", "wc_returning_avg_cny"),
                        ("released_receivables_cny", "wc_receivables_avg_cny"),
                        ("released_rebate_receivable_cny", "wc_rebate_receivable_avg_cny")]:
        row = totals.get((metric, "change"))
        if row is None:
            raise Failure("totals.csv has no %s,change row" % metric)
        m, lo, hi = mean_ci(released(src))
        close(float(row["mean"]), m, metric + " mean", 1e-8, scale)
        close(float(row["ci95_low"]), lo, metric + " ci95_low", 1e-4, scale * 1e-3)
        close(float(row["ci95_high"]), hi, metric + " ci95_high", 1e-4, scale * 1e-3)
        if int(row["n"]) != nrep:
            raise Failure("%s: n %s, replications %d" % (metric, row["n"], nrep))
    close(float(totals[("capital_released_cny", "change")]["mean"]),
          sum(float(totals[("released_%s_cny" % p, "change")]["mean"]) for p in parts),
          "capital released = sum of its components", 1e-8, scale)
    if int(totals[("cities", "count")]["mean"]) != len(cities):
        raise Failure("totals.csv counts %s cities, replications.csv has %d"
                      % (totals[("cities", "count")]["mean"], len(cities)))

    # ranking.csv: every city once, by capital released per CNY million
    # exported, best first; its interval column agrees with the counts.
    ranking = read_csv(os.path.join(folder, "ranking.csv"))
    if sorted(r["city"] for r in ranking) != cities:
        raise Failure("ranking.csv cities %s, expected %s" % ([r["city"] for r in ranking], cities))
    per_m = [float(r["capital_released_per_m"]) for r in ranking]
    if per_m != sorted(per_m, reverse=True):
        raise Failure("ranking.csv is not sorted by capital_released_per_m: %s" % per_m)
    for r in ranking:
        xs = [val[(r["city"], "before", i, "wc_avg_cny")] - val[(r["city"], "after", i, "wc_avg_cny")]
              for i in range(nrep)]
        m, lo, hi = mean_ci(xs)
        close(float(r["capital_released_cny"]), m, r["city"] + " capital released", 1e-8, scale)
        want = "above_zero" if lo > 0 else "below_zero" if hi < 0 else "includes_zero"
        if r["interval"] != want and not (m == 0 and lo == hi):
            raise Failure("%s: interval %s, recomputed %s" % (r["city"], r["interval"], want))
    for kind in ("above_zero", "below_zero"):
        n = sum(1 for r in ranking if r["interval"] == kind)
        if int(totals[("cities_released_" + kind, "count")]["mean"]) != n:
            raise Failure("cities_released_%s %s, ranking.csv has %d"
                          % (kind, totals[("cities_released_" + kind, "count")]["mean"], n))


def update_golden(ctx):
    names = sorted(
        os.path.splitext(os.path.basename(p))[0]
        for p in glob.glob(ctx.path("scenarios", "tests", "*.json"))
    )
    ctx.update = True
    for n in names:
        check_golden(ctx, n)
    # golden folders of scenarios that no longer exist
    for d in sorted(glob.glob(ctx.path("tests", "golden", "*"))):
        if os.path.basename(d) not in names:
            print("note: tests/golden/%s/ has no scenario; remove it" % os.path.basename(d))


# ---- threads ----


def check_threads(ctx, name):
    scenario = os.path.join("scenarios", "tests", name + ".json")
    folders = {}
    for j in ("1", "4"):
        out = ctx.fresh("j" + j)
        rc, so, se = run(ctx, ["run", "-o", out, "--no-plots", "-j", j, scenario])
        expect_status("borderflow run -j %s %s" % (j, scenario), rc, 0, so, se)
        folders[j] = os.path.join(out, name)
        with open(os.path.join(folders[j], "run.json"), encoding="utf-8") as f:
            rec = json.load(f)
        if rec.get("jobs") != int(j):
            raise Failure("-j %s: run.json records %r jobs" % (j, rec.get("jobs")))
    problems = compare_folders(folders["1"], folders["4"], "j1", "j4", skip={"run.json"})
    if problems:
        raise Failure("-j 1 and -j 4 differ:\n" + "\n".join(problems))
    n = len(output_files(folders["1"])) - 1
    print("%s: -j 1 and -j 4 give the same %d files" % (name, n))


# ---- bad scenarios ----


def gen_many_cities(path):
    """10^6 cities (3 MB): too many, said once, fast."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('{\n  "name": "many_cities",\n')
        f.write('  "horizon": {"window": {"start": "2026-01-01", "end": "2026-05-30"}},\n')
        f.write('  "policies": {"before": {}, "after": {}},\n')
        f.write('  "cities": [')
        f.write(",".join(["{}"] * 1000000))
        f.write("]\n}\n")


def gen_file_too_large(path):
    """One byte over the 16 MiB limit: refused before it is parsed."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"name": "file_too_large", "description": "')
        f.write("x" * (16 * 1024 * 1024))
        f.write('"}\n')


def gen_oversized_lookups(path):
    """1025 classes and 1025 entries of by_city: more than there can be cities,
    refused once each (each was looked up by a scan for every city)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write('{\n  "name": "oversized_lookups",\n')
        f.write('  "horizon": {"window": {"start": "2026-01-01", "end": "2026-05-30"}},\n')
        f.write('  "classes": {%s},\n' % ", ".join('"k%d": {}' % i for i in range(1025)))
        f.write('  "policies": {"before": {}, "after": {"by_city": {%s}}},\n'
                % ", ".join('"c%d": {}' % i for i in range(1025)))
        f.write('  "cities": [{"name": "Hefei"}]\n}\n')


GENERATORS = {
    "many_cities": gen_many_cities,
    "file_too_large": gen_file_too_large,
    "oversized_lookups": gen_oversized_lookups,
}


def read_expect(path):
    """(comment lines, expected stderr lines) of a .expect file."""
    comments, lines = [], []
    with open(path, encoding="utf-8") as f:
        for raw in f.read().splitlines():
            if raw.startswith("#") and not lines:
                comments.append(raw)
            elif raw:
                lines.append(raw)
    return comments, lines


# Folders of refused files, each <name>.json with its <name>.expect: the
# bad-input corpus, and the fuzz regressions that validation now refuses.
CORPORA = {"bad": ("tests", "data", "bad"), "rejected": ("tests", "fuzz", "regressions")}


def check_bad(ctx, name, corpus="bad"):
    bad = ctx.path(*CORPORA[corpus])
    expect_path = os.path.join(bad, name + ".expect")
    if os.path.isfile(os.path.join(bad, name + ".json")):
        cwd = bad
    elif name in GENERATORS:
        cwd = ctx.fresh("gen")
        GENERATORS[name](os.path.join(cwd, name + ".json"))
    else:
        raise Failure("no tests/data/bad/%s.json and no generator for it" % name)
    arg = name + ".json"
    out = os.path.join(ctx.fresh("run"), "out")
    results = {
        "validate": run(ctx, ["validate", arg], cwd=cwd),
        "run": run(ctx, ["run", "-o", out] + RUN_FLAGS + [arg], cwd=cwd),
    }
    got = results["validate"][2].splitlines()
    if ctx.update:
        comments = read_expect(expect_path)[0] if os.path.isfile(expect_path) else []
        with open(expect_path, "w", encoding="utf-8") as f:
            f.write("\n".join(comments + got) + "\n")
        print("updated %s/%s.expect" % ("/".join(CORPORA[corpus]), name))
        return
    _, want = read_expect(expect_path)
    problems = []
    if not want:
        problems.append("%s.expect holds no expected line" % name)
    for line in want:
        # every message names the file it is about (FILE: or FILE:LINE:COL:)
        head = line.split(": ", 1)[0]
        if not head.split(":")[0].endswith(".json"):
            problems.append("expected line does not start with a file name: %s" % line)
    for cmd, (rc, so, se) in results.items():
        if rc != 2:
            problems.append("%s: exit status %d, expected 2" % (cmd, rc))
        if so:
            problems.append("%s: printed on stdout:\n%s" % (cmd, so))
        lines = se.splitlines()
        if lines != want:
            diff = difflib.unified_diff(want, lines, name + ".expect", cmd + " stderr", lineterm="")
            problems.append("%s: stderr is not the expected:\n%s" % (cmd, "\n".join(diff)))
    if os.path.exists(out):
        problems.append("run left %s behind" % out)
    if problems:
        raise Failure("%s/%s:\n%s" % ("/".join(CORPORA[corpus]), name, "\n".join(problems)))
    print("%s: exit status 2, %d expected line(s), no output" % (name, len(want)))


def update_expect(ctx):
    ctx.update = True
    for corpus, folder in sorted(CORPORA.items()):
        names = sorted(
            os.path.splitext(os.path.basename(p))[0]
            for p in glob.glob(ctx.path(*folder, "*.expect"))
        )
        for n in names:
            check_bad(ctx, n, corpus)


# ---- every scenario runs ----


def check_scenario(ctx, rel):
    rc, so, se = run(ctx, ["validate", rel])
    expect_status("borderflow validate %s" % rel, rc, 0, so, se)
    if ": valid: " not in so:
        raise Failure("validate did not say %s is valid:\n%s" % (rel, so))
    out = ctx.fresh("out")
    rc, so, se = run(ctx, ["run", "-o", out, "-r", "2"] + RUN_FLAGS + [rel])
    expect_status("borderflow run -r 2 %s" % rel, rc, 0, so, se)
    folders = [d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d))]
    if len(folders) != 1:
        raise Failure("expected one results folder in %s, found %s" % (out, folders))
    rec = check_complete(os.path.join(out, folders[0]))
    if rec["replications"] != 2:
        raise Failure("run.json records %r replications, not 2" % rec["replications"])
    print("%s: valid; ran %d work items -> %s/" % (rel, rec["work_items"], folders[0]))
    if se.strip():
        print(se.rstrip())


# ---- generated documentation ----

GENERATED = {
    "schema": ("schema", os.path.join("docs", "scenario.schema.json")),
    "params": ("params", os.path.join("docs", "parameters.md")),
}


def check_generated(ctx, what):
    cmd, rel = GENERATED[what]
    p = subprocess.run([ctx.bf, cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    expect_status("borderflow " + cmd, p.returncode, 0, "", p.stderr.decode())
    if ctx.update:
        with open(ctx.path(rel), "wb") as f:
            f.write(p.stdout)
        print("updated %s" % rel)
        return
    if not os.path.isfile(ctx.path(rel)):
        raise Failure("%s is missing: run the update-docs target" % rel)
    with open(ctx.path(rel), "rb") as f:
        have = f.read()
    if have != p.stdout:
        diff = difflib.unified_diff(
            have.decode().splitlines(), p.stdout.decode().splitlines(), rel, "borderflow " + cmd, lineterm=""
        )
        raise Failure(
            "%s is not the output of `borderflow %s` (run the update-docs target):\n%s"
            % (rel, cmd, "\n".join(list(diff)[:60]))
        )
    if what == "schema":
        json.loads(p.stdout)  # the schema is JSON
    print("%s equals `borderflow %s`" % (rel, cmd))


def update_docs(ctx):
    ctx.update = True
    for w in GENERATED:
        check_generated(ctx, w)


# ---- the command line ----


def check_cli(ctx):
    good = os.path.join("scenarios", "tests", "one_city.json")
    for args, word in [
        (["--help"], "usage: borderflow <command>"),
        (["-h"], "usage: borderflow <command>"),
        (["help"], "usage: borderflow <command>"),
        (["run", "--help"], "usage: borderflow run"),
        (["run", "-h"], "usage: borderflow run"),
        (["validate", "--help"], "usage: borderflow validate"),
        (["schema", "--help"], "usage: borderflow schema"),
        (["params", "--help"], "usage: borderflow params"),
    ]:
        rc, so, se = run(ctx, args)
        expect_status("borderflow " + " ".join(args), rc, 0, so, se)
        if word not in so or se:
            raise Failure("borderflow %s: expected %r on stdout and nothing on stderr" % (" ".join(args), word))
    for args in (["--version"], ["-V"]):
        rc, so, se = run(ctx, args)
        expect_status("borderflow --version", rc, 0, so, se)
        want = "borderflow %s\n" % ctx.version if ctx.version else None
        if (want and so != want) or not so.startswith("borderflow "):
            raise Failure("borderflow %s printed %r, expected %r" % (args[0], so, want))

    # usage errors: exit status 2, a message on stderr, nothing written
    out = os.path.join(ctx.fresh("usage"), "out")
    usage_errors = [
        [],
        ["bogus"],
        ["run"],
        ["run", "-o", out],
        ["run", "-o", out, "-j", "0", good],
        ["run", "-o", out, "-j", "257", good],
        ["run", "-o", out, "-j", "two", good],
        ["run", "-o", out, "-r", "0", good],
        ["run", "-o", out, "-s", "-1", good],
        ["run", "-o", out, "--max-memory", "lots", good],
        ["run", "-o", out, "--bogus", good],
        ["run", "-o", out, "-x", good],
        ["run", good, "-o"],
        ["run", "-o", out, "no_such_scenario.json"],
        ["run", "-o", out, os.path.join("sim", "cli")],
        ["validate"],
        ["validate", "--bogus", good],
        ["validate", "no_such_scenario.json"],
        ["schema", "extra"],
        ["params", "extra"],
    ]
    for args in usage_errors:
        rc, so, se = run(ctx, args)
        what = "borderflow " + " ".join(args)
        expect_status(what, rc, 2, so, se)
        if not se.strip() or so:
            raise Failure("%s: expected a message on stderr only; stdout %r, stderr %r" % (what, so, se))
        if os.path.exists(out):
            raise Failure("%s: created %s" % (what, out))

    # a good run: exit 0, one summary line, the folder named after the scenario
    out = ctx.fresh("good")
    rc, so, se = run(ctx, ["run", "-o", out, "-r", "2", "-s", "17"] + RUN_FLAGS + [good])
    expect_status("borderflow run " + good, rc, 0, so, se)
    folder = os.path.join(out, "one_city")
    rec = check_complete(folder)
    if rec["seed"] != 17 or rec["replications"] != 2:
        raise Failure("-s 17 -r 2: run.json records seed %r, %r replications" % (rec["seed"], rec["replications"]))
    if folder not in se or "work items" not in se:
        raise Failure("the summary line does not name the work and the folder:\n%s" % se)
    # -q: nothing at all on success
    rc, so, se = run(ctx, ["run", "-q", "-o", out, "-r", "2"] + RUN_FLAGS + [good])
    expect_status("borderflow run -q", rc, 0, so, se)
    if so or se:
        raise Failure("run -q printed stdout %r, stderr %r" % (so, se))
    # validate: a folder means every .json in it
    rc, so, se = run(ctx, ["validate", os.path.join("scenarios", "tests")])
    expect_status("borderflow validate scenarios/tests", rc, 0, so, se)
    n = len(glob.glob(ctx.path("scenarios", "tests", "*.json")))
    if so.count(": valid: ") != n:
        raise Failure("validate scenarios/tests: expected %d valid files:\n%s" % (n, so))
    # two scenarios that would write the same folder: refused before running
    twins = ctx.fresh("twins")
    for t in ("a.json", "b.json"):
        shutil.copyfile(ctx.path(good), os.path.join(twins, t))
    out = os.path.join(ctx.fresh("twins_out"), "out")
    rc, so, se = run(ctx, ["run", "-o", out] + RUN_FLAGS + ["a.json", "b.json"], cwd=twins)
    expect_status("borderflow run a.json b.json (same name)", rc, 2, so, se)
    if "would both write" not in se or os.path.exists(out):
        raise Failure("same-name scenarios: expected a refusal and no output:\n%s" % se)
    # a file name with an escape sequence, found in a folder: shown escaped,
    # never sent to the terminal as it is (issue 13)
    hostile = ctx.fresh("hostile_name")
    shutil.copyfile(ctx.path(good), os.path.join(hostile, "x\x1b[2J\x1b]0;t\x07.json"))
    rc, so, se = run(ctx, ["validate", hostile])
    expect_status("borderflow validate (a file name with escapes)", rc, 0, so, se)
    if "\x1b" in so or "\x07" in so or "x\\u001b[2J\\u001b]0;t\\u0007.json: valid" not in so:
        raise Failure("a file name with escapes was not escaped: %r" % so)
    print("cli: help, version, %d usage errors, good runs, escaped names" % len(usage_errors))


def file_state(folder):
    """Name -> (modification time, size) of every file of a folder."""
    return {
        f: (os.stat(os.path.join(folder, f)).st_mtime_ns, os.stat(os.path.join(folder, f)).st_size)
        for f in output_files(folder)
    }


def check_resume(ctx):
    sdir = ctx.fresh("scenario")
    scenario = os.path.join(sdir, "one_city.json")
    shutil.copyfile(ctx.path("scenarios", "tests", "one_city.json"), scenario)
    out = ctx.fresh("out")
    folder = os.path.join(out, "one_city")
    base = ["run", "-o", out] + RUN_FLAGS

    def go(extra, what):
        rc, so, se = run(ctx, base + extra + [scenario])
        expect_status(what, rc, 0, so, se)
        return se

    go(["-r", "2"], "first run")
    before = file_state(folder)
    se = go(["--resume", "-r", "2"], "--resume of a complete folder")
    if "complete and up to date; skipped" not in se or file_state(folder) != before:
        raise Failure("--resume did not skip a complete, up-to-date folder:\n%s" % se)
    se = go(["--resume", "-r", "3"], "--resume with other replications")
    if "skipped" in se or stable_fields(os.path.join(folder, "run.json"))["replications"] != 3:
        raise Failure("--resume skipped although the replications changed:\n%s" % se)
    with open(scenario, "a", encoding="utf-8") as f:
        f.write("\n")  # same scenario, other bytes: other SHA-256
    se = go(["--resume", "-r", "3"], "--resume after the scenario changed")
    if "skipped" in se:
        raise Failure("--resume skipped although the scenario file changed:\n%s" % se)
    with open(scenario, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    rec = stable_fields(os.path.join(folder, "run.json"))
    if rec["scenario_sha256"] != sha:
        raise Failure("run.json scenario_sha256 %s is not the file's %s" % (rec["scenario_sha256"], sha))
    os.remove(os.path.join(folder, "delta.csv"))
    se = go(["--resume", "-r", "3"], "--resume of an incomplete folder")
    if "skipped" in se or not os.path.isfile(os.path.join(folder, "delta.csv")):
        raise Failure("--resume skipped a folder with a file missing:\n%s" % se)
    print("resume: skips complete folders; reruns on other replications, a changed scenario, a missing file")


def check_sources(ctx):
    """Every source a parameter, a scenario or a doc cites is an entry of
    docs/sources.md; no file of the repository points outside it."""
    import re
    src = ctx.src
    text = open(os.path.join(src, "docs", "sources.md"), encoding="utf-8").read()
    ids = set(re.findall(r"^### ([A-Z][0-9]+) ", text, re.M))
    ids |= set(re.findall(r"^\| (X[0-9]+) \|", text, re.M))
    if len(ids) < 50:
        raise Failure("docs/sources.md: only %d entries found; the format changed?" % len(ids))
    cited = {}
    def scan(rel, body):
        # "[C2, D1]", "[L3-L7]", "[X31]", and "sources.md X31, X33" in notes
        groups = re.findall(r"\[([A-Z][0-9]+(?:\s*[-,;]\s*[A-Z]?[0-9]+)*)\]", body)
        groups += re.findall(r"sources\.md ((?:[A-Z][0-9]+(?:-[A-Z]?[0-9]+)?(?:, )?)+)", body)
        for g in groups:
            for part in re.split(r"[,;]\s*", g):
                m = re.match(r"([A-Z])([0-9]+)(?:-([A-Z])?([0-9]+))?$", part.strip())
                if not m:
                    continue
                lo, hi = int(m.group(2)), int(m.group(4) or m.group(2))
                for n in range(lo, hi + 1):
                    cited.setdefault("%s%d" % (m.group(1), n), rel)
    files = ["docs/parameters.md", "docs/model.md", "sim/model/params.c"]
    files += sorted(os.path.relpath(f, src) for f in glob.glob(os.path.join(src, "scenarios", "**", "*.json"), recursive=True))
    for rel in files:
        scan(rel, open(os.path.join(src, rel), encoding="utf-8").read())
    missing = sorted(k for k in cited if k not in ids)
    if missing:
        raise Failure("cited but not in docs/sources.md: %s" % ", ".join("%s (%s)" % (k, cited[k]) for k in missing))
    # nothing points at the fact sheet beside the repository
    out = subprocess.run(["git", "-C", src, "grep", "-n", "-E", r"\.\./shared|domain-facts", "--",
                          "sim", "include", "docs", "scenarios", "README.md", "tests/*.c", "tests/unit", "tests/bench"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True)
    if out.returncode == 0 and out.stdout.strip():
        raise Failure("files cite what is outside the repository:\n%s" % out.stdout[:2000])
    print("sources: %d entries in docs/sources.md; %d cited, all found" % (len(ids), len(cited)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--borderflow", required=True, help="the borderflow program")
    ap.add_argument("--source", required=True, help="the source tree")
    ap.add_argument("--work", required=True, help="a scratch directory (emptied as needed)")
    ap.add_argument("--version", default="", help="the version --version must print")
    ap.add_argument("check", help="golden, threads, bad, rejected, scenario, generated, cli, resume, update-*")
    ap.add_argument("arg", nargs="?", help="the scenario or case the check is about")
    ap.add_argument("--update", action="store_true", help="regenerate what this check compares with")
    args = ap.parse_args()
    ctx = Ctx(args)
    ctx.update = args.update
    checks = {
        "golden": lambda: check_golden(ctx, args.arg),
        "threads": lambda: check_threads(ctx, args.arg),
        "bad": lambda: check_bad(ctx, args.arg),
        "rejected": lambda: check_bad(ctx, args.arg, "rejected"),
        "scenario": lambda: check_scenario(ctx, args.arg),
        "generated": lambda: check_generated(ctx, args.arg),
        "cli": lambda: check_cli(ctx),
        "resume": lambda: check_resume(ctx),
        "totals": lambda: check_totals(ctx, args.arg),
        "sources": lambda: check_sources(ctx),
        "update-golden": lambda: update_golden(ctx),
        "update-expect": lambda: update_expect(ctx),
        "update-docs": lambda: update_docs(ctx),
    }
    if args.check not in checks:
        ap.error("unknown check %r" % args.check)
    if args.check in ("golden", "totals", "threads", "bad", "rejected", "scenario", "generated") and not args.arg:
        ap.error("%s needs an argument" % args.check)
    try:
        checks[args.check]()
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as e:
        print("FAIL: timed out: %s" % " ".join(e.cmd), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
