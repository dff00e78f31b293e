/*
 * SQL of the case lifecycle. Every change of a case is one statement that
 * updates the case only if it still has the state and version the handler
 * read (so that of two racing calls exactly one applies), and in the same
 * statement writes the rows that go with the change and the case's next audit
 * event (the shared RF_AUDIT_INSERT_FROM_U). Reads build the API's Case
 * messages in the context's arena. Every function takes a struct rf_ctx, which
 * a gRPC call and a worker's batch both have.
 */
#ifndef REFUNDS_CASE_STORE_H
#define REFUNDS_CASE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "case_state.h"
#include "refunds/audit.h"
#include "refunds/crypto.h"
#include "refunds/ctx.h"
#include "refunds/v1/cases.pb-c.h"

/* A case as read, with what the handlers need beyond its API view. */
struct rf_case_row {
    Refunds__V1__Case *pb;
    char id[RF_UUID_TEXT_LEN + 1];
    enum rf_case_state state;
    long long version;
    int audit_seq;
    uint8_t audit_head[RF_SHA256_LEN];
    const char *opened_by;
    const char *evaluated_by; /* the latest evaluation's; NULL when nobody */
    const char *escalated_by; /* NULL when nobody */
    const char *customer_id;  /* Customer.id; NULL when none */
    int evaluation_count;     /* the number of the latest evaluation; 0 when none */
    /* Of the latest evaluation (0 and NULL without one); tier also the escalation's. */
    long long policy_version;
    const char *recommendation; /* "APPROVE", "ESCALATE", "DENY" */
    const char *tier;           /* "AGENT", "APPROVER", "SENIOR_APPROVER" */
    const char *priority;       /* "HIGH", "NORMAL", "LOW" */
};

/*
 * True when ap (NULL: none) refuses the refund: a denial, or an alternative
 * offered instead (DECISION_OFFER_ALTERNATIVE), which the customer is told as
 * a denial with its offer.
 */
static inline bool rf_approval_denies(const Refunds__V1__Approval *ap)
{
    return ap != NULL && (ap->decision == REFUNDS__V1__DECISION__DECISION_DENY ||
                          ap->decision == REFUNDS__V1__DECISION__DECISION_OFFER_ALTERNATIVE);
}

/* The case's payment method as the arrival windows name it ("card", "bank_transfer"). */
const char *rf_case_payment_method(struct rf_arena *a, const Refunds__V1__Case *c);

/* What every change of an existing case carries. */
struct rf_case_change {
    const struct rf_case_row *before;
    enum rf_case_state to;
    struct rf_audit_link audit;
};

/*
 * The shape of every change of an existing case, for the statements of
 * case_store.c and of the other stores that change a case (refund_store.c):
 * $1-$11 are its audit event (rf_audit_params), $12 and $13 the version and
 * state it was read at; the case is updated only if it still has them, as
 * "u", moving its chain head to the event and its state to $8; then the
 * change's own rows; then RF_AUDIT_INSERT_FROM_U, whose row is the statement's
 * only result. The change's own parameters start at $14.
 */
#define RF_CASE_CHANGE_UPDATE                                                                      \
    "WITH u AS (UPDATE cases SET version = version + 1, updated_at = $3, audit_seq = $2,"          \
    " audit_head = $11, state = $8"
#define RF_CASE_CHANGE_WHERE " WHERE id = $1 AND version = $12 AND state = $13"

/* Starts p with parameters $1-$13 of change ch. */
void rf_case_change_params(struct rf_ctx *ctx, const struct rf_case_change *ch,
                           struct rf_params *p);

/* Runs a change statement; *applied is true when the case still had the version and state. */
enum rf_code rf_case_run_change(struct rf_ctx *ctx, const struct rf_stmt *stmt,
                                const struct rf_params *p, bool *applied);

struct rf_tracking_key;

/*
 * Sets the key every Case read or opened is given its tracking_token with
 * (tracking_token.h). Called once at start, before any thread reads a case;
 * k must outlive them. Until it is called tokens are empty (a worker that
 * never answers with cases need not call it).
 */
void rf_case_store_set_tracking_key(const struct rf_tracking_key *k);

/* The tracking token of case id created at created_us, in a; "" without a key. */
char *rf_case_store_tracking_token(struct rf_arena *a, const char *id, int64_t created_us);

