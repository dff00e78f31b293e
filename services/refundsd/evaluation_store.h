/*
 * SQL of the evaluation of a case (table evaluations, migration 0007): the
 * customer's history as the rules engine takes it (evaluate.h), computed in
 * one query; the recording of an evaluation on its case, one statement shaped
 * like every case change (case_store.h); the reads of the evaluations kept,
 * and their conversion into refunds.v1.Evaluation messages (also for the
 * latest one, which every Case read carries). Not for judging (evaluate.c)
 * or for the policies themselves (policy_store.h).
 */
#ifndef REFUNDS_EVALUATION_STORE_H
#define REFUNDS_EVALUATION_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "case_store.h"
#include "evaluate.h"
#include "refunds/ctx.h"
#include "refunds/v1/cases.pb-c.h"

/* The most evaluations a case keeps: one more is refused. */
#define RF_EVALUATIONS_MAX 100

/*
 * The history of the customer of case row (by its e-mail address, and by
 * customer_id when not NULL) as of the case's first contact: the cases
 * created before it, and of them those within window_months before it for
 * the exceptions granted, the amount granted in currency and the denials;
 * the open findings of the earlier cases' refunds; this case's contacts
 * (the first one and the inbound interactions); whether a satisfaction
 * follow-up of an earlier case was answered 0-6 (a detractor). Also stores the
 * current policy version in *current_policy, so that the caller learns in
 * the same query whether its policy is still the current one.
 */
enum rf_code rf_evaluation_store_history(struct rf_ctx *ctx, const struct rf_case_row *row,
                                         const char *customer_id, int window_months,
                                         struct rf_eval_history *out, int64_t *current_policy);

/*
 * What recording an evaluation writes, besides the audit event: the engine's
 * result (struct rf_evaluation) as the handler names it, so that the store
 * needs none of the engine's code.
 */
struct json_t;

struct rf_evaluation_record {
    long long policy_version;
    const char *recommendation; /* "APPROVE", "ESCALATE", "DENY" */
    const char *tier;           /* "AGENT", "APPROVER", "SENIOR_APPROVER" */
    const char *priority;       /* "HIGH", "NORMAL", "LOW" */
    int score;
    int days_past_window;
    long long amount_outside_minor;
    const char *currency;
    struct json_t *result_doc; /* rf_evaluation_doc: stored as its canonical text */
    const struct rf_eval_history *history;
    const char *customer_id; /* recorded on a case that has none; NULL to leave it */
};

/*
 * Records evaluation rec on the case ch changes (its state to ch->to): the
 * next evaluations row, and the case's latest evaluation, evaluator, policy
 * version, recommendation, tier and priority. *applied is false when the case
 * no longer had the version and state read, or already has RF_EVALUATIONS_MAX
 * evaluations. When applied, *stored is the evaluation as GetCase and
 * ListEvaluations will show it (the conversion of rf_evaluation_store_message,
 * from rec->result_doc and the history's document, not their text parsed
 * again), in ctx's arena.
 */
enum rf_code rf_evaluation_store_record(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                        const struct rf_evaluation_record *rec, bool *applied,
                                        Refunds__V1__Evaluation **stored);

/* Every evaluation of case case_id, oldest first, into *out (an arena array of *n). */
enum rf_code rf_evaluation_store_list(struct rf_ctx *ctx, const char *case_id,
                                      Refunds__V1__Evaluation ***out, size_t *n);

/* True in *yes when subject evaluated case case_id at least once. */
enum rf_code rf_evaluation_store_evaluated_by(struct rf_ctx *ctx, const char *case_id,
                                              const char *subject, bool *yes);

/*
 * The API view of a stored evaluation: number seq, by evaluated_by at
 * evaluated_us, from the JSON texts of its result and history columns; in
 * the arena. A text that is not the stored form gives a message with what
 * could be read (the store wrote them, so that is a bug, never the caller's).
 */
Refunds__V1__Evaluation *rf_evaluation_store_message(struct rf_arena *a, int seq,
                                                     const char *evaluated_by, int64_t evaluated_us,
                                                     const char *result_json,
                                                     const char *history_json);

/* Every statement of evaluation_store.c, NULL-terminated, for the statement registry
 * (store_statements.h): static storage, never freed. */
const struct rf_stmt *const *rf_evaluation_store_statements(void);

#endif
