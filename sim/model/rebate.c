/*
 * rebate.c - export VAT rebate claims: trigger, documents, filing,
 * processing and treasury in working days, payment, withdrawal and
 * repayment; the new method taken up on the effective day; the settlement
 * of pre-refunds on 30 April of the following year.
 *
 * A unit's rebate is earned when it leaves China (export) and is a
 * receivable from then until it is paid, withdrawn (the unit came back
 * before payment) or lost (unsold stock shipped home before any claim). Its
 * claim is either the shipment-level one -- rebate upon departure
 * (离境即退税) or at customs closure, covering units [pc_from, pc_to) -- or
 * a claim made when the unit is sold. A unit that comes back repays or
 * withdraws exactly the claim that covers it.
 */
#include "internal.h"

/* What the rebate draws of a shipment are, each on its own slot of the
 * shipment's P_REBATE stream (slot 1 is the closure lag, export.c). */
enum draw { D_DOC = 0, D_PROC, D_TREASURY };
static const uint32_t draw_slot[] = {0, 2, 3};

/* One value per shipment and regime, whatever the claim: the payment date
 * is then a non-decreasing function of the trigger time, so a rebate at
 * departure is never paid later than the same unit's rebate at sale. The
 * working-day counts are kept rounded, as they are used; a count too large
 * to add to a day ends the run (BF_ERANGE). 0 or that code. */
static int draw(struct sim *s, struct ship *sh, enum draw what, int regime)
{
    const uint8_t bit = (uint8_t)(1u << ((unsigned)what * 2u + (unsigned)regime));
    if (!(sh->draws_have & bit)) {
        const struct bf_params *p = rules(s, regime);
        const struct bf_dist *d = what == D_DOC    ? &p->rebate.doc_collection_d
                                  : what == D_PROC ? &p->rebate.processing_wd
                                                   : &p->rebate.treasury_wd;
        const double v = bf_dist_sample(d, erng(s, P_REBATE, sh->serial, draw_slot[what]));
        if (what != D_DOC && !wd_ok(v))
            return bf__time_beyond(s, v, true, "rebate.%s",
                                   what == D_PROC ? "processing_wd" : "treasury_wd");
        if (what == D_DOC)
            sh->doc_d[regime] = v;
        else if (what == D_PROC)
            sh->proc_wd[regime] = lround(v);
        else
            sh->treasury_wd[regime] = lround(v);
        sh->draws_have |= bit;
    }
    return 0;
}

/*
 * Payment day of a claim whose documents are ready on ready_day: the filing
 * day (the same day when filing is continuous, else the next monthly window,
 * moved to the next working day when it falls on a day off), then n_wd
 * working days of processing, then the treasury's working days; the money
 * arrives on a working day.
 */
static int32_t paid_day(struct sim *s, int regime, int32_t ready_day, long n_wd, long treasury_wd)
{
    const struct bf_params *p = rules(s, regime);
    int32_t file_day = ready_day;
    if (p->rebate.filing == BF_FILING_MONTHLY) {
        /* a function of the day and the rules: once per day and regime */
        const int64_t i = (int64_t)ready_day - s->epoch_day;
        struct file_memo *memo = i >= 0 && i < (int64_t)s->wd.n ? &s->file_day[regime][i] : NULL;
        if (memo == NULL || memo->day == INT32_MIN) {
            struct bf_periodic w = {.kind = BF_PERIODIC_MONTHLY,
                                    .day_of_month = (uint8_t)p->rebate.filing_day,
                                    .dayoff = BF_DAYOFF_NEXT,
                                    .at_hour = 0.0};
            int flags = 0;
            double t =
                bf_periodic_next(&w, s->epoch_day, s->in->cal, time_of(s, ready_day, 0.0), &flags);
            struct file_memo m = {.day = day_of(s, t), .flags = flags};
            if (memo != NULL) /* else outside the run's days: not kept */
                *memo = m;
            file_day = m.day;
            bf__note_cal(s, m.flags, ready_day);
        } else {
            /* the lookup is counted each time, as when it was made each time */
            file_day = memo->day;
            bf__note_cal(s, memo->flags, ready_day);
        }
    }
    int32_t done, paid;
    bf__note_cal(s, bf_workdays_add(&s->wd, file_day, (uint32_t)n_wd, &done), file_day);
    bf__note_cal(s, bf_workdays_add(&s->wd, done, (uint32_t)treasury_wd, &paid), done);
    return paid;
}

