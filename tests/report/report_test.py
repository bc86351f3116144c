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
             script, no console error, no sideways scroll at 1366 px, the
             headline on the first screen and equal to totals.csv; the same
             in Chinese (--lang zh); --pdf prints a PDF
  incomplete `borderflow plot` on folders that are not complete results
             folders: exit 2, a message naming the file, no crash, nothing
             drawn
  injection  a scenario whose names and notes hold quotes, backslashes,
             gnuplot system() calls, backticks and HTML runs: nothing is
             executed (no marker file, no dialog, no script), the names are
             shown as text in report.html, and the charts are drawn
  cities45   the 45 cities of scenarios/default.json (2 replications, a
             shorter window): every chart drawn, and the data of the
             ranking, waterfall, working-capital and released charts equal
             the rows of ranking.csv, totals.csv and daily_delta.csv
  cities1024 the same for a generated study of 1024 cities (the most a
             scenario may have), whose long names must be cut
  badfolder  `borderflow plot` on folders that are not complete results
             folders exits 2 with a message, draws nothing, does not crash
  cjk        the charts' font (plots/term.gp) resolves to a font covering
             Chinese, and draws 杭州 otherwise than a machine without a CJK
             font would (as the boxes of missing glyphs)
  workbook   results.xlsx of a 32-city study, read back with openpyxl (an
             independent reader): every sheet, the Summary equal to
             totals.csv and in the order of ranking.csv, Chinese names
             intact, Delta, Daily and Breakdown equal to their CSVs, the
             native charts, no formula anywhere; --csv-bom puts a
             byte-order mark before every CSV and nothing else, and
             `borderflow plot` still reads the folder; a workbook that
             cannot be written leaves no results.xlsx nor its .tmp, and the
             run still succeeds

