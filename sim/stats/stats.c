/*
 * stats.c - thin wrappers over GSL's statistics, plus the time-weighted
 * average GSL has no type for.
 *
 * GSL calls its error handler (abort by default, the BF_ASSERT report once
 * main installs ours) on a domain error, so every input GSL would reject is
 * checked here first: a bad histogram binning is bad input (BF_EINVAL), a
 * level outside (0, 1) or a NaN in a histogram is a caller's bug (BF_ASSERT).
 */
#include "borderflow/stats.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "borderflow/alloc.h"
#include "borderflow/error.h"

/* ---- running mean and variance ---- */

/*
 * gsl_rstat_alloc uses malloc, not bf__malloc, so the test hook and the
 * --max-memory budget do not see it; wrapping GSL's allocator was not worth
 * the few dozen bytes per accumulator. It also calls the GSL error handler
 * before returning NULL, so BF_ENOMEM is only seen with the handler off.
 */
int bf_running_init(struct bf_running *r)
{
    r->w = gsl_rstat_alloc();
    return r->w == NULL ? BF_ENOMEM : 0;
}

void bf_running_fini(struct bf_running *r)
{
    /* gsl_rstat_free(NULL) dereferences its argument (GSL 2.7). */
    if (r->w != NULL)
        gsl_rstat_free(r->w);
    r->w = NULL;
}

void bf_running_add(struct bf_running *r, double x)
{
    gsl_rstat_add(x, r->w);
}

size_t bf_running_n(const struct bf_running *r)
{
    return gsl_rstat_n(r->w);
}

double bf_running_mean(const struct bf_running *r)
{
    return gsl_rstat_mean(r->w);
}

/* gsl_rstat_variance already divides by n - 1 and returns 0 for n < 2. */
double bf_running_variance(const struct bf_running *r)
{
    return gsl_rstat_variance(r->w);
}

void bf_running_reset(struct bf_running *r)
{
    gsl_rstat_reset(r->w);
}

/* ---- time-weighted average ---- */

void bf_tw_init(struct bf_tw *tw, double t0_h, double value)
{
    tw->t0_h = t0_h;
    tw->t_last_h = t0_h;
    tw->value = value;
    tw->area = 0.0;
    tw->max = value;
}

void bf_tw_set(struct bf_tw *tw, double t_h, double value)
{
    /* Also catches a NaN time: every comparison with it is false. */
    BF_ASSERT(t_h >= tw->t_last_h);
    tw->area += tw->value * (t_h - tw->t_last_h);
    tw->t_last_h = t_h;
    tw->value = value;
    if (value > tw->max)
        tw->max = value;
}

double bf_tw_area(const struct bf_tw *tw, double t_end_h)
{
    BF_ASSERT(t_end_h >= tw->t_last_h);
    return tw->area + tw->value * (t_end_h - tw->t_last_h);
}

double bf_tw_mean(const struct bf_tw *tw, double t_end_h)
{
    double area = bf_tw_area(tw, t_end_h);
    double span_h = t_end_h - tw->t0_h;
    /* span_h >= 0 here (t_end_h >= t_last_h >= t0_h); 0 has no average. */
    return span_h > 0.0 ? area / span_h : 0.0;
}

/* The maximum restarts too: a warm-up peak must not leak into the report. */
void bf_tw_restart(struct bf_tw *tw, double t_h)
{
    BF_ASSERT(t_h >= tw->t_last_h);
    tw->t0_h = t_h;
    tw->t_last_h = t_h;
    tw->area = 0.0;
    tw->max = tw->value;
}

/* ---- samples ---- */

static void assert_level(double level)
{
    /* Also rejects NaN; gsl_cdf_tdist_Pinv would call the error handler. */
    BF_ASSERT(level > 0.0 && level < 1.0);
}

double bf_stats_t_half_width(double sd, size_t n, double level)
{
    assert_level(level);
    if (n < 2)
        return 0.0;
    double t = gsl_cdf_tdist_Pinv((1.0 + level) / 2.0, (double)(n - 1));
    return t * sd / sqrt((double)n);
}

double bf_stats_quantile_sorted(const double *sorted, size_t n, double p)
{
    BF_ASSERT(p >= 0.0 && p <= 1.0);
    /* GSL returns 0 for no data, which would read as a real quantile. */
    if (n == 0)
        return (double)NAN;
    return gsl_stats_quantile_from_sorted_data(sorted, 1, n, p);
}

