/*
 * fit_chart.c - the chart of `borderflow fit` (plot.h): the histogram of
 * the observed durations with every fitted density over it, and the Q-Q
 * plot of the best fit.
 *
 * Unlike the charts of a results folder, whose scripts are fixed templates
 * (plots/NAME.gp) reading everything from data files, this script is written
 * for the fit: the ranges, the number of curves and their legends depend on
 * what was fitted. Only the program's own text and numbers go into it; the
 * column's and the file's names -- the user's text -- are read from fit.dat
 * as data and drawn `noenhanced`, the rule of style.gp. Its look is
 * style.gp's: Okabe-Ito colours, DejaVu Sans, the best fit in the blue of
 * the compared policy.
 *
 * gnuplot draws into fit.tmp.png and fit.tmp.svg, renamed when both are
 * there: a failed drawing leaves no image that could pass for this fit's.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_histogram.h>
#include <gsl/gsl_statistics_double.h>

#include "borderflow/fs.h"
#include "borderflow/output.h"
#include "borderflow/plot.h"
#include "borderflow/stats.h"

#include "internal.h"

/* Density curves are drawn at this many points, the Q-Q plot at most at
 * this many quantiles (beyond, the points would merge into a line). */
#define CURVE_POINTS 400
#define QQ_POINTS    1000

struct chart {
    double lo, hi, width; /* histogram range [lo, hi) and bin width */
    size_t bins, beyond;  /* values >= hi, not shown */
    double ymax;          /* top of the histogram */
    double qq_lo, qq_hi;  /* both axes of the Q-Q plot */
    const struct bf_fit_result *curve[BF_FIT_FAMILIES];
    unsigned n_curves; /* fitted families with a density, in the table's order */
};

/*
 * The histogram's range: from 0 (durations) unless the data sit far from
 * it, to the 99th percentile, so that a long tail does not squeeze the bulk
 * into a few bars; Freedman-Diaconis bins, at least sqrt(n), 5 to 60 of
 * them. A range narrower than a millionth of its values is widened to that:
 * gnuplot refuses an axis it cannot resolve ("empty x range").
 */
static void layout(const struct bf_fit_data *s, const struct bf_fit_table *t, struct chart *ch)
{
    memset(ch, 0, sizeof *ch);
    const double *x = s->x;
    const size_t n = s->n;
    const double min = x[0], p99 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99);
    double lo = min <= p99 - min ? 0.0 : min;
    double hi = p99 > lo ? p99 : x[n - 1];
    const double least = 1e-6 * fabs(hi);
    if (!(hi - lo >= least) || !(hi > lo)) {
        const double mid = (lo + hi) / 2, half = least > 0 ? least : 0.5;
        lo = mid - half > 0 ? mid - half : 0;
        hi = lo + 2 * half;
    }
    const double iqr = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.75) -
                       gsl_stats_quantile_from_sorted_data(x, 1, n, 0.25);
    double bins = iqr > 0 ? (hi - lo) / (2 * iqr / cbrt((double)n)) : 0;
    if (bins < sqrt((double)n)) /* a wide IQR (two humps) would blur a large sample */
        bins = sqrt((double)n);
    bins = bins < 5 ? 5 : bins > 60 ? 60 : ceil(bins);
    ch->bins = (size_t)bins;
    ch->lo = lo;
    ch->width = (hi - lo) / bins;
    /* the value at p99 belongs in the last bar: [lo, hi) just above it */
    ch->hi = nextafter(hi, HUGE_VAL);
    for (unsigned i = 0; i < BF_FIT_FAMILIES; i++)
        if (t->r[i].fitted && t->r[i].kind != BF_DIST_EMPIRICAL)
            ch->curve[ch->n_curves++] = &t->r[i];
}

/* The x of density point j: from just above lo (a density can be
 * unbounded at 0) to hi. */
static double curve_x(const struct chart *ch, int j)
{
    const double step = (ch->hi - ch->lo) / CURVE_POINTS;
    return ch->lo + step * (j == 0 && ch->lo == 0 ? 0.05 : (double)j);
}

/* fit.dat: four blocks (gnuplot's `index`), each after a comment naming its
 * columns. Tab-separated, so that names with spaces stay one field. */
