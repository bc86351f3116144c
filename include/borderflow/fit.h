/*
 * fit.h - fitting the engine's distribution families to observed durations.
 *
 * A company's own records (declaration -> release hours, say) are read
 * from one column of a CSV file, and each family a scenario can name for a
 * duration is fitted to them by maximum likelihood:
 *
 *   exponential  mean = the sample mean (closed form)
 *   lognormal    mu, sigma = mean and sd (divisor n) of ln x (closed form)
 *   gamma        the shape solves ln k - psi(k) = ln(mean) - mean(ln x),
 *                the scale is mean / k (a 1-D root, fit.c says why);
 *                shapes from 0.2 to 500 only (BF_FIT_GAMMA_SHAPE_MIN)
 *   weibull      the shape solves the profile score equation, the scale
 *                follows from it (a 1-D root)
 *   empirical    at most BF_DIST_EMPIRICAL_MAX values: the data's own
 *                values when there are that few, else the means of equal-
 *                count quantile bins weighted by their counts
 *
 * Each fit is judged by its log-likelihood, AIC = 2k - 2 ln L,
 * BIC = k ln n - 2 ln L, the Kolmogorov-Smirnov statistic D with its
 * asymptotic p-value, and the Anderson-Darling statistic A^2, all against
 * the fitted CDF (bf_dist_cdf; the upper tail from GSL's complementary
 * CDFs, so that a value far out in it keeps a finite A^2). The families
 * are ranked by AIC. AIC and BIC order two families with the same number
 * of parameters alike; they can disagree only between the exponential (one
 * parameter) and a two-parameter family, BIC charging ln n instead of 2
 * for the second parameter.
 *
 * The KS p-value is the one for a distribution fixed in advance. Here the
 * parameters were estimated from the same data, which brings the fitted
 * CDF closer to the data than the true one would be: the p-value is then
 * too large (conservative, Lilliefors 1967), an approximate guide and not
 * an exact test.
 *
 * Zeros: a value of exactly 0 has log-density -inf under lognormal, gamma
 * with shape > 1 and Weibull with shape > 1, and +inf under gamma or
 * Weibull with shape < 1, where the likelihood then has no maximum. When
 * the data hold zeros these three families are therefore not fitted (the
 * reason names the count); exponential and empirical still are. No value is
 * shifted or dropped behind the user's back: docs/uncertainty.md says what
 * to do about zeros that stand for "below the recording resolution".
 *
 * Which fit is "best" (the one to paste into a scenario): a parametric fit
 * is acceptable when its KS p-value is at least BF_FIT_ACCEPT_P, or when its
 * KS distance D is no larger than the empirical distribution's (with many
 * observations every real family is "rejected" by a deviation too small to
 * matter; a curve closer to the data than a 16-value table still describes
 * them better). The best is the acceptable family with the lowest AIC; when
 * none is acceptable, the empirical distribution.
 */
#ifndef BORDERFLOW_FIT_H
#define BORDERFLOW_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "borderflow/dist.h"
#include "borderflow/error.h"

/* Fewer observations than this are refused: below it a two-parameter fit's
 * standard errors are as large as the parameters' differences between
 * families, and neither the AIC ranking nor the asymptotic KS p-value means
 * anything. */
#define BF_FIT_MIN_N 10

/*
 * The gamma shapes fitted. Outside, GSL's gamma quantile -- which the
 * engine's draws by inversion use (dist.h, bf_qtable) -- fails to converge
 * at some probabilities (GSL 2.7, over the table's points: from shape 0.15
 * down and from 3000 up), and a run drawing from such a gamma would stop.
 * The range is coefficients of variation from 3.2% to 224%; beyond it the
 * lognormal and the Weibull are still fitted.
 */
#define BF_FIT_GAMMA_SHAPE_MIN 0.2
#define BF_FIT_GAMMA_SHAPE_MAX 500.0 /* as the scenario loader allows */

/* KS p-value from which a parametric fit counts as acceptable. */
#define BF_FIT_ACCEPT_P 0.01

/* The families, in the order they are fitted: four parametric, then the
 * empirical fallback. */
#define BF_FIT_FAMILIES 5

/* ---- the observations ---- */

/*
 * A sample of durations: n >= BF_FIT_MIN_N finite values >= 0, sorted
 * ascending. x is bf__malloc'd; bf_fit_data_fini frees it (and is a no-op
 * on a zeroed struct).
 */
