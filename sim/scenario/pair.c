/*
 * pair.c - one more pair of a scenario that compares several policies
 * with its baseline ("compare": ["before", "after", "after_70"]).
 *
 * Each pair is run as a scenario of its own, of the baseline and the one
 * policy, named "<scenario>.vs_<policy>", so that it gets every delta, total,
 * chart and report a pair has. It gives exactly the numbers the pair has
 * in the whole scenario: a replication's random numbers depend on the
 * seed, the city's place and the replication (model.h), not on which
 * policies run beside it, and a policy's rules before the city's
 * effective date are the baseline's in both.
 */
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/scenario.h"

/* index k of sc in the pair scenario: 0 the baseline, 1 the policy, or a
 * policy index no policy of the pair has (its sweep or sensitivity
 * parameter then changes neither) */
static int remap(int k, const struct bf_scenario *sc, uint32_t policy)
{
    if (k < 0)
        return k; /* every policy */
    if ((uint32_t)k == sc->baseline)
        return 0;
    if ((uint32_t)k == policy)
        return 1;
    return BF_MAX_POLICIES;
}

int bf_scenario_pair(const struct bf_scenario *sc, uint32_t policy, struct bf_scenario *out)
{
    if (policy >= sc->n_policies || policy == sc->baseline)
        return BF_EINVAL;
    *out = *sc;
    out->city = bf__calloc(sc->n_cities ? sc->n_cities : 1, sizeof *out->city);
    if (out->city == NULL)
        return BF_ENOMEM;
    for (uint32_t i = 0; i < sc->n_cities; i++) {
        out->city[i] = sc->city[i];
        out->city[i].params = bf__malloc(2 * sizeof *out->city[i].params);
        if (out->city[i].params == NULL) {
            out->n_cities = i;
            bf_scenario_pair_fini(out);
            return BF_ENOMEM;
        }
        out->city[i].params[0] = sc->city[i].params[sc->baseline];
        out->city[i].params[1] = sc->city[i].params[policy];
    }
    out->policy[0] = sc->policy[sc->baseline];
    out->policy[1] = sc->policy[policy];
    out->n_policies = 2;
    out->baseline = 0;
    out->compared = 1;
    out->n_also = 0;
    for (uint32_t i = 0; i < out->n_sweeps; i++)
        out->sweep[i].policy = remap(sc->sweep[i].policy, sc, policy);
    for (uint32_t i = 0; i < out->sens.n_params; i++)
        out->sens.param[i].policy = remap(sc->sens.param[i].policy, sc, policy);
    /* validation made sure the name fits (bf_scenario_pair_name) */
    bf_scenario_pair_name(sc, policy, out->name, sizeof out->name);
    return 0;
}

int bf_scenario_pair_name(const struct bf_scenario *sc, uint32_t policy, char *out, size_t size)
{
    int n = snprintf(out, size, "%s.vs_%s", sc->name, sc->policy[policy].name);
    return n >= 0 && (size_t)n < size ? 0 : -1;
}

void bf_scenario_pair_fini(struct bf_scenario *pair)
{
    if (pair->city != NULL)
        for (uint32_t i = 0; i < pair->n_cities; i++)
            bf__free(pair->city[i].params);
    bf__free(pair->city);
    /* the calendar is the whole scenario's, freed by bf_scenario_fini */
    memset(pair, 0, sizeof *pair);
}
