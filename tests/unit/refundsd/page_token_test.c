/*
 * Unit tests of the keyset page tokens (services/refundsd/page_token.c):
 * round trips, the filter fingerprint that makes a token of other filters
 * fail, and rejection of garbage, truncated, lengthened and foreign tokens.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "page_token.h"
#include "refunds/encode.h"

static const char *const list_parts[] = {"ListCases", "OPEN", "ana@example.com", ""};

static void fingerprint(uint8_t out[RF_PAGE_FINGERPRINT_LEN])
{
    rf_page_fingerprint(list_parts, 4, out);
}

static const struct rf_page_cursor cursor = {
    .time_us = 1795341600123456LL,
    .id = "0190f5c2-3a4b-7c8d-9e0f-123456789abc",
};

static const char *token_of(const struct rf_page_cursor *c)
{
    static char out[RF_PAGE_TOKEN_MAX];
    uint8_t fp[RF_PAGE_FINGERPRINT_LEN];

    fingerprint(fp);
    rf_page_token_encode(fp, c, out);
    return out;
}

Test(page_token, round_trips)
{
    static const int64_t times[] = {1795341600123456LL, 0, 1, 253402300799999999LL};
    uint8_t fp[RF_PAGE_FINGERPRINT_LEN];

    fingerprint(fp);
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        struct rf_page_cursor in = cursor, out;
        const char *token;

        in.time_us = times[i];
        token = token_of(&in);
        memset(&out, 0x55, sizeof out);
        cr_assert(rf_page_token_decode(token, fp, &out), "%s", token);
        cr_assert_eq(out.time_us, in.time_us);
        cr_assert_str_eq(out.id, in.id);
    }
}

Test(page_token, decodes_the_id_in_lower_case)
{
    struct rf_page_cursor in = cursor, out;
    uint8_t fp[RF_PAGE_FINGERPRINT_LEN];

    strcpy(in.id, "0190F5C2-3A4B-7C8D-9E0F-123456789ABC");
    fingerprint(fp);
    cr_assert(rf_page_token_decode(token_of(&in), fp, &out));
    cr_assert_str_eq(out.id, "0190f5c2-3a4b-7c8d-9e0f-123456789abc");
}

Test(page_token, is_short_url_safe_text)
{
    const char *token = token_of(&cursor);

    cr_assert_lt(strlen(token), RF_PAGE_TOKEN_MAX);
    cr_assert_gt(strlen(token), 0);
    cr_assert_eq(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                 strlen(token), "%s", token);
}

Test(page_token, a_token_made_with_other_filters_is_rejected)
{
    static const char *const other[] = {"ListCases", "CLOSED", "ana@example.com", ""};
    uint8_t fp[RF_PAGE_FINGERPRINT_LEN];
    struct rf_page_cursor out;

    rf_page_fingerprint(other, 4, fp);
    cr_assert_not(rf_page_token_decode(token_of(&cursor), fp, &out));
}

Test(page_token, fingerprints_depend_on_every_part_and_their_order_and_bounds)
{
    static const char *const a[] = {"ListCases", "OPEN", "x", ""};
    static const char *const b[] = {"ListCases", "OPEN", "", "x"};
    static const char *const c[] = {"ListCases", "OPENx", "", ""};
    static const char *const e[] = {"ListApprovalQueue", "OPEN", "x", ""};
    uint8_t fa[RF_PAGE_FINGERPRINT_LEN], fb[RF_PAGE_FINGERPRINT_LEN], fc[RF_PAGE_FINGERPRINT_LEN],
        fe[RF_PAGE_FINGERPRINT_LEN], fa2[RF_PAGE_FINGERPRINT_LEN];

    rf_page_fingerprint(a, 4, fa);
    rf_page_fingerprint(a, 4, fa2);
    rf_page_fingerprint(b, 4, fb);
    rf_page_fingerprint(c, 4, fc);
    rf_page_fingerprint(e, 4, fe);
    cr_assert_arr_eq(fa, fa2, RF_PAGE_FINGERPRINT_LEN);
    cr_assert_arr_neq(fa, fb, RF_PAGE_FINGERPRINT_LEN);
    cr_assert_arr_neq(fa, fc, RF_PAGE_FINGERPRINT_LEN);
    cr_assert_arr_neq(fb, fc, RF_PAGE_FINGERPRINT_LEN);
    cr_assert_arr_neq(fa, fe, RF_PAGE_FINGERPRINT_LEN);
}

Test(page_token, garbage_is_rejected)
{
    static const char *const bad[] = {
        "",
        "!!!!",
        "abc",
        "AAAA",
        "not a token",
        "Zm9vYmFy",
        "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
    };
    uint8_t fp[RF_PAGE_FINGERPRINT_LEN];

    fingerprint(fp);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_page_cursor out;

        cr_assert_not(rf_page_token_decode(bad[i], fp, &out), "\"%s\" accepted", bad[i]);
    }
}

Test(page_token, truncated_tokens_are_rejected)
{
    char token[RF_PAGE_TOKEN_MAX];
    uint8_t fp[RF_PAGE_FINGERPRINT_LEN];

    fingerprint(fp);
    strcpy(token, token_of(&cursor));
    for (size_t len = strlen(token); len-- > 0;) {
        struct rf_page_cursor out;

        token[len] = '\0';
        cr_assert_not(rf_page_token_decode(token, fp, &out), "%zu characters accepted", len);
    }
}

Test(page_token, lengthened_and_too_long_tokens_are_rejected)
{
    char token[256];
    uint8_t fp[RF_PAGE_FINGERPRINT_LEN];
    struct rf_page_cursor out;

    fingerprint(fp);
    snprintf(token, sizeof token, "%sAAAA", token_of(&cursor));
    cr_assert_not(rf_page_token_decode(token, fp, &out), "four more characters");
    snprintf(token, sizeof token, "%sAA", token_of(&cursor));
    cr_assert_not(rf_page_token_decode(token, fp, &out), "two more characters");
    memset(token, 'A', 200);
    token[200] = '\0';
    cr_assert_not(rf_page_token_decode(token, fp, &out), "200 characters");
}

Test(page_token, a_token_of_another_version_is_rejected)
{
    uint8_t raw[40], fp[RF_PAGE_FINGERPRINT_LEN];
    char token[RF_PAGE_TOKEN_MAX * 2];
    size_t n;
    struct rf_page_cursor out;

    fingerprint(fp);
    cr_assert(rf_base64url_decode(token_of(&cursor), raw, sizeof raw, &n));
    cr_assert_gt(n, 1);
    raw[0] ^= 0x02;
    rf_base64url_encode(raw, n, token);
    cr_assert_not(rf_page_token_decode(token, fp, &out));
    raw[0] ^= 0x02;
    rf_base64url_encode(raw, n, token);
    cr_assert(rf_page_token_decode(token, fp, &out), "re-encoding the original must work");
}

Test(paging, page_size_defaults_to_50_and_is_lowered_to_500)
{
    cr_assert_eq(rf_page_size(0), 50);
    cr_assert_eq(rf_page_size(-3), 50);
    cr_assert_eq(rf_page_size(1), 1);
    cr_assert_eq(rf_page_size(500), 500);
    cr_assert_eq(rf_page_size(501), 500);
    cr_assert_eq(rf_page_size(INT32_MAX), 500);
}

Test(paging, begin_reads_the_next_token_of_the_same_list_and_refuses_another)
{
    struct rf_arena *a = rf_arena_create(0);
    struct rf_error err;
    struct rf_page first, next, other;
    static const char *const other_parts[] = {"ListCases", "OPEN", "bob@example.com", ""};
    char *token;

    rf_error_clear(&err);
    cr_assert_eq(rf_page_begin(list_parts, 4, "", &first, &err), RF_OK);
    cr_assert_not(first.has_cursor);
    token = rf_page_next_token(a, &first, 1795341600123456LL, cursor.id);
    cr_assert_eq(rf_page_begin(list_parts, 4, token, &next, &err), RF_OK);
    cr_assert(next.has_cursor);
    cr_assert_eq(next.cursor.time_us, 1795341600123456LL);
    cr_assert_str_eq(next.cursor.id, cursor.id);
    cr_assert_eq(rf_page_begin(other_parts, 4, token, &other, &err), RF_INVALID_ARGUMENT);
    cr_assert_eq(err.n_violations, 1);
    cr_assert_str_eq(err.violations[0].field, "page_token");
    rf_arena_destroy(a);
}
