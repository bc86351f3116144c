/*
 * event.c - event list, lazy cancel, clock and dispatch.
 */
#include "borderflow/event.h"

#include <math.h>
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/error.h"

#include "heap.h"

/* ---- the cancelled-id set: open addressing, ids are never 0 ---- */

static size_t id_hash(uint64_t id, size_t cap)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdull;
    id ^= id >> 33;
    return (size_t)id & (cap - 1);
}

static int set_grow(struct bf_event_queue *q)
{
    size_t ncap = q->cancel_cap ? 2 * q->cancel_cap : 64;
    uint64_t *nt = bf__calloc(ncap, sizeof *nt);
    if (nt == NULL)
        return BF_ENOMEM;
    for (size_t i = 0; i < q->cancel_cap; i++) {
        uint64_t id = q->cancelled[i];
        if (id == 0)
            continue;
        size_t j = id_hash(id, ncap);
        while (nt[j] != 0)
            j = (j + 1) & (ncap - 1);
        nt[j] = id;
    }
    bf__free(q->cancelled);
    q->cancelled = nt;
    q->cancel_cap = ncap;
    return 0;
}

static int set_contains(const struct bf_event_queue *q, uint64_t id)
{
    if (q->n_cancelled == 0)
        return 0;
    size_t j = id_hash(id, q->cancel_cap);
    while (q->cancelled[j] != 0) {
        if (q->cancelled[j] == id)
            return 1;
        j = (j + 1) & (q->cancel_cap - 1);
    }
    return 0;
}

/* Removes id (present) keeping probe chains intact (backward-shift delete). */
static void set_remove(struct bf_event_queue *q, uint64_t id)
{
    size_t mask = q->cancel_cap - 1;
    size_t j = id_hash(id, q->cancel_cap);
    while (q->cancelled[j] != id)
        j = (j + 1) & mask;
    size_t hole = j;
    for (;;) {
        j = (j + 1) & mask;
        uint64_t k = q->cancelled[j];
        if (k == 0)
            break;
        size_t home = id_hash(k, q->cancel_cap);
        /* k may move into the hole if its home is not in (hole, j] cyclically */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            q->cancelled[hole] = k;
            hole = j;
        }
    }
    q->cancelled[hole] = 0;
    q->n_cancelled--;
}

/* ---- queue ---- */

#define RING_MASK ((int64_t)BF_EVENT_RING - 1)

/* The day (bucket index) of a time: floor(t / 24 h), clamped far from the
 * int64 limits (infinite times all fall on the last day). */
static int64_t day_index(double t_h)
{
    const double q = t_h / BF_EVENT_DAY_H;
    if (!(q < 4.0e18))
        return (int64_t)4e18;
    if (q < -4.0e18)
        return -(int64_t)4e18;
    int64_t k = (int64_t)q; /* toward zero; floor below */
    if ((double)k > q)
        k--;
    return k;
}

int bf_event_queue_init(struct bf_event_queue *q, size_t cap_hint)
{
    memset(q, 0, sizeof *q);
    q->next_seq = 1; /* 0 marks an empty slot of the cancel set */
    q->ring = bf__calloc(BF_EVENT_RING, sizeof *q->ring);
    if (q->ring == NULL)
        return BF_ENOMEM;
    if (cap_hint > 0) {
        q->heap = bf__malloc(cap_hint * sizeof *q->heap);
        if (q->heap == NULL) {
            bf_event_queue_fini(q);
            return BF_ENOMEM;
        }
        q->cap = cap_hint;
    }
    return 0;
}

void bf_event_queue_fini(struct bf_event_queue *q)
{
    if (q->ring != NULL)
        for (size_t i = 0; i < BF_EVENT_RING; i++)
            bf__free(q->ring[i].v);
    bf__free(q->ring);
    bf__free(q->far);
    bf__free(q->heap);
    bf__free(q->cancelled);
    memset(q, 0, sizeof *q);
}

static size_t pending_all(const struct bf_event_queue *q)
{
    return q->n + q->n_ring + q->n_far;
}

