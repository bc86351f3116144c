/*
 * fuzz_model.c - the model on extreme values that validation accepts.
 *
 * fuzz_scenario mutates JSON text, which rarely lands on a number that is
 * both huge and still valid; this target builds such numbers on purpose.
 * An input that starts with '{' is a scenario file as it is (the
 * reproducers of tests/fuzz/regressions/ are in its corpus). Any other
 * input is decoded into a one-city scenario whose durations -- up to four,
 * drawn from every parameter in h, d or wd of the tables (params.h) -- have
 * a far tail (bf_dist_tail) from 10^-3 to 4 times the largest validation
 * allows (bf_param_tail_max), of every kind of distribution, written in
 * the defaults, the city or the compared policy, with the class and policy
 * factors, the rebate trigger and filing, the returns and the run's years
 * (1970 to 2190) decoded too. The text is loaded through the validator;
 * what it accepts, every policy of the city then runs over a short
 * horizon (at most 30 + 30 days, 60 000 events).
 *
 * The contract, beyond the sanitizers: a scenario that validates runs
 * without an assertion, a GSL error or an undocumented code -- 0,
 * BF_ERANGE (the ledger's range, a draw beyond the calendar), BF_ELIMIT
 * (units per shipment, the event cap) or BF_ENOMEM, and a failure says
 * why.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/model.h"
#include "borderflow/params.h"
#include "borderflow/scenario.h"

#include "fuzz.h"

unsigned long bf_fuzz_n_valid;

static _Noreturn void broken(const char *what, int rc, const char *msg)
{
    fprintf(stderr, "fuzz_model: broken contract: %s (rc %d, %s)%s%s\n", what, rc, bf_err_name(rc),
            msg ? ": " : "", msg ? msg : "");
    abort();
}

/* ---- the bytes, read in order; zeros once they run out ---- */

struct in {
    const uint8_t *p;
    size_t n, i;
};

static unsigned u8(struct in *b)
{
    return b->i < b->n ? b->p[b->i++] : 0u;
}

/* A number in [0, 1] from two bytes. */
static double unit(struct in *b)
{
    unsigned hi = u8(b), lo = u8(b);
    return (double)(hi << 8 | lo) / 65535.0;
}

/* 10^(lo + (hi - lo) x), x from two bytes. */
static double log_range(struct in *b, double lo, double hi)
{
    return pow(10.0, lo + (hi - lo) * unit(b));
}

/* ---- the durations of the tables ---- */

struct duration {
    char section[16]; /* "port", "channels", "lanes", ... */
    char sub[16];     /* a channel code or a lane name; "" for none */
    char key[32];
    const struct bf_param_info *pi;
};

#define MAX_DURATIONS 96
static struct duration durations[MAX_DURATIONS];
static unsigned n_durations;

static bool is_duration(const struct bf_param_info *pi)
{
    return pi->type == BF_PT_DIST && isfinite(bf_param_tail_max(pi->unit));
}

static void add(const char *section, const char *sub, const char *key,
                const struct bf_param_info *pi)
{
    if (n_durations == MAX_DURATIONS)
        return;
    struct duration *d = &durations[n_durations++];
    snprintf(d->section, sizeof d->section, "%s", section);
    snprintf(d->sub, sizeof d->sub, "%s", sub);
    snprintf(d->key, sizeof d->key, "%s", key);
    d->pi = pi;
}

static void list_durations(void)
{
    if (n_durations > 0)
        return;
    for (size_t i = 0; i < bf_param_table_n; i++) {
        const struct bf_param_info *pi = &bf_param_table[i];
        const char *dot = strchr(pi->path, '.');
        if (!is_duration(pi) || dot == NULL)
            continue;
        char section[16];
        snprintf(section, sizeof section, "%.*s", (int)(dot - pi->path), pi->path);
        add(section, "", dot + 1, pi);
    }
    struct bf_params p;
    bf_params_default(&p);
    for (unsigned k = 0; k < p.n_lanes; k++)
        for (size_t i = 0; i < bf_lane_table_n; i++)
            if (is_duration(&bf_lane_table[i]))
                add("lanes", p.lane[k].name, bf_lane_table[i].path, &bf_lane_table[i]);
    for (int c = 0; c < BF_CH_COUNT; c++)
        for (size_t i = 0; i < bf_channel_table_n; i++)
            if (is_duration(&bf_channel_table[i]))
                add("channels", bf_channel_code((enum bf_channel)c), bf_channel_table[i].path,
                    &bf_channel_table[i]);
}

/* ---- text ---- */

struct text {
    char s[8192];
    size_t n;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        t->n = t->n + (size_t)k < sizeof t->s ? t->n + (size_t)k : sizeof t->s - 1;
}

