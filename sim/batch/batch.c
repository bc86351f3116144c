/*
 * batch.c - work items on threads, collected into per-group statistics,
 * daily working-capital bands, paired deltas and the warm-up check.
 */
#include "borderflow/batch.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>

#include "borderflow/alloc.h"

#include "internal.h"

/* ---- names ---- */

const char *bf_wc_name(enum bf_wc c)
{
    static const char *const names[] = {
#define XX(name) #name,
        BF_WC_MAP(XX)
#undef XX
    };
    return (unsigned)c < BF_WC_COUNT ? names[c] : "?";
}

#define PER_M_UNIT "CNY per CNY million exported"

static const char *const extra_names[] = {"capital_released_cny", "capital_released_per_m",
                                          "financing_saving_cny", "financing_saving_per_m",
#define XX(name) #name "_per_m",
                                          BF_PER_M_MAP(XX)
#undef XX
};
static const char *const extra_units[] = {"CNY", PER_M_UNIT, "CNY", PER_M_UNIT,
#define XX(name) PER_M_UNIT,
                                          BF_PER_M_MAP(XX)
#undef XX
};
static const char *const extra_descs[] = {
    "working capital released: before - after wc_avg_cny (positive: the policy frees capital)",
    "capital_released_cny per CNY million of the before run's exports in the window",
    "financing cost saved over the window: before - after financing_cost_cny",
    "financing_saving_cny per CNY million of the before run's exports in the window",
#define XX(name) #name "_cny per CNY million of the before run's exports in the window",
    BF_PER_M_MAP(XX)
#undef XX
};
_Static_assert(sizeof extra_names / sizeof extra_names[0] == BF_DELTA_COUNT - BF_METRIC_COUNT,
               "delta metric names");

/* The model metric each per-million delta divides. */
static const enum bf_metric per_m_base[] = {
#define XX(name) BF_M_##name##_cny,
    BF_PER_M_MAP(XX)
#undef XX
};

const char *bf_delta_name(int d)
{
    if (d >= 0 && d < BF_METRIC_COUNT)
        return bf_metric_name((enum bf_metric)d);
    return d >= BF_METRIC_COUNT && d < BF_DELTA_COUNT ? extra_names[d - BF_METRIC_COUNT] : "?";
}

const char *bf_delta_unit(int d)
{
    if (d >= 0 && d < BF_METRIC_COUNT)
        return bf_metric_unit((enum bf_metric)d);
    return d >= BF_METRIC_COUNT && d < BF_DELTA_COUNT ? extra_units[d - BF_METRIC_COUNT] : "?";
}

const char *bf_delta_desc(int d)
{
    if (d >= 0 && d < BF_METRIC_COUNT)
        return bf_metric_desc((enum bf_metric)d);
    return d >= BF_METRIC_COUNT && d < BF_DELTA_COUNT ? extra_descs[d - BF_METRIC_COUNT] : "?";
}

int bf_delta_find(const char *name)
{
    for (int d = 0; d < BF_DELTA_COUNT; d++)
        if (strcmp(bf_delta_name(d), name) == 0)
            return d;
    return -1;
}

bool bf_delta_is_release(int d)
{
    return d >= BF_DX_capital_released_cny && d <= BF_DX_financing_saving_per_m;
}

/* ---- the collector ---- */

struct collector {
    pthread_mutex_t lock;
    uint32_t *done;      /* replications deposited per group */
    uint8_t *summarised; /* per group: summary made (point 0 groups wait for their pair) */
    int64_t **position;  /* per group of point 0: [replications][window_days] */
    double **wc;         /* per group of point 0: [replications][BF_WC_COUNT][window_days] */
    double **wc_run;     /* baseline groups of point 0: [window_from + window_days], summed */
    double *wc_study;    /* [window_from + window_days]: the cities' mean series, summed */
    int64_t *flow_sum;   /* per group: [BF_FLOW_COUNT] fen over replications */
    int failed;          /* a deposit ran out of memory */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

unsigned bf_batch_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1u;
}

uint64_t bf_batch_items(const struct bf_results *r)
{
    return (uint64_t)r->n_points * r->n_cities * r->n_policies * r->replications;
}

static size_t n_groups(const struct bf_results *r)
{
    return (size_t)r->n_points * r->n_cities * r->n_policies;
}

static size_t group_index(const struct bf_results *r, uint32_t point, uint32_t city,
                          uint32_t policy)
{
    return ((size_t)point * r->n_cities + city) * r->n_policies + policy;
}

/* ---- one item ---- */

