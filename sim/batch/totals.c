/*
 * totals.c - what the study adds up to: totals over the cities with their
 * intervals, counts of cities by the sign of their interval, and the
 * ranking of the cities by capital released per CNY million of exports.
 *
 * Computed here, in the batch layer, so that the report and the charts only
 * read them from the results folder (totals.csv, ranking.csv,
 * summary.json). A total is formed per replication -- the replications of
 * every city share their index, so the k-th total of the study is the sum
 * of the cities' k-th replications -- and summarised over the replications;
 * a change pairs the two policies' totals of the same replication, as the
 * cities' deltas do (common random numbers).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/batch.h"

#include "internal.h"

static const char *const names[] = {
#define XX(name, unit, kind, desc) #name,
    BF_TOTAL_MAP(XX)
#undef XX
};
static const char *const units[] = {
#define XX(name, unit, kind, desc) unit,
    BF_TOTAL_MAP(XX)
#undef XX
};
static const char *const descs[] = {
#define XX(name, unit, kind, desc) desc,
    BF_TOTAL_MAP(XX)
#undef XX
};
static const enum bf_total_kind kinds[] = {
#define XX(name, unit, kind, desc) BF_TK_##kind,
    BF_TOTAL_MAP(XX)
#undef XX
};

const char *bf_total_name(int t)
{
    return t >= 0 && t < BF_TOTAL_COUNT ? names[t] : "?";
}

const char *bf_total_unit(int t)
{
    return t >= 0 && t < BF_TOTAL_COUNT ? units[t] : "?";
}

const char *bf_total_desc(int t)
{
    return t >= 0 && t < BF_TOTAL_COUNT ? descs[t] : "?";
}

enum bf_total_kind bf_total_kind(int t)
{
    BF_ASSERT(t >= 0 && t < BF_TOTAL_COUNT);
    return kinds[t];
}

/* The model metric a total is made of: summed, averaged or released. */
static enum bf_metric base_metric(int t)
{
    switch (t) {
    case BF_T_exports_cny:
        return BF_M_exports_cny;
    case BF_T_wc_stock_abroad_avg_cny:
    case BF_T_released_stock_abroad_cny:
        return BF_M_wc_inventory_avg_cny; /* less the goods returning: point_total */
    case BF_T_wc_returning_avg_cny:
    case BF_T_released_returning_cny:
        return BF_M_wc_returning_avg_cny;
    case BF_T_wc_receivables_avg_cny:
    case BF_T_released_receivables_cny:
        return BF_M_wc_receivables_avg_cny;
    case BF_T_wc_rebate_receivable_avg_cny:
    case BF_T_released_rebate_receivable_cny:
        return BF_M_wc_rebate_receivable_avg_cny;
    case BF_T_financing_saving_cny:
        return BF_M_financing_cost_cny;
    case BF_T_npv_cny:
        return BF_M_npv_cny;
    case BF_T_days_to_rebate:
        return BF_M_days_to_rebate;
    case BF_T_return_cycle_d:
        return BF_M_return_cycle_d;
    case BF_T_export_clearance_h:
        return BF_M_export_clearance_h;
    default: /* the capital released and its ratios: the mean working capital */
        return BF_M_wc_avg_cny;
    }
}

/*
 * The k-th replication's total of metric m over the cities under one
 * policy: the sum, or the unweighted mean of the cities with a value (a
 * time some city did not observe). NaN when a sum meets a NaN, or when no
 * city has a value.
 */
static double rep_total(const struct bf_results *r, uint32_t point, uint32_t policy,
                        enum bf_metric m, uint32_t k, bool mean)
{
    double sum = 0.0;
    uint32_t n = 0;
    for (uint32_t c = 0; c < r->n_cities; c++) {
        const struct bf_group *g = bf_results_group(r, point, c, policy);
        const double v = g->metric[(size_t)k * BF_METRIC_COUNT + m];
        if (!isfinite(v)) {
            if (!mean)
                return (double)NAN;
            continue;
        }
        sum += v;
        n++;
    }
    if (n == 0)
        return (double)NAN;
    return mean ? sum / n : sum;
}

