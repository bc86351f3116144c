/*
 * sales.c - warehouse receipt, unit sales, aged stock, delivery to buyers,
 * buyer returns.
 */
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

/*
 * The uniforms of a lot's times to sale, sorted ascending into the run's
 * scratch (valid until the next call): the times are their quantiles, so
 * sorting the uniforms sorts the times -- the same sequence as sorting the
 * times, as the quantile is monotone -- and uniforms can be sorted in
 * linear time: counted into n buckets of equal width (a uniform sample
 * fills them evenly), scattered, and finished by an insertion sort that
 * only moves values within their bucket. By hand because neither libc nor
 * GSL sorts in linear time: qsort's comparisons through a function pointer
 * were 4% of a study's time, a radix sort of the times 5%.
 */
static const double *sorted_uniforms(struct sim *s, uint64_t x, uint32_t n)
{
    if (n > s->sort_cap) {
        size_t bytes = (size_t)n * 2 * sizeof(double) + ((size_t)n + 1) * sizeof(uint32_t);
        void *t = bf__realloc(s->sort_tmp, bytes);
        if (t == NULL)
            return NULL;
        s->sort_tmp = t;
        s->sort_cap = n;
    }
    double *u = s->sort_tmp, *out = u + n;
    uint32_t *count = (uint32_t *)(out + n);
    memset(count, 0, ((size_t)n + 1) * sizeof *count);
    for (uint32_t k = 0; k < n; k++) {
        u[k] = bf_rng_entity_u(x, k);
        uint32_t b = (uint32_t)(u[k] * n);
        count[(b < n ? b : n - 1) + 1]++;
    }
    for (uint32_t b = 0; b < n; b++)
        count[b + 1] += count[b];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t b = (uint32_t)(u[k] * n);
        out[count[b < n ? b : n - 1]++] = u[k];
    }
    for (uint32_t i = 1; i < n; i++) {
        double v = out[i];
        uint32_t j = i;
        for (; j > 0 && out[j - 1] > v; j--)
            out[j] = out[j - 1];
        out[j] = v;
    }
    return out;
}

/*
 * n units of the shipment leave its stock at t_h (on day), sold to buyers: their
 * cost leaves the inventory and their net price is a receivable until the
 * platform (or the buyer) pays it, after the channel's settlement lag.
 * 0, or BF_ERANGE for a lag beyond the calendar (nothing is booked then).
 */
static int book_sale(struct sim *s, const struct ship *sh, uint32_t slot, uint32_t n, int32_t day,
                     double t_h)
{
    const int regime = ship_regime(s, sh, t_h);
    double u = unit_u(sh, slot, UD_SETTLE);
    double lag_d = bf_qtable_eval(s->settle_q[regime][sh->channel], u);
    const double paid_h = t_h + 24.0 * lag_d;
    if (!time_ok(paid_h))
        return bf__time_beyond(s, paid_h, false, "channels.%s.settlement_d",
                               bf_channel_code((enum bf_channel)sh->channel));
    const int32_t paid = day_of(s, paid_h);
    int64_t amount = fen_mul(s, sh->unit_net_fen, n);
    bf_ledger_book(&s->ledger, paid, BF_FLOW_PROCEEDS, amount);
    balance(s, BF_BAL_RECEIVABLES, day, amount);
    balance(s, BF_BAL_RECEIVABLES, paid, -amount);
    balance(s, BF_BAL_INVENTORY, day, -fen_mul(s, unit_net_cost(sh), n));
    return 0;
}

/*
 * A unit of shipment i the buyer returns at t_h (rules p) that stays abroad
 * (u_disp at or above the share shipped home): the refund, then resold at a
 * discount or disposed of, a final state. The unit is already sold, its
 * rebate stays earned.
 */
static void return_abroad(struct sim *s, uint32_t i, const struct bf_params *p, double u_disp,
                          double t_h)
{
    const struct ship *sh = ship_at(s, i);
    const int32_t day = day_of(s, t_h);
    bf_ledger_book(&s->ledger, day, BF_FLOW_REFUNDS, -sh->unit_net_fen);
    if (u_disp < p->returns.to_china_share + p->returns.resell_share) {
        bf_ledger_book(&s->ledger, day, BF_FLOW_PROCEEDS,
                       llround((double)sh->unit_net_fen * p->returns.resell_value));
        bf__unit_final_at(s, i, BF_US_RESOLD_ABROAD, t_h);
    } else {
        bf__unit_final_at(s, i, BF_US_DISPOSED_ABROAD, t_h);
    }
}

