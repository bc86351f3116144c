/*
 * compare.c - runs side by side: `borderflow compare DIR... -o OUT`.
 *
 * Reads complete results folders only (run.json, summary.json, delta.csv,
 * totals.csv, replications.csv: the folder is the interface), and writes
 * OUT/compare.csv (each run's capital released, financing saving and days
 * to rebate, per city and for the study, with their intervals, as the
 * runs' own files give them), OUT/compare_diff.csv (each run against the
 * first: the difference and its 95% interval, from the replications) and
 * OUT/compare.html.
 *
 * The difference of two runs is paired over replications when they share
 * seed, replications and cities: the same seed gives each city the same
 * random numbers in both (common random numbers), so replication r of one
 * run is the twin of replication r of the other and the interval of the
 * mean difference is the paired Student-t one (bf_stats_paired). Runs that
 * do not share them are independent samples: Welch's interval, with the
 * Welch-Satterthwaite degrees of freedom.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_cdf.h>

#include "borderflow/alloc.h"
#include "borderflow/fs.h"
#include "borderflow/output.h" /* BF_RESULTS_FORMAT */
#include "borderflow/plot.h"
#include "borderflow/stats.h"

#include "internal.h"

/* The metrics compared: name in delta.csv and totals.csv, unit, and how a
 * replication's change is made from replications.csv (before - after of
 * `from`, or after - before). */
static const struct metric {
    const char *name, *unit, *from, *label;
    bool after_minus_before, study_sum;
} metrics[] = {
    {"capital_released_cny", "CNY", "wc_avg_cny", "capital released", false, true},
    {"financing_saving_cny", "CNY", "financing_cost_cny", "financing saving over the window", false,
     true},
    {"days_to_rebate", "d", "days_to_rebate", "change of days to rebate", true, false},
};
#define N_METRICS (sizeof metrics / sizeof metrics[0])

struct run {
    const char *dir;
    cJSON *summary;
    const char *name, *before, *after;
    const char *label; /* the scenario's name; "name #N" (N: its place on the command line)
                        * when another run has the name */
    char label_buf[300];
    double seed;
    uint32_t reps, n_cities;
    struct bf__csv delta, totals;
    const char **city; /* [n_cities], into delta's cells */
    double *rep;       /* [(n_cities + 1) * N_METRICS * reps]: changes per replication */
    bool *rep_seen;    /* the same shape: a value was read */
};

static double *rep_at(const struct run *r, uint32_t city, size_t m, uint32_t k)
{
    return &r->rep[((size_t)city * N_METRICS + m) * r->reps + k];
}

static void run_fini(struct run *r)
{
    cJSON_Delete(r->summary);
    bf__csv_fini(&r->delta);
    bf__csv_fini(&r->totals);
    bf__free(r->city);
    bf__free(r->rep);
    bf__free(r->rep_seen);
}

static int city_index(const struct run *r, const char *name)
{
    for (uint32_t c = 0; c < r->n_cities; c++)
        if (strcmp(r->city[c], name) == 0)
            return (int)c;
    return -1;
}

/* A folder that is not a complete results folder of this format is bad
 * input: BF_EPARSE with the folder and the file named. */
static int not_results(const char *dir, const char *file, const char *why, struct bf_diag *diag)
{
    bf_diag_set(diag, "%s: not a complete results folder of this borderflow: %s %s", dir, file,
                why);
    return BF_EPARSE;
}

static int load_json(const char *dir, const char *name, cJSON **out, struct bf_diag *diag)
{
    char path[BF_PATH_MAX], *text = NULL;
    size_t len = 0;
    int rc = bf__path(path, sizeof path, dir, name, diag);
    if (rc == 0 && (rc = bf__read_file(path, &text, &len, diag)) != 0)
        return rc == BF_ENOENT ? not_results(dir, name, "is missing", diag) : rc;
    if (rc != 0)
        return rc;
    bool oom = false;
    *out = bf_json_parse(text, len, &oom, NULL);
    bf__free(text);
    if (*out == NULL)
        return oom ? BF_ENOMEM : not_results(dir, name, "is not valid JSON", diag);
    return 0;
}

