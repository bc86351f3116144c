/*
 * test_ledger.c - the cash ledger: exact sums in fen, daily positions,
 * warehouse fees by the day, receivables, financing cost and NPV, all
 * against values worked out by hand.
 */
#include <math.h>
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/ledger.h"

#include "bf_test.h"

/*
 * The hand example, a 10-day window from day 100:
 *   day 100  goods           -1000 fen
 *   day 104  proceeds        +1500 fen
 *   day 112  rebate in        +200 fen   (after the window)
 *   fees 5 fen/day on [101, 106) -> days 101..105, 25 fen
 *   fees 5 fen/day on [108, 115) -> days 108, 109 in the window (10 fen), 25 fen after
 * Daily net: d0 -1000, d1..d3 -5, d4 +1495, d5 -5, d6 d7 0, d8 d9 -5.
 * Positions: -1000 -1005 -1010 -1015 480 475 475 475 470 465.
 */
static void book_example(struct bf_ledger *l)
{
    assert_int_equal(bf_ledger_init(l, 100, 10), 0);
    bf_ledger_book(l, 100, BF_FLOW_GOODS, -1000);
    bf_ledger_book(l, 104, BF_FLOW_PROCEEDS, 1500);
    bf_ledger_book(l, 112, BF_FLOW_REBATE_IN, 200);
    bf_ledger_fee(l, 101, 106, 5);
    bf_ledger_fee(l, 108, 115, 5);
    /* receivables: 300 on [102, 105), 100 on [104, 120) */
    bf_ledger_receivable(l, 102, 105, 300);
    bf_ledger_receivable(l, 104, 120, 100);
    bf_ledger_close(l);
}

static void ledger_should_give_daily_positions_worked_by_hand(void **state)
{
    (void)state;
    struct bf_ledger l;
    book_example(&l);
    int64_t pos[10];
    bf_ledger_positions(&l, pos);
    const int64_t want[10] = {-1000, -1005, -1010, -1015, 480, 475, 475, 475, 470, 465};
    for (int i = 0; i < 10; i++)
        assert_int_equal(pos[i], want[i]);
    bf_ledger_fini(&l);
}

static void ledger_flows_should_sum_to_the_final_position(void **state)
{
    (void)state;
    struct bf_ledger l;
    book_example(&l);
    assert_int_equal(l.total_fen[BF_FLOW_GOODS], -1000);
    assert_int_equal(l.total_fen[BF_FLOW_PROCEEDS], 1500);
    assert_int_equal(l.total_fen[BF_FLOW_REBATE_IN], 200);
    assert_int_equal(l.beyond_fen[BF_FLOW_REBATE_IN], 200);
    assert_int_equal(l.total_fen[BF_FLOW_WAREHOUSE], -60); /* 5 + 7 days of 5 fen */
    assert_int_equal(l.beyond_fen[BF_FLOW_WAREHOUSE], -25);
    int64_t inside = 0;
    for (int f = 0; f < BF_FLOW_COUNT; f++)
        inside += l.total_fen[f] - l.beyond_fen[f];
    struct bf_ledger_summary s;
    bf_ledger_summarise(&l, 0, 0.0, 0.0, &s);
    assert_int_equal(inside, 465);
    assert_int_equal(s.final_position_fen, 465);
    bf_ledger_fini(&l);
}

static void ledger_should_summarise_capital_financing_and_receivables(void **state)
{
    (void)state;
    struct bf_ledger l;
    book_example(&l);
    struct bf_ledger_summary s;
    /* 36.5% a year is 0.1% a day: cost = 0.001 x the sum of the daily
     * negative positions 1000 + 1005 + 1010 + 1015 = 4030 -> 4.03 fen */
    bf_ledger_summarise(&l, 0, 0.365, 0.0, &s);
    bf_assert_near(s.peak_working_capital_fen, 1015.0, 1e-9);
    bf_assert_near(s.avg_capital_tied_fen, 403.0, 1e-9);
    bf_assert_near(s.financing_cost_fen, 4.03, 1e-9);
    /* NPV at 0% is the sum of the window's flows */
    bf_assert_near(s.npv_fen, 465.0, 1e-9);
    /* receivables by day: 0 0 300 300 400 100 100 100 100 100 -> mean 150, peak 400 */
    bf_assert_near(s.receivable_avg_fen, 150.0, 1e-9);
    bf_assert_near(s.receivable_peak_fen, 400.0, 1e-9);
    /* skipping a 2-day warm-up: tied 1010 + 1015 over 8 days; receivables
     * 300 300 400 and five days of 100 over 8 days */
    bf_ledger_summarise(&l, 2, 0.365, 0.0, &s);
    bf_assert_near(s.avg_capital_tied_fen, 2025.0 / 8.0, 1e-9);
    bf_assert_near(s.peak_working_capital_fen, 1015.0, 1e-9);
    bf_assert_near(s.receivable_avg_fen, 1500.0 / 8.0, 1e-9);
    bf_ledger_fini(&l);
}

