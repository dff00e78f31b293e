/*
 * The follow-up RPCs of refunds.v1.RefundCases: the tasks due for an agent
 * (or finance), and completing one, audited in its case's chain. The
 * reconciler opens the tasks its findings need; the communication issue adds
 * satisfaction follow-ups. SQL is in followup_store.c.
 */
#include <string.h>

#include "case_change.h"
#include "field_check.h"
#include "followup_store.h"
#include "page_token.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/validate.h"
#include "services.h"

RF_HANDLER(list_due_follow_ups, Refunds__V1__ListDueFollowUpsRequest,
           Refunds__V1__ListDueFollowUpsResponse)
{
    const char *assignee = in->assignee[0] != '\0' ? in->assignee : call->ctx.actor.subject;
    const char *parts[] = {"ListDueFollowUps", assignee, in->include_upcoming ? "all" : "due"};
    int limit = rf_page_size(in->page_size) + 1;
    struct rf_page pg;
    enum rf_code code = rf_page_begin(parts, 3, in->page_token, &pg, &call->ctx.err);

    if (code != RF_OK)
        return code;
    code = rf_followup_store_due(&call->ctx, assignee, in->include_upcoming ? 0 : call->ctx.now_us,
                                 pg.cursor.time_us, pg.has_cursor ? pg.cursor.id : NULL, limit,
                                 &out->follow_ups, &out->n_follow_ups);
    if (code == RF_OK && out->n_follow_ups == (size_t)limit) {
        const Refunds__V1__FollowUp *last = out->follow_ups[--out->n_follow_ups - 1];
        int64_t due = 0;

        rf_pb_timestamp_us(last->due_time, &due);
        out->next_page_token =
            rf_page_next_token(call->ctx.arena, &pg, due, rf_name_id(last->name));
    }
    return code;
}

RF_HANDLER(complete_follow_up, Refunds__V1__CompleteFollowUpRequest, Refunds__V1__FollowUp)
{
    struct rf_followup_row row, now;
    char id[RF_UUID_TEXT_LEN + 1];
    bool applied = false;
    enum rf_code code;

    rf_name_parse(in->name, "followups", id);
    call->resource = in->name;
    code = rf_followup_store_get(&call->ctx, id, &row);
    if (code != RF_OK)
        return code;
    if (!row.open)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s is %s already; only an open follow-up can be completed", in->name,
                       row.pb->state == REFUNDS__V1__FOLLOW_UP_STATE__FOLLOW_UP_STATE_DONE
                           ? "done"
                           : "cancelled");
    code = rf_followup_store_complete(&call->ctx, id, in->outcome, &applied);
    if (code == RF_OK && !applied)
        return rf_fail(&call->ctx.err, RF_ABORTED, "%s changed while this call ran; retry",
                       in->name);
    /* Who did what with the customer belongs to the case's chain. */
    if (code == RF_OK && row.case_id[0] != '\0')
        code = rf_case_record_event(call, rf_cases(call)->cache, row.case_id);
    if (code == RF_OK)
        code = rf_followup_store_get(&call->ctx, id, &now);
    if (code == RF_OK)
        *out = *now.pb;
    return code;
}

static void validate_list_due(const Refunds__V1__ListDueFollowUpsRequest *in, int64_t now_us,
                              struct rf_error *err)
{
    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
    if (in->assignee[0] != '\0' && !rf_subject_valid(in->assignee))
        rf_violation_add(err, "assignee", "must be a subject of letters, digits and ._@:+-");
}

static void validate_complete(const Refunds__V1__CompleteFollowUpRequest *in, int64_t now_us,
                              struct rf_error *err)
{
    char id[RF_UUID_TEXT_LEN + 1];

    (void)now_us;
    if (in->name[0] == '\0')
        rf_violation_add(err, "name", "is required");
    else if (!rf_name_parse(in->name, "followups", id))
        rf_violation_add(err, "name", "must be followups/{id}, as ListDueFollowUps names them");
    rf_check_text(err, "outcome", in->outcome, RF_MAX_LONG_TEXT_CHARS, true, RF_TEXT_MULTILINE);
}

RF_VALIDATOR(validate_list_due, Refunds__V1__ListDueFollowUpsRequest);
RF_VALIDATOR(validate_complete, Refunds__V1__CompleteFollowUpRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "ListDueFollowUps",
        .input = &refunds__v1__list_due_follow_ups_request__descriptor,
        .output = &refunds__v1__list_due_follow_ups_response__descriptor,
        .validate = validate_list_due_entry,
        .handler = list_due_follow_ups_entry,
        .roles = RF_ROLE_AGENT | RF_ROLE_APPROVER | RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
    {
        .name = "CompleteFollowUp",
        .input = &refunds__v1__complete_follow_up_request__descriptor,
        .output = &refunds__v1__follow_up__descriptor,
        .validate = validate_complete_entry,
        .handler = complete_follow_up_entry,
        .roles = RF_ROLE_AGENT | RF_ROLE_APPROVER | RF_ROLE_FINANCE | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
    },
};

RF_METHOD_PART(rf_followups_methods, methods);
