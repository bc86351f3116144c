/*
 * main.c - borderflow: sub-command dispatch, --help, --version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "borderflow/borderflow.h"

#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: borderflow <command> [options] [arguments]\n"
          "\n"
          "Simulates the export shipments of Chinese cities before and after a trade\n"
          "facilitation policy and books every cash flow on its date.\n"
          "\n"
          "commands:\n"
          "  run       run scenarios and write results (borderflow run --help)\n"
          "  plot      redraw the charts and report.html of results folders\n"
          "  compare   put the results of several runs side by side\n"
          "  validate  check scenario files without running them\n"
          "  fit       fit duration distributions to a column of your own records (CSV)\n"
          "  calibrate fit scenario parameters to observed figures (borderflow calibrate --help)\n"
          "  schema    print the JSON Schema of scenario files\n"
          "  params    print every model parameter with its default and source\n"
          "\n"
          "options:\n"
          "  -h, --help     this help; `borderflow <command> --help` for a command\n"
          "  -V, --version  print the version\n"
          "\n"
          "exit status: 0 success, 1 a run failed, 2 bad input or usage,\n"
          "130 or 143 interrupted by SIGINT or SIGTERM.\n"
          "Documentation: README.md and docs/ in the source tree.\n",
          f);
}

/* GSL reports a domain error only for inputs validation should have
 * refused: that is a bug, reported like a failed assertion. */
static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    fprintf(stderr, "borderflow: GSL error %d (%s) at %s:%d\n", gsl_errno, reason, file, line);
    bf__assert_fail("GSL error", file, line, "gsl_error");
}

/*
 * Test hooks (docs/reliability.md), read from the environment, never set in
 * production:
 *   BORDERFLOW_FAIL_ALLOC=N     the Nth allocation through bf__malloc fails
 *                               (N+ : that one and every one after it);
 *   BORDERFLOW_COUNT_ALLOC=1    at exit, print to stderr the number of
 *                               allocations made and the bytes still live.
 * GSL's own allocations (generators, histograms) do not go through the hook.
 */
static void arm_alloc_hook(void)
{
    const char *s = getenv("BORDERFLOW_FAIL_ALLOC");
    if (s == NULL || *s == '\0')
        return;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    int sticky = *end == '+';
    if (errno != 0 || n == 0 || *s == '-' || *(end + sticky) != '\0') {
        fprintf(stderr, "borderflow: BORDERFLOW_FAIL_ALLOC takes N or N+ (N >= 1), not '%s'\n", s);
        exit(EXIT_BAD_INPUT);
    }
    bf_alloc_fail_at(n, sticky);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("borderflow %s\n", bf_version());
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return bf_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0)
        return bf_cmd_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return bf_cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return bf_cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "fit") == 0)
        return bf_cmd_fit(argc - 1, argv + 1);
    if (strcmp(cmd, "calibrate") == 0)
        return bf_cmd_calibrate(argc - 1, argv + 1);
    if (strcmp(cmd, "schema") == 0)
        return bf_cmd_schema(argc - 1, argv + 1);
    if (strcmp(cmd, "params") == 0)
        return bf_cmd_params(argc - 1, argv + 1);
    fprintf(stderr, "borderflow: unknown command '%s'; try 'borderflow --help'\n", cmd);
    return EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler(gsl_handler);
    arm_alloc_hook();
    int status = dispatch(argc, argv);
    const char *count = getenv("BORDERFLOW_COUNT_ALLOC");
    if (count != NULL && strcmp(count, "1") == 0)
        fprintf(stderr, "borderflow: allocations: %llu, live bytes at exit: %llu\n",
                (unsigned long long)bf_alloc_count(), (unsigned long long)bf_alloc_live_bytes());
    return status;
}
