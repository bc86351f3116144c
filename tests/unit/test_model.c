/*
 * test_model.c - the shipment model, rule by rule, on fixed durations whose
 * outcome is worked out by hand in the comments; then invariants on random
 * runs.
 *
 * Calendar facts used (the 2026 notice, docs/sources.md H1): Oct 1-7 off, Sep
 * 20 (Sun) and Oct 10 (Sat) are working days. 2026-09-01 is a Tuesday,
 * 2026-09-28 a Monday, 2026-09-30 a Wednesday. Years after 2026 are
 * projected from the statutory rules (docs/calendar.md, sources.md H3).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/model.h"

#include "bf_test.h"

static struct bf_calendar cal;

static int32_t D(int y, int m, int d)
{
    return bf_date_from_ymd(y, m, d);
}

static struct bf_dist F(double v) {
    struct bf_dist d;
    assert_int_equal(bf_dist_fixed(&d, v, NULL), 0);
    return d;
}

/*
 * Deterministic rules: one category (cost 113 CNY: rebate base 100, rebate
 * 13 CNY a unit), one channel, lane us_west with a daily 18:00 departure,
 * every duration fixed.
 */
static void
fixed_rules(struct bf_params *p, enum bf_channel ch, double units)
{
    bf_params_default(p);
    for (unsigned k = 0; k < p->n_categories; k++)
        p->category[k].share = 0.0;
    struct bf_category *c = &p->category[0];
    c->share = 1.0;
    c->rebate_rate = 0.13;
    c->return_prob = 0.0;
    c->unit_cost_cny = F(113.0);
    c->price_multiple = 2.0;
    c->import_duty_rate = 0.10;
    int wc = bf_params_lane(p, "us_west");
    struct bf_lane *l = &p->lane[wc];
    l->departures = (struct bf_periodic){.kind = BF_PERIODIC_DAILY, .at_hour = 18.0};
    l->transit_d = F(18.0);
    l->dest_d = F(8.0);
    l->freight_rate = 0.05;
    for (int k = 0; k < BF_CH_COUNT; k++) {
        struct bf_channel_params *cp = &p->channel[k];
        cp->share = k == (int)ch ? 1.0 : 0.0;
        memset(cp->lane_weight, 0, sizeof cp->lane_weight);
        cp->lane_weight[wc] = 1.0;
        cp->units = F(units);
        cp->return_factor = 1.0;
        cp->platform_fee = 0.15;
        cp->settlement_d = F(14.0);
        cp->trigger = BF_TRIGGER_DEPARTURE;
        cp->trigger_adoption = 1.0;
        cp->fallback_trigger = BF_TRIGGER_DEPARTURE;
    }
    p->clearance.doc_prep_h = F(4.0);
    p->clearance.doc_error_prob = 0.0;
    p->clearance.rework_h = F(2.0);
    p->clearance.screening_h = F(1.0);
    p->clearance.inspect_prob = 0.0;
    p->clearance.inspect_h = F(3.0);
    p->clearance.inspection_teams = 1;
    p->clearance.teams_follow_calendar = 0;
    p->port.handling_d = F(1.0);
    p->warehouse.time_to_sale_d = F(10.0);
    p->warehouse.aged_return_share = 0.0;
    p->warehouse.liquidation_value = 0.10;
    p->warehouse.fee_cny_per_unit_day = 0.05;
    p->returns.lag_d = F(5.0);
    p->returns.to_china_share = 0.0;
    p->returns.resell_share = 0.0;
    p->returns.port_dwell_d = F(5.0);
    p->returns.cbec_clearance_h = F(24.0);
    p->returns.ordinary_clearance_h = F(24.0);
    p->returns.cert_wd = F(3.0);
    p->rebate.closure_lag_d = F(2.0);
    p->rebate.doc_collection_d = F(0.0);
    p->rebate.filing = BF_FILING_CONTINUOUS;
    p->rebate.processing_wd = F(3.0);
    p->rebate.treasury_wd = F(0.0);
    p->returns.home_value = 0.6;
    p->returns.home_sale_d = F(10.0);
}

/* What a run leaves for the assertions. */
struct obs {
    struct bf_shipment_record rec[64];
    int n_rec;
    uint64_t claim_serial[256];
    uint32_t claim_units[256];
    double claim_trigger_h[256], claim_paid_h[256];
    int n_claims;
};

static void on_ship(const struct bf_shipment_record *r, void *ctx)
{
    struct obs *o = ctx;
    if (o->n_rec < 64)
        o->rec[o->n_rec++] = *r;
}

static void on_claim(uint64_t serial, uint32_t n, double trig, double paid, void *ctx)
{
    struct obs *o = ctx;
    if (o->n_claims < 256) {
        o->claim_serial[o->n_claims] = serial;
        o->claim_units[o->n_claims] = n;
        o->claim_trigger_h[o->n_claims] = trig;
        o->claim_paid_h[o->n_claims] = paid;
        o->n_claims++;
    }
}

/* The record of shipment `serial`. */
static const struct bf_shipment_record *rec_of(const struct obs *o, uint64_t serial)
{
    for (int i = 0; i < o->n_rec; i++)
        if (o->rec[i].serial == serial)
            return &o->rec[i];
    fail_msg("no record of shipment %llu", (unsigned long long)serial);
    return NULL;
}

/* A run: the window starts on the epoch (no warm-up) unless `warmup` says
 * otherwise; `days` is the window's length. */
struct run {
    const struct bf_params *old_rules, *new_rules;
    int32_t effective_day;
    enum bf_regime_rule rule;
    int32_t epoch;
    const double *arrivals;
    uint32_t n_arrivals;
    uint32_t days, tail, warmup;
    double financing_rate;
    const struct bf_calendar *cal;
};

static void run(const struct run *r, struct bf_model_result *res, struct obs *o)
{
    memset(o, 0, sizeof *o);
    struct bf_model_input in = {
        .old_rules = r->old_rules,
        .new_rules = r->new_rules ? r->new_rules : r->old_rules,
        .effective_day = r->new_rules ? r->effective_day : INT32_MAX,
        .rule = r->rule,
        .cal = r->cal ? r->cal : &cal,
        .start_day = r->epoch,
        .window_day = r->epoch + (int32_t)r->warmup,
        .window_days = r->days ? r->days : 150,
        .tail_days = r->tail ? r->tail : 300,
        .financing_rate = r->financing_rate,
        .discount_rate = 0.0,
        .seed = 1,
        .city_name = "test",
        .policy_name = "test",
        .on_shipment = on_ship,
        .on_shipment_ctx = o,
        .on_claim = on_claim,
        .on_claim_ctx = o,
        .arrivals_h = r->arrivals,
        .n_arrivals = r->n_arrivals,
    };
    struct bf_diag d;
    bf_diag_clear(&d);
    int rc = bf_model_run(&in, res, &d);
    if (rc != 0)
        fail_msg("model run failed: %s", d.msg);
}

static double day_h(int32_t epoch, int32_t day, double hour)
{
    return bf_cal_time_h(epoch, day, hour);
}

/* ---- export, departure, transit, delivery ---- */