static int write_dat(FILE *f, const struct bf_fit_report *rep, struct chart *ch)
{
    const struct bf_fit_data *s = rep->data;
    const struct bf_fit_result *b = &rep->table->r[rep->table->best];
    struct bf_hist h;
    int rc = bf_hist_init(&h, ch->bins, ch->lo, ch->hi);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < s->n; i++)
        bf_hist_add(&h, s->x[i], 1.0);
    ch->beyond = (size_t)h.over;

    fputs("# fit.dat - the data of fit.gp, written by `borderflow fit`\n"
          "# index 0: key TAB text (text from the input, read by the script as data)\n"
          "column\t",
          f);
    bf__gp_name(f, rep->column);
    fputs("\nsource\t", f);
    /* the file's own name: the folders it was given in say nothing */
    const char *base = strrchr(rep->source, '/');
    bf__gp_name(f, base ? base + 1 : rep->source);
    fputs("\n\n\n# index 1: bar from, bar to, bar centre, count, density (count / (n width))\n", f);
    double bar_max = 0;
    for (size_t i = 0; i < ch->bins; i++) {
        double from, to;
        gsl_histogram_get_range(h.h, i, &from, &to);
        const double count = gsl_histogram_get(h.h, i);
        const double dens = count / ((double)s->n * ch->width);
        if (dens > bar_max)
            bar_max = dens;
        fprintf(f, "%.10g\t%.10g\t%.10g\t%.10g\t%.10g\n", from, to, (from + to) / 2, count, dens);
    }
    bf_hist_fini(&h);

    fputs("\n\n# index 2: x", f);
    for (unsigned k = 0; k < ch->n_curves; k++)
        fprintf(f, "\t%s density", bf_dist_kind_name(ch->curve[k]->kind));
    fputc('\n', f);
    double best_max = 0;
    for (int j = 0; j <= CURVE_POINTS; j++) {
        const double x = curve_x(ch, j);
        fprintf(f, "%.10g", x);
        for (unsigned k = 0; k < ch->n_curves; k++) {
            const double y = exp(bf_fit_log_density(&ch->curve[k]->d, x));
            if (ch->curve[k] == b && y > best_max && isfinite(y))
                best_max = y;
            fprintf(f, isfinite(y) ? "\t%.10g" : "\tNaN", y);
        }
        fputc('\n', f);
    }
    /* a curve that shoots up near 0 is cut rather than flattening the bars */
    ch->ymax = 1.15 * (best_max > bar_max ? best_max : bar_max);
    if (!(ch->ymax > 0))
        ch->ymax = 1;

    fprintf(f, "\n\n# index 3: quantile of the fitted %s, observed quantile\n",
            bf_dist_kind_name(b->kind));
    const size_t m = s->n < QQ_POINTS ? s->n : QQ_POINTS;
    double qlo = HUGE_VAL, qhi = -HUGE_VAL;
    for (size_t j = 0; j < m; j++) {
        const double p = ((double)j + 0.5) / (double)m;
        const double obs =
            m == s->n ? s->x[j] : gsl_stats_quantile_from_sorted_data(s->x, 1, s->n, p);
        const double fit = bf_dist_quantile(&b->d, p);
        const double v[2] = {obs, fit};
        for (int k = 0; k < 2; k++)
            if (isfinite(v[k])) {
                qlo = v[k] < qlo ? v[k] : qlo;
                qhi = v[k] > qhi ? v[k] : qhi;
            }
        fprintf(f, isfinite(fit) ? "%.10g\t%.10g\n" : "NaN\t%.10g\n", isfinite(fit) ? fit : obs,
                obs);
    }
    /* from 0 when the data come close to it, like the histogram */
    const double pad = (qhi - qlo) * 0.05, least = 1e-6 * fabs(qhi);
    ch->qq_lo = qlo <= qhi - qlo ? 0.0 : qlo - pad;
    ch->qq_hi = qhi + pad;
    if (!(ch->qq_hi - ch->qq_lo >= least) || !(ch->qq_hi > ch->qq_lo)) {
        const double half = least > 0 ? least : 0.5;
        ch->qq_lo = qlo - half > 0 ? qlo - half : 0;
        ch->qq_hi = ch->qq_lo + 2 * half;
    }
    return ferror(f) ? BF_EIO : 0;
}

/* Okabe-Ito colours for the families other than the best. */
static const char *const curve_colour[] = {"#D55E00", "#009E73", "#CC79A7", "#E69F00"};

