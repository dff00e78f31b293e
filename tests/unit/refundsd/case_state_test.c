/*
 * Unit tests of the case lifecycle table (services/refundsd/case_state.c):
 * state names against the refunds.v1.CaseState descriptor, the shape of the
 * table (valid states, no duplicates, terminal states, reachability) and the
 * business rules it encodes, and the "allowed from" text of an event.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "case_state.h"
#include "refunds/pb.h"
#include "refunds/v1/cases.pb-c.h"

#define N_EVENTS (RF_EVENT_MAX + 1)

static const char *sources(enum rf_case_event e);

static const enum rf_case_event all_events[] = {
    RF_EVENT_EVALUATE,    RF_EVENT_ESCALATE,           RF_EVENT_APPROVE,         RF_EVENT_DENY,
    RF_EVENT_COMMUNICATE, RF_EVENT_ISSUE_REFUND,       RF_EVENT_AWAIT_FOLLOW_UP, RF_EVENT_CLOSE,
    RF_EVENT_WITHDRAW,    RF_EVENT_ACCEPT_ALTERNATIVE, RF_EVENT_SELF_APPROVE,
};

Test(case_state, names_agree_with_the_proto_descriptor_for_every_value)
{
    const ProtobufCEnumDescriptor *d = &refunds__v1__case_state__descriptor;
    unsigned checked = 0;

    for (unsigned i = 0; i < d->n_values; i++) {
        int v = d->values[i].value;

        if (v == 0)
            continue;
        cr_assert_str_eq(rf_case_state_name((enum rf_case_state)v), rf_pb_enum_short_name(d, v),
                         "value %d", v);
        checked++;
    }
    cr_assert_eq(checked, RF_CASE_STATE_MAX, "the proto and the enum differ in size");
}

Test(case_state, name_of_a_value_out_of_range_is_null)
{
    cr_assert_null(rf_case_state_name((enum rf_case_state)0));
    cr_assert_null(rf_case_state_name((enum rf_case_state)(RF_CASE_STATE_MAX + 1)));
    cr_assert_null(rf_case_state_name((enum rf_case_state) - 1));
}

Test(case_state, parse_inverts_name)
{
    for (int v = RF_CASE_OPEN; v <= RF_CASE_STATE_MAX; v++) {
        enum rf_case_state back = 0;

        cr_assert(rf_case_state_parse(rf_case_state_name((enum rf_case_state)v), &back));
        cr_assert_eq((int)back, v);
    }
}

Test(case_state, parse_rejects_unknown_names)
{
    static const char *const bad[] = {"",      "open",    "UNSPECIFIED", "CASE_STATE_OPEN",
                                      "OPEN ", "REOPENED"};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum rf_case_state s;

        cr_assert_not(rf_case_state_parse(bad[i], &s), "\"%s\" accepted", bad[i]);
    }
}

Test(case_state, every_transition_joins_valid_states)
{
    cr_assert_gt(rf_case_transitions_count, 0);
    for (size_t i = 0; i < rf_case_transitions_count; i++) {
        const struct rf_transition *t = &rf_case_transitions[i];

        cr_assert_not_null(rf_case_state_name(t->from), "row %zu: from %d", i, (int)t->from);
        cr_assert_not_null(rf_case_state_name(t->to), "row %zu: to %d", i, (int)t->to);
        cr_assert_lt((int)t->event, N_EVENTS, "row %zu", i);
    }
}

Test(case_state, no_state_has_two_rows_for_one_event)
{
    for (size_t i = 0; i < rf_case_transitions_count; i++) {
        for (size_t j = i + 1; j < rf_case_transitions_count; j++) {
            const struct rf_transition *a = &rf_case_transitions[i], *b = &rf_case_transitions[j];

            cr_assert(a->from != b->from || a->event != b->event, "rows %zu and %zu", i, j);
        }
    }
}

Test(case_state, next_follows_the_table)
{
    for (size_t i = 0; i < rf_case_transitions_count; i++) {
        const struct rf_transition *t = &rf_case_transitions[i];
        enum rf_case_state to = 0;

        cr_assert(rf_case_next(t->from, t->event, &to), "row %zu", i);
        cr_assert_eq(to, t->to, "row %zu", i);
    }
}

Test(case_state, nothing_leaves_closed_or_withdrawn)
{
    for (size_t e = 0; e < N_EVENTS; e++) {
        enum rf_case_state to = 0;

        cr_assert_not(rf_case_next(RF_CASE_CLOSED, all_events[e], &to), "event %zu", e);
        cr_assert_not(rf_case_next(RF_CASE_WITHDRAWN, all_events[e], &to), "event %zu", e);
        cr_assert_eq((int)to, 0, "a refused transition wrote *to");
    }
}

Test(case_state, withdraw_is_allowed_only_before_a_decision)
{
    for (int s = RF_CASE_OPEN; s <= RF_CASE_STATE_MAX; s++) {
        enum rf_case_state to;
        bool before = s == RF_CASE_OPEN || s == RF_CASE_EVALUATED || s == RF_CASE_PENDING_APPROVAL;
        bool ok = rf_case_next((enum rf_case_state)s, RF_EVENT_WITHDRAW, &to);

        cr_assert_eq(ok, before, "WITHDRAW from %s", rf_case_state_name((enum rf_case_state)s));
        if (ok)
            cr_assert_eq(to, RF_CASE_WITHDRAWN);
    }
}

Test(case_state, approve_and_deny_only_from_pending_approval)
{
    for (int s = RF_CASE_OPEN; s <= RF_CASE_STATE_MAX; s++) {
        enum rf_case_state to;
        bool pending = s == RF_CASE_PENDING_APPROVAL;
        const char *name = rf_case_state_name((enum rf_case_state)s);

        cr_assert_eq(rf_case_next((enum rf_case_state)s, RF_EVENT_APPROVE, &to), pending,
                     "APPROVE from %s", name);
        if (pending)
            cr_assert_eq(to, RF_CASE_APPROVED);
        cr_assert_eq(rf_case_next((enum rf_case_state)s, RF_EVENT_DENY, &to), pending,
                     "DENY from %s", name);
        if (pending)
            cr_assert_eq(to, RF_CASE_DENIED);
    }
}

Test(case_state, an_agent_approves_alone_only_an_evaluated_case)
{
    for (int s = RF_CASE_OPEN; s <= RF_CASE_STATE_MAX; s++) {
        enum rf_case_state to;
        bool evaluated = s == RF_CASE_EVALUATED;

        cr_assert_eq(rf_case_next((enum rf_case_state)s, RF_EVENT_SELF_APPROVE, &to), evaluated,
                     "SELF_APPROVE from %s", rf_case_state_name((enum rf_case_state)s));
        if (evaluated)
            cr_assert_eq(to, RF_CASE_APPROVED);
    }
    cr_assert_str_eq(sources(RF_EVENT_SELF_APPROVE), "EVALUATED");
}

Test(case_state, closing_needs_the_follow_up_stage)
{
    for (int s = RF_CASE_OPEN; s <= RF_CASE_STATE_MAX; s++) {
        enum rf_case_state to;

        cr_assert_eq(rf_case_next((enum rf_case_state)s, RF_EVENT_CLOSE, &to),
                     s == RF_CASE_AWAITING_FOLLOW_UP, "CLOSE from %s",
                     rf_case_state_name((enum rf_case_state)s));
    }
}

/* States reachable from start through the table, as a bit set indexed by state. */
static unsigned reachable_from(enum rf_case_state start)
{
    unsigned seen = 1u << start;
    bool grew = true;

    while (grew) {
        grew = false;
        for (size_t i = 0; i < rf_case_transitions_count; i++) {
            const struct rf_transition *t = &rf_case_transitions[i];

            if ((seen & (1u << t->from)) && !(seen & (1u << t->to))) {
                seen |= 1u << t->to;
                grew = true;
            }
        }
    }
    return seen;
}

