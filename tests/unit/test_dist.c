/*
 * test_dist.c - distribution constructors, checks, sampling, moments,
 * quantiles and CDFs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>

#include "borderflow/dist.h"

#include "bf_test.h"

enum { NSAMPLE = 200000 };

static void ok(int rc, const struct bf_diag *g)
{
    if (rc != 0)
        fail_msg("unexpected error %d: %s", rc, g->msg);
}

/* One valid distribution of every kind (two where GSL's sampler has two
 * code paths), with parameters chosen for moderate tails; see the variance
 * tolerance below. */
enum { NCASE = 14 };
static void all_cases(struct bf_dist d[NCASE])
{
    struct bf_diag g;
    const double ev[] = {5, 1, 3, 10, 7}, ew[] = {1, 2, 3, 0.5, 0};
    int i = 0;
    ok(bf_dist_fixed(&d[i++], 3.5, &g), &g);
    ok(bf_dist_uniform(&d[i++], 2, 5, &g), &g);
    ok(bf_dist_triangular(&d[i++], 1, 2, 6, &g), &g);
    ok(bf_dist_triangular(&d[i++], 0, 0, 4, &g), &g); /* mode at min */
    ok(bf_dist_triangular(&d[i++], 0, 4, 4, &g), &g); /* mode at max */
    ok(bf_dist_exponential(&d[i++], 2.5, &g), &g);
    ok(bf_dist_lognormal(&d[i++], 0.3, 0.5, &g), &g);
    ok(bf_dist_gamma_mean_cv(&d[i++], 4.8, 0.4, &g), &g); /* shape 6.25 */
    ok(bf_dist_gamma(&d[i++], 0.5, 2, &g), &g);           /* GSL's shape < 1 path */
    ok(bf_dist_weibull(&d[i++], 1.5, 2, &g), &g);
    ok(bf_dist_empirical(&d[i++], ev, ew, 5, &g), &g);
    ok(bf_dist_bernoulli(&d[i++], 0.3, &g), &g);
    ok(bf_dist_bernoulli(&d[i++], 1, &g), &g);
    ok(bf_dist_weibull(&d[i++], 0.8, 1, &g), &g); /* shape < 1: decreasing density */
    assert_int_equal(i, NCASE);
}

static int continuous(const struct bf_dist *d)
{
    return d->kind != BF_DIST_FIXED && d->kind != BF_DIST_EMPIRICAL && d->kind != BF_DIST_BERNOULLI;
}

static void dist_should_match_analytic_moments_for_every_kind(void **state)
{
    (void)state;
    struct bf_dist d[NCASE];
    all_cases(d);
    int seen[BF_DIST__COUNT] = {0};
    double *x = malloc(NSAMPLE * sizeof *x);
    assert_non_null(x);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);

    for (int c = 0; c < NCASE; c++) {
        gsl_rng_set(r, 1000u + (unsigned long)c);
        for (int i = 0; i < NSAMPLE; i++)
            x[i] = bf_dist_sample(&d[c], r);
        const double mean = gsl_stats_mean(x, 1, NSAMPLE);
        const double var = gsl_stats_variance_m(x, 1, NSAMPLE, mean);
        const double m = bf_dist_mean(&d[c]), v = bf_dist_variance(&d[c]);
        seen[d[c].kind] = 1;

        /* The sample mean has standard error sqrt(v / n): 4 of them. */
        bf_assert_near(mean, m, 4 * sqrt(v / NSAMPLE));

        /*
         * The sample variance has standard error about
         * v sqrt((kurtosis - 1) / n), kurtosis = E(X - m)^4 / v^2. For the
         * cases above it is largest for gamma shape 0.5 (kurtosis 15: 0.8%
         * of v), then exponential and lognormal sigma 0.5 (about 9: 0.6%),
         * so 5% is more than 4 standard errors for every case. A flat
         * tolerance is easier to read than a per-case one; the guard below
         * (kurtosis estimated from the sample) makes a new heavy-tailed case
         * fail loudly here instead of flaking.
         */
        const double tol = 0.05;
        if (v > 0) {
            const double kurt = gsl_stats_kurtosis_m_sd(x, 1, NSAMPLE, mean, sqrt(var)) + 3;
            assert_true(4 * sqrt((kurt - 1) / NSAMPLE) < tol);
        }
        bf_assert_rel(var, v, tol);

        /* every draw lies in the support */
        const double lo = bf_dist_quantile(&d[c], 0), hi = bf_dist_quantile(&d[c], 1);
        for (int i = 0; i < NSAMPLE; i++) {
            assert_true(x[i] >= lo && x[i] <= hi);
            if (bf_dist_nonnegative(&d[c]))
                assert_true(x[i] >= 0);
        }
    }
    for (int k = 0; k < BF_DIST__COUNT; k++)
        if (!seen[k])
            fail_msg("kind %s has no case", bf_dist_kind_name((enum bf_dist_kind)k));
    gsl_rng_free(r);
    free(x);
}