/* The changes per replication of every city, and of the study, from
 * replications.csv. */
static int load_replications(struct run *r, struct bf_diag *diag)
{
    struct bf__csv t;
    static const char *const cols[] = {"scenario",    "city",   "policy",
                                       "replication", "metric", "value"};
    int col[6];
    int rc = bf__csv_open(r->dir, "replications.csv", cols, 6, col, &t, diag);
    if (rc != 0)
        return rc == BF_ENOENT ? not_results(r->dir, "replications.csv", "is missing", diag) : rc;
    size_t n = ((size_t)r->n_cities + 1) * N_METRICS * r->reps;
    double *before = bf__calloc(n, sizeof *before), *after = bf__calloc(n, sizeof *after);
    bool *seen_b = bf__calloc(n, sizeof *seen_b), *seen_a = bf__calloc(n, sizeof *seen_a);
    r->rep = bf__calloc(n, sizeof *r->rep);
    r->rep_seen = bf__calloc(n, sizeof *r->rep_seen);
    if (!before || !after || !seen_b || !seen_a || !r->rep || !r->rep_seen) {
        rc = BF_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < t.n_rows; i++) {
        const char *metric = bf__csv_get(&t, i, col[4]);
        size_t m = 0;
        while (m < N_METRICS && strcmp(metrics[m].from, metric) != 0)
            m++;
        const char *policy = bf__csv_get(&t, i, col[2]);
        bool is_b = strcmp(policy, r->before) == 0, is_a = strcmp(policy, r->after) == 0;
        if (m == N_METRICS || (!is_b && !is_a))
            continue;
        int c = city_index(r, bf__csv_get(&t, i, col[1]));
        double k = bf__csv_num(&t, i, col[3]);
        if (c < 0 || !(k >= 0 && k < r->reps)) {
            rc = not_results(r->dir, "replications.csv",
                             "names a city or replication that delta.csv and summary.json do "
                             "not have",
                             diag);
            goto out;
        }
        size_t at = ((size_t)c * N_METRICS + m) * r->reps + (size_t)k;
        (is_b ? before : after)[at] = bf__csv_num(&t, i, col[5]);
        (is_b ? seen_b : seen_a)[at] = true;
    }
    for (size_t m = 0; m < N_METRICS; m++)
        for (uint32_t k = 0; k < r->reps; k++) {
            double sum = 0;
            uint32_t n_sum = 0;
            for (uint32_t c = 0; c < r->n_cities; c++) {
                size_t at = ((size_t)c * N_METRICS + m) * r->reps + k;
                if (!seen_b[at] || !seen_a[at])
                    continue;
                double d =
                    metrics[m].after_minus_before ? after[at] - before[at] : before[at] - after[at];
                r->rep[at] = d;
                r->rep_seen[at] = isfinite(d);
                if (isfinite(d)) {
                    sum += d;
                    n_sum++;
                }
            }
            /* the study: the cities' sum (CNY), or their unweighted mean
             * (days), as totals.csv has it */
            double *s = rep_at(r, r->n_cities, m, k);
            *s = metrics[m].study_sum ? sum : n_sum > 0 ? sum / n_sum : (double)NAN;
            r->rep_seen[s - r->rep] = n_sum > 0;
        }
out:
    bf__free(before);
    bf__free(after);
    bf__free(seen_b);
    bf__free(seen_a);
    bf__csv_fini(&t);
    return rc;
}

