/*
 * folder.c - a results folder loaded for the charts and the report: the
 * compared pair of policies (summary.json), the cities (cities.csv), and the
 * summary and paired differences of every metric, indexed by city.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"

#include "internal.h"

int bf__path(char *buf, size_t size, const char *dir, const char *name, struct bf_diag *diag)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        bf_diag_set(diag, "path too long: '%s/%s'", dir, name);
        return BF_EINVAL;
    }
    return 0;
}

/* FNV-1a: the hash only spreads names over the table. */
static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int bf__folder_city(const struct bf__folder *f, const char *name)
{
    if (f->hash_size == 0)
        return -1;
    size_t mask = f->hash_size - 1;
    for (size_t i = hash_name(name) & mask;; i = (i + 1) & mask) {
        uint32_t v = f->hash[i];
        if (v == 0)
            return -1;
        if (strcmp(f->city[v - 1].name, name) == 0)
            return (int)(v - 1);
    }
}

int bf__folder_slot(const struct bf__folder *f, const char *policy)
{
    if (strcmp(policy, f->baseline) == 0)
        return 0;
    if (f->has_compare && strcmp(policy, f->compared) == 0)
        return 1;
    return -1;
}

static char *dup_or_empty(const char *s)
{
    return bf__strdup(s != NULL ? s : "");
}

static int load_json(const char *dir, const char *name, struct bf__json **out, char **text_out,
                     struct bf_diag *diag)
{
    char path[1200];
    int rc = bf__path(path, sizeof path, dir, name, diag);
    if (rc != 0)
        return rc;
    char *text;
    size_t len;
    rc = bf__read_file(path, &text, &len, diag);
    if (rc != 0)
        return rc;
    rc = bf__json_parse(text, len, out, diag);
    if (rc == BF_EPARSE) {
        char msg[sizeof diag->msg];
        snprintf(msg, sizeof msg, "%s", diag->msg);
        bf_diag_set(diag, "%s: %s", path, msg);
    }
    if (rc == 0 && text_out != NULL)
        *text_out = text;
    else
        bf__free(text);
    return rc;
}

static int load_cities(struct bf__folder *f, struct bf_diag *diag)
{
    const struct bf__csv *t = &f->cities_csv;
    int c_name, c_prov, c_cls, c_cand, c_eff, c_spd, c_note;
    int rc = bf__csv_need(t, "city", &c_name, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "province", &c_prov, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "class", &c_cls, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "candidate", &c_cand, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "effective_date", &c_eff, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "shipments_per_day", &c_spd, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "note", &c_note, diag);
    if (rc != 0)
        return rc;
    if (t->n_rows == 0) {
        bf_diag_set(diag, "%s: no cities", t->path);
        return BF_EPARSE;
    }
    f->n_cities = (uint32_t)t->n_rows;
    f->city = bf__calloc(f->n_cities, sizeof *f->city);
    f->hash_size = 16;
    while (f->hash_size < 2 * (size_t)f->n_cities)
        f->hash_size *= 2;
    f->hash = bf__calloc(f->hash_size, sizeof *f->hash);
    if (f->city == NULL || f->hash == NULL)
        return BF_ENOMEM;
    for (uint32_t i = 0; i < f->n_cities; i++) {
        struct bf__city *c = &f->city[i];
        c->name = bf__csv_get(t, i, c_name);
        c->province = bf__csv_get(t, i, c_prov);
        c->cls = bf__csv_get(t, i, c_cls);
        c->candidate = bf__csv_get(t, i, c_cand);
        c->effective_date = bf__csv_get(t, i, c_eff);
        c->shipments_per_day = bf__csv_num(t, i, c_spd);
        c->note = bf__csv_get(t, i, c_note);
        if (bf__folder_city(f, c->name) >= 0) {
            bf_diag_set(diag, "%s: city '%s' appears twice", t->path, c->name);
            return BF_EPARSE;
        }
        size_t mask = f->hash_size - 1, k = hash_name(c->name) & mask;
        while (f->hash[k] != 0)
            k = (k + 1) & mask;
        f->hash[k] = i + 1;
    }
    return 0;
}

