/*
 * Unit tests of the customer's view (services/refundsd/tracking_view.c): the
 * stage of every case state, decision and refund status; the view in English,
 * Spanish and German with amounts and dates for the language; the arrival
 * window (the reconciler's, else estimated from the issue time); the transfer
 * reference and what to do if the money is late; and that nothing internal of
 * the case reaches the packed reply.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/arena.h"
#include "test_templates.h"
#include "tracking_view.h"

#define STAGE(s)   REFUNDS__V1__CUSTOMER_STAGE__CUSTOMER_STAGE_##s
#define STATE(s)   REFUNDS__V1__CASE_STATE__CASE_STATE_##s
#define PSTATUS(s) REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_##s

TestSuite(tracking_stage, .init = setup, .fini = teardown);
TestSuite(tracking_view, .init = setup, .fini = teardown);

/*
 * A case of Ana's, requested EUR 49.99 by card, in state, with internal details
 * marked SECRET- everywhere the view must not look.
 */
static Refunds__V1__Case *case_in(Refunds__V1__CaseState state)
{
    Refunds__V1__Case *c = rf_pb_new(arena, &refunds__v1__case__descriptor);
    Refunds__V1__Customer *cu = rf_pb_new(arena, &refunds__v1__customer__descriptor);
    Refunds__V1__Payment *pay = rf_pb_new(arena, &refunds__v1__payment__descriptor);
    Refunds__V1__Interaction *note = rf_pb_new(arena, &refunds__v1__interaction__descriptor);

    cu->name = "SECRET-name";
    cu->email = "secret-email@example.com";
    cu->preferred_language = "es";
    pay->method = REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD;
    pay->provider_payment_id = "SECRET-pi";
    note->kind = REFUNDS__V1__INTERACTION_KIND__INTERACTION_KIND_NOTE;
    note->summary = "SECRET-note: customer was rude";
    note->author = "SECRET-alice";
    c->name = "cases/SECRET-0190f5c2";
    c->state = state;
    c->etag = "7";
    c->customer = cu;
    c->payment = pay;
    c->amount_paid = test_money(arena, 4999, "EUR");
    c->requested_amount = test_money(arena, 4999, "EUR");
    c->reason_text = "SECRET-reason";
    c->opened_by = "SECRET-opener";
    c->assignee = "SECRET-assignee";
    c->acknowledge_time = at("2026-11-02T09:30:00Z");
    c->create_time = c->acknowledge_time;
    c->update_time = at("2026-11-25T16:00:00Z");
    c->n_interactions = 1;
    c->interactions = rf_arena_calloc(arena, 1, sizeof *c->interactions);
    c->interactions[0] = note;
    c->tracking_token = "SECRET-token";
    return c;
}

static void escalated(Refunds__V1__Case *c)
{
    Refunds__V1__Approval *ap = rf_pb_new(arena, &refunds__v1__approval__descriptor);

    ap->state = REFUNDS__V1__APPROVAL_STATE__APPROVAL_STATE_PENDING;
    ap->escalated_by = "SECRET-escalator";
    ap->escalate_time = at("2026-11-03T11:00:00Z");
    ap->escalation_note = "SECRET-escalation";
    c->approval = ap;
}

static void decided(Refunds__V1__Case *c, bool approve)
{
    escalated(c);
    c->approval->state = REFUNDS__V1__APPROVAL_STATE__APPROVAL_STATE_DECIDED;
    c->approval->decided_by = "SECRET-approver";
    c->approval->decide_time = at("2026-11-05T15:00:00Z");
    c->approval->decision_reason = "SECRET-decision";
    c->approval->decision =
        approve ? REFUNDS__V1__DECISION__DECISION_APPROVE : REFUNDS__V1__DECISION__DECISION_DENY;
    if (approve)
        c->approval->approved_amount = test_money(arena, 3999, "EUR");
}

/* A refund of minor EUR issued 2026-11-20T10:00:00Z (a Friday), with provider status st. */
static void refund(struct rf_refund_row *r, int64_t minor, Refunds__V1__ProviderStatus st)
{
    Refunds__V1__Refund *pb = rf_pb_new(arena, &refunds__v1__refund__descriptor);

    memset(r, 0, sizeof *r);
    pb->name = "cases/SECRET-0190f5c2/refunds/SECRET-refund";
    pb->provider = "stripe";
    pb->provider_refund_id = "SECRET-re_1";
    pb->amount = test_money(arena, minor, "EUR");
    pb->issue_time = at("2026-11-20T10:00:00Z");
    pb->recorded_by = "SECRET-payments";
    pb->provider_status = st;
    r->pb = pb;
    r->payment_method = "card";
}