static void dist_should_convert_lognormal_median_and_p90(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_lognormal_median_p90(&d, 0.6, 2.2, &g), &g);
    assert_int_equal(d.kind, BF_DIST_LOGNORMAL);
    /* mu = ln 0.6; sigma = (ln 2.2 - ln 0.6) / z90, z90 = 1.2815515655 */
    bf_assert_near(d.p[0], -0.5108256238, 1e-9);
    bf_assert_near(d.p[1], 1.0138358994, 1e-9);
    bf_assert_rel(bf_dist_quantile(&d, 0.5), 0.6, 1e-12);
    bf_assert_rel(bf_dist_quantile(&d, 0.9), 2.2, 1e-9);
    /* exp(mu + sigma^2 / 2), (exp(sigma^2) - 1) exp(2 mu + sigma^2) */
    bf_assert_rel(bf_dist_mean(&d), 1.0031108203, 1e-9);
    bf_assert_rel(bf_dist_variance(&d), 1.8062727516, 1e-9);
}

static void dist_should_convert_lognormal_mean_and_sd(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_lognormal_mean_sd(&d, 10, 5, &g), &g);
    /* sigma^2 = ln(1 + 25 / 100) = 0.2231435513; mu = ln 10 - sigma^2 / 2 */
    bf_assert_near(d.p[0], 2.1910133173, 1e-9);
    bf_assert_near(d.p[1], 0.4723807271, 1e-9);
    bf_assert_rel(bf_dist_mean(&d), 10, 1e-12);
    bf_assert_rel(bf_dist_variance(&d), 25, 1e-12);
    /* a tiny cv keeps its precision (log1p) */
    ok(bf_dist_lognormal_mean_sd(&d, 1, 1e-9, &g), &g);
    bf_assert_rel(d.p[1], 1e-9, 1e-6);
    bf_assert_rel(bf_dist_variance(&d), 1e-18, 1e-6);
}

static void dist_should_convert_gamma_mean_and_cv(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_gamma_mean_cv(&d, 4.8, 0.4, &g), &g);
    assert_int_equal(d.kind, BF_DIST_GAMMA);
    bf_assert_rel(d.p[0], 6.25, 1e-12);  /* 1 / cv^2 */
    bf_assert_rel(d.p[1], 0.768, 1e-12); /* mean cv^2 */
    bf_assert_rel(bf_dist_mean(&d), 4.8, 1e-12);
    bf_assert_rel(bf_dist_variance(&d), 3.6864, 1e-12); /* (cv mean)^2 */
}

static void dist_should_give_analytic_moments(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_weibull(&d, 1.5, 2, &g), &g);
    /* 2 Gamma(1 + 2/3); 4 [Gamma(1 + 4/3) - Gamma(1 + 2/3)^2] */
    bf_assert_rel(bf_dist_mean(&d), 1.8054905859, 1e-9);
    bf_assert_rel(bf_dist_variance(&d), 1.5027611393, 1e-9);
    /* a large shape, where the textbook difference cancels */
    ok(bf_dist_weibull(&d, 100, 2, &g), &g);
    bf_assert_rel(bf_dist_mean(&d), 1.9886517024, 1e-9);
    bf_assert_rel(bf_dist_variance(&d), 6.412196648e-4, 1e-8);
    /* a tiny shape: the moments overflow to +inf instead of raising a GSL
     * error (which would abort) */
    ok(bf_dist_weibull(&d, 0.005, 1, &g), &g);
    assert_true(isinf(bf_dist_mean(&d)) && bf_dist_mean(&d) > 0);
    assert_true(isinf(bf_dist_variance(&d)) && bf_dist_variance(&d) > 0);
    /* but a small scale brings the mean back */
    ok(bf_dist_weibull(&d, 0.01, 1e-200, &g), &g);
    bf_assert_rel(bf_dist_mean(&d), 9.332621544e-43, 1e-8); /* 1e-200 * 100! */

    ok(bf_dist_triangular(&d, 1, 2, 6, &g), &g);
    bf_assert_rel(bf_dist_mean(&d), 3, 1e-15);
    bf_assert_rel(bf_dist_variance(&d), (1 + 36 + 4 - 6 - 2 - 12) / 18.0, 1e-15);

    const double v[] = {1, 2, 4}, w[] = {1, 1, 2};
    ok(bf_dist_empirical(&d, v, w, 3, &g), &g);
    bf_assert_rel(bf_dist_mean(&d), 11.0 / 4, 1e-15);
    bf_assert_rel(bf_dist_variance(&d), (1 * 1.75 * 1.75 + 0.75 * 0.75 + 2 * 1.25 * 1.25) / 4,
                  1e-15);

    ok(bf_dist_bernoulli(&d, 0.25, &g), &g);
    bf_assert_rel(bf_dist_mean(&d), 0.25, 0);
    bf_assert_rel(bf_dist_variance(&d), 0.1875, 1e-15);
}