int bf_batch_run_item(const struct bf_results *r, uint64_t item, const atomic_int *interrupt,
                      struct bf_model_result *out, struct bf_diag *diag)
{
    const struct bf_scenario *sc = r->sc;
    uint32_t rep = (uint32_t)(item % r->replications);
    uint64_t g = item / r->replications;
    uint32_t policy = (uint32_t)(g % r->n_policies);
    uint32_t city = (uint32_t)(g / r->n_policies % r->n_cities);
    uint32_t point = (uint32_t)(g / r->n_policies / r->n_cities);
    const struct bf_city *c = &sc->city[city];

    /* the rules of the baseline and of this policy, with the sweep value */
    struct bf_params *rules = bf__malloc(2 * sizeof *rules);
    if (rules == NULL) {
        bf_diag_set(diag, "out of memory preparing city '%s'", c->name);
        return BF_ENOMEM;
    }
    rules[0] = c->params[sc->baseline];
    rules[1] = c->params[policy];
    const struct bf_point *pt = &r->point[point];
    int32_t eff_shift = 0; /* days a sensitivity sample moves the effective date */
    if (pt->sweep == BF_POINT_SAMPLE) {
        const struct bf_sensitivity *se = &sc->sens;
        const double *u = &r->sens_x[(size_t)pt->value * se->n_params];
        for (uint32_t i = 0; i < se->n_params; i++) {
            const struct bf_sens_param *sp = &se->param[i];
            if (sp->kind == BF_SK_EFFECTIVE_SHIFT) {
                eff_shift += (int32_t)bf_sens_value(sp, u[i]);
                continue;
            }
            if (sp->policy < 0 || (uint32_t)sp->policy == sc->baseline)
                bf_sens_apply(sp, u[i], &rules[0]);
            if (sp->policy < 0 || (uint32_t)sp->policy == policy)
                bf_sens_apply(sp, u[i], &rules[1]);
        }
    } else if (pt->sweep >= 0) {
        const struct bf_sweep *sw = &sc->sweep[pt->sweep];
        const struct bf_pvalue *v = &sw->value[pt->value];
        if (sw->policy < 0 || (uint32_t)sw->policy == sc->baseline)
            bf_sweep_apply(v, &rules[0]);
        if (sw->policy < 0 || (uint32_t)sw->policy == policy)
            bf_sweep_apply(v, &rules[1]);
    }
    bool is_base = policy == sc->baseline;
    struct bf_model_input in = {
        .old_rules = &rules[0],
        .new_rules = is_base ? &rules[0] : &rules[1],
        .effective_day = is_base ? INT32_MAX : c->effective_day + eff_shift,
        .rule = sc->rule,
        .cal = &sc->cal,
        .start_day = sc->start_day,
        .window_day = sc->window_day,
        .window_days = sc->window_days,
        .tail_days = sc->tail_days,
        .financing_rate = sc->financing_rate,
        .discount_rate = sc->discount_rate,
        .seed = r->seed,
        .city_index = c->stream,
        .replication = rep,
        .city_name = c->name,
        .policy_name = sc->policy[policy].name,
        .n_samples = rep == 0 ? 4 : 0,
        .sample_from_day = c->effective_day > sc->window_day ? c->effective_day : sc->window_day,
        .interrupt = interrupt,
        .tables = r->tables,
    };
    int rc = 0;
    /* a sweep value may break a whole-set rule (a lane share of 0, say) */
    struct bf_diag d;
    bf_diag_clear(&d);
    if (pt->sweep == BF_POINT_SAMPLE &&
        (bf_params_check(in.old_rules, &d) != 0 || bf_params_check(in.new_rules, &d) != 0)) {
        /* validate checked each range's ends; a combination may still clash */
        bf_diag_set(diag, "sensitivity sample %u makes the rules of city '%s' invalid: %s: %s",
                    pt->value, c->name, d.where, d.msg);
        rc = BF_EINVAL;
    } else if (pt->sweep >= 0 &&
               (bf_params_check(in.old_rules, &d) != 0 || bf_params_check(in.new_rules, &d) != 0)) {
        bf_diag_set(diag, "sweep '%s' value %s makes the rules of city '%s' invalid: %s: %s",
                    sc->sweep[pt->sweep].name, sc->sweep[pt->sweep].value[pt->value].label, c->name,
                    d.where, d.msg);
        rc = BF_EINVAL;
    } else {
        rc = bf_model_run(&in, out, &d);
        if (rc != 0 && rc != BF_EINTR)
            bf_diag_set(diag, "city '%s', policy '%s', replication %u, seed %llu: %s", c->name,
                        sc->policy[policy].name, rep, (unsigned long long)r->seed,
                        d.msg[0] ? d.msg : bf_strerror(rc));
    }
    bf__free(rules);
    return rc;
}

