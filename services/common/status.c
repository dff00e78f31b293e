/*
 * The error record: setting the client message, the log-only detail and
 * field violations. Formatting only; no logging and no gRPC here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "refunds/status.h"

static const char *const code_names[] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

void rf_error_clear(struct rf_error *err)
{
    err->code = RF_OK;
    err->message[0] = '\0';
    err->detail[0] = '\0';
    err->n_violations = 0;
}

enum rf_code rf_fail(struct rf_error *err, enum rf_code code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

void rf_error_detail(struct rf_error *err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof err->detail, fmt, ap);
    va_end(ap);
}

void rf_violation_add(struct rf_error *err, const char *field, const char *fmt, ...)
{
    va_list ap;
    struct rf_violation *v;

    if (err->n_violations >= RF_VIOLATIONS_MAX) {
        err->n_violations++;
        return;
    }
    v = &err->violations[err->n_violations++];
    snprintf(v->field, sizeof v->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(v->description, sizeof v->description, fmt, ap);
    va_end(ap);
}

enum rf_code rf_error_from_violations(struct rf_error *err)
{
    const struct rf_violation *first;

    if (err->n_violations == 0)
        return RF_OK;
    first = &err->violations[0];
    if (err->n_violations == 1)
        return rf_fail(err, RF_INVALID_ARGUMENT, "invalid %s: %s", first->field,
                       first->description);
    return rf_fail(err, RF_INVALID_ARGUMENT, "invalid %s: %s (and %d more invalid field%s)",
                   first->field, first->description, err->n_violations - 1,
                   err->n_violations == 2 ? "" : "s");
}

const char *rf_code_name(enum rf_code code)
{
    if ((int)code < 0 || (size_t)code >= sizeof code_names / sizeof code_names[0])
        return "UNKNOWN";
    return code_names[code];
}
