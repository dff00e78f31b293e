/*
 * jansson helpers (see json_text.h). jansson reports running out of memory
 * as NULL or -1 from every call; refunds treats that as the arena does and
 * aborts, so callers need no error paths for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"

json_t *rf_json_must(json_t *v)
{
    if (v == NULL)
        abort();
    return v;
}

void rf_json_set(json_t *obj, const char *key, json_t *v)
{
    if (json_object_set_new(obj, key, rf_json_must(v)) != 0)
        abort();
}

void rf_json_append(json_t *array, json_t *v)
{
    if (json_array_append_new(array, rf_json_must(v)) != 0)
        abort();
}

char *rf_json_canonical(struct rf_arena *a, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY), *copy;

    if (s == NULL)
        abort();
    copy = rf_arena_strdup(a, s);
    free(s);
    return copy;
}

static int compare_keys(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

const char **rf_json_sorted_keys(struct rf_arena *a, json_t *obj, size_t *n)
{
    const char **keys = rf_arena_calloc(a, json_object_size(obj) + 1, sizeof *keys);
    const char *key;
    json_t *v;

    *n = 0;
    json_object_foreach(obj, key, v) keys[(*n)++] = key;
    qsort(keys, *n, sizeof *keys, compare_keys);
    return keys;
}

void rf_json_error_text(const json_error_t *e, char *buf, size_t size)
{
    int n = snprintf(buf, size, "line %d, column %d: %s", e->line, e->column, e->text);

    for (size_t i = 0; n > 0 && i < (size_t)n && i + 1 < size; i++)
        if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
            buf[i] = '?';
}
