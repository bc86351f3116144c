/*
 * model.c - one (city, policy, replication): setup, the run, the results.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

/* ---- names ---- */

static const char *const metric_names[] = {
#define XX(name, unit, desc) #name,
    BF_METRIC_MAP(XX)
#undef XX
};
static const char *const metric_units[] = {
#define XX(name, unit, desc) unit,
    BF_METRIC_MAP(XX)
#undef XX
};
static const char *const metric_descs[] = {
#define XX(name, unit, desc) desc,
    BF_METRIC_MAP(XX)
#undef XX
};

const char *bf_metric_name(enum bf_metric m)
{
    return (unsigned)m < BF_METRIC_COUNT ? metric_names[m] : "?";
}

const char *bf_metric_unit(enum bf_metric m)
{
    return (unsigned)m < BF_METRIC_COUNT ? metric_units[m] : "?";
}

const char *bf_metric_desc(enum bf_metric m)
{
    return (unsigned)m < BF_METRIC_COUNT ? metric_descs[m] : "?";
}

int bf_metric_find(const char *name)
{
    for (int m = 0; m < BF_METRIC_COUNT; m++)
        if (strcmp(metric_names[m], name) == 0)
            return m;
    return -1;
}

const char *bf_milestone_name(enum bf_milestone m)
{
    static const char *const names[] = {"created",    "declared",    "released",
                                        "departed",   "arrived",     "received",
                                        "first_sale", "rebate_paid", "done"};
    _Static_assert(sizeof names / sizeof names[0] == BF_MS_COUNT, "milestone names");
    return (unsigned)m < BF_MS_COUNT ? names[m] : "?";
}

const char *const bf_model_event_names[] = {
    "arrival",    "declare", "screened",     "inspected",   "depart",       "arrive_abroad",
    "received",   "lot",     "buyer_return", "consolidate", "batch_arrive", "reimported",
    "claim_paid", "shift",   "transition",   "settle",
};
_Static_assert(sizeof bf_model_event_names / sizeof bf_model_event_names[0] == EV_COUNT,
               "event names");

enum bf_metric bf_breakdown_metric(enum bf_breakdown k)
{
    static const enum bf_metric m[] = {
#define XX(name) BF_M_##name,
        BF_BREAKDOWN_MAP(XX)
#undef XX
    };
    _Static_assert(sizeof m / sizeof m[0] == BF_BK_COUNT, "breakdown metrics");
    BF_ASSERT((unsigned)k < BF_BK_COUNT);
    return m[k];
}

const char *bf_dimension_name(enum bf_dimension d)
{
    return d == BF_DIM_CHANNEL ? "channel" : d == BF_DIM_LANE ? "lane" : "?";
}

/* ---- setup ---- */

static void cumulate(const double *w, size_t n, double *cum)
{
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    double run = 0.0;
    for (size_t i = 0; i < n; i++) {
        run += w[i];
        cum[i] = total > 0.0 ? run / total : 0.0;
    }
}

static void prepare_mixes(struct sim *s)
{
    for (int r = 0; r < 2; r++) {
        const struct bf_params *p = rules(s, r);
        double w[BF_MAX_CATEGORIES] = {0};
        for (unsigned i = 0; i < p->n_categories; i++)
            w[i] = p->category[i].share;
        cumulate(w, p->n_categories, s->cat_cum[r]);
        double cw[BF_CH_COUNT];
        for (int c = 0; c < BF_CH_COUNT; c++)
            cw[c] = p->channel[c].share;
        cumulate(cw, BF_CH_COUNT, s->ch_cum[r]);
        for (int c = 0; c < BF_CH_COUNT; c++) {
            double lw[BF_MAX_LANES];
            for (unsigned k = 0; k < p->n_lanes; k++)
                lw[k] = p->channel[c].lane_weight[k] * p->lane[k].share;
            cumulate(lw, p->n_lanes, s->lane_cum[r][c]);
        }
    }
    /* a lane has consolidations if a channel of either regime ships on it */
    for (int r = 0; r < 2; r++) {
        const struct bf_params *p = rules(s, r);
        for (int c = 0; c < BF_CH_COUNT; c++)
            for (unsigned k = 0; k < p->n_lanes; k++)
                if (p->channel[c].share > 0.0 &&
                    p->channel[c].lane_weight[k] * p->lane[k].share > 0.0)
                    s->lq[k].active = 1;
    }
}