Exit 0 pass, 1 fail, 77 skip (gnuplot, or Chromium for the browser parts,
or openpyxl for the workbook, not installed).
"""
import argparse
import csv
import math
import os
import re
import shutil
import struct
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


# ---- the data files of the charts against the CSVs they come from ----

def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_dat(path, block=0):
    """Rows (lists of fields) of one block of a gnuplot data file; blocks are
    separated by two blank lines, comment lines start with '#'."""
    with open(path, encoding="utf-8") as f:
        blocks = f.read().split("\n\n\n")
    check(block < len(blocks), f"{path}: no block {block}")
    return [l.split("\t") for l in blocks[block].splitlines()
            if l.strip() and not l.startswith("#")]


def num(v):
    return float("nan") if v in ("NA", "NaN", "") else float(v)


def close(got, want, what):
    a, b = num(got), num(want)
    if math.isnan(a) or math.isnan(b):
        check(math.isnan(a) and math.isnan(b), f"{what}: {got} against {want}")
        return
    check(abs(a - b) <= 1e-9 * max(1.0, abs(b)), f"{what}: {got} against {want}")


WIDE = ((0x1100, 0x115F), (0x2E80, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF),
        (0xFE30, 0xFE4F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x20000, 0x3FFFD))


WIDE_TOO = set('"\\\u2216') | {chr(c) for c in range(0x2018, 0x2020)}


def cols(s):
    return sum(2 if c in WIDE_TOO or any(a <= ord(c) <= b for a, b in WIDE) else 1 for c in s)


def fit(s, n):
    """s in n columns, as charts.c cuts a label: an ellipsis ends a cut one."""
    if cols(s) <= n:
        return s
    out, w = "", 0
    for c in s:
        if w + cols(c) > n - 1:
            break
        out += c
        w += cols(c)
    return out.rstrip(" ") + "\u2026"


def city_label(name, zh):
    """"杭州 Hangzhou": name_zh in 12 columns, a space, the name; 28 in all."""
    head = fit(zh, 12) + " " if zh else ""
    return head + fit(name, 28 - cols(head))


def check_study_data(folder):
    """The data of the ranking, waterfall, wc_components and released charts
    equal the rows of the CSVs they are drawn from."""
    data = os.path.join(folder, "charts", "data")
    zh = {r["city"]: r["city_zh"] for r in read_csv(os.path.join(folder, "cities.csv"))}
    rk = read_csv(os.path.join(folder, "ranking.csv"))
    n = len(rk)
    # ranking: every city up to 30, else the first and the last 15
    want = rk if n <= 30 else rk[:15] + rk[-15:]
    got = read_dat(os.path.join(data, "ranking.dat"))
    check(len(got) == len(want), f"ranking.dat: {len(got)} rows for {n} cities")
    for g, w in zip(got, want):
        check(int(g[1]) == int(w["rank"]), f"ranking.dat: rank {g[1]} for {w['rank']}")
        for i, key in ((2, "capital_released_per_m"), (3, "ci95_low"), (4, "ci95_high")):
            close(g[i], w[key], f"ranking.dat rank {w['rank']} {key}")
        label = city_label(w["city"], zh[w["city"]])
        check(g[6] == label, f"ranking.dat: label {g[6]!r}, expected {label!r}")
        check(cols(g[6]) <= 28, f"ranking.dat: label {g[6]!r} wider than 28 columns")
    gap = read_dat(os.path.join(data, "ranking.dat"), 1)[0]
    if n > 30:
        check(int(gap[1]) == n - 30 and f"{n - 30} cities not shown" in gap[2],
              f"ranking.dat: the gap says {gap}")
    else:
        check(gap[0] == "NaN", f"ranking.dat: a gap for {n} cities: {gap}")
    # waterfall and wc_components: rows of totals.csv
    tot = {(r["metric"], r["scope"]): r for r in read_csv(os.path.join(folder, "totals.csv"))}
    fall = read_dat(os.path.join(data, "waterfall.dat"))
    check([r[6] for r in fall] == ["released_rebate_receivable_cny", "released_stock_abroad_cny",
                                   "released_returning_cny", "released_receivables_cny",
                                   "capital_released_cny"], "waterfall.dat: the steps")
    start = 0.0
    for r in fall:
        t = tot[(r[6], "change")]
        for i, key in ((1, "mean"), (2, "ci95_low"), (3, "ci95_high")):
            close(r[i], t[key], f"waterfall.dat {r[6]} {key}")
        if r[5] == "0":
            close(r[4], repr(start), f"waterfall.dat {r[6]} start")
            start += float(r[1])
    parts = read_dat(os.path.join(data, "wc_components.dat"))
    check(len(parts) == 4, "wc_components.dat: four components")
    for r in parts:
        close(r[1], tot[(r[5], "before")]["mean"], f"wc_components.dat {r[5]} before")
        close(r[3], tot[(r[5], "after")]["mean"], f"wc_components.dat {r[5]} after")
    # released: daily_delta.csv's total rows of the city at each rank
    files = [f for f in os.listdir(data) if re.fullmatch(r"released_\d+\.dat", f)]
    panels = min(48, n)
    check(len(files) == panels, f"{len(files)} released_K.dat files for {n} cities")
    days = {}
    for r in read_csv(os.path.join(folder, "daily_delta.csv")):
        if r["component"] == "total":
            days.setdefault(r["city"], []).append(r)
    for k in sorted({1, min(6, n), panels}):
        city = rk[k - 1]["city"]
        got = read_dat(os.path.join(data, f"released_{k}.dat"))
        check(len(got) == len(days[city]), f"released_{k}.dat: {len(got)} days")
        for g, w in zip(got, days[city]):
            check(g[0] == w["date"], f"released_{k}.dat: {g[0]} for {w['date']}")
            for i, key in ((1, "mean"), (2, "ci95_low"), (3, "ci95_high")):
                close(g[i], w[key], f"released_{k}.dat {w['date']} {key}")
            check(g[6] == city_label(city, zh[city]), f"released_{k}.dat: city {g[6]!r}")
    # the 1950-px charts of earlier versions: every chart has the one size
    for name in CHARTS:
        with open(os.path.join(folder, "charts", name + ".png"), "rb") as f:
            head = f.read(24)
        w, h = struct.unpack(">II", head[16:24])
        check((w, h) == (1920, 1080), f"{name}.png is {w}x{h}, not 1920x1080")


def check_tornado(folder):
    """tornado.dat: the lowest and highest value of every sweep, from
    sweep_totals.csv, against totals.csv; values in short, never JSON."""
    rows = [r for r in read_csv(os.path.join(folder, "sweep_totals.csv"))
            if r["metric"] == "capital_released_cny" and r["scope"] == "change"]
    base = [r for r in read_csv(os.path.join(folder, "totals.csv"))
            if r["metric"] == "capital_released_cny" and r["scope"] == "change"][0]
    got = read_dat(os.path.join(folder, "charts", "data", "tornado.dat"))
    sweeps = sorted({r["sweep"] for r in rows})
    check(sorted(g[10] for g in got) == sweeps, f"tornado.dat: sweeps {[g[10] for g in got]}")
    for g in got:
        vals = sorted((r for r in rows if r["sweep"] == g[10]), key=lambda r: int(r["value_index"]))
        try:
            by = sorted(vals, key=lambda r: float(r["value"]))
        except ValueError:
            by = vals  # distributions: the first and the last as written
        for i, key in ((1, "mean"), (2, "ci95_low"), (3, "ci95_high")):
            close(g[i], base[key], f"tornado.dat {g[10]} base {key}")
        for off, r in ((4, by[0]), (7, by[-1])):
            for i, key in ((0, "mean"), (1, "ci95_low"), (2, "ci95_high")):
                close(g[off + i], r[key], f"tornado.dat {g[10]} value {r['value']} {key}")
        check(g[11].startswith(vals[0]["parameter"]), f"tornado.dat: parameter {g[11]!r}")
        for v in g[12:14]:
            check("{" not in v and '"' not in v, f"tornado.dat: a raw value {v!r}")
    treasury = [g for g in got if g[10] == "treasury days"]
    if treasury:
        check(treasury[0][12:14] == ["uniform 1\u20132", "uniform 4\u20138"],
              f"tornado.dat: treasury values {treasury[0][12:14]}")


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
        check_study_data(folder)
        if "tornado" in names:
            check_tornado(folder)
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
            # (--force: a rerun into the folder of the first)
            run([a.borderflow, "run", "-q", "--force", "--no-plots", "-o", out,
                 os.path.join(a.data, scen)])
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


def browser(a, report, expect=(), expect_id=()):
    if not a.chromium or not (shutil.which(a.chromium) or os.access(a.chromium, os.X_OK)):
        return SKIP
    cmd = [sys.executable, os.path.join(HERE, "browser_check.py"), a.chromium, report]
    for t in expect:
        cmd += ["--expect-text", t]
    for i, t in expect_id:
        cmd += ["--expect-id", i, t]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode == SKIP:
        return SKIP
    check(p.returncode == 0, f"browser check of {report} failed")
    return 0


def grouped(v, dec):
    """A number as the report writes it: thousands grouped with commas, a
    true minus sign (U+2212)."""
    txt = f"{abs(v):,.{dec}f}"
    if float(txt.replace(",", "")) == 0:
        v = 0
    return ("\u2212" if v < 0 else "") + txt


def money(v, lang):
    """An amount of CNY as the report's headline writes it (docs/report.md):
    millions in English and ten-thousands (万元) in Chinese once it is that
    large, else whole yuan."""
    big = 1e4 if lang == "zh" else 1e6
    if abs(v) >= big:
        return grouped(v / big, 1 if lang == "zh" else 2) + (" 万元" if lang == "zh" else " million CNY")
    return grouped(v, 0) + (" 元" if lang == "zh" else " CNY")


def totals_row(folder, metric, scope):
    import csv
    with open(os.path.join(folder, "totals.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["metric"] == metric and r["scope"] == scope:
                return r
    raise Failed(f"totals.csv has no {metric},{scope} row")


def t_browser(a):
    if not shutil.which("gnuplot"):
        print("SKIP: gnuplot not on PATH (the report would have no images)")
        return SKIP
    work = fresh(os.path.join(a.work, "browser"))
    run([a.borderflow, "run", "-q", "-o", work, os.path.join(a.data, "sweep.json")])
    folder = scenario_folder(work)
    released = float(totals_row(folder, "capital_released_cny", "change")["mean"])
    rc = browser(a, os.path.join(folder, "report.html"),
                 ["Working capital the policy releases", "What these numbers rest on", "Hefei",
                  "Run record", "Assumptions and sources", "[totals.csv"],
                 [("released", money(released, "en"))])
    if rc == SKIP:
        print(f"SKIP: Chromium ({a.chromium}) not found")
        return rc
    # the same folder in Chinese, printed to PDF as well
    run([a.borderflow, "plot", "--lang", "zh", "--pdf", folder])
    with open(os.path.join(folder, "report.html"), encoding="utf-8") as f:
        html = f.read()
    check('<html lang="zh-CN">' in html, "--lang zh: the page does not say it is Chinese")
    rc = browser(a, os.path.join(folder, "report.html"),
                 ["政策释放的营运资金", "这些数字的前提", "假设与来源", "[totals.csv"],
                 [("released", money(released, "zh"))])
    with open(os.path.join(folder, "report.pdf"), "rb") as f:
        pdf = f.read()
    check(pdf.startswith(b"%PDF-") and len(pdf) > 20000, "report.pdf is not a printed report")
    check(not os.path.exists(os.path.join(folder, "report.pdf.tmp")), "report.pdf.tmp left over")
    p = run([a.borderflow, "plot", "--lang", "fr", folder], expect=2)
    check("allowed are en" in p.stderr, f"--lang fr: {p.stderr!r}")
    print("ok: English and Chinese reports: headline = totals.csv, first screen, no sideways "
          "scroll; report.pdf printed")
    return rc


def t_incomplete(a):
    """What an interrupted or damaged run leaves: exit 2, a message, no crash."""
    import json
    src = fresh(os.path.join(a.work, "incomplete-src"))
    run([a.borderflow, "run", "-q", "--no-plots", "-o", src, os.path.join(a.data, "small.json")])
    good = scenario_folder(src)
    cases = {
        "empty": ([], "not a complete results folder"),
        "run.json only": (["run.json"], "summary.json"),
        "no totals.csv": ([f for f in os.listdir(good) if f != "totals.csv"], "totals.csv"),
        "summary.json cut short": (["run.json", "cities.csv", "summary.json!"], "not valid JSON"),
    }
    for name, (files, says) in cases.items():
        d = fresh(os.path.join(a.work, "incomplete", name.replace(" ", "_")))
        for fn in files:
            cut = fn.endswith("!")
            fn = fn.rstrip("!")
            if os.path.isdir(os.path.join(good, fn)):
                continue
            with open(os.path.join(good, fn), "rb") as f:
                data = f.read()
            with open(os.path.join(d, fn), "wb") as f:
                f.write(data[:len(data) // 2] if cut else data)
        p = run([a.borderflow, "plot", d], expect=2)
        check(says in p.stderr, f"{name}: the message does not name {says!r}: {p.stderr!r}")
        check(not os.path.exists(os.path.join(d, "report.html")), f"{name}: report.html written")
        check(not glob_any(os.path.join(d, "charts")), f"{name}: charts drawn")
    print("ok: incomplete folders refused with exit 2 and a message; nothing drawn")
    return 0


def glob_any(d):
    return os.path.isdir(d) and any(f.endswith(".png") for f in os.listdir(d))


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


def gen_many_cities(path, n):
    """A study of n cities, short and small: long names (cut on the charts)
    and Chinese names for every other one, as tests/integration's
    gen_many_cities writes its oversized one."""
    import json
    with open(os.path.join(HERE, "data", "small.json"), encoding="utf-8") as f:
        sc = json.load(f)
    sc["name"] = f"report-{n}-cities"
    sc["horizon"] = {"window": {"start": "2026-01-11", "end": "2026-03-10"},
                     "warmup_days": 10, "tail_days": 30}
    sc["replications"] = 2
    zh = "京津沪渝杭甬温嘉湖绍金舟台丽衢苏锡常徐通连淮盐扬镇泰宿"
    sc["cities"] = []
    for i in range(n):
        c = {"name": f"City {i + 1:04d}, a generated name long enough to be cut",
             "province": "Test", "class": "ABC"[i % 3],
             "shipments_per_day": 0.5 + (i % 7) * 0.3, "effective_date": "2026-01-20"}
        if i % 2 == 0:
            c["name_zh"] = zh[i % len(zh)] + zh[(i // 7) % len(zh)] + "市"
        if i % 97 == 5:
            c["name_zh"] = "一个非常非常长的城市名称"
        sc["cities"].append(c)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(sc, f, ensure_ascii=False)


def study(a, name, scen, n_cities):
    work = fresh(os.path.join(a.work, name))
    out = os.path.join(work, "out")
    run([a.borderflow, "run", "-q", "-j", "2", "-o", out, scen])
    folder = scenario_folder(out)
    check(run_json(folder)["plots"] == "drawn", f"{folder}: run.json plots is not 'drawn'")
    check(len(read_csv(os.path.join(folder, "cities.csv"))) == n_cities, "cities.csv")
    check_charts(folder, CHARTS)
    check_study_data(folder)
    with open(os.path.join(folder, "report.html"), encoding="utf-8") as f:
        html = f.read()
    for n in CHARTS:
        check(f'id="chart-{n}"' in html, f"report.html does not show {n}")
    return folder


def t_cities45(a):
    import json
    if not shutil.which("gnuplot"):
        print("SKIP: gnuplot not on PATH")
        return SKIP
    work = fresh(os.path.join(a.work, "cities45-scenario"))
    scen = os.path.join(work, "default45.json")
    default = os.path.join(HERE, "..", "..", "scenarios", "default.json")
    with open(scen, "w", encoding="utf-8") as f:
        json.dump({"extends": os.path.relpath(default, work), "name": "report-45-cities",
                   "horizon": {"window": {"start": "2026-03-16", "end": "2026-08-31"},
                               "warmup_days": 120, "tail_days": 60},
                   "replications": 2}, f)
    study(a, "cities45", scen, 45)
    print("ok: 45 cities drawn; the charts' data equal the CSVs")
    return 0


def t_cities1024(a):
    if not shutil.which("gnuplot"):
        print("SKIP: gnuplot not on PATH")
        return SKIP
    work = fresh(os.path.join(a.work, "cities1024-scenario"))
    scen = os.path.join(work, "many.json")
    gen_many_cities(scen, 1024)
    folder = study(a, "cities1024", scen, 1024)
    with open(os.path.join(folder, "charts", "data", "counts.dat"), encoding="utf-8") as f:
        check("n_panels\t48" in f.read(), "released_all does not stop at 48 panels")
    print("ok: 1024 cities drawn at a fixed size; the charts' data equal the CSVs")
    return 0


def t_badfolder(a):
    work = fresh(os.path.join(a.work, "badfolder"))
    out = os.path.join(work, "out")
    run([a.borderflow, "run", "-q", "--no-plots", "-o", out, os.path.join(a.data, "small.json")])
    good = scenario_folder(out)

    def copy(name, drop=(), cut=None):
        d = os.path.join(work, name)
        shutil.copytree(good, d)
        for f in drop:
            os.remove(os.path.join(d, f))
        if cut:
            with open(os.path.join(d, cut), "rb") as f:
                data = f.read()
            with open(os.path.join(d, cut), "wb") as f:
                f.write(data[:len(data) // 2])
        return d

    cases = {"an empty folder": fresh(os.path.join(work, "empty")),
             "run.json only": copy("run-only", drop=[f for f in os.listdir(good)
                                                     if f != "run.json"]),
             "summary.json cut short": copy("truncated", cut="summary.json"),
             "no daily_delta.csv": copy("no-daily-delta", drop=["daily_delta.csv"]),
             "ranking.csv cut short": copy("ranking-cut", cut="ranking.csv")}
    for what, d in cases.items():
        p = run([a.borderflow, "plot", d], expect=None)
        check(p.returncode == 2, f"plot on {what}: exit {p.returncode}, expected 2\n{p.stderr}")
        check("borderflow plot:" in p.stderr and d in p.stderr,
              f"plot on {what}: no message naming the folder: {p.stderr!r}")
        charts = os.path.join(d, "charts")
        drawn = [f for f in os.listdir(charts) if f.endswith(".png")] if os.path.isdir(charts) else []
        check(not drawn, f"plot on {what} drew {drawn}")
    print(f"ok: {len(cases)} incomplete folders refused with exit 2 and a message")
    return 0


def term_font():
    """The font family plots/term.gp opens every chart with."""
    with open(os.path.join(HERE, "..", "..", "plots", "term.gp"), encoding="utf-8") as f:
        fonts = set(re.findall(r'font "([^",]+)', f.read()))
    check(len(fonts) == 1, f"term.gp names fonts {fonts}, expected one")
    return fonts.pop()


def t_cjk(a):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot or not shutil.which("fc-match"):
        print("SKIP: gnuplot or fc-match not on PATH")
        return SKIP
    font = term_font()
    # fontconfig finds the font itself (not a substitute) and it covers Chinese
    p = run(["fc-match", "-f", "%{family}\n%{lang}\n%{file}", font])
    family, langs, path = (p.stdout.split("\n") + ["", ""])[:3]
    check(font in family.split(","), f"fc-match gives {family!r} ({path}) for {font!r}: "
          "is fonts-noto-cjk installed (scripts/deps run)?")
    check("zh-cn" in langs.split("|"), f"{font} ({path}) does not cover zh-cn: {langs[:200]}")
    # 杭州 drawn with the charts' font differs from the same text on a machine
    # whose only font is DejaVu Sans, where it is the boxes of missing glyphs
    work = fresh(os.path.join(a.work, "cjk"))
    script = os.path.join(work, "label.gp")
    with open(script, "w", encoding="utf-8") as f:
        f.write(f'set encoding utf8\nset terminal pngcairo size 240,80 font "{font},32" '
                'noenhanced background rgb "white"\n'
                'set output ARG1\nunset border\nunset tics\nunset key\n'
                'set xrange [0:1]\nset yrange [0:1]\n'
                'set label 1 "杭州" at graph 0.1, graph 0.5 left\nplot -1 notitle\n')
    run([gnuplot, "-d", "-c", script, os.path.join(work, "cjk.png")], cwd=work)
    dejavu = run(["fc-match", "-f", "%{file}", "DejaVu Sans"]).stdout
    check(os.path.isfile(dejavu) and "DejaVu" in dejavu, f"no DejaVu Sans to compare with: {dejavu}")
    # a font folder holding DejaVu Sans alone: what a fresh Debian 12 falls
    # back to for a font it does not have
    only = fresh(os.path.join(work, "fonts"))
    os.symlink(dejavu, os.path.join(only, os.path.basename(dejavu)))
    conf = os.path.join(work, "fonts.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                f"<fontconfig><dir>{only}</dir>"
                f"<cachedir>{os.path.join(work, 'cache')}</cachedir></fontconfig>\n")
    env = dict(os.environ, FONTCONFIG_FILE=conf)
    check(font not in run(["fc-match", "-f", "%{family}", font], env=env).stdout,
          "the font is still found without the system's fonts")
    run([gnuplot, "-d", "-c", script, os.path.join(work, "boxes.png")], cwd=work, env=env)
    with open(os.path.join(work, "cjk.png"), "rb") as f1, \
            open(os.path.join(work, "boxes.png"), "rb") as f2:
        check(f1.read() != f2.read(), f"杭州 in {font} is drawn as without a CJK font (boxes)")
    print(f"ok: {font} ({path}) covers Chinese and draws 杭州 as glyphs, not boxes")
# ---- the workbook ----

SHEETS = ["Summary", "Charts", "Delta", "Daily", "Breakdown", "Assumptions", "Run"]
BOM = b"\xef\xbb\xbf"


def import_openpyxl():
    """openpyxl, or None. Debian's python3-openpyxl is installed for Debian's
    /usr/bin/python3, which need not be the interpreter CMake found (a
    pyenv one, say): then the test runs itself again under that one."""
    try:
        import openpyxl
        return openpyxl
    except ImportError:
        pass
    deb = "/usr/bin/python3"
    if (os.environ.get("BF_WORKBOOK_REEXEC") is None and os.access(deb, os.X_OK)
            and os.path.realpath(sys.executable) != os.path.realpath(deb)
            and subprocess.run([deb, "-c", "import openpyxl"],
                               capture_output=True).returncode == 0):
        sys.stdout.flush()
        os.environ["BF_WORKBOOK_REEXEC"] = "1"
        os.execv(deb, [deb, os.path.abspath(__file__)] + sys.argv[1:])
    return None


def wb_read_csv(folder, name):
    import csv
    with open(os.path.join(folder, name), newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def wb_num(s):
    """A CSV cell as the workbook should hold it: a float, or None for NA
    and empty cells (nothing observed)."""
    return None if s in ("", "NA") else float(s)


def same_num(got, want, where):
    if want is None:
        check(got is None, f"{where}: {got!r} where the CSV has nothing")
        return
    check(isinstance(got, (int, float)) and not isinstance(got, bool),
          f"{where}: {got!r} is not a number (CSV {want!r})")
    check(abs(got - want) <= 1e-12 * max(1.0, abs(want)), f"{where}: {got!r} != CSV {want!r}")


def same_text(got, want, where):
    check((got or "") == want, f"{where}: {got!r} != CSV {want!r}")


def workbook_scenario(a, path):
    """small.json grown to 32 cities (the bar chart shows 30, the line chart
    6), with Chinese names, a note with '§' and Chinese, and a city whose
    name looks like an Excel formula."""
    import json
    with open(os.path.join(a.data, "small.json"), encoding="utf-8") as f:
        sc = json.load(f)
    sc["name"] = "report-workbook"
    sc["replications"] = 2
    sc["notes"] = ["来源 §1: 广东省商务厅 (a note in Chinese, with §)"]
    shenzhen, hefei = sc["cities"]
    shenzhen["name_zh"], hefei["name_zh"] = "深圳", "合肥"
    cities = [shenzhen, hefei, {"name": "City =SUM(1,2)", "province": "Anhui", "class": "C",
                                "shipments_per_day": 3, "effective_date": "2026-01-20"}]
    for i in range(29):
        c = {"name": f"City {i + 1:02d}", "province": "Anhui", "class": "ABC"[i % 3],
             "shipments_per_day": 2 + i % 4, "effective_date": "2026-01-20"}
        if i % 2 == 0:
            c["name_zh"] = f"城市{i + 1}"
        cities.append(c)
    sc["cities"] = cities
    with open(path, "w", encoding="utf-8") as f:
        json.dump(sc, f, ensure_ascii=False, indent=1)
    return sc


def check_summary(ws, folder):
    totals = {(r["metric"], r["scope"]): r for r in wb_read_csv(folder, "totals.csv")}
    rows = list(ws.iter_rows(values_only=True))
    keyed = {r[9]: (i, r) for i, r in enumerate(rows)
             if isinstance(r[9], str) and re.fullmatch(r"\w+ \((before|after|change|count)\)", r[9])}
    check("capital_released_cny (change)" in keyed, "Summary: no capital released row")
    for key, (i, r) in keyed.items():
        metric, scope = key[:-1].split(" (")
        t = totals.get((metric, scope))
        check(t is not None, f"Summary: {key} is not a row of totals.csv")
        for col, name in ((5, "mean"), (6, "ci95_low"), (7, "ci95_high")):
            same_num(r[col], wb_num(t[name]), f"Summary {key} {name}")
        same_text(r[8], t["unit"], f"Summary {key} unit")
    cap = ws.cell(row=keyed["capital_released_cny (change)"][0] + 1, column=6)
    check(cap.number_format == "#,##0", f"capital released formatted {cap.number_format!r}")
    share = ws.cell(row=keyed["capital_released_share (change)"][0] + 1, column=6)
    check(share.number_format == "0.00%", f"share formatted {share.number_format!r}")

    head = next(i for i, r in enumerate(rows) if r[1] == "city" and r[2] == "中文名")
    check(rows[head][5] == "capital released, CNY", f"Summary header: {rows[head][5]!r}")
    ranking = wb_read_csv(folder, "ranking.csv")
    cities = rows[head + 1:head + 1 + len(ranking)]
    check(len(rows) == head + 1 + len(ranking), "Summary: not one row per city of ranking.csv")
    for r, k in zip(cities, ranking):
        where = f"Summary city {k['city']}"
        same_num(r[0], float(k["rank"]), where + " rank")
        same_text(r[1], k["city"], where)
        same_text(r[2], k["city_zh"], where + " 中文名")
        same_num(r[5], wb_num(k["capital_released_cny"]), where + " capital released")
        same_num(r[6], wb_num(k["released_ci95_low"]), where + " low")
        same_num(r[7], wb_num(k["released_ci95_high"]), where + " high")
        same_num(r[8], wb_num(k["capital_released_per_m"]), where + " per CNY million")
        same_text(r[11], k["interval"], where + " interval")
        same_num(r[12], wb_num(k["exports_cny"]), where + " exports")
    check(ws.freeze_panes == f"A{head + 2}", f"Summary frozen at {ws.freeze_panes}")
    check(ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{head + 1}:"),
          f"Summary autofilter {ws.auto_filter.ref}")
    names = [k["city"] for k in ranking]
    if "City =SUM(1,2)" in names:
        zh = {k["city"]: k["city_zh"] for k in ranking}
        check(zh["Shenzhen"] == "深圳" and zh["Hefei"] == "合肥", "ranking.csv lost Chinese names")
        formula = ws.cell(row=head + 2 + names.index("City =SUM(1,2)"), column=2)
        check(formula.value == "City =SUM(1,2)" and formula.data_type == "s",
              f"a city named like a formula became {formula.value!r} ({formula.data_type})")
    return names


def check_table(ws, folder, name, text_cols):
    rows = list(ws.iter_rows(values_only=True))
    csv_rows = wb_read_csv(folder, name)
    # every CSV starts with the scenario column; a workbook is of one
    # scenario, which its Run sheet names, so its sheets leave it out
    header = list(csv_rows[0].keys())
    check(header[0] == "scenario" and len({c["scenario"] for c in csv_rows}) == 1,
          f"{name}: no scenario column of one scenario first")
    header = header[1:]
    check(list(rows[0]) == header, f"{ws.title}: header {rows[0]} != {name} {header}")
    check(len(rows) - 1 == len(csv_rows), f"{ws.title}: {len(rows) - 1} rows, {name} {len(csv_rows)}")
    for i, (r, c) in enumerate(zip(rows[1:], csv_rows)):
        for j, h in enumerate(header):
            where = f"{ws.title} row {i + 2} {h}"
            if h in text_cols:
                same_text(r[j], c[h], where)
            else:
                same_num(r[j], wb_num(c[h]), where)
    check(ws.freeze_panes == "B2", f"{ws.title} frozen at {ws.freeze_panes}")
    check(ws.auto_filter.ref == f"A1:{chr(ord('A') + len(header) - 1)}{len(rows)}",
          f"{ws.title} autofilter {ws.auto_filter.ref}")


def check_daily(ws, folder, order):
    import datetime
    rows = list(ws.iter_rows(values_only=True))
    check(list(rows[1][1:]) == order, "Daily: the columns are not the cities of ranking.csv")
    cities = {c["city"]: c["city_zh"] for c in wb_read_csv(folder, "cities.csv")}
    for j, city in enumerate(order):
        same_text(rows[2][j + 1], cities[city], f"Daily 中文名 of {city}")
    total = [r for r in wb_read_csv(folder, "daily_delta.csv") if r["component"] == "total"]
    dates = sorted({r["date"] for r in total})
    got = [r[0] for r in rows[3:]]
    check(got == [datetime.datetime.fromisoformat(d) for d in dates], "Daily: not the window's dates")
    for r in total:
        cell = rows[3 + dates.index(r["date"])][1 + order.index(r["city"])]
        want = wb_num(r["mean"])
        same_num(cell, None if want is None else -want, f"Daily {r['city']} {r['date']}")
    check(any(v for row in rows[3:] for v in row[1:]), "Daily: capital released is zero throughout")
    check(ws.freeze_panes == "B4", f"Daily frozen at {ws.freeze_panes}")


def check_xlsx_charts(a_zip, wb, n_cities):
    import zipfile
    with zipfile.ZipFile(a_zip) as z:
        names = z.namelist()
        charts = sorted(n for n in names if re.match(r"xl/charts/chart\d+\.xml$", n))
        check(len(charts) == 2, f"expected 2 charts, found {charts}")
        xml = {n: z.read(n).decode("utf-8") for n in charts}
        for n in names:  # text stays text: no formula anywhere
            if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                check("<f>" not in z.read(n).decode("utf-8"), f"{n} holds a formula")
    bar = [x for x in xml.values() if "<c:barChart>" in x]
    line = [x for x in xml.values() if "<c:lineChart>" in x]
    check(len(bar) == 1 and len(line) == 1, "not one bar chart and one line chart")
    n_bar = min(30, n_cities)
    check(re.search(r"<c:cat>.*?<c:ptCount val=\"%d\"/>" % n_bar, bar[0], re.S),
          f"the bar chart does not show {n_bar} cities")
    check(f"top {n_bar} of {n_cities}" in bar[0], "the bar chart's title does not say top 30")
    check(line[0].count("<c:ser>") == min(6, n_cities), "the line chart does not show 6 cities")
    check("Daily!$B$4:" in line[0], "the line chart is not drawn from the Daily sheet")
    check(len(wb["Charts"]._charts) == 2, "openpyxl finds no charts on the Charts sheet")


def t_workbook(a):
    openpyxl = import_openpyxl()
    if openpyxl is None:
        print(f"SKIP: openpyxl is not installed for {sys.executable} (Debian: python3-openpyxl, "
              "scripts/deps test)")
        return SKIP
    import hashlib
    import json
    work = fresh(os.path.join(a.work, "workbook"))
    scen = os.path.join(work, "workbook.json")
    sc = workbook_scenario(a, scen)
    out = os.path.join(work, "plain")
    # without gnuplot on PATH: the workbook's charts are Excel's own, and
    # 32 cities of gnuplot charts would only make the test slower
    nognuplot = dict(os.environ, PATH=os.path.join(work, "no-such-dir"))
    run([a.borderflow, "run", "-q", "-o", out, scen], env=nognuplot)
    folder = scenario_folder(out)
    xlsx = os.path.join(folder, "results.xlsx")
    check(os.path.isfile(xlsx), "borderflow run wrote no results.xlsx")
    check(not os.path.exists(xlsx + ".tmp"), "results.xlsx.tmp left over")
    wb = openpyxl.load_workbook(xlsx)
    check(wb.sheetnames == SHEETS, f"sheets {wb.sheetnames}, expected {SHEETS}")
    order = check_summary(wb["Summary"], folder)
    check("City =SUM(1,2)" in order, "the formula-like city is not in the ranking")
    check_table(wb["Delta"], folder, "delta.csv", {"city", "metric", "unit", "note"})
    check_table(wb["Breakdown"], folder, "breakdown.csv",
                {"city", "policy", "dimension", "value", "metric", "unit"})
    check_daily(wb["Daily"], folder, order)
    check_xlsx_charts(xlsx, wb, len(sc["cities"]))
    with open(os.path.join(folder, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    arows = list(wb["Assumptions"].iter_rows(values_only=True))
    want = [(p, x["parameter"], x["value"], x["default"], x["unit"] or None, x["source"],
             x["cities"]) for p, xs in summary["assumptions"].items() for x in xs]
    check(want and [tuple(r) for r in arows[1:1 + len(want)]] == want,
          "Assumptions: not summary.json's assumptions")
    check(any(r[0] == sc["notes"][0] for r in arows), "Assumptions: the note lost its § or Chinese")
    run_rows = {r[0]: r[1] for r in wb["Run"].iter_rows(min_row=2, values_only=True)}
    with open(scen, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    check(run_rows.get("scenario_sha256") == sha == summary["scenario_sha256"],
          "Run: the scenario's SHA-256 is not the file's")
    check(run_rows.get("seed") == str(sc["seed"]), f"Run: seed {run_rows.get('seed')!r}")

    # --csv-bom, on the small study: the same bytes behind a mark, and the
    # folder still reads
    small = os.path.join(a.data, "small.json")
    plain_out, bom_out = os.path.join(work, "small-plain"), os.path.join(work, "small-bom")
    run([a.borderflow, "run", "-q", "--no-plots", "-o", plain_out, small])
    run([a.borderflow, "run", "-q", "--csv-bom", "--no-plots", "-o", bom_out, small])
    plain, bom = scenario_folder(plain_out), scenario_folder(bom_out)
    csvs = sorted(f for f in os.listdir(plain) if f.endswith(".csv"))
    check(len(csvs) >= 13, f"only {csvs}")
    for f in csvs + ["summary.json"]:
        with open(os.path.join(plain, f), "rb") as fh:
            unmarked = fh.read()
        with open(os.path.join(bom, f), "rb") as fh:
            marked = fh.read()
        check(not unmarked.startswith(BOM), f"{f} has a byte-order mark without --csv-bom")
        want = BOM + unmarked if f.endswith(".csv") else unmarked
        check(marked == want, f"--csv-bom: {f} is not the plain file behind a byte-order mark")
    check(not os.path.exists(os.path.join(bom, "results.xlsx")), "--no-plots wrote a workbook")
    p = run([a.borderflow, "plot", bom], expect=None)
    check(p.returncode == (0 if shutil.which("gnuplot") else 1),
          f"borderflow plot on a --csv-bom folder: exit {p.returncode}: {p.stderr}")
    check(os.path.isfile(os.path.join(bom, "report.html")), "plot wrote no report from BOM CSVs")
    xlsx = os.path.join(bom, "results.xlsx")
    wb2 = openpyxl.load_workbook(xlsx)
    check(wb2.sheetnames == SHEETS, "the --csv-bom folder's workbook lacks sheets")
    check_summary(wb2["Summary"], bom)

    # a link planted at the old temporary name is never written through
    # (fs.h): the workbook goes to a fresh file and is renamed
    victim = os.path.join(a.work, "victim.txt")
    with open(victim, "w") as f:
        f.write("keep me\n")
    tmp = xlsx + ".tmp"
    os.symlink(victim, tmp)
    run([a.borderflow, "plot", bom])
    with open(victim) as f:
        check(f.read() == "keep me\n", "a link at results.xlsx.tmp was written through")
    os.remove(tmp)
    check(openpyxl.load_workbook(xlsx).sheetnames == SHEETS, "no workbook after the planted link")
    # a folder with a table cut short is refused (exit 2), leaving no temporary file
    dd = os.path.join(bom, "daily_delta.csv")
    with open(dd, "rb") as f:
        whole = f.read()
    with open(dd, "wb") as f:
        f.write(whole[:len(whole) // 2 - 7] + b'"')
    p = run([a.borderflow, "plot", bom], expect=None)
    check(p.returncode == 2, f"plot of a folder with a cut table: exit {p.returncode}, not 2")
    check(not [f for f in os.listdir(bom) if f.startswith(".results.xlsx.")],
          "a failed workbook left its temporary file")
    with open(dd, "wb") as f:
        f.write(whole)
    if os.geteuid() != 0:
        os.chmod(bom, 0o555)
        try:
            p = run([a.borderflow, "plot", bom], expect=None)
            check(p.returncode != 0, "plot into a read-only folder succeeded")
            check(not os.path.lexists(xlsx + ".tmp"), "a read-only folder got results.xlsx.tmp")
        finally:
            os.chmod(bom, 0o755)

    # --no-plots removes a workbook an earlier run left (--force: a rerun)
    check(os.path.isfile(os.path.join(folder, "results.xlsx")), "no workbook to remove")
    run([a.borderflow, "run", "-q", "--force", "--no-plots", "-o", out, scen], env=nognuplot)
    check(not os.path.exists(os.path.join(folder, "results.xlsx")),
          "--no-plots left the workbook of an earlier run")
    print("ok: results.xlsx equals the CSVs (read by openpyxl), Chinese names intact, charts "
          "present; --csv-bom marks every CSV and still plots; a failed workbook leaves nothing")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("test", choices=["charts", "nognuplot", "browser", "injection", "incomplete",
                                     "cities45", "cities1024", "badfolder", "cjk", "workbook"])
    ap.add_argument("--borderflow", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--chromium", default="")
    a = ap.parse_args()
    try:
        return {"charts": t_charts, "nognuplot": t_nognuplot, "browser": t_browser,
                "injection": t_injection, "incomplete": t_incomplete, "cities45": t_cities45,
                "cities1024": t_cities1024, "badfolder": t_badfolder, "cjk": t_cjk,
                "workbook": t_workbook}[a.test](a)
    except Failed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
