/*
 * Unit tests of the provider-record layout (services/common/psp.c): status
 * names both ways, the key builders, the fixed-width time form, the record
 * checks, and the hash encoding in both directions: exact field order and
 * values, round trips, and decoding that refuses malformed fields by name.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/arena.h"
#include "refunds/psp.h"
#include "refunds/timeutil.h"

/* 1795341600 is 2026-11-22T10:00:00Z (Python: datetime(2026,11,22,10,tzinfo=utc).timestamp()). */
#define T0 (1795341600LL * RF_USEC_PER_SEC)

static struct rf_arena *a;

static void setup(void)
{
    a = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(a);
}

TestSuite(psp, .init = setup, .fini = teardown);

static struct rf_psp_record full_record(void)
{
    struct rf_psp_record r = {
        .provider = "stripe",
        .provider_refund_id = "re_3QfR7u2eZvKYlo2C1nA4xk9P",
        .status = RF_PSP_SUCCEEDED,
        .pending_reason = "",
        .failure_reason = "",
        .amount_minor = 4999,
        .currency = "EUR",
        .payment_ref = "pi_3QfR7u2eZvKYlo2C1w5sV3Jk",
        .reference = "74987654321098765432101",
        .reference_type = "acquirer_reference_number",
        .reference_status = RF_PSP_REF_AVAILABLE,
        .destination_type = "card",
        .card_refund_type = "refund",
        .created_at_us = T0 - 86400LL * RF_USEC_PER_SEC,
        .updated_at_us = T0 + 123456,
        .succeeded_at_us = T0,
        .source = "stripe-refunds.json:[0]",
    };
    return r;
}

Test(psp, every_status_name_parses_back_to_its_status)
{
    static const char *const names[] = {"pending",  "requires_action", "succeeded",  "failed",
                                        "canceled", "reversed",        "not_cleared"};

    for (int i = 0; i < 7; i++) {
        enum rf_psp_status s;

        cr_assert_str_eq(rf_psp_status_name((enum rf_psp_status)i), names[i]);
        cr_assert(rf_psp_status_parse(names[i], &s), "%s", names[i]);
        cr_assert_eq((int)s, i);
    }
    cr_assert_str_eq(rf_psp_status_name((enum rf_psp_status)99), "unknown");
}

Test(psp, status_names_are_exact)
{
    static const char *const bad[] = {"",       "Succeeded", "SUCCEEDED", "success",
                                      "cancel", "cancelled", " pending",  "unknown"};
    enum rf_psp_status s;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_psp_status_parse(bad[i], &s), "\"%s\"", bad[i]);
}

Test(psp, an_empty_reference_status_means_none)
{
    enum rf_psp_ref_status s = RF_PSP_REF_AVAILABLE;

    cr_assert(rf_psp_ref_status_parse("", &s));
    cr_assert_eq(s, RF_PSP_REF_NONE);
    cr_assert_str_eq(rf_psp_ref_status_name(RF_PSP_REF_NONE), "");
    cr_assert(rf_psp_ref_status_parse("unavailable", &s));
    cr_assert_eq(s, RF_PSP_REF_UNAVAILABLE);
    cr_assert_str_eq(rf_psp_ref_status_name(RF_PSP_REF_PENDING), "pending");
    cr_assert_not(rf_psp_ref_status_parse("Available", &s));
    cr_assert_not(rf_psp_ref_status_parse("none", &s));
}

