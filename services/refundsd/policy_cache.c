/*
 * The per-process cache of parsed policy versions (see policy_cache.h): a
 * small array under a mutex, each policy in its own arena. Lookups are rare
 * enough (one per evaluation, escalation or decision) that one lock is no
 * contention.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "policy_cache.h"
#include "policy_store.h"
#include "refunds/xalloc.h"

/* Versions kept; a server sees few, and the oldest are rarely asked for again. */
#define CACHED_MAX 64

struct entry {
    struct rf_arena *arena;
    struct rf_policy *policy;
};

struct rf_policy_cache {
    pthread_mutex_t lock;
    struct entry entries[CACHED_MAX];
    size_t n;
    const struct rf_policy *latest;
};

struct rf_policy_cache *rf_policy_cache_create(void)
{
    struct rf_policy_cache *c = rf_xcalloc(1, sizeof *c);

    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void rf_policy_cache_destroy(struct rf_policy_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        rf_arena_destroy(c->entries[i].arena);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static const struct rf_policy *find(struct rf_policy_cache *c, int64_t version)
{
    const struct rf_policy *found = NULL;

    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n && found == NULL; i++)
        if (c->entries[i].policy->version == version)
            found = c->entries[i].policy;
    pthread_mutex_unlock(&c->lock);
    return found;
}

/* Parses row's document into a, as version; DATA_LOSS when it does not parse. */
static enum rf_code parse(struct rf_ctx *ctx, struct rf_arena *a, const char *document,
                          int64_t version, struct rf_policy **out)
{
    struct rf_error perr;

    rf_error_clear(&perr);
    if (rf_policy_parse(a, document, strlen(document), out, &perr) != RF_OK) {
        rf_error_detail(&ctx->err, "stored policy version %lld: %s", (long long)version,
                        perr.message);
        return rf_fail(&ctx->err, RF_DATA_LOSS,
                       "stored policy version %lld does not parse with this server's schema",
                       (long long)version);
    }
    (*out)->version = version;
    return RF_OK;
}

enum rf_code rf_policy_cache_get(struct rf_policy_cache *c, struct rf_ctx *ctx, int64_t version,
                                 const struct rf_policy **out)
{
    struct rf_policy_row row;
    struct rf_policy *parsed;
    struct rf_arena *a;
    enum rf_code code = RF_OK;

    if (version <= 0)
        code = rf_policy_store_current(ctx, &version);
    if (code != RF_OK)
        return code;
    if ((*out = find(c, version)) != NULL)
        return RF_OK;
    code = rf_policy_store_get(ctx, version, &row);
    if (code != RF_OK)
        return code;
    a = rf_arena_create(0);
    code = parse(ctx, a, row.document, version, &parsed);
    if (code != RF_OK) {
        rf_arena_destroy(a);
        return code;
    }
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n && *out == NULL; i++)
        if (c->entries[i].policy->version == version)
            *out = c->entries[i].policy; /* another thread parsed it meanwhile */
    if (*out == NULL && c->n < CACHED_MAX) {
        c->entries[c->n++] = (struct entry){a, parsed};
        if (c->latest == NULL || version > c->latest->version)
            c->latest = parsed;
        *out = parsed;
        a = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (*out == NULL) {
        /* The cache is full: this call keeps its own copy. */
        rf_arena_destroy(a);
        code = parse(ctx, ctx->arena, row.document, version, &parsed);
        if (code == RF_OK)
            *out = parsed;
        return code;
    }
    if (a != NULL)
        rf_arena_destroy(a);
    return RF_OK;
}

const struct rf_policy *rf_policy_cache_latest(struct rf_policy_cache *c)
{
    const struct rf_policy *p;

    pthread_mutex_lock(&c->lock);
    p = c->latest;
    pthread_mutex_unlock(&c->lock);
    return p;
}
