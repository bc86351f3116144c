/*
 * queue_model.c - Poisson arrivals through one or two FIFO stations, built
 * the way a borderflow model is: handlers on the engine, customers in a
 * pool, servers as resources, draws from purpose streams.
 *
 * Service times come from the station's purpose stream in the order services
 * start, not from entity streams: a run is a pure function of (config, rep)
 * either way, this model has no policies to compare with common random
 * numbers, and re-seeding the scratch generator per draw would cost more
 * than the draw.
 */
#include "queue_model.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "borderflow/error.h"
#include "borderflow/event.h"
#include "borderflow/pool.h"
#include "borderflow/resource.h"
#include "borderflow/rng.h"
#include "borderflow/stats.h"

enum { EV_ARRIVAL, EV_SERVICE_END, EV_COUNT };

struct customer {
    double arrived_h;
    uint32_t station; /* where it is queued or in service */
    bool measured;
};

struct model {
    const struct bf_queue_model_config *cfg;
    struct bf_dist interarrival; /* exponential, mean 1 / lambda */
    struct bf_streams streams;
    struct bf_pool customers;
    struct bf_resource station[BF_QUEUE_MODEL_MAX_STATIONS];
    uint32_t n_stations_ready; /* resources initialised, for cleanup */
    struct bf_tw in_system;
    uint32_t n_in_system;
    uint64_t n_arrived; /* arrival index of the next customer */
    bool measuring;     /* t0_h has passed */
    bool closed;        /* t1_h has passed: arrivals stopped */
    uint64_t n_measured_arrived, n_measured_departed;
    uint64_t n_departed_in_window;
    double t0_h, t1_h, l;
    double sum_wq_h[BF_QUEUE_MODEL_MAX_STATIONS];
    double sum_w_h;
};

static struct customer *cust(struct model *m, uint32_t c)
{
    return bf_pool_at(&m->customers, c);
}

static double draw(struct model *m, uint32_t purpose, const struct bf_dist *d)
{
    return bf_dist_sample(d, bf_streams_get(&m->streams, purpose));
}

/* Customer c holds a server of station k after waiting waited_h. */
static int start_service(struct bf_engine *e, struct model *m, uint32_t k, uint32_t c,
                         double waited_h)
{
    if (cust(m, c)->measured)
        m->sum_wq_h[k] += waited_h;
    const double s_h = draw(m, BF_QUEUE_MODEL_PURPOSE_SERVICE0 + k, &m->cfg->station[k].service);
    return bf_engine_in(e, s_h, EV_SERVICE_END, c, NULL);
}

static int join(struct bf_engine *e, struct model *m, uint32_t k, uint32_t c)
{
    cust(m, c)->station = k;
    bool granted;
    int rc = bf_resource_acquire(&m->station[k], e->now_h, c, &granted);
    if (rc != 0)
        return rc;
    return granted ? start_service(e, m, k, c, 0.0) : 0;
}

static int on_arrival(struct bf_engine *e, uint32_t unused, void *ctx)
{
    (void)unused;
    struct model *m = ctx;
    const struct bf_queue_model_config *cfg = m->cfg;
    const uint64_t idx = m->n_arrived++;

    if (!m->measuring && idx >= cfg->warmup_customers && e->now_h >= cfg->warmup_h) {
        m->measuring = true;
        m->t0_h = e->now_h;
        bf_tw_restart(&m->in_system, e->now_h);
    }
    if (m->measuring && m->n_measured_arrived == cfg->n_measured) {
        /* The first customer after the measured ones: close the window
         * before it would be counted, and let the system drain. */
        m->closed = true;
        m->t1_h = e->now_h;
        m->l = bf_tw_mean(&m->in_system, e->now_h);
        return 0;
    }

    /* The arrival stream has a purpose of its own, so when the next arrival
     * is drawn relative to service draws does not matter. */
    const double gap_h = draw(m, BF_QUEUE_MODEL_PURPOSE_ARRIVALS, &m->interarrival);
    int rc = bf_engine_in(e, gap_h, EV_ARRIVAL, 0, NULL);
    if (rc != 0)
        return rc;

    uint32_t c;
    rc = bf_pool_alloc(&m->customers, &c);
    if (rc != 0)
        return rc;
    struct customer *p = cust(m, c);
    p->arrived_h = e->now_h;
    p->measured = m->measuring;
    if (p->measured)
        m->n_measured_arrived++;
    bf_tw_set(&m->in_system, e->now_h, (double)++m->n_in_system);
    return join(e, m, 0, c);
}

static int on_service_end(struct bf_engine *e, uint32_t c, void *ctx)
{
    struct model *m = ctx;
    const uint32_t k = cust(m, c)->station;

    uint32_t next;
    double waited_h;
    if (bf_resource_release(&m->station[k], e->now_h, &next, &waited_h)) {
        int rc = start_service(e, m, k, next, waited_h);
        if (rc != 0)
            return rc;
    }

    if (k + 1 < m->cfg->n_stations)
        return join(e, m, k + 1, c);

    const struct customer *p = cust(m, c);
    if (p->measured) {
        m->sum_w_h += e->now_h - p->arrived_h;
        m->n_measured_departed++;
    }
    if (m->measuring && !m->closed)
        m->n_departed_in_window++;
    bf_tw_set(&m->in_system, e->now_h, (double)--m->n_in_system);
    bf_pool_free(&m->customers, c);
    return 0;
}

