/*
 * Unit tests of refundctl's field setting by path (services/refundctl/field.c):
 * every field type the request messages use (string, int32, int64, bool, enum
 * in its command-line spellings, Timestamp from a date and from RFC 3339),
 * repeated fields that append, messages created on the way, the reason given
 * for bad text, the readers (rf_field_find, _string, _message, _exists), the
 * enum choices of the usage and the merge of the pages of a list (every
 * page's items, the last page's other fields). Known
 * answers are written by hand; the epoch seconds come from Python (snippet next
 * to each).
 */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "field.h"
#include "refunds/pb.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/reconciliation.pb-c.h"

static struct rf_arena *arena;
static char why[512];

static void setup(void)
{
    arena = rf_arena_create(0);
    why[0] = '\0';
}

static void teardown(void)
{
    rf_arena_destroy(arena);
}

TestSuite(field, .init = setup, .fini = teardown);

/* Sets path in msg from text, failing the test when that is refused. */
static void set_ok(void *msg, const char *path, const char *text)
{
    cr_assert(rf_field_set(arena, msg, path, text, why, sizeof why), "%s=\"%s\" refused: %s", path,
              text, why);
}

/* Expects path in msg to refuse text with a reason that is exactly expected. */
static void set_refused(void *msg, const char *path, const char *text, const char *expected)
{
    why[0] = '\0';
    cr_assert_not(rf_field_set(arena, msg, path, text, why, sizeof why), "%s=\"%s\" accepted", path,
                  text);
    cr_assert_str_eq(why, expected, "%s=\"%s\"", path, text);
}

Test(field, a_string_is_copied_into_the_arena)
{
    Refunds__V1__WithdrawCaseRequest req = REFUNDS__V1__WITHDRAW_CASE_REQUEST__INIT;
    char text[] = "changed her mind";

    set_ok(&req, "reason", text);
    cr_assert_str_eq(req.reason, "changed her mind");
    cr_assert_neq(req.reason, text, "the string must be a copy, not the caller's buffer");
    text[0] = 'X';
    cr_assert_str_eq(req.reason, "changed her mind");
}

Test(field, an_empty_string_is_a_value)
{
    Refunds__V1__WithdrawCaseRequest req = REFUNDS__V1__WITHDRAW_CASE_REQUEST__INIT;

    set_ok(&req, "etag", "");
    cr_assert_str_eq(req.etag, "");
}

Test(field, a_nested_path_creates_the_messages_on_the_way_once)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;
    Refunds__V1__Customer *first;

    cr_assert_null(req.customer);
    set_ok(&req, "customer.email", "ana@example.com");
    cr_assert_not_null(req.customer);
    cr_assert_eq(req.customer->base.descriptor, &refunds__v1__customer__descriptor);
    first = req.customer;
    set_ok(&req, "customer.name", "Ana");
    cr_assert_eq(req.customer, first, "a second field must reuse the message, not replace it");
    cr_assert_str_eq(req.customer->email, "ana@example.com");
    cr_assert_str_eq(req.customer->name, "Ana");
    cr_assert_null(req.product, "a path creates only the messages it goes through");
}

Test(field, int32_takes_its_whole_range)
{
    Refunds__V1__ListCasesRequest req = REFUNDS__V1__LIST_CASES_REQUEST__INIT;

    set_ok(&req, "page_size", "50");
    cr_assert_eq(req.page_size, 50);
    set_ok(&req, "page_size", "2147483647");
    cr_assert_eq(req.page_size, INT32_MAX);
    set_ok(&req, "page_size", "-2147483648");
    cr_assert_eq(req.page_size, INT32_MIN);
    set_ok(&req, "page_size", "+7");
    cr_assert_eq(req.page_size, 7);
}

Test(field, int32_out_of_range_names_the_range)
{
    Refunds__V1__ListCasesRequest req = REFUNDS__V1__LIST_CASES_REQUEST__INIT;
    const char *range = "expected a whole number from -2147483648 to 2147483647";

    req.page_size = 9;
    set_refused(&req, "page_size", "2147483648", range);
    set_refused(&req, "page_size", "-2147483649", range);
    set_refused(&req, "page_size", "99999999999999999999999", range);
    cr_assert_eq(req.page_size, 9, "a refused value must leave the field as it was");
}

