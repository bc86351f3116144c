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
