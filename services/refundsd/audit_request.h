/*
 * The VerifyAuditChain request, pure: its validation, the time range it
 * names, and its page token. A range is verified in pages: first its cases
 * (page_size at a time), then its checkpoints; the token carries the phase,
 * the position in it and the totals so far (so every page can report them),
 * bound to the range by a fingerprint so that it cannot be used with another.
 * What a page does with them is audit_rpc.c's.
 */
#ifndef REFUNDS_AUDIT_REQUEST_H
#define REFUNDS_AUDIT_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "audit_verify.h"
#include "refunds/arena.h"
#include "refunds/crypto.h"
#include "refunds/status.h"
#include "refunds/v1/reconciliation.pb-c.h"

/* Which part of a range a page verifies. */
enum rf_audit_phase {
    RF_AUDIT_PHASE_CASES = 0,       /* the chains of the cases changed in the range */
    RF_AUDIT_PHASE_CHECKPOINTS = 1, /* then the checkpoints taken in it, and their heads */
};

/* What a verification has counted so far. */
struct rf_audit_totals {
    int64_t cases, events, checkpoints, heads, faults;
};

/* Where a range's verification stands after a page. */
struct rf_audit_cursor {
    enum rf_audit_phase phase;
    int64_t after_us;                    /* cases: the last case's updated_at */
    char after_id[RF_UUID_TEXT_LEN + 1]; /* cases: the last case's id; "" before the first */
    long long after_checkpoint;          /* checkpoints: the last one checked; 0 before the first */
    struct rf_audit_totals totals;
};

/*
 * Checks in (pure): case is cases/{id} when given, and then no range and no
 * page token; start_time and end_time valid Timestamps, the start before the
 * end; page_size not negative. Records every violation in err.
 */
void rf_validate_verify_audit_chain(const Refunds__V1__VerifyAuditChainRequest *in, int64_t now_us,
                                    struct rf_error *err);

/* The range a validated request names. */
void rf_audit_request_range(const Refunds__V1__VerifyAuditChainRequest *in,
                            struct rf_audit_range *out);

/* The token of the page after cursor, for range, in arena a. */
char *rf_audit_token_encode(struct rf_arena *a, const struct rf_audit_range *range,
                            const struct rf_audit_cursor *cursor);

/*
 * Reads token into *cursor: false when it is not a token of a verification of
 * this range. An empty token is the first page (a zero cursor).
 */
bool rf_audit_token_decode(const char *token, const struct rf_audit_range *range,
                           struct rf_audit_cursor *cursor);

#endif
