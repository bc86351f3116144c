/*
 * fuzz_scenario.c - the scenario loader and validator under arbitrary bytes.
 *
 * Each input is loaded twice through bf_scenario_load_text: once as it is,
 * and once with one allocation failing (which one is derived from the
 * bytes, so every input tries a different failure point and a crash
 * replays). Beyond the sanitizers, the entry checks the loader's contract
 * (scenario.h) and aborts when it is broken:
 *  - the return code is one of those documented;
 *  - a failure other than BF_ENOMEM comes with at least one problem, and
 *    a success with none; after a failure the scenario is empty;
 *  - a scenario that loads passes bf_params_check for every city and
 *    policy, and its first city runs briefly under every policy (the
 *    model asserts what validation promised);
 *  - an allocation that failed makes the load return BF_ENOMEM;
 *  - no byte allocated through the hook is live afterwards (a leak check
 *    that works without LeakSanitizer, in the replay driver of ordinary
 *    builds).
 * The allocation hook is disarmed before and after every input, so an
 * input can never leave it armed for the next one.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "borderflow/alloc.h"
#include "borderflow/model.h"
#include "borderflow/params.h"
#include "borderflow/scenario.h"

#include "fuzz.h"

unsigned long bf_fuzz_n_valid;

static _Noreturn void broken(const char *what, int rc)
{
    fprintf(stderr, "fuzz_scenario: broken contract: %s (rc %d, %s)\n", what, rc, bf_err_name(rc));
    abort();
}

/*
 * The validator's promise, kept: every policy of the first city runs,
 * briefly (three planned shipments, at most 30 + 30 days and 20000 events,
 * so one input stays fast), without an assertion, a sanitizer report or an
 * undocumented code. A run may end with BF_ERANGE (the ledger's range),
 * BF_ELIMIT (units per shipment, the event cap) or BF_ENOMEM.
 */
static void run_briefly(const struct bf_scenario *sc)
{
    const struct bf_city *c = &sc->city[0];
    uint32_t days = sc->window_days < 30 ? sc->window_days : 30;
    double arrivals_h[3] = {1.0, 24.0 * days / 2.0, 24.0 * days - 1.0};
    for (uint32_t p = 0; p < sc->n_policies; p++) {
        bool is_base = p == sc->baseline;
        struct bf_model_input in = {
            .old_rules = &c->params[sc->baseline],
            .new_rules = &c->params[p],
            .effective_day = is_base ? INT32_MAX : c->effective_day,
            .rule = sc->rule,
            .cal = &sc->cal,
            /* the window alone: the warm-up would only make it longer */
            .start_day = sc->window_day,
            .window_day = sc->window_day,
            .window_days = days,
            .tail_days = sc->tail_days < 30 ? sc->tail_days : 30,
            .financing_rate = sc->financing_rate,
            .discount_rate = sc->discount_rate,
            .seed = sc->seed,
            .city_name = c->name,
            .policy_name = sc->policy[p].name,
            .n_samples = 4,
            .arrivals_h = arrivals_h,
            .n_arrivals = days >= 1 ? 3 : 0,
            .max_events = 20000,
        };
        struct bf_model_result out;
        struct bf_diag d;
        bf_diag_clear(&d);
        bf_model_result_init(&out);
        int rc = bf_model_run(&in, &out, &d);
        if (rc == 0)
            bf_model_result_fini(&out);
        else if (rc != BF_ERANGE && rc != BF_ELIMIT && rc != BF_ENOMEM)
            broken("a scenario that loaded failed to run", rc);
    }
}

/* Loads; *n_allocs: the allocations the load made (the hook's count). */
static int load(const uint8_t *data, size_t size, bool run, uint64_t *n_allocs)
{
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load_text("fuzz.json", (const char *)data, size, &sc, &pb);
    *n_allocs = bf_alloc_count();
    switch (rc) {
    case 0:
    case BF_EINVAL:
    case BF_EPARSE:
    case BF_ENOENT:
    case BF_EIO:
    case BF_ELIMIT:
    case BF_ENOMEM:
        break;
    default:
        broken("undocumented return code", rc);
    }
    if (rc != 0 && rc != BF_ENOMEM && pb.n == 0)
        broken("failed without saying why", rc);
    if (rc == 0 && pb.n != 0)
        broken("succeeded with problems", rc);
    for (size_t i = 0; i < pb.n; i++) {
        char line[1200];
        bf_problem_format(&pb.items[i], line, sizeof line);
    }
    if (rc != 0 && (sc.city != NULL || sc.n_cities != 0))
        broken("failed but left a scenario", rc);
    if (rc == 0) {
        if (sc.n_cities == 0 || sc.n_policies == 0 || sc.city == NULL)
            broken("loaded a scenario without cities or policies", rc);
        for (uint32_t c = 0; c < sc.n_cities; c++)
            for (uint32_t p = 0; p < sc.n_policies; p++) {
                struct bf_diag d;
                bf_diag_clear(&d);
                if (bf_params_check(&sc.city[c].params[p], &d) != 0) {
                    fprintf(stderr, "fuzz_scenario: city %u policy %u: %s: %s\n", c, p, d.where,
                            d.msg);
                    broken("loaded rules that bf_params_check refuses", rc);
                }
            }
        if (run) {
            bf_fuzz_n_valid++;
            run_briefly(&sc);
        }
        bf_scenario_fini(&sc);
    }
    bf_problems_fini(&pb);
    return rc;
}

/* FNV-1a: picks the failure point from the bytes, so it replays. */
static uint64_t hash(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 0x100000001b3ull;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bf_alloc_fail_at(0, 0);
    bf_alloc_set_limit(0);
    uint64_t live = bf_alloc_live_bytes();
    uint64_t n_allocs, reached;
    load(data, size, true, &n_allocs);
    if (bf_alloc_live_bytes() != live)
        broken("bytes allocated through the hook are still live", 0);
    if (n_allocs > 0) {
        uint64_t nth = 1 + hash(data, size) % n_allocs;
        bf_alloc_fail_at(nth, 0);
        int rc = load(data, size, false, &reached);
        bf_alloc_fail_at(0, 0);
        if (reached >= nth && rc != BF_ENOMEM) {
            fprintf(stderr, "fuzz_scenario: allocation %llu of %llu failed\n",
                    (unsigned long long)nth, (unsigned long long)n_allocs);
            broken("an allocation failed but the load did not say out of memory", rc);
        }
        if (bf_alloc_live_bytes() != live)
            broken("bytes allocated through the hook are still live after a failed allocation", rc);
    }
    return 0;
}
