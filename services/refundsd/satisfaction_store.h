/*
 * SQL of the customers' satisfaction answers (follow_ups.score, migration
 * 0008) for reports: the answers recorded in a time range, grouped by up to
 * two dimensions of their cases (outcome, reason, product category, contact
 * channel) and counted into Net Promoter Score classes with nps.h, so that
 * the classification lives in one place. GetSatisfactionReport serves it
 * today; GetPolicyReport can call the same function for its NPS columns. Not
 * for recording answers (followup_store.h).
 */
#ifndef REFUNDS_SATISFACTION_STORE_H
#define REFUNDS_SATISFACTION_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "nps.h"
#include "refunds/ctx.h"

/* What answers are grouped by; the same values as refunds.v1.SatisfactionDimension. */
enum rf_nps_dimension {
    RF_NPS_BY_OUTCOME = 1,  /* approved_full, approved_partial, denied, alternative_accepted, ... */
    RF_NPS_BY_REASON = 2,   /* the case's reason code, as stored ("DEFECTIVE") */
    RF_NPS_BY_CATEGORY = 3, /* the product's category */
    RF_NPS_BY_CHANNEL = 4,  /* the channel of the first contact, as stored ("EMAIL") */
};
#define RF_NPS_DIMENSION_MAX RF_NPS_BY_CHANNEL
/* At most this many dimensions at once. */
#define RF_NPS_GROUP_BY_MAX 2

/* The answers of one group: its key per dimension asked for ("" past them) and the counts. */
struct rf_nps_group {
    const char *keys[RF_NPS_GROUP_BY_MAX];
    struct rf_nps nps;
};

/*
 * The answers recorded (their follow-up completed) at or after from_us and
 * before to_us (0: no bound), grouped by the n_dims (0 to RF_NPS_GROUP_BY_MAX)
 * dimensions dims, in the order of their keys: *out an arena array of *n
 * groups, none without answers. With no dimension, one group of every answer
 * (none when there are no answers).
 */
enum rf_code rf_satisfaction_store_nps(struct rf_ctx *ctx, int64_t from_us, int64_t to_us,
                                       const enum rf_nps_dimension *dims, size_t n_dims,
                                       struct rf_nps_group **out, size_t *n);

/* Every statement of satisfaction_store.c, NULL-terminated, for the statement registry
 * (store_statements.h): static storage, never freed. */
const struct rf_stmt *const *rf_satisfaction_store_statements(void);

#endif
