/*
 * params.c - defaults, names and the parameter table of the shipment model,
 * and the value of one entry that a sweep sets (bf_sweep_apply).
 *
 * Every default below is listed in docs/parameters.md with its source: an
 * entry of docs/sources.md ("[C1]") or the word "assumption" (with the range
 * docs/sources.md gives it).
 */
#include "borderflow/params.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- names ---- */

const char *const bf_channel_codes[] = {"9610", "9710", "9810", "0110", NULL};
static const char *const mode_names[] = {"sea", "air", "rail", "express", NULL};
static const char *const trigger_names[] = {"departure", "closure", "sale", "never", NULL};
static const char *const filing_names[] = {"continuous", "monthly", NULL};
static const char *const reimport_names[] = {"ordinary", "cbec_return", NULL};
static const char *const rule_names[] = {"creation", "event", NULL};

const char *bf_channel_code(enum bf_channel c)
{
    return (unsigned)c < BF_CH_COUNT ? bf_channel_codes[c] : "?";
}

const char *bf_mode_name(enum bf_mode m)
{
    return (unsigned)m < BF_MODE_COUNT ? mode_names[m] : "?";
}

const char *bf_trigger_name(enum bf_rebate_trigger t)
{
    return (unsigned)t < BF_TRIGGER_COUNT ? trigger_names[t] : "?";
}

const char *bf_filing_name(enum bf_filing f)
{
    return (unsigned)f < BF_FILING_COUNT ? filing_names[f] : "?";
}

const char *bf_reimport_name(enum bf_reimport_procedure p)
{
    return (unsigned)p < BF_REIMPORT_COUNT ? reimport_names[p] : "?";
}

const char *bf_rule_name(enum bf_regime_rule r)
{
    return (unsigned)r < BF_RULE_COUNT ? rule_names[r] : "?";
}

/* ---- defaults ---- */

/* The defaults are constants checked by unit tests; a constructor failing
 * here is a bug. */
static struct bf_dist lognormal_mp(double median, double p90)
{
    struct bf_dist d;
    BF_ASSERT(bf_dist_lognormal_median_p90(&d, median, p90, NULL) == 0);
    return d;
}

static struct bf_dist lognormal_ms(double mu, double sigma)
{
    struct bf_dist d;
    BF_ASSERT(bf_dist_lognormal(&d, mu, sigma, NULL) == 0);
    return d;
}

static struct bf_dist gamma_ks(double shape, double scale)
{
    struct bf_dist d;
    BF_ASSERT(bf_dist_gamma(&d, shape, scale, NULL) == 0);
    return d;
}

static struct bf_dist gamma_mcv(double mean, double cv)
{
    struct bf_dist d;
    BF_ASSERT(bf_dist_gamma_mean_cv(&d, mean, cv, NULL) == 0);
    return d;
}

static struct bf_dist uniform(double a, double b)
{
    struct bf_dist d;
    BF_ASSERT(bf_dist_uniform(&d, a, b, NULL) == 0);
    return d;
}

static void set_category(struct bf_category *c, const char *name, double share, double ret,
                         double cost_median, double cost_p90, double price, double duty)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->share = share;
    c->rebate_rate = 0.13; /* [R1]: 13% since 1 Apr 2019 */
    c->return_prob = ret;
    c->unit_cost_cny = lognormal_mp(cost_median, cost_p90);
    c->price_multiple = price;
    c->import_duty_rate = duty;
    c->fob_multiple = 1.0; /* assumption [X45]: declared at cost */
}

static struct bf_periodic weekly(uint8_t mask, double hour)
{
    struct bf_periodic p = {.kind = BF_PERIODIC_WEEKLY, .weekday_mask = mask, .at_hour = hour};
    return p;
}

static struct bf_periodic daily(double hour)
{
    struct bf_periodic p = {.kind = BF_PERIODIC_DAILY, .at_hour = hour};
    return p;
}

static void set_lane(struct bf_lane *l, const char *name, double share, enum bf_mode mode,
                     struct bf_periodic dep, struct bf_dist transit, struct bf_dist dest,
                     double freight)
{
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->share = share;
    l->mode = mode;
    l->departures = dep;
    l->transit_d = transit;
    l->dest_d = dest;
    l->freight_rate = freight;
}

enum { L_US_WEST, L_US_EAST, L_EU_SEA, L_EU_RAIL, L_AIR, L_EXPRESS, L_COUNT };
#define MON (1u << 0)
#define TUE (1u << 1)
#define THU (1u << 3)
#define FRI (1u << 4)

