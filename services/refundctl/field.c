/*
 * Setting and reading protobuf-c message fields by path from command-line
 * text (see field.h). Everything is driven by the descriptors: there is no
 * per-message or per-enum code here, so a new request field needs only a
 * line in the command table.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"

#define SEGMENT_MAX 64

/* The member of msg that field f describes. */
static void *member(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    return (char *)msg + f->offset;
}

static void *quantifier(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    return (char *)msg + f->quantifier_offset;
}

/*
 * Follows path from *msg to its last field: *msg becomes the message that
 * holds it, and the field's descriptor is returned. When create is true,
 * unset messages on the way are created in a; otherwise NULL is returned at
 * the first unset one. NULL also when a name is not a field of its message.
 */
static const ProtobufCFieldDescriptor *walk(struct rf_arena *a, ProtobufCMessage **msg,
                                            const char *path, bool create)
{
    char name[SEGMENT_MAX];

    for (;;) {
        const char *dot = strchr(path, '.');
        size_t len = dot == NULL ? strlen(path) : (size_t)(dot - path);
        const ProtobufCFieldDescriptor *f;
        ProtobufCMessage **sub;

        if (len >= sizeof name)
            return NULL;
        memcpy(name, path, len);
        name[len] = '\0';
        f = protobuf_c_message_descriptor_get_field_by_name((*msg)->descriptor, name);
        if (f == NULL || dot == NULL)
            return f;
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
            return NULL;
        sub = member(*msg, f);
        if (*sub == NULL) {
            if (!create)
                return NULL;
            *sub = rf_pb_new(a, f->descriptor);
            if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
                *(uint32_t *)quantifier(*msg, f) = f->id;
        }
        *msg = *sub;
        path = dot + 1;
    }
}

/* What parsing a number came to. */
enum number { NUMBER_OK, NUMBER_BAD, NUMBER_RANGE };

/* Parses a whole decimal integer in [min, max]; no spaces, no trailing characters. */
static enum number parse_signed(const char *text, long long min, long long max, long long *out)
{
    char *end;
    long long v;

    if (text[0] == '\0' || isspace((unsigned char)text[0]))
        return NUMBER_BAD;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (end == text || *end != '\0')
        return NUMBER_BAD;
    if (errno == ERANGE || v < min || v > max)
        return NUMBER_RANGE;
    *out = v;
    return NUMBER_OK;
}

static enum number parse_unsigned(const char *text, unsigned long long max, unsigned long long *out)
{
    char *end;
    unsigned long long v;

    if (text[0] == '-' && isdigit((unsigned char)text[1]))
        return NUMBER_RANGE;
    if (!isdigit((unsigned char)text[0]))
        return NUMBER_BAD;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (*end != '\0')
        return NUMBER_BAD;
    if (errno == ERANGE || v > max)
        return NUMBER_RANGE;
    *out = v;
    return NUMBER_OK;
}

/* Writes why a number did not parse; false, for the caller to return. */
static bool number_fault(enum number r, long long min, unsigned long long max, char *why,
                         size_t why_size)
{
    if (r == NUMBER_BAD)
        snprintf(why, why_size, "expected a whole number");
    else
        snprintf(why, why_size, "expected a whole number from %lld to %llu", min, max);
    return false;
}

/* The value of desc spelled text on the command line ("in-person", "IN_PERSON",
 * "CHANNEL_IN_PERSON"). */
static bool parse_enum(const ProtobufCEnumDescriptor *desc, const char *text, int *value)
{
    char upper[128];
    size_t n = strlen(text);

    if (n == 0 || n >= sizeof upper)
        return false;
    for (size_t i = 0; i <= n; i++)
        upper[i] = text[i] == '-' ? '_' : (char)toupper((unsigned char)text[i]);
    if (rf_pb_enum_from_short(desc, upper, value))
        return true;
    return rf_pb_enum_value(desc, upper, value) && *value != 0;
}

void rf_field_enum_choices(const ProtobufCEnumDescriptor *desc, char *buf, size_t size)
{
    size_t len = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    for (unsigned i = 0; i < desc->n_values; i++) {
        const char *s = rf_pb_enum_short_name(desc, desc->values[i].value);

        if (desc->values[i].value == 0 || s == NULL)
            continue;
        if (len != 0 && len + 2 < size) {
            memcpy(buf + len, ", ", 2);
            len += 2;
        }
        for (; *s != '\0' && len + 1 < size; s++)
            buf[len++] = *s == '_' ? '-' : (char)tolower((unsigned char)*s);
        buf[len] = '\0';
    }
}

