/*
 * charts.c - the data behind every chart: charts/data/NAME.dat, prepared from
 * the CSVs of a results folder.
 *
 * The data files are what makes the charts safe and traceable. Safe: the
 * gnuplot scripts are fixed text (plots/NAME.gp); every name from the scenario
 * reaches gnuplot only as a field of a data file, which gnuplot draws and
 * never parses as a command. Traceable: each file starts with comment lines
 * naming the CSV and the columns it came from, and numbers keep the CSV's
 * units (the scripts scale CNY to thousands or millions).
 *
 * Files are tab-separated (names may hold commas and spaces) and start
 * every line that holds a name with a number, since gnuplot takes a line
 * that begins with '#' for a comment.
 */
#include "charts.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "borderflow/alloc.h"
#include "borderflow/calendar.h"

#include "internal.h"


/* ---- writing data ---- */

/* The code point of the UTF-8 sequence at p and its length; a byte that
 * starts no valid sequence is one byte, U+FFFD (as bf__gp_text draws it). */
static size_t utf8_next(const unsigned char *p, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c < 0xE0  ? 2
               : c >= 0xE0 && c < 0xF0  ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 1) {
        *cp = c;
        return 1;
    }
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            n = 0;
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = c & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++)
        v = (v << 6) | (p[i] & 0x3Fu);
    *cp = v;
    return n;
}

/* East Asian wide characters (CJK, kana, hangul, full-width forms) take
 * two columns of a label, as they do on the chart; so do the quotes and
 * backslashes that bf__gp_text draws as U+201D and U+2216, which the
 * charts' CJK font draws full width. */
static size_t cols_of(uint32_t cp)
{
    return cp == '"' || cp == '\\' || (cp >= 0x2018 && cp <= 0x201F) || cp == 0x2216 ||
                   (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                   (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)
               ? 2
               : 1;
}

static size_t text_cols(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t cp;
        p += utf8_next(p, &cp);
        w += cols_of(cp);
    }
    return w;
}

/*
 * s in at most max_cols columns into buf (size >= 4 * max_cols + 4): whole
 * when it fits, else cut at a character boundary, trailing spaces dropped,
 * and an ellipsis added. Returns the columns used.
 */
static size_t fit(char *buf, size_t size, const char *s, size_t max_cols)
{
    if (max_cols == 0) {
        buf[0] = '\0';
        return 0;
    }
    size_t w = text_cols(s);
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0, cols = 0, room = w <= max_cols ? max_cols : max_cols - 1;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_next(p, &cp), cw = cols_of(cp);
        if (cols + cw > room || k + n + 4 > size)
            break;
        memcpy(buf + k, p, n);
        k += n;
        cols += cw;
        p += n;
    }
    if (*p != '\0') { /* cut */
        while (k > 0 && buf[k - 1] == ' ') {
            k--;
            cols--;
        }
        memcpy(buf + k, "\xe2\x80\xa6", 3); /* ... */
        k += 3;
        cols++;
    }
    buf[k] = '\0';
    return cols;
}

#define MAX_LABEL_COLS 60

void bf__gp_cut(FILE *f, const char *s, size_t max_cols)
{
    char buf[4 * MAX_LABEL_COLS + 8];
    if (max_cols > MAX_LABEL_COLS)
        max_cols = MAX_LABEL_COLS;
    fit(buf, sizeof buf, s, max_cols);
    bf__gp_text(f, buf);
}

void bf__gp_name(FILE *f, const char *s)
{
    /* a name is a tic label or a panel title: long ones would run off the
     * chart (the report shows them whole) */
    bf__gp_cut(f, s, 26);
}

void bf__gp_city(FILE *f, const struct bf__city *c)
{
    enum { ZH_COLS = 12, ALL_COLS = 28 };
    char zh[4 * ZH_COLS + 8], name[4 * ALL_COLS + 8];
    size_t used = 0;
    if (c->name_zh != NULL && c->name_zh[0] != '\0') {
        used = fit(zh, sizeof zh, c->name_zh, ZH_COLS) + 1;
        bf__gp_text(f, zh);
        fputc(' ', f);
    }
    fit(name, sizeof name, c->name, ALL_COLS - used);
    bf__gp_text(f, name);
}

void bf__gp_text(FILE *f, const char *s)
{
    /*
     * gnuplot's data reader ends a field at a double quote and takes a
     * backslash as an escape; no quoting passes either through. They are
     * drawn with look-alikes (U+201D, U+2216). Control characters become
     * spaces (a tab would split the field), bytes that are not UTF-8 become
     * U+FFFD (cairo refuses them).
     *
     * gnuplot's SVG terminal escapes '<', but passes '&' through when it
     * starts what looks like a reference ("&#x26;", "&#0;", "&amp;"), and
     * '>' always: a name with "&#0;" or "]]>" made the SVG invalid XML,
     * which browsers then refuse to show. '&' is drawn as U+FF06 and the
     * '>' of "]]>" as U+203A, in the PNG too (both read this file).
     */
    const unsigned char *p = (const unsigned char *)s;
    if (*p == '\0')
        fputc('-', f);
    while (*p) {
        unsigned char c = *p;
        if (c == '"') {
            fputs("\xe2\x80\x9d", f);
            p++;
        } else if (c == '&') {
            fputs("\xef\xbc\x86", f);
            p++;
        } else if (c == '>' && p - (const unsigned char *)s >= 2 && p[-1] == ']' && p[-2] == ']') {
            fputs("\xe2\x80\xba", f);
            p++;
        } else if (c == '\\') {
            fputs("\xe2\x88\x96", f);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            fputc(' ', f);
            p++;
        } else if (c < 0x80) {
            fputc(c, f);
            p++;
        } else {
            int n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            int ok = n > 0;
            for (int i = 1; ok && i < n; i++)
                ok = (p[i] & 0xC0) == 0x80;
            if (ok && n == 3 && c == 0xE0 && p[1] < 0xA0)
                ok = 0; /* overlong */
            if (ok && n == 3 && c == 0xED && p[1] >= 0xA0)
                ok = 0; /* surrogate */
            if (ok && n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)))
                ok = 0;
            if (ok && n == 2 && c == 0xC2 && p[1] < 0xA0) {
                fputc(' ', f); /* C1 control */
                p += 2;
                continue;
            }
            if (!ok) {
                fputs("\xef\xbf\xbd", f);
                p++;
                continue;
            }
            fwrite(p, 1, (size_t)n, f);
            p += n;
        }
    }
}

/* A number as the CSVs write it; NaN for nothing. */
static void dnum(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("NaN", f);
}

struct dat {
    FILE *f;
    char path[1200];
};

