/*
 * Unit tests of the generic CSV mapper (workers/psp_load/generic.c): the
 * documented columns in any order, the optional ones, --provider, and each
 * kind of bad value or header refused with the column it is in.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "generic.h"
#include "refunds/timeutil.h"

static const char header[] = "provider,provider_refund_id,payment_ref,status,amount_minor,currency,"
                             "reference,reference_type,reference_status,created_at,updated_at";
static const char good[] = "paypal,8GT12345AB678901C,5TY09876ZX543210D,succeeded,3999,EUR,ARN1,"
                           "acquirer_reference_number,available,2026-11-20T10:00:00Z,"
                           "2026-11-21T12:30:00+01:00";

static struct rf_arena *a;
static FILE *f;
static struct rf_csv *csv;
static struct rf_generic_columns cols;

static void teardown(void)
{
    rf_csv_close(csv);
    if (f != NULL)
        fclose(f);
    rf_arena_destroy(a);
    csv = NULL;
    f = NULL;
    a = NULL;
}

TestSuite(generic, .fini = teardown);

/* Opens head and line; returns the header's status and, when it is OK, reads the line. */
static enum rf_code start(const char *head, const char *line, struct rf_csv_row *row,
                          struct rf_error *err)
{
    static char text[4096];
    enum rf_code code;

    snprintf(text, sizeof text, "%s\n%s\n", head, line);
    a = rf_arena_create(0);
    f = fmemopen(text, strlen(text), "r");
    csv = rf_csv_open(f);
    rf_error_clear(err);
    cr_assert_eq(rf_csv_next(csv, row, err), RF_READ_ITEM);
    code = rf_generic_columns_find(row, &cols, err);
    if (code == RF_OK)
        cr_assert_eq(rf_csv_next(csv, row, err), RF_READ_ITEM, "%s", err->message);
    return code;
}

static enum rf_code map(const char *head, const char *line, const char *provider,
                        struct rf_psp_record *r, struct rf_error *err)
{
    struct rf_generic_context ctx = {.provider = provider, .source = "other.csv:2"};
    struct rf_csv_row row;

    cr_assert_eq(start(head, line, &row, err), RF_OK, "%s", err->message);
    return rf_generic_map(a, &row, &cols, &ctx, r, err);
}

