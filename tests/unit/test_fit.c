/*
 * test_fit.c - fitting the duration families: known distributions
 * recovered from the engine's own draws, goodness-of-fit statistics
 * against values worked by hand, the ranking rule, the spec (read back by
 * the scenario loader itself), and the CSV reader on good and bad files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_psi.h>

#include "borderflow/dist.h"
#include "borderflow/fit.h"
#include "borderflow/rng.h"
#include "borderflow/scenario.h"

#include "bf_test.h"

enum { N_SAMPLE = 2000 };

static void ok(int rc, const struct bf_diag *g)
{
    if (rc != 0)
        fail_msg("unexpected error %d: %s", rc, g->msg);
}

/* n draws of d from purpose stream 0 of the engine's streams for `seed`
 * (city 0, replication 0), as the model draws its durations. */
static double *draw(const struct bf_dist *d, size_t n, uint64_t seed)
{
    struct bf_streams st;
    assert_int_equal(bf_streams_init(&st, seed, 0, 0, 1), 0);
    gsl_rng *r = bf_streams_get(&st, 0);
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = bf_dist_sample(d, r);
    bf_streams_fini(&st);
    return x;
}

/* n draws as the model draws a shipment's clearance times (export.c): one
 * bf_dist_sample from the entity stream of each shipment serial. */
static double *draw_entity(const struct bf_dist *d, size_t n, uint64_t seed)
{
    struct bf_streams st;
    assert_int_equal(bf_streams_init(&st, seed, 0, 0, 1), 0);
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = bf_dist_sample(d, bf_streams_entity(&st, 0, i, 0));
    bf_streams_fini(&st);
    return x;
}

/* n draws as the model draws a unit's time to sale (sales.c): by inversion
 * of the tabulated quantile at the unit's first entity uniform. */
static double *draw_inversion(const struct bf_dist *d, size_t n, uint64_t seed)
{
    struct bf_streams st;
    assert_int_equal(bf_streams_init(&st, seed, 0, 0, 1), 0);
    struct bf_qtable q;
    assert_int_equal(bf_qtable_init(&q, d), 0);
    assert_non_null(q.q); /* the gamma is tabulated: this is the table's path */
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = bf_qtable_eval(&q, bf_rng_entity_u(bf_streams_entity_seed(&st, 0, i, 0), 0));
    bf_qtable_fini(&q);
    bf_streams_fini(&st);
    return x;
}

static void data_of(struct bf_fit_data *s, double *x, size_t n)
{
    struct bf_diag g;
    ok(bf_fit_data_init(s, x, n, &g), &g);
    free(x);
}

static void sample(struct bf_fit_data *s, const struct bf_dist *d, size_t n, uint64_t seed)
{
    data_of(s, draw(d, n, seed), n);
}

static const struct bf_fit_result *find(const struct bf_fit_table *t, enum bf_dist_kind k)
{
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++)
        if (t->r[i].kind == k)
            return &t->r[i];
    fail_msg("no %s in the table", bf_dist_kind_name(k));
    return NULL;
}

/* The table is ordered as fit.h says: fitted parametric families by
 * increasing AIC, then those not fitted, then the empirical table. */
static void assert_ranked(const struct bf_fit_table *t)
{
    unsigned i = 0;
    for (; i < BF_FIT_FAMILIES && t->r[i].fitted && t->r[i].kind != BF_DIST_EMPIRICAL; i++)
        if (i > 0)
            assert_true(t->r[i - 1].aic <= t->r[i].aic);
    for (; i < BF_FIT_FAMILIES - 1; i++)
        assert_false(t->r[i].fitted);
    assert_int_equal(t->r[BF_FIT_FAMILIES - 1].kind, BF_DIST_EMPIRICAL);
}

/*
 * Tolerances: a maximum-likelihood estimate is asymptotically normal
 * around the true value with the inverse Fisher information as its
 * covariance, so each parameter is checked within 3 of its standard errors
 * at n = 2000 (a correct fit lands outside with probability 0.27% per
 * parameter; the seeds are fixed, so the test is also reproducible). The
 * standard errors are the textbook ones, computed here independently of
 * fit.c:
 *   exponential  se(mean) = mean / sqrt(n)
 *   lognormal    se(mu) = sigma / sqrt(n), se(sigma) = sigma / sqrt(2n)
 *   gamma        var(k) = k / (n (k psi1(k) - 1)),
 *                var(theta) = psi1(k) theta^2 / (n (k psi1(k) - 1))
 *   weibull      var(k) = 6 k^2 / (pi^2 n),
 *                var(lambda) = lambda^2 (1 + 6 (1 - gamma_E)^2 / pi^2) / (k^2 n)
 * For gamma(2.78, 32.4) these are 3.0% and 3.3% of the values, so 3 se
 * is about 10%; the lognormal's are 1.4% and 1.6%.
 */
#define EULER_GAMMA 0.57721566490153286

/* Checks, and prints the figure docs/uncertainty.md quotes. */
static void assert_within_3se(double got, double want, double se, const char *what)
{
    print_message("    %-16s %10.5g  true %-8.4g se %-8.3g (%+.2f se)\n", what, got, want, se,
                  (got - want) / se);
    if (!(fabs(got - want) <= 3 * se))
        fail_msg("%s = %.6g, expected %.6g within 3 se = %.4g", what, got, want, 3 * se);
}

/* The ranking as docs/uncertainty.md quotes it: each fitted family's AIC
 * above the first's, and the KS p-value of the first. */
static void print_ranking(const struct bf_fit_table *t)
{
    char line[256];
    size_t len = 0;
    for (unsigned i = 0; i < BF_FIT_FAMILIES && t->r[i].fitted && t->r[i].kind != BF_DIST_EMPIRICAL;
         i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s%s +%.1f", i ? ", " : "",
                                bf_dist_kind_name(t->r[i].kind), t->r[i].aic - t->r[0].aic);
    print_message("    ranked by AIC: %s; KS p of the first %.3g, A2 %.3g\n", line, t->r[0].ks_p,
                  t->r[0].ad_a2);
}

/* The default time to sale, gamma(2.78, 32.4) days, drawn as the model
 * draws it. (Over 400 seeds of this path the fitted shapes average 2.786
 * and one lies beyond 3 se, as expected: seed 11 was that one.) */
