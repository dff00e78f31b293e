/*
 * A small policy document for unit tests of the policy parser and the rules
 * engine, with round numbers chosen so that each boundary is easy to reach
 * (window 30 days, general limit 60, electronics 30, perishable 10; approve
 * at 30, deny at -30, lateness -30; EUR agent limit 50.00, senior above
 * 500.00, history 1000.00), and a helper that parses it. Header-only, for
 * tests; deploy/policy/default.json is tested on its own, so changing the
 * shipped defaults never moves these boundaries.
 */
#ifndef REFUNDS_TEST_POLICY_H
#define REFUNDS_TEST_POLICY_H

#include <string.h>

#include <criterion/criterion.h>

#include "policy.h"

#define TEST_POLICY_JSON                                                                           \
    "{\"schema_version\": 1,\n"                                                                    \
    " \"return_window_days\": 30,\n"                                                               \
    " \"max_days_past_window\": 60,\n"                                                             \
    " \"categories\": {\n"                                                                         \
    "   \"default\": {\"rule\": \"allowed\"},\n"                                                   \
    "   \"electronics\": {\"rule\": \"allowed\", \"max_days_past_window\": 30},\n"                 \
    "   \"perishable\": {\"rule\": \"allowed\", \"max_days_past_window\": 10},\n"                  \
    "   \"hygiene\": {\"rule\": \"never\"},\n"                                                     \
    "   \"personalised\": {\"rule\": \"escalate\"},\n"                                             \
    "   \"custom\": {\"rule\": \"allowed\", \"max_days_past_window\": 0}},\n"                      \
    " \"reasons\": {\n"                                                                            \
    "   \"defective\": {\"weight\": 40, \"company_fault\": true, \"priority\": \"normal\"},\n"     \
    "   \"duplicate_charge\": {\"weight\": 60, \"company_fault\": true, \"priority\": "            \
    "\"high\"},\n"                                                                                 \
    "   \"late_delivery\": {\"weight\": 20, \"company_fault\": false, \"priority\": "              \
    "\"normal\"},\n"                                                                               \
    "   \"changed_mind\": {\"weight\": -20, \"company_fault\": false, \"priority\": \"low\"},\n"   \
    "   \"other\": {\"weight\": 0, \"company_fault\": false, \"priority\": \"normal\"}},\n"        \
    " \"history\": {\"window_months\": 12, \"max_previous_exceptions\": 2,\n"                      \
    "   \"previous_denial_weight\": -5, \"previous_detractor_weight\": 10,\n"                      \
    "   \"chasing_interactions\": 3},\n"                                                           \
    " \"limits\": {\n"                                                                             \
    "   \"EUR\": {\"self_approval_minor\": 5000, \"senior_threshold_minor\": 50000,\n"             \
    "           \"history_max_refunded_minor\": 100000}},\n"                                       \
    " \"sla\": {\"high\": {\"hours\": 24, \"clock\": \"calendar\"},\n"                             \
    "   \"normal\": {\"hours\": 48, \"clock\": \"business\"},\n"                                   \
    "   \"low\": {\"hours\": 120, \"clock\": \"business\"}},\n"                                    \
    " \"scoring\": {\"approve_at\": 30, \"deny_at\": -30, \"lateness_weight\": -30}}\n"

/* TEST_POLICY_JSON parsed into a (failing the test if it does not parse), with version 7. */
static inline struct rf_policy *test_policy(struct rf_arena *a)
{
    struct rf_policy *p = NULL;
    struct rf_error err;

    rf_error_clear(&err);
    cr_assert_eq(rf_policy_parse(a, TEST_POLICY_JSON, strlen(TEST_POLICY_JSON), &p, &err), RF_OK,
                 "%s", err.message);
    p->version = 7;
    return p;
}

#endif
