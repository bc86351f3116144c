/*
 * lifecycle.c - when a unit and a shipment are done, the record a finished
 * shipment leaves, the items on their way back and the lists they wait in;
 * a time too far ahead for the calendar.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

void bf__note_cal(struct sim *s, int flags, int32_t day)
{
    if (flags & BF_CAL_UNKNOWN) {
        if (s->out->calendar_unknown++ == 0)
            s->out->calendar_unknown_day = day;
    }
    if (flags & BF_CAL_PROJECTED)
        s->out->calendar_projected++;
}

int bf__time_beyond(struct sim *s, double value, bool in_wd, const char *param, ...)
{
    char name[96];
    va_list ap;
    va_start(ap, param);
    vsnprintf(name, sizeof name, param, ap);
    va_end(ap);
    if (in_wd)
        bf_diag_set(s->diag,
                    "%s drew %.3g working days, more than the %.0f the calendar can count; "
                    "its distribution's far tail is too long (docs/scenarios.md, Limits)",
                    name, value, MAX_AHEAD_D);
    else
        bf_diag_set(s->diag,
                    "a delay drawn from %s reaches %.3g days after the run's start, beyond the "
                    "%.0f days the calendar can count; its distribution's far tail is too long "
                    "(docs/scenarios.md, Limits)",
                    name, value / 24.0, MAX_AHEAD_D);
    return BF_ERANGE;
}

static int32_t month_limit(int32_t from, uint32_t months)
{
    int y, m, d;
    bf_date_to_ymd(from, &y, &m, &d);
    int64_t mm = (int64_t)m - 1 + months;
    int ny = y + (int)(mm / 12), nm = (int)(mm % 12) + 1;
    if (ny > BF_CAL_MAX_YEAR)
        return INT32_MAX;
    int dim = bf_date_days_in_month(ny, nm);
    return bf_date_from_ymd(ny, nm, d < dim ? d : dim);
}

bool bf__within_months(struct sim *s, int32_t from, int32_t day, uint32_t months)
{
    struct month_limit *c = &s->limits[((uint32_t)from * 2654435761u + months) % MONTH_LIMITS];
    if (c->from != from || c->months != months || c->limit == 0) {
        c->from = from;
        c->months = months;
        c->limit = month_limit(from, months);
    }
    return day <= c->limit;
}

void bf__emit_record(struct sim *s, const struct ship *sh)
{
    struct bf_shipment_record rec;
    memset(&rec, 0, sizeof rec);
    rec.serial = sh->serial;
    rec.channel = (enum bf_channel)sh->channel;
    rec.category = sh->category;
    rec.lane = sh->lane;
    rec.units = sh->n_units;
    rec.inspected = sh->inspected;
    rec.regime = sh->regime;
    rec.trigger = (enum bf_rebate_trigger)sh->trigger;
    rec.unit_rebate_fen = sh->eligible ? sh->unit_rebate_fen : 0;
    rec.rebate_paid_fen = sh->paid_fen;
    rec.rebate_repaid_fen = sh->repaid_fen;
    rec.rebate_settled_fen = sh->settled_fen;
    rec.units_back_in_china = sh->units_home;
    memcpy(rec.t_h, sh->t, sizeof rec.t_h);
    if (sh->sample_slot != 0)
        s->out->sample[sh->sample_slot - 1] = rec;
    if (s->in->on_shipment != NULL)
        s->in->on_shipment(&rec, s->in->on_shipment_ctx);
}

static void ship_maybe_done(struct sim *s, uint32_t i)
{
    struct ship *sh = ship_at(s, i);
    if (sh->open_units != 0 || sh->pending_claims != 0)
        return;
    BF_ASSERT(sh->sale_d == NULL);
    /* every unit is sold or gone: a settlement still scheduled has nothing
     * left to settle */
    if (sh->settle_ev != 0) {
        int rc = bf_engine_cancel(&s->eng, sh->settle_ev);
        BF_ASSERT(rc == 0);
        sh->settle_ev = 0;
    }
    sh->t[BF_MS_DONE] = fmax(s->eng.now_h, sh->last_final_h);
    bf__emit_record(s, sh);
    bf_pool_free(&s->ships, i);
}

void bf__units_final_at(struct sim *s, uint32_t ship, enum bf_unit_state st, uint32_t n, double t_h)
{
    struct ship *sh = ship_at(s, ship);
    BF_ASSERT(n > 0 && sh->open_units >= n);
    if (t_h > sh->last_final_h)
        sh->last_final_h = t_h;
    BF_ASSERT(st != BF_US_IN_FLIGHT);
    sh->open_units -= n;
    s->out->unit_states[st] += n;
    if (sh->counted) {
        if (st == BF_US_BACK_IN_CHINA)
            s->units_home_counted += n;
        else if (st == BF_US_DISPOSED_ABROAD)
            s->units_disposed_counted += n;
    }
    ship_maybe_done(s, ship);
}

void bf__unit_final_at(struct sim *s, uint32_t ship, enum bf_unit_state st, double t_h)
{
    bf__units_final_at(s, ship, st, 1, t_h);
}

void bf__claim_settled(struct sim *s, uint32_t ship)
{
    struct ship *sh = ship_at(s, ship);
    BF_ASSERT(sh->pending_claims > 0);
    sh->pending_claims--;
    ship_maybe_done(s, ship);
}

int bf__item_new(struct sim *s, uint32_t i, uint32_t k, uint8_t rb, uint32_t claim,
                 uint32_t claim_gen, uint32_t *out)
{
    uint32_t j;
    int rc = bf_pool_alloc(&s->items, &j);
    if (rc != 0)
        return rc;
    struct item *it = item_at(s, j);
    const struct ship *sh = ship_at(s, i);
    it->ship = i;
    it->ship_gen = bf_pool_gen(&s->ships, i);
    it->unit = k;
    it->rb = rb;
    BF_ASSERT(rb != RB_SALE || claim != NO_REF);
    it->claim = rb == RB_SALE ? claim : NO_REF;
    it->claim_gen = rb == RB_SALE ? claim_gen : 0;
    it->counted = sh->counted;
    it->next = NO_REF;
    *out = j;
    return 0;
}

void bf__list_init(struct item_list *l)
{
    l->head = l->tail = NO_REF;
    l->n = 0;
}

void bf__list_append(struct sim *s, struct item_list *l, uint32_t j)
{
    item_at(s, j)->next = NO_REF;
    if (l->tail == NO_REF)
        l->head = j;
    else
        item_at(s, l->tail)->next = j;
    l->tail = j;
    l->n++;
}
