/*
 * Unit tests of the cryptography helpers (services/common/crypto.c): SHA-256
 * against FIPS 180-2 vectors, incremental hashing, netstring field framing,
 * UUIDv7 layout and order, UUID text validation, constant-time comparison.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/crypto.h"
#include "refunds/encode.h"

static const char *hex(const uint8_t d[RF_SHA256_LEN])
{
    static char out[2 * RF_SHA256_LEN + 1];

    rf_hex_encode(d, RF_SHA256_LEN, out);
    return out;
}

Test(sha256, matches_the_fips_180_2_abc_vector)
{
    uint8_t d[RF_SHA256_LEN];

    rf_sha256("abc", 3, d);
    cr_assert_str_eq(hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, matches_the_fips_180_2_two_block_vector)
{
    static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    uint8_t d[RF_SHA256_LEN];

    rf_sha256(m, sizeof m - 1, d);
    cr_assert_str_eq(hex(d), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, of_nothing_is_the_empty_digest)
{
    uint8_t d[RF_SHA256_LEN];

    rf_sha256("", 0, d);
    cr_assert_str_eq(hex(d), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(sha256, incremental_equals_one_shot_at_every_split)
{
    uint8_t msg[300], one[RF_SHA256_LEN];

    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    rf_sha256(msg, sizeof msg, one);
    for (size_t cut = 0; cut <= sizeof msg; cut++) {
        struct rf_sha256 *h = rf_sha256_begin();
        uint8_t inc[RF_SHA256_LEN];

        rf_sha256_update(h, msg, cut);
        rf_sha256_update(h, msg + cut, sizeof msg - cut);
        rf_sha256_end(h, inc);
        cr_assert_arr_eq(inc, one, RF_SHA256_LEN, "split at %zu", cut);
    }
}

static void field_hash(const char *a, const char *b, uint8_t out[RF_SHA256_LEN])
{
    struct rf_sha256 *h = rf_sha256_begin();

    rf_sha256_field(h, a, strlen(a));
    rf_sha256_field(h, b, strlen(b));
    rf_sha256_end(h, out);
}

Test(sha256, field_framing_tells_ab_c_from_a_bc)
{
    uint8_t x[RF_SHA256_LEN], y[RF_SHA256_LEN], plain_x[RF_SHA256_LEN], plain_y[RF_SHA256_LEN];

    field_hash("ab", "c", x);
    field_hash("a", "bc", y);
    cr_assert_arr_neq(x, y, RF_SHA256_LEN);
    /* Without the framing the two would collide. */
    rf_sha256("abc", 3, plain_x);
    rf_sha256("abc", 3, plain_y);
    cr_assert_arr_eq(plain_x, plain_y, RF_SHA256_LEN);
    field_hash("", "abc", x);
    field_hash("abc", "", y);
    cr_assert_arr_neq(x, y, RF_SHA256_LEN);
}

Test(sha256, field_is_a_netstring)
{
    /* The framing documented in crypto.h: "<decimal length>:<bytes>,". */
    static const char framed[] = "2:ab,1:c,0:,12:hello, world,";
    uint8_t want[RF_SHA256_LEN], got[RF_SHA256_LEN];
    struct rf_sha256 *h = rf_sha256_begin();

    rf_sha256_field(h, "ab", 2);
    rf_sha256_field(h, "c", 1);
    rf_sha256_field(h, "", 0);
    rf_sha256_field(h, "hello, world", 12);
    rf_sha256_end(h, got);
    rf_sha256(framed, sizeof framed - 1, want);
    cr_assert_arr_eq(got, want, RF_SHA256_LEN);
}

Test(random, two_draws_differ)
{
    uint8_t a[32], b[32];

    rf_random_bytes(a, sizeof a);
    rf_random_bytes(b, sizeof b);
    cr_assert_arr_neq(a, b, sizeof a);
}

static unsigned hexval(char c)
{
    return (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
}

Test(uuid, v7_has_version_7_and_the_rfc9562_variant)
{
    for (int i = 0; i < 200; i++) {
        char id[RF_UUID_TEXT_LEN + 1];

        rf_uuid_v7(1795341600123LL + i, id);
        cr_assert_eq(strlen(id), RF_UUID_TEXT_LEN);
        cr_assert(rf_uuid_valid(id), "%s", id);
        cr_assert_eq(id[14], '7', "%s", id);
        cr_assert_eq(hexval(id[19]) >> 2, 2u, "variant bits of %s", id);
        cr_assert_eq(strspn(id, "0123456789abcdef-"), RF_UUID_TEXT_LEN, "%s is not lower case", id);
    }
}

Test(uuid, v7_starts_with_the_48_bit_unix_milliseconds)
{
    static const int64_t ms[] = {0, 1, 1795341600123LL, 0xffffffffffffLL};

    for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        char id[RF_UUID_TEXT_LEN + 1], want[16];

        rf_uuid_v7(ms[i], id);
        snprintf(want, sizeof want, "%012llx", (unsigned long long)ms[i]);
        cr_assert(strncmp(id, want, 8) == 0 && id[8] == '-' && strncmp(id + 9, want + 8, 4) == 0,
                  "%s does not start with %s", id, want);
    }
}

Test(uuid, v7_ids_sort_by_time)
{
    char prev[RF_UUID_TEXT_LEN + 1], next[RF_UUID_TEXT_LEN + 1];

    rf_uuid_v7(1000, prev);
    for (int64_t t = 1001; t < 3000; t++) {
        rf_uuid_v7(t, next);
        cr_assert_lt(strcmp(prev, next), 0, "%s before %s", prev, next);
        memcpy(prev, next, sizeof prev);
    }
    /* Across a byte boundary of the timestamp. */
    rf_uuid_v7(0xffffffffLL, prev);
    rf_uuid_v7(0x100000000LL, next);
    cr_assert_lt(strcmp(prev, next), 0, "%s before %s", prev, next);
}

