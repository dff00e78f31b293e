/*
 * The decision message to the customer (see comm_message.h): channels and
 * situations, a denial's offer, an approval's money, and the values every
 * decision.* template takes, set for the language the template was found in.
 */
#include <stdlib.h>
#include <string.h>

#include "case_store.h"
#include "case_validate.h"
#include "comm_message.h"
#include "refunds/arena.h"
#include "refunds/locale.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "refunds/psp.h"
#include "refunds/timeutil.h"
#include "tracking_view.h"

#define DAY_US (86400LL * RF_USEC_PER_SEC)

static const char *const channel_names[] = {
    [RF_COMM_EMAIL] = "EMAIL",
    [RF_COMM_SMS] = "SMS",
    [RF_COMM_PHONE_SCRIPT] = "PHONE_SCRIPT",
    [RF_COMM_LETTER] = "LETTER",
};

const char *rf_comm_channel_name(enum rf_comm_channel ch)
{
    if ((int)ch < RF_COMM_EMAIL || ch > RF_COMM_LETTER)
        return NULL;
    return channel_names[ch];
}

bool rf_comm_channel_parse(const char *s, enum rf_comm_channel *out)
{
    for (int i = RF_COMM_EMAIL; i <= RF_COMM_LETTER; i++) {
        if (strcmp(channel_names[i], s) == 0) {
            *out = (enum rf_comm_channel)i;
            return true;
        }
    }
    return false;
}

bool rf_comm_name_parse(const char *name, char case_id[RF_UUID_TEXT_LEN + 1], int *seq)
{
    static const char sep[] = "/communications/";
    const char *sub = strstr(name, sep);
    char head[64], *end;
    long n;

    if (sub == NULL || (size_t)(sub - name) >= sizeof head)
        return false;
    memcpy(head, name, (size_t)(sub - name));
    head[sub - name] = '\0';
    sub += sizeof sep - 1;
    if (*sub < '1' || *sub > '9')
        return false;
    n = strtol(sub, &end, 10);
    if (*end != '\0' || n > 1000000000L)
        return false;
    *seq = (int)n;
    return rf_case_name_parse(head, case_id);
}

const char *rf_comm_situation(bool approved, enum rf_comm_channel ch)
{
    switch (ch) {
    case RF_COMM_SMS:
        return approved ? "decision.approved.sms" : "decision.denied.sms";
    case RF_COMM_PHONE_SCRIPT:
        return approved ? "decision.approved.phone" : "decision.denied.phone";
    default:
        return approved ? "decision.approved" : "decision.denied";
    }
}

int64_t rf_comm_day_end(int64_t us)
{
    int64_t y;
    unsigned m, d;

    rf_time_civil_date(us, &y, &m, &d);
    return rf_days_from_civil(y, m, d) * DAY_US + DAY_US - 1;
}

bool rf_comm_offer_any(const struct rf_comm_offer *offer)
{
    return offer->store_credit || offer->exchange || offer->repair || offer->voucher;
}

