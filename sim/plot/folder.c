/*
 * folder.c - a results folder loaded for the charts and the report: the
 * compared pair of policies (summary.json), the cities (cities.csv), the
 * summary and paired differences of every metric indexed by city, the
 * study's totals (totals.csv) and the ranking (ranking.csv). Nothing here
 * computes a statistic: every number is read as the run wrote it.
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

static const char *const dx_names[] = {
#define XX(name) #name,
    BF__DX_MAP(XX)
#undef XX
};

int bf__delta_find(const char *name)
{
    int m = bf_metric_find(name);
    if (m >= 0)
        return m;
    for (size_t i = 0; i < sizeof dx_names / sizeof dx_names[0]; i++)
        if (strcmp(dx_names[i], name) == 0)
            return BF_METRIC_COUNT + (int)i;
    return -1;
}

const char *bf__delta_name(int d)
{
    if (d >= 0 && d < BF_METRIC_COUNT)
        return bf_metric_name((enum bf_metric)d);
    return d >= BF_METRIC_COUNT && d < BF__DX_COUNT ? dx_names[d - BF_METRIC_COUNT] : "?";
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

/* dir/name parsed with cJSON; a syntax error names the line and column. */
static int load_json(const char *dir, const char *name, cJSON **out, char **text_out,
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
    bool oom = false;
    size_t off = 0;
    *out = bf_json_parse(text, len, &oom, &off);
    if (*out == NULL) {
        rc = oom ? BF_ENOMEM : BF_EPARSE;
        if (!oom) {
            int line, col;
            bf_json_position(text, off, &line, &col);
            bf_diag_set(diag,
                        "%s:%d:%d: not valid JSON (the file is borderflow's output: was it "
                        "cut short or edited?)",
                        path, line, col);
        }
    } else if (!cJSON_IsObject(*out)) {
        bf_diag_set(diag, "%s: not a JSON object", path);
        cJSON_Delete(*out);
        *out = NULL;
        rc = BF_EPARSE;
    }
    if (rc == 0 && text_out != NULL)
        *text_out = text;
    else
        bf__free(text);
    return rc;
}

