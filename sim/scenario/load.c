/*
 * load.c - scenario JSON to struct bf_scenario, checking every value.
 *
 * The rules of one (city, policy) are built in layers, each a "parameter
 * section" object of the same shape:
 *
 *   built-in defaults (params.c) <- "defaults" <- "classes".<class>
 *     <- the city's own sections <- the policy's sections
 *     <- the policy's "by_class".<class> <- the policy's "by_city".<city>
 *
 * Every layer object is checked once, on its own, so a bad value is reported
 * once with the place it was written; building the cities then applies the
 * same layers quietly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

#define MAX_UNIT_COST_CNY 1e9 /* keeps every amount in fen far inside int64 */

/* JSON type names for messages. */
static const char *type_name(const cJSON *n)
{
    if (cJSON_IsObject(n))
        return "an object";
    if (cJSON_IsArray(n))
        return "an array";
    if (cJSON_IsString(n))
        return "a string";
    if (cJSON_IsNumber(n))
        return "a number";
    if (cJSON_IsBool(n))
        return "a boolean";
    if (cJSON_IsNull(n))
        return "null";
    return "something else";
}

void bf__join(char *out, size_t size, const char *path, const char *key)
{
    if (path[0] == '\0')
        snprintf(out, size, "%s", key);
    else
        snprintf(out, size, "%s.%s", path, key);
}

/* Reports members of obj not named in keys[], with a suggestion. (A key
 * written twice is reported in the file it is written in, before the
 * merge: bf__compose_check_file.) */
void bf__check_keys(struct bf__ld *L, const cJSON *obj, const char *path, const char *const *keys,
                    size_t n, const char *what)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        char p[BF_TEXT_MAX];
        bf__join(p, sizeof p, path, m->string);
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(keys[i], m->string) == 0;
        if (!known && bf__problems_full(L->doc)) {
            /* only counted: the suggestion (an edit distance to every key)
             * would be work for nothing, a million times in a 16 MiB file */
            BF__PROBLEM(L, m, true, p, "unknown key '%s' in %s", m->string, what);
            continue;
        }
        if (!known) {
            const char *s = bf__suggest(m->string, keys, n);
            char list[BF_TEXT_MAX] = "";
            size_t used = 0;
            for (size_t i = 0; i < n && used + 2 < sizeof list; i++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                         keys[i]);
            if (used >= sizeof list)
                memcpy(list + sizeof list - 4, "...", 4);
            if (s != NULL)
                BF__PROBLEM(L, m, true, p, "unknown key '%s' in %s; did you mean '%s'?", m->string,
                            what, s);
            else
                BF__PROBLEM(L, m, true, p, "unknown key '%s' in %s; allowed: %s", m->string, what,
                            list);
            continue;
        }
    }
}

bool bf__want_type(struct bf__ld *L, const cJSON *n, const char *path, int type, const char *what)
{
    bool ok =
        (type == cJSON_Object && cJSON_IsObject(n)) || (type == cJSON_Array && cJSON_IsArray(n)) ||
        (type == cJSON_String && cJSON_IsString(n)) ||
        (type == cJSON_Number && cJSON_IsNumber(n)) || (type == cJSON_True && cJSON_IsBool(n));
    if (!ok)
        BF__PROBLEM(L, n, false, path, "expected %s, found %s", what, type_name(n));
    return ok;
}

bool bf__get_number(struct bf__ld *L, const cJSON *n, const char *path, double lo, double hi,
                    const char *unit, double *out)
{
    if (!bf__want_type(L, n, path, cJSON_Number, "a number"))
        return false;
    double v = n->valuedouble;
    if (!isfinite(v)) {
        BF__PROBLEM(L, n, false, path,
                    "the number is too large to represent (finite numbers only)");
        return false;
    }
    if (v < lo || v > hi) {
        BF__PROBLEM(L, n, false, path, "%.16g is outside the allowed range [%.16g, %.16g]%s%s", v,
                    lo, hi, unit && unit[0] ? " " : "", unit ? unit : "");
        return false;
    }
    *out = v;
    return true;
}

bool bf__get_uint(struct bf__ld *L, const cJSON *n, const char *path, double lo, double hi,
                  uint64_t *out)
{
    double v;
    if (!bf__get_number(L, n, path, lo, hi, "", &v))
        return false;
    if (v != floor(v)) {
        BF__PROBLEM(L, n, false, path, "%.16g is not a whole number; use one from %.16g to %.16g",
                    v, lo, hi);
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

/* Whether s holds a control character: U+0000..U+001F, U+007F, or a C1
 * control U+0080..U+009F (UTF-8 C2 80..C2 9F), which some terminals take
 * for the start of an escape sequence. */
static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
            return true;
    return false;
}

bool bf__get_string(struct bf__ld *L, const cJSON *n, const char *path, size_t max, char *out)
{
    if (!bf__want_type(L, n, path, cJSON_String, "a string"))
        return false;
    size_t len = strlen(n->valuestring);
    if (len >= max) {
        BF__PROBLEM(L, n, false, path, "the text is %zu bytes long; at most %zu are allowed", len,
                    max - 1);
        return false;
    }
    if (has_control(n->valuestring)) {
        BF__PROBLEM(L, n, false, path,
                    "control characters (such as a newline or tab) are not "
                    "allowed in this text");
        return false;
    }
    memcpy(out, n->valuestring, len + 1);
    return true;
}

/*
 * Whether a text may be a cell of the CSV files: names, and a city's
 * Chinese name, province, class and note. NULL when it may; else why not.
 * A cell that begins with '=', '+', '-' or '@' is read by spreadsheets as
 * a formula (CSV injection: "=HYPERLINK(...)" runs when the file is
 * opened); tab and carriage return, the other triggers, are control
 * characters, which no text may hold. Refused where the text is written
 * rather than escaped in the files: a quote put before it would change the
 * name in every CSV file, but not in summary.json or the report, so the
 * same city would have two names. Descriptions and notes, which no CSV
 * file holds, may begin with any character.
 */
static const char *cell_problem(const char *s)
{
    if (has_control(s))
        return "control characters (such as a newline, a tab or an escape) are not allowed in "
               "a name";
    if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')
        return "a name or text written into the CSV files cannot begin with '=', '+', '-' or "
               "'@': a spreadsheet opening them would take it for a formula; begin it with "
               "another character";
    return NULL;
}

/* A text of at most max - 1 bytes that may be a CSV cell (cell_problem). */
bool bf__get_cell(struct bf__ld *L, const cJSON *n, const char *path, size_t max, char *out)
{
    if (!bf__get_string(L, n, path, max, out))
        return false;
    const char *why = cell_problem(out);
    if (why != NULL) {
        BF__PROBLEM(L, n, false, path, "%s", why);
        return false;
    }
    return true;
}

/* The same for a name written as a member's key (a category, a lane, a
 * class, a policy): reported at the key. */
bool bf__key_is_cell(struct bf__ld *L, const cJSON *m, const char *path)
{
    const char *why = cell_problem(m->string);
    if (why != NULL)
        BF__PROBLEM(L, m, true, path, "%s", why);
    return why == NULL;
}

bool bf__get_date(struct bf__ld *L, const cJSON *n, const char *path, int32_t *out)
{
    if (!bf__want_type(L, n, path, cJSON_String, "a date as \"YYYY-MM-DD\""))
        return false;
    struct bf_diag d;
    bf_diag_clear(&d);
    if (bf_date_parse(n->valuestring, out, &d) != 0) {
        BF__PROBLEM(L, n, false, path, "%s", d.msg);
        return false;
    }
    int y, m, dd;
    bf_date_to_ymd(*out, &y, &m, &dd);
    if (y < BF_CAL_MIN_YEAR || y > BF_CAL_MAX_YEAR) {
        BF__PROBLEM(L, n, false, path, "year %d is outside %d..%d", y, BF_CAL_MIN_YEAR,
                    BF_CAL_MAX_YEAR);
        return false;
    }
    return true;
}

static int find_choice(const char *const *choices, const char *s)
{
    for (int i = 0; choices[i] != NULL; i++)
        if (strcmp(choices[i], s) == 0)
            return i;
    return -1;
}

bool bf__get_enum(struct bf__ld *L, const cJSON *n, const char *path, const char *const *choices,
                  int *out)
{
    char list[BF_TEXT_MAX] = "";
    size_t used = 0, count = 0;
    for (; choices[count] != NULL; count++)
        used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
                                 "%s\"%s\"", count ? ", " : "", choices[count]);
    if (!cJSON_IsString(n)) {
        BF__PROBLEM(L, n, false, path, "expected one of %s, found %s", list, type_name(n));
        return false;
    }
    int k = find_choice(choices, n->valuestring);
    if (k < 0) {
        const char *s = bf__suggest(n->valuestring, choices, count);
        if (s)
            BF__PROBLEM(L, n, false, path, "'%s' is not allowed; did you mean '%s'? (one of %s)",
                        n->valuestring, s, list);
        else
            BF__PROBLEM(L, n, false, path, "'%s' is not allowed; use one of %s", n->valuestring,
                        list);
        return false;
    }
    *out = k;
    return true;
}

/* ---- distributions (the forms: dist_forms.c) ---- */

static bool dist_num(struct bf__ld *L, const cJSON *obj, const char *path, const char *key,
                     double *out)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);
    char p[BF_TEXT_MAX];
    bf__join(p, sizeof p, path, key);
    if (n == NULL) {
        BF__PROBLEM(L, obj, false, path, "this distribution needs \"%s\"", key);
        return false;
    }
    return bf__get_number(L, n, p, -1e300, 1e300, "", out);
}

static bool has(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

/* Whether obj holds any key of form f. */
static bool form_written(const cJSON *obj, const struct bf__dist_form *f)
{
    for (unsigned i = 0; i < f->n_keys; i++)
        if (has(obj, f->key[i].name))
            return true;
    return false;
}

/* An empirical distribution: "values" and optional "weights", arrays. */
static bool parse_empirical(struct bf__ld *L, const cJSON *n, const char *path,
                            const struct bf__dist_form *f, struct bf_dist *t, struct bf_diag *d)
{
    const char *vk = f->key[0].name, *wk = f->key[1].name;
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(n, vk);
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(n, wk);
    char vp[BF_TEXT_MAX], wp[BF_TEXT_MAX];
    bf__join(vp, sizeof vp, path, vk);
    bf__join(wp, sizeof wp, path, wk);
    if (vs == NULL) {
        BF__PROBLEM(L, n, false, path, "an empirical distribution needs \"%s\"", vk);
        return false;
    }
    if (!bf__want_type(L, vs, vp, cJSON_Array, "an array of numbers") ||
        (ws && !bf__want_type(L, ws, wp, cJSON_Array, "an array of numbers")))
        return false;
    int nv = cJSON_GetArraySize(vs);
    if (nv < 1 || nv > BF_DIST_EMPIRICAL_MAX) {
        BF__PROBLEM(L, vs, false, vp, "%d values; an empirical distribution takes 1 to %d", nv,
                    BF_DIST_EMPIRICAL_MAX);
        return false;
    }
    if (ws && cJSON_GetArraySize(ws) != nv) {
        BF__PROBLEM(L, ws, false, wp, "%d weights for %d values; give one weight per value",
                    cJSON_GetArraySize(ws), nv);
        return false;
    }
    double v[BF_DIST_EMPIRICAL_MAX], w[BF_DIST_EMPIRICAL_MAX];
    bool ok = true;
    for (int i = 0; i < nv; i++) {
        char ip[BF_TEXT_MAX];
        snprintf(ip, sizeof ip, "%s[%d]", vp, i);
        ok = bf__get_number(L, cJSON_GetArrayItem(vs, i), ip, -1e300, 1e300, "", &v[i]) && ok;
        w[i] = 1.0;
        if (ws) {
            snprintf(ip, sizeof ip, "%s[%d]", wp, i);
            ok = bf__get_number(L, cJSON_GetArrayItem(ws, i), ip, 0, 1e300, "", &w[i]) && ok;
        }
    }
    return ok && bf_dist_empirical(t, v, w, (size_t)nv, d) == 0;
}

static bool parse_dist(struct bf__ld *L, const cJSON *n, const char *path, struct bf_dist *out)
{
    struct bf_diag d;
    bf_diag_clear(&d);
    struct bf_dist t;
    int rc;
    const char *kinds[BF_DIST__COUNT + 1];
    char list[BF_TEXT_MAX] = "";
    size_t used = 0;
    for (int k = 0; k < BF_DIST__COUNT; k++) {
        kinds[k] = bf_dist_kind_name((enum bf_dist_kind)k);
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", kinds[k]);
    }
    kinds[BF_DIST__COUNT] = NULL;
    if (cJSON_IsNumber(n)) {
        double v;
        if (!bf__get_number(L, n, path, -1e300, 1e300, "", &v))
            return false;
        rc = bf_dist_fixed(&t, v, &d);
    } else if (cJSON_IsObject(n)) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(n, "dist");
        char kp[BF_TEXT_MAX];
        bf__join(kp, sizeof kp, path, "dist");
        if (k == NULL) {
            BF__PROBLEM(L, n, false, path, "a distribution needs \"dist\": one of %s", list);
            return false;
        }
        int kind;
        if (!bf__get_enum(L, k, kp, kinds, &kind))
            return false;
        /* the kind's forms, and every key they have */
        const struct bf__dist_form *forms[4];
        unsigned n_forms = 0, n_written = 0;
        const char *keys[8] = {"dist"};
        size_t nk = 1;
        for (size_t i = 0; i < bf__dist_forms_n; i++) {
            const struct bf__dist_form *f = &bf__dist_forms[i];
            if ((int)f->kind != kind)
                continue;
            BF_ASSERT(n_forms < 4);
            forms[n_forms++] = f;
            for (unsigned j = 0; j < f->n_keys; j++) {
                bool seen = false;
                for (size_t m = 0; m < nk; m++)
                    seen = seen || strcmp(keys[m], f->key[j].name) == 0;
                if (!seen) {
                    BF_ASSERT(nk < 8);
                    keys[nk++] = f->key[j].name;
                }
            }
        }
        BF_ASSERT(n_forms > 0);
        bf__check_keys(L, n, path, keys, nk,
                       kind == BF_DIST_LOGNORMAL ? "a lognormal distribution"
                                                 : "this distribution");
        const struct bf__dist_form *f = forms[0];
        if (n_forms > 1) {
            for (unsigned i = 0; i < n_forms; i++)
                if (form_written(n, forms[i])) {
                    f = forms[i];
                    n_written++;
                }
            if (n_written != 1) {
                char alt[BF_TEXT_MAX] = "";
                size_t u = 0;
                for (unsigned i = 0; i < n_forms; i++)
                    for (unsigned j = 0; j < forms[i]->n_keys; j++)
                        u += (size_t)snprintf(alt + u, sizeof alt - u, "%s%s",
                                              j   ? " and "
                                              : i ? "; "
                                                  : "",
                                              forms[i]->key[j].name);
                BF__PROBLEM(L, n, false, path, "give a %s by exactly one of: %s", kinds[kind], alt);
                return false;
            }
        }
        bool ok = true;
        if (f->arrays) {
            ok = parse_empirical(L, n, path, f, &t, &d);
        } else {
            /* every key, each reported when missing (no short circuit) */
            double x[3] = {0, 0, 0};
            for (unsigned j = 0; j < f->n_keys; j++)
                ok = dist_num(L, n, path, f->key[j].name, &x[j]) && ok;
            ok = ok && f->make(&t, x, &d) == 0;
        }
        if (!ok) {
            if (d.msg[0])
                BF__PROBLEM(L, n, false, path, "%s", d.msg);
            return false;
        }
        rc = 0;
    } else {
        BF__PROBLEM(L, n, false, path,
                    "expected a distribution: a number, or an object such as {\"dist\": "
                    "\"lognormal\", \"median\": 0.6, \"p90\": 2.2}; found %s",
                    type_name(n));
        return false;
    }
    if (rc != 0) {
        BF__PROBLEM(L, n, false, path, "%s", d.msg);
        return false;
    }
    *out = t;
    return true;
}

