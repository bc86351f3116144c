/*
 * output.h - the files of a run: tidy CSV tables, a JSON summary, the run
 * record.
 *
 * Writers take a FILE * (testable with tmpfile()/fmemopen) and return 0 or
 * BF_EIO. Numbers are written with fixed C-locale formats (the program never
 * calls setlocale), "NA" where nothing was observed. Text from scenario files
 * (city and scenario names) is quoted as CSV or escaped as JSON, never
 * interpreted.
 *
 * bf_output_write() writes every file of a results folder under a temporary
 * name and renames it when complete; run.json, written last by
 * bf_output_write_record(), marks the folder complete.
 */
#ifndef BORDERFLOW_OUTPUT_H
#define BORDERFLOW_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "borderflow/batch.h"
#include "borderflow/fit.h"

/* The layout of a results folder, recorded in summary.json as
 * "results_format": 2 since every CSV's first column is `scenario` (the
 * scenario's name), so that the CSVs of several runs stack by
 * concatenation. Readers of folders (borderflow compare) check it. */
#define BF_RESULTS_FORMAT 2

/* The most files bf_output_write makes. */
#define BF_OUTPUT_MAX_FILES 24

/* The run record (run.json). */
struct bf_run_record {
    const char *version;
    char started[32], finished[32]; /* UTC, ISO 8601 */
    double seconds_load, seconds_simulate, seconds_aggregate, seconds_write, seconds_plot;
    unsigned jobs;
    int ranks;         /* MPI ranks, 1 without MPI */
    const char *plots; /* "drawn", "skipped (--no-plots)", "gnuplot not found", ... */
    char warnings[8][512];
    unsigned n_warnings;
    /* SHA-256 of each file, filled by bf_output_write_record from the files
     * on disk (in the order of bf_output_files; "" where none) */
    char sha256[BF_OUTPUT_MAX_FILES][65];
};

int bf_write_summary_csv(FILE *f, const struct bf_results *r);
int bf_write_delta_csv(FILE *f, const struct bf_results *r);
int bf_write_replications_csv(FILE *f, const struct bf_results *r);
int bf_write_daily_cash_csv(FILE *f, const struct bf_results *r);
int bf_write_daily_wc_csv(FILE *f, const struct bf_results *r);
int bf_write_daily_delta_csv(FILE *f, const struct bf_results *r);
int bf_write_breakdown_csv(FILE *f, const struct bf_results *r);
int bf_write_sweep_csv(FILE *f, const struct bf_results *r);
int bf_write_distributions_csv(FILE *f, const struct bf_results *r);
int bf_write_timeline_csv(FILE *f, const struct bf_results *r);
int bf_write_flows_csv(FILE *f, const struct bf_results *r);
int bf_write_cities_csv(FILE *f, const struct bf_results *r);
int bf_write_totals_csv(FILE *f, const struct bf_results *r);
int bf_write_ranking_csv(FILE *f, const struct bf_results *r);
int bf_write_sweep_totals_csv(FILE *f, const struct bf_results *r);
int bf_write_sensitivity_csv(FILE *f, const struct bf_results *r);
int bf_write_uncertainty_csv(FILE *f, const struct bf_results *r);
int bf_write_summary_json(FILE *f, const struct bf_results *r);
int bf_write_run_json(FILE *f, const struct bf_results *r, const struct bf_run_record *rec);

/* CSV field: quoted when it holds a comma, quote, CR or LF. */
void bf_csv_field(FILE *f, const char *s);
/* JSON string with quotes: escapes ", \, control characters, and < > &
 * (so the text stays text when a report embeds it). */
void bf_json_string(FILE *f, const char *s);

/*
 * The folder name of a scenario: its name with every byte that is not a
 * letter, digit, '.', '-', '_' or part of a UTF-8 character replaced by '_'
 * (and a leading '.' too), so a name cannot leave the output directory.
 */
void bf_output_folder_name(const char *scenario_name, char *out, size_t size);

/* The names of the files bf_output_write makes for r (not run.json), in
 * the order of run.json's "files": names[i] for i < the count returned. */
size_t bf_output_files(const struct bf_results *r, const char **names);

/* Whether name (a file name, no folder) is one bf_output_write or
 * bf_output_write_record makes in a results folder for some run: run.json
 * or one of the tables. `borderflow run` refuses a folder holding one
 * without --force or --resume. */
bool bf_output_is_result(const char *name);

/* How bf_output_write writes; NULL means every field false. */
struct bf_output_options {
    /* Start every CSV file with a UTF-8 byte-order mark (EF BB BF), without
     * which Excel on a Chinese Windows reads UTF-8 as GBK and shows Chinese
     * names and '§' as garbage. Off by default: tools that read CSV as
     * plain UTF-8 (and the golden files) see the mark as part of the first
     * column's name. */
    bool csv_bom;
};

/*
 * Writes every file of the folder except run.json (removed first, so an
 * interrupted rewrite never looks complete). Each file goes to a new
 * temporary file in the folder (fs.h: never through a link) and is renamed
 * when complete; on failure no temporary file is left. The folder must be
 * a directory, not a link; a path too long for any of its files is
 * BF_EINVAL before anything is written.
 * *interrupt nonzero before a rename stops with BF_EINTR.
 */
int bf_output_write(const struct bf_results *r, const char *folder,
                    const struct bf_output_options *opt, const atomic_int *interrupt,
                    struct bf_diag *diag);
/* Writes run.json the same way, with the SHA-256 of every file it lists as
 * found on disk: the folder is complete once it exists. */
int bf_output_write_record(const struct bf_results *r, const char *folder,
                           const struct bf_run_record *rec, struct bf_diag *diag);

/* ---- borderflow fit ---- */

/*
 * What `borderflow fit` found for one column: the strings are borrowed for
 * the call. The folder it writes (docs/uncertainty.md):
 *   fit.csv    one row per family, in the table's order (by AIC; the
 *              empirical table last): rank, parameters, loglik, aic,
 *              delta_aic (to the lowest), bic, ks_d, ks_p, ad_a2, unit,
 *              the spec, and why a family was not fitted
 *   best.json  the best spec alone, one line: what a scenario takes
 *   fit.json   all of it, with the sample's summary and the parameters the
 *              spec can be pasted into; written last
 */
struct bf_fit_report {
    const char *program; /* "borderflow 0.1.0" */
    const char *source;  /* the CSV file, as given */
    const char *column;  /* its column */
    const char *unit;    /* "h" or "d" */
    const struct bf_fit_data *data;
    const struct bf_fit_table *table;
};

int bf_write_fit_csv(FILE *f, const struct bf_fit_report *rep);
int bf_write_fit_best(FILE *f, const struct bf_fit_report *rep);
int bf_write_fit_json(FILE *f, const struct bf_fit_report *rep);

/*
 * Writes fit.csv, best.json and fit.json into folder (which must exist),
 * each as NAME.tmp renamed once all three are complete; an earlier fit.json
 * is removed first. 0, or BF_EIO / BF_EINVAL (a name too long) with diag; on
 * failure no temporary file is left.
 */
int bf_output_write_fit(const struct bf_fit_report *rep, const char *folder, struct bf_diag *diag);

/*
 * The duration parameters, from the parameter tables (docs/parameters.md),
 * whose unit is `unit` ("h", "d"): "clearance.doc_prep_h", ...,
 * "lanes.<lane>.transit_d", ... At most max of them into out; returns the
 * count.
 */
size_t bf_fit_targets(const char *unit, char (*out)[64], size_t max);

#endif
