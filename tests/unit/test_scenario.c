/*
 * test_scenario.c - scenario loading: layering of parameter sections,
 * problems with positions, "extends", sweeps, and the SHA-256 used in run
 * records.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "borderflow/alloc.h"
#include "borderflow/scenario.h"
#include "borderflow/sha256.h"

#include "bf_test.h"
#include "scenario/internal.h"

static void sha256_should_match_the_fips_vectors(void **state)
{
    (void)state;
    const char *msg[] = {"", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
    const char *want[] = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"};
    for (int i = 0; i < 3; i++) {
        struct bf_sha256 c;
        bf_sha256_init(&c);
        /* feed in two pieces to exercise the block buffer */
        size_t n = strlen(msg[i]);
        bf_sha256_update(&c, msg[i], n / 3);
        bf_sha256_update(&c, msg[i] + n / 3, n - n / 3);
        uint8_t h[32];
        bf_sha256_final(&c, h);
        char hex[65];
        for (int k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", h[k]);
        assert_string_equal(hex, want[i]);
    }
}

static void suggestions_should_find_near_misses_only(void **state)
{
    (void)state;
    const char *keys[] = {"inspect_prob", "inspect_h", "screening_h", "doc_prep_h"};
    assert_string_equal(bf__suggest("inspct_prob", keys, 4), "inspect_prob");
    assert_string_equal(bf__suggest("screening", keys, 4), "screening_h");
    assert_null(bf__suggest("warehouse", keys, 4));
    assert_int_equal(bf__edit_distance("kitten", "sitting"), 3);
    /* a swap of neighbours is one edit; case is not a difference */
    assert_int_equal(bf__edit_distance("Hefie", "Hefei"), 1);
    assert_int_equal(bf__edit_distance("hefei", "Hefei"), 0);
    assert_int_equal(bf__edit_distance("afetr", "after"), 1);
    const char *cities[] = {"Zhengzhou", "Hefei", "Wuhan"};
    assert_string_equal(bf__suggest("Zhengzou", cities, 3), "Zhengzhou");
    assert_string_equal(bf__suggest("WUHAN", cities, 3), "Wuhan");
    assert_null(bf__suggest("Xian", cities, 3));
}

static const char *layered =
    "{\n"
    "  \"name\": \"layers\",\n"
    "  \"horizon\": {\"window\": {\"start\": \"2026-01-01\", \"end\": \"2026-04-10\"}},\n"
    "  \"defaults\": {\"clearance\": {\"inspect_prob\": 0.05},\n"
    "               \"categories\": {\"toys\": {\"share\": 1, \"return_prob\": 0.2},\n"
    "                               \"home\": null}},\n"
    "  \"classes\": {\"C\": {\"clearance\": {\"multiplier\": 1.2}}},\n"
    "  \"cities\": [\n"
    "    {\"name\": \"Wuhan\", \"class\": \"C\", \"shipments_per_day\": 7,\n"
    "     \"channel_mix\": {\"9610\": 0, \"9710\": 0, \"9810\": 1, \"0110\": 0},\n"
    "     \"lanes\": {\"eu_rail\": {\"share\": 4}}, \"effective_date\": \"2026-02-01\"},\n"
    "    {\"name\": \"Xiamen\"}\n"
    "  ],\n"
    "  \"policies\": {\n"
    "    \"before\": {},\n"
    "    \"after\": {\"effective_date\": \"2026-03-01\",\n"
    "              \"clearance\": {\"policy_factor\": 0.8},\n"
    "              \"by_class\": {\"C\": {\"clearance\": {\"inspect_prob\": 0.02}}},\n"
    "              \"by_city\": {\"Xiamen\": {\"rebate\": {\"filing\": \"continuous\"}}}}\n"
    "  },\n"
    "  \"sweeps\": [{\"name\": \"toy rebate\", \"path\": \"categories.toys.rebate_rate\",\n"
    "               \"values\": [0.09, 0.13]}]\n"
    "}\n";