/* ---- collecting ---- */

/* Summary over the finite values x[k * stride] of reps replications. */
static int summarise_strided(const double *x, size_t stride, uint32_t reps, struct bf_summary *out)
{
    double buf_local[256];
    double *buf = buf_local;
    buf_local[0] = 0.0; /* n may be 0: gcc -O1 then warns that it is read uninitialised */
    if (reps > sizeof buf_local / sizeof buf_local[0]) {
        buf = bf__malloc(reps * sizeof *buf);
        if (buf == NULL)
            return BF_ENOMEM;
    }
    size_t n = 0;
    for (uint32_t k = 0; k < reps; k++) {
        double v = x[(size_t)k * stride];
        if (isfinite(v))
            buf[n++] = v;
    }
    int rc = bf_stats_summary(buf, n, 0.95, out);
    if (buf != buf_local)
        bf__free(buf);
    return rc;
}

/* Mean, 5% and 95% across the replications of each day of series
 * x[rep * stride + day] (day < n_days). */
static int bands(const double *x, size_t stride, uint32_t reps, uint32_t n_days, double *mean,
                 double *p05, double *p95)
{
    double *col = bf__malloc(reps * sizeof *col);
    if (col == NULL)
        return BF_ENOMEM;
    for (uint32_t d = 0; d < n_days; d++) {
        double sum = 0.0;
        for (uint32_t k = 0; k < reps; k++) {
            col[k] = x[(size_t)k * stride + d];
            sum += col[k];
        }
        gsl_sort(col, 1, reps);
        mean[d] = sum / reps;
        p05[d] = bf_stats_quantile_sorted(col, reps, 0.05);
        p95[d] = bf_stats_quantile_sorted(col, reps, 0.95);
    }
    bf__free(col);
    return 0;
}

static int summarise_group(struct bf_results *r, size_t gi)
{
    struct collector *col = r->priv;
    struct bf_group *g = &r->group[gi];
    const uint32_t reps = r->replications;
    int rc = 0;
    for (int m = 0; m < BF_METRIC_COUNT && rc == 0; m++)
        rc = summarise_strided(&g->metric[m], BF_METRIC_COUNT, reps, &g->summary[m]);
    const size_t bk_stride = (size_t)BF_BK_SLOTS * BF_BK_COUNT;
    for (int slot = 0; slot < BF_BK_SLOTS && rc == 0; slot++)
        for (int k = 0; k < BF_BK_COUNT && rc == 0; k++)
            rc = summarise_strided(&g->breakdown[(size_t)slot * BF_BK_COUNT + (size_t)k], bk_stride,
                                   reps, &g->bk[slot][k]);
    for (int f = 0; f < BF_FLOW_COUNT; f++)
        g->flow_mean_cny[f] = (double)col->flow_sum[gi * BF_FLOW_COUNT + (size_t)f] / 100.0 / reps;
    if (rc != 0 || col->position[gi] == NULL)
        return rc;

    /* the daily series of point 0 */
    const uint32_t nd = r->window_days;
    const size_t wc_n = (size_t)BF_WC_COUNT * nd;
    g->cash_mean_cny = bf__malloc(3 * (size_t)nd * sizeof(double));
    g->wc_mean_cny = bf__malloc(3 * wc_n * sizeof(double));
    double *cash = bf__malloc((size_t)reps * nd * sizeof(double));
    if (g->cash_mean_cny == NULL || g->wc_mean_cny == NULL || cash == NULL) {
        bf__free(cash);
        return BF_ENOMEM;
    }
    g->cash_p05_cny = g->cash_mean_cny + nd;
    g->cash_p95_cny = g->cash_mean_cny + 2 * (size_t)nd;
    g->wc_p05_cny = g->wc_mean_cny + wc_n;
    g->wc_p95_cny = g->wc_mean_cny + 2 * wc_n;
    for (size_t i = 0; i < (size_t)reps * nd; i++)
        cash[i] = (double)col->position[gi][i] / 100.0;
    rc = bands(cash, nd, reps, nd, g->cash_mean_cny, g->cash_p05_cny, g->cash_p95_cny);
    bf__free(cash);
    for (int c = 0; c < BF_WC_COUNT && rc == 0; c++)
        rc = bands(col->wc[gi] + (size_t)c * nd, wc_n, reps, nd, g->wc_mean_cny + (size_t)c * nd,
                   g->wc_p05_cny + (size_t)c * nd, g->wc_p95_cny + (size_t)c * nd);
    bf__free(col->position[gi]);
    col->position[gi] = NULL;
    if (rc == 0 && col->wc_run[gi] != NULL) {
        /* the warm-up check: MSER-5 on the replications' mean working
         * capital, from the run's empty start to the window's end */
        const uint32_t n = r->window_from + r->window_days;
        double *y = col->wc_run[gi];
        for (uint32_t d = 0; d < n; d++)
            y[d] /= 100.0 * reps;
        pthread_mutex_lock(&col->lock);
        for (uint32_t d = 0; d < n; d++)
            col->wc_study[d] += y[d];
        pthread_mutex_unlock(&col->lock);
        /* a run too short to judge (fewer than two batches) stays unchecked */
        int mrc = bf_stats_mser5(y, n, &g->warmup);
        if (mrc == 0)
            g->warmup_checked = true;
        else if (mrc == BF_ENOMEM)
            rc = mrc;
        bf__free(col->wc_run[gi]);
        col->wc_run[gi] = NULL;
    }
    return rc;
}