static void received(struct rf_refund_row *r, const char *when)
{
    r->received = true;
    r->pb->receipt_confirm_time = at(when);
    r->pb->receipt_confirmed_by = "SECRET-confirmer";
}

static struct rf_tracking_stage stage_of(const Refunds__V1__Case *c, const struct rf_refund_row *r,
                                         size_t n)
{
    struct rf_tracking_stage st;

    rf_tracking_stage_of(c, r, n, &st);
    return st;
}

Test(tracking_stage, an_open_case_is_received_with_the_requested_amount)
{
    struct rf_tracking_stage st = stage_of(case_in(STATE(OPEN)), NULL, 0);

    cr_assert_eq(st.stage, STAGE(RECEIVED));
    cr_assert_eq(st.amount_minor, 4999);
    cr_assert_str_eq(st.currency, "EUR");
    cr_assert_str_eq(test_text(st.since_us), "2026-11-02T09:30:00Z");
    cr_assert_null(st.refund);
}

Test(tracking_stage, an_evaluated_or_escalated_case_is_in_review)
{
    Refunds__V1__Case *c = case_in(STATE(EVALUATED));

    cr_assert_eq(stage_of(c, NULL, 0).stage, STAGE(IN_REVIEW));
    c->state = STATE(PENDING_APPROVAL);
    escalated(c);
    cr_assert_eq(stage_of(c, NULL, 0).stage, STAGE(IN_REVIEW));
    cr_assert_str_eq(test_text(stage_of(c, NULL, 0).since_us), "2026-11-03T11:00:00Z");
}

Test(tracking_stage, an_approved_case_without_refunds_is_approved_with_the_approved_amount)
{
    static const Refunds__V1__CaseState states[] = {STATE(APPROVED), STATE(DECISION_COMMUNICATED)};

    for (size_t i = 0; i < 2; i++) {
        Refunds__V1__Case *c = case_in(states[i]);
        struct rf_tracking_stage st;

        decided(c, true);
        st = stage_of(c, NULL, 0);
        cr_assert_eq(st.stage, STAGE(APPROVED), "state %d", states[i]);
        cr_assert_eq(st.amount_minor, 3999);
        cr_assert_str_eq(test_text(st.since_us), "2026-11-05T15:00:00Z");
    }
}

Test(tracking_stage, a_denial_stays_denied_whatever_comes_after_it)
{
    static const Refunds__V1__CaseState states[] = {STATE(DENIED), STATE(DECISION_COMMUNICATED),
                                                    STATE(AWAITING_FOLLOW_UP), STATE(CLOSED)};

    for (size_t i = 0; i < 4; i++) {
        Refunds__V1__Case *c = case_in(states[i]);
        struct rf_tracking_stage st;

        decided(c, false);
        st = stage_of(c, NULL, 0);
        cr_assert_eq(st.stage, STAGE(DENIED), "state %d", states[i]);
        cr_assert_eq(st.amount_minor, 4999);
        cr_assert_str_eq(test_text(st.since_us), "2026-11-05T15:00:00Z");
    }
}

Test(tracking_stage, a_withdrawn_case_is_withdrawn)
{
    Refunds__V1__Case *c = case_in(STATE(WITHDRAWN));

    escalated(c);
    cr_assert_eq(stage_of(c, NULL, 0).stage, STAGE(WITHDRAWN));
    cr_assert_str_eq(test_text(stage_of(c, NULL, 0).since_us), "2026-11-25T16:00:00Z");
}