Test(psp, keys_follow_the_layout_without_hash_tags)
{
    /* 2026-11-22T23:59:59.999999Z and one microsecond later (Python: 1795391999 is 23:59:59). */
    int64_t last = 1795391999LL * RF_USEC_PER_SEC + 999999;
    char *k;

    cr_assert_str_eq(rf_psp_key_refund(a, "stripe", "re_1"), "psp:stripe:refund:re_1");
    cr_assert_str_eq(rf_psp_key_created(a, "adyen", last), "psp:adyen:created:2026-11-22");
    cr_assert_str_eq(rf_psp_key_created(a, "adyen", last + 1), "psp:adyen:created:2026-11-23");
    cr_assert_str_eq(rf_psp_key_snapshot(a, "paypal"), "psp:paypal:snapshot");
    k = rf_psp_key_refund(a, "stripe", "re_{x}");
    cr_assert_str_eq(k, "psp:stripe:refund:re_{x}", "the id is used as it is");
    cr_assert_null(strchr(rf_psp_key_created(a, "stripe", T0), '{'));
}

Test(psp, times_always_have_six_fraction_digits)
{
    char buf[64];

    cr_assert_eq(rf_psp_time_format(T0, buf, sizeof buf), RF_PSP_TIME_LEN);
    cr_assert_str_eq(buf, "2026-11-22T10:00:00.000000Z");
    cr_assert_eq(rf_psp_time_format(T0 + 5, buf, sizeof buf), RF_PSP_TIME_LEN);
    cr_assert_str_eq(buf, "2026-11-22T10:00:00.000005Z");
}

Test(psp, comparing_stored_times_as_bytes_orders_them_in_time)
{
    /* The newer-wins script compares the text; a zero fraction must not sort after ".5". */
    int64_t times[] = {T0 - 1, T0, T0 + 1, T0 + 500000, T0 + RF_USEC_PER_SEC, T0 + 86400000000LL};
    char prev[64], cur[64];

    rf_psp_time_format(times[0], prev, sizeof prev);
    for (size_t i = 1; i < sizeof times / sizeof times[0]; i++) {
        rf_psp_time_format(times[i], cur, sizeof cur);
        cr_assert_lt(strcmp(prev, cur), 0, "%s < %s", prev, cur);
        strcpy(prev, cur);
    }
}

Test(psp, encode_writes_every_field_in_the_documented_order)
{
    static const char *const want[] = {
        "status",           "succeeded",
        "pending_reason",   "",
        "failure_reason",   "",
        "amount_minor",     "4999",
        "currency",         "EUR",
        "payment_ref",      "pi_3QfR7u2eZvKYlo2C1w5sV3Jk",
        "reference",        "74987654321098765432101",
        "reference_type",   "acquirer_reference_number",
        "reference_status", "available",
        "destination_type", "card",
        "card_refund_type", "refund",
        "created_at",       "2026-11-21T10:00:00.000000Z",
        "updated_at",       "2026-11-22T10:00:00.123456Z",
        "succeeded_at",     "2026-11-22T10:00:00.000000Z",
        "source",           "stripe-refunds.json:[0]",
    };
    struct rf_psp_record r = full_record();
    const char *argv[2 * RF_PSP_FIELDS];
    size_t argvlen[2 * RF_PSP_FIELDS];

    cr_assert_eq(rf_psp_record_encode(a, &r, argv, argvlen), 2 * RF_PSP_FIELDS);
    for (int i = 0; i < 2 * RF_PSP_FIELDS; i++) {
        cr_assert_str_eq(argv[i], want[i], "item %d", i);
        cr_assert_eq(argvlen[i], strlen(want[i]), "item %d", i);
    }
}

Test(psp, a_time_never_seen_is_stored_empty)
{
    struct rf_psp_record r = full_record();
    const char *argv[2 * RF_PSP_FIELDS];
    size_t argvlen[2 * RF_PSP_FIELDS];

    r.succeeded_at_us = 0;
    rf_psp_record_encode(a, &r, argv, argvlen);
    cr_assert_str_eq(argv[26], "succeeded_at");
    cr_assert_str_eq(argv[27], "");
}

