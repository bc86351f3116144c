/*
 * json.c - scenario files as JSON trees with source positions; "extends".
 *
 * cJSON reports no positions, so after a successful parse the text is
 * scanned once more in step with the tree (both are in document order) and
 * each node's line and column are kept in a table keyed by node pointer.
 * Merging a scenario onto the one it extends moves nodes between trees
 * without copying them, so positions stay true.
 */
/* realpath() is an XSI function, beyond the project's _POSIX_C_SOURCE */
#define _XOPEN_SOURCE 700

#include "borderflow/json.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "borderflow/alloc.h"
#include "borderflow/sha256.h"

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

/* ---- positions ---- */

static size_t ptr_hash(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

static struct bf__pos *pos_slot(struct bf__doc *doc, const cJSON *node)
{
    if (2 * (doc->pos_n + 1) > doc->pos_cap) {
        size_t ncap = doc->pos_cap ? 2 * doc->pos_cap : 256;
        struct bf__pos *nt = bf__calloc(ncap, sizeof *nt);
        if (nt == NULL) {
            doc->oom = true;
            return NULL;
        }
        for (size_t i = 0; i < doc->pos_cap; i++) {
            if (doc->pos[i].node == NULL)
                continue;
            size_t j = ptr_hash(doc->pos[i].node, ncap);
            while (nt[j].node != NULL)
                j = (j + 1) & (ncap - 1);
            nt[j] = doc->pos[i];
        }
        bf__free(doc->pos);
        doc->pos = nt;
        doc->pos_cap = ncap;
    }
    size_t j = ptr_hash(node, doc->pos_cap);
    while (doc->pos[j].node != NULL && doc->pos[j].node != node)
        j = (j + 1) & (doc->pos_cap - 1);
    if (doc->pos[j].node == NULL) {
        doc->pos[j].node = node;
        doc->pos_n++;
    }
    return &doc->pos[j];
}

const struct bf__pos *bf__doc_pos(const struct bf__doc *doc, const cJSON *node)
{
    if (doc->pos_cap == 0)
        return NULL;
    size_t j = ptr_hash(node, doc->pos_cap);
    while (doc->pos[j].node != NULL) {
        if (doc->pos[j].node == node)
            return &doc->pos[j];
        j = (j + 1) & (doc->pos_cap - 1);
    }
    return NULL;
}


static void adv(struct bf__scan *sc)
{
    unsigned char c = (unsigned char)sc->s[sc->i++];
    if (c == '\n') {
        sc->line++;
        sc->col = 1;
    } else if ((c & 0xC0) != 0x80) { /* count characters, not UTF-8 bytes */
        sc->col++;
    }
}

static void skip_ws(struct bf__scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' ||
                             sc->s[sc->i] == '\r'))
        adv(sc);
}

static void skip_string(struct bf__scan *sc)
{
    adv(sc); /* opening quote */
    while (sc->i < sc->n && sc->s[sc->i] != '"') {
        if (sc->s[sc->i] == '\\' && sc->i + 1 < sc->n) {
            if (sc->nul_line == 0 && sc->i + 6 <= sc->n &&
                memcmp(sc->s + sc->i, "\\u0000", 6) == 0) {
                sc->nul_line = sc->line;
                sc->nul_col = sc->col;
            }
            adv(sc);
        }
        adv(sc);
    }
    if (sc->i < sc->n)
        adv(sc);
}

static void expect(struct bf__scan *sc, char c)
{
    skip_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == c)
        adv(sc);
}