static void shipment_should_follow_its_timeline(void **state)
{
    (void)state;
    /* Created Tue 2026-09-01 10:00 (t = 10 h); documents 4 h -> declared 14;
     * screening 1 h -> released 15; port handling 1 d -> ready Wed 15:00 (39);
     * daily departure 18:00 -> departs Wed 18:00 (42); 18 d at sea -> 474;
     * 8 d to the buyer -> delivered 666 (Mon Sep 28 18:00). Rebate at
     * departure: documents 0 d, continuous filing Wed Sep 2, 3 working days
     * Thu 3, Fri 4, Mon 7 -> paid Mon Sep 7 12:00 (156 h). */
    struct bf_params p;
    fixed_rules(&p, BF_CH_0110, 10.0);
    const double t[] = {10.0};
    struct run r = {
        .old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1, .days = 30};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    const struct bf_shipment_record *s = rec_of(&o, 0);
    bf_assert_near(s->t_h[BF_MS_CREATED], 10.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_DECLARED], 14.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_RELEASED], 15.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_DEPARTED], 42.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_ARRIVED], 474.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_RECEIVED], 666.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_FIRST_SALE], 666.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_REBATE_PAID], 156.0, 1e-9);
    assert_int_equal(s->units, 10);
    bf_assert_near(res.metric[BF_M_export_clearance_h], 1.0, 1e-12);
    bf_assert_near(res.metric[BF_M_port_dwell_d], 27.0 / 24.0, 1e-12);
    bf_assert_near(res.metric[BF_M_days_to_rebate], (156.0 - 42.0) / 24.0, 1e-12);
    bf_assert_near(res.metric[BF_M_trs_doc_prep_h], 4.0, 1e-12);
    bf_assert_near(res.metric[BF_M_trs_screening_h], 1.0, 1e-12);
    bf_assert_near(res.metric[BF_M_trs_port_dwell_h], 27.0, 1e-12);
    /* Cash, 10 units: goods -1130 (Sep 1); freight 5% = -56.50 (Sep 2);
     * rebate +130 (Sep 7); proceeds 113 x 2 x 0.85 = 192.10 a unit,
     * +1921 14 days after delivery. */
    assert_int_equal(res.flow_total_fen[BF_FLOW_GOODS], -113000);
    assert_int_equal(res.flow_total_fen[BF_FLOW_FREIGHT_OUT], -5650);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 13000);
    assert_int_equal(res.flow_total_fen[BF_FLOW_PROCEEDS], 192100);
    /* positions: Sep 1 -1130, Sep 2..6 -1186.50, Sep 7 -1056.50 (the window
     * is Sep 1-30; proceeds on Oct 12 fall after it) */
    assert_int_equal(res.position_fen[0], -113000);
    assert_int_equal(res.position_fen[1], -118650);
    assert_int_equal(res.position_fen[6], -105650);
    assert_int_equal(res.position_fen[29], -105650);
    /* Working capital at the end of each day of the window (days 0..29):
     *  day 0: inventory 1130 (bought);
     *  days 1..5: departed: inventory 1000 net of the rebate + rebate
     *  receivable 130;  days 6..26: paid: inventory 1000;
     *  days 27..29: delivered and sold: receivable 1921 (until Oct 12).
     * Sum 1130 + 5 x 1130 + 21 x 1000 + 3 x 1921 = 33543 CNY-days. */
    bf_assert_near(res.metric[BF_M_wc_avg_cny], 33543.0 / 30.0, 1e-9);
    bf_assert_near(res.metric[BF_M_wc_peak_cny], 1921.0, 1e-9);
    bf_assert_near(res.metric[BF_M_wc_inventory_avg_cny], (1130.0 + 26 * 1000.0) / 30.0, 1e-9);
    bf_assert_near(res.metric[BF_M_wc_rebate_receivable_avg_cny], 5 * 130.0 / 30.0, 1e-9);
    bf_assert_near(res.metric[BF_M_wc_receivables_avg_cny], 3 * 1921.0 / 30.0, 1e-9);
    bf_assert_near(res.metric[BF_M_exports_cny], 1130.0, 1e-9);
    bf_assert_near(res.metric[BF_M_cash_cycle_d], (33543.0 / 30.0) / (1130.0 / 30.0), 1e-9);
    /* NPV at 0%: no pipeline at the opening; flows -1130 - 56.50 + 130;
     * the closing pipeline, the receivable of 1921: 864.50, the profit */
    bf_assert_near(res.metric[BF_M_npv_cny], 864.5, 1e-9);
    assert_int_equal(res.unit_states[BF_US_SOLD], 10);
    bf_model_result_fini(&res);
}

static void rejected_declarations_should_go_back_for_rework(void **state)
{
    (void)state;
    /* Every declaration has an error (probability 1, beyond what a scenario
     * may ask, to make the path certain): the model accepts the 8th after 7
     * reworks of 2 h. Declared 14, re-lodged 16..28, screened 29. */
    struct bf_params p;
    fixed_rules(&p, BF_CH_0110, 1.0);
    p.clearance.doc_error_prob = 1.0;
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    const struct bf_shipment_record *s = rec_of(&o, 0);
    bf_assert_near(s->t_h[BF_MS_DECLARED], 14.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_RELEASED], 29.0, 1e-9);
    bf_assert_near(res.metric[BF_M_export_clearance_h], 15.0, 1e-12);
    bf_assert_near(res.metric[BF_M_trs_rework_h], 14.0, 1e-12);
    bf_model_result_fini(&res);
}

static void inspections_should_queue_first_come_first_served(void **state)
{
    (void)state;
    /* Three shipments at t = 0, all inspected (3 h), one team around the
     * clock: screened at 5; served 5-8, 8-11, 11-14; waits 0, 3, 6. */
    struct bf_params p;
    fixed_rules(&p, BF_CH_0110, 1.0);
    p.clearance.inspect_prob = 1.0;
    const double t[] = {0.0, 0.0, 0.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 3};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    bf_assert_near(rec_of(&o, 0)->t_h[BF_MS_RELEASED], 8.0, 1e-9);
    bf_assert_near(rec_of(&o, 1)->t_h[BF_MS_RELEASED], 11.0, 1e-9);
    bf_assert_near(rec_of(&o, 2)->t_h[BF_MS_RELEASED], 14.0, 1e-9);
    bf_assert_near(res.metric[BF_M_inspection_wait_h], 3.0, 1e-12);
    bf_assert_near(res.metric[BF_M_export_clearance_h], (4.0 + 7.0 + 10.0) / 3.0, 1e-12);
    bf_assert_near(res.metric[BF_M_trs_inspection_h], 3.0, 1e-12);
    bf_model_result_fini(&res);
}

static void inspection_teams_should_work_shift_hours_on_working_days(void **state)
{
    (void)state;
    /* Teams work 08:30-17:30 on working days. Two shipments created Wed
     * 2026-09-30 12:00, screened at 17:00: the first is inspected 17:00-20:00
     * (a started inspection is finished after the shift); the second waits
     * over National Day (Oct 1-7) until Thu Oct 8 08:30 = 200.5 h, a wait of
     * 183.5 h, and is released at 203.5 h. */
    struct bf_params p;
    fixed_rules(&p, BF_CH_0110, 1.0);
    p.clearance.inspect_prob = 1.0;
    p.clearance.teams_follow_calendar = 1;
    p.clearance.shift_start_h = 8.5;
    p.clearance.shift_end_h = 17.5;
    const double t[] = {12.0, 12.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 30), .arrivals = t, .n_arrivals = 2};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    bf_assert_near(rec_of(&o, 0)->t_h[BF_MS_RELEASED], 20.0, 1e-9);
    bf_assert_near(rec_of(&o, 1)->t_h[BF_MS_RELEASED], 203.5, 1e-9);
    bf_assert_near(res.metric[BF_M_inspection_wait_h], 183.5 / 2.0, 1e-9);
    bf_model_result_fini(&res);
}

/* ---- warehouse sales, fees, aged stock ---- */

static void warehouse_units_should_sell_after_their_time_to_sale(void **state)
{
    (void)state;
    /* 9810, 4 units, received Mon Sep 28 18:00 (666 h), 10 days to sale ->
     * sold Thu Oct 8 18:00 (906 h). Fees 5 fen a unit a day for the nights
     * Sep 28..Oct 7: 10 x 4 x 5 = 200 fen. Proceeds 4 x 192.10 on Oct 22.
     * Rebate at sale: filed Oct 8, 3 working days Fri 9, Sat 10 (adjusted),
     * Mon 12 -> paid Oct 12 12:00 = 996 h; days to rebate from departure
     * (42 h) = 39.75. */
    struct bf_params p;
    fixed_rules(&p, BF_CH_9810, 4.0);
    p.channel[BF_CH_9810].trigger = BF_TRIGGER_SALE;
    p.channel[BF_CH_9810].fallback_trigger = BF_TRIGGER_SALE;
    const double t[] = {10.0};
    int32_t ep = D(2026, 9, 1);
    struct run r = {.old_rules = &p, .epoch = ep, .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    const struct bf_shipment_record *s = rec_of(&o, 0);
    bf_assert_near(s->t_h[BF_MS_RECEIVED], 666.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_FIRST_SALE], 906.0, 1e-9);
    bf_assert_near(s->t_h[BF_MS_REBATE_PAID], day_h(ep, D(2026, 10, 12), 12.0), 1e-9);
    bf_assert_near(res.metric[BF_M_time_to_sale_d], 10.0, 1e-6);
    bf_assert_near(res.metric[BF_M_door_to_warehouse_d], (666.0 - 10.0) / 24.0, 1e-12);
    bf_assert_near(res.metric[BF_M_days_to_rebate], 39.75, 1e-12);
    assert_int_equal(res.flow_total_fen[BF_FLOW_WAREHOUSE], -200);
    assert_int_equal(res.flow_total_fen[BF_FLOW_PROCEEDS], 4 * 19210);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 4 * 1300);
    int32_t oct21 = D(2026, 10, 21) - ep, oct22 = D(2026, 10, 22) - ep;
    assert_int_equal(res.position_fen[oct22] - res.position_fen[oct21], 4 * 19210);
    assert_int_equal(o.n_claims, 1);
    assert_int_equal(o.claim_units[0], 4); /* units sold together share a filing */
    bf_model_result_fini(&res);
}

