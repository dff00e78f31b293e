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
    const char *evaluated_by; /* NULL when nobody */
    const char *escalated_by; /* NULL when nobody */
};

/* What every change of an existing case carries. */
struct rf_case_change {
    const struct rf_case_row *before;
    enum rf_case_state to;
    struct rf_audit_link audit;
};

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
enum rf_code rf_case_store_escalate(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                    int64_t due_us, const char *note, bool *applied);
/* approved_minor is ignored unless decision is "APPROVE"; alternatives is a text[] literal. */
enum rf_code rf_case_store_decide(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                  const char *decision, long long approved_minor,
                                  const char *reason, const char *alternatives, bool *applied);
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

/* Lists pending approvals by due time after (after_due_us, after_id); after_id NULL for the start.
 */
enum rf_code rf_case_store_queue(struct rf_ctx *ctx, int64_t after_due_us, const char *after_id,
                                 int limit, Refunds__V1__Case ***cases, size_t *n);

#endif