static bf_event_fn *const handlers[EV_COUNT] = {
    bf__on_arrival,      bf__on_declare,       bf__on_screened,     bf__on_inspected,
    bf__on_depart,       bf__on_arrive_abroad, bf__on_received,     bf__on_lot,
    bf__on_buyer_return, bf__on_consolidate,   bf__on_batch_arrive, bf__on_reimported,
    bf__on_claim_paid,   bf__on_shift,         bf__on_transition,   bf__on_settle,
};

/* Days after the run's end covered by its working-day table: a claim made at
 * the end is paid within weeks; later days are asked of the calendar. */
#define WD_MARGIN_DAYS 120

static void sim_fini(struct sim *s)
{
    /* lots still open at the end own their arrays */
    if (s->ships.mem != NULL)
        for (uint32_t i = 0; i < s->ships.top; i++)
            if (bf_pool_live(&s->ships, i)) {
                struct ship *sh = ship_at(s, i);
                bf__free(sh->sale_d);
                sh->sale_d = NULL;
            }
    bf__free(s->sort_tmp);
    bf__free(s->file_day[0]);
    bf__free(s->file_day[1]);
    bf_workdays_fini(&s->wd);
    if (s->own_tables_ready)
        bf_qcache_fini(&s->own_tables);
    bf_pool_fini(&s->ships);
    bf_pool_fini(&s->items);
    bf_pool_fini(&s->batches);
    bf_pool_fini(&s->claims);
    bf_resource_fini(&s->teams);
    bf_ledger_fini(&s->ledger);
    bf_streams_fini(&s->rng);
    bf_engine_fini(&s->eng);
}

static int sim_init(struct sim *s)
{
    const struct bf_model_input *in = s->in;
    s->epoch_day = in->start_day;
    s->window_day = in->window_day;
    s->window_end_day = in->window_day + (int32_t)in->window_days;
    s->end_day = s->window_end_day + (int32_t)in->tail_days;
    s->window_h = time_of(s, s->window_day, 0.0);
    s->window_end_h = time_of(s, s->window_end_day, 0.0);
    s->end_h = time_of(s, s->end_day, 0.0);
    s->effective_h =
        in->effective_day == INT32_MAX ? (double)INFINITY : time_of(s, in->effective_day, 0.0);
    for (unsigned k = 0; k < BF_MAX_LANES; k++)
        bf__list_init(&s->lq[k].q);
    prepare_mixes(s);

    int rc;
    if ((rc = bf_engine_init(&s->eng, handlers, EV_COUNT, s, 1024)) != 0 ||
        (rc = bf_streams_init(&s->rng, in->seed, in->city_index, in->replication, P_COUNT)) != 0 ||
        (rc = bf_ledger_init(&s->ledger, in->start_day, (uint32_t)(s->end_day - in->start_day))) !=
            0 ||
        (rc = bf_pool_init(&s->ships, sizeof(struct ship), 256)) != 0 ||
        (rc = bf_pool_init(&s->items, sizeof(struct item), 256)) != 0 ||
        (rc = bf_pool_init(&s->batches, sizeof(struct batch), 16)) != 0 ||
        (rc = bf_pool_init(&s->claims, sizeof(struct claim), 256)) != 0 ||
        (rc = bf_resource_init(&s->teams, 0, 0.0)) != 0)
        return rc;
    s->eng.max_events = in->max_events;
    s->eng.interrupt = in->interrupt;
    if (in->event_trace != NULL) {
        bf_engine_trace_fn(&s->eng, in->event_trace, in->event_trace_ctx);
        s->eng.kind_names = bf_model_event_names;
    }
    if ((rc = bf_hist_init(&s->out->days_to_rebate, BF_HIST_DAYS, 0.0, BF_HIST_DAYS)) != 0 ||
        (rc = bf_hist_init(&s->out->return_cycle, BF_HIST_DAYS, 0.0, BF_HIST_DAYS)) != 0)
        return rc;
    /* working days over the run and a margin for the claims made at its end */
    const uint32_t wd_days = (uint32_t)(s->end_day - s->epoch_day) + WD_MARGIN_DAYS;
    if ((rc = bf_workdays_init(&s->wd, in->cal, s->epoch_day, wd_days)) != 0)
        return rc;
    for (int r = 0; r < 2; r++) {
        s->file_day[r] = bf__malloc((size_t)wd_days * sizeof *s->file_day[r]);
        if (s->file_day[r] == NULL)
            return BF_ENOMEM;
        for (uint32_t i = 0; i < wd_days; i++)
            s->file_day[r][i].day = INT32_MIN;
    }
    /* the draws made per unit are made by inversion from tables, built once
     * per distribution (by the batch, for all its runs) */
    struct bf_qcache *tables = in->tables;
    if (tables == NULL) {
        if ((rc = bf_qcache_init(&s->own_tables)) != 0)
            return rc;
        s->own_tables_ready = true;
        tables = &s->own_tables;
    }
    for (int r = 0; r < 2; r++) {
        const struct bf_params *p = rules(s, r);
        s->tts_q[r] = bf_qcache_get(tables, &p->warehouse.time_to_sale_d);
        s->lag_q[r] = bf_qcache_get(tables, &p->returns.lag_d);
        if (s->tts_q[r] == NULL || s->lag_q[r] == NULL)
            return BF_ENOMEM;
        for (int c = 0; c < BF_CH_COUNT; c++)
            if ((s->settle_q[r][c] = bf_qcache_get(tables, &p->channel[c].settlement_d)) == NULL)
                return BF_ENOMEM;
        s->fee_fen[r] = llround(p->warehouse.fee_cny_per_unit_day * 100.0);
        /* the return lag is truncated at the return window */
        double u_max = bf_dist_cdf(&p->returns.lag_d, p->returns.window_d);
        s->lag_umax[r] = u_max > 0.0 ? u_max : 1.0; /* a window before the lag's support */
    }
    return 0;
}