static void layers_should_apply_in_order(void **state)
{
    (void)state;
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load_text("layers.json", layered, strlen(layered), &sc, &pb);
    for (size_t i = 0; i < pb.n; i++) {
        char line[1024];
        bf_problem_format(&pb.items[i], line, sizeof line);
        print_error("%s\n", line);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(sc.n_cities, 2);
    assert_int_equal(sc.n_policies, 2);
    assert_int_equal(sc.baseline, 0);
    assert_int_equal(sc.compared, 1);
    assert_int_equal(sc.replications, 10); /* default */
    /* the window as written, the warm-up and tail by default */
    assert_int_equal(sc.window_day, bf_date_from_ymd(2026, 1, 1));
    assert_int_equal(sc.window_days, 100);
    assert_int_equal(sc.warmup_days, 365);
    assert_int_equal(sc.tail_days, 365);
    assert_int_equal(sc.start_day, bf_date_from_ymd(2025, 1, 1));
    /* the years of the run without a notice are projected: 2025 and 2026
     * are the notices; the tail ends in 2027, and a working-day walk from
     * its last days may reach 2028 */
    assert_string_equal(sc.calendar_years, "2025, 2026");
    assert_string_equal(sc.calendar_projected_years, "2027, 2028");
    const struct bf_city *w = &sc.city[0], *x = &sc.city[1];
    /* effective dates: the city's own, else the compared policy's */
    assert_int_equal(w->effective_day, bf_date_from_ymd(2026, 2, 1));
    assert_int_equal(x->effective_day, bf_date_from_ymd(2026, 3, 1));
    const struct bf_params *wb = &w->params[0], *wa = &w->params[1];
    const struct bf_params *xb = &x->params[0], *xa = &x->params[1];
    /* defaults: "home" removed, "toys" added as a copy of the first */
    assert_int_equal(bf_params_category(wb, "home"), -1);
    int toys = bf_params_category(wb, "toys");
    assert_true(toys >= 0);
    bf_assert_near(wb->category[toys].return_prob, 0.2, 0.0);
    bf_assert_near(wb->category[toys].rebate_rate, 0.13, 0.0);
    /* defaults <- class <- city <- policy <- by_class <- by_city */
    bf_assert_near(wb->clearance.inspect_prob, 0.05, 0.0);
    bf_assert_near(wb->clearance.multiplier, 1.2, 0.0);
    bf_assert_near(wb->shipments_per_day, 7.0, 0.0);
    bf_assert_near(wb->channel[BF_CH_9810].share, 1.0, 0.0);
    bf_assert_near(wb->channel[BF_CH_9610].share, 0.0, 0.0);
    bf_assert_near(wb->lane[bf_params_lane(wb, "eu_rail")].share, 4.0, 0.0);
    bf_assert_near(wb->clearance.policy_factor, 1.0, 0.0);
    bf_assert_near(wa->clearance.policy_factor, 0.8, 0.0);
    bf_assert_near(wa->clearance.inspect_prob, 0.02, 0.0); /* by_class C */
    bf_assert_near(xa->clearance.inspect_prob, 0.05, 0.0); /* no class */
    bf_assert_near(xb->clearance.multiplier, 1.0, 0.0);
    assert_int_equal(xa->rebate.filing, BF_FILING_CONTINUOUS); /* by_city */
    assert_int_equal(wa->rebate.filing, BF_FILING_MONTHLY);
    /* the sweep resolves to the category field */
    assert_int_equal(sc.n_sweeps, 1);
    assert_int_equal(sc.sweep[0].n_values, 2);
    struct bf_params tmp = *wb;
    bf_sweep_apply(&sc.sweep[0].value[0], &tmp);
    bf_assert_near(tmp.category[toys].rebate_rate, 0.09, 0.0);
    assert_string_equal(sc.sweep[0].value[1].label, "0.13");
    assert_int_equal(strlen(sc.sha256), 64);
    bf_scenario_fini(&sc);
    bf_problems_fini(&pb);
}

static const char *broken =
    "{\n"
    "  \"name\": \"broken\",\n"
    "  \"horizon\": {\"window\": {\"start\": \"2026-01-01\", \"end\": \"2026-04-10\"},\n"
    "              \"warmup_days\": 0},\n"
    "  \"replicatons\": 3,\n"
    "  \"cities\": [\n"
    "    {\"name\": \"A\", \"clearance\": {\"inspect_prob\": 1.5}},\n"
    "    {\"name\": \"A\", \"effective_date\": \"2027-01-01\"}\n"
    "  ],\n"
    "  \"policies\": {\"before\": {}, \"after\": {\"arrivals\": {\"shipments_per_day\": 5}}}\n"
    "}\n";

static const struct bf_problem *find(const struct bf_problems *pb, const char *path)
{
    for (size_t i = 0; i < pb->n; i++)
        if (strcmp(pb->items[i].path, path) == 0)
            return &pb->items[i];
    return NULL;
}

static void problems_should_all_be_reported_with_positions(void **state)
{
    (void)state;
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    assert_int_equal(bf_scenario_load_text("broken.json", broken, strlen(broken), &sc, &pb),
                     BF_EINVAL);
    const struct bf_problem *p = find(&pb, "replicatons");
    assert_non_null(p);
    assert_int_equal(p->line, 5);
    assert_int_equal(p->column, 3);
    assert_non_null(strstr(p->msg, "did you mean 'replications'"));
    p = find(&pb, "cities[0].clearance.inspect_prob");
    assert_non_null(p);
    assert_int_equal(p->line, 7);
    assert_int_equal(p->column, 49);
    assert_non_null(strstr(p->msg, "1.5 is outside the allowed range [0, 1]"));
    p = find(&pb, "cities[1].name");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "duplicate city name 'A'"));
    p = find(&pb, "cities[1].effective_date");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "outside the run; use a date from 2026-01-01 (the start of "
                                   "the warm-up) to 2026-04-10 (the window's last day)"));
    p = find(&pb, "policies.after.arrivals");
    assert_non_null(p);
    assert_non_null(strstr(p->msg, "a policy cannot change them"));
    char line[1024];
    bf_problem_format(find(&pb, "replicatons"), line, sizeof line);
    assert_string_equal(line, "broken.json:5:3: replicatons: unknown key 'replicatons' in a "
                              "scenario; did you mean 'replications'?");
    assert_int_equal(sc.n_cities, 0); /* nothing half-loaded */
    bf_problems_fini(&pb);
}

