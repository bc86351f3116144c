/*
 * keys.c - the keys each object of a scenario file may hold: the loader
 * refuses any other (load.c, check_keys) and the schema generator checks
 * that it describes exactly these (schema.c), so that neither can gain a
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
