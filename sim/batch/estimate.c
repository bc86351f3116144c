/*
 * estimate.c - the work of a run before it starts (batch.h
 * bf_batch_estimate): work items, simulated city-days, shipments, the time
 * at a measured rate, and the memory of the results.
 *
 * Points: the scenario as written, its sweep values, or the samples of its
 * sensitivity design. A sweep's values may change a city's volume, so a
 * sweep point's
 * shipments are estimated from the scenario as written: the estimate is
 * for deciding whether to start, not a promise.
 */
#include <math.h>

#include "borderflow/batch.h"

void bf_batch_estimate(const struct bf_scenario *sc, const struct bf_batch_options *o,
                       struct bf_work_estimate *e)
{
    const double reps = o->replications ? o->replications : sc->replications;
    double points = 1;
    const double k = sc->sens.n_params;
    if (o->sweeps && sc->sens.method == BF_SENS_MORRIS)
        points += sc->sens.trajectories * (k + 1);
    else if (o->sweeps && sc->sens.method == BF_SENS_SOBOL)
        points += sc->sens.samples * (k + 2);
    else if (o->sweeps)
        for (uint32_t s = 0; s < sc->n_sweeps; s++)
            points += sc->sweep[s].n_values;
    const double days = (double)sc->warmup_days + sc->window_days + sc->tail_days;
    double per_day = 0; /* shipments a day, all cities, seasonality averaged */
    for (uint32_t c = 0; c < sc->n_cities; c++) {
        const struct bf_params *p = &sc->city[c].params[0];
        double season = 0;
        for (int m = 0; m < 12; m++)
            season += p->seasonality[m] / 12.0;
        per_day += p->shipments_per_day * season;
    }
    const double runs = reps * sc->n_policies * points; /* of each city */
    e->items = (uint64_t)(runs * sc->n_cities);
    e->city_days = runs * sc->n_cities * days;
    e->shipments = runs * per_day * days;
    e->seconds_one_thread = e->shipments / BF_ESTIMATE_SHIPMENTS_PER_S;
    /* per group (point, city, policy): every replication's metrics and
     * breakdown, and two histograms of days; the groups of the scenario as
     * written also keep each replication's daily working capital while the
     * group is open, then the daily bands */
    const double groups = points * sc->n_cities * sc->n_policies;
    const double groups0 = (double)sc->n_cities * sc->n_policies;
    const double per_rep = BF_METRIC_COUNT + (double)BF_BK_SLOTS * BF_BK_COUNT;
    e->result_bytes = 8.0 * (groups * (reps * per_rep + 2.0 * BF_HIST_DAYS) +
                             groups0 * (reps * (BF_WC_COUNT + 1.0) + 16.0) * sc->window_days);
}
