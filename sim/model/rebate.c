/*
 * rebate.c - export VAT rebate claims: trigger, documents, filing,
 * processing in working days, payment, withdrawal and repayment.
 */
#include "internal.h"

/*
 * Payment day of a claim whose documents are ready on ready_day: the filing
 * day (the same day when filing is continuous, else the next monthly window,
 * moved to the next working day when it falls on a day off), then n_wd
 * working days of processing, then the treasury's calendar days.
 */
static int32_t paid_day(struct sim *s, const struct bf_params *p, int32_t ready_day, long n_wd,
                        long treasury_d)
{
    int32_t file_day = ready_day;
    if (p->rebate.filing == BF_FILING_MONTHLY) {
        struct bf_periodic w = {.kind = BF_PERIODIC_MONTHLY,
                                .day_of_month = (uint8_t)p->rebate.filing_day,
                                .dayoff = BF_DAYOFF_NEXT,
                                .at_hour = 0.0};
        bool unknown = false;
        double t =
            bf_periodic_next(&w, s->epoch_day, s->in->cal, time_of(s, ready_day, 0.0), &unknown);
        if (unknown)
            bf__note_unknown(s, BF_CAL_UNKNOWN, ready_day);
        file_day = day_of(s, t);
    }
    int32_t done;
    bf__note_unknown(s, bf_cal_add_working_days(s->in->cal, file_day, (uint32_t)n_wd, &done),
                     file_day);
    return done + (int32_t)treasury_d;
}

int bf__claim_create(struct sim *s, uint32_t i, uint32_t n_units, double trigger_h, uint32_t *claim)
{
    struct ship *sh = ship_at(s, i);
    *claim = NO_REF;
    if (sh->unit_rebate_fen == 0 || n_units == 0)
        return 0;
    const int regime = s->in->rule == BF_RULE_CREATION ? sh->regime : regime_at(s, trigger_h);
    const struct bf_params *p = rules(s, regime);
    /* One set of draws per shipment, whatever the claim: the payment date is
     * then a non-decreasing function of the trigger time, so a rebate at
     * departure is never paid later than the same unit's rebate at sale. */
    if (sh->draws_regime != regime) {
        gsl_rng *r = erng(s, P_REBATE, sh->serial, 0);
        sh->doc_d = bf_dist_sample(&p->rebate.doc_collection_d, r);
        sh->proc_wd = bf_dist_sample(&p->rebate.processing_wd, r);
        sh->treasury_d = bf_dist_sample(&p->rebate.treasury_d, r);
        sh->draws_regime = (uint8_t)regime;
    }
    int32_t ready_day = day_of(s, trigger_h + 24.0 * sh->doc_d);
    /* units of a lot sold on the same day have the same payment day: the
     * calendar walk is done once per day, not once per unit */
    if (sh->memo_ready_day != ready_day || sh->memo_regime != regime) {
        sh->memo_pay_day = paid_day(s, p, ready_day, lround(sh->proc_wd), lround(sh->treasury_d));
        sh->memo_ready_day = ready_day;
        sh->memo_regime = (uint8_t)regime;
    }
    int32_t pay_day = sh->memo_pay_day;
    double paid_h = fmax(time_of(s, pay_day, 12.0), trigger_h);

    if (sh->open_claim != NO_REF && bf_pool_live(&s->claims, sh->open_claim) &&
        bf_pool_gen(&s->claims, sh->open_claim) == sh->open_claim_gen) {
        struct claim *cl = bf_pool_at(&s->claims, sh->open_claim);
        if (day_of(s, cl->paid_h) == pay_day) {
            cl->n_units += n_units;
            cl->amount_fen = fen_add(s, cl->amount_fen, fen_mul(s, sh->unit_rebate_fen, n_units));
            *claim = sh->open_claim;
            return 0;
        }
    }
    uint32_t c;
    int rc = bf_pool_alloc(&s->claims, &c);
    if (rc != 0)
        return rc;
    struct claim *cl = bf_pool_at(&s->claims, c);
    cl->ship = i;
    cl->ship_gen = bf_pool_gen(&s->ships, i);
    cl->n_units = n_units;
    cl->per_ship = sh->trigger != BF_TRIGGER_SALE;
    cl->counted = sh->counted;
    cl->unit_fen = sh->unit_rebate_fen;
    cl->amount_fen = fen_mul(s, sh->unit_rebate_fen, n_units);
    cl->depart_h = sh->t[BF_MS_DEPARTED];
    cl->trigger_h = trigger_h;
    cl->paid_h = paid_h;
    if ((rc = bf_engine_at(&s->eng, paid_h, EV_CLAIM_PAID, c, &cl->ev)) != 0) {
        bf_pool_free(&s->claims, c);
        return rc;
    }
    sh->pending_claims++;
    sh->open_claim = c;
    sh->open_claim_gen = bf_pool_gen(&s->claims, c);
    *claim = c;
    return 0;
}

