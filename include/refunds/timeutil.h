/*
 * Time as int64 microseconds since the Unix epoch (UTC), which is both
 * PostgreSQL's timestamptz resolution and enough for google.protobuf.Timestamp
 * as we use it. Text forms: RFC 3339 for humans and JSON, and the ISO form
 * PostgreSQL prints with DateStyle=ISO and TimeZone=UTC. Pure calendar
 * arithmetic, no time zone database and no locale.
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

#endif
