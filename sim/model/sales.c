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

/* Warehouse fee of one unit for its days in store. */
static void unit_fee(struct sim *s, const struct bf_params *p, double from_h, double to_h)
{
    int64_t fee = llround(p->warehouse.fee_cny_per_unit_day * 100.0);
    if (fee != 0)
        bf_ledger_fee(&s->ledger, day_of(s, from_h), day_of(s, to_h), fee);
}

/*
 * n units of the shipment leave its stock now, sold to buyers: their cost
 * leaves the inventory and their net price is a receivable until the
 * platform (or the buyer) pays it, after the channel's settlement lag.
 */
static void book_sale(struct sim *s, const struct ship *sh, uint32_t slot, uint32_t n)
{
    const double now = s->eng.now_h;
    const struct bf_params *p = ship_rules(s, sh, now);
    gsl_rng *r = erng(s, P_SETTLE, sh->serial, slot);
    double lag_d = bf_dist_sample(&p->channel[sh->channel].settlement_d, r);
    const int32_t today = day_of(s, now), paid = day_of(s, now + 24.0 * lag_d);
    int64_t amount = fen_mul(s, sh->unit_net_fen, n);
    bf_ledger_book(&s->ledger, paid, BF_FLOW_PROCEEDS, amount);
    balance(s, BF_BAL_RECEIVABLES, today, amount);
    balance(s, BF_BAL_RECEIVABLES, paid, -amount);
    balance(s, BF_BAL_INVENTORY, today, -fen_mul(s, unit_net_cost(sh), n));
}

/*
 * Unit k of shipment i is sold to a buyer at now (direct delivery or a sale
 * from the warehouse); rb/claim/claim_gen say where its rebate stands.
 * Either the buyer keeps it (a final state) or a return is scheduled.
 */
static int sell_unit(struct sim *s, uint32_t i, uint32_t k, uint8_t rb, uint32_t claim,
                     uint32_t claim_gen)
{
    const double now = s->eng.now_h;
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, now);
    const struct bf_category *cat = &p->category[sh->category];
    const struct bf_channel_params *ch = &p->channel[sh->channel];
    if (isnan(sh->t[BF_MS_FIRST_SALE]))
        sh->t[BF_MS_FIRST_SALE] = now;

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
        bf__unit_final(s, i, BF_US_SOLD);
        return 0;
    }
    /* the lag, truncated at the return window by inverse transform */
    const struct bf_dist *lag = &p->returns.lag_d;
    double lag_d = bf_dist_quantile(lag, u_lag * bf_dist_cdf(lag, p->returns.window_d));
    uint32_t j;
    int rc = bf__item_new(s, i, k, rb, claim, claim_gen, &j);
    if (rc != 0)
        return rc;
    struct item *it = item_at(s, j);
    it->u_disp = u_disp;
    it->returned_h = now + 24.0 * lag_d;
    return bf_engine_at(&s->eng, it->returned_h, EV_BUYER_RETURN, j, NULL);
}

