/*
 * error.h - error codes, diagnostics and the always-on assertion.
 *
 * Two kinds of failure, two mechanisms:
 *  - bad input or environment (a scenario file, I/O, memory, a missing
 *    gnuplot): functions return 0 or a negative BF_E* code and put the
 *    human detail into a caller-provided struct bf_diag;
 *  - a broken invariant inside the engine or model is a bug: BF_ASSERT,
 *    always on (also in release builds), prints the simulation context
 *    registered by the running thread and aborts.
 */
#ifndef BORDERFLOW_ERROR_H
#define BORDERFLOW_ERROR_H

#include <stddef.h>
#include <stdint.h>

/* name, message. The enum value is BF_E<name>, negative. */
#define BF_ERRNO_MAP(XX)                                                                           \
    XX(INVAL, "invalid argument")                                                                  \
    XX(NOMEM, "out of memory")                                                                     \
    XX(RANGE, "value out of range")                                                                \
    XX(IO, "input/output error")                                                                   \
    XX(PARSE, "malformed input")                                                                   \
    XX(NOENT, "no such file or directory")                                                         \
    XX(NOGNUPLOT, "gnuplot not found")                                                             \
    XX(CALENDAR, "date outside the calendar's known years")                                        \
    XX(INTR, "interrupted by a signal")                                                            \
    XX(LIMIT, "exceeds a configured limit")                                                        \
    XX(CHILD, "a child process failed")                                                            \
    XX(MPI, "MPI failure")                                                                         \
    XX(BUSY, "in use by another process")

enum bf_errno {
    BF_OK = 0,
#define XX(name, msg) BF_E##name,
    BF__ERRNO_FIRST_ = -1000,
    BF_ERRNO_MAP(XX)
#undef XX
        BF__ERRNO_LAST_
};

/* Short message for a code ("out of memory"); "unknown error" otherwise. */
const char *bf_strerror(int code);
/* Symbolic name ("BF_ENOMEM"). */
const char *bf_err_name(int code);

/*
 * Diagnostic detail of one failure: where (file:line:column and JSON path,
 * or a function and entity) and what (what is wrong and what is allowed).
 * Always NUL-terminated; empty strings when nothing was set.
 */
struct bf_diag {
    char where[256];
    char msg[512];
};

/* Clears both fields. */
void bf_diag_clear(struct bf_diag *d);
/* printf-style setters; truncate silently to the field size. NULL d is a no-op. */
void bf_diag_where(struct bf_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bf_diag_set(struct bf_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * s made safe for a terminal: every control character -- U+0000..U+001F,
 * U+007F, and the C1 controls U+0080..U+009F, which a terminal may take for
 * the start of an escape sequence -- written as \u00XX, as JSON writes it,
 * so that a key holding "\u001b[2J" prints as that text instead of clearing
 * the screen; anything else as it is. At most size bytes into out, always
 * NUL-terminated, cut before an escape that does not fit. Returns out.
 */
char *bf_text_escape(const char *s, char *out, size_t size);

/*
 * Context printed by a failing BF_ASSERT: the simulation time and the
 * (city, policy, replication, seed) being run by this thread. The model sets
 * it when a run starts; it is thread-local so threads do not mix reports.
 */
struct bf_assert_ctx {
    const double *now_h; /* may be NULL */
    const char *city;
    const char *policy;
    uint32_t replication;
    uint64_t seed;
};
void bf_assert_set_ctx(const struct bf_assert_ctx *ctx);
void bf_assert_clear_ctx(void);

_Noreturn void bf__assert_fail(const char *expr, const char *file, int line, const char *func);

#define BF_ASSERT(x) ((x) ? (void)0 : bf__assert_fail(#x, __FILE__, __LINE__, __func__))

#endif