static int dat_open(struct dat *d, const struct bf__plotctx *x, const char *name,
                    struct bf_diag *diag)
{
    int n = snprintf(d->path, sizeof d->path, "%s/data/%s", x->charts_dir, name);
    if (n < 0 || (size_t)n >= sizeof d->path) {
        bf_diag_set(diag, "path too long: '%s/data/%s'", x->charts_dir, name);
        return BF_EINVAL;
    }
    /* a new file (O_EXCL, no link followed): an earlier one, or a link
     * planted in its place, is removed first */
    unlink(d->path);
    int fd = open(d->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    d->f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (d->f == NULL && fd >= 0)
        close(fd);
    if (d->f == NULL) {
        bf_diag_set(diag, "cannot write '%s': %s", d->path, strerror(errno));
        return BF_EIO;
    }
    return 0;
}

static int dat_close(struct dat *d, struct bf_diag *diag)
{
    int bad = ferror(d->f);
    if (fclose(d->f) != 0 || bad) {
        bf_diag_set(diag, "could not write '%s' (disk full?)", d->path);
        return BF_EIO;
    }
    return 0;
}

/* ---- labels.dat: the scenario's own words, for titles and keys ---- */

int bf__chart_labels(const struct bf__plotctx *x, struct bf_diag *diag)
{
    struct dat d;
    int rc = dat_open(&d, x, "labels.dat", diag);
    if (rc != 0)
        return rc;
    fputs("# key\ttext: names from the scenario, read by the scripts as data (never as "
          "commands)\n",
          d.f);
    fputs("scenario\t", d.f);
    bf__gp_cut(d.f, x->f->scenario, 40);
    fputs("\nbaseline\t", d.f);
    bf__gp_cut(d.f, x->f->baseline, 24);
    fputs("\ncompared\t", d.f);
    bf__gp_cut(d.f, x->f->compared, 24);
    fputs("\ntop_city\t", d.f);
    bf__gp_city(d.f, &x->f->city[x->order[0]]);
    fputs("\nrun_start\t", d.f);
    bf__gp_text(d.f, x->run_start);
    fputc('\n', d.f);
    return dat_close(&d, diag);
}

/* ---- released_K.dat: daily_delta.csv ---- */

static const char released_head[] =
    "# Working capital after - before on each day of the window, component total, CNY: the "
    "paired mean over replications\n# and its 95% interval (negative: capital released; the "
    "charts draw -mean as \"released\"). Source: daily_delta.csv\n# (component total: mean, "
    "ci95_low, ci95_high); effective date: cities.csv; rank: ranking.csv.\n"
    "# date\tmean\tci95_low\tci95_high\teffective_date\trank\tcity\n";

int bf__chart_released(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    struct bf__csv t;
    int col[6];
    static const char *const names[] = {"city", "date",     "component",
                                        "mean", "ci95_low", "ci95_high"};
    int rc = bf__csv_open(fo->dir, "daily_delta.csv", names, 6, col, &t, diag);
    if (rc != 0)
        return rc;
    /* panel[c]: the city's place in the ranking when it has a panel, else -1;
     * state[c]: 0 no rows yet, 1 being written, 2 written */
    int32_t *panel = bf__malloc(((size_t)fo->n_cities + 1) * sizeof *panel);
    unsigned char *state = bf__calloc((size_t)fo->n_cities + 1, 1);
    if (panel == NULL || state == NULL)
        rc = BF_ENOMEM;
    for (uint32_t c = 0; rc == 0 && c < fo->n_cities; c++)
        panel[c] = -1;
    for (uint32_t k = 0; rc == 0 && k < x->n_panels; k++)
        panel[x->order[k]] = (int32_t)k;
    struct dat d = {0};
    int cur = -1, last = -1;
    for (size_t r = 0; rc == 0 && r < t.n_rows; r++) {
        if (strcmp(bf__csv_get(&t, r, col[2]), "total") != 0)
            continue;
        const char *cn = bf__csv_get(&t, r, col[0]);
        int c = last >= 0 && strcmp(fo->city[last].name, cn) == 0 ? last : bf__folder_city(fo, cn);
        last = c;
        if (c < 0 || panel[c] < 0)
            continue;
        if (c != cur) {
            if (cur >= 0) {
                state[cur] = 2;
                if ((rc = dat_close(&d, diag)) != 0)
                    break;
            }
            cur = -1;
            if (state[c] != 0) {
                bf_diag_set(diag, "%s:%zu: the rows of city '%s' are not together", t.path, r + 2,
                            cn);
                rc = BF_EPARSE;
                break;
            }
            char file[64];
            snprintf(file, sizeof file, "released_%d.dat", panel[c] + 1);
            if ((rc = dat_open(&d, x, file, diag)) != 0)
                break;
            fputs(released_head, d.f);
            state[c] = 1;
            cur = c;
        }
        bf__gp_text(d.f, bf__csv_get(&t, r, col[1]));
        for (int j = 3; j < 6; j++) {
            fputc('\t', d.f);
            dnum(d.f, bf__csv_num(&t, r, col[j]));
        }
        fprintf(d.f, "\t%s\t%d\t", fo->city[c].effective_date, panel[c] + 1);
        bf__gp_city(d.f, &fo->city[c]);
        fputc('\n', d.f);
    }
    if (cur >= 0) {
        state[cur] = 2;
        int rc2 = dat_close(&d, diag);
        rc = rc == 0 ? rc2 : rc;
    }
    for (uint32_t k = 0; rc == 0 && k < x->n_panels; k++)
        if (state[x->order[k]] != 2) {
            bf_diag_set(diag, "%s: no rows of component total for city '%s'", t.path,
                        fo->city[x->order[k]].name);
            rc = BF_EPARSE;
        }
    *drawn = rc == 0 && x->n_panels > 0;
    bf__free(panel);
    bf__free(state);
    bf__csv_fini(&t);
    return rc;
}

int bf__chart_released_all(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    char path[1200];
    struct stat st;
    int rc = x->n_panels > 0
                 ? bf__path(path, sizeof path, x->charts_dir, "data/released_1.dat", diag)
                 : 0;
    *drawn = rc == 0 && x->n_panels > 0 && stat(path, &st) == 0;
    return rc;
}

/* ---- wc_components.dat, waterfall.dat: totals.csv ---- */

static double total_of(const struct bf__folder *fo, const char *metric, const char *scope,
                       const struct bf__total **row)
{
    *row = bf__folder_total(fo, metric, scope);
    return *row != NULL ? (*row)->mean : (double)NAN;
}

/* the four disjoint components of working capital, bottom of the stack first */
static const char *const wc_metric[4] = {"wc_stock_abroad_avg_cny", "wc_returning_avg_cny",
                                         "wc_receivables_avg_cny", "wc_rebate_receivable_avg_cny"};
static const char *const wc_label[4] = {"goods abroad (in transit, in the warehouse)",
                                        "goods returning to China", "trade receivables",
                                        "export VAT rebate receivable"};

int bf__chart_wc_components(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    double v[4][2];
    int any[2] = {0, 0};
    for (int k = 0; k < 4; k++)
        for (int s = 0; s < 2; s++) {
            const struct bf__total *row;
            v[k][s] = total_of(fo, wc_metric[k], s ? "after" : "before", &row);
            any[s] |= isfinite(v[k][s]);
        }
    if (!any[0] || !any[1])
        return 0;
    struct dat d;
    int rc = dat_open(&d, x, "wc_components.dat", diag);
    if (rc != 0)
        return rc;
    fputs("# Working capital by component, mean of the window's days, all cities, CNY. Source: "
          "totals.csv (scope before, after;\n# metrics wc_stock_abroad_avg_cny, "
          "wc_returning_avg_cny, wc_receivables_avg_cny, wc_rebate_receivable_avg_cny).\n"
          "# start: where the segment begins in its stacked bar (the components below it).\n"
          "# k\tbefore\tbefore_start\tafter\tafter_start\tmetric\tcomponent\n",
          d.f);
    double start[2] = {0, 0};
    for (int k = 0; k < 4; k++) {
        fprintf(d.f, "%d", k);
        for (int s = 0; s < 2; s++) {
            fputc('\t', d.f);
            dnum(d.f, v[k][s]);
            fputc('\t', d.f);
            dnum(d.f, start[s]);
            start[s] += isfinite(v[k][s]) ? v[k][s] : 0.0;
        }
        fprintf(d.f, "\t%s\t%s\n", wc_metric[k], wc_label[k]);
    }
    const struct bf__total *b, *a, *rel;
    double wb = total_of(fo, "wc_avg_cny", "before", &b),
           wa = total_of(fo, "wc_avg_cny", "after", &a);
    total_of(fo, "capital_released_cny", "change", &rel);
    fputs("\n\n# Block 1: working capital in total (wc_avg_cny, before and after) and the "
          "capital released (capital_released_cny, change)\n# wc_before\twc_after\treleased\t"
          "released_ci95_low\treleased_ci95_high\n",
          d.f);
    dnum(d.f, wb);
    fputc('\t', d.f);
    dnum(d.f, wa);
    fputc('\t', d.f);
    dnum(d.f, rel ? rel->mean : (double)NAN);
    fputc('\t', d.f);
    dnum(d.f, rel ? rel->lo : (double)NAN);
    fputc('\t', d.f);
    dnum(d.f, rel ? rel->hi : (double)NAN);
    fputc('\n', d.f);
    *drawn = 1;
    return dat_close(&d, diag);
}

/* from the components to the total, in the order of the bars */
static const char *const fall_metric[5] = {"released_rebate_receivable_cny",
                                           "released_stock_abroad_cny", "released_returning_cny",
                                           "released_receivables_cny", "capital_released_cny"};
static const char *const fall_label[5] = {"rebate receivable", "goods abroad", "goods returning",
                                          "trade receivables", "capital released"};

int bf__chart_waterfall(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    const struct bf__total *row[5];
    for (int k = 0; k < 5; k++)
        row[k] = bf__folder_total(fo, fall_metric[k], "change");
    if (row[4] == NULL || !isfinite(row[4]->mean))
        return 0;
    struct dat d;
    int rc = dat_open(&d, x, "waterfall.dat", diag);
    if (rc != 0)
        return rc;
    fputs("# Capital released (before - after of the window's mean working capital), all "
          "cities, CNY, by component and in total,\n# with the 95% interval over "
          "replications. Source: totals.csv (scope change; metrics released_*_cny, "
          "capital_released_cny:\n# mean, ci95_low, ci95_high). start: where the bar begins "
          "(the components before it; 0 for the total).\n"
          "# k\tmean\tci95_low\tci95_high\tstart\ttotal\tmetric\tlabel\n",
          d.f);
    double start = 0;
    for (int k = 0; k < 5; k++) {
        double m = row[k] ? row[k]->mean : (double)NAN;
        fprintf(d.f, "%d\t", k);
        dnum(d.f, m);
        fputc('\t', d.f);
        dnum(d.f, row[k] ? row[k]->lo : (double)NAN);
        fputc('\t', d.f);
        dnum(d.f, row[k] ? row[k]->hi : (double)NAN);
        fputc('\t', d.f);
        dnum(d.f, k < 4 ? start : 0.0);
        fprintf(d.f, "\t%d\t%s\t%s\n", k == 4, fall_metric[k], fall_label[k]);
        start += isfinite(m) ? m : 0.0;
    }
    *drawn = 1;
    return dat_close(&d, diag);
}

/* ---- charts with a row per city, at most BF__ROWS_MAX rows ---- */

/* Rows shown of n sorted ones: all, or the first and the last half of
 * BF__ROWS_MAX. Row i shows sorted index row_index(n, i) at y = row_y(n, i),
 * leaving y = BF__ROWS_MAX / 2 for the gap. */
static uint32_t rows_shown(uint32_t n)
{
    return n <= BF__ROWS_MAX ? n : BF__ROWS_MAX;
}

static uint32_t row_index(uint32_t n, uint32_t i)
{
    return n <= BF__ROWS_MAX || i < BF__ROWS_MAX / 2 ? i : n - BF__ROWS_MAX + i;
}

static uint32_t row_y(uint32_t n, uint32_t i)
{
    return n <= BF__ROWS_MAX || i < BF__ROWS_MAX / 2 ? i : i + 1;
}

/* The block after the rows: where the gap is and what it says (NaN y
 * when nothing is left out). */
static void gap_block(FILE *f, uint32_t n, const char *pre, const char *post)
{
    fputs("\n\n# Block 1: the gap between the first and the last rows\n# y\thidden\ttext\n", f);
    if (n <= BF__ROWS_MAX) {
        fputs("NaN\t0\t-\n", f);
        return;
    }
    uint32_t hidden = n - BF__ROWS_MAX;
    fprintf(f, "%d\t%u\t\xe2\x80\xa6 %u %s not shown (%s%u to %u%s)\n", BF__ROWS_MAX / 2, hidden,
            hidden, hidden == 1 ? "city" : "cities", pre, BF__ROWS_MAX / 2 + 1,
            BF__ROWS_MAX / 2 + hidden, post);
}

/* ---- ranking.dat: ranking.csv ---- */

int bf__chart_ranking(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    uint32_t n = fo->n_cities;
    struct dat d;
    int rc = dat_open(&d, x, "ranking.dat", diag);
    if (rc != 0)
        return rc;
    fprintf(d.f,
            "# Capital released per CNY million exported, per city, best first, with its 95%% "
            "interval; %u of %u cities\n# (all, or the first and the last %d). Source: "
            "ranking.csv (rank, capital_released_per_m, ci95_low, ci95_high, interval).\n"
            "# interval: 0 above_zero, 1 includes_zero, 2 below_zero.\n"
            "# y\trank\tcapital_released_per_m\tci95_low\tci95_high\tinterval\tcity\n",
            rows_shown(n), n, BF__ROWS_MAX / 2);
    for (uint32_t i = 0; i < rows_shown(n); i++) {
        uint32_t k = row_index(n, i);
        const struct bf__rank *r = &fo->rank[k];
        fprintf(d.f, "%u\t%u\t", row_y(n, i), k + 1);
        dnum(d.f, r->per_m);
        fputc('\t', d.f);
        dnum(d.f, r->per_m_lo);
        fputc('\t', d.f);
        dnum(d.f, r->per_m_hi);
        int code = strcmp(r->interval, "above_zero") == 0   ? 0
                   : strcmp(r->interval, "below_zero") == 0 ? 2
                                                            : 1;
        fprintf(d.f, "\t%d\t", code);
        bf__gp_city(d.f, &fo->city[r->city]);
        fputc('\n', d.f);
        *drawn |= isfinite(r->per_m);
    }
    gap_block(d.f, n, "ranks ", "");
    return dat_close(&d, diag);
}

/* ---- rebate_cdf.dat: distributions.csv ---- */

#define MAX_DAYS 400 /* BF_HIST_DAYS: the histograms' range */

int bf__chart_rebate_cdf(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    struct bf__csv t;
    int col[5];
    static const char *const names[] = {"city", "policy", "metric", "day", "cdf"};
    int rc = bf__csv_open(fo->dir, "distributions.csv", names, 5, col, &t, diag);
    if (rc != 0)
        return rc;
    /* cdf[slot][city][day]: NaN = no row yet; carried forward past the
     * last row (the CSV stops at the last non-empty bin) */
    size_t per = (size_t)fo->n_cities * (MAX_DAYS + 1);
    double *cdf = rc == 0 ? bf__malloc(2 * per * sizeof *cdf) : NULL;
    if (rc == 0 && cdf == NULL)
        rc = BF_ENOMEM;
    for (size_t i = 0; rc == 0 && i < 2 * per; i++)
        cdf[i] = (double)NAN;
    int last = -1;
    for (size_t r = 0; rc == 0 && r < t.n_rows; r++) {
        if (strcmp(bf__csv_get(&t, r, col[2]), "days_to_rebate") != 0)
            continue;
        const char *cn = bf__csv_get(&t, r, col[0]);
        int c = last >= 0 && strcmp(fo->city[last].name, cn) == 0 ? last : bf__folder_city(fo, cn);
        last = c;
        int s = bf__folder_slot(fo, bf__csv_get(&t, r, col[1]));
        double day = bf__csv_num(&t, r, col[3]), v = bf__csv_num(&t, r, col[4]);
        if (c < 0 || s < 0 || !(day >= 0 && day <= MAX_DAYS) || !isfinite(v))
            continue;
        cdf[(size_t)s * per + (size_t)c * (MAX_DAYS + 1) + (size_t)day] = v;
    }
    double mean[2][MAX_DAYS + 1];
    unsigned n_city[2] = {0, 0};
    int last_day = 0;
    for (int s = 0; rc == 0 && s < 2; s++) {
        for (int day = 0; day <= MAX_DAYS; day++)
            mean[s][day] = 0.0;
        for (uint32_t c = 0; c < fo->n_cities; c++) {
            double *v = &cdf[(size_t)s * per + (size_t)c * (MAX_DAYS + 1)];
            int any = 0;
            double carry = 0.0;
            for (int day = 0; day <= MAX_DAYS; day++) {
                if (isfinite(v[day])) {
                    carry = v[day];
                    any = 1;
                    if (day > last_day)
                        last_day = day;
                }
                v[day] = carry;
            }
            if (!any)
                continue;
            n_city[s]++;
            for (int day = 0; day <= MAX_DAYS; day++)
                mean[s][day] += v[day];
        }
        for (int day = 0; day <= MAX_DAYS; day++)
            mean[s][day] = n_city[s] ? mean[s][day] / n_city[s] : (double)NAN;
    }
    bf__free(cdf);
    bf__csv_fini(&t);
    if (rc != 0)
        return rc;
    if (n_city[0] == 0 || n_city[1] == 0)
        return 0;
    struct dat d;
    if ((rc = dat_open(&d, x, "rebate_cdf.dat", diag)) != 0)
        return rc;
    fprintf(d.f,
            "# Share of units with the rebate paid within `day` days of departure: the mean of "
            "the cities' cumulative distributions\n# (each city weighted equally; %u and %u "
            "cities). Source: distributions.csv (metric days_to_rebate, day, cdf).\n"
            "# day\tcdf_before\tcdf_after\n",
            n_city[0], n_city[1]);
    for (int day = 0; day <= last_day; day++) {
        fprintf(d.f, "%d\t", day);
        dnum(d.f, mean[0][day]);
        fputc('\t', d.f);
        dnum(d.f, mean[1][day]);
        fputc('\n', d.f);
    }
    /* medians, second block (index 1): the first day the mean curve reaches 1/2 */
    fputs("\n\n# median_before_day\tmedian_after_day\n", d.f);
    for (int s = 0; s < 2; s++) {
        int med = -1;
        for (int day = 0; day <= last_day && med < 0; day++)
            if (mean[s][day] >= 0.5)
                med = day;
        fputs(s ? "\t" : "", d.f);
        dnum(d.f, med >= 0 ? (double)med : (double)NAN);
    }
    fputc('\n', d.f);
    *drawn = 1;
    return dat_close(&d, diag);
}

/* ---- return_cycle.dat, trs.dat: summary.csv ---- */

int bf__chart_return_cycle(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    /* rows sorted by the baseline's mean, longest first */
    uint32_t *ord = bf__malloc(((size_t)fo->n_cities + 1) * sizeof *ord);
    if (ord == NULL)
        return BF_ENOMEM;
    uint32_t n = 0;
    for (uint32_t c = 0; c < fo->n_cities; c++)
        if (isfinite(bf__folder_sum(fo, c, 0, BF_M_return_cycle_d)->mean) ||
            isfinite(bf__folder_sum(fo, c, 1, BF_M_return_cycle_d)->mean))
            ord[n++] = c;
    /* a merge of runs would be faster; an insertion sort on the few hundred
     * rows of nearly sorted data is stable and simple */
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0; j--) {
            double a = bf__folder_sum(fo, ord[j - 1], 0, BF_M_return_cycle_d)->mean;
            double b = bf__folder_sum(fo, ord[j], 0, BF_M_return_cycle_d)->mean;
            if (!(isfinite(b) && (!isfinite(a) || b > a)))
                break;
            uint32_t tmp = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = tmp;
        }
    int rc = 0;
    if (n > 0) {
        struct dat d;
        rc = dat_open(&d, x, "return_cycle.dat", diag);
        if (rc == 0) {
            fprintf(d.f,
                    "# Return cycle time, days: mean over replications and its 95%% interval; "
                    "rows sorted by the before mean, longest first;\n# %u of %u cities (all, "
                    "or the first and the last %d). Source: summary.csv (metric "
                    "return_cycle_d: mean, ci95_low, ci95_high).\n# y\tbefore_mean\t"
                    "before_low\tbefore_high\tafter_mean\tafter_low\tafter_high\tcity\n",
                    rows_shown(n), n, BF__ROWS_MAX / 2);
            for (uint32_t i = 0; i < rows_shown(n); i++) {
                uint32_t c = ord[row_index(n, i)];
                fprintf(d.f, "%u", row_y(n, i));
                for (int s = 0; s < 2; s++) {
                    const struct bf__sum *v = bf__folder_sum(fo, c, s, BF_M_return_cycle_d);
                    fputc('\t', d.f);
                    dnum(d.f, v->mean);
                    fputc('\t', d.f);
                    dnum(d.f, v->lo);
                    fputc('\t', d.f);
                    dnum(d.f, v->hi);
                }
                fputc('\t', d.f);
                bf__gp_city(d.f, &fo->city[c]);
                fputc('\n', d.f);
            }
            gap_block(d.f, n, "places ", " by the before mean");
            rc = dat_close(&d, diag);
            *drawn = rc == 0;
        }
    }
    bf__free(ord);
    return rc;
}

