/*
 * alloc.h - the allocator every borderflow module goes through.
 *
 * A single hook lets tests fail the Nth allocation (counting from when the
 * hook is armed) to prove that every path reports BF_ENOMEM cleanly, and an
 * optional byte budget backs `--max-memory`. Both are process-wide and
 * thread-safe (atomic counters); production code never arms the hook.
 */
#ifndef BORDERFLOW_ALLOC_H
#define BORDERFLOW_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *bf__malloc(size_t size);
void *bf__calloc(size_t n, size_t size);
void *bf__realloc(void *p, size_t size);
void bf__free(void *p);
/* Copy of s in bf__malloc'd memory, or NULL. */
char *bf__strdup(const char *s);

/*
 * Fail the nth allocation from now (1 = the next one) and every one after
 * it when sticky is nonzero; 0 disarms. Returns the number of allocations
 * made since the hook was last armed, so a test can learn how many points
 * a run reaches.
 */
void bf_alloc_fail_at(uint64_t nth, int sticky);
uint64_t bf_alloc_count(void);

/*
 * Budget of live bytes allocated through the hook; 0 = unlimited. An
 * allocation that would exceed it fails like malloc would. Live bytes are
 * tracked with a small header in front of each block.
 */
void bf_alloc_set_limit(uint64_t bytes);
uint64_t bf_alloc_live_bytes(void);
uint64_t bf_alloc_peak_bytes(void);

#endif
