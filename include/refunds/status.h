/*
 * Status codes and the error record every layer fills.
 *
 * The codes are gRPC's canonical codes, so a status travels from a SQL helper
 * to the client unchanged, and carries gRPC's retry rule with it: UNAVAILABLE
 * means retry the call, ABORTED retry the transaction, FAILED_PRECONDITION do
 * not retry. Lower layers only fill the error; the layer that sends the status
 * (or fails the job) logs it once. This file does not talk to gRPC.
 */
#ifndef REFUNDS_STATUS_H
#define REFUNDS_STATUS_H

#include <stdbool.h>

enum rf_code {
    RF_OK = 0,
    RF_CANCELLED = 1,
    RF_UNKNOWN = 2,
    RF_INVALID_ARGUMENT = 3,
    RF_DEADLINE_EXCEEDED = 4,
    RF_NOT_FOUND = 5,
    RF_ALREADY_EXISTS = 6,
    RF_PERMISSION_DENIED = 7,
    RF_RESOURCE_EXHAUSTED = 8,
    RF_FAILED_PRECONDITION = 9,
    RF_ABORTED = 10,
    RF_OUT_OF_RANGE = 11,
    RF_UNIMPLEMENTED = 12,
    RF_INTERNAL = 13,
    RF_UNAVAILABLE = 14,
    RF_DATA_LOSS = 15,
    RF_UNAUTHENTICATED = 16,
};

#define RF_ERROR_MESSAGE_MAX 512
#define RF_ERROR_DETAIL_MAX  1024
#define RF_VIOLATIONS_MAX    32

/* One bad field of a request: google.rpc.BadRequest.FieldViolation. */
struct rf_violation {
    char field[64];
    char description[192];
};

/*
 * message is safe to show the client (lower case, no final period, names the
 * object); detail is for the log only (SQL errors, library messages).
 */
struct rf_error {
    enum rf_code code;
    char message[RF_ERROR_MESSAGE_MAX];
    char detail[RF_ERROR_DETAIL_MAX];
    int n_violations;
    struct rf_violation violations[RF_VIOLATIONS_MAX];
};

/* Empties err: code RF_OK, no message, detail or violations. */
void rf_error_clear(struct rf_error *err);

/*
 * Sets err's code and client-safe message (printf format) and returns code,
 * so that `return rf_fail(err, RF_NOT_FOUND, "case \"%s\" does not exist", id);`
 * reads as one statement. Leaves detail and violations as they are.
 */
enum rf_code rf_fail(struct rf_error *err, enum rf_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets err's log-only detail (printf format); the code is not changed. */
void rf_error_detail(struct rf_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Records that field (a path such as "customer.email") is invalid, with a
 * description for the client. Past RF_VIOLATIONS_MAX the violation is counted
 * in the message but not kept.
 */
void rf_violation_add(struct rf_error *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * If violations were recorded, sets code INVALID_ARGUMENT and a message naming
 * the first ("invalid customer.email: ...", plus how many others) and returns
 * RF_INVALID_ARGUMENT; otherwise returns RF_OK and changes nothing.
 */
enum rf_code rf_error_from_violations(struct rf_error *err);

/* The canonical name of a code ("NOT_FOUND"); "UNKNOWN" for a value out of range. */
const char *rf_code_name(enum rf_code code);

#endif
