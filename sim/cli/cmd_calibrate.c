/*
 * cmd_calibrate.c - borderflow calibrate: parameters of a scenario fitted
 * to observed targets (issue 16, docs/uncertainty.md "Calibration").
 *
 * Each target is a model metric under one policy, averaged over the cities
 * (or those of one class, or one city). Each fitted parameter is a path
 * "sensitivity" accepts, over a range: a number set to a value or a
 * distribution scaled by a factor, the same in every city and policy. The
 * objective, the sum over targets of ((achieved - target) / tolerance)^2, is
 * minimised by GSL's Nelder-Mead simplex (nmsimplex2) on unconstrained
 * coordinates z, x = LOW + (HIGH - LOW) / (1 + e^-z), so no evaluation
 * leaves the range. Every evaluation runs the same seed and replications:
 * common random numbers, so two evaluations differ only by their
 * parameters. When every target is met, the fitted values are written as a
 * scenario fragment that extends the scenario; that fragment is loaded and
 * run once more, and only when it meets every target too are the files
 * written (atomically). Otherwise nothing is written.
 */
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#include "borderflow/borderflow.h"

#include "cli.h"

#define CAL_MAX_TARGETS 16
#define CAL_MAX_FITS    8
/* the objective where there is none: finite, as nmsimplex2 requires */
#define CAL_HUGE 1e30

static void calibrate_usage(FILE *f)
{
    fputs("usage: borderflow calibrate SCENARIO --target TARGET ... --fit PARAM=LOW..HIGH ...\n"
          "                            [-r N] [-j N] [--seed N] [--max-evals N] [-o FOLDER]\n"
          "\n"
          "Fits parameters of a scenario to observed figures with GSL's Nelder-Mead\n"
          "simplex, every evaluation on the same seed and replications (common random\n"
          "numbers), and writes the fitted values as a scenario that \"extends\" it.\n"
          "\n"
          "  -t, --target METRIC[@DIM=VALUE...]=VALUE[+-TOL]\n"
          "                     a model metric (borderflow params lists them; e.g.\n"
          "                     export_clearance_h) and its observed value; DIM is\n"
          "                     city=NAME, class=NAME (the unweighted mean of the\n"
          "                     cities of that class) or policy=NAME (default: the\n"
          "                     baseline); without city or class, the unweighted mean of\n"
          "                     every city; lane=NAME or channel=CODE (9610, 9710, 9810,\n"
          "                     0110) for a metric of breakdown.csv. TOL (also written\n"
          "                     with the sign \xc2\xb1) defaults to 1% of the value.\n"
          "                     Repeatable (16).\n"
          "  -f, --fit PARAM=LOW..HIGH\n"
          "                     a parameter path as \"sensitivity\" takes it: a number or\n"
          "                     a share set to a value in [LOW, HIGH], or a distribution\n"
          "                     scaled by a factor in [LOW, HIGH]; the same in every city\n"
          "                     and policy. Repeatable (8).\n"
          "  -r, --replications N  replications of every evaluation (default 4)\n"
          "  -j, --jobs N       threads (default: every core)\n"
          "      --seed N       the seed of every evaluation (default the scenario's)\n"
          "      --max-evals N  evaluations at most (default 200)\n"
          "  -o, --output FOLDER  the folder written (default out/calibrate/NAME)\n"
          "  -h, --help         this help\n"
          "\n"
          "The folder: fragment.json (a scenario extending SCENARIO with the fitted\n"
          "values in \"defaults\"), calibration.csv (each target against what the\n"
          "fragment achieves, with a 95% interval over the replications) and\n"
          "calibration.json (evaluations, objective, fitted values). The search stops\n"
          "when every target is within its tolerance, when the simplex has shrunk, or\n"
          "after --max-evals evaluations.\n"
          "\n"
          "Exit status: 0 every target met (files written), 1 not met within the range\n"
          "or the evaluations (the best values found and the targets missed are\n"
          "printed; nothing is written) or a run failed, 2 bad input or usage (nothing\n"
          "written).\n",
          f);
}

struct target {
    char text[256]; /* as given */
    char dim[160];  /* "all cities", "class=A", "city=Hefei", with "policy=..." */
    int metric;
    int policy;
    bool *in;  /* [n_cities] */
    int bk;    /* a breakdown (by lane or channel): its index, or -1 */
    int *slot; /* [n_cities]: the breakdown's slot in each city (with bk) */
    double value, tol;
    double achieved, lo, hi; /* of the last evaluation looked at */
};

struct fit {
    char text[256];
    struct bf_sens_param sp;
};

struct cal {
    const struct bf_scenario *sc; /* as loaded */
    struct bf_scenario work;      /* the copy evaluations change */
    struct target t[CAL_MAX_TARGETS];
    unsigned nt;
    struct fit f[CAL_MAX_FITS];
    unsigned nf;
    uint32_t replications;
    int64_t seed;
    unsigned jobs;
    unsigned max_evals;
    unsigned evals;
    int error;        /* a run that failed */
    unsigned missing; /* 1 + a target with no value, or 0 */
    double *x;        /* [replications] scratch */
    struct bf_diag diag;
    /* the best evaluation: all targets within first, then the lowest objective */
    double best_obj;
    bool best_within;
    double best_u[CAL_MAX_FITS];
    double best_ach[CAL_MAX_TARGETS];
};

