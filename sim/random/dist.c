/*
 * dist.c - distributions: constructors, validation, sampling, moments,
 * quantiles and CDFs.
 *
 * Sampling, CDFs and quantiles are GSL's (gsl_ran_*, gsl_cdf_*) except where
 * GSL has no such distribution (triangular) or would need an allocated table
 * (empirical, see empirical_walk()).
 *
 * Return codes of the checks: BF_EINVAL when a parameter is not a usable
 * number at all (NaN, infinity, an unknown kind, a wrong count of empirical
 * values); BF_ERANGE when it is a number outside its allowed range (a
 * negative sd, a probability above 1, a > b).
 */
#include "borderflow/dist.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "borderflow/alloc.h"

static const char *const kind_names[BF_DIST__COUNT] = {
    [BF_DIST_FIXED] = "fixed",           [BF_DIST_UNIFORM] = "uniform",
    [BF_DIST_TRIANGULAR] = "triangular", [BF_DIST_EXPONENTIAL] = "exponential",
    [BF_DIST_LOGNORMAL] = "lognormal",   [BF_DIST_GAMMA] = "gamma",
    [BF_DIST_WEIBULL] = "weibull",       [BF_DIST_EMPIRICAL] = "empirical",
    [BF_DIST_BERNOULLI] = "bernoulli",
};

const char *bf_dist_kind_name(enum bf_dist_kind kind)
{
    if ((unsigned)kind >= BF_DIST__COUNT)
        return NULL;
    return kind_names[kind];
}

/* ---- messages ---------------------------------------------------------- */

/*
 * Precision for printing a number in a message with "%.*g": the shortest of
 * 15 or 17 digits that reads back as the same double. %g's default 6 digits
 * would print "uniform a (1) must be less than b (1)" for a = 1.0000001.
 */
static int digits(double x)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", x);
    return strtod(buf, NULL) == x ? 15 : 17;
}

/* A finite number (any sign). */
static int need_finite(const char *what, double x, struct bf_diag *diag)
{
    if (isfinite(x))
        return 0;
    bf_diag_set(diag, "%s is %.*g; it must be a finite number", what, digits(x), x);
    return BF_EINVAL;
}

/* A finite number > 0. */
static int need_positive(const char *what, double x, struct bf_diag *diag)
{
    if (!isfinite(x)) {
        bf_diag_set(diag, "%s is %.*g; it must be a finite number greater than 0", what, digits(x),
                    x);
        return BF_EINVAL;
    }
    if (x > 0)
        return 0;
    bf_diag_set(diag, "%s (%.*g) must be greater than 0", what, digits(x), x);
    return BF_ERANGE;
}

/* ---- validation -------------------------------------------------------- */

static int check_uniform(const struct bf_dist *d, struct bf_diag *diag)
{
    int rc;
    if ((rc = need_finite("uniform lower bound a", d->p[0], diag)) != 0 ||
        (rc = need_finite("uniform upper bound b", d->p[1], diag)) != 0)
        return rc;
    if (d->p[0] < d->p[1])
        return 0;
    bf_diag_set(diag, "uniform lower bound a (%.*g) must be less than the upper bound b (%.*g)",
                digits(d->p[0]), d->p[0], digits(d->p[1]), d->p[1]);
    return BF_ERANGE;
}

static int check_triangular(const struct bf_dist *d, struct bf_diag *diag)
{
    const double min = d->p[0], mode = d->p[1], max = d->p[2];
    int rc;
    if ((rc = need_finite("triangular min", min, diag)) != 0 ||
        (rc = need_finite("triangular mode", mode, diag)) != 0 ||
        (rc = need_finite("triangular max", max, diag)) != 0)
        return rc;
    if (!(min < max)) {
        bf_diag_set(diag, "triangular min (%.*g) must be less than max (%.*g)", digits(min), min,
                    digits(max), max);
        return BF_ERANGE;
    }
    if (!(min <= mode && mode <= max)) {
        bf_diag_set(diag, "triangular mode (%.*g) must lie between min (%.*g) and max (%.*g)",
                    digits(mode), mode, digits(min), min, digits(max), max);
        return BF_ERANGE;
    }
    return 0;
}

/* The first n entries of v and w (n already known to be in range). Indices
 * in messages are those of the arrays as given, counted from 0 like JSON
 * array paths. */