/* ---- schedules ---- */

static const char *const every_names[] = {"day", "week", "month", "hours", "continuous", NULL};
static const char *const dayoff_names[] = {"ignore", "skip", "next", NULL};
static const char *const weekday_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

static bool parse_schedule(struct bf__ld *L, const cJSON *n, const char *path,
                           struct bf_periodic *out)
{
    struct bf_periodic p = {0};
    if (cJSON_IsString(n) && strcmp(n->valuestring, "continuous") == 0) {
        p.kind = BF_PERIODIC_CONTINUOUS;
        *out = p;
        return true;
    }
    if (!bf__want_type(L, n, path, cJSON_Object,
                       "a schedule such as {\"every\": \"week\", \"weekdays\": [\"tue\", \"fri\"], "
                       "\"hour\": 18}"))
        return false;
    static const char *const keys[] = {"every",      "weekdays", "day",     "hour",
                                       "interval_h", "phase_h",  "days_off"};
    bf__check_keys(L, n, path, keys, 7, "a schedule");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(n, "every");
    char p2[BF_TEXT_MAX];
    bf__join(p2, sizeof p2, path, "every");
    int every;
    if (e == NULL) {
        BF__PROBLEM(L, n, false, path,
                    "a schedule needs \"every\": day, week, month, hours or "
                    "continuous");
        return false;
    }
    if (!bf__get_enum(L, e, p2, every_names, &every))
        return false;
    static const enum bf_periodic_kind kinds[] = {BF_PERIODIC_DAILY, BF_PERIODIC_WEEKLY,
                                                  BF_PERIODIC_MONTHLY, BF_PERIODIC_INTERVAL,
                                                  BF_PERIODIC_CONTINUOUS};
    p.kind = kinds[every];
    bool ok = true;
    const cJSON *m;
    cJSON_ArrayForEach(m, n)
    {
        char mp[BF_TEXT_MAX];
        bf__join(mp, sizeof mp, path, m->string);
        double v;
        uint64_t u;
        int k;
        if (strcmp(m->string, "weekdays") == 0) {
            if (p.kind != BF_PERIODIC_WEEKLY) {
                BF__PROBLEM(L, m, true, mp, "\"weekdays\" belongs to \"every\": \"week\"");
                ok = false;
                continue;
            }
            if (!bf__want_type(L, m, mp, cJSON_Array, "an array of weekdays such as [\"tue\"]")) {
                ok = false;
                continue;
            }
            const cJSON *w;
            int i = 0;
            cJSON_ArrayForEach(w, m)
            {
                char wp[BF_TEXT_MAX];
                snprintf(wp, sizeof wp, "%s[%d]", mp, i++);
                if (bf__get_enum(L, w, wp, weekday_names, &k))
                    p.weekday_mask |= (uint8_t)(1u << k);
                else
                    ok = false;
            }
        } else if (strcmp(m->string, "day") == 0) {
            if (p.kind != BF_PERIODIC_MONTHLY) {
                BF__PROBLEM(L, m, true, mp, "\"day\" belongs to \"every\": \"month\"");
                ok = false;
            } else if (bf__get_uint(L, m, mp, 1, 31, &u)) {
                p.day_of_month = (uint8_t)u;
            } else {
                ok = false;
            }
        } else if (strcmp(m->string, "hour") == 0) {
            if (bf__get_number(L, m, mp, 0, 23.999999, "h", &v))
                p.at_hour = v;
            else
                ok = false;
        } else if (strcmp(m->string, "interval_h") == 0) {
            if (bf__get_number(L, m, mp, 0.001, 1e6, "h", &v))
                p.interval_h = v;
            else
                ok = false;
        } else if (strcmp(m->string, "phase_h") == 0) {
            if (bf__get_number(L, m, mp, 0, 1e6, "h", &v))
                p.phase_h = v;
            else
                ok = false;
        } else if (strcmp(m->string, "days_off") == 0) {
            if (bf__get_enum(L, m, mp, dayoff_names, &k))
                p.dayoff = (enum bf_periodic_dayoff)k;
            else
                ok = false;
        }
    }
    if (!ok)
        return false;
    struct bf_diag d;
    bf_diag_clear(&d);
    if (bf_periodic_check(&p, &d) != 0) {
        BF__PROBLEM(L, n, false, path, "%s", d.msg);
        return false;
    }
    *out = p;
    return true;
}

/* ---- one parameter value ---- */

/*
 * Sets the field of `pi` in base from node. lanes (may be NULL) names the
 * lanes for BF_PT_LANE_WEIGHTS.
 */
bool bf__set_value(struct bf__ld *L, const struct bf_param_info *pi, const cJSON *n,
                   const char *path, void *base, const struct bf_params *lanes)
{
    unsigned char *b = (unsigned char *)base + pi->offset;
    double v;
    uint64_t u;
    int k;
    switch (pi->type) {
    case BF_PT_NUMBER:
    case BF_PT_PROB:
        if (!bf__get_number(L, n, path, pi->min, pi->max, pi->unit, &v))
            return false;
        memcpy(b, &v, sizeof v);
        return true;
    case BF_PT_UINT:
        if (!bf__get_uint(L, n, path, pi->min, pi->max, &u))
            return false;
        {
            uint32_t w = (uint32_t)u;
            memcpy(b, &w, sizeof w);
        }
        return true;
    case BF_PT_BOOL:
        if (!bf__want_type(L, n, path, cJSON_True, "true or false"))
            return false;
        k = cJSON_IsTrue(n) ? 1 : 0;
        memcpy(b, &k, sizeof k);
        return true;
    case BF_PT_ENUM:
        if (!bf__get_enum(L, n, path, pi->choices, &k))
            return false;
        memcpy(b, &k, sizeof k);
        return true;
    case BF_PT_DIST: {
        struct bf_dist d;
        if (!parse_dist(L, n, path, &d))
            return false;
        if (!bf_dist_nonnegative(&d)) {
            BF__PROBLEM(L, n, false, path,
                        "this %s distribution can take negative values; values %s%s must be >= 0",
                        bf_dist_kind_name(d.kind), pi->unit[0] ? "in " : "here",
                        pi->unit[0] ? pi->unit : "");
            return false;
        }
        if (!bf__dist_kind_in_params(d.kind)) {
            BF__PROBLEM(L, n, false, path, "a bernoulli distribution (0 or 1) is not allowed here");
            return false;
        }
        if (strcmp(pi->unit, "CNY") == 0 &&
            !(bf_dist_quantile(&d, 1.0 - 1e-12) <= MAX_UNIT_COST_CNY)) {
            BF__PROBLEM(
                L, n, false, path,
                "amounts this large (%.3g CNY per unit at the 1e-12 tail) would overflow the "
                "ledger; keep unit costs below %g CNY",
                bf_dist_quantile(&d, 1.0 - 1e-12), MAX_UNIT_COST_CNY);
            return false;
        }
        /* the same bound bf_params_check applies, said here where the
         * value is written */
        struct bf_diag dd;
        bf_diag_clear(&dd);
        if (bf_param_check_tail(pi, &d, 1.0, &dd) != 0) {
            BF__PROBLEM(L, n, false, path, "%s", dd.msg);
            return false;
        }
        memcpy(b, &d, sizeof d);
        return true;
    }
    case BF_PT_SCHEDULE: {
        struct bf_periodic p;
        if (!parse_schedule(L, n, path, &p))
            return false;
        memcpy(b, &p, sizeof p);
        return true;
    }
    case BF_PT_MONTHS12: {
        if (!bf__want_type(L, n, path, cJSON_Array, "an array of 12 numbers (January to December)"))
            return false;
        if (cJSON_GetArraySize(n) != 12) {
            BF__PROBLEM(L, n, false, path, "%d numbers; give 12, January to December",
                        cJSON_GetArraySize(n));
            return false;
        }
        double m[12];
        bool ok = true;
        for (int i = 0; i < 12; i++) {
            char ip[BF_TEXT_MAX];
            snprintf(ip, sizeof ip, "%s[%d]", path, i);
            ok = bf__get_number(L, cJSON_GetArrayItem(n, i), ip, pi->min, pi->max, pi->unit,
                                &m[i]) &&
                 ok;
        }
        if (!ok)
            return false;
        memcpy(b, m, sizeof m);
        return true;
    }
    case BF_PT_LANE_WEIGHTS: {
        if (!bf__want_type(L, n, path, cJSON_Object,
                           "an object of lane weights such as "
                           "{\"us_west\": 0.5}"))
            return false;
        double w[BF_MAX_LANES];
        memcpy(w, b, sizeof w);
        bool ok = true;
        const cJSON *m;
        cJSON_ArrayForEach(m, n)
        {
            char mp[BF_TEXT_MAX];
            bf__join(mp, sizeof mp, path, m->string);
            int lane = bf_params_lane(lanes, m->string);
            if (lane < 0) {
                const char *names[BF_MAX_LANES];
                for (unsigned i = 0; i < lanes->n_lanes; i++)
                    names[i] = lanes->lane[i].name;
                const char *s = bf__suggest(m->string, names, lanes->n_lanes);
                if (s)
                    BF__PROBLEM(L, m, true, mp, "no lane '%s'; did you mean '%s'?", m->string, s);
                else
                    BF__PROBLEM(L, m, true, mp, "no lane '%s' is defined (see \"lanes\")",
                                m->string);
                ok = false;
                continue;
            }
            ok = bf__get_number(L, m, mp, pi->min, pi->max, pi->unit, &w[lane]) && ok;
        }
        if (!ok)
            return false;
        memcpy(b, w, sizeof w);
        return true;
    }
    }
    return false;
}

/* Applies the members of obj to base through table t (n entries). */
void bf__apply_table(struct bf__ld *L, const cJSON *obj, const char *path,
                     const struct bf_param_info *t, size_t n, const char *prefix, void *base,
                     const struct bf_params *lanes, const char *what)
{
    if (!bf__want_type(L, obj, path, cJSON_Object, "an object"))
        return;
    const char *names[64];
    size_t nn = 0;
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < n && nn < 64; i++)
        if (strncmp(t[i].path, prefix, plen) == 0)
            names[nn++] = t[i].path + plen;
    bf__check_keys(L, obj, path, names, nn, what);
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        char mp[BF_TEXT_MAX];
        bf__join(mp, sizeof mp, path, m->string);
        for (size_t i = 0; i < n; i++)
            if (strncmp(t[i].path, prefix, plen) == 0 && strcmp(t[i].path + plen, m->string) == 0) {
                bf__set_value(L, &t[i], m, mp, base, lanes);
                break;
            }
    }
}

/* ---- parameter sections ---- */


#define N_SECTIONS bf__section_keys_n

static void apply_categories(struct bf__ld *L, const cJSON *obj, const char *path,
                             struct bf_params *p, unsigned flags)
{
    if (!bf__want_type(L, obj, path, cJSON_Object, "an object of categories by name"))
        return;
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        char mp[BF_TEXT_MAX];
        bf__join(mp, sizeof mp, path, m->string);
        int k = bf_params_category(p, m->string);
        if (cJSON_IsNull(m)) {
            if (!(flags & BF__SEC_STRUCTURE))
                BF__PROBLEM(L, m, true, mp, "categories can only be removed in \"defaults\"");
            else if (k < 0)
                BF__PROBLEM(L, m, true, mp, "no category '%s' to remove", m->string);
            else {
                memmove(&p->category[k], &p->category[k + 1],
                        (p->n_categories - (unsigned)k - 1) * sizeof p->category[0]);
                p->n_categories--;
            }
            continue;
        }
        if (k < 0) {
            if (!(flags & BF__SEC_STRUCTURE)) {
                const char *names[BF_MAX_CATEGORIES];
                for (unsigned i = 0; i < p->n_categories; i++)
                    names[i] = p->category[i].name;
                const char *s = bf__suggest(m->string, names, p->n_categories);
                if (s)
                    BF__PROBLEM(L, m, true, mp,
                                "no category '%s'; did you mean '%s'? (new "
                                "categories are added in \"defaults\")",
                                m->string, s);
                else
                    BF__PROBLEM(L, m, true, mp,
                                "no category '%s'; new categories are added in \"defaults\"",
                                m->string);
                continue;
            }
            if (p->n_categories == BF_MAX_CATEGORIES) {
                BF__PROBLEM(L, m, true, mp, "at most %d categories are allowed", BF_MAX_CATEGORIES);
                continue;
            }
            if (strlen(m->string) == 0 || strlen(m->string) >= BF_NAME_MAX) {
                BF__PROBLEM(L, m, true, mp, "a category name has 1 to %d characters",
                            BF_NAME_MAX - 1);
                continue;
            }
            if (!bf__key_is_cell(L, m, mp))
                continue;
            /* a new category starts as a copy of the first one */
            k = (int)p->n_categories++;
            p->category[k] = p->category[0];
            snprintf(p->category[k].name, BF_NAME_MAX, "%s", m->string);
        }
        bf__apply_table(L, m, mp, bf_category_table, bf_category_table_n, "", &p->category[k], p,
                        "a category");
    }
}

