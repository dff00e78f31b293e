/*
 * Unit tests of the RefundCases request checks
 * (services/refundsd/case_validate.c). Each test starts from a request that
 * passes, breaks one rule, and expects exactly one violation whose field is
 * the proto path of what was broken; then case names and etags. The checks
 * that need the stored case belong to the integration tests.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "case_validate.h"
#include "refunds/money.h"
#include "refunds/timeutil.h"

/* 2026-11-22T10:00:00Z: the "now" of every test. */
#define NOW_US (1795341600LL * RF_USEC_PER_SEC)

/* An OpenCaseRequest and everything it points to. */
struct open_req {
    Refunds__V1__OpenCaseRequest req;
    Refunds__V1__Customer customer;
    Refunds__V1__Product product;
    Google__Protobuf__Timestamp purchase_time;
    Refunds__V1__Money paid;
    Refunds__V1__Money requested;
    Refunds__V1__Payment payment;
};

static struct open_req o;
static struct rf_error err;

/* A request every check accepts: a defective kettle bought ten days ago. */
static void valid_open(void)
{
    o.req = (Refunds__V1__OpenCaseRequest)REFUNDS__V1__OPEN_CASE_REQUEST__INIT;
    o.customer = (Refunds__V1__Customer)REFUNDS__V1__CUSTOMER__INIT;
    o.product = (Refunds__V1__Product)REFUNDS__V1__PRODUCT__INIT;
    o.purchase_time = (Google__Protobuf__Timestamp)GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    o.paid = (Refunds__V1__Money)REFUNDS__V1__MONEY__INIT;
    o.requested = (Refunds__V1__Money)REFUNDS__V1__MONEY__INIT;
    o.payment = (Refunds__V1__Payment)REFUNDS__V1__PAYMENT__INIT;

    o.customer.name = "Ana Garc\xc3\xad"
                      "a";
    o.customer.email = "ana@example.com";
    o.customer.phone = "+34 600 123 456";
    o.customer.preferred_language = "es";
    o.product.order_id = "ORD-2026-0001";
    o.product.sku = "KTL-100";
    o.product.name = "Kettle";
    o.product.category = "kitchen";
    o.purchase_time.seconds = NOW_US / RF_USEC_PER_SEC - 10 * 86400;
    o.paid.amount_minor = 4999;
    o.paid.currency = "EUR";
    o.requested.amount_minor = 4999;
    o.requested.currency = "EUR";
    o.payment.method = REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD;
    o.payment.provider = "stripe";
    o.payment.provider_payment_id = "pi_3Nxyz";

    o.req.request_id = "req-1";
    o.req.channel = REFUNDS__V1__CHANNEL__CHANNEL_EMAIL;
    o.req.customer = &o.customer;
    o.req.product = &o.product;
    o.req.purchase_time = &o.purchase_time;
    o.req.amount_paid = &o.paid;
    o.req.requested_amount = &o.requested;
    o.req.payment = &o.payment;
    o.req.reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_DEFECTIVE;
    o.req.reason_text = "It stopped heating after a week.\nThe light stays off.";
    o.req.contact_summary = "";
    o.req.assignee = "agent.bob";
}

static void setup(void)
{
    valid_open();
    rf_error_clear(&err);
}

TestSuite(open_case, .init = setup);

static void check_open(void)
{
    rf_error_clear(&err);
    rf_validate_open_case(&o.req, NOW_US, &err);
}

static char all_fields[2048];

/* The violations' fields, for failure messages. */
static const char *fields(void)
{
    size_t len = 0;

    all_fields[0] = '\0';
    for (int i = 0; i < err.n_violations && i < RF_VIOLATIONS_MAX; i++)
        len +=
            (size_t)snprintf(all_fields + len, sizeof all_fields - len, "%s%s: %s", i ? "; " : "",
                             err.violations[i].field, err.violations[i].description);
    return all_fields;
}

/* Exactly one violation, on field. */
static void expect_only(const char *field)
{
    cr_assert_eq(err.n_violations, 1, "expected only %s, got [%s]", field, fields());
    cr_assert_str_eq(err.violations[0].field, field, "[%s]", fields());
}