Test(generic, a_row_maps_every_column)
{
    struct rf_psp_record r;
    struct rf_error err;

    cr_assert_eq(map(header, good, NULL, &r, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(r.provider, "paypal");
    cr_assert_str_eq(r.provider_refund_id, "8GT12345AB678901C");
    cr_assert_str_eq(r.payment_ref, "5TY09876ZX543210D");
    cr_assert_eq(r.status, RF_PSP_SUCCEEDED);
    cr_assert_eq(r.amount_minor, 3999);
    cr_assert_str_eq(r.currency, "EUR");
    cr_assert_str_eq(r.reference, "ARN1");
    cr_assert_str_eq(r.reference_type, "acquirer_reference_number");
    cr_assert_eq(r.reference_status, RF_PSP_REF_AVAILABLE);
    /* 1795168800 is 2026-11-20T10:00:00Z; 1795260600 is 2026-11-21T11:30:00Z (Python). */
    cr_assert_eq(r.created_at_us, (1795341600LL - 2 * 86400) * RF_USEC_PER_SEC);
    cr_assert_eq(r.updated_at_us, 1795260600LL * RF_USEC_PER_SEC);
    cr_assert_str_eq(r.pending_reason, "");
    cr_assert_str_eq(r.failure_reason, "");
    cr_assert_str_eq(r.source, "other.csv:2");
}

Test(generic, columns_may_come_in_any_order_with_the_optional_reasons)
{
    struct rf_psp_record r;
    struct rf_error err;

    cr_assert_eq(map("failure_reason,updated_at,created_at,reference_status,reference_type,"
                     "reference,currency,amount_minor,status,payment_ref,provider_refund_id,"
                     "provider,pending_reason",
                     "insufficient_funds,2026-11-20T09:10:00Z,2026-11-19T16:45:00Z,,,,USD,2500,"
                     "failed,6UZ,9HU,paypal,",
                     NULL, &r, &err),
                 RF_OK, "%s", err.message);
    cr_assert_eq(r.status, RF_PSP_FAILED);
    cr_assert_str_eq(r.failure_reason, "insufficient_funds");
    cr_assert_eq(r.reference_status, RF_PSP_REF_NONE);
    cr_assert_str_eq(r.provider_refund_id, "9HU");
}

Test(generic, the_provider_option_replaces_the_rows_provider)
{
    struct rf_psp_record r;
    struct rf_error err;

    cr_assert_eq(map(header, good, "paypal_eu", &r, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(r.provider, "paypal_eu");
}

Test(generic, bad_values_name_their_column)
{
    static const struct {
        const char *old, *new, *message;
    } cases[] = {
        {"paypal,", "Pay Pal,", "provider: must be 1 to 32 characters of a-z, 0-9, '_' and '-'"},
        {"paypal,", ",", "provider: must be 1 to 32 characters of a-z, 0-9, '_' and '-'"},
        {"8GT12345AB678901C", "", "provider_refund_id: is empty"},
        {"succeeded", "done",
         "status: must be one of pending, requires_action, succeeded, failed, canceled, reversed, "
         "not_cleared"},
        {"3999", "39.99", "amount_minor: must be a positive integer of minor units"},
        {"3999", "0", "amount_minor: must be a positive integer of minor units"},
        {"3999", "-5", "amount_minor: must be a positive integer of minor units"},
        {"3999", "99999999999999999999", "amount_minor: must be a positive integer of minor units"},
        {"3999", "1000000000000001", "amount_minor: is larger than 10^15"},
        {"EUR", "eur", "currency: is not an active ISO 4217 code in upper case"},
        {"EUR", "EURO", "currency: must be an ISO 4217 code in upper case"},
        {"available", "maybe",
         "reference_status: must be pending, available, unavailable or empty"},
        {"2026-11-20T10:00:00Z", "2026-11-20 10:00",
         "created_at: must be an RFC 3339 time (2026-11-22T10:00:00Z)"},
        {"2026-11-21T12:30:00+01:00", "",
         "updated_at: must be an RFC 3339 time (2026-11-22T10:00:00Z)"},
        {"ARN1", "\"AR\nN1\"", "reference: contains a control character"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[1024];
        const char *at = strstr(good, cases[i].old);
        struct rf_psp_record r;
        struct rf_error err;

        cr_assert_not_null(at);
        snprintf(line, sizeof line, "%.*s%s%s", (int)(at - good), good, cases[i].new,
                 at + strlen(cases[i].old));
        cr_assert_eq(map(header, line, NULL, &r, &err), RF_INVALID_ARGUMENT, "case %zu", i);
        cr_assert_str_eq(err.message, cases[i].message, "case %zu", i);
        teardown();
    }
}

Test(generic, a_ragged_row_is_refused)
{
    struct rf_psp_record r;
    struct rf_error err;

    cr_assert_eq(map(header, "paypal,1,2,succeeded", NULL, &r, &err), RF_INVALID_ARGUMENT);
    cr_assert_str_eq(err.message, "the row has 4 fields; the header has 11");
}

Test(generic, headers_must_have_every_column_and_nothing_else)
{
    static const struct {
        const char *head, *message;
    } cases[] = {
        {"provider,provider_refund_id,payment_ref,status,amount_minor,currency,reference,"
         "reference_type,reference_status,created_at",
         "header: missing column \"updated_at\""},
        {"provider,provider_refund_id,payment_ref,status,amount,currency,reference,"
         "reference_type,reference_status,created_at,updated_at",
         "header: missing column \"amount_minor\""},
        {"provider,provider_refund_id,payment_ref,status,amount_minor,currency,reference,"
         "reference_type,reference_status,created_at,updated_at,failure_reasons",
         "header: unknown column \"failure_reasons\" (the generic format's columns are in "
         "docs/provider-cache.md)"},
        {"provider,provider_refund_id,payment_ref,status,amount_minor,currency,reference,"
         "reference_type,reference_status,created_at,updated_at,status",
         "header: column \"status\" appears twice"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rf_csv_row row;
        struct rf_error err;

        cr_assert_eq(start(cases[i].head, good, &row, &err), RF_INVALID_ARGUMENT, "case %zu", i);
        cr_assert_str_eq(err.message, cases[i].message, "case %zu", i);
        teardown();
    }
}
