/*
 * Unit tests of the customers' tracking tokens (services/refundsd/tracking_token.c):
 * a known token computed independently, round trips, expiry at the boundary,
 * and refusal of every changed bit, truncation, lengthening, another key,
 * another version and text that is not a token.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/encode.h"
#include "test_time.h"
#include "tracking_token.h"

static const char case_id[] = "0190f5c2-3a4b-7c8d-9e0f-123456789abc";

/* A key derived from the master key 00 01 02 ... 1f, with the default lifetime. */
static struct rf_tracking_key key_of(uint8_t first)
{
    struct rf_tracking_key k;
    uint8_t master[RF_KEY_LEN];

    for (int i = 0; i < RF_KEY_LEN; i++)
        master[i] = (uint8_t)(first + i);
    rf_tracking_key_init(&k, master, RF_TRACKING_TOKEN_DAYS);
    return k;
}

/* The instant before which tokens expiring at 2026-11-22T10:00:00Z are valid. */
#define EXPIRY_S 1795341600LL

static const char *token_of(const struct rf_tracking_key *k, int64_t expires_s)
{
    static char out[RF_TRACKING_TOKEN_LEN + 1];

    cr_assert(rf_tracking_token_make(k, case_id, expires_s, out));
    return out;
}

Test(tracking_token, matches_a_token_computed_independently)
{
    /*
     * Python: key = hmac.new(bytes(range(32)), b"tracking-token", sha256).digest();
     * signed = b"\x01" + uuid.UUID(case_id).bytes + struct.pack(">Q", 1795341600);
     * urlsafe_b64encode(signed + hmac.new(key, signed, sha256).digest()[:16]).rstrip(b"=")
     */
    struct rf_tracking_key k = key_of(0);

    cr_assert_str_eq(token_of(&k, EXPIRY_S),
                     "AQGQ9cI6S3yNng8SNFZ4mrwAAAAAawK9ID53QCWieHTPlONNDcENg3A");
    cr_assert_eq(strlen(token_of(&k, EXPIRY_S)), RF_TRACKING_TOKEN_LEN);
}

Test(tracking_token, round_trips_to_the_case_it_names)
{
    struct rf_tracking_key k = key_of(0);
    char id[RF_UUID_TEXT_LEN + 1];

    cr_assert(
        rf_tracking_token_verify(&k, token_of(&k, EXPIRY_S), test_at("2026-01-01T00:00:00Z"), id));
    cr_assert_str_eq(id, case_id);
}

Test(tracking_token, names_the_case_in_lower_case_whatever_case_it_was_made_from)
{
    struct rf_tracking_key k = key_of(0);
    char upper[RF_TRACKING_TOKEN_LEN + 1], id[RF_UUID_TEXT_LEN + 1];

    cr_assert(rf_tracking_token_make(&k, "0190F5C2-3A4B-7C8D-9E0F-123456789ABC", EXPIRY_S, upper));
    cr_assert_str_eq(upper, token_of(&k, EXPIRY_S));
    cr_assert(rf_tracking_token_verify(&k, upper, 0, id));
    cr_assert_str_eq(id, case_id);
}

Test(tracking_token, a_case_token_expires_its_lifetime_after_the_creation_second)
{
    struct rf_tracking_key k = key_of(0);
    char a[RF_TRACKING_TOKEN_LEN + 1], b[RF_TRACKING_TOKEN_LEN + 1];
    int64_t created = test_at("2026-11-23T10:00:00Z");

    /* Any instant within the creation's second gives the same token: rereads agree. */
    cr_assert(rf_tracking_token_for_case(&k, case_id, created + 999999, a));
    cr_assert(rf_tracking_token_for_case(&k, case_id, created, b));
    cr_assert_str_eq(a, b);
    /* 2026-11-23T10:00:00Z is 1795428000; plus 400 days is 1829988000. */
    cr_assert_str_eq(a, token_of(&k, 1829988000LL));
}

Test(tracking_token, is_valid_up_to_but_not_including_its_expiry_second)
{
    struct rf_tracking_key k = key_of(0);
    const char *t = token_of(&k, EXPIRY_S);
    char id[RF_UUID_TEXT_LEN + 1];

    cr_assert(rf_tracking_token_verify(&k, t, EXPIRY_S * 1000000 - 1, id));
    cr_assert_not(rf_tracking_token_verify(&k, t, EXPIRY_S * 1000000, id));
    cr_assert_not(rf_tracking_token_verify(&k, t, EXPIRY_S * 1000000 + 86400000000LL, id));
}