/* Finds the city of a row, trying the previous row's city first (the
 * tables are grouped by city). */
static int row_city(const struct bf__folder *f, const char *name, int *last)
{
    if (*last >= 0 && strcmp(f->city[*last].name, name) == 0)
        return *last;
    *last = bf__folder_city(f, name);
    return *last;
}

static int index_summary(struct bf__folder *f, struct bf_diag *diag)
{
    const struct bf__csv *t = &f->summary_csv;
    int c_city, c_pol, c_met, c_mean, c_sd, c_lo, c_hi, c_n;
    int rc = bf__csv_need(t, "city", &c_city, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "policy", &c_pol, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "metric", &c_met, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "mean", &c_mean, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "sd", &c_sd, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "ci95_low", &c_lo, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "ci95_high", &c_hi, diag);
    if (rc == 0)
        rc = bf__csv_need(t, "n", &c_n, diag);
    if (rc != 0)
        return rc;
    size_t n = (size_t)f->n_cities * 2 * BF_METRIC_COUNT;
    f->sum = bf__malloc(n * sizeof *f->sum);
    if (f->sum == NULL)
        return BF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        f->sum[i] = (struct bf__sum){(double)NAN, (double)NAN, (double)NAN, (double)NAN, 0};
    int last = -1;
    for (size_t r = 0; r < t->n_rows; r++) {
        int c = row_city(f, bf__csv_get(t, r, c_city), &last);
        int slot = bf__folder_slot(f, bf__csv_get(t, r, c_pol));
        int m = bf_metric_find(bf__csv_get(t, r, c_met));
        if (c < 0 || slot < 0 || m < 0)
            continue; /* another policy, or a metric this version does not know */
        struct bf__sum *s = &f->sum[((size_t)c * 2 + (size_t)slot) * BF_METRIC_COUNT + (size_t)m];
        s->mean = bf__csv_num(t, r, c_mean);
        s->sd = bf__csv_num(t, r, c_sd);
        s->lo = bf__csv_num(t, r, c_lo);
        s->hi = bf__csv_num(t, r, c_hi);
        s->n = bf__csv_num(t, r, c_n);
    }
    return 0;
}

static int index_delta(struct bf__folder *f, struct bf_diag *diag)
{
    const struct bf__csv *t = &f->delta_csv;
    size_t n = (size_t)f->n_cities * BF_METRIC_COUNT;
    f->delta = bf__malloc(n * sizeof *f->delta);
    if (f->delta == NULL)
        return BF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        f->delta[i] = (struct bf__delta){(double)NAN, (double)NAN, (double)NAN,
                                         (double)NAN, (double)NAN, (double)NAN};
    int col[8];
    static const char *const names[] = {"city",  "metric",   "before",    "after",
                                        "delta", "ci95_low", "ci95_high", "variance_reduction"};
    for (int i = 0; i < 8; i++) {
        int rc = bf__csv_need(t, names[i], &col[i], diag);
        if (rc != 0)
            return rc;
    }
    int last = -1;
    for (size_t r = 0; r < t->n_rows; r++) {
        int c = row_city(f, bf__csv_get(t, r, col[0]), &last);
        int m = bf_metric_find(bf__csv_get(t, r, col[1]));
        if (c < 0 || m < 0)
            continue;
        struct bf__delta *d = &f->delta[(size_t)c * BF_METRIC_COUNT + (size_t)m];
        d->before = bf__csv_num(t, r, col[2]);
        d->after = bf__csv_num(t, r, col[3]);
        d->delta = bf__csv_num(t, r, col[4]);
        d->lo = bf__csv_num(t, r, col[5]);
        d->hi = bf__csv_num(t, r, col[6]);
        d->vr = bf__csv_num(t, r, col[7]);
    }
    return 0;
}

