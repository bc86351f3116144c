/*
 * batch.c - work items on threads, collected into per-group statistics.
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

struct collector {
    pthread_mutex_t lock;
    uint32_t *done;     /* replications deposited per group */
    int64_t **position; /* per group: [replications][n_days] while incomplete */
    int64_t *flow_sum;  /* per group: [BF_FLOW_COUNT] fen over replications */
    int failed;         /* a deposit ran out of memory */
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
    if (pt->sweep >= 0) {
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
        .effective_day = is_base ? INT32_MAX : c->effective_day,
        .rule = sc->rule,
        .cal = &sc->cal,
        .start_day = sc->start_day,
        .horizon_days = sc->days,
        .warmup_days = sc->warmup_days,
        .tail_days = sc->tail_days,
        .financing_rate = sc->financing_rate,
        .discount_rate = sc->discount_rate,
        .seed = r->seed,
        .city_index = city,
        .replication = rep,
        .city_name = c->name,
        .policy_name = sc->policy[policy].name,
        .n_samples = rep == 0 ? 4 : 0,
        .sample_from_day = c->effective_day,
        .interrupt = interrupt,
    };
    int rc = 0;
    /* a sweep value may break a whole-set rule (a lane share of 0, say) */
    struct bf_diag d;
    bf_diag_clear(&d);
    if (pt->sweep >= 0 &&
        (bf_params_check(in.old_rules, &d) != 0 || bf_params_check(in.new_rules, &d) != 0)) {
        bf_diag_set(diag, "sweep '%s' value %s makes the rules of city '%s' invalid: %s: %s",
                    sc->sweep[pt->sweep].name, sc->sweep[pt->sweep].value[pt->value].label, c->name,
                    d.where, d.msg);
        rc = BF_EINVAL;
    } else {
        rc = bf_model_run(&in, out, &d);
        if (rc != 0 && rc != BF_EINTR)
            bf_diag_set(diag, "city '%s', policy '%s', replication %u: %s", c->name,
                        sc->policy[policy].name, rep, d.msg[0] ? d.msg : bf_strerror(rc));
    }
    bf__free(rules);
    return rc;
}

/* ---- collecting ---- */

/* Summary over the finite values of column m. */
static int summarise_metric(const double *metric, uint32_t reps, int m, struct bf_summary *out)
{
    double x[BF_MAX_REPLICATIONS > 4096 ? 4096 : BF_MAX_REPLICATIONS];
    double *buf = x;
    x[0] = 0.0; /* n may be 0: gcc -O1 then warns that x is read uninitialised */
    if (reps > sizeof x / sizeof x[0]) {
        buf = bf__malloc(reps * sizeof *buf);
        if (buf == NULL)
            return BF_ENOMEM;
    }
    size_t n = 0;
    for (uint32_t k = 0; k < reps; k++) {
        double v = metric[(size_t)k * BF_METRIC_COUNT + (size_t)m];
        if (isfinite(v))
            buf[n++] = v;
    }
    int rc = bf_stats_summary(buf, n, 0.95, out);
    if (buf != x)
        bf__free(buf);
    return rc;
}

static int summarise_group(struct bf_results *r, size_t gi)
{
    struct collector *col = r->priv;
    struct bf_group *g = &r->group[gi];
    int rc = 0;
    for (int m = 0; m < BF_METRIC_COUNT && rc == 0; m++)
        rc = summarise_metric(g->metric, r->replications, m, &g->summary[m]);
    /* daily cash across replications: mean and the 5-95% band */
    g->cash_mean_cny = bf__malloc(r->n_days * sizeof(double));
    g->cash_p05_cny = bf__malloc(r->n_days * sizeof(double));
    g->cash_p95_cny = bf__malloc(r->n_days * sizeof(double));
    double *col_v = bf__malloc(r->replications * sizeof(double));
    if (rc != 0 || !g->cash_mean_cny || !g->cash_p05_cny || !g->cash_p95_cny || !col_v) {
        bf__free(col_v);
        return BF_ENOMEM;
    }
    const int64_t *pos = col->position[gi];
    for (uint32_t d = 0; d < r->n_days; d++) {
        double sum = 0.0;
        for (uint32_t k = 0; k < r->replications; k++) {
            col_v[k] = (double)pos[(size_t)k * r->n_days + d] / 100.0;
            sum += col_v[k];
        }
        gsl_sort(col_v, 1, r->replications);
        g->cash_mean_cny[d] = sum / r->replications;
        g->cash_p05_cny[d] = bf_stats_quantile_sorted(col_v, r->replications, 0.05);
        g->cash_p95_cny[d] = bf_stats_quantile_sorted(col_v, r->replications, 0.95);
    }
    bf__free(col_v);
    for (int f = 0; f < BF_FLOW_COUNT; f++)
        g->flow_mean_cny[f] =
            (double)col->flow_sum[gi * BF_FLOW_COUNT + (size_t)f] / 100.0 / r->replications;
    bf__free(col->position[gi]);
    col->position[gi] = NULL;
    return 0;
}

