/*
 * event.h - the event list and the simulation clock.
 *
 * An event is a time, a sequence number and a small payload (kind + entity
 * index). Events run in (time, sequence) order: events at equal times run
 * in the order they were scheduled, so a run is a pure function of its
 * inputs. Time is a double in hours since the horizon start.
 *
 * The list has two levels, as a calendar queue (Brown 1988) or a ladder
 * queue has: a 4-ary min-heap of the events of the current day and the days
 * before it, and for later days a bucket per day -- unsorted, appended to --
 * in a ring of BF_EVENT_RING days, the events beyond it in a second heap.
 * When the current day's heap is empty the next day with events becomes the
 * current one and its bucket is heaped. A model that schedules most events
 * days ahead (a claim paid in five weeks, a lot's next sale) then keeps a
 * heap of one day's events, which stays in cache, where one heap of
 * everything pending missed it at every level (docs/performance.md).
 *
 * Cancel is lazy (ns-3, redis AE_DELETED_EVENT_ID): a cancelled event stays
 * in the list and is dropped when it reaches the top. Only events still
 * pending may be cancelled.
 *
 * struct bf_engine adds the clock and dispatch: a table of handlers indexed
 * by kind, each called with the engine, the entity and the caller's context.
 * A handler returns 0 or a negative BF_E* code, which stops the run.
 */
#ifndef BORDERFLOW_EVENT_H
#define BORDERFLOW_EVENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "borderflow/error.h"

struct bf_event {
    double t_h;
    uint64_t seq; /* scheduling order; also the event's id for cancel */
    uint32_t entity;
    uint16_t kind;
    uint16_t spare;
};

#define BF_EVENT_DAY_H 24.0 /* a bucket's width, hours */
#define BF_EVENT_RING  1024 /* days ahead kept in buckets (a power of two) */

struct bf_event_bucket {
    struct bf_event *v;
    uint32_t n, cap;
};

struct bf_event_queue {
    struct bf_event *heap; /* days <= day */
    size_t n, cap;
    int64_t day;                  /* the current day (bucket index) */
    struct bf_event_bucket *ring; /* [BF_EVENT_RING]: days day + 1 ... day + RING - 1 */
    size_t n_ring;                /* events in the ring */
    struct bf_event *far;         /* days >= day + RING when scheduled: a heap */
    size_t n_far, far_cap;
    uint64_t next_seq;
    /* open-addressing set of cancelled ids still in the heap */
    uint64_t *cancelled;
    size_t n_cancelled, cancel_cap;
};

/* 0 or BF_ENOMEM. cap_hint may be 0. bf_event_queue_fini frees. */
int bf_event_queue_init(struct bf_event_queue *q, size_t cap_hint);
void bf_event_queue_fini(struct bf_event_queue *q);

/* Adds an event; its id (sequence number) goes to *id when id is not NULL.
 * 0 or BF_ENOMEM (the queue is unchanged then). */
int bf_event_queue_push(struct bf_event_queue *q, double t_h, uint16_t kind, uint32_t entity,
                        uint64_t *id);

/* Removes the earliest pending event into *ev; false when none is left. */
bool bf_event_queue_pop(struct bf_event_queue *q, struct bf_event *ev);

/* Time of the earliest pending event, or +inf. May drop cancelled events. */
double bf_event_queue_peek_t(struct bf_event_queue *q);

/* Pending events (cancelled ones not counted). */
size_t bf_event_queue_size(const struct bf_event_queue *q);

/* Cancels a pending event. 0, BF_EINVAL (id never issued or already
 * cancelled), or BF_ENOMEM. Cancelling an event that already ran is a bug. */
int bf_event_queue_cancel(struct bf_event_queue *q, uint64_t id);

/* ---- the engine ---- */

struct bf_engine;
typedef int bf_event_fn(struct bf_engine *e, uint32_t entity, void *ctx);
/* Trace callback: one call per event dispatched, before its handler. */
typedef void bf_trace_fn(const struct bf_engine *e, const struct bf_event *ev, void *ctx);

struct bf_engine {
    double now_h;
    struct bf_event_queue q;
    bf_event_fn *const *handlers; /* borrowed, indexed by kind */
    uint16_t n_kinds;
    void *ctx;
    const char *const *kind_names; /* borrowed; may be NULL */
    bf_trace_fn *trace_fn;
    void *trace_ctx;
    FILE *trace_file;
    uint64_t n_dispatched;
    uint64_t max_events; /* 0 = unlimited; the run returns BF_ELIMIT beyond */
    /* When set and nonzero (a signal handler's flag), the run returns
     * BF_EINTR; checked every 65536 events. Atomic: it is written by a
     * signal handler and read by worker threads. */
    const atomic_int *interrupt;
    bool stop;
};

/*
 * handlers[kind] for kind < n_kinds, each non-NULL; ctx is passed to every
 * handler. The clock starts at 0. 0 or BF_ENOMEM.
 */
int bf_engine_init(struct bf_engine *e, bf_event_fn *const *handlers, uint16_t n_kinds, void *ctx,
                   size_t cap_hint);
void bf_engine_fini(struct bf_engine *e);

/* Schedules kind for entity at t_h >= now (asserted). 0 or BF_ENOMEM. */
int bf_engine_at(struct bf_engine *e, double t_h, uint16_t kind, uint32_t entity, uint64_t *id);
/* Same, dt_h >= 0 from now. */
int bf_engine_in(struct bf_engine *e, double dt_h, uint16_t kind, uint32_t entity, uint64_t *id);
int bf_engine_cancel(struct bf_engine *e, uint64_t id);

/*
 * Runs events with time <= until_h in (time, sequence) order. Returns 0 when
 * the list is empty or the next event is later than until_h (the clock then
 * stands at until_h if finite, else at the last event), or the first negative
 * code a handler returned (the clock stands at that event).
 * bf_engine_stop() from a handler ends the run after that handler. With
 * max_events set, dispatching more events than that returns BF_ELIMIT.
 */
int bf_engine_run(struct bf_engine *e, double until_h);
void bf_engine_stop(struct bf_engine *e);

/*
 * Optional trace. With a file, one line per event: "t_h<TAB>kind<TAB>entity"
 * (kind by name when names are given). With a function, it is called
 * instead. Either may be NULL (off).
 */
void bf_engine_trace_file(struct bf_engine *e, FILE *f, const char *const *kind_names);
void bf_engine_trace_fn(struct bf_engine *e, bf_trace_fn *fn, void *ctx);

#endif