bool bf__ship_claim_covers(const struct ship *sh, uint32_t k)
{
    return sh->pc_state != PC_NONE && k >= sh->pc_from && k < sh->pc_to;
}

uint8_t bf__unit_rb(const struct ship *sh, uint32_t k)
{
    return bf__ship_claim_covers(sh, k) ? RB_SHIP : RB_NONE;
}

int bf__claim_create(struct sim *s, uint32_t i, uint32_t n_units, double trigger_h, bool per_ship,
                     uint32_t *claim, uint32_t *claim_gen)
{
    struct ship *sh = ship_at(s, i);
    *claim = NO_REF;
    *claim_gen = 0;
    if (!sh->eligible || n_units == 0)
        return 0;
    /* documents under the rules of the trigger's day, filing and processing
     * under those of the day the documents are ready (the same regime
     * under the creation rule) */
    const int r_doc = ship_regime(s, sh, trigger_h);
    int rc = draw(s, sh, D_DOC, r_doc);
    if (rc != 0)
        return rc;
    const double ready_h = trigger_h + 24.0 * sh->doc_d[r_doc];
    if (!time_ok(ready_h))
        return bf__time_beyond(s, ready_h, false, "rebate.doc_collection_d");
    const int32_t ready_day = day_of(s, ready_h);
    const int r_file = ship_regime(s, sh, time_of(s, ready_day, 0.0));
    /* units of a lot sold on the same day have the same payment day: the
     * calendar walk is done once per day, not once per unit; and once per
     * (day, rules, processing, treasury) for the run, since many shipments
     * share them */
    if (sh->memo_ready_day != ready_day || sh->memo_regime != r_file) {
        if ((rc = draw(s, sh, D_PROC, r_file)) != 0 || (rc = draw(s, sh, D_TREASURY, r_file)) != 0)
            return rc;
        sh->memo_pay_day =
            paid_day(s, r_file, ready_day, sh->proc_wd[r_file], sh->treasury_wd[r_file]);
        sh->memo_ready_day = ready_day;
        sh->memo_regime = (uint8_t)r_file;
    }
    const int32_t pay_day = sh->memo_pay_day;
    const double paid_h = fmax(time_of(s, pay_day, 12.0), trigger_h);
    const int64_t amount = fen_mul(s, sh->unit_rebate_fen, n_units);

    if (!per_ship && sh->open_claim != NO_REF && bf_pool_live(&s->claims, sh->open_claim) &&
        bf_pool_gen(&s->claims, sh->open_claim) == sh->open_claim_gen) {
        struct claim *cl = bf_pool_at(&s->claims, sh->open_claim);
        if (cl->paid_day == pay_day) {
            cl->n_units += n_units;
            cl->amount_fen = fen_add(s, cl->amount_fen, amount);
            *claim = sh->open_claim;
            *claim_gen = sh->open_claim_gen;
            return 0;
        }
    }
    uint32_t c;
    if ((rc = bf_pool_alloc(&s->claims, &c)) != 0)
        return rc;
    struct claim *cl = bf_pool_at(&s->claims, c);
    cl->ship = i;
    cl->ship_gen = bf_pool_gen(&s->ships, i);
    cl->n_units = n_units;
    cl->per_ship = per_ship;
    cl->counted = sh->counted;
    cl->unit_fen = sh->unit_rebate_fen;
    cl->amount_fen = amount;
    cl->depart_h = sh->t[BF_MS_DEPARTED];
    cl->trigger_h = trigger_h;
    cl->paid_h = paid_h;
    cl->paid_day = day_of(s, paid_h);
    if ((rc = bf_engine_at(&s->eng, paid_h, EV_CLAIM_PAID, c, &cl->ev)) != 0) {
        bf_pool_free(&s->claims, c);
        return rc;
    }
    sh->pending_claims++;
    const uint32_t gen = bf_pool_gen(&s->claims, c);
    if (per_ship) {
        sh->claim = c;
        sh->claim_gen = gen;
        sh->pc_state = PC_PENDING;
    } else {
        sh->open_claim = c;
        sh->open_claim_gen = gen;
    }
    *claim = c;
    *claim_gen = gen;
    return 0;
}

/* 30 April of the year after `day`, at the end of the working day: the
 * settlement deadline of a pre-refund paid on `day` (STA Ann. 2025 No. 3). */
