/*
 * Unit tests of the region allocator (services/common/arena.c): alignment,
 * blocks larger than a chunk, many chunks, deferred cleanups and their order,
 * reuse after reset, zeroing, string helpers and the byte count. Not for
 * performance.
 */
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/arena.h"

#define MAX_ALIGN alignof(max_align_t)

static bool aligned(const void *p)
{
    return (uintptr_t)p % MAX_ALIGN == 0;
}

Test(arena, alloc_returns_pointers_aligned_for_any_type)
{
    struct rf_arena *a = rf_arena_create(256);

    /* Odd sizes in a row would misalign the next block if sizes were not rounded. */
    for (size_t size = 0; size < 100; size++) {
        void *p = rf_arena_alloc(a, size);

        cr_assert_not_null(p, "size %zu", size);
        cr_assert(aligned(p), "size %zu gave %p", size, p);
    }
    rf_arena_destroy(a);
}

Test(arena, blocks_do_not_overlap_across_many_chunks)
{
    struct rf_arena *a = rf_arena_create(1024);
    unsigned char *blocks[500];

    for (size_t i = 0; i < 500; i++) {
        blocks[i] = rf_arena_alloc(a, 37);
        memset(blocks[i], (int)(i & 0xff), 37);
    }
    for (size_t i = 0; i < 500; i++) {
        for (size_t k = 0; k < 37; k++)
            cr_assert_eq(blocks[i][k], (unsigned char)(i & 0xff), "block %zu byte %zu", i, k);
    }
    rf_arena_destroy(a);
}

Test(arena, a_block_larger_than_a_chunk_is_usable_and_aligned)
{
    struct rf_arena *a = rf_arena_create(1024);
    unsigned char *small = rf_arena_alloc(a, 16);
    unsigned char *big;
    unsigned char *after;

    memset(small, 0xab, 16);
    big = rf_arena_alloc(a, 100000);
    cr_assert(aligned(big));
    memset(big, 0x5a, 100000);
    after = rf_arena_alloc(a, 16);
    memset(after, 0xcd, 16);
    for (size_t i = 0; i < 16; i++) {
        cr_assert_eq(small[i], 0xab);
        cr_assert_eq(after[i], 0xcd);
    }
    for (size_t i = 0; i < 100000; i++)
        cr_assert_eq(big[i], 0x5a, "byte %zu", i);
    cr_assert_geq(rf_arena_used(a), 100000 + 16 + 16);
    rf_arena_destroy(a);
}

Test(arena, used_counts_the_bytes_handed_out_and_is_zero_after_reset)
{
    struct rf_arena *a = rf_arena_create(0);
    size_t asked = 0;

    cr_assert_eq(rf_arena_used(a), 0);
    for (size_t size = 1; size <= 50; size++) {
        size_t before = rf_arena_used(a);

        rf_arena_alloc(a, size);
        asked += size;
        cr_assert_geq(rf_arena_used(a), before + size);
    }
    /* At most alignment padding on top of what was asked. */
    cr_assert_leq(rf_arena_used(a), asked + 50 * (MAX_ALIGN - 1));
    rf_arena_reset(a);
    cr_assert_eq(rf_arena_used(a), 0);
    rf_arena_destroy(a);
}

static int order[8];
static int n_order;

static void record(void *arg)
{
    order[n_order++] = *(int *)arg;
}

Test(arena, reset_runs_deferred_cleanups_in_reverse_order)
{
    static int ids[] = {1, 2, 3, 4};
    struct rf_arena *a = rf_arena_create(0);

    n_order = 0;
    for (int i = 0; i < 4; i++)
        rf_arena_defer(a, record, &ids[i]);
    cr_assert_eq(n_order, 0, "cleanups must wait for the reset");
    rf_arena_reset(a);
    cr_assert_eq(n_order, 4);
    cr_assert_eq(order[0], 4);
    cr_assert_eq(order[1], 3);
    cr_assert_eq(order[2], 2);
    cr_assert_eq(order[3], 1);
    rf_arena_destroy(a);
    cr_assert_eq(n_order, 4, "a cleanup ran twice");
}

Test(arena, destroy_runs_the_pending_cleanups)
{
    static int ids[] = {7, 8};
    struct rf_arena *a = rf_arena_create(0);

    n_order = 0;
    rf_arena_defer(a, record, &ids[0]);
    rf_arena_defer(a, record, &ids[1]);
    rf_arena_destroy(a);
    cr_assert_eq(n_order, 2);
    cr_assert_eq(order[0], 8);
    cr_assert_eq(order[1], 7);
}

Test(arena, keeps_working_after_reset_across_big_blocks_and_chunks)
{
    static int id = 5;
    struct rf_arena *a = rf_arena_create(512);

    for (int round = 0; round < 3; round++) {
        char *s;

        n_order = 0;
        for (int i = 0; i < 100; i++)
            memset(rf_arena_alloc(a, 40), 1, 40);
        memset(rf_arena_alloc(a, 10000), 2, 10000);
        rf_arena_defer(a, record, &id);
        s = rf_arena_strdup(a, "still usable");
        cr_assert_str_eq(s, "still usable");
        rf_arena_reset(a);
        cr_assert_eq(n_order, 1, "round %d", round);
        cr_assert_eq(rf_arena_used(a), 0);
    }
    rf_arena_destroy(a);
}

Test(arena, calloc_zeroes_memory_reused_after_reset)
{
    struct rf_arena *a = rf_arena_create(4096);
    unsigned char *p = rf_arena_alloc(a, 256);
    unsigned char *z;

    /* Dirty the first chunk, which reset keeps, so calloc gets dirty memory back. */
    memset(p, 0xff, 256);
    rf_arena_reset(a);
    z = rf_arena_calloc(a, 32, 8);
    for (size_t i = 0; i < 256; i++)
        cr_assert_eq(z[i], 0, "byte %zu", i);
    rf_arena_destroy(a);
}

Test(arena, calloc_aborts_when_the_size_overflows, .signal = SIGABRT)
{
    struct rf_arena *a = rf_arena_create(0);

    rf_arena_calloc(a, SIZE_MAX / 2, 3);
}

Test(arena, strdup_and_strndup_copy_into_the_arena)
{
    struct rf_arena *a = rf_arena_create(0);
    char src[] = "refund";
    char *d = rf_arena_strdup(a, src);
    char *n = rf_arena_strndup(a, "abcdef", 3);

    src[0] = 'X';
    cr_assert_str_eq(d, "refund");
    cr_assert_str_eq(n, "abc");
    cr_assert_null(rf_arena_strdup(a, NULL));
    rf_arena_destroy(a);
}

Test(arena, printf_formats_into_the_arena)
{
    struct rf_arena *a = rf_arena_create(0);

    cr_assert_str_eq(rf_arena_printf(a, "case %s v%d", "x", 42), "case x v42");
    cr_assert_str_eq(rf_arena_printf(a, "%s", ""), "");
    rf_arena_destroy(a);
}

Test(arena, printf_output_longer_than_a_chunk_is_complete)
{
    struct rf_arena *a = rf_arena_create(256);
    char *s = rf_arena_printf(a, "%0*d|", 3000, 7);

    cr_assert_eq(strlen(s), 3001);
    cr_assert_eq(s[2999], '7');
    cr_assert_eq(s[3000], '|');
    cr_assert_eq(s[0], '0');
    rf_arena_destroy(a);
}
