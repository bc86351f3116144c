/*
 * cmd_plot.c - borderflow plot: (re)draw the charts and report.html of
 * results folders.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "borderflow/borderflow.h"
#include "borderflow/fs.h"
#include "borderflow/plot.h"

#include "cli.h"

static void plot_usage(FILE *f)
{
    fputs("usage: borderflow plot [--help] [--lang en|zh] [--pdf] DIR...\n"
          "\n"
          "Draws the charts of a results folder written by `borderflow run` into\n"
          "DIR/charts/ (PNG and SVG, with their gnuplot scripts and data) and writes\n"
          "DIR/report.html, one self-contained page to mail. A DIR that holds results\n"
          "folders (such as the -o directory of a run) has each of them drawn.\n"
          "The numbers of the run are only read.\n"
          "\n"
          "  --lang en|zh   the report's language (default en)\n"
          "  --pdf          also print the report to DIR/report.pdf (A4) with headless\n"
          "                 Chromium\n"
          "\n"
          "Needs gnuplot on PATH for the charts; without it the scripts and data are\n"
          "still written (run them later) and the report has no charts.\n"
          "\n"
          "Exit status: 0 success, 1 a chart or report could not be made (or no\n"
          "gnuplot), 2 bad usage or not a results folder.\n",
          f);
}

static bool is_results(const char *dir)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/run.json", dir);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

struct plot_opts {
    struct bf_report_options report;
    bool pdf;
};

/* Draws one complete results folder; returns an exit status. The folder
 * is locked while it is drawn, like a run's: a run into it, or another
 * `plot`, waits for nothing and is refused. */
static int plot_one(const char *dir, const struct plot_opts *o)
{
    struct bf_diag d;
    bf_diag_clear(&d);
    int lock = -1;
    int rc = bf_dir_lock(dir, &lock, &d);
    if (rc != 0) {
        fprintf(stderr, "borderflow plot: %s: %s\n", dir, d.msg[0] ? d.msg : bf_strerror(rc));
        return rc == BF_EBUSY || rc == BF_EINVAL ? EXIT_BAD_INPUT : EXIT_RUN_FAILED;
    }
    rc = bf_cli_redraw("borderflow plot", dir, dir, &o->report, o->pdf);
    bf_dir_unlock(lock);
    if (rc == 0) {
        fprintf(stderr, "%s: charts in %s/charts/, report in %s/report.html%s\n", dir, dir, dir,
                o->pdf ? " and report.pdf" : "");
        return 0;
    }
    if (rc == BF_EINTR) {
        fprintf(stderr,
                "borderflow plot: interrupted by %s: the charts, report.html and results.xlsx "
                "of %s/ were removed (its numbers are untouched; run.json says the charts are "
                "not drawn). Run 'borderflow plot %s' again to draw them.\n",
                bf_cli_signal_name(bf_cli_signal ? bf_cli_signal : SIGINT), dir, dir);
        return 128 + (bf_cli_signal ? bf_cli_signal : SIGINT);
    }
    if (rc == BF_ENOGNUPLOT || rc == BF_ECHILD) {
        fprintf(stderr, "%s: report in %s/report.html (%s)\n", dir, dir,
                rc == BF_ENOGNUPLOT ? "without charts" : "without the failed charts");
        return EXIT_RUN_FAILED;
    }
    return rc == BF_ENOENT || rc == BF_EPARSE ? EXIT_BAD_INPUT : EXIT_RUN_FAILED;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory of results folders: each complete one, in name order. */
static int plot_parent(const char *dir, const struct plot_opts *o, bool *found)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int status = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1200];
        int len = snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        if (len < 0 || (size_t)len >= sizeof sub || !is_results(sub))
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            char **nn = bf__realloc(names, ncap * sizeof *nn);
            if (nn == NULL) {
                status = EXIT_RUN_FAILED;
                break;
            }
            names = nn;
            cap = ncap;
        }
        if ((names[n] = bf__strdup(sub)) == NULL) {
            status = EXIT_RUN_FAILED;
            break;
        }
        n++;
    }
    closedir(d);
    if (status != 0)
        fputs("borderflow plot: out of memory\n", stderr);
    if (n > 1) /* qsort may not be given the NULL of an empty list */
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        int s = bf_cli_signal ? 0 : plot_one(names[i], o);
        if (s > status)
            status = s;
        bf__free(names[i]);
    }
    bf__free(names);
    *found = n > 0;
    return status;
}

int bf_cmd_plot(int argc, char **argv)
{
    int first = 1;
    struct plot_opts o = {.report = {.lang = "en", .interrupt = &bf_cli_signal}};
    for (; first < argc && argv[first][0] == '-' && argv[first][1] != '\0'; first++) {
        if (strcmp(argv[first], "-h") == 0 || strcmp(argv[first], "--help") == 0) {
            plot_usage(stdout);
            return 0;
        }
        if (strcmp(argv[first], "--pdf") == 0) {
            o.pdf = true;
            continue;
        }
        if (strcmp(argv[first], "--lang") == 0 || strncmp(argv[first], "--lang=", 7) == 0) {
            const char *v = argv[first][6] == '=' ? argv[first] + 7
                            : first + 1 < argc    ? argv[++first]
                                                  : "";
            if (strcmp(v, "en") != 0 && strcmp(v, "zh") != 0) {
                fprintf(stderr,
                        "borderflow plot: --lang '%s': allowed are en (English) and zh "
                        "(Chinese)\n",
                        v);
                return EXIT_BAD_INPUT;
            }
            o.report.lang = v;
            continue;
        }
        if (strcmp(argv[first], "--") == 0) {
            first++;
            break;
        }
        fprintf(stderr, "borderflow plot: unknown option '%s'; see 'borderflow plot --help'\n",
                argv[first]);
        return EXIT_BAD_INPUT;
    }
    if (first >= argc) {
        fputs("borderflow plot: give at least one results folder; see 'borderflow plot "
              "--help'\n",
              stderr);
        return EXIT_BAD_INPUT;
    }
    bf_cli_install_signals();
    int status = 0;
    for (int i = first; i < argc && !bf_cli_signal; i++) {
        const char *dir = argv[i];
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "borderflow plot: %s: %s\n", dir,
                    stat(dir, &st) != 0 ? strerror(errno) : "not a directory");
            status = EXIT_BAD_INPUT;
            continue;
        }
        int s;
        if (is_results(dir)) {
            s = plot_one(dir, &o);
        } else {
            bool found = false;
            s = plot_parent(dir, &o, &found);
            if (!found) {
                fprintf(stderr,
                        "borderflow plot: %s: not a complete results folder (no run.json) and "
                        "holds none; run 'borderflow run' first\n",
                        dir);
                s = EXIT_BAD_INPUT;
            }
        }
        if (s > status)
            status = s;
    }
    return status;
}
