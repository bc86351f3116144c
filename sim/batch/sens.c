/*
 * sens.c - global sensitivity of a run (docs/uncertainty.md): the points of
 * the design, and the indices and uncertainty of the metrics over them.
 *
 * Every sample of the design is a point of the batch like a sweep value:
 * its work items run the same replications with the same random streams
 * (common random numbers: a replication's streams depend on the seed, the
 * city and the replication, never on the point), so that the differences
 * between samples are the parameters' and not the noise's. The estimators
 * are sensitivity.h's; here the metrics are gathered per sample -- each
 * city's paired change and the study's total, means over the replications
 * -- and handed to them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "borderflow/alloc.h"
#include "borderflow/sensitivity.h"

#include "internal.h"

static const char *const metric_names[] = {
#define XX(name, d, t) #name,
    BF_SENS_METRIC_MAP(XX)
#undef XX
};
static const int metric_delta[] = {
#define XX(name, d, t) d,
    BF_SENS_METRIC_MAP(XX)
#undef XX
};
static const int metric_total[] = {
#define XX(name, d, t) t,
    BF_SENS_METRIC_MAP(XX)
#undef XX
};

const char *bf_sens_metric_name(int m)
{
    return m >= 0 && m < BF_SM_COUNT ? metric_names[m] : "?";
}

const char *bf_sens_index_name(int i)
{
    static const char *const names[] = {"mu_star", "mu", "sigma", "first_order", "total_order"};
    return i >= 0 && i < 5 ? names[i] : "?";
}

/* The design of sc->sens (both kinds share the fini by the method). */
struct design {
    enum bf_sens_method method;
    struct bf_morris_design morris;
    struct bf_sobol_design sobol;
    size_t n_points;
    const double *x;
};

static int design_init(const struct bf_sensitivity *se, struct design *d, struct bf_diag *diag)
{
    memset(d, 0, sizeof *d);
    d->method = se->method;
    int rc;
    if (se->method == BF_SENS_MORRIS) {
        rc = bf_morris_design_init(&d->morris, se->n_params, se->trajectories, se->levels, se->seed,
                                   diag);
        d->n_points = d->morris.n_points;
        d->x = d->morris.x;
    } else {
        rc = bf_sobol_design_init(&d->sobol, se->n_params, se->samples, diag);
        d->n_points = d->sobol.n_points;
        d->x = d->sobol.x;
    }
    return rc;
}

static void design_fini(struct design *d)
{
    if (d->method == BF_SENS_MORRIS)
        bf_morris_design_fini(&d->morris);
    else if (d->method == BF_SENS_SOBOL)
        bf_sobol_design_fini(&d->sobol);
    memset(d, 0, sizeof *d);
}

int bf__batch_points(const struct bf_scenario *sc, bool variations, struct bf_point **points,
                     uint32_t *n_points, double **x, uint32_t *n_samples, struct bf_diag *diag)
{
    *points = NULL;
    *x = NULL;
    *n_samples = 0;
    uint32_t n = 1;
    struct design d;
    memset(&d, 0, sizeof d);
    const bool sens = variations && sc->sens.method != BF_SENS_NONE;
    if (sens) {
        int rc = design_init(&sc->sens, &d, diag);
        if (rc != 0)
            return rc;
        n += (uint32_t)d.n_points;
    } else if (variations) {
        for (uint32_t s = 0; s < sc->n_sweeps; s++)
            n += sc->sweep[s].n_values;
    }
    struct bf_point *pt = bf__calloc(n, sizeof *pt);
    double *xs = sens ? bf__malloc(d.n_points * sc->sens.n_params * sizeof *xs) : NULL;
    if (pt == NULL || (sens && xs == NULL)) {
        bf__free(pt);
        bf__free(xs);
        design_fini(&d);
        return BF_ENOMEM;
    }
    pt[0].sweep = -1;
    uint32_t k = 1;
    if (sens) {
        memcpy(xs, d.x, d.n_points * sc->sens.n_params * sizeof *xs);
        for (uint32_t j = 0; j < d.n_points; j++)
            pt[k++] = (struct bf_point){.sweep = BF_POINT_SAMPLE, .value = j};
        *n_samples = (uint32_t)d.n_points;
    } else if (variations) {
        for (uint32_t s = 0; s < sc->n_sweeps; s++)
            for (uint32_t v = 0; v < sc->sweep[s].n_values; v++)
                pt[k++] = (struct bf_point){.sweep = (int)s, .value = v};
    }
    design_fini(&d);
    *points = pt;
    *n_points = n;
    *x = xs;
    return 0;
}

