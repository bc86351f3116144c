/*
 * model.h - the shipment model: one (city, policy, replication) per call.
 *
 * bf_model_run() simulates every shipment a city creates over the horizon
 * -- declaration, inspection queue, departure, transit, warehouse sales,
 * buyer returns, consolidated return shipments and re-import, rebate
 * filing, payment and repayment -- and books every cash flow on its date.
 * All state lives in the call's own context, so the batch layer can run
 * many calls on many threads at once. The model knows nothing of files or
 * JSON: traces leave through callbacks.
 *
 * A policy is two rule sets: `old_rules` before the city's effective day,
 * `new_rules` from it on; `rule` says whether a shipment follows the rules
 * of its creation day or those of each event's day (and with `event`,
 * goods exported earlier and not yet claimed take up the new rebate method
 * on the effective day). City-level processes (inspection teams, return
 * consolidation, re-import of a consolidated batch) follow the rules of the
 * event's day. The *before* run of a study passes the same set twice.
 *
 * Time: the run starts on start_day with nothing in the pipeline, creates
 * shipments until the end of the measurement window, and runs tail_days
 * more. The warm-up before the window lets stock and receivables fill;
 * every metric is taken in the window (docs/model.md §5).
 */
#ifndef BORDERFLOW_MODEL_H
#define BORDERFLOW_MODEL_H

#include <stdint.h>

#include "borderflow/calendar.h"
#include "borderflow/event.h"
#include "borderflow/ledger.h"
#include "borderflow/params.h"
#include "borderflow/stats.h"

/* name, unit, description. Timing metrics are over the shipments created in
 * the measurement window; cash metrics over the flows dated in it and the
 * balances at the end of each of its days (docs/model.md §5-§6). */
#define BF_METRIC_MAP(XX)                                                                          \
    XX(shipments, "shipments", "shipments created in the window")                                  \
    XX(units, "units", "units in those shipments")                                                 \
    XX(exports_cny, "CNY", "goods exported (left China) in the window, at cost")                   \
    XX(export_clearance_h, "h",                                                                    \
       "declaration lodged -> customs release, rework and inspections "                            \
       "included")                                                                                 \
    XX(inspection_wait_h, "h", "queue wait of inspected shipments for an inspection team")         \
    XX(port_dwell_d, "d", "customs release -> departure")                                          \
    XX(door_to_warehouse_d, "d", "created -> overseas warehouse receipt (9810)")                   \
    XX(time_to_sale_d, "d", "warehouse receipt -> sale, per unit sold (9810)")                     \
    XX(days_to_rebate, "d", "departure -> rebate received, per unit")                              \
    XX(return_rate, "share", "units returned by buyers / units sold to buyers")                    \
    XX(return_cycle_d, "d", "buyer return -> released back in China, per unit")                    \
    XX(reimport_clearance_h, "h",                                                                  \
       "arrival in China -> re-import release, certificate wait "                                  \
       "included, per unit")                                                                       \
    XX(rebate_paid_cny, "CNY", "export VAT rebates received in the window")                        \
    XX(rebate_repaid_cny, "CNY", "rebates repaid in the window for goods back in China")           \
    XX(rebate_settled_cny, "CNY", "pre-refunds repaid in the window at the 30 April settlement")   \
    XX(wc_avg_cny, "CNY",                                                                          \
       "working capital: inventory + receivables + rebate receivable, mean of the window's "       \
       "end-of-day values")                                                                        \
    XX(wc_peak_cny, "CNY", "working capital: largest end-of-day value in the window")              \
    XX(wc_inventory_avg_cny, "CNY",                                                                \
       "inventory at cost (net of the rebate once exported), returning goods included, mean")      \
    XX(wc_returning_avg_cny, "CNY",                                                                \
       "of the inventory: goods returning to China or awaiting "                                   \
       "resale there, mean")                                                                       \
    XX(wc_receivables_avg_cny, "CNY", "trade receivables (sold, proceeds not yet received), mean") \
    XX(wc_rebate_receivable_avg_cny, "CNY",                                                        \
       "export rebate receivable (from departure to payment), mean")                               \
    XX(cash_cycle_d, "d", "average working capital / exports per day of the window")               \
    XX(financing_cost_cny, "CNY", "financing rate x working capital over the window's days / 365") \
    XX(npv_cny, "CNY",                                                                             \
       "window NPV: -opening pipeline + every flow + closing pipeline, discounted")                \
    XX(trs_doc_prep_h, "h", "TRS segment: document preparation, per shipment")                     \
    XX(trs_rework_h, "h", "TRS segment: rework of rejected declarations, per shipment")            \
    XX(trs_screening_h, "h", "TRS segment: risk screening, per shipment")                          \
    XX(trs_inspection_wait_h, "h", "TRS segment: wait for an inspection team, per shipment")       \
    XX(trs_inspection_h, "h", "TRS segment: inspection, per shipment")                             \
    XX(trs_port_dwell_h, "h", "TRS segment: release -> departure, per shipment")                   \
    XX(inspection_utilisation, "share", "time-weighted busy teams / available teams")              \
    XX(units_back_in_china, "units", "units of the window's shipments re-imported into China")     \
    XX(units_disposed_abroad, "units",                                                             \
       "units of the window's shipments disposed of or liquidated abroad")

