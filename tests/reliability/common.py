"""Helpers shared by the reliability tests (Python 3 standard library only).

The tests run the borderflow program as a user would and check what it
leaves behind: exit status, the message on stderr, and the results folder.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys

# Lines a sanitizer prints when it finds something (ASan, UBSan, TSan, LSan).
SANITIZER = re.compile(r"ERROR: \w+Sanitizer|runtime error:|WARNING: ThreadSanitizer")


class Failure(Exception):
    pass


def check(cond, what, *context):
    if not cond:
        msg = what
        for c in context:
            msg += "\n" + str(c)
        raise Failure(msg)


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def window_end(days):
    """The last day of a window of `days` days from 2026-01-01."""
    return (datetime.date(2026, 1, 1) + datetime.timedelta(days=days - 1)).isoformat()


def tiny_scenario(name, days=30, tail=30, reps=2, per_day=2, seed=7, sweep=False):
    """One city, a short horizon: a run of a fraction of a second."""
    sc = {
        "name": name,
        "horizon": {"window": {"start": "2026-01-01", "end": window_end(days)},
                    "warmup_days": 0, "tail_days": tail},
        "replications": reps,
        "seed": seed,
        "cities": [{"name": "Hefei", "shipments_per_day": per_day,
                    "effective_date": "2026-01-10"}],
        "policies": {"before": {},
                     "after": {"channels": {"9810": {"trigger": "departure"}}}},
        "compare": ["before", "after"],
    }
    if sweep:
        sc["sweeps"] = [{"name": "proc", "path": "rebate.processing_wd", "policy": "after",
                         "values": [2]}]
    return sc


def tmp_files(folder):
    found = []
    for dirpath, _, files in os.walk(folder):
        # NAME.tmp (the report's) or .NAME.XXXXXX (fs.h bf_temp_create); the
        # folder's lock file is not one
        found += [os.path.join(dirpath, f) for f in files
                  if f.endswith(".tmp") or (f.startswith(".") and f != ".borderflow.lock")]
    return found


def folder_state(folder):
    """'absent', 'complete' (run.json and every file it lists) or 'partial'."""
    if not os.path.isdir(folder):
        return "absent"
    record = os.path.join(folder, "run.json")
    if not os.path.exists(record):
        return "partial"
    with open(record, encoding="utf-8") as f:
        rec = json.load(f)
    for name in rec["files"]:
        if not os.path.exists(os.path.join(folder, name)):
            return "partial"
    return "complete"


def run(exe, args, env=None, cwd=None, timeout=600):
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([exe] + args, env=e, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def main(tests):
    """Runs each (name, function) and reports; exit status 1 if any failed."""
    failed = 0
    for name, fn in tests:
        try:
            fn()
            print("ok   %s" % name)
        except Failure as exc:
            failed += 1
            print("FAIL %s: %s" % (name, exc))
        sys.stdout.flush()
    return 1 if failed else 0
