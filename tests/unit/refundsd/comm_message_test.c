/*
 * Unit tests of the decision message (services/refundsd/comm_message.c):
 * every decision template of every channel and language rendered through the
 * code that fills it, with a full set of values, and failing when a template
 * asks for a value the code does not give; amounts and dates written for the
 * language (0- and 3-decimal currencies too); the arrival window of an
 * approval across weekends, month and year ends, the one of a refund on its
 * way, and its reference; a denial's reasons and offers (amounts, the last
 * day to accept); recipients per channel; names of messages; HTML escaping of
 * the e-mail body only.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "comm_message.h"
#include "refunds/arena.h"
#include "test_templates.h"

#define ALT(s) REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_##s

TestSuite(comm_render, .init = setup, .fini = teardown);
TestSuite(comm_money, .init = setup, .fini = teardown);
TestSuite(comm_offer, .init = setup, .fini = teardown);
TestSuite(comm_names, .init = setup, .fini = teardown);

static const struct rf_comm_offer_terms terms = {
    .offer_valid_days = 30, .store_credit_valid_days = 365, .voucher_percent = 10};

/* Ana's case in language, requested minor of currency, paid by method. */
static Refunds__V1__Case *a_case(const char *language, int64_t minor, const char *currency,
                                 Refunds__V1__PaymentMethod method)
{
    Refunds__V1__Case *c = rf_pb_new(arena, &refunds__v1__case__descriptor);
    Refunds__V1__Customer *cu = rf_pb_new(arena, &refunds__v1__customer__descriptor);
    Refunds__V1__Product *pr = rf_pb_new(arena, &refunds__v1__product__descriptor);
    Refunds__V1__Payment *pay = rf_pb_new(arena, &refunds__v1__payment__descriptor);

    cu->name = "Ana Pérez";
    cu->email = "ana@example.com";
    cu->phone = "+34 600 123 456";
    cu->preferred_language = (char *)language;
    pr->order_id = "ORD-1001";
    pr->name = "Espresso machine";
    pay->method = method;
    c->name = "cases/0190f5c2-0000-7000-8000-000000000001";
    c->customer = cu;
    c->product = pr;
    c->payment = pay;
    c->amount_paid = test_money(arena, minor, currency);
    c->requested_amount = test_money(arena, minor, currency);
    c->state = REFUNDS__V1__CASE_STATE__CASE_STATE_APPROVED;
    c->tracking_token = "TOKEN";
    return c;
}

static void approve(Refunds__V1__Case *c, int64_t minor)
{
    Refunds__V1__Approval *ap = rf_pb_new(arena, &refunds__v1__approval__descriptor);

    ap->decision = REFUNDS__V1__DECISION__DECISION_APPROVE;
    ap->approved_amount = test_money(arena, minor, c->requested_amount->currency);
    ap->decide_time = at("2026-11-20T10:00:00Z");
    c->approval = ap;
}

static void deny(Refunds__V1__Case *c, const char *reason, const Refunds__V1__Alternative *alts,
                 size_t n)
{
    Refunds__V1__Approval *ap = rf_pb_new(arena, &refunds__v1__approval__descriptor);

    ap->decision = REFUNDS__V1__DECISION__DECISION_DENY;
    ap->decision_reason = (char *)reason;
    ap->alternatives = rf_arena_calloc(arena, n + 1, sizeof *ap->alternatives);
    if (n > 0)
        memcpy(ap->alternatives, alts, n * sizeof *alts);
    ap->n_alternatives = n;
    c->approval = ap;
    c->state = REFUNDS__V1__CASE_STATE__CASE_STATE_DENIED;
}

static struct rf_comm_message render_on(const struct rf_templates *set, const Refunds__V1__Case *c,
                                        enum rf_comm_channel ch, const struct rf_comm_money *m,
                                        const struct rf_comm_offer *o, const char *language)
{
    struct rf_comm_input in = {
        .c = c,
        .channel = ch,
        .language = language,
        .merchant_name = "Example Shop",
        .support_contact = "help@example.com",
        .tracking_url = "https://shop.example/t/TOKEN",
        .money = m,
        .offer = o,
    };
    struct rf_comm_message msg;

    cr_assert_eq(rf_comm_render(set, &in, arena, &msg, &err), RF_OK, "%s", err.message);
    return msg;
}