/* after - before by day and component for one city of point 0; frees the
 * per-replication series of both groups. */
static int daily_delta(struct bf_results *r, uint32_t city)
{
    struct collector *col = r->priv;
    const struct bf_scenario *sc = r->sc;
    const size_t ga = group_index(r, 0, city, sc->baseline);
    const size_t gb = group_index(r, 0, city, sc->compared);
    const uint32_t nd = r->window_days, reps = r->replications;
    const size_t wc_n = (size_t)BF_WC_COUNT * nd;
    double *a = bf__malloc(reps * sizeof *a), *b = bf__malloc(reps * sizeof *b);
    int rc = a && b ? 0 : BF_ENOMEM;
    for (int c = 0; c < BF_WC_COUNT && rc == 0; c++) {
        struct bf_daily_delta *out = bf_results_daily_delta(r, city, (enum bf_wc)c);
        for (uint32_t d = 0; d < nd && rc == 0; d++) {
            for (uint32_t k = 0; k < reps; k++) {
                a[k] = col->wc[ga][(size_t)k * wc_n + (size_t)c * nd + d];
                b[k] = col->wc[gb][(size_t)k * wc_n + (size_t)c * nd + d];
            }
            struct bf_paired p;
            rc = bf_stats_paired(a, b, reps, 0.95, &p);
            out[d] = (struct bf_daily_delta){p.mean_diff, p.ci_low, p.ci_high};
        }
    }
    bf__free(a);
    bf__free(b);
    return rc;
}

/* The series of a group of point 0 are released once its summary is made
 * and, for the compared pair, once its daily deltas are. Called under the
 * lock; returns the city whose deltas the caller must compute, or -1. */
static int64_t pair_ready(struct bf_results *r, size_t gi)
{
    struct collector *col = r->priv;
    const struct bf_scenario *sc = r->sc;
    if (gi >= (size_t)r->n_cities * r->n_policies)
        return -1; /* not point 0 */
    uint32_t policy = (uint32_t)(gi % r->n_policies);
    uint32_t city = (uint32_t)(gi / r->n_policies);
    bool paired = r->n_policies > 1 && (policy == sc->baseline || policy == sc->compared);
    if (!paired) {
        bf__free(col->wc[gi]);
        col->wc[gi] = NULL;
        return -1;
    }
    size_t other = group_index(r, 0, city, policy == sc->baseline ? sc->compared : sc->baseline);
    return col->summarised[other] ? (int64_t)city : -1;
}