static void apply_lanes(struct bf__ld *L, const cJSON *obj, const char *path, struct bf_params *p,
                        unsigned flags)
{
    if (!bf__want_type(L, obj, path, cJSON_Object, "an object of lanes by name"))
        return;
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        char mp[BF_TEXT_MAX];
        bf__join(mp, sizeof mp, path, m->string);
        int k = bf_params_lane(p, m->string);
        if (cJSON_IsNull(m)) {
            if (!(flags & BF__SEC_STRUCTURE))
                BF__PROBLEM(L, m, true, mp, "lanes can only be removed in \"defaults\"");
            else if (k < 0)
                BF__PROBLEM(L, m, true, mp, "no lane '%s' to remove", m->string);
            else {
                unsigned n = p->n_lanes - (unsigned)k - 1;
                memmove(&p->lane[k], &p->lane[k + 1], n * sizeof p->lane[0]);
                for (int c = 0; c < BF_CH_COUNT; c++) {
                    double *w = p->channel[c].lane_weight;
                    memmove(&w[k], &w[k + 1], n * sizeof w[0]);
                    w[p->n_lanes - 1] = 0.0;
                }
                p->n_lanes--;
            }
            continue;
        }
        if (k < 0) {
            if (!(flags & BF__SEC_STRUCTURE)) {
                const char *names[BF_MAX_LANES];
                for (unsigned i = 0; i < p->n_lanes; i++)
                    names[i] = p->lane[i].name;
                const char *s = bf__suggest(m->string, names, p->n_lanes);
                if (s)
                    BF__PROBLEM(L, m, true, mp,
                                "no lane '%s'; did you mean '%s'? (new lanes are added in "
                                "\"defaults\")",
                                m->string, s);
                else
                    BF__PROBLEM(L, m, true, mp, "no lane '%s'; new lanes are added in \"defaults\"",
                                m->string);
                continue;
            }
            if (p->n_lanes == BF_MAX_LANES) {
                BF__PROBLEM(L, m, true, mp, "at most %d lanes are allowed", BF_MAX_LANES);
                continue;
            }
            if (strlen(m->string) == 0 || strlen(m->string) >= BF_NAME_MAX) {
                BF__PROBLEM(L, m, true, mp, "a lane name has 1 to %d characters", BF_NAME_MAX - 1);
                continue;
            }
            if (!bf__key_is_cell(L, m, mp))
                continue;
            /* a new lane starts as a copy of the first one, used by no channel */
            k = (int)p->n_lanes++;
            p->lane[k] = p->lane[0];
            snprintf(p->lane[k].name, BF_NAME_MAX, "%s", m->string);
            for (int c = 0; c < BF_CH_COUNT; c++)
                p->channel[c].lane_weight[k] = 0.0;
        }
        bf__apply_table(L, m, mp, bf_lane_table, bf_lane_table_n, "", &p->lane[k], p, "a lane");
    }
}

static void apply_channels(struct bf__ld *L, const cJSON *obj, const char *path,
                           struct bf_params *p)
{
    if (!bf__want_type(L, obj, path, cJSON_Object, "an object of channels by customs code"))
        return;
    bf__check_keys(L, obj, path, bf_channel_codes, BF_CH_COUNT,
                   "channels (customs supervision codes)");
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        char mp[BF_TEXT_MAX];
        bf__join(mp, sizeof mp, path, m->string);
        for (int c = 0; c < BF_CH_COUNT; c++)
            if (strcmp(bf_channel_codes[c], m->string) == 0)
                bf__apply_table(L, m, mp, bf_channel_table, bf_channel_table_n, "", &p->channel[c],
                                p, "a channel");
    }
}

/*
 * Applies the parameter sections of obj to p. extra[] names the other keys
 * obj may hold (city or policy attributes), which are skipped here.
 */
void bf__apply_sections(struct bf__ld *L, const cJSON *obj, const char *path, struct bf_params *p,
                        unsigned flags, const char *const *extra, size_t n_extra, const char *what)
{
    if (!bf__want_type(L, obj, path, cJSON_Object, "an object"))
        return;
    const char *keys[16 + 16];
    size_t nk = 0;
    BF_ASSERT(N_SECTIONS <= 16);
    for (size_t i = 0; i < N_SECTIONS; i++)
        keys[nk++] = bf__section_keys[i];
    for (size_t i = 0; i < n_extra && nk < 16 + 16; i++)
        keys[nk++] = extra[i];
    bf__check_keys(L, obj, path, keys, nk, what);
    /* structure first, then what refers to it */
    static const char *const order[] = {"categories", "lanes",     "channels",
                                        "arrivals",   "clearance", "port",
                                        "warehouse",  "returns",   "rebate"};
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, order[o]);
        if (m == NULL)
            continue;
        char mp[BF_TEXT_MAX];
        bf__join(mp, sizeof mp, path, m->string);
        if (strcmp(order[o], "categories") == 0) {
            apply_categories(L, m, mp, p, flags);
        } else if (strcmp(order[o], "lanes") == 0) {
            apply_lanes(L, m, mp, p, flags);
        } else if (strcmp(order[o], "channels") == 0) {
            apply_channels(L, m, mp, p);
        } else if (strcmp(order[o], "arrivals") == 0 && (flags & BF__SEC_NO_ARRIVALS)) {
            BF__PROBLEM(L, m, true, mp,
                        "arrivals are city parameters: a policy cannot change them (the before and "
                        "after runs must see the same shipments)");
        } else {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "%s.", order[o]);
            char w[48];
            snprintf(w, sizeof w, "\"%s\"", order[o]);
            bf__apply_table(L, m, mp, bf_param_table, bf_param_table_n, prefix, p, p, w);
        }
    }
}

/* ---- the scenario ---- */