struct bf_fit_data {
    double *x;
    size_t n;
    size_t n_zero;     /* values equal to 0 */
    size_t n_distinct; /* different values */
    size_t n_blank;    /* blank lines skipped (CSV only; else 0) */
    double mean;       /* of x */
    double mean_log;   /* of ln x; -inf when n_zero > 0 */
};

/*
 * Copies n values into s and sorts them. 0, BF_EINVAL (a value that is not
 * finite or is negative: diag->msg names its index from 0 and the value),
 * BF_ERANGE (n < BF_FIT_MIN_N) or BF_ENOMEM. On failure s is zeroed.
 */
int bf_fit_data_init(struct bf_fit_data *s, const double *x, size_t n, struct bf_diag *diag);
void bf_fit_data_fini(struct bf_fit_data *s);

/*
 * Problems found in a CSV file: each with where = "FILE:LINE" (the line a
 * record starts on, from 1) and msg = what is wrong. The first
 * BF_FIT_PROBLEMS_MAX are kept, the rest counted in `dropped`.
 */
#define BF_FIT_PROBLEMS_MAX 20
struct bf_fit_problems {
    struct bf_diag item[BF_FIT_PROBLEMS_MAX];
    unsigned n;
    size_t dropped;
};

void bf_fit_problems_init(struct bf_fit_problems *p);

/*
 * Reads column `column` (the header field equal to it, byte for byte) of a
 * CSV file into s. `file` is the name used in messages. The format is
 * RFC 4180: fields separated by commas, records by CRLF or LF (a lone CR
 * too), fields that hold commas, quotes or line breaks quoted with ",
 * a quote inside them doubled. The first record is the header; a UTF-8 byte
 * order mark before it is skipped. Completely empty lines are skipped (and
 * counted in s->n_blank), except in a file of one column, where a blank
 * line before another record is a row with an empty value. Every other
 * record must have as many fields as the header, and its field in the
 * column must be a decimal number from 0 to BF_FIT_SPEC_LIMIT (spaces and
 * tabs around it allowed; no thousands separators, a point as the decimal
 * separator, no "nan", "inf" or hexadecimal). Numbers are read with strtod
 * in the C locale, which the program never changes.
 *
 * Returns 0, or:
 *  - BF_EPARSE: the file is not usable; every problem is in pb (a row whose
 *    value is empty, not a number, too large or negative; a row with
 *    another count of fields; a quote left open; no such column, or twice;
 *    no header; no values; fewer than BF_FIT_MIN_N values);
 *  - BF_EIO (a read error, in pb) or BF_ENOMEM.
 * On failure s is zeroed.
 */
int bf_fit_read_csv(struct bf_fit_data *s, FILE *f, const char *file, const char *column,
                    struct bf_fit_problems *pb);

/* ---- fitting one family ---- */

/*
 * Maximum-likelihood fit of one family to s, into d. 0, or BF_ERANGE when
 * the family cannot be fitted to these data (zeros for lognormal, gamma
 * and Weibull; all values equal, so that a spread would be 0; every value
 * 0 for the exponential; a gamma shape outside [BF_FIT_GAMMA_SHAPE_MIN,
 * BF_FIT_GAMMA_SHAPE_MAX]), with why in diag->msg (BF_EINVAL when a Weibull
 * scale overflows); BF_ENOMEM (GSL's root solver). bf_fit_empirical always succeeds: the data's own
 * values when there are at most BF_DIST_EMPIRICAL_MAX different ones (s->n_distinct), else the
 * means of equal-count bins.
 */
int bf_fit_exponential(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag);
int bf_fit_lognormal(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag);
int bf_fit_gamma(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag);
int bf_fit_weibull(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag);
int bf_fit_empirical(const struct bf_fit_data *s, struct bf_dist *d, struct bf_diag *diag);

/* ---- goodness of fit ---- */

/*
 * ln f(x) of an exponential, lognormal, gamma or Weibull d (valid; other
 * kinds have no density and are asserted against): -inf outside the
 * support, +inf at 0 where the density is unbounded there.
 */
double bf_fit_log_density(const struct bf_dist *d, double x);

/* Sum of bf_fit_log_density over the sample. */
double bf_fit_loglik(const struct bf_dist *d, const struct bf_fit_data *s);

/*
 * Kolmogorov-Smirnov statistic D = sup |F_n(x) - F(x)| of n sorted values
 * (n >= 1) against d: max over i of i/n - F(x_i) and F(x_i-) - (i-1)/n,
 * which is exact for any F, with ties in the data and (for an empirical d,
 * whose F jumps) at F's own jumps.
 */
