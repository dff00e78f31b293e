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

#include <stdint.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

#include "refunds/arena.h"
#include "refunds/status.h"

/*
 * Writes reply in the human form its type calls for (refunds.v1.Case,
 * ListCasesResponse, ListApprovalQueueResponse, the Reconciliation replies
 * (runs, findings, VerifyAuditChainResponse), grpc.health.v1
 * HealthCheckResponse; anything else as JSON) to out. now_us is the time the
 * approval-queue SLA countdown is measured from; scratch strings go to arena
 * a. Returns 0, or -1 when writing failed.
 */
int rf_print_reply(FILE *out, const ProtobufCMessage *reply, struct rf_arena *a, int64_t now_us);

/* Writes err as "refundctl: CODE: message" and "  field: description" lines to out. */
void rf_print_error(FILE *out, const struct rf_error *err);

#endif
