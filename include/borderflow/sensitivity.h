/*
 * sensitivity.h - global sensitivity analysis: Morris elementary effects and
 * Sobol' first- and total-order indices, with bootstrap intervals.
 *
 * Pure numerics, no knowledge of the model: each method has two phases.
 *
 *  1. A design: the points at which the model must be evaluated, in the
 *     unit hypercube, in a documented order. The caller maps coordinate i of
 *     every point to parameter i (by its inverse CDF, or lo + u (hi - lo) for
 *     a range) and evaluates the model there.
 *  2. An analysis: given the outputs at those points, in the same order, the
 *     indices of every parameter with bootstrap percentile intervals.
 *
 * Outputs: y[j * n_metrics + m] is metric m at design point j (one row per
 * evaluated point, as a batch writes them). Every output must be finite: a
 * NaN or infinity is refused with BF_EINVAL, naming in diag the first such
 * point, its metric and its Morris trajectory or Sobol' base row. Dropping
 * the trajectory or row that holds it was not taken: it unbalances the
 * design without saying so, and a model that fails at some parameter values
 * is a finding the caller must see.
 *
 * Determinism: a design is a pure function of its arguments, and an analysis
 * of (design, y, bootstrap settings); both give the same bits on every
 * platform with IEEE doubles (GSL's mt19937 yields the same 32-bit integers
 * everywhere; Sobol' points are dyadic fractions). A metric's results do not
 * depend on which other metrics are analysed with it.
 *
 * Errors: BF_EINVAL or BF_ERANGE with diag->where naming the function and
 * diag->msg what is wrong and what is allowed; BF_ENOMEM. A NULL pointer
 * where one is required, or a design not made by its _init, is a bug
 * (BF_ASSERT). diag may be NULL.
 *
 * References: Morris (1991) Technometrics 33(2) 161-174; Campolongo,
 * Cariboni and Saltelli (2007) Env. Modelling & Software 22 1509-1518;
 * Saltelli et al. (2010) Comput. Phys. Commun. 181 259-270; Jansen (1999)
 * Comput. Phys. Commun. 117 35-43; Efron and Tibshirani (1993), "An
 * Introduction to the Bootstrap", ch. 13. docs/uncertainty.md has the
 * formulas and sample sizes.
 */
#ifndef BORDERFLOW_SENSITIVITY_H
#define BORDERFLOW_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "borderflow/error.h"

/* ---- shared: bootstrap settings and an estimate with its interval ---- */

/*
 * Percentile bootstrap: `resamples` resamples with replacement (Morris:
 * of trajectories; Sobol': of base rows, each row keeping its A, AB_i and B
 * outputs together), drawn by gsl_rng_mt19937 seeded with `seed` (GSL maps
 * seed 0 to its default 4357). The interval at `level` runs between the
 * (1 - level)/2 and (1 + level)/2 quantiles of the resampled statistic (GSL's
 * quantile of sorted data). resamples == 0 skips the bootstrap: lo = hi = NaN.
 * Otherwise level in (0, 1) and at least one resample in each tail,
 * resamples * (1 - level) / 2 >= 1 (40 for 95%), or BF_EINVAL;
 * BF_SENS_RESAMPLES_DEFAULT is what percentile intervals want (Efron and
 * Tibshirani: about 1000).
 */
#define BF_SENS_RESAMPLES_DEFAULT 1000u

struct bf_sens_bootstrap {
    size_t resamples;
    double level; /* 0.95 for 95% intervals */
    uint32_t seed;
};

/* A point estimate and its bootstrap interval [lo, hi]. */
struct bf_sens_estimate {
    double value, lo, hi;
};

/* ---- Morris elementary effects ---- */

#define BF_MORRIS_LEVELS_DEFAULT 4u