const cJSON *bf__item(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* A name usable as a folder name and in every output: 1..63 bytes, no
 * control characters. Quotes, backslashes and markup are allowed and are
 * escaped wherever the name is written. */
bool bf__get_name(struct bf__ld *L, const cJSON *n, const char *path, char *out, size_t size)
{
    if (!bf__get_cell(L, n, path, size, out))
        return false;
    if (out[0] == '\0') {
        BF__PROBLEM(L, n, false, path, "a name cannot be empty");
        return false;
    }
    return true;
}

static void load_horizon(struct bf__ld *L, const cJSON *root)
{
    struct bf_scenario *sc = L->sc;
    const cJSON *h = bf__item(root, "horizon");
    static const char *const example =
        "{\"window\": {\"start\": \"2026-01-01\", \"end\": \"2026-12-31\"}, "
        "\"warmup_days\": 365}";
    if (h == NULL) {
        BF__PROBLEM(L, root, false, "horizon", "missing: give the measurement window, e.g. %s",
                    example);
        return;
    }
    if (!bf__want_type(L, h, "horizon", cJSON_Object, "an object"))
        return;
    /* the first format named the run's start and length: say what replaced it */
    const cJSON *old = bf__item(h, "start") != NULL ? bf__item(h, "start") : bf__item(h, "days");
    if (old != NULL) {
        BF__PROBLEM(L, old, false, "horizon",
                    "\"start\" and \"days\" are replaced by the measurement window and the warm-up "
                    "before it: give %s (the run starts warmup_days before the window, with an "
                    "empty pipeline; docs/scenarios.md)",
                    example);
        return;
    }
    static const char *const keys[] = {"window", "warmup_days", "tail_days"};
    bf__check_keys(L, h, "horizon", keys, 3, "\"horizon\"");
    const cJSON *n;
    uint64_t u;
    bool ok = false;
    const cJSON *w = bf__item(h, "window");
    if (w == NULL) {
        BF__PROBLEM(L, h, false, "horizon", "missing \"window\": give %s", example);
    } else if (bf__want_type(L, w, "horizon.window", cJSON_Object, "an object")) {
        static const char *const wkeys[] = {"start", "end"};
        bf__check_keys(L, w, "horizon.window", wkeys, 2, "the window");
        const cJSON *a = bf__item(w, "start"), *b = bf__item(w, "end");
        int32_t first = 0, last = 0;
        bool a_ok = false, b_ok = false;
        if (a == NULL)
            BF__PROBLEM(L, w, false, "horizon.window",
                        "missing \"start\" (its first day, YYYY-MM-DD)");
        else
            a_ok = bf__get_date(L, a, "horizon.window.start", &first);
        if (b == NULL)
            BF__PROBLEM(L, w, false, "horizon.window",
                        "missing \"end\" (its last day, YYYY-MM-DD)");
        else
            b_ok = bf__get_date(L, b, "horizon.window.end", &last);
        if (a_ok && b_ok) {
            int64_t len = (int64_t)last - first + 1;
            char fa[11], fb[11];
            bf_date_format(first, fa);
            bf_date_format(last, fb);
            if (len < 1)
                BF__PROBLEM(
                    L, b, false, "horizon.window.end",
                    "the window ends (%s) before it starts (%s); the end is its last day, on "
                    "or after the start",
                    fb, fa);
            else if (len > BF_MAX_WINDOW_DAYS)
                BF__PROBLEM(
                    L, b, false, "horizon.window.end",
                    "the window from %s to %s is %lld days long; at most %d days are allowed", fa,
                    fb, (long long)len, BF_MAX_WINDOW_DAYS);
            else {
                sc->window_day = first;
                sc->window_days = (uint32_t)len;
                ok = true;
            }
        }
    }
    sc->warmup_days = 365;
    bool warm_ok = true;
    if ((n = bf__item(h, "warmup_days")) != NULL) {
        warm_ok = bf__get_uint(L, n, "horizon.warmup_days", 0, BF_MAX_WARMUP_DAYS, &u);
        if (warm_ok)
            sc->warmup_days = (uint32_t)u;
    }
    sc->tail_days = 365;
    bool tail_ok = true;
    if ((n = bf__item(h, "tail_days")) != NULL) {
        tail_ok = bf__get_uint(L, n, "horizon.tail_days", 0, BF_MAX_TAIL_DAYS, &u);
        if (tail_ok)
            sc->tail_days = (uint32_t)u;
    }
    if (!(ok && warm_ok && tail_ok))
        return;
    /* the whole run must lie in the years a calendar can hold */
    const int32_t lo = bf_date_from_ymd(BF_CAL_MIN_YEAR, 1, 1);
    const int32_t hi = bf_date_from_ymd(BF_CAL_MAX_YEAR, 12, 31);
    const int64_t start = (int64_t)sc->window_day - sc->warmup_days;
    const int64_t end = (int64_t)sc->window_day + sc->window_days - 1 + sc->tail_days;
    if (start < lo || end > hi) {
        char what[96];
        if (start < lo)
            snprintf(what, sizeof what, "its warm-up starts %lld days before %d-01-01",
                     (long long)(lo - start), BF_CAL_MIN_YEAR);
        else
            snprintf(what, sizeof what, "its tail ends %lld days after %d-12-31",
                     (long long)(end - hi), BF_CAL_MAX_YEAR);
        BF__PROBLEM(L, h, false, "horizon",
                    "the run (the warm-up, the window and the tail) must lie between %d-01-01 and "
                    "%d-12-31, the years a calendar can hold; %s",
                    BF_CAL_MIN_YEAR, BF_CAL_MAX_YEAR, what);
        return;
    }
    sc->start_day = (int32_t)start;
    /* dates are checked against the horizon only when it is known: a bad
     * window would otherwise put every effective date "outside" it */
    L->horizon_ok = true;
}

static void load_finance(struct bf__ld *L, const cJSON *root)
{
    struct bf_scenario *sc = L->sc;
    sc->financing_rate = 0.06; /* assumption [X38] within [F1-F4] */
    sc->discount_rate = 0.06;
    snprintf(sc->currency, sizeof sc->currency, "CNY");
    const cJSON *f = bf__item(root, "finance");
    if (f == NULL || !bf__want_type(L, f, "finance", cJSON_Object, "an object"))
        return;
    static const char *const keys[] = {"financing_rate", "discount_rate", "currency"};
    bf__check_keys(L, f, "finance", keys, 3, "\"finance\"");
    const cJSON *n;
    if ((n = bf__item(f, "financing_rate")) != NULL)
        bf__get_number(L, n, "finance.financing_rate", 0, 1, "per year", &sc->financing_rate);
    if ((n = bf__item(f, "discount_rate")) != NULL)
        bf__get_number(L, n, "finance.discount_rate", 0, 1, "per year", &sc->discount_rate);
    if ((n = bf__item(f, "currency")) != NULL) {
        static const char *const cur[] = {"CNY", NULL};
        int k;
        bf__get_enum(L, n, "finance.currency", cur, &k);
    }
}

static void load_calendar_years(struct bf__ld *L, const cJSON *years);

static void load_calendar(struct bf__ld *L, const cJSON *root)
{
    struct bf_scenario *sc = L->sc;
    bf_calendar_init(&sc->cal);
    sc->calendar_builtin = 1;
    bool project = true;
    const cJSON *c = bf__item(root, "calendar");
    if (c != NULL && bf__want_type(L, c, "calendar", cJSON_Object, "an object")) {
        static const char *const keys[] = {"builtin", "years", "project"};
        bf__check_keys(L, c, "calendar", keys, 3, "\"calendar\"");
        const cJSON *b = bf__item(c, "builtin");
        if (b != NULL && bf__want_type(L, b, "calendar.builtin", cJSON_True, "true or false"))
            sc->calendar_builtin = cJSON_IsTrue(b);
        b = bf__item(c, "project");
        if (b != NULL && bf__want_type(L, b, "calendar.project", cJSON_True, "true or false"))
            project = cJSON_IsTrue(b);
    }
    struct bf_diag d;
    bf_diag_clear(&d);
    if (sc->calendar_builtin) {
        int rc = bf_calendar_add_cn_builtin(&sc->cal, &d);
        if (rc == BF_ENOMEM) {
            L->doc->oom = true;
            return;
        }
    }
    const cJSON *years = c ? bf__item(c, "years") : NULL;
    if (years != NULL && bf__want_type(L, years, "calendar.years", cJSON_Object,
                                       "an object of years, e.g. {\"2027\": {\"off\": [...], "
                                       "\"work\": [...]}}"))
        load_calendar_years(L, years);
    if (!project || !L->horizon_ok)
        return;
    /* Years of the run without a notice get the statutory holidays
     * projected from the Holidays Regulation (docs/calendar.md); a notice
     * given above wins. One year past the run's end: a working-day walk from
     * its last days reaches into it. */
    int y0, y1, m, dd;
    bf_date_to_ymd(sc->start_day, &y0, &m, &dd);
    bf_date_to_ymd(sc->window_day + (int32_t)sc->window_days + (int32_t)sc->tail_days, &y1, &m,
                   &dd);
    y1++;
    if (y0 < BF_CAL_CN_PROJECT_MIN_YEAR)
        y0 = BF_CAL_CN_PROJECT_MIN_YEAR;
    if (y1 > BF_CAL_CN_PROJECT_MAX_YEAR)
        y1 = BF_CAL_CN_PROJECT_MAX_YEAR;
    if (y0 > y1)
        return;
    bf_diag_clear(&d);
    int rc = bf_calendar_project_cn(&sc->cal, y0, y1, &d);
    if (rc == BF_ENOMEM)
        L->doc->oom = true;
    else if (rc != 0)
        BF__PROBLEM(L, c != NULL ? c : root, false, "calendar", "%s", d.msg);
}

/* "calendar"."years": a notice per year, given in the scenario. */
static void load_calendar_years(struct bf__ld *L, const cJSON *years)
{
    struct bf_scenario *sc = L->sc;
    struct bf_diag d;
    const cJSON *y;
    cJSON_ArrayForEach(y, years)
    {
        char yp[BF_TEXT_MAX];
        bf__join(yp, sizeof yp, "calendar.years", y->string);
        char *end;
        long year = strtol(y->string, &end, 10);
        if (*end != '\0' || strlen(y->string) != 4 || year < BF_CAL_MIN_YEAR ||
            year > BF_CAL_MAX_YEAR) {
            BF__PROBLEM(L, y, true, yp, "'%s' is not a year from %d to %d", y->string,
                        BF_CAL_MIN_YEAR, BF_CAL_MAX_YEAR);
            continue;
        }
        if (!bf__want_type(L, y, yp, cJSON_Object, "{\"off\": [dates], \"work\": [dates]}"))
            continue;
        static const char *const keys[] = {"off", "work"};
        bf__check_keys(L, y, yp, keys, 2, "a calendar year");
        int32_t days[2][400];
        size_t nd[2] = {0, 0};
        bool ok = true;
        for (int w = 0; w < 2; w++) {
            const cJSON *arr = bf__item(y, keys[w]);
            if (arr == NULL)
                continue;
            char ap[BF_TEXT_MAX];
            bf__join(ap, sizeof ap, yp, keys[w]);
            if (!bf__want_type(L, arr, ap, cJSON_Array, "an array of dates")) {
                ok = false;
                continue;
            }
            if (cJSON_GetArraySize(arr) > 366) {
                BF__PROBLEM(L, arr, false, ap, "more than 366 dates in one year");
                ok = false;
                continue;
            }
            const cJSON *e;
            int i = 0;
            cJSON_ArrayForEach(e, arr)
            {
                char ep[BF_TEXT_MAX];
                snprintf(ep, sizeof ep, "%s[%d]", ap, i++);
                if (bf__get_date(L, e, ep, &days[w][nd[w]]))
                    nd[w]++;
                else
                    ok = false;
            }
        }
        if (!ok)
            continue;
        bf_diag_clear(&d);
        int rc = bf_calendar_set_year(&sc->cal, (int)year, days[0], nd[0], days[1], nd[1], &d);
        if (rc == BF_ENOMEM)
            L->doc->oom = true;
        else if (rc != 0)
            BF__PROBLEM(L, y, false, yp, "%s", d.msg);
    }
}

static void describe_years(struct bf_scenario *sc)
{
    size_t used = 0, used_p = 0;
    sc->calendar_years[0] = '\0';
    sc->calendar_projected_years[0] = '\0';
    for (int y = sc->cal.first_year; sc->cal.first_year > 0 && y <= sc->cal.last_year; y++) {
        if (bf_calendar_year_known(&sc->cal, y) && used + 8 < sizeof sc->calendar_years)
            used += (size_t)snprintf(sc->calendar_years + used, sizeof sc->calendar_years - used,
                                     "%s%d", used ? ", " : "", y);
        if (bf_calendar_year_projected(&sc->cal, y) &&
            used_p + 8 < sizeof sc->calendar_projected_years)
            used_p += (size_t)snprintf(sc->calendar_projected_years + used_p,
                                       sizeof sc->calendar_projected_years - used_p, "%s%d",
                                       used_p ? ", " : "", y);
    }
    if (used == 0)
        snprintf(sc->calendar_years, sizeof sc->calendar_years, "none");
}

/* "; did you mean 'X'?" for the closest of names[0..n) to s, or "". */
static const char *hint(struct bf__ld *L, const char *s, const char *const *names, size_t n,
                        char *buf, size_t size)
{
    const char *sg = bf__problems_full(L->doc) ? NULL : bf__suggest(s, names, n);
    if (sg == NULL)
        return "";
    snprintf(buf, size, "; did you mean '%s'?", sg);
    return buf;
}

const char *bf__policy_hint(struct bf__ld *L, const char *s, char *buf, size_t size)
{
    const char *names[BF_MAX_POLICIES];
    for (uint32_t k = 0; k < L->sc->n_policies; k++)
        names[k] = L->sc->policy[k].name;
    return hint(L, s, names, L->sc->n_policies, buf, size);
}

static const char *city_hint(struct bf__ld *L, const char *s, char *buf, size_t size)
{
    const struct bf_scenario *sc = L->sc;
    const char **names = (const char **)bf__malloc((sc->n_cities + 1) * sizeof *names);
    if (names == NULL) {
        L->doc->oom = true;
        return "";
    }
    for (uint32_t i = 0; i < sc->n_cities; i++)
        names[i] = sc->city[i].name;
    const char *h = hint(L, s, names, sc->n_cities, buf, size);
    bf__free((void *)names);
    return h;
}

static const char *class_hint(struct bf__ld *L, const cJSON *classes, const char *s, char *buf,
                              size_t size)
{
    const char *names[64];
    size_t nn = 0;
    for (const cJSON *k = classes ? classes->child : NULL; k != NULL && nn < 64; k = k->next)
        names[nn++] = k->string;
    return hint(L, s, names, nn, buf, size);
}

/* Policies: names, descriptions; returns the object or NULL. */
const cJSON *bf__load_policies(struct bf__ld *L, const cJSON *root)
{
    char hb[96]; /* "; did you mean ..." */
    struct bf_scenario *sc = L->sc;
    const cJSON *ps = bf__item(root, "policies");
    if (ps == NULL) {
        BF__PROBLEM(L, root, false, "policies",
                    "missing: give at least {\"before\": {}, \"after\": {...}}");
        return NULL;
    }
    if (!bf__want_type(L, ps, "policies", cJSON_Object, "an object of policies by name"))
        return NULL;
    int n = cJSON_GetArraySize(ps);
    if (n < 1 || n > BF_MAX_POLICIES) {
        BF__PROBLEM(L, ps, false, "policies", "%d policies; 1 to %d are allowed", n,
                    BF_MAX_POLICIES);
        return NULL;
    }
    const cJSON *p;
    cJSON_ArrayForEach(p, ps)
    {
        char pp[BF_TEXT_MAX];
        bf__join(pp, sizeof pp, "policies", p->string);
        size_t len = strlen(p->string);
        bool ok = len > 0 && len < sizeof sc->policy[0].name;
        for (size_t i = 0; ok && i < len; i++)
            ok = (p->string[i] >= 'a' && p->string[i] <= 'z') ||
                 (p->string[i] >= '0' && p->string[i] <= '9') || p->string[i] == '_' ||
                 p->string[i] == '-';
        if (!ok || p->string[0] == '-') {
            BF__PROBLEM(L, p, true, pp,
                        "a policy name has 1 to %zu characters from a-z, 0-9, _ "
                        "and -, and does not begin with - (a spreadsheet opening the CSV files "
                        "would take it for a formula)",
                        sizeof sc->policy[0].name - 1);
            continue;
        }
        if (bf_scenario_policy(sc, p->string) >= 0) {
            L->bad = true; /* a key written twice: reported where it is written */
            continue;
        }
        struct bf_policy *pol = &sc->policy[sc->n_policies++];
        snprintf(pol->name, sizeof pol->name, "%s", p->string);
        const cJSON *d = cJSON_IsObject(p) ? bf__item(p, "description") : NULL;
        if (d != NULL) {
            char dp[BF_TEXT_MAX];
            bf__join(dp, sizeof dp, pp, "description");
            bf__get_string(L, d, dp, sizeof pol->description, pol->description);
        }
    }
    const cJSON *cmp = bf__item(root, "compare");
    if (cmp == NULL) {
        sc->baseline = 0;
        sc->compared = sc->n_policies > 1 ? 1 : 0;
        if (bf_scenario_policy(sc, "before") >= 0 && bf_scenario_policy(sc, "after") >= 0) {
            sc->baseline = (uint32_t)bf_scenario_policy(sc, "before");
            sc->compared = (uint32_t)bf_scenario_policy(sc, "after");
        }
    } else if (bf__want_type(L, cmp, "compare", cJSON_Array,
                             "an array of policy names, e.g. [\"before\", \"after\"]")) {
        /* [baseline, compared, more compared...]: each more one is run as
         * a pair of its own with the baseline (bf_scenario_pair) */
        int n_cmp = cJSON_GetArraySize(cmp);
        if (n_cmp < 2 || (uint32_t)n_cmp > sc->n_policies) {
            if (sc->n_policies > 2)
                BF__PROBLEM(L, cmp, false, "compare",
                            "give the baseline, then the policies compared with it: 2 to %u policy "
                            "names ([baseline, compared, ...]); %d given",
                            sc->n_policies, n_cmp);
            else
                BF__PROBLEM(L, cmp, false, "compare",
                            "give two policy names, [baseline, compared]; %d given", n_cmp);
        } else {
            int k[BF_MAX_POLICIES];
            bool ok = true;
            for (int i = 0; i < n_cmp; i++) {
                const cJSON *e = cJSON_GetArrayItem(cmp, i);
                char ep[32];
                snprintf(ep, sizeof ep, "compare[%d]", i);
                k[i] = -1;
                if (bf__want_type(L, e, ep, cJSON_String, "a policy name") &&
                    (k[i] = bf_scenario_policy(sc, e->valuestring)) < 0)
                    BF__PROBLEM(L, e, false, ep, "no policy '%s' in \"policies\"%s", e->valuestring,
                                bf__policy_hint(L, e->valuestring, hb, sizeof hb));
                for (int j = 0; k[i] >= 0 && j < i; j++)
                    if (k[j] == k[i]) {
                        BF__PROBLEM(L, e, false, ep,
                                    "'%s' is named twice: compare different policies",
                                    e->valuestring);
                        k[i] = -1;
                    }
                ok &= k[i] >= 0;
            }
            if (ok) {
                sc->baseline = (uint32_t)k[0];
                sc->compared = (uint32_t)k[1];
                sc->n_also = (uint32_t)n_cmp - 2;
                for (int i = 2; i < n_cmp; i++) {
                    sc->also[i - 2] = (uint32_t)k[i];
                    char pair[sizeof sc->name], ep[32];
                    snprintf(ep, sizeof ep, "compare[%d]", i);
                    if (bf_scenario_pair_name(sc, (uint32_t)k[i], pair, sizeof pair) != 0)
                        BF__PROBLEM(L, cJSON_GetArrayItem(cmp, i), false, ep,
                                    "the pair's results are named '%s.vs_%s', longer than the %zu "
                                    "bytes a name may have: shorten the scenario's or the policy's "
                                    "name",
                                    sc->name, sc->policy[k[i]].name, sizeof sc->name - 1);
                }
            }
        }
    }
    return ps;
}

/* The policy object of policy k (NULL when not an object). */
static const cJSON *policy_obj(const cJSON *ps, const struct bf_scenario *sc, uint32_t k)
{
    const cJSON *p = ps ? bf__item(ps, sc->policy[k].name) : NULL;
    return cJSON_IsObject(p) ? p : NULL;
}

static int find_city_index(const struct bf_scenario *sc, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(sc->city[i].name, name) == 0)
            return (int)i;
    return -1;
}


/* "add": true marks a city, policy or class new in a file that extends
 * another (compose.c checks what it says; here, that it is a boolean). */
static void check_add(struct bf__ld *L, const cJSON *obj, const char *path)
{
    const cJSON *a = cJSON_IsObject(obj) ? bf__item(obj, "add") : NULL;
    char ap[BF_TEXT_MAX];
    bf__join(ap, sizeof ap, path, "add");
    if (a != NULL)
        bf__want_type(L, a, ap, cJSON_True, "true or false");
}