static void unsold_units_should_age_and_be_liquidated_abroad(void **state)
{
    (void)state;
    /* 200 days to sale > 180 days of dwell: aged at 666 + 180 x 24 = 4986 h,
     * liquidated for 10% of cost (11.30 a unit); fees for 180 days x 2 units x
     * 5 fen = 1800 fen. With the rebate at sale, a liquidation is a sale for
     * the rebate: 2 x 13 CNY paid. */
    struct bf_params p;
    fixed_rules(&p, BF_CH_9810, 2.0);
    p.warehouse.time_to_sale_d = F(200.0);
    p.channel[BF_CH_9810].trigger = BF_TRIGGER_SALE;
    p.channel[BF_CH_9810].fallback_trigger = BF_TRIGGER_SALE;
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(res.unit_states[BF_US_DISPOSED_ABROAD], 2);
    assert_int_equal(res.flow_total_fen[BF_FLOW_PROCEEDS], 2 * 1130);
    assert_int_equal(res.flow_total_fen[BF_FLOW_WAREHOUSE], -1800);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 2 * 1300);
    bf_assert_near(o.claim_trigger_h[0], 4986.0, 1e-9);
    bf_model_result_fini(&res);
}

/* ---- returns ---- */

/* One 9810 unit sold Oct 8 18:00 (906 h), returned by its buyer 5 days later
 * (1026 h, Tue Oct 13) and shipped back to China: the consolidated return
 * leaves Sun Nov 1 12:00 (1476 h) and arrives after 8 + 5 + 18 = 31 days on
 * Wed Dec 2 12:00 (2220 h). */
static void return_rules(struct bf_params *p)
{
    fixed_rules(p, BF_CH_9810, 1.0);
    p->category[0].return_prob = 1.0;
    p->returns.to_china_share = 1.0;
}

static void returned_unit_should_come_back_tax_free_and_repay_its_rebate(void **state)
{
    (void)state;
    /* Rebate paid at departure (Sep 7), so it is repaid on arrival (Dec 2,
     * -13 CNY); within 6 months of export: the tax-free CBEC procedure, which
     * waits for the certificate: 3 working days Thu 3, Fri 4, Mon 7 ->
     * Dec 7 09:00 (2337 h), then 24 h of clearance -> released Dec 8 09:00
     * (2361 h). Re-import clearance 141 h; return cycle (2361-1026)/24 =
     * 55.625 days; no import tax; refund -192.10 on Oct 13; return freight
     * -5.65 on Nov 1; fees 10 nights in store + 19 nights waiting (Oct 13 ->
     * Nov 1) = 29 x 5 fen. */
    struct bf_params p;
    return_rules(&p);
    const double t[] = {10.0};
    int32_t ep = D(2026, 9, 1);
    struct run r = {.old_rules = &p, .epoch = ep, .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(res.unit_states[BF_US_BACK_IN_CHINA], 1);
    bf_assert_near(res.metric[BF_M_return_rate], 1.0, 0.0);
    bf_assert_near(res.metric[BF_M_reimport_clearance_h], 141.0, 1e-9);
    bf_assert_near(res.metric[BF_M_return_cycle_d], 55.625, 1e-9);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 1300);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_REPAID], -1300);
    assert_int_equal(res.flow_total_fen[BF_FLOW_IMPORT_TAX], 0);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REFUNDS], -19210);
    assert_int_equal(res.flow_total_fen[BF_FLOW_FREIGHT_RETURN], -565);
    assert_int_equal(res.flow_total_fen[BF_FLOW_WAREHOUSE], -29 * 5);
    /* back in stock in China: resold 10 days after release (Dec 18) for
     * 60% of its cost, 67.80 */
    assert_int_equal(res.flow_total_fen[BF_FLOW_HOME_SALE], 6780);
    int32_t dec1 = D(2026, 12, 1) - ep, dec2 = D(2026, 12, 2) - ep;
    int32_t dec17 = D(2026, 12, 17) - ep, dec18 = D(2026, 12, 18) - ep;
    assert_int_equal(res.position_fen[dec2] - res.position_fen[dec1], -1300);
    assert_int_equal(res.position_fen[dec18] - res.position_fen[dec17], 6780);
    bf_assert_near(res.metric[BF_M_rebate_repaid_cny], 13.0, 1e-9);
    /* the goods returning, at cost: 100 net of the rebate from the buyer's
     * return (Oct 13) to its repayment on arrival (Dec 2), then 113 until
     * the resale (Dec 18) */
    const int64_t *ret = &res.balance_fen[BF_BAL_RETURNING * res.n_days];
    assert_int_equal(ret[D(2026, 10, 12) - ep], 0);
    assert_int_equal(ret[D(2026, 10, 13) - ep], 10000);
    assert_int_equal(ret[dec1], 10000);
    assert_int_equal(ret[dec2], 11300);
    assert_int_equal(ret[dec17], 11300);
    assert_int_equal(ret[dec18], 0);
    for (int b = 0; b < BF_BAL_COUNT; b++)
        assert_int_equal(res.balance_open_fen[b], 0);
    bf_model_result_fini(&res);
}

static void late_return_should_pay_import_taxes(void **state)
{
    (void)state;
    /* Past the tax-free window (0 months here): ordinary import, no
     * certificate, released 24 h after arrival (2244 h); taxes on the value
     * without VAT, 100: duty 10% = 10, import VAT 13% of 110 = 14.30. */
    struct bf_params p;
    return_rules(&p);
    p.returns.taxfree_months = 0;
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    bf_assert_near(res.metric[BF_M_reimport_clearance_h], 24.0, 1e-9);
    assert_int_equal(res.flow_total_fen[BF_FLOW_IMPORT_TAX], -2430);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_REPAID], -1300);
    bf_model_result_fini(&res);
}

static void return_after_the_customs_limit_should_be_disposed_of_abroad(void **state)
{
    (void)state;
    /* No customs return after 0 months: at the consolidation the unit stays
     * abroad and is liquidated (11.30 CNY); no freight, no repayment. */
    struct bf_params p;
    return_rules(&p);
    p.returns.customs_limit_months = 0;
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(res.unit_states[BF_US_DISPOSED_ABROAD], 1);
    assert_int_equal(res.unit_states[BF_US_BACK_IN_CHINA], 0);
    assert_int_equal(res.flow_total_fen[BF_FLOW_FREIGHT_RETURN], 0);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_REPAID], 0);
    assert_int_equal(res.flow_total_fen[BF_FLOW_PROCEEDS], 19210 + 1130);
    bf_model_result_fini(&res);
}

static void unpaid_rebate_of_a_returned_unit_should_be_withdrawn_not_repaid(void **state)
{
    (void)state;
    /* Processing takes 100 working days: the claim is still pending when the
     * unit arrives back (Dec 2): it is withdrawn, nothing is paid or repaid. */
    struct bf_params p;
    return_rules(&p);
    p.rebate.processing_wd = F(100.0);
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(res.unit_states[BF_US_BACK_IN_CHINA], 1);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 0);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_REPAID], 0);
    assert_int_equal(o.n_claims, 0);
    bf_model_result_fini(&res);
}

static void repayment_should_follow_the_policy(void **state)
{
    (void)state;
    struct bf_params p;
    return_rules(&p);
    p.returns.repay_rebate = 0;
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 1300);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_REPAID], 0);
    bf_model_result_fini(&res);
}

