/*
 * bench_extends.c - how long a scenario that extends another takes to load
 * (what `borderflow validate` does), as the files grow to the 16 MiB a
 * scenario file may have.
 *
 *   build/release/tests/bench/bench_extends [MAX_CITIES]
 *
 * Each pair: a base file of n cities {"name": "C<i>"} and a file that
 * extends it with n cities, half of them the base's (merged by name), half
 * new, both refused afterwards for having more than 1024 cities -- the
 * merge comes first, so it is what this measures, with the parse. Sizes
 * double from MAX_CITIES / 16 up to MAX_CITIES (780 000: two files just
 * under 16 MiB). Prints a Markdown table for docs/performance.md: the time, the
 * names compared by the merge (linear: twice the cities, twice the work)
 * and the time per city.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "borderflow/scenario.h"

#include "scenario/internal.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static long write_file(const char *path, const char *extends, unsigned from, unsigned n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    if (extends != NULL)
        fprintf(f, "{\"extends\": \"%s\", ", extends);
    else
        fputs("{", f);
    fputs("\"name\": \"big\", \"horizon\": {\"window\": {\"start\": \"2026-01-01\", \"end\": "
          "\"2026-05-30\"}}, \"policies\": {\"before\": {}, \"after\": {}}, \"cities\": [",
          f);
    for (unsigned i = from; i < from + n; i++)
        fprintf(f, "%s{\"name\": \"C%u\"}", i > from ? ", " : "", i);
    fputs("]}\n", f);
    long bytes = ftell(f);
    fclose(f);
    return bytes;
}

int main(int argc, char **argv)
{
    unsigned max = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 780000;
    char dir[] = "/tmp/bench_extends_XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    char base[64], over[64];
    snprintf(base, sizeof base, "%s/base.json", dir);
    snprintf(over, sizeof over, "%s/over.json", dir);
    printf("| cities per file | bytes (base + extending) | load s | names compared | us per city "
           "|\n|---|---|---|---|---|\n");
    for (unsigned n = max / 16; n <= max; n *= 2) {
        long b = write_file(base, NULL, 0, n);
        long o = write_file(over, "base.json", n / 2, n);
        /* the merge's work, counted */
        struct bf_problems pb;
        bf_problems_init(&pb);
        struct bf__doc doc = {.problems = &pb};
        int rc = bf__doc_load_file(&doc, over);
        uint64_t steps = doc.merge_steps;
        bf__doc_fini(&doc);
        bf_problems_fini(&pb);
        if (rc != 0) {
            fprintf(stderr, "bench_extends: the pair of %u cities did not merge (%d)\n", n, rc);
            return 1;
        }
        /* the whole load, as validate does it */
        struct bf_scenario sc;
        bf_problems_init(&pb);
        double t0 = now_s();
        rc = bf_scenario_load(over, &sc, &pb);
        double s = now_s() - t0;
        if (rc == 0)
            bf_scenario_fini(&sc);
        bf_problems_fini(&pb);
        printf("| %u | %ld + %ld | %.2f | %llu | %.2f |\n", n, b, o, s, (unsigned long long)steps,
               1e6 * s / (2.0 * n));
        fflush(stdout);
    }
    remove(base);
    remove(over);
    rmdir(dir);
    return 0;
}
