/*
 * Unit tests of the protobuf-c helpers (services/common/pb.c): Timestamp
 * conversion and its range checks, enum names with and without their prefix
 * on the refunds.v1 enums, pack and unpack through an arena.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "google/protobuf/any.pb-c.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/common.pb-c.h"

static struct rf_arena *arena;

static void setup(void)
{
    arena = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(pb, .init = setup, .fini = teardown);

Test(pb, timestamp_round_trips)
{
    static const int64_t samples[] = {
        0,
        1,
        -1,
        999999,
        -999999,
        1000000,
        -1000000,
        1795341600123456LL,
        RF_TIME_MIN_US,
        RF_TIME_MAX_US,
        RF_TIME_MIN_US + 1,
        RF_TIME_MAX_US - 1,
    };

    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        Google__Protobuf__Timestamp *ts = rf_pb_timestamp(arena, samples[i]);
        int64_t back = 42;

        cr_assert_geq(ts->nanos, 0, "nanos of %lld", (long long)samples[i]);
        cr_assert_lt(ts->nanos, 1000000000);
        cr_assert(rf_pb_timestamp_us(ts, &back), "%lld", (long long)samples[i]);
        cr_assert_eq(back, samples[i]);
    }
}

Test(pb, timestamp_before_1970_has_non_negative_nanos)
{
    /* timestamp.proto: negative times count seconds down and nanos up. */
    Google__Protobuf__Timestamp *ts = rf_pb_timestamp(arena, -1);

    cr_assert_eq(ts->seconds, -1);
    cr_assert_eq(ts->nanos, 999999000);
    ts = rf_pb_timestamp(arena, -1500000);
    cr_assert_eq(ts->seconds, -2);
    cr_assert_eq(ts->nanos, 500000000);
}

Test(pb, timestamp_us_truncates_nanoseconds)
{
    Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    int64_t us;

    ts.seconds = 10;
    ts.nanos = 999999999;
    cr_assert(rf_pb_timestamp_us(&ts, &us));
    cr_assert_eq(us, 10999999);
    ts.seconds = -1;
    ts.nanos = 1999;
    cr_assert(rf_pb_timestamp_us(&ts, &us));
    cr_assert_eq(us, -999999);
}

Test(pb, timestamp_us_rejects_nanos_out_of_range)
{
    Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    int64_t us;

    ts.nanos = -1;
    cr_assert_not(rf_pb_timestamp_us(&ts, &us));
    ts.nanos = 1000000000;
    cr_assert_not(rf_pb_timestamp_us(&ts, &us));
    ts.nanos = INT32_MAX;
    cr_assert_not(rf_pb_timestamp_us(&ts, &us));
}

Test(pb, timestamp_us_accepts_years_1_to_9999_only)
{
    /* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, from timestamp.proto. */
    Google__Protobuf__Timestamp ts = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    int64_t us;

    ts.seconds = -62135596800LL;
    cr_assert(rf_pb_timestamp_us(&ts, &us));
    ts.seconds = -62135596801LL;
    cr_assert_not(rf_pb_timestamp_us(&ts, &us));
    ts.seconds = 253402300799LL;
    ts.nanos = 999999999;
    cr_assert(rf_pb_timestamp_us(&ts, &us));
    ts.seconds = 253402300800LL;
    ts.nanos = 0;
    cr_assert_not(rf_pb_timestamp_us(&ts, &us));
    ts.seconds = INT64_MAX;
    cr_assert_not(rf_pb_timestamp_us(&ts, &us));
    ts.seconds = INT64_MIN;
    cr_assert_not(rf_pb_timestamp_us(&ts, &us));
}

Test(pb, enum_name_and_value_use_full_names)
{
    int v = -1;

    cr_assert_str_eq(rf_pb_enum_name(&refunds__v1__case_state__descriptor, 3),
                     "CASE_STATE_PENDING_APPROVAL");
    cr_assert_null(rf_pb_enum_name(&refunds__v1__case_state__descriptor, 99));
    cr_assert(rf_pb_enum_value(&refunds__v1__channel__descriptor, "CHANNEL_IN_PERSON", &v));
    cr_assert_eq(v, REFUNDS__V1__CHANNEL__CHANNEL_IN_PERSON);
    cr_assert_not(rf_pb_enum_value(&refunds__v1__channel__descriptor, "IN_PERSON", &v));
}

