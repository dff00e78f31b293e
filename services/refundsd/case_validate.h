/*
 * Validation of the RefundCases requests: pure functions that record every
 * bad field in err as a violation (field path and reason), so the client gets
 * them all at once as google.rpc.BadRequest. Checks that need the stored case
 * (etag, state, four-eyes, amounts against the case) are the handlers'.
 */
#ifndef REFUNDS_CASE_VALIDATE_H
#define REFUNDS_CASE_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "refunds/crypto.h"
#include "refunds/status.h"
#include "refunds/v1/cases.pb-c.h"

#include "field_check.h"

/* DecideCase offers each kind of alternative at most once. */
#define RF_MAX_ALTERNATIVES 4

/* Parses "cases/{uuid}" into id (lower case); false when name is not that. */
bool rf_case_name_parse(const char *name, char id[RF_UUID_TEXT_LEN + 1]);

/* Parses an etag this service issued into a case version; false when it is not one. */
bool rf_etag_parse(const char *etag, long long *version);

/* Field checks every RefundCases validator uses: name is a required cases/{id}. */
void rf_check_case_name(struct rf_error *err, const char *name);
/* etag is required and one this service issued. */
void rf_check_etag(struct rf_error *err, const char *etag);
/* etag, when given, is one this service issued (a change that reports a fact). */
void rf_check_optional_etag(struct rf_error *err, const char *etag);

void rf_validate_open_case(const Refunds__V1__OpenCaseRequest *in, int64_t now_us,
                           struct rf_error *err);
void rf_validate_get_case(const Refunds__V1__GetCaseRequest *in, int64_t now_us,
                          struct rf_error *err);
void rf_validate_list_cases(const Refunds__V1__ListCasesRequest *in, int64_t now_us,
                            struct rf_error *err);
void rf_validate_add_interaction(const Refunds__V1__AddInteractionRequest *in, int64_t now_us,
                                 struct rf_error *err);
void rf_validate_escalate_case(const Refunds__V1__EscalateCaseRequest *in, int64_t now_us,
                               struct rf_error *err);
void rf_validate_list_approval_queue(const Refunds__V1__ListApprovalQueueRequest *in,
                                     int64_t now_us, struct rf_error *err);
void rf_validate_decide_case(const Refunds__V1__DecideCaseRequest *in, int64_t now_us,
                             struct rf_error *err);
void rf_validate_withdraw_case(const Refunds__V1__WithdrawCaseRequest *in, int64_t now_us,
                               struct rf_error *err);
void rf_validate_evaluate_case(const Refunds__V1__EvaluateCaseRequest *in, int64_t now_us,
                               struct rf_error *err);
void rf_validate_list_evaluations(const Refunds__V1__ListEvaluationsRequest *in, int64_t now_us,
                                  struct rf_error *err);

void rf_validate_record_refund_issued(const Refunds__V1__RecordRefundIssuedRequest *in,
                                      int64_t now_us, struct rf_error *err);
void rf_validate_confirm_refund_received(const Refunds__V1__ConfirmRefundReceivedRequest *in,
                                         int64_t now_us, struct rf_error *err);

/* True for the providers RecordRefundIssued takes: stripe, adyen, paypal, checkout, other. */
bool rf_refund_provider_known(const char *s);

/* Parses "cases/{uuid}/refunds/{uuid}" into both ids (lower case); false when it is not that. */
bool rf_refund_name_parse(const char *name, char case_id[RF_UUID_TEXT_LEN + 1],
                          char refund_id[RF_UUID_TEXT_LEN + 1]);

#endif
