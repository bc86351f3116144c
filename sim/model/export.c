/*
 * export.c - arrivals, export clearance with its inspection queue, port
 * dwell, departure and transit.
 */
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

/* ---- arrivals: Poisson with a monthly rate (seasonality) ---- */

/* Next arrival after t_h by inversion of the cumulative rate: one Exp(1)
 * draw per arrival whatever the months crossed, so the arrival stream is
 * the same under every policy (common random numbers). Returns +inf past
 * the window's end, when creation stops. */
double bf__next_arrival(struct sim *s, double t_h)
{
    if (s->in->arrivals_h != NULL) {
        if (s->next_planned >= s->in->n_arrivals)
            return (double)INFINITY;
        double t = s->in->arrivals_h[s->next_planned++];
        BF_ASSERT(t >= t_h);
        return t;
    }
    const struct bf_params *p = s->in->old_rules; /* arrivals are city-level */
    double e = -log1p(-gsl_rng_uniform(bf_streams_get(&s->rng, P_ARRIVALS)));
    double t = t_h;
    struct arrival_month *am = &s->amonth;
    while (t < s->window_end_h) {
        /* the month containing t, its end and rate: computed once a month */
        if (!(t >= am->from_h && t < am->to_h)) {
            int32_t day = day_of(s, t);
            int y, m, d;
            bf_date_to_ymd(day, &y, &m, &d);
            int32_t next_month = bf_date_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
            am->from_h = time_of(s, bf_date_from_ymd(y, m, 1), 0.0);
            am->to_h = time_of(s, next_month, 0.0);
            am->rate_per_h = p->shipments_per_day * p->seasonality[m - 1] / 24.0;
        }
        double month_end = am->to_h < s->window_end_h ? am->to_h : s->window_end_h;
        double hazard = am->rate_per_h * (month_end - t);
        if (am->rate_per_h > 0.0 && e <= hazard)
            return t + e / am->rate_per_h;
        e -= hazard;
        t = month_end;
    }
    return (double)INFINITY;
}

static unsigned pick(const double *cum, unsigned n, double u)
{
    for (unsigned i = 0; i < n; i++)
        if (u < cum[i])
            return i;
    /* u below 1 always lands above; rounding can leave the last weight */
    for (unsigned i = n; i-- > 0;)
        if (i == 0 || cum[i] > cum[i - 1])
            return i;
    return 0;
}