static void fit_should_recover_a_gamma(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_gamma(&d, 2.78, 32.4, &g), &g);
    struct bf_fit_data s;
    data_of(&s, draw_inversion(&d, N_SAMPLE, 14), N_SAMPLE);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    assert_int_equal(t.r[0].kind, BF_DIST_GAMMA);
    assert_int_equal(t.best, 0);
    const double k = 2.78, th = 32.4, n = N_SAMPLE, t1 = gsl_sf_psi_1(k);
    assert_within_3se(t.r[0].d.p[0], k, sqrt(k / (n * (k * t1 - 1))), "gamma shape");
    assert_within_3se(t.r[0].d.p[1], th, sqrt(t1 * th * th / (n * (k * t1 - 1))), "gamma scale");
    print_ranking(&t);
    assert_true(t.r[0].acceptable && t.r[0].ks_p > BF_FIT_ACCEPT_P);
    bf_fit_data_fini(&s);
}

/* The default risk screening, lognormal with median 0.45 h and p90 1.6 h,
 * drawn as the model draws it. */
static void fit_should_recover_a_lognormal(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_lognormal_median_p90(&d, 0.45, 1.6, &g), &g);
    const double mu = d.p[0], sigma = d.p[1], n = N_SAMPLE;
    struct bf_fit_data s;
    data_of(&s, draw_entity(&d, N_SAMPLE, 12), N_SAMPLE);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    assert_int_equal(t.r[0].kind, BF_DIST_LOGNORMAL);
    assert_int_equal(t.best, 0);
    assert_within_3se(t.r[0].d.p[0], mu, sigma / sqrt(n), "lognormal mu");
    assert_within_3se(t.r[0].d.p[1], sigma, sigma / sqrt(2 * n), "lognormal sigma");
    print_ranking(&t);
    bf_fit_data_fini(&s);
}

static void fit_should_recover_a_weibull(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_weibull(&d, 1.5, 10, &g), &g);
    const double k = 1.5, lambda = 10, n = N_SAMPLE;
    struct bf_fit_data s;
    sample(&s, &d, N_SAMPLE, 13);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    assert_int_equal(t.r[0].kind, BF_DIST_WEIBULL);
    assert_int_equal(t.best, 0);
    assert_within_3se(t.r[0].d.p[0], k, sqrt(6 * k * k / (M_PI * M_PI * n)), "weibull shape");
    const double c = 1 + 6 * (1 - EULER_GAMMA) * (1 - EULER_GAMMA) / (M_PI * M_PI);
    assert_within_3se(t.r[0].d.p[1], lambda, sqrt(lambda * lambda * c / (k * k * n)),
                      "weibull scale");
    print_ranking(&t);
    bf_fit_data_fini(&s);
}

/*
 * The exponential is the gamma and the Weibull of shape 1: both nest it,
 * and on exponential data they gain in log-likelihood half a chi-square
 * with one degree of freedom. AIC charges them 1 for the extra parameter,
 * so a nested family wins when chi2(1) > 2, in about 16% of samples each
 * (the two events largely coincide). "The exponential ranks first" is
 * therefore checked over 40 independent samples, of which a correct fit
 * puts the exponential first in about 32; at least 24 is asked (a correct
 * fit falls below with probability under 1%). Its mean and the nested
 * families' shapes are checked on the first sample.
 */
static void fit_should_recover_an_exponential(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_exponential(&d, 5, &g), &g);
    const double n = N_SAMPLE;
    int first = 0;
    for (uint64_t seed = 100; seed < 140; seed++) {
        struct bf_fit_data s;
        sample(&s, &d, N_SAMPLE, seed);
        struct bf_fit_table t;
        ok(bf_fit_run(&s, &t, &g), &g);
        assert_ranked(&t);
        first += t.r[0].kind == BF_DIST_EXPONENTIAL;
        if (seed == 100) {
            assert_within_3se(find(&t, BF_DIST_EXPONENTIAL)->d.p[0], 5, 5 / sqrt(n), "mean");
            /* shape 1: se from the formulas above */
            assert_within_3se(find(&t, BF_DIST_GAMMA)->d.p[0], 1,
                              sqrt(1 / (n * (gsl_sf_psi_1(1) - 1))), "gamma shape");
            assert_within_3se(find(&t, BF_DIST_WEIBULL)->d.p[0], 1, sqrt(6 / (M_PI * M_PI * n)),
                              "weibull shape");
        }
        bf_fit_data_fini(&s);
    }
    print_message("    the exponential ranked first in %d of 40 samples (expected about 32)\n",
                  first);
    if (first < 24)
        fail_msg("the exponential ranked first in %d of 40 samples, expected about 32", first);
}

/* The estimates are maxima of the log-likelihood: a step of 0.1% in any
 * one parameter, either way, lowers it. A method-of-moments estimate (as
 * consistent, so as close to the truth) would fail this. The gamma's and
 * Weibull's shapes also solve their score equations. */
static void perturbed_lower(const struct bf_dist *best, const struct bf_fit_data *s, int np)
{
    const double ll = bf_fit_loglik(best, s);
    for (int j = 0; j < np; j++)
        for (int sign = -1; sign <= 1; sign += 2) {
            struct bf_dist e = *best;
            e.p[j] += sign * 1e-3 * (fabs(e.p[j]) > 0.1 ? fabs(e.p[j]) : 0.1);
            if (!(bf_fit_loglik(&e, s) < ll))
                fail_msg("%s: p[%d] %+d: log-likelihood %.12g not below %.12g",
                         bf_dist_kind_name(best->kind), j, sign, bf_fit_loglik(&e, s), ll);
        }
}

static void fit_should_maximise_the_likelihood(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_gamma(&d, 0.7, 3, &g), &g); /* a shape below 1 too */
    struct bf_fit_data s;
    sample(&s, &d, 500, 21);
    struct bf_dist f;
    ok(bf_fit_exponential(&s, &f, &g), &g);
    perturbed_lower(&f, &s, 1);
    ok(bf_fit_lognormal(&s, &f, &g), &g);
    perturbed_lower(&f, &s, 2);
    ok(bf_fit_gamma(&s, &f, &g), &g);
    perturbed_lower(&f, &s, 2);
    /* ln k - psi(k) = ln mean - mean ln x, and scale = mean / k */
    bf_assert_near(log(f.p[0]) - gsl_sf_psi(f.p[0]), log(s.mean) - s.mean_log, 1e-9);
    bf_assert_rel(f.p[0] * f.p[1], s.mean, 1e-12);
    ok(bf_fit_weibull(&s, &f, &g), &g);
    perturbed_lower(&f, &s, 2);
    bf_fit_data_fini(&s);
}

