/*
 * report.c - report.html: one self-contained page for management.
 *
 * Everything is computed from the results folder (and, for the scenario's
 * own words, from the scenario): the headline sentences, the tables, the
 * charts (embedded as base64 PNG, so the page can be mailed on its own),
 * the assumptions and the run record. Every number carries its unit and
 * the file it comes from.
 *
 * All text that did not come from this file -- names, descriptions and
 * notes from the scenario, the run record -- goes through esc(), so it is
 * shown and never interpreted. The page also declares a Content Security
 * Policy that allows no script and no resource but its own data: URIs, so
 * a mistake in the escaping could still not run anything.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "borderflow/alloc.h"
#include "borderflow/calendar.h"
#include "borderflow/plot.h"
#include "borderflow/stats.h"

#include "charts.h"
#include "internal.h"

/* ---- text ---- */

/* HTML text and attribute values alike; control characters become U+FFFD
 * (a form feed or a stray escape has no business in a report). */
static void esc(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                fputs("&#xFFFD;", f);
            else
                fputc(*p, f);
        }
    }
}

/* v with `dec` decimals, thousands grouped with commas, a true minus sign;
 * "n/a" when there is no number. */
static const char *num(char *buf, size_t size, double v, int dec)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", dec, fabs(v));
    if (strtod(raw, NULL) == 0.0)
        v = 0.0; /* no "-0" */
    const char *dot = strchr(raw, '.');
    size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw);
    size_t k = 0;
    if (v < 0 && k + 3 < size) {
        memcpy(buf, "\xe2\x88\x92", 3); /* U+2212 */
        k = 3;
    }
    for (size_t i = 0; i < int_len && k + 2 < size; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = raw[i];
    }
    for (const char *q = dot; q && *q && k + 1 < size; q++)
        buf[k++] = *q;
    buf[k] = '\0';
    return buf;
}

/* Decimals that suit a metric's unit. */
static int decimals(int metric)
{
    const char *u = bf_metric_unit((enum bf_metric)metric);
    if (strcmp(u, "CNY") == 0 || strcmp(u, "shipments") == 0 || strcmp(u, "units") == 0)
        return 0;
    if (strcmp(u, "share") == 0)
        return 4;
    return 1;
}

static const char *unit_word(int metric)
{
    const char *u = bf_metric_unit((enum bf_metric)metric);
    if (strcmp(u, "d") == 0)
        return "days";
    if (strcmp(u, "h") == 0)
        return "h";
    return u;
}

/* "1,234 CNY" */
static void put_val(FILE *f, double v, int metric)
{
    char b[64];
    fprintf(f, "%s&nbsp;%s", num(b, sizeof b, v, decimals(metric)), unit_word(metric));
}

/* "95% CI 1,000 to 2,000 CNY" */
static void put_ci(FILE *f, double lo, double hi, int metric)
{
    char a[64], b[64];
    fprintf(f, "95%% CI %s to %s&nbsp;%s", num(a, sizeof a, lo, decimals(metric)),
            num(b, sizeof b, hi, decimals(metric)), unit_word(metric));
}

static void src(FILE *f, const char *what)
{
    fprintf(f, " <span class=\"src\">[%s]</span>", what);
}

/* ---- base64 (RFC 4648), for the embedded charts ---- */

static int put_base64_file(FILE *out, const char *path)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    unsigned char in[3 * 1024];
    size_t n;
    while ((n = fread(in, 1, sizeof in, f)) > 0) {
        /* only the last read of the file may stop short of a multiple of 3 */
        for (size_t i = 0; i < n; i += 3) {
            unsigned v = (unsigned)in[i] << 16;
            if (i + 1 < n)
                v |= (unsigned)in[i + 1] << 8;
            if (i + 2 < n)
                v |= in[i + 2];
            fputc(tab[(v >> 18) & 63], out);
            fputc(tab[(v >> 12) & 63], out);
            fputc(i + 1 < n ? tab[(v >> 6) & 63] : '=', out);
            fputc(i + 2 < n ? tab[v & 63] : '=', out);
        }
        if (n < sizeof in)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long)st.st_size : -1;
}

/* ---- what the report is built from ---- */

struct totals {
    int ok;                  /* every city has every replication */
    struct bf_paired paired; /* of the per-replication totals over cities */
};

struct report {
    FILE *f;
    const struct bf__folder *fo;
    const struct bf_scenario *sc; /* may be NULL */
    char sc_note[600];            /* why sc is NULL */
    uint32_t *order;              /* cities by financing-cost saving */
    struct totals fin, npv;
    int top_created_before_eff; /* the timeline's shipments predate the policy */
    int nomem;                  /* a section ran out of memory: no report */
};

/* Per-replication totals over cities of one metric, before and after, from
 * replications.csv; their paired interval is the interval of the total
 * change (the cities' own intervals cannot simply be added). */
