/*
 * The proto3 JSON mapping by descriptor walk (see json.h). Follows
 * https://protobuf.dev/programming-guides/proto3/#json for what our messages
 * use; two things are left out because no refunds message has them: maps
 * (protobuf-c shows them as repeated entry messages, printed as such) and
 * the special forms of google.protobuf.Any, Duration, Struct and the wrappers
 * (printed as ordinary messages). Text that is not valid UTF-8 is printed
 * with U+FFFD in place of the bad bytes, since JSON cannot carry it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/timestamp.pb-c.h"
#include "json.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"

#define NAME_MAX_LEN 128

static json_t *must(json_t *v)
{
    if (v == NULL)
        abort(); /* jansson only fails for want of memory: abort, as the arena does */
    return v;
}

static void set(json_t *obj, const char *key, json_t *v)
{
    if (json_object_set_new(obj, key, must(v)) != 0)
        abort();
}

/* Expected length of the UTF-8 sequence that starts with byte c; 0 when c cannot start one. */
static size_t utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

/* A JSON string of len bytes at s; bytes that are not well-formed UTF-8 become U+FFFD. */
static json_t *text_json(const char *s, size_t len)
{
    char *copy;
    size_t out = 0;
    json_t *v;

    if (rf_utf8_valid(s, len))
        return must(json_stringn(s, len));
    copy = malloc(len * 3 + 1);
    if (copy == NULL)
        abort();
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len((unsigned char)s[i]);

        if (n != 0 && i + n <= len && s[i] != '\0' && rf_utf8_valid(s + i, n)) {
            memcpy(copy + out, s + i, n);
            out += n;
            i += n;
        } else {
            memcpy(copy + out, "\xef\xbf\xbd", 3);
            out += 3;
            i++;
        }
    }
    v = must(json_stringn(copy, out));
    free(copy);
    return v;
}

/* Standard base64 with padding, as proto3 JSON writes bytes. */
static json_t *bytes_json(const ProtobufCBinaryData *b)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = 0, cap = (b->len + 2) / 3 * 4 + 1;
    char *out = malloc(cap);
    json_t *v;

    if (out == NULL)
        abort();
    for (size_t i = 0; i < b->len; i += 3) {
        uint32_t chunk = (uint32_t)b->data[i] << 16;
        size_t left = b->len - i;

        if (left > 1)
            chunk |= (uint32_t)b->data[i + 1] << 8;
        if (left > 2)
            chunk |= b->data[i + 2];
        out[n++] = abc[chunk >> 18 & 63];
        out[n++] = abc[chunk >> 12 & 63];
        out[n++] = left > 1 ? abc[chunk >> 6 & 63] : '=';
        out[n++] = left > 2 ? abc[chunk & 63] : '=';
    }
    v = must(json_stringn(out, n));
    free(out);
    return v;
}

static json_t *double_json(double d)
{
    if (isnan(d))
        return must(json_string("NaN"));
    if (isinf(d))
        return must(json_string(d > 0 ? "Infinity" : "-Infinity"));
    return must(json_real(d));
}

/* "2026-11-22T10:00:00Z" with 0, 3, 6 or 9 fraction digits; NULL when ts is out of range. */
static json_t *timestamp_json(const Google__Protobuf__Timestamp *ts)
{
    char buf[64];
    int64_t us;
    size_t len;

    if (!rf_pb_timestamp_us(ts, &us))
        return NULL;
    rf_time_format_rfc3339(ts->seconds * RF_USEC_PER_SEC, buf, sizeof buf);
    len = strlen(buf) - 1; /* before the Z */
    if (ts->nanos % 1000000 == 0 && ts->nanos != 0)
        snprintf(buf + len, sizeof buf - len, ".%03dZ", (int)(ts->nanos / 1000000));
    else if (ts->nanos % 1000 == 0 && ts->nanos != 0)
        snprintf(buf + len, sizeof buf - len, ".%06dZ", (int)(ts->nanos / 1000));
    else if (ts->nanos != 0)
        snprintf(buf + len, sizeof buf - len, ".%09dZ", (int)ts->nanos);
    return must(json_string(buf));
}

/* protoc's json_name: the field name with each "_x" turned into "X". */
static void json_name(const char *name, char out[NAME_MAX_LEN])
{
    size_t n = 0;
    bool upper = false;

    for (; *name != '\0' && n + 1 < NAME_MAX_LEN; name++) {
        if (*name == '_') {
            upper = true;
            continue;
        }
        out[n++] = upper && *name >= 'a' && *name <= 'z' ? (char)(*name - 'a' + 'A') : *name;
        upper = false;
    }
    out[n] = '\0';
}

static json_t *message_json(const ProtobufCMessage *msg);

