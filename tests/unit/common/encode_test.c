/*
 * Unit tests of the hex and unpadded base64url codecs
 * (services/common/encode.c): RFC 4648 vectors, round trips of every length
 * from 0 to 40 bytes, and rejection of bad characters, bad lengths and
 * non-canonical trailing bits.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/encode.h"

/* Repeatable pseudo-random bytes (xorshift64), so a failure can be replayed. */
static void fill(uint8_t *buf, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15u + 1;

    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)(x >> 24);
    }
}

Test(hex, encodes_lower_case)
{
    static const uint8_t in[] = {0x00, 0xff, 0x1a, 0xb0, 0x09};
    char out[11];

    rf_hex_encode(in, sizeof in, out);
    cr_assert_str_eq(out, "00ff1ab009");
    rf_hex_encode(in, 0, out);
    cr_assert_str_eq(out, "");
}

Test(hex, round_trips_every_length_up_to_40)
{
    for (size_t n = 0; n <= 40; n++) {
        for (uint64_t seed = 1; seed <= 8; seed++) {
            uint8_t in[40], back[40];
            char text[81];

            fill(in, n, seed * 100 + n);
            rf_hex_encode(in, n, text);
            cr_assert_eq(strlen(text), 2 * n);
            cr_assert(strspn(text, "0123456789abcdef") == 2 * n, "%s", text);
            memset(back, 0xee, sizeof back);
            cr_assert(rf_hex_decode(text, back, n), "n %zu: %s", n, text);
            cr_assert_arr_eq(back, in, n, "n %zu", n);
        }
    }
}

Test(hex, decodes_upper_case)
{
    uint8_t out[3];

    cr_assert(rf_hex_decode("00FFaB", out, 3));
    cr_assert_eq(out[0], 0x00);
    cr_assert_eq(out[1], 0xff);
    cr_assert_eq(out[2], 0xab);
}

Test(hex, rejects_bad_characters_and_wrong_lengths)
{
    static const char *const bad[] = {"0g", "zz", " 0", "0 ", "-1", "0x", "\xc3\xa9"};
    uint8_t out[8];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_hex_decode(bad[i], out, 1), "\"%s\" accepted", bad[i]);
    cr_assert_not(rf_hex_decode("abc", out, 2), "too short");
    cr_assert_not(rf_hex_decode("a", out, 1), "odd and too short");
    cr_assert_not(rf_hex_decode("abcdef", out, 2), "too long");
    cr_assert_not(rf_hex_decode("abcde", out, 2), "odd and too long");
    cr_assert_not(rf_hex_decode("", out, 1), "empty");
    cr_assert(rf_hex_decode("", out, 0), "empty for zero bytes");
}

static const char *b64(const char *in)
{
    static char out[64];

    rf_base64url_encode((const uint8_t *)in, strlen(in), out);
    return out;
}

Test(base64url, encodes_the_rfc4648_vectors_without_padding)
{
    /* RFC 4648 section 10, padding removed. */
    cr_assert_str_eq(b64(""), "");
    cr_assert_str_eq(b64("f"), "Zg");
    cr_assert_str_eq(b64("fo"), "Zm8");
    cr_assert_str_eq(b64("foo"), "Zm9v");
    cr_assert_str_eq(b64("foob"), "Zm9vYg");
    cr_assert_str_eq(b64("fooba"), "Zm9vYmE");
    cr_assert_str_eq(b64("foobar"), "Zm9vYmFy");
}

Test(base64url, uses_the_url_alphabet)
{
    /* Standard base64 of these bytes is "+/8=" and "/+/+". */
    static const uint8_t a[] = {0xfb, 0xff};
    static const uint8_t b[] = {0xff, 0xef, 0xfe};
    char out[8];

    rf_base64url_encode(a, sizeof a, out);
    cr_assert_str_eq(out, "-_8");
    rf_base64url_encode(b, sizeof b, out);
    cr_assert_str_eq(out, "_-_-");
}

Test(base64url, round_trips_every_length_up_to_40)
{
    for (size_t n = 0; n <= 40; n++) {
        for (uint64_t seed = 1; seed <= 8; seed++) {
            uint8_t in[40], back[40];
            char text[64];
            size_t got = 999;

            fill(in, n, seed * 1000 + n);
            rf_base64url_encode(in, n, text);
            cr_assert_eq(strlen(text), rf_base64url_len(n), "n %zu", n);
            cr_assert_eq(
                strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                strlen(text), "%s", text);
            cr_assert(rf_base64url_decode(text, back, sizeof back, &got), "n %zu: %s", n, text);
            cr_assert_eq(got, n);
            cr_assert_arr_eq(back, in, n, "n %zu", n);
        }
    }
}

Test(base64url, length_is_four_characters_per_three_bytes_without_padding)
{
    /* ceil(8n / 6) characters. */
    for (size_t n = 0; n <= 100; n++)
        cr_assert_eq(rf_base64url_len(n), (8 * n + 5) / 6, "n %zu", n);
}

Test(base64url, rejects_bad_characters)
{
    static const char *const bad[] = {
        "Zm9v+", "Zm9v/", "Zm9vYg==", "Zm9=", "Zm 9v", "Zm9v\n", "Zm9v.", "Zm\xc3\xa9", "*",
    };
    uint8_t out[16];
    size_t n;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_base64url_decode(bad[i], out, sizeof out, &n), "\"%s\" accepted", bad[i]);
}

Test(base64url, rejects_lengths_no_encoding_has)
{
    /* A length of 4k + 1 characters is 6 bits short of a byte. */
    uint8_t out[16];
    size_t n;

    cr_assert_not(rf_base64url_decode("Z", out, sizeof out, &n));
    cr_assert_not(rf_base64url_decode("Zm9vY", out, sizeof out, &n));
    cr_assert_not(rf_base64url_decode("Zm9vYmFyZ", out, sizeof out, &n));
}

Test(base64url, rejects_non_canonical_trailing_bits)
{
    uint8_t out[16];
    size_t n;

    /* "Zg" and "Zm8" are the only encodings of "f" and "fo". */
    cr_assert(rf_base64url_decode("Zg", out, sizeof out, &n));
    cr_assert_not(rf_base64url_decode("Zh", out, sizeof out, &n));
    cr_assert_not(rf_base64url_decode("Zv", out, sizeof out, &n));
    cr_assert(rf_base64url_decode("Zm8", out, sizeof out, &n));
    cr_assert_not(rf_base64url_decode("Zm9", out, sizeof out, &n));
    cr_assert_not(rf_base64url_decode("Zm_", out, sizeof out, &n));
}

Test(base64url, decodes_the_empty_text_to_nothing)
{
    uint8_t out[1];
    size_t n = 99;

    cr_assert(rf_base64url_decode("", out, sizeof out, &n));
    cr_assert_eq(n, 0);
}

Test(base64url, refuses_output_larger_than_cap)
{
    uint8_t out[6];
    size_t n;

    cr_assert_not(rf_base64url_decode("Zm9vYmFy", out, 5, &n));
    cr_assert(rf_base64url_decode("Zm9vYmFy", out, 6, &n));
    cr_assert_eq(n, 6);
    cr_assert_arr_eq(out, "foobar", 6);
}