static bool has_violation(const char *field)
{
    for (int i = 0; i < err.n_violations && i < RF_VIOLATIONS_MAX; i++) {
        if (strcmp(err.violations[i].field, field) == 0)
            return true;
    }
    return false;
}

static void expect_none(void)
{
    cr_assert_eq(err.n_violations, 0, "[%s]", fields());
}

/* A string of n copies of the UTF-8 character ch, in static storage per slot. */
static char *repeat(int slot, const char *ch, size_t n)
{
    static char bufs[4][3 * 4100];
    size_t len = strlen(ch);

    cr_assert_lt(n * len, sizeof bufs[0]);
    for (size_t i = 0; i < n; i++)
        memcpy(bufs[slot] + i * len, ch, len);
    bufs[slot][n * len] = '\0';
    return bufs[slot];
}

Test(open_case, a_complete_request_has_no_violations)
{
    check_open();
    expect_none();
    cr_assert_eq(rf_error_from_violations(&err), RF_OK);
}

Test(open_case, optional_fields_may_be_empty)
{
    o.customer.phone = "";
    o.customer.preferred_language = "";
    o.payment.provider = "";
    o.payment.provider_payment_id = "";
    o.req.reason_text = "";
    o.req.contact_summary = "";
    o.req.assignee = "";
    check_open();
    expect_none();
}

Test(open_case, missing_customer)
{
    o.req.customer = NULL;
    check_open();
    expect_only("customer");
}

Test(open_case, missing_product)
{
    o.req.product = NULL;
    check_open();
    expect_only("product");
}

Test(open_case, missing_payment)
{
    o.req.payment = NULL;
    check_open();
    expect_only("payment");
}

Test(open_case, missing_purchase_time)
{
    o.req.purchase_time = NULL;
    check_open();
    expect_only("purchase_time");
}

Test(open_case, missing_amount_paid)
{
    o.req.amount_paid = NULL;
    check_open();
    expect_only("amount_paid");
}

Test(open_case, missing_requested_amount)
{
    o.req.requested_amount = NULL;
    check_open();
    expect_only("requested_amount");
}

Test(open_case, missing_channel)
{
    o.req.channel = REFUNDS__V1__CHANNEL__CHANNEL_UNSPECIFIED;
    check_open();
    expect_only("channel");
}

Test(open_case, missing_reason_code)
{
    o.req.reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_UNSPECIFIED;
    check_open();
    expect_only("reason_code");
}

Test(open_case, missing_payment_method)
{
    o.payment.method = REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_UNSPECIFIED;
    check_open();
    expect_only("payment.method");
}

Test(open_case, required_texts_that_are_empty_or_blank)
{
    static const char *const blank[] = {"", "   ", "\t"};

    for (size_t i = 0; i < 3; i++) {
        valid_open();
        o.customer.name = (char *)blank[i];
        check_open();
        expect_only("customer.name");
        valid_open();
        o.product.sku = (char *)blank[i];
        check_open();
        expect_only("product.sku");
    }
    valid_open();
    o.product.order_id = "";
    check_open();
    expect_only("product.order_id");
    valid_open();
    o.product.category = "";
    check_open();
    expect_only("product.category");
    valid_open();
    o.product.name = "";
    check_open();
    expect_only("product.name");
}

Test(open_case, zero_requested_amount)
{
    o.requested.amount_minor = 0;
    check_open();
    expect_only("requested_amount.amount_minor");
}

Test(open_case, negative_requested_amount)
{
    o.requested.amount_minor = -100;
    check_open();
    expect_only("requested_amount.amount_minor");
}

Test(open_case, negative_amount_paid)
{
    o.paid.amount_minor = -1;
    check_open();
    expect_only("amount_paid.amount_minor");
}

Test(open_case, zero_amount_paid)
{
    o.paid.amount_minor = 0;
    check_open();
    expect_only("amount_paid.amount_minor");
}

Test(open_case, amounts_up_to_the_maximum)
{
    o.paid.amount_minor = RF_MONEY_MAX_MINOR;
    o.requested.amount_minor = RF_MONEY_MAX_MINOR;
    check_open();
    expect_none();
    o.paid.amount_minor = RF_MONEY_MAX_MINOR + 1;
    check_open();
    expect_only("amount_paid.amount_minor");
}

