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
 * The hand example, a 10-day ledger from day 100:
 *   day 100  goods           -1000 fen
 *   day 104  proceeds        +1500 fen
 *   day 112  rebate in        +200 fen   (after the ledger's days)
 *   fees 5 fen/day on [101, 106) -> days 101..105, 25 fen
 *   fees 5 fen/day on [108, 115) -> days 108, 109 in the ledger (10 fen), 25 fen after
 * Daily net: d0 -1000, d1..d3 -5, d4 +1495, d5 -5, d6 d7 0, d8 d9 -5.
 * Balances (end of day):
 *   inventory: +1000 on day 100, -1000 on day 104 -> 1000 on d0..d3
 *   receivables: +300 on day 102, -300 on day 105; +100 on day 104, -100 on
 *   day 120 (after) -> 0 0 300 300 400 100 100 100 100 100
 *   rebate receivable: +200 on day 101 (paid on day 112, after) -> 200 from d1
 * Working capital: 1000 1200 1500 1500 600 300 300 300 300 300.
 */
static void book_example(struct bf_ledger *l)
{
    assert_int_equal(bf_ledger_init(l, 100, 10), 0);
    bf_ledger_book(l, 100, BF_FLOW_GOODS, -1000);
    bf_ledger_book(l, 104, BF_FLOW_PROCEEDS, 1500);
    bf_ledger_book(l, 112, BF_FLOW_REBATE_IN, 200);
    bf_ledger_fee(l, 101, 106, 5);
    bf_ledger_fee(l, 108, 115, 5);
    bf_ledger_balance(l, BF_BAL_INVENTORY, 100, 1000);
    bf_ledger_balance(l, BF_BAL_INVENTORY, 104, -1000);
    bf_ledger_balance(l, BF_BAL_RECEIVABLES, 102, 300);
    bf_ledger_balance(l, BF_BAL_RECEIVABLES, 105, -300);
    bf_ledger_balance(l, BF_BAL_RECEIVABLES, 104, 100);
    bf_ledger_balance(l, BF_BAL_RECEIVABLES, 120, -100);
    bf_ledger_balance(l, BF_BAL_REBATE_RECEIVABLE, 101, 200);
    bf_ledger_balance(l, BF_BAL_REBATE_RECEIVABLE, 112, -200);
    bf_ledger_close(l);
}

static void ledger_should_give_daily_positions_worked_by_hand(void **state)
{
    (void)state;
    struct bf_ledger l;
    book_example(&l);
    int64_t pos[10];
    bf_ledger_positions(&l, 0, 10, pos);
    const int64_t want[10] = {-1000, -1005, -1010, -1015, 480, 475, 475, 475, 470, 465};
    for (int i = 0; i < 10; i++)
        assert_int_equal(pos[i], want[i]);
    /* cumulated from day 4: +1495, then -5, 0, 0, -5, -5 */
    bf_ledger_positions(&l, 4, 10, pos);
    const int64_t from4[6] = {1495, 1490, 1490, 1490, 1485, 1480};
    for (int i = 0; i < 6; i++)
        assert_int_equal(pos[i], from4[i]);
    bf_ledger_fini(&l);
}

static void ledger_should_give_daily_balances_worked_by_hand(void **state)
{
    (void)state;
    struct bf_ledger l;
    book_example(&l);
    const int64_t inv[10] = {1000, 1000, 1000, 1000, 0, 0, 0, 0, 0, 0};
    const int64_t rec[10] = {0, 0, 300, 300, 400, 100, 100, 100, 100, 100};
    const int64_t wc[10] = {1000, 1200, 1500, 1500, 600, 300, 300, 300, 300, 300};
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(bf_ledger_balance_at(&l, BF_BAL_INVENTORY, i), inv[i]);
        assert_int_equal(bf_ledger_balance_at(&l, BF_BAL_RECEIVABLES, i), rec[i]);
        assert_int_equal(bf_ledger_balance_at(&l, BF_BAL_REBATE_RECEIVABLE, i), i == 0 ? 0 : 200);
        assert_int_equal(bf_ledger_wc_at(&l, i), wc[i]);
    }
    /* every change counts in the totals, those after the ledger's days too:
     * inventory and the rebate are resolved, 100 of receivables was
     * booked out on day 120 */
    assert_int_equal(l.bal_total_fen[BF_BAL_INVENTORY], 0);
    assert_int_equal(l.bal_total_fen[BF_BAL_RECEIVABLES], 0);
    assert_int_equal(l.bal_total_fen[BF_BAL_REBATE_RECEIVABLE], 0);
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
    bf_ledger_summarise(&l, 0, 10, 0.0, 0.0, &s);
    assert_int_equal(inside, 465);
    assert_int_equal(s.net_fen, 465);
    assert_int_equal(s.flow_fen[BF_FLOW_PROCEEDS], 1500);
    assert_int_equal(s.flow_fen[BF_FLOW_REBATE_IN], 0); /* after the window */
    assert_int_equal(s.flow_fen[BF_FLOW_WAREHOUSE], -35);
    bf_ledger_fini(&l);
}

