/*
 * The audit chain's hash: each event of a case stores
 * SHA-256(previous hash of the same case || canonical event), the first one
 * chaining from 32 zero bytes. The canonical event is the tag
 * "refunds.audit.v1" and the fields below, each as a netstring
 * ("<decimal length>:<bytes>,"), so that no two events encode alike and any
 * language can recompute it (docs/audit.md). The hash and the link are pure;
 * audit_store.c writes events, for refundsd's calls and the workers' batches
 * alike.
 */
#ifndef REFUNDS_AUDIT_H
#define REFUNDS_AUDIT_H

#include <stdint.h>

#include <stdbool.h>

#include "refunds/crypto.h"
#include "refunds/ctx.h"

struct rf_audit_event {
    const char *case_id;    /* UUID text */
    int seq;                /* 1 for the case's first event */
    int64_t occurred_us;    /* microseconds since the epoch */
    const char *actor;      /* caller subject */
    const char *actor_role; /* role the call was allowed as */
    const char *method;     /* RPC method name, e.g. "DecideCase" */
    const char *old_state;  /* "" for the first event */
    const char *new_state;
    const char *request_id;
};

/* The hash a case's first event chains from: 32 zero bytes. */
extern const uint8_t rf_audit_genesis[RF_SHA256_LEN];

/* Computes the event's chain hash from the previous one. */
void rf_audit_chain_hash(const uint8_t prev[RF_SHA256_LEN], const struct rf_audit_event *ev,
                         uint8_t out[RF_SHA256_LEN]);

/* A case's next audit event: its number, the head it chains from, its hash, and its states. */
struct rf_audit_link {
    int seq;
    uint8_t prev[RF_SHA256_LEN];
    uint8_t hash[RF_SHA256_LEN];
    const char *old_state; /* "" for a case's first event */
    const char *new_state;
};

/*
 * Computes the link of the next event of case_id, whose chain head is head_seq
 * (0 for a new case) and head (ignored for a new case: the genesis is used), done
 * by ctx's actor as ctx->method with ctx->request_id at ctx->now_us, moving the
 * case from old_state to new_state (the same for an event that changes no state).
 */
void rf_audit_link_next(const struct rf_ctx *ctx, const char *case_id, int head_seq,
                        const uint8_t head[RF_SHA256_LEN], const char *old_state,
                        const char *new_state, struct rf_audit_link *out);

/*
 * The audit insert every statement that changes a case ends with, so that the
 * change, its own rows and its event are one statement: it inserts the event of
 * the row of the CTE named u (which has the case's id) from parameters $1-$11,
 * in the order rf_audit_params appends them, and is the statement's only
 * result (one row when the change applied, none when it did not). Such a
 * statement moves the case's chain head itself: audit_seq = $2, audit_head = $11.
 */
#define RF_AUDIT_INSERT_FROM_U                                                                     \
    " INSERT INTO audit_events (case_id, seq, occurred_at, actor, actor_role, method, old_state,"  \
    " new_state, request_id, prev_hash, hash)"                                                     \
    " SELECT u.id, $2, $3, $4, $5, $6, $7, $8, $9, $10::bytea, $11::bytea FROM u RETURNING 1"

/*
 * Starts p with the event's parameters $1-$11: case id, seq, time, actor, role,
 * method, old state, new state, request id, previous hash, hash. A statement's
 * own parameters follow from $12.
 */
void rf_audit_params(struct rf_params *p, struct rf_ctx *ctx, const char *case_id,
                     const struct rf_audit_link *link);

/* The statements of audit_store.c, NULL-terminated, static: for the statement registry. */
const struct rf_stmt *const *rf_audit_store_statements(void);

/*
 * Appends an event that changes nothing else of the case (a finding resolved, a
 * follow-up done): moves the case's chain head to link, and its version (its
 * etag) on, if the head is still where link chains from, and inserts the event.
 * *applied is false when a concurrent change moved the head first: read again.
 */
enum rf_code rf_audit_append(struct rf_ctx *ctx, const char *case_id,
                             const struct rf_audit_link *link, bool *applied);

#endif
