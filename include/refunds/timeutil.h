/*
 * Time as int64 microseconds since the Unix epoch (UTC), which is both
 * PostgreSQL's timestamptz resolution and enough for google.protobuf.Timestamp
 * as we use it. Text forms: RFC 3339 for humans and JSON, and the ISO form
 * PostgreSQL prints with DateStyle=ISO and TimeZone=UTC. Business days
 * (Monday to Friday, UTC) for the windows in which banks and card networks
 * move money. Pure calendar arithmetic, no time zone database, no holiday
 * calendar and no locale.
 */
#ifndef REFUNDS_TIMEUTIL_H
#define REFUNDS_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RF_USEC_PER_SEC 1000000LL
/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the Timestamp range. */
#define RF_TIME_MIN_US (-62135596800LL * RF_USEC_PER_SEC)
#define RF_TIME_MAX_US (253402300799LL * RF_USEC_PER_SEC + 999999)

/* Wall-clock now. */
int64_t rf_now_us(void);

/* A monotonic clock for deadlines and durations. */
int64_t rf_monotonic_us(void);

/* Sleeps ms milliseconds (resuming after signals); ms <= 0 returns at once. */
void rf_sleep_ms(long long ms);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t rf_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The UTC calendar date (proleptic Gregorian) of the instant us. */
void rf_time_civil_date(int64_t us, int64_t *year, unsigned *month, unsigned *day);

/* "2026-11-22T10:00:00.123456Z" (fraction omitted when zero); returns snprintf's value. */
int rf_time_format_rfc3339(int64_t us, char *buf, size_t size);

/* "2026-11-22 10:00:00.123456+00", a literal PostgreSQL reads back exactly. */
int rf_time_format_sql(int64_t us, char *buf, size_t size);

/*
 * Parses RFC 3339 ("2026-11-22T10:00:00Z", "2026-11-22T10:00:00.5+01:00") or
 * a bare date ("2026-11-22", midnight UTC); false when s is not that.
 */
bool rf_time_parse_rfc3339(const char *s, int64_t *us);

/* Parses PostgreSQL's ISO output in UTC ("2026-11-22 10:00:00.123456+00"). */
bool rf_time_parse_sql(const char *s, int64_t *us);

/*
 * Business days are Monday to Friday in UTC. There is no holiday calendar:
 * a bank holiday counts as a business day, so windows computed here can end
 * a day or two early around holidays (which errs on the side of looking at a
 * refund sooner, never later).
 *
 * The rule is the one card networks and banks apply: work that arrives on a
 * weekend is taken up on Monday morning. An instant on a Saturday or Sunday
 * therefore counts as Monday 00:00:00 UTC, and day 1 of a refund made on
 * Saturday ends on Tuesday 00:00. On a weekday the time of day is kept:
 *
 *   Friday 10:00 + 1    = Monday 10:00       Saturday 10:00 + 0 = Monday 00:00
 *   Thursday 10:00 + 1  = Friday 10:00       Saturday 10:00 + 1 = Tuesday 00:00
 *   Monday 10:00 + 5    = next Monday 10:00  Monday 10:00 - 1   = Friday 10:00
 *   any weekday instant + 0 = itself         Sunday 23:00 - 1   = Friday 00:00
 *
 * Negative days count backwards by the same clock (a weekend instant is
 * still Monday 00:00, so one business day before it is Friday 00:00). The
 * result is always a weekday instant. Times outside the Timestamp range
 * [RF_TIME_MIN_US, RF_TIME_MAX_US] are clamped to it, before and after.
 */
int64_t rf_business_days_add(int64_t us, int days);

/*
 * Whole business days elapsed from from_us to to_us by the clock above: the
 * business time between them (weekends count as nothing, a weekend instant
 * as Monday 00:00) divided by 24 hours, rounded towards zero. Negative when
 * to_us is before from_us: rf_business_days_between(a, b) is always
 * -rf_business_days_between(b, a). Friday 10:00 to Monday 09:59 is 0, to
 * Monday 10:00 is 1; Saturday to Sunday is 0.
 */
int rf_business_days_between(int64_t from_us, int64_t to_us);

#endif
