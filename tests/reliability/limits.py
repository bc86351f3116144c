#!/usr/bin/env python3
"""Limits: absurd inputs get a clear error before any work starts, or run
within the memory bound the user sets with --max-memory.

    limits.py BORDERFLOW WORKDIR

Each case runs `borderflow run` on one scenario and checks the exit status
(2 bad input, 1 a run that failed), a message that says what is wrong, no
sanitizer report, that it ended within a minute, and that nothing was left
in the output directory (no results folder, no *.tmp file).
"""
import json
import os
import sys
import time

from common import SANITIZER, check, fresh_dir, main, run, tiny_scenario, write_json

EXE, WORK = sys.argv[1], os.path.abspath(sys.argv[2])
MiB = 1 << 20


def path(name):
    return os.path.join(WORK, name + ".json")


def scenario(name, **changes):
    sc = tiny_scenario(name, reps=1)
    for key, value in changes.items():
        sc[key] = value
    return sc


def text_with(name, old, new):
    """The tiny scenario as text with one piece replaced (for what JSON cannot say)."""
    text = json.dumps(tiny_scenario(name, reps=1))
    check(old in text, "test bug: %r not in the scenario" % old)
    return text.replace(old, new, 1)


def expect(name, status, *words, extra=()):
    out = fresh_dir(os.path.join(WORK, "out-" + name))
    t0 = time.monotonic()
    p = run(EXE, ["run", "--no-plots", "-j", "1", "-o", out] + list(extra) + [path(name)],
            timeout=120)
    secs = time.monotonic() - t0
    check(not SANITIZER.search(p.stderr), "%s: sanitizer report" % name, p.stderr)
    check(p.returncode == status, "%s: exit status %d, not %d" % (name, p.returncode, status),
          p.stderr[:2000])
    for w in words:
        check(w in p.stderr, "%s: the message does not say %r" % (name, w), p.stderr[:2000])
    check(secs < 60, "%s: took %.0f s" % (name, secs))
    check(os.listdir(out) == [], "%s: left %s" % (name, os.listdir(out)))
    print("  %-14s exit %d in %5.2f s: %s" % (name, status, secs,
                                              p.stderr.strip().splitlines()[0][:150]))


def bad_inputs():
    def city(**kw):
        c = {"name": "Hefei"}
        c.update(kw)
        return [c]

    write_json(path("ships"), scenario("ships", cities=city(shipments_per_day=1e9)))
    expect("ships", 2, "shipments_per_day", "outside the allowed range")

    sc = scenario("horizon")
    sc["horizon"]["window"]["end"] = "2199-01-01"
    write_json(path("horizon"), sc)
    expect("horizon", 2, "horizon.window.end", "at most 3660 days")

    write_json(path("reps"), scenario("reps", replications=10 ** 9))
    expect("reps", 2, "replications", "outside the allowed range")

    # a million cities fit in 3 MB as {}: refused by count, not by size
    sc = scenario("cities")
    del sc["cities"]
    with open(path("cities"), "w") as f:
        f.write(json.dumps(sc)[:-1] + ', "cities": [' + ",".join(["{}"] * 10 ** 6) + "]}")
    expect("cities", 2, "1000000 cities; 1 to 1024 are allowed")

    # 100 MB (sparse: the size alone refuses it, before a byte is read)
    with open(path("huge"), "w") as f:
        f.write('{"name": "huge", "description": "')
        f.truncate(100 * MiB)
    expect("huge", 2, "scenario files may be at most 16777216 bytes")

    with open(path("nested"), "w") as f:
        f.write('{"name": "nested", "notes": ' + "[" * 100000 + "]" * 100000 + "}")
    expect("nested", 2, "nesting deeper than")

    for name, word in (("nan", "NaN"), ("inf", "Infinity"), ("minus_inf", "-Infinity")):
        with open(path(name), "w") as f:
            f.write(text_with(name, '"shipments_per_day": 2', '"shipments_per_day": ' + word))
        expect(name, 2, "NaN and Infinity are not allowed")
    with open(path("huge_number"), "w") as f:
        f.write(text_with("huge_number", '"shipments_per_day": 2', '"shipments_per_day": 1e999'))
    expect("huge_number", 2, "too large")

    # a FIFO (named pipe) extended by a scenario: refused, not waited on
    os.mkfifo(path("fifo"))
    sc = scenario("fifo_top")
    sc["extends"] = "fifo.json"
    write_json(path("fifo_top"), sc)
    expect("fifo_top", 2, "not a regular file")

    # a unit cost whose tail passes 1e9 CNY is refused by the loader
    write_json(path("unit_cost"), scenario("unit_cost", defaults={"categories": {
        "electronics": {"unit_cost_cny": {"dist": "fixed", "value": 1e12}}}}))
    expect("unit_cost", 2, "overflow the ledger")


def fen_overflow():
    # each amount within the caps, their products and sums not: the ledger's
    # overflow flag, BF_ERANGE, and the model's message reach the user
    units = {"units": {"dist": "fixed", "value": 100000}}
    write_json(path("fen"), scenario("fen", defaults={
        "categories": {c: {"unit_cost_cny": {"dist": "fixed", "value": 1e9},
                           "price_multiple": 1000}
                       for c in ("electronics", "apparel", "toys", "home")},
        "channels": {c: dict(units) for c in ("9610", "9710", "9810", "0110")}}))
    expect("fen", 1, "run failed", "exceeded the range of the ledger")


def max_memory():
    # valid, but a hundred thousand shipments a day of 1e5 units each
    units = {"units": {"dist": "fixed", "value": 100000}}
    heavy = scenario("heavy", defaults={
        "channels": {c: dict(units) for c in ("9610", "9710", "9810", "0110")}})
    heavy["cities"][0]["shipments_per_day"] = 100000
    write_json(path("heavy"), heavy)
    expect("heavy", 1, "out of memory", "--max-memory", extra=["--max-memory", "20M"])
    # the loader is held to the bound too
    expect("cities", 1, "out of memory while loading", "--max-memory",
           extra=["--max-memory", "20M"])
    # and so is validate, which loads without running
    p = run(EXE, ["validate", "--max-memory", "20M", path("cities")], timeout=120)
    check(not SANITIZER.search(p.stderr), "validate cities: sanitizer report", p.stderr)
    check(p.returncode == 1, "validate cities: exit status %d, not 1" % p.returncode, p.stderr[:2000])
    check(p.stderr.strip() == "borderflow: %s: out of memory while loading (see --max-memory)" % path("cities"),
          "validate cities: unexpected message", p.stderr[:2000])
    # a valid file is still valid under that bound
    p = run(EXE, ["validate", "--max-memory", "20M", path("heavy")], timeout=120)
    check(p.returncode == 0 and "valid" in p.stdout,
          "validate heavy under --max-memory 20M: exit status %d" % p.returncode, p.stderr[:2000])
    print("  validate --max-memory 20M: the 10^6-city file refused (exit 1), a valid one accepted")


if __name__ == "__main__":
    fresh_dir(WORK)
    sys.exit(main([
        ("absurd_inputs_should_be_refused_before_any_work", bad_inputs),
        ("amounts_that_overflow_fen_should_end_the_run_with_a_message", fen_overflow),
        ("max_memory_should_bound_a_valid_but_huge_run", max_memory),
    ]))