int bf_batch_deposit(struct bf_results *r, uint64_t item, struct bf_model_result *out)
{
    struct collector *col = r->priv;
    size_t gi = (size_t)(item / r->replications);
    uint32_t rep = (uint32_t)(item % r->replications);
    struct bf_group *g = &r->group[gi];
    int rc = 0;
    bool last = false;
    pthread_mutex_lock(&col->lock);
    if (col->position[gi] == NULL) {
        col->position[gi] = bf__malloc((size_t)r->replications * r->n_days * sizeof(int64_t));
        if (col->position[gi] == NULL)
            rc = BF_ENOMEM;
    }
    if (rc == 0 && g->days_to_rebate.h == NULL &&
        ((rc = bf_hist_init(&g->days_to_rebate, BF_HIST_DAYS, 0.0, BF_HIST_DAYS)) != 0 ||
         (rc = bf_hist_init(&g->return_cycle, BF_HIST_DAYS, 0.0, BF_HIST_DAYS)) != 0))
        rc = BF_ENOMEM;
    if (rc == 0) {
        BF_ASSERT(out->n_days == r->n_days);
        memcpy(&g->metric[(size_t)rep * BF_METRIC_COUNT], out->metric, sizeof out->metric);
        memcpy(&col->position[gi][(size_t)rep * r->n_days], out->position_fen,
               r->n_days * sizeof(int64_t));
        bf_hist_merge(&g->days_to_rebate, &out->days_to_rebate);
        bf_hist_merge(&g->return_cycle, &out->return_cycle);
        for (int f = 0; f < BF_FLOW_COUNT; f++)
            col->flow_sum[gi * BF_FLOW_COUNT + (size_t)f] += out->flow_total_fen[f];
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
        for (int st = 0; st < BF_US_COUNT; st++)
            g->unit_states[st] += out->unit_states[st];
        g->units_created += out->units_created;
        last = ++col->done[gi] == r->replications;
    } else {
        col->failed = 1;
    }
    pthread_mutex_unlock(&col->lock);
    bf_model_result_fini(out);
    if (rc == 0 && last)
        rc = summarise_group(r, gi);
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

static int compute_deltas(struct bf_results *r)
{
    const struct bf_scenario *sc = r->sc;
    if (r->n_policies < 2)
        return 0;
    double *a = bf__malloc(r->replications * sizeof *a);
    double *b = bf__malloc(r->replications * sizeof *b);
    int rc = a && b ? 0 : BF_ENOMEM;
    for (uint32_t p = 0; rc == 0 && p < r->n_points; p++)
        for (uint32_t c = 0; rc == 0 && c < r->n_cities; c++) {
            const struct bf_group *gb = bf_results_group(r, p, c, sc->baseline);
            const struct bf_group *ga = bf_results_group(r, p, c, sc->compared);
            for (int m = 0; rc == 0 && m < BF_METRIC_COUNT; m++) {
                size_t n = 0;
                for (uint32_t k = 0; k < r->replications; k++) {
                    double x = gb->metric[(size_t)k * BF_METRIC_COUNT + (size_t)m];
                    double y = ga->metric[(size_t)k * BF_METRIC_COUNT + (size_t)m];
                    if (isfinite(x) && isfinite(y)) {
                        a[n] = x;
                        b[n] = y;
                        n++;
                    }
                }
                rc = bf_stats_paired(a, b, n, 0.95, bf_results_delta(r, p, c, m));
            }
        }
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
    if (col->position != NULL)
        for (size_t i = 0; i < ng; i++)
            bf__free(col->position[i]);
    bf__free(col->position);
    bf__free(col->done);
    bf__free(col->flow_sum);
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
            bf__free(g->cash_mean_cny);
            bf__free(g->cash_p05_cny);
            bf__free(g->cash_p95_cny);
            bf_hist_fini(&g->days_to_rebate);
            bf_hist_fini(&g->return_cycle);
        }
    }
    bf__free(r->group);
    bf__free(r->delta);
    bf__free(r->point);
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
    r->n_days = sc->days + sc->tail_days;
    r->n_points = 1;
    if (o->sweeps)
        for (uint32_t s = 0; s < sc->n_sweeps; s++)
            r->n_points += sc->sweep[s].n_values;
    r->point = bf__calloc(r->n_points, sizeof *r->point);
    if (r->point == NULL)
        return BF_ENOMEM;
    r->point[0].sweep = -1;
    uint32_t k = 1;
    for (uint32_t s = 0; o->sweeps && s < sc->n_sweeps; s++)
        for (uint32_t v = 0; v < sc->sweep[s].n_values; v++) {
            r->point[k].sweep = (int)s;
            r->point[k].value = v;
            k++;
        }
    size_t ng = n_groups(r);
    r->group = bf__calloc(ng, sizeof *r->group);
    r->delta = bf__calloc((size_t)r->n_points * r->n_cities * BF_METRIC_COUNT, sizeof *r->delta);
    struct collector *col = bf__calloc(1, sizeof *col);
    if (r->group == NULL || r->delta == NULL || col == NULL) {
        bf__free(col);
        return BF_ENOMEM;
    }
    pthread_mutex_init(&col->lock, NULL);
    r->priv = col;
    col->done = bf__calloc(ng, sizeof *col->done);
    col->position = bf__calloc(ng, sizeof *col->position);
    col->flow_sum = bf__calloc(ng * BF_FLOW_COUNT, sizeof *col->flow_sum);
    if (col->done == NULL || col->position == NULL || col->flow_sum == NULL)
        return BF_ENOMEM;
    for (size_t i = 0; i < ng; i++) {
        r->group[i].calendar_unknown_day = INT32_MIN;
        r->group[i].metric = bf__malloc((size_t)r->replications * BF_METRIC_COUNT * sizeof(double));
        if (r->group[i].metric == NULL)
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
    }
    if (rc == 0)
        rc = compute_deltas(r);
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
