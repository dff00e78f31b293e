/*
 * Unit tests of the checks of untrusted text (services/common/validate.c):
 * UTF-8 well-formedness (overlongs, surrogates, code points past U+10FFFF,
 * truncated sequences, NUL), character counts, rf_text_check's faults, and
 * good and bad examples of each accepted format.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/validate.h"

struct bytes {
    const char *s;
    size_t len;
    const char *what;
};

#define B(lit, what)                                                                               \
    {                                                                                              \
        lit, sizeof lit - 1, what                                                                  \
    }

Test(utf8, accepts_well_formed_text)
{
    static const struct bytes good[] = {
        B("", "empty"),
        B("plain ASCII", "ASCII"),
        B("\xc3\xa9", "U+00E9, two bytes"),
        B("\xc2\x80", "U+0080, smallest two-byte"),
        B("\xdf\xbf", "U+07FF, largest two-byte"),
        B("\xe0\xa0\x80", "U+0800, smallest three-byte"),
        B("\xe2\x82\xac", "U+20AC euro sign"),
        B("\xed\x9f\xbf", "U+D7FF, just below the surrogates"),
        B("\xee\x80\x80", "U+E000, just above the surrogates"),
        B("\xef\xbf\xbf", "U+FFFF"),
        B("\xf0\x90\x80\x80", "U+10000, smallest four-byte"),
        B("\xf0\x9f\x98\x80", "U+1F600 emoji"),
        B("\xf4\x8f\xbf\xbf", "U+10FFFF, the last code point"),
        B("a\xc3\xa9z\xe2\x82\xac", "mixed"),
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        cr_assert(rf_utf8_valid(good[i].s, good[i].len), "%s rejected", good[i].what);
}

Test(utf8, rejects_overlong_forms)
{
    static const struct bytes bad[] = {
        B("\xc0\x80", "overlong NUL"),
        B("\xc0\xaf", "overlong '/'"),
        B("\xc1\xbf", "overlong U+007F"),
        B("\xe0\x80\x80", "three-byte overlong NUL"),
        B("\xe0\x80\xaf", "three-byte overlong '/'"),
        B("\xe0\x9f\xbf", "three-byte overlong U+07FF"),
        B("\xf0\x80\x80\x80", "four-byte overlong NUL"),
        B("\xf0\x8f\xbf\xbf", "four-byte overlong U+FFFF"),
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_utf8_valid(bad[i].s, bad[i].len), "%s accepted", bad[i].what);
}

Test(utf8, rejects_surrogates)
{
    static const struct bytes bad[] = {
        B("\xed\xa0\x80", "U+D800"),
        B("\xed\xad\xbf", "U+DB7F"),
        B("\xed\xb0\x80", "U+DC00"),
        B("\xed\xbf\xbf", "U+DFFF"),
        B("\xed\xa0\xbd\xed\xb8\x80", "a CESU-8 surrogate pair"),
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_utf8_valid(bad[i].s, bad[i].len), "%s accepted", bad[i].what);
}

Test(utf8, rejects_code_points_past_u10ffff)
{
    static const struct bytes bad[] = {
        B("\xf4\x90\x80\x80", "U+110000"),
        B("\xf4\xbf\xbf\xbf", "U+13FFFF"),
        B("\xf5\x80\x80\x80", "lead byte F5"),
        B("\xf7\xbf\xbf\xbf", "lead byte F7"),
        B("\xf8\x88\x80\x80\x80", "five-byte form"),
        B("\xfc\x84\x80\x80\x80\x80", "six-byte form"),
        B("\xfe", "byte FE"),
        B("\xff", "byte FF"),
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_utf8_valid(bad[i].s, bad[i].len), "%s accepted", bad[i].what);
}

Test(utf8, rejects_truncated_sequences_and_stray_continuations)
{
    static const struct bytes bad[] = {
        B("\xc3", "two-byte lead at the end"),
        B("\xe2\x82", "three-byte sequence cut after two"),
        B("\xe2", "three-byte lead at the end"),
        B("\xf0\x9f\x98", "four-byte sequence cut after three"),
        B("\xf0\x9f", "four-byte sequence cut after two"),
        B("\xc3"
          "A",
          "lead byte followed by ASCII"),
        B("\xe2\x82"
          "A",
          "three-byte sequence interrupted"),
        B("\x80", "lone continuation byte"),
        B("a\xbf"
          "b",
          "continuation byte between letters"),
        B("\xc3\xa9\xa9", "extra continuation byte"),
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_utf8_valid(bad[i].s, bad[i].len), "%s accepted", bad[i].what);
}

Test(utf8, rejects_nul)
{
    cr_assert_not(rf_utf8_valid("a\0b", 3));
    cr_assert_not(rf_utf8_valid("\0", 1));
}

Test(utf8, reads_only_len_bytes)
{
    /* The bad byte lies past len, and the truncated sequence lies at len. */
    cr_assert(rf_utf8_valid("ab\xff", 2));
    cr_assert_not(rf_utf8_valid("ab\xc3\xa9", 3));
}

