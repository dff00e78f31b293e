/*
 * Field checks of the RefundCases requests (see case_validate.h). Messages
 * name the field by its proto path and say what is expected; they never echo
 * a long or non-UTF-8 input back.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_validate.h"
#include "refunds/money.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"

bool rf_case_name_parse(const char *name, char id[RF_UUID_TEXT_LEN + 1])
{
    return rf_name_parse(name, "cases", id);
}

bool rf_etag_parse(const char *etag, long long *version)
{
    char *end;
    long long v;

    if (etag[0] < '1' || etag[0] > '9' || strlen(etag) > 18)
        return false;
    v = strtoll(etag, &end, 10);
    if (*end != '\0' || v <= 0)
        return false;
    *version = v;
    return true;
}

/* Checks a text field; required ones must have more than white space. */
static void check_text(struct rf_error *err, const char *field, const char *s, size_t max,
                       bool required, unsigned flags)
{
    if (s[0] == '\0' || (required && !rf_text_has_content(s))) {
        if (required)
            rf_violation_add(err, field, "is required");
        return;
    }
    switch (rf_text_check(s, max, flags)) {
    case RF_TEXT_OK:
        break;
    case RF_TEXT_BAD_UTF8:
        rf_violation_add(err, field, "must be valid UTF-8");
        break;
    case RF_TEXT_TOO_LONG:
        rf_violation_add(err, field, "must be at most %zu characters", max);
        break;
    case RF_TEXT_CONTROL:
        rf_violation_add(err, field, "must not contain control characters");
        break;
    case RF_TEXT_BIDI:
        rf_violation_add(err, field,
                         "must not contain bidirectional control characters (U+202A to U+202E, "
                         "U+2066 to U+2069)");
        break;
    }
}

/* Checks a field whose format has its own test; text faults come first. */
static bool check_format(struct rf_error *err, const char *field, const char *s, size_t max,
                         bool required, bool (*valid)(const char *), const char *expected)
{
    int before = err->n_violations;

    check_text(err, field, s, max, required, 0);
    if (err->n_violations != before || s[0] == '\0')
        return err->n_violations == before;
    if (!valid(s)) {
        rf_violation_add(err, field, "must be %s", expected);
        return false;
    }
    return true;
}

bool rf_validate_past_time(struct rf_error *err, const char *field,
                           const Google__Protobuf__Timestamp *ts, int64_t now_us, int64_t *us)
{
    char path[64];

    if (ts == NULL) {
        rf_violation_add(err, field, "is required");
        return false;
    }
    if (ts->nanos < 0 || ts->nanos > 999999999) {
        snprintf(path, sizeof path, "%s.nanos", field);
        rf_violation_add(err, path, "must be from 0 to 999999999");
        return false;
    }
    if (!rf_pb_timestamp_us(ts, us)) {
        snprintf(path, sizeof path, "%s.seconds", field);
        rf_violation_add(err, path, "must be a time from 0001-01-01 to 9999-12-31 (UTC)");
        return false;
    }
    if (*us > now_us + RF_CLOCK_SKEW_US) {
        rf_violation_add(err, field,
                         "must not be in the future (more than %lld minutes ahead of the server's "
                         "clock)",
                         RF_CLOCK_SKEW_US / 60000000);
        return false;
    }
    return true;
}

static void check_enum(struct rf_error *err, const char *field, const ProtobufCEnumDescriptor *desc,
                       int value, bool required)
{
    if (value == 0) {
        if (required)
            rf_violation_add(err, field, "is required");
        return;
    }
    if (rf_pb_enum_name(desc, value) == NULL)
        rf_violation_add(err, field, "is not a known %s value (%d)", desc->short_name, value);
}

static bool money_ok(struct rf_error *err, const char *field, const Refunds__V1__Money *m)
{
    char path[64];
    int before = err->n_violations;

    if (m == NULL) {
        rf_violation_add(err, field, "is required");
        return false;
    }
    snprintf(path, sizeof path, "%s.amount_minor", field);
    if (m->amount_minor <= 0)
        rf_violation_add(err, path, "must be positive");
    else if (m->amount_minor > RF_MONEY_MAX_MINOR)
        rf_violation_add(err, path, "must be at most %lld", RF_MONEY_MAX_MINOR);
    snprintf(path, sizeof path, "%s.currency", field);
    if (m->currency[0] == '\0')
        rf_violation_add(err, path, "is required");
    else if (!rf_currency_valid(m->currency))
        rf_violation_add(err, path, "must be an ISO 4217 currency code in upper case, such as EUR");
    return err->n_violations == before;
}

static bool is_subject(const char *s)
{
    return rf_subject_valid(s);
}

