/*
 * test_params.c - the defaults and their sources, and whole-set checks.
 */
#include <math.h>
#include <string.h>

#include "borderflow/params.h"

#include "bf_test.h"

static void defaults_should_pass_every_check(void **state)
{
    (void)state;
    struct bf_params p;
    bf_params_default(&p);
    struct bf_diag d;
    bf_diag_clear(&d);
    int rc = bf_params_check(&p, &d);
    if (rc != 0)
        fail_msg("%s: %s", d.where, d.msg);
}

static void defaults_should_carry_the_sourced_figures(void **state)
{
    (void)state;
    struct bf_params p;
    bf_params_default(&p);
    /* one check per figure a default takes from docs/sources.md */
    int wc = bf_params_lane(&p, "us_west");
    assert_true(wc >= 0);
    bf_assert_near(bf_dist_mean(&p.lane[wc].transit_d), 18.0, 1e-9);         /* S3: 25 x 0.72 */
    bf_assert_near(bf_dist_mean(&p.lane[wc].dest_d), 8.0, 1e-9);             /* S4: 6.25 x 1.28 */
    bf_assert_near(bf_dist_mean(&p.warehouse.time_to_sale_d), 90.072, 1e-9); /* S5 */
    bf_assert_near(p.warehouse.max_dwell_d, 180.0, 0.0); /* Amazon aged from 181 d */
    int g = bf_params_category(&p, "general");
    bf_assert_near(p.category[g].rebate_rate, 0.13, 0.0);         /* R1 */
    bf_assert_near(p.category[g].return_prob, 0.176, 0.0);        /* NRF 2023 */
    assert_int_equal(p.returns.taxfree_months, 6);                /* Ann. 2026 No. 16 */
    assert_int_equal(p.returns.customs_limit_months, 12);         /* GAC Ann. 2020 No. 44 */
    bf_assert_near(bf_dist_mean(&p.returns.cert_wd), 14.0, 1e-9); /* S10 */
    bf_assert_near(bf_dist_mean(&p.returns.lag_d), 30.0, 1e-9);   /* S6 */
    bf_assert_near(p.returns.to_china_share, 0.10, 0.0);          /* S7 */
    bf_assert_near(p.warehouse.aged_return_share, 0.30, 0.0);     /* S7 */
    /* the 2026 baseline (R10, R14): refund upon departure available, taken
     * up by half of the 9810 shipments (X31), the others after sale */
    assert_int_equal(p.channel[BF_CH_9810].trigger, BF_TRIGGER_DEPARTURE);
    assert_int_equal(p.channel[BF_CH_9810].fallback_trigger, BF_TRIGGER_SALE);
    bf_assert_near(p.channel[BF_CH_9810].trigger_adoption, 0.5, 0.0);
    bf_assert_near(p.returns.home_value, 0.6, 0.0);                    /* X28 */
    bf_assert_near(bf_dist_mean(&p.returns.home_sale_d), 30.0, 1e-9);  /* X29 */
    bf_assert_near(bf_dist_mean(&p.rebate.treasury_wd), 2.5, 1e-12);   /* X35: Uniform(1,4) */
    bf_assert_near(bf_dist_mean(&p.rebate.processing_wd), 3.0, 1e-12); /* S12: Uniform(2,4) */
    /* the default category mix returns 17.5% of units sold to consumers */
    double mix = 0.0, total = 0.0;
    for (unsigned k = 0; k < p.n_categories; k++) {
        mix += p.category[k].share * p.category[k].return_prob;
        total += p.category[k].share;
    }
    bf_assert_near(mix / total, 0.175, 1e-12);
}

