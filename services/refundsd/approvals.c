/*
 * The approval RPCs of refunds.v1.RefundCases — escalate to the exceptions
 * team on the policy's SLA clock, the approval queue with its clock and
 * tiers, decide by tier under four-eyes (and an agent's own approval within
 * the self-approval limit) — and their part of the service's method table.
 * The case RPCs are cases.c, the evaluation evaluation.c; the shared steps of
 * a change are case_change.c; SQL is in case_store.c.
 */
#include <stdio.h>
#include <string.h>

#include "case_change.h"
#include "case_validate.h"
#include "evaluation_store.h"
#include "page_token.h"
#include "policy_cache.h"
#include "refunds/money.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "services.h"

/* The tier names as stored and as the API's Tier short names. */
#define TIER_AGENT    "AGENT"
#define TIER_APPROVER "APPROVER"
#define TIER_SENIOR   "SENIOR_APPROVER"

/* "an approver", "a senior approver": who a tier needs, for messages. */
static const char *who_decides(const char *tier)
{
    return tier != NULL && strcmp(tier, TIER_SENIOR) == 0 ? "a senior approver" : "an approver";
}

/* The policy a case's decision is judged by: its evaluation's, or the current one. */
static enum rf_code case_policy(struct rf_call *call, const struct rf_case_row *row,
                                const struct rf_policy **policy)
{
    return rf_policy_cache_get(rf_cases(call)->policies, &call->ctx,
                               row->evaluation_count > 0 ? row->policy_version : 0, policy);
}

/*
 * Who decides an escalated case: its evaluation's tier, at least an approver
 * (an agent's APPROVE that was escalated all the same goes to the queue);
 * without an evaluation, by the amount against the policy's senior threshold,
 * and a senior approver for a currency the policy has no limits for.
 */
static const char *escalation_tier(const struct rf_case_row *row, const struct rf_policy *policy)
{
    const Refunds__V1__Money *m = row->pb->requested_amount;
    const struct rf_policy_limits *l;

    if (row->tier != NULL)
        return strcmp(row->tier, TIER_SENIOR) == 0 ? TIER_SENIOR : TIER_APPROVER;
    l = rf_policy_limits(policy, m->currency);
    return l == NULL || m->amount_minor > l->senior_threshold_minor ? TIER_SENIOR : TIER_APPROVER;
}

static enum rf_priority priority_of(const char *name)
{
    if (name != NULL && strcmp(name, "HIGH") == 0)
        return RF_PRIORITY_HIGH;
    if (name != NULL && strcmp(name, "LOW") == 0)
        return RF_PRIORITY_LOW;
    return RF_PRIORITY_NORMAL;
}

RF_HANDLER(escalate_case, Refunds__V1__EscalateCaseRequest, Refunds__V1__Case)
{
    static const enum rf_case_event event = RF_EVENT_ESCALATE;
    const struct rf_policy *policy = NULL;
    struct rf_case_escalation e = {.note = in->note};
    struct rf_case_change ch;
    struct rf_case_row row;
    enum rf_priority priority;
    bool applied = false;
    enum rf_code code = rf_case_load_for_change(call, in->name, in->etag, &event, &row, &ch);

    if (code == RF_OK)
        code = case_policy(call, &row, &policy);
    if (code != RF_OK)
        return code;
    /* The evaluation's priority; a case escalated without one waits as a normal one. */
    priority = priority_of(row.priority);
    e.priority = row.priority != NULL ? row.priority : "NORMAL";
    e.tier = escalation_tier(&row, policy);
    e.policy_version = policy->version;
    e.due_us = call->settings->approval_sla_seconds > 0
                   ? call->ctx.now_us + call->settings->approval_sla_seconds * RF_USEC_PER_SEC
                   : rf_policy_due(policy, priority, call->ctx.now_us);
    code = rf_case_store_escalate(&call->ctx, &ch, &e, &applied);
    return rf_case_finish_change(call, code, &row, applied, out);
}

