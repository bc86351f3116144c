/*
 * resource.h - resources of limited capacity with FIFO waiting.
 *
 * A resource has `capacity` identical units (customs inspection teams,
 * consolidation slots). An entity acquires one unit or waits in a FIFO queue;
 * releasing a unit hands it to the longest waiting entity. The resource does
 * not schedule events itself: acquire says whether the unit was granted now,
 * release says which waiter (if any) was granted, and the caller schedules
 * what follows. That keeps the common case (a free unit) free of a
 * zero-delay event.
 *
 * Capacity may change over time (shift patterns: a team pool that works the
 * calendar's hours is set to 0 at closing and back at opening); units in use
 * above a lowered capacity finish their work, and raising it grants waiters
 * through bf_resource_grant_next().
 *
 * Statistics: time-weighted busy units, capacity and queue length; number of
 * grants; waits (sum, max).
 */
#ifndef BORDERFLOW_RESOURCE_H
#define BORDERFLOW_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "borderflow/error.h"
#include "borderflow/stats.h"

struct bf_resource {
    uint32_t capacity, busy;
    /* FIFO ring of waiting entities and their arrival times; cap is a power of 2 */
    uint32_t *wq_entity;
    double *wq_t_h;
    uint32_t wq_head, wq_len, wq_cap;
    struct bf_tw busy_tw, cap_tw, queue_tw;
    uint64_t n_granted, n_waited;
    double wait_sum_h, wait_max_h;
};

/* 0 or BF_ENOMEM. bf_resource_fini frees. */
int bf_resource_init(struct bf_resource *r, uint32_t capacity, double t0_h);
void bf_resource_fini(struct bf_resource *r);

/* Requests one unit at now_h. *granted = true: the entity holds it now;
 * false: it waits. 0 or BF_ENOMEM (then it neither holds nor waits). */
int bf_resource_acquire(struct bf_resource *r, double now_h, uint32_t entity, bool *granted);

/*
 * Returns one unit at now_h. If a waiter can take it (busy < capacity after
 * the release), that waiter holds it now: returns true with its entity and
 * wait; else false.
 */
bool bf_resource_release(struct bf_resource *r, double now_h, uint32_t *next, double *waited_h);

/* Sets the capacity from now_h on. Then call bf_resource_grant_next() until
 * it returns false to start the waiters the new capacity admits. */
void bf_resource_set_capacity(struct bf_resource *r, double now_h, uint32_t capacity);
bool bf_resource_grant_next(struct bf_resource *r, double now_h, uint32_t *next, double *waited_h);

uint32_t bf_resource_queue_length(const struct bf_resource *r);
/* Time-weighted mean busy units / mean capacity over [t0, now_h]; 0 if no capacity. */
double bf_resource_utilisation(const struct bf_resource *r, double now_h);
double bf_resource_mean_queue(const struct bf_resource *r, double now_h);
/* Mean wait in queue over every grant so far (0 waited counts as 0). */
double bf_resource_mean_wait(const struct bf_resource *r);

#endif