double bf__settlement_h(const struct sim *s, int32_t day)
{
    int y, m, d;
    bf_date_to_ymd(day, &y, &m, &d);
    return time_of(s, bf_date_from_ymd(y + 1, 4, 30), 18.0);
}

int bf__on_claim_paid(struct bf_engine *e, uint32_t c, void *ctx)
{
    struct sim *s = ctx;
    const double now = e->now_h;
    const int32_t day = day_of(s, now);
    struct claim cl = *(struct claim *)bf_pool_at(&s->claims, c);
    bf_pool_free(&s->claims, c);
    BF_ASSERT(cl.n_units > 0 && (cl.amount_fen > 0 || s->ledger.overflow));
    BF_ASSERT(bf_pool_live(&s->ships, cl.ship) && bf_pool_gen(&s->ships, cl.ship) == cl.ship_gen);
    struct ship *sh = ship_at(s, cl.ship);
    bf_ledger_book(&s->ledger, day, BF_FLOW_REBATE_IN, cl.amount_fen);
    balance(s, BF_BAL_REBATE_RECEIVABLE, day, -cl.amount_fen);
    sh->paid_fen = fen_add(s, sh->paid_fen, cl.amount_fen);
    if (s->in->on_claim != NULL)
        s->in->on_claim(sh->serial, cl.n_units, cl.trigger_h, now, s->in->on_claim_ctx);
    if (cl.counted) {
        double d = (now - cl.depart_h) / 24.0;
        acc_add(&s->d2r, d, (double)cl.n_units);
        bk_add(s, sh, BF_BK_days_to_rebate, d, (double)cl.n_units);
        bf_hist_add(&s->out->days_to_rebate, d, (double)cl.n_units);
    }
    if (cl.per_ship) {
        sh->pc_state = PC_PAID;
        sh->claim = NO_REF;
        /* a pre-refund of overseas-warehouse stock is settled against
         * actual sales by 30 April of the following year */
        sh->pc_paid_h = now;
        double t = bf__settlement_h(s, day);
        if (sh->channel == BF_CH_9810 && t < s->end_h) {
            int rc = bf_engine_at(e, t, EV_SETTLE, cl.ship, &sh->settle_ev);
            if (rc != 0)
                return rc;
        }
    }
    if (isnan(sh->t[BF_MS_REBATE_PAID]))
        sh->t[BF_MS_REBATE_PAID] = now;
    bf__claim_settled(s, cl.ship);
    return 0;
}

int bf__on_settle(struct bf_engine *e, uint32_t i, void *ctx)
{
    struct sim *s = ctx;
    const int32_t day = day_of(s, e->now_h);
    struct ship *sh = ship_at(s, i);
    sh->settle_ev = 0;
    BF_ASSERT(sh->pc_state == PC_PAID);
    /* the units still unsold: on the shelf, or not yet in the warehouse */
    uint32_t first = sh->pc_from;
    if (!isnan(sh->t[BF_MS_RECEIVED]) && sh->next_unit > first)
        first = sh->next_unit;
    if (first >= sh->pc_to)
        return 0;
    /* their pre-refund is repaid; each is claimed again when it is sold,
     * under the normal rule, and is a receivable until then */
    int64_t amount = fen_mul(s, sh->unit_rebate_fen, sh->pc_to - first);
    bf_ledger_book(&s->ledger, day, BF_FLOW_REBATE_SETTLED, -amount);
    balance(s, BF_BAL_REBATE_RECEIVABLE, day, amount);
    sh->settled_fen = fen_add(s, sh->settled_fen, amount);
    sh->pc_to = first;
    return 0;
}

