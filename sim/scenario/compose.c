/*
 * compose.c - scenarios made of scenarios: what a file of an "extends"
 * chain may change, what a scenario keeps ("select", run --city), and the
 * "did you mean" of every name a file gets wrong.
 *
 * The merge itself (json.c) moves nodes between trees; the rules here say
 * what it must refuse or report, so that a child file cannot change the
 * study without a word: a misspelt city or policy adds a new one unless
 * the entry says "add": true, a key written twice is an error in every file
 * of the chain, and a selection names only what exists.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borderflow/alloc.h"
#include "borderflow/sha256.h"

#include "internal.h"

/* ---- suggestions ---- */

/* ASCII only, whatever the locale (UTF-8 bytes stay as they are). */
static int lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * The optimal-string-alignment distance (Levenshtein with a transposition
 * of two neighbours counted as one edit: "Hefie" is one edit from
 * "Hefei"), ASCII letters compared without case ("hefei" is 0 from
 * "Hefei"). Names longer than 63 bytes are not compared (64). Written here
 * rather than taken from a library: it is a dozen lines, and the cap keeps
 * it on the stack.
 */
size_t bf__edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    unsigned char d[64][64]; /* d[i][j]: a's first i bytes against b's first j */
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned char)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned char)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int ca = lower((unsigned char)a[i - 1]), cb = lower((unsigned char)b[j - 1]);
            unsigned best = d[i - 1][j - 1] + (ca == cb ? 0u : 1u);
            if (d[i - 1][j] + 1u < best)
                best = d[i - 1][j] + 1u;
            if (d[i][j - 1] + 1u < best)
                best = d[i][j - 1] + 1u;
            if (i > 1 && j > 1 && ca == lower((unsigned char)b[j - 2]) &&
                lower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1u < best)
                best = d[i - 2][j - 2] + 1u;
            d[i][j] = (unsigned char)best;
        }
    return d[la][lb];
}

