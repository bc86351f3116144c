/*
 * internal.h - the model's context and the bf__ functions its files share.
 *
 * Entities live in pools and refer to each other by (index, generation);
 * no pointer into a pool is kept across a call that may allocate.
 */
#ifndef BF_MODEL_INTERNAL_H
#define BF_MODEL_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "borderflow/dist.h"
#include "borderflow/event.h"
#include "borderflow/ledger.h"
#include "borderflow/model.h"
#include "borderflow/pool.h"
#include "borderflow/resource.h"
#include "borderflow/rng.h"

/* Purposes of random streams. Appending is safe; reordering changes every
 * result (golden files say so). */
enum purpose {
    P_ARRIVALS = 0, /* purpose stream: inter-arrival times */
    P_ATTR,         /* shipment attributes: channel, category, lane, units, cost */
    P_DOCS,         /* document preparation, errors and rework (slot = attempt) */
    P_SCREEN,       /* risk screening */
    P_INSPECT,      /* inspection decision and duration */
    P_PORT,         /* port handling */
    P_TRANSIT,      /* transit and destination handling */
    P_SALES,        /* time to sale per unit (slot = unit) */
    P_SETTLE,       /* settlement lags (slot = unit) */
    P_RETURNS,      /* buyer return, lag, disposition per unit (slot = unit) */
    P_REBATE,       /* doc collection, processing, treasury per shipment */
    P_RETURN_LEG,   /* consolidated return leg (entity = lane, occurrence) */
    P_REIMPORT,     /* re-import clearance and certificate (entity = batch key) */
    P_COUNT
};

enum ev {
    EV_ARRIVAL = 0,
    EV_DECLARE,
    EV_SCREENED,
    EV_INSPECTED,
    EV_DEPART,
    EV_ARRIVE_ABROAD,
    EV_RECEIVED,
    EV_LOT,
    EV_BUYER_RETURN,
    EV_CONSOLIDATE,
    EV_BATCH_ARRIVE,
    EV_REIMPORTED,
    EV_CLAIM_PAID,
    EV_SHIFT,
    EV_COUNT
};

#define BF_MAX_ATTEMPTS       8      /* declarations per shipment */
#define BF_MAX_UNITS_PER_SHIP 100000 /* a larger draw is refused (BF_ELIMIT) */
#define NO_REF                UINT32_MAX

struct ship {
    uint64_t serial;
    uint32_t n_units;
    uint32_t open_units;     /* units not yet in a final state */
    uint32_t pending_claims; /* claims of its units not yet paid */
    uint32_t next_unit;      /* warehouse lot: next unit (sorted by time to sale) */
    uint8_t channel, category, lane, regime, trigger;
    uint8_t counted, inspected, attempts;
    uint8_t sample_slot;                  /* 1 + index into result samples, or 0 */
    uint8_t claim_paid;                   /* its shipment-level claim has been paid */
    uint32_t claim, claim_gen;            /* shipment-level claim (departure/closure), or NO_REF */
    uint32_t open_claim, open_claim_gen;  /* latest claim of units sold (rebate at sale) */
    uint8_t draws_regime;                 /* regime of the cached rebate draws, or 0xff */
    double doc_d, proc_wd, treasury_d;    /* rebate draws, one set per shipment */
    int32_t memo_ready_day, memo_pay_day; /* last payment day computed, by ready day */
    uint8_t memo_regime;
    int64_t unit_cost_fen, unit_rebate_fen, unit_net_fen, unit_freight_fen;
    double t[BF_MS_COUNT];
    double rework_h, screen_h, insp_h, insp_wait_h, doc_prep_h;
    double dest_d; /* destination handling drawn at departure */
    float *sale_d; /* lot: time to sale of each unit, sorted, days */
};

struct item { /* a unit returned by a buyer, or aged stock, on its way */
    uint32_t ship, ship_gen;
    uint32_t unit;             /* index of the unit in its shipment */
    uint32_t claim, claim_gen; /* the claim holding its rebate, or NO_REF */
    uint8_t aged, counted;
    double u_disp;     /* disposition uniform, drawn at sale */
    double returned_h; /* buyer return (or aged) time */
    double queued_h;   /* joined the consolidation queue */
    uint32_t next;     /* list link (queue or batch) */
};

struct batch { /* a consolidated return shipment, then a re-import group */
    uint32_t lane;
    uint64_t key; /* lane << 32 | occurrence */
    uint32_t head, n_items;
    uint8_t ordinary; /* re-imported as an ordinary import */
    double left_h, arrived_h;
};

struct claim {
    uint32_t ship, ship_gen;
    uint32_t n_units;
    uint8_t per_ship, counted;
    int64_t unit_fen, amount_fen;
    double depart_h, trigger_h, paid_h;
    uint64_t ev;
};

struct acc {
    double sum, n;
};

static inline void acc_add(struct acc *a, double x, double w)
{
    a->sum += x * w;
    a->n += w;
}

static inline double acc_mean(const struct acc *a)
{
    return a->n > 0.0 ? a->sum / a->n : (double)NAN;
}

struct lane_queue {
    uint32_t head, tail, n;
    uint32_t occurrence; /* consolidation departures so far */
    uint8_t active;      /* some channel ships on this lane */
};

