/*
 * sensitivity.c - Morris and Sobol' designs and estimators, with percentile
 * bootstrap intervals.
 *
 * One statistic function per method (morris_stats, sobol_stats) computes the
 * indices from a list of trajectories or base rows; the point estimate is
 * that function on the identity list and every bootstrap resample the same
 * function on a resampled list, so the estimate and its interval cannot
 * drift apart. The resamples of a metric are drawn from a generator
 * re-seeded for that metric: every metric sees the same resamples, and a
 * metric's results do not depend on how many are analysed with it, at the
 * price of reseeding (one call per metric) rather than one long stream.
 *
 * GSL's allocators (gsl_rng_alloc, gsl_qrng_alloc) use malloc, not
 * bf__malloc, and call the GSL error handler before returning NULL, as in
 * stats.c; the large arrays go through bf__malloc so tests can fail them.
 */
#include "borderflow/sensitivity.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "borderflow/alloc.h"
#include "borderflow/error.h"

/* ---- shared ---- */

/* Room for n objects of size `size` from bf__malloc, or NULL (also on overflow). */
static void *alloc_array(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return bf__malloc(n * size == 0 ? 1 : n * size);
}

/* a * b into *out, false if it does not fit in size_t. */
static int mul_fits(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

/* The largest n gsl_rng_uniform_int accepts from mt19937 (its range, 2^32 - 1). */
#define UNIFORM_INT_MAX 0xffffffffu

static int check_bootstrap(const struct bf_sens_bootstrap *boot, const char *fn,
                           struct bf_diag *diag)
{
    if (boot->resamples == 0)
        return 0;
    if (!(boot->level > 0.0 && boot->level < 1.0)) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "bootstrap level %g is outside (0, 1): 0.95 gives a 95%% interval",
                    boot->level);
        return BF_EINVAL;
    }
    /*
     * A percentile interval needs a resample beyond each end, else its ends
     * are the extremes of the resamples and mean nothing. The small slack
     * lets 20 resamples at 90% pass: (1 - 0.9) / 2 * 20 is 0.9999999999999998.
     */
    double tail = (double)boot->resamples * (1.0 - boot->level) / 2.0;
    if (tail < 1.0 - 1e-9) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag,
                    "%zu resamples leave no resample beyond the ends of a %g interval: "
                    "use at least %.0f (%u recommended), or 0 for no intervals",
                    boot->resamples, boot->level, ceil(2.0 / (1.0 - boot->level) - 1e-9),
                    BF_SENS_RESAMPLES_DEFAULT);
        return BF_EINVAL;
    }
    return 0;
}

/*
 * Refuses the first non-finite output. The point's place in its trajectory
 * or row is named so the caller can find the parameter values that failed.
 */
static int check_outputs(const double *y, size_t n_points, size_t n_metrics, size_t block,
                         const char *block_name, const char *fn, struct bf_diag *diag)
{
    for (size_t j = 0; j < n_points; j++)
        for (size_t m = 0; m < n_metrics; m++) {
            double v = y[j * n_metrics + m];
            if (isfinite(v))
                continue;
            bf_diag_where(diag, "%s: y[%zu]", fn, j * n_metrics + m);
            bf_diag_set(diag,
                        "the output of point %zu (%s %zu, point %zu of it), metric %zu, is %g: "
                        "every output must be finite; evaluate that point again or repair the "
                        "model rather than drop it, which would unbalance the design",
                        j, block_name, j / block, j % block, m, v);
            return BF_EINVAL;
        }
    return 0;
}

/*
 * Percentile interval of vals[0..n) (sorted in place) at `level`; NaN when
 * a resample gave NaN, which gsl_sort would put anywhere.
 */
