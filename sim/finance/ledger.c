/*
 * ledger.c - cash ledger in integer fen, daily positions, financing, NPV.
 */
#include "borderflow/ledger.h"

#include <math.h>
#include <string.h>

#include "borderflow/alloc.h"

static const char *const flow_descs[] = {
#define XX(name, desc) desc,
    BF_FLOW_MAP(XX)
#undef XX
};

const char *bf_flow_name(enum bf_flow f)
{
    /* the CSV and JSON names: lower case of BF_FLOW_MAP's names */
    static const char *const lower[] = {"goods",      "freight_out", "warehouse",
                                        "proceeds",   "refunds",     "freight_return",
                                        "import_tax", "rebate_in",   "rebate_repaid"};
    _Static_assert(sizeof lower / sizeof lower[0] == BF_FLOW_COUNT, "flow names");
    return (unsigned)f < BF_FLOW_COUNT ? lower[f] : "?";
}

const char *bf_flow_desc(enum bf_flow f)
{
    return (unsigned)f < BF_FLOW_COUNT ? flow_descs[f] : "?";
}

int bf_ledger_init(struct bf_ledger *l, int32_t first_day, uint32_t n_days)
{
    memset(l, 0, sizeof *l);
    l->first_day = first_day;
    l->n_days = n_days;
    l->flow_fen = bf__calloc((size_t)n_days * BF_FLOW_COUNT, sizeof *l->flow_fen);
    l->fee_rate_fen = bf__calloc((size_t)n_days + 1, sizeof *l->fee_rate_fen);
    l->recv_fen = bf__calloc((size_t)n_days + 1, sizeof *l->recv_fen);
    if (l->flow_fen == NULL || l->fee_rate_fen == NULL || l->recv_fen == NULL) {
        bf_ledger_fini(l);
        return BF_ENOMEM;
    }
    return 0;
}

void bf_ledger_fini(struct bf_ledger *l)
{
    bf__free(l->flow_fen);
    bf__free(l->fee_rate_fen);
    bf__free(l->recv_fen);
    l->flow_fen = l->fee_rate_fen = l->recv_fen = NULL;
}

void bf_ledger_book(struct bf_ledger *l, int32_t day, enum bf_flow f, int64_t amount_fen)
{
    BF_ASSERT(day >= l->first_day);
    BF_ASSERT((unsigned)f < BF_FLOW_COUNT);
    int64_t i = (int64_t)day - l->first_day;
    int64_t *cell =
        i >= (int64_t)l->n_days ? &l->beyond_fen[f] : &l->flow_fen[(size_t)i * BF_FLOW_COUNT + f];
    if (__builtin_add_overflow(l->total_fen[f], amount_fen, &l->total_fen[f]) ||
        __builtin_add_overflow(*cell, amount_fen, cell))
        l->overflow = true;
}

/* *acc += v, or the overflow flag: signed overflow is undefined behaviour. */
static void add(struct bf_ledger *l, int64_t *acc, int64_t v)
{
    if (__builtin_add_overflow(*acc, v, acc))
        l->overflow = true;
}

/* Clips [from, to) to the window; returns the window-relative bounds. */
static void clip(const struct bf_ledger *l, int32_t from, int32_t to, int64_t *a, int64_t *b)
{
    *a = (int64_t)from - l->first_day;
    *b = (int64_t)to - l->first_day;
    if (*b > (int64_t)l->n_days)
        *b = (int64_t)l->n_days;
}

void bf_ledger_fee(struct bf_ledger *l, int32_t from, int32_t to, int64_t fee_fen_per_day)
{
    BF_ASSERT(from >= l->first_day && to >= from);
    int64_t a, b;
    clip(l, from, to, &a, &b);
    int64_t total;
    if (__builtin_mul_overflow(fee_fen_per_day, (int64_t)to - from, &total)) {
        l->overflow = true;
        return;
    }
    if (total == INT64_MIN || fee_fen_per_day == INT64_MIN) {
        l->overflow = true;
        return;
    }
    int64_t inside = b > a ? fee_fen_per_day * (b - a) : 0; /* |inside| <= |total| */
    add(l, &l->total_fen[BF_FLOW_WAREHOUSE], -total);
    add(l, &l->beyond_fen[BF_FLOW_WAREHOUSE], inside - total);
    if (b > a) {
        add(l, &l->fee_rate_fen[a], fee_fen_per_day);
        add(l, &l->fee_rate_fen[b], -fee_fen_per_day);
    }
}

