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
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "borderflow/alloc.h"
#include "borderflow/calendar.h"

#include "internal.h"


/* ---- writing data ---- */

/* Code points of s, counting each byte that does not continue a UTF-8
 * sequence. */
static size_t n_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

void bf__gp_name(FILE *f, const char *s)
{
    /* a name is a tic label or a panel title: long ones would run off the
     * chart (the report shows them whole) */
    enum { MAX_CHARS = 26 };
    if (n_chars(s) <= MAX_CHARS) {
        bf__gp_text(f, s);
        return;
    }
    char buf[4 * MAX_CHARS + 4];
    size_t k = 0, n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && k + 1 < sizeof buf; p++) {
        if ((*p & 0xC0) != 0x80 && ++n == MAX_CHARS)
            break;
        buf[k++] = (char)*p;
    }
    buf[k] = '\0';
    bf__gp_text(f, buf);
    fputs("\xe2\x80\xa6", f); /* ... */
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
    d->f = fopen(d->path, "w");
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
    const char *keys[] = {"scenario", "baseline", "compared", "top_city", "start"};
    const char *vals[] = {x->f->scenario, x->f->baseline, x->f->compared,
                          x->f->city[x->order[0]].name, x->start_date};
    for (size_t i = 0; i < 5; i++) {
        fprintf(d.f, "%s\t", keys[i]);
        if (i == 0 || i == 3)
            bf__gp_name(d.f, vals[i]);
        else
            bf__gp_text(d.f, vals[i]);
        fputc('\n', d.f);
    }
    return dat_close(&d, diag);
}

/* ---- cash: daily_cash.csv ---- */

struct span {
    size_t start, n;
};

int bf__chart_cash(struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    struct bf__csv t;
    int col[6];
    static const char *const names[] = {"city", "policy", "date", "mean", "p05", "p95"};
    int rc = bf__csv_open(fo->dir, "daily_cash.csv", names, 6, col, &t, diag);
    if (rc != 0)
        return rc;
    struct span *sp = bf__calloc((size_t)fo->n_cities * 2, sizeof *sp);
    if (rc == 0 && sp == NULL)
        rc = BF_ENOMEM;
    /* each (city, policy) is a run of consecutive rows in date order */
    int last = -1;
    for (size_t r = 0; rc == 0 && r < t.n_rows; r++) {
        const char *cn = bf__csv_get(&t, r, col[0]);
        int c = last >= 0 && strcmp(fo->city[last].name, cn) == 0 ? last : bf__folder_city(fo, cn);
        last = c;
        int s = bf__folder_slot(fo, bf__csv_get(&t, r, col[1]));
        if (c < 0 || s < 0)
            continue;
        struct span *q = &sp[(size_t)c * 2 + (size_t)s];
        if (q->n == 0)
            q->start = r;
        else if (q->start + q->n != r) {
            bf_diag_set(diag, "%s:%zu: rows of one city and policy are not together", t.path,
                        r + 2);
            rc = BF_EPARSE;
        }
        q->n++;
    }
    if (rc == 0 && t.n_rows > 0)
        snprintf(x->start_date, sizeof x->start_date, "%s", bf__csv_get(&t, 0, col[2]));
    struct dat all = {0}, top = {0};
    for (uint32_t c = 0; rc == 0 && c < fo->n_cities; c++) {
        const struct span *b = &sp[(size_t)c * 2], *a = &sp[(size_t)c * 2 + 1];
        size_t n = b->n < a->n ? b->n : a->n;
        int rank = -1;
        for (uint32_t k = 0; k < x->n_top; k++)
            if (x->order[k] == c)
                rank = (int)k;
        char name[64];
        snprintf(name, sizeof name, "cash_%u.dat", c + 1);
        if ((rc = dat_open(&all, x, name, diag)) != 0)
            break;
        if (rank >= 0) {
            snprintf(name, sizeof name, "cash_top_%d.dat", rank + 1);
            if ((rc = dat_open(&top, x, name, diag)) != 0) {
                fclose(all.f);
                break;
            }
        }
        for (int k = 0; k < (rank >= 0 ? 2 : 1); k++) {
            FILE *f = k ? top.f : all.f;
            fputs("# Cumulative cash position per day, CNY: mean over replications and the 5th "
                  "and 95th percentiles.\n# Source: daily_cash.csv (columns mean, p05, p95); "
                  "effective date: cities.csv.\n# date\tbefore_mean\tbefore_p05\tbefore_p95\t"
                  "after_mean\tafter_p05\tafter_p95\teffective_date\tcity\n",
                  f);
            for (size_t i = 0; i < n; i++) {
                size_t rb = b->start + i, ra = a->start + i;
                fprintf(f, "%s", bf__csv_get(&t, rb, col[2]));
                for (int j = 3; j < 6; j++) {
                    fputc('\t', f);
                    dnum(f, bf__csv_num(&t, rb, col[j]));
                }
                for (int j = 3; j < 6; j++) {
                    fputc('\t', f);
                    /* a day the two runs do not share would pair unlike things */
                    dnum(f, strcmp(bf__csv_get(&t, ra, col[2]), bf__csv_get(&t, rb, col[2])) == 0
                                ? bf__csv_num(&t, ra, col[j])
                                : (double)NAN);
                }
                fprintf(f, "\t%s\t", fo->city[c].effective_date);
                bf__gp_name(f, fo->city[c].name);
                fputc('\n', f);
            }
        }
        if (n > 0)
            *drawn = 1;
        rc = dat_close(&all, diag);
        if (rank >= 0) {
            int rc2 = dat_close(&top, diag);
            if (rc == 0)
                rc = rc2;
        }
    }
    bf__free(sp);
    bf__csv_fini(&t);
    return rc;
}

