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

#include <pthread.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "borderflow/error.h"

#define BF_DIST_EMPIRICAL_MAX 16

/*
 * The gamma shapes allowed: a coefficient of variation from 2.24 down to
 * 0.045. Draws by inversion need GSL's gamma quantile, which iterates and
 * fails to converge -- a GSL error, which aborts the program -- for shapes
 * below about 0.15 or above about 950 at some of the points the tables of
 * draws use (bf_qtable, down to 2^-53 from either end). Refusing such a
 * shape where it is written is the validation's promise kept: what it
 * accepts, the model can draw from.
 */
#define BF_DIST_GAMMA_SHAPE_MIN 0.2
#define BF_DIST_GAMMA_SHAPE_MAX 500.0

enum bf_dist_kind {
    BF_DIST_FIXED = 0,   /* p[0] = value */
    BF_DIST_UNIFORM,     /* p[0] = a, p[1] = b, a < b */
    BF_DIST_TRIANGULAR,  /* p[0] = min, p[1] = mode, p[2] = max; min <= mode <= max, min < max */
    BF_DIST_EXPONENTIAL, /* p[0] = mean > 0 */
    BF_DIST_LOGNORMAL,   /* p[0] = mu, p[1] = sigma > 0 (of the underlying normal) */
    BF_DIST_GAMMA,       /* p[0] = shape k in [BF_DIST_GAMMA_SHAPE_MIN, _MAX], p[1] = scale > 0 */
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

/*
 * The far tail: a value the distribution exceeds with probability at most
 * BF_DIST_TAIL_P (10^-12, once in a million million draws), in closed form
 * so that it can be asked of any valid parameter set without an iterative
 * inverse (GSL's gamma quantile can fail to converge at the extremes, and a
 * GSL failure aborts). The largest value for fixed, uniform, triangular,
 * empirical (every value listed) and bernoulli; the exact 1 - 10^-12
 * quantile for exponential (27.63 x mean), lognormal (e^(mu + 7.03 sigma))
 * and weibull (scale x 27.63^(1/shape)); for gamma the sub-gamma bound
 * scale x (shape + sqrt(2 shape L) + L), L = ln 10^12 (Boucheron, Lugosi
 * and Massart 2013, section 2.4), an upper bound on the quantile: 30% above
 * it for shape 1, less for larger shapes, more for smaller ones.
 * +inf when the value overflows a double. d must be valid (asserted).
 */
#define BF_DIST_TAIL_P 1e-12
double bf_dist_tail(const struct bf_dist *d);

/* Inverse CDF at u in [0, 1) (for empirical and bernoulli: the generalised
 * inverse); and the CDF. */
double bf_dist_quantile(const struct bf_dist *d, double u);
double bf_dist_cdf(const struct bf_dist *d, double x);

/*
 * A quantile function tabulated: for draws by inversion made again and again
 * from one distribution -- a unit's time to sale and its settlement lag, a
 * buyer's return lag -- where the exact inverse is costly: GSL's gamma
 * quantile iterates on the incomplete gamma function, some 6000
 * instructions a call, and its lognormal one needs a log and an exp. One
 * uniform per draw, always: a draw by inversion keeps its place in its
 * stream and its coupling across policies (a longer time to sale under one
 * rule set is a longer one under the other), which rejection samplers such
 * as GSL's gamma do not.
 *
 * The table holds the exact quantile Q(u) at BF_QTABLE_N + 1 equally spaced
 * u in [0, 1], used on [1/64, 63/64]; and in each tail (u, or 1 - u, below
 * 1/64: one draw in 32) ln Q at BF_QTABLE_SUB points per octave of u (or of
 * 1 - u) down to 2^-BF_QTABLE_OCT, interpolated in w = -log2 u, in which
 * ln Q is close to linear there (exactly so for a power law). Between
 * points it is linear, so it is monotone. Beyond the last octave (a chance
 * of 2^-46 a draw) and at u = 0 the exact value is computed. The error is
 * below 3e-5 relative for the defaults' gammas (3 minutes in a 90-day time
 * to sale), 5e-4 for a gamma of shape 0.44 or a lognormal of sigma 2;
 * test_dist keeps it there.
 * Kinds whose quantile is cheap or exact (all but gamma and lognormal) are
 * not tabulated: eval gives their exact quantile.
 */
#define BF_QTABLE_N   2048
#define BF_QTABLE_SUB 16
#define BF_QTABLE_OCT 46 /* the tails' octaves: w from 6 to BF_QTABLE_OCT */

struct bf_qtable {
    struct bf_dist d;
    double *q; /* central [N + 1], lower tail, upper tail; NULL when not tabulated */
};

/* d valid (asserted). 0 or BF_ENOMEM. fini frees; on a zeroed table it is a
 * no-op. */
int bf_qtable_init(struct bf_qtable *t, const struct bf_dist *d);
void bf_qtable_fini(struct bf_qtable *t);
/* The quantile at u in [0, 1] (asserted). Inline for the centre of the
 * table, where nine draws in ten fall; the rest is bf__qtable_rest. */
double bf__qtable_rest(const struct bf_qtable *t, double u);
static inline double bf_qtable_eval(const struct bf_qtable *t, double u)
{
    const double x = u * BF_QTABLE_N;
    if (t->q == NULL || !(x >= BF_QTABLE_N / 64.0 && x < BF_QTABLE_N - BF_QTABLE_N / 64.0))
        return bf__qtable_rest(t, u);
    const unsigned i = (unsigned)x;
    return t->q[i] + (t->q[i + 1] - t->q[i]) * (x - i);
}

/*
 * Tables of distributions shared by runs: a table is built the first time a
 * distribution is asked for and kept until fini, so the runs of a batch --
 * replications, policies, cities with one rule -- build each one once.
 * Thread-safe (a mutex around the look-up); a table is a function of its
 * distribution alone, so which run built it does not change any draw.
 */
struct bf_qcache {
    pthread_mutex_t lock;
    struct bf_qtable **t;
    unsigned n, cap;
};

int bf_qcache_init(struct bf_qcache *c);
void bf_qcache_fini(struct bf_qcache *c);
/* The table of d (valid), built on first use; NULL when out of memory.
 * Valid until fini. */
const struct bf_qtable *bf_qcache_get(struct bf_qcache *c, const struct bf_dist *d);

/*
 * The distribution of factor * X (factor > 0): a city's clearance multiplier
 * applied to a clearance time, say. Bernoulli cannot be scaled (asserted).
 */
void bf_dist_scale(struct bf_dist *d, double factor);

#endif
