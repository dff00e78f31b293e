/*
 * Unit tests of the GetCase reply cache (services/refundsd/case_cache.c):
 * what it stores and refuses, generations, expiry, eviction by bytes, and a
 * threaded run for the sanitizers. The invalidation feed (LISTEN/NOTIFY) is
 * tested against PostgreSQL in tests/integration/test_case_cache.py.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "case_cache.h"

#define ID_A  "01890a5d-ac96-774b-bcce-b302099a8057"
#define ID_B  "01890a5d-ac96-774b-bcce-b302099a8058"
#define NOW   1000000000LL
#define LATER (NOW + 60000000LL)

static struct rf_case_cache *cache;
static struct rf_arena *arena;

static void setup(void)
{
    cache = rf_case_cache_create(1 << 20);
    rf_case_cache_set_enabled(cache, true);
    arena = rf_arena_create(0);
}

static void teardown(void)
{
    rf_case_cache_destroy(cache);
    rf_arena_destroy(arena);
}

TestSuite(case_cache, .init = setup, .fini = teardown);

/* The bytes held for id at now, as a string ("" when it is a miss). */
static const char *held(const char *id, long long now)
{
    const uint8_t *data;
    size_t len;

    if (!rf_case_cache_get(cache, RF_CACHED_CASE, id, now, arena, &data, &len))
        return "";
    return rf_arena_strndup(arena, (const char *)data, len);
}

static void put(const char *id, long long version, const char *text, uint64_t generation)
{
    rf_case_cache_put(cache, RF_CACHED_CASE, id, version, LATER, (const uint8_t *)text, strlen(text), generation);
}

Test(case_cache, a_stored_reply_is_returned_as_a_copy_in_the_arena)
{
    const uint8_t *data;
    size_t len;

    cr_assert_str_eq(held(ID_A, NOW), "", "a new cache holds nothing");
    put(ID_A, 1, "case a v1", rf_case_cache_generation(cache));
    cr_assert(rf_case_cache_get(cache, RF_CACHED_CASE, ID_A, NOW, arena, &data, &len));
    cr_assert_eq(len, 9);
    cr_assert_eq(memcmp(data, "case a v1", 9), 0);
    cr_assert_str_eq(held(ID_B, NOW), "", "other ids are misses");
}

Test(case_cache, an_older_or_equal_version_never_replaces_a_newer_one)
{
    uint64_t g = rf_case_cache_generation(cache);

    put(ID_A, 5, "v5", g);
    put(ID_A, 4, "v4", g);
    cr_assert_str_eq(held(ID_A, NOW), "v5");
    put(ID_A, 5, "v5 again", g);
    cr_assert_str_eq(held(ID_A, NOW), "v5");
    put(ID_A, 6, "v6", g);
    cr_assert_str_eq(held(ID_A, NOW), "v6");
}

Test(case_cache, a_read_that_began_before_an_invalidation_is_not_stored)
{
    uint64_t before = rf_case_cache_generation(cache);

    rf_case_cache_invalidate(cache, ID_B); /* any case: the rule is conservative */
    put(ID_A, 1, "read before the invalidation", before);
    cr_assert_str_eq(held(ID_A, NOW), "");
    put(ID_A, 1, "read after it", rf_case_cache_generation(cache));
    cr_assert_str_eq(held(ID_A, NOW), "read after it");
}

Test(case_cache, invalidation_drops_the_entry)
{
    put(ID_A, 1, "a", rf_case_cache_generation(cache));
    put(ID_B, 1, "b", rf_case_cache_generation(cache));
    rf_case_cache_invalidate(cache, ID_A);
    cr_assert_str_eq(held(ID_A, NOW), "");
    cr_assert_str_eq(held(ID_B, NOW), "b");
}

