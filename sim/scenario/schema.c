/*
 * schema.c - the JSON Schema of scenario files, generated from the
 * parameter tables so that it cannot drift from what the loader accepts.
 * docs/scenario.schema.json is this output; a test keeps them equal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

/* cJSON's Add* helpers return NULL on failure; one flag collects them. */
struct sb {
    bool oom;
};

static cJSON *chk(struct sb *b, cJSON *x)
{
    if (x == NULL)
        b->oom = true;
    return x;
}

static cJSON *obj(struct sb *b, cJSON *parent, const char *key)
{
    cJSON *o = chk(b, cJSON_CreateObject());
    if (o != NULL && parent != NULL && !cJSON_AddItemToObject(parent, key, o)) {
        cJSON_Delete(o);
        b->oom = true;
        return NULL;
    }
    return o;
}

static void str(struct sb *b, cJSON *o, const char *key, const char *v)
{
    if (o != NULL)
        chk(b, cJSON_AddStringToObject(o, key, v));
}

static void num(struct sb *b, cJSON *o, const char *key, double v)
{
    if (o != NULL)
        chk(b, cJSON_AddNumberToObject(o, key, v));
}

static void boolean(struct sb *b, cJSON *o, const char *key, int v)
{
    if (o != NULL)
        chk(b, cJSON_AddBoolToObject(o, key, v));
}

static void ref(struct sb *b, cJSON *parent, const char *key, const char *target)
{
    cJSON *o = obj(b, parent, key);
    str(b, o, "$ref", target);
}

static void strings(struct sb *b, cJSON *o, const char *key, const char *const *v, size_t n)
{
    if (o == NULL)
        return;
    cJSON *a = chk(b, cJSON_CreateStringArray(v, (int)n));
    if (a != NULL && !cJSON_AddItemToObject(o, key, a)) {
        cJSON_Delete(a);
        b->oom = true;
    }
}

static void describe(struct sb *b, cJSON *o, const struct bf_param_info *pi)
{
    char d[512];
    snprintf(d, sizeof d, "%s%s%s%s. Source: %s.", pi->doc, pi->unit[0] ? " (" : "", pi->unit,
             pi->unit[0] ? ")" : "", pi->source);
    str(b, o, "description", d);
}

static void param_schema(struct sb *b, cJSON *props, const char *key,
                         const struct bf_param_info *pi)
{
    cJSON *o = obj(b, props, key);
    if (o == NULL)
        return;
    describe(b, o, pi);
    switch (pi->type) {
    case BF_PT_NUMBER:
    case BF_PT_PROB:
        str(b, o, "type", "number");
        num(b, o, "minimum", pi->min);
        num(b, o, "maximum", pi->max);
        break;
    case BF_PT_UINT:
        str(b, o, "type", "integer");
        num(b, o, "minimum", pi->min);
        num(b, o, "maximum", pi->max);
        break;
    case BF_PT_BOOL:
        str(b, o, "type", "boolean");
        break;
    case BF_PT_ENUM: {
        size_t n = 0;
        while (pi->choices[n] != NULL)
            n++;
        strings(b, o, "enum", pi->choices, n);
        break;
    }
    case BF_PT_DIST:
        str(b, o, "$ref", "#/$defs/distribution");
        break;
    case BF_PT_SCHEDULE:
        str(b, o, "$ref", "#/$defs/schedule");
        break;
    case BF_PT_MONTHS12: {
        str(b, o, "type", "array");
        num(b, o, "minItems", 12);
        num(b, o, "maxItems", 12);
        cJSON *it = obj(b, o, "items");
        str(b, it, "type", "number");
        num(b, it, "minimum", pi->min);
        num(b, it, "maximum", pi->max);
        break;
    }
    case BF_PT_LANE_WEIGHTS: {
        str(b, o, "type", "object");
        cJSON *ap = obj(b, o, "additionalProperties");
        str(b, ap, "type", "number");
        num(b, ap, "minimum", pi->min);
        num(b, ap, "maximum", pi->max);
        break;
    }
    }
}

