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

/*
 * The sub-commands, in the order the usage lists them. This table is the
 * one list of them: the usage, `borderflow help CMD`, the did-you-mean of
 * an unknown command, and through the usage the man page and the bash
 * completion (both read `borderflow --help`) all come from it.
 */
struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", bf_cmd_run, "run scenarios and write results (borderflow run --help)"},
    {"plot", bf_cmd_plot, "redraw the charts and report.html of results folders"},
    {"compare", bf_cmd_compare, "put the results of several runs side by side"},
    {"validate", bf_cmd_validate, "check scenario files without running them"},
    {"fit", bf_cmd_fit, "fit duration distributions to a column of your own records (CSV)"},
    {"calibrate", bf_cmd_calibrate, "fit scenario parameters to observed figures"},
    {"schema", bf_cmd_schema, "print the JSON Schema of scenario files"},
    {"params", bf_cmd_params, "print every model parameter with its default and source"},
    {"help", NULL, "the help of a command: borderflow help CMD = borderflow CMD --help"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fputs("usage: borderflow <command> [options] [arguments]\n"
          "\n"
          "Simulates the export shipments of Chinese cities before and after a trade\n"
          "facilitation policy and books every cash flow on its date.\n"
          "\n"
          "commands:\n",
          f);
    /* two spaces at least between a name and its summary: help2man (the
     * man page) tells the columns apart by them */
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-11s%s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "options:\n"
          "  -h, --help     this help; `borderflow <command> --help` for a command\n"
          "  -V, --version  print the version\n"
          "\n"
          "exit status: 0 success, 1 a run failed, 2 bad input or usage,\n"
          "130 or 143 interrupted by SIGINT or SIGTERM.\n"
          "Documentation: README.md and docs/ in the source tree, man borderflow.\n",
          f);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* "unknown command 'X'" with the closest name, if one is close. */
static int unknown_command(const char *name)
{
    const char *names[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++)
        names[i] = commands[i].name;
    const char *sg = bf_scenario_suggest(name, names, N_COMMANDS);
    char shown[256];
    bf_text_escape(name, shown, sizeof shown);
    if (sg != NULL)
        fprintf(stderr,
                "borderflow: unknown command '%s'; did you mean '%s'? ('borderflow --help' "
                "lists the commands)\n",
                shown, sg);
    else
        fprintf(stderr,
                "borderflow: unknown command '%s'; 'borderflow --help' lists the commands\n",
                shown);
    return EXIT_BAD_INPUT;
}

/* borderflow help [CMD]: exactly what `borderflow CMD --help` prints, or
 * the usage. */
static int help(int argc, char **argv)
{
    if (argc > 3) {
        fputs("borderflow help: give one command at most; see 'borderflow --help'\n", stderr);
        return EXIT_BAD_INPUT;
    }
    const char *name = argc == 3 ? argv[2] : NULL;
    if (name == NULL || strcmp(name, "help") == 0 || strcmp(name, "-h") == 0 ||
        strcmp(name, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    const struct command *c = find_command(name);
    if (c == NULL)
        return unknown_command(name);
    char opt[] = "--help";
    char *args[] = {argv[2], opt, NULL};
    return c->fn(2, args);
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
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("borderflow %s\n", bf_version());
        return 0;
    }
    if (strcmp(cmd, "help") == 0)
        return help(argc, argv);
    const struct command *c = find_command(cmd);
    if (c == NULL)
        return unknown_command(cmd);
    return c->fn(argc - 1, argv + 1);
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