static void dist_should_invert_the_cdf_of_continuous_kinds(void **state)
{
    (void)state;
    struct bf_dist d[NCASE];
    all_cases(d);
    const double u[] = {1e-6, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1 - 1e-6};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    for (int c = 0; c < NCASE; c++) {
        if (!continuous(&d[c]))
            continue;
        for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
            const double x = bf_dist_quantile(&d[c], u[i]);
            bf_assert_near(bf_dist_cdf(&d[c], x), u[i], 1e-10);
            bf_assert_rel(bf_dist_quantile(&d[c], bf_dist_cdf(&d[c], x)), x, 1e-9);
        }
        /* and at drawn points */
        for (int i = 0; i < 1000; i++) {
            const double x = bf_dist_sample(&d[c], r);
            const double p = bf_dist_cdf(&d[c], x);
            if (p > 1e-9 && p < 1 - 1e-9)
                bf_assert_rel(bf_dist_quantile(&d[c], p), x, 1e-7);
        }
        /* the CDF below and above the support */
        const double lo = bf_dist_quantile(&d[c], 0);
        assert_true(bf_dist_cdf(&d[c], lo - 1) == 0);
        assert_true(bf_dist_cdf(&d[c], -1e300) == 0);
        assert_true(bf_dist_cdf(&d[c], 1e300) == 1);
    }
    gsl_rng_free(r);
}

static void dist_should_give_closed_form_quantiles_of_discrete_kinds(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_fixed(&d, 2.5, &g), &g);
    assert_true(bf_dist_quantile(&d, 0) == 2.5 && bf_dist_quantile(&d, 0.99) == 2.5);
    assert_true(bf_dist_cdf(&d, 2.4) == 0 && bf_dist_cdf(&d, 2.5) == 1);

    ok(bf_dist_bernoulli(&d, 0.3, &g), &g);
    assert_true(bf_dist_quantile(&d, 0) == 0 && bf_dist_quantile(&d, 0.69) == 0);
    assert_true(bf_dist_quantile(&d, 0.7) == 1 && bf_dist_quantile(&d, 0.99) == 1);
    assert_true(bf_dist_cdf(&d, -0.5) == 0 && bf_dist_cdf(&d, 1) == 1);
    bf_assert_near(bf_dist_cdf(&d, 0), 0.7, 1e-15);
    bf_assert_near(bf_dist_cdf(&d, 0.5), 0.7, 1e-15);

    /* given out of order, with a value of weight 0 that is never drawn */
    const double v[] = {4, 1, 3, 2}, w[] = {1, 1, 0, 2};
    ok(bf_dist_empirical(&d, v, w, 4, &g), &g);
    const double sv[] = {1, 2, 3, 4}, sw[] = {1, 2, 0, 1};
    assert_memory_equal(d.v, sv, sizeof sv);
    assert_memory_equal(d.w, sw, sizeof sw);
    assert_true(bf_dist_quantile(&d, 0) == 1 && bf_dist_quantile(&d, 0.2499) == 1);
    assert_true(bf_dist_quantile(&d, 0.25) == 2 && bf_dist_quantile(&d, 0.7499) == 2);
    assert_true(bf_dist_quantile(&d, 0.75) == 4 && bf_dist_quantile(&d, 1) == 4);
    assert_true(bf_dist_cdf(&d, 0.9) == 0 && bf_dist_cdf(&d, 4) == 1);
    bf_assert_near(bf_dist_cdf(&d, 3.5), 0.75, 1e-15);

    /* a hand-filled struct in any order has the same quantiles */
    struct bf_dist h = {.kind = BF_DIST_EMPIRICAL, .n = 4};
    memcpy(h.v, v, sizeof v);
    memcpy(h.w, w, sizeof w);
    ok(bf_dist_check(&h, &g), &g);
    for (double u = 0; u < 1; u += 0.01)
        assert_true(bf_dist_quantile(&h, u) == bf_dist_quantile(&d, u));
}

static void dist_should_sample_by_inverse_transform_where_it_can(void **state)
{
    (void)state;
    struct bf_dist d[2];
    struct bf_diag g;
    const double v[] = {9, 1, 4, 2}, w[] = {0.5, 1, 2, 0};
    ok(bf_dist_triangular(&d[0], 1, 2, 6, &g), &g);
    ok(bf_dist_empirical(&d[1], v, w, 4, &g), &g);
    gsl_rng *a = gsl_rng_alloc(gsl_rng_taus2), *b = gsl_rng_alloc(gsl_rng_taus2);
    assert_non_null(a);
    assert_non_null(b);
    /* a draw is quantile(U) of the same uniform: monotone in U, which keeps
     * draws aligned between policies under common random numbers */
    for (int c = 0; c < 2; c++) {
        gsl_rng_set(a, 7);
        gsl_rng_set(b, 7);
        for (int i = 0; i < 10000; i++) {
            const double x = bf_dist_sample(&d[c], a);
            assert_true(x == bf_dist_quantile(&d[c], gsl_rng_uniform(b)));
            assert_true(c == 0 || x != 2); /* weight 0 */
        }
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
}

static void dist_should_draw_truncated_values_below_the_bound(void **state)
{
    (void)state;
    struct bf_dist d[NCASE];
    all_cases(d);
    /* gsl_rng_uniform's largest value is 1 - 2^-32 */
    const double u[] = {0, 1e-12, 0.1, 0.3, 0.5, 0.9, 0.999999, 1 - 0x1p-32};
    const double wq[] = {0.001, 0.05, 0.3, 0.5, 0.95, 0.9999};
    for (int c = 0; c < NCASE; c++) {
        for (size_t j = 0; j < sizeof wq / sizeof wq[0]; j++) {
            const double bounds[] = {bf_dist_quantile(&d[c], wq[j]),
                                     bf_dist_quantile(&d[c], wq[j]) * 1.01 + 0.01};
            for (int k = 0; k < 2; k++) {
                const double W = bounds[k], fw = bf_dist_cdf(&d[c], W);
                if (fw == 0)
                    continue;
                for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
                    const double x = bf_dist_quantile(&d[c], u[i] * fw);
                    if (!(x <= W))
                        fail_msg("%s: quantile(%.17g * cdf(%.17g)) = %.17g",
                                 bf_dist_kind_name(d[c].kind), u[i], W, x);
                }
            }
        }
    }
}

