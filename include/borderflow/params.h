/*
 * params.h - every parameter of the shipment model, with its defaults.
 *
 * One struct bf_params holds the complete rule set of one city under one
 * regime (the old or the new rules of a policy). It is plain data (no
 * pointers) so it can be copied per city and policy and shared read-only by
 * threads. Units are in the field names: _h hours, _d days, _wd working
 * days, _cny yuan, _fen 1/100 yuan; shares and probabilities in [0, 1].
 *
 * bf_params_default() fills the defaults of docs/model.md, each traced to an
 * entry of docs/sources.md or marked as an assumption there.
 * bf_params_check() validates a complete set (what the scenario loader
 * cannot see field by field: shares summing to zero, a lane missing, ...).
 *
 * The parameter table (bf_param_table) names every field by its scenario
 * path ("clearance.inspect_prob"), type, unit and range: the scenario
 * loader, the JSON Schema and docs/model.md all come from it.
 */
#ifndef BORDERFLOW_PARAMS_H
#define BORDERFLOW_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "borderflow/dist.h"
#include "borderflow/error.h"
#include "borderflow/periodic.h"

#define BF_MAX_CATEGORIES 8
#define BF_MAX_LANES      8
#define BF_NAME_MAX       32

enum bf_channel {
    BF_CH_9610 = 0, /* cross-border e-commerce B2C direct */
    BF_CH_9710,     /* cross-border e-commerce B2B direct */
    BF_CH_9810,     /* export to an overseas warehouse */
    BF_CH_0110,     /* general trade */
    BF_CH_COUNT
};

enum bf_mode { BF_MODE_SEA = 0, BF_MODE_AIR, BF_MODE_RAIL, BF_MODE_EXPRESS, BF_MODE_COUNT };

enum bf_rebate_trigger {
    BF_TRIGGER_DEPARTURE = 0, /* when the goods leave China (离境即退税) */
    BF_TRIGGER_CLOSURE,       /* at customs closure: departure + closure lag */
    BF_TRIGGER_SALE,          /* per unit, when it is sold (or liquidated) abroad */
    BF_TRIGGER_NEVER,         /* no rebate (e.g. exempt without invoices) */
    BF_TRIGGER_COUNT
};

enum bf_filing { BF_FILING_CONTINUOUS = 0, BF_FILING_MONTHLY, BF_FILING_COUNT };

enum bf_reimport_procedure {
    BF_REIMPORT_ORDINARY = 0, /* ordinary import: duty and import VAT */
    BF_REIMPORT_CBEC_RETURN,  /* tax-free CBEC return within the window */
    BF_REIMPORT_COUNT
};

/* Which rules a shipment follows when a policy takes effect. */
enum bf_regime_rule {
    BF_RULE_CREATION = 0, /* the rules in force on the day it was created */
    BF_RULE_EVENT,        /* the rules in force on the day of each event */
    BF_RULE_COUNT
};

const char *bf_channel_code(enum bf_channel c); /* "9610" ... */
/* The codes of the channels in enum order (BF_CH_COUNT of them), then NULL:
 * the keys of "channels" and "channel_mix" in a scenario. */
extern const char *const bf_channel_codes[];
const char *bf_mode_name(enum bf_mode m);
const char *bf_trigger_name(enum bf_rebate_trigger t);
const char *bf_filing_name(enum bf_filing f);
const char *bf_reimport_name(enum bf_reimport_procedure p);
const char *bf_rule_name(enum bf_regime_rule r);

struct bf_category {
    char name[BF_NAME_MAX];
    double share;                 /* weight in the goods mix */
    double rebate_rate;           /* export VAT rebate rate */
    double return_prob;           /* probability that a unit sold to a consumer is returned */
    struct bf_dist unit_cost_cny; /* purchase cost per unit, VAT included */
    double price_multiple;        /* gross sale price / unit cost */
    double import_duty_rate;      /* duty on an ordinary re-import */
    double fob_multiple;          /* declared export value (FOB) / unit cost */
};

