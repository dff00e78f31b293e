/*
 * The state refunds.v1.Reconciliation is bound with (main.c), which its
 * VerifyAuditChain handler (audit_rpc.c) needs: the key audit checkpoints are
 * signed with. The method table part of that file is declared in services.h.
 */
#ifndef REFUNDS_AUDIT_RPC_H
#define REFUNDS_AUDIT_RPC_H

#include <stdint.h>

#include "refunds/crypto.h"

/* The state of refunds.v1.Reconciliation. */
struct rf_reconciliation_state {
    /* rf_key_derive(server key, RF_AUDIT_CHECKPOINT_PURPOSE): verifies checkpoint signatures */
    uint8_t checkpoint_key[RF_KEY_LEN];
};

#endif
