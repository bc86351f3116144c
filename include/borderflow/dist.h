/*
 * dist.h - probability distributions, validated before use.
 *
 * A struct bf_dist is plain data (no pointers) so parameter sets can be
 * copied freely between threads and policies. Parameters are stored in a
 * canonical form per kind; constructors convert other parameterisations
 * (lognormal by median and p90, gamma by mean and cv, ...).
 *
 * bf_dist_check() validates a parameter set and explains what is wrong;
 * bf_dist_sample() asserts validity (a bad set after validation is a bug).
 */
#ifndef BORDERFLOW_DIST_H
#define BORDERFLOW_DIST_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "borderflow/error.h"

#define BF_DIST_EMPIRICAL_MAX 16

enum bf_dist_kind {
    BF_DIST_FIXED = 0,   /* p[0] = value */
    BF_DIST_UNIFORM,     /* p[0] = a, p[1] = b, a < b */
    BF_DIST_TRIANGULAR,  /* p[0] = min, p[1] = mode, p[2] = max; min <= mode <= max, min < max */
    BF_DIST_EXPONENTIAL, /* p[0] = mean > 0 */
    BF_DIST_LOGNORMAL,   /* p[0] = mu, p[1] = sigma > 0 (of the underlying normal) */
    BF_DIST_GAMMA,       /* p[0] = shape k > 0, p[1] = scale theta > 0 */
    BF_DIST_WEIBULL,     /* p[0] = shape k > 0, p[1] = scale lambda > 0 */
    BF_DIST_EMPIRICAL,   /* n values v[] with weights w[] >= 0, sum > 0 */
    BF_DIST_BERNOULLI,   /* p[0] = probability in [0, 1]; samples 0 or 1 */
    BF_DIST__COUNT
};

struct bf_dist {
    enum bf_dist_kind kind;
    unsigned n; /* empirical: number of values */
    double p[3];
    double v[BF_DIST_EMPIRICAL_MAX];
    double w[BF_DIST_EMPIRICAL_MAX]; /* empirical: weights as given */
};

/* Lower-case name of a kind ("lognormal"); NULL for an invalid kind. */
const char *bf_dist_kind_name(enum bf_dist_kind kind);

/*
 * Constructors: fill d and validate. Return 0, or BF_EINVAL/BF_ERANGE with
 * what is wrong and what is allowed in diag->msg (diag->where untouched).
 */
int bf_dist_fixed(struct bf_dist *d, double value, struct bf_diag *diag);
int bf_dist_uniform(struct bf_dist *d, double a, double b, struct bf_diag *diag);
int bf_dist_triangular(struct bf_dist *d, double min, double mode, double max,
                       struct bf_diag *diag);
int bf_dist_exponential(struct bf_dist *d, double mean, struct bf_diag *diag);
int bf_dist_lognormal(struct bf_dist *d, double mu, double sigma, struct bf_diag *diag);
int bf_dist_lognormal_median_p90(struct bf_dist *d, double median, double p90,
                                 struct bf_diag *diag);
int bf_dist_lognormal_mean_sd(struct bf_dist *d, double mean, double sd, struct bf_diag *diag);
int bf_dist_gamma(struct bf_dist *d, double shape, double scale, struct bf_diag *diag);
int bf_dist_gamma_mean_cv(struct bf_dist *d, double mean, double cv, struct bf_diag *diag);
int bf_dist_weibull(struct bf_dist *d, double shape, double scale, struct bf_diag *diag);
int bf_dist_empirical(struct bf_dist *d, const double *values, const double *weights, size_t n,
                      struct bf_diag *diag);
int bf_dist_bernoulli(struct bf_dist *d, double p, struct bf_diag *diag);

/* Validates any parameter set (finite numbers, ranges above). */
int bf_dist_check(const struct bf_dist *d, struct bf_diag *diag);

/* True when every value the distribution can take is >= 0 (durations). */
int bf_dist_nonnegative(const struct bf_dist *d);

/* One draw. d must be valid (asserted). */
double bf_dist_sample(const struct bf_dist *d, gsl_rng *r);

/* Analytic mean and variance. */
double bf_dist_mean(const struct bf_dist *d);
double bf_dist_variance(const struct bf_dist *d);

/* Inverse CDF at u in [0, 1) (for empirical and bernoulli: the generalised
 * inverse); and the CDF. */
double bf_dist_quantile(const struct bf_dist *d, double u);
double bf_dist_cdf(const struct bf_dist *d, double x);

/*
 * A quantile function tabulated on [0, u_max]: for a draw by inversion that
 * is made again and again from one distribution (a buyer's return lag,
 * truncated at the return window), where the exact inverse is costly --
 * GSL's gamma quantile iterates on the incomplete gamma function, some 6000
 * instructions a call. The table holds the exact quantile at BF_QTABLE_N + 1
 * equally spaced points; between them it is linear, so it stays monotone
 * (draws by inversion keep their coupling across policies). Where the
 * quantile is most curved -- the first BF_QTABLE_EXACT cells, and the last
 * BF_QTABLE_EXACT_TOP, steep as u nears 1 -- the exact value is computed.
 * The worst error for the gamma distributions of the defaults is about
 * 5e-4 of the unit (44 s for a lag in days); a test keeps it below 1e-3.
 * Distributions whose quantile is cheap (every kind but gamma) are not
 * tabulated: eval gives their exact quantile.
 */
#define BF_QTABLE_N         2048
#define BF_QTABLE_EXACT     16
#define BF_QTABLE_EXACT_TOP 64

struct bf_qtable {
    struct bf_dist d;
    double u_max;
    double *q; /* [BF_QTABLE_N + 1], or NULL when not tabulated */
};

/* d valid (asserted), u_max in (0, 1]. 0 or BF_ENOMEM. fini frees; on a
 * zeroed table it is a no-op. */
int bf_qtable_init(struct bf_qtable *t, const struct bf_dist *d, double u_max);
void bf_qtable_fini(struct bf_qtable *t);
/* The quantile at u in [0, u_max] (asserted). */
double bf_qtable_eval(const struct bf_qtable *t, double u);

/*
 * The distribution of factor * X (factor > 0): a city's clearance multiplier
 * applied to a clearance time, say. Bernoulli cannot be scaled (asserted).
 */
void bf_dist_scale(struct bf_dist *d, double factor);

#endif
