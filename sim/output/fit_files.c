/*
 * fit_files.c - the files of `borderflow fit` (output.h): the table of the
 * fitted families, the best spec alone, and everything as JSON.
 *
 * The same rules as the results of a run: fixed C-locale number formats
 * (%.10g, "NA" or null where there is no number), text from the input (the
 * file's and the column's names) quoted as CSV or escaped as JSON, each
 * file written under a temporary name and renamed once every one of them
 * is complete.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_statistics_double.h>

#include "borderflow/fs.h"
#include "borderflow/output.h"
#include "borderflow/params.h"

/* ---- numbers ---- */

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.10g", v);
    else if (isinf(v))
        fputs(v > 0 ? ",inf" : ",-inf", f);
    else
        fputs(",NA", f);
}

/* JSON has no infinity: an infinite A^2 (a value the fit gives probability
 * 0) is null like a missing one, and "ad_a2_infinite" says which. */
static void json_num(FILE *f, const char *key, double v)
{
    if (isfinite(v))
        fprintf(f, ", \"%s\": %.10g", key, v);
    else
        fprintf(f, ", \"%s\": null", key);
}

/* ---- the parameters of a fit ---- */

/* Names and values of a fit's parameters as the table shows them: the
 * canonical ones of dist.h (mu and sigma for the lognormal), not the
 * spec's (median and p90), which the spec column holds. */
static unsigned fit_params(const struct bf_fit_result *r, const char *name[2], double value[2])
{
    const double *p = r->d.p;
    switch (r->kind) {
    case BF_DIST_EXPONENTIAL:
        name[0] = "mean";
        value[0] = p[0];
        return 1;
    case BF_DIST_LOGNORMAL:
        name[0] = "mu";
        name[1] = "sigma";
        break;
    case BF_DIST_GAMMA:
    case BF_DIST_WEIBULL:
        name[0] = "shape";
        name[1] = "scale";
        break;
    default:
        name[0] = "n_values";
        value[0] = r->d.n;
        return 1;
    }
    value[0] = p[0];
    value[1] = p[1];
    return 2;
}

static bool ranked(const struct bf_fit_result *r)
{
    return r->fitted && r->kind != BF_DIST_EMPIRICAL;
}

/* ---- where a spec goes ---- */

size_t bf_fit_targets(const char *unit, char (*out)[64], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < bf_param_table_n; i++) {
        const struct bf_param_info *pi = &bf_param_table[i];
        if (pi->type == BF_PT_DIST && strcmp(pi->unit, unit) == 0 && n < max)
            snprintf(out[n++], 64, "%s", pi->path);
    }
    const struct {
        const char *prefix;
        const struct bf_param_info *t;
        size_t n;
    } groups[] = {
        {"lanes.<lane>.", bf_lane_table, bf_lane_table_n},
        {"channels.<code>.", bf_channel_table, bf_channel_table_n},
        {"categories.<category>.", bf_category_table, bf_category_table_n},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (size_t i = 0; i < groups[g].n; i++) {
            const struct bf_param_info *pi = &groups[g].t[i];
            if (pi->type == BF_PT_DIST && strcmp(pi->unit, unit) == 0 && n < max)
                snprintf(out[n++], 64, "%s%s", groups[g].prefix, pi->path);
        }
    return n;
}

/* ---- the files ---- */

static int done(FILE *f)
{
    return ferror(f) ? BF_EIO : 0;
}

int bf_write_fit_csv(FILE *f, const struct bf_fit_report *rep)
{
    const struct bf_fit_table *t = rep->table;
    fputs("rank,family,fitted,acceptable,best,param1,value1,param2,value2,loglik,aic,delta_aic,"
          "bic,ks_d,ks_p,ad_a2,unit,spec,note\n",
          f);
    /* the table is ordered by AIC: the first row has the lowest */
    const double aic0 = ranked(&t->r[0]) ? t->r[0].aic : (double)NAN;
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++) {
        const struct bf_fit_result *r = &t->r[i];
        if (ranked(r))
            fprintf(f, "%u", i + 1);
        else
            fputs("NA", f);
        fprintf(f, ",%s,%d,%d,%d", bf_dist_kind_name(r->kind), r->fitted, r->acceptable,
                i == t->best);
        const char *name[2] = {"NA", "NA"};
        double value[2] = {(double)NAN, (double)NAN};
        fit_params(r, name, value);
        for (int k = 0; k < 2; k++) {
            fprintf(f, ",%s", name[k]);
            csv_num(f, r->fitted ? value[k] : (double)NAN);
        }
        csv_num(f, r->loglik);
        csv_num(f, r->aic);
        csv_num(f, ranked(r) ? r->aic - aic0 : (double)NAN);
        csv_num(f, r->bic);
        csv_num(f, r->ks_d);
        csv_num(f, r->ks_p);
        csv_num(f, r->ad_a2);
        fprintf(f, ",%s,", rep->unit);
        bf_csv_field(f, r->fitted ? r->spec : "");
        fputc(',', f);
        bf_csv_field(f, r->why);
        fputc('\n', f);
    }
    return done(f);
}

int bf_write_fit_best(FILE *f, const struct bf_fit_report *rep)
{
    fprintf(f, "%s\n", rep->table->r[rep->table->best].spec);
    return done(f);
}

