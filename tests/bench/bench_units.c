/*
 * bench_units.c - what one simulated unit costs, as a ratio to the plain
 * event loop measured in the same run.
 *
 * A program, not a test (machines are shared and noisy): it prints figures
 * for docs/performance.md. Run from the source root:
 *
 *   build/release/tests/bench/bench_units [scenarios/default.json] [pairs=3]
 *
 * 1. The study's work at -j 1 -- a fixed subset of the scenario's cities,
 *    every fifth one (for the default study 9 of the 45, from each class),
 *    with its replications, warm-up and window -- alternately with the
 *    plain M/M/1 loop of plain_mm1.c (the median of three runs of 1,000,000
 *    customers), `pairs` times.
 *    Per pair: units simulated per second, events per second, and the
 *    ratio  plain-loop events per second / units per second: how many of
 *    the plain loop's events one simulated unit costs. Units are every
 *    unit created in the run (warm-up, window), the work the simulator
 *    does.
 * 2. The same ratio for one busy city (1,000 shipments a day of 50 units,
 *    the default rules, a 365-day window after a 365-day warm-up).
 * 3. Time at x1, x2, x4 shipments a day on the subset (one replication,
 *    the fastest of three runs).
 * 4. Peak memory.
 * The last line is the median ratio of the study's pairs:
 *   plain-loop events per simulated unit: X.XX
 * With "pairs-only" as the third argument, only 1 and that line.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "borderflow/alloc.h"
#include "borderflow/batch.h"

#include "plain_mm1.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct timing {
    double seconds;
    uint64_t units, events;
};

static struct timing run_study(const struct bf_scenario *sc, uint32_t reps)
{
    struct bf_batch_options o = {.jobs = 1, .replications = reps, .seed = -1};
    struct bf_results r;
    struct bf_diag d;
    bf_diag_clear(&d);
    double t0 = now_s();
    if (bf_batch_run(sc, &o, &r, &d) != 0) {
        fprintf(stderr, "bench_units: run failed: %s\n", d.msg);
        exit(1);
    }
    struct timing t = {.seconds = now_s() - t0, .events = r.events};
    size_t ng = (size_t)r.n_points * r.n_cities * r.n_policies;
    for (size_t i = 0; i < ng; i++)
        t.units += r.group[i].units_created;
    bf_results_fini(&r);
    return t;
}

/* The plain loop's speed: the median of three runs of 1,000,000 customers
 * (2 M events, some 60 ms each): one run alone varies by a fifth on a shared
 * machine. */
static double plain_events_per_s(uint64_t seed)
{
    double v[3];
    for (int k = 0; k < 3; k++) {
        struct bf_plain_result p = bf_plain_mm1(1000000, seed * 3 + (uint64_t)k);
        v[k] = (double)p.events / p.seconds;
    }
    double lo = fmin(v[0], fmin(v[1], v[2])), hi = fmax(v[0], fmax(v[1], v[2]));
    return v[0] + v[1] + v[2] - lo - hi;
}

