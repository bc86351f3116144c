/*
 * ledger.h - the cash ledger of one (city, policy, replication).
 *
 * Every flow is booked on its date in integer fen (1/100 CNY), so sums are
 * exact and independent of booking order; rates, NPV and averages are
 * computed in double from the exact daily totals. Inflows are positive,
 * outflows negative.
 *
 * The ledger covers a window of days [first_day, first_day + n_days).
 * Flows dated after the window (a settlement lag that runs past the end)
 * are kept per flow type in beyond_fen; flows dated before it are a bug.
 *
 * Quantities that are outstanding over an interval of days (warehouse fees
 * accruing per unit-day, rebate receivables from export to payment) are
 * booked as rates on difference arrays: O(1) per unit whatever the length
 * of its stay, integrated once at the end.
 */
#ifndef BORDERFLOW_LEDGER_H
#define BORDERFLOW_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "borderflow/error.h"

/* name, description */
#define BF_FLOW_MAP(XX)                                                                            \
    XX(GOODS, "goods cost paid to suppliers")                                                      \
    XX(FREIGHT_OUT, "outbound freight")                                                            \
    XX(WAREHOUSE, "overseas warehouse fees")                                                       \
    XX(PROCEEDS, "sale proceeds received (after platform fees and settlement lag)")                \
    XX(REFUNDS, "refunds to buyers for returns")                                                   \
    XX(FREIGHT_RETURN, "return freight to China")                                                  \
    XX(IMPORT_TAX, "import duty and VAT on re-import")                                             \
    XX(REBATE_IN, "export VAT rebate received")                                                    \
    XX(REBATE_REPAID, "export VAT rebate repaid")

enum bf_flow {
#define XX(name, desc) BF_FLOW_##name,
    BF_FLOW_MAP(XX)
#undef XX
        BF_FLOW_COUNT
};

/* Lower-case name ("rebate_in") and description of a flow. */
const char *bf_flow_name(enum bf_flow f);
const char *bf_flow_desc(enum bf_flow f);

struct bf_ledger {
    int32_t first_day;
    uint32_t n_days;
    int64_t *flow_fen;     /* [n_days * BF_FLOW_COUNT], day-major */
    int64_t *fee_rate_fen; /* [n_days + 1] difference array of fen per day */
    int64_t *recv_fen;     /* [n_days + 1] difference array of receivables */
    int64_t beyond_fen[BF_FLOW_COUNT];
    int64_t total_fen[BF_FLOW_COUNT]; /* everything booked, window or beyond */
    bool overflow;                    /* a sum left the int64 range: every figure is void */
};

/* 0 or BF_ENOMEM. bf_ledger_fini frees. */
int bf_ledger_init(struct bf_ledger *l, int32_t first_day, uint32_t n_days);
void bf_ledger_fini(struct bf_ledger *l);

/* Books amount_fen of flow f on day (>= first_day, asserted). A sum that
 * would leave the int64 range sets `overflow` instead of wrapping. */
void bf_ledger_book(struct bf_ledger *l, int32_t day, enum bf_flow f, int64_t amount_fen);

/*
 * Warehouse fees of fee_fen per day from day `from` (inclusive) to `to`
 * (exclusive), booked as WAREHOUSE outflows when the ledger is closed.
 * to >= from. Days past the window go to beyond_fen.
 */
void bf_ledger_fee(struct bf_ledger *l, int32_t from, int32_t to, int64_t fee_fen_per_day);

/* A receivable of amount_fen outstanding on days [from, to). */
void bf_ledger_receivable(struct bf_ledger *l, int32_t from, int32_t to, int64_t amount_fen);

/*
 * Integrates the fee difference array into daily WAREHOUSE flows. Call once,
 * after the last booking and before the summaries below.
 */
void bf_ledger_close(struct bf_ledger *l);

/* Sum of all flows on a day (window-relative index). */
int64_t bf_ledger_day_net(const struct bf_ledger *l, uint32_t i);

/*
 * Summary over the days [from_i, n_days) of the window (from_i skips a
 * warm-up); the cash position is cumulative from the window's first day.
 *  - peak working capital: the largest funding need, max(0, -position);
 *  - average capital tied up: mean of max(0, -position) per day;
 *  - financing cost: sum over days of max(0, -position) * rate / 365
 *    (simple daily interest on the overdrawn position);
 *  - NPV: sum of daily flows discounted at the annual rate,
 *    (1 + r)^(-days / 365) from the window's first day;
 *  - receivables: mean and peak outstanding over the days.
 * All amounts in fen (as doubles).
 */
struct bf_ledger_summary {
    double peak_working_capital_fen;
    double avg_capital_tied_fen;
    double financing_cost_fen;
    double npv_fen;
    double receivable_avg_fen;
    double receivable_peak_fen;
    int64_t final_position_fen;
};
void bf_ledger_summarise(const struct bf_ledger *l, uint32_t from_i, double financing_rate,
                         double discount_rate, struct bf_ledger_summary *s);

/* Daily cash positions (cumulative net flows) into out[n_days]. */
void bf_ledger_positions(const struct bf_ledger *l, int64_t *out);

#endif