int bf_batch_deposit(struct bf_results *r, uint64_t item, struct bf_model_result *out)
{
    struct collector *col = r->priv;
    size_t gi = (size_t)(item / r->replications);
    uint32_t rep = (uint32_t)(item % r->replications);
    struct bf_group *g = &r->group[gi];
    const bool point0 = gi < (size_t)r->n_cities * r->n_policies;
    const uint32_t nd = r->window_days, wf = r->window_from;
    const size_t wc_n = (size_t)BF_WC_COUNT * nd;
    const bool warm = point0 && (uint32_t)(gi % r->n_policies) == r->sc->baseline;
    int rc = 0;
    bool last = false;
    pthread_mutex_lock(&col->lock);
    if (point0) {
        /* each on its own: after a failure a later deposit allocates what
         * is still missing rather than trusting that the first one was */
        if (col->position[gi] == NULL)
            col->position[gi] = bf__malloc((size_t)r->replications * nd * sizeof(int64_t));
        if (col->wc[gi] == NULL)
            col->wc[gi] = bf__malloc((size_t)r->replications * wc_n * sizeof(double));
        if (warm && col->wc_run[gi] == NULL)
            col->wc_run[gi] = bf__calloc((size_t)wf + nd, sizeof(double));
        if (col->position[gi] == NULL || col->wc[gi] == NULL || (warm && col->wc_run[gi] == NULL))
            rc = BF_ENOMEM;
    }
    if (rc == 0 && g->days_to_rebate.h == NULL &&
        ((rc = bf_hist_init(&g->days_to_rebate, BF_HIST_DAYS, 0.0, BF_HIST_DAYS)) != 0 ||
         (rc = bf_hist_init(&g->return_cycle, BF_HIST_DAYS, 0.0, BF_HIST_DAYS)) != 0))
        rc = BF_ENOMEM;
    if (rc == 0) {
        BF_ASSERT(out->n_days == r->n_days && out->window_days == nd && out->window_from == wf);
        memcpy(&g->metric[(size_t)rep * BF_METRIC_COUNT], out->metric, sizeof out->metric);
        memcpy(&g->breakdown[(size_t)rep * BF_BK_SLOTS * BF_BK_COUNT], out->breakdown,
               sizeof out->breakdown);
        if (point0) {
            memcpy(&col->position[gi][(size_t)rep * nd], out->position_fen, nd * sizeof(int64_t));
            double *w = &col->wc[gi][(size_t)rep * wc_n];
            const int64_t *bal = out->balance_fen;
            const size_t n = out->n_days;
            for (uint32_t d = 0; d < nd; d++) {
                size_t i = wf + (size_t)d;
                double inv =
                    (double)(bal[BF_BAL_INVENTORY * n + i] + bal[BF_BAL_RETURNING * n + i]);
                double recv = (double)bal[BF_BAL_RECEIVABLES * n + i];
                double reb = (double)bal[BF_BAL_REBATE_RECEIVABLE * n + i];
                w[BF_WC_inventory * nd + d] = inv / 100.0;
                w[BF_WC_receivables * nd + d] = recv / 100.0;
                w[BF_WC_rebate_receivable * nd + d] = reb / 100.0;
                w[BF_WC_total * nd + d] = (inv + recv + reb) / 100.0;
            }
            if (warm)
                for (uint32_t d = 0; d < wf + nd; d++) {
                    int64_t wc = 0;
                    for (int b = 0; b < BF_BAL_COUNT; b++)
                        wc += bal[(size_t)b * n + d];
                    col->wc_run[gi][d] += (double)wc;
                }
        }
        bf_hist_merge(&g->days_to_rebate, &out->days_to_rebate);
        bf_hist_merge(&g->return_cycle, &out->return_cycle);
        for (int f = 0; f < BF_FLOW_COUNT; f++)
            col->flow_sum[gi * BF_FLOW_COUNT + (size_t)f] += out->flow_window_fen[f];
        if (rep == 0) {
            memcpy(g->sample, out->sample, sizeof g->sample);
            g->n_samples = out->n_samples;
        }
        g->events += out->n_events;
        r->events += out->n_events;
        if (out->calendar_unknown > 0 &&
            (g->calendar_unknown == 0 || out->calendar_unknown_day < g->calendar_unknown_day))
            g->calendar_unknown_day = out->calendar_unknown_day;
        g->calendar_unknown += out->calendar_unknown;
        g->calendar_projected += out->calendar_projected;
        for (int st = 0; st < BF_US_COUNT; st++)
            g->unit_states[st] += out->unit_states[st];
        g->units_created += out->units_created;
        last = ++col->done[gi] == r->replications;
    } else {
        col->failed = 1;
    }
    pthread_mutex_unlock(&col->lock);
    bf_model_result_fini(out);
    if (rc != 0 || !last)
        return rc;
    /* the last replication of the group: its summary, then the pair's
     * daily deltas once both halves are summarised */
    rc = summarise_group(r, gi);
    int64_t city = -1;
    pthread_mutex_lock(&col->lock);
    if (rc == 0) {
        col->summarised[gi] = 1;
        city = pair_ready(r, gi);
    } else {
        col->failed = 1;
    }
    pthread_mutex_unlock(&col->lock);
    if (city >= 0) {
        rc = daily_delta(r, (uint32_t)city);
        pthread_mutex_lock(&col->lock);
        const struct bf_scenario *sc = r->sc;
        size_t ga = group_index(r, 0, (uint32_t)city, sc->baseline);
        size_t gb = group_index(r, 0, (uint32_t)city, sc->compared);
        bf__free(col->wc[ga]);
        bf__free(col->wc[gb]);
        col->wc[ga] = col->wc[gb] = NULL;
        if (rc != 0)
            col->failed = 1;
        pthread_mutex_unlock(&col->lock);
    }
    return rc;
}

