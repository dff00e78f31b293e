/*
 * The refunds.v1.RefundCases handlers and their method table: who may call
 * what, and what each call does with a validated request. Requests arrive
 * validated field by field (case_validate.c); mutations arrive inside their
 * transaction with request_id already claimed (dispatch.c). Here are the
 * checks that need the stored case: etag, state (case_state.c), four-eyes,
 * amounts. SQL is in case_store.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "case_cache.h"
#include "case_state.h"
#include "case_store.h"
#include "case_validate.h"
#include "page_token.h"
#include "refunds/audit.h"
#include "refunds/money.h"
#include "refunds/pb.h"
#include "services.h"

/* The acknowledgement text stored when OpenCase carries no contact summary. */
#define DEFAULT_ACK_SUMMARY "Contact acknowledged."

static char *lower_copy(struct rf_call *call, const char *s)
{
    char *copy = rf_arena_strdup(call->arena, s);

    for (char *p = copy; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return copy;
}

/* Computes the audit link of the next event of row's case, moving it to state to. */
static void audit_link(struct rf_call *call, const struct rf_case_row *row, enum rf_case_state to,
                       struct rf_audit_link *link)
{
    struct rf_audit_event ev = {
        .case_id = row->id,
        .seq = row->audit_seq + 1,
        .occurred_us = call->now_us,
        .actor = call->actor.subject,
        .actor_role = rf_role_name(call->actor.role),
        .method = call->method,
        .old_state = rf_case_state_name(row->state),
        .new_state = rf_case_state_name(to),
        .request_id = call->request_id,
    };

    link->seq = ev.seq;
    memcpy(link->prev, row->audit_head, RF_SHA256_LEN);
    rf_audit_chain_hash(link->prev, &ev, link->hash);
}

/* Reads the case name names (already validated) into row and notes it for the access log. */
static enum rf_code load_case(struct rf_call *call, const char *name, bool full,
                              struct rf_case_row *row)
{
    char id[RF_UUID_TEXT_LEN + 1];

    rf_case_name_parse(name, id);
    call->case_id = rf_arena_strdup(call->arena, id);
    return rf_case_store_get(call, id, full, row);
}

/*
 * Checks the caller's etag against row, then (unless event is NULL) that the
 * event is allowed from the case's state; *to is the state the change leads to.
 */
static enum rf_code check_change(struct rf_call *call, const struct rf_case_row *row,
                                 const char *etag, const enum rf_case_event *event,
                                 enum rf_case_state *to)
{
    long long version = 0;

    rf_etag_parse(etag, &version);
    if (version != row->version)
        return rf_fail(&call->err, RF_FAILED_PRECONDITION,
                       "etag \"%s\" is stale: %s has changed since it was read (its etag is now "
                       "\"%lld\"); read it again",
                       etag, row->pb->name, row->version);
    *to = row->state;
    if (event != NULL && !rf_case_next(row->state, *event, to)) {
        char allowed[160];

        rf_case_event_sources(*event, allowed, sizeof allowed);
        return rf_fail(&call->err, RF_FAILED_PRECONDITION, "%s is %s; %s needs a case that is %s",
                       row->pb->name, rf_case_state_name(row->state), call->method, allowed);
    }
    return RF_OK;
}

/* check_change, then the change's audit link: what every change statement needs. */
static enum rf_code prepare_change(struct rf_call *call, const struct rf_case_row *row,
                                   const char *etag, const enum rf_case_event *event,
                                   struct rf_case_change *ch)
{
    enum rf_code code = check_change(call, row, etag, event, &ch->to);

    if (code == RF_OK) {
        ch->before = row;
        audit_link(call, row, ch->to, &ch->audit);
    }
    return code;
}

/* load_case, then prepare_change. */
static enum rf_code load_for_change(struct rf_call *call, const char *name, const char *etag,
                                    const enum rf_case_event *event, struct rf_case_row *row,
                                    struct rf_case_change *ch)
{
    enum rf_code code = load_case(call, name, false, row);

    return code != RF_OK ? code : prepare_change(call, row, etag, event, ch);
}

/*
 * Ends a change: passes a failure on; a statement that applied to nothing
 * means a concurrent call won; else the reply is the case as it is now.
 */
static enum rf_code finish_change(struct rf_call *call, enum rf_code code,
                                  const struct rf_case_row *before, bool applied,
                                  Refunds__V1__Case *out)
{
    struct rf_case_row now;

    if (code != RF_OK)
        return code;
    if (!applied)
        return rf_fail(&call->err, RF_FAILED_PRECONDITION,
                       "%s was changed by another call while this one ran; read it again",
                       before->pb->name);
    call->changed_case = rf_arena_strdup(call->arena, before->id);
    code = rf_case_store_get(call, before->id, true, &now);
    if (code == RF_OK)
        *out = *now.pb;
    return code;
}

/*
 * A replayed change of an existing case: its first attempt committed, but may not yet have
 * dropped the cached case (it does so after COMMIT returns), so the retry drops it too
 * before its answer leaves, and the caller reads what that answer says.
 */
static void case_replayed(struct rf_call *call, const ProtobufCMessage *in)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(in->descriptor, "name");
    char id[RF_UUID_TEXT_LEN + 1];

    if (f != NULL && f->type == PROTOBUF_C_TYPE_STRING &&
        rf_case_name_parse(*(char *const *)(const void *)((const char *)in + f->offset), id))
        rf_case_cache_invalidate(call->cache, id);
}

