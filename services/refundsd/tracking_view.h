/*
 * What a customer sees of their refund request (refunds.v1.CustomerRefundStatus):
 * the customer's stage, chosen from the case's state, its decision and its
 * refunds' provider statuses, and the view rendered in the customer's language
 * from the status.* templates (docs/messages.md), with the amount and the dates
 * formatted for that language. Pure: it takes the case and its refunds as read,
 * the compiled templates and settings; no I/O, no clock, no global state. The
 * view is built field by field from what is meant for the customer, never by
 * copying the case, so nothing internal (notes, who did what, the reconciler's
 * findings, ids, the customer's contact data) can reach it. Not for reading the
 * case (tracking.c) or checking the token (tracking_token.h).
 */
#ifndef REFUNDS_TRACKING_VIEW_H
#define REFUNDS_TRACKING_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "refund_store.h"
#include "refunds/arrival.h"
#include "refunds/render.h"
#include "refunds/status.h"
#include "refunds/v1/cases.pb-c.h"
#include "refunds/v1/tracking.pb-c.h"

struct rf_arena;

/* The customer's stage of a case and what it is about. */
struct rf_tracking_stage {
    Refunds__V1__CustomerStage stage;
    /* The refund the stage is about: the one on its way (REFUND_SENT), the last one confirmed
     * (ARRIVED); NULL for the other stages. Points into the refunds given. */
    const struct rf_refund_row *refund;
    int64_t amount_minor; /* what the stage is about (see CustomerRefundStatus.amount) */
    const char *currency;
    int64_t since_us; /* when the stage began, as far as the case tells */
};

/*
 * The stage of case c (with its latest approval) whose refunds, oldest first,
 * are refunds[0..n). OPEN is RECEIVED; EVALUATED and PENDING_APPROVAL are
 * IN_REVIEW; WITHDRAWN is WITHDRAWN; a denial, whatever happened after it, is
 * DENIED. An approved case is REFUND_SENT while a refund of it is on its way
 * (issued, not confirmed received, and not FAILED, CANCELED or REVERSED at the
 * provider: those are sent again, so the customer sees APPROVED meanwhile; the
 * latest such refund is the one shown), else ARRIVED once a refund was
 * confirmed received (the amount: every confirmed refund in the currency of the
 * latest), else APPROVED (the approved amount). Never fails.
 */
void rf_tracking_stage_of(const Refunds__V1__Case *c, const struct rf_refund_row *refunds, size_t n,
                          struct rf_tracking_stage *out);

/*
 * The arrival window of refund r (one on its way): the reconciler's once the
 * provider reported a success, else estimated with arrival from its issue
 * time by its payment method (by "other" for a method the table lacks). The
 * customer's status page and the decision message give the same dates.
 */
void rf_tracking_refund_window(const struct rf_arrival_table *arrival,
                               const struct rf_refund_row *r, int64_t *from_us, int64_t *to_us);

/* The situation of the templates of a stage ("status.refund_sent"); NULL for none. */
const char *rf_tracking_situation(Refunds__V1__CustomerStage stage);

/* What the view needs besides the case. */
struct rf_tracking_options {
    const struct rf_templates *templates;
    /* Arrival windows for a refund the provider has not reported a success of yet: counted
     * from its issue time (the reconciler's own window replaces it afterwards). refundsd
     * reads REFUNDS_RECON_ARRIVAL_WINDOWS as the reconciler does (settings.h). */
    const struct rf_arrival_table *arrival;
    const char *support_contact; /* how customers reach support */
    const char *language;        /* the request's choice; NULL or "" for the customer's own */
};

/*
 * Fills out (already initialised) with the view of case c and its refunds in
 * the arena a: the stage, its title and text rendered from status.<stage> in
 * the language asked for (else the customer's preferred one; falling back as
 * rf_template_find does), that language, the amount and its text, and for a
 * refund on its way the arrival window, the transfer reference once there is
 * one, and what to do if the money has not arrived (status.if_not_arrived).
 * On error (a template that cannot be rendered with the values given: a bug)
 * returns RF_INTERNAL with the renderer's message in err; out is then partly
 * filled and must not be sent.
 */
enum rf_code rf_tracking_view(const struct rf_tracking_options *opt, const Refunds__V1__Case *c,
                              const struct rf_refund_row *refunds, size_t n, struct rf_arena *a,
                              Refunds__V1__CustomerRefundStatus *out, struct rf_error *err);

#endif