int bf_write_fit_json(FILE *f, const struct bf_fit_report *rep)
{
    const struct bf_fit_data *s = rep->data;
    const struct bf_fit_table *t = rep->table;
    const struct bf_fit_result *b = &t->r[t->best];
    fputs("{\n  \"program\": ", f);
    bf_json_string(f, rep->program);
    fputs(",\n  \"source\": ", f);
    bf_json_string(f, rep->source);
    fputs(",\n  \"column\": ", f);
    bf_json_string(f, rep->column);
    fprintf(f, ",\n  \"unit\": \"%s\",\n", rep->unit);
    fprintf(f, "  \"n\": %zu,\n  \"zeros\": %zu,\n  \"distinct\": %zu,\n  \"blank_lines\": %zu,\n",
            s->n, s->n_zero, s->n_distinct, s->n_blank);
    fprintf(f,
            "  \"min\": %.10g,\n  \"median\": %.10g,\n  \"mean\": %.10g,\n  \"sd\": %.10g,\n"
            "  \"max\": %.10g,\n",
            s->x[0], gsl_stats_median_from_sorted_data(s->x, 1, s->n), s->mean,
            gsl_stats_sd_m(s->x, 1, s->n, s->mean), s->x[s->n - 1]);
    fprintf(f, "  \"best\": \"%s\",\n  \"best_because\": \"%s\",\n  \"spec\": %s,\n",
            bf_dist_kind_name(b->kind),
            b->kind == BF_DIST_EMPIRICAL ? "no family fits acceptably"
                                         : "the lowest AIC of the families that fit acceptably",
            b->spec);
    char targets[64][64];
    const size_t nt = bf_fit_targets(rep->unit, targets, 64);
    fputs("  \"parameters\": [", f);
    for (size_t i = 0; i < nt; i++)
        fprintf(f, "%s\"%s\"", i ? ", " : "", targets[i]);
    fputs("],\n  \"families\": [\n", f);
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++) {
        const struct bf_fit_result *r = &t->r[i];
        fprintf(f, "    {\"family\": \"%s\", \"fitted\": %s", bf_dist_kind_name(r->kind),
                r->fitted ? "true" : "false");
        if (r->fitted) {
            if (ranked(r))
                fprintf(f, ", \"rank\": %u", i + 1);
            fprintf(f, ", \"acceptable\": %s, \"best\": %s, \"spec\": %s",
                    r->acceptable ? "true" : "false", i == t->best ? "true" : "false", r->spec);
            const char *name[2];
            double value[2];
            const unsigned np = fit_params(r, name, value);
            fputs(", \"parameters\": {", f);
            for (unsigned k = 0; k < np; k++)
                fprintf(f, "%s\"%s\": %.10g", k ? ", " : "", name[k], value[k]);
            fputc('}', f);
            json_num(f, "loglik", r->loglik);
            json_num(f, "aic", r->aic);
            json_num(f, "bic", r->bic);
            json_num(f, "ks_d", r->ks_d);
            json_num(f, "ks_p", r->ks_p);
            json_num(f, "ad_a2", r->ad_a2);
            if (isinf(r->ad_a2))
                fputs(", \"ad_a2_infinite\": true", f);
        } else {
            fputs(", \"note\": ", f);
            bf_json_string(f, r->why);
        }
        fprintf(f, "}%s\n", i + 1 < BF_FIT_FAMILIES ? "," : "");
    }
    fputs("  ]\n}\n", f);
    return done(f);
}

typedef int fit_writer_fn(FILE *f, const struct bf_fit_report *rep);

/* fit.json last: once it is there, the folder is complete. */
static const struct {
    const char *name;
    fit_writer_fn *write;
} fit_files[] = {
    {"fit.csv", bf_write_fit_csv},
    {"best.json", bf_write_fit_best},
    {"fit.json", bf_write_fit_json},
};
#define N_FIT_FILES (sizeof fit_files / sizeof fit_files[0])

int bf_output_write_fit(const struct bf_fit_report *rep, const char *folder, struct bf_diag *diag)
{
    char tmp[N_FIT_FILES][BF_PATH_MAX], fin[BF_PATH_MAX];
    int rc = bf_dir_check(folder, diag);
    for (size_t i = 0; i < N_FIT_FILES && rc == 0; i++)
        rc = bf_path_join(fin, sizeof fin, folder, fit_files[i].name, diag);
    if (rc == 0)
        rc = bf_path_join(fin, sizeof fin, folder, fit_files[N_FIT_FILES - 1].name, diag);
    if (rc != 0)
        return rc;
    /* no fit.json of an earlier fit may look like this one's until all is
     * written */
    if (remove(fin) != 0 && errno != ENOENT) {
        bf_diag_set(diag, "cannot remove the old '%s': %s", fin, strerror(errno));
        return BF_EIO;
    }
    /* each file to a fresh temporary file (fs.h: never through a link),
     * renamed into place once all are complete, fit.json last */
    FILE *files[N_FIT_FILES];
    size_t written = 0;
    for (; written < N_FIT_FILES && rc == 0; written++) {
        FILE *f =
            bf_temp_create(folder, fit_files[written].name, tmp[written], sizeof tmp[0], &rc, diag);
        if (f == NULL)
            break;
        rc = fit_files[written].write(f, rep);
        if (rc == 0 && (fflush(f) != 0 || ferror(f)))
            rc = BF_EIO;
        files[written] = f;
        if (rc != 0) {
            char name[BF_PATH_MAX];
            if (bf_path_join(name, sizeof name, folder, fit_files[written].name, NULL) == 0)
                bf_diag_set(diag, "could not write '%s' (disk full?)", name);
            written++;
            break;
        }
    }
    for (size_t i = 0; i < written; i++) {
        if (rc != 0) {
            fclose(files[i]);
            remove(tmp[i]);
            continue;
        }
        rc = bf_temp_commit(files[i], tmp[i], folder, fit_files[i].name, 1, diag);
        if (rc != 0)
            for (size_t k = i + 1; k < written; k++) {
                fclose(files[k]);
                remove(tmp[k]);
            }
        if (rc != 0)
            break;
    }
    return rc;
}
