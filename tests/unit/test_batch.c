/*
 * test_batch.c - work items on threads: identical results whatever the
 * number of threads, paired deltas and what follows from them (capital
 * released, per-million figures, daily deltas), the warm-up check, sweeps,
 * interruption.
 */
#include <string.h>

#include "borderflow/batch.h"

#include "bf_test.h"

static const char *text =
    "{\"name\": \"batch\", \"horizon\": {\"window\": {\"start\": \"2026-03-01\", \"end\": "
    "\"2026-05-29\"}, \"warmup_days\": 60, \"tail_days\": 90}, \"replications\": 3, \"seed\": 99,"
    " \"cities\": [{\"name\": \"A\", \"shipments_per_day\": 4},"
    "              {\"name\": \"B\", \"shipments_per_day\": 3, \"effective_date\": "
    "\"2026-02-01\"}],"
    " \"policies\": {\"before\": {}, \"after\": {\"effective_date\": \"2026-01-15\","
    "   \"channels\": {\"9810\": {\"trigger_adoption\": 1}}}},"
    " \"sweeps\": [{\"name\": \"proc\", \"path\": \"rebate.processing_wd\", \"policy\": \"after\","
    "              \"values\": [1, 10]}]}";

static struct bf_scenario sc;

static int setup(void **state)
{
    (void)state;
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load_text("batch.json", text, strlen(text), &sc, &pb);
    bf_problems_fini(&pb);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    bf_scenario_fini(&sc);
    return 0;
}

static void run(unsigned jobs, bool sweeps, struct bf_results *r)
{
    struct bf_batch_options o = {.jobs = jobs, .seed = -1, .sweeps = sweeps};
    struct bf_diag d;
    bf_diag_clear(&d);
    int rc = bf_batch_run(&sc, &o, r, &d);
    if (rc != 0)
        fail_msg("batch failed: %s", d.msg);
}

static void results_should_not_depend_on_the_number_of_threads(void **state)
{
    (void)state;
    struct bf_results a, b;
    run(1, true, &a);
    run(3, true, &b);
    assert_int_equal(bf_batch_items(&a), 3 * 2 * 2 * 3); /* points x cities x policies x reps */
    assert_int_equal(a.n_points, 3);
    for (uint32_t p = 0; p < a.n_points; p++)
        for (uint32_t c = 0; c < 2; c++)
            for (uint32_t k = 0; k < 2; k++) {
                const struct bf_group *ga = bf_results_group(&a, p, c, k);
                const struct bf_group *gb = bf_results_group(&b, p, c, k);
                assert_memory_equal(ga->metric, gb->metric, 3 * BF_METRIC_COUNT * sizeof(double));
                assert_memory_equal(ga->summary, gb->summary, sizeof ga->summary);
                assert_memory_equal(ga->bk, gb->bk, sizeof ga->bk);
                if (p > 0)
                    continue;
                assert_memory_equal(ga->cash_mean_cny, gb->cash_mean_cny,
                                    3 * a.window_days * sizeof(double));
                assert_memory_equal(ga->wc_mean_cny, gb->wc_mean_cny,
                                    3 * BF_WC_COUNT * a.window_days * sizeof(double));
            }
    assert_memory_equal(a.delta, b.delta,
                        a.n_points * 2 * BF_DELTA_COUNT * sizeof(struct bf_paired));
    assert_memory_equal(a.daily_delta, b.daily_delta,
                        2 * BF_WC_COUNT * a.window_days * sizeof(struct bf_daily_delta));
    assert_int_equal(a.events, b.events);
    bf_results_fini(&a);
    bf_results_fini(&b);
}

