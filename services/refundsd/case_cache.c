/*
 * The GetCase reply cache (see case_cache.h): shards of chained hash buckets,
 * each with an LRU list bounded by bytes. No I/O here; the listener that
 * feeds invalidations is cache_listener.c.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "case_cache.h"
#include "refunds/crypto.h"
#include "refunds/xalloc.h"

#define SHARDS  16
#define BUCKETS 1024 /* per shard */
#define KEY_MAX (RF_UUID_TEXT_LEN + 2)

struct entry {
    struct entry *chain;         /* next in the bucket */
    struct entry *newer, *older; /* LRU list of the shard */
    char id[KEY_MAX]; /* the case's id, after a letter for replies other than GetCase's */
    long long version;
    int64_t valid_until;
    size_t len;
    uint8_t data[];
};

struct shard {
    pthread_mutex_t lock;
    struct entry *buckets[BUCKETS];
    struct entry *newest, *oldest;
    size_t bytes, entries;
};

struct rf_case_cache {
    struct shard shards[SHARDS];
    size_t shard_capacity;
    size_t max_entry;
    atomic_bool enabled;
    atomic_uint_fast64_t generation;
    atomic_uint_fast64_t hits, misses, stores, invalidations;
};

static uint32_t hash(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (; *id != '\0'; id++)
        h = (h ^ (uint8_t)*id) * 16777619u;
    return h;
}

static size_t footprint(const struct entry *e)
{
    return sizeof *e + e->len;
}

struct rf_case_cache *rf_case_cache_create(size_t capacity_bytes)
{
    struct rf_case_cache *c = rf_xcalloc(1, sizeof *c);

    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&c->shards[i].lock, NULL);
    c->shard_capacity = capacity_bytes / SHARDS;
    /* Each shard holds a sixteenth of the capacity; one reply may take half of that. */
    c->max_entry = c->shard_capacity / 2;
    atomic_init(&c->enabled, false);
    atomic_init(&c->generation, 0);
    atomic_init(&c->hits, 0);
    atomic_init(&c->misses, 0);
    atomic_init(&c->stores, 0);
    atomic_init(&c->invalidations, 0);
    return c;
}

static void unlink_entry(struct shard *s, struct entry *e, struct entry **slot)
{
    *slot = e->chain;
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        s->newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        s->oldest = e->newer;
    s->bytes -= footprint(e);
    s->entries--;
    free(e);
}

/* The bucket slot that points at id's entry (or at NULL where it would go). */
static struct entry **find(struct shard *s, const char *id, uint32_t h)
{
    struct entry **slot = &s->buckets[(h / SHARDS) % BUCKETS];

    while (*slot != NULL && strcmp((*slot)->id, id) != 0)
        slot = &(*slot)->chain;
    return slot;
}

static void remove_id(struct shard *s, const char *id, uint32_t h)
{
    struct entry **slot = find(s, id, h);

    if (*slot != NULL)
        unlink_entry(s, *slot, slot);
}

static void clear_shard(struct shard *s)
{
    while (s->oldest != NULL)
        remove_id(s, s->oldest->id, hash(s->oldest->id));
}

void rf_case_cache_destroy(struct rf_case_cache *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < SHARDS; i++) {
        clear_shard(&c->shards[i]);
        pthread_mutex_destroy(&c->shards[i].lock);
    }
    free(c);
}

void rf_case_cache_set_enabled(struct rf_case_cache *c, bool enabled)
{
    if (enabled) {
        atomic_store(&c->enabled, true);
        return;
    }
    atomic_store(&c->enabled, false);
    /* New generation first: a read in flight must not store what it read. */
    atomic_fetch_add(&c->generation, 1);
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&c->shards[i].lock);
        clear_shard(&c->shards[i]);
        pthread_mutex_unlock(&c->shards[i].lock);
    }
}

uint64_t rf_case_cache_generation(const struct rf_case_cache *c)
{
    return atomic_load(&c->generation);
}

static void move_to_front(struct shard *s, struct entry *e)
{
    if (s->newest == e)
        return;
    e->newer->older = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        s->oldest = e->newer;
    e->older = s->newest;
    e->newer = NULL;
    s->newest->newer = e;
    s->newest = e;
}

