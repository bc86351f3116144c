/*
 * output.c - CSV and JSON writers, atomic file replacement.
 */
#include "borderflow/output.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "borderflow/alloc.h"
#include "borderflow/fs.h"
#include "borderflow/sha256.h"

/* ---- formatting ---- */

/* A number, or NA. %.10g keeps ten significant digits: well past what the
 * replications can resolve, and the same bytes on every run. */
static void num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("NA", f);
}

static void jnum(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

void bf_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void bf_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '<':
        case '>':
        case '&':
            fprintf(f, "\\u%04x", (unsigned)*p);
            break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", (unsigned)*p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

static const char *city_name(const struct bf_results *r, uint32_t c)
{
    return r->sc->city[c].name;
}

static const char *policy_name(const struct bf_results *r, uint32_t p)
{
    return r->sc->policy[p].name;
}

static int done(FILE *f)
{
    return ferror(f) ? BF_EIO : 0;
}

/* ---- CSV tables ---- */

int bf_write_summary_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,policy,metric,unit,mean,sd,ci95_low,ci95_high,p10,p50,p90,n\n", f);
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            for (int m = 0; m < BF_METRIC_COUNT; m++) {
                const struct bf_summary *s = &g->summary[m];
                bf_csv_field(f, city_name(r, c));
                fputc(',', f);
                bf_csv_field(f, policy_name(r, p));
                fprintf(f, ",%s,%s,", bf_metric_name((enum bf_metric)m),
                        bf_metric_unit((enum bf_metric)m));
                const double v[] = {s->mean, s->sd, s->ci_low, s->ci_high, s->p10, s->p50, s->p90};
                for (size_t k = 0; k < 7; k++) {
                    num(f, v[k]);
                    fputc(',', f);
                }
                fprintf(f, "%zu\n", s->n);
            }
        }
    return done(f);
}

/* What the variance reduction column cannot say. */
static const char *delta_note(const struct bf_paired *d)
{
    if (d->identical)
        return "identical";
    return d->n == 1 ? "one pair" : "";
}

static void delta_row(FILE *f, const struct bf_results *r, uint32_t point, uint32_t c, int m)
{
    const struct bf_paired *d = bf_results_delta(r, point, c, m);
    if (d->n == 0) {
        fputs("NA,NA,NA,NA,NA,NA,\n", f);
        return;
    }
    const double v[] = {d->mean_a, d->mean_b, d->mean_diff, d->ci_low, d->ci_high};
    for (size_t k = 0; k < 5; k++) {
        num(f, v[k]);
        fputc(',', f);
    }
    /* empty, not NA, where it has no meaning: the note says why */
    if (!d->identical && d->n > 1)
        num(f, d->variance_reduction);
    fprintf(f, ",%s\n", delta_note(d));
}

int bf_write_delta_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,metric,unit,before,after,delta,ci95_low,ci95_high,variance_reduction,note\n", f);
    if (r->n_policies < 2)
        return done(f);
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (int m = 0; m < BF_DELTA_COUNT; m++) {
            bf_csv_field(f, city_name(r, c));
            fprintf(f, ",%s,", bf_delta_name(m));
            bf_csv_field(f, bf_delta_unit(m));
            fputc(',', f);
            delta_row(f, r, 0, c, m);
        }
    return done(f);
}

int bf_write_replications_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,policy,replication,metric,value\n", f);
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            for (uint32_t k = 0; k < r->replications; k++)
                for (int m = 0; m < BF_METRIC_COUNT; m++) {
                    bf_csv_field(f, city_name(r, c));
                    fputc(',', f);
                    bf_csv_field(f, policy_name(r, p));
                    fprintf(f, ",%u,%s,", k, bf_metric_name((enum bf_metric)m));
                    num(f, g->metric[(size_t)k * BF_METRIC_COUNT + (size_t)m]);
                    fputc('\n', f);
                }
        }
    return done(f);
}

int bf_write_daily_cash_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,policy,date,mean,p05,p95\n", f);
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            for (uint32_t d = 0; d < r->window_days; d++) {
                char date[11];
                bf_date_format(r->window_day + (int32_t)d, date);
                bf_csv_field(f, city_name(r, c));
                fputc(',', f);
                bf_csv_field(f, policy_name(r, p));
                fprintf(f, ",%s,%.2f,%.2f,%.2f\n", date, g->cash_mean_cny[d], g->cash_p05_cny[d],
                        g->cash_p95_cny[d]);
            }
        }
    return done(f);
}

int bf_write_daily_wc_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,policy,date,component,mean,p05,p95\n", f);
    const uint32_t nd = r->window_days;
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            for (int k = 0; k < BF_WC_COUNT; k++)
                for (uint32_t d = 0; d < nd; d++) {
                    size_t i = (size_t)k * nd + d;
                    char date[11];
                    bf_date_format(r->window_day + (int32_t)d, date);
                    bf_csv_field(f, city_name(r, c));
                    fputc(',', f);
                    bf_csv_field(f, policy_name(r, p));
                    fprintf(f, ",%s,%s,%.2f,%.2f,%.2f\n", date, bf_wc_name((enum bf_wc)k),
                            g->wc_mean_cny[i], g->wc_p05_cny[i], g->wc_p95_cny[i]);
                }
        }
    return done(f);
}

int bf_write_daily_delta_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,date,component,mean,ci95_low,ci95_high\n", f);
    if (r->n_policies < 2)
        return done(f);
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (int k = 0; k < BF_WC_COUNT; k++) {
            const struct bf_daily_delta *dd = bf_results_daily_delta(r, c, (enum bf_wc)k);
            for (uint32_t d = 0; d < r->window_days; d++) {
                char date[11];
                bf_date_format(r->window_day + (int32_t)d, date);
                bf_csv_field(f, city_name(r, c));
                fprintf(f, ",%s,%s,%.2f,%.2f,%.2f\n", date, bf_wc_name((enum bf_wc)k), dd[d].mean,
                        dd[d].ci_low, dd[d].ci_high);
            }
        }
    return done(f);
}