int bf__on_arrival(struct bf_engine *e, uint32_t entity, void *ctx)
{
    (void)entity;
    struct sim *s = ctx;
    const double now = e->now_h;
    const int32_t day = day_of(s, now);
    const int regime = regime_at(s, now);
    const struct bf_params *p = rules(s, regime);

    uint32_t i;
    int rc = bf_pool_alloc(&s->ships, &i);
    if (rc != 0)
        return rc;
    struct ship *sh = ship_at(s, i);
    sh->serial = s->n_created++;
    sh->unit_seed = eseed(s, P_UNITS, sh->serial, 0);
    sh->regime = (uint8_t)regime;
    sh->claim = NO_REF;
    sh->open_claim = NO_REF;
    sh->memo_ready_day = INT32_MIN;
    for (int k = 0; k < BF_MS_COUNT; k++)
        sh->t[k] = (double)NAN;
    sh->t[BF_MS_CREATED] = now;
    sh->counted = in_window(s, day);

    /* Attributes, in a fixed order on the shipment's own stream. */
    gsl_rng *r = erng(s, P_ATTR, sh->serial, 0);
    double u_ch = gsl_rng_uniform(r), u_cat = gsl_rng_uniform(r), u_lane = gsl_rng_uniform(r);
    sh->u_adopt = (float)gsl_rng_uniform(r);
    double u_units = gsl_rng_uniform(r), u_cost = gsl_rng_uniform(r);
    sh->channel = (uint8_t)pick(s->ch_cum[regime], BF_CH_COUNT, u_ch);
    sh->category = (uint8_t)pick(s->cat_cum[regime], p->n_categories, u_cat);
    sh->lane = (uint8_t)pick(s->lane_cum[regime][sh->channel], p->n_lanes, u_lane);
    const struct bf_channel_params *ch = &p->channel[sh->channel];
    const struct bf_category *cat = &p->category[sh->category];
    /* inverse transform keeps sizes and costs coupled across policies */
    double units = floor(bf_dist_quantile(&ch->units, u_units) + 0.5);
    if (units < 1.0)
        units = 1.0;
    if (units > BF_MAX_UNITS_PER_SHIP) {
        bf_diag_set(s->diag,
                    "a shipment drew %.0f units; at most %d per shipment are allowed "
                    "(channels.%s.units)",
                    units, BF_MAX_UNITS_PER_SHIP, bf_channel_code((enum bf_channel)sh->channel));
        return BF_ELIMIT;
    }
    sh->n_units = (uint32_t)units;
    sh->open_units = sh->n_units;
    sh->pc_to = sh->n_units;
    s->out->units_created += sh->n_units;
    double cost = bf_dist_quantile(&cat->unit_cost_cny, u_cost);
    sh->unit_cost_fen = llround(cost * 100.0);
    sh->unit_net_fen = llround(cost * 100.0 * cat->price_multiple * (1.0 - ch->platform_fee));
    sh->unit_freight_fen = llround(cost * 100.0 * p->lane[sh->lane].freight_rate);
    if (sh->counted) {
        s->ships_counted += 1.0;
        s->units_counted += (double)sh->n_units;
        bk_add(s, sh, BF_BK_shipments, 1.0, 1.0);
        /* the first measured 9810 shipments from sample_from_day on are the
         * timeline samples (the batch passes the city's effective day, so the
         * samples of the before and after runs are the same shipments and
         * the after run's follow its new rules) */
        if (sh->channel == BF_CH_9810 && day >= s->in->sample_from_day &&
            s->out->n_samples < s->in->n_samples)
            sh->sample_slot = (uint8_t)++s->out->n_samples;
    }
    /* paid for when the order is ready; in stock at cost from today */
    int64_t goods = fen_mul(s, sh->unit_cost_fen, sh->n_units);
    bf_ledger_book(&s->ledger, day, BF_FLOW_GOODS, -goods);
    balance(s, BF_BAL_INVENTORY, day, goods);

    r = erng(s, P_DOCS, sh->serial, 0);
    sh->doc_prep_h = bf_dist_sample(&p->clearance.doc_prep_h, r);
    if ((rc = bf_engine_in(e, sh->doc_prep_h, EV_DECLARE, i, NULL)) != 0)
        return rc;

    double next = bf__next_arrival(s, now);
    if (next < s->window_end_h)
        return bf_engine_at(e, next, EV_ARRIVAL, 0, NULL);
    return 0;
}

/* Clearance times scale with the city class and the policy. */
static double clr_factor(const struct bf_params *p)
{
    return p->clearance.multiplier * p->clearance.policy_factor;
}

int bf__on_declare(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, e->now_h);
    if (isnan(sh->t[BF_MS_DECLARED]))
        sh->t[BF_MS_DECLARED] = e->now_h;
    gsl_rng *r = erng(s, P_DOCS, sh->serial, 1u + sh->attempts);
    double u_err = gsl_rng_uniform(r);
    double rework = bf_dist_sample(&p->clearance.rework_h, r);
    if (sh->attempts + 1 < BF_MAX_ATTEMPTS && u_err < p->clearance.doc_error_prob) {
        sh->attempts++;
        sh->rework_h += rework;
        return bf_engine_in(e, rework, EV_DECLARE, i, NULL);
    }
    r = erng(s, P_SCREEN, sh->serial, 0);
    sh->screen_h = bf_dist_sample(&p->clearance.screening_h, r) * clr_factor(p);
    return bf_engine_in(e, sh->screen_h, EV_SCREENED, i, NULL);
}

