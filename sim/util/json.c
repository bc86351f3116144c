/*
 * json.c - cJSON through bf__malloc (json.h).
 */
#include "borderflow/json.h"

#include <math.h>
#include <pthread.h>

#include "borderflow/alloc.h"

static _Thread_local bool json_oom;

static void *json_malloc(size_t n)
{
    void *p = bf__malloc(n);
    if (p == NULL)
        json_oom = true;
    return p;
}

static void init_hooks(void)
{
    cJSON_Hooks h = {.malloc_fn = json_malloc, .free_fn = bf__free};
    cJSON_InitHooks(&h);
}

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

void bf_json_init(void)
{
    pthread_once(&hooks_once, init_hooks);
}

cJSON *bf_json_parse(const char *text, size_t len, bool *oom, size_t *err_off)
{
    bf_json_init();
    const char *end = NULL;
    json_oom = false;
    /* cJSON wants the terminator inside the length to accept the end */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (oom != NULL)
        *oom = root == NULL && json_oom;
    if (root == NULL && err_off != NULL) {
        size_t off = end != NULL && end >= text ? (size_t)(end - text) : 0;
        *err_off = off > len ? len : off;
    }
    return root;
}

const char *bf_json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double bf_json_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : (double)NAN;
}

void bf_json_position(const char *text, size_t off, int *line, int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *column = c;
}