void rf_comm_offer_of(const Refunds__V1__Case *c, const struct rf_comm_offer_terms *terms,
                      int64_t now_us, struct rf_comm_offer *out)
{
    const Refunds__V1__Approval *ap = c->approval;
    const Refunds__V1__AlternativeOffer *offered = ap != NULL ? ap->alternative_offer : NULL;
    int64_t requested = c->requested_amount->amount_minor;

    memset(out, 0, sizeof *out);
    out->currency = c->requested_amount->currency;
    out->exchange_product = "";
    out->repair_product = "";
    if (!rf_approval_denies(ap))
        return;
    for (size_t i = 0; i < ap->n_alternatives; i++) {
        switch (ap->alternatives[i]) {
        case REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_STORE_CREDIT:
            out->store_credit = true;
            /* The credit the approver offered instead of a refund, else the amount asked. */
            out->store_credit_minor = offered != NULL && offered->amount != NULL
                                          ? offered->amount->amount_minor
                                          : requested;
            out->store_credit_valid_until_us =
                rf_comm_day_end(now_us + terms->store_credit_valid_days * DAY_US);
            break;
        case REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_EXCHANGE:
            out->exchange = true;
            out->exchange_product = offered != NULL && offered->product[0] != '\0'
                                        ? offered->product
                                        : c->product->name;
            break;
        case REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_REPAIR:
            out->repair = true;
            out->repair_product = c->product->name;
            break;
        case REFUNDS__V1__ALTERNATIVE__ALTERNATIVE_DISCOUNT_VOUCHER:
            out->voucher = true;
            out->voucher_minor = requested * terms->voucher_percent / 100;
            if (out->voucher_minor < 1)
                out->voucher_minor = 1;
            break;
        default:
            break;
        }
    }
    if (rf_comm_offer_any(out))
        out->valid_until_us = rf_comm_day_end(now_us + terms->offer_valid_days * DAY_US);
}

void rf_comm_money_of(struct rf_arena *a, const Refunds__V1__Case *c,
                      const struct rf_refund_row *refunds, size_t n,
                      const struct rf_arrival_table *arrival, int64_t now_us,
                      struct rf_comm_money *out)
{
    const Refunds__V1__Approval *ap = c->approval;
    struct rf_tracking_stage st;

    memset(out, 0, sizeof *out);
    out->reference = "";
    out->reference_type = "";
    out->amount_minor = c->requested_amount->amount_minor;
    out->currency = c->requested_amount->currency;
    if (ap != NULL && ap->approved_amount != NULL) {
        out->amount_minor = ap->approved_amount->amount_minor;
        out->currency = ap->approved_amount->currency;
    }
    rf_tracking_stage_of(c, refunds, n, &st);
    if (st.stage == REFUNDS__V1__CUSTOMER_STAGE__CUSTOMER_STAGE_REFUND_SENT) {
        rf_tracking_refund_window(arrival, st.refund, &out->window_from_us, &out->window_to_us);
        if (st.refund->pb->transfer_reference[0] != '\0') {
            out->reference = st.refund->pb->transfer_reference;
            out->reference_type =
                rf_psp_reference_type_short(st.refund->pb->transfer_reference_type);
        }
        return;
    }
    /* Not sent yet: the payments team sends approved refunds in turn, from now. */
    if (!rf_arrival_window(arrival, rf_case_payment_method(a, c), now_us, &out->window_from_us,
                           &out->window_to_us))
        rf_arrival_window(arrival, "other", now_us, &out->window_from_us, &out->window_to_us);
}

enum rf_code rf_comm_recipient(const Refunds__V1__Case *c, enum rf_comm_channel ch,
                               const char **out, struct rf_error *err)
{
    switch (ch) {
    case RF_COMM_EMAIL:
        *out = c->customer->email;
        return RF_OK;
    case RF_COMM_SMS:
    case RF_COMM_PHONE_SCRIPT:
        if (c->customer->phone[0] == '\0')
            return rf_fail(err, RF_FAILED_PRECONDITION,
                           "%s has no phone number for the customer: send the decision by e-mail "
                           "or letter",
                           c->name);
        *out = c->customer->phone;
        return RF_OK;
    default:
        *out = "";
        return RF_OK;
    }
}

/* The decision's reason as the template's sentence takes it: no final full stop or space. */
static const char *reasons_text(struct rf_arena *a, const char *reason)
{
    size_t n = strlen(reason);

    while (n > 0 && (reason[n - 1] == '.' || reason[n - 1] == ' ' || reason[n - 1] == '\n' ||
                     reason[n - 1] == '\t' || reason[n - 1] == '\r'))
        n--;
    return rf_arena_strndup(a, reason, n);
}