Test(field, int64_takes_its_whole_range)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    set_ok(&req, "amount_paid.amount_minor", "4999");
    cr_assert_eq(req.amount_paid->amount_minor, 4999);
    set_ok(&req, "amount_paid.amount_minor", "9223372036854775807");
    cr_assert_eq(req.amount_paid->amount_minor, INT64_MAX);
    set_ok(&req, "amount_paid.amount_minor", "-9223372036854775808");
    cr_assert_eq(req.amount_paid->amount_minor, INT64_MIN);
}

Test(field, int64_overflow_names_the_range)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;
    const char *range = "expected a whole number from -9223372036854775808 to 9223372036854775807";

    set_refused(&req, "amount_paid.amount_minor", "9223372036854775808", range);
    set_refused(&req, "amount_paid.amount_minor", "-9223372036854775809", range);
}

Test(field, text_that_is_not_a_whole_number_is_refused)
{
    static const char *const bad[] = {"", " 5", "5 ", "5x", "abc", "4.99", "1e3", "0x10", "-", "+"};
    Refunds__V1__ListCasesRequest req = REFUNDS__V1__LIST_CASES_REQUEST__INIT;
    Refunds__V1__OpenCaseRequest open = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        set_refused(&req, "page_size", bad[i], "expected a whole number");
        set_refused(&open, "requested_amount.amount_minor", bad[i], "expected a whole number");
    }
}

Test(field, bool_takes_true_and_false_only)
{
    static const char *const bad[] = {"", "TRUE", "True", "1", "0", "yes", "no", "t", "truex"};
    Refunds__V1__Case c = REFUNDS__V1__CASE__INIT;

    set_ok(&c, "approval.sla_breached", "true");
    cr_assert(c.approval->sla_breached);
    set_ok(&c, "approval.sla_breached", "false");
    cr_assert_not(c.approval->sla_breached);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        set_refused(&c, "approval.sla_breached", bad[i], "expected true or false");
}

Test(field, enum_takes_the_short_name_in_any_case_with_dash_or_underscore)
{
    static const char *const spellings[] = {"in-person", "in_person",         "IN_PERSON",
                                            "In-Person", "CHANNEL_IN_PERSON", "channel-in-person"};
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        req.channel = REFUNDS__V1__CHANNEL__CHANNEL_UNSPECIFIED;
        set_ok(&req, "channel", spellings[i]);
        cr_assert_eq(req.channel, REFUNDS__V1__CHANNEL__CHANNEL_IN_PERSON, "%s", spellings[i]);
    }
    set_ok(&req, "payment.method", "bank-transfer");
    cr_assert_eq(req.payment->method, REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER);
    set_ok(&req, "reason_code", "damaged_in_transit");
    cr_assert_eq(req.reason_code, REFUNDS__V1__REASON_CODE__REASON_CODE_DAMAGED_IN_TRANSIT);
}

Test(field, enum_refuses_unknown_and_unspecified_values_listing_the_choices)
{
    static const char *const bad[] = {
        "fax",    "", "unspecified", "UNSPECIFIED", "CHANNEL_UNSPECIFIED", "in person", "emai",
        "email ", "1"};
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        set_refused(&req, "channel", bad[i],
                    "expected one of: email, phone, chat, letter, in-person");
    cr_assert_eq(req.channel, REFUNDS__V1__CHANNEL__CHANNEL_UNSPECIFIED);
}

Test(field, enum_refuses_a_name_too_long_to_be_one)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;
    char text[300];

    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    cr_assert_not(rf_field_set(arena, &req.base, "channel", text, why, sizeof why));
}

Test(field, timestamp_from_a_date_is_midnight_utc)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    set_ok(&req, "purchase_time", "2026-09-01");
    cr_assert_not_null(req.purchase_time);
    /* python3 -c "import datetime as d; print(int(d.datetime(2026,9,1,tzinfo=d.timezone.utc)
     *   .timestamp()))" */
    cr_assert_eq(req.purchase_time->seconds, 1788220800);
    cr_assert_eq(req.purchase_time->nanos, 0);
}