static void syntax_errors_should_name_line_and_column(void **state)
{
    (void)state;
    const char *txt = "{\n  \"name\": \"x\",\n  \"horizon\": {\"start\": \"2026-01-01\",,}\n}\n";
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    assert_int_equal(bf_scenario_load_text("s.json", txt, strlen(txt), &sc, &pb), BF_EPARSE);
    assert_int_equal(pb.n, 1);
    assert_int_equal(pb.items[0].line, 3);
    assert_non_null(strstr(pb.items[0].msg, "JSON syntax error"));
    bf_problems_fini(&pb);
}

static void extends_should_merge_cities_by_name(void **state)
{
    (void)state;
    char dir[] = "/tmp/bf_scenario_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char base[128], derived[128];
    snprintf(base, sizeof base, "%s/base.json", dir);
    snprintf(derived, sizeof derived, "%s/derived.json", dir);
    FILE *f = fopen(base, "w");
    fputs("{\"name\": \"base\",\n"
          " \"horizon\": {\"window\": {\"start\": \"2026-01-01\", \"end\": \"2026-02-19\"}},\n"
          " \"replications\": 3,\n"
          " \"cities\": [{\"name\": \"A\", \"shipments_per_day\": 2},\n"
          "            {\"name\": \"B\", \"shipments_per_day\": 3}],\n"
          " \"policies\": {\"before\": {}, \"after\": {}}}\n",
          f);
    fclose(f);
    f = fopen(derived, "w");
    fputs("{\"extends\": \"base.json\", \"name\": \"derived\",\n"
          " \"cities\": [{\"name\": \"B\", \"shipments_per_day\": 9},\n"
          "            {\"name\": \"C\", \"add\": true}]}\n",
          f);
    fclose(f);
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    assert_int_equal(bf_scenario_load(derived, &sc, &pb), 0);
    assert_string_equal(sc.name, "derived");
    assert_int_equal(sc.replications, 3);
    assert_int_equal(sc.n_cities, 3);
    assert_string_equal(sc.city[0].name, "A");
    assert_string_equal(sc.city[1].name, "B");
    assert_string_equal(sc.city[2].name, "C");
    bf_assert_near(sc.city[1].params[0].shipments_per_day, 9.0, 0.0);
    bf_assert_near(sc.city[0].params[0].shipments_per_day, 2.0, 0.0);
    bf_scenario_fini(&sc);
    /* a cycle is refused */
    f = fopen(base, "w");
    fputs("{\"extends\": \"derived.json\", \"name\": \"base\"}\n", f);
    fclose(f);
    assert_int_not_equal(bf_scenario_load(derived, &sc, &pb), 0);
    assert_non_null(strstr(pb.items[pb.n - 1].msg, "cycle"));
    bf_problems_fini(&pb);
    remove(base);
    remove(derived);
    rmdir(dir);
}

