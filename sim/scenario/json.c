/*
 * json.c - scenario files read and parsed into JSON trees, with source
 * positions (position.c) and located problems (diag.c); "extends".
 *
 * Merging a scenario onto the one it extends moves nodes between trees
 * without copying them, so positions stay true.
 */
/* realpath() is an XSI function, beyond the project's _POSIX_C_SOURCE */
#define _XOPEN_SOURCE 700

#include "borderflow/json.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "borderflow/alloc.h"
#include "borderflow/sha256.h"

#include "internal.h"

/* ---- reading and parsing one file ---- */

/* Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

/*
 * Parses text as file number `file`; NULL with a problem on failure.
 *
 * A file reached through "extends" (file > 0) is named by the scenario,
 * not by whoever runs the program, who may not be allowed to read it: a
 * service validating uploaded scenarios as root was made to show the first
 * word of /etc/shadow ("JSON syntax error near 'root:$6$...'"). So the
 * messages about such a file never quote its text -- no word, no byte --
 * only where the mistake is; the file given on the command line, which the
 * user could read anyway, is quoted as before.
 */
static cJSON *parse(struct bf__doc *doc, const char *name, const char *text, size_t len,
                    uint16_t file, int *rc)
{
    const bool quote = file == 0;
    bf_sha256_update(doc->sha_ctx, text, len);
    size_t bad = utf8_invalid_at((const unsigned char *)text, len);
    if (bad < len) {
        int l, c;
        bf__line_col(text, bad, &l, &c);
        if (quote)
            bf__problem_at(doc, name, l, c, "the file is not valid UTF-8 text (byte 0x%02x)",
                           (unsigned)(unsigned char)text[bad]);
        else
            bf__problem_at(doc, name, l, c,
                           "the file is not valid UTF-8 text: not a scenario file");
        *rc = BF_EPARSE;
        return NULL;
    }
    if (memchr(text, '\0', len) != NULL) {
        bf__problem_at(doc, name, 0, 0, "the file contains a NUL byte; it is not a text file");
        *rc = BF_EPARSE;
        return NULL;
    }
    /* text[len] is NUL (read_file and load_chain make sure) */
    bool oom;
    size_t off = 0;
    cJSON *root = bf_json_parse(text, len, &oom, &off);
    if (root == NULL) {
        if (oom) {
            *rc = BF_ENOMEM;
            return NULL;
        }
        int l, c;
        char why[160];
        if (bf__syntax_error(text, len, &off, why, sizeof why)) {
            bf__line_col(text, off, &l, &c);
            if (quote)
                bf__problem_at(doc, name, l, c, "JSON syntax error: %s", why);
            else
                bf__problem_at(doc, name, l, c,
                               "JSON syntax error: not a scenario file (the text of a file reached "
                               "through \"extends\" is not shown)");
            *rc = BF_EPARSE;
            return NULL;
        }
        bf__line_col(text, off, &l, &c);
        if (!quote) {
            bf__problem_at(doc, name, l, c,
                           "JSON syntax error: not a scenario file (the text of a file reached "
                           "through \"extends\" is not shown)");
            *rc = BF_EPARSE;
            return NULL;
        }
        char near[24] = "";
        size_t k = 0;
        for (size_t j = off; j < len && k + 1 < sizeof near && text[j] != '\n'; j++)
            near[k++] = (char)((unsigned char)text[j] < 0x20 ? ' ' : text[j]);
        near[k] = '\0';
        if (off >= len)
            bf__problem_at(doc, name, l, c,
                           "JSON syntax error: the text ends too early (an unclosed object, "
                           "array or string?)");
        else
            bf__problem_at(doc, name, l, c,
                           "JSON syntax error near '%s' (JSON allows objects, arrays, strings in "
                           "double quotes, numbers, true, false and null; no comments, trailing "
                           "commas, NaN or Infinity; nesting at most %d deep)",
                           near, CJSON_NESTING_LIMIT);
        *rc = BF_EPARSE;
        return NULL;
    }
    struct bf__scan sc = {.s = text, .n = len, .line = 1, .col = 1};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        sc.i = 3; /* cJSON skips a byte-order mark too */
    bf__scan_value(doc, &sc, root, file);
    if (doc->oom) {
        cJSON_Delete(root);
        *rc = BF_ENOMEM;
        return NULL;
    }
    /* cJSON keeps strings NUL-terminated: "\u0000" ended a name or a key
     * there, silently ("Hefei\u0000x" was Hefei). An error, as a syntax
     * error is: the rest of the file is not read as something else. */
    if (sc.nul_line != 0) {
        bf__problem_at(doc, name, sc.nul_line, sc.nul_col,
                       "\\u0000 (the NUL character) is not allowed in a string or a key: the text "
                       "would end there");
        cJSON_Delete(root);
        *rc = BF_EPARSE;
        return NULL;
    }
    return root;
}