RF_HANDLER(open_case, Refunds__V1__OpenCaseRequest, Refunds__V1__Case)
static enum rf_code open_case(struct rf_call *call, const Refunds__V1__OpenCaseRequest *in,
                              Refunds__V1__Case *out)
{
    char *id = rf_arena_alloc(call->arena, RF_UUID_TEXT_LEN + 1);
    Refunds__V1__Customer *customer = rf_pb_new(call->arena, &refunds__v1__customer__descriptor);
    Refunds__V1__Interaction *ack = rf_pb_new(call->arena, &refunds__v1__interaction__descriptor);
    struct rf_audit_event ev;
    uint8_t hash[RF_SHA256_LEN];
    const char *summary =
        in->contact_summary[0] != '\0' ? in->contact_summary : DEFAULT_ACK_SUMMARY;

    rf_uuid_v7(call->now_us / 1000, id);
    call->case_id = id;
    *customer = *in->customer;
    customer->email = lower_copy(call, in->customer->email);
    if (customer->preferred_language[0] == '\0')
        customer->preferred_language = "en";

    out->name = rf_arena_printf(call->arena, "cases/%s", id);
    out->state = REFUNDS__V1__CASE_STATE__CASE_STATE_OPEN;
    out->etag = "1";
    out->channel = in->channel;
    out->acknowledge_time = rf_pb_timestamp(call->arena, call->now_us);
    out->customer = customer;
    out->product = in->product;
    out->purchase_time = in->purchase_time;
    out->amount_paid = in->amount_paid;
    out->requested_amount = in->requested_amount;
    out->payment = in->payment;
    out->reason_code = in->reason_code;
    out->reason_text = in->reason_text;
    out->opened_by = (char *)call->actor.subject;
    out->assignee = in->assignee[0] != '\0' ? in->assignee : (char *)call->actor.subject;
    out->create_time = out->acknowledge_time;
    out->update_time = out->acknowledge_time;
    ack->name = rf_arena_printf(call->arena, "%s/interactions/1", out->name);
    ack->kind = REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_ACKNOWLEDGEMENT;
    ack->channel = in->channel;
    ack->summary = (char *)summary;
    ack->author = out->opened_by;
    ack->create_time = out->acknowledge_time;
    out->n_interactions = 1;
    out->interactions = rf_arena_alloc(call->arena, sizeof *out->interactions);
    out->interactions[0] = ack;

    ev = (struct rf_audit_event){
        .case_id = id,
        .seq = 1,
        .occurred_us = call->now_us,
        .actor = call->actor.subject,
        .actor_role = rf_role_name(call->actor.role),
        .method = call->method,
        .old_state = "",
        .new_state = rf_case_state_name(RF_CASE_OPEN),
        .request_id = call->request_id,
    };
    rf_audit_chain_hash(rf_audit_genesis, &ev, hash);
    return rf_case_store_insert(call, id, out, summary, hash);
}

