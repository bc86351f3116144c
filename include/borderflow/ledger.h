/*
 * ledger.h - the cash ledger and the working-capital balances of one
 * (city, policy, replication).
 *
 * Every flow is booked on its date in integer fen (1/100 CNY), so sums are
 * exact and independent of booking order; rates, NPV and averages are
 * computed in double from the exact daily totals. Inflows are positive,
 * outflows negative.
 *
 * The ledger covers the days [first_day, first_day + n_days) of a run: the
 * warm-up, the measurement window and the tail. Flows dated after them (a
 * settlement lag that runs past the end) are kept per flow type in
 * beyond_fen; flows dated before them are a bug.
 *
 * Balances are what the exporter has outstanding at the end of a day, by
 * component of working capital (inventory, goods returning, trade
 * receivables, export rebate receivable). The model books a balance as the
 * change it makes on the day it happens -- +cost when goods are bought,
 * -cost when they are sold -- so a unit costs O(1) whatever the length of
 * its stay; the daily balances are integrated once, at the end. Warehouse
 * fees accruing per unit-day are booked the same way.
 */
#ifndef BORDERFLOW_LEDGER_H
#define BORDERFLOW_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
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
    XX(HOME_SALE, "goods back in China resold at home or re-exported")                             \
    XX(REBATE_IN, "export VAT rebate received")                                                    \
    XX(REBATE_REPAID, "export VAT rebate repaid for goods that came back to China")                \
    XX(REBATE_SETTLED, "pre-refunds repaid at the 30 April settlement for goods still unsold")

enum bf_flow {
#define XX(name, desc) BF_FLOW_##name,
    BF_FLOW_MAP(XX)
#undef XX
        BF_FLOW_COUNT
};

/* name, description; their sum is the working capital */
#define BF_BALANCE_MAP(XX)                                                                         \
    XX(INVENTORY, "goods at cost, net of the export rebate once exported: before departure, "      \
                  "in transit, in the overseas warehouse")                                         \
    XX(RETURNING, "goods on their way back to China or waiting to be resold there, at cost")       \
    XX(RECEIVABLES, "trade receivables: goods sold whose proceeds are not yet received")           \
    XX(REBATE_RECEIVABLE, "export VAT rebate on goods exported, not yet received")

enum bf_balance {
#define XX(name, desc) BF_BAL_##name,
    BF_BALANCE_MAP(XX)
#undef XX
        BF_BAL_COUNT
};

/* Lower-case name ("rebate_in") and description of a flow. */
const char *bf_flow_name(enum bf_flow f);
const char *bf_flow_desc(enum bf_flow f);
/* Lower-case name ("rebate_receivable") and description of a balance. */
const char *bf_balance_name(enum bf_balance b);
const char *bf_balance_desc(enum bf_balance b);

struct bf_ledger {
    int32_t first_day;
    uint32_t n_days;
    int64_t *flow_fen;     /* [n_days * BF_FLOW_COUNT], day-major */
    int64_t *fee_rate_fen; /* [n_days + 1] difference array of fen per day */
    int64_t *bal_fen;      /* [BF_BAL_COUNT * n_days]: changes, integrated by close */
    int64_t beyond_fen[BF_FLOW_COUNT];
    int64_t total_fen[BF_FLOW_COUNT];    /* everything booked, window or beyond */
    int64_t bal_total_fen[BF_BAL_COUNT]; /* every change booked, beyond included */
    bool closed;
    bool overflow; /* a sum left the int64 range: every figure is void */
};

/* 0 or BF_ENOMEM. bf_ledger_fini frees. */
int bf_ledger_init(struct bf_ledger *l, int32_t first_day, uint32_t n_days);
void bf_ledger_fini(struct bf_ledger *l);

/* *acc += v, or the overflow flag: signed overflow is undefined behaviour. */
static inline void bf__ledger_add(struct bf_ledger *l, int64_t *acc, int64_t v)
{
    if (__builtin_add_overflow(*acc, v, acc))
        l->overflow = true;
}

/* Books amount_fen of flow f on day (>= first_day, asserted). A sum that
 * would leave the int64 range sets `overflow` instead of wrapping. Inline,
 * as the two below: the model books a few times for every unit. */
static inline void bf_ledger_book(struct bf_ledger *l, int32_t day, enum bf_flow f,
                                  int64_t amount_fen)
{
    BF_ASSERT(day >= l->first_day);
    BF_ASSERT((unsigned)f < BF_FLOW_COUNT);
    int64_t i = (int64_t)day - l->first_day;
    int64_t *cell =
        i >= (int64_t)l->n_days ? &l->beyond_fen[f] : &l->flow_fen[(size_t)i * BF_FLOW_COUNT + f];
    bf__ledger_add(l, &l->total_fen[f], amount_fen);
    bf__ledger_add(l, cell, amount_fen);
}