/* Columns cols[0..n) of t into col[], or BF_EPARSE naming the first missing. */
static int need_cols(const struct bf__csv *t, const char *const *cols, int n, int *col,
                     struct bf_diag *diag)
{
    for (int i = 0; i < n; i++) {
        int rc = bf__csv_need(t, cols[i], &col[i], diag);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int load_cities(struct bf__folder *f, struct bf_diag *diag)
{
    const struct bf__csv *t = &f->cities_csv;
    static const char *const cols[] = {"city",      "city_zh",        "province",          "class",
                                       "candidate", "effective_date", "shipments_per_day", "note"};
    int col[8];
    int rc = need_cols(t, cols, 8, col, diag);
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
        c->name = bf__csv_get(t, i, col[0]);
        c->name_zh = bf__csv_get(t, i, col[1]);
        c->province = bf__csv_get(t, i, col[2]);
        c->cls = bf__csv_get(t, i, col[3]);
        c->candidate = bf__csv_get(t, i, col[4]);
        c->effective_date = bf__csv_get(t, i, col[5]);
        c->shipments_per_day = bf__csv_num(t, i, col[6]);
        c->note = bf__csv_get(t, i, col[7]);
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
    static const char *const cols[] = {"city", "policy",   "metric",    "mean",
                                       "sd",   "ci95_low", "ci95_high", "n"};
    int col[8];
    int rc = need_cols(t, cols, 8, col, diag);
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
        int c = row_city(f, bf__csv_get(t, r, col[0]), &last);
        int slot = bf__folder_slot(f, bf__csv_get(t, r, col[1]));
        int m = bf_metric_find(bf__csv_get(t, r, col[2]));
        if (c < 0 || slot < 0 || m < 0)
            continue; /* another policy, or a metric this version does not know */
        struct bf__sum *s = &f->sum[((size_t)c * 2 + (size_t)slot) * BF_METRIC_COUNT + (size_t)m];
        s->mean = bf__csv_num(t, r, col[3]);
        s->sd = bf__csv_num(t, r, col[4]);
        s->lo = bf__csv_num(t, r, col[5]);
        s->hi = bf__csv_num(t, r, col[6]);
        s->n = bf__csv_num(t, r, col[7]);
    }
    return 0;
}

static int index_delta(struct bf__folder *f, struct bf_diag *diag)
{
    const struct bf__csv *t = &f->delta_csv;
    size_t n = (size_t)f->n_cities * BF__DX_COUNT;
    f->delta = bf__malloc(n * sizeof *f->delta);
    if (f->delta == NULL)
        return BF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        f->delta[i] = (struct bf__delta){(double)NAN, (double)NAN, (double)NAN,
                                         (double)NAN, (double)NAN, (double)NAN};
    static const char *const cols[] = {"city",  "metric",   "before",    "after",
                                       "delta", "ci95_low", "ci95_high", "variance_reduction"};
    int col[8];
    int rc = need_cols(t, cols, 8, col, diag);
    if (rc != 0)
        return rc;
    int last = -1;
    for (size_t r = 0; r < t->n_rows; r++) {
        int c = row_city(f, bf__csv_get(t, r, col[0]), &last);
        int m = bf__delta_find(bf__csv_get(t, r, col[1]));
        if (c < 0 || m < 0)
            continue;
        struct bf__delta *d = &f->delta[(size_t)c * BF__DX_COUNT + (size_t)m];
        d->before = bf__csv_num(t, r, col[2]);
        d->after = bf__csv_num(t, r, col[3]);
        d->delta = bf__csv_num(t, r, col[4]);
        d->lo = bf__csv_num(t, r, col[5]);
        d->hi = bf__csv_num(t, r, col[6]);
        d->vr = bf__csv_num(t, r, col[7]);
    }
    return 0;
}

static int index_totals(struct bf__folder *f, struct bf_diag *diag)
{
    const struct bf__csv *t = &f->totals_csv;
    static const char *const cols[] = {"metric",   "unit",      "scope", "mean",
                                       "ci95_low", "ci95_high", "n",     "description"};
    int col[8];
    int rc = need_cols(t, cols, 8, col, diag);
    if (rc != 0)
        return rc;
    f->n_totals = t->n_rows;
    f->total = bf__calloc(t->n_rows + 1, sizeof *f->total);
    if (f->total == NULL)
        return BF_ENOMEM;
    for (size_t r = 0; r < t->n_rows; r++) {
        struct bf__total *x = &f->total[r];
        x->metric = bf__csv_get(t, r, col[0]);
        x->unit = bf__csv_get(t, r, col[1]);
        x->scope = bf__csv_get(t, r, col[2]);
        x->mean = bf__csv_num(t, r, col[3]);
        x->lo = bf__csv_num(t, r, col[4]);
        x->hi = bf__csv_num(t, r, col[5]);
        x->n = bf__csv_num(t, r, col[6]);
        x->description = bf__csv_get(t, r, col[7]);
    }
    return 0;
}

const struct bf__total *bf__folder_total(const struct bf__folder *f, const char *metric,
                                         const char *scope)
{
    for (size_t i = 0; i < f->n_totals; i++)
        if (strcmp(f->total[i].metric, metric) == 0 && strcmp(f->total[i].scope, scope) == 0)
            return &f->total[i];
    return NULL;
}

/* ranking.csv: every city of cities.csv exactly once. */
static int index_ranking(struct bf__folder *f, struct bf_diag *diag)
{
    f->rank = bf__calloc((size_t)f->n_cities + 1, sizeof *f->rank);
    if (f->rank == NULL)
        return BF_ENOMEM;
    if (!f->has_compare) {
        for (uint32_t i = 0; i < f->n_cities; i++)
            f->rank[i] = (struct bf__rank){.city = i,
                                           .per_m = (double)NAN,
                                           .per_m_lo = (double)NAN,
                                           .per_m_hi = (double)NAN,
                                           .released = (double)NAN,
                                           .released_lo = (double)NAN,
                                           .released_hi = (double)NAN,
                                           .exports = (double)NAN,
                                           .interval = "includes_zero"};
        return 0;
    }
    const struct bf__csv *t = &f->ranking_csv;
    static const char *const cols[] = {"city",
                                       "capital_released_per_m",
                                       "ci95_low",
                                       "ci95_high",
                                       "capital_released_cny",
                                       "released_ci95_low",
                                       "released_ci95_high",
                                       "exports_cny",
                                       "interval"};
    int col[9];
    int rc = need_cols(t, cols, 9, col, diag);
    if (rc != 0)
        return rc;
    bool *seen = bf__calloc((size_t)f->n_cities + 1, sizeof *seen);
    if (seen == NULL)
        return BF_ENOMEM;
    uint32_t n = 0;
    for (size_t r = 0; r < t->n_rows && rc == 0; r++) {
        int c = bf__folder_city(f, bf__csv_get(t, r, col[0]));
        if (c < 0 || seen[c] || n >= f->n_cities) {
            bf_diag_set(diag, "%s: line %zu: city '%s' %s", t->path, r + 2,
                        bf__csv_get(t, r, col[0]),
                        c < 0 ? "is not in cities.csv" : "appears twice");
            rc = BF_EPARSE;
            break;
        }
        seen[c] = true;
        f->rank[n++] = (struct bf__rank){.city = (uint32_t)c,
                                         .per_m = bf__csv_num(t, r, col[1]),
                                         .per_m_lo = bf__csv_num(t, r, col[2]),
                                         .per_m_hi = bf__csv_num(t, r, col[3]),
                                         .released = bf__csv_num(t, r, col[4]),
                                         .released_lo = bf__csv_num(t, r, col[5]),
                                         .released_hi = bf__csv_num(t, r, col[6]),
                                         .exports = bf__csv_num(t, r, col[7]),
                                         .interval = bf__csv_get(t, r, col[8])};
    }
    if (rc == 0 && n != f->n_cities) {
        bf_diag_set(diag, "%s: %u of the %u cities of cities.csv", t->path, n, f->n_cities);
        rc = BF_EPARSE;
    }
    bf__free(seen);
    return rc;
}

void bf__folder_rank(const struct bf__folder *f, uint32_t *order)
{
    for (uint32_t i = 0; i < f->n_cities; i++)
        order[i] = f->rank[i].city;
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
    f->scenario = bf_json_str(f->summary, "scenario");
    const cJSON *cmp = cJSON_GetObjectItemCaseSensitive(f->summary, "compare");
    const cJSON *a = cJSON_IsArray(cmp) ? cJSON_GetArrayItem(cmp, 0) : NULL;
    const cJSON *b = cJSON_IsArray(cmp) ? cJSON_GetArrayItem(cmp, 1) : NULL;
    if (f->scenario == NULL || !cJSON_IsString(a) || !cJSON_IsString(b)) {
        bf_diag_set(diag,
                    "%s/summary.json: no \"scenario\" name or no \"compare\": [baseline, "
                    "compared] pair",
                    dir);
        rc = BF_EPARSE;
        goto fail;
    }
    f->baseline = a->valuestring;
    f->compared = b->valuestring;
    f->has_compare = strcmp(f->baseline, f->compared) != 0;
    double reps = bf_json_num(f->summary, "replications");
    f->replications = reps >= 0 && reps < 1e9 ? (uint32_t)reps : 0;
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
        (rc = index_delta(f, diag)) != 0 ||
        (rc = load_csv(dir, "totals.csv", &f->totals_csv, diag)) != 0 ||
        (rc = index_totals(f, diag)) != 0 ||
        (f->has_compare && (rc = load_csv(dir, "ranking.csv", &f->ranking_csv, diag)) != 0) ||
        (rc = index_ranking(f, diag)) != 0)
        goto fail;
    return 0;
fail:
    bf__folder_fini(f);
    return rc;
}

void bf__folder_fini(struct bf__folder *f)
{
    cJSON_Delete(f->summary);
    cJSON_Delete(f->run);
    bf__free(f->run_text);
    bf__csv_fini(&f->cities_csv);
    bf__csv_fini(&f->summary_csv);
    bf__csv_fini(&f->delta_csv);
    bf__csv_fini(&f->totals_csv);
    bf__csv_fini(&f->ranking_csv);
    bf__free(f->city);
    bf__free(f->sum);
    bf__free(f->delta);
    bf__free(f->total);
    bf__free(f->rank);
    bf__free(f->hash);
    memset(f, 0, sizeof *f);
}