static void every_parameter_should_have_a_meaning_and_a_source(void **state)
{
    (void)state;
    const struct bf_param_info *tables[] = {bf_param_table, bf_category_table, bf_lane_table,
                                            bf_channel_table};
    const size_t ns[] = {bf_param_table_n, bf_category_table_n, bf_lane_table_n,
                         bf_channel_table_n};
    for (int t = 0; t < 4; t++)
        for (size_t i = 0; i < ns[t]; i++) {
            const struct bf_param_info *pi = &tables[t][i];
            if (pi->doc == NULL || pi->doc[0] == '\0')
                fail_msg("%s has no meaning", pi->path);
            /* an entry of docs/sources.md in brackets, "[C2]" or "[X7]" (an
             * assumption's row); tests/integration checks that each exists */
            const char *b = pi->source ? strchr(pi->source, '[') : NULL;
            if (b == NULL || !(b[1] >= 'A' && b[1] <= 'Z') || !(b[2] >= '0' && b[2] <= '9'))
                fail_msg("%s: source '%s' names no entry of docs/sources.md", pi->path,
                         pi->source ? pi->source : "(none)");
            if (strstr(pi->source, "assumption") != NULL && strstr(pi->source, "[X") == NULL)
                fail_msg("%s: source '%s' says assumption without its row [Xn]", pi->path,
                         pi->source);
        }
}

static void check_should_refuse(struct bf_params *p, const char *where_has, const char *msg_has)
{
    struct bf_diag d;
    bf_diag_clear(&d);
    assert_int_not_equal(bf_params_check(p, &d), 0);
    if (strstr(d.where, where_has) == NULL || strstr(d.msg, msg_has) == NULL)
        fail_msg("got '%s: %s', wanted '%s' and '%s'", d.where, d.msg, where_has, msg_has);
}

static void check_should_refuse_inconsistent_sets(void **state)
{
    (void)state;
    struct bf_params p;
    bf_params_default(&p);
    for (unsigned k = 0; k < p.n_categories; k++)
        p.category[k].share = 0.0;
    check_should_refuse(&p, "categories", "sum to 0");

    bf_params_default(&p);
    for (int c = 0; c < BF_CH_COUNT; c++)
        p.channel[c].share = 0.0;
    check_should_refuse(&p, "channels", "sum to 0");

    bf_params_default(&p);
    p.lane[bf_params_lane(&p, "express")].share = 0.0;
    p.lane[bf_params_lane(&p, "air")].share = 0.0;
    check_should_refuse(&p, "channels.9610.lanes", "no lane");

    bf_params_default(&p);
    p.returns.to_china_share = 0.6;
    p.returns.resell_share = 0.5;
    check_should_refuse(&p, "returns.resell_share", "exceed 1");

    bf_params_default(&p);
    p.clearance.shift_start_h = 18.0;
    check_should_refuse(&p, "clearance.shift_end_h", "before it starts");

    bf_params_default(&p);
    snprintf(p.lane[1].name, sizeof p.lane[1].name, "%s", p.lane[0].name);
    check_should_refuse(&p, "lanes", "repeated");

    bf_params_default(&p);
    p.clearance.inspect_prob = 1.5;
    check_should_refuse(&p, "clearance.inspect_prob", "outside the allowed range [0, 1]");

    bf_params_default(&p);
    p.returns.consolidation.kind = BF_PERIODIC_CONTINUOUS;
    check_should_refuse(&p, "returns.consolidation", "schedule");

    bf_params_default(&p);
    struct bf_diag d;
    assert_int_equal(bf_dist_uniform(&p.port.handling_d, -1.0, 1.0, &d), 0);
    check_should_refuse(&p, "port.handling_d", "negative");
}

