/*
 * plot.h - charts and the management report of a results folder.
 *
 * Everything here works from a results folder alone (the files that
 * bf_output_write wrote), so a folder can be redrawn long after its run:
 * `borderflow plot DIR`. The charts are drawn by gnuplot, found on PATH and
 * run as a child process (never through a shell); its scripts are compiled
 * into the program from plots/NAME.gp and written next to the charts so they
 * can be rerun by hand. Names from the scenario reach gnuplot only as
 * fields of data files and the report only HTML-escaped: a name is shown,
 * never run.
 *
 * The folder's layout after a call (DIR is the results folder):
 *   DIR/charts/NAME.png, NAME.svg   the charts
 *   DIR/charts/NAME.gp              their scripts; style.gp, term.gp shared
 *   DIR/charts/data/NAME.dat           their data, prepared from the CSVs
 *   DIR/charts/NAME.log             gnuplot's messages, only when NAME failed
 *   DIR/report.html                 one self-contained page (charts embedded)
 *   DIR/results.xlsx                the numbers as an Excel workbook
 * The CSV and JSON files of the run are only read, never changed.
 */
#ifndef BORDERFLOW_PLOT_H
#define BORDERFLOW_PLOT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "borderflow/error.h"

/*
 * Draws the charts of DIR into DIR/charts/. Charts a run has no data for
 * (the sensitivity tornado without sweeps) are left out, and any earlier
 * image of them removed. Returns:
 *  - 0: every chart drawn;
 *  - BF_ENOGNUPLOT: no gnuplot on PATH; the scripts and their data are
 *    written and no image is (earlier images of this folder are removed, so
 *    none can be mistaken for this run's); diag says how to draw them later;
 *  - BF_ECHILD: gnuplot failed on at least one chart, or an image it wrote
 *    is not whole (a PNG without its end chunk, an SVG without its closing
 *    tag: a full disk); the others are drawn, a failed one has no image
 *    and diag names every one and why (its NAME.log, when gnuplot failed);
 *  - BF_EINTR: *interrupt (when not NULL) was set while drawing: every
 *    gnuplot started is ended (SIGTERM) and waited for, and nothing of
 *    this drawing is left in DIR/charts/ (no image, script or data);
 *  - BF_ENOENT / BF_EPARSE: DIR is not a complete results folder (a CSV is
 *    missing or not as borderflow writes it); nothing is drawn;
 *  - BF_EIO, BF_ENOMEM, BF_EINVAL (path too long).
 * gnuplot draws each image under a part name (.NAME.png.part), renamed to
 * NAME.png only once the file is whole, so no half-drawn image ever has a
 * chart's name. Never changes the numbers of the run.
 */
int bf_plot_charts(const char *dir, const atomic_int *interrupt, struct bf_diag *diag);

/* How the report is written. */
struct bf_report_options {
    const char *lang; /* "en" (default when NULL) or "zh" */
    /* bf_plot_folder: a flag a signal handler sets to stop the drawing
     * (NULL: none); see bf_plot_charts */
    const atomic_int *interrupt;
};

/*
 * Writes DIR/report.html from the folder alone: the capital the policy
 * releases with its interval, share, components and yearly financing
 * saving (totals.csv), what it rests on (summary.json: the window and
 * warm-up check, the policies, the parameters set away from their
 * defaults, projected holidays), the charts found in DIR/charts/
 * (embedded as PNG data), the cities by capital released per CNY million
 * (ranking.csv), every metric per city, and the run record (DIR/run.json,
 * if it exists yet). The scenario file is never read.
 * The page is written to report.html.tmp and renamed, so a failure leaves
 * no half page; an earlier report.html is removed first, so a failure also
 * leaves none that could be taken for this run's.
 * 0, or BF_ENOENT / BF_EPARSE (not a complete results folder), BF_EINVAL
 * (an unknown language), BF_EIO, BF_ENOMEM.
 */
int bf_report_write(const char *dir, const struct bf_report_options *opt, struct bf_diag *diag);

