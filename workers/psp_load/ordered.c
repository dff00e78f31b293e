/*
 * The ordered pool (see ordered.h): a ring of slots and three counters, all
 * slots from `consumed` to `produced` in flight and those before `taken`
 * held or finished by a worker; one mutex, one condition for the workers and
 * one for the consumer. The consumer alone writes `consumed`, and fills a
 * slot before `produced` moves past it, so slot contents need no lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ordered.h"

struct rf_ordered {
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* an item was submitted, or stopping */
    pthread_cond_t done_cv; /* a worker finished an item */
    struct rf_ordered_item *items;
    bool *done;
    size_t n;
    size_t produced, taken, consumed;
    bool stopping;
    pthread_t *threads;
    int n_threads;
    void (*work)(void *ctx, struct rf_ordered_item *item);
    void *ctx;
};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);

    if (p == NULL)
        abort();
    return p;
}

static void *worker(void *arg)
{
    struct rf_ordered *o = arg;

    pthread_mutex_lock(&o->mu);
    for (;;) {
        size_t i;

        while (o->taken == o->produced && !o->stopping)
            pthread_cond_wait(&o->work_cv, &o->mu);
        if (o->taken == o->produced)
            break;
        i = o->taken++ % o->n;
        pthread_mutex_unlock(&o->mu);
        o->work(o->ctx, &o->items[i]);
        pthread_mutex_lock(&o->mu);
        o->done[i] = true;
        pthread_cond_signal(&o->done_cv);
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

struct rf_ordered *rf_ordered_create(int threads, size_t slots, size_t result_size,
                                     void (*work)(void *ctx, struct rf_ordered_item *item),
                                     void *ctx)
{
    struct rf_ordered *o = xcalloc(1, sizeof *o);

    o->n = slots ? slots : 1;
    o->items = xcalloc(o->n, sizeof *o->items);
    o->done = xcalloc(o->n, sizeof *o->done);
    for (size_t i = 0; i < o->n; i++) {
        o->items[i].arena = rf_arena_create(64 * 1024);
        o->items[i].result = xcalloc(1, result_size ? result_size : 1);
    }
    o->work = work;
    o->ctx = ctx;
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->work_cv, NULL);
    pthread_cond_init(&o->done_cv, NULL);
    o->threads = xcalloc(threads > 0 ? (size_t)threads : 1, sizeof *o->threads);
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&o->threads[i], NULL, worker, o) != 0)
            abort();
        o->n_threads++;
    }
    return o;
}

void rf_ordered_destroy(struct rf_ordered *o)
{
    if (o == NULL)
        return;
    pthread_mutex_lock(&o->mu);
    o->stopping = true;
    pthread_cond_broadcast(&o->work_cv);
    pthread_mutex_unlock(&o->mu);
    for (int i = 0; i < o->n_threads; i++)
        pthread_join(o->threads[i], NULL);
    for (size_t i = 0; i < o->n; i++) {
        rf_arena_destroy(o->items[i].arena);
        free(o->items[i].text);
        free(o->items[i].result);
    }
    pthread_cond_destroy(&o->done_cv);
    pthread_cond_destroy(&o->work_cv);
    pthread_mutex_destroy(&o->mu);
    free(o->threads);
    free(o->done);
    free(o->items);
    free(o);
}

struct rf_ordered_item *rf_ordered_slot(struct rf_ordered *o)
{
    /* produced is written by this thread only, so reading it needs no lock. */
    if (o->produced - o->consumed == o->n)
        return NULL;
    return &o->items[o->produced % o->n];
}

void rf_ordered_clear(struct rf_ordered_item *item)
{
    item->len = 0;
}

size_t rf_ordered_append(struct rf_ordered_item *item, const char *text, size_t n)
{
    size_t at = item->len;

    if (at + n + 1 > item->cap) {
        size_t cap = item->cap ? item->cap : 4096;

        while (cap < at + n + 1)
            cap *= 2;
        item->text = realloc(item->text, cap);
        if (item->text == NULL)
            abort();
        item->cap = cap;
    }
    memcpy(item->text + at, text, n);
    item->text[at + n] = '\0';
    item->len = at + n + 1;
    return at;
}

void rf_ordered_submit(struct rf_ordered *o)
{
    size_t i = o->produced % o->n;

    if (o->n_threads == 0) {
        o->work(o->ctx, &o->items[i]);
        o->done[i] = true;
        o->produced++;
        return;
    }
    pthread_mutex_lock(&o->mu);
    o->done[i] = false;
    o->produced++;
    pthread_cond_signal(&o->work_cv);
    pthread_mutex_unlock(&o->mu);
}

struct rf_ordered_item *rf_ordered_next(struct rf_ordered *o, bool wait)
{
    size_t i = o->consumed % o->n;
    bool done;

    if (o->consumed == o->produced)
        return NULL;
    if (o->n_threads == 0)
        return &o->items[i];
    pthread_mutex_lock(&o->mu);
    while (!(done = o->done[i]) && wait)
        pthread_cond_wait(&o->done_cv, &o->mu);
    pthread_mutex_unlock(&o->mu);
    return done ? &o->items[i] : NULL;
}

void rf_ordered_release(struct rf_ordered *o)
{
    rf_arena_reset(o->items[o->consumed % o->n].arena);
    o->consumed++;
}