struct bf_lane {
    char name[BF_NAME_MAX];
    double share; /* weight in the lane mix */
    enum bf_mode mode;
    struct bf_periodic departures; /* sailings, flights, trains, pick-ups */
    struct bf_dist transit_d;      /* departure -> arrival abroad */
    struct bf_dist dest_d;         /* arrival -> warehouse receipt / delivery */
    double freight_rate;           /* outbound freight / goods cost */
};

struct bf_channel_params {
    double share;                     /* weight in the channel mix */
    struct bf_dist units;             /* units per shipment (rounded, at least 1) */
    double return_factor;             /* multiplies the category return_prob */
    double platform_fee;              /* share of the gross price kept by the platform */
    struct bf_dist settlement_d;      /* sale -> proceeds received */
    double lane_weight[BF_MAX_LANES]; /* per lane: 0 = lane not used by this channel */
    enum bf_rebate_trigger trigger;
    double trigger_adoption;                 /* share of shipments using `trigger` ... */
    enum bf_rebate_trigger fallback_trigger; /* ... the others use this */
};

struct bf_params {
    /* arrivals (city level; a policy cannot change them) */
    double shipments_per_day;
    double seasonality[12]; /* monthly multipliers of the rate, Jan..Dec */

    struct bf_category category[BF_MAX_CATEGORIES];
    unsigned n_categories;
    struct bf_lane lane[BF_MAX_LANES];
    unsigned n_lanes;
    struct bf_channel_params channel[BF_CH_COUNT];

    struct {
        struct bf_dist doc_prep_h;  /* created -> first declaration */
        double doc_error_prob;      /* a declaration is sent back for rework */
        struct bf_dist rework_h;    /* rework until it is lodged again */
        struct bf_dist screening_h; /* declaration -> release when not inspected */
        double inspect_prob;
        struct bf_dist inspect_h; /* an inspection team's work on one shipment */
        uint32_t inspection_teams;
        int teams_follow_calendar; /* 1: working days, shift hours; 0: around the clock */
        double shift_start_h, shift_end_h;
        double multiplier;    /* city class (m_clr) */
        double policy_factor; /* policy effect on clearance times */
    } clearance;

    struct {
        struct bf_dist handling_d; /* release -> ready to load (before the next departure) */
        double multiplier;         /* city class (m_dwell) */
        double policy_factor;
    } port;

    struct {
        struct bf_dist time_to_sale_d; /* per unit, from warehouse receipt */
        double max_dwell_d;            /* unsold after this: aged stock */
        double aged_return_share;      /* of aged units, shipped back to China */
        double liquidation_value;      /* of unit cost, for stock disposed of abroad */
        double fee_cny_per_unit_day;
    } warehouse;

    struct {
        struct bf_dist lag_d; /* sale -> buyer return (truncated at the window) */
        double window_d;
        double to_china_share;            /* of buyer returns: shipped back to China */
        double resell_share;              /* ... resold abroad (the rest is disposed of) */
        double resell_value;              /* resale price / original price */
        struct bf_periodic consolidation; /* return shipments leave on this schedule */
        struct bf_dist port_dwell_d;      /* dwell at the foreign port before sailing */
        double freight_factor;            /* return freight / outbound freight, per unit */
        enum bf_reimport_procedure procedure;
        struct bf_dist cbec_clearance_h;     /* re-import under the CBEC return procedure */
        struct bf_dist ordinary_clearance_h; /* ordinary import clearance */
        uint32_t taxfree_months;             /* tax-free only if re-imported within this (6) */
        uint32_t customs_limit_months;       /* no customs return after this (12) */
        struct bf_dist cert_wd;              /* certificate of rebate repaid, working days */
        int repay_rebate;                    /* a unit back in China repays its paid rebate */
        double import_vat_rate;
        double home_value; /* goods back in China: resold / re-exported at this share of cost */
        struct bf_dist home_sale_d; /* re-import release -> that sale's cash */
    } returns;