/* The JSON of one value of field f stored at p (an element of a repeated field or the member). */
static json_t *value_json(const ProtobufCFieldDescriptor *f, const void *p)
{
    char num[32];

    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return must(json_integer(*(const int32_t *)p));
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return must(json_integer(*(const uint32_t *)p));
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(num, sizeof num, "%" PRId64, *(const int64_t *)p);
        return must(json_string(num));
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf(num, sizeof num, "%" PRIu64, *(const uint64_t *)p);
        return must(json_string(num));
    case PROTOBUF_C_TYPE_FLOAT:
        return double_json(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return double_json(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return must(json_boolean(*(const protobuf_c_boolean *)p));
    case PROTOBUF_C_TYPE_ENUM: {
        int v = *(const int *)p;
        const char *name = rf_pb_enum_name(f->descriptor, v);

        return must(name != NULL ? json_string(name) : json_integer(v));
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;

        return s == NULL ? must(json_string("")) : text_json(s, strlen(s));
    }
    case PROTOBUF_C_TYPE_BYTES:
        return bytes_json(p);
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;

        return m == NULL ? must(json_null()) : message_json(m);
    }
    }
    return must(json_null());
}

/* True when the singular field f of msg is to be printed: proto3 leaves out values at their
 * default. */
static bool present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    const char *p = (const char *)msg + f->offset;
    const char *q = (const char *)msg + f->quantifier_offset;

    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)q == f->id;
    if (f->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(ProtobufCMessage *const *)p != NULL;
    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return true;
    if (f->type == PROTOBUF_C_TYPE_STRING) {
        const char *s = *(char *const *)p;

        return s != NULL && (f->label == PROTOBUF_C_LABEL_OPTIONAL || s[0] != '\0');
    }
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL)
        return *(const protobuf_c_boolean *)q;
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return *(const uint64_t *)p != 0;
    case PROTOBUF_C_TYPE_FLOAT:
        return *(const float *)p != 0;
    case PROTOBUF_C_TYPE_DOUBLE:
        return *(const double *)p != 0;
    case PROTOBUF_C_TYPE_BOOL:
        return *(const protobuf_c_boolean *)p != 0;
    case PROTOBUF_C_TYPE_BYTES:
        return ((const ProtobufCBinaryData *)p)->len != 0;
    default: /* the 32-bit integers and enums */
        return *(const uint32_t *)p != 0;
    }
}

static json_t *message_json(const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *d = msg->descriptor;
    json_t *obj;

    if (d == &google__protobuf__timestamp__descriptor) {
        json_t *ts = timestamp_json((const Google__Protobuf__Timestamp *)msg);

        if (ts != NULL)
            return ts;
    }
    obj = must(json_object());
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *p = (const char *)msg + f->offset;
        char name[NAME_MAX_LEN];

        json_name(f->name, name);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
            const char *elems = *(char *const *)p;
            json_t *arr;

            if (n == 0)
                continue;
            arr = must(json_array());
            for (size_t j = 0; j < n; j++) {
                if (json_array_append_new(
                        arr, value_json(f, elems + j * rf_pb_element_size(f->type))) != 0)
                    abort();
            }
            set(obj, name, arr);
        } else if (present(msg, f)) {
            set(obj, name, value_json(f, p));
        }
    }
    return obj;
}

json_t *rf_json_message(const ProtobufCMessage *msg)
{
    return message_json(msg);
}

json_t *rf_json_error(const struct rf_error *err)
{
    json_t *obj = must(json_object());
    int n = err->n_violations < RF_VIOLATIONS_MAX ? err->n_violations : RF_VIOLATIONS_MAX;

    set(obj, "code", json_string(rf_code_name(err->code)));
    set(obj, "message", text_json(err->message, strlen(err->message)));
    if (n > 0) {
        json_t *arr = must(json_array());

        for (int i = 0; i < n; i++) {
            const struct rf_violation *v = &err->violations[i];
            json_t *o = must(json_object());

            set(o, "field", text_json(v->field, strlen(v->field)));
            set(o, "description", text_json(v->description, strlen(v->description)));
            if (json_array_append_new(arr, o) != 0)
                abort();
        }
        set(obj, "fieldViolations", arr);
    }
    return obj;
}

int rf_json_write(FILE *out, const json_t *value, bool pretty)
{
    /* ASCII only: non-ASCII text is \u-escaped, so a bidirectional or C1 control in a reply
     * cannot drive the terminal the JSON is shown on (print.c neutralises them likewise). */
    size_t flags = (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_ENSURE_ASCII;

    if (json_dumpf(value, out, flags | JSON_REAL_PRECISION(17)) != 0 || fputc('\n', out) == EOF ||
        fflush(out) != 0)
        return -1;
    return 0;
}