int bf__on_claim_paid(struct bf_engine *e, uint32_t c, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    const int32_t day = day_of(s, now);
    struct claim cl = *(struct claim *)bf_pool_at(&s->claims, c);
    bf_pool_free(&s->claims, c);
    BF_ASSERT(cl.n_units > 0 && (cl.amount_fen > 0 || s->ledger.overflow));
    bf_ledger_book(&s->ledger, day, BF_FLOW_REBATE_IN, cl.amount_fen);
    bf_ledger_receivable(&s->ledger, day_of(s, cl.depart_h), day, cl.amount_fen);
    if (s->in->on_claim != NULL)
        s->in->on_claim(ship_at(s, cl.ship)->serial, cl.n_units, cl.trigger_h, now,
                        s->in->on_claim_ctx);
    if (cl.counted) {
        double d = (now - cl.depart_h) / 24.0;
        acc_add(&s->d2r, d, (double)cl.n_units);
        bf_hist_add(&s->out->days_to_rebate, d, (double)cl.n_units);
    }
    BF_ASSERT(bf_pool_live(&s->ships, cl.ship) && bf_pool_gen(&s->ships, cl.ship) == cl.ship_gen);
    struct ship *sh = ship_at(s, cl.ship);
    if (cl.per_ship)
        sh->claim_paid = 1;
    if (isnan(sh->t[BF_MS_REBATE_PAID]))
        sh->t[BF_MS_REBATE_PAID] = now;
    bf__claim_settled(s, cl.ship);
    return 0;
}

void bf__rebate_unit_back(struct sim *s, struct item *it)
{
    if (it->claim == NO_REF)
        return;
    const double now = s->eng.now_h;
    const int32_t day = day_of(s, now);
    const struct ship *sh = ship_at(s, it->ship);
    const struct bf_params *p = ship_rules(s, sh, now);
    uint32_t c = it->claim;
    it->claim = NO_REF;
    if (bf_pool_live(&s->claims, c) && bf_pool_gen(&s->claims, c) == it->claim_gen) {
        /* not paid yet: the unit's share is withdrawn from the claim */
        struct claim *cl = bf_pool_at(&s->claims, c);
        BF_ASSERT(cl->n_units > 0);
        cl->n_units--;
        cl->amount_fen -= cl->unit_fen;
        bf_ledger_receivable(&s->ledger, day_of(s, cl->depart_h), day, cl->unit_fen);
        if (cl->n_units == 0) {
            BF_ASSERT(bf_engine_cancel(&s->eng, cl->ev) == 0);
            uint32_t ship = cl->ship;
            bf_pool_free(&s->claims, c);
            bf__claim_settled(s, ship);
        }
        return;
    }
    /* paid: the exporter repays it (补缴) unless the policy says otherwise */
    if (p->returns.repay_rebate)
        bf_ledger_book(&s->ledger, day, BF_FLOW_REBATE_REPAID, -sh->unit_rebate_fen);
}

void bf__rebate_unit_lost(struct sim *s, const struct ship *sh)
{
    if (sh->unit_rebate_fen == 0 || isnan(sh->t[BF_MS_DEPARTED]))
        return;
    bf_ledger_receivable(&s->ledger, day_of(s, sh->t[BF_MS_DEPARTED]), day_of(s, s->eng.now_h),
                         sh->unit_rebate_fen);
}
