/*
 * test_stats.c - the statistics module against values worked out by hand.
 *
 * Expected numbers come from the definitions, not from running the code:
 * each test says how it was computed. Tolerances are tight (1e-12) where the
 * arithmetic is exact in binary and looser only where a constant is quoted
 * to a few digits (t quantiles).
 */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "borderflow/alloc.h"
#include "borderflow/error.h"
#include "borderflow/stats.h"

#include "bf_test.h"

#define EXACT 1e-12

/* A failing assertion longjmps out of the test, so the hook is disarmed here. */
static int disarm_alloc(void **state)
{
    (void)state;
    bf_alloc_fail_at(0, 0);
    return 0;
}

/* Expects fn to die by BF_ASSERT (abort). */
static void expect_abort(void (*fn)(void))
{
    assert_true(bf_aborts(fn));
}

/* ---- running ---- */

/* {2,4,4,4,5,5,7,9}: sum 40, mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32. */
static void running_should_match_hand_computed_mean_and_variance(void **state)
{
    (void)state;
    static const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    struct bf_running r;
    assert_int_equal(bf_running_init(&r), 0);
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        bf_running_add(&r, x[i]);
    assert_int_equal(bf_running_n(&r), 8);
    bf_assert_near(bf_running_mean(&r), 5.0, EXACT);
    bf_assert_near(bf_running_variance(&r), 32.0 / 7.0, EXACT);
    bf_running_fini(&r);
}

static void running_should_report_zero_variance_below_two_values(void **state)
{
    (void)state;
    struct bf_running r;
    assert_int_equal(bf_running_init(&r), 0);
    assert_int_equal(bf_running_n(&r), 0);
    bf_assert_near(bf_running_variance(&r), 0.0, 0.0);
    bf_running_add(&r, 3.5);
    assert_int_equal(bf_running_n(&r), 1);
    bf_assert_near(bf_running_mean(&r), 3.5, 0.0);
    bf_assert_near(bf_running_variance(&r), 0.0, 0.0);
    bf_running_fini(&r);
}

/* After reset, {1, 3} alone: mean 2, variance ((1-2)^2 + (3-2)^2) / 1 = 2. */
static void running_should_start_over_after_reset(void **state)
{
    (void)state;
    struct bf_running r;
    assert_int_equal(bf_running_init(&r), 0);
    bf_running_add(&r, 100.0);
    bf_running_add(&r, -50.0);
    bf_running_reset(&r);
    assert_int_equal(bf_running_n(&r), 0);
    bf_running_add(&r, 1.0);
    bf_running_add(&r, 3.0);
    assert_int_equal(bf_running_n(&r), 2);
    bf_assert_near(bf_running_mean(&r), 2.0, EXACT);
    bf_assert_near(bf_running_variance(&r), 2.0, EXACT);
    bf_running_fini(&r);
}

/* gsl_rstat_free(NULL) crashes, so this checks the guard. */
static void running_should_allow_fini_on_zeroed_struct_and_twice(void **state)
{
    (void)state;
    struct bf_running z;
    memset(&z, 0, sizeof z);
    bf_running_fini(&z);
    struct bf_running r;
    assert_int_equal(bf_running_init(&r), 0);
    bf_running_fini(&r);
    assert_null(r.w);
    bf_running_fini(&r);
}

/* ---- time-weighted ---- */

/* Value 0 on [0,2), 3 on [2,5), 1 on [5,10): area 0*2 + 3*3 + 1*5 = 14, mean 14/10. */
static void tw_should_average_a_step_function(void **state)
{
    (void)state;
    struct bf_tw tw;
    bf_tw_init(&tw, 0.0, 0.0);
    bf_tw_set(&tw, 2.0, 3.0);
    bf_tw_set(&tw, 5.0, 1.0);
    bf_assert_near(bf_tw_area(&tw, 10.0), 14.0, EXACT);
    bf_assert_near(bf_tw_mean(&tw, 10.0), 1.4, EXACT);
    /* At the last change: over [0,5] the area is 3*3 = 9, mean 1.8. */
    bf_assert_near(bf_tw_area(&tw, 5.0), 9.0, EXACT);
    bf_assert_near(bf_tw_mean(&tw, 5.0), 1.8, EXACT);
    bf_assert_near(tw.max, 3.0, 0.0);
}