/* the five segments of export clearance, arrival at customs to release */
static const int trs_metric[] = {BF_M_trs_doc_prep_h, BF_M_trs_rework_h, BF_M_trs_screening_h,
                                 BF_M_trs_inspection_wait_h, BF_M_trs_inspection_h};
#define N_TRS 5

int bf__chart_trs(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    struct dat d;
    int rc = dat_open(&d, x, "trs.dat", diag);
    if (rc != 0)
        return rc;
    fprintf(d.f,
            "# Export clearance by segment of the WCO Time Release Study and port dwell, mean "
            "hours per shipment, of the %u\n# cities first in ranking.csv, before (slot 0) "
            "and after (slot 1). Source: summary.csv (metrics trs_doc_prep_h, trs_rework_h,\n"
            "# trs_screening_h, trs_inspection_wait_h, trs_inspection_h, trs_port_dwell_h: "
            "mean). end_*: the cumulative end of each\n# segment in its stacked bar; "
            "clearance_h: the five segments together.\n# y\tslot\tend_doc_prep\tend_rework\t"
            "end_screening\tend_inspection_wait\tend_inspection\tclearance_h\tport_dwell_h\t"
            "label\n",
            x->n_top);
    for (uint32_t k = 0; k < x->n_top; k++) {
        uint32_t c = x->order[k];
        for (int s = 0; s < 2; s++) {
            fprintf(d.f, "%u\t%d", 3 * k + (uint32_t)s, s);
            double cum = 0;
            int any = 0;
            for (int m = 0; m < N_TRS; m++) {
                double v = bf__folder_sum(fo, c, s, trs_metric[m])->mean;
                if (isfinite(v)) {
                    cum += v;
                    any = 1;
                }
                fputc('\t', d.f);
                dnum(d.f, cum);
            }
            fputc('\t', d.f);
            dnum(d.f, any ? cum : (double)NAN);
            double dwell = bf__folder_sum(fo, c, s, BF_M_trs_port_dwell_h)->mean;
            fputc('\t', d.f);
            dnum(d.f, dwell);
            *drawn |= any || isfinite(dwell);
            fputc('\t', d.f);
            if (s == 0) {
                bf__gp_city(d.f, &fo->city[c]);
                fputs("  ", d.f);
            }
            bf__gp_cut(d.f, s ? fo->compared : fo->baseline, 12);
            fputc('\n', d.f);
        }
    }
    return dat_close(&d, diag);
}