static void percentile(double *vals, size_t n, double level, struct bf_sens_estimate *e)
{
    for (size_t b = 0; b < n; b++)
        if (isnan(vals[b])) {
            e->lo = e->hi = (double)NAN;
            return;
        }
    gsl_sort(vals, 1, n);
    e->lo = gsl_stats_quantile_from_sorted_data(vals, 1, n, (1.0 - level) / 2.0);
    e->hi = gsl_stats_quantile_from_sorted_data(vals, 1, n, (1.0 + level) / 2.0);
}

/* Fills pick[0..n) with a resample of 0..n-1 with replacement. */
static void resample(gsl_rng *rng, size_t *pick, size_t n)
{
    for (size_t q = 0; q < n; q++)
        pick[q] = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
}

/* The bootstrap's generator, none without resamples; seeded per metric. */
static gsl_rng *boot_rng(const struct bf_sens_bootstrap *boot)
{
    return boot->resamples == 0 ? NULL : gsl_rng_alloc(gsl_rng_mt19937);
}

/* ---- Morris: the design ---- */

int bf_morris_design_init(struct bf_morris_design *d, size_t k, size_t r, unsigned levels,
                          uint32_t seed, struct bf_diag *diag)
{
    static const char fn[] = "bf_morris_design_init";
    BF_ASSERT(d != NULL);
    memset(d, 0, sizeof *d);
    if (k == 0 || r < 2 || levels < 2 || levels % 2 != 0) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag,
                    "k = %zu parameters, r = %zu trajectories, p = %u levels: Morris needs "
                    "k >= 1, r >= 2 (sigma needs two effects) and p even, at least 2 (%u is usual)",
                    k, r, levels, BF_MORRIS_LEVELS_DEFAULT);
        return BF_EINVAL;
    }
    size_t n_points = 0, n_coords = 0, n_steps = 0;
    /* gsl_rng_uniform_int draws below the generator's range: the
     * permutation needs k, the bootstrap r. */
    if (k > UNIFORM_INT_MAX || r > UNIFORM_INT_MAX || !mul_fits(r, k + 1, &n_points) ||
        !mul_fits(n_points, k, &n_coords) || !mul_fits(r, k, &n_steps)) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "%zu trajectories of %zu parameters are too many to address", r, k);
        return BF_ERANGE;
    }

    double *x = alloc_array(n_coords, sizeof *x);
    size_t *factor = alloc_array(n_steps, sizeof *factor);
    int8_t *sign = alloc_array(n_steps, sizeof *sign);
    size_t *perm = alloc_array(k, sizeof *perm);
    unsigned *level = alloc_array(k, sizeof *level);
    int8_t *dir = alloc_array(k, sizeof *dir);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (x == NULL || factor == NULL || sign == NULL || perm == NULL || level == NULL ||
        dir == NULL || rng == NULL)
        goto fail;
    gsl_rng_set(rng, seed);

    const unsigned half = levels / 2;
    const double grid = (double)(levels - 1);
    for (size_t t = 0; t < r; t++) {
        for (size_t i = 0; i < k; i++)
            level[i] = (unsigned)gsl_rng_uniform_int(rng, half);
        for (size_t i = 0; i < k; i++)
            dir[i] = gsl_rng_uniform_int(rng, 2) == 1 ? 1 : -1;
        for (size_t i = 0; i < k; i++)
            perm[i] = i;
        for (size_t m = k - 1; m >= 1; m--) {
            size_t j = (size_t)gsl_rng_uniform_int(rng, (unsigned long)(m + 1));
            size_t tmp = perm[m];
            perm[m] = perm[j];
            perm[j] = tmp;
        }

        /* A coordinate is always level / (p - 1) computed afresh, never a
         * running sum of steps: the same level gives the same bits. */
        double *row = x + t * (k + 1) * k;
        for (size_t i = 0; i < k; i++) {
            if (dir[i] < 0)
                level[i] += half;
            row[i] = (double)level[i] / grid;
        }
        for (size_t s = 1; s <= k; s++) {
            double *prev = row + (s - 1) * k, *cur = row + s * k;
            size_t i = perm[s - 1];
            memcpy(cur, prev, k * sizeof *cur);
            level[i] = dir[i] > 0 ? level[i] + half : level[i] - half;
            cur[i] = (double)level[i] / grid;
            factor[t * k + s - 1] = i;
            sign[t * k + s - 1] = dir[i];
        }
    }

    gsl_rng_free(rng);
    bf__free(perm);
    bf__free(level);
    bf__free(dir);
    d->k = k;
    d->r = r;
    d->levels = levels;
    d->delta = (double)half / grid;
    d->seed = seed;
    d->n_points = n_points;
    d->x = x;
    d->factor = factor;
    d->sign = sign;
    return 0;