/* Two changes at the same instant leave a zero-width step: no area, but its max counts. */
static void tw_should_accept_changes_at_the_same_instant(void **state)
{
    (void)state;
    struct bf_tw tw;
    bf_tw_init(&tw, 0.0, 1.0);
    bf_tw_set(&tw, 4.0, 7.0);
    bf_tw_set(&tw, 4.0, 2.0);
    /* 1*4 + 7*0 + 2*4 = 12 over [0,8]. */
    bf_assert_near(bf_tw_area(&tw, 8.0), 12.0, EXACT);
    bf_assert_near(bf_tw_mean(&tw, 8.0), 1.5, EXACT);
    bf_assert_near(tw.max, 7.0, 0.0);
}

/*
 * The step function above, restarted at t = 10 (end of warm-up) with value 1,
 * then 4 from t = 12: over [10,15] the area is 1*2 + 4*3 = 14, mean 2.8, and
 * the warm-up's area 14 and max 3 are forgotten.
 */
static void tw_should_forget_warm_up_after_restart(void **state)
{
    (void)state;
    struct bf_tw tw;
    bf_tw_init(&tw, 0.0, 0.0);
    bf_tw_set(&tw, 2.0, 3.0);
    bf_tw_set(&tw, 5.0, 1.0);
    bf_tw_restart(&tw, 10.0);
    bf_assert_near(tw.max, 1.0, 0.0);
    bf_assert_near(bf_tw_area(&tw, 10.0), 0.0, 0.0);
    bf_tw_set(&tw, 12.0, 4.0);
    bf_assert_near(bf_tw_area(&tw, 15.0), 14.0, EXACT);
    bf_assert_near(bf_tw_mean(&tw, 15.0), 2.8, EXACT);
    bf_assert_near(tw.max, 4.0, 0.0);
}

static void tw_should_give_zero_mean_over_empty_interval(void **state)
{
    (void)state;
    struct bf_tw tw;
    bf_tw_init(&tw, 3.0, 5.0);
    bf_assert_near(bf_tw_mean(&tw, 3.0), 0.0, 0.0);
    bf_assert_near(bf_tw_area(&tw, 3.0), 0.0, 0.0);
}

static void set_in_the_past(void)
{
    struct bf_tw tw;
    bf_tw_init(&tw, 0.0, 1.0);
    bf_tw_set(&tw, 5.0, 2.0);
    bf_tw_set(&tw, 4.0, 3.0);
}

static void tw_should_abort_when_time_goes_backwards(void **state)
{
    (void)state;
    expect_abort(set_in_the_past);
}

/* ---- samples ---- */

/*
 * {1..10}: mean 5.5; squared deviations sum to 82.5, sd = sqrt(82.5/9) =
 * 3.0276503541. GSL's quantile of sorted data interpolates at index (n-1)p:
 * p10 at 0.9 -> 1 + 0.9*(2-1) = 1.9; p50 at 4.5 -> 5.5; p90 at 8.1 -> 9.1.
 * 95% half-width = t(0.975, 9) * sd / sqrt(10) = 2.2621571627 * 0.9574271078
 * = 2.1658505896.
 */
