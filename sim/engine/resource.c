/*
 * resource.c - limited-capacity resources with a FIFO wait queue.
 */
#include "borderflow/resource.h"

#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/error.h"

int bf_resource_init(struct bf_resource *r, uint32_t capacity, double t0_h)
{
    memset(r, 0, sizeof *r);
    r->capacity = capacity;
    r->wq_cap = 16;
    r->wq_entity = bf__malloc(r->wq_cap * sizeof *r->wq_entity);
    r->wq_t_h = bf__malloc(r->wq_cap * sizeof *r->wq_t_h);
    if (r->wq_entity == NULL || r->wq_t_h == NULL) {
        bf_resource_fini(r);
        return BF_ENOMEM;
    }
    bf_tw_init(&r->busy_tw, t0_h, 0.0);
    bf_tw_init(&r->cap_tw, t0_h, (double)capacity);
    bf_tw_init(&r->queue_tw, t0_h, 0.0);
    return 0;
}

void bf_resource_fini(struct bf_resource *r)
{
    bf__free(r->wq_entity);
    bf__free(r->wq_t_h);
    r->wq_entity = NULL;
    r->wq_t_h = NULL;
    r->wq_len = r->wq_cap = 0;
}

static int wq_grow(struct bf_resource *r)
{
    uint32_t ncap = 2 * r->wq_cap;
    uint32_t *ne = bf__malloc(ncap * sizeof *ne);
    double *nt = bf__malloc(ncap * sizeof *nt);
    if (ne == NULL || nt == NULL) {
        bf__free(ne);
        bf__free(nt);
        return BF_ENOMEM;
    }
    for (uint32_t k = 0; k < r->wq_len; k++) {
        uint32_t j = (r->wq_head + k) & (r->wq_cap - 1);
        ne[k] = r->wq_entity[j];
        nt[k] = r->wq_t_h[j];
    }
    bf__free(r->wq_entity);
    bf__free(r->wq_t_h);
    r->wq_entity = ne;
    r->wq_t_h = nt;
    r->wq_head = 0;
    r->wq_cap = ncap;
    return 0;
}

int bf_resource_acquire(struct bf_resource *r, double now_h, uint32_t entity, bool *granted)
{
    if (r->busy < r->capacity && r->wq_len == 0) {
        r->busy++;
        bf_tw_set(&r->busy_tw, now_h, (double)r->busy);
        r->n_granted++;
        *granted = true;
        return 0;
    }
    if (r->wq_len == r->wq_cap) {
        int rc = wq_grow(r);
        if (rc != 0)
            return rc;
    }
    uint32_t j = (r->wq_head + r->wq_len) & (r->wq_cap - 1);
    r->wq_entity[j] = entity;
    r->wq_t_h[j] = now_h;
    r->wq_len++;
    bf_tw_set(&r->queue_tw, now_h, (double)r->wq_len);
    *granted = false;
    return 0;
}

/* Hands a free unit to the head of the queue. */
static bool grant_head(struct bf_resource *r, double now_h, uint32_t *next, double *waited_h)
{
    if (r->wq_len == 0 || r->busy >= r->capacity)
        return false;
    uint32_t j = r->wq_head;
    double w = now_h - r->wq_t_h[j];
    *next = r->wq_entity[j];
    if (waited_h != NULL)
        *waited_h = w;
    r->wq_head = (j + 1) & (r->wq_cap - 1);
    r->wq_len--;
    bf_tw_set(&r->queue_tw, now_h, (double)r->wq_len);
    r->busy++;
    r->n_granted++;
    r->n_waited++;
    r->wait_sum_h += w;
    if (w > r->wait_max_h)
        r->wait_max_h = w;
    return true;
}

bool bf_resource_release(struct bf_resource *r, double now_h, uint32_t *next, double *waited_h)
{
    BF_ASSERT(r->busy > 0);
    r->busy--;
    bool g = grant_head(r, now_h, next, waited_h);
    if (!g)
        bf_tw_set(&r->busy_tw, now_h, (double)r->busy);
    return g;
}

void bf_resource_set_capacity(struct bf_resource *r, double now_h, uint32_t capacity)
{
    r->capacity = capacity;
    bf_tw_set(&r->cap_tw, now_h, (double)capacity);
}

bool bf_resource_grant_next(struct bf_resource *r, double now_h, uint32_t *next, double *waited_h)
{
    bool g = grant_head(r, now_h, next, waited_h);
    if (g)
        bf_tw_set(&r->busy_tw, now_h, (double)r->busy);
    return g;
}

uint32_t bf_resource_queue_length(const struct bf_resource *r)
{
    return r->wq_len;
}

double bf_resource_utilisation(const struct bf_resource *r, double now_h)
{
    double cap = bf_tw_area(&r->cap_tw, now_h);
    return cap > 0.0 ? bf_tw_area(&r->busy_tw, now_h) / cap : 0.0;
}

double bf_resource_mean_queue(const struct bf_resource *r, double now_h)
{
    return bf_tw_mean(&r->queue_tw, now_h);
}

double bf_resource_mean_wait(const struct bf_resource *r)
{
    return r->n_granted ? r->wait_sum_h / (double)r->n_granted : 0.0;
}