double bf_fit_ks(const struct bf_dist *d, const double *sorted, size_t n);

/*
 * The asymptotic p-value of D for n observations: Q_KS((sqrt(n) + 0.12 +
 * 0.11/sqrt(n)) D), Stephens' (1970) finite-n correction of Kolmogorov's
 * limit distribution Q_KS(t) = 2 sum_{j>=1} (-1)^{j-1} exp(-2 j^2 t^2).
 * Exact only for a continuous distribution fixed in advance; see above.
 */
double bf_fit_ks_pvalue(double d, size_t n);

/* Kolmogorov's limit distribution Q_KS(t) = P(K > t), t >= 0. */
double bf_fit_kolmogorov_q(double t);

/*
 * Anderson-Darling A^2 = -n - (1/n) sum_{i=1}^{n} (2i - 1) [ln F(x_i) +
 * ln(1 - F(x_{n+1-i}))] of n sorted values against a continuous d, with
 * 1 - F from GSL's complementary CDFs for the four families (1 - F by
 * subtraction is 0 from F > 1 - 1e-16 on: an exponential value 37 means
 * out). It is +inf when a value lies where F or 1 - F is 0 even so (a 0
 * under the exponential, a value 745 means beyond it): a continuous model
 * gives such a value probability 0, and the statistic says so rather than
 * being clamped.
 */
double bf_fit_ad(const struct bf_dist *d, const double *sorted, size_t n);

/* ---- every family at once ---- */

/* Room for the longest spec bf_fit_spec writes: an empirical table of 16
 * values and 16 weights at 17 digits each, with the keys. */
#define BF_FIT_SPEC_SIZE 1024

struct bf_fit_result {
    enum bf_dist_kind kind; /* exponential, lognormal, gamma, weibull, empirical */
    bool fitted;            /* false: not fitted, why says why */
    char why[256];
    struct bf_dist d;            /* the fit (when fitted) */
    char spec[BF_FIT_SPEC_SIZE]; /* d in scenario syntax (when fitted), bf_fit_spec */
    unsigned n_params;           /* parameters estimated (0 for empirical) */
    double loglik, aic, bic;     /* NaN for empirical: a discrete table has no density */
    double ks_d;
    double ks_p, ad_a2; /* NaN for empirical: both assume a continuous F */
    bool acceptable;    /* by the rule above; empirical: true */
};

struct bf_fit_table {
    /* Fitted parametric families by increasing AIC (ties in family order),
     * then those not fitted, then the empirical distribution. */
    struct bf_fit_result r[BF_FIT_FAMILIES];
    unsigned best; /* index into r of the best fit (the rule above) */
};

/*
 * Fits and judges every family. 0 or BF_ENOMEM (GSL's root solver). A
 * family whose fit cannot be written as a spec (bf_fit_spec: a parameter
 * beyond BF_FIT_SPEC_LIMIT) counts as not fitted, with the reason in why:
 * the table never offers a distribution a scenario could not hold.
 */
int bf_fit_run(const struct bf_fit_data *s, struct bf_fit_table *t, struct bf_diag *diag);

/* The largest magnitude the scenario loader accepts for a number in a
 * distribution (sim/scenario/values.c, dist_num). */
#define BF_FIT_SPEC_LIMIT 1e300

/*
 * The distribution spec of d in scenario syntax (docs/scenarios.md,
 * Distributions), one line of JSON such as {"dist": "gamma", "shape": 2.78,
 * "scale": 32.4}: exponential by mean, lognormal by median and p90, gamma and
 * Weibull by shape and scale, empirical by values and weights (weights exact).
 * Numbers carry 6 significant digits, far finer than their sampling error,
 * or more where 6 would change the distribution: the spec read back the way
 * the loader reads it must give the same distribution, its 10%, 50% and 90%
 * quantiles (an empirical table: every value) each within 1e-5 of its own
 * size and of the 10-90% range (the table's range) -- a lognormal of sigma
 * 1e-8 around 100 needs 11 digits for its p90 to stay above its median at
 * all, and 14 to keep its width. d must be one of those kinds and valid
 * (asserted).
 *
 * Returns the length of the spec, or BF_ERANGE when no precision up to 17
 * digits gives such a spec, or when a number in it would exceed
 * BF_FIT_SPEC_LIMIT (a gamma scale of 1e301, say); out then holds "".
 * The spec is cut when it does not fit in size bytes (size >= 1), the length
 * returned staying that of the whole spec, as snprintf's.
 */
int bf_fit_spec(const struct bf_dist *d, char *out, size_t size);

#endif
