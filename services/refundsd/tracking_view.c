/*
 * The customer's view of a refund request (see tracking_view.h): the stage
 * table, the words for payment methods and transfer references that the
 * templates need in the customer's language, and the view filled field by
 * field. The templates themselves are services/common/templates/status.*.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "case_store.h"
#include "refunds/arena.h"
#include "refunds/locale.h"
#include "refunds/money.h"
#include "refunds/pb.h"
#include "refunds/psp.h"
#include "tracking_view.h"

#define STAGE(s) REFUNDS__V1__CUSTOMER_STAGE__CUSTOMER_STAGE_##s

/* The templates of each stage. */
static const struct {
    Refunds__V1__CustomerStage stage;
    const char *situation;
} situations[] = {
    {STAGE(RECEIVED), "status.received"},   {STAGE(IN_REVIEW), "status.in_review"},
    {STAGE(APPROVED), "status.approved"},   {STAGE(REFUND_SENT), "status.refund_sent"},
    {STAGE(ARRIVED), "status.arrived"},     {STAGE(DENIED), "status.denied"},
    {STAGE(WITHDRAWN), "status.withdrawn"},
};

/* What the customer is told to do if the money is late (REFUND_SENT only). */
#define IF_NOT_ARRIVED "status.if_not_arrived"

const char *rf_tracking_situation(Refunds__V1__CustomerStage stage)
{
    for (size_t i = 0; i < sizeof situations / sizeof situations[0]; i++)
        if (situations[i].stage == stage)
            return situations[i].situation;
    return NULL;
}

static int64_t time_of(const Google__Protobuf__Timestamp *ts, int64_t otherwise)
{
    int64_t us;

    return ts != NULL && rf_pb_timestamp_us(ts, &us) ? us : otherwise;
}

/* Failed, cancelled or bounced back: not on its way, and sent again by the agents. */
static bool on_its_way(const struct rf_refund_row *r)
{
    switch (r->pb->provider_status) {
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_FAILED:
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_CANCELED:
    case REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_REVERSED:
        return false;
    default:
        return !r->received;
    }
}

/* The money of an approved case: on its way, arrived, or not sent yet. */
static void money_stage(const Refunds__V1__Case *c, const struct rf_refund_row *refunds, size_t n,
                        struct rf_tracking_stage *out)
{
    const struct rf_refund_row *sent = NULL, *arrived = NULL;
    const Refunds__V1__Approval *ap = c->approval;

    for (size_t i = 0; i < n; i++) {
        if (on_its_way(&refunds[i]))
            sent = &refunds[i];
        else if (refunds[i].received)
            arrived = &refunds[i];
    }
    if (sent != NULL) {
        out->stage = STAGE(REFUND_SENT);
        out->refund = sent;
        out->amount_minor = sent->pb->amount->amount_minor;
        out->currency = sent->pb->amount->currency;
        out->since_us = time_of(sent->pb->issue_time, out->since_us);
    } else if (arrived != NULL) {
        out->stage = STAGE(ARRIVED);
        out->refund = arrived;
        out->amount_minor = 0;
        out->currency = arrived->pb->amount->currency;
        out->since_us = 0;
        for (size_t i = 0; i < n; i++) {
            const Refunds__V1__Refund *r = refunds[i].pb;
            int64_t at = time_of(r->receipt_confirm_time, 0);

            if (!refunds[i].received || strcmp(r->amount->currency, out->currency) != 0)
                continue;
            out->amount_minor += r->amount->amount_minor;
            if (at > out->since_us)
                out->since_us = at;
        }
    } else {
        out->stage = STAGE(APPROVED);
        if (ap != NULL && ap->approved_amount != NULL) {
            out->amount_minor = ap->approved_amount->amount_minor;
            out->currency = ap->approved_amount->currency;
        }
        out->since_us = time_of(ap != NULL ? ap->decide_time : NULL, out->since_us);
    }
}

void rf_tracking_stage_of(const Refunds__V1__Case *c, const struct rf_refund_row *refunds, size_t n,
                          struct rf_tracking_stage *out)
{
    const Refunds__V1__Approval *ap = c->approval;