struct sim {
    const struct bf_model_input *in;
    struct bf_model_result *out;
    struct bf_diag *diag;
    struct bf_engine eng;
    struct bf_streams rng;
    struct bf_ledger ledger;
    struct bf_pool ships, items, batches, claims;
    struct bf_resource teams;
    struct lane_queue lq[BF_MAX_LANES];
    int32_t epoch_day, warm_day, horizon_end_day, end_day;
    double horizon_end_h, end_h, effective_h;
    uint64_t n_created;
    uint32_t next_planned;                /* next of in->arrivals_h */
    double cat_cum[2][BF_MAX_CATEGORIES]; /* cumulative shares per regime */
    double ch_cum[2][BF_CH_COUNT];
    double lane_cum[2][BF_CH_COUNT][BF_MAX_LANES];
    /* measurements */
    struct acc clearance, insp_wait, port_dwell, door_wh, tts, d2r, cycle, reimport;
    struct acc trs[6];
    double units_sold, units_returned, units_counted, ships_counted;
};

/* Rules of a regime (0 old, 1 new). */
static inline const struct bf_params *rules(const struct sim *s, int regime)
{
    return regime ? s->in->new_rules : s->in->old_rules;
}

/* Regime in force at time t_h. */
static inline int regime_at(const struct sim *s, double t_h)
{
    return t_h >= s->effective_h ? 1 : 0;
}

/* Rules a shipment follows at time t_h. */
static inline const struct bf_params *ship_rules(const struct sim *s, const struct ship *sh,
                                                 double t_h)
{
    if (s->in->rule == BF_RULE_CREATION)
        return rules(s, sh->regime);
    return rules(s, regime_at(s, t_h));
}

static inline struct ship *ship_at(struct sim *s, uint32_t i)
{
    return bf_pool_at(&s->ships, i);
}

static inline int32_t day_of(const struct sim *s, double t_h)
{
    return bf_cal_day_of(s->epoch_day, t_h);
}

static inline double time_of(const struct sim *s, int32_t day, double hour)
{
    return bf_cal_time_h(s->epoch_day, day, hour);
}

/* Draw from a distribution on the entity stream (purpose, entity, slot). */
static inline gsl_rng *erng(struct sim *s, enum purpose p, uint64_t entity, uint32_t slot)
{
    return bf_streams_entity(&s->rng, (uint32_t)p, entity, slot);
}

/*
 * Amounts of n units, checked: a unit amount of up to 1e14 fen (a 1e9 CNY
 * unit cost, the loader's cap, times a price multiple of 1000) times 1e5
 * units leaves the int64 range, and signed overflow is undefined behaviour.
 * Instead the ledger's overflow flag is set -- the run then ends with
 * BF_ERANGE and a message -- and the amount saturates.
 */
static inline int64_t fen_mul(struct sim *s, int64_t unit_fen, int64_t n)
{
    int64_t v;
    if (!__builtin_mul_overflow(unit_fen, n, &v))
        return v;
    s->ledger.overflow = true;
    return (unit_fen < 0) != (n < 0) ? -INT64_MAX : INT64_MAX;
}

static inline int64_t fen_add(struct sim *s, int64_t a, int64_t b)
{
    int64_t v;
    if (!__builtin_add_overflow(a, b, &v))
        return v;
    s->ledger.overflow = true;
    return b < 0 ? -INT64_MAX : INT64_MAX;
}

/* Calendar lookups outside the known years are counted, not ignored. */
void bf__note_unknown(struct sim *s, int rc, int32_t day);

/* Whether `day` is within `months` calendar months of `from` (inclusive). */
bool bf__within_months(int32_t from, int32_t day, uint32_t months);

/* A unit reaches a final state; frees the shipment when nothing is left. */
void bf__unit_final(struct sim *s, uint32_t ship, enum bf_unit_state st);
/* A claim of the shipment is settled (paid or withdrawn). */
void bf__claim_settled(struct sim *s, uint32_t ship);

/* export.c */
int bf__on_arrival(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_declare(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_screened(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_inspected(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_shift(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_depart(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_arrive_abroad(struct bf_engine *e, uint32_t entity, void *ctx);
double bf__next_arrival(struct sim *s, double t_h);
int bf__schedule_shift(struct sim *s);

/* sales.c */
int bf__on_received(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_lot(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_buyer_return(struct bf_engine *e, uint32_t entity, void *ctx);

/* returns.c */
int bf__on_consolidate(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_batch_arrive(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_reimported(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__queue_for_china(struct sim *s, uint32_t item);
int bf__dispose_abroad(struct sim *s, uint32_t item, bool liquidate);

/* rebate.c */
/*
 * A rebate claim for n_units of the shipment triggered at trigger_h. Units
 * whose claim would be filed and paid on the same day as the shipment's
 * latest claim join it (one filing covers them); otherwise a new claim is
 * made. *claim gets the claim, or NO_REF when there is nothing to claim.
 */
int bf__claim_create(struct sim *s, uint32_t ship, uint32_t n_units, double trigger_h,
                     uint32_t *claim);
int bf__on_claim_paid(struct bf_engine *e, uint32_t entity, void *ctx);
/* The rebate of one unit comes back with it to China: withdraw it from a
 * pending claim or repay it. */
void bf__rebate_unit_back(struct sim *s, struct item *it);
/* Receivable of one unit whose rebate is lost before any claim. */
void bf__rebate_unit_lost(struct sim *s, const struct ship *sh);

#endif