static int check_config(const struct bf_queue_model_config *cfg)
{
    if (!(cfg->lambda_per_h > 0.0) || !isfinite(cfg->lambda_per_h) || cfg->n_stations < 1 ||
        cfg->n_stations > BF_QUEUE_MODEL_MAX_STATIONS || !(cfg->warmup_h >= 0.0) ||
        !isfinite(cfg->warmup_h) || cfg->n_measured < 1)
        return BF_EINVAL;
    for (uint32_t k = 0; k < cfg->n_stations; k++) {
        const struct bf_queue_model_station *s = &cfg->station[k];
        if (s->servers < 1 || bf_dist_check(&s->service, NULL) != 0 ||
            !bf_dist_nonnegative(&s->service))
            return BF_EINVAL;
    }
    return 0;
}

static void model_fini(struct model *m)
{
    for (uint32_t k = 0; k < m->n_stations_ready; k++)
        bf_resource_fini(&m->station[k]);
    bf_pool_fini(&m->customers);
    bf_streams_fini(&m->streams);
}

/* Runs the initialised model to the end and fills *out. */
static int simulate(struct model *m, struct bf_engine *e, uint32_t rep,
                    struct bf_queue_model_result *out)
{
    const struct bf_queue_model_config *cfg = m->cfg;
    /* A failing BF_ASSERT names the replication and seed being run. */
    const struct bf_assert_ctx actx = {.now_h = &e->now_h,
                                       .city = "validation (queue model)",
                                       .policy = "-",
                                       .replication = rep,
                                       .seed = cfg->seed};
    bf_assert_set_ctx(&actx);

    const double first_h = draw(m, BF_QUEUE_MODEL_PURPOSE_ARRIVALS, &m->interarrival);
    int rc = bf_engine_in(e, first_h, EV_ARRIVAL, 0, NULL);
    /* Arrivals stop at t1_h, so the event list empties once the last
     * customer has left. */
    if (rc == 0)
        rc = bf_engine_run(e, (double)INFINITY);
    if (rc == 0)
        BF_ASSERT(m->closed && m->n_measured_departed == cfg->n_measured && m->n_in_system == 0);
    /* The context points into e, which the caller is about to free. */
    bf_assert_clear_ctx();
    if (rc != 0)
        return rc;

    const double n = (double)cfg->n_measured;
    const double span_h = m->t1_h - m->t0_h;
    struct bf_queue_model_result r;
    memset(&r, 0, sizeof r);
    for (uint32_t k = 0; k < cfg->n_stations; k++)
        r.wq_h[k] = m->sum_wq_h[k] / n;
    r.w_h = m->sum_w_h / n;
    r.l = m->l;
    r.throughput_per_h = (double)m->n_departed_in_window / span_h;
    r.arrival_rate_per_h = n / span_h;
    r.t0_h = m->t0_h;
    r.t1_h = m->t1_h;
    r.n_measured = cfg->n_measured;
    r.n_events = e->n_dispatched;
    *out = r;
    return 0;
}

int bf_queue_model_run(const struct bf_queue_model_config *cfg, uint32_t rep,
                       struct bf_queue_model_result *out)
{
    static bf_event_fn *const handlers[EV_COUNT] = {on_arrival, on_service_end};
    int rc = check_config(cfg);
    if (rc != 0)
        return rc;
    if (rep >= BF_RNG_MAX_REPLICATIONS || cfg->city >= BF_RNG_MAX_CITIES)
        return BF_EINVAL; /* bf_rng_seed32 would assert */

    struct model m;
    memset(&m, 0, sizeof m);
    m.cfg = cfg;
    struct bf_engine e;
    if (bf_dist_exponential(&m.interarrival, 1.0 / cfg->lambda_per_h, NULL) != 0)
        return BF_EINVAL; /* lambda so large that 1 / lambda underflows to 0 */
    bf_tw_init(&m.in_system, 0.0, 0.0);

    /* Every init below leaves nothing allocated when it fails, and every
     * fini is safe on what a failed or skipped init left (zeroed structs). */
    rc = bf_streams_init(&m.streams, cfg->seed, cfg->city, rep,
                         BF_QUEUE_MODEL_PURPOSE_SERVICE0 + cfg->n_stations);
    if (rc != 0)
        goto fail;
    if ((rc = bf_pool_init(&m.customers, sizeof(struct customer), 256)) != 0)
        goto fail;
    for (uint32_t k = 0; k < cfg->n_stations; k++) {
        if ((rc = bf_resource_init(&m.station[k], cfg->station[k].servers, 0.0)) != 0)
            goto fail;
        m.n_stations_ready = k + 1;
    }
    if ((rc = bf_engine_init(&e, handlers, EV_COUNT, &m, 256)) != 0)
        goto fail;
    rc = simulate(&m, &e, rep, out);
    bf_engine_fini(&e);

fail:
    model_fini(&m);
    return rc;
}