static int start(struct sim *s)
{
    int rc;
    /* the inspection teams' capacity is set at time 0, then at each change */
    if ((rc = bf_engine_at(&s->eng, 0.0, EV_SHIFT, 0, NULL)) != 0)
        return rc;
    double t0 = bf__next_arrival(s, 0.0);
    if (t0 < s->window_end_h && (rc = bf_engine_at(&s->eng, t0, EV_ARRIVAL, 0, NULL)) != 0)
        return rc;
    for (uint32_t k = 0; k < BF_MAX_LANES; k++) {
        if (!s->lq[k].active)
            continue;
        int flags = 0;
        const struct bf_params *p = rules(s, regime_at(s, 0.0));
        double t =
            bf_periodic_next(&p->returns.consolidation, s->epoch_day, s->in->cal, 0.0, &flags);
        bf__note_cal(s, flags, s->epoch_day);
        if (t < s->end_h && (rc = bf_engine_at(&s->eng, t, EV_CONSOLIDATE, k, NULL)) != 0)
            return rc;
    }
    /* under the event rule the new rebate method reaches the goods already
     * exported on the effective day */
    if (s->in->rule == BF_RULE_EVENT && s->in->new_rules != s->in->old_rules &&
        s->effective_h > 0.0 && s->effective_h < s->end_h &&
        (rc = bf_engine_at(&s->eng, s->effective_h, EV_TRANSITION, 0, NULL)) != 0)
        return rc;
    return 0;
}

/* ---- the end of the run ---- */

static void finish_in_flight(struct sim *s)
{
    for (uint32_t i = 0; i < s->ships.top; i++) {
        if (!bf_pool_live(&s->ships, i))
            continue;
        struct ship *sh = ship_at(s, i);
        s->out->unit_states[BF_US_IN_FLIGHT] += sh->open_units;
        bf__emit_record(s, sh);
    }
}

