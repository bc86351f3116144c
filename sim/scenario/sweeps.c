/*
 * sweeps.c - "sweeps" (one parameter at a time) and "sensitivity" (all at
 * once): a parameter's path resolved against the tables, and each value or
 * range end checked against the rules of every city; and the parameter
 * `borderflow calibrate` names on its command line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

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
        bf__check_keys(L, s, sp, bf__sweep_keys, bf__sweep_keys_n, "a sweep");
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
    bf__check_keys(L, s, "sensitivity", bf__sens_keys, bf__sens_keys_n, "\"sensitivity\"");
    if (sc->n_sweeps > 0) {
        BF__PROBLEM(
            L, s, true, "sensitivity",
            "a scenario has \"sweeps\" (one parameter at a time) or \"sensitivity\" (all at "
            "once), not both: put them in two scenarios (one may extend the other)");
        return;
    }
    const cJSON *x = bf__item(s, "method");
    int m = 0;
    if (x == NULL) {
        BF__PROBLEM(L, s, false, "sensitivity",
                    "\"sensitivity\" needs a \"method\": \"morris\" (screening) or \"sobol\" "
                    "(variance shares)");
        return;
    }
    if (!bf__get_enum(L, x, "sensitivity.method", bf__sens_methods, &m))
        return;
    enum bf_sens_method method = m == 0 ? BF_SENS_MORRIS : BF_SENS_SOBOL;
    uint64_t u;
    se->trajectories = 10;
    se->levels = 4;
    se->samples = 32;
    se->seed = 1;
    se->bootstrap = 1000;
    bool ok = true;
    const struct bf__uint_key *r = bf__sens_uints;
    if ((x = bf__item(s, "trajectories")) != NULL)
        ok = bf__get_uint(L, x, "sensitivity.trajectories", r[BF__SENS_TRAJECTORIES].min,
                          r[BF__SENS_TRAJECTORIES].max, &u) &&
             ((se->trajectories = (uint32_t)u), true) && ok;
    if ((x = bf__item(s, "levels")) != NULL) {
        const double lo = r[BF__SENS_LEVELS].min, hi = r[BF__SENS_LEVELS].max;
        if (bf__get_uint(L, x, "sensitivity.levels", lo, hi, &u) && u % 2 == 0)
            se->levels = (uint32_t)u;
        else {
            if (cJSON_IsNumber(x) && x->valuedouble >= lo && x->valuedouble <= hi)
                BF__PROBLEM(L, x, false, "sensitivity.levels",
                            "%.16g levels; Morris' grid needs an even number from %g to %g",
                            x->valuedouble, lo, hi);
            ok = false;
        }
    }
    if ((x = bf__item(s, "samples")) != NULL)
        ok = bf__get_uint(L, x, "sensitivity.samples", r[BF__SENS_SAMPLES].min,
                          r[BF__SENS_SAMPLES].max, &u) &&
             ((se->samples = (uint32_t)u), true) && ok;
    if ((x = bf__item(s, "seed")) != NULL)
        ok = bf__get_uint(L, x, "sensitivity.seed", r[BF__SENS_SEED].min, r[BF__SENS_SEED].max,
                          &u) &&
             ((se->seed = (uint32_t)u), true) && ok;
    if ((x = bf__item(s, "bootstrap")) != NULL) {
        if (bf__get_uint(L, x, "sensitivity.bootstrap", r[BF__SENS_BOOTSTRAP].min,
                         r[BF__SENS_BOOTSTRAP].max, &u) &&
            (u == 0 || u >= BF__SENS_BOOTSTRAP_LEAST))
            se->bootstrap = (uint32_t)u;
        else {
            if (cJSON_IsNumber(x) && x->valuedouble >= 0 &&
                x->valuedouble < BF__SENS_BOOTSTRAP_LEAST)
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
        bf__check_keys(L, q, pp, bf__sens_param_keys, bf__sens_param_keys_n,
                       "a sensitivity parameter");
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

/* ---- calibration (borderflow calibrate): a parameter named on the command line ---- */

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
