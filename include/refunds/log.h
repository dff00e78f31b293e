/*
 * Structured logs: one JSON object per line on standard output (12-factor),
 * written with a single write(2) so that lines from several threads never
 * interleave. A line is built on the stack with rf_log_begin, the rf_log_*
 * field setters and rf_log_end; nothing is allocated. Customer contact data
 * must never be passed here in clear.
 */
#ifndef REFUNDS_LOG_H
#define REFUNDS_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum rf_log_level { RF_LOG_DEBUG, RF_LOG_INFO, RF_LOG_WARN, RF_LOG_ERROR };

#define RF_LOG_LINE_MAX 4096

struct rf_logline {
    char buf[RF_LOG_LINE_MAX];
    size_t len;
    bool enabled;
    bool overflow;  /* the field being added did not fit */
    bool truncated; /* a field was left out for want of room */
};

/* Sets the process's component name ("refundsd") and the lowest level written. */
void rf_log_init(const char *component, enum rf_log_level level);

/* Parses "debug", "info", "warn" or "error"; false for anything else. */
bool rf_log_level_parse(const char *s, enum rf_log_level *out);

/* True when lines of this level are written. */
bool rf_log_enabled(enum rf_log_level level);

/* Starts a line with ts, level, component and event; a disabled level makes the line a no-op. */
void rf_log_begin(struct rf_logline *l, enum rf_log_level level, const char *event);
/* Adds a string field, JSON-escaped; NULL adds nothing. */
void rf_log_str(struct rf_logline *l, const char *key, const char *value);
/* Adds an integer field. */
void rf_log_int(struct rf_logline *l, const char *key, long long value);
/* Adds a number field with three decimals (durations in milliseconds). */
void rf_log_ms(struct rf_logline *l, const char *key, double value);
/* Closes the line and writes it; fields that did not fit are left out and the line says
 * "truncated":true. */
void rf_log_end(struct rf_logline *l);

/* A one-field line: {"event": event, "msg": formatted}. */
void rf_log_msg(enum rf_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