/* What the approver sees of case c's clock and needs, in the queue. */
static Refunds__V1__ApprovalQueueEntry *queue_entry(struct rf_call *call,
                                                    const Refunds__V1__Case *c)
{
    Refunds__V1__ApprovalQueueEntry *e =
        rf_pb_new(call->ctx.arena, &refunds__v1__approval_queue_entry__descriptor);
    const Refunds__V1__Approval *ap = c->approval;
    int64_t due = 0;

    e->case_ = c->name;
    e->due_time = ap->due_time;
    rf_pb_timestamp_us(ap->due_time, &due);
    /* Whole seconds, rounded towards the deadline's side so 0 never hides an overdue case. */
    e->seconds_left = due >= call->ctx.now_us
                          ? (due - call->ctx.now_us) / RF_USEC_PER_SEC
                          : -((call->ctx.now_us - due + RF_USEC_PER_SEC - 1) / RF_USEC_PER_SEC);
    e->overdue = due < call->ctx.now_us;
    e->recommendation = c->evaluation != NULL ? c->evaluation->recommendation : 0;
    e->amount = c->requested_amount;
    e->tier = ap->tier;
    e->priority = ap->priority;
    return e;
}

RF_HANDLER(list_approval_queue, Refunds__V1__ListApprovalQueueRequest,
           Refunds__V1__ListApprovalQueueResponse)
{
    const char *tier =
        in->tier ? rf_pb_enum_short_name(&refunds__v1__tier__descriptor, in->tier) : NULL;
    const char *parts[] = {"ListApprovalQueue", in->overdue_only ? "overdue" : "all",
                           tier != NULL ? tier : ""};
    struct rf_queue_filter f = {
        .limit = rf_page_size(in->page_size) + 1, .overdue_only = in->overdue_only, .tier = tier};
    struct rf_page pg;
    enum rf_code code = rf_page_begin(parts, 3, in->page_token, &pg, &call->ctx.err);

    if (code != RF_OK)
        return code;
    f.after_due_us = pg.cursor.time_us;
    f.after_id = pg.has_cursor ? pg.cursor.id : NULL;
    code = rf_case_store_queue(&call->ctx, &f, &out->cases, &out->n_cases);
    if (code != RF_OK)
        return code;
    if (out->n_cases == (size_t)f.limit) {
        const Refunds__V1__Case *last = out->cases[--out->n_cases - 1];
        int64_t due = 0;

        rf_pb_timestamp_us(last->approval->due_time, &due);
        out->next_page_token =
            rf_page_next_token(call->ctx.arena, &pg, due, rf_name_id(last->name));
    }
    out->entries = rf_arena_calloc(call->ctx.arena, out->n_cases + 1, sizeof *out->entries);
    for (size_t i = 0; i < out->n_cases; i++)
        out->entries[out->n_entries++] = queue_entry(call, out->cases[i]);
    return RF_OK;
}

/*
 * Four-eyes: nobody who opened, evaluated (now or in an earlier evaluation)
 * or escalated a case may decide it.
 */
static enum rf_code check_four_eyes(struct rf_call *call, const struct rf_case_row *row)
{
    const char *me = call->ctx.actor.subject;
    const char *did = NULL;
    bool evaluated = false;
    enum rf_code code;

    if (strcmp(row->opened_by, me) == 0)
        did = "opened";
    else if (row->evaluated_by != NULL && strcmp(row->evaluated_by, me) == 0)
        did = "evaluated";
    else if (row->escalated_by != NULL && strcmp(row->escalated_by, me) == 0)
        did = "escalated";
    if (did == NULL && row->evaluation_count > 1) {
        code = rf_evaluation_store_evaluated_by(&call->ctx, row->id, me, &evaluated);
        if (code != RF_OK)
            return code;
        if (evaluated)
            did = "evaluated";
    }
    if (did == NULL)
        return RF_OK;
    return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                   "four-eyes rule: %s %s %s and may not decide it; another approver must", me, did,
                   row->pb->name);
}

/* "EUR 500.00" in the arena. */
static const char *money_text(struct rf_call *call, long long minor, const char *currency)
{
    char buf[48];

    rf_money_format(minor, currency, buf, sizeof buf);
    return rf_arena_strdup(call->ctx.arena, buf);
}

/*
 * PERMISSION_DENIED: a senior approver must decide row, by the limits of
 * policy version (its amount above the senior threshold, or a currency
 * without limits), and then what to do (hint, "" or "; escalate it").
 */
static enum rf_code need_senior(struct rf_call *call, const struct rf_case_row *row,
                                int64_t version, const char *hint)
{
    const Refunds__V1__Money *m = row->pb->requested_amount;
    const struct rf_policy *policy = NULL;
    const struct rf_policy_limits *l;
    enum rf_code code = rf_policy_cache_get(rf_cases(call)->policies, &call->ctx, version, &policy);

    if (code != RF_OK)
        return code;
    l = rf_policy_limits(policy, m->currency);
    if (l == NULL)
        return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                       "%s needs a senior approver (tier %s): policy version %lld has no limits "
                       "for %s%s",
                       row->pb->name, TIER_SENIOR, (long long)policy->version, m->currency, hint);
    return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                   "%s needs a senior approver (tier %s): %s is above the senior threshold of %s%s",
                   row->pb->name, TIER_SENIOR, money_text(call, m->amount_minor, m->currency),
                   money_text(call, l->senior_threshold_minor, m->currency), hint);
}