fail:
    if (rng != NULL)
        gsl_rng_free(rng);
    bf__free(x);
    bf__free(factor);
    bf__free(sign);
    bf__free(perm);
    bf__free(level);
    bf__free(dir);
    bf_diag_where(diag, "%s", fn);
    bf_diag_set(diag, "out of memory for %zu points of %zu parameters", n_points, k);
    return BF_ENOMEM;
}

void bf_morris_design_fini(struct bf_morris_design *d)
{
    bf__free(d->x);
    bf__free(d->factor);
    bf__free(d->sign);
    memset(d, 0, sizeof *d);
}

/* ---- Morris: the estimators ---- */

/*
 * mu, mu* and sigma of every parameter from the effects ee[t * k + i] of the
 * trajectories pick[0..r) (NULL: 0..r-1, in order). Two passes for sigma:
 * the effects of a parameter can be large and nearly equal (a linear model),
 * where a one-pass sum of squares would cancel to noise.
 */
static void morris_stats(const double *ee, size_t r, size_t k, const size_t *pick, double *mu,
                         double *mu_star, double *sigma)
{
    for (size_t i = 0; i < k; i++) {
        double sum = 0.0, sum_abs = 0.0;
        for (size_t q = 0; q < r; q++) {
            double e = ee[(pick != NULL ? pick[q] : q) * k + i];
            sum += e;
            sum_abs += fabs(e);
        }
        const double m = sum / (double)r;
        double ss = 0.0;
        for (size_t q = 0; q < r; q++) {
            double e = ee[(pick != NULL ? pick[q] : q) * k + i] - m;
            ss += e * e;
        }
        mu[i] = m;
        mu_star[i] = sum_abs / (double)r;
        sigma[i] = sqrt(ss / (double)(r - 1));
    }
}

