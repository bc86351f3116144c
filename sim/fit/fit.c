/*
 * fit.c - maximum-likelihood fits of the engine's duration families, their
 * goodness of fit, the ranking, and the spec to paste into a scenario.
 *
 * GSL does the numerical work it has: the digamma and log-gamma functions,
 * the Brent root solver, sorting, and (through bf_dist_cdf) every CDF. Two
 * things are written here because GSL has no such function: Kolmogorov's
 * limit distribution, for the KS p-value (a rapidly converging series,
 * bf_fit_kolmogorov_q), and the Anderson-Darling sum, which is one line once
 * the CDF is known.
 */
#include "borderflow/fit.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sort_double.h>

#include "borderflow/alloc.h"

/* ---- the observations ---- */

int bf_fit_data_init(struct bf_fit_data *s, const double *x, size_t n, struct bf_diag *diag)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            bf_diag_set(diag, "value [%zu] is %g; durations must be finite numbers", i, x[i]);
            return BF_EINVAL;
        }
        if (x[i] < 0) {
            bf_diag_set(diag, "value [%zu] is %g; durations must be >= 0", i, x[i]);
            return BF_EINVAL;
        }
    }
    if (n < BF_FIT_MIN_N) {
        bf_diag_set(diag, "%zu values; a fit needs at least %d", n, BF_FIT_MIN_N);
        return BF_ERANGE;
    }
    s->x = bf__malloc(n * sizeof *s->x);
    if (s->x == NULL) {
        bf_diag_set(diag, "out of memory for %zu values", n);
        return BF_ENOMEM;
    }
    s->n = n;
    for (size_t i = 0; i < n; i++)
        s->x[i] = x[i] == 0 ? 0.0 : x[i]; /* -0 is stored as +0 */
    gsl_sort(s->x, 1, n);
    double sum = 0, sum_log = 0;
    for (size_t i = 0; i < n; i++) {
        sum += s->x[i];
        s->n_distinct += i == 0 || s->x[i] != s->x[i - 1];
        if (s->x[i] == 0)
            s->n_zero++;
        else
            sum_log += log(s->x[i]);
    }
    s->mean = sum / (double)n;
    s->mean_log = s->n_zero > 0 ? -HUGE_VAL : sum_log / (double)n;
    return 0;
}

void bf_fit_data_fini(struct bf_fit_data *s)
{
    bf__free(s->x);
    memset(s, 0, sizeof *s);
}

/* ---- the fits ---- */

static bool all_equal(const struct bf_fit_data *s)
{
    return s->x[0] == s->x[s->n - 1];
}

/* The families that need every value > 0 refuse zeros (fit.h says why). */
static int need_positive(const struct bf_fit_data *s, const char *family, struct bf_diag *diag)
{
    if (s->n_zero == 0)
        return 0;
    bf_diag_set(diag,
                "%zu of the %zu values are 0; a %s needs every value > 0 (its likelihood at 0 "
                "is 0 or unbounded)",
                s->n_zero, s->n, family);
    return BF_ERANGE;
}

static int need_spread(const struct bf_fit_data *s, const char *family, struct bf_diag *diag)
{
    if (!all_equal(s))
        return 0;
    bf_diag_set(diag, "every value is %g; a %s needs values that differ", s->x[0], family);
    return BF_ERANGE;
}

int bf_fit_exponential(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag)
{
    if (!(s->mean > 0)) {
        bf_diag_set(diag, "every value is 0; an exponential needs a mean > 0");
        return BF_ERANGE;
    }
    return bf_dist_exponential(d, s->mean, diag);
}

int bf_fit_lognormal(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag)
{
    int rc;
    if ((rc = need_positive(s, "lognormal", diag)) != 0 ||
        (rc = need_spread(s, "lognormal", diag)) != 0)
        return rc;
    double ss = 0;
    for (size_t i = 0; i < s->n; i++) {
        const double e = log(s->x[i]) - s->mean_log;
        ss += e * e;
    }
    /* The MLE of sigma divides by n, not n - 1. */
    return bf_dist_lognormal(d, s->mean_log, sqrt(ss / (double)s->n), diag);
}