int bf_write_breakdown_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,policy,dimension,value,metric,unit,mean,ci95_low,ci95_high,n\n", f);
    for (uint32_t c = 0; c < r->n_cities; c++) {
        const struct bf_params *bp = &r->sc->city[c].params[r->sc->baseline];
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            for (uint32_t slot = 0; slot < BF_BK_SLOTS; slot++) {
                bool lane = slot >= BF_CH_COUNT;
                if (lane && slot - BF_CH_COUNT >= bp->n_lanes)
                    break;
                const char *value = lane ? bp->lane[slot - BF_CH_COUNT].name
                                         : bf_channel_code((enum bf_channel)slot);
                for (int k = 0; k < BF_BK_COUNT; k++) {
                    const struct bf_summary *sm = &g->bk[slot][k];
                    /* rows where nothing was observed are left out */
                    if (sm->n == 0)
                        continue;
                    enum bf_metric m = bf_breakdown_metric((enum bf_breakdown)k);
                    bf_csv_field(f, city_name(r, c));
                    fputc(',', f);
                    bf_csv_field(f, policy_name(r, p));
                    fprintf(f, ",%s,", bf_dimension_name(lane ? BF_DIM_LANE : BF_DIM_CHANNEL));
                    bf_csv_field(f, value);
                    fprintf(f, ",%s,%s,", bf_metric_name(m), bf_metric_unit(m));
                    const double v[] = {sm->mean, sm->ci_low, sm->ci_high};
                    for (size_t i = 0; i < 3; i++) {
                        num(f, v[i]);
                        fputc(',', f);
                    }
                    fprintf(f, "%zu\n", sm->n);
                }
            }
        }
    }
    return done(f);
}

int bf_write_sweep_csv(FILE *f, const struct bf_results *r)
{
    const struct bf_scenario *sc = r->sc;
    fputs("sweep,parameter,policy,value_index,value,city,metric,unit,before,after,delta,ci95_low,"
          "ci95_high,variance_reduction,note\n",
          f);
    for (uint32_t p = 1; p < r->n_points && r->n_samples == 0; p++) {
        const struct bf_sweep *sw = &sc->sweep[r->point[p].sweep];
        const struct bf_pvalue *v = &sw->value[r->point[p].value];
        for (uint32_t c = 0; c < r->n_cities; c++)
            for (int m = 0; m < BF_DELTA_COUNT; m++) {
                bf_csv_field(f, sw->name);
                fputc(',', f);
                bf_csv_field(f, sw->path);
                fputc(',', f);
                bf_csv_field(f, sw->policy < 0 ? "all" : sc->policy[sw->policy].name);
                fprintf(f, ",%u,", r->point[p].value);
                bf_csv_field(f, v->label);
                fputc(',', f);
                bf_csv_field(f, city_name(r, c));
                fprintf(f, ",%s,", bf_delta_name(m));
                bf_csv_field(f, bf_delta_unit(m));
                fputc(',', f);
                if (r->n_policies < 2)
                    fputs("NA,NA,NA,NA,NA,NA,\n", f);
                else
                    delta_row(f, r, p, c, m);
            }
    }
    return done(f);
}

static void write_cdf(FILE *f, const struct bf_results *r, uint32_t c, uint32_t p,
                      const char *metric, const struct bf_hist *h)
{
    if (h->h == NULL)
        return;
    size_t n = gsl_histogram_bins(h->h);
    double total = gsl_histogram_sum(h->h) + (double)h->over;
    if (!(total > 0.0))
        return;
    size_t last = 0;
    for (size_t i = 0; i < n; i++)
        if (gsl_histogram_get(h->h, i) > 0.0)
            last = i;
    double cum = 0.0;
    for (size_t i = 0; i <= last; i++) {
        double w = gsl_histogram_get(h->h, i);
        cum += w;
        bf_csv_field(f, city_name(r, c));
        fputc(',', f);
        bf_csv_field(f, policy_name(r, p));
        fprintf(f, ",%s,%zu,%.6f,%.6f\n", metric, i + 1, w / total, cum / total);
    }
}

int bf_write_distributions_csv(FILE *f, const struct bf_results *r)
{
    /* day = upper end of the 1-day bin: cdf is the share done within `day` days */
    fputs("city,policy,metric,day,share,cdf\n", f);
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            write_cdf(f, r, c, p, "days_to_rebate", &g->days_to_rebate);
            write_cdf(f, r, c, p, "return_cycle_d", &g->return_cycle);
        }
    return done(f);
}

int bf_write_timeline_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,policy,shipment,channel,units,milestone,day,date\n", f);
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            for (uint32_t s = 0; s < g->n_samples; s++) {
                const struct bf_shipment_record *rec = &g->sample[s];
                for (int m = 0; m < BF_MS_COUNT; m++) {
                    if (!isfinite(rec->t_h[m]))
                        continue;
                    double day = rec->t_h[m] / 24.0;
                    char date[11];
                    bf_date_format(r->first_day + (int32_t)floor(day), date);
                    bf_csv_field(f, city_name(r, c));
                    fputc(',', f);
                    bf_csv_field(f, policy_name(r, p));
                    fprintf(f, ",%llu,%s,%u,%s,%.4f,%s\n", (unsigned long long)rec->serial,
                            bf_channel_code(rec->channel), rec->units,
                            bf_milestone_name((enum bf_milestone)m), day, date);
                }
            }
        }
    return done(f);
}

int bf_write_flows_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,policy,flow,description,mean_window_cny\n", f);
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            for (int fl = 0; fl < BF_FLOW_COUNT; fl++) {
                bf_csv_field(f, city_name(r, c));
                fputc(',', f);
                bf_csv_field(f, policy_name(r, p));
                fprintf(f, ",%s,", bf_flow_name((enum bf_flow)fl));
                bf_csv_field(f, bf_flow_desc((enum bf_flow)fl));
                fprintf(f, ",%.2f\n", g->flow_mean_cny[fl]);
            }
        }
    return done(f);
}

int bf_write_cities_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,city_zh,province,class,candidate,effective_date,shipments_per_day,warmup_mser5_d,"
          "note\n",
          f);
    for (uint32_t c = 0; c < r->n_cities; c++) {
        const struct bf_city *city = &r->sc->city[c];
        const struct bf_group *g = bf_results_group(r, 0, c, r->sc->baseline);
        char date[11];
        bf_date_format(city->effective_day, date);
        bf_csv_field(f, city->name);
        fputc(',', f);
        bf_csv_field(f, city->name_zh);
        fputc(',', f);
        bf_csv_field(f, city->province);
        fputc(',', f);
        bf_csv_field(f, city->cls);
        fprintf(f, ",%s,%s,", city->candidate ? "yes" : "no", date);
        num(f, city->params[r->sc->baseline].shipments_per_day);
        fputc(',', f);
        if (g->warmup_checked)
            fprintf(f, "%zu", g->warmup.truncate);
        else
            fputs("NA", f);
        fputc(',', f);
        bf_csv_field(f, city->note);
        fputc('\n', f);
    }
    return done(f);
}

/* ---- totals and the ranking ---- */

/* One row of a total: its scope ("before", "after", "change", "count"),
 * mean, interval and replications. */
static void total_row(FILE *f, const char *scope, double mean, double lo, double hi, size_t n)
{
    fprintf(f, "%s,", scope);
    num(f, mean);
    fputc(',', f);
    num(f, lo);
    fputc(',', f);
    num(f, hi);
    fprintf(f, ",%zu", n);
}