Test(open_case, requested_above_paid)
{
    o.requested.amount_minor = o.paid.amount_minor + 1;
    check_open();
    expect_only("requested_amount.amount_minor");
}

Test(open_case, requested_below_paid_is_fine)
{
    o.requested.amount_minor = 1;
    check_open();
    expect_none();
}

Test(open_case, currency_mismatch)
{
    o.requested.currency = "USD";
    check_open();
    expect_only("requested_amount.currency");
}

Test(open_case, unknown_currency)
{
    o.paid.currency = "ABC";
    o.requested.currency = "ABC";
    check_open();
    cr_assert_eq(err.n_violations, 2, "[%s]", fields());
    cr_assert(has_violation("amount_paid.currency"), "[%s]", fields());
    cr_assert(has_violation("requested_amount.currency"), "[%s]", fields());
}

Test(open_case, lower_case_currency)
{
    o.paid.currency = "eur";
    check_open();
    expect_only("amount_paid.currency");
}

Test(open_case, missing_currency)
{
    o.requested.currency = "";
    check_open();
    expect_only("requested_amount.currency");
}

Test(open_case, malformed_email)
{
    static const char *const bad[] = {"ana", "ana@example", "ana@@example.com", "ana@exa mple.com"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        valid_open();
        o.customer.email = (char *)bad[i];
        check_open();
        expect_only("customer.email");
    }
}

Test(open_case, missing_email)
{
    o.customer.email = "";
    check_open();
    expect_only("customer.email");
}

Test(open_case, malformed_phone)
{
    o.customer.phone = "call me maybe";
    check_open();
    expect_only("customer.phone");
}

Test(open_case, malformed_preferred_language)
{
    o.customer.preferred_language = "spanish";
    check_open();
    expect_only("customer.preferred_language");
}

Test(open_case, upper_case_provider)
{
    o.payment.provider = "Stripe";
    check_open();
    expect_only("payment.provider");
}

Test(open_case, a_customer_id_is_optional_and_short)
{
    o.customer.id = "CRM-1234";
    check_open();
    expect_none();
    o.customer.id = repeat(0, "x", 65);
    check_open();
    expect_only("customer.id");
}

Test(open_case, malformed_assignee)
{
    o.req.assignee = "agent bob";
    check_open();
    expect_only("assignee");
}

Test(open_case, purchase_time_beyond_the_clock_skew_is_in_the_future)
{
    o.purchase_time.seconds = (NOW_US + RF_CLOCK_SKEW_US) / RF_USEC_PER_SEC + 1;
    check_open();
    expect_only("purchase_time");
    valid_open();
    o.purchase_time.seconds = NOW_US / RF_USEC_PER_SEC + 86400;
    check_open();
    expect_only("purchase_time");
}

Test(open_case, purchase_time_within_the_clock_skew_is_accepted)
{
    o.purchase_time.seconds = NOW_US / RF_USEC_PER_SEC + 4 * 60;
    check_open();
    expect_none();
    o.purchase_time.seconds = (NOW_US + RF_CLOCK_SKEW_US) / RF_USEC_PER_SEC;
    check_open();
    expect_none();
}

Test(open_case, purchase_time_messages_name_the_rule_broken)
{
    o.purchase_time.seconds = -86400;
    check_open();
    expect_only("purchase_time");
    cr_assert_str_eq(err.violations[0].description, "must not be before 1970-01-01");
    valid_open();
    o.purchase_time.nanos = 1000000000;
    check_open();
    expect_only("purchase_time.nanos");
    cr_assert_str_eq(err.violations[0].description, "must be from 0 to 999999999");
    valid_open();
    o.purchase_time.nanos = -1;
    check_open();
    expect_only("purchase_time.nanos");
    valid_open();
    /* 10000-01-01T00:00:00Z is past the Timestamp range (years 1 to 9999). */
    o.purchase_time.seconds = 253402300800LL;
    check_open();
    expect_only("purchase_time.seconds");
    cr_assert_str_eq(err.violations[0].description,
                     "must be a time from 0001-01-01 to 9999-12-31 (UTC)");
    valid_open();
    o.purchase_time.seconds = NOW_US / RF_USEC_PER_SEC + 86400;
    check_open();
    expect_only("purchase_time");
    cr_assert(strstr(err.violations[0].description, "must not be in the future") != NULL);
}