static void deltas_should_pair_the_replications(void **state)
{
    (void)state;
    struct bf_results r;
    run(2, false, &r);
    assert_int_equal(r.n_points, 1);
    for (uint32_t c = 0; c < 2; c++) {
        const struct bf_group *gb = bf_results_group(&r, 0, c, 0);
        const struct bf_group *ga = bf_results_group(&r, 0, c, 1);
        const struct bf_paired *d = bf_results_delta(&r, 0, c, BF_M_financing_cost_cny);
        double sum = 0.0;
        for (int k = 0; k < 3; k++)
            sum += ga->metric[k * BF_METRIC_COUNT + BF_M_financing_cost_cny] -
                   gb->metric[k * BF_METRIC_COUNT + BF_M_financing_cost_cny];
        bf_assert_near(d->mean_diff, sum / 3.0, 1e-9);
        assert_int_equal(d->n, 3);
        bf_assert_near(d->mean_a, gb->summary[BF_M_financing_cost_cny].mean, 1e-9);
        /* the same arrivals under both policies (common random numbers) */
        for (int k = 0; k < 3; k++)
            bf_assert_near(ga->metric[k * BF_METRIC_COUNT + BF_M_shipments],
                           gb->metric[k * BF_METRIC_COUNT + BF_M_shipments], 0.0);
        /* rebates sooner after the policy */
        assert_true(ga->summary[BF_M_days_to_rebate].mean < gb->summary[BF_M_days_to_rebate].mean);
    }
    bf_results_fini(&r);
}

/* What follows from the pairs, against the groups' own numbers. */
static void derived_deltas_should_follow_from_the_replications(void **state)
{
    (void)state;
    struct bf_results r;
    run(2, false, &r);
    assert_int_equal(r.window_days, 90);
    assert_int_equal(r.window_from, 60);
    for (uint32_t c = 0; c < 2; c++) {
        const struct bf_group *gb = bf_results_group(&r, 0, c, 0);
        const struct bf_group *ga = bf_results_group(&r, 0, c, 1);
        double released = 0.0, per_m = 0.0;
        for (int k = 0; k < 3; k++) {
            double b = gb->metric[k * BF_METRIC_COUNT + BF_M_wc_avg_cny];
            double a = ga->metric[k * BF_METRIC_COUNT + BF_M_wc_avg_cny];
            double e = gb->metric[k * BF_METRIC_COUNT + BF_M_exports_cny];
            released += b - a;
            per_m += (b - a) / e * 1e6;
        }
        const struct bf_paired *cr = bf_results_delta(&r, 0, c, BF_DX_capital_released_cny);
        bf_assert_near(cr->mean_diff, released / 3.0, 1e-6);
        bf_assert_near(cr->mean_a, gb->summary[BF_M_wc_avg_cny].mean, 1e-6); /* before */
        bf_assert_near(cr->mean_b, ga->summary[BF_M_wc_avg_cny].mean, 1e-6); /* after */
        bf_assert_near(bf_results_delta(&r, 0, c, BF_DX_capital_released_per_m)->mean_diff,
                       per_m / 3.0, 1e-6);
        /* the released capital is the wc delta with the sign turned */
        bf_assert_near(cr->mean_diff, -bf_results_delta(&r, 0, c, BF_M_wc_avg_cny)->mean_diff,
                       1e-6);
        assert_true(cr->mean_diff > 0.0); /* the policy frees rebate receivable */
        /* the same arrivals under both policies: identical, no variance
         * reduction to report */
        const struct bf_paired *sh = bf_results_delta(&r, 0, c, BF_M_shipments);
        assert_true(sh->identical);
        assert_true(isnan(sh->variance_reduction));
        /* the daily series average to the window's means */
        double wc = 0.0, dd = 0.0, dd_reb = 0.0;
        const struct bf_daily_delta *tot = bf_results_daily_delta(&r, c, BF_WC_total);
        const struct bf_daily_delta *reb = bf_results_daily_delta(&r, c, BF_WC_rebate_receivable);
        for (uint32_t d = 0; d < r.window_days; d++) {
            wc += gb->wc_mean_cny[BF_WC_total * r.window_days + d];
            dd += tot[d].mean;
            dd_reb += reb[d].mean;
            assert_true(tot[d].ci_low <= tot[d].mean && tot[d].mean <= tot[d].ci_high);
        }
        bf_assert_near(wc / r.window_days, gb->summary[BF_M_wc_avg_cny].mean, 1e-6);
        bf_assert_near(dd / r.window_days, -released / 3.0, 1e-6);
        bf_assert_near(dd_reb / r.window_days,
                       bf_results_delta(&r, 0, c, BF_M_wc_rebate_receivable_avg_cny)->mean_diff,
                       1e-6);
        /* the warm-up is checked on the baseline's working capital */
        assert_true(gb->warmup_checked);
        assert_false(ga->warmup_checked);
        assert_true(gb->warmup.truncate <= (r.window_from + r.window_days) / 2);
        /* the channels' shipments add up to the city's */
        double ships = 0.0;
        for (int ch = 0; ch < BF_CH_COUNT; ch++)
            if (gb->bk[ch][BF_BK_shipments].n > 0)
                ships += gb->bk[ch][BF_BK_shipments].mean;
        bf_assert_near(ships, gb->summary[BF_M_shipments].mean, 1e-6);
    }
    bf_results_fini(&r);
}