static int has_nan(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return 1;
    return 0;
}

/* Room for n doubles in bf__malloc'd memory (freed with bf__free), or NULL. */
static double *alloc_doubles(size_t n)
{
    if (n > SIZE_MAX / sizeof(double))
        return NULL;
    return bf__malloc(n * sizeof(double));
}

int bf_stats_summary(const double *x, size_t n, double level, struct bf_summary *out)
{
    assert_level(level);
    struct bf_summary s;
    s.n = n;
    /*
     * gsl_sort puts a NaN anywhere, so quantiles, min and max would look
     * valid and be wrong; the mean and sd are NaN anyway, so say so everywhere.
     */
    if (n == 0 || has_nan(x, n)) {
        s.mean = s.sd = s.ci_low = s.ci_high = s.half_width = (double)NAN;
        s.p10 = s.p50 = s.p90 = s.min = s.max = (double)NAN;
        *out = s;
        return 0;
    }

    /* A copy, not an in-place sort: callers keep x in replication order. */
    double *sorted = alloc_doubles(n);
    if (sorted == NULL)
        return BF_ENOMEM;
    memcpy(sorted, x, n * sizeof *sorted);
    gsl_sort(sorted, 1, n);

    s.mean = gsl_stats_mean(x, 1, n);
    /* gsl_stats_sd divides by n - 1 = 0 for one value. */
    s.sd = n > 1 ? gsl_stats_sd(x, 1, n) : 0.0;
    s.half_width = bf_stats_t_half_width(s.sd, n, level);
    s.ci_low = s.mean - s.half_width;
    s.ci_high = s.mean + s.half_width;
    s.p10 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.10);
    s.p50 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.50);
    s.p90 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.90);
    s.min = sorted[0];
    s.max = sorted[n - 1];

    bf__free(sorted);
    *out = s;
    return 0;
}

/*
 * (var(a) + var(b)) / var(d): the variance of an unpaired difference over
 * that of the paired one. The zero cases are spelled out because 0/0 and
 * x/0 would give NaN and inf by accident rather than by contract; NaN
 * inputs fall through every test and give NaN.
 */
static double variance_reduction(double var_sum, double var_d)
{
    if (var_d > 0.0)
        return var_sum / var_d;
    if (var_d == 0.0 && var_sum > 0.0)
        return (double)INFINITY;
    if (var_d == 0.0 && var_sum == 0.0)
        return 1.0;
    return (double)NAN;
}

int bf_stats_paired(const double *a, const double *b, size_t n, double level, struct bf_paired *out)
{
    assert_level(level);
    struct bf_paired p;
    p.n = n;
    p.identical = false;
    if (n == 0) {
        p.mean_a = p.mean_b = p.mean_diff = p.sd_diff = (double)NAN;
        p.ci_low = p.ci_high = p.variance_reduction = (double)NAN;
        *out = p;
        return 0;
    }

    double *d = alloc_doubles(n);
    if (d == NULL)
        return BF_ENOMEM;
    p.identical = true;
    for (size_t i = 0; i < n; i++) {
        d[i] = b[i] - a[i];
        /* a NaN fails the test and keeps the pairs "different" */
        if (!(fabs(d[i]) <= 1e-9 * fmax(fabs(a[i]), fabs(b[i]))))
            p.identical = false;
    }

    p.mean_a = gsl_stats_mean(a, 1, n);
    p.mean_b = gsl_stats_mean(b, 1, n);
    p.mean_diff = gsl_stats_mean(d, 1, n);
    if (p.identical) {
        p.mean_diff = p.sd_diff = p.ci_low = p.ci_high = 0.0;
        p.variance_reduction = (double)NAN;
        bf__free(d);
        *out = p;
        return 0;
    }
    if (n > 1) {
        double var_d = gsl_stats_variance_m(d, 1, n, p.mean_diff);
        double var_sum =
            gsl_stats_variance_m(a, 1, n, p.mean_a) + gsl_stats_variance_m(b, 1, n, p.mean_b);
        p.sd_diff = sqrt(var_d);
        p.variance_reduction = variance_reduction(var_sum, var_d);
    } else {
        /* One pair has no variance to compare: not 1, which would read as "no gain". */
        p.sd_diff = 0.0;
        p.variance_reduction = (double)NAN;
    }
    double hw = bf_stats_t_half_width(p.sd_diff, n, level);
    p.ci_low = p.mean_diff - hw;
    p.ci_high = p.mean_diff + hw;

    bf__free(d);
    *out = p;
    return 0;
}