    memset(out, 0, sizeof *out);
    out->amount_minor = c->requested_amount->amount_minor;
    out->currency = c->requested_amount->currency;
    out->since_us = time_of(c->acknowledge_time, time_of(c->create_time, 0));
    switch (c->state) {
    case REFUNDS__V1__CASE_STATE__CASE_STATE_OPEN:
    case REFUNDS__V1__CASE_STATE__CASE_STATE_UNSPECIFIED:
        out->stage = STAGE(RECEIVED);
        return;
    case REFUNDS__V1__CASE_STATE__CASE_STATE_EVALUATED:
    case REFUNDS__V1__CASE_STATE__CASE_STATE_PENDING_APPROVAL:
        out->stage = STAGE(IN_REVIEW);
        out->since_us = time_of(ap != NULL ? ap->escalate_time : NULL, out->since_us);
        return;
    case REFUNDS__V1__CASE_STATE__CASE_STATE_WITHDRAWN:
        /* Withdrawing is the case's last change of state; its last update is the nearest time. */
        out->stage = STAGE(WITHDRAWN);
        out->since_us = time_of(c->update_time, out->since_us);
        return;
    default:
        break;
    }
    /* Decided: denied, or approved and following the money, whatever came after. */
    if (c->state == REFUNDS__V1__CASE_STATE__CASE_STATE_DENIED || rf_approval_denies(ap)) {
        out->stage = STAGE(DENIED);
        out->since_us = time_of(ap != NULL ? ap->decide_time : NULL, out->since_us);
        return;
    }
    money_stage(c, refunds, n, out);
}

/*
 * What the customer paid with, for "the card or account you paid with (...)": the
 * case's label ("Visa •••• 4242") when it has one, else the method in the
 * customer's language.
 */
static const char *method_text(struct rf_arena *a, const Refunds__V1__Case *c, const char *lang)
{
    if (c->payment == NULL)
        return rf_payment_method_text("other", lang);
    if (c->payment->label != NULL && c->payment->label[0] != '\0')
        return c->payment->label;
    return rf_payment_method_text(rf_case_payment_method(a, c), lang);
}

/* Everything a status template can ask for, in the language lang it was found for. */
struct facts {
    const struct rf_tracking_stage *st;
    const Refunds__V1__Case *c;
    int64_t received_us, window_from_us, window_to_us, refund_us;
    const char *reference, *reference_type, *support_contact;
};

static struct rf_render_values *values(struct rf_arena *a, const struct facts *f, const char *lang)
{
    struct rf_render_values *v = rf_render_values_create(a);

    rf_render_set_money(v, "amount", f->st->amount_minor, f->st->currency, lang);
    rf_render_set(v, "payment_method", method_text(a, f->c, lang));
    rf_render_set_date(v, "received_date", f->received_us, lang);
    rf_render_set_date(v, "withdrawn_date", f->st->since_us, lang);
    rf_render_set(v, "support_contact", f->support_contact);
    rf_render_set_flag(v, "has_reference", f->reference[0] != '\0');
    rf_render_set(v, "reference", f->reference);
    rf_render_set(v, "reference_type", f->reference_type);
    if (f->st->refund != NULL)
        rf_render_set_date(v, "refund_date", f->refund_us, lang);
    if (f->window_to_us != 0) {
        rf_render_set_date(v, "window_from", f->window_from_us, lang);
        rf_render_set_date(v, "window_to", f->window_to_us, lang);
    }
    return v;
}

/* Renders situation in the language tag falls back to; *lang is the one used. */
static enum rf_code render(const struct rf_tracking_options *opt, const char *situation,
                           const char *tag, const struct facts *f, struct rf_arena *a,
                           struct rf_rendered *out, const char **lang, struct rf_error *err)
{
    const struct rf_template *t;
    enum rf_code code = rf_template_find(opt->templates, situation, tag, &t, err);

