/*
 * layers.c - the parameter sections, and the policies, classes and cities
 * they are layered into.
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
    /* without a policy (its absence is reported) there are no rules to
     * convert with: city->params then holds none */
    if (annual < 0 || city->params == NULL || sc->baseline >= sc->n_policies)
        return;
    char ap[BF_TEXT_MAX];
    bf__join(ap, sizeof ap, cp, key[annual]);
    const cJSON *n = given[annual];
    if (!bf__want_type(L, n, ap, cJSON_Number, "an amount in CNY a year, e.g. 120e6"))
        return;
    const double value = n->valuedouble;
    if (!isfinite(value) || !(value > 0) || value > BF__MAX_ANNUAL_EXPORT_CNY) {
        BF__PROBLEM(L, n, false, ap,
                    "%.16g is not an annual export value: give a positive amount of CNY a year, at "
                    "most %g (e.g. 120e6 for 120 million)",
                    value, BF__MAX_ANNUAL_EXPORT_CNY);
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