const char *bf__suggest(const char *s, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = bf__edit_distance(s, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    size_t len = strlen(s);
    size_t limit = len <= 4 ? 1 : len <= 9 ? 2 : 3;
    return best_d <= limit ? best : NULL;
}

const char *bf_scenario_suggest(const char *s, const char *const *names, size_t n)
{
    return bf__suggest(s, names, n);
}

/* ---- every file of the chain: keys written twice ---- */

/*
 * Where the walk is, kept on the stack and turned into a JSON path only
 * when there is something to report (a 16 MiB file has a million nodes).
 */
struct frame {
    const struct frame *up;
    const cJSON *node;
    int index; /* in an array; -1 for an object member (named by node->string) or the root */
};

static size_t frame_path(const struct frame *f, char *out, size_t size)
{
    if (f == NULL || f->up == NULL) {
        out[0] = '\0';
        return 0;
    }
    size_t n = frame_path(f->up, out, size);
    if (n >= size)
        return n;
    int w = f->index >= 0 ? snprintf(out + n, size - n, "[%d]", f->index)
                          : snprintf(out + n, size - n, "%s%s", n ? "." : "", f->node->string);
    return n + (w > 0 ? (size_t)w : 0);
}

static void report_duplicate(struct bf__doc *doc, const struct frame *obj, const cJSON *first,
                             const cJSON *again)
{
    struct frame at = {.up = obj, .node = again, .index = -1};
    char path[BF_TEXT_MAX];
    frame_path(&at, path, sizeof path);
    const struct bf__pos *p = bf__doc_pos(doc, first);
    bf__problem(doc, again, true, path, "duplicate key '%s' (first given at line %d)",
                again->string, p ? (p->key_line ? p->key_line : p->line) : 0);
}

struct member {
    const cJSON *node;
    size_t order;
};

static int cmp_member(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = strcmp(x->node->string, y->node->string);
    return c != 0 ? c : (x->order > y->order) - (x->order < y->order);
}

/* The keys of one object written twice, reported at the second (and any
 * later) one, in the order they are written. */
static void object_duplicates(struct bf__doc *doc, const struct frame *f)
{
    size_t n = 0;
    for (const cJSON *m = f->node->child; m != NULL; m = m->next)
        n++;
    if (n < 2)
        return;
    if (n <= 8) { /* the usual small section: compare each pair */
        for (const cJSON *m = f->node->child; m != NULL; m = m->next)
            for (const cJSON *q = f->node->child; q != m; q = q->next)
                if (strcmp(q->string, m->string) == 0) {
                    report_duplicate(doc, f, q, m);
                    break;
                }
        return;
    }
    /* sorted by (key, order): a key's copies are neighbours, its first first */
    struct member *v = bf__malloc(n * sizeof *v);
    const cJSON **first =
        (const cJSON **)bf__calloc(n, sizeof *first); /* by order: the earlier copy, or NULL */
    if (v == NULL || first == NULL) {
        bf__free(v);
        bf__free((void *)first);
        doc->oom = true;
        return;
    }
    size_t i = 0;
    for (const cJSON *m = f->node->child; m != NULL; m = m->next, i++)
        v[i] = (struct member){m, i};
    qsort(v, n, sizeof *v, cmp_member);
    for (i = 1; i < n; i++)
        if (strcmp(v[i].node->string, v[i - 1].node->string) == 0)
            first[v[i].order] = first[v[i - 1].order] ? first[v[i - 1].order] : v[i - 1].node;
    i = 0;
    for (const cJSON *m = f->node->child; m != NULL; m = m->next, i++)
        if (first[i] != NULL)
            report_duplicate(doc, f, first[i], m);
    bf__free(v);
    bf__free((void *)first);
}

static void walk_duplicates(struct bf__doc *doc, const struct frame *f)
{
    if (doc->oom)
        return;
    if (cJSON_IsObject(f->node))
        object_duplicates(doc, f);
    int i = 0;
    for (const cJSON *c = f->node->child; c != NULL; c = c->next, i++) {
        if (!cJSON_IsObject(c) && !cJSON_IsArray(c))
            continue;
        struct frame sub = {.up = f, .node = c, .index = cJSON_IsArray(f->node) ? i : -1};
        walk_duplicates(doc, &sub);
    }
}

void bf__compose_check_file(struct bf__doc *doc, const cJSON *root)
{
    struct frame top = {.up = NULL, .node = root, .index = -1};
    walk_duplicates(doc, &top);
}

/* ---- a file merged onto the scenario it extends ---- */

static const char *const entry_what[] = {"city", "policy", "class"};

/* The name of an entry of a parent: a city's "name", a member's key. */
static const char *entry_name(enum bf__entry kind, const cJSON *e)
{
    if (kind != BF__ENTRY_CITY)
        return e->string;
    const cJSON *n = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

/* The parent's name closest to `name`, if close enough. */
static const char *closest(struct bf__doc *doc, enum bf__entry kind, const cJSON *parent,
                           const char *name)
{
    if (parent == NULL || bf__problems_full(doc))
        return NULL; /* only counted: no suggestion to word */
    size_t n = 0;
    for (const cJSON *e = parent->child; e != NULL; e = e->next)
        n++;
    const char **names = (const char **)bf__malloc((n ? n : 1) * sizeof *names);
    if (names == NULL) {
        doc->oom = true;
        return NULL;
    }
    size_t k = 0;
    for (const cJSON *e = parent->child; e != NULL; e = e->next)
        if (entry_name(kind, e) != NULL)
            names[k++] = entry_name(kind, e);
    const char *s = bf__suggest(name, names, k);
    bf__free((void *)names);
    return s;
}

/* The file a node was written in (its index in doc->files), or -1. */
static int file_of(const struct bf__doc *doc, const cJSON *node)
{
    const struct bf__pos *p = node != NULL ? bf__doc_pos(doc, node) : NULL;
    return p != NULL ? p->file : -1;
}

void bf__compose_entry(struct bf__doc *doc, enum bf__entry kind, const cJSON *parent,
                       const cJSON *same, const cJSON *entry, int index)
{
    const char *what = entry_what[kind];
    const char *name = entry_name(kind, entry);
    if (name == NULL)
        return;
    /* located at the city's name, or at the policy's or class's key */
    const cJSON *at =
        kind == BF__ENTRY_CITY ? cJSON_GetObjectItemCaseSensitive(entry, "name") : entry;
    const bool at_key = kind != BF__ENTRY_CITY;
    char path[BF_TEXT_MAX];
    if (kind == BF__ENTRY_CITY)
        snprintf(path, sizeof path, "cities[%d].name", index);
    else
        snprintf(path, sizeof path, "%s.%s", kind == BF__ENTRY_POLICY ? "policies" : "classes",
                 name);
    const int file = file_of(doc, entry);
    /* the parent is the next file of the chain (json.c, load_chain) */
    const char *parent_file =
        file >= 0 && (unsigned)file + 1 < doc->n_files ? doc->files[file + 1] : "its parent";
    const cJSON *add =
        cJSON_IsObject(entry) ? cJSON_GetObjectItemCaseSensitive(entry, "add") : NULL;
    const bool adds = cJSON_IsTrue(add);
    if (same == NULL && !adds) {
        const char *s = closest(doc, kind, parent, name);
        char hint[BF_TEXT_MAX] = "";
        if (s != NULL)
            snprintf(hint, sizeof hint, "; did you mean '%s'?", s);
        bf__problem(doc, at, at_key, path,
                    "%s '%s' is not in %s, the scenario this file extends%s (write \"add\": true "
                    "in the %s to add a new %s)",
                    what, name, parent_file, hint, kind == BF__ENTRY_CITY ? "entry" : what, what);
    } else if (same != NULL && adds) {
        bf__problem(doc, add, true, path,
                    "%s '%s' is already in %s, the scenario this file extends: \"add\": true "
                    "adds a new %s; leave it out to change this one",
                    what, name, parent_file, what);
    }
    /* a city named twice in one file: the second would change the first
     * without a word (its "name" is the file's own once merged) */
    if (kind == BF__ENTRY_CITY && same != NULL) {
        const cJSON *sn = cJSON_GetObjectItemCaseSensitive(same, "name");
        const struct bf__pos *p = sn != NULL ? bf__doc_pos(doc, sn) : NULL;
        if (p != NULL && (int)p->file == file)
            bf__problem(doc, at, false, path,
                        "city '%s' is given twice in this file (first at line %d); give each "
                        "city once",
                        name, p->line);
    }
}

/* The keys that say how much a city ships: one of them, at most, in an
 * entry (layers.c says so), and the file's one replaces the parent's. */
static const char *const volume_keys[] = {"shipments_per_day", "annual_export_cost_cny",
                                          "annual_export_fob_cny"};

static bool gives_volume(const cJSON *city)
{
    for (size_t k = 0; k < sizeof volume_keys / sizeof volume_keys[0]; k++)
        if (cJSON_GetObjectItemCaseSensitive(city, volume_keys[k]) != NULL)
            return true;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(city, "arrivals");
    return cJSON_IsObject(a) && cJSON_GetObjectItemCaseSensitive(a, "shipments_per_day") != NULL;
}

void bf__compose_volume(struct bf__doc *doc, cJSON *same, const cJSON *over)
{
    (void)doc;
    if (!cJSON_IsObject(same) || !cJSON_IsObject(over) || !gives_volume(over))
        return;
    for (size_t k = 0; k < sizeof volume_keys / sizeof volume_keys[0]; k++)
        cJSON_DeleteItemFromObjectCaseSensitive(same, volume_keys[k]);
    cJSON *a = cJSON_GetObjectItemCaseSensitive(same, "arrivals");
    if (cJSON_IsObject(a))
        cJSON_DeleteItemFromObjectCaseSensitive(a, "shipments_per_day");
}

/* ---- what a scenario keeps: "select" ---- */

/* The smallest file index of any node of the subtree at n (the file
 * nearest the command line that wrote any of it), or -1. */
static int nearest_file(const struct bf__doc *doc, const cJSON *n)
{
    int best = file_of(doc, n);
    for (const cJSON *c = n->child; c != NULL; c = c->next) {
        int f = nearest_file(doc, c);
        if (f >= 0 && (best < 0 || f < best))
            best = f;
    }
    return best;
}

/* The node of the subtree at n written in a file at most `file`, first
 * in document order, or NULL. */
static const cJSON *first_from(const struct bf__doc *doc, const cJSON *n, int file)
{
    int f = file_of(doc, n);
    if (f >= 0 && f <= file && n->string != NULL)
        return n;
    for (const cJSON *c = n->child; c != NULL; c = c->next) {
        const cJSON *x = first_from(doc, c, file);
        if (x != NULL)
            return x;
    }
    return f >= 0 && f <= file ? n : NULL;
}

/* One list of "select": every entry a string naming one of names[0..n);
 * keep[i] set for the cities it takes (match(i, value)). */
static bool select_list(struct bf__doc *doc, const cJSON *list, const char *key,
                        const char *const *names, size_t n, const struct bf_scenario *sc,
                        bool (*match)(const struct bf_city *, const char *), bool *keep)
{
    char path[BF_TEXT_MAX];
    snprintf(path, sizeof path, "select.%s", key);
    if (!cJSON_IsArray(list)) {
        bf__problem(doc, list, false, path, "expected an array of names, e.g. [\"%s\"]",
                    n > 0 ? names[0] : "...");
        return false;
    }
    int count = cJSON_GetArraySize(list);
    if (count > BF_MAX_CITIES) {
        bf__problem(doc, list, false, path, "%d names; at most %d are allowed", count,
                    BF_MAX_CITIES);
        return false;
    }
    bool ok = true;
    int i = 0;
    for (const cJSON *e = list->child; e != NULL; e = e->next, i++) {
        char ep[BF_TEXT_MAX];
        snprintf(ep, sizeof ep, "%s[%d]", path, i);
        if (!cJSON_IsString(e) || e->valuestring[0] == '\0') {
            bf__problem(doc, e, false, ep, "expected a name (a non-empty string)");
            ok = false;
            continue;
        }
        bool found = false;
        for (size_t k = 0; k < n && !found; k++)
            found = strcmp(names[k], e->valuestring) == 0;
        if (!found) {
            const char *s = bf__problems_full(doc) ? NULL : bf__suggest(e->valuestring, names, n);
            const bool city = strcmp(key, "cities") == 0, cls = strcmp(key, "classes") == 0;
            const char *what = city ? "city" : cls ? "class" : "province";
            const char *where = city ? "in \"cities\"" : cls ? "in \"classes\"" : "of any city";
            if (s != NULL)
                bf__problem(doc, e, false, ep, "no %s '%s' %s; did you mean '%s'?", what,
                            e->valuestring, where, s);
            else
                bf__problem(doc, e, false, ep, "no %s '%s' %s", what, e->valuestring, where);
            ok = false;
            continue;
        }
        for (uint32_t c = 0; c < sc->n_cities; c++)
            if (match(&sc->city[c], e->valuestring))
                keep[c] = true;
    }
    return ok;
}

static bool match_name(const struct bf_city *c, const char *s)
{
    return strcmp(c->name, s) == 0;
}

static bool match_class(const struct bf_city *c, const char *s)
{
    return strcmp(c->cls, s) == 0;
}

static bool match_province(const struct bf_city *c, const char *s)
{
    return strcmp(c->province, s) == 0;
}

bool bf__compose_select(struct bf__doc *doc, const cJSON *root, const struct bf_scenario *sc,
                        bool *keep)
{
    const cJSON *sel = cJSON_GetObjectItemCaseSensitive(root, "select");
    if (!cJSON_IsObject(sel)) {
        bf__problem(doc, sel, false, "select",
                    "expected an object such as {\"cities\": [\"Hefei\"], \"classes\": [\"A\"], "
                    "\"provinces\": [\"Henan\"]}");
        return false;
    }
    bool ok = true;
    for (const cJSON *m = sel->child; m != NULL; m = m->next) {
        bool known = false;
        for (size_t k = 0; k < bf__select_keys_n && !known; k++)
            known = strcmp(m->string, bf__select_keys[k]) == 0;
        if (!known) {
            char path[BF_TEXT_MAX];
            snprintf(path, sizeof path, "select.%s", m->string);
            const char *s = bf__suggest(m->string, bf__select_keys, bf__select_keys_n);
            if (s != NULL)
                bf__problem(doc, m, true, path,
                            "unknown key '%s' in \"select\"; did you mean '%s'?", m->string, s);
            else
                bf__problem(doc, m, true, path,
                            "unknown key '%s' in \"select\"; allowed: cities, classes, provinces",
                            m->string);
            ok = false;
        }
    }
    /* the names each list may use: the cities', the classes of "classes",
     * the provinces cities are in */
    const size_t nc = sc->n_cities;
    const cJSON *classes = cJSON_GetObjectItemCaseSensitive(root, "classes");
    size_t n_classes = 0;
    for (const cJSON *k = cJSON_IsObject(classes) ? classes->child : NULL; k; k = k->next)
        n_classes++;
    const char **names =
        (const char **)bf__malloc((nc > n_classes ? nc : n_classes) * sizeof *names + 1);
    if (names == NULL) {
        doc->oom = true;
        return false;
    }
    const cJSON *list;
    if ((list = cJSON_GetObjectItemCaseSensitive(sel, "cities")) != NULL) {
        for (size_t i = 0; i < nc; i++)
            names[i] = sc->city[i].name;
        ok = select_list(doc, list, "cities", names, nc, sc, match_name, keep) && ok;
    }
    if ((list = cJSON_GetObjectItemCaseSensitive(sel, "classes")) != NULL) {
        size_t n = 0;
        for (const cJSON *k = cJSON_IsObject(classes) ? classes->child : NULL; k; k = k->next)
            names[n++] = k->string;
        ok = select_list(doc, list, "classes", names, n, sc, match_class, keep) && ok;
    }
    if ((list = cJSON_GetObjectItemCaseSensitive(sel, "provinces")) != NULL) {
        size_t n = 0;
        for (size_t i = 0; i < nc; i++) {
            bool seen = sc->city[i].province[0] == '\0';
            for (size_t k = 0; k < n && !seen; k++)
                seen = strcmp(names[k], sc->city[i].province) == 0;
            if (!seen)
                names[n++] = sc->city[i].province;
        }
        ok = select_list(doc, list, "provinces", names, n, sc, match_province, keep) && ok;
    }
    bf__free((void *)names);
    if (!ok)
        return false;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < sc->n_cities; i++)
        kept += keep[i];
    if (kept == 0) {
        bf__problem(doc, sel, false, "select",
                    "keeps no city: name at least one city, class or province in \"cities\", "
                    "\"classes\" or \"provinces\"");
        return false;
    }
    /* A city the file with "select" (or a file extending it) changes or
     * adds, but the selection leaves out: the change would be lost
     * without a word. The cities only its parents write are what it
     * narrows -- and the cities of the first file of the chain, which
     * extends nothing, are the list itself. */
    const int sel_file = file_of(doc, sel);
    const cJSON *cities = cJSON_GetObjectItemCaseSensitive(root, "cities");
    uint32_t i = 0;
    for (const cJSON *c = cities ? cities->child : NULL; c != NULL && i < sc->n_cities;
         c = c->next, i++) {
        if (keep[i] || sel_file < 0)
            continue;
        int f = nearest_file(doc, c);
        if (f < 0 || f > sel_file || (unsigned)f + 1 >= doc->n_files)
            continue;
        const cJSON *at = first_from(doc, c, sel_file);
        const struct bf__pos *sp = bf__doc_pos(doc, sel);
        char path[BF_TEXT_MAX], line[BF_TEXT_MAX + 16] = "";
        snprintf(path, sizeof path, "cities[%u]", i);
        if (sp != NULL)
            snprintf(line, sizeof line, " (%s:%d)", doc->files[sel_file],
                     sp->key_line ? sp->key_line : sp->line);
        bf__problem(doc, at, at != NULL && at->string != NULL, path,
                    "city '%s' is %s here, but \"select\"%s does not keep it: name it in "
                    "\"select\", or leave it out of this file",
                    sc->city[i].name, f == file_of(doc, c) ? "added" : "changed", line);
        ok = false;
    }
    return ok;
}

void bf__scenario_keep(struct bf_scenario *sc, const bool *keep)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < sc->n_cities; i++) {
        if (!keep[i]) {
            bf__free(sc->city[i].params);
            continue;
        }
        if (n != i)
            sc->city[n] = sc->city[i];
        n++;
    }
    for (uint32_t i = n; i < sc->n_cities; i++)
        memset(&sc->city[i], 0, sizeof sc->city[i]);
    sc->n_cities = n;
}