static void buyer_returns_should_be_resold_or_disposed_of_abroad(void **state)
{
    (void)state;
    /* resold at 70% of the net price: 192.10 x 0.7 = 134.47 */
    struct bf_params p;
    return_rules(&p);
    p.returns.to_china_share = 0.0;
    p.returns.resell_share = 1.0;
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(res.unit_states[BF_US_RESOLD_ABROAD], 1);
    assert_int_equal(res.flow_total_fen[BF_FLOW_PROCEEDS], 19210 + 13447);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REFUNDS], -19210);
    bf_model_result_fini(&res);
    p.returns.resell_share = 0.0;
    run(&r, &res, &o);
    assert_int_equal(res.unit_states[BF_US_DISPOSED_ABROAD], 1);
    assert_int_equal(res.flow_total_fen[BF_FLOW_PROCEEDS], 19210);
    bf_model_result_fini(&res);
}

/* ---- rebate filing ---- */

/* Departs Mon 2026-09-28 18:00: created 0:00, 4 h documents, 1 h screening,
 * no port handling, daily 18:00 departure. Returns the payment day. */
static int32_t paid_day_for(struct bf_params *p)
{
    p->port.handling_d = F(0.0);
    const double t[] = {0.0};
    int32_t ep = D(2026, 9, 28);
    struct run r = {.old_rules = p, .epoch = ep, .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    bf_assert_near(rec_of(&o, 0)->t_h[BF_MS_DEPARTED], 18.0, 1e-9);
    assert_int_equal(o.n_claims, 1);
    int32_t d = bf_cal_day_of(ep, o.claim_paid_h[0]);
    bf_model_result_fini(&res);
    return d;
}

static void rebate_should_be_paid_on_the_day_the_calendar_implies(void **state)
{
    (void)state;
    struct bf_params p;
    fixed_rules(&p, BF_CH_0110, 1.0);
    /* the example: monthly filing window on the 15th, 3 working days:
     * filed Thu Oct 15, processed Fri 16, Mon 19, Tue 20 -> Oct 20. (The
     * National Day holiday lies before the window and does not delay it.) */
    p.rebate.filing = BF_FILING_MONTHLY;
    p.rebate.filing_day = 15;
    assert_int_equal(paid_day_for(&p), D(2026, 10, 20));
    /* a window on the 1st: Oct 1 is a holiday, the window opens on the next
     * working day, Thu Oct 8; then Fri 9, Sat 10 (adjusted working day),
     * Mon 12 -> Oct 12 */
    p.rebate.filing_day = 1;
    assert_int_equal(paid_day_for(&p), D(2026, 10, 12));
    /* continuous filing on Sep 28: Tue 29, Wed 30, then Oct 1-7 off, Thu 8 */
    p.rebate.filing = BF_FILING_CONTINUOUS;
    assert_int_equal(paid_day_for(&p), D(2026, 10, 8));
    /* plus 3 working days of treasury transfer: Fri 9, Sat 10 (adjusted), Mon
     * 12 -> Oct 12; counted in calendar days it would be Sun Oct 11, a day off */
    p.rebate.treasury_wd = F(3.0);
    assert_int_equal(paid_day_for(&p), D(2026, 10, 12));
    p.rebate.treasury_wd = F(0.0);
    /* at customs closure, 2 days after departure: Wed Sep 30 18:00; filed
     * that day; Thu Oct 8, Fri 9, Sat 10 (working) -> Oct 10 */
    p.channel[BF_CH_0110].trigger = BF_TRIGGER_CLOSURE;
    p.channel[BF_CH_0110].fallback_trigger = BF_TRIGGER_CLOSURE;
    assert_int_equal(paid_day_for(&p), D(2026, 10, 10));
    /* 5 days to collect the documents from Sep 30: ready Mon Oct 5 (a holiday,
     * filing is online); 3 working days Thu 8, Fri 9, Sat 10 -> Oct 10 */
    p.rebate.doc_collection_d = F(5.0);
    assert_int_equal(paid_day_for(&p), D(2026, 10, 10));
}

static void rebate_should_not_be_paid_when_the_trigger_is_never(void **state)
{
    (void)state;
    struct bf_params p;
    fixed_rules(&p, BF_CH_0110, 3.0);
    p.channel[BF_CH_0110].trigger = BF_TRIGGER_NEVER;
    p.channel[BF_CH_0110].fallback_trigger = BF_TRIGGER_NEVER;
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 0);
    assert_int_equal(o.n_claims, 0);
    assert_true(isnan(res.metric[BF_M_days_to_rebate]));
    bf_model_result_fini(&res);
}


static void zero_rebate_rate_should_claim_nothing(void **state)
{
    (void)state;
    /* a 0% rate (PV since April 2026, docs/sources.md R4) with the rebate at
     * departure: no claim, no payment, and a returned unit repays nothing */
    struct bf_params p;
    return_rules(&p);
    p.category[0].rebate_rate = 0.0;
    const double t[] = {10.0};
    struct run r = {.old_rules = &p, .epoch = D(2026, 9, 1), .arrivals = t, .n_arrivals = 1};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(o.n_claims, 0);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 0);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_REPAID], 0);
    assert_int_equal(res.unit_states[BF_US_BACK_IN_CHINA], 1);
    bf_model_result_fini(&res);
}

/* ---- policy regimes ---- */

static void shipment_should_follow_the_rules_of_its_creation_day_or_of_each_event(void **state)
{
    (void)state;
    /* Old screening 1 h, new 10 h, new rules from Wed Sep 2 (t = 24 h).
     * Shipment A created Tue 10:00 (day 0), declared after 30 h at 40 h (day 1).
     * Shipment B created Wed 06:00 (30 h), declared at 60 h.
     *  creation rule: A old -> released 41; B new -> 70
     *  event rule:    A's declaration is on day 1 -> new -> 50; B -> 70 */
    struct bf_params old_p, new_p;
    fixed_rules(&old_p, BF_CH_0110, 1.0);
    old_p.clearance.doc_prep_h = F(30.0);
    new_p = old_p;
    new_p.clearance.screening_h = F(10.0);
    const double t[] = {10.0, 30.0};
    int32_t ep = D(2026, 9, 1);
    struct run r = {.old_rules = &old_p,
                    .new_rules = &new_p,
                    .effective_day = ep + 1,
                    .rule = BF_RULE_CREATION,
                    .epoch = ep,
                    .arrivals = t,
                    .n_arrivals = 2};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    bf_assert_near(rec_of(&o, 0)->t_h[BF_MS_RELEASED], 41.0, 1e-9);
    bf_assert_near(rec_of(&o, 1)->t_h[BF_MS_RELEASED], 70.0, 1e-9);
    assert_int_equal(rec_of(&o, 0)->regime, 0);
    assert_int_equal(rec_of(&o, 1)->regime, 1);
    bf_model_result_fini(&res);
    r.rule = BF_RULE_EVENT;
    run(&r, &res, &o);
    bf_assert_near(rec_of(&o, 0)->t_h[BF_MS_RELEASED], 50.0, 1e-9);
    bf_assert_near(rec_of(&o, 1)->t_h[BF_MS_RELEASED], 70.0, 1e-9);
    bf_model_result_fini(&res);
}

/* ---- arrivals ---- */

static int created_outside_march;

static void count_march(const struct bf_shipment_record *r, void *ctx)
{
    int *n = ctx;
    (*n)++;
    int32_t day = bf_cal_day_of(D(2026, 1, 1), r->t_h[BF_MS_CREATED]);
    int y, m, d;
    bf_date_to_ymd(day, &y, &m, &d);
    if (m != 3)
        created_outside_march++;
}

static void arrivals_should_follow_the_monthly_profile(void **state)
{
    (void)state;
    /* Only March is open: 10 a day x 31 days = 310 expected; a Poisson count
     * lies within 4 sd (4 x 17.6) of it. */
    struct bf_params p;
    fixed_rules(&p, BF_CH_0110, 1.0);
    for (int m = 0; m < 12; m++)
        p.seasonality[m] = m == 2 ? 1.0 : 0.0;
    p.shipments_per_day = 10.0;
    int n = 0;
    created_outside_march = 0;
    struct bf_model_input in = {.old_rules = &p,
                                .new_rules = &p,
                                .effective_day = INT32_MAX,
                                .cal = &cal,
                                .start_day = D(2026, 1, 1),
                                .window_day = D(2026, 1, 1),
                                .window_days = 365,
                                .tail_days = 30,
                                .seed = 3,
                                .on_shipment = count_march,
                                .on_shipment_ctx = &n};
    struct bf_model_result res;
    assert_int_equal(bf_model_run(&in, &res, NULL), 0);
    assert_int_equal(created_outside_march, 0);
    assert_true(abs(n - 310) <= 71);
    bf_model_result_fini(&res);
}