static void ledger_should_summarise_working_capital_financing_and_npv(void **state)
{
    (void)state;
    struct bf_ledger l;
    book_example(&l);
    struct bf_ledger_summary s;
    /* the whole ledger: working capital sums to 7300 over 10 days; 36.5% a
     * year is 0.1% a day: financing 7.3 fen whatever the cash position */
    bf_ledger_summarise(&l, 0, 10, 0.365, 0.0, &s);
    bf_assert_near(s.wc_avg_fen, 730.0, 1e-9);
    bf_assert_near(s.wc_peak_fen, 1500.0, 1e-9);
    bf_assert_near(s.balance_avg_fen[BF_BAL_INVENTORY], 400.0, 1e-9);
    bf_assert_near(s.balance_avg_fen[BF_BAL_RECEIVABLES], 150.0, 1e-9);
    bf_assert_near(s.balance_avg_fen[BF_BAL_REBATE_RECEIVABLE], 180.0, 1e-9);
    bf_assert_near(s.financing_cost_fen, 7.3, 1e-9);
    /* NPV at 0%: nothing at the opening, the window's flows 465, the
     * closing pipeline 300 */
    bf_assert_near(s.wc_open_fen, 0.0, 0.0);
    bf_assert_near(s.wc_close_fen, 300.0, 0.0);
    bf_assert_near(s.npv_fen, 765.0, 1e-9);
    /* a window of days 2..9: it opens with the 1200 of day 1; working
     * capital 1500 1500 600 300 x 5 = 5100 over 8 days; flows -1010 + 1475 ... */
    bf_ledger_summarise(&l, 2, 10, 0.365, 0.0, &s);
    bf_assert_near(s.wc_avg_fen, 5100.0 / 8.0, 1e-9);
    bf_assert_near(s.wc_peak_fen, 1500.0, 1e-9);
    bf_assert_near(s.wc_open_fen, 1200.0, 0.0);
    bf_assert_near(s.financing_cost_fen, 5.1, 1e-9);
    /* flows of days 2..9: -5 -5 +1495 -5 0 0 -5 -5 = 1470; NPV = -1200 +
     * 1470 + 300 */
    assert_int_equal(s.net_fen, 1470);
    bf_assert_near(s.npv_fen, 570.0, 1e-9);
    bf_ledger_fini(&l);
}

static void ledger_should_discount_flows_by_their_day(void **state)
{
    (void)state;
    struct bf_ledger l;
    book_example(&l);
    struct bf_ledger_summary s;
    bf_ledger_summarise(&l, 0, 10, 0.0, 0.10, &s);
    /* sum of net(day i) / 1.1^(i/365), plus the closing 300 at 10 days */
    const double net[10] = {-1000, -5, -5, -5, 1495, -5, 0, 0, -5, -5};
    double want = 300.0 / pow(1.10, 10 / 365.0);
    for (int i = 0; i < 10; i++)
        want += net[i] / pow(1.10, i / 365.0);
    bf_assert_near(s.npv_fen, want, 1e-9);
    assert_true(s.npv_fen < 765.0); /* later inflows are worth less */
    bf_ledger_fini(&l);
}

static void ledger_should_name_every_flow(void **state)
{
    (void)state;
    assert_string_equal(bf_flow_name(BF_FLOW_GOODS), "goods");
    assert_string_equal(bf_flow_name(BF_FLOW_REBATE_REPAID), "rebate_repaid");
    assert_string_equal(bf_flow_name(BF_FLOW_FREIGHT_RETURN), "freight_return");
    assert_string_equal(bf_flow_desc(BF_FLOW_IMPORT_TAX), "import duty and VAT on re-import");
    assert_string_equal(bf_flow_name(BF_FLOW_HOME_SALE), "home_sale");
    assert_string_equal(bf_flow_name(BF_FLOW_REBATE_SETTLED), "rebate_settled");
    assert_string_equal(bf_flow_name((enum bf_flow)99), "?");
    assert_string_equal(bf_balance_name(BF_BAL_REBATE_RECEIVABLE), "rebate_receivable");
    assert_string_equal(bf_balance_name((enum bf_balance)99), "?");
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
    /* balances and fees accumulate in difference arrays */
    assert_int_equal(bf_ledger_init(&l, 0, 10), 0);
    bf_ledger_balance(&l, BF_BAL_RECEIVABLES, 2, big);
    bf_ledger_balance(&l, BF_BAL_RECEIVABLES, 2, big);
    assert_true(l.overflow);
    bf_ledger_fini(&l);
    /* two balances that fit alone, on days whose sum does not */
    assert_int_equal(bf_ledger_init(&l, 0, 10), 0);
    bf_ledger_balance(&l, BF_BAL_INVENTORY, 1, big);
    bf_ledger_balance(&l, BF_BAL_RECEIVABLES, 1, big);
    assert_false(l.overflow);
    bf_ledger_close(&l);
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
        cmocka_unit_test(ledger_should_give_daily_balances_worked_by_hand),
        cmocka_unit_test(ledger_flows_should_sum_to_the_final_position),
        cmocka_unit_test(ledger_should_summarise_working_capital_financing_and_npv),
        cmocka_unit_test(ledger_should_discount_flows_by_their_day),
        cmocka_unit_test(ledger_should_name_every_flow),
        cmocka_unit_test(ledger_should_flag_sums_that_leave_int64),
        cmocka_unit_test(ledger_should_fail_cleanly_without_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
