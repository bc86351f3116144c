/*
 * sales.c - warehouse receipt, unit sales, aged stock, delivery to buyers,
 * buyer returns.
 */
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Warehouse fee of one unit for its days in store. */
static void unit_fee(struct sim *s, const struct bf_params *p, double from_h, double to_h)
{
    int64_t fee = llround(p->warehouse.fee_cny_per_unit_day * 100.0);
    if (fee != 0)
        bf_ledger_fee(&s->ledger, day_of(s, from_h), day_of(s, to_h), fee);
}

/* A new item for unit k of shipment i (a buyer return or aged stock). */
static int new_item(struct sim *s, uint32_t i, uint32_t k, uint32_t claim, uint32_t *out)
{
    uint32_t j;
    int rc = bf_pool_alloc(&s->items, &j);
    if (rc != 0)
        return rc;
    struct item *it = bf_pool_at(&s->items, j);
    const struct ship *sh = ship_at(s, i);
    it->ship = i;
    it->ship_gen = bf_pool_gen(&s->ships, i);
    it->unit = k;
    it->claim = claim;
    it->claim_gen = claim != NO_REF ? bf_pool_gen(&s->claims, claim) : 0;
    it->counted = sh->counted;
    it->next = NO_REF;
    *out = j;
    return 0;
}

/*
 * Unit k of shipment i is sold to a buyer at now (direct delivery or a sale
 * from the warehouse); its rebate, if any, is in `claim`. Either the buyer
 * keeps it (a final state) or a return is scheduled. *proceeds_fen gets the
 * unit's net proceeds for the caller to book.
 */
static int sell_unit(struct sim *s, uint32_t i, uint32_t k, uint32_t claim)
{
    const double now = s->eng.now_h;
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, now);
    const struct bf_category *cat = &p->category[sh->category];
    const struct bf_channel_params *ch = &p->channel[sh->channel];
    if (sh->counted)
        s->units_sold += 1.0;
    if (isnan(sh->t[BF_MS_FIRST_SALE]))
        sh->t[BF_MS_FIRST_SALE] = now;

    gsl_rng *r = erng(s, P_RETURNS, sh->serial, k);
    double u_ret = gsl_rng_uniform(r), u_lag = gsl_rng_uniform(r), u_disp = gsl_rng_uniform(r);
    if (!(u_ret < cat->return_prob * ch->return_factor)) {
        bf__unit_final(s, i, BF_US_SOLD);
        return 0;
    }
    if (sh->counted)
        s->units_returned += 1.0;
    /* the lag, truncated at the return window by inverse transform */
    const struct bf_dist *lag = &p->returns.lag_d;
    double lag_d = bf_dist_quantile(lag, u_lag * bf_dist_cdf(lag, p->returns.window_d));
    uint32_t j;
    int rc = new_item(s, i, k, claim, &j);
    if (rc != 0)
        return rc;
    struct item *it = bf_pool_at(&s->items, j);
    it->u_disp = u_disp;
    it->returned_h = now + 24.0 * lag_d;
    return bf_engine_at(&s->eng, it->returned_h, EV_BUYER_RETURN, j, NULL);
}

/* Proceeds of n units sold now, after the channel's settlement lag. */
static void book_proceeds(struct sim *s, const struct ship *sh, uint32_t slot, uint32_t n)
{
    const struct bf_params *p = ship_rules(s, sh, s->eng.now_h);
    gsl_rng *r = erng(s, P_SETTLE, sh->serial, slot);
    double lag_d = bf_dist_sample(&p->channel[sh->channel].settlement_d, r);
    bf_ledger_book(&s->ledger, day_of(s, s->eng.now_h + 24.0 * lag_d), BF_FLOW_PROCEEDS,
                   fen_mul(s, sh->unit_net_fen, n));
}

/* The shipment's rebate claim for units sold now, when its trigger is the sale. */
static int sale_claim(struct sim *s, uint32_t i, uint32_t n, uint32_t *claim)
{
    const struct ship *sh = ship_at(s, i);
    *claim = sh->claim;
    if (sh->trigger != BF_TRIGGER_SALE || n == 0)
        return 0;
    return bf__claim_create(s, i, n, s->eng.now_h, claim);
}

/* Direct channels: the whole shipment is delivered and sold to its buyer. */
static int deliver(struct sim *s, uint32_t i)
{
    struct ship *sh = ship_at(s, i);
    uint32_t n = sh->n_units, claim;
    book_proceeds(s, sh, 0, n);
    int rc = sale_claim(s, i, n, &claim);
    /* the last unit may free the shipment: nothing touches it afterwards */
    for (uint32_t k = 0; rc == 0 && k < n; k++)
        rc = sell_unit(s, i, k, claim);
    return rc;
}

int bf__on_received(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    struct ship *sh = ship_at(s, i);
    const double now = e->now_h;
    sh->t[BF_MS_RECEIVED] = now;
    if (sh->channel != BF_CH_9810)
        return deliver(s, i);

    const struct bf_params *p = ship_rules(s, sh, now);
    if (sh->counted)
        acc_add(&s->door_wh, (now - sh->t[BF_MS_CREATED]) / 24.0, 1.0);
    sh->sale_d = bf__malloc((size_t)sh->n_units * sizeof *sh->sale_d);
    if (sh->sale_d == NULL)
        return BF_ENOMEM;
    for (uint32_t k = 0; k < sh->n_units; k++) {
        gsl_rng *r = erng(s, P_SALES, sh->serial, k);
        sh->sale_d[k] = (float)bf_dist_sample(&p->warehouse.time_to_sale_d, r);
    }
    /* Units are handled in order of their time to sale; the order does not
     * depend on the policy, so the unit index after sorting keys each
     * unit's later draws. */
    qsort(sh->sale_d, sh->n_units, sizeof *sh->sale_d, cmp_float);
    sh->next_unit = 0;
    double first = fmin((double)sh->sale_d[0], p->warehouse.max_dwell_d);
    return bf_engine_in(e, 24.0 * first, EV_LOT, i, NULL);
}