/* ---- run --city ---- */

int bf_scenario_select(struct bf_scenario *sc, const char *const *names, size_t n, char *why,
                       size_t size)
{
    bool *keep = bf__calloc(sc->n_cities ? sc->n_cities : 1, sizeof *keep);
    const char **all = (const char **)bf__malloc((sc->n_cities + 1) * sizeof *all);
    if (keep == NULL || all == NULL) {
        bf__free(keep);
        bf__free((void *)all);
        snprintf(why, size, "out of memory");
        return BF_ENOMEM;
    }
    for (uint32_t i = 0; i < sc->n_cities; i++)
        all[i] = sc->city[i].name;
    for (size_t k = 0; k < n; k++) {
        bool found = false;
        for (uint32_t i = 0; i < sc->n_cities; i++)
            if (strcmp(sc->city[i].name, names[k]) == 0)
                found = keep[i] = true;
        if (found)
            continue;
        const char *s = bf__suggest(names[k], all, sc->n_cities);
        if (s != NULL)
            snprintf(why, size, "no city '%s' in scenario '%s'; did you mean '%s'?", names[k],
                     sc->name, s);
        else
            snprintf(why, size,
                     "no city '%s' in scenario '%s' (its cities are in cities.csv of a "
                     "run, or in the file's \"cities\")",
                     names[k], sc->name);
        bf__free(keep);
        bf__free((void *)all);
        return BF_EINVAL;
    }
    bf__free((void *)all);
    /* the name says what was kept: "default.Hefei.Wuhan", else a count and
     * a hash of the names ("default.5-cities.1a2b3c4d") */
    char name[sizeof sc->name];
    uint32_t kept = 0;
    size_t used = (size_t)snprintf(name, sizeof name, "%s", sc->name);
    struct bf_sha256 h;
    bf_sha256_init(&h);
    for (uint32_t i = 0; i < sc->n_cities; i++) {
        if (!keep[i])
            continue;
        kept++;
        bf_sha256_update(&h, sc->city[i].name, strlen(sc->city[i].name) + 1);
        if (used < sizeof name)
            used += (size_t)snprintf(name + used, sizeof name - used, ".%s", sc->city[i].name);
    }
    if (kept > 3 || used >= sizeof name) {
        uint8_t d[32];
        bf_sha256_final(&h, d);
        char tail[40];
        snprintf(tail, sizeof tail, ".%u-cities.%02x%02x%02x%02x", kept, d[0], d[1], d[2], d[3]);
        size_t base = strlen(sc->name), t = strlen(tail);
        if (base + t >= sizeof name)
            base = sizeof name - 1 - t; /* the scenario's name cut, its tail whole */
        while (base > 0 && ((unsigned char)sc->name[base] & 0xC0) == 0x80)
            base--; /* not inside a UTF-8 character */
        snprintf(name, sizeof name, "%.*s%s", (int)base, sc->name, tail);
    }
    memcpy(sc->name, name, sizeof name);
    snprintf(sc->selection, sizeof sc->selection, "%s",
             sc->selection[0] ? "select, --city" : "--city");
    bf__scenario_keep(sc, keep);
    bf__free(keep);
    return 0;
}
