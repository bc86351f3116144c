/*
 * parse.c - reading the CSV and JSON files of a results folder.
 *
 * Both readers take the whole file into memory (the largest file, the daily
 * cash table of a 45-city study, is a few MB) and unescape in place, so a
 * cell or string is a pointer into one buffer and one free releases all.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

int bf__read_file(const char *path, char **out, size_t *len, struct bf_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        bf_diag_set(diag, "cannot read '%s': %s", path, strerror(e));
        return e == ENOENT ? BF_ENOENT : BF_EIO;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = bf__malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return BF_ENOMEM;
    }
    for (;;) {
        if (cap - n < 2) {
            char *nb = bf__realloc(buf, cap * 2);
            if (nb == NULL) {
                bf__free(buf);
                fclose(f);
                return BF_ENOMEM;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        bf__free(buf);
        bf_diag_set(diag, "cannot read '%s'", path);
        return BF_EIO;
    }
    buf[n] = '\0';
    *out = buf;
    if (len != NULL)
        *len = n;
    return 0;
}

/* ---- CSV ---- */

/*
 * One pass that both counts and splits: fields are copied, unescaped, to
 * the front of the same buffer (an unescaped field is never longer than its
 * source), each ended by a NUL; `cells` (may be NULL while counting)
 * receives their addresses.
 */
static int split(char *s, size_t len, char **cells, size_t *n_cells, size_t *n_records,
                 size_t *n_cols, size_t *bad_line)
{
    char *w = s;
    size_t i = 0, nc = 0, nr = 0, fields = 0, line = 1;
    *bad_line = 0;
    if (len == 0)
        return -1;
    while (i < len) {
        /* one field */
        char *start = w;
        if (s[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    *bad_line = line;
                    return -1;
                }
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        *w++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (s[i] == '\n')
                    line++;
                *w++ = s[i++];
            }
            if (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
                *bad_line = line;
                return -1;
            }
        } else {
            while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
                *w++ = s[i++];
        }
        /* step over the separator before the NUL goes in: the NUL may
         * land on it */
        char sep = i < len ? s[i++] : '\n';
        if (sep == '\r' && i < len && s[i] == '\n')
            i++;
        *w++ = '\0';
        if (cells != NULL)
            cells[nc] = start;
        nc++;
        fields++;
        if (sep == ',')
            continue;
        /* end of record: \n, \r\n, \r or the end of the text */
        if (nr == 0)
            *n_cols = fields;
        else if (fields != *n_cols) {
            *bad_line = line;
            return -1;
        }
        nr++;
        fields = 0;
        line++;
    }
    *n_cells = nc;
    *n_records = nr;
    return 0;
}

int bf__csv_read(const char *path, struct bf__csv *t, struct bf_diag *diag)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    size_t len;
    int rc = bf__read_file(path, &t->text, &len, diag);
    if (rc != 0)
        return rc;
    /* count on a copy: split() rewrites the buffer it reads */
    char *copy = bf__malloc(len + 1);
    if (copy == NULL) {
        bf__free(t->text);
        t->text = NULL;
        return BF_ENOMEM;
    }
    memcpy(copy, t->text, len + 1);
    size_t n_cells = 0, n_records = 0, n_cols = 0, bad;
    if (split(copy, len, NULL, &n_cells, &n_records, &n_cols, &bad) != 0) {
        bf__free(copy);
        bf__csv_fini(t);
        if (bad)
            bf_diag_set(diag,
                        "%s:%zu: malformed CSV record (unbalanced quotes or wrong number "
                        "of fields)",
                        path, bad);
        else
            bf_diag_set(diag, "%s: empty file", path);
        return BF_EPARSE;
    }
    bf__free(copy);
    t->cell = bf__malloc((n_cells ? n_cells : 1) * sizeof *t->cell);
    if (t->cell == NULL) {
        bf__csv_fini(t);
        return BF_ENOMEM;
    }
    split(t->text, len, t->cell, &n_cells, &n_records, &n_cols, &bad);
    t->n_cols = n_cols;
    t->n_rows = n_records - 1;
    return 0;
}