static int read_file(struct bf__doc *doc, const char *path, char **text, size_t *len,
                     uint64_t id[2])
{
    /* opening a FIFO blocks until something writes to it: refuse anything
     * but a regular file before opening (fstat below checks what opened) */
    struct stat pre;
    if (stat(path, &pre) == 0 && !S_ISREG(pre.st_mode)) {
        bf__problem_at(doc, path, 0, 0, "not a regular file");
        return BF_EIO;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int e = errno;
        bf__problem_at(doc, path, 0, 0, "cannot open the file: %s", strerror(e));
        return e == ENOENT ? BF_ENOENT : BF_EIO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        bf__problem_at(doc, path, 0, 0, "not a regular file");
        return BF_EIO;
    }
    if ((uint64_t)st.st_size > BF_MAX_FILE_BYTES) {
        fclose(f);
        bf__problem_at(doc, path, 0, 0,
                       "the file is %lld bytes; scenario files may be at most %u bytes",
                       (long long)st.st_size, (unsigned)BF_MAX_FILE_BYTES);
        return BF_ELIMIT;
    }
    id[0] = (uint64_t)st.st_dev;
    id[1] = (uint64_t)st.st_ino;
    size_t n = (size_t)st.st_size;
    char *buf = bf__malloc(n + 1);
    if (buf == NULL) {
        fclose(f);
        return BF_ENOMEM;
    }
    size_t got = fread(buf, 1, n, f);
    int err = ferror(f);
    fclose(f);
    if (got != n || err) {
        bf__free(buf);
        bf__problem_at(doc, path, 0, 0, "could not read the whole file");
        return BF_EIO;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* ---- merging ---- */

/*
 * Merging looks up, for each member of the file above, the member of the
 * same name below it (and for each city, the city of the same name): by a
 * linear scan that was quadratic -- two files of 70 000 cities took 39 s,
 * two of 16 MiB would have taken hours, before the count of cities was
 * even checked. An object (or the cities' array) of more than INDEX_MIN
 * entries is indexed once per merge instead: open addressing on the name,
 * the first entry of a name kept, as cJSON_GetObjectItemCaseSensitive
 * finds the first. Smaller ones keep the scan: no allocation for the
 * dozens of small sections of a scenario. doc->merge_steps counts name
 * comparisons and probes, so a test can hold the merge to linear work
 * without timing it.
 */
#define INDEX_MIN 8

struct name_slot {
    const char *name; /* NULL: empty */
    cJSON *node;
};

struct name_index {
    struct name_slot *slot; /* NULL: no index, scan */
    size_t cap;             /* a power of two, at least twice the entries */
    bool cities;            /* entries are cities, named by their "name" member */
};

/* The name an entry is looked up by: a member's key, or a city's name
 * (NULL for an entry that is not an object with a string name). */
static const char *entry_name(const struct name_index *ix, const cJSON *e)
{
    if (!ix->cities)
        return e->string;
    const cJSON *n = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "name") : NULL;
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

static size_t name_hash(const char *s, size_t cap)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (size_t)(h ^ h >> 29) & (cap - 1);
}

/* The slot of `name`: its entry, or the empty slot where it would go. */
static struct name_slot *index_slot(struct bf__doc *doc, const struct name_index *ix,
                                    const char *name)
{
    size_t j = name_hash(name, ix->cap);
    for (;; j = (j + 1) & (ix->cap - 1)) {
        doc->merge_steps++;
        if (ix->slot[j].name == NULL || strcmp(ix->slot[j].name, name) == 0)
            return &ix->slot[j];
    }
}

/* Entry e answers for its name from now on (replace), or unless an
 * earlier entry does. */
static void index_put(struct bf__doc *doc, struct name_index *ix, cJSON *e, bool replace)
{
    const char *name = ix->slot != NULL ? entry_name(ix, e) : NULL;
    if (name == NULL)
        return;
    struct name_slot *at = index_slot(doc, ix, name);
    if (at->name == NULL || replace)
        *at = (struct name_slot){name, e};
}

/* Indexes the entries of `parent` when they and the `more` to come are
 * many; without memory (doc->oom is set) the caller scans instead. */
static void index_init(struct bf__doc *doc, struct name_index *ix, const cJSON *parent, size_t more)
{
    size_t n = 0;
    for (const cJSON *e = parent->child; e != NULL; e = e->next)
        n++;
    if (n + more <= INDEX_MIN)
        return;
    ix->cap = 16;
    while (ix->cap < 2 * (n + more))
        ix->cap *= 2;
    ix->slot = bf__calloc(ix->cap, sizeof *ix->slot);
    if (ix->slot == NULL) {
        doc->oom = true;
        return;
    }
    for (cJSON *e = parent->child; e != NULL; e = e->next)
        index_put(doc, ix, e, false);
}

/* The first entry of parent named `name`: by the index when there is one. */
static cJSON *find_entry(struct bf__doc *doc, const struct name_index *ix, const cJSON *parent,
                         const char *name)
{
    if (ix->slot != NULL)
        return index_slot(doc, ix, name)->node;
    for (cJSON *e = parent->child; e != NULL; e = e->next) {
        doc->merge_steps++;
        const char *en = entry_name(ix, e);
        if (en != NULL && strcmp(en, name) == 0)
            return e;
    }
    return NULL;
}

static size_t count_entries(const cJSON *parent)
{
    size_t n = 0;
    for (const cJSON *e = parent->child; e != NULL; e = e->next)
        n++;
    return n;
}

/* What the object being merged is: the entries of some of them are
 * checked by name (compose.c). */
enum level { L_ROOT, L_POLICIES, L_CLASSES, L_OTHER };

static void merge(struct bf__doc *doc, cJSON *base, cJSON *over, enum level level);

static void merge_cities(struct bf__doc *doc, cJSON *base, cJSON *over)
{
    struct name_index ix = {.cities = true};
    index_init(doc, &ix, base, count_entries(over));
    cJSON *c = over->child;
    int i = 0;
    while (c != NULL) {
        cJSON *next = c->next;
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
        const bool named = cJSON_IsObject(c) && cJSON_IsString(nm);
        struct name_slot *at =
            named && ix.slot != NULL ? index_slot(doc, &ix, nm->valuestring) : NULL;
        cJSON *same = at != NULL ? at->node
                      : named    ? find_entry(doc, &ix, base, nm->valuestring)
                                 : NULL;
        if (named)
            bf__compose_entry(doc, BF__ENTRY_CITY, base, same, c, i);
        if (same != NULL) {
            bf__compose_volume(doc, same, c);
            merge(doc, same, c, L_OTHER);
            /* its "name" member was replaced by the equal one of c, which
             * freed the string the index held: hold the new one */
            if (at != NULL)
                at->name = entry_name(&ix, same);
        } else {
            cJSON_DetachItemViaPointer(over, c);
            cJSON_AddItemToArray(base, c);
            index_put(doc, &ix, c, false);
        }
        c = next;
        i++;
    }
    bf__free(ix.slot);
}

/* Overlays `over` onto `base`: objects merge member by member, cities by
 * name, everything else is replaced (and "select", which is one choice,
 * not a set of settings). Nodes move from over into base. */
static void merge(struct bf__doc *doc, cJSON *base, cJSON *over, enum level level)
{
    struct name_index ix = {.cities = false};
    index_init(doc, &ix, base, count_entries(over));
    cJSON *c = over->child;
    while (c != NULL) {
        cJSON *next = c->next;
        const bool root = level == L_ROOT;
        if (root && strcmp(c->string, "extends") == 0) {
            c = next;
            continue;
        }
        cJSON *old = find_entry(doc, &ix, base, c->string);
        if (level == L_POLICIES || level == L_CLASSES)
            bf__compose_entry(doc, level == L_POLICIES ? BF__ENTRY_POLICY : BF__ENTRY_CLASS, base,
                              old, c, -1);
        if (old != NULL && cJSON_IsObject(old) && cJSON_IsObject(c) &&
            !(root && strcmp(c->string, "select") == 0)) {
            enum level sub = !root                                ? L_OTHER
                             : strcmp(c->string, "policies") == 0 ? L_POLICIES
                             : strcmp(c->string, "classes") == 0  ? L_CLASSES
                                                                  : L_OTHER;
            merge(doc, old, c, sub);
        } else if (old != NULL && root && strcmp(c->string, "cities") == 0 && cJSON_IsArray(old) &&
                   cJSON_IsArray(c)) {
            merge_cities(doc, old, c);
        } else {
            if (old == NULL && root && cJSON_IsObject(c) &&
                (strcmp(c->string, "policies") == 0 || strcmp(c->string, "classes") == 0)) {
                /* none in the parent: each one is new */
                const enum bf__entry k = c->string[0] == 'p' ? BF__ENTRY_POLICY : BF__ENTRY_CLASS;
                for (const cJSON *e = c->child; e != NULL; e = e->next)
                    bf__compose_entry(doc, k, NULL, NULL, e, -1);
            }
            cJSON_DetachItemViaPointer(over, c);
            if (old != NULL) {
                /* the index lets go of old (and its key) before it is freed */
                index_put(doc, &ix, c, true);
                cJSON_ReplaceItemViaPointer(base, old, c);
            } else if (cJSON_AddItemToObject(base, c->string, c)) {
                index_put(doc, &ix, c, false);
            } else {
                cJSON_Delete(c); /* the key could not be copied */
                doc->oom = true;
            }
        }
        c = next;
    }
    bf__free(ix.slot);
}

/* Directory part of path ("" for none), with its trailing slash. */
static void dir_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path + 1) : 0;
    if (n >= size)
        n = size - 1;
    memcpy(out, path, n);
    out[n] = '\0';
}