Test(pb, enum_short_names_drop_the_prefix)
{
    cr_assert_str_eq(rf_pb_enum_short_name(&refunds__v1__case_state__descriptor, 1), "OPEN");
    cr_assert_str_eq(rf_pb_enum_short_name(&refunds__v1__case_state__descriptor, 6),
                     "DECISION_COMMUNICATED");
    cr_assert_str_eq(rf_pb_enum_short_name(&refunds__v1__channel__descriptor,
                                           REFUNDS__V1__CHANNEL__CHANNEL_IN_PERSON),
                     "IN_PERSON");
    cr_assert_str_eq(
        rf_pb_enum_short_name(&refunds__v1__payment_method__descriptor,
                              REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER),
        "BANK_TRANSFER");
    cr_assert_str_eq(rf_pb_enum_short_name(&refunds__v1__reason_code__descriptor,
                                           REFUNDS__V1__REASON_CODE__REASON_CODE_OTHER),
                     "OTHER");
    cr_assert_str_eq(rf_pb_enum_short_name(&refunds__v1__decision__descriptor,
                                           REFUNDS__V1__DECISION__DECISION_DENY),
                     "DENY");
    cr_assert_str_eq(rf_pb_enum_short_name(&refunds__v1__case_state__descriptor, 0), "UNSPECIFIED");
}

Test(pb, enum_short_name_of_an_unknown_value_is_null)
{
    cr_assert_null(rf_pb_enum_short_name(&refunds__v1__case_state__descriptor, 11));
    cr_assert_null(rf_pb_enum_short_name(&refunds__v1__case_state__descriptor, 99));
    cr_assert_null(rf_pb_enum_short_name(&refunds__v1__case_state__descriptor, -1));
    cr_assert_null(rf_pb_enum_short_name(&refunds__v1__decision__descriptor, 4));
}

Test(pb, enum_from_short_finds_values)
{
    int v = -1;

    cr_assert(rf_pb_enum_from_short(&refunds__v1__case_state__descriptor, "PENDING_APPROVAL", &v));
    cr_assert_eq(v, REFUNDS__V1__CASE_STATE__CASE_STATE_PENDING_APPROVAL);
    cr_assert(rf_pb_enum_from_short(&refunds__v1__alternative__descriptor, "STORE_CREDIT", &v));
    cr_assert_eq(v, REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT);
}

Test(pb, enum_from_short_rejects_unknown_full_lower_case_and_unspecified_names)
{
    static const char *const bad[] = {
        "UNSPECIFIED", "CASE_STATE_OPEN", "open", "Open", "", "BOGUS", "OPEN ", "STATE_OPEN",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int v = -7;

        cr_assert_not(rf_pb_enum_from_short(&refunds__v1__case_state__descriptor, bad[i], &v),
                      "\"%s\" accepted", bad[i]);
        cr_assert_eq(v, -7);
    }
}

Test(pb, every_refunds_v1_enum_value_round_trips_through_its_short_name)
{
    static const ProtobufCEnumDescriptor *const enums[] = {
        &refunds__v1__channel__descriptor,          &refunds__v1__case_state__descriptor,
        &refunds__v1__payment_method__descriptor,   &refunds__v1__reason_code__descriptor,
        &refunds__v1__interaction_kind__descriptor, &refunds__v1__decision__descriptor,
        &refunds__v1__alternative__descriptor,      &refunds__v1__approval_state__descriptor,
    };

    for (size_t e = 0; e < sizeof enums / sizeof enums[0]; e++) {
        const ProtobufCEnumDescriptor *d = enums[e];

        cr_assert_gt(d->n_values, 1, "%s", d->name);
        for (unsigned i = 0; i < d->n_values; i++) {
            const ProtobufCEnumValue *ev = &d->values[i];
            const char *s = rf_pb_enum_short_name(d, ev->value);
            size_t full = strlen(ev->name), len;
            int back = -1;

            cr_assert_not_null(s, "%s", ev->name);
            len = strlen(s);
            /* The short name is the end of the full name, after an underscore. */
            cr_assert_lt(len, full, "%s", ev->name);
            cr_assert_str_eq(ev->name + full - len, s);
            cr_assert_eq(ev->name[full - len - 1], '_', "%s", ev->name);
            if (ev->value == 0) {
                cr_assert_str_eq(s, "UNSPECIFIED", "%s", d->name);
                continue;
            }
            cr_assert(rf_pb_enum_from_short(d, s, &back), "%s", ev->name);
            cr_assert_eq(back, ev->value, "%s", ev->name);
        }
    }
}

