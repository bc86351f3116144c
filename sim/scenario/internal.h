/*
 * internal.h - what the scenario layer's files share: the rules both the
 * loader and the schema state; JSON documents with source positions and
 * problems (json.c, position.c, diag.c); the loader's state and helpers
 * (load.c, values.c, layers.c, sweeps.c); the keys of each object (keys.c),
 * the table of distribution forms (dist_forms.c) and the composition rules
 * (compose.c). Only the scenario layer includes cJSON.
 */
#ifndef BF_SCENARIO_INTERNAL_H
#define BF_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "borderflow/calendar.h"
#include "borderflow/scenario.h"

/*
 * Rules the loader applies (values.c, layers.c) and the schema states
 * (schema.c), kept here side by side. The patterns are ECMA-262 regular
 * expressions, as JSON Schema's "pattern"; the loader checks the same rules
 * in C.
 */
/* a date YYYY-MM-DD of the years a calendar holds (the day of the month is
 * only checked by the loader, and by a validator's "format": "date") */
#define BF__DATE_PATTERN "^(19[7-9][0-9]|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
#define BF__YEAR_PATTERN "^(19[7-9][0-9]|2[01][0-9]{2})$"
_Static_assert(BF_CAL_MIN_YEAR == 1970 && BF_CAL_MAX_YEAR == 2199,
               "BF__DATE_PATTERN and BF__YEAR_PATTERN spell the calendar's years");
/* a text written into the CSV files: no control character, and not
 * beginning with a spreadsheet's formula characters = + - @ */
#define BF__CELL_PATTERN "^(?![=+@-])[^\\u0000-\\u001f\\u007f-\\u009f]*$"
/* a policy name: 1 to 31 characters of a-z 0-9 _ -, not beginning with - */
#define BF__POLICY_NAME_PATTERN "^[a-z0-9_][a-z0-9_-]*$"
#define BF__POLICY_NAME_MAX     31
_Static_assert(BF__POLICY_NAME_MAX + 1 == sizeof(((struct bf_policy *)0)->name),
               "a policy name's length is its field's");
/* a city's annual export value, CNY: at most (layers.c, convert_volume) */
#define BF__MAX_ANNUAL_EXPORT_CNY 1e15
/* "notes": at most */
#define BF__MAX_NOTES 16
_Static_assert(BF__MAX_NOTES == sizeof(((struct bf_scenario *)0)->notes) /
                                    sizeof(((struct bf_scenario *)0)->notes[0]),
               "the notes a scenario holds");
/* the largest seed: every integer up to 2^53 is exact in a double */
#define BF__MAX_SEED      9007199254740992.0
#define BF__MAX_SEED_TEXT "9007199254740992"

/* ---- json.c, position.c, diag.c: JSON documents with source positions
 * and located problems ---- */

/* Where a node came from. */
struct bf__pos {
    const cJSON *node;
    uint16_t file;         /* index into bf__doc.files */
    int line, col;         /* of the value */
    int key_line, key_col; /* of the member name, for object members */
};

#define BF__MAX_FILES (BF_MAX_EXTENDS_DEPTH + 1)

/* One scenario with the files it extends, merged into one tree. */
struct bf__doc {
    cJSON *root;                 /* merged tree (owns every node) */
    cJSON *spare[BF__MAX_FILES]; /* emptied source trees to delete */
    char files[BF__MAX_FILES][BF_TEXT_MAX];
    unsigned n_files;
    uint64_t file_id[BF__MAX_FILES][2]; /* device and inode, {0, 0} for text */
    struct bf__pos *pos;                /* open addressing by node pointer */
    size_t pos_cap, pos_n;
    uint8_t sha[32]; /* running hash of the bytes read */
    void *sha_ctx;
    struct bf_problems *problems;
    bool oom;
    uint64_t merge_steps; /* names compared while merging "extends" (json.c) */
};