static bool is_provider(const char *s)
{
    return rf_slug_valid(s, RF_MAX_ID_CHARS);
}

static void check_name(struct rf_error *err, const char *name)
{
    char id[RF_UUID_TEXT_LEN + 1];

    if (name[0] == '\0')
        rf_violation_add(err, "name", "is required");
    else if (!rf_case_name_parse(name, id))
        rf_violation_add(err, "name", "must be cases/{id} with the id OpenCase returned");
}

static void check_etag(struct rf_error *err, const char *etag)
{
    long long v;

    if (etag[0] == '\0')
        rf_violation_add(err, "etag", "is required: send the etag of the case as last read");
    else if (!rf_etag_parse(etag, &v))
        rf_violation_add(err, "etag", "is not an etag this service issued");
}

static void check_page(struct rf_error *err, int32_t page_size, const char *page_token)
{
    if (page_size < 0)
        rf_violation_add(err, "page_size", "must not be negative");
    if (strlen(page_token) > 256)
        rf_violation_add(err, "page_token", "is not a page token of this list");
}

void rf_validate_open_case(const Refunds__V1__OpenCaseRequest *in, int64_t now_us,
                           struct rf_error *err)
{
    int64_t purchased;
    bool paid_ok, requested_ok;

    check_enum(err, "channel", &refunds__v1__channel__descriptor, in->channel, true);
    if (in->customer == NULL) {
        rf_violation_add(err, "customer", "is required");
    } else {
        const Refunds__V1__Customer *c = in->customer;

        check_text(err, "customer.name", c->name, RF_MAX_NAME_CHARS, true, 0);
        check_format(err, "customer.email", c->email, 254, true, rf_email_valid,
                     "an e-mail address such as name@example.com");
        check_format(err, "customer.phone", c->phone, 32, false, rf_phone_valid,
                     "a phone number of 7 to 15 digits, such as +34 600 123 456");
        check_format(err, "customer.preferred_language", c->preferred_language, 35, false,
                     rf_language_tag_valid, "a BCP 47 language tag such as en, es or de-AT");
    }
    if (in->product == NULL) {
        rf_violation_add(err, "product", "is required");
    } else {
        const Refunds__V1__Product *p = in->product;

        check_text(err, "product.order_id", p->order_id, RF_MAX_ID_CHARS, true, 0);
        check_text(err, "product.sku", p->sku, RF_MAX_ID_CHARS, true, 0);
        check_text(err, "product.name", p->name, RF_MAX_NAME_CHARS, true, 0);
        check_text(err, "product.category", p->category, RF_MAX_CATEGORY_CHARS, true, 0);
    }
    if (rf_validate_past_time(err, "purchase_time", in->purchase_time, now_us, &purchased) &&
        purchased < 0)
        rf_violation_add(err, "purchase_time", "must not be before 1970-01-01");
    paid_ok = money_ok(err, "amount_paid", in->amount_paid);
    requested_ok = money_ok(err, "requested_amount", in->requested_amount);
    if (paid_ok && requested_ok) {
        if (strcmp(in->amount_paid->currency, in->requested_amount->currency) != 0)
            rf_violation_add(err, "requested_amount.currency",
                             "must be the currency of amount_paid (%s)", in->amount_paid->currency);
        else if (in->requested_amount->amount_minor > in->amount_paid->amount_minor)
            rf_violation_add(err, "requested_amount.amount_minor",
                             "must not be more than amount_paid.amount_minor (%lld)",
                             (long long)in->amount_paid->amount_minor);
    }
    if (in->payment == NULL) {
        rf_violation_add(err, "payment", "is required");
    } else {
        check_enum(err, "payment.method", &refunds__v1__payment_method__descriptor,
                   in->payment->method, true);
        check_format(err, "payment.provider", in->payment->provider, RF_MAX_ID_CHARS, false,
                     is_provider, "a lower-case provider name such as stripe or adyen");
        check_text(err, "payment.provider_payment_id", in->payment->provider_payment_id,
                   RF_MAX_PROVIDER_ID_CHARS, false, 0);
    }
    check_enum(err, "reason_code", &refunds__v1__reason_code__descriptor, in->reason_code, true);
    check_text(err, "reason_text", in->reason_text, RF_MAX_LONG_TEXT_CHARS,
               in->reason_code == REFUNDS__V1__REASON_CODE__REASON_CODE_OTHER, RF_TEXT_MULTILINE);
    check_text(err, "contact_summary", in->contact_summary, RF_MAX_LONG_TEXT_CHARS, false,
               RF_TEXT_MULTILINE);
    check_format(err, "assignee", in->assignee, 128, false, is_subject,
                 "a caller subject of letters, digits and ._@:+-");
}

