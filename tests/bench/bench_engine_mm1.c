/*
 * bench_engine_mm1.c - the engine against a plain loop on an M/M/1 queue.
 *
 * Model: arrival rate 0.9, service rate 1.0, one server, FIFO, 1,000,000
 * customers (analytic mean wait in queue 9.0, in system 10.0). Events
 * counted as arrivals + departures.
 *
 *  - engine: one pooled entity per customer, the engine's event list and
 *    dispatch, the FIFO resource, GSL taus2 with exponentials by inversion;
 *  - plain: a bare event loop written like mm1_bare.c (binary heap ordered
 *    by (time, sequence), growable ring buffer, xoshiro256+, inverse
 *    transform), no framework.
 *
 * The two run alternately, 5 times each, so that machine noise hits both.
 * Prints each run's events per second and, last, the median of the
 * per-pair ratios:  engine/plain ratio: X.XX
 *
 * Usage: bench_engine_mm1 [customers=1000000] [pairs=5]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "borderflow/event.h"
#include "borderflow/pool.h"
#include "borderflow/resource.h"

#include "plain_mm1.h"

#define LAMBDA 0.9
#define MU     1.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct result {
    uint64_t events;
    double seconds, mean_wq;
};

/* ---------------- engine ---------------- */

enum { EV_ARRIVAL, EV_DEPARTURE, EV_COUNT };

struct customer {
    double arrived_h;
};

struct mm1 {
    struct bf_pool customers;
    struct bf_resource server;
    gsl_rng *r;
    uint64_t n_target, n_arrived, n_served;
    uint32_t in_service;
    double sum_wq;
};

/* Exponential by inversion on GSL's generator: -mean * log(U), U in (0,1).
 * gsl_ran_exponential computes log1p(-U) instead, which costs about three
 * times as much in glibc; the distribution is the same. */
static inline double expo(gsl_rng *r, double mean)
{
    return -mean * log(gsl_rng_uniform_pos(r));
}

static int start_service(struct bf_engine *e, struct mm1 *m, uint32_t c)
{
    m->in_service = c;
    return bf_engine_in(e, expo(m->r, 1.0 / MU), EV_DEPARTURE, c, NULL);
}

static int on_arrival(struct bf_engine *e, uint32_t unused, void *ctx)
{
    (void)unused;
    struct mm1 *m = ctx;
    uint32_t c;
    int rc = bf_pool_alloc(&m->customers, &c);
    if (rc != 0)
        return rc;
    ((struct customer *)bf_pool_at(&m->customers, c))->arrived_h = e->now_h;
    if (++m->n_arrived < m->n_target) {
        rc = bf_engine_in(e, expo(m->r, 1.0 / LAMBDA), EV_ARRIVAL, 0, NULL);
        if (rc != 0)
            return rc;
    }
    bool granted;
    rc = bf_resource_acquire(&m->server, e->now_h, c, &granted);
    if (rc != 0)
        return rc;
    return granted ? start_service(e, m, c) : 0;
}

static int on_departure(struct bf_engine *e, uint32_t c, void *ctx)
{
    struct mm1 *m = ctx;
    bf_pool_free(&m->customers, c);
    m->n_served++;
    uint32_t next;
    double waited;
    if (bf_resource_release(&m->server, e->now_h, &next, &waited)) {
        m->sum_wq += waited;
        return start_service(e, m, next);
    }
    return 0;
}

static struct result run_engine(uint64_t n, unsigned long seed)
{
    static bf_event_fn *const handlers[EV_COUNT] = {on_arrival, on_departure};
    struct mm1 m = {.n_target = n};
    struct bf_engine e;
    m.r = gsl_rng_alloc(gsl_rng_taus2);
    if (m.r == NULL || bf_engine_init(&e, handlers, EV_COUNT, &m, 1024) != 0 ||
        bf_pool_init(&m.customers, sizeof(struct customer), 1024) != 0 ||
        bf_resource_init(&m.server, 1, 0.0) != 0) {
        fputs("bench_engine_mm1: out of memory\n", stderr);
        exit(1);
    }
    gsl_rng_set(m.r, seed);
    double t0 = now_s();
    if (bf_engine_in(&e, expo(m.r, 1.0 / LAMBDA), EV_ARRIVAL, 0, NULL) != 0 ||
        bf_engine_run(&e, (double)INFINITY) != 0) {
        fputs("bench_engine_mm1: engine run failed\n", stderr);
        exit(1);
    }
    struct result res = {.events = e.n_dispatched,
                         .seconds = now_s() - t0,
                         .mean_wq = m.sum_wq / (double)m.n_served};
    bf_resource_fini(&m.server);
    bf_pool_fini(&m.customers);
    bf_engine_fini(&e);
    gsl_rng_free(m.r);
    return res;
}

/* ---------------- plain loop: plain_mm1.c ---------------- */

static struct result run_plain(uint64_t n, uint64_t seed)
{
    struct bf_plain_result p = bf_plain_mm1(n, seed);
    return (struct result){.events = p.events, .seconds = p.seconds, .mean_wq = p.mean_wq};
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000ull;
    int pairs = argc > 2 ? atoi(argv[2]) : 5;
    if (n == 0 || pairs < 1 || pairs > 99) {
        fputs("usage: bench_engine_mm1 [customers>0] [pairs 1..99]\n", stderr);
        return 2;
    }
    double ratio[99];
    for (int k = 0; k < pairs; k++) {
        struct result e = run_engine(n, (unsigned long)(k + 1));
        struct result p = run_plain(n, (uint64_t)(k + 1));
        double eps = (double)e.events / e.seconds, pps = (double)p.events / p.seconds;
        printf("engine events/s: %.0f\n", eps);
        printf("plain events/s: %.0f\n", pps);
        fprintf(stderr,
                "  pair %d: engine %llu events, mean wait %.3f (analytic 9.0); plain %llu "
                "events, mean wait %.3f\n",
                k + 1, (unsigned long long)e.events, e.mean_wq, (unsigned long long)p.events,
                p.mean_wq);
        ratio[k] = eps / pps;
    }
    qsort(ratio, (size_t)pairs, sizeof ratio[0], cmp_double);
    double med = pairs % 2 ? ratio[pairs / 2] : 0.5 * (ratio[pairs / 2 - 1] + ratio[pairs / 2]);
    printf("engine/plain ratio: %.2f\n", med);
    return 0;
}
