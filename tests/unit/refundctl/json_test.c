/*
 * Unit tests of refundctl's proto3 JSON output (services/refundctl/json.c):
 * lowerCamelCase names, 64-bit integers as strings, enums by name (by number
 * when unknown), Timestamps as RFC 3339 with 0, 3, 6 or 9 fraction digits,
 * bytes as base64, fields at their default left out, the escaping of control,
 * non-ASCII and bidirectional characters, invalid UTF-8 as U+FFFD, the JSON of
 * a failed call and rf_json_write's two layouts. The expected text is what
 * python3's google.protobuf.json_format gives (snippets next to the values,
 * run in build/python with /usr/bin/python3), except where a comment says it
 * is written by hand because Python has no such case or differs in form only.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "google/protobuf/any.pb-c.h"
#include "google/rpc/status.pb-c.h"
#include "grpc/health/v1/health.pb-c.h"
#include "json.h"
#include "refunds/pb.h"
#include "refunds/v1/cases.pb-c.h"
#include "test_memout.h"
#include "test_pb.h"

static struct rf_arena *arena;

static void setup(void)
{
    arena = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(json, .init = setup, .fini = teardown);

/* What rf_json_write prints for value, in the arena, without the final newline. */
static const char *written(const json_t *value, bool pretty)
{
    struct test_memout m;
    size_t len;
    const char *s;

    cr_assert_eq(rf_json_write(test_memout_open(&m), value, pretty), 0);
    s = test_memout_close(&m, arena, &len);
    cr_assert_geq(len, 1);
    cr_assert_eq(s[len - 1], '\n', "the JSON must end with a newline");
    return rf_arena_strndup(arena, s, len - 1);
}

/* The one-line JSON of msg as refundctl prints it. */
static const char *json_of(const void *msg)
{
    json_t *j = rf_json_message(msg);
    const char *s = written(j, false);

    json_decref(j);
    return s;
}

static Google__Protobuf__Timestamp *ts(int64_t seconds, int32_t nanos)
{
    return test_timestamp(arena, seconds, nanos);
}

static Refunds__V1__Money *money(int64_t minor, const char *currency)
{
    return test_money(arena, minor, currency);
}

Test(json, a_message_with_every_field_at_its_default_is_an_empty_object)
{
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;

    cr_assert_str_eq(json_of(&c), "{}");
}

Test(json, a_case_has_camel_case_names_int64_strings_enum_names_and_rfc3339_times)
{
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Approval ap = REFUNDS__V1__APPROVAL__INIT;
    Refunds__V1__Customer cu = REFUNDS__V1__CUSTOMER__INIT;
    Refunds__V1__Alternative alts[] = {REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT,
                                       REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_DISCOUNT_VOUCHER};

    c.name = "cases/1";
    c.state = REFUNDS__V1__CASE_STATE__CASE_STATE_PENDING_APPROVAL;
    c.channel = REFUNDS__V1__CHANNEL__CHANNEL_IN_PERSON;
    c.acknowledge_time = ts(1788256800, 123456000);
    c.customer = &cu; /* set but empty: printed as {} */
    c.purchase_time = ts(-1, 1);
    c.amount_paid = money(4999, "EUR");
    c.requested_amount = money(INT64_MIN, "EUR");
    c.reason_code = 99; /* not a value of ReasonCode: printed as its number */
    c.create_time = ts(1788256800, 0);
    c.update_time = ts(1788256800, 500000000);
    ap.sla_breached = 1;
    ap.n_alternatives = 2;
    ap.alternatives = alts;
    c.approval = &ap;
    /*
     * c = pb.Case(name="cases/1", state=pb.CASE_STATE_PENDING_APPROVAL,
     *             channel=cm.CHANNEL_IN_PERSON, reason_code=99)
     * c.acknowledge_time.seconds = 1788256800; c.acknowledge_time.nanos = 123456000
     * c.customer.SetInParent(); c.purchase_time.seconds = -1; c.purchase_time.nanos = 1
     * c.amount_paid.amount_minor = 4999; c.amount_paid.currency = "EUR"
     * c.requested_amount.amount_minor = -2**63; c.requested_amount.currency = "EUR"
     * c.create_time.seconds = 1788256800
     * c.update_time.seconds = 1788256800; c.update_time.nanos = 500000000
     * c.approval.sla_breached = True; c.approval.alternatives.extend([1, 4])
     * print(json.dumps(json_format.MessageToDict(c), separators=(",", ":")))
     */
    cr_assert_str_eq(
        json_of(&c),
        "{\"name\":\"cases/1\",\"state\":\"CASE_STATE_PENDING_APPROVAL\","
        "\"channel\":\"CHANNEL_IN_PERSON\",\"acknowledgeTime\":\"2026-09-01T10:00:00.123456Z\","
        "\"customer\":{},\"purchaseTime\":\"1969-12-31T23:59:59.000000001Z\","
        "\"amountPaid\":{\"amountMinor\":\"4999\",\"currency\":\"EUR\"},"
        "\"requestedAmount\":{\"amountMinor\":\"-9223372036854775808\",\"currency\":\"EUR\"},"
        "\"reasonCode\":99,\"createTime\":\"2026-09-01T10:00:00Z\","
        "\"updateTime\":\"2026-09-01T10:00:00.500Z\","
        "\"approval\":{\"slaBreached\":true,"
        "\"alternatives\":[\"ALTERNATIVE_STORE_CREDIT\",\"ALTERNATIVE_DISCOUNT_VOUCHER\"]}}");
}

