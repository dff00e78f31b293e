/*
 * The generic JSON diff behind `refundctl policy diff V1 V2` (see
 * rf_policy_diff in policy.h): two documents of any shape compared value by
 * value, each difference a path with the old and new values as compact
 * JSON. It knows nothing of the policy schema, so a document that an older
 * schema wrote diffs as well as a current one. Not for patching documents.
 */
#include <string.h>

#include "json_text.h"
#include "policy.h"

/* The changes found so far by a diff, growing in the arena. */
struct changes {
    struct rf_arena *a;
    struct rf_policy_change *v;
    size_t n, cap;
};

static void add_change(struct changes *c, const char *path, const json_t *old, const json_t *new)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        struct rf_policy_change *v = rf_arena_calloc(c->a, cap, sizeof *v);

        if (c->n > 0)
            memcpy(v, c->v, c->n * sizeof *v);
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n].path = rf_arena_strdup(c->a, path);
    c->v[c->n].old_value = old != NULL ? rf_json_canonical(c->a, old) : NULL;
    c->v[c->n].new_value = new != NULL ? rf_json_canonical(c->a, new) : NULL;
    c->n++;
}

/* True when key can be written after a '.' in a path. */
static bool plain_key(const char *key)
{
    if (*key == '\0')
        return false;
    for (; *key != '\0'; key++)
        if (!((*key >= 'a' && *key <= 'z') || (*key >= 'A' && *key <= 'Z') ||
              (*key >= '0' && *key <= '9') || *key == '_' || *key == '-'))
            return false;
    return true;
}

/* The path of member key of the object at path. */
static char *key_path(struct rf_arena *a, const char *path, const char *key)
{
    json_t *quoted;
    char *s;

    if (plain_key(key))
        return rf_arena_printf(a, "%s%s%s", path, *path != '\0' ? "." : "", key);
    quoted = rf_json_must(json_string(key));
    s = rf_arena_printf(a, "%s[%s]", path, rf_json_canonical(a, quoted));
    json_decref(quoted);
    return s;
}

static void diff_value(struct changes *c, const char *path, json_t *old, json_t *new);

static void diff_object(struct changes *c, const char *path, json_t *old, json_t *new)
{
    size_t n_old, n_new, i = 0, j = 0;
    const char **ko = rf_json_sorted_keys(c->a, old, &n_old),
               **kn = rf_json_sorted_keys(c->a, new, &n_new);

    while (i < n_old || j < n_new) {
        int cmp = i == n_old ? 1 : j == n_new ? -1 : strcmp(ko[i], kn[j]);

        if (cmp < 0) {
            add_change(c, key_path(c->a, path, ko[i]), json_object_get(old, ko[i]), NULL);
            i++;
        } else if (cmp > 0) {
            add_change(c, key_path(c->a, path, kn[j]), NULL, json_object_get(new, kn[j]));
            j++;
        } else {
            diff_value(c, key_path(c->a, path, ko[i]), json_object_get(old, ko[i]),
                       json_object_get(new, kn[j]));
            i++;
            j++;
        }
    }
}

static void diff_array(struct changes *c, const char *path, json_t *old, json_t *new)
{
    size_t n_old = json_array_size(old), n_new = json_array_size(new);

    for (size_t i = 0; i < n_old || i < n_new; i++) {
        char *p = rf_arena_printf(c->a, "%s[%zu]", path, i);

        if (i >= n_new)
            add_change(c, p, json_array_get(old, i), NULL);
        else if (i >= n_old)
            add_change(c, p, NULL, json_array_get(new, i));
        else
            diff_value(c, p, json_array_get(old, i), json_array_get(new, i));
    }
}

static void diff_value(struct changes *c, const char *path, json_t *old, json_t *new)
{
    if (json_equal(old, new))
        return;
    if (json_is_object(old) && json_is_object(new))
        diff_object(c, path, old, new);
    else if (json_is_array(old) && json_is_array(new))
        diff_array(c, path, old, new);
    else
        add_change(c, path, old, new);
}

/* Parses the len bytes at json; NULL, with err saying which (name) and why, when it is not JSON. */
static json_t *load(const char *name, const char *json, size_t len, struct rf_error *err)
{
    json_error_t jerr;
    json_t *v = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    char where[sizeof jerr.text + 64];

    if (v == NULL) {
        rf_json_error_text(&jerr, where, sizeof where);
        rf_fail(err, RF_INVALID_ARGUMENT, "%s: not JSON: %s", name, where);
    }
    return v;
}

enum rf_code rf_policy_diff(const char *old_json, size_t old_len, const char *new_json,
                            size_t new_len, struct rf_arena *a, struct rf_policy_change **out,
                            size_t *n, struct rf_error *err)
{
    struct changes c = {.a = a};
    json_t *old = load("old", old_json, old_len, err), *new = NULL;
    enum rf_code rc = RF_INVALID_ARGUMENT;

    if (old == NULL)
        goto out;
    new = load("new", new_json, new_len, err);
    if (new == NULL)
        goto out;
    diff_value(&c, "", old, new);
    *out = c.v;
    *n = c.n;
    rc = RF_OK;
out:
    json_decref(old);
    json_decref(new);
    return rc;
}
