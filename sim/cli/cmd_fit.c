/*
 * cmd_fit.c - borderflow fit: the distribution families of the engine
 * fitted to a column of observed durations, ranked by AIC, the best one
 * printed as a spec to paste into a scenario, and a folder with the table,
 * the spec and a chart.
 *
 * This file reads the arguments, prints and chooses the exit status; the
 * numbers are fit.h's, the files output.h's (bf_output_write_fit), the
 * chart plot.h's (bf_plot_fit). Nothing is written before the whole column
 * has been read and checked: bad input leaves no folder and no file.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_statistics_double.h>

#include "borderflow/borderflow.h"
#include "borderflow/fit.h"
#include "borderflow/plot.h"

#include "cli.h"

static void fit_usage(FILE *f)
{
    fputs("usage: borderflow fit FILE.csv --column NAME [--unit h|d] [-o FOLDER] [--no-plots]\n"
          "\n"
          "Fits the duration families a scenario can name -- exponential, lognormal,\n"
          "gamma, Weibull -- by maximum likelihood to one column of observed durations\n"
          "(declaration to release hours from your own customs records, say), ranks\n"
          "them by AIC, and prints the best as a distribution spec to paste into a\n"
          "scenario, such as {\"dist\": \"gamma\", \"shape\": 2.78, \"scale\": 32.4}.\n"
          "An empirical table of at most 16 values is always offered too, and is the\n"
          "best when no family fits acceptably.\n"
          "\n"
          "  -c, --column NAME  the header field of the column to fit (required)\n"
          "  -u, --unit h|d     the unit of the durations, hours (default) or days;\n"
          "                     the spec is in that unit: paste it into a parameter\n"
          "                     whose name ends in _h (or _d); the list is printed\n"
          "  -o, --output FOLDER  the folder written (default out/fit/FILE.NAME, the\n"
          "                     file's name without .csv and the column's)\n"
          "      --no-plots     no chart\n"
          "  -h, --help         this help\n"
          "\n"
          "The folder: fit.csv (the table), best.json (the best spec alone), fit.json\n"
          "(everything, written last) and, with gnuplot on PATH, the chart fit.png and\n"
          "fit.svg (histogram with the fitted densities, Q-Q plot of the best fit) with\n"
          "its script fit.gp and data fit.dat.\n"
          "\n"
          "The file: CSV (RFC 4180: commas, quotes around fields that hold commas,\n"
          "quotes or line breaks), a header row naming the columns (a UTF-8 byte order\n"
          "mark is fine), one row per observation; blank lines are skipped. Every value\n"
          "of the column must be a decimal number >= 0 with a point as the decimal\n"
          "separator, and there must be at least 10. Every bad row is reported as\n"
          "FILE:LINE: column 'NAME': what is wrong; what is allowed -- and nothing is\n"
          "written.\n"
          "\n"
          "Printed: one row per family, best first -- its parameters, log-likelihood,\n"
          "AIC, its difference to the lowest, and BIC (lower is better), the\n"
          "Kolmogorov-Smirnov distance D with its approximate p-value (too large, since\n"
          "the parameters come from the same data), Anderson-Darling A^2 (weighs the\n"
          "tails) -- then the best spec. A family fits acceptably when its KS p-value\n"
          "is at least 0.01 or its D is no larger than the empirical table's. Values of\n"
          "0 rule out lognormal, gamma and Weibull. docs/uncertainty.md explains the\n"
          "statistics and how to use the result.\n"
          "\n"
          "Exit status: 0 success (also when gnuplot is missing or fails: the numbers\n"
          "are complete), 1 the files could not be written or memory ran out, 2 bad\n"
          "input or usage.\n",
          f);
}

struct fit_opts {
    const char *file;
    const char *column;
    const char *unit; /* "h" or "d" */
    char folder[1024];
    bool plot;
};

static const char *unit_word(const struct fit_opts *o)
{
    return o->unit[0] == 'h' ? "hours" : "days";
}

