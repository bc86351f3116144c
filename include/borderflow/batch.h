/*
 * batch.h - running a scenario: work items on a pool of threads, and the
 * statistics of their results.
 *
 * A work item is one (point, city, policy, replication); point 0 is the
 * scenario as written, points 1.. are the values of its sweeps, one at a
 * time. Items run on `jobs` threads; each item's inputs depend only on its
 * indices and every group (point, city, policy) is summarised from its own
 * replications in replication order, so the results are the same, bit for
 * bit, whatever the number of threads. The before and after runs of one
 * (city, replication) share their random streams (common random numbers);
 * their differences get paired intervals and a variance reduction factor.
 *
 * Every figure is taken in the scenario's measurement window, after a
 * warm-up that fills the pipeline; the warm-up is checked with MSER-5 on
 * the baseline policy's daily working capital (docs/statistics.md).
 */
#ifndef BORDERFLOW_BATCH_H
#define BORDERFLOW_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "borderflow/model.h"
#include "borderflow/scenario.h"
#include "borderflow/stats.h"

/* Components of working capital in the daily series (daily_wc.csv,
 * daily_delta.csv): inventory (returning goods included), trade receivables,
 * export rebate receivable, and their total. */
#define BF_WC_MAP(XX)                                                                              \
    XX(inventory)                                                                                  \
    XX(receivables)                                                                                \
    XX(rebate_receivable)                                                                          \
    XX(total)

enum bf_wc {
#define XX(name) BF_WC_##name,
    BF_WC_MAP(XX)
#undef XX
        BF_WC_COUNT
};
const char *bf_wc_name(enum bf_wc c);

/*
 * The metrics of delta.csv: every model metric (after - before), then what
 * follows from a pair -- the capital released and the financing saving
 * (before - after: positive when the policy frees capital), and every cash
 * metric per CNY million of the before run's exports in the window, so that
 * cities compare without their assumed volumes.
 */
#define BF_PER_M_MAP(XX)                                                                           \
    XX(rebate_paid)                                                                                \
    XX(rebate_repaid)                                                                              \
    XX(rebate_settled)                                                                             \
    XX(wc_avg)                                                                                     \
    XX(wc_peak)                                                                                    \
    XX(wc_inventory_avg)                                                                           \
    XX(wc_returning_avg)                                                                           \
    XX(wc_receivables_avg)                                                                         \
    XX(wc_rebate_receivable_avg)                                                                   \
    XX(financing_cost)                                                                             \
    XX(npv)

enum bf_delta_metric {
    BF_DX_capital_released_cny = BF_METRIC_COUNT,
    BF_DX_capital_released_per_m,
    BF_DX_financing_saving_cny,
    BF_DX_financing_saving_per_m,
#define XX(name) BF_DX_##name##_per_m,
    BF_PER_M_MAP(XX)
#undef XX
        BF_DELTA_COUNT
};

/* Name, unit and description of a delta metric (0 <= d < BF_DELTA_COUNT;
 * below BF_METRIC_COUNT the model metric's). */
const char *bf_delta_name(int d);
const char *bf_delta_unit(int d);
const char *bf_delta_desc(int d);
/* Index by name, or -1. */
int bf_delta_find(const char *name);
/* Whether delta d is before - after (released, saving) rather than after - before. */
bool bf_delta_is_release(int d);

/*
 * Totals over the cities of one point (totals.csv, summary.json "totals"):
 * for each replication the cities' sum -- for a time, their unweighted mean;
 * for a share or a per-million figure, the ratio of two sums -- then the
 * mean over the replications with its 95% interval, under each policy of
 * the comparison and, paired, their change. Each total says what its
 * change is (BF_TC_*): after - before, before - after for what the policy
 * releases, or a ratio computed per replication. And counts of cities by
 * where their interval of capital released lies. The four working-capital
 * components are disjoint and add up to the total: the stock abroad is the
 * model's inventory less the goods returning (which the model's inventory
 * metric includes).
 *   XX(name, unit, kind, description)
 */
