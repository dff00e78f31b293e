/*
 * The communication RPCs of refunds.v1.RefundCases (step 5 of the process)
 * and their part of the method table: preview and record the decision
 * message for a case in the customer's language (comm_message.c renders it),
 * the delivery system's outbox and its reports of messages sent or failed,
 * and the customer's acceptance of an alternative a denial offered. A
 * recorded message moves an APPROVED or DENIED case to DECISION_COMMUNICATED;
 * a failed delivery shows on the case and opens a DELIVERY_FAILED follow-up;
 * a denial that reached the customer opens the satisfaction follow-up
 * (satisfaction.c). SQL is in comm_store.c.
 */
#include <stdio.h>
#include <string.h>

#include "case_change.h"
#include "case_validate.h"
#include "comm_message.h"
#include "comm_store.h"
#include "page_token.h"
#include "refund_store.h"
#include "refunds/locale.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/validate.h"
#include "satisfaction.h"
#include "services.h"
#include "tracking_token.h"

/* Longest failure reason and provider message id a delivery system may report. */
#define MAX_FAILURE_CHARS     500
#define MAX_PROVIDER_ID_CHARS 200

static const char *status_name(Refunds__V1__CommunicationStatus s)
{
    const char *n = rf_pb_enum_short_name(&refunds__v1__communication_status__descriptor, (int)s);

    return n != NULL ? n : "UNSPECIFIED";
}

static bool denied(const Refunds__V1__Case *c)
{
    return rf_approval_denies(c->approval);
}

static struct rf_comm_offer_terms offer_terms(const struct rf_call *call)
{
    struct rf_comm_offer_terms t = {
        .offer_valid_days = (int)call->settings->offer_valid_days,
        .store_credit_valid_days = (int)call->settings->store_credit_valid_days,
        .voucher_percent = (int)call->settings->voucher_percent,
    };

    return t;
}

/* A message about to be recorded, or shown: what it says and what it offers. */
struct draft {
    enum rf_comm_channel channel;
    const char *recipient;
    struct rf_comm_offer offer;
    struct rf_comm_money money;
    struct rf_comm_message msg;
};

/*
 * Renders the decision message of case row on channel in language: for a
 * denial, with the offer the case's messages made already (the customer is
 * held to what they were told first), else a new one made now.
 */
static enum rf_code draft_message(struct rf_call *call, const struct rf_case_row *row,
                                  enum rf_comm_channel channel, const char *language,
                                  struct draft *d)
{
    const struct rf_cases_state *st = rf_cases(call);
    const Refunds__V1__Case *c = row->pb;
    struct rf_comm_row told;
    struct rf_comm_offer_terms terms = offer_terms(call);
    struct rf_refund_row *refunds = NULL;
    size_t n = 0;
    bool found = false;
    struct rf_comm_input in = {
        .c = c,
        .channel = channel,
        .language = language,
        .merchant_name = call->settings->merchant_name,
        .support_contact = st->support_contact,
        .tracking_url =
            rf_arena_printf(call->ctx.arena, "%s%s", st->tracking_base_url, c->tracking_token),
        .money = &d->money,
        .offer = &d->offer,
    };
    enum rf_code code = rf_comm_recipient(c, channel, &d->recipient, &call->ctx.err);

    d->channel = channel;
    memset(&d->offer, 0, sizeof d->offer);
    memset(&d->money, 0, sizeof d->money);
    if (code == RF_OK && denied(c)) {
        code = rf_comm_store_latest_offer(&call->ctx, row->id, &told, &found);
        if (found)
            d->offer = told.offer;
        else
            rf_comm_offer_of(c, &terms, call->ctx.now_us, &d->offer);
    } else if (code == RF_OK) {
        code = rf_refund_store_list(&call->ctx, row->id, c->name, &refunds, &n);
        if (code == RF_OK)
            rf_comm_money_of(call->ctx.arena, c, refunds, n, &call->settings->arrival,
                             call->ctx.now_us, &d->money);
    }
    if (code == RF_OK)
        code = rf_comm_render(st->templates, &in, call->ctx.arena, &d->msg, &call->ctx.err);
    return code;
}