/* The rows of one total; prefix writes the columns before "metric". */
typedef void prefix_fn(FILE *f, const struct bf_results *r, uint32_t point);

static void total_rows(FILE *f, const struct bf_results *r, uint32_t point, int m,
                       prefix_fn *prefix, bool desc)
{
    const struct bf_total *t = bf_results_total(r, point, m);
    const enum bf_total_kind k = bf_total_kind(m);
    const char *scopes[4];
    const struct bf_summary *sums[2] = {&t->before, &t->after};
    for (int i = 0; i < 4; i++)
        scopes[i] = NULL;
    if (k == BF_TK_COUNT) {
        if (isnan(t->count))
            return;
        scopes[3] = "count";
    } else {
        if (k == BF_TK_SUM || k == BF_TK_MEAN) {
            if (t->before.n > 0)
                scopes[0] = "before";
            if (t->after.n > 0)
                scopes[1] = "after";
        }
        if (t->change.n > 0)
            scopes[2] = "change";
    }
    for (int i = 0; i < 4; i++) {
        if (scopes[i] == NULL)
            continue;
        if (prefix != NULL)
            prefix(f, r, point);
        fprintf(f, "%s,", bf_total_name(m));
        bf_csv_field(f, bf_total_unit(m));
        fputc(',', f);
        if (i < 2)
            total_row(f, scopes[i], sums[i]->mean, sums[i]->ci_low, sums[i]->ci_high, sums[i]->n);
        else if (i == 2)
            total_row(f, scopes[i], t->change.mean_diff, t->change.ci_low, t->change.ci_high,
                      t->change.n);
        else
            total_row(f, scopes[i], t->count, (double)NAN, (double)NAN, 0);
        if (desc) {
            fputc(',', f);
            bf_csv_field(f, bf_total_desc(m));
        }
        fputc('\n', f);
    }
}

int bf_write_totals_csv(FILE *f, const struct bf_results *r)
{
    fputs("metric,unit,scope,mean,ci95_low,ci95_high,n,description\n", f);
    for (int m = 0; m < BF_TOTAL_COUNT; m++)
        total_rows(f, r, 0, m, NULL, true);
    return done(f);
}

static const char *sign_name(enum bf_interval_sign s)
{
    return s == BF_SIGN_ABOVE ? "above_zero" : s == BF_SIGN_BELOW ? "below_zero" : "includes_zero";
}

int bf_write_ranking_csv(FILE *f, const struct bf_results *r)
{
    fputs("rank,city,city_zh,capital_released_per_m,ci95_low,ci95_high,capital_released_cny,"
          "released_ci95_low,released_ci95_high,exports_cny,interval\n",
          f);
    if (r->rank == NULL)
        return done(f);
    for (uint32_t i = 0; i < r->n_cities; i++) {
        const uint32_t c = r->rank[i];
        const struct bf_paired *pm = bf_results_delta(r, 0, c, BF_DX_capital_released_per_m);
        const struct bf_paired *d = bf_results_delta(r, 0, c, BF_DX_capital_released_cny);
        const struct bf_group *g = bf_results_group(r, 0, c, r->sc->baseline);
        fprintf(f, "%u,", i + 1);
        bf_csv_field(f, r->sc->city[c].name);
        fputc(',', f);
        bf_csv_field(f, r->sc->city[c].name_zh);
        fputc(',', f);
        num(f, pm->n ? pm->mean_diff : (double)NAN);
        fputc(',', f);
        num(f, pm->n ? pm->ci_low : (double)NAN);
        fputc(',', f);
        num(f, pm->n ? pm->ci_high : (double)NAN);
        fputc(',', f);
        num(f, d->n ? d->mean_diff : (double)NAN);
        fputc(',', f);
        num(f, d->n ? d->ci_low : (double)NAN);
        fputc(',', f);
        num(f, d->n ? d->ci_high : (double)NAN);
        fputc(',', f);
        num(f, g->summary[BF_M_exports_cny].mean);
        fprintf(f, ",%s\n", sign_name((enum bf_interval_sign)r->rank_sign[c]));
    }
    return done(f);
}

/* sweep, parameter, policy, value_index, value of a sweep point */
static void sweep_prefix(FILE *f, const struct bf_results *r, uint32_t point)
{
    const struct bf_scenario *sc = r->sc;
    const struct bf_sweep *sw = &sc->sweep[r->point[point].sweep];
    bf_csv_field(f, sw->name);
    fputc(',', f);
    bf_csv_field(f, sw->path);
    fputc(',', f);
    bf_csv_field(f, sw->policy < 0 ? "all" : sc->policy[sw->policy].name);
    fprintf(f, ",%u,", r->point[point].value);
    bf_csv_field(f, sw->value[r->point[point].value].label);
    fputc(',', f);
}

/* The name of a unit of the sensitivity tables: a city, or "all". */
static void unit_name(FILE *f, const struct bf_results *r, int32_t city)
{
    bf_csv_field(f, city < 0 ? "all" : r->sc->city[city].name);
}

int bf_write_sensitivity_csv(FILE *f, const struct bf_results *r)
{
    const struct bf_sensitivity *se = &r->sc->sens;
    fputs("city,metric,parameter,method,index,value,ci95_low,ci95_high\n", f);
    for (size_t i = 0; i < r->n_sens; i++) {
        const struct bf_sens_row *x = &r->sens[i];
        unit_name(f, r, x->city);
        fprintf(f, ",%s,", bf_sens_metric_name(x->metric));
        bf_csv_field(f, se->param[x->param].path);
        fprintf(f, ",%s,%s,", se->method == BF_SENS_MORRIS ? "morris" : "sobol",
                bf_sens_index_name(x->index));
        num(f, x->value);
        fputc(',', f);
        num(f, x->lo);
        fputc(',', f);
        num(f, x->hi);
        fputc('\n', f);
    }
    return done(f);
}

int bf_write_uncertainty_csv(FILE *f, const struct bf_results *r)
{
    fputs("city,metric,samples,mean,sd,p05,p50,p95,noise_se\n", f);
    for (size_t i = 0; i < r->n_uncert; i++) {
        const struct bf_uncert_row *x = &r->uncert[i];
        unit_name(f, r, x->city);
        fprintf(f, ",%s,%u,", bf_sens_metric_name(x->metric), x->n);
        const double v[] = {x->mean, x->sd, x->p05, x->p50, x->p95, x->noise_se};
        for (int k = 0; k < 6; k++) {
            num(f, v[k]);
            fputc(k < 5 ? ',' : '\n', f);
        }
    }
    return done(f);
}

int bf_write_sweep_totals_csv(FILE *f, const struct bf_results *r)
{
    fputs("sweep,parameter,policy,value_index,value,metric,unit,scope,mean,ci95_low,ci95_high,n\n",
          f);
    for (uint32_t p = 1; p < r->n_points && r->n_samples == 0; p++)
        for (int m = 0; m < BF_TOTAL_COUNT; m++)
            total_rows(f, r, p, m, sweep_prefix, false);
    return done(f);
}

