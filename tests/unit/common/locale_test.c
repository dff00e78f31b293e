/*
 * Unit tests of language tags, dates and lists in the customer's language
 * (services/common/locale.c): canonical case and the fallback chain of tags,
 * which formatting rules a tag gets, dates in en, es, de and de-AT with their
 * non-ASCII month names across the Timestamp range, and lists with Spanish's
 * "e" before the sound i.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/arena.h"
#include "refunds/locale.h"
#include "refunds/timeutil.h"

#define DAY_US (86400LL * RF_USEC_PER_SEC)

static struct rf_arena *arena;

static void setup(void)
{
    arena = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(dates, .init = setup, .fini = teardown);
TestSuite(lists, .init = setup, .fini = teardown);

Test(lang, normalize_writes_each_subtag_in_its_canonical_case)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"en", "en"},
        {"EN", "en"},
        {"de-at", "de-AT"},
        {"DE_at", "de-AT"},
        {"es-419", "es-419"},
        {"zh-hant-tw", "zh-Hant-TW"},
        {"SR-LATN", "sr-Latn"},
        {"de-CH-1996", "de-CH-1996"},
        {"sl-ROZAJ", "sl-rozaj"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[RF_LANG_TAG_MAX];

        cr_assert(rf_lang_normalize(cases[i].in, buf, sizeof buf), "%s", cases[i].in);
        cr_assert_str_eq(buf, cases[i].want);
    }
}

Test(lang, normalize_refuses_what_is_not_a_tag)
{
    static const char *const bad[] = {"",
                                      "e",
                                      "english",
                                      "de-",
                                      "-de",
                                      "de--AT",
                                      "de AT",
                                      "de-x-private",
                                      "12",
                                      "dé",
                                      "abcdefghijklmnopqrstuvwxyzabcdefghij"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char buf[RF_LANG_TAG_MAX] = "stale";

        cr_assert_not(rf_lang_normalize(bad[i], buf, sizeof buf), "%s", bad[i]);
        cr_assert_str_eq(buf, "");
    }
    cr_assert_not(rf_lang_normalize(NULL, (char[4]){0}, 4));
}

Test(lang, normalize_refuses_a_buffer_too_small_for_the_tag)
{
    char buf[5];

    cr_assert_not(rf_lang_normalize("de-AT", buf, sizeof buf));
    cr_assert_str_eq(buf, "");
    cr_assert(rf_lang_normalize("de-A1", (char[6]){0}, 6));
}

Test(lang, parent_walks_the_fallback_chain)
{
    char tag[RF_LANG_TAG_MAX] = "zh-Hant-TW";

    cr_assert(rf_lang_parent(tag));
    cr_assert_str_eq(tag, "zh-Hant");
    cr_assert(rf_lang_parent(tag));
    cr_assert_str_eq(tag, "zh");
    cr_assert_not(rf_lang_parent(tag));
    cr_assert_str_eq(tag, "zh");
}

Test(lang, a_tag_gets_its_own_rules_or_its_parents_or_english)
{
    static const struct {
        const char *tag, *want;
    } cases[] = {
        {"en", "en"},
        {"en-GB", "en"},
        {"es", "es"},
        {"es-MX", "es"},
        {"es_419", "es"},
        {"de", "de"},
        {"de-DE", "de"},
        {"de-CH", "de"},
        {"de-AT", "de-AT"},
        {"DE-at", "de-AT"},
        {"de-AT-1996", "de-AT"},
        {"fr", "en"},
        {"pt-BR", "en"},
        {"", "en"},
        {"!!", "en"},
        {NULL, "en"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_str_eq(rf_locale_get(cases[i].tag)->lang, cases[i].want, "%s",
                         cases[i].tag == NULL ? "NULL" : cases[i].tag);
}

static const char *date(int64_t y, unsigned m, unsigned d, const char *lang)
{
    static char buf[64];
    int n = rf_date_format_lang(rf_days_from_civil(y, m, d) * DAY_US, lang, buf, sizeof buf);

    cr_assert_eq((size_t)n, strlen(buf));
    return buf;
}

Test(dates, english_puts_the_day_first)
{
    cr_assert_str_eq(date(2026, 12, 1, "en"), "1 December 2026");
    cr_assert_str_eq(date(2026, 3, 31, "en-US"), "31 March 2026");
    cr_assert_str_eq(date(2024, 2, 29, "en"), "29 February 2024");
}

Test(dates, spanish_joins_with_de_and_writes_months_in_lower_case)
{
    cr_assert_str_eq(date(2026, 12, 1, "es"), "1 de diciembre de 2026");
    cr_assert_str_eq(date(2026, 9, 15, "es-MX"), "15 de septiembre de 2026");
    cr_assert_str_eq(date(2027, 1, 2, "es"), "2 de enero de 2027");
}

Test(dates, german_puts_a_full_stop_after_the_day)
{
    cr_assert_str_eq(date(2026, 12, 1, "de"), "1. Dezember 2026");
    cr_assert_str_eq(date(2026, 3, 1, "de"), "1. März 2026");
    cr_assert_str_eq(date(2026, 3, 1, "de-CH"), "1. März 2026");
    cr_assert_str_eq(date(2026, 5, 8, "de"), "8. Mai 2026");
}

Test(dates, austrian_german_says_jaenner)
{
    cr_assert_str_eq(date(2027, 1, 15, "de-AT"), "15. Jänner 2027");
    cr_assert_str_eq(date(2027, 1, 15, "de"), "15. Januar 2027");
    cr_assert_str_eq(date(2027, 3, 15, "de-AT"), "15. März 2027");
}

Test(dates, every_month_has_its_name_in_every_language)
{
    static const char *const de[] = {"Januar",    "Februar", "März",     "April",
                                     "Mai",       "Juni",    "Juli",     "August",
                                     "September", "Oktober", "November", "Dezember"};
    static const char *const es[] = {"enero",      "febrero", "marzo",     "abril",
                                     "mayo",       "junio",   "julio",     "agosto",
                                     "septiembre", "octubre", "noviembre", "diciembre"};

    for (unsigned m = 1; m <= 12; m++) {
        cr_assert_str_eq(date(2026, m, 10, "de"), rf_arena_printf(arena, "10. %s 2026", de[m - 1]));
        cr_assert_str_eq(date(2026, m, 10, "es"),
                         rf_arena_printf(arena, "10 de %s de 2026", es[m - 1]));
    }
}

Test(dates, the_date_is_the_utc_calendar_day_of_the_instant)
{
    static char buf[64];
    int64_t midnight = rf_days_from_civil(2026, 12, 1) * DAY_US;

    rf_date_format_lang(midnight - 1, "en", buf, sizeof buf);
    cr_assert_str_eq(buf, "30 November 2026");
    rf_date_format_lang(midnight + DAY_US - 1, "en", buf, sizeof buf);
    cr_assert_str_eq(buf, "1 December 2026");
    rf_date_format_lang(-1, "en", buf, sizeof buf);
    cr_assert_str_eq(buf, "31 December 1969");
}

Test(dates, the_ends_of_the_timestamp_range_are_written)
{
    static char buf[64];

    rf_date_format_lang(RF_TIME_MIN_US, "de", buf, sizeof buf);
    cr_assert_str_eq(buf, "1. Januar 1");
    rf_date_format_lang(RF_TIME_MAX_US, "es", buf, sizeof buf);
    cr_assert_str_eq(buf, "31 de diciembre de 9999");
}

Test(dates, a_small_buffer_gets_a_prefix_and_the_full_length)
{
    char buf[8];
    int n = rf_date_format_lang(rf_days_from_civil(2026, 12, 1) * DAY_US, "es", buf, sizeof buf);

    cr_assert_eq(n, (int)strlen("1 de diciembre de 2026"));
    cr_assert_str_eq(buf, "1 de di");
}

Test(lists, joins_the_last_item_with_the_languages_and)
{
    static const char *const abc[] = {"A", "B", "C"};

    cr_assert_str_eq(rf_list_format_lang(arena, abc, 3, "en"), "A, B and C");
    cr_assert_str_eq(rf_list_format_lang(arena, abc, 3, "es"), "A, B y C");
    cr_assert_str_eq(rf_list_format_lang(arena, abc, 3, "de-AT"), "A, B und C");
    cr_assert_str_eq(rf_list_format_lang(arena, abc, 3, "fr"), "A, B and C");
    cr_assert_str_eq(rf_list_format_lang(arena, abc, 2, "de"), "A und B");
    cr_assert_str_eq(rf_list_format_lang(arena, abc, 1, "es"), "A");
    cr_assert_str_eq(rf_list_format_lang(arena, abc, 0, "en"), "");
}

Test(lists, spanish_says_e_before_the_sound_i)
{
    static const struct {
        const char *last, *want;
    } cases[] = {
        {"Isabel", "Pedro e Isabel"}, {"isla", "Pedro e isla"},
        {"hijos", "Pedro e hijos"},   {"Hilario", "Pedro e Hilario"},
        {"Ítaca", "Pedro e Ítaca"},   {"hígado", "Pedro e hígado"},
        {"hielo", "Pedro y hielo"}, /* hie- is a diphthong: y stays */
        {"hiato", "Pedro y hiato"},   {"Yolanda", "Pedro y Yolanda"},
        {"ostras", "Pedro y ostras"}, {"I", "Pedro e I"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *items[] = {"Pedro", cases[i].last};

        cr_assert_str_eq(rf_list_format_lang(arena, items, 2, "es"), cases[i].want);
    }
    {
        const char *items[] = {"Pedro", "Isabel"};

        cr_assert_str_eq(rf_list_format_lang(arena, items, 2, "en"), "Pedro and Isabel");
    }
}

Test(lists, items_are_copied_as_they_are)
{
    const char *items[] = {"<b>", "a, b", ""};

    cr_assert_str_eq(rf_list_format_lang(arena, items, 3, "en"), "<b>, a, b and ");
}

Test(payment_method_text, each_method_in_each_language_and_the_fallbacks)
{
    cr_assert_str_eq(rf_payment_method_text("card", "en"), "card");
    cr_assert_str_eq(rf_payment_method_text("card", "es"), "tarjeta");
    cr_assert_str_eq(rf_payment_method_text("card", "de-AT"), "Karte");
    cr_assert_str_eq(rf_payment_method_text("bank_transfer", "es-MX"), "cuenta bancaria");
    cr_assert_str_eq(rf_payment_method_text("paypal", "de"), "PayPal");
    cr_assert_str_eq(rf_payment_method_text("card", "fr"), "card", "English for others");
    cr_assert_str_eq(rf_payment_method_text("card", NULL), "card");
    cr_assert_str_eq(rf_payment_method_text("bitcoin", "de"), "Zahlungsmittel");
    cr_assert_str_eq(rf_payment_method_text(NULL, "es"), "medio de pago");
}