/* Checks every layer object once, on its own (the reporting pass). */
void bf__check_layers(struct bf__ld *L, const cJSON *root, const cJSON *ps,
                      const struct bf_params *base)
{
    char hb[96]; /* "; did you mean ..." */
    struct bf_params *tmp = bf__malloc(sizeof *tmp);
    if (tmp == NULL) {
        L->doc->oom = true;
        return;
    }
    const cJSON *classes = bf__item(root, "classes");
    if (classes != NULL &&
        bf__want_type(L, classes, "classes", cJSON_Object, "an object of city classes by name")) {
        const cJSON *c;
        cJSON_ArrayForEach(c, classes)
        {
            char cp[BF_TEXT_MAX];
            bf__join(cp, sizeof cp, "classes", c->string);
            if (strlen(c->string) == 0 || strlen(c->string) >= sizeof L->sc->city[0].cls)
                BF__PROBLEM(L, c, true, cp, "a class name has 1 to %zu characters",
                            sizeof L->sc->city[0].cls - 1);
            else
                bf__key_is_cell(L, c, cp);
            *tmp = *base;
            bf__apply_sections(L, c, cp, tmp, 0, bf__class_keys, bf__class_keys_n, "a class");
            check_add(L, c, cp);
        }
    }
    for (uint32_t k = 0; ps && k < L->sc->n_policies; k++) {
        const cJSON *p = bf__item(ps, L->sc->policy[k].name);
        char pp[BF_TEXT_MAX];
        bf__join(pp, sizeof pp, "policies", L->sc->policy[k].name);
        if (p == NULL || !bf__want_type(L, p, pp, cJSON_Object, "an object"))
            continue;
        *tmp = *base;
        bf__apply_sections(L, p, pp, tmp, BF__SEC_NO_ARRIVALS, bf__policy_keys, bf__policy_keys_n,
                           "a policy");
        check_add(L, p, pp);
        const cJSON *n;
        if ((n = bf__item(p, "effective_date")) != NULL) {
            char ep[BF_TEXT_MAX];
            bf__join(ep, sizeof ep, pp, "effective_date");
            int32_t day;
            const struct bf_scenario *sc = L->sc;
            /* only the compared policy's date is read (as the cities'
             * default): anywhere else it would be ignored without a word */
            bool dated = bf__get_date(L, n, ep, &day);
            if (dated && k == sc->baseline)
                BF__PROBLEM(
                    L, n, false, ep,
                    "not used: the baseline policy '%s' applies for the whole horizon; give "
                    "effective dates on the compared policy or on the cities",
                    sc->policy[k].name);
            else if (dated && k != sc->compared)
                BF__PROBLEM(L, n, false, ep,
                            "not used: every policy but the baseline takes effect on each city's "
                            "effective date, from the city or from the compared policy '%s'; give "
                            "the date there",
                            sc->policy[sc->compared].name);
        }
        const cJSON *bc = bf__item(p, "by_class");
        char bp[BF_TEXT_MAX];
        bf__join(bp, sizeof bp, pp, "by_class");
        if (bc != NULL && bf__want_type(L, bc, bp, cJSON_Object, "an object by class name")) {
            const cJSON *c;
            cJSON_ArrayForEach(c, bc)
            {
                char cp[BF_TEXT_MAX];
                bf__join(cp, sizeof cp, bp, c->string);
                if (classes == NULL || bf__item(classes, c->string) == NULL) {
                    BF__PROBLEM(L, c, true, cp, "no class '%s' in \"classes\"%s", c->string,
                                class_hint(L, classes, c->string, hb, sizeof hb));
                    continue;
                }
                *tmp = *base;
                bf__apply_sections(L, c, cp, tmp, BF__SEC_NO_ARRIVALS, NULL, 0, "a class override");
            }
        }
        const cJSON *bcity = bf__item(p, "by_city");
        bf__join(bp, sizeof bp, pp, "by_city");
        if (bcity != NULL && bf__want_type(L, bcity, bp, cJSON_Object, "an object by city name")) {
            const cJSON *c;
            cJSON_ArrayForEach(c, bcity)
            {
                char cp[BF_TEXT_MAX];
                bf__join(cp, sizeof cp, bp, c->string);
                if (find_city_index(L->sc, L->sc->n_cities, c->string) < 0) {
                    BF__PROBLEM(L, c, true, cp, "no city '%s' in \"cities\"%s", c->string,
                                city_hint(L, c->string, hb, sizeof hb));
                    continue;
                }
                *tmp = *base;
                bf__apply_sections(L, c, cp, tmp, BF__SEC_NO_ARRIVALS, NULL, 0, "a city override");
            }
        }
    }
    bf__free(tmp);
}

/* City attributes (not its parameter sections). */
static void load_city_attrs(struct bf__ld *L, const cJSON *c, const char *cp, struct bf_city *city,
                            const cJSON *classes, const cJSON *ps, const cJSON **eff_node,
                            bool *eff_own)
{
    struct bf_scenario *sc = L->sc;
    const cJSON *n;
    char ap[BF_TEXT_MAX];
    if ((n = bf__item(c, "name")) == NULL)
        BF__PROBLEM(L, c, false, cp, "a city needs a \"name\"");
    else {
        bf__join(ap, sizeof ap, cp, "name");
        bf__get_name(L, n, ap, city->name, sizeof city->name);
    }
    if ((n = bf__item(c, "name_zh")) != NULL) {
        bf__join(ap, sizeof ap, cp, "name_zh");
        bf__get_cell(L, n, ap, sizeof city->name_zh, city->name_zh);
    }
    if ((n = bf__item(c, "province")) != NULL) {
        bf__join(ap, sizeof ap, cp, "province");
        bf__get_cell(L, n, ap, sizeof city->province, city->province);
    }
    if ((n = bf__item(c, "note")) != NULL) {
        bf__join(ap, sizeof ap, cp, "note");
        bf__get_cell(L, n, ap, sizeof city->note, city->note);
    }
    check_add(L, c, cp);
    if ((n = bf__item(c, "candidate")) != NULL) {
        bf__join(ap, sizeof ap, cp, "candidate");
        if (bf__want_type(L, n, ap, cJSON_True, "true or false"))
            city->candidate = cJSON_IsTrue(n);
    }
    if ((n = bf__item(c, "class")) != NULL) {
        bf__join(ap, sizeof ap, cp, "class");
        if (bf__get_cell(L, n, ap, sizeof city->cls, city->cls) &&
            (classes == NULL || bf__item(classes, city->cls) == NULL)) {
            const char *names[64];
            size_t nn = 0;
            const cJSON *k;
            if (classes != NULL) {
                cJSON_ArrayForEach(k, classes)
                {
                    if (nn < 64)
                        names[nn++] = k->string;
                }
            }
            const char *s = bf__suggest(city->cls, names, nn);
            if (s)
                BF__PROBLEM(L, n, false, ap, "no class '%s' in \"classes\"; did you mean '%s'?",
                            city->cls, s);
            else
                BF__PROBLEM(L, n, false, ap, "no class '%s' in \"classes\"", city->cls);
        }
    }
    /* effective date: the city's own, else the compared policy's (whose
     * own problems check_layers reports, once); checked against the
     * horizon once "select" has said which cities stay
     * (check_effective_dates) */
    const cJSON *pol = policy_obj(ps, sc, sc->compared);
    const cJSON *eff = bf__item(c, "effective_date");
    city->effective_day = sc->start_day;
    if (eff != NULL) {
        bf__join(ap, sizeof ap, cp, "effective_date");
        if (!bf__get_date(L, eff, ap, &city->effective_day))
            eff = NULL;
    } else if (pol != NULL && (eff = bf__item(pol, "effective_date")) != NULL) {
        const bool was = L->report;
        L->report = false;
        if (!bf__get_date(L, eff, "", &city->effective_day))
            eff = NULL;
        L->report = was;
    }
    *eff_node = eff;
    *eff_own = eff != NULL && eff == bf__item(c, "effective_date");
}

/*
 * The effective dates of the cities kept must lie in the run. Reported
 * where each is written -- a city's own, and the compared policy's once --
 * when that is a few places; beyond three, as one problem at the horizon:
 * a child file that moves the horizon of a 45-city study would otherwise
 * get a message for every city, when the thing to change is one window.
 */
static bool eff_outside(const struct bf__ld *L, uint32_t i)
{
    const struct bf_scenario *sc = L->sc;
    const int32_t day = sc->city[i].effective_day;
    return (L->keep == NULL || L->keep[i]) && L->eff_node[i] != NULL &&
           (day < sc->start_day || day >= sc->window_day + (int32_t)sc->window_days);
}

void bf__check_effective_dates(struct bf__ld *L, const cJSON *root)
{
    struct bf_scenario *sc = L->sc;
    if (!L->horizon_ok || L->eff_node == NULL)
        return;
    char a[11], b[11];
    bf_date_format(sc->start_day, a);
    bf_date_format(sc->window_day + (int32_t)sc->window_days - 1, b);
    uint32_t n_out = 0, places = 0;
    bool inherited = false;
    for (uint32_t i = 0; i < sc->n_cities; i++)
        if (eff_outside(L, i)) {
            n_out++;
            if (L->eff_own[i] || !inherited)
                places++;
            inherited |= !L->eff_own[i];
        }
    if (n_out == 0)
        return;
    if (places <= 3) {
        inherited = false;
        for (uint32_t i = 0; i < sc->n_cities; i++) {
            if (!eff_outside(L, i) || (!L->eff_own[i] && inherited))
                continue; /* one message per place it is written */
            inherited |= !L->eff_own[i];
            char path[BF_TEXT_MAX], e[11];
            if (L->eff_own[i])
                snprintf(path, sizeof path, "cities[%u].effective_date", i);
            else
                snprintf(path, sizeof path, "policies.%s.effective_date",
                         sc->policy[sc->compared].name);
            bf_date_format(sc->city[i].effective_day, e);
            BF__PROBLEM(L, L->eff_node[i], false, path,
                        "the effective date %s of city '%s' is outside the run; use a date from %s "
                        "(the start of the warm-up) to %s (the window's last day)",
                        e, sc->city[i].name, a, b);
        }
        return;
    }
    /* one message: how many, the first few, and what to do */
    char list[BF_TEXT_MAX] = "";
    size_t used = 0;
    unsigned shown = 0;
    for (uint32_t i = 0; i < sc->n_cities && shown < 3; i++) {
        if (!eff_outside(L, i))
            continue;
        char e[11];
        bf_date_format(sc->city[i].effective_day, e);
        int w = snprintf(list + used, sizeof list - used, "%s%s (%s)", shown ? ", " : "",
                         sc->city[i].name, e);
        if (w < 0 || (size_t)w >= sizeof list - used)
            break;
        used += (size_t)w;
        shown++;
    }
    /* at what moved: of the window's dates and the warm-up, the one
     * written in the file nearest the command line (a child's, when a
     * child moved the horizon of the file it extends) */
    const cJSON *h = bf__item(root, "horizon"), *w = bf__item(h, "window");
    const cJSON *cand[3] = {bf__item(w, "start"), bf__item(w, "end"), bf__item(h, "warmup_days")};
    static const char *const cpath[3] = {"horizon.window.start", "horizon.window.end",
                                         "horizon.warmup_days"};
    const cJSON *at = h;
    const char *at_path = "horizon";
    int at_file = INT32_MAX;
    for (int k = 0; k < 3; k++) {
        const struct bf__pos *p = cand[k] ? bf__doc_pos(L->doc, cand[k]) : NULL;
        if (p != NULL && (int)p->file < at_file) {
            at = cand[k];
            at_path = cpath[k];
            at_file = p->file;
        }
    }
    char more[48] = "";
    if (n_out > shown)
        snprintf(more, sizeof more, " and %u more", n_out - shown);
    BF__PROBLEM(L, at, false, at_path,
                "the run is %s (the start of the warm-up) to %s (the window's last day), and the "
                "effective dates of %u cities fall outside it: %s%s. Move the window (or "
                "warmup_days) to take them in, give these cities effective dates inside it, or "
                "leave them out with \"select\"",
                a, b, n_out, list, more);
}

/* Applies the city's shorthands: shipments_per_day and channel_mix. */
static void apply_city_shorthands(struct bf__ld *L, const cJSON *c, const char *cp,
                                  struct bf_params *p)
{
    const cJSON *n;
    char ap[BF_TEXT_MAX];
    if ((n = bf__item(c, "shipments_per_day")) != NULL) {
        bf__join(ap, sizeof ap, cp, "shipments_per_day");
        bf__get_number(L, n, ap, bf_param_table[0].min, bf_param_table[0].max, "shipments/day",
                       &p->shipments_per_day);
    }
    if ((n = bf__item(c, "channel_mix")) != NULL) {
        bf__join(ap, sizeof ap, cp, "channel_mix");
        if (!bf__want_type(L, n, ap, cJSON_Object,
                           "an object such as {\"9810\": 0.4, \"9610\": 0.6}"))
            return;
        bf__check_keys(L, n, ap, bf_channel_codes, BF_CH_COUNT, "a channel mix");
        for (int ch = 0; ch < BF_CH_COUNT; ch++) {
            const cJSON *w = bf__item(n, bf_channel_codes[ch]);
            char wp[BF_TEXT_MAX];
            bf__join(wp, sizeof wp, ap, bf_channel_codes[ch]);
            if (w != NULL)
                bf__get_number(L, w, wp, 0, 1e6, "weight", &p->channel[ch].share);
        }
    }
}

void bf__load_cities(struct bf__ld *L, const cJSON *root, const cJSON *ps)
{
    struct bf_scenario *sc = L->sc;
    const cJSON *cities = bf__item(root, "cities");
    const cJSON *classes = bf__item(root, "classes");
    if (!cJSON_IsObject(classes))
        classes = NULL;
    if (cities == NULL) {
        BF__PROBLEM(L, root, false, "cities", "missing: give at least one city");
        return;
    }
    if (!bf__want_type(L, cities, "cities", cJSON_Array, "an array of cities"))
        return;
    int n = cJSON_GetArraySize(cities);
    if (n < 1 || n > BF_MAX_CITIES) {
        BF__PROBLEM(L, cities, false, "cities", "%d cities; 1 to %d are allowed", n, BF_MAX_CITIES);
        return;
    }
    sc->city = bf__calloc((size_t)n, sizeof *sc->city);
    L->eff_node = (const cJSON **)bf__calloc((size_t)n, sizeof *L->eff_node);
    L->eff_own = bf__calloc((size_t)n, sizeof *L->eff_own);
    if (sc->city == NULL || L->eff_node == NULL || L->eff_own == NULL) {
        L->doc->oom = true;
        return;
    }
    /* names and attributes first, so by_city can refer to them */
    const cJSON *c;
    int i = 0;
    cJSON_ArrayForEach(c, cities)
    {
        char cp[32];
        snprintf(cp, sizeof cp, "cities[%d]", i);
        struct bf_city *city = &sc->city[i];
        city->stream = (uint32_t)i++;
        if (!bf__want_type(L, c, cp, cJSON_Object, "an object"))
            continue;
        load_city_attrs(L, c, cp, city, classes, ps, &L->eff_node[i - 1], &L->eff_own[i - 1]);
        int first = find_city_index(sc, sc->n_cities, city->name);
        if (city->name[0] && first >= 0) {
            char np[48];
            snprintf(np, sizeof np, "%s.name", cp);
            BF__PROBLEM(L, bf__item(c, "name"), false, np,
                        "duplicate city name '%s' (also cities[%d]); city names must be unique",
                        city->name, first);
        }
        sc->n_cities++;
    }
}