/*
 * A pair of files to merge: `base` with cities C0 .. C(n-1) and classes
 * k0 .. k(n-1); `over` (which extends it) with cities and classes from
 * n/2 to n/2 + n - 1: half of them change an entry of the base, half are
 * new (and say so: "add": true).
 */
static void write_pair(const char *base, const char *over, unsigned n)
{
    FILE *f = fopen(base, "w");
    assert_non_null(f);
    fputs("{\"name\": \"base\", \"policies\": {\"before\": {}}, \"classes\": {", f);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "%s\"k%u\": {\"port\": {\"multiplier\": 1}}", i ? ", " : "", i);
    fputs("}, \"cities\": [", f);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "%s{\"name\": \"C%u\", \"shipments_per_day\": 1}", i ? ", " : "", i);
    fputs("]}\n", f);
    fclose(f);
    f = fopen(over, "w");
    assert_non_null(f);
    fputs("{\"extends\": \"base.json\", \"name\": \"over\", \"classes\": {", f);
    for (unsigned i = n / 2; i < n / 2 + n; i++)
        fprintf(f, "%s\"k%u\": {\"port\": {\"multiplier\": 2}%s}", i > n / 2 ? ", " : "", i,
                i >= n ? ", \"add\": true" : "");
    fputs("}, \"cities\": [", f);
    for (unsigned i = n / 2; i < n / 2 + n; i++)
        fprintf(f, "%s{\"name\": \"C%u\", \"shipments_per_day\": 2%s}", i > n / 2 ? ", " : "", i,
                i >= n ? ", \"add\": true" : "");
    fputs("]}\n", f);
    fclose(f);
}

/* Merges the pair of n entries; the names compared along the way. */
static uint64_t merge_steps(const char *dir, unsigned n)
{
    char base[128], over[128];
    snprintf(base, sizeof base, "%s/base.json", dir);
    snprintf(over, sizeof over, "%s/over.json", dir);
    write_pair(base, over, n);
    struct bf_problems pb;
    bf_problems_init(&pb);
    struct bf__doc doc = {.problems = &pb};
    assert_int_equal(bf__doc_load_file(&doc, over), 0);
    assert_int_equal(pb.n, 0); /* the new entries say "add" */
    /* merged by name: the base's order, then the new entries in theirs;
     * the ones both name changed by the file above */
    const cJSON *cities = cJSON_GetObjectItemCaseSensitive(doc.root, "cities");
    assert_int_equal(cJSON_GetArraySize(cities), (int)(n + n / 2));
    unsigned i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cities)
    {
        char want[16];
        snprintf(want, sizeof want, "C%u", i);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring, want);
        double spd = cJSON_GetObjectItemCaseSensitive(c, "shipments_per_day")->valuedouble;
        bf_assert_near(spd, i < n / 2 ? 1.0 : 2.0, 0.0);
        i++;
    }
    const cJSON *classes = cJSON_GetObjectItemCaseSensitive(doc.root, "classes");
    assert_int_equal(cJSON_GetArraySize(classes), (int)(n + n / 2));
    const cJSON *k0 = cJSON_GetObjectItemCaseSensitive(classes, "k0");
    const cJSON *kn = cJSON_GetObjectItemCaseSensitive(classes, "k1");
    assert_non_null(k0);
    assert_non_null(kn);
    uint64_t steps = doc.merge_steps;
    bf__doc_fini(&doc);
    bf_problems_fini(&pb);
    remove(base);
    remove(over);
    return steps;
}

static void extends_should_merge_in_linear_work(void **state)
{
    (void)state;
    /* Merging looks each entry of the file above up by name in the one
     * below. Counted, not timed: the names compared grow as the entries
     * do (a scan would compare n^2 / 2: 8 times the entries give 64 times
     * the work), and stay a few per entry. */
    char dir[] = "/tmp/bf_scenario_XXXXXX";
    assert_non_null(mkdtemp(dir));
    uint64_t small = merge_steps(dir, 1000), large = merge_steps(dir, 8000);
    rmdir(dir);
    const double entries_small = 4.0 * 1000,
                 entries_large = 4.0 * 8000; /* both files, both kinds */
    if (!((double)large <= 10.0 * (double)small && (double)large <= 4.0 * entries_large &&
          (double)small <= 4.0 * entries_small && (double)small >= entries_small / 2))
        fail_msg("merge steps: %llu for 1000 entries, %llu for 8000", (unsigned long long)small,
                 (unsigned long long)large);
}

