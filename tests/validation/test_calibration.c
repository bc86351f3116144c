/*
 * test_calibration.c - the defaults against the figures they are anchored
 * on (docs/sources.md D1-D3), in the before policy:
 *  - mean export clearance of a class A city, inspections included, the GAC
 *    national export figure for 2022, 1.03 h (within 15%);
 *  - door to warehouse on the US West Coast lane about 31 days (S2+S3+S4 =
 *    4.8 + 18 + 8 plus preparation; within 10%);
 *  - return rate of the default category mix sold to consumers, NRF 2023
 *    online 17.6% (within 1 point).
 * Each is the mean of 5 replications of a city-year measured after a
 * warm-up (fixed seeds). tests/integration/calibration_study.py checks the
 * same anchors on the default study's own breakdown.csv.
 */
#include <stdio.h>
#include <string.h>

#include "borderflow/model.h"

#include "bf_test.h"

static struct bf_calendar cal;

static double mean_metric(const struct bf_params *p, enum bf_metric m)
{
    double sum = 0.0;
    for (uint32_t rep = 0; rep < 5; rep++) {
        struct bf_model_input in = {.old_rules = p,
                                    .new_rules = p,
                                    .effective_day = INT32_MAX,
                                    .cal = &cal,
                                    .start_day = bf_date_from_ymd(2025, 3, 1),
                                    .window_day = bf_date_from_ymd(2026, 1, 1),
                                    .window_days = 365,
                                    .tail_days = 200,
                                    .seed = 20260316,
                                    .replication = rep};
        struct bf_model_result res;
        assert_int_equal(bf_model_run(&in, &res, NULL), 0);
        sum += res.metric[m];
        bf_model_result_fini(&res);
    }
    return sum / 5.0;
}

static void class_a_export_clearance_should_match_gac_2022(void **state)
{
    (void)state;
    struct bf_params p;
    bf_params_default(&p); /* class A: multipliers 1 */
    double h = mean_metric(&p, BF_M_export_clearance_h);
    printf("calibration: export clearance %.3f h (GAC 2022: 1.03 h)\n", h);
    bf_assert_rel(h, 1.03, 0.15);
}

static void us_west_door_to_warehouse_should_be_about_31_days(void **state)
{
    (void)state;
    struct bf_params p;
    bf_params_default(&p);
    for (int c = 0; c < BF_CH_COUNT; c++)
        p.channel[c].share = c == BF_CH_9810 ? 1.0 : 0.0;
    int wc = bf_params_lane(&p, "us_west");
    memset(p.channel[BF_CH_9810].lane_weight, 0, sizeof p.channel[BF_CH_9810].lane_weight);
    p.channel[BF_CH_9810].lane_weight[wc] = 1.0;
    double d = mean_metric(&p, BF_M_door_to_warehouse_d);
    printf("calibration: door to warehouse (US West Coast) %.2f d (facts: ~31 d)\n", d);
    bf_assert_rel(d, 31.0, 0.10);
}

static void consumer_return_rate_should_match_nrf_2023(void **state)
{
    (void)state;
    struct bf_params p;
    bf_params_default(&p);
    p.channel[BF_CH_9710].share = 0.0;
    p.channel[BF_CH_0110].share = 0.0;
    double r = mean_metric(&p, BF_M_return_rate);
    printf("calibration: return rate %.4f (NRF 2023 online: 0.176)\n", r);
    bf_assert_near(r, 0.176, 0.01);
}

int main(void)
{
    bf_calendar_init(&cal);
    if (bf_calendar_add_cn_builtin(&cal, NULL) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(class_a_export_clearance_should_match_gac_2022),
        cmocka_unit_test(us_west_door_to_warehouse_should_be_about_31_days),
        cmocka_unit_test(consumer_return_rate_should_match_nrf_2023),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    bf_calendar_fini(&cal);
    return rc;
}