/* Total t of one replication: rep_total of its metric; the stock abroad is
 * the inventory less the goods on their way back, so that the components
 * do not overlap. */
static double point_total(const struct bf_results *r, uint32_t point, uint32_t policy, int t,
                          uint32_t k, bool mean)
{
    const double v = rep_total(r, point, policy, base_metric(t), k, mean);
    if (t != BF_T_wc_stock_abroad_avg_cny && t != BF_T_released_stock_abroad_cny)
        return v;
    return v - rep_total(r, point, policy, BF_M_wc_returning_avg_cny, k, mean);
}

/* Summary of x[0..n) as a change (a ratio computed per replication). */
static int as_change(const double *x, size_t n, struct bf_paired *out)
{
    struct bf_summary s;
    int rc = bf_stats_summary(x, n, 0.95, &s);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->n = s.n;
    out->mean_a = out->mean_b = (double)NAN;
    out->mean_diff = s.mean;
    out->sd_diff = s.sd;
    out->ci_low = s.ci_low;
    out->ci_high = s.ci_high;
    out->variance_reduction = (double)NAN;
    return 0;
}

/* Keeps the pairs (a[k], b[k]) where both are finite; their count. */
static size_t finite_pairs(double *a, double *b, size_t n)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (isfinite(a[k]) && isfinite(b[k])) {
            a[m] = a[k];
            b[m] = b[k];
            m++;
        }
    return m;
}

static size_t finite_only(double *x, size_t n)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (isfinite(x[k]))
            x[m++] = x[k];
    return m;
}

/* One total of one point; a, b, x are scratch of `replications` values. */
static int one_total(struct bf_results *r, uint32_t point, int t, double *a, double *b, double *x)
{
    const struct bf_scenario *sc = r->sc;
    struct bf_total *out = &r->totals[(size_t)point * BF_TOTAL_COUNT + (size_t)t];
    memset(out, 0, sizeof *out);
    out->count = (double)NAN;
    const enum bf_total_kind kind = kinds[t];
    const bool pair = r->n_policies > 1;
    const uint32_t reps = r->replications;
    if (kind == BF_TK_COUNT) {
        if (t == BF_T_cities) {
            out->count = r->n_cities;
            return 0;
        }
        if (!pair)
            return 0;
        const enum bf_interval_sign want = t == BF_T_cities_released_above_zero   ? BF_SIGN_ABOVE
                                           : t == BF_T_cities_released_below_zero ? BF_SIGN_BELOW
                                                                                  : BF_SIGN_UNCLEAR;
        uint32_t n = 0;
        for (uint32_t c = 0; c < r->n_cities; c++) {
            const struct bf_paired *d = bf_results_delta(r, point, c, BF_DX_capital_released_cny);
            enum bf_interval_sign s = d->identical || !(d->n >= 2) ? BF_SIGN_UNCLEAR
                                      : d->ci_low > 0.0            ? BF_SIGN_ABOVE
                                      : d->ci_high < 0.0           ? BF_SIGN_BELOW
                                                                   : BF_SIGN_UNCLEAR;
            n += s == want;
        }
        out->count = n;
        return 0;
    }
    const bool mean = kind == BF_TK_MEAN;
    for (uint32_t k = 0; k < reps; k++) {
        a[k] = point_total(r, point, sc->baseline, t, k, mean);
        b[k] = pair ? point_total(r, point, sc->compared, t, k, mean) : (double)NAN;
    }
    int rc = 0;
    if (kind == BF_TK_SUM || kind == BF_TK_MEAN || kind == BF_TK_RELEASED) {
        memcpy(x, a, reps * sizeof *x);
        if ((rc = bf_stats_summary(x, finite_only(x, reps), 0.95, &out->before)) != 0)
            return rc;
        if (!pair)
            return 0;
        memcpy(x, b, reps * sizeof *x);
        if ((rc = bf_stats_summary(x, finite_only(x, reps), 0.95, &out->after)) != 0)
            return rc;
        size_t n = finite_pairs(a, b, reps);
        if (kind != BF_TK_RELEASED)
            return bf_stats_paired(a, b, n, 0.95, &out->change);
        /* before - after: what the policy releases */
        rc = bf_stats_paired(b, a, n, 0.95, &out->change);
        double t_a = out->change.mean_a;
        out->change.mean_a = out->change.mean_b;
        out->change.mean_b = t_a;
        return rc;
    }
    if (!pair)
        return 0;
    /* the ratios of the capital released, per replication */
    for (uint32_t k = 0; k < reps; k++) {
        const double released = a[k] - b[k];
        double v = (double)NAN;
        if (kind == BF_TK_SHARE && a[k] > 0.0)
            v = released / a[k];
        else if (kind == BF_TK_ANNUAL)
            v = released * sc->financing_rate;
        else if (kind == BF_TK_PER_M) {
            double e = rep_total(r, point, sc->baseline, BF_M_exports_cny, k, false);
            if (e > 0.0)
                v = released * 1e6 / e;
        }
        x[k] = v;
    }
    return as_change(x, finite_only(x, reps), &out->change);
}

