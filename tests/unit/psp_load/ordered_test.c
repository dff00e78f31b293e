/*
 * Unit tests of the ordered pool (workers/psp_load/ordered.c): every item is
 * worked on once and comes back in the order it went in, with no threads and
 * with several whose work takes uneven time; the ring fills up and frees;
 * appended texts keep their offsets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "ordered.h"

struct result {
    long seq;
    long value;
    int times;
};

/* Parses the item's number, squares it, and sometimes sleeps, so that items finish out of order. */
static void work(void *ctx, struct rf_ordered_item *it)
{
    struct result *r = it->result;
    long v = strtol(it->text, NULL, 10);
    char *scratch = rf_arena_alloc(it->arena, 64);

    (void)ctx;
    if (v % 7 == 0) {
        struct timespec ts = {0, 200000};

        nanosleep(&ts, NULL);
    }
    snprintf(scratch, 64, "%ld", v);
    r->value = v * v;
    r->times++;
}

static void run(int threads, size_t slots, long n)
{
    struct rf_ordered *o = rf_ordered_create(threads, slots, sizeof(struct result), work, NULL);
    long sent = 0, got = 0;

    while (got < n) {
        struct rf_ordered_item *it;

        if (sent < n && (it = rf_ordered_slot(o)) != NULL) {
            char text[32];
            int len = snprintf(text, sizeof text, "%ld", sent);

            rf_ordered_clear(it);
            rf_ordered_append(it, text, (size_t)len);
            ((struct result *)it->result)->seq = sent;
            ((struct result *)it->result)->times = 0;
            rf_ordered_submit(o);
            sent++;
            continue;
        }
        it = rf_ordered_next(o, true);
        cr_assert_not_null(it);
        {
            const struct result *r = it->result;

            cr_assert_eq(r->seq, got, "item %ld came back out of order (got %ld)", got, r->seq);
            cr_assert_eq(r->value, got * got);
            cr_assert_eq(r->times, 1, "item %ld was worked on %d times", got, r->times);
        }
        rf_ordered_release(o);
        got++;
    }
    cr_assert_null(rf_ordered_next(o, true), "nothing is left in flight");
    rf_ordered_destroy(o);
}

Test(ordered, without_threads_the_work_is_done_at_submission)
{
    run(0, 1, 500);
}

Test(ordered, items_come_back_in_order_from_one_thread)
{
    run(1, 4, 2000);
}

Test(ordered, items_come_back_in_order_from_many_threads_finishing_out_of_order)
{
    run(4, 16, 5000);
    run(3, 3, 1000);
}

Test(ordered, the_ring_is_full_until_a_result_is_released)
{
    struct rf_ordered *o = rf_ordered_create(2, 2, sizeof(struct result), work, NULL);
    struct rf_ordered_item *it;

    for (int i = 0; i < 2; i++) {
        it = rf_ordered_slot(o);
        cr_assert_not_null(it);
        rf_ordered_clear(it);
        rf_ordered_append(it, "3", 1);
        rf_ordered_submit(o);
    }
    cr_assert_null(rf_ordered_slot(o));
    it = rf_ordered_next(o, true);
    cr_assert_eq(((struct result *)it->result)->value, 9);
    rf_ordered_release(o);
    cr_assert_not_null(rf_ordered_slot(o));
    rf_ordered_destroy(o); /* one item still in flight: destroy waits for it */
}

Test(ordered, appended_texts_keep_their_offsets_across_growth)
{
    struct rf_ordered *o = rf_ordered_create(0, 1, sizeof(struct result), work, NULL);
    struct rf_ordered_item *it = rf_ordered_slot(o);
    char big[10000];
    size_t a, b, c;

    memset(big, 'x', sizeof big);
    rf_ordered_clear(it);
    a = rf_ordered_append(it, "first", 5);
    b = rf_ordered_append(it, big, sizeof big);
    c = rf_ordered_append(it, "last", 4);
    cr_assert_eq(a, 0);
    cr_assert_eq(b, 6);
    cr_assert_eq(c, 6 + sizeof big + 1);
    cr_assert_str_eq(it->text + a, "first");
    cr_assert_str_eq(it->text + c, "last");
    rf_ordered_clear(it);
    cr_assert_eq(rf_ordered_append(it, "again", 5), 0);
    rf_ordered_destroy(o);
}
