/*
 * gnuplot.c - the chart driver: data files, scripts, and gnuplot itself.
 *
 * gnuplot runs as a child process, one per chart and all at once (a chart
 * is independent of the others, and the largest -- 45 small multiples --
 * would otherwise hold up the rest). It is started with fork + execv: no
 * shell is involved, so no path or name is ever parsed as a command line.
 * posix_spawn was the other choice, but it cannot change the child's
 * directory portably (the scripts use paths relative to charts/, so that a
 * user can rerun them there).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "borderflow/alloc.h"
#include "borderflow/fs.h"
#include "borderflow/plot.h"

#include "charts.h"
#include "internal.h"

/* ---- gnuplot on PATH ---- */

/* The first program `name` on PATH. Entries that are not absolute paths
 * (empty, ".") are skipped: a program that happens to have that name in the
 * current directory is not one to run (and a child may change directory
 * before it starts). 0, or -1 when there is none. */
int bf__find_program(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH");
    for (const char *p = path; p != NULL && *p != '\0';) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        int w = snprintf(out, size, "%.*s/%s", (int)n, p, name);
        struct stat st;
        if (p[0] == '/' && w > 0 && (size_t)w < size && stat(out, &st) == 0 &&
            S_ISREG(st.st_mode) && access(out, X_OK) == 0)
            return 0;
        p = e ? e + 1 : NULL;
    }
    return -1;
}

int bf__gnuplot_find(char *out, size_t size)
{
    return bf__find_program("gnuplot", out, size) == 0 ? 0 : BF_ENOGNUPLOT;
}

/* ---- files ---- */

/* dir/name through a fresh temporary file renamed into place (fs.h): a
 * link planted at a script's or README's name is replaced, never written
 * through. */
static int write_file(const char *dir, const char *name, const void *data, size_t len,
                      struct bf_diag *diag)
{
    char tmp[BF_PATH_MAX];
    int rc;
    FILE *f = bf_temp_create(dir, name, tmp, sizeof tmp, &rc, diag);
    if (f == NULL)
        return rc;
    const bool ok = fwrite(data, 1, len, f) == len;
    return bf_temp_commit(f, tmp, dir, name, ok, diag);
}

static void remove_in(const char *dir, const char *name)
{
    char path[1400];
    if (bf__path(path, sizeof path, dir, name, NULL) == 0)
        remove(path);
}

/* Removes the .dat files of an earlier drawing (a run with more cities
 * leaves released_N.dat files this one would not overwrite). */
static void clear_data(const char *data_dir)
{
    DIR *d = opendir(data_dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".dat") == 0)
            remove_in(data_dir, e->d_name);
    }
    closedir(d);
}

/* Removes what an earlier drawing left in charts/: images, scripts, logs
 * and data (only the files this program writes there). */
static void clear_charts(const char *charts_dir)
{
    /* and the charts earlier versions drew, which a folder drawn by one of
     * them still holds */
    static const char *const retired[] = {"cash_top", "cash_all", "delta"};
    size_t n = bf__charts_n + sizeof retired / sizeof retired[0];
    for (size_t i = 0; i < n; i++) {
        const char *name = i < bf__charts_n ? bf__charts[i].name : retired[i - bf__charts_n];
        const char *ext[] = {"png", "svg", "log", "gp"};
        for (size_t k = 0; k < 4; k++) {
            char file[128];
            snprintf(file, sizeof file, "%s.%s", name, ext[k]);
            remove_in(charts_dir, file);
            /* and an image an interrupted gnuplot left under its part name */
            snprintf(file, sizeof file, ".%s.%s.part", name, ext[k]);
            if (k < 2)
                remove_in(charts_dir, file);
        }
    }
    static const char *const shared[] = {"style.gp", "term.gp", "timetics.gp", "README.txt"};
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
        remove_in(charts_dir, shared[i]);
    char data_dir[1400];
    if (bf__path(data_dir, sizeof data_dir, charts_dir, "data", NULL) == 0 &&
        bf_dir_check(data_dir, NULL) == 0)
        clear_data(data_dir);
}