static int load_run(const char *dir, struct run *r, struct bf_diag *diag)
{
    memset(r, 0, sizeof *r);
    r->dir = dir;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        bf_diag_set(diag, "%s: %s", dir, stat(dir, &st) != 0 ? strerror(errno) : "not a folder");
        return BF_ENOENT;
    }
    char path[BF_PATH_MAX];
    int rc = bf__path(path, sizeof path, dir, "run.json", diag);
    if (rc == 0 && stat(path, &st) != 0)
        return not_results(dir, "run.json", "is missing (the run did not finish)", diag);
    if (rc != 0 || (rc = load_json(dir, "summary.json", &r->summary, diag)) != 0)
        return rc;
    double format = bf_json_num(r->summary, "results_format");
    if (format != BF_RESULTS_FORMAT) {
        bf_diag_set(diag,
                    "%s: written by another version of borderflow (results format %s, this one "
                    "reads %d): run its scenario again with this borderflow",
                    dir, isfinite(format) ? "other" : "without a number", BF_RESULTS_FORMAT);
        return BF_EPARSE;
    }
    r->name = bf_json_str(r->summary, "scenario");
    const cJSON *cmp = cJSON_GetObjectItemCaseSensitive(r->summary, "compare");
    r->seed = bf_json_num(r->summary, "seed");
    double reps = bf_json_num(r->summary, "replications");
    if (r->name == NULL || !cJSON_IsArray(cmp) || cJSON_GetArraySize(cmp) != 2 ||
        !(reps >= 1 && reps <= 1e6))
        return not_results(dir, "summary.json",
                           "has no scenario name, policy pair or replications (a run of one "
                           "policy has nothing to compare)",
                           diag);
    r->before = cJSON_GetArrayItem(cmp, 0)->valuestring;
    r->after = cJSON_GetArrayItem(cmp, 1)->valuestring;
    r->reps = (uint32_t)reps;
    static const char *const dcols[] = {"scenario", "city", "metric"};
    int dc[3];
    if ((rc = bf__csv_open(dir, "delta.csv", dcols, 3, dc, &r->delta, diag)) != 0)
        return rc == BF_ENOENT ? not_results(dir, "delta.csv", "is missing", diag) : rc;
    static const char *const tcols[] = {"scenario", "metric", "scope"};
    int tc[3];
    if ((rc = bf__csv_open(dir, "totals.csv", tcols, 3, tc, &r->totals, diag)) != 0)
        return rc == BF_ENOENT ? not_results(dir, "totals.csv", "is missing", diag) : rc;
    /* the cities, in delta.csv's order (rows come city by city) */
    r->city = bf__malloc((r->delta.n_rows + 1) * sizeof *r->city);
    if (r->city == NULL)
        return BF_ENOMEM;
    for (size_t i = 0; i < r->delta.n_rows; i++) {
        const char *c = bf__csv_get(&r->delta, i, dc[1]);
        if (r->n_cities == 0 || strcmp(r->city[r->n_cities - 1], c) != 0)
            r->city[r->n_cities++] = c;
    }
    return load_replications(r, diag);
}

/* delta.csv's row of city c and metric m; -1 when absent. */
static long delta_row(const struct run *r, const char *city, const char *metric)
{
    int cc = bf__csv_col(&r->delta, "city"), mc = bf__csv_col(&r->delta, "metric");
    for (size_t i = 0; i < r->delta.n_rows; i++)
        if (strcmp(bf__csv_get(&r->delta, i, cc), city) == 0 &&
            strcmp(bf__csv_get(&r->delta, i, mc), metric) == 0)
            return (long)i;
    return -1;
}

static long totals_row(const struct run *r, const char *metric, const char *scope)
{
    int mc = bf__csv_col(&r->totals, "metric"), sc = bf__csv_col(&r->totals, "scope");
    for (size_t i = 0; i < r->totals.n_rows; i++)
        if (strcmp(bf__csv_get(&r->totals, i, mc), metric) == 0 &&
            strcmp(bf__csv_get(&r->totals, i, sc), scope) == 0)
            return (long)i;
    return -1;
}