static void assert_summary_of_1_to_10(const struct bf_summary *s)
{
    assert_int_equal(s->n, 10);
    bf_assert_near(s->mean, 5.5, EXACT);
    bf_assert_near(s->sd, 3.0276503540974917, EXACT);
    bf_assert_near(s->p10, 1.9, EXACT);
    bf_assert_near(s->p50, 5.5, EXACT);
    bf_assert_near(s->p90, 9.1, EXACT);
    bf_assert_near(s->min, 1.0, 0.0);
    bf_assert_near(s->max, 10.0, 0.0);
    bf_assert_near(s->half_width, 2.16585, 1e-5);
    bf_assert_near(s->half_width, 2.1658505896133913, 1e-9);
    bf_assert_near(s->ci_low, 5.5 - s->half_width, EXACT);
    bf_assert_near(s->ci_high, 5.5 + s->half_width, EXACT);
}

static void summary_should_match_hand_computed_values_for_1_to_10(void **state)
{
    (void)state;
    static const double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    struct bf_summary s;
    assert_int_equal(bf_stats_summary(x, 10, 0.95, &s), 0);
    assert_summary_of_1_to_10(&s);
}

/* Same values in replication order: same summary, and the caller's order kept. */
static void summary_should_leave_its_input_in_order(void **state)
{
    (void)state;
    double x[] = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6};
    double copy[10];
    memcpy(copy, x, sizeof x);
    uint64_t live = bf_alloc_live_bytes();
    struct bf_summary s;
    assert_int_equal(bf_stats_summary(x, 10, 0.95, &s), 0);
    assert_summary_of_1_to_10(&s);
    assert_memory_equal(x, copy, sizeof x);
    /* The sorted copy went back through bf__free. */
    assert_int_equal(bf_alloc_live_bytes(), live);
}

static void summary_should_give_degenerate_interval_for_one_value(void **state)
{
    (void)state;
    const double x = 4.25;
    struct bf_summary s;
    assert_int_equal(bf_stats_summary(&x, 1, 0.95, &s), 0);
    assert_int_equal(s.n, 1);
    bf_assert_near(s.mean, 4.25, 0.0);
    bf_assert_near(s.sd, 0.0, 0.0);
    bf_assert_near(s.half_width, 0.0, 0.0);
    bf_assert_near(s.ci_low, 4.25, 0.0);
    bf_assert_near(s.ci_high, 4.25, 0.0);
    bf_assert_near(s.p10, 4.25, 0.0);
    bf_assert_near(s.p50, 4.25, 0.0);
    bf_assert_near(s.p90, 4.25, 0.0);
    bf_assert_near(s.min, 4.25, 0.0);
    bf_assert_near(s.max, 4.25, 0.0);
}

static void assert_all_nan(const struct bf_summary *s)
{
    assert_true(isnan(s->mean) && isnan(s->sd));
    assert_true(isnan(s->ci_low) && isnan(s->ci_high) && isnan(s->half_width));
    assert_true(isnan(s->p10) && isnan(s->p50) && isnan(s->p90));
    assert_true(isnan(s->min) && isnan(s->max));
}

static void summary_should_give_nans_for_no_values(void **state)
{
    (void)state;
    struct bf_summary s;
    assert_int_equal(bf_stats_summary(NULL, 0, 0.95, &s), 0);
    assert_int_equal(s.n, 0);
    assert_all_nan(&s);
}

/* Sorting a NaN would give plausible but wrong quantiles. */
static void summary_should_give_nans_when_a_value_is_nan(void **state)
{
    (void)state;
    const double x[] = {1.0, 2.0, (double)NAN, 4.0};
    struct bf_summary s;
    assert_int_equal(bf_stats_summary(x, 4, 0.95, &s), 0);
    assert_int_equal(s.n, 4);
    assert_all_nan(&s);
}

static void summary_should_report_enomem_and_keep_out_when_allocation_fails(void **state)
{
    (void)state;
    static const double x[] = {1, 2, 3};
    struct bf_summary s;
    memset(&s, 0xA5, sizeof s);
    struct bf_summary before = s;
    bf_alloc_fail_at(1, 1);
    assert_int_equal(bf_stats_summary(x, 3, 0.95, &s), BF_ENOMEM);
    bf_alloc_fail_at(0, 0);
    assert_memory_equal(&s, &before, sizeof s);
    assert_int_equal(bf_stats_summary(x, 3, 0.95, &s), 0);
    bf_assert_near(s.mean, 2.0, EXACT);
}

