/*
 * scenario.h - scenario files: loading, validation, the plain-C scenario.
 *
 * The scenario layer is the only code that includes cJSON. A scenario file
 * (JSON; docs/scenarios.md, docs/scenario.schema.json) is read, checked
 * field by field against the parameter tables of params.h, and copied into
 * a struct bf_scenario of plain C; the JSON tree is freed before
 * bf_scenario_load returns. Every problem found is reported -- all of them,
 * not only the first -- with file, line, column and JSON path, what is wrong
 * and what is allowed.
 */
#ifndef BORDERFLOW_SCENARIO_H
#define BORDERFLOW_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "borderflow/calendar.h"
#include "borderflow/error.h"
#include "borderflow/params.h"

#define BF_MAX_POLICIES      4
#define BF_MAX_CITIES        1024 /* random streams are keyed by city index below this */
#define BF_MAX_REPLICATIONS  32768
#define BF_MAX_SWEEPS        16
#define BF_MAX_SWEEP_VALUES  16
#define BF_MAX_WINDOW_DAYS   3660 /* ten years */
#define BF_MAX_WARMUP_DAYS   1830
#define BF_MAX_TAIL_DAYS     1830
#define BF_MAX_FILE_BYTES    (16u << 20)
#define BF_MAX_EXTENDS_DEPTH 8
#define BF_TEXT_MAX          256

/* One problem found in a scenario. */
struct bf_problem {
    char file[BF_TEXT_MAX];
    int line, column;          /* 0 when unknown */
    char path[BF_TEXT_MAX];    /* JSON path, e.g. cities[3].clearance.inspect_prob */
    char msg[2 * BF_TEXT_MAX]; /* what is wrong and what is allowed */
};

struct bf_problems {
    struct bf_problem *items;
    size_t n, cap;
    size_t dropped; /* problems not kept once the list hit its cap */
};

void bf_problems_init(struct bf_problems *p);
void bf_problems_fini(struct bf_problems *p);
/* "file:line:column: path: message" (parts that are unknown are left out),
 * control characters escaped for a terminal (bf_text_escape, error.h);
 * returns the length written into buf */
int bf_problem_format(const struct bf_problem *p, char *buf, size_t size);

struct bf_city {
    char name[64];
    char name_zh[64]; /* its name in Chinese ("杭州"), or "" */
    char province[64];
    char cls[16];             /* city class: a key of "classes", or "" */
    int candidate;            /* a plausible candidate, not a named pilot city */
    char note[BF_TEXT_MAX];   /* source or remark */
    int32_t effective_day;    /* first day of the compared policy's rules */
    struct bf_params *params; /* [n_policies]: the complete rules of each policy */
    /* its place among the cities the files list (0-based), before "select"
     * or run --city left any out: its random streams are keyed by it, so
     * that a city draws the same numbers in a narrowed study as in the
     * whole one */
    uint32_t stream;
    /* how its volume was given: shipments a day (arrivals.shipments_per_day,
     * its shorthand, or the default), or an annual export value at cost or
     * FOB, converted to shipments a day (bf_params_shipment_value_cny) */
    enum bf_volume_from { BF_VOLUME_SHIPMENTS = 0, BF_VOLUME_COST, BF_VOLUME_FOB } volume_from;
    double annual_export_cny; /* as given, when volume_from is COST or FOB */
};

struct bf_policy {
    char name[32];
    char description[BF_TEXT_MAX];
};

struct bf_sweep {
    char name[64];
    char path[128]; /* parameter path, e.g. rebate.processing_wd */
    int policy;     /* policy index it applies to, or -1 for every policy */
    uint32_t n_values;
    struct bf_pvalue value[BF_MAX_SWEEP_VALUES];
};

/*
 * Global sensitivity (docs/uncertainty.md): the uncertain parameters, each
 * over a range, and the design that samples them. A parameter is a path
 * sweeps accept -- a number or a share (set to a value in [lo, hi]), a
 * whole number (rounded), or a distribution (scaled by a factor in
 * [lo, hi]) -- or "effective_date" (every city's date moved by a number of
 * days in [lo, hi], rounded).
 */
#define BF_MAX_SENS_PARAMS 20
enum bf_sens_method { BF_SENS_NONE, BF_SENS_MORRIS, BF_SENS_SOBOL };
enum bf_sens_kind { BF_SK_VALUE, BF_SK_FACTOR, BF_SK_EFFECTIVE_SHIFT };
struct bf_sens_param {
    char path[128];
    int policy; /* policy index it applies to, or -1 for every policy */
    enum bf_sens_kind kind;
    struct bf_pvalue proto; /* the parameter (pi, table, index); unused for the shift */
    double lo, hi;
};
struct bf_sensitivity {
    enum bf_sens_method method;
    uint32_t n_params;
    struct bf_sens_param param[BF_MAX_SENS_PARAMS];
    uint32_t trajectories; /* Morris r */
    uint32_t levels;       /* Morris p */
    uint32_t samples;      /* Sobol' base rows N */
    uint32_t seed;         /* of the design and the bootstrap */
    uint32_t bootstrap;    /* resamples */
};