static double logistic(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/* ---- targets ---- */

static int find_city(const struct bf_scenario *sc, const char *name)
{
    for (uint32_t i = 0; i < sc->n_cities; i++)
        if (strcmp(sc->city[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno != 0 || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* A target by lane or channel: the breakdown of its metric, and its slot
 * in every city (cities without the lane drop out). */
static int resolve_breakdown(const struct bf_scenario *sc, const char *arg, const char *by,
                             const char *v, struct target *t)
{
    for (int k = 0; k < BF_BK_COUNT; k++)
        if ((int)bf_breakdown_metric((enum bf_breakdown)k) == t->metric)
            t->bk = k;
    if (t->bk < 0) {
        char list[256];
        size_t n = 0;
        list[0] = '\0';
        for (int k = 0; k < BF_BK_COUNT && n < sizeof list; k++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", k ? ", " : "",
                                  bf_metric_name(bf_breakdown_metric((enum bf_breakdown)k)));
        fprintf(stderr,
                "borderflow calibrate: --target '%s': %s is not broken down by %s; these are: "
                "%s\n",
                arg, bf_metric_name(t->metric), by, list);
        return EXIT_BAD_INPUT;
    }
    t->slot = bf__calloc(sc->n_cities, sizeof *t->slot);
    if (t->slot == NULL) {
        fputs("borderflow calibrate: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    bool any = false;
    for (uint32_t i = 0; i < sc->n_cities; i++) {
        const struct bf_params *p = &sc->city[i].params[t->policy];
        int s = -1;
        if (by[0] == 'c') {
            for (int c = 0; c < BF_CH_COUNT; c++)
                if (strcmp(bf_channel_code((enum bf_channel)c), v) == 0)
                    s = c;
        } else {
            const int l = bf_params_lane(p, v);
            if (l >= 0)
                s = BF_CH_COUNT + l;
        }
        t->slot[i] = s;
        if (s < 0)
            t->in[i] = false;
        any = any || t->in[i];
    }
    if (!any) {
        const struct bf_params *p = &sc->city[0].params[t->policy];
        const char *names[BF_MAX_LANES > BF_CH_COUNT ? BF_MAX_LANES : BF_CH_COUNT];
        size_t n = 0;
        if (by[0] == 'c')
            for (int c = 0; c < BF_CH_COUNT; c++)
                names[n++] = bf_channel_code((enum bf_channel)c);
        else
            for (unsigned l = 0; l < p->n_lanes && l < BF_MAX_LANES; l++)
                names[n++] = p->lane[l].name;
        const char *sg = bf_scenario_suggest(v, names, n);
        fprintf(stderr,
                "borderflow calibrate: --target '%s': no %s '%s' in the cities measured%s%s%s\n",
                arg, by, v, sg ? "; did you mean '" : "", sg ? sg : "", sg ? "'?" : "");
        return EXIT_BAD_INPUT;
    }
    return 0;
}

/* METRIC[@KEY=VAL]...=VALUE[±TOL]; 0 or EXIT_BAD_INPUT after printing why. */
static int parse_target(const struct bf_scenario *sc, const char *arg, struct target *t)
{
    snprintf(t->text, sizeof t->text, "%s", arg);
    char buf[256];
    if (strlen(arg) >= sizeof buf) {
        fprintf(stderr, "borderflow calibrate: --target '%.40s...': too long\n", arg);
        return EXIT_BAD_INPUT;
    }
    snprintf(buf, sizeof buf, "%s", arg);
    char *eq = strrchr(buf, '=');
    if (eq == NULL || eq == buf) {
        fprintf(stderr,
                "borderflow calibrate: --target '%s': write METRIC[@DIM=VALUE]=VALUE[+-TOL], "
                "e.g. export_clearance_h@class=A=1.03+-0.02\n",
                arg);
        return EXIT_BAD_INPUT;
    }
    *eq = '\0';
    char *val = eq + 1;
    char *pm = strstr(val, "\xc2\xb1");
    size_t pml = 2;
    if (pm == NULL) {
        pm = strstr(val, "+-");
        pml = 2;
    }
    t->tol = NAN;
    if (pm != NULL) {
        *pm = '\0';
        if (!parse_number(pm + pml, &t->tol) || !(t->tol > 0)) {
            fprintf(stderr,
                    "borderflow calibrate: --target '%s': the tolerance '%s' must be a number "
                    "above 0\n",
                    arg, pm + pml);
            return EXIT_BAD_INPUT;
        }
    }
    if (!parse_number(val, &t->value)) {
        fprintf(stderr, "borderflow calibrate: --target '%s': the value '%s' is not a number\n",
                arg, val);
        return EXIT_BAD_INPUT;
    }
    if (isnan(t->tol)) {
        t->tol = 0.01 * fabs(t->value);
        if (!(t->tol > 0)) {
            fprintf(stderr,
                    "borderflow calibrate: --target '%s': a value of 0 needs a tolerance "
                    "(=0+-TOL)\n",
                    arg);
            return EXIT_BAD_INPUT;
        }
    }
    char *at = strchr(buf, '@');
    if (at != NULL)
        *at++ = '\0';
    t->metric = bf_metric_find(buf);
    if (t->metric < 0) {
        const char *names[BF_METRIC_COUNT];
        for (int m = 0; m < BF_METRIC_COUNT; m++)
            names[m] = bf_metric_name((enum bf_metric)m);
        const char *sg = bf_scenario_suggest(buf, names, BF_METRIC_COUNT);
        fprintf(stderr,
                "borderflow calibrate: --target '%s': no metric '%s'%s%s%s (the metrics of "
                "summary.csv: borderflow params lists them)\n",
                arg, buf, sg ? "; did you mean '" : "", sg ? sg : "", sg ? "'?" : "");
        return EXIT_BAD_INPUT;
    }
    t->policy = (int)sc->baseline;
    int city = -1;
    const char *cls = NULL, *by = NULL, *by_value = NULL;
    char dims[160] = "";
    while (at != NULL) {
        char *next = strchr(at, '@');
        if (next != NULL)
            *next++ = '\0';
        char *e = strchr(at, '=');
        if (e == NULL) {
            fprintf(stderr,
                    "borderflow calibrate: --target '%s': '%s' is not DIMENSION=VALUE "
                    "(city=NAME, class=NAME, lane=NAME, channel=CODE, policy=NAME)\n",
                    arg, at);
            return EXIT_BAD_INPUT;
        }
        *e = '\0';
        const char *v = e + 1;
        if (strcmp(at, "policy") == 0) {
            t->policy = bf_scenario_policy(sc, v);
            if (t->policy < 0) {
                fprintf(stderr, "borderflow calibrate: --target '%s': no policy '%s' in %s\n", arg,
                        v, sc->file);
                return EXIT_BAD_INPUT;
            }
        } else if (strcmp(at, "city") == 0 && city < 0 && cls == NULL) {
            city = find_city(sc, v);
            if (city < 0) {
                const char *names[BF_MAX_CITIES];
                for (uint32_t i = 0; i < sc->n_cities; i++)
                    names[i] = sc->city[i].name;
                const char *sg = bf_scenario_suggest(v, names, sc->n_cities);
                fprintf(stderr, "borderflow calibrate: --target '%s': no city '%s' in %s%s%s%s\n",
                        arg, v, sc->file, sg ? "; did you mean '" : "", sg ? sg : "",
                        sg ? "'?" : "");
                return EXIT_BAD_INPUT;
            }
        } else if (strcmp(at, "class") == 0 && city < 0 && cls == NULL) {
            cls = v;
            bool any = false;
            for (uint32_t i = 0; i < sc->n_cities; i++)
                any = any || strcmp(sc->city[i].cls, cls) == 0;
            if (!any) {
                fprintf(stderr,
                        "borderflow calibrate: --target '%s': no city of class '%s' in %s\n", arg,
                        cls, sc->file);
                return EXIT_BAD_INPUT;
            }
        } else if ((strcmp(at, "lane") == 0 || strcmp(at, "channel") == 0) && by == NULL) {
            by = at;
            by_value = v;
        } else {
            fprintf(stderr,
                    "borderflow calibrate: --target '%s': '%s' is not a dimension, or is given "
                    "twice; city=NAME or class=NAME (one of them), lane=NAME or channel=CODE "
                    "(one of them), policy=NAME\n",
                    arg, at);
            return EXIT_BAD_INPUT;
        }
        at = next;
    }
    t->in = bf__calloc(sc->n_cities, sizeof *t->in);
    if (t->in == NULL) {
        fputs("borderflow calibrate: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    for (uint32_t i = 0; i < sc->n_cities; i++)
        t->in[i] = city >= 0 ? (int)i == city : cls ? strcmp(sc->city[i].cls, cls) == 0 : true;
    t->bk = -1;
    if (by != NULL) {
        int rc = resolve_breakdown(sc, arg, by, by_value, t);
        if (rc != 0)
            return rc;
    }
    if (city >= 0)
        snprintf(dims, sizeof dims, "city=%s", sc->city[city].name);
    else if (cls != NULL)
        snprintf(dims, sizeof dims, "class=%s", cls);
    else
        snprintf(dims, sizeof dims, "all cities");
    if (by != NULL) {
        const size_t k = strlen(dims);
        snprintf(dims + k, sizeof dims - k, "; %s=%s", by, by_value);
    }
    snprintf(t->dim, sizeof t->dim, "%s; policy=%s", dims, sc->policy[t->policy].name);
    return 0;
}

/* PARAM=LOW..HIGH */
static int parse_fit(const struct bf_scenario *sc, const char *arg, struct fit *f)
{
    snprintf(f->text, sizeof f->text, "%s", arg);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    char *eq = strchr(buf, '=');
    char *dots = eq ? strstr(eq + 1, "..") : NULL;
    double lo, hi;
    if (eq == NULL || dots == NULL) {
        fprintf(stderr,
                "borderflow calibrate: --fit '%s': write PARAM=LOW..HIGH, e.g. "
                "clearance.screening_h=0.5..2\n",
                arg);
        return EXIT_BAD_INPUT;
    }
    *eq = '\0';
    *dots = '\0';
    if (!parse_number(eq + 1, &lo) || !parse_number(dots + 2, &hi)) {
        fprintf(stderr, "borderflow calibrate: --fit '%s': LOW and HIGH must be numbers\n", arg);
        return EXIT_BAD_INPUT;
    }
    char why[2 * BF_TEXT_MAX];
    int rc = bf_sens_param_resolve(sc, buf, lo, hi, &f->sp, why, sizeof why);
    if (rc == BF_ENOMEM) {
        fputs("borderflow calibrate: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    if (rc != 0) {
        fprintf(stderr, "borderflow calibrate: --fit '%s': %s\n", arg, why);
        return EXIT_BAD_INPUT;
    }
    /* one value, written in "defaults", reaches every city only when they
     * all have the same one now */
    size_t size = f->sp.kind == BF_SK_FACTOR           ? sizeof(struct bf_dist)
                  : f->sp.proto.pi->type == BF_PT_UINT ? sizeof(uint32_t)
                                                       : sizeof(double);
    const void *first = bf_sens_param_field(&f->sp, &sc->city[0].params[0]);
    for (uint32_t i = 0; i < sc->n_cities; i++)
        for (uint32_t k = 0; k < sc->n_policies; k++)
            if (memcmp(first, bf_sens_param_field(&f->sp, &sc->city[i].params[k]), size) != 0) {
                fprintf(stderr,
                        "borderflow calibrate: --fit '%s': %s differs between cities or "
                        "policies (city '%s', policy '%s'); calibrate fits one value for all, "
                        "written in \"defaults\"\n",
                        arg, buf, sc->city[i].name, sc->policy[k].name);
                return EXIT_BAD_INPUT;
            }
    return 0;
}

/* ---- evaluations ---- */

/* The achieved mean of each target, with its 95% interval, from results. */
static int measure(struct cal *c, const struct bf_results *r)
{
    const struct bf_scenario *sc = c->sc;
    double *x = c->x;
    for (unsigned j = 0; j < c->nt; j++) {
        struct target *t = &c->t[j];
        size_t n = 0;
        for (uint32_t rep = 0; rep < r->replications; rep++) {
            double sum = 0;
            unsigned k = 0;
            for (uint32_t i = 0; i < sc->n_cities; i++) {
                if (!t->in[i])
                    continue;
                const struct bf_group *g = bf_results_group(r, 0, i, (uint32_t)t->policy);
                const double v =
                    t->bk < 0 ? g->metric[(size_t)rep * BF_METRIC_COUNT + (size_t)t->metric]
                              : g->breakdown[((size_t)rep * BF_BK_SLOTS + (size_t)t->slot[i]) *
                                                 BF_BK_COUNT +
                                             (size_t)t->bk];
                if (isfinite(v)) {
                    sum += v;
                    k++;
                }
            }
            if (k > 0)
                x[n++] = sum / k;
        }
        t->achieved = t->lo = t->hi = NAN;
        if (n == 0)
            continue;
        struct bf_summary s;
        if (bf_stats_summary(x, n, 0.95, &s) != 0)
            return BF_ENOMEM;
        t->achieved = s.mean;
        t->lo = n >= 2 ? s.ci_low : s.mean;
        t->hi = n >= 2 ? s.ci_high : s.mean;
    }
    return 0;
}

static bool within(const struct target *t)
{
    return isfinite(t->achieved) && fabs(t->achieved - t->value) <= t->tol;
}

/* Runs sc (its point 0, no sweeps) and measures the targets. */
static int run_and_measure(struct cal *c, const struct bf_scenario *sc)
{
    struct bf_batch_options o = {.jobs = c->jobs,
                                 .replications = c->replications,
                                 .seed = c->seed,
                                 .sweeps = false,
                                 .interrupt = &bf_cli_signal};
    struct bf_results r;
    bf_diag_clear(&c->diag);
    int rc = bf_batch_run(sc, &o, &r, &c->diag);
    if (rc != 0)
        return rc;
    rc = measure(c, &r);
    bf_results_fini(&r);
    return rc;
}

/* Sets the fitted parameters at coordinates u in the working copy. */
static void apply(struct cal *c, const double *u)
{
    for (uint32_t i = 0; i < c->sc->n_cities; i++)
        for (uint32_t k = 0; k < c->sc->n_policies; k++) {
            struct bf_params *p = &c->work.city[i].params[k];
            *p = c->sc->city[i].params[k];
            for (unsigned j = 0; j < c->nf; j++)
                bf_sens_apply(&c->f[j].sp, u[j], p);
        }
}

static double objective(const gsl_vector *z, void *ctx)
{
    struct cal *c = ctx;
    if (c->error != 0)
        return CAL_HUGE;
    double u[CAL_MAX_FITS];
    for (unsigned j = 0; j < c->nf; j++)
        u[j] = logistic(gsl_vector_get(z, j));
    apply(c, u);
    c->evals++;
    int rc = run_and_measure(c, &c->work);
    if (rc != 0) {
        c->error = rc;
        return CAL_HUGE;
    }
    double obj = 0;
    bool all = true;
    for (unsigned j = 0; j < c->nt; j++) {
        const struct target *t = &c->t[j];
        if (!isfinite(t->achieved)) {
            if (c->missing == 0)
                c->missing = j + 1;
            obj = CAL_HUGE;
            all = false;
            break;
        }
        const double e = (t->achieved - t->value) / t->tol;
        obj += e * e;
        all = all && within(t);
    }
    if ((all && !c->best_within) || (all == c->best_within && obj < c->best_obj)) {
        c->best_obj = obj;
        c->best_within = all;
        memcpy(c->best_u, u, sizeof u);
        for (unsigned j = 0; j < c->nt; j++)
            c->best_ach[j] = c->t[j].achieved;
    }
    return obj;
}

/* ---- outputs ---- */

static void print_value(FILE *f, const struct fit *fi, double u)
{
    const double v = bf_sens_value(&fi->sp, u);
    if (fi->sp.kind == BF_SK_FACTOR)
        fprintf(f, "%s x %.6g (a factor in %g..%g)", fi->sp.path, v, fi->sp.lo, fi->sp.hi);
    else
        fprintf(f, "%s = %.6g (in %g..%g)", fi->sp.path, v, fi->sp.lo, fi->sp.hi);
}

static void print_table(FILE *f, const struct cal *c)
{
    fprintf(f, "%-24s %-44s %12s %10s %12s %25s %s\n", "target", "dimension", "value", "tol",
            "achieved", "95% interval", "within");
    for (unsigned j = 0; j < c->nt; j++) {
        const struct target *t = &c->t[j];
        char iv[64];
        snprintf(iv, sizeof iv, "[%.6g, %.6g]", t->lo, t->hi);
        fprintf(f, "%-24s %-44s %12.6g %10.4g %12.6g %25s %s\n", bf_metric_name(t->metric), t->dim,
                t->value, t->tol, t->achieved, iv, within(t) ? "yes" : "no");
    }
}

/* A distribution in scenario syntax. */
static void write_dist(FILE *f, const struct bf_dist *d)
{
    switch (d->kind) {
    case BF_DIST_FIXED:
        fprintf(f, "{\"dist\": \"fixed\", \"value\": %.17g}", d->p[0]);
        break;
    case BF_DIST_UNIFORM:
        fprintf(f, "{\"dist\": \"uniform\", \"min\": %.17g, \"max\": %.17g}", d->p[0], d->p[1]);
        break;
    case BF_DIST_TRIANGULAR:
        fprintf(f, "{\"dist\": \"triangular\", \"min\": %.17g, \"mode\": %.17g, \"max\": %.17g}",
                d->p[0], d->p[1], d->p[2]);
        break;
    case BF_DIST_EXPONENTIAL:
        fprintf(f, "{\"dist\": \"exponential\", \"mean\": %.17g}", d->p[0]);
        break;
    case BF_DIST_LOGNORMAL:
        fprintf(f, "{\"dist\": \"lognormal\", \"mu\": %.17g, \"sigma\": %.17g}", d->p[0], d->p[1]);
        break;
    case BF_DIST_GAMMA:
    case BF_DIST_WEIBULL:
        fprintf(f, "{\"dist\": \"%s\", \"shape\": %.17g, \"scale\": %.17g}",
                bf_dist_kind_name(d->kind), d->p[0], d->p[1]);
        break;
    default: /* empirical; bernoulli is refused by bf_sens_param_resolve */
        fputs("{\"dist\": \"empirical\", \"values\": [", f);
        for (unsigned i = 0; i < d->n; i++)
            fprintf(f, "%s%.17g", i ? ", " : "", d->v[i]);
        fputs("], \"weights\": [", f);
        for (unsigned i = 0; i < d->n; i++)
            fprintf(f, "%s%.17g", i ? ", " : "", d->w[i]);
        fputs("]}", f);
        break;
    }
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* The fitted value of fit j in scenario syntax, nested by its path. */
static void write_fragment(FILE *f, struct cal *c, const char *extends, const double *u)
{
    fputs("{\n  \"extends\": ", f);
    json_string(f, extends);
    char name[64];
    snprintf(name, sizeof name, "%.50s_calibrated", c->sc->name);
    fputs(",\n  \"name\": ", f);
    json_string(f, name);
    fputs(",\n  \"description\": \"Written by borderflow calibrate: the fitted values of ", f);
    for (unsigned j = 0; j < c->nf; j++)
        fprintf(f, "%s%s", j ? ", " : "", c->f[j].sp.path);
    fputs(" in defaults.\",\n  \"defaults\": {", f);
    /* each path as nested objects; paths are at most three parts deep */
    for (unsigned j = 0; j < c->nf; j++) {
        const struct bf_sens_param *sp = &c->f[j].sp;
        char parts[4][128];
        unsigned np = 0;
        const char *s = sp->path;
        while (np < 4) {
            const char *d = strchr(s, '.');
            size_t n = d ? (size_t)(d - s) : strlen(s);
            snprintf(parts[np++], sizeof parts[0], "%.*s", (int)n, s);
            if (d == NULL)
                break;
            s = d + 1;
        }
        fprintf(f, "%s\n    ", j ? "," : "");
        for (unsigned k = 0; k < np; k++) {
            json_string(f, parts[k]);
            fputs(k + 1 < np ? ": {" : ": ", f);
        }
        struct bf_params *p = &c->work.city[0].params[0];
        *p = c->sc->city[0].params[0];
        bf_sens_apply(sp, u[j], p);
        const void *b = bf_sens_param_field(sp, p);
        if (sp->kind == BF_SK_FACTOR) {
            struct bf_dist d;
            memcpy(&d, b, sizeof d);
            write_dist(f, &d);
        } else if (sp->proto.pi->type == BF_PT_UINT) {
            uint32_t x;
            memcpy(&x, b, sizeof x);
            fprintf(f, "%u", (unsigned)x);
        } else {
            double x;
            memcpy(&x, b, sizeof x);
            fprintf(f, "%.17g", x);
        }
        for (unsigned k = 1; k < np; k++)
            fputc('}', f);
    }
    fputs("\n  }\n}\n", f);
}

static void write_csv(FILE *f, const struct cal *c)
{
    fputs("target,dimension,value,tolerance,achieved_mean,ci95_low,ci95_high,within\n", f);
    for (unsigned j = 0; j < c->nt; j++) {
        const struct target *t = &c->t[j];
        fprintf(f, "%s,\"%s\",%.10g,%.10g,%.10g,%.10g,%.10g,%s\n", bf_metric_name(t->metric),
                t->dim, t->value, t->tol, t->achieved, t->lo, t->hi, within(t) ? "yes" : "no");
    }
}

static void write_json(FILE *f, const struct cal *c, const double *u)
{
    fputs("{\n  \"program\": ", f);
    char program[64];
    snprintf(program, sizeof program, "borderflow %s", bf_version());
    json_string(f, program);
    fputs(",\n  \"scenario\": ", f);
    json_string(f, c->sc->file);
    fprintf(f,
            ",\n  \"seed\": %lld,\n  \"replications\": %u,\n  \"evaluations\": %u,\n"
            "  \"objective\": %.10g,\n  \"converged\": true,\n  \"parameters\": [",
            (long long)c->seed, (unsigned)c->replications, c->evals, c->best_obj);
    for (unsigned j = 0; j < c->nf; j++) {
        const struct bf_sens_param *sp = &c->f[j].sp;
        fprintf(f, "%s\n    {\"path\": ", j ? "," : "");
        json_string(f, sp->path);
        fprintf(f, ", \"kind\": \"%s\", \"low\": %.17g, \"high\": %.17g, \"value\": %.17g}",
                sp->kind == BF_SK_FACTOR ? "factor" : "value", sp->lo, sp->hi,
                bf_sens_value(sp, u[j]));
    }
    fputs("\n  ],\n  \"targets\": [", f);
    for (unsigned j = 0; j < c->nt; j++) {
        const struct target *t = &c->t[j];
        fprintf(f, "%s\n    {\"metric\": \"%s\", \"dimension\": ", j ? "," : "",
                bf_metric_name(t->metric));
        json_string(f, t->dim);
        fprintf(f,
                ", \"value\": %.10g, \"tolerance\": %.10g, \"achieved_mean\": %.10g, "
                "\"ci95_low\": %.10g, \"ci95_high\": %.10g, \"within\": true}",
                t->value, t->tol, t->achieved, t->lo, t->hi);
    }
    fputs("\n  ]\n}\n", f);
}

/* to, relative to the folder dir (both exist). */
static int relative_path(const char *dir, const char *to, char *out, size_t size)
{
    char a[PATH_MAX], b[PATH_MAX];
    if (realpath(dir, a) == NULL || realpath(to, b) == NULL)
        return BF_EIO;
    /* the longest common folder: a[0..common) == b[0..common), b[common] == '/' */
    size_t common = 0;
    for (size_t i = 0; a[i] != '\0' && a[i] == b[i]; i++)
        if (a[i + 1] == '/' || a[i + 1] == '\0')
            if (b[i + 1] == '/')
                common = i + 1;
    if (strcmp(a, "/") == 0)
        common = 0;
    size_t k = 0;
    out[0] = '\0';
    for (const char *s = a + common; *s; s++)
        if (*s == '/' && k + 4 < size) {
            memcpy(out + k, "../", 4);
            k += 3;
        }
    int n = snprintf(out + k, size - k, "%s", b + common + 1);
    return n >= 0 && (size_t)n < size - k ? 0 : BF_EINVAL;
}

/* Writes the three files (the fragment checked first). An exit status. */
static int write_outputs(struct cal *c, const char *folder, bool created)
{
    struct bf_diag d;
    bf_diag_clear(&d);
    char rel[PATH_MAX], tmp[BF_PATH_MAX];
    int rc;
    if (relative_path(folder, c->sc->file, rel, sizeof rel) != 0) {
        fprintf(stderr, "borderflow calibrate: cannot find the way from %s to %s\n", folder,
                c->sc->file);
        return EXIT_RUN_FAILED;
    }
    FILE *f = bf_temp_create(folder, "fragment.json", tmp, sizeof tmp, &rc, &d);
    if (f == NULL) {
        fprintf(stderr, "borderflow calibrate: %s\n", d.msg);
        return EXIT_RUN_FAILED;
    }
    write_fragment(f, c, rel, c->best_u);
    int status = 0;
    if (fflush(f) != 0) {
        fprintf(stderr, "borderflow calibrate: %s: %s\n", tmp, strerror(errno));
        status = EXIT_RUN_FAILED;
    }
    /* the fragment, loaded and run: what it achieves is what is reported */
    struct bf_scenario frag;
    struct bf_problems pb;
    bf_problems_init(&pb);
    if (status == 0 && bf_scenario_load(tmp, &frag, &pb) != 0) {
        bf_cli_print_problems(&pb);
        fputs("borderflow calibrate: the fragment written does not load (a bug)\n", stderr);
        status = EXIT_RUN_FAILED;
    } else if (status == 0) {
        rc = run_and_measure(c, &frag);
        bf_scenario_fini(&frag);
        if (rc != 0) {
            fprintf(stderr, "borderflow calibrate: the fragment's run failed: %s\n",
                    c->diag.msg[0] ? c->diag.msg : bf_strerror(rc));
            status = EXIT_RUN_FAILED;
        }
        for (unsigned j = 0; status == 0 && j < c->nt; j++)
            if (!within(&c->t[j])) {
                fprintf(stderr,
                        "borderflow calibrate: the fragment's run misses %s (%s): %.6g, not "
                        "%.6g +- %.4g; a city, class or policy of the scenario may set a fitted "
                        "parameter itself, over \"defaults\"\n",
                        bf_metric_name(c->t[j].metric), c->t[j].dim, c->t[j].achieved,
                        c->t[j].value, c->t[j].tol);
                status = EXIT_RUN_FAILED;
            }
    }
    bf_problems_fini(&pb);
    if (status != 0) {
        bf_temp_commit(f, tmp, folder, "fragment.json", 0, &d);
        if (created)
            rmdir(folder);
        return status;
    }
    char tmp2[BF_PATH_MAX], tmp3[BF_PATH_MAX];
    FILE *g = bf_temp_create(folder, "calibration.csv", tmp2, sizeof tmp2, &rc, &d);
    FILE *h = g ? bf_temp_create(folder, "calibration.json", tmp3, sizeof tmp3, &rc, &d) : NULL;
    if (h == NULL) {
        fprintf(stderr, "borderflow calibrate: %s\n", d.msg);
        if (g)
            bf_temp_commit(g, tmp2, folder, "calibration.csv", 0, &d);
        bf_temp_commit(f, tmp, folder, "fragment.json", 0, &d);
        if (created)
            rmdir(folder);
        return EXIT_RUN_FAILED;
    }
    write_csv(g, c);
    write_json(h, c, c->best_u);
    if (bf_temp_commit(g, tmp2, folder, "calibration.csv", 1, &d) != 0 ||
        bf_temp_commit(f, tmp, folder, "fragment.json", 1, &d) != 0 ||
        bf_temp_commit(h, tmp3, folder, "calibration.json", 1, &d) != 0) {
        fprintf(stderr, "borderflow calibrate: %s\n", d.msg);
        return EXIT_RUN_FAILED;
    }
    return 0;
}

/* ---- the command ---- */

struct cal_opts {
    const char *scenario;
    const char *target[CAL_MAX_TARGETS];
    unsigned nt;
    const char *fit[CAL_MAX_FITS];
    unsigned nf;
    uint32_t replications;
    unsigned jobs;
    int64_t seed;
    unsigned max_evals;
    const char *folder;
};

static bool parse_uint(const char *s, unsigned long long lo, unsigned long long hi,
                       unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static int parse_args(int argc, char **argv, struct cal_opts *o, bool *help)
{
    enum { OPT_SEED = 256, OPT_MAX_EVALS };
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'},
        {"fit", required_argument, NULL, 'f'},
        {"replications", required_argument, NULL, 'r'},
        {"jobs", required_argument, NULL, 'j'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"max-evals", required_argument, NULL, OPT_MAX_EVALS},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->replications = 4;
    o->seed = -1;
    o->max_evals = 200;
    *help = false;
    optind = 1;
    opterr = 0;
    int ch;
    unsigned long long u;
    while ((ch = getopt_long(argc, argv, ":t:f:r:j:o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 't':
            if (o->nt == CAL_MAX_TARGETS) {
                fprintf(stderr, "borderflow calibrate: at most %d targets\n", CAL_MAX_TARGETS);
                return EXIT_BAD_INPUT;
            }
            o->target[o->nt++] = optarg;
            break;
        case 'f':
            if (o->nf == CAL_MAX_FITS) {
                fprintf(stderr, "borderflow calibrate: at most %d fitted parameters\n",
                        CAL_MAX_FITS);
                return EXIT_BAD_INPUT;
            }
            o->fit[o->nf++] = optarg;
            break;
        case 'r':
            if (!parse_uint(optarg, 2, BF_MAX_REPLICATIONS, &u)) {
                fprintf(stderr,
                        "borderflow calibrate: -r takes 2 to %d replications (an interval needs "
                        "two), not '%s'\n",
                        BF_MAX_REPLICATIONS, optarg);
                return EXIT_BAD_INPUT;
            }
            o->replications = (uint32_t)u;
            break;
        case 'j':
            if (!parse_uint(optarg, 1, 1024, &u)) {
                fprintf(stderr, "borderflow calibrate: -j takes 1 to 1024 threads, not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            o->jobs = (unsigned)u;
            break;
        case OPT_SEED:
            if (!parse_uint(optarg, 0, 9007199254740992ULL, &u)) {
                fprintf(stderr,
                        "borderflow calibrate: --seed takes a whole number >= 0, not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            o->seed = (int64_t)u;
            break;
        case OPT_MAX_EVALS:
            if (!parse_uint(optarg, 1, 100000, &u)) {
                fprintf(stderr, "borderflow calibrate: --max-evals takes 1 to 100000, not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            o->max_evals = (unsigned)u;
            break;
        case 'o':
            if (optarg[0] == '\0' || strlen(optarg) >= 900) {
                fputs("borderflow calibrate: -o takes a folder name of 1 to 899 bytes\n", stderr);
                return EXIT_BAD_INPUT;
            }
            o->folder = optarg;
            break;
        case 'h':
            *help = true;
            return 0;
        case ':':
            fprintf(stderr, "borderflow calibrate: option '%s' needs a value\n", argv[optind - 1]);
            return EXIT_BAD_INPUT;
        default:
            fprintf(stderr,
                    "borderflow calibrate: unknown option '%s'; see 'borderflow calibrate "
                    "--help'\n",
                    argv[optind - 1]);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind + 1 != argc) {
        fputs("borderflow calibrate: give one scenario file; see 'borderflow calibrate --help'\n",
              stderr);
        return EXIT_BAD_INPUT;
    }
    o->scenario = argv[optind];
    if (o->nt == 0 || o->nf == 0) {
        fprintf(stderr,
                "borderflow calibrate: give at least one %s; see 'borderflow calibrate "
                "--help'\n",
                o->nt == 0 ? "--target METRIC=VALUE" : "--fit PARAM=LOW..HIGH");
        return EXIT_BAD_INPUT;
    }
    return 0;
}

static void cal_fini(struct cal *c)
{
    for (unsigned j = 0; j < CAL_MAX_TARGETS; j++) {
        bf__free(c->t[j].in);
        bf__free(c->t[j].slot);
    }
    bf__free(c->x);
    if (c->work.city != NULL) {
        for (uint32_t i = 0; i < c->sc->n_cities; i++)
            bf__free(c->work.city[i].params);
        bf__free(c->work.city);
    }
}

static int calibrate(struct cal *c, const struct cal_opts *o)
{
    const struct bf_scenario *sc = c->sc;
    for (unsigned j = 0; j < o->nt; j++) {
        int rc = parse_target(sc, o->target[j], &c->t[c->nt]);
        if (rc != 0)
            return rc;
        c->nt++;
    }
    for (unsigned j = 0; j < o->nf; j++) {
        int rc = parse_fit(sc, o->fit[j], &c->f[c->nf]);
        if (rc != 0)
            return rc;
        for (unsigned k = 0; k < c->nf; k++)
            if (strcmp(c->f[k].sp.path, c->f[c->nf].sp.path) == 0) {
                fprintf(stderr, "borderflow calibrate: --fit %s is given twice\n", c->f[k].sp.path);
                return EXIT_BAD_INPUT;
            }
        c->nf++;
    }
    char folder[1024];
    if (o->folder)
        snprintf(folder, sizeof folder, "%s", o->folder);
    else {
        char safe[128];
        bf_output_folder_name(sc->name, safe, sizeof safe);
        snprintf(folder, sizeof folder, "out/calibrate/%s", safe);
    }

    /* the working copy: its own cities and rules, no sweeps */
    c->work = *sc;
    c->work.n_sweeps = 0;
    c->work.sens.method = BF_SENS_NONE;
    c->work.sens.n_params = 0;
    c->work.city = bf__calloc(sc->n_cities, sizeof *c->work.city);
    if (c->work.city == NULL) {
        fputs("borderflow calibrate: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    for (uint32_t i = 0; i < sc->n_cities; i++) {
        c->work.city[i] = sc->city[i];
        c->work.city[i].params = bf__malloc(sc->n_policies * sizeof(struct bf_params));
        if (c->work.city[i].params == NULL) {
            for (uint32_t k = i + 1; k < sc->n_cities; k++)
                c->work.city[k].params = NULL;
            fputs("borderflow calibrate: out of memory\n", stderr);
            return EXIT_RUN_FAILED;
        }
    }

    c->best_obj = GSL_POSINF;
    c->x = bf__malloc(c->replications * sizeof *c->x);
    if (c->x == NULL) {
        fputs("borderflow calibrate: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    gsl_vector *z = gsl_vector_calloc(c->nf), *step = gsl_vector_alloc(c->nf);
    gsl_multimin_fminimizer *m =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, c->nf);
    if (z == NULL || step == NULL || m == NULL) {
        gsl_vector_free(z);
        gsl_vector_free(step);
        gsl_multimin_fminimizer_free(m);
        fputs("borderflow calibrate: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    gsl_vector_set_all(step, 1.0);
    gsl_multimin_function fn = {.f = objective, .n = c->nf, .params = c};
    gsl_multimin_fminimizer_set(m, &fn, z, step);
    /* the first evaluations show whether every target has a value at all */
    if (c->error == 0 && c->missing > 0) {
        const struct target *t = &c->t[c->missing - 1];
        fprintf(stderr,
                "borderflow calibrate: --target '%s': %s has no value for %s in any "
                "replication (no shipment it measures)\n",
                t->text, bf_metric_name(t->metric), t->dim);
        gsl_vector_free(z);
        gsl_vector_free(step);
        gsl_multimin_fminimizer_free(m);
        return EXIT_BAD_INPUT;
    }
    while (c->error == 0 && !c->best_within && c->evals < c->max_evals) {
        if (gsl_multimin_fminimizer_iterate(m) != 0)
            break;
        if (gsl_multimin_fminimizer_size(m) < 1e-3)
            break;
    }
    gsl_vector_free(z);
    gsl_vector_free(step);
    gsl_multimin_fminimizer_free(m);
    if (c->error != 0) {
        fprintf(stderr, "borderflow calibrate: %s: a run failed: %s\n", sc->file,
                c->diag.msg[0] ? c->diag.msg : bf_strerror(c->error));
        return bf_cli_signal ? 128 + bf_cli_signal : EXIT_RUN_FAILED;
    }
    for (unsigned j = 0; j < c->nt; j++)
        c->t[j].achieved = c->best_ach[j];
    if (!c->best_within) {
        fprintf(stderr,
                "borderflow calibrate: %s: no fit within the ranges after %u evaluations "
                "(objective %.4g); nothing written. The best values found:\n",
                sc->file, c->evals, c->best_obj);
        for (unsigned j = 0; j < c->nf; j++) {
            fputs("  ", stderr);
            print_value(stderr, &c->f[j], c->best_u[j]);
            fputc('\n', stderr);
        }
        for (unsigned j = 0; j < c->nt; j++)
            if (!within(&c->t[j]))
                fprintf(stderr, "  missed: %s (%s): %.6g, not %.6g +- %.4g\n",
                        bf_metric_name(c->t[j].metric), c->t[j].dim, c->t[j].achieved,
                        c->t[j].value, c->t[j].tol);
        return EXIT_RUN_FAILED;
    }

    struct bf_diag d;
    bf_diag_clear(&d);
    const bool created = bf_dir_check(folder, &d) == BF_ENOENT;
    if (bf_mkdirs(folder, &d) != 0) {
        fprintf(stderr, "borderflow calibrate: %s\n", d.msg);
        return EXIT_RUN_FAILED;
    }
    int status = write_outputs(c, folder, created);
    if (status != 0)
        return status;
    print_table(stdout, c);
    for (unsigned j = 0; j < c->nf; j++) {
        fputs("fitted: ", stdout);
        print_value(stdout, &c->f[j], c->best_u[j]);
        fputc('\n', stdout);
    }
    printf("evaluations: %u (%u replications each, seed %lld), objective %.4g: converged\n",
           c->evals, (unsigned)c->replications, (long long)c->seed, c->best_obj);
    fprintf(stderr,
            "borderflow calibrate: wrote %s/: fragment.json, calibration.csv, "
            "calibration.json\n",
            folder);
    return 0;
}

int bf_cmd_calibrate(int argc, char **argv)
{
    struct cal_opts o;
    bool help;
    int status = parse_args(argc, argv, &o, &help);
    if (help) {
        calibrate_usage(stdout);
        return 0;
    }
    if (status != 0)
        return status;
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load(o.scenario, &sc, &pb);
    if (rc != 0) {
        bf_cli_print_problems(&pb);
        bf_problems_fini(&pb);
        return rc == BF_ENOMEM ? EXIT_RUN_FAILED : EXIT_BAD_INPUT;
    }
    bf_problems_fini(&pb);
    struct cal *c = bf__calloc(1, sizeof *c);
    if (c == NULL) {
        bf_scenario_fini(&sc);
        fputs("borderflow calibrate: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    c->sc = &sc;
    c->replications = o.replications;
    c->seed = o.seed >= 0 ? o.seed : (int64_t)sc.seed;
    c->jobs = o.jobs;
    c->max_evals = o.max_evals;
    status = calibrate(c, &o);
    cal_fini(c);
    bf__free(c);
    bf_scenario_fini(&sc);
    return status;
}
