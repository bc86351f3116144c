/*
 * cmd_compare.c - borderflow compare: results folders side by side.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/borderflow.h"
#include "borderflow/plot.h"

#include "cli.h"

static void compare_usage(FILE *f)
{
    fputs("usage: borderflow compare [options] FOLDER FOLDER...\n"
          "\n"
          "Puts complete results folders of `borderflow run` side by side, e.g. the\n"
          "policy as announced, a lower take-up and a slower tax office, and writes\n"
          "OUT/compare.csv (per run, city and study: capital released, financing saving\n"
          "and change of days to rebate with their 95% intervals), OUT/compare_diff.csv\n"
          "(each run against the first: the difference with its 95% interval, paired\n"
          "over replications when the runs share seed, replications and cities) and\n"
          "OUT/compare.html. The first folder is the reference. docs/compare.md.\n"
          "\n"
          "options:\n"
          "  -o, --output DIR  write into DIR (default out/compare)\n"
          "  -h, --help        this help\n"
          "\n"
          "Exit status: 0 success, 1 the files could not be written, 2 bad usage, or a\n"
          "folder that is not a complete results folder of this borderflow.\n",
          f);
}

int bf_cmd_compare(int argc, char **argv)
{
    const char *out = "out/compare";
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'h':
            compare_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "borderflow compare: %s '%s'; see 'borderflow compare --help'\n",
                    optopt ? "option needs a value or is unknown:" : "unknown option",
                    argv[optind - 1]);
            return EXIT_BAD_INPUT;
        }
    }
    if (out[0] == '\0') {
        fputs("borderflow compare: -o needs a directory, not an empty string\n", stderr);
        return EXIT_BAD_INPUT;
    }
    int n = argc - optind;
    if (n < 1) {
        fputs("borderflow compare: give at least one results folder (two to compare); see "
              "'borderflow compare --help'\n",
              stderr);
        return EXIT_BAD_INPUT;
    }
    struct bf_diag d;
    int rc = bf_compare_write((const char *const *)(argv + optind), (size_t)n, out, &d);
    if (rc != 0) {
        char msg[sizeof d.msg * 2];
        fprintf(stderr, "borderflow compare: %s\n",
                bf_text_escape(d.msg[0] ? d.msg : bf_strerror(rc), msg, sizeof msg));
        return rc == BF_EIO || rc == BF_ENOMEM ? EXIT_RUN_FAILED : EXIT_BAD_INPUT;
    }
    fprintf(stderr, "compare: %d runs -> %s/compare.csv, compare_diff.csv, compare.html\n", n, out);
    return 0;
}