/* ---- timeline.dat: timeline.csv ---- */

#define MAX_SHIP 8

int bf__chart_timeline(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    if (x->run_start[0] == '\0')
        return 0; /* no day 0 to put timeline.csv's days on a calendar */
    struct bf__csv t;
    int col[6];
    static const char *const names[] = {"city", "policy", "shipment", "units", "milestone", "day"};
    int rc = bf__csv_open(fo->dir, "timeline.csv", names, 6, col, &t, diag);
    if (rc != 0)
        return rc;
    /* the sample shipments of the top city, in order of first appearance */
    const char *city = fo->city[x->order[0]].name;
    double serial[MAX_SHIP], units[MAX_SHIP], day[MAX_SHIP][2][BF_MS_COUNT];
    int n = 0;
    for (int i = 0; i < MAX_SHIP; i++)
        for (int s = 0; s < 2; s++)
            for (int m = 0; m < BF_MS_COUNT; m++)
                day[i][s][m] = (double)NAN;
    for (size_t r = 0; r < t.n_rows; r++) {
        if (strcmp(bf__csv_get(&t, r, col[0]), city) != 0)
            continue;
        int s = bf__folder_slot(fo, bf__csv_get(&t, r, col[1]));
        double id = bf__csv_num(&t, r, col[2]);
        int m = -1;
        for (int k = 0; k < BF_MS_COUNT; k++)
            if (strcmp(bf_milestone_name((enum bf_milestone)k), bf__csv_get(&t, r, col[4])) == 0)
                m = k;
        if (s < 0 || m < 0 || !isfinite(id))
            continue;
        int i = 0;
        while (i < n && serial[i] != id)
            i++;
        if (i == n) {
            if (n == MAX_SHIP)
                continue;
            serial[n] = id;
            units[n] = bf__csv_num(&t, r, col[3]);
            n++;
        }
        day[i][s][m] = bf__csv_num(&t, r, col[5]);
    }
    bf__csv_fini(&t);
    /* keep shipments seen under both policies */
    int keep[MAX_SHIP], nk = 0;
    for (int i = 0; i < n && nk < 4; i++)
        if (isfinite(day[i][0][BF_MS_CREATED]) && isfinite(day[i][1][BF_MS_CREATED]))
            keep[nk++] = i;
    if (nk == 0)
        return 0;
    struct dat d;
    if ((rc = dat_open(&d, x, "timeline.dat", diag)) != 0)
        return rc;
    fputs("# Sample shipments of the top city: one row per shipment and policy. Source: "
          "timeline.csv (day = days since the run's start,\n# summary.json horizon.run_start)."
          "\n# Block 0 (bars): row\tfirst_day\tlast_day\tslot (0 before, 1 after)\tlabel\n",
          d.f);
    for (int k = 0; k < nk; k++)
        for (int s = 0; s < 2; s++) {
            const double *v = day[keep[k]][s];
            double lo = (double)INFINITY, hi = -(double)INFINITY;
            for (int m = 0; m < BF_MS_COUNT; m++)
                if (isfinite(v[m])) {
                    lo = v[m] < lo ? v[m] : lo;
                    hi = v[m] > hi ? v[m] : hi;
                }
            fprintf(d.f, "%d\t", 2 * k + s);
            dnum(d.f, lo);
            fputc('\t', d.f);
            dnum(d.f, hi);
            fprintf(d.f, "\t%d\tshipment %.0f, %.0f units, ", s, serial[keep[k]], units[keep[k]]);
            bf__gp_cut(d.f, s ? fo->compared : fo->baseline, 16);
            fputc('\n', d.f);
        }
    /* blocks 1..BF_MS_COUNT: one per milestone, a row per bar (NaN: not reached) */
    for (int m = 0; m < BF_MS_COUNT; m++) {
        fprintf(d.f, "\n\n# Block %d: milestone %s: row\tday\n", m + 1,
                bf_milestone_name((enum bf_milestone)m));
        for (int k = 0; k < nk; k++)
            for (int s = 0; s < 2; s++) {
                fprintf(d.f, "%d\t", 2 * k + s);
                dnum(d.f, day[keep[k]][s][m]);
                fputc('\n', d.f);
            }
    }
    /* block 10: the day the compared policy takes effect in the city, on
     * the same count as timeline.csv's days */
    int32_t eff, start;
    double eff_day = (double)NAN;
    if (bf_date_parse(fo->city[x->order[0]].effective_date, &eff, NULL) == 0 &&
        bf_date_parse(x->run_start, &start, NULL) == 0)
        eff_day = (double)(eff - start);
    fputs("\n\n# Block 10: effective_day (days since the run's start; cities.csv)\n", d.f);
    dnum(d.f, eff_day);
    fputc('\n', d.f);
    *drawn = 1;
    return dat_close(&d, diag);
}