/* The channel of a request: EMAIL when unset. */
static enum rf_comm_channel channel_of(Refunds__V1__CommunicationChannel ch)
{
    return ch == REFUNDS__V1__COMMUNICATION_CHANNEL__COMMUNICATION_CHANNEL_UNSPECIFIED
               ? RF_COMM_EMAIL
               : (enum rf_comm_channel)ch;
}

/* A case whose decision can be told: the state table's COMMUNICATE rows. */
static enum rf_code check_can_tell(struct rf_call *call, const struct rf_case_row *row)
{
    enum rf_case_state to;
    char allowed[160];

    if (rf_case_next(row->state, RF_EVENT_COMMUNICATE, &to))
        return RF_OK;
    rf_case_event_sources(RF_EVENT_COMMUNICATE, allowed, sizeof allowed);
    return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                   "%s is %s; a decision message needs a case that is %s", row->pb->name,
                   rf_case_state_name(row->state), allowed);
}

RF_HANDLER(preview_communication, Refunds__V1__PreviewCommunicationRequest,
           Refunds__V1__Communication)
{
    struct rf_case_row row;
    struct draft d;
    enum rf_code code = rf_case_load(call, in->name, false, &row);

    if (code == RF_OK)
        code = check_can_tell(call, &row);
    if (code == RF_OK)
        code = draft_message(call, &row, channel_of(in->channel), in->language, &d);
    if (code != RF_OK)
        return code;
    out->channel = (Refunds__V1__CommunicationChannel)d.channel;
    out->recipient = (char *)d.recipient;
    out->subject = (char *)d.msg.subject;
    out->body = (char *)d.msg.body;
    out->html_body = (char *)d.msg.html_body;
    out->language = (char *)d.msg.lang;
    out->situation = (char *)d.msg.situation;
    out->template_version = d.msg.version;
    rf_comm_offer_to_pb(call->ctx.arena, &d.offer, out);
    return RF_OK;
}

/* The latest message of the case just read (c), with its body. */
static enum rf_code latest_message(struct rf_call *call, const char *case_id,
                                   const Refunds__V1__Case *c, Refunds__V1__Communication **out)
{
    struct rf_comm_row row;
    char id[RF_UUID_TEXT_LEN + 1];
    int seq = 0;
    enum rf_code code;

    if (c->n_communications == 0 ||
        !rf_comm_name_parse(c->communications[c->n_communications - 1]->name, id, &seq))
        return rf_fail(&call->ctx.err, RF_INTERNAL, "the message just recorded was not read back");
    code = rf_comm_store_get(&call->ctx, case_id, seq, &row);
    if (code == RF_OK)
        *out = row.pb;
    return code;
}

RF_HANDLER(record_communication, Refunds__V1__RecordCommunicationRequest,
           Refunds__V1__RecordCommunicationResponse)
{
    static const enum rf_case_event event = RF_EVENT_COMMUNICATE;
    struct rf_case_change ch;
    struct rf_case_row row;
    struct draft d;
    char id[RF_UUID_TEXT_LEN + 1];
    struct rf_comm_new m = {.id = id, .msg = &d.msg, .offer = &d.offer};
    Refunds__V1__Case *kase = rf_pb_new(call->ctx.arena, &refunds__v1__case__descriptor);
    bool applied = false;
    enum rf_code code = rf_case_load_for_change(call, in->name, in->etag, &event, &row, &ch);

    if (code == RF_OK)
        code = draft_message(call, &row, channel_of(in->channel), in->language, &d);
    if (code != RF_OK)
        return code;
    rf_uuid_v7(call->ctx.now_us / 1000, id);
    m.channel = rf_comm_channel_name(d.channel);
    m.recipient = d.recipient;
    /* A phone script is recorded once it has been said: it reached the customer. */
    m.sent = d.channel == RF_COMM_PHONE_SCRIPT;
    code = rf_comm_store_record(&call->ctx, &ch, &m, &applied);
    if (code == RF_OK && applied && m.sent && denied(row.pb))
        code = rf_satisfaction_follow_up(call, row.id, "the denial was told on the phone");
    code = rf_case_finish_change(call, code, &row, applied, kase);
    if (code == RF_OK)
        code = latest_message(call, row.id, kase, &out->communication);
    out->case_ = kase;
    return code;
}