#define BF_TOTAL_MAP(XX)                                                                           \
    XX(cities, "cities", COUNT, "cities in the study")                                             \
    XX(exports_cny, "CNY", SUM, "goods exported in the window, at cost, all cities")               \
    XX(wc_avg_cny, "CNY", SUM, "working capital, mean of the window's days, all cities")           \
    XX(wc_stock_abroad_avg_cny, "CNY", SUM,                                                        \
       "of which goods exported and unsold, in transit or in the overseas warehouse, at cost")     \
    XX(wc_returning_avg_cny, "CNY", SUM, "of which goods on their way back to China")              \
    XX(wc_receivables_avg_cny, "CNY", SUM, "of which trade receivables")                           \
    XX(wc_rebate_receivable_avg_cny, "CNY", SUM, "of which export VAT rebate receivable")          \
    XX(capital_released_cny, "CNY", RELEASED,                                                      \
       "working capital the policy releases: before - after of the window's mean, all cities")     \
    XX(capital_released_share, "share", SHARE,                                                     \
       "capital released / working capital before, per replication")                               \
    XX(capital_released_per_m, "CNY per CNY million exported", PER_M,                              \
       "capital released per CNY million of the before run's exports, per replication")            \
    XX(released_stock_abroad_cny, "CNY", RELEASED,                                                 \
       "capital released from goods exported and unsold (transit, overseas warehouse)")            \
    XX(released_returning_cny, "CNY", RELEASED, "capital released from goods returning")           \
    XX(released_receivables_cny, "CNY", RELEASED, "capital released from trade receivables")       \
    XX(released_rebate_receivable_cny, "CNY", RELEASED,                                            \
       "capital released from the rebate receivable")                                              \
    XX(financing_saving_cny, "CNY", RELEASED,                                                      \
       "financing cost before - after over the window's days, all cities")                         \
    XX(financing_saving_annual_cny, "CNY a year", ANNUAL,                                          \
       "capital released x the scenario's financing rate: the saving in a year")                   \
    XX(npv_cny, "CNY", SUM, "net present value of the window's cash flows, all cities")            \
    XX(days_to_rebate, "d", MEAN, "departure -> rebate received, unweighted mean of the cities")   \
    XX(return_cycle_d, "d", MEAN,                                                                  \
       "buyer return -> released back in China, unweighted mean of the cities")                    \
    XX(export_clearance_h, "h", MEAN,                                                              \
       "arrival at customs -> release, unweighted mean of the cities")                             \
    XX(cities_released_above_zero, "cities", COUNT,                                                \
       "cities whose 95% interval of capital released lies above zero")                            \
    XX(cities_released_below_zero, "cities", COUNT,                                                \
       "cities whose 95% interval of capital released lies below zero")                            \
    XX(cities_released_unclear, "cities", COUNT,                                                   \
       "cities whose 95% interval of capital released includes zero (or no change)")

enum bf_total_metric {
#define XX(name, unit, kind, desc) BF_T_##name,
    BF_TOTAL_MAP(XX)
#undef XX
        BF_TOTAL_COUNT
};

/* How a total's change is made (its kind in BF_TOTAL_MAP). */
enum bf_total_kind {
    BF_TK_COUNT,    /* a count: `count` only */
    BF_TK_SUM,      /* sums per replication; change = after - before */
    BF_TK_MEAN,     /* means of the cities per replication; change = after - before */
    BF_TK_RELEASED, /* change only: before - after of the sums per replication */
    BF_TK_SHARE,    /* change only: released / before, per replication */
    BF_TK_PER_M,    /* change only: released per CNY million of exports before */
    BF_TK_ANNUAL,   /* change only: released x the financing rate */
};

const char *bf_total_name(int t);
const char *bf_total_unit(int t);
const char *bf_total_desc(int t);
enum bf_total_kind bf_total_kind(int t);

struct bf_total {
    struct bf_summary before, after; /* of the sums or means; written for BF_TK_SUM, BF_TK_MEAN */
    struct bf_paired change;         /* n = 0 without a comparison, or where it does not apply */
    double count;                    /* BF_TK_COUNT: the number; NaN otherwise */
};

/* Where a city's interval of capital released lies (ranking.csv). */
enum bf_interval_sign { BF_SIGN_UNCLEAR = 0, BF_SIGN_ABOVE, BF_SIGN_BELOW };