void bf_params_default(struct bf_params *p)
{
    memset(p, 0, sizeof *p);

    p->shipments_per_day = 20.0;
    for (int m = 0; m < 12; m++)
        p->seasonality[m] = 1.0;

    p->n_categories = 4;
    set_category(&p->category[0], "general", 0.5, 0.176, 80.0, 200.0, 2.0, 0.08);
    set_category(&p->category[1], "apparel", 0.2, 0.30, 60.0, 150.0, 2.5, 0.10);
    set_category(&p->category[2], "electronics", 0.2, 0.10, 150.0, 400.0, 1.8, 0.05);
    set_category(&p->category[3], "home", 0.1, 0.07, 100.0, 250.0, 2.0, 0.08);

    /* Lanes: transit and destination times [L3-L7]; shapes assumption [X13, X14]. */
    p->n_lanes = L_COUNT;
    struct bf_dist dest_sea = gamma_ks(6.25, 1.28); /* S4: mean 8 d */
    set_lane(&p->lane[L_US_WEST], "us_west", 1.0, BF_MODE_SEA, weekly(TUE | FRI, 18.0),
             gamma_ks(25.0, 0.72), dest_sea, 0.05);
    set_lane(&p->lane[L_US_EAST], "us_east", 1.0, BF_MODE_SEA, weekly(TUE | FRI, 18.0),
             gamma_ks(44.0, 0.72), dest_sea, 0.07);
    set_lane(&p->lane[L_EU_SEA], "eu_sea", 1.0, BF_MODE_SEA, weekly(MON | THU, 18.0),
             gamma_ks(44.0, 0.79), dest_sea, 0.07);
    set_lane(&p->lane[L_EU_RAIL], "eu_rail", 1.0, BF_MODE_RAIL, weekly(TUE | FRI, 12.0),
             gamma_mcv(20.0, 0.15), gamma_mcv(5.0, 0.4), 0.10);
    set_lane(&p->lane[L_AIR], "air", 1.0, BF_MODE_AIR, daily(22.0), gamma_mcv(5.0, 0.35),
             gamma_mcv(2.0, 0.5), 0.15);
    set_lane(&p->lane[L_EXPRESS], "express", 1.0, BF_MODE_EXPRESS, daily(20.0),
             gamma_mcv(3.0, 0.35), gamma_mcv(1.0, 0.5), 0.20);

    /* Channels: mix, shipment sizes, money and rebate triggers. */
    struct bf_channel_params *c;
    c = &p->channel[BF_CH_9610];
    c->share = 0.25;
    {
        const double v[] = {1, 2, 3}, w[] = {0.6, 0.25, 0.15};
        BF_ASSERT(bf_dist_empirical(&c->units, v, w, 3, NULL) == 0);
    }
    c->return_factor = 1.0;
    c->platform_fee = 0.15;
    c->settlement_d = gamma_mcv(14.0, 0.3);
    c->lane_weight[L_EXPRESS] = 0.7;
    c->lane_weight[L_AIR] = 0.3;
    /* [M1]: invoice-free retail exports in the pilot zones are exempt, with
     * no rebate; that 9610 shipments are so is assumption [X30] */
    c->trigger = BF_TRIGGER_NEVER;
    c->trigger_adoption = 1.0;
    c->fallback_trigger = BF_TRIGGER_NEVER;

    c = &p->channel[BF_CH_9710];
    c->share = 0.15;
    c->units = lognormal_mp(50.0, 200.0);
    c->return_factor = 0.1;
    c->platform_fee = 0.03;
    c->settlement_d = gamma_mcv(45.0, 0.4);
    c->lane_weight[L_US_WEST] = 0.4;
    c->lane_weight[L_US_EAST] = 0.2;
    c->lane_weight[L_EU_SEA] = 0.2;
    c->lane_weight[L_AIR] = 0.2;
    c->trigger = BF_TRIGGER_CLOSURE; /* [M2]: rebate as general trade */
    c->trigger_adoption = 1.0;
    c->fallback_trigger = BF_TRIGGER_CLOSURE;

    c = &p->channel[BF_CH_9810];
    c->share = 0.40;
    c->units = lognormal_mp(30.0, 120.0);
    c->return_factor = 1.0;
    c->platform_fee = 0.15;
    c->settlement_d = gamma_mcv(14.0, 0.3);
    c->lane_weight[L_US_WEST] = 0.5;
    c->lane_weight[L_US_EAST] = 0.2;
    c->lane_weight[L_EU_SEA] = 0.2;
    c->lane_weight[L_EU_RAIL] = 0.1;
    /* The 2026 baseline: refund upon departure available nationally since
     * 27 Jan 2025 (STA Ann. 2025 No. 3) and taken up by a share of exporters
     * (an assumption: no statistic exists); the others claim after sale. */
    c->trigger = BF_TRIGGER_DEPARTURE;
    c->trigger_adoption = 0.5;
    c->fallback_trigger = BF_TRIGGER_SALE;

    c = &p->channel[BF_CH_0110];
    c->share = 0.20;
    c->units = lognormal_mp(100.0, 400.0);
    c->return_factor = 0.05;
    c->platform_fee = 0.0;
    c->settlement_d = gamma_mcv(60.0, 0.4);
    c->lane_weight[L_US_WEST] = 0.4;
    c->lane_weight[L_US_EAST] = 0.2;
    c->lane_weight[L_EU_SEA] = 0.3;
    c->lane_weight[L_EU_RAIL] = 0.1;
    c->trigger = BF_TRIGGER_CLOSURE;
    c->trigger_adoption = 1.0;
    c->fallback_trigger = BF_TRIGGER_CLOSURE;

    /* Export clearance [C2, D1; X6, X7], calibrated in docs/model.md so that
     * the class A mean with rework and inspections is the GAC 2022 export
     * figure, 1.03 h. */
    p->clearance.doc_prep_h = lognormal_mp(4.0, 12.0);
    p->clearance.doc_error_prob = 0.03;
    p->clearance.rework_h = lognormal_mp(2.0, 6.0);
    p->clearance.screening_h = lognormal_mp(0.45, 1.6);
    p->clearance.inspect_prob = 0.01;
    p->clearance.inspect_h = lognormal_mp(2.0, 5.0);
    p->clearance.inspection_teams = 2;
    p->clearance.teams_follow_calendar = 1;
    p->clearance.shift_start_h = 8.5;
    p->clearance.shift_end_h = 17.5;
    p->clearance.multiplier = 1.0;
    p->clearance.policy_factor = 1.0;

    /* Port dwell ([L2, D2]: 4.8 d gate-in -> departure; CV 0.4, X12): handling
     * plus the wait for the lane's next departure. */
    p->port.handling_d = gamma_ks(6.25, 0.49);
    p->port.multiplier = 1.0;
    p->port.policy_factor = 1.0;

    /* Overseas warehouse [W1, W2; X20, X21]. */
    p->warehouse.time_to_sale_d = gamma_ks(2.78, 32.4);
    p->warehouse.max_dwell_d = 180.0;
    p->warehouse.aged_return_share = 0.30;
    p->warehouse.liquidation_value = 0.10;
    p->warehouse.fee_cny_per_unit_day = 0.05;

    /* Returns [T1-T4, R15; X19, X22-X29]. */
    p->returns.lag_d = gamma_ks(4.0, 7.5);
    p->returns.window_d = 60.0;
    p->returns.to_china_share = 0.10;
    p->returns.resell_share = 0.50;
    p->returns.resell_value = 0.70;
    p->returns.consolidation =
        (struct bf_periodic){.kind = BF_PERIODIC_MONTHLY, .day_of_month = 1, .at_hour = 12.0};
    p->returns.port_dwell_d = gamma_ks(6.25, 0.832);
    p->returns.freight_factor = 1.0;
    p->returns.procedure = BF_REIMPORT_CBEC_RETURN;
    p->returns.cbec_clearance_h = lognormal_ms(3.178, 0.857);
    p->returns.ordinary_clearance_h = lognormal_ms(3.178, 0.857);
    p->returns.taxfree_months = 6;
    p->returns.customs_limit_months = 12;
    p->returns.cert_wd = gamma_ks(4.0, 3.5);
    p->returns.repay_rebate = 1;
    p->returns.import_vat_rate = 0.13;
    p->returns.home_value = 0.6;
    p->returns.home_sale_d = gamma_mcv(30.0, 0.5);

    /* Rebates [R1, R7, R10, R14; X32-X35]. */
    p->rebate.vat_rate = 0.13;
    p->rebate.closure_lag_d = gamma_mcv(2.0, 0.5);
    p->rebate.doc_collection_d = gamma_ks(4.0, 3.75);
    p->rebate.filing = BF_FILING_MONTHLY;
    p->rebate.filing_day = 15;
    p->rebate.processing_wd = uniform(2.0, 4.0);
    p->rebate.treasury_wd = uniform(1.0, 4.0);
}

