/*
 * internal.h - the model's context and the bf__ functions its files share.
 *
 * Entities live in pools and refer to each other by (index, generation);
 * no pointer into a pool is kept across a call that may allocate.
 *
 * Files, each named for the rules it holds, in the order a shipment meets
 * them: export.c (arrivals, clearance, port, departure, transit), sales.c
 * (receipt, warehouse lots, sales, buyer returns), returns.c (return
 * shipments, re-import, goods back in China), rebate.c (claims, payment,
 * withdrawal, repayment, the transition to a new method and the 30 April
 * settlement), lifecycle.c (which rules apply, when a unit or a shipment
 * is done, the item lists) and model.c (setup, the run, the metrics).
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
    P_SALES,        /* time to sale of a warehouse lot's units (draw = unit) */
    P_UNITS,        /* a unit's draws at and after its sale (draw: unit_u) */
    P_REBATE,       /* rebate draws per shipment (slot: what is drawn, see rebate.c) */
    P_RETURN_LEG,   /* consolidated return leg (entity = lane, occurrence) */
    P_REIMPORT,     /* re-import clearance and certificate (entity = batch key) */
    P_HOME,         /* resale of goods back in China (slot = unit) */
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
    EV_TRANSITION, /* the effective day under the event rule: the new rebate method */
    EV_SETTLE,     /* 30 April: unsold pre-refunded units of a shipment are settled */
    EV_COUNT
};

#define BF_MAX_ATTEMPTS       8      /* declarations per shipment */
#define BF_MAX_UNITS_PER_SHIP 100000 /* a larger draw is refused (BF_ELIMIT) */
#define NO_REF                UINT32_MAX

/* State of a shipment's shipment-level claim (rebate at departure or at
 * customs closure, or the new method taken up at the transition). */
enum { PC_NONE = 0, PC_PENDING, PC_PAID };

struct ship {
    uint64_t serial;
    uint64_t unit_seed; /* its P_UNITS stream (unit_u) */
    uint32_t n_units;
    uint32_t open_units;     /* units not yet in a final state */
    uint32_t pending_claims; /* claims of its units not yet paid */
    uint32_t next_unit;      /* warehouse lot: next unit to leave the shelf (sorted by time
                              * to sale); 0 until received */
    /* the shipment-level claim covers units [pc_from, pc_to): pc_from > 0 when
     * it was taken up at the transition after some units were sold, pc_to <
     * n_units once the units still unsold were settled on 30 April */
    uint32_t pc_from, pc_to;
    uint32_t claim, claim_gen;           /* the shipment-level claim while pending */
    uint32_t open_claim, open_claim_gen; /* latest sale claim (units sold the same day share it) */
    uint8_t channel, category, lane;
    uint8_t regime;   /* rules in force when it was created */
    uint8_t trigger;  /* the rebate trigger it follows (decided at departure) */
    uint8_t pc_state; /* PC_NONE, PC_PENDING, PC_PAID */
    uint8_t eligible; /* its units earn a rebate (rate > 0, trigger not never) */
    uint8_t counted;  /* created in the window */
    uint8_t inspected, attempts;
    uint8_t sample_slot; /* 1 + index into result samples, or 0 */
    uint8_t draws_have;  /* rebate draws cached: bit (what * 2 + regime) */
    uint8_t memo_regime;
    float u_adopt;      /* takes up the channel's trigger when below its adoption share */
    uint64_t settle_ev; /* the pending settlement event, or 0 */
    double doc_d[2];    /* rebate draws per regime: days to documents, */
    long proc_wd[2], treasury_wd[2];      /* working days of processing, of the treasury */
    int32_t memo_ready_day, memo_pay_day; /* last payment day computed, by ready day */
    int64_t unit_cost_fen, unit_rebate_fen, unit_net_fen, unit_freight_fen;
    int64_t paid_fen, repaid_fen, settled_fen; /* its rebates so far */
    double last_final_h; /* latest time one of its units reached a final state */
    double aged_h;       /* lot: when its unsold units become aged stock */
    double pc_paid_h;    /* when the shipment-level claim was paid */
    uint32_t units_home; /* units re-imported into China */
    double t[BF_MS_COUNT];
    double rework_h, screen_h, insp_h, insp_wait_h, doc_prep_h;
    double dest_d; /* destination handling drawn at departure */
    float *sale_d; /* lot: time to sale of each unit, sorted, days */
};

/* Where the rebate of a unit that left the shelf stands. */
enum {
    RB_NONE = 0, /* no rebate out: none earned, or not yet claimed (lost if it goes home) */
    RB_SHIP,     /* covered by the shipment-level claim (pending or paid: see the ship) */
    RB_SALE
}; /* covered by its own sale claim: pending while that claim lives */