static int load_totals(struct report *r, struct bf_diag *diag)
{
    const struct bf__folder *fo = r->fo;
    struct bf__csv t;
    int col[5];
    static const char *const names[] = {"city", "policy", "replication", "metric", "value"};
    int rc = bf__csv_open(fo->dir, "replications.csv", names, 5, col, &t, diag);
    if (rc != 0)
        return rc;
    size_t n = fo->replications;
    /* sum[metric 0 fin / 1 npv][slot][rep], count[...] of cities seen */
    double *sum = rc == 0 && n ? bf__calloc(4 * n, sizeof *sum) : NULL;
    uint32_t *cnt = rc == 0 && n ? bf__calloc(4 * n, sizeof *cnt) : NULL;
    if (rc == 0 && n && (sum == NULL || cnt == NULL))
        rc = BF_ENOMEM;
    for (size_t row = 0; rc == 0 && n && row < t.n_rows; row++) {
        const char *m = bf__csv_get(&t, row, col[3]);
        int k = strcmp(m, "financing_cost_cny") == 0 ? 0 : strcmp(m, "npv_cny") == 0 ? 1 : -1;
        if (k < 0)
            continue;
        int s = bf__folder_slot(fo, bf__csv_get(&t, row, col[1]));
        double rep = bf__csv_num(&t, row, col[2]);
        if (s < 0 || !(rep >= 0 && rep < (double)n) ||
            bf__folder_city(fo, bf__csv_get(&t, row, col[0])) < 0)
            continue;
        size_t at = ((size_t)k * 2 + (size_t)s) * n + (size_t)rep;
        sum[at] += bf__csv_num(&t, row, col[4]); /* NaN poisons the total: intended */
        cnt[at]++;
    }
    for (int k = 0; rc == 0 && n && k < 2; k++) {
        struct totals *to = k ? &r->npv : &r->fin;
        to->ok = 1;
        for (size_t i = 0; i < 2 * n; i++)
            if (cnt[(size_t)k * 2 * n + i] != fo->n_cities || !isfinite(sum[(size_t)k * 2 * n + i]))
                to->ok = 0;
        if (to->ok)
            rc = bf_stats_paired(&sum[(size_t)k * 2 * n], &sum[((size_t)k * 2 + 1) * n], n, 0.95,
                                 &to->paired);
    }
    bf__free(sum);
    bf__free(cnt);
    bf__csv_fini(&t);
    return rc;
}

/* Were the timeline's sample shipments of the top city all created before
 * the policy took effect there? (Then both runs may treat them alike, which
 * the caption should say.) ISO dates compare as strings. */
static void check_timeline(struct report *r)
{
    const struct bf__folder *fo = r->fo;
    char path[1200];
    struct bf__csv t;
    if (bf__path(path, sizeof path, fo->dir, "timeline.csv", NULL) != 0 ||
        bf__csv_read(path, &t, NULL) != 0)
        return;
    int c_city = bf__csv_col(&t, "city"), c_ms = bf__csv_col(&t, "milestone"),
        c_date = bf__csv_col(&t, "date");
    const struct bf__city *top = &fo->city[r->order[0]];
    int seen = 0, before = 1;
    for (size_t i = 0; c_city >= 0 && c_ms >= 0 && c_date >= 0 && i < t.n_rows; i++) {
        if (strcmp(bf__csv_get(&t, i, c_city), top->name) != 0 ||
            strcmp(bf__csv_get(&t, i, c_ms), "created") != 0)
            continue;
        seen = 1;
        if (strcmp(bf__csv_get(&t, i, c_date), top->effective_date) >= 0)
            before = 0;
    }
    r->top_created_before_eff = seen && before;
    bf__csv_fini(&t);
}

/* ---- sections ---- */

static const char css[] =
    "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;max-width:1200px;"
    "margin:2em auto;padding:0 1em;line-height:1.45}"
    "h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #0072B2;"
    "padding-bottom:.2em}h3{margin-top:1.5em}"
    ".lede{font-size:1.1em}.meta,.src,.note{color:#555;font-size:.9em}"
    ".before{color:#D55E00;font-weight:bold}.after{color:#0072B2;font-weight:bold}"
    "table{border-collapse:collapse;margin:1em 0;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}"
    "th{background:#f2f2f2;text-align:left}td.n{text-align:right;white-space:nowrap}"
    "figure{margin:2em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}"
    "figcaption{font-size:.9em;color:#333}"
    "details{margin:.4em 0}summary{cursor:pointer;font-weight:bold}"
    "pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:.85em}"
    "ul.findings li{margin:.5em 0}";

static void head(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "img-src data:; style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    esc(f, fo->scenario);
    fputs(" - borderflow report</title>\n<style>", f);
    fputs(css, f);
    fputs("</style>\n</head>\n<body>\n<header>\n<h1>", f);
    esc(f, fo->scenario);
    if (fo->has_compare) {
        fputs(": <span class=\"after\">", f);
        esc(f, fo->compared);
        fputs("</span> against <span class=\"before\">", f);
        esc(f, fo->baseline);
        fputs("</span>", f);
    }
    fputs("</h1>\n", f);
    if (r->sc != NULL && r->sc->description[0]) {
        fputs("<p class=\"lede\">", f);
        esc(f, r->sc->description);
        fputs("</p>\n", f);
    }
    const char *version = bf__json_str(fo->run, "borderflow_version");
    const char *finished = bf__json_str(fo->run, "finished");
    fprintf(f, "<p class=\"meta\">%u %s, %u replications per city and policy", fo->n_cities,
            fo->n_cities == 1 ? "city" : "cities", fo->replications);
    if (finished != NULL) {
        fputs("; run finished ", f);
        esc(f, finished);
    }
    if (version != NULL) {
        fputs(" by borderflow ", f);
        esc(f, version);
    }
    fputs(". Results folder: all numbers below come from its CSV files, named in brackets. "
          "<span class=\"before\">Before</span> (the baseline) is drawn in vermillion, "
          "<span class=\"after\">after</span> (the compared policy) in blue, on every chart."
          "</p>\n</header>\n",
          f);
    fputs("<nav><p><a href=\"#findings\">Findings</a> &middot; <a href=\"#cities\">Cities</a> "
          "&middot; <a href=\"#charts\">Charts</a> &middot; <a href=\"#details\">Every "
          "metric</a> &middot; <a href=\"#assumptions\">Assumptions and sources</a> &middot; "
          "<a href=\"#record\">Run record</a> &middot; <a href=\"#reading\">How to read</a>"
          "</p></nav>\n",
          f);
}