struct bf_scenario {
    char name[64];
    char description[512];
    char file[BF_TEXT_MAX]; /* as given on the command line */
    char sha256[65];        /* of the bytes of the file and every file it extends */
    int32_t window_day;     /* the measurement window: its first day, */
    uint32_t window_days;   /* and its length */
    uint32_t warmup_days;   /* the run starts this long before it, with an empty pipeline */
    uint32_t tail_days;     /* and goes on this long after it (its shipments complete) */
    int32_t start_day;      /* = window_day - warmup_days */
    uint32_t replications;
    uint64_t seed;
    double financing_rate, discount_rate;
    char currency[8];
    enum bf_regime_rule rule;
    struct bf_calendar cal;
    int calendar_builtin;               /* 1: China 2025/2026 from holidays.c */
    char calendar_years[128];           /* known years, for the run record ("2025, 2026") */
    char calendar_projected_years[128]; /* years projected from the statutory rules, or "" */
    uint32_t n_policies;
    struct bf_policy policy[BF_MAX_POLICIES];
    uint32_t baseline, compared; /* the compared pair: before, after */
    /* more policies compared with the baseline ("compare": [baseline,
     * compared, also...]); each is run as a pair of its own
     * (bf_scenario_pair) */
    uint32_t n_also;
    uint32_t also[BF_MAX_POLICIES];
    uint32_t n_cities;
    struct bf_city *city;
    uint32_t n_cities_listed; /* cities the files list, before "select" and run --city */
    char selection[32];       /* what left cities out: "", "select", "--city", "select, --city" */
    uint32_t n_sweeps;
    struct bf_sweep sweep[BF_MAX_SWEEPS];
    struct bf_sensitivity sens; /* method BF_SENS_NONE without a "sensitivity" section */
    uint32_t n_notes;
    char notes[16][BF_TEXT_MAX]; /* assumptions and sources stated in the file */
};

/*
 * Loads and validates a scenario. On success returns 0 and *sc holds the
 * scenario (free with bf_scenario_fini). On bad input returns BF_EINVAL (or
 * BF_EPARSE, BF_ENOENT, BF_EIO, BF_ELIMIT) with every problem in *problems
 * and *sc empty; BF_ENOMEM if memory ran out.
 */
int bf_scenario_load(const char *path, struct bf_scenario *sc, struct bf_problems *problems);
void bf_scenario_fini(struct bf_scenario *sc);

/* Same from text in memory (the fuzz target); `name` is used in messages. */
int bf_scenario_load_text(const char *name, const char *text, size_t len, struct bf_scenario *sc,
                          struct bf_problems *problems);

/* Sets sensitivity parameter sp at coordinate u in [0, 1] (lo + u (hi -
 * lo)) in p: the value, rounded for a whole number, or the distribution
 * scaled. Not for BF_SK_EFFECTIVE_SHIFT (the caller moves the date). */
void bf_sens_apply(const struct bf_sens_param *sp, double u, struct bf_params *p);
/* The value of sp at coordinate u: lo + u (hi - lo), rounded where the
 * parameter takes whole numbers or days. */
double bf_sens_value(const struct bf_sens_param *sp, double u);

/*
 * Calibration (borderflow calibrate): resolves a parameter path as
 * "sensitivity" does -- a number, a share or a whole number set to a value
 * in [lo, hi], or a distribution scaled by a factor in [lo, hi] -- for every
 * policy, and checks that both ends leave the rules of every city valid.
 * 0, BF_EINVAL with why (n bytes) saying what is wrong, or BF_ENOMEM.
 */
int bf_sens_param_resolve(const struct bf_scenario *sc, const char *path, double lo, double hi,
                          struct bf_sens_param *out, char *why, size_t n);
/* The field sp names in p (a double, a uint32_t or a struct bf_dist). */
const void *bf_sens_param_field(const struct bf_sens_param *sp, const struct bf_params *p);
/* The closest of names[0..n) to s if close enough ("did you mean"), else NULL. */
const char *bf_scenario_suggest(const char *s, const char *const *names, size_t n);

/*
 * Keeps only the cities named in names[0..n) (run --city, validate
 * --city): the others are dropped, with their rules. The scenario's name
 * gains the cities kept ("default.Hefei.Wuhan"; with more than three, or
 * a name too long, "default.5-cities.<8 hex digits of their SHA-256>"), so
 * that its results folder is not the whole study's, and sc->selection says
 * "--city". 0, or BF_EINVAL with why (n bytes) naming the first name that
 * is no city of sc (with the closest one); BF_ENOMEM.
 */
int bf_scenario_select(struct bf_scenario *sc, const char *const *names, size_t n, char *why,
                       size_t size);

/* Writes the JSON Schema of scenario files (docs/scenario.schema.json). */
int bf_scenario_write_schema(char **out, size_t *len);

/*
 * The scenario of one more pair of sc: its baseline and policy `policy`
 * (one of sc->also), named "<sc name>.vs_<policy name>", with every city's
 * rules, sweeps and sensitivity parameters of those two (sim/scenario/
 * pair.c says why its numbers are the pair's in sc). It shares sc's
 * calendar: free it with bf_scenario_pair_fini before bf_scenario_fini(sc).
 * 0, BF_EINVAL (not a policy of sc other than its baseline), BF_ENOMEM.
 */
int bf_scenario_pair(const struct bf_scenario *sc, uint32_t policy, struct bf_scenario *out);
void bf_scenario_pair_fini(struct bf_scenario *pair);
/* "<sc name>.vs_<policy name>" into out; -1 when it does not fit. */
int bf_scenario_pair_name(const struct bf_scenario *sc, uint32_t policy, char *out, size_t size);

/* Index of a policy by name, or -1. */
int bf_scenario_policy(const struct bf_scenario *sc, const char *name);

#endif
