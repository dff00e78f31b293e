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
#include "field_check.h"
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

static bool is_subject(const char *s)
{
    return rf_subject_valid(s);
}

static bool is_provider(const char *s)
{
    return rf_slug_valid(s, RF_MAX_ID_CHARS);
}

void rf_check_case_name(struct rf_error *err, const char *name)
{
    char id[RF_UUID_TEXT_LEN + 1];

    if (name[0] == '\0')
        rf_violation_add(err, "name", "is required");
    else if (!rf_case_name_parse(name, id))
        rf_violation_add(err, "name", "must be cases/{id} with the id OpenCase returned");
}

void rf_check_etag(struct rf_error *err, const char *etag)
{
    long long v;

    if (etag[0] == '\0')
        rf_violation_add(err, "etag", "is required: send the etag of the case as last read");
    else if (!rf_etag_parse(etag, &v))
        rf_violation_add(err, "etag", "is not an etag this service issued");
}

void rf_validate_open_case(const Refunds__V1__OpenCaseRequest *in, int64_t now_us,
                           struct rf_error *err)
{
    int64_t purchased;
    bool paid_ok, requested_ok;

    rf_check_enum(err, "channel", &refunds__v1__channel__descriptor, in->channel, true);
    if (in->customer == NULL) {
        rf_violation_add(err, "customer", "is required");
    } else {
        const Refunds__V1__Customer *c = in->customer;

        rf_check_text(err, "customer.name", c->name, RF_MAX_NAME_CHARS, true, 0);
        rf_check_format(err, "customer.email", c->email, 254, true, rf_email_valid,
                        "an e-mail address such as name@example.com");
        rf_check_format(err, "customer.phone", c->phone, 32, false, rf_phone_valid,
                        "a phone number of 7 to 15 digits, such as +34 600 123 456");
        rf_check_format(err, "customer.preferred_language", c->preferred_language, 35, false,
                        rf_language_tag_valid, "a BCP 47 language tag such as en, es or de-AT");
        rf_check_text(err, "customer.id", c->id, RF_MAX_ID_CHARS, false, 0);
    }
    if (in->product == NULL) {
        rf_violation_add(err, "product", "is required");
    } else {
        const Refunds__V1__Product *p = in->product;

        rf_check_text(err, "product.order_id", p->order_id, RF_MAX_ID_CHARS, true, 0);
        rf_check_text(err, "product.sku", p->sku, RF_MAX_ID_CHARS, true, 0);
        rf_check_text(err, "product.name", p->name, RF_MAX_NAME_CHARS, true, 0);
        rf_check_text(err, "product.category", p->category, RF_MAX_CATEGORY_CHARS, true, 0);
    }
    if (rf_check_past_time(err, "purchase_time", in->purchase_time, now_us, &purchased) &&
        purchased < 0)
        rf_violation_add(err, "purchase_time", "must not be before 1970-01-01");
    paid_ok = rf_check_money(err, "amount_paid", in->amount_paid);
    requested_ok = rf_check_money(err, "requested_amount", in->requested_amount);
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
        rf_check_enum(err, "payment.method", &refunds__v1__payment_method__descriptor,
                      in->payment->method, true);
        rf_check_format(err, "payment.provider", in->payment->provider, RF_MAX_ID_CHARS, false,
                        is_provider, "a lower-case provider name such as stripe or adyen");
        rf_check_text(err, "payment.provider_payment_id", in->payment->provider_payment_id,
                      RF_MAX_PROVIDER_ID_CHARS, false, 0);
        rf_check_text(err, "payment.label", in->payment->label, RF_MAX_PAYMENT_LABEL_CHARS, false,
                      0);
    }
    rf_check_enum(err, "reason_code", &refunds__v1__reason_code__descriptor, in->reason_code, true);
    rf_check_text(err, "reason_text", in->reason_text, RF_MAX_LONG_TEXT_CHARS,
                  in->reason_code == REFUNDS__V1__REASON_CODE__REASON_CODE_OTHER,
                  RF_TEXT_MULTILINE);
    rf_check_text(err, "contact_summary", in->contact_summary, RF_MAX_LONG_TEXT_CHARS, false,
                  RF_TEXT_MULTILINE);
    rf_check_format(err, "assignee", in->assignee, 128, false, is_subject,
                    "a caller subject of letters, digits and ._@:+-");
}

void rf_validate_get_case(const Refunds__V1__GetCaseRequest *in, int64_t now_us,
                          struct rf_error *err)
{
    (void)now_us;
    rf_check_case_name(err, in->name);
}