/* ---- stdout: the table and the spec ---- */

/* The parameters of a fit as the table shows them. */
static void describe(const struct bf_fit_result *r, const struct bf_fit_data *s, char *out,
                     size_t size)
{
    const double *p = r->d.p;
    switch (r->kind) {
    case BF_DIST_EXPONENTIAL:
        snprintf(out, size, "mean %.6g", p[0]);
        break;
    case BF_DIST_LOGNORMAL:
        snprintf(out, size, "mu %.6g, sigma %.6g", p[0], p[1]);
        break;
    case BF_DIST_GAMMA:
    case BF_DIST_WEIBULL:
        snprintf(out, size, "shape %.6g, scale %.6g", p[0], p[1]);
        break;
    default:
        snprintf(out, size, "%u values%s", r->d.n,
                 s->n_distinct > BF_DIST_EMPIRICAL_MAX ? ", means of equal-count bins"
                                                       : ", the data's own");
        break;
    }
}

/* A table cell: the number with `digits` decimals (fixed) or significant
 * digits, "-" where there is none, "inf". */
static void cell(char *out, size_t size, int digits, bool fixed, double v)
{
    if (isnan(v))
        snprintf(out, size, "-");
    else if (isinf(v))
        snprintf(out, size, "%s", v > 0 ? "inf" : "-inf");
    else if (fixed)
        snprintf(out, size, "%.*f", digits, v);
    else
        snprintf(out, size, "%.*g", digits, v);
}

static void print_table(FILE *f, const struct bf_fit_data *s, const struct bf_fit_table *t,
                        const struct fit_opts *o)
{
    const char *base = strrchr(o->file, '/');
    fprintf(f, "%s, column %s: %zu values in %s\n", base ? base + 1 : o->file, o->column, s->n,
            unit_word(o));
    fprintf(f, "  min %.4g, median %.4g, mean %.4g, sd %.4g, max %.4g; %zu zeros, %zu distinct\n\n",
            s->x[0], gsl_stats_median_from_sorted_data(s->x, 1, s->n), s->mean,
            gsl_stats_sd_m(s->x, 1, s->n, s->mean), s->x[s->n - 1], s->n_zero, s->n_distinct);
    fprintf(f, "%4s  %-12s %-36s %10s %10s %8s %10s %7s %8s %7s\n", "rank", "family", "parameters",
            "log-lik", "AIC", "dAIC", "BIC", "KS D", "KS p", "AD A2");
    const double aic0 =
        t->r[0].fitted && t->r[0].kind != BF_DIST_EMPIRICAL ? t->r[0].aic : (double)NAN;
    bool rejected = false;
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++) {
        const struct bf_fit_result *r = &t->r[i];
        const char *name = bf_dist_kind_name(r->kind);
        const bool ranked = r->fitted && r->kind != BF_DIST_EMPIRICAL;
        char rank[8] = "-";
        if (ranked)
            snprintf(rank, sizeof rank, "%u", i + 1);
        if (!r->fitted) {
            fprintf(f, "%4s  %-12s not fitted: %s\n", rank, name, r->why);
            continue;
        }
        char par[96], ll[24], aic[24], daic[24], bic[24], d[24], p[24], a2[24];
        describe(r, s, par, sizeof par);
        cell(ll, sizeof ll, 2, true, r->loglik);
        cell(aic, sizeof aic, 2, true, r->aic);
        cell(daic, sizeof daic, 2, true, ranked ? r->aic - aic0 : (double)NAN);
        cell(bic, sizeof bic, 2, true, r->bic);
        cell(d, sizeof d, 4, true, r->ks_d);
        cell(p, sizeof p, 3, false, r->ks_p);
        cell(a2, sizeof a2, 3, true, r->ad_a2);
        rejected = rejected || !r->acceptable;
        fprintf(f, "%4s  %-12s %-36s %10s %10s %8s %10s %7s %8s %7s%s\n", rank, name, par, ll, aic,
                daic, bic, d, p, a2, r->acceptable ? "" : "  does not fit");
    }
    if (rejected)
        fprintf(f, "does not fit: KS p < %g and D above the empirical table's\n", BF_FIT_ACCEPT_P);
    const struct bf_fit_result *b = &t->r[t->best];
    fprintf(f, "\nbest: %s (%s)\n%s\n", bf_dist_kind_name(b->kind),
            b->kind == BF_DIST_EMPIRICAL ? "no family fits acceptably"
                                         : "the lowest AIC of the families that fit acceptably",
            b->spec);
    char targets[64][64];
    const size_t nt = bf_fit_targets(o->unit, targets, 64);
    fprintf(f, "paste it where a scenario takes a duration in %s:", unit_word(o));
    for (size_t i = 0, col = 99; i < nt; i++) {
        /* lines of at most about 100 characters */
        const size_t w = strlen(targets[i]) + 2;
        if (col + w > 100) {
            fputs(i ? ",\n   " : "\n   ", f);
            col = 3;
        } else {
            fputc(',', f);
        }
        fprintf(f, " %s", targets[i]);
        col += w;
    }
    fputc('\n', f);
}