/* Customs release: port handling, then the lane's next departure. */
static int release(struct sim *s, uint32_t i)
{
    const double now = s->eng.now_h;
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, now);
    sh->t[BF_MS_RELEASED] = now;
    gsl_rng *r = erng(s, P_PORT, sh->serial, 0);
    double handling_d =
        bf_dist_sample(&p->port.handling_d, r) * p->port.multiplier * p->port.policy_factor;
    const double ready_h = now + 24.0 * handling_d;
    if (!time_ok(ready_h))
        return bf__time_beyond(s, ready_h, false, "port.handling_d");
    int flags = 0;
    double dep =
        bf_periodic_next(&p->lane[sh->lane].departures, s->epoch_day, s->in->cal, ready_h, &flags);
    bf__note_cal(s, flags, day_of(s, now));
    return bf_engine_at(&s->eng, dep, EV_DEPART, i, NULL);
}

int bf__on_screened(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, e->now_h);
    gsl_rng *r = erng(s, P_INSPECT, sh->serial, 0);
    double u = gsl_rng_uniform(r);
    double work = bf_dist_sample(&p->clearance.inspect_h, r) * clr_factor(p);
    if (!(u < p->clearance.inspect_prob))
        return release(s, i);
    sh->inspected = 1;
    sh->insp_h = work;
    bool granted;
    int rc = bf_resource_acquire(&s->teams, e->now_h, i, &granted);
    if (rc != 0 || !granted)
        return rc;
    return bf_engine_in(e, work, EV_INSPECTED, i, NULL);
}

/* A team starts on a waiting shipment. */
static int start_waiter(struct sim *s, uint32_t w, double waited_h)
{
    struct ship *ws = ship_at(s, w);
    ws->insp_wait_h = waited_h;
    return bf_engine_in(&s->eng, ws->insp_h, EV_INSPECTED, w, NULL);
}

int bf__on_inspected(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    uint32_t next;
    double waited;
    if (bf_resource_release(&s->teams, e->now_h, &next, &waited)) {
        int rc = start_waiter(s, next, waited);
        if (rc != 0)
            return rc;
    }
    return release(s, i);
}

/* ---- inspection team shifts ---- */

static uint32_t team_capacity(struct sim *s, double t_h)
{
    const struct bf_params *p = rules(s, regime_at(s, t_h));
    if (!p->clearance.teams_follow_calendar)
        return p->clearance.inspection_teams;
    int32_t day = day_of(s, t_h);
    bool working;
    bf__note_cal(s, bf_cal_is_working_day(s->in->cal, day, &working), day);
    double hour = t_h - time_of(s, day, 0.0);
    if (working && hour >= p->clearance.shift_start_h && hour < p->clearance.shift_end_h)
        return p->clearance.inspection_teams;
    return 0;
}

/* Schedules the next moment the team capacity may change: a shift start or
 * end of either regime, or the policy's effective time. */
int bf__schedule_shift(struct sim *s)
{
    const double now = s->eng.now_h;
    double next = (double)INFINITY;
    if (s->effective_h > now)
        next = s->effective_h;
    int32_t day = day_of(s, now);
    for (int r = 0; r < 2; r++) {
        const struct bf_params *p = rules(s, r);
        if (!p->clearance.teams_follow_calendar)
            continue;
        for (int32_t d = day; d <= day + 1; d++) {
            double a = time_of(s, d, p->clearance.shift_start_h);
            double b = time_of(s, d, p->clearance.shift_end_h);
            if (a > now && a < next)
                next = a;
            if (b > now && b < next)
                next = b;
        }
    }
    if (next >= s->end_h)
        return 0;
    return bf_engine_at(&s->eng, next, EV_SHIFT, 0, NULL);
}

int bf__on_shift(struct bf_engine *e, uint32_t entity, void *ctx)
{
    (void)entity;
    struct sim *s = ctx;
    bf_resource_set_capacity(&s->teams, e->now_h, team_capacity(s, e->now_h));
    uint32_t w;
    double waited;
    while (bf_resource_grant_next(&s->teams, e->now_h, &w, &waited)) {
        int rc = start_waiter(s, w, waited);
        if (rc != 0)
            return rc;
    }
    return bf__schedule_shift(s);
}

/* ---- departure and transit ---- */