RF_HANDLER(list_outbox, Refunds__V1__ListOutboxRequest, Refunds__V1__ListOutboxResponse)
{
    const char *status = status_name(
        in->status != 0 ? in->status
                        : REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_QUEUED);
    const char *channel =
        in->channel != 0 ? rf_comm_channel_name((enum rf_comm_channel)in->channel) : NULL;
    char case_id[RF_UUID_TEXT_LEN + 1];
    const char *parts[] = {"ListOutbox", status, channel != NULL ? channel : "", in->case_};
    int limit = rf_page_size(in->page_size) + 1;
    struct rf_outbox_filter f = {.status = status, .channel = channel, .limit = limit};
    struct rf_comm_row *rows;
    size_t n = 0;
    struct rf_page pg;
    enum rf_code code = rf_page_begin(parts, 4, in->page_token, &pg, &call->ctx.err);

    if (code != RF_OK)
        return code;
    if (in->case_[0] != '\0' && rf_case_name_parse(in->case_, case_id))
        f.case_id = case_id;
    f.after_us = pg.cursor.time_us;
    f.after_id = pg.has_cursor ? pg.cursor.id : NULL;
    code = rf_comm_store_outbox(&call->ctx, &f, &rows, &n);
    if (code != RF_OK)
        return code;
    if (n == (size_t)limit) {
        const struct rf_comm_row *last = &rows[--n - 1];
        int64_t at = 0;

        rf_pb_timestamp_us(last->pb->create_time, &at);
        out->next_page_token = rf_page_next_token(call->ctx.arena, &pg, at, last->id);
    }
    out->communications = rf_arena_calloc(call->ctx.arena, n + 1, sizeof *out->communications);
    for (size_t i = 0; i < n; i++)
        out->communications[out->n_communications++] = rows[i].pb;
    return RF_OK;
}

/* The channel as the agent's task names it. */
static const char *channel_words(enum rf_comm_channel ch)
{
    switch (ch) {
    case RF_COMM_SMS:
        return "SMS";
    case RF_COMM_PHONE_SCRIPT:
        return "call";
    case RF_COMM_LETTER:
        return "letter";
    default:
        return "e-mail";
    }
}

/* Whether a delivery report may follow the message's status: once, except a bounce after SENT. */
static enum rf_code check_report(struct rf_call *call, const struct rf_comm_row *m,
                                 Refunds__V1__CommunicationStatus to)
{
    Refunds__V1__CommunicationStatus from = m->pb->status;

    if (from == REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_QUEUED ||
        (from == REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_SENT &&
         to == REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_FAILED))
        return RF_OK;
    return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                   "%s is %s already; a message QUEUED is reported SENT or FAILED, one SENT only "
                   "FAILED (a bounce)",
                   m->pb->name, status_name(from));
}

