/*
 * Checks of single request fields, shared by the validators of every service
 * (case_validate.c, recon_validate.c): text (UTF-8, length in characters,
 * control and bidirectional characters), formats, enums, money, Timestamps,
 * paging arguments. Pure; each records its violations in err, naming the
 * field by its proto path, and never echoes the input back.
 */
#ifndef REFUNDS_FIELD_CHECK_H
#define REFUNDS_FIELD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "google/protobuf/timestamp.pb-c.h"
#include "refunds/status.h"
#include "refunds/v1/common.pb-c.h"

/* Longest accepted texts, in characters. */
#define RF_MAX_NAME_CHARS        200
#define RF_MAX_CATEGORY_CHARS    100
#define RF_MAX_ID_CHARS          64
#define RF_MAX_PROVIDER_ID_CHARS 128
/* Payment.label: "Visa •••• 4242", as the customer knows the card or account. */
#define RF_MAX_PAYMENT_LABEL_CHARS 60
#define RF_MAX_LONG_TEXT_CHARS   4000
#define RF_MAX_SHORT_TEXT_CHARS  2000
/* Allowed clock skew for "not in the future" checks. */
#define RF_CLOCK_SKEW_US (5LL * 60 * 1000000)

/*
 * A text field of at most max characters; a required one must have more than
 * white space; flags as rf_text_check (RF_TEXT_MULTILINE for free text).
 */
void rf_check_text(struct rf_error *err, const char *field, const char *s, size_t max,
                   bool required, unsigned flags);

/* A field whose format has its own test (valid); text faults come first. True when it passed. */
bool rf_check_format(struct rf_error *err, const char *field, const char *s, size_t max,
                     bool required, bool (*valid)(const char *), const char *expected);

/* An enum field: set when required, and a value desc knows. */
void rf_check_enum(struct rf_error *err, const char *field, const ProtobufCEnumDescriptor *desc,
                   int value, bool required);

/* A required Money: positive, at most RF_MONEY_MAX_MINOR, an ISO 4217 code. True when it passed. */
bool rf_check_money(struct rf_error *err, const char *field, const Refunds__V1__Money *m);

/* page_size not negative, page_token not longer than any token we issue. */
void rf_check_page(struct rf_error *err, int32_t page_size, const char *page_token);

/*
 * A Timestamp that is set (ts not NULL): nanos in range and a time Timestamp can hold
 * (violations on field.nanos, field.seconds). Stores the time in *us; true when it passed.
 */
bool rf_check_time(struct rf_error *err, const char *field, const Google__Protobuf__Timestamp *ts,
                   int64_t *us);

/*
 * A Timestamp field that must be set and not in the future (beyond the clock skew):
 * each failure names the exact rule broken (nanos range, Timestamp's year range, future),
 * on field.nanos, field.seconds or field. Stores the time in *us and returns true when it
 * passed.
 */
bool rf_check_past_time(struct rf_error *err, const char *field,
                        const Google__Protobuf__Timestamp *ts, int64_t now_us, int64_t *us);

#endif