/* A CSV field (RFC 4180). output.c has its own: the plot layer reads
 * folders and does not link the layer that writes them. */
static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("NA", f);
}

/* One run's value of a metric for a city (city == NULL: the study), as
 * its own files give it: before, after, change and its interval. */
struct value {
    double before, after, change, lo, hi;
};

static bool value_of(const struct run *r, const char *city, size_t m, struct value *v)
{
    *v = (struct value){NAN, NAN, NAN, NAN, NAN};
    if (city != NULL) {
        long i = delta_row(r, city, metrics[m].name);
        if (i < 0)
            return false;
        const struct bf__csv *t = &r->delta;
        v->before = bf__csv_num(t, (size_t)i, bf__csv_col(t, "before"));
        v->after = bf__csv_num(t, (size_t)i, bf__csv_col(t, "after"));
        v->change = bf__csv_num(t, (size_t)i, bf__csv_col(t, "delta"));
        v->lo = bf__csv_num(t, (size_t)i, bf__csv_col(t, "ci95_low"));
        v->hi = bf__csv_num(t, (size_t)i, bf__csv_col(t, "ci95_high"));
        return true;
    }
    const struct bf__csv *t = &r->totals;
    int mean = bf__csv_col(t, "mean"), lo = bf__csv_col(t, "ci95_low"),
        hi = bf__csv_col(t, "ci95_high");
    long i = totals_row(r, metrics[m].name, "change");
    if (i < 0 || mean < 0)
        return false;
    v->change = bf__csv_num(t, (size_t)i, mean);
    v->lo = bf__csv_num(t, (size_t)i, lo);
    v->hi = bf__csv_num(t, (size_t)i, hi);
    const char *level = m == 2 ? "days_to_rebate" : m == 0 ? "wc_avg_cny" : NULL;
    long b = level ? totals_row(r, level, "before") : -1,
         a = level ? totals_row(r, level, "after") : -1;
    if (b >= 0)
        v->before = bf__csv_num(t, (size_t)b, mean);
    if (a >= 0)
        v->after = bf__csv_num(t, (size_t)a, mean);
    return true;
}

/* The difference b - a of one metric of one city (c_a, c_b: its index in
 * each run; the study is n_cities), paired or Welch. */
struct diff {
    double a, b, d, lo, hi;
    size_t n;
    bool paired, ok;
};

static int difference(const struct run *ra, const struct run *rb, uint32_t c_a, uint32_t c_b,
                      size_t m, bool paired, struct diff *out)
{
    *out = (struct diff){.a = NAN, .b = NAN, .d = NAN, .lo = NAN, .hi = NAN, .paired = paired};
    size_t na = 0, nb = 0;
    double *xa = bf__malloc((ra->reps + 1) * sizeof *xa),
           *xb = bf__malloc((rb->reps + 1) * sizeof *xb);
    if (xa == NULL || xb == NULL) {
        bf__free(xa);
        bf__free(xb);
        return BF_ENOMEM;
    }
    int rc = 0;
    if (paired) {
        /* only replications both runs observed: twins */
        for (uint32_t k = 0; k < ra->reps; k++) {
            const double *va = rep_at(ra, c_a, m, k), *vb = rep_at(rb, c_b, m, k);
            if (ra->rep_seen[va - ra->rep] && rb->rep_seen[vb - rb->rep]) {
                xa[na++] = *va;
                xb[nb++] = *vb;
            }
        }
        struct bf_paired p;
        if (na > 0 && (rc = bf_stats_paired(xa, xb, na, 0.95, &p)) == 0)
            *out =
                (struct diff){p.mean_a, p.mean_b, p.mean_diff, p.ci_low, p.ci_high, na, true, true};
    } else {
        for (uint32_t k = 0; k < ra->reps; k++)
            if (ra->rep_seen[rep_at(ra, c_a, m, k) - ra->rep])
                xa[na++] = *rep_at(ra, c_a, m, k);
        for (uint32_t k = 0; k < rb->reps; k++)
            if (rb->rep_seen[rep_at(rb, c_b, m, k) - rb->rep])
                xb[nb++] = *rep_at(rb, c_b, m, k);
        struct bf_summary sa, sb;
        if (na > 0 && nb > 0 && (rc = bf_stats_summary(xa, na, 0.95, &sa)) == 0 &&
            (rc = bf_stats_summary(xb, nb, 0.95, &sb)) == 0) {
            /* Welch: var_a/n_a + var_b/n_b, Welch-Satterthwaite df */
            double va = sa.sd * sa.sd / (double)na, vb = sb.sd * sb.sd / (double)nb;
            double se = sqrt(va + vb), d = sb.mean - sa.mean, half = 0;
            if (na >= 2 && nb >= 2 && se > 0) {
                double df = (va + vb) * (va + vb) /
                            (va * va / (double)(na - 1) + vb * vb / (double)(nb - 1));
                half = gsl_cdf_tdist_Pinv(0.975, df) * se;
            } else if (se > 0) {
                half = NAN; /* one replication: no interval */
            }
            *out = (struct diff){sa.mean, sb.mean, d, d - half, d + half, na + nb, false, true};
        }
    }
    bf__free(xa);
    bf__free(xb);
    return rc;
}

