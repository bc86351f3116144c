/*
 * json.h - cJSON through the project's allocator.
 *
 * cJSON's allocation hooks are process-wide, so one module installs them
 * for every layer that parses JSON (the scenario files; the results
 * folder's summary.json and run.json for the charts and the report).
 * Through them the allocation-failure tests reach cJSON too, and a parse
 * that failed for want of memory can be told from one that met bad text.
 */
#ifndef BORDERFLOW_JSON_H
#define BORDERFLOW_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Installs the hooks (once; thread-safe). Call before any cJSON use. */
void bf_json_init(void);

/* Parses text[0..len) (text[len] must be NUL), requiring nothing but
 * white space after the value. NULL on failure: then *oom says whether an
 * allocation failed, and *err_off (if not NULL) is the offset cJSON
 * stopped at. */
cJSON *bf_json_parse(const char *text, size_t len, bool *oom, size_t *err_off);

/* The string member `key` of object o, or NULL when absent or not a string. */
const char *bf_json_str(const cJSON *o, const char *key);
/* The number member `key` of o, or NaN. */
double bf_json_num(const cJSON *o, const char *key);

/* Line and column (1-based, columns in bytes) of offset off in text. */
void bf_json_position(const char *text, size_t off, int *line, int *column);

#endif
