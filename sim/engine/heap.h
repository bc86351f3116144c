/*
 * heap.h - the event list's heaps: 4-ary min-heaps ordered by (time, sequence).
 *
 * static inline so the run loop compiles into one function (libuv's
 * heap-inl.h). Sifting moves a hole instead of swapping, as the plain loop
 * of tests/bench/bench_engine_mm1.c does: one store per level. Four children per node
 * rather than two halve the depth, and the four sit next to each other in
 * memory: with tens of thousands of events pending (a busy city's lots,
 * claims and returns) the binary heap's sift-down was bound by cache
 * misses, one per level (docs/performance.md).
 */
#ifndef BF_ENGINE_HEAP_H
#define BF_ENGINE_HEAP_H

#include "borderflow/event.h"

#define BF__HEAP_D 4

static inline int bf__ev_less(const struct bf_event *a, const struct bf_event *b)
{
    return a->t_h < b->t_h || (a->t_h == b->t_h && a->seq < b->seq);
}

static inline void bf__heap_sift_up(struct bf_event *h, size_t i, struct bf_event e)
{
    while (i > 0) {
        size_t parent = (i - 1) / BF__HEAP_D;
        if (!bf__ev_less(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

/* Puts e at hole i of the heap h[0..n) (e's place or below it). */
static inline void bf__heap_sift_down(struct bf_event *h, size_t n, size_t i, struct bf_event e)
{
    for (;;) {
        size_t c = BF__HEAP_D * i + 1;
        if (c >= n)
            break;
        size_t end = c + BF__HEAP_D < n ? c + BF__HEAP_D : n;
        size_t best = c;
        for (size_t k = c + 1; k < end; k++)
            if (bf__ev_less(&h[k], &h[best]))
                best = k;
        if (!bf__ev_less(&h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

/* Removes h[0]; n is the size before removal. */
static inline void bf__heap_remove_top(struct bf_event *h, size_t n)
{
    if (n > 1)
        bf__heap_sift_down(h, n - 1, 0, h[n - 1]);
}

/* Makes h[0..n) a heap (Floyd's bottom-up construction, O(n)). */
static inline void bf__heap_make(struct bf_event *h, size_t n)
{
    if (n < 2)
        return;
    for (size_t i = (n - 2) / BF__HEAP_D + 1; i-- > 0;)
        bf__heap_sift_down(h, n, i, h[i]);
}

#endif
