/*
 * cmd_validate.c - borderflow validate: check scenarios without running.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "borderflow/borderflow.h"

#include "cli.h"

static void validate_usage(FILE *f)
{
    /* one line: the bash completion reads what the arguments are from it */
    fputs("usage: borderflow validate [options] SCENARIO|FOLDER...\n"
          "\n"
          "Checks scenario files without running them: JSON syntax, unknown keys (with\n"
          "a suggestion), types, ranges, references between cities, classes and\n"
          "policies. Every problem is reported as FILE:LINE:COLUMN: PATH: what is\n"
          "wrong and what is allowed. Exit status 0 when all are valid, 2 otherwise,\n"
          "1 when memory ran out. For a valid file it prints the work a run would do:\n"
          "work items, simulated city-days, shipments, an estimated time at -j N\n"
          "threads (default: all cores) and the memory of the results; and per city\n"
          "its shipments a day and the exports a year they make, at cost and FOB.\n"
          "\n"
          "  -q, --quiet            print problems only, not the files that are valid\n"
          "  -j, --jobs N           threads for the time estimate\n"
          "      --city NAME        keep only this city (repeat for more), as run --city\n"
          "      --max-memory SIZE  fail cleanly beyond SIZE bytes (suffix K, M or G)\n"
          "  -h, --help             this help\n",
          f);
}

/*
 * Per city kept: shipments a day and the exports a year they make, at cost
 * and FOB, whichever was given (docs/scenarios.md, Cities), under the
 * baseline's rules; one line each, and the total.
 */
static void print_volume(const char *path, const struct bf_scenario *sc)
{
    int w = 4; /* "city" */
    for (uint32_t i = 0; i < sc->n_cities; i++) {
        int len = (int)strlen(sc->city[i].name);
        w = len > w ? (len < 24 ? len : 24) : w;
    }
    printf("%s: volume under '%s' (a year of 365 days; at cost = purchase cost with VAT, as the "
           "model books it; FOB = cost x categories.<c>.fob_multiple):\n",
           path, sc->policy[sc->baseline].name);
    printf("  %-*s  %13s  %17s  %17s  %s\n", w, "city", "shipments/day", "CNY/year at cost",
           "CNY/year FOB", "given as");
    double total[3] = {0, 0, 0};
    for (uint32_t i = 0; i < sc->n_cities; i++) {
        const struct bf_city *c = &sc->city[i];
        const struct bf_params *p = &c->params[sc->baseline];
        const double ships = p->shipments_per_day * bf_params_year_factor(p);
        const double cost = ships * bf_params_shipment_value_cny(p, BF_VALUE_COST);
        const double fob = ships * bf_params_shipment_value_cny(p, BF_VALUE_FOB);
        static const char *const from[] = {"shipments/day", "annual_export_cost_cny",
                                           "annual_export_fob_cny"};
        char name[sizeof c->name * 4];
        bf_text_escape(c->name, name, sizeof name);
        printf("  %-*.*s  %13.2f  %15.1f M  %15.1f M  %s\n", w, w + 40, name, p->shipments_per_day,
               cost / 1e6, fob / 1e6, from[c->volume_from]);
        total[0] += p->shipments_per_day;
        total[1] += cost;
        total[2] += fob;
    }
    if (sc->n_cities > 1)
        printf("  %-*s  %13.2f  %15.1f M  %15.1f M\n", w, "total", total[0], total[1] / 1e6,
               total[2] / 1e6);
}

