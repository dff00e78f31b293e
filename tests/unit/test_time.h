/*
 * Time helpers for unit tests that write times as RFC 3339 text: an instant
 * from text (failing the test on bad text) and text from an instant. Header-
 * only, for tests; the formatter and parser themselves are tested in
 * common/timeutil_test.c, which does not use these.
 */
#ifndef REFUNDS_TEST_TIME_H
#define REFUNDS_TEST_TIME_H

#include <stdint.h>

#include <criterion/criterion.h>

#include "refunds/timeutil.h"

/* The instant s names ("2026-11-23T10:00:00Z"). */
static inline int64_t test_at(const char *s)
{
    int64_t us = 0;

    cr_assert(rf_time_parse_rfc3339(s, &us), "\"%s\" was rejected", s);
    return us;
}

/* RFC 3339 text of us, in one of four static buffers (so four can be used in one message). */
static inline const char *test_text(int64_t us)
{
    static char buf[4][40];
    static int n;

    n = (n + 1) % 4;
    rf_time_format_rfc3339(us, buf[n], sizeof buf[n]);
    return buf[n];
}

#endif