Test(utf8, counts_code_points_not_bytes)
{
    static const char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";

    cr_assert_eq(rf_utf8_chars(s, sizeof s - 1), 4);
    cr_assert_eq(rf_utf8_chars("", 0), 0);
    cr_assert_eq(rf_utf8_chars("abc", 3), 3);
}

Test(text, check_accepts_ordinary_text)
{
    cr_assert_eq(rf_text_check("Hello, caf\xc3\xa9!", 100, 0), RF_TEXT_OK);
    cr_assert_eq(rf_text_check("", 0, 0), RF_TEXT_OK);
}

Test(text, check_reports_bad_utf8)
{
    cr_assert_eq(rf_text_check("ok\xc3", 100, 0), RF_TEXT_BAD_UTF8);
    cr_assert_eq(rf_text_check("\xed\xa0\x80", 100, RF_TEXT_MULTILINE), RF_TEXT_BAD_UTF8);
}

Test(text, check_counts_the_maximum_in_characters)
{
    /* Three characters, six bytes. */
    static const char s[] = "\xc3\xa9\xc3\xa9\xc3\xa9";

    cr_assert_eq(rf_text_check(s, 3, 0), RF_TEXT_OK);
    cr_assert_eq(rf_text_check(s, 2, 0), RF_TEXT_TOO_LONG);
    cr_assert_eq(rf_text_check("abcd", 3, 0), RF_TEXT_TOO_LONG);
}

Test(text, check_rejects_line_breaks_unless_multiline)
{
    cr_assert_eq(rf_text_check("a\nb", 10, 0), RF_TEXT_CONTROL);
    cr_assert_eq(rf_text_check("a\rb", 10, 0), RF_TEXT_CONTROL);
    cr_assert_eq(rf_text_check("a\tb", 10, 0), RF_TEXT_CONTROL);
    cr_assert_eq(rf_text_check("a\r\n\tb", 10, RF_TEXT_MULTILINE), RF_TEXT_OK);
}

Test(text, check_rejects_other_control_characters_even_multiline)
{
    static const char *const bad[] = {"\x01", "a\x1b[2Jb", "\x7f", "a\bb", "\x0b", "\x0c", "\x1f"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(rf_text_check(bad[i], 10, 0), RF_TEXT_CONTROL, "case %zu", i);
        cr_assert_eq(rf_text_check(bad[i], 10, RF_TEXT_MULTILINE), RF_TEXT_CONTROL, "case %zu", i);
    }
}

/*
 * Unicode's control characters (general category Cc) are U+0000-U+001F and
 * U+007F-U+009F. The C1 range holds NEL (U+0085) and CSI (U+009B), a
 * terminal escape on its own.
 */
Test(text, check_rejects_c1_control_characters)
{
    cr_assert_eq(rf_text_check("a\xc2\x85"
                               "b",
                               10, RF_TEXT_MULTILINE),
                 RF_TEXT_CONTROL, "U+0085");
    cr_assert_eq(rf_text_check("a\xc2\x9b"
                               "31m",
                               10, 0),
                 RF_TEXT_CONTROL, "U+009B");
    cr_assert_eq(rf_text_check("\xc2\x80", 10, 0), RF_TEXT_CONTROL, "U+0080");
    cr_assert_eq(rf_text_check("\xc2\x9f", 10, 0), RF_TEXT_CONTROL, "U+009F");
    cr_assert_eq(rf_text_check("\xc2\xa0", 10, 0), RF_TEXT_OK, "U+00A0 is not a control");
}

Test(text, check_rejects_bidirectional_controls_in_any_text)
{
    /* U+202A..U+202E (embeddings, overrides, pop) and U+2066..U+2069 (isolates). */
    static const char *const bidi[] = {"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac",
                                       "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6",
                                       "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9"};

    for (size_t i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
        char s[32];

        snprintf(s, sizeof s, "Ana%sexe.txt", bidi[i]);
        cr_assert_eq(rf_text_check(s, 100, 0), RF_TEXT_BIDI, "control %zu single-line", i);
        cr_assert_eq(rf_text_check(s, 100, RF_TEXT_MULTILINE), RF_TEXT_BIDI, "control %zu free", i);
        cr_assert_eq(rf_bidi_control_len(bidi[i]), 3u);
    }
}

