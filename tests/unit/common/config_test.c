/*
 * Unit tests of the environment readers (services/common/config.c):
 * rf_env_str, rf_env_int and rf_env_bool with the variable unset, empty,
 * valid, out of range, not a number, with trailing characters, overflowing
 * long long, every boolean spelling in any case, and messages that name the
 * variable and repeat its value. Criterion runs every test in its own
 * process, so setenv here does not leak into the next test.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/config.h"
#include "test_env.h"

#define VAR "REFUNDS_UNIT_CONFIG_TEST"

static struct rf_error err;

static void setup(void)
{
    test_clear_env("REFUNDS_UNIT_");
    rf_error_clear(&err);
}

TestSuite(config, .init = setup);

/* rf_env_int of VAR=value in [min, max] fails with exactly the expected message. */
static void int_refused(const char *value, long long min, long long max, const char *expected)
{
    long long out = 12345;

    test_set_env(VAR, value);
    rf_error_clear(&err);
    cr_assert_eq(rf_env_int(VAR, 1, min, max, &out, &err), RF_INVALID_ARGUMENT, "\"%s\" accepted",
                 value);
    cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
    cr_assert_str_eq(err.message, expected);
    cr_assert_eq(out, 12345, "a refused value must leave *out alone");
}

/* rf_env_int of VAR=value in [min, max] gives want. */
static void int_read(const char *value, long long min, long long max, long long want)
{
    long long out = 12345;

    test_set_env(VAR, value);
    cr_assert_eq(rf_env_int(VAR, 1, min, max, &out, &err), RF_OK, "\"%s\": %s", value, err.message);
    cr_assert_eq(out, want, "\"%s\"", value);
    cr_assert_eq(err.code, RF_OK, "success must not touch err");
}

Test(config, str_of_an_unset_or_empty_variable_is_the_default)
{
    cr_assert_str_eq(rf_env_str(VAR, "def"), "def");
    cr_assert_null(rf_env_str(VAR, NULL));
    test_set_env(VAR, "");
    cr_assert_str_eq(rf_env_str(VAR, "def"), "def");
    cr_assert_null(rf_env_str(VAR, NULL));
}

Test(config, str_is_the_value_itself_not_a_copy)
{
    test_set_env(VAR, " spaced value ");
    cr_assert_str_eq(rf_env_str(VAR, "def"), " spaced value ");
    cr_assert_eq(rf_env_str(VAR, "def"), getenv(VAR));
}

Test(config, int_of_an_unset_or_empty_variable_is_the_default)
{
    long long out = 0;

    cr_assert_eq(rf_env_int(VAR, 77, 1, 100, &out, &err), RF_OK);
    cr_assert_eq(out, 77);
    test_set_env(VAR, "");
    out = 0;
    cr_assert_eq(rf_env_int(VAR, 78, 1, 100, &out, &err), RF_OK);
    cr_assert_eq(out, 78);
}

Test(config, int_reads_values_in_range_bounds_included)
{
    int_read("42", 1, 100, 42);
    int_read("1", 1, 100, 1);
    int_read("100", 1, 100, 100);
    int_read("-5", -10, 10, -5);
    int_read("+7", 0, 10, 7);
    int_read("007", 0, 10, 7);
    int_read("0", 0, 0, 0);
}

Test(config, int_reads_the_whole_long_long_range)
{
    int_read("9223372036854775807", LLONG_MIN, LLONG_MAX, LLONG_MAX);
    int_read("-9223372036854775808", LLONG_MIN, LLONG_MAX, LLONG_MIN);
}

Test(config, int_out_of_range_names_the_variable_the_bounds_and_the_value)
{
    int_refused("0", 1, 100, VAR " must be an integer from 1 to 100, not \"0\"");
    int_refused("101", 1, 100, VAR " must be an integer from 1 to 100, not \"101\"");
    int_refused("-11", -10, 10, VAR " must be an integer from -10 to 10, not \"-11\"");
}