    if (code != RF_OK)
        return code;
    *lang = rf_template_lang(t);
    return rf_render(t, values(a, f, *lang), RF_RENDER_TEXT, a, out, err);
}

static char *date_text(struct rf_arena *a, int64_t us, const char *lang)
{
    char buf[64];

    rf_date_format_lang(us, lang, buf, sizeof buf);
    return rf_arena_strdup(a, buf);
}

void rf_tracking_refund_window(const struct rf_arrival_table *arrival,
                               const struct rf_refund_row *r, int64_t *from_us, int64_t *to_us)
{
    int64_t issued_us = time_of(r->pb->issue_time, 0);

    *from_us = r->window_from_us;
    *to_us = r->window_to_us;
    if (*to_us != 0)
        return;
    if (!rf_arrival_window(arrival, r->payment_method, issued_us, from_us, to_us))
        rf_arrival_window(arrival, "other", issued_us, from_us, to_us);
}

enum rf_code rf_tracking_view(const struct rf_tracking_options *opt, const Refunds__V1__Case *c,
                              const struct rf_refund_row *refunds, size_t n, struct rf_arena *a,
                              Refunds__V1__CustomerRefundStatus *out, struct rf_error *err)
{
    struct rf_tracking_stage st;
    struct facts f = {.st = &st, .reference = "", .reference_type = ""};
    const char *tag = opt->language != NULL && opt->language[0] != '\0'
                          ? opt->language
                          : c->customer->preferred_language;
    struct rf_rendered said;
    const char *lang = "en";
    Refunds__V1__Money *amount = rf_pb_new(a, &refunds__v1__money__descriptor);
    char buf[64];
    enum rf_code code;

    rf_tracking_stage_of(c, refunds, n, &st);
    f.c = c;
    f.received_us = time_of(c->acknowledge_time, st.since_us);
    f.support_contact = opt->support_contact;
    if (st.refund != NULL) {
        f.refund_us = time_of(st.refund->pb->issue_time, st.since_us);
        f.reference = st.refund->pb->transfer_reference;
        if (f.reference[0] != '\0')
            f.reference_type = rf_psp_reference_type_short(st.refund->pb->transfer_reference_type);
    }
    if (st.stage == STAGE(REFUND_SENT))
        rf_tracking_refund_window(opt->arrival, st.refund, &f.window_from_us, &f.window_to_us);

    code = render(opt, rf_tracking_situation(st.stage), tag, &f, a, &said, &lang, err);
    if (code != RF_OK)
        return code;
    /* The reply, field by field: what the customer may see and nothing else. */
    out->stage = st.stage;
    out->stage_title = (char *)(said.subject != NULL ? said.subject : "");
    out->stage_text = (char *)said.body;
    out->language = rf_arena_strdup(a, lang);
    amount->amount_minor = st.amount_minor;
    amount->currency = rf_arena_strdup(a, st.currency);
    out->amount = amount;
    rf_money_format_lang(st.amount_minor, st.currency, lang, buf, sizeof buf);
    out->amount_text = rf_arena_strdup(a, buf);
    out->transfer_reference = rf_arena_strdup(a, f.reference);
    out->transfer_reference_type = rf_arena_strdup(a, f.reference_type);
    out->update_time = rf_pb_timestamp(a, st.since_us);
    if (st.stage == STAGE(REFUND_SENT)) {
        Refunds__V1__CustomerArrivalWindow *w =
            rf_pb_new(a, &refunds__v1__customer_arrival_window__descriptor);
        struct rf_rendered todo;
        const char *todo_lang;

        w->from = rf_pb_timestamp(a, f.window_from_us);
        w->to = rf_pb_timestamp(a, f.window_to_us);
        w->from_text = date_text(a, f.window_from_us, lang);
        w->to_text = date_text(a, f.window_to_us, lang);
        out->arrival_window = w;
        code = render(opt, IF_NOT_ARRIVED, lang, &f, a, &todo, &todo_lang, err);
        if (code != RF_OK)
            return code;
        out->if_not_arrived_text = (char *)todo.body;
    }
    return RF_OK;
}
