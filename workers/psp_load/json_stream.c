/*
 * The JSON object splitter (see json_stream.h). A hand-written scanner of
 * the three layouts' outer structure: it tracks strings (with their escapes)
 * and bracket depth to find where each object ends, copying the object's
 * bytes into one growing buffer. It does not parse values; jansson does that
 * for each object the caller receives.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "json_stream.h"

#define IN_SIZE (256 * 1024)
#define KEY_MAX 16

enum state { S_START, S_ARRAY_FIRST, S_ARRAY_NEXT, S_LINES, S_DONE };

/* What scanning a value came to. */
enum scan { SCAN_OK, SCAN_EOF, SCAN_TOO_LARGE, SCAN_READ_ERROR };

struct rf_json_stream {
    struct rf_input in;
    unsigned char in_buf[IN_SIZE];
    char *obj; /* the object being captured */
    size_t len, cap, max;
    bool capturing, too_large;
    long line;
    enum state state;
    bool envelope;
    enum rf_json_layout layout;
    long index;
};

struct rf_json_stream *rf_json_stream_open(FILE *f, size_t max_object)
{
    struct rf_json_stream *s = calloc(1, sizeof *s);

    if (s == NULL)
        abort();
    rf_input_init(&s->in, f, s->in_buf, sizeof s->in_buf);
    s->max = max_object ? max_object : RF_JSON_OBJECT_MAX;
    s->line = 1;
    return s;
}

void rf_json_stream_close(struct rf_json_stream *s)
{
    if (s == NULL)
        return;
    free(s->obj);
    free(s);
}

enum rf_json_layout rf_json_stream_layout(const struct rf_json_stream *s)
{
    return s->layout;
}

/* Appends n bytes to the captured object; false (and too_large) past the limit. */
static bool append(struct rf_json_stream *s, const void *p, size_t n)
{
    if (s->len + n > s->max) {
        s->too_large = true;
        return false;
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;

        while (cap < s->len + n + 1)
            cap *= 2;
        s->obj = realloc(s->obj, cap);
        if (s->obj == NULL)
            abort();
        s->cap = cap;
    }
    memcpy(s->obj + s->len, p, n);
    s->len += n;
    return true;
}

static inline int peek(struct rf_json_stream *s)
{
    return rf_input_peek(&s->in);
}

/* Consumes the next byte (captured when capturing); -1 at the end. */
static inline int get(struct rf_json_stream *s)
{
    int c = rf_input_get(&s->in);

    if (c < 0)
        return c;
    if (c == '\n')
        s->line++;
    if (s->capturing)
        append(s, &s->in.buf[s->in.pos - 1], 1);
    return c;
}

static int skip_ws(struct rf_json_stream *s)
{
    for (;;) {
        int c = peek(s);

        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return c;
        get(s);
    }
}

static enum scan at_end(const struct rf_json_stream *s)
{
    if (s->too_large)
        return SCAN_TOO_LARGE;
    return s->in.error ? SCAN_READ_ERROR : SCAN_EOF;
}

/*
 * Consumes an object or array whose opening bracket is next, to its matching
 * close. The hot loop of the splitter: it scans the read buffer in place and
 * copies whole spans.
 */
/* The bytes inside a string that scan_nested must look at; it skips the others in a tight loop. */
static const bool string_special[256] = {['"'] = true, ['\\'] = true, ['\n'] = true};

static enum scan scan_nested(struct rf_json_stream *s)
{
    int depth = 0;
    bool in_str = false, esc = false;

    for (;;) {
        const unsigned char *p, *q, *end;
        bool done = false;

        if (s->in.pos == s->in.len && !rf_input_refill(&s->in))
            return at_end(s);
        p = s->in.buf + s->in.pos;
        end = s->in.buf + s->in.len;
        for (q = p; q < end; q++) {
            unsigned char c = *q;

            if (in_str) {
                if (esc) {
                    esc = false;
                    continue;
                }
                while (!string_special[c]) {
                    if (++q == end)
                        goto refill;
                    c = *q;
                }
                if (c == '\\')
                    esc = true;
                else if (c == '"')
                    in_str = false;
                else if (c == '\n')
                    s->line++;
            } else if (c == '"') {
                in_str = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    q++;
                    done = true;
                    break;
                }
            } else if (c == '\n') {
                s->line++;
            }
        }
    refill:
        if (s->capturing && !append(s, p, (size_t)(q - p)))
            return SCAN_TOO_LARGE;
        s->in.pos = (size_t)(q - s->in.buf);
        if (done)
            return SCAN_OK;
    }
}

