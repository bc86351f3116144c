/*
 * values.c - typed values read from a scenario's JSON, each checked where it
 * is written, with a located problem when wrong: numbers, whole numbers,
 * texts and names (CSV cells), dates, choices, distributions (by the forms
 * of dist_forms.c), schedules, and one parameter's value by its table entry.
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
    bf__check_keys(L, n, path, bf__schedule_keys, bf__schedule_keys_n, "a schedule");
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
    if (!bf__get_enum(L, e, p2, bf__every_names, &every))
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
                if (bf__get_enum(L, w, wp, bf__weekday_names, &k))
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
            if (bf__get_enum(L, m, mp, bf__dayoff_names, &k))
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