/* ---- delta.dat: delta.csv ---- */

int bf__chart_delta(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    struct dat d;
    int rc = dat_open(&d, x, "delta.dat", diag);
    if (rc != 0)
        return rc;
    fputs("# After - before per city, CNY, with the paired 95% interval; rows ranked by "
          "financing-cost saving.\n# Source: delta.csv (delta, ci95_low, ci95_high).\n"
          "# rank\tpeak_wc_delta\tpeak_wc_low\tpeak_wc_high\tfinancing_delta\tfinancing_low\t"
          "financing_high\tnpv_delta\tnpv_low\tnpv_high\tcity\n",
          d.f);
    static const int metric[] = {BF_M_wc_avg_cny, BF_M_financing_cost_cny, BF_M_npv_cny};
    *drawn = 0;
    for (uint32_t k = 0; k < fo->n_cities; k++) {
        uint32_t c = x->order[k];
        fprintf(d.f, "%u", k);
        for (int m = 0; m < 3; m++) {
            const struct bf__delta *v = bf__folder_delta(fo, c, metric[m]);
            if (isfinite(v->delta))
                *drawn = 1;
            fputc('\t', d.f);
            dnum(d.f, v->delta);
            fputc('\t', d.f);
            dnum(d.f, v->lo);
            fputc('\t', d.f);
            dnum(d.f, v->hi);
        }
        fputc('\t', d.f);
        bf__gp_name(d.f, fo->city[c].name);
        fputc('\n', d.f);
    }
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
    for (uint32_t i = 1; i < n; i++) /* insertion sort: stable, n is small */
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
            fputs("# Return cycle time, days: mean over replications and its 95% interval; "
                  "rows sorted by the before mean.\n# Source: summary.csv (metric "
                  "return_cycle_d: mean, ci95_low, ci95_high).\n# rank\tbefore_mean\t"
                  "before_low\tbefore_high\tafter_mean\tafter_low\tafter_high\tcity\n",
                  d.f);
            for (uint32_t k = 0; k < n; k++) {
                fprintf(d.f, "%u", k);
                for (int s = 0; s < 2; s++) {
                    const struct bf__sum *v = bf__folder_sum(fo, ord[k], s, BF_M_return_cycle_d);
                    fputc('\t', d.f);
                    dnum(d.f, v->mean);
                    fputc('\t', d.f);
                    dnum(d.f, v->lo);
                    fputc('\t', d.f);
                    dnum(d.f, v->hi);
                }
                fputc('\t', d.f);
                bf__gp_name(d.f, fo->city[ord[k]].name);
                fputc('\n', d.f);
            }
            rc = dat_close(&d, diag);
            *drawn = rc == 0;
        }
    }
    bf__free(ord);
    return rc;
}