Test(open_case, text_fields_refuse_bidirectional_controls)
{
    /* "Ana" + RIGHT-TO-LEFT OVERRIDE + "gpj.exe" shows as "Anaexe.jpg". */
    o.customer.name = "Ana\xe2\x80\xaegpj.exe";
    check_open();
    expect_only("customer.name");
    cr_assert(strstr(err.violations[0].description, "bidirectional") != NULL);
    valid_open();
    o.product.sku = "SKU\xe2\x81\xa6"
                    "1";
    check_open();
    expect_only("product.sku");
    valid_open();
    o.product.order_id = "\xe2\x80\xabORD";
    check_open();
    expect_only("product.order_id");
    valid_open();
    o.product.name = "Kettle\xe2\x81\xa9";
    check_open();
    expect_only("product.name");
    valid_open();
    o.req.reason_text = "free text too\xe2\x80\xad";
    check_open();
    expect_only("reason_text");
}

Test(open_case, name_limits_count_characters_not_bytes)
{
    /* 200 two-byte characters are 400 bytes and still allowed. */
    o.customer.name = repeat(0, "\xc3\xa9", RF_MAX_NAME_CHARS);
    check_open();
    expect_none();
    o.customer.name = repeat(0, "\xc3\xa9", RF_MAX_NAME_CHARS + 1);
    check_open();
    expect_only("customer.name");
    valid_open();
    o.product.name = repeat(0, "\xe2\x82\xac", RF_MAX_NAME_CHARS);
    check_open();
    expect_none();
    o.product.name = repeat(0, "\xe2\x82\xac", RF_MAX_NAME_CHARS + 1);
    check_open();
    expect_only("product.name");
}

Test(open_case, over_long_texts)
{
    o.product.order_id = repeat(0, "a", RF_MAX_ID_CHARS);
    o.product.sku = repeat(1, "s", RF_MAX_ID_CHARS);
    o.product.category = repeat(2, "c", RF_MAX_CATEGORY_CHARS);
    o.req.reason_text = repeat(3, "\xc3\xa9", RF_MAX_LONG_TEXT_CHARS);
    check_open();
    expect_none();

    o.product.order_id = repeat(0, "a", RF_MAX_ID_CHARS + 1);
    check_open();
    expect_only("product.order_id");
    valid_open();
    o.product.sku = repeat(1, "s", RF_MAX_ID_CHARS + 1);
    check_open();
    expect_only("product.sku");
    valid_open();
    o.product.category = repeat(2, "c", RF_MAX_CATEGORY_CHARS + 1);
    check_open();
    expect_only("product.category");
    valid_open();
    o.req.reason_text = repeat(3, "\xc3\xa9", RF_MAX_LONG_TEXT_CHARS + 1);
    check_open();
    expect_only("reason_text");
    valid_open();
    o.req.contact_summary = repeat(3, "x", RF_MAX_LONG_TEXT_CHARS + 1);
    check_open();
    expect_only("contact_summary");
    valid_open();
    o.payment.provider_payment_id = repeat(0, "p", RF_MAX_PROVIDER_ID_CHARS + 1);
    check_open();
    expect_only("payment.provider_payment_id");
}

Test(open_case, invalid_utf8)
{
    o.product.name = "Kettle \xc3\x28";
    check_open();
    expect_only("product.name");
    cr_assert(strstr(err.violations[0].description, "UTF-8") != NULL, "%s",
              err.violations[0].description);
    cr_assert_null(strchr(err.violations[0].description, '\xc3'), "the bad input was echoed");
    valid_open();
    o.customer.name = "\xed\xa0\x80";
    check_open();
    expect_only("customer.name");
    valid_open();
    o.req.reason_text = "\xc0\xaf";
    check_open();
    expect_only("reason_text");
}