/*
 * Unit k of shipment i, sold at t_h under regime r, comes back: when, and
 * what becomes of it. A return that stays abroad is booked now (below); one
 * to China, or after the run's end, is an item and an event.
 */
static int buyer_return(struct sim *s, uint32_t i, uint32_t k, int r, uint8_t rb, uint32_t claim,
                        uint32_t claim_gen, double t_h)
{
    const struct ship *sh = ship_at(s, i);
    /* the lag, truncated at the return window by inverse transform */
    double u_lag = unit_u(sh, k, UD_LAG), u_disp = unit_u(sh, k, UD_DISP);
    double lag_d = bf_qtable_eval(s->lag_q[r], u_lag * s->lag_umax[r]);
    const double returned_h = t_h + 24.0 * lag_d;
    /* A return the buyer makes before the run's end that stays abroad
     * touches nothing but the ledger and the shipment's count of open units:
     * it is booked now, on its own date, with the rules of its own day,
     * without an event. Nine returns in ten, by default. */
    if (returned_h < s->end_h) {
        const struct bf_params *pr = ship_rules(s, sh, returned_h);
        if (!(u_disp < pr->returns.to_china_share)) {
            return_abroad(s, i, pr, u_disp, returned_h);
            return 0;
        }
    }
    uint32_t j;
    int rc = bf__item_new(s, i, k, rb, claim, claim_gen, &j);
    if (rc != 0)
        return rc;
    struct item *it = item_at(s, j);
    it->u_disp = u_disp;
    it->returned_h = returned_h;
    return bf_engine_at(&s->eng, it->returned_h, EV_BUYER_RETURN, j, NULL);
}

/*
 * Units k0 .. k0 + n - 1 of shipment i are sold to buyers at t_h (a direct
 * delivery, or a sale from the warehouse); rb/claim/claim_gen say where
 * their rebate stands. Each is kept by its buyer (a final state) or comes
 * back. The units kept reach their final state together, last: that may
 * free the shipment.
 */
static int sell_units(struct sim *s, uint32_t i, uint32_t k0, uint32_t n, uint8_t rb,
                      uint32_t claim, uint32_t claim_gen, double t_h)
{
    struct ship *sh = ship_at(s, i);
    const int r = ship_regime(s, sh, t_h);
    const struct bf_params *p = rules(s, r);
    const double p_return =
        p->category[sh->category].return_prob * p->channel[sh->channel].return_factor;
    if (isnan(sh->t[BF_MS_FIRST_SALE]))
        sh->t[BF_MS_FIRST_SALE] = t_h;
    const bool counted = sh->counted;
    const unsigned channel = sh->channel, lane_slot = BF_CH_COUNT + sh->lane;
    uint32_t returned = 0;
    int rc = 0;
    /* a unit returned is still open until its return is booked, so the
     * shipment lives through the loop */
    for (uint32_t k = k0; k < k0 + n && rc == 0; k++)
        if (unit_u(ship_at(s, i), k, UD_RETURN) < p_return) {
            returned++;
            rc = buyer_return(s, i, k, r, rb, claim, claim_gen, t_h);
        }
    if (rc != 0)
        return rc;
    if (counted) {
        s->units_sold += n;
        s->bk[channel].sold += n;
        s->bk[lane_slot].sold += n;
        s->units_returned += returned;
        s->bk[channel].returned += returned;
        s->bk[lane_slot].returned += returned;
    }
    if (returned < n)
        bf__units_final_at(s, i, BF_US_SOLD, n - returned, t_h);
    return 0;
}

/* Direct channels: the whole shipment is delivered and sold to its buyer. */
static int deliver(struct sim *s, uint32_t i)
{
    const double now = s->eng.now_h;
    struct ship *sh = ship_at(s, i);
    const uint32_t n = sh->n_units;
    int rc = book_sale(s, sh, 0, n, day_of(s, now), now);
    if (rc != 0)
        return rc;
    /* one rule for the whole shipment: its units are sold together */
    uint8_t rb = bf__unit_rb(sh, 0);
    uint32_t claim = NO_REF, gen = 0;
    if (rb == RB_NONE && sh->eligible && sh->trigger == BF_TRIGGER_SALE) {
        rc = bf__claim_create(s, i, n, now, false, &claim, &gen);
        rb = RB_SALE;
    }
    /* may free the shipment: nothing touches it afterwards */
    return rc != 0 ? rc : sell_units(s, i, 0, n, rb, claim, gen, now);
}