    struct {
        double vat_rate;                 /* rebate base = cost / (1 + vat_rate) */
        struct bf_dist closure_lag_d;    /* departure -> customs closure */
        struct bf_dist doc_collection_d; /* trigger -> documents ready to file */
        enum bf_filing filing;
        uint32_t filing_day;          /* monthly window: day of the month */
        struct bf_dist processing_wd; /* tax office, working days (rounded to nearest) */
        struct bf_dist treasury_wd;   /* treasury transfer, working days (rounded to nearest) */
    } rebate;
};

/* The defaults (docs/model.md): 4 goods categories, 6 lanes (us_west,
 * us_east, eu_sea, eu_rail, air, express), the 4 channels. */
void bf_params_default(struct bf_params *p);

/* Index of a lane/category by name, or -1. */
int bf_params_lane(const struct bf_params *p, const char *name);
int bf_params_category(const struct bf_params *p, const char *name);

/* Whole-set validation. 0 or BF_EINVAL with the parameter path in
 * diag->where and the reason in diag->msg. */
int bf_params_check(const struct bf_params *p, struct bf_diag *diag);

/* ---- volume in money (docs/model.md, "Volume") ---- */

/*
 * Every value the model books is at cost: the purchase cost per unit, VAT
 * included (categories.<c>.unit_cost_cny). The value declared on export
 * (FOB, free on board at the Chinese port) is that cost times the
 * category's fob_multiple; the sale price abroad (price_multiple) is
 * neither: it holds the freight, duties and margins beyond the port.
 */
enum bf_value_basis { BF_VALUE_COST = 0, BF_VALUE_FOB };

/*
 * The mean number of units in a shipment as the model draws it from
 * `units`: the draw rounded to the nearest whole number, at least 1
 * (export.c), so E[max(1, round(X))] rather than E[X] -- "2.4 units" ships
 * 2. Exact for fixed and empirical; for the continuous kinds
 * E[X] + P(X < 1/2) + the midpoint-rule error of the survival function on
 * the first unit intervals (up to 128, or the far tail), each integral a
 * 5-point Gauss-Legendre rule on pieces split at the kinks of the uniform
 * and triangular and halving towards 0: within 10^-5 of a unit of the
 * sum 1 + sum_k>=2 P(X >= k - 1/2) for the gammas and Weibulls of shape
 * 0.3 to 20 and the lognormals tried (test_params). d valid and
 * non-negative (asserted).
 */
double bf_params_units_mean(const struct bf_dist *units);

/*
 * The mean value of one shipment in CNY, at cost or FOB: E[units] over the
 * channel mix (shares as weights) times E[value per unit] over the goods
 * mix -- channel and category are drawn independently, and a unit's cost
 * does not depend on the size of its shipment. p must pass
 * bf_params_check (shares summing to more than 0).
 */
double bf_params_shipment_value_cny(const struct bf_params *p, enum bf_value_basis basis);

/* Shipments in a year of 365 days per shipment a day: the days of each
 * month times its seasonality factor, summed (365 when all are 1). */
double bf_params_year_factor(const struct bf_params *p);

/* ---- the parameter table ---- */

enum bf_ptype {
    BF_PT_NUMBER,       /* double in [min, max] */
    BF_PT_PROB,         /* double in [0, 1] */
    BF_PT_UINT,         /* uint32_t in [min, max] */
    BF_PT_BOOL,         /* int 0/1 */
    BF_PT_DIST,         /* struct bf_dist; min = lowest allowed value (0 for durations) */
    BF_PT_ENUM,         /* int enum; names in `choices` */
    BF_PT_SCHEDULE,     /* struct bf_periodic */
    BF_PT_MONTHS12,     /* double[12] */
    BF_PT_LANE_WEIGHTS, /* double[BF_MAX_LANES], an object keyed by lane name */
};