static int load_csv(const char *dir, const char *name, struct bf__csv *t, struct bf_diag *diag)
{
    char path[1200];
    int rc = bf__path(path, sizeof path, dir, name, diag);
    return rc != 0 ? rc : bf__csv_read(path, t, diag);
}

int bf__folder_load(const char *dir, struct bf__folder *f, struct bf_diag *diag)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", dir);
    int rc = load_json(dir, "summary.json", &f->summary, NULL, diag);
    if (rc != 0)
        goto fail;
    f->scenario = dup_or_empty(bf__json_str(f->summary, "scenario"));
    const struct bf__json *cmp = bf__json_get(f->summary, "compare");
    const struct bf__json *a = cmp != NULL && cmp->type == BF__JARR ? cmp->child : NULL;
    const struct bf__json *b = a != NULL ? a->next : NULL;
    if (a == NULL || a->type != BF__JSTR || b == NULL || b->type != BF__JSTR) {
        bf_diag_set(diag, "%s/summary.json: no \"compare\": [baseline, compared] pair", dir);
        rc = BF_EPARSE;
        goto fail;
    }
    f->baseline = bf__strdup(a->str);
    f->compared = bf__strdup(b->str);
    if (f->scenario == NULL || f->baseline == NULL || f->compared == NULL) {
        rc = BF_ENOMEM;
        goto fail;
    }
    f->has_compare = strcmp(f->baseline, f->compared) != 0;
    const struct bf__json *reps = bf__json_get(f->summary, "replications");
    f->replications = reps != NULL && reps->type == BF__JNUM && reps->num >= 0 && reps->num < 1e9
                          ? (uint32_t)reps->num
                          : 0;
    rc = load_json(dir, "run.json", &f->run, &f->run_text, diag);
    if (rc == BF_ENOENT) {
        f->run = NULL; /* the folder is being written by `borderflow run` */
        bf_diag_clear(diag);
    } else if (rc != 0) {
        goto fail;
    }
    if ((rc = load_csv(dir, "cities.csv", &f->cities_csv, diag)) != 0 ||
        (rc = load_cities(f, diag)) != 0 ||
        (rc = load_csv(dir, "summary.csv", &f->summary_csv, diag)) != 0 ||
        (rc = index_summary(f, diag)) != 0 ||
        (rc = load_csv(dir, "delta.csv", &f->delta_csv, diag)) != 0 ||
        (rc = index_delta(f, diag)) != 0)
        goto fail;
    return 0;
fail:
    bf__folder_fini(f);
    return rc;
}

void bf__folder_fini(struct bf__folder *f)
{
    bf__free(f->scenario);
    bf__free(f->baseline);
    bf__free(f->compared);
    bf__json_free(f->summary);
    bf__json_free(f->run);
    bf__free(f->run_text);
    bf__csv_fini(&f->cities_csv);
    bf__csv_fini(&f->summary_csv);
    bf__csv_fini(&f->delta_csv);
    bf__free(f->city);
    bf__free(f->sum);
    bf__free(f->delta);
    bf__free(f->hash);
    memset(f, 0, sizeof *f);
}

struct ranked {
    double key;
    uint32_t city;
};

/* Larger key first; equal keys in file order, so the ranking is the same
 * on every platform's qsort. */
static int cmp_ranked(const void *pa, const void *pb)
{
    const struct ranked *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;
    return a->city < b->city ? -1 : a->city > b->city;
}

int bf__folder_rank(const struct bf__folder *f, uint32_t *order)
{
    struct ranked *r = bf__malloc(((size_t)f->n_cities + 1) * sizeof *r);
    if (r == NULL)
        return BF_ENOMEM;
    for (uint32_t i = 0; i < f->n_cities; i++) {
        double d = bf__folder_delta(f, i, BF_M_financing_cost_cny)->delta;
        r[i].key = isfinite(d) ? -d : -(double)INFINITY;
        r[i].city = i;
    }
    qsort(r, f->n_cities, sizeof *r, cmp_ranked);
    for (uint32_t i = 0; i < f->n_cities; i++)
        order[i] = r[i].city;
    bf__free(r);
    return 0;
}
