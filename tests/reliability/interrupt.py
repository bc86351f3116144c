#!/usr/bin/env python3
"""Output safety: SIGINT and SIGTERM during a batch, then --resume.

    interrupt.py BORDERFLOW WORKDIR

Three scenarios in one `borderflow run -j 2`: a small one (tiny_a), a slow
one (slow_b, a few seconds) and a small one (tiny_c). Every results folder
is claimed (made and locked) before any work, so the test waits for tiny_a's
run.json and a moment more (slow_b is then running) and sends the signal,
then checks: exit status 130 (SIGINT) or 143 (SIGTERM), the
message naming the signal, the finished scenario and --resume; tiny_a's
folder complete (run.json and every file it lists); slow_b without run.json
and tiny_c absent; no *.tmp file anywhere. Then --resume must skip tiny_a
(saying so, leaving its run.json as it was) and complete the others; a
scenario file edited after a complete run, or a results folder missing a
file, must be run again by --resume.
"""
import os
import signal
import subprocess
import sys
import time

from common import (SANITIZER, check, folder_state, fresh_dir, main, run, tiny_scenario, tmp_files,
                    write_json)

EXE, WORK = sys.argv[1], os.path.abspath(sys.argv[2])
NAMES = ["tiny_a", "slow_b", "tiny_c"]
FILES = [os.path.join(WORK, n + ".json") for n in NAMES]


def setup():
    fresh_dir(WORK)
    write_json(FILES[0], tiny_scenario("tiny_a"))
    slow = tiny_scenario("slow_b", days=300, tail=60, reps=8, per_day=20)
    slow["cities"].append({"name": "Ningbo", "shipments_per_day": 20})
    write_json(FILES[1], slow)
    write_json(FILES[2], tiny_scenario("tiny_c", seed=11))


def run_args(out, *extra):
    return ["run", "--no-plots", "-j", "2", "-o", out] + list(extra) + FILES


def wait_for(cond, proc, timeout_s):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


def interrupted(sig, status, sig_name):
    """A run stopped by sig while slow_b runs; returns its output directory."""
    out = fresh_dir(os.path.join(WORK, "out-" + sig_name))
    proc = subprocess.Popen([EXE] + run_args(out), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        started = wait_for(lambda: os.path.exists(os.path.join(out, "tiny_a", "run.json")),
                           proc, 300)
        check(started, "tiny_a did not finish, or the run ended, before slow_b started")
        time.sleep(0.2)  # slow_b runs for seconds: the signal comes while it does
        check(proc.poll() is None, "the run ended before the signal")
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    check(not SANITIZER.search(err), "sanitizer report", err)
    check(proc.returncode == status, "exit status %d, not %d" % (proc.returncode, status), err)
    check("interrupted by %s" % sig_name in err, "no message naming %s" % sig_name, err)
    check("1 scenario(s) finished" in err and "--resume" in err,
          "the message does not say what was kept and how to go on", err)
    check(folder_state(os.path.join(out, "tiny_a")) == "complete", "tiny_a is not complete")
    check(not os.path.exists(os.path.join(out, "slow_b", "run.json")),
          "slow_b has a run.json though it was interrupted")
    check(not os.path.exists(os.path.join(out, "tiny_c")),
          "tiny_c was started, or its claimed folder not removed")
    check(not tmp_files(out), "temporary files left", tmp_files(out))
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def sigint_then_resume():
    out = interrupted(signal.SIGINT, 130, "SIGINT")
    record_a = read(os.path.join(out, "tiny_a", "run.json"))

    p = run(EXE, run_args(out, "--resume"))
    check(p.returncode == 0, "--resume failed", p.stderr)
    check("tiny_a: results in" in p.stderr and "skipped" in p.stderr,
          "--resume did not say it skipped tiny_a", p.stderr)
    check(p.stderr.count("skipped") == 1, "--resume skipped more than tiny_a", p.stderr)
    check(read(os.path.join(out, "tiny_a", "run.json")) == record_a, "tiny_a was run again")
    for n in NAMES:
        check(folder_state(os.path.join(out, n)) == "complete", "%s not complete" % n)

    # an edited scenario file is run again; a folder missing a file too
    sc = tiny_scenario("tiny_a")
    sc["description"] = "edited after its results were written"
    write_json(FILES[0], sc)
    os.remove(os.path.join(out, "tiny_c", "summary.csv"))
    p = run(EXE, run_args(out, "--resume"))
    write_json(FILES[0], tiny_scenario("tiny_a"))
    check(p.returncode == 0, "--resume failed", p.stderr)
    skipped = [line for line in p.stderr.splitlines() if "skipped" in line]
    check(len(skipped) == 1 and skipped[0].startswith("slow_b:"),
          "--resume after an edit should skip slow_b only", p.stderr)
    check(read(os.path.join(out, "tiny_a", "run.json")) != record_a,
          "the edited tiny_a was not run again")
    for n in NAMES:
        check(folder_state(os.path.join(out, n)) == "complete", "%s not complete" % n)
    check(not tmp_files(out), "temporary files left", tmp_files(out))


def sigterm():
    interrupted(signal.SIGTERM, 143, "SIGTERM")


if __name__ == "__main__":
    setup()
    sys.exit(main([
        ("sigint_should_keep_finished_scenarios_and_resume_should_do_the_rest",
         sigint_then_resume),
        ("sigterm_should_keep_finished_scenarios", sigterm),
    ]))