void rf_validate_list_cases(const Refunds__V1__ListCasesRequest *in, int64_t now_us,
                            struct rf_error *err)
{
    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
    rf_check_enum(err, "state", &refunds__v1__case_state__descriptor, in->state, false);
    rf_check_text(err, "customer_email", in->customer_email, 254, false, 0);
    rf_check_format(err, "assignee", in->assignee, 128, false, is_subject,
                    "a caller subject of letters, digits and ._@:+-");
}

void rf_validate_add_interaction(const Refunds__V1__AddInteractionRequest *in, int64_t now_us,
                                 struct rf_error *err)
{
    (void)now_us;
    rf_check_case_name(err, in->name);
    rf_check_etag(err, in->etag);
    if (in->kind == REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_ACKNOWLEDGEMENT)
        rf_violation_add(err, "kind",
                         "must be INBOUND, OUTBOUND or NOTE: OpenCase records the acknowledgement");
    else
        rf_check_enum(err, "kind", &refunds__v1__interaction_kind__descriptor, in->kind, true);
    rf_check_enum(err, "channel", &refunds__v1__channel__descriptor, in->channel,
                  in->kind == REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_INBOUND ||
                      in->kind == REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_OUTBOUND);
    rf_check_text(err, "summary", in->summary, RF_MAX_LONG_TEXT_CHARS, true, RF_TEXT_MULTILINE);
}

void rf_validate_escalate_case(const Refunds__V1__EscalateCaseRequest *in, int64_t now_us,
                               struct rf_error *err)
{
    (void)now_us;
    rf_check_case_name(err, in->name);
    rf_check_etag(err, in->etag);
    rf_check_text(err, "note", in->note, RF_MAX_SHORT_TEXT_CHARS, false, RF_TEXT_MULTILINE);
}

void rf_validate_list_approval_queue(const Refunds__V1__ListApprovalQueueRequest *in,
                                     int64_t now_us, struct rf_error *err)
{
    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
    if (in->tier == REFUNDS__V1__TIER__TIER_AGENT)
        rf_violation_add(err, "tier",
                         "must be APPROVER or SENIOR_APPROVER: an agent's cases never wait in the "
                         "queue");
    else
        rf_check_enum(err, "tier", &refunds__v1__tier__descriptor, in->tier, false);
}

/*
 * DecideCaseRequest.offer: with OFFER_ALTERNATIVE only, store credit with an
 * amount or an exchange with a product (its SKU).
 */
static void check_offer(const Refunds__V1__DecideCaseRequest *in, struct rf_error *err)
{
    const Refunds__V1__AlternativeOffer *o = in->offer;
    bool offering = in->decision == REFUNDS__V1__DECISION__DECISION_OFFER_ALTERNATIVE;

    if (!offering) {
        if (o != NULL)
            rf_violation_add(err, "offer", "is only given when the decision is OFFER_ALTERNATIVE");
        return;
    }
    if (in->approved_amount != NULL)
        rf_violation_add(err, "approved_amount",
                         "must not be set when the decision is OFFER_ALTERNATIVE");
    if (in->n_alternatives != 0)
        rf_violation_add(err, "alternatives",
                         "must be empty when the decision is OFFER_ALTERNATIVE: offer says what");
    if (o == NULL) {
        rf_violation_add(err, "offer",
                         "is required with OFFER_ALTERNATIVE: store credit with an amount, or an "
                         "exchange with a product");
        return;
    }
    if (o->alternative == REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT) {
        rf_check_money(err, "offer.amount", o->amount);
        if (o->product[0] != '\0')
            rf_violation_add(err, "offer.product", "is only given with an EXCHANGE");
    } else if (o->alternative == REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE) {
        rf_check_text(err, "offer.product", o->product, RF_MAX_ID_CHARS, true, 0);
        if (o->amount != NULL)
            rf_violation_add(err, "offer.amount", "is only given with STORE_CREDIT");
    } else {
        rf_violation_add(err, "offer.alternative", "must be STORE_CREDIT or EXCHANGE");
    }
    if (o->spend_until != NULL)
        rf_violation_add(err, "offer.spend_until",
                         "is set by the decision message (REFUNDS_STORE_CREDIT_VALID_DAYS): leave "
                         "it unset");
}

void rf_validate_decide_case(const Refunds__V1__DecideCaseRequest *in, int64_t now_us,
                             struct rf_error *err)
{
    bool deny = in->decision == REFUNDS__V1__DECISION__DECISION_DENY;
    bool offer = in->decision == REFUNDS__V1__DECISION__DECISION_OFFER_ALTERNATIVE;

