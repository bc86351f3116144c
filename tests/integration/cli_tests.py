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
    fit_bad NAME       tests/data/fit/NAME.csv is refused by fit with exit
                       status 2, exactly the stderr lines of NAME.expect, and
                       nothing written (no folder; an earlier one untouched)
    fit                fit on the example data: the table, the files, every
                       spec validates in a scenario, the example scenario
                       holds the best spec; gnuplot missing; --no-plots; the
                       default folder
    scenario PATH      PATH (relative to the source tree) validates and runs
    generated WHAT     `borderflow schema` / `borderflow params` output equals
                       docs/scenario.schema.json / docs/parameters.md
    cli                --help, --version, usage errors, a good run
    resume             --resume skips complete folders and reruns stale ones
    rerun              a rerun into a folder of earlier results: refused, --force, --resume
    city               run --city narrows a scenario: its folder, its numbers,
                       the run record, --resume, unknown names
    volume             annual export values: validate's lines, and a run's exports
    my_company         the worked example: validate shows the cities it keeps
    hardening CASE     output safety: empty_output, symlink_folder, symlink_file, symlink_charts,
                       concurrent, long_path, max_work, disk_full, cut_chart,
                       interrupt_run, interrupt_plot (docs/reliability.md)
    sensitivity        the sensitivity study of tests/data/sensitivity_one_effect.json
    totals NAME        totals.csv and ranking.csv of scenarios/tests/NAME.json
                       equal what replications.csv gives when recomputed here

