/*
 * internal.h - JSON documents with source positions, shared by the
 * scenario loader's files. Only the scenario layer includes cJSON.
 */
#ifndef BF_SCENARIO_INTERNAL_H
#define BF_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "borderflow/scenario.h"

/* Where a node came from. */
struct bf__pos {
    const cJSON *node;
    uint16_t file;         /* index into bf__doc.files */
    int line, col;         /* of the value */
    int key_line, key_col; /* of the member name, for object members */
};

#define BF__MAX_FILES (BF_MAX_EXTENDS_DEPTH + 1)

/* One scenario with the files it extends, merged into one tree. */
struct bf__doc {
    cJSON *root;                 /* merged tree (owns every node) */
    cJSON *spare[BF__MAX_FILES]; /* emptied source trees to delete */
    char files[BF__MAX_FILES][BF_TEXT_MAX];
    unsigned n_files;
    uint64_t file_id[BF__MAX_FILES][2]; /* device and inode, {0, 0} for text */
    struct bf__pos *pos;                /* open addressing by node pointer */
    size_t pos_cap, pos_n;
    uint8_t sha[32]; /* running hash of the bytes read */
    void *sha_ctx;
    struct bf_problems *problems;
    bool oom;
    uint64_t merge_steps; /* names compared while merging "extends" (json.c) */
};

/* Reads path (or text) and every file it extends; merges them. Problems go
 * to doc->problems. Returns 0, or the first fatal code (the tree is then
 * unusable). */
int bf__doc_load_file(struct bf__doc *doc, const char *path);
int bf__doc_load_text(struct bf__doc *doc, const char *name, const char *text, size_t len);
void bf__doc_fini(struct bf__doc *doc);

/* Position of a node (value), or NULL. */
const struct bf__pos *bf__doc_pos(const struct bf__doc *doc, const cJSON *node);

/* Adds a problem at node (its value, or its key with at_key). */
void bf__problem(struct bf__doc *doc, const cJSON *node, bool at_key, const char *path,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Whether no more problems are kept (the rest are only counted): a caller
 * may then skip the work of wording one. */
bool bf__problems_full(const struct bf__doc *doc);

/* Hex SHA-256 of what was read so far. */
void bf__doc_sha256_hex(struct bf__doc *doc, char out[65]);

/* ---- compose.c: composition rules and suggestions ---- */

/* Edit distance for "did you mean": Levenshtein with a swap of neighbours
 * as one edit, ASCII case ignored, capped at 64. */
size_t bf__edit_distance(const char *a, const char *b);
/* The closest of names[0..n) to s if close enough, else NULL. */
const char *bf__suggest(const char *s, const char *const *names, size_t n);

/* Checks one file's tree on its own, before it is merged: every key
 * written twice in an object is a problem, located in that file. */
void bf__compose_check_file(struct bf__doc *doc, const cJSON *root);

/*
 * Merging a file onto the scenario it extends (its parent): an entry of the
 * file -- a city (the index-th of its "cities"), a policy or a class -- and
 * the parent's entry of that name, `same`, or NULL when the parent has none
 * (`parent` is the parent's "cities" array or its "policies" or "classes"
 * object, NULL when it has none). A new name is a problem unless the entry
 * says "add": true, with the parent's closest name; "add": true on a name
 * the parent has is one too; and so is a city named twice in one file.
 */
enum bf__entry { BF__ENTRY_CITY, BF__ENTRY_POLICY, BF__ENTRY_CLASS };
void bf__compose_entry(struct bf__doc *doc, enum bf__entry kind, const cJSON *parent,
                       const cJSON *same, const cJSON *entry, int index);

/* A city's volume is one choice: when the file's entry `over` gives one
 * (shipments_per_day, arrivals.shipments_per_day or an annual export
 * value), the parent's entry `same` lets go of its own. */
void bf__compose_volume(struct bf__doc *doc, cJSON *same, const cJSON *over);

/*
 * "select" of the merged scenario, whose cities' names, classes and
 * provinces are read: sets keep[i] for each of sc's cities it keeps (any
 * city named, or of a class or province named). False, after reporting
 * why, when it names what does not exist, keeps no city, or drops a city
 * that the file holding it (or a file extending that one) changes.
 */
bool bf__compose_select(struct bf__doc *doc, const cJSON *root, const struct bf_scenario *sc,
                        bool *keep);

/* Drops the cities whose keep[i] is false (freeing their rules) and moves
 * the others down, in order. */
void bf__scenario_keep(struct bf_scenario *sc, const bool *keep);

#endif