/*
 * A city's volume as an annual export value (docs/scenarios.md, Cities):
 * at cost (annual_export_cost_cny, the value the model books: purchase
 * cost with VAT) or FOB (annual_export_fob_cny: cost x fob_multiple),
 * converted with the baseline's rules to
 *
 *   shipments_per_day = annual value / (year factor x value of a shipment)
 *
 * (bf_params_year_factor: 365 without seasonality;
 * bf_params_shipment_value_cny), the same for every policy, as arrivals
 * are. One way of giving the volume per city entry: "extends" replaces
 * the parent's way with the child's (compose.c).
 */
#define MAX_ANNUAL_EXPORT_CNY 1e15

static void convert_volume(struct bf__ld *L, const cJSON *c, const char *cp, struct bf_city *city)
{
    const struct bf_scenario *sc = L->sc;
    const cJSON *arr = bf__item(c, "arrivals");
    const cJSON *given[4] = {bf__item(c, "shipments_per_day"),
                             cJSON_IsObject(arr) ? bf__item(arr, "shipments_per_day") : NULL,
                             bf__item(c, "annual_export_cost_cny"),
                             bf__item(c, "annual_export_fob_cny")};
    static const char *const key[4] = {"shipments_per_day", "arrivals.shipments_per_day",
                                       "annual_export_cost_cny", "annual_export_fob_cny"};
    int first = -1, annual = -1;
    for (int k = 0; k < 4; k++) {
        if (given[k] == NULL)
            continue;
        if (first >= 0) {
            char ap[BF_TEXT_MAX];
            bf__join(ap, sizeof ap, cp, key[k]);
            BF__PROBLEM(
                L, given[k], true, ap,
                "the volume is given twice, as %s and as %s: give one of shipments_per_day, "
                "annual_export_cost_cny or annual_export_fob_cny",
                key[first], key[k]);
            return;
        }
        first = k;
        if (k >= 2)
            annual = k;
    }
    if (annual < 0 || city->params == NULL)
        return;
    char ap[BF_TEXT_MAX];
    bf__join(ap, sizeof ap, cp, key[annual]);
    const cJSON *n = given[annual];
    if (!bf__want_type(L, n, ap, cJSON_Number, "an amount in CNY a year, e.g. 120e6"))
        return;
    const double value = n->valuedouble;
    if (!isfinite(value) || !(value > 0) || value > MAX_ANNUAL_EXPORT_CNY) {
        BF__PROBLEM(L, n, false, ap,
                    "%.16g is not an annual export value: give a positive amount of CNY a year, at "
                    "most %g (e.g. 120e6 for 120 million)",
                    value, MAX_ANNUAL_EXPORT_CNY);
        return;
    }
    const struct bf_params *p = &city->params[sc->baseline];
    struct bf_diag d;
    bf_diag_clear(&d);
    if (bf_params_check(p, &d) != 0)
        return; /* the rules are reported as they are (check_cities) */
    const enum bf_value_basis basis = annual == 2 ? BF_VALUE_COST : BF_VALUE_FOB;
    const char *at = basis == BF_VALUE_COST ? "at cost" : "FOB";
    const double year = bf_params_year_factor(p);
    const double per_ship = bf_params_shipment_value_cny(p, basis);
    if (!(year > 0)) {
        BF__PROBLEM(L, n, false, ap,
                    "arrivals.seasonality is 0 in every month: a year has no shipments to carry "
                    "%.16g CNY",
                    value);
        return;
    }
    const double spd = value / (year * per_ship);
    const struct bf_param_info *pi = &bf_param_table[0]; /* arrivals.shipments_per_day */
    if (!(spd >= pi->min && spd <= pi->max)) {
        BF__PROBLEM(
            L, n, false, ap,
            "%.16g CNY a year %s is %.4g shipments a day (a shipment is worth %.6g CNY %s on "
            "average: units per shipment x value per unit over the channel and goods mixes; "
            "%.6g days of arrivals in a year, with its seasonality); the allowed range is "
            "[%g, %g] shipments a day",
            value, at, spd, per_ship, at, year, pi->min, pi->max);
        return;
    }
    for (uint32_t k = 0; k < sc->n_policies; k++)
        city->params[k].shipments_per_day = spd;
    city->volume_from = basis == BF_VALUE_COST ? BF_VOLUME_COST : BF_VOLUME_FOB;
    city->annual_export_cny = value;
}

void bf__build_cities(struct bf__ld *L, const cJSON *root, const cJSON *ps,
                      const struct bf_params *base)
{
    struct bf_scenario *sc = L->sc;
    const cJSON *cities = bf__item(root, "cities");
    const cJSON *classes = bf__item(root, "classes");
    if (!cJSON_IsObject(classes))
        classes = NULL;
    struct bf_params *cb = bf__malloc(sizeof *cb);
    if (cb == NULL) {
        L->doc->oom = true;
        return;
    }
    for (uint32_t i = 0; i < sc->n_cities; i++) {
        if (L->keep != NULL && !L->keep[i])
            continue; /* left out by "select": neither built nor checked */
        const cJSON *c = cJSON_GetArrayItem(cities, (int)i);
        struct bf_city *city = &sc->city[i];
        char cp[32];
        snprintf(cp, sizeof cp, "cities[%u]", i);
        city->params = bf__calloc(sc->n_policies, sizeof *city->params);
        if (city->params == NULL) {
            L->doc->oom = true;
            break;
        }
        *cb = *base;
        bool was = L->report;
        L->report = false;
        if (city->cls[0] && classes && bf__item(classes, city->cls))
            bf__apply_sections(L, bf__item(classes, city->cls), "", cb, 0, NULL, 0, "a class");
        L->report = was; /* the city's own sections are reported here, once */
        bf__apply_sections(L, c, cp, cb, 0, bf__city_keys, bf__city_keys_n, "a city");
        apply_city_shorthands(L, c, cp, cb);
        L->report = false;
        for (uint32_t k = 0; k < sc->n_policies; k++) {
            struct bf_params *p = &city->params[k];
            *p = *cb;
            const cJSON *pol = policy_obj(ps, sc, k);
            if (pol == NULL)
                continue;
            bf__apply_sections(L, pol, "", p, BF__SEC_NO_ARRIVALS, bf__policy_keys,
                               bf__policy_keys_n, "a policy");
            const cJSON *bc = bf__item(pol, "by_class");
            if (city->cls[0] && cJSON_IsObject(bc) && bf__item(bc, city->cls))
                bf__apply_sections(L, bf__item(bc, city->cls), "", p, BF__SEC_NO_ARRIVALS, NULL, 0,
                                   "");
            const cJSON *by = bf__item(pol, "by_city");
            if (cJSON_IsObject(by) && bf__item(by, city->name))
                bf__apply_sections(L, bf__item(by, city->name), "", p, BF__SEC_NO_ARRIVALS, NULL, 0,
                                   "");
        }
        L->report = was;
        convert_volume(L, c, cp, city);
    }
    bf__free(cb);
}

/* Whole-set checks of every (city, policy) kept; one report per distinct
 * problem. A city is found in the tree by its place in the list
 * (bf_city.stream), which "select" does not change. */
void bf__check_cities(struct bf__ld *L, const cJSON *root)
{
    struct bf_scenario *sc = L->sc;
    const cJSON *cities = bf__item(root, "cities");
    char seen[8][2 * BF_TEXT_MAX];
    int n_seen = 0;
    for (uint32_t i = 0; i < sc->n_cities && sc->city[i].params; i++)
        for (uint32_t k = 0; k < sc->n_policies; k++) {
            struct bf_diag d;
            bf_diag_clear(&d);
            if (bf_params_check(&sc->city[i].params[k], &d) == 0)
                continue;
            char key[2 * BF_TEXT_MAX];
            snprintf(key, sizeof key, "%s|%s", d.where, d.msg);
            bool dup = false;
            for (int s = 0; s < n_seen && !dup; s++)
                dup = strcmp(seen[s], key) == 0;
            if (dup)
                continue;
            if (n_seen < 8)
                snprintf(seen[n_seen++], sizeof seen[0], "%s", key);
            char path[BF_TEXT_MAX];
            snprintf(path, sizeof path, "cities[%u].%s", sc->city[i].stream, d.where);
            BF__PROBLEM(L, cJSON_GetArrayItem(cities, (int)sc->city[i].stream), false, path,
                        "%s (city '%s', policy '%s')", d.msg, sc->city[i].name, sc->policy[k].name);
        }
    /* a city without volume: shipments_per_day has a positive minimum, but
     * the seasonality may be 0 in every month the horizon covers (arrivals
     * are the same under every policy: the baseline's say it) */
    if (!L->horizon_ok || sc->n_policies == 0)
        return;
    unsigned months = 0;
    for (uint32_t d = 0; d < sc->window_days && months != 0xFFFu; d++) {
        int y, m, dd;
        bf_date_to_ymd(sc->window_day + (int32_t)d, &y, &m, &dd);
        months |= 1u << (m - 1);
    }
    for (uint32_t i = 0; i < sc->n_cities && sc->city[i].params; i++) {
        const struct bf_params *p = &sc->city[i].params[sc->baseline];
        bool any = false;
        for (int m = 0; m < 12 && !any; m++)
            any = (months & (1u << m)) && p->seasonality[m] > 0.0;
        if (any)
            continue;
        char path[32], a[11], b[11];
        snprintf(path, sizeof path, "cities[%u]", sc->city[i].stream);
        bf_date_format(sc->window_day, a);
        bf_date_format(sc->window_day + (int32_t)sc->window_days - 1, b);
        BF__PROBLEM(L, cJSON_GetArrayItem(cities, (int)sc->city[i].stream), false, path,
                    "city '%s' has no shipments: its arrivals.seasonality is 0 in every month of "
                    "the window (%s to %s); give at least one of these months a factor > 0",
                    sc->city[i].name, a, b);
    }
}

/* ---- sweeps ---- */

/* Finds the parameter a sweep path names. */
static bool resolve_param(const struct bf_params *p, const char *path, struct bf_pvalue *v)
{
    for (size_t i = 0; i < bf_param_table_n; i++)
        if (strcmp(bf_param_table[i].path, path) == 0) {
            v->pi = &bf_param_table[i];
            v->table = 0;
            return true;
        }
    char head[32], name[BF_NAME_MAX + 1];
    const char *d1 = strchr(path, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (d1 == NULL || d2 == NULL || (size_t)(d1 - path) >= sizeof head ||
        (size_t)(d2 - d1 - 1) >= sizeof name)
        return false;
    memcpy(head, path, (size_t)(d1 - path));
    head[d1 - path] = '\0';
    memcpy(name, d1 + 1, (size_t)(d2 - d1 - 1));
    name[d2 - d1 - 1] = '\0';
    const char *field = d2 + 1;
    const struct bf_param_info *t;
    size_t n;
    if (strcmp(head, "categories") == 0) {
        v->table = 1;
        v->index = bf_params_category(p, name);
        t = bf_category_table;
        n = bf_category_table_n;
    } else if (strcmp(head, "lanes") == 0) {
        v->table = 2;
        v->index = bf_params_lane(p, name);
        t = bf_lane_table;
        n = bf_lane_table_n;
    } else if (strcmp(head, "channels") == 0) {
        v->table = 3;
        v->index = -1;
        for (int c = 0; c < BF_CH_COUNT; c++)
            if (strcmp(bf_channel_codes[c], name) == 0)
                v->index = c;
        t = bf_channel_table;
        n = bf_channel_table_n;
    } else {
        return false;
    }
    if (v->index < 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].path, field) == 0) {
            v->pi = &t[i];
            return true;
        }
    return false;
}

/*
 * A sweep value must leave the rules of every city valid as a whole
 * (bf_params_check), or the run would stop half-way with exit status 1 on a
 * file validate had accepted. Reported once per value, for the first city.
 */
static bool check_sweep_value(struct bf__ld *L, const struct bf_pvalue *pv, int policy,
                              const cJSON *node, const char *path)
{
    struct bf_scenario *sc = L->sc;
    struct bf_params *tmp = bf__malloc(sizeof *tmp);
    if (tmp == NULL) {
        L->doc->oom = true;
        return false;
    }
    bool ok = true;
    for (uint32_t i = 0; ok && i < sc->n_cities && sc->city[i].params; i++)
        for (uint32_t k = 0; ok && k < sc->n_policies; k++) {
            if (policy >= 0 && (uint32_t)policy != k)
                continue;
            struct bf_diag d;
            bf_diag_clear(&d);
            if (bf_params_check(&sc->city[i].params[k], &d) != 0)
                continue; /* reported as it is */
            *tmp = sc->city[i].params[k];
            bf_sweep_apply(pv, tmp);
            if (bf_params_check(tmp, &d) == 0)
                continue;
            BF__PROBLEM(L, node, false, path,
                        "with this value the rules of city '%s' (policy '%s') are invalid: %s: %s",
                        sc->city[i].name, sc->policy[k].name, d.where, d.msg);
            ok = false;
        }
    bf__free(tmp);
    return ok;
}

