/*
 * The audit chain's hash: each event of a case stores
 * SHA-256(previous hash of the same case || canonical event), the first one
 * chaining from 32 zero bytes. The canonical event is the tag
 * "refunds.audit.v1" and the fields below, each as a netstring
 * ("<decimal length>:<bytes>,"), so that no two events encode alike and any
 * language can recompute it (docs/audit.md). Pure: storage is the caller's.
 */
#ifndef REFUNDS_AUDIT_H
#define REFUNDS_AUDIT_H

#include <stdint.h>

#include "refunds/crypto.h"

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

#endif
