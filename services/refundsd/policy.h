/*
 * The refund guidelines: the versioned, human-editable JSON document that
 * says how out-of-policy refund requests are judged (docs/policy.md has the
 * schema and the reasoning for every default; deploy/policy/default.json is
 * the default). This file parses and checks a document strictly into a
 * struct rf_policy, writes it back canonically (what is stored and hashed),
 * lists the differences between two documents, and computes decision SLA due
 * times. It is not for judging a case (evaluate.h does that with a policy),
 * nor for storing documents or assigning versions (the store does that).
 * Pure: no I/O, no clock, no global state.
 */
#ifndef REFUNDS_POLICY_H
#define REFUNDS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/arena.h"
#include "refunds/status.h"

/* The schema this code reads ("schema_version" of a document). */
#define RF_POLICY_SCHEMA_VERSION 1

/* Longest category name (a-z, 0-9, '_' and '-'), so that every error path fits a violation. */
#define RF_POLICY_NAME_MAX 24
/* Most categories a document may define. */
#define RF_POLICY_CATEGORIES_MAX 64
/* Largest number of days in any day count of a document (ten years). */
#define RF_POLICY_DAYS_MAX 3650
/* Longest "description", in characters. */
#define RF_POLICY_DESCRIPTION_MAX 2000

/* What a product category allows outside the standard return policy. */
enum rf_category_rule {
    RF_CATEGORY_NEVER,    /* no exceptions: the case is denied (escalated when we were at fault) */
    RF_CATEGORY_ESCALATE, /* exceptions possible, always decided by an approver */
    RF_CATEGORY_ALLOWED,  /* exceptions possible within max_days_past_window */
};

/* Priorities of a decision; each has its SLA. The values index rf_policy.sla. */
enum rf_priority {
    RF_PRIORITY_HIGH,
    RF_PRIORITY_NORMAL,
    RF_PRIORITY_LOW,
};
#define RF_PRIORITIES (RF_PRIORITY_LOW + 1)

/* How an SLA's hours are counted. */
enum rf_sla_clock {
    RF_SLA_BUSINESS, /* Monday to Friday, UTC; Saturdays and Sundays do not count */
    RF_SLA_CALENDAR, /* every hour counts */
};

struct rf_policy_category {
    const char *name;
    enum rf_category_rule rule;
    /* Days past the standard window an exception may still be considered: the category's
     * own limit when own_limit, else the document's general max_days_past_window. */
    int max_days_past_window;
    bool own_limit;
};

struct rf_policy_reason {
    const char *code; /* a reason code, lower case ("defective") */
    int weight;       /* effect on the score, -100..100 */
    bool company_fault;
    enum rf_priority priority; /* the decision's priority before other factors raise it */
};

/* Amounts in minor units of one currency. */
struct rf_policy_limits {
    char currency[4];
    int64_t self_approval_minor;        /* an agent may approve up to this much (included) */
    int64_t senior_threshold_minor;     /* above this a senior approver must decide */
    int64_t history_max_refunded_minor; /* refunds in the history window, this one included */
};

struct rf_policy_sla {
    int hours;
    enum rf_sla_clock clock;
};

/*
 * A parsed document. Every array is sorted by name (byte order) and every
 * string lives in the arena the policy was parsed into. Read-only once parsed,
 * except version.
 */
struct rf_policy {
    /* The stored version that evaluations cite: not part of the document, 0 after parsing;
     * whoever loads the document from storage sets it. */
    int64_t version;
    const char *description; /* NULL when the document has none */
    int return_window_days;
    int max_days_past_window;
    size_t n_categories;
    const struct rf_policy_category *categories; /* "default" is always one of them */
    size_t n_reasons;
    const struct rf_policy_reason *reasons; /* "other" is always one of them */
    size_t n_limits;
    const struct rf_policy_limits *limits;
    struct {
        int window_months;
        int max_previous_exceptions;
        int previous_denial_weight;    /* effect of each earlier denial */
        int previous_detractor_weight; /* effect of an earlier detractor score */
        int chasing_interactions;      /* this many interactions on the case make it urgent */
    } history;
    struct {
        int approve_at;      /* a score at or above this recommends APPROVE */
        int deny_at;         /* a score at or below this recommends DENY */
        int lateness_weight; /* effect of being exactly at the category's limit */
    } scoring;
    struct rf_policy_sla sla[RF_PRIORITIES];
};