Test(json, zero_amounts_and_empty_strings_are_left_out)
{
    Refunds__V1__Customer cu = REFUNDS__V1__CUSTOMER__INIT;

    cu.name = "";
    cu.email = "a@example.com";
    /* pb.Customer(name="", email="a@example.com"): {"email":"a@example.com"} */
    cr_assert_str_eq(json_of(&cu), "{\"email\":\"a@example.com\"}");
    /* cm.Money(amount_minor=0, currency="JPY"): {"currency":"JPY"} */
    cr_assert_str_eq(json_of(money(0, "JPY")), "{\"currency\":\"JPY\"}");
}

Test(json, timestamps_use_0_3_6_or_9_fraction_digits)
{
    static const struct {
        int64_t seconds;
        int32_t nanos;
        const char *text;
    } cases[] = {
        /* t = Timestamp(seconds=s, nanos=n); json_format.MessageToJson(t) */
        {1788256800, 0, "2026-09-01T10:00:00Z"},
        {1788256800, 1000000, "2026-09-01T10:00:00.001Z"},
        {1788256800, 10000, "2026-09-01T10:00:00.000010Z"},
        {1788256800, 999999999, "2026-09-01T10:00:00.999999999Z"},
        {0, 0, "1970-01-01T00:00:00Z"},
        {-62135596800, 0, "0001-01-01T00:00:00Z"},
        {253402300799, 0, "9999-12-31T23:59:59Z"},
    };

    /* A Timestamp alone is a JSON string, not an object: read it from the json_t. */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = rf_json_message(&ts(cases[i].seconds, cases[i].nanos)->base);

        cr_assert(json_is_string(j), "case %zu is not a string", i);
        cr_assert_str_eq(json_string_value(j), cases[i].text);
        json_decref(j);
    }
}

Test(json, a_timestamp_out_of_range_is_printed_as_its_fields)
{
    /* By hand: Python refuses to print these; refundctl shows what the server sent. */
    cr_assert_str_eq(json_of(ts(1788256800, -1)), "{\"seconds\":\"1788256800\",\"nanos\":-1}");
    cr_assert_str_eq(json_of(ts(1788256800, 1000000000)),
                     "{\"seconds\":\"1788256800\",\"nanos\":1000000000}");
    cr_assert_str_eq(json_of(ts(253402300800, 0)), "{\"seconds\":\"253402300800\"}");
}

Test(json, repeated_messages_are_arrays_of_objects)
{
    Refunds__V1__ListCasesResponse r = REFUNDS__V1__LIST_CASES_RESPONSE__INIT;
    Refunds__V1__Case a = REFUNDS__V1__CASE__INIT, b = REFUNDS__V1__CASE__INIT;
    Refunds__V1__Case *cases[] = {&a, &b};

    a.name = "cases/a";
    r.n_cases = 2;
    r.cases = cases;
    r.next_page_token = "tok";
    /* pb.ListCasesResponse(cases=[pb.Case(name="cases/a"), pb.Case()], next_page_token="tok") */
    cr_assert_str_eq(json_of(&r),
                     "{\"cases\":[{\"name\":\"cases/a\"},{}],\"nextPageToken\":\"tok\"}");
}

