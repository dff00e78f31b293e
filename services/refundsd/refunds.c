/*
 * The money RPCs of refunds.v1.RefundCases — the payments system records a
 * refund it issued, the customer confirms the money arrived — and their part
 * of the service's method table. What the provider says of each refund is
 * the reconciler's (workers/reconciler); its findings are read through the
 * Reconciliation service (reconciliation.c). Once the money has arrived the
 * case awaits its satisfaction follow-up (satisfaction.c). SQL is in
 * refund_store.c.
 */
#include <stdio.h>
#include <string.h>

#include "case_change.h"
#include "case_validate.h"
#include "refund_store.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "satisfaction.h"
#include "services.h"

/*
 * The same provider refund recorded before: the idempotent case when it is this
 * case's with the same amount (the answer is the case as it is); anything else is
 * refused, naming where it is recorded.
 */
static enum rf_code already_recorded(struct rf_call *call, const struct rf_case_row *row,
                                     const Refunds__V1__RecordRefundIssuedRequest *in,
                                     const struct rf_refund_row *known, Refunds__V1__Case *out)
{
    struct rf_case_row now;
    enum rf_code code;

    if (strcmp(known->case_id, row->id) != 0)
        return rf_fail(&call->ctx.err, RF_ALREADY_EXISTS,
                       "%s refund %s is already recorded for another case", in->provider,
                       in->provider_refund_id);
    if (known->pb->amount->amount_minor != in->amount->amount_minor ||
        strcmp(known->pb->amount->currency, in->amount->currency) != 0)
        return rf_fail(&call->ctx.err, RF_ALREADY_EXISTS,
                       "%s refund %s is already recorded on %s with another amount", in->provider,
                       in->provider_refund_id, row->pb->name);
    code = rf_case_store_get(&call->ctx, row->id, true, &now);
    if (code == RF_OK)
        *out = *now.pb;
    return code;
}

RF_HANDLER(record_refund_issued, Refunds__V1__RecordRefundIssuedRequest, Refunds__V1__Case)
{
    static const enum rf_case_event event = RF_EVENT_ISSUE_REFUND;
    struct rf_case_change ch;
    struct rf_case_row row;
    struct rf_refund_row known;
    struct rf_refund_issue r = {0};
    const Refunds__V1__Approval *ap;
    bool found = false, applied = false;
    char *id = rf_arena_alloc(call->ctx.arena, RF_UUID_TEXT_LEN + 1);
    enum rf_code code = rf_case_load(call, in->name, false, &row);

    if (code == RF_OK)
        code =
            rf_refund_store_find(&call->ctx, in->provider, in->provider_refund_id, &known, &found);
    if (code == RF_OK && found)
        return already_recorded(call, &row, in, &known, out);
    /* The payments system reports a fact: an etag is checked only when it sends one. */
    if (code == RF_OK)
        code =
            rf_case_prepare_change(call, &row, in->etag[0] != '\0' ? in->etag : NULL, &event, &ch);
    if (code != RF_OK)
        return code;
    ap = row.pb->approval;
    rf_uuid_v7(call->ctx.now_us / 1000, id);
    r.id = id;
    r.provider = in->provider;
    r.provider_refund_id = in->provider_refund_id;
    r.provider_payment_id = in->provider_payment_id;
    r.amount_minor = in->amount->amount_minor;
    r.currency = in->amount->currency;
    r.payment_method = rf_case_payment_method(call->ctx.arena, row.pb);
    rf_pb_timestamp_us(in->issue_time, &r.issued_at_us);
    r.case_currency = row.pb->requested_amount->currency;
    r.approved_minor =
        ap != NULL && ap->approved_amount != NULL ? ap->approved_amount->amount_minor : 0;
    code = rf_refund_store_issue(&call->ctx, &ch, &r, &applied);
    if (code == RF_ALREADY_EXISTS || (code == RF_OK && !applied && in->etag[0] == '\0')) {
        /*
         * A concurrent call recorded the same provider refund, or changed the case, first:
         * the transaction is tried again (dispatch.c), and then finds what it did.
         */
        return rf_fail(&call->ctx.err, RF_ABORTED,
                       "%s changed while the refund was recorded; retry the call", row.pb->name);
    }
    return rf_case_finish_change(call, code, &row, applied, out);
}

RF_HANDLER(confirm_refund_received, Refunds__V1__ConfirmRefundReceivedRequest, Refunds__V1__Case)
{
    static const enum rf_case_event move_on = RF_EVENT_AWAIT_FOLLOW_UP;
    struct rf_case_change ch;
    struct rf_case_row row;
    struct rf_refund_row *refunds;
    char case_id[RF_UUID_TEXT_LEN + 1], refund_id[RF_UUID_TEXT_LEN + 1];
    size_t n = 0, left = 0, matched = 0, newly = 0;
    bool applied = false;
    enum rf_code code = rf_case_load(call, in->name, false, &row);

    if (code == RF_OK)
        code = rf_refund_store_list(&call->ctx, row.id, row.pb->name, &refunds, &n);
    if (code != RF_OK)
        return code;
    if (n == 0)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s has no refund issued yet: nothing can have arrived", row.pb->name);
    if (in->refund[0] != '\0')
        rf_refund_name_parse(in->refund, case_id, refund_id);
    for (size_t i = 0; i < n; i++) {
        bool chosen = in->refund[0] == '\0' || strcmp(refunds[i].id, refund_id) == 0;

        matched += chosen;
        newly += chosen && !refunds[i].received;
        left += !refunds[i].received && !chosen;
    }
    if (matched == 0)
        return rf_fail(&call->ctx.err, RF_NOT_FOUND, "refund \"%s\" does not exist", in->refund);
    if (newly == 0) {
        /* Confirmed already: the answer is the case as it is. */
        struct rf_case_row now;

        code = rf_case_store_get(&call->ctx, row.id, true, &now);
        if (code == RF_OK)
            *out = *now.pb;
        return code;
    }
    /* The case moves on once every refund of it has arrived; confirming again changes nothing. */
    code = rf_case_prepare_change(
        call, &row, in->etag[0] != '\0' ? in->etag : NULL,
        left == 0 && row.state == RF_CASE_REFUND_IN_PROGRESS ? &move_on : NULL, &ch);
    if (code == RF_OK)
        code = rf_refund_store_confirm(&call->ctx, &ch, in->refund[0] != '\0' ? refund_id : NULL,
                                       in->note, &applied);
    /* The money is there: time to ask the customer how it went. */
    if (code == RF_OK && applied && ch.to == RF_CASE_AWAITING_FOLLOW_UP &&
        row.state != RF_CASE_AWAITING_FOLLOW_UP)
        code = rf_satisfaction_follow_up(call, row.id, "the refund arrived");
    return rf_case_finish_change(call, code, &row, applied, out);
}

RF_VALIDATOR(rf_validate_record_refund_issued, Refunds__V1__RecordRefundIssuedRequest);
RF_VALIDATOR(rf_validate_confirm_refund_received, Refunds__V1__ConfirmRefundReceivedRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "RecordRefundIssued",
        .input = &refunds__v1__record_refund_issued_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_record_refund_issued_entry,
        .handler = record_refund_issued_entry,
        .roles = RF_ROLE_SERVICE,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
    {
        .name = "ConfirmRefundReceived",
        .input = &refunds__v1__confirm_refund_received_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_confirm_refund_received_entry,
        .handler = confirm_refund_received_entry,
        .roles = RF_ROLE_SERVICE | RF_ROLE_AGENT,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
};

RF_METHOD_PART(rf_refunds_methods, methods);
