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

/* Longest accepted texts, in characters. */
#define RF_MAX_NAME_CHARS        200
#define RF_MAX_CATEGORY_CHARS    100
#define RF_MAX_ID_CHARS          64
#define RF_MAX_PROVIDER_ID_CHARS 128
#define RF_MAX_LONG_TEXT_CHARS   4000
#define RF_MAX_SHORT_TEXT_CHARS  2000
/* DecideCase offers each kind of alternative at most once. */
#define RF_MAX_ALTERNATIVES 4
/* Allowed clock skew for "not in the future" checks. */
#define RF_CLOCK_SKEW_US (5LL * 60 * 1000000)

/* Parses "cases/{uuid}" into id (lower case); false when name is not that. */
bool rf_case_name_parse(const char *name, char id[RF_UUID_TEXT_LEN + 1]);

/*
 * Checks a Timestamp field that must be set and not in the future (beyond the clock skew):
 * each failure names the exact rule broken (nanos range, Timestamp's year range, future),
 * on field.nanos, field.seconds or field. Stores the time in *us and returns true when it
 * passed.
 */
bool rf_validate_past_time(struct rf_error *err, const char *field,
                           const Google__Protobuf__Timestamp *ts, int64_t now_us, int64_t *us);

/* Parses an etag this service issued into a case version; false when it is not one. */
bool rf_etag_parse(const char *etag, long long *version);

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

#endif
