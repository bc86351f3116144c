/*
 * queue_model.h - a small G/G/c queueing network on the borderflow engine,
 * for validating the engine, pools, resources, streams and distributions
 * against queueing theory. Test support, not library code.
 *
 * Customers arrive in a Poisson stream (rate lambda_per_h) and pass through
 * one or two stations in series. Station k is a struct bf_resource with
 * `servers` units and FIFO waiting; service times are drawn from its struct
 * bf_dist. Each customer is one entity of a struct bf_pool, referred to by
 * index.
 *
 * Randomness comes from struct bf_streams keyed by (seed, city, rep,
 * purpose), purpose BF_QUEUE_MODEL_PURPOSE_ARRIVALS for interarrival times
 * and BF_QUEUE_MODEL_PURPOSE_SERVICE0 + k for station k's service times.
 * Independent replications are runs with the same seed and different rep
 * indices; a run is a pure function of (config, rep).
 *
 * Measurement (warm-up deletion, then a fixed number of customers):
 *  - the first customer whose arrival index is >= warmup_customers and who
 *    arrives at or after warmup_h is the first measured one; its arrival
 *    time is t0_h, and it and the next n_measured - 1 arrivals are measured;
 *  - t1_h is the arrival time of the first customer after the measured ones;
 *    arrivals stop there (that customer never enters: with FIFO service no
 *    later customer can change a measured customer's waits) and the system
 *    drains, so every measured customer's waits and sojourn are complete;
 *  - waits and sojourns are averaged over the measured customers; the
 *    number in system (every customer present, measured or not) is averaged
 *    over [t0_h, t1_h] with a struct bf_tw; throughput counts departures of
 *    any customer in [t0_h, t1_h).
 * Interval [t0_h, t1_h) holds exactly n_measured arrivals, so
 * arrival_rate_per_h = n_measured / (t1_h - t0_h), and
 * l - arrival_rate_per_h * w_h is only the edge effect at the two ends
 * (Little's law on the sample path), which has mean zero in steady state.
 */
#ifndef BF_QUEUE_MODEL_H
#define BF_QUEUE_MODEL_H

#include <stdint.h>

#include "borderflow/dist.h"

#define BF_QUEUE_MODEL_MAX_STATIONS 2u

/* Purpose indices of the random streams. */
#define BF_QUEUE_MODEL_PURPOSE_ARRIVALS 0u
#define BF_QUEUE_MODEL_PURPOSE_SERVICE0 1u

struct bf_queue_model_station {
    uint32_t servers;       /* >= 1 */
    struct bf_dist service; /* valid and nonnegative; hours */
};

struct bf_queue_model_config {
    double lambda_per_h; /* arrival rate, > 0 */
    uint32_t n_stations; /* 1 .. BF_QUEUE_MODEL_MAX_STATIONS */
    struct bf_queue_model_station station[BF_QUEUE_MODEL_MAX_STATIONS];
    double warmup_h;           /* >= 0: arrivals before this are not measured */
    uint64_t warmup_customers; /* the first this many arrivals are not measured */
    uint64_t n_measured;       /* >= 1 */
    uint64_t seed;             /* the scenario seed of bf_streams_init */
    uint32_t city;             /* its city index (< BF_RNG_MAX_CITIES): cases sharing a
                                  seed draw independent streams with distinct cities */
};

struct bf_queue_model_result {
    double wq_h[BF_QUEUE_MODEL_MAX_STATIONS]; /* mean wait in queue per station; 0 if absent */
    double w_h;                               /* mean time in system */
    double l;                                 /* time-average number in system over [t0_h, t1_h] */
    double throughput_per_h;                  /* departures in [t0_h, t1_h) / (t1_h - t0_h) */
    double arrival_rate_per_h;                /* n_measured / (t1_h - t0_h) */
    double t0_h, t1_h;                        /* the measurement interval */
    uint64_t n_measured;
    uint64_t n_events; /* events dispatched, for cost estimates */
};

/*
 * Runs replication rep (< BF_RNG_MAX_REPLICATIONS) of the model. Returns 0
 * and fills *out; BF_EINVAL for a config outside the ranges above or
 * rep out of range (*out untouched); BF_ENOMEM when any allocation fails (*out untouched); or a
 * negative code from the engine. Nothing stays allocated on any return.
 */
int bf_queue_model_run(const struct bf_queue_model_config *cfg, uint32_t rep,
                       struct bf_queue_model_result *out);

#endif
