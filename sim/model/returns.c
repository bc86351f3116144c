/*
 * returns.c - consolidated return shipments to China, re-import, and the
 * goods back in China.
 */
#include "internal.h"

int bf__queue_for_china(struct sim *s, uint32_t j)
{
    struct item *it = item_at(s, j);
    const struct ship *sh = ship_at(s, it->ship);
    struct lane_queue *q = &s->lq[sh->lane];
    BF_ASSERT(q->active);
    it->queued_h = s->eng.now_h;
    bf__list_append(s, &q->q, j);
    return 0;
}

/* An item that cannot go back through customs is disposed of abroad. */
static void dispose_abroad(struct sim *s, uint32_t j, int32_t day)
{
    struct item *it = item_at(s, j);
    uint32_t ship = it->ship;
    const struct ship *sh = ship_at(s, ship);
    const struct bf_params *p = ship_rules(s, sh, s->eng.now_h);
    bf_ledger_book(&s->ledger, day, BF_FLOW_PROCEEDS,
                   llround((double)sh->unit_cost_fen * p->warehouse.liquidation_value));
    balance(s, BF_BAL_RETURNING, day, -it->value_fen);
    bf_pool_free(&s->items, j);
    bf__unit_final(s, ship, BF_US_DISPOSED_ABROAD);
}

int bf__on_consolidate(struct bf_engine *e, uint32_t lane, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    const int32_t day = day_of(s, now);
    const struct bf_params *p = rules(s, regime_at(s, now));
    struct lane_queue *q = &s->lq[lane];
    uint32_t occurrence = q->occurrence++;

    int flags = 0;
    double next =
        bf_periodic_next(&p->returns.consolidation, s->epoch_day, s->in->cal, now + 1e-6, &flags);
    bf__note_cal(s, flags, day);
    int rc;
    if (next < s->end_h && (rc = bf_engine_at(e, next, EV_CONSOLIDATE, lane, NULL)) != 0)
        return rc;
    if (q->q.n == 0)
        return 0;

    uint32_t b;
    if ((rc = bf_pool_alloc(&s->batches, &b)) != 0)
        return rc;
    struct batch *bt = bf_pool_at(&s->batches, b);
    bt->lane = lane;
    bt->key = (uint64_t)lane << 32 | occurrence;
    bf__list_init(&bt->items);
    bt->left_h = now;
    /* the return leg: warehouse -> foreign port, dwell, sea/air/rail back */
    const struct bf_lane *ln = &p->lane[lane];
    gsl_rng *r = erng(s, P_RETURN_LEG, bt->key, 0);
    double leg_d = bf_dist_sample(&ln->dest_d, r);
    leg_d += bf_dist_sample(&p->returns.port_dwell_d, r);
    leg_d += bf_dist_sample(&ln->transit_d, r);
    bt->arrived_h = now + 24.0 * leg_d;
    if (!time_ok(bt->arrived_h)) {
        bf_pool_free(&s->batches, b);
        return bf__time_beyond(s, bt->arrived_h, false,
                               "the return leg (lanes.%s.dest_d, returns.port_dwell_d, "
                               "lanes.%s.transit_d)",
                               ln->name, ln->name);
    }
    const int32_t arrive_day = day_of(s, bt->arrived_h);

    uint32_t j = q->q.head;
    int64_t fee = llround(p->warehouse.fee_cny_per_unit_day * 100.0);
    while (j != NO_REF) {
        struct item *it = item_at(s, j);
        uint32_t next_j = it->next;
        const struct ship *sh = ship_at(s, it->ship);
        if (fee != 0)
            bf_ledger_fee(&s->ledger, day_of(s, it->queued_h), day, fee);
        int32_t export_day = day_of(s, sh->t[BF_MS_DEPARTED]);
        if (!bf__within_months(s, export_day, arrive_day, p->returns.customs_limit_months)) {
            /* no customs return after the limit: disposed of abroad */
            dispose_abroad(s, j, day);
        } else {
            bf_ledger_book(&s->ledger, day, BF_FLOW_FREIGHT_RETURN,
                           -llround((double)sh->unit_freight_fen * p->returns.freight_factor));
            bf__list_append(s, &bt->items, j);
        }
        j = next_j;
    }
    bf__list_init(&q->q);
    if (bt->items.n == 0) {
        bf_pool_free(&s->batches, b);
        return 0;
    }
    return bf_engine_at(e, bt->arrived_h, EV_BATCH_ARRIVE, b, NULL);
}