/* Whether a path's last component ends in ".json" (and has a name before it). */
static bool json_named(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    return n > 5 && strcmp(base + n - 5, ".json") == 0;
}

/*
 * What `path` (stat as st) is, for "extends": 0 a regular file whose real
 * name, past any symbolic links, ends in .json; 1 not a regular file (a
 * folder, a FIFO, a device); 2 a link to a file named otherwise.
 */
static int file_kind(const char *path, const struct stat *st)
{
    if (!S_ISREG(st->st_mode))
        return 1;
    struct stat lst;
    if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode))
        return 0;
    char *real = realpath(path, NULL);
    int kind = real != NULL && json_named(real) ? 0 : 2;
    free(real); /* realpath's malloc, not the project's allocator */
    return kind;
}

static int load_chain(struct bf__doc *doc, const char *path, const char *text, size_t len,
                      cJSON **out)
{
    if (doc->n_files == BF__MAX_FILES) {
        bf__problem_at(
            doc, path, 0, 0,
            "\"extends\" goes more than %d files deep (a cycle?); at most %d are allowed",
            BF_MAX_EXTENDS_DEPTH, BF_MAX_EXTENDS_DEPTH);
        return BF_ELIMIT;
    }
    for (unsigned k = 0; k < doc->n_files; k++)
        if (strcmp(doc->files[k], path) == 0) {
            bf__problem_at(doc, path, 0, 0, "\"extends\" forms a cycle through this file");
            return BF_EINVAL;
        }
    uint16_t idx = (uint16_t)doc->n_files++;
    snprintf(doc->files[idx], sizeof doc->files[idx], "%s", path);
    char *owned = NULL;
    int rc = 0;
    if (text == NULL) {
        if ((rc = read_file(doc, path, &owned, &len, doc->file_id[idx])) != 0)
            return rc;
    } else {
        /* text from memory need not end in NUL: work on a terminated copy */
        owned = bf__malloc(len + 1);
        if (owned == NULL)
            return BF_ENOMEM;
        memcpy(owned, text, len);
        owned[len] = '\0';
    }
    text = owned;
    cJSON *root = parse(doc, path, text, len, idx, &rc);
    bf__free(owned);
    if (root == NULL)
        return rc;
    if (!cJSON_IsObject(root)) {
        bf__problem(doc, root, false, "",
                    "a scenario is a JSON object ({ ... }) with at least \"name\"");
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    /* each file on its own: the merge keeps one of two equal keys */
    bf__compose_check_file(doc, root);
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(root, "extends");
    if (ext == NULL) {
        *out = root;
        return 0;
    }
    if (!cJSON_IsString(ext) || ext->valuestring[0] == '\0') {
        bf__problem(doc, ext, false, "extends",
                    "must be the path of another scenario file, relative to this one");
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    char base_path[2 * BF_TEXT_MAX];
    if (ext->valuestring[0] == '/') {
        snprintf(base_path, sizeof base_path, "%s", ext->valuestring);
    } else {
        char dir[BF_TEXT_MAX];
        dir_of(path, dir, sizeof dir);
        snprintf(base_path, sizeof base_path, "%s%s", dir, ext->valuestring);
    }
    if (strlen(base_path) >= BF_TEXT_MAX) {
        bf__problem(doc, ext, false, "extends", "the path is too long (at most %d bytes)",
                    BF_TEXT_MAX - 1);
        cJSON_Delete(root);
        return BF_ELIMIT;
    }
    /* Only a scenario file: a regular file named *.json (and, through a
     * symbolic link, one whose target is named so too). Checked from the
     * name first, so that nothing else -- /etc/shadow -- is even looked
     * up: the message would say whether it exists. */
    if (!json_named(base_path)) {
        bf__problem(doc, ext, false, "extends",
                    "names another scenario file: a path ending in .json, relative to the file "
                    "it is written in");
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    /* Check here, where the "extends" is written, so the message can point
     * at it: the file must exist, and be none of the chain (compared by
     * device and inode: "a.json" and "sub/../a.json" are one file). */
    struct stat st;
    if (stat(base_path, &st) != 0) {
        int e = errno;
        bf__problem(doc, ext, false, "extends",
                    "cannot open '%s': %s (a path in \"extends\" is relative to the file "
                    "it is written in)",
                    base_path, strerror(e));
        cJSON_Delete(root);
        return e == ENOENT ? BF_ENOENT : BF_EIO;
    }
    int kind = file_kind(base_path, &st);
    if (kind != 0) {
        bf__problem(doc, ext, false, "extends",
                    kind == 1 ? "'%s' is not a regular file: \"extends\" names a scenario file"
                              : "'%s' is a link to a file not named *.json: \"extends\" names "
                                "a scenario file",
                    base_path);
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    for (unsigned k = 0; k < doc->n_files; k++) {
        bool same = strcmp(doc->files[k], base_path) == 0 ||
                    (doc->file_id[k][1] != 0 && doc->file_id[k][0] == (uint64_t)st.st_dev &&
                     doc->file_id[k][1] == (uint64_t)st.st_ino);
        if (!same)
            continue;
        char chain[BF_TEXT_MAX] = "";
        size_t used = 0;
        for (unsigned j = 0; j < doc->n_files && used < sizeof chain; j++)
            used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ", doc->files[j]);
        if (used < sizeof chain)
            snprintf(chain + used, sizeof chain - used, "%s", base_path);
        bf__problem(doc, ext, false, "extends",
                    "\"%s\" closes a cycle (%s): a scenario cannot extend itself, directly "
                    "or through others",
                    ext->valuestring, chain);
        cJSON_Delete(root);
        return BF_EINVAL;
    }
    if (doc->n_files == BF__MAX_FILES) {
        bf__problem(doc, ext, false, "extends",
                    "a chain of \"extends\" may be at most %d files deep, not counting the "
                    "first",
                    BF_MAX_EXTENDS_DEPTH);
        cJSON_Delete(root);
        return BF_ELIMIT;
    }
    cJSON *base = NULL;
    rc = load_chain(doc, base_path, NULL, 0, &base);
    if (rc != 0) {
        if (rc == BF_ENOENT || rc == BF_EIO)
            bf__problem(doc, ext, false, "extends", "the scenario it extends cannot be read");
        cJSON_Delete(root);
        return rc;
    }
    merge(doc, base, root, L_ROOT);
    doc->spare[idx] = root; /* emptied of what moved; freed at the end */
    *out = base;
    return 0;
}

static int doc_start(struct bf__doc *doc)
{
    bf_json_init();
    struct bf_problems *keep = doc->problems;
    memset(doc, 0, sizeof *doc);
    doc->problems = keep;
    doc->sha_ctx = bf__malloc(sizeof(struct bf_sha256));
    if (doc->sha_ctx == NULL)
        return BF_ENOMEM;
    bf_sha256_init(doc->sha_ctx);
    return 0;
}

int bf__doc_load_file(struct bf__doc *doc, const char *path)
{
    int rc = doc_start(doc);
    if (rc != 0)
        return rc;
    if (strlen(path) >= BF_TEXT_MAX) {
        bf__problem_at(doc, "", 0, 0, "the path '%.64s...' is too long (at most %d bytes)", path,
                       BF_TEXT_MAX - 1);
        return BF_ELIMIT;
    }
    rc = load_chain(doc, path, NULL, 0, &doc->root);
    return doc->oom ? BF_ENOMEM : rc;
}

int bf__doc_load_text(struct bf__doc *doc, const char *name, const char *text, size_t len)
{
    int rc = doc_start(doc);
    if (rc != 0)
        return rc;
    if (len > BF_MAX_FILE_BYTES) {
        bf__problem_at(doc, name, 0, 0, "the text is %zu bytes; at most %u are allowed", len,
                       (unsigned)BF_MAX_FILE_BYTES);
        return BF_ELIMIT;
    }
    rc = load_chain(doc, name, text, len, &doc->root);
    return doc->oom ? BF_ENOMEM : rc;
}

void bf__doc_sha256_hex(struct bf__doc *doc, char out[65])
{
    uint8_t h[32];
    bf_sha256_final(doc->sha_ctx, h);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

void bf__doc_fini(struct bf__doc *doc)
{
    cJSON_Delete(doc->root);
    for (unsigned k = 0; k < BF__MAX_FILES; k++)
        cJSON_Delete(doc->spare[k]);
    bf__free(doc->pos);
    bf__free(doc->sha_ctx);
    doc->root = NULL;
    doc->pos = NULL;
    doc->sha_ctx = NULL;
}