Test(case_cache, an_entry_expires_at_its_valid_until_time)
{
    rf_case_cache_put(cache, RF_CACHED_CASE, ID_A, 1, NOW + 10, (const uint8_t *)"x", 1,
                      rf_case_cache_generation(cache));
    cr_assert_str_eq(held(ID_A, NOW + 9), "x");
    cr_assert_str_eq(held(ID_A, NOW + 10), "", "valid_until is exclusive");
    cr_assert_str_eq(held(ID_A, NOW), "", "an expired entry is gone, not hidden");
}

Test(case_cache, disabling_empties_it_and_refuses_stores_and_reads_in_flight)
{
    uint64_t g = rf_case_cache_generation(cache);

    put(ID_A, 1, "a", g);
    rf_case_cache_set_enabled(cache, false);
    cr_assert_str_eq(held(ID_A, NOW), "");
    put(ID_B, 1, "b", rf_case_cache_generation(cache));
    rf_case_cache_set_enabled(cache, true);
    cr_assert_str_eq(held(ID_A, NOW), "", "nothing survives a disable");
    cr_assert_str_eq(held(ID_B, NOW), "", "a disabled cache stores nothing");
    put(ID_A, 1, "read before the disable", g);
    cr_assert_str_eq(held(ID_A, NOW), "", "a read begun before the disable is not stored after it");
}

Test(case_cache, a_cache_created_empty_or_of_capacity_zero_holds_nothing)
{
    struct rf_case_cache *off = rf_case_cache_create(0);
    const uint8_t *data;
    size_t len;

    rf_case_cache_set_enabled(off, true);
    rf_case_cache_put(off, RF_CACHED_CASE, ID_A, 1, LATER, (const uint8_t *)"x", 1, rf_case_cache_generation(off));
    cr_assert_not(rf_case_cache_get(off, RF_CACHED_CASE, ID_A, NOW, arena, &data, &len));
    rf_case_cache_destroy(off);
}

Test(case_cache, the_least_recently_used_entries_go_first_when_full)
{
    /* Sixteen shards of 16 KiB: about seven 2 KiB replies each. */
    struct rf_case_cache *small = rf_case_cache_create(16 * 16384);
    static uint8_t blob[2048];
    char id[40];
    const uint8_t *data;
    size_t len;
    int kept = 0;

    rf_case_cache_set_enabled(small, true);
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "01890a5d-ac96-774b-bcce-%012d", i);
        rf_case_cache_put(small, RF_CACHED_CASE, id, 1, LATER, blob, sizeof blob, rf_case_cache_generation(small));
        /* Keep case 0 in use: it must survive while others are evicted. */
        cr_assert(rf_case_cache_get(small, RF_CACHED_CASE, "01890a5d-ac96-774b-bcce-000000000000", NOW, arena,
                                    &data, &len),
                  "the entry in use was evicted after %d stores", i + 1);
    }
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "01890a5d-ac96-774b-bcce-%012d", i);
        kept += rf_case_cache_get(small, RF_CACHED_CASE, id, NOW, arena, &data, &len);
    }
    cr_assert_lt(kept, 200, "a full cache must evict");
    cr_assert_gt(kept, 1);
    {
        struct rf_case_cache_stats st;

        rf_case_cache_stats(small, &st);
        cr_assert_leq(st.bytes, 16 * 16384, "the capacity holds");
    }
    rf_case_cache_destroy(small);
}

Test(case_cache, a_reply_larger_than_half_a_shard_is_not_stored)
{
    struct rf_case_cache *small = rf_case_cache_create(16 * 4000);
    static uint8_t big[2001];
    const uint8_t *data;
    size_t len;

    rf_case_cache_set_enabled(small, true);
    rf_case_cache_put(small, RF_CACHED_CASE, ID_A, 1, LATER, big, sizeof big, rf_case_cache_generation(small));
    cr_assert_not(rf_case_cache_get(small, RF_CACHED_CASE, ID_A, NOW, arena, &data, &len));
    rf_case_cache_put(small, RF_CACHED_CASE, ID_A, 1, LATER, big, 1000, rf_case_cache_generation(small));
    cr_assert(rf_case_cache_get(small, RF_CACHED_CASE, ID_A, NOW, arena, &data, &len));
    rf_case_cache_destroy(small);
}