/* ---- invariants on random runs ---- */

struct inv {
    uint64_t ships;
    int order_errors;
    int in_flight; /* shipments not done when the run ended */
};

static void check_order(const struct bf_shipment_record *r, void *ctx)
{
    struct inv *v = ctx;
    v->ships++;
    /* the milestones that were reached never run backwards */
    static const enum bf_milestone chain[] = {BF_MS_CREATED,   BF_MS_DECLARED, BF_MS_RELEASED,
                                              BF_MS_DEPARTED,  BF_MS_ARRIVED,  BF_MS_RECEIVED,
                                              BF_MS_FIRST_SALE};
    double last = -1.0;
    for (size_t k = 0; k < sizeof chain / sizeof chain[0]; k++) {
        double t = r->t_h[chain[k]];
        if (isnan(t))
            break;
        if (t < last)
            v->order_errors++;
        last = t;
    }
    if (!isnan(r->t_h[BF_MS_REBATE_PAID]) && r->t_h[BF_MS_REBATE_PAID] < r->t_h[BF_MS_DEPARTED])
        v->order_errors++;
    if (!isnan(r->t_h[BF_MS_DONE]) && r->t_h[BF_MS_DONE] < last)
        v->order_errors++;
    if (isnan(r->t_h[BF_MS_DONE]))
        v->in_flight++;
}

static void random_runs_should_keep_the_invariants(void **state)
{
    (void)state;
    /* The default rules, random, for a year and a tail long enough for
     * everything to be resolved, three seeds. Every unit ends in exactly one
     * final state; the window's flows sum to its last position; no
     * milestone runs backwards; rebates repaid never exceed rebates paid;
     * and once everything is resolved every balance of working capital is
     * back to exactly 0 (each unit's stock, receivables and rebate
     * receivable booked in and out exactly once). */
    struct bf_params p;
    bf_params_default(&p);
    p.shipments_per_day = 6.0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct inv v = {0};
        struct bf_model_input in = {.old_rules = &p,
                                    .new_rules = &p,
                                    .effective_day = INT32_MAX,
                                    .cal = &cal,
                                    .start_day = D(2026, 1, 1),
                                    .window_day = D(2026, 1, 31),
                                    .window_days = 335,
                                    .tail_days = 900,
                                    .financing_rate = 0.06,
                                    .discount_rate = 0.06,
                                    .seed = seed,
                                    .on_shipment = check_order,
                                    .on_shipment_ctx = &v};
        struct bf_model_result res;
        assert_int_equal(bf_model_run(&in, &res, NULL), 0);
        uint64_t states = 0;
        for (int k = 0; k < BF_US_COUNT; k++)
            states += res.unit_states[k];
        assert_true(res.units_created > 1000);
        assert_int_equal(states, res.units_created);
        assert_int_equal(res.unit_states[BF_US_IN_FLIGHT], 0);
        assert_int_equal(v.order_errors, 0);
        assert_int_equal(v.in_flight, 0);
        assert_true(v.ships > 1500);
        int64_t inside = 0;
        for (int f = 0; f < BF_FLOW_COUNT; f++)
            inside += res.flow_window_fen[f];
        assert_int_equal(inside, res.position_fen[res.window_days - 1]);
        assert_true(-res.flow_total_fen[BF_FLOW_REBATE_REPAID] <=
                    res.flow_total_fen[BF_FLOW_REBATE_IN]);
        assert_true(res.flow_total_fen[BF_FLOW_REBATE_REPAID] < 0); /* the path was exercised */
        assert_true(res.unit_states[BF_US_BACK_IN_CHINA] > 0);
        assert_true(res.unit_states[BF_US_RESOLD_ABROAD] > 0);
        assert_true(res.unit_states[BF_US_DISPOSED_ABROAD] > 0);
        for (int b = 0; b < BF_BAL_COUNT; b++)
            assert_int_equal(res.balance_open_fen[b], 0);
        bf_model_result_fini(&res);
    }
}

struct paid_by_ship {
    double first_paid[4096];
};

static void first_paid(uint64_t serial, uint32_t n, double trig, double paid, void *ctx)
{
    (void)n;
    (void)trig;
    struct paid_by_ship *pb = ctx;
    if (serial < 4096 && (isnan(pb->first_paid[serial]) || paid < pb->first_paid[serial]))
        pb->first_paid[serial] = paid;
}

struct check_sale {
    const struct paid_by_ship *dep;
    int later, checked, missing;
    uint64_t units;
};

static void sale_not_earlier(uint64_t serial, uint32_t n, double trig, double paid, void *ctx)
{
    (void)trig;
    struct check_sale *c = ctx;
    if (serial >= 4096)
        return;
    if (isnan(c->dep->first_paid[serial]))
        c->missing++;
    else if (paid < c->dep->first_paid[serial])
        c->later++;
    c->checked++;
    c->units += n;
}

static void rebate_at_departure_should_pay_no_later_than_at_sale(void **state)
{
    (void)state;
    /* Same random numbers, rebate at departure against rebate at sale, every
     * other rule at its (random) default: every claim paid under "at sale"
     * is paid no earlier than the same shipment's rebate under "at
     * departure", which covers every unit. */
    struct bf_params dep;
    bf_params_default(&dep);
    for (int c = 0; c < BF_CH_COUNT; c++)
        dep.channel[c].share = c == BF_CH_9810 ? 1.0 : 0.0;
    dep.shipments_per_day = 5.0;
    dep.channel[BF_CH_9810].trigger = BF_TRIGGER_DEPARTURE;
    dep.channel[BF_CH_9810].fallback_trigger = BF_TRIGGER_DEPARTURE;
    struct bf_params sale = dep;
    sale.channel[BF_CH_9810].trigger = BF_TRIGGER_SALE;
    sale.channel[BF_CH_9810].fallback_trigger = BF_TRIGGER_SALE;
    static struct paid_by_ship pb;
    for (int i = 0; i < 4096; i++)
        pb.first_paid[i] = (double)NAN;
    struct bf_model_input in = {.old_rules = &dep,
                                .new_rules = &dep,
                                .effective_day = INT32_MAX,
                                .cal = &cal,
                                .start_day = D(2026, 1, 1),
                                .window_day = D(2026, 1, 1),
                                .window_days = 300,
                                .tail_days = 400,
                                .seed = 11,
                                .on_claim = first_paid,
                                .on_claim_ctx = &pb};
    struct bf_model_result a, b;
    assert_int_equal(bf_model_run(&in, &a, NULL), 0);
    struct check_sale cs = {.dep = &pb};
    in.old_rules = in.new_rules = &sale;
    in.on_claim = sale_not_earlier;
    in.on_claim_ctx = &cs;
    assert_int_equal(bf_model_run(&in, &b, NULL), 0);
    assert_true(cs.checked > 3000);
    assert_true(cs.units > 30000);
    assert_int_equal(cs.later, 0);
    assert_int_equal(cs.missing, 0);
    assert_true(a.metric[BF_M_days_to_rebate] < b.metric[BF_M_days_to_rebate]);
    /* the same shipments and sales under both rules */
    assert_int_equal(a.units_created, b.units_created);
    bf_assert_near(a.metric[BF_M_time_to_sale_d], b.metric[BF_M_time_to_sale_d], 0.0);
    bf_model_result_fini(&a);
    bf_model_result_fini(&b);
}

static void memory_should_follow_shipments_in_flight(void **state)
{
    (void)state;
    /* Twice the horizon creates twice the shipments but holds about the same
     * number in flight at once. */
    struct bf_params p;
    bf_params_default(&p);
    p.shipments_per_day = 40.0;
    uint32_t peak[2];
    uint64_t created[2];
    for (int k = 0; k < 2; k++) {
        struct bf_model_input in = {.old_rules = &p,
                                    .new_rules = &p,
                                    .effective_day = INT32_MAX,
                                    .cal = &cal,
                                    .start_day = D(2025, 1, 1),
                                    .window_day = D(2025, 1, 1),
                                    .window_days = k == 0 ? 300u : 600u,
                                    .tail_days = 10,
                                    .seed = 5};
        struct bf_model_result res;
        assert_int_equal(bf_model_run(&in, &res, NULL), 0);
        peak[k] = res.peak_shipments_in_flight + res.peak_items_in_flight;
        created[k] = res.units_created;
        bf_model_result_fini(&res);
    }
    assert_true(created[1] > created[0] * 19 / 10);
    assert_true(peak[1] < peak[0] * 12 / 10);
}