/* Parses text as one value of field f into the element at dst; false with a reason in why. */
static bool parse_value(struct rf_arena *a, const ProtobufCFieldDescriptor *f, const char *text,
                        void *dst, char *why, size_t why_size)
{
    long long s = 0;
    unsigned long long u = 0;
    enum number r;
    int64_t us;
    int e;

    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
        *(char **)dst = rf_arena_strdup(a, text);
        return true;
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        r = parse_signed(text, INT32_MIN, INT32_MAX, &s);
        if (r != NUMBER_OK)
            return number_fault(r, INT32_MIN, INT32_MAX, why, why_size);
        *(int32_t *)dst = (int32_t)s;
        return true;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        r = parse_signed(text, INT64_MIN, INT64_MAX, &s);
        if (r != NUMBER_OK)
            return number_fault(r, INT64_MIN, INT64_MAX, why, why_size);
        *(int64_t *)dst = (int64_t)s;
        return true;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        r = parse_unsigned(text, UINT32_MAX, &u);
        if (r != NUMBER_OK)
            return number_fault(r, 0, UINT32_MAX, why, why_size);
        *(uint32_t *)dst = (uint32_t)u;
        return true;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        r = parse_unsigned(text, UINT64_MAX, &u);
        if (r != NUMBER_OK)
            return number_fault(r, 0, UINT64_MAX, why, why_size);
        *(uint64_t *)dst = (uint64_t)u;
        return true;
    case PROTOBUF_C_TYPE_BOOL:
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
            snprintf(why, why_size, "expected true or false");
            return false;
        }
        *(protobuf_c_boolean *)dst = text[0] == 't';
        return true;
    case PROTOBUF_C_TYPE_ENUM: {
        char choices[512];

        if (parse_enum(f->descriptor, text, &e)) {
            *(int *)dst = e;
            return true;
        }
        rf_field_enum_choices(f->descriptor, choices, sizeof choices);
        snprintf(why, why_size, "expected one of: %s", choices);
        return false;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        if (f->descriptor != &google__protobuf__timestamp__descriptor)
            break;
        if (!rf_time_parse_rfc3339(text, &us)) {
            snprintf(why, why_size,
                     "expected a date such as 2026-09-01 or an RFC 3339 time such as "
                     "2026-09-01T10:00:00Z");
            return false;
        }
        *(Google__Protobuf__Timestamp **)dst = rf_pb_timestamp(a, us);
        return true;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
    case PROTOBUF_C_TYPE_BYTES:
        break;
    }
    fprintf(stderr, "refundctl: bug: field %s cannot be set from text\n", f->name);
    abort();
}

bool rf_field_set(struct rf_arena *a, ProtobufCMessage *msg, const char *path, const char *text,
                  char *why, size_t why_size)
{
    const ProtobufCFieldDescriptor *f = walk(a, &msg, path, true);
    size_t size;

    if (f == NULL) {
        fprintf(stderr, "refundctl: bug: %s is not a field path\n", path);
        abort();
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        size_t *n = quantifier(msg, f);
        void **array = member(msg, f);
        char *grown;

        size = rf_pb_element_size(f->type);
        grown = rf_arena_alloc(a, (*n + 1) * size);
        if (*n != 0)
            memcpy(grown, *array, *n * size);
        if (!parse_value(a, f, text, grown + *n * size, why, why_size))
            return false;
        *array = grown;
        (*n)++;
        return true;
    }
    if (!parse_value(a, f, text, member(msg, f), why, why_size))
        return false;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *)quantifier(msg, f) = f->id;
    else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
             f->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *)quantifier(msg, f) = 1;
    return true;
}

const char *rf_field_string(const ProtobufCMessage *msg, const char *path)
{
    ProtobufCMessage *m = (ProtobufCMessage *)msg;
    const ProtobufCFieldDescriptor *f = walk(NULL, &m, path, false);

    if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    return *(char **)member(m, f);
}

ProtobufCMessage *rf_field_message(const ProtobufCMessage *msg, const char *path)
{
    ProtobufCMessage *m = (ProtobufCMessage *)msg;
    const ProtobufCFieldDescriptor *f = walk(NULL, &m, path, false);

    if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    return *(ProtobufCMessage **)member(m, f);
}

const ProtobufCFieldDescriptor *rf_field_find(const ProtobufCMessageDescriptor *d, const char *path)
{
    char name[SEGMENT_MAX];

    for (;;) {
        const char *dot = strchr(path, '.');
        size_t len = dot == NULL ? strlen(path) : (size_t)(dot - path);
        const ProtobufCFieldDescriptor *f;

        if (len >= sizeof name)
            return NULL;
        memcpy(name, path, len);
        name[len] = '\0';
        f = protobuf_c_message_descriptor_get_field_by_name(d, name);
        if (f == NULL || dot == NULL)
            return f;
        if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
            return NULL;
        d = f->descriptor;
        path = dot + 1;
    }
}

bool rf_field_exists(const ProtobufCMessage *msg, const char *name)
{
    return protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name) != NULL;
}

void rf_field_append_repeated(struct rf_arena *a, ProtobufCMessage *to,
                              const ProtobufCMessage *from)
{
    const ProtobufCMessageDescriptor *d = to->descriptor;

    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        size_t *n_to, n_from, size;
        void **array;
        char *merged;

        if (f->label != PROTOBUF_C_LABEL_REPEATED)
            continue;
        n_to = quantifier(to, f);
        n_from = *(size_t *)quantifier(from, f);
        if (n_from == 0)
            continue;
        size = rf_pb_element_size(f->type);
        array = member(to, f);
        merged = rf_arena_alloc(a, (*n_to + n_from) * size);
        if (*n_to != 0)
            memcpy(merged, *array, *n_to * size);
        memcpy(merged + *n_to * size, *(void **)member(from, f), n_from * size);
        *array = merged;
        *n_to += n_from;
    }
}

void rf_field_take_singular(ProtobufCMessage *to, const ProtobufCMessage *from)
{
    const ProtobufCMessageDescriptor *d = to->descriptor;

    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];

        if (f->label == PROTOBUF_C_LABEL_REPEATED)
            continue;
        memcpy(member(to, f), member(from, f), rf_pb_element_size(f->type));
        if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
            *(uint32_t *)quantifier(to, f) = *(const uint32_t *)quantifier(from, f);
        else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset != 0)
            *(protobuf_c_boolean *)quantifier(to, f) =
                *(const protobuf_c_boolean *)quantifier(from, f);
    }
}