/*
 * A distribution whose far tail is `tail`, of a kind chosen by the bytes,
 * as a JSON value. Negative values are left to the validator: a uniform's
 * lower end may be anything below its upper one.
 */
static void put_dist(struct text *t, struct in *b, double tail)
{
    const double L = 27.631021115928547, z = 7.0344838253011321;
    switch (u8(b) % 9) {
    case 0:
        put(t, "%.17g", tail);
        break;
    case 1:
        put(t, "{\"dist\": \"fixed\", \"value\": %.17g}", tail);
        break;
    case 2:
        put(t, "{\"dist\": \"uniform\", \"min\": %.17g, \"max\": %.17g}", tail * unit(b), tail);
        break;
    case 3: {
        double lo = tail * unit(b);
        put(t, "{\"dist\": \"triangular\", \"min\": %.17g, \"mode\": %.17g, \"max\": %.17g}", lo,
            lo + (tail - lo) * unit(b), tail);
        break;
    }
    case 4:
        put(t, "{\"dist\": \"exponential\", \"mean\": %.17g}", tail / L);
        break;
    case 5: {
        double sigma = log_range(b, -2.0, 1.0);
        put(t, "{\"dist\": \"lognormal\", \"mu\": %.17g, \"sigma\": %.17g}", log(tail) - z * sigma,
            sigma);
        break;
    }
    case 6: {
        double shape = log_range(b, -4.0, 5.0);
        put(t, "{\"dist\": \"gamma\", \"shape\": %.17g, \"scale\": %.17g}", shape,
            tail / (shape + sqrt(2.0 * shape * L) + L));
        break;
    }
    case 7: {
        double shape = log_range(b, -1.5, 1.5);
        put(t, "{\"dist\": \"weibull\", \"shape\": %.17g, \"scale\": %.17g}", shape,
            exp(log(tail) - log(L) / shape));
        break;
    }
    default: {
        unsigned n = 1 + u8(b) % 4;
        put(t, "{\"dist\": \"empirical\", \"values\": [");
        for (unsigned i = 0; i < n; i++)
            put(t, "%s%.17g", i ? ", " : "", i == 0 ? tail : tail * unit(b));
        put(t, "]}");
    }
    }
}

static const char *const triggers[] = {"departure", "closure", "sale", "never"};

enum layer { L_DEFAULTS = 0, L_CITY, L_POLICY, L_COUNT };

/*
 * The parameter sections of one layer: the durations drawn for it (with
 * their far tails) and what the bytes decide there besides: the class
 * factors (the city), the policy factors (the compared policy), the
 * returns, the filing, a rebate trigger and a return probability (the
 * defaults).
 */
static void put_sections(struct text *t, struct in *b, const unsigned *which, const double *tail,
                         const unsigned *layer, unsigned n, enum layer here)
{
    static const char *const sections[] = {"clearance", "port",  "warehouse", "returns",
                                           "rebate",    "lanes", "channels"};
    put(t, "{");
    const char *sep = "";
    for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
        const char *sec = sections[s];
        bool any = false;
        for (unsigned i = 0; i < n; i++)
            any = any || (layer[i] == here && strcmp(durations[which[i]].section, sec) == 0);
        bool factors =
            here != L_DEFAULTS && (strcmp(sec, "clearance") == 0 || strcmp(sec, "port") == 0);
        bool extra =
            here == L_DEFAULTS && (strcmp(sec, "returns") == 0 || strcmp(sec, "rebate") == 0 ||
                                   (strcmp(sec, "channels") == 0 && !any));
        if (!any && !factors && !extra)
            continue;
        put(t, "%s\"%s\": {", sep, sec);
        sep = ", ";
        const char *msep = "";
        if (factors) {
            put(t, "\"%s\": %.4g", here == L_CITY ? "multiplier" : "policy_factor",
                log_range(b, -2.0, 2.0));
            msep = ", ";
        }
        for (unsigned i = 0; i < n; i++) {
            const struct duration *d = &durations[which[i]];
            if (layer[i] != here || strcmp(d->section, sec) != 0)
                continue;
            if (d->sub[0])
                put(t, "%s\"%s\": {\"%s\": ", msep, d->sub, d->key);
            else
                put(t, "%s\"%s\": ", msep, d->key);
            put_dist(t, b, tail[i]);
            if (d->sub[0])
                put(t, "}");
            msep = ", ";
        }
        if (extra && strcmp(sec, "returns") == 0)
            put(t, "%s\"to_china_share\": %.3f, \"procedure\": \"%s\"", msep, 0.5 * unit(b),
                u8(b) & 1 ? "ordinary" : "cbec_return");
        else if (extra && strcmp(sec, "rebate") == 0)
            put(t, "%s\"filing\": \"%s\"", msep, u8(b) & 1 ? "monthly" : "continuous");
        else if (extra)
            put(t, "\"9810\": {\"trigger\": \"%s\", \"trigger_adoption\": %.3f}",
                triggers[u8(b) % 4], unit(b));
        put(t, "}");
    }
    if (here == L_DEFAULTS)
        put(t, "%s\"categories\": {\"general\": {\"return_prob\": %.3f}}", sep, unit(b));
    put(t, "}");
}