/* An object whose properties are table entries with prefix. */
static cJSON *table_object(struct sb *b, cJSON *parent, const char *key,
                           const struct bf_param_info *t, size_t n, const char *prefix)
{
    cJSON *o = obj(b, parent, key);
    str(b, o, "type", "object");
    boolean(b, o, "additionalProperties", 0);
    cJSON *props = obj(b, o, "properties");
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < n; i++)
        if (strncmp(t[i].path, prefix, plen) == 0)
            param_schema(b, props, t[i].path + plen, &t[i]);
    return o;
}

static void dist_defs(struct sb *b, cJSON *defs)
{
    cJSON *d = obj(b, defs, "distribution");
    str(b, d, "description",
        "A number (a fixed value) or {\"dist\": kind, parameters}: fixed {value}; uniform "
        "{min, max}; triangular {min, mode, max}; exponential {mean}; lognormal {median, p90} "
        "or {mean, sd} or {mu, sigma}; gamma {mean, cv} or {shape, scale}; weibull {shape, "
        "scale}; empirical {values, weights}; bernoulli {p}.");
    cJSON *one = chk(b, cJSON_CreateArray());
    if (one == NULL || d == NULL || !cJSON_AddItemToObject(d, "oneOf", one)) {
        cJSON_Delete(one);
        b->oom = true;
        return;
    }
    struct form {
        const char *kind;
        const char *keys[3];
        size_t n;
    };
    static const struct form forms[] = {
        {"fixed", {"value"}, 1},
        {"uniform", {"min", "max"}, 2},
        {"triangular", {"min", "mode", "max"}, 3},
        {"exponential", {"mean"}, 1},
        {"lognormal", {"median", "p90"}, 2},
        {"lognormal", {"mean", "sd"}, 2},
        {"lognormal", {"mu", "sigma"}, 2},
        {"gamma", {"mean", "cv"}, 2},
        {"gamma", {"shape", "scale"}, 2},
        {"weibull", {"shape", "scale"}, 2},
        {"bernoulli", {"p"}, 1},
    };
    cJSON *n = chk(b, cJSON_CreateObject());
    if (n != NULL) {
        str(b, n, "type", "number");
        cJSON_AddItemToArray(one, n);
    }
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        cJSON *f = chk(b, cJSON_CreateObject());
        if (f == NULL)
            return;
        cJSON_AddItemToArray(one, f);
        str(b, f, "type", "object");
        boolean(b, f, "additionalProperties", 0);
        const char *req[4] = {"dist"};
        for (size_t k = 0; k < forms[i].n; k++)
            req[k + 1] = forms[i].keys[k];
        strings(b, f, "required", req, forms[i].n + 1);
        cJSON *props = obj(b, f, "properties");
        cJSON *kind = obj(b, props, "dist");
        str(b, kind, "const", forms[i].kind);
        for (size_t k = 0; k < forms[i].n; k++) {
            cJSON *p = obj(b, props, forms[i].keys[k]);
            str(b, p, "type", "number");
        }
    }
    cJSON *e = chk(b, cJSON_CreateObject());
    if (e == NULL)
        return;
    cJSON_AddItemToArray(one, e);
    str(b, e, "type", "object");
    boolean(b, e, "additionalProperties", 0);
    static const char *const ereq[] = {"dist", "values"};
    strings(b, e, "required", ereq, 2);
    cJSON *props = obj(b, e, "properties");
    cJSON *kind = obj(b, props, "dist");
    str(b, kind, "const", "empirical");
    for (int k = 0; k < 2; k++) {
        cJSON *a = obj(b, props, k == 0 ? "values" : "weights");
        str(b, a, "type", "array");
        num(b, a, "minItems", 1);
        num(b, a, "maxItems", BF_DIST_EMPIRICAL_MAX);
        cJSON *it = obj(b, a, "items");
        str(b, it, "type", "number");
    }
}