/* Do two runs share seed, replications and cities (in order)? Then their
 * replications are twins. */
static bool twins(const struct run *a, const struct run *b)
{
    if (a->seed != b->seed || a->reps != b->reps || a->n_cities != b->n_cities)
        return false;
    for (uint32_t c = 0; c < a->n_cities; c++)
        if (strcmp(a->city[c], b->city[c]) != 0)
            return false;
    return true;
}

/* ---- the files ---- */

static bool write_compare_csv(FILE *f, const struct run *runs, size_t n)
{
    fputs("scenario,run,scope,city,metric,unit,before,after,change,ci95_low,ci95_high,seed,"
          "replications,folder\n",
          f);
    for (size_t i = 0; i < n; i++)
        for (uint32_t c = 0; c <= runs[i].n_cities; c++)
            for (size_t m = 0; m < N_METRICS; m++) {
                const char *city = c < runs[i].n_cities ? runs[i].city[c] : NULL;
                struct value v;
                if (!value_of(&runs[i], city, m, &v))
                    continue;
                csv_field(f, runs[i].name);
                fputc(',', f);
                csv_field(f, runs[i].label);
                fputs(city ? ",city," : ",study,", f);
                if (city)
                    csv_field(f, city);
                fprintf(f, ",%s,%s,", metrics[m].name, metrics[m].unit);
                num(f, v.before);
                fputc(',', f);
                num(f, v.after);
                fputc(',', f);
                num(f, v.change);
                fputc(',', f);
                num(f, v.lo);
                fputc(',', f);
                num(f, v.hi);
                fprintf(f, ",%.0f,%u,", runs[i].seed, runs[i].reps);
                csv_field(f, runs[i].dir);
                fputc('\n', f);
            }
    return !ferror(f);
}

/* Every difference of run i against run 0, in the order of run 0's
 * cities, then the study; calls fn for each. */
typedef void diff_fn(void *ctx, const struct run *a, const struct run *b, const char *city,
                     size_t m, const struct diff *d);

static int each_diff(const struct run *runs, size_t n, diff_fn *fn, void *ctx)
{
    for (size_t i = 1; i < n; i++) {
        const struct run *a = &runs[0], *b = &runs[i];
        bool paired = twins(a, b);
        for (uint32_t c = 0; c <= a->n_cities; c++) {
            int cb = c < a->n_cities ? city_index(b, a->city[c]) : (int)b->n_cities;
            if (cb < 0)
                continue; /* a city of one run only: nothing to difference */
            for (size_t m = 0; m < N_METRICS; m++) {
                struct diff d;
                int rc = difference(a, b, c, (uint32_t)cb, m, paired, &d);
                if (rc != 0)
                    return rc;
                if (d.ok)
                    fn(ctx, a, b, c < a->n_cities ? a->city[c] : NULL, m, &d);
            }
        }
    }
    return 0;
}

