/*
 * charts.h - preparing the data files of the charts (charts.c) for the
 * gnuplot driver (gnuplot.c).
 */
#ifndef BF_PLOT_CHARTS_H
#define BF_PLOT_CHARTS_H

#include <stdint.h>

#include "internal.h"

#define BF_MAX_SWEEPS_PLOT 32
#define BF__CHARTS_MAX     8

struct bf__plotctx {
    const struct bf__folder *f;
    char charts_dir[1100];
    const uint32_t *order; /* cities ranked by financing-cost saving */
    uint32_t n_top;        /* how many of them the top-cities chart shows */
    char start_date[16];   /* first day of daily_cash.csv (the horizon start) */
};

/*
 * Each writes its file(s) under charts_dir/data/ and sets *drawn to 1 when
 * there is something to draw (0: the run has no such data, e.g. no sweeps).
 * 0, or BF_EIO / BF_EPARSE / BF_ENOENT / BF_ENOMEM with diag.
 */
int bf__chart_cash(struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_delta(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_rebate_cdf(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_return_cycle(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_trs(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_timeline(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
int bf__chart_tornado(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
/* The charts, in the order the report shows them. */
struct bf__chart {
    const char *name;    /* file stem: charts/<name>.png, .svg, .gp */
    const char *title;   /* for the report */
    const char *caption; /* what it shows, from which CSV columns */
    /* writes its data; NULL for the two cash charts (bf__chart_cash) */
    int (*prep)(const struct bf__plotctx *x, int *drawn, struct bf_diag *diag);
    const char *title_zh, *caption_zh; /* the same in Chinese (--lang zh); NULL: English */
};
extern const struct bf__chart bf__charts[];
extern const size_t bf__charts_n;

/* data/labels.dat: scenario, policy and top-city names (after bf__chart_cash) */
int bf__chart_labels(const struct bf__plotctx *x, struct bf_diag *diag);

#endif
