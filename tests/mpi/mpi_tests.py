#!/usr/bin/env python3
"""MPI tests of `borderflow run --mpi` (docs/scaling.md).

CTest runs one check per test, with the program, the source tree and the
mpirun CMake found:

    mpi_tests.py CHECK --borderflow PROGRAM --source SRCDIR --work WORKDIR
                 [--mpirun MPIRUN] [--required]

Checks (one machine, no network: shared memory between the ranks):
    same NP JOBS   mpirun -np NP borderflow run --mpi -j JOBS --no-plots on the
                   small scenarios of scenarios/tests/ writes every file
                   byte for byte as `borderflow run -j 1 --no-plots` does,
                   all but run.json, which records NP ranks and JOBS threads
    coordinate     the same with -np 2 -j 2 and rank 0 running no items
                   (BORDERFLOW_MPI_COORDINATE_ONLY=1): every result crosses
                   from rank 1 to rank 0
    single         --mpi without mpirun (a job of one rank): the same files
    fail           the test hook BORDERFLOW_MPI_FAIL_RANK=2 makes rank 2 fail
                   its first item: exit status 1, one message naming rank 2
                   and the city, policy and replication, no results folder;
                   with one rank (rank 0 failing) the same
    bad            a bad scenario: its problems printed once (not once per
                   rank), exit status 2, nothing written
    agree          ranks that load different bytes under the same path are
                   refused before anything runs, naming the ranks
    interrupt      SIGINT to mpirun during the third scenario of four: the
                   finished folders are kept complete, the interrupted one is
                   removed, one message, a non-zero exit
    bound          ranks bound to one core each (mpirun's default at -np 2)
                   with -j 2: rank 0 warns, naming the ranks and the fix
    unavailable    (a build without MPI) --mpi says so with exit status 2

When mpirun is missing the checks that need it report "skipped" (exit 77),
never "passed"; with --required (BF_MPI=ON, as in CI) they fail instead.

Open MPI is set up for a single host through the environment: root allowed
(CI runs as root), no ssh/rsh agent (containers often have none), shared
memory only, no single-copy mechanism (CMA needs ptrace rights containers
lack), oversubscription allowed (more ranks than cores is the point of the
-np 3 check on a 2-core machine), no binding of ranks to cores (mpirun's
default at -np 2 would put all threads of a rank on one core).

Python 3 standard library only. Exit status 0 when the check passes.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

SKIP = 77
TIMEOUT_S = 600
SCENARIOS = ["scenarios/tests"]  # one_city, sweep_two_cities (sweeps), extends_calendar
NAMES = ["extends_calendar", "one_city", "sweep_two_cities"]


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def mpi_env(ctx, extra=None):
    env = dict(os.environ, LC_ALL="C")
    env.update(
        {
            "OMPI_ALLOW_RUN_AS_ROOT": "1",
            "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
            "OMPI_MCA_plm_rsh_agent": "",
            "OMPI_MCA_btl": "self,vader",
            "OMPI_MCA_pml": "ob1",
            "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
            "OMPI_MCA_rmaps_base_oversubscribe": "1",
            "OMPI_MCA_hwloc_base_binding_policy": "none",
        }
    )
    # Under AddressSanitizer: Open MPI's own allocations that live until
    # exit are not ours (lsan.supp says which and why); matching them needs
    # whole stacks, which the fast unwinder does not give through Open MPI.
    supp = "suppressions=%s:print_suppressions=0" % os.path.join(ctx.src, "tests", "mpi", "lsan.supp")
    env["LSAN_OPTIONS"] = supp + (":" + env["LSAN_OPTIONS"] if env.get("LSAN_OPTIONS") else "")
    env["ASAN_OPTIONS"] = (env["ASAN_OPTIONS"] + ":" if env.get("ASAN_OPTIONS") else "") + "fast_unwind_on_malloc=0"
    if extra:
        env.update(extra)
    return env


class Ctx:
    def __init__(self, args):
        self.bf = os.path.abspath(args.borderflow)
        self.src = os.path.abspath(args.source)
        self.work = os.path.abspath(args.work)
        self.required = args.required
        self.mpirun = args.mpirun if args.mpirun else None
        if self.mpirun and not shutil.which(self.mpirun):
            self.mpirun = None
        if not self.mpirun:
            self.mpirun = shutil.which("mpirun") or shutil.which("mpiexec")

    def need_mpirun(self):
        if self.mpirun:
            return
        msg = "mpirun not found (Debian: openmpi-bin; scripts/deps test installs it)"
        if self.required:
            raise Failure(msg + ", and BF_MPI=ON requires the MPI tests to run")
        raise Skip(msg)

    def fresh(self, *parts):
        d = os.path.join(self.work, *parts)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d


def run(ctx, cmd, env=None, cwd=None):
    p = subprocess.run(
        cmd,
        cwd=cwd or ctx.src,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=TIMEOUT_S,
        env=env or mpi_env(ctx),
    )
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def mpirun(ctx, np_, args):
    ctx.need_mpirun()
    return [ctx.mpirun, "--oversubscribe", "-np", str(np_), ctx.bf] + args


def expect_status(what, got, want, out, err):
    if got != want:
        raise Failure(
            "%s: exit status %d, expected %d\n--- stdout:\n%s--- stderr:\n%s" % (what, got, want, out, err)
        )


def files_of(folder):
    return sorted(f for f in os.listdir(folder)
                  if os.path.isfile(os.path.join(folder, f)) and f != ".borderflow.lock")


def compare(a, b, label):
    """Every file of a and b but run.json, byte for byte."""
    problems = []
    for name in NAMES:
        fa, fb = os.path.join(a, name), os.path.join(b, name)
        if not os.path.isdir(fb):
            problems.append("%s: no folder %s" % (label, fb))
            continue
        la = [f for f in files_of(fa) if f != "run.json"]
        lb = [f for f in files_of(fb) if f != "run.json"]
        if la != lb:
            problems.append("%s/%s: files %s, expected %s" % (label, name, lb, la))
        for f in sorted(set(la) & set(lb)):
            with open(os.path.join(fa, f), "rb") as x, open(os.path.join(fb, f), "rb") as y:
                if x.read() != y.read():
                    problems.append("%s/%s/%s differs from the single-process run" % (label, name, f))
    return problems


def reference(ctx):
    """The single-process run all others must equal."""
    out = ctx.fresh("plain")
    rc, so, se = run(ctx, [ctx.bf, "run", "-q", "-j", "1", "--no-plots", "-o", out] + SCENARIOS)
    expect_status("borderflow run -j 1", rc, 0, so, se)
    return out


def check_record(folder, ranks, jobs):
    for name in NAMES:
        with open(os.path.join(folder, name, "run.json"), encoding="utf-8") as f:
            rec = json.load(f)
        if rec.get("ranks") != ranks or rec.get("jobs") != jobs:
            raise Failure(
                "%s/run.json records %r ranks and %r jobs, expected %d and %d"
                % (name, rec.get("ranks"), rec.get("jobs"), ranks, jobs)
            )


# ---- checks ----


def check_same(ctx, np_, jobs, coordinate_only=False):
    ctx.need_mpirun()
    plain = reference(ctx)
    out = ctx.fresh("np%s_j%s" % (np_, jobs))
    args = ["run", "--mpi", "-j", jobs, "--no-plots", "-o", out] + SCENARIOS
    env = mpi_env(ctx, {"BORDERFLOW_MPI_COORDINATE_ONLY": "1"} if coordinate_only else None)
    rc, so, se = run(ctx, mpirun(ctx, np_, args), env=env)
    expect_status("mpirun -np %s borderflow %s" % (np_, " ".join(args)), rc, 0, so, se)
    problems = compare(plain, out, "-np %s -j %s" % (np_, jobs))
    if problems:
        raise Failure("\n".join(problems))
    check_record(out, int(np_), int(jobs))
    lines = [l for l in se.splitlines() if "work items" in l]
    if len(lines) != len(NAMES):
        raise Failure("expected one summary line per scenario (from rank 0 only), got:\n" + se)
    how = ", every result sent by another rank" if coordinate_only else ""
    print("-np %s -j %s%s: the same files as a single process, %d scenarios" % (np_, jobs, how, len(NAMES)))


def check_sensitivity(ctx):
    """A sensitivity study (tests/data/sensitivity_one_effect.json, 65 points)
    over 2 ranks: every rank makes the same design from its scenario, and the
    files are those of one process, sensitivity.csv and uncertainty.csv
    included."""
    ctx.need_mpirun()
    scen = os.path.join("tests", "data", "sensitivity_one_effect.json")
    plain = ctx.fresh("sens_plain")
    rc, so, se = run(ctx, [ctx.bf, "run", "-q", "-j", "1", "--no-plots", "-o", plain, scen])
    expect_status("borderflow run -j 1", rc, 0, so, se)
    out = ctx.fresh("sens_np2")
    args = ["run", "--mpi", "-j", "1", "--no-plots", "-o", out, scen]
    rc, so, se = run(ctx, mpirun(ctx, "2", args), env=mpi_env(ctx))
    expect_status("mpirun -np 2 borderflow %s" % " ".join(args), rc, 0, so, se)
    a, b = (os.path.join(d, "sensitivity_one_effect") for d in (plain, out))
    la = [f for f in files_of(a) if f != "run.json"]
    if "sensitivity.csv" not in la or la != [f for f in files_of(b) if f != "run.json"]:
        raise Failure("files %s and %s" % (la, files_of(b)))
    for f in la:
        with open(os.path.join(a, f), "rb") as x, open(os.path.join(b, f), "rb") as y:
            if x.read() != y.read():
                raise Failure("%s differs between one process and 2 ranks" % f)
    print("sensitivity over 2 ranks: the same files as one process")


def check_single(ctx):
    ctx.need_mpirun()  # a job of one rank still needs Open MPI's runtime
    plain = reference(ctx)
    out = ctx.fresh("single")
    rc, so, se = run(ctx, [ctx.bf, "run", "--mpi", "-j", "2", "--no-plots", "-o", out] + SCENARIOS)
    expect_status("borderflow run --mpi (no mpirun)", rc, 0, so, se)
    problems = compare(plain, out, "--mpi alone")
    if problems:
        raise Failure("\n".join(problems))
    check_record(out, 1, 2)
    print("--mpi without mpirun: the same files, run.json says 1 rank")


FAIL_RE = re.compile(
    r"^borderflow: extends_calendar: run failed: rank (\d+) failed on city '[^']+', "
    r"policy '[^']+', replication \d+, seed \d+: failed on purpose \(test hook BORDERFLOW_MPI_FAIL_RANK=\d+\)$"
)


def expect_no_results(out):
    left = os.listdir(out) if os.path.isdir(out) else []
    if left:
        raise Failure("a failed run left %s in %s" % (left, out))


def check_fail(ctx):
    ctx.need_mpirun()
    for np_, rank in ((3, 2), (1, 0)):
        out = ctx.fresh("fail%d" % np_)
        args = ["run", "--mpi", "-j", "1", "--no-plots", "-o", out] + SCENARIOS
        cmd = mpirun(ctx, np_, args) if np_ > 1 else [ctx.bf] + args
        rc, so, se = run(ctx, cmd, env=mpi_env(ctx, {"BORDERFLOW_MPI_FAIL_RANK": str(rank)}))
        expect_status("rank %d failing" % rank, rc, 1, so, se)
        hits = [FAIL_RE.match(l) for l in se.splitlines()]
        hits = [h for h in hits if h]
        if len(hits) != 1 or int(hits[0].group(1)) != rank:
            raise Failure("expected one line naming rank %d, its city, policy and replication:\n%s" % (rank, se))
        if "work items" in se:
            raise Failure("a scenario finished although the first one failed:\n" + se)
        expect_no_results(out)
        print("-np %d, rank %d failing: exit 1, %s" % (np_, rank, hits[0].group(0)))


def check_bad(ctx):
    ctx.need_mpirun()
    bad = os.path.join(ctx.src, "tests", "data", "bad")
    with open(os.path.join(bad, "bad_date.expect"), encoding="utf-8") as f:
        want = [l.rstrip("\n") for l in f if not l.startswith("#")]
    out = os.path.join(ctx.fresh("bad"), "out")
    rc, so, se = run(ctx, mpirun(ctx, 3, ["run", "--mpi", "-o", out, "bad_date.json"]), cwd=bad)
    expect_status("a bad scenario under -np 3", rc, 2, so, se)
    lines = se.splitlines()
    for w in want:
        if lines.count(w) != 1:
            raise Failure("expected once: %r; stderr:\n%s" % (w, se))
    if os.path.exists(out):
        raise Failure("a refused scenario left %s" % out)
    print("a bad scenario under -np 3: its %d problems printed once, exit 2" % len(want))


def check_agree(ctx):
    ctx.need_mpirun()
    base = ctx.fresh("agree")
    src = os.path.join(ctx.src, "scenarios", "tests", "one_city.json")
    for d, seed in (("a", None), ("b", "4243")):
        os.makedirs(os.path.join(base, d))
        with open(src, encoding="utf-8") as f:
            text = f.read()
        if seed:
            text = text.replace("4242", seed, 1)
        with open(os.path.join(base, d, "s.json"), "w", encoding="utf-8") as f:
            f.write(text)
    out = os.path.join(base, "out")
    args = [ctx.bf, "run", "--mpi", "-j", "1", "--no-plots", "-o", out, "s.json"]
    # rank 0 reads a/s.json, ranks 1 and 2 another s.json under the same name
    cmd = [ctx.mpirun, "--oversubscribe", "-np", "1", "-wdir", os.path.join(base, "a")] + args
    cmd += [":", "-np", "2", "-wdir", os.path.join(base, "b")] + args
    rc, so, se = run(ctx, cmd)
    expect_status("ranks with different files", rc, 2, so, se)
    for k in (1, 2):
        if ("borderflow: --mpi: rank %d: loaded other scenario files" % k) not in se:
            raise Failure("rank %d not named:\n%s" % (k, se))
    if os.path.exists(out):
        raise Failure("refused ranks left %s" % out)
    print("ranks loading other bytes: refused before running, ranks 1 and 2 named")


def check_interrupt(ctx):
    ctx.need_mpirun()
    out = ctx.fresh("interrupt")
    args = ["run", "--mpi", "-j", "1", "--no-plots", "-r", "4", "-o", out] + SCENARIOS
    args += ["scenarios/default.json"]
    p = subprocess.Popen(
        mpirun(ctx, 3, args), cwd=ctx.src, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=mpi_env(ctx)
    )
    marker = os.path.join(out, NAMES[-1], "run.json")
    t0 = time.time()
    while not os.path.exists(marker) and p.poll() is None and time.time() - t0 < TIMEOUT_S:
        time.sleep(0.05)
    time.sleep(0.5)  # into the default study (45 cities, 360 items)
    p.send_signal(signal.SIGINT)
    t1 = time.time()
    so, se = p.communicate(timeout=TIMEOUT_S)
    so, se = so.decode("utf-8", "replace"), se.decode("utf-8", "replace")
    if p.returncode == 0:
        raise Failure("an interrupted run exited 0:\n" + se)
    if se.count("borderflow: interrupted by") != 1:
        raise Failure("expected one 'interrupted' message (rank 0's):\n" + se)
    for name in NAMES:
        rj = os.path.join(out, name, "run.json")
        if not os.path.isfile(rj):
            raise Failure("%s finished before the signal but has no run.json" % name)
    if os.path.exists(os.path.join(out, "default")):
        raise Failure("the interrupted scenario left %s:\n%s" % (os.path.join(out, "default"), se))
    print("SIGINT to mpirun: stopped in %.1f s, 3 folders kept, the interrupted one removed" % (time.time() - t1))


def check_bound(ctx):
    ctx.need_mpirun()
    if (os.cpu_count() or 1) < 2:
        raise Skip("binding two ranks to a core each needs two cores")
    out = ctx.fresh("bound")
    args = ["run", "--mpi", "-j", "2", "--no-plots", "-o", out, "scenarios/tests/one_city.json"]
    cmd = [ctx.mpirun, "-np", "2", "--bind-to", "core", ctx.bf] + args
    rc, so, se = run(ctx, cmd)
    expect_status("-np 2 --bind-to core -j 2", rc, 0, so, se)
    for k in (0, 1):
        w = "borderflow: --mpi: warning: rank %d runs 2 threads on 1 CPU" % k
        if se.count(w) != 1:
            raise Failure("expected once: %r\n%s" % (w, se))
    print("ranks bound to a core each with -j 2: warned once per rank")


def check_unavailable(ctx):
    rc, so, se = run(ctx, [ctx.bf, "run", "--mpi", "scenarios/tests"], env=dict(os.environ, LC_ALL="C"))
    expect_status("--mpi without MPI", rc, 2, so, se)
    if "this borderflow was built without MPI" not in se:
        raise Failure("no clear message:\n" + se)
    print("--mpi in a build without MPI: exit 2, " + se.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("check")
    ap.add_argument("args", nargs="*")
    ap.add_argument("--borderflow", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--mpirun", default="")
    ap.add_argument("--required", action="store_true")
    a = ap.parse_args()
    ctx = Ctx(a)
    os.makedirs(ctx.work, exist_ok=True)
    checks = {
        "same": lambda: check_same(ctx, *a.args),
        "coordinate": lambda: check_same(ctx, "2", "2", coordinate_only=True),
        "single": lambda: check_single(ctx),
        "sensitivity": lambda: check_sensitivity(ctx),
        "fail": lambda: check_fail(ctx),
        "bad": lambda: check_bad(ctx),
        "agree": lambda: check_agree(ctx),
        "interrupt": lambda: check_interrupt(ctx),
        "bound": lambda: check_bound(ctx),
        "unavailable": lambda: check_unavailable(ctx),
    }
    if a.check not in checks:
        print("unknown check %r" % a.check, file=sys.stderr)
        return 2
    try:
        checks[a.check]()
    except Skip as e:
        print("SKIPPED: %s" % e)
        return SKIP
    except (Failure, subprocess.TimeoutExpired) as e:
        print("FAILED: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