Test(text, check_keeps_right_to_left_text_and_the_marks_that_reorder_nothing)
{
    /* Hebrew and Arabic letters, LRM U+200E, RLM U+200F, ALM U+061C; and the neighbours of the
     * refused ranges: U+2029 (paragraph separator is E2 80 A9), U+202F, U+2065, U+206A. */
    cr_assert_eq(
        rf_text_check("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7",
                      100, 0),
        RF_TEXT_OK);
    cr_assert_eq(rf_text_check("a\xe2\x80\x8e b\xe2\x80\x8f c\xd8\x9c", 100, 0), RF_TEXT_OK);
    cr_assert_eq(rf_text_check("a\xe2\x80\xaf"
                               "b",
                               100, 0),
                 RF_TEXT_OK);
    cr_assert_eq(rf_text_check("a\xe2\x81\xa5"
                               "b\xe2\x81\xaa",
                               100, 0),
                 RF_TEXT_OK);
    cr_assert_eq(rf_bidi_control_len("\xe2\x80\xa9"), 0u);
    cr_assert_eq(rf_bidi_control_len("\xe2\x80"), 0u);
    cr_assert_eq(rf_bidi_control_len("\xe2"), 0u);
}

Test(text, has_content_needs_more_than_white_space)
{
    cr_assert_not(rf_text_has_content(""));
    cr_assert_not(rf_text_has_content(" \t\r\n "));
    cr_assert(rf_text_has_content("  x  "));
    cr_assert(rf_text_has_content("\xc3\xa9"));
}

static void all_valid(bool (*fn)(const char *), const char *const *v, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        cr_assert(fn(v[i]), "%s \"%s\" rejected", what, v[i]);
}

static void all_invalid(bool (*fn)(const char *), const char *const *v, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_not(fn(v[i]), "%s \"%s\" accepted", what, v[i]);
}

#define ALL_VALID(fn, v)   all_valid(fn, v, sizeof v / sizeof v[0], #fn)
#define ALL_INVALID(fn, v) all_invalid(fn, v, sizeof v / sizeof v[0], #fn)

/* A string of n copies of c in buf (which must hold n + 1). */
static char *repeat(char *buf, char c, size_t n)
{
    memset(buf, c, n);
    buf[n] = '\0';
    return buf;
}

Test(email, accepts_plausible_addresses)
{
    static const char *const good[] = {
        "name@example.com",       "first.last+tag@sub.example.co.uk",
        "o'brien@example.ie",     "a@b.cd",
        "user_1@123.example.com", "x-y@my-host.example.org",
        "UPPER@EXAMPLE.COM",      "!#$%&'*+/=?^_`{|}~-@example.com",
    };

    ALL_VALID(rf_email_valid, good);
}

Test(email, rejects_malformed_addresses)
{
    static const char *const bad[] = {
        "",
        "plain",
        "@example.com",
        "name@",
        "name@example",
        "name@example.c",
        "name@example.123",
        ".name@example.com",
        "name.@example.com",
        "na..me@example.com",
        "name@-example.com",
        "name@example-.com",
        "name@example..com",
        "name@.example.com",
        "name@example.com.",
        "na me@example.com",
        "name@exa_mple.com",
        "a@b@example.com",
        "name@ex\xc3\xa4mple.com",
        "n\xc3\xa4me@example.com",
        "name@example.com\n",
        "\"quoted\"@example.com",
        "name@[192.0.2.1]",
    };

    ALL_INVALID(rf_email_valid, bad);
}

Test(email, limits_the_local_part_to_64_and_the_whole_to_254_characters)
{
    char buf[400], local[100];

    snprintf(buf, sizeof buf, "%s@example.com", repeat(local, 'a', 64));
    cr_assert(rf_email_valid(buf));
    snprintf(buf, sizeof buf, "%s@example.com", repeat(local, 'a', 65));
    cr_assert_not(rf_email_valid(buf));

    /* "a@", five labels of 49 letters and their dots, then the TLD: 254 and 255 characters. */
    strcpy(buf, "a@");
    for (int i = 0; i < 5; i++) {
        strcat(buf, repeat(local, (char)('b' + i), 49));
        strcat(buf, ".");
    }
    strcat(buf, "co");
    cr_assert_eq(strlen(buf), 254);
    cr_assert(rf_email_valid(buf));
    strcat(buf, "m");
    cr_assert_not(rf_email_valid(buf));
}