void bf__load_sweeps(struct bf__ld *L, const cJSON *root, const struct bf_params *base)
{
    char hb[96]; /* "; did you mean ..." */
    struct bf_scenario *sc = L->sc;
    const cJSON *sw = bf__item(root, "sweeps");
    if (sw == NULL || !bf__want_type(L, sw, "sweeps", cJSON_Array, "an array of sweeps"))
        return;
    int n = cJSON_GetArraySize(sw);
    if (n > BF_MAX_SWEEPS) {
        BF__PROBLEM(L, sw, false, "sweeps", "%d sweeps; at most %d are allowed", n, BF_MAX_SWEEPS);
        return;
    }
    struct bf_params *tmp = bf__malloc(sizeof *tmp);
    if (tmp == NULL) {
        L->doc->oom = true;
        return;
    }
    const cJSON *s;
    int i = 0;
    cJSON_ArrayForEach(s, sw)
    {
        char sp[32];
        snprintf(sp, sizeof sp, "sweeps[%d]", i++);
        if (!bf__want_type(L, s, sp, cJSON_Object, "an object {name, path, values}"))
            continue;
        static const char *const keys[] = {"name", "path", "policy", "values"};
        bf__check_keys(L, s, sp, keys, 4, "a sweep");
        struct bf_sweep *w = &sc->sweep[sc->n_sweeps];
        memset(w, 0, sizeof *w);
        w->policy = -1;
        char ap[BF_TEXT_MAX];
        const cJSON *x;
        bool ok = true;
        bf__join(ap, sizeof ap, sp, "name");
        if ((x = bf__item(s, "name")) == NULL) {
            BF__PROBLEM(L, s, false, sp, "a sweep needs a \"name\"");
            ok = false;
        } else {
            ok = bf__get_name(L, x, ap, w->name, sizeof w->name) && ok;
        }
        bf__join(ap, sizeof ap, sp, "path");
        struct bf_pvalue proto = {0};
        if ((x = bf__item(s, "path")) == NULL) {
            BF__PROBLEM(L, s, false, sp,
                        "a sweep needs a \"path\" naming one parameter, e.g. "
                        "\"rebate.processing_wd\"");
            ok = false;
        } else if (bf__get_string(L, x, ap, sizeof w->path, w->path)) {
            if (!resolve_param(base, w->path, &proto)) {
                const char *names[128];
                size_t nn = 0;
                for (size_t k = 0; k < bf_param_table_n && nn < 128; k++)
                    names[nn++] = bf_param_table[k].path;
                const char *sg = bf__suggest(w->path, names, nn);
                BF__PROBLEM(L, x, false, ap,
                            "'%s' names no parameter%s%s%s (use a path such as "
                            "\"rebate.processing_wd\", \"categories.general.rebate_rate\" or "
                            "\"channels.9810.trigger\")",
                            w->path, sg ? "; did you mean '" : "", sg ? sg : "", sg ? "'?" : "");
                ok = false;
            }
        } else {
            ok = false;
        }
        bf__join(ap, sizeof ap, sp, "policy");
        if ((x = bf__item(s, "policy")) != NULL &&
            bf__want_type(L, x, ap, cJSON_String, "a policy name")) {
            w->policy = bf_scenario_policy(sc, x->valuestring);
            if (w->policy < 0) {
                BF__PROBLEM(L, x, false, ap, "no policy '%s' in \"policies\"%s", x->valuestring,
                            bf__policy_hint(L, x->valuestring, hb, sizeof hb));
                ok = false;
            }
        }
        bf__join(ap, sizeof ap, sp, "values");
        const cJSON *vals = bf__item(s, "values");
        if (vals == NULL) {
            BF__PROBLEM(L, s, false, sp, "a sweep needs \"values\": a list of 1 to %d values",
                        BF_MAX_SWEEP_VALUES);
            continue;
        }
        if (!bf__want_type(L, vals, ap, cJSON_Array, "an array of values"))
            continue;
        int nv = cJSON_GetArraySize(vals);
        if (nv < 1 || nv > BF_MAX_SWEEP_VALUES) {
            BF__PROBLEM(L, vals, false, ap, "%d values; 1 to %d are allowed", nv,
                        BF_MAX_SWEEP_VALUES);
            continue;
        }
        if (!ok)
            continue;
        const cJSON *v;
        int j = 0;
        cJSON_ArrayForEach(v, vals)
        {
            char vp[BF_TEXT_MAX];
            snprintf(vp, sizeof vp, "%s[%d]", ap, j++);
            struct bf_pvalue *pv = &w->value[w->n_values];
            *pv = proto;
            *tmp = *base;
            void *b = bf_pvalue_base(pv, tmp);
            if (!bf__set_value(L, pv->pi, v, vp, b, tmp)) {
                ok = false;
                continue;
            }
            memcpy(&pv->v, (unsigned char *)b + pv->pi->offset, sizeof pv->v);
            char *txt = cJSON_PrintUnformatted(v);
            if (txt == NULL) {
                L->doc->oom = true;
                break;
            }
            snprintf(pv->label, sizeof pv->label, "%s", txt);
            cJSON_free(txt);
            if (!check_sweep_value(L, pv, w->policy, v, vp))
                ok = false;
            w->n_values++;
        }
        if (ok)
            sc->n_sweeps++;
    }
    bf__free(tmp);
}

/* ---- global sensitivity (docs/uncertainty.md) ---- */

double bf_sens_value(const struct bf_sens_param *sp, double u)
{
    double v = sp->lo + u * (sp->hi - sp->lo);
    if (sp->kind == BF_SK_EFFECTIVE_SHIFT ||
        (sp->kind == BF_SK_VALUE && sp->proto.pi->type == BF_PT_UINT))
        v = floor(v + 0.5);
    return v;
}

void bf_sens_apply(const struct bf_sens_param *sp, double u, struct bf_params *p)
{
    BF_ASSERT(sp->kind != BF_SK_EFFECTIVE_SHIFT);
    unsigned char *b = (unsigned char *)bf_pvalue_base(&sp->proto, p) + sp->proto.pi->offset;
    const double v = bf_sens_value(sp, u);
    if (sp->kind == BF_SK_FACTOR) {
        bf_dist_scale((struct bf_dist *)(void *)b, v);
    } else if (sp->proto.pi->type == BF_PT_UINT) {
        uint32_t x = (uint32_t)v;
        memcpy(b, &x, sizeof x);
    } else {
        memcpy(b, &v, sizeof v);
    }
}

/* Both ends of a sensitivity range must leave every city's rules valid, as
 * a sweep value must (check_sweep_value). */
static bool check_sens_ends(struct bf__ld *L, const struct bf_sens_param *sp, const cJSON *node,
                            const char *path)
{
    if (sp->kind == BF_SK_EFFECTIVE_SHIFT)
        return true;
    struct bf_scenario *sc = L->sc;
    struct bf_params *tmp = bf__malloc(sizeof *tmp);
    if (tmp == NULL) {
        L->doc->oom = true;
        return false;
    }
    bool ok = true;
    for (int end = 0; ok && end < 2; end++)
        for (uint32_t i = 0; ok && i < sc->n_cities && sc->city[i].params; i++)
            for (uint32_t k = 0; ok && k < sc->n_policies; k++) {
                if (sp->policy >= 0 && (uint32_t)sp->policy != k)
                    continue;
                struct bf_diag d;
                bf_diag_clear(&d);
                if (bf_params_check(&sc->city[i].params[k], &d) != 0)
                    continue; /* reported as it is */
                *tmp = sc->city[i].params[k];
                bf_sens_apply(sp, (double)end, tmp);
                const void *b = bf_pvalue_base(&sp->proto, tmp);
                if (bf_param_check_value(sp->proto.pi, b, &d) == 0 && bf_params_check(tmp, &d) == 0)
                    continue;
                BF__PROBLEM(L, node, false, path,
                            "at its %s end (%.16g) the rules of city '%s' (policy '%s') are "
                            "invalid: %s",
                            end ? "high" : "low", end ? sp->hi : sp->lo, sc->city[i].name,
                            sc->policy[k].name, d.msg);
                ok = false;
            }
    bf__free(tmp);
    return ok;
}

void bf__load_sensitivity(struct bf__ld *L, const cJSON *root, const struct bf_params *base)
{
    char hb[96]; /* "; did you mean ..." */
    struct bf_scenario *sc = L->sc;
    struct bf_sensitivity *se = &sc->sens;
    memset(se, 0, sizeof *se);
    const cJSON *s = bf__item(root, "sensitivity");
    if (s == NULL ||
        !bf__want_type(L, s, "sensitivity", cJSON_Object, "an object {method, parameters, ...}"))
        return;
    static const char *const keys[] = {"method",  "parameters", "trajectories", "levels",
                                       "samples", "seed",       "bootstrap"};
    bf__check_keys(L, s, "sensitivity", keys, 7, "\"sensitivity\"");
    if (sc->n_sweeps > 0) {
        BF__PROBLEM(
            L, s, true, "sensitivity",
            "a scenario has \"sweeps\" (one parameter at a time) or \"sensitivity\" (all at "
            "once), not both: put them in two scenarios (one may extend the other)");
        return;
    }
    const cJSON *x = bf__item(s, "method");
    static const char *const methods[] = {"morris", "sobol", NULL};
    int m = 0;
    if (x == NULL) {
        BF__PROBLEM(L, s, false, "sensitivity",
                    "\"sensitivity\" needs a \"method\": \"morris\" (screening) or \"sobol\" "
                    "(variance shares)");
        return;
    }
    if (!bf__get_enum(L, x, "sensitivity.method", methods, &m))
        return;
    enum bf_sens_method method = m == 0 ? BF_SENS_MORRIS : BF_SENS_SOBOL;
    uint64_t u;
    se->trajectories = 10;
    se->levels = 4;
    se->samples = 32;
    se->seed = 1;
    se->bootstrap = 1000;
    bool ok = true;
    if ((x = bf__item(s, "trajectories")) != NULL)
        ok = bf__get_uint(L, x, "sensitivity.trajectories", 2, 1000, &u) &&
             ((se->trajectories = (uint32_t)u), true) && ok;
    if ((x = bf__item(s, "levels")) != NULL) {
        if (bf__get_uint(L, x, "sensitivity.levels", 2, 16, &u) && u % 2 == 0)
            se->levels = (uint32_t)u;
        else {
            if (cJSON_IsNumber(x) && x->valuedouble >= 2 && x->valuedouble <= 16)
                BF__PROBLEM(L, x, false, "sensitivity.levels",
                            "%.16g levels; Morris' grid needs an even number from 2 to 16",
                            x->valuedouble);
            ok = false;
        }
    }
    if ((x = bf__item(s, "samples")) != NULL)
        ok = bf__get_uint(L, x, "sensitivity.samples", 2, 4096, &u) &&
             ((se->samples = (uint32_t)u), true) && ok;
    if ((x = bf__item(s, "seed")) != NULL)
        ok = bf__get_uint(L, x, "sensitivity.seed", 0, 4294967295.0, &u) &&
             ((se->seed = (uint32_t)u), true) && ok;
    if ((x = bf__item(s, "bootstrap")) != NULL) {
        if (bf__get_uint(L, x, "sensitivity.bootstrap", 0, 100000, &u) && (u == 0 || u >= 40))
            se->bootstrap = (uint32_t)u;
        else {
            if (cJSON_IsNumber(x) && x->valuedouble >= 0 && x->valuedouble < 40)
                BF__PROBLEM(
                    L, x, false, "sensitivity.bootstrap",
                    "%.16g resamples; 0 (no intervals) or at least 40 (a 95%% interval needs "
                    "one resample in each 2.5%% tail)",
                    x->valuedouble);
            ok = false;
        }
    }
    const cJSON *ps = bf__item(s, "parameters");
    if (ps == NULL) {
        BF__PROBLEM(L, s, false, "sensitivity",
                    "\"sensitivity\" needs \"parameters\": a list of {\"path\", \"range\": [low, "
                    "high]}");
        return;
    }
    if (!bf__want_type(L, ps, "sensitivity.parameters", cJSON_Array, "an array of parameters"))
        return;
    int np = cJSON_GetArraySize(ps);
    if (np < 1 || np > BF_MAX_SENS_PARAMS) {
        BF__PROBLEM(L, ps, false, "sensitivity.parameters", "%d parameters; 1 to %d are allowed",
                    np, BF_MAX_SENS_PARAMS);
        return;
    }
    const cJSON *q;
    int i = 0;
    cJSON_ArrayForEach(q, ps)
    {
        char pp[64], ap[BF_TEXT_MAX];
        snprintf(pp, sizeof pp, "sensitivity.parameters[%d]", i++);
        if (!bf__want_type(L, q, pp, cJSON_Object, "an object {path, policy, range}")) {
            ok = false;
            continue;
        }
        static const char *const pkeys[] = {"path", "policy", "range"};
        bf__check_keys(L, q, pp, pkeys, 3, "a sensitivity parameter");
        struct bf_sens_param *sp = &se->param[se->n_params];
        memset(sp, 0, sizeof *sp);
        sp->policy = -1;
        bf__join(ap, sizeof ap, pp, "path");
        if ((x = bf__item(q, "path")) == NULL) {
            BF__PROBLEM(
                L, q, false, pp,
                "a sensitivity parameter needs a \"path\", e.g. \"rebate.processing_wd\" or "
                "\"effective_date\"");
            ok = false;
            continue;
        }
        if (!bf__get_string(L, x, ap, sizeof sp->path, sp->path)) {
            ok = false;
            continue;
        }
        if (strcmp(sp->path, "effective_date") == 0) {
            sp->kind = BF_SK_EFFECTIVE_SHIFT;
        } else if (!resolve_param(base, sp->path, &sp->proto)) {
            const char *names[128];
            size_t nn = 0;
            for (size_t k = 0; k < bf_param_table_n && nn < 127; k++)
                names[nn++] = bf_param_table[k].path;
            names[nn++] = "effective_date";
            const char *sg = bf__suggest(sp->path, names, nn);
            BF__PROBLEM(L, x, false, ap,
                        "'%s' names no parameter%s%s%s (use a path sweeps accept, such as "
                        "\"rebate.processing_wd\", or \"effective_date\")",
                        sp->path, sg ? "; did you mean '" : "", sg ? sg : "", sg ? "'?" : "");
            ok = false;
            continue;
        } else if (sp->proto.pi->type == BF_PT_DIST) {
            sp->kind = BF_SK_FACTOR;
        } else if (sp->proto.pi->type == BF_PT_NUMBER || sp->proto.pi->type == BF_PT_PROB ||
                   sp->proto.pi->type == BF_PT_UINT) {
            sp->kind = BF_SK_VALUE;
        } else {
            BF__PROBLEM(L, x, false, ap,
                        "'%s' is not a number, a share, a whole number or a distribution: it "
                        "cannot be varied over a range (sweep its values instead)",
                        sp->path);
            ok = false;
            continue;
        }
        bf__join(ap, sizeof ap, pp, "policy");
        if ((x = bf__item(q, "policy")) != NULL &&
            bf__want_type(L, x, ap, cJSON_String, "a policy name")) {
            sp->policy = bf_scenario_policy(sc, x->valuestring);
            if (sp->policy < 0) {
                BF__PROBLEM(L, x, false, ap, "no policy '%s' in \"policies\"%s", x->valuestring,
                            bf__policy_hint(L, x->valuestring, hb, sizeof hb));
                ok = false;
            }
        }
        bf__join(ap, sizeof ap, pp, "range");
        x = bf__item(q, "range");
        const char *what = sp->kind == BF_SK_FACTOR ? "a factor the distribution is scaled by"
                           : sp->kind == BF_SK_EFFECTIVE_SHIFT
                               ? "days every city's effective date moves by"
                               : "the parameter's value";
        if (x == NULL || !cJSON_IsArray(x) || cJSON_GetArraySize(x) != 2 ||
            !cJSON_IsNumber(cJSON_GetArrayItem(x, 0)) ||
            !cJSON_IsNumber(cJSON_GetArrayItem(x, 1))) {
            BF__PROBLEM(L, x ? x : q, false, x ? ap : pp,
                        "a sensitivity parameter needs \"range\": [low, high], two numbers (%s)",
                        what);
            ok = false;
            continue;
        }
        sp->lo = cJSON_GetArrayItem(x, 0)->valuedouble;
        sp->hi = cJSON_GetArrayItem(x, 1)->valuedouble;
        double lim_lo = sp->kind == BF_SK_FACTOR            ? 1e-3
                        : sp->kind == BF_SK_EFFECTIVE_SHIFT ? -730
                                                            : sp->proto.pi->min;
        double lim_hi = sp->kind == BF_SK_FACTOR            ? 1e3
                        : sp->kind == BF_SK_EFFECTIVE_SHIFT ? 730
                                                            : sp->proto.pi->max;
        if (sp->kind == BF_SK_VALUE && sp->proto.pi->type == BF_PT_PROB) {
            lim_lo = 0;
            lim_hi = 1;
        }
        if (!isfinite(sp->lo) || !isfinite(sp->hi) || !(sp->lo < sp->hi) || sp->lo < lim_lo ||
            sp->hi > lim_hi) {
            BF__PROBLEM(L, x, false, ap,
                        "[%.16g, %.16g]: low must be below high, both within [%.16g, %.16g] (%s)",
                        sp->lo, sp->hi, lim_lo, lim_hi, what);
            ok = false;
            continue;
        }
        if (!check_sens_ends(L, sp, x, ap)) {
            ok = false;
            continue;
        }
        se->n_params++;
    }
    if (method == BF_SENS_SOBOL && se->n_params > 20) {
        BF__PROBLEM(L, ps, false, "sensitivity.parameters",
                    "Sobol' indices take at most 20 parameters (GSL's sequence has 40 dimensions)");
        ok = false;
    }
    if (ok && !L->doc->oom)
        se->method = method;
    else
        memset(se, 0, sizeof *se);
}

