/*
 * Heap allocation for long-lived objects (servers, connections, tables): out
 * of memory aborts the process, as arena allocations do (Redis zmalloc,
 * PostgreSQL palloc), so that no caller checks for NULL. Per-call and
 * per-batch memory comes from an arena instead (arena.h).
 */
#ifndef REFUNDS_XALLOC_H
#define REFUNDS_XALLOC_H

#include <stddef.h>

/* malloc that never returns NULL (size 0 gives a valid pointer). Free with free(). */
void *rf_xmalloc(size_t size);

/* calloc that never returns NULL; aborts when n * size overflows too. */
void *rf_xcalloc(size_t n, size_t size);

/* realloc that never returns NULL. */
void *rf_xrealloc(void *p, size_t size);

/* strdup that never returns NULL; NULL gives NULL. */
char *rf_xstrdup(const char *s);

#endif
