/*
 * The follow-up RPCs of refunds.v1.RefundCases: the tasks due for an agent
 * (or finance, or a supervisor), and completing one, audited in its case's
 * chain, with the customer's answer to a satisfaction follow-up (NPS 0-10 and
 * a comment): a detractor opens a follow-up for a supervisor, and a case
 * waiting for its follow-ups closes when the last one is done. The
 * reconciler opens the tasks its findings need; satisfaction.c opens the
 * others. SQL is in followup_store.c.
 */
#include <string.h>

#include "case_change.h"
#include "field_check.h"
#include "followup_store.h"
#include "nps.h"
#include "page_token.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"
#include "satisfaction.h"
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

/* A detractor's follow-up for a supervisor: who scored what, and what they said. */
static enum rf_code open_supervisor_review(struct rf_call *call, const struct rf_followup_row *row,
                                           const Refunds__V1__Satisfaction *answer)
{
    const char *said = answer->comment[0] != '\0'
                           ? rf_arena_printf(call->ctx.arena, " and said: \"%s\"", answer->comment)
                           : "";

    return rf_followup_open(
        call, row->case_id, RF_FOLLOWUP_SUPERVISOR_REVIEW,
        rf_business_days_add(call->ctx.now_us, 1), call->settings->supervisor_assignee,
        rf_arena_printf(call->ctx.arena,
                        "a detractor: the customer scored %d of 10 in %s%s. Call them back, find "
                        "out what went wrong and what would put it right",
                        answer->score, row->pb->name, said),
        NULL);
}

/*
 * After a task of case case_id was completed: the case closes when it was
 * waiting for its follow-ups and none is open any more, else the completion
 * is an event of its chain (unless opened, a supervisor's task already was).
 */
static enum rf_code after_completion(struct rf_call *call, const char *case_id, bool recorded)
{
    static const enum rf_case_event close = RF_EVENT_CLOSE;
    struct rf_case_row kase;
    struct rf_case_change ch;
    long long open = 0;
    bool applied = false;
    enum rf_code code = rf_case_store_get(&call->ctx, case_id, false, &kase);

    if (code == RF_OK && kase.state == RF_CASE_AWAITING_FOLLOW_UP)
        code = rf_followup_store_open_count(&call->ctx, case_id, NULL, &open);
    if (code != RF_OK)
        return code;
    if (kase.state != RF_CASE_AWAITING_FOLLOW_UP || open > 0)
        return recorded ? RF_OK : rf_case_record_event(call, rf_cases(call)->cache, case_id);
    code = rf_case_prepare_change(call, &kase, NULL, &close, &ch);
    if (code == RF_OK)
        code = rf_followup_store_close_case(&call->ctx, &ch, &applied);
    if (code == RF_OK && !applied)
        return rf_fail(&call->ctx.err, RF_ABORTED, "%s changed while this call ran; retry the call",
                       kase.pb->name);
    if (code == RF_OK)
        rf_case_changed(call, case_id);
    return code;
}

RF_HANDLER(complete_follow_up, Refunds__V1__CompleteFollowUpRequest, Refunds__V1__FollowUp)
{
    const Refunds__V1__Satisfaction *answer = in->satisfaction;
    struct rf_followup_row row, now;
    char id[RF_UUID_TEXT_LEN + 1];
    bool applied = false, detractor;
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
    /* Our own books are finance's to settle: an agent cannot close finance's review. */
    if (strcmp(row.kind, RF_FOLLOWUP_FINANCE_REVIEW) == 0 &&
        (call->ctx.actor.role & (RF_ROLE_FINANCE | RF_ROLE_ADMIN)) == 0)
        return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                       "%s is finance's review of our books: finance completes it", in->name);
    if (answer != NULL && strcmp(row.kind, RF_FOLLOWUP_SATISFACTION) != 0)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s is a %s follow-up; only a SATISFACTION follow-up records the customer's "
                       "score",
                       in->name, row.kind);
    code = rf_followup_store_complete(&call->ctx, id, in->outcome, answer, &applied);
    if (code == RF_OK && !applied)
        return rf_fail(&call->ctx.err, RF_ABORTED, "%s changed while this call ran; retry",
                       in->name);
    detractor = answer != NULL && row.case_id[0] != '\0' &&
                rf_nps_classify(answer->score) == RF_NPS_DETRACTOR;
    /* Who did what with the customer belongs to the case's chain; a detractor reopens work. */
    if (code == RF_OK && detractor)
        code = open_supervisor_review(call, &row, answer);
    if (code == RF_OK && row.case_id[0] != '\0')
        code = after_completion(call, row.case_id, detractor);
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
    if (in->satisfaction != NULL) {
        if (!rf_nps_score_valid(in->satisfaction->score))
            rf_violation_add(err, "satisfaction.score", "must be from %d to %d", RF_NPS_SCORE_MIN,
                             RF_NPS_SCORE_MAX);
        rf_check_text(err, "satisfaction.comment", in->satisfaction->comment,
                      RF_MAX_SHORT_TEXT_CHARS, false, RF_TEXT_MULTILINE);
    }
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
        .roles = RF_ROLE_AGENT | RF_ROLES_APPROVERS | RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
    {
        .name = "CompleteFollowUp",
        .input = &refunds__v1__complete_follow_up_request__descriptor,
        .output = &refunds__v1__follow_up__descriptor,
        .validate = validate_complete_entry,
        .handler = complete_follow_up_entry,
        .roles = RF_ROLE_AGENT | RF_ROLES_APPROVERS | RF_ROLE_FINANCE | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
    },
};

RF_METHOD_PART(rf_followups_methods, methods);