/* ---- the command ---- */

/* out/fit/FILE.NAME: the file's name without its folders and .csv, and the
 * column's, each character a folder name cannot hold replaced by '_'. */
static void default_folder(struct fit_opts *o)
{
    const char *base = strrchr(o->file, '/');
    base = base ? base + 1 : o->file;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".csv") == 0)
        n -= 4;
    char name[512], safe[512];
    snprintf(name, sizeof name, "%.*s.%s", (int)(n < 200 ? n : 200), base, o->column);
    bf_output_folder_name(name, safe, sizeof safe);
    snprintf(o->folder, sizeof o->folder, "out/fit/%s", safe);
}

static int parse_args(int argc, char **argv, struct fit_opts *o, bool *help)
{
    enum { OPT_NO_PLOTS = 256 };
    static const struct option longopts[] = {
        {"column", required_argument, NULL, 'c'}, {"unit", required_argument, NULL, 'u'},
        {"output", required_argument, NULL, 'o'}, {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->unit = "h";
    o->plot = true;
    *help = false;
    const char *out = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":c:u:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o->column = optarg;
            break;
        case 'u':
            if (strcmp(optarg, "h") != 0 && strcmp(optarg, "d") != 0) {
                fprintf(stderr, "borderflow fit: --unit takes h (hours) or d (days), not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            o->unit = optarg[0] == 'h' ? "h" : "d";
            break;
        case 'o':
            out = optarg;
            break;
        case OPT_NO_PLOTS:
            o->plot = false;
            break;
        case 'h':
            *help = true;
            return 0;
        case ':':
            fprintf(stderr, "borderflow fit: option '%s' needs a value\n", argv[optind - 1]);
            return EXIT_BAD_INPUT;
        default:
            fprintf(stderr, "borderflow fit: unknown option '%s'; see 'borderflow fit --help'\n",
                    argv[optind - 1]);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind >= argc) {
        fputs("borderflow fit: give one CSV file; see 'borderflow fit --help'\n", stderr);
        return EXIT_BAD_INPUT;
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "borderflow fit: one CSV file at a time, not '%s' and '%s'\n", argv[optind],
                argv[optind + 1]);
        return EXIT_BAD_INPUT;
    }
    o->file = argv[optind];
    if (o->column == NULL || o->column[0] == '\0') {
        fputs("borderflow fit: name the column to fit with --column NAME (a field of the "
              "header row)\n",
              stderr);
        return EXIT_BAD_INPUT;
    }
    if (out != NULL) {
        size_t n = strlen(out);
        if (n == 0 || n >= 900) {
            fputs("borderflow fit: -o takes a folder name of 1 to 899 bytes\n", stderr);
            return EXIT_BAD_INPUT;
        }
        snprintf(o->folder, sizeof o->folder, "%s", out);
    } else {
        default_folder(o);
    }
    return 0;
}

/* Reads the column; an exit status, 0 when s holds the values. */
static int read_input(const struct fit_opts *o, struct bf_fit_data *s)
{
    FILE *f = fopen(o->file, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open the file: %s\n", o->file, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        fprintf(stderr, "%s: is a folder; give a CSV file\n", o->file);
        return EXIT_BAD_INPUT;
    }
    struct bf_fit_problems *pb = bf__malloc(sizeof *pb);
    if (pb == NULL) {
        fclose(f);
        fputs("borderflow fit: out of memory\n", stderr);
        return EXIT_RUN_FAILED;
    }
    bf_fit_problems_init(pb);
    int rc = bf_fit_read_csv(s, f, o->file, o->column, pb);
    fclose(f);
    for (unsigned i = 0; i < pb->n; i++)
        fprintf(stderr, "%s: %s\n", pb->item[i].where, pb->item[i].msg);
    if (pb->dropped)
        fprintf(stderr, "%s: %zu more problems not shown\n", o->file, pb->dropped);
    bf__free(pb);
    if (rc == BF_ENOMEM) {
        fprintf(stderr, "%s: out of memory\n", o->file);
        return EXIT_RUN_FAILED;
    }
    return rc == 0 ? 0 : EXIT_BAD_INPUT;
}

int bf_cmd_fit(int argc, char **argv)
{
    struct fit_opts o;
    bool help;
    int status = parse_args(argc, argv, &o, &help);
    if (help) {
        fit_usage(stdout);
        return 0;
    }
    if (status != 0)
        return status;
    struct bf_fit_data s;
    if ((status = read_input(&o, &s)) != 0)
        return status;
    struct bf_fit_table t;
    struct bf_diag d;
    bf_diag_clear(&d);
    if (bf_fit_run(&s, &t, &d) != 0) {
        fprintf(stderr, "borderflow fit: %s: %s\n", o.file, d.msg[0] ? d.msg : "out of memory");
        bf_fit_data_fini(&s);
        return EXIT_RUN_FAILED;
    }
    print_table(stdout, &s, &t, &o);
    fflush(stdout);

    char program[64];
    snprintf(program, sizeof program, "borderflow %s", bf_version());
    const struct bf_fit_report rep = {.program = program,
                                      .source = o.file,
                                      .column = o.column,
                                      .unit = o.unit,
                                      .data = &s,
                                      .table = &t};
    if (bf_mkdirs(o.folder, &d) != 0 || bf_output_write_fit(&rep, o.folder, &d) != 0) {
        fprintf(stderr, "borderflow fit: %s\n", d.msg);
        bf_fit_data_fini(&s);
        return EXIT_RUN_FAILED;
    }
    if (!o.plot) {
        bf_plot_fit_clear(o.folder);
        fprintf(stderr, "borderflow fit: wrote %s/: fit.csv, best.json, fit.json (--no-plots)\n",
                o.folder);
    } else {
        /* the chart never fails the fit: the numbers are written */
        const int rc = bf_plot_fit(o.folder, &rep, &d);
        if (rc == 0)
            fprintf(stderr,
                    "borderflow fit: wrote %s/: fit.csv, best.json, fit.json, the chart fit.png "
                    "and fit.svg\n",
                    o.folder);
        else if (rc == BF_ENOGNUPLOT || rc == BF_ECHILD)
            fprintf(stderr, "borderflow fit: wrote %s/: fit.csv, best.json, fit.json; %s\n",
                    o.folder, d.msg);
        else
            fprintf(stderr, "borderflow fit: wrote %s/: fit.csv, best.json, fit.json; chart: %s\n",
                    o.folder, d.msg[0] ? d.msg : bf_strerror(rc));
    }
    bf_fit_data_fini(&s);
    return 0;
}