void bf__csv_fini(struct bf__csv *t)
{
    bf__free(t->text);
    bf__free(t->cell);
    t->text = NULL;
    t->cell = NULL;
    t->n_rows = t->n_cols = 0;
}

int bf__csv_open(const char *dir, const char *name, const char *const *cols, int n, int *col,
                 struct bf__csv *t, struct bf_diag *diag)
{
    char path[1200];
    int rc = bf__path(path, sizeof path, dir, name, diag);
    if (rc != 0 || (rc = bf__csv_read(path, t, diag)) != 0)
        return rc;
    for (int i = 0; i < n && rc == 0; i++)
        rc = bf__csv_need(t, cols[i], &col[i], diag);
    if (rc != 0)
        bf__csv_fini(t);
    return rc;
}

int bf__csv_col(const struct bf__csv *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->cell[c], name) == 0)
            return (int)c;
    return -1;
}

int bf__csv_need(const struct bf__csv *t, const char *name, int *col, struct bf_diag *diag)
{
    *col = bf__csv_col(t, name);
    if (*col >= 0)
        return 0;
    bf_diag_set(diag, "%s: no column '%s' (written by another version of borderflow?)", t->path,
                name);
    return BF_EPARSE;
}

double bf__csv_num(const struct bf__csv *t, size_t row, int col)
{
    const char *s = bf__csv_get(t, row, col);
    if (*s == '\0' || strcmp(s, "NA") == 0)
        return (double)NAN;
    char *end;
    double v = strtod(s, &end);
    return *end == '\0' ? v : (double)NAN;
}

/* ---- JSON ---- */

struct jp {
    const char *s, *end;
    int depth;
    int err; /* 0, BF_EPARSE or BF_ENOMEM */
};

static void ws(struct jp *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static void put_utf8(char **w, unsigned long cp)
{
    unsigned char *o = (unsigned char *)*w;
    if (cp < 0x80) {
        *o++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *o++ = (unsigned char)(0xC0 | (cp >> 6));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xE0 | (cp >> 12));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (unsigned char)(0xF0 | (cp >> 18));
        *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    *w = (char *)o;
}

static int hex4(const char *s, unsigned long *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        *v = *v * 16 + (unsigned long)d;
    }
    return 0;
}

/* A string at p->s (on the opening quote) into a new bf__malloc'd copy. */
static char *jstring(struct jp *p)
{
    const char *q = ++p->s;
    while (q < p->end && *q != '"')
        q += (*q == '\\' && q + 1 < p->end) ? 2 : 1;
    if (q >= p->end) {
        p->err = BF_EPARSE;
        return NULL;
    }
    /* \uXXXX (6 bytes) becomes at most 4; nothing grows */
    char *out = bf__malloc((size_t)(q - p->s) + 1), *w = out;
    if (out == NULL) {
        p->err = BF_ENOMEM;
        return NULL;
    }
    while (p->s < q) {
        char c = *p->s++;
        if (c != '\\') {
            *w++ = c;
            continue;
        }
        c = *p->s++;
        switch (c) {
        case 'n':
            *w++ = '\n';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'u': {
            unsigned long cp, lo;
            if (q - p->s < 4 || hex4(p->s, &cp) != 0)
                goto bad;
            p->s += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && q - p->s >= 6 && p->s[0] == '\\' && p->s[1] == 'u' &&
                hex4(p->s + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p->s += 6;
            }
            if (cp == 0)
                cp = 0xFFFD; /* a NUL would cut the string short */
            put_utf8(&w, cp);
            break;
        }
        default:
            *w++ = c; /* \" \\ \/ */
        }
    }
    *w = '\0';
    p->s = q + 1;
    return out;
bad:
    bf__free(out);
    p->err = BF_EPARSE;
    return NULL;
}

static struct bf__json *jvalue(struct jp *p);

static struct bf__json *jnew(struct jp *p, enum bf__jtype type)
{
    struct bf__json *j = bf__calloc(1, sizeof *j);
    if (j == NULL)
        p->err = BF_ENOMEM;
    else
        j->type = type;
    return j;
}