static void set_breakdown(struct sim *s)
{
    for (uint32_t slot = 0; slot < BF_BK_SLOTS; slot++) {
        const struct bk_acc *b = &s->bk[slot];
        double *out = s->out->breakdown[slot];
        for (int k = 0; k < BF_BK_COUNT; k++)
            out[k] = acc_mean(&b->m[k]);
        /* counts and sums, not means */
        out[BF_BK_shipments] = b->m[BF_BK_shipments].sum;
        out[BF_BK_exports_cny] = b->m[BF_BK_exports_cny].sum;
        out[BF_BK_return_rate] = b->sold > 0.0 ? b->returned / b->sold : (double)NAN;
    }
}

static void set_metrics(struct sim *s)
{
    double *m = s->out->metric;
    for (int k = 0; k < BF_METRIC_COUNT; k++)
        m[k] = (double)NAN;
    m[BF_M_shipments] = s->ships_counted;
    m[BF_M_units] = s->units_counted;
    m[BF_M_exports_cny] = s->exports_fen / 100.0;
    m[BF_M_export_clearance_h] = acc_mean(&s->clearance);
    m[BF_M_inspection_wait_h] = acc_mean(&s->insp_wait);
    m[BF_M_port_dwell_d] = acc_mean(&s->port_dwell);
    m[BF_M_door_to_warehouse_d] = acc_mean(&s->door_wh);
    m[BF_M_time_to_sale_d] = acc_mean(&s->tts);
    m[BF_M_days_to_rebate] = acc_mean(&s->d2r);
    m[BF_M_return_rate] = s->units_sold > 0 ? s->units_returned / s->units_sold : (double)NAN;
    m[BF_M_return_cycle_d] = acc_mean(&s->cycle);
    m[BF_M_reimport_clearance_h] = acc_mean(&s->reimport);

    const uint32_t from_i = (uint32_t)(s->window_day - s->in->start_day);
    const uint32_t to_i = from_i + s->in->window_days;
    struct bf_ledger_summary sum;
    bf_ledger_summarise(&s->ledger, from_i, to_i, s->in->financing_rate, s->in->discount_rate,
                        &sum);
    m[BF_M_rebate_paid_cny] = (double)sum.flow_fen[BF_FLOW_REBATE_IN] / 100.0;
    m[BF_M_rebate_repaid_cny] = (double)-sum.flow_fen[BF_FLOW_REBATE_REPAID] / 100.0;
    m[BF_M_rebate_settled_cny] = (double)-sum.flow_fen[BF_FLOW_REBATE_SETTLED] / 100.0;
    m[BF_M_wc_avg_cny] = sum.wc_avg_fen / 100.0;
    m[BF_M_wc_peak_cny] = sum.wc_peak_fen / 100.0;
    m[BF_M_wc_inventory_avg_cny] =
        (sum.balance_avg_fen[BF_BAL_INVENTORY] + sum.balance_avg_fen[BF_BAL_RETURNING]) / 100.0;
    m[BF_M_wc_returning_avg_cny] = sum.balance_avg_fen[BF_BAL_RETURNING] / 100.0;
    m[BF_M_wc_receivables_avg_cny] = sum.balance_avg_fen[BF_BAL_RECEIVABLES] / 100.0;
    m[BF_M_wc_rebate_receivable_avg_cny] = sum.balance_avg_fen[BF_BAL_REBATE_RECEIVABLE] / 100.0;
    double exports_per_day = s->exports_fen / (double)s->in->window_days;
    m[BF_M_cash_cycle_d] = exports_per_day > 0.0 ? sum.wc_avg_fen / exports_per_day : (double)NAN;
    m[BF_M_financing_cost_cny] = sum.financing_cost_fen / 100.0;
    m[BF_M_npv_cny] = sum.npv_fen / 100.0;
    memcpy(s->out->flow_window_fen, sum.flow_fen, sizeof sum.flow_fen);

    static const enum bf_metric trs[6] = {BF_M_trs_doc_prep_h,   BF_M_trs_rework_h,
                                          BF_M_trs_screening_h,  BF_M_trs_inspection_wait_h,
                                          BF_M_trs_inspection_h, BF_M_trs_port_dwell_h};
    for (int k = 0; k < 6; k++)
        m[trs[k]] = acc_mean(&s->trs[k]);
    m[BF_M_inspection_utilisation] = bf_resource_utilisation(&s->teams, s->end_h);
    m[BF_M_units_back_in_china] = s->units_home_counted;
    m[BF_M_units_disposed_abroad] = s->units_disposed_counted;
    set_breakdown(s);
}

