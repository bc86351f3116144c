/*
 * cmd_validate.c - borderflow validate: check scenarios without running.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "borderflow/borderflow.h"

#include "cli.h"

int bf_cmd_validate(int argc, char **argv)
{
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            puts("usage: borderflow validate [-q] SCENARIO|FOLDER...\n"
                 "\n"
                 "Checks scenario files without running them: JSON syntax, unknown keys (with\n"
                 "a suggestion), types, ranges, references between cities, classes and\n"
                 "policies. Every problem is reported as FILE:LINE:COLUMN: PATH: what is\n"
                 "wrong and what is allowed. Exit status 0 when all are valid, 2 otherwise.\n"
                 "\n"
                 "  -q, --quiet   print problems only, not the files that are valid");
            return 0;
        }
    }
    int first = 1;
    if (argc > 1 && (strcmp(argv[1], "-q") == 0 || strcmp(argv[1], "--quiet") == 0)) {
        quiet = true;
        first = 2;
    }
    for (int i = first; i < argc; i++)
        if (argv[i][0] == '-') {
            fprintf(stderr, "borderflow validate: unknown option '%s'\n", argv[i]);
            return EXIT_BAD_INPUT;
        }
    if (first >= argc) {
        fputs("borderflow validate: give at least one scenario file or folder\n", stderr);
        return EXIT_BAD_INPUT;
    }
    char **paths;
    int n = bf_cli_expand(argc - first, argv + first, &paths);
    if (n < 0)
        return n == BF_CLI_EXPAND_NOMEM ? EXIT_RUN_FAILED : EXIT_BAD_INPUT;
    int status = 0;
    for (int i = 0; i < n; i++) {
        struct bf_scenario sc;
        struct bf_problems pb;
        bf_problems_init(&pb);
        int rc = bf_scenario_load(paths[i], &sc, &pb);
        if (rc == 0) {
            if (!quiet)
                printf("%s: valid: scenario '%s', %u cities, %u policies, %u sweeps\n", paths[i],
                       sc.name, sc.n_cities, sc.n_policies, sc.n_sweeps);
            bf_scenario_fini(&sc);
        } else if (rc == BF_ENOMEM) {
            fprintf(stderr, "borderflow: %s: out of memory\n", paths[i]);
            status = EXIT_RUN_FAILED;
        } else {
            bf_cli_print_problems(&pb);
            if (status == 0)
                status = EXIT_BAD_INPUT;
        }
        bf_problems_fini(&pb);
    }
    bf_cli_free_paths(paths, n);
    return status;
}