Test(open_case, control_characters)
{
    o.customer.name = "Ana\x1b[2J";
    check_open();
    expect_only("customer.name");
    valid_open();
    o.product.name = "Kettle\nDeluxe";
    check_open();
    expect_only("product.name");
    valid_open();
    o.req.reason_text = "bell\x07";
    check_open();
    expect_only("reason_text");
}

Test(open_case, line_breaks_are_allowed_in_long_texts)
{
    o.req.reason_text = "line one\r\nline two\n\tindented";
    o.req.contact_summary = "call 1\ncall 2";
    check_open();
    expect_none();
}

Test(open_case, reason_text_is_required_for_reason_code_other)
{
    o.req.reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_OTHER;
    o.req.reason_text = "";
    check_open();
    expect_only("reason_text");
    o.req.reason_text = " \n\t ";
    check_open();
    expect_only("reason_text");
    o.req.reason_text = "The colour is not the one pictured.";
    check_open();
    expect_none();
}

Test(open_case, reason_text_is_optional_for_other_codes)
{
    o.req.reason_text = "";
    check_open();
    expect_none();
}

Test(open_case, unknown_enum_values)
{
    o.req.channel = 99;
    check_open();
    expect_only("channel");
    valid_open();
    o.req.reason_code = 99;
    check_open();
    expect_only("reason_code");
    valid_open();
    o.payment.method = 99;
    check_open();
    expect_only("payment.method");
    valid_open();
    o.req.channel = -1;
    check_open();
    expect_only("channel");
}

Test(open_case, every_violation_is_reported_at_once)
{
    o.customer.email = "nope";
    o.requested.amount_minor = 0;
    o.req.channel = 0;
    o.req.product = NULL;
    check_open();
    cr_assert_eq(err.n_violations, 4, "[%s]", fields());
    cr_assert(has_violation("customer.email"));
    cr_assert(has_violation("requested_amount.amount_minor"));
    cr_assert(has_violation("channel"));
    cr_assert(has_violation("product"));
    cr_assert_eq(rf_error_from_violations(&err), RF_INVALID_ARGUMENT);
}

/* DecideCase. */

static Refunds__V1__DecideCaseRequest d;
static Refunds__V1__Money approved;
static Refunds__V1__Alternative alts[4];

#define CASE_NAME "cases/0190f5c2-3a4b-7c8d-9e0f-123456789abc"

static void valid_deny(void)
{
    d = (Refunds__V1__DecideCaseRequest)REFUNDS__V1__DECIDE_CASE_REQUEST__INIT;
    approved = (Refunds__V1__Money)REFUNDS__V1__MONEY__INIT;
    d.request_id = "req-9";
    d.name = CASE_NAME;
    d.etag = "3";
    d.decision = REFUNDS__V1__DECISION__DECISION_DENY;
    d.reason = "Used beyond the return window.";
    alts[0] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT;
    alts[1] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_REPAIR;
    d.alternatives = alts;
    d.n_alternatives = 2;
}

static void valid_approve(void)
{
    valid_deny();
    d.decision = REFUNDS__V1__DECISION__DECISION_APPROVE;
    d.reason = "";
    d.alternatives = NULL;
    d.n_alternatives = 0;
    approved.amount_minor = 2500;
    approved.currency = "EUR";
    d.approved_amount = &approved;
}

static void clear_err(void)
{
    rf_error_clear(&err);
}

TestSuite(decide_case, .init = clear_err);
TestSuite(other_requests, .init = clear_err);

static void check_decide(void)
{
    rf_error_clear(&err);
    rf_validate_decide_case(&d, NOW_US, &err);
}

Test(decide_case, a_complete_denial_has_no_violations)
{
    valid_deny();
    check_decide();
    expect_none();
}

Test(decide_case, a_complete_approval_has_no_violations)
{
    valid_approve();
    check_decide();
    expect_none();
    d.approved_amount = NULL;
    check_decide();
    expect_none();
}

Test(decide_case, deny_needs_a_reason)
{
    valid_deny();
    d.reason = "";
    check_decide();
    expect_only("reason");
    d.reason = "  ";
    check_decide();
    expect_only("reason");
}

Test(decide_case, deny_needs_an_alternative)
{
    valid_deny();
    d.n_alternatives = 0;
    d.alternatives = NULL;
    check_decide();
    expect_only("alternatives");
}

