/*
 * Checks of single request fields shared by every service's validators (see
 * field_check.h). Pure; each records violations naming the field.
 */
#include <stdio.h>
#include <string.h>

#include "field_check.h"
#include "refunds/money.h"
#include "refunds/pb.h"
#include "refunds/validate.h"

void rf_check_text(struct rf_error *err, const char *field, const char *s, size_t max,
                   bool required, unsigned flags)
{
    if (s[0] == '\0' || (required && !rf_text_has_content(s))) {
        if (required)
            rf_violation_add(err, field, "is required");
        return;
    }
    switch (rf_text_check(s, max, flags)) {
    case RF_TEXT_OK:
        break;
    case RF_TEXT_BAD_UTF8:
        rf_violation_add(err, field, "must be valid UTF-8");
        break;
    case RF_TEXT_TOO_LONG:
        rf_violation_add(err, field, "must be at most %zu characters", max);
        break;
    case RF_TEXT_CONTROL:
        rf_violation_add(err, field, "must not contain control characters");
        break;
    case RF_TEXT_BIDI:
        rf_violation_add(err, field,
                         "must not contain bidirectional control characters (U+202A to U+202E, "
                         "U+2066 to U+2069)");
        break;
    }
}

bool rf_check_format(struct rf_error *err, const char *field, const char *s, size_t max,
                     bool required, bool (*valid)(const char *), const char *expected)
{
    int before = err->n_violations;

    rf_check_text(err, field, s, max, required, 0);
    if (err->n_violations != before || s[0] == '\0')
        return err->n_violations == before;
    if (!valid(s)) {
        rf_violation_add(err, field, "must be %s", expected);
        return false;
    }
    return true;
}

bool rf_check_time(struct rf_error *err, const char *field, const Google__Protobuf__Timestamp *ts,
                   int64_t *us)
{
    char path[64];

    if (ts->nanos < 0 || ts->nanos > 999999999) {
        snprintf(path, sizeof path, "%s.nanos", field);
        rf_violation_add(err, path, "must be from 0 to 999999999");
        return false;
    }
    if (!rf_pb_timestamp_us(ts, us)) {
        snprintf(path, sizeof path, "%s.seconds", field);
        rf_violation_add(err, path, "must be a time from 0001-01-01 to 9999-12-31 (UTC)");
        return false;
    }
    return true;
}

bool rf_check_past_time(struct rf_error *err, const char *field,
                        const Google__Protobuf__Timestamp *ts, int64_t now_us, int64_t *us)
{
    if (ts == NULL) {
        rf_violation_add(err, field, "is required");
        return false;
    }
    if (!rf_check_time(err, field, ts, us))
        return false;
    if (*us > now_us + RF_CLOCK_SKEW_US) {
        rf_violation_add(err, field,
                         "must not be in the future (more than %lld minutes ahead of the server's "
                         "clock)",
                         RF_CLOCK_SKEW_US / 60000000);
        return false;
    }
    return true;
}

void rf_check_enum(struct rf_error *err, const char *field, const ProtobufCEnumDescriptor *desc,
                   int value, bool required)
{
    if (value == 0) {
        if (required)
            rf_violation_add(err, field, "is required");
        return;
    }
    if (rf_pb_enum_name(desc, value) == NULL)
        rf_violation_add(err, field, "is not a known %s value (%d)", desc->short_name, value);
}

bool rf_check_money(struct rf_error *err, const char *field, const Refunds__V1__Money *m)
{
    char path[64];
    int before = err->n_violations;

    if (m == NULL) {
        rf_violation_add(err, field, "is required");
        return false;
    }
    snprintf(path, sizeof path, "%s.amount_minor", field);
    if (m->amount_minor <= 0)
        rf_violation_add(err, path, "must be positive");
    else if (m->amount_minor > RF_MONEY_MAX_MINOR)
        rf_violation_add(err, path, "must be at most %lld", RF_MONEY_MAX_MINOR);
    snprintf(path, sizeof path, "%s.currency", field);
    if (m->currency[0] == '\0')
        rf_violation_add(err, path, "is required");
    else if (!rf_currency_valid(m->currency))
        rf_violation_add(err, path, "must be an ISO 4217 currency code in upper case, such as EUR");
    return err->n_violations == before;
}

void rf_check_page(struct rf_error *err, int32_t page_size, const char *page_token)
{
    if (page_size < 0)
        rf_violation_add(err, "page_size", "must not be negative");
    if (strlen(page_token) > 256)
        rf_violation_add(err, "page_token", "is not a page token of this list");
}
