/*
 * main.c - borderflow: sub-command dispatch, --help, --version.
 */
#include <stdio.h>
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
          "  validate  check scenario files without running them\n"
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

int main(int argc, char **argv)
{
    gsl_set_error_handler(gsl_handler);
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
    if (strcmp(cmd, "validate") == 0)
        return bf_cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "schema") == 0)
        return bf_cmd_schema(argc - 1, argv + 1);
    if (strcmp(cmd, "params") == 0)
        return bf_cmd_params(argc - 1, argv + 1);
    fprintf(stderr, "borderflow: unknown command '%s'; try 'borderflow --help'\n", cmd);
    return EXIT_BAD_INPUT;
}