int bf_event_queue_push(struct bf_event_queue *q, double t_h, uint16_t kind, uint32_t entity,
                        uint64_t *id)
{
    BF_ASSERT(!isnan(t_h));
    /* The day's heap can hold every pending event: a day's bucket (and the
     * far events of that day) then moves into it without an allocation, so
     * popping cannot fail. */
    if (pending_all(q) == q->cap) {
        size_t ncap = q->cap ? 2 * q->cap : 64;
        struct bf_event *nh = bf__realloc(q->heap, ncap * sizeof *nh);
        if (nh == NULL)
            return BF_ENOMEM;
        q->heap = nh;
        q->cap = ncap;
    }
    const struct bf_event e = {.t_h = t_h, .seq = q->next_seq, .entity = entity, .kind = kind};
    const int64_t d = day_index(t_h);
    if (d <= q->day) {
        bf__heap_sift_up(q->heap, q->n++, e);
    } else if (d - q->day < BF_EVENT_RING) {
        struct bf_event_bucket *b = &q->ring[d & RING_MASK];
        if (b->n == b->cap) {
            uint32_t ncap = b->cap ? 2 * b->cap : 16;
            struct bf_event *nv = bf__realloc(b->v, (size_t)ncap * sizeof *nv);
            if (nv == NULL)
                return BF_ENOMEM;
            b->v = nv;
            b->cap = ncap;
        }
        b->v[b->n++] = e;
        q->n_ring++;
    } else {
        if (q->n_far == q->far_cap) {
            size_t ncap = q->far_cap ? 2 * q->far_cap : 64;
            struct bf_event *nf = bf__realloc(q->far, ncap * sizeof *nf);
            if (nf == NULL)
                return BF_ENOMEM;
            q->far = nf;
            q->far_cap = ncap;
        }
        bf__heap_sift_up(q->far, q->n_far++, e);
    }
    q->next_seq++;
    if (id != NULL)
        *id = e.seq;
    return 0;
}

/*
 * The day's heap is empty: the next day with events becomes the current
 * day, its bucket and its far events the heap. False when nothing is left.
 * A bucket holds the events of exactly one day: scheduled when the current
 * day was c, day d had c < d < c + RING, and the current day only moves on
 * to the next day with events, so no later day with the same slot is
 * scheduled before d is reached.
 */
static bool advance(struct bf_event_queue *q)
{
    if (q->n_ring == 0 && q->n_far == 0)
        return false;
    int64_t next = INT64_MAX;
    if (q->n_ring > 0)
        for (int64_t d = q->day + 1;; d++)
            if (q->ring[d & RING_MASK].n > 0) {
                next = d;
                break;
            }
    if (q->n_far > 0) {
        const int64_t fd = day_index(q->far[0].t_h);
        if (fd < next)
            next = fd;
    }
    q->day = next;
    struct bf_event_bucket *b = &q->ring[next & RING_MASK];
    if (q->n_ring > 0 && b->n > 0) {
        memcpy(q->heap, b->v, (size_t)b->n * sizeof *b->v);
        q->n = b->n;
        q->n_ring -= b->n;
        /* freed rather than kept for the slot's next day: a kept buffer per
         * slot holds the ring's busiest days at once (hundreds of MiB for a
         * busy city), a new one costs a few allocations a day */
        bf__free(b->v);
        *b = (struct bf_event_bucket){0};
        bf__heap_make(q->heap, q->n);
    }
    while (q->n_far > 0 && day_index(q->far[0].t_h) == next) {
        bf__heap_sift_up(q->heap, q->n++, q->far[0]);
        bf__heap_remove_top(q->far, q->n_far--);
    }
    return true;
}

bool bf_event_queue_pop(struct bf_event_queue *q, struct bf_event *ev)
{
    while (q->n > 0 || advance(q)) {
        *ev = q->heap[0];
        bf__heap_remove_top(q->heap, q->n--);
        if (q->n_cancelled == 0 || !set_contains(q, ev->seq))
            return true;
        set_remove(q, ev->seq);
    }
    return false;
}

double bf_event_queue_peek_t(struct bf_event_queue *q)
{
    while (q->n > 0 || advance(q)) {
        if (q->n_cancelled == 0 || !set_contains(q, q->heap[0].seq))
            return q->heap[0].t_h;
        set_remove(q, q->heap[0].seq);
        bf__heap_remove_top(q->heap, q->n--);
    }
    return (double)INFINITY;
}

size_t bf_event_queue_size(const struct bf_event_queue *q)
{
    return pending_all(q) - q->n_cancelled;
}

