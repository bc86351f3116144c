/*
 * csv.c - one column of durations from a CSV file (RFC 4180), for fit.h.
 *
 * A small state machine over getc rather than a library: Debian has no CSV
 * parser among the project's dependencies, and what is needed is narrow --
 * quoted fields, doubled quotes, line breaks inside quotes, CRLF or LF --
 * while the messages must name the line a record starts on, which a
 * line-at-a-time reader (fgets + strtok) gets wrong for quoted line breaks.
 * Only the column asked for is kept; other fields are scanned and dropped,
 * so a wide export costs no memory per field.
 *
 * Strict where a lenient reading would guess: a record with another count
 * of fields than the header is an error (an unquoted comma in a text field
 * would otherwise shift the column silently), a quote inside an unquoted
 * field is an error, and a value must be a plain decimal number. Every
 * problem is reported, not just the first, up to BF_FIT_PROBLEMS_MAX.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/fit.h"

/* Longest field kept: a number or a column name never needs more. A
 * longer field is scanned to its end and counts as "not a number" (and
 * matches no column name). */
#define FIELD_MAX 256

struct reader {
    FILE *f;
    const char *file;
    const char *column;
    struct bf_fit_problems *pb;
    long line; /* physical line of the next byte, from 1 */
    int back[3];
    int n_back;
    size_t n_rows, n_empty; /* rows whose value was checked; of them empty */
    long first_empty;
};

struct field {
    char buf[FIELD_MAX];
    size_t len;
    bool unusable; /* longer than FIELD_MAX - 1, or holds a NUL byte */
    bool quoted;
};

enum end { END_FIELD, END_RECORD, END_FILE, END_BROKEN };

void bf_fit_problems_init(struct bf_fit_problems *p)
{
    memset(p, 0, sizeof *p);
}

__attribute__((format(printf, 3, 4))) static void problem(struct reader *r, long line,
                                                          const char *fmt, ...)
{
    struct bf_fit_problems *pb = r->pb;
    if (pb->n == BF_FIT_PROBLEMS_MAX) {
        pb->dropped++;
        return;
    }
    struct bf_diag *d = &pb->item[pb->n++];
    snprintf(d->where, sizeof d->where, "%s:%ld", r->file, line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

static int get(struct reader *r)
{
    if (r->n_back > 0)
        return r->back[--r->n_back];
    return getc(r->f);
}

static void unget(struct reader *r, int c)
{
    BF_ASSERT(r->n_back < 3);
    r->back[r->n_back++] = c;
}

/* After a CR: a following LF belongs to the same line break. */
static void end_cr(struct reader *r)
{
    int c = get(r);
    if (c != '\n' && c != EOF)
        unget(r, c);
    r->line++;
}

static void append(struct field *fd, int c)
{
    if (c == '\0' || fd->len + 1 >= sizeof fd->buf) {
        fd->unusable = true;
        return;
    }
    fd->buf[fd->len++] = (char)c;
    fd->buf[fd->len] = '\0';
}

/* The end of a field just read: what follows it. */
static enum end terminator(struct reader *r, int c)
{
    switch (c) {
    case ',':
        return END_FIELD;
    case '\n':
        r->line++;
        return END_RECORD;
    case '\r':
        end_cr(r);
        return END_RECORD;
    case EOF:
        return END_FILE;
    default:
        return END_BROKEN;
    }
}

/*
 * Reads one field into fd. `start` is the line its record starts on, for
 * messages. END_BROKEN: the quoting is broken (a quote left open, text
 * after a closing quote); the rest of the file cannot be split reliably.
 * *stray is set when an unquoted field holds a quote.
 */
static enum end read_field(struct reader *r, struct field *fd, long start, bool *stray)
{
    fd->len = 0;
    fd->buf[0] = '\0';
    fd->unusable = false;
    fd->quoted = false;
    int c = get(r);
    if (c != '"') {
        for (;; c = get(r)) {
            if (c == ',' || c == '\n' || c == '\r' || c == EOF)
                return terminator(r, c);
            if (c == '"')
                *stray = true;
            append(fd, c);
        }
    }
    fd->quoted = true;
    const long opened = r->line;
    for (;;) {
        c = get(r);
        if (c == EOF) {
            problem(r, opened,
                    "a quoted field opened on this line is not closed before the end of the "
                    "file");
            return END_BROKEN;
        }
        if (c == '"') {
            c = get(r);
            if (c != '"')
                break; /* the closing quote */
        } else if (c == '\n') {
            r->line++;
        } else if (c == '\r') {
            int n = get(r);
            if (n != '\n' && n != EOF)
                unget(r, n);
            r->line++;
            append(fd, '\r');
            if (n == '\n')
                c = '\n';
            else
                continue;
        }
        append(fd, c);
    }
    enum end e = terminator(r, c);
    if (e == END_BROKEN)
        problem(r, start,
                "text after the closing quote of a field; a quote inside a quoted field must be "
                "doubled (\"\")");
    return e;
}

/* The field as shown in a message: at most 40 bytes, control bytes as '?'. */
static void shown(const struct field *fd, const char *text, char *out, size_t size)
{
    size_t n = strlen(text), k = 0;
    for (size_t i = 0; i < n && i < 40 && k + 1 < size; i++) {
        unsigned char ch = (unsigned char)text[i];
        out[k++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    out[k] = '\0';
    if ((n > 40 || fd->unusable) && k + 4 < size)
        strcat(out, "...");
}

/* A plain decimal number: [+-] digits [. digits] [(e|E) [+-] digits], at
 * least one digit before the exponent. strtod alone would also take "nan",
 * "inf", hexadecimal and leading spaces. */
static bool decimal(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (s[i] == '.')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits == 0)
        return false;
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        size_t e = 0;
        for (; s[i] >= '0' && s[i] <= '9'; i++)
            e++;
        if (e == 0)
            return false;
    }
    return s[i] == '\0';
}

struct values {
    double *x;
    size_t n, cap;
};

static int push(struct values *v, double x)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 1024;
        double *nx = bf__realloc(v->x, cap * sizeof *nx);
        if (nx == NULL)
            return BF_ENOMEM;
        v->x = nx;
        v->cap = cap;
    }
    v->x[v->n++] = x;
    return 0;
}

