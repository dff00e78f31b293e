/*
 * SQL of follow-up tasks (table follow_ups, migration 0005) as refundsd uses
 * them: what is due for an assignee, and completing one. The reconciler opens
 * and cancels the tasks its findings need (workers/reconciler/recon_store.c).
 */
#ifndef REFUNDS_FOLLOWUP_STORE_H
#define REFUNDS_FOLLOWUP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/ctx.h"
#include "refunds/v1/cases.pb-c.h"

/* A task as read, with its case's id (empty when it has none). */
struct rf_followup_row {
    Refunds__V1__FollowUp *pb;
    char id[37];
    char case_id[37];
    bool open;
};

/*
 * The open tasks of assignee due by due_before_us (all open ones when
 * due_before_us is 0), by due time, after (after_us, after_id) when after_id is
 * not NULL; at most limit. *out is an arena array of *n.
 */
enum rf_code rf_followup_store_due(struct rf_ctx *ctx, const char *assignee, int64_t due_before_us,
                                   int64_t after_us, const char *after_id, int limit,
                                   Refunds__V1__FollowUp ***out, size_t *n);

/* Task id; NOT_FOUND naming followups/<id> when there is none. */
enum rf_code rf_followup_store_get(struct rf_ctx *ctx, const char *id, struct rf_followup_row *out);

/*
 * Marks the open task id DONE by ctx's actor at ctx's time with outcome; *applied
 * is false when it was no longer open.
 */
enum rf_code rf_followup_store_complete(struct rf_ctx *ctx, const char *id, const char *outcome,
                                        bool *applied);

/*
 * The earliest due time of case case_id's open tasks to contact the customer
 * (kind CONTACT_CUSTOMER) into *due_us; 0 when it has none.
 */
enum rf_code rf_followup_store_next_contact(struct rf_ctx *ctx, const char *case_id,
                                            int64_t *due_us);

#endif
