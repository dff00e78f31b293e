/*
 * SQL of the audit chain's verification and of its checkpoints (migration
 * 0006): reading a case's chain, the cases changed in a time range a page at
 * a time, the checkpoints that name a case or fall in a range with their
 * heads and what is stored for each head, and taking a checkpoint. Every read
 * a verification makes runs in one REPEATABLE READ transaction
 * (rf_audit_verify_begin), so the rows it compares are of one moment.
 * Everything is allocated in the context's arena. Judging what is read is
 * audit_verify.c's and audit_checkpoint.c's, not this file's.
 */
#ifndef REFUNDS_AUDIT_VERIFY_STORE_H
#define REFUNDS_AUDIT_VERIFY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit_checkpoint.h"
#include "audit_verify.h"
#include "refunds/ctx.h"

/* A case as stored: its head and its events in seq order. */
struct rf_audit_case {
    const char *case_id;
    int64_t updated_us;
    int head_seq;
    uint8_t head[RF_SHA256_LEN];
    struct rf_audit_row *rows;
    size_t n_rows;
};

/* What is stored for one head a checkpoint recorded. */
struct rf_audit_head_state {
    bool case_exists;
    bool event_exists; /* the case has an event with the head's seq */
    uint8_t event_hash[RF_SHA256_LEN];
};

/* A checkpoint as stored, the hash of its predecessor, and its heads in case id order. */
struct rf_audit_stored_checkpoint {
    struct rf_audit_checkpoint ck;
    bool has_pred; /* checkpoint ck.id - 1 is stored */
    uint8_t pred_hash[RF_SHA256_LEN];
    struct rf_audit_head *heads;
    struct rf_audit_head_state *states; /* one per head */
    size_t n_heads;
};

/* Starts the read-only REPEATABLE READ transaction a verification reads in; end it with
 * rf_ctx_rollback. */
enum rf_code rf_audit_verify_begin(struct rf_ctx *ctx);

/* The case case_id with its events; *out is NULL when there is no such case. */
enum rf_code rf_audit_case_load(struct rf_ctx *ctx, const char *case_id,
                                struct rf_audit_case **out);

/*
 * At most limit cases changed in range (updated at or after its start, created
 * before its end), in (updated_at, id) order after (after_us, after_id) (after_id
 * NULL for the first page), each with its events.
 */
enum rf_code rf_audit_cases_page(struct rf_ctx *ctx, const struct rf_audit_range *range,
                                 int64_t after_us, const char *after_id, int limit,
                                 struct rf_audit_case **cases, size_t *n);

/* Every checkpoint that records a head of case_id, in id order, each with all its heads. */
enum rf_code rf_audit_checkpoints_of_case(struct rf_ctx *ctx, const char *case_id,
                                          struct rf_audit_stored_checkpoint **out, size_t *n);

/*
 * The checkpoints of range after checkpoint after_id, in id order: those taken
 * in the range and the first one taken at or after its end (it records the
 * range's last changes). At most limit, and no more once max_heads heads are
 * read (at least one checkpoint is, however many heads it has). *more is true
 * when checkpoints of the range are left after these.
 */
enum rf_code rf_audit_checkpoints_page(struct rf_ctx *ctx, const struct rf_audit_range *range,
                                       long long after_id, int limit, long long max_heads,
                                       struct rf_audit_stored_checkpoint **out, size_t *n,
                                       bool *more);

/* The newest checkpoint's id and hash; *id is 0 when there is none. */
enum rf_code rf_audit_checkpoint_latest(struct rf_ctx *ctx, long long *id,
                                        uint8_t hash[RF_SHA256_LEN]);

/*
 * Takes a checkpoint in the caller's transaction, at ctx->now_us: records the
 * heads of at most max_heads cases whose chain moved since it was last recorded,
 * chains to the newest checkpoint and signs with key. *out gets the checkpoint
 * (n_heads == max_heads: more may be waiting); *taken is false, and nothing is
 * written, when no case moved or another refundsd is taking one now (it holds
 * the lock). Rows of cases locked by a change in progress are left for the
 * next checkpoint, so this never waits for a call.
 */
enum rf_code rf_audit_checkpoint_take(struct rf_ctx *ctx, const uint8_t key[RF_KEY_LEN],
                                      int max_heads, struct rf_audit_checkpoint *out, bool *taken);

/* Every statement of audit_verify_store.c, NULL-terminated, for the statement registry
 * (store_statements.h): static storage, never freed. */
const struct rf_stmt *const *rf_audit_verify_statements(void);

#endif