/*
 * Gamma and Weibull: the scale is profiled out (its likelihood equation
 * has a closed form given the shape), which leaves one equation in the
 * shape whose left side is strictly monotone, with a sign change, so it
 * has exactly one root and that root is the MLE. A bracketing solver
 * (Brent) then converges to it for certain, to a relative 1e-12. The other
 * way, gsl_multimin's Nelder-Mead on (ln shape, ln scale), was not taken:
 * it needs a starting simplex and a stopping size, shape and scale are
 * strongly correlated (a long narrow ridge where a simplex creeps), and
 * it would stop at a tolerance on the simplex rather than on the answer.
 */
typedef double score_fn(double k, void *params);

/* The root of a monotone score in k > 0 (sign: +1 increasing, -1
 * decreasing), starting from the guess k0. 0, BF_ERANGE (no sign change
 * within a factor 2^200 of the guess, or no convergence) or BF_ENOMEM. */
static int shape_root(score_fn *f, void *params, double k0, int sign, double *out,
                      struct bf_diag *diag)
{
    double lo = k0 / 2, hi = k0 * 2;
    /* Below the root the score has the sign -sign, above it +sign. */
    for (int i = 0; i < 200 && sign * f(lo, params) > 0; i++)
        lo /= 2;
    for (int i = 0; i < 200 && sign * f(hi, params) < 0; i++)
        hi *= 2;
    const double flo = f(lo, params), fhi = f(hi, params);
    if (flo == 0 || fhi == 0) {
        *out = flo == 0 ? lo : hi;
        return 0;
    }
    if (!(sign * flo < 0 && sign * fhi > 0) || !(lo > 0) || !isfinite(hi)) {
        bf_diag_set(diag, "no maximum of the likelihood found for the shape");
        return BF_ERANGE;
    }
    gsl_root_fsolver *r = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (r == NULL) {
        bf_diag_set(diag, "out of memory for the root solver");
        return BF_ENOMEM;
    }
    gsl_function fn = {.function = f, .params = params};
    gsl_root_fsolver_set(r, &fn, lo, hi);
    int status = GSL_CONTINUE;
    for (int i = 0; i < 200 && status == GSL_CONTINUE; i++) {
        status = gsl_root_fsolver_iterate(r);
        if (status != GSL_SUCCESS)
            break;
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(r), gsl_root_fsolver_x_upper(r), 0,
                                        1e-12);
    }
    *out = gsl_root_fsolver_root(r);
    gsl_root_fsolver_free(r);
    if (status != GSL_SUCCESS) {
        bf_diag_set(diag, "the shape did not converge");
        return BF_ERANGE;
    }
    return 0;
}

/* ln k - psi(k) - s: decreasing from +inf (k -> 0) to -s (k -> inf). */
static double gamma_score(double k, void *params)
{
    const double s = *(const double *)params;
    return log(k) - gsl_sf_psi(k) - s;
}

int bf_fit_gamma(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag)
{
    int rc;
    if ((rc = need_positive(s, "gamma", diag)) != 0 || (rc = need_spread(s, "gamma", diag)) != 0)
        return rc;
    /* s > 0 by Jensen's inequality unless the values are equal; values
     * that differ only in their last bits can round it to <= 0. */
    double ls = log(s->mean) - s->mean_log;
    if (!(ls > 0)) {
        bf_diag_set(diag, "the values differ too little for a gamma (ln mean - mean ln = %g)", ls);
        return BF_ERANGE;
    }
    /* Minka's (2002) approximation of the root, within 1.5%: a bracket of a
     * factor 2 either side almost always holds the root at once. */
    const double k0 = (3 - ls + sqrt((ls - 3) * (ls - 3) + 24 * ls)) / (12 * ls);
    double k;
    if ((rc = shape_root(gamma_score, &ls, k0, -1, &k, diag)) != 0)
        return rc;
    if (!(k >= BF_FIT_GAMMA_SHAPE_MIN && k <= BF_FIT_GAMMA_SHAPE_MAX)) {
        bf_diag_set(diag,
                    "the fitted shape %.3g (cv %.3g) is outside [%g, %g], where GSL's gamma "
                    "quantile fails at some probabilities and a run drawing from it would stop",
                    k, 1 / sqrt(k), BF_FIT_GAMMA_SHAPE_MIN, BF_FIT_GAMMA_SHAPE_MAX);
        return BF_ERANGE;
    }
    return bf_dist_gamma(d, k, s->mean / k, diag);
}

