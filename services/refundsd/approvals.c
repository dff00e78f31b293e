/*
 * The approval RPCs of refunds.v1.RefundCases — escalate to the exceptions
 * team, the approval queue, decide under four-eyes — and their part of the
 * service's method table. The case RPCs are cases.c; the shared steps of a
 * change are case_change.c; SQL is in case_store.c.
 */
#include <stdio.h>
#include <string.h>

#include "case_change.h"
#include "case_validate.h"
#include "page_token.h"
#include "refunds/money.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "services.h"

RF_HANDLER(escalate_case, Refunds__V1__EscalateCaseRequest, Refunds__V1__Case)
{
    static const enum rf_case_event event = RF_EVENT_ESCALATE;
    struct rf_case_change ch;
    struct rf_case_row row;
    bool applied = false;
    int64_t due = call->ctx.now_us + call->settings->approval_sla_seconds * 1000000LL;
    enum rf_code code = rf_case_load_for_change(call, in->name, in->etag, &event, &row, &ch);

    if (code == RF_OK)
        code = rf_case_store_escalate(&call->ctx, &ch, due, in->note, &applied);
    return rf_case_finish_change(call, code, &row, applied, out);
}

RF_HANDLER(list_approval_queue, Refunds__V1__ListApprovalQueueRequest,
           Refunds__V1__ListApprovalQueueResponse)
{
    const char *parts[] = {"ListApprovalQueue"};
    int limit = rf_page_size(in->page_size) + 1;
    struct rf_page pg;
    enum rf_code code = rf_page_begin(parts, 1, in->page_token, &pg, &call->ctx.err);

    if (code != RF_OK)
        return code;
    code = rf_case_store_queue(&call->ctx, pg.cursor.time_us, pg.has_cursor ? pg.cursor.id : NULL,
                               limit, &out->cases, &out->n_cases);
    if (code != RF_OK)
        return code;
    if (out->n_cases == (size_t)limit) {
        const Refunds__V1__Case *last = out->cases[--out->n_cases - 1];
        int64_t due = 0;

        rf_pb_timestamp_us(last->approval->due_time, &due);
        out->next_page_token =
            rf_page_next_token(call->ctx.arena, &pg, due, rf_name_id(last->name));
    }
    return RF_OK;
}

/* Four-eyes: nobody who opened, evaluated or escalated a case may decide it. */
static enum rf_code check_four_eyes(struct rf_call *call, const struct rf_case_row *row)
{
    const char *me = call->ctx.actor.subject;
    const char *did = NULL;

    if (strcmp(row->opened_by, me) == 0)
        did = "opened";
    else if (row->evaluated_by != NULL && strcmp(row->evaluated_by, me) == 0)
        did = "evaluated";
    else if (row->escalated_by != NULL && strcmp(row->escalated_by, me) == 0)
        did = "escalated";
    if (did == NULL)
        return RF_OK;
    return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                   "four-eyes rule: %s %s %s and may not decide it; another approver must", me, did,
                   row->pb->name);
}

/* The amount to refund on approval: the request's, or the requested amount when unset. */
static enum rf_code approved_amount(struct rf_call *call, const Refunds__V1__DecideCaseRequest *in,
                                    const Refunds__V1__Case *c, long long *minor)
{
    const Refunds__V1__Money *asked = c->requested_amount;

    *minor = asked->amount_minor;
    if (in->approved_amount == NULL)
        return RF_OK;
    if (strcmp(in->approved_amount->currency, asked->currency) != 0)
        rf_violation_add(&call->ctx.err, "approved_amount.currency",
                         "must be the case's currency (%s)", asked->currency);
    else if (in->approved_amount->amount_minor > asked->amount_minor) {
        char max[48];

        rf_money_format(asked->amount_minor, asked->currency, max, sizeof max);
        rf_violation_add(&call->ctx.err, "approved_amount.amount_minor",
                         "must not be more than the requested amount (%s)", max);
    }
    *minor = in->approved_amount->amount_minor;
    return rf_error_from_violations(&call->ctx.err);
}

/* The alternatives as a PostgreSQL text[] literal of short names: "{STORE_CREDIT,EXCHANGE}". */
static const char *alternatives_literal(struct rf_call *call,
                                        const Refunds__V1__DecideCaseRequest *in)
{
    size_t cap = 3 + in->n_alternatives * 32, len = 1;
    char *s = rf_arena_alloc(call->ctx.arena, cap);

    s[0] = '{';
    for (size_t i = 0; i < in->n_alternatives; i++)
        len += (size_t)snprintf(
            s + len, cap - len, "%s%s", i ? "," : "",
            rf_pb_enum_short_name(&refunds__v1__alternative__descriptor, in->alternatives[i]));
    snprintf(s + len, cap - len, "}");
    return s;
}

RF_HANDLER(decide_case, Refunds__V1__DecideCaseRequest, Refunds__V1__Case)
{
    bool approve = in->decision == REFUNDS__V1__DECISION__DECISION_APPROVE;
    enum rf_case_event event = approve ? RF_EVENT_APPROVE : RF_EVENT_DENY;
    struct rf_case_change ch;
    struct rf_case_row row;
    long long minor = 0;
    bool applied = false;
    /* Four-eyes first: whoever may not decide hears that, whatever the etag or state. */
    enum rf_code code = rf_case_load(call, in->name, false, &row);

    if (code == RF_OK)
        code = check_four_eyes(call, &row);
    if (code == RF_OK)
        code = rf_case_prepare_change(call, &row, in->etag, &event, &ch);
    if (code == RF_OK && approve)
        code = approved_amount(call, in, row.pb, &minor);
    if (code == RF_OK)
        code = rf_case_store_decide(&call->ctx, &ch, approve ? "APPROVE" : "DENY", minor,
                                    in->reason, alternatives_literal(call, in), &applied);
    return rf_case_finish_change(call, code, &row, applied, out);
}

RF_VALIDATOR(rf_validate_escalate_case, Refunds__V1__EscalateCaseRequest);
RF_VALIDATOR(rf_validate_list_approval_queue, Refunds__V1__ListApprovalQueueRequest);
RF_VALIDATOR(rf_validate_decide_case, Refunds__V1__DecideCaseRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "EscalateCase",
        .input = &refunds__v1__escalate_case_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_escalate_case_entry,
        .handler = escalate_case_entry,
        .roles = RF_ROLE_AGENT | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
    {
        .name = "ListApprovalQueue",
        .input = &refunds__v1__list_approval_queue_request__descriptor,
        .output = &refunds__v1__list_approval_queue_response__descriptor,
        .validate = rf_validate_list_approval_queue_entry,
        .handler = list_approval_queue_entry,
        .roles = RF_ROLE_APPROVER | RF_ROLE_ADMIN,
    },
    {
        .name = "DecideCase",
        .input = &refunds__v1__decide_case_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_decide_case_entry,
        .handler = decide_case_entry,
        .roles = RF_ROLE_APPROVER,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
};

RF_METHOD_PART(rf_approvals_methods, methods);
