/*
 * pdf.c - report.pdf: report.html printed by headless Chromium.
 *
 * The page already has print rules (A4, no navigation, sections kept
 * whole), so the browser's own print engine does the layout; writing PDF
 * by hand would mean a second layout of the same page. Chromium runs as a
 * child with fork + execv (no shell), its output into report.pdf.log, and
 * the PDF goes to a temporary file renamed when complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "borderflow/fs.h"
#include "borderflow/plot.h"

#include "internal.h"

/* The first of the browsers' names found on PATH. */
static int find_browser(char *out, size_t size)
{
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (bf__find_program(names[k], out, size) == 0)
            return 0;
    return -1;
}

int bf_report_pdf(const char *dir, struct bf_diag *diag)
{
    bf_diag_clear(diag);
    char html[BF_PATH_MAX], abs_html[PATH_MAX], pdf[BF_PATH_MAX], tmp[BF_PATH_MAX],
        log[BF_PATH_MAX];
    int rc = bf_dir_check(dir, diag);
    if (rc == 0)
        rc = bf_path_join(html, sizeof html, dir, "report.html", diag);
    if (rc == 0)
        rc = bf_path_join(pdf, sizeof pdf, dir, "report.pdf", diag);
    if (rc == 0)
        rc = bf_path_join(log, sizeof log, dir, "report.pdf.log", diag);
    if (rc != 0)
        return rc;
    /* the browser writes to a name no one else can have made: a fresh
     * temporary file, which it replaces */
    FILE *hold = bf_temp_create(dir, "report.pdf", tmp, sizeof tmp, &rc, diag);
    if (hold == NULL)
        return rc;
    fclose(hold);
    struct stat hs;
    if (stat(html, &hs) != 0 || !S_ISREG(hs.st_mode)) {
        bf_diag_set(diag, "no '%s' to print", html);
        remove(tmp);
        return BF_ENOENT;
    }
    /* the browser wants a file:// URL, which is absolute */
    char cwd[PATH_MAX];
    if (html[0] == '/') {
        snprintf(abs_html, sizeof abs_html, "%s", html);
    } else if (getcwd(cwd, sizeof cwd) == NULL ||
               snprintf(abs_html, sizeof abs_html, "%s/%s", cwd, html) >= (int)sizeof abs_html) {
        bf_diag_set(diag, "cannot make an absolute path of '%s'", html);
        remove(tmp);
        return BF_EINVAL;
    }
    char browser[1024];
    if (find_browser(browser, sizeof browser) != 0) {
        bf_diag_set(diag, "no Chromium on PATH (chromium, chromium-browser or google-chrome): "
                          "report.pdf not written; report.html prints from any browser");
        return BF_ECHILD;
    }
    /* file:// and the path, percent-encoded (a space or '#' in a folder
     * name would otherwise end the path) */
    char url[3 * PATH_MAX + 16], out_arg[1400];
    size_t k = (size_t)snprintf(url, sizeof url, "file://");
    for (const unsigned char *p = (const unsigned char *)abs_html; *p && k + 4 < sizeof url; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/._-~", *p) != NULL)
            url[k++] = (char)*p;
        else
            k += (size_t)snprintf(url + k, sizeof url - k, "%%%02X", *p);
    }
    url[k] = '\0';
    snprintf(out_arg, sizeof out_arg, "--print-to-pdf=%s", tmp);
    remove(pdf);
    unlink(log); /* then O_EXCL: never through a link */
    int fd = open(log, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || nul < 0) {
        bf_diag_set(diag, "cannot write '%s': %s", log, strerror(errno));
        if (fd >= 0)
            close(fd);
        if (nul >= 0)
            close(nul);
        remove(tmp);
        return BF_EIO;
    }
    /* --no-sandbox: the sandbox cannot start as root (CI machines); the page
     * allows no script (its Content Security Policy) and is our own output */
    char a0[] = "chromium", a1[] = "--headless", a2[] = "--no-sandbox", a3[] = "--disable-gpu",
         a4[] = "--no-pdf-header-footer", a5[] = "--run-all-compositor-stages-before-draw";
    char *const argv[] = {a0, a1, a2, a3, a4, a5, out_arg, url, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(126);
        execv(browser, argv);
        _exit(127);
    }
    int e = errno;
    close(fd);
    close(nul);
    if (pid < 0) {
        bf_diag_set(diag, "cannot start %s: %s", browser, strerror(e));
        remove(tmp);
        return BF_ECHILD;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            status = -1;
            break;
        }
    struct stat st;
    if (status != 0 || stat(tmp, &st) != 0 || st.st_size < 1000) {
        remove(tmp);
        bf_diag_set(diag, "%s could not print the report (see %s)", browser, log);
        return BF_ECHILD;
    }
    if (rename(tmp, pdf) != 0) {
        bf_diag_set(diag, "cannot rename '%s': %s", tmp, strerror(errno));
        remove(tmp);
        return BF_EIO;
    }
    remove(log);
    return 0;
}
