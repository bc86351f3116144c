#!/usr/bin/env python3
"""docs/scenario.schema.json under an independent validator (docs/testing.md).

    schema_test.py --source SRCDIR --borderflow PROGRAM --work WORKDIR

Validates, with python-jsonschema (Debian's python3-jsonschema; scripts/deps
test installs it) and a format checker so that "format": "date" is enforced:

  - every scenario shipped: scenarios/default.json, scenarios/examples/*.json
    and scenarios/tests/*.json must pass;
  - every file of tests/data/bad/*.json must fail, but those listed in
    NOT_EXPRESSIBLE, which JSON Schema cannot refuse, each with its reason;
    a listed file that starts failing is an error too (the list is kept
    exact); and no refusal reads "not valid under any of the given schemas";
  - a few documents at the edges (the largest seed, policy names, an empty
    city name, a partial child of "extends", a lognormal of two forms, a
    misspelt key, 30 February, Morris levels and bootstrap resamples, a
    uniform with min > max), each given to
    `borderflow validate` too, which must agree with the schema (or, for
    what the schema cannot say, refuse alone).

The schema is checked against its meta-schema first, and the format checker
is checked to refuse 2026-02-30 (so that a validator that ignores formats
cannot make the date checks pass unseen).

Exit 0 pass, 1 fail, 77 skip (python-jsonschema not installed).
"""
import argparse
import glob
import json
import os
import subprocess
import sys

# File -> why JSON Schema cannot refuse it. A schema sees one document
# after parsing: not the files it extends, not duplicate keys (the parser
# keeps one), not relations between values in different places.
NOT_EXPRESSIBLE = {
    "compare_pair_name": "the pair's name joins the scenario's name and a policy's: a length of "
    "two values together",
    "delay_beyond_calendar": "a distribution's far tail (its 1e-12 quantile, scaled by the class "
    "and policy factors) is computed, not bounded by a keyword",
    "duplicate_city": "two cities of one name: uniqueItems compares whole entries, not one key",
    "effective_date_outside": "an effective date against the horizon: a comparison of two dates",
    "extends_cycle": "a cycle of files that extend each other: across files",
    "extends_duplicate_keys": "a key written twice in a file it extends: across files, and a JSON "
    "parser keeps one of the two",
    "extends_misspelt_city": "a city its parent does not have: across files",
    "extends_misspelt_policy": "a policy its parent does not have: across files",
    "extends_missing": "the file it extends does not exist: across files",
    "extends_moved_horizon": "the parent's effective dates outside the child's horizon: across "
    "files",
    "extends_not_json": "the file it extends is not JSON: across files",
    "extends_secret": "the file it extends is not a scenario: across files",
    "lognormal_median_p90": "p90 greater than the median: a relation between two keys",
    "policy_effective_date_unused": "a date on the baseline policy, which \"compare\" names: a "
    "reference between values",
    "select_drops_changed": "\"select\" drops a city the file changes: a reference between values",
    "select_keeps_nothing": "\"select\" names a class no city has: a reference between values",
    "unknown_class": "a city's class that \"classes\" does not define: a reference between values",
    "unknown_policy_compare": "\"compare\" names a policy \"policies\" does not define: a "
    "reference between values",
    "window_backwards": "the window's end before its start: a comparison of two dates",
    "window_outside_calendar": "the warm-up reaches before 1970: date arithmetic on three values",
}

# Files that are not JSON documents (RFC 8259) at all: no schema applies.
NOT_JSON = {
    "deep_nesting": "nested deeper than a JSON parser recurses",
    "empty_file": "empty",
    "infinity_literal": "Infinity is not a JSON number",
    "invalid_utf8": "not UTF-8",
    "nan_literal": "NaN is not a JSON number",
    "syntax_comment": "a comment",
    "syntax_missing_comma": "a missing comma",
    "syntax_trailing_comma": "a trailing comma",
    "syntax_unclosed": "an unclosed object",
}


BASE = {
    "name": "schema_case",
    "horizon": {"window": {"start": "2026-01-01", "end": "2026-03-01"}, "warmup_days": 0},
    "cities": [{"name": "Hefei", "shipments_per_day": 2}],
    "policies": {"before": {}, "after": {}},
}


SENS = {"method": "morris", "parameters": [{"path": "rebate.processing_wd", "range": [1, 5]}]}


def case(change):
    doc = json.loads(json.dumps(BASE))
    change(doc)
    return doc


def child(doc):
    """A partial scenario that extends scenarios/tests/one_city.json."""
    for k in ("horizon", "cities", "policies"):
        doc.pop(k)
    doc["extends"] = "ONE_CITY"
    doc["horizon"] = {"tail_days": 30}
    doc["policies"] = {"after": {"rebate": {"processing_wd": 3}}}