/*
 * t(0.975, 3) = 3.1824463053: sd 2 over n = 4 gives 3.1824463053 * 2 / 2.
 * t(0.95, 9) = 1.8331129327 for a 90% interval with sd 1, n = 10: / sqrt(10).
 */
static void t_half_width_should_use_student_quantile(void **state)
{
    (void)state;
    bf_assert_near(bf_stats_t_half_width(2.0, 4, 0.95), 3.182446305284263, 1e-9);
    bf_assert_near(bf_stats_t_half_width(1.0, 10, 0.90), 1.8331129326536335 / sqrt(10.0), 1e-9);
    bf_assert_near(bf_stats_t_half_width(5.0, 1, 0.95), 0.0, 0.0);
    bf_assert_near(bf_stats_t_half_width(5.0, 0, 0.95), 0.0, 0.0);
}

/* {10,20,30,40,50}: index (n-1)p = 4p; p = 0.3 -> 1.2 -> 20 + 0.2*10 = 22. */
static void quantile_sorted_should_interpolate_at_n_minus_one_p(void **state)
{
    (void)state;
    static const double x[] = {10, 20, 30, 40, 50};
    bf_assert_near(bf_stats_quantile_sorted(x, 5, 0.0), 10.0, 0.0);
    bf_assert_near(bf_stats_quantile_sorted(x, 5, 0.3), 22.0, EXACT);
    bf_assert_near(bf_stats_quantile_sorted(x, 5, 0.5), 30.0, EXACT);
    bf_assert_near(bf_stats_quantile_sorted(x, 5, 1.0), 50.0, 0.0);
    assert_true(isnan(bf_stats_quantile_sorted(NULL, 0, 0.5)));
}

/*
 * 2000 samples of 10 standard normals: a correct 95% t-interval covers 0 in
 * about 1900 of them; 93.5%..96.5% is about +-3 binomial sd (0.49%). The seed
 * is fixed, so the outcome is deterministic: a failure is a change in the
 * interval (or in GSL's generator), not bad luck.
 */
static void t_interval_should_cover_the_true_mean_about_95_percent(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(rng);
    gsl_rng_set(rng, 20260606UL);
    int covered = 0;
    const int samples = 2000;
    for (int k = 0; k < samples; k++) {
        double x[10];
        for (size_t i = 0; i < 10; i++)
            x[i] = gsl_ran_gaussian(rng, 1.0);
        struct bf_summary s;
        assert_int_equal(bf_stats_summary(x, 10, 0.95, &s), 0);
        if (s.ci_low <= 0.0 && 0.0 <= s.ci_high)
            covered++;
    }
    gsl_rng_free(rng);
    double rate = (double)covered / (double)samples;
    assert_true(rate >= 0.935 && rate <= 0.965);
}

/* ---- paired ---- */

/*
 * a = {10,12,14,16}: mean 13, squared deviations 9+1+1+9 = 20, var 20/3.
 * b = {11,13,15,18}: mean 14.25, squared deviations 10.5625+1.5625+0.5625+
 * 14.0625 = 26.75, var 26.75/3. d = {1,1,1,2}: mean 1.25, squared deviations
 * 3*0.0625 + 0.5625 = 0.75, var 0.25, sd 0.5.
 * VR = (20/3 + 26.75/3) / 0.25 = 46.75*4/3 = 187/3 = 62.333...
 * Half-width t(0.975, 3) * 0.5 / 2 = 3.1824463053 / 4 = 0.7956115763.
 */