/* The entry key of kind's reply of case id into key; false when id is too long for one. */
static bool make_key(enum rf_cached kind, const char *id, char key[KEY_MAX])
{
    static const char prefix[] = {[RF_CACHED_CASE] = '\0', [RF_CACHED_TRACE] = 'T'};
    size_t n = strlen(id);

    if (n > RF_UUID_TEXT_LEN || (unsigned)kind > RF_CACHED_TRACE)
        return false;
    key[0] = prefix[kind];
    memcpy(key + (key[0] != '\0'), id, n + 1);
    return true;
}

bool rf_case_cache_get(struct rf_case_cache *c, enum rf_cached kind, const char *case_id,
                       int64_t now_us, struct rf_arena *a, const uint8_t **data, size_t *len)
{
    char id[KEY_MAX];
    uint32_t h = make_key(kind, case_id, id) ? hash(id) : 0;
    struct shard *s = &c->shards[h % SHARDS];
    struct entry **slot;
    bool hit = false;

    if (!atomic_load(&c->enabled) || h == 0) {
        atomic_fetch_add(&c->misses, 1);
        return false;
    }
    pthread_mutex_lock(&s->lock);
    slot = find(s, id, h);
    if (*slot != NULL && (*slot)->valid_until <= now_us) {
        unlink_entry(s, *slot, slot);
    } else if (*slot != NULL) {
        struct entry *e = *slot;
        uint8_t *copy = rf_arena_alloc(a, e->len);

        memcpy(copy, e->data, e->len);
        *data = copy;
        *len = e->len;
        move_to_front(s, e);
        hit = true;
    }
    pthread_mutex_unlock(&s->lock);
    atomic_fetch_add(hit ? &c->hits : &c->misses, 1);
    return hit;
}

void rf_case_cache_put(struct rf_case_cache *c, enum rf_cached kind, const char *case_id,
                       long long version, int64_t valid_until_us, const uint8_t *data, size_t len,
                       uint64_t generation)
{
    char id[KEY_MAX];
    bool keyed = make_key(kind, case_id, id);
    uint32_t h = keyed ? hash(id) : 0;
    struct shard *s = &c->shards[h % SHARDS];
    struct entry **slot, *e;

    if (!atomic_load(&c->enabled) || len > c->max_entry || !keyed)
        return;
    pthread_mutex_lock(&s->lock);
    /* Under the shard's lock, so an invalidation of this id is either seen here or comes after. */
    if (atomic_load(&c->generation) != generation)
        goto out;
    slot = find(s, id, h);
    if (*slot != NULL) {
        if ((*slot)->version >= version)
            goto out;
        unlink_entry(s, *slot, slot);
        slot = find(s, id, h);
    }
    e = rf_xmalloc(sizeof *e + len);
    strcpy(e->id, id);
    e->version = version;
    e->valid_until = valid_until_us;
    e->len = len;
    memcpy(e->data, data, len);
    e->chain = NULL;
    *slot = e;
    e->newer = NULL;
    e->older = s->newest;
    if (s->newest != NULL)
        s->newest->newer = e;
    else
        s->oldest = e;
    s->newest = e;
    s->bytes += footprint(e);
    s->entries++;
    while (s->bytes > c->shard_capacity && s->oldest != NULL)
        remove_id(s, s->oldest->id, hash(s->oldest->id));
    atomic_fetch_add(&c->stores, 1);
out:
    pthread_mutex_unlock(&s->lock);
}

void rf_case_cache_invalidate(struct rf_case_cache *c, const char *case_id)
{
    char id[KEY_MAX];

    /* The generation moves before any reply of the case goes, so no put can bring one back. */
    for (int kind = RF_CACHED_CASE; kind <= RF_CACHED_TRACE; kind++) {
        uint32_t h;
        struct shard *s;

        if (!make_key(kind, case_id, id))
            return;
        h = hash(id);
        s = &c->shards[h % SHARDS];
        pthread_mutex_lock(&s->lock);
        if (kind == RF_CACHED_CASE)
            atomic_fetch_add(&c->generation, 1);
        remove_id(s, id, h);
        pthread_mutex_unlock(&s->lock);
    }
    atomic_fetch_add(&c->invalidations, 1);
}

void rf_case_cache_stats(struct rf_case_cache *c, struct rf_case_cache_stats *out)
{
    memset(out, 0, sizeof *out);
    out->hits = atomic_load(&c->hits);
    out->misses = atomic_load(&c->misses);
    out->stores = atomic_load(&c->stores);
    out->invalidations = atomic_load(&c->invalidations);
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&c->shards[i].lock);
        out->entries += c->shards[i].entries;
        out->bytes += c->shards[i].bytes;
        pthread_mutex_unlock(&c->shards[i].lock);
    }
}