#define EXPECT_ERROR(call, want_rc, needle)                                                        \
    do {                                                                                           \
        bf_diag_clear(&g);                                                                         \
        const int rc_ = (call);                                                                    \
        if (rc_ != (want_rc))                                                                      \
            fail_msg("%s returned %d, expected %d (%s)", #call, rc_, (want_rc), g.msg);            \
        if (strstr(g.msg, (needle)) == NULL)                                                       \
            fail_msg("%s: message '%s' does not contain '%s'", #call, g.msg, (needle));            \
    } while (0)

static void dist_should_reject_bad_parameters_with_a_message(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    /* HUGE_VAL and nan() are double; (double)INFINITY and (double)NAN are float (clang
     * -Wdouble-promotion) */
    const double inf = HUGE_VAL, qnan = nan("");

    EXPECT_ERROR(bf_dist_fixed(&d, qnan, &g), BF_EINVAL, "nan");
    EXPECT_ERROR(bf_dist_fixed(&d, -inf, &g), BF_EINVAL, "-inf");

    EXPECT_ERROR(bf_dist_uniform(&d, qnan, 1, &g), BF_EINVAL, "nan");
    EXPECT_ERROR(bf_dist_uniform(&d, 0, inf, &g), BF_EINVAL, "inf");
    EXPECT_ERROR(bf_dist_uniform(&d, 2.5, 1, &g), BF_ERANGE, "2.5");
    EXPECT_ERROR(bf_dist_uniform(&d, 1.75, 1.75, &g), BF_ERANGE, "1.75");
    /* digits enough to see why */
    EXPECT_ERROR(bf_dist_uniform(&d, 1.0000001, 1, &g), BF_ERANGE, "1.0000001");

    EXPECT_ERROR(bf_dist_triangular(&d, 5, 3, 1, &g), BF_ERANGE, "min (5)");
    EXPECT_ERROR(bf_dist_triangular(&d, 1, 7, 5, &g), BF_ERANGE, "mode (7)");
    EXPECT_ERROR(bf_dist_triangular(&d, 1, 0.5, 5, &g), BF_ERANGE, "mode (0.5)");
    EXPECT_ERROR(bf_dist_triangular(&d, 2, 2, 2, &g), BF_ERANGE, "(2)");
    EXPECT_ERROR(bf_dist_triangular(&d, 0, qnan, 2, &g), BF_EINVAL, "nan");

    EXPECT_ERROR(bf_dist_exponential(&d, -1.5, &g), BF_ERANGE, "-1.5");
    EXPECT_ERROR(bf_dist_exponential(&d, 0, &g), BF_ERANGE, "(0)");
    EXPECT_ERROR(bf_dist_exponential(&d, inf, &g), BF_EINVAL, "inf");

    EXPECT_ERROR(bf_dist_lognormal(&d, 0, -0.5, &g), BF_ERANGE, "-0.5");
    EXPECT_ERROR(bf_dist_lognormal(&d, 0, 0, &g), BF_ERANGE, "sigma (0)");
    EXPECT_ERROR(bf_dist_lognormal(&d, qnan, 1, &g), BF_EINVAL, "nan");
    EXPECT_ERROR(bf_dist_lognormal(&d, 0, inf, &g), BF_EINVAL, "inf");

    EXPECT_ERROR(bf_dist_lognormal_median_p90(&d, 2.0, 1.5, &g), BF_ERANGE,
                 "lognormal p90 (1.5) must be greater than the median (2)");
    EXPECT_ERROR(bf_dist_lognormal_median_p90(&d, 2.0, 2.0, &g), BF_ERANGE, "p90 (2)");
    EXPECT_ERROR(bf_dist_lognormal_median_p90(&d, -0.25, 1, &g), BF_ERANGE, "-0.25");
    EXPECT_ERROR(bf_dist_lognormal_median_p90(&d, qnan, 1, &g), BF_EINVAL, "nan");
    EXPECT_ERROR(bf_dist_lognormal_median_p90(&d, 1, inf, &g), BF_EINVAL, "inf");

    EXPECT_ERROR(bf_dist_lognormal_mean_sd(&d, 10, -3, &g), BF_ERANGE, "sd (-3)");
    EXPECT_ERROR(bf_dist_lognormal_mean_sd(&d, -4, 1, &g), BF_ERANGE, "mean (-4)");
    EXPECT_ERROR(bf_dist_lognormal_mean_sd(&d, 10, qnan, &g), BF_EINVAL, "nan");
    EXPECT_ERROR(bf_dist_lognormal_mean_sd(&d, 10, 0, &g), BF_ERANGE, "sd (0)");
    /* valid inputs whose derived sigma overflows: the message names them */
    EXPECT_ERROR(bf_dist_lognormal_mean_sd(&d, 1e-300, 1e300, &g), BF_EINVAL, "1e+300");

    EXPECT_ERROR(bf_dist_gamma(&d, -1.5, 1, &g), BF_ERANGE, "shape (-1.5)");
    EXPECT_ERROR(bf_dist_gamma(&d, 1, 0, &g), BF_ERANGE, "scale (0)");
    EXPECT_ERROR(bf_dist_gamma(&d, qnan, 1, &g), BF_EINVAL, "nan");
    EXPECT_ERROR(bf_dist_gamma(&d, 1, inf, &g), BF_EINVAL, "inf");
    EXPECT_ERROR(bf_dist_gamma_mean_cv(&d, 4.8, -0.4, &g), BF_ERANGE, "cv (-0.4)");
    EXPECT_ERROR(bf_dist_gamma_mean_cv(&d, -4.8, 0.4, &g), BF_ERANGE, "mean (-4.8)");
    EXPECT_ERROR(bf_dist_gamma_mean_cv(&d, 4.8, 1e-200, &g), BF_EINVAL, "1e-200");
    /* GSL's gamma quantile does not converge beyond [0.2, 500] */
    EXPECT_ERROR(bf_dist_gamma(&d, 0.0063, 500, &g), BF_ERANGE, "outside [0.2, 500]");
    EXPECT_ERROR(bf_dist_gamma(&d, 1000, 0.1, &g), BF_ERANGE, "outside [0.2, 500]");
    EXPECT_ERROR(bf_dist_gamma_mean_cv(&d, 4.8, 3, &g), BF_ERANGE, "gamma mean 4.8 and cv 3");

    EXPECT_ERROR(bf_dist_weibull(&d, -2, 1, &g), BF_ERANGE, "shape (-2)");
    EXPECT_ERROR(bf_dist_weibull(&d, 2, qnan, &g), BF_EINVAL, "nan");

    double v[20], w[20];
    for (int i = 0; i < 20; i++) {
        v[i] = i;
        w[i] = 1;
    }
    EXPECT_ERROR(bf_dist_empirical(&d, v, w, 0, &g), BF_EINVAL, "needs 1 to 16 values, got 0");
    EXPECT_ERROR(bf_dist_empirical(&d, NULL, NULL, 0, &g), BF_EINVAL, "got 0");
    EXPECT_ERROR(bf_dist_empirical(&d, v, w, 20, &g), BF_EINVAL,
                 "empirical distribution needs 1 to 16 values, got 20");
    w[2] = -0.75;
    EXPECT_ERROR(bf_dist_empirical(&d, v, w, 4, &g), BF_ERANGE, "weights[2] (-0.75)");
    w[2] = qnan;
    EXPECT_ERROR(bf_dist_empirical(&d, v, w, 4, &g), BF_EINVAL, "nan");
    w[2] = 1;
    v[3] = -inf;
    EXPECT_ERROR(bf_dist_empirical(&d, v, w, 4, &g), BF_EINVAL, "values[3] is -inf");
    v[3] = 3;
    const double zero[] = {0, 0, 0}, huge[] = {1e308, 1e308};
    EXPECT_ERROR(bf_dist_empirical(&d, v, zero, 3, &g), BF_ERANGE, "sum to 0");
    EXPECT_ERROR(bf_dist_empirical(&d, v, huge, 2, &g), BF_ERANGE, "sum to inf");

    EXPECT_ERROR(bf_dist_bernoulli(&d, 1.2, &g), BF_ERANGE, "probability 1.2 is outside [0, 1]");
    EXPECT_ERROR(bf_dist_bernoulli(&d, -0.1, &g), BF_ERANGE, "-0.1");
    EXPECT_ERROR(bf_dist_bernoulli(&d, qnan, &g), BF_EINVAL, "nan");

    /* hand-filled sets reach the same checks */
    struct bf_dist h = {.kind = (enum bf_dist_kind)42};
    EXPECT_ERROR(bf_dist_check(&h, &g), BF_EINVAL, "kind 42");
    h = (struct bf_dist){.kind = BF_DIST_EMPIRICAL, .n = 17};
    EXPECT_ERROR(bf_dist_check(&h, &g), BF_EINVAL, "got 17");
    h = (struct bf_dist){.kind = BF_DIST_GAMMA, .p = {1, -2}};
    EXPECT_ERROR(bf_dist_check(&h, &g), BF_ERANGE, "scale (-2)");
    /* a NULL diag is allowed */
    assert_int_equal(bf_dist_check(&h, NULL), BF_ERANGE);
}

static void dist_should_accept_parameters_at_the_limits(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_fixed(&d, -3, &g), &g);
    ok(bf_dist_bernoulli(&d, 0, &g), &g);
    ok(bf_dist_bernoulli(&d, 1, &g), &g);
    ok(bf_dist_triangular(&d, -1, -1, 1, &g), &g);
    ok(bf_dist_triangular(&d, -1, 1, 1, &g), &g);
    const double v[16] = {0}, w[16] = {1};
    ok(bf_dist_empirical(&d, v, w, 16, &g), &g);
    ok(bf_dist_empirical(&d, v, w, 1, &g), &g);
    assert_int_equal(d.n, 1);
}

static void dist_should_scale_by_a_factor(void **state)
{
    (void)state;
    struct bf_dist d[NCASE];
    all_cases(d);
    const double f = 2.5;
    for (int c = 0; c < NCASE; c++) {
        if (d[c].kind == BF_DIST_BERNOULLI)
            continue;
        struct bf_dist s = d[c];
        bf_dist_scale(&s, f);
        assert_int_equal(bf_dist_check(&s, NULL), 0);
        bf_assert_rel(bf_dist_mean(&s), f * bf_dist_mean(&d[c]), 1e-12);
        bf_assert_rel(bf_dist_variance(&s), f * f * bf_dist_variance(&d[c]), 1e-12);
        const double u[] = {0.1, 0.5, 0.9};
        for (int i = 0; i < 3; i++) {
            const double x = bf_dist_quantile(&d[c], u[i]);
            bf_assert_rel(bf_dist_quantile(&s, u[i]), f * x, 1e-9);
            bf_assert_near(bf_dist_cdf(&s, f * x), bf_dist_cdf(&d[c], x), 1e-12);
        }
    }
    /* the parameterisations the model uses */
    struct bf_dist ln, ga;
    struct bf_diag g;
    ok(bf_dist_lognormal_median_p90(&ln, 0.6, 2.2, &g), &g);
    bf_dist_scale(&ln, 1.5);
    bf_assert_rel(exp(ln.p[0]), 0.9, 1e-12); /* median */
    bf_assert_rel(bf_dist_quantile(&ln, 0.9), 3.3, 1e-9);
    bf_assert_rel(ln.p[1], 1.0138358994, 1e-9); /* shape kept */
    ok(bf_dist_gamma_mean_cv(&ga, 4.8, 0.4, &g), &g);
    bf_dist_scale(&ga, 0.5);
    bf_assert_rel(bf_dist_mean(&ga), 2.4, 1e-12);
    bf_assert_rel(ga.p[0], 6.25, 1e-12); /* cv kept */
}

static void dist_should_flag_nonnegative_kinds(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
#define NONNEG(call, want)                                                                         \
    do {                                                                                           \
        ok((call), &g);                                                                            \
        if (bf_dist_nonnegative(&d) != (want))                                                     \
            fail_msg("%s: nonnegative is %d", #call, bf_dist_nonnegative(&d));                     \
    } while (0)
    NONNEG(bf_dist_fixed(&d, 0, &g), 1);
    NONNEG(bf_dist_fixed(&d, -0.5, &g), 0);
    NONNEG(bf_dist_uniform(&d, 0, 1, &g), 1);
    NONNEG(bf_dist_uniform(&d, -1, 1, &g), 0);
    NONNEG(bf_dist_triangular(&d, 0, 1, 2, &g), 1);
    NONNEG(bf_dist_triangular(&d, -0.1, 1, 2, &g), 0);
    NONNEG(bf_dist_exponential(&d, 1, &g), 1);
    NONNEG(bf_dist_lognormal(&d, -5, 2, &g), 1);
    NONNEG(bf_dist_gamma(&d, 0.3, 1, &g), 1);
    NONNEG(bf_dist_weibull(&d, 0.3, 1, &g), 1);
    NONNEG(bf_dist_bernoulli(&d, 0.5, &g), 1);
    const double v[] = {0, 1, 2}, vn[] = {-1, 1, 2}, w[] = {1, 1, 1}, w0[] = {0, 1, 1};
    NONNEG(bf_dist_empirical(&d, v, w, 3, &g), 1);
    NONNEG(bf_dist_empirical(&d, vn, w, 3, &g), 0);
    /* a negative value of weight 0 cannot be drawn but is still flagged */
    NONNEG(bf_dist_empirical(&d, vn, w0, 3, &g), 0);
#undef NONNEG
}

static void dist_should_name_kinds(void **state)
{
    (void)state;
    assert_string_equal(bf_dist_kind_name(BF_DIST_FIXED), "fixed");
    assert_string_equal(bf_dist_kind_name(BF_DIST_LOGNORMAL), "lognormal");
    assert_string_equal(bf_dist_kind_name(BF_DIST_BERNOULLI), "bernoulli");
    for (int k = 0; k < BF_DIST__COUNT; k++)
        assert_non_null(bf_dist_kind_name((enum bf_dist_kind)k));
    assert_null(bf_dist_kind_name(BF_DIST__COUNT));
    assert_null(bf_dist_kind_name((enum bf_dist_kind) - 1));
}

static void scale_bernoulli(void)
{
    struct bf_dist d;
    (void)bf_dist_bernoulli(&d, 0.5, NULL);
    bf_dist_scale(&d, 2);
}
static void scale_by_zero(void)
{
    struct bf_dist d;
    (void)bf_dist_exponential(&d, 1, NULL);
    bf_dist_scale(&d, 0);
}
static void sample_bad_kind(void)
{
    struct bf_dist d = {.kind = BF_DIST__COUNT};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    (void)bf_dist_sample(&d, r);
}
static void sample_oversized_empirical(void)
{
    struct bf_dist d = {.kind = BF_DIST_EMPIRICAL, .n = 17};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    (void)bf_dist_sample(&d, r);
}
static void quantile_above_one(void)
{
    struct bf_dist d;
    (void)bf_dist_exponential(&d, 1, NULL);
    (void)bf_dist_quantile(&d, 1.5);
}

static void dist_should_abort_on_broken_contracts(void **state)
{
    (void)state;
    assert_true(bf_aborts(scale_bernoulli));
    assert_true(bf_aborts(scale_by_zero));
    assert_true(bf_aborts(sample_bad_kind));
    assert_true(bf_aborts(sample_oversized_empirical));
    assert_true(bf_aborts(quantile_above_one));
}

/* Checks a table against the exact quantile at u (increasing across calls):
 * returns the relative error, and asserts monotony through *prev. */
static double qtable_error_at(const struct bf_qtable *t, double u, double *prev)
{
    double a = bf_qtable_eval(t, u), e = bf_dist_quantile(&t->d, u);
    assert_true(a >= *prev);
    *prev = a;
    return fabs(a - e) / e;
}

/* The tabulated quantile against the exact one, for gammas and lognormals
 * from those of the defaults (shape 2.78, time to sale; 11.1, a settlement
 * lag; 44, a sea crossing) to a skewed 0.44 and a sigma of 2: within the
 * header's promise over the centre and both tails to 2^-40, monotone, exact
 * at 0 and for the kinds that are not tabulated. A table on a grid four
 * times coarser, or linear in u in the tails, fails it. */
static void qtable_should_follow_the_exact_quantile(void **state)
{
    (void)state;
    struct bf_dist d[8];
    int n = 0;
    assert_int_equal(bf_dist_gamma(&d[n++], 2.78, 32.4, NULL), 0);
    assert_int_equal(bf_dist_gamma(&d[n++], 11.1, 1.26, NULL), 0);
    assert_int_equal(bf_dist_gamma(&d[n++], 4.0, 7.5, NULL), 0);
    assert_int_equal(bf_dist_gamma(&d[n++], 0.44, 10.0, NULL), 0);
    assert_int_equal(bf_dist_gamma(&d[n++], 44.0, 0.72, NULL), 0);
    assert_int_equal(bf_dist_lognormal(&d[n++], log(50.0), 1.08, NULL), 0);
    assert_int_equal(bf_dist_lognormal(&d[n++], 1.0, 0.5, NULL), 0);
    assert_int_equal(bf_dist_lognormal(&d[n++], 0.0, 2.0, NULL), 0);
    for (int c = 0; c < n; c++) {
        struct bf_qtable t;
        assert_int_equal(bf_qtable_init(&t, &d[c]), 0);
        assert_non_null(t.q);
        double worst = 0.0, prev = 0.0;
        assert_true(bf_qtable_eval(&t, 0.0) == bf_dist_quantile(&d[c], 0.0));
        /* the lower tail, w = -log2 u from 40 down to 4 (not on the grid) */
        for (double w = 40.0; w > 6.0; w -= 1.0 / 37)
            worst = fmax(worst, qtable_error_at(&t, exp2(-w), &prev));
        for (int j = 3125; j < 196875; j++) /* 1/64 to 63/64 */
            worst = fmax(worst, qtable_error_at(&t, j / 200000.0, &prev));
        for (double w = 6.0; w < 40.0; w += 1.0 / 37)
            worst = fmax(worst, qtable_error_at(&t, 1.0 - exp2(-w), &prev));
        /* the defaults' gammas (the first three and the sea crossing) are
         * within 3e-5; all, skewed ones too, within 5e-4 */
        assert_true(worst < (c <= 2 || c == 4 ? 3e-5 : 5e-4));
        bf_qtable_fini(&t);
    }
    struct bf_dist wb;
    assert_int_equal(bf_dist_weibull(&wb, 1.5, 10.0, NULL), 0);
    struct bf_qtable t;
    assert_int_equal(bf_qtable_init(&t, &wb), 0);
    assert_null(t.q);
    assert_true(bf_qtable_eval(&t, 0.3) == bf_dist_quantile(&wb, 0.3));
    bf_qtable_fini(&t);
}

/* The cache gives one table per distribution: the same for equal ones (a
 * copy), another for a different one. */
static void qcache_should_share_a_table_per_distribution(void **state)
{
    (void)state;
    struct bf_qcache c;
    assert_int_equal(bf_qcache_init(&c), 0);
    struct bf_dist a, b, e;
    assert_int_equal(bf_dist_gamma(&a, 2.78, 32.4, NULL), 0);
    struct bf_dist a2 = a;
    assert_int_equal(bf_dist_gamma(&b, 2.78, 32.5, NULL), 0);
    const double v[] = {1.0, 2.0}, w[] = {1.0, 3.0};
    assert_int_equal(bf_dist_empirical(&e, v, w, 2, NULL), 0);
    const struct bf_qtable *ta = bf_qcache_get(&c, &a), *tb = bf_qcache_get(&c, &b);
    assert_non_null(ta);
    assert_non_null(tb);
    assert_ptr_equal(bf_qcache_get(&c, &a2), ta);
    assert_ptr_not_equal(ta, tb);
    const struct bf_qtable *te = bf_qcache_get(&c, &e);
    assert_non_null(te);
    assert_null(te->q);
    assert_true(bf_qtable_eval(te, 0.5) == 2.0);
    struct bf_dist e2 = e;
    e2.w[1] = 1.0; /* another empirical distribution */
    assert_ptr_not_equal(bf_qcache_get(&c, &e2), te);
    assert_int_equal(c.n, 4);
    bf_qcache_fini(&c);
}

static void tail_should_bound_the_quantile_at_one_in_a_million_million(void **state)
{
    (void)state;
    /* exact where the quantile has a closed form, an upper bound for gamma
     * (GSL's iterative quantile as the reference, on parameters where it
     * converges; 1 - 1e-12 rounds to 1 - 1.00009e-12, hence 1e-4) */
    struct bf_dist d;
    const double q = 1.0 - BF_DIST_TAIL_P;
    ok(bf_dist_exponential(&d, 15.0, NULL), NULL);
    bf_assert_rel(bf_dist_tail(&d), 15.0 * log(1e12), 1e-12);
    ok(bf_dist_lognormal_median_p90(&d, 14.0, 60.0, NULL), NULL);
    bf_assert_rel(bf_dist_tail(&d), bf_dist_quantile(&d, q), 1e-4);
    ok(bf_dist_weibull(&d, 1.5, 20.0, NULL), NULL);
    bf_assert_rel(bf_dist_tail(&d), bf_dist_quantile(&d, q), 1e-4);
    const double shapes[] = {0.5, 1.0, 2.78, 6.25, 100.0};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        ok(bf_dist_gamma(&d, shapes[i], 3.0, NULL), NULL);
        double exact = bf_dist_quantile(&d, q);
        assert_true(bf_dist_tail(&d) >= exact);
        /* a bound, not far above: 30% for shape 1, less beyond */
        assert_true(bf_dist_tail(&d) <= (shapes[i] >= 1.0 ? 1.31 : 1.5) * exact);
    }
    /* the bounded kinds: their largest value */
    ok(bf_dist_fixed(&d, 7.0, NULL), NULL);
    bf_assert_near(bf_dist_tail(&d), 7.0, 0.0);
    ok(bf_dist_uniform(&d, 2.0, 4.0, NULL), NULL);
    bf_assert_near(bf_dist_tail(&d), 4.0, 0.0);
    ok(bf_dist_triangular(&d, 1.0, 2.0, 9.0, NULL), NULL);
    bf_assert_near(bf_dist_tail(&d), 9.0, 0.0);
    const double v[] = {3.0, 40.0, 5.0}, w[] = {1.0, 0.0, 1.0};
    ok(bf_dist_empirical(&d, v, w, 3, NULL), NULL);
    bf_assert_near(bf_dist_tail(&d), 40.0, 0.0); /* every value listed counts */
    /* far too large to be a number: infinite, never NaN */
    ok(bf_dist_lognormal(&d, 690.0, 5.0, NULL), NULL);
    assert_true(isinf(bf_dist_tail(&d)));
    ok(bf_dist_weibull(&d, 1e-3, 1e-300, NULL), NULL);
    assert_true(isinf(bf_dist_tail(&d)));
    ok(bf_dist_gamma(&d, 500.0, 1e306, NULL), NULL);
    assert_true(isinf(bf_dist_tail(&d)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dist_should_match_analytic_moments_for_every_kind),
        cmocka_unit_test(dist_should_convert_lognormal_median_and_p90),
        cmocka_unit_test(dist_should_convert_lognormal_mean_and_sd),
        cmocka_unit_test(dist_should_convert_gamma_mean_and_cv),
        cmocka_unit_test(dist_should_give_analytic_moments),
        cmocka_unit_test(dist_should_invert_the_cdf_of_continuous_kinds),
        cmocka_unit_test(dist_should_give_closed_form_quantiles_of_discrete_kinds),
        cmocka_unit_test(dist_should_sample_by_inverse_transform_where_it_can),
        cmocka_unit_test(dist_should_draw_truncated_values_below_the_bound),
        cmocka_unit_test(dist_should_reject_bad_parameters_with_a_message),
        cmocka_unit_test(dist_should_accept_parameters_at_the_limits),
        cmocka_unit_test(dist_should_scale_by_a_factor),
        cmocka_unit_test(dist_should_flag_nonnegative_kinds),
        cmocka_unit_test(dist_should_name_kinds),
        cmocka_unit_test(dist_should_abort_on_broken_contracts),
        cmocka_unit_test(qtable_should_follow_the_exact_quantile),
        cmocka_unit_test(qcache_should_share_a_table_per_distribution),
        cmocka_unit_test(tail_should_bound_the_quantile_at_one_in_a_million_million),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