/* ---- JSON ---- */

static void json_summary(FILE *f, const struct bf_summary *s)
{
    fputs("{\"mean\": ", f);
    jnum(f, s->mean);
    fputs(", \"sd\": ", f);
    jnum(f, s->sd);
    fputs(", \"ci95\": [", f);
    jnum(f, s->ci_low);
    fputs(", ", f);
    jnum(f, s->ci_high);
    fputs("], \"p10\": ", f);
    jnum(f, s->p10);
    fputs(", \"p50\": ", f);
    jnum(f, s->p50);
    fputs(", \"p90\": ", f);
    jnum(f, s->p90);
    fprintf(f, ", \"n\": %zu}", s->n);
}

static void json_delta(FILE *f, const struct bf_paired *d)
{
    fputs("{\"before\": ", f);
    jnum(f, d->n ? d->mean_a : (double)NAN);
    fputs(", \"after\": ", f);
    jnum(f, d->n ? d->mean_b : (double)NAN);
    fputs(", \"delta\": ", f);
    jnum(f, d->n ? d->mean_diff : (double)NAN);
    fputs(", \"ci95\": [", f);
    jnum(f, d->n ? d->ci_low : (double)NAN);
    fputs(", ", f);
    jnum(f, d->n ? d->ci_high : (double)NAN);
    fputs("], \"variance_reduction\": ", f);
    jnum(f, d->n > 1 && !d->identical ? d->variance_reduction : (double)NAN);
    fprintf(f, ", \"identical\": %s, \"n\": %zu}", d->identical ? "true" : "false", d->n);
}

/* ---- summary.json: the assumptions, the totals, the ranking ---- */

/* Where one table's entries live in a set of rules: the scalars, or
 * category / lane / channel `index` (by name in the defaults). */
struct ptable {
    const struct bf_param_info *t;
    size_t n;
    const char *prefix; /* "", "categories.food.", ... */
    int kind;           /* 0 scalars, 1 category, 2 lane, 3 channel */
    const char *name;   /* category or lane name; NULL for the others */
    int channel;
};

static const void *ptable_base(const struct ptable *pt, const struct bf_params *p)
{
    switch (pt->kind) {
    case 1: {
        int k = bf_params_category(p, pt->name);
        return k < 0 ? NULL : &p->category[k];
    }
    case 2: {
        int k = bf_params_lane(p, pt->name);
        return k < 0 ? NULL : &p->lane[k];
    }
    case 3:
        return &p->channel[pt->channel];
    default:
        return p;
    }
}

/*
 * The entries of one table whose value under policy `pol` differs from the
 * built-in default in some city: the value (or "varies by city"), the
 * default, the unit, the source, and in how many cities it differs.
 */
static void assumption_rows(FILE *f, const struct bf_results *r, uint32_t pol,
                            const struct ptable *pt, const struct bf_params *def, bool *first)
{
    const void *dbase = ptable_base(pt, def);
    for (size_t i = 0; i < pt->n; i++) {
        char dv[256], v[256], first_v[256] = "";
        if (dbase != NULL)
            bf_param_format(&pt->t[i], dbase, dv, sizeof dv);
        else
            snprintf(dv, sizeof dv, "(none: not in the defaults)");
        uint32_t differ = 0;
        bool same = true;
        for (uint32_t c = 0; c < r->n_cities; c++) {
            const void *base = ptable_base(pt, &r->sc->city[c].params[pol]);
            if (base == NULL)
                continue;
            bf_param_format(&pt->t[i], base, v, sizeof v);
            if (dbase != NULL && strcmp(v, dv) == 0)
                continue;
            if (differ++ == 0)
                memcpy(first_v, v, sizeof first_v);
            else if (strcmp(v, first_v) != 0)
                same = false;
        }
        if (differ == 0)
            continue;
        char path[160];
        snprintf(path, sizeof path, "%s%s", pt->prefix, pt->t[i].path);
        fputs(*first ? "\n      {" : ",\n      {", f);
        *first = false;
        fputs("\"parameter\": ", f);
        bf_json_string(f, path);
        fputs(", \"value\": ", f);
        bf_json_string(f, same ? first_v : "varies by city");
        fputs(", \"default\": ", f);
        bf_json_string(f, dv);
        fputs(", \"unit\": ", f);
        bf_json_string(f, pt->t[i].unit);
        fputs(", \"source\": ", f);
        bf_json_string(f, pt->t[i].source);
        fprintf(f, ", \"cities\": %u}", differ);
    }
}

static void json_assumptions(FILE *f, const struct bf_results *r)
{
    struct bf_params def;
    bf_params_default(&def);
    const struct bf_params *p0 = &r->sc->city[0].params[r->sc->baseline];
    fputs(",\n  \"assumptions\": {", f);
    for (uint32_t pol = 0; pol < r->n_policies; pol++) {
        fputs(pol ? ",\n    " : "\n    ", f);
        bf_json_string(f, policy_name(r, pol));
        fputs(": [", f);
        bool first = true;
        struct ptable pt = {bf_param_table, bf_param_table_n, "", 0, NULL, 0};
        assumption_rows(f, r, pol, &pt, &def, &first);
        char prefix[96];
        for (unsigned k = 0; k < p0->n_categories; k++) {
            snprintf(prefix, sizeof prefix, "categories.%s.", p0->category[k].name);
            pt = (struct ptable){
                bf_category_table, bf_category_table_n, prefix, 1, p0->category[k].name, 0};
            assumption_rows(f, r, pol, &pt, &def, &first);
        }
        for (unsigned k = 0; k < p0->n_lanes; k++) {
            snprintf(prefix, sizeof prefix, "lanes.%s.", p0->lane[k].name);
            pt = (struct ptable){bf_lane_table, bf_lane_table_n, prefix, 2, p0->lane[k].name, 0};
            assumption_rows(f, r, pol, &pt, &def, &first);
        }
        for (int c = 0; c < BF_CH_COUNT; c++) {
            snprintf(prefix, sizeof prefix, "channels.%s.", bf_channel_code((enum bf_channel)c));
            pt = (struct ptable){bf_channel_table, bf_channel_table_n, prefix, 3, NULL, c};
            assumption_rows(f, r, pol, &pt, &def, &first);
        }
        fputs(first ? "]" : "\n    ]", f);
    }
    fputs("\n  }", f);
}

static void json_interval(FILE *f, double mean, double lo, double hi, size_t n)
{
    fputs("{\"mean\": ", f);
    jnum(f, mean);
    fputs(", \"ci95\": [", f);
    jnum(f, lo);
    fputs(", ", f);
    jnum(f, hi);
    fprintf(f, "], \"n\": %zu}", n);
}