/* ---- working capital in steady state, worked out by hand ---- */

/* A calendar on which every day of 2025-2027 is a working day: every
 * Saturday and Sunday is declared an adjusted working day, nothing is off.
 * Payment days then follow the durations exactly. */
static void every_day_working(struct bf_calendar *c)
{
    bf_calendar_init(c);
    for (int y = 2025; y <= 2027; y++) {
        int32_t work[120];
        size_t n = 0;
        for (int32_t d = D(y, 1, 1); d < D(y + 1, 1, 1); d++)
            if (bf_date_weekday(d) >= 5)
                work[n++] = d;
        assert_int_equal(bf_calendar_set_year(c, y, NULL, 0, work, n, NULL), 0);
    }
}

/*
 * One shipment a day at 10:00, one unit of 0110 (cost 113 CNY, rebate 13,
 * net price 192.10), every duration fixed and every day a working day:
 * created day d, departs d+1 18:00, delivered and sold d+27 18:00, paid by
 * the buyer d+41; the rebate at departure is paid D days after departure
 * (documents D days, continuous filing, no processing, no treasury).
 * At the end of any day t of the steady state:
 *   inventory    = 113 (bought today) + 26 x 100 (net of the rebate, in
 *                  transit since d+1) = 2713
 *   receivables  = 14 days x 192.10 = 2689.40
 *   rebate rec.  = D x 13
 * The window (100 days after 60 days of warm-up) sees only steady days.
 */
static void rules_rebate_after(struct bf_params *p, double days)
{
    fixed_rules(p, BF_CH_0110, 1.0);
    p->rebate.doc_collection_d = F(days);
    p->rebate.processing_wd = F(0.0);
    p->rebate.treasury_wd = F(0.0);
}

static void steady_run(const struct bf_params *p, const struct bf_calendar *c,
                       struct bf_model_result *res)
{
    static double t[220];
    for (int i = 0; i < 220; i++)
        t[i] = 24.0 * i + 10.0;
    struct run r = {.old_rules = p,
                    .epoch = D(2026, 1, 1),
                    .arrivals = t,
                    .n_arrivals = 160,
                    .warmup = 60,
                    .days = 100,
                    .tail = 200,
                    .financing_rate = 0.0365,
                    .cal = c};
    struct obs o;
    run(&r, res, &o);
}

static void working_capital_should_be_the_pipeline_worked_out_by_hand(void **state)
{
    (void)state;
    struct bf_calendar c;
    every_day_working(&c);
    struct bf_params before, after;
    rules_rebate_after(&before, 20.0);
    rules_rebate_after(&after, 5.0);
    struct bf_model_result a, b;
    steady_run(&before, &c, &a);
    steady_run(&after, &c, &b);
    const double wc_a = 2713.0 + 2689.4 + 20 * 13.0, wc_b = 2713.0 + 2689.4 + 5 * 13.0;
    bf_assert_near(a.metric[BF_M_wc_inventory_avg_cny], 2713.0, 1e-9);
    bf_assert_near(a.metric[BF_M_wc_receivables_avg_cny], 2689.4, 1e-9);
    bf_assert_near(a.metric[BF_M_wc_rebate_receivable_avg_cny], 260.0, 1e-9);
    bf_assert_near(a.metric[BF_M_wc_avg_cny], wc_a, 1e-9);
    bf_assert_near(a.metric[BF_M_wc_peak_cny], wc_a, 1e-9); /* every day the same */
    bf_assert_near(b.metric[BF_M_wc_rebate_receivable_avg_cny], 65.0, 1e-9);
    bf_assert_near(b.metric[BF_M_wc_avg_cny], wc_b, 1e-9);
    /* capital released = daily rebate x (D1 - D2) = 13 x 15, exactly */
    bf_assert_near(a.metric[BF_M_wc_avg_cny] - b.metric[BF_M_wc_avg_cny], 195.0, 1e-9);
    /* exports: 100 units departed in the window; the cash cycle is working
     * capital over exports per day */
    bf_assert_near(a.metric[BF_M_exports_cny], 11300.0, 1e-9);
    bf_assert_near(a.metric[BF_M_cash_cycle_d], wc_a / 113.0, 1e-9);
    /* financing: 3.65% a year is 0.01% a day on the capital of 100 days */
    bf_assert_near(a.metric[BF_M_financing_cost_cny], 0.0001 * 100 * wc_a, 1e-9);
    bf_assert_near(a.metric[BF_M_financing_cost_cny] - b.metric[BF_M_financing_cost_cny],
                   0.0001 * 100 * 195.0, 1e-9);
    /* NPV at 0%: the pipeline opens and closes at the same value, so it is
     * the window's flows: 100 x (192.10 - 113 - 5.65 + 13) = 8645 */
    bf_assert_near(a.metric[BF_M_npv_cny], 8645.0, 1e-9);
    bf_assert_near(b.metric[BF_M_npv_cny], 8645.0, 1e-9);
    assert_int_equal(a.calendar_unknown + a.calendar_projected, 0);
    bf_model_result_fini(&a);
    bf_model_result_fini(&b);
    bf_calendar_fini(&c);
}

/* ---- the transition to the new rebate method ---- */

/* 9810, 4 units, 10 days to sale; before: nobody takes up refund upon
 * departure (claims at sale); after, from Tue Oct 20: everybody does.
 *  A: created Sep 1, departed Sep 2, received Sep 28, sold Thu Oct 8 18:00:
 *     claimed at that sale under both rules.
 *  B: created Sep 20 (t = 466 h), departed Mon Sep 21 18:00, received Sat
 *     Oct 17 18:00, on the shelf on Oct 20: under the event rule it takes up
 *     the new method on Oct 20 00:00 (1176 h); under the creation rule it
 *     keeps the old one and is claimed at its sale, Tue Oct 27 18:00 (1362 h).
 *  C: created Oct 25 (t = 1306 h), after the date: claimed at its departure,
 *     Mon Oct 26 18:00 (1338 h), under both rules. */
static void unclaimed_goods_should_take_up_the_new_method_on_the_effective_day(void **state)
{
    (void)state;
    struct bf_params old_p, new_p;
    fixed_rules(&old_p, BF_CH_9810, 4.0);
    old_p.channel[BF_CH_9810].trigger = BF_TRIGGER_DEPARTURE;
    old_p.channel[BF_CH_9810].trigger_adoption = 0.0;
    old_p.channel[BF_CH_9810].fallback_trigger = BF_TRIGGER_SALE;
    new_p = old_p;
    new_p.channel[BF_CH_9810].trigger_adoption = 1.0;
    const double t[] = {10.0, 466.0, 1306.0};
    int32_t ep = D(2026, 9, 1);
    struct run r = {.old_rules = &old_p,
                    .new_rules = &new_p,
                    .effective_day = D(2026, 10, 20),
                    .rule = BF_RULE_EVENT,
                    .epoch = ep,
                    .arrivals = t,
                    .n_arrivals = 3};
    struct bf_model_result res;
    struct obs o;
    for (int rule = 0; rule < 2; rule++) {
        r.rule = rule == 0 ? BF_RULE_EVENT : BF_RULE_CREATION;
        run(&r, &res, &o);
        assert_int_equal(o.n_claims, 3);
        double trig[3] = {NAN, NAN, NAN};
        for (int k = 0; k < o.n_claims; k++) {
            assert_int_equal(o.claim_units[k], 4);
            trig[o.claim_serial[k]] = o.claim_trigger_h[k];
        }
        bf_assert_near(trig[0], 906.0, 1e-9);
        bf_assert_near(trig[1], rule == 0 ? 1176.0 : 1362.0, 1e-9);
        bf_assert_near(trig[2], 1338.0, 1e-9);
        assert_int_equal(rec_of(&o, 1)->trigger,
                         rule == 0 ? BF_TRIGGER_DEPARTURE : BF_TRIGGER_SALE);
        assert_int_equal(rec_of(&o, 2)->trigger, BF_TRIGGER_DEPARTURE);
        bf_model_result_fini(&res);
    }
}

/* ---- the 30 April settlement of pre-refunds ---- */

