/*
 * Unit tests of the currency table and money formatting
 * (services/common/money.c): minor-unit digits of known currencies, rejection
 * of unknown and lower-case codes, the order the binary search relies on, and
 * formatting of negative, zero-digit and extreme amounts, both neutral and in
 * the customer's language (en, es, de and their fallbacks).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/money.h"

Test(money, digits_of_well_known_currencies)
{
    /* ISO 4217 minor units, from the standard's list (SIX Group). */
    static const struct {
        const char *code;
        int digits;
    } want[] = {
        {"EUR", 2}, {"USD", 2}, {"GBP", 2}, {"JPY", 0}, {"KRW", 0}, {"ISK", 0}, {"CLP", 0},
        {"KWD", 3}, {"BHD", 3}, {"JOD", 3}, {"TND", 3}, {"CLF", 4}, {"UYW", 4}, {"AED", 2},
        {"ZWG", 2}, {"XOF", 0}, {"XPF", 0}, {"VND", 0}, {"OMR", 3}, {"LYD", 3}, {"IQD", 3},
    };

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cr_assert_eq(rf_currency_digits(want[i].code), want[i].digits, "%s", want[i].code);
        cr_assert(rf_currency_valid(want[i].code), "%s", want[i].code);
    }
}

Test(money, unknown_codes_are_rejected)
{
    static const char *const bad[] = {"ABC", "XXX", "XTS", "XAU", "EUX", "ZZZ", "AAA"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(rf_currency_digits(bad[i]), -1, "%s", bad[i]);
        cr_assert_not(rf_currency_valid(bad[i]), "%s", bad[i]);
    }
}

Test(money, lower_case_and_malformed_codes_are_rejected)
{
    static const char *const bad[] = {"eur", "Eur", "eUR", "EU", "EURO", "", " EUR", "EUR ", "E R"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_currency_valid(bad[i]), "\"%s\"", bad[i]);
    cr_assert_eq(rf_currency_digits(NULL), -1);
}

/*
 * The table is static, so it is read from money.c itself: every {"XYZ", n}
 * entry in source order. bsearch silently misses codes when two neighbours are
 * out of order, so each adjacent pair is checked, and each entry must be found.
 */
struct entry {
    char code[4];
    int digits;
};

static size_t read_table(struct entry *out, size_t cap)
{
    FILE *f = fopen(RF_MONEY_SOURCE, "r");
    size_t n = 0;
    int c;

    cr_assert_not_null(f, "could not open %s", RF_MONEY_SOURCE);
    /* Scan for {"ABC", d} with three upper-case letters. */
    while ((c = fgetc(f)) != EOF) {
        char code[4];
        int digits;

        if (c != '{')
            continue;
        if (fscanf(f, "\"%3[A-Z]\", %d}", code, &digits) == 2 && strlen(code) == 3) {
            cr_assert_lt(n, cap, "more entries than expected");
            memcpy(out[n].code, code, 4);
            out[n].digits = digits;
            n++;
        }
    }
    fclose(f);
    return n;
}

Test(money, the_table_is_sorted_and_every_entry_is_found)
{
    static struct entry table[400];
    size_t n = read_table(table, 400);

    cr_assert_gt(n, 150, "only %zu entries read from %s", n, RF_MONEY_SOURCE);
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(strcmp(table[i - 1].code, table[i].code), 0, "entry %zu: %s before %s", i,
                     table[i - 1].code, table[i].code);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(rf_currency_digits(table[i].code), table[i].digits, "%s", table[i].code);
}

Test(money, exactly_the_table_codes_are_valid)
{
    static struct entry table[400];
    size_t n = read_table(table, 400), valid = 0;
    char code[4] = {0};

    for (code[0] = 'A'; code[0] <= 'Z'; code[0]++) {
        for (code[1] = 'A'; code[1] <= 'Z'; code[1]++) {
            for (code[2] = 'A'; code[2] <= 'Z'; code[2]++)
                valid += rf_currency_valid(code);
        }
    }
    cr_assert_eq(valid, n);
}

static const char *fmt(int64_t minor, const char *currency)
{
    static char buf[64];
    int n = rf_money_format(minor, currency, buf, sizeof buf);

    cr_assert_eq((size_t)n, strlen(buf));
    return buf;
}

