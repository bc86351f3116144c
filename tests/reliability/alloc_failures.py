#!/usr/bin/env python3
"""Running out of memory: every allocation point of a small run, failed.

    alloc_failures.py BORDERFLOW WORKDIR

First a run with BORDERFLOW_COUNT_ALLOC=1 counts the allocations it makes
through the allocator hook (N_max). Then, for every N in 1..N_max, the same
run with BORDERFLOW_FAIL_ALLOC=N (that allocation fails), and for every N
again with N+ (it and every later one fail) on two threads. Each must:
exit with status 1 (0 for N_max + 1), print one line saying "out of memory",
end without a signal or a sanitizer report, leave no byte allocated through
the hook (BORDERFLOW_COUNT_ALLOC prints the live bytes at exit; under the
asan preset LeakSanitizer checks every other allocation too), no *.tmp
file, and no results folder that is not complete: a scenario finished
before the failure keeps its complete folder, the one that failed has none.

The run is two scenarios in one `borderflow run` (the second with a sweep),
so a failure in the second must keep the first. GSL's own allocations
(generators, histograms) do not go through the hook and are not failed
here (docs/reliability.md).
"""
import concurrent.futures
import os
import re
import shutil
import sys

from common import (SANITIZER, Failure, check, folder_state, fresh_dir, main, run, tiny_scenario,
                    tmp_files, write_json)

EXE, WORK = sys.argv[1], os.path.abspath(sys.argv[2])
NAMES = ["tiny_a", "tiny_b"]
# The processes mostly sleep (the batch wakes every 200 ms to report
# progress), so four at a time keep two cores busy.
PARALLEL = 4


def setup():
    fresh_dir(WORK)
    write_json(os.path.join(WORK, "a.json"), tiny_scenario("tiny_a"))
    write_json(os.path.join(WORK, "b.json"),
               tiny_scenario("tiny_b", days=20, tail=20, reps=1, sweep=True))


def args(out, jobs):
    return ["run", "-q", "--no-plots", "-j", str(jobs), "-o", out,
            os.path.join(WORK, "a.json"), os.path.join(WORK, "b.json")]


ALLOCS = re.compile(r"allocations: (\d+), live bytes at exit: (\d+)")


def count():
    out = fresh_dir(os.path.join(WORK, "count"))
    p = run(EXE, args(out, 1), env={"BORDERFLOW_COUNT_ALLOC": "1"})
    check(p.returncode == 0, "the run without a failure failed", p.stderr)
    m = ALLOCS.search(p.stderr)
    check(m is not None, "BORDERFLOW_COUNT_ALLOC printed no count", p.stderr)
    check(m.group(2) == "0", "bytes still live at exit", p.stderr)
    for n in NAMES:
        check(folder_state(os.path.join(out, n)) == "complete", "%s is not complete" % n)
    return int(m.group(1))


def one(n, n_max, sticky, jobs):
    """Checks one failure point; returns None or what went wrong."""
    out = os.path.join(WORK, "%s%d" % ("s" if sticky else "n", n))
    fresh_dir(out)
    spec = "%d%s" % (n, "+" if sticky else "")
    p = run(EXE, args(out, jobs),
            env={"BORDERFLOW_FAIL_ALLOC": spec, "BORDERFLOW_COUNT_ALLOC": "1"})
    where = "BORDERFLOW_FAIL_ALLOC=%s -j %d" % (spec, jobs)
    try:
        check(p.returncode >= 0, "%s: killed by signal %d" % (where, -p.returncode), p.stderr)
        check(not SANITIZER.search(p.stderr), "%s: sanitizer report" % where, p.stderr)
        want = 1 if n <= n_max else 0
        check(p.returncode == want, "%s: exit status %d, not %d" % (where, p.returncode, want),
              p.stderr)
        oom = [line for line in p.stderr.splitlines() if "out of memory" in line]
        if want == 1:
            check(len(oom) == 1, "%s: %d lines say out of memory, not 1" % (where, len(oom)),
                  p.stderr)
        m = ALLOCS.search(p.stderr)
        check(m is not None and m.group(2) == "0", "%s: bytes still live at exit" % where,
              p.stderr)
        check(not tmp_files(out), "%s: temporary files left" % where, tmp_files(out))
        states = [folder_state(os.path.join(out, name)) for name in NAMES]
        check("partial" not in states, "%s: a results folder is incomplete: %s" % (where, states))
        if want == 1:
            check(states[-1] == "absent", "%s: all folders complete after a failure" % where)
            check(states != ["absent", "complete"], "%s: the second ran after the first failed"
                  % where)
        else:
            check(states == ["complete", "complete"], "%s: %s" % (where, states))
        kept = sorted(name for name, st in zip(NAMES, states) if st == "complete")
        check(sorted(os.listdir(out)) == kept,
              "%s: stray files in the output directory" % where, os.listdir(out))
    except Failure as exc:
        return str(exc)
    shutil.rmtree(out, ignore_errors=True)
    return None


def sweep(sticky, jobs):
    n_max = count()
    points = list(range(1, n_max + 2))
    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        errors = [e for e in pool.map(lambda n: one(n, n_max, sticky, jobs), points) if e]
    print("  %d allocation points (N_max %d), %s, -j %d: %d failed"
          % (len(points), n_max, "N+ (sticky)" if sticky else "N (once)", jobs, len(errors)))
    check(not errors, "%d failure points went wrong; the first:" % len(errors), *errors[:3])


if __name__ == "__main__":
    setup()
    sys.exit(main([
        ("every_allocation_once_should_report_out_of_memory", lambda: sweep(False, 1)),
        ("every_allocation_onwards_on_two_threads_should_report_out_of_memory",
         lambda: sweep(True, 2)),
    ]))