static int validate_cmd(int argc, char **argv, struct bf_cli_cities *cities)
{
    enum { OPT_MAX_MEMORY = 256, OPT_CITY };
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
        {"jobs", required_argument, NULL, 'j'},
        {"city", required_argument, NULL, OPT_CITY},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    unsigned jobs = 0;
    uint64_t max_memory = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":qhj:", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': {
            uint64_t v;
            if (!bf_cli_parse_size(optarg, &v) || v == 0 || v > 256 ||
                strspn(optarg, "0123456789") != strlen(optarg)) {
                fprintf(stderr,
                        "borderflow validate: -j takes a number of threads from 1 to 256, "
                        "not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            jobs = (unsigned)v;
            break;
        }
        case 'q':
            quiet = true;
            break;
        case OPT_CITY:
            if (bf_cli_cities_add(cities, optarg, "validate") != 0)
                return EXIT_BAD_INPUT;
            break;
        case 'h':
            validate_usage(stdout);
            return 0;
        case OPT_MAX_MEMORY:
            if (!bf_cli_parse_size(optarg, &max_memory)) {
                fprintf(stderr,
                        "borderflow validate: --max-memory takes a size such as 512M or 2G, "
                        "not '%s'\n",
                        optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case ':':
            fprintf(stderr, "borderflow validate: option '%s' needs a value\n", argv[optind - 1]);
            return EXIT_BAD_INPUT;
        default:
            fprintf(stderr,
                    "borderflow validate: unknown option '%s'; see 'borderflow validate --help'\n",
                    argv[optind - 1]);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind >= argc) {
        fputs("borderflow validate: give at least one scenario file or folder\n", stderr);
        return EXIT_BAD_INPUT;
    }
    if (max_memory)
        bf_alloc_set_limit(max_memory);
    int first = optind;
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
        /* a file name found in a folder may hold escape sequences */
        char path[2048];
        bf_text_escape(paths[i], path, sizeof path);
        char why[512];
        if (rc == 0 && cities->n > 0 &&
            (rc = bf_scenario_select(&sc, (const char *const *)cities->name, cities->n, why,
                                     sizeof why)) != 0) {
            fprintf(stderr, "borderflow validate: %s: --city: %s\n", path, why);
            bf_scenario_fini(&sc);
            status = rc == BF_ENOMEM ? EXIT_RUN_FAILED : EXIT_BAD_INPUT;
            bf_problems_fini(&pb);
            continue;
        }
        if (rc == 0) {
            if (!quiet) {
                char kept[1024];
                bf_cli_describe_selection(&sc, kept, sizeof kept);
                printf("%s: valid: scenario '%s', %u cities%s, %u policies, %u sweeps\n", path,
                       sc.name, sc.n_cities, kept, sc.n_policies, sc.n_sweeps);
                struct bf_batch_options eo = {.seed = -1, .sweeps = true};
                struct bf_work_estimate e;
                bf_batch_estimate(&sc, &eo, &e);
                char prefix[2100];
                snprintf(prefix, sizeof prefix, "%s: ", path);
                bf_cli_print_estimate(stdout, prefix, &e, jobs ? jobs : bf_batch_cores());
                if (sc.n_also > 0)
                    printf("%s: compares '%s' with the baseline '%s' (results in %s/)\n", path,
                           sc.policy[sc.compared].name, sc.policy[sc.baseline].name, sc.name);
                for (uint32_t k = 0; k < sc.n_also; k++) {
                    /* each more pair runs as a scenario of its own */
                    struct bf_scenario pair;
                    if (bf_scenario_pair(&sc, sc.also[k], &pair) != 0)
                        continue;
                    printf("%s: and '%s' with '%s' as a pair of its own (results in %s/, the "
                           "same numbers as a scenario of those two policies)\n",
                           path, pair.policy[1].name, pair.policy[0].name, pair.name);
                    snprintf(prefix, sizeof prefix, "%s: %s: ", path, pair.name);
                    bf_batch_estimate(&pair, &eo, &e);
                    bf_cli_print_estimate(stdout, prefix, &e, jobs ? jobs : bf_batch_cores());
                    bf_scenario_pair_fini(&pair);
                }
                print_volume(path, &sc);
            }
            bf_scenario_fini(&sc);
        } else if (rc == BF_ENOMEM) {
            fprintf(stderr, "borderflow: %s: out of memory while loading%s\n", path,
                    max_memory ? " (see --max-memory)" : "");
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

int bf_cmd_validate(int argc, char **argv)
{
    struct bf_cli_cities cities = {0};
    int status = validate_cmd(argc, argv, &cities);
    bf_cli_cities_fini(&cities);
    return status;
}