static void city_name(FILE *f, const struct bf__folder *fo, uint32_t c)
{
    fputs("<b>", f);
    esc(f, fo->city[c].name);
    fputs("</b>", f);
}

/* "City (10,742 CNY; 95% CI 9,858 to 11,627 CNY)", the change with its sign
 * turned when `flip` (a saving is a negative change). */
static void city_change(FILE *f, const struct bf__folder *fo, uint32_t c, int metric, int flip)
{
    const struct bf__delta *d = bf__folder_delta(fo, c, metric);
    double s = flip ? -1.0 : 1.0;
    city_name(f, fo, c);
    fputs(" (", f);
    put_val(f, s * d->delta, metric);
    fputs("; ", f);
    put_ci(f, flip ? -d->hi : d->lo, flip ? -d->lo : d->hi, metric);
    fputs(")", f);
}

/* Cities sorted by a metric's change, most favourable first. */
static void sort_by(const struct bf__folder *fo, int metric, int lower_is_better, uint32_t *ord,
                    uint32_t *n_out)
{
    uint32_t n = 0;
    for (uint32_t c = 0; c < fo->n_cities; c++)
        if (isfinite(bf__folder_delta(fo, c, metric)->delta))
            ord[n++] = c;
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0; j--) {
            double a = bf__folder_delta(fo, ord[j - 1], metric)->delta;
            double b = bf__folder_delta(fo, ord[j], metric)->delta;
            if (!(lower_is_better ? b < a : b > a))
                break;
            uint32_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    *n_out = n;
}

/* How many cities' changes are below / above zero, and how many
 * intervals exclude zero. */
static void count_signs(const struct bf__folder *fo, int metric, uint32_t *neg, uint32_t *pos,
                        uint32_t *sig)
{
    *neg = *pos = *sig = 0;
    for (uint32_t c = 0; c < fo->n_cities; c++) {
        const struct bf__delta *d = bf__folder_delta(fo, c, metric);
        if (!isfinite(d->delta))
            continue;
        *neg += d->delta < 0;
        *pos += d->delta > 0;
        *sig += d->lo > 0 || d->hi < 0;
    }
}

static void list_top(FILE *f, const struct bf__folder *fo, const uint32_t *ord, uint32_t n,
                     int metric, int flip, uint32_t k)
{
    for (uint32_t i = 0; i < n && i < k; i++) {
        if (i > 0)
            fputs(i + 1 == (n < k ? n : k) ? " and " : ", ", f);
        city_change(f, fo, ord[i], metric, flip);
    }
}

/* Mean over cities of a metric's before and after means. */
static void city_mean(const struct bf__folder *fo, int metric, double *b, double *a, uint32_t *n)
{
    double sb = 0, sa = 0;
    *n = 0;
    for (uint32_t c = 0; c < fo->n_cities; c++) {
        const struct bf__delta *d = bf__folder_delta(fo, c, metric);
        if (!isfinite(d->before) || !isfinite(d->after))
            continue;
        sb += d->before;
        sa += d->after;
        (*n)++;
    }
    *b = *n ? sb / *n : (double)NAN;
    *a = *n ? sa / *n : (double)NAN;
}

static void total_sentence(FILE *f, const struct bf__folder *fo, const struct totals *t, int metric,
                           const char *what)
{
    double sum = 0;
    for (uint32_t c = 0; c < fo->n_cities; c++) {
        double d = bf__folder_delta(fo, c, metric)->delta;
        sum += isfinite(d) ? d : 0.0;
    }
    if (fo->n_cities == 1)
        fprintf(f, "<li>In the one city, %s %s by ", what,
                sum < 0   ? "falls"
                : sum > 0 ? "rises"
                          : "changes");
    else
        fprintf(f, "<li>Across all %u cities, %s %s by ", fo->n_cities, what,
                sum < 0   ? "falls"
                : sum > 0 ? "rises"
                          : "changes");
    put_val(f, fabs(sum), metric);
    fputs(" in total", f);
    if (t->ok && t->paired.n >= 2) {
        /* the interval in the words of the sentence: of the fall, or of the rise */
        double lo = sum < 0 ? -t->paired.ci_high : t->paired.ci_low;
        double hi = sum < 0 ? -t->paired.ci_low : t->paired.ci_high;
        fputs(" (", f);
        put_ci(f, lo, hi, metric);
        if (lo <= 0)
            fputs(": not distinguishable from no change", f);
        fputs(")", f);
    }
    fputs(".", f);
    src(f, t->ok ? "delta.csv, summed over cities; interval from the per-replication totals "
                   "in replications.csv"
                 : "delta.csv, summed over cities");
    fputs("</li>\n", f);
}

