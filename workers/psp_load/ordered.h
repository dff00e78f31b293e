/*
 * A small pool of threads that works on items in parallel and hands them
 * back in the order they went in: the validating pass uses it to parse and
 * map JSON objects on every core while the file is still split, spooled and
 * reported in file order by one thread. With no threads the work is done at
 * submission, in the caller's thread. Not a general job queue: one producer
 * and consumer (the same thread), a fixed number of slots.
 */
#ifndef REFUNDS_PSP_LOAD_ORDERED_H
#define REFUNDS_PSP_LOAD_ORDERED_H

#include <stdbool.h>
#include <stddef.h>

#include "refunds/arena.h"

/*
 * One slot: the producer fills text (rf_ordered_clear, rf_ordered_append)
 * and result as it likes; the work function reads them and fills result;
 * the consumer reads result. An item may hold several inputs (a batch):
 * handing items over costs a lock and a wake-up, so they should not be tiny.
 */
struct rf_ordered_item {
    char *text; /* the input bytes appended so far */
    size_t len, cap;
    struct rf_arena *arena; /* the item's own, reset when the slot is released */
    void *result;           /* result_size bytes, left as the last user left them */
};

struct rf_ordered;

/*
 * Starts threads workers (0: none, the work runs in rf_ordered_submit) over
 * slots slots; work(ctx, item) is called once per item, on a worker, and may
 * only touch the item and what ctx allows concurrently. Aborts when threads
 * cannot be started. Free with rf_ordered_destroy.
 */
struct rf_ordered *rf_ordered_create(int threads, size_t slots, size_t result_size,
                                     void (*work)(void *ctx, struct rf_ordered_item *item),
                                     void *ctx);

/* Waits for the workers to finish what they hold, stops them and frees everything; NULL is a no-op.
 */
void rf_ordered_destroy(struct rf_ordered *o);

/* The next free slot to fill, or NULL when every slot is in flight (take a result first). */
struct rf_ordered_item *rf_ordered_slot(struct rf_ordered *o);

/* Empties the slot's text. */
void rf_ordered_clear(struct rf_ordered_item *item);

/* Appends n bytes and a NUL to the slot's text; returns the offset they start at. */
size_t rf_ordered_append(struct rf_ordered_item *item, const char *text, size_t n);

/* Hands the slot from rf_ordered_slot to the workers. */
void rf_ordered_submit(struct rf_ordered *o);

/*
 * The oldest item in flight once its work is done; with wait false, NULL if
 * it is not done yet. NULL when nothing is in flight. The item stays the
 * caller's until rf_ordered_release.
 */
struct rf_ordered_item *rf_ordered_next(struct rf_ordered *o, bool wait);

/* Frees the slot rf_ordered_next gave (its arena is reset). */
void rf_ordered_release(struct rf_ordered *o);

#endif
