/*
 * Follow-ups and satisfaction (step 6 of the process), as the RefundCases
 * handlers share them: opening a follow-up task on a case as one audited
 * change of it, and the automatic satisfaction follow-up that asks the
 * customer how likely they are to recommend us once a denial has reached them
 * or their money has arrived. The RPCs of this part (ScheduleFollowUp,
 * GetSatisfactionReport) are satisfaction.c's; completing a task with the
 * customer's answer is followups.c's. SQL is in followup_store.c and
 * satisfaction_store.c; the arithmetic in nps.h.
 */
#ifndef REFUNDS_SATISFACTION_H
#define REFUNDS_SATISFACTION_H

#include <stdint.h>

#include "call.h"

/* The kinds of follow-up, as stored (refunds.v1.FollowUpKind short names). */
#define RF_FOLLOWUP_SATISFACTION      "SATISFACTION"
#define RF_FOLLOWUP_SUPERVISOR_REVIEW "SUPERVISOR_REVIEW"
#define RF_FOLLOWUP_DELIVERY_FAILED   "DELIVERY_FAILED"
#define RF_FOLLOWUP_FINANCE_REVIEW    "FINANCE_REVIEW"

/*
 * Opens a follow-up of kind on case case_id (read again here, in the call's
 * transaction): one change of the case with its audit event (the call's
 * method), which moves a denied case whose decision was communicated to
 * AWAITING_FOLLOW_UP when the task is a SATISFACTION one. Due at due_us, for
 * assignee (the case's when NULL or ""), saying reason. The new task's id goes
 * into id_out when it is not NULL (RF_UUID_TEXT_LEN + 1 bytes). ABORTED (the
 * dispatcher retries) when a concurrent change of the case came first.
 */
enum rf_code rf_followup_open(struct rf_call *call, const char *case_id, const char *kind,
                              int64_t due_us, const char *assignee, const char *reason,
                              char *id_out);

/*
 * The automatic satisfaction follow-up of case case_id, after what happened
 * (why: "the denial reached the customer"): opened for the case's agent,
 * REFUNDS_SATISFACTION_DELAY_DAYS business days from now, unless the case
 * already has one open. Fails as rf_followup_open does.
 */
enum rf_code rf_satisfaction_follow_up(struct rf_call *call, const char *case_id, const char *why);

#endif