static void findings(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    fputs("<section id=\"findings\">\n<h2>Headline findings</h2>\n", f);
    if (!fo->has_compare) {
        fputs("<p>This scenario runs one policy, <b>", f);
        esc(f, fo->baseline);
        fputs("</b>: there is nothing to compare. The tables show its results.</p>\n"
              "</section>\n",
              f);
        return;
    }
    uint32_t *ord = bf__malloc(((size_t)fo->n_cities + 1) * sizeof *ord), n;
    if (ord == NULL) {
        r->nomem = 1;
        return;
    }
    fputs("<p>The compared policy <span class=\"after\">", f);
    esc(f, fo->compared);
    fputs("</span> against the baseline <span class=\"before\">", f);
    esc(f, fo->baseline);
    fprintf(f,
            "</span>, in %u %s with %u replications each. A change is <i>after &minus; "
            "before</i>; each interval is a 95%% confidence interval from the paired "
            "replications (both policies see the same random shipments, so the difference "
            "measures the policy, not chance).</p>\n<ul class=\"findings\">\n",
            fo->n_cities, fo->n_cities == 1 ? "city" : "cities", fo->replications);

    total_sentence(f, fo, &r->fin, BF_M_financing_cost_cny,
                   "the financing cost of the exporters' working capital");

    sort_by(fo, BF_M_financing_cost_cny, 1, ord, &n);
    uint32_t neg, pos, sig;
    count_signs(fo, BF_M_financing_cost_cny, &neg, &pos, &sig);
    if (n > 0) {
        const struct bf__delta *best = bf__folder_delta(fo, ord[0], BF_M_financing_cost_cny);
        fputs(best->delta < 0 ? "<li>The largest financing-cost savings: "
                              : "<li>No city saves financing cost; the smallest increases: ",
              f);
        list_top(f, fo, ord, n, BF_M_financing_cost_cny, best->delta < 0, 3);
        fprintf(f,
                ". Financing cost falls in %u of %u cities and rises in %u; in %u the "
                "interval excludes zero.",
                neg, n, pos, sig);
        src(f, "delta.csv, financing_cost_cny");
        fputs("</li>\n", f);
    }

    total_sentence(f, fo, &r->npv, BF_M_npv_cny, "the net present value of all cash flows");
    sort_by(fo, BF_M_npv_cny, 0, ord, &n);
    count_signs(fo, BF_M_npv_cny, &neg, &pos, &sig);
    if (n > 0) {
        fputs("<li>The largest NPV gains: ", f);
        list_top(f, fo, ord, n, BF_M_npv_cny, 0, 3);
        fprintf(f,
                ". NPV rises in %u of %u cities. In %u cities its interval includes zero: "
                "with %u replications the change there cannot be told apart from simulation "
                "noise (more replications narrow the intervals).",
                pos, n, n - sig, fo->replications);
        src(f, "delta.csv, npv_cny");
        fputs("</li>\n", f);
    }

    sort_by(fo, BF_M_wc_avg_cny, 1, ord, &n);
    count_signs(fo, BF_M_wc_avg_cny, &neg, &pos, &sig);
    if (n > 0 && bf__folder_delta(fo, ord[0], BF_M_wc_avg_cny)->delta < 0) {
        fputs("<li>Peak working capital (the largest funding need) falls most in ", f);
        list_top(f, fo, ord, n, BF_M_wc_avg_cny, 1, 3);
        fprintf(f, "; it falls in %u of %u cities, with an interval excluding zero in %u.", neg, n,
                sig);
        src(f, "delta.csv, wc_avg_cny");
        fputs("</li>\n", f);
    }

    double b, a;
    uint32_t nc;
    city_mean(fo, BF_M_days_to_rebate, &b, &a, &nc);
    if (nc > 0) {
        char x[64], y[64];
        fprintf(f,
                "<li>Export VAT rebates arrive %s days after departure on average over the "
                "cities, against %s days before",
                num(x, sizeof x, a, 1), num(y, sizeof y, b, 1));
        sort_by(fo, BF_M_days_to_rebate, 1, ord, &n);
        if (n > 0 && bf__folder_delta(fo, ord[0], BF_M_days_to_rebate)->delta < 0) {
            fputs("; the largest reduction is in ", f);
            city_change(f, fo, ord[0], BF_M_days_to_rebate, 1);
        }
        fputs(".", f);
        src(f, "delta.csv, days_to_rebate: unweighted mean of the cities");
        fputs("</li>\n", f);
    }
    city_mean(fo, BF_M_return_cycle_d, &b, &a, &nc);
    if (nc > 0) {
        char x[64], y[64];
        fprintf(f,
                "<li>A buyer's return is back and released in China after %s days on average "
                "over the cities, against %s days before.",
                num(x, sizeof x, a, 1), num(y, sizeof y, b, 1));
        src(f, "delta.csv, return_cycle_d: unweighted mean of the cities");
        fputs("</li>\n", f);
    }
    static const int trs[] = {BF_M_trs_doc_prep_h,   BF_M_trs_rework_h,
                              BF_M_trs_screening_h,  BF_M_trs_inspection_wait_h,
                              BF_M_trs_inspection_h, BF_M_trs_port_dwell_h};
    double tb = 0, ta = 0, port_b = 0;
    uint32_t ntrs = 0;
    for (size_t k = 0; k < 6; k++) {
        city_mean(fo, trs[k], &b, &a, &nc);
        if (nc == 0)
            continue;
        ntrs++;
        tb += b;
        ta += a;
        if (trs[k] == BF_M_trs_port_dwell_h)
            port_b = b;
    }
    if (ntrs == 6 && tb > 0) {
        char x[64], y[64], z[64];
        fprintf(f,
                "<li>From order ready to departure, a shipment spends %s h in export "
                "clearance and at the port on average over the cities, against %s h before; "
                "the port dwell from release to departure is %s%% of it.",
                num(x, sizeof x, ta, 1), num(y, sizeof y, tb, 1),
                num(z, sizeof z, 100.0 * port_b / tb, 0));
        src(f, "delta.csv, trs_*_h: unweighted mean of the cities");
        fputs("</li>\n", f);
    }
    fputs("</ul>\n</section>\n", f);
    bf__free(ord);
}

/* ---- the table of cities ---- */

static void td_val(FILE *f, double v, int metric)
{
    char b[64];
    fprintf(f, "<td class=\"n\">%s</td>", num(b, sizeof b, v, decimals(metric)));
}