Test(json, int32_is_a_number_and_bytes_are_base64)
{
    Google__Rpc__Status st = GOOGLE__RPC__STATUS__INIT;
    Google__Protobuf__Any any[5] = {GOOGLE__PROTOBUF__ANY__INIT, GOOGLE__PROTOBUF__ANY__INIT,
                                    GOOGLE__PROTOBUF__ANY__INIT, GOOGLE__PROTOBUF__ANY__INIT,
                                    GOOGLE__PROTOBUF__ANY__INIT};
    Google__Protobuf__Any *details[] = {&any[0], &any[1], &any[2], &any[3], &any[4]};
    static const char *const data[] = {"", "f", "fo", "foo", "foob"};

    st.code = -5;
    st.message = "m";
    for (size_t i = 0; i < 5; i++) {
        any[i].type_url = "t";
        any[i].value.data = (uint8_t *)data[i];
        any[i].value.len = strlen(data[i]);
    }
    st.n_details = 5;
    st.details = details;
    /*
     * By hand: json_format prints an Any by the type it names, and json.c prints it as an
     * ordinary message (json.h says so). The base64 is RFC 4648's test vectors.
     */
    cr_assert_str_eq(json_of(&st), "{\"code\":-5,\"message\":\"m\",\"details\":["
                                   "{\"typeUrl\":\"t\"},"
                                   "{\"typeUrl\":\"t\",\"value\":\"Zg==\"},"
                                   "{\"typeUrl\":\"t\",\"value\":\"Zm8=\"},"
                                   "{\"typeUrl\":\"t\",\"value\":\"Zm9v\"},"
                                   "{\"typeUrl\":\"t\",\"value\":\"Zm9vYg==\"}]}");
}

Test(json, bytes_with_every_bit_pattern_are_base64)
{
    Google__Protobuf__Any any = GOOGLE__PROTOBUF__ANY__INIT;
    static const uint8_t data[] = {0x00, 0xff, 0xfe, 0x03, 0xef, 0xbf};

    any.value.data = (uint8_t *)data;
    any.value.len = sizeof data;
    /* python3 -c "import base64; print(base64.b64encode(bytes([0,255,254,3,239,191])))" */
    cr_assert_str_eq(json_of(&any), "{\"value\":\"AP/+A++/\"}");
}

Test(json, health_status_is_its_enum_name_or_number)
{
    Grpc__Health__V1__HealthCheckResponse r = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;

    r.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING;
    /* health_pb2.HealthCheckResponse(status=2): {"status":"NOT_SERVING"} */
    cr_assert_str_eq(json_of(&r), "{\"status\":\"NOT_SERVING\"}");
    r.status = 7;
    cr_assert_str_eq(json_of(&r), "{\"status\":7}");
}

Test(json, quotes_backslashes_and_control_characters_are_escaped)
{
    Refunds__V1__Customer cu = REFUNDS__V1__CUSTOMER__INIT;

    cu.name = "A\"\\\x01\x1f\n\t\r\b\f/";
    /*
     * pb.Customer(name='A"\\\x01\x1f\n\t\r\b\f/'):
     * {"name":"A\"\\\u0001\u001f\n\t\r\b\f/"}
     * (jansson writes the hex digits in upper case, Python in lower: the same JSON.)
     */
    cr_assert_str_eq(json_of(&cu), "{\"name\":\"A\\\"\\\\\\u0001\\u001F\\n\\t\\r\\b\\f/\"}");
}

Test(json, non_ascii_text_c1_and_bidirectional_controls_are_escaped_to_ascii)
{
    Refunds__V1__Customer cu = REFUNDS__V1__CUSTOMER__INIT;
    const char *s;

    cu.name = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"; /* é € U+1F600 */
    cu.email = "\xe2\x80\xae"
               "abc"
               "\xe2\x81\xa6";     /* RLO abc LRI */
    cu.phone = "\xc2\x85\xc2\x9b"; /* NEL, CSI (C1) */
    /*
     * pb.Customer(name="é€\U0001F600", email="\u202eabc\u2066", phone="\x85\x9b"):
     * {"name":"\u00e9\u20ac\ud83d\ude00","email":"\u202eabc\u2066","phone":"\u0085\u009b"}
     * (jansson writes the hex digits in upper case, Python in lower: the same JSON.)
     */
    s = json_of(&cu);
    cr_assert_str_eq(s, "{\"name\":\"\\u00E9\\u20AC\\uD83D\\uDE00\","
                        "\"email\":\"\\u202Eabc\\u2066\",\"phone\":\"\\u0085\\u009B\"}");
    for (const char *p = s; *p != '\0'; p++)
        cr_assert_lt((unsigned char)*p, 0x80, "a byte past ASCII at %zu of %s", (size_t)(p - s), s);
}