/* Direct channels: the whole shipment is delivered and sold to its buyer. */
static int deliver(struct sim *s, uint32_t i)
{
    struct ship *sh = ship_at(s, i);
    const uint32_t n = sh->n_units;
    book_sale(s, sh, 0, n);
    /* one rule for the whole shipment: its units are sold together */
    uint8_t rb = bf__unit_rb(sh, 0);
    uint32_t claim = NO_REF, gen = 0;
    int rc = 0;
    if (rb == RB_NONE && sh->eligible && sh->trigger == BF_TRIGGER_SALE) {
        rc = bf__claim_create(s, i, n, s->eng.now_h, false, &claim, &gen);
        rb = RB_SALE;
    }
    /* the last unit may free the shipment: nothing touches it afterwards */
    for (uint32_t k = 0; rc == 0 && k < n; k++)
        rc = sell_unit(s, i, k, rb, claim, gen);
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
     * unit's later draws. */
    int rc = sort_times(s, sh->sale_d, sh->n_units);
    if (rc != 0)
        return rc;
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

/* Fates of the units due, kept in their float slot until they are handled. */
#define FATE_LIQUIDATED (-1.0f)
#define FATE_TO_CHINA   (-2.0f)

int bf__on_lot(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    const int32_t today = day_of(s, now);
    struct ship *sh = ship_at(s, i);
    const struct bf_params *p = ship_rules(s, sh, now);

    /* The units due now, and what happens to each. */
    uint32_t first = sh->next_unit, last = first;
    while (last < sh->n_units && unit_due_h(sh, p, last) <= now)
        last++;
    BF_ASSERT(last > first);
    /* units sold or liquidated abroad whose rebate is claimed now, at sale:
     * those of a rebate at sale, and those the shipment-level claim no
     * longer covers (settled on 30 April) */
    uint32_t to_claim = 0, n_sold = 0, n_gone = 0;
    const int32_t export_day = day_of(s, sh->t[BF_MS_DEPARTED]);
    for (uint32_t k = first; k < last; k++) {
        bool claims = sh->eligible && !bf__ship_claim_covers(sh, k);
        if ((double)sh->sale_d[k] <= p->warehouse.max_dwell_d) {
            n_sold++;
            to_claim += claims;
            continue;
        }
        gsl_rng *r = erng(s, P_RETURNS, sh->serial, k);
        gsl_rng_uniform(r);
        gsl_rng_uniform(r);
        double u_disp = gsl_rng_uniform(r);
        /* aged stock may go back through customs within the limit (1 year)
         * of export, tax-free only within 6 months (decided on arrival) */
        bool to_china = u_disp < p->warehouse.aged_return_share &&
                        bf__within_months(s, export_day, today, p->returns.customs_limit_months);
        sh->sale_d[k] = to_china ? FATE_TO_CHINA : FATE_LIQUIDATED;
        if (!to_china) {
            n_gone++;
            to_claim += claims; /* liquidated abroad: sold, for the rebate */
        }
    }
    uint32_t claim = NO_REF, gen = 0;
    int rc = 0;
    if (to_claim > 0 && (rc = bf__claim_create(s, i, to_claim, now, false, &claim, &gen)) != 0)
        return rc;
    sh = ship_at(s, i);
    sh->next_unit = last;
    const bool lot_done = last == sh->n_units;
    if (n_sold > 0)
        book_sale(s, sh, first, n_sold);
    if (n_gone > 0)
        balance(s, BF_BAL_INVENTORY, today, -fen_mul(s, unit_net_cost(sh), n_gone));

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
        sh = ship_at(s, i);
        uint8_t rb = bf__unit_rb(sh, k);
        if (rb == RB_NONE && sh->eligible && f != FATE_TO_CHINA)
            rb = RB_SALE;
        if (f >= 0.0f) {
            if (sh->counted) {
                acc_add(&s->tts, (double)f, 1.0);
                bk_add(s, sh, BF_BK_time_to_sale_d, (double)f, 1.0);
            }
            rc = sell_unit(s, i, k, rb, claim, gen);
            continue;
        }
        if (f == FATE_LIQUIDATED) {
            bf_ledger_book(&s->ledger, today, BF_FLOW_PROCEEDS,
                           llround((double)sh->unit_cost_fen * p->warehouse.liquidation_value));
            bf__unit_final(s, i, BF_US_DISPOSED_ABROAD);
            continue;
        }
        /* aged stock shipped back to China: from the warehouse's stock to
         * the goods returning; a rebate not yet claimed is lost */
        uint32_t j;
        rc = bf__item_new(s, i, k, rb, NO_REF, 0, &j);
        if (rc != 0)
            break;
        struct item *it = item_at(s, j);
        it->aged = 1;
        it->returned_h = now;
        it->value_fen = unit_net_cost(sh);
        balance(s, BF_BAL_INVENTORY, today, -it->value_fen);
        balance(s, BF_BAL_RETURNING, today, it->value_fen);
        if (rb == RB_NONE && sh->eligible)
            bf__rebate_unit_lost(s, sh, it);
        rc = bf__queue_for_china(s, j);
    }
    if (lot_done)
        bf__free(fates);
    return rc;
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
