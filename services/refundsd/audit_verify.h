/*
 * The audit chain's verifier, pure: given a case's stored events in seq order
 * and its stored head (cases.audit_seq, audit_head), it recomputes each hash
 * from the previous one (rf_audit_chain_hash), checks the links, the numbers
 * from 1 without gaps and the head, and names the first fault: which event,
 * and whether it was modified, removed or reordered. It also judges a head a
 * checkpoint recorded against what is stored. No SQL here (audit_verify_store.c
 * reads the rows) and nothing about checkpoints' own hashes (audit_checkpoint.h).
 */
#ifndef REFUNDS_AUDIT_VERIFY_H
#define REFUNDS_AUDIT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/audit.h"

/* What is wrong; the values are refunds.v1.AuditFaultKind's. */
enum rf_audit_fault {
    RF_AUDIT_OK = 0,
    RF_AUDIT_MODIFIED = 1,
    RF_AUDIT_REMOVED = 2,
    RF_AUDIT_REORDERED = 3,
    RF_AUDIT_REMOVED_CASE = 4,
    RF_AUDIT_BAD_SIGNATURE = 5,
};

/* One stored row of audit_events: the fields the hash covers and the two hashes. */
struct rf_audit_row {
    struct rf_audit_event ev;
    uint8_t prev_hash[RF_SHA256_LEN];
    uint8_t hash[RF_SHA256_LEN];
};

/* The verdict on a chain: its first fault, and where. */
struct rf_audit_finding {
    enum rf_audit_fault fault; /* RF_AUDIT_OK when the chain verifies */
    int seq;                   /* the event at fault; 0 when none in particular */
    int other_seq;             /* RF_AUDIT_REORDERED: the event whose hash matched */
    char message[200];         /* what is wrong, for the reply */
};

/* The time range of a verification: cases changed in it; an unset end is open. */
struct rf_audit_range {
    bool has_start, has_end;
    int64_t start_us, end_us;
};

/*
 * Verifies the chain of one case: rows are its stored events sorted by seq
 * (n may be 0), head_seq and head its cases row's audit_seq and audit_head.
 * Each event must chain from the stored hash of the one before it (the
 * genesis for event 1) and hash to its own stored hash; the numbers must run
 * from 1 without a gap and end at head_seq with the hash head. The first
 * fault found is written to *out: REMOVED for a gap or a chain that ends
 * before its head, REORDERED when an event's link or content matches the
 * stored hash of another event of the case, MODIFIED otherwise (the event
 * named is the one that was changed: the one before an intact event whose
 * link no longer matches). Linear in n.
 */
void rf_audit_verify_chain(const struct rf_audit_row *rows, size_t n, int head_seq,
                           const uint8_t head[RF_SHA256_LEN], struct rf_audit_finding *out);

/*
 * Judges a head a checkpoint recorded (an event's seq and hash) against the
 * store: REMOVED_CASE when its case no longer exists, REMOVED when the case
 * has no event with that seq (stored is NULL), MODIFIED when the stored hash
 * of that event differs from recorded, RF_AUDIT_OK otherwise.
 */
enum rf_audit_fault rf_audit_verify_head(bool case_exists, const uint8_t *stored,
                                         const uint8_t recorded[RF_SHA256_LEN]);

#endif
