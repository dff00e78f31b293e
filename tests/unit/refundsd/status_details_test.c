/*
 * Unit tests of the grpc-status-details-bin payload
 * (services/refundsd/status_details.c): what it packs is read back with the
 * generated google.rpc decoders (not with our helpers), so any client that
 * uses the published protos sees the same code, message and violations.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "google/protobuf/any.pb-c.h"
#include "google/rpc/error_details.pb-c.h"
#include "google/rpc/status.pb-c.h"
#include "status_details.h"

static struct rf_arena *arena;

static void setup(void)
{
    arena = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(status_details, .init = setup, .fini = teardown);

/* Checks that data is a Status with err's code, message and violations. */
static void expect_status_of(const uint8_t *data, size_t len, const struct rf_error *err,
                             int n_kept)
{
    Google__Rpc__Status *st = google__rpc__status__unpack(NULL, len, data);
    Google__Rpc__BadRequest *bad;
    Google__Protobuf__Any *any;

    cr_assert_not_null(st, "not a google.rpc.Status");
    cr_assert_eq(st->code, (int32_t)err->code);
    cr_assert_str_eq(st->message, err->message);
    cr_assert_eq(st->n_details, 1);
    any = st->details[0];
    cr_assert_str_eq(any->type_url, "type.googleapis.com/google.rpc.BadRequest");
    bad = google__rpc__bad_request__unpack(NULL, any->value.len, any->value.data);
    cr_assert_not_null(bad, "the Any does not hold a google.rpc.BadRequest");
    cr_assert_eq(bad->n_field_violations, (size_t)n_kept);
    for (int i = 0; i < n_kept; i++) {
        cr_assert_str_eq(bad->field_violations[i]->field, err->violations[i].field, "violation %d",
                         i);
        cr_assert_str_eq(bad->field_violations[i]->description, err->violations[i].description,
                         "violation %d", i);
    }
    google__rpc__bad_request__free_unpacked(bad, NULL);
    google__rpc__status__free_unpacked(st, NULL);
}

Test(status_details, packs_a_status_with_a_bad_request_of_the_violations)
{
    struct rf_error err;
    uint8_t *data;
    size_t len = 0;

    rf_error_clear(&err);
    rf_violation_add(&err, "customer.email", "must be an e-mail address such as name@example.com");
    rf_violation_add(&err, "requested_amount.amount_minor", "must be positive");
    rf_violation_add(&err, "alternatives[1]", "repeats an earlier alternative");
    rf_error_from_violations(&err);
    data = rf_status_details_pack(arena, &err, &len);
    cr_assert_not_null(data);
    cr_assert_gt(len, 0);
    expect_status_of(data, len, &err, 3);
}

Test(status_details, is_null_without_violations)
{
    struct rf_error err;
    size_t len = 12345;

    rf_error_clear(&err);
    rf_fail(&err, RF_NOT_FOUND, "case \"x\" does not exist");
    cr_assert_null(rf_status_details_pack(arena, &err, &len));
}

Test(status_details, keeps_the_violations_recorded_past_the_maximum_out)
{
    struct rf_error err;
    uint8_t *data;
    size_t len = 0;

    rf_error_clear(&err);
    for (int i = 0; i < RF_VIOLATIONS_MAX + 5; i++) {
        char field[32];

        snprintf(field, sizeof field, "items[%d]", i);
        rf_violation_add(&err, field, "is bad");
    }
    rf_error_from_violations(&err);
    data = rf_status_details_pack(arena, &err, &len);
    cr_assert_not_null(data);
    expect_status_of(data, len, &err, RF_VIOLATIONS_MAX);
}

Test(status_details, carries_unicode_descriptions_intact)
{
    struct rf_error err;
    uint8_t *data;
    size_t len = 0;

    rf_error_clear(&err);
    rf_violation_add(&err, "requested_amount.currency",
                     "must be the currency of amount_paid (\xe2\x82\xac EUR)");
    rf_error_from_violations(&err);
    data = rf_status_details_pack(arena, &err, &len);
    expect_status_of(data, len, &err, 1);
}