/* ---- the thread pool ---- */

struct pool {
    struct bf_results *r;
    const struct bf_batch_options *o;
    atomic_uint_fast64_t next, done;
    atomic_int stop;
    pthread_mutex_t err_lock;
    pthread_cond_t finished; /* signalled when a worker returns */
    unsigned n_finished;     /* workers returned, under err_lock */
    int rc;
    uint64_t err_item;
    struct bf_diag diag;
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    const uint64_t total = bf_batch_items(p->r);
    for (;;) {
        if (atomic_load(&p->stop) || (p->o->interrupt != NULL && *p->o->interrupt))
            break;
        uint64_t i = atomic_fetch_add(&p->next, 1);
        if (i >= total)
            break;
        struct bf_model_result out;
        struct bf_diag d;
        bf_diag_clear(&d);
        int rc = bf_batch_run_item(p->r, i, p->o->interrupt, &out, &d);
        if (rc == 0)
            rc = bf_batch_deposit(p->r, i, &out);
        if (rc != 0) {
            pthread_mutex_lock(&p->err_lock);
            /* keep the error of the lowest item, so the message does not
             * depend on thread timing */
            if (p->rc == 0 || i < p->err_item) {
                p->rc = rc;
                p->err_item = i;
                p->diag = d;
            }
            pthread_mutex_unlock(&p->err_lock);
            atomic_store(&p->stop, 1);
            break;
        }
        atomic_fetch_add(&p->done, 1);
    }
    pthread_mutex_lock(&p->err_lock);
    p->n_finished++;
    pthread_cond_signal(&p->finished);
    pthread_mutex_unlock(&p->err_lock);
    return NULL;
}

static int run_threads(struct bf_results *r, const struct bf_batch_options *o, struct bf_diag *diag)
{
    struct pool p = {.r = r, .o = o};
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    atomic_init(&p.stop, 0);
    pthread_mutex_init(&p.err_lock, NULL);
    pthread_cond_init(&p.finished, NULL);
    unsigned jobs = r->jobs;
    uint64_t total = bf_batch_items(r);
    if (jobs > total)
        jobs = (unsigned)total;
    pthread_t th[256];
    unsigned started = 0;
    for (; started < jobs; started++)
        if (pthread_create(&th[started], NULL, worker, &p) != 0)
            break;
    if (started == 0) {
        worker(&p); /* no thread could start: run here */
    } else {
        /* report progress every 200 ms until every worker has returned; a
         * short run ends as soon as its last worker does */
        double t0 = now_s();
        pthread_mutex_lock(&p.err_lock);
        while (p.n_finished < started) {
            if (o->progress != NULL) {
                pthread_mutex_unlock(&p.err_lock);
                o->progress(atomic_load(&p.done), total, now_s() - t0, o->progress_ctx);
                pthread_mutex_lock(&p.err_lock);
                if (p.n_finished >= started)
                    break;
            }
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 200 * 1000 * 1000;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&p.finished, &p.err_lock, &until);
        }
        pthread_mutex_unlock(&p.err_lock);
        for (unsigned k = 0; k < started; k++)
            pthread_join(th[k], NULL);
        if (o->progress != NULL)
            o->progress(atomic_load(&p.done), total, now_s() - t0, o->progress_ctx);
    }
    pthread_cond_destroy(&p.finished);
    pthread_mutex_destroy(&p.err_lock);
    if (p.rc != 0) {
        *diag = p.diag;
        return p.rc;
    }
    if (o->interrupt != NULL && *o->interrupt)
        return BF_EINTR;
    return 0;
}

/* ---- the run ---- */

/* A paired delta of before - after: the same pairs, reported with the
 * before and after means in their own columns. */
static int paired_release(const double *before, const double *after, size_t n,
                          struct bf_paired *out)
{
    int rc = bf_stats_paired(after, before, n, 0.95, out);
    double a = out->mean_a;
    out->mean_a = out->mean_b;
    out->mean_b = a;
    return rc;
}

/*
 * The deltas of one (point, city): pairs of replications where both values
 * are finite; per-million deltas divide both sides by the before run's
 * exports of the same replication (pairs without exports are left out).
 */