/* Ranking order: capital released per CNY million, largest first; cities
 * without a finite value last; ties in city order. */
struct rank_key {
    double v;
    uint32_t c;
};

static int cmp_rank(const void *pa, const void *pb)
{
    const struct rank_key *a = pa, *b = pb;
    const bool fa = isfinite(a->v), fb = isfinite(b->v);
    if (fa != fb)
        return fa ? -1 : 1;
    if (fa && a->v != b->v)
        return a->v > b->v ? -1 : 1;
    return (a->c > b->c) - (a->c < b->c);
}

static int rank_cities(struct bf_results *r)
{
    r->rank = bf__malloc((size_t)r->n_cities * sizeof *r->rank);
    r->rank_sign = bf__calloc(r->n_cities, sizeof *r->rank_sign);
    struct rank_key *k = bf__malloc((size_t)r->n_cities * sizeof *k);
    if (r->rank == NULL || r->rank_sign == NULL || k == NULL) {
        bf__free(k);
        return BF_ENOMEM;
    }
    for (uint32_t c = 0; c < r->n_cities; c++) {
        const struct bf_paired *pm = bf_results_delta(r, 0, c, BF_DX_capital_released_per_m);
        const struct bf_paired *d = bf_results_delta(r, 0, c, BF_DX_capital_released_cny);
        k[c] = (struct rank_key){.v = pm->n > 0 ? pm->mean_diff : (double)NAN, .c = c};
        r->rank_sign[c] = (uint8_t)(d->identical || !(d->n >= 2) ? BF_SIGN_UNCLEAR
                                    : d->ci_low > 0.0            ? BF_SIGN_ABOVE
                                    : d->ci_high < 0.0           ? BF_SIGN_BELOW
                                                                 : BF_SIGN_UNCLEAR);
    }
    qsort(k, r->n_cities, sizeof *k, cmp_rank);
    for (uint32_t i = 0; i < r->n_cities; i++)
        r->rank[i] = k[i].c;
    bf__free(k);
    return 0;
}

int bf__compute_totals(struct bf_results *r)
{
    r->totals = bf__calloc((size_t)r->n_points * BF_TOTAL_COUNT, sizeof *r->totals);
    double *a = bf__malloc(r->replications * sizeof *a);
    double *b = bf__malloc(r->replications * sizeof *b);
    double *x = bf__malloc(r->replications * sizeof *x);
    int rc = r->totals && a && b && x ? 0 : BF_ENOMEM;
    for (uint32_t p = 0; rc == 0 && p < r->n_points; p++)
        for (int t = 0; rc == 0 && t < BF_TOTAL_COUNT; t++)
            rc = one_total(r, p, t, a, b, x);
    bf__free(a);
    bf__free(b);
    bf__free(x);
    if (rc == 0 && r->n_policies > 1)
        rc = rank_cities(r);
    return rc;
}
