/*
 * refundctl's human output: a case as a labelled block with its approval and
 * interactions, lists as aligned tables, the health status as one word, and
 * failed calls as "refundctl: CODE: message" with one line per field
 * violation. Text from the server is printed with control characters
 * neutralised so that a case cannot drive the user's terminal. The --json
 * form is json.c's.
 */
#ifndef REFUNDS_PRINT_H
#define REFUNDS_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#include "refunds/arena.h"
#include "refunds/status.h"
#include "refunds/v1/cases.pb-c.h"

/*
 * Writes reply in the human form its type calls for (refunds.v1.Case,
 * ListCasesResponse, ListApprovalQueueResponse, the Reconciliation replies
 * (runs, findings, VerifyAuditChainResponse), grpc.health.v1
 * HealthCheckResponse; anything else as JSON) to out. now_us is the time the
 * approval-queue SLA countdown is measured from; scratch strings go to arena
 * a. Returns 0, or -1 when writing failed.
 */
int rf_print_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a, int64_t now_us);

/* The printers of print_money.c: a refund trace, follow-ups, a finding; false for other types. */
bool rf_print_money_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a);

/*
 * The printers of print_comm.c: a decision message, RecordCommunication's
 * answer, the outbox, the NPS report; false for other types.
 */
bool rf_print_comm_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a);

/* A case's messages and the alternative it accepted, for the case block (nothing if none). */
void rf_print_case_messages(FILE *out, struct rf_arena *a, const Refunds__V1__Case *c);

/* A follow-up's satisfaction answer as one row (nothing for NULL). */
void rf_print_satisfaction(FILE *out, struct rf_arena *a, const Refunds__V1__Satisfaction *s);

/*
 * The printers of print_policy.c: a policy version (or its changes), the
 * versions, the policy report, a case's evaluations; false for other types.
 */
bool rf_print_policy_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a);

struct Refunds__V1__Evaluation;

/* One evaluation as a block: recommendation, tier, history, then each factor with its sentence. */
void rf_print_evaluation(FILE *out, struct rf_arena *a, const struct Refunds__V1__Evaluation *ev);

/*
 * The policy report (refunds.v1.PolicyReport) as CSV with a header line: one
 * line per group and one for the total ("(total)"), the group's keys, its
 * figures, then requested, approved and refunded minor units per currency of
 * the report, a column each. Any other reply is printed as rf_print_reply
 * does. Returns -1 when writing failed.
 */
int rf_csv_policy_report(FILE *out, struct rf_arena *a, const ProtobufCMessage *reply);

/*
 * ExportFindings rows (refunds.v1.FindingRow) as CSV (RFC 4180, with a header
 * line): fields with a comma, quote or line break are quoted, and a field that
 * a spreadsheet would read as a formula (starting with = + - @, tab or CR) is
 * prefixed with a single quote, since provider data and notes end up there.
 * Each returns -1 when writing failed.
 */
int rf_csv_findings_header(FILE *out);
int rf_csv_finding_row(FILE *out, struct rf_arena *a, const ProtobufCMessage *row);

/* The same row as one human line: kind, state, amount, provider refund, case, opened. */
int rf_print_finding_row(FILE *out, struct rf_arena *a, const ProtobufCMessage *row);

/* Writes err as "refundctl: CODE: message" and "  field: description" lines to out. */
void rf_print_error(FILE *out, const struct rf_error *err);

#endif