/* The text parsed, so it is valid JSON: the scan only keeps step. */
void bf__scan_value(struct bf__doc *doc, struct bf__scan *sc, const cJSON *node, uint16_t file)
{
    skip_ws(sc);
    struct bf__pos *p = pos_slot(doc, node);
    if (p == NULL)
        return;
    p->file = file;
    p->line = sc->line;
    p->col = sc->col;
    if (sc->i >= sc->n)
        return;
    char c = sc->s[sc->i];
    if (c == '{') {
        adv(sc);
        for (const cJSON *ch = node->child; ch != NULL; ch = ch->next) {
            skip_ws(sc);
            int kl = sc->line, kc = sc->col;
            skip_string(sc);
            expect(sc, ':');
            bf__scan_value(doc, sc, ch, file);
            struct bf__pos *cp = pos_slot(doc, ch);
            if (cp != NULL) {
                cp->key_line = kl;
                cp->key_col = kc;
            }
            expect(sc, ',');
        }
        expect(sc, '}');
    } else if (c == '[') {
        adv(sc);
        for (const cJSON *ch = node->child; ch != NULL; ch = ch->next) {
            bf__scan_value(doc, sc, ch, file);
            expect(sc, ',');
        }
        expect(sc, ']');
    } else if (c == '"') {
        skip_string(sc);
    } else {
        while (sc->i < sc->n && !strchr(",]} \t\r\n", sc->s[sc->i]))
            adv(sc);
    }
}

/* ---- reading and parsing one file ---- */

/* Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

void bf__line_col(const char *text, size_t off, int *line, int *col)
{
    struct bf__scan sc = {.s = text, .n = off, .line = 1, .col = 1};
    while (sc.i < off)
        adv(&sc);
    *line = sc.line;
    *col = sc.col;
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

/*
 * Parses text as file number `file`; NULL with a problem on failure.
 *
 * A file reached through "extends" (file > 0) is named by the scenario,
 * not by whoever runs the program, who may not be allowed to read it: a
 * service validating uploaded scenarios as root was made to show the first
 * word of /etc/shadow ("JSON syntax error near 'root:$6$...'"). So the
 * messages about such a file never quote its text -- no word, no byte --
 * only where the mistake is; the file given on the command line, which the
 * user could read anyway, is quoted as before.
 */
static cJSON *parse(struct bf__doc *doc, const char *name, const char *text, size_t len,
                    uint16_t file, int *rc)
{
    const bool quote = file == 0;
    bf_sha256_update(doc->sha_ctx, text, len);
    size_t bad = utf8_invalid_at((const unsigned char *)text, len);
    if (bad < len) {
        int l, c;
        bf__line_col(text, bad, &l, &c);
        if (quote)
            bf__problem_at(doc, name, l, c, "the file is not valid UTF-8 text (byte 0x%02x)",
                           (unsigned)(unsigned char)text[bad]);
        else
            bf__problem_at(doc, name, l, c,
                           "the file is not valid UTF-8 text: not a scenario file");
        *rc = BF_EPARSE;
        return NULL;
    }
    if (memchr(text, '\0', len) != NULL) {
        bf__problem_at(doc, name, 0, 0, "the file contains a NUL byte; it is not a text file");
        *rc = BF_EPARSE;
        return NULL;
    }
    /* text[len] is NUL (read_file and load_chain make sure) */
    bool oom;
    size_t off = 0;
    cJSON *root = bf_json_parse(text, len, &oom, &off);
    if (root == NULL) {
        if (oom) {
            *rc = BF_ENOMEM;
            return NULL;
        }
        int l, c;
        char why[160];
        if (bf__syntax_error(text, len, &off, why, sizeof why)) {
            bf__line_col(text, off, &l, &c);
            if (quote)
                bf__problem_at(doc, name, l, c, "JSON syntax error: %s", why);
            else
                bf__problem_at(doc, name, l, c,
                               "JSON syntax error: not a scenario file (the text of a file reached "
                               "through \"extends\" is not shown)");
            *rc = BF_EPARSE;
            return NULL;
        }
        bf__line_col(text, off, &l, &c);
        if (!quote) {
            bf__problem_at(doc, name, l, c,
                           "JSON syntax error: not a scenario file (the text of a file reached "
                           "through \"extends\" is not shown)");
            *rc = BF_EPARSE;
            return NULL;
        }
        char near[24] = "";
        size_t k = 0;
        for (size_t j = off; j < len && k + 1 < sizeof near && text[j] != '\n'; j++)
            near[k++] = (char)((unsigned char)text[j] < 0x20 ? ' ' : text[j]);
        near[k] = '\0';
        if (off >= len)
            bf__problem_at(doc, name, l, c,
                           "JSON syntax error: the text ends too early (an unclosed object, "
                           "array or string?)");
        else
            bf__problem_at(doc, name, l, c,
                           "JSON syntax error near '%s' (JSON allows objects, arrays, strings in "
                           "double quotes, numbers, true, false and null; no comments, trailing "
                           "commas, NaN or Infinity; nesting at most %d deep)",
                           near, CJSON_NESTING_LIMIT);
        *rc = BF_EPARSE;
        return NULL;
    }
    struct bf__scan sc = {.s = text, .n = len, .line = 1, .col = 1};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        sc.i = 3; /* cJSON skips a byte-order mark too */
    bf__scan_value(doc, &sc, root, file);
    if (doc->oom) {
        cJSON_Delete(root);
        *rc = BF_ENOMEM;
        return NULL;
    }
    /* cJSON keeps strings NUL-terminated: "\u0000" ended a name or a key
     * there, silently ("Hefei\u0000x" was Hefei). An error, as a syntax
     * error is: the rest of the file is not read as something else. */
    if (sc.nul_line != 0) {
        bf__problem_at(doc, name, sc.nul_line, sc.nul_col,
                       "\\u0000 (the NUL character) is not allowed in a string or a key: the text "
                       "would end there");
        cJSON_Delete(root);
        *rc = BF_EPARSE;
        return NULL;
    }
    return root;
}

