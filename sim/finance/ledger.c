/*
 * ledger.c - cash ledger in integer fen, working-capital balances by day,
 * financing cost and NPV over a measurement window.
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

static const char *const balance_descs[] = {
#define XX(name, desc) desc,
    BF_BALANCE_MAP(XX)
#undef XX
};

const char *bf_flow_name(enum bf_flow f)
{
    /* the CSV and JSON names: lower case of BF_FLOW_MAP's names */
    static const char *const lower[] = {"goods",     "freight_out",    "warehouse",     "proceeds",
                                        "refunds",   "freight_return", "import_tax",    "home_sale",
                                        "rebate_in", "rebate_repaid",  "rebate_settled"};
    _Static_assert(sizeof lower / sizeof lower[0] == BF_FLOW_COUNT, "flow names");
    return (unsigned)f < BF_FLOW_COUNT ? lower[f] : "?";
}

const char *bf_flow_desc(enum bf_flow f)
{
    return (unsigned)f < BF_FLOW_COUNT ? flow_descs[f] : "?";
}

const char *bf_balance_name(enum bf_balance b)
{
    static const char *const lower[] = {"inventory", "returning", "receivables",
                                        "rebate_receivable"};
    _Static_assert(sizeof lower / sizeof lower[0] == BF_BAL_COUNT, "balance names");
    return (unsigned)b < BF_BAL_COUNT ? lower[b] : "?";
}

const char *bf_balance_desc(enum bf_balance b)
{
    return (unsigned)b < BF_BAL_COUNT ? balance_descs[b] : "?";
}

int bf_ledger_init(struct bf_ledger *l, int32_t first_day, uint32_t n_days)
{
    memset(l, 0, sizeof *l);
    l->first_day = first_day;
    l->n_days = n_days;
    l->flow_fen = bf__calloc((size_t)n_days * BF_FLOW_COUNT, sizeof *l->flow_fen);
    l->fee_rate_fen = bf__calloc((size_t)n_days + 1, sizeof *l->fee_rate_fen);
    l->bal_fen = bf__calloc((size_t)n_days * BF_BAL_COUNT, sizeof *l->bal_fen);
    if (l->flow_fen == NULL || l->fee_rate_fen == NULL || l->bal_fen == NULL) {
        bf_ledger_fini(l);
        return BF_ENOMEM;
    }
    return 0;
}

void bf_ledger_fini(struct bf_ledger *l)
{
    bf__free(l->flow_fen);
    bf__free(l->fee_rate_fen);
    bf__free(l->bal_fen);
    l->flow_fen = l->fee_rate_fen = l->bal_fen = NULL;
}

static void add(struct bf_ledger *l, int64_t *acc, int64_t v)
{
    bf__ledger_add(l, acc, v);
}

void bf_ledger_close(struct bf_ledger *l)
{
    BF_ASSERT(!l->closed);
    l->closed = true;
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
    /* changes -> balances, in place */
    for (int b = 0; b < BF_BAL_COUNT; b++) {
        int64_t *v = &l->bal_fen[(size_t)b * l->n_days];
        for (uint32_t i = 1; i < l->n_days; i++)
            add(l, &v[i], v[i - 1]);
    }
    /* the sums the readers below make, checked once here so that they can
     * stay unchecked: each day's net flow, the position, the working capital */
    int64_t pos = 0;
    for (uint32_t i = 0; i < l->n_days && !l->overflow; i++) {
        int64_t net = 0, wc = 0;
        for (int f = 0; f < BF_FLOW_COUNT; f++)
            add(l, &net, l->flow_fen[(size_t)i * BF_FLOW_COUNT + (size_t)f]);
        add(l, &pos, net);
        for (int b = 0; b < BF_BAL_COUNT; b++)
            add(l, &wc, l->bal_fen[(size_t)b * l->n_days + i]);
    }
}

int64_t bf_ledger_day_net(const struct bf_ledger *l, uint32_t i)
{
    int64_t s = 0;
    for (int f = 0; f < BF_FLOW_COUNT; f++)
        s += l->flow_fen[(size_t)i * BF_FLOW_COUNT + (size_t)f];
    return s;
}

int64_t bf_ledger_wc_at(const struct bf_ledger *l, uint32_t i)
{
    int64_t s = 0;
    for (int b = 0; b < BF_BAL_COUNT; b++)
        s += l->bal_fen[(size_t)b * l->n_days + i];
    return s;
}

void bf_ledger_positions(const struct bf_ledger *l, uint32_t from_i, uint32_t to_i, int64_t *out)
{
    BF_ASSERT(from_i <= to_i && to_i <= l->n_days);
    int64_t pos = 0;
    for (uint32_t i = from_i; i < to_i; i++) {
        pos += bf_ledger_day_net(l, i);
        out[i - from_i] = pos;
    }
}

void bf_ledger_summarise(const struct bf_ledger *l, uint32_t from_i, uint32_t to_i,
                         double financing_rate, double discount_rate, struct bf_ledger_summary *s)
{
    BF_ASSERT(l->closed && from_i < to_i && to_i <= l->n_days);
    memset(s, 0, sizeof *s);
    const double ln_disc = log1p(discount_rate);
    const double n = (double)(to_i - from_i);
    double wc_sum = 0.0, bal_sum[BF_BAL_COUNT] = {0};
    s->wc_open_fen = from_i > 0 ? (double)bf_ledger_wc_at(l, from_i - 1) : 0.0;
    s->wc_peak_fen = -INFINITY;
    for (uint32_t i = from_i; i < to_i; i++) {
        int64_t net = 0;
        for (int f = 0; f < BF_FLOW_COUNT; f++) {
            int64_t v = l->flow_fen[(size_t)i * BF_FLOW_COUNT + (size_t)f];
            s->flow_fen[f] += v;
            net += v;
        }
        s->net_fen += net;
        s->npv_fen += (double)net * exp(-ln_disc * (double)(i - from_i) / 365.0);
        double wc = 0.0;
        for (int b = 0; b < BF_BAL_COUNT; b++) {
            double v = (double)bf_ledger_balance_at(l, (enum bf_balance)b, i);
            bal_sum[b] += v;
            wc += v;
        }
        wc_sum += wc;
        if (wc > s->wc_peak_fen)
            s->wc_peak_fen = wc;
    }
    s->wc_close_fen = (double)bf_ledger_wc_at(l, to_i - 1);
    for (int b = 0; b < BF_BAL_COUNT; b++)
        s->balance_avg_fen[b] = bal_sum[b] / n;
    s->wc_avg_fen = wc_sum / n;
    s->financing_cost_fen = wc_sum * financing_rate / 365.0;
    s->npv_fen += -s->wc_open_fen + s->wc_close_fen * exp(-ln_disc * n / 365.0);
}