/* Checks the column's field of the record that starts on `line` and keeps
 * its value. 0 or BF_ENOMEM; a bad value is a problem, not an error. */
static int take_value(struct reader *r, long line, const struct field *fd, struct values *v)
{
    /* spaces and tabs around a number are allowed (spreadsheets pad) */
    const char *b = fd->buf, *e = fd->buf + fd->len;
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    char text[FIELD_MAX];
    memcpy(text, b, (size_t)(e - b));
    text[e - b] = '\0';
    char show[64];
    shown(fd, text, show, sizeof show);
    r->n_rows++;
    if (text[0] == '\0' && !fd->unusable) {
        if (r->n_empty++ == 0)
            r->first_empty = line;
        problem(r, line,
                "column '%s' is empty; every row needs a duration (remove rows without one "
                "knowingly: unfinished cases left out make durations look shorter)",
                r->column);
        return 0;
    }
    if (fd->unusable || !decimal(text)) {
        /* "3,5": a decimal comma, and what it would be with a point */
        char point[FIELD_MAX];
        snprintf(point, sizeof point, "%s", text);
        char *comma = strchr(point, ',');
        if (comma != NULL && strchr(comma + 1, ',') == NULL && !fd->unusable) {
            *comma = '.';
            if (decimal(point)) {
                problem(r, line,
                        "column '%s': '%s' is not a number; the decimal separator must be a "
                        "point (%s)",
                        r->column, show, point);
                return 0;
            }
        }
        /* "3:30": hours and minutes, and what they are in decimal hours */
        unsigned h, m;
        char tail;
        if (!fd->unusable && sscanf(text, "%u:%2u%c", &h, &m, &tail) == 2 && m < 60 &&
            strlen(strchr(text, ':')) == 3) {
            problem(r, line,
                    "column '%s': '%s' is not a number; if it is hours:minutes, write it as "
                    "decimal hours (%.4g)",
                    r->column, show, h + m / 60.0);
            return 0;
        }
        problem(r, line,
                "column '%s': '%s' is not a number; a duration is a decimal number >= 0 with a "
                "point, such as 3.5 or 12",
                r->column, show);
        return 0;
    }
    char *end;
    const double x = strtod(text, &end);
    BF_ASSERT(*end == '\0'); /* decimal() accepted it, so strtod reads it all */
    /* an underflow (1e-400) reads as 0 or nearly: a number, kept; beyond
     * 1e300 no spec could hold it (fit.h, BF_FIT_SPEC_LIMIT) */
    if (fabs(x) > BF_FIT_SPEC_LIMIT) {
        problem(r, line, "column '%s': '%s' is too large; a duration must be at most %g", r->column,
                show, BF_FIT_SPEC_LIMIT);
        return 0;
    }
    if (x < 0) {
        problem(r, line,
                "column '%s': '%s' is negative; a duration must be >= 0 (does the record end "
                "before it starts?)",
                r->column, show);
        return 0;
    }
    return push(v, x);
}