struct item { /* a unit returned by a buyer, or aged stock, on its way */
    uint32_t ship, ship_gen;
    uint32_t unit;             /* index of the unit in its shipment */
    uint32_t claim, claim_gen; /* RB_SALE: the sale claim, as it was when the unit joined it */
    uint8_t aged, counted, rb;
    int64_t value_fen; /* its RETURNING balance */
    double u_disp;     /* disposition uniform, drawn at sale */
    double returned_h; /* buyer return (or aged) time */
    double queued_h;   /* joined the consolidation queue */
    uint32_t next;     /* list link (queue or batch) */
};


struct claim {
    uint32_t ship, ship_gen;
    uint32_t n_units;
    uint8_t per_ship, counted;
    int64_t unit_fen, amount_fen;
    double depart_h, trigger_h, paid_h;
    int32_t paid_day; /* day_of(paid_h) */
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

/* A list of items linked through item.next (a lane's queue, a batch). */
struct item_list {
    uint32_t head, tail, n;
};

struct batch { /* a consolidated return shipment, then a re-import group */
    uint32_t lane;
    uint64_t key; /* lane << 32 | occurrence */
    struct item_list items;
    uint8_t ordinary; /* re-imported as an ordinary import */
    double left_h, arrived_h;
};

struct lane_queue {
    struct item_list q;
    uint32_t occurrence; /* consolidation departures so far */
    uint8_t active;      /* some channel ships on this lane */
};

/* The last day within a number of months of a day (a return's 6-month and
 * 12-month limits), memoised: asked per unit, computed per shipment. */
struct month_limit {
    int32_t from, limit;
    uint32_t months;
};
#define MONTH_LIMITS 256 /* direct-mapped by the day */

/* The rebate filing day of a ready day, and the flags of its lookup. */
struct file_memo {
    int32_t day, flags; /* day INT32_MIN: not computed yet */
};

/* The arrival rate of the month the last arrival fell in. */
struct arrival_month {
    double from_h, to_h, rate_per_h;
};

/* Breakdown accumulators of one slot (a channel or a lane). */
struct bk_acc {
    struct acc m[BF_BK_COUNT];
    double sold, returned;
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
    int32_t epoch_day, window_day, window_end_day, end_day;
    double window_h, window_end_h, end_h, effective_h;
    uint64_t n_created;
    uint32_t next_planned;                /* next of in->arrivals_h */
    double cat_cum[2][BF_MAX_CATEGORIES]; /* cumulative shares per regime */
    /* draws by inversion made per unit, per regime (dist.h, bf_qtable):
     * from in->tables, or the run's own cache when the input has none */
    struct bf_qcache own_tables;
    bool own_tables_ready;
    const struct bf_qtable *tts_q[2];                 /* a unit's time to sale */
    const struct bf_qtable *settle_q[2][BF_CH_COUNT]; /* a sale's settlement lag */
    const struct bf_qtable *lag_q[2];                 /* a buyer's return lag */
    double lag_umax[2];                               /* its cdf at the return window */
    int64_t fee_fen[2]; /* the warehouse fee per unit and night, fen, per regime */
    double ch_cum[2][BF_CH_COUNT];
    double lane_cum[2][BF_CH_COUNT][BF_MAX_LANES];
    /* measurements */
    struct acc clearance, insp_wait, port_dwell, door_wh, tts, d2r, cycle, reimport;
    struct acc trs[6];
    double units_sold, units_returned, units_counted, ships_counted, exports_fen;
    double units_home_counted, units_disposed_counted;
    struct bk_acc bk[BF_BK_SLOTS];
    struct month_limit limits[MONTH_LIMITS];
    /* working days in O(1) over the run (and a margin after it), and the
     * rebate filing day of each ready day per regime (INT32_MIN: not yet) */
    struct bf_workdays wd;
    struct file_memo *file_day[2]; /* [wd.n] */
    struct arrival_month amonth;
    void *sort_tmp; /* scratch of the lot sort (sales.c), for sort_cap units */
    uint32_t sort_cap;
};

/* ---- which rules apply (lifecycle.c): decided here and nowhere else ---- */

/* Rules of a regime (0 old, 1 new). */
static inline const struct bf_params *rules(const struct sim *s, int regime)
{
    return regime ? s->in->new_rules : s->in->old_rules;
}

/* Regime in force at time t_h (city-level processes). */
static inline int regime_at(const struct sim *s, double t_h)
{
    return t_h >= s->effective_h ? 1 : 0;
}

/* Regime a shipment follows at time t_h: its creation day's under the
 * creation rule, the day's under the event rule. */
static inline int ship_regime(const struct sim *s, const struct ship *sh, double t_h)
{
    return s->in->rule == BF_RULE_CREATION ? sh->regime : regime_at(s, t_h);
}

/* Rules a shipment follows at time t_h. */
static inline const struct bf_params *ship_rules(const struct sim *s, const struct ship *sh,
                                                 double t_h)
{
    return rules(s, ship_regime(s, sh, t_h));
}

/* The rebate trigger a shipment follows under the rules it follows at t_h. */
static inline enum bf_rebate_trigger ship_trigger(const struct sim *s, const struct ship *sh,
                                                  double t_h)
{
    const struct bf_channel_params *ch = &ship_rules(s, sh, t_h)->channel[sh->channel];
    return (double)sh->u_adopt < ch->trigger_adoption ? ch->trigger : ch->fallback_trigger;
}

static inline struct ship *ship_at(struct sim *s, uint32_t i)
{
    return bf_pool_at(&s->ships, i);
}

static inline struct item *item_at(struct sim *s, uint32_t j)
{
    return bf_pool_at(&s->items, j);
}

static inline int32_t day_of(const struct sim *s, double t_h)
{
    return bf_cal_day_of(s->epoch_day, t_h);
}

static inline double time_of(const struct sim *s, int32_t day, double hour)
{
    return bf_cal_time_h(s->epoch_day, day, hour);
}

/*
 * The furthest a time may lie after the run's start before the model
 * turns it into a day: 10^8 days (about 270 000 years). Validation keeps
 * every delay within BF_DELAY_MAX_D days in its far tail (params.h), so
 * only a draw from beyond that tail can get here -- once in far more than
 * 10^12 draws, or never; but a draw is not a bug, so it ends the run with
 * BF_ERANGE and a message (bf__time_beyond) instead of an assertion. Below
 * this the day numbers, and the working days and months the rules add to
 * them, stay far inside int32_t.
 */
#define MAX_AHEAD_D 1e8

/* Whether a time (hours since the run's start; NaN is not) can be made a day. */
static inline bool time_ok(double t_h)
{
    return t_h <= 24.0 * MAX_AHEAD_D;
}

/* Whether a count of working days drawn from a distribution can be added. */
static inline bool wd_ok(double n_wd)
{
    return n_wd <= MAX_AHEAD_D;
}

/*
 * A delay drawn from the parameter `param` (printf-style) reached value
 * (hours after the run's start, or working days with in_wd): says so in
 * the run's diag and returns BF_ERANGE, which ends the run (the batch adds
 * the city, policy, replication and seed).
 */
int bf__time_beyond(struct sim *s, double value, bool in_wd, const char *param, ...)
    __attribute__((format(printf, 4, 5)));

/* A breakdown observation of a shipment: into its channel's and its lane's slot. */
static inline void bk_add(struct sim *s, const struct ship *sh, enum bf_breakdown k, double x,
                          double w)
{
    acc_add(&s->bk[sh->channel].m[k], x, w);
    acc_add(&s->bk[BF_CH_COUNT + sh->lane].m[k], x, w);
}

/* Whether a day lies in the measurement window. */
static inline bool in_window(const struct sim *s, int32_t day)
{
    return day >= s->window_day && day < s->window_end_day;
}

/* Draw from a distribution on the entity stream (purpose, entity, slot). */
static inline gsl_rng *erng(struct sim *s, enum purpose p, uint64_t entity, uint32_t slot)
{
    return bf_streams_entity(&s->rng, (uint32_t)p, entity, slot);
}

/*
 * The draws of unit k of a shipment at and after its sale, each one
 * uniform, by inversion: draw k * UD_COUNT + j of the shipment's P_UNITS
 * stream -- one seed per shipment, a counter per draw (rng.h), so that a
 * unit costs no re-seeding and its draws are the same under every policy.
 */
enum unit_draw {
    UD_RETURN = 0, /* whether the buyer returns it */
    UD_LAG,        /* when */
    UD_DISP,       /* what becomes of it then (or of aged stock) */
    UD_SETTLE,     /* the settlement lag of its sale (unit 0: a whole delivery's) */
    UD_COUNT
};

static inline double unit_u(const struct ship *sh, uint32_t k, enum unit_draw j)
{
    return bf_rng_entity_u(sh->unit_seed, k * UD_COUNT + j);
}

/* Seed of the entity stream (purpose, entity, slot), for bf_rng_entity_u:
 * the draws a unit makes by inversion, one uniform each. */
static inline uint64_t eseed(const struct sim *s, enum purpose p, uint64_t entity, uint32_t slot)
{
    return bf_streams_entity_seed(&s->rng, (uint32_t)p, entity, slot);
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

/* A balance change of the unit's working capital, booked today or later. */
static inline void balance(struct sim *s, enum bf_balance b, int32_t day, int64_t delta_fen)
{
    bf_ledger_balance(&s->ledger, b, day, delta_fen);
}

/* Cost of a unit net of its rebate once exported: what its stock is worth
 * in the inventory balance (the rebate is carried as a receivable). */
static inline int64_t unit_net_cost(const struct ship *sh)
{
    return sh->unit_cost_fen - (sh->eligible ? sh->unit_rebate_fen : 0);
}

/* ---- lifecycle.c ---- */

/* Calendar flags of a lookup (BF_CAL_UNKNOWN, BF_CAL_PROJECTED) are counted. */
void bf__note_cal(struct sim *s, int flags, int32_t day);

/* Whether `day` is within `months` calendar months of `from` (inclusive):
 * at most the same day of the month `months` later (its last day in a
 * shorter month). */
bool bf__within_months(struct sim *s, int32_t from, int32_t day, uint32_t months);

/* A unit reaches a final state at t_h (now, or later for the units of a lot
 * handled ahead, sales.c); frees the shipment when nothing is left. The
 * plural: n > 0 units at once. */
void bf__unit_final_at(struct sim *s, uint32_t ship, enum bf_unit_state st, double t_h);
void bf__units_final_at(struct sim *s, uint32_t ship, enum bf_unit_state st, uint32_t n,
                        double t_h);
static inline void bf__unit_final(struct sim *s, uint32_t ship, enum bf_unit_state st)
{
    bf__unit_final_at(s, ship, st, s->eng.now_h);
}
/* A claim of the shipment is settled (paid or withdrawn). */
void bf__claim_settled(struct sim *s, uint32_t ship);
/* The record of a shipment, for samples and the callback. */
void bf__emit_record(struct sim *s, const struct ship *sh);

/* A new item for unit k of shipment i (a buyer return or aged stock); its
 * rebate standing `rb`, and the sale claim (index and generation as they
 * were when the unit joined it) for RB_SALE. */
int bf__item_new(struct sim *s, uint32_t i, uint32_t k, uint8_t rb, uint32_t claim,
                 uint32_t claim_gen, uint32_t *out);
void bf__list_init(struct item_list *l);
void bf__list_append(struct sim *s, struct item_list *l, uint32_t item);

/* ---- export.c ---- */
int bf__on_arrival(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_declare(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_screened(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_inspected(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_shift(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_depart(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_arrive_abroad(struct bf_engine *e, uint32_t entity, void *ctx);
double bf__next_arrival(struct sim *s, double t_h);
int bf__schedule_shift(struct sim *s);

/* ---- sales.c ---- */
int bf__on_received(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_lot(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_buyer_return(struct bf_engine *e, uint32_t entity, void *ctx);

/* ---- returns.c ---- */
int bf__on_consolidate(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_batch_arrive(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_reimported(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__queue_for_china(struct sim *s, uint32_t item);

/* ---- rebate.c ---- */
/*
 * A rebate claim for n_units of the shipment triggered at trigger_h;
 * per_ship: the shipment-level claim (then the shipment records it).
 * Units of a sale whose claim would be paid on the same day as the
 * shipment's latest sale claim join it (one filing covers them). *claim
 * and *claim_gen get the claim, or NO_REF when there is nothing to claim.
 */
int bf__claim_create(struct sim *s, uint32_t ship, uint32_t n_units, double trigger_h,
                     bool per_ship, uint32_t *claim, uint32_t *claim_gen);
int bf__on_claim_paid(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_transition(struct bf_engine *e, uint32_t entity, void *ctx);
int bf__on_settle(struct bf_engine *e, uint32_t entity, void *ctx);
/* The settlement deadline of a pre-refund paid on `day`: 30 April of the
 * next year, at the end of the working day. */
double bf__settlement_h(const struct sim *s, int32_t day);
/* Whether unit k's rebate is covered by the shipment-level claim. */
bool bf__ship_claim_covers(const struct ship *sh, uint32_t k);
/* The rebate standing of unit k of a shipment when it leaves the shelf or
 * its buyer: RB_SHIP or RB_NONE (a sale claim is the caller's). */
uint8_t bf__unit_rb(const struct ship *sh, uint32_t k);
/* The rebate of one unit comes back with it to China: withdrawn from a
 * pending claim, repaid, or (never claimed) lost. Its value in the
 * RETURNING balance grows by the rebate that is no longer out. */
void bf__rebate_unit_back(struct sim *s, struct item *it);
/* An aged unit goes home before its rebate was claimed: the rebate is lost. */
void bf__rebate_unit_lost(struct sim *s, const struct ship *sh, struct item *it);

#endif