Test(field, timestamp_from_rfc3339_takes_the_offset_and_fraction)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    set_ok(&req, "purchase_time", "2026-09-01T10:00:00.5+01:00");
    /* 2026-09-01T09:00:00Z: python3 -c "import datetime as d;
     *   print(int(d.datetime(2026,9,1,9,tzinfo=d.timezone.utc).timestamp()))" */
    cr_assert_eq(req.purchase_time->seconds, 1788253200);
    cr_assert_eq(req.purchase_time->nanos, 500000000);
    set_ok(&req, "purchase_time", "2026-09-01T10:00:00Z");
    cr_assert_eq(req.purchase_time->seconds, 1788256800);
    cr_assert_eq(req.purchase_time->nanos, 0);
}

Test(field, timestamp_refuses_text_that_is_no_time)
{
    static const char *const bad[] = {"",           "yesterday",  "2026-13-01",
                                      "2026-09-31", "01.09.2026", "2026-09-01T25:00:00Z",
                                      "1788220800"};
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        set_refused(&req, "purchase_time", bad[i],
                    "expected a date such as 2026-09-01 or an RFC 3339 time such as "
                    "2026-09-01T10:00:00Z");
    cr_assert_null(req.purchase_time);
}

Test(field, a_repeated_field_appends_in_order)
{
    Refunds__V1__DecideCaseRequest req = REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;

    set_ok(&req, "alternatives", "store-credit");
    set_ok(&req, "alternatives", "repair");
    set_ok(&req, "alternatives", "store_credit");
    cr_assert_eq(req.n_alternatives, 3);
    cr_assert_eq(req.alternatives[0], REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT);
    cr_assert_eq(req.alternatives[1], REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_REPAIR);
    cr_assert_eq(req.alternatives[2], REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT);
}

Test(field, a_refused_element_leaves_the_repeated_field_as_it_was)
{
    Refunds__V1__DecideCaseRequest req = REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;
    Refunds__V1__Alternative *before;

    set_ok(&req, "alternatives", "exchange");
    before = req.alternatives;
    set_refused(&req, "alternatives", "refund",
                "expected one of: store-credit, exchange, repair, discount-voucher");
    cr_assert_eq(req.n_alternatives, 1);
    cr_assert_eq(req.alternatives, before);
    cr_assert_eq(req.alternatives[0], REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE);
}

Test(field, a_path_that_names_no_field_aborts, .signal = SIGABRT)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    rf_field_set(arena, &req.base, "customer.mail", "x", why, sizeof why);
}

Test(field, a_path_through_a_scalar_aborts, .signal = SIGABRT)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    rf_field_set(arena, &req.base, "channel.name", "x", why, sizeof why);
}

Test(field, find_follows_paths_through_messages)
{
    const ProtobufCMessageDescriptor *d = &refunds__v1__open_case_request__descriptor;
    const ProtobufCFieldDescriptor *f;

    f = rf_field_find(d, "customer.email");
    cr_assert_not_null(f);
    cr_assert_str_eq(f->name, "email");
    cr_assert_eq(f->type, PROTOBUF_C_TYPE_STRING);
    f = rf_field_find(d, "customer");
    cr_assert_not_null(f);
    cr_assert_eq(f->descriptor, &refunds__v1__customer__descriptor);
    f = rf_field_find(d, "purchase_time.seconds");
    cr_assert_not_null(f);
    cr_assert_eq(f->type, PROTOBUF_C_TYPE_INT64);
}

Test(field, find_returns_null_for_what_is_no_field_path)
{
    static const char *const bad[] = {
        "nope", "customer.nope", "channel.x", "customer.", ".customer", "", "customer..email"};
    char longname[100];

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_null(rf_field_find(&refunds__v1__open_case_request__descriptor, bad[i]), "%s",
                       bad[i]);
    cr_assert_null(rf_field_find(&refunds__v1__case__descriptor, "interactions.summary"),
                   "a path cannot go through a repeated message");
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cr_assert_null(rf_field_find(&refunds__v1__open_case_request__descriptor, longname));
}

