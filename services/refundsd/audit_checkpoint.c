/*
 * The hashes, signature and verification of audit checkpoints (see
 * audit_checkpoint.h). Every field is fed as a netstring (rf_sha256_field),
 * the framing of the audit chain itself, so that no two checkpoints encode
 * alike and any language can recompute them from docs/audit.md.
 */
#include <stdio.h>
#include <string.h>

#include "audit_checkpoint.h"

static void decimal(struct rf_sha256 *h, long long v)
{
    char num[32];
    int len = snprintf(num, sizeof num, "%lld", v);

    rf_sha256_field(h, num, (size_t)len);
}

static void text(struct rf_sha256 *h, const char *s)
{
    rf_sha256_field(h, s, strlen(s));
}

void rf_audit_checkpoint_heads_hash(const struct rf_audit_head *heads, size_t n,
                                    uint8_t out[RF_SHA256_LEN])
{
    struct rf_sha256 *h = rf_sha256_begin();

    text(h, "refunds.audit.heads.v1");
    for (size_t i = 0; i < n; i++) {
        text(h, heads[i].case_id);
        decimal(h, heads[i].seq);
        rf_sha256_field(h, heads[i].hash, RF_SHA256_LEN);
    }
    rf_sha256_end(h, out);
}

void rf_audit_checkpoint_hash(const struct rf_audit_checkpoint *c, uint8_t out[RF_SHA256_LEN])
{
    struct rf_sha256 *h = rf_sha256_begin();

    text(h, "refunds.audit.checkpoint.v1");
    decimal(h, c->id);
    decimal(h, (long long)c->taken_us);
    decimal(h, c->n_heads);
    rf_sha256_field(h, c->prev_hash, RF_SHA256_LEN);
    rf_sha256_field(h, c->heads_hash, RF_SHA256_LEN);
    rf_sha256_end(h, out);
}

void rf_audit_checkpoint_seal(const uint8_t key[RF_KEY_LEN], struct rf_audit_checkpoint *c,
                              const struct rf_audit_head *heads, size_t n)
{
    c->n_heads = (long long)n;
    rf_audit_checkpoint_heads_hash(heads, n, c->heads_hash);
    rf_audit_checkpoint_hash(c, c->hash);
    rf_hmac_sha256(key, RF_KEY_LEN, c->hash, RF_SHA256_LEN, c->signature);
}

enum rf_audit_fault rf_audit_checkpoint_check(const uint8_t key[RF_KEY_LEN],
                                              const struct rf_audit_checkpoint *c,
                                              const uint8_t *pred,
                                              const struct rf_audit_head *heads, size_t n,
                                              char *why, size_t why_size)
{
    uint8_t h[RF_SHA256_LEN];

    if (c->id > 1 && pred == NULL) {
        snprintf(why, why_size, "checkpoint %lld is missing: checkpoint %lld chains from it",
                 c->id - 1, c->id);
        return RF_AUDIT_REMOVED;
    }
    if (memcmp(c->prev_hash, c->id > 1 ? pred : rf_audit_genesis, RF_SHA256_LEN) != 0) {
        if (c->id > 1)
            snprintf(why, why_size, "checkpoint %lld does not chain from checkpoint %lld", c->id,
                     c->id - 1);
        else
            snprintf(why, why_size, "checkpoint 1 does not chain from the genesis");
        return RF_AUDIT_MODIFIED;
    }
    if (c->n_heads != (long long)n) {
        snprintf(why, why_size, "checkpoint %lld recorded %lld heads but %zu are stored", c->id,
                 c->n_heads, n);
        return RF_AUDIT_MODIFIED;
    }
    rf_audit_checkpoint_heads_hash(heads, n, h);
    if (memcmp(h, c->heads_hash, RF_SHA256_LEN) != 0) {
        snprintf(why, why_size, "the heads stored for checkpoint %lld are not the ones it recorded",
                 c->id);
        return RF_AUDIT_MODIFIED;
    }
    rf_audit_checkpoint_hash(c, h);
    if (memcmp(h, c->hash, RF_SHA256_LEN) != 0) {
        snprintf(why, why_size, "checkpoint %lld does not hash to its stored hash", c->id);
        return RF_AUDIT_MODIFIED;
    }
    rf_hmac_sha256(key, RF_KEY_LEN, c->hash, RF_SHA256_LEN, h);
    if (!rf_ct_equal(h, c->signature, RF_SHA256_LEN)) {
        snprintf(why, why_size,
                 "checkpoint %lld's signature is not this server's: it was forged, or the key "
                 "changed",
                 c->id);
        return RF_AUDIT_BAD_SIGNATURE;
    }
    snprintf(why, why_size, "checkpoint %lld verifies", c->id);
    return RF_AUDIT_OK;
}