Test(config, int_that_is_not_a_number_is_refused)
{
    int_refused("abc", 1, 100, VAR " must be an integer from 1 to 100, not \"abc\"");
    int_refused("-", 1, 100, VAR " must be an integer from 1 to 100, not \"-\"");
    int_refused(" ", 1, 100, VAR " must be an integer from 1 to 100, not \" \"");
    int_refused("4.5", 1, 100, VAR " must be an integer from 1 to 100, not \"4.5\"");
    int_refused("1e2", 1, 1000, VAR " must be an integer from 1 to 1000, not \"1e2\"");
    int_refused("0x10", 1, 100, VAR " must be an integer from 1 to 100, not \"0x10\"");
}

Test(config, int_with_trailing_characters_is_refused)
{
    int_refused("12abc", 1, 100, VAR " must be an integer from 1 to 100, not \"12abc\"");
    int_refused("12 ", 1, 100, VAR " must be an integer from 1 to 100, not \"12 \"");
    int_refused("12\n", 1, 100, VAR " must be an integer from 1 to 100, not \"12\n\"");
    int_refused("5s", 1, 100, VAR " must be an integer from 1 to 100, not \"5s\"");
}

Test(config, int_that_overflows_long_long_is_refused_not_clamped)
{
    int_refused("9223372036854775808", LLONG_MIN, LLONG_MAX,
                VAR " must be an integer from -9223372036854775808 to 9223372036854775807, not "
                    "\"9223372036854775808\"");
    int_refused("-9223372036854775809", LLONG_MIN, LLONG_MAX,
                VAR " must be an integer from -9223372036854775808 to 9223372036854775807, not "
                    "\"-9223372036854775809\"");
    int_refused("99999999999999999999999", 1, 100,
                VAR " must be an integer from 1 to 100, not \"99999999999999999999999\"");
}

/* rf_env_bool of VAR=value with default def gives want. */
static void bool_read(const char *value, bool def, bool want)
{
    bool out = !want;

    test_set_env(VAR, value);
    cr_assert_eq(rf_env_bool(VAR, def, &out, &err), RF_OK, "\"%s\": %s", value, err.message);
    cr_assert_eq(out, want, "\"%s\"", value);
}

Test(config, bool_takes_every_spelling_in_any_case)
{
    static const char *const yes[] = {"1", "true", "yes", "on", "TRUE", "True", "YES", "On", "oN"};
    static const char *const no[] = {"0", "false", "no", "off", "FALSE", "False", "NO", "Off"};

    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        bool_read(yes[i], false, true);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        bool_read(no[i], true, false);
}

Test(config, bool_of_an_unset_or_empty_variable_is_the_default)
{
    bool out;

    out = false;
    cr_assert_eq(rf_env_bool(VAR, true, &out, &err), RF_OK);
    cr_assert(out);
    out = true;
    cr_assert_eq(rf_env_bool(VAR, false, &out, &err), RF_OK);
    cr_assert_not(out);
    test_set_env(VAR, "");
    out = false;
    cr_assert_eq(rf_env_bool(VAR, true, &out, &err), RF_OK);
    cr_assert(out);
}

Test(config, bool_refuses_anything_else_naming_the_variable_and_the_value)
{
    static const char *const bad[] = {"2",     "y",     "n",  "enabled", "disabled", " true",
                                      "true ", "truex", "-1", "nope",    "offf"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool out = true;
        char want[128];

        test_set_env(VAR, bad[i]);
        rf_error_clear(&err);
        cr_assert_eq(rf_env_bool(VAR, false, &out, &err), RF_INVALID_ARGUMENT, "\"%s\" accepted",
                     bad[i]);
        snprintf(want, sizeof want, VAR " must be true or false, not \"%s\"", bad[i]);
        cr_assert_str_eq(err.message, want);
        cr_assert(out, "a refused value must leave *out alone");
    }
}