static int read_file(struct bf__doc *doc, const char *path, char **text, size_t *len,
                     uint64_t id[2])
{
    /* opening a FIFO blocks until something writes to it: refuse anything
     * but a regular file before opening (fstat below checks what opened) */
    struct stat pre;
    if (stat(path, &pre) == 0 && !S_ISREG(pre.st_mode)) {
        bf__problem_at(doc, path, 0, 0, "not a regular file");
        return BF_EIO;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        bf__problem_at(doc, path, 0, 0, "cannot open the file: %s", strerror(e));
        return e == ENOENT ? BF_ENOENT : BF_EIO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        bf__problem_at(doc, path, 0, 0, "not a regular file");
        return BF_EIO;
    }
    if ((uint64_t)st.st_size > BF_MAX_FILE_BYTES) {
        fclose(f);
        bf__problem_at(doc, path, 0, 0,
                       "the file is %lld bytes; scenario files may be at most %u bytes",
                       (long long)st.st_size, (unsigned)BF_MAX_FILE_BYTES);
        return BF_ELIMIT;
    }
    id[0] = (uint64_t)st.st_dev;
    id[1] = (uint64_t)st.st_ino;
    size_t n = (size_t)st.st_size;
    char *buf = bf__malloc(n + 1);
    if (buf == NULL) {
        fclose(f);
        return BF_ENOMEM;
    }
    size_t got = fread(buf, 1, n, f);
    int err = ferror(f);
    fclose(f);
    if (got != n || err) {
        bf__free(buf);
        bf__problem_at(doc, path, 0, 0, "could not read the whole file");
        return BF_EIO;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* ---- merging ---- */

/*
 * Merging looks up, for each member of the file above, the member of the
 * same name below it (and for each city, the city of the same name): by a
 * linear scan that was quadratic -- two files of 70 000 cities took 39 s,
 * two of 16 MiB would have taken hours, before the count of cities was
 * even checked. An object (or the cities' array) of more than INDEX_MIN
 * entries is indexed once per merge instead: open addressing on the name,
 * the first entry of a name kept, as cJSON_GetObjectItemCaseSensitive
 * finds the first. Smaller ones keep the scan: no allocation for the
 * dozens of small sections of a scenario. doc->merge_steps counts name
 * comparisons and probes, so a test can hold the merge to linear work
 * without timing it.
 */
#define INDEX_MIN 8

struct name_slot {
    const char *name; /* NULL: empty */
    cJSON *node;
};

struct name_index {
    struct name_slot *slot; /* NULL: no index, scan */
    size_t cap;             /* a power of two, at least twice the entries */
    bool cities;            /* entries are cities, named by their "name" member */
};

/* The name an entry is looked up by: a member's key, or a city's name
 * (NULL for an entry that is not an object with a string name). */
static const char *entry_name(const struct name_index *ix, const cJSON *e)
{
    if (!ix->cities)
        return e->string;
    const cJSON *n = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

static size_t name_hash(const char *s, size_t cap)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (size_t)(h ^ h >> 29) & (cap - 1);
}

/* The slot of `name`: its entry, or the empty slot where it would go. */
static struct name_slot *index_slot(struct bf__doc *doc, const struct name_index *ix,
                                    const char *name)
{
    size_t j = name_hash(name, ix->cap);
    for (;; j = (j + 1) & (ix->cap - 1)) {
        doc->merge_steps++;
        if (ix->slot[j].name == NULL || strcmp(ix->slot[j].name, name) == 0)
            return &ix->slot[j];
    }
}

/* Entry e answers for its name from now on (replace), or unless an
 * earlier entry does. */
static void index_put(struct bf__doc *doc, struct name_index *ix, cJSON *e, bool replace)
{
    const char *name = ix->slot != NULL ? entry_name(ix, e) : NULL;
    if (name == NULL)
        return;
    struct name_slot *at = index_slot(doc, ix, name);
    if (at->name == NULL || replace)
        *at = (struct name_slot){name, e};
}

/* Indexes the entries of `parent` when they and the `more` to come are
 * many; without memory (doc->oom is set) the caller scans instead. */
static void index_init(struct bf__doc *doc, struct name_index *ix, const cJSON *parent, size_t more)
{
    size_t n = 0;
    for (const cJSON *e = parent->child; e != NULL; e = e->next)
        n++;
    if (n + more <= INDEX_MIN)
        return;
    ix->cap = 16;
    while (ix->cap < 2 * (n + more))
        ix->cap *= 2;
    ix->slot = bf__calloc(ix->cap, sizeof *ix->slot);
    if (ix->slot == NULL) {
        doc->oom = true;
        return;
    }
    for (cJSON *e = parent->child; e != NULL; e = e->next)
        index_put(doc, ix, e, false);
}

/* The first entry of parent named `name`: by the index when there is one. */
static cJSON *find_entry(struct bf__doc *doc, const struct name_index *ix, const cJSON *parent,
                         const char *name)
{
    if (ix->slot != NULL)
        return index_slot(doc, ix, name)->node;
    for (cJSON *e = parent->child; e != NULL; e = e->next) {
        doc->merge_steps++;
        const char *en = entry_name(ix, e);
        if (en != NULL && strcmp(en, name) == 0)
            return e;
    }
    return NULL;
}

static size_t count_entries(const cJSON *parent)
{
    size_t n = 0;
    for (const cJSON *e = parent->child; e != NULL; e = e->next)
        n++;
    return n;
}

/* What the object being merged is: the entries of some of them are
 * checked by name (compose.c). */
enum level { L_ROOT, L_POLICIES, L_CLASSES, L_OTHER };

static void merge(struct bf__doc *doc, cJSON *base, cJSON *over, enum level level);

static void merge_cities(struct bf__doc *doc, cJSON *base, cJSON *over)
{
    struct name_index ix = {.cities = true};
    index_init(doc, &ix, base, count_entries(over));
    cJSON *c = over->child;
    int i = 0;
    while (c != NULL) {
        cJSON *next = c->next;
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
        const bool named = cJSON_IsObject(c) && cJSON_IsString(nm);
        struct name_slot *at =
            named && ix.slot != NULL ? index_slot(doc, &ix, nm->valuestring) : NULL;
        cJSON *same = at != NULL ? at->node
                      : named    ? find_entry(doc, &ix, base, nm->valuestring)
                                 : NULL;
        if (named)
            bf__compose_entry(doc, BF__ENTRY_CITY, base, same, c, i);
        if (same != NULL) {
            bf__compose_volume(doc, same, c);
            merge(doc, same, c, L_OTHER);
            /* its "name" member was replaced by the equal one of c, which
             * freed the string the index held: hold the new one */
            if (at != NULL)
                at->name = entry_name(&ix, same);
        } else {
            cJSON_DetachItemViaPointer(over, c);
            cJSON_AddItemToArray(base, c);
            index_put(doc, &ix, c, false);
        }
        c = next;
        i++;
    }
    bf__free(ix.slot);
}

/* Overlays `over` onto `base`: objects merge member by member, cities by
 * name, everything else is replaced (and "select", which is one choice,
 * not a set of settings). Nodes move from over into base. */
static void merge(struct bf__doc *doc, cJSON *base, cJSON *over, enum level level)
{
    struct name_index ix = {.cities = false};
    index_init(doc, &ix, base, count_entries(over));
    cJSON *c = over->child;
    while (c != NULL) {
        cJSON *next = c->next;
        const bool root = level == L_ROOT;
        if (root && strcmp(c->string, "extends") == 0) {
            c = next;
            continue;
        }
        cJSON *old = find_entry(doc, &ix, base, c->string);
        if (level == L_POLICIES || level == L_CLASSES)
            bf__compose_entry(doc, level == L_POLICIES ? BF__ENTRY_POLICY : BF__ENTRY_CLASS, base,
                              old, c, -1);
        if (old != NULL && cJSON_IsObject(old) && cJSON_IsObject(c) &&
            !(root && strcmp(c->string, "select") == 0)) {
            enum level sub = !root                                ? L_OTHER
                             : strcmp(c->string, "policies") == 0 ? L_POLICIES
                             : strcmp(c->string, "classes") == 0  ? L_CLASSES
                                                                  : L_OTHER;
            merge(doc, old, c, sub);
        } else if (old != NULL && root && strcmp(c->string, "cities") == 0 && cJSON_IsArray(old) &&
                   cJSON_IsArray(c)) {
            merge_cities(doc, old, c);
        } else {
            if (old == NULL && root && cJSON_IsObject(c) &&
                (strcmp(c->string, "policies") == 0 || strcmp(c->string, "classes") == 0)) {
                /* none in the parent: each one is new */
                const enum bf__entry k = c->string[0] == 'p' ? BF__ENTRY_POLICY : BF__ENTRY_CLASS;
                for (const cJSON *e = c->child; e != NULL; e = e->next)
                    bf__compose_entry(doc, k, NULL, NULL, e, -1);
            }
            cJSON_DetachItemViaPointer(over, c);
            if (old != NULL) {
                /* the index lets go of old (and its key) before it is freed */
                index_put(doc, &ix, c, true);
                cJSON_ReplaceItemViaPointer(base, old, c);
            } else if (cJSON_AddItemToObject(base, c->string, c)) {
                index_put(doc, &ix, c, false);
            } else {
                cJSON_Delete(c); /* the key could not be copied */
                doc->oom = true;
            }
        }
        c = next;
    }
    bf__free(ix.slot);
}

/* Directory part of path ("" for none), with its trailing slash. */
static void dir_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path + 1) : 0;
    if (n >= size)
        n = size - 1;
    memcpy(out, path, n);
    out[n] = '\0';
}