static void diff_csv_row(void *ctx, const struct run *a, const struct run *b, const char *city,
                         size_t m, const struct diff *d)
{
    FILE *f = ctx;
    csv_field(f, a->label);
    fputc(',', f);
    csv_field(f, b->label);
    fputs(city ? ",city," : ",study,", f);
    if (city)
        csv_field(f, city);
    fprintf(f, ",%s,%s,", metrics[m].name, metrics[m].unit);
    num(f, d->a);
    fputc(',', f);
    num(f, d->b);
    fputc(',', f);
    num(f, d->d);
    fputc(',', f);
    num(f, d->lo);
    fputc(',', f);
    num(f, d->hi);
    fprintf(f, ",%zu,%s\n", d->n, d->paired ? "paired" : "welch");
}

/* ---- the page ---- */

static void esc(FILE *f, const char *s)
{
    bf__html_text(f, s); /* report.c's */
}

/* CNY with thousands separators, days with one decimal. */
static void amount(FILE *f, double v, const char *unit)
{
    if (!isfinite(v)) {
        fputs("&ndash;", f);
        return;
    }
    if (strcmp(unit, "d") == 0) {
        char d[32];
        snprintf(d, sizeof d, "%.1f", fabs(v));
        fprintf(f, "%s%s", v < 0 && strcmp(d, "0.0") != 0 ? "&minus;" : "", d);
        return;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t n = strlen(digits);
    if (v < 0 && strcmp(digits, "0") != 0)
        fputs("&minus;", f);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            fputc(',', f);
        fputc(digits[i], f);
    }
}

static void interval(FILE *f, double v, double lo, double hi, const char *unit)
{
    amount(f, v, unit);
    if (isfinite(lo) && isfinite(hi)) {
        fputs(" <small>(", f);
        amount(f, lo, unit);
        fputs(" to ", f);
        amount(f, hi, unit);
        fputs(")</small>", f);
    }
}

struct page {
    FILE *f;
    size_t m;
};

static void diff_html_row(void *ctx, const struct run *a, const struct run *b, const char *city,
                          size_t m, const struct diff *d)
{
    struct page *p = ctx;
    if (m != p->m)
        return;
    FILE *f = p->f;
    fputs("<tr><td>", f);
    esc(f, b->label);
    fputs(" &minus; ", f);
    esc(f, a->label);
    fputs("</td><td>", f);
    if (city)
        esc(f, city);
    else
        fputs("<b>all cities</b>", f);
    fputs("</td><td class=n>", f);
    interval(f, d->d, d->lo, d->hi, metrics[m].unit);
    fprintf(f, "</td><td>%s, n = %zu</td></tr>\n",
            d->paired ? "paired (same seed and cities)" : "independent (Welch)", d->n);
}

/* The headline: each run's study capital released against the first's,
 * in words, with the interval. */
static void headline_row(void *ctx, const struct run *a, const struct run *b, const char *city,
                         size_t m, const struct diff *d)
{
    FILE *f = ctx;
    if (city != NULL || m != 0)
        return;
    bool sure = isfinite(d->lo) && isfinite(d->hi) && (d->lo > 0 || d->hi < 0);
    fputs("<li><b>", f);
    esc(f, b->label);
    fputs("</b> releases ", f);
    amount(f, fabs(d->d), "CNY");
    fprintf(f, " CNY %s working capital than <b>", d->d >= 0 ? "more" : "less");
    esc(f, a->label);
    fputs("</b> over all cities", f);
    if (isfinite(d->lo) && isfinite(d->hi)) {
        fputs(" (95% interval of the difference ", f);
        amount(f, d->lo, "CNY");
        fputs(" to ", f);
        amount(f, d->hi, "CNY");
        fprintf(f, " CNY; %s)",
                d->paired ? "paired over the same replications" : "independent runs, Welch");
    }
    fprintf(f, "%s</li>\n",
            sure ? "" : ": the interval includes zero, so the runs cannot be told apart");
}

