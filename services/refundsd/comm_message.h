/*
 * The decision message to the customer (step 5 of the process): which
 * template a decision and a channel call for, what a denial offers instead
 * (store credit, exchange, repair, a discount voucher, each with its amount or
 * product and the last day to accept), when an approved refund's money should
 * arrive, and the message itself rendered in the customer's language from the
 * decision.* templates (docs/messages.md), as plain text and, for e-mail, as
 * HTML. Pure: the case, its refunds and the settings in, text out; no I/O, no
 * clock (the time is given), no global state. Not for storing or sending
 * messages (comm_store.h, communication.c) and not for the customer's status
 * page (tracking_view.h), whose dates it shares.
 */
#ifndef REFUNDS_COMM_MESSAGE_H
#define REFUNDS_COMM_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refund_store.h"
#include "refunds/arrival.h"
#include "refunds/crypto.h"
#include "refunds/render.h"
#include "refunds/status.h"
#include "refunds/v1/cases.pb-c.h"

struct rf_arena;

/* Same values as refunds.v1.CommunicationChannel. */
enum rf_comm_channel {
    RF_COMM_EMAIL = 1,
    RF_COMM_SMS = 2,
    RF_COMM_PHONE_SCRIPT = 3,
    RF_COMM_LETTER = 4,
};

/* "EMAIL", "SMS", "PHONE_SCRIPT", "LETTER" (as stored); NULL for another value. */
const char *rf_comm_channel_name(enum rf_comm_channel ch);

/* The channel named s (as stored); false when none. */
bool rf_comm_channel_parse(const char *s, enum rf_comm_channel *out);

/*
 * Parses "cases/{uuid}/communications/{n}" (n from 1) into the case id (lower
 * case) and n; false when name is not that.
 */
bool rf_comm_name_parse(const char *name, char case_id[RF_UUID_TEXT_LEN + 1], int *seq);

/*
 * The template situation of a decision's message on a channel: approved or
 * denied ("decision.approved", "decision.denied"), with ".sms" for SMS and
 * ".phone" for the agent's phone script; e-mail and letter share the e-mail's.
 */
const char *rf_comm_situation(bool approved, enum rf_comm_channel ch);

/* What shapes a denial's offers (settings.h: REFUNDS_OFFER_VALID_DAYS, ...). */
struct rf_comm_offer_terms {
    int offer_valid_days;        /* calendar days to accept an offer */
    int store_credit_valid_days; /* calendar days to spend store credit */
    int voucher_percent;         /* a discount voucher: this % of the requested amount */
};

/*
 * A denial's alternatives as a message states them. The amounts are in the
 * case's currency; times are the end (23:59:59.999999 UTC) of the day the
 * message names, so that "by 15 December" holds all of that day.
 */
struct rf_comm_offer {
    bool store_credit, exchange, repair, voucher;
    int64_t store_credit_minor;
    int64_t store_credit_valid_until_us;
    const char *exchange_product; /* "" unless exchange */
    const char *repair_product;   /* "" unless repair */
    int64_t voucher_minor;
    const char *currency;
    int64_t valid_until_us; /* the last day to accept any of them; 0 when nothing is offered */
};

/* True when offer offers anything. */
bool rf_comm_offer_any(const struct rf_comm_offer *offer);

/*
 * The offer of the denial of case c (its latest approval's alternatives), made
 * at now_us under terms: store credit of the requested amount, spendable for
 * store_credit_valid_days; an exchange for, and a repair of, the case's
 * product; a voucher of voucher_percent of the requested amount (rounded down
 * to a whole minor unit, at least 1); acceptable for offer_valid_days. A
 * decision that offers nothing (or is not a denial) gives an offer of nothing.
 * Strings point into c.
 */
void rf_comm_offer_of(const Refunds__V1__Case *c, const struct rf_comm_offer_terms *terms,
                      int64_t now_us, struct rf_comm_offer *out);

/* The end of the UTC day of us: 23:59:59.999999 of it. */
int64_t rf_comm_day_end(int64_t us);

/* When an approved refund's money should arrive, and what tells the bank where it is. */
struct rf_comm_money {
    int64_t amount_minor; /* the approved amount */
    const char *currency;
    int64_t window_from_us, window_to_us;
    const char *reference;      /* the transfer reference once the provider has one, else "" */
    const char *reference_type; /* "ARN", ...; "" without a reference */
};

/*
 * The money of approved case c whose refunds, oldest first, are refunds[0..n):
 * for the refund on its way (as the customer's status page picks it,
 * rf_tracking_stage_of) its window (rf_tracking_refund_window) and
 * reference; with none on its way, the window of c's payment method counted in
 * business days from now_us, when the payments team is expected to send it.
 * Strings point into c and refunds, or are in the arena a.
 */
void rf_comm_money_of(struct rf_arena *a, const Refunds__V1__Case *c,
                      const struct rf_refund_row *refunds, size_t n,
                      const struct rf_arrival_table *arrival, int64_t now_us,
                      struct rf_comm_money *out);

/*
 * Where a message on channel goes for case c: the customer's e-mail address
 * (EMAIL), phone number (SMS, PHONE_SCRIPT) or "" (LETTER: the shop's mail
 * system addresses it by the order). FAILED_PRECONDITION, naming the case,
 * when the customer has no phone number for an SMS or a call.
 */
enum rf_code rf_comm_recipient(const Refunds__V1__Case *c, enum rf_comm_channel ch,
                               const char **out, struct rf_error *err);

/* What the message says beyond the case. */
struct rf_comm_input {
    const Refunds__V1__Case *c; /* with its latest approval: APPROVE or DENY */
    enum rf_comm_channel channel;
    const char *language;              /* overriding the customer's preferred one; NULL or "" not */
    const char *merchant_name;         /* the shop, on the bank statement and under the e-mail */
    const char *support_contact;       /* how to reach support */
    const char *tracking_url;          /* the customer's status page, with their token */
    const struct rf_comm_money *money; /* approved */
    const struct rf_comm_offer *offer; /* denied */
};

/* A rendered message, in the arena given to rf_comm_render. */
struct rf_comm_message {
    const char *situation; /* the template's: "decision.denied.sms" */
    const char *lang;      /* the language it is written in */
    int version;           /* the template's Version */
    const char *subject;   /* "" for SMS and phone scripts */
    const char *body;      /* plain text */
    const char *html_body; /* e-mail only: the body escaped for HTML; "" otherwise */
};

/*
 * Renders the decision message of in->c for in->channel into out, in the
 * arena a: the template of rf_comm_situation in the language asked for (else
 * the customer's; falling back as rf_template_find does), every amount and
 * date written for that language. Approved: the amount, the method (the
 * case's Payment.label, else the method in the customer's words), the window
 * (one day when it opens and closes at once), the reference once known, the
 * tracking link. Denied: the decision's reason as the reasons (its final full
 * stop left out: the template ends the sentence), each alternative offered,
 * the last day to accept. FAILED_PRECONDITION when the case has no decision;
 * RF_INTERNAL from the renderer (a template and this code disagree: a bug).
 */
enum rf_code rf_comm_render(const struct rf_templates *set, const struct rf_comm_input *in,
                            struct rf_arena *a, struct rf_comm_message *out, struct rf_error *err);

#endif
