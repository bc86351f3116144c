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

int bf_event_queue_init(struct bf_event_queue *q, size_t cap_hint)
{
    memset(q, 0, sizeof *q);
    q->next_seq = 1; /* 0 marks an empty slot of the cancel set */
    if (cap_hint > 0) {
        q->heap = bf__malloc(cap_hint * sizeof *q->heap);
        if (q->heap == NULL)
            return BF_ENOMEM;
        q->cap = cap_hint;
    }
    return 0;
}

void bf_event_queue_fini(struct bf_event_queue *q)
{
    bf__free(q->heap);
    bf__free(q->cancelled);
    memset(q, 0, sizeof *q);
}

int bf_event_queue_push(struct bf_event_queue *q, double t_h, uint16_t kind, uint32_t entity,
                        uint64_t *id)
{
    if (q->n == q->cap) {
        size_t ncap = q->cap ? 2 * q->cap : 64;
        struct bf_event *nh = bf__realloc(q->heap, ncap * sizeof *nh);
        if (nh == NULL)
            return BF_ENOMEM;
        q->heap = nh;
        q->cap = ncap;
    }
    struct bf_event e = {.t_h = t_h, .seq = q->next_seq++, .entity = entity, .kind = kind};
    bf__heap_sift_up(q->heap, q->n++, e);
    if (id != NULL)
        *id = e.seq;
    return 0;
}

bool bf_event_queue_pop(struct bf_event_queue *q, struct bf_event *ev)
{
    while (q->n > 0) {
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
    while (q->n > 0) {
        if (q->n_cancelled == 0 || !set_contains(q, q->heap[0].seq))
            return q->heap[0].t_h;
        set_remove(q, q->heap[0].seq);
        bf__heap_remove_top(q->heap, q->n--);
    }
    return (double)INFINITY;
}

size_t bf_event_queue_size(const struct bf_event_queue *q)
{
    return q->n - q->n_cancelled;
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
        if (q->n == 0)
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