/* The totals of point 0, as totals.csv has them. */
static void json_totals(FILE *f, const struct bf_results *r)
{
    fputs(",\n  \"totals\": {", f);
    for (int m = 0; m < BF_TOTAL_COUNT; m++) {
        const struct bf_total *t = bf_results_total(r, 0, m);
        const enum bf_total_kind k = bf_total_kind(m);
        fprintf(f, "%s\"%s\": {\"unit\": ", m ? ",\n    " : "\n    ", bf_total_name(m));
        bf_json_string(f, bf_total_unit(m));
        if (k == BF_TK_COUNT) {
            fputs(", \"count\": ", f);
            jnum(f, t->count);
        }
        if (k == BF_TK_SUM || k == BF_TK_MEAN) {
            fputs(", \"before\": ", f);
            json_interval(f, t->before.mean, t->before.ci_low, t->before.ci_high, t->before.n);
            fputs(", \"after\": ", f);
            json_interval(f, t->after.mean, t->after.ci_low, t->after.ci_high, t->after.n);
        }
        if (k != BF_TK_COUNT) {
            fputs(", \"change\": ", f);
            json_interval(f, t->change.n ? t->change.mean_diff : (double)NAN, t->change.ci_low,
                          t->change.ci_high, t->change.n);
        }
        fputs(", \"description\": ", f);
        bf_json_string(f, bf_total_desc(m));
        fputs("}", f);
    }
    fputs("\n  },\n  \"ranking\": [", f);
    for (uint32_t i = 0; r->rank != NULL && i < r->n_cities; i++) {
        const uint32_t c = r->rank[i];
        const struct bf_paired *pm = bf_results_delta(r, 0, c, BF_DX_capital_released_per_m);
        const struct bf_paired *d = bf_results_delta(r, 0, c, BF_DX_capital_released_cny);
        fprintf(f, "%s{\"rank\": %u, \"city\": ", i ? ",\n    " : "\n    ", i + 1);
        bf_json_string(f, r->sc->city[c].name);
        fputs(", \"capital_released_per_m\": ", f);
        json_interval(f, pm->n ? pm->mean_diff : (double)NAN, pm->ci_low, pm->ci_high, pm->n);
        fputs(", \"capital_released_cny\": ", f);
        json_interval(f, d->n ? d->mean_diff : (double)NAN, d->ci_low, d->ci_high, d->n);
        fprintf(f, ", \"interval\": \"%s\"}", sign_name((enum bf_interval_sign)r->rank_sign[c]));
    }
    fputs(r->rank != NULL ? "\n  ]" : "]", f);
}

