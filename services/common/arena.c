/*
 * Region allocator (see include/refunds/arena.h): chunks of memory handed out
 * by bumping a pointer, and a list of deferred cleanups. Not for long-lived
 * objects; those have their own _create/_destroy.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refunds/arena.h"

#define ALIGN         16
#define DEFAULT_CHUNK (16 * 1024)

struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(ALIGN) unsigned char data[];
};

struct cleanup {
    struct cleanup *next;
    void (*fn)(void *);
    void *arg;
};

struct rf_arena {
    struct chunk *head; /* current chunk; the first chunk is last in the list */
    struct chunk *big;  /* blocks too large for a chunk, one each */
    struct cleanup *cleanups;
    size_t chunk_size;
    size_t used;
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (p == NULL) {
        fputs("refunds: out of memory\n", stderr);
        abort();
    }
    return p;
}

static struct chunk *chunk_new(size_t size)
{
    struct chunk *c = xmalloc(sizeof *c + size);

    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

struct rf_arena *rf_arena_create(size_t chunk_size)
{
    struct rf_arena *a = xmalloc(sizeof *a);

    a->chunk_size = chunk_size ? chunk_size : DEFAULT_CHUNK;
    a->head = chunk_new(a->chunk_size);
    a->big = NULL;
    a->cleanups = NULL;
    a->used = 0;
    return a;
}

static void run_cleanups(struct rf_arena *a)
{
    /* The list is newest first, which is the reverse order required. */
    while (a->cleanups != NULL) {
        struct cleanup *c = a->cleanups;

        a->cleanups = c->next;
        c->fn(c->arg);
    }
}

void rf_arena_reset(struct rf_arena *a)
{
    run_cleanups(a);
    while (a->head->next != NULL) {
        struct chunk *c = a->head;

        a->head = c->next;
        free(c);
    }
    while (a->big != NULL) {
        struct chunk *c = a->big;

        a->big = c->next;
        free(c);
    }
    a->head->used = 0;
    a->used = 0;
}

void rf_arena_destroy(struct rf_arena *a)
{
    if (a == NULL)
        return;
    rf_arena_reset(a);
    free(a->head);
    free(a);
}

void *rf_arena_alloc(struct rf_arena *a, size_t size)
{
    size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    struct chunk *c = a->head;
    void *p;

    if (need < size) {
        fputs("refunds: arena allocation size overflows\n", stderr);
        abort();
    }
    if (c->size - c->used < need) {
        /* A large block gets a chunk of its own, so the current one stays in use. */
        if (need > a->chunk_size / 4) {
            struct chunk *big = chunk_new(need);

            big->used = need;
            big->next = a->big;
            a->big = big;
            a->used += need;
            return big->data;
        }
        c = chunk_new(a->chunk_size);
        c->next = a->head;
        a->head = c;
    }
    p = c->data + c->used;
    c->used += need;
    a->used += need;
    return p;
}

void *rf_arena_calloc(struct rf_arena *a, size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > (size_t)-1 / size) {
        fputs("refunds: arena allocation size overflows\n", stderr);
        abort();
    }
    p = rf_arena_alloc(a, n * size);
    memset(p, 0, n * size);
    return p;
}

char *rf_arena_strndup(struct rf_arena *a, const char *s, size_t n)
{
    char *p = rf_arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *rf_arena_strdup(struct rf_arena *a, const char *s)
{
    if (s == NULL)
        return NULL;
    return rf_arena_strndup(a, s, strlen(s));
}

char *rf_arena_printf(struct rf_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    p = rf_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void rf_arena_defer(struct rf_arena *a, void (*fn)(void *), void *arg)
{
    struct cleanup *c = rf_arena_alloc(a, sizeof *c);

    c->fn = fn;
    c->arg = arg;
    c->next = a->cleanups;
    a->cleanups = c;
}

size_t rf_arena_used(const struct rf_arena *a)
{
    return a->used;
}