Test(decide_case, deny_takes_no_approved_amount)
{
    valid_deny();
    approved.amount_minor = 100;
    approved.currency = "EUR";
    d.approved_amount = &approved;
    check_decide();
    expect_only("approved_amount");
}

Test(decide_case, approve_rejects_alternatives)
{
    valid_approve();
    alts[0] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE;
    d.alternatives = alts;
    d.n_alternatives = 1;
    check_decide();
    expect_only("alternatives");
}

Test(decide_case, approve_checks_the_approved_amount)
{
    valid_approve();
    approved.currency = "eur";
    check_decide();
    expect_only("approved_amount.currency");
    valid_approve();
    approved.amount_minor = 0;
    check_decide();
    expect_only("approved_amount.amount_minor");
}

Test(decide_case, duplicate_alternatives)
{
    valid_deny();
    alts[0] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT;
    alts[1] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE;
    alts[2] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT;
    d.n_alternatives = 3;
    check_decide();
    expect_only("alternatives[2]");
}

Test(decide_case, unspecified_or_unknown_alternative)
{
    valid_deny();
    alts[0] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_UNSPECIFIED;
    d.n_alternatives = 1;
    check_decide();
    expect_only("alternatives[0]");
    alts[0] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT;
    alts[1] = 99;
    d.n_alternatives = 2;
    check_decide();
    expect_only("alternatives[1]");
}

Test(decide_case, missing_or_unknown_decision)
{
    valid_approve();
    d.decision = REFUNDS__V1__DECISION__DECISION_UNSPECIFIED;
    check_decide();
    expect_only("decision");
    d.decision = 99;
    check_decide();
    expect_only("decision");
}

Test(decide_case, bad_name_and_etag)
{
    valid_deny();
    d.name = "";
    check_decide();
    expect_only("name");
    d.name = "cases/42";
    check_decide();
    expect_only("name");
    valid_deny();
    d.etag = "";
    check_decide();
    expect_only("etag");
    d.etag = "W/\"3\"";
    check_decide();
    expect_only("etag");
}

/* An offer of store credit (or, with a product, an exchange) instead of a refund. */
static Refunds__V1__AlternativeOffer offer;
static Refunds__V1__Money credit;

static void valid_offer(void)
{
    valid_deny();
    d.decision = REFUNDS__V1__DECISION__DECISION_OFFER_ALTERNATIVE;
    d.alternatives = NULL;
    d.n_alternatives = 0;
    offer = (Refunds__V1__AlternativeOffer)REFUNDS__V1__ALTERNATIVE_OFFER__INIT;
    credit = (Refunds__V1__Money)REFUNDS__V1__MONEY__INIT;
    credit.amount_minor = 2500;
    credit.currency = "EUR";
    offer.alternative = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT;
    offer.amount = &credit;
    d.offer = &offer;
}

Test(decide_case, a_complete_offer_of_store_credit_or_an_exchange_has_no_violations)
{
    valid_offer();
    check_decide();
    expect_none();
    offer.alternative = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE;
    offer.amount = NULL;
    offer.product = "KET-43";
    check_decide();
    expect_none();
}

Test(decide_case, an_offer_needs_a_reason_and_the_offer)
{
    valid_offer();
    d.reason = "";
    check_decide();
    expect_only("reason");
    valid_offer();
    d.offer = NULL;
    check_decide();
    expect_only("offer");
}

Test(decide_case, store_credit_needs_its_amount_and_an_exchange_its_product)
{
    valid_offer();
    offer.amount = NULL;
    check_decide();
    expect_only("offer.amount");
    valid_offer();
    offer.product = "KET-43";
    check_decide();
    expect_only("offer.product");
    valid_offer();
    offer.alternative = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE;
    check_decide();
    cr_assert(has_violation("offer.product"), "%s", fields());
    cr_assert(has_violation("offer.amount"), "%s", fields());
    valid_offer();
    offer.alternative = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_REPAIR;
    check_decide();
    expect_only("offer.alternative");
}