Test(json, escaped_text_reads_back_as_the_original)
{
    Refunds__V1__Customer cu = REFUNDS__V1__CUSTOMER__INIT;
    const char *original = "Jos\xc3\xa9 \"quoted\" \\ \x01\x7f \xe2\x80\xae\xf0\x9f\x98\x80";
    json_error_t jerr;
    json_t *back;

    cu.name = (char *)original;
    back = json_loads(json_of(&cu), 0, &jerr);
    cr_assert_not_null(back, "not JSON: %s", jerr.text);
    cr_assert_str_eq(json_string_value(json_object_get(back, "name")), original);
    json_decref(back);
}

Test(json, bytes_that_are_not_utf8_become_replacement_characters_one_each)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        /* By hand: json.c replaces each byte of an ill-formed sequence with U+FFFD. */
        {"a\xff"
         "b",
         "a\\uFFFDb"},
        {"\xc0\xaf", "\\uFFFD\\uFFFD"},            /* overlong '/' */
        {"\xed\xa0\x80", "\\uFFFD\\uFFFD\\uFFFD"}, /* the surrogate U+D800 */
        {"x\xe2\x82", "x\\uFFFD\\uFFFD"},          /* a cut-off euro sign */
        {"\xe2\x82"
         "\xe2\x82\xac",
         "\\uFFFD\\uFFFD\\u20AC"},                            /* cut-off, then whole */
        {"\xf4\x90\x80\x80", "\\uFFFD\\uFFFD\\uFFFD\\uFFFD"}, /* past U+10FFFF */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Refunds__V1__Customer cu = REFUNDS__V1__CUSTOMER__INIT;

        cu.name = (char *)cases[i].in;
        cr_assert_str_eq(json_of(&cu), rf_arena_printf(arena, "{\"name\":\"%s\"}", cases[i].out),
                         "case %zu", i);
    }
}

Test(json, an_error_without_violations_has_code_and_message)
{
    struct rf_error err;
    json_t *j;

    rf_error_clear(&err);
    rf_fail(&err, RF_NOT_FOUND, "case \"cases/x\" does not exist");
    j = rf_json_error(&err);
    cr_assert_str_eq(
        written(j, false),
        "{\"code\":\"NOT_FOUND\",\"message\":\"case \\\"cases/x\\\" does not exist\"}");
    json_decref(j);
}

Test(json, an_error_lists_its_field_violations)
{
    struct rf_error err;
    json_t *j;

    rf_error_clear(&err);
    rf_violation_add(&err, "customer.email", "must be an e-mail address");
    rf_violation_add(&err, "purchase_time", "is in the future");
    rf_fail(&err, RF_INVALID_ARGUMENT, "invalid customer.email");
    j = rf_json_error(&err);
    cr_assert_str_eq(written(j, false),
                     "{\"code\":\"INVALID_ARGUMENT\",\"message\":\"invalid customer.email\","
                     "\"fieldViolations\":["
                     "{\"field\":\"customer.email\",\"description\":\"must be an e-mail address\"},"
                     "{\"field\":\"purchase_time\",\"description\":\"is in the future\"}]}");
    json_decref(j);
}

Test(json, an_error_keeps_at_most_the_violations_it_has_room_for)
{
    struct rf_error err;
    json_t *j;

    rf_error_clear(&err);
    for (int i = 0; i < RF_VIOLATIONS_MAX + 5; i++)
        rf_violation_add(&err, "f", "bad %d", i);
    err.code = RF_INVALID_ARGUMENT;
    j = rf_json_error(&err);
    cr_assert_eq(json_array_size(json_object_get(j, "fieldViolations")), RF_VIOLATIONS_MAX);
    json_decref(j);
}

Test(json, an_error_message_that_is_not_utf8_still_makes_json)
{
    struct rf_error err;
    json_t *j;

    rf_error_clear(&err);
    rf_fail(&err, RF_INTERNAL, "bad \xff byte");
    j = rf_json_error(&err);
    cr_assert_str_eq(json_string_value(json_object_get(j, "message")), "bad \xef\xbf\xbd byte");
    json_decref(j);
}

Test(json, write_pretty_indents_by_two_spaces)
{
    json_t *j = rf_json_message(&money(100, "EUR")->base);

    cr_assert_str_eq(written(j, true),
                     "{\n  \"amountMinor\": \"100\",\n  \"currency\": \"EUR\"\n}");
    json_decref(j);
}

Test(json, write_reports_a_failed_stream)
{
    FILE *full = fopen("/dev/full", "w");
    json_t *j = rf_json_message(&money(100, "EUR")->base);

    cr_assert_not_null(full);
    cr_assert_eq(rf_json_write(full, j, false), -1);
    fclose(full);
    json_decref(j);
}