/* Closed forms worked by hand on ten values x = e^z with z = -2, -1, -1,
 * 0, 0, 0, 0, 1, 1, 2: mean z = 0 and mean z^2 = 12/10, so the lognormal
 * fit is mu = 0, sigma = sqrt(1.2) = 1.095445, and its log-likelihood
 * -sum z - n ln sigma - (n/2) ln(2 pi) - n/2 = 0 - 10 * 0.0911608 -
 * 9.1893853 - 5 = -15.1009931. The exponential's mean is
 * (e^-2 + 2e^-1 + 4 + 2e + e^2) / 10 = (0.1353353 + 0.7357589 + 4 +
 * 5.4365637 + 7.3890561) / 10 = 1.7696714, its log-likelihood
 * -n ln mean - n = -10 * 0.5707939 - 10 = -15.7079388.
 * AIC = 2k - 2 ln L, BIC = k ln n - 2 ln L with ln 10 = 2.3025851:
 * exponential (k = 1) AIC 33.4158775, BIC 33.7184626; lognormal (k = 2)
 * AIC 34.2019862, BIC 34.8071564, so the exponential ranks above the
 * lognormal by both. */
static void fit_should_match_closed_forms_worked_by_hand(void **state)
{
    (void)state;
    const double z[10] = {-2, -1, -1, 0, 0, 0, 0, 1, 1, 2};
    double x[10];
    for (int i = 0; i < 10; i++)
        x[i] = exp(z[i]);
    struct bf_fit_data s;
    struct bf_diag g;
    ok(bf_fit_data_init(&s, x, 10, &g), &g);
    struct bf_dist f;
    ok(bf_fit_lognormal(&s, &f, &g), &g);
    bf_assert_near(f.p[0], 0, 1e-14);
    bf_assert_near(f.p[1], 1.0954451, 1e-7);
    bf_assert_near(bf_fit_loglik(&f, &s), -15.1009931, 1e-6);
    ok(bf_fit_exponential(&s, &f, &g), &g);
    bf_assert_near(f.p[0], 1.7696714, 1e-7);
    bf_assert_near(bf_fit_loglik(&f, &s), -15.7079388, 1e-6);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    const struct bf_fit_result *e = find(&t, BF_DIST_EXPONENTIAL), *l = find(&t, BF_DIST_LOGNORMAL);
    assert_int_equal(e->n_params, 1);
    assert_int_equal(l->n_params, 2);
    bf_assert_near(e->aic, 33.4158775, 1e-6);
    bf_assert_near(e->bic, 33.7184626, 1e-6);
    bf_assert_near(l->aic, 34.2019862, 1e-6);
    bf_assert_near(l->bic, 34.8071564, 1e-6);
    assert_true(e < l); /* the table is ordered by AIC */
    bf_fit_data_fini(&s);
}

/*
 * KS by hand. Values 1..5 against the exponential of mean 2, F(x) = 1 -
 * e^(-x/2): F = 0.393469, 0.632121, 0.776870, 0.864665, 0.917915.
 * i/n - F(x_i): -0.193, -0.232, -0.177, -0.065, 0.082085;
 * F(x_i) - (i-1)/n: 0.393469, 0.432121, 0.376870, 0.264665, 0.117915.
 * D = 0.432121 (= 1 - e^-1 - 0.2), at x = 2 from below.
 */
static void ks_should_match_a_hand_computed_value(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_exponential(&d, 2, &g), &g);
    const double x[5] = {1, 2, 3, 4, 5};
    bf_assert_near(bf_fit_ks(&d, x, 5), 1 - exp(-1) - 0.2, 1e-15);
    /* Against the uniform on [0, 1], 0.1 0.4 0.7 0.9: i/n - F = 0.15, 0.1,
     * 0.05, 0.1 and F - (i-1)/n = 0.1, 0.15, 0.2, 0.15: D = 0.2. */
    ok(bf_dist_uniform(&d, 0, 1, &g), &g);
    const double u[4] = {0.1, 0.4, 0.7, 0.9};
    bf_assert_near(bf_fit_ks(&d, u, 4), 0.2, 1e-15);
}

/* A step F: data 1 2 3 4 against the empirical table of the same four
 * values is D = 0 (F_n and F are the same function). Comparing F(x_i),
 * not F(x_i-), with (i-1)/n would give 0.25. */
static void ks_should_compare_left_limits_where_the_cdf_jumps(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    const double v[4] = {1, 2, 3, 4}, w[4] = {1, 1, 1, 1};
    ok(bf_dist_empirical(&d, v, w, 4, &g), &g);
    bf_assert_near(bf_fit_ks(&d, v, 4), 0, 1e-15);
    /* one value 2.5 of weight 1: F_n(2.5) = 0.5 against 1 */
    ok(bf_dist_empirical(&d, (const double[]){2.5}, (const double[]){1}, 1, &g), &g);
    bf_assert_near(bf_fit_ks(&d, v, 4), 0.5, 1e-15);
}

/* Kolmogorov's Q(t) from tables (e.g. Smirnov 1948): Q(0.5) = 0.963945,
 * Q(1) = 0.270000, Q(2) = 0.000671. t = 0.5 and 1 use the small-t series,
 * t = 2 the alternating one; the two agree at the switch. */
static void ks_pvalue_should_match_kolmogorovs_distribution(void **state)
{
    (void)state;
    bf_assert_near(bf_fit_kolmogorov_q(0.5), 0.9639452, 1e-7);
    bf_assert_near(bf_fit_kolmogorov_q(1.0), 0.2699997, 1e-7);
    bf_assert_near(bf_fit_kolmogorov_q(2.0), 0.000670925, 1e-9);
    bf_assert_near(bf_fit_kolmogorov_q(nextafter(1.18, 0)), bf_fit_kolmogorov_q(1.18), 1e-12);
    bf_assert_near(bf_fit_kolmogorov_q(0), 1, 0);
    bf_assert_near(bf_fit_kolmogorov_q(0.1), 1, 1e-15);
    /* n = 4: t = (2 + 0.12 + 0.11/2) 0.2 = 0.435, Q(0.435) = 0.991506 */
    bf_assert_near(bf_fit_ks_pvalue(0.2, 4), 0.9915061, 1e-7);
}

