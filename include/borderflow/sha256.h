/*
 * sha256.h - SHA-256 (FIPS 180-4): the scenario's hash in the run record,
 * and each result file's, so that --resume can tell a complete folder from
 * one whose files were changed or cut short.
 */
#ifndef BORDERFLOW_SHA256_H
#define BORDERFLOW_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "borderflow/error.h"

struct bf_sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t n;
};
void bf_sha256_init(struct bf_sha256 *c);
void bf_sha256_update(struct bf_sha256 *c, const void *data, size_t len);
void bf_sha256_final(struct bf_sha256 *c, uint8_t out[32]);
/* 64 lowercase hex digits and a NUL. */
void bf_sha256_hex(const uint8_t h[32], char out[65]);
/* The hash of a whole file; 0, or BF_ENOENT / BF_EIO with diag. */
int bf_sha256_file(const char *path, char out[65], struct bf_diag *diag);

#endif