void bf_plot_clear(const char *dir)
{
    char charts_dir[1200];
    /* never through a link: charts/ that is one is left alone */
    if (bf__path(charts_dir, sizeof charts_dir, dir, "charts", NULL) == 0 &&
        bf_dir_check(charts_dir, NULL) == 0)
        clear_charts(charts_dir);
    remove_in(dir, "report.html");
    remove_in(dir, "results.xlsx");
    remove_in(dir, "report.pdf");
}

bool bf_plot_is_result(const char *name)
{
    static const char *const made[] = {"charts", "report.html", "report.pdf", "report.pdf.log",
                                       "results.xlsx"};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
        if (strcmp(name, made[i]) == 0)
            return true;
    return false;
}

static const struct bf__template *find_template(const char *name)
{
    for (size_t i = 0; i < bf__templates_n; i++)
        if (strcmp(bf__templates[i].name, name) == 0)
            return &bf__templates[i];
    return NULL;
}

static int write_template(const char *charts_dir, const char *name, struct bf_diag *diag)
{
    const struct bf__template *t = find_template(name);
    if (t == NULL) { /* a chart without its plots/NAME.gp: a build mistake */
        bf_diag_set(diag, "no gnuplot template '%s' in this build of borderflow", name);
        return BF_EINVAL;
    }
    return write_file(charts_dir, name, t->text, t->len, diag);
}

static const char readme[] =
    "Charts of this results folder, drawn by `borderflow plot` with gnuplot.\n"
    "\n"
    "  NAME.png, NAME.svg  a chart\n"
    "  NAME.gp             its gnuplot script (style.gp, term.gp, timetics.gp shared)\n"
    "  data/*.dat          its data, prepared from the CSV files one folder up;\n"
    "                      each file's first lines name the CSV and columns\n"
    "\n"
    "To redraw one chart by hand: cd into this folder and run `gnuplot NAME.gp`.\n"
    "To redraw everything, and report.html: `borderflow plot <results folder>`.\n"
    "docs/report.md in the borderflow sources describes every chart.\n";

/* ---- running gnuplot ---- */

struct job {
    const char *name;
    pid_t pid; /* 0 once reaped */
    int status;
    char why[200]; /* why the chart is not drawn, or "" */
};

/* Starts `gnuplot -d NAME.gp` in charts_dir, its output into NAME.log; with
 * arg, `gnuplot -d -c NAME.gp ARG` (the script's ARG1). With part, the
 * script draws into .NAME.FORMAT.part (term.gp), renamed once whole. */