Test(pb, pack_and_unpack_through_the_arena)
{
    Refunds__V1__Money *m = rf_pb_new(arena, &refunds__v1__money__descriptor);
    Refunds__V1__Money *back;
    uint8_t *buf;
    size_t len = 0;

    cr_assert_eq(m->amount_minor, 0, "rf_pb_new initialises");
    cr_assert_str_empty(m->currency);
    m->amount_minor = 1999;
    m->currency = "EUR";
    buf = rf_pb_pack(arena, &m->base, &len);
    cr_assert_eq(len, protobuf_c_message_get_packed_size(&m->base));
    back = (Refunds__V1__Money *)rf_pb_unpack(arena, &refunds__v1__money__descriptor, buf, len);
    cr_assert_not_null(back);
    cr_assert_eq(back->amount_minor, 1999);
    cr_assert_str_eq(back->currency, "EUR");
}

Test(pb, unpack_of_garbage_returns_null)
{
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    /* Field 2 (currency), length 10, but only 3 bytes follow. */
    static const uint8_t short_string[] = {0x12, 0x0a, 'E', 'U', 'R'};
    /* A varint that never ends. */
    static const uint8_t endless[] = {0x08, 0x80, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
    /* Field 2 (currency, a string) as a 64-bit fixed field: the wrong wire type. */
    static const uint8_t wrong_type[] = {0x11, 1, 2, 3, 4, 5, 6, 7, 8};

    cr_assert_null(
        rf_pb_unpack(arena, &refunds__v1__open_case_request__descriptor, garbage, sizeof garbage));
    cr_assert_null(
        rf_pb_unpack(arena, &refunds__v1__money__descriptor, short_string, sizeof short_string));
    cr_assert_null(rf_pb_unpack(arena, &refunds__v1__money__descriptor, endless, sizeof endless));
    cr_assert_null(
        rf_pb_unpack(arena, &refunds__v1__money__descriptor, wrong_type, sizeof wrong_type));
}

Test(pb, unpack_of_a_truncated_message_returns_null)
{
    Refunds__V1__Customer c = REFUNDS__V1__CUSTOMER__INIT;
    uint8_t *buf;
    size_t len;

    c.name = "Ann Example";
    c.email = "ann@example.com";
    buf = rf_pb_pack(arena, &c.base, &len);
    cr_assert_not_null(rf_pb_unpack(arena, &refunds__v1__customer__descriptor, buf, len));
    cr_assert_null(rf_pb_unpack(arena, &refunds__v1__customer__descriptor, buf, len - 1));
}

/*
 * rf_pb_find_nul_string. The inputs are wire bytes written by hand, each
 * key as (field number << 3) | wire type: OpenCaseRequest has request_id = 1,
 * channel = 2, customer = 3 and reason_text = 10; Customer name = 1 and
 * email = 2; Any type_url = 1 (string) and value = 2 (bytes).
 */
Test(pb, find_nul_string_is_false_for_a_clean_message)
{
    static const uint8_t clean[] = {0x0a, 0x02, 'r', '1', 0x10, 0x00, 0x1a, 0x03, 0x0a, 0x01, 'a'};
    char path[64] = "junk";

    cr_assert_not(rf_pb_find_nul_string(&refunds__v1__open_case_request__descriptor, clean,
                                        sizeof clean, path, sizeof path));
    cr_assert_str_empty(path);
}

Test(pb, find_nul_string_finds_a_top_level_field)
{
    static const uint8_t msg[] = {0x0a, 0x03, 'a', 0x00, 'b'};
    char path[64];

    cr_assert(rf_pb_find_nul_string(&refunds__v1__customer__descriptor, msg, sizeof msg, path,
                                    sizeof path));
    cr_assert_str_eq(path, "name");
    /* This is what it guards against: protobuf-c keeps only "a". */
    {
        Refunds__V1__Customer *c = (Refunds__V1__Customer *)rf_pb_unpack(
            arena, &refunds__v1__customer__descriptor, msg, sizeof msg);

        cr_assert_not_null(c);
        cr_assert_str_eq(c->name, "a");
    }
}

Test(pb, find_nul_string_names_the_path_of_a_nested_field)
{
    /* customer { email: "x\0" } */
    static const uint8_t msg[] = {0x1a, 0x04, 0x12, 0x02, 'x', 0x00};
    char path[64];

    cr_assert(rf_pb_find_nul_string(&refunds__v1__open_case_request__descriptor, msg, sizeof msg,
                                    path, sizeof path));
    cr_assert_str_eq(path, "customer.email");
}

Test(pb, find_nul_string_forgets_the_path_of_a_clean_sibling)
{
    /* customer { name: "ok" }, then reason_text: "\0" */
    static const uint8_t msg[] = {0x1a, 0x04, 0x0a, 0x02, 'o', 'k', 0x52, 0x01, 0x00};
    char path[64];

    cr_assert(rf_pb_find_nul_string(&refunds__v1__open_case_request__descriptor, msg, sizeof msg,
                                    path, sizeof path));
    cr_assert_str_eq(path, "reason_text");
}

Test(pb, find_nul_string_ignores_bytes_fields)
{
    static const uint8_t bytes_nul[] = {0x0a, 0x01, 't', 0x12, 0x02, 0x00, 0x00};
    static const uint8_t url_nul[] = {0x0a, 0x02, 't', 0x00};
    char path[64];

    cr_assert_not(rf_pb_find_nul_string(&google__protobuf__any__descriptor, bytes_nul,
                                        sizeof bytes_nul, path, sizeof path));
    cr_assert(rf_pb_find_nul_string(&google__protobuf__any__descriptor, url_nul, sizeof url_nul,
                                    path, sizeof path));
    cr_assert_str_eq(path, "type_url");
}

Test(pb, find_nul_string_is_false_for_garbage)
{
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    /* A length that runs past the end, over a NUL. */
    static const uint8_t overrun[] = {0x0a, 0x09, 'a', 0x00};
    char path[64];

    cr_assert_not(rf_pb_find_nul_string(&refunds__v1__open_case_request__descriptor, garbage,
                                        sizeof garbage, path, sizeof path));
    cr_assert_not(rf_pb_find_nul_string(&refunds__v1__customer__descriptor, overrun, sizeof overrun,
                                        path, sizeof path));
}

Test(pb, find_nul_string_truncates_a_long_path_to_the_buffer)
{
    static const uint8_t msg[] = {0x1a, 0x04, 0x12, 0x02, 'x', 0x00};
    char path[8];

    memset(path, 'z', sizeof path);
    cr_assert(rf_pb_find_nul_string(&refunds__v1__open_case_request__descriptor, msg, sizeof msg,
                                    path, sizeof path));
    cr_assert_lt(strlen(path), sizeof path);
    cr_assert(strncmp(path, "customer.email", strlen(path)) == 0, "%s", path);
}

/* Field number 0 written as the tag bytes 80 00 (a varint of 0 in two bytes), value 1. */
Test(pb, wire_check_finds_a_field_numbered_zero_in_a_sub_message)
{
    static const uint8_t msg[] = {0x1a, 0x06, 0x0a, 0x01, 'a', 0x80, 0x00, 0x01};
    static const uint8_t top[] = {0x80, 0x00, 0x01, 0x0a, 0x01, 'r'};
    char path[64];

    cr_assert_eq(rf_pb_wire_check(&refunds__v1__open_case_request__descriptor, msg, sizeof msg,
                                  path, sizeof path),
                 RF_PB_WIRE_FIELD_ZERO);
    cr_assert_str_eq(path, "customer");
    cr_assert_eq(rf_pb_wire_check(&refunds__v1__open_case_request__descriptor, top, sizeof top,
                                  path, sizeof path),
                 RF_PB_WIRE_FIELD_ZERO);
    cr_assert_str_empty(path);
    /* What it guards against: protobuf-c takes it as an unknown field. */
    cr_assert_not_null(
        rf_pb_unpack(arena, &refunds__v1__open_case_request__descriptor, msg, sizeof msg));
}

Test(pb, strip_unknown_forgets_unknown_fields_of_every_sub_message)
{
    /* OpenCaseRequest{customer{name "a", field 9 = 1}, field 15 = 2}. */
    static const uint8_t msg[] = {0x1a, 0x05, 0x0a, 0x01, 'a', 0x48, 0x01, 0x78, 0x02};
    static const uint8_t known[] = {0x1a, 0x03, 0x0a, 0x01, 'a'};
    Refunds__V1__OpenCaseRequest *req = (Refunds__V1__OpenCaseRequest *)rf_pb_unpack(
        arena, &refunds__v1__open_case_request__descriptor, msg, sizeof msg);
    size_t len;
    uint8_t *out;

    cr_assert_not_null(req);
    cr_assert_eq(req->base.n_unknown_fields, 1);
    cr_assert_eq(req->customer->base.n_unknown_fields, 1);
    rf_pb_strip_unknown(&req->base);
    cr_assert_eq(req->base.n_unknown_fields, 0);
    cr_assert_eq(req->customer->base.n_unknown_fields, 0);
    out = rf_pb_pack(arena, &req->base, &len);
    cr_assert_eq(len, sizeof known);
    cr_assert_arr_eq(out, known, sizeof known);
}