/* Reads path (or text) and every file it extends; merges them. Problems go
 * to doc->problems. Returns 0, or the first fatal code (the tree is then
 * unusable). */
int bf__doc_load_file(struct bf__doc *doc, const char *path);
int bf__doc_load_text(struct bf__doc *doc, const char *name, const char *text, size_t len);
void bf__doc_fini(struct bf__doc *doc);

/* Position of a node (value), or NULL. */
const struct bf__pos *bf__doc_pos(const struct bf__doc *doc, const cJSON *node);

/* Adds a problem at node (its value, or its key with at_key). */
void bf__problem(struct bf__doc *doc, const cJSON *node, bool at_key, const char *path,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Whether no more problems are kept (the rest are only counted): a caller
 * may then skip the work of wording one. */
bool bf__problems_full(const struct bf__doc *doc);

/* Hex SHA-256 of what was read so far. */
void bf__doc_sha256_hex(struct bf__doc *doc, char out[65]);

/* Adds a problem at a line and column of file (0, 0: the whole file). */
void bf__problem_at(struct bf__doc *doc, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A scan of a JSON text in step with its parsed tree: where it is. */
struct bf__scan {
    const char *s;
    size_t i, n;
    int line, col;
    int nul_line, nul_col; /* the first \u0000 in a string or key; 0 if none */
};

/* Records the position of node and of everything in it, scanning its
 * text from sc (valid JSON: cJSON parsed it). */
void bf__scan_value(struct bf__doc *doc, struct bf__scan *sc, const cJSON *node, uint16_t file);
/* The line and column (from 1) of byte off of text. */
void bf__line_col(const char *text, size_t off, int *line, int *col);
/* Where (*at) and why (size bytes) s[0..n), which cJSON refused, is not
 * JSON; false when no mistake is found (diag.c's comment says more). */
bool bf__syntax_error(const char *s, size_t n, size_t *at, char *why, size_t size);

/* ---- the loader (load.c, values.c, layers.c, sweeps.c): its state and
 * the helpers its files share ---- */

/* The loader's state while it reads one scenario. */
struct bf__ld {
    struct bf__doc *doc;
    struct bf_scenario *sc;
    bool report;     /* report problems (the checking pass) */
    bool bad;        /* a problem was found */
    bool horizon_ok; /* horizon.window, warmup_days and tail_days are valid */
    int n_classes;
    const cJSON *classes;
    /* per city listed: where its effective date is written (its own, or
     * the compared policy's; NULL for none), and whether "select" keeps it */
    const cJSON **eff_node;
    bool *eff_own;
    bool *keep;
};

#define BF__PROBLEM(L, node, at_key, path, ...)                                                    \
    do {                                                                                           \
        (L)->bad = true;                                                                           \
        if ((L)->report)                                                                           \
            bf__problem((L)->doc, (node), (at_key), (path), __VA_ARGS__);                          \
    } while (0)

/* A problem at node: counted always, kept and worded in the checking pass. */
/* what a parameter section may do (bf__apply_sections) */
enum {
    BF__SEC_STRUCTURE = 1, /* may add and remove categories and lanes (defaults only) */
    BF__SEC_NO_ARRIVALS = 2,
};

/* values.c: typed values from JSON, each checked, with a located problem
 * when wrong (false then) */
void bf__join(char *out, size_t size, const char *path, const char *key);
const cJSON *bf__item(const cJSON *obj, const char *key);
void bf__check_keys(struct bf__ld *L, const cJSON *obj, const char *path, const char *const *keys,
                    size_t n, const char *what);
bool bf__want_type(struct bf__ld *L, const cJSON *n, const char *path, int type, const char *what);
bool bf__get_number(struct bf__ld *L, const cJSON *n, const char *path, double lo, double hi,
                    const char *unit, double *out);
bool bf__get_uint(struct bf__ld *L, const cJSON *n, const char *path, double lo, double hi,
                  uint64_t *out);
bool bf__get_string(struct bf__ld *L, const cJSON *n, const char *path, size_t max, char *out);
bool bf__get_cell(struct bf__ld *L, const cJSON *n, const char *path, size_t max, char *out);
bool bf__key_is_cell(struct bf__ld *L, const cJSON *m, const char *path);
bool bf__get_date(struct bf__ld *L, const cJSON *n, const char *path, int32_t *out);
bool bf__get_enum(struct bf__ld *L, const cJSON *n, const char *path, const char *const *choices,
                  int *out);
bool bf__get_name(struct bf__ld *L, const cJSON *n, const char *path, char *out, size_t size);
bool bf__set_value(struct bf__ld *L, const struct bf_param_info *pi, const cJSON *n,
                   const char *path, void *base, const struct bf_params *lanes);
void bf__apply_table(struct bf__ld *L, const cJSON *obj, const char *path,
                     const struct bf_param_info *t, size_t n, const char *prefix, void *base,
                     const struct bf_params *lanes, const char *what);

/* layers.c: parameter sections, policies, classes and cities */
void bf__apply_sections(struct bf__ld *L, const cJSON *obj, const char *path, struct bf_params *p,
                        unsigned flags, const char *const *extra, size_t n_extra, const char *what);
const cJSON *bf__load_policies(struct bf__ld *L, const cJSON *root);
void bf__check_layers(struct bf__ld *L, const cJSON *root, const cJSON *ps,
                      const struct bf_params *base);
void bf__check_effective_dates(struct bf__ld *L, const cJSON *root);
void bf__load_cities(struct bf__ld *L, const cJSON *root, const cJSON *ps);
void bf__build_cities(struct bf__ld *L, const cJSON *root, const cJSON *ps,
                      const struct bf_params *base);
void bf__check_cities(struct bf__ld *L, const cJSON *root);
void bf__select_cities(struct bf__ld *L, const cJSON *root);
const char *bf__policy_hint(struct bf__ld *L, const char *s, char *buf, size_t size);

/* sweeps.c: sweeps and the sensitivity study */
void bf__load_sweeps(struct bf__ld *L, const cJSON *root, const struct bf_params *base);
void bf__load_sensitivity(struct bf__ld *L, const cJSON *root, const struct bf_params *base);

/* ---- keys.c: the keys of each object, and a schedule's names ---- */

extern const char *const bf__top_keys[], *const bf__section_keys[], *const bf__city_keys[],
                                                                        *const bf__policy_keys[],
                                                                            *const bf__class_keys[];
extern const size_t bf__top_keys_n, bf__section_keys_n, bf__city_keys_n, bf__policy_keys_n,
    bf__class_keys_n;
extern const char *const bf__horizon_keys[],
    *const bf__window_keys[], *const bf__finance_keys[],
                                  *const bf__calendar_keys[],
                                      *const bf__year_keys[],
                                          *const bf__select_keys[],
                                              *const bf__sweep_keys[],
                                                  *const bf__sens_keys[],
                                                      *const bf__sens_param_keys[],
                                                          *const bf__schedule_keys[];
extern const size_t bf__horizon_keys_n, bf__window_keys_n, bf__finance_keys_n, bf__calendar_keys_n,
    bf__year_keys_n, bf__select_keys_n, bf__sweep_keys_n, bf__sens_keys_n, bf__sens_param_keys_n,
    bf__schedule_keys_n;
/* a schedule's choices, NULL-terminated, in the order of their enums */
extern const char *const bf__every_names[], *const bf__dayoff_names[], *const bf__weekday_names[];

/* "sensitivity": its methods (NULL-terminated, in enum bf_sens_method's
 * order from BF_SENS_MORRIS), and its whole numbers with their ranges */
extern const char *const bf__sens_methods[];
struct bf__uint_key {
    const char *key;
    double min, max;
};
enum {
    BF__SENS_TRAJECTORIES,
    BF__SENS_LEVELS, /* and even */
    BF__SENS_SAMPLES,
    BF__SENS_SEED,
    BF__SENS_BOOTSTRAP, /* and 0 or at least BF__SENS_BOOTSTRAP_LEAST */
    BF__SENS_UINTS
};
extern const struct bf__uint_key bf__sens_uints[BF__SENS_UINTS];
/* resamples a 95% interval needs: one in each 2.5% tail */
#define BF__SENS_BOOTSTRAP_LEAST 40

/* ---- dist_forms.c: how a distribution is written ---- */

/* A bound on one number: min (exclusive when min_excl) to max. */
struct bf__bound {
    double min;
    bool min_excl;
    double max;
};

/* One key of a distribution's form: its bound in a parameter's
 * distribution (values >= 0) and a value within it (for tests). */
struct bf__dist_key {
    const char *name;
    struct bf__bound bound;
    double example;
};

/*
 * One way of writing a distribution: {"dist": <kind's name>, key...}, the
 * first n_required keys required. make builds it from the keys' numbers,
 * in order (0, or BF_EINVAL/BF_ERANGE with why in diag); arrays: each key
 * is an array of numbers instead (empirical, built by the loader).
 */
struct bf__dist_form {
    enum bf_dist_kind kind;
    unsigned n_keys, n_required;
    struct bf__dist_key key[3];
    bool arrays;
    int (*make)(struct bf_dist *d, const double *x, struct bf_diag *diag);
};
extern const struct bf__dist_form bf__dist_forms[];
extern const size_t bf__dist_forms_n;

/* Whether a parameter (a duration or an amount) may be of this kind. */
bool bf__dist_kind_in_params(enum bf_dist_kind kind);

/* ---- compose.c: composition rules and suggestions ---- */

/* Edit distance for "did you mean": Levenshtein with a swap of neighbours
 * as one edit, ASCII case ignored, capped at 64. */
size_t bf__edit_distance(const char *a, const char *b);
/* The closest of names[0..n) to s if close enough, else NULL. */
const char *bf__suggest(const char *s, const char *const *names, size_t n);

/* Checks one file's tree on its own, before it is merged: every key
 * written twice in an object is a problem, located in that file. */
void bf__compose_check_file(struct bf__doc *doc, const cJSON *root);

/*
 * Merging a file onto the scenario it extends (its parent): an entry of the
 * file -- a city (the index-th of its "cities"), a policy or a class -- and
 * the parent's entry of that name, `same`, or NULL when the parent has none
 * (`parent` is the parent's "cities" array or its "policies" or "classes"
 * object, NULL when it has none). A new name is a problem unless the entry
 * says "add": true, with the parent's closest name; "add": true on a name
 * the parent has is one too; and so is a city named twice in one file.
 */
enum bf__entry { BF__ENTRY_CITY, BF__ENTRY_POLICY, BF__ENTRY_CLASS };
void bf__compose_entry(struct bf__doc *doc, enum bf__entry kind, const cJSON *parent,
                       const cJSON *same, const cJSON *entry, int index);

/* A city's volume is one choice: when the file's entry `over` gives one
 * (shipments_per_day, arrivals.shipments_per_day or an annual export
 * value), the parent's entry `same` lets go of its own. */
void bf__compose_volume(struct bf__doc *doc, cJSON *same, const cJSON *over);

/*
 * "select" of the merged scenario, whose cities' names, classes and
 * provinces are read: sets keep[i] for each of sc's cities it keeps (any
 * city named, or of a class or province named). False, after reporting
 * why, when it names what does not exist, keeps no city, or drops a city
 * that the file holding it (or a file extending that one) changes.
 */
bool bf__compose_select(struct bf__doc *doc, const cJSON *root, const struct bf_scenario *sc,
                        bool *keep);

/* Drops the cities whose keep[i] is false (freeing their rules) and moves
 * the others down, in order. */
void bf__scenario_keep(struct bf_scenario *sc, const bool *keep);

#endif
