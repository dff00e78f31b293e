/*
 * One-line JSON logs on standard output (see include/refunds/log.h). The
 * level and component are process-wide settings made once at start. Every
 * line is valid JSON whatever the values hold: control characters are
 * escaped, bytes that are not UTF-8 become U+FFFD.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "refunds/log.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"

static const char *const level_names[] = {"debug", "info", "warn", "error"};
static enum rf_log_level min_level = RF_LOG_INFO;
static const char *component_name = "refunds";

void rf_log_init(const char *component, enum rf_log_level level)
{
    component_name = component;
    min_level = level;
}

bool rf_log_level_parse(const char *s, enum rf_log_level *out)
{
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum rf_log_level)i;
            return true;
        }
    }
    return false;
}

bool rf_log_enabled(enum rf_log_level level)
{
    return level >= min_level;
}

/* Room kept at the end of the buffer for the closing of a truncated line. */
#define RESERVE 32

static void put(struct rf_logline *l, const char *s, size_t n)
{
    size_t room = sizeof l->buf - RESERVE - l->len;

    if (n > room) {
        l->overflow = true;
        n = room;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/*
 * Length of the well-formed UTF-8 character that starts with the non-ASCII
 * byte at s (2 to 4), or 0 when that byte starts none. Reads no further than
 * the continuation bytes that follow, so never past the NUL.
 */
static size_t utf8_char_len(const char *s)
{
    for (size_t n = 1; n < 4; n++) {
        if (((unsigned char)s[n] & 0xc0) != 0x80)
            return 0;
        if (rf_utf8_valid(s, n + 1))
            return n + 1;
    }
    return 0;
}

/* Writes s as a JSON string; a byte that is not part of well-formed UTF-8 becomes U+FFFD. */
static void put_escaped(struct rf_logline *l, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    put(l, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[6];

        if (c >= 0x80) {
            size_t n = utf8_char_len(s);

            if (n == 0) {
                put(l, "\\ufffd", 6);
            } else {
                put(l, s, n);
                s += n - 1;
            }
        } else if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(l, esc, 2);
        } else if (c < 0x20 || c == 0x7f) {
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            put(l, esc, 6);
        } else {
            put(l, (const char *)&c, 1);
        }
    }
    put(l, "\"", 1);
}

static void put_key(struct rf_logline *l, const char *key)
{
    put(l, ",", 1);
    put_escaped(l, key);
    put(l, ":", 1);
}

void rf_log_begin(struct rf_logline *l, enum rf_log_level level, const char *event)
{
    char ts[40];

    l->len = 0;
    l->overflow = false;
    l->truncated = false;
    l->enabled = rf_log_enabled(level);
    if (!l->enabled)
        return;
    rf_time_format_rfc3339(rf_now_us(), ts, sizeof ts);
    put(l, "{\"ts\":", 6);
    put_escaped(l, ts);
    put_key(l, "level");
    put_escaped(l, level_names[level]);
    put_key(l, "component");
    put_escaped(l, component_name);
    put_key(l, "event");
    put_escaped(l, event);
}

/* Drops the field just added if it did not fit whole, so the line stays valid JSON. */
static void field_end(struct rf_logline *l, size_t start)
{
    if (l->overflow) {
        l->len = start;
        l->overflow = false;
        l->truncated = true;
    }
}

void rf_log_str(struct rf_logline *l, const char *key, const char *value)
{
    size_t start = l->len;

    if (!l->enabled || value == NULL)
        return;
    put_key(l, key);
    put_escaped(l, value);
    field_end(l, start);
}

/* Adds a field whose value is already JSON (a number). */
static void put_raw_field(struct rf_logline *l, const char *key, const char *json, int n)
{
    size_t start = l->len;

    if (n < 0)
        return;
    put_key(l, key);
    put(l, json, (size_t)n);
    field_end(l, start);
}

void rf_log_int(struct rf_logline *l, const char *key, long long value)
{
    char num[32];

    if (l->enabled)
        put_raw_field(l, key, num, snprintf(num, sizeof num, "%lld", value));
}

void rf_log_ms(struct rf_logline *l, const char *key, double value)
{
    char num[48];

    if (l->enabled)
        put_raw_field(l, key, num, snprintf(num, sizeof num, "%.3f", value));
}

void rf_log_end(struct rf_logline *l)
{
    size_t off = 0;

    if (!l->enabled)
        return;
    if (l->truncated) {
        static const char tail[] = ",\"truncated\":true}\n";

        memcpy(l->buf + l->len, tail, sizeof tail - 1);
        l->len += sizeof tail - 1;
    } else {
        memcpy(l->buf + l->len, "}\n", 2);
        l->len += 2;
    }
    while (off < l->len) {
        ssize_t w = write(STDOUT_FILENO, l->buf + off, l->len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        off += (size_t)w;
    }
}

void rf_log_msg(enum rf_log_level level, const char *event, const char *fmt, ...)
{
    struct rf_logline l;
    char msg[1024];
    va_list ap;

    if (!rf_log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rf_log_begin(&l, level, event);
    rf_log_str(&l, "msg", msg);
    rf_log_end(&l);
}
