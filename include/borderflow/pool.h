/*
 * pool.h - entity pools indexed by integer, with reuse.
 *
 * Entities (shipments, returned units, rebate claims) live in one growable
 * array per type and are referred to by index, never by pointer kept across
 * events: growing the array moves it (redis "refresh in case of resize").
 * Freed slots are reused first, so memory follows the entities in flight,
 * not the entities ever created. Each slot has a generation, bumped on free,
 * so a stale (index, generation) reference can be recognised.
 */
#ifndef BORDERFLOW_POOL_H
#define BORDERFLOW_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "borderflow/error.h"

#define BF_POOL_NONE UINT32_MAX

struct bf_pool {
    unsigned char *mem;
    uint32_t *gen;
    size_t item_size;
    uint32_t cap;       /* slots allocated */
    uint32_t top;       /* slots ever used */
    uint32_t free_head; /* first free slot, or BF_POOL_NONE */
    uint32_t live;      /* slots in use */
    uint32_t peak;      /* most slots in use at once */
    uint32_t max_items; /* refuse to grow beyond (BF_ELIMIT); 0 = UINT32_MAX - 1 */
};

/* item_size >= 1. 0 or BF_ENOMEM. bf_pool_fini frees. */
int bf_pool_init(struct bf_pool *p, size_t item_size, uint32_t cap_hint);
void bf_pool_fini(struct bf_pool *p);

/* A zeroed slot; its index into *idx. 0, BF_ENOMEM or BF_ELIMIT. May move
 * every item: pointers from bf_pool_at are invalid afterwards. */
int bf_pool_alloc(struct bf_pool *p, uint32_t *idx);
/* Returns a live slot to the pool (asserted live). */
void bf_pool_free(struct bf_pool *p, uint32_t idx);

static inline void *bf_pool_at(const struct bf_pool *p, uint32_t idx)
{
    return p->mem + (size_t)idx * p->item_size;
}

static inline uint32_t bf_pool_gen(const struct bf_pool *p, uint32_t idx)
{
    return p->gen[idx] >> 1;
}

/* Whether idx is a live slot. */
static inline int bf_pool_live(const struct bf_pool *p, uint32_t idx)
{
    return idx < p->top && (p->gen[idx] & 1u);
}

#endif