static void assert_same(const struct rf_psp_record *x, const struct rf_psp_record *y)
{
    cr_assert_str_eq(x->provider, y->provider);
    cr_assert_str_eq(x->provider_refund_id, y->provider_refund_id);
    cr_assert_eq(x->status, y->status);
    cr_assert_str_eq(x->pending_reason, y->pending_reason);
    cr_assert_str_eq(x->failure_reason, y->failure_reason);
    cr_assert_eq(x->amount_minor, y->amount_minor);
    cr_assert_str_eq(x->currency, y->currency);
    cr_assert_str_eq(x->payment_ref, y->payment_ref);
    cr_assert_str_eq(x->reference, y->reference);
    cr_assert_str_eq(x->reference_type, y->reference_type);
    cr_assert_eq(x->reference_status, y->reference_status);
    cr_assert_str_eq(x->destination_type, y->destination_type);
    cr_assert_str_eq(x->card_refund_type, y->card_refund_type);
    cr_assert_eq(x->created_at_us, y->created_at_us);
    cr_assert_eq(x->updated_at_us, y->updated_at_us);
    cr_assert_eq(x->succeeded_at_us, y->succeeded_at_us);
    cr_assert_str_eq(x->source, y->source);
}

/* Encodes r and decodes it back as an HGETALL reply would carry it. */
static bool round_trip(const struct rf_psp_record *r, struct rf_psp_record *out, const char **field,
                       const char **reason)
{
    const char *argv[2 * RF_PSP_FIELDS];
    size_t argvlen[2 * RF_PSP_FIELDS];
    size_t n = rf_psp_record_encode(a, r, argv, argvlen);

    return rf_psp_record_decode(a, r->provider, r->provider_refund_id, n, argv, argvlen, out, field,
                                reason);
}

Test(psp, a_record_survives_encode_and_decode)
{
    struct rf_psp_record r = full_record(), back;
    const char *field = NULL, *reason = NULL;

    cr_assert(round_trip(&r, &back, &field, &reason), "%s: %s", field, reason);
    assert_same(&r, &back);
}

Test(psp, every_status_and_reference_status_survives_a_round_trip)
{
    for (int s = 0; s <= RF_PSP_NOT_CLEARED; s++) {
        for (int rs = 0; rs <= RF_PSP_REF_UNAVAILABLE; rs++) {
            struct rf_psp_record r = full_record(), back;
            const char *field, *reason;

            r.status = (enum rf_psp_status)s;
            r.reference_status = (enum rf_psp_ref_status)rs;
            r.succeeded_at_us = 0;
            r.pending_reason = "processing";
            r.failure_reason = "expired_or_canceled_card";
            cr_assert(round_trip(&r, &back, &field, &reason));
            assert_same(&r, &back);
        }
    }
}

Test(psp, decode_ignores_unknown_fields_and_defaults_missing_text)
{
    const char *items[] = {
        "status", "pending",    "amount_minor",         "100",        "currency",
        "JPY",    "created_at", "2026-11-22T10:00:00Z", "updated_at", "2026-11-22T10:00:01.5+01:00",
        "colour", "blue"};
    size_t lens[12];
    struct rf_psp_record r;
    const char *field, *reason;

    for (int i = 0; i < 12; i++)
        lens[i] = strlen(items[i]);
    cr_assert(rf_psp_record_decode(a, "other", "r-1", 12, items, lens, &r, &field, &reason));
    cr_assert_eq(r.status, RF_PSP_PENDING);
    cr_assert_eq(r.amount_minor, 100);
    cr_assert_str_eq(r.currency, "JPY");
    cr_assert_eq(r.created_at_us, T0);
    cr_assert_eq(r.updated_at_us, T0 - 3600LL * RF_USEC_PER_SEC + RF_USEC_PER_SEC + 500000);
    cr_assert_eq(r.succeeded_at_us, 0);
    cr_assert_str_eq(r.reference, "");
    cr_assert_str_eq(r.source, "");
    cr_assert_eq(r.reference_status, RF_PSP_REF_NONE);
    cr_assert_str_eq(r.provider, "other");
    cr_assert_str_eq(r.provider_refund_id, "r-1");
}