int bf_event_queue_cancel(struct bf_event_queue *q, uint64_t id)
{
    if (id == 0 || id >= q->next_seq || set_contains(q, id))
        return BF_EINVAL;
    /* keep the load factor at most 1/2 */
    if (2 * (q->n_cancelled + 1) > q->cancel_cap) {
        int rc = set_grow(q);
        if (rc != 0)
            return rc;
    }
    size_t j = id_hash(id, q->cancel_cap);
    while (q->cancelled[j] != 0)
        j = (j + 1) & (q->cancel_cap - 1);
    q->cancelled[j] = id;
    q->n_cancelled++;
    return 0;
}

/* ---- engine ---- */

int bf_engine_init(struct bf_engine *e, bf_event_fn *const *handlers, uint16_t n_kinds, void *ctx,
                   size_t cap_hint)
{
    memset(e, 0, sizeof *e);
    for (uint16_t k = 0; k < n_kinds; k++)
        BF_ASSERT(handlers[k] != NULL);
    e->handlers = handlers;
    e->n_kinds = n_kinds;
    e->ctx = ctx;
    return bf_event_queue_init(&e->q, cap_hint);
}

void bf_engine_fini(struct bf_engine *e)
{
    bf_event_queue_fini(&e->q);
}

int bf_engine_at(struct bf_engine *e, double t_h, uint16_t kind, uint32_t entity, uint64_t *id)
{
    /* An event in the past, or NaN, is a bug in the caller (cimba's
     * precondition). */
    BF_ASSERT(t_h >= e->now_h);
    BF_ASSERT(kind < e->n_kinds);
    return bf_event_queue_push(&e->q, t_h, kind, entity, id);
}

int bf_engine_in(struct bf_engine *e, double dt_h, uint16_t kind, uint32_t entity, uint64_t *id)
{
    BF_ASSERT(dt_h >= 0.0);
    return bf_engine_at(e, e->now_h + dt_h, kind, entity, id);
}

int bf_engine_cancel(struct bf_engine *e, uint64_t id)
{
    return bf_event_queue_cancel(&e->q, id);
}

void bf_engine_stop(struct bf_engine *e)
{
    e->stop = true;
}

static void trace_line(const struct bf_engine *e, const struct bf_event *ev)
{
    if (e->kind_names != NULL)
        fprintf(e->trace_file, "%.6f\t%s\t%u\n", ev->t_h, e->kind_names[ev->kind],
                (unsigned)ev->entity);
    else
        fprintf(e->trace_file, "%.6f\t%u\t%u\n", ev->t_h, (unsigned)ev->kind, (unsigned)ev->entity);
}

int bf_engine_run(struct bf_engine *e, double until_h)
{
    struct bf_event_queue *q = &e->q;
    e->stop = false;
    const bool tracing = e->trace_fn != NULL || e->trace_file != NULL;
    for (;;) {
        /* Inline fast path of bf_event_queue_pop with the until check. */
        if (q->n == 0 && !advance(q))
            break;
        struct bf_event ev = q->heap[0];
        if (ev.t_h > until_h)
            break;
        bf__heap_remove_top(q->heap, q->n--);
        if (q->n_cancelled != 0 && set_contains(q, ev.seq)) {
            set_remove(q, ev.seq);
            continue;
        }
        BF_ASSERT(ev.t_h >= e->now_h);
        e->now_h = ev.t_h;
        if (++e->n_dispatched > e->max_events && e->max_events != 0)
            return BF_ELIMIT;
        if ((e->n_dispatched & 0xFFFF) == 0 && e->interrupt != NULL && *e->interrupt)
            return BF_EINTR;
        if (tracing) {
            if (e->trace_fn != NULL)
                e->trace_fn(e, &ev, e->trace_ctx);
            else
                trace_line(e, &ev);
        }
        int rc = e->handlers[ev.kind](e, ev.entity, e->ctx);
        if (rc != 0)
            return rc;
        if (e->stop)
            return 0;
    }
    if (isfinite(until_h) && until_h > e->now_h)
        e->now_h = until_h;
    return 0;
}

void bf_engine_trace_file(struct bf_engine *e, FILE *f, const char *const *kind_names)
{
    e->trace_file = f;
    e->kind_names = kind_names;
}

void bf_engine_trace_fn(struct bf_engine *e, bf_trace_fn *fn, void *ctx)
{
    e->trace_fn = fn;
    e->trace_ctx = ctx;
}