/*
 * A^2 by hand, 0.1 0.4 0.7 0.9 against the uniform on [0, 1]:
 * i = 1: 1 (ln 0.1 + ln 0.1)  = -4.605170
 * i = 2: 3 (ln 0.4 + ln 0.3)  = -6.360784
 * i = 3: 5 (ln 0.7 + ln 0.6)  = -4.337503
 * i = 4: 7 (ln 0.9 + ln 0.9)  = -1.475049
 * sum -16.778507; A^2 = -4 + 16.778507 / 4 = 0.194627.
 */
static void ad_should_match_a_hand_computed_value(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_uniform(&d, 0, 1, &g), &g);
    const double u[4] = {0.1, 0.4, 0.7, 0.9};
    bf_assert_near(bf_fit_ad(&d, u, 4), 0.1946277, 1e-7);
    /* a 0 under the exponential: F = 0, ln F = -inf, A^2 = +inf */
    ok(bf_dist_exponential(&d, 2, &g), &g);
    const double z[3] = {0, 1, 2};
    assert_true(isinf(bf_fit_ad(&d, z, 3)) && bf_fit_ad(&d, z, 3) > 0);
}

/*
 * A value far in the upper tail keeps A^2 finite: 0.5 1 2 40 against the
 * exponential of mean 1, where ln(1 - F(x)) = -x exactly and 1 - F(40) =
 * 4.2e-18 would round to 0 by subtraction:
 * i = 1: 1 (ln(1 - e^-0.5) - 40)  = -40.932752
 * i = 2: 3 (ln(1 - e^-1) - 2)     =  -7.376025
 * i = 3: 5 (ln(1 - e^-2) - 1)     =  -5.727065
 * i = 4: 7 (ln(1 - e^-40) - 0.5)  =  -3.5
 * sum -57.535842; A^2 = -4 + 57.535842 / 4 = 10.383961.
 */
static void ad_should_stay_finite_far_in_the_upper_tail(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_exponential(&d, 1, &g), &g);
    const double x[4] = {0.5, 1, 2, 40};
    bf_assert_near(bf_fit_ad(&d, x, 4), 10.383961, 1e-6);
}

/* Zeros rule out the families with x > 0 (their reason names the count),
 * and the table keeps the order of fit.h. */
static void fit_should_refuse_positive_families_when_values_are_zero(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_exponential(&d, 3, &g), &g);
    double *x = draw(&d, 200, 31);
    x[5] = x[17] = x[42] = 0;
    struct bf_fit_data s;
    ok(bf_fit_data_init(&s, x, 200, &g), &g);
    free(x);
    assert_int_equal(s.n_zero, 3);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    assert_int_equal(t.r[0].kind, BF_DIST_EXPONENTIAL);
    assert_true(t.r[0].fitted);
    assert_true(isinf(t.r[0].ad_a2)); /* F(0) = 0 */
    const enum bf_dist_kind refused[3] = {BF_DIST_LOGNORMAL, BF_DIST_GAMMA, BF_DIST_WEIBULL};
    for (int i = 0; i < 3; i++) {
        const struct bf_fit_result *r = find(&t, refused[i]);
        assert_false(r->fitted);
        assert_non_null(strstr(r->why, "3 of the 200 values are 0"));
    }
    assert_true(find(&t, BF_DIST_EMPIRICAL)->fitted);
    bf_fit_data_fini(&s);
}

/* Ten equal values: no spread to fit; the exponential is far off (D =
 * max(F(5), 1 - F(5)) = 1 - e^-1 for mean 5), so the one-value table is
 * the best. */
static void fit_should_fall_back_to_the_table_for_equal_values(void **state)
{
    (void)state;
    double x[10];
    for (int i = 0; i < 10; i++)
        x[i] = 5;
    struct bf_fit_data s;
    struct bf_diag g;
    ok(bf_fit_data_init(&s, x, 10, &g), &g);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    assert_int_equal(t.r[0].kind, BF_DIST_EXPONENTIAL);
    bf_assert_near(t.r[0].ks_d, 1 - exp(-1), 1e-12);
    assert_false(t.r[0].acceptable);
    assert_non_null(strstr(find(&t, BF_DIST_GAMMA)->why, "every value is 5"));
    const struct bf_fit_result *e = &t.r[t.best];
    assert_int_equal(e->kind, BF_DIST_EMPIRICAL);
    assert_int_equal(e->d.n, 1);
    bf_assert_near(e->d.v[0], 5, 0);
    bf_assert_near(e->ks_d, 0, 0);
    bf_fit_data_fini(&s);
}

/*
 * The fallback rule both ways, on samples no family fits exactly:
 *  - two well separated lognormal humps (n = 3000): every unimodal family
 *    is far off (D above the 16-value table's), so the table is best;
 *  - a mild mixture, 90% gamma(3, 10) and 10% gamma(6, 10), at n = 60000:
 *    the KS test rejects the gamma (p < 0.01), yet its D stays below the
 *    table's, so the gamma is kept.
 */
static double *mixture(const struct bf_dist *a, const struct bf_dist *b, double share_b, size_t n,
                       uint64_t seed)
{
    double *x = draw(a, n, seed), *y = draw(b, n, seed + 1);
    struct bf_streams st;
    assert_int_equal(bf_streams_init(&st, seed + 2, 0, 0, 1), 0);
    for (size_t i = 0; i < n; i++)
        if (gsl_rng_uniform(bf_streams_get(&st, 0)) < share_b)
            x[i] = y[i];
    bf_streams_fini(&st);
    free(y);
    return x;
}