int bf_params_lane(const struct bf_params *p, const char *name)
{
    for (unsigned i = 0; i < p->n_lanes; i++)
        if (strcmp(p->lane[i].name, name) == 0)
            return (int)i;
    return -1;
}

int bf_params_category(const struct bf_params *p, const char *name)
{
    for (unsigned i = 0; i < p->n_categories; i++)
        if (strcmp(p->category[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- the parameter table ---- */

#define OFF(field) offsetof(struct bf_params, field)
#define NUM(path, field, unit, lo, hi, doc, src)                                                   \
    {                                                                                              \
        path, BF_PT_NUMBER, OFF(field), unit, lo, hi, NULL, doc, src                               \
    }
#define PROB(path, field, doc, src)                                                                \
    {                                                                                              \
        path, BF_PT_PROB, OFF(field), "share", 0, 1, NULL, doc, src                                \
    }
#define UINT(path, field, unit, lo, hi, doc, src)                                                  \
    {                                                                                              \
        path, BF_PT_UINT, OFF(field), unit, lo, hi, NULL, doc, src                                 \
    }
#define BOOL(path, field, doc, src)                                                                \
    {                                                                                              \
        path, BF_PT_BOOL, OFF(field), "", 0, 1, NULL, doc, src                                     \
    }
#define DIST(path, field, unit, doc, src)                                                          \
    {                                                                                              \
        path, BF_PT_DIST, OFF(field), unit, 0, 0, NULL, doc, src                                   \
    }
#define ENUM(path, field, names, doc, src)                                                         \
    {                                                                                              \
        path, BF_PT_ENUM, OFF(field), "", 0, 0, names, doc, src                                    \
    }
#define SCHED(path, field, doc, src)                                                               \
    {                                                                                              \
        path, BF_PT_SCHEDULE, OFF(field), "", 0, 0, NULL, doc, src                                 \
    }


const struct bf_param_info bf_param_table[] = {
    NUM("arrivals.shipments_per_day", shipments_per_day, "shipments/day", 0.001, 100000,
        "mean export declarations per day (Poisson)", "assumption [X1]"),
    {"arrivals.seasonality", BF_PT_MONTHS12, OFF(seasonality), "factor", 0, 100, NULL,
     "monthly multipliers of the arrival rate, January to December", "assumption [X1]"},

    DIST("clearance.doc_prep_h", clearance.doc_prep_h, "h",
         "order ready (created) -> declaration lodged", "assumption [X5]"),
    {"clearance.doc_error_prob", BF_PT_PROB, OFF(clearance.doc_error_prob), "share", 0, 0.9, NULL,
     "a lodged declaration has a document error and goes back for rework", "assumption [X5]"},
    DIST("clearance.rework_h", clearance.rework_h, "h", "rework of a rejected declaration",
         "assumption [X5]"),
    DIST("clearance.screening_h", clearance.screening_h, "h",
         "risk screening: declaration -> release when not inspected",
         "[C2, D1]; shape assumption [X6]"),
    PROB("clearance.inspect_prob", clearance.inspect_prob, "a shipment is inspected",
         "assumption [X7]"),
    DIST("clearance.inspect_h", clearance.inspect_h, "h",
         "an inspection team's work on one shipment", "assumption [X8]"),
    UINT("clearance.inspection_teams", clearance.inspection_teams, "teams", 1, 100000,
         "inspection teams of the city's customs", "assumption [X8]"),
    BOOL("clearance.teams_follow_calendar", clearance.teams_follow_calendar,
         "teams work shift hours on working days (true) or around the clock (false)",
         "assumption [X9] (7x24 channels, [A3], argue for round the clock)"),
    NUM("clearance.shift_start_h", clearance.shift_start_h, "h", 0, 24, "start of the team shift",
        "assumption [X9]"),
    NUM("clearance.shift_end_h", clearance.shift_end_h, "h", 0, 24, "end of the team shift",
        "assumption [X9]"),
    NUM("clearance.multiplier", clearance.multiplier, "factor", 0.01, 100,
        "city class multiplier of clearance times (m_clr)", "assumption [X4] (see [C6])"),
    NUM("clearance.policy_factor", clearance.policy_factor, "factor", 0.01, 100,
        "policy multiplier of clearance times", "assumption [X10, X11]"),

    DIST("port.handling_d", port.handling_d, "d", "release -> ready to load at the port",
         "[L2, D2]; split assumption [X12]"),
    NUM("port.multiplier", port.multiplier, "factor", 0.01, 100,
        "city class multiplier of port handling (m_dwell)", "assumption [X4]"),
    NUM("port.policy_factor", port.policy_factor, "factor", 0.01, 100,
        "policy multiplier of port handling", "assumption [X10, X11]"),

    DIST("warehouse.time_to_sale_d", warehouse.time_to_sale_d, "d",
         "per unit: warehouse receipt -> sale", "[W1]; shape assumption [X20]"),
    NUM("warehouse.max_dwell_d", warehouse.max_dwell_d, "d", 0, 3650,
        "unsold after this, a unit is aged stock", "[W2]"),
    PROB("warehouse.aged_return_share", warehouse.aged_return_share,
         "of aged units, the share shipped back to China", "assumption [X21]; limits [T1, T4]"),
    NUM("warehouse.liquidation_value", warehouse.liquidation_value, "share", 0, 10,
        "proceeds of stock disposed of abroad, as a share of unit cost", "assumption [X21]"),
    NUM("warehouse.fee_cny_per_unit_day", warehouse.fee_cny_per_unit_day, "CNY/unit/day", 0, 10000,
        "overseas warehouse storage fee", "assumption [X21]"),

    DIST("returns.lag_d", returns.lag_d, "d", "sale -> buyer return, truncated at the window",
         "assumption [X19]"),
    NUM("returns.window_d", returns.window_d, "d", 0.01, 3650, "return window after sale",
        "assumption [X19]"),
    PROB("returns.to_china_share", returns.to_china_share,
         "of buyer returns, the share shipped back to China", "assumption [X22]; limits [T1, T4]"),
    PROB("returns.resell_share", returns.resell_share,
         "of buyer returns, the share resold abroad (the rest is disposed of)", "assumption [X22]"),
    NUM("returns.resell_value", returns.resell_value, "share", 0, 10,
        "resale price of a returned unit / original price", "assumption [X22]"),
    SCHED("returns.consolidation", returns.consolidation,
          "departures of consolidated return shipments from the warehouse", "assumption [X23]"),
    DIST("returns.port_dwell_d", returns.port_dwell_d, "d",
         "return leg: dwell at the foreign port before sailing", "assumption [X24]"),
    NUM("returns.freight_factor", returns.freight_factor, "factor", 0, 100,
        "return freight per unit / outbound freight per unit", "assumption [X25]"),
    ENUM("returns.procedure", returns.procedure, reimport_names,
         "re-import procedure: ordinary import, or the tax-free CBEC return",
         "[T2, T3, T4]; scope assumption [X44]"),
    DIST("returns.cbec_clearance_h", returns.cbec_clearance_h, "h",
         "re-import clearance under the CBEC return procedure", "[C2]; assumption [X26]"),
    DIST("returns.ordinary_clearance_h", returns.ordinary_clearance_h, "h",
         "re-import clearance as an ordinary import", "[C2] (import 32.02 h); assumption [X26]"),
    UINT("returns.taxfree_months", returns.taxfree_months, "months", 0, 120,
         "tax-free return only within this many months of export", "[T2, T3, T4]"),
    UINT("returns.customs_limit_months", returns.customs_limit_months, "months", 0, 120,
         "no customs return after this many months of export", "[T1] ([T6] for 0110)"),
    DIST("returns.cert_wd", returns.cert_wd, "wd",
         "certificate of rebate repaid / not refunded, working days", "[R15]; assumption [X27]"),
    BOOL("returns.repay_rebate", returns.repay_rebate,
         "a unit back in China repays its paid rebate", "[R15, T2, T4]"),
    NUM("returns.import_vat_rate", returns.import_vat_rate, "share", 0, 1,
        "import VAT on an ordinary re-import", "[R1]"),
    NUM("returns.home_value", returns.home_value, "share", 0, 1,
        "goods back in China are resold at home or re-exported for this share of their cost",
        "assumption [X28]"),
    DIST("returns.home_sale_d", returns.home_sale_d, "d",
         "re-import release -> cash from resale at home or re-export", "assumption [X29]"),

    NUM("rebate.vat_rate", rebate.vat_rate, "share", 0, 1,
        "VAT included in the unit cost; rebate base = cost / (1 + rate)",
        "[R1]; rebate base assumption [X36]"),
    DIST("rebate.closure_lag_d", rebate.closure_lag_d, "d", "departure -> customs closure",
         "assumption [X30]"),
    DIST("rebate.doc_collection_d", rebate.doc_collection_d, "d",
         "rebate trigger -> documents ready to file", "assumption [X32]"),
    ENUM("rebate.filing", rebate.filing, filing_names, "filing: continuous, or in a monthly window",
         "assumption [X33]"),
    UINT("rebate.filing_day", rebate.filing_day, "day", 1, 31,
         "monthly window: day of the month (moved to the next working day)", "assumption [X33]"),
    DIST("rebate.processing_wd", rebate.processing_wd, "wd",
         "tax office processing, working days (rounded)",
         "[R6, R7]; assumption [X34] (class: [X37])"),
    DIST("rebate.treasury_wd", rebate.treasury_wd, "wd",
         "treasury transfer after processing, working days (rounded)", "assumption [X35]"),
};
const size_t bf_param_table_n = sizeof bf_param_table / sizeof bf_param_table[0];

#undef OFF
#define OFF(field) offsetof(struct bf_category, field)
const struct bf_param_info bf_category_table[] = {
    NUM("share", share, "weight", 0, 1e6, "weight of the category in the goods mix",
        "assumption [X17]"),
    NUM("rebate_rate", rebate_rate, "share", 0, 1, "export VAT rebate rate",
        "[R1] (exceptions [R3, R4])"),
    PROB("return_prob", return_prob, "a unit sold to a consumer is returned",
         "[N1, N3, N4, D3]; by category assumption [X18]"),
    DIST("unit_cost_cny", unit_cost_cny, "CNY", "purchase cost per unit, VAT included",
         "assumption [X17]"),
    NUM("price_multiple", price_multiple, "factor", 0, 1000, "gross sale price / unit cost",
        "assumption [X17]"),
    NUM("import_duty_rate", import_duty_rate, "share", 0, 10,
        "import duty on an ordinary re-import", "assumption [X17]"),
    NUM("fob_multiple", fob_multiple, "factor", 0.01, 100,
        "declared export value (FOB) / unit cost: converts a city's annual_export_fob_cny",
        "assumption [X45]"),
};
const size_t bf_category_table_n = sizeof bf_category_table / sizeof bf_category_table[0];

#undef OFF
#define OFF(field) offsetof(struct bf_lane, field)
const struct bf_param_info bf_lane_table[] = {
    NUM("share", share, "factor", 0, 1e6,
        "multiplies every channel's weight of this lane (0: the city does not use it)",
        "assumption [X15]"),
    ENUM("mode", mode, mode_names, "transport mode", "[L3, L4, L5, L6]"),
    SCHED("departures", departures, "departure schedule (sailings, flights, trains)",
          "assumption [X12]"),
    DIST("transit_d", transit_d, "d", "departure -> arrival abroad",
         "[L3, L4, L5, L6]; shape assumption [X13]"),
    DIST("dest_d", dest_d, "d", "arrival abroad -> warehouse receipt or delivery",
         "sea [L7, L3]; assumption [X14]"),
    NUM("freight_rate", freight_rate, "share", 0, 10, "outbound freight / goods cost",
        "assumption [X15]"),
};
const size_t bf_lane_table_n = sizeof bf_lane_table / sizeof bf_lane_table[0];

#undef OFF
#define OFF(field) offsetof(struct bf_channel_params, field)
const struct bf_param_info bf_channel_table[] = {
    NUM("share", share, "weight", 0, 1e6, "weight of the channel in the shipment mix",
        "assumption [X16]"),
    DIST("units", units, "units", "units per shipment (rounded, at least 1)", "assumption [X16]"),
    NUM("return_factor", return_factor, "factor", 0, 100,
        "multiplies the category's return probability", "assumption [X18]"),
    {"platform_fee", BF_PT_NUMBER, OFF(platform_fee), "share", 0, 0.99, NULL,
     "share of the gross price kept by the platform", "assumption [X16]"},
    DIST("settlement_d", settlement_d, "d", "sale -> proceeds received", "assumption [X16]"),
    {"lanes", BF_PT_LANE_WEIGHTS, OFF(lane_weight), "weight", 0, 1e6, NULL,
     "weights of the lanes this channel uses, by lane name", "assumption [X16]"},
    ENUM("trigger", trigger, trigger_names, "what starts the rebate claim",
         "9810 [R10, R14]; 9710/0110 [M2, M5]; 9610 [M1]; assumption [X30]"),
    PROB("trigger_adoption", trigger_adoption,
         "share of shipments that use `trigger` (the others use `fallback_trigger`)",
         "[R14]; assumption [X31]"),
    ENUM("fallback_trigger", fallback_trigger, trigger_names,
         "rebate trigger of shipments that do not adopt `trigger`", "[R14]; assumption [X31]"),
};
const size_t bf_channel_table_n = sizeof bf_channel_table / sizeof bf_channel_table[0];

/* ---- one value of the table (a sweep's) ---- */

void *bf_pvalue_base(const struct bf_pvalue *v, struct bf_params *p)
{
    switch (v->table) {
    case 1:
        return &p->category[v->index];
    case 2:
        return &p->lane[v->index];
    case 3:
        return &p->channel[v->index];
    default:
        return p;
    }
}

void bf_sweep_apply(const struct bf_pvalue *v, struct bf_params *p)
{
    unsigned char *b = (unsigned char *)bf_pvalue_base(v, p) + v->pi->offset;
    size_t size;
    switch (v->pi->type) {
    case BF_PT_NUMBER:
    case BF_PT_PROB:
        size = sizeof(double);
        break;
    case BF_PT_UINT:
        size = sizeof(uint32_t);
        break;
    case BF_PT_BOOL:
    case BF_PT_ENUM:
        size = sizeof(int);
        break;
    case BF_PT_DIST:
        size = sizeof(struct bf_dist);
        break;
    case BF_PT_SCHEDULE:
        size = sizeof(struct bf_periodic);
        break;
    case BF_PT_MONTHS12:
        size = 12 * sizeof(double);
        break;
    default:
        size = BF_MAX_LANES * sizeof(double);
        break;
    }
    memcpy(b, &v->v, size);
}


/* ---- validation ---- */

int bf_param_check_value(const struct bf_param_info *pi, const void *base, struct bf_diag *diag)
{
    const unsigned char *b = (const unsigned char *)base + pi->offset;
    switch (pi->type) {
    case BF_PT_NUMBER:
    case BF_PT_PROB: {
        double v;
        memcpy(&v, b, sizeof v);
        if (!isfinite(v) || v < pi->min || v > pi->max) {
            bf_diag_set(diag, "%g is outside the allowed range [%g, %g]%s%s", v, pi->min, pi->max,
                        pi->unit[0] ? " " : "", pi->unit);
            return BF_ERANGE;
        }
        return 0;
    }
    case BF_PT_UINT: {
        uint32_t v;
        memcpy(&v, b, sizeof v);
        if ((double)v < pi->min || (double)v > pi->max) {
            bf_diag_set(diag, "%u is outside the allowed range [%g, %g]", (unsigned)v, pi->min,
                        pi->max);
            return BF_ERANGE;
        }
        return 0;
    }
    case BF_PT_BOOL: {
        int v;
        memcpy(&v, b, sizeof v);
        if (v != 0 && v != 1) {
            bf_diag_set(diag, "%d is not a boolean (true or false)", v);
            return BF_EINVAL;
        }
        return 0;
    }
    case BF_PT_ENUM: {
        int v;
        memcpy(&v, b, sizeof v);
        int n = 0;
        while (pi->choices[n] != NULL)
            n++;
        if (v < 0 || v >= n) {
            bf_diag_set(diag, "enumeration value %d is out of range", v);
            return BF_EINVAL;
        }
        return 0;
    }
    case BF_PT_DIST: {
        struct bf_dist d;
        memcpy(&d, b, sizeof d);
        int rc = bf_dist_check(&d, diag);
        if (rc != 0)
            return rc;
        if (!bf_dist_nonnegative(&d)) {
            bf_diag_set(diag,
                        "a %s distribution that can take negative values is not allowed "
                        "here: %s must be >= 0",
                        bf_dist_kind_name(d.kind), pi->unit[0] ? pi->unit : "the value");
            return BF_ERANGE;
        }
        if (d.kind == BF_DIST_BERNOULLI) {
            bf_diag_set(diag,
                        "a bernoulli distribution is not allowed here: it gives 0 or 1, "
                        "not a %s",
                        pi->unit[0] ? pi->unit : "quantity");
            return BF_EINVAL;
        }
        return bf_param_check_tail(pi, &d, 1.0, diag);
    }
    case BF_PT_SCHEDULE: {
        struct bf_periodic p;
        memcpy(&p, b, sizeof p);
        return bf_periodic_check(&p, diag);
    }
    case BF_PT_MONTHS12: {
        double v[12];
        memcpy(v, b, sizeof v);
        for (int m = 0; m < 12; m++)
            if (!isfinite(v[m]) || v[m] < pi->min || v[m] > pi->max) {
                bf_diag_set(diag, "month %d: %g is outside the allowed range [%g, %g]", m + 1, v[m],
                            pi->min, pi->max);
                return BF_ERANGE;
            }
        return 0;
    }
    case BF_PT_LANE_WEIGHTS: {
        double v[BF_MAX_LANES];
        memcpy(v, b, sizeof v);
        for (int k = 0; k < BF_MAX_LANES; k++)
            if (!isfinite(v[k]) || v[k] < pi->min || v[k] > pi->max) {
                bf_diag_set(diag, "lane weight %g is outside the allowed range [%g, %g]", v[k],
                            pi->min, pi->max);
                return BF_ERANGE;
            }
        return 0;
    }
    }
    BF_ASSERT(0 && "unknown parameter type");
    return BF_EINVAL;
}

double bf_param_tail_max(const char *unit)
{
    if (strcmp(unit, "d") == 0 || strcmp(unit, "wd") == 0)
        return BF_DELAY_MAX_D;
    if (strcmp(unit, "h") == 0)
        return 24.0 * BF_DELAY_MAX_D;
    return (double)INFINITY;
}

int bf_param_check_tail(const struct bf_param_info *pi, const struct bf_dist *d, double factor,
                        struct bf_diag *diag)
{
    const double max = bf_param_tail_max(pi->unit);
    const double tail = bf_dist_tail(d) * factor;
    if (tail <= max)
        return 0;
    /* in years, to make 24000000 h readable */
    const double days = strcmp(pi->unit, "h") == 0 ? max / 24.0 : max;
    char times[64] = "";
    if (factor != 1.0)
        snprintf(times, sizeof times, " times the class and policy factors (%g)", factor);
    if (d->kind == BF_DIST_FIXED) {
        char product[48] = "";
        if (factor != 1.0)
            snprintf(product, sizeof product, " is %.3g %s,", tail, pi->unit);
        bf_diag_set(diag,
                    "%.3g %s%s%s longer than the %.0f %s allowed (about %.0f years, so that no "
                    "date leaves the calendar's range)",
                    d->p[0], pi->unit, times, factor != 1.0 ? product : " is", max, pi->unit,
                    days / 365.25);
        return BF_ERANGE;
    }
    bf_diag_set(diag,
                "this %s distribution%s reaches %.6g %s in its far tail (exceeded once in "
                "10^12 draws); at most %.0f %s are allowed there (about %.0f years, so that no "
                "date leaves the calendar's range)",
                bf_dist_kind_name(d->kind), times, tail, pi->unit, max, pi->unit, days / 365.25);
    return BF_ERANGE;
}

static int check_table(const struct bf_param_info *t, size_t n, const void *base,
                       const char *prefix, struct bf_diag *diag)
{
    for (size_t i = 0; i < n; i++) {
        int rc = bf_param_check_value(&t[i], base, diag);
        if (rc != 0) {
            bf_diag_where(diag, "%s%s", prefix, t[i].path);
            return rc;
        }
    }
    return 0;
}

/*
 * The times the model multiplies by the class and policy factors
 * (export.c): each within its maximum after the factors too, which
 * bf_param_check_value cannot see, as it checks one value at a time.
 */
static int check_scaled_tails(const struct bf_params *p, struct bf_diag *diag)
{
    const double clr = p->clearance.multiplier * p->clearance.policy_factor;
    const double port = p->port.multiplier * p->port.policy_factor;
    const struct {
        const char *path;
        const struct bf_dist *d;
        double factor;
    } scaled[] = {{"clearance.screening_h", &p->clearance.screening_h, clr},
                  {"clearance.inspect_h", &p->clearance.inspect_h, clr},
                  {"port.handling_d", &p->port.handling_d, port}};
    for (size_t k = 0; k < sizeof scaled / sizeof scaled[0]; k++)
        for (size_t i = 0; i < bf_param_table_n; i++) {
            if (strcmp(bf_param_table[i].path, scaled[k].path) != 0)
                continue;
            int rc = bf_param_check_tail(&bf_param_table[i], scaled[k].d, scaled[k].factor, diag);
            if (rc != 0) {
                bf_diag_where(diag, "%s", scaled[k].path);
                return rc;
            }
        }
    return 0;
}

int bf_params_check(const struct bf_params *p, struct bf_diag *diag)
{
    char prefix[96];
    int rc = check_table(bf_param_table, bf_param_table_n, p, "", diag);
    if (rc != 0)
        return rc;
    if ((rc = check_scaled_tails(p, diag)) != 0)
        return rc;
    if (p->n_categories < 1 || p->n_categories > BF_MAX_CATEGORIES) {
        bf_diag_where(diag, "categories");
        bf_diag_set(diag, "%u goods categories; 1 to %d are allowed", p->n_categories,
                    BF_MAX_CATEGORIES);
        return BF_EINVAL;
    }
    if (p->n_lanes < 1 || p->n_lanes > BF_MAX_LANES) {
        bf_diag_where(diag, "lanes");
        bf_diag_set(diag, "%u lanes; 1 to %d are allowed", p->n_lanes, BF_MAX_LANES);
        return BF_EINVAL;
    }
    double cat_sum = 0.0;
    for (unsigned i = 0; i < p->n_categories; i++) {
        snprintf(prefix, sizeof prefix, "categories.%s.", p->category[i].name);
        if ((rc = check_table(bf_category_table, bf_category_table_n, &p->category[i], prefix,
                              diag)) != 0)
            return rc;
        cat_sum += p->category[i].share;
        if (p->category[i].name[0] == '\0' ||
            bf_params_category(p, p->category[i].name) != (int)i) {
            bf_diag_where(diag, "categories");
            bf_diag_set(diag, "category %u has an empty or repeated name '%s'", i,
                        p->category[i].name);
            return BF_EINVAL;
        }
    }
    if (!(cat_sum > 0.0)) {
        bf_diag_where(diag, "categories");
        bf_diag_set(diag, "the category shares sum to 0; at least one must be positive");
        return BF_EINVAL;
    }
    for (unsigned i = 0; i < p->n_lanes; i++) {
        snprintf(prefix, sizeof prefix, "lanes.%s.", p->lane[i].name);
        if ((rc = check_table(bf_lane_table, bf_lane_table_n, &p->lane[i], prefix, diag)) != 0)
            return rc;
        if (p->lane[i].name[0] == '\0' || bf_params_lane(p, p->lane[i].name) != (int)i) {
            bf_diag_where(diag, "lanes");
            bf_diag_set(diag, "lane %u has an empty or repeated name '%s'", i, p->lane[i].name);
            return BF_EINVAL;
        }
    }
    double ch_sum = 0.0;
    for (int c = 0; c < BF_CH_COUNT; c++) {
        const struct bf_channel_params *ch = &p->channel[c];
        snprintf(prefix, sizeof prefix, "channels.%s.", bf_channel_code((enum bf_channel)c));
        if ((rc = check_table(bf_channel_table, bf_channel_table_n, ch, prefix, diag)) != 0)
            return rc;
        ch_sum += ch->share;
        double lanes = 0.0;
        for (unsigned k = 0; k < BF_MAX_LANES; k++) {
            if (k >= p->n_lanes && ch->lane_weight[k] != 0.0) {
                bf_diag_where(diag, "%slanes", prefix);
                bf_diag_set(diag, "a weight is given for lane %u, but only %u lanes exist", k,
                            p->n_lanes);
                return BF_EINVAL;
            }
            if (k < p->n_lanes)
                lanes += ch->lane_weight[k] * p->lane[k].share;
        }
        if (ch->share > 0.0 && !(lanes > 0.0)) {
            bf_diag_where(diag, "%slanes", prefix);
            bf_diag_set(diag,
                        "channel %s has shipments (share %g) but no lane with a positive "
                        "weight; give at least one lane a weight > 0",
                        bf_channel_code((enum bf_channel)c), ch->share);
            return BF_EINVAL;
        }
        /* units: at least one unit after rounding is guaranteed by the model;
         * a distribution of only zeros would be a mistake */
        if (bf_dist_mean(&ch->units) <= 0.0 && ch->share > 0.0) {
            bf_diag_where(diag, "%sunits", prefix);
            bf_diag_set(diag, "units per shipment must have a positive mean");
            return BF_ERANGE;
        }
    }
    if (!(ch_sum > 0.0)) {
        bf_diag_where(diag, "channels");
        bf_diag_set(diag, "the channel shares sum to 0; at least one must be positive");
        return BF_EINVAL;
    }
    if (p->returns.to_china_share + p->returns.resell_share > 1.0 + 1e-12) {
        bf_diag_where(diag, "returns.resell_share");
        bf_diag_set(diag,
                    "to_china_share (%g) + resell_share (%g) exceed 1; the rest (disposed "
                    "of abroad) cannot be negative",
                    p->returns.to_china_share, p->returns.resell_share);
        return BF_ERANGE;
    }
    if (p->clearance.teams_follow_calendar &&
        !(p->clearance.shift_start_h < p->clearance.shift_end_h)) {
        bf_diag_where(diag, "clearance.shift_end_h");
        bf_diag_set(diag,
                    "the shift ends (%g h) before it starts (%g h); use shift_start_h < "
                    "shift_end_h",
                    p->clearance.shift_end_h, p->clearance.shift_start_h);
        return BF_ERANGE;
    }
    if (p->returns.consolidation.kind == BF_PERIODIC_CONTINUOUS) {
        bf_diag_where(diag, "returns.consolidation");
        bf_diag_set(diag, "return shipments need a schedule (daily, weekly, monthly or interval), "
                          "not continuous");
        return BF_EINVAL;
    }
    return 0;
}

/* ---- values as text (docs/parameters.md, summary.json) ---- */

void bf_dist_format(const struct bf_dist *d, char *buf, size_t size)
{
    switch (d->kind) {
    case BF_DIST_FIXED:
        snprintf(buf, size, "%g", d->p[0]);
        break;
    case BF_DIST_UNIFORM:
        snprintf(buf, size, "uniform(%g, %g)", d->p[0], d->p[1]);
        break;
    case BF_DIST_TRIANGULAR:
        snprintf(buf, size, "triangular(%g, %g, %g)", d->p[0], d->p[1], d->p[2]);
        break;
    case BF_DIST_EXPONENTIAL:
        snprintf(buf, size, "exponential(mean %g)", d->p[0]);
        break;
    case BF_DIST_LOGNORMAL:
        snprintf(buf, size, "lognormal(mu %.3f, sigma %.3f): median %.3g, p90 %.3g, mean %.3g",
                 d->p[0], d->p[1], exp(d->p[0]), bf_dist_quantile(d, 0.9), bf_dist_mean(d));
        break;
    case BF_DIST_GAMMA:
        snprintf(buf, size, "gamma(shape %.3g, scale %.3g): mean %.3g, cv %.2f", d->p[0], d->p[1],
                 bf_dist_mean(d), 1.0 / sqrt(d->p[0]));
        break;
    case BF_DIST_WEIBULL:
        snprintf(buf, size, "weibull(shape %g, scale %g)", d->p[0], d->p[1]);
        break;
    case BF_DIST_EMPIRICAL: {
        size_t k = (size_t)snprintf(buf, size, "empirical(");
        for (unsigned i = 0; i < d->n && k < size; i++)
            k += (size_t)snprintf(buf + k, size - k, "%s%g:%g", i ? ", " : "", d->v[i], d->w[i]);
        if (k < size)
            snprintf(buf + k, size - k, ")");
        break;
    }
    case BF_DIST_BERNOULLI:
        snprintf(buf, size, "bernoulli(%g)", d->p[0]);
        break;
    default:
        snprintf(buf, size, "?");
    }
}

void bf_param_format(const struct bf_param_info *pi, const void *base, char *buf, size_t size)
{
    const unsigned char *b = (const unsigned char *)base + pi->offset;
    double v;
    uint32_t u;
    int i;
    switch (pi->type) {
    case BF_PT_NUMBER:
    case BF_PT_PROB:
        memcpy(&v, b, sizeof v);
        snprintf(buf, size, "%g", v);
        break;
    case BF_PT_UINT:
        memcpy(&u, b, sizeof u);
        snprintf(buf, size, "%u", (unsigned)u);
        break;
    case BF_PT_BOOL:
        memcpy(&i, b, sizeof i);
        snprintf(buf, size, "%s", i ? "true" : "false");
        break;
    case BF_PT_ENUM:
        memcpy(&i, b, sizeof i);
        snprintf(buf, size, "%s", pi->choices[i]);
        break;
    case BF_PT_DIST: {
        struct bf_dist d;
        memcpy(&d, b, sizeof d);
        bf_dist_format(&d, buf, size);
        break;
    }
    case BF_PT_SCHEDULE: {
        struct bf_periodic p;
        memcpy(&p, b, sizeof p);
        static const char *const wd[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        if (p.kind == BF_PERIODIC_WEEKLY) {
            size_t k = (size_t)snprintf(buf, size, "weekly");
            for (int w = 0; w < 7 && k < size; w++)
                if (p.weekday_mask & (1u << w))
                    k += (size_t)snprintf(buf + k, size - k, " %s", wd[w]);
            if (k < size)
                snprintf(buf + k, size - k, " at %g h", p.at_hour);
        } else if (p.kind == BF_PERIODIC_DAILY) {
            snprintf(buf, size, "daily at %g h", p.at_hour);
        } else if (p.kind == BF_PERIODIC_MONTHLY) {
            snprintf(buf, size, "monthly on day %u at %g h", (unsigned)p.day_of_month, p.at_hour);
        } else if (p.kind == BF_PERIODIC_INTERVAL) {
            snprintf(buf, size, "every %g h", p.interval_h);
        } else {
            snprintf(buf, size, "continuous");
        }
        break;
    }
    case BF_PT_MONTHS12: {
        double m[12];
        memcpy(m, b, sizeof m);
        size_t k = 0;
        for (int j = 0; j < 12 && k < size; j++)
            k += (size_t)snprintf(buf + k, size - k, "%s%g", j ? " " : "", m[j]);
        break;
    }
    case BF_PT_LANE_WEIGHTS:
        snprintf(buf, size, "(see the channel tables)");
        break;
    }
}

/* ---- volume in money ---- */

/* A draw of units as the model rounds it (export.c): nearest, at least 1. */
static double whole_units(double x)
{
    double u = floor(x + 0.5);
    return u < 1.0 ? 1.0 : u;
}

static double survival(const struct bf_dist *d, double x)
{
    return 1.0 - bf_dist_cdf(d, x);
}

/*
 * The integral of the survival function over [a, b] by a 5-point
 * Gauss-Legendre rule on each piece between the kinks: exact for the
 * piecewise polynomials of the uniform and triangular. Five nodes written out rather than
 * GSL's gsl_integration_glfixed: its table is allocated, and a failed
 * allocation would go to the GSL error handler, which aborts (main.c).
 */
static double integral_survival(const struct bf_dist *d, double a, double b, const double *kink,
                                int n_kink)
{
    static const double x[5] = {0.0, -0.5384693101056831, 0.5384693101056831, -0.9061798459386640,
                                0.9061798459386640};
    static const double w[5] = {0.5688888888888889, 0.4786286704993665, 0.4786286704993665,
                                0.2369268850561891, 0.2369268850561891};
    double cut[5], sum = 0.0;
    int nc = 0;
    cut[nc++] = a;
    for (int k = 0; k < n_kink; k++)
        if (kink[k] > a && kink[k] < b)
            cut[nc++] = kink[k];
    cut[nc++] = b;
    for (int j = 0; j + 1 < nc; j++) {
        const double m = 0.5 * (cut[j] + cut[j + 1]), h = 0.5 * (cut[j + 1] - cut[j]);
        for (int i = 0; i < 5; i++)
            sum += h * w[i] * survival(d, m + h * x[i]);
    }
    return sum;
}

/*
 * The integral of S over the unit interval [k - 1, k]: near 0, where a
 * gamma or Weibull of shape below 1 has an infinite density, on pieces
 * halving towards 0 (to 2^-40, where S is 1 to well within 10^-9 for any
 * shape allowed); over the next units, where the density changes fastest,
 * on quarters; beyond, in one piece.
 */
static double integral_unit(const struct bf_dist *d, unsigned k, const double *kink, int n_kink)
{
    const double a = k - 1.0;
    if (k == 1) {
        double sum = integral_survival(d, 0.0, ldexp(1.0, -40), kink, n_kink);
        for (int j = 40; j > 0; j--)
            sum += integral_survival(d, ldexp(1.0, -j), ldexp(1.0, -j + 1), kink, n_kink);
        return sum;
    }
    if (k <= 16) {
        double sum = 0.0;
        for (int q = 0; q < 4; q++)
            sum += integral_survival(d, a + q / 4.0, a + (q + 1) / 4.0, kink, n_kink);
        return sum;
    }
    return integral_survival(d, a, a + 1.0, kink, n_kink);
}

double bf_params_units_mean(const struct bf_dist *d)
{
    BF_ASSERT(bf_dist_check(d, NULL) == 0 && bf_dist_nonnegative(d));
    switch (d->kind) {
    case BF_DIST_FIXED:
        return whole_units(d->p[0]);
    case BF_DIST_EMPIRICAL: {
        double total = 0.0, sum = 0.0;
        for (unsigned i = 0; i < d->n; i++) {
            total += d->w[i];
            sum += d->w[i] * whole_units(d->v[i]);
        }
        return sum / total;
    }
    case BF_DIST_BERNOULLI:
        return 1.0; /* 0 and 1 both ship one unit */
    default:
        break;
    }
    /*
     * g(x) = max(1, floor(x + 1/2)) = 1 + sum over k >= 2 of [x >= k - 1/2],
     * so E[g] = 1 + sum_k>=2 S(k - 1/2), S the survival function; and
     * E[X] = sum_k>=1 of the integral of S over [k - 1, k]. Hence
     * E[g] = E[X] + F(1/2) + sum_k>=1 (S(k - 1/2) - integral over
     * [k - 1, k]): the midpoint rule's error on each unit interval, which
     * vanishes where S is linear and decays as the density flattens. Summed
     * to the far tail when it is near, else over 128 intervals: beyond, the
     * terms add up to about f(128) / 24, a millionth of a unit.
     */
    double kink[3];
    int n_kink = 0;
    if (d->kind == BF_DIST_UNIFORM || d->kind == BF_DIST_TRIANGULAR)
        for (int k = 0; k < (d->kind == BF_DIST_UNIFORM ? 2 : 3); k++)
            kink[n_kink++] = d->p[k];
    const double tail = bf_dist_tail(d);
    const unsigned n = isfinite(tail) && tail < 127.0 ? (unsigned)ceil(tail) + 1 : 128;
    double m = bf_dist_mean(d) + bf_dist_cdf(d, 0.5);
    for (unsigned k = 1; k <= n; k++)
        m += survival(d, k - 0.5) - integral_unit(d, k, kink, n_kink);
    return m;
}

double bf_params_shipment_value_cny(const struct bf_params *p, enum bf_value_basis basis)
{
    double wsum = 0.0, units = 0.0;
    for (int c = 0; c < BF_CH_COUNT; c++) {
        const double w = p->channel[c].share;
        if (w <= 0.0)
            continue; /* never drawn: its units may be anything */
        wsum += w;
        units += w * bf_params_units_mean(&p->channel[c].units);
    }
    double csum = 0.0, value = 0.0;
    for (unsigned k = 0; k < p->n_categories; k++) {
        const struct bf_category *cat = &p->category[k];
        if (cat->share <= 0.0)
            continue;
        csum += cat->share;
        value += cat->share * bf_dist_mean(&cat->unit_cost_cny) *
                 (basis == BF_VALUE_FOB ? cat->fob_multiple : 1.0);
    }
    BF_ASSERT(wsum > 0.0 && csum > 0.0);
    return units / wsum * (value / csum);
}

double bf_params_year_factor(const struct bf_params *p)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    double f = 0.0;
    for (int m = 0; m < 12; m++)
        f += days[m] * p->seasonality[m];
    return f;
}