static int check_empirical_entries(const double *v, const double *w, unsigned n,
                                   struct bf_diag *diag)
{
    double total = 0.0;
    for (unsigned i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            bf_diag_set(diag, "empirical values[%u] is %.*g; values must be finite numbers", i,
                        digits(v[i]), v[i]);
            return BF_EINVAL;
        }
        if (!isfinite(w[i])) {
            bf_diag_set(diag, "empirical weights[%u] is %.*g; weights must be finite numbers >= 0",
                        i, digits(w[i]), w[i]);
            return BF_EINVAL;
        }
        if (w[i] < 0) {
            bf_diag_set(diag, "empirical weights[%u] (%.*g) must be >= 0", i, digits(w[i]), w[i]);
            return BF_ERANGE;
        }
        total += w[i];
    }
    if (!(total > 0)) {
        bf_diag_set(diag,
                    "empirical weights sum to %.*g; at least one weight must be greater "
                    "than 0",
                    digits(total), total);
        return BF_ERANGE;
    }
    if (!isfinite(total)) {
        bf_diag_set(diag, "empirical weights sum to %.*g; their sum must be a finite number",
                    digits(total), total);
        return BF_ERANGE;
    }
    return 0;
}

static int check_empirical_count(size_t n, struct bf_diag *diag)
{
    if (n >= 1 && n <= BF_DIST_EMPIRICAL_MAX)
        return 0;
    bf_diag_set(diag, "empirical distribution needs 1 to %d values, got %zu", BF_DIST_EMPIRICAL_MAX,
                n);
    return BF_EINVAL;
}

int bf_dist_check(const struct bf_dist *d, struct bf_diag *diag)
{
    BF_ASSERT(d != NULL);
    int rc;
    switch (d->kind) {
    case BF_DIST_FIXED:
        return need_finite("fixed value", d->p[0], diag);
    case BF_DIST_UNIFORM:
        return check_uniform(d, diag);
    case BF_DIST_TRIANGULAR:
        return check_triangular(d, diag);
    case BF_DIST_EXPONENTIAL:
        return need_positive("exponential mean", d->p[0], diag);
    case BF_DIST_LOGNORMAL:
        if ((rc = need_finite("lognormal mu", d->p[0], diag)) != 0)
            return rc;
        return need_positive("lognormal sigma", d->p[1], diag);
    case BF_DIST_GAMMA:
        if ((rc = need_positive("gamma shape", d->p[0], diag)) != 0)
            return rc;
        if (!(d->p[0] >= BF_DIST_GAMMA_SHAPE_MIN && d->p[0] <= BF_DIST_GAMMA_SHAPE_MAX)) {
            bf_diag_set(
                diag,
                "gamma shape %.*g is outside [%g, %g] (a coefficient of variation from "
                "%.3g down to %.3g): beyond it the quantiles that draws need cannot be computed",
                digits(d->p[0]), d->p[0], BF_DIST_GAMMA_SHAPE_MIN, BF_DIST_GAMMA_SHAPE_MAX,
                1.0 / sqrt(BF_DIST_GAMMA_SHAPE_MIN), 1.0 / sqrt(BF_DIST_GAMMA_SHAPE_MAX));
            return BF_ERANGE;
        }
        return need_positive("gamma scale", d->p[1], diag);
    case BF_DIST_WEIBULL:
        if ((rc = need_positive("weibull shape", d->p[0], diag)) != 0)
            return rc;
        return need_positive("weibull scale", d->p[1], diag);
    case BF_DIST_EMPIRICAL:
        if ((rc = check_empirical_count(d->n, diag)) != 0)
            return rc;
        return check_empirical_entries(d->v, d->w, d->n, diag);
    case BF_DIST_BERNOULLI:
        if (!isfinite(d->p[0])) {
            bf_diag_set(diag, "bernoulli probability is %.*g; it must be a finite number in [0, 1]",
                        digits(d->p[0]), d->p[0]);
            return BF_EINVAL;
        }
        if (d->p[0] >= 0 && d->p[0] <= 1)
            return 0;
        bf_diag_set(diag, "bernoulli probability %.*g is outside [0, 1]", digits(d->p[0]), d->p[0]);
        return BF_ERANGE;
    case BF_DIST__COUNT:
        break;
    }
    bf_diag_set(diag, "unknown distribution kind %d; kinds are 0 to %d", (int)d->kind,
                BF_DIST__COUNT - 1);
    return BF_EINVAL;
}

/* ---- constructors ------------------------------------------------------ */

static void set(struct bf_dist *d, enum bf_dist_kind kind, double p0, double p1, double p2)
{
    BF_ASSERT(d != NULL);
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->p[0] = p0;
    d->p[1] = p1;
    d->p[2] = p2;
}

/*
 * Validates parameters derived from a checked parameterisation. They can
 * still fail at the extremes (cv = 1e-200 gives shape 1/cv^2 = inf), and
 * the message then names the numbers the user wrote, not only ours.
 */