static void extends_should_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    /* a pair large enough to be indexed, every allocation failed in turn */
    char dir[] = "/tmp/bf_scenario_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char base[128], over[128];
    snprintf(base, sizeof base, "%s/base.json", dir);
    snprintf(over, sizeof over, "%s/over.json", dir);
    write_pair(base, over, 24);
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    bf_alloc_fail_at(UINT64_MAX, 0);
    int rc = bf_scenario_load(over, &sc, &pb);
    uint64_t reached = bf_alloc_count();
    bf_alloc_fail_at(0, 0);
    if (rc == 0)
        bf_scenario_fini(&sc);
    bf_problems_fini(&pb);
    uint64_t before = bf_alloc_live_bytes();
    for (uint64_t k = 1; k <= reached; k++) {
        bf_problems_init(&pb);
        bf_alloc_fail_at(k, 1);
        rc = bf_scenario_load(over, &sc, &pb);
        bf_alloc_fail_at(0, 0);
        assert_int_not_equal(rc, 0);
        bf_problems_fini(&pb);
        assert_int_equal(bf_alloc_live_bytes(), before);
    }
    remove(base);
    remove(over);
    rmdir(dir);
}

/* Loads `path`; the problems' text joined, for searching. */
static int load_problems(const char *path, char *all, size_t size)
{
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load(path, &sc, &pb);
    if (rc == 0)
        bf_scenario_fini(&sc);
    size_t used = 0;
    all[0] = '\0';
    for (size_t i = 0; i < pb.n && used < size; i++) {
        char line[1200];
        bf_problem_format(&pb.items[i], line, sizeof line);
        used += (size_t)snprintf(all + used, size - used, "%s\n", line);
    }
    bf_problems_fini(&pb);
    return rc;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void extends_should_open_only_scenario_files(void **state)
{
    (void)state;
    /* "extends" reaches only regular files named *.json, through a link
     * only to such a file, and never quotes the text of what it reached */
    char dir[] = "/tmp/bf_scenario_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[6][160], all[8192];
    const char *names[6] = {"secret.txt",  "a.json",    "link.json",
                            "folder.json", "base.json", "good.json"};
    for (int i = 0; i < 6; i++)
        snprintf(p[i], sizeof p[i], "%s/%s", dir, names[i]);
    write_text(p[0], "root:$6$SecretHash:19000:0:99999:7:::\n");
    write_text(p[4], "{\"name\": \"base\", \"horizon\": {\"window\": {\"start\": \"2026-01-01\", "
                     "\"end\": \"2026-02-19\"}}, \"cities\": [{\"name\": \"A\"}], "
                     "\"policies\": {\"before\": {}}}\n");
    /* a name that is not *.json: refused before it is looked up */
    write_text(p[1], "{\"extends\": \"secret.txt\", \"name\": \"a\"}\n");
    assert_int_not_equal(load_problems(p[1], all, sizeof all), 0);
    assert_non_null(strstr(all, "a path ending in .json"));
    assert_null(strstr(all, "root"));
    write_text(p[1], "{\"extends\": \"/etc/no_such_file\", \"name\": \"a\"}\n");
    assert_int_not_equal(load_problems(p[1], all, sizeof all), 0);
    assert_null(strstr(all, "No such file")); /* nothing said of its existence */
    /* a link named *.json to a file named otherwise */
    assert_int_equal(symlink(p[0], p[2]), 0);
    write_text(p[1], "{\"extends\": \"link.json\", \"name\": \"a\"}\n");
    assert_int_not_equal(load_problems(p[1], all, sizeof all), 0);
    assert_non_null(strstr(all, "a link to a file not named *.json"));
    assert_null(strstr(all, "root"));
    /* a folder named *.json */
    assert_int_equal(mkdir(p[3], 0700), 0);
    write_text(p[1], "{\"extends\": \"folder.json\", \"name\": \"a\"}\n");
    assert_int_not_equal(load_problems(p[1], all, sizeof all), 0);
    assert_non_null(strstr(all, "not a regular file"));
    /* the secret copied into a file named *.json: where, never what */
    write_text(p[5], "root:$6$SecretHash:19000:0:99999:7:::\n");
    write_text(p[1], "{\"extends\": \"good.json\", \"name\": \"a\"}\n");
    assert_int_not_equal(load_problems(p[1], all, sizeof all), 0);
    assert_non_null(strstr(all, "good.json:1:1: JSON syntax error: not a scenario file"));
    assert_null(strstr(all, "root"));
    assert_null(strstr(all, "Secret"));
    write_text(p[5], "{\"name\": \"x\", \xff\xfe}\n"); /* not UTF-8: no byte shown */
    assert_int_not_equal(load_problems(p[1], all, sizeof all), 0);
    assert_null(strstr(all, "0xff"));
    /* a link to a scenario file is a scenario file */
    remove(p[2]);
    assert_int_equal(symlink(p[4], p[2]), 0);
    write_text(p[1], "{\"extends\": \"link.json\", \"name\": \"a\"}\n");
    assert_int_equal(load_problems(p[1], all, sizeof all), 0);
    for (int i = 0; i < 6; i++)
        if (i == 3)
            rmdir(p[i]);
        else
            remove(p[i]);
    rmdir(dir);
}

static void loading_should_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    /* every allocation the load reaches fails once in turn: BF_ENOMEM (or a
     * problem reported), never a crash, nothing left allocated */
    uint64_t reached;
    {
        struct bf_scenario sc;
        struct bf_problems pb;
        bf_problems_init(&pb);
        bf_alloc_fail_at(UINT64_MAX, 0);
        assert_int_equal(bf_scenario_load_text("l.json", layered, strlen(layered), &sc, &pb), 0);
        reached = bf_alloc_count();
        bf_alloc_fail_at(0, 0);
        bf_scenario_fini(&sc);
        bf_problems_fini(&pb);
    }
    assert_true(reached > 10);
    uint64_t before = bf_alloc_live_bytes();
    for (uint64_t k = 1; k <= reached; k++) {
        struct bf_scenario sc;
        struct bf_problems pb;
        bf_problems_init(&pb);
        bf_alloc_fail_at(k, 1);
        int rc = bf_scenario_load_text("l.json", layered, strlen(layered), &sc, &pb);
        bf_alloc_fail_at(0, 0);
        assert_int_not_equal(rc, 0);
        bf_problems_fini(&pb);
        assert_int_equal(bf_alloc_live_bytes(), before);
    }
}