static void paired_should_match_hand_computed_values(void **state)
{
    (void)state;
    static const double a[] = {10, 12, 14, 16};
    static const double b[] = {11, 13, 15, 18};
    struct bf_paired p;
    assert_int_equal(bf_stats_paired(a, b, 4, 0.95, &p), 0);
    assert_int_equal(p.n, 4);
    bf_assert_near(p.mean_a, 13.0, EXACT);
    bf_assert_near(p.mean_b, 14.25, EXACT);
    bf_assert_near(p.mean_diff, 1.25, EXACT);
    bf_assert_near(p.sd_diff, 0.5, EXACT);
    bf_assert_near(p.variance_reduction, 187.0 / 3.0, 1e-10);
    bf_assert_near(p.ci_low, 1.25 - 0.7956115763210657, 1e-9);
    bf_assert_near(p.ci_high, 1.25 + 0.7956115763210657, 1e-9);
}

/* b = a + 1: every difference is exactly 1, var(d) = 0, var(a) + var(b) = 40/3. */
static void paired_should_give_infinite_vr_for_a_constant_difference(void **state)
{
    (void)state;
    static const double a[] = {10, 12, 14, 16};
    static const double b[] = {11, 13, 15, 17};
    struct bf_paired p;
    assert_int_equal(bf_stats_paired(a, b, 4, 0.95, &p), 0);
    bf_assert_near(p.mean_diff, 1.0, 0.0);
    bf_assert_near(p.sd_diff, 0.0, 0.0);
    bf_assert_near(p.ci_low, 1.0, 0.0);
    bf_assert_near(p.ci_high, 1.0, 0.0);
    assert_true(isinf(p.variance_reduction) && p.variance_reduction > 0.0);
}

/* No variance anywhere: pairing neither helps nor hurts. */
static void paired_should_give_unit_vr_when_everything_is_constant(void **state)
{
    (void)state;
    static const double a[] = {5, 5, 5};
    static const double b[] = {7, 7, 7};
    struct bf_paired p;
    assert_int_equal(bf_stats_paired(a, b, 3, 0.95, &p), 0);
    bf_assert_near(p.mean_diff, 2.0, 0.0);
    bf_assert_near(p.sd_diff, 0.0, 0.0);
    bf_assert_near(p.variance_reduction, 1.0, 0.0);
    assert_false(p.identical);
}

/* The same values, or the same values summed in another order (a policy
 * that does not touch a metric): no difference, and no variance reduction
 * to report -- never a ratio of float noise. */
static void paired_should_mark_identical_pairs_and_give_no_vr(void **state)
{
    (void)state;
    static const double a[] = {5, 6, 9};
    struct bf_paired p;
    assert_int_equal(bf_stats_paired(a, a, 3, 0.95, &p), 0);
    assert_true(p.identical);
    bf_assert_near(p.mean_diff, 0.0, 0.0);
    bf_assert_near(p.ci_low, 0.0, 0.0);
    bf_assert_near(p.ci_high, 0.0, 0.0);
    assert_true(isnan(p.variance_reduction));
    /* 0.1 + 0.2 + 0.3 in two orders differs in the last bit */
    const double x[] = {(0.1 + 0.2) + 0.3, 1.0e6, 2.5};
    const double y[] = {0.1 + (0.2 + 0.3), 1.0e6 * (1.0 + 1e-15), 2.5};
    assert_true(x[0] != y[0]);
    assert_int_equal(bf_stats_paired(x, y, 3, 0.95, &p), 0);
    assert_true(p.identical);
    assert_true(isnan(p.variance_reduction));
    /* one real difference is enough to make them different */
    const double z[] = {0.6, 1.0e6, 2.5 + 1e-6};
    assert_int_equal(bf_stats_paired(x, z, 3, 0.95, &p), 0);
    assert_false(p.identical);
    assert_true(isfinite(p.variance_reduction));
}

/*
 * MSER-5 by hand: ten batches of five equal values, Z = 100, then 1, -1,
 * 1, ... (k = 10, candidates d = 0..5):
 *   d = 0: mean 10.1, SS = 10009 - 10 x 10.1^2 = 8988.9, / 100  = 89.889
 *   d = 1: 5 ones, 4 minus ones: SS = 9 - 1/9, / 81             = 0.109739...
 *   d = 2: SS 8 / 64 = 0.125; d = 3: (7 - 1/7) / 49 = 0.13994;
 *   d = 4: 6 / 36 = 0.1667; d = 5: 4.8 / 25 = 0.192
 * The minimum is d = 1: drop the first 5 observations.
 */