/* The same name but for ASCII case and spaces around it: worth a
 * suggestion, never a match (two columns may differ just so). */
static bool near_name(const char *a, const char *b)
{
    while (*a == ' ')
        a++;
    while (*b == ' ')
        b++;
    size_t na = strlen(a), nb = strlen(b);
    while (na > 0 && a[na - 1] == ' ')
        na--;
    while (nb > 0 && b[nb - 1] == ' ')
        nb--;
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++) {
        int ca = (unsigned char)a[i], cb = (unsigned char)b[i];
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb)
            return false;
    }
    return true;
}

/* The header: finds the column. 0 with *col set, or BF_EPARSE after
 * reporting why (problems in r->pb); *done when the file ended. */
static int read_header(struct reader *r, long *col, size_t *ncol, bool *done)
{
    struct field fd;
    char names[240] = "", close[64] = "";
    size_t n = 0;
    long found = -1;
    bool stray = false, any = false;
    enum end e;
    do {
        e = read_field(r, &fd, 1, &stray);
        if (e == END_BROKEN)
            return BF_EPARSE;
        any = any || fd.len > 0 || fd.quoted || fd.unusable || e == END_FIELD;
        if (!fd.unusable && strcmp(fd.buf, r->column) == 0) {
            if (found >= 0) {
                problem(r, 1, "column '%s' appears twice in the header (fields %ld and %zu)",
                        r->column, found + 1, n + 1);
                return BF_EPARSE;
            }
            found = (long)n;
        } else if (!fd.unusable && close[0] == '\0' && near_name(fd.buf, r->column)) {
            shown(&fd, fd.buf, close, sizeof close);
        }
        if (n < 12) {
            char show[64];
            shown(&fd, fd.buf, show, sizeof show);
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s'%s'", n ? ", " : "", show);
        } else if (n == 12) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, ", ...");
        }
        n++;
    } while (e == END_FIELD);
    *done = e == END_FILE;
    if (!any) {
        problem(r, 1,
                *done ? "the file is empty; it needs a header row naming the columns, then one "
                        "row per observation"
                      : "the first line is empty; it must be the header row naming the columns");
        return BF_EPARSE;
    }
    if (stray) {
        problem(r, 1,
                "a quote inside an unquoted header field; quote the whole field and "
                "double the quote");
        return BF_EPARSE;
    }
    if (found < 0) {
        if (close[0] != '\0')
            problem(r, 1,
                    "no column '%s' in the header; did you mean '%s'? (names must match "
                    "exactly, case and spaces included)",
                    r->column, close);
        else
            problem(r, 1, "no column '%s' in the header (columns: %s)", r->column, names);
        return BF_EPARSE;
    }
    *col = found;
    *ncol = n;
    return 0;
}