static void fit_should_choose_the_table_only_when_no_family_is_close(void **state)
{
    (void)state;
    struct bf_dist a, b;
    struct bf_diag g;
    ok(bf_dist_lognormal(&a, 0, 0.25, &g), &g);
    ok(bf_dist_lognormal(&b, 3, 0.25, &g), &g);
    double *x = mixture(&a, &b, 0.5, 3000, 41);
    struct bf_fit_data s;
    ok(bf_fit_data_init(&s, x, 3000, &g), &g);
    free(x);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    const double d_table = t.r[BF_FIT_FAMILIES - 1].ks_d;
    for (unsigned i = 0; i + 1 < BF_FIT_FAMILIES; i++) {
        assert_true(t.r[i].ks_p < BF_FIT_ACCEPT_P && t.r[i].ks_d > d_table);
        assert_false(t.r[i].acceptable);
    }
    assert_int_equal(t.best, BF_FIT_FAMILIES - 1);
    assert_int_equal(t.r[t.best].d.n, BF_DIST_EMPIRICAL_MAX);
    print_message("    two humps, n 3000: the lowest AIC (%s) D %.3f, the table's D %.3f\n",
                  bf_dist_kind_name(t.r[0].kind), t.r[0].ks_d, d_table);
    bf_fit_data_fini(&s);

    ok(bf_dist_gamma(&a, 3, 10, &g), &g);
    ok(bf_dist_gamma(&b, 6, 10, &g), &g);
    x = mixture(&a, &b, 0.1, 60000, 51);
    ok(bf_fit_data_init(&s, x, 60000, &g), &g);
    free(x);
    ok(bf_fit_run(&s, &t, &g), &g);
    const struct bf_fit_result *gm = find(&t, BF_DIST_GAMMA);
    assert_true(gm->ks_p < BF_FIT_ACCEPT_P);
    assert_true(gm->ks_d < t.r[BF_FIT_FAMILIES - 1].ks_d);
    assert_true(gm->acceptable);
    assert_int_equal(t.r[t.best].kind, BF_DIST_GAMMA);
    print_message("    mild mixture, n 60000: gamma KS p %.2g, D %.4f, the table's D %.4f\n",
                  gm->ks_p, gm->ks_d, t.r[BF_FIT_FAMILIES - 1].ks_d);
    bf_fit_data_fini(&s);
}

/* The table: exact with at most 16 distinct values; otherwise 16 equal-
 * count bins whose weighted mean is the sample mean. */
static void empirical_should_keep_the_mean_in_at_most_16_values(void **state)
{
    (void)state;
    double x[40];
    for (int i = 0; i < 40; i++)
        x[i] = (double)(i % 4); /* 0 1 2 3, ten each */
    struct bf_fit_data s;
    struct bf_diag g;
    ok(bf_fit_data_init(&s, x, 40, &g), &g);
    struct bf_dist e;
    ok(bf_fit_empirical(&s, &e, &g), &g);
    assert_int_equal(e.n, 4);
    for (unsigned i = 0; i < 4; i++) {
        bf_assert_near(e.v[i], i, 0);
        bf_assert_near(e.w[i], 10, 0);
    }
    bf_fit_data_fini(&s);

    struct bf_dist d;
    ok(bf_dist_lognormal(&d, 1, 0.8, &g), &g);
    sample(&s, &d, 1001, 61);
    ok(bf_fit_empirical(&s, &e, &g), &g);
    assert_int_equal(e.n, BF_DIST_EMPIRICAL_MAX);
    double total = 0;
    for (unsigned i = 0; i < e.n; i++) {
        total += e.w[i];
        /* 1001 / 16 = 62.6: bins of 62 or 63 */
        assert_true(e.w[i] == 62 || e.w[i] == 63);
        if (i > 0)
            assert_true(e.v[i] > e.v[i - 1]);
    }
    bf_assert_near(total, 1001, 0);
    bf_assert_rel(bf_dist_mean(&e), s.mean, 1e-12);
    bf_fit_data_fini(&s);
}

/* The spec: scenario syntax, six significant digits, and it reads back as
 * the distribution it was written from. */
static void spec_should_be_scenario_syntax(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    char buf[1024];
    ok(bf_dist_gamma(&d, 2.78, 32.4, &g), &g);
    bf_fit_spec(&d, buf, sizeof buf);
    assert_string_equal(buf, "{\"dist\": \"gamma\", \"shape\": 2.78, \"scale\": 32.4}");
    ok(bf_dist_weibull(&d, 1.5, 10, &g), &g);
    bf_fit_spec(&d, buf, sizeof buf);
    assert_string_equal(buf, "{\"dist\": \"weibull\", \"shape\": 1.5, \"scale\": 10}");
    ok(bf_dist_exponential(&d, 1.0 / 3, &g), &g);
    bf_fit_spec(&d, buf, sizeof buf);
    assert_string_equal(buf, "{\"dist\": \"exponential\", \"mean\": 0.333333}");
    ok(bf_dist_lognormal_median_p90(&d, 4, 12, &g), &g);
    bf_fit_spec(&d, buf, sizeof buf);
    assert_string_equal(buf, "{\"dist\": \"lognormal\", \"median\": 4, \"p90\": 12}");
    ok(bf_dist_empirical(&d, (const double[]){2.5, 1}, (const double[]){1, 1234567}, 2, &g), &g);
    bf_fit_spec(&d, buf, sizeof buf);
    assert_string_equal(
        buf, "{\"dist\": \"empirical\", \"values\": [1, 2.5], \"weights\": [1234567, 1]}");
    /* the length is snprintf's, also when cut */
    const int len = bf_fit_spec(&d, buf, 10);
    assert_int_equal(
        len,
        (int)strlen("{\"dist\": \"empirical\", \"values\": [1, 2.5], \"weights\": [1234567, 1]}"));
    assert_int_equal(strlen(buf), 9);
    /* a lognormal fit read back through its median and p90 */
    ok(bf_dist_lognormal(&d, 1.2345678, 0.7654321, &g), &g);
    bf_fit_spec(&d, buf, sizeof buf);
    double median, p90;
    assert_int_equal(
        sscanf(buf, "{\"dist\": \"lognormal\", \"median\": %lf, \"p90\": %lf}", &median, &p90), 2);
    struct bf_dist back;
    ok(bf_dist_lognormal_median_p90(&back, median, p90, &g), &g);
    bf_assert_near(back.p[0], d.p[0], 1e-5);
    bf_assert_near(back.p[1], d.p[1], 1e-5);
}

/* Six digits are not always enough: a lognormal of sigma 1e-8 around 100
 * has a p90 of 100.00000128, which "%.6g" writes as 100, the median, and
 * the loader refuses. The spec carries the digits that keep it itself. */