RF_HANDLER(mark_communication_sent, Refunds__V1__MarkCommunicationSentRequest,
           Refunds__V1__Communication)
{
    bool failed = in->status == REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_FAILED;
    Refunds__V1__CommunicationStatus to =
        failed ? in->status : REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_SENT;
    char case_id[RF_UUID_TEXT_LEN + 1];
    struct rf_comm_row m, now;
    struct rf_case_row row;
    struct rf_case_change ch;
    bool applied = false;
    int seq = 0;
    enum rf_code code;

    rf_comm_name_parse(in->name, case_id, &seq);
    call->resource = in->name;
    code = rf_comm_store_get(&call->ctx, case_id, seq, &m);
    if (code == RF_OK)
        code = check_report(call, &m, to);
    if (code == RF_OK)
        code = rf_case_store_get(&call->ctx, case_id, false, &row);
    /* The delivery system reports a fact: no etag, and the case's state stays. */
    if (code == RF_OK)
        code = rf_case_prepare_change(call, &row, NULL, NULL, &ch);
    if (code == RF_OK)
        code = rf_comm_store_set_status(&call->ctx, &ch, &m, status_name(to),
                                        failed ? in->failure_reason : "", in->provider_message_id,
                                        &applied);
    if (code == RF_OK && !applied)
        return rf_fail(&call->ctx.err, RF_ABORTED, "%s changed while this call ran; retry the call",
                       row.pb->name);
    if (code != RF_OK)
        return code;
    rf_case_changed(call, row.id);
    if (failed)
        code = rf_followup_open(
            call, row.id, RF_FOLLOWUP_DELIVERY_FAILED, call->ctx.now_us, NULL,
            rf_arena_printf(call->ctx.arena,
                            "the %s to %s (%s, %s) was not delivered: %s. Reach the customer "
                            "another way and record the decision again (refundctl comm record "
                            "--channel ...)",
                            channel_words((enum rf_comm_channel)m.pb->channel),
                            m.pb->recipient[0] != '\0' ? m.pb->recipient : "the customer",
                            m.pb->name, m.pb->situation, in->failure_reason),
            NULL);
    else if (denied(row.pb) && strncmp(m.pb->situation, "decision.denied", 15) == 0)
        code = rf_satisfaction_follow_up(call, row.id, "the denial reached the customer");
    if (code == RF_OK)
        code = rf_comm_store_get(&call->ctx, case_id, seq, &now);
    if (code == RF_OK)
        *out = *now.pb;
    return code;
}

/* The case AcceptAlternative is about: by name, or by the customer's tracking token. */
static enum rf_code accepting_case(struct rf_call *call,
                                   const Refunds__V1__AcceptAlternativeRequest *in,
                                   struct rf_case_row *row)
{
    char id[RF_UUID_TEXT_LEN + 1];
    enum rf_code code;

    if (in->tracking_token[0] == '\0')
        return rf_case_load(call, in->name, true, row);
    if (!rf_tracking_token_verify(rf_cases(call)->tracking_key, in->tracking_token,
                                  call->ctx.now_us, id))
        return rf_fail(&call->ctx.err, RF_NOT_FOUND,
                       "no refund request matches this tracking token");
    code = rf_case_store_get(&call->ctx, id, true, row);
    if (code == RF_NOT_FOUND) {
        rf_error_clear(&call->ctx.err);
        return rf_fail(&call->ctx.err, RF_NOT_FOUND,
                       "no refund request matches this tracking token");
    }
    if (code == RF_OK)
        call->resource = row->pb->name;
    return code;
}

/* What the offer of message told says of alternative a; false when it did not offer a. */
static bool offered(const struct rf_comm_row *told, Refunds__V1__Alternative a,
                    struct rf_comm_acceptance *acc)
{
    const struct rf_comm_offer *o = &told->offer;

    switch (a) {
    case REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT:
        acc->amount_minor = o->store_credit_minor;
        acc->spend_until_us = o->store_credit_valid_until_us;
        return o->store_credit;
    case REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE:
        acc->product = o->exchange_product;
        return o->exchange;
    case REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_REPAIR:
        acc->product = o->repair_product;
        return o->repair;
    case REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_DISCOUNT_VOUCHER:
        acc->amount_minor = o->voucher_minor;
        return o->voucher;
    default:
        return false;
    }
}