static void approved_values(struct rf_render_values *v, const struct rf_comm_money *m,
                            const char *lang)
{
    rf_render_set_money(v, "amount", m->amount_minor, m->currency, lang);
    rf_render_set_date(v, "window_from", m->window_from_us, lang);
    rf_render_set_date(v, "window_to", m->window_to_us, lang);
    rf_render_set_flag(v, "at_once", m->window_from_us == m->window_to_us);
    rf_render_set_flag(v, "has_reference", m->reference[0] != '\0');
    rf_render_set(v, "reference", m->reference);
    rf_render_set(v, "reference_type", m->reference_type);
}

static void denied_values(struct rf_arena *a, struct rf_render_values *v,
                          const Refunds__V1__Case *c, const struct rf_comm_offer *o,
                          const char *lang)
{
    rf_render_set(v, "reasons", reasons_text(a, c->approval->decision_reason));
    rf_render_set_flag(v, "store_credit", o->store_credit);
    rf_render_set_flag(v, "exchange", o->exchange);
    rf_render_set_flag(v, "repair", o->repair);
    rf_render_set_flag(v, "discount_voucher", o->voucher);
    rf_render_set_money(v, "store_credit_amount", o->store_credit_minor, o->currency, lang);
    rf_render_set_date(v, "store_credit_valid_until", o->store_credit_valid_until_us, lang);
    rf_render_set(v, "exchange_product", o->exchange_product);
    rf_render_set_money(v, "voucher_amount", o->voucher_minor, o->currency, lang);
    rf_render_set_date(v, "offer_valid_until", o->valid_until_us, lang);
}

enum rf_code rf_comm_render(const struct rf_templates *set, const struct rf_comm_input *in,
                            struct rf_arena *a, struct rf_comm_message *out, struct rf_error *err)
{
    const Refunds__V1__Case *c = in->c;
    const Refunds__V1__Approval *ap = c->approval;
    const char *tag = in->language != NULL && in->language[0] != '\0'
                          ? in->language
                          : c->customer->preferred_language;
    const struct rf_template *t;
    struct rf_render_values *v;
    struct rf_rendered text, html;
    bool approved;
    const char *lang;
    enum rf_code code;

    if (ap == NULL ||
        (ap->decision != REFUNDS__V1__DECISION__DECISION_APPROVE && !rf_approval_denies(ap)))
        return rf_fail(err, RF_FAILED_PRECONDITION,
                       "%s has no decision yet: there is nothing to tell the customer", c->name);
    approved = ap->decision == REFUNDS__V1__DECISION__DECISION_APPROVE;
    code = rf_template_find(set, rf_comm_situation(approved, in->channel), tag, &t, err);
    if (code != RF_OK)
        return code;
    lang = rf_template_lang(t);
    v = rf_render_values_create(a);
    rf_render_set(v, "customer_name", c->customer->name);
    rf_render_set(v, "product_name", c->product->name);
    rf_render_set(v, "order_ref", c->product->order_id);
    rf_render_set(v, "case_ref", rf_name_id(c->name));
    rf_render_set(v, "merchant_name", in->merchant_name);
    rf_render_set(v, "support_contact", in->support_contact);
    rf_render_set(v, "tracking_url", in->tracking_url);
    rf_render_set(v, "payment_method",
                  c->payment->label[0] != '\0'
                      ? c->payment->label
                      : rf_payment_method_text(rf_case_payment_method(a, c), lang));
    if (approved)
        approved_values(v, in->money, lang);
    else
        denied_values(a, v, c, in->offer, lang);
    code = rf_render(t, v, RF_RENDER_TEXT, a, &text, err);
    if (code == RF_OK && in->channel == RF_COMM_EMAIL)
        code = rf_render(t, v, RF_RENDER_HTML, a, &html, err);
    if (code != RF_OK)
        return code;
    out->situation = rf_template_situation(t);
    out->lang = lang;
    out->version = rf_template_version(t);
    out->subject = text.subject != NULL ? text.subject : "";
    out->body = text.body;
    out->html_body = in->channel == RF_COMM_EMAIL ? html.body : "";
    return RF_OK;
}
