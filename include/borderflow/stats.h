/*
 * stats.h - running statistics, time-weighted averages, quantiles,
 * histograms, Student-t confidence intervals and paired differences.
 *
 * Built on GSL: gsl_rstat for running moments, gsl_stats_* and gsl_sort for
 * samples, gsl_cdf_tdist_Pinv for t quantiles, gsl_histogram for histograms.
 * The time-weighted average is the one thing GSL has no type for.
 */
#ifndef BORDERFLOW_STATS_H
#define BORDERFLOW_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_histogram.h>
#include <gsl/gsl_rstat.h>

/* ---- running mean and variance (gsl_rstat) ---- */

struct bf_running {
    gsl_rstat_workspace *w;
};

/* 0 or BF_ENOMEM. bf_running_fini frees; on a zeroed struct it is a no-op. */
int bf_running_init(struct bf_running *r);
void bf_running_fini(struct bf_running *r);
void bf_running_add(struct bf_running *r, double x);
size_t bf_running_n(const struct bf_running *r);
double bf_running_mean(const struct bf_running *r);
/* Sample variance (n - 1 denominator); 0 when n < 2. */
double bf_running_variance(const struct bf_running *r);
void bf_running_reset(struct bf_running *r);

/* ---- time-weighted average of a piecewise-constant quantity ---- */

struct bf_tw {
    double t0_h;     /* start of observation */
    double t_last_h; /* time of the last change */
    double value;    /* value since t_last_h */
    double area;     /* integral of value over [t0_h, t_last_h] */
    double max;      /* largest value seen */
};

void bf_tw_init(struct bf_tw *tw, double t0_h, double value);
/* The quantity changes to value at t_h (t_h >= t_last_h, asserted). */
void bf_tw_set(struct bf_tw *tw, double t_h, double value);
/* Integral over [t0_h, t_end_h] (t_end_h >= t_last_h). */
double bf_tw_area(const struct bf_tw *tw, double t_end_h);
/* Average over [t0_h, t_end_h]; 0 for an empty interval. */
double bf_tw_mean(const struct bf_tw *tw, double t_end_h);
/* Restart observation at t_h keeping the current value (end of warm-up). */
void bf_tw_restart(struct bf_tw *tw, double t_h);

/* ---- samples ---- */

/*
 * Summary of a sample: mean, sample sd, Student-t interval of the mean at
 * `level` (0.95 for a 95% interval), and the 10th/50th/90th percentiles
 * (GSL's quantile of sorted data). x is not modified. With n == 1 the
 * interval is [mean, mean] and sd is 0; n == 0 gives NaNs and n = 0; a NaN
 * in x makes every field but n NaN. level in (0, 1), asserted.
 * Returns 0 or BF_ENOMEM (a sorted copy is made); *out is unchanged on failure.
 */
struct bf_summary {
    size_t n;
    double mean, sd, ci_low, ci_high, half_width;
    double p10, p50, p90;
    double min, max;
};
int bf_stats_summary(const double *x, size_t n, double level, struct bf_summary *out);

/* Student-t interval of the mean only; half-width out. n >= 2 (else 0). level in (0, 1). */
double bf_stats_t_half_width(double sd, size_t n, double level);

/* Quantile p in [0,1] (asserted) of already sorted data (GSL's interpolation); NaN if n == 0. */
double bf_stats_quantile_sorted(const double *sorted, size_t n, double p);

/*
 * Paired difference b - a across replications (common random numbers):
 * mean difference with its Student-t interval at `level`, and the variance
 * reduction factor (var(a) + var(b)) / var(b - a): how many times fewer
 * replications the pairing needs than independent sampling for the same
 * interval. vr is +inf when the differences have zero variance and the
 * samples do not, 1 when everything is constant. n == 1 gives sd_diff 0, the
 * interval [mean_diff, mean_diff] and vr NaN; n == 0 gives NaNs and n = 0.
 *
 * When every pair is equal up to rounding (|b - a| <= 1e-9 max(|a|, |b|):
 * the same value computed in another order, as a policy that does not touch
 * a metric gives), `identical` is set, the difference and its interval are
 * exactly 0 and vr is NaN: there is no difference whose variance pairing
 * could reduce, and a ratio of float noise would read as a huge gain.
 *
 * level in (0, 1), asserted. Returns 0 or BF_ENOMEM; *out is unchanged on failure.
 */
struct bf_paired {
    size_t n;
    double mean_a, mean_b, mean_diff, sd_diff, ci_low, ci_high;
    double variance_reduction;
    bool identical;
};
int bf_stats_paired(const double *a, const double *b, size_t n, double level,
                    struct bf_paired *out);

/*
 * MSER-5 truncation (White 1997, "An effective truncation heuristic for bias
 * reduction in simulation output"; White, Cobb and Spratt 2000): the series
 * y[0..n) is cut into batches of 5 means; for each candidate d of batches
 * removed from the front (d <= k/2 of the k batches) MSER(d) = sum over the
 * kept batches of (Z_j - mean)^2 / (k - d)^2; the warm-up is the d that
 * minimises it, times 5 observations. at_limit is set when the minimum lies
 * at the largest d tried: the series is too short to say where the start-up
 * bias ends. n >= 10 (two batches) or BF_EINVAL; y must be finite
 * (asserted). GSL has no truncation heuristic, hence this one.
 */
struct bf_mser {
    size_t truncate;  /* observations to discard from the front */
    double statistic; /* MSER at that point */
    size_t batches;   /* k */
    bool at_limit;
};
int bf_stats_mser5(const double *y, size_t n, struct bf_mser *out);

/* ---- histograms (gsl_histogram) ---- */

/*
 * n equal bins on [lo, hi); values outside are counted in under/over (one per
 * value, whatever its weight). A NaN value is a bug (asserted).
 * init returns 0, BF_EINVAL (n == 0, lo/hi not finite or not lo < hi) or
 * BF_ENOMEM; on failure h->h is NULL. fini on a zeroed struct is a no-op.
 */
struct bf_hist {
    gsl_histogram *h;
    uint64_t under, over;
};
int bf_hist_init(struct bf_hist *h, size_t n, double lo, double hi);
void bf_hist_fini(struct bf_hist *h);
void bf_hist_add(struct bf_hist *h, double x, double weight);
/* Adds the counts of src (same binning, asserted) into dst. */
void bf_hist_merge(struct bf_hist *dst, const struct bf_hist *src);

#endif