static int start(const char *gnuplot, const char *charts_dir, struct job *j, const char *arg,
                 bool part, struct bf_diag *diag)
{
    char log[1400], script[128];
    snprintf(script, sizeof script, "%s.gp", j->name);
    char logname[128];
    snprintf(logname, sizeof logname, "%s.log", j->name);
    int rc = bf__path(log, sizeof log, charts_dir, logname, diag);
    if (rc != 0)
        return rc;
    /* a link planted at the log's name is replaced, not written through */
    remove(log);
    int fd = open(log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || nul < 0) {
        bf_diag_set(diag, "cannot write '%s': %s", log, strerror(errno));
        if (fd >= 0)
            close(fd);
        if (nul >= 0)
            close(nul);
        return BF_EIO;
    }
    /* -d: no ~/.gnuplot, so every machine draws the same charts */
    char arg0[] = "gnuplot", arg1[] = "-d", arg2[] = "-c", arg_e[] = "-e", arg_part[] = "bf_part=1",
         arg4[128];
    snprintf(arg4, sizeof arg4, "%s", arg ? arg : "");
    char *const plain[] = {arg0, arg1, script, NULL};
    char *const with_part[] = {arg0, arg1, arg_e, arg_part, script, NULL};
    char *const with_arg[] = {arg0, arg1, arg2, script, arg4, NULL};
    char *const *argv = arg ? with_arg : part ? with_part : plain;
    pid_t pid = fork();
    if (pid == 0) {
        /* the child: only async-signal-safe calls until execv; the
         * signals the parent catches are reset by execv, and its own
         * process keeps the parent's group, so a terminal's ^C reaches
         * it too */
        if (chdir(charts_dir) != 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(126);
        execv(gnuplot, argv);
        _exit(127);
    }
    int e = errno;
    close(fd);
    close(nul);
    if (pid < 0) {
        bf_diag_set(diag, "cannot start gnuplot: %s", strerror(e));
        return BF_ECHILD;
    }
    j->pid = pid;
    return 0;
}

static bool interrupted(const atomic_int *interrupt)
{
    return interrupt != NULL && atomic_load(interrupt) != 0;
}

/* Waits for every job; when *interrupt is set meanwhile, ends the jobs
 * still running (SIGTERM) and reaps them. The wait is a poll every 20 ms
 * rather than a blocking waitpid, so that a signal that comes just before
 * the wait is not missed until gnuplot ends by itself. true when
 * interrupted. */
static bool wait_all(struct job *jobs, size_t n, const atomic_int *interrupt)
{
    bool stop = false;
    for (;;) {
        size_t running = 0;
        for (size_t i = 0; i < n; i++) {
            if (jobs[i].pid <= 0)
                continue;
            pid_t r = waitpid(jobs[i].pid, &jobs[i].status, WNOHANG);
            if (r == jobs[i].pid || (r < 0 && errno == ECHILD))
                jobs[i].pid = 0;
            else
                running++;
        }
        if (running == 0)
            return stop;
        if (!stop && interrupted(interrupt)) {
            stop = true;
            for (size_t i = 0; i < n; i++)
                if (jobs[i].pid > 0)
                    kill(jobs[i].pid, SIGTERM);
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* The last line of NAME.log: gnuplot stops at the error, so its last
 * message is the one that matters. */
static void log_reason(const char *dir, const char *name, char *out, size_t size)
{
    char file[256], path[1400];
    snprintf(file, sizeof file, "%s.log", name);
    snprintf(out, size, "see %s/%s", dir, file);
    if (bf__path(path, sizeof path, dir, file, NULL) != 0)
        return;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char line[512], last[512] = "";
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[strspn(line, " \t^")] != '\0')
            snprintf(last, sizeof last, "%s", line);
    }
    fclose(f);
    if (last[0] != '\0')
        snprintf(out, size, "%s (%s/%s)", last, dir, file);
}

/*
 * Is the image at path whole? gnuplot exits 0 when the disk fills while it
 * writes (neither cairo's PNG writer nor the SVG terminal checks every
 * write), so its status says nothing of the file: a PNG is whole when it
 * starts with the PNG signature and ends with the IEND chunk (the PNG
 * specification, 5.2 and 11.2.5), an SVG when it starts with "<?xml" or
 * "<svg" and its last characters are the closing "</svg>". Written by hand:
 * reading the first and last bytes is all a check of completeness needs,
 * not a PNG or XML library. On success the file is also synced, so that a
 * crash after the rename cannot leave a drawn name with no content. 0, or
 * -1 with why set.
 */
int bf__image_check(const char *path, bool svg, char *why, size_t size)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, size, "not written (%s)", strerror(fd < 0 ? errno : EINVAL));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    unsigned char head[8] = {0}, tail[64] = {0};
    size_t n_tail = st.st_size < (off_t)sizeof tail ? (size_t)st.st_size : sizeof tail;
    bool ok = st.st_size >= 8 && pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
              pread(fd, tail, n_tail, st.st_size - (off_t)n_tail) == (ssize_t)n_tail;
    if (ok && svg) {
        while (n_tail > 0 && strchr(" \t\r\n", tail[n_tail - 1]) != NULL && tail[n_tail - 1])
            n_tail--;
        ok = (memcmp(head, "<?xml", 5) == 0 || memcmp(head, "<svg", 4) == 0) && n_tail >= 6 &&
             memcmp(tail + n_tail - 6, "</svg>", 6) == 0;
    } else if (ok) {
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        static const unsigned char iend[12] = {0,   0,   0,    0,    'I',  'E',
                                               'N', 'D', 0xae, 0x42, 0x60, 0x82};
        ok = n_tail >= 12 && memcmp(head, sig, 8) == 0 && memcmp(tail + n_tail - 12, iend, 12) == 0;
    }
    if (!ok)
        snprintf(why, size, "cut short: %lld bytes without the %s (disk full?)",
                 (long long)st.st_size, svg ? "closing </svg>" : "PNG end chunk");
    else if (fsync(fd) != 0) {
        snprintf(why, size, "not saved: %s", strerror(errno));
        ok = false;
    }
    close(fd);
    return ok ? 0 : -1;
}