/* Consumes a string whose opening quote is next; stores its first bytes (raw) in key. */
static enum scan scan_string(struct rf_json_stream *s, char key[KEY_MAX + 1])
{
    size_t n = 0;
    int c;

    get(s); /* the opening quote */
    for (;;) {
        c = get(s);
        if (c < 0)
            return at_end(s);
        if (c == '"')
            break;
        if (c == '\\' && get(s) < 0)
            return at_end(s);
        if (key != NULL && n < KEY_MAX)
            key[n++] = (char)c;
    }
    if (key != NULL)
        key[n] = '\0';
    return s->too_large ? SCAN_TOO_LARGE : SCAN_OK;
}

/* Consumes one value of any kind. */
static enum scan scan_value(struct rf_json_stream *s)
{
    int c = peek(s);

    if (c == '{' || c == '[')
        return scan_nested(s);
    if (c == '"')
        return scan_string(s, NULL);
    if (c < 0)
        return at_end(s);
    while ((c = peek(s)) >= 0 && strchr(",}] \t\r\n", c) == NULL)
        get(s);
    return s->too_large ? SCAN_TOO_LARGE : SCAN_OK;
}

static enum rf_read fail(struct rf_json_stream *s, struct rf_json_item *item, struct rf_error *err,
                         enum rf_code code, const char *reason)
{
    /* In a file of lines, a fault inside an object is reported at the line the object starts on. */
    if (s->layout == RF_JSON_LINES || s->layout == RF_JSON_UNKNOWN)
        snprintf(item->where, sizeof item->where, "%ld", s->capturing ? item->line : s->line);
    else
        snprintf(item->where, sizeof item->where, "[%ld]", s->index);
    if (code == RF_UNAVAILABLE)
        rf_fail(err, code, "could not read the file: %s", strerror(errno));
    else
        rf_fail(err, code, "%s", reason);
    s->state = S_DONE;
    return RF_READ_ERROR;
}

/* Fails for a scan that did not end well; what is the thing that was not closed. */
static enum rf_read fail_scan(struct rf_json_stream *s, struct rf_json_item *item,
                              struct rf_error *err, enum scan r, const char *what)
{
    char reason[128];

    if (r == SCAN_READ_ERROR)
        return fail(s, item, err, RF_UNAVAILABLE, NULL);
    if (r == SCAN_TOO_LARGE)
        snprintf(reason, sizeof reason, "an object larger than %zu bytes", s->max);
    else
        snprintf(reason, sizeof reason, "the file ends inside %s (truncated?)", what);
    return fail(s, item, err, RF_INVALID_ARGUMENT, reason);
}

enum members { M_END, M_ENVELOPE, M_ERROR };

/*
 * Walks the members of a top-level object whose '{' was consumed (or, with
 * after_value, whose last value was), to its '}'. With detect, stops right
 * after the '[' of a "data" array: the object is a list envelope.
 */
static enum members scan_members(struct rf_json_stream *s, bool detect, bool after_value,
                                 struct rf_json_item *item, struct rf_error *err)
{
    char key[KEY_MAX + 1];
    enum scan r = SCAN_OK;
    int c;

    if (!after_value && skip_ws(s) == '}') {
        get(s);
        return M_END;
    }
    for (;;) {
        if (!after_value) {
            c = skip_ws(s);
            if (c != '"') {
                if (c < 0)
                    fail_scan(s, item, err, at_end(s), "an object");
                else
                    fail(s, item, err, RF_INVALID_ARGUMENT, "expected a member name");
                return M_ERROR;
            }
            if ((r = scan_string(s, key)) != SCAN_OK || skip_ws(s) != ':') {
                if (r != SCAN_OK || peek(s) < 0)
                    fail_scan(s, item, err, r != SCAN_OK ? r : at_end(s), "an object");
                else
                    fail(s, item, err, RF_INVALID_ARGUMENT, "expected ':' after a member name");
                return M_ERROR;
            }
            get(s);
            c = skip_ws(s);
            if (detect && c == '[' && strcmp(key, "data") == 0) {
                get(s);
                return M_ENVELOPE;
            }
            if ((r = scan_value(s)) != SCAN_OK) {
                fail_scan(s, item, err, r, "an object");
                return M_ERROR;
            }
        }
        after_value = false;
        c = skip_ws(s);
        get(s);
        if (c == '}')
            return M_END;
        if (c != ',') {
            if (c < 0)
                fail_scan(s, item, err, at_end(s), "an object");
            else
                fail(s, item, err, RF_INVALID_ARGUMENT, "expected ',' or '}' after a member");
            return M_ERROR;
        }
    }
}

