/*
 * pool.c - entity pools: a growable array with a free list threaded through
 * the free slots, and a generation per slot (low bit = live).
 */
#include "borderflow/pool.h"

#include <string.h>

#include "borderflow/alloc.h"

int bf_pool_init(struct bf_pool *p, size_t item_size, uint32_t cap_hint)
{
    BF_ASSERT(item_size >= 1);
    memset(p, 0, sizeof *p);
    /* a free slot stores the next free index in its first bytes */
    p->item_size = item_size < sizeof(uint32_t) ? sizeof(uint32_t) : item_size;
    p->free_head = BF_POOL_NONE;
    if (cap_hint > 0) {
        p->mem = bf__malloc((size_t)cap_hint * p->item_size);
        p->gen = bf__calloc(cap_hint, sizeof *p->gen);
        if (p->mem == NULL || p->gen == NULL) {
            bf_pool_fini(p);
            return BF_ENOMEM;
        }
        p->cap = cap_hint;
    }
    return 0;
}

void bf_pool_fini(struct bf_pool *p)
{
    bf__free(p->mem);
    bf__free(p->gen);
    p->mem = NULL;
    p->gen = NULL;
    p->cap = p->top = p->live = 0;
    p->free_head = BF_POOL_NONE;
}

static int grow(struct bf_pool *p)
{
    uint32_t limit = p->max_items ? p->max_items : UINT32_MAX - 1;
    if (p->cap >= limit)
        return BF_ELIMIT;
    uint64_t want = p->cap ? 2 * (uint64_t)p->cap : 64;
    uint32_t ncap = want > limit ? limit : (uint32_t)want;
    /* Grow both arrays before publishing either, so a failure leaves the
     * pool as it was. */
    unsigned char *nm = bf__realloc(p->mem, (size_t)ncap * p->item_size);
    if (nm == NULL)
        return BF_ENOMEM;
    p->mem = nm;
    uint32_t *ng = bf__realloc(p->gen, (size_t)ncap * sizeof *ng);
    if (ng == NULL)
        return BF_ENOMEM; /* mem is larger than needed; harmless */
    memset(ng + p->cap, 0, (size_t)(ncap - p->cap) * sizeof *ng);
    p->gen = ng;
    p->cap = ncap;
    return 0;
}

int bf_pool_alloc(struct bf_pool *p, uint32_t *idx)
{
    uint32_t i;
    if (p->free_head != BF_POOL_NONE) {
        i = p->free_head;
        memcpy(&p->free_head, bf_pool_at(p, i), sizeof p->free_head);
    } else {
        if (p->top == p->cap) {
            int rc = grow(p);
            if (rc != 0)
                return rc;
        }
        i = p->top++;
    }
    p->gen[i] |= 1u;
    memset(bf_pool_at(p, i), 0, p->item_size);
    p->live++;
    if (p->live > p->peak)
        p->peak = p->live;
    *idx = i;
    return 0;
}

void bf_pool_free(struct bf_pool *p, uint32_t idx)
{
    BF_ASSERT(bf_pool_live(p, idx));
    p->gen[idx] = (p->gen[idx] | 1u) + 1u; /* next generation, low bit clear */
    memcpy(bf_pool_at(p, idx), &p->free_head, sizeof p->free_head);
    p->free_head = idx;
    p->live--;
}
