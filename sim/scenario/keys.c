/*
 * keys.c - the keys each object of a scenario file may hold, and the names
 * a schedule's choices take: the loader refuses any other (bf__check_keys,
 * bf__get_enum) and the schema generator describes these and checks that
 * it describes exactly these keys (schema.c), so that neither can gain a
 * key the other does not know.
 */
#include "internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *const bf__top_keys[] = {
    "$schema", "name",     "description", "extends",  "horizon", "replications", "seed",
    "finance", "calendar", "rule",        "defaults", "classes", "cities",       "policies",
    "compare", "sweeps",   "sensitivity", "notes",    "select"};
const size_t bf__top_keys_n = N(bf__top_keys);

/* a parameter section: what each layer (defaults, class, city, policy)
 * holds, in the order of params.h */
const char *const bf__section_keys[] = {"arrivals", "clearance",  "port",  "warehouse", "returns",
                                        "rebate",   "categories", "lanes", "channels"};
const size_t bf__section_keys_n = N(bf__section_keys);

const char *const bf__city_keys[] = {"name",
                                     "name_zh",
                                     "province",
                                     "class",
                                     "candidate",
                                     "note",
                                     "effective_date",
                                     "shipments_per_day",
                                     "annual_export_cost_cny",
                                     "annual_export_fob_cny",
                                     "channel_mix",
                                     "add"};
const size_t bf__city_keys_n = N(bf__city_keys);

const char *const bf__policy_keys[] = {"description", "effective_date", "by_class", "by_city",
                                       "add"};
const size_t bf__policy_keys_n = N(bf__policy_keys);

/* what a class may hold beside its sections: "add" (compose.c) */
const char *const bf__class_keys[] = {"add"};
const size_t bf__class_keys_n = N(bf__class_keys);

const char *const bf__horizon_keys[] = {"window", "warmup_days", "tail_days"};
const size_t bf__horizon_keys_n = N(bf__horizon_keys);
const char *const bf__window_keys[] = {"start", "end"};
const size_t bf__window_keys_n = N(bf__window_keys);
const char *const bf__finance_keys[] = {"financing_rate", "discount_rate", "currency"};
const size_t bf__finance_keys_n = N(bf__finance_keys);
const char *const bf__calendar_keys[] = {"builtin", "years", "project"};
const size_t bf__calendar_keys_n = N(bf__calendar_keys);
/* a year of "calendar"."years" */
const char *const bf__year_keys[] = {"off", "work"};
const size_t bf__year_keys_n = N(bf__year_keys);
const char *const bf__select_keys[] = {"cities", "classes", "provinces"};
const size_t bf__select_keys_n = N(bf__select_keys);
/* an entry of "sweeps" */
const char *const bf__sweep_keys[] = {"name", "path", "policy", "values"};
const size_t bf__sweep_keys_n = N(bf__sweep_keys);
const char *const bf__sens_keys[] = {"method",  "parameters", "trajectories", "levels",
                                     "samples", "seed",       "bootstrap"};
const size_t bf__sens_keys_n = N(bf__sens_keys);
/* an entry of "sensitivity"."parameters" */
const char *const bf__sens_param_keys[] = {"path", "policy", "range"};
const size_t bf__sens_param_keys_n = N(bf__sens_param_keys);

/* a schedule (an object), and the names of its choices, in the order of
 * their enums (periodic.h), then NULL */
const char *const bf__schedule_keys[] = {"every",      "weekdays", "day",     "hour",
                                         "interval_h", "phase_h",  "days_off"};
const size_t bf__schedule_keys_n = N(bf__schedule_keys);
const char *const bf__every_names[] = {"day", "week", "month", "hours", "continuous", NULL};
const char *const bf__dayoff_names[] = {"ignore", "skip", "next", NULL};
const char *const bf__weekday_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
const char *const bf__sens_methods[] = {"morris", "sobol", NULL};
const struct bf__uint_key bf__sens_uints[BF__SENS_UINTS] = {
    [BF__SENS_TRAJECTORIES] = {"trajectories", 2, 1000},
    [BF__SENS_LEVELS] = {"levels", 2, 16},
    [BF__SENS_SAMPLES] = {"samples", 2, 4096},
    [BF__SENS_SEED] = {"seed", 0, 4294967295.0},
    [BF__SENS_BOOTSTRAP] = {"bootstrap", 0, 100000},
};