int bf_write_summary_json(FILE *f, const struct bf_results *r)
{
    const struct bf_scenario *sc = r->sc;
    fputs("{\n  \"scenario\": ", f);
    bf_json_string(f, sc->name);
    /* the layout of the folder's files: `borderflow compare` reads only
     * folders of this one (2: every CSV's first column is `scenario`) */
    fprintf(f, ",\n  \"results_format\": %d", BF_RESULTS_FORMAT);
    fputs(",\n  \"description\": ", f);
    bf_json_string(f, sc->description);
    fputs(",\n  \"scenario_file\": ", f);
    bf_json_string(f, sc->file);
    fputs(",\n  \"scenario_sha256\": ", f);
    bf_json_string(f, sc->sha256);
    char run0[11], w0[11], w1[11], run1[11];
    bf_date_format(sc->start_day, run0);
    bf_date_format(sc->window_day, w0);
    bf_date_format(sc->window_day + (int32_t)sc->window_days - 1, w1);
    bf_date_format(sc->start_day + (int32_t)r->n_days - 1, run1);
    fprintf(
        f,
        ",\n  \"horizon\": {\"window\": {\"start\": \"%s\", \"end\": \"%s\", \"days\": %u}, "
        "\"warmup_days\": %u, \"tail_days\": %u, \"run_start\": \"%s\", \"run_end\": \"%s\"},\n",
        w0, w1, sc->window_days, sc->warmup_days, sc->tail_days, run0, run1);
    uint64_t projected = 0;
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++)
            projected += bf_results_group(r, 0, c, p)->calendar_projected;
    fputs("  \"calendar\": {\"years\": ", f);
    bf_json_string(f, sc->calendar_years);
    fprintf(f, ", \"builtin\": %s", sc->calendar_builtin ? "true" : "false");
    fputs(", \"projected_years\": ", f);
    bf_json_string(f, sc->calendar_projected_years);
    fprintf(f, ", \"projected_lookups\": %llu},\n", (unsigned long long)projected);
    fputs(
        "  \"warmup_check\": {\"method\": \"MSER-5\", \"on\": \"the cities' total working capital "
        "under the baseline\", \"found_days\": ",
        f);
    if (r->warmup_checked)
        fprintf(f, "%zu, \"at_limit\": %s},\n", r->warmup.truncate,
                r->warmup.at_limit ? "true" : "false");
    else
        fputs("null, \"at_limit\": false},\n", f);
    fprintf(f,
            "  \"finance\": {\"financing_rate\": %.10g, \"discount_rate\": %.10g, "
            "\"currency\": \"%s\"},\n  \"rule\": \"%s\",\n  \"notes\": [",
            sc->financing_rate, sc->discount_rate, sc->currency, bf_rule_name(sc->rule));
    for (uint32_t i = 0; i < sc->n_notes; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        bf_json_string(f, sc->notes[i]);
    }
    fprintf(f, "%s],\n  \"seed\": %llu,\n  \"replications\": %u,\n  \"policies\": [",
            sc->n_notes ? "\n  " : "", (unsigned long long)r->seed, r->replications);
    for (uint32_t p = 0; p < r->n_policies; p++) {
        fputs(p ? ", " : "", f);
        bf_json_string(f, policy_name(r, p));
    }
    fputs("],\n  \"policy_descriptions\": {", f);
    for (uint32_t p = 0; p < r->n_policies; p++) {
        fputs(p ? ", " : "", f);
        bf_json_string(f, policy_name(r, p));
        fputs(": ", f);
        bf_json_string(f, sc->policy[p].description);
    }
    fputs("}", f);
    fputs(",\n  \"compare\": [", f);
    bf_json_string(f, policy_name(r, sc->baseline));
    fputs(", ", f);
    bf_json_string(f, policy_name(r, sc->compared));
    fputs("],\n  \"units\": {", f);
    for (int m = 0; m < BF_DELTA_COUNT; m++)
        fprintf(f, "%s\"%s\": \"%s\"", m ? ", " : "", bf_delta_name(m), bf_delta_unit(m));
    fputs("},\n  \"cities\": [", f);
    for (uint32_t c = 0; c < r->n_cities; c++) {
        const struct bf_city *city = &sc->city[c];
        char date[11];
        bf_date_format(city->effective_day, date);
        fputs(c ? ",\n    {" : "\n    {", f);
        fputs("\"name\": ", f);
        bf_json_string(f, city->name);
        fputs(", \"name_zh\": ", f);
        bf_json_string(f, city->name_zh);
        fputs(", \"province\": ", f);
        bf_json_string(f, city->province);
        fputs(", \"class\": ", f);
        bf_json_string(f, city->cls);
        fprintf(f, ", \"candidate\": %s, \"effective_date\": \"%s\"",
                city->candidate ? "true" : "false", date);
        const struct bf_group *bg = bf_results_group(r, 0, c, sc->baseline);
        if (bg->warmup_checked)
            fprintf(f, ", \"warmup_mser5_days\": %zu, \"warmup_mser5_at_limit\": %s",
                    bg->warmup.truncate, bg->warmup.at_limit ? "true" : "false");
        fputs(",\n     \"policies\": {", f);
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            fputs(p ? ",\n       " : "\n       ", f);
            bf_json_string(f, policy_name(r, p));
            fputs(": {", f);
            for (int m = 0; m < BF_METRIC_COUNT; m++) {
                fprintf(f, "%s\"%s\": ", m ? ", " : "", bf_metric_name((enum bf_metric)m));
                json_summary(f, &g->summary[m]);
            }
            fputs("}", f);
        }
        fputs("},\n     \"delta\": {", f);
        for (int m = 0; r->n_policies > 1 && m < BF_DELTA_COUNT; m++) {
            fprintf(f, "%s\"%s\": ", m ? ", " : "", bf_delta_name(m));
            json_delta(f, bf_results_delta(r, 0, c, m));
        }
        fputs("}}", f);
    }
    fputs("\n  ]", f);
    json_assumptions(f, r);
    json_totals(f, r);
    if (r->n_samples > 0) {
        const struct bf_sensitivity *se = &sc->sens;
        fprintf(f,
                ",\n  \"sensitivity\": {\"method\": \"%s\", \"samples\": %u, \"trajectories\": %u, "
                "\"levels\": %u, \"base_rows\": %u, \"seed\": %u, \"bootstrap\": %u, "
                "\"parameters\": [",
                se->method == BF_SENS_MORRIS ? "morris" : "sobol", r->n_samples,
                se->method == BF_SENS_MORRIS ? se->trajectories : 0,
                se->method == BF_SENS_MORRIS ? se->levels : 0,
                se->method == BF_SENS_SOBOL ? se->samples : 0, se->seed, se->bootstrap);
        for (uint32_t i = 0; i < se->n_params; i++) {
            const struct bf_sens_param *sp = &se->param[i];
            fputs(i ? ",\n    {\"path\": " : "\n    {\"path\": ", f);
            bf_json_string(f, sp->path);
            fputs(", \"policy\": ", f);
            bf_json_string(f, sp->policy < 0 ? "all" : sc->policy[sp->policy].name);
            fputs(", \"kind\": ", f);
            bf_json_string(f, sp->kind == BF_SK_FACTOR            ? "factor"
                              : sp->kind == BF_SK_EFFECTIVE_SHIFT ? "days"
                                                                  : "value");
            fputs(", \"unit\": ", f);
            bf_json_string(f, sp->kind == BF_SK_FACTOR            ? "factor"
                              : sp->kind == BF_SK_EFFECTIVE_SHIFT ? "d"
                                                                  : sp->proto.pi->unit);
            fputs(", \"source\": ", f);
            bf_json_string(f,
                           sp->kind == BF_SK_EFFECTIVE_SHIFT ? "assumption" : sp->proto.pi->source);
            fputs(", \"range\": [", f);
            num(f, sp->lo);
            fputs(", ", f);
            num(f, sp->hi);
            fputs("]}", f);
        }
        fputs("\n  ]}", f);
    }
    fputs(",\n  \"sweep_definitions\": [", f);
    for (uint32_t s = 0; s < sc->n_sweeps; s++) {
        const struct bf_sweep *sw = &sc->sweep[s];
        fputs(s ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        bf_json_string(f, sw->name);
        fputs(", \"parameter\": ", f);
        bf_json_string(f, sw->path);
        fputs(", \"policy\": ", f);
        bf_json_string(f, sw->policy < 0 ? "all" : sc->policy[sw->policy].name);
        fputs(", \"values\": [", f);
        for (uint32_t v = 0; v < sw->n_values; v++) {
            fputs(v ? ", " : "", f);
            bf_json_string(f, sw->value[v].label);
        }
        fputs("]}", f);
    }
    fputs(sc->n_sweeps ? "\n  ]" : "]", f);
    fputs(",\n  \"sweeps\": [", f);
    for (uint32_t p = 1; p < r->n_points && r->n_samples == 0; p++) {
        const struct bf_sweep *sw = &sc->sweep[r->point[p].sweep];
        fputs(p > 1 ? ",\n    {" : "\n    {", f);
        fputs("\"sweep\": ", f);
        bf_json_string(f, sw->name);
        fputs(", \"parameter\": ", f);
        bf_json_string(f, sw->path);
        fputs(", \"value\": ", f);
        bf_json_string(f, sw->value[r->point[p].value].label);
        fputs(", \"cities\": {", f);
        for (uint32_t c = 0; c < r->n_cities; c++) {
            fputs(c ? ", " : "", f);
            bf_json_string(f, city_name(r, c));
            fputs(": {", f);
            for (int m = 0; r->n_policies > 1 && m < BF_DELTA_COUNT; m++) {
                fprintf(f, "%s\"%s\": ", m ? ", " : "", bf_delta_name(m));
                json_delta(f, bf_results_delta(r, p, c, m));
            }
            fputs("}", f);
        }
        fputs("}}", f);
    }
    fputs("\n  ]\n}\n", f);
    return done(f);
}

static void write_file_names(FILE *f, const struct bf_results *r);

static void write_file_names(FILE *f, const struct bf_results *r);
static void write_file_hashes(FILE *f, const struct bf_results *r, const struct bf_run_record *rec);