/* The tier rule of an escalated case: an approver, or a senior approver for a senior tier. */
static enum rf_code check_tier(struct rf_call *call, const struct rf_case_row *row)
{
    const Refunds__V1__Approval *ap = row->pb->approval;
    const char *tier =
        ap != NULL ? rf_pb_enum_short_name(&refunds__v1__tier__descriptor, ap->tier) : NULL;
    unsigned role = call->ctx.actor.role;
    bool senior = tier != NULL && strcmp(tier, TIER_SENIOR) == 0;

    if (role == RF_ROLE_SENIOR_APPROVER || (role == RF_ROLE_APPROVER && !senior))
        return RF_OK;
    if (!senior)
        return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                       "%s needs an approver (tier %s): it is in the approval queue, and an agent "
                       "decides alone only an evaluated case within the self-approval limit",
                       row->pb->name, TIER_APPROVER);
    return need_senior(call, row, ap->policy_version, "");
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

/*
 * Why a case's evaluation keeps it from an agent alone: the amount against
 * the evaluation's policy limits when that is the reason, else its tier.
 */
static enum rf_code refuse_agent(struct rf_call *call, const struct rf_case_row *row)
{
    const Refunds__V1__Money *m = row->pb->requested_amount;
    const char *tier = row->tier != NULL ? row->tier : TIER_APPROVER;
    const struct rf_policy *policy = NULL;
    const struct rf_policy_limits *l = NULL;
    enum rf_code code;

    if (row->recommendation == NULL || strcmp(row->recommendation, "APPROVE") != 0)
        return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                       "%s needs %s (tier %s): its evaluation recommends %s, and an agent decides "
                       "alone only an APPROVE within the self-approval limit; escalate it",
                       row->pb->name, who_decides(tier), tier,
                       row->recommendation != NULL ? row->recommendation : "nothing");
    code = case_policy(call, row, &policy);
    if (code != RF_OK)
        return code;
    l = rf_policy_limits(policy, m->currency);
    if (l == NULL || m->amount_minor > l->senior_threshold_minor)
        return need_senior(call, row, policy->version, "; escalate it");
    if (m->amount_minor > l->self_approval_minor)
        return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                       "%s needs an approver (tier %s): %s is above the self-approval limit of "
                       "%s; escalate it",
                       row->pb->name, TIER_APPROVER, money_text(call, m->amount_minor, m->currency),
                       money_text(call, l->self_approval_minor, m->currency));
    return rf_fail(&call->ctx.err, RF_PERMISSION_DENIED,
                   "%s needs %s (tier %s): its evaluation found what a person must look at; "
                   "escalate it",
                   row->pb->name, who_decides(tier), tier);
}

/*
 * An approval of an evaluated case without the approval queue: only the
 * agent's own, when the latest evaluation recommends APPROVE at the agent's
 * tier and the amount is within the self-approval limit of the policy it
 * used. Four-eyes does not apply (the agent usually opened and evaluated the
 * case: deciding alone is the point); the limit is the control, and the
 * decision is audited like every other.
 */
static enum rf_code self_approve(struct rf_call *call, const Refunds__V1__DecideCaseRequest *in,
                                 const struct rf_case_row *row, Refunds__V1__Case *out)
{
    static const enum rf_case_event event = RF_EVENT_SELF_APPROVE;
    const Refunds__V1__Money *m = row->pb->requested_amount;
    const struct rf_policy *policy = NULL;
    const struct rf_policy_limits *l;
    struct rf_case_decision d = {.decision = "APPROVE", .reason = in->reason};
    struct rf_case_change ch;
    long long minor = 0;
    bool applied = false;
    enum rf_code code;

    if (row->recommendation == NULL || strcmp(row->recommendation, "APPROVE") != 0 ||
        row->tier == NULL || strcmp(row->tier, TIER_AGENT) != 0) {
        if (call->ctx.actor.role == RF_ROLE_AGENT)
            return refuse_agent(call, row);
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s is EVALUATED: only an agent's approval within the self-approval limit "
                       "skips the approval queue; escalate it first",
                       row->pb->name);
    }
    code = rf_case_prepare_change(call, row, in->etag, &event, &ch);
    if (code == RF_OK)
        code = approved_amount(call, in, row->pb, &minor);
    if (code == RF_OK)
        code = case_policy(call, row, &policy);
    if (code != RF_OK)
        return code;
    l = rf_policy_limits(policy, m->currency);
    if (l == NULL || minor > l->self_approval_minor)
        return refuse_agent(call, row);
    d.approved_minor = minor;
    d.outcome = minor < m->amount_minor ? "APPROVED_PARTIAL" : "APPROVED_FULL";
    d.alternatives = "{}";
    code = rf_case_store_self_approve(&call->ctx, &ch, &d,
                                      row->priority != NULL ? row->priority : "NORMAL",
                                      row->policy_version, &applied);
    return rf_case_finish_change(call, code, row, applied, out);
}