/* The Weibull profile score with u_i = ln x_i - max ln x (so that the
 * weights w_i = x_i^k / max^k stay in (0, 1] and never overflow):
 * sum w u / sum w + (max ln x - mean ln x) - 1/k, increasing in k from
 * -inf to max ln x - mean ln x > 0. */
struct weibull_params {
    const double *u;
    size_t n;
    double gap; /* max ln x - mean ln x */
};

static double weibull_score(double k, void *params)
{
    const struct weibull_params *p = params;
    double sw = 0, swu = 0;
    for (size_t i = 0; i < p->n; i++) {
        const double w = exp(k * p->u[i]);
        sw += w;
        swu += w * p->u[i];
    }
    return swu / sw + p->gap - 1 / k;
}

int bf_fit_weibull(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag)
{
    int rc;
    if ((rc = need_positive(s, "weibull", diag)) != 0 ||
        (rc = need_spread(s, "weibull", diag)) != 0)
        return rc;
    double *u = bf__malloc(s->n * sizeof *u);
    if (u == NULL) {
        bf_diag_set(diag, "out of memory for %zu values", s->n);
        return BF_ENOMEM;
    }
    const double lmax = log(s->x[s->n - 1]);
    double ss = 0;
    for (size_t i = 0; i < s->n; i++) {
        const double l = log(s->x[i]);
        u[i] = l - lmax;
        ss += (l - s->mean_log) * (l - s->mean_log);
    }
    /* The sd of ln X is pi / (k sqrt 6) for a Weibull: the starting guess. */
    const double sd_log = sqrt(ss / (double)s->n);
    const double k0 = sd_log > 0 ? M_PI / (sqrt(6.0) * sd_log) : 1.0;
    struct weibull_params p = {.u = u, .n = s->n, .gap = lmax - s->mean_log};
    double k;
    rc = shape_root(weibull_score, &p, k0, +1, &k, diag);
    if (rc == 0) {
        /* lambda^k = mean of x^k = max^k * mean of w */
        double sw = 0;
        for (size_t i = 0; i < s->n; i++)
            sw += exp(k * u[i]);
        rc = bf_dist_weibull(d, k, exp(lmax + log(sw / (double)s->n) / k), diag);
    }
    bf__free(u);
    return rc;
}

/*
 * At most BF_DIST_EMPIRICAL_MAX values. Data with that few distinct values
 * are reproduced exactly. Otherwise the sorted data are cut into equal-count
 * bins by rank, each represented by its mean and weighted by its count:
 * the mean of the table is then exactly the sample mean (what the cash
 * figures of a simulation depend on most), where bin medians or midpoints
 * would shift it. The price: the largest value is averaged into the top
 * bin, so the table's tail is shorter than the data's.
 */
int bf_fit_empirical(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag)
{
    double v[BF_DIST_EMPIRICAL_MAX], w[BF_DIST_EMPIRICAL_MAX];
    size_t m = 0;
    if (s->n_distinct <= BF_DIST_EMPIRICAL_MAX) {
        for (size_t i = 0; i < s->n; i++) {
            if (m > 0 && v[m - 1] == s->x[i]) {
                w[m - 1] += 1;
            } else {
                v[m] = s->x[i];
                w[m++] = 1;
            }
        }
    } else {
        for (size_t b = 0; b < BF_DIST_EMPIRICAL_MAX; b++) {
            const size_t lo = b * s->n / BF_DIST_EMPIRICAL_MAX;
            const size_t hi = (b + 1) * s->n / BF_DIST_EMPIRICAL_MAX;
            double sum = 0;
            for (size_t i = lo; i < hi; i++)
                sum += s->x[i];
            const double mean = sum / (double)(hi - lo);
            /* ties across bins can give equal means: one value */
            if (m > 0 && v[m - 1] == mean) {
                w[m - 1] += (double)(hi - lo);
            } else {
                v[m] = mean;
                w[m++] = (double)(hi - lo);
            }
        }
    }
    return bf_dist_empirical(d, v, w, m, diag);
}

/* ---- goodness of fit ---- */