/*
 * Worked by hand: every shipment 2 units (9610 only, fixed) of one goods
 * category at 50 CNY a unit, declared at 2 x cost: 100 CNY a shipment at
 * cost, 200 FOB. 73 000 CNY a year at cost is 2 shipments a day, FOB 1; a
 * January twice as busy makes the year 396 days of arrivals. Through
 * "extends", the child's annual value replaces the parent's
 * shipments_per_day.
 */
static void annual_exports_should_become_shipments_a_day(void **state)
{
    (void)state;
    char dir[] = "/tmp/bf_scenario_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char base[128], child[128];
    snprintf(base, sizeof base, "%s/base.json", dir);
    snprintf(child, sizeof child, "%s/child.json", dir);
    write_text(
        base,
        "{\"name\": \"base\",\n"
        " \"horizon\": {\"window\": {\"start\": \"2026-01-01\", \"end\": \"2026-02-19\"}},\n"
        " \"defaults\": {\"categories\": {\"general\": {\"unit_cost_cny\": 50, \"fob_multiple\": "
        "2},\n"
        "                               \"apparel\": null, \"electronics\": null, \"home\": "
        "null},\n"
        "              \"channels\": {\"9610\": {\"units\": 2}}},\n"
        " \"cities\": [{\"name\": \"A\", \"shipments_per_day\": 20,\n"
        "             \"channel_mix\": {\"9610\": 1, \"9710\": 0, \"9810\": 0, \"0110\": 0}},\n"
        "            {\"name\": \"B\", \"annual_export_fob_cny\": 73000,\n"
        "             \"channel_mix\": {\"9610\": 1, \"9710\": 0, \"9810\": 0, \"0110\": 0}},\n"
        "            {\"name\": \"C\", \"annual_export_cost_cny\": 79200,\n"
        "             \"arrivals\": {\"seasonality\": [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]},\n"
        "             \"channel_mix\": {\"9610\": 1, \"9710\": 0, \"9810\": 0, \"0110\": 0}}],\n"
        " \"policies\": {\"before\": {}, \"after\": {}}}\n");
    write_text(child, "{\"extends\": \"base.json\", \"name\": \"child\",\n"
                      " \"cities\": [{\"name\": \"A\", \"annual_export_cost_cny\": 73000}]}\n");
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load(child, &sc, &pb);
    for (size_t i = 0; i < pb.n; i++) {
        char line[1024];
        bf_problem_format(&pb.items[i], line, sizeof line);
        print_error("%s\n", line);
    }
    assert_int_equal(rc, 0);
    for (uint32_t k = 0; k < 2; k++) { /* every policy: arrivals are the city's */
        bf_assert_near(sc.city[0].params[k].shipments_per_day, 2.0, 1e-12);
        bf_assert_near(sc.city[1].params[k].shipments_per_day, 1.0, 1e-12);
        bf_assert_near(sc.city[2].params[k].shipments_per_day, 2.0, 1e-12);
    }
    assert_int_equal(sc.city[0].volume_from, BF_VOLUME_COST);
    assert_int_equal(sc.city[1].volume_from, BF_VOLUME_FOB);
    bf_assert_near(sc.city[1].annual_export_cny, 73000.0, 0.0);
    bf_scenario_fini(&sc);
    bf_problems_fini(&pb);
    remove(base);
    remove(child);
    rmdir(dir);
}