RF_HANDLER(accept_alternative, Refunds__V1__AcceptAlternativeRequest, Refunds__V1__Case)
{
    static const enum rf_case_event event = RF_EVENT_ACCEPT_ALTERNATIVE;
    const char *what =
        rf_pb_enum_short_name(&refunds__v1__alternative__descriptor, in->alternative);
    struct rf_comm_acceptance acc = {.alternative = in->alternative, .note = in->note};
    struct rf_case_row row;
    struct rf_case_change ch;
    struct rf_comm_row told;
    bool found = false, applied = false;
    enum rf_code code = accepting_case(call, in, &row);

    if (code != RF_OK)
        return code;
    if (!denied(row.pb))
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s was not denied: only a denial offers alternatives", row.pb->name);
    if (row.pb->accepted_alternative != NULL)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION, "%s has accepted %s already",
                       row.pb->name,
                       rf_pb_enum_short_name(&refunds__v1__alternative__descriptor,
                                             row.pb->accepted_alternative->offer->alternative));
    code = rf_case_prepare_change(call, &row, in->etag[0] != '\0' ? in->etag : NULL, &event, &ch);
    if (code == RF_OK)
        code = rf_comm_store_latest_offer(&call->ctx, row.id, &told, &found);
    if (code != RF_OK)
        return code;
    if (!found)
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s has no message that offered an alternative and was not FAILED: "
                       "record the decision first (RecordCommunication)",
                       row.pb->name);
    if (!offered(&told, in->alternative, &acc))
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "%s did not offer %s; the customer may accept what it offered",
                       told.pb->name, what);
    if (call->ctx.now_us > told.offer.valid_until_us) {
        char day[64];

        rf_date_format_lang(told.offer.valid_until_us, "en", day, sizeof day);
        return rf_fail(&call->ctx.err, RF_FAILED_PRECONDITION,
                       "the offer of %s could be accepted until %s; it has expired", told.pb->name,
                       day);
    }
    acc.offered_in = &told;
    code = rf_comm_store_accept(&call->ctx, &ch, &acc, &applied);
    return rf_case_finish_change(call, code, &row, applied, out);
}

/* A replayed MarkCommunicationSent drops the cached copy of the message's case. */
static void comm_replayed(struct rf_call *call, const ProtobufCMessage *msg)
{
    const Refunds__V1__MarkCommunicationSentRequest *in =
        (const Refunds__V1__MarkCommunicationSentRequest *)(const void *)msg;
    char id[RF_UUID_TEXT_LEN + 1];
    int seq;

    if (rf_comm_name_parse(in->name, id, &seq))
        rf_case_cache_invalidate(rf_cases(call)->cache, id);
}

/* A replayed AcceptAlternative drops the cached copy of its case, named or by token. */
static void accept_replayed(struct rf_call *call, const ProtobufCMessage *msg)
{
    const Refunds__V1__AcceptAlternativeRequest *in =
        (const Refunds__V1__AcceptAlternativeRequest *)(const void *)msg;
    char id[RF_UUID_TEXT_LEN + 1];

    if (in->tracking_token[0] == '\0')
        rf_case_replayed(call, msg);
    else if (rf_tracking_token_verify(rf_cases(call)->tracking_key, in->tracking_token,
                                      call->ctx.now_us, id))
        rf_case_cache_invalidate(rf_cases(call)->cache, id);
}

static void check_channel(struct rf_error *err, const char *field, int channel)
{
    if (channel != 0)
        rf_check_enum(err, field, &refunds__v1__communication_channel__descriptor, channel, true);
}

static void check_language(struct rf_error *err, const char *language)
{
    if (language[0] != '\0' && !rf_language_tag_valid(language))
        rf_violation_add(err, "language", "must be a BCP 47 language tag such as en, es or de-AT");
}

static void validate_preview(const Refunds__V1__PreviewCommunicationRequest *in, int64_t now_us,
                             struct rf_error *err)
{
    (void)now_us;
    rf_check_case_name(err, in->name);
    check_channel(err, "channel", in->channel);
    check_language(err, in->language);
}

static void validate_record(const Refunds__V1__RecordCommunicationRequest *in, int64_t now_us,
                            struct rf_error *err)
{
    (void)now_us;
    rf_check_case_name(err, in->name);
    rf_check_etag(err, in->etag);
    check_channel(err, "channel", in->channel);
    check_language(err, in->language);
}

static void validate_outbox(const Refunds__V1__ListOutboxRequest *in, int64_t now_us,
                            struct rf_error *err)
{
    char id[RF_UUID_TEXT_LEN + 1];

    (void)now_us;
    rf_check_page(err, in->page_size, in->page_token);
    if (in->status != 0)
        rf_check_enum(err, "status", &refunds__v1__communication_status__descriptor, in->status,
                      true);
    check_channel(err, "channel", in->channel);
    if (in->case_[0] != '\0' && !rf_case_name_parse(in->case_, id))
        rf_violation_add(err, "case", "must be cases/{id}");
}