static int lot_run(struct sim *s, uint32_t i, double now);

int bf__on_received(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    struct ship *sh = ship_at(s, i);
    const double now = e->now_h;
    sh->t[BF_MS_RECEIVED] = now;
    if (sh->channel != BF_CH_9810)
        return deliver(s, i);

    const struct bf_params *p = ship_rules(s, sh, now);
    if (sh->counted) {
        double d = (now - sh->t[BF_MS_CREATED]) / 24.0;
        acc_add(&s->door_wh, d, 1.0);
        bk_add(s, sh, BF_BK_door_to_warehouse_d, d, 1.0);
    }
    sh->sale_d = bf__malloc((size_t)sh->n_units * sizeof *sh->sale_d);
    if (sh->sale_d == NULL)
        return BF_ENOMEM;
    /* Units are handled in order of their time to sale; the order does not
     * depend on the policy, so the unit index after sorting keys each
     * unit's later draws. Unsold after the dwell limit of the rules in force
     * at receipt, a unit is aged stock. */
    const struct bf_qtable *tts = s->tts_q[ship_regime(s, sh, now)];
    const double *u = sorted_uniforms(s, eseed(s, P_SALES, sh->serial, 0), sh->n_units);
    if (u == NULL)
        return BF_ENOMEM;
    for (uint32_t k = 0; k < sh->n_units; k++) {
        /* kept as a float (half the memory of a lot): in range once checked */
        const double d = bf_qtable_eval(tts, u[k]);
        if (!time_ok(now + 24.0 * d))
            return bf__time_beyond(s, now + 24.0 * d, false, "warehouse.time_to_sale_d");
        sh->sale_d[k] = (float)d;
    }
    sh->next_unit = 0;
    sh->aged_h = now + 24.0 * p->warehouse.max_dwell_d;
    return lot_run(s, i, now);
}

/*
 * How far ahead a lot's sales may be handled: until the next moment another
 * rule could change what a sale means for the rebate -- the effective date
 * when the shipment would take up the new method then (rebate.c,
 * bf__on_transition), the 30 April settlement of its pre-refund -- and not
 * past the end of the run.
 */
static double lot_barrier(const struct sim *s, const struct ship *sh, double now)
{
    double b = s->end_h;
    if (s->in->rule == BF_RULE_EVENT && s->in->new_rules != s->in->old_rules &&
        s->effective_h > now && sh->eligible && sh->trigger == BF_TRIGGER_SALE &&
        sh->pc_state == PC_NONE && s->effective_h < b)
        b = s->effective_h;
    if (sh->pc_state != PC_NONE && sh->channel == BF_CH_9810) {
        double paid_h = sh->pc_state == PC_PAID
                            ? sh->pc_paid_h
                            : ((const struct claim *)bf_pool_at(&s->claims, sh->claim))->paid_h;
        double d = bf__settlement_h(s, day_of(s, paid_h));
        if (d > now && d < b)
            b = d;
    }
    return b;
}

/* Fates of aged units, decided when they age. */
static bool aged_to_china(struct sim *s, const struct ship *sh, const struct bf_params *p,
                          uint32_t k, int32_t day)
{
    double u_disp = unit_u(sh, k, UD_DISP);
    /* aged stock may go back through customs within the limit (1 year) of
     * export, tax-free only within 6 months (decided on arrival) */
    return u_disp < p->warehouse.aged_return_share &&
           bf__within_months(s, day_of(s, sh->t[BF_MS_DEPARTED]), day,
                             p->returns.customs_limit_months);
}

/*
 * One unit of a lot leaves the shelf at t_h: sold (aged = false), or aged
 * stock liquidated abroad or shipped home. Its fee, its sale, its rebate
 * claim when it is claimed at sale. May free the shipment when it is the
 * last unit.
 */