/*
 * Warehouse fees of fee_fen per day from day `from` (inclusive) to `to`
 * (exclusive), booked as WAREHOUSE outflows when the ledger is closed.
 * to >= from. Days past the window go to beyond_fen.
 */
static inline void bf_ledger_fee(struct bf_ledger *l, int32_t from, int32_t to,
                                 int64_t fee_fen_per_day)
{
    BF_ASSERT(from >= l->first_day && to >= from);
    int64_t a = (int64_t)from - l->first_day, b = (int64_t)to - l->first_day;
    if (b > (int64_t)l->n_days)
        b = (int64_t)l->n_days;
    int64_t total;
    if (__builtin_mul_overflow(fee_fen_per_day, (int64_t)to - from, &total) || total == INT64_MIN ||
        fee_fen_per_day == INT64_MIN) {
        l->overflow = true;
        return;
    }
    int64_t inside = b > a ? fee_fen_per_day * (b - a) : 0; /* |inside| <= |total| */
    bf__ledger_add(l, &l->total_fen[BF_FLOW_WAREHOUSE], -total);
    bf__ledger_add(l, &l->beyond_fen[BF_FLOW_WAREHOUSE], inside - total);
    if (b > a) {
        bf__ledger_add(l, &l->fee_rate_fen[a], fee_fen_per_day);
        bf__ledger_add(l, &l->fee_rate_fen[b], -fee_fen_per_day);
    }
}

/*
 * Balance b changes by delta_fen at the end of `day` (>= first_day,
 * asserted): the balance of every day from `day` on includes it. A change
 * dated after the ledger's days is counted in bal_total_fen only. Before
 * bf_ledger_close.
 */
static inline void bf_ledger_balance(struct bf_ledger *l, enum bf_balance b, int32_t day,
                                     int64_t delta_fen)
{
    BF_ASSERT(day >= l->first_day && !l->closed);
    BF_ASSERT((unsigned)b < BF_BAL_COUNT);
    bf__ledger_add(l, &l->bal_total_fen[b], delta_fen);
    int64_t i = (int64_t)day - l->first_day;
    if (i < (int64_t)l->n_days)
        bf__ledger_add(l, &l->bal_fen[(size_t)b * l->n_days + (size_t)i], delta_fen);
}

/*
 * Integrates the fee rates into daily WAREHOUSE flows and the balance
 * changes into daily balances, checking every sum the readers below make.
 * Call once, after the last booking.
 */
void bf_ledger_close(struct bf_ledger *l);

/* Sum of all flows on a day (ledger-relative index). */
int64_t bf_ledger_day_net(const struct bf_ledger *l, uint32_t i);

/* Balance b at the end of day i (ledger-relative), after bf_ledger_close. */
static inline int64_t bf_ledger_balance_at(const struct bf_ledger *l, enum bf_balance b, uint32_t i)
{
    return l->bal_fen[(size_t)b * l->n_days + i];
}

/* Working capital at the end of day i: the sum of the balances. */
int64_t bf_ledger_wc_at(const struct bf_ledger *l, uint32_t i);

/*
 * Summary of the measurement window: the days [from_i, to_i) of the ledger
 * (from_i < to_i <= n_days). All amounts in fen.
 *  - flow_fen: flows dated in the window, per type; net_fen their sum;
 *  - balances: mean over the window's days of each balance at the end of
 *    the day; working capital (their sum): mean and peak;
 *  - financing cost: financing_rate / 365 x the sum over the window's days
 *    of the working capital (simple daily interest on the capital the
 *    pipeline ties up, whatever the sign of the cash position);
 *  - NPV at the annual discount_rate, from the window's start: minus the
 *    working capital at its opening, plus every flow of day i discounted
 *    (1 + r)^(-(i - from_i) / 365), plus the working capital at its close
 *    discounted over the whole window -- the pipeline bought at its book
 *    value and sold at its book value, so a flow is not a gain merely
 *    because it fell inside the window.
 */
struct bf_ledger_summary {
    int64_t flow_fen[BF_FLOW_COUNT];
    int64_t net_fen;
    double balance_avg_fen[BF_BAL_COUNT];
    double wc_avg_fen, wc_peak_fen;
    double wc_open_fen, wc_close_fen;
    double financing_cost_fen;
    double npv_fen;
};
void bf_ledger_summarise(const struct bf_ledger *l, uint32_t from_i, uint32_t to_i,
                         double financing_rate, double discount_rate, struct bf_ledger_summary *s);

/* Cash position at the end of each day of [from_i, to_i): the net flows
 * cumulated from from_i, into out[to_i - from_i]. */
void bf_ledger_positions(const struct bf_ledger *l, uint32_t from_i, uint32_t to_i, int64_t *out);

#endif