Test(money, formats_major_and_minor_units)
{
    cr_assert_str_eq(fmt(1999, "EUR"), "EUR 19.99");
    cr_assert_str_eq(fmt(5, "EUR"), "EUR 0.05");
    cr_assert_str_eq(fmt(100, "USD"), "USD 1.00");
    cr_assert_str_eq(fmt(0, "EUR"), "EUR 0.00");
    cr_assert_str_eq(fmt(1234, "KWD"), "KWD 1.234");
    cr_assert_str_eq(fmt(7, "KWD"), "KWD 0.007");
    cr_assert_str_eq(fmt(12345, "CLF"), "CLF 1.2345");
}

Test(money, formats_negative_amounts_with_a_leading_minus)
{
    cr_assert_str_eq(fmt(-1999, "EUR"), "EUR -19.99");
    cr_assert_str_eq(fmt(-5, "EUR"), "EUR -0.05");
    cr_assert_str_eq(fmt(-1, "KWD"), "KWD -0.001");
    cr_assert_str_eq(fmt(-1500, "JPY"), "JPY -1500");
}

Test(money, formats_zero_digit_currencies_without_a_point)
{
    cr_assert_str_eq(fmt(1500, "JPY"), "JPY 1500");
    cr_assert_str_eq(fmt(0, "JPY"), "JPY 0");
    cr_assert_str_eq(fmt(7, "KRW"), "KRW 7");
}

Test(money, formats_the_int64_extremes)
{
    cr_assert_str_eq(fmt(INT64_MIN, "EUR"), "EUR -92233720368547758.08");
    cr_assert_str_eq(fmt(INT64_MAX, "EUR"), "EUR 92233720368547758.07");
    cr_assert_str_eq(fmt(INT64_MIN, "JPY"), "JPY -9223372036854775808");
    cr_assert_str_eq(fmt(INT64_MIN, "CLF"), "CLF -922337203685477.5808");
}

Test(money, formats_an_unknown_code_with_two_digits)
{
    cr_assert_str_eq(fmt(1999, "XYZ"), "XYZ 19.99");
}

Test(money, returns_the_untruncated_length_when_the_buffer_is_small)
{
    char buf[6];
    int n = rf_money_format(1999, "EUR", buf, sizeof buf);

    cr_assert_eq(n, (int)strlen("EUR 19.99"));
    cr_assert_str_eq(buf, "EUR 1");
}

static const char *fmt_lang(int64_t minor, const char *currency, const char *lang)
{
    static char buf[96];
    int n = rf_money_format_lang(minor, currency, lang, buf, sizeof buf);

    cr_assert_eq((size_t)n, strlen(buf));
    return buf;
}

Test(money_lang, english_puts_the_symbol_first_and_groups_with_commas)
{
    cr_assert_str_eq(fmt_lang(123456, "EUR", "en"), "€1,234.56");
    cr_assert_str_eq(fmt_lang(123456, "USD", "en"), "$1,234.56");
    cr_assert_str_eq(fmt_lang(123456, "GBP", "en"), "£1,234.56");
    cr_assert_str_eq(fmt_lang(1999, "EUR", "en-GB"), "€19.99");
}

Test(money_lang, spanish_and_german_put_the_symbol_after_and_group_with_points)
{
    static const char *const langs[] = {"es", "de", "es-MX", "de-AT", "de-CH"};

    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        cr_assert_str_eq(fmt_lang(123456, "EUR", langs[i]), "1.234,56 €", "%s", langs[i]);
        cr_assert_str_eq(fmt_lang(123456, "USD", langs[i]), "1.234,56 US$", "%s", langs[i]);
        cr_assert_str_eq(fmt_lang(123456, "GBP", langs[i]), "1.234,56 £", "%s", langs[i]);
        cr_assert_str_eq(fmt_lang(5, "EUR", langs[i]), "0,05 €", "%s", langs[i]);
    }
}

Test(money_lang, yen_has_no_minor_digits)
{
    cr_assert_str_eq(fmt_lang(1235, "JPY", "en"), "¥1,235");
    cr_assert_str_eq(fmt_lang(1235, "JPY", "de"), "1.235 ¥");
    cr_assert_str_eq(fmt_lang(7, "KRW", "en"), "KRW 7");
    cr_assert_str_eq(fmt_lang(1234567, "KRW", "es"), "1.234.567 KRW");
}