static void validate_mark(const Refunds__V1__MarkCommunicationSentRequest *in, int64_t now_us,
                          struct rf_error *err)
{
    char id[RF_UUID_TEXT_LEN + 1];
    int seq;
    bool failed = in->status == REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_FAILED;

    (void)now_us;
    if (in->name[0] == '\0')
        rf_violation_add(err, "name", "is required");
    else if (!rf_comm_name_parse(in->name, id, &seq))
        rf_violation_add(err, "name",
                         "must be cases/{id}/communications/{n}, as ListOutbox names them");
    if (in->status != REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_SENT && !failed &&
        in->status != REFUNDS__V1__COMMUNICATION_STATUS__COMMUNICATION_STATUS_UNSPECIFIED)
        rf_violation_add(err, "status", "must be SENT or FAILED (SENT when unset)");
    rf_check_text(err, "failure_reason", in->failure_reason, MAX_FAILURE_CHARS, failed, 0);
    if (!failed && in->failure_reason[0] != '\0')
        rf_violation_add(err, "failure_reason", "is only reported with FAILED");
    rf_check_text(err, "provider_message_id", in->provider_message_id, MAX_PROVIDER_ID_CHARS, false,
                  0);
}

static void validate_accept(const Refunds__V1__AcceptAlternativeRequest *in, int64_t now_us,
                            struct rf_error *err)
{
    (void)now_us;
    if (in->tracking_token[0] != '\0') {
        if (in->name[0] != '\0')
            rf_violation_add(err, "name", "must be empty with tracking_token: one names the case");
    } else {
        rf_check_case_name(err, in->name);
    }
    rf_check_optional_etag(err, in->etag);
    rf_check_enum(err, "alternative", &refunds__v1__alternative__descriptor, in->alternative, true);
    rf_check_text(err, "note", in->note, RF_MAX_SHORT_TEXT_CHARS, false, RF_TEXT_MULTILINE);
}

RF_VALIDATOR(validate_preview, Refunds__V1__PreviewCommunicationRequest);
RF_VALIDATOR(validate_record, Refunds__V1__RecordCommunicationRequest);
RF_VALIDATOR(validate_outbox, Refunds__V1__ListOutboxRequest);
RF_VALIDATOR(validate_mark, Refunds__V1__MarkCommunicationSentRequest);
RF_VALIDATOR(validate_accept, Refunds__V1__AcceptAlternativeRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "PreviewCommunication",
        .input = &refunds__v1__preview_communication_request__descriptor,
        .output = &refunds__v1__communication__descriptor,
        .validate = validate_preview_entry,
        .handler = preview_communication_entry,
        .roles = RF_ROLE_AGENT | RF_ROLES_APPROVERS | RF_ROLE_ADMIN,
    },
    {
        .name = "RecordCommunication",
        .input = &refunds__v1__record_communication_request__descriptor,
        .output = &refunds__v1__record_communication_response__descriptor,
        .validate = validate_record_entry,
        .handler = record_communication_entry,
        .roles = RF_ROLE_AGENT | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
        .replayed = rf_case_replayed,
    },
    {
        .name = "ListOutbox",
        .input = &refunds__v1__list_outbox_request__descriptor,
        .output = &refunds__v1__list_outbox_response__descriptor,
        .validate = validate_outbox_entry,
        .handler = list_outbox_entry,
        .roles = RF_ROLE_SERVICE,
    },
    {
        .name = "MarkCommunicationSent",
        .input = &refunds__v1__mark_communication_sent_request__descriptor,
        .output = &refunds__v1__communication__descriptor,
        .validate = validate_mark_entry,
        .handler = mark_communication_sent_entry,
        .roles = RF_ROLE_SERVICE,
        .flags = RF_METHOD_MUTATION,
        .replayed = comm_replayed,
    },
    {
        .name = "AcceptAlternative",
        .input = &refunds__v1__accept_alternative_request__descriptor,
        .output = &refunds__v1__case__descriptor,
        .validate = validate_accept_entry,
        .handler = accept_alternative_entry,
        .roles = RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_ADMIN,
        .flags = RF_METHOD_MUTATION,
        .replayed = accept_replayed,
    },
};

RF_METHOD_PART(rf_communication_methods, methods);