static void td_change(FILE *f, const struct bf__delta *d, int metric)
{
    char a[64], b[64], c[64];
    fprintf(f, "<td class=\"n\">%s<br><span class=\"note\">%s to %s</span></td>",
            num(a, sizeof a, d->delta, decimals(metric)), num(b, sizeof b, d->lo, decimals(metric)),
            num(c, sizeof c, d->hi, decimals(metric)));
}

static void city_table(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    fputs("<section id=\"cities\">\n<h2>Results per city</h2>\n", f);
    if (!fo->has_compare) {
        fputs("<table>\n<tr><th>city</th><th>financing cost, CNY</th><th>peak working capital, "
              "CNY</th><th>NPV, CNY</th><th>days to rebate, d</th></tr>\n",
              f);
        for (uint32_t k = 0; k < fo->n_cities; k++) {
            uint32_t c = r->order[k];
            fputs("<tr><td>", f);
            esc(f, fo->city[c].name);
            fputs("</td>", f);
            static const int m[] = {BF_M_financing_cost_cny, BF_M_wc_avg_cny, BF_M_npv_cny,
                                    BF_M_days_to_rebate};
            for (size_t i = 0; i < 4; i++)
                td_val(f, bf__folder_sum(fo, c, 0, m[i])->mean, m[i]);
            fputs("</tr>\n", f);
        }
        fputs("</table>\n<p class=\"src\">[summary.csv, mean over replications]</p>\n</section>\n",
              f);
        return;
    }
    fputs("<p>Sorted by financing-cost saving, largest first. A change is after &minus; "
          "before, with its 95% confidence interval below it; before and after are means over "
          "the replications.</p>\n<table>\n<tr><th rowspan=\"2\">city</th>"
          "<th colspan=\"3\">financing cost, CNY</th><th>peak working capital, CNY</th>"
          "<th>NPV, CNY</th><th colspan=\"3\">days from departure to rebate, d</th>"
          "<th colspan=\"3\">return cycle, d</th></tr>\n<tr><th>before</th><th>after</th>"
          "<th>change</th><th>change</th><th>change</th><th>before</th><th>after</th>"
          "<th>change</th><th>before</th><th>after</th><th>change</th></tr>\n",
          f);
    for (uint32_t k = 0; k < fo->n_cities; k++) {
        uint32_t c = r->order[k];
        fputs("<tr><td>", f);
        esc(f, fo->city[c].name);
        fputs("</td>", f);
        const struct bf__delta *d = bf__folder_delta(fo, c, BF_M_financing_cost_cny);
        td_val(f, d->before, BF_M_financing_cost_cny);
        td_val(f, d->after, BF_M_financing_cost_cny);
        td_change(f, d, BF_M_financing_cost_cny);
        td_change(f, bf__folder_delta(fo, c, BF_M_wc_avg_cny), BF_M_wc_avg_cny);
        td_change(f, bf__folder_delta(fo, c, BF_M_npv_cny), BF_M_npv_cny);
        static const int m2[] = {BF_M_days_to_rebate, BF_M_return_cycle_d};
        for (size_t i = 0; i < 2; i++) {
            d = bf__folder_delta(fo, c, m2[i]);
            td_val(f, d->before, m2[i]);
            td_val(f, d->after, m2[i]);
            td_change(f, d, m2[i]);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p class=\"src\">[delta.csv: columns before, after, delta, ci95_low, "
          "ci95_high]</p>\n</section>\n",
          f);
}

/* ---- the charts ---- */

static void charts(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    fputs("<section id=\"charts\">\n<h2>Charts</h2>\n", f);
    char dir[1200];
    if (bf__path(dir, sizeof dir, fo->dir, "charts", NULL) != 0)
        dir[0] = '\0';
    int missing = 0, shown = 0;
    for (size_t i = 0; i < bf__charts_n; i++) {
        const struct bf__chart *ch = &bf__charts[i];
        char png[1400], gp[1400], file[128];
        snprintf(file, sizeof file, "%s.png", ch->name);
        if (bf__path(png, sizeof png, dir, file, NULL) != 0)
            continue;
        snprintf(file, sizeof file, "%s.gp", ch->name);
        if (bf__path(gp, sizeof gp, dir, file, NULL) != 0)
            continue;
        if (file_size(png) <= 0) {
            /* a script without its image: the chart was due but not drawn */
            missing += file_size(gp) > 0;
            continue;
        }
        fprintf(f, "<figure id=\"chart-%s\">\n<h3>", ch->name);
        esc(f, ch->title);
        fputs("</h3>\n<img alt=\"", f);
        esc(f, ch->title);
        fputs("\" src=\"data:image/png;base64,", f);
        if (put_base64_file(f, png) != 0)
            missing++;
        fputs("\">\n<figcaption>", f);
        esc(f, ch->caption);
        if (strcmp(ch->name, "timeline") == 0 && r->top_created_before_eff) {
            fputs(" These shipments were created before the policy took effect in ", f);
            esc(f, fo->city[r->order[0]].name);
            fputs(" (", f);
            esc(f, fo->city[r->order[0]].effective_date);
            fputs("), so they may follow the old rules under both policies.", f);
        }
        fprintf(f,
                " Drawn by charts/%s.gp from charts/data/; SVG: charts/%s.svg."
                "</figcaption>\n</figure>\n",
                ch->name, ch->name);
        shown++;
    }
    if (missing > 0 || (shown == 0 && fo->has_compare)) {
        fputs("<p class=\"note\">", f);
        fprintf(f,
                "%s were not drawn (gnuplot was not found, or failed: see the .log files in "
                "charts/). Their scripts and data are in charts/; with gnuplot installed, "
                "<code>borderflow plot ",
                shown ? "Some charts" : "The charts");
        esc(f, fo->dir);
        fputs("</code> draws them and rewrites this report.</p>\n", f);
    } else if (shown == 0) {
        fputs("<p class=\"note\">No charts: the scenario runs a single policy.</p>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- every metric of every city ---- */

static void details(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    fputs("<section id=\"details\">\n<h2>Every metric, per city</h2>\n<p>Means over the "
          "replications with their 95% confidence intervals; the change is after &minus; before "
          "with the paired interval; variance reduction: how many times fewer replications "
          "the pairing needed than independent runs would.</p>\n",
          f);
    for (uint32_t k = 0; k < fo->n_cities; k++) {
        uint32_t c = r->order[k];
        const struct bf__city *ci = &fo->city[c];
        fputs("<details>\n<summary>", f);
        esc(f, ci->name);
        fputs(" <span class=\"note\">(", f);
        esc(f, ci->province);
        fputs(")</span></summary>\n<table>\n<tr><th>metric</th><th>unit</th><th>", f);
        esc(f, fo->baseline);
        fputs(" (95% CI)</th>", f);
        if (fo->has_compare) {
            fputs("<th>", f);
            esc(f, fo->compared);
            fputs(" (95% CI)</th><th>change (95% CI)</th><th>variance reduction</th>", f);
        }
        fputs("</tr>\n", f);
        for (int m = 0; m < BF_METRIC_COUNT; m++) {
            char a[64], b[64], cc[64];
            int dec = decimals(m);
            fputs("<tr><td>", f);
            esc(f, bf_metric_name((enum bf_metric)m));
            fputs("<br><span class=\"note\">", f);
            esc(f, bf_metric_desc((enum bf_metric)m));
            fprintf(f, "</span></td><td>%s</td>", bf_metric_unit((enum bf_metric)m));
            for (int s = 0; s < (fo->has_compare ? 2 : 1); s++) {
                const struct bf__sum *v = bf__folder_sum(fo, c, s, m);
                fprintf(f, "<td class=\"n\">%s<br><span class=\"note\">%s to %s</span></td>",
                        num(a, sizeof a, v->mean, dec), num(b, sizeof b, v->lo, dec),
                        num(cc, sizeof cc, v->hi, dec));
            }
            if (fo->has_compare) {
                const struct bf__delta *d = bf__folder_delta(fo, c, m);
                td_change(f, d, m);
                fprintf(f, "<td class=\"n\">%s</td>",
                        isinf(d->vr) ? "unbounded" : num(a, sizeof a, d->vr, 1));
            }
            fputs("</tr>\n", f);
        }
        fputs("</table>\n<p class=\"src\">[summary.csv, delta.csv]</p>\n</details>\n", f);
    }
    fputs("</section>\n", f);
}

/* ---- assumptions and sources ---- */

static void pct(FILE *f, double v)
{
    char b[64];
    fprintf(f, "%s%%", num(b, sizeof b, 100.0 * v, 2));
}

static void assumptions(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    const struct bf_scenario *sc = r->sc;
    fputs("<section id=\"assumptions\">\n<h2>Assumptions and sources</h2>\n", f);
    if (sc == NULL) {
        fputs("<p class=\"note\">", f);
        esc(f, r->sc_note);
        fputs("</p>\n", f);
    } else {
        fputs("<p>From the scenario file <code>", f);
        esc(f, sc->file);
        fputs("</code> (SHA-256 <code>", f);
        esc(f, sc->sha256);
        fputs("</code>).</p>\n", f);
        if (sc->description[0]) {
            fputs("<p>", f);
            esc(f, sc->description);
            fputs("</p>\n", f);
        }
        if (sc->n_notes > 0) {
            fputs("<h3>The scenario's notes: assumptions and sources</h3>\n<ul>\n", f);
            for (uint32_t i = 0; i < sc->n_notes; i++) {
                fputs("<li>", f);
                esc(f, sc->notes[i]);
                fputs("</li>\n", f);
            }
            fputs("</ul>\n", f);
        }
        fputs("<h3>Policies</h3>\n<table>\n<tr><th>policy</th><th>role</th><th>description"
              "</th></tr>\n",
              f);
        for (uint32_t p = 0; p < sc->n_policies; p++) {
            fputs("<tr><td>", f);
            esc(f, sc->policy[p].name);
            fprintf(f, "</td><td>%s</td><td>",
                    p == sc->baseline   ? "baseline (before)"
                    : p == sc->compared ? "compared (after)"
                                        : "also run");
            esc(f, sc->policy[p].description);
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n<h3>Horizon and finance</h3>\n<table>\n", f);
        char d0[16], d1[16], b[64];
        bf_date_format(sc->window_day, d0);
        bf_date_format(sc->window_day + (int32_t)sc->window_days - 1, d1);
        fprintf(f,
                "<tr><th>measurement window</th><td>%s to %s (%u days); the run starts %u days "
                "earlier with an empty pipeline (warm-up) and continues %u days after the "
                "window so that its shipments complete</td></tr>\n",
                d0, d1, sc->window_days, sc->warmup_days, sc->tail_days);
        fputs("<tr><th>financing rate</th><td>", f);
        pct(f, sc->financing_rate);
        fputs(" a year, on the working capital the pipeline ties up</td></tr>\n<tr><th>discount "
              "rate</th><td>",
              f);
        pct(f, sc->discount_rate);
        fputs(" a year, for the NPV</td></tr>\n<tr><th>currency</th><td>", f);
        esc(f, sc->currency);
        fprintf(f,
                "</td></tr>\n<tr><th>which rules a shipment follows</th><td>%s (the rules in "
                "force on %s)</td></tr>\n",
                bf_rule_name(sc->rule),
                sc->rule == BF_RULE_CREATION ? "the day it was created" : "the day of each event");
        fputs("<tr><th>public holidays</th><td>", f);
        esc(f, sc->calendar_years);
        fprintf(f, "%s</td></tr>\n",
                sc->calendar_builtin ? " (built-in State Council notices)" : "");
        fprintf(f,
                "<tr><th>replications, seed</th><td>%s per city and policy (this run: %u); "
                "seed ",
                num(b, sizeof b, (double)sc->replications, 0), fo->replications);
        fprintf(f, "%llu</td></tr>\n</table>\n", (unsigned long long)sc->seed);
        if (sc->n_sweeps > 0) {
            fputs("<h3>Sweeps (sensitivity)</h3>\n<table>\n<tr><th>sweep</th><th>parameter</th>"
                  "<th>policy</th><th>values</th></tr>\n",
                  f);
            for (uint32_t s = 0; s < sc->n_sweeps; s++) {
                const struct bf_sweep *sw = &sc->sweep[s];
                fputs("<tr><td>", f);
                esc(f, sw->name);
                fputs("</td><td><code>", f);
                esc(f, sw->path);
                fputs("</code></td><td>", f);
                esc(f, sw->policy < 0 ? "all" : sc->policy[sw->policy].name);
                fputs("</td><td>", f);
                for (uint32_t v = 0; v < sw->n_values; v++) {
                    fputs(v ? ", " : "", f);
                    esc(f, sw->value[v].label);
                }
                fputs("</td></tr>\n", f);
            }
            fputs("</table>\n", f);
        }
    }
    fputs("<h3>Cities</h3>\n<p>A <i>candidate</i> city is a plausible one that the sources do "
          "not name; its results rest on that assumption.</p>\n<table>\n<tr><th>city</th>"
          "<th>province</th><th>class</th><th>candidate</th><th>policy in force from</th>"
          "<th>shipments a day</th><th>note (source)</th></tr>\n",
          f);
    for (uint32_t c = 0; c < fo->n_cities; c++) {
        const struct bf__city *ci = &fo->city[c];
        char b[64];
        const char *cells[] = {ci->name, ci->province, ci->cls, ci->candidate, ci->effective_date};
        fputs("<tr>", f);
        for (size_t i = 0; i < 5; i++) {
            fputs("<td>", f);
            esc(f, cells[i]);
            fputs("</td>", f);
        }
        fprintf(f, "<td class=\"n\">%s</td><td>", num(b, sizeof b, ci->shipments_per_day, 1));
        esc(f, ci->note);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n<p class=\"src\">[cities.csv]</p>\n"
          "<p>The model's parameters, their defaults and the source of each (the domain fact "
          "sheet, or <i>assumption</i>) are listed by <code>borderflow params</code> "
          "(docs/parameters.md); docs/model.md describes the model and docs/report.md this "
          "report.</p>\n</section>\n",
          f);
}

/* ---- the run record ---- */

static void record(struct report *r)
{
    FILE *f = r->f;
    const struct bf__folder *fo = r->fo;
    fputs("<section id=\"record\">\n<h2>Run record</h2>\n", f);
    if (fo->run == NULL || fo->run_text == NULL) {
        fputs("<p class=\"note\">run.json was not written yet when this report was made.</p>\n"
              "</section>\n",
              f);
        return;
    }
    fputs("<table>\n", f);
    static const char *const keys[][2] = {
        {"borderflow_version", "borderflow version"},
        {"scenario_file", "scenario file"},
        {"scenario_sha256", "scenario SHA-256"},
        {"started", "started (UTC)"},
        {"finished", "finished (UTC)"},
        {"plots", "charts when the run ended"},
        {"calendar_years", "holiday data for"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = bf__json_str(fo->run, keys[i][0]);
        if (v == NULL)
            continue;
        fprintf(f, "<tr><th>%s</th><td>", keys[i][1]);
        esc(f, v);
        fputs("</td></tr>\n", f);
    }
    static const char *const nums[][2] = {
        {"seed", "seed"},    {"replications", "replications"}, {"cities", "cities"},
        {"jobs", "threads"}, {"work_items", "work items"},     {"events", "events simulated"},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        const struct bf__json *v = bf__json_get(fo->run, nums[i][0]);
        if (v == NULL || v->type != BF__JNUM)
            continue;
        char b[64];
        if (i == 0) /* an identifier, not a quantity: no grouping */
            snprintf(b, sizeof b, "%.0f", v->num);
        else
            num(b, sizeof b, v->num, 0);
        fprintf(f, "<tr><th>%s</th><td>%s</td></tr>\n", nums[i][1], b);
    }
    const struct bf__json *secs = bf__json_get(fo->run, "seconds");
    if (secs != NULL && secs->type == BF__JOBJ) {
        fputs("<tr><th>time, seconds</th><td>", f);
        for (const struct bf__json *s = secs->child; s != NULL; s = s->next) {
            if (s->type != BF__JNUM)
                continue;
            char b[64];
            esc(f, s->key);
            fprintf(f, " %s%s", num(b, sizeof b, s->num, 1), s->next ? "; " : "");
        }
        fputs("</td></tr>\n", f);
    }
    const struct bf__json *w = bf__json_get(fo->run, "warnings");
    if (w != NULL && w->type == BF__JARR && w->child != NULL) {
        fputs("<tr><th>warnings</th><td><ul>", f);
        for (const struct bf__json *x = w->child; x != NULL; x = x->next)
            if (x->type == BF__JSTR) {
                fputs("<li>", f);
                esc(f, x->str);
                fputs("</li>", f);
            }
        fputs("</ul></td></tr>\n", f);
    }
    fputs("</table>\n<details>\n<summary>run.json as written</summary>\n<pre>", f);
    esc(f, fo->run_text);
    fputs("</pre>\n</details>\n</section>\n", f);
}

static void reading(FILE *f)
{
    fputs("<section id=\"reading\">\n<h2>How to read this report</h2>\n<ul>\n"
          "<li><b>Replications.</b> Each city is simulated many times (replications) under "
          "each policy; a result is the mean over replications. The 95% confidence interval "
          "says how precisely the replications pin that mean down; it narrows with more "
          "replications.</li>\n"
          "<li><b>Changes</b> are after &minus; before. Both runs of a replication see the same "
          "random shipments (common random numbers), so their difference measures the policy. "
          "When a change's interval excludes zero, the policy's effect is distinguishable from "
          "simulation noise.</li>\n"
          "<li><b>Cash position</b> is the cumulative sum of every cash flow of the city's "
          "exporters (goods, freight, fees, sales, refunds, taxes, rebates) from the start of "
          "the horizon; below zero they need funding. <b>Peak working capital</b> is the "
          "largest such need, <b>financing cost</b> the interest on it at the scenario's "
          "financing rate, <b>NPV</b> the present value of all flows at the discount rate.</li>\n"
          "<li><b>Totals over cities</b> add the cities' mean changes; their interval comes "
          "from the per-replication totals.</li>\n"
          "<li>Headline sentences and tables are computed from the CSV files of the results "
          "folder (named in brackets); docs/statistics.md defines every statistic and "
          "docs/report.md every chart and sentence.</li>\n"
          "</ul>\n</section>\n",
          f);
}

/* ---- the scenario for the assumptions ---- */

/* Loads the scenario named in run.json when it is still the same file. */
static int load_scenario(struct report *r, struct bf_scenario *sc)
{
    const char *file = bf__json_str(r->fo->run, "scenario_file");
    const char *sha = bf__json_str(r->fo->run, "scenario_sha256");
    if (file == NULL || sha == NULL) {
        snprintf(r->sc_note, sizeof r->sc_note,
                 "The scenario's description, notes and rates are not in the results folder "
                 "and run.json names no scenario file: see the scenario file of this run.");
        return -1;
    }
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load(file, sc, &pb);
    bf_problems_fini(&pb);
    if (rc != 0) {
        snprintf(r->sc_note, sizeof r->sc_note,
                 "The scenario's description, notes and rates are not in the results folder, "
                 "and the scenario file of the run, %s (SHA-256 %s), could not be read from "
                 "here: see that file.",
                 file, sha);
        return -1;
    }
    if (strcmp(sc->sha256, sha) != 0) {
        snprintf(r->sc_note, sizeof r->sc_note,
                 "The scenario's description, notes and rates are not in the results folder, "
                 "and the scenario file of the run, %s, has changed since (SHA-256 %s, now "
                 "%s): see the version of that file the run used.",
                 file, sha, sc->sha256);
        bf_scenario_fini(sc);
        return -1;
    }
    return 0;
}

int bf_report_write(const char *dir, const struct bf_scenario *sc, struct bf_diag *diag)
{
    bf_diag_clear(diag);
    char path[1200], tmp[1300];
    int rc = bf__path(path, sizeof path, dir, "report.html", diag);
    if (rc != 0)
        return rc;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    /* a report of an earlier run must not outlive a failure to write this one */
    if (remove(path) != 0 && errno != ENOENT) {
        bf_diag_set(diag, "cannot remove the old '%s': %s", path, strerror(errno));
        return BF_EIO;
    }
    struct bf__folder fo;
    if ((rc = bf__folder_load(dir, &fo, diag)) != 0)
        return rc;
    struct report r = {.fo = &fo, .sc = sc};
    struct bf_scenario own;
    int own_loaded = 0;
    if (sc == NULL && load_scenario(&r, &own) == 0) {
        r.sc = &own;
        own_loaded = 1;
    }
    r.order = bf__malloc(((size_t)fo.n_cities + 1) * sizeof *r.order);
    if (r.order == NULL) {
        rc = BF_ENOMEM;
        goto out;
    }
    if ((rc = bf__folder_rank(&fo, r.order)) != 0 ||
        (fo.has_compare && (rc = load_totals(&r, diag)) != 0))
        goto out;
    check_timeline(&r);
    r.f = fopen(tmp, "w");
    if (r.f == NULL) {
        bf_diag_set(diag, "cannot write '%s': %s", tmp, strerror(errno));
        rc = BF_EIO;
        goto out;
    }
    head(&r);
    findings(&r);
    city_table(&r);
    charts(&r);
    details(&r);
    assumptions(&r);
    record(&r);
    reading(r.f);
    fputs("<footer><p class=\"meta\">Written by borderflow from the results folder <code>", r.f);
    esc(r.f, dir);
    fputs("</code>; <code>borderflow plot</code> rewrites it.</p></footer>\n</body>\n</html>\n",
          r.f);
    int bad = ferror(r.f);
    if (r.nomem) {
        fclose(r.f);
        remove(tmp);
        rc = BF_ENOMEM;
        goto out;
    }
    if (fclose(r.f) != 0 || bad) {
        bf_diag_set(diag, "could not write '%s' (disk full?)", tmp);
        remove(tmp);
        rc = BF_EIO;
        goto out;
    }
    if (rename(tmp, path) != 0) {
        bf_diag_set(diag, "cannot rename '%s': %s", tmp, strerror(errno));
        remove(tmp);
        rc = BF_EIO;
    }
out:
    if (rc == BF_ENOMEM && diag != NULL && diag->msg[0] == '\0')
        bf_diag_set(diag, "out of memory while writing the report");
    if (own_loaded)
        bf_scenario_fini(&own);
    bf__free(r.order);
    bf__folder_fini(&fo);
    return rc;
}