static int check_derived(const struct bf_dist *d, const char *name0, double x0, const char *name1,
                         double x1, struct bf_diag *diag)
{
    struct bf_diag inner;
    bf_diag_clear(&inner);
    int rc = bf_dist_check(d, &inner);
    if (rc != 0)
        bf_diag_set(diag, "%s %s %.*g and %s %.*g give unusable parameters: %s",
                    bf_dist_kind_name(d->kind), name0, digits(x0), x0, name1, digits(x1), x1,
                    inner.msg);
    return rc;
}

int bf_dist_fixed(struct bf_dist *d, double value, struct bf_diag *diag)
{
    set(d, BF_DIST_FIXED, value, 0, 0);
    return bf_dist_check(d, diag);
}

int bf_dist_uniform(struct bf_dist *d, double a, double b, struct bf_diag *diag)
{
    set(d, BF_DIST_UNIFORM, a, b, 0);
    return bf_dist_check(d, diag);
}

int bf_dist_triangular(struct bf_dist *d, double min, double mode, double max, struct bf_diag *diag)
{
    set(d, BF_DIST_TRIANGULAR, min, mode, max);
    return bf_dist_check(d, diag);
}

int bf_dist_exponential(struct bf_dist *d, double mean, struct bf_diag *diag)
{
    set(d, BF_DIST_EXPONENTIAL, mean, 0, 0);
    return bf_dist_check(d, diag);
}

int bf_dist_lognormal(struct bf_dist *d, double mu, double sigma, struct bf_diag *diag)
{
    set(d, BF_DIST_LOGNORMAL, mu, sigma, 0);
    return bf_dist_check(d, diag);
}

int bf_dist_lognormal_median_p90(struct bf_dist *d, double median, double p90, struct bf_diag *diag)
{
    set(d, BF_DIST_LOGNORMAL, 0, 0, 0);
    int rc;
    if ((rc = need_positive("lognormal median", median, diag)) != 0)
        return rc;
    if (!isfinite(p90)) {
        bf_diag_set(diag,
                    "lognormal p90 is %.*g; it must be a finite number greater than the "
                    "median (%.*g)",
                    digits(p90), p90, digits(median), median);
        return BF_EINVAL;
    }
    if (!(p90 > median)) {
        bf_diag_set(diag, "lognormal p90 (%.*g) must be greater than the median (%.*g)",
                    digits(p90), p90, digits(median), median);
        return BF_ERANGE;
    }
    /* median = exp(mu); p90 = exp(mu + sigma z90). */
    const double mu = log(median);
    d->p[0] = mu;
    d->p[1] = (log(p90) - mu) / gsl_cdf_ugaussian_Pinv(0.9);
    return check_derived(d, "median", median, "p90", p90, diag);
}

int bf_dist_lognormal_mean_sd(struct bf_dist *d, double mean, double sd, struct bf_diag *diag)
{
    set(d, BF_DIST_LOGNORMAL, 0, 0, 0);
    int rc;
    if ((rc = need_positive("lognormal mean", mean, diag)) != 0 ||
        (rc = need_positive("lognormal sd", sd, diag)) != 0)
        return rc;
    /* Moment matching: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
     * log1p keeps sigma accurate for small cv, where 1 + cv^2 rounds. */
    const double cv = sd / mean;
    const double sigma2 = log1p(cv * cv);
    d->p[0] = log(mean) - sigma2 / 2;
    d->p[1] = sqrt(sigma2);
    return check_derived(d, "mean", mean, "sd", sd, diag);
}

int bf_dist_gamma(struct bf_dist *d, double shape, double scale, struct bf_diag *diag)
{
    set(d, BF_DIST_GAMMA, shape, scale, 0);
    return bf_dist_check(d, diag);
}

int bf_dist_gamma_mean_cv(struct bf_dist *d, double mean, double cv, struct bf_diag *diag)
{
    set(d, BF_DIST_GAMMA, 0, 0, 0);
    int rc;
    if ((rc = need_positive("gamma mean", mean, diag)) != 0 ||
        (rc = need_positive("gamma cv", cv, diag)) != 0)
        return rc;
    /* mean = k theta, cv = 1 / sqrt(k). */
    d->p[0] = 1 / (cv * cv);
    d->p[1] = mean * cv * cv;
    return check_derived(d, "mean", mean, "cv", cv, diag);
}

int bf_dist_weibull(struct bf_dist *d, double shape, double scale, struct bf_diag *diag)
{
    set(d, BF_DIST_WEIBULL, shape, scale, 0);
    return bf_dist_check(d, diag);
}

