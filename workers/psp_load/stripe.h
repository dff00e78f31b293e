/*
 * Stripe refund objects and webhook events to provider records. Takes one
 * object parsed by jansson (an element of a GET /v1/refunds list, of a JSON
 * array, or one event of a file of lines) and fills an rf_psp_record, or
 * says it is an event of another type, or names the field that is wrong.
 * Pure: no I/O; finding the objects in a file is json_stream.c's job.
 */
#ifndef REFUNDS_PSP_LOAD_STRIPE_H
#define REFUNDS_PSP_LOAD_STRIPE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "refunds/arena.h"
#include "refunds/psp.h"
#include "refunds/status.h"

struct rf_stripe_context {
    const char *provider; /* the record's provider ("stripe" unless --provider) */
    int64_t taken_at_us;  /* updated_at of a refund object that is not in an event */
    const char *source;   /* the record's source ("refunds.json:[3]") */
};

/*
 * Maps obj: a refund object ("object": "refund", or no "object" member) or an
 * event ("object": "event"). An event of type refund.created, refund.updated
 * or refund.failed gives its data.object with updated_at = the event's
 * created; any other event type sets *skipped and leaves *out alone. Strings
 * of *out are in arena a. INVALID_ARGUMENT with "<field>: <reason>" in err
 * ("amount: must be a positive integer", "data.object.currency: ...") when
 * the object is not a refund Stripe would send.
 */
enum rf_code rf_stripe_map(struct rf_arena *a, json_t *obj, const struct rf_stripe_context *ctx,
                           struct rf_psp_record *out, bool *skipped, struct rf_error *err);

#endif