enum bf_metric {
#define XX(name, unit, desc) BF_M_##name,
    BF_METRIC_MAP(XX)
#undef XX
        BF_METRIC_COUNT
};

const char *bf_metric_name(enum bf_metric m);
const char *bf_metric_unit(enum bf_metric m);
const char *bf_metric_desc(enum bf_metric m);
/* Index of a metric by name, or -1. */
int bf_metric_find(const char *name);

/* Final states of a unit; every unit created is in exactly one at the end. */
enum bf_unit_state {
    BF_US_SOLD = 0,        /* sold (delivered) and kept by the buyer */
    BF_US_RESOLD_ABROAD,   /* returned by a buyer and resold abroad */
    BF_US_DISPOSED_ABROAD, /* returned or aged, disposed of / liquidated abroad */
    BF_US_BACK_IN_CHINA,   /* shipped back and re-imported */
    BF_US_IN_FLIGHT,       /* not yet final when the window closed */
    BF_US_COUNT
};

/* Milestones of one shipment, hours since the horizon start; NaN = not reached. */
enum bf_milestone {
    BF_MS_CREATED = 0,
    BF_MS_DECLARED,
    BF_MS_RELEASED,
    BF_MS_DEPARTED,
    BF_MS_ARRIVED,
    BF_MS_RECEIVED, /* warehouse receipt (9810) or delivery */
    BF_MS_FIRST_SALE,
    BF_MS_REBATE_PAID, /* first rebate payment for its units */
    BF_MS_DONE,        /* last unit in a final state */
    BF_MS_COUNT
};
const char *bf_milestone_name(enum bf_milestone m);

struct bf_shipment_record {
    uint64_t serial;
    enum bf_channel channel;
    uint32_t category, lane, units;
    int inspected, regime;          /* regime: 0 old rules, 1 new, at creation */
    enum bf_rebate_trigger trigger; /* the trigger it followed last */
    int64_t unit_rebate_fen;        /* rebate per unit, 0 when it has none */
    int64_t rebate_paid_fen, rebate_repaid_fen, rebate_settled_fen;
    uint32_t units_back_in_china;
    double t_h[BF_MS_COUNT];
};

typedef void bf_shipment_fn(const struct bf_shipment_record *rec, void *ctx);

/* A rebate claim was paid: the shipment, how many of its units, when the
 * claim was triggered and when it was paid (hours). */
typedef void bf_claim_fn(uint64_t serial, uint32_t n_units, double trigger_h, double paid_h,
                         void *ctx);

#define BF_HIST_DAYS   400 /* distributions: 1-day bins on [0, 400) */
#define BF_MAX_SAMPLES 8

/* ---- breakdown by channel and by lane (breakdown.csv) ---- */

/* metrics broken down: name, unit (the metric of the same name) */
#define BF_BREAKDOWN_MAP(XX)                                                                       \
    XX(shipments)                                                                                  \
    XX(exports_cny)                                                                                \
    XX(export_clearance_h)                                                                         \
    XX(port_dwell_d)                                                                               \
    XX(door_to_warehouse_d)                                                                        \
    XX(time_to_sale_d)                                                                             \
    XX(days_to_rebate)                                                                             \
    XX(return_rate)

enum bf_breakdown {
#define XX(name) BF_BK_##name,
    BF_BREAKDOWN_MAP(XX)
#undef XX
        BF_BK_COUNT
};

enum bf_dimension { BF_DIM_CHANNEL = 0, BF_DIM_LANE, BF_DIM_COUNT };

/* Slots of a breakdown: the channels, then the lanes. */
#define BF_BK_SLOTS (BF_CH_COUNT + BF_MAX_LANES)