int bf_dist_empirical(struct bf_dist *d, const double *values, const double *weights, size_t n,
                      struct bf_diag *diag)
{
    set(d, BF_DIST_EMPIRICAL, 0, 0, 0);
    int rc;
    if ((rc = check_empirical_count(n, diag)) != 0)
        return rc;
    BF_ASSERT(values != NULL && weights != NULL);
    d->n = (unsigned)n;
    memcpy(d->v, values, n * sizeof *values);
    memcpy(d->w, weights, n * sizeof *weights);
    /* Checked before sorting so that messages give the caller's indices. */
    if ((rc = check_empirical_entries(d->v, d->w, d->n, diag)) != 0)
        return rc;
    /* Stored by increasing value (stable, each weight stays with its value):
     * the sampler's walk is then the inverse CDF, so a draw is monotone in
     * its uniform - a small change of weights between policies moves few
     * draws under common random numbers - and equals quantile(U). */
    for (unsigned i = 1; i < d->n; i++) {
        const double v = d->v[i], w = d->w[i];
        unsigned j = i;
        for (; j > 0 && d->v[j - 1] > v; j--) {
            d->v[j] = d->v[j - 1];
            d->w[j] = d->w[j - 1];
        }
        d->v[j] = v;
        d->w[j] = w;
    }
    return 0;
}

int bf_dist_bernoulli(struct bf_dist *d, double p, struct bf_diag *diag)
{
    set(d, BF_DIST_BERNOULLI, p, 0, 0);
    return bf_dist_check(d, diag);
}

/* ---- sampling and quantiles -------------------------------------------- */

/* Inverse CDF of the triangular distribution (GSL has none). */
static double triangular_quantile(const struct bf_dist *d, double u)
{
    const double a = d->p[0], c = d->p[1], b = d->p[2];
    const double fc = (c - a) / (b - a); /* F(mode) */
    if (u < fc)
        return a + sqrt(u * (b - a) * (c - a));
    return b - sqrt((1 - u) * (b - a) * (b - c));
}

/*
 * The first value (in stored order) whose cumulative weight exceeds u times
 * the total: one uniform, no allocation. gsl_ran_discrete would need a
 * preprocessed table allocated per distribution (gsl_ran_discrete_preproc),
 * which a plain-data struct bf_dist, copied freely between threads and
 * policies, cannot own; with at most 16 values a linear walk is as fast as
 * the alias method's lookup. In increasing value order (as the constructor
 * stores them) this is the generalised inverse inf{x : F(x) > u}.
 */
static double empirical_walk(const double *v, const double *w, unsigned n, double u)
{
    double total = 0.0;
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    /* The running sum below adds the same terms in the same order, so it
     * ends exactly at total and u < 1 always finds a value; the fallback is
     * for u == 1. Zero weights never move the sum, so their values are
     * never returned. */
    const double target = u * total;
    double cum = 0.0;
    unsigned last = 0;
    for (unsigned i = 0; i < n; i++) {
        if (w[i] > 0) {
            cum += w[i];
            last = i;
            if (cum > target)
                return v[i];
        }
    }
    return v[last];
}

static double empirical_quantile(const struct bf_dist *d, double u)
{
    /* A hand-filled struct may hold its values in any order; sort a copy
     * (insertion sort: linear when already sorted, as constructed ones
     * are). */
    double v[BF_DIST_EMPIRICAL_MAX], w[BF_DIST_EMPIRICAL_MAX];
    for (unsigned i = 0; i < d->n; i++) {
        unsigned j = i;
        for (; j > 0 && v[j - 1] > d->v[i]; j--) {
            v[j] = v[j - 1];
            w[j] = w[j - 1];
        }
        v[j] = d->v[i];
        w[j] = d->w[i];
    }
    return empirical_walk(v, w, d->n, u);
}

/* The end of a switch that returns for every kind, after
 * assert_cheap_valid() or an equivalent check; bf__assert_fail is _Noreturn,
 * so no dummy return value is needed. */
#define UNREACHABLE_KIND() bf__assert_fail("kind < BF_DIST__COUNT", __FILE__, __LINE__, __func__)

static void assert_cheap_valid(const struct bf_dist *d)
{
    /* Only what keeps memory safe; the full check ran when d was built and
     * would cost more than the draw itself. */
    BF_ASSERT((unsigned)d->kind < BF_DIST__COUNT);
    BF_ASSERT(d->kind != BF_DIST_EMPIRICAL || (d->n >= 1 && d->n <= BF_DIST_EMPIRICAL_MAX));
}