static int city_deltas(struct bf_results *r, uint32_t point, uint32_t city, double *a, double *b)
{
    const struct bf_scenario *sc = r->sc;
    const struct bf_group *gb = bf_results_group(r, point, city, sc->baseline);
    const struct bf_group *ga = bf_results_group(r, point, city, sc->compared);
    const uint32_t reps = r->replications;
    int rc = 0;
    for (int d = 0; d < BF_DELTA_COUNT && rc == 0; d++) {
        enum bf_metric m;
        bool per_m, release;
        if (d < BF_METRIC_COUNT) {
            m = (enum bf_metric)d;
            per_m = release = false;
        } else if (d <= BF_DX_financing_saving_per_m) {
            m = d <= BF_DX_capital_released_per_m ? BF_M_wc_avg_cny : BF_M_financing_cost_cny;
            per_m = d == BF_DX_capital_released_per_m || d == BF_DX_financing_saving_per_m;
            release = true;
        } else {
            m = per_m_base[d - BF_DX_rebate_paid_per_m];
            per_m = true;
            release = false;
        }
        size_t n = 0;
        for (uint32_t k = 0; k < reps; k++) {
            double x = gb->metric[(size_t)k * BF_METRIC_COUNT + m];
            double y = ga->metric[(size_t)k * BF_METRIC_COUNT + m];
            if (per_m) {
                double e = gb->metric[(size_t)k * BF_METRIC_COUNT + BF_M_exports_cny];
                if (!(e > 0.0))
                    continue;
                x *= 1e6 / e;
                y *= 1e6 / e;
            }
            if (isfinite(x) && isfinite(y)) {
                a[n] = x;
                b[n] = y;
                n++;
            }
        }
        struct bf_paired *out = bf_results_delta(r, point, city, d);
        rc = release ? paired_release(a, b, n, out) : bf_stats_paired(a, b, n, 0.95, out);
    }
    return rc;
}

static int compute_deltas(struct bf_results *r)
{
    if (r->n_policies < 2)
        return 0;
    double *a = bf__malloc(r->replications * sizeof *a);
    double *b = bf__malloc(r->replications * sizeof *b);
    int rc = a && b ? 0 : BF_ENOMEM;
    for (uint32_t p = 0; rc == 0 && p < r->n_points; p++)
        for (uint32_t c = 0; rc == 0 && c < r->n_cities; c++)
            rc = city_deltas(r, p, c, a, b);
    bf__free(a);
    bf__free(b);
    return rc;
}

static void collector_fini(struct bf_results *r)
{
    struct collector *col = r->priv;
    if (col == NULL)
        return;
    size_t ng = n_groups(r);
    for (size_t i = 0; i < ng; i++) {
        if (col->position != NULL)
            bf__free(col->position[i]);
        if (col->wc != NULL)
            bf__free(col->wc[i]);
        if (col->wc_run != NULL)
            bf__free(col->wc_run[i]);
    }
    bf__free(col->position);
    bf__free(col->wc);
    bf__free(col->wc_run);
    bf__free(col->done);
    bf__free(col->summarised);
    bf__free(col->flow_sum);
    bf__free(col->wc_study);
    pthread_mutex_destroy(&col->lock);
    bf__free(col);
    r->priv = NULL;
}

void bf_results_fini(struct bf_results *r)
{
    collector_fini(r);
    if (r->group != NULL) {
        size_t ng = n_groups(r);
        for (size_t i = 0; i < ng; i++) {
            struct bf_group *g = &r->group[i];
            bf__free(g->metric);
            bf__free(g->breakdown);
            bf__free(g->cash_mean_cny); /* p05 and p95 share its block */
            bf__free(g->wc_mean_cny);
            bf_hist_fini(&g->days_to_rebate);
            bf_hist_fini(&g->return_cycle);
        }
    }
    bf__free(r->group);
    bf__free(r->delta);
    bf__free(r->daily_delta);
    bf__free(r->totals);
    bf__free(r->rank);
    bf__free(r->rank_sign);
    bf__free(r->point);
    bf__free(r->sens_x);
    bf__free(r->sens);
    bf__free(r->uncert);
    if (r->tables != NULL) {
        bf_qcache_fini(r->tables);
        bf__free(r->tables);
    }
    memset(r, 0, sizeof *r);
}

