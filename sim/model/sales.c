/*
 * sales.c - warehouse receipt, unit sales, aged stock, delivery to buyers,
 * buyer returns.
 */
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

/*
 * Sorts a lot's times to sale (finite, >= 0) ascending. By hand rather than
 * qsort: the comparison through a function pointer was 4% of a study's
 * time, one lot per warehouse shipment. Small lots (the median has 30
 * units) take an insertion sort; large ones an LSD radix sort on the bits,
 * which order as unsigned integers for non-negative floats. The result is
 * the same sequence qsort gives (equal values are indistinguishable).
 */
static int sort_times(struct sim *s, float *a, uint32_t n)
{
    if (n <= 64) {
        for (uint32_t i = 1; i < n; i++) {
            float v = a[i];
            uint32_t j = i;
            for (; j > 0 && a[j - 1] > v; j--)
                a[j] = a[j - 1];
            a[j] = v;
        }
        return 0;
    }
    if (n > s->sort_cap) {
        uint32_t *t = bf__realloc(s->sort_tmp, (size_t)n * 2 * sizeof *t);
        if (t == NULL)
            return BF_ENOMEM;
        s->sort_tmp = t;
        s->sort_cap = n;
    }
    uint32_t *src = s->sort_tmp, *dst = s->sort_tmp + n;
    for (uint32_t i = 0; i < n; i++) {
        BF_ASSERT(a[i] >= 0.0f); /* also false for NaN */
        memcpy(&src[i], &a[i], sizeof src[i]);
    }
    for (unsigned shift = 0; shift < 32; shift += 8) {
        uint32_t count[257] = {0};
        for (uint32_t i = 0; i < n; i++)
            count[((src[i] >> shift) & 0xffu) + 1]++;
        for (unsigned b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (uint32_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xffu]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    for (uint32_t i = 0; i < n; i++)
        memcpy(&a[i], &src[i], sizeof a[i]);
    return 0;
}

/*
 * n units of the shipment leave its stock at t_h, sold to buyers: their
 * cost leaves the inventory and their net price is a receivable until the
 * platform (or the buyer) pays it, after the channel's settlement lag.
 */
static void book_sale(struct sim *s, const struct ship *sh, uint32_t slot, uint32_t n, double t_h)
{
    const struct bf_params *p = ship_rules(s, sh, t_h);
    gsl_rng *r = erng(s, P_SETTLE, sh->serial, slot);
    double lag_d = bf_dist_sample(&p->channel[sh->channel].settlement_d, r);
    const int32_t day = day_of(s, t_h), paid = day_of(s, t_h + 24.0 * lag_d);
    int64_t amount = fen_mul(s, sh->unit_net_fen, n);
    bf_ledger_book(&s->ledger, paid, BF_FLOW_PROCEEDS, amount);
    balance(s, BF_BAL_RECEIVABLES, day, amount);
    balance(s, BF_BAL_RECEIVABLES, paid, -amount);
    balance(s, BF_BAL_INVENTORY, day, -fen_mul(s, unit_net_cost(sh), n));
}

/*
 * Unit k of shipment i is sold to a buyer at t_h (direct delivery or a sale
 * from the warehouse); rb/claim/claim_gen say where its rebate stands.
 * Either the buyer keeps it (a final state) or a return is scheduled.
 */
static int sell_unit(struct sim *s, uint32_t i, uint32_t k, uint8_t rb, uint32_t claim,
                     uint32_t claim_gen, double t_h)
{
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, t_h);
    const struct bf_category *cat = &p->category[sh->category];
    const struct bf_channel_params *ch = &p->channel[sh->channel];
    if (isnan(sh->t[BF_MS_FIRST_SALE]))
        sh->t[BF_MS_FIRST_SALE] = t_h;

    gsl_rng *r = erng(s, P_RETURNS, sh->serial, k);
    double u_ret = gsl_rng_uniform(r), u_lag = gsl_rng_uniform(r), u_disp = gsl_rng_uniform(r);
    bool returned = u_ret < cat->return_prob * ch->return_factor;
    if (sh->counted) {
        s->units_sold += 1.0;
        s->bk[sh->channel].sold += 1.0;
        s->bk[BF_CH_COUNT + sh->lane].sold += 1.0;
        if (returned) {
            s->units_returned += 1.0;
            s->bk[sh->channel].returned += 1.0;
            s->bk[BF_CH_COUNT + sh->lane].returned += 1.0;
        }
    }
    if (!returned) {
        bf__unit_final_at(s, i, BF_US_SOLD, t_h);
        return 0;
    }
    /* the lag, truncated at the return window by inverse transform */
    const struct bf_qtable *lq = &s->lag_q[ship_regime(s, sh, t_h)];
    double lag_d = bf_qtable_eval(lq, u_lag * lq->u_max);
    uint32_t j;
    int rc = bf__item_new(s, i, k, rb, claim, claim_gen, &j);
    if (rc != 0)
        return rc;
    struct item *it = item_at(s, j);
    it->u_disp = u_disp;
    it->returned_h = t_h + 24.0 * lag_d;
    return bf_engine_at(&s->eng, it->returned_h, EV_BUYER_RETURN, j, NULL);
}

/* Direct channels: the whole shipment is delivered and sold to its buyer. */
static int deliver(struct sim *s, uint32_t i)
{
    const double now = s->eng.now_h;
    struct ship *sh = ship_at(s, i);
    const uint32_t n = sh->n_units;
    book_sale(s, sh, 0, n, now);
    /* one rule for the whole shipment: its units are sold together */
    uint8_t rb = bf__unit_rb(sh, 0);
    uint32_t claim = NO_REF, gen = 0;
    int rc = 0;
    if (rb == RB_NONE && sh->eligible && sh->trigger == BF_TRIGGER_SALE) {
        rc = bf__claim_create(s, i, n, now, false, &claim, &gen);
        rb = RB_SALE;
    }
    /* the last unit may free the shipment: nothing touches it afterwards */
    for (uint32_t k = 0; rc == 0 && k < n; k++)
        rc = sell_unit(s, i, k, rb, claim, gen, now);
    return rc;
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
    for (uint32_t k = 0; k < sh->n_units; k++) {
        gsl_rng *r = erng(s, P_SALES, sh->serial, k);
        sh->sale_d[k] = (float)bf_dist_sample(&p->warehouse.time_to_sale_d, r);
    }
    /* Units are handled in order of their time to sale; the order does not
     * depend on the policy, so the unit index after sorting keys each
     * unit's later draws. Unsold after the dwell limit of the rules in force
     * at receipt, a unit is aged stock. */
    int rc = sort_times(s, sh->sale_d, sh->n_units);
    if (rc != 0)
        return rc;
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
    gsl_rng *r = erng(s, P_RETURNS, sh->serial, k);
    gsl_rng_uniform(r);
    gsl_rng_uniform(r);
    double u_disp = gsl_rng_uniform(r);
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
    int64_t fee = llround(p->warehouse.fee_cny_per_unit_day * 100.0);
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
        book_sale(s, sh, k, 1, t_h);
        return sell_unit(s, i, k, rb, claim, gen, t_h);
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
    bf_ledger_book(&s->ledger, today, BF_FLOW_REFUNDS, -sh->unit_net_fen);
    double u = it->u_disp;
    if (u < p->returns.to_china_share) {
        /* back in the exporter's stock, on its way home, at its cost */
        it->value_fen = unit_net_cost(sh);
        balance(s, BF_BAL_RETURNING, today, it->value_fen);
        return bf__queue_for_china(s, j);
    }
    uint32_t ship = it->ship;
    if (u < p->returns.to_china_share + p->returns.resell_share) {
        bf_ledger_book(&s->ledger, today, BF_FLOW_PROCEEDS,
                       llround((double)sh->unit_net_fen * p->returns.resell_value));
        bf_pool_free(&s->items, j);
        bf__unit_final(s, ship, BF_US_RESOLD_ABROAD);
        return 0;
    }
    bf_pool_free(&s->items, j);
    bf__unit_final(s, ship, BF_US_DISPOSED_ABROAD);
    return 0;
}