static int finish(struct sim *s)
{
    struct bf_model_result *out = s->out;
    finish_in_flight(s);
    bf_ledger_close(&s->ledger);
    if (s->ledger.overflow) {
        bf_diag_set(s->diag, "cash amounts exceeded the range of the ledger (about 9.2e16 CNY); "
                             "lower the volumes or unit costs");
        return BF_ERANGE;
    }
    const struct bf_ledger *l = &s->ledger;
    out->first_day = l->first_day;
    out->n_days = l->n_days;
    out->window_from = (uint32_t)(s->window_day - s->in->start_day);
    out->window_days = s->in->window_days;
    out->position_fen = bf__malloc((size_t)out->window_days * sizeof *out->position_fen);
    out->balance_fen = bf__malloc((size_t)BF_BAL_COUNT * l->n_days * sizeof *out->balance_fen);
    if (out->position_fen == NULL || out->balance_fen == NULL)
        return BF_ENOMEM;
    bf_ledger_positions(l, out->window_from, out->window_from + out->window_days,
                        out->position_fen);
    memcpy(out->balance_fen, l->bal_fen, (size_t)BF_BAL_COUNT * l->n_days * sizeof(int64_t));
    memcpy(out->flow_total_fen, l->total_fen, sizeof out->flow_total_fen);
    memcpy(out->flow_beyond_fen, l->beyond_fen, sizeof out->flow_beyond_fen);
    memcpy(out->balance_open_fen, l->bal_total_fen, sizeof out->balance_open_fen);
    set_metrics(s);
    out->n_events = s->eng.n_dispatched;
    out->peak_shipments_in_flight = s->ships.peak;
    out->peak_items_in_flight = s->items.peak;
    return 0;
}

void bf_model_result_init(struct bf_model_result *r)
{
    memset(r, 0, sizeof *r);
    r->calendar_unknown_day = INT32_MIN;
}

void bf_model_result_fini(struct bf_model_result *r)
{
    bf__free(r->position_fen);
    bf__free(r->balance_fen);
    bf_hist_fini(&r->days_to_rebate);
    bf_hist_fini(&r->return_cycle);
    r->position_fen = NULL;
    r->balance_fen = NULL;
}

int bf_model_run(const struct bf_model_input *in, struct bf_model_result *out, struct bf_diag *diag)
{
    BF_ASSERT(in->n_samples <= BF_MAX_SAMPLES);
    BF_ASSERT(in->window_days > 0 && in->window_day >= in->start_day);
    bf_model_result_init(out);
    struct sim *s = bf__calloc(1, sizeof *s);
    if (s == NULL) {
        bf_diag_set(diag, "out of memory starting the simulation");
        return BF_ENOMEM;
    }
    s->in = in;
    s->out = out;
    s->diag = diag;
    struct bf_assert_ctx actx = {.now_h = &s->eng.now_h,
                                 .city = in->city_name,
                                 .policy = in->policy_name,
                                 .replication = in->replication,
                                 .seed = in->seed};
    bf_assert_set_ctx(&actx);
    int rc = sim_init(s);
    if (rc == 0)
        rc = start(s);
    if (rc == 0)
        rc = bf_engine_run(&s->eng, s->end_h);
    if (rc == 0)
        rc = finish(s);
    if (rc != 0) {
        if (diag != NULL && diag->msg[0] == '\0') {
            if (rc == BF_ELIMIT)
                bf_diag_set(diag, "the run exceeded a limit (%s)", bf_strerror(rc));
            else
                bf_diag_set(diag, "%s while simulating", bf_strerror(rc));
        }
        bf_model_result_fini(out);
        bf_model_result_init(out);
    }
    sim_fini(s);
    bf__free(s);
    bf_assert_clear_ctx();
    return rc;
}