static void durations_should_stay_within_the_calendar_in_their_far_tail(void **state)
{
    (void)state;
    /* BF_DELAY_MAX_D days (10^6) at the 10^-12 tail, in the unit of each
     * parameter: the reproducer (gamma scale 10^9 days) is refused,
     * the limit itself is not */
    struct bf_params p;
    bf_params_default(&p);
    assert_int_equal(bf_dist_gamma(&p.port.handling_d, 1.0, 1e9, NULL), 0);
    check_should_refuse(&p, "port.handling_d", "at most 1000000 d are allowed");

    bf_params_default(&p);
    assert_int_equal(bf_dist_lognormal(&p.channel[BF_CH_0110].settlement_d, 690.0, 1.0, NULL), 0);
    check_should_refuse(&p, "channels.0110.settlement_d", "far tail");

    bf_params_default(&p);
    assert_int_equal(bf_dist_fixed(&p.rebate.processing_wd, BF_DELAY_MAX_D, NULL), 0);
    assert_int_equal(bf_dist_fixed(&p.clearance.doc_prep_h, 24.0 * BF_DELAY_MAX_D, NULL), 0);
    struct bf_diag d;
    bf_diag_clear(&d);
    assert_int_equal(bf_params_check(&p, &d), 0);
    assert_int_equal(bf_dist_fixed(&p.rebate.processing_wd, 1.001 * BF_DELAY_MAX_D, NULL), 0);
    check_should_refuse(&p, "rebate.processing_wd", "longer than the 1000000 wd allowed");
    bf_params_default(&p);
    assert_int_equal(bf_dist_fixed(&p.clearance.doc_prep_h, 24.001 * BF_DELAY_MAX_D, NULL), 0);
    check_should_refuse(&p, "clearance.doc_prep_h", "longer than the 24000000 h allowed");

    /* clearance and port times are multiplied by the class and policy
     * factors: within the limit alone, beyond it with them */
    bf_params_default(&p);
    assert_int_equal(bf_dist_fixed(&p.port.handling_d, 2e5, NULL), 0);
    bf_diag_clear(&d);
    assert_int_equal(bf_params_check(&p, &d), 0);
    p.port.multiplier = 10.0;
    check_should_refuse(&p, "port.handling_d",
                        "times the class and policy factors (10) is 2e+06 d,");
    bf_params_default(&p);
    assert_int_equal(bf_dist_fixed(&p.clearance.screening_h, 5e5, NULL), 0);
    p.clearance.multiplier = 50.0;
    p.clearance.policy_factor = 0.5;
    bf_diag_clear(&d);
    assert_int_equal(bf_params_check(&p, &d), 0);
    p.clearance.policy_factor = 50.0;
    check_should_refuse(&p, "clearance.screening_h", "factors (2500)");

    /* units other than time have no such bound here */
    assert_true(isinf(bf_param_tail_max("CNY")) && isinf(bf_param_tail_max("units")));
}

/* Worked by hand: the model ships max(1, round(X)) units (export.c). */
static void units_mean_should_count_units_as_the_model_rounds_them(void **state)
{
    (void)state;
    struct bf_dist d;
    assert_int_equal(bf_dist_fixed(&d, 2.4, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), 2.0, 0.0); /* 2.4 ships 2 */
    assert_int_equal(bf_dist_fixed(&d, 2.5, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), 3.0, 0.0);
    assert_int_equal(bf_dist_fixed(&d, 0.2, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), 1.0, 0.0); /* at least one */
    const double v[] = {1, 2, 3}, w[] = {0.6, 0.25, 0.15};
    assert_int_equal(bf_dist_empirical(&d, v, w, 3, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), 0.6 + 0.5 + 0.45, 1e-12);
    /* uniform on [0, 3]: 1 below 1.5 (half of it), 2 on [1.5, 2.5), 3 on
     * [2.5, 3]: 1/2 + 2/3 + 1/2, not the mean 1.5 */
    assert_int_equal(bf_dist_uniform(&d, 0, 3, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), 0.5 + 2.0 / 3.0 + 0.5, 1e-12);
    /* uniform on [2, 4]: 2, 3, 4 with 1/4, 1/2, 1/4: the mean 3 */
    assert_int_equal(bf_dist_uniform(&d, 2, 4, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), 3.0, 1e-12);
    /* triangular (0, 1, 4): F(x) = x^2/4 to the mode, 1 - (4 - x)^2/12
     * after; P(1) = F(1.5) = 23/48, P(2) = 16/48, P(3) = 8/48, P(4) =
     * 1/48: 83/48 */
    assert_int_equal(bf_dist_triangular(&d, 0, 1, 4, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), 83.0 / 48.0, 1e-12);
    /* exponential of mean 1: 1 + sum_k>=2 e^-(k - 1/2) = 1 + e^-1.5 / (1 - e^-1) */
    assert_int_equal(bf_dist_exponential(&d, 1.0, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), 1.0 + exp(-1.5) / (1.0 - exp(-1.0)), 1e-9);
    /* the shapes whose density is infinite at 0, against the defining sum
     * 1 + sum_k>=2 P(X >= k - 1/2), taken to where its terms vanish */
    const double shapes[][3] = {{BF_DIST_GAMMA, 0.5, 6},
                                {BF_DIST_GAMMA, 0.3, 20},
                                {BF_DIST_WEIBULL, 0.7, 2},
                                {BF_DIST_WEIBULL, 0.5, 4}};
    for (int i = 0; i < 4; i++) {
        if (shapes[i][0] == BF_DIST_GAMMA)
            assert_int_equal(bf_dist_gamma(&d, shapes[i][1], shapes[i][2], NULL), 0);
        else
            assert_int_equal(bf_dist_weibull(&d, shapes[i][1], shapes[i][2], NULL), 0);
        double sum = 1.0, s = 1.0;
        for (long k = 2; s > 1e-16 || k < 1000; k++)
            sum += (s = 1.0 - bf_dist_cdf(&d, (double)k - 0.5));
        bf_assert_near(bf_params_units_mean(&d), sum, 1e-5);
        assert_true(fabs(bf_params_units_mean(&d) - bf_dist_mean(&d)) > 0.1); /* not E[X] */
    }
    /* a lognormal of median 30: rounding hardly matters beside the mean */
    assert_int_equal(bf_dist_lognormal_median_p90(&d, 30.0, 120.0, NULL), 0);
    bf_assert_near(bf_params_units_mean(&d), bf_dist_mean(&d), 1e-3 * bf_dist_mean(&d));
}

