/*
 * The rules engine of step 3 of the process: judges one refund case against
 * a policy (policy.h) and the customer's history, and says what to
 * recommend (APPROVE, ESCALATE, DENY), with a score, every factor that
 * counted (each with a sentence an agent can read aloud), who may decide and
 * how urgent the decision is. docs/policy.md gives the rules in prose. Pure
 * and deterministic: it never reads the clock or any global state, so the
 * same case, history and policy always give the same evaluation, byte for
 * byte. It does not compute the history (the store does, in SQL), store
 * the result, or decide a case.
 */
#ifndef REFUNDS_EVALUATE_H
#define REFUNDS_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "refunds/arena.h"
#include "refunds/status.h"

/* The customer's history, as aggregates the store computes for this customer. */
struct rf_eval_history {
    int previous_cases;      /* earlier cases, whatever their outcome */
    int previous_exceptions; /* exceptions granted within the policy's history window */
    /* Refunded within the history window in the case's currency, in minor units. */
    int64_t refunded_in_window_minor;
    int previous_denials;
    int open_findings; /* open reconciliation findings on earlier refunds */
    /* Times the customer has contacted us about this case: the first contact and inbound
     * interactions, not our notes or outbound messages. */
    int interactions;
    bool previous_detractor; /* an earlier NPS of 0 to 6 */
};

/* The case as the evaluation needs it; strings are borrowed, not copied. */
struct rf_eval_input {
    /* The product category; looked up in lower case; an unknown or empty one is "default". */
    const char *category;
    /* What the customer bought ("kettle"), for the sentences; "item" when NULL or empty. */
    const char *product_name;
    /* A reason code in lower case ("defective"); one the policy does not list is judged as
     * "other". */
    const char *reason;
    /* The channel of the first contact ("email"); recorded, never weighed. */
    const char *channel;
    int64_t purchase_us;
    /* When the customer first contacted us: days past the window are counted to it. */
    int64_t first_contact_us;
    int64_t paid_minor;
    int64_t requested_minor;
    const char *currency; /* of both amounts and of history.refunded_in_window_minor */
    struct rf_eval_history history;
};

enum rf_recommendation {
    RF_RECOMMEND_APPROVE,
    RF_RECOMMEND_ESCALATE,
    RF_RECOMMEND_DENY,
};

/* Who may decide: AGENT only for APPROVE within the self-approval limit. */
enum rf_tier {
    RF_TIER_AGENT,
    RF_TIER_APPROVER,
    RF_TIER_SENIOR_APPROVER,
};

/* What a factor does besides its effect on the score (a bit set). */
#define RF_RULE_DENY        0x01u /* the recommendation is DENY */
#define RF_RULE_ESCALATE    0x02u /* the recommendation is ESCALATE, whatever the score */
#define RF_RULE_NOT_APPROVE 0x04u /* the recommendation cannot be APPROVE */
#define RF_RULE_APPROVER    0x08u /* at least an approver must decide */
#define RF_RULE_SENIOR      0x10u /* a senior approver must decide */
#define RF_RULE_URGENT      0x20u /* the priority is high */

/* Most factors an evaluation lists. */
#define RF_EVAL_FACTORS_MAX 12

struct rf_factor {
    const char *name;     /* stable identifier: "reason", "days_past_window", ... */
    const char *observed; /* the value seen, as text for the approver */
    int effect;           /* added to the score */
    unsigned rules;       /* RF_RULE_* */
    const char *sentence; /* one sentence an agent can read aloud to the customer */
};

struct rf_evaluation {
    enum rf_recommendation recommendation;
    int score; /* the sum of the factors' effects, clamped to -100..100 */
    size_t n_factors;
    struct rf_factor factors[RF_EVAL_FACTORS_MAX];
    int days_since_purchase;  /* whole days from purchase to first contact */
    int days_past_window;     /* of them, beyond the standard window; 0 within it */
    int max_days_past_window; /* the category's limit that applied */
    /* The amount an exception would pay: the whole request, since the standard policy
     * pays nothing for a case outside it. */
    int64_t amount_outside_minor;
    char currency[4];
    enum rf_tier tier;
    enum rf_priority priority;
    int64_t policy_version;
    const char *category; /* the policy's category that applied */
    const char *reason;   /* the policy's reason that applied */
};

/*
 * Evaluates in against policy into *out; the strings of *out live in a or
 * in the policy. The rules, in order:
 *  1. A category with rule "never", or a case more days past the window
 *     than the category allows, gives DENY, or ESCALATE when the reason is
 *     the company's fault: a person, not the rules, decides whether to
 *     refuse a customer we wronged.
 *  2. Otherwise the score decides: >= scoring.approve_at APPROVE, <=
 *     scoring.deny_at DENY, else ESCALATE; a history over its limits
 *     (exceptions, amount refunded) turns APPROVE into ESCALATE.
 *  3. The tier is AGENT for APPROVE within the currency's self-approval
 *     limit unless a factor needs an approver (category "escalate", open
 *     findings); APPROVER otherwise; SENIOR_APPROVER above the senior
 *     threshold, and for a currency the policy has no limits for.
 *  4. The priority is the reason's, raised to high by an earlier detractor
 *     score, open findings, or chasing (history.chasing_interactions).
 * Fails with INVALID_ARGUMENT, recording a violation per bad field and
 * leaving *out unspecified, when in is not a case: no reason, a reason that
 * is no reason code, a currency that is not ISO 4217, amounts not 0 <
 * requested <= paid <= RF_MONEY_MAX_MINOR, a first contact before the
 * purchase or times outside the Timestamp range, negative history counts.
 */
enum rf_code rf_evaluate(const struct rf_policy *policy, const struct rf_eval_input *in,
                         struct rf_arena *a, struct rf_evaluation *out, struct rf_error *err);

/*
 * The evaluation as compact JSON with sorted keys, to store with the case
 * (and to show that two evaluations are the same). NUL-terminated, in a.
 */
char *rf_evaluation_json(const struct rf_evaluation *ev, struct rf_arena *a);

struct json_t;

/*
 * The document rf_evaluation_json writes, as jansson's value: a new
 * reference, the caller's to json_decref. For code that stores the text and
 * also reads the evaluation back (EvaluateCase's reply) without parsing it.
 */
struct json_t *rf_evaluation_doc(const struct rf_evaluation *ev);

/* "APPROVE", "ESCALATE", "DENY"; NULL for a value out of range. */
const char *rf_recommendation_name(enum rf_recommendation r);

/* "AGENT", "APPROVER", "SENIOR_APPROVER"; NULL for a value out of range. */
const char *rf_tier_name(enum rf_tier t);

#endif
