#!/usr/bin/env python3
"""The chart and report tests (CTest label `report`; docs/report.md).

    report_test.py TEST --borderflow BIN --data DIR --work DIR [--chromium EXE]

TEST is one of:
  charts     every chart of a small study and of a study with sweeps is drawn
             as a non-empty PNG and a well-formed SVG; each script reruns by
             hand with gnuplot; `borderflow plot` redraws a folder; a later
             run with --no-plots leaves no chart or report behind
  nognuplot  without gnuplot on PATH the run still succeeds, says so in one
             line, leaves the scripts and data, and `borderflow plot` draws
             them later
  browser    report.html opens in headless Chromium: every image loads, no
             script, no console error
  injection  a scenario whose names and notes hold quotes, backslashes,
             gnuplot system() calls, backticks and HTML runs: nothing is
             executed (no marker file, no dialog, no script), the names are
             shown as text in report.html, and the charts are drawn

Exit 0 pass, 1 fail, 77 skip (gnuplot, or Chromium for the browser parts,
not installed).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
CHARTS = ["released", "waterfall", "wc_components", "ranking", "rebate_cdf", "return_cycle", "trs",
          "timeline", "released_all"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def run(cmd, cwd=None, env=None, expect=0):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if expect is not None and p.returncode != expect:
        raise Failed(f"{' '.join(cmd)}: exit {p.returncode}, expected {expect}\n"
                     f"stdout: {p.stdout}\nstderr: {p.stderr}")
    return p


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def run_json(folder):
    import json
    with open(os.path.join(folder, "run.json"), encoding="utf-8") as f:
        return json.load(f)


def check_png(path):
    check(os.path.isfile(path), f"no {path}")
    with open(path, "rb") as f:
        data = f.read()
    check(data.startswith(PNG_MAGIC) and len(data) > 2000, f"{path}: not a drawn PNG")


def check_svg(path):
    check(os.path.isfile(path) and os.path.getsize(path) > 2000, f"{path}: missing or empty")
    root = ET.parse(path).getroot()  # raises on a malformed file
    check(root.tag.endswith("svg"), f"{path}: root element is {root.tag}")
    for el in root.iter():
        check(not el.tag.endswith("script"), f"{path}: has a <script> element")
        for attr in el.attrib:
            check(not attr.lower().startswith("on"), f"{path}: event handler {attr}")


def check_charts(folder, names):
    charts = os.path.join(folder, "charts")
    for n in names:
        check_png(os.path.join(charts, n + ".png"))
        check_svg(os.path.join(charts, n + ".svg"))
        check(os.path.isfile(os.path.join(charts, n + ".gp")), f"no {n}.gp")
    for f in os.listdir(os.path.join(charts, "data")):
        with open(os.path.join(charts, "data", f), encoding="utf-8") as fh:
            first = fh.readline()
        check(first.startswith("#"), f"data/{f} does not start with its description")


def scenario_folder(out):
    subs = [d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d))]
    check(len(subs) == 1, f"expected one results folder in {out}, found {subs}")
    return os.path.join(out, subs[0])


def t_charts(a):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("SKIP: gnuplot not on PATH")
        return SKIP
    work = fresh(os.path.join(a.work, "charts"))
    for scen, names in (("small.json", CHARTS), ("sweep.json", CHARTS + ["tornado"])):
        out = os.path.join(work, scen[:-5])
        run([a.borderflow, "run", "-q", "-o", out, os.path.join(a.data, scen)])
        folder = scenario_folder(out)
        check(run_json(folder)["plots"] == "drawn", f"{folder}: run.json plots is not 'drawn'")
        check_charts(folder, names)
        if "tornado" not in names:
            check(not os.path.exists(os.path.join(folder, "charts", "tornado.png")),
                  "a tornado was drawn for a run without sweeps")
        # every script reruns by hand where it lies, from its data alone
        by_hand = os.path.join(work, scen[:-5] + "-by-hand")
        shutil.copytree(os.path.join(folder, "charts"), by_hand)
        for n in names:
            for ext in ("png", "svg"):
                os.remove(os.path.join(by_hand, f"{n}.{ext}"))
            run([gnuplot, f"{n}.gp"], cwd=by_hand)
            check_png(os.path.join(by_hand, n + ".png"))
            check_svg(os.path.join(by_hand, n + ".svg"))
        # borderflow plot redraws the folder, report included
        os.remove(os.path.join(folder, "report.html"))
        for n in names:
            os.remove(os.path.join(folder, "charts", n + ".png"))
        run([a.borderflow, "plot", folder])
        check_charts(folder, names)
        check(os.path.isfile(os.path.join(folder, "report.html")), "plot wrote no report.html")
        if scen == "small.json":
            # a run that draws nothing leaves no chart or report of this one
            run([a.borderflow, "run", "-q", "--no-plots", "-o", out, os.path.join(a.data, scen)])
            check(not os.path.exists(os.path.join(folder, "report.html")),
                  "--no-plots left the report of an earlier run")
            left = [f for f in os.listdir(os.path.join(folder, "charts"))
                    if f.endswith((".png", ".svg"))]
            check(not left, f"--no-plots left charts of an earlier run: {left}")
    print("ok: every chart drawn as PNG and SVG, by borderflow and by hand")
    return 0


def t_nognuplot(a):
    work = fresh(os.path.join(a.work, "nognuplot"))
    out = os.path.join(work, "out")
    env = dict(os.environ, PATH=os.path.join(work, "no-such-dir"))
    p = run([a.borderflow, "run", "-o", out, os.path.join(a.data, "small.json")], env=env)
    folder = scenario_folder(out)
    lines = [l for l in p.stderr.splitlines() if "gnuplot not found" in l]
    check(len(lines) == 1, f"expected one line about gnuplot, got: {p.stderr!r}")
    check("borderflow plot" in lines[0], f"the message does not say what to run: {lines[0]!r}")
    check(run_json(folder)["plots"] == "not drawn: gnuplot not found", "run.json plots")
    for f in ("summary.csv", "delta.csv", "daily_cash.csv", "run.json", "report.html"):
        check(os.path.isfile(os.path.join(folder, f)), f"no {f} without gnuplot")
    charts = os.path.join(folder, "charts")
    for n in CHARTS:
        check(os.path.isfile(os.path.join(charts, n + ".gp")), f"no {n}.gp left to run")
        check(not os.path.exists(os.path.join(charts, n + ".png")), f"{n}.png without gnuplot?")
    check(len(os.listdir(os.path.join(charts, "data"))) > 5, "no chart data left to draw")
    with open(os.path.join(folder, "report.html"), encoding="utf-8") as f:
        check("were not drawn" in f.read(), "the report does not say the charts are missing")
    run([a.borderflow, "plot", folder], env=env, expect=1)
    if not shutil.which("gnuplot"):
        print("SKIP: the part with gnuplot (not on PATH)")
        return SKIP
    run([a.borderflow, "plot", folder])  # later, with gnuplot
    check_charts(folder, CHARTS)
    print("ok: numbers, scripts and data without gnuplot; drawn later by borderflow plot")
    return 0


def browser(a, report, expect=()):
    if not a.chromium or not (shutil.which(a.chromium) or os.access(a.chromium, os.X_OK)):
        return SKIP
    cmd = [sys.executable, os.path.join(HERE, "browser_check.py"), a.chromium, report]
    for t in expect:
        cmd += ["--expect-text", t]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode == SKIP:
        return SKIP
    check(p.returncode == 0, f"browser check of {report} failed")
    return 0


def t_browser(a):
    if not shutil.which("gnuplot"):
        print("SKIP: gnuplot not on PATH (the report would have no images)")
        return SKIP
    work = fresh(os.path.join(a.work, "browser"))
    run([a.borderflow, "run", "-q", "-o", work, os.path.join(a.data, "sweep.json")])
    folder = scenario_folder(work)
    rc = browser(a, os.path.join(folder, "report.html"),
                 ["Working capital the policy releases", "Hefei", "Run record", "Assumptions and sources"])
    if rc == SKIP:
        print(f"SKIP: Chromium ({a.chromium}) not found")
    return rc


def t_injection(a):
    import json
    if not shutil.which("gnuplot"):
        print("SKIP: gnuplot not on PATH")
        return SKIP
    # a short directory of its own, so that an absolute marker path fits in a
    # name (63 bytes); relative markers land in the cwd of whatever ran them
    tmp = tempfile.mkdtemp(prefix="bfinj")
    try:
        with open(os.path.join(a.data, "hostile.json"), encoding="utf-8") as f:
            sc = json.load(f)
        marker = os.path.join(tmp, "PWNED_ABS")
        sc["sweeps"][0]["name"] = f'x" system("touch {marker}") "'
        check(len(sc["sweeps"][0]["name"].encode()) < 64, "marker path too long for a name")
        sc["notes"].append(f'`touch {marker}` $(touch {marker}) system("touch {marker}")')
        scen = os.path.join(tmp, "hostile.json")
        with open(scen, "w", encoding="utf-8") as f:
            json.dump(sc, f, ensure_ascii=False)
        out = os.path.join(tmp, "out")
        run([a.borderflow, "run", "-q", "-o", out, scen], cwd=tmp)
        folder = scenario_folder(out)
        ran = [os.path.join(d, f) for d, _, fs in os.walk(tmp) for f in fs if "PWNED" in f]
        ran += [f for f in os.listdir(".") if "PWNED" in f]
        check(not ran, f"a name was executed: {ran}")
        check(run_json(folder)["plots"] == "drawn", "charts not drawn for hostile names")
        check_charts(folder, CHARTS + ["tornado"])

        with open(os.path.join(folder, "report.html"), encoding="utf-8") as f:
            html = f.read()
        low = html.lower()
        for bad in ("<script", "<img src=x", "<b onmouseover", "javascript:"):
            check(bad not in low, f"report.html holds raw {bad!r}")
        for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>", html):
            check(tag.lower() not in ("script", "iframe", "object", "embed", "link"),
                  f"report.html has a <{tag}> element")
        check(not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", low), "an event handler attribute")
        check("&lt;script&gt;alert(1)&lt;/script&gt;" in html, "the scenario name is not escaped")
        check("&lt;img src=x onerror=alert(3)&gt;" in html, "a city name is not escaped")
        check("Content-Security-Policy" in html, "no Content-Security-Policy")

        names = [sc["name"], sc["cities"][0]["name"], sc["cities"][1]["name"], sc["notes"][0],
                 sc["notes"][2], sc["description"], sc["sweeps"][0]["name"]]
        rc = browser(a, os.path.join(folder, "report.html"), names)
        ran = [os.path.join(d, f) for d, _, fs in os.walk(tmp) for f in fs if "PWNED" in f]
        check(not ran, f"the browser executed a name: {ran}")
        if rc == SKIP:
            print(f"SKIP: the browser part (Chromium {a.chromium} not found)")
            return SKIP
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok: hostile names drawn and shown as text; nothing ran")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("test", choices=["charts", "nognuplot", "browser", "injection"])
    ap.add_argument("--borderflow", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--chromium", default="")
    a = ap.parse_args()
    try:
        return {"charts": t_charts, "nognuplot": t_nognuplot, "browser": t_browser,
                "injection": t_injection}[a.test](a)
    except Failed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