/* Checks NAME's two part files and renames them into place; on failure
 * removes both and says why in j->why. */
static void commit_images(const char *charts_dir, struct job *j)
{
    char part[2][1400], final[2][1400];
    const char *fmt[2] = {"png", "svg"};
    bool ok = true;
    for (int k = 0; k < 2; k++) {
        char pn[160], fn[160];
        snprintf(pn, sizeof pn, ".%s.%s.part", j->name, fmt[k]);
        snprintf(fn, sizeof fn, "%s.%s", j->name, fmt[k]);
        if (bf__path(part[k], sizeof part[k], charts_dir, pn, NULL) != 0 ||
            bf__path(final[k], sizeof final[k], charts_dir, fn, NULL) != 0) {
            snprintf(j->why, sizeof j->why, "path too long");
            ok = false;
        }
    }
    for (int k = 0; ok && k < 2; k++) {
        char why[160];
        if (bf__image_check(part[k], k == 1, why, sizeof why) != 0) {
            snprintf(j->why, sizeof j->why, "%s.%s %s", j->name, fmt[k], why);
            ok = false;
        }
    }
    for (int k = 0; ok && k < 2; k++)
        if (rename(part[k], final[k]) != 0) {
            snprintf(j->why, sizeof j->why, "cannot rename %s.%s: %s", j->name, fmt[k],
                     strerror(errno));
            ok = false;
        }
    if (!ok)
        for (int k = 0; k < 2; k++) {
            remove(part[k]);
            remove(final[k]); /* never one image of a pair: the report shows the PNG */
        }
}

/*
 * Draws every job's chart at once. Each is drawn under its part names and
 * renamed when whole (commit_images), so nothing half-drawn ever has a
 * chart's name. Returns 0; BF_ECHILD when some failed (diag names every
 * one and why); BF_EINTR when *interrupt was set: every gnuplot ended and
 * no image of this drawing left.
 */