static void begin_capture(struct rf_json_stream *s, struct rf_json_item *item)
{
    s->len = 0;
    s->too_large = false;
    s->capturing = true;
    item->line = s->line;
}

static enum rf_read emit(struct rf_json_stream *s, struct rf_json_item *item)
{
    s->capturing = false;
    s->obj[s->len] = '\0';
    item->text = s->obj;
    item->len = s->len;
    item->index = s->index++;
    if (s->layout == RF_JSON_LINES)
        snprintf(item->where, sizeof item->where, "%ld", item->line);
    else
        snprintf(item->where, sizeof item->where, "[%ld]", item->index);
    return RF_READ_ITEM;
}

/* After the layout's end only whitespace may follow. */
static enum rf_read finish(struct rf_json_stream *s, struct rf_json_item *item,
                           struct rf_error *err)
{
    if (skip_ws(s) >= 0)
        return fail(s, item, err, RF_INVALID_ARGUMENT, "text after the end of the JSON");
    if (s->in.error)
        return fail(s, item, err, RF_UNAVAILABLE, NULL);
    s->state = S_DONE;
    return RF_READ_END;
}

static enum rf_read start(struct rf_json_stream *s, struct rf_json_item *item, struct rf_error *err)
{
    int c = skip_ws(s);

    if (c == '[') {
        get(s);
        s->layout = RF_JSON_ARRAY;
        s->state = S_ARRAY_FIRST;
        return rf_json_stream_next(s, item, err);
    }
    if (c != '{') {
        if (c < 0 && s->in.error)
            return fail(s, item, err, RF_UNAVAILABLE, NULL);
        return fail(s, item, err, RF_INVALID_ARGUMENT,
                    c < 0 ? "the file has no JSON in it"
                          : "expected a JSON array of objects, a list object "
                            "({\"object\": \"list\", \"data\": [...]}) or one object per line");
    }
    begin_capture(s, item);
    get(s);
    switch (scan_members(s, true, false, item, err)) {
    case M_ERROR:
        return RF_READ_ERROR;
    case M_ENVELOPE:
        s->capturing = false;
        s->layout = RF_JSON_ENVELOPE;
        s->envelope = true;
        s->state = S_ARRAY_FIRST;
        return rf_json_stream_next(s, item, err);
    case M_END:
        break;
    }
    if (s->too_large)
        return fail_scan(s, item, err, SCAN_TOO_LARGE, "an object");
    s->layout = RF_JSON_LINES;
    s->state = S_LINES;
    return emit(s, item);
}

static enum rf_read array_element(struct rf_json_stream *s, struct rf_json_item *item,
                                  struct rf_error *err)
{
    enum scan r;
    int c = skip_ws(s);

    if (c == ']') {
        get(s);
        if (s->envelope && scan_members(s, false, true, item, err) != M_END)
            return RF_READ_ERROR;
        return finish(s, item, err);
    }
    if (s->state == S_ARRAY_NEXT) {
        if (c != ',') {
            if (c < 0)
                return fail_scan(s, item, err, at_end(s), "the array");
            return fail(s, item, err, RF_INVALID_ARGUMENT, "expected ',' or ']' after an element");
        }
        get(s);
        c = skip_ws(s);
    }
    if (c != '{') {
        if (c < 0)
            return fail_scan(s, item, err, at_end(s), "the array");
        return fail(s, item, err, RF_INVALID_ARGUMENT, "expected an object");
    }
    begin_capture(s, item);
    if ((r = scan_nested(s)) != SCAN_OK)
        return fail_scan(s, item, err, r, "an object");
    s->state = S_ARRAY_NEXT;
    return emit(s, item);
}

enum rf_read rf_json_stream_next(struct rf_json_stream *s, struct rf_json_item *item,
                                 struct rf_error *err)
{
    enum scan r;
    int c;

    switch (s->state) {
    case S_START:
        return start(s, item, err);
    case S_ARRAY_FIRST:
    case S_ARRAY_NEXT:
        return array_element(s, item, err);
    case S_LINES:
        c = skip_ws(s);
        if (c < 0)
            return finish(s, item, err);
        if (c != '{')
            return fail(s, item, err, RF_INVALID_ARGUMENT, "expected an object");
        begin_capture(s, item);
        if ((r = scan_nested(s)) != SCAN_OK)
            return fail_scan(s, item, err, r, "an object");
        return emit(s, item);
    case S_DONE:
        break;
    }
    return RF_READ_END;
}