/*
 * r trajectories of k + 1 points on the grid {0, 1/(p-1), ..., 1} of p
 * levels (p even), step delta = p / (2 (p - 1)) (2/3 for p = 4).
 *
 * Layout: point j = t (k + 1) + s is step s (0..k) of trajectory t
 * (0..r-1); its coordinate i is x[j * k + i]. Point s >= 1 differs from
 * point s - 1 of the same trajectory in coordinate factor[t * k + s - 1]
 * alone, by sign[t * k + s - 1] * delta (sign +1 or -1); every parameter is
 * moved exactly once per trajectory. Coordinates lie in [0, 1], both ends
 * included: a parameter with an unbounded distribution must be mapped
 * through a truncated range of its quantiles (say 0.005 to 0.995), since
 * its inverse CDF is infinite at 0 or 1.
 *
 * Construction (Morris 1991), trajectory by trajectory, drawing from one
 * gsl_rng_mt19937 seeded with `seed`, in this order:
 *  - for i = 0..k-1, a base level b_i = gsl_rng_uniform_int(p / 2), so that
 *    b_i / (p-1) + delta <= 1;
 *  - for i = 0..k-1, a direction: gsl_rng_uniform_int(2) == 1 gives +1;
 *  - a uniform permutation of 0..k-1, Fisher-Yates from the top: for
 *    m = k-1 down to 1, swap entries m and gsl_rng_uniform_int(m + 1).
 * Coordinate i starts at level b_i (direction +1) or b_i + p/2 (-1), and
 * step s moves parameter perm[s - 1] to its other level. A coordinate at
 * level l is l / (p - 1).
 *
 * Campolongo et al.'s selection of r well-spread trajectories out of M
 * candidates was not taken: it is a search over combinations of candidates
 * that pays off only for small r; the caller can raise r instead.
 */
struct bf_morris_design {
    size_t k;        /* parameters */
    size_t r;        /* trajectories */
    unsigned levels; /* p */
    double delta;
    uint32_t seed;
    size_t n_points; /* r (k + 1) */
    double *x;       /* n_points * k coordinates, row-major */
    size_t *factor;  /* r * k: the parameter step s moves, at t * k + s - 1 */
    int8_t *sign;    /* r * k: +1 or -1, the direction of that step */
};

/*
 * Fills d. k >= 1, r >= 2 (sigma needs two effects per parameter), levels
 * even and >= 2 (BF_MORRIS_LEVELS_DEFAULT), else BF_EINVAL; a design too
 * large to address gives BF_ERANGE. Returns 0, or a negative code with d
 * zeroed (fini is then a no-op). bf_morris_design_fini frees what init
 * allocated; on a zeroed struct it is a no-op.
 */
int bf_morris_design_init(struct bf_morris_design *d, size_t k, size_t r, unsigned levels,
                          uint32_t seed, struct bf_diag *diag);
void bf_morris_design_fini(struct bf_morris_design *d);

/*
 * Per parameter, over the r elementary effects
 *   EE_i^t = (y(step s) - y(step s - 1)) / (sign * delta)
 * of the step s of trajectory t that moves parameter i:
 *   mu = mean EE, mu_star = mean |EE| (Campolongo 2007), sigma = sample
 *   standard deviation of EE (r - 1 denominator).
 * Effects are per unit of the [0, 1] coordinate, i.e. per whole range of the
 * parameter: for y = c x with x = lo + u (hi - lo), EE = c (hi - lo). That
 * makes parameters of different units comparable; divide by the range to
 * have them per unit of the parameter.
 */
struct bf_morris_index {
    struct bf_sens_estimate mu, mu_star, sigma;
};

/*
 * y holds d->n_points * n_metrics outputs (layout above); out receives
 * n_metrics * d->k entries, metric m and parameter i at out[m * d->k + i].
 * Returns 0; BF_EINVAL (n_metrics == 0, a non-finite output, bad bootstrap
 * settings); BF_ENOMEM. out is unchanged on failure.
 */
int bf_morris_analyze(const struct bf_morris_design *d, const double *y, size_t n_metrics,
                      const struct bf_sens_bootstrap *boot, struct bf_morris_index *out,
                      struct bf_diag *diag);

/* ---- Sobol' indices by Saltelli sampling ---- */

/*
 * 2k <= 40, the dimensions of GSL's Sobol' direction numbers. Beyond it
 * GSL offers gsl_qrng_halton (up to 1229 dimensions), not taken: Halton's
 * dimension d uses the d-th prime as base, and two dimensions with large
 * bases (above 40 dimensions they exceed 173) are strongly correlated over
 * the first thousands of points, while the estimators below need A and B
 * independent; gsl_qrng_niederreiter_2 stops at 12 dimensions. With more
 * parameters, screen them with Morris first and keep the 20 that matter.
 */
