/*
 * diag.c - what is wrong with a scenario file, and where: the list of
 * problems (each with its file, line, column and JSON path), and the
 * diagnosis of a JSON syntax error, which cJSON only locates.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

/* ---- problems ---- */

void bf_problems_init(struct bf_problems *p)
{
    memset(p, 0, sizeof *p);
}

void bf_problems_fini(struct bf_problems *p)
{
    bf__free(p->items);
    memset(p, 0, sizeof *p);
}

int bf_problem_format(const struct bf_problem *p, char *buf, size_t size)
{
    /* the file's name, the path's keys and the message's quotes of the
     * file come from outside: escaped for the terminal (bf_text_escape) */
    char at[BF_TEXT_MAX + 32] = "";
    if (p->file[0] && p->line > 0)
        snprintf(at, sizeof at, "%s:%d:%d: ", p->file, p->line, p->column);
    else if (p->file[0])
        snprintf(at, sizeof at, "%s: ", p->file);
    char raw[sizeof at + sizeof p->path + sizeof p->msg + 4];
    int n = snprintf(raw, sizeof raw, "%s%s%s%s", at, p->path, p->path[0] ? ": " : "", p->msg);
    bf_text_escape(raw, buf, size);
    return n < 0 ? n : (int)strlen(buf);
}

#define MAX_PROBLEMS 200

bool bf__problems_full(const struct bf__doc *doc)
{
    return doc->problems->n >= MAX_PROBLEMS;
}

static struct bf_problem *problem_slot(struct bf__doc *doc)
{
    struct bf_problems *ps = doc->problems;
    if (ps->n == MAX_PROBLEMS) {
        ps->dropped++;
        return NULL;
    }
    if (ps->n == ps->cap) {
        size_t ncap = ps->cap ? 2 * ps->cap : 16;
        struct bf_problem *ni = bf__realloc(ps->items, ncap * sizeof *ni);
        if (ni == NULL) {
            doc->oom = true;
            return NULL;
        }
        ps->items = ni;
        ps->cap = ncap;
    }
    struct bf_problem *p = &ps->items[ps->n++];
    memset(p, 0, sizeof *p);
    return p;
}

