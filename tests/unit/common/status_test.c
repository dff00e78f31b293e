/*
 * Unit tests of the error record (services/common/status.c): rf_fail,
 * details, field violations and the message rf_error_from_violations makes of
 * them, the overflow past RF_VIOLATIONS_MAX, and the code names.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/status.h"

Test(status, fail_sets_code_and_message_and_returns_the_code)
{
    struct rf_error err;

    rf_error_clear(&err);
    cr_assert_eq(rf_fail(&err, RF_NOT_FOUND, "case \"%s\" does not exist", "abc"), RF_NOT_FOUND);
    cr_assert_eq(err.code, RF_NOT_FOUND);
    cr_assert_str_eq(err.message, "case \"abc\" does not exist");
}

Test(status, fail_leaves_detail_and_violations_alone)
{
    struct rf_error err;

    rf_error_clear(&err);
    rf_error_detail(&err, "SQLSTATE %s", "23505");
    rf_violation_add(&err, "name", "is required");
    rf_fail(&err, RF_ALREADY_EXISTS, "already there");
    cr_assert_str_eq(err.detail, "SQLSTATE 23505");
    cr_assert_eq(err.n_violations, 1);
    cr_assert_str_eq(err.violations[0].field, "name");
}

Test(status, detail_does_not_change_the_code)
{
    struct rf_error err;

    rf_error_clear(&err);
    rf_fail(&err, RF_UNAVAILABLE, "database unavailable");
    rf_error_detail(&err, "connection refused");
    cr_assert_eq(err.code, RF_UNAVAILABLE);
    cr_assert_str_eq(err.message, "database unavailable");
    cr_assert_str_eq(err.detail, "connection refused");
}

Test(status, clear_empties_everything)
{
    struct rf_error err;

    rf_fail(&err, RF_INTERNAL, "x");
    rf_error_detail(&err, "y");
    rf_violation_add(&err, "f", "z");
    rf_error_clear(&err);
    cr_assert_eq(err.code, RF_OK);
    cr_assert_str_empty(err.message);
    cr_assert_str_empty(err.detail);
    cr_assert_eq(err.n_violations, 0);
}

Test(status, a_long_message_is_truncated_and_terminated)
{
    struct rf_error err;
    char longer[RF_ERROR_MESSAGE_MAX * 2];

    memset(longer, 'm', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    rf_error_clear(&err);
    rf_fail(&err, RF_INTERNAL, "%s", longer);
    cr_assert_eq(strlen(err.message), RF_ERROR_MESSAGE_MAX - 1);
}

Test(status, no_violations_leave_the_error_unchanged)
{
    struct rf_error err;

    rf_error_clear(&err);
    rf_fail(&err, RF_NOT_FOUND, "gone");
    cr_assert_eq(rf_error_from_violations(&err), RF_OK);
    cr_assert_eq(err.code, RF_NOT_FOUND);
    cr_assert_str_eq(err.message, "gone");
}

Test(status, one_violation_names_its_field_and_reason)
{
    struct rf_error err;

    rf_error_clear(&err);
    rf_violation_add(&err, "customer.email", "must be %s", "an e-mail address");
    cr_assert_eq(rf_error_from_violations(&err), RF_INVALID_ARGUMENT);
    cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
    cr_assert_str_eq(err.message, "invalid customer.email: must be an e-mail address");
}

Test(status, two_violations_say_and_1_more_invalid_field)
{
    struct rf_error err;

    rf_error_clear(&err);
    rf_violation_add(&err, "customer.email", "is required");
    rf_violation_add(&err, "product", "is required");
    cr_assert_eq(rf_error_from_violations(&err), RF_INVALID_ARGUMENT);
    cr_assert_str_eq(err.message, "invalid customer.email: is required (and 1 more invalid field)");
}

Test(status, three_violations_say_and_2_more_invalid_fields)
{
    struct rf_error err;

    rf_error_clear(&err);
    rf_violation_add(&err, "a", "is required");
    rf_violation_add(&err, "b", "is required");
    rf_violation_add(&err, "c", "is required");
    rf_error_from_violations(&err);
    cr_assert_str_eq(err.message, "invalid a: is required (and 2 more invalid fields)");
}

Test(status, violations_past_the_maximum_are_counted_but_not_kept)
{
    struct rf_error err;
    char field[16];

    rf_error_clear(&err);
    for (int i = 0; i < RF_VIOLATIONS_MAX + 8; i++) {
        snprintf(field, sizeof field, "f%d", i);
        rf_violation_add(&err, field, "bad %d", i);
    }
    cr_assert_eq(err.n_violations, RF_VIOLATIONS_MAX + 8);
    cr_assert_str_eq(err.violations[0].field, "f0");
    snprintf(field, sizeof field, "f%d", RF_VIOLATIONS_MAX - 1);
    cr_assert_str_eq(err.violations[RF_VIOLATIONS_MAX - 1].field, field);
    rf_error_from_violations(&err);
    snprintf(field, sizeof field, "%d", RF_VIOLATIONS_MAX + 7);
    cr_assert(strstr(err.message, field) != NULL, "message \"%s\" should count %s more",
              err.message, field);
    cr_assert(strncmp(err.message, "invalid f0: bad 0 (and ", 23) == 0, "%s", err.message);
}

Test(status, a_long_field_path_is_truncated_and_terminated)
{
    struct rf_error err;
    char field[200];

    memset(field, 'p', sizeof field - 1);
    field[sizeof field - 1] = '\0';
    rf_error_clear(&err);
    rf_violation_add(&err, field, "is required");
    cr_assert_eq(strlen(err.violations[0].field), sizeof err.violations[0].field - 1);
    cr_assert_str_eq(err.violations[0].description, "is required");
}

Test(status, code_names_are_the_grpc_canonical_names)
{
    /* From grpc/status.h (and google/rpc/code.proto), not from our table. */
    static const struct {
        enum rf_code code;
        int value;
        const char *name;
    } want[] = {
        {RF_OK, 0, "OK"},
        {RF_CANCELLED, 1, "CANCELLED"},
        {RF_UNKNOWN, 2, "UNKNOWN"},
        {RF_INVALID_ARGUMENT, 3, "INVALID_ARGUMENT"},
        {RF_DEADLINE_EXCEEDED, 4, "DEADLINE_EXCEEDED"},
        {RF_NOT_FOUND, 5, "NOT_FOUND"},
        {RF_ALREADY_EXISTS, 6, "ALREADY_EXISTS"},
        {RF_PERMISSION_DENIED, 7, "PERMISSION_DENIED"},
        {RF_RESOURCE_EXHAUSTED, 8, "RESOURCE_EXHAUSTED"},
        {RF_FAILED_PRECONDITION, 9, "FAILED_PRECONDITION"},
        {RF_ABORTED, 10, "ABORTED"},
        {RF_OUT_OF_RANGE, 11, "OUT_OF_RANGE"},
        {RF_UNIMPLEMENTED, 12, "UNIMPLEMENTED"},
        {RF_INTERNAL, 13, "INTERNAL"},
        {RF_UNAVAILABLE, 14, "UNAVAILABLE"},
        {RF_DATA_LOSS, 15, "DATA_LOSS"},
        {RF_UNAUTHENTICATED, 16, "UNAUTHENTICATED"},
    };

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cr_assert_eq((int)want[i].code, want[i].value, "%s", want[i].name);
        cr_assert_str_eq(rf_code_name(want[i].code), want[i].name);
    }
}

Test(status, code_name_of_a_value_out_of_range_is_unknown)
{
    cr_assert_str_eq(rf_code_name((enum rf_code)17), "UNKNOWN");
    cr_assert_str_eq(rf_code_name((enum rf_code) - 1), "UNKNOWN");
    cr_assert_str_eq(rf_code_name((enum rf_code)1000), "UNKNOWN");
}