int bf_morris_analyze(const struct bf_morris_design *d, const double *y, size_t n_metrics,
                      const struct bf_sens_bootstrap *boot, struct bf_morris_index *out,
                      struct bf_diag *diag)
{
    static const char fn[] = "bf_morris_analyze";
    BF_ASSERT(d != NULL && d->x != NULL && y != NULL && boot != NULL && out != NULL);
    /* what bf_morris_design_init guarantees: a design made otherwise is a bug */
    BF_ASSERT(d->k >= 1 && d->r >= 2 && d->r <= UNIFORM_INT_MAX &&
              d->n_points == d->r * (d->k + 1));
    if (n_metrics == 0) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "no metrics to analyse (n_metrics = 0)");
        return BF_EINVAL;
    }
    int rc = check_bootstrap(boot, fn, diag);
    if (rc != 0)
        return rc;
    rc = check_outputs(y, d->n_points, n_metrics, d->k + 1, "trajectory", fn, diag);
    if (rc != 0)
        return rc;

    const size_t k = d->k, r = d->r, nb = boot->resamples;
    size_t n_out = 0, n_boot = 0;
    if (!mul_fits(n_metrics, k, &n_out) || !mul_fits(nb, 3 * k, &n_boot)) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "%zu metrics of %zu parameters are too many to address", n_metrics, k);
        return BF_ERANGE;
    }
    struct bf_morris_index *res = alloc_array(n_out, sizeof *res);
    double *ee = alloc_array(r * k, sizeof *ee);
    double *stat = alloc_array(3 * k, sizeof *stat);  /* mu, mu*, sigma of one resample */
    double *vals = alloc_array(n_boot, sizeof *vals); /* [statistic][parameter][resample] */
    size_t *pick = alloc_array(r, sizeof *pick);
    gsl_rng *rng = boot_rng(boot);
    rc = BF_ENOMEM;
    if (res == NULL || ee == NULL || stat == NULL || vals == NULL || pick == NULL ||
        (nb > 0 && rng == NULL))
        goto done;

    for (size_t m = 0; m < n_metrics; m++) {
        for (size_t t = 0; t < r; t++)
            for (size_t s = 1; s <= k; s++) {
                const size_t j = t * (k + 1) + s;
                const size_t step = t * k + s - 1;
                const double dy = y[j * n_metrics + m] - y[(j - 1) * n_metrics + m];
                ee[t * k + d->factor[step]] = dy / ((double)d->sign[step] * d->delta);
            }
        morris_stats(ee, r, k, NULL, stat, stat + k, stat + 2 * k);
        struct bf_morris_index *o = res + m * k;
        for (size_t i = 0; i < k; i++) {
            o[i].mu.value = stat[i];
            o[i].mu_star.value = stat[k + i];
            o[i].sigma.value = stat[2 * k + i];
            o[i].mu.lo = o[i].mu.hi = o[i].mu_star.lo = o[i].mu_star.hi = (double)NAN;
            o[i].sigma.lo = o[i].sigma.hi = (double)NAN;
        }
        if (nb == 0)
            continue;
        gsl_rng_set(rng, boot->seed);
        for (size_t b = 0; b < nb; b++) {
            resample(rng, pick, r);
            morris_stats(ee, r, k, pick, stat, stat + k, stat + 2 * k);
            for (size_t c = 0; c < 3 * k; c++)
                vals[c * nb + b] = stat[c];
        }
        for (size_t i = 0; i < k; i++) {
            percentile(vals + i * nb, nb, boot->level, &o[i].mu);
            percentile(vals + (k + i) * nb, nb, boot->level, &o[i].mu_star);
            percentile(vals + (2 * k + i) * nb, nb, boot->level, &o[i].sigma);
        }
    }
    memcpy(out, res, n_out * sizeof *out);
    rc = 0;

done:
    if (rc == BF_ENOMEM) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "out of memory for %zu resamples of %zu trajectories", nb, r);
    }
    if (rng != NULL)
        gsl_rng_free(rng);
    bf__free(res);
    bf__free(ee);
    bf__free(stat);
    bf__free(vals);
    bf__free(pick);
    return rc;
}

/* ---- Sobol': the design ---- */

