/*
 * bench_busy_city.c - a year of a busy city: 1,000 shipments a day of 50
 * units each, the default rules otherwise (one replication, one policy).
 * Prints the run time, the units and events per second, the most shipments
 * and returned units in flight at once, and the peak memory -- to show that
 * memory follows what is in flight, not what was simulated: run it for
 * 365 and 730 days, and the units simulated double while the peak memory
 * barely moves.
 *
 *   build/release/tests/bench/bench_busy_city [shipments_per_day=1000] [units=50] [days=365]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "borderflow/alloc.h"
#include "borderflow/model.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    double spd = argc > 1 ? atof(argv[1]) : 1000.0;
    double units = argc > 2 ? atof(argv[2]) : 50.0;
    double days = argc > 3 ? atof(argv[3]) : 365.0;
    if (!(spd > 0 && spd <= 100000) || !(units >= 1 && units <= 100000) ||
        !(days >= 1 && days <= 3650)) {
        fputs("usage: bench_busy_city [shipments_per_day 1..100000] [units 1..100000] "
              "[days 1..3650]\n",
              stderr);
        return 2;
    }
    struct bf_calendar cal;
    bf_calendar_init(&cal);
    if (bf_calendar_add_cn_builtin(&cal, NULL) != 0)
        return 1;
    struct bf_params p;
    bf_params_default(&p);
    p.shipments_per_day = spd;
    for (int c = 0; c < BF_CH_COUNT; c++)
        if (bf_dist_fixed(&p.channel[c].units, units, NULL) != 0)
            return 1;
    struct bf_model_input in = {.old_rules = &p,
                                .new_rules = &p,
                                .effective_day = INT32_MAX,
                                .cal = &cal,
                                .start_day = bf_date_from_ymd(2026, 1, 1),
                                .window_day = bf_date_from_ymd(2026, 1, 1),
                                .window_days = (uint32_t)days,
                                .tail_days = 365,
                                .financing_rate = 0.06,
                                .discount_rate = 0.06,
                                .seed = 1};
    struct bf_model_result res;
    struct bf_diag d;
    bf_diag_clear(&d);
    double t0 = now_s();
    int rc = bf_model_run(&in, &res, &d);
    double secs = now_s() - t0;
    if (rc != 0) {
        fprintf(stderr, "bench_busy_city: %s\n", d.msg);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("busy city: %.0f shipments/day x %.0f units, %.0f days + 365 tail\n", spd, units, days);
    printf("shipments %.0f, units %llu, events %llu\n", res.metric[BF_M_shipments],
           (unsigned long long)res.units_created, (unsigned long long)res.n_events);
    printf("run time %.2f s: %.0f units/s, %.0f events/s\n", secs, (double)res.units_created / secs,
           (double)res.n_events / secs);
    printf("in flight at most: %u shipments, %u returned units\n", res.peak_shipments_in_flight,
           res.peak_items_in_flight);
    printf("peak memory: %.1f MiB allocated at once, %.1f MiB resident\n",
           (double)bf_alloc_peak_bytes() / 1048576.0, (double)ru.ru_maxrss / 1024.0);
    bf_model_result_fini(&res);
    bf_calendar_fini(&cal);
    return 0;
}