/* Until when a packed reply of c may be served from the cache. */
static int64_t cache_valid_until(const struct rf_call *call, const Refunds__V1__Case *c)
{
    int64_t until = call->now_us + call->settings->case_cache_ttl_ms * 1000;
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
static enum rf_code get_case(struct rf_call *call, const Refunds__V1__GetCaseRequest *in,
                             Refunds__V1__Case *out)
{
    struct rf_case_row row;
    uint64_t generation = rf_case_cache_generation(call->cache);
    char id[RF_UUID_TEXT_LEN + 1];
    enum rf_code code;

    rf_case_name_parse(in->name, id);
    call->case_id = rf_arena_strdup(call->arena, id);
    if (rf_case_cache_get(call->cache, id, call->now_us, call->arena, &call->reply_raw,
                          &call->reply_raw_len))
        return RF_OK;
    code = rf_case_store_get(call, id, true, &row);
    if (code != RF_OK)
        return code;
    *out = *row.pb;
    call->reply_raw = rf_pb_pack(call->arena, &out->base, &call->reply_raw_len);
    rf_case_cache_put(call->cache, id, row.version, cache_valid_until(call, out), call->reply_raw,
                      call->reply_raw_len, generation);
    return RF_OK;
}

static int page_size(int32_t requested)
{
    if (requested <= 0)
        return RF_PAGE_SIZE_DEFAULT;
    return requested > RF_PAGE_SIZE_MAX ? RF_PAGE_SIZE_MAX : requested;
}

/* Reads page_token for this list; INVALID_ARGUMENT when it is not one of this list's. */
static enum rf_code read_token(struct rf_call *call, const char *token,
                               const uint8_t fingerprint[RF_PAGE_FINGERPRINT_LEN],
                               struct rf_page_cursor *cursor, bool *has)
{
    *has = token[0] != '\0';
    if (*has && !rf_page_token_decode(token, fingerprint, cursor)) {
        rf_violation_add(&call->err, "page_token",
                         "is not a page token of this list with these filters");
        return rf_error_from_violations(&call->err);
    }
    return RF_OK;
}

RF_HANDLER(list_cases, Refunds__V1__ListCasesRequest, Refunds__V1__ListCasesResponse)
static enum rf_code list_cases(struct rf_call *call, const Refunds__V1__ListCasesRequest *in,
                               Refunds__V1__ListCasesResponse *out)
{
    const char *state =
        in->state ? rf_pb_enum_short_name(&refunds__v1__case_state__descriptor, in->state) : NULL;
    const char *email = in->customer_email[0] ? lower_copy(call, in->customer_email) : NULL;
    const char *assignee = in->assignee[0] ? in->assignee : NULL;
    const char *parts[] = {"ListCases", state ? state : "", email ? email : "",
                           assignee ? assignee : ""};
    struct rf_case_filter f = {state, email, assignee, 0, NULL, page_size(in->page_size) + 1};
    uint8_t fingerprint[RF_PAGE_FINGERPRINT_LEN];
    struct rf_page_cursor cursor = {0};
    bool has_cursor;
    enum rf_code code;

    rf_page_fingerprint(parts, 4, fingerprint);
    code = read_token(call, in->page_token, fingerprint, &cursor, &has_cursor);
    if (code != RF_OK)
        return code;
    if (has_cursor) {
        f.before_us = cursor.time_us;
        f.before_id = cursor.id;
    }
    code = rf_case_store_list(call, &f, &out->cases, &out->n_cases);
    if (code != RF_OK)
        return code;
    if (out->n_cases == (size_t)f.limit) {
        const Refunds__V1__Case *last = out->cases[out->n_cases - 2];

        out->n_cases--;
        rf_pb_timestamp_us(last->create_time, &cursor.time_us);
        snprintf(cursor.id, sizeof cursor.id, "%s", last->name + 6);
        out->next_page_token = rf_arena_alloc(call->arena, RF_PAGE_TOKEN_MAX);
        rf_page_token_encode(fingerprint, &cursor, out->next_page_token);
    }
    return RF_OK;
}

RF_HANDLER(add_interaction, Refunds__V1__AddInteractionRequest, Refunds__V1__Case)
static enum rf_code add_interaction(struct rf_call *call,
                                    const Refunds__V1__AddInteractionRequest *in,
                                    Refunds__V1__Case *out)
{
    struct rf_case_change ch;
    struct rf_case_row row;
    bool applied = false;
    enum rf_code code = load_for_change(call, in->name, in->etag, NULL, &row, &ch);

    if (code == RF_OK)
        code = rf_case_store_add_interaction(
            call, &ch, rf_pb_enum_short_name(&refunds__v1__interaction_kind__descriptor, in->kind),
            in->channel ? rf_pb_enum_short_name(&refunds__v1__channel__descriptor, in->channel)
                        : "",
            in->summary, &applied);
    return finish_change(call, code, &row, applied, out);
}

RF_HANDLER(escalate_case, Refunds__V1__EscalateCaseRequest, Refunds__V1__Case)
static enum rf_code escalate_case(struct rf_call *call, const Refunds__V1__EscalateCaseRequest *in,
                                  Refunds__V1__Case *out)
{
    static const enum rf_case_event event = RF_EVENT_ESCALATE;
    struct rf_case_change ch;
    struct rf_case_row row;
    bool applied = false;
    int64_t due = call->now_us + call->settings->approval_sla_seconds * 1000000LL;
    enum rf_code code = load_for_change(call, in->name, in->etag, &event, &row, &ch);

    if (code == RF_OK)
        code = rf_case_store_escalate(call, &ch, due, in->note, &applied);
    return finish_change(call, code, &row, applied, out);
}

RF_HANDLER(list_approval_queue, Refunds__V1__ListApprovalQueueRequest,
           Refunds__V1__ListApprovalQueueResponse)
static enum rf_code list_approval_queue(struct rf_call *call,
                                        const Refunds__V1__ListApprovalQueueRequest *in,
                                        Refunds__V1__ListApprovalQueueResponse *out)
{
    const char *parts[] = {"ListApprovalQueue"};
    uint8_t fingerprint[RF_PAGE_FINGERPRINT_LEN];
    struct rf_page_cursor cursor = {0};
    bool has_cursor;
    int limit = page_size(in->page_size) + 1;
    enum rf_code code;

    rf_page_fingerprint(parts, 1, fingerprint);
    code = read_token(call, in->page_token, fingerprint, &cursor, &has_cursor);
    if (code != RF_OK)
        return code;
    code = rf_case_store_queue(call, cursor.time_us, has_cursor ? cursor.id : NULL, limit,
                               &out->cases, &out->n_cases);
    if (code != RF_OK)
        return code;
    if (out->n_cases == (size_t)limit) {
        const Refunds__V1__Case *last = out->cases[limit - 2];

        out->n_cases--;
        rf_pb_timestamp_us(last->approval->due_time, &cursor.time_us);
        snprintf(cursor.id, sizeof cursor.id, "%s", last->name + 6);
        out->next_page_token = rf_arena_alloc(call->arena, RF_PAGE_TOKEN_MAX);
        rf_page_token_encode(fingerprint, &cursor, out->next_page_token);
    }
    return RF_OK;
}

/* Four-eyes: nobody who opened, evaluated or escalated a case may decide it. */
static enum rf_code check_four_eyes(struct rf_call *call, const struct rf_case_row *row)
{
    const char *me = call->actor.subject;
    const char *did = NULL;

    if (strcmp(row->opened_by, me) == 0)
        did = "opened";
    else if (row->evaluated_by != NULL && strcmp(row->evaluated_by, me) == 0)
        did = "evaluated";
    else if (row->escalated_by != NULL && strcmp(row->escalated_by, me) == 0)
        did = "escalated";
    if (did == NULL)
        return RF_OK;
    return rf_fail(&call->err, RF_PERMISSION_DENIED,
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
        rf_violation_add(&call->err, "approved_amount.currency", "must be the case's currency (%s)",
                         asked->currency);
    else if (in->approved_amount->amount_minor > asked->amount_minor) {
        char max[48];

        rf_money_format(asked->amount_minor, asked->currency, max, sizeof max);
        rf_violation_add(&call->err, "approved_amount.amount_minor",
                         "must not be more than the requested amount (%s)", max);
    }
    *minor = in->approved_amount->amount_minor;
    return rf_error_from_violations(&call->err);
}

/* The alternatives as a PostgreSQL text[] literal of short names: "{STORE_CREDIT,EXCHANGE}". */
static const char *alternatives_literal(struct rf_call *call,
                                        const Refunds__V1__DecideCaseRequest *in)
{
    size_t cap = 3 + in->n_alternatives * 32, len = 1;
    char *s = rf_arena_alloc(call->arena, cap);

    s[0] = '{';
    for (size_t i = 0; i < in->n_alternatives; i++)
        len += (size_t)snprintf(
            s + len, cap - len, "%s%s", i ? "," : "",
            rf_pb_enum_short_name(&refunds__v1__alternative__descriptor, in->alternatives[i]));
    snprintf(s + len, cap - len, "}");
    return s;
}

RF_HANDLER(decide_case, Refunds__V1__DecideCaseRequest, Refunds__V1__Case)
static enum rf_code decide_case(struct rf_call *call, const Refunds__V1__DecideCaseRequest *in,
                                Refunds__V1__Case *out)
{
    bool approve = in->decision == REFUNDS__V1__DECISION__DECISION_APPROVE;
    enum rf_case_event event = approve ? RF_EVENT_APPROVE : RF_EVENT_DENY;
    struct rf_case_change ch;
    struct rf_case_row row;
    long long minor = 0;
    bool applied = false;
    /* Four-eyes first: whoever may not decide hears that, whatever the etag or state. */
    enum rf_code code = load_case(call, in->name, false, &row);

    if (code == RF_OK)
        code = check_four_eyes(call, &row);
    if (code == RF_OK)
        code = prepare_change(call, &row, in->etag, &event, &ch);
    if (code == RF_OK && approve)
        code = approved_amount(call, in, row.pb, &minor);
    if (code == RF_OK)
        code = rf_case_store_decide(call, &ch, approve ? "APPROVE" : "DENY", minor, in->reason,
                                    alternatives_literal(call, in), &applied);
    return finish_change(call, code, &row, applied, out);
}

RF_HANDLER(withdraw_case, Refunds__V1__WithdrawCaseRequest, Refunds__V1__Case)
static enum rf_code withdraw_case(struct rf_call *call, const Refunds__V1__WithdrawCaseRequest *in,
                                  Refunds__V1__Case *out)
{
    static const enum rf_case_event event = RF_EVENT_WITHDRAW;
    struct rf_case_change ch;
    struct rf_case_row row;
    bool applied = false;
    enum rf_code code = load_for_change(call, in->name, in->etag, &event, &row, &ch);

    if (code == RF_OK)
        code = rf_case_store_withdraw(call, &ch, in->reason, &applied);
    return finish_change(call, code, &row, applied, out);
}

RF_VALIDATOR(rf_validate_open_case, Refunds__V1__OpenCaseRequest)
RF_VALIDATOR(rf_validate_get_case, Refunds__V1__GetCaseRequest)
RF_VALIDATOR(rf_validate_list_cases, Refunds__V1__ListCasesRequest)
RF_VALIDATOR(rf_validate_add_interaction, Refunds__V1__AddInteractionRequest)
RF_VALIDATOR(rf_validate_escalate_case, Refunds__V1__EscalateCaseRequest)
RF_VALIDATOR(rf_validate_list_approval_queue, Refunds__V1__ListApprovalQueueRequest)
RF_VALIDATOR(rf_validate_decide_case, Refunds__V1__DecideCaseRequest)
RF_VALIDATOR(rf_validate_withdraw_case, Refunds__V1__WithdrawCaseRequest)

#define READERS                                                                                    \
    (RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_APPROVER | RF_ROLE_FINANCE | RF_ROLE_ADMIN)
#define M(name, req, resp)                                                                         \
#name, &refunds__v1__##req##__descriptor, &refunds__v1__##resp##__descriptor

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {M(OpenCase, open_case_request, case), rf_validate_open_case_entry, open_case_entry,
     RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_ADMIN, RF_METHOD_MUTATION},
    {M(GetCase, get_case_request, case), rf_validate_get_case_entry, get_case_entry, READERS, 0},
    {M(ListCases, list_cases_request, list_cases_response), rf_validate_list_cases_entry,
     list_cases_entry, READERS, 0},
    {M(AddInteraction, add_interaction_request, case), rf_validate_add_interaction_entry,
     add_interaction_entry, RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_APPROVER | RF_ROLE_ADMIN,
     RF_METHOD_MUTATION, case_replayed},
    {M(EscalateCase, escalate_case_request, case), rf_validate_escalate_case_entry,
     escalate_case_entry, RF_ROLE_AGENT | RF_ROLE_ADMIN, RF_METHOD_MUTATION, case_replayed},
    {M(ListApprovalQueue, list_approval_queue_request, list_approval_queue_response),
     rf_validate_list_approval_queue_entry, list_approval_queue_entry,
     RF_ROLE_APPROVER | RF_ROLE_ADMIN, 0},
    {M(DecideCase, decide_case_request, case), rf_validate_decide_case_entry, decide_case_entry,
     RF_ROLE_APPROVER, RF_METHOD_MUTATION, case_replayed},
    {M(WithdrawCase, withdraw_case_request, case), rf_validate_withdraw_case_entry,
     withdraw_case_entry, RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_ADMIN, RF_METHOD_MUTATION,
     case_replayed},
};

const struct rf_service rf_cases_service = {&refunds__v1__refund_cases__descriptor, methods,
                                            sizeof methods / sizeof methods[0], true};