/* The alternative offered instead of a refund, checked against the case. */
static enum rf_code alternative_offer(struct rf_call *call,
                                      const Refunds__V1__DecideCaseRequest *in,
                                      const Refunds__V1__Case *c, struct rf_case_decision *d)
{
    const Refunds__V1__AlternativeOffer *o = in->offer;

    d->offer_kind = rf_pb_enum_short_name(&refunds__v1__alternative__descriptor, o->alternative);
    d->alternatives = rf_arena_printf(call->ctx.arena, "{%s}", d->offer_kind);
    if (o->alternative == REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE) {
        d->offer_sku = o->product;
        return RF_OK;
    }
    if (strcmp(o->amount->currency, c->amount_paid->currency) != 0)
        rf_violation_add(&call->ctx.err, "offer.amount.currency",
                         "must be the case's currency (%s)", c->amount_paid->currency);
    else if (o->amount->amount_minor > c->amount_paid->amount_minor)
        rf_violation_add(&call->ctx.err, "offer.amount.amount_minor",
                         "must not be more than the amount paid (%s)",
                         money_text(call, c->amount_paid->amount_minor, c->amount_paid->currency));
    d->offer_minor = o->amount->amount_minor;
    d->offer_currency = o->amount->currency;
    return rf_error_from_violations(&call->ctx.err);
}

RF_HANDLER(decide_case, Refunds__V1__DecideCaseRequest, Refunds__V1__Case)
{
    bool approve = in->decision == REFUNDS__V1__DECISION__DECISION_APPROVE;
    bool offer = in->decision == REFUNDS__V1__DECISION__DECISION_OFFER_ALTERNATIVE;
    enum rf_case_event event = approve ? RF_EVENT_APPROVE : RF_EVENT_DENY;
    struct rf_case_decision d = {.reason = in->reason};
    struct rf_case_change ch;
    struct rf_case_row row;
    long long minor = 0;
    bool applied = false;
    enum rf_code code = rf_case_load(call, in->name, false, &row);

    if (code != RF_OK)
        return code;
    if (approve && row.state == RF_CASE_EVALUATED)
        return self_approve(call, in, &row, out);
    /* Four-eyes first: whoever may not decide hears that, whatever the etag or state. */
    code = check_four_eyes(call, &row);
    if (code == RF_OK && row.state == RF_CASE_PENDING_APPROVAL)
        code = check_tier(call, &row);
    if (code == RF_OK)
        code = rf_case_prepare_change(call, &row, in->etag, &event, &ch);
    if (code == RF_OK && approve) {
        code = approved_amount(call, in, row.pb, &minor);
        d.decision = "APPROVE";
        d.approved_minor = minor;
        d.outcome =
            minor < row.pb->requested_amount->amount_minor ? "APPROVED_PARTIAL" : "APPROVED_FULL";
        d.alternatives = "{}";
    } else if (code == RF_OK && offer) {
        d.decision = "OFFER_ALTERNATIVE";
        d.outcome = "ALTERNATIVE_OFFERED";
        code = alternative_offer(call, in, row.pb, &d);
    } else if (code == RF_OK) {
        d.decision = "DENY";
        d.outcome = "DENIED";
        d.alternatives = alternatives_literal(call, in);
    }
    if (code == RF_OK)
        code = rf_case_store_decide(&call->ctx, &ch, &d, &applied);
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
        .roles = RF_ROLES_APPROVERS | RF_ROLE_ADMIN,
    },
    {
        .name = "DecideCase",
        .input = &refunds__v1__decide_case_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_decide_case_entry,
        .handler = decide_case_entry,
        /* Agents only for their own approval within the self-approval limit. */
        .roles = RF_ROLE_AGENT | RF_ROLES_APPROVERS,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
};

RF_METHOD_PART(rf_approvals_methods, methods);