Test(uuid, v7_ids_of_the_same_millisecond_differ)
{
    char a[RF_UUID_TEXT_LEN + 1], b[RF_UUID_TEXT_LEN + 1];

    rf_uuid_v7(1795341600123LL, a);
    rf_uuid_v7(1795341600123LL, b);
    cr_assert_str_neq(a, b);
}

Test(uuid, v7_ids_of_one_millisecond_are_strictly_increasing)
{
    char prev[RF_UUID_TEXT_LEN + 1], next[RF_UUID_TEXT_LEN + 1];

    rf_uuid_v7(1795341600123LL, prev);
    for (int i = 0; i < 100000; i++) {
        rf_uuid_v7(1795341600123LL, next);
        cr_assert_lt(strcmp(prev, next), 0, "id %d: %s is not after %s", i, next, prev);
        cr_assert_eq(strncmp(next, "01a2", 4), 0, "%s left the millisecond", next);
        memcpy(prev, next, sizeof prev);
    }
}

Test(uuid, v7_ids_keep_increasing_when_the_clock_goes_back)
{
    char prev[RF_UUID_TEXT_LEN + 1], next[RF_UUID_TEXT_LEN + 1];

    rf_uuid_v7(1795341600123LL, prev);
    for (int64_t back = 1; back < 1000; back++) {
        rf_uuid_v7(1795341600123LL - back, next);
        cr_assert_lt(strcmp(prev, next), 0, "%s is not after %s", next, prev);
        memcpy(prev, next, sizeof prev);
    }
}

Test(uuid, v7_a_spent_counter_borrows_the_next_millisecond)
{
    struct rf_uuid_state st = {.last_ms = 1000, .counter = (1ULL << 42) - 2};
    char a[RF_UUID_TEXT_LEN + 1], b[RF_UUID_TEXT_LEN + 1], c[RF_UUID_TEXT_LEN + 1];

    rf_uuid_v7_next(&st, 1000, a); /* the counter's last value */
    rf_uuid_v7_next(&st, 1000, b); /* spent: millisecond 1001, counter 0 */
    rf_uuid_v7_next(&st, 1000, c);
    /* 1000 = 0x3e8, 1001 = 0x3e9; the counter's top 4 bits follow the version nibble. */
    cr_assert_eq(strncmp(a, "00000000-03e8-7fff-bfff-ff", 26), 0, "%s", a);
    cr_assert_eq(strncmp(b, "00000000-03e9-7000-8000-0000", 28), 0, "%s", b);
    cr_assert_eq(strncmp(c, "00000000-03e9-7000-8000-0001", 28), 0, "%s", c);
    cr_assert_lt(strcmp(a, b), 0);
    cr_assert_lt(strcmp(b, c), 0);
}

Test(uuid, v7_a_new_millisecond_starts_the_counter_below_half)
{
    for (int i = 0; i < 500; i++) {
        struct rf_uuid_state st = {0};
        char id[RF_UUID_TEXT_LEN + 1];

        rf_uuid_v7_next(&st, 5000 + i, id);
        /* The counter's top bit is the low bit of the version nibble's neighbour: id[15]. */
        cr_assert_lt(hexval(id[15]), 8u, "%s starts its counter in the upper half", id);
    }
}

Test(uuid, valid_accepts_canonical_text_in_either_case)
{
    cr_assert(rf_uuid_valid("0190f5c2-3a4b-7c8d-9e0f-123456789abc"));
    cr_assert(rf_uuid_valid("0190F5C2-3A4B-7C8D-9E0F-123456789ABC"));
    cr_assert(rf_uuid_valid("00000000-0000-0000-0000-000000000000"));
    cr_assert(rf_uuid_valid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"));
}

Test(uuid, valid_rejects_other_forms)
{
    static const char *const bad[] = {
        "",
        "0190f5c2-3a4b-7c8d-9e0f-123456789ab",
        "0190f5c2-3a4b-7c8d-9e0f-123456789abcd",
        "0190f5c23a4b7c8d9e0f123456789abc",
        "0190f5c2-3a4b-7c8d-9e0f123456789abc-",
        "0190f5c-23a4b-7c8d-9e0f-123456789abc",
        "0190f5c2-3a4b-7c8d-9e0f-123456789abg",
        "{0190f5c2-3a4b-7c8d-9e0f-123456789abc}",
        "urn:uuid:0190f5c2-3a4b-7c8d-9e0f-123456789abc",
        " 0190f5c2-3a4b-7c8d-9e0f-123456789abc",
        "0190f5c2-3a4b-7c8d-9e0f-123456789abc ",
        "0190f5c2_3a4b_7c8d_9e0f_123456789abc",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_uuid_valid(bad[i]), "\"%s\" accepted", bad[i]);
}

Test(ct_equal, compares_whole_buffers)
{
    static const uint8_t a[] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t b[8];

    memcpy(b, a, sizeof b);
    cr_assert(rf_ct_equal(a, b, sizeof a));
    b[0] ^= 1;
    cr_assert_not(rf_ct_equal(a, b, sizeof a), "first byte differs");
    b[0] ^= 1;
    b[7] ^= 0x80;
    cr_assert_not(rf_ct_equal(a, b, sizeof a), "last byte differs");
    cr_assert(rf_ct_equal(a, b, 7), "only the first 7 bytes are compared");
    cr_assert(rf_ct_equal(a, b, 0));
}