Test(tracking_stage, an_issued_refund_is_sent_whatever_the_provider_said_unless_it_failed)
{
    static const struct {
        Refunds__V1__ProviderStatus status;
        Refunds__V1__CustomerStage want;
    } table[] = {
        {PSTATUS(NOT_CHECKED), STAGE(REFUND_SENT)},     {PSTATUS(UNKNOWN), STAGE(REFUND_SENT)},
        {PSTATUS(NOT_FOUND), STAGE(REFUND_SENT)},       {PSTATUS(PENDING), STAGE(REFUND_SENT)},
        {PSTATUS(REQUIRES_ACTION), STAGE(REFUND_SENT)}, {PSTATUS(SUCCEEDED), STAGE(REFUND_SENT)},
        {PSTATUS(NOT_CLEARED), STAGE(REFUND_SENT)},     {PSTATUS(FAILED), STAGE(APPROVED)},
        {PSTATUS(CANCELED), STAGE(APPROVED)},           {PSTATUS(REVERSED), STAGE(APPROVED)},
    };

    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        Refunds__V1__Case *c = case_in(STATE(REFUND_IN_PROGRESS));
        struct rf_refund_row r;
        struct rf_tracking_stage st;

        decided(c, true);
        refund(&r, 3999, table[i].status);
        st = stage_of(c, &r, 1);
        cr_assert_eq(st.stage, table[i].want, "provider status %d", table[i].status);
        cr_assert_eq(st.refund, table[i].want == STAGE(REFUND_SENT) ? &r : NULL);
    }
}

Test(tracking_stage, the_refund_on_its_way_is_shown_while_another_has_arrived)
{
    Refunds__V1__Case *c = case_in(STATE(REFUND_IN_PROGRESS));
    struct rf_refund_row r[3];
    struct rf_tracking_stage st;

    decided(c, true);
    refund(&r[0], 2000, PSTATUS(SUCCEEDED));
    received(&r[0], "2026-11-26T08:00:00Z");
    refund(&r[1], 1999, PSTATUS(PENDING));
    refund(&r[2], 1999, PSTATUS(FAILED));
    st = stage_of(c, r, 3);
    cr_assert_eq(st.stage, STAGE(REFUND_SENT));
    cr_assert_eq(st.refund, &r[1]);
    cr_assert_eq(st.amount_minor, 1999);
    cr_assert_str_eq(test_text(st.since_us), "2026-11-20T10:00:00Z");
}

Test(tracking_stage, arrived_counts_every_confirmed_refund_and_dates_from_the_last_confirmation)
{
    static const Refunds__V1__CaseState states[] = {STATE(REFUND_IN_PROGRESS),
                                                    STATE(AWAITING_FOLLOW_UP), STATE(CLOSED)};

    for (size_t i = 0; i < 3; i++) {
        Refunds__V1__Case *c = case_in(states[i]);
        struct rf_refund_row r[3];
        struct rf_tracking_stage st;

        decided(c, true);
        refund(&r[0], 2000, PSTATUS(SUCCEEDED));
        received(&r[0], "2026-11-28T08:00:00Z");
        refund(&r[1], 1999, PSTATUS(FAILED));
        refund(&r[2], 1999, PSTATUS(SUCCEEDED));
        received(&r[2], "2026-11-26T08:00:00Z");
        st = stage_of(c, r, 3);
        cr_assert_eq(st.stage, STAGE(ARRIVED), "state %d", states[i]);
        cr_assert_eq(st.amount_minor, 3999);
        cr_assert_eq(st.refund, &r[2]);
        cr_assert_str_eq(test_text(st.since_us), "2026-11-28T08:00:00Z");
    }
}

static const struct rf_tracking_options options = {
    .support_contact = "help@shop.example",
};

static Refunds__V1__CustomerRefundStatus *
view(const Refunds__V1__Case *c, const struct rf_refund_row *r, size_t n, const char *language)
{
    Refunds__V1__CustomerRefundStatus *out =
        rf_pb_new(arena, &refunds__v1__customer_refund_status__descriptor);
    struct rf_tracking_options opt = options;

    opt.templates = templates;
    opt.arrival = rf_arrival_defaults();
    opt.language = language;
    cr_assert_eq(rf_tracking_view(&opt, c, r, n, arena, out, &err), RF_OK, "%s", err.message);
    return out;
}

/* A case with a refund of EUR 39.99 on its way, and that refund. */
static Refunds__V1__Case *sent_case(struct rf_refund_row *r)
{
    Refunds__V1__Case *c = case_in(STATE(REFUND_IN_PROGRESS));

    decided(c, true);
    refund(r, 3999, PSTATUS(PENDING));
    return c;
}

