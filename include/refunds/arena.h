/*
 * Region allocator: one arena per call and per worker batch.
 *
 * Everything a call allocates (the unpacked request, the reply, SQL
 * parameters, result copies) comes from its arena and is freed at once by
 * rf_arena_reset or rf_arena_destroy, which also run the cleanups registered
 * with rf_arena_defer (PGresult, OpenSSL objects) in reverse order. Running
 * out of memory aborts the process, so allocations are never NULL-checked.
 * An arena is not thread-safe: it belongs to one thread at a time.
 */
#ifndef REFUNDS_ARENA_H
#define REFUNDS_ARENA_H

#include <stddef.h>

struct rf_arena;

/* Creates an arena whose chunks hold chunk_size bytes (0: 16 KiB). */
struct rf_arena *rf_arena_create(size_t chunk_size);

/* Runs the cleanups and frees everything, the arena included. NULL is a no-op. */
void rf_arena_destroy(struct rf_arena *a);

/*
 * Runs the cleanups (last registered first) and forgets every allocation,
 * keeping the first chunk for reuse so that a thread's per-call arena does not
 * go back to malloc on every call.
 */
void rf_arena_reset(struct rf_arena *a);

/* Returns size bytes aligned for any type; never NULL. size 0 gives a valid pointer. */
void *rf_arena_alloc(struct rf_arena *a, size_t size);

/* rf_arena_alloc of n * size zeroed bytes; aborts if n * size overflows. */
void *rf_arena_calloc(struct rf_arena *a, size_t n, size_t size);

/* A copy of s (NULL gives NULL) in the arena. */
char *rf_arena_strdup(struct rf_arena *a, const char *s);

/* A NUL-terminated copy of the first n bytes of s. */
char *rf_arena_strndup(struct rf_arena *a, const char *s, size_t n);

/* A formatted string in the arena. */
char *rf_arena_printf(struct rf_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Calls fn(arg) at the next reset or destroy, in reverse order of registration. */
void rf_arena_defer(struct rf_arena *a, void (*fn)(void *), void *arg);

/* Bytes handed out since the last reset (for tests and metrics). */
size_t rf_arena_used(const struct rf_arena *a);

#endif