/* Worked by hand: two channels of fixed sizes, two categories. */
static void shipment_value_should_weigh_channels_and_categories(void **state)
{
    (void)state;
    struct bf_params p;
    bf_params_default(&p);
    const double share[BF_CH_COUNT] = {1, 0, 3, 0}; /* 9610, 9710, 9810, 0110 */
    for (int c = 0; c < BF_CH_COUNT; c++)
        p.channel[c].share = share[c];
    assert_int_equal(bf_dist_fixed(&p.channel[BF_CH_9610].units, 2, NULL), 0);
    assert_int_equal(bf_dist_fixed(&p.channel[BF_CH_9810].units, 4, NULL), 0);
    p.n_categories = 2;
    p.category[0].share = 1;
    assert_int_equal(bf_dist_fixed(&p.category[0].unit_cost_cny, 100, NULL), 0);
    p.category[0].fob_multiple = 1.2;
    p.category[1].share = 3;
    assert_int_equal(bf_dist_uniform(&p.category[1].unit_cost_cny, 20, 60, NULL), 0);
    p.category[1].fob_multiple = 1.5;
    /* units (1 x 2 + 3 x 4) / 4 = 3.5; cost (100 + 3 x 40) / 4 = 55 a unit,
     * FOB (120 + 3 x 60) / 4 = 75 */
    bf_assert_near(bf_params_shipment_value_cny(&p, BF_VALUE_COST), 3.5 * 55, 1e-9);
    bf_assert_near(bf_params_shipment_value_cny(&p, BF_VALUE_FOB), 3.5 * 75, 1e-9);
    /* a year: 365 days, and January counted twice with a factor 2 */
    bf_assert_near(bf_params_year_factor(&p), 365.0, 0.0);
    p.seasonality[0] = 2.0;
    bf_assert_near(bf_params_year_factor(&p), 365.0 + 31.0, 0.0);
    /* the defaults: declared at cost (fob_multiple 1) */
    bf_params_default(&p);
    bf_assert_near(bf_params_shipment_value_cny(&p, BF_VALUE_FOB),
                   bf_params_shipment_value_cny(&p, BF_VALUE_COST), 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_should_pass_every_check),
        cmocka_unit_test(defaults_should_carry_the_sourced_figures),
        cmocka_unit_test(every_parameter_should_have_a_meaning_and_a_source),
        cmocka_unit_test(check_should_refuse_inconsistent_sets),
        cmocka_unit_test(durations_should_stay_within_the_calendar_in_their_far_tail),
        cmocka_unit_test(units_mean_should_count_units_as_the_model_rounds_them),
        cmocka_unit_test(shipment_value_should_weigh_channels_and_categories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
