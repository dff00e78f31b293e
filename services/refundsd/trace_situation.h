/*
 * Which situation an agent's trace script is about: for one refund, from what
 * the reconciler last saw of it and the findings open on it; for a case, the
 * refund that needs the customer's attention most. Pure: no I/O, no clock (the
 * caller passes where now lies in the arrival window). The script's wording is
 * the templates' (services/common/templates/trace.*, docs/messages.md); GetRefundTrace
 * (trace.c) fills their values. Not for deciding what is wrong with a refund:
 * the reconciler's classifier does that and its findings come in here as facts.
 */
#ifndef REFUNDS_TRACE_SITUATION_H
#define REFUNDS_TRACE_SITUATION_H

#include <stdbool.h>

#include "refunds/arrival.h"
#include "refunds/v1/cases.pb-c.h"

/* In order of urgency: the case's script is about its refund with the lowest value. */
enum rf_trace_situation {
    RF_TRACE_FAILED,               /* failed, cancelled or reversed: the money came back */
    RF_TRACE_REQUIRES_ACTION,      /* the provider needs the customer's account details */
    RF_TRACE_OVERDUE,              /* past the window, not confirmed, with a bank reference */
    RF_TRACE_OVERDUE_NO_REFERENCE, /* past the window, not confirmed, no reference */
    RF_TRACE_STUCK,                /* pending too long, not found or not cleared: we chase */
    RF_TRACE_PENDING,              /* issued, the provider has not sent it yet */
    RF_TRACE_NO_REFERENCE,         /* sent by card, the reference is still to come */
    RF_TRACE_IN_WINDOW,            /* sent, with its reference, the window not over */
    RF_TRACE_SENT,                 /* sent by a method that has no bank reference */
    RF_TRACE_REVERSAL,             /* Stripe reversal: the charge disappears instead */
    RF_TRACE_ARRIVED,              /* receipt confirmed */
    RF_TRACE_NOT_ISSUED,           /* approved, nothing issued yet (a case, not a refund) */
};
#define RF_TRACE_SITUATIONS (RF_TRACE_NOT_ISSUED + 1)

/* What is known of one refund. */
struct rf_trace_facts {
    Refunds__V1__ProviderStatus status; /* as the reconciler last saw it */
    bool received;                      /* receipt confirmed */
    bool reversal;                      /* Stripe's card_refund_type "reversal" */
    bool has_reference;                 /* a transfer reference is available */
    bool reference_expected; /* the provider gives references for it (card, bank) and has not
                                said "unavailable" */
    bool chased;             /* an open STUCK_PENDING, NOT_FOUND_AT_PROVIDER or NOT_CLEARED finding */
    enum rf_window_position window; /* of now, once succeeded */
};

enum rf_trace_situation rf_trace_situation_of(const struct rf_trace_facts *f);

/* The template situation: "trace.in_window"; NULL out of range. */
const char *rf_trace_situation_name(enum rf_trace_situation s);

/* True when the agent should give the customer what their bank needs (past the window). */
bool rf_trace_bank_details_due(enum rf_trace_situation s);

#endif
