#!/usr/bin/env python3
"""Writes clearance_hours.csv, the example input of `borderflow fit`.

200 made-up export declarations, each with the hours from lodging the
declaration to its release drawn from a lognormal distribution with median
4 h and 90th percentile 12 h (mu = ln 4, sigma = ln 3 / z_0.9), with the
random generator of Python's standard library seeded with 2026, so the
file is the same on every run:

    python3 scenarios/examples/fit/make_clearance_hours.py > scenarios/examples/fit/clearance_hours.csv

Declarations are lodged on weekdays of March 2026 between 08:30 and 17:30;
the release time is the lodging time plus the drawn duration, rounded to
the minute as customs systems record it, and clearance_h is released minus
declared in hours (two decimals). The port names hold a comma, so the file
also shows a quoted CSV field. Nothing here is a real record.
"""

import datetime
import math
import random
import sys

MEDIAN_H = 4.0
P90_H = 12.0
Z90 = 1.2815515655446004  # the 0.9 quantile of the standard normal
N = 200
SEED = 2026

PORTS = ["Chongqing, Tuanjiecun", "Chengdu, Qingbaijiang", "Hefei, North", "Xi'an, Xinzhu"]


def main():
    rng = random.Random(SEED)
    mu = math.log(MEDIAN_H)
    sigma = (math.log(P90_H) - mu) / Z90
    days = [datetime.date(2026, 3, d) for d in range(1, 32)]
    days = [d for d in days if d.weekday() < 5]
    out = sys.stdout
    out.write("declaration_id,port,declared_at,released_at,clearance_h\r\n")
    for i in range(N):
        day = rng.choice(days)
        minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
        declared = datetime.datetime(day.year, day.month, day.day) + datetime.timedelta(minutes=minute)
        hours = rng.lognormvariate(mu, sigma)
        released = declared + datetime.timedelta(minutes=max(1, round(hours * 60)))
        clearance_h = (released - declared).total_seconds() / 3600
        out.write('D2026%06d,"%s",%s,%s,%.2f\r\n' % (
            i + 1, rng.choice(PORTS), declared.strftime("%Y-%m-%d %H:%M"),
            released.strftime("%Y-%m-%d %H:%M"), clearance_h))


if __name__ == "__main__":
    main()