static int write_page(FILE *f, const struct run *runs, size_t n)
{
    fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
          "<title>borderflow: runs compared</title>\n<style>\n"
          "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;margin:2em;max-width:70em}\n"
          "table{border-collapse:collapse;margin:1em 0}td,th{border-bottom:1px solid #ddd;"
          "padding:.3em .8em;text-align:left}td.n{text-align:right;white-space:nowrap}\n"
          "small{color:#666}</style></head><body>\n<h1>Runs compared</h1>\n",
          f);
    fputs("<p>Each run's change under its own policy pair (before &rarr; after), with its 95% "
          "interval over the replications; then each run against the first. Capital released "
          "and the financing saving are before &minus; after (CNY, positive: the policy "
          "releases cash); days to rebate are after &minus; before (d, negative: faster). "
          "Source: each folder's delta.csv, totals.csv and replications.csv.</p>\n",
          f);
    if (n > 1) {
        fputs("<h2>In short</h2>\n<ul>\n", f);
        int rc = each_diff(runs, n, headline_row, f);
        if (rc != 0)
            return rc;
        fputs("</ul>\n", f);
    }
    fputs("<table><tr><th>run</th><th>policies</th><th>seed</th><th>replications</th>"
          "<th>cities</th><th>folder</th></tr>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", f);
        esc(f, runs[i].label);
        fputs("</td><td>", f);
        esc(f, runs[i].before);
        fputs(" &rarr; ", f);
        esc(f, runs[i].after);
        fprintf(f, "</td><td class=n>%.0f</td><td class=n>%u</td><td class=n>%u</td><td>",
                runs[i].seed, runs[i].reps, runs[i].n_cities);
        esc(f, runs[i].dir);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
    const struct run *r0 = &runs[0];
    for (size_t m = 0; m < N_METRICS; m++) {
        fprintf(f, "<h2>%s (%s)</h2>\n<table><tr><th>city</th>", metrics[m].label, metrics[m].unit);
        for (size_t i = 0; i < n; i++) {
            fputs("<th>", f);
            esc(f, runs[i].label);
            fputs("</th>", f);
        }
        fputs("</tr>\n", f);
        /* the study, then the first run's cities, then cities of other runs */
        for (size_t i = 0; i < n; i++)
            for (uint32_t c = 0; c <= runs[i].n_cities; c++) {
                bool study = c == runs[i].n_cities;
                if ((study && i > 0) || (!study && i > 0 && city_index(r0, runs[i].city[c]) >= 0))
                    continue;
                bool seen_before = false;
                for (size_t j = 1; j < i && !study; j++)
                    seen_before |= city_index(&runs[j], runs[i].city[c]) >= 0;
                if (seen_before)
                    continue;
                const char *city = study ? NULL : runs[i].city[c];
                fputs("<tr><td>", f);
                if (city)
                    esc(f, city);
                else
                    fputs("<b>all cities</b>", f);
                fputs("</td>", f);
                for (size_t j = 0; j < n; j++) {
                    struct value v;
                    fputs("<td class=n>", f);
                    if (value_of(&runs[j], city, m, &v))
                        interval(f, v.change, v.lo, v.hi, metrics[m].unit);
                    else
                        fputs("&ndash;", f);
                    fputs("</td>", f);
                }
                fputs("</tr>\n", f);
            }
        fputs("</table>\n", f);
        if (n > 1) {
            fputs("<table><tr><th>difference</th><th>city</th><th>mean, 95% interval</th>"
                  "<th>how</th></tr>\n",
                  f);
            struct page p = {f, m};
            int rc = each_diff(runs, n, diff_html_row, &p);
            if (rc != 0)
                return rc;
            fputs("</table>\n", f);
        }
    }
    fputs("<p><small>Written by borderflow compare from the results folders alone; "
          "compare.csv and compare_diff.csv hold every number on this page.</small></p>\n"
          "</body></html>\n",
          f);
    return ferror(f) ? BF_EIO : 0;
}