/* One difference between two JSON documents (rf_policy_diff). */
struct rf_policy_change {
    const char *path;      /* "categories.hygiene.rule", "limits.EUR"; "" for the whole document */
    const char *old_value; /* compact JSON text; NULL when the path was added */
    const char *new_value; /* compact JSON text; NULL when the path was removed */
};

/*
 * Parses and checks the len bytes at json as a policy document and stores
 * the policy, allocated in a, in *out. Strict: unknown keys, wrong types,
 * values out of range, names that are not categories, reason codes or ISO
 * 4217 codes, and missing required fields are all errors. Every error found
 * is recorded in err as a violation whose field is the path of the value at
 * fault ("categories.perishable.max_days_past_window") and whose description
 * says why ("must be >= 0"); a document that is not JSON, or not an object,
 * gets one violation on the path "policy" giving jansson's line and column.
 * On any error returns RF_INVALID_ARGUMENT with err's message "<path>:
 * <why>" of the first violation (and how many more there are), and leaves
 * *out untouched: a policy is never half-applied.
 */
enum rf_code rf_policy_parse(struct rf_arena *a, const char *json, size_t len,
                             struct rf_policy **out, struct rf_error *err);

/*
 * The document of policy written canonically: keys sorted, no spaces, every
 * defaulted field written out except a category's inherited limit (absent,
 * as it means "the general limit"). Parsing the result gives the same
 * policy, and writing that again the same bytes; this text is what gets
 * stored and hashed. NUL-terminated, in a.
 */
char *rf_policy_canonical_json(const struct rf_policy *policy, struct rf_arena *a);

/*
 * Compares two JSON documents of any shape (not only policies) and stores
 * in *out (allocated in a) the *n changed paths, sorted by path: a key
 * present in both objects is compared inside, a key in only one is added or
 * removed, arrays are compared element by element ("items[2]"), and a value
 * that changed type or scalar value is one change at its path. Keys that are
 * not [A-Za-z0-9_-]+ are written ["like this"]. Equal documents give *n 0.
 * When either text is not JSON, returns RF_INVALID_ARGUMENT with a message
 * naming it ("old" or "new") with jansson's line, column and reason, and
 * leaves *out and *n untouched.
 */
enum rf_code rf_policy_diff(const char *old_json, size_t old_len, const char *new_json,
                            size_t new_len, struct rf_arena *a, struct rf_policy_change **out,
                            size_t *n, struct rf_error *err);

/*
 * The category named name, or the "default" category when the policy has
 * no category of that name (NULL included). Never NULL.
 */
const struct rf_policy_category *rf_policy_category(const struct rf_policy *policy,
                                                    const char *name);

/* The reason with code, or NULL when the policy does not list it. */
const struct rf_policy_reason *rf_policy_reason(const struct rf_policy *policy, const char *code);

/* The limits of currency ("EUR"), or NULL when the policy has none for it. */
const struct rf_policy_limits *rf_policy_limits(const struct rf_policy *policy,
                                                const char *currency);

/*
 * When a decision of priority asked for at from_us is due: from_us plus the
 * SLA's hours. Calendar hours count every hour. Business hours count the
 * hours of Monday to Friday in UTC, with no holiday calendar, by the clock
 * of rf_business_days_add (refunds/timeutil.h): a request made on a Saturday
 * or Sunday starts its clock on Monday 00:00, and a due time that falls on a
 * weekend moves to the Monday after it by the same 48 hours, so Friday 20:00
 * + 8 business hours is Monday 04:00 and Friday 16:00 + 8 is Monday 00:00.
 * The result is clamped to the Timestamp range.
 */
int64_t rf_policy_due(const struct rf_policy *policy, enum rf_priority priority, int64_t from_us);

/*
 * The reason codes a document may list, sorted: refunds.v1.ReasonCode's
 * short names in lower case, and the payment cases wrong_tax_applied,
 * invoice_error and charged_order_failed.
 */
extern const char *const rf_reason_codes[];
extern const size_t rf_reason_codes_count;

/* True when code is one of rf_reason_codes (lower case: "defective"). */
bool rf_reason_code_valid(const char *code);

/* "high", "normal", "low"; NULL for a value out of range. */
const char *rf_priority_name(enum rf_priority p);

/* "never", "escalate", "allowed"; NULL for a value out of range. */
const char *rf_category_rule_name(enum rf_category_rule r);

#endif