Test(field, string_reads_set_fields_and_null_for_unset_messages_or_other_types)
{
    Refunds__V1__OpenCaseRequest req = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    cr_assert_null(rf_field_string(&req.base, "customer.email"), "customer is unset");
    set_ok(&req, "customer.email", "ana@example.com");
    set_ok(&req, "channel", "email");
    cr_assert_str_eq(rf_field_string(&req.base, "customer.email"), "ana@example.com");
    cr_assert_eq(rf_field_string(&req.base, "customer.email"), req.customer->email,
                 "the string is the message's own");
    cr_assert_null(rf_field_string(&req.base, "channel"), "an enum is not a string");
    cr_assert_null(rf_field_string(&req.base, "customer"), "a message is not a string");
    cr_assert_null(rf_field_string(&req.base, "customer.mail"));
}

Test(field, message_reads_set_messages_and_null_otherwise)
{
    Refunds__V1__DecideCaseRequest req = REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;

    cr_assert_null(rf_field_message(&req.base, "approved_amount"));
    set_ok(&req, "approved_amount.amount_minor", "100");
    cr_assert_eq(rf_field_message(&req.base, "approved_amount"), &req.approved_amount->base);
    cr_assert_null(rf_field_message(&req.base, "approved_amount.currency"), "a string");
    cr_assert_null(rf_field_message(&req.base, "alternatives"), "a repeated enum");
    cr_assert_null(rf_field_message(&req.base, "no_such_field"));
}

Test(field, exists_names_fields_of_the_message_itself)
{
    Refunds__V1__DecideCaseRequest decide = REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;
    Refunds__V1__OpenCaseRequest open = REFUNDS__V1__OPEN_CASE_REQUEST__INIT;

    cr_assert(rf_field_exists(&decide.base, "etag"));
    cr_assert(rf_field_exists(&decide.base, "approved_amount"));
    cr_assert_not(rf_field_exists(&open.base, "etag"));
    cr_assert_not(rf_field_exists(&open.base, "customer.email"), "a path is not a name");
}

Test(field, enum_choices_are_the_command_line_spellings_without_value_0)
{
    char buf[256];

    rf_field_enum_choices(&refunds__v1__channel__descriptor, buf, sizeof buf);
    cr_assert_str_eq(buf, "email, phone, chat, letter, in-person");
    rf_field_enum_choices(&refunds__v1__alternative__descriptor, buf, sizeof buf);
    cr_assert_str_eq(buf, "store-credit, exchange, repair, discount-voucher");
    rf_field_enum_choices(&refunds__v1__case_state__descriptor, buf, sizeof buf);
    cr_assert_str_eq(buf, "open, evaluated, pending-approval, approved, denied, "
                          "decision-communicated, refund-in-progress, awaiting-follow-up, "
                          "closed, withdrawn");
}

Test(field, enum_choices_are_cut_to_the_buffer)
{
    char buf[10];

    memset(buf, 'X', sizeof buf);
    rf_field_enum_choices(&refunds__v1__channel__descriptor, buf, sizeof buf);
    cr_assert_str_eq(buf, "email, ph");
    rf_field_enum_choices(&refunds__v1__channel__descriptor, buf, 1);
    cr_assert_str_eq(buf, "");
    buf[0] = 'X';
    rf_field_enum_choices(&refunds__v1__channel__descriptor, buf, 0);
    cr_assert_eq(buf[0], 'X', "size 0 writes nothing");
}

/* A list page of n cases named cases/<first>, cases/<first + 1>, ... */
static Refunds__V1__ListCasesResponse *page(int first, size_t n, const char *next)
{
    Refunds__V1__ListCasesResponse *r =
        rf_pb_new(arena, &refunds__v1__list_cases_response__descriptor);

    r->n_cases = n;
    r->cases = rf_arena_calloc(arena, n, sizeof *r->cases);
    for (size_t i = 0; i < n; i++) {
        r->cases[i] = rf_pb_new(arena, &refunds__v1__case__descriptor);
        r->cases[i]->name = rf_arena_printf(arena, "cases/%d", first + (int)i);
    }
    r->next_page_token = (char *)next;
    return r;
}