static const int trs_metric[] = {BF_M_trs_doc_prep_h,   BF_M_trs_rework_h,
                                 BF_M_trs_screening_h,  BF_M_trs_inspection_wait_h,
                                 BF_M_trs_inspection_h, BF_M_trs_port_dwell_h};
#define N_TRS 6

static double trs_total(const struct bf__folder *fo, uint32_t c, int s)
{
    double t = 0;
    for (int m = 0; m < N_TRS; m++) {
        double v = bf__folder_sum(fo, c, s, trs_metric[m])->mean;
        t += isfinite(v) ? v : 0.0;
    }
    return t;
}

int bf__chart_trs(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    uint32_t *ord = bf__malloc(((size_t)fo->n_cities + 1) * sizeof *ord);
    if (ord == NULL)
        return BF_ENOMEM;
    for (uint32_t c = 0; c < fo->n_cities; c++)
        ord[c] = c;
    for (uint32_t i = 1; i < fo->n_cities; i++) /* longest before total first */
        for (uint32_t j = i; j > 0 && trs_total(fo, ord[j], 0) > trs_total(fo, ord[j - 1], 0);
             j--) {
            uint32_t tmp = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = tmp;
        }
    struct dat d;
    int rc = dat_open(&d, x, "trs.dat", diag);
    if (rc == 0) {
        fputs("# Export clearance time by TRS segment, mean hours per shipment, as the "
              "cumulative end of each segment\n# (a stacked bar: segment k spans column k-1 to "
              "column k). Source: summary.csv (metrics trs_*_h, mean).\n# rank\tbefore: "
              "doc_prep\trework\tscreening\tinspection_wait\tinspection\tport_dwell\tafter: "
              "doc_prep\trework\tscreening\tinspection_wait\tinspection\tport_dwell\tcity\n",
              d.f);
        for (uint32_t k = 0; k < fo->n_cities; k++) {
            fprintf(d.f, "%u", k);
            for (int s = 0; s < 2; s++) {
                double cum = 0;
                for (int m = 0; m < N_TRS; m++) {
                    double v = bf__folder_sum(fo, ord[k], s, trs_metric[m])->mean;
                    if (isfinite(v)) {
                        cum += v;
                        *drawn = 1;
                    }
                    fputc('\t', d.f);
                    dnum(d.f, cum);
                }
            }
            fputc('\t', d.f);
            bf__gp_name(d.f, fo->city[ord[k]].name);
            fputc('\n', d.f);
        }
        rc = dat_close(&d, diag);
    }
    bf__free(ord);
    return rc;
}

/* ---- timeline.dat: timeline.csv ---- */

#define MAX_SHIP 8

int bf__chart_timeline(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    struct bf__csv t;
    int col[6];
    static const char *const names[] = {"city", "policy", "shipment", "units", "milestone", "day"};
    int rc = bf__csv_open(fo->dir, "timeline.csv", names, 6, col, &t, diag);
    if (rc != 0)
        return rc;
    if (rc != 0) {
        bf__csv_fini(&t);
        return rc;
    }
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
          "timeline.csv (day = days since the horizon start).\n# Block 0 (bars): row\tfirst_day"
          "\tlast_day\tslot (0 before, 1 after)\tlabel\n",
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
            bf__gp_text(d.f, s ? fo->compared : fo->baseline);
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
    /* block 10: the day the compared policy takes effect in the city */
    int32_t eff, start;
    double eff_day = (double)NAN;
    if (bf_date_parse(fo->city[x->order[0]].effective_date, &eff, NULL) == 0 &&
        bf_date_parse(x->start_date, &start, NULL) == 0)
        eff_day = (double)(eff - start);
    fputs("\n\n# Block 10: effective_day (days since the horizon start; cities.csv)\n", d.f);
    dnum(d.f, eff_day);
    fputc('\n', d.f);
    *drawn = 1;
    return dat_close(&d, diag);
}

/* ---- tornado.dat: sweep.csv ---- */

#define MAX_VALUES 64 /* value indices per sweep kept (the scenario allows 16) */

