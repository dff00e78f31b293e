/*
 * Follow-ups and satisfaction of refunds.v1.RefundCases (see satisfaction.h):
 * opening a follow-up task on a case, the automatic satisfaction follow-up,
 * and the RPCs ScheduleFollowUp and GetSatisfactionReport with their part of
 * the method table. Completing a task with the customer's answer is
 * followups.c's; SQL is in followup_store.c and satisfaction_store.c.
 */
#include <stdio.h>
#include <string.h>

#include "case_change.h"
#include "case_validate.h"
#include "followup_store.h"
#include "nps.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"
#include "satisfaction.h"
#include "satisfaction_store.h"
#include "services.h"

/* What a task is for when whoever opens it says nothing (agents read these). */
static const struct {
    const char *kind, *reason;
} default_reasons[] = {
    {RF_FOLLOWUP_SATISFACTION,
     "ask the customer how likely they are to recommend us, from 0 to 10, and why; record the "
     "answer with the follow-up (refundctl followups complete --score N --comment TEXT)"},
    {RF_FOLLOWUP_SUPERVISOR_REVIEW, "review the case and call the customer back"},
    {RF_FOLLOWUP_DELIVERY_FAILED,
     "the decision message did not reach the customer: reach them another way and record the "
     "decision again (refundctl comm record --channel ...)"},
    {"CONTACT_CUSTOMER", "contact the customer"},
    {"FINANCE_REVIEW", "review our books for this case"},
};

static const char *default_reason(const char *kind)
{
    for (size_t i = 0; i < sizeof default_reasons / sizeof default_reasons[0]; i++)
        if (strcmp(default_reasons[i].kind, kind) == 0)
            return default_reasons[i].reason;
    return "follow up with the customer";
}

enum rf_code rf_followup_open(struct rf_call *call, const char *case_id, const char *kind,
                              int64_t due_us, const char *assignee, const char *reason,
                              char *id_out)
{
    static const enum rf_case_event await = RF_EVENT_AWAIT_FOLLOW_UP;
    struct rf_case_row row;
    struct rf_case_change ch;
    char id[RF_UUID_TEXT_LEN + 1];
    struct rf_followup_new f = {
        .id = id, .kind = kind, .reason = reason, .due_us = due_us, .assignee = assignee};
    const Refunds__V1__Approval *ap;
    bool applied = false, awaits;
    enum rf_code code = rf_case_store_get(&call->ctx, case_id, false, &row);

    if (code != RF_OK)
        return code;
    ap = row.pb->approval;
    /* A denial told: asking how it went is the step the case now waits for. */
    awaits = row.state == RF_CASE_DECISION_COMMUNICATED && rf_approval_denies(ap) &&
             strcmp(kind, RF_FOLLOWUP_SATISFACTION) == 0;
    code = rf_case_prepare_change(call, &row, NULL, awaits ? &await : NULL, &ch);
    if (code != RF_OK)
        return code;
    rf_uuid_v7(call->ctx.now_us / 1000, id);
    code = rf_followup_store_schedule(&call->ctx, &ch, &f, &applied);
    if (code == RF_OK && !applied)
        return rf_fail(&call->ctx.err, RF_ABORTED, "%s changed while this call ran; retry the call",
                       row.pb->name);
    if (code != RF_OK)
        return code;
    rf_case_changed(call, row.id);
    if (id_out != NULL)
        memcpy(id_out, id, sizeof id);
    return RF_OK;
}

enum rf_code rf_satisfaction_follow_up(struct rf_call *call, const char *case_id, const char *why)
{
    long long open = 0;
    enum rf_code code =
        rf_followup_store_open_count(&call->ctx, case_id, RF_FOLLOWUP_SATISFACTION, &open);

    if (code != RF_OK || open > 0)
        return code;
    return rf_followup_open(
        call, case_id, RF_FOLLOWUP_SATISFACTION,
        rf_business_days_add(call->ctx.now_us, (int)call->settings->satisfaction_delay_days), NULL,
        rf_arena_printf(call->ctx.arena, "%s: %s", why, default_reason(RF_FOLLOWUP_SATISFACTION)),
        NULL);
}

RF_HANDLER(schedule_follow_up, Refunds__V1__ScheduleFollowUpRequest, Refunds__V1__FollowUp)
{
    const char *kind = rf_pb_enum_short_name(&refunds__v1__follow_up_kind__descriptor, in->kind);
    struct rf_case_row row;
    struct rf_followup_row now;
    char id[RF_UUID_TEXT_LEN + 1];
    int64_t due = call->ctx.now_us;
    enum rf_code code = rf_case_load(call, in->name, false, &row);

    if (code != RF_OK)
        return code;
    if (in->due_time != NULL)
        rf_pb_timestamp_us(in->due_time, &due);
    else if (strcmp(kind, RF_FOLLOWUP_SATISFACTION) == 0)
        due = rf_business_days_add(due, (int)call->settings->satisfaction_delay_days);
    code = rf_followup_open(call, row.id, kind, due, in->assignee,
                            in->reason[0] != '\0' ? in->reason : default_reason(kind), id);
    if (code == RF_OK)
        code = rf_followup_store_get(&call->ctx, id, &now);
    if (code == RF_OK)
        *out = *now.pb;
    return code;
}