double bf_fit_log_density(const struct bf_dist *d, double x)
{
    const double *p = d->p;
    switch (d->kind) {
    case BF_DIST_EXPONENTIAL:
        return x < 0 ? -HUGE_VAL : -log(p[0]) - x / p[0];
    case BF_DIST_LOGNORMAL: {
        if (!(x > 0))
            return -HUGE_VAL;
        const double z = (log(x) - p[0]) / p[1];
        return -log(x) - log(p[1]) - 0.5 * log(2 * M_PI) - 0.5 * z * z;
    }
    case BF_DIST_GAMMA:
        if (x < 0)
            return -HUGE_VAL;
        if (x == 0)
            return p[0] < 1 ? HUGE_VAL : p[0] > 1 ? -HUGE_VAL : -log(p[1]);
        return -gsl_sf_lngamma(p[0]) - p[0] * log(p[1]) + (p[0] - 1) * log(x) - x / p[1];
    case BF_DIST_WEIBULL:
        if (x < 0)
            return -HUGE_VAL;
        if (x == 0)
            return p[0] < 1 ? HUGE_VAL : p[0] > 1 ? -HUGE_VAL : -log(p[1]);
        return log(p[0] / p[1]) + (p[0] - 1) * log(x / p[1]) - pow(x / p[1], p[0]);
    default:
        break;
    }
    bf__assert_fail("a kind with a density", __FILE__, __LINE__, __func__);
}

double bf_fit_loglik(const struct bf_dist *d, const struct bf_fit_data *s)
{
    double ll = 0;
    for (size_t i = 0; i < s->n; i++)
        ll += bf_fit_log_density(d, s->x[i]);
    return ll;
}

static bool discrete(const struct bf_dist *d)
{
    return d->kind == BF_DIST_EMPIRICAL || d->kind == BF_DIST_FIXED || d->kind == BF_DIST_BERNOULLI;
}

double bf_fit_ks(const struct bf_dist *d, const double *x, size_t n)
{
    BF_ASSERT(n >= 1);
    const bool jumps = discrete(d);
    const double nn = (double)n;
    double dmax = 0;
    for (size_t i = 0; i < n; i++) {
        /* F_n jumps at x_i to (i+1)/n (from i/n, counting from 0); where F
         * jumps too, its value just below x_i is the one to compare with
         * F_n's left limit. With ties, the last of a run gives the first
         * term, the first of the run the second. */
        const double f = bf_dist_cdf(d, x[i]);
        const double f_below = jumps ? bf_dist_cdf(d, nextafter(x[i], -HUGE_VAL)) : f;
        const double up = (double)(i + 1) / nn - f, down = f_below - (double)i / nn;
        if (up > dmax)
            dmax = up;
        if (down > dmax)
            dmax = down;
    }
    return dmax;
}

/*
 * Two series for one function: for large t the alternating one converges
 * in a few terms (exp(-2 j^2 t^2)), for small t it would need many and
 * cancel, while the Jacobi-theta form P(K <= t) = sqrt(2 pi) / t
 * sum_{j>=1} exp(-(2j - 1)^2 pi^2 / (8 t^2)) converges at once. At the
 * switch t = 1.18 (Numerical Recipes' choice) both terms' ratios are below
 * 0.07, and 6 terms leave an error below 1e-16.
 */
double bf_fit_kolmogorov_q(double t)
{
    BF_ASSERT(!isnan(t));
    if (t <= 0)
        return 1.0;
    if (t < 1.18) {
        const double y = exp(-M_PI * M_PI / (8 * t * t));
        double sum = 0;
        for (int j = 1; j <= 6; j++)
            sum += pow(y, (double)((2 * j - 1) * (2 * j - 1)));
        return 1 - sqrt(2 * M_PI) / t * sum;
    }
    const double x = exp(-2 * t * t);
    double sum = 0;
    for (int j = 1; j <= 6; j++)
        sum += (j % 2 ? 1 : -1) * pow(x, (double)(j * j));
    return 2 * sum;
}

double bf_fit_ks_pvalue(double d, size_t n)
{
    BF_ASSERT(n >= 1 && d >= 0);
    const double sn = sqrt((double)n);
    const double q = bf_fit_kolmogorov_q((sn + 0.12 + 0.11 / sn) * d);
    return q < 0 ? 0.0 : q > 1 ? 1.0 : q; /* the series' last bits */
}