/* ---- sensitivity.dat: sensitivity.csv ---- */

/*
 * The unknowns' effect on the study's capital released: Morris mu* (x) and
 * sigma (y) of every parameter, or Sobol' first- and total-order indices,
 * each with its bootstrap interval, as sensitivity.csv has them (city
 * "all", metric capital_released_cny). Drawn only for a sensitivity study.
 */
int bf__chart_sensitivity(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    *drawn = 0;
    char path[1200];
    if (bf__path(path, sizeof path, x->f->dir, "sensitivity.csv", diag) != 0)
        return BF_EINVAL;
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* no sensitivity study */
    struct bf__csv t;
    static const char *const cols[] = {"city",  "metric", "parameter", "method",
                                       "index", "value",  "ci95_low",  "ci95_high"};
    int c[8];
    int rc = bf__csv_open(x->f->dir, "sensitivity.csv", cols, 8, c, &t, diag);
    if (rc != 0)
        return rc;
    struct dat d;
    if ((rc = dat_open(&d, x, "sensitivity.dat", diag)) != 0) {
        bf__csv_fini(&t);
        return rc;
    }
    fputs("# The unknowns' effect on the capital released by all cities. Source: "
          "sensitivity.csv (city all,\n# metric capital_released_cny). Morris: a = mu_star "
          "(CNY), b = sigma (CNY); Sobol': a = first_order,\n# b = total_order (shares of the "
          "variance); each with its bootstrap 95% interval.\n"
          "# k\tparameter\tmethod\ta\ta_lo\ta_hi\tb\tb_lo\tb_hi\n",
          d.f);
    /* the rows of one parameter come together, a's index before b's */
    int k = -1;
    char last[200] = "";
    double v[6] = {0};
    const char *method = "";
    for (size_t i = 0; i <= t.n_rows; i++) {
        bool flush = i == t.n_rows;
        const char *param = "";
        bool mine = false;
        if (!flush) {
            mine = strcmp(bf__csv_get(&t, i, c[0]), "all") == 0 &&
                   strcmp(bf__csv_get(&t, i, c[1]), "capital_released_cny") == 0;
            param = bf__csv_get(&t, i, c[2]);
            flush = mine && k >= 0 && strcmp(param, last) != 0;
        }
        if (flush && k >= 0) {
            fprintf(d.f, "%d\t", k);
            bf__gp_text(d.f, last);
            fprintf(d.f, "\t%s", method);
            for (int j = 0; j < 6; j++) {
                fputc('\t', d.f);
                dnum(d.f, v[j]);
            }
            fputc('\n', d.f);
        }
        if (i == t.n_rows || !mine)
            continue;
        if (k < 0 || strcmp(param, last) != 0) {
            k++;
            snprintf(last, sizeof last, "%s", param);
            for (int j = 0; j < 6; j++)
                v[j] = (double)NAN;
        }
        method = strcmp(bf__csv_get(&t, i, c[3]), "morris") == 0 ? "morris" : "sobol";
        const char *idx = bf__csv_get(&t, i, c[4]);
        int at = strcmp(idx, "mu_star") == 0 || strcmp(idx, "first_order") == 0 ? 0
                 : strcmp(idx, "sigma") == 0 || strcmp(idx, "total_order") == 0 ? 3
                                                                                : -1;
        if (at < 0)
            continue;
        v[at] = bf__csv_num(&t, i, c[5]);
        v[at + 1] = bf__csv_num(&t, i, c[6]);
        v[at + 2] = bf__csv_num(&t, i, c[7]);
    }
    bf__csv_fini(&t);
    *drawn = k >= 0;
    return dat_close(&d, diag);
}

