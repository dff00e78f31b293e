/*
 * The state of refunds.v1.Reconciliation, bound in main.c and reached by its
 * handlers (reconciliation.c, trace.c) as call->service: the replica's case
 * cache, whose copy of a case is dropped when a call of this service appends
 * to the case's audit chain (ResolveFinding), the message templates the
 * agent's trace script is rendered from (render.h), compiled once at start,
 * and the key audit checkpoints are signed with (VerifyAuditChain, audit_rpc.c).
 */
#ifndef REFUNDS_RECONCILIATION_H
#define REFUNDS_RECONCILIATION_H

#include "call.h"
#include "case_cache.h"
#include "refunds/crypto.h"
#include "refunds/render.h"

struct rf_recon_service {
    struct rf_case_cache *cache;
    const struct rf_templates *templates;
    /* rf_key_derive(server key, RF_AUDIT_CHECKPOINT_PURPOSE): verifies checkpoint signatures */
    uint8_t checkpoint_key[RF_KEY_LEN];
};

static inline struct rf_recon_service *rf_recon(const struct rf_call *call)
{
    return call->service;
}

#endif
