/*
 * internal.h - what the files of the plot layer share: a CSV reader, the
 * loaded results folder, and text helpers.
 *
 * The plot layer works from a results folder alone (the files
 * bf_output_write made), so `borderflow plot` can redraw a folder written
 * long ago; it never reads the scenario file and computes no statistic:
 * the totals, intervals and the ranking it shows are read from totals.csv,
 * ranking.csv and summary.json. JSON is read with cJSON (borderflow/json.h);
 * the CSV reader is ours because the files are ours and RFC 4180 is all it
 * needs to know (parse.c).
 */
#ifndef BF_PLOT_INTERNAL_H
#define BF_PLOT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "borderflow/error.h"
#include "borderflow/json.h"
#include "borderflow/model.h"

/* ---- CSV (RFC 4180: quoted fields, "" inside quotes) ---- */

struct bf__csv {
    char *text;  /* the unescaped fields, NUL-terminated, cells point here */
    char **cell; /* [(n_rows + 1) * n_cols]; row 0 is the header */
    size_t n_cols, n_rows;
    char path[1024]; /* for messages */
};

/*
 * Reads a whole CSV file. Every record must have as many fields as the
 * header. 0, or BF_ENOENT (no such file), BF_EIO, BF_EPARSE (with the line
 * in diag), BF_ENOMEM; on failure *t holds nothing to free.
 */
int bf__csv_read(const char *path, struct bf__csv *t, struct bf_diag *diag);
void bf__csv_fini(struct bf__csv *t);
/* Column index by header name; -1 if absent. */
int bf__csv_col(const struct bf__csv *t, const char *name);
/* Like bf__csv_col, but a missing column is BF_EPARSE with diag. */
int bf__csv_need(const struct bf__csv *t, const char *name, int *col, struct bf_diag *diag);
/*
 * Reads dir/name and finds the n columns cols[] (their indices into col[]):
 * what every chart and the report do first. 0, or an error of
 * bf__csv_read/bf__csv_need; on failure *t holds nothing to free.
 */
int bf__csv_open(const char *dir, const char *name, const char *const *cols, int n, int *col,
                 struct bf__csv *t, struct bf_diag *diag);
static inline const char *bf__csv_get(const struct bf__csv *t, size_t row, int col)
{
    return t->cell[(row + 1) * t->n_cols + (size_t)col];
}
/* The cell as a number; NaN for "NA", empty or anything not a number. */
double bf__csv_num(const struct bf__csv *t, size_t row, int col);

/* Reads a whole file into bf__malloc'd memory, NUL-terminated. */
int bf__read_file(const char *path, char **out, size_t *len, struct bf_diag *diag);

/* ---- the results folder ---- */

/* A summary row (summary.csv) and a paired difference (delta.csv). */
struct bf__sum {
    double mean, sd, lo, hi, n;
};
struct bf__delta {
    double before, after, delta, lo, hi, vr;
};

/* delta.csv's metrics beyond the model's (batch.h bf_delta_metric): the
 * plot layer knows them by name, so it needs no link to the batch layer. */
#define BF__DX_MAP(XX)                                                                             \
    XX(capital_released_cny)                                                                       \
    XX(capital_released_per_m)                                                                     \
    XX(financing_saving_cny)                                                                       \
    XX(financing_saving_per_m)                                                                     \
    XX(rebate_paid_per_m)                                                                          \
    XX(wc_avg_per_m)

enum bf__dx {
    BF__DX_FIRST = BF_METRIC_COUNT - 1,
#define XX(name) BF__DX_##name,
    BF__DX_MAP(XX)
#undef XX
        BF__DX_COUNT
};
/* Index of a delta.csv metric (a model metric or one of BF__DX_MAP), or -1. */
int bf__delta_find(const char *name);
const char *bf__delta_name(int d);

struct bf__city {
    const char *name, *name_zh, *province, *cls, *candidate, *effective_date, *note;
    double shipments_per_day;
};

/* A row of totals.csv. */
struct bf__total {
    const char *metric, *unit, *scope, *description;
    double mean, lo, hi, n;
};

/* A row of ranking.csv. */
struct bf__rank {
    uint32_t city;
    double per_m, per_m_lo, per_m_hi;
    double released, released_lo, released_hi, exports;
    const char *interval; /* above_zero, below_zero, includes_zero */
};