void bf_ledger_receivable(struct bf_ledger *l, int32_t from, int32_t to, int64_t amount_fen)
{
    BF_ASSERT(from >= l->first_day && to >= from);
    int64_t a, b;
    clip(l, from, to, &a, &b);
    if (amount_fen == INT64_MIN) {
        l->overflow = true;
        return;
    }
    if (b > a) {
        add(l, &l->recv_fen[a], amount_fen);
        add(l, &l->recv_fen[b], -amount_fen);
    }
}

void bf_ledger_close(struct bf_ledger *l)
{
    int64_t rate = 0;
    for (uint32_t i = 0; i < l->n_days; i++) {
        add(l, &rate, l->fee_rate_fen[i]);
        if (rate == INT64_MIN)
            l->overflow = true;
        else
            add(l, &l->flow_fen[(size_t)i * BF_FLOW_COUNT + BF_FLOW_WAREHOUSE], -rate);
        l->fee_rate_fen[i] = 0;
    }
    l->fee_rate_fen[l->n_days] = 0;
    /* the sums the readers below make, checked once here so that they can
     * stay unchecked: each day's net flow, the position, the receivables */
    int64_t pos = 0, recv = 0;
    for (uint32_t i = 0; i < l->n_days && !l->overflow; i++) {
        int64_t net = 0;
        for (int f = 0; f < BF_FLOW_COUNT; f++)
            add(l, &net, l->flow_fen[(size_t)i * BF_FLOW_COUNT + (size_t)f]);
        add(l, &pos, net);
        add(l, &recv, l->recv_fen[i]);
    }
}

int64_t bf_ledger_day_net(const struct bf_ledger *l, uint32_t i)
{
    int64_t s = 0;
    for (int f = 0; f < BF_FLOW_COUNT; f++)
        s += l->flow_fen[(size_t)i * BF_FLOW_COUNT + (size_t)f];
    return s;
}

void bf_ledger_positions(const struct bf_ledger *l, int64_t *out)
{
    int64_t pos = 0;
    for (uint32_t i = 0; i < l->n_days; i++) {
        pos += bf_ledger_day_net(l, i);
        out[i] = pos;
    }
}

void bf_ledger_summarise(const struct bf_ledger *l, uint32_t from_i, double financing_rate,
                         double discount_rate, struct bf_ledger_summary *s)
{
    memset(s, 0, sizeof *s);
    int64_t pos = 0, recv = 0;
    double tied_sum = 0.0, recv_sum = 0.0;
    uint32_t n_obs = 0;
    const double ln_disc = log1p(discount_rate);
    for (uint32_t i = 0; i < l->n_days; i++) {
        int64_t net = bf_ledger_day_net(l, i);
        pos += net;
        recv += l->recv_fen[i];
        s->npv_fen += (double)net * exp(-ln_disc * (double)i / 365.0);
        if (i < from_i)
            continue;
        double need = pos < 0 ? (double)-pos : 0.0;
        if (need > s->peak_working_capital_fen)
            s->peak_working_capital_fen = need;
        tied_sum += need;
        recv_sum += (double)recv;
        if ((double)recv > s->receivable_peak_fen)
            s->receivable_peak_fen = (double)recv;
        n_obs++;
    }
    s->final_position_fen = pos;
    s->financing_cost_fen = tied_sum * financing_rate / 365.0;
    if (n_obs > 0) {
        s->avg_capital_tied_fen = tied_sum / n_obs;
        s->receivable_avg_fen = recv_sum / n_obs;
    }
}