static void spec_should_carry_the_digits_the_distribution_needs(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    char buf[BF_FIT_SPEC_SIZE];
    ok(bf_dist_lognormal(&d, log(100), 1e-8, &g), &g);
    assert_true(bf_fit_spec(&d, buf, sizeof buf) > 0);
    double median, p90;
    assert_int_equal(
        sscanf(buf, "{\"dist\": \"lognormal\", \"median\": %lf, \"p90\": %lf}", &median, &p90), 2);
    struct bf_dist back;
    ok(bf_dist_lognormal_median_p90(&back, median, p90, &g), &g);
    bf_assert_rel(back.p[1], 1e-8, 1e-5);
    bf_assert_near(median, 100, 0);
    /* 100.00000128 needs 11 significant digits; 6 would have written 100 */
    assert_non_null(strstr(buf, "\"p90\": 100.0000012"));

    /* a number beyond what a scenario takes: no spec at all */
    ok(bf_dist_gamma(&d, 2, 1e301, &g), &g);
    assert_int_equal(bf_fit_spec(&d, buf, sizeof buf), BF_ERANGE);
    assert_string_equal(buf, "");
}

/*
 * The spec of every family, pasted into a scenario as the risk screening
 * time, loads with the scenario loader itself and gives the fitted
 * distribution back: its 10/50/90% quantiles (the empirical table: its
 * values and weights) within a relative 1e-5.
 */
static void spec_should_load_in_a_scenario_as_the_fitted_distribution(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_gamma(&d, 1.6, 3.6, &g), &g);
    struct bf_fit_data s;
    sample(&s, &d, 500, 71);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++) {
        const struct bf_fit_result *r = &t.r[i];
        assert_true(r->fitted);
        char text[4096];
        snprintf(text, sizeof text,
                 "{\"name\": \"fit\",\n"
                 " \"horizon\": {\"window\": {\"start\": \"2026-01-01\", \"end\": "
                 "\"2026-02-01\"}},\n"
                 " \"defaults\": {\"clearance\": {\"screening_h\": %s}},\n"
                 " \"cities\": [{\"name\": \"Hefei\"}],\n"
                 " \"policies\": {\"before\": {}}}\n",
                 r->spec);
        struct bf_scenario sc;
        struct bf_problems pb;
        bf_problems_init(&pb);
        const int rc = bf_scenario_load_text("fit.json", text, strlen(text), &sc, &pb);
        for (size_t k = 0; k < pb.n; k++) {
            char line[1024];
            bf_problem_format(&pb.items[k], line, sizeof line);
            print_error("%s\n", line);
        }
        assert_int_equal(rc, 0);
        const struct bf_dist *got = &sc.city[0].params[0].clearance.screening_h;
        assert_int_equal(got->kind, r->kind);
        if (r->kind == BF_DIST_EMPIRICAL) {
            assert_int_equal(got->n, r->d.n);
            for (unsigned k = 0; k < got->n; k++) {
                bf_assert_rel(got->v[k], r->d.v[k], 1e-5);
                bf_assert_near(got->w[k], r->d.w[k], 0);
            }
        } else {
            const double u[3] = {0.1, 0.5, 0.9};
            for (int k = 0; k < 3; k++)
                bf_assert_rel(bf_dist_quantile(got, u[k]), bf_dist_quantile(&r->d, u[k]), 1e-5);
        }
        bf_scenario_fini(&sc);
        bf_problems_fini(&pb);
    }
    bf_fit_data_fini(&s);
}

/*
 * Gammas GSL cannot draw from by inversion are not offered (fit.h): a
 * spread of 0.01% (shape about 1e8; GSL's gamma functions raise errors
 * there, which abort a run) and a shape of about 0.1. The lognormal and
 * the Weibull are still fitted, and the table stays usable.
 */
static void fit_should_not_offer_a_gamma_gsl_cannot_draw_from(void **state)
{
    (void)state;
    struct bf_dist d;
    struct bf_diag g;
    ok(bf_dist_lognormal(&d, log(100), 1e-4, &g), &g);
    struct bf_fit_data s;
    sample(&s, &d, 200, 81);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    const struct bf_fit_result *gm = find(&t, BF_DIST_GAMMA);
    assert_false(gm->fitted);
    assert_non_null(strstr(gm->why, "is outside [0.2, 500]"));
    assert_true(find(&t, BF_DIST_LOGNORMAL)->fitted);
    assert_true(find(&t, BF_DIST_WEIBULL)->fitted);
    bf_fit_data_fini(&s);

    /* a gamma the loader refuses (shape < 0.2), made by hand to draw from */
    memset(&d, 0, sizeof d);
    d.kind = BF_DIST_GAMMA;
    d.p[0] = 0.1;
    d.p[1] = 5;
    sample(&s, &d, 2000, 82);
    assert_int_equal(s.n_zero, 0);
    ok(bf_fit_run(&s, &t, &g), &g);
    gm = find(&t, BF_DIST_GAMMA);
    assert_false(gm->fitted);
    assert_non_null(strstr(gm->why, "the fitted shape 0.1"));
    bf_fit_data_fini(&s);
}

/* Values over 400 orders of magnitude: the lognormal's and the
 * exponential's fitted means overflow, so they are not offered; every
 * family that is has a finite mean and a spec. */
static void fit_should_offer_only_distributions_a_scenario_can_hold(void **state)
{
    (void)state;
    double x[50];
    struct bf_streams st;
    assert_int_equal(bf_streams_init(&st, 91, 0, 0, 1), 0);
    for (int i = 0; i < 50; i++)
        x[i] = pow(10, -200 + 400 * gsl_rng_uniform(bf_streams_get(&st, 0)));
    bf_streams_fini(&st);
    struct bf_fit_data s;
    struct bf_diag g;
    ok(bf_fit_data_init(&s, x, 50, &g), &g);
    struct bf_fit_table t;
    ok(bf_fit_run(&s, &t, &g), &g);
    assert_ranked(&t);
    unsigned fitted = 0;
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++) {
        const struct bf_fit_result *r = &t.r[i];
        if (!r->fitted)
            continue;
        fitted++;
        assert_true(bf_dist_mean(&r->d) <= BF_FIT_SPEC_LIMIT);
        assert_true(r->spec[0] == '{');
    }
    assert_false(find(&t, BF_DIST_LOGNORMAL)->fitted);
    assert_non_null(strstr(find(&t, BF_DIST_LOGNORMAL)->why, "a duration needs a finite mean"));
    assert_true(find(&t, BF_DIST_EMPIRICAL)->fitted);
    assert_true(t.r[t.best].fitted);
    assert_true(fitted >= 1);
    bf_fit_data_fini(&s);
}