Test(decide_case, how_long_store_credit_lasts_is_the_decision_message_s_to_say)
{
    Google__Protobuf__Timestamp until = GOOGLE__PROTOBUF__TIMESTAMP__INIT;

    valid_offer();
    until.seconds = 1900000000;
    offer.spend_until = &until;
    check_decide();
    expect_only("offer.spend_until");
}

Test(decide_case, an_offer_goes_with_offer_alternative_only)
{
    valid_offer();
    alts[0] = REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE;
    d.alternatives = alts;
    d.n_alternatives = 1;
    check_decide();
    expect_only("alternatives");
    valid_offer();
    d.approved_amount = &credit;
    check_decide();
    expect_only("approved_amount");
    valid_deny();
    d.offer = &offer;
    check_decide();
    expect_only("offer");
    valid_approve();
    d.offer = &offer;
    check_decide();
    expect_only("offer");
}

/* The other requests, one rule each. */

Test(other_requests, get_case_needs_a_case_name)
{
    Refunds__V1__GetCaseRequest g = REFUNDS__V1__GET_CASE_REQUEST__INIT;

    g.name = CASE_NAME;
    rf_validate_get_case(&g, NOW_US, &err);
    expect_none();
    g.name = "cases/0190f5c2";
    rf_validate_get_case(&g, NOW_US, &err);
    expect_only("name");
}

Test(other_requests, list_cases_checks_page_and_filters)
{
    Refunds__V1__ListCasesRequest l = REFUNDS__V1__LIST_CASES_REQUEST__INIT;

    rf_validate_list_cases(&l, NOW_US, &err);
    expect_none();
    l.page_size = -1;
    rf_validate_list_cases(&l, NOW_US, &err);
    expect_only("page_size");
    rf_error_clear(&err);
    l.page_size = 10;
    l.state = 99;
    rf_validate_list_cases(&l, NOW_US, &err);
    expect_only("state");
    rf_error_clear(&err);
    l.state = REFUNDS__V1__CASE_STATE__CASE_STATE_OPEN;
    l.page_token = repeat(0, "A", 257);
    rf_validate_list_cases(&l, NOW_US, &err);
    expect_only("page_token");
}

Test(other_requests, add_interaction_refuses_acknowledgements_and_needs_a_channel_for_messages)
{
    Refunds__V1__AddInteractionRequest a = REFUNDS__V1__ADD_INTERACTION_REQUEST__INIT;

    a.name = CASE_NAME;
    a.etag = "7";
    a.kind = REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_NOTE;
    a.summary = "Called the courier.";
    rf_validate_add_interaction(&a, NOW_US, &err);
    expect_none();
    a.kind = REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_ACKNOWLEDGEMENT;
    rf_validate_add_interaction(&a, NOW_US, &err);
    expect_only("kind");
    rf_error_clear(&err);
    a.kind = REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_INBOUND;
    rf_validate_add_interaction(&a, NOW_US, &err);
    expect_only("channel");
    rf_error_clear(&err);
    a.channel = REFUNDS__V1__CHANNEL__CHANNEL_PHONE;
    a.summary = "";
    rf_validate_add_interaction(&a, NOW_US, &err);
    expect_only("summary");
}

Test(other_requests, withdraw_case_needs_a_reason)
{
    Refunds__V1__WithdrawCaseRequest w = REFUNDS__V1__WITHDRAW_CASE_REQUEST__INIT;

    w.name = CASE_NAME;
    w.etag = "2";
    w.reason = "Customer found the receipt.";
    rf_validate_withdraw_case(&w, NOW_US, &err);
    expect_none();
    w.reason = "";
    rf_validate_withdraw_case(&w, NOW_US, &err);
    expect_only("reason");
}

Test(other_requests, escalate_case_note_is_optional_but_bounded)
{
    Refunds__V1__EscalateCaseRequest e = REFUNDS__V1__ESCALATE_CASE_REQUEST__INIT;

    e.name = CASE_NAME;
    e.etag = "2";
    rf_validate_escalate_case(&e, NOW_US, &err);
    expect_none();
    e.note = repeat(0, "n", RF_MAX_SHORT_TEXT_CHARS + 1);
    rf_validate_escalate_case(&e, NOW_US, &err);
    expect_only("note");
}

/* Case names and etags. */