Test(case_state, every_state_is_reachable_from_open)
{
    unsigned seen = reachable_from(RF_CASE_OPEN);

    for (int s = RF_CASE_OPEN; s <= RF_CASE_STATE_MAX; s++)
        cr_assert(seen & (1u << s), "%s cannot be reached",
                  rf_case_state_name((enum rf_case_state)s));
}

Test(case_state, every_state_can_end_closed_or_withdrawn)
{
    for (int s = RF_CASE_OPEN; s <= RF_CASE_STATE_MAX; s++) {
        unsigned seen = reachable_from((enum rf_case_state)s);

        cr_assert(seen & ((1u << RF_CASE_CLOSED) | (1u << RF_CASE_WITHDRAWN)), "%s is a dead end",
                  rf_case_state_name((enum rf_case_state)s));
    }
}

Test(case_state, telling_the_decision_again_keeps_the_state_after_the_first_time)
{
    static const enum rf_case_state again[] = {
        RF_CASE_DECISION_COMMUNICATED, RF_CASE_REFUND_IN_PROGRESS, RF_CASE_AWAITING_FOLLOW_UP};
    enum rf_case_state to;

    cr_assert(rf_case_next(RF_CASE_APPROVED, RF_EVENT_COMMUNICATE, &to));
    cr_assert_eq(to, RF_CASE_DECISION_COMMUNICATED);
    cr_assert(rf_case_next(RF_CASE_DENIED, RF_EVENT_COMMUNICATE, &to));
    cr_assert_eq(to, RF_CASE_DECISION_COMMUNICATED);
    for (size_t i = 0; i < sizeof again / sizeof again[0]; i++) {
        cr_assert(rf_case_next(again[i], RF_EVENT_COMMUNICATE, &to));
        cr_assert_eq(to, again[i]);
    }
    cr_assert_not(rf_case_next(RF_CASE_PENDING_APPROVAL, RF_EVENT_COMMUNICATE, &to));
    cr_assert_not(rf_case_next(RF_CASE_CLOSED, RF_EVENT_COMMUNICATE, &to));
}