/* 1 - F(x), accurate in the upper tail for the fitted families (GSL's Q
 * functions); by subtraction for the others, which the tests use with
 * bounded supports only. */
static double survival(const struct bf_dist *d, double x)
{
    const double *p = d->p;
    if (x <= 0 && d->kind >= BF_DIST_EXPONENTIAL && d->kind <= BF_DIST_WEIBULL)
        return 1.0;
    switch (d->kind) {
    case BF_DIST_EXPONENTIAL:
        return gsl_cdf_exponential_Q(x, p[0]);
    case BF_DIST_LOGNORMAL:
        return gsl_cdf_lognormal_Q(x, p[0], p[1]);
    case BF_DIST_GAMMA:
        return gsl_cdf_gamma_Q(x, p[0], p[1]);
    case BF_DIST_WEIBULL:
        return gsl_cdf_weibull_Q(x, p[1], p[0]);
    default:
        return 1 - bf_dist_cdf(d, x);
    }
}

double bf_fit_ad(const struct bf_dist *d, const double *x, size_t n)
{
    BF_ASSERT(n >= 1 && !discrete(d));
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        /* (2i + 1) with i from 0. F = 0 or 1 - F = 0 makes a term -inf and
         * A^2 +inf (fit.h). */
        const double lo = log(bf_dist_cdf(d, x[i]));
        const double hi = log(survival(d, x[n - 1 - i]));
        sum += (double)(2 * i + 1) * (lo + hi);
    }
    return -(double)n - sum / (double)n;
}

/* ---- every family ---- */

static void judge(const struct bf_fit_data *s, struct bf_fit_result *r)
{
    r->n_params = r->kind == BF_DIST_EXPONENTIAL ? 1 : 2;
    r->loglik = bf_fit_loglik(&r->d, s);
    r->aic = 2.0 * r->n_params - 2 * r->loglik;
    r->bic = r->n_params * log((double)s->n) - 2 * r->loglik;
    r->ks_d = bf_fit_ks(&r->d, s->x, s->n);
    r->ks_p = bf_fit_ks_pvalue(r->ks_d, s->n);
    r->ad_a2 = bf_fit_ad(&r->d, s->x, s->n);
}

/* Rank: fitted by AIC (ties keep the order of fitting), then the rest. */
static int rank_key(const struct bf_fit_result *r)
{
    return r->kind == BF_DIST_EMPIRICAL ? 2 : r->fitted ? 0 : 1;
}

static bool before(const struct bf_fit_result *a, const struct bf_fit_result *b)
{
    const int ka = rank_key(a), kb = rank_key(b);
    if (ka != kb)
        return ka < kb;
    return ka == 0 && a->aic < b->aic;
}