/* 9810, 3 units, rebate upon departure, 500 days to sale and 600 of dwell:
 * pre-refunded (39 CNY) on Mon Sep 7 2026; still unsold on 30 April 2027,
 * so repaid then (REBATE_SETTLED -39) and a receivable again; sold
 * Thu 2028-02-10 18:00 (received 2026-09-28 18:00 + 500 d), claimed again
 * at that sale under the normal rule and paid 3 working days later, Tue
 * 2028-02-15 (Fri 11, Mon 14, Tue 15). */
static void unsold_pre_refunded_units_should_be_settled_on_30_april(void **state)
{
    (void)state;
    struct bf_params p;
    fixed_rules(&p, BF_CH_9810, 3.0);
    p.warehouse.time_to_sale_d = F(500.0);
    p.warehouse.max_dwell_d = 600.0;
    const double t[] = {10.0};
    int32_t ep = D(2026, 9, 1);
    struct run r = {
        .old_rules = &p, .epoch = ep, .arrivals = t, .n_arrivals = 1, .days = 30, .tail = 700};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(o.n_claims, 2);
    bf_assert_near(o.claim_paid_h[0], day_h(ep, D(2026, 9, 7), 12.0), 1e-9);
    bf_assert_near(o.claim_trigger_h[1], day_h(ep, D(2028, 2, 10), 18.0), 1e-9);
    bf_assert_near(o.claim_paid_h[1], day_h(ep, D(2028, 2, 15), 12.0), 1e-9);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_IN], 2 * 3900);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_SETTLED], -3900);
    const struct bf_shipment_record *s = rec_of(&o, 0);
    assert_int_equal(s->rebate_paid_fen, 7800);
    assert_int_equal(s->rebate_settled_fen, 3900);
    /* the rebate receivable: from departure (Sep 2) to payment (Sep 7), and
     * again from the settlement (Apr 30) to the second payment (Feb 15) */
    const int64_t *rr = &res.balance_fen[BF_BAL_REBATE_RECEIVABLE * res.n_days];
    assert_int_equal(rr[D(2026, 9, 2) - ep], 3900);
    assert_int_equal(rr[D(2026, 9, 7) - ep], 0);
    assert_int_equal(rr[D(2027, 4, 29) - ep], 0);
    assert_int_equal(rr[D(2027, 4, 30) - ep], 3900);
    assert_int_equal(rr[D(2028, 2, 14) - ep], 3900);
    assert_int_equal(rr[D(2028, 2, 15) - ep], 0);
    for (int b = 0; b < BF_BAL_COUNT; b++)
        assert_int_equal(res.balance_open_fen[b], 0);
    bf_model_result_fini(&res);
    /* sold before the deadline (10 days to sale), nothing is settled */
    p.warehouse.time_to_sale_d = F(10.0);
    run(&r, &res, &o);
    assert_int_equal(o.n_claims, 1);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_SETTLED], 0);
    bf_model_result_fini(&res);
}

/* ---- aged stock back through customs, taxed after 6 months ---- */

/* 9810, 2 units, 200 days to sale > 180 of dwell: aged Sat 2027-03-27 18:00
 * (received 2026-09-28 18:00 + 180 d), all shipped home (aged_return_share
 * 1): the monthly return leaves Thu Apr 1 12:00 and arrives 31 days later,
 * Sun May 2 12:00 -- within 12 months of export (Sep 2 2026), past 6: an
 * ordinary import, taxes 24.30 a unit (duty 10 + VAT 14.30 on the 100
 * without VAT), the pre-refund repaid on arrival, released 24 h later and
 * resold at home 10 days after (May 13) for 67.80 a unit. With
 * aged_return_share 0 the units are liquidated abroad instead. */
static void aged_stock_should_go_back_within_a_year_and_pay_taxes_after_six_months(void **state)
{
    (void)state;
    struct bf_params p;
    fixed_rules(&p, BF_CH_9810, 2.0);
    p.warehouse.time_to_sale_d = F(200.0);
    p.warehouse.aged_return_share = 1.0;
    const double t[] = {10.0};
    int32_t ep = D(2026, 9, 1);
    struct run r = {.old_rules = &p, .epoch = ep, .arrivals = t, .n_arrivals = 1, .tail = 500};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(res.unit_states[BF_US_BACK_IN_CHINA], 2);
    assert_int_equal(res.flow_total_fen[BF_FLOW_IMPORT_TAX], -2 * 2430);
    assert_int_equal(res.flow_total_fen[BF_FLOW_REBATE_REPAID], -2 * 1300);
    assert_int_equal(res.flow_total_fen[BF_FLOW_HOME_SALE], 2 * 6780);
    bf_assert_near(rec_of(&o, 0)->t_h[BF_MS_DONE], day_h(ep, D(2027, 5, 3), 12.0), 1e-9);
    /* the returning balance: 2 x 100 from Mar 27, 2 x 113 from the
     * repayment on May 2, nothing after the resale on May 13 */
    const int64_t *ret = &res.balance_fen[BF_BAL_RETURNING * res.n_days];
    assert_int_equal(ret[D(2027, 3, 26) - ep], 0);
    assert_int_equal(ret[D(2027, 3, 27) - ep], 20000);
    assert_int_equal(ret[D(2027, 5, 2) - ep], 22600);
    assert_int_equal(ret[D(2027, 5, 13) - ep], 0);
    for (int b = 0; b < BF_BAL_COUNT; b++)
        assert_int_equal(res.balance_open_fen[b], 0);
    bf_model_result_fini(&res);
    p.warehouse.aged_return_share = 0.0;
    run(&r, &res, &o);
    assert_int_equal(res.unit_states[BF_US_BACK_IN_CHINA], 0);
    assert_int_equal(res.unit_states[BF_US_DISPOSED_ABROAD], 2);
    bf_model_result_fini(&res);
}

/* ---- exactly one repayment per payment ---- */

struct repay_check {
    uint64_t ships_home, bad;
    int64_t paid, repaid, settled;
};

static void check_repayment(const struct bf_shipment_record *r, void *ctx)
{
    struct repay_check *c = ctx;
    if (isnan(r->t_h[BF_MS_DONE]) || r->units_back_in_china != r->units)
        return;
    /* every unit came home: each payment was repaid (on return, or at the
     * settlement), each claim still pending was withdrawn */
    c->ships_home++;
    if (r->rebate_repaid_fen + r->rebate_settled_fen != r->rebate_paid_fen ||
        r->rebate_repaid_fen > r->rebate_paid_fen)
        c->bad++;
    c->paid += r->rebate_paid_fen;
    c->repaid += r->rebate_repaid_fen;
    c->settled += r->rebate_settled_fen;
}

static void a_unit_that_comes_back_should_repay_its_own_rebate_exactly_once(void **state)
{
    (void)state;
    /* The default rules (random durations, take-up of refund upon departure
     * 50%, rebates at closure and at sale) where every unit sold is
     * returned and every return and aged unit is shipped home. */
    struct bf_params p;
    bf_params_default(&p);
    p.shipments_per_day = 4.0;
    for (unsigned k = 0; k < p.n_categories; k++)
        p.category[k].return_prob = 1.0;
    for (int c = 0; c < BF_CH_COUNT; c++)
        p.channel[c].return_factor = 1.0;
    p.channel[BF_CH_9610].trigger = BF_TRIGGER_SALE;
    p.channel[BF_CH_9610].fallback_trigger = BF_TRIGGER_SALE;
    p.returns.to_china_share = 1.0;
    p.returns.resell_share = 0.0;
    p.returns.customs_limit_months = 120;
    p.warehouse.aged_return_share = 1.0;
    struct repay_check rc = {0};
    struct bf_model_input in = {.old_rules = &p,
                                .new_rules = &p,
                                .effective_day = INT32_MAX,
                                .cal = &cal,
                                .start_day = D(2026, 1, 1),
                                .window_day = D(2026, 1, 1),
                                .window_days = 200,
                                .tail_days = 700,
                                .seed = 7,
                                .on_shipment = check_repayment,
                                .on_shipment_ctx = &rc};
    struct bf_model_result res;
    assert_int_equal(bf_model_run(&in, &res, NULL), 0);
    assert_true(rc.ships_home > 500);
    assert_int_equal(rc.bad, 0);
    assert_true(rc.paid > 0 && rc.repaid > 0);
    assert_int_equal(rc.repaid + rc.settled, rc.paid);
    assert_int_equal(-res.flow_total_fen[BF_FLOW_REBATE_REPAID] -
                         res.flow_total_fen[BF_FLOW_REBATE_SETTLED],
                     res.flow_total_fen[BF_FLOW_REBATE_IN]);
    for (int b = 0; b < BF_BAL_COUNT; b++)
        assert_int_equal(res.balance_open_fen[b], 0);
    bf_model_result_fini(&res);
}

