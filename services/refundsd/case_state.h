/*
 * The case lifecycle as data: states, the events that move a case, and the
 * one transition table that says which event leads from which state to which.
 * Pure; the SQL that applies a transition (conditional on state and version)
 * is in case_store.c.
 */
#ifndef REFUNDS_CASE_STATE_H
#define REFUNDS_CASE_STATE_H

#include <stdbool.h>
#include <stddef.h>

/* Same values as refunds.v1.CaseState. */
enum rf_case_state {
    RF_CASE_OPEN = 1,
    RF_CASE_EVALUATED = 2,
    RF_CASE_PENDING_APPROVAL = 3,
    RF_CASE_APPROVED = 4,
    RF_CASE_DENIED = 5,
    RF_CASE_DECISION_COMMUNICATED = 6,
    RF_CASE_REFUND_IN_PROGRESS = 7,
    RF_CASE_AWAITING_FOLLOW_UP = 8,
    RF_CASE_CLOSED = 9,
    RF_CASE_WITHDRAWN = 10,
};
#define RF_CASE_STATE_MAX RF_CASE_WITHDRAWN

enum rf_case_event {
    RF_EVENT_EVALUATE,
    RF_EVENT_ESCALATE,
    RF_EVENT_APPROVE,
    RF_EVENT_DENY,
    RF_EVENT_COMMUNICATE,
    RF_EVENT_ISSUE_REFUND,
    RF_EVENT_AWAIT_FOLLOW_UP,
    RF_EVENT_CLOSE,
    RF_EVENT_WITHDRAW,
    RF_EVENT_ACCEPT_ALTERNATIVE, /* a denied customer takes store credit, an exchange, ... */
    /* An agent approves alone: an APPROVE evaluation within the self-approval limit. */
    RF_EVENT_SELF_APPROVE,
};
#define RF_EVENT_MAX RF_EVENT_SELF_APPROVE

struct rf_transition {
    enum rf_case_state from;
    enum rf_case_event event;
    enum rf_case_state to;
};

/* The table itself, for documentation and tests. */
extern const struct rf_transition rf_case_transitions[];
extern const size_t rf_case_transitions_count;

/* Stores in *to where event leads from from; false when the table has no such row. */
bool rf_case_next(enum rf_case_state from, enum rf_case_event event, enum rf_case_state *to);

/* Writes the states event is allowed from, as "OPEN or EVALUATED", into buf. */
void rf_case_event_sources(enum rf_case_event event, char *buf, size_t size);

/* "PENDING_APPROVAL" (as stored in the database); NULL for a value out of range. */
const char *rf_case_state_name(enum rf_case_state state);

/* The state named s; false when none. */
bool rf_case_state_parse(const char *s, enum rf_case_state *out);

#endif