    (void)now_us;
    rf_check_case_name(err, in->name);
    rf_check_etag(err, in->etag);
    rf_check_enum(err, "decision", &refunds__v1__decision__descriptor, in->decision, true);
    /* Whoever gets no refund reads why. */
    rf_check_text(err, "reason", in->reason, RF_MAX_SHORT_TEXT_CHARS, deny || offer,
                  RF_TEXT_MULTILINE);
    if (deny) {
        if (in->approved_amount != NULL)
            rf_violation_add(err, "approved_amount", "must not be set when the decision is DENY");
        if (in->n_alternatives == 0)
            rf_violation_add(
                err, "alternatives",
                "must offer at least one alternative (store credit, exchange, ...) when denying");
    } else if (in->decision == REFUNDS__V1__DECISION__DECISION_APPROVE) {
        if (in->approved_amount != NULL)
            rf_check_money(err, "approved_amount", in->approved_amount);
        if (in->n_alternatives != 0)
            rf_violation_add(err, "alternatives", "are only offered when the decision is DENY");
    }
    check_offer(in, err);
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
        rf_check_enum(err, path, &refunds__v1__alternative__descriptor, v, true);
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
    rf_check_case_name(err, in->name);
    rf_check_etag(err, in->etag);
    rf_check_text(err, "reason", in->reason, RF_MAX_SHORT_TEXT_CHARS, true, RF_TEXT_MULTILINE);
}

void rf_validate_evaluate_case(const Refunds__V1__EvaluateCaseRequest *in, int64_t now_us,
                               struct rf_error *err)
{
    (void)now_us;
    rf_check_case_name(err, in->name);
    rf_check_etag(err, in->etag);
    rf_check_text(err, "customer_id", in->customer_id, RF_MAX_ID_CHARS, false, 0);
}

void rf_validate_list_evaluations(const Refunds__V1__ListEvaluationsRequest *in, int64_t now_us,
                                  struct rf_error *err)
{
    (void)now_us;
    rf_check_case_name(err, in->name);
}

/* The payment providers RecordRefundIssued knows: the provider cache's key names. */
static const char *const providers[] = {"stripe", "adyen", "paypal", "checkout", "other"};

bool rf_refund_provider_known(const char *s)
{
    for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++) {
        if (strcmp(s, providers[i]) == 0)
            return true;
    }
    return false;
}

void rf_check_optional_etag(struct rf_error *err, const char *etag)
{
    long long v;

    if (etag[0] != '\0' && !rf_etag_parse(etag, &v))
        rf_violation_add(err, "etag", "is not an etag this service issued");
}

void rf_validate_record_refund_issued(const Refunds__V1__RecordRefundIssuedRequest *in,
                                      int64_t now_us, struct rf_error *err)
{
    int64_t issued;

    rf_check_case_name(err, in->name);
    rf_check_optional_etag(err, in->etag);
    rf_check_format(err, "provider", in->provider, RF_MAX_ID_CHARS, true, rf_refund_provider_known,
                    "one of stripe, adyen, paypal, checkout or other");
    rf_check_text(err, "provider_refund_id", in->provider_refund_id, RF_MAX_PROVIDER_ID_CHARS, true,
                  0);
    rf_check_text(err, "provider_payment_id", in->provider_payment_id, RF_MAX_PROVIDER_ID_CHARS,
                  false, 0);
    rf_check_money(err, "amount", in->amount);
    if (rf_check_past_time(err, "issue_time", in->issue_time, now_us, &issued) && issued < 0)
        rf_violation_add(err, "issue_time", "must not be before 1970-01-01");
}

void rf_validate_confirm_refund_received(const Refunds__V1__ConfirmRefundReceivedRequest *in,
                                         int64_t now_us, struct rf_error *err)
{
    char case_id[RF_UUID_TEXT_LEN + 1], of_refund[RF_UUID_TEXT_LEN + 1];
    char refund_id[RF_UUID_TEXT_LEN + 1];

    (void)now_us;
    rf_check_case_name(err, in->name);
    rf_check_optional_etag(err, in->etag);
    if (in->refund[0] != '\0' &&
        (!rf_refund_name_parse(in->refund, of_refund, refund_id) ||
         (rf_case_name_parse(in->name, case_id) && strcmp(case_id, of_refund) != 0)))
        rf_violation_add(err, "refund",
                         "must name a refund of the case in name: cases/{id}/refunds/{id}");
    rf_check_text(err, "note", in->note, RF_MAX_SHORT_TEXT_CHARS, false, RF_TEXT_MULTILINE);
}

bool rf_refund_name_parse(const char *name, char case_id[RF_UUID_TEXT_LEN + 1],
                          char refund_id[RF_UUID_TEXT_LEN + 1])
{
    const char *sub = strstr(name, "/refunds/");
    char head[64];

    if (sub == NULL || (size_t)(sub - name) >= sizeof head)
        return false;
    memcpy(head, name, (size_t)(sub - name));
    head[sub - name] = '\0';
    return rf_case_name_parse(head, case_id) && rf_name_parse(sub + 1, "refunds", refund_id);
}