Test(money_lang, dinar_has_three_minor_digits)
{
    cr_assert_str_eq(fmt_lang(1234567, "KWD", "en"), "KWD 1,234.567");
    cr_assert_str_eq(fmt_lang(1234567, "KWD", "es"), "1.234,567 KWD");
    cr_assert_str_eq(fmt_lang(1, "KWD", "de"), "0,001 KWD");
}

Test(money_lang, other_currencies_are_written_with_their_code)
{
    cr_assert_str_eq(fmt_lang(123456, "CHF", "en"), "CHF 1,234.56");
    cr_assert_str_eq(fmt_lang(123456, "CHF", "de-CH"), "1.234,56 CHF");
    cr_assert_str_eq(fmt_lang(123456, "MXN", "es-MX"), "1.234,56 MXN");
    cr_assert_str_eq(fmt_lang(123456, "CAD", "en"), "CAD 1,234.56");
    cr_assert_str_eq(fmt_lang(12345, "CLF", "es"), "1,2345 CLF");
    cr_assert_str_eq(fmt_lang(1999, "XYZ", "en"), "XYZ 19.99");
}

Test(money_lang, zero_is_written_with_its_minor_digits)
{
    cr_assert_str_eq(fmt_lang(0, "EUR", "en"), "€0.00");
    cr_assert_str_eq(fmt_lang(0, "EUR", "de"), "0,00 €");
    cr_assert_str_eq(fmt_lang(0, "JPY", "en"), "¥0");
    cr_assert_str_eq(fmt_lang(0, "KWD", "es"), "0,000 KWD");
}

Test(money_lang, negative_amounts_start_with_a_minus)
{
    cr_assert_str_eq(fmt_lang(-123456, "EUR", "en"), "-€1,234.56");
    cr_assert_str_eq(fmt_lang(-123456, "EUR", "de"), "-1.234,56 €");
    cr_assert_str_eq(fmt_lang(-5, "USD", "es"), "-0,05 US$");
    cr_assert_str_eq(fmt_lang(-1, "KWD", "en"), "-KWD 0.001");
    cr_assert_str_eq(fmt_lang(-1235, "JPY", "en"), "-¥1,235");
}

Test(money_lang, groups_every_three_digits_up_to_the_largest_amount)
{
    cr_assert_str_eq(fmt_lang(99999, "EUR", "en"), "€999.99");
    cr_assert_str_eq(fmt_lang(100000, "EUR", "en"), "€1,000.00");
    cr_assert_str_eq(fmt_lang(123456789, "EUR", "de"), "1.234.567,89 €");
    cr_assert_str_eq(fmt_lang(RF_MONEY_MAX_MINOR, "EUR", "en"), "€10,000,000,000,000.00");
    cr_assert_str_eq(fmt_lang(RF_MONEY_MAX_MINOR, "EUR", "es"), "10.000.000.000.000,00 €");
    cr_assert_str_eq(fmt_lang(RF_MONEY_MAX_MINOR, "JPY", "en"), "¥1,000,000,000,000,000");
    cr_assert_str_eq(fmt_lang(-RF_MONEY_MAX_MINOR, "KWD", "de"), "-1.000.000.000.000,000 KWD");
}

Test(money_lang, formats_the_int64_extremes)
{
    cr_assert_str_eq(fmt_lang(INT64_MIN, "EUR", "de"), "-92.233.720.368.547.758,08 €");
    cr_assert_str_eq(fmt_lang(INT64_MAX, "JPY", "en"), "¥9,223,372,036,854,775,807");
}

Test(money_lang, an_unknown_or_malformed_language_is_english)
{
    cr_assert_str_eq(fmt_lang(123456, "EUR", "fr"), "€1,234.56");
    cr_assert_str_eq(fmt_lang(123456, "EUR", "not a tag"), "€1,234.56");
    cr_assert_str_eq(fmt_lang(123456, "EUR", NULL), "€1,234.56");
}

Test(money_lang, returns_the_untruncated_length_when_the_buffer_is_small)
{
    char buf[6];
    int n = rf_money_format_lang(123456, "EUR", "de", buf, sizeof buf);

    cr_assert_eq(n, (int)strlen("1.234,56 €"));
    cr_assert_str_eq(buf, "1.234");
}