int bf_write_run_json(FILE *f, const struct bf_results *r, const struct bf_run_record *rec)
{
    const struct bf_scenario *sc = r->sc;
    fputs("{\n  \"borderflow_version\": ", f);
    bf_json_string(f, rec->version);
    fputs(",\n  \"scenario\": ", f);
    bf_json_string(f, sc->name);
    fputs(",\n  \"scenario_file\": ", f);
    bf_json_string(f, sc->file);
    fprintf(f, ",\n  \"scenario_sha256\": \"%s\",\n  \"seed\": %llu,\n  \"replications\": %u,\n",
            sc->sha256, (unsigned long long)r->seed, r->replications);
    fprintf(f, "  \"jobs\": %u,\n  \"ranks\": %d,\n  \"cities\": %u,\n  \"policies\": %u,\n",
            rec->jobs, rec->ranks, r->n_cities, r->n_policies);
    /* the cities "select" or run --city kept: the scenario's SHA-256 alone
     * does not say which ran */
    fputs("  \"selection\": ", f);
    if (sc->selection[0] == '\0') {
        fputs("null,\n", f);
    } else {
        fputs("{\"by\": ", f);
        bf_json_string(f, sc->selection);
        fprintf(f, ", \"cities_listed\": %u, \"cities\": [", sc->n_cities_listed);
        for (uint32_t c = 0; c < sc->n_cities; c++) {
            fputs(c ? ", " : "", f);
            bf_json_string(f, sc->city[c].name);
        }
        fputs("]},\n", f);
    }
    fprintf(f, "  \"sweep_points\": %u,\n", r->n_samples ? 0 : r->n_points - 1);
    if (r->n_samples)
        fprintf(f, "  \"sensitivity_samples\": %u,\n", r->n_samples);
    fprintf(f, "  \"work_items\": %llu,\n  \"events\": %llu,\n",
            (unsigned long long)bf_batch_items(r), (unsigned long long)r->events);
    fprintf(f, "  \"started\": \"%s\",\n  \"finished\": \"%s\",\n", rec->started, rec->finished);
    fprintf(f,
            "  \"seconds\": {\"load\": %.3f, \"simulate\": %.3f, \"aggregate\": %.3f, "
            "\"write\": %.3f, \"plot\": %.3f},\n",
            rec->seconds_load, rec->seconds_simulate, rec->seconds_aggregate, rec->seconds_write,
            rec->seconds_plot);
    /* the warm-up against what MSER-5 finds on the cities' total working
     * capital under the baseline; each city's own figure is in cities.csv */
    fprintf(f, "  \"warmup\": {\"days\": %u, \"method\": \"MSER-5\", \"found_days\": ",
            sc->warmup_days);
    if (r->warmup_checked)
        fprintf(f, "%zu, \"shorter_than_found\": %s, \"at_limit\": %s},\n", r->warmup.truncate,
                r->warmup.truncate > sc->warmup_days ? "true" : "false",
                r->warmup.at_limit ? "true" : "false");
    else
        fputs("null, \"shorter_than_found\": false, \"at_limit\": false},\n", f);
    fputs("  \"calendar_years\": ", f);
    bf_json_string(f, sc->calendar_years);
    fputs(",\n  \"calendar_projected_years\": ", f);
    bf_json_string(f, sc->calendar_projected_years);
    fputs(",\n  \"plots\": ", f);
    bf_json_string(f, rec->plots ? rec->plots : "");
    fputs(",\n  \"files\": [", f);
    write_file_names(f, r);
    fputs("],\n  \"file_sha256\": {", f);
    write_file_hashes(f, r, rec);
    fputs("},\n  \"warnings\": [", f);
    for (unsigned i = 0; i < rec->n_warnings; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        bf_json_string(f, rec->warnings[i]);
    }
    fputs(rec->n_warnings ? "\n  ]\n}\n" : "]\n}\n", f);
    return done(f);
}

/* ---- files ---- */

void bf_output_folder_name(const char *name, char *out, size_t size)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && k + 1 < size; p++) {
        unsigned char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c >= 0x80 || (c == '.' && k > 0);
        out[k++] = ok ? (char)c : '_';
    }
    out[k] = '\0';
    if (k == 0 && size > 1) {
        out[0] = '_';
        out[1] = '\0';
    }
}

typedef int writer_fn(FILE *f, const struct bf_results *r);

struct file_spec {
    const char *name;
    writer_fn *write;
    int sweeps_only; /* 1: only with sweeps; 2: only with a sensitivity design */
};

static const struct file_spec specs[] = {
    {"summary.csv", bf_write_summary_csv, 0},
    {"delta.csv", bf_write_delta_csv, 0},
    {"replications.csv", bf_write_replications_csv, 0},
    {"daily_cash.csv", bf_write_daily_cash_csv, 0},
    {"daily_wc.csv", bf_write_daily_wc_csv, 0},
    {"daily_delta.csv", bf_write_daily_delta_csv, 0},
    {"breakdown.csv", bf_write_breakdown_csv, 0},
    {"distributions.csv", bf_write_distributions_csv, 0},
    {"timeline.csv", bf_write_timeline_csv, 0},
    {"flows.csv", bf_write_flows_csv, 0},
    {"cities.csv", bf_write_cities_csv, 0},
    {"totals.csv", bf_write_totals_csv, 0},
    {"ranking.csv", bf_write_ranking_csv, 0},
    {"summary.json", bf_write_summary_json, 0},
    {"sweep.csv", bf_write_sweep_csv, 1},
    {"sweep_totals.csv", bf_write_sweep_totals_csv, 1},
    {"sensitivity.csv", bf_write_sensitivity_csv, 2},
    {"uncertainty.csv", bf_write_uncertainty_csv, 2},
};
#define N_SPECS (sizeof specs / sizeof specs[0])

/* Whether r makes the file of spec i. */
static bool wanted(size_t i, const struct bf_results *r)
{
    switch (specs[i].sweeps_only) {
    case 1:
        return r->n_points > 1 && r->n_samples == 0;
    case 2:
        return r->n_samples > 0;
    default:
        return true;
    }
}

/* The files bf_output_write makes for r, as a JSON list (run.json). */
static void write_file_names(FILE *f, const struct bf_results *r)
{
    bool first = true;
    for (size_t i = 0; i < N_SPECS; i++)
        if (wanted(i, r)) {
            fprintf(f, "%s\"%s\"", first ? "" : ", ", specs[i].name);
            first = false;
        }
}

/* Their SHA-256 as found on disk before run.json (rec->sha256, in the
 * order of specs; empty where unknown), as JSON members. */
static void write_file_hashes(FILE *f, const struct bf_results *r, const struct bf_run_record *rec)
{
    bool first = true;
    for (size_t i = 0; i < N_SPECS && i < BF_OUTPUT_MAX_FILES; i++)
        if (wanted(i, r) && rec->sha256[i][0]) {
            fprintf(f, "%s\n    \"%s\": \"%s\"", first ? "" : ",", specs[i].name, rec->sha256[i]);
            first = false;
        }
    if (!first)
        fputs("\n  ", f);
}

/* The names of the files bf_output_write makes for r: names[i] for i <
 * the count returned (at most BF_OUTPUT_MAX_FILES). */
size_t bf_output_files(const struct bf_results *r, const char **names)
{
    size_t n = 0;
    for (size_t i = 0; i < N_SPECS && n < BF_OUTPUT_MAX_FILES; i++)
        if (wanted(i, r))
            names[n++] = specs[i].name;
    return n;
}