Test(tracking_view, a_refund_on_its_way_reads_in_spanish_with_an_estimated_window)
{
    struct rf_refund_row r;
    Refunds__V1__CustomerRefundStatus *v = view(sent_case(&r), &r, 1, NULL);
    int64_t from = 0, to = 0;

    cr_assert_eq(v->stage, STAGE(REFUND_SENT));
    cr_assert_str_eq(v->language, "es");
    cr_assert_str_eq(v->stage_title, "Reembolso en camino");
    cr_assert_eq(v->amount->amount_minor, 3999);
    cr_assert_str_eq(v->amount->currency, "EUR");
    cr_assert_str_eq(v->amount_text, "39,99 €");
    /* Card: 5 to 10 business days from Friday 20 November: 27 November to 4 December. */
    cr_assert_not_null(v->arrival_window);
    cr_assert(rf_pb_timestamp_us(v->arrival_window->from, &from));
    cr_assert(rf_pb_timestamp_us(v->arrival_window->to, &to));
    cr_assert_str_eq(test_text(from), "2026-11-27T10:00:00Z");
    cr_assert_str_eq(test_text(to), "2026-12-04T10:00:00Z");
    cr_assert_str_eq(v->arrival_window->from_text, "27 de noviembre de 2026");
    cr_assert_str_eq(v->arrival_window->to_text, "4 de diciembre de 2026");
    cr_assert_str_eq(v->stage_text,
                     "Enviamos su reembolso de 39,99 € el 20 de noviembre de 2026. Debería llegar "
                     "a la tarjeta o cuenta con la que pagó (tarjeta) entre el 27 de noviembre de "
                     "2026 y el 4 de diciembre de 2026.");
    cr_assert_str_eq(v->transfer_reference, "");
    cr_assert_str_eq(v->if_not_arrived_text,
                     "Si el dinero no le ha llegado para el 4 de diciembre de 2026, contacte con "
                     "nosotros en help@shop.example y lo revisaremos con nuestro proveedor de "
                     "pagos.");
    cr_assert(rf_pb_timestamp_us(v->update_time, &from));
    cr_assert_str_eq(test_text(from), "2026-11-20T10:00:00Z");
}

Test(tracking_view, the_reconcilers_window_and_reference_are_shown_once_known)
{
    struct rf_refund_row r;
    Refunds__V1__Case *c = sent_case(&r);
    Refunds__V1__CustomerRefundStatus *v;

    r.pb->provider_status = PSTATUS(SUCCEEDED);
    r.pb->transfer_reference = "74230876543210987654321";
    r.pb->transfer_reference_type = "acquirer_reference_number";
    r.window_from_us = test_at("2026-11-30T10:00:00Z");
    r.window_to_us = test_at("2026-12-07T10:00:00Z");
    v = view(c, &r, 1, "en");
    cr_assert_str_eq(v->language, "en");
    cr_assert_str_eq(v->amount_text, "€39.99");
    cr_assert_str_eq(v->arrival_window->from_text, "30 November 2026");
    cr_assert_str_eq(v->arrival_window->to_text, "7 December 2026");
    cr_assert_str_eq(v->transfer_reference, "74230876543210987654321");
    cr_assert_str_eq(v->transfer_reference_type, "ARN");
    cr_assert_str_eq(v->if_not_arrived_text,
                     "If the money has not reached you by 7 December 2026, please ask your bank "
                     "about it and give them this reference, with which they can trace the "
                     "payment: ARN 74230876543210987654321. If they cannot find it, contact us at "
                     "help@shop.example and we will follow it up with our payment provider.");
}

Test(tracking_view, german_and_its_regions_read_in_german_and_other_languages_in_english)
{
    struct rf_refund_row r;
    Refunds__V1__Case *c = sent_case(&r);
    Refunds__V1__CustomerRefundStatus *v = view(c, &r, 1, "de-AT");

    cr_assert_str_eq(v->language, "de");
    cr_assert_str_eq(v->stage_title, "Erstattung unterwegs");
    cr_assert_str_eq(v->amount_text, "39,99 €");
    cr_assert_str_eq(v->arrival_window->to_text, "4. Dezember 2026");
    cr_assert(strstr(v->stage_text, "(Karte)") != NULL, "%s", v->stage_text);
    cr_assert(strstr(v->if_not_arrived_text, "bis zum 4. Dezember 2026") != NULL);
    v = view(c, &r, 1, "fr");
    cr_assert_str_eq(v->language, "en");
    cr_assert_str_eq(v->stage_title, "Refund on its way");
}

