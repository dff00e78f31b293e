/*
 * Unit tests of the spool (workers/psp_load/spool.c): lists come back in
 * order and byte for byte (NUL bytes and empty arguments included), the end
 * is reported, and a spool can be read after being written at any size.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "spool.h"

Test(spool, lists_come_back_in_order_byte_for_byte)
{
    struct rf_error err;
    struct rf_spool *s;
    struct rf_arena *a = rf_arena_create(0);
    const char *first[] = {"psp:stripe:refund:re_1", "", "a\0b"};
    size_t first_len[] = {22, 0, 3};
    const char *second[] = {"x"};
    size_t second_len[] = {1};
    const char **argv;
    size_t *argvlen;
    int argc;

    rf_error_clear(&err);
    s = rf_spool_create(&err);
    cr_assert_not_null(s, "%s", err.message);
    cr_assert_eq(rf_spool_put(s, 3, first, first_len, &err), RF_OK);
    cr_assert_eq(rf_spool_put(s, 1, second, second_len, &err), RF_OK);
    cr_assert_eq(rf_spool_size(s), 4 + 3 * 4 + 25 + 4 + 4 + 1);
    cr_assert_eq(rf_spool_rewind(s, &err), RF_OK);
    cr_assert_eq(rf_spool_get(s, a, &argc, &argv, &argvlen, &err), RF_READ_ITEM);
    cr_assert_eq(argc, 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(argvlen[i], first_len[i]);
        cr_assert(memcmp(argv[i], first[i], first_len[i]) == 0);
        cr_assert_eq(argv[i][argvlen[i]], '\0');
    }
    cr_assert_eq(rf_spool_get(s, a, &argc, &argv, &argvlen, &err), RF_READ_ITEM);
    cr_assert_eq(argc, 1);
    cr_assert_str_eq(argv[0], "x");
    cr_assert_eq(rf_spool_get(s, a, &argc, &argv, &argvlen, &err), RF_READ_END);
    rf_spool_destroy(s);
    rf_arena_destroy(a);
}

Test(spool, many_lists_past_the_buffer_size_are_read_back)
{
    struct rf_error err;
    struct rf_spool *s = rf_spool_create(&err);
    struct rf_arena *a = rf_arena_create(0);
    char value[600];
    const char *argv1[2] = {"k", value};
    size_t len1[2] = {1, sizeof value};
    int n = 0;

    memset(value, 'v', sizeof value);
    for (int i = 0; i < 5000; i++) {
        value[0] = (char)('a' + i % 26);
        cr_assert_eq(rf_spool_put(s, 2, argv1, len1, &err), RF_OK);
    }
    cr_assert_eq(rf_spool_rewind(s, &err), RF_OK);
    for (;;) {
        const char **argv;
        size_t *argvlen;
        int argc;
        enum rf_read got;

        rf_arena_reset(a);
        got = rf_spool_get(s, a, &argc, &argv, &argvlen, &err);
        if (got == RF_READ_END)
            break;
        cr_assert_eq(got, RF_READ_ITEM, "%s", err.message);
        cr_assert_eq(argvlen[1], sizeof value);
        cr_assert_eq(argv[1][0], 'a' + n % 26);
        n++;
    }
    cr_assert_eq(n, 5000);
    rf_spool_destroy(s);
    rf_arena_destroy(a);
}