/* ---- tornado.dat: sweep_totals.csv, totals.csv ---- */

#define MAX_VALUES 64 /* value indices per sweep kept (the scenario allows 16) */

struct sweep_acc {
    char name[128], parameter[160], policy[48];
    int n_values;                /* 1 + highest value_index seen */
    char value[MAX_VALUES][160]; /* the value as written */
    double mean[MAX_VALUES];     /* capital released, all cities, and its interval */
    double lo_ci[MAX_VALUES], hi_ci[MAX_VALUES];
    int lo, hi; /* value indices of the lowest and highest value */
};

/* lowest and highest value: by number when every value is one, else the
 * first and the last as written */
static void pick_ends(struct sweep_acc *a)
{
    int numeric = 1;
    double v[MAX_VALUES];
    for (int i = 0; i < a->n_values; i++) {
        char *end;
        v[i] = strtod(a->value[i], &end);
        if (a->value[i][0] == '\0' || *end != '\0' || !isfinite(v[i]))
            numeric = 0;
    }
    a->lo = 0;
    a->hi = a->n_values - 1;
    if (!numeric)
        return;
    for (int i = 0; i < a->n_values; i++) {
        if (v[i] < v[a->lo])
            a->lo = i;
        if (v[i] > v[a->hi])
            a->hi = i;
    }
}

/* appends "%g" of v to buf */
static void put_g(char *buf, size_t size, double v)
{
    size_t k = strlen(buf);
    if (k < size)
        snprintf(buf + k, size - k, "%g", v);
}

static void put_s(char *buf, size_t size, const char *s)
{
    size_t k = strlen(buf);
    if (k < size)
        snprintf(buf + k, size - k, "%s", s);
}

/*
 * A sweep value as short text: a number as written; a distribution as its
 * form and parameters, {"dist":"uniform","min":1,"max":2} as "uniform 1–2",
 * {"dist":"gamma","mean":15,"cv":0.5} as "gamma mean 15, cv 0.5", an
 * empirical one as "empirical, 3 values"; anything else as written. The
 * caller cuts it to the chart's width.
 */
static void value_text(char *buf, size_t size, const char *value)
{
    snprintf(buf, size, "%s", value);
    bool oom = false;
    cJSON *j = value[0] == '{' ? bf_json_parse(value, strlen(value), &oom, NULL) : NULL;
    const char *dist = j != NULL ? bf_json_str(j, "dist") : NULL;
    if (dist == NULL) {
        cJSON_Delete(j);
        return;
    }
    snprintf(buf, size, "%s", dist);
    double min = bf_json_num(j, "min"), max = bf_json_num(j, "max");
    if (strcmp(dist, "uniform") == 0 && isfinite(min) && isfinite(max)) {
        put_s(buf, size, " ");
        put_g(buf, size, min);
        put_s(buf, size, "\xe2\x80\x93"); /* en dash */
        put_g(buf, size, max);
    } else if (strcmp(dist, "triangular") == 0 && isfinite(min) && isfinite(max)) {
        put_s(buf, size, " ");
        put_g(buf, size, min);
        put_s(buf, size, "\xe2\x80\x93");
        put_g(buf, size, max);
        put_s(buf, size, ", mode ");
        put_g(buf, size, bf_json_num(j, "mode"));
    } else if (strcmp(dist, "fixed") == 0) {
        put_s(buf, size, " ");
        put_g(buf, size, bf_json_num(j, "value"));
    } else if (strcmp(dist, "empirical") == 0) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "values");
        int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0;
        char tail[48];
        snprintf(tail, sizeof tail, ", %d value%s", n, n == 1 ? "" : "s");
        put_s(buf, size, tail);
    } else {
        /* every number of the object, "key value", in the order written */
        int first = 1;
        for (const cJSON *e = j->child; e != NULL; e = e->next) {
            if (!cJSON_IsNumber(e) || e->string == NULL)
                continue;
            put_s(buf, size, first ? " " : ", ");
            put_s(buf, size, e->string);
            put_s(buf, size, " ");
            put_g(buf, size, e->valuedouble);
            first = 0;
        }
    }
    cJSON_Delete(j);
}

int bf__chart_tornado(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    char path[1200];
    int rc = bf__path(path, sizeof path, fo->dir, "sweep_totals.csv", diag);
    if (rc != 0)
        return rc;
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* no sweeps in this run */
    struct bf__csv t;
    int col[10];
    static const char *const names[] = {"sweep",    "parameter", "policy", "value_index",
                                        "value",    "metric",    "scope",  "mean",
                                        "ci95_low", "ci95_high"};
    if ((rc = bf__csv_open(fo->dir, "sweep_totals.csv", names, 10, col, &t, diag)) != 0)
        return rc;
    struct sweep_acc *acc = bf__calloc(BF_MAX_SWEEPS_PLOT, sizeof *acc);
    if (acc == NULL)
        rc = BF_ENOMEM;
    int na = 0;
    for (size_t r = 0; rc == 0 && r < t.n_rows; r++) {
        if (strcmp(bf__csv_get(&t, r, col[5]), "capital_released_cny") != 0 ||
            strcmp(bf__csv_get(&t, r, col[6]), "change") != 0)
            continue;
        const char *sw = bf__csv_get(&t, r, col[0]);
        double idx = bf__csv_num(&t, r, col[3]);
        if (!(idx >= 0 && idx < MAX_VALUES))
            continue;
        int i = 0;
        while (i < na && strcmp(acc[i].name, sw) != 0)
            i++;
        if (i == na) {
            if (na == BF_MAX_SWEEPS_PLOT)
                continue;
            struct sweep_acc *a = &acc[na++];
            snprintf(a->name, sizeof a->name, "%s", sw);
            snprintf(a->parameter, sizeof a->parameter, "%s", bf__csv_get(&t, r, col[1]));
            snprintf(a->policy, sizeof a->policy, "%s", bf__csv_get(&t, r, col[2]));
            for (int k = 0; k < MAX_VALUES; k++)
                a->mean[k] = a->lo_ci[k] = a->hi_ci[k] = (double)NAN;
        }
        struct sweep_acc *a = &acc[i];
        int k = (int)idx;
        if (k >= a->n_values)
            a->n_values = k + 1;
        snprintf(a->value[k], sizeof a->value[k], "%s", bf__csv_get(&t, r, col[4]));
        a->mean[k] = bf__csv_num(&t, r, col[7]);
        a->lo_ci[k] = bf__csv_num(&t, r, col[8]);
        a->hi_ci[k] = bf__csv_num(&t, r, col[9]);
    }
    bf__csv_fini(&t);
    const struct bf__total *base = bf__folder_total(fo, "capital_released_cny", "change");
    if (rc != 0 || na == 0 || base == NULL) {
        bf__free(acc);
        return rc;
    }
    int ord[BF_MAX_SWEEPS_PLOT];
    for (int i = 0; i < na; i++) {
        pick_ends(&acc[i]);
        ord[i] = i;
    }
    /* widest swing first (insertion sort: stable) */
#define SWING(i) fabs(acc[i].mean[acc[i].hi] - acc[i].mean[acc[i].lo])
    for (int i = 1; i < na; i++)
        for (int j = i; j > 0 && SWING(ord[j]) > SWING(ord[j - 1]); j--) {
            int tmp = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = tmp;
        }
#undef SWING
    struct dat d;
    if ((rc = dat_open(&d, x, "tornado.dat", diag)) != 0) {
        bf__free(acc);
        return rc;
    }
    fputs("# Capital released, all cities, CNY, with its 95% interval: at each sweep's lowest "
          "and highest value (sweep_totals.csv,\n# metric capital_released_cny, scope change: "
          "mean, ci95_low, ci95_high) and as written (base: totals.csv, the same row).\n"
          "# rank\tbase\tbase_low\tbase_high\tat_lowest\tlowest_low\tlowest_high\tat_highest\t"
          "highest_low\thighest_high\tsweep\tparameter\tlowest_value\thighest_value\n",
          d.f);
    for (int k = 0; k < na; k++) {
        const struct sweep_acc *a = &acc[ord[k]];
        fprintf(d.f, "%d", k);
        const double v[9] = {base->mean,     base->lo,        base->hi,
                             a->mean[a->lo], a->lo_ci[a->lo], a->hi_ci[a->lo],
                             a->mean[a->hi], a->lo_ci[a->hi], a->hi_ci[a->hi]};
        for (int i = 0; i < 9; i++) {
            fputc('\t', d.f);
            dnum(d.f, v[i]);
        }
        fputc('\t', d.f);
        bf__gp_name(d.f, a->name);
        fputc('\t', d.f);
        char par[sizeof a->parameter + sizeof a->policy + 32];
        snprintf(par, sizeof par, "%s (%s)", a->parameter,
                 strcmp(a->policy, "all") == 0 ? "every policy" : a->policy);
        bf__gp_cut(d.f, par, 48);
        for (int e = 0; e < 2; e++) {
            char txt[200];
            value_text(txt, sizeof txt, a->value[e ? a->hi : a->lo]);
            fputc('\t', d.f);
            bf__gp_cut(d.f, txt, 26);
        }
        fputc('\n', d.f);
    }
    bf__free(acc);
    *drawn = 1;
    return dat_close(&d, diag);
}

