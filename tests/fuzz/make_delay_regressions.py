#!/usr/bin/env python3
"""Writes the reproducers of issue 13's first defect into tests/fuzz/regressions/.

Each is the issue's one-city scenario with one delay at an extreme value:
gamma of shape 1 and scale 10^9 days, or lognormal of mu 690 (a median of
e^690 days). Before validation bounded the far tail of durations, every one
passed `borderflow validate` and then aborted the run in bf_cal_day_of
(exit status 134). Now each is refused with exit status 2 and a located
message: <name>.expect beside each file holds it (integration.rejected.*),
and the fuzz entries replay them (reliability.fuzz_regressions,
reliability.fuzz_model_regressions).

    python3 tests/fuzz/make_delay_regressions.py     # from the source tree
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "regressions")

# (name in the file name, path of the parameter in a parameter section)
PARAMS = [
    ("port_handling_d", ["port", "handling_d"]),
    ("rebate_closure_lag_d", ["rebate", "closure_lag_d"]),
    ("rebate_doc_collection_d", ["rebate", "doc_collection_d"]),
    ("rebate_processing_wd", ["rebate", "processing_wd"]),
    ("rebate_treasury_wd", ["rebate", "treasury_wd"]),
] + [("channels_%s_settlement_d" % c, ["channels", c, "settlement_d"])
     for c in ("9610", "9710", "9810", "0110")]

EXTREMES = [
    ("g1e9", {"dist": "gamma", "shape": 1, "scale": 1000000000.0}),
    ("lnmu690", {"dist": "lognormal", "mu": 690, "sigma": 1}),
]


def scenario(name, path, value):
    defaults = {}
    node = defaults
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return {
        "name": name,
        "horizon": {"window": {"start": "2026-01-01", "end": "2026-03-01"},
                    "warmup_days": 0, "tail_days": 30},
        "replications": 2,
        "seed": 1,
        "cities": [{"name": "Hefei", "province": "Anhui", "shipments_per_day": 2,
                    "effective_date": "2026-01-20"}],
        "policies": {"before": {"description": "b"},
                     "after": {"description": "a",
                               "channels": {"9810": {"trigger": "departure",
                                                     "fallback_trigger": "departure"}}}},
        "compare": ["before", "after"],
        "defaults": defaults,
    }


def main():
    for pname, path in PARAMS:
        for xname, value in EXTREMES:
            name = "delay-%s-%s" % (pname, xname)
            with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
                json.dump(scenario(name, path, value), f)
                f.write("\n")
            print("wrote tests/fuzz/regressions/%s.json" % name)


if __name__ == "__main__":
    main()