/* ---- a year without a notice ---- */

/* Departs Wed 2026-12-30 18:00, filed that day, 3 working days: Thu Dec 31,
 * then 2027: with the statutory holidays projected New Year's Day (Fri Jan
 * 1) is off: Mon Jan 4, Tue Jan 5 -> Jan 5, and the lookup says the year
 * was projected; counted as weekends only it would be Fri Jan 1, Mon Jan 4
 * -> Jan 4. */
static void a_rebate_should_cross_into_a_projected_year_on_its_holidays(void **state)
{
    (void)state;
    struct bf_params p;
    fixed_rules(&p, BF_CH_0110, 1.0);
    p.port.handling_d = F(0.0);
    struct bf_calendar bare;
    bf_calendar_init(&bare);
    assert_int_equal(bf_calendar_add_cn_builtin(&bare, NULL), 0);
    const double t[] = {0.0};
    int32_t ep = D(2026, 12, 30);
    struct run r = {.old_rules = &p, .epoch = ep, .arrivals = t, .n_arrivals = 1, .days = 10};
    struct bf_model_result res;
    struct obs o;
    run(&r, &res, &o);
    assert_int_equal(bf_cal_day_of(ep, o.claim_paid_h[0]), D(2027, 1, 5));
    assert_true(res.calendar_projected > 0);
    assert_int_equal(res.calendar_unknown, 0);
    bf_model_result_fini(&res);
    r.cal = &bare;
    run(&r, &res, &o);
    assert_int_equal(bf_cal_day_of(ep, o.claim_paid_h[0]), D(2027, 1, 4));
    assert_true(res.calendar_unknown > 0);
    bf_model_result_fini(&res);
    bf_calendar_fini(&bare);
}

/* ---- a time beyond the calendar ---- */

/* One delay of the returned unit's path (return_rules, one 9810 unit
 * returned to China, rebate at departure; or `channel` for the others)
 * set to 10^12 days (or working days), past what any day number can hold:
 * the run must end with BF_ERANGE and a message naming the parameter, not
 * an assertion. Validation keeps such a value out of any scenario (its far
 * tail is far above BF_DELAY_MAX_D), so the parameters are set here
 * directly, as a draw from beyond the validated tail would give them. */
static void huge_delay(int which, struct bf_params *p, const char **param)
{
    const double huge = 1e12;
    return_rules(p);
    switch (which) {
    case 0:
        p->port.handling_d = F(huge);
        *param = "port.handling_d";
        break;
    case 1:
        p->channel[BF_CH_9810].trigger = BF_TRIGGER_CLOSURE;
        p->channel[BF_CH_9810].fallback_trigger = BF_TRIGGER_CLOSURE;
        p->rebate.closure_lag_d = F(huge);
        *param = "rebate.closure_lag_d";
        break;
    case 2:
        p->rebate.doc_collection_d = F(huge);
        *param = "rebate.doc_collection_d";
        break;
    case 3:
        p->rebate.processing_wd = F(huge);
        *param = "rebate.processing_wd";
        break;
    case 4:
        p->rebate.treasury_wd = F(huge);
        *param = "rebate.treasury_wd";
        break;
    case 5:
        p->channel[BF_CH_9810].settlement_d = F(huge);
        *param = "channels.9810.settlement_d";
        break;
    case 6: /* a direct channel: the whole delivery's settlement */
        fixed_rules(p, BF_CH_9610, 2.0);
        p->channel[BF_CH_9610].settlement_d = F(huge);
        *param = "channels.9610.settlement_d";
        break;
    case 7:
        p->warehouse.time_to_sale_d = F(huge);
        *param = "warehouse.time_to_sale_d";
        break;
    case 8:
        p->returns.port_dwell_d = F(huge);
        *param = "returns.port_dwell_d";
        break;
    case 9:
        p->returns.cert_wd = F(huge);
        *param = "returns.cert_wd";
        break;
    default:
        p->returns.home_sale_d = F(huge);
        *param = "returns.home_sale_d";
        break;
    }
}

static void a_delay_beyond_the_calendar_should_end_the_run_with_a_message(void **state)
{
    (void)state;
    for (int which = 0; which <= 10; which++) {
        struct bf_params p;
        const char *param = NULL;
        huge_delay(which, &p, &param);
        const double t[] = {10.0};
        struct bf_model_input in = {.old_rules = &p,
                                    .new_rules = &p,
                                    .effective_day = INT32_MAX,
                                    .cal = &cal,
                                    .start_day = D(2026, 9, 1),
                                    .window_day = D(2026, 9, 1),
                                    .window_days = 150,
                                    .tail_days = 300,
                                    .seed = 1,
                                    .arrivals_h = t,
                                    .n_arrivals = 1};
        struct bf_model_result res;
        struct bf_diag d;
        bf_diag_clear(&d);
        int rc = bf_model_run(&in, &res, &d);
        if (rc != BF_ERANGE)
            fail_msg("%s: rc %d (%s), expected BF_ERANGE", param, rc, bf_err_name(rc));
        if (strstr(d.msg, param) == NULL || strstr(d.msg, "the calendar can count") == NULL)
            fail_msg("%s: the message does not name it: %s", param, d.msg);
        /* nothing to free after a failure */
        assert_null(res.position_fen);
        assert_null(res.balance_fen);
    }
}

int main(void)
{
    bf_calendar_init(&cal);
    if (bf_calendar_add_cn_builtin(&cal, NULL) != 0 ||
        bf_calendar_project_cn(&cal, 2027, 2030, NULL) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipment_should_follow_its_timeline),
        cmocka_unit_test(rejected_declarations_should_go_back_for_rework),
        cmocka_unit_test(inspections_should_queue_first_come_first_served),
        cmocka_unit_test(inspection_teams_should_work_shift_hours_on_working_days),
        cmocka_unit_test(warehouse_units_should_sell_after_their_time_to_sale),
        cmocka_unit_test(unsold_units_should_age_and_be_liquidated_abroad),
        cmocka_unit_test(returned_unit_should_come_back_tax_free_and_repay_its_rebate),
        cmocka_unit_test(late_return_should_pay_import_taxes),
        cmocka_unit_test(return_after_the_customs_limit_should_be_disposed_of_abroad),
        cmocka_unit_test(unpaid_rebate_of_a_returned_unit_should_be_withdrawn_not_repaid),
        cmocka_unit_test(repayment_should_follow_the_policy),
        cmocka_unit_test(buyer_returns_should_be_resold_or_disposed_of_abroad),
        cmocka_unit_test(rebate_should_be_paid_on_the_day_the_calendar_implies),
        cmocka_unit_test(rebate_should_not_be_paid_when_the_trigger_is_never),
        cmocka_unit_test(zero_rebate_rate_should_claim_nothing),
        cmocka_unit_test(shipment_should_follow_the_rules_of_its_creation_day_or_of_each_event),
        cmocka_unit_test(arrivals_should_follow_the_monthly_profile),
        cmocka_unit_test(random_runs_should_keep_the_invariants),
        cmocka_unit_test(rebate_at_departure_should_pay_no_later_than_at_sale),
        cmocka_unit_test(memory_should_follow_shipments_in_flight),
        cmocka_unit_test(working_capital_should_be_the_pipeline_worked_out_by_hand),
        cmocka_unit_test(unclaimed_goods_should_take_up_the_new_method_on_the_effective_day),
        cmocka_unit_test(unsold_pre_refunded_units_should_be_settled_on_30_april),
        cmocka_unit_test(aged_stock_should_go_back_within_a_year_and_pay_taxes_after_six_months),
        cmocka_unit_test(a_unit_that_comes_back_should_repay_its_own_rebate_exactly_once),
        cmocka_unit_test(a_rebate_should_cross_into_a_projected_year_on_its_holidays),
        cmocka_unit_test(a_delay_beyond_the_calendar_should_end_the_run_with_a_message),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    bf_calendar_fini(&cal);
    return rc;
}
