/*
 * cmd_run.c - borderflow run: scenarios in, a folder of results out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_version.h>

#include "borderflow/borderflow.h"
#include "borderflow/fs.h"
#include "borderflow/json.h"
#include "borderflow/mpi.h"
#include "borderflow/plot.h"
#include "borderflow/sha256.h"

#include "cli.h"

atomic_int bf_cli_signal;

static void on_signal(int sig)
{
    atomic_store(&bf_cli_signal, sig);
}

const char *bf_cli_signal_name(int sig)
{
    return sig == SIGTERM ? "SIGTERM" : "SIGINT";
}

void bf_cli_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void run_usage(FILE *f)
{
    const char *mpi = bf_mpi_available()
                          ? ""
                          : "                          (this borderflow was built without MPI)\n";
    fputs("usage: borderflow run [options] SCENARIO|FOLDER...\n"
          "\n"
          "Runs every scenario given (for a folder, every .json in it, in name order)\n"
          "and writes DIR/<scenario name>/: totals.csv, ranking.csv, summary.csv,\n"
          "delta.csv, replications.csv, daily_wc.csv, daily_delta.csv, daily_cash.csv,\n"
          "breakdown.csv, distributions.csv, timeline.csv, flows.csv, cities.csv,\n"
          "summary.json, sweep.csv and sweep_totals.csv (with sweeps), sensitivity.csv\n"
          "and uncertainty.csv (with a sensitivity study), charts/, and run.json, which\n"
          "marks the folder complete; then report.html and results.xlsx. Every\n"
          "scenario is checked, and its work estimated, before any runs.\n"
          "\n"
          "options:\n"
          "  -o, --output DIR        results directory (default: out)\n"
          "  -j, --jobs N            worker threads (default: all cores)\n"
          "  -r, --replications N    replications per city and policy (default: the\n"
          "                          scenario's)\n"
          "  -s, --seed N            random seed (default: the scenario's)\n"
          "      --city NAME         run only this city of the scenario (repeat for more);\n"
          "                          the results folder is named for the cities kept\n"
          "                          (<name>.<city>..., docs/scenarios.md, Extends)\n"
          "      --no-sweeps         run the scenario as written, not its sweeps or the\n"
          "                          points of its sensitivity design\n"
          "      --no-plots          write the numbers only (no charts, report, workbook)\n"
          "      --csv-bom           start every CSV with a UTF-8 byte-order mark, so that\n"
          "                          Excel shows Chinese names (README)\n"
          "      --lang en|zh        the report's language (default en)\n"
          "      --pdf               also print the report to report.pdf (headless\n"
          "                          Chromium)\n"
          "      --resume            skip scenarios whose results are complete and match\n"
          "                          the scenario file, seed and replications\n"
          "      --force             replace the results of an earlier run; without it\n"
          "                          (or --resume) a folder holding them is refused\n"
          "      --max-memory SIZE   fail cleanly beyond SIZE bytes (suffix K, M or G)\n"
          "      --max-work N        refuse a run estimated to simulate more than N\n"
          "                          shipments (suffix K, M or G; default 2G)\n"
          "      --mpi               spread the work items over MPI ranks: start it with\n"
          "                          mpirun -np N or srun; -j threads run on every rank,\n"
          "                          rank 0 writes the results (docs/scaling.md)\n",
          f);
    fputs(mpi, f);
    fputs("  -q, --quiet             print errors only\n"
          "  -h, --help              this help\n"
          "\n"
          "A progress bar goes to stderr when it is a terminal, one line per scenario\n"
          "otherwise. Exit status: 0 success, 1 a run failed, 2 bad input or usage,\n"
          "130/143 interrupted (finished scenarios are kept; see --resume).\n",
          f);
}

struct run_opts {
    const char *out_dir;
    unsigned jobs;
    uint32_t replications;
    int64_t seed;
    bool quiet, plots, resume, force, sweeps, mpi, pdf;
    uint64_t max_memory;
    double max_work; /* shipments simulated, at most */
    struct bf_report_options report;
    struct bf_output_options output;
};

/* The MPI side of a run command (--mpi). */
struct mpi_cmd {
    bool on;
    struct bf_mpi m;
    int saved_fd[2]; /* stdout and stderr while another rank keeps quiet, or -1 */
};

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return false;
    *out = v;
    return true;
}

bool bf_cli_parse_count(const char *s, double *out)
{
    if (s == NULL || *s == '\0' || *s == '-')
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    double mul = *end == 'K' ? 1e3 : *end == 'M' ? 1e6 : *end == 'G' ? 1e9 : 1.0;
    if (mul != 1.0)
        end++;
    if (errno != 0 || end == s || *end != '\0' || !(v > 0) || !isfinite(v * mul))
        return false;
    *out = v * mul;
    return true;
}

/* "1.2 M", "345 k", "12" */
static void put_count(FILE *f, double v)
{
    if (v >= 1e9)
        fprintf(f, "%.1f G", v / 1e9);
    else if (v >= 1e6)
        fprintf(f, "%.1f M", v / 1e6);
    else if (v >= 1e4)
        fprintf(f, "%.0f k", v / 1e3);
    else
        fprintf(f, "%.0f", v);
}

void bf_cli_print_estimate(FILE *f, const char *prefix, const struct bf_work_estimate *e,
                           unsigned jobs)
{
    double secs = e->seconds_one_thread / (jobs > 0 ? jobs : 1);
    fprintf(f, "%swork: %llu items, ", prefix, (unsigned long long)e->items);
    put_count(f, e->city_days);
    fputs(" simulated city-days, about ", f);
    put_count(f, e->shipments);
    fputs(" shipments; about ", f);
    if (secs < 90)
        fprintf(f, "%.0f s", ceil(secs));
    else if (secs < 5400)
        fprintf(f, "%.0f min", ceil(secs / 60));
    else
        fprintf(f, "%.1f h", secs / 3600);
    fprintf(f,
            " at -j %u on a machine like the one measured (docs/performance.md); results "
            "up to about %.0f MB\n",
            jobs, ceil(e->result_bytes / 1048576.0));
}

bool bf_cli_parse_size(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mult = 1;
    if (*end == 'K' || *end == 'k')
        mult = 1ull << 10;
    else if (*end == 'M' || *end == 'm')
        mult = 1ull << 20;
    else if (*end == 'G' || *end == 'g')
        mult = 1ull << 30;
    if (mult != 1)
        end++;
    if (errno != 0 || *end != '\0' || v == 0 || v > UINT64_MAX / mult)
        return false;
    *out = v * mult;
    return true;
}

/* ---- progress ---- */

struct progress {
    const char *name;
    bool tty;
};

static void fmt_time(double s, char *buf, size_t size)
{
    if (!isfinite(s) || s < 0)
        snprintf(buf, size, "--:--");
    else if (s < 3600)
        snprintf(buf, size, "%d:%02d", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, size, "%dh%02d", (int)s / 3600, (int)s % 3600 / 60);
}

static void on_progress(uint64_t done, uint64_t total, double elapsed, void *ctx)
{
    struct progress *p = ctx;
    if (!p->tty)
        return;
    double rate = elapsed > 0 ? (double)done / elapsed : 0.0;
    double left = rate > 0 ? (double)(total - done) / rate : (double)NAN;
    int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : 0;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    char eta[16];
    fmt_time(left, eta, sizeof eta);
    fprintf(stderr, "\r%.24s [%s] %llu/%llu items  %.1f/s  %s left ", p->name, bar,
            (unsigned long long)done, (unsigned long long)total, rate, eta);
    fflush(stderr);
}

