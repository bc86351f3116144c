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
 */
#ifndef BORDERFLOW_BATCH_H
#define BORDERFLOW_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "borderflow/model.h"
#include "borderflow/scenario.h"
#include "borderflow/stats.h"

/* One (point, city, policy): its replications and their summary. */
struct bf_group {
    double *metric; /* [replications][BF_METRIC_COUNT] */
    struct bf_summary summary[BF_METRIC_COUNT];
    double *cash_mean_cny; /* [n_days] daily cash position across replications */
    double *cash_p05_cny, *cash_p95_cny;
    struct bf_hist days_to_rebate, return_cycle;      /* merged over replications */
    struct bf_shipment_record sample[BF_MAX_SAMPLES]; /* of replication 0 */
    uint32_t n_samples;
    double flow_mean_cny[BF_FLOW_COUNT]; /* mean total per flow over replications */
    uint64_t events;
    uint64_t calendar_unknown;
    int32_t calendar_unknown_day;
    uint64_t unit_states[BF_US_COUNT]; /* summed over replications */
    uint64_t units_created;
};

struct bf_point {
    int sweep;      /* -1 for the scenario as written */
    uint32_t value; /* index into the sweep's values */
};

struct bf_results {
    const struct bf_scenario *sc;
    uint32_t replications;
    uint64_t seed;
    uint32_t n_points, n_cities, n_policies;
    struct bf_point *point; /* [n_points] */
    int32_t first_day;
    uint32_t n_days;
    struct bf_group *group;  /* [point][city][policy] */
    struct bf_paired *delta; /* [point][city][metric]: compared - baseline */
    uint64_t events;
    double seconds_simulate, seconds_aggregate;
    unsigned jobs;
    void *priv; /* the collector while running */
};

static inline struct bf_group *bf_results_group(const struct bf_results *r, uint32_t point,
                                                uint32_t city, uint32_t policy)
{
    return &r->group[((size_t)point * r->n_cities + city) * r->n_policies + policy];
}

static inline struct bf_paired *bf_results_delta(const struct bf_results *r, uint32_t point,
                                                 uint32_t city, int metric)
{
    return &r->delta[((size_t)point * r->n_cities + city) * BF_METRIC_COUNT + (size_t)metric];
}

/* Progress: items done of total, called from the calling thread. */
typedef void bf_progress_fn(uint64_t done, uint64_t total, double elapsed_s, void *ctx);

struct bf_batch_options {
    unsigned jobs;               /* threads; 0 = all cores */
    uint32_t replications;       /* 0 = the scenario's */
    int64_t seed;                /* < 0 = the scenario's */
    bool sweeps;                 /* run the sweep points too */
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