static const char *selecting =
    "{\"name\": \"sel\",\n"
    " \"horizon\": {\"window\": {\"start\": \"2026-01-01\", \"end\": \"2026-02-19\"}},\n"
    " \"classes\": {\"coastal\": {}, \"inland\": {}},\n"
    " \"select\": {\"classes\": [\"coastal\"], \"provinces\": [\"Henan\"]},\n"
    " \"cities\": [{\"name\": \"Hefei\", \"province\": \"Anhui\", \"class\": \"inland\"},\n"
    "            {\"name\": \"Zhengzhou\", \"province\": \"Henan\", \"class\": \"inland\"},\n"
    "            {\"name\": \"Ningbo\", \"province\": \"Zhejiang\", \"class\": \"coastal\"},\n"
    "            {\"name\": \"Wenzhou\", \"province\": \"Zhejiang\", \"class\": \"coastal\"},\n"
    "            {\"name\": \"Luoyang\", \"province\": \"Henan\"}],\n"
    " \"policies\": {\"before\": {}, \"after\": {\"by_city\": {\"Hefei\": {}}}}}\n";

static void select_should_keep_cities_by_class_or_province(void **state)
{
    (void)state;
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load_text("sel.json", selecting, strlen(selecting), &sc, &pb);
    for (size_t i = 0; i < pb.n; i++) {
        char line[1024];
        bf_problem_format(&pb.items[i], line, sizeof line);
        print_error("%s\n", line);
    }
    assert_int_equal(rc, 0);
    /* the coastal cities and those of Henan, in the order listed; each
     * keeps its place in the list as its streams' key; by_city may name
     * a city left out */
    const char *want[] = {"Zhengzhou", "Ningbo", "Wenzhou", "Luoyang"};
    const uint32_t place[] = {1, 2, 3, 4};
    assert_int_equal(sc.n_cities, 4);
    assert_int_equal(sc.n_cities_listed, 5);
    assert_string_equal(sc.selection, "select");
    for (int i = 0; i < 4; i++) {
        assert_string_equal(sc.city[i].name, want[i]);
        assert_int_equal(sc.city[i].stream, place[i]);
        assert_non_null(sc.city[i].params);
    }
    /* --city narrows further and names the scenario for what it kept */
    char why[256];
    const char *two[] = {"Wenzhou", "Zhengzhou"};
    assert_int_equal(bf_scenario_select(&sc, two, 2, why, sizeof why), 0);
    assert_string_equal(sc.name, "sel.Zhengzhou.Wenzhou"); /* in the scenario's order */
    assert_string_equal(sc.selection, "select, --city");
    assert_int_equal(sc.n_cities, 2);
    assert_int_equal(sc.city[1].stream, 3);
    const char *gone[] = {"Ningbo"};
    assert_int_equal(bf_scenario_select(&sc, gone, 1, why, sizeof why), BF_EINVAL);
    assert_non_null(strstr(why, "no city 'Ningbo'"));
    const char *typo[] = {"Zhengzou"};
    assert_int_equal(bf_scenario_select(&sc, typo, 1, why, sizeof why), BF_EINVAL);
    assert_non_null(strstr(why, "did you mean 'Zhengzhou'?"));
    bf_scenario_fini(&sc);
    /* more than three cities: a count and a hash */
    rc = bf_scenario_load_text("sel.json", selecting, strlen(selecting), &sc, &pb);
    assert_int_equal(rc, 0);
    const char *four[] = {"Zhengzhou", "Ningbo", "Wenzhou", "Luoyang"};
    assert_int_equal(bf_scenario_select(&sc, four, 4, why, sizeof why), 0);
    assert_int_equal(strncmp(sc.name, "sel.4-cities.", 13), 0);
    assert_int_equal(strlen(sc.name), 13 + 8);
    bf_scenario_fini(&sc);
    bf_problems_fini(&pb);
}

