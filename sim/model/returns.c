/*
 * returns.c - consolidated return shipments to China and re-import.
 */
#include "internal.h"

int bf__queue_for_china(struct sim *s, uint32_t j)
{
    struct item *it = bf_pool_at(&s->items, j);
    const struct ship *sh = ship_at(s, it->ship);
    struct lane_queue *q = &s->lq[sh->lane];
    BF_ASSERT(q->active);
    it->queued_h = s->eng.now_h;
    it->next = NO_REF;
    if (q->tail == NO_REF)
        q->head = j;
    else
        ((struct item *)bf_pool_at(&s->items, q->tail))->next = j;
    q->tail = j;
    q->n++;
    return 0;
}

int bf__dispose_abroad(struct sim *s, uint32_t j, bool liquidate)
{
    struct item *it = bf_pool_at(&s->items, j);
    uint32_t ship = it->ship;
    const struct ship *sh = ship_at(s, ship);
    if (liquidate) {
        const struct bf_params *p = ship_rules(s, sh, s->eng.now_h);
        bf_ledger_book(&s->ledger, day_of(s, s->eng.now_h), BF_FLOW_PROCEEDS,
                       llround((double)sh->unit_cost_fen * p->warehouse.liquidation_value));
    }
    bf_pool_free(&s->items, j);
    bf__unit_final(s, ship, BF_US_DISPOSED_ABROAD);
    return 0;
}

int bf__on_consolidate(struct bf_engine *e, uint32_t lane, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    const int32_t day = day_of(s, now);
    const struct bf_params *p = rules(s, regime_at(s, now));
    struct lane_queue *q = &s->lq[lane];
    uint32_t occurrence = q->occurrence++;

    bool unknown = false;
    double next =
        bf_periodic_next(&p->returns.consolidation, s->epoch_day, s->in->cal, now + 1e-6, &unknown);
    if (unknown)
        bf__note_unknown(s, BF_CAL_UNKNOWN, day);
    int rc;
    if (next < s->end_h && (rc = bf_engine_at(e, next, EV_CONSOLIDATE, lane, NULL)) != 0)
        return rc;
    if (q->n == 0)
        return 0;

    uint32_t b;
    if ((rc = bf_pool_alloc(&s->batches, &b)) != 0)
        return rc;
    struct batch *bt = bf_pool_at(&s->batches, b);
    bt->lane = lane;
    bt->key = (uint64_t)lane << 32 | occurrence;
    bt->head = NO_REF;
    bt->left_h = now;
    /* the return leg: warehouse -> foreign port, dwell, sea/air/rail back */
    const struct bf_lane *ln = &p->lane[lane];
    gsl_rng *r = erng(s, P_RETURN_LEG, bt->key, 0);
    double leg_d = bf_dist_sample(&ln->dest_d, r);
    leg_d += bf_dist_sample(&p->returns.port_dwell_d, r);
    leg_d += bf_dist_sample(&ln->transit_d, r);
    bt->arrived_h = now + 24.0 * leg_d;
    const int32_t arrive_day = day_of(s, bt->arrived_h);

    uint32_t j = q->head, tail = NO_REF;
    int64_t fee = llround(p->warehouse.fee_cny_per_unit_day * 100.0);
    while (j != NO_REF) {
        struct item *it = bf_pool_at(&s->items, j);
        uint32_t next_j = it->next;
        const struct ship *sh = ship_at(s, it->ship);
        if (fee != 0)
            bf_ledger_fee(&s->ledger, day_of(s, it->queued_h), day, fee);
        int32_t export_day = day_of(s, sh->t[BF_MS_DEPARTED]);
        if (!bf__within_months(export_day, arrive_day, p->returns.customs_limit_months)) {
            /* no customs return after the limit: disposed of abroad */
            bf__dispose_abroad(s, j, true);
        } else {
            bf_ledger_book(&s->ledger, day, BF_FLOW_FREIGHT_RETURN,
                           -llround((double)sh->unit_freight_fen * p->returns.freight_factor));
            it->next = NO_REF;
            if (tail == NO_REF)
                bt->head = j;
            else
                ((struct item *)bf_pool_at(&s->items, tail))->next = j;
            tail = j;
            bt->n_items++;
        }
        j = next_j;
    }
    q->head = q->tail = NO_REF;
    q->n = 0;
    if (bt->n_items == 0) {
        bf_pool_free(&s->batches, b);
        return 0;
    }
    return bf_engine_at(e, bt->arrived_h, EV_BATCH_ARRIVE, b, NULL);
}

/* A re-import group of a batch: its items and when customs release them. */
static int start_group(struct sim *s, const struct batch *src, uint32_t head, uint32_t n,
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
    gb->head = head;
    gb->n_items = n;
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
        long n_wd = lround(cert_wd);
        if (n_wd > 0) {
            int32_t ready;
            bf__note_unknown(s, bf_cal_add_working_days(s->in->cal, day, (uint32_t)n_wd, &ready),
                             day);
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

    uint32_t heads[2] = {NO_REF, NO_REF}, tails[2] = {NO_REF, NO_REF}, counts[2] = {0, 0};
    for (uint32_t j = bt.head; j != NO_REF;) {
        struct item *it = bf_pool_at(&s->items, j);
        uint32_t next = it->next;
        const struct ship *sh = ship_at(s, it->ship);
        bf__rebate_unit_back(s, it);
        int32_t export_day = day_of(s, sh->t[BF_MS_DEPARTED]);
        int ordinary = !(p->returns.procedure == BF_REIMPORT_CBEC_RETURN &&
                         bf__within_months(export_day, day, p->returns.taxfree_months));
        it->next = NO_REF;
        if (tails[ordinary] == NO_REF)
            heads[ordinary] = j;
        else
            ((struct item *)bf_pool_at(&s->items, tails[ordinary]))->next = j;
        tails[ordinary] = j;
        counts[ordinary]++;
        j = next;
    }
    for (int g = 0; g < 2; g++)
        if (counts[g] > 0) {
            int rc = start_group(s, &bt, heads[g], counts[g], g);
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
    for (uint32_t j = gb.head; j != NO_REF;) {
        struct item *it = bf_pool_at(&s->items, j);
        uint32_t next = it->next, ship = it->ship;
        const struct ship *sh = ship_at(s, ship);
        const struct bf_params *p = ship_rules(s, sh, now);
        if (gb.ordinary) {
            /* customs value: the cost without VAT; VAT on value + duty */
            double value = (double)sh->unit_cost_fen / (1.0 + p->rebate.vat_rate);
            double duty = value * p->category[sh->category].import_duty_rate;
            double vat = (value + duty) * p->returns.import_vat_rate;
            bf_ledger_book(&s->ledger, day, BF_FLOW_IMPORT_TAX, -llround(duty + vat));
        }
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