/* One (point, city, policy): its replications and their summary. */
struct bf_group {
    double *metric; /* [replications][BF_METRIC_COUNT] */
    struct bf_summary summary[BF_METRIC_COUNT];
    double *breakdown;                              /* [replications][BF_BK_SLOTS][BF_BK_COUNT] */
    struct bf_summary bk[BF_BK_SLOTS][BF_BK_COUNT]; /* over replications */
    /* point 0 only, over the window's days (NULL otherwise): */
    double *cash_mean_cny; /* [window_days] cash position from the window's start */
    double *cash_p05_cny, *cash_p95_cny;
    double *wc_mean_cny; /* [BF_WC_COUNT][window_days] end-of-day working capital */
    double *wc_p05_cny, *wc_p95_cny;
    struct bf_hist days_to_rebate, return_cycle;      /* merged over replications */
    struct bf_shipment_record sample[BF_MAX_SAMPLES]; /* of replication 0 */
    uint32_t n_samples;
    double flow_mean_cny[BF_FLOW_COUNT]; /* mean per flow over replications, dated in the window */
    uint64_t events;
    uint64_t calendar_unknown;
    int32_t calendar_unknown_day;
    uint64_t calendar_projected;
    uint64_t unit_states[BF_US_COUNT]; /* summed over replications */
    uint64_t units_created;
    /* the baseline policy's groups of point 0: MSER-5 on the mean daily
     * working capital from the run's start to the window's end */
    struct bf_mser warmup;
    bool warmup_checked;
};

/* after - before of one component on one day of the window, over the
 * replications (point 0) */
struct bf_daily_delta {
    double mean, ci_low, ci_high;
};

/* A sample of the sensitivity design (sweep == BF_POINT_SAMPLE, value =
 * the sample's index), not a sweep value. */
#define BF_POINT_SAMPLE (-2)

struct bf_point {
    int sweep;      /* -1 for the scenario as written, BF_POINT_SAMPLE */
    uint32_t value; /* index into the sweep's values, or the sample's */
};

/*
 * The metrics of a sensitivity study (sensitivity.csv, uncertainty.csv):
 * per city its paired change (delta.csv), for the study its total
 * (totals.csv), at every sample of the design.
 *   XX(name, delta metric, total metric)
 */
#define BF_SENS_METRIC_MAP(XX)                                                                     \
    XX(capital_released_cny, BF_DX_capital_released_cny, BF_T_capital_released_cny)                \
    XX(capital_released_per_m, BF_DX_capital_released_per_m, BF_T_capital_released_per_m)          \
    XX(financing_saving_cny, BF_DX_financing_saving_cny, BF_T_financing_saving_cny)                \
    XX(days_to_rebate, BF_M_days_to_rebate, BF_T_days_to_rebate)

enum bf_sens_metric {
#define XX(name, d, t) BF_SM_##name,
    BF_SENS_METRIC_MAP(XX)
#undef XX
        BF_SM_COUNT
};
const char *bf_sens_metric_name(int m);

/* The indices: Morris mu*, mu, sigma; Sobol' first and total order. */
enum bf_sens_index { BF_SI_MU_STAR, BF_SI_MU, BF_SI_SIGMA, BF_SI_FIRST, BF_SI_TOTAL };
const char *bf_sens_index_name(int i);

/* One row of sensitivity.csv: city (-1: the study's total), metric,
 * parameter (index into sc->sens.param), index, its value and bootstrap
 * 95% interval. */
struct bf_sens_row {
    int32_t city;
    uint8_t metric, param, index;
    double value, lo, hi;
};

/* One row of uncertainty.csv: a metric's distribution over the samples of
 * the design (each a mean over the replications), and the replication
 * noise beside it: the mean over samples of the standard error of that
 * mean. */
struct bf_uncert_row {
    int32_t city;
    uint8_t metric;
    uint32_t n;
    double mean, sd, p05, p50, p95, noise_se;
};

struct bf_results {
    const struct bf_scenario *sc;
    uint32_t replications;
    uint64_t seed;
    uint32_t n_points, n_cities, n_policies;
    struct bf_point *point; /* [n_points] */
    int32_t first_day;      /* the simulation's first day */
    uint32_t n_days;        /* warm-up + window + tail */
    int32_t window_day;     /* the window's first day */
    uint32_t window_from;   /* its index among the run's days */
    uint32_t window_days;
    struct bf_group *group;             /* [point][city][policy] */
    struct bf_paired *delta;            /* [point][city][BF_DELTA_COUNT]: compared - baseline */
    struct bf_daily_delta *daily_delta; /* [city][BF_WC_COUNT][window_days], point 0 */
    struct bf_total *totals;            /* [point][BF_TOTAL_COUNT] */
    /* sensitivity: the points 1..n_samples are the design's samples, with
     * coordinates sens_x[sample][k] in [0, 1]; their analysis */
    uint32_t n_samples;
    double *sens_x;
    struct bf_sens_row *sens;
    size_t n_sens;
    struct bf_uncert_row *uncert;
    size_t n_uncert;
    /* point 0, with a comparison: the cities by capital released per CNY
     * million of exports, largest first (ties in city order), and where
     * each city's interval of capital released lies */
    uint32_t *rank;     /* [n_cities]: city indices */
    uint8_t *rank_sign; /* [n_cities] by city: enum bf_interval_sign */
    /* the warm-up check of the study: MSER-5 on the cities' total working
     * capital under the baseline (mean over replications), from the run's
     * start to the window's end; less noisy than any one city's */
    struct bf_mser warmup;
    bool warmup_checked;
    uint64_t events;
    double seconds_simulate, seconds_aggregate;
    unsigned jobs;
    struct bf_qcache *tables; /* the runs' tables of draws by inversion (dist.h) */
    void *priv;               /* the collector while running */
};

