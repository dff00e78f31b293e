/*
 * SQL of follow-up tasks (table follow_ups, migrations 0005 and 0008) as
 * refundsd uses them: what is due for an assignee, opening one on a case (an
 * audited change of the case), completing one with the customer's answer
 * (NPS score and comment), what is still open on a case, and closing a case
 * whose last follow-up is done. The reconciler opens and cancels the tasks
 * its findings need (workers/reconciler/recon_store.c).
 */
#ifndef REFUNDS_FOLLOWUP_STORE_H
#define REFUNDS_FOLLOWUP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "case_store.h"
#include "refunds/ctx.h"
#include "refunds/v1/cases.pb-c.h"

/* A task as read, with its case's id (empty when it has none). */
struct rf_followup_row {
    Refunds__V1__FollowUp *pb;
    char id[37];
    char case_id[37];
    char kind[40]; /* as stored: "SATISFACTION" */
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
 * Marks the open task id DONE by ctx's actor at ctx's time with outcome and,
 * when answer is not NULL, the customer's score and comment; *applied is false
 * when it was no longer open.
 */
enum rf_code rf_followup_store_complete(struct rf_ctx *ctx, const char *id, const char *outcome,
                                        const Refunds__V1__Satisfaction *answer, bool *applied);

/* A task to open on a case. */
struct rf_followup_new {
    const char *id;     /* a new UUID */
    const char *kind;   /* as stored: "SATISFACTION", "SUPERVISOR_REVIEW", ... */
    const char *reason; /* what to do */
    int64_t due_us;
    const char *assignee; /* NULL or "": the case's assignee */
};

/*
 * Opens task f on the case ch changes, by ctx's actor at ctx's time, in one
 * statement with the case's change (to ch->to: its own state, or where opening
 * the task moves it) and its audit event. *applied is false when the case no
 * longer had the version and state read.
 */
enum rf_code rf_followup_store_schedule(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                        const struct rf_followup_new *f, bool *applied);

/* How many tasks of case case_id are open, of kind only when kind is not NULL, into *n. */
enum rf_code rf_followup_store_open_count(struct rf_ctx *ctx, const char *case_id, const char *kind,
                                          long long *n);

/*
 * The change ch (the case to CLOSED) applied only if none of the case's tasks
 * is open; *applied false otherwise, or when the case no longer had the
 * version and state read.
 */
enum rf_code rf_followup_store_close_case(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                          bool *applied);

/*
 * The earliest due time of case case_id's open tasks to contact the customer
 * (kind CONTACT_CUSTOMER) into *due_us; 0 when it has none.
 */
enum rf_code rf_followup_store_next_contact(struct rf_ctx *ctx, const char *case_id,
                                            int64_t *due_us);

/* Every statement of followup_store.c, NULL-terminated, for the statement registry
 * (store_statements.h): static storage, never freed. */
const struct rf_stmt *const *rf_followup_store_statements(void);

#endif
