/*
 * Audit checkpoints, pure: the hashes and the signature that seal a
 * checkpoint, and their verification. A checkpoint records the chain heads
 * (case, seq, hash) of the cases changed since the previous checkpoint, hashes
 * them, chains to the previous checkpoint and is signed with HMAC-SHA256 under
 * the key derived from the server's key for "audit-checkpoint"; docs/audit.md
 * has the byte-exact definition. Taking and reading checkpoints (SQL) is
 * audit_verify_store.c's; judging a case's chain is audit_verify.h's.
 */
#ifndef REFUNDS_AUDIT_CHECKPOINT_H
#define REFUNDS_AUDIT_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "audit_verify.h"
#include "refunds/crypto.h"

/* The purpose the checkpoints' key is derived for (rf_key_derive). */
#define RF_AUDIT_CHECKPOINT_PURPOSE "audit-checkpoint"
/* Most heads one checkpoint records; a larger backlog is taken as several checkpoints. */
#define RF_AUDIT_CHECKPOINT_HEADS_MAX 1000

/* One head a checkpoint records: a case's last event when it was taken. */
struct rf_audit_head {
    const char *case_id; /* lower-case UUID text */
    int seq;
    uint8_t hash[RF_SHA256_LEN];
};

/* A checkpoint as stored in audit_checkpoints. */
struct rf_audit_checkpoint {
    long long id; /* 1, 2, 3 ... without gaps */
    int64_t taken_us;
    long long n_heads;
    uint8_t prev_hash[RF_SHA256_LEN]; /* the previous checkpoint's hash; zeros for the first */
    uint8_t heads_hash[RF_SHA256_LEN];
    uint8_t hash[RF_SHA256_LEN];
    uint8_t signature[RF_SHA256_LEN];
};

/* The hash of n heads, which must be in case id order. */
void rf_audit_checkpoint_heads_hash(const struct rf_audit_head *heads, size_t n,
                                    uint8_t out[RF_SHA256_LEN]);

/* The hash of c: over its id, time, number of heads, previous hash and heads hash. */
void rf_audit_checkpoint_hash(const struct rf_audit_checkpoint *c, uint8_t out[RF_SHA256_LEN]);

/*
 * Seals c, whose id, taken_us and prev_hash are set, over its n heads (in case
 * id order): sets n_heads, heads_hash, hash and the signature under key.
 */
void rf_audit_checkpoint_seal(const uint8_t key[RF_KEY_LEN], struct rf_audit_checkpoint *c,
                              const struct rf_audit_head *heads, size_t n);

/*
 * Verifies the stored checkpoint c against its n stored heads (in case id
 * order) and the stored hash of checkpoint c->id - 1 (pred; NULL when that
 * checkpoint is not stored, ignored for the first): REMOVED when the
 * predecessor is missing; MODIFIED when c does not chain from it, its heads
 * are not the ones it recorded, or it does not hash to its stored hash;
 * BAD_SIGNATURE when all that holds but key did not sign it. The first fault
 * is returned and described in why (why_size bytes); RF_AUDIT_OK otherwise.
 */
enum rf_audit_fault rf_audit_checkpoint_check(const uint8_t key[RF_KEY_LEN],
                                              const struct rf_audit_checkpoint *c,
                                              const uint8_t *pred,
                                              const struct rf_audit_head *heads, size_t n,
                                              char *why, size_t why_size);

#endif