int bf_fit_read_csv(struct bf_fit_data *s, FILE *f, const char *file, const char *column,
                    struct bf_fit_problems *pb)
{
    memset(s, 0, sizeof *s);
    struct reader r = {.f = f, .file = file, .column = column, .pb = pb, .line = 1};
    struct values v = {0};
    int rc = 0;
    /* a UTF-8 byte order mark (spreadsheets write one) is not part of the
     * first column's name */
    int b0 = get(&r);
    if (b0 == 0xEF) {
        int b1 = get(&r);
        int b2 = b1 == 0xBB ? get(&r) : EOF;
        if (!(b1 == 0xBB && b2 == 0xBF)) {
            if (b2 != EOF)
                unget(&r, b2);
            if (b1 != EOF)
                unget(&r, b1);
            unget(&r, b0);
        }
    } else if (b0 != EOF) {
        unget(&r, b0);
    }

    long col = 0;
    size_t ncol = 0, n_blank = 0;
    bool done = false;
    const unsigned before = pb->n;
    const size_t dropped_before = pb->dropped;
    long last = 1;
    if (read_header(&r, &col, &ncol, &done) != 0) {
        rc = BF_EPARSE;
        goto out;
    }
    /* the column's field is read into `value`, every other into `other` */
    struct field other, value;
    /* Blank lines not yet followed by a record. In a file of one column a
     * blank line is a row whose value is empty -- a spreadsheet writes a
     * missing value so -- unless only blank lines follow it (the end of the
     * file); with more columns an empty row would have its commas. */
    long blank_from = 0, blank_n = 0;
    while (!done) {
        const long start = r.line;
        size_t k = 0;
        bool stray = false, empty = true;
        enum end e;
        do {
            struct field *fd = (long)k == col ? &value : &other;
            e = read_field(&r, fd, start, &stray);
            if (e == END_BROKEN)
                goto broken;
            empty = empty && fd->len == 0 && !fd->quoted && !fd->unusable;
            k++;
        } while (e == END_FIELD);
        done = e == END_FILE;
        if (k == 1 && empty) {
            /* a blank line, or nothing after the last line break */
            if (!done) {
                if (blank_n++ == 0)
                    blank_from = start;
                n_blank++;
            }
            continue;
        }
        if (ncol == 1 && blank_n > 0) {
            struct field none = {.len = 0};
            for (long i = 0; i < blank_n; i++)
                if ((rc = take_value(&r, blank_from + i, &none, &v)) != 0)
                    goto out;
            n_blank -= (size_t)blank_n;
        }
        blank_n = 0;
        last = start;
        if (stray) {
            problem(&r, start,
                    "a quote inside an unquoted field; quote the whole field and "
                    "double the quote");
        } else if (k != ncol) {
            problem(&r, start,
                    "%zu fields, but the header has %zu (a value holding a comma must be "
                    "quoted)",
                    k, ncol);
        } else if ((rc = take_value(&r, start, &value, &v)) != 0) {
            goto out;
        }
    }
    if (ferror(f)) {
        problem(&r, r.line, "read error");
        rc = BF_EIO;
        goto out;
    }
    const size_t added = pb->n - before + (pb->dropped - dropped_before);
    if (r.n_rows > 0 && r.n_empty == r.n_rows && added == r.n_empty) {
        /* a column without a single value: said once, not on every row */
        pb->n = before;
        pb->dropped = dropped_before;
        problem(&r, r.first_empty,
                "column '%s' is empty on every row (%zu rows, lines %ld to %ld); is it the "
                "column of the durations?",
                column, r.n_rows, r.first_empty, last);
    } else if (added == 0) {
        if (v.n == 0)
            problem(&r, 1, "column '%s' has no values: the file has a header and no rows", column);
        else if (v.n < BF_FIT_MIN_N)
            problem(&r, last, "column '%s' has only %zu values; a fit needs at least %d", column,
                    v.n, BF_FIT_MIN_N);
    }
    if (pb->n != before || pb->dropped != dropped_before) {
        rc = BF_EPARSE;
        goto out;
    }
    rc = bf_fit_data_init(s, v.x, v.n, NULL);
    BF_ASSERT(rc == 0 || rc == BF_ENOMEM); /* every value was checked above */
    s->n_blank = n_blank;
    goto out;
broken:
    rc = BF_EPARSE;
out:
    bf__free(v.x);
    return rc;
}