/* y[j * BF_SM_COUNT + m]: metric m at sample j, for city c (or the study
 * when c < 0); se[j * BF_SM_COUNT + m] the standard error of that mean. */
static void gather(const struct bf_results *r, int c, double *y, double *se)
{
    for (uint32_t j = 0; j < r->n_samples; j++)
        for (int m = 0; m < BF_SM_COUNT; m++) {
            const struct bf_paired *p =
                c < 0 ? &bf_results_total(r, j + 1, metric_total[m])->change
                      : bf_results_delta(r, j + 1, (uint32_t)c, metric_delta[m]);
            y[(size_t)j * BF_SM_COUNT + (size_t)m] = p->mean_diff;
            se[(size_t)j * BF_SM_COUNT + (size_t)m] =
                p->n >= 2 ? p->sd_diff / sqrt((double)p->n) : (double)NAN;
        }
}

/* Distribution of metric m over the samples (uncertainty.csv). */
static void uncertainty(const struct bf_results *r, int c, int m, const double *y, const double *se,
                        double *tmp, struct bf_uncert_row *out)
{
    size_t n = 0;
    double noise = 0;
    size_t nn = 0;
    for (uint32_t j = 0; j < r->n_samples; j++) {
        double v = y[(size_t)j * BF_SM_COUNT + (size_t)m];
        double s = se[(size_t)j * BF_SM_COUNT + (size_t)m];
        if (isfinite(v))
            tmp[n++] = v;
        if (isfinite(s)) {
            noise += s;
            nn++;
        }
    }
    *out = (struct bf_uncert_row){.city = c,
                                  .metric = (uint8_t)m,
                                  .n = (uint32_t)n,
                                  .mean = (double)NAN,
                                  .sd = (double)NAN,
                                  .p05 = (double)NAN,
                                  .p50 = (double)NAN,
                                  .p95 = (double)NAN,
                                  .noise_se = nn ? noise / (double)nn : (double)NAN};
    if (n == 0)
        return;
    gsl_sort(tmp, 1, n);
    out->mean = gsl_stats_mean(tmp, 1, n);
    out->sd = n >= 2 ? gsl_stats_sd(tmp, 1, n) : (double)NAN;
    out->p05 = gsl_stats_quantile_from_sorted_data(tmp, 1, n, 0.05);
    out->p50 = gsl_stats_quantile_from_sorted_data(tmp, 1, n, 0.50);
    out->p95 = gsl_stats_quantile_from_sorted_data(tmp, 1, n, 0.95);
}

static struct bf_sens_row row(int c, int m, size_t i, int index, const struct bf_sens_estimate *e)
{
    return (struct bf_sens_row){.city = c,
                                .metric = (uint8_t)m,
                                .param = (uint8_t)i,
                                .index = (uint8_t)index,
                                .value = e->value,
                                .lo = e->lo,
                                .hi = e->hi};
}

