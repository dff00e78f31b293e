/*
 * Reading a whole file of the source tree in a unit test (the shipped
 * default policy, the policy fixtures), failing the test when it cannot.
 * Header-only, for tests.
 */
#ifndef REFUNDS_TEST_FILE_H
#define REFUNDS_TEST_FILE_H

#include <stdio.h>

#include <criterion/criterion.h>

#include "refunds/arena.h"

/* The contents of path, NUL-terminated, in arena a; *len is its length. */
static inline char *test_read_file(struct rf_arena *a, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    cr_assert_geq(n, 0);
    rewind(f);
    buf = rf_arena_alloc(a, (size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

#endif
