/*
 * heap.h - the binary min-heap of events, ordered by (time, sequence).
 *
 * static inline so the run loop compiles into one function (libuv's
 * heap-inl.h). Sifting moves a hole instead of swapping, as in
 * ../shared/bench/mm1_bare.c: one store per level.
 */
#ifndef BF_ENGINE_HEAP_H
#define BF_ENGINE_HEAP_H

#include "borderflow/event.h"

static inline int bf__ev_less(const struct bf_event *a, const struct bf_event *b)
{
    return a->t_h < b->t_h || (a->t_h == b->t_h && a->seq < b->seq);
}

static inline void bf__heap_sift_up(struct bf_event *h, size_t i, struct bf_event e)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!bf__ev_less(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

/* Removes h[0]; n is the size before removal. */
static inline void bf__heap_remove_top(struct bf_event *h, size_t n)
{
    struct bf_event last = h[n - 1];
    n--;
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && bf__ev_less(&h[c + 1], &h[c]))
            c++;
        if (!bf__ev_less(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (n > 0)
        h[i] = last;
}

#endif