/* ---- resume ---- */

struct loaded {
    char *path;
    struct bf_scenario sc;
    int pair_of; /* a pair of the scenario at this index (bf_scenario_pair), or -1 */
    char folder[BF_PATH_MAX];
    int lock_fd; /* the folder's lock while this run may write it, or -1 */
    struct bf_work_estimate estimate;
};

/* What --resume finds in a results folder. */
enum resume_state {
    RESUME_RUN,    /* missing, stale, changed or incomplete: run again */
    RESUME_DONE,   /* complete and up to date */
    RESUME_REDRAW, /* the numbers are, but the charts were not drawn */
};

/* Whether run.json's "selection" names the cities sc keeps ("select",
 * --city), in order; both none when every city listed runs. The SHA-256
 * of the files does not tell a run of two of their cities from another. */
static bool same_selection(const cJSON *rj, const struct bf_scenario *sc)
{
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(rj, "selection");
    if (sc->selection[0] == '\0')
        return sel == NULL || cJSON_IsNull(sel);
    const cJSON *cities = cJSON_GetObjectItemCaseSensitive(sel, "cities");
    if (!cJSON_IsArray(cities) || cJSON_GetArraySize(cities) != (int)sc->n_cities)
        return false;
    uint32_t i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cities)
    {
        if (!cJSON_IsString(c) || strcmp(c->valuestring, sc->city[i++].name) != 0)
            return false;
    }
    return true;
}

/*
 * Reads run.json and says whether it records this scenario (by SHA-256),
 * seed, replications, sweeps and cities kept, and whether every file it lists is there
 * with the SHA-256 recorded for it: a file changed or cut short since is a
 * reason to run again. A folder whose numbers are complete but whose
 * charts were not drawn ("plots" other than "drawn": failed, interrupted,
 * no gnuplot), or whose report.html or results.xlsx is missing, is REDRAW
 * when charts are wanted.
 */
static enum resume_state resume_state(const char *folder, const struct bf_scenario *sc,
                                      uint64_t seed, uint32_t reps, bool sweeps, bool plots)
{
    char path[BF_PATH_MAX];
    if (bf_path_join(path, sizeof path, folder, "run.json", NULL) != 0)
        return RESUME_RUN;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return RESUME_RUN;
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    bool whole = feof(f) && !ferror(f);
    fclose(f);
    if (!whole)
        return RESUME_RUN;
    buf[n] = '\0';
    cJSON *rj = bf_json_parse(buf, n, NULL, NULL);
    if (rj == NULL)
        return RESUME_RUN;
    enum resume_state st = RESUME_RUN;
    const char *sha = bf_json_str(rj, "scenario_sha256");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(rj, "files");
    const cJSON *hashes = cJSON_GetObjectItemCaseSensitive(rj, "file_sha256");
    bool has_sweeps = false;
    if (sha == NULL || strcmp(sha, sc->sha256) != 0 || bf_json_num(rj, "seed") != (double)seed ||
        bf_json_num(rj, "replications") != (double)reps || !cJSON_IsArray(files) ||
        !cJSON_IsObject(hashes))
        goto out;
    const cJSON *x;
    cJSON_ArrayForEach(x, files)
    {
        const char *want = cJSON_IsString(x) ? bf_json_str(hashes, x->valuestring) : NULL;
        char fp[BF_PATH_MAX], got[65];
        if (want == NULL || bf_path_join(fp, sizeof fp, folder, x->valuestring, NULL) != 0 ||
            bf_sha256_file(fp, got, NULL) != 0 || strcmp(got, want) != 0)
            goto out;
        has_sweeps |= strcmp(x->valuestring, "sweep.csv") == 0;
    }
    if (has_sweeps != (sweeps && sc->n_sweeps > 0) || !same_selection(rj, sc))
        goto out;
    const char *drawn = bf_json_str(rj, "plots");
    st = plots && (drawn == NULL || strcmp(drawn, "drawn") != 0) ? RESUME_REDRAW : RESUME_DONE;
    /* drawn, but the report or the workbook has gone since */
    struct stat rs;
    for (int k = 0; st == RESUME_DONE && plots && k < 2; k++)
        if (bf_path_join(path, sizeof path, folder, k ? "results.xlsx" : "report.html", NULL) !=
                0 ||
            stat(path, &rs) != 0 || !S_ISREG(rs.st_mode))
            st = RESUME_REDRAW;
out:
    cJSON_Delete(rj);
    return st;
}

/* --resume on a folder whose charts were not drawn: draws them and the
 * report, and records it. An exit status, or -2 when interrupted (the
 * charts, report and workbook removed, run.json saying so). */
static int redraw(const struct loaded *x, const struct run_opts *o)
{
    int rc = bf_cli_redraw("borderflow", x->folder, x->sc.name, &o->report, o->pdf);
    if (rc == BF_EINTR)
        return -2;
    if (rc != 0)
        return rc == BF_ENOGNUPLOT ? 0 : EXIT_RUN_FAILED;
    if (!o->quiet)
        fprintf(stderr, "%s: results in %s/ were complete; charts and report drawn again\n",
                x->sc.name, x->folder);
    return 0;
}

/*
 * Makes and locks the results folder of a scenario before any work: a
 * second run into it exits at once, naming the other process, and leaves
 * the first run's results alone. An exit status.
 */
static int claim_folder(struct loaded *x)
{
    struct bf_diag d;
    bf_diag_clear(&d);
    int rc = bf_mkdirs(x->folder, &d);
    if (rc == 0)
        rc = bf_dir_check(x->folder, &d);
    if (rc == 0)
        rc = bf_dir_lock(x->folder, &x->lock_fd, &d);
    if (rc != 0) {
        fprintf(stderr, "borderflow: %s: %s\n", x->sc.name, d.msg);
        return rc == BF_EBUSY || rc == BF_EINVAL ? EXIT_BAD_INPUT : EXIT_RUN_FAILED;
    }
    return 0;
}

/*
 * Whether a results folder holds what an earlier run wrote there -- run.json,
 * a table, charts/, the report or the workbook -- with one such name in
 * name (run.json when it is there). An empty folder, one with only the
 * lock file, or with files of the user's own, holds no earlier results.
 */
static bool holds_results(const char *folder, char *name, size_t size)
{
    DIR *dir = opendir(folder);
    if (dir == NULL)
        return false;
    bool found = false;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (bf_output_is_result(e->d_name) || bf_plot_is_result(e->d_name)) {
            if (!found || strcmp(e->d_name, "run.json") == 0)
                snprintf(name, size, "%s", e->d_name);
            found = true;
        }
    closedir(dir);
    return found;
}

/*
 * A rerun into a folder of earlier results (README, Usage): refused, naming
 * every such folder, unless --force (replaced, with a notice) or --resume
 * (complete ones kept). Runs after every folder is claimed, so that nothing
 * runs when one is refused and no other run writes one meanwhile. An exit
 * status.
 */