bool bf_output_is_result(const char *name)
{
    if (strcmp(name, "run.json") == 0)
        return true;
    for (size_t i = 0; i < N_SPECS; i++)
        if (strcmp(name, specs[i].name) == 0)
            return true;
    return false;
}

_Static_assert(sizeof specs / sizeof specs[0] <= BF_OUTPUT_MAX_FILES,
               "raise BF_OUTPUT_MAX_FILES (the run record's hash table)");

/*
 * Copies the CSV text in[0..n) to f with a first column `scenario` (the
 * scenario's name in every record), so that the CSVs of several runs stack
 * by concatenation. Records are found as RFC 4180 has them: a line break
 * outside quotes ends one. Done over the text the writers produce, rather
 * than in each of them, so that no writer can forget the column.
 */
static int put_scenario_column(FILE *f, const char *in, size_t n, const char *name)
{
    bool quoted = false, start = true;
    for (size_t i = 0; i < n; i++) {
        if (start) {
            if (i == 0)
                fputs("scenario", f); /* the header */
            else
                bf_csv_field(f, name);
            fputc(',', f);
            start = false;
        }
        if (in[i] == '"')
            quoted = !quoted;
        if (fputc(in[i], f) == EOF)
            return BF_EIO;
        if (in[i] == '\n' && !quoted)
            start = true;
    }
    return ferror(f) ? BF_EIO : 0;
}

/* w(f, r) with the scenario column (put_scenario_column). */
static int write_csv(FILE *f, writer_fn *w, const struct bf_results *r)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    if (mem == NULL)
        return BF_ENOMEM;
    int rc = w(mem, r);
    if (fclose(mem) != 0 && rc == 0)
        rc = BF_ENOMEM;
    if (rc == 0)
        rc = put_scenario_column(f, buf, n, r->sc->name);
    free(buf); /* open_memstream's buffer comes from malloc */
    return rc;
}

/* Writes one file to a new temporary file in folder (fs.h: never through a
 * link planted there); its path goes to tmp_out for the caller to rename. */
static int write_one(const char *folder, const char *name, writer_fn *w, const struct bf_results *r,
                     const struct bf_run_record *rec, bool bom, struct bf_diag *diag, char *tmp_out,
                     size_t tmp_size, FILE **f_out)
{
    int rc;
    FILE *f = bf_temp_create(folder, name, tmp_out, tmp_size, &rc, diag);
    if (f == NULL)
        return rc;
    /* a CSV starts with a byte-order mark when asked (bf_output_options) */
    size_t n = strlen(name);
    if (bom && n > 4 && strcmp(name + n - 4, ".csv") == 0 && fputs("\xef\xbb\xbf", f) == EOF)
        rc = BF_EIO;
    bool csv = n > 4 && strcmp(name + n - 4, ".csv") == 0;
    if (rc == 0)
        rc = rec ? bf_write_run_json(f, r, rec) : csv ? write_csv(f, w, r) : w(f, r);
    if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f)))
        rc = BF_EIO;
    if (rc != 0) {
        fclose(f);
        remove(tmp_out);
        char fin[BF_PATH_MAX];
        if (bf_path_join(fin, sizeof fin, folder, name, NULL) == 0)
            bf_diag_set(diag, "could not write '%s' (disk full?)", fin);
        return rc;
    }
    *f_out = f;
    return 0;
}

int bf_output_write(const struct bf_results *r, const char *folder,
                    const struct bf_output_options *opt, const atomic_int *interrupt,
                    struct bf_diag *diag)
{
    const bool bom = opt != NULL && opt->csv_bom;
    char path[BF_PATH_MAX];
    int rc = bf_dir_check(folder, diag);
    if (rc != 0)
        return rc;
    /* every name must fit before anything is written: a path cut short
     * would give two files one name */
    for (size_t i = 0; i < N_SPECS; i++) {
        char tmp_name[300];
        snprintf(tmp_name, sizeof tmp_name, ".%s.XXXXXX", specs[i].name);
        if ((rc = bf_path_join(path, sizeof path, folder, tmp_name, diag)) != 0)
            return rc;
    }
    if ((rc = bf_path_join(path, sizeof path, folder, "run.json", diag)) != 0)
        return rc;
    if (remove(path) != 0 && errno != ENOENT) {
        bf_diag_set(diag, "cannot remove the old '%s': %s", path, strerror(errno));
        return BF_EIO;
    }
    /* a stale sweep or sensitivity table would look like this run's */
    for (size_t i = 0; i < N_SPECS; i++)
        if (!wanted(i, r) && bf_path_join(path, sizeof path, folder, specs[i].name, NULL) == 0)
            remove(path);
    char tmps[N_SPECS][BF_PATH_MAX];
    FILE *files[N_SPECS];
    const char *names[N_SPECS];
    size_t n_tmp = 0;
    for (size_t i = 0; i < N_SPECS && rc == 0; i++) {
        if (!wanted(i, r))
            continue;
        rc = write_one(folder, specs[i].name, specs[i].write, r, NULL, bom, diag, tmps[n_tmp],
                       sizeof tmps[0], &files[n_tmp]);
        if (rc == 0)
            names[n_tmp++] = specs[i].name;
    }
    if (rc == 0 && interrupt != NULL && *interrupt)
        rc = BF_EINTR;
    /* every file is complete: rename them into place */
    for (size_t i = 0; i < n_tmp; i++) {
        if (rc != 0) {
            fclose(files[i]);
            remove(tmps[i]);
            continue;
        }
        rc = bf_temp_commit(files[i], tmps[i], folder, names[i], 1, diag);
    }
    return rc;
}

int bf_output_write_record(const struct bf_results *r, const char *folder,
                           const struct bf_run_record *rec, struct bf_diag *diag)
{
    /* the hashes of the files as they are now, for --resume */
    struct bf_run_record with = *rec;
    for (size_t i = 0; i < N_SPECS && i < BF_OUTPUT_MAX_FILES; i++) {
        char path[BF_PATH_MAX];
        with.sha256[i][0] = '\0';
        if (!wanted(i, r) || bf_path_join(path, sizeof path, folder, specs[i].name, diag) != 0)
            continue;
        int rc = bf_sha256_file(path, with.sha256[i], diag);
        if (rc != 0)
            return rc; /* a file of the numbers is gone: the folder is not complete */
    }
    char tmp[BF_PATH_MAX];
    FILE *f = NULL;
    int rc = write_one(folder, "run.json", NULL, r, &with, false, diag, tmp, sizeof tmp, &f);
    if (rc != 0)
        return rc;
    return bf_temp_commit(f, tmp, folder, "run.json", 1, diag);
}