static int write_out(const char *out, const char *name, const struct run *runs, size_t n, int which,
                     struct bf_diag *diag)
{
    char tmp[BF_PATH_MAX];
    int rc;
    FILE *f = bf_temp_create(out, name, tmp, sizeof tmp, &rc, diag);
    if (f == NULL)
        return rc;
    bool ok;
    if (which == 0) {
        ok = write_compare_csv(f, runs, n);
    } else if (which == 1) {
        fputs("run_a,run_b,scope,city,metric,unit,a,b,difference,ci95_low,ci95_high,n,method\n", f);
        ok = each_diff(runs, n, diff_csv_row, f) == 0 && !ferror(f);
    } else {
        ok = write_page(f, runs, n) == 0;
    }
    return bf_temp_commit(f, tmp, out, name, ok, diag);
}

int bf_compare_write(const char *const *dirs, size_t n, const char *out, struct bf_diag *diag)
{
    bf_diag_clear(diag);
    struct run *runs = bf__calloc(n ? n : 1, sizeof *runs);
    if (runs == NULL)
        return BF_ENOMEM;
    int rc = 0;
    size_t loaded = 0;
    for (; loaded < n && rc == 0; loaded++)
        rc = load_run(dirs[loaded], &runs[loaded], diag);
    /* a run is named by its scenario, or by its folder when two runs are
     * of one scenario (two seeds, or the file before and after an edit) */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        runs[i].label = runs[i].name;
        for (size_t j = 0; j < n; j++)
            if (j != i && strcmp(runs[i].name, runs[j].name) == 0) {
                snprintf(runs[i].label_buf, sizeof runs[i].label_buf, "%s #%zu", runs[i].name,
                         i + 1);
                runs[i].label = runs[i].label_buf;
            }
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        for (size_t j = 0; rc == 0 && j < i; j++) {
            struct stat si, sj;
            if (stat(dirs[i], &si) == 0 && stat(dirs[j], &sj) == 0 && si.st_dev == sj.st_dev &&
                si.st_ino == sj.st_ino) {
                bf_diag_set(diag, "%s is given twice (as %s too)", dirs[i], dirs[j]);
                rc = BF_EINVAL;
            }
        }
    int lock = -1;
    if (rc == 0 && (rc = bf_mkdirs(out, diag)) == 0 && (rc = bf_dir_check(out, diag)) == 0)
        rc = bf_dir_lock(out, &lock, diag);
    /* the three files are one result: none of an earlier comparison may
     * stay beside this one's, and none of this one if one fails */
    static const char *const names[3] = {"compare.csv", "compare_diff.csv", "compare.html"};
    char path[BF_PATH_MAX];
    for (int w = 0; rc == 0 && w < 3; w++)
        if (bf__path(path, sizeof path, out, names[w], diag) == 0)
            remove(path);
    for (int w = 0; rc == 0 && w < 3; w++) {
        rc = write_out(out, names[w], runs, n, w, diag);
        for (int k = 0; rc != 0 && k < w; k++)
            if (bf__path(path, sizeof path, out, names[k], NULL) == 0)
                remove(path);
    }
    if (lock >= 0)
        bf_dir_unlock(lock);
    for (size_t i = 0; i < loaded; i++)
        run_fini(&runs[i]);
    bf__free(runs);
    return rc;
}