static void data_should_refuse_bad_values(void **state)
{
    (void)state;
    double x[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    struct bf_fit_data s;
    struct bf_diag g;
    assert_int_equal(bf_fit_data_init(&s, x, 9, &g), BF_ERANGE);
    assert_non_null(strstr(g.msg, "at least 10"));
    x[3] = -1;
    assert_int_equal(bf_fit_data_init(&s, x, 12, &g), BF_EINVAL);
    assert_non_null(strstr(g.msg, "[3]"));
    x[3] = (double)NAN;
    assert_int_equal(bf_fit_data_init(&s, x, 12, &g), BF_EINVAL);
    assert_null(s.x);
    x[3] = -0.0; /* stored as +0, and counted as a zero */
    ok(bf_fit_data_init(&s, x, 12, &g), &g);
    assert_int_equal(s.n_zero, 1);
    assert_false(signbit(s.x[0]));
    bf_fit_data_fini(&s);
}

/* ---- CSV ---- */

struct csv_result {
    int rc;
    struct bf_fit_data s;
    struct bf_fit_problems pb;
};

static void read_text(const char *text, const char *column, struct csv_result *out)
{
    FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    assert_non_null(f);
    bf_fit_problems_init(&out->pb);
    out->rc = bf_fit_read_csv(&out->s, f, "t.csv", column, &out->pb);
    fclose(f);
}

/* Problem i is "where: msg" with where == want_where and msg holding want. */
static void assert_problem(const struct csv_result *r, unsigned i, const char *want_where,
                           const char *want)
{
    if (i >= r->pb.n)
        fail_msg("only %u problems, no [%u] (%s)", r->pb.n, i, want);
    if (strcmp(r->pb.item[i].where, want_where) != 0 || strstr(r->pb.item[i].msg, want) == NULL)
        fail_msg("problem [%u] is '%s: %s', expected '%s: ...%s...'", i, r->pb.item[i].where,
                 r->pb.item[i].msg, want_where, want);
}

static void csv_should_read_rfc4180(void **state)
{
    (void)state;
    /* a BOM, CRLF, a quoted header with a comma, a quoted value, a quoted
     * text field spanning two lines with a doubled quote, spaces around a
     * number, a blank line, exponents, and no line break at the end */
    const char text[] = "\xEF\xBB\xBF"
                        "id,\"release, hours\",note\r\n"
                        "a,\"1.5\",x\r\n"
                        "b, 2 ,\"two\r\nlines \"\"quoted\"\"\"\r\n"
                        "\r\n"
                        "c,3e0,\r\n"
                        "d,.5,\r\n"
                        "e,4.,\r\n"
                        "f,+6,\r\n"
                        "g,0,\r\n"
                        "h,7,\r\n"
                        "i,8,\r\n"
                        "j,1E1,last";
    struct csv_result r;
    read_text(text, "release, hours", &r);
    if (r.rc != 0)
        fail_msg("rc %d: %s: %s", r.rc, r.pb.n ? r.pb.item[0].where : "",
                 r.pb.n ? r.pb.item[0].msg : "");
    assert_int_equal(r.s.n, 10);
    assert_int_equal(r.s.n_zero, 1);
    assert_int_equal(r.s.n_blank, 1);
    const double want[10] = {0, 0.5, 1.5, 2, 3, 4, 6, 7, 8, 10};
    for (int i = 0; i < 10; i++)
        bf_assert_near(r.s.x[i], want[i], 0);
    bf_fit_data_fini(&r.s);

    /* the first column's name after a BOM; a lone CR ends a line too */
    read_text("\xEF\xBB\xBFh\r1\r2\r3\r4\r5\r6\r7\r8\r9\r10\r", "h", &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.s.n, 10);
    bf_fit_data_fini(&r.s);
}

static void csv_should_report_every_bad_row_with_its_line(void **state)
{
    (void)state;
    /* line 4 starts a record whose quoted note spans lines 4-5, so the
     * next record starts on line 6 */
    const char text[] = "h,note\n"
                        "1,\n"
                        "abc,\n"
                        "-3,\"two\nlines\"\n"
                        "12,5,\n"
                        "\"12,5\",\n"
                        ",\n"
                        "nan,\n"
                        "inf,\n"
                        "0x10,\n"
                        "1e999,\n"
                        "1e-400,\n"
                        "2,\n";
    struct csv_result r;
    read_text(text, "h", &r);
    assert_int_equal(r.rc, BF_EPARSE);
    assert_null(r.s.x);
    assert_problem(&r, 0, "t.csv:3", "'abc' is not a number");
    assert_problem(&r, 1, "t.csv:4", "'-3' is negative; a duration must be >= 0");
    assert_problem(&r, 2, "t.csv:6", "3 fields, but the header has 2");
    assert_problem(&r, 3, "t.csv:7",
                   "'12,5' is not a number; the decimal separator must be a point (12.5)");
    assert_problem(&r, 4, "t.csv:8", "column 'h' is empty");
    assert_problem(&r, 5, "t.csv:9", "'nan' is not a number; a duration is a decimal number");
    assert_problem(&r, 6, "t.csv:10", "'inf' is not a number");
    assert_problem(&r, 7, "t.csv:11", "'0x10' is not a number");
    assert_problem(&r, 8, "t.csv:12", "'1e999' is too large; a duration must be at most 1e+300");
    /* 1e-400 underflows to (about) 0: a number, kept */
    assert_int_equal(r.pb.n, 9);
    assert_int_equal(r.pb.dropped, 0);
}

static void csv_should_report_a_missing_or_empty_column(void **state)
{
    (void)state;
    struct csv_result r;
    read_text("a,b\n1,2\n", "hours", &r);
    assert_int_equal(r.rc, BF_EPARSE);
    assert_problem(&r, 0, "t.csv:1", "no column 'hours' in the header (columns: 'a', 'b')");
    read_text("a,hours,a\n", "a", &r);
    assert_problem(&r, 0, "t.csv:1", "column 'a' appears twice in the header (fields 1 and 3)");
    read_text("x,hours\n\n\n", "hours", &r);
    assert_problem(&r, 0, "t.csv:1", "column 'hours' has no values");
    /* a column without any value: one message, not one per row */
    read_text("id,hours\na,\nb, \n\nc,\"\"\n", "hours", &r);
    assert_int_equal(r.rc, BF_EPARSE);
    assert_int_equal(r.pb.n, 1);
    assert_problem(&r, 0, "t.csv:2", "column 'hours' is empty on every row (3 rows, lines 2 to 5)");
    read_text("hours", "hours", &r);
    assert_problem(&r, 0, "t.csv:1", "column 'hours' has no values");
    read_text("", "hours", &r);
    assert_problem(&r, 0, "t.csv:1", "the file is empty");
    read_text("\xEF\xBB\xBF", "hours", &r);
    assert_problem(&r, 0, "t.csv:1", "the file is empty");
    read_text("\nhours\n1\n", "hours", &r);
    assert_problem(&r, 0, "t.csv:1", "the first line is empty");
    /* nine values, the last on line 10 */
    read_text("hours\n1\n2\n3\n4\n5\n6\n7\n8\n9\n", "hours", &r);
    assert_int_equal(r.rc, BF_EPARSE);
    assert_problem(&r, 0, "t.csv:10", "column 'hours' has only 9 values; a fit needs at least 10");
    /* the column name matches exactly, case and spaces included */
    read_text("Hours,x\n", "hours", &r);
    assert_problem(&r, 0, "t.csv:1", "no column 'hours' in the header; did you mean 'Hours'?");
    read_text("x, hours \n", "hours", &r);
    assert_problem(&r, 0, "t.csv:1", "did you mean ' hours '?");
}

/* In a file of one column a blank line inside the data is a missing
 * value, not a line to skip; blank lines at the end are skipped. */
static void csv_should_report_blank_lines_of_one_column_as_empty(void **state)
{
    (void)state;
    struct csv_result r;
    read_text("h\n1\n2\n\n3\n4\n5\n6\n7\n8\n9\n10\n\n\n", "h", &r);
    assert_int_equal(r.rc, BF_EPARSE);
    assert_int_equal(r.pb.n, 1);
    assert_problem(&r, 0, "t.csv:4", "column 'h' is empty");
    read_text("h\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n\n\n", "h", &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.s.n, 10);
    assert_int_equal(r.s.n_blank, 2);
    bf_fit_data_fini(&r.s);
    /* with two columns, a blank line has no fields at all: skipped */
    read_text("id,h\na,1\n\nb,2\nc,3\nd,4\ne,5\nf,6\ng,7\nh,8\ni,9\nj,10\n", "h", &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.s.n, 10);
    assert_int_equal(r.s.n_blank, 1);
    bf_fit_data_fini(&r.s);
}

static void csv_should_report_broken_quoting(void **state)
{
    (void)state;
    struct csv_result r;
    read_text("h,n\n1,\"open\n2,x\n3,y\n", "h", &r);
    assert_int_equal(r.rc, BF_EPARSE);
    assert_problem(&r, 0, "t.csv:2", "not closed before the end of the file");
    read_text("h,n\n1,\"a\"b\n", "h", &r);
    assert_problem(&r, 0, "t.csv:2", "text after the closing quote");
    read_text("h,n\n1,a\"b\n", "h", &r);
    assert_problem(&r, 0, "t.csv:2", "a quote inside an unquoted field");
}

static void csv_should_keep_the_first_problems_and_count_the_rest(void **state)
{
    (void)state;
    char text[2000] = "h\n";
    for (int i = 0; i < 30; i++)
        strcat(text, "x\n");
    struct csv_result r;
    read_text(text, "h", &r);
    assert_int_equal(r.rc, BF_EPARSE);
    assert_int_equal(r.pb.n, BF_FIT_PROBLEMS_MAX);
    assert_int_equal(r.pb.dropped, 30 - BF_FIT_PROBLEMS_MAX);
    assert_problem(&r, BF_FIT_PROBLEMS_MAX - 1, "t.csv:21", "'x' is not a number");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fit_should_recover_a_gamma),
        cmocka_unit_test(fit_should_recover_a_lognormal),
        cmocka_unit_test(fit_should_recover_a_weibull),
        cmocka_unit_test(fit_should_recover_an_exponential),
        cmocka_unit_test(fit_should_maximise_the_likelihood),
        cmocka_unit_test(fit_should_match_closed_forms_worked_by_hand),
        cmocka_unit_test(ks_should_match_a_hand_computed_value),
        cmocka_unit_test(ks_should_compare_left_limits_where_the_cdf_jumps),
        cmocka_unit_test(ks_pvalue_should_match_kolmogorovs_distribution),
        cmocka_unit_test(ad_should_match_a_hand_computed_value),
        cmocka_unit_test(ad_should_stay_finite_far_in_the_upper_tail),
        cmocka_unit_test(fit_should_refuse_positive_families_when_values_are_zero),
        cmocka_unit_test(fit_should_fall_back_to_the_table_for_equal_values),
        cmocka_unit_test(fit_should_choose_the_table_only_when_no_family_is_close),
        cmocka_unit_test(empirical_should_keep_the_mean_in_at_most_16_values),
        cmocka_unit_test(spec_should_be_scenario_syntax),
        cmocka_unit_test(spec_should_carry_the_digits_the_distribution_needs),
        cmocka_unit_test(spec_should_load_in_a_scenario_as_the_fitted_distribution),
        cmocka_unit_test(fit_should_not_offer_a_gamma_gsl_cannot_draw_from),
        cmocka_unit_test(fit_should_offer_only_distributions_a_scenario_can_hold),
        cmocka_unit_test(data_should_refuse_bad_values),
        cmocka_unit_test(csv_should_read_rfc4180),
        cmocka_unit_test(csv_should_report_every_bad_row_with_its_line),
        cmocka_unit_test(csv_should_report_a_missing_or_empty_column),
        cmocka_unit_test(csv_should_report_blank_lines_of_one_column_as_empty),
        cmocka_unit_test(csv_should_report_broken_quoting),
        cmocka_unit_test(csv_should_keep_the_first_problems_and_count_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