int bf_sobol_design_init(struct bf_sobol_design *d, size_t k, size_t n, struct bf_diag *diag)
{
    static const char fn[] = "bf_sobol_design_init";
    BF_ASSERT(d != NULL);
    memset(d, 0, sizeof *d);
    if (k == 0 || n < 2) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag,
                    "k = %zu parameters, N = %zu base rows: Saltelli sampling needs k >= 1 and "
                    "N >= 2 (a variance needs two rows; 2^10 to 2^14 is usual)",
                    k, n);
        return BF_EINVAL;
    }
    if (k > BF_SOBOL_MAX_PARAMS) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag,
                    "k = %zu parameters: GSL's Sobol' sequence has 40 dimensions, A and B need "
                    "2k, so k <= %u; screen the parameters with Morris and keep those that matter",
                    k, BF_SOBOL_MAX_PARAMS);
        return BF_ERANGE;
    }
    size_t n_points = 0, n_coords = 0;
    if (n > BF_SOBOL_MAX_BASE || !mul_fits(n, k + 2, &n_points) ||
        !mul_fits(n_points, k, &n_coords)) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "N = %zu base rows: GSL's Sobol' sequence has %zu points", n,
                    BF_SOBOL_MAX_BASE);
        return BF_ERANGE;
    }
    double *x = alloc_array(n_coords, sizeof *x);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    if (x == NULL || q == NULL) {
        bf__free(x);
        if (q != NULL)
            gsl_qrng_free(q);
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "out of memory for %zu points of %zu parameters", n_points, k);
        return BF_ENOMEM;
    }

    double pt[2 * BF_SOBOL_MAX_PARAMS];
    for (size_t row = 0; row < n; row++) {
        /* Fails only past 2^30 - 1 points, which n excludes. */
        int rc = gsl_qrng_get(q, pt);
        BF_ASSERT(rc == 0);
        double *block = x + row * (k + 2) * k;
        double *b_row = block + (k + 1) * k;
        memcpy(block, pt, k * sizeof *block);
        memcpy(b_row, pt + k, k * sizeof *b_row);
        for (size_t i = 0; i < k; i++) {
            double *ab = block + (1 + i) * k;
            memcpy(ab, pt, k * sizeof *ab);
            ab[i] = pt[k + i];
        }
    }
    gsl_qrng_free(q);
    d->k = k;
    d->n = n;
    d->n_points = n_points;
    d->x = x;
    return 0;
}

void bf_sobol_design_fini(struct bf_sobol_design *d)
{
    bf__free(d->x);
    memset(d, 0, sizeof *d);
}

/* ---- Sobol': the estimators ---- */

/*
 * Mean, variance and the indices of metric m from the base rows pick[0..n)
 * (NULL: 0..n-1). y(row, c) is the output of point row (k + 2) + c. st has
 * room for 2 + 2k values: mean, variance, S_0..S_k-1, ST_0..ST_k-1.
 */
static void sobol_stats(const double *y, size_t stride, size_t m, size_t k, size_t n,
                        const size_t *pick, double *st)
{
#define Y(row, c) y[((row) * (k + 2) + (c)) * stride + m]
    double sum = 0.0, lo = (double)INFINITY, hi = -(double)INFINITY, big = 0.0;
    for (size_t q = 0; q < n; q++) {
        const size_t row = pick != NULL ? pick[q] : q;
        const double a = Y(row, 0), b = Y(row, k + 1);
        sum += a + b;
        lo = fmin(lo, fmin(a, b));
        hi = fmax(hi, fmax(a, b));
        big = fmax(big, fmax(fabs(a), fabs(b)));
    }
    const double mean = sum / (double)(2 * n);
    double ss = 0.0;
    for (size_t q = 0; q < n; q++) {
        const size_t row = pick != NULL ? pick[q] : q;
        const double a = Y(row, 0) - mean, b = Y(row, k + 1) - mean;
        ss += a * a + b * b;
    }
    const double var = ss / (double)(2 * n - 1);
    st[0] = mean;
    st[1] = var;
    double *first = st + 2, *total = st + 2 + k;
    /* The same rule as bf_stats_paired: a spread of a few ulps is a value
     * computed in another order, not variance; its ratios would be noise. */
    if (!(hi - lo > 1e-9 * big)) {
        for (size_t i = 0; i < k; i++)
            first[i] = total[i] = (double)NAN;
        return;
    }
    for (size_t i = 0; i < k; i++)
        first[i] = total[i] = 0.0;
    for (size_t q = 0; q < n; q++) {
        const size_t row = pick != NULL ? pick[q] : q;
        const double a = Y(row, 0), bc = Y(row, k + 1) - mean;
        for (size_t i = 0; i < k; i++) {
            /* the centring cancels in the difference: only f_B needs it */
            const double diff = Y(row, 1 + i) - a;
            first[i] += bc * diff;
            total[i] += diff * diff;
        }
    }
    for (size_t i = 0; i < k; i++) {
        first[i] = first[i] / (double)n / var;
        total[i] = total[i] / (double)n / (2.0 * var);
    }
#undef Y
}