Test(case_cache, stats_count_hits_misses_stores_and_invalidations)
{
    struct rf_case_cache_stats st;

    put(ID_A, 1, "a", rf_case_cache_generation(cache));
    held(ID_A, NOW);
    held(ID_A, NOW);
    held(ID_B, NOW);
    rf_case_cache_invalidate(cache, ID_A);
    rf_case_cache_stats(cache, &st);
    cr_assert_eq(st.hits, 2);
    cr_assert_eq(st.misses, 1);
    cr_assert_eq(st.stores, 1);
    cr_assert_eq(st.invalidations, 1);
    cr_assert_eq(st.entries, 0);
}

/* Threads store, read and invalidate the same few ids; checked by ASan/UBSan and the final state.
 */
static void *hammer(void *arg)
{
    struct rf_arena *a = rf_arena_create(0);
    char id[40];
    const uint8_t *data;
    size_t len;
    long seed = (long)(intptr_t)arg;

    for (int i = 0; i < 20000; i++) {
        snprintf(id, sizeof id, "01890a5d-ac96-774b-bcce-%012ld", (seed * 7 + i) % 13);
        switch ((i + seed) % 3) {
        case 0:
            rf_case_cache_put(cache, RF_CACHED_CASE, id, i, LATER, (const uint8_t *)id, strlen(id),
                              rf_case_cache_generation(cache));
            break;
        case 1:
            if (rf_case_cache_get(cache, RF_CACHED_CASE, id, NOW, a, &data, &len))
                cr_assert(len == strlen(id) && memcmp(data, id, len) == 0,
                          "a reply for another id");
            break;
        default:
            rf_case_cache_invalidate(cache, id);
        }
        if (i % 1000 == 0)
            rf_arena_reset(a);
    }
    rf_arena_destroy(a);
    return NULL;
}

Test(case_cache, concurrent_use_keeps_every_reply_with_its_id)
{
    pthread_t t[4];

    for (long i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, hammer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    {
        struct rf_case_cache_stats st;

        rf_case_cache_stats(cache, &st);
        cr_assert_leq(st.entries, 13);
        cr_assert_gt(st.stores + st.invalidations, 0);
    }
}

Test(case_cache, a_trace_and_a_case_are_kept_apart_and_dropped_together)
{
    struct rf_case_cache *c = rf_case_cache_create(1 << 20);
    struct rf_arena *a = rf_arena_create(0);
    const uint8_t *data;
    size_t len;

    rf_case_cache_set_enabled(c, true);
    rf_case_cache_put(c, RF_CACHED_CASE, ID_A, 1, LATER, (const uint8_t *)"case", 4,
                      rf_case_cache_generation(c));
    rf_case_cache_put(c, RF_CACHED_TRACE, ID_A, 1, LATER, (const uint8_t *)"trace", 5,
                      rf_case_cache_generation(c));
    cr_assert(rf_case_cache_get(c, RF_CACHED_TRACE, ID_A, NOW, a, &data, &len));
    cr_assert_eq(len, 5);
    cr_assert_eq(memcmp(data, "trace", 5), 0);
    cr_assert(rf_case_cache_get(c, RF_CACHED_CASE, ID_A, NOW, a, &data, &len));
    cr_assert_eq(memcmp(data, "case", 4), 0);
    rf_case_cache_invalidate(c, ID_A);
    cr_assert_not(rf_case_cache_get(c, RF_CACHED_TRACE, ID_A, NOW, a, &data, &len));
    cr_assert_not(rf_case_cache_get(c, RF_CACHED_CASE, ID_A, NOW, a, &data, &len));
    rf_arena_destroy(a);
    rf_case_cache_destroy(c);
}