static int check_reruns(const struct loaded *L, int n, const struct run_opts *o)
{
    int status = 0;
    for (int i = 0; !o->resume && i < n; i++) {
        char found[256], folder[2048];
        if (!holds_results(L[i].folder, found, sizeof found))
            continue;
        bf_text_escape(L[i].folder, folder, sizeof folder);
        if (o->force) {
            if (!o->quiet)
                fprintf(stderr, "%s: replacing the results of an earlier run in %s/ (--force)\n",
                        L[i].sc.name, folder);
            continue;
        }
        fprintf(stderr,
                "borderflow: %s: %s/ holds the results of an earlier run (%s); nothing was run. "
                "Give --force to replace them, or --resume to keep the complete ones and run "
                "the rest\n",
                L[i].sc.name, folder, found);
        status = EXIT_BAD_INPUT;
    }
    return status;
}

/* Unlocks a folder; one that holds nothing but the lock (its scenario did
 * not run, or failed before writing) is removed, so that no empty folder
 * looks like results. */
static void release_folder(struct loaded *x)
{
    if (x->lock_fd < 0)
        return;
    DIR *dir = opendir(x->folder);
    bool empty = dir != NULL;
    struct dirent *e;
    while (empty && (e = readdir(dir)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
                strcmp(e->d_name, BF_LOCK_FILE) == 0;
    if (dir != NULL)
        closedir(dir);
    char lock[BF_PATH_MAX];
    if (empty && bf_path_join(lock, sizeof lock, x->folder, BF_LOCK_FILE, NULL) == 0) {
        unlink(lock);
        rmdir(x->folder);
    }
    bf_dir_unlock(x->lock_fd);
    x->lock_fd = -1;
}

static void utc_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Warnings a user should read: a warm-up shorter than the start-up bias,
 * days counted from projected holidays or weekends only. */
static void collect_warnings(const struct bf_results *r, struct bf_run_record *rec)
{
    const struct bf_scenario *sc = r->sc;
    /* the warm-up against MSER-5 on the cities' total working capital
     * (each city's own figure is in cities.csv; one city's is noisier) */
    if (r->warmup_checked && r->warmup.truncate > sc->warmup_days && rec->n_warnings < 8)
        snprintf(rec->warnings[rec->n_warnings++], sizeof rec->warnings[0],
                 "warm-up: the %u days of horizon.warmup_days are shorter than the %zu days "
                 "MSER-5 finds on the cities' working capital under the baseline%s "
                 "(docs/statistics.md): the window's first days may still carry the start-up; "
                 "raise warmup_days",
                 sc->warmup_days, r->warmup.truncate,
                 r->warmup.at_limit ? ", which still trends at half the run" : "");
    uint64_t n = 0, proj = 0;
    int32_t first = INT32_MAX;
    for (uint32_t c = 0; c < r->n_cities; c++)
        for (uint32_t p = 0; p < r->n_policies; p++) {
            const struct bf_group *g = bf_results_group(r, 0, c, p);
            n += g->calendar_unknown;
            proj += g->calendar_projected;
            if (g->calendar_unknown > 0 && g->calendar_unknown_day < first)
                first = g->calendar_unknown_day;
        }
    if (proj > 0 && rec->n_warnings < 8)
        snprintf(rec->warnings[rec->n_warnings++], sizeof rec->warnings[0],
                 "calendar: %s %s no official holiday notice; %s statutory holidays are projected "
                 "(docs/calendar.md) without the adjusted working weekends, so working-day "
                 "counts near long breaks can be off by up to two days (%llu lookups)",
                 sc->calendar_projected_years,
                 strchr(sc->calendar_projected_years, ',') ? "have" : "has",
                 strchr(sc->calendar_projected_years, ',') ? "their" : "its",
                 (unsigned long long)proj);
    if (n > 0 && rec->n_warnings < 8) {
        /* the lookup that noticed may have started in a known year: name the
         * first year from there on that has no data */
        int y, m, dd;
        bf_date_to_ymd(first, &y, &m, &dd);
        while (y < BF_CAL_MAX_YEAR &&
               (bf_calendar_year_known(&sc->cal, y) || bf_calendar_year_projected(&sc->cal, y)))
            y++;
        snprintf(rec->warnings[rec->n_warnings++], sizeof rec->warnings[0],
                 "calendar: %d has no holiday data (known: %s); its days were counted as "
                 "weekends only (%llu working-day lookups reached it). Add the year under "
                 "\"calendar\".\"years\" when the official notice is out.",
                 y, sc->calendar_years, (unsigned long long)n);
    }
}

/* Runs one scenario and writes its folder; m is NULL without --mpi (on
 * rank 0 it hands the items out to every rank). Returns an exit status,
 * -1 when interrupted before its numbers were written (nothing of this
 * run written), -2 when interrupted after (the numbers kept and recorded
 * in run.json; the charts, report and workbook removed). */
static int run_one(struct loaded *L, const struct run_opts *o, double load_s, struct bf_mpi *m)
{
    struct bf_scenario *sc = &L->sc;
    struct bf_run_record rec = {
        .version = bf_version(), .ranks = m ? m->size : 1, .seconds_load = load_s};
    utc_now(rec.started, sizeof rec.started);
    struct bf_diag d;
    bf_diag_clear(&d);
    if (!o->quiet) {
        char prefix[300];
        snprintf(prefix, sizeof prefix, "%s: ", sc->name);
        bf_cli_print_estimate(stderr, prefix, &L->estimate,
                              (o->jobs ? o->jobs : bf_batch_cores()) * (unsigned)(m ? m->size : 1));
    }
    struct progress pr = {.name = sc->name, .tty = !o->quiet && isatty(2)};
    struct bf_batch_options bo = {.jobs = o->jobs,
                                  .replications = o->replications,
                                  .seed = o->seed,
                                  .sweeps = o->sweeps,
                                  .interrupt = &bf_cli_signal,
                                  .progress = on_progress,
                                  .progress_ctx = &pr,
                                  .distribute = m ? bf_mpi_distribute : NULL,
                                  .distribute_ctx = m};
    struct bf_results r;
    int rc = bf_batch_run(sc, &bo, &r, &d);
    if (pr.tty)
        fputc('\n', stderr);
    /* nothing was written: release_folder removes the folder if it holds
     * nothing but its lock, so that no empty folder looks like results */
    if (rc == BF_EINTR)
        return -1;
    if (rc == BF_ENOMEM && o->max_memory) {
        fprintf(stderr,
                "borderflow: %s: run failed: %s: more than --max-memory %.1f MiB allows; raise "
                "it, or run fewer replications, cities or shipments a day\n",
                sc->name, d.msg[0] ? d.msg : bf_strerror(rc), (double)o->max_memory / 1048576.0);
        return EXIT_RUN_FAILED;
    }
    if (rc != 0) {
        fprintf(stderr, "borderflow: %s: run failed: %s\n", sc->name,
                d.msg[0] ? d.msg : bf_strerror(rc));
        return EXIT_RUN_FAILED;
    }
    rec.jobs = r.jobs;
    rec.seconds_simulate = r.seconds_simulate;
    rec.seconds_aggregate = r.seconds_aggregate;
    collect_warnings(&r, &rec);
    double t0 = now_s();
    rc = bf_output_write(&r, L->folder, &o->output, &bf_cli_signal, &d);
    rec.seconds_write = now_s() - t0;
    bool kept = false; /* interrupted once the numbers were complete */
    if (rc == 0) {
        /* the numbers are complete and in place: whatever happens to the
         * charts from here on, run.json records them and says what
         * became of the charts */
        t0 = now_s();
        char plots[sizeof d.msg + 16];
        rec.plots = "skipped (--no-plots)";
        if (!o->plots) {
            bf_plot_clear(L->folder); /* an earlier run's report would pass for this one's */
        } else {
            /* charts never fail the run: the numbers are complete */
            struct bf_diag pd;
            int prc = bf_plot_charts(L->folder, &bf_cli_signal, &pd);
            if (prc == 0) {
                rec.plots = "drawn";
            } else if (prc == BF_ENOGNUPLOT) {
                rec.plots = "not drawn: gnuplot not found";
                if (!o->quiet)
                    fprintf(stderr, "borderflow: %s: %s\n", sc->name, pd.msg);
            } else if (prc != BF_EINTR) {
                snprintf(plots, sizeof plots, "failed: %s", pd.msg[0] ? pd.msg : bf_strerror(prc));
                rec.plots = plots;
                fprintf(stderr, "borderflow: %s: charts %s\n", sc->name, plots);
            }
        }
        if (bf_cli_signal) {
            bf_plot_clear(L->folder);
            snprintf(plots, sizeof plots, "not drawn: interrupted by %s",
                     bf_cli_signal_name(bf_cli_signal));
            rec.plots = plots;
            kept = true;
        }
        rec.seconds_plot = now_s() - t0;
        utc_now(rec.finished, sizeof rec.finished);
        rc = bf_output_write_record(&r, L->folder, &rec, &d);
        /* the report shows the run record, so it is written after run.json
         * (docs/report.md); `borderflow plot` rewrites it from the folder */
        if (rc == 0 && o->plots && !kept)
            kept = bf_cli_finish_report("borderflow", L->folder, sc->name, &o->report, o->pdf,
                                        rec.plots) < 0;
    }
    int status = 0;
    if (kept && rc == 0) {
        status = -2;
    } else if (rc == BF_EINTR) {
        status = -1;
    } else if (rc != 0) {
        fprintf(stderr, "borderflow: %s: %s\n", sc->name, d.msg);
        status = EXIT_RUN_FAILED;
    } else if (!o->quiet) {
        for (unsigned i = 0; i < rec.n_warnings; i++)
            fprintf(stderr, "borderflow: warning: %s: %s\n", sc->name, rec.warnings[i]);
        double secs = rec.seconds_simulate;
        uint64_t items = bf_batch_items(&r);
        char ranks[32] = "";
        if (m != NULL)
            snprintf(ranks, sizeof ranks, " x %d ranks", m->size);
        fprintf(stderr,
                "%s: %llu work items (%u cities x %u policies x %u replications%s) in %.1f s "
                "(%.1f items/s, %u threads%s) -> %s/\n",
                sc->name, (unsigned long long)items, r.n_cities, r.n_policies, r.replications,
                r.n_samples > 0  ? " x design points"
                : r.n_points > 1 ? " x sweep points"
                                 : "",
                secs, secs > 0 ? (double)items / secs : 0.0, r.jobs, ranks, L->folder);
    }
    bf_results_fini(&r);
    return status;
}

/* ---- --mpi ---- */

/* Ranks other than 0 keep quiet while the options are read and the
 * scenarios loaded: every rank reads the same, rank 0 says it once, and
 * bf_mpi_agree() reports what only another rank saw. */
static void quiet_begin(struct mpi_cmd *mc)
{
    fflush(stdout);
    fflush(stderr);
    int null = open("/dev/null", O_WRONLY);
    if (null < 0)
        return;
    mc->saved_fd[0] = dup(1);
    mc->saved_fd[1] = dup(2);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
}

static void quiet_end(struct mpi_cmd *mc)
{
    fflush(stdout);
    fflush(stderr);
    for (int k = 0; k < 2; k++)
        if (mc->saved_fd[k] >= 0) {
            dup2(mc->saved_fd[k], k + 1);
            close(mc->saved_fd[k]);
            mc->saved_fd[k] = -1;
        }
}

/* Joins the MPI job; an exit status when that fails (2: built without MPI). */
static int mpi_start(struct mpi_cmd *mc)
{
    struct bf_diag d;
    bf_diag_clear(&d);
    int rc = bf_mpi_init(&mc->m, &d);
    if (rc != 0) {
        fprintf(stderr, "borderflow run: --mpi: %s\n", d.msg[0] ? d.msg : bf_strerror(rc));
        return EXIT_BAD_INPUT;
    }
    mc->on = true;
    if (mc->m.rank != 0)
        quiet_begin(mc);
    return 0;
}

/* "--mpi" among the arguments (before a "--"): MPI starts before anything
 * is printed, so that only rank 0 speaks. */
static bool asks_mpi(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--mpi") == 0)
            return true;
    return false;
}

/* What every rank must have loaded alike: the program (its version, the
 * GSL it runs with and the compiler that built it: another build could
 * round differently), then each scenario file with the SHA-256 of its
 * bytes and of every file it extends, and the name --city gave it.
 * bf__malloc'd, or NULL. */
static char *fingerprint(const struct loaded *L, int n)
{
#ifdef __VERSION__
    const char *cc = __VERSION__;
#else
    const char *cc = "an unknown compiler";
#endif
    size_t size = 128 + strlen(gsl_version) + strlen(cc);
    for (int i = 0; i < n; i++)
        size += strlen(L[i].path) + sizeof L[i].sc.sha256 + sizeof L[i].sc.name + 24;
    char *fp = bf__malloc(size);
    if (fp == NULL)
        return NULL;
    size_t used = (size_t)snprintf(fp, size, "borderflow %s, GSL %s, %s, results of %zu bytes\n",
                                   bf_version(), gsl_version, cc, sizeof(struct bf_model_result));
    for (int i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(fp + used, size - used, "%s: sha256 %s as '%s'\n", L[i].path,
                                 L[i].sc.sha256, L[i].sc.name);
    return fp;
}

/* ---- the command ---- */

/*
 * Names the results folder of L[i], estimates its work, and checks it
 * against --max-work and the folders of L[0..i). 0, or EXIT_BAD_INPUT
 * after saying why on stderr (the first reason also in why, for --mpi).
 */
static int place(struct loaded *L, int i, const struct run_opts *o, char *why, size_t why_size)
{
    int bad = 0;
    char path[2048];
    bf_text_escape(L[i].path, path, sizeof path);
    char name[256];
    struct bf_diag pd;
    bf_output_folder_name(L[i].sc.name, name, sizeof name);
    if (bf_path_join(L[i].folder, sizeof L[i].folder, o->out_dir, name, &pd) != 0) {
        fprintf(stderr, "borderflow: %s: the results folder: %s\n", L[i].path, pd.msg);
        bad = EXIT_BAD_INPUT;
    }
    /* refused before any work when it is beyond what the user allows */
    struct bf_batch_options eo = {
        .replications = o->replications, .seed = o->seed, .sweeps = o->sweeps};
    bf_batch_estimate(&L[i].sc, &eo, &L[i].estimate);
    if (L[i].estimate.shipments > o->max_work) {
        fprintf(stderr,
                "borderflow: %s: the run would simulate about %.3g shipments (%llu work "
                "items), more than --max-work %.3g; lower the replications, cities, "
                "horizon or sweeps, or raise --max-work\n",
                L[i].path, L[i].estimate.shipments, (unsigned long long)L[i].estimate.items,
                o->max_work);
        if (!why[0])
            snprintf(why, why_size, "%s: more work than --max-work", L[i].path);
        bad = EXIT_BAD_INPUT;
    }
    for (int k = 0; k < i; k++)
        if (L[k].sc.name[0] && strcmp(L[k].folder, L[i].folder) == 0) {
            char first[2048], folder[2048];
            bf_text_escape(L[k].path, first, sizeof first);
            bf_text_escape(L[i].folder, folder, sizeof folder);
            fprintf(stderr,
                    "borderflow: %s and %s would both write %s/ (scenario names '%s' "
                    "and '%s'); give them different names\n",
                    first, path, folder, L[k].sc.name, L[i].sc.name);
            bad = EXIT_BAD_INPUT;
        }
    return bad;
}

/*
 * A scenario that compares more than one policy with its baseline
 * ("compare": [baseline, compared, more...]) runs each more pair as a
 * scenario of its own, right after it (bf_scenario_pair): L grows by one
 * entry per pair. 0, or an exit status after saying why.
 */
static int add_pairs(struct loaded **Lp, const struct bf_scenario ***scsp, int *np,
                     const struct run_opts *o, char *why, size_t why_size)
{
    struct loaded *L = *Lp;
    int n = *np, extra = 0;
    for (int i = 0; i < n; i++)
        extra += (int)L[i].sc.n_also;
    if (extra == 0)
        return 0;
    struct loaded *M = bf__calloc((size_t)(n + extra), sizeof *M);
    const struct bf_scenario **scs = bf__calloc((size_t)(n + extra), sizeof *scs);
    if (M == NULL || scs == NULL) {
        bf__free(M);
        bf__free(scs);
        fputs("borderflow: out of memory\n", stderr);
        snprintf(why, why_size, "out of memory");
        return EXIT_RUN_FAILED;
    }
    int m = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        int parent = m;
        M[m++] = L[i];
        for (uint32_t k = 0; k < L[i].sc.n_also && bad != EXIT_RUN_FAILED; k++) {
            struct loaded *x = &M[m];
            *x = (struct loaded){.path = L[i].path, .pair_of = parent, .lock_fd = -1};
            uint32_t pol = L[i].sc.also[k];
            char name[sizeof x->sc.name];
            if (bf_scenario_pair_name(&L[i].sc, pol, name, sizeof name) != 0) {
                /* --city made the scenario's name longer */
                fprintf(stderr,
                        "borderflow: %s: the pair of '%s' with '%s' would be named '%s.vs_%s', "
                        "longer than %zu bytes: shorten the scenario's or the policy's name\n",
                        L[i].path, L[i].sc.policy[L[i].sc.baseline].name, L[i].sc.policy[pol].name,
                        L[i].sc.name, L[i].sc.policy[pol].name, sizeof name - 1);
                if (!why[0])
                    snprintf(why, why_size, "%s: a pair's name is too long", L[i].path);
                bad = EXIT_BAD_INPUT;
                continue;
            }
            if (bf_scenario_pair(&L[i].sc, pol, &x->sc) != 0) {
                fputs("borderflow: out of memory\n", stderr);
                snprintf(why, why_size, "out of memory");
                bad = EXIT_RUN_FAILED;
                break;
            }
            m++;
        }
    }
    for (int i = 0; i < m; i++)
        scs[i] = &M[i].sc;
    for (int i = 0; bad == 0 && i < m; i++)
        if (M[i].pair_of >= 0 && place(M, i, o, why, why_size) != 0)
            bad = EXIT_BAD_INPUT;
    /* a pair's folder against the scenarios after it too */
    for (int i = 0; bad == 0 && i < m; i++)
        for (int k = i + 1; M[i].pair_of >= 0 && k < m; k++)
            if (strcmp(M[k].folder, M[i].folder) == 0) {
                fprintf(stderr,
                        "borderflow: %s and %s would both write %s/ (scenario names '%s' and "
                        "'%s'); give them different names\n",
                        M[i].path, M[k].path, M[i].folder, M[i].sc.name, M[k].sc.name);
                bad = EXIT_BAD_INPUT;
            }
    bf__free(L);
    bf__free(*scsp);
    *Lp = M;
    *scsp = scs;
    *np = m;
    return bad;
}

static int run_cmd(int argc, char **argv, struct mpi_cmd *mc, struct bf_cli_cities *cities)
{
    struct run_opts o = {.out_dir = "out",
                         .seed = -1,
                         .plots = true,
                         .sweeps = true,
                         .report = {.lang = "en", .interrupt = &bf_cli_signal},
                         .max_work = BF_DEFAULT_MAX_SHIPMENTS};
    enum {
        OPT_NO_PLOTS = 256,
        OPT_RESUME,
        OPT_MAX_MEMORY,
        OPT_NO_SWEEPS,
        OPT_MPI,
        OPT_LANG,
        OPT_PDF,
        OPT_MAX_WORK,
        OPT_CSV_BOM,
        OPT_FORCE,
        OPT_CITY
    };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"replications", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"no-plots", no_argument, NULL, OPT_NO_PLOTS},
        {"no-sweeps", no_argument, NULL, OPT_NO_SWEEPS},
        {"resume", no_argument, NULL, OPT_RESUME},
        {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
        {"mpi", no_argument, NULL, OPT_MPI},
        {"lang", required_argument, NULL, OPT_LANG},
        {"pdf", no_argument, NULL, OPT_PDF},
        {"max-work", required_argument, NULL, OPT_MAX_WORK},
        {"csv-bom", no_argument, NULL, OPT_CSV_BOM},
        {"force", no_argument, NULL, OPT_FORCE},
        {"city", required_argument, NULL, OPT_CITY},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    uint64_t v;
    while ((c = getopt_long(argc, argv, ":o:j:r:s:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (optarg[0] == '\0') {
                /* an unset variable (-o "$OUT") would write to /<scenario>/ */
                fputs("borderflow run: -o needs a directory; '' is not one (an unset "
                      "variable?)\n",
                      stderr);
                return EXIT_BAD_INPUT;
            }
            o.out_dir = optarg;
            break;
        case 'j':
            if (!parse_u64(optarg, 256, &v) || v == 0) {
                fprintf(stderr,
                        "borderflow run: -j takes a number of threads from 1 to 256, "
                        "not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            o.jobs = (unsigned)v;
            break;
        case 'r':
            if (!parse_u64(optarg, BF_MAX_REPLICATIONS, &v) || v == 0) {
                fprintf(stderr, "borderflow run: -r takes replications from 1 to %d, not '%s'\n",
                        BF_MAX_REPLICATIONS, optarg);
                return EXIT_BAD_INPUT;
            }
            o.replications = (uint32_t)v;
            break;
        case 's':
            if (!parse_u64(optarg, 9007199254740992ull, &v)) {
                fprintf(stderr, "borderflow run: -s takes a seed from 0 to 2^53, not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            o.seed = (int64_t)v;
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'h':
            run_usage(stdout);
            return 0;
        case OPT_NO_PLOTS:
            o.plots = false;
            break;
        case OPT_NO_SWEEPS:
            o.sweeps = false;
            break;
        case OPT_RESUME:
            o.resume = true;
            break;
        case OPT_MAX_MEMORY:
            if (!bf_cli_parse_size(optarg, &o.max_memory)) {
                fprintf(stderr,
                        "borderflow run: --max-memory takes a size such as 512M or 2G, "
                        "not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case OPT_MPI:
            o.mpi = true;
            break;
        case OPT_LANG:
            if (strcmp(optarg, "en") != 0 && strcmp(optarg, "zh") != 0) {
                fprintf(stderr,
                        "borderflow run: --lang '%s': allowed are en (English) and zh "
                        "(Chinese)\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            o.report.lang = optarg;
            break;
        case OPT_PDF:
            o.pdf = true;
            break;
        case OPT_MAX_WORK:
            if (!bf_cli_parse_count(optarg, &o.max_work)) {
                fprintf(stderr,
                        "borderflow run: --max-work takes a number of shipments such as 5G or "
                        "2e10, not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case OPT_CSV_BOM:
            o.output.csv_bom = true;
            break;
        case OPT_FORCE:
            o.force = true;
            break;
        case OPT_CITY:
            if (bf_cli_cities_add(cities, optarg, "run") != 0)
                return EXIT_BAD_INPUT;
            break;
        case ':':
            fprintf(stderr, "borderflow run: option '%s' needs a value\n", argv[optind - 1]);
            return EXIT_BAD_INPUT;
        default:
            fprintf(stderr, "borderflow run: unknown option '%s'; see 'borderflow run --help'\n",
                    argv[optind - 1]);
            return EXIT_BAD_INPUT;
        }
    }
    if (o.force && o.resume) {
        fputs("borderflow run: --force replaces earlier results and --resume keeps them: give "
              "one of the two\n",
              stderr);
        return EXIT_BAD_INPUT;
    }
    if (optind >= argc) {
        fputs("borderflow run: give at least one scenario file or folder; see 'borderflow run "
              "--help'\n",
              stderr);
        return EXIT_BAD_INPUT;
    }
    if (o.mpi && !mc->on) { /* an abbreviation such as --mp */
        int st = mpi_start(mc);
        if (st != 0)
            return st;
    }
    if (o.max_memory)
        bf_alloc_set_limit(o.max_memory);
    bf_cli_install_signals();

    /* Every rank expands and loads the scenarios itself and must reach the
     * agreement below whatever happens, so failures do not return early. */
    char **paths = NULL;
    int n_paths = bf_cli_expand(argc - optind, argv + optind, &paths);
    int n = n_paths > 0 ? n_paths : 0;
    int bad = 0;
    char why[1200] = ""; /* this rank's first problem, for rank 0 to print */
    if (n_paths < 0) {
        bad = n_paths == BF_CLI_EXPAND_NOMEM ? EXIT_RUN_FAILED : EXIT_BAD_INPUT;
        snprintf(why, sizeof why, "%s", bad == EXIT_RUN_FAILED ? "out of memory" : "");
        /* bf_cli_expand said why on stderr, which only rank 0 shows */
        struct stat st;
        for (int i = optind; !why[0] && i < argc; i++)
            if (stat(argv[i], &st) != 0)
                snprintf(why, sizeof why, "%s: %s", argv[i], strerror(errno));
        if (!why[0])
            snprintf(why, sizeof why, "cannot read the scenario files or folders given");
    }
    struct loaded *L = n > 0 ? bf__calloc((size_t)n, sizeof *L) : NULL;
    for (int i = 0; L != NULL && i < n; i++) {
        L[i].lock_fd = -1;
        L[i].pair_of = -1;
    }
    const struct bf_scenario **scs = n > 0 ? bf__calloc((size_t)n, sizeof *scs) : NULL;
    if (n > 0 && (L == NULL || scs == NULL)) {
        fputs("borderflow: out of memory\n", stderr);
        snprintf(why, sizeof why, "out of memory");
        bad = EXIT_RUN_FAILED;
        n = 0;
    }
    /* every scenario is checked before anything runs */
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        struct bf_problems pb;
        bf_problems_init(&pb);
        L[i].path = paths[i];
        scs[i] = &L[i].sc;
        int rc = bf_scenario_load(paths[i], &L[i].sc, &pb);
        /* a file name found in a folder may hold escape sequences */
        char path[2048];
        bf_text_escape(paths[i], path, sizeof path);
        if (rc == BF_ENOMEM) {
            fprintf(stderr, "borderflow: %s: out of memory while loading%s\n", path,
                    o.max_memory ? " (see --max-memory)" : "");
            snprintf(why, sizeof why, "%s: out of memory while loading", path);
            bf_problems_fini(&pb);
            bad = EXIT_RUN_FAILED;
            break;
        }
        char sel_why[512];
        if (rc == 0 && cities->n > 0 &&
            (rc = bf_scenario_select(&L[i].sc, (const char *const *)cities->name, cities->n,
                                     sel_why, sizeof sel_why)) != 0) {
            /* the scenario stays loaded (freed with the others), its
             * folder unnamed: nothing runs */
            fprintf(stderr, "borderflow run: %s: --city: %s\n", path, sel_why);
            if (!why[0])
                snprintf(why, sizeof why, "%s: --city: %s", path, sel_why);
            bad = rc == BF_ENOMEM ? EXIT_RUN_FAILED : EXIT_BAD_INPUT;
        } else if (rc != 0) {
            bf_cli_print_problems(&pb);
            if (!why[0] && pb.n > 0)
                bf_problem_format(&pb.items[0], why, sizeof why);
            else if (!why[0])
                snprintf(why, sizeof why, "%s: %s", path, bf_strerror(rc));
            bad = EXIT_BAD_INPUT;
        } else if (place(L, i, &o, why, sizeof why) != 0) {
            bad = EXIT_BAD_INPUT;
        }
        bf_problems_fini(&pb);
    }
    if (bad == 0) {
        int st = add_pairs(&L, &scs, &n, &o, why, sizeof why);
        if (st != 0)
            bad = st;
    }
    double load_s = now_s() - t0;

    /* --mpi: the ranks go on only if they all loaded the same */
    if (mc->on) {
        quiet_end(mc);
        char *fp = bad == 0 ? fingerprint(L, n) : NULL;
        if (bad == 0 && fp == NULL) {
            bad = EXIT_RUN_FAILED;
            snprintf(why, sizeof why, "out of memory");
        }
        char report[4096];
        bad = bf_mpi_agree(&mc->m, bad, fp ? fp : "", why, o.jobs, report, sizeof report);
        bf__free(fp);
        if (mc->m.rank == 0 && report[0]) {
            for (char *line = strtok(report, "\n"); line; line = strtok(NULL, "\n"))
                if (!o.quiet || strncmp(line, "warning: ", 9) != 0)
                    fprintf(stderr, "borderflow: --mpi: %s\n", line);
            if (bad != 0)
                fputs("borderflow: --mpi: every rank must read the same scenario files (a "
                      "shared filesystem, or identical copies at the same paths) and run the "
                      "same borderflow; see docs/scaling.md\n",
                      stderr);
        }
    }

    int status = bad;
    if (status == 0 && mc->on && mc->m.rank != 0) {
        /* the other ranks run what rank 0 hands out, and end as it says */
        struct bf_batch_options bo = {.jobs = o.jobs, .interrupt = &bf_cli_signal};
        status = bf_mpi_serve(&mc->m, scs, (uint32_t)n, &bo);
    }
    /* every results folder is claimed before any work, so that a second
     * run into one of them stops at once (rank 0 alone writes) */
    for (int i = 0; status == 0 && (!mc->on || mc->m.rank == 0) && i < n; i++)
        status = claim_folder(&L[i]);
    if (status == 0 && (!mc->on || mc->m.rank == 0))
        status = check_reruns(L, n, &o);
    int finished = 0, skipped = 0;
    for (int i = 0; status == 0 && (!mc->on || mc->m.rank == 0) && i < n; i++) {
        struct loaded *x = &L[i];
        uint64_t seed = o.seed >= 0 ? (uint64_t)o.seed : x->sc.seed;
        uint32_t reps = o.replications ? o.replications : x->sc.replications;
        enum resume_state rs =
            o.resume ? resume_state(x->folder, &x->sc, seed, reps, o.sweeps, o.plots) : RESUME_RUN;
        if (rs == RESUME_DONE) {
            if (!o.quiet)
                fprintf(stderr, "%s: results in %s/ are complete and up to date; skipped\n",
                        x->sc.name, x->folder);
            skipped++;
            continue;
        }
        int s;
        if (rs == RESUME_REDRAW) {
            s = redraw(x, &o);
            if (s == 0 && !bf_cli_signal) {
                skipped++;
                continue;
            }
        } else {
            if (mc->on)
                mc->m.scenario = (uint32_t)i;
            s = run_one(x, &o, load_s / n, mc->on ? &mc->m : NULL);
            if (s == 0)
                finished++; /* complete, even when a signal came as it ended */
        }
        if (s < 0 || bf_cli_signal) {
            /* say exactly what is left of the scenario that was running */
            int sig = bf_cli_signal ? bf_cli_signal : SIGINT;
            const char *signame = bf_cli_signal_name(sig);
            if (s == -1)
                fprintf(stderr,
                        "borderflow: interrupted by %s: %d scenario(s) finished and kept in "
                        "%s/; '%s' was not finished and nothing of this run of it was "
                        "written. Run again with --resume to do the rest.\n",
                        signame, finished, o.out_dir, x->sc.name);
            else if (s == -2)
                fprintf(stderr,
                        "borderflow: interrupted by %s while drawing '%s': its numbers are "
                        "complete and kept in %s/ (run.json records them); its charts, "
                        "report.html and results.xlsx were removed. %d scenario(s) finished "
                        "before. Run again with --resume to draw them and do the rest.\n",
                        signame, x->sc.name, x->folder, finished);
            else
                fprintf(stderr,
                        "borderflow: interrupted by %s after '%s' ended: %d scenario(s) "
                        "finished and kept in %s/. Run again with --resume to do the rest.\n",
                        signame, x->sc.name, finished, o.out_dir);
            status = 128 + sig;
            break;
        }
        if (s != 0)
            status = s;
    }
    (void)skipped;
    /* rank 0 ends the other ranks' loop once everything is written */
    if (mc->on && mc->m.rank == 0 && bad == 0)
        bf_mpi_end(&mc->m, status);
    for (int i = 0; i < n; i++) {
        release_folder(&L[i]);
        if (L[i].pair_of >= 0)
            bf_scenario_pair_fini(&L[i].sc);
    }
    for (int i = 0; i < n; i++)
        if (L[i].pair_of < 0)
            bf_scenario_fini(&L[i].sc);
    bf__free(scs);
    bf__free(L);
    if (n_paths > 0)
        bf_cli_free_paths(paths, n_paths);
    return status;
}

int bf_cmd_run(int argc, char **argv)
{
    struct mpi_cmd mc = {.saved_fd = {-1, -1}};
    if (asks_mpi(argc, argv)) {
        int st = mpi_start(&mc);
        if (st != 0)
            return st;
    }
    struct bf_cli_cities cities = {0};
    int status = run_cmd(argc, argv, &mc, &cities);
    bf_cli_cities_fini(&cities);
    quiet_end(&mc);
    if (mc.on)
        bf_mpi_finalize(&mc.m);
    return status;
}

/* ---- shared helpers ---- */

/*
 * Records `plots` in run.json; when that cannot be written (a full disk)
 * and run.json says "drawn", which is no longer true, run.json is removed:
 * the folder is then incomplete and --resume runs it again. A run.json
 * that says anything else makes --resume draw again anyway. Says on
 * stderr what it did. 0 when recorded.
 */
static int record_truthfully(const char *prog, const char *folder, const char *name,
                             const char *plots)
{
    struct bf_diag rd;
    if (bf_cli_record_plots(folder, plots, &rd) == 0)
        return 0;
    char path[BF_PATH_MAX];
    if (bf_path_join(path, sizeof path, folder, "run.json", NULL) != 0)
        return -1;
    char buf[1 << 16] = "";
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f != NULL)
        fclose(f);
    buf[n] = '\0';
    cJSON *rj = bf_json_parse(buf, n, NULL, NULL);
    const char *now = rj != NULL ? bf_json_str(rj, "plots") : NULL;
    if (now == NULL || strcmp(now, "drawn") == 0) {
        remove(path);
        fprintf(stderr,
                "%s: %s: %s; run.json removed, as it said the charts were drawn, so the folder "
                "is not taken for complete (--resume runs it again)\n",
                prog, name, rd.msg);
    } else {
        fprintf(stderr,
                "%s: %s: %s; run.json still says \"%.80s\", so --resume draws the charts "
                "again\n",
                prog, name, rd.msg, now);
    }
    cJSON_Delete(rj);
    return -1;
}

/*
 * The report, its PDF (with pdf) and the workbook of a folder whose
 * run.json is written, with "plots" saying `plots` ("drawn", "failed:
 * ...", "not drawn: ..."). When one
 * cannot be written (a full disk) run.json is changed to say so, so that
 * --resume draws again; when not even that can be written, run.json is
 * removed and the folder is incomplete (--resume runs it again). An
 * interrupt on the way removes the charts, report and workbook and
 * records that. Returns 0, 1 when something was not written (said on
 * stderr), -1 when interrupted.
 */
int bf_cli_finish_report(const char *prog, const char *folder, const char *name,
                         const struct bf_report_options *ro, bool pdf, const char *plots)
{
    struct bf_diag rd;
    bf_diag_clear(&rd);
    char what[sizeof rd.msg + 64] = "";
    if (bf_report_write(folder, ro, &rd) != 0)
        snprintf(what, sizeof what, "report.html not written: %s", rd.msg);
    else if (pdf && !bf_cli_signal && bf_report_pdf(folder, &rd) != 0)
        snprintf(what, sizeof what, "report.pdf not written: %s", rd.msg);
    else if (!bf_cli_signal && bf_workbook_write(folder, &rd) != 0)
        snprintf(what, sizeof what, "results.xlsx not written: %s", rd.msg);
    /* what run.json says becomes: the charts' state, and this */
    char failed[2 * sizeof rd.msg + 96] = "";
    if (bf_cli_signal) {
        bf_plot_clear(folder);
        snprintf(failed, sizeof failed, "not drawn: interrupted by %s",
                 bf_cli_signal_name(bf_cli_signal));
    } else if (what[0] != '\0') {
        fprintf(stderr, "%s: %s: %s\n", prog, name, what);
        if (strcmp(plots, "drawn") == 0)
            snprintf(failed, sizeof failed, "failed: %s", what);
        else
            snprintf(failed, sizeof failed, "%s; %s", plots, what);
    }
    if (failed[0] != '\0')
        record_truthfully(prog, folder, name, failed);
    return bf_cli_signal ? -1 : failed[0] != '\0' ? 1 : 0;
}

/*
 * Draws a complete folder again: the charts, run.json's "plots" set to
 * what they became, then bf_cli_finish_report. What `borderflow plot` and
 * `run --resume` do with a folder whose numbers are complete. Returns 0
 * (everything drawn), BF_ENOGNUPLOT or BF_ECHILD (charts missing, the
 * report and workbook written), BF_EIO (the report or workbook not
 * written, or run.json not updated), BF_EINTR (interrupted: nothing drawn
 * left, run.json saying so), or the folder's error (BF_ENOENT, BF_EPARSE:
 * not a complete results folder). Messages go to stderr, after
 * "PROG: NAME: ".
 */
int bf_cli_redraw(const char *prog, const char *folder, const char *name,
                  const struct bf_report_options *ro, bool pdf)
{
    struct bf_diag d;
    int rc = bf_plot_charts(folder, &bf_cli_signal, &d);
    char plots[sizeof d.msg + 16];
    if (rc == BF_EINTR || bf_cli_signal) {
        bf_plot_clear(folder);
        snprintf(plots, sizeof plots, "not drawn: interrupted by %s",
                 bf_cli_signal_name(bf_cli_signal ? bf_cli_signal : SIGINT));
        record_truthfully(prog, folder, name, plots);
        return BF_EINTR;
    }
    if (rc != 0 && rc != BF_ENOGNUPLOT && rc != BF_ECHILD) {
        fprintf(stderr, "%s: %s: %s\n", prog, name, d.msg[0] ? d.msg : bf_strerror(rc));
        return rc;
    }
    if (rc == 0)
        snprintf(plots, sizeof plots, "drawn");
    else if (rc == BF_ENOGNUPLOT)
        snprintf(plots, sizeof plots, "not drawn: gnuplot not found");
    else
        snprintf(plots, sizeof plots, "failed: %s", d.msg);
    if (rc != 0)
        fprintf(stderr, "%s: %s: charts %s\n", prog, name, rc == BF_ENOGNUPLOT ? d.msg : plots);
    if (record_truthfully(prog, folder, name, plots) != 0)
        return BF_EIO;
    int f = bf_cli_finish_report(prog, folder, name, ro, pdf, plots);
    return f < 0 ? BF_EINTR : f > 0 ? BF_EIO : rc;
}

/* run.json's "plots" set to what a drawing did (the file rewritten through
 * a temporary file like every other). */
int bf_cli_record_plots(const char *folder, const char *plots, struct bf_diag *d)
{
    char path[BF_PATH_MAX];
    int rc = bf_path_join(path, sizeof path, folder, "run.json", d);
    if (rc != 0)
        return rc;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        bf_diag_set(d, "cannot read '%s': %s", path, strerror(errno));
        return BF_EIO;
    }
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    bool oom = false;
    cJSON *rj = bf_json_parse(buf, n, &oom, NULL);
    if (rj == NULL) {
        bf_diag_set(d, "'%s' is not valid JSON", path);
        return oom ? BF_ENOMEM : BF_EPARSE;
    }
    cJSON *v = cJSON_CreateString(plots);
    char *text = v != NULL && cJSON_ReplaceItemInObjectCaseSensitive(rj, "plots", v)
                     ? cJSON_Print(rj)
                     : NULL;
    if (text == NULL && v != NULL && cJSON_GetObjectItemCaseSensitive(rj, "plots") != v)
        cJSON_Delete(v);
    cJSON_Delete(rj);
    if (text == NULL) {
        bf_diag_set(d, "out of memory");
        return BF_ENOMEM;
    }
    char tmp[BF_PATH_MAX];
    FILE *out = bf_temp_create(folder, "run.json", tmp, sizeof tmp, &rc, d);
    if (out != NULL) {
        int ok = fputs(text, out) >= 0 && fputc('\n', out) != EOF;
        rc = bf_temp_commit(out, tmp, folder, "run.json", ok, d);
    }
    cJSON_free(text);
    return rc;
}

void bf_cli_print_problems(const struct bf_problems *p)
{
    for (size_t i = 0; i < p->n; i++) {
        char line[1200];
        bf_problem_format(&p->items[i], line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    if (p->dropped)
        fprintf(stderr, "... and %zu more problems\n", p->dropped);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push(char ***v, int *n, int *cap, const char *s)
{
    if (*n == *cap) {
        int ncap = *cap ? 2 * *cap : 16;
        char **nv = bf__realloc(*v, (size_t)ncap * sizeof *nv);
        if (nv == NULL)
            return -1;
        *v = nv;
        *cap = ncap;
    }
    char *c = bf__strdup(s);
    if (c == NULL)
        return -1;
    (*v)[(*n)++] = c;
    return 0;
}

int bf_cli_expand(int argc, char **argv, char ***out)
{
    char **v = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "borderflow: %s: %s\n", argv[i], strerror(errno));
            bf_cli_free_paths(v, n);
            return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (push(&v, &n, &cap, argv[i]) != 0)
                goto oom;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (d == NULL) {
            fprintf(stderr, "borderflow: %s: %s\n", argv[i], strerror(errno));
            bf_cli_free_paths(v, n);
            return -1;
        }
        int first = n;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.')
                continue;
            char p[2048];
            size_t dl = strlen(argv[i]);
            snprintf(p, sizeof p, "%s%s%s", argv[i], dl && argv[i][dl - 1] == '/' ? "" : "/",
                     e->d_name);
            if (push(&v, &n, &cap, p) != 0) {
                closedir(d);
                goto oom;
            }
        }
        closedir(d);
        if (n == first) {
            fprintf(stderr, "borderflow: %s: no .json scenario files in this folder\n", argv[i]);
            bf_cli_free_paths(v, n);
            return -1;
        }
        qsort(v + first, (size_t)(n - first), sizeof *v, cmp_str);
    }
    *out = v;
    return n;
oom:
    fputs("borderflow: out of memory\n", stderr);
    bf_cli_free_paths(v, n);
    return BF_CLI_EXPAND_NOMEM;
}

void bf_cli_free_paths(char **paths, int n)
{
    for (int i = 0; i < n; i++)
        bf__free(paths[i]);
    bf__free(paths);
}

int bf_cli_cities_add(struct bf_cli_cities *c, const char *name, const char *cmd)
{
    if (name[0] == '\0') {
        fprintf(stderr, "borderflow %s: --city needs a city's name; '' is not one\n", cmd);
        return -1;
    }
    if (c->n == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 8;
        char **nv = bf__realloc(c->name, ncap * sizeof *nv);
        if (nv == NULL) {
            fprintf(stderr, "borderflow %s: out of memory\n", cmd);
            return -1;
        }
        c->name = nv;
        c->cap = ncap;
    }
    if ((c->name[c->n] = bf__strdup(name)) == NULL) {
        fprintf(stderr, "borderflow %s: out of memory\n", cmd);
        return -1;
    }
    c->n++;
    return 0;
}

void bf_cli_cities_fini(struct bf_cli_cities *c)
{
    for (size_t i = 0; i < c->n; i++)
        bf__free(c->name[i]);
    bf__free(c->name);
    memset(c, 0, sizeof *c);
}

void bf_cli_describe_selection(const struct bf_scenario *sc, char *buf, size_t size)
{
    buf[0] = '\0';
    if (sc->selection[0] == '\0')
        return;
    const char *by = strcmp(sc->selection, "select") == 0   ? "\"select\""
                     : strcmp(sc->selection, "--city") == 0 ? "--city"
                                                            : "\"select\" and --city";
    int n = snprintf(buf, size, " (%u of the %u listed, kept by %s", sc->n_cities,
                     sc->n_cities_listed, by);
    size_t used = n > 0 ? (size_t)n : 0;
    for (uint32_t i = 0; i < sc->n_cities && sc->n_cities <= 8 && used < size; i++)
        used +=
            (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : ": ", sc->city[i].name);
    if (used < size)
        snprintf(buf + used, size - used, ")");
}
