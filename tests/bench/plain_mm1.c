/*
 * plain_mm1.c - the plain-loop baseline of the benchmarks: an M/M/1 queue
 * (arrival rate 0.9, service rate 1.0, FIFO) as a bare event loop -- a
 * binary min-heap ordered by (time, sequence), a growable ring buffer of
 * arrival times, xoshiro256+ and inverse-transform exponentials, no
 * framework. It is the baseline the project was given, about as fast as
 * this model can run on one core: the engine's M/M/1 (bench_engine_mm1)
 * and the model's cost per simulated unit (bench_units) are reported as
 * ratios to it, measured in the same run. Events = arrivals + departures.
 */
#include "plain_mm1.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#define LAMBDA 0.9
#define MU     1.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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

struct bf_plain_result bf_plain_mm1(uint64_t n, uint64_t seed)
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
    struct bf_plain_result res = {
        .events = n_events, .seconds = now_s() - t0, .mean_wq = sum_wq / (double)n_served};
    free(p.heap);
    free(p.q);
    return res;
}
