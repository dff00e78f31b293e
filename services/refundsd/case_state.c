/*
 * The case transition table (see case_state.h). Adding a step of the process
 * means adding its rows here; the handlers ask this table and nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "case_state.h"

const struct rf_transition rf_case_transitions[] = {
    {RF_CASE_OPEN, RF_EVENT_EVALUATE, RF_CASE_EVALUATED},
    {RF_CASE_EVALUATED, RF_EVENT_EVALUATE, RF_CASE_EVALUATED},
    {RF_CASE_OPEN, RF_EVENT_ESCALATE, RF_CASE_PENDING_APPROVAL},
    {RF_CASE_EVALUATED, RF_EVENT_ESCALATE, RF_CASE_PENDING_APPROVAL},
    {RF_CASE_PENDING_APPROVAL, RF_EVENT_APPROVE, RF_CASE_APPROVED},
    {RF_CASE_PENDING_APPROVAL, RF_EVENT_DENY, RF_CASE_DENIED},
    {RF_CASE_EVALUATED, RF_EVENT_SELF_APPROVE, RF_CASE_APPROVED},
    {RF_CASE_APPROVED, RF_EVENT_COMMUNICATE, RF_CASE_DECISION_COMMUNICATED},
    {RF_CASE_DENIED, RF_EVENT_COMMUNICATE, RF_CASE_DECISION_COMMUNICATED},
    /* Told again (another channel, after a failed delivery): the case stays where it is. */
    {RF_CASE_DECISION_COMMUNICATED, RF_EVENT_COMMUNICATE, RF_CASE_DECISION_COMMUNICATED},
    {RF_CASE_REFUND_IN_PROGRESS, RF_EVENT_COMMUNICATE, RF_CASE_REFUND_IN_PROGRESS},
    {RF_CASE_AWAITING_FOLLOW_UP, RF_EVENT_COMMUNICATE, RF_CASE_AWAITING_FOLLOW_UP},
    {RF_CASE_APPROVED, RF_EVENT_ISSUE_REFUND, RF_CASE_REFUND_IN_PROGRESS},
    {RF_CASE_DECISION_COMMUNICATED, RF_EVENT_ISSUE_REFUND, RF_CASE_REFUND_IN_PROGRESS},
    {RF_CASE_REFUND_IN_PROGRESS, RF_EVENT_ISSUE_REFUND, RF_CASE_REFUND_IN_PROGRESS},
    {RF_CASE_DECISION_COMMUNICATED, RF_EVENT_AWAIT_FOLLOW_UP, RF_CASE_AWAITING_FOLLOW_UP},
    {RF_CASE_REFUND_IN_PROGRESS, RF_EVENT_AWAIT_FOLLOW_UP, RF_CASE_AWAITING_FOLLOW_UP},
    {RF_CASE_AWAITING_FOLLOW_UP, RF_EVENT_CLOSE, RF_CASE_CLOSED},
    {RF_CASE_OPEN, RF_EVENT_WITHDRAW, RF_CASE_WITHDRAWN},
    {RF_CASE_EVALUATED, RF_EVENT_WITHDRAW, RF_CASE_WITHDRAWN},
    {RF_CASE_PENDING_APPROVAL, RF_EVENT_WITHDRAW, RF_CASE_WITHDRAWN},
    /* Once the denial and its offers were told, until the follow-ups are done. */
    {RF_CASE_DECISION_COMMUNICATED, RF_EVENT_ACCEPT_ALTERNATIVE, RF_CASE_DECISION_COMMUNICATED},
    {RF_CASE_AWAITING_FOLLOW_UP, RF_EVENT_ACCEPT_ALTERNATIVE, RF_CASE_AWAITING_FOLLOW_UP},
};
const size_t rf_case_transitions_count = sizeof rf_case_transitions / sizeof rf_case_transitions[0];

static const char *const state_names[] = {
    [RF_CASE_OPEN] = "OPEN",
    [RF_CASE_EVALUATED] = "EVALUATED",
    [RF_CASE_PENDING_APPROVAL] = "PENDING_APPROVAL",
    [RF_CASE_APPROVED] = "APPROVED",
    [RF_CASE_DENIED] = "DENIED",
    [RF_CASE_DECISION_COMMUNICATED] = "DECISION_COMMUNICATED",
    [RF_CASE_REFUND_IN_PROGRESS] = "REFUND_IN_PROGRESS",
    [RF_CASE_AWAITING_FOLLOW_UP] = "AWAITING_FOLLOW_UP",
    [RF_CASE_CLOSED] = "CLOSED",
    [RF_CASE_WITHDRAWN] = "WITHDRAWN",
};

bool rf_case_next(enum rf_case_state from, enum rf_case_event event, enum rf_case_state *to)
{
    for (size_t i = 0; i < rf_case_transitions_count; i++) {
        const struct rf_transition *t = &rf_case_transitions[i];

        if (t->from == from && t->event == event) {
            *to = t->to;
            return true;
        }
    }
    return false;
}

void rf_case_event_sources(enum rf_case_event event, char *buf, size_t size)
{
    size_t len = 0, n = 0, total = 0;

    for (size_t i = 0; i < rf_case_transitions_count; i++)
        total += rf_case_transitions[i].event == event;
    buf[0] = '\0';
    for (size_t i = 0; i < rf_case_transitions_count && len < size; i++) {
        const struct rf_transition *t = &rf_case_transitions[i];
        const char *sep = n == 0 ? "" : (n + 1 == total ? " or " : ", ");

        if (t->event != event)
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%s", sep, state_names[t->from]);
        n++;
    }
}

const char *rf_case_state_name(enum rf_case_state state)
{
    if ((int)state < RF_CASE_OPEN || state > RF_CASE_STATE_MAX)
        return NULL;
    return state_names[state];
}

bool rf_case_state_parse(const char *s, enum rf_case_state *out)
{
    for (int i = RF_CASE_OPEN; i <= RF_CASE_STATE_MAX; i++) {
        if (strcmp(state_names[i], s) == 0) {
            *out = (enum rf_case_state)i;
            return true;
        }
    }
    return false;
}