double bf_dist_sample(const struct bf_dist *d, gsl_rng *r)
{
    assert_cheap_valid(d);
    switch (d->kind) {
    case BF_DIST_FIXED:
        return d->p[0]; /* draws nothing from r */
    case BF_DIST_UNIFORM:
        return gsl_ran_flat(r, d->p[0], d->p[1]);
    case BF_DIST_TRIANGULAR:
        return triangular_quantile(d, gsl_rng_uniform(r));
    case BF_DIST_EXPONENTIAL:
        return gsl_ran_exponential(r, d->p[0]);
    case BF_DIST_LOGNORMAL:
        return gsl_ran_lognormal(r, d->p[0], d->p[1]);
    case BF_DIST_GAMMA:
        return gsl_ran_gamma(r, d->p[0], d->p[1]);
    case BF_DIST_WEIBULL:
        return gsl_ran_weibull(r, d->p[1], d->p[0]); /* GSL: (r, scale, shape) */
    case BF_DIST_EMPIRICAL:
        return empirical_walk(d->v, d->w, d->n, gsl_rng_uniform(r));
    case BF_DIST_BERNOULLI:
        return (double)gsl_ran_bernoulli(r, d->p[0]);
    case BF_DIST__COUNT:
        break;
    }
    UNREACHABLE_KIND();
}

double bf_dist_quantile(const struct bf_dist *d, double u)
{
    assert_cheap_valid(d);
    /* [0, 1] rather than the documented [0, 1): u = cdf(x) can be 1. */
    BF_ASSERT(u >= 0 && u <= 1);
    switch (d->kind) {
    case BF_DIST_FIXED:
        return d->p[0];
    case BF_DIST_UNIFORM:
        return gsl_cdf_flat_Pinv(u, d->p[0], d->p[1]);
    case BF_DIST_TRIANGULAR:
        return triangular_quantile(d, u);
    case BF_DIST_EXPONENTIAL:
        return gsl_cdf_exponential_Pinv(u, d->p[0]);
    case BF_DIST_LOGNORMAL:
        return gsl_cdf_lognormal_Pinv(u, d->p[0], d->p[1]);
    case BF_DIST_GAMMA:
        return gsl_cdf_gamma_Pinv(u, d->p[0], d->p[1]);
    case BF_DIST_WEIBULL:
        return gsl_cdf_weibull_Pinv(u, d->p[1], d->p[0]);
    case BF_DIST_EMPIRICAL:
        return empirical_quantile(d, u);
    case BF_DIST_BERNOULLI:
        /* inf{x : F(x) > u} with F(0) = 1 - p, as for empirical. */
        return u < 1 - d->p[0] ? 0.0 : 1.0;
    case BF_DIST__COUNT:
        break;
    }
    UNREACHABLE_KIND();
}

double bf_dist_tail(const struct bf_dist *d)
{
    assert_cheap_valid(d);
    /* L = -ln BF_DIST_TAIL_P; z = the standard normal's 1 - BF_DIST_TAIL_P
     * quantile (gsl_cdf_ugaussian_Qinv(1e-12), a closed-form rational
     * approximation in GSL) */
    const double L = 27.631021115928547, z = 7.0344838253011321;
    const double *p = d->p;
    switch (d->kind) {
    case BF_DIST_FIXED:
        return p[0];
    case BF_DIST_UNIFORM:
        return p[1];
    case BF_DIST_TRIANGULAR:
        return p[2];
    case BF_DIST_EXPONENTIAL:
        return p[0] * L;
    case BF_DIST_LOGNORMAL:
        return exp(p[0] + p[1] * z);
    case BF_DIST_GAMMA:
        return p[1] * (p[0] + sqrt(2.0 * p[0] * L) + L);
    case BF_DIST_WEIBULL: /* in logs: scale 1e-300 with shape 1e-3 is finite */
        return exp(log(p[1]) + log(L) / p[0]);
    case BF_DIST_EMPIRICAL: {
        double m = d->v[0];
        for (unsigned i = 1; i < d->n; i++)
            m = d->v[i] > m ? d->v[i] : m;
        return m;
    }
    case BF_DIST_BERNOULLI:
        return 1.0;
    case BF_DIST__COUNT:
        break;
    }
    UNREACHABLE_KIND();
}

/* Table layout: the central points, then the lower and the upper tail's
 * logarithms, each tail (BF_QTABLE_OCT - 6) * BF_QTABLE_SUB + 1 points at
 * w = 6, 6 + 1/SUB, ..., BF_QTABLE_OCT (u = 2^-w, or 1 - u = 2^-w). */
