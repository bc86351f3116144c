/*
 * load.c - scenario JSON to struct bf_scenario, checking every value: the
 * horizon, finance, calendar and notes, the order in which the parts are
 * read (load_root: values.c, layers.c and sweeps.c hold the parts), and
 * the entry points.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

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
    bf__check_keys(L, h, "horizon", bf__horizon_keys, bf__horizon_keys_n, "\"horizon\"");
    const cJSON *n;
    uint64_t u;
    bool ok = false;
    const cJSON *w = bf__item(h, "window");
    if (w == NULL) {
        BF__PROBLEM(L, h, false, "horizon", "missing \"window\": give %s", example);
    } else if (bf__want_type(L, w, "horizon.window", cJSON_Object, "an object")) {
        bf__check_keys(L, w, "horizon.window", bf__window_keys, bf__window_keys_n, "the window");
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
    bf__check_keys(L, f, "finance", bf__finance_keys, bf__finance_keys_n, "\"finance\"");
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
        bf__check_keys(L, c, "calendar", bf__calendar_keys, bf__calendar_keys_n, "\"calendar\"");
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
        bf__check_keys(L, y, yp, bf__year_keys, bf__year_keys_n, "a calendar year");
        int32_t days[2][400];
        size_t nd[2] = {0, 0};
        bool ok = true;
        for (int w = 0; w < 2; w++) {
            const cJSON *arr = bf__item(y, bf__year_keys[w]);
            if (arr == NULL)
                continue;
            char ap[BF_TEXT_MAX];
            bf__join(ap, sizeof ap, yp, bf__year_keys[w]);
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
        if (sc->n_notes == BF__MAX_NOTES) {
            BF__PROBLEM(L, n, false, np, "at most %d notes are allowed", BF__MAX_NOTES);
            break;
        }
        if (bf__get_string(L, n, np, sizeof sc->notes[0], sc->notes[sc->n_notes]))
            sc->n_notes++;
    }
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