Test(email, limits_a_domain_label_to_63_characters)
{
    char buf[200], label[100];

    snprintf(buf, sizeof buf, "a@%s.com", repeat(label, 'x', 63));
    cr_assert(rf_email_valid(buf));
    snprintf(buf, sizeof buf, "a@%s.com", repeat(label, 'x', 64));
    cr_assert_not(rf_email_valid(buf));
}

Test(phone, accepts_common_notations)
{
    static const char *const good[] = {
        "+34 600 123 456", "(555) 123-4567",   "0612345678",
        "1234567",         "+123456789012345", "030.1234.5678",
    };

    ALL_VALID(rf_phone_valid, good);
}

Test(phone, rejects_bad_numbers)
{
    static const char *const bad[] = {
        "",
        "123456",
        "+1234567890123456",
        "12345a67",
        "++34600123456",
        "34+600123456",
        "+34 600 123 456 ext 7",
        "1-------------------------2345678",
        "tel:+34600123456",
        "+34\t600123456",
    };

    ALL_INVALID(rf_phone_valid, bad);
}

Test(language_tag, accepts_common_bcp47_tags)
{
    static const char *const good[] = {
        "en", "es", "ast", "de-AT", "zh-Hant-TW", "sr-Latn-RS", "es-419", "en-GB-oxendict",
    };

    ALL_VALID(rf_language_tag_valid, good);
}

Test(language_tag, rejects_malformed_tags)
{
    static const char *const bad[] = {
        "",
        "e",
        "engl",
        "en-",
        "en_US",
        "en--US",
        "en-A",
        "-en",
        "1en",
        "en US",
        "en-abcdefghi",
        "en-US-",
        "en-\xc3\xa9s",
        "en-aaaaaaaa-bbbbbbbb-cccccccc-dddddd",
    };

    ALL_INVALID(rf_language_tag_valid, bad);
}

Test(request_id, accepts_1_to_128_allowed_characters)
{
    static const char *const good[] = {"r", "req-1", "01HXYZ.abc:def_ghi", "A-Z.a_z:0-9"};
    char max[130];

    ALL_VALID(rf_request_id_valid, good);
    cr_assert(rf_request_id_valid(repeat(max, 'q', 128)));
}

Test(request_id, rejects_empty_long_and_other_characters)
{
    static const char *const bad[] = {"",      "req id", "req/1", "r\xc3\xa9q",
                                      "req@1", "req\n",  "req+1"};
    char long_id[131];

    ALL_INVALID(rf_request_id_valid, bad);
    cr_assert_not(rf_request_id_valid(repeat(long_id, 'q', 129)));
}

Test(subject, accepts_caller_subjects)
{
    static const char *const good[] = {
        "alice", "alice@example.com", "svc:reconciler", "user+1", "a.b_c-d", "X",
    };
    char max[130];

    ALL_VALID(rf_subject_valid, good);
    cr_assert(rf_subject_valid(repeat(max, 's', 128)));
}

Test(subject, rejects_bad_subjects)
{
    static const char *const bad[] = {"",       "alice bob", "alice,bob", "alice#1",
                                      "al/ice", "\xc3\xa9",  "a\tb"};
    char long_s[131];

    ALL_INVALID(rf_subject_valid, bad);
    cr_assert_not(rf_subject_valid(repeat(long_s, 's', 129)));
}

Test(slug, accepts_lower_case_identifiers_up_to_max)
{
    cr_assert(rf_slug_valid("stripe", 64));
    cr_assert(rf_slug_valid("adyen_2", 64));
    cr_assert(rf_slug_valid("pay-pal", 64));
    cr_assert(rf_slug_valid("abcd", 4));
    cr_assert(rf_slug_valid("0", 1));
}

Test(slug, rejects_upper_case_other_characters_and_overlong)
{
    cr_assert_not(rf_slug_valid("", 64));
    cr_assert_not(rf_slug_valid("Stripe", 64));
    cr_assert_not(rf_slug_valid("stripe.com", 64));
    cr_assert_not(rf_slug_valid("pay pal", 64));
    cr_assert_not(rf_slug_valid("abcde", 4));
    cr_assert_not(rf_slug_valid("a:b", 64));
}