struct bf_param_info {
    const char *path; /* relative to its table's object */
    enum bf_ptype type;
    size_t offset;    /* in its struct */
    const char *unit; /* "h", "d", "wd", "CNY", "share", "" */
    double min, max;
    const char *const *choices; /* BF_PT_ENUM: NULL-terminated names */
    const char *doc;            /* one line */
    const char *source;         /* docs/sources.md entries ("[C2, D1]") or "assumption [Xn]" */
};

/*
 * The longest a duration may be in its far tail (bf_dist_tail: exceeded
 * once in 10^12 draws): 10^6 days, about 2700 years, in the unit of the
 * parameter (BF_DELAY_MAX_D days, 24 times as many hours, as many working
 * days). Far longer than any real delay, and short enough that no time the
 * model computes leaves the calendar's range (int32_t day numbers) or its
 * O(1) arithmetic: a handful of such delays after the end of the longest
 * run stay below 10^7 days. docs/scenarios.md, Limits.
 */
#define BF_DELAY_MAX_D 1e6

/* The largest far-tail value (bf_dist_tail) allowed for a distribution in
 * `unit`: for "h", "d" and "wd" (durations) BF_DELAY_MAX_D in that unit;
 * +inf for any other unit. */
double bf_param_tail_max(const char *unit);

/*
 * Checks that d, multiplied by factor (> 0: the class and policy factors
 * of clearance and port times, else 1), stays within bf_param_tail_max of
 * pi's unit in its far tail. 0, or BF_ERANGE with the value reached and
 * the maximum in diag->msg.
 */
int bf_param_check_tail(const struct bf_param_info *pi, const struct bf_dist *d, double factor,
                        struct bf_diag *diag);

/*
 * Checks one value against its table entry (range, finite, distribution
 * valid, not negative, and within bf_param_tail_max in its far tail). base
 * is the struct the entry's offset refers to. 0 or BF_EINVAL/BF_ERANGE
 * with what is wrong and what is allowed in diag->msg.
 */
int bf_param_check_value(const struct bf_param_info *pi, const void *base, struct bf_diag *diag);

/* A value as text ("gamma(shape 2.78, scale 32.4): mean 90, cv 0.60",
 * "weekly mon at 9 h"): the entry's field in base; at most size bytes. */
void bf_param_format(const struct bf_param_info *pi, const void *base, char *buf, size_t size);
void bf_dist_format(const struct bf_dist *d, char *buf, size_t size);

/* Tables: the scalars of struct bf_params, of a category, a lane, a channel. */
extern const struct bf_param_info bf_param_table[];
extern const size_t bf_param_table_n;
extern const struct bf_param_info bf_category_table[];
extern const size_t bf_category_table_n;
extern const struct bf_param_info bf_lane_table[];
extern const size_t bf_lane_table_n;
extern const struct bf_param_info bf_channel_table[];
extern const size_t bf_channel_table_n;

/* ---- one value of the table: what a sweep sets ---- */

/* One value of an entry of the tables: what a sweep sets (and, as its
 * proto, what a sensitivity parameter names). */
struct bf_pvalue {
    const struct bf_param_info *pi;
    int table;      /* 0 params, 1 category, 2 lane, 3 channel */
    int index;      /* category / lane / channel index */
    char label[64]; /* the value as written, for outputs */
    union {
        double num;
        uint32_t u;
        int i;
        struct bf_dist dist;
        struct bf_periodic sched;
        double months[12];
        double lanes[BF_MAX_LANES];
    } v;
};

/* The struct v's entry's offset refers to: p itself, or its category, lane
 * or channel of v's index. */
void *bf_pvalue_base(const struct bf_pvalue *v, struct bf_params *p);

/* Sets v's entry in p to v's value (the batch, at run time: to a copy of
 * every city's params of the policy the sweep names, or of all). */
void bf_sweep_apply(const struct bf_pvalue *v, struct bf_params *p);

#endif