static struct bf__json *jcontainer(struct jp *p, char close)
{
    struct bf__json *j = jnew(p, close == '}' ? BF__JOBJ : BF__JARR);
    if (j == NULL)
        return NULL;
    if (++p->depth > 64) {
        p->err = BF_EPARSE;
        return j;
    }
    p->s++;
    struct bf__json **tail = &j->child;
    ws(p);
    if (p->s < p->end && *p->s == close) {
        p->s++;
        p->depth--;
        return j;
    }
    while (p->err == 0) {
        char *key = NULL;
        ws(p);
        if (close == '}') {
            if (p->s >= p->end || *p->s != '"') {
                p->err = BF_EPARSE;
                break;
            }
            key = jstring(p);
            if (key == NULL)
                break;
            ws(p);
            if (p->s >= p->end || *p->s != ':') {
                bf__free(key);
                p->err = BF_EPARSE;
                break;
            }
            p->s++;
        }
        struct bf__json *v = jvalue(p);
        if (v == NULL) {
            bf__free(key);
            break;
        }
        v->key = key;
        *tail = v;
        tail = &v->next;
        if (p->err)
            break;
        ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == close) {
            p->s++;
            break;
        }
        p->err = BF_EPARSE;
    }
    p->depth--;
    return j;
}

static struct bf__json *jvalue(struct jp *p)
{
    ws(p);
    if (p->s >= p->end) {
        p->err = BF_EPARSE;
        return NULL;
    }
    char c = *p->s;
    if (c == '{' || c == '[')
        return jcontainer(p, c == '{' ? '}' : ']');
    if (c == '"') {
        char *s = jstring(p);
        if (s == NULL)
            return NULL;
        struct bf__json *j = jnew(p, BF__JSTR);
        if (j == NULL)
            bf__free(s);
        else
            j->str = s;
        return j;
    }
    static const struct {
        const char *word;
        enum bf__jtype type;
        double num;
    } lit[] = {{"null", BF__JNULL, 0}, {"true", BF__JBOOL, 1}, {"false", BF__JBOOL, 0}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(lit[i].word);
        if ((size_t)(p->end - p->s) >= n && memcmp(p->s, lit[i].word, n) == 0) {
            p->s += n;
            struct bf__json *j = jnew(p, lit[i].type);
            if (j != NULL)
                j->num = lit[i].num;
            return j;
        }
    }
    /* a number: strtod reads at most what is there; the text is NUL-ended */
    char *end;
    double v = strtod(p->s, &end);
    if (end == p->s || end > p->end) {
        p->err = BF_EPARSE;
        return NULL;
    }
    p->s = end;
    struct bf__json *j = jnew(p, BF__JNUM);
    if (j != NULL)
        j->num = v;
    return j;
}

int bf__json_parse(const char *text, size_t len, struct bf__json **out, struct bf_diag *diag)
{
    struct jp p = {.s = text, .end = text + len};
    struct bf__json *j = jvalue(&p);
    ws(&p);
    if (p.err == 0 && (j == NULL || p.s != p.end))
        p.err = BF_EPARSE;
    if (p.err != 0) {
        bf__json_free(j);
        if (p.err == BF_EPARSE)
            bf_diag_set(diag, "malformed JSON at byte %zu", (size_t)(p.s - text));
        return p.err;
    }
    *out = j;
    return 0;
}

void bf__json_free(struct bf__json *j)
{
    while (j != NULL) {
        struct bf__json *next = j->next;
        bf__json_free(j->child);
        bf__free(j->key);
        bf__free(j->str);
        bf__free(j);
        j = next;
    }
}

const struct bf__json *bf__json_get(const struct bf__json *obj, const char *key)
{
    if (obj == NULL || obj->type != BF__JOBJ)
        return NULL;
    for (const struct bf__json *c = obj->child; c != NULL; c = c->next)
        if (strcmp(c->key, key) == 0)
            return c;
    return NULL;
}

const char *bf__json_str(const struct bf__json *obj, const char *key)
{
    const struct bf__json *v = bf__json_get(obj, key);
    return v != NULL && v->type == BF__JSTR ? v->str : NULL;
}