void rf_validate_get_case(const Refunds__V1__GetCaseRequest *in, int64_t now_us,
                          struct rf_error *err)
{
    (void)now_us;
    check_name(err, in->name);
}

void rf_validate_list_cases(const Refunds__V1__ListCasesRequest *in, int64_t now_us,
                            struct rf_error *err)
{
    (void)now_us;
    check_page(err, in->page_size, in->page_token);
    check_enum(err, "state", &refunds__v1__case_state__descriptor, in->state, false);
    check_text(err, "customer_email", in->customer_email, 254, false, 0);
    check_format(err, "assignee", in->assignee, 128, false, is_subject,
                 "a caller subject of letters, digits and ._@:+-");
}

void rf_validate_add_interaction(const Refunds__V1__AddInteractionRequest *in, int64_t now_us,
                                 struct rf_error *err)
{
    (void)now_us;
    check_name(err, in->name);
    check_etag(err, in->etag);
    if (in->kind == REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_ACKNOWLEDGEMENT)
        rf_violation_add(err, "kind",
                         "must be INBOUND, OUTBOUND or NOTE: OpenCase records the acknowledgement");
    else
        check_enum(err, "kind", &refunds__v1__interaction_kind__descriptor, in->kind, true);
    check_enum(err, "channel", &refunds__v1__channel__descriptor, in->channel,
               in->kind == REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_INBOUND ||
                   in->kind == REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_OUTBOUND);
    check_text(err, "summary", in->summary, RF_MAX_LONG_TEXT_CHARS, true, RF_TEXT_MULTILINE);
}

void rf_validate_escalate_case(const Refunds__V1__EscalateCaseRequest *in, int64_t now_us,
                               struct rf_error *err)
{
    (void)now_us;
    check_name(err, in->name);
    check_etag(err, in->etag);
    check_text(err, "note", in->note, RF_MAX_SHORT_TEXT_CHARS, false, RF_TEXT_MULTILINE);
}

void rf_validate_list_approval_queue(const Refunds__V1__ListApprovalQueueRequest *in,
                                     int64_t now_us, struct rf_error *err)
{
    (void)now_us;
    check_page(err, in->page_size, in->page_token);
}

void rf_validate_decide_case(const Refunds__V1__DecideCaseRequest *in, int64_t now_us,
                             struct rf_error *err)
{
    bool deny = in->decision == REFUNDS__V1__DECISION__DECISION_DENY;

    (void)now_us;
    check_name(err, in->name);
    check_etag(err, in->etag);
    check_enum(err, "decision", &refunds__v1__decision__descriptor, in->decision, true);
    check_text(err, "reason", in->reason, RF_MAX_SHORT_TEXT_CHARS, deny, RF_TEXT_MULTILINE);
    if (deny) {
        if (in->approved_amount != NULL)
            rf_violation_add(err, "approved_amount", "must not be set when the decision is DENY");
        if (in->n_alternatives == 0)
            rf_violation_add(
                err, "alternatives",
                "must offer at least one alternative (store credit, exchange, ...) when denying");
    } else if (in->decision == REFUNDS__V1__DECISION__DECISION_APPROVE) {
        if (in->approved_amount != NULL)
            money_ok(err, "approved_amount", in->approved_amount);
        if (in->n_alternatives != 0)
            rf_violation_add(err, "alternatives", "are only offered when the decision is DENY");
    }
    if (in->n_alternatives > RF_MAX_ALTERNATIVES) {
        /* Refused before any per-element work: the count bounds everything below. */
        rf_violation_add(err, "alternatives",
                         "must have at most %d entries, one of each kind (got %zu)",
                         RF_MAX_ALTERNATIVES, in->n_alternatives);
        return;
    }
    for (size_t i = 0, seen = 0; i < in->n_alternatives; i++) {
        char path[48];
        int v = in->alternatives[i];

        snprintf(path, sizeof path, "alternatives[%zu]", i);
        check_enum(err, path, &refunds__v1__alternative__descriptor, v, true);
        if (v > 0 && v < 64 && (seen & (size_t)1 << v) != 0)
            rf_violation_add(err, path, "repeats an earlier alternative");
        if (v > 0 && v < 64)
            seen |= (size_t)1 << v;
    }
}

void rf_validate_withdraw_case(const Refunds__V1__WithdrawCaseRequest *in, int64_t now_us,
                               struct rf_error *err)
{
    (void)now_us;
    check_name(err, in->name);
    check_etag(err, in->etag);
    check_text(err, "reason", in->reason, RF_MAX_SHORT_TEXT_CHARS, true, RF_TEXT_MULTILINE);
}
