/*
 * The reconciler's windows and intervals: struct rf_recon_config with its
 * documented defaults, and reading it from the REFUNDS_RECON_* environment
 * variables. Kept apart from the classifier so that classify.c stays pure
 * (this file reads the environment); not for the reconciler's connection
 * settings (database, Redis, batch size), which the worker's own settings hold.
 */
#ifndef REFUNDS_RECON_CONFIG_H
#define REFUNDS_RECON_CONFIG_H

#include <stdint.h>

#include "refunds/arrival.h"
#include "refunds/status.h"

/*
 * Every window and interval the classifier uses. rf_recon_config_defaults
 * gives the documented defaults (docs/reconciliation.md, with sources).
 * A window is crossed only strictly after its end: exactly at the end
 * nothing changes yet, one microsecond later it does.
 */
struct rf_recon_config {
    /*
     * NOT_FOUND_AT_PROVIDER only when the provider's data was taken more than
     * this after issue. REFUNDS_RECON_NOT_FOUND_GRACE_SECONDS, 48 h.
     */
    int64_t not_found_grace_us;
    /*
     * Provider data older than this is stale: an absent record then means
     * "unknown". REFUNDS_RECON_MAX_SNAPSHOT_AGE_SECONDS, 26 h.
     */
    int64_t max_snapshot_age_us;
    /* Pending longer after issue is STUCK_PENDING. REFUNDS_RECON_STUCK_PENDING_BUSINESS_DAYS, 3. */
    int stuck_pending_business_days;
    /*
     * A stuck refund gets a follow-up past this many business days after
     * issue. REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS, 5; never below
     * stuck_pending_business_days.
     */
    int stuck_follow_up_business_days;
    /*
     * A card refund's reference (ARN) is due this long after success.
     * REFUNDS_RECON_REFERENCE_BUSINESS_DAYS, 3.
     */
    int reference_business_days;
    /* Arrival windows; NULL = rf_arrival_defaults(). REFUNDS_RECON_ARRIVAL_WINDOWS overrides. */
    const struct rf_arrival_table *arrival;
    /* When to look again (rf_recon_classify says when each applies): */
    int64_t recheck_unknown_us;   /* REFUNDS_RECON_RECHECK_UNKNOWN_SECONDS, 15 min */
    int64_t recheck_pending_us;   /* REFUNDS_RECON_RECHECK_PENDING_SECONDS, 1 h */
    int64_t recheck_reference_us; /* REFUNDS_RECON_RECHECK_REFERENCE_SECONDS, 6 h */
    int64_t recheck_finding_us;   /* REFUNDS_RECON_RECHECK_FINDING_SECONDS, 24 h */
};

/* Fills c with the defaults; c->arrival = rf_arrival_defaults(). */
void rf_recon_config_defaults(struct rf_recon_config *c);

/*
 * Fills c from the REFUNDS_RECON_* environment variables (each unset or
 * empty variable gives its default; docs/reconciliation.md lists them) and
 * *arrival from the defaults overridden by REFUNDS_RECON_ARRIVAL_WINDOWS;
 * c->arrival points at arrival, which must outlive c. Fails with
 * INVALID_ARGUMENT and a message naming the variable (c and *arrival are then
 * partly filled and must not be used).
 */
enum rf_code rf_recon_config_from_env(struct rf_recon_config *c, struct rf_arrival_table *arrival,
                                      struct rf_error *err);

#endif