Test(field, append_repeated_gathers_pages_in_order_sharing_their_elements)
{
    Refunds__V1__ListCasesResponse *to = page(1, 2, "t1");
    Refunds__V1__ListCasesResponse *from = page(3, 3, "t2");
    Refunds__V1__Case **first_page = to->cases;

    rf_field_append_repeated(arena, &to->base, &from->base);
    cr_assert_eq(to->n_cases, 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(to->cases[i]->name, rf_arena_printf(arena, "cases/%zu", i + 1));
    cr_assert_eq(to->cases[2], from->cases[0], "elements are shared, not copied");
    cr_assert_eq(first_page[1]->name, to->cases[1]->name);
    cr_assert_str_eq(to->next_page_token, "t1", "singular fields are not merged");
    cr_assert_eq(from->n_cases, 3, "from is left as it was");
}

Test(field, append_repeated_into_an_empty_message_or_from_one_changes_what_it_should)
{
    Refunds__V1__ListCasesResponse *empty = page(0, 0, "");
    Refunds__V1__ListCasesResponse *full = page(7, 2, "");
    Refunds__V1__Case **before = full->cases;

    rf_field_append_repeated(arena, &full->base, &empty->base);
    cr_assert_eq(full->n_cases, 2);
    cr_assert_eq(full->cases, before, "an empty page leaves the array alone");
    rf_field_append_repeated(arena, &empty->base, &full->base);
    cr_assert_eq(empty->n_cases, 2);
    cr_assert_str_eq(empty->cases[0]->name, "cases/7");
    cr_assert_str_eq(empty->cases[1]->name, "cases/8");
}

Test(field, append_repeated_merges_scalar_arrays_too)
{
    Refunds__V1__DecideCaseRequest to = REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;
    Refunds__V1__DecideCaseRequest from = REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;

    set_ok(&to, "alternatives", "exchange");
    set_ok(&from, "alternatives", "repair");
    set_ok(&from, "alternatives", "discount-voucher");
    rf_field_append_repeated(arena, &to.base, &from.base);
    cr_assert_eq(to.n_alternatives, 3);
    cr_assert_eq(to.alternatives[0], REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE);
    cr_assert_eq(to.alternatives[1], REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_REPAIR);
    cr_assert_eq(to.alternatives[2], REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_DISCOUNT_VOUCHER);
}

Test(field, take_singular_takes_the_last_page_s_totals_and_token_and_leaves_the_items)
{
    Refunds__V1__VerifyAuditChainResponse to = REFUNDS__V1__VERIFY_AUDIT_CHAIN_RESPONSE__INIT;
    Refunds__V1__VerifyAuditChainResponse from = REFUNDS__V1__VERIFY_AUDIT_CHAIN_RESPONSE__INIT;
    Refunds__V1__AuditFault f = REFUNDS__V1__AUDIT_FAULT__INIT;
    Refunds__V1__AuditFault *faults[] = {&f};

    to.cases_checked = 2;
    to.faults_found = 1;
    to.n_faults = 1;
    to.faults = faults;
    to.next_page_token = "t1";
    from.cases_checked = 5;
    from.events_checked = 20;
    from.faults_found = 1;
    from.latest_checkpoint = "checkpoints/3";
    rf_field_take_singular(&to.base, &from.base);
    cr_assert_eq(to.cases_checked, 5);
    cr_assert_eq(to.events_checked, 20);
    cr_assert_eq(to.faults_found, 1);
    cr_assert_str_eq(to.next_page_token, "", "the last page has no next page");
    cr_assert_str_eq(to.latest_checkpoint, "checkpoints/3");
    cr_assert_eq(to.n_faults, 1, "repeated fields are append_repeated's");
    cr_assert_eq(to.faults[0], &f);
}

Test(field, take_singular_copies_messages_and_optional_flags)
{
    Refunds__V1__DecideCaseRequest to = REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;
    Refunds__V1__DecideCaseRequest from = REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;

    set_ok(&to, "alternatives", "exchange");
    set_ok(&from, "approved_amount.amount_minor", "2500");
    set_ok(&from, "decision", "approve");
    rf_field_take_singular(&to.base, &from.base);
    cr_assert_eq(to.approved_amount, from.approved_amount, "messages are shared");
    cr_assert_eq(to.decision, REFUNDS__V1__DECISION__DECISION_APPROVE);
    cr_assert_eq(to.n_alternatives, 1);
}