/* Decodes the full record with one field's value replaced (or, with value NULL, removed). */
static bool decode_with(const char *name, const char *value, size_t value_len, const char **field,
                        const char **reason)
{
    struct rf_psp_record r = full_record(), out;
    const char *argv[2 * RF_PSP_FIELDS], *items[2 * RF_PSP_FIELDS];
    size_t argvlen[2 * RF_PSP_FIELDS], lens[2 * RF_PSP_FIELDS];
    size_t n = rf_psp_record_encode(a, &r, argv, argvlen), m = 0;

    for (size_t i = 0; i < n; i += 2) {
        if (strcmp(argv[i], name) == 0 && value == NULL)
            continue;
        items[m] = argv[i];
        lens[m++] = argvlen[i];
        items[m] = strcmp(argv[i], name) == 0 ? value : argv[i + 1];
        lens[m++] = strcmp(argv[i], name) == 0 ? value_len : argvlen[i + 1];
    }
    return rf_psp_record_decode(a, "stripe", "re_1", m, items, lens, &out, field, reason);
}

Test(psp, decode_refuses_malformed_fields_by_name)
{
    static const struct {
        const char *name, *value;
    } bad[] = {
        {"status", "done"},
        {"status", ""},
        {"amount_minor", "12.5"},
        {"amount_minor", "-5"},
        {"amount_minor", "0"},
        {"amount_minor", "1000000000000001"},
        {"amount_minor", "99999999999999999999"},
        {"amount_minor", " 5"},
        {"currency", "eur"},
        {"currency", "EURO"},
        {"currency", "XXX"},
        {"reference_status", "maybe"},
        {"created_at", "yesterday"},
        {"created_at", "2026-11-22T10:00:00"},
        {"updated_at", ""},
        {"succeeded_at", "soon"},
        {"reference", "line\nbreak"},
        {"reference", "\xff\xfe"},
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *field = NULL, *reason = NULL;

        cr_assert_not(decode_with(bad[i].name, bad[i].value, strlen(bad[i].value), &field, &reason),
                      "%s=\"%s\"", bad[i].name, bad[i].value);
        cr_assert_str_eq(field, bad[i].name, "%s=\"%s\" blamed %s", bad[i].name, bad[i].value,
                         field);
        cr_assert_not_null(reason);
    }
}

Test(psp, decode_refuses_missing_required_fields)
{
    static const char *const required[] = {"status", "amount_minor", "currency", "created_at",
                                           "updated_at"};

    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        const char *field = NULL, *reason = NULL;

        cr_assert_not(decode_with(required[i], NULL, 0, &field, &reason), "%s", required[i]);
        cr_assert_str_eq(field, required[i]);
        cr_assert_str_eq(reason, "is missing");
    }
}

Test(psp, decode_refuses_a_nul_byte_and_an_odd_reply)
{
    const char *field = NULL, *reason = NULL;
    const char *items[] = {"status"};
    size_t lens[] = {6};
    struct rf_psp_record r;

    cr_assert_not(decode_with("payment_ref", "pi_1\0x", 6, &field, &reason));
    cr_assert_str_eq(field, "payment_ref");
    cr_assert_str_eq(reason, "contains a NUL byte");
    cr_assert_not(rf_psp_record_decode(a, "stripe", "re_1", 1, items, lens, &r, &field, &reason));
}

Test(psp, decode_refuses_a_bad_provider_or_id_from_the_key)
{
    struct rf_psp_record r = full_record(), out;
    const char *argv[2 * RF_PSP_FIELDS], *field, *reason;
    size_t argvlen[2 * RF_PSP_FIELDS];
    size_t n = rf_psp_record_encode(a, &r, argv, argvlen);

    cr_assert_not(
        rf_psp_record_decode(a, "Stripe", "re_1", n, argv, argvlen, &out, &field, &reason));
    cr_assert_str_eq(field, "provider");
    cr_assert_not(rf_psp_record_decode(a, "stripe", "", n, argv, argvlen, &out, &field, &reason));
    cr_assert_str_eq(field, "provider_refund_id");
}

