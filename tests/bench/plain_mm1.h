/*
 * plain_mm1.h - the plain-loop baseline of the benchmarks (plain_mm1.c).
 */
#ifndef BF_BENCH_PLAIN_MM1_H
#define BF_BENCH_PLAIN_MM1_H

#include <stdint.h>

struct bf_plain_result {
    uint64_t events;
    double seconds, mean_wq; /* analytic mean wait in queue: 9.0 */
};

/* n customers from a seed; exits on out of memory (a benchmark). */
struct bf_plain_result bf_plain_mm1(uint64_t n, uint64_t seed);

#endif