Update modes (regenerate what the checks compare with, then review the diff):
    update-golden      tests/golden/* from scenarios/tests/*.json
    update-expect      tests/data/bad/*.expect and tests/data/fit/*.expect from
                       the program's messages
    update-docs        docs/scenario.schema.json and docs/parameters.md

Python 3 standard library only. Exit status 0 when the check passes.
"""

import argparse
import csv
import difflib
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

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


class Skip(Exception):
    """A check that cannot run here, with the reason (exit 77: ctest "skipped")."""


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


LOCK_FILE = ".borderflow.lock"  # fs.h: the folder's lock, not a result


def output_files(folder):
    return sorted(f for f in os.listdir(folder)
                  if os.path.isfile(os.path.join(folder, f)) and f != LOCK_FILE)


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
    leftovers = [f for f in os.listdir(folder)
                 if f.endswith(".tmp") or (f.startswith(".") and f != LOCK_FILE)]
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
    names = sorted(
        os.path.splitext(os.path.basename(p))[0]
        for p in glob.glob(ctx.path("tests", "data", "fit", "*.expect"))
    )
    for n in names:
        check_fit_bad(ctx, n)


# ---- borderflow fit ----

FIT_COLUMN = "clearance_h"
FIT_EXAMPLE = os.path.join("scenarios", "examples", "fit", "clearance_hours.csv")
FIT_TABLES = ["best.json", "fit.csv", "fit.json"]
FIT_CHART = ["fit.dat", "fit.gp", "fit.png", "fit.svg"]


def check_fit_bad(ctx, name):
    """tests/data/fit/NAME.csv, fitted in a scratch folder (so that the
    messages name NAME.csv and the default output folder would land there),
    next to an earlier fit's folder that must stay as it was."""
    src = ctx.path("tests", "data", "fit", name + ".csv")
    expect_path = ctx.path("tests", "data", "fit", name + ".expect")
    if not os.path.isfile(src):
        raise Failure("no tests/data/fit/%s.csv" % name)
    cwd = ctx.fresh("fit_bad")
    shutil.copyfile(src, os.path.join(cwd, name + ".csv"))
    earlier = os.path.join(cwd, "earlier")
    os.makedirs(earlier)
    for f in FIT_TABLES:
        with open(os.path.join(earlier, f), "w") as fh:
            fh.write("an earlier fit's %s\n" % f)
    before = file_state(earlier)
    results = {
        "default folder": run(ctx, ["fit", name + ".csv", "--column", FIT_COLUMN], cwd=cwd),
        "-o earlier": run(ctx, ["fit", name + ".csv", "--column", FIT_COLUMN, "-o", "earlier"], cwd=cwd),
    }
    got = results["default folder"][2].splitlines()
    if ctx.update:
        comments = read_expect(expect_path)[0] if os.path.isfile(expect_path) else []
        with open(expect_path, "w", encoding="utf-8") as f:
            f.write("\n".join(comments + got) + "\n")
        print("updated tests/data/fit/%s.expect" % name)
        return
    _, want = read_expect(expect_path)
    problems = []
    if not want:
        problems.append("%s.expect holds no expected line" % name)
    for line in want:
        # every message names the file and the line (FILE:LINE: column 'NAME': ...)
        if not line.startswith(name + ".csv:"):
            problems.append("expected line does not start with %s.csv: %s" % (name, line))
    for how, (rc, so, se) in results.items():
        if rc != 2:
            problems.append("%s: exit status %d, expected 2" % (how, rc))
        if so:
            problems.append("%s: printed on stdout:\n%s" % (how, so))
        lines = se.splitlines()
        if lines != want:
            diff = difflib.unified_diff(want, lines, name + ".expect", how + " stderr", lineterm="")
            problems.append("%s: stderr is not the expected:\n%s" % (how, "\n".join(diff)))
    left = sorted(set(os.listdir(cwd)) - {name + ".csv", "earlier"})
    if left:
        problems.append("fit wrote %s" % ", ".join(left))
    if file_state(earlier) != before:
        problems.append("fit changed the earlier folder: %s" % output_files(earlier))
    if problems:
        raise Failure("tests/data/fit/%s:\n%s" % (name, "\n".join(problems)))
    print("%s: exit status 2, %d expected line(s), nothing written" % (name, len(want)))


def run_env(ctx, args, cwd, env):
    p = subprocess.run([ctx.bf] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT_S, env=dict(os.environ, LC_ALL="C", **env))
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def have_gnuplot():
    return any(os.access(os.path.join(d, "gnuplot"), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep) if d.startswith("/"))


def fit_folder(ctx, csv, out, extra=(), env=None):
    """Runs fit on csv into out; (stdout, stderr, fit.json, fit.csv rows)."""
    args = ["fit", csv, "--column", FIT_COLUMN, "-o", out] + list(extra)
    rc, so, se = run_env(ctx, args, ctx.src, env or {})
    expect_status("borderflow " + " ".join(args), rc, 0, so, se)
    with open(os.path.join(out, "fit.json"), encoding="utf-8") as f:
        record = json.load(f)
    with open(os.path.join(out, "best.json"), encoding="utf-8") as f:
        best = f.read()
    if json.loads(best) != record["spec"] or best.count("\n") != 1:
        raise Failure("%s: best.json %r is not fit.json's spec %r on one line" % (out, best, record["spec"]))
    if best.strip() not in so.splitlines():
        raise Failure("%s: the spec of best.json is not printed:\n%s" % (out, so))
    return so, se, record, read_csv(os.path.join(out, "fit.csv"))


def fit_specs_validate(ctx, record, what):
    """Each fitted family's spec, put into every parameter fit.json says it
    suits, is a scenario that `borderflow validate` accepts."""
    with open(ctx.path("scenarios", "tests", "one_city.json"), encoding="utf-8") as f:
        base = json.load(f)
    base["$schema"] = "../docs/scenario.schema.json"
    paths = [p.replace("<lane>", "eu_rail").replace("<code>", "9810").replace("<category>", "general")
             for p in record["parameters"]]
    if not paths:
        raise Failure("%s: fit.json names no parameter for unit %s" % (what, record["unit"]))
    folder = ctx.fresh("fit_specs", what)
    n = 0
    for fam in record["families"]:
        if not fam["fitted"]:
            continue
        sc = json.loads(json.dumps(base))
        sc["name"] = "fit_" + fam["family"]
        defaults = sc.setdefault("defaults", {})
        for p in paths:
            node = defaults
            parts = p.split(".")
            for k in parts[:-1]:
                node = node.setdefault(k, {})
            node[parts[-1]] = fam["spec"]
        path = os.path.join(folder, fam["family"] + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(sc, f, indent=1)
        rc, so, se = run(ctx, ["validate", path])
        expect_status("validate the %s spec of %s (%s)" % (fam["family"], what, json.dumps(fam["spec"])), rc, 0, so, se)
        n += 1
    return n


def check_fit(ctx):
    work = ctx.fresh("fit")
    chart = FIT_CHART if have_gnuplot() else []

    # the example: the table, the files, the specs
    out = os.path.join(work, "example")
    so, se, record, rows = fit_folder(ctx, FIT_EXAMPLE, out)
    if output_files(out) != sorted(FIT_TABLES + chart):
        raise Failure("fit wrote %s, expected %s" % (output_files(out), sorted(FIT_TABLES + chart)))
    lines = so.splitlines()
    if lines[0] != "clearance_hours.csv, column clearance_h: 200 values in hours":
        raise Failure("first line of the table: %r" % lines[0])
    kinds = [r["family"] for r in rows]
    if sorted(kinds) != ["empirical", "exponential", "gamma", "lognormal", "weibull"] or kinds[-1] != "empirical":
        raise Failure("fit.csv families %s" % kinds)
    # the example is 200 draws of a lognormal (median 4 h, p90 12 h):
    # it must win, with its median and p90 near the truth (the sampling
    # sd of the median is about 5%, of the p90 about 8%)
    if record["best"] != "lognormal" or rows[0]["family"] != "lognormal" or rows[0]["best"] != "1":
        raise Failure("the example's best fit is %s, expected the lognormal it was drawn from" % record["best"])
    if not (3.6 < record["spec"]["median"] < 4.4 and 10 < record["spec"]["p90"] < 14):
        raise Failure("the example's lognormal spec %s is far from median 4, p90 12" % record["spec"])
    aics = [float(r["aic"]) for r in rows if r["rank"] != "NA"]
    if aics != sorted(aics) or float(rows[0]["delta_aic"]) != 0:
        raise Failure("fit.csv is not ordered by AIC: %s" % aics)
    if record["n"] != 200 or record["unit"] != "h" or record["column"] != FIT_COLUMN:
        raise Failure("fit.json: n %r, unit %r, column %r" % (record["n"], record["unit"], record["column"]))
    if out not in se:
        raise Failure("stderr does not name the folder written:\n%s" % se)
    n = fit_specs_validate(ctx, record, "example")
    # the example scenario holds this very spec
    with open(ctx.path("scenarios", "examples", "own_clearance_times.json"), encoding="utf-8") as f:
        shipped = json.load(f)["defaults"]["clearance"]["screening_h"]
    if shipped != record["spec"]:
        raise Failure("scenarios/examples/own_clearance_times.json has screening_h %s; the fit of %s "
                      "gives %s: paste the new spec" % (json.dumps(shipped), FIT_EXAMPLE, json.dumps(record["spec"])))

    # values in days, nearly constant: specs that need more than 6 digits
    # and no gamma (GSL cannot draw from its shape); all valid in day
    # parameters, lanes and channels included
    narrow = os.path.join(work, "narrow.csv")
    with open(narrow, "w") as f:
        f.write("id,%s\n" % FIT_COLUMN)
        for i in range(40):
            f.write("%d,%.9f\n" % (i, 30 * (1 + 1e-6 * ((i * 7919) % 41 - 20))))
    out = os.path.join(work, "narrow")
    so, se, rec2, _ = fit_folder(ctx, narrow, out, ["--unit", "d", "--no-plots"])
    gamma = [f for f in rec2["families"] if f["family"] == "gamma"][0]
    if gamma["fitted"] or "outside [0.2, 500]" not in gamma["note"]:
        raise Failure("narrow data: the gamma should be refused: %s" % gamma)
    if "lanes.<lane>.transit_d" not in rec2["parameters"]:
        raise Failure("--unit d: fit.json's parameters %s lack the lanes' transit" % rec2["parameters"])
    n += fit_specs_validate(ctx, rec2, "narrow")
    if output_files(out) != sorted(FIT_TABLES):
        raise Failure("--no-plots wrote %s" % output_files(out))

    # gnuplot missing: the tables, the script and its data, no image, exit 0
    out = os.path.join(work, "no_gnuplot")
    so, se, _, _ = fit_folder(ctx, FIT_EXAMPLE, out, env={"PATH": "/nonexistent"})
    if "gnuplot not found" not in se:
        raise Failure("without gnuplot: stderr does not say so:\n%s" % se)
    if output_files(out) != sorted(FIT_TABLES + ["fit.dat", "fit.gp"]):
        raise Failure("without gnuplot fit wrote %s" % output_files(out))

    # --no-plots over a folder with a chart removes the chart
    if chart:
        out = os.path.join(work, "example")
        fit_folder(ctx, FIT_EXAMPLE, out, ["--no-plots"])
        if output_files(out) != sorted(FIT_TABLES):
            raise Failure("--no-plots left %s" % output_files(out))

    # without -o: out/fit/<file>.<column>/ in the current folder
    cwd = ctx.fresh("fit_default")
    rc, so, se = run(ctx, ["fit", ctx.path(FIT_EXAMPLE), "--column", FIT_COLUMN, "--no-plots"], cwd=cwd)
    expect_status("fit without -o", rc, 0, so, se)
    want = os.path.join(cwd, "out", "fit", "clearance_hours.clearance_h")
    if output_files(want) != sorted(FIT_TABLES):
        raise Failure("fit without -o: expected the tables in %s" % want)
    print("fit: the example's table and files; %d specs valid in scenarios; no gnuplot; --no-plots; "
          "the default folder" % n)


# ---- every scenario runs ----


def check_scenario(ctx, rel):
    rc, so, se = run(ctx, ["validate", rel])
    expect_status("borderflow validate %s" % rel, rc, 0, so, se)
    if ": valid: " not in so:
        raise Failure("validate did not say %s is valid:\n%s" % (rel, so))
    out = ctx.fresh("out")
    # a sensitivity study runs here as written (--no-sweeps): its design is
    # tested by the `sensitivity` check, and the example's takes minutes
    with open(ctx.path(rel), encoding="utf-8") as f:
        extra = ["--no-sweeps"] if '"sensitivity"' in f.read() else []
    rc, so, se = run(ctx, ["run", "-o", out, "-r", "2"] + RUN_FLAGS + extra + [rel])
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
        (["fit", "--help"], "usage: borderflow fit"),
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
        ["validate", good, "--city"],
        ["run", "-o", out, "--city", "", good],
        ["schema", "extra"],
        ["params", "extra"],
        ["fit", "-o", out],
        ["fit", "-o", out, FIT_EXAMPLE],
        ["fit", "-o", out, "--column"],
        ["fit", "-o", out, "--column", FIT_COLUMN, "--unit", "weeks", FIT_EXAMPLE],
        ["fit", "-o", out, "--column", FIT_COLUMN, "--bogus", FIT_EXAMPLE],
        ["fit", "-o", out, "--column", FIT_COLUMN, FIT_EXAMPLE, FIT_EXAMPLE],
        ["fit", "-o", out, "--column", FIT_COLUMN, "no_such_file.csv"],
        ["fit", "-o", out, "--column", FIT_COLUMN, os.path.join("sim", "cli")],
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
    # -q: nothing at all on success (--force: a rerun into the same folder)
    rc, so, se = run(ctx, ["run", "-q", "--force", "-o", out, "-r", "2"] + RUN_FLAGS + [good])
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


def check_rerun(ctx):
    """A rerun into a folder of earlier results is refused (exit 2, before
    any work, nothing written) unless --force replaces them, with a notice,
    or --resume keeps them; an empty folder, one with the lock file only or
    with files of the user's own is no earlier run's."""
    good = os.path.join("scenarios", "tests", "one_city.json")
    other = os.path.join("scenarios", "tests", "sweep_two_cities.json")
    out = ctx.fresh("out")
    folder = os.path.join(out, "one_city")
    base = ["run", "-o", out, "-r", "2"] + RUN_FLAGS
    rc, so, se = run(ctx, base + [good])
    expect_status("first run", rc, 0, so, se)
    before = file_state(folder)

    # refused: the folder named, both ways out, nothing run or changed;
    # a second scenario with a fresh folder does not run either
    rc, so, se = run(ctx, base + [other, good])
    expect_status("rerun without --force", rc, 2, so, se)
    for word in (folder + "/", "earlier run", "(run.json)", "--force", "--resume", "nothing was run"):
        if word not in se:
            raise Failure("the refusal does not say %r:\n%s" % (word, se))
    if so or "work items" in se or se.count("\n") != 1:
        raise Failure("a refused rerun printed more than its one line: %r %r" % (so, se))
    if file_state(folder) != before:
        raise Failure("a refused rerun changed %s" % folder)
    if os.path.exists(os.path.join(out, "sweep_two_cities")):
        raise Failure("a refused rerun wrote the other scenario's folder")
    # any file the program writes counts: the report alone, charts/ alone
    for made in ("report.html", "results.xlsx", "charts", "sweep.csv"):
        alone = ctx.fresh("alone_" + made)
        os.makedirs(os.path.join(alone, "one_city", made) if made == "charts"
                    else os.path.join(alone, "one_city"), exist_ok=True)
        if made != "charts":
            with open(os.path.join(alone, "one_city", made), "w") as f:
                f.write("earlier\n")
        rc, so, se = run(ctx, ["run", "-o", alone, "-r", "2"] + RUN_FLAGS + [good])
        expect_status("a rerun into a folder holding only %s" % made, rc, 2, so, se)
        if "(%s)" % made not in se or os.path.exists(os.path.join(alone, "one_city", "run.json")):
            raise Failure("a folder holding only %s was not refused: %r" % (made, se))

    # no earlier results: an empty folder, the lock file only, a file of the user's
    for case in ("empty", "lock", "notes"):
        d = ctx.fresh("case_" + case)
        os.makedirs(os.path.join(d, "one_city"))
        if case != "empty":
            name = LOCK_FILE if case == "lock" else "notes.txt"
            with open(os.path.join(d, "one_city", name), "w") as f:
                f.write("mine\n")
        rc, so, se = run(ctx, ["run", "-o", d, "-r", "2"] + RUN_FLAGS + [good])
        expect_status("a run into a folder (%s)" % case, rc, 0, so, se)
        if "replacing" in se or not os.path.isfile(os.path.join(d, "one_city", "run.json")):
            raise Failure("a run into a folder (%s): %r" % (case, se))
        if case == "notes" and not os.path.isfile(os.path.join(d, "one_city", "notes.txt")):
            raise Failure("a run removed the user's own notes.txt")

    # --force: replaced, one notice naming the folder; -q silences it
    rc, so, se = run(ctx, base + ["--force", "-s", "5", good])
    expect_status("rerun with --force", rc, 0, so, se)
    notice = "one_city: replacing the results of an earlier run in %s/ (--force)\n" % folder
    if se.count("replacing") != 1 or notice not in se:
        raise Failure("--force did not give its one notice %r:\n%s" % (notice, se))
    if stable_fields(os.path.join(folder, "run.json"))["seed"] != 5:
        raise Failure("--force did not replace the results (seed 5 not in run.json)")
    rc, so, se = run(ctx, base + ["-q", "--force", good])
    expect_status("rerun with --force -q", rc, 0, so, se)
    if so or se:
        raise Failure("--force -q printed %r %r" % (so, se))
    # --resume keeps the complete folder; --force with it is a usage error
    rc, so, se = run(ctx, base + ["--resume", good])
    expect_status("rerun with --resume", rc, 0, so, se)
    if "complete and up to date; skipped" not in se:
        raise Failure("--resume did not skip the complete folder: %r" % se)
    before = file_state(folder)
    rc, so, se = run(ctx, base + ["--resume", "--force", good])
    expect_status("--resume --force", rc, 2, so, se)
    if "give one of the two" not in se or file_state(folder) != before:
        raise Failure("--resume --force: %r" % se)
    print("rerun: refused without --force (every file the program writes counts), "
          "replaced with a notice by --force, kept by --resume")


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
    # a file changed (or cut short) since: its SHA-256 no longer matches run.json's
    with open(os.path.join(folder, "summary.csv"), "ab") as f:
        f.write(b"tampered\n")
    se = go(["--resume", "-r", "3"], "--resume of a folder with a changed file")
    with open(os.path.join(folder, "summary.csv"), "rb") as f:
        if "skipped" in se or b"tampered" in f.read():
            raise Failure("--resume skipped a folder whose summary.csv changed:\n%s" % se)
    print("resume: skips complete folders; reruns on other replications, a changed scenario, "
          "a missing file, a changed file")


def check_city(ctx):
    """run --city narrows a scenario (issue 14): only the cities named are in
    the folder, named for them; each has the numbers of the whole study (its
    random streams are keyed by its place in the list); run.json records the
    selection and --resume tells one set of cities from another; an unknown
    name is refused with a suggestion and nothing written."""
    scenario = os.path.join("scenarios", "tests", "sweep_two_cities.json")
    flags = ["-r", "2", "--no-sweeps"] + RUN_FLAGS
    whole = ctx.fresh("whole")
    rc, so, se = run(ctx, ["run", "-o", whole] + flags + [scenario])
    expect_status("run " + scenario, rc, 0, so, se)
    out = ctx.fresh("out")
    rc, so, se = run(ctx, ["run", "-o", out, "--city", "Changsha"] + flags + [scenario])
    expect_status("run --city Changsha", rc, 0, so, se)
    if os.listdir(out) != ["sweep_two_cities.Changsha"]:
        raise Failure("run --city Changsha wrote %s, not sweep_two_cities.Changsha/" % os.listdir(out))
    folder = os.path.join(out, "sweep_two_cities.Changsha")
    check_complete(folder)
    with open(os.path.join(folder, "run.json"), encoding="utf-8") as f:
        rec = json.load(f)
    want = {"by": "--city", "cities_listed": 2, "cities": ["Changsha"]}
    if rec.get("selection") != want or rec["cities"] != 1 or rec["scenario"] != "sweep_two_cities.Changsha":
        raise Failure("run.json: selection %r, cities %r, scenario %r" % (rec.get("selection"), rec["cities"], rec["scenario"]))
    with open(os.path.join(whole, "sweep_two_cities", "run.json"), encoding="utf-8") as f:
        if json.load(f).get("selection", "missing") is not None:
            raise Failure("the whole study's run.json records a selection")
    cities = [r["city"] for r in read_csv(os.path.join(folder, "cities.csv"))]
    if cities != ["Changsha"]:
        raise Failure("cities.csv of run --city Changsha lists %s" % cities)
    # the same rows but their scenario column (the narrowed run's name)
    narrowed = [dict(r, scenario=None) for r in read_csv(os.path.join(folder, "replications.csv"))]
    full = [dict(r, scenario=None)
            for r in read_csv(os.path.join(whole, "sweep_two_cities", "replications.csv"))
            if r["city"] == "Changsha"]
    if {r["city"] for r in narrowed} != {"Changsha"} or narrowed != full:
        raise Failure("replications.csv of run --city Changsha is not the whole study's rows for "
                      "Changsha (%d rows, %d in the whole study)" % (len(narrowed), len(full)))
    # --resume: the same cities are skipped; other cities are another run
    rc, so, se = run(ctx, ["run", "-o", out, "--resume", "--city", "Changsha"] + flags + [scenario])
    expect_status("run --resume --city Changsha", rc, 0, so, se)
    if "complete and up to date; skipped" not in se:
        raise Failure("--resume --city Changsha did not skip its own folder:\n%s" % se)
    rc, so, se = run(ctx, ["run", "-o", out, "--resume", "--city", "Ningbo", "--city", "Changsha"]
                     + flags + [scenario])
    expect_status("run --resume --city Ningbo --city Changsha", rc, 0, so, se)
    if "skipped" in se or "sweep_two_cities.Ningbo.Changsha" not in os.listdir(out):
        raise Failure("--resume with other cities skipped, or wrote no folder of their own:\n%s" % se)
    # validate says what it kept; an unknown name: exit 2, a suggestion, nothing written
    rc, so, se = run(ctx, ["validate", "--city", "Changsha", scenario])
    expect_status("validate --city Changsha", rc, 0, so, se)
    if "1 cities (1 of the 2 listed, kept by --city: Changsha)" not in so:
        raise Failure("validate --city Changsha does not say what it kept:\n%s" % so)
    bad = os.path.join(ctx.fresh("bad"), "out")
    for cmd in (["validate"], ["run", "-o", bad] + flags):
        rc, so, se = run(ctx, cmd + ["--city", "Changsa", scenario])
        expect_status(" ".join(cmd[:1]) + " --city Changsa", rc, 2, so, se)
        if "no city 'Changsa' in scenario 'sweep_two_cities'; did you mean 'Changsha'?" not in se or so:
            raise Failure("%s --city Changsa: expected a suggestion on stderr only:\n%s%s" % (cmd[0], so, se))
    if os.path.exists(bad):
        raise Failure("run --city Changsa wrote %s" % bad)
    print("city: --city Changsha ran 1 of 2 cities with the whole study's numbers "
          "(%d rows); selection recorded; --resume tells the sets apart; unknown names refused"
          % len(narrowed))


def check_volume(ctx):
    """Volumes as annual export values (issue 14), tests/data/volume_cny.json:
    validate prints per city the shipments a day and the exports a year at
    cost and FOB (Hefei given at cost, Wuhan FOB at 1.25 times cost: 40 M at
    cost); a run exports, in its year-long window, the annual value at cost
    (the model books at cost) within its 95% interval, an interval narrow
    enough (under 4%) that a conversion 10% off would fail."""
    scenario = os.path.join("tests", "data", "volume_cny.json")
    rc, so, se = run(ctx, ["validate", scenario])
    expect_status("validate " + scenario, rc, 0, so, se)
    rows = {}
    for line in so.splitlines():
        f = line.split()
        if len(f) == 7 and f[0] in ("Hefei", "Wuhan") and f[3] == "M" and f[5] == "M":
            rows[f[0]] = (float(f[1]), float(f[2]), float(f[4]), f[6])
    want = {"Hefei": (120.0, 120.0, "annual_export_cost_cny"),
            "Wuhan": (40.0, 50.0, "annual_export_fob_cny")}
    for city, (cost, fob, given) in want.items():
        got = rows.get(city)
        if got is None or (got[1], got[2], got[3]) != (cost, fob, given):
            raise Failure("validate: the line of %s is %r, expected %s M at cost, %s M FOB, given "
                          "as %s:\n%s" % (city, got, cost, fob, given, so))
    out = ctx.fresh("out")
    rc, so, se = run(ctx, ["run", "-o", out] + RUN_FLAGS + [scenario])
    expect_status("run " + scenario, rc, 0, so, se)
    days = 365  # the window, 2026-01-01 to 2026-12-31
    for r in read_csv(os.path.join(out, "volume_cny", "summary.csv")):
        if r["metric"] != "exports_cny":
            continue
        expected = want[r["city"]][0] * 1e6 * days / 365
        lo, hi = float(r["ci95_low"]), float(r["ci95_high"])
        half = (hi - lo) / 2
        if half > 0.04 * expected or not (lo - half / 2 <= expected <= hi + half / 2):
            raise Failure("%s exported %s CNY in the window (95%% interval %.0f to %.0f); the "
                          "annual value gives %.0f" % (r["city"], r["mean"], lo, hi, expected))
        print("%s: %.1f M CNY exported at cost, interval %.1f to %.1f M; the annual value gives "
              "%.1f M" % (r["city"], float(r["mean"]) / 1e6, lo / 1e6, hi / 1e6, expected / 1e6))
    print("volume: validate lines and the exports of a run agree with the annual values")


def check_my_company(ctx):
    """scenarios/examples/my_company.json, the worked example of docs/scenarios.md
    (Extends): a child of the default study that keeps 2 of its 45 cities and
    gives their volume in CNY. validate says which cities it kept, and prints
    a volume line for each of them and no other."""
    rel = os.path.join("scenarios", "examples", "my_company.json")
    rc, so, se = run(ctx, ["validate", rel])
    expect_status("validate " + rel, rc, 0, so, se)
    if "2 cities (2 of the 45 listed, kept by \"select\": Hefei, Zhengzhou)" not in so:
        raise Failure("validate %s does not say it kept Hefei and Zhengzhou:\n%s" % (rel, so))
    with open(ctx.path("scenarios", "default.json"), encoding="utf-8") as f:
        names = {c["name"] for c in json.load(f)["cities"]}
    listed = [line.split()[0] for line in so.splitlines()
              if line.startswith("  ") and line.split()[0] in names]
    if listed != ["Hefei", "Zhengzhou"]:
        raise Failure("validate %s prints volume lines for %s, not Hefei and Zhengzhou:\n%s"
                      % (rel, listed, so))
    for city, given in (("Hefei", "120.0 M"), ("Zhengzhou", "45.0 M")):
        line = [l for l in so.splitlines() if l.split()[:1] == [city]][0]
        if given not in line:
            raise Failure("%s: the volume line does not show the %s given:\n%s" % (city, given, line))
    print("my_company: valid, Hefei and Zhengzhou kept of 45, their volumes as given")


def check_sensitivity(ctx):
    """tests/data/sensitivity_one_effect.json (docs/uncertainty.md): only the
    processing time has any effect, so its total-order index is near 1 and
    the take-up share's exactly 0 (common random numbers: the samples differ
    only in their parameters); the same bytes at -j 1 and -j 2; the
    uncertainty of every metric over the samples; --no-sweeps runs none."""
    import csv
    scenario = os.path.join("tests", "data", "sensitivity_one_effect.json")
    outs = []
    for j in ("1", "2"):
        out = ctx.fresh("out-j" + j)
        rc, so, se = run(ctx, ["run", "--no-plots", "-j", j, "-o", out, scenario])
        expect_status("run -j %s" % j, rc, 0, so, se)
        outs.append(os.path.join(out, "sensitivity_one_effect"))
    for f in ("sensitivity.csv", "uncertainty.csv", "summary.json", "totals.csv"):
        with open(os.path.join(outs[0], f), "rb") as a, open(os.path.join(outs[1], f), "rb") as b:
            if a.read() != b.read():
                raise Failure("%s differs between -j 1 and -j 2" % f)
    folder = outs[0]
    rows = read_csv(os.path.join(folder, "sensitivity.csv"))
    if not rows:
        raise Failure("sensitivity.csv is empty")
    for r in rows:
        if r["parameter"] == "channels.9810.trigger_adoption" and float(r["value"]) != 0.0:
            raise Failure("take-up has no effect, yet %s %s of %s for %s is %s"
                          % (r["method"], r["index"], r["metric"], r["city"], r["value"]))
    st = [r for r in rows if r["city"] == "all" and r["metric"] == "capital_released_cny"
          and r["parameter"] == "rebate.processing_wd" and r["index"] == "total_order"]
    if len(st) != 1:
        raise Failure("no total-order index of processing for the study: %s" % st)
    v, lo, hi = (float(st[0][k]) for k in ("value", "ci95_low", "ci95_high"))
    if not (lo <= 1.0 <= hi and 0.5 < v < 1.5):
        raise Failure("the only parameter with an effect has total-order index %g [%g, %g], "
                      "not about 1" % (v, lo, hi))
    unc = read_csv(os.path.join(folder, "uncertainty.csv"))
    with open(os.path.join(folder, "run.json"), encoding="utf-8") as f:
        rec = json.load(f)
    n = rec.get("sensitivity_samples")
    if n != 16 * (2 + 2):
        raise Failure("run.json sensitivity_samples %r, expected N (k + 2) = 64" % n)
    for u in unc:
        p05, p50, p95 = (float(u[k]) for k in ("p05", "p50", "p95"))
        if int(u["samples"]) != n or not p05 <= p50 <= p95:
            raise Failure("uncertainty.csv row %s" % u)
        if u["city"] == "all" and u["metric"] == "capital_released_cny" and \
                not float(u["noise_se"]) < float(u["sd"]):
            raise Failure("the replication noise %s is not below the spread %s of the samples"
                          % (u["noise_se"], u["sd"]))
    out = ctx.fresh("out-nosweeps")
    rc, so, se = run(ctx, ["run", "--no-plots", "--no-sweeps", "-o", out, scenario])
    expect_status("run --no-sweeps", rc, 0, so, se)
    if os.path.exists(os.path.join(out, "sensitivity_one_effect", "sensitivity.csv")):
        raise Failure("--no-sweeps ran the sensitivity samples")
    # the chart's data are sensitivity.csv's rows for the study (when gnuplot
    # is there to draw it), and the report shows the band and the table
    if shutil.which("gnuplot"):
        rc, so, se = run(ctx, ["plot", folder])
        expect_status("plot", rc, 0, so, se)
        with open(os.path.join(folder, "charts", "data", "sensitivity.dat"), encoding="utf-8") as f:
            dat = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
        want = {(r["parameter"], r["index"]): float(r["value"]) for r in rows
                if r["city"] == "all" and r["metric"] == "capital_released_cny"}
        if sorted(d[1] for d in dat) != sorted({p for p, _ in want}):
            raise Failure("sensitivity.dat parameters %s" % [d[1] for d in dat])
        for d in dat:
            close(float(d[3]), want[(d[1], "first_order")], "sensitivity.dat first order", 1e-9)
            close(float(d[6]), want[(d[1], "total_order")], "sensitivity.dat total order", 1e-9)
        if not os.path.isfile(os.path.join(folder, "charts", "sensitivity.png")):
            raise Failure("no sensitivity chart drawn")
        with open(os.path.join(folder, "report.html"), encoding="utf-8") as f:
            html = f.read()
        for text in ('id="band"', 'id="unknowns"', "rebate.processing_wd", "How sure, given the unknowns"):
            if text not in html:
                raise Failure("report.html lacks %r" % text)
    print("sensitivity: one effect found, none where there is none; -j 1 = -j 2")


def check_calibrate(ctx):
    """borderflow calibrate recovers a known factor: a run of one_city with
    the screening time scaled by 1.3 gives the target, calibrate on the
    same seed and replications finds the factor again within 5%, its
    fragment validates and reproduces the target; bad input exits 2 and an
    unreachable target 1, both writing nothing."""
    base = os.path.join("scenarios", "tests", "one_city.json")
    work = ctx.fresh("calibrate")
    true_factor = 1.3
    gen = os.path.join(work, "target.json")
    # the built-in screening time, lognormal with median 0.45 h and p90 1.6 h
    # (sim/model/params.c), scaled by the factor
    with open(gen, "w", encoding="utf-8") as f:
        json.dump({"extends": ctx.path(base), "name": "calibrate_target",
                   "defaults": {"clearance": {"screening_h": {
                       "dist": "lognormal", "median": 0.45 * true_factor,
                       "p90": 1.6 * true_factor}}}}, f)
    out = os.path.join(work, "run")
    rc, so, se = run(ctx, ["run", "--no-plots", "-r", "4", "-o", out, gen])
    expect_status("run the target scenario", rc, 0, so, se)
    rows = read_csv(os.path.join(out, "calibrate_target", "summary.csv"))
    target = [float(r["mean"]) for r in rows
              if r["policy"] == "before" and r["metric"] == "export_clearance_h"]
    if len(target) != 1:
        raise Failure("no export_clearance_h under 'before' in summary.csv")
    tol = 0.005 * target[0]
    cal = os.path.join(work, "cal")
    fit = "clearance.screening_h=0.5..2"
    rc, so, se = run(ctx, ["calibrate", base, "-r", "4", "-o", cal,
                           "--target", "export_clearance_h=%.10g\u00b1%.10g" % (target[0], tol),
                           "--fit", fit])
    expect_status("calibrate", rc, 0, so, se)
    with open(os.path.join(cal, "calibration.json"), encoding="utf-8") as f:
        rec = json.load(f)
    got = rec["parameters"][0]["value"]
    if not rec["converged"] or abs(got - true_factor) > 0.05 * true_factor:
        raise Failure("calibrate recovered factor %g, not %g within 5%%" % (got, true_factor))
    if rec["evaluations"] < 1 or "clearance.screening_h" not in so:
        raise Failure("calibration.json %s / stdout %s" % (rec, so))
    csv_rows = read_csv(os.path.join(cal, "calibration.csv"))
    if len(csv_rows) != 1 or csv_rows[0]["within"] != "yes":
        raise Failure("calibration.csv %s" % csv_rows)
    frag = os.path.join(cal, "fragment.json")
    rc, so, se = run(ctx, ["validate", frag])
    expect_status("validate fragment.json", rc, 0, so, se)
    out2 = os.path.join(work, "run2")
    rc, so, se = run(ctx, ["run", "--no-plots", "-r", "4", "-o", out2, frag])
    expect_status("run fragment.json", rc, 0, so, se)
    again = [float(r["mean"]) for r in read_csv(os.path.join(out2, "one_city_calibrated",
                                                             "summary.csv"))
             if r["policy"] == "before" and r["metric"] == "export_clearance_h"]
    if abs(again[0] - target[0]) > tol:
        raise Failure("fragment.json gives %g, target %g +- %g" % (again[0], target[0], tol))
    # two parameters, two targets, one of them by lane (breakdown.csv): the
    # screening time x1.3 and the US West Coast sea transit x1.2
    gen2 = os.path.join(work, "target2.json")
    with open(gen2, "w", encoding="utf-8") as f:
        json.dump({"extends": ctx.path(base), "name": "calibrate_target2",
                   "defaults": {"clearance": {"screening_h": {
                       "dist": "lognormal", "median": 0.45 * true_factor,
                       "p90": 1.6 * true_factor}},
                       "lanes": {"us_west": {"transit_d": {
                           "dist": "gamma", "shape": 25, "scale": 0.72 * 1.2}}}}}, f)
    rc, so, se = run(ctx, ["run", "--no-plots", "-r", "4", "-o", out, gen2])
    expect_status("run the second target scenario", rc, 0, so, se)
    clear2 = [float(r["mean"]) for r in
              read_csv(os.path.join(out, "calibrate_target2", "summary.csv"))
              if r["policy"] == "before" and r["metric"] == "export_clearance_h"][0]
    d2w = [float(r["mean"]) for r in
           read_csv(os.path.join(out, "calibrate_target2", "breakdown.csv"))
           if r["policy"] == "before" and r["dimension"] == "lane" and r["value"] == "us_west"
           and r["metric"] == "door_to_warehouse_d"][0]
    cal2 = os.path.join(work, "cal2")
    rc, so, se = run(ctx, ["calibrate", base, "-r", "4", "-o", cal2,
                           "--target", "export_clearance_h=%.10g+-%.10g" % (clear2, tol),
                           "--target", "door_to_warehouse_d@lane=us_west=%.10g+-0.05" % d2w,
                           "--fit", fit, "--fit", "lanes.us_west.transit_d=0.5..2"])
    expect_status("calibrate two parameters", rc, 0, so, se)
    with open(os.path.join(cal2, "calibration.json"), encoding="utf-8") as f:
        got2 = {p["path"]: p["value"] for p in json.load(f)["parameters"]}
    for path, want in (("clearance.screening_h", true_factor), ("lanes.us_west.transit_d", 1.2)):
        if abs(got2[path] - want) > 0.05 * want:
            raise Failure("two-parameter calibrate recovered %s x%g, not %g within 5%%"
                          % (path, got2[path], want))
    # bad input: exit 2, nothing written
    bad = [
        ["--target", "door_to_warehouse_d@lane=us_wst=31", "--fit", fit],
        ["--target", "wc_avg_cny@lane=us_west=1", "--fit", fit],
        ["--target", "export_clearence_h=1", "--fit", fit],
        ["--target", "export_clearance_h=1+-0", "--fit", fit],
        ["--target", "export_clearance_h@lane=eu_rail@channel=9810=1", "--fit", fit],
        ["--target", "export_clearance_h@city=Nowhere=1", "--fit", fit],
        ["--target", "export_clearance_h@class=Z=1", "--fit", fit],
        ["--target", "export_clearance_h=1", "--fit", "clearance.screenin_h=0.5..2"],
        ["--target", "export_clearance_h=1", "--fit", "clearance.screening_h=2..1"],
        ["--target", "export_clearance_h=1"],
        ["--fit", fit],
    ]
    for args in bad:
        folder = os.path.join(work, "bad")
        rc, so, se = run(ctx, ["calibrate", base, "-o", folder] + args)
        expect_status("calibrate %s" % " ".join(args), rc, 2, so, se)
        if os.path.exists(folder) or not se.startswith("borderflow calibrate: "):
            raise Failure("calibrate %s: wrote %s or said %r" % (" ".join(args), folder, se))
    # unreachable: the range cannot give 50 h
    folder = os.path.join(work, "unreachable")
    rc, so, se = run(ctx, ["calibrate", base, "-o", folder, "--max-evals", "30",
                           "--target", "export_clearance_h=50", "--fit", fit])
    expect_status("calibrate an unreachable target", rc, 1, so, se)
    if os.path.exists(folder) or "missed: export_clearance_h" not in se:
        raise Failure("unreachable target: wrote %s or said %r" % (folder, se))
    print("calibrate: factor %g recovered as %g in %d evaluations" % (true_factor, got,
                                                                      rec["evaluations"]))


def check_hardening(ctx, case):
    """Output safety (docs/reliability.md): each case fails on the build
    before the hardening and passes after."""
    scenario = ctx.path("scenarios", "tests", "one_city.json")
    out = ctx.fresh("out")
    folder = os.path.join(out, "one_city")
    base = ["run", "-r", "2", "--no-plots", "-j", "2"]
    if case == "empty_output":
        for opt in (["-o", ""], ["--output="]):
            rc, so, se = run(ctx, base + opt + [scenario], cwd=out)
            expect_status("run %s" % opt, rc, 2, so, se)
            if "-o needs a directory" not in se:
                raise Failure("run %s: %r" % (opt, se))
        if os.path.exists("/one_city"):
            raise Failure("an empty -o wrote /one_city/")
    elif case == "symlink_folder":
        target = ctx.fresh("target")
        os.symlink(target, folder)
        rc, so, se = run(ctx, base + ["-o", out, scenario])
        expect_status("run into a symlinked results folder", rc, 1, so, se)
        if "symbolic link" not in se or os.listdir(target):
            raise Failure("a symlinked results folder was written through: %r, %s"
                          % (se, os.listdir(target)))
    elif case == "symlink_file":
        # links planted at the final and the old temporary names: replaced, never written through
        victim = os.path.join(ctx.fresh("victim"), "precious")
        with open(victim, "w") as f:
            f.write("keep me\n")
        os.makedirs(folder)
        for name in ("summary.csv", "summary.csv.tmp", "run.json.tmp", "report.html.tmp"):
            os.symlink(victim, os.path.join(folder, name))
        # --force: a summary.csv in the folder is an earlier run's results
        rc, so, se = run(ctx, ["run", "--force", "-r", "2", "-j", "2", "-o", out, scenario])
        expect_status("run with planted links", rc, 0, so, se)
        with open(victim) as f:
            if f.read() != "keep me\n":
                raise Failure("a planted link was written through")
        if os.path.islink(os.path.join(folder, "summary.csv")):
            raise Failure("summary.csv is still the planted link")
    elif case == "symlink_charts":
        # charts/ a link, or links at a script's and the README's names:
        # refused or replaced, never written through, nothing deleted there
        target = ctx.fresh("charts_target")
        keep = os.path.join(target, "released.png")
        with open(keep, "w") as f:
            f.write("not a chart\n")
        os.makedirs(folder)
        os.symlink(target, os.path.join(folder, "charts"))
        # --force throughout: charts/ (and after the first run its tables)
        # are an earlier run's results
        rc, so, se = run(ctx, ["run", "--force", "-r", "2", "-j", "2", "-o", out, scenario])
        if "symbolic link" not in se or sorted(os.listdir(target)) != ["released.png"]:
            raise Failure("a symlinked charts/ was used: %r, %s" % (se, os.listdir(target)))
        rc, so, se = run(ctx, ["run", "--force", "-r", "2", "-j", "2", "--no-plots", "-o", out,
                               scenario])
        if not os.path.isfile(keep):
            raise Failure("--no-plots deleted a file through a symlinked charts/")
        os.remove(os.path.join(folder, "charts"))
        os.makedirs(os.path.join(folder, "charts", "data"))
        victim = os.path.join(target, "victim")
        with open(victim, "w") as f:
            f.write("keep me\n")
        for name in ("README.txt", "style.gp", "released.gp", os.path.join("data", "labels.dat")):
            os.symlink(victim, os.path.join(folder, "charts", name))
        rc, so, se = run(ctx, ["run", "--force", "-r", "2", "-j", "2", "-o", out, scenario])
        expect_status("run with links planted in charts/", rc, 0, so, se)
        with open(victim) as f:
            if f.read() != "keep me\n":
                raise Failure("a link planted in charts/ was written through")
    elif case == "concurrent":
        import fcntl
        os.makedirs(folder)
        lock = open(os.path.join(folder, LOCK_FILE), "w")
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a running borderflow holds it
        lock.write("4242\n")
        lock.flush()
        rc, so, se = run(ctx, base + ["-o", out, scenario])
        expect_status("a second run into a folder being written", rc, 2, so, se)
        if "another borderflow process (pid 4242)" not in se or os.path.exists(
                os.path.join(folder, "summary.csv")):
            raise Failure("the second run did not stop at once: %r" % se)
        lock.close()
        # two real runs: the second starts once the first holds the folder
        # (its pid in the lock file), stops at once, and leaves the first alone
        slow = base[:1] + ["-r", "40"] + base[3:]
        first = subprocess.Popen([ctx.bf] + slow + ["-o", out, "-s", "1", scenario],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        lock_path = os.path.join(folder, LOCK_FILE)
        while time.time() < deadline and first.poll() is None:
            try:
                with open(lock_path) as f:
                    if f.read().strip() == str(first.pid):
                        break
            except OSError:
                pass
            time.sleep(0.01)
        rc, so, se = run(ctx, base + ["-o", out, "-s", "2", scenario])
        _, err1 = first.communicate(timeout=TIMEOUT_S)
        if first.returncode != 0:
            raise Failure("the first run failed: %s" % err1)
        if rc == 0:
            raise Failure("the first run ended before the second began; the test needs a "
                          "slower first run")
        expect_status("the second of two runs into one folder", rc, 2, so, se)
        if "pid %d" % first.pid not in se:
            raise Failure("the message does not name the other process: %r" % se)
        if stable_fields(os.path.join(folder, "run.json"))["seed"] != 1:
            raise Failure("the folder is not the first run's")
        rc, so, se = run(ctx, slow + ["--resume", "-s", "1", "-o", out, scenario])
        if "complete and up to date" not in se:
            raise Failure("the first run's folder is not complete: %r" % se)
    elif case == "long_path":
        # a results folder whose files would not fit in a path: refused whole
        deep = out
        while len(deep) < 4000:
            deep = os.path.join(deep, "d" * 200)
        rc, so, se = run(ctx, base + ["-o", deep, scenario])
        expect_status("run into a too long path", rc, 2, so, se)
        if "too long" not in se:
            raise Failure("no 'too long' message: %r" % se)
        deep = out
        while len(deep) < 4060 - len("/one_city/.distributions.csv.XXXXXX"):
            deep = os.path.join(deep, "e" * min(200, 4060 - 36 - len(deep) - 1))
        rc, so, se = run(ctx, base + ["-o", deep, scenario])
        if rc == 0:
            got = os.listdir(os.path.join(deep, "one_city"))
            if "summary.csv" not in got or "summary.json" not in got:
                raise Failure("file names were cut short: %s" % got)
        else:
            expect_status("run into a long path", rc, 2, so, se)
            if "too long" not in se:
                raise Failure("no 'too long' message: %r" % se)
    elif case == "max_work":
        # the estimate, worked out by hand from the scenario: items = cities x
        # policies x replications; city-days = items x (warm-up + window + tail)
        with open(scenario, encoding="utf-8") as f:
            sc = json.load(f)
        import datetime
        h = sc["horizon"]
        w0, w1 = (datetime.date.fromisoformat(h["window"][k]) for k in ("start", "end"))
        days = h.get("warmup_days", 0) + (w1 - w0).days + 1 + h.get("tail_days", 0)
        items = len(sc["cities"]) * len(sc["policies"]) * 2
        rc, so, se = run(ctx, ["validate", "-j", "2", scenario])
        expect_status("validate", rc, 0, so, se)
        if "work: " not in so or "simulated city-days" not in so:
            raise Failure("validate prints no estimate: %r" % so)
        rc, so, se = run(ctx, base + ["--max-work", "1K", "-o", out, scenario])
        expect_status("run beyond --max-work", rc, 2, so, se)
        if "more than --max-work" not in se or os.path.exists(out) and os.listdir(out):
            raise Failure("--max-work did not refuse before any work: %r" % se)
        rc, so, se = run(ctx, base + ["-o", out, scenario])
        expect_status("run", rc, 0, so, se)
        line = [x for x in se.splitlines() if "work: " in x]
        exp = "one_city: work: %d items, " % items
        if not line or not line[0].startswith(exp):
            raise Failure("run does not print its estimate %r: %r" % (exp, se))
        cd = items * days
        exp_cd = ("%.0f k" % (cd / 1e3)) if cd >= 1e4 else "%d" % cd
        if (exp + exp_cd + " simulated city-days") not in line[0]:
            raise Failure("city-days: %r, expected %s" % (line[0], exp_cd))
        for bad in ("0", "-5", "lots"):
            rc, so, se = run(ctx, base + ["--max-work", bad, "-o", out, scenario])
            expect_status("--max-work %s" % bad, rc, 2, so, se)
    elif case in ("disk_full", "cut_chart", "interrupt_run", "interrupt_plot"):
        check_charts_safety(ctx, case, scenario, out, folder)
    else:
        raise Failure("unknown hardening case %r" % case)
    who = "as user nobody" if os.environ.get("BF_TEST_AS_USER") else \
        "as root" if os.geteuid() == 0 else "as uid %d" % os.geteuid()
    print("hardening %s: ok (%s)" % (case, who))
    if case.startswith("symlink_") and os.geteuid() == 0 and not os.environ.get("BF_TEST_AS_USER"):
        # the same links met by a normal user: the quick start runs as root,
        # but a shared results folder is written by users too
        as_user(ctx, ["hardening", case])


def as_user(ctx, check):
    """Runs this script's check again as user nobody (uid 65534), in a
    scratch folder of its own."""
    import tempfile
    work = tempfile.mkdtemp(prefix="bf-nobody-")
    os.chown(work, 65534, 65534)
    py = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", py,
                        os.path.abspath(__file__), "--borderflow", ctx.bf, "--source", ctx.src,
                        "--work", os.path.join(work, "w")] + check,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=TIMEOUT_S, env=dict(os.environ, BF_TEST_AS_USER="1", HOME=work))
    shutil.rmtree(work, ignore_errors=True)
    if p.returncode != 0:
        raise Failure("as user nobody: %s" % p.stdout[-2000:])
    print(p.stdout.strip())


def write_exe(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def chart_state(folder):
    """The images, part files and logs under charts/, and the report files."""
    charts = os.path.join(folder, "charts")
    names = sorted(os.listdir(charts)) if os.path.isdir(charts) else []
    return {"images": [n for n in names if n.endswith((".png", ".svg"))],
            "parts": [n for n in names if n.endswith(".part")],
            "report": [n for n in ("report.html", "results.xlsx", "report.pdf")
                       if os.path.exists(os.path.join(folder, n))]}


def check_images_whole(folder):
    """Every chart of folder is a whole PNG and a well-formed SVG."""
    import xml.etree.ElementTree as ET
    charts = os.path.join(folder, "charts")
    n = 0
    for name in os.listdir(charts):
        path = os.path.join(charts, name)
        if name.endswith(".svg"):
            try:
                ET.parse(path)
            except ET.ParseError as e:
                raise Failure("%s is not well-formed XML: %s" % (path, e))
            n += 1
        elif name.endswith(".png"):
            with open(path, "rb") as f:
                data = f.read()
            if not data.startswith(b"\x89PNG\r\n\x1a\n") or not data.endswith(b"IEND\xaeB`\x82"):
                raise Failure("%s is not a whole PNG" % path)
            n += 1
    return n


def plots_state(folder):
    with open(os.path.join(folder, "run.json"), encoding="utf-8") as f:
        return json.load(f)["plots"]


def numbers_hashes(folder):
    """The SHA-256 of every file run.json lists, as run.json records them,
    checked against the files on disk."""
    import hashlib
    with open(os.path.join(folder, "run.json"), encoding="utf-8") as f:
        rj = json.load(f)
    for name in rj["files"]:
        with open(os.path.join(folder, name), "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != rj["file_sha256"][name]:
                raise Failure("%s changed although run.json records it" % name)
    return rj["file_sha256"]


def check_charts_safety(ctx, case, scenario, out, folder):
    """Charts and report recorded truthfully (issue 13, items 6 and 7):
    nothing half-drawn under a final name, run.json saying what failed,
    --resume drawing it again, an interrupt removing what it says."""
    import shutil
    import signal
    real = shutil.which("gnuplot")
    if real is None:
        raise Skip("gnuplot is not on PATH (scripts/deps test installs it)")
    base = ["run", "-r", "2", "-j", "2", "-o", out, scenario]
    fake = ctx.fresh("fakebin")
    env = {"PATH": fake + os.pathsep + os.environ.get("PATH", "")}
    if case == "disk_full":
        # the numbers fit on a small tmpfs, the charts do not
        rc, so, se = run(ctx, ["run", "-r", "2", "-j", "2", "--no-plots", "-o", out, scenario])
        expect_status("run --no-plots", rc, 0, so, se)
        used = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(folder) for f in fs)
        mnt = ctx.fresh("tmpfs")
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk" % (used // 1024 + 160),
                            "tmpfs", mnt], capture_output=True, text=True)
        if p.returncode != 0:
            raise Skip("cannot mount a tmpfs here (%s): the disk-full test needs root and a "
                       "kernel that allows it; cut_chart checks the same code path without it"
                       % (p.stderr.strip() or "exit %d" % p.returncode))
        try:
            small = os.path.join(mnt, "one_city")
            recorded = 0
            # room for none of the charts, then for a few: either way no image
            # cut short under a chart's name and run.json true
            for extra_k in (160, 480, 800):
                subprocess.run(["mount", "-o", "remount,size=%dk" % (used // 1024 + extra_k), mnt],
                               check=True)
                shutil.rmtree(small, ignore_errors=True)
                shutil.copytree(folder, small)
                rc, so, se = run(ctx, ["plot", small])
                expect_status("plot on a full disk (+%d KiB)" % extra_k, rc, 1, so, se)
                st = chart_state(small)
                if st["parts"] or any(f.startswith(".") and f != LOCK_FILE
                                      for f in os.listdir(small)):
                    raise Failure("temporary files left on a full disk: %s %s"
                                  % (st, os.listdir(small)))
                n = check_images_whole(small)
                # what run.json says is true: the failures, or (when not even
                # it could be rewritten) anything but "drawn", which the
                # message names
                plots = plots_state(small)
                if plots.startswith("failed: ") and "cut short" in plots:
                    recorded += 1
                elif plots == "drawn" or "run.json still says \"%s\"" % plots[:80] not in se:
                    raise Failure("run.json says %r on a full disk: %s" % (plots, se))
                numbers_hashes(small)
                print("disk full, +%d KiB: exit 1, %d whole images, run.json: %.70s"
                      % (extra_k, n, plots))
            if recorded == 0:
                raise Failure("no size of the disk had room for run.json to record the failure")
            # a run straight into the full disk: never "drawn" without its
            # charts and report, never an image cut short
            shutil.rmtree(small)
            rc, so, se = run(ctx, ["run", "-r", "2", "-j", "2", "-o", mnt, scenario])
            if os.path.exists(os.path.join(small, "run.json")):
                if plots_state(small) == "drawn" and chart_state(small)["report"] != [
                        "report.html", "results.xlsx"]:
                    raise Failure("run.json says drawn without the report: %s" % chart_state(small))
                check_images_whole(small)
            elif rc == 0:
                raise Failure("run exit 0 without run.json")
            # room again: --resume draws what failed
            subprocess.run(["mount", "-o", "remount,size=64m", mnt], check=True)
            rc, so, se = run(ctx, ["run", "-r", "2", "-j", "2", "--resume", "-o", mnt, scenario])
            expect_status("--resume after the disk was freed", rc, 0, so, se)
            if plots_state(small) != "drawn" or check_images_whole(small) < 2:
                raise Failure("--resume did not draw: %r, %s" % (plots_state(small), chart_state(small)))
            print("disk full: --resume drew everything once there was room")
        finally:
            subprocess.run(["umount", mnt])
    elif case == "cut_chart":
        # gnuplot exits 0 but its SVG of one chart is cut short (as on a full disk)
        write_exe(os.path.join(fake, "gnuplot"),
                  "#!/bin/sh\n\"%s\" \"$@\"\nrc=$?\ncase \"$*\" in *ranking.gp*)\n"
                  "  truncate -s 700 .ranking.svg.part ;;\nesac\nexit $rc\n" % real)
        rc, so, se = run_env(ctx, base, None, env)
        expect_status("run with a chart cut short", rc, 0, so, se)
        plots = plots_state(folder)
        if not re.match(r"failed: 1 of \d+ charts not drawn: ranking: ranking.svg cut short", plots):
            raise Failure("run.json says %r" % plots)
        st = chart_state(folder)
        if "ranking.png" in st["images"] or "ranking.svg" in st["images"] or st["parts"]:
            raise Failure("the cut chart, or a part of it, is left: %s" % st)
        if not st["images"] or st["report"] != ["report.html", "results.xlsx"]:
            raise Failure("the other charts or the report are missing: %s" % st)
        check_images_whole(folder)
        if "ranking" not in se or "cut short" not in se:
            raise Failure("the run does not say which chart failed: %r" % se)
        rc, so, se = run(ctx, base + ["--resume"])
        expect_status("--resume", rc, 0, so, se)
        if "drawn again" not in se or plots_state(folder) != "drawn" or \
                "ranking.svg" not in chart_state(folder)["images"]:
            raise Failure("--resume did not redraw the failed chart: %r" % se)
        check_images_whole(folder)
        numbers_hashes(folder)
        print("cut chart: recorded as %r, redrawn by --resume" % plots[:70])
    else:
        # gnuplot that never ends: the interrupt must end it
        pids = os.path.join(fake, "pids")
        write_exe(os.path.join(fake, "gnuplot"),
                  "#!/bin/sh\necho $$ >> \"%s\"\nexec sleep 300\n" % pids)
        if case == "interrupt_run":
            argv, sig, want = [ctx.bf] + base, signal.SIGINT, 130
        else:
            rc, so, se = run(ctx, base)
            expect_status("run", rc, 0, so, se)
            argv, sig, want = [ctx.bf, "plot", folder], signal.SIGTERM, 143
        before = numbers_hashes(folder) if case == "interrupt_plot" else None
        p = subprocess.Popen(argv, env=dict(os.environ, **env), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
        deadline = time.time() + 60
        started = []
        while time.time() < deadline and p.poll() is None:
            if os.path.exists(pids):
                with open(pids) as f:
                    started = [int(x) for x in f.read().split()]
                if len(started) >= 3:
                    break
            time.sleep(0.05)
        if not started:
            p.kill()
            raise Failure("no gnuplot started: %s" % (p.communicate()[1]))
        time.sleep(0.3)
        p.send_signal(sig)  # to borderflow alone, not its process group
        try:
            _, se = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Failure("borderflow did not end within 20 s of the signal")
        expect_status("interrupted while drawing", p.returncode, want, "", se)
        with open(pids) as f:
            started = [int(x) for x in f.read().split()]
        alive = []
        for pid in started:
            try:
                os.kill(pid, 0)
                alive.append(pid)
            except ProcessLookupError:
                pass
        if alive:
            for pid in alive:
                os.kill(pid, signal.SIGKILL)
            raise Failure("gnuplot processes still running after the interrupt: %s" % alive)
        st = chart_state(folder)
        if st["images"] or st["parts"] or st["report"]:
            raise Failure("files of the interrupted drawing left: %s" % st)
        charts = os.path.join(folder, "charts")
        left = [n for n in os.listdir(charts)] if os.path.isdir(charts) else []
        if [n for n in left if n != "data"] or os.listdir(os.path.join(charts, "data")):
            raise Failure("charts/ still holds %s" % left)
        if not plots_state(folder).startswith("not drawn: interrupted by "):
            raise Failure("run.json says %r" % plots_state(folder))
        hashes = numbers_hashes(folder)
        if before is not None and hashes != before:
            raise Failure("the interrupted plot changed the numbers")
        if ("removed" not in se or "numbers" not in se) and "charts" not in se:
            raise Failure("the message does not say what was removed and kept: %r" % se)
        # what the message says: numbers kept, charts removed -> --resume draws them
        rc, so, se2 = run(ctx, base + ["--resume"])
        expect_status("--resume after the interrupt", rc, 0, so, se2)
        if plots_state(folder) != "drawn" or check_images_whole(folder) < 2:
            raise Failure("--resume did not draw: %r" % se2)
        print("%s: exit %d, %d gnuplot ended, nothing drawn left, numbers kept; --resume drew "
              "the charts" % (case, p.returncode, len(started)))


def check_compare(ctx):
    """borderflow compare (issue 14, item 3): compare.csv holds each run's
    own numbers; compare_diff.csv's paired differences equal those worked
    out here from the runs' replications.csv; the scenario column makes
    stacking a concatenation; bad folders are refused with exit 2 and
    nothing written."""
    import math
    work = ctx.fresh("compare")
    base = ctx.path("scenarios", "tests", "one_city.json")
    slow = os.path.join(work, "slow_office.json")
    with open(slow, "w") as f:
        json.dump({"extends": base, "name": "slow_office",
                   "policies": {"after": {"rebate": {"processing_wd": {
                       "dist": "uniform", "min": 10, "max": 14}}}}}, f)
    out = os.path.join(work, "out")
    rc, so, se = run(ctx, ["run", "-r", "4", "-j", "2", "--no-plots", "-o", out, base, slow])
    expect_status("run two scenarios", rc, 0, so, se)
    rc, so, se = run(ctx, ["run", "-r", "5", "-s", "99", "-j", "2", "--no-plots",
                           "-o", os.path.join(work, "other_seed"), slow])
    expect_status("run with another seed", rc, 0, so, se)
    a, b = os.path.join(out, "one_city"), os.path.join(out, "slow_office")
    other = os.path.join(work, "other_seed", "slow_office")
    # the scenario column: first in every CSV, the scenario's name in every row
    for folder, name in ((a, "one_city"), (b, "slow_office")):
        for csv_name in sorted(f for f in os.listdir(folder) if f.endswith(".csv")):
            with open(os.path.join(folder, csv_name), encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            if rows[0][0] != "scenario" or any(r[0] != name for r in rows[1:]):
                raise Failure("%s/%s: no scenario column first" % (name, csv_name))
    cmp_dir = os.path.join(work, "cmp")
    rc, so, se = run(ctx, ["compare", "-o", cmp_dir, a, b, other])
    expect_status("compare", rc, 0, so, se)
    got = read_csv(os.path.join(cmp_dir, "compare.csv"))
    # compare.csv: each run's delta.csv and totals.csv, unchanged
    n_checked = 0
    for folder in (a, b, other):
        name = os.path.basename(folder)
        delta = {(r["city"], r["metric"]): r for r in read_csv(os.path.join(folder, "delta.csv"))}
        totals = {(r["metric"], r["scope"]): r for r in read_csv(os.path.join(folder, "totals.csv"))}
        mine = [r for r in got if r["folder"] == folder]
        if {r["run"] for r in mine} != {name if folder == a else "slow_office #%d" % (
                2 if folder == b else 3)}:
            raise Failure("compare.csv names the run %s" % {r["run"] for r in mine})
        if any(r["scenario"] != name for r in mine):
            raise Failure("compare.csv: the scenario column is not %s" % name)
        if len(mine) != 2 * 3:
            raise Failure("compare.csv has %d rows of %s, expected 6" % (len(mine), name))
        for r in mine:
            if r["scope"] == "city":
                want = delta[(r["city"], r["metric"])]
                pairs = (("change", "delta"), ("ci95_low", "ci95_low"), ("ci95_high", "ci95_high"),
                         ("before", "before"), ("after", "after"))
            else:
                want = totals[(r["metric"], "change")]
                pairs = (("change", "mean"), ("ci95_low", "ci95_low"), ("ci95_high", "ci95_high"))
            for k, w in pairs:
                if float(r[k]) != float(want[w]):
                    raise Failure("compare.csv %s %s %s: %s, the run's file says %s"
                                  % (name, r["city"], r["metric"], r[k], want[w]))
                n_checked += 1
    # compare_diff.csv: paired differences from replications.csv, by hand
    def changes(folder):
        reps = read_csv(os.path.join(folder, "replications.csv"))
        v = {}
        for r in reps:
            v[(r["city"], r["policy"], int(r["replication"]), r["metric"])] = float(r["value"])
        n = 1 + max(k[2] for k in v)
        out = {}
        for metric, src, sign in (("capital_released_cny", "wc_avg_cny", 1),
                                  ("financing_saving_cny", "financing_cost_cny", 1),
                                  ("days_to_rebate", "days_to_rebate", -1)):
            out[metric] = [sign * (v[("Hefei", "before", k, src)] - v[("Hefei", "after", k, src)])
                           for k in range(n)]
        return out
    ca, cb = changes(a), changes(b)
    diffs = read_csv(os.path.join(cmp_dir, "compare_diff.csv"))
    paired = [r for r in diffs if r["run_b"] == "slow_office #2" and r["scope"] == "city"]
    welch = [r for r in diffs if r["run_b"] == "slow_office #2" and r["method"] == "welch"]
    if len(paired) != 3 or any(r["method"] != "paired" for r in paired):
        raise Failure("compare_diff.csv: %s" % paired)
    for r in paired:
        d = [y - x for x, y in zip(ca[r["metric"]], cb[r["metric"]])]
        n = len(d)
        mean = sum(d) / n
        sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
        half = T975[n - 1] * sd / math.sqrt(n)
        for k, w in (("difference", mean), ("ci95_low", mean - half), ("ci95_high", mean + half)):
            close(float(r[k]), w, "compare_diff %s %s" % (r["metric"], k), rel=1e-4,
                  scale=abs(mean) + half)
    if any(r["run_b"] == "slow_office #2" and r["scope"] == "study" and r["method"] != "paired"
           for r in diffs):
        raise Failure("the study's difference of twins is not paired")
    # the other seed: independent, Welch; the difference is b - a of the means
    ind = [r for r in diffs if r["method"] == "welch"]
    if len(ind) != 6 or welch:
        raise Failure("the run of another seed is not compared as independent: %s" % ind)
    for r in ind:
        close(float(r["difference"]), float(r["b"]) - float(r["a"]), "welch difference")
        if not float(r["ci95_low"]) < float(r["difference"]) < float(r["ci95_high"]):
            raise Failure("welch interval does not hold the difference: %s" % r)
    with open(os.path.join(cmp_dir, "compare.html"), encoding="utf-8") as f:
        page = f.read()
    if "slow_office #2 &minus; one_city" not in page or "paired (same seed and cities)" not in page:
        raise Failure("compare.html lacks the differences")
    cap = [r for r in diffs if r["run_b"] == "slow_office #2" and r["scope"] == "study"
           and r["metric"] == "capital_released_cny"][0]
    words = "<b>slow_office #2</b> releases %s CNY %s working capital than <b>one_city</b>" % (
        "{:,.0f}".format(abs(float(cap["difference"]))),
        "more" if float(cap["difference"]) >= 0 else "less")
    if words not in page:
        raise Failure("compare.html's headline lacks %r" % words)
    # stacking: the CSVs of two runs concatenate (one header)
    with open(os.path.join(a, "delta.csv"), encoding="utf-8") as f1, \
            open(os.path.join(b, "delta.csv"), encoding="utf-8") as f2:
        stacked = f1.read() + "".join(f2.readlines()[1:])
    rows = list(csv.DictReader(stacked.splitlines()))
    if {r["scenario"] for r in rows} != {"one_city", "slow_office"}:
        raise Failure("stacked delta.csv does not tell the runs apart")
    # bad input: exit 2, a message naming the folder, nothing written
    bad_out = os.path.join(work, "bad_out")
    old = ctx.fresh("compare_old", "one_city")
    for f in os.listdir(a):
        if os.path.isfile(os.path.join(a, f)):
            shutil.copy(os.path.join(a, f), old)
    with open(os.path.join(old, "summary.json"), encoding="utf-8") as f:
        sj = json.load(f)
    del sj["results_format"]
    with open(os.path.join(old, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(sj, f)
    no_run = ctx.fresh("compare_norun", "x")
    for args, what in (([a, a], "is given twice"),
                       ([a, work], "run.json is missing"),
                       ([a, no_run], "run.json is missing"),
                       ([a, os.path.join(work, "nope")], "No such file"),
                       ([a, old], "another version of borderflow"),
                       ([], "give at least one results folder")):
        rc, so, se = run(ctx, ["compare", "-o", bad_out] + args)
        expect_status("compare %s" % args, rc, 2, so, se)
        if what not in se:
            raise Failure("compare %s: %r, expected %r" % (args, se, what))
        if os.path.exists(bad_out) and [f for f in os.listdir(bad_out) if not f.startswith(".")]:
            raise Failure("compare on bad input wrote %s" % os.listdir(bad_out))
    print("compare: %d values equal the runs' files; paired differences equal the replications' "
          "worked here; Welch for another seed; 6 bad inputs refused" % n_checked)


def check_pairs(ctx):
    """A scenario that compares two policies with its baseline ("compare":
    [before, after, after_slow]) gives each pair its own complete folder:
    the second pair's is byte for byte (but the scenario column) the folder
    of a scenario of just those two policies, and the first pair's
    baseline is the same run; validate names both; compare puts them side
    by side, paired."""
    import copy
    work = ctx.fresh("pairs")
    with open(ctx.path("scenarios", "tests", "one_city.json"), encoding="utf-8") as f:
        sc = json.load(f)
    sc.pop("$schema", None)
    sc["name"], sc["replications"] = "three", 3
    slow = copy.deepcopy(sc["policies"]["after"])
    slow["description"] = "refund upon departure, with a slow tax office"
    slow.setdefault("rebate", {})["processing_wd"] = {"dist": "uniform", "min": 10, "max": 14}
    sc["policies"]["after_slow"] = slow
    sc["compare"] = ["before", "after", "after_slow"]
    two = copy.deepcopy(sc)
    two["name"] = "two"
    del two["policies"]["after"]
    two["compare"] = ["before", "after_slow"]
    paths = []
    for s_ in (sc, two):
        paths.append(os.path.join(work, s_["name"] + ".json"))
        with open(paths[-1], "w", encoding="utf-8") as f:
            json.dump(s_, f)
    rc, so, se = run(ctx, ["validate", paths[0]])
    expect_status("validate three", rc, 0, so, se)
    for want in ("compares 'after' with the baseline 'before' (results in three/)",
                 "and 'after_slow' with 'before' as a pair of its own (results in "
                 "three.vs_after_slow/", "three.vs_after_slow: work: 6 items"):
        if want not in so:
            raise Failure("validate does not say %r:\n%s" % (want, so))
    out = os.path.join(work, "out")
    rc, so, se = run(ctx, ["run", "--no-plots", "-j", "2", "-o", out] + paths)
    expect_status("run three and two", rc, 0, so, se)
    if sorted(os.listdir(out)) != ["three", "three.vs_after_slow", "two"]:
        raise Failure("folders: %s" % os.listdir(out))
    pair, alone, main = (os.path.join(out, d) for d in ("three.vs_after_slow", "two", "three"))

    def body(path, keep=None):
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        return [r[1:] for r in rows if keep is None or keep(r)]
    n = 0
    for name in sorted(f for f in os.listdir(alone) if f.endswith(".csv")):
        if body(os.path.join(pair, name)) != body(os.path.join(alone, name)):
            raise Failure("%s of the pair differs from the scenario of its two policies" % name)
        n += 1
    before = lambda r: len(r) > 2 and r[2] == "before"
    if body(os.path.join(main, "summary.csv"), before) != body(os.path.join(pair, "summary.csv"),
                                                               before):
        raise Failure("the baseline of the two pairs is not the same run")
    with open(os.path.join(pair, "summary.json"), encoding="utf-8") as f:
        if json.load(f)["compare"] != ["before", "after_slow"]:
            raise Failure("the pair's summary.json does not name its pair")
    cmp_dir = os.path.join(work, "cmp")
    rc, so, se = run(ctx, ["compare", "-o", cmp_dir, main, pair])
    expect_status("compare the pairs", rc, 0, so, se)
    diffs = read_csv(os.path.join(cmp_dir, "compare_diff.csv"))
    if not diffs or any(r["method"] != "paired" for r in diffs):
        raise Failure("the two pairs of one scenario are not compared paired: %s" % diffs[:2])
    print("pairs: %d CSV files of the second pair equal a scenario of its two policies; the "
          "baseline is shared; compare pairs them" % n)


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
    ap.add_argument("check", help="golden, threads, bad, rejected, fit_bad, fit, scenario, generated, cli, resume, update-*")
    ap.add_argument("arg", nargs="?", help="the scenario or case the check is about")
    ap.add_argument("--update", action="store_true", help="regenerate what this check compares with")
    args = ap.parse_args()
    ctx = Ctx(args)
    ctx.update = args.update
    checks = {
        "golden": lambda: check_golden(ctx, args.arg),
        "threads": lambda: check_threads(ctx, args.arg),
        "bad": lambda: check_bad(ctx, args.arg),
        "fit_bad": lambda: check_fit_bad(ctx, args.arg),
        "fit": lambda: check_fit(ctx),
        "rejected": lambda: check_bad(ctx, args.arg, "rejected"),
        "scenario": lambda: check_scenario(ctx, args.arg),
        "generated": lambda: check_generated(ctx, args.arg),
        "cli": lambda: check_cli(ctx),
        "resume": lambda: check_resume(ctx),
        "rerun": lambda: check_rerun(ctx),
        "city": lambda: check_city(ctx),
        "volume": lambda: check_volume(ctx),
        "my_company": lambda: check_my_company(ctx),
        "totals": lambda: check_totals(ctx, args.arg),
        "hardening": lambda: check_hardening(ctx, args.arg),
        "sensitivity": lambda: check_sensitivity(ctx),
        "calibrate": lambda: check_calibrate(ctx),
        "sources": lambda: check_sources(ctx),
        "compare": lambda: check_compare(ctx),
        "pairs": lambda: check_pairs(ctx),
        "update-golden": lambda: update_golden(ctx),
        "update-expect": lambda: update_expect(ctx),
        "update-docs": lambda: update_docs(ctx),
    }
    if args.check not in checks:
        ap.error("unknown check %r" % args.check)
    if args.check in ("golden", "totals", "hardening", "threads", "bad", "rejected", "fit_bad",
                      "scenario", "generated") and not args.arg:
        ap.error("%s needs an argument" % args.check)
    try:
        checks[args.check]()
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        return 1
    except Skip as e:
        print("skipped: %s" % e)
        return 77
    except subprocess.TimeoutExpired as e:
        print("FAIL: timed out: %s" % " ".join(e.cmd), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