/* Whether the numbers x make a distribution a parameter may have. */
static bool form_accepts(const struct bf__dist_form *f, const double *x)
{
    struct bf_dist d;
    if (f->arrays) {
        double v[2] = {x[0], x[0]}, w[2] = {x[1], 1};
        if (bf_dist_empirical(&d, v, w, 2, NULL) != 0)
            return false;
    } else if (f->make(&d, x, NULL) != 0) {
        return false;
    }
    return !bf__dist_kind_in_params(f->kind) || bf_dist_nonnegative(&d);
}

/* The bounds the schema states for each key of each form (dist_forms.c)
 * are the loader's: its example is accepted; an inclusive bound itself is
 * accepted (with the other keys at their examples); a value just beyond a
 * bound is refused by the constructors or by the rule that parameters are
 * >= 0. (An exclusive lower bound is only checked from beyond: just above
 * it, bounds between keys such as p90 > median may refuse.) */
static void dist_forms_should_state_the_constructors_bounds(void **state)
{
    (void)state;
    bool kind_seen[BF_DIST__COUNT] = {false};
    for (size_t i = 0; i < bf__dist_forms_n; i++) {
        const struct bf__dist_form *f = &bf__dist_forms[i];
        kind_seen[f->kind] = true;
        assert_true(f->n_required >= 1 && f->n_required <= f->n_keys && f->n_keys <= 3);
        assert_true(f->arrays == (f->make == NULL));
        double x[3];
        for (unsigned j = 0; j < f->n_keys; j++)
            x[j] = f->key[j].example;
        assert_true(form_accepts(f, x));
        for (unsigned j = 0; j < f->n_keys; j++) {
            const struct bf__bound *b = &f->key[j].bound;
            double y[3];
            memcpy(y, x, sizeof y);
            /* an inclusive bound is itself accepted: the bound is not
             * looser than the loader's */
            if (isfinite(b->min) && !b->min_excl) {
                y[j] = b->min;
                if (!form_accepts(f, y))
                    fail_msg("%s: %s = %g, its bound, is refused", bf_dist_kind_name(f->kind),
                             f->key[j].name, y[j]);
            }
            if (isfinite(b->max)) {
                y[j] = b->max;
                if (!form_accepts(f, y))
                    fail_msg("%s: %s = %g, its bound, is refused", bf_dist_kind_name(f->kind),
                             f->key[j].name, y[j]);
            }
            /* and beyond it refused: not stricter than the loader */
            if (isfinite(b->min)) {
                y[j] = b->min_excl ? b->min : b->min - 1e-9 * (1 + fabs(b->min));
                if (form_accepts(f, y))
                    fail_msg("%s: %s = %g is accepted, beyond its bound",
                             bf_dist_kind_name(f->kind), f->key[j].name, y[j]);
            }
            if (isfinite(b->max)) {
                y[j] = b->max + 1e-9 * (1 + fabs(b->max));
                if (form_accepts(f, y))
                    fail_msg("%s: %s = %g is accepted, beyond its bound",
                             bf_dist_kind_name(f->kind), f->key[j].name, y[j]);
            }
        }
    }
    for (int k = 0; k < BF_DIST__COUNT; k++)
        assert_true(kind_seen[k]); /* every kind can be written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_should_match_the_fips_vectors),
        cmocka_unit_test(suggestions_should_find_near_misses_only),
        cmocka_unit_test(layers_should_apply_in_order),
        cmocka_unit_test(problems_should_all_be_reported_with_positions),
        cmocka_unit_test(syntax_errors_should_name_line_and_column),
        cmocka_unit_test(extends_should_merge_cities_by_name),
        cmocka_unit_test(loading_should_fail_cleanly_at_every_allocation),
        cmocka_unit_test(extends_should_merge_in_linear_work),
        cmocka_unit_test(extends_should_open_only_scenario_files),
        cmocka_unit_test(extends_should_fail_cleanly_at_every_allocation),
        cmocka_unit_test(annual_exports_should_become_shipments_a_day),
        cmocka_unit_test(select_should_keep_cities_by_class_or_province),
        cmocka_unit_test(dist_forms_should_state_the_constructors_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