static inline struct bf_group *bf_results_group(const struct bf_results *r, uint32_t point,
                                                uint32_t city, uint32_t policy)
{
    return &r->group[((size_t)point * r->n_cities + city) * r->n_policies + policy];
}

static inline struct bf_paired *bf_results_delta(const struct bf_results *r, uint32_t point,
                                                 uint32_t city, int metric)
{
    return &r->delta[((size_t)point * r->n_cities + city) * BF_DELTA_COUNT + (size_t)metric];
}

static inline const struct bf_total *bf_results_total(const struct bf_results *r, uint32_t point,
                                                      int t)
{
    return &r->totals[(size_t)point * BF_TOTAL_COUNT + (size_t)t];
}

static inline struct bf_daily_delta *bf_results_daily_delta(const struct bf_results *r,
                                                            uint32_t city, enum bf_wc c)
{
    return &r->daily_delta[((size_t)city * BF_WC_COUNT + c) * r->window_days];
}

/* Progress: items done of total, called from the calling thread. */
typedef void bf_progress_fn(uint64_t done, uint64_t total, double elapsed_s, void *ctx);

struct bf_batch_options {
    unsigned jobs;               /* threads; 0 = all cores */
    uint32_t replications;       /* 0 = the scenario's */
    int64_t seed;                /* < 0 = the scenario's */
    bool sweeps;                 /* run the sweep points, or the sensitivity samples, too */
    const atomic_int *interrupt; /* nonzero: stop (BF_EINTR); set by a signal handler */
    bf_progress_fn *progress;
    void *progress_ctx;
    /* optional hook that runs the items instead of the thread pool (MPI):
     * it must hand every item's result to bf_batch_deposit() exactly once */
    int (*distribute)(struct bf_results *r, const struct bf_batch_options *o, void *ctx,
                      struct bf_diag *diag);
    void *distribute_ctx;
};

/* Number of cores available. */
unsigned bf_batch_cores(void);

/*
 * The work of a run, before it starts (validate prints it, run prints it
 * and refuses beyond --max-work): work items; simulated city-days (items x
 * the run's days); the shipments simulated, from the cities' volumes; the
 * time on one thread at BF_ESTIMATE_SHIPMENTS_PER_S (measured,
 * docs/performance.md); and an upper bound of the memory the results take.
 */
struct bf_work_estimate {
    uint64_t items;
    double city_days, shipments, seconds_one_thread, result_bytes;
};
/* Shipments simulated a second on one thread, with their units, returns and
 * cash flows: the default study on the development machine
 * (docs/performance.md, "The work estimate"). */
#define BF_ESTIMATE_SHIPMENTS_PER_S 250000.0
/* The default limit of `run` on the shipments simulated (--max-work). */
#define BF_DEFAULT_MAX_SHIPMENTS 2e9
void bf_batch_estimate(const struct bf_scenario *sc, const struct bf_batch_options *o,
                       struct bf_work_estimate *e);

/*
 * Runs the scenario. On success fills *r (free with bf_results_fini) and
 * returns 0. Returns BF_EINTR when interrupted, BF_ENOMEM, or a model error
 * with diag naming the (city, policy, replication).
 */
int bf_batch_run(const struct bf_scenario *sc, const struct bf_batch_options *o,
                 struct bf_results *r, struct bf_diag *diag);
void bf_results_fini(struct bf_results *r);

/* Work items of a run: their count, and one item run into its result
 * (the caller finis it or deposits it). Thread-safe. */
uint64_t bf_batch_items(const struct bf_results *r);
int bf_batch_run_item(const struct bf_results *r, uint64_t item, const atomic_int *interrupt,
                      struct bf_model_result *out, struct bf_diag *diag);

/*
 * Hands the result of one item to the collector, which takes what it keeps
 * (out is finied either way). The last replication of a group summarises
 * it. Thread-safe. 0 or BF_ENOMEM.
 */
int bf_batch_deposit(struct bf_results *r, uint64_t item, struct bf_model_result *out);

#endif
