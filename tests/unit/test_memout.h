/*
 * Capturing what a function writes to a FILE, for unit tests of printers:
 * test_memout_open gives an open_memstream stream, test_memout_close closes
 * it and hands back a copy of the text in an arena. Header-only, for tests;
 * a failure to open or close fails the test.
 */
#ifndef REFUNDS_TEST_MEMOUT_H
#define REFUNDS_TEST_MEMOUT_H

#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "refunds/arena.h"

struct test_memout {
    FILE *out;
    char *buf;
    size_t len;
};

/* Opens m's stream and returns it; write to it, then call test_memout_close. */
static inline FILE *test_memout_open(struct test_memout *m)
{
    m->buf = NULL;
    m->len = 0;
    m->out = open_memstream(&m->buf, &m->len);
    cr_assert_not_null(m->out);
    return m->out;
}

/*
 * Closes m's stream and returns what was written, NUL-terminated, in arena a;
 * *len gets its length (which tells an embedded NUL apart) when not NULL.
 */
static inline const char *test_memout_close(struct test_memout *m, struct rf_arena *a, size_t *len)
{
    const char *copy;

    cr_assert_eq(fclose(m->out), 0);
    copy = rf_arena_strndup(a, m->buf, m->len);
    if (len != NULL)
        *len = m->len;
    free(m->buf);
    return copy;
}

#endif