#define TAIL_W0 6.0
#define TAIL_N  ((BF_QTABLE_OCT - 6) * BF_QTABLE_SUB + 1)
#define TAIL_LO 0.015625 /* 2^-TAIL_W0 */

static bool tabulated(enum bf_dist_kind k)
{
    return k == BF_DIST_GAMMA || k == BF_DIST_LOGNORMAL;
}

/* Q(1 - v) of a tabulated kind, accurate for small v (1 - v would round) */
static double upper_quantile(const struct bf_dist *d, double v)
{
    if (d->kind == BF_DIST_GAMMA)
        return gsl_cdf_gamma_Qinv(v, d->p[0], d->p[1]);
    return gsl_cdf_lognormal_Qinv(v, d->p[0], d->p[1]);
}

int bf_qtable_init(struct bf_qtable *t, const struct bf_dist *d)
{
    assert_cheap_valid(d);
    t->d = *d;
    t->q = NULL;
    if (!tabulated(d->kind))
        return 0;
    double *q = bf__malloc((BF_QTABLE_N + 1 + 2 * TAIL_N) * sizeof *q);
    if (q == NULL)
        return BF_ENOMEM;
    /* the central points outside [1/64, 63/64] (and the next) are never
     * read: not computed (the quantile at 1 is infinite) */
    const unsigned lo = BF_QTABLE_N / 64, hi = BF_QTABLE_N - BF_QTABLE_N / 64 + 1;
    for (unsigned i = 0; i <= BF_QTABLE_N; i++)
        q[i] = i >= lo && i <= hi ? bf_dist_quantile(d, (double)i / BF_QTABLE_N) : (double)NAN;
    double *lower = q + BF_QTABLE_N + 1, *upper = lower + TAIL_N;
    for (unsigned j = 0; j < TAIL_N; j++) {
        double v = exp2(-(TAIL_W0 + (double)j / BF_QTABLE_SUB));
        lower[j] = log(bf_dist_quantile(d, v));
        upper[j] = log(upper_quantile(d, v));
    }
    t->q = q;
    return 0;
}

void bf_qtable_fini(struct bf_qtable *t)
{
    bf__free(t->q);
    t->q = NULL;
}

static double tail(const double *q, double v, const struct bf_dist *d, double u)
{
    double x = (-log2(v) - TAIL_W0) * BF_QTABLE_SUB;
    if (!(x < TAIL_N - 1))
        return bf_dist_quantile(d, u); /* beyond the last octave, or u = 0 */
    unsigned j = (unsigned)x;
    return exp(q[j] + (q[j + 1] - q[j]) * (x - j));
}

double bf__qtable_rest(const struct bf_qtable *t, double u)
{
    BF_ASSERT(u >= 0.0 && u <= 1.0);
    if (t->q == NULL)
        return bf_dist_quantile(&t->d, u);
    const double *q = t->q;
    if (u < TAIL_LO)
        return tail(q + BF_QTABLE_N + 1, u, &t->d, u);
    double v = 1.0 - u; /* exact for u >= 1/2 */
    if (v < TAIL_LO)
        return tail(q + BF_QTABLE_N + 1 + TAIL_N, v, &t->d, u);
    double x = u * BF_QTABLE_N;
    unsigned i = (unsigned)x;
    return q[i] + (q[i + 1] - q[i]) * (x - i);
}

/* ---- the cache ---- */

int bf_qcache_init(struct bf_qcache *c)
{
    memset(c, 0, sizeof *c);
    return pthread_mutex_init(&c->lock, NULL) == 0 ? 0 : BF_ENOMEM;
}

void bf_qcache_fini(struct bf_qcache *c)
{
    for (unsigned i = 0; i < c->n; i++) {
        bf_qtable_fini(c->t[i]);
        bf__free(c->t[i]);
    }
    bf__free(c->t);
    pthread_mutex_destroy(&c->lock);
    memset(c, 0, sizeof *c);
}

/* Equal distributions: every parameter a draw reads (struct padding and
 * unused values aside). */
static bool same_dist(const struct bf_dist *a, const struct bf_dist *b)
{
    if (a->kind != b->kind || memcmp(a->p, b->p, sizeof a->p) != 0)
        return false;
    return a->kind != BF_DIST_EMPIRICAL ||
           (a->n == b->n && memcmp(a->v, b->v, a->n * sizeof a->v[0]) == 0 &&
            memcmp(a->w, b->w, a->n * sizeof a->w[0]) == 0);
}