/* ---- warm-up truncation ---- */

int bf_stats_mser5(const double *y, size_t n, struct bf_mser *out)
{
    if (n < 10)
        return BF_EINVAL;
    const size_t k = n / 5; /* the last n % 5 observations are not batched */
    double *z = alloc_doubles(k);
    if (z == NULL)
        return BF_ENOMEM;
    for (size_t j = 0; j < k; j++) {
        double sum = 0.0;
        for (size_t i = 0; i < 5; i++) {
            BF_ASSERT(isfinite(y[5 * j + i]));
            sum += y[5 * j + i];
        }
        z[j] = sum / 5.0;
    }
    /* suffix sums make every candidate O(1): sum and sum of squares of the
     * batches kept, from d on; the squares are centred on the overall mean
     * first, which keeps the difference below well conditioned */
    const double centre = gsl_stats_mean(z, 1, k);
    size_t best = 0;
    double best_v = INFINITY, s1 = 0.0, s2 = 0.0;
    const size_t d_max = k / 2;
    double *v = alloc_doubles(d_max + 1);
    if (v == NULL) {
        bf__free(z);
        return BF_ENOMEM;
    }
    for (size_t j = k; j-- > 0;) {
        double c = z[j] - centre;
        s1 += c;
        s2 += c * c;
        if (j <= d_max) {
            double m = (double)(k - j);
            double ss = s2 - s1 * s1 / m; /* sum of squared deviations from their mean */
            v[j] = (ss > 0.0 ? ss : 0.0) / (m * m);
        }
    }
    for (size_t d = 0; d <= d_max; d++)
        if (v[d] < best_v) { /* the first minimum: the shortest warm-up */
            best_v = v[d];
            best = d;
        }
    bf__free(v);
    bf__free(z);
    out->truncate = 5 * best;
    out->statistic = best_v;
    out->batches = k;
    out->at_limit = best == d_max && d_max > 0;
    return 0;
}

/* ---- histograms ---- */

/* Like gsl_rstat_alloc, gsl_histogram_alloc bypasses bf__malloc. */
int bf_hist_init(struct bf_hist *h, size_t n, double lo, double hi)
{
    h->h = NULL;
    h->under = 0;
    h->over = 0;
    /* GSL checks n > 0 and lo < hi through its error handler; infinities it
     * accepts and turns into NaN bin edges. */
    if (n == 0 || !isfinite(lo) || !isfinite(hi) || !(lo < hi) || !isfinite(hi - lo))
        return BF_EINVAL;
    gsl_histogram *g = gsl_histogram_alloc(n);
    if (g == NULL)
        return BF_ENOMEM;
    int rc = gsl_histogram_set_ranges_uniform(g, lo, hi);
    BF_ASSERT(rc == 0);
    h->h = g;
    return 0;
}

void bf_hist_fini(struct bf_hist *h)
{
    if (h->h != NULL)
        gsl_histogram_free(h->h);
    h->h = NULL;
    h->under = 0;
    h->over = 0;
}

void bf_hist_add(struct bf_hist *h, double x, double weight)
{
    /* GSL's bin search lets a NaN through into some bin and reports success. */
    BF_ASSERT(!isnan(x));
    /*
     * Compare with GSL's own edges rather than lo/hi: they are computed as
     * lo + (i/n)(hi - lo) and are what gsl_histogram_accumulate searches, so
     * nothing can fall between our test and its range check.
     */
    if (x < gsl_histogram_min(h->h)) {
        h->under++;
        return;
    }
    if (x >= gsl_histogram_max(h->h)) {
        h->over++;
        return;
    }
    int rc = gsl_histogram_accumulate(h->h, x, weight);
    BF_ASSERT(rc == 0);
}

void bf_hist_merge(struct bf_hist *dst, const struct bf_hist *src)
{
    /* gsl_histogram_add would otherwise go to the GSL error handler. */
    BF_ASSERT(gsl_histogram_equal_bins_p(dst->h, src->h));
    int rc = gsl_histogram_add(dst->h, src->h);
    BF_ASSERT(rc == 0);
    dst->under += src->under;
    dst->over += src->over;
}