static int write_gp(FILE *f, const struct bf_fit_report *rep, struct chart *ch)
{
    const struct bf_fit_result *b = &rep->table->r[rep->table->best];
    const bool hours = rep->unit[0] == 'h';
    const char *u = hours ? "hours" : "days", *u1 = hours ? "hour" : "day";
    fputs("# fit.gp - drawn by `borderflow fit`: the histogram of the observed durations\n"
          "# with the fitted densities, and the Q-Q plot of the best fit. Its data are\n"
          "# in fit.dat next to it. To redraw by hand, run `gnuplot fit.gp` here: it\n"
          "# writes fit.png and fit.svg (`gnuplot -c fit.gp NAME` writes NAME.png, .svg).\n"
          "# Text from the input (the column's and the file's names) is read from\n"
          "# fit.dat as data and drawn noenhanced, as written.\n"
          "out = ARGC > 0 ? ARG1 : \"fit\"\n"
          "set datafile separator \"\\t\"\n"
          "set datafile missing \"NaN\"\n"
          "set encoding utf8\n"
          "stats 'fit.dat' index 0 using (strcol(1) eq \"column\" ? (col = strcol(2), 0) : 0) "
          "nooutput\n"
          "stats 'fit.dat' index 0 using (strcol(1) eq \"source\" ? (src = strcol(2), 0) : 0) "
          "nooutput\n"
          "c_best = \"#0072B2\"\n"
          "c_text = \"#222222\"\n"
          "c_grid = \"#D9D9D9\"\n"
          "set border 3 lw 1.5 lc rgb \"#555555\"\n"
          "set tics nomirror out scale 0.6 textcolor rgb c_text\n"
          "set grid lc rgb c_grid lw 1 dt 1\n"
          "set key textcolor rgb c_text\n"
          "set style fill solid 1.0 noborder\n"
          "do for [fmt in \"png svg\"] {\n"
          "    if (fmt eq \"svg\") {\n"
          "        set terminal svg size 1800,800 font \"DejaVu Sans,18\" noenhanced background "
          "rgb \"white\"\n"
          "    } else {\n"
          "        set terminal pngcairo size 1800,800 font \"DejaVu Sans,18\" noenhanced "
          "background rgb \"white\"\n"
          "    }\n"
          "    set output out . \".\" . fmt\n",
          f);
    fprintf(f,
            "    set multiplot layout 1,2 title sprintf(\"%%s (%%s): %zu values in %s, best fit "
            "%s\", col, src) font \",22\"\n",
            rep->data->n, u, bf_dist_kind_name(b->kind));
    char beyond[128] = "";
    if (ch->beyond > 0)
        snprintf(beyond, sizeof beyond, "\\n%zu value%s above %.4g %s not shown", ch->beyond,
                 ch->beyond == 1 ? "" : "s", ch->hi, u);
    fprintf(f,
            "    set title \"histogram and fitted densities%s\"\n"
            "    set xlabel sprintf(\"%%s, %s\", col)\n"
            "    set ylabel \"share of values per %s\"\n"
            "    set xrange [%.10g:%.10g]\n"
            "    set yrange [0:%.10g]\n"
            "    set key top right samplen 2\n"
            "    set boxwidth %.10g absolute\n"
            "    plot 'fit.dat' index 1 using 3:5 with boxes lc rgb \"#BBBBBB\" title \"observed\"",
            beyond, u, u1, ch->lo, ch->hi, ch->ymax, ch->width);
    unsigned colour = 0;
    for (unsigned k = 0; k < ch->n_curves; k++) {
        const struct bf_fit_result *r = ch->curve[k];
        const bool best = r == b;
        char lc[32];
        snprintf(lc, sizeof lc, "%s", best ? "c_best" : "");
        if (!best)
            snprintf(lc, sizeof lc, "\"%s\"", curve_colour[colour++ % 4]);
        fprintf(f,
                ", \\\n         '' index 2 using 1:%u with lines lw %d lc rgb %s title "
                "\"%s, AIC %.1f%s\"",
                k + 2, best ? 5 : 3, lc, bf_dist_kind_name(r->kind), r->aic, best ? " (best)" : "");
    }
    fprintf(f,
            "\n"
            "    set title \"Q-Q plot of the best fit, %s\"\n"
            "    set xlabel \"quantile of the fitted %s, %s\"\n"
            "    set ylabel \"observed quantile, %s\"\n"
            "    set xrange [%.10g:%.10g]\n"
            "    set yrange [%.10g:%.10g]\n"
            "    set key top left\n"
            "    plot x with lines dt 2 lw 2 lc rgb \"#777777\" title \"observed = fitted\", \\\n"
            "         'fit.dat' index 3 using 1:2 with points pt 7 ps 0.7 lc rgb c_best title "
            "\"observed against fitted\"\n"
            "    unset multiplot\n"
            "}\n"
            "set output\n",
            bf_dist_kind_name(b->kind), bf_dist_kind_name(b->kind), u, u, ch->qq_lo, ch->qq_hi,
            ch->qq_lo, ch->qq_hi);
    return ferror(f) ? BF_EIO : 0;
}