static void mser5_should_truncate_the_start_up_bias_worked_by_hand(void **state)
{
    (void)state;
    double y[50];
    for (int j = 0; j < 10; j++)
        for (int i = 0; i < 5; i++)
            y[5 * j + i] = j == 0 ? 100.0 : (j % 2 ? 1.0 : -1.0);
    struct bf_mser m;
    assert_int_equal(bf_stats_mser5(y, 50, &m), 0);
    assert_int_equal(m.truncate, 5);
    assert_int_equal(m.batches, 10);
    bf_assert_near(m.statistic, (9.0 - 1.0 / 9.0) / 81.0, 1e-12);
    assert_false(m.at_limit);
    /* a trend that never settles: the minimum is at the last candidate */
    double t[60];
    for (int i = 0; i < 60; i++)
        t[i] = i;
    assert_int_equal(bf_stats_mser5(t, 60, &m), 0);
    assert_int_equal(m.truncate, 30);
    assert_true(m.at_limit);
    /* fewer than two batches cannot be judged */
    assert_int_equal(bf_stats_mser5(y, 9, &m), BF_EINVAL);
}

/* Negative correlation makes pairing worse: a = {1,2,3}, b = {3,2,1}: d = {2,0,-2},
 * var(a) = var(b) = 1, var(d) = 4, VR = 2/4 = 0.5. */
static void paired_should_give_vr_below_one_for_negative_correlation(void **state)
{
    (void)state;
    static const double a[] = {1, 2, 3};
    static const double b[] = {3, 2, 1};
    struct bf_paired p;
    assert_int_equal(bf_stats_paired(a, b, 3, 0.95, &p), 0);
    bf_assert_near(p.mean_diff, 0.0, EXACT);
    bf_assert_near(p.sd_diff, 2.0, EXACT);
    bf_assert_near(p.variance_reduction, 0.5, EXACT);
}

static void paired_should_handle_one_and_zero_pairs(void **state)
{
    (void)state;
    const double a = 3.0, b = 5.5;
    struct bf_paired p;
    assert_int_equal(bf_stats_paired(&a, &b, 1, 0.95, &p), 0);
    assert_int_equal(p.n, 1);
    bf_assert_near(p.mean_a, 3.0, 0.0);
    bf_assert_near(p.mean_b, 5.5, 0.0);
    bf_assert_near(p.mean_diff, 2.5, 0.0);
    bf_assert_near(p.sd_diff, 0.0, 0.0);
    bf_assert_near(p.ci_low, 2.5, 0.0);
    bf_assert_near(p.ci_high, 2.5, 0.0);
    assert_true(isnan(p.variance_reduction));

    assert_int_equal(bf_stats_paired(NULL, NULL, 0, 0.95, &p), 0);
    assert_int_equal(p.n, 0);
    assert_true(isnan(p.mean_a) && isnan(p.mean_b) && isnan(p.mean_diff) && isnan(p.sd_diff));
    assert_true(isnan(p.ci_low) && isnan(p.ci_high) && isnan(p.variance_reduction));
}

static void paired_should_report_enomem_and_keep_out_when_allocation_fails(void **state)
{
    (void)state;
    static const double a[] = {1, 2, 3};
    static const double b[] = {2, 4, 5};
    struct bf_paired p;
    memset(&p, 0xA5, sizeof p);
    struct bf_paired before = p;
    bf_alloc_fail_at(1, 1);
    assert_int_equal(bf_stats_paired(a, b, 3, 0.95, &p), BF_ENOMEM);
    bf_alloc_fail_at(0, 0);
    assert_memory_equal(&p, &before, sizeof p);
    assert_int_equal(bf_stats_paired(a, b, 3, 0.95, &p), 0);
    bf_assert_near(p.mean_diff, 5.0 / 3.0, EXACT);
}