/* Decodes the bytes into a scenario file. */
static void build(struct text *t, struct in *b)
{
    list_durations();
    unsigned n = 1 + u8(b) % 4;
    unsigned which[4], layer[4];
    double tail[4];
    for (unsigned i = 0; i < n; i++) {
        which[i] = u8(b) % n_durations;
        layer[i] = u8(b) % L_COUNT;
        /* around the bound: most draws land near it, on either side */
        tail[i] = bf_param_tail_max(durations[which[i]].pi->unit) * log_range(b, -3.0, 0.6);
    }
    int year = 1970 + (int)(u8(b) * 220u / 255u);
    unsigned days = 1 + u8(b) % 30, tail_days = u8(b) % 31;
    double spd = log_range(b, -1.0, 1.3);
    put(t,
        "{\"name\": \"fuzz_model\", \"horizon\": {\"window\": {\"start\": \"%d-01-01\", "
        "\"end\": \"%d-01-%02u\"}, \"warmup_days\": 0, \"tail_days\": %u}, \"replications\": 1, "
        "\"seed\": %u, \"rule\": \"%s\", \"defaults\": ",
        year, year, days, tail_days, u8(b), u8(b) & 1 ? "event" : "creation");
    put_sections(t, b, which, tail, layer, n, L_DEFAULTS);
    /* a layer's sections are an object; the city's go with its other keys */
    struct text c = {.n = 0};
    put_sections(&c, b, which, tail, layer, n, L_CITY);
    put(t, ", \"cities\": [{\"name\": \"Hefei\", \"shipments_per_day\": %.4g, %.*s}]", spd,
        (int)(c.n - 2), c.s + 1);
    put(t, ", \"policies\": {\"before\": {}, \"after\": ");
    put_sections(t, b, which, tail, layer, n, L_POLICY);
    put(t, "}}");
}

/* ---- the run ---- */

static void run_city(const struct bf_scenario *sc)
{
    const struct bf_city *c = &sc->city[0];
    uint32_t days = sc->window_days < 30 ? sc->window_days : 30;
    for (uint32_t p = 0; p < sc->n_policies; p++) {
        bool is_base = p == sc->baseline;
        struct bf_model_input in = {
            .old_rules = &c->params[sc->baseline],
            .new_rules = &c->params[p],
            .effective_day = is_base ? INT32_MAX : c->effective_day,
            .rule = sc->rule,
            .cal = &sc->cal,
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
            .max_events = 60000,
        };
        struct bf_model_result out;
        struct bf_diag d;
        bf_diag_clear(&d);
        int rc = bf_model_run(&in, &out, &d);
        if (rc == 0)
            bf_model_result_fini(&out);
        else if (rc != BF_ERANGE && rc != BF_ELIMIT && rc != BF_ENOMEM)
            broken("a scenario that validated failed to run", rc, d.msg);
        else if (d.msg[0] == '\0')
            broken("a run failed without saying why", rc, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct text t;
    const char *text;
    size_t len;
    if (size > 0 && data[0] == '{') {
        text = (const char *)data;
        len = size;
    } else {
        struct in b = {.p = data, .n = size};
        t.n = 0;
        t.s[0] = '\0';
        build(&t, &b);
        text = t.s;
        len = t.n;
    }
    struct bf_scenario sc;
    struct bf_problems pb;
    bf_problems_init(&pb);
    int rc = bf_scenario_load_text("fuzz_model.json", text, len, &sc, &pb);
    if (getenv("BF_FUZZ_MODEL_PRINT") != NULL) {
        fprintf(stderr, "%.*s\n", (int)len, text);
        for (size_t i = 0; i < pb.n; i++) {
            char line[1200];
            bf_problem_format(&pb.items[i], line, sizeof line);
            fprintf(stderr, "  %s\n", line);
        }
    }
    bf_problems_fini(&pb);
    if (rc == 0) {
        bf_fuzz_n_valid++;
        run_city(&sc);
        bf_scenario_fini(&sc);
    }
    return 0;
}