/*
 * Prints DIR/report.html to DIR/report.pdf (A4) with headless Chromium
 * (chromium, chromium-browser or google-chrome on PATH), through a
 * temporary file renamed when complete. 0; BF_ENOENT without report.html;
 * BF_ECHILD when no browser is found or it fails (diag says which);
 * BF_EIO.
 */
int bf_report_pdf(const char *dir, struct bf_diag *diag);

/*
 * Writes DIR/results.xlsx from the folder alone (docs/report.md, The
 * workbook): sheets Summary (totals.csv, then the cities in the order of
 * ranking.csv), Charts (native Excel charts of the cities ranked and of
 * the capital released over time), Delta (delta.csv), Daily (capital
 * released per day and city: -mean of daily_delta.csv's total), Breakdown
 * (breakdown.csv), Assumptions and Run (summary.json, run.json). Every
 * number is a CSV's, as a number with its unit's format. Written to
 * results.xlsx.tmp and renamed; an earlier results.xlsx is removed first,
 * so a failure leaves neither. 0, or BF_ENOENT / BF_EPARSE (not a
 * complete results folder), BF_EIO (diag names the file), BF_ENOMEM.
 */
int bf_workbook_write(const char *dir, struct bf_diag *diag);

/*
 * bf_plot_charts, then bf_report_write(dir, opt), then bf_workbook_write
 * -- what `borderflow plot` does. The report and the workbook are written
 * even when the charts could not be drawn (the report then says how to
 * draw them). Returns the charts' code (0, BF_ENOGNUPLOT, BF_ECHILD) when
 * the report and the workbook were written, else the report's error, else
 * the workbook's. BF_EINTR when opt->interrupt was set before the end:
 * the charts, report and workbook are then all removed (bf_plot_clear).
 */
int bf_plot_folder(const char *dir, const struct bf_report_options *opt, struct bf_diag *diag);

/*
 * Puts the results folders dirs[0..n) side by side in OUT (made if
 * needed, locked while written): compare.csv (each run's capital
 * released, financing saving and change of days to rebate, per city and
 * for the study, with the intervals its own delta.csv and totals.csv
 * give), compare_diff.csv (each run against dirs[0]: the difference and
 * its 95% interval from replications.csv, paired when the two share seed,
 * replications and cities, else Welch's) and compare.html (docs/compare.md).
 * Reads only complete folders of this results format (summary.json
 * "results_format"). 0; BF_ENOENT (not a folder), BF_EPARSE (not a
 * complete results folder of this format: diag names the folder and
 * file), BF_EINVAL (a folder given twice), BF_EBUSY (OUT
 * locked), BF_EIO, BF_ENOMEM. On failure none of the three files is left.
 */
int bf_compare_write(const char *const *dirs, size_t n, const char *out, struct bf_diag *diag);

/*
 * Removes DIR/report.html, DIR/results.xlsx, DIR/report.pdf and the charts, scripts and
 * chart data under DIR/charts/ (only files these functions write), so that
 * none of an earlier run outlives a run that draws none (borderflow run
 * --no-plots). Missing files are not an error.
 */
void bf_plot_clear(const char *dir);

/* Whether name (no folder) is one the functions above make in a results
 * folder: charts/, report.html, report.pdf (and its log) or results.xlsx. */
bool bf_plot_is_result(const char *name);

/* ---- borderflow fit ---- */

struct bf_fit_report; /* output.h */

/*
 * The chart of a fit in DIR (docs/uncertainty.md): fit.png and fit.svg, the
 * histogram of the values with every fitted density and the Q-Q plot of
 * the best fit, with their script fit.gp and data fit.dat (rerun by hand
 * with `gnuplot fit.gp` in DIR). Every file of an earlier chart is removed
 * first. Returns 0; BF_ENOGNUPLOT (fit.gp and fit.dat written, no image;
 * diag says how to draw it); BF_ECHILD (gnuplot failed: no image, fit.log
 * says why, diag has its last line); BF_EIO, BF_ENOMEM, BF_EINVAL (a path
 * too long). Never touches the tables of the fit.
 */
int bf_plot_fit(const char *dir, const struct bf_fit_report *rep, struct bf_diag *diag);

/* Removes what bf_plot_fit writes in DIR (fit --no-plots). */
void bf_plot_fit_clear(const char *dir);

#endif
