/*
 * schema.c - the JSON Schema of scenario files, generated from the
 * parameter tables so that it cannot drift from what the loader accepts.
 * docs/scenario.schema.json is this output; a test keeps them equal.
 */
#include <math.h>
#include <stdarg.h>
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

/* A date: the format, and a pattern for validators that do not check
 * formats (a pattern cannot reject 30 February; the format can). */
static void date(struct sb *b, cJSON *o)
{
    str(b, o, "type", "string");
    str(b, o, "format", "date");
    str(b, o, "pattern", BF__DATE_PATTERN);
}

/* A text that may be a CSV cell (values.c, cell_problem), of at most max
 * characters (the loader counts bytes: a Chinese character is 3), and at
 * least one when it is a name. */
static void cell(struct sb *b, cJSON *o, size_t max, bool name)
{
    str(b, o, "type", "string");
    if (name)
        num(b, o, "minLength", 1);
    num(b, o, "maxLength", (double)max);
    str(b, o, "pattern", BF__CELL_PATTERN);
}

static void policy_name(struct sb *b, cJSON *o)
{
    str(b, o, "type", "string");
    num(b, o, "minLength", 1);
    num(b, o, "maxLength", BF__POLICY_NAME_MAX);
    str(b, o, "pattern", BF__POLICY_NAME_PATTERN);
}

