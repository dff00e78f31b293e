/*
 * Unit tests of the reconciler's binary arrays (workers/reconciler/recon_array.c):
 * the bytes array_recv expects, byte for byte — the header with its element
 * OID and NULL flag, each element's length word and binary form (timestamps
 * from PostgreSQL's epoch, UUIDs from their text, integers in network
 * order), the empty array, growth past the expected size — and that the
 * array goes to the statement as a binary parameter. The integration test
 * (test_reconcile.py) checks that PostgreSQL takes them.
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "recon_array.h"

static struct rf_arena *a;
static struct rf_recon_array arr; /* the array under test */
static int len;                   /* its length once finished */

static void setup(void)
{
    a = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(a);
}

TestSuite(recon_array, .init = setup, .fini = teardown);

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Finishes arr as the one parameter of a statement; returns its bytes and sets len. */
static const unsigned char *finish(void)
{
    static struct rf_params p;

    rf_params_init(&p);
    rf_recon_array_param(&p, &arr);
    cr_assert_eq(p.n, 1);
    cr_assert_eq(p.formats[0], 1, "sent in binary");
    len = p.lengths[0];
    return (const unsigned char *)p.values[0];
}

Test(recon_array, a_one_dimension_array_starts_with_the_header_array_recv_reads)
{
    const unsigned char *b;

    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_INT8, 2);
    rf_recon_array_int(&arr, 7);
    rf_recon_array_int(&arr, -2);
    b = finish();
    cr_assert_eq(len, 20 + 2 * (4 + 8));
    cr_assert_eq(get32(b), 1, "one dimension");
    cr_assert_eq(get32(b + 4), 0, "no NULL");
    cr_assert_eq(get32(b + 8), 20, "int8's OID");
    cr_assert_eq(get32(b + 12), 2, "two elements");
    cr_assert_eq(get32(b + 16), 1, "lower bound 1");
    cr_assert_eq(get32(b + 20), 8);
    cr_assert_eq(get64(b + 24), 7);
    cr_assert_eq(get32(b + 32), 8);
    cr_assert_eq(get64(b + 36), (uint64_t)-2, "two's complement, network order");
}

Test(recon_array, int4_elements_take_four_bytes)
{
    const unsigned char *b;

    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_INT4, 1);
    rf_recon_array_int(&arr, 0x01020304);
    b = finish();
    cr_assert_eq(len, 20 + 4 + 4);
    cr_assert_eq(get32(b + 8), 23, "int4's OID");
    cr_assert_eq(get32(b + 20), 4);
    cr_assert_eq(memcmp(b + 24, "\x01\x02\x03\x04", 4), 0);
}

Test(recon_array, text_is_sent_as_its_bytes_without_quoting)
{
    const unsigned char *b;

    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_TEXT, 1);
    rf_recon_array_text(&arr, "a\"b\\c,{}");
    rf_recon_array_text(&arr, "");
    b = finish();
    cr_assert_eq(get32(b + 8), 25, "text's OID");
    cr_assert_eq(get32(b + 12), 2);
    cr_assert_eq(get32(b + 20), 8);
    cr_assert_eq(memcmp(b + 24, "a\"b\\c,{}", 8), 0);
    cr_assert_eq(get32(b + 32), 0, "the empty string has length 0, not NULL");
    cr_assert_eq(len, 36);
    cr_assert_eq(get32(b + 4), 0, "no NULL");
}

Test(recon_array, null_has_length_minus_one_and_sets_the_header_flag)
{
    const unsigned char *b;

    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_TEXT, 2);
    rf_recon_array_text(&arr, "x");
    rf_recon_array_text(&arr, NULL);
    b = finish();
    cr_assert_eq(get32(b + 4), 1, "has NULLs");
    cr_assert_eq(get32(b + 12), 2);
    cr_assert_eq(get32(b + 25), UINT32_MAX, "-1 after the first element");
    cr_assert_eq(len, 29);
}

Test(recon_array, times_count_microseconds_from_postgresqls_epoch_and_zero_is_null)
{
    const unsigned char *b;

    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_TIMESTAMPTZ, 3);
    rf_recon_array_time(&arr, 946684800LL * 1000000);     /* 2000-01-01 00:00:00 UTC */
    rf_recon_array_time(&arr, 946684800LL * 1000000 - 1); /* one microsecond before */
    rf_recon_array_time(&arr, 0);                         /* never */
    b = finish();
    cr_assert_eq(get32(b + 8), 1184, "timestamptz's OID");
    cr_assert_eq(get32(b + 4), 1);
    cr_assert_eq(get64(b + 24), 0);
    cr_assert_eq(get64(b + 36), (uint64_t)-1);
    cr_assert_eq(get32(b + 44), UINT32_MAX);
    cr_assert_eq(len, 48);
}

Test(recon_array, a_uuid_is_its_sixteen_bytes_whatever_the_case_of_its_digits)
{
    static const unsigned char want[16] = {0x01, 0x90, 0xc8, 0xa4, 0x5b, 0x3e, 0x7c, 0x00,
                                           0x8a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78};
    const unsigned char *b;

    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_UUID, 2);
    rf_recon_array_uuid(&arr, "0190c8a4-5b3e-7c00-8abc-def012345678");
    rf_recon_array_uuid(&arr, "0190C8A45B3E7C008ABCDEF012345678");
    rf_recon_array_uuid(&arr, NULL);
    b = finish();
    cr_assert_eq(get32(b + 8), 2950, "uuid's OID");
    cr_assert_eq(get32(b + 20), 16);
    cr_assert_eq(memcmp(b + 24, want, 16), 0);
    cr_assert_eq(memcmp(b + 44, want, 16), 0);
    cr_assert_eq(get32(b + 60), UINT32_MAX);
    cr_assert_eq(len, 64);
}

Test(recon_array, a_string_that_is_not_a_uuid_aborts, .signal = SIGABRT)
{
    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_UUID, 1);
    rf_recon_array_uuid(&arr, "0190c8a4-5b3e-7c00-8abc-def01234567");
}

Test(recon_array, an_empty_array_has_no_dimension)
{
    const unsigned char *b;

    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_UUID, 0);
    cr_assert_eq(rf_recon_array_count(&arr), 0);
    b = finish();
    cr_assert_eq(len, 12);
    cr_assert_eq(get32(b), 0, "no dimension, as PostgreSQL sends '{}'");
    cr_assert_eq(get32(b + 4), 0);
    cr_assert_eq(get32(b + 8), 2950);
}

Test(recon_array, it_grows_past_the_expected_size_and_keeps_every_element)
{
    const unsigned char *b;

    rf_recon_array_init(&arr, a, RF_RECON_ARRAY_INT8, 1);
    for (int i = 0; i < 1000; i++)
        rf_recon_array_int(&arr, i * 3);
    cr_assert_eq(rf_recon_array_count(&arr), 1000);
    b = finish();
    cr_assert_eq(len, 20 + 1000 * 12);
    cr_assert_eq(get32(b + 12), 1000);
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(get32(b + 20 + 12 * i), 8);
        cr_assert_eq(get64(b + 24 + 12 * i), (uint64_t)(i * 3), "element %d", i);
    }
}