struct bf__folder {
    char dir[1024];
    const char *scenario;            /* summary.json "scenario" */
    const char *baseline, *compared; /* summary.json "compare" */
    bool has_compare;                /* two distinct policies were compared */
    uint32_t replications;
    cJSON *summary; /* summary.json */
    cJSON *run;     /* run.json, or NULL when absent */
    char *run_text; /* run.json as written, or NULL */
    struct bf__csv cities_csv, summary_csv, delta_csv, totals_csv, ranking_csv;
    uint32_t n_cities;
    struct bf__city *city;   /* [n_cities], in the order of cities.csv */
    struct bf__sum *sum;     /* [city][2 (baseline, compared)][BF_METRIC_COUNT] */
    struct bf__delta *delta; /* [city][BF__DX_COUNT]; NaN without a comparison */
    struct bf__total *total; /* [n_totals], the rows of totals.csv */
    size_t n_totals;
    struct bf__rank *rank; /* [n_cities] best first (ranking.csv); file order without one */
    uint32_t *hash;        /* city name -> index + 1, open addressing */
    size_t hash_size;
};

/*
 * Loads what every chart and the report need: summary.json, cities.csv,
 * summary.csv, delta.csv, totals.csv, ranking.csv (with a comparison) and,
 * if present, run.json. BF_ENOENT when a file is missing (the folder is
 * not a complete results folder), BF_EPARSE, BF_EIO, BF_ENOMEM; diag names
 * the file (and the line and column of bad JSON).
 */
int bf__folder_load(const char *dir, struct bf__folder *f, struct bf_diag *diag);
void bf__folder_fini(struct bf__folder *f);
/* City index by name, or -1. */
int bf__folder_city(const struct bf__folder *f, const char *name);
/* Slot of a policy name: 0 baseline, 1 compared, -1 other. */
int bf__folder_slot(const struct bf__folder *f, const char *policy);
static inline const struct bf__sum *bf__folder_sum(const struct bf__folder *f, uint32_t city,
                                                   int slot, int metric)
{
    return &f->sum[((size_t)city * 2 + (size_t)slot) * BF_METRIC_COUNT + (size_t)metric];
}
static inline const struct bf__delta *bf__folder_delta(const struct bf__folder *f, uint32_t city,
                                                       int metric)
{
    return &f->delta[(size_t)city * BF__DX_COUNT + (size_t)metric];
}
/* The totals.csv row of metric and scope ("before", "after", "change",
 * "count"), or NULL. */
const struct bf__total *bf__folder_total(const struct bf__folder *f, const char *metric,
                                         const char *scope);

/*
 * Cities in the order of ranking.csv (capital released per CNY million
 * exported, best first), or in file order without a comparison. Fills
 * order[n_cities] with city indices.
 */
void bf__folder_rank(const struct bf__folder *f, uint32_t *order);

/* Path helper: dir/name into buf (BF_EINVAL with diag if too long). */
int bf__path(char *buf, size_t size, const char *dir, const char *name, struct bf_diag *diag);

/* ---- charts ---- */

/* The chart templates compiled into the program from plots/NAME.gp. */
struct bf__template {
    const char *name; /* "released.gp" */
    const unsigned char *text;
    size_t len;
};
extern const struct bf__template bf__templates[];
extern const size_t bf__templates_n;

/* ---- gnuplot ---- */

/* The first gnuplot on PATH (absolute entries only) into out: 0, or
 * BF_ENOGNUPLOT. */
int bf__gnuplot_find(char *out, size_t size);
/* The first program `name` on PATH (absolute entries only) into out; 0 or -1. */
int bf__find_program(const char *name, char *out, size_t size);

/*
 * Runs `gnuplot -d NAME.gp` in dir -- `gnuplot -d -c NAME.gp ARG` with arg
 * -- as a child process (fork + execv, no shell), its messages into
 * NAME.log, and waits for it. 0 when it exits with 0 (the log removed), else
 * BF_ECHILD with the log's last line in diag (the log kept), or BF_EIO /
 * BF_EINVAL when the log cannot be opened. Checking what it drew is the
 * caller's.
 */
int bf__gnuplot_run(const char *gnuplot, const char *dir, const char *name, const char *arg,
                    struct bf_diag *diag);

/* s as HTML text or attribute value (report.c). */
void bf__html_text(FILE *f, const char *s);

/* 0 when the image at path (an SVG when svg, else a PNG) is whole and
 * synced to disk; else -1 with why (gnuplot.c says what "whole" means). */
int bf__image_check(const char *path, bool svg, char *why, size_t size);

/* ---- text ---- */

/* Text for a gnuplot data file: a field gnuplot reads back verbatim. */
void bf__gp_text(FILE *f, const char *s);
/* The same for a name drawn on a chart, cut to 26 columns with an ellipsis
 * (a Chinese character takes two columns). */
void bf__gp_name(FILE *f, const char *s);
/* The same for `max_cols` columns. */
void bf__gp_cut(FILE *f, const char *s, size_t max_cols);
/* A city as the charts label it: "杭州 Hangzhou" (name_zh, a space, name),
 * or the name alone when name_zh is empty; at most 28 columns, each part
 * cut with an ellipsis (name_zh to 12 columns). */
void bf__gp_city(FILE *f, const struct bf__city *c);

#endif
