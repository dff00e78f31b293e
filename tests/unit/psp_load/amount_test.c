/*
 * Unit tests of the major-to-minor unit conversion (workers/psp_load/amount.c):
 * exact results for currencies with 0, 2 and 3 decimal places, the limit,
 * and refusals of signs, separators, extra points, too many decimals and
 * numbers that are not numbers.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "amount.h"

static int64_t ok(const char *s, int digits)
{
    int64_t v = -1;
    char why[96] = "";

    cr_assert(rf_amount_from_major(s, digits, &v, why, sizeof why), "\"%s\" (%d): %s", s, digits,
              why);
    return v;
}

static const char *refused(const char *s, int digits)
{
    static char why[96];
    int64_t v = -1;

    why[0] = '\0';
    cr_assert_not(rf_amount_from_major(s, digits, &v, why, sizeof why), "\"%s\" (%d)", s, digits);
    cr_assert_eq(v, -1, "the output is untouched on refusal");
    cr_assert_neq(why[0], '\0');
    return why;
}

Test(amount, currencies_without_decimals_take_whole_numbers)
{
    cr_assert_eq(ok("8800", 0), 8800);
    cr_assert_eq(ok("0", 0), 0);
    cr_assert_eq(ok("007", 0), 7);
    cr_assert_str_eq(refused("8800.0", 0), "has 1 decimal place; the currency has 0");
}

Test(amount, two_decimal_currencies_are_exact)
{
    /* 0.1 + 0.2 style values that floating point gets wrong. */
    cr_assert_eq(ok("49.99", 2), 4999);
    cr_assert_eq(ok("0.29", 2), 29);
    cr_assert_eq(ok("1.10", 2), 110);
    cr_assert_eq(ok("12.5", 2), 1250);
    cr_assert_eq(ok("12", 2), 1200);
    cr_assert_eq(ok("0.01", 2), 1);
    cr_assert_eq(ok("4503599627370.49", 2), 450359962737049LL);
    cr_assert_str_eq(refused("10.005", 2), "has 3 decimal places; the currency has 2");
    cr_assert_str_eq(refused("0.001", 2), "has 3 decimal places; the currency has 2");
}

Test(amount, three_decimal_currencies_are_exact)
{
    cr_assert_eq(ok("12.345", 3), 12345);
    cr_assert_eq(ok("0.5", 3), 500);
    cr_assert_eq(ok("0.010", 3), 10);
    cr_assert_str_eq(refused("1.2345", 3), "has 4 decimal places; the currency has 3");
}

Test(amount, malformed_numbers_are_refused)
{
    static const char *const bad[] = {"1.2.3", "1,50", "1,234.56", "1 000",   " 1",    "1 ",
                                      ".5",    "5.",   "1e3",      "abc",     "12.3x", "0x10",
                                      "١٢",    "1..2", "NaN",      "Infinity"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(strstr(refused(bad[i], 2), "not a decimal number") != NULL, "\"%s\"", bad[i]);
}

Test(amount, signs_and_empty_text_are_refused)
{
    cr_assert_str_eq(refused("", 2), "is empty");
    cr_assert_str_eq(refused("-1.00", 2), "must be a plain amount without a sign");
    cr_assert_str_eq(refused("+1.00", 2), "must be a plain amount without a sign");
}

Test(amount, the_money_limit_is_exact_and_huge_inputs_do_not_overflow)
{
    /* RF_MONEY_MAX_MINOR is 10^15 minor units. */
    cr_assert_eq(ok("10000000000000.00", 2), 1000000000000000LL);
    cr_assert_eq(ok("1000000000000000", 0), 1000000000000000LL);
    cr_assert_eq(ok("1000000000000", 3), 1000000000000000LL);
    cr_assert_str_eq(refused("10000000000000.01", 2), "is larger than 10^15 minor units");
    cr_assert_str_eq(refused("1000000000000001", 0), "is larger than 10^15 minor units");
    cr_assert_str_eq(refused("99999999999999999999999999999999", 2), "is too large");
}