int bf_sobol_analyze(const struct bf_sobol_design *d, const double *y, size_t n_metrics,
                     const struct bf_sens_bootstrap *boot, struct bf_sobol_index *out,
                     struct bf_sobol_moments *moments, struct bf_diag *diag)
{
    static const char fn[] = "bf_sobol_analyze";
    BF_ASSERT(d != NULL && d->x != NULL && y != NULL && boot != NULL && out != NULL);
    /* what bf_sobol_design_init guarantees; e[] below relies on k <= 20 */
    BF_ASSERT(d->k >= 1 && d->k <= BF_SOBOL_MAX_PARAMS && d->n >= 2 && d->n <= BF_SOBOL_MAX_BASE &&
              d->n_points == d->n * (d->k + 2));
    if (n_metrics == 0) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "no metrics to analyse (n_metrics = 0)");
        return BF_EINVAL;
    }
    int rc = check_bootstrap(boot, fn, diag);
    if (rc != 0)
        return rc;
    rc = check_outputs(y, d->n_points, n_metrics, d->k + 2, "base row", fn, diag);
    if (rc != 0)
        return rc;

    const size_t k = d->k, n = d->n, nb = boot->resamples, n_stat = 2 + 2 * k;
    size_t n_out = 0, n_boot = 0;
    if (!mul_fits(n_metrics, k, &n_out) || !mul_fits(nb, n_stat, &n_boot)) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "%zu metrics of %zu parameters are too many to address", n_metrics, k);
        return BF_ERANGE;
    }
    struct bf_sobol_index *res = alloc_array(n_out, sizeof *res);
    struct bf_sobol_moments *mom = alloc_array(n_metrics, sizeof *mom);
    double *stat = alloc_array(n_stat, sizeof *stat);
    double *vals = alloc_array(n_boot, sizeof *vals); /* [statistic][resample] */
    size_t *pick = alloc_array(n, sizeof *pick);
    gsl_rng *rng = boot_rng(boot);
    rc = BF_ENOMEM;
    if (res == NULL || mom == NULL || stat == NULL || vals == NULL || pick == NULL ||
        (nb > 0 && rng == NULL))
        goto done;

    for (size_t m = 0; m < n_metrics; m++) {
        sobol_stats(y, n_metrics, m, k, n, NULL, stat);
        struct bf_sens_estimate *e[2 + 2 * BF_SOBOL_MAX_PARAMS];
        e[0] = &mom[m].mean;
        e[1] = &mom[m].variance;
        for (size_t i = 0; i < k; i++) {
            e[2 + i] = &res[m * k + i].first;
            e[2 + k + i] = &res[m * k + i].total;
        }
        for (size_t c = 0; c < n_stat; c++) {
            e[c]->value = stat[c];
            e[c]->lo = e[c]->hi = (double)NAN;
        }
        if (nb == 0)
            continue;
        gsl_rng_set(rng, boot->seed);
        for (size_t b = 0; b < nb; b++) {
            resample(rng, pick, n);
            sobol_stats(y, n_metrics, m, k, n, pick, stat);
            for (size_t c = 0; c < n_stat; c++)
                vals[c * nb + b] = stat[c];
        }
        for (size_t c = 0; c < n_stat; c++)
            percentile(vals + c * nb, nb, boot->level, e[c]);
    }
    memcpy(out, res, n_out * sizeof *out);
    if (moments != NULL)
        memcpy(moments, mom, n_metrics * sizeof *moments);
    rc = 0;

done:
    if (rc == BF_ENOMEM) {
        bf_diag_where(diag, "%s", fn);
        bf_diag_set(diag, "out of memory for %zu resamples of %zu base rows", nb, n);
    }
    if (rng != NULL)
        gsl_rng_free(rng);
    bf__free(res);
    bf__free(mom);
    bf__free(stat);
    bf__free(vals);
    bf__free(pick);
    return rc;
}