Test(case_state, an_alternative_is_accepted_once_the_denial_was_told_and_the_state_stays)
{
    for (int s = RF_CASE_OPEN; s <= RF_CASE_STATE_MAX; s++) {
        enum rf_case_state to = 0;
        bool told = s == RF_CASE_DECISION_COMMUNICATED || s == RF_CASE_AWAITING_FOLLOW_UP;

        cr_assert_eq(rf_case_next((enum rf_case_state)s, RF_EVENT_ACCEPT_ALTERNATIVE, &to), told,
                     "ACCEPT_ALTERNATIVE from %s", rf_case_state_name((enum rf_case_state)s));
        if (told)
            cr_assert_eq((int)to, s);
    }
}

static const char *sources(enum rf_case_event e)
{
    static char buf[256];

    rf_case_event_sources(e, buf, sizeof buf);
    return buf;
}

Test(case_state, event_sources_list_the_allowed_states_in_prose)
{
    cr_assert_str_eq(sources(RF_EVENT_APPROVE), "PENDING_APPROVAL");
    cr_assert_str_eq(sources(RF_EVENT_COMMUNICATE),
                     "APPROVED, DENIED, DECISION_COMMUNICATED, REFUND_IN_PROGRESS or "
                     "AWAITING_FOLLOW_UP");
    cr_assert_str_eq(sources(RF_EVENT_ACCEPT_ALTERNATIVE),
                     "DECISION_COMMUNICATED or AWAITING_FOLLOW_UP");
    cr_assert_str_eq(sources(RF_EVENT_WITHDRAW), "OPEN, EVALUATED or PENDING_APPROVAL");
    cr_assert_str_eq(sources(RF_EVENT_AWAIT_FOLLOW_UP),
                     "DECISION_COMMUNICATED or REFUND_IN_PROGRESS");
    cr_assert_str_eq(sources(RF_EVENT_CLOSE), "AWAITING_FOLLOW_UP");
}

Test(case_state, event_sources_name_every_state_the_table_allows)
{
    for (size_t e = 0; e < N_EVENTS; e++) {
        const char *text = sources(all_events[e]);

        for (int s = RF_CASE_OPEN; s <= RF_CASE_STATE_MAX; s++) {
            enum rf_case_state to;
            const char *name = rf_case_state_name((enum rf_case_state)s);
            bool allowed = rf_case_next((enum rf_case_state)s, all_events[e], &to);
            const char *at = strstr(text, name);
            bool listed = false;

            /* A whole word of the list, not part of another name (DENIED in ...). */
            while (at != NULL && !listed) {
                char after = at[strlen(name)];

                listed = (at == text || at[-1] == ' ') &&
                         (after == '\0' || after == ',' || after == ' ');
                at = strstr(at + 1, name);
            }
            cr_assert_eq(listed, allowed, "event %zu, state %s in \"%s\"", e, name, text);
        }
    }
}

Test(case_state, event_sources_truncate_to_the_buffer)
{
    char small[12];
    const char *full = sources(RF_EVENT_WITHDRAW);

    memset(small, 'x', sizeof small);
    rf_case_event_sources(RF_EVENT_WITHDRAW, small, sizeof small);
    cr_assert_lt(strlen(small), sizeof small);
    cr_assert(strncmp(full, small, strlen(small)) == 0, "\"%s\" is not a prefix of \"%s\"", small,
              full);
    cr_assert_eq(strlen(small), sizeof small - 1, "\"%s\" should fill the buffer", small);
}