static struct rf_comm_message render(const Refunds__V1__Case *c, enum rf_comm_channel ch,
                                     const struct rf_comm_money *m, const struct rf_comm_offer *o)
{
    return render_on(templates, c, ch, m, o, NULL);
}

static void assert_has(const char *text, const char *part)
{
    cr_assert(strstr(text, part) != NULL, "\"%s\" is not in:\n%s", part, text);
}

static void assert_lacks(const char *text, const char *part)
{
    cr_assert(strstr(text, part) == NULL, "\"%s\" is in:\n%s", part, text);
}

/* The money of an approval on its way from now, with or without a reference. */
static struct rf_comm_money money_of(const Refunds__V1__Case *c, const char *now)
{
    struct rf_comm_money m;

    rf_comm_money_of(arena, c, NULL, 0, rf_arrival_defaults(), test_at(now), &m);
    return m;
}

static const char *const languages[] = {"en", "es", "de"};
static const enum rf_comm_channel channels[] = {RF_COMM_EMAIL, RF_COMM_SMS, RF_COMM_PHONE_SCRIPT,
                                                RF_COMM_LETTER};

Test(comm_render, every_channel_and_language_renders_an_approval_with_every_value)
{
    static const char *const amount[] = {"€1,234.56", "1.234,56 €", "1.234,56 €"};
    static const char *const window[] = {"6 February 2026", "6 de febrero de 2026",
                                         "6. Februar 2026"};

    for (size_t l = 0; l < 3; l++) {
        Refunds__V1__Case *c =
            a_case(languages[l], 123456, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
        struct rf_comm_money m;

        approve(c, 123456);
        m = money_of(c, "2026-01-30T10:00:00Z");
        for (int ref = 0; ref < 2; ref++) {
            m.reference = ref ? "74629830" : "";
            m.reference_type = ref ? "ARN" : "";
            for (size_t k = 0; k < 4; k++) {
                struct rf_comm_message msg = render(c, channels[k], &m, NULL);

                cr_assert_str_eq(msg.lang, languages[l]);
                cr_assert_geq(msg.version, 1);
                assert_lacks(msg.body, "{{");
                assert_has(msg.body, amount[l]);
                assert_has(msg.body, window[l]);
                assert_has(msg.body, "https://shop.example/t/TOKEN");
                cr_assert_eq(msg.subject[0] != '\0',
                             channels[k] == RF_COMM_EMAIL || channels[k] == RF_COMM_LETTER, "%s",
                             msg.situation);
                cr_assert_eq(msg.html_body[0] != '\0', channels[k] == RF_COMM_EMAIL);
                /* The reference is for the bank: e-mail, letter and call give it; SMS is short. */
                if (ref && channels[k] != RF_COMM_SMS)
                    assert_has(msg.body, "ARN 74629830");
                if (!ref)
                    assert_lacks(msg.body, "ARN");
            }
        }
    }
}

Test(comm_render, every_channel_and_language_renders_a_denial_with_each_alternative)
{
    static const Refunds__V1__Alternative all[] = {ALT(STORE_CREDIT), ALT(EXCHANGE), ALT(REPAIR),
                                                   ALT(DISCOUNT_VOUCHER)};
    static const char *const credit[] = {"€49.99", "49,99 €", "49,99 €"};
    static const char *const voucher[] = {"€4.99", "4,99 €", "4,99 €"};
    static const char *const until[] = {"2 December 2026", "2 de diciembre de 2026",
                                        "2. Dezember 2026"};

    for (size_t l = 0; l < 3; l++) {
        for (unsigned combo = 0; combo < 16; combo++) {
            Refunds__V1__Alternative alts[4];
            size_t n = 0;
            Refunds__V1__Case *c =
                a_case(languages[l], 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
            struct rf_comm_offer o;

            for (unsigned b = 0; b < 4; b++)
                if (combo & (1u << b))
                    alts[n++] = all[b];
            deny(c, "the machine was used for two years.", alts, n);
            rf_comm_offer_of(c, &terms, test_at("2026-11-02T10:00:00Z"), &o);
            for (size_t k = 0; k < 4; k++) {
                struct rf_comm_message msg = render(c, channels[k], NULL, &o);

                assert_lacks(msg.body, "{{");
                assert_has(msg.body, "the machine was used for two years");
                assert_lacks(msg.body, "two years..");
                cr_assert_eq(strstr(msg.body, credit[l]) != NULL, (combo & 1) != 0, "%s %u:\n%s",
                             msg.situation, combo, msg.body);
                cr_assert_eq(strstr(msg.body, voucher[l]) != NULL, (combo & 8) != 0, "%s %u",
                             msg.situation, combo);
                /* The last day to accept, wherever something is offered. */
                cr_assert_eq(strstr(msg.body, until[l]) != NULL, combo != 0, "%s %u:\n%s",
                             msg.situation, combo, msg.body);
                if (combo & 2)
                    assert_has(msg.body, "Espresso machine");
            }
        }
    }
}

Test(comm_render, amounts_follow_the_language_and_the_currency_digits)
{
    static const struct {
        int64_t minor;
        const char *currency, *lang, *want;
    } cases[] = {
        {123456, "EUR", "en", "€1,234.56"},      {123456, "EUR", "es", "1.234,56 €"},
        {123456, "EUR", "de", "1.234,56 €"},     {1235, "JPY", "en", "¥1,235"},
        {1235, "JPY", "de", "1.235 ¥"},          {1234567, "KWD", "en", "KWD 1,234.567"},
        {1234567, "KWD", "es", "1.234,567 KWD"}, {999, "USD", "es", "9,99 US$"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Refunds__V1__Case *c = a_case(cases[i].lang, cases[i].minor, cases[i].currency,
                                      REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
        struct rf_comm_money m;

        approve(c, cases[i].minor);
        m = money_of(c, "2026-11-20T10:00:00Z");
        assert_has(render(c, RF_COMM_EMAIL, &m, NULL).body, cases[i].want);
    }
}

Test(comm_render, a_regional_tag_falls_back_to_its_language_then_to_english)
{
    Refunds__V1__Case *c =
        a_case("de-AT", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_money m;
    struct rf_comm_message msg;

    approve(c, 4999);
    m = money_of(c, "2027-01-05T10:00:00Z");
    msg = render(c, RF_COMM_EMAIL, &m, NULL);
    cr_assert_str_eq(msg.lang, "de");
    assert_has(msg.body, "49,99 €");
    cr_assert_str_eq(render_on(templates, c, RF_COMM_EMAIL, &m, NULL, "es-MX").lang, "es");
    cr_assert_str_eq(render_on(templates, c, RF_COMM_EMAIL, &m, NULL, "fr").lang, "en");
}

Test(comm_render, the_method_is_the_label_else_the_method_in_the_language)
{
    Refunds__V1__Case *c =
        a_case("es", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_money m;

    approve(c, 4999);
    m = money_of(c, "2026-11-20T10:00:00Z");
    assert_has(render(c, RF_COMM_EMAIL, &m, NULL).body, "con la que pagó (tarjeta)");
    c->payment->label = "Visa •••• 4242";
    assert_has(render(c, RF_COMM_EMAIL, &m, NULL).body, "con la que pagó (Visa •••• 4242)");
}

Test(comm_render, a_value_is_escaped_for_html_in_the_email_body_only)
{
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_money m;
    struct rf_comm_message msg;

    c->customer->name = "Ana <Pérez> & Co";
    approve(c, 4999);
    m = money_of(c, "2026-11-20T10:00:00Z");
    msg = render(c, RF_COMM_EMAIL, &m, NULL);
    assert_has(msg.body, "Dear Ana <Pérez> & Co,");
    assert_has(msg.html_body, "Dear Ana &lt;Pérez&gt; &amp; Co,");
    cr_assert_str_eq(render(c, RF_COMM_LETTER, &m, NULL).html_body, "");
}

Test(comm_render, a_case_without_a_decision_has_nothing_to_tell)
{
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_input in = {.c = c, .channel = RF_COMM_EMAIL};
    struct rf_comm_message msg;

    cr_assert_eq(rf_comm_render(templates, &in, arena, &msg, &err), RF_FAILED_PRECONDITION);
    assert_has(err.message, "has no decision yet");
}

/* A template set whose e-mail asks for a value the code never gives. */
static const struct rf_template_source asking_too_much[] = {
    {"decision.approved", "en", "decision.approved.en.txt",
     "Version: 1\nSubject: s\n\n{{amount}} and {{loyalty_points}}"},
};

Test(comm_render, a_template_asking_for_a_value_the_code_lacks_fails_naming_it)
{
    struct rf_templates *set = NULL;
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_money m;
    struct rf_comm_input in = {.c = c,
                               .channel = RF_COMM_EMAIL,
                               .merchant_name = "M",
                               .support_contact = "S",
                               .tracking_url = "U",
                               .money = &m};
    struct rf_comm_message msg;

    cr_assert_eq(rf_templates_create(asking_too_much, 1, &set, &err), RF_OK, "%s", err.message);
    approve(c, 4999);
    m = money_of(c, "2026-11-20T10:00:00Z");
    cr_assert_eq(rf_comm_render(set, &in, arena, &msg, &err), RF_INTERNAL);
    assert_has(err.message, "loyalty_points");
    rf_templates_destroy(set);
}

/* The window of an approval paid by method, not yet sent, decided at now. */
static void assert_window(Refunds__V1__PaymentMethod method, const char *now, const char *from,
                          const char *to)
{
    Refunds__V1__Case *c = a_case("en", 4999, "EUR", method);
    struct rf_comm_money m;

    approve(c, 4999);
    m = money_of(c, now);
    cr_assert_str_eq(test_text(m.window_from_us), from, "from, after %s", now);
    cr_assert_str_eq(test_text(m.window_to_us), to, "to, after %s", now);
}

Test(comm_money, a_card_window_skips_weekends_across_a_month_end)
{
    /* Friday 30 January: 5 and 10 business days on are Fridays in February. */
    assert_window(REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD, "2026-01-30T10:00:00Z",
                  "2026-02-06T10:00:00Z", "2026-02-13T10:00:00Z");
}

Test(comm_money, a_weekend_decision_counts_from_monday_morning)
{
    /* Saturday 31 October counts as Monday 2 November 00:00. */
    assert_window(REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD, "2026-10-31T10:00:00Z",
                  "2026-11-09T00:00:00Z", "2026-11-16T00:00:00Z");
}

Test(comm_money, a_bank_transfer_window_crosses_the_year_end)
{
    /* Thursday 31 December, 1-5 business days: Friday 1 January to Thursday 7 January. */
    assert_window(REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_BANK_TRANSFER, "2026-12-31T10:00:00Z",
                  "2027-01-01T10:00:00Z", "2027-01-07T10:00:00Z");
}

Test(comm_money, paypal_across_the_end_of_february)
{
    assert_window(REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_PAYPAL, "2026-02-27T10:00:00Z",
                  "2026-02-27T10:00:00Z", "2026-03-04T10:00:00Z");
}

Test(comm_money, money_at_once_is_one_day_and_said_so)
{
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CASH);
    struct rf_comm_money m;
    struct rf_comm_message msg;

    approve(c, 4999);
    m = money_of(c, "2026-10-31T10:00:00Z");
    cr_assert_eq(m.window_from_us, m.window_to_us);
    cr_assert_str_eq(test_text(m.window_from_us), "2026-11-02T00:00:00Z");
    msg = render(c, RF_COMM_EMAIL, &m, NULL);
    assert_has(msg.body, "The money will be yours to use from 2 November 2026.");
    assert_lacks(msg.body, "between");
}

Test(comm_money, the_approved_amount_is_told_not_the_requested_one)
{
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_money m;

    approve(c, 2500);
    m = money_of(c, "2026-11-20T10:00:00Z");
    cr_assert_eq(m.amount_minor, 2500);
    assert_has(render(c, RF_COMM_EMAIL, &m, NULL).body, "a refund of €25.00 for");
}

/* A refund of the case issued at issued, with provider status st. */
static void a_refund(struct rf_refund_row *r, const char *issued, Refunds__V1__ProviderStatus st)
{
    Refunds__V1__Refund *pb = rf_pb_new(arena, &refunds__v1__refund__descriptor);

    memset(r, 0, sizeof *r);
    pb->amount = test_money(arena, 4999, "EUR");
    pb->issue_time = at(issued);
    pb->provider_status = st;
    pb->transfer_reference = "";
    pb->transfer_reference_type = "";
    r->pb = pb;
    r->payment_method = "card";
}

Test(comm_money, a_refund_on_its_way_gives_its_window_and_reference)
{
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_refund_row r;
    struct rf_comm_money m;
    struct rf_comm_message msg;

    approve(c, 4999);
    c->state = REFUNDS__V1__CASE_STATE__CASE_STATE_REFUND_IN_PROGRESS;
    /* Issued Friday 20 November, not yet confirmed by the provider: estimated from the issue. */
    a_refund(&r, "2026-11-20T10:00:00Z", REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_PENDING);
    rf_comm_money_of(arena, c, &r, 1, rf_arrival_defaults(), test_at("2026-12-01T10:00:00Z"), &m);
    cr_assert_str_eq(test_text(m.window_from_us), "2026-11-27T10:00:00Z");
    cr_assert_str_eq(test_text(m.window_to_us), "2026-12-04T10:00:00Z");
    cr_assert_str_eq(m.reference, "");
    /* Succeeded with a reference: the reconciler's window, and the reference to give the bank. */
    r.pb->provider_status = REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_SUCCEEDED;
    r.pb->transfer_reference = "74629830";
    r.pb->transfer_reference_type = "acquirer_reference_number";
    r.window_from_us = test_at("2026-11-30T10:00:00Z");
    r.window_to_us = test_at("2026-12-07T10:00:00Z");
    rf_comm_money_of(arena, c, &r, 1, rf_arrival_defaults(), test_at("2026-12-01T10:00:00Z"), &m);
    cr_assert_str_eq(test_text(m.window_to_us), "2026-12-07T10:00:00Z");
    cr_assert_str_eq(m.reference, "74629830");
    cr_assert_str_eq(m.reference_type, "ARN");
    msg = render(c, RF_COMM_EMAIL, &m, NULL);
    assert_has(msg.body, "If it has not arrived by 7 December 2026, please ask your bank");
    assert_has(msg.body, "ARN 74629830");
    /* A failed refund is not on its way: the window is counted from now, no reference. */
    r.pb->provider_status = REFUNDS__V1__PROVIDER_STATUS__PROVIDER_STATUS_FAILED;
    rf_comm_money_of(arena, c, &r, 1, rf_arrival_defaults(), test_at("2026-12-01T10:00:00Z"), &m);
    cr_assert_str_eq(test_text(m.window_from_us), "2026-12-08T10:00:00Z");
    cr_assert_str_eq(m.reference, "");
}

Test(comm_offer, a_denial_offers_what_its_decision_lists_with_amounts_and_days)
{
    static const Refunds__V1__Alternative alts[] = {ALT(STORE_CREDIT), ALT(EXCHANGE), ALT(REPAIR),
                                                    ALT(DISCOUNT_VOUCHER)};
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_offer o;

    deny(c, "used", alts, 4);
    rf_comm_offer_of(c, &terms, test_at("2026-11-02T10:00:00Z"), &o);
    cr_assert(o.store_credit && o.exchange && o.repair && o.voucher);
    cr_assert(rf_comm_offer_any(&o));
    cr_assert_eq(o.store_credit_minor, 4999);
    cr_assert_eq(o.voucher_minor, 499, "10 %% rounded down to a whole cent");
    cr_assert_str_eq(o.exchange_product, "Espresso machine");
    cr_assert_str_eq(o.repair_product, "Espresso machine");
    cr_assert_str_eq(o.currency, "EUR");
    /* The whole of the day the message names. */
    cr_assert_str_eq(test_text(o.valid_until_us), "2026-12-02T23:59:59.999999Z");
    cr_assert_str_eq(test_text(o.store_credit_valid_until_us), "2027-11-02T23:59:59.999999Z");
}

Test(comm_offer, a_voucher_is_at_least_one_minor_unit)
{
    static const Refunds__V1__Alternative alts[] = {ALT(DISCOUNT_VOUCHER)};
    Refunds__V1__Case *c = a_case("en", 5, "JPY", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_offer o;

    deny(c, "used", alts, 1);
    rf_comm_offer_of(c, &terms, test_at("2026-11-02T10:00:00Z"), &o);
    cr_assert_eq(o.voucher_minor, 1);
    cr_assert_not(o.store_credit);
}

Test(comm_offer, an_approval_or_a_denial_without_alternatives_offers_nothing)
{
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    struct rf_comm_offer o;
    struct rf_comm_message msg;

    approve(c, 4999);
    rf_comm_offer_of(c, &terms, test_at("2026-11-02T10:00:00Z"), &o);
    cr_assert_not(rf_comm_offer_any(&o));
    cr_assert_eq(o.valid_until_us, 0);
    deny(c, "used", NULL, 0);
    rf_comm_offer_of(c, &terms, test_at("2026-11-02T10:00:00Z"), &o);
    cr_assert_not(rf_comm_offer_any(&o));
    msg = render(c, RF_COMM_EMAIL, NULL, &o);
    assert_has(msg.body, "We know this is not the answer you were hoping for.");
}

Test(comm_names, recipients_follow_the_channel)
{
    Refunds__V1__Case *c =
        a_case("en", 4999, "EUR", REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD);
    const char *to = NULL;

    cr_assert_eq(rf_comm_recipient(c, RF_COMM_EMAIL, &to, &err), RF_OK);
    cr_assert_str_eq(to, "ana@example.com");
    cr_assert_eq(rf_comm_recipient(c, RF_COMM_SMS, &to, &err), RF_OK);
    cr_assert_str_eq(to, "+34 600 123 456");
    cr_assert_eq(rf_comm_recipient(c, RF_COMM_LETTER, &to, &err), RF_OK);
    cr_assert_str_eq(to, "");
    c->customer->phone = "";
    cr_assert_eq(rf_comm_recipient(c, RF_COMM_PHONE_SCRIPT, &to, &err), RF_FAILED_PRECONDITION);
    assert_has(err.message, "no phone number");
}

Test(comm_names, situations_per_channel)
{
    cr_assert_str_eq(rf_comm_situation(true, RF_COMM_EMAIL), "decision.approved");
    cr_assert_str_eq(rf_comm_situation(true, RF_COMM_LETTER), "decision.approved");
    cr_assert_str_eq(rf_comm_situation(false, RF_COMM_SMS), "decision.denied.sms");
    cr_assert_str_eq(rf_comm_situation(false, RF_COMM_PHONE_SCRIPT), "decision.denied.phone");
}

Test(comm_names, channel_names_round_trip)
{
    for (size_t k = 0; k < 4; k++) {
        enum rf_comm_channel ch;

        cr_assert(rf_comm_channel_parse(rf_comm_channel_name(channels[k]), &ch));
        cr_assert_eq(ch, channels[k]);
    }
    cr_assert_null(rf_comm_channel_name((enum rf_comm_channel)0));
    cr_assert_null(rf_comm_channel_name((enum rf_comm_channel)5));
}

Test(comm_names, message_names_parse_and_bad_ones_do_not)
{
    char id[RF_UUID_TEXT_LEN + 1];
    int seq = 0;

    cr_assert(rf_comm_name_parse("cases/0190F5C2-0000-7000-8000-000000000001/communications/12", id,
                                 &seq));
    cr_assert_str_eq(id, "0190f5c2-0000-7000-8000-000000000001");
    cr_assert_eq(seq, 12);
    static const char *const bad[] = {
        "",
        "cases/0190f5c2-0000-7000-8000-000000000001",
        "cases/0190f5c2-0000-7000-8000-000000000001/communications/",
        "cases/0190f5c2-0000-7000-8000-000000000001/communications/0",
        "cases/0190f5c2-0000-7000-8000-000000000001/communications/01",
        "cases/0190f5c2-0000-7000-8000-000000000001/communications/-1",
        "cases/0190f5c2-0000-7000-8000-000000000001/communications/1x",
        "cases/0190f5c2-0000-7000-8000-000000000001/communications/99999999999",
        "cases/x/communications/1",
        "followups/0190f5c2-0000-7000-8000-000000000001/communications/1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_comm_name_parse(bad[i], id, &seq), "%s", bad[i]);
}

Test(comm_names, a_day_ends_at_its_last_microsecond_in_utc)
{
    cr_assert_str_eq(test_text(rf_comm_day_end(test_at("2026-02-28T00:00:00Z"))),
                     "2026-02-28T23:59:59.999999Z");
    cr_assert_str_eq(test_text(rf_comm_day_end(test_at("2026-12-31T23:59:59.999999Z"))),
                     "2026-12-31T23:59:59.999999Z");
}