# Cases at the edges of what the schema says, each also given to `borderflow
# validate`, which must agree: (name, document, accepted, a word -- or
# words, one of which -- that the schema's message holds when refused;
# accepted None: the program refuses what the schema cannot say).
CASES = [
    ("largest_seed", case(lambda d: d.update(seed=2**53)), True, None),
    ("seed_beyond", case(lambda d: d.update(seed=2**53 + 2)), False, "maximum"),
    ("policy_capitals", case(lambda d: d.update(policies={"before": {}, "After": {}})), False,
     "does not match"),
    ("policy_32_chars", case(lambda d: d.update(policies={"before": {}, "a" * 32: {}})), False,
     "too long"),
    ("city_empty_name", case(lambda d: d["cities"][0].update(name="")), False, ("too short", "non-empty")),
    ("child_sets_some_keys", case(child), True, None),
    ("lognormal_two_forms",
     case(lambda d: d.update(defaults={"port": {"handling_d": {"dist": "lognormal", "median": 1,
                                                               "p90": 3, "sd": 2}}})),
     False, ("False schema", "is a required property")),
    ("gamma_typo",
     case(lambda d: d.update(defaults={"port": {"handling_d": {"dist": "gamma", "mean": 1,
                                                               "cvv": 0.5}}})),
     False, "cvv"),
    ("february_30", case(lambda d: d["cities"][0].update(effective_date="2026-02-30")), False,
     "date"),
    ("morris_odd_levels", case(lambda d: d.update(sensitivity=dict(SENS, levels=3))), False,
     "multiple of 2"),
    ("bootstrap_too_few", case(lambda d: d.update(sensitivity=dict(SENS, bootstrap=10))), False,
     "minimum of 40"),
    ("bootstrap_none", case(lambda d: d.update(sensitivity=dict(SENS, bootstrap=0))), True, None),
    ("uniform_min_above_max_not_expressible",
     case(lambda d: d.update(defaults={"port": {"handling_d": {"dist": "uniform", "min": 3,
                                                               "max": 1}}})),
     None, None),
]


def strict_load(path):
    """The document, or None when the file is not JSON (Python's parser
    takes NaN and Infinity, which JSON does not have)."""

    def refuse(name):
        raise ValueError("%s is not a JSON number" % name)

    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"), parse_constant=refuse)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--borderflow", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    try:
        import jsonschema
    except ImportError:
        print("SKIP: python-jsonschema is not installed (scripts/deps test)")
        return 77
    src = args.source
    with open(os.path.join(src, "docs", "scenario.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    if cls is not jsonschema.Draft202012Validator:
        print("FAIL: the schema declares %s, not draft 2020-12" % schema.get("$schema"))
        return 1
    cls.check_schema(schema)
    checker = jsonschema.FormatChecker()
    if checker.conforms("2026-02-30", "date") or not checker.conforms("2026-02-28", "date"):
        print("FAIL: this jsonschema's format checker does not check dates")
        return 1
    v = cls(schema, format_checker=checker)
    problems = []
    good = [os.path.join(src, "scenarios", "default.json")]
    for d in ("examples", "tests"):
        good += sorted(glob.glob(os.path.join(src, "scenarios", d, "*.json")))
    for path in good:
        doc = strict_load(path)
        rel = os.path.relpath(path, src)
        if doc is None:
            problems.append("%s: not JSON" % rel)
            continue
        for e in v.iter_errors(doc):
            problems.append("%s: %s: %s" % (rel, "/".join(map(str, e.absolute_path)), e.message))
    bad = sorted(glob.glob(os.path.join(src, "tests", "data", "bad", "*.json")))
    names = set()
    n_refused = 0
    for path in bad:
        name = os.path.splitext(os.path.basename(path))[0]
        names.add(name)
        doc = strict_load(path)
        if name in NOT_JSON:
            if doc is not None:
                problems.append("%s: listed as not JSON (%s), but parses" % (name, NOT_JSON[name]))
            continue
        if doc is None:
            problems.append("%s: not JSON; list it in NOT_JSON with why" % name)
            continue
        err = jsonschema.exceptions.best_match(v.iter_errors(doc))
        if name in NOT_EXPRESSIBLE:
            if err is not None:
                problems.append(
                    "%s: listed as not expressible (%s), but the schema refuses it: %s"
                    % (name, NOT_EXPRESSIBLE[name], err.message)
                )
            continue
        if err is None:
            problems.append("%s: the schema accepts it, the program refuses it" % name)
            continue
        n_refused += 1
        # the distribution's kind picks its keys: the message names a key
        # or a value, never "not valid under any of the given schemas"
        if "under any of the given schemas" in err.message:
            problems.append("%s: an unhelpful message: %s" % (name, err.message))
    for name in sorted((set(NOT_EXPRESSIBLE) | set(NOT_JSON)) - names):
        problems.append("%s: listed, but tests/data/bad/%s.json does not exist" % (name, name))
    # the edge cases, against the program
    os.makedirs(args.work, exist_ok=True)
    one_city = os.path.abspath(os.path.join(src, "scenarios", "tests", "one_city.json"))
    for name, doc, accepted, word in CASES:
        if doc.get("extends") == "ONE_CITY":
            doc["extends"] = os.path.relpath(one_city, args.work)
        path = os.path.join(args.work, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        rc = subprocess.run([args.borderflow, "validate", path], capture_output=True).returncode
        err = jsonschema.exceptions.best_match(v.iter_errors(doc))
        if accepted is None:  # refused by the program only
            if rc != 2 or err is not None:
                problems.append("%s: the program's exit %d, the schema %s" %
                                (name, rc, err.message if err else "accepts"))
            continue
        if rc != (0 if accepted else 2):
            problems.append("%s: borderflow validate exits %d" % (name, rc))
        if accepted and err is not None:
            problems.append("%s: the schema refuses it: %s" % (name, err.message))
        words = word if isinstance(word, tuple) else (word,)  # the message varies by version
        if not accepted and (err is None or not any(w in err.message for w in words)):
            problems.append("%s: the schema's message is %r, without %r" %
                            (name, err.message if err else None, word))
    for p in problems:
        print("FAIL: " + p)
    if problems:
        return 1
    print(
        "ok: %d shipped scenarios pass; of %d bad files %d are refused, %d listed as not "
        "expressible, %d not JSON; %d edge cases agree with the program"
        % (len(good), len(bad), n_refused, len(NOT_EXPRESSIBLE), len(NOT_JSON), len(CASES))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
