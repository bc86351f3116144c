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

/* ---------------- plain loop (the project's baseline, docs/performance.md) ---------------- */

struct pev {
    double t;
    uint64_t seq;
    int type;
};

struct plain {
    uint64_t s[4];
    struct pev *heap;
    size_t heap_n, heap_cap;
    uint64_t heap_seq;
    double *q;
    size_t q_cap, q_head, q_len;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t xoshiro256p(uint64_t *s)
{
    const uint64_t result = s[0] + s[3];
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static inline double pexpo(uint64_t *s, double mean)
{
    const double u = (double)(xoshiro256p(s) >> 11) * 0x1.0p-53;
    return -mean * log(1.0 - u);
}

static inline int pless(const struct pev *a, const struct pev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void ppush(struct plain *p, double t, int type)
{
    if (p->heap_n == p->heap_cap) {
        p->heap_cap = p->heap_cap ? 2 * p->heap_cap : 16;
        p->heap = realloc(p->heap, p->heap_cap * sizeof *p->heap);
        if (p->heap == NULL)
            exit(1);
    }
    struct pev e = {t, p->heap_seq++, type};
    size_t i = p->heap_n++;
    while (i > 0) {
        size_t par = (i - 1) / 2;
        if (!pless(&e, &p->heap[par]))
            break;
        p->heap[i] = p->heap[par];
        i = par;
    }
    p->heap[i] = e;
}

static struct pev ppop(struct plain *p)
{
    struct pev top = p->heap[0];
    struct pev last = p->heap[--p->heap_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= p->heap_n)
            break;
        if (c + 1 < p->heap_n && pless(&p->heap[c + 1], &p->heap[c]))
            c++;
        if (!pless(&p->heap[c], &last))
            break;
        p->heap[i] = p->heap[c];
        i = c;
    }
    if (p->heap_n > 0)
        p->heap[i] = last;
    return top;
}

static void qpush(struct plain *p, double t)
{
    if (p->q_len == p->q_cap) {
        size_t ncap = p->q_cap ? 2 * p->q_cap : 64;
        double *nb = malloc(ncap * sizeof *nb);
        if (nb == NULL)
            exit(1);
        for (size_t k = 0; k < p->q_len; k++)
            nb[k] = p->q[(p->q_head + k) & (p->q_cap - 1)];
        free(p->q);
        p->q = nb;
        p->q_cap = ncap;
        p->q_head = 0;
    }
    p->q[(p->q_head + p->q_len) & (p->q_cap - 1)] = t;
    p->q_len++;
}

static double qpop(struct plain *p)
{
    double t = p->q[p->q_head];
    p->q_head = (p->q_head + 1) & (p->q_cap - 1);
    p->q_len--;
    return t;
}

static struct result run_plain(uint64_t n, uint64_t seed)
{
    struct plain p = {0};
    for (int k = 0; k < 4; k++)
        p.s[k] = splitmix64(&seed);
    double t0 = now_s();
    uint64_t n_arrived = 0, n_served = 0, n_events = 0;
    double sum_wq = 0.0;
    int busy = 0;
    ppush(&p, pexpo(p.s, 1.0 / LAMBDA), 0);
    while (p.heap_n > 0) {
        const struct pev ev = ppop(&p);
        const double now = ev.t;
        n_events++;
        if (ev.type == 0) {
            n_arrived++;
            if (n_arrived < n)
                ppush(&p, now + pexpo(p.s, 1.0 / LAMBDA), 0);
            if (!busy) {
                busy = 1;
                ppush(&p, now + pexpo(p.s, 1.0 / MU), 1);
            } else {
                qpush(&p, now);
            }
        } else {
            n_served++;
            if (p.q_len > 0) {
                sum_wq += now - qpop(&p);
                ppush(&p, now + pexpo(p.s, 1.0 / MU), 1);
            } else {
                busy = 0;
            }
        }
    }
    struct result res = {
        .events = n_events, .seconds = now_s() - t0, .mean_wq = sum_wq / (double)n_served};
    free(p.heap);
    free(p.q);
    return res;
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
