/*
 * alloc.c - the allocation hook (Lua's Memcontrol, redis zmalloc).
 *
 * Every block carries a 16-byte header with its size so that live bytes can
 * be counted for --max-memory; 16 keeps the user pointer aligned for any
 * type malloc would align for on x86-64 and aarch64.
 */
#include "borderflow/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define HDR 16u

static atomic_uint_fast64_t n_allocs; /* since the hook was armed */
static atomic_uint_fast64_t fail_at;  /* 0 = disarmed */
static atomic_int fail_sticky;
static atomic_uint_fast64_t live_bytes;
static atomic_uint_fast64_t peak_bytes;
static atomic_uint_fast64_t limit_bytes; /* 0 = unlimited */

void bf_alloc_fail_at(uint64_t nth, int sticky)
{
    atomic_store(&n_allocs, 0);
    atomic_store(&fail_sticky, sticky);
    atomic_store(&fail_at, nth);
}

uint64_t bf_alloc_count(void)
{
    return (uint64_t)atomic_load(&n_allocs);
}

void bf_alloc_set_limit(uint64_t bytes)
{
    atomic_store(&limit_bytes, bytes);
}

uint64_t bf_alloc_live_bytes(void)
{
    return (uint64_t)atomic_load(&live_bytes);
}

uint64_t bf_alloc_peak_bytes(void)
{
    return (uint64_t)atomic_load(&peak_bytes);
}

/* Decides whether this allocation of `size` more bytes may proceed. */
static int may_allocate(size_t size)
{
    uint64_t k = (uint64_t)atomic_fetch_add(&n_allocs, 1) + 1;
    uint64_t f = (uint64_t)atomic_load(&fail_at);
    if (f != 0 && (k == f || (k > f && atomic_load(&fail_sticky))))
        return 0;
    uint64_t lim = (uint64_t)atomic_load(&limit_bytes);
    if (lim != 0 && (uint64_t)atomic_load(&live_bytes) + size > lim)
        return 0;
    return 1;
}

static void account(int64_t delta)
{
    if (delta >= 0) {
        uint64_t now = (uint64_t)atomic_fetch_add(&live_bytes, (uint64_t)delta) + (uint64_t)delta;
        uint64_t peak = (uint64_t)atomic_load(&peak_bytes);
        while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now))
            ;
    } else {
        atomic_fetch_sub(&live_bytes, (uint64_t)(-delta));
    }
}

void *bf__malloc(size_t size)
{
    if (size > SIZE_MAX - HDR || !may_allocate(size))
        return NULL;
    unsigned char *p = malloc(HDR + size);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof size);
    account((int64_t)size);
    return p + HDR;
}

void *bf__calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = bf__malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void *bf__realloc(void *p, size_t size)
{
    if (p == NULL)
        return bf__malloc(size);
    unsigned char *base = (unsigned char *)p - HDR;
    size_t old;
    memcpy(&old, base, sizeof old);
    if (size > old && (size > SIZE_MAX - HDR || !may_allocate(size - old)))
        return NULL;
    unsigned char *q = realloc(base, HDR + size);
    if (q == NULL)
        return NULL;
    memcpy(q, &size, sizeof size);
    account((int64_t)size - (int64_t)old);
    return q + HDR;
}

void bf__free(void *p)
{
    if (p == NULL)
        return;
    unsigned char *base = (unsigned char *)p - HDR;
    size_t old;
    memcpy(&old, base, sizeof old);
    account(-(int64_t)old);
    free(base);
}

char *bf__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = bf__malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}