Test(case_name, parses_the_id_in_lower_case)
{
    char id[RF_UUID_TEXT_LEN + 1];

    cr_assert(rf_case_name_parse(CASE_NAME, id));
    cr_assert_str_eq(id, "0190f5c2-3a4b-7c8d-9e0f-123456789abc");
    cr_assert(rf_case_name_parse("cases/0190F5C2-3A4B-7C8D-9E0F-123456789ABC", id));
    cr_assert_str_eq(id, "0190f5c2-3a4b-7c8d-9e0f-123456789abc");
}

Test(case_name, rejects_other_names)
{
    static const char *const bad[] = {
        "",
        "cases/",
        "0190f5c2-3a4b-7c8d-9e0f-123456789abc",
        "case/0190f5c2-3a4b-7c8d-9e0f-123456789abc",
        "CASES/0190f5c2-3a4b-7c8d-9e0f-123456789abc",
        "cases/0190f5c2-3a4b-7c8d-9e0f-123456789abc/interactions",
        "cases/0190f5c2-3a4b-7c8d-9e0f-123456789ab",
        "cases/not-a-uuid",
        "/cases/0190f5c2-3a4b-7c8d-9e0f-123456789abc",
        "cases//0190f5c2-3a4b-7c8d-9e0f-123456789abc",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char id[RF_UUID_TEXT_LEN + 1];

        cr_assert_not(rf_case_name_parse(bad[i], id), "\"%s\" accepted", bad[i]);
    }
}

Test(etag, parses_positive_versions)
{
    long long v = 0;

    cr_assert(rf_etag_parse("1", &v));
    cr_assert_eq(v, 1);
    cr_assert(rf_etag_parse("42", &v));
    cr_assert_eq(v, 42);
    cr_assert(rf_etag_parse("123456789012345678", &v));
    cr_assert_eq(v, 123456789012345678LL);
}

Test(etag, rejects_what_the_service_never_issues)
{
    static const char *const bad[] = {
        "",
        "0",
        "01",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1a",
        "abc",
        "\"1\"",
        "W/\"1\"",
        "1.0",
        "0x10",
        "99999999999999999999",
        "9223372036854775808",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long v = -5;

        cr_assert_not(rf_etag_parse(bad[i], &v), "\"%s\" accepted", bad[i]);
        cr_assert_eq(v, -5, "\"%s\" wrote the version", bad[i]);
    }
}

Test(other_requests, evaluate_case_needs_name_and_etag_and_a_short_customer_id)
{
    Refunds__V1__EvaluateCaseRequest e = REFUNDS__V1__EVALUATE_CASE_REQUEST__INIT;

    e.request_id = "req-1";
    e.name = CASE_NAME;
    e.etag = "2";
    rf_validate_evaluate_case(&e, NOW_US, &err);
    expect_none();
    e.customer_id = repeat(0, "x", 65);
    rf_validate_evaluate_case(&e, NOW_US, &err);
    expect_only("customer_id");
    clear_err();
    e.customer_id = "";
    e.etag = "";
    rf_validate_evaluate_case(&e, NOW_US, &err);
    expect_only("etag");
}

Test(other_requests, the_queue_filters_by_an_approver_tier_only)
{
    Refunds__V1__ListApprovalQueueRequest q = REFUNDS__V1__LIST_APPROVAL_QUEUE_REQUEST__INIT;

    q.tier = REFUNDS__V1__TIER__TIER_SENIOR_APPROVER;
    q.overdue_only = 1;
    rf_validate_list_approval_queue(&q, NOW_US, &err);
    expect_none();
    q.tier = REFUNDS__V1__TIER__TIER_AGENT;
    rf_validate_list_approval_queue(&q, NOW_US, &err);
    expect_only("tier");
    clear_err();
    q.tier = 9;
    rf_validate_list_approval_queue(&q, NOW_US, &err);
    expect_only("tier");
}

Test(other_requests, list_evaluations_needs_a_case_name)
{
    Refunds__V1__ListEvaluationsRequest l = REFUNDS__V1__LIST_EVALUATIONS_REQUEST__INIT;

    l.name = "evaluations/1";
    rf_validate_list_evaluations(&l, NOW_US, &err);
    expect_only("name");
}