static void schedule_def(struct sb *b, cJSON *defs)
{
    cJSON *s = obj(b, defs, "schedule");
    str(b, s, "description",
        "\"continuous\", or {\"every\": day|week|month|hours|continuous, \"weekdays\": "
        "[mon..sun] (week), \"day\": 1-31 (month), \"hour\": 0-24, \"interval_h\", "
        "\"phase_h\" (hours), \"days_off\": ignore|skip|next}");
    cJSON *one = chk(b, cJSON_CreateArray());
    if (one == NULL || s == NULL || !cJSON_AddItemToObject(s, "oneOf", one)) {
        cJSON_Delete(one);
        b->oom = true;
        return;
    }
    cJSON *c = chk(b, cJSON_CreateObject());
    if (c == NULL)
        return;
    cJSON_AddItemToArray(one, c);
    str(b, c, "const", "continuous");
    cJSON *o = chk(b, cJSON_CreateObject());
    if (o == NULL)
        return;
    cJSON_AddItemToArray(one, o);
    str(b, o, "type", "object");
    boolean(b, o, "additionalProperties", 0);
    static const char *const req[] = {"every"};
    strings(b, o, "required", req, 1);
    cJSON *props = obj(b, o, "properties");
    static const char *const every[] = {"day", "week", "month", "hours", "continuous"};
    strings(b, obj(b, props, "every"), "enum", every, 5);
    cJSON *wd = obj(b, props, "weekdays");
    str(b, wd, "type", "array");
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    strings(b, obj(b, wd, "items"), "enum", days, 7);
    cJSON *dm = obj(b, props, "day");
    str(b, dm, "type", "integer");
    num(b, dm, "minimum", 1);
    num(b, dm, "maximum", 31);
    cJSON *h = obj(b, props, "hour");
    str(b, h, "type", "number");
    num(b, h, "minimum", 0);
    num(b, h, "exclusiveMaximum", 24);
    str(b, obj(b, props, "interval_h"), "type", "number");
    str(b, obj(b, props, "phase_h"), "type", "number");
    static const char *const off[] = {"ignore", "skip", "next"};
    strings(b, obj(b, props, "days_off"), "enum", off, 3);
}

/* The parameter sections, as properties of `props`. */
static void sections(struct sb *b, cJSON *props, int allow_null)
{
    static const char *const sec[] = {"arrivals",  "clearance", "port",
                                      "warehouse", "returns",   "rebate"};
    for (size_t i = 0; i < 6; i++)
        ref(b, props, sec[i],
            i == 0             ? "#/$defs/arrivals"
            : sec[i][0] == 'c' ? "#/$defs/clearance"
            : sec[i][0] == 'p' ? "#/$defs/port"
            : sec[i][0] == 'w' ? "#/$defs/warehouse"
            : sec[i][2] == 't' ? "#/$defs/returns"
                               : "#/$defs/rebate");
    const char *kinds[2][2] = {{"categories", "#/$defs/category"}, {"lanes", "#/$defs/lane"}};
    for (int k = 0; k < 2; k++) {
        cJSON *o = obj(b, props, kinds[k][0]);
        str(b, o, "type", "object");
        cJSON *ap = obj(b, o, "additionalProperties");
        if (allow_null) {
            cJSON *one = chk(b, cJSON_CreateArray());
            if (one == NULL || ap == NULL || !cJSON_AddItemToObject(ap, "oneOf", one)) {
                cJSON_Delete(one);
                b->oom = true;
                continue;
            }
            cJSON *r = chk(b, cJSON_CreateObject());
            cJSON *nl = chk(b, cJSON_CreateObject());
            if (r == NULL || nl == NULL) {
                cJSON_Delete(r);
                cJSON_Delete(nl);
                continue;
            }
            str(b, r, "$ref", kinds[k][1]);
            str(b, nl, "type", "null");
            cJSON_AddItemToArray(one, r);
            cJSON_AddItemToArray(one, nl);
        } else {
            str(b, ap, "$ref", kinds[k][1]);
        }
    }
    cJSON *ch = obj(b, props, "channels");
    str(b, ch, "type", "object");
    boolean(b, ch, "additionalProperties", 0);
    cJSON *cp = obj(b, ch, "properties");
    for (int c = 0; c < BF_CH_COUNT; c++)
        ref(b, cp, bf_channel_code((enum bf_channel)c), "#/$defs/channel");
}