/* The number of names before the NULL that ends v. */
static size_t count(const char *const *v)
{
    size_t n = 0;
    while (v[n] != NULL)
        n++;
    return n;
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

/* The bound of a number, as keywords of o. */
static void bound(struct sb *b, cJSON *o, const struct bf__bound *bd)
{
    if (isfinite(bd->min))
        num(b, o, bd->min_excl ? "exclusiveMinimum" : "minimum", bd->min);
    if (isfinite(bd->max))
        num(b, o, "maximum", bd->max);
}

static cJSON *array_of(struct sb *b, cJSON *parent, const char *key)
{
    cJSON *a = chk(b, cJSON_CreateArray());
    if (a != NULL && (parent == NULL || !cJSON_AddItemToObject(parent, key, a))) {
        cJSON_Delete(a);
        b->oom = true;
        return NULL;
    }
    return a;
}

static cJSON *push(struct sb *b, cJSON *array)
{
    cJSON *o = chk(b, cJSON_CreateObject());
    if (o != NULL && (array == NULL || !cJSON_AddItemToArray(array, o))) {
        cJSON_Delete(o);
        b->oom = true;
        return NULL;
    }
    return o;
}

/* One key of a form, as a property of props. */
static void form_key(struct sb *b, cJSON *props, const struct bf__dist_form *f, unsigned j)
{
    cJSON *p = obj(b, props, f->key[j].name);
    if (f->arrays) {
        str(b, p, "type", "array");
        num(b, p, "minItems", 1);
        num(b, p, "maxItems", BF_DIST_EMPIRICAL_MAX);
        p = obj(b, p, "items");
    }
    str(b, p, "type", "number");
    bound(b, p, &f->key[j].bound);
}

/*
 * The distribution of a parameter, from the table of forms (dist_forms.c):
 * a number >= 0, or an object whose "dist" picks, by if/then, the keys and
 * bounds of its kind -- so that a validator names the key that is wrong or
 * missing rather than saying that no alternative fits. A kind with several
 * forms takes the keys of one: each key requires the rest of its form and
 * forbids the other forms' keys.
 */
static void dist_defs(struct sb *b, cJSON *defs)
{
    cJSON *d = obj(b, defs, "distribution");
    char desc[1024];
    size_t u = (size_t)snprintf(desc, sizeof desc,
                                "A number >= 0 (a fixed value) or {\"dist\": kind, parameters}:");
    const char *kinds[BF_DIST__COUNT];
    size_t nk = 0;
    for (size_t i = 0; i < bf__dist_forms_n; i++) {
        const struct bf__dist_form *f = &bf__dist_forms[i];
        if (!bf__dist_kind_in_params(f->kind))
            continue;
        const char *name = bf_dist_kind_name(f->kind);
        bool again = nk > 0 && strcmp(kinds[nk - 1], name) == 0;
        if (!again)
            kinds[nk++] = name;
        u += (size_t)snprintf(desc + u, sizeof desc - u, again ? " or {" : "%s %s {",
                              nk > 1 ? ";" : "", name);
        for (unsigned j = 0; j < f->n_keys; j++)
            u += (size_t)snprintf(desc + u, sizeof desc - u, "%s%s%s", j ? ", " : "",
                                  f->key[j].name, j >= f->n_required ? " (optional)" : "");
        u += (size_t)snprintf(desc + u, sizeof desc - u, "}");
    }
    snprintf(desc + u, sizeof desc - u, ". Values are durations or amounts: >= 0.");
    str(b, d, "description", desc);
    static const char *const types[] = {"number", "object"};
    strings(b, d, "type", types, 2);
    num(b, d, "minimum", 0);
    static const char *const req[] = {"dist"};
    strings(b, d, "required", req, 1);
    strings(b, obj(b, obj(b, d, "properties"), "dist"), "enum", kinds, nk);
    cJSON *all = array_of(b, d, "allOf");
    for (size_t k = 0; k < nk; k++) {
        cJSON *rule = push(b, all);
        cJSON *cond = obj(b, rule, "if");
        str(b, cond, "type", "object");
        strings(b, cond, "required", req, 1);
        str(b, obj(b, obj(b, cond, "properties"), "dist"), "const", kinds[k]);
        cJSON *then = obj(b, rule, "then");
        boolean(b, then, "additionalProperties", 0);
        cJSON *props = obj(b, then, "properties");
        chk(b, cJSON_AddTrueToObject(props, "dist"));
        const struct bf__dist_form *forms[4];
        unsigned n_forms = 0;
        for (size_t i = 0; i < bf__dist_forms_n; i++)
            if (strcmp(bf_dist_kind_name(bf__dist_forms[i].kind), kinds[k]) == 0 && n_forms < 4)
                forms[n_forms++] = &bf__dist_forms[i];
        for (unsigned i = 0; i < n_forms; i++)
            for (unsigned j = 0; j < forms[i]->n_keys; j++)
                if (cJSON_GetObjectItemCaseSensitive(props, forms[i]->key[j].name) == NULL)
                    form_key(b, props, forms[i], j);
        if (n_forms == 1) {
            const char *r[4] = {"dist"};
            for (unsigned j = 0; j < forms[0]->n_required; j++)
                r[j + 1] = forms[0]->key[j].name;
            strings(b, then, "required", r, forms[0]->n_required + 1);
            continue;
        }
        num(b, then, "minProperties", 2); /* "dist" and a form */
        cJSON *dep = obj(b, then, "dependentSchemas");
        for (unsigned i = 0; i < n_forms; i++)
            for (unsigned j = 0; j < forms[i]->n_keys; j++) {
                cJSON *ds = obj(b, dep, forms[i]->key[j].name);
                const char *r[3];
                for (unsigned m = 0; m < forms[i]->n_required; m++)
                    r[m] = forms[i]->key[m].name;
                strings(b, ds, "required", r, forms[i]->n_required);
                cJSON *no = obj(b, ds, "properties");
                for (unsigned o = 0; o < n_forms; o++)
                    for (unsigned m = 0; o != i && m < forms[o]->n_keys; m++) {
                        bool mine = false;
                        for (unsigned q = 0; q < forms[i]->n_keys; q++)
                            mine =
                                mine || strcmp(forms[i]->key[q].name, forms[o]->key[m].name) == 0;
                        if (!mine &&
                            cJSON_GetObjectItemCaseSensitive(no, forms[o]->key[m].name) == NULL)
                            chk(b, cJSON_AddFalseToObject(no, forms[o]->key[m].name));
                    }
            }
    }
}

static void schedule_def(struct sb *b, cJSON *defs)
{
    cJSON *s = obj(b, defs, "schedule");
    str(b, s, "description",
        "\"continuous\", or {\"every\": day|week|month|hours|continuous, \"weekdays\": "
        "[mon..sun] (week), \"day\": 1-31 (month), \"hour\": 0-24, \"interval_h\", "
        "\"phase_h\" (hours), \"days_off\": ignore|skip|next}");
    /* by if/then/else rather than oneOf, so that a wrong key is named */
    str(b, obj(b, s, "if"), "type", "string");
    str(b, obj(b, s, "then"), "const", "continuous");
    cJSON *o = obj(b, s, "else");
    str(b, o, "type", "object");
    boolean(b, o, "additionalProperties", 0);
    static const char *const req[] = {"every"};
    strings(b, o, "required", req, 1);
    cJSON *props = obj(b, o, "properties");
    strings(b, obj(b, props, "every"), "enum", bf__every_names, count(bf__every_names));
    cJSON *wd = obj(b, props, "weekdays");
    str(b, wd, "type", "array");
    strings(b, obj(b, wd, "items"), "enum", bf__weekday_names, count(bf__weekday_names));
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
    strings(b, obj(b, props, "days_off"), "enum", bf__dayoff_names, count(bf__dayoff_names));
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
        cell(b, obj(b, o, "propertyNames"), BF_NAME_MAX - 1, true);
        cJSON *ap = obj(b, o, "additionalProperties");
        if (allow_null) {
            /* null removes one; by if/then/else rather than oneOf, so
             * that a wrong key is named */
            str(b, obj(b, ap, "if"), "type", "object");
            str(b, obj(b, ap, "then"), "$ref", kinds[k][1]);
            str(b, obj(b, ap, "else"), "type", "null");
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

/* The tables a sweep path names, as the loader resolves it (sweeps.c,
 * resolve_param): a parameter's path, or a category's, a lane's or a
 * channel's field under its name. */
struct path_table {
    const char *head; /* regex of "categories.<name>." and the like; NULL: none */
    const struct bf_param_info *t;
    size_t n;
};

static size_t path_tables(struct path_table out[4])
{
    /* the channels' codes, from the table the loader reads them from */
    static char ch[96];
    size_t u = (size_t)snprintf(ch, sizeof ch, "channels\\.(");
    for (int c = 0; c < BF_CH_COUNT; c++)
        u += (size_t)snprintf(ch + u, sizeof ch - u, "%s%s", c ? "|" : "",
                              bf_channel_code((enum bf_channel)c));
    snprintf(ch + u, sizeof ch - u, ")\\.");
    out[0] = (struct path_table){NULL, bf_param_table, bf_param_table_n};
    out[1] = (struct path_table){"categories\\.[^.]+\\.", bf_category_table, bf_category_table_n};
    out[2] = (struct path_table){"lanes\\.[^.]+\\.", bf_lane_table, bf_lane_table_n};
    out[3] = (struct path_table){ch, bf_channel_table, bf_channel_table_n};
    return 4;
}

/* A parameter's path with its dots escaped, into out (size bytes). */
static size_t escaped(char *out, size_t size, const char *path)
{
    size_t u = 0;
    for (const char *c = path; *c && u + 3 < size; c++) {
        if (*c == '.')
            out[u++] = '\\';
        out[u++] = *c;
    }
    out[u] = '\0';
    return u;
}

/* The regex of table t's i-th field under head (whole string). */
static void field_regex(char *out, size_t size, const struct path_table *t, size_t i)
{
    size_t u = (size_t)snprintf(out, size, "^%s", t->head ? t->head : "");
    u += escaped(out + u, size - u, t->t[i].path);
    snprintf(out + u, size - u, "$");
}

static void sweep_path(struct sb *b, cJSON *o)
{
    struct path_table tabs[4];
    size_t nt = path_tables(tabs);
    size_t cap = 16;
    for (size_t k = 0; k < nt; k++)
        for (size_t i = 0; i < tabs[k].n; i++)
            cap += 2 * strlen(tabs[k].t[i].path) + 64;
    char *re = bf__malloc(cap);
    if (re == NULL) {
        b->oom = true;
        return;
    }
    size_t u = (size_t)snprintf(re, cap, "^(");
    for (size_t k = 0; k < nt; k++)
        for (size_t i = 0; i < tabs[k].n; i++) {
            u += (size_t)snprintf(re + u, cap - u, "%s%s", u > 2 ? "|" : "",
                                  tabs[k].head ? tabs[k].head : "");
            u += escaped(re + u, cap - u, tabs[k].t[i].path);
        }
    snprintf(re + u, cap - u, ")$");
    str(b, o, "type", "string");
    str(b, o, "description",
        "the parameter swept: a path such as \"rebate.processing_wd\", "
        "\"categories.general.rebate_rate\" or \"channels.9810.trigger\"");
    str(b, o, "pattern", re);
    bf__free(re);
}

/* Each value of a sweep is a value of the parameter its path names. */
static void sweep_values(struct sb *b, cJSON *item)
{
    struct path_table tabs[4];
    size_t nt = path_tables(tabs);
    cJSON *all = array_of(b, item, "allOf");
    static const char *const req[] = {"path"};
    for (size_t k = 0; k < nt; k++)
        for (size_t i = 0; i < tabs[k].n; i++) {
            cJSON *rule = push(b, all);
            cJSON *cond = obj(b, rule, "if");
            strings(b, cond, "required", req, 1);
            cJSON *path = obj(b, obj(b, cond, "properties"), "path");
            char re[256];
            if (tabs[k].head == NULL) {
                str(b, path, "const", tabs[k].t[i].path);
            } else {
                field_regex(re, sizeof re, &tabs[k], i);
                str(b, path, "pattern", re);
            }
            cJSON *vals = obj(b, obj(b, obj(b, rule, "then"), "properties"), "values");
            param_schema(b, vals, "items", &tabs[k].t[i]);
        }
}

/* Whether props has exactly the keys of a[] and b[] but skip (NULL for
 * none): what the loader's key lists (keys.c) allow. */
static bool describes(const cJSON *props, const char *const *a, size_t na, const char *const *b,
                      size_t nb, const char *skip)
{
    int n = 0;
    for (size_t i = 0; i < na + nb; i++) {
        const char *k = i < na ? a[i] : b[i - na];
        if (skip != NULL && strcmp(k, skip) == 0)
            continue;
        if (cJSON_GetObjectItemCaseSensitive(props, k) == NULL)
            return false;
        n++;
    }
    return cJSON_GetArraySize(props) == n;
}

/* The node at the path of keys (NULL-terminated) under o, or NULL. */
static const cJSON *at(const cJSON *o, ...)
{
    va_list ap;
    va_start(ap, o);
    for (const char *k; o != NULL && (k = va_arg(ap, const char *)) != NULL;)
        o = cJSON_GetObjectItemCaseSensitive(o, k);
    va_end(ap);
    return o;
}

/* The schema names every key the loader allows, and no other. */
static void check_keys(const cJSON *root)
{
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(root, "$defs");
#define PROPS(o)  cJSON_GetObjectItemCaseSensitive((o), "properties")
#define DEF(name) PROPS(cJSON_GetObjectItemCaseSensitive(defs, (name)))
    BF_ASSERT(describes(PROPS(root), bf__top_keys, bf__top_keys_n, NULL, 0, NULL));
    BF_ASSERT(describes(DEF("defaults"), bf__section_keys, bf__section_keys_n, NULL, 0, NULL));
    BF_ASSERT(describes(DEF("class"), bf__section_keys, bf__section_keys_n, bf__class_keys,
                        bf__class_keys_n, NULL));
    BF_ASSERT(describes(DEF("city"), bf__section_keys, bf__section_keys_n, bf__city_keys,
                        bf__city_keys_n, NULL));
    /* a policy cannot change the arrivals (BF__SEC_NO_ARRIVALS) */
    BF_ASSERT(describes(DEF("policy"), bf__section_keys, bf__section_keys_n, bf__policy_keys,
                        bf__policy_keys_n, "arrivals"));
    const cJSON *top = PROPS(root);
    static const struct {
        const char *const *keys;
        const size_t *n;
        const char *path[6];
    } objects[] = {
        {bf__horizon_keys, &bf__horizon_keys_n, {"horizon", "properties"}},
        {bf__window_keys, &bf__window_keys_n, {"horizon", "properties", "window", "properties"}},
        {bf__finance_keys, &bf__finance_keys_n, {"finance", "properties"}},
        {bf__calendar_keys, &bf__calendar_keys_n, {"calendar", "properties"}},
        {bf__year_keys,
         &bf__year_keys_n,
         {"calendar", "properties", "years", "patternProperties", BF__YEAR_PATTERN, "properties"}},
        {bf__select_keys, &bf__select_keys_n, {"select", "properties"}},
        {bf__sweep_keys, &bf__sweep_keys_n, {"sweeps", "items", "properties"}},
        {bf__sens_keys, &bf__sens_keys_n, {"sensitivity", "properties"}},
        {bf__sens_param_keys,
         &bf__sens_param_keys_n,
         {"sensitivity", "properties", "parameters", "items", "properties"}},
    };
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        const char *const *q = objects[i].path;
        const cJSON *o = at(top, q[0], q[1], q[2], q[3], q[4], q[5], (const char *)NULL);
        BF_ASSERT(describes(o, objects[i].keys, *objects[i].n, NULL, 0, NULL));
    }
    BF_ASSERT(describes(at(defs, "schedule", "else", "properties", (const char *)NULL),
                        bf__schedule_keys, bf__schedule_keys_n, NULL, 0, NULL));
#undef DEF
#undef PROPS
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
    {
        /* a file that extends another may set any part of anything (the
         * trees are merged); one that does not gives the whole */
        static const char *const ext_req[] = {"extends"};
        static const char *const own_req[] = {"horizon", "cities", "policies"};
        static const char *const hreq[] = {"window"};
        static const char *const wreq[] = {"start", "end"};
        strings(&b, obj(&b, root, "if"), "required", ext_req, 1);
        cJSON *own = obj(&b, root, "else");
        strings(&b, own, "required", own_req, 3);
        cJSON *oh = obj(&b, obj(&b, own, "properties"), "horizon");
        strings(&b, oh, "required", hreq, 1);
        strings(&b, obj(&b, obj(&b, oh, "properties"), "window"), "required", wreq, 2);
        /* "sweeps" (one parameter at a time) or "sensitivity", not both */
        static const char *const both[] = {"sweeps", "sensitivity"};
        cJSON *no = obj(&b, root, "not");
        strings(&b, no, "required", both, 2);
        num(&b, obj(&b, obj(&b, no, "properties"), "sweeps"), "minItems", 1);
    }
    cJSON *props = obj(&b, root, "properties");
    str(&b, obj(&b, props, "$schema"), "type", "string");
    cell(&b, obj(&b, props, "name"), sizeof(((struct bf_scenario *)0)->name) - 1, true);
    str(&b, obj(&b, props, "description"), "type", "string");
    cJSON *ext = obj(&b, props, "extends");
    str(&b, ext, "type", "string");
    str(&b, ext, "description",
        "another scenario file, relative to this one, that this one changes");
    cJSON *h = obj(&b, props, "horizon");
    str(&b, h, "type", "object");
    boolean(&b, h, "additionalProperties", 0);
    cJSON *hp = obj(&b, h, "properties");
    cJSON *win = obj(&b, hp, "window");
    str(&b, win, "type", "object");
    str(&b, win, "description",
        "the measurement window: every metric is taken from its first to its last day");
    boolean(&b, win, "additionalProperties", 0);
    cJSON *wp = obj(&b, win, "properties");
    for (int i = 0; i < 2; i++) {
        cJSON *st = obj(&b, wp, i == 0 ? "start" : "end");
        date(&b, st);
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
    /* exactly: cJSON prints 2^53 as 9.00719925474099e+15, below it */
    cJSON *sdmax = chk(&b, cJSON_CreateRaw(BF__MAX_SEED_TEXT));
    if (sd != NULL && sdmax != NULL && !cJSON_AddItemToObject(sd, "maximum", sdmax)) {
        cJSON_Delete(sdmax);
        b.oom = true;
    }
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
    cJSON *y = obj(&b, yp, BF__YEAR_PATTERN);
    str(&b, y, "type", "object");
    boolean(&b, y, "additionalProperties", 0);
    cJSON *yprops = obj(&b, y, "properties");
    for (int i = 0; i < 2; i++) {
        cJSON *a = obj(&b, yprops, i == 0 ? "off" : "work");
        str(&b, a, "type", "array");
        date(&b, obj(&b, a, "items"));
    }
    boolean(&b, yrs, "additionalProperties", 0);
    static const char *const rules_[] = {"creation", "event"};
    strings(&b, obj(&b, props, "rule"), "enum", rules_, 2);
    ref(&b, props, "defaults", "#/$defs/defaults");
    cJSON *cls = obj(&b, props, "classes");
    str(&b, cls, "type", "object");
    cell(&b, obj(&b, cls, "propertyNames"), sizeof(((struct bf_city *)0)->cls) - 1, true);
    str(&b, obj(&b, cls, "additionalProperties"), "$ref", "#/$defs/class");
    cJSON *sel = obj(&b, props, "select");
    str(&b, sel, "type", "object");
    str(&b, sel, "description",
        "the cities kept: any named, or of a class or province named (docs/scenarios.md, "
        "Extends)");
    boolean(&b, sel, "additionalProperties", 0);
    cJSON *selp = obj(&b, sel, "properties");
    for (size_t i = 0; i < bf__select_keys_n; i++) {
        cJSON *a = obj(&b, selp, bf__select_keys[i]);
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
    policy_name(&b, obj(&b, pol, "propertyNames"));
    str(&b, obj(&b, pol, "additionalProperties"), "$ref", "#/$defs/policy");
    cJSON *cmp = obj(&b, props, "compare");
    str(&b, cmp, "type", "array");
    num(&b, cmp, "minItems", 2);
    num(&b, cmp, "maxItems", BF_MAX_POLICIES); /* the baseline, then each compared */
    boolean(&b, cmp, "uniqueItems", 1);
    policy_name(&b, obj(&b, cmp, "items"));
    cJSON *sw = obj(&b, props, "sweeps");
    str(&b, sw, "type", "array");
    num(&b, sw, "maxItems", BF_MAX_SWEEPS);
    cJSON *swi = obj(&b, sw, "items");
    str(&b, swi, "type", "object");
    boolean(&b, swi, "additionalProperties", 0);
    static const char *const swreq[] = {"name", "path", "values"};
    strings(&b, swi, "required", swreq, 3);
    cJSON *swp = obj(&b, swi, "properties");
    cell(&b, obj(&b, swp, "name"), sizeof(((struct bf_sweep *)0)->name) - 1, true);
    sweep_path(&b, obj(&b, swp, "path"));
    policy_name(&b, obj(&b, swp, "policy"));
    cJSON *vals = obj(&b, swp, "values");
    str(&b, vals, "type", "array");
    num(&b, vals, "minItems", 1);
    num(&b, vals, "maxItems", BF_MAX_SWEEP_VALUES);
    sweep_values(&b, swi);
    cJSON *se = obj(&b, props, "sensitivity");
    str(&b, se, "type", "object");
    str(&b, se, "description",
        "global sensitivity: Morris or Sobol' over the parameters' ranges (docs/uncertainty.md)");
    boolean(&b, se, "additionalProperties", 0);
    static const char *const sereq[] = {"method", "parameters"};
    strings(&b, se, "required", sereq, 2);
    cJSON *sep = obj(&b, se, "properties");
    strings(&b, obj(&b, sep, "method"), "enum", bf__sens_methods, count(bf__sens_methods));
    for (int k = 0; k < BF__SENS_UINTS; k++) {
        cJSON *o = obj(&b, sep, bf__sens_uints[k].key);
        str(&b, o, "type", "integer");
        num(&b, o, "minimum", bf__sens_uints[k].min);
        num(&b, o, "maximum", bf__sens_uints[k].max);
        if (k == BF__SENS_LEVELS)
            num(&b, o, "multipleOf", 2); /* Morris' grid */
        if (k == BF__SENS_BOOTSTRAP) {   /* 0 (no intervals) or enough for one */
            num(&b, obj(&b, o, "if"), "minimum", 1);
            num(&b, obj(&b, o, "then"), "minimum", BF__SENS_BOOTSTRAP_LEAST);
        }
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
    policy_name(&b, obj(&b, sepp, "policy"));
    cJSON *rng = obj(&b, sepp, "range");
    str(&b, rng, "type", "array");
    num(&b, rng, "minItems", 2);
    num(&b, rng, "maxItems", 2);
    str(&b, obj(&b, rng, "items"), "type", "number");
    cJSON *notes = obj(&b, props, "notes");
    str(&b, notes, "type", "array");
    num(&b, notes, "maxItems", BF__MAX_NOTES);
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
            cell(&b, obj(&b, p, "name"), sizeof(((struct bf_city *)0)->name) - 1, true);
            cJSON *zh = obj(&b, p, "name_zh");
            cell(&b, zh, sizeof(((struct bf_city *)0)->name_zh) - 1, false);
            str(&b, zh, "description",
                "the city's name in Chinese (for example 杭州), shown with its name in charts and "
                "tables");
            cell(&b, obj(&b, p, "province"), sizeof(((struct bf_city *)0)->province) - 1, false);
            cell(&b, obj(&b, p, "class"), sizeof(((struct bf_city *)0)->cls) - 1, false);
            str(&b, obj(&b, p, "candidate"), "type", "boolean");
            cell(&b, obj(&b, p, "note"), sizeof(((struct bf_city *)0)->note) - 1, false);
            date(&b, obj(&b, p, "effective_date"));
            cJSON *spd = obj(&b, p, "shipments_per_day");
            str(&b, spd, "type", "number");
            num(&b, spd, "minimum", bf_param_table[0].min);
            num(&b, spd, "maximum", bf_param_table[0].max);
            static const char *const annual[] = {"annual_export_cost_cny", "annual_export_fob_cny"};
            for (int i = 0; i < 2; i++) {
                cJSON *av = obj(&b, p, annual[i]);
                str(&b, av, "type", "number");
                num(&b, av, "exclusiveMinimum", 0);
                num(&b, av, "maximum", BF__MAX_ANNUAL_EXPORT_CNY);
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
            date(&b, obj(&b, p, "effective_date"));
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
    check_keys(root);
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