const struct bf_qtable *bf_qcache_get(struct bf_qcache *c, const struct bf_dist *d)
{
    assert_cheap_valid(d);
    const struct bf_qtable *found = NULL;
    pthread_mutex_lock(&c->lock);
    for (unsigned i = 0; i < c->n && found == NULL; i++)
        if (same_dist(&c->t[i]->d, d))
            found = c->t[i];
    if (found == NULL) {
        struct bf_qtable *t = bf__malloc(sizeof *t);
        if (c->n == c->cap) {
            unsigned cap = c->cap ? 2 * c->cap : 8;
            struct bf_qtable **nt = bf__realloc(c->t, cap * sizeof *nt);
            if (nt != NULL) {
                c->t = nt;
                c->cap = cap;
            }
        }
        if (t != NULL && c->n < c->cap && bf_qtable_init(t, d) == 0) {
            c->t[c->n++] = t;
            found = t;
        } else {
            bf__free(t);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

double bf_dist_cdf(const struct bf_dist *d, double x)
{
    assert_cheap_valid(d);
    BF_ASSERT(!isnan(x));
    const double *p = d->p;
    switch (d->kind) {
    case BF_DIST_FIXED:
        return x >= p[0] ? 1.0 : 0.0;
    case BF_DIST_UNIFORM:
        return gsl_cdf_flat_P(x, p[0], p[1]);
    case BF_DIST_TRIANGULAR:
        /* The x <= mode branch never divides by mode - min = 0: x <= min
         * returned first. Likewise max - mode = 0 is never reached. */
        if (x <= p[0])
            return 0.0;
        if (x <= p[1])
            return (x - p[0]) * (x - p[0]) / ((p[2] - p[0]) * (p[1] - p[0]));
        if (x < p[2])
            return 1 - (p[2] - x) * (p[2] - x) / ((p[2] - p[0]) * (p[2] - p[1]));
        return 1.0;
    /* GSL's P functions are not all defined below the support (weibull's
     * pow of a negative base is NaN), so the positive kinds answer x <= 0
     * here. */
    case BF_DIST_EXPONENTIAL:
        return x <= 0 ? 0.0 : gsl_cdf_exponential_P(x, p[0]);
    case BF_DIST_LOGNORMAL:
        return x <= 0 ? 0.0 : gsl_cdf_lognormal_P(x, p[0], p[1]);
    case BF_DIST_GAMMA:
        return x <= 0 ? 0.0 : gsl_cdf_gamma_P(x, p[0], p[1]);
    case BF_DIST_WEIBULL:
        return x <= 0 ? 0.0 : gsl_cdf_weibull_P(x, p[1], p[0]);
    case BF_DIST_EMPIRICAL: {
        double total = 0.0, below = 0.0;
        for (unsigned i = 0; i < d->n; i++) {
            total += d->w[i];
            if (d->v[i] <= x)
                below += d->w[i];
        }
        return below / total;
    }
    case BF_DIST_BERNOULLI:
        return x < 0 ? 0.0 : x < 1 ? 1 - p[0] : 1.0;
    case BF_DIST__COUNT:
        break;
    }
    UNREACHABLE_KIND();
}

/* ---- moments ----------------------------------------------------------- */

static double empirical_mean(const struct bf_dist *d)
{
    double total = 0.0, sum = 0.0;
    for (unsigned i = 0; i < d->n; i++) {
        total += d->w[i];
        sum += d->w[i] * d->v[i];
    }
    return sum / total;
}

/*
 * Weibull moments E[X^j] = lambda^j Gamma(1 + j/k), computed in logs with
 * gsl_sf_lngamma: gsl_sf_gamma overflows for arguments above ~171.6 (shape
 * below ~0.0117 for the variance) and reports that through the GSL error
 * handler, which aborts; here the result is just +inf. The variance is
 * lambda^2 Gamma(1+2/k) (1 - Gamma(1+1/k)^2 / Gamma(1+2/k)), which also
 * avoids the cancellation of the textbook difference for large k.
 */
static double weibull_moment(double shape, double scale, int j, double *lngamma_out)
{
    const double g = gsl_sf_lngamma(1 + j / shape);
    *lngamma_out = g;
    return exp(j * log(scale) + g);
}

double bf_dist_mean(const struct bf_dist *d)
{
    assert_cheap_valid(d);
    const double *p = d->p;
    double g1;
    switch (d->kind) {
    case BF_DIST_FIXED:
        return p[0];
    case BF_DIST_UNIFORM:
        return (p[0] + p[1]) / 2;
    case BF_DIST_TRIANGULAR:
        return (p[0] + p[1] + p[2]) / 3;
    case BF_DIST_EXPONENTIAL:
        return p[0];
    case BF_DIST_LOGNORMAL:
        return exp(p[0] + p[1] * p[1] / 2);
    case BF_DIST_GAMMA:
        return p[0] * p[1];
    case BF_DIST_WEIBULL:
        return weibull_moment(p[0], p[1], 1, &g1);
    case BF_DIST_EMPIRICAL:
        return empirical_mean(d);
    case BF_DIST_BERNOULLI:
        return p[0];
    case BF_DIST__COUNT:
        break;
    }
    UNREACHABLE_KIND();
}

double bf_dist_variance(const struct bf_dist *d)
{
    assert_cheap_valid(d);
    const double *p = d->p;
    switch (d->kind) {
    case BF_DIST_FIXED:
        return 0.0;
    case BF_DIST_UNIFORM:
        return (p[1] - p[0]) * (p[1] - p[0]) / 12;
    case BF_DIST_TRIANGULAR: {
        const double a = p[0], c = p[1], b = p[2];
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
    }
    case BF_DIST_EXPONENTIAL:
        return p[0] * p[0];
    case BF_DIST_LOGNORMAL: {
        /* (e^{s^2} - 1) e^{2 mu + s^2}; expm1 for small sigma. */
        const double s2 = p[1] * p[1];
        return expm1(s2) * exp(2 * p[0] + s2);
    }
    case BF_DIST_GAMMA:
        return p[0] * p[1] * p[1];
    case BF_DIST_WEIBULL: {
        double g1, g2;
        (void)weibull_moment(p[0], p[1], 1, &g1);
        const double m2 = weibull_moment(p[0], p[1], 2, &g2);
        return m2 * -expm1(2 * g1 - g2);
    }
    case BF_DIST_EMPIRICAL: {
        const double m = empirical_mean(d);
        double total = 0.0, sum = 0.0;
        for (unsigned i = 0; i < d->n; i++) {
            total += d->w[i];
            sum += d->w[i] * (d->v[i] - m) * (d->v[i] - m);
        }
        return sum / total;
    }
    case BF_DIST_BERNOULLI:
        return p[0] * (1 - p[0]);
    case BF_DIST__COUNT:
        break;
    }
    UNREACHABLE_KIND();
}

/* ---- properties and transforms ----------------------------------------- */

int bf_dist_nonnegative(const struct bf_dist *d)
{
    assert_cheap_valid(d);
    switch (d->kind) {
    case BF_DIST_FIXED:
        return d->p[0] >= 0;
    case BF_DIST_UNIFORM:
        return d->p[0] >= 0;
    case BF_DIST_TRIANGULAR:
        return d->p[0] >= 0;
    case BF_DIST_EXPONENTIAL:
    case BF_DIST_LOGNORMAL:
    case BF_DIST_GAMMA:
    case BF_DIST_WEIBULL:
    case BF_DIST_BERNOULLI:
        return 1;
    case BF_DIST_EMPIRICAL:
        /* Every listed value, also those of weight 0: a negative duration in
         * a scenario is a mistake even where it cannot be drawn. */
        for (unsigned i = 0; i < d->n; i++)
            if (!(d->v[i] >= 0))
                return 0;
        return 1;
    case BF_DIST__COUNT:
        break;
    }
    UNREACHABLE_KIND();
}

void bf_dist_scale(struct bf_dist *d, double factor)
{
    assert_cheap_valid(d);
    BF_ASSERT(isfinite(factor) && factor > 0);
    BF_ASSERT(d->kind != BF_DIST_BERNOULLI);
    switch (d->kind) {
    case BF_DIST_FIXED:
    case BF_DIST_EXPONENTIAL: /* p[0] = mean */
        d->p[0] *= factor;
        break;
    case BF_DIST_UNIFORM:
        d->p[0] *= factor;
        d->p[1] *= factor;
        break;
    case BF_DIST_TRIANGULAR:
        d->p[0] *= factor;
        d->p[1] *= factor;
        d->p[2] *= factor;
        break;
    case BF_DIST_LOGNORMAL: /* ln(f X) = ln f + ln X */
        d->p[0] += log(factor);
        break;
    case BF_DIST_GAMMA:
    case BF_DIST_WEIBULL: /* p[1] = scale */
        d->p[1] *= factor;
        break;
    case BF_DIST_EMPIRICAL:
        for (unsigned i = 0; i < d->n; i++)
            d->v[i] *= factor;
        break;
    case BF_DIST_BERNOULLI:
    case BF_DIST__COUNT:
        break;
    }
    /* Off the hot path (scaling happens when a city is set up), so check
     * the whole result: an overflow or underflow (a = b after scaling) must
     * not be sampled silently. */
    BF_ASSERT(bf_dist_check(d, NULL) == 0);
}
