/*
 * charts.h - preparing the data files of the charts (charts.c) for the
 * gnuplot driver (gnuplot.c).
 */
#ifndef BF_PLOT_CHARTS_H
#define BF_PLOT_CHARTS_H

#include <stdint.h>

#include "internal.h"

#define BF_MAX_SWEEPS_PLOT 32
#define BF__CHARTS_MAX     12
/* the top cities the released and trs charts show, and the panels of
 * released_all (more would be too small to read on a slide) */
#define BF__TOP_CITIES 6
#define BF__PANELS_MAX 48
/* rows of a chart with one row per city: all of them up to this, else the
 * first and the last half of it with a gap between */
#define BF__ROWS_MAX 30

struct bf__plotctx {
    const struct bf__folder *f;
    char charts_dir[1100];
    const uint32_t *order; /* cities in the order of ranking.csv, best first */
    uint32_t n_top;        /* the first n_top of order: released, trs */
    uint32_t n_panels;     /* the first n_panels of order: released_all */
    char run_start[16];    /* summary.json horizon.run_start: day 0 of timeline.csv */
};

/*
 * Each writes its file(s) under charts_dir/data/ and sets *drawn to 1 when
 * there is something to draw (0: the run has no such data, e.g. no sweeps).
 * 0, or BF_EIO / BF_EPARSE / BF_ENOENT / BF_ENOMEM with diag.
 */
/* released_K.dat, K = 1 .. n_panels, for released and released_all */
int bf__chart_released(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
/* released_all draws the files of bf__chart_released (earlier in the table):
 * *drawn when they were written */
int bf__chart_released_all(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_wc_components(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_waterfall(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_ranking(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_rebate_cdf(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_return_cycle(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_trs(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_timeline(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_tornado(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_sensitivity(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
/* The charts, in the order the report shows them. */
struct bf__chart {
    const char *name;    /* file stem: charts/<name>.png, .svg, .gp */
    const char *title;   /* for the report; states the unit */
    const char *caption; /* what it shows, the unit, from which CSV columns */
    /* writes its data (or checks for it) */
    int (*prep)(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
    const char *title_zh, *caption_zh; /* the same in Chinese (--lang zh) */
};
extern const struct bf__chart bf__charts[];
extern const size_t bf__charts_n;

/* data/labels.dat: scenario, policy and top-city names, the run's start */
int bf__chart_labels(const struct bf__plotctx *x, struct bf_diag *diag);

#endif