void bf__problem(struct bf__doc *doc, const cJSON *node, bool at_key, const char *path,
                 const char *fmt, ...)
{
    struct bf_problem *p = problem_slot(doc);
    if (p == NULL)
        return;
    const struct bf__pos *pos = node != NULL ? bf__doc_pos(doc, node) : NULL;
    if (pos != NULL) {
        snprintf(p->file, sizeof p->file, "%s", doc->files[pos->file]);
        p->line = at_key && pos->key_line > 0 ? pos->key_line : pos->line;
        p->column = at_key && pos->key_line > 0 ? pos->key_col : pos->col;
    } else if (doc->n_files > 0) {
        snprintf(p->file, sizeof p->file, "%s", doc->files[0]);
    }
    snprintf(p->path, sizeof p->path, "%s", path != NULL ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}

void bf__problem_at(struct bf__doc *doc, const char *file, int line, int col, const char *fmt, ...)
{
    struct bf_problem *p = problem_slot(doc);
    if (p == NULL)
        return;
    snprintf(p->file, sizeof p->file, "%s", file);
    p->line = line;
    p->column = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}

/* ---- locating syntax errors ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '.' || c == '+' || c == '-';
}

static size_t ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* A value that is not one: name the usual mistakes. */
static void bad_value(const char *s, size_t i, size_t n, size_t comma, char *why, size_t size)
{
    char c = s[i];
    size_t k = 0;
    while (i + k < n && k < 16 && is_word(s[i + k]))
        k++;
    if ((c == '}' || c == ']') && comma != SIZE_MAX)
        snprintf(why, size, "a comma before '%c': JSON allows no trailing commas", c);
    else if (c == '/')
        snprintf(why, size, "a comment: JSON allows no comments (use \"notes\" or \"note\")");
    else if (c == '\'')
        snprintf(why, size, "a string in single quotes: JSON strings take double quotes");
    else if ((k == 3 && strncmp(s + i, "NaN", 3) == 0) ||
             (k >= 8 && strncmp(s + i + (c == '-' || c == '+'), "Infinity", 8) == 0))
        snprintf(why, size, "'%.*s': JSON numbers are finite; NaN and Infinity are not allowed",
                 (int)k, s + i);
    else if (k > 0)
        snprintf(why, size,
                 "'%.*s' is not a value: text goes in double quotes; the words JSON knows "
                 "are true, false and null",
                 (int)k, s + i);
    else
        snprintf(why, size,
                 "expected a value (an object, array, string, number, true, false or null), "
                 "found '%c'",
                 c);
}

/*
 * Where (*at, a byte offset) and why text is not JSON (RFC 8259). cJSON
 * only says where it stopped, which can be one character past the mistake
 * or the end of the text (a trailing comma before '}' was reported as "the
 * text ends too early"); this second, strict pass runs only after cJSON
 * failed and names the mistake. Returns false when it finds none (the
 * caller then falls back on cJSON's position).
 */
bool bf__syntax_error(const char *s, size_t n, size_t *at, char *why, size_t size)
{
    char stack[CJSON_NESTING_LIMIT + 1];
    size_t depth = 0, i = 0, comma = SIZE_MAX; /* comma: of the last ',' read, if just read */
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    enum { VALUE, KEY, AFTER } want = VALUE;
    for (;;) {
        i = ws(s, i, n);
        if (want == AFTER && depth == 0) {
            if (i < n) {
                *at = i;
                if (s[i] == '/')
                    bad_value(s, i, n, SIZE_MAX, why, size);
                else
                    snprintf(why, size, "more text after the end of the JSON value");
                return true;
            }
            return false;
        }
        if (i >= n) {
            *at = n;
            if (depth == 0)
                snprintf(why, size, "the text ends where a value was expected (an empty file?)");
            else
                snprintf(why, size,
                         "the text ends too early: %zu object(s) or array(s) are not closed",
                         depth);
            return true;
        }
        char c = s[i];
        *at = i;
        if (want == AFTER && c == '/') {
            bad_value(s, i, n, SIZE_MAX, why, size);
            return true;
        }
        if (want == AFTER) {
            char close = stack[depth - 1] == '{' ? '}' : ']';
            if (c == ',') {
                comma = i++;
                want = close == '}' ? KEY : VALUE;
            } else if (c == close) {
                depth--;
                i++;
            } else {
                snprintf(why, size, "expected ',' or '%c' after %s, found '%c'", close,
                         close == '}' ? "an object member" : "an array element", c);
                return true;
            }
            continue;
        }
        if (want == KEY && c != '"') {
            if (c == '}' && comma != SIZE_MAX) {
                *at = comma;
                bad_value(s, i, n, comma, why, size);
            } else if (c == '\'' || c == '/') {
                bad_value(s, i, n, SIZE_MAX, why, size);
            } else {
                snprintf(why, size, "expected a member name in double quotes, found '%c'", c);
            }
            return true;
        }
        if (c == '{' || c == '[') {
            if (depth == CJSON_NESTING_LIMIT) {
                snprintf(why, size, "nesting deeper than %d objects and arrays",
                         CJSON_NESTING_LIMIT);
                return true;
            }
            stack[depth++] = c;
            i = ws(s, i + 1, n);
            comma = SIZE_MAX;
            if (i < n && s[i] == (c == '{' ? '}' : ']')) {
                depth--;
                i++;
                want = AFTER;
            } else {
                want = c == '{' ? KEY : VALUE;
            }
            continue;
        }
        if (c == '"') {
            size_t open = i++;
            while (i < n && s[i] != '"') {
                if ((unsigned char)s[i] < 0x20) {
                    *at = i;
                    snprintf(why, size,
                             "a control character (a line break or tab?) inside a string; "
                             "strings end on the same line, and \\n or \\t write one");
                    return true;
                }
                if (s[i] == '\\') {
                    *at = i;
                    if (i + 1 >= n || !strchr("\"\\/bfnrtu", s[i + 1])) {
                        snprintf(why, size,
                                 "a backslash starts an escape: \\\", \\\\, \\/, \\b, \\f, "
                                 "\\n, \\r, \\t or \\uXXXX; write \\\\ for a backslash");
                        return true;
                    }
                    if (s[i + 1] == 'u') {
                        for (size_t k = 2; k < 6; k++)
                            if (i + k >= n || !strchr("0123456789abcdefABCDEF", s[i + k])) {
                                snprintf(why, size, "\\u takes four hexadecimal digits");
                                return true;
                            }
                        i += 4;
                    }
                    i++;
                }
                i++;
            }
            if (i >= n) {
                *at = open;
                snprintf(why, size, "this string is not closed (a missing '\"')");
                return true;
            }
            i++;
            if (want == KEY) {
                i = ws(s, i, n);
                if (i >= n || s[i] != ':') {
                    *at = i;
                    snprintf(why, size, "expected ':' after the member name");
                    return true;
                }
                i++;
                want = VALUE;
                comma = SIZE_MAX;
                continue;
            }
            want = AFTER;
            continue;
        }
        if (c == '-' || is_digit(c)) {
            size_t start = i;
            if (c == '-')
                i++;
            bool ok = i < n && is_digit(s[i]);
            if (ok && s[i] == '0' && i + 1 < n && is_digit(s[i + 1]))
                ok = false; /* a leading zero */
            while (i < n && is_digit(s[i]))
                i++;
            if (ok && i < n && s[i] == '.') {
                i++;
                ok = i < n && is_digit(s[i]);
                while (i < n && is_digit(s[i]))
                    i++;
            }
            if (ok && i < n && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                if (i < n && (s[i] == '+' || s[i] == '-'))
                    i++;
                ok = i < n && is_digit(s[i]);
                while (i < n && is_digit(s[i]))
                    i++;
            }
            if (!ok || (i < n && is_word(s[i]))) {
                if (c == '-' && start + 1 < n && s[start + 1] == 'I') {
                    bad_value(s, start, n, SIZE_MAX, why, size);
                    return true;
                }
                size_t k = 0;
                while (start + k < n && k < 24 && is_word(s[start + k]))
                    k++;
                snprintf(why, size,
                         "'%.*s' is not a JSON number (decimal digits, no leading zeros, "
                         "e.g. 16, -0.5, 1e-3)",
                         (int)k, s + start);
                return true;
            }
            want = AFTER;
            continue;
        }
        static const char *const words[] = {"true", "false", "null"};
        bool word = false;
        for (size_t w = 0; w < 3 && !word; w++) {
            size_t len = strlen(words[w]);
            if (n - i >= len && memcmp(s + i, words[w], len) == 0 &&
                (i + len >= n || !is_word(s[i + len]))) {
                i += len;
                word = true;
            }
        }
        if (!word) {
            if ((c == '}' || c == ']') && comma != SIZE_MAX)
                *at = comma;
            bad_value(s, i, n, comma, why, size);
            return true;
        }
        want = AFTER;
    }
}