/* Whether a path's last component ends in ".json" (and has a name before it). */
static bool json_named(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    return n > 5 && strcmp(base + n - 5, ".json") == 0;
}

/*
 * What `path` (stat as st) is, for "extends": 0 a regular file whose real
 * name, past any symbolic links, ends in .json; 1 not a regular file (a
 * folder, a FIFO, a device); 2 a link to a file named otherwise.
 */
static int file_kind(const char *path, const struct stat *st)
{
    if (!S_ISREG(st->st_mode))
        return 1;
    struct stat lst;
    if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode))
        return 0;
    char *real = realpath(path, NULL);
    int kind = real != NULL && json_named(real) ? 0 : 2;
    free(real); /* realpath's malloc, not the project's allocator */
    return kind;
}

static int load_chain(struct bf__doc *doc, const char *path, const char *text, size_t len,
                      cJSON **out)
{
    if (doc->n_files == BF__MAX_FILES) {
        bf__problem_at(
            doc, path, 0, 0,
            "\"extends\" goes more than %d files deep (a cycle?); at most %d are allowed",
            BF_MAX_EXTENDS_DEPTH, BF_MAX_EXTENDS_DEPTH);
        return BF_ELIMIT;
    }
    for (unsigned k = 0; k < doc->n_files; k++)
        if (strcmp(doc->files[k], path) == 0) {
            bf__problem_at(doc, path, 0, 0, "\"extends\" forms a cycle through this file");
            return BF_EINVAL;
        }
    uint16_t idx = (uint16_t)doc->n_files++;
    snprintf(doc->files[idx], sizeof doc->files[idx], "%s", path);
    char *owned = NULL;
    int rc = 0;
    if (text == NULL) {
        if ((rc = read_file(doc, path, &owned, &len, doc->file_id[idx])) != 0)
            return rc;
    } else {
        /* text from memory need not end in NUL: work on a terminated copy */
        owned = bf__malloc(len + 1);
        if (owned == NULL)
            return BF_ENOMEM;
        memcpy(owned, text, len);
        owned[len] = '\0';
    }
    text = owned;
    cJSON *root = parse(doc, path, text, len, idx, &rc);
    bf__free(owned);
    if (root == NULL)
        return rc;
    if (!cJSON_IsObject(root)) {
        bf__problem(doc, root, false, "",
                    "a scenario is a JSON object ({ ... }) with at least \"name\"");
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    /* each file on its own: the merge keeps one of two equal keys */
    bf__compose_check_file(doc, root);
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(root, "extends");
    if (ext == NULL) {
        *out = root;
        return 0;
    }
    if (!cJSON_IsString(ext) || ext->valuestring[0] == '\0') {
        bf__problem(doc, ext, false, "extends",
                    "must be the path of another scenario file, relative to this one");
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    char base_path[2 * BF_TEXT_MAX];
    if (ext->valuestring[0] == '/') {
        snprintf(base_path, sizeof base_path, "%s", ext->valuestring);
    } else {
        char dir[BF_TEXT_MAX];
        dir_of(path, dir, sizeof dir);
        snprintf(base_path, sizeof base_path, "%s%s", dir, ext->valuestring);
    }
    if (strlen(base_path) >= BF_TEXT_MAX) {
        bf__problem(doc, ext, false, "extends", "the path is too long (at most %d bytes)",
                    BF_TEXT_MAX - 1);
        cJSON_Delete(root);
        return BF_ELIMIT;
    }
    /* Only a scenario file: a regular file named *.json (and, through a
     * symbolic link, one whose target is named so too). Checked from the
     * name first, so that nothing else -- /etc/shadow -- is even looked
     * up: the message would say whether it exists. */
    if (!json_named(base_path)) {
        bf__problem(doc, ext, false, "extends",
                    "names another scenario file: a path ending in .json, relative to the file "
                    "it is written in");
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    /* Check here, where the "extends" is written, so the message can point
     * at it: the file must exist, and be none of the chain (compared by
     * device and inode: "a.json" and "sub/../a.json" are one file). */
    struct stat st;
    if (stat(base_path, &st) != 0) {
        int e = errno;
        bf__problem(doc, ext, false, "extends",
                    "cannot open '%s': %s (a path in \"extends\" is relative to the file "
                    "it is written in)",
                    base_path, strerror(e));
        cJSON_Delete(root);
        return e == ENOENT ? BF_ENOENT : BF_EIO;
    }
    int kind = file_kind(base_path, &st);
    if (kind != 0) {
        bf__problem(doc, ext, false, "extends",
                    kind == 1 ? "'%s' is not a regular file: \"extends\" names a scenario file"
                              : "'%s' is a link to a file not named *.json: \"extends\" names "
                                "a scenario file",
                    base_path);
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    for (unsigned k = 0; k < doc->n_files; k++) {
        bool same = strcmp(doc->files[k], base_path) == 0 ||
                    (doc->file_id[k][1] != 0 && doc->file_id[k][0] == (uint64_t)st.st_dev &&
                     doc->file_id[k][1] == (uint64_t)st.st_ino);
        if (!same)
            continue;
        char chain[BF_TEXT_MAX] = "";
        size_t used = 0;
        for (unsigned j = 0; j < doc->n_files && used < sizeof chain; j++)
            used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ", doc->files[j]);
        if (used < sizeof chain)
            snprintf(chain + used, sizeof chain - used, "%s", base_path);
        bf__problem(doc, ext, false, "extends",
                    "\"%s\" closes a cycle (%s): a scenario cannot extend itself, directly "
                    "or through others",
                    ext->valuestring, chain);
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    if (doc->n_files == BF__MAX_FILES) {
        bf__problem(doc, ext, false, "extends",
                    "a chain of \"extends\" may be at most %d files deep, not counting the "
                    "first",
                    BF_MAX_EXTENDS_DEPTH);
        cJSON_Delete(root);
        return BF_ELIMIT;
    }
    cJSON *base = NULL;
    rc = load_chain(doc, base_path, NULL, 0, &base);
    if (rc != 0) {
        if (rc == BF_ENOENT || rc == BF_EIO)
            bf__problem(doc, ext, false, "extends", "the scenario it extends cannot be read");
        cJSON_Delete(root);
        return rc;
    }
    merge(doc, base, root, L_ROOT);
    doc->spare[idx] = root; /* emptied of what moved; freed at the end */
    *out = base;
    return 0;
}

static int doc_start(struct bf__doc *doc)
{
    bf_json_init();
    struct bf_problems *keep = doc->problems;
    memset(doc, 0, sizeof *doc);
    doc->problems = keep;
    doc->sha_ctx = bf__malloc(sizeof(struct bf_sha256));
    if (doc->sha_ctx == NULL)
        return BF_ENOMEM;
    bf_sha256_init(doc->sha_ctx);
    return 0;
}

int bf__doc_load_file(struct bf__doc *doc, const char *path)
{
    int rc = doc_start(doc);
    if (rc != 0)
        return rc;
    if (strlen(path) >= BF_TEXT_MAX) {
        bf__problem_at(doc, "", 0, 0, "the path '%.64s...' is too long (at most %d bytes)", path,
                       BF_TEXT_MAX - 1);
        return BF_ELIMIT;
    }
    rc = load_chain(doc, path, NULL, 0, &doc->root);
    return doc->oom ? BF_ENOMEM : rc;
}

int bf__doc_load_text(struct bf__doc *doc, const char *name, const char *text, size_t len)
{
    int rc = doc_start(doc);
    if (rc != 0)
        return rc;
    if (len > BF_MAX_FILE_BYTES) {
        bf__problem_at(doc, name, 0, 0, "the text is %zu bytes; at most %u are allowed", len,
                       (unsigned)BF_MAX_FILE_BYTES);
        return BF_ELIMIT;
    }
    rc = load_chain(doc, name, text, len, &doc->root);
    return doc->oom ? BF_ENOMEM : rc;
}

void bf__doc_sha256_hex(struct bf__doc *doc, char out[65])
{
    uint8_t h[32];
    bf_sha256_final(doc->sha_ctx, h);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

void bf__doc_fini(struct bf__doc *doc)
{
    cJSON_Delete(doc->root);
    for (unsigned k = 0; k < BF__MAX_FILES; k++)
        cJSON_Delete(doc->spare[k]);
    bf__free(doc->pos);
    bf__free(doc->sha_ctx);
    doc->root = NULL;
    doc->pos = NULL;
    doc->sha_ctx = NULL;
}
