/*
 * Allocation that aborts instead of failing (see include/refunds/xalloc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "refunds/xalloc.h"

void *rf_xmalloc(size_t size)
{
    void *p = malloc(size == 0 ? 1 : size);

    if (p == NULL)
        abort();
    return p;
}

void *rf_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

    if (p == NULL)
        abort();
    return p;
}

void *rf_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size == 0 ? 1 : size);

    if (q == NULL)
        abort();
    return q;
}

char *rf_xstrdup(const char *s)
{
    char *copy;

    if (s == NULL)
        return NULL;
    copy = strdup(s);
    if (copy == NULL)
        abort();
    return copy;
}