static void ledger_should_discount_flows_by_their_day(void **state)
{
    (void)state;
    struct bf_ledger l;
    book_example(&l);
    struct bf_ledger_summary s;
    bf_ledger_summarise(&l, 0, 0.0, 0.10, &s);
    /* sum of net(day i) / 1.1^(i/365) */
    const double net[10] = {-1000, -5, -5, -5, 1495, -5, 0, 0, -5, -5};
    double want = 0.0;
    for (int i = 0; i < 10; i++)
        want += net[i] / pow(1.10, i / 365.0);
    bf_assert_near(s.npv_fen, want, 1e-9);
    assert_true(s.npv_fen < 465.0); /* later inflows are worth less */
    bf_ledger_fini(&l);
}

static void ledger_should_name_every_flow(void **state)
{
    (void)state;
    assert_string_equal(bf_flow_name(BF_FLOW_GOODS), "goods");
    assert_string_equal(bf_flow_name(BF_FLOW_REBATE_REPAID), "rebate_repaid");
    assert_string_equal(bf_flow_name(BF_FLOW_FREIGHT_RETURN), "freight_return");
    assert_string_equal(bf_flow_desc(BF_FLOW_IMPORT_TAX), "import duty and VAT on re-import");
    assert_string_equal(bf_flow_name((enum bf_flow)99), "?");
}

/* Each booking fits in int64 but their sums do not: the flag, never a
 * wrapped (undefined) sum. */
static void ledger_should_flag_sums_that_leave_int64(void **state)
{
    (void)state;
    const int64_t big = INT64_MAX / 2 + 2; /* twice big passes INT64_MIN too */
    struct bf_ledger l;
    /* two flows of one day: each total fits, the day's net does not */
    assert_int_equal(bf_ledger_init(&l, 0, 10), 0);
    bf_ledger_book(&l, 1, BF_FLOW_GOODS, -big);
    bf_ledger_book(&l, 1, BF_FLOW_FREIGHT_OUT, -big);
    assert_false(l.overflow);
    bf_ledger_close(&l);
    assert_true(l.overflow);
    bf_ledger_fini(&l);
    /* receivables and fees accumulate in difference arrays */
    assert_int_equal(bf_ledger_init(&l, 0, 10), 0);
    bf_ledger_receivable(&l, 2, 5, big);
    bf_ledger_receivable(&l, 2, 6, big);
    assert_true(l.overflow);
    bf_ledger_fini(&l);
    assert_int_equal(bf_ledger_init(&l, 0, 10), 0);
    bf_ledger_fee(&l, 0, 2, big / 2 + 1);
    bf_ledger_fee(&l, 0, 2, big / 2 + 1);
    assert_true(l.overflow);
    bf_ledger_fini(&l);
}

static void ledger_should_fail_cleanly_without_memory(void **state)
{
    (void)state;
    for (uint64_t k = 1; k <= 3; k++) {
        struct bf_ledger l;
        bf_alloc_fail_at(k, 0);
        assert_int_equal(bf_ledger_init(&l, 0, 100), BF_ENOMEM);
        bf_alloc_fail_at(0, 0);
        assert_int_equal(bf_alloc_live_bytes(), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ledger_should_give_daily_positions_worked_by_hand),
        cmocka_unit_test(ledger_flows_should_sum_to_the_final_position),
        cmocka_unit_test(ledger_should_summarise_capital_financing_and_receivables),
        cmocka_unit_test(ledger_should_discount_flows_by_their_day),
        cmocka_unit_test(ledger_should_name_every_flow),
        cmocka_unit_test(ledger_should_flag_sums_that_leave_int64),
        cmocka_unit_test(ledger_should_fail_cleanly_without_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