/* A re-import group of a batch: its items and when customs release them. */
static int start_group(struct sim *s, const struct batch *src, const struct item_list *items,
                       int ordinary)
{
    const double now = s->eng.now_h;
    const int32_t day = day_of(s, now);
    const struct bf_params *p = rules(s, regime_at(s, now));
    uint32_t g;
    int rc = bf_pool_alloc(&s->batches, &g);
    if (rc != 0)
        return rc;
    struct batch *gb = bf_pool_at(&s->batches, g);
    gb->lane = src->lane;
    gb->key = src->key;
    gb->items = *items;
    gb->ordinary = (uint8_t)ordinary;
    gb->left_h = src->left_h;
    gb->arrived_h = now;
    double start = now, clearance;
    if (ordinary) {
        gsl_rng *r = erng(s, P_REIMPORT, src->key, 2);
        clearance = bf_dist_sample(&p->returns.ordinary_clearance_h, r);
    } else {
        /* the tax-free procedure needs the tax office's certificate
         * (rebate repaid or never refunded): it can hold the goods up */
        gsl_rng *r = erng(s, P_REIMPORT, src->key, 1);
        double cert_wd = bf_dist_sample(&p->returns.cert_wd, r);
        clearance = bf_dist_sample(&p->returns.cbec_clearance_h, r);
        if (!wd_ok(cert_wd)) {
            bf_pool_free(&s->batches, g);
            return bf__time_beyond(s, cert_wd, true, "returns.cert_wd");
        }
        long n_wd = lround(cert_wd);
        if (n_wd > 0) {
            int32_t ready;
            bf__note_cal(s, bf_workdays_add(&s->wd, day, (uint32_t)n_wd, &ready), day);
            start = fmax(now, time_of(s, ready, 9.0));
        }
    }
    return bf_engine_at(&s->eng, start + clearance, EV_REIMPORTED, g, NULL);
}

int bf__on_batch_arrive(struct bf_engine *e, uint32_t b, void *ctx)
{
    struct sim *s = ctx;
    const int32_t day = day_of(s, e->now_h);
    const struct bf_params *p = rules(s, regime_at(s, e->now_h));
    struct batch bt = *(struct batch *)bf_pool_at(&s->batches, b);
    bf_pool_free(&s->batches, b);

    struct item_list group[2];
    bf__list_init(&group[0]);
    bf__list_init(&group[1]);
    for (uint32_t j = bt.items.head; j != NO_REF;) {
        struct item *it = item_at(s, j);
        uint32_t next = it->next;
        const struct ship *sh = ship_at(s, it->ship);
        bf__rebate_unit_back(s, it);
        int32_t export_day = day_of(s, sh->t[BF_MS_DEPARTED]);
        int ordinary = !(p->returns.procedure == BF_REIMPORT_CBEC_RETURN &&
                         bf__within_months(s, export_day, day, p->returns.taxfree_months));
        bf__list_append(s, &group[ordinary], j);
        j = next;
    }
    for (int g = 0; g < 2; g++)
        if (group[g].n > 0) {
            int rc = start_group(s, &bt, &group[g], g);
            if (rc != 0)
                return rc;
        }
    return 0;
}

int bf__on_reimported(struct bf_engine *e, uint32_t g, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    const int32_t day = day_of(s, now);
    struct batch gb = *(struct batch *)bf_pool_at(&s->batches, g);
    bf_pool_free(&s->batches, g);
    for (uint32_t j = gb.items.head; j != NO_REF;) {
        struct item *it = item_at(s, j);
        uint32_t next = it->next, ship = it->ship;
        struct ship *sh = ship_at(s, ship);
        const struct bf_params *p = ship_rules(s, sh, now);
        if (gb.ordinary) {
            /* customs value: the cost without VAT; VAT on value + duty */
            double value = (double)sh->unit_cost_fen / (1.0 + p->rebate.vat_rate);
            double duty = value * p->category[sh->category].import_duty_rate;
            double vat = (value + duty) * p->returns.import_vat_rate;
            bf_ledger_book(&s->ledger, day, BF_FLOW_IMPORT_TAX, -llround(duty + vat));
        }
        /* back in the exporter's stock in China: resold at home or
         * re-exported for a share of its cost, after a while */
        gsl_rng *r = erng(s, P_HOME, sh->serial, it->unit);
        double lag_d = bf_dist_sample(&p->returns.home_sale_d, r);
        if (!time_ok(now + 24.0 * lag_d))
            return bf__time_beyond(s, now + 24.0 * lag_d, false, "returns.home_sale_d");
        int32_t sold = day_of(s, now + 24.0 * lag_d);
        bf_ledger_book(&s->ledger, sold, BF_FLOW_HOME_SALE,
                       llround((double)sh->unit_cost_fen * p->returns.home_value));
        balance(s, BF_BAL_RETURNING, sold, -it->value_fen);
        sh->units_home++;
        if (it->counted) {
            acc_add(&s->reimport, now - gb.arrived_h, 1.0);
            if (!it->aged) {
                double cycle_d = (now - it->returned_h) / 24.0;
                acc_add(&s->cycle, cycle_d, 1.0);
                bf_hist_add(&s->out->return_cycle, cycle_d, 1.0);
            }
        }
        bf_pool_free(&s->items, j);
        bf__unit_final(s, ship, BF_US_BACK_IN_CHINA);
        j = next;
    }
    return 0;
}