/*
 * Reads case id with its latest approval and, when full, its interactions.
 * NOT_FOUND when there is no such case.
 */
enum rf_code rf_case_store_get(struct rf_ctx *ctx, const char *id, bool full,
                               struct rf_case_row *out);

/*
 * Inserts the new case c (state OPEN, version 1) with its acknowledgement
 * interaction and its first audit event, audit. c's fields are already normalised.
 */
enum rf_code rf_case_store_insert(struct rf_ctx *ctx, const char *id, const Refunds__V1__Case *c,
                                  const char *contact_summary, const struct rf_audit_link *audit);

/* The changes. *applied is false when the case no longer had the state and version read. */
enum rf_code rf_case_store_add_interaction(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                           const char *kind, const char *channel,
                                           const char *summary, bool *applied);

/* What an escalation records on its approval. */
struct rf_case_escalation {
    int64_t due_us;
    const char *note;
    const char *tier;     /* "APPROVER" or "SENIOR_APPROVER" */
    const char *priority; /* "HIGH", "NORMAL", "LOW": which SLA set due_us */
    long long policy_version;
};
enum rf_code rf_case_store_escalate(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                    const struct rf_case_escalation *e, bool *applied);

/* What a decision records on its approval and its case. */
struct rf_case_decision {
    const char *decision;     /* "APPROVE", "DENY", "OFFER_ALTERNATIVE" */
    long long approved_minor; /* APPROVE only; 0 otherwise */
    const char *outcome; /* "APPROVED_FULL", "APPROVED_PARTIAL", "DENIED", "ALTERNATIVE_OFFERED" */
    const char *reason;
    const char *alternatives; /* a text[] literal of Alternative short names */
    const char *offer_kind;   /* OFFER_ALTERNATIVE: "STORE_CREDIT" or "EXCHANGE"; else NULL */
    long long offer_minor;    /* STORE_CREDIT: the credit; else 0 */
    const char *offer_currency;
    const char *offer_sku; /* EXCHANGE: the SKU; else NULL */
};

/*
 * Decides the pending approval of the case ch changes, recording the breach
 * when it comes after the due time. The SQL repeats the handler's checks:
 * four-eyes (opened, evaluated at any time, escalated) and a senior tier
 * decided only by a senior approver.
 */
enum rf_code rf_case_store_decide(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                  const struct rf_case_decision *d, bool *applied);

/*
 * An agent's own approval (d->decision "APPROVE") of the evaluated case ch
 * changes: a decided approval with no escalation, at the agent's tier, with
 * the evaluation's priority and policy version. Applies only while the case's
 * latest evaluation still recommends APPROVE at the agent's tier.
 */
enum rf_code rf_case_store_self_approve(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                        const struct rf_case_decision *d, const char *priority,
                                        long long policy_version, bool *applied);
enum rf_code rf_case_store_withdraw(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                    const char *reason, bool *applied);

/* Filters of ListCases; NULL members are not filtered on. */
struct rf_case_filter {
    const char *state;
    const char *customer_email;
    const char *assignee;
    /* Keyset cursor: only cases created before (before_us, before_id); NULL id for the start. */
    int64_t before_us;
    const char *before_id;
    int limit;
};

/*
 * Lists cases newest first: by create time, then id (ids of one process increase with
 * time; across replicas the create time decides). *cases is an arena array of *n messages.
 */
enum rf_code rf_case_store_list(struct rf_ctx *ctx, const struct rf_case_filter *f,
                                Refunds__V1__Case ***cases, size_t *n);

/*
 * Every statement of this file, NULL-terminated, for the statement registry
 * (store_statements.h): static storage, never freed. The ListCases statements,
 * built at first use, are built by this call if they were not yet.
 */
const struct rf_stmt *const *rf_case_store_statements(void);

/* Filters of ListApprovalQueue. */
struct rf_queue_filter {
    /* Keyset cursor: only approvals due after (after_due_us, after_id); NULL id for the start. */
    int64_t after_due_us;
    const char *after_id;
    int limit;
    bool overdue_only; /* due before ctx's time */
    const char *tier;  /* "APPROVER" or "SENIOR_APPROVER"; NULL for both */
};

/* Lists pending approvals by due time, then case id. */
enum rf_code rf_case_store_queue(struct rf_ctx *ctx, const struct rf_queue_filter *f,
                                 Refunds__V1__Case ***cases, size_t *n);

#endif