static int lot_unit(struct sim *s, uint32_t i, uint32_t k, bool aged, float sale_d, double t_h)
{
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, t_h);
    const int32_t day = day_of(s, t_h);
    const int64_t fee = s->fee_fen[ship_regime(s, sh, t_h)];
    if (fee != 0)
        bf_ledger_fee(&s->ledger, day_of(s, sh->t[BF_MS_RECEIVED]), day, fee);
    const bool home = aged && aged_to_china(s, sh, p, k, day);
    uint8_t rb = bf__unit_rb(sh, k);
    uint32_t claim = NO_REF, gen = 0;
    int rc;
    if (rb == RB_NONE && sh->eligible && !home) {
        /* sold, or liquidated abroad (a sale, for the rebate): claimed now */
        if ((rc = bf__claim_create(s, i, 1, t_h, false, &claim, &gen)) != 0)
            return rc;
        rb = RB_SALE;
        sh = ship_at(s, i);
    }
    if (!aged) {
        if (sh->counted) {
            acc_add(&s->tts, (double)sale_d, 1.0);
            bk_add(s, sh, BF_BK_time_to_sale_d, (double)sale_d, 1.0);
        }
        if ((rc = book_sale(s, sh, k, 1, day, t_h)) != 0)
            return rc;
        return sell_units(s, i, k, 1, rb, claim, gen, t_h);
    }
    balance(s, BF_BAL_INVENTORY, day, -unit_net_cost(sh));
    if (!home) {
        bf_ledger_book(&s->ledger, day, BF_FLOW_PROCEEDS,
                       llround((double)sh->unit_cost_fen * p->warehouse.liquidation_value));
        bf__unit_final_at(s, i, BF_US_DISPOSED_ABROAD, t_h);
        return 0;
    }
    /* aged stock shipped back to China: from the warehouse's stock to the
     * goods returning; a rebate not yet claimed is lost */
    uint32_t j;
    if ((rc = bf__item_new(s, i, k, rb, NO_REF, 0, &j)) != 0)
        return rc;
    struct item *it = item_at(s, j);
    it->aged = 1;
    it->returned_h = t_h;
    it->value_fen = unit_net_cost(sh);
    balance(s, BF_BAL_RETURNING, day, it->value_fen);
    if (rb == RB_NONE && sh->eligible)
        bf__rebate_unit_lost(s, sh, it);
    return bf__queue_for_china(s, j);
}

/*
 * A lot's units from next_unit on, in the order they leave the shelf: the
 * ones due by now, then, ahead of their time, those sold before the lot's
 * barrier (lot_barrier): their flows and balances are booked on their own
 * dates, their buyer returns and claims scheduled at their own times, so a
 * lot needs no event per unit. Aged stock waits for its day (it joins a
 * return queue then). An event at the next unit's time carries on.
 */
static int lot_run(struct sim *s, uint32_t i, double now)
{
    struct ship *sh = ship_at(s, i);
    const double received_h = sh->t[BF_MS_RECEIVED], aged_h = sh->aged_h;
    const double barrier = lot_barrier(s, sh, now);
    const uint32_t n = sh->n_units;
    float *times = sh->sale_d;
    uint32_t k = sh->next_unit;
    int rc = 0;
    while (k < n) {
        const double sale_h = received_h + 24.0 * (double)times[k];
        const bool aged = sale_h > aged_h;
        const double t = aged ? aged_h : sale_h;
        if (t > now && (aged || !(t < barrier)))
            break;
        const bool last = k + 1 == n;
        sh->next_unit = k + 1;
        if (last)
            sh->sale_d = NULL; /* freed below; the last unit may free the shipment */
        rc = lot_unit(s, i, k, aged, times[k], t);
        k++;
        if (rc != 0 || last)
            break;
        sh = ship_at(s, i);
    }
    if (k == n) {
        bf__free(times);
        return rc;
    }
    if (rc != 0)
        return rc;
    const double sale_h = received_h + 24.0 * (double)times[k];
    return bf_engine_at(&s->eng, sale_h > aged_h ? aged_h : sale_h, EV_LOT, i, NULL);
}

int bf__on_lot(struct bf_engine *e, uint32_t i, void *ctx)
{
    return lot_run(ctx, i, e->now_h);
}

int bf__on_buyer_return(struct bf_engine *e, uint32_t j, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    const int32_t today = day_of(s, now);
    struct item *it = item_at(s, j);
    BF_ASSERT(bf_pool_live(&s->ships, it->ship) &&
              bf_pool_gen(&s->ships, it->ship) == it->ship_gen);
    const struct ship *sh = ship_at(s, it->ship);
    const struct bf_params *p = ship_rules(s, sh, now);
    /* the returns that stay abroad were booked at the sale (sell_unit) */
    BF_ASSERT(it->u_disp < p->returns.to_china_share);
    bf_ledger_book(&s->ledger, today, BF_FLOW_REFUNDS, -sh->unit_net_fen);
    /* back in the exporter's stock, on its way home, at its cost */
    it->value_fen = unit_net_cost(sh);
    balance(s, BF_BAL_RETURNING, today, it->value_fen);
    return bf__queue_for_china(s, j);
}