#define BF_SOBOL_MAX_PARAMS 20u
/* GSL's Sobol' generator has 30-bit direction numbers: 2^30 - 1 points. */
#define BF_SOBOL_MAX_BASE ((size_t)0x3fffffff)

/*
 * N base rows, N (k + 2) points. Base matrices: point i of GSL's Sobol'
 * sequence in dimension 2k (gsl_qrng_sobol, i = 0..N-1) is row i of A in its
 * first k coordinates and row i of B in the last k. AB_i is A with column i
 * taken from B.
 *
 * The origin is skipped, and nothing else: GSL's generator already starts
 * at (1/2, ..., 1/2), leaving out the point 0 whose inverse CDF is the
 * lower bound of every parameter (-inf for an unbounded one), so every
 * coordinate lies in (0, 1). Putting the origin back would restore the
 * exact balance of the first 2^m points (Owen 2020, "On dropping the first
 * Sobol' point") but needs the caller to map u = 0; skipping more points,
 * as some tools did, was not taken: it gains nothing (Owen) and measured
 * slightly worse here (docs/uncertainty.md). The first row has A = B, so it
 * adds nothing to the estimators' numerators; that is the sequence, not a
 * defect. N a power of two is recommended.
 *
 * Layout: row r (0..N-1) is the block of k + 2 consecutive points
 * j = r (k + 2) + c: c = 0 is A_r, c = 1 + i is AB_r^(i) for i = 0..k-1,
 * c = k + 1 is B_r (SALib's order without second-order indices). The
 * coordinate i of point j is x[j * k + i].
 */
struct bf_sobol_design {
    size_t k;        /* parameters */
    size_t n;        /* base rows N */
    size_t n_points; /* N (k + 2) */
    double *x;       /* n_points * k coordinates, row-major */
};

/*
 * Fills d. k in 1..BF_SOBOL_MAX_PARAMS and N in 2..BF_SOBOL_MAX_BASE (a
 * variance needs two rows), else BF_EINVAL (k == 0, N < 2) or BF_ERANGE;
 * BF_ENOMEM. Returns 0, or a negative code with d zeroed. fini as Morris'.
 */
int bf_sobol_design_init(struct bf_sobol_design *d, size_t k, size_t n, struct bf_diag *diag);
void bf_sobol_design_fini(struct bf_sobol_design *d);

/*
 * With f_A, f_B, f_ABi the outputs at A_r, B_r, AB_r^(i), all centred on
 * the mean of the 2N outputs at A and B, and V their sample variance (2N - 1
 * denominator):
 *   first  S_i  = mean_r f_B (f_ABi - f_A) / V          (Saltelli 2010)
 *   total  ST_i = mean_r (f_A - f_ABi)^2 / (2 V)        (Jansen 1999)
 * Centring changes no expectation (f_ABi and f_A have the same law) but
 * removes the mean's share of the first-order estimator's variance, which
 * for a metric of 1e8 CNY +- 1e6 would swamp it. When the outputs at A and
 * B do not vary (max - min <= 1e-9 max |y|: a metric nothing touches), the
 * indices and their intervals are NaN: there is no variance to apportion.
 * A resample whose outputs do not vary gives NaN, and then the interval is
 * NaN too.
 */
struct bf_sobol_index {
    struct bf_sens_estimate first, total;
};

/* Mean and sample variance (2N - 1) of the metric over A and B. */
struct bf_sobol_moments {
    struct bf_sens_estimate mean, variance;
};

/*
 * y holds d->n_points * n_metrics outputs; out receives n_metrics * d->k
 * entries (metric m, parameter i at out[m * d->k + i]) and moments, when
 * not NULL, n_metrics entries. Returns 0; BF_EINVAL (n_metrics == 0, a
 * non-finite output, bad bootstrap settings); BF_ENOMEM. out and moments are
 * unchanged on failure.
 */
int bf_sobol_analyze(const struct bf_sobol_design *d, const double *y, size_t n_metrics,
                     const struct bf_sens_bootstrap *boot, struct bf_sobol_index *out,
                     struct bf_sobol_moments *moments, struct bf_diag *diag);

#endif