int bf_fit_run(const struct bf_fit_data *s, struct bf_fit_table *t, struct bf_diag *diag)
{
    typedef int fit_fn(const struct bf_fit_data *, struct bf_dist *, struct bf_diag *);
    static const struct {
        enum bf_dist_kind kind;
        fit_fn *fit;
    } families[BF_FIT_FAMILIES] = {
        {BF_DIST_EXPONENTIAL, bf_fit_exponential},
        {BF_DIST_LOGNORMAL, bf_fit_lognormal},
        {BF_DIST_GAMMA, bf_fit_gamma},
        {BF_DIST_WEIBULL, bf_fit_weibull},
        {BF_DIST_EMPIRICAL, bf_fit_empirical},
    };
    BF_ASSERT(s->n >= BF_FIT_MIN_N);
    memset(t, 0, sizeof *t);
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++) {
        struct bf_fit_result *r = &t->r[i];
        struct bf_diag why;
        bf_diag_clear(&why);
        r->kind = families[i].kind;
        r->loglik = r->aic = r->bic = r->ks_d = r->ks_p = r->ad_a2 = (double)NAN;
        int rc = families[i].fit(s, &r->d, &why);
        if (rc == BF_ENOMEM) {
            bf_diag_set(diag, "%s: %s", bf_dist_kind_name(r->kind), why.msg);
            return rc;
        }
        /* a refusal is an answer about these data, not a failure */
        if (rc == 0 && !(bf_dist_mean(&r->d) <= BF_FIT_SPEC_LIMIT)) {
            bf_diag_set(&why, "the fitted mean is %g; a duration needs a finite mean",
                        bf_dist_mean(&r->d));
            rc = BF_ERANGE;
        }
        if (rc == 0 && bf_fit_spec(&r->d, r->spec, sizeof r->spec) < 0) {
            bf_diag_set(&why,
                        "its parameters cannot be written as a scenario spec (a number beyond "
                        "%g)",
                        BF_FIT_SPEC_LIMIT);
            rc = BF_ERANGE;
        }
        r->fitted = rc == 0;
        snprintf(r->why, sizeof r->why, "%s", rc == 0 ? "" : why.msg);
        if (!r->fitted)
            continue;
        if (r->kind == BF_DIST_EMPIRICAL)
            r->ks_d = bf_fit_ks(&r->d, s->x, s->n);
        else
            judge(s, r);
    }
    /* Acceptability needs the empirical table's D, fitted last. */
    const double d_table = t->r[BF_FIT_FAMILIES - 1].ks_d;
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++) {
        struct bf_fit_result *r = &t->r[i];
        r->acceptable = r->fitted && (r->kind == BF_DIST_EMPIRICAL || r->ks_p >= BF_FIT_ACCEPT_P ||
                                      r->ks_d <= d_table);
    }
    /* insertion sort, stable: five entries */
    for (unsigned i = 1; i < BF_FIT_FAMILIES; i++) {
        struct bf_fit_result tmp = t->r[i];
        unsigned j = i;
        for (; j > 0 && before(&tmp, &t->r[j - 1]); j--)
            t->r[j] = t->r[j - 1];
        t->r[j] = tmp;
    }
    /* sorted by AIC, so the first acceptable one; the empirical (last,
     * always acceptable) when no parametric family is */
    t->best = BF_FIT_FAMILIES - 1;
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++)
        if (t->r[i].acceptable) {
            t->best = i;
            break;
        }
    return 0;
}

/* ---- the spec ---- */

/*
 * The numbers of a spec, in the order written, and the distribution the
 * loader builds from them: exactly its constructors (sim/scenario/values.c,
 * parse_dist, by the forms of dist_forms.c), so a spec that reads back here
 * is one the loader accepts.
 */
struct spec_numbers {
    double x[2 * BF_DIST_EMPIRICAL_MAX];
    unsigned n;
};

static void spec_numbers(const struct bf_dist *d, struct spec_numbers *out)
{
    const double *p = d->p;
    out->n = 0;
    switch (d->kind) {
    case BF_DIST_EXPONENTIAL:
        out->x[out->n++] = p[0];
        break;
    case BF_DIST_LOGNORMAL:
        /* median = e^mu, p90 = e^(mu + z90 sigma): the form the defaults use */
        out->x[out->n++] = exp(p[0]);
        out->x[out->n++] = exp(p[0] + gsl_cdf_ugaussian_Pinv(0.9) * p[1]);
        break;
    case BF_DIST_GAMMA:
    case BF_DIST_WEIBULL:
        out->x[out->n++] = p[0];
        out->x[out->n++] = p[1];
        break;
    case BF_DIST_EMPIRICAL:
        for (unsigned i = 0; i < d->n; i++)
            out->x[out->n++] = d->v[i];
        for (unsigned i = 0; i < d->n; i++)
            out->x[out->n++] = d->w[i];
        break;
    default:
        bf__assert_fail("a kind bf_fit_spec writes", __FILE__, __LINE__, __func__);
    }
}

static int spec_read_back(enum bf_dist_kind kind, const double *x, unsigned n, struct bf_dist *d)
{
    switch (kind) {
    case BF_DIST_EXPONENTIAL:
        return bf_dist_exponential(d, x[0], NULL);
    case BF_DIST_LOGNORMAL:
        return bf_dist_lognormal_median_p90(d, x[0], x[1], NULL);
    case BF_DIST_GAMMA:
        return bf_dist_gamma(d, x[0], x[1], NULL);
    case BF_DIST_WEIBULL:
        return bf_dist_weibull(d, x[0], x[1], NULL);
    default:
        return bf_dist_empirical(d, x, x + n / 2, n / 2, NULL);
    }
}