static void validate_schedule(const Refunds__V1__ScheduleFollowUpRequest *in, int64_t now_us,
                              struct rf_error *err)
{
    int64_t due;

    rf_check_case_name(err, in->name);
    rf_check_enum(err, "kind", &refunds__v1__follow_up_kind__descriptor, in->kind, true);
    if (in->due_time != NULL && rf_check_time(err, "due_time", in->due_time, &due) &&
        due < now_us - RF_CLOCK_SKEW_US)
        rf_violation_add(err, "due_time", "must not be in the past");
    if (in->assignee[0] != '\0' && !rf_subject_valid(in->assignee))
        rf_violation_add(err, "assignee", "must be a subject of letters, digits and ._@:+-");
    rf_check_text(err, "reason", in->reason, RF_MAX_SHORT_TEXT_CHARS, false, RF_TEXT_MULTILINE);
}

/* One group of the report, its keys those of the dimensions asked for. */
static Refunds__V1__NpsGroup *group_pb(struct rf_arena *a, const struct rf_nps *n,
                                       const char *const *keys, size_t n_keys)
{
    Refunds__V1__NpsGroup *g = rf_pb_new(a, &refunds__v1__nps_group__descriptor);

    g->keys = rf_arena_calloc(a, n_keys + 1, sizeof *g->keys);
    for (size_t i = 0; i < n_keys; i++)
        g->keys[i] = (char *)keys[i];
    g->n_keys = n_keys;
    g->answers = rf_nps_answers(n);
    g->promoters = n->promoters;
    g->passives = n->passives;
    g->detractors = n->detractors;
    rf_nps_score(n, &g->nps);
    return g;
}

RF_HANDLER(get_satisfaction_report, Refunds__V1__GetSatisfactionReportRequest,
           Refunds__V1__SatisfactionReport)
{
    enum rf_nps_dimension dims[RF_NPS_GROUP_BY_MAX];
    struct rf_nps_group *groups;
    struct rf_nps total = {0};
    int64_t from = 0, to = 0;
    size_t n = 0;
    enum rf_code code;

    for (size_t i = 0; i < in->n_group_by; i++)
        dims[i] = (enum rf_nps_dimension)in->group_by[i];
    if (in->start_time != NULL)
        rf_pb_timestamp_us(in->start_time, &from);
    if (in->end_time != NULL)
        rf_pb_timestamp_us(in->end_time, &to);
    code = rf_satisfaction_store_nps(&call->ctx, from, to, dims, in->n_group_by, &groups, &n);
    if (code != RF_OK)
        return code;
    out->groups = rf_arena_calloc(call->ctx.arena, n + 1, sizeof *out->groups);
    for (size_t i = 0; i < n; i++) {
        rf_nps_merge(&total, &groups[i].nps);
        if (in->n_group_by > 0)
            out->groups[out->n_groups++] =
                group_pb(call->ctx.arena, &groups[i].nps, groups[i].keys, in->n_group_by);
    }
    out->total = group_pb(call->ctx.arena, &total, NULL, 0);
    out->group_by = in->group_by;
    out->n_group_by = in->n_group_by;
    return RF_OK;
}

static void validate_report(const Refunds__V1__GetSatisfactionReportRequest *in, int64_t now_us,
                            struct rf_error *err)
{
    int64_t from = 0, to = 0;
    bool have_from = false, have_to = false;

    (void)now_us;
    if (in->start_time != NULL)
        have_from = rf_check_time(err, "start_time", in->start_time, &from);
    if (in->end_time != NULL)
        have_to = rf_check_time(err, "end_time", in->end_time, &to);
    if (have_from && have_to && to <= from)
        rf_violation_add(err, "end_time", "must be after start_time");
    if (in->n_group_by > RF_NPS_GROUP_BY_MAX) {
        rf_violation_add(err, "group_by", "must have at most %d dimensions (got %zu)",
                         RF_NPS_GROUP_BY_MAX, in->n_group_by);
        return;
    }
    for (size_t i = 0; i < in->n_group_by; i++) {
        char path[32];

        snprintf(path, sizeof path, "group_by[%zu]", i);
        rf_check_enum(err, path, &refunds__v1__satisfaction_dimension__descriptor, in->group_by[i],
                      true);
        if (i == 1 && in->group_by[1] == in->group_by[0])
            rf_violation_add(err, path, "repeats group_by[0]");
    }
}

RF_VALIDATOR(validate_schedule, Refunds__V1__ScheduleFollowUpRequest);
RF_VALIDATOR(validate_report, Refunds__V1__GetSatisfactionReportRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "ScheduleFollowUp",
        .input = &refunds__v1__schedule_follow_up_request__descriptor,
        .output = &refunds__v1__follow_up__descriptor,
        .validate = validate_schedule_entry,
        .handler = schedule_follow_up_entry,
        .roles = RF_ROLE_AGENT | RF_ROLES_APPROVERS | RF_ROLE_FINANCE | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
    {
        .name = "GetSatisfactionReport",
        .input = &refunds__v1__get_satisfaction_report_request__descriptor,
        .output = &refunds__v1__satisfaction_report__descriptor,
        .validate = validate_report_entry,
        .handler = get_satisfaction_report_entry,
        .roles = RF_ROLES_APPROVERS | RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
};

RF_METHOD_PART(rf_satisfaction_methods, methods);