Test(tracking_token, is_refused_when_any_bit_of_it_is_flipped)
{
    struct rf_tracking_key k = key_of(0);
    uint8_t raw[64];
    size_t n;
    char changed[RF_TRACKING_TOKEN_LEN + 1], id[RF_UUID_TEXT_LEN + 1];

    cr_assert(rf_base64url_decode(token_of(&k, EXPIRY_S), raw, sizeof raw, &n));
    cr_assert_eq(n, 41);
    for (size_t bit = 0; bit < n * 8; bit++) {
        raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        rf_base64url_encode(raw, n, changed);
        cr_assert_not(rf_tracking_token_verify(&k, changed, 0, id), "bit %zu", bit);
        raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* And the text: every character replaced by another base64url character. */
    strcpy(changed, token_of(&k, EXPIRY_S));
    for (size_t i = 0; i < RF_TRACKING_TOKEN_LEN; i++) {
        char was = changed[i];

        changed[i] = was == 'A' ? 'B' : 'A';
        cr_assert_not(rf_tracking_token_verify(&k, changed, 0, id), "character %zu", i);
        changed[i] = was;
    }
    cr_assert(rf_tracking_token_verify(&k, changed, 0, id), "restored");
}

Test(tracking_token, is_refused_truncated_or_lengthened)
{
    struct rf_tracking_key k = key_of(0);
    char text[RF_TRACKING_TOKEN_LEN + 8], id[RF_UUID_TEXT_LEN + 1];

    for (size_t len = 0; len < RF_TRACKING_TOKEN_LEN; len++) {
        snprintf(text, sizeof text, "%.*s", (int)len, token_of(&k, EXPIRY_S));
        cr_assert_not(rf_tracking_token_verify(&k, text, 0, id), "%zu characters", len);
    }
    snprintf(text, sizeof text, "%sA", token_of(&k, EXPIRY_S));
    cr_assert_not(rf_tracking_token_verify(&k, text, 0, id));
    snprintf(text, sizeof text, "%sAAAA", token_of(&k, EXPIRY_S));
    cr_assert_not(rf_tracking_token_verify(&k, text, 0, id));
}

Test(tracking_token, is_refused_under_another_key)
{
    struct rf_tracking_key k = key_of(0), other = key_of(1);
    char id[RF_UUID_TEXT_LEN + 1];

    cr_assert_not(rf_tracking_token_verify(&other, token_of(&k, EXPIRY_S), 0, id));
}

Test(tracking_token, is_refused_with_another_version_even_when_signed)
{
    struct rf_tracking_key k = key_of(0);
    uint8_t raw[41], mac[RF_SHA256_LEN];
    size_t n;
    char text[RF_TRACKING_TOKEN_LEN + 1], id[RF_UUID_TEXT_LEN + 1];

    cr_assert(rf_base64url_decode(token_of(&k, EXPIRY_S), raw, sizeof raw, &n));
    raw[0] = 2;
    rf_hmac_sha256(k.key, sizeof k.key, raw, 25, mac);
    memcpy(raw + 25, mac, 16);
    rf_base64url_encode(raw, sizeof raw, text);
    cr_assert_not(rf_tracking_token_verify(&k, text, 0, id));
    /* The same forgery with version 1 passes: the version alone was refused. */
    raw[0] = 1;
    rf_hmac_sha256(k.key, sizeof k.key, raw, 25, mac);
    memcpy(raw + 25, mac, 16);
    rf_base64url_encode(raw, sizeof raw, text);
    cr_assert(rf_tracking_token_verify(&k, text, 0, id));
}

Test(tracking_token, is_refused_when_not_base64url)
{
    struct rf_tracking_key k = key_of(0);
    char text[RF_TRACKING_TOKEN_LEN + 1], id[RF_UUID_TEXT_LEN + 1];

    strcpy(text, token_of(&k, EXPIRY_S));
    text[10] = '+';
    cr_assert_not(rf_tracking_token_verify(&k, text, 0, id));
    text[10] = '=';
    cr_assert_not(rf_tracking_token_verify(&k, text, 0, id));
    cr_assert_not(rf_tracking_token_verify(&k, "", 0, id));
    cr_assert_not(
        rf_tracking_token_verify(&k, "cases/0190f5c2-3a4b-7c8d-9e0f-123456789abc", 0, id));
}

Test(tracking_token, is_refused_before_1970)
{
    struct rf_tracking_key k = key_of(0);
    char id[RF_UUID_TEXT_LEN + 1];

    cr_assert_not(rf_tracking_token_verify(&k, token_of(&k, EXPIRY_S), -1, id));
}

Test(tracking_token, cannot_be_made_for_what_is_not_a_uuid)
{
    struct rf_tracking_key k = key_of(0);
    char out[RF_TRACKING_TOKEN_LEN + 1];

    cr_assert_not(rf_tracking_token_make(&k, "cases/x", EXPIRY_S, out));
    cr_assert_str_eq(out, "");
    cr_assert_not(rf_tracking_token_make(&k, NULL, EXPIRY_S, out));
}