static int run_all(const char *gnuplot, const char *charts_dir, struct job *jobs, size_t n,
                   const atomic_int *interrupt, struct bf_diag *diag)
{
    int rc = 0;
    size_t started = 0;
    for (; started < n && !interrupted(interrupt); started++) {
        rc = start(gnuplot, charts_dir, &jobs[started], NULL, true, diag);
        if (rc != 0)
            break;
    }
    if (wait_all(jobs, started, interrupt) || (rc == 0 && interrupted(interrupt))) {
        clear_charts(charts_dir); /* nothing of this drawing stays */
        bf_diag_set(diag, "interrupted: no chart drawn");
        return BF_EINTR;
    }
    size_t n_failed = 0;
    for (size_t i = 0; i < started; i++) {
        struct job *j = &jobs[i];
        char logname[128];
        snprintf(logname, sizeof logname, "%s.log", j->name);
        if (WIFEXITED(j->status) && WEXITSTATUS(j->status) == 0) {
            commit_images(charts_dir, j);
            if (j->why[0] == '\0') {
                remove_in(charts_dir, logname);
                continue;
            }
        } else {
            commit_images(charts_dir, j); /* removes what it left */
            if (WIFEXITED(j->status) && WEXITSTATUS(j->status) == 127)
                snprintf(j->why, sizeof j->why, "gnuplot could not be started");
            else if (WIFSIGNALED(j->status))
                snprintf(j->why, sizeof j->why, "gnuplot ended by signal %d", WTERMSIG(j->status));
            else
                log_reason(charts_dir, j->name, j->why, sizeof j->why);
        }
        n_failed++;
    }
    if (rc != 0 || n_failed == 0 || diag == NULL)
        return rc != 0 || n_failed == 0 ? rc : BF_ECHILD;
    /* every failure, as far as the message holds them: run.json keeps it */
    int len =
        snprintf(diag->msg, sizeof diag->msg, "%zu of %zu charts not drawn:", n_failed, started);
    for (size_t i = 0; i < started && len >= 0 && (size_t)len < sizeof diag->msg; i++)
        if (jobs[i].why[0] != '\0')
            len += snprintf(diag->msg + len, sizeof diag->msg - (size_t)len, " %s: %s;",
                            jobs[i].name, jobs[i].why);
    if (len > 0 && (size_t)len < sizeof diag->msg && diag->msg[len - 1] == ';')
        diag->msg[len - 1] = '\0';
    return BF_ECHILD;
}

int bf__gnuplot_run(const char *gnuplot, const char *dir, const char *name, const char *arg,
                    struct bf_diag *diag)
{
    struct job j = {.name = name};
    int rc = start(gnuplot, dir, &j, arg, false, diag);
    if (rc != 0)
        return rc;
    char logname[128];
    snprintf(logname, sizeof logname, "%s.log", name);
    wait_all(&j, 1, NULL);
    if (WIFEXITED(j.status) && WEXITSTATUS(j.status) == 0) {
        remove_in(dir, logname);
        return 0;
    }
    char reason[700];
    if (WIFEXITED(j.status) && WEXITSTATUS(j.status) == 127)
        snprintf(reason, sizeof reason, "gnuplot could not be started");
    else
        log_reason(dir, name, reason, sizeof reason);
    bf_diag_set(diag, "gnuplot failed: %s", reason);
    return BF_ECHILD;
}

/* ---- the charts ---- */

