/*
 * The case RPCs of refunds.v1.RefundCases — open, read, list, add an
 * interaction, withdraw — and their part of the service's method table.
 * Escalation and decisions are approvals.c. Requests arrive validated field
 * by field (case_validate.c); mutations arrive inside their transaction with
 * request_id already claimed (dispatch.c). The checks that need the stored
 * case are case_change.c's; SQL is in case_store.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "case_change.h"
#include "case_validate.h"
#include "page_token.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "services.h"

/* The acknowledgement text stored when OpenCase carries no contact summary. */
#define DEFAULT_ACK_SUMMARY "Contact acknowledged."

static char *lower_copy(struct rf_call *call, const char *s)
{
    char *copy = rf_arena_strdup(call->ctx.arena, s);

    for (char *p = copy; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return copy;
}

RF_HANDLER(open_case, Refunds__V1__OpenCaseRequest, Refunds__V1__Case)
{
    struct rf_arena *a = call->ctx.arena;
    char *id = rf_arena_alloc(a, RF_UUID_TEXT_LEN + 1);
    Refunds__V1__Customer *customer = rf_pb_new(a, &refunds__v1__customer__descriptor);
    Refunds__V1__Interaction *ack = rf_pb_new(a, &refunds__v1__interaction__descriptor);
    struct rf_audit_link audit;
    const char *summary =
        in->contact_summary[0] != '\0' ? in->contact_summary : DEFAULT_ACK_SUMMARY;

    rf_uuid_v7(call->ctx.now_us / 1000, id);
    *customer = *in->customer;
    customer->email = lower_copy(call, in->customer->email);
    if (customer->preferred_language[0] == '\0')
        customer->preferred_language = "en";

    out->name = rf_name_format(a, "cases", id);
    call->resource = out->name;
    out->state = REFUNDS__V1__CASE_STATE__CASE_STATE_OPEN;
    out->etag = "1";
    out->channel = in->channel;
    out->acknowledge_time = rf_pb_timestamp(a, call->ctx.now_us);
    out->customer = customer;
    out->product = in->product;
    out->purchase_time = in->purchase_time;
    out->amount_paid = in->amount_paid;
    out->requested_amount = in->requested_amount;
    out->payment = in->payment;
    out->reason_code = in->reason_code;
    out->reason_text = in->reason_text;
    out->opened_by = (char *)call->ctx.actor.subject;
    out->assignee = in->assignee[0] != '\0' ? in->assignee : (char *)call->ctx.actor.subject;
    out->create_time = out->acknowledge_time;
    out->update_time = out->acknowledge_time;
    out->tracking_token = rf_case_store_tracking_token(a, id, call->ctx.now_us);
    ack->name = rf_arena_printf(a, "%s/interactions/1", out->name);
    ack->kind = REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_ACKNOWLEDGEMENT;
    ack->channel = in->channel;
    ack->summary = (char *)summary;
    ack->author = out->opened_by;
    ack->create_time = out->acknowledge_time;
    out->n_interactions = 1;
    out->interactions = rf_arena_alloc(a, sizeof *out->interactions);
    out->interactions[0] = ack;

    rf_audit_link_next(&call->ctx, id, 0, NULL, "", rf_case_state_name(RF_CASE_OPEN), &audit);
    return rf_case_store_insert(&call->ctx, id, out, summary, &audit);
}

/* Until when a packed reply of c may be served from the cache. */
static int64_t cache_valid_until(const struct rf_call *call, const Refunds__V1__Case *c)
{
    int64_t until = call->ctx.now_us + call->settings->case_cache_ttl_ms * 1000;
    int64_t due;

    /* sla_breached is computed when the case is read: it turns at the due time. */
    if (c->approval != NULL &&
        c->approval->state == REFUNDS__V1__APPROVAL_STATE__APPROVAL_STATE_PENDING &&
        !c->approval->sla_breached && rf_pb_timestamp_us(c->approval->due_time, &due) &&
        due < until)
        until = due;
    return until;
}

RF_HANDLER(get_case, Refunds__V1__GetCaseRequest, Refunds__V1__Case)
{
    struct rf_case_cache *cache = rf_cases(call)->cache;
    struct rf_case_row row;
    uint64_t generation = rf_case_cache_generation(cache);
    char id[RF_UUID_TEXT_LEN + 1];
    enum rf_code code;

    rf_case_name_parse(in->name, id);
    call->resource = in->name;
    if (rf_case_cache_get(cache, RF_CACHED_CASE, id, call->ctx.now_us, call->ctx.arena, &call->reply_raw,
                          &call->reply_raw_len))
        return RF_OK;
    code = rf_case_store_get(&call->ctx, id, true, &row);
    if (code != RF_OK)
        return code;
    *out = *row.pb;
    call->reply_raw = rf_pb_pack(call->ctx.arena, &out->base, &call->reply_raw_len);
    rf_case_cache_put(cache, RF_CACHED_CASE, id, row.version, cache_valid_until(call, out), call->reply_raw,
                      call->reply_raw_len, generation);
    return RF_OK;
}

RF_HANDLER(list_cases, Refunds__V1__ListCasesRequest, Refunds__V1__ListCasesResponse)
{
    const char *state =
        in->state ? rf_pb_enum_short_name(&refunds__v1__case_state__descriptor, in->state) : NULL;
    const char *email = in->customer_email[0] ? lower_copy(call, in->customer_email) : NULL;
    const char *assignee = in->assignee[0] ? in->assignee : NULL;
    const char *parts[] = {"ListCases", state ? state : "", email ? email : "",
                           assignee ? assignee : ""};
    struct rf_case_filter f = {state, email, assignee, 0, NULL, rf_page_size(in->page_size) + 1};
    struct rf_page pg;
    enum rf_code code = rf_page_begin(parts, 4, in->page_token, &pg, &call->ctx.err);

    if (code != RF_OK)
        return code;
    if (pg.has_cursor) {
        f.before_us = pg.cursor.time_us;
        f.before_id = pg.cursor.id;
    }
    code = rf_case_store_list(&call->ctx, &f, &out->cases, &out->n_cases);
    if (code != RF_OK)
        return code;
    if (out->n_cases == (size_t)f.limit) {
        const Refunds__V1__Case *last = out->cases[--out->n_cases - 1];
        int64_t created = 0;

        rf_pb_timestamp_us(last->create_time, &created);
        out->next_page_token =
            rf_page_next_token(call->ctx.arena, &pg, created, rf_name_id(last->name));
    }
    return RF_OK;
}

RF_HANDLER(add_interaction, Refunds__V1__AddInteractionRequest, Refunds__V1__Case)
{
    struct rf_case_change ch;
    struct rf_case_row row;
    bool applied = false;
    enum rf_code code = rf_case_load_for_change(call, in->name, in->etag, NULL, &row, &ch);

    if (code == RF_OK)
        code = rf_case_store_add_interaction(
            &call->ctx, &ch,
            rf_pb_enum_short_name(&refunds__v1__interaction_kind__descriptor, in->kind),
            in->channel ? rf_pb_enum_short_name(&refunds__v1__channel__descriptor, in->channel)
                        : "",
            in->summary, &applied);
    return rf_case_finish_change(call, code, &row, applied, out);
}

RF_HANDLER(withdraw_case, Refunds__V1__WithdrawCaseRequest, Refunds__V1__Case)
{
    static const enum rf_case_event event = RF_EVENT_WITHDRAW;
    struct rf_case_change ch;
    struct rf_case_row row;
    bool applied = false;
    enum rf_code code = rf_case_load_for_change(call, in->name, in->etag, &event, &row, &ch);

    if (code == RF_OK)
        code = rf_case_store_withdraw(&call->ctx, &ch, in->reason, &applied);
    return rf_case_finish_change(call, code, &row, applied, out);
}

RF_VALIDATOR(rf_validate_open_case, Refunds__V1__OpenCaseRequest);
RF_VALIDATOR(rf_validate_get_case, Refunds__V1__GetCaseRequest);
RF_VALIDATOR(rf_validate_list_cases, Refunds__V1__ListCasesRequest);
RF_VALIDATOR(rf_validate_add_interaction, Refunds__V1__AddInteractionRequest);
RF_VALIDATOR(rf_validate_withdraw_case, Refunds__V1__WithdrawCaseRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "OpenCase",
        .input = &refunds__v1__open_case_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_open_case_entry,
        .handler = open_case_entry,
        .roles = RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
    },
    {
        .name = "GetCase",
        .input = &refunds__v1__get_case_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_get_case_entry,
        .handler = get_case_entry,
        .roles = RF_ROLES_ALL,
    },
    {
        .name = "ListCases",
        .input = &refunds__v1__list_cases_request__descriptor,
        .output = &refunds__v1__list_cases_response__descriptor,
        .validate = rf_validate_list_cases_entry,
        .handler = list_cases_entry,
        .roles = RF_ROLES_ALL,
    },
    {
        .name = "AddInteraction",
        .input = &refunds__v1__add_interaction_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_add_interaction_entry,
        .handler = add_interaction_entry,
        .roles = RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLES_APPROVERS | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
    {
        .name = "WithdrawCase",
        .input = &refunds__v1__withdraw_case_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = rf_validate_withdraw_case_entry,
        .handler = withdraw_case_entry,
        .roles = RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
};

RF_METHOD_PART(rf_cases_methods, methods);