static void load_notes(struct bf__ld *L, const cJSON *root)
{
    struct bf_scenario *sc = L->sc;
    const cJSON *ns = bf__item(root, "notes");
    if (ns == NULL || !bf__want_type(L, ns, "notes", cJSON_Array, "an array of strings"))
        return;
    const cJSON *n;
    int i = 0;
    cJSON_ArrayForEach(n, ns)
    {
        char np[32];
        snprintf(np, sizeof np, "notes[%d]", i++);
        if (sc->n_notes == 16) {
            BF__PROBLEM(L, n, false, np, "at most 16 notes are allowed");
            break;
        }
        if (bf__get_string(L, n, np, sizeof sc->notes[0], sc->notes[sc->n_notes]))
            sc->n_notes++;
    }
}

/* "select" (compose.c): which of the cities listed the scenario keeps. */
void bf__select_cities(struct bf__ld *L, const cJSON *root)
{
    struct bf_scenario *sc = L->sc;
    sc->n_cities_listed = sc->n_cities;
    if (bf__item(root, "select") == NULL || sc->n_cities == 0)
        return;
    L->keep = bf__calloc(sc->n_cities, sizeof *L->keep);
    if (L->keep == NULL) {
        L->doc->oom = true;
        return;
    }
    if (!bf__compose_select(L->doc, root, sc, L->keep)) {
        L->bad = true;
        bf__free(L->keep); /* every city is checked, so that all is reported */
        L->keep = NULL;
        return;
    }
    snprintf(sc->selection, sizeof sc->selection, "select");
}

static void load_root(struct bf__ld *L, const cJSON *root)
{
    struct bf_scenario *sc = L->sc;
    bf__check_keys(L, root, "", bf__top_keys, bf__top_keys_n, "a scenario");
    const cJSON *n;
    if ((n = bf__item(root, "name")) == NULL)
        BF__PROBLEM(L, root, false, "name", "missing: every scenario needs a \"name\"");
    else
        bf__get_name(L, n, "name", sc->name, sizeof sc->name);
    if ((n = bf__item(root, "description")) != NULL)
        bf__get_string(L, n, "description", sizeof sc->description, sc->description);
    if ((n = bf__item(root, "$schema")) != NULL)
        bf__want_type(L, n, "$schema", cJSON_String, "a string");
    uint64_t u;
    sc->replications = 10;
    if ((n = bf__item(root, "replications")) != NULL &&
        bf__get_uint(L, n, "replications", 1, BF_MAX_REPLICATIONS, &u))
        sc->replications = (uint32_t)u;
    sc->seed = 1;
    if ((n = bf__item(root, "seed")) != NULL && bf__get_uint(L, n, "seed", 0, BF__MAX_SEED, &u))
        sc->seed = u;
    sc->rule = BF_RULE_CREATION;
    if ((n = bf__item(root, "rule")) != NULL) {
        static const char *const rules_[] = {"creation", "event", NULL};
        int k;
        if (bf__get_enum(L, n, "rule", rules_, &k))
            sc->rule = (enum bf_regime_rule)k;
    }
    load_horizon(L, root);
    load_finance(L, root);
    load_calendar(L, root);
    describe_years(sc);
    load_notes(L, root);
    const cJSON *ps = bf__load_policies(L, root);

    struct bf_params *base = bf__malloc(sizeof *base);
    if (base == NULL) {
        L->doc->oom = true;
        return;
    }
    bf_params_default(base);
    const cJSON *defs = bf__item(root, "defaults");
    if (defs != NULL)
        bf__apply_sections(L, defs, "defaults", base, BF__SEC_STRUCTURE, NULL, 0, "\"defaults\"");
    bf__load_cities(L, root, ps);
    bf__select_cities(L, root);
    bf__check_effective_dates(L, root);
    bf__check_layers(L, root, ps, base);
    if (!L->doc->oom)
        bf__build_cities(L, root, ps, base);
    if (L->keep != NULL)
        bf__scenario_keep(sc, L->keep);
    /* whole-set checks run even after other problems: all are reported at
     * once (a value that failed keeps its default, which these checks see) */
    if (!L->doc->oom)
        bf__check_cities(L, root);
    if (!L->doc->oom)
        bf__load_sweeps(L, root, base);
    if (!L->doc->oom)
        bf__load_sensitivity(L, root, base);
    bf__free(base);
}

int bf_scenario_policy(const struct bf_scenario *sc, const char *name)
{
    for (uint32_t k = 0; k < sc->n_policies; k++)
        if (strcmp(sc->policy[k].name, name) == 0)
            return (int)k;
    return -1;
}

void bf_scenario_fini(struct bf_scenario *sc)
{
    if (sc->city != NULL)
        for (uint32_t i = 0; i < sc->n_cities; i++)
            bf__free(sc->city[i].params);
    bf__free(sc->city);
    bf_calendar_fini(&sc->cal);
    memset(sc, 0, sizeof *sc);
}

/*
 * "classes" and a policy's "by_class" and "by_city" are looked up by name
 * for every city and every entry: a scan of the object each time, so
 * cities x entries of them -- 1024 cities and a million entries of by_city
 * (14 MB) took 27 s to validate. None can have a use for more entries than
 * there can be cities: beyond BF_MAX_CITIES the object is refused, once,
 * and dropped before anything looks a name up in it.
 */
static void drop_oversized(struct bf__ld *L, cJSON *parent, const char *key, const char *path)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (!cJSON_IsObject(o))
        return;
    int n = 0;
    for (const cJSON *c = o->child; c != NULL; c = c->next)
        n++;
    if (n <= BF_MAX_CITIES)
        return;
    BF__PROBLEM(L, o, false, path,
                "%d entries; at most %d are allowed (one for each city a scenario may have)", n,
                BF_MAX_CITIES);
    cJSON_Delete(cJSON_DetachItemViaPointer(parent, o));
}

static void drop_all_oversized(struct bf__ld *L, cJSON *root)
{
    if (!cJSON_IsObject(root))
        return;
    drop_oversized(L, root, "classes", "classes");
    cJSON *ps = cJSON_GetObjectItemCaseSensitive(root, "policies");
    if (!cJSON_IsObject(ps))
        return;
    for (cJSON *p = ps->child; p != NULL; p = p->next) {
        if (!cJSON_IsObject(p))
            continue;
        char path[BF_TEXT_MAX];
        snprintf(path, sizeof path, "policies.%s.by_class", p->string);
        drop_oversized(L, p, "by_class", path);
        snprintf(path, sizeof path, "policies.%s.by_city", p->string);
        drop_oversized(L, p, "by_city", path);
    }
}

static int finish(struct bf__doc *doc, int rc, struct bf_scenario *sc, const char *file)
{
    struct bf__ld L = {.doc = doc, .sc = sc, .report = true};
    memset(sc, 0, sizeof *sc);
    bf_calendar_init(&sc->cal);
    snprintf(sc->file, sizeof sc->file, "%s", file);
    if (rc == 0) {
        drop_all_oversized(&L, doc->root);
        load_root(&L, doc->root);
        bf__doc_sha256_hex(doc, sc->sha256);
    }
    bf__free((void *)L.eff_node);
    bf__free(L.eff_own);
    bf__free(L.keep);
    if (doc->oom)
        rc = BF_ENOMEM;
    else if (rc == 0 && (L.bad || doc->problems->n > 0))
        rc = BF_EINVAL;
    bf__doc_fini(doc);
    if (rc != 0)
        bf_scenario_fini(sc);
    return rc;
}

int bf_scenario_load(const char *path, struct bf_scenario *sc, struct bf_problems *problems)
{
    struct bf__doc doc = {.problems = problems};
    int rc = bf__doc_load_file(&doc, path);
    return finish(&doc, rc, sc, path);
}

int bf_scenario_load_text(const char *name, const char *text, size_t len, struct bf_scenario *sc,
                          struct bf_problems *problems)
{
    struct bf__doc doc = {.problems = problems};
    int rc = bf__doc_load_text(&doc, name, text, len);
    return finish(&doc, rc, sc, name);
}

/* ---- calibration (borderflow calibrate): a parameter named on the command line ---- */

const char *bf_scenario_suggest(const char *s, const char *const *names, size_t n)
{
    return bf__suggest(s, names, n);
}

int bf_sens_param_resolve(const struct bf_scenario *sc, const char *path, double lo, double hi,
                          struct bf_sens_param *out, char *why, size_t n)
{
    memset(out, 0, sizeof *out);
    out->policy = -1;
    out->lo = lo;
    out->hi = hi;
    snprintf(out->path, sizeof out->path, "%s", path);
    if (sc->n_cities == 0 || strlen(path) >= sizeof out->path ||
        !resolve_param(&sc->city[0].params[sc->baseline], path, &out->proto)) {
        const char *names[128];
        size_t nn = 0;
        for (size_t k = 0; k < bf_param_table_n && nn < 128; k++)
            names[nn++] = bf_param_table[k].path;
        const char *sg = bf__suggest(path, names, nn);
        snprintf(why, n,
                 "'%s' names no parameter%s%s%s (use a path sweeps accept, such as "
                 "\"clearance.screening_h\")",
                 path, sg ? "; did you mean '" : "", sg ? sg : "", sg ? "'?" : "");
        return BF_EINVAL;
    }
    const struct bf_param_info *pi = out->proto.pi;
    if (pi->type == BF_PT_DIST)
        out->kind = BF_SK_FACTOR;
    else if (pi->type == BF_PT_NUMBER || pi->type == BF_PT_PROB || pi->type == BF_PT_UINT)
        out->kind = BF_SK_VALUE;
    else {
        snprintf(why, n,
                 "'%s' is not a number, a share, a whole number or a distribution: it cannot be "
                 "fitted over a range",
                 path);
        return BF_EINVAL;
    }
    double lim_lo = out->kind == BF_SK_FACTOR ? 1e-3 : pi->min;
    double lim_hi = out->kind == BF_SK_FACTOR ? 1e3 : pi->max;
    if (out->kind == BF_SK_VALUE && pi->type == BF_PT_PROB) {
        lim_lo = 0;
        lim_hi = 1;
    }
    const char *what =
        out->kind == BF_SK_FACTOR ? "a factor the distribution is scaled by" : "its value";
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || lo < lim_lo || hi > lim_hi) {
        snprintf(why, n,
                 "%s: [%.16g, %.16g]: LOW must be below HIGH, both within [%.16g, %.16g] (%s)",
                 path, lo, hi, lim_lo, lim_hi, what);
        return BF_EINVAL;
    }
    struct bf_params *tmp = bf__malloc(sizeof *tmp);
    if (tmp == NULL)
        return BF_ENOMEM;
    int rc = 0;
    for (int end = 0; rc == 0 && end < 2; end++)
        for (uint32_t i = 0; rc == 0 && i < sc->n_cities; i++)
            for (uint32_t k = 0; rc == 0 && k < sc->n_policies; k++) {
                struct bf_diag d;
                bf_diag_clear(&d);
                *tmp = sc->city[i].params[k];
                if (out->kind == BF_SK_FACTOR) {
                    const struct bf_dist *dd =
                        (const struct bf_dist *)(const void *)((const unsigned char *)
                                                                   bf_pvalue_base(&out->proto,
                                                                                  tmp) +
                                                               pi->offset);
                    if (dd->kind == BF_DIST_BERNOULLI) {
                        snprintf(why, n, "%s: a bernoulli distribution cannot be scaled", path);
                        rc = BF_EINVAL;
                        break;
                    }
                }
                bf_sens_apply(out, (double)end, tmp);
                const void *b = bf_pvalue_base(&out->proto, tmp);
                if (bf_param_check_value(pi, b, &d) == 0 && bf_params_check(tmp, &d) == 0)
                    continue;
                snprintf(why, n,
                         "%s: at its %s end (%.16g) the rules of city '%s' (policy '%s') are "
                         "invalid: %s",
                         path, end ? "high" : "low", end ? hi : lo, sc->city[i].name,
                         sc->policy[k].name, d.msg);
                rc = BF_EINVAL;
            }
    bf__free(tmp);
    return rc;
}

const void *bf_sens_param_field(const struct bf_sens_param *sp, const struct bf_params *p)
{
    return (const unsigned char *)bf_pvalue_base(&sp->proto, (struct bf_params *)(uintptr_t)p) +
           sp->proto.pi->offset;
}
