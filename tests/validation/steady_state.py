#!/usr/bin/env python3
"""Steady state and calibration of the default study (docs/validation.md).

    steady_state.py --borderflow PROGRAM --source SRCDIR --work WORKDIR CHECK

Checks:
    warmup       one city of the default study run with a warm-up of one year
                 and of two: every window metric below agrees within its
                 statistical error (the simulation starting a year earlier
                 does not change the answer); run with no warm-up, the
                 working capital is clearly lower (the test can fail).
    calibration  the default study itself (2 replications): its
                 breakdown.csv and summary.csv hold the calibration anchors
                 of docs/sources.md D1-D3: door to warehouse on the US West
                 Coast lane about 31 d (within 10%), the return rate of the
                 consumer channel 9610 about 17.6% (within 1 point), export
                 clearance of class A cities about 1.03 h (within 15%).

Python 3 standard library only. Exit status 0 when the check passes.
"""

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys

# two-sided 99.9%: with eight metrics compared, a false failure would need a
# 1-in-1000 deviation (and the seeds are fixed: a pass stays a pass)
Z = 3.29


def run(bf, args, timeout=3600):
    p = subprocess.run([bf] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=timeout)
    if p.returncode != 0:
        sys.exit("FAIL: borderflow %s: exit %d\n%s" % (" ".join(args), p.returncode, p.stderr))
    return p


def one_city(src, work, name, warmup):
    """Hefei (class B, 12 shipments a day) of the default study, its window,
    its policies, 16 replications, with the given warm-up."""
    d = json.load(open(os.path.join(src, "scenarios", "default.json"), encoding="utf-8"))
    d.pop("$schema", None)
    d["name"] = name
    d["cities"] = [c for c in d["cities"] if c["name"] == "Hefei"]
    d["horizon"]["warmup_days"] = warmup
    d["replications"] = 16
    path = os.path.join(work, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(d, f, ensure_ascii=False, indent=1)
    return path


def per_replication(folder):
    """{(policy, metric): [values by replication]} and capital released per replication."""
    vals = {}
    for r in csv.DictReader(open(os.path.join(folder, "replications.csv"), encoding="utf-8")):
        if r["value"] != "NA":
            vals.setdefault((r["policy"], r["metric"]), {})[int(r["replication"])] = float(r["value"])
    b, a = vals[("before", "wc_avg_cny")], vals[("after", "wc_avg_cny")]
    vals[("pair", "capital_released_cny")] = {k: b[k] - a[k] for k in b}
    return {k: [v[i] for i in sorted(v)] for k, v in vals.items()}


def mean_se(x):
    n = len(x)
    m = sum(x) / n
    sd = math.sqrt(sum((v - m) ** 2 for v in x) / (n - 1))
    return m, sd / math.sqrt(n)


def check_warmup(args):
    work = args.work
    out = os.path.join(work, "out")
    res = {}
    for w in (0, 365, 730):
        path = one_city(args.source, work, "hefei_w%d" % w, w)
        run(args.borderflow, ["run", "-q", "--no-plots", "-o", out, path])
        res[w] = per_replication(os.path.join(out, "hefei_w%d" % w))
    metrics = [("before", "wc_avg_cny"), ("after", "wc_avg_cny"),
               ("before", "wc_inventory_avg_cny"), ("before", "wc_receivables_avg_cny"),
               ("before", "wc_rebate_receivable_avg_cny"), ("after", "wc_rebate_receivable_avg_cny"),
               ("before", "days_to_rebate"), ("pair", "capital_released_cny")]
    bad = []
    for key in metrics:
        m1, s1 = mean_se(res[365][key])
        m2, s2 = mean_se(res[730][key])
        z = abs(m1 - m2) / math.sqrt(s1 ** 2 + s2 ** 2)
        print("  %-8s %-30s warm-up 365 d: %14.1f  730 d: %14.1f  |z| = %.2f"
              % (key[0], key[1], m1, m2, z))
        if z > Z:
            bad.append("%s %s differs (|z| = %.2f > %.2f)" % (key[0], key[1], z, Z))
    # the power of the check: no warm-up starts the window from an empty
    # pipeline, which a year's warm-up does not
    m0, s0 = mean_se(res[0][("before", "wc_avg_cny")])
    m1, s1 = mean_se(res[365][("before", "wc_avg_cny")])
    z0 = (m1 - m0) / math.sqrt(s0 ** 2 + s1 ** 2)
    print("  no warm-up: before wc_avg_cny %.1f vs %.1f with one year (z = %.1f)" % (m0, m1, z0))
    if not z0 > 10:
        bad.append("a run without warm-up should show a much lower working capital (z = %.1f)" % z0)
    if bad:
        sys.exit("FAIL: " + "; ".join(bad))
    print("warmup: the window's metrics agree whether the run starts one year or two before it")


def check_calibration(args):
    out = os.path.join(args.work, "out")
    run(args.borderflow, ["run", "-q", "--no-plots", "-r", "2", "-o", out,
                          os.path.join(args.source, "scenarios", "default.json")])
    folder = os.path.join(out, "default")
    classes = {r["city"]: r["class"] for r in csv.DictReader(open(os.path.join(folder, "cities.csv"), encoding="utf-8"))}
    bk = list(csv.DictReader(open(os.path.join(folder, "breakdown.csv"), encoding="utf-8")))

    def bk_mean(dim, value, metric):
        v = [float(r["mean"]) for r in bk if r["policy"] == "before" and r["dimension"] == dim
             and r["value"] == value and r["metric"] == metric and r["mean"] != "NA"]
        if not v:
            sys.exit("FAIL: breakdown.csv has no %s=%s %s rows" % (dim, value, metric))
        return sum(v) / len(v)
    summ = list(csv.DictReader(open(os.path.join(folder, "summary.csv"), encoding="utf-8")))
    clr = [float(r["mean"]) for r in summ if r["policy"] == "before" and r["metric"] == "export_clearance_h"
           and classes[r["city"]] == "A"]
    checks = [
        ("door to warehouse, us_west lane (d)", bk_mean("lane", "us_west", "door_to_warehouse_d"), 31.0, 0.10 * 31.0, "D2"),
        ("return rate, channel 9610", bk_mean("channel", "9610", "return_rate"), 0.176, 0.01, "D3"),
        ("export clearance, class A cities (h)", sum(clr) / len(clr), 1.03, 0.15 * 1.03, "D1"),
    ]
    bad = []
    for what, got, want, tol, src in checks:
        print("  %-40s %8.4f  anchor %6.3f +- %.3f (sources.md %s)" % (what, got, want, tol, src))
        if abs(got - want) > tol:
            bad.append("%s: %.4f, anchor %.3f +- %.3f" % (what, got, want, tol))
    if bad:
        sys.exit("FAIL: " + "; ".join(bad))
    print("calibration: the default study prints its anchors")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--borderflow", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("check", choices=["warmup", "calibration"])
    args = ap.parse_args()
    args.borderflow = os.path.abspath(args.borderflow)
    args.work = os.path.abspath(args.work)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    {"warmup": check_warmup, "calibration": check_calibration}[args.check](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