/*
 * The same distribution for a scenario (fit.h): each quantile -- each value
 * of a table -- within 1e-5 of its own size and of the distribution's
 * spread (the 10-90% range, a table's range), so that a narrow
 * distribution keeps its width and not only its location.
 */
static bool same_dist(const struct bf_dist *a, const struct bf_dist *b)
{
    if (a->kind == BF_DIST_EMPIRICAL) {
        const double range = b->v[b->n - 1] - b->v[0]; /* the constructor sorts */
        for (unsigned i = 0; i < a->n; i++) {
            const double scale = range > 0 && range < fabs(b->v[i]) ? range : fabs(b->v[i]);
            if (!(fabs(a->v[i] - b->v[i]) <= 1e-5 * scale) || a->w[i] != b->w[i])
                return false;
        }
        return true;
    }
    const double u[3] = {0.1, 0.5, 0.9};
    const double spread = bf_dist_quantile(b, 0.9) - bf_dist_quantile(b, 0.1);
    for (int i = 0; i < 3; i++) {
        const double qa = bf_dist_quantile(a, u[i]), qb = bf_dist_quantile(b, u[i]);
        const double scale = spread < fabs(qb) ? spread : fabs(qb);
        if (!(fabs(qa - qb) <= 1e-5 * scale))
            return false;
    }
    return true;
}

/* Appends printf output at *len, counting what did not fit. */
__attribute__((format(printf, 4, 5))) static void put(char *out, size_t size, size_t *len,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int w =
        vsnprintf(*len < size ? out + *len : NULL, *len < size ? size - *len : 0, fmt, ap);
    va_end(ap);
    BF_ASSERT(w >= 0);
    *len += (size_t)w;
}

int bf_fit_spec(const struct bf_dist *d, char *out, size_t size)
{
    const int rc = bf_dist_check(d, NULL);
    BF_ASSERT(rc == 0 && size >= 1);
    struct spec_numbers num;
    spec_numbers(d, &num);
    out[0] = '\0';
    for (unsigned i = 0; i < num.n; i++)
        if (!(fabs(num.x[i]) <= BF_FIT_SPEC_LIMIT))
            return BF_ERANGE;
    /* the fewest digits from 6 that give the same distribution back */
    int digits = 6;
    double back[2 * BF_DIST_EMPIRICAL_MAX];
    for (; digits <= 17; digits++) {
        for (unsigned i = 0; i < num.n; i++) {
            /* an empirical table's weights (its second half) are written
             * exactly, below */
            const bool weight = d->kind == BF_DIST_EMPIRICAL && i >= num.n / 2;
            char buf[40];
            snprintf(buf, sizeof buf, "%.*g", weight ? 15 : digits, num.x[i]);
            back[i] = strtod(buf, NULL);
        }
        struct bf_dist b;
        if (spec_read_back(d->kind, back, num.n, &b) == 0 && same_dist(&b, d))
            break;
    }
    if (digits > 17)
        return BF_ERANGE;
    size_t len = 0;
    const int g = digits;
    switch (d->kind) {
    case BF_DIST_EXPONENTIAL:
        put(out, size, &len, "{\"dist\": \"exponential\", \"mean\": %.*g}", g, num.x[0]);
        break;
    case BF_DIST_LOGNORMAL:
        put(out, size, &len, "{\"dist\": \"lognormal\", \"median\": %.*g, \"p90\": %.*g}", g,
            num.x[0], g, num.x[1]);
        break;
    case BF_DIST_GAMMA:
    case BF_DIST_WEIBULL:
        put(out, size, &len, "{\"dist\": \"%s\", \"shape\": %.*g, \"scale\": %.*g}",
            bf_dist_kind_name(d->kind), g, num.x[0], g, num.x[1]);
        break;
    default:
        put(out, size, &len, "{\"dist\": \"empirical\", \"values\": [");
        for (unsigned i = 0; i < d->n; i++)
            put(out, size, &len, "%s%.*g", i ? ", " : "", g, d->v[i]);
        put(out, size, &len, "], \"weights\": [");
        /* weights are counts: exact at 15 digits */
        for (unsigned i = 0; i < d->n; i++)
            put(out, size, &len, "%s%.15g", i ? ", " : "", d->w[i]);
        put(out, size, &len, "]}");
        break;
    }
    BF_ASSERT(len <= INT_MAX);
    return (int)len;
}
