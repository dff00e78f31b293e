/*
 * The context every store function takes, the same for a gRPC call and for a
 * worker's batch (hiredis's context with err/errstr is the shape): the arena
 * everything of this unit of work is allocated in, its database connection,
 * the error record, the one wall-clock time it writes, the actor it is
 * attributed to, and what it is (method and request id, for the audit chain).
 * It also holds the unit's on-commit hooks (PostgreSQL's RegisterXactCallback):
 * what must happen only once the transaction is committed, such as dropping a
 * cached copy of what it changed, registered by the code that made the change
 * and run by whoever commits. A context belongs to one thread at a time.
 */
#ifndef REFUNDS_CTX_H
#define REFUNDS_CTX_H

#include <stdint.h>

#include "refunds/arena.h"
#include "refunds/db.h"
#include "refunds/roles.h"
#include "refunds/status.h"

struct rf_hook;

struct rf_ctx {
    struct rf_arena *arena; /* reset after every unit of work */
    struct rf_db *db;       /* this thread's connection */
    struct rf_error err;    /* filled by whatever fails */
    int64_t now_us;         /* wall clock at the start: the one time a unit writes */
    struct rf_actor actor;
    const char *method;     /* what is done, for the audit chain: "DecideCase", "Reconcile" */
    const char *request_id; /* its idempotency key or batch id; NULL for reads */
    struct rf_hook *hooks;  /* on-commit hooks, in the arena, newest first */
};

/*
 * Registers fn(arg) to run after the next successful rf_ctx_commit, in order of
 * registration; a rollback drops it. arg must live until then (the arena does).
 */
void rf_ctx_on_commit(struct rf_ctx *ctx, void (*fn)(void *arg), void *arg);

/* Starts a transaction (rf_db_begin), forgetting hooks left from before. */
enum rf_code rf_ctx_begin(struct rf_ctx *ctx);

/* Commits; on success runs the on-commit hooks, then forgets them. The error is in ctx->err. */
enum rf_code rf_ctx_commit(struct rf_ctx *ctx);

/*
 * Runs the on-commit hooks, oldest first, and forgets them: what rf_ctx_commit does
 * after a successful COMMIT, for a caller that committed otherwise.
 */
void rf_ctx_committed(struct rf_ctx *ctx);

/* Rolls back (never fails) and drops the on-commit hooks. */
void rf_ctx_rollback(struct rf_ctx *ctx);

#endif