static void sweep_should_change_only_its_policy(void **state)
{
    (void)state;
    struct bf_results r;
    run(2, true, &r);
    /* point 1: processing 1 wd, point 2: 10 wd, for policy "after" only */
    for (uint32_t c = 0; c < 2; c++) {
        const struct bf_group *b1 = bf_results_group(&r, 1, c, 0);
        const struct bf_group *b2 = bf_results_group(&r, 2, c, 0);
        assert_memory_equal(b1->metric, b2->metric, 3 * BF_METRIC_COUNT * sizeof(double));
        const struct bf_group *a1 = bf_results_group(&r, 1, c, 1);
        const struct bf_group *a2 = bf_results_group(&r, 2, c, 1);
        assert_true(a2->summary[BF_M_days_to_rebate].mean >
                    a1->summary[BF_M_days_to_rebate].mean + 5.0);
    }
    bf_results_fini(&r);
}

static void interrupt_should_stop_the_run(void **state)
{
    (void)state;
    atomic_int flag = 1;
    struct bf_batch_options o = {.jobs = 2, .seed = -1, .interrupt = &flag};
    struct bf_results r;
    struct bf_diag d;
    bf_diag_clear(&d);
    assert_int_equal(bf_batch_run(&sc, &o, &r, &d), BF_EINTR);
    assert_null(r.group);
}

static void a_model_error_should_end_the_batch_naming_the_work_item(void **state)
{
    (void)state;
    /* A delay beyond what the calendar can count, as only a draw from beyond
     * the validated tail could give (validation refuses such a value in a
     * file): set in the loaded rules of city B's after policy. The batch
     * returns BF_ERANGE -- exit status 1, not an abort -- with the work
     * item named: city, policy, replication and seed. */
    struct bf_params saved = sc.city[1].params[1];
    assert_int_equal(bf_dist_fixed(&sc.city[1].params[1].rebate.doc_collection_d, 1e12, NULL), 0);
    struct bf_batch_options o = {.jobs = 2, .seed = -1};
    struct bf_results r;
    struct bf_diag d;
    bf_diag_clear(&d);
    int rc = bf_batch_run(&sc, &o, &r, &d);
    sc.city[1].params[1] = saved;
    assert_int_equal(rc, BF_ERANGE);
    assert_null(r.group);
    /* the lowest failing item, whatever the threads: replication 0 */
    if (strstr(d.msg, "city 'B', policy 'after', replication 0, seed 99: a delay drawn from "
                      "rebate.doc_collection_d") == NULL)
        fail_msg("unexpected message: %s", d.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(results_should_not_depend_on_the_number_of_threads),
        cmocka_unit_test(deltas_should_pair_the_replications),
        cmocka_unit_test(derived_deltas_should_follow_from_the_replications),
        cmocka_unit_test(sweep_should_change_only_its_policy),
        cmocka_unit_test(interrupt_should_stop_the_run),
        cmocka_unit_test(a_model_error_should_end_the_batch_naming_the_work_item),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