typedef int chart_writer(FILE *f, const struct bf_fit_report *rep, struct chart *ch);

/* Writes dir/name through a fresh temporary file (fs.h: never through a
 * link planted there), renamed when complete. */
static int write_atomic(const char *dir, const char *name, chart_writer *w,
                        const struct bf_fit_report *rep, struct chart *ch, struct bf_diag *diag)
{
    char tmp[BF_PATH_MAX];
    int rc;
    FILE *f = bf_temp_create(dir, name, tmp, sizeof tmp, &rc, diag);
    if (f == NULL)
        return rc;
    rc = w(f, rep, ch);
    if (rc == BF_ENOMEM) {
        fclose(f);
        remove(tmp);
        bf_diag_set(diag, "out of memory while writing '%s/%s'", dir, name);
        return rc;
    }
    return bf_temp_commit(f, tmp, dir, name, rc == 0, diag);
}

static const char *const fit_chart_files[] = {"fit.png", "fit.svg",     "fit.gp",     "fit.dat",
                                              "fit.log", "fit.tmp.png", "fit.tmp.svg"};

void bf_plot_fit_clear(const char *dir)
{
    for (size_t i = 0; i < sizeof fit_chart_files / sizeof fit_chart_files[0]; i++) {
        char path[1400];
        if (bf__path(path, sizeof path, dir, fit_chart_files[i], NULL) == 0)
            remove(path);
    }
}

int bf_plot_fit(const char *dir, const struct bf_fit_report *rep, struct bf_diag *diag)
{
    bf_diag_clear(diag);
    bf_plot_fit_clear(dir);
    struct chart ch;
    layout(rep->data, rep->table, &ch);
    /* the data first: the script needs the ranges it finds */
    int rc = write_atomic(dir, "fit.dat", write_dat, rep, &ch, diag);
    if (rc == 0)
        rc = write_atomic(dir, "fit.gp", write_gp, rep, &ch, diag);
    if (rc != 0)
        return rc;
    char gnuplot[1024];
    if (bf__gnuplot_find(gnuplot, sizeof gnuplot) != 0) {
        bf_diag_set(diag,
                    "gnuplot not found on PATH: no chart drawn (the numbers are complete); "
                    "its script and data are in %s/ -- install gnuplot and run 'gnuplot fit.gp' "
                    "there",
                    dir);
        return BF_ENOGNUPLOT;
    }
    char png_tmp[1400], svg_tmp[1400], png[1400], svg[1400];
    if ((rc = bf__path(png_tmp, sizeof png_tmp, dir, "fit.tmp.png", diag)) != 0 ||
        (rc = bf__path(svg_tmp, sizeof svg_tmp, dir, "fit.tmp.svg", diag)) != 0 ||
        (rc = bf__path(png, sizeof png, dir, "fit.png", diag)) != 0 ||
        (rc = bf__path(svg, sizeof svg, dir, "fit.svg", diag)) != 0)
        return rc;
    rc = bf__gnuplot_run(gnuplot, dir, "fit", "fit.tmp", diag);
    char why[160];
    if (rc == 0 && (bf__image_check(png_tmp, false, why, sizeof why) != 0 ||
                    bf__image_check(svg_tmp, true, why, sizeof why) != 0)) {
        bf_diag_set(diag, "gnuplot drew no whole fit.png and fit.svg: %s", why);
        rc = BF_ECHILD;
    }
    if (rc == 0 && (rename(png_tmp, png) != 0 || rename(svg_tmp, svg) != 0)) {
        bf_diag_set(diag, "cannot rename the chart in '%s': %s", dir, strerror(errno));
        rc = BF_EIO;
    }
    if (rc != 0) {
        /* a half-drawn chart would pass for a drawn one */
        remove(png_tmp);
        remove(svg_tmp);
        remove(png);
        remove(svg);
    }
    return rc;
}