int bf__on_transition(struct bf_engine *e, uint32_t entity, void *ctx)
{
    (void)entity;
    struct sim *s = ctx;
    const double now = e->now_h;
    /* Goods exported earlier under a rebate at sale and not yet claimed
     * take up the new method from today (STA Ann. 2025 No. 3 let 9810 goods
     * exported before it and not yet claimed use refund upon departure). */
    for (uint32_t i = 0; i < s->ships.top; i++) {
        if (!bf_pool_live(&s->ships, i))
            continue;
        struct ship *sh = ship_at(s, i);
        if (isnan(sh->t[BF_MS_DEPARTED]) || !sh->eligible || sh->trigger != BF_TRIGGER_SALE ||
            sh->pc_state != PC_NONE)
            continue;
        enum bf_rebate_trigger t = ship_trigger(s, sh, now);
        if (t != BF_TRIGGER_DEPARTURE && t != BF_TRIGGER_CLOSURE)
            continue;
        bool received = !isnan(sh->t[BF_MS_RECEIVED]);
        if (received && sh->channel != BF_CH_9810)
            continue; /* delivered: sold and claimed already */
        uint32_t from = received ? sh->next_unit : 0;
        if (from >= sh->n_units)
            continue;
        double trigger_h = now;
        if (t == BF_TRIGGER_CLOSURE) {
            const struct bf_params *p = ship_rules(s, sh, now);
            gsl_rng *r = erng(s, P_REBATE, sh->serial, 1);
            trigger_h = fmax(now, sh->t[BF_MS_DEPARTED] +
                                      24.0 * bf_dist_sample(&p->rebate.closure_lag_d, r));
            if (!time_ok(trigger_h))
                return bf__time_beyond(s, trigger_h, false, "rebate.closure_lag_d");
        }
        sh->trigger = (uint8_t)t;
        sh->pc_from = from;
        sh->pc_to = sh->n_units;
        uint32_t c, g;
        int rc = bf__claim_create(s, i, sh->n_units - from, trigger_h, true, &c, &g);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The unit's share leaves a pending claim; the claim goes when it is empty. */
static void withdraw(struct sim *s, uint32_t c, int32_t day)
{
    struct claim *cl = bf_pool_at(&s->claims, c);
    BF_ASSERT(cl->n_units > 0);
    cl->n_units--;
    cl->amount_fen -= cl->unit_fen;
    balance(s, BF_BAL_REBATE_RECEIVABLE, day, -cl->unit_fen);
    if (cl->n_units > 0)
        return;
    int rc = bf_engine_cancel(&s->eng, cl->ev);
    BF_ASSERT(rc == 0);
    uint32_t ship = cl->ship;
    bool per_ship = cl->per_ship;
    bf_pool_free(&s->claims, c);
    struct ship *sh = ship_at(s, ship);
    if (per_ship) {
        sh->pc_state = PC_NONE;
        sh->claim = NO_REF;
    }
    bf__claim_settled(s, ship);
}

void bf__rebate_unit_back(struct sim *s, struct item *it)
{
    const double now = s->eng.now_h;
    const int32_t day = day_of(s, now);
    struct ship *sh = ship_at(s, it->ship);
    const uint8_t rb = it->rb;
    it->rb = RB_NONE;
    if (rb == RB_NONE)
        return;
    uint32_t pending = NO_REF;
    if (rb == RB_SHIP && sh->pc_state == PC_PENDING) {
        BF_ASSERT(bf_pool_live(&s->claims, sh->claim) &&
                  bf_pool_gen(&s->claims, sh->claim) == sh->claim_gen);
        pending = sh->claim;
    } else if (rb == RB_SALE && bf_pool_live(&s->claims, it->claim) &&
               bf_pool_gen(&s->claims, it->claim) == it->claim_gen) {
        pending = it->claim;
    }
    BF_ASSERT(rb != RB_SHIP || sh->pc_state != PC_NONE);
    const int64_t rebate = sh->unit_rebate_fen;
    if (pending != NO_REF) {
        /* not paid yet: the unit's share is withdrawn from its claim */
        const struct claim *cl = bf_pool_at(&s->claims, pending);
        BF_ASSERT(cl->ship == it->ship && cl->ship_gen == it->ship_gen);
        withdraw(s, pending, day);
    } else {
        /* paid: the exporter repays it (补缴) unless the policy says otherwise */
        sh = ship_at(s, it->ship);
        if (!ship_rules(s, sh, now)->returns.repay_rebate)
            return;
        bf_ledger_book(&s->ledger, day, BF_FLOW_REBATE_REPAID, -rebate);
        sh->repaid_fen = fen_add(s, sh->repaid_fen, rebate);
    }
    /* the rebate is no longer out: the goods are worth their full cost again */
    it->value_fen += rebate;
    balance(s, BF_BAL_RETURNING, day, rebate);
}

void bf__rebate_unit_lost(struct sim *s, const struct ship *sh, struct item *it)
{
    const int32_t day = day_of(s, s->eng.now_h);
    balance(s, BF_BAL_REBATE_RECEIVABLE, day, -sh->unit_rebate_fen);
    it->value_fen += sh->unit_rebate_fen;
    balance(s, BF_BAL_RETURNING, day, sh->unit_rebate_fen);
}