Test(psp, check_refuses_text_the_layout_cannot_hold)
{
    char long_text[300];
    struct rf_psp_record r;
    const char *field, *reason;

    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    r = full_record();
    cr_assert(rf_psp_record_check(&r, &field, &reason));
    r.reference = long_text;
    cr_assert_not(rf_psp_record_check(&r, &field, &reason));
    cr_assert_str_eq(field, "reference");
    cr_assert_str_eq(reason, "is longer than 255 bytes");
    r = full_record();
    r.failure_reason = "tab\there";
    cr_assert_not(rf_psp_record_check(&r, &field, &reason));
    cr_assert_str_eq(field, "failure_reason");
    r = full_record();
    r.source = "";
    cr_assert(rf_psp_record_check(&r, &field, &reason), "an empty source is allowed");
}

Test(psp, check_refuses_amounts_and_times_out_of_range)
{
    static const struct {
        int64_t amount, created, updated, succeeded;
        const char *field;
    } bad[] = {
        {0, T0, T0, 0, "amount_minor"},
        {-1, T0, T0, 0, "amount_minor"},
        {1000000000000001LL, T0, T0, 0, "amount_minor"},
        {1, 0, T0, 0, "created_at"},
        {1, -5, T0, 0, "created_at"},
        {1, T0, 0, 0, "updated_at"},
        {1, T0, RF_TIME_MAX_US + 1, 0, "updated_at"},
        {1, T0, T0, -1, "succeeded_at"},
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_psp_record r = full_record();
        const char *field = NULL, *reason;

        r.amount_minor = bad[i].amount;
        r.created_at_us = bad[i].created;
        r.updated_at_us = bad[i].updated;
        r.succeeded_at_us = bad[i].succeeded;
        cr_assert_not(rf_psp_record_check(&r, &field, &reason), "case %zu", i);
        cr_assert_str_eq(field, bad[i].field, "case %zu", i);
    }
}

Test(psp, decimals_are_written_without_printf_for_every_sign_and_size)
{
    cr_assert_str_eq(rf_psp_decimal(a, 0), "0");
    cr_assert_str_eq(rf_psp_decimal(a, 4999), "4999");
    cr_assert_str_eq(rf_psp_decimal(a, -12), "-12");
    cr_assert_str_eq(rf_psp_decimal(a, 1000000000000000LL), "1000000000000000");
    cr_assert_str_eq(rf_psp_decimal(a, INT64_MAX), "9223372036854775807");
    cr_assert_str_eq(rf_psp_decimal(a, INT64_MIN), "-9223372036854775808");
}

Test(psp, fixed_width_times_agree_with_timeutil_whatever_came_before)
{
    /* Seconds repeat and alternate so that the per-thread memo is hit, missed and evicted. */
    static const int64_t times[] = {
        T0,
        T0 + 1,
        T0 + 999999,
        T0 - 1,
        -1,
        0,
        T0 + 7,
        -1000001,
        T0,
        RF_TIME_MIN_US,
        RF_TIME_MAX_US,
        951782400LL * RF_USEC_PER_SEC + 42,
        T0 + 1,
    };

    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char got[64], want[64];

        rf_time_format_rfc3339(times[i], want, sizeof want);
        cr_assert_eq(rf_psp_time_format(times[i], got, sizeof got), RF_PSP_TIME_LEN);
        cr_assert_eq(strncmp(got, want, 19), 0, "%s vs %s", got, want);
        if (strchr(want, '.') != NULL)
            cr_assert_str_eq(got, want);
        else
            cr_assert_str_eq(got + 19, ".000000Z", "%s", got);
    }
    {
        char buf[64] = "x";

        cr_assert_eq(rf_psp_time_format(RF_TIME_MAX_US + 1, buf, sizeof buf), 0);
        cr_assert_str_eq(buf, "");
    }
}