/* Time (h) at which lot unit k leaves the shelf: sold, or aged. */
static double unit_due_h(const struct ship *sh, const struct bf_params *p, uint32_t k)
{
    double d = fmin((double)sh->sale_d[k], p->warehouse.max_dwell_d);
    return sh->t[BF_MS_RECEIVED] + 24.0 * d;
}

enum lot_fate { F_SOLD, F_LIQUIDATED, F_TO_CHINA };

int bf__on_lot(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, now);

    /* The units due now, and what happens to each. */
    uint32_t first = sh->next_unit, last = first;
    while (last < sh->n_units && unit_due_h(sh, p, last) <= now)
        last++;
    BF_ASSERT(last > first);
    uint32_t claimable = 0;
    const int32_t export_day = day_of(s, sh->t[BF_MS_DEPARTED]);
    for (uint32_t k = first; k < last; k++) {
        if ((double)sh->sale_d[k] <= p->warehouse.max_dwell_d) {
            claimable++;
            continue;
        }
        gsl_rng *r = erng(s, P_RETURNS, sh->serial, k);
        gsl_rng_uniform(r);
        gsl_rng_uniform(r);
        double u_disp = gsl_rng_uniform(r);
        bool to_china = u_disp < p->warehouse.aged_return_share &&
                        bf__within_months(export_day, day_of(s, now), p->returns.taxfree_months);
        /* reuse the float slot to remember the fate until the loop below */
        sh->sale_d[k] = to_china ? -2.0f : -1.0f;
        if (!to_china)
            claimable++; /* liquidated abroad: sold, for the rebate */
    }
    uint32_t claim;
    int rc = sale_claim(s, i, claimable, &claim);
    if (rc != 0)
        return rc;
    sh = ship_at(s, i);
    sh->next_unit = last;
    const bool lot_done = last == sh->n_units;
    uint32_t n_sold = 0;
    for (uint32_t k = first; k < last; k++)
        n_sold += sh->sale_d[k] >= 0.0f;
    if (n_sold > 0)
        book_proceeds(s, sh, first, n_sold);

    /* Schedule the next unit before any unit can free the shipment. */
    if (!lot_done) {
        double next = unit_due_h(sh, p, last);
        if ((rc = bf_engine_at(e, next, EV_LOT, i, NULL)) != 0)
            return rc;
    }
    float *fates = sh->sale_d;
    double received_h = sh->t[BF_MS_RECEIVED];
    if (lot_done)
        sh->sale_d = NULL; /* freed below, after the loop */
    for (uint32_t k = first; rc == 0 && k < last; k++) {
        unit_fee(s, p, received_h, now);
        float f = fates[k];
        if (f >= 0.0f) {
            sh = ship_at(s, i);
            if (sh->counted)
                acc_add(&s->tts, (double)f, 1.0);
            rc = sell_unit(s, i, k, claim);
            continue;
        }
        uint32_t j;
        if (f == -1.0f) {
            /* liquidated abroad */
            sh = ship_at(s, i);
            bf_ledger_book(&s->ledger, day_of(s, now), BF_FLOW_PROCEEDS,
                           llround((double)sh->unit_cost_fen * p->warehouse.liquidation_value));
            bf__unit_final(s, i, BF_US_DISPOSED_ABROAD);
            continue;
        }
        /* aged stock shipped back to China: a rebate not yet claimed is lost */
        sh = ship_at(s, i);
        if (sh->trigger == BF_TRIGGER_SALE)
            bf__rebate_unit_lost(s, sh);
        rc = new_item(s, i, k, sh->trigger == BF_TRIGGER_SALE ? NO_REF : sh->claim, &j);
        if (rc == 0) {
            struct item *it = bf_pool_at(&s->items, j);
            it->aged = 1;
            it->returned_h = now;
            rc = bf__queue_for_china(s, j);
        }
    }
    if (lot_done)
        bf__free(fates);
    return rc;
}

int bf__on_buyer_return(struct bf_engine *e, uint32_t j, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    struct item *it = bf_pool_at(&s->items, j);
    BF_ASSERT(bf_pool_live(&s->ships, it->ship) &&
              bf_pool_gen(&s->ships, it->ship) == it->ship_gen);
    const struct ship *sh = ship_at(s, it->ship);
    const struct bf_params *p = ship_rules(s, sh, now);
    bf_ledger_book(&s->ledger, day_of(s, now), BF_FLOW_REFUNDS, -sh->unit_net_fen);
    double u = it->u_disp;
    if (u < p->returns.to_china_share)
        return bf__queue_for_china(s, j);
    uint32_t ship = it->ship;
    if (u < p->returns.to_china_share + p->returns.resell_share) {
        bf_ledger_book(&s->ledger, day_of(s, now), BF_FLOW_PROCEEDS,
                       llround((double)sh->unit_net_fen * p->returns.resell_value));
        bf_pool_free(&s->items, j);
        bf__unit_final(s, ship, BF_US_RESOLD_ABROAD);
        return 0;
    }
    bf_pool_free(&s->items, j);
    bf__unit_final(s, ship, BF_US_DISPOSED_ABROAD);
    return 0;
}