/* The metric a breakdown entry reports. */
enum bf_metric bf_breakdown_metric(enum bf_breakdown k);
const char *bf_dimension_name(enum bf_dimension d); /* "channel", "lane" */

struct bf_model_input {
    const struct bf_params *old_rules;
    const struct bf_params *new_rules; /* may equal old_rules */
    int32_t effective_day;             /* first day of the new rules */
    enum bf_regime_rule rule;
    const struct bf_calendar *cal;
    int32_t start_day;     /* the simulation starts here, with an empty pipeline */
    int32_t window_day;    /* first day of the measurement window (>= start_day) */
    uint32_t window_days;  /* its length (>= 1); shipments are created until its end */
    uint32_t tail_days;    /* the run continues this long after it, so that its
                            * shipments complete */
    double financing_rate; /* annual */
    double discount_rate;  /* annual */
    uint64_t seed;
    uint32_t city_index, replication;
    const char *city_name, *policy_name; /* for failure reports only */
    uint32_t n_samples;                  /* milestone samples to keep (<= BF_MAX_SAMPLES) */
    int32_t sample_from_day;     /* samples are 9810 shipments created on or after this day */
    bf_shipment_fn *on_shipment; /* optional: every shipment's milestones */
    void *on_shipment_ctx;
    bf_claim_fn *on_claim; /* optional: every rebate payment */
    void *on_claim_ctx;
    /* optional: shipments are created at exactly these times (hours since
     * start_day, in increasing order, before the window's end) instead of by
     * the Poisson process -- a given shipment plan, or a test worked out by
     * hand */
    const double *arrivals_h;
    uint32_t n_arrivals;
    bf_trace_fn *event_trace; /* optional: every event */
    void *event_trace_ctx;
    uint64_t max_events;         /* 0 = unlimited; else BF_ELIMIT beyond */
    const atomic_int *interrupt; /* optional: nonzero stops the run (BF_EINTR) */
    /* optional: the tables of draws by inversion (dist.h), shared by runs;
     * NULL: the run builds its own. Either way the same draws. */
    struct bf_qcache *tables;
};

struct bf_model_result {
    double metric[BF_METRIC_COUNT]; /* NaN where nothing was observed */
    /* by channel (slots 0..3) and lane (4..): NaN where nothing was observed */
    double breakdown[BF_BK_SLOTS][BF_BK_COUNT];
    int32_t first_day;     /* the simulation's first day */
    uint32_t n_days;       /* warm-up + window + tail */
    uint32_t window_from;  /* the window: days [window_from, window_from + window_days) */
    uint32_t window_days;  /* of the run */
    int64_t *position_fen; /* [window_days] cash position, net flows cumulated from
                            * the window's first day */
    int64_t *balance_fen;  /* [BF_BAL_COUNT * n_days] end-of-day balances, every day */
    int64_t flow_total_fen[BF_FLOW_COUNT];  /* everything booked */
    int64_t flow_beyond_fen[BF_FLOW_COUNT]; /* booked after the run's last day */
    int64_t flow_window_fen[BF_FLOW_COUNT]; /* dated in the window */
    int64_t balance_open_fen[BF_BAL_COUNT]; /* every change booked, later days included:
                                             * 0 once everything is resolved */
    struct bf_hist days_to_rebate;          /* per unit, weighted by units */
    struct bf_hist return_cycle;            /* per unit */
    uint64_t unit_states[BF_US_COUNT];      /* all units, warm-up included */
    uint64_t units_created;
    struct bf_shipment_record sample[BF_MAX_SAMPLES];
    uint32_t n_samples;
    uint64_t n_events;
    uint64_t calendar_unknown;    /* lookups outside the calendar's years */
    int32_t calendar_unknown_day; /* first such day, or INT32_MIN */
    uint64_t calendar_projected;  /* lookups into projected years */
    uint32_t peak_shipments_in_flight, peak_items_in_flight;
};

/* Zeroes a result (safe to fini). */
void bf_model_result_init(struct bf_model_result *r);
void bf_model_result_fini(struct bf_model_result *r);

/*
 * Runs one (city, policy, replication). in->old_rules/new_rules must have
 * passed bf_params_check. On success fills *out (the caller finis it) and
 * returns 0; on BF_ENOMEM / BF_ELIMIT returns the code, *out holds nothing
 * to free, and diag says what ran out.
 */
int bf_model_run(const struct bf_model_input *in, struct bf_model_result *out,
                 struct bf_diag *diag);

/* Event kind names, for traces. */
extern const char *const bf_model_event_names[];

#endif