/* ---- histograms ---- */

/*
 * 5 bins of width 2 on [0,10): -1 under; 0 and 1.9 (weight 2.5) in bin 0;
 * 2 in bin 1 (lower edges are inclusive); 9.999 in bin 4; 10 (upper edge
 * excluded) and 15 over. Bins {3.5, 1, 0, 0, 1}, under 1, over 2.
 */
static void fill_first(struct bf_hist *h)
{
    bf_hist_add(h, -1.0, 1.0);
    bf_hist_add(h, 0.0, 1.0);
    bf_hist_add(h, 1.9, 2.5);
    bf_hist_add(h, 2.0, 1.0);
    bf_hist_add(h, 9.999, 1.0);
    bf_hist_add(h, 10.0, 1.0);
    bf_hist_add(h, 15.0, 1.0);
}

static void assert_bins(const struct bf_hist *h, const double *want, size_t n)
{
    assert_int_equal(gsl_histogram_bins(h->h), n);
    for (size_t i = 0; i < n; i++)
        bf_assert_near(gsl_histogram_get(h->h, i), want[i], 0.0);
}

static void hist_should_count_bins_under_and_over(void **state)
{
    (void)state;
    struct bf_hist h;
    assert_int_equal(bf_hist_init(&h, 5, 0.0, 10.0), 0);
    fill_first(&h);
    static const double want[] = {3.5, 1, 0, 0, 1};
    assert_bins(&h, want, 5);
    assert_int_equal(h.under, 1);
    assert_int_equal(h.over, 2);
    bf_hist_fini(&h);
    assert_null(h.h);
}

/* Second: 5 -> bin 2, 0.5 -> bin 0, -3 under, 11 over. Sum {4.5,1,1,0,1}, 2, 3. */
static void hist_should_merge_bins_and_out_of_range_counts(void **state)
{
    (void)state;
    struct bf_hist a, b;
    assert_int_equal(bf_hist_init(&a, 5, 0.0, 10.0), 0);
    assert_int_equal(bf_hist_init(&b, 5, 0.0, 10.0), 0);
    fill_first(&a);
    bf_hist_add(&b, 5.0, 1.0);
    bf_hist_add(&b, 0.5, 1.0);
    bf_hist_add(&b, -3.0, 1.0);
    bf_hist_add(&b, 11.0, 1.0);
    bf_hist_merge(&a, &b);
    static const double want[] = {4.5, 1, 1, 0, 1};
    assert_bins(&a, want, 5);
    assert_int_equal(a.under, 2);
    assert_int_equal(a.over, 3);
    /* src is not changed. */
    static const double want_b[] = {1, 0, 1, 0, 0};
    assert_bins(&b, want_b, 5);
    assert_int_equal(b.under, 1);
    assert_int_equal(b.over, 1);
    bf_hist_fini(&a);
    bf_hist_fini(&b);
}

/* Each of these would reach GSL's error handler or give NaN bin edges. */
static void hist_should_reject_invalid_binning(void **state)
{
    (void)state;
    struct bf_hist h;
    assert_int_equal(bf_hist_init(&h, 0, 0.0, 1.0), BF_EINVAL);
    assert_null(h.h);
    assert_int_equal(bf_hist_init(&h, 4, 1.0, 1.0), BF_EINVAL);
    assert_int_equal(bf_hist_init(&h, 4, 2.0, 1.0), BF_EINVAL);
    assert_int_equal(bf_hist_init(&h, 4, (double)NAN, 1.0), BF_EINVAL);
    assert_int_equal(bf_hist_init(&h, 4, 0.0, (double)INFINITY), BF_EINVAL);
    assert_int_equal(bf_hist_init(&h, 4, -1e308, 1e308), BF_EINVAL);
    assert_null(h.h);
    bf_hist_fini(&h);
}