static int prepare(const struct bf_scenario *sc, const struct bf_batch_options *o,
                   struct bf_results *r)
{
    memset(r, 0, sizeof *r);
    r->sc = sc;
    r->replications = o->replications ? o->replications : sc->replications;
    r->seed = o->seed >= 0 ? (uint64_t)o->seed : sc->seed;
    r->n_cities = sc->n_cities;
    r->n_policies = sc->n_policies;
    r->jobs = o->jobs ? o->jobs : bf_batch_cores();
    if (r->jobs > 256)
        r->jobs = 256;
    r->first_day = sc->start_day;
    r->window_day = sc->window_day;
    r->window_from = (uint32_t)(sc->window_day - sc->start_day);
    r->window_days = sc->window_days;
    r->n_days = r->window_from + sc->window_days + sc->tail_days;
    int prc =
        bf__batch_points(sc, o->sweeps, &r->point, &r->n_points, &r->sens_x, &r->n_samples, NULL);
    if (prc != 0)
        return prc;
    size_t ng = n_groups(r);
    r->group = bf__calloc(ng, sizeof *r->group);
    r->delta = bf__calloc((size_t)r->n_points * r->n_cities * BF_DELTA_COUNT, sizeof *r->delta);
    if (r->n_policies > 1)
        r->daily_delta =
            bf__calloc((size_t)r->n_cities * BF_WC_COUNT * r->window_days, sizeof *r->daily_delta);
    struct collector *col = bf__calloc(1, sizeof *col);
    r->tables = bf__malloc(sizeof *r->tables);
    if (r->tables != NULL && bf_qcache_init(r->tables) != 0) {
        bf__free(r->tables);
        r->tables = NULL;
    }
    if (r->group == NULL || r->delta == NULL || col == NULL || r->tables == NULL ||
        (r->n_policies > 1 && r->daily_delta == NULL)) {
        bf__free(col);
        return BF_ENOMEM;
    }
    pthread_mutex_init(&col->lock, NULL);
    r->priv = col;
    col->done = bf__calloc(ng, sizeof *col->done);
    col->summarised = bf__calloc(ng, sizeof *col->summarised);
    col->position = bf__calloc(ng, sizeof *col->position);
    col->wc = bf__calloc(ng, sizeof *col->wc);
    col->wc_run = bf__calloc(ng, sizeof *col->wc_run);
    col->flow_sum = bf__calloc(ng * BF_FLOW_COUNT, sizeof *col->flow_sum);
    col->wc_study = bf__calloc((size_t)r->window_from + r->window_days, sizeof *col->wc_study);
    if (col->done == NULL || col->summarised == NULL || col->position == NULL || col->wc == NULL ||
        col->wc_run == NULL || col->flow_sum == NULL || col->wc_study == NULL)
        return BF_ENOMEM;
    for (size_t i = 0; i < ng; i++) {
        struct bf_group *g = &r->group[i];
        g->calendar_unknown_day = INT32_MIN;
        g->metric = bf__malloc((size_t)r->replications * BF_METRIC_COUNT * sizeof(double));
        g->breakdown =
            bf__malloc((size_t)r->replications * BF_BK_SLOTS * BF_BK_COUNT * sizeof(double));
        if (g->metric == NULL || g->breakdown == NULL)
            return BF_ENOMEM;
    }
    return 0;
}

int bf_batch_run(const struct bf_scenario *sc, const struct bf_batch_options *o,
                 struct bf_results *r, struct bf_diag *diag)
{
    int rc = prepare(sc, o, r);
    if (rc != 0) {
        bf_diag_set(diag, "out of memory preparing %llu work items",
                    (unsigned long long)bf_batch_items(r));
        bf_results_fini(r);
        return rc;
    }
    double t0 = now_s();
    if (o->distribute != NULL)
        rc = o->distribute(r, o, o->distribute_ctx, diag);
    else
        rc = run_threads(r, o, diag);
    double t1 = now_s();
    if (rc == 0) {
        struct collector *col = r->priv;
        size_t ng = n_groups(r);
        for (size_t i = 0; i < ng && rc == 0; i++)
            if (col->done[i] != r->replications)
                rc = col->failed ? BF_ENOMEM : BF_EINTR;
        if (rc == 0 && col->failed)
            rc = BF_ENOMEM;
    }
    if (rc == 0)
        rc = compute_deltas(r);
    if (rc == 0)
        rc = bf__compute_totals(r);
    if (rc == 0)
        rc = bf__analyze_sensitivity(r, diag);
    if (rc == 0) {
        struct collector *col = r->priv;
        int mrc =
            bf_stats_mser5(col->wc_study, (size_t)r->window_from + r->window_days, &r->warmup);
        if (mrc == 0)
            r->warmup_checked = true;
        else if (mrc == BF_ENOMEM)
            rc = mrc;
    }
    r->seconds_simulate = t1 - t0;
    r->seconds_aggregate = now_s() - t1;
    if (rc != 0) {
        if (rc == BF_ENOMEM && diag->msg[0] == '\0')
            bf_diag_set(diag, "out of memory collecting the results");
        bf_results_fini(r);
        return rc;
    }
    collector_fini(r);
    return 0;
}
