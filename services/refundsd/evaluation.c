/*
 * The evaluation RPCs of refunds.v1.RefundCases — judge a case against the
 * current guidelines and the customer's history (step 3 of the process), and
 * list the evaluations a case keeps — and their part of the service's method
 * table. The judging is the pure engine's (evaluate.c); the history and the
 * recording are evaluation_store.c's SQL; the policy comes parsed from the
 * process's policy cache. Approvals and decisions are approvals.c.
 */
#include <ctype.h>
#include <string.h>

#include <jansson.h>

#include "case_change.h"
#include "case_validate.h"
#include "evaluate.h"
#include "evaluation_store.h"
#include "policy_cache.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "services.h"

/* A short name of enum desc for value, in lower case ("defective"), in arena a; "" when none. */
static const char *lower_name(struct rf_arena *a, const ProtobufCEnumDescriptor *desc, int value)
{
    const char *s = rf_pb_enum_short_name(desc, value);
    char *lower = rf_arena_strdup(a, s != NULL ? s : "");

    for (char *p = lower; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return lower;
}

/* The name as stored, upper case ("HIGH"). */
static const char *upper_name(struct rf_arena *a, const char *s)
{
    char *upper = rf_arena_strdup(a, s);

    for (char *p = upper; *p != '\0'; p++)
        *p = (char)toupper((unsigned char)*p);
    return upper;
}

/* The engine's view of the stored case c with the customer's history h. */
static void engine_input(struct rf_arena *a, const Refunds__V1__Case *c,
                         const struct rf_eval_history *h, struct rf_eval_input *in)
{
    memset(in, 0, sizeof *in);
    in->category = c->product->category;
    in->product_name = c->product->name;
    in->reason = lower_name(a, &refunds__v1__reason_code__descriptor, c->reason_code);
    in->channel = lower_name(a, &refunds__v1__channel__descriptor, c->channel);
    rf_pb_timestamp_us(c->purchase_time, &in->purchase_us);
    /* Days past the window count to the first contact, never to now: waiting with us is ours. */
    rf_pb_timestamp_us(c->acknowledge_time, &in->first_contact_us);
    in->paid_minor = c->amount_paid->amount_minor;
    in->requested_minor = c->requested_amount->amount_minor;
    in->currency = c->requested_amount->currency;
    in->history = *h;
}

/*
 * The customer's history and the policy it is judged by: the current one. The
 * history query also says which version is current, so the usual call (the
 * cached latest is still current) costs one query; a newer version is loaded
 * and, its history window being its own, the history read again.
 */
static enum rf_code history_and_policy(struct rf_call *call, const struct rf_case_row *row,
                                       const char *customer_id, const struct rf_policy **policy,
                                       struct rf_eval_history *h)
{
    struct rf_policy_cache *cache = rf_cases(call)->policies;
    int64_t current = 0;
    enum rf_code code = RF_OK;

    *policy = rf_policy_cache_latest(cache);
    if (*policy == NULL)
        code = rf_policy_cache_get(cache, &call->ctx, 0, policy);
    if (code == RF_OK)
        code = rf_evaluation_store_history(&call->ctx, row, customer_id,
                                           (*policy)->history.window_months, h, &current);
    if (code != RF_OK || current == (*policy)->version)
        return code;
    code = rf_policy_cache_get(cache, &call->ctx, current, policy);
    if (code == RF_OK)
        code = rf_evaluation_store_history(&call->ctx, row, customer_id,
                                           (*policy)->history.window_months, h, &current);
    return code;
}

/*
 * The case as the evaluation's statement left it (evaluation_store.c's
 * evaluation_record): the case read with its interactions, with its new
 * version, state, time, latest evaluation and the customer id it records
 * on a case that had none. EvaluateCase replies with it instead of reading
 * the case back; test_evaluation.py compares it with GetCase's.
 */
static void apply_evaluation(struct rf_call *call, const struct rf_case_row *row,
                             const struct rf_case_change *ch, Refunds__V1__Evaluation *stored,
                             const char *customer_id)
{
    Refunds__V1__Case *c = row->pb;
    int state = 0;

    c->etag = rf_arena_printf(call->ctx.arena, "%lld", row->version + 1);
    rf_pb_enum_from_short(&refunds__v1__case_state__descriptor, rf_case_state_name(ch->to), &state);
    c->state = state;
    c->update_time = rf_pb_timestamp(call->ctx.arena, call->ctx.now_us);
    c->evaluation = stored;
    if (c->customer->id[0] == '\0' && customer_id != NULL)
        c->customer->id = (char *)customer_id;
}

RF_HANDLER(evaluate_case, Refunds__V1__EvaluateCaseRequest, Refunds__V1__Case)
{
    static const enum rf_case_event event = RF_EVENT_EVALUATE;
    struct rf_arena *a = call->ctx.arena;
    const struct rf_policy *policy = NULL;
    struct rf_evaluation_record rec = {0};
    struct rf_eval_history history = {0};
    struct rf_eval_input input;
    struct rf_evaluation ev;
    struct rf_case_change ch;
    struct rf_case_row row;
    const char *customer_id;
    Refunds__V1__Evaluation *stored = NULL;
    bool applied = false;
    /* With its interactions: the reply is this case with what the evaluation changed. */
    enum rf_code code = rf_case_load(call, in->name, true, &row);

    if (code == RF_OK)
        code = rf_case_prepare_change(call, &row, in->etag, &event, &ch);
    if (code != RF_OK)
        return code;
    if (in->customer_id[0] != '\0' && row.customer_id != NULL &&
        strcmp(in->customer_id, row.customer_id) != 0)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s was opened for another customer id; leave customer_id out",
                       row.pb->name);
    if (row.evaluation_count >= RF_EVALUATIONS_MAX)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s has been evaluated %d times, the most a case keeps; escalate it",
                       row.pb->name, RF_EVALUATIONS_MAX);
    customer_id = in->customer_id[0] != '\0' ? in->customer_id : row.customer_id;
    code = history_and_policy(call, &row, customer_id, &policy, &history);
    if (code != RF_OK)
        return code;
    engine_input(a, row.pb, &history, &input);
    if (rf_evaluate(policy, &input, a, &ev, &call->ctx.err) != RF_OK) {
        /* OpenCase checked what the engine needs: this is a stored case it cannot judge. */
        rf_error_detail(&call->ctx.err, "%s: %s", row.pb->name, call->ctx.err.message);
        call->ctx.err.n_violations = 0;
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s cannot be evaluated: its documentation is incomplete", row.pb->name);
    }
    rec.policy_version = ev.policy_version;
    rec.recommendation = rf_recommendation_name(ev.recommendation);
    rec.tier = rf_tier_name(ev.tier);
    rec.priority = upper_name(a, rf_priority_name(ev.priority));
    rec.score = ev.score;
    rec.days_past_window = ev.days_past_window;
    rec.amount_outside_minor = ev.amount_outside_minor;
    rec.currency = ev.currency;
    rec.result_doc = rf_evaluation_doc(&ev);
    rec.history = &history;
    rec.customer_id = in->customer_id[0] != '\0' ? in->customer_id : NULL;
    code = rf_evaluation_store_record(&call->ctx, &ch, &rec, &applied, &stored);
    json_decref(rec.result_doc);
    if (code == RF_OK && applied)
        apply_evaluation(call, &row, &ch, stored, rec.customer_id);
    return rf_case_finish_change_as(call, code, &row, applied, row.pb, out);
}

RF_HANDLER(list_evaluations, Refunds__V1__ListEvaluationsRequest,
           Refunds__V1__ListEvaluationsResponse)
{
    struct rf_case_row row;
    enum rf_code code = rf_case_load(call, in->name, false, &row);

    if (code != RF_OK)
        return code;
    return rf_evaluation_store_list(&call->ctx, row.id, &out->evaluations, &out->n_evaluations);
}

RF_VALIDATOR(rf_validate_evaluate_case, Refunds__V1__EvaluateCaseRequest);
RF_VALIDATOR(rf_validate_list_evaluations, Refunds__V1__ListEvaluationsRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "EvaluateCase",
        .input = &refunds__v1__evaluate_case_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_evaluate_case_entry,
        .handler = evaluate_case_entry,
        .roles = RF_ROLE_AGENT | RF_ROLES_APPROVERS | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
    {
        .name = "ListEvaluations",
        .input = &refunds__v1__list_evaluations_request__descriptor,
        .output = &refunds__v1__list_evaluations_response__descriptor,
        .validate = rf_validate_list_evaluations_entry,
        .handler = list_evaluations_entry,
        .roles = RF_ROLES_ALL,
    },
};

RF_METHOD_PART(rf_evaluation_methods, methods);
