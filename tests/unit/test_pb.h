/*
 * Message builders for unit tests that assemble refunds.v1 messages by hand:
 * a google.protobuf.Timestamp and a Money in an arena. Header-only, for
 * tests; the messages are plain protobuf-c structs, nothing is checked.
 */
#ifndef REFUNDS_TEST_PB_H
#define REFUNDS_TEST_PB_H

#include <stdint.h>

#include "refunds/pb.h"
#include "refunds/v1/common.pb-c.h"

/* A Timestamp of seconds and nanos, as given (out-of-range values included), in arena a. */
static inline Google__Protobuf__Timestamp *test_timestamp(struct rf_arena *a, int64_t seconds,
                                                          int32_t nanos)
{
    Google__Protobuf__Timestamp *t = rf_pb_new(a, &google__protobuf__timestamp__descriptor);

    t->seconds = seconds;
    t->nanos = nanos;
    return t;
}

/* A Money of minor units of currency in arena a; currency is not copied. */
static inline Refunds__V1__Money *test_money(struct rf_arena *a, int64_t minor,
                                             const char *currency)
{
    Refunds__V1__Money *m = rf_pb_new(a, &refunds__v1__money__descriptor);

    m->amount_minor = minor;
    m->currency = (char *)currency;
    return m;
}

#endif