int bf__analyze_sensitivity(struct bf_results *r, struct bf_diag *diag)
{
    const struct bf_scenario *sc = r->sc;
    if (r->n_samples == 0 || r->n_policies < 2)
        return 0;
    const size_t k = sc->sens.n_params, ns = r->n_samples;
    const size_t n_units = (size_t)r->n_cities + 1; /* the cities, then the study */
    const size_t per_unit = (size_t)BF_SM_COUNT * k * (sc->sens.method == BF_SENS_MORRIS ? 3 : 2);
    r->sens = bf__calloc(n_units * per_unit + 1, sizeof *r->sens);
    r->uncert = bf__calloc(n_units * BF_SM_COUNT + 1, sizeof *r->uncert);
    double *y = bf__malloc(ns * BF_SM_COUNT * sizeof *y);
    double *se = bf__malloc(ns * BF_SM_COUNT * sizeof *se);
    double *tmp = bf__malloc((ns + 1) * sizeof *tmp);
    struct bf_morris_index *mi = bf__malloc(BF_SM_COUNT * k * sizeof *mi);
    struct bf_sobol_index *si = bf__malloc(BF_SM_COUNT * k * sizeof *si);
    struct design d;
    int rc = BF_ENOMEM;
    if (r->sens == NULL || r->uncert == NULL || y == NULL || se == NULL || tmp == NULL ||
        mi == NULL || si == NULL)
        goto out;
    if ((rc = design_init(&sc->sens, &d, diag)) != 0)
        goto out;
    const struct bf_sens_bootstrap boot = {
        .resamples = sc->sens.bootstrap, .level = 0.95, .seed = sc->sens.seed};
    /* the study first, then the cities in order */
    for (size_t u = 0; rc == 0 && u < n_units; u++) {
        const int c = u == 0 ? -1 : (int)(u - 1);
        gather(r, c, y, se);
        for (int m = 0; m < BF_SM_COUNT; m++)
            uncertainty(r, c, m, y, se, tmp, &r->uncert[r->n_uncert++]);
        /* a metric with no value at some sample (no rebate in a city, say)
         * has no indices (the estimators refuse non-finite outputs): it is
         * analysed as zeros and its rows written as NaN (`none` below) */
        for (int m = 0; m < BF_SM_COUNT; m++) {
            bool ok = true;
            for (size_t j = 0; j < ns; j++)
                ok = ok && isfinite(y[j * BF_SM_COUNT + (size_t)m]);
            for (size_t j = 0; !ok && j < ns; j++)
                y[j * BF_SM_COUNT + (size_t)m] = 0.0;
        }
        if (sc->sens.method == BF_SENS_MORRIS)
            rc = bf_morris_analyze(&d.morris, y, BF_SM_COUNT, &boot, mi, diag);
        else
            rc = bf_sobol_analyze(&d.sobol, y, BF_SM_COUNT, &boot, si, NULL, diag);
        for (int m = 0; rc == 0 && m < BF_SM_COUNT; m++) {
            const bool none = r->uncert[r->n_uncert - BF_SM_COUNT + (size_t)m].n < ns;
            for (size_t i = 0; i < k; i++) {
                const struct bf_sens_estimate nan = {(double)NAN, (double)NAN, (double)NAN};
                if (sc->sens.method == BF_SENS_MORRIS) {
                    const struct bf_morris_index *x = &mi[(size_t)m * k + i];
                    r->sens[r->n_sens++] = row(c, m, i, BF_SI_MU_STAR, none ? &nan : &x->mu_star);
                    r->sens[r->n_sens++] = row(c, m, i, BF_SI_MU, none ? &nan : &x->mu);
                    r->sens[r->n_sens++] = row(c, m, i, BF_SI_SIGMA, none ? &nan : &x->sigma);
                } else {
                    const struct bf_sobol_index *x = &si[(size_t)m * k + i];
                    r->sens[r->n_sens++] = row(c, m, i, BF_SI_FIRST, none ? &nan : &x->first);
                    r->sens[r->n_sens++] = row(c, m, i, BF_SI_TOTAL, none ? &nan : &x->total);
                }
            }
        }
    }
    design_fini(&d);
out:
    bf__free(y);
    bf__free(se);
    bf__free(tmp);
    bf__free(mi);
    bf__free(si);
    return rc;
}