Test(tracking_view, only_a_refund_on_its_way_has_a_window_and_advice)
{
    struct rf_refund_row r;
    Refunds__V1__Case *c = sent_case(&r);
    Refunds__V1__CustomerRefundStatus *v;

    received(&r, "2026-11-26T08:00:00Z");
    r.pb->transfer_reference = "ARN-1";
    v = view(c, &r, 1, "en");
    cr_assert_eq(v->stage, STAGE(ARRIVED));
    cr_assert_str_eq(v->stage_text, "Your refund of €39.99 has reached you. Thank you for your "
                                    "patience.");
    cr_assert_null(v->arrival_window);
    cr_assert_str_eq(v->if_not_arrived_text, "");
    cr_assert_str_eq(v->transfer_reference, "ARN-1");
}

Test(tracking_view, every_stage_renders_in_english_spanish_and_german)
{
    static const char *const langs[] = {"en", "es", "de"};
    static const char *const amounts[] = {"€49.99", "49,99 €", "49,99 €"};
    static const Refunds__V1__CaseState states[] = {STATE(OPEN), STATE(PENDING_APPROVAL),
                                                    STATE(DENIED), STATE(WITHDRAWN)};
    static const Refunds__V1__CustomerStage stages[] = {STAGE(RECEIVED), STAGE(IN_REVIEW),
                                                        STAGE(DENIED), STAGE(WITHDRAWN)};

    for (size_t l = 0; l < 3; l++) {
        for (size_t s = 0; s < 4; s++) {
            Refunds__V1__Case *c = case_in(states[s]);
            Refunds__V1__CustomerRefundStatus *v;

            if (states[s] == STATE(DENIED))
                decided(c, false);
            v = view(c, NULL, 0, langs[l]);
            cr_assert_eq(v->stage, stages[s]);
            cr_assert_str_eq(v->language, langs[l]);
            cr_assert_str_eq(v->amount_text, amounts[l]);
            cr_assert_gt(strlen(v->stage_title), 5);
            cr_assert_gt(strlen(v->stage_text), 40);
        }
    }
    /* The dates the received and withdrawn texts carry, in Spanish. */
    cr_assert(strstr(view(case_in(STATE(OPEN)), NULL, 0, NULL)->stage_text,
                     "el 2 de noviembre de 2026") != NULL);
    cr_assert(strstr(view(case_in(STATE(WITHDRAWN)), NULL, 0, NULL)->stage_text,
                     "el 25 de noviembre de 2026") != NULL);
    cr_assert(strstr(view(case_in(STATE(WITHDRAWN)), NULL, 0, NULL)->stage_text,
                     "help@shop.example") != NULL);
}

Test(tracking_view, an_approval_reads_with_the_approved_amount)
{
    Refunds__V1__Case *c = case_in(STATE(APPROVED));
    Refunds__V1__CustomerRefundStatus *v;

    decided(c, true);
    v = view(c, NULL, 0, "de");
    cr_assert_eq(v->stage, STAGE(APPROVED));
    cr_assert_str_eq(v->amount_text, "39,99 €");
    cr_assert_str_eq(v->stage_text,
                     "Ihre Erstattung über 39,99 € wurde genehmigt. Wir buchen sie auf das "
                     "Zahlungsmittel zurück, mit dem Sie bezahlt haben (Karte), und geben Ihnen "
                     "Bescheid, sobald sie unterwegs ist.");
}

static bool contains(const uint8_t *data, size_t len, const char *what)
{
    size_t n = strlen(what);

    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, what, n) == 0)
            return true;
    return false;
}

Test(tracking_view, nothing_internal_reaches_the_reply)
{
    Refunds__V1__Case *cases[3];
    struct rf_refund_row r[3];

    cases[0] = sent_case(&r[0]);
    r[0].pb->transfer_reference = "ARN-OK";
    cases[1] = case_in(STATE(DENIED));
    decided(cases[1], false);
    cases[2] = sent_case(&r[2]);
    received(&r[2], "2026-11-26T08:00:00Z");
    for (size_t i = 0; i < 3; i++) {
        Refunds__V1__CustomerRefundStatus *v = view(cases[i], &r[i], i == 1 ? 0 : 1, NULL);
        size_t len;
        const uint8_t *packed = rf_pb_pack(arena, &v->base, &len);

        cr_assert_gt(len, 100);
        cr_assert_not(contains(packed, len, "SECRET"), "case %zu", i);
        cr_assert_not(contains(packed, len, "secret"), "case %zu", i);
    }
}