struct sweep_acc {
    char name[128];
    int n_values;               /* 1 + highest value_index seen */
    char label[MAX_VALUES][72]; /* the value as written */
    double sum[MAX_VALUES];     /* sum over cities of the delta */
    int lo, hi;                 /* value indices of the lowest and highest value */
};

/* A label cut to at most n bytes at a UTF-8 boundary, with "..." when cut. */
static void clip(char *dst, size_t size, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (len <= n) {
        snprintf(dst, size, "%s", src);
        return;
    }
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
        n--;
    snprintf(dst, size, "%.*s...", (int)n, src);
}

/* lowest and highest value: by number when every value is one, else the
 * first and the last as written */
static void pick_ends(struct sweep_acc *a)
{
    int numeric = 1;
    double v[MAX_VALUES];
    for (int i = 0; i < a->n_values; i++) {
        char *end;
        v[i] = strtod(a->label[i], &end);
        if (a->label[i][0] == '\0' || *end != '\0' || !isfinite(v[i]))
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

int bf__chart_tornado(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag)
{
    const struct bf__folder *fo = x->f;
    *drawn = 0;
    char path[1200];
    int rc = bf__path(path, sizeof path, fo->dir, "sweep.csv", diag);
    if (rc != 0)
        return rc;
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* no sweeps in this run */
    struct bf__csv t;
    int col[6];
    static const char *const names[] = {"sweep", "value_index", "value", "city", "metric", "delta"};
    if ((rc = bf__csv_open(fo->dir, "sweep.csv", names, 6, col, &t, diag)) != 0)
        return rc;
    struct sweep_acc *acc = rc == 0 ? bf__calloc(BF_MAX_SWEEPS_PLOT, sizeof *acc) : NULL;
    if (rc == 0 && acc == NULL)
        rc = BF_ENOMEM;
    int na = 0;
    for (size_t r = 0; rc == 0 && r < t.n_rows; r++) {
        if (strcmp(bf__csv_get(&t, r, col[4]), "financing_cost_cny") != 0 ||
            bf__folder_city(fo, bf__csv_get(&t, r, col[3])) < 0)
            continue;
        const char *sw = bf__csv_get(&t, r, col[0]);
        double idx = bf__csv_num(&t, r, col[1]);
        if (!(idx >= 0 && idx < MAX_VALUES))
            continue;
        int i = 0;
        while (i < na && strcmp(acc[i].name, sw) != 0)
            i++;
        if (i == na) {
            if (na == BF_MAX_SWEEPS_PLOT)
                continue;
            snprintf(acc[na++].name, sizeof acc[0].name, "%s", sw);
        }
        struct sweep_acc *a = &acc[i];
        int k = (int)idx;
        if (k >= a->n_values)
            a->n_values = k + 1;
        snprintf(a->label[k], sizeof a->label[k], "%s", bf__csv_get(&t, r, col[2]));
        double v = bf__csv_num(&t, r, col[5]);
        a->sum[k] += isfinite(v) ? v : 0.0;
    }
    bf__csv_fini(&t);
    if (rc != 0 || na == 0) {
        bf__free(acc);
        return rc;
    }
    double base = 0;
    for (uint32_t c = 0; c < fo->n_cities; c++) {
        double v = bf__folder_delta(fo, c, BF_M_financing_cost_cny)->delta;
        base += isfinite(v) ? v : 0.0;
    }
    int ord[BF_MAX_SWEEPS_PLOT];
    for (int i = 0; i < na; i++) {
        pick_ends(&acc[i]);
        ord[i] = i;
    }
    /* widest swing first (insertion sort: stable) */
#define SWING(i) fabs(acc[i].sum[acc[i].hi] - acc[i].sum[acc[i].lo])
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
    fputs("# Financing cost, after - before, summed over all cities (CNY), at each sweep's "
          "lowest and highest value;\n# base = the scenario as written (delta.csv). Source: "
          "sweep.csv (metric financing_cost_cny, delta).\n# rank\tbase\tat_lowest\tat_highest"
          "\tsweep\tlowest_value\thighest_value\n",
          d.f);
    for (int k = 0; k < na; k++) {
        const struct sweep_acc *a = &acc[ord[k]];
        char lo[96], hi[96];
        clip(lo, sizeof lo, a->label[a->lo], 40);
        clip(hi, sizeof hi, a->label[a->hi], 40);
        fprintf(d.f, "%d\t", k);
        dnum(d.f, base);
        fputc('\t', d.f);
        dnum(d.f, a->sum[a->lo]);
        fputc('\t', d.f);
        dnum(d.f, a->sum[a->hi]);
        fputc('\t', d.f);
        bf__gp_name(d.f, a->name);
        fputc('\t', d.f);
        bf__gp_text(d.f, lo);
        fputc('\t', d.f);
        bf__gp_text(d.f, hi);
        fputc('\n', d.f);
    }
    bf__free(acc);
    *drawn = 1;
    return dat_close(&d, diag);
}

/* ---- the charts, in the order of the report ---- */

const struct bf__chart bf__charts[] = {
    {"cash_top", "Cumulative cash position in the cities that gain most",
     "Mean cumulative cash position over replications (line) and the band between the 5th and "
     "95th percentile of replications, per day, in CNY million; below zero the exporters need "
     "funding. The cities with the largest financing-cost saving. The dashed line marks the "
     "day the compared policy takes effect in the city. Source: daily_cash.csv (mean, p05, "
     "p95), cities.csv (effective_date), delta.csv (ranking).",
     NULL, NULL, NULL},
    {"delta", "Change per city: peak working capital, financing cost and NPV",
     "After minus before, per city, in CNY thousand, with the paired 95% confidence interval "
     "over replications. Cities are sorted by financing-cost saving, largest first. Source: "
     "delta.csv (delta, ci95_low, ci95_high) for wc_avg_cny, financing_cost_cny "
     "and npv_cny.",
     bf__chart_delta, NULL, NULL},
    {"rebate_cdf", "Days from departure to export VAT rebate",
     "Share of units whose rebate has been paid within the given number of days after "
     "departure (cumulative distribution), before and after. Each city's distribution is "
     "weighted equally (the average of the cities' curves). Source: distributions.csv "
     "(metric days_to_rebate, cdf).",
     bf__chart_rebate_cdf, NULL, NULL},
    {"return_cycle", "Return cycle time per city",
     "Mean days from a buyer's return until the goods are released back in China, per city, "
     "before and after, with 95% confidence intervals of the mean over replications. Source: "
     "summary.csv (metric return_cycle_d: mean, ci95_low, ci95_high).",
     bf__chart_return_cycle, NULL, NULL},
    {"trs", "Export clearance time by Time Release Study segment",
     "Mean hours per shipment in each segment of export clearance, in the manner of the WCO "
     "Time Release Study: document preparation, rework of rejected declarations, risk "
     "screening, wait for an inspection team, inspection, and port dwell from release to "
     "departure. Source: summary.csv (metrics trs_doc_prep_h, trs_rework_h, trs_screening_h, "
     "trs_inspection_wait_h, trs_inspection_h, trs_port_dwell_h: mean).",
     bf__chart_trs, NULL, NULL},
    {"timeline", "Timeline of sample overseas-warehouse shipments",
     "Milestones of four sample overseas-warehouse (9810) shipments of the city that gains "
     "most, under each policy (the same shipments: common random numbers), in days since the "
     "start of the horizon. Source: timeline.csv (shipment, milestone, day).",
     bf__chart_timeline, NULL, NULL},
    {"tornado", "Sensitivity of the financing-cost change to the swept parameters",
     "For each sweep, the change in financing cost (after minus before, summed over all "
     "cities, CNY thousand) at the sweep's lowest and highest value, against the scenario as "
     "written (vertical line). Longer bars: the result depends more on that parameter. "
     "Source: sweep.csv and delta.csv (metric financing_cost_cny, delta).",
     bf__chart_tornado, NULL, NULL},
    {"cash_all", "Cumulative cash position in every city",
     "Small multiples: mean cumulative cash position (line) and the 5th-95th percentile band "
     "of replications per city, CNY million, on one scale for all cities; in the order of "
     "cities.csv. Source: daily_cash.csv.",
     NULL, NULL, NULL},
};
const size_t bf__charts_n = sizeof bf__charts / sizeof bf__charts[0];
_Static_assert(sizeof bf__charts / sizeof bf__charts[0] <= BF__CHARTS_MAX,
               "raise BF__CHARTS_MAX (the driver's job table)");