int bf__on_depart(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    struct ship *sh = ship_at(s, i);
    const double now = e->now_h;
    const struct bf_params *p = ship_rules(s, sh, now);
    sh->t[BF_MS_DEPARTED] = now;
    int32_t day = day_of(s, now);
    bf_ledger_book(&s->ledger, day, BF_FLOW_FREIGHT_OUT,
                   fen_mul(s, -sh->unit_freight_fen, sh->n_units));
    if (in_window(s, day)) {
        double v = (double)sh->unit_cost_fen * sh->n_units;
        s->exports_fen += v;
        bk_add(s, sh, BF_BK_exports_cny, v / 100.0, 1.0);
    }
    if (sh->counted) {
        double clearance = sh->t[BF_MS_RELEASED] - sh->t[BF_MS_DECLARED];
        double dwell_d = (now - sh->t[BF_MS_RELEASED]) / 24.0;
        acc_add(&s->clearance, clearance, 1.0);
        if (sh->inspected)
            acc_add(&s->insp_wait, sh->insp_wait_h, 1.0);
        acc_add(&s->port_dwell, dwell_d, 1.0);
        acc_add(&s->trs[0], sh->doc_prep_h, 1.0);
        acc_add(&s->trs[1], sh->rework_h, 1.0);
        acc_add(&s->trs[2], sh->screen_h, 1.0);
        acc_add(&s->trs[3], sh->inspected ? sh->insp_wait_h : 0.0, 1.0);
        acc_add(&s->trs[4], sh->inspected ? sh->insp_h : 0.0, 1.0);
        acc_add(&s->trs[5], now - sh->t[BF_MS_RELEASED], 1.0);
        bk_add(s, sh, BF_BK_export_clearance_h, clearance, 1.0);
        bk_add(s, sh, BF_BK_port_dwell_d, dwell_d, 1.0);
    }
    /* The rebate: its amount and trigger are those of the rules in force
     * when the goods leave China (the export is what earns it). From here on
     * an eligible unit's rebate is a receivable, no longer part of the
     * cost of its stock. */
    const struct bf_category *cat = &p->category[sh->category];
    sh->trigger = (uint8_t)ship_trigger(s, sh, now);
    sh->unit_rebate_fen =
        llround((double)sh->unit_cost_fen / (1.0 + p->rebate.vat_rate) * cat->rebate_rate);
    sh->eligible = sh->trigger != BF_TRIGGER_NEVER && sh->unit_rebate_fen > 0;
    int rc;
    if (sh->eligible) {
        int64_t rebate = fen_mul(s, sh->unit_rebate_fen, sh->n_units);
        balance(s, BF_BAL_INVENTORY, day, -rebate);
        balance(s, BF_BAL_REBATE_RECEIVABLE, day, rebate);
        if (sh->trigger == BF_TRIGGER_DEPARTURE || sh->trigger == BF_TRIGGER_CLOSURE) {
            double trigger_h = now;
            if (sh->trigger == BF_TRIGGER_CLOSURE) {
                gsl_rng *r = erng(s, P_REBATE, sh->serial, 1);
                trigger_h += 24.0 * bf_dist_sample(&p->rebate.closure_lag_d, r);
                if (!time_ok(trigger_h))
                    return bf__time_beyond(s, trigger_h, false, "rebate.closure_lag_d");
            }
            uint32_t c, g;
            if ((rc = bf__claim_create(s, i, sh->n_units, trigger_h, true, &c, &g)) != 0)
                return rc;
            sh = ship_at(s, i);
        }
    }
    gsl_rng *r = erng(s, P_TRANSIT, sh->serial, 0);
    double transit_d = bf_dist_sample(&p->lane[sh->lane].transit_d, r);
    sh->dest_d = bf_dist_sample(&p->lane[sh->lane].dest_d, r);
    return bf_engine_in(e, 24.0 * transit_d, EV_ARRIVE_ABROAD, i, NULL);
}

int bf__on_arrive_abroad(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    struct ship *sh = ship_at(s, i);
    sh->t[BF_MS_ARRIVED] = e->now_h;
    return bf_engine_in(e, 24.0 * sh->dest_d, EV_RECEIVED, i, NULL);
}