int bf_plot_charts(const char *dir, const atomic_int *interrupt, struct bf_diag *diag)
{
    bf_diag_clear(diag);
    struct bf__folder f;
    int rc = bf__folder_load(dir, &f, diag);
    if (rc != 0)
        return rc;
    struct bf__plotctx x = {.f = &f};
    char data_dir[1200];
    uint32_t *order = bf__malloc(((size_t)f.n_cities + 1) * sizeof *order);
    struct job jobs[BF__CHARTS_MAX];
    int drawn[BF__CHARTS_MAX] = {0};
    size_t n_jobs = 0;
    if (order == NULL) {
        rc = BF_ENOMEM;
        goto out;
    }
    bf__folder_rank(&f, order);
    x.order = order;
    x.n_top = f.n_cities < BF__TOP_CITIES ? f.n_cities : BF__TOP_CITIES;
    x.n_panels = f.n_cities < BF__PANELS_MAX ? f.n_cities : BF__PANELS_MAX;
    const cJSON *horizon = cJSON_GetObjectItemCaseSensitive(f.summary, "horizon");
    const char *run_start = bf_json_str(horizon, "run_start");
    snprintf(x.run_start, sizeof x.run_start, "%s", run_start != NULL ? run_start : "");
    /* charts/ and charts/data/ must be real directories: a link there would
     * take the charts, and the removal of earlier ones, somewhere else */
    struct stat lst;
    if ((rc = bf__path(x.charts_dir, sizeof x.charts_dir, dir, "charts", diag)) != 0 ||
        (rc = bf__path(data_dir, sizeof data_dir, x.charts_dir, "data", diag)) != 0 ||
        (lstat(x.charts_dir, &lst) == 0 && (rc = bf_dir_check(x.charts_dir, diag)) != 0) ||
        (lstat(data_dir, &lst) == 0 && (rc = bf_dir_check(data_dir, diag)) != 0) ||
        (rc = bf_mkdirs(data_dir, diag)) != 0 || (rc = bf_dir_check(x.charts_dir, diag)) != 0 ||
        (rc = bf_dir_check(data_dir, diag)) != 0)
        goto out;
    /* no image of an earlier drawing may outlive this one */
    clear_charts(x.charts_dir);
    if (!f.has_compare)
        goto out; /* one policy: nothing to compare, nothing drawn (the report says so) */

    for (size_t i = 0; i < bf__charts_n; i++)
        if ((rc = bf__charts[i].prep(&x, &drawn[i], diag)) != 0)
            goto out;
    char counts[160];
    int len =
        snprintf(counts, sizeof counts, "# key\tvalue\nn_cities\t%u\nn_top\t%u\nn_panels\t%u\n",
                 f.n_cities, x.n_top, x.n_panels);
    if ((rc = write_file(data_dir, "counts.dat", counts, (size_t)len, diag)) != 0)
        goto out;
    if ((rc = bf__chart_labels(&x, diag)) != 0 ||
        (rc = write_template(x.charts_dir, "style.gp", diag)) != 0 ||
        (rc = write_template(x.charts_dir, "term.gp", diag)) != 0 ||
        (rc = write_template(x.charts_dir, "timetics.gp", diag)) != 0 ||
        (rc = write_file(x.charts_dir, "README.txt", readme, sizeof readme - 1, diag)) != 0)
        goto out;
    for (size_t i = 0; i < bf__charts_n; i++) {
        if (!drawn[i])
            continue;
        char gp[128];
        snprintf(gp, sizeof gp, "%s.gp", bf__charts[i].name);
        if ((rc = write_template(x.charts_dir, gp, diag)) != 0)
            goto out;
        jobs[n_jobs++] = (struct job){.name = bf__charts[i].name};
    }
    char gnuplot[1024];
    if (bf__gnuplot_find(gnuplot, sizeof gnuplot) != 0) {
        bf_diag_set(diag,
                    "gnuplot not found on PATH: no charts drawn (the numbers are complete); "
                    "their scripts and data are in %s/ -- install gnuplot and run "
                    "'borderflow plot %s'",
                    x.charts_dir, dir);
        rc = BF_ENOGNUPLOT;
        goto out;
    }
    rc = run_all(gnuplot, x.charts_dir, jobs, n_jobs, interrupt, diag);
out:
    bf__free(order);
    bf__folder_fini(&f);
    return rc;
}

int bf_plot_folder(const char *dir, const struct bf_report_options *opt, struct bf_diag *diag)
{
    struct bf_diag charts;
    const atomic_int *interrupt = opt != NULL ? opt->interrupt : NULL;
    int rc = bf_plot_charts(dir, interrupt, &charts);
    if (rc != 0 && rc != BF_ENOGNUPLOT && rc != BF_ECHILD) {
        if (rc == BF_EINTR)
            bf_plot_clear(dir); /* no report of an earlier drawing either */
        if (diag != NULL)
            *diag = charts;
        return rc;
    }
    if (interrupted(interrupt)) {
        bf_plot_clear(dir);
        bf_diag_set(diag, "interrupted: no chart drawn");
        return BF_EINTR;
    }
    int rc2 = bf_report_write(dir, opt, diag);
    if (rc2 == 0 && interrupted(interrupt))
        rc2 = BF_EINTR;
    if (rc2 == 0)
        rc2 = bf_workbook_write(dir, diag);
    if (rc2 == 0 && interrupted(interrupt))
        rc2 = BF_EINTR;
    if (rc2 == BF_EINTR) {
        bf_plot_clear(dir);
        bf_diag_set(diag, "interrupted: no chart drawn");
    }
    if (rc2 != 0)
        return rc2;
    if (diag != NULL)
        *diag = charts;
    return rc;
}