int bf_scenario_write_schema(char **out, size_t *len)
{
    struct sb b = {0};
    cJSON *root = obj(&b, NULL, NULL);
    str(&b, root, "$schema", "https://json-schema.org/draft/2020-12/schema");
    str(&b, root, "title", "borderflow scenario");
    str(&b, root, "description",
        "A borderflow scenario: horizon, finance, calendar, default parameters, cities, "
        "policies and sweeps. See docs/scenarios.md.");
    str(&b, root, "type", "object");
    boolean(&b, root, "additionalProperties", 0);
    /* a file that "extends" another gets horizon, cities and policies from
     * it: require them only of files that extend nothing */
    static const char *const req[] = {"name"};
    strings(&b, root, "required", req, 1);
    cJSON *any = chk(&b, cJSON_CreateArray());
    if (any != NULL && root != NULL && cJSON_AddItemToObject(root, "anyOf", any)) {
        static const char *const ext_req[] = {"extends"};
        static const char *const own_req[] = {"horizon", "cities", "policies"};
        cJSON *e = chk(&b, cJSON_CreateObject()), *o = chk(&b, cJSON_CreateObject());
        if (e != NULL)
            cJSON_AddItemToArray(any, e);
        if (o != NULL)
            cJSON_AddItemToArray(any, o);
        strings(&b, e, "required", ext_req, 1);
        strings(&b, o, "required", own_req, 3);
    } else {
        cJSON_Delete(any);
        b.oom = true;
    }
    cJSON *props = obj(&b, root, "properties");
    str(&b, obj(&b, props, "$schema"), "type", "string");
    cJSON *name = obj(&b, props, "name");
    str(&b, name, "type", "string");
    num(&b, name, "minLength", 1);
    num(&b, name, "maxLength", 63);
    str(&b, obj(&b, props, "description"), "type", "string");
    cJSON *ext = obj(&b, props, "extends");
    str(&b, ext, "type", "string");
    str(&b, ext, "description",
        "another scenario file, relative to this one, that this one changes");
    cJSON *h = obj(&b, props, "horizon");
    str(&b, h, "type", "object");
    boolean(&b, h, "additionalProperties", 0);
    static const char *const hreq[] = {"window"};
    strings(&b, h, "required", hreq, 1);
    cJSON *hp = obj(&b, h, "properties");
    cJSON *win = obj(&b, hp, "window");
    str(&b, win, "type", "object");
    str(&b, win, "description",
        "the measurement window: every metric is taken from its first to its last day");
    boolean(&b, win, "additionalProperties", 0);
    static const char *const wreq[] = {"start", "end"};
    strings(&b, win, "required", wreq, 2);
    cJSON *wp = obj(&b, win, "properties");
    for (int i = 0; i < 2; i++) {
        cJSON *st = obj(&b, wp, i == 0 ? "start" : "end");
        str(&b, st, "type", "string");
        str(&b, st, "pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
        str(&b, st, "description", i == 0 ? "first day of the window" : "last day of the window");
    }
    const char *hk[2] = {"warmup_days", "tail_days"};
    const double hmax[2] = {BF_MAX_WARMUP_DAYS, BF_MAX_TAIL_DAYS};
    const char *hdoc[2] = {
        "days the run starts before the window, with an empty pipeline (default 365)",
        "days the run goes on after the window, so that its shipments complete (default 365)"};
    for (int i = 0; i < 2; i++) {
        cJSON *x = obj(&b, hp, hk[i]);
        str(&b, x, "type", "integer");
        num(&b, x, "minimum", 0);
        num(&b, x, "maximum", hmax[i]);
        str(&b, x, "description", hdoc[i]);
    }
    cJSON *r = obj(&b, props, "replications");
    str(&b, r, "type", "integer");
    num(&b, r, "minimum", 1);
    num(&b, r, "maximum", BF_MAX_REPLICATIONS);
    cJSON *sd = obj(&b, props, "seed");
    str(&b, sd, "type", "integer");
    num(&b, sd, "minimum", 0);
    num(&b, sd, "maximum", 9007199254740992.0);
    cJSON *fin = obj(&b, props, "finance");
    str(&b, fin, "type", "object");
    boolean(&b, fin, "additionalProperties", 0);
    cJSON *fp = obj(&b, fin, "properties");
    for (int i = 0; i < 2; i++) {
        cJSON *x = obj(&b, fp, i == 0 ? "financing_rate" : "discount_rate");
        str(&b, x, "type", "number");
        num(&b, x, "minimum", 0);
        num(&b, x, "maximum", 1);
        str(&b, x, "description",
            "annual rate (default 0.06, assumption in 3.5%-12%, docs/sources.md X38)");
    }
    static const char *const cny[] = {"CNY"};
    strings(&b, obj(&b, fp, "currency"), "enum", cny, 1);
    cJSON *cal = obj(&b, props, "calendar");
    str(&b, cal, "type", "object");
    boolean(&b, cal, "additionalProperties", 0);
    cJSON *calp = obj(&b, cal, "properties");
    str(&b, obj(&b, calp, "builtin"), "type", "boolean");
    cJSON *proj = obj(&b, calp, "project");
    str(&b, proj, "type", "boolean");
    str(&b, proj, "description",
        "project the statutory holidays into years without a notice (default true; "
        "docs/calendar.md)");
    cJSON *yrs = obj(&b, calp, "years");
    str(&b, yrs, "type", "object");
    cJSON *yp = obj(&b, yrs, "patternProperties");
    cJSON *y = obj(&b, yp, "^[0-9]{4}$");
    str(&b, y, "type", "object");
    boolean(&b, y, "additionalProperties", 0);
    cJSON *yprops = obj(&b, y, "properties");
    for (int i = 0; i < 2; i++) {
        cJSON *a = obj(&b, yprops, i == 0 ? "off" : "work");
        str(&b, a, "type", "array");
        cJSON *it = obj(&b, a, "items");
        str(&b, it, "type", "string");
        str(&b, it, "pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    }
    boolean(&b, yrs, "additionalProperties", 0);
    static const char *const rules_[] = {"creation", "event"};
    strings(&b, obj(&b, props, "rule"), "enum", rules_, 2);
    ref(&b, props, "defaults", "#/$defs/defaults");
    cJSON *cls = obj(&b, props, "classes");
    str(&b, cls, "type", "object");
    str(&b, obj(&b, cls, "additionalProperties"), "$ref", "#/$defs/class");
    cJSON *sel = obj(&b, props, "select");
    str(&b, sel, "type", "object");
    str(&b, sel, "description",
        "the cities kept: any named, or of a class or province named (docs/scenarios.md, "
        "Extends)");
    boolean(&b, sel, "additionalProperties", 0);
    cJSON *selp = obj(&b, sel, "properties");
    static const char *const sel_keys[] = {"cities", "classes", "provinces"};
    for (int i = 0; i < 3; i++) {
        cJSON *a = obj(&b, selp, sel_keys[i]);
        str(&b, a, "type", "array");
        num(&b, a, "maxItems", BF_MAX_CITIES);
        cJSON *it = obj(&b, a, "items");
        str(&b, it, "type", "string");
        num(&b, it, "minLength", 1);
    }
    cJSON *cities = obj(&b, props, "cities");
    str(&b, cities, "type", "array");
    num(&b, cities, "minItems", 1);
    num(&b, cities, "maxItems", BF_MAX_CITIES);
    str(&b, obj(&b, cities, "items"), "$ref", "#/$defs/city");
    cJSON *pol = obj(&b, props, "policies");
    str(&b, pol, "type", "object");
    num(&b, pol, "minProperties", 1);
    num(&b, pol, "maxProperties", BF_MAX_POLICIES);
    str(&b, obj(&b, pol, "additionalProperties"), "$ref", "#/$defs/policy");
    cJSON *cmp = obj(&b, props, "compare");
    str(&b, cmp, "type", "array");
    num(&b, cmp, "minItems", 2);
    num(&b, cmp, "maxItems", BF_MAX_POLICIES); /* the baseline, then each compared */
    boolean(&b, cmp, "uniqueItems", 1);
    str(&b, obj(&b, cmp, "items"), "type", "string");
    cJSON *sw = obj(&b, props, "sweeps");
    str(&b, sw, "type", "array");
    num(&b, sw, "maxItems", BF_MAX_SWEEPS);
    cJSON *swi = obj(&b, sw, "items");
    str(&b, swi, "type", "object");
    boolean(&b, swi, "additionalProperties", 0);
    static const char *const swreq[] = {"name", "path", "values"};
    strings(&b, swi, "required", swreq, 3);
    cJSON *swp = obj(&b, swi, "properties");
    str(&b, obj(&b, swp, "name"), "type", "string");
    str(&b, obj(&b, swp, "path"), "type", "string");
    str(&b, obj(&b, swp, "policy"), "type", "string");
    cJSON *vals = obj(&b, swp, "values");
    str(&b, vals, "type", "array");
    num(&b, vals, "minItems", 1);
    num(&b, vals, "maxItems", BF_MAX_SWEEP_VALUES);
    cJSON *se = obj(&b, props, "sensitivity");
    str(&b, se, "type", "object");
    str(&b, se, "description",
        "global sensitivity: Morris or Sobol' over the parameters' ranges (docs/uncertainty.md)");
    boolean(&b, se, "additionalProperties", 0);
    static const char *const sereq[] = {"method", "parameters"};
    strings(&b, se, "required", sereq, 2);
    cJSON *sep = obj(&b, se, "properties");
    static const char *const semethods[] = {"morris", "sobol"};
    strings(&b, obj(&b, sep, "method"), "enum", semethods, 2);
    static const char *const seints[][2] = {{"trajectories", "2"},
                                            {"levels", "2"},
                                            {"samples", "2"},
                                            {"seed", "0"},
                                            {"bootstrap", "0"}};
    static const double semax[] = {1000, 16, 4096, 4294967295.0, 100000};
    for (int k = 0; k < 5; k++) {
        cJSON *o = obj(&b, sep, seints[k][0]);
        str(&b, o, "type", "integer");
        num(&b, o, "minimum", atof(seints[k][1]));
        num(&b, o, "maximum", semax[k]);
    }
    cJSON *sepa = obj(&b, sep, "parameters");
    str(&b, sepa, "type", "array");
    num(&b, sepa, "minItems", 1);
    num(&b, sepa, "maxItems", BF_MAX_SENS_PARAMS);
    cJSON *sepi = obj(&b, sepa, "items");
    str(&b, sepi, "type", "object");
    boolean(&b, sepi, "additionalProperties", 0);
    static const char *const sepreq[] = {"path", "range"};
    strings(&b, sepi, "required", sepreq, 2);
    cJSON *sepp = obj(&b, sepi, "properties");
    str(&b, obj(&b, sepp, "path"), "type", "string");
    str(&b, obj(&b, sepp, "policy"), "type", "string");
    cJSON *rng = obj(&b, sepp, "range");
    str(&b, rng, "type", "array");
    num(&b, rng, "minItems", 2);
    num(&b, rng, "maxItems", 2);
    str(&b, obj(&b, rng, "items"), "type", "number");
    cJSON *notes = obj(&b, props, "notes");
    str(&b, notes, "type", "array");
    num(&b, notes, "maxItems", 16);
    str(&b, obj(&b, notes, "items"), "type", "string");

    cJSON *defs = obj(&b, root, "$defs");
    dist_defs(&b, defs);
    schedule_def(&b, defs);
    table_object(&b, defs, "arrivals", bf_param_table, bf_param_table_n, "arrivals.");
    table_object(&b, defs, "clearance", bf_param_table, bf_param_table_n, "clearance.");
    table_object(&b, defs, "port", bf_param_table, bf_param_table_n, "port.");
    table_object(&b, defs, "warehouse", bf_param_table, bf_param_table_n, "warehouse.");
    table_object(&b, defs, "returns", bf_param_table, bf_param_table_n, "returns.");
    table_object(&b, defs, "rebate", bf_param_table, bf_param_table_n, "rebate.");
    table_object(&b, defs, "category", bf_category_table, bf_category_table_n, "");
    table_object(&b, defs, "lane", bf_lane_table, bf_lane_table_n, "");
    table_object(&b, defs, "channel", bf_channel_table, bf_channel_table_n, "");
    for (int k = 0; k < 5; k++) {
        static const char *const names[] = {"defaults", "params", "city", "policy", "class"};
        cJSON *o = obj(&b, defs, names[k]);
        str(&b, o, "type", "object");
        boolean(&b, o, "additionalProperties", 0);
        cJSON *p = obj(&b, o, "properties");
        sections(&b, p, k == 0);
        if (k == 2) {
            static const char *const creq[] = {"name"};
            strings(&b, o, "required", creq, 1);
            str(&b, obj(&b, p, "name"), "type", "string");
            cJSON *zh = obj(&b, p, "name_zh");
            str(&b, zh, "type", "string");
            str(&b, zh, "description",
                "the city's name in Chinese (for example 杭州), shown with its name in charts and "
                "tables");
            str(&b, obj(&b, p, "province"), "type", "string");
            str(&b, obj(&b, p, "class"), "type", "string");
            str(&b, obj(&b, p, "candidate"), "type", "boolean");
            str(&b, obj(&b, p, "note"), "type", "string");
            cJSON *ed = obj(&b, p, "effective_date");
            str(&b, ed, "type", "string");
            str(&b, ed, "pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
            cJSON *spd = obj(&b, p, "shipments_per_day");
            str(&b, spd, "type", "number");
            num(&b, spd, "minimum", bf_param_table[0].min);
            num(&b, spd, "maximum", bf_param_table[0].max);
            static const char *const annual[] = {"annual_export_cost_cny", "annual_export_fob_cny"};
            for (int i = 0; i < 2; i++) {
                cJSON *av = obj(&b, p, annual[i]);
                str(&b, av, "type", "number");
                num(&b, av, "exclusiveMinimum", 0);
                num(&b, av, "maximum", 1e15);
                str(&b, av, "description",
                    i == 0 ? "the city's exports a year at cost (purchase cost with VAT), CNY, "
                             "instead of shipments_per_day"
                           : "the city's exports a year FOB (cost x fob_multiple), CNY, instead "
                             "of shipments_per_day");
            }
            cJSON *mix = obj(&b, p, "channel_mix");
            str(&b, mix, "type", "object");
            boolean(&b, mix, "additionalProperties", 0);
            cJSON *mp = obj(&b, mix, "properties");
            for (int c = 0; c < BF_CH_COUNT; c++)
                str(&b, obj(&b, mp, bf_channel_code((enum bf_channel)c)), "type", "number");
        }
        if (k >= 2) {
            cJSON *add = obj(&b, p, "add");
            str(&b, add, "type", "boolean");
            str(&b, add, "description",
                "true: new in this file, not in the scenario it extends (docs/scenarios.md, "
                "Extends)");
        }
        if (k == 3) {
            cJSON_DeleteItemFromObjectCaseSensitive(p, "arrivals");
            str(&b, obj(&b, p, "description"), "type", "string");
            cJSON *ed = obj(&b, p, "effective_date");
            str(&b, ed, "type", "string");
            str(&b, ed, "pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
            for (int i = 0; i < 2; i++) {
                cJSON *by = obj(&b, p, i == 0 ? "by_class" : "by_city");
                str(&b, by, "type", "object");
                str(&b, obj(&b, by, "additionalProperties"), "$ref", "#/$defs/params");
            }
        }
    }
    if (b.oom || root == NULL) {
        cJSON_Delete(root);
        return BF_ENOMEM;
    }
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    if (txt == NULL)
        return BF_ENOMEM;
    /* cJSON prints with tabs; the file gets a final newline */
    size_t n = strlen(txt);
    char *res = bf__malloc(n + 2);
    if (res == NULL) {
        cJSON_free(txt);
        return BF_ENOMEM;
    }
    memcpy(res, txt, n);
    res[n] = '\n';
    res[n + 1] = '\0';
    cJSON_free(txt);
    *out = res;
    *len = n + 1;
    return 0;
}