static void hist_should_allow_fini_on_zeroed_struct_and_twice(void **state)
{
    (void)state;
    struct bf_hist z;
    memset(&z, 0, sizeof z);
    bf_hist_fini(&z);
    struct bf_hist h;
    assert_int_equal(bf_hist_init(&h, 3, -1.0, 1.0), 0);
    bf_hist_fini(&h);
    bf_hist_fini(&h);
    assert_null(h.h);
}

static void add_nan(void)
{
    struct bf_hist h;
    if (bf_hist_init(&h, 4, 0.0, 1.0) == 0)
        bf_hist_add(&h, (double)NAN, 1.0);
}

/* GSL would file a NaN into a bin and report success. */
static void hist_should_abort_on_nan(void **state)
{
    (void)state;
    expect_abort(add_nan);
}

static void merge_different_binning(void)
{
    struct bf_hist a, b;
    if (bf_hist_init(&a, 4, 0.0, 1.0) == 0 && bf_hist_init(&b, 4, 0.0, 2.0) == 0)
        bf_hist_merge(&a, &b);
}

static void hist_should_abort_when_merging_different_binning(void **state)
{
    (void)state;
    expect_abort(merge_different_binning);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(running_should_match_hand_computed_mean_and_variance),
        cmocka_unit_test(running_should_report_zero_variance_below_two_values),
        cmocka_unit_test(running_should_start_over_after_reset),
        cmocka_unit_test(running_should_allow_fini_on_zeroed_struct_and_twice),
        cmocka_unit_test(tw_should_average_a_step_function),
        cmocka_unit_test(tw_should_accept_changes_at_the_same_instant),
        cmocka_unit_test(tw_should_forget_warm_up_after_restart),
        cmocka_unit_test(tw_should_give_zero_mean_over_empty_interval),
        cmocka_unit_test(tw_should_abort_when_time_goes_backwards),
        cmocka_unit_test(summary_should_match_hand_computed_values_for_1_to_10),
        cmocka_unit_test(summary_should_leave_its_input_in_order),
        cmocka_unit_test(summary_should_give_degenerate_interval_for_one_value),
        cmocka_unit_test(summary_should_give_nans_for_no_values),
        cmocka_unit_test(summary_should_give_nans_when_a_value_is_nan),
        cmocka_unit_test_teardown(summary_should_report_enomem_and_keep_out_when_allocation_fails,
                                  disarm_alloc),
        cmocka_unit_test(t_half_width_should_use_student_quantile),
        cmocka_unit_test(quantile_sorted_should_interpolate_at_n_minus_one_p),
        cmocka_unit_test(t_interval_should_cover_the_true_mean_about_95_percent),
        cmocka_unit_test(paired_should_match_hand_computed_values),
        cmocka_unit_test(paired_should_give_infinite_vr_for_a_constant_difference),
        cmocka_unit_test(paired_should_give_unit_vr_when_everything_is_constant),
        cmocka_unit_test(paired_should_mark_identical_pairs_and_give_no_vr),
        cmocka_unit_test(mser5_should_truncate_the_start_up_bias_worked_by_hand),
        cmocka_unit_test(paired_should_give_vr_below_one_for_negative_correlation),
        cmocka_unit_test(paired_should_handle_one_and_zero_pairs),
        cmocka_unit_test_teardown(paired_should_report_enomem_and_keep_out_when_allocation_fails,
                                  disarm_alloc),
        cmocka_unit_test(hist_should_count_bins_under_and_over),
        cmocka_unit_test(hist_should_merge_bins_and_out_of_range_counts),
        cmocka_unit_test(hist_should_reject_invalid_binning),
        cmocka_unit_test(hist_should_allow_fini_on_zeroed_struct_and_twice),
        cmocka_unit_test(hist_should_abort_on_nan),
        cmocka_unit_test(hist_should_abort_when_merging_different_binning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