static struct timing run_busy(const struct bf_calendar *cal)
{
    struct bf_params p;
    bf_params_default(&p);
    p.shipments_per_day = 1000.0;
    for (int c = 0; c < BF_CH_COUNT; c++)
        if (bf_dist_fixed(&p.channel[c].units, 50.0, NULL) != 0)
            exit(1);
    struct bf_model_input in = {.old_rules = &p,
                                .new_rules = &p,
                                .effective_day = INT32_MAX,
                                .cal = cal,
                                .start_day = bf_date_from_ymd(2025, 1, 1),
                                .window_day = bf_date_from_ymd(2026, 1, 1),
                                .window_days = 365,
                                .tail_days = 365,
                                .financing_rate = 0.06,
                                .discount_rate = 0.06,
                                .seed = 1};
    struct bf_model_result res;
    struct bf_diag d;
    bf_diag_clear(&d);
    double t0 = now_s();
    if (bf_model_run(&in, &res, &d) != 0) {
        fprintf(stderr, "bench_units: busy city failed: %s\n", d.msg);
        exit(1);
    }
    struct timing t = {.seconds = now_s() - t0, .units = res.units_created, .events = res.n_events};
    bf_model_result_fini(&res);
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "scenarios/default.json";
    int pairs = argc > 2 ? atoi(argv[2]) : 3;
    const bool pairs_only = argc > 3 && strcmp(argv[3], "pairs-only") == 0;
    if (pairs < 1 || pairs > 99 || (argc > 3 && !pairs_only) || argc > 4) {
        fputs("usage: bench_units [SCENARIO] [pairs 1..99] [pairs-only]\n", stderr);
        return 2;
    }
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    if (bf_scenario_load(path, &sc, &pb) != 0) {
        fprintf(stderr, "bench_units: cannot load %s\n", path);
        return 2;
    }
    bf_problems_fini(&pb);
    /* every fifth city: a fixed subset across the classes */
    uint32_t all = sc.n_cities, n = 0;
    for (uint32_t c = 0; c < all; c += 5) {
        struct bf_city tmp = sc.city[n];
        sc.city[n] = sc.city[c];
        sc.city[c] = tmp;
        n++;
    }
    sc.n_cities = n;
    printf("scenario %s: %u of %u cities (every fifth), %u replications, warm-up %u + window %u "
           "+ tail %u days, -j 1\n",
           sc.name, n, all, sc.replications, sc.warmup_days, sc.window_days, sc.tail_days);

    double ratio[99];
    for (int k = 0; k < pairs; k++) {
        struct timing t = run_study(&sc, 0);
        double pps = plain_events_per_s((uint64_t)k + 1);
        double ups = (double)t.units / t.seconds;
        ratio[k] = pps / ups;
        printf("pair %d: study %.2f s, %.0f units/s, %.0f events/s; plain loop %.0f events/s; "
               "ratio %.2f\n",
               k + 1, t.seconds, ups, (double)t.events / t.seconds, pps, ratio[k]);
    }
    if (pairs_only) {
        sc.n_cities = all;
        bf_scenario_fini(&sc);
        printf("plain-loop events per simulated unit: %.2f\n", median(ratio, pairs));
        return 0;
    }
    struct timing b = run_busy(&sc.cal);
    double pps = plain_events_per_s(99);
    printf("busy city (1,000 shipments/day x 50 units, 365 + 365 + 365 days): %.2f s, %.0f "
           "units/s; plain loop %.0f events/s; ratio %.2f\n",
           b.seconds, (double)b.units / b.seconds, pps, pps / ((double)b.units / b.seconds));

    double base[BF_MAX_CITIES];
    for (uint32_t c = 0; c < n; c++)
        base[c] = sc.city[c].params[0].shipments_per_day;
    /* the fastest of three runs each: noise on a shared machine only adds
     * time, and a run of a second or two is easily hit */
    double t1 = 0.0;
    for (int f = 1; f <= 4; f *= 2) {
        for (uint32_t c = 0; c < n; c++)
            for (uint32_t p = 0; p < sc.n_policies; p++)
                sc.city[c].params[p].shipments_per_day = base[c] * f;
        double best = INFINITY;
        for (int k = 0; k < 3; k++)
            best = fmin(best, run_study(&sc, 1).seconds);
        if (f == 1)
            t1 = best;
        printf("shipments x%d, 1 replication: %.2f s, fastest of 3 (x%.2f the time at x1)\n", f,
               best, best / t1);
    }
    for (uint32_t c = 0; c < n; c++)
        for (uint32_t p = 0; p < sc.n_policies; p++)
            sc.city[c].params[p].shipments_per_day = base[c];
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak memory: %.1f MiB allocated by borderflow at once, %.1f MiB resident\n",
           (double)bf_alloc_peak_bytes() / 1048576.0, (double)ru.ru_maxrss / 1024.0);
    sc.n_cities = all;
    bf_scenario_fini(&sc);
    printf("plain-loop events per simulated unit: %.2f\n", median(ratio, pairs));
    return 0;
}
