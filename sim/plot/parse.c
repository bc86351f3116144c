/*
 * parse.c - reading the CSV files of a results folder.
 *
 * Written here rather than taken from a library: the files are our own
 * output (RFC 4180, a header row, no multi-line quirks beyond quoted
 * fields), and the reader takes the whole file into memory (the largest,
 * the daily tables of a 45-city study, are a few MB) and unescapes in
 * place, so a cell is a pointer into one buffer and one free releases all.
 * JSON is read with cJSON (borderflow/json.h).
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
    /* a UTF-8 byte-order mark (borderflow run --csv-bom, or a file saved by
     * Excel) is not part of the first column's name */
    if (len >= 3 && memcmp(t->text, "\xef\xbb\xbf", 3) == 0) {
        len -= 3;
        memmove(t->text, t->text + 3, len + 1);
    }
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
