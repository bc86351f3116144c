/*
 * error.c - error names and messages, diagnostics, the assertion report.
 */
#include "borderflow/error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *bf_strerror(int code)
{
    switch (code) {
    case BF_OK:
        return "success";
#define XX(name, msg)                                                                              \
    case BF_E##name:                                                                               \
        return msg;
        BF_ERRNO_MAP(XX)
#undef XX
    default:
        return "unknown error";
    }
}

char *bf_text_escape(const char *s, char *out, size_t size)
{
    if (size == 0)
        return out;
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned cp = *p;
        bool c1 = cp == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F; /* U+0080..U+009F in UTF-8 */
        if (c1)
            cp = *++p;
        if (cp < 0x20 || cp == 0x7F || c1) {
            if (k + 6 >= size)
                break;
            snprintf(out + k, 7, "\\u%04x", cp);
            k += 6;
        } else {
            if (k + 1 >= size)
                break;
            out[k++] = (char)cp;
        }
    }
    out[k] = '\0';
    return out;
}

const char *bf_err_name(int code)
{
    switch (code) {
    case BF_OK:
        return "BF_OK";
#define XX(name, msg)                                                                              \
    case BF_E##name:                                                                               \
        return "BF_E" #name;
        BF_ERRNO_MAP(XX)
#undef XX
    default:
        return "BF_EUNKNOWN";
    }
}

void bf_diag_clear(struct bf_diag *d)
{
    if (d == NULL)
        return;
    d->where[0] = '\0';
    d->msg[0] = '\0';
}

void bf_diag_where(struct bf_diag *d, const char *fmt, ...)
{
    if (d == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->where, sizeof d->where, fmt, ap);
    va_end(ap);
}

void bf_diag_set(struct bf_diag *d, const char *fmt, ...)
{
    if (d == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

/* One context per thread: a batch runs many (city, policy, replication)
 * items at once and each failure must name its own. */
static _Thread_local struct bf_assert_ctx assert_ctx;
static _Thread_local int assert_ctx_set;

void bf_assert_set_ctx(const struct bf_assert_ctx *ctx)
{
    assert_ctx = *ctx;
    assert_ctx_set = 1;
}

void bf_assert_clear_ctx(void)
{
    assert_ctx_set = 0;
}

void bf__assert_fail(const char *expr, const char *file, int line, const char *func)
{
    fprintf(stderr, "borderflow: internal error: assertion '%s' failed in %s (%s:%d)\n", expr, func,
            file, line);
    if (assert_ctx_set) {
        fprintf(stderr,
                "borderflow: while simulating city '%s', policy '%s', replication %u, seed %llu",
                assert_ctx.city ? assert_ctx.city : "?",
                assert_ctx.policy ? assert_ctx.policy : "?", (unsigned)assert_ctx.replication,
                (unsigned long long)assert_ctx.seed);
        if (assert_ctx.now_h != NULL)
            fprintf(stderr, " at t = %.6f h", *assert_ctx.now_h);
        fputc('\n', stderr);
    }
    fputs("borderflow: this is a bug; please report it with the scenario file and the line "
          "above.\n",
          stderr);
    fflush(stderr);
    abort();
}