/* ---- the charts, in the order of the report ---- */

const struct bf__chart bf__charts[] = {
    {"released", "Capital released over time in the top cities, CNY",
     "Working capital the policy releases on each day of the window in the 6 cities first in "
     "the ranking (all of them in a smaller study): before minus after of the total working "
     "capital, that is daily_delta.csv's after - before with its sign reversed. Line: the paired "
     "mean over replications; band: its 95% interval; above zero the policy frees capital. CNY "
     "thousand or million, as the axis says. The dashed line marks the day the policy takes "
     "effect in the city. Source: daily_delta.csv (component total: mean, ci95_low, ci95_high), "
     "cities.csv (effective_date), ranking.csv (which cities).",
     bf__chart_released, "排名靠前城市随时间释放的营运资金（人民币）",
     "窗口期内每一天政策释放的营运资金，取排名前 6 位的城市（研究城市较少时为全部城市）："
     "政策前减政策后的营运资金合计，即 daily_delta.csv 中“后减前”取相反数。线为各次重复的配对"
     "均值，阴影为其 95% 置信区间；高于零表示政策释放了资金。单位为千元或百万元人民币，以坐标轴"
     "为准。虚线为政策在该城市生效的日期。来源：daily_delta.csv（component 为 total：mean、"
     "ci95_low、ci95_high），cities.csv（effective_date），ranking.csv（城市的选取）。"},
    {"waterfall", "Capital released by component, all cities, CNY",
     "How the four disjoint components of working capital add up to the capital released "
     "(before minus after of the window's mean working capital, all cities together): the "
     "export VAT rebate receivable, goods abroad (in transit and in the overseas warehouse), "
     "goods returning to China and trade receivables, then the total. Bar: the mean over "
     "replications; whisker: its 95% interval, drawn at the end of the bar; a component below "
     "zero ties up more capital after than before. CNY thousand or million, as the axis says. "
     "Source: totals.csv (scope change: released_rebate_receivable_cny, "
     "released_stock_abroad_cny, released_returning_cny, released_receivables_cny, "
     "capital_released_cny; mean, ci95_low, ci95_high).",
     bf__chart_waterfall, "释放的营运资金按构成分解（全部城市，人民币）",
     "营运资金的四个互不重叠的构成部分如何累加为释放的资金（窗口期日均营运资金的政策前减政策后，"
     "全部城市合计）：出口退税应收款、境外货物（在途及海外仓）、退运回国货物、贸易应收款，最后为"
     "合计。柱为各次重复的均值；须线为其 95% 置信区间，画在柱的末端；低于零的部分表示政策后占用的"
     "资金多于政策前。单位为千元或百万元人民币，以坐标轴为准。来源：totals.csv（scope 为 change："
     "released_rebate_receivable_cny、released_stock_abroad_cny、released_returning_cny、"
     "released_receivables_cny、capital_released_cny 的 mean、ci95_low、ci95_high）。"},
    {"wc_components", "Working capital by component, before and after, all cities, CNY",
     "The mean working capital of the window's days, all cities together, before and after, as "
     "two stacked bars of its four disjoint components: goods abroad (in transit and in the "
     "overseas warehouse), goods returning to China, trade receivables and the export VAT "
     "rebate receivable. Each segment is labelled with its amount where it is tall enough, and "
     "in the legend; the total stands above each bar, and their difference is the capital "
     "released. CNY thousand or million, as the axis says. Source: totals.csv (scopes before "
     "and after of wc_stock_abroad_avg_cny, wc_returning_avg_cny, wc_receivables_avg_cny, "
     "wc_rebate_receivable_avg_cny and wc_avg_cny; capital_released_cny, scope change).",
     bf__chart_wc_components, "政策前后的营运资金构成（全部城市，人民币）",
     "窗口期日均营运资金（全部城市合计），政策前与政策后各一根堆积柱，由四个互不重叠的部分组成："
     "境外货物（在途及海外仓）、退运回国货物、贸易应收款、出口退税应收款。足够高的分段标注金额，"
     "图例中列出全部金额；柱顶为合计，两者之差即释放的资金。单位为千元或百万元人民币，以坐标轴为准"
     "。"
     "来源：totals.csv（wc_stock_abroad_avg_cny、wc_returning_avg_cny、wc_receivables_avg_cny、"
     "wc_rebate_receivable_avg_cny、wc_avg_cny 的 before 与 after；capital_released_cny 的 "
     "change）。"},
    {"ranking", "Capital released per CNY million exported, per city, CNY",
     "Each city's capital released per CNY million of its exports under the baseline, best "
     "first, with its 95% interval (error bar). Colour: green when the interval lies above "
     "zero, grey when it includes zero, purple when it lies below zero. Up to 30 cities are "
     "shown; of a larger study the first 15 and the last 15, with the number of cities left "
     "out between them. CNY per CNY million exported. Source: ranking.csv (rank, "
     "capital_released_per_m, ci95_low, ci95_high, interval).",
     bf__chart_ranking, "各城市每百万元出口释放的营运资金（人民币）",
     "各城市每百万元出口（按政策前的出口额）释放的营运资金，从高到低排列，误差线为 95% 置信区间。"
     "颜色：区间高于零为绿色，包含零为灰色，低于零为紫色。最多显示 30 个城市；城市更多时显示前 15 "
     "位和后 15 位，中间注明未显示的城市数。单位：元/百万元出口。来源：ranking.csv（rank、"
     "capital_released_per_m、ci95_low、ci95_high、interval）。"},
    {"rebate_cdf", "Days from departure to export VAT rebate, share of units in %",
     "Share of units whose rebate has been paid within the given number of days after "
     "departure (cumulative distribution), before and after, in % of units. Each city's "
     "distribution is weighted equally (the average of the cities' curves). Source: "
     "distributions.csv (metric days_to_rebate, cdf).",
     bf__chart_rebate_cdf, "从离境到收到出口退税的天数（单位占比，%）",
     "离境后在给定天数内已收到退税的单位占比（累积分布），政策前与政策后，单位为 %。每个城市的"
     "分布权重相同（各城市曲线的平均）。来源：distributions.csv（metric 为 "
     "days_to_rebate，cdf）。"},
    {"return_cycle", "Return cycle time per city, days",
     "Mean days from a buyer's return until the goods are released back in China, per city, "
     "before and after, with 95% confidence intervals of the mean over replications; the axis "
     "starts at zero. Longest before at the top; of a study of more than 30 cities the 15 "
     "longest and the 15 shortest, with the number left out between them. Source: summary.csv "
     "(metric return_cycle_d: mean, ci95_low, ci95_high).",
     bf__chart_return_cycle, "各城市的退货周期（天）",
     "从买家退货到货物在中国放行的平均天数，按城市，政策前与政策后，附各次重复均值的 95% 置信区间；"
     "坐标轴从零开始。政策前最长的在上；城市超过 30 个时显示最长的 15 个和最短的 15 个，中间注明"
     "未显示的城市数。来源：summary.csv（metric 为 return_cycle_d：mean、ci95_low、ci95_high）。"},
    {"trs", "Export clearance by segment (hours) and port dwell (days) in the top cities",
     "For the 6 cities first in the ranking (all of them in a smaller study), before and after. "
     "Left: the five segments of export clearance in the manner of the WCO Time Release Study "
     "(document preparation, rework of rejected declarations, risk screening, wait for an "
     "inspection team, inspection), mean hours per shipment, stacked, the total at the end of "
     "each bar. Right: port dwell from release to departure, mean days per shipment, on its own "
     "axis: it is most of the time from arrival at customs to departure and would hide the "
     "clearance segments on one scale. Each city's mean over replications; no mean over cities "
     "is taken. Source: summary.csv (metrics trs_doc_prep_h, trs_rework_h, trs_screening_h, "
     "trs_inspection_wait_h, trs_inspection_h, trs_port_dwell_h: mean), ranking.csv (which "
     "cities).",
     bf__chart_trs, "排名靠前城市的出口通关分段（小时）与港口停留（天）",
     "排名前 6 位的城市（研究城市较少时为全部城市），政策前与政策后。左：按世界海关组织通关时间"
     "研究（TRS）划分的出口通关五个环节（单证准备、被退回申报的返工、风险甄别、等待查验、查验），"
     "每票平均小时数，堆积显示，柱末为合计。右：从放行到离港的港口停留，每票平均天数，单独坐标轴："
     "它占从到达海关到离境的大部分时间，放在同一刻度上会掩盖通关各环节。为各城市各次重复的均值，"
     "不跨城市求平均。来源：summary.csv（trs_doc_prep_h、trs_rework_h、trs_screening_h、"
     "trs_inspection_wait_h、trs_inspection_h、trs_port_dwell_h 的 "
     "mean），ranking.csv（城市的选取）。"},
    {"timeline", "Timeline of sample overseas-warehouse shipments, dates",
     "Milestones of four sample overseas-warehouse (9810) shipments of the city first in the "
     "ranking, under each policy (the same shipments: common random numbers), on a calendar "
     "axis; the dashed line is the day the policy takes effect in the city. Source: "
     "timeline.csv (shipment, milestone, day), summary.json (horizon.run_start), cities.csv "
     "(effective_date).",
     bf__chart_timeline, "海外仓出口样本货物的时间线（日期）",
     "排名第一的城市中四票海外仓（9810）样本货物在两种政策下的各个节点（同一批货物：共同随机数），"
     "横轴为日期；虚线为政策在该城市生效的日期。来源：timeline.csv（shipment、milestone、day），"
     "summary.json（horizon.run_start），cities.csv（effective_date）。"},
    {"tornado", "Sensitivity of the capital released to the swept parameters, CNY",
     "For each sweep, the capital released by all cities at the sweep's lowest and at its "
     "highest value (bars, from the scenario as written: the vertical line, its 95% interval "
     "shaded), each with its 95% interval (whiskers); the widest swing at the top. Each row "
     "names the sweep, its parameter path and the policy it applies to; the values are shown "
     "in short (a distribution as its form and parameters). CNY thousand or million, as the "
     "axis says. Source: sweep_totals.csv (metric capital_released_cny, scope change: mean, "
     "ci95_low, ci95_high, value), totals.csv (capital_released_cny, change).",
     bf__chart_tornado, "释放资金对各扫描参数的敏感性（人民币）",
     "每个参数扫描在最低值和最高值下全部城市释放的营运资金（柱从按原情景的结果即竖线起画，竖线的 "
     "95% 置信区间以阴影表示），各附 95% 置信区间（须线）；变化幅度最大的在上。每行注明扫描名称、"
     "参数路径及其适用的政策；取值以简写表示（分布写为类型与参数）。单位为千元或百万元人民币，以"
     "坐标轴为准。来源：sweep_totals.csv（metric 为 capital_released_cny，scope 为 change：mean、"
     "ci95_low、ci95_high、value），totals.csv（capital_released_cny，change）。"},
    {"released_all", "Capital released over time in every city, one scale, CNY",
     "Small multiples of the working capital the policy releases on each day of the window "
     "(before minus after of the total; line: the paired mean, band: its 95% interval) for "
     "every city in the order of the ranking, all on one scale; the dashed line is the city's "
     "effective date. Of a study of more than 48 cities the first 48 are shown, and the chart "
     "says so. CNY thousand or million, as the axis says. Source: daily_delta.csv (component "
     "total: mean, ci95_low, ci95_high), cities.csv (effective_date), ranking.csv (order).",
     bf__chart_released_all, "各城市随时间释放的营运资金（同一刻度，人民币）",
     "每个城市窗口期内每日政策释放的营运资金的小图（政策前减政策后的合计；线为配对均值，阴影为其 "
     "95% 置信区间），按排名顺序，全部使用同一刻度；虚线为该城市的生效日期。城市超过 48 个时只显示"
     "前 48 个，图中注明。单位为千元或百万元人民币，以坐标轴为准。来源：daily_delta.csv（component "
     "为 total：mean、ci95_low、ci95_high），cities.csv（effective_date），ranking.csv（排序）。"},
    {"sensitivity", "Which unknowns matter for the capital released",
     "From the sensitivity study (all the listed unknowns varied at once over their ranges, "
     "common random numbers). Morris: each unknown's mean absolute effect on the capital "
     "released by all cities over its whole range (mu*, across) against the spread of that "
     "effect (sigma, up: interactions or non-linearity), CNY thousand or million as the axes "
     "say, with the bootstrap 95% interval of mu*. Sobol': each unknown's first-order share of "
     "the variance of the capital released (alone) and total-order share (with its "
     "interactions), with bootstrap 95% intervals. Source: sensitivity.csv (city all, metric "
     "capital_released_cny).",
     bf__chart_sensitivity, "哪些未知因素影响释放的资金",
     "来自敏感性分析（所列未知因素在各自范围内同时变化，共同随机数）。Morris：各未知因素在其整个"
     "范围内对全部城市释放资金的平均绝对影响（mu*，横轴）与该影响的离散程度（sigma，纵轴：交互作用"
     "或非线性），单位为千元或百万元人民币，附 mu* 的自助法 95% 区间。Sobol'：各未知因素单独"
     "（一阶）及连同交互作用（总效应）在释放资金方差中所占份额，附自助法 95% 区间。来源："
     "sensitivity.csv（city 为 all，metric 为 capital_released_cny）。"},
};
const size_t bf__charts_n = sizeof bf__charts / sizeof bf__charts[0];
_Static_assert(sizeof bf__charts / sizeof bf__charts[0] <= BF__CHARTS_MAX,
               "raise BF__CHARTS_MAX (the driver's job table)");
