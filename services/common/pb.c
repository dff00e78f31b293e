/*
 * protobuf-c helpers (see include/refunds/pb.h).
 */
#include <stdio.h>
#include <string.h>

#include "refunds/pb.h"
#include "refunds/timeutil.h"

static void *arena_alloc(void *data, size_t size)
{
    return rf_arena_alloc(data, size);
}

static void arena_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr; /* freed with the arena */
}

void rf_pb_allocator_init(ProtobufCAllocator *alloc, struct rf_arena *a)
{
    alloc->alloc = arena_alloc;
    alloc->free = arena_free;
    alloc->allocator_data = a;
}

ProtobufCMessage *rf_pb_unpack(struct rf_arena *a, const ProtobufCMessageDescriptor *desc,
                               const uint8_t *data, size_t len)
{
    ProtobufCAllocator alloc;

    rf_pb_allocator_init(&alloc, a);
    return protobuf_c_message_unpack(desc, &alloc, len, data);
}

/* Reads a base-128 varint at *p (before end); false when it is cut short or too long. */
static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;

    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;

        x |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *v = x;
            return true;
        }
    }
    return false;
}

static enum rf_pb_wire scan(const ProtobufCMessageDescriptor *desc, const uint8_t *p,
                            const uint8_t *end, char *path, size_t path_size, size_t path_len,
                            int depth)
{
    while (p < end && depth < 32) {
        uint64_t key, n;
        const ProtobufCFieldDescriptor *f;
        enum rf_pb_wire sub_fault;

        if (!read_varint(&p, end, &key))
            return RF_PB_WIRE_OK;
        if (key >> 3 == 0) {
            /* Field number 0 does not exist; protobuf-c keeps it and packs it back as 00. */
            return RF_PB_WIRE_FIELD_ZERO;
        }
        switch (key & 7) {
        case 0:
            if (!read_varint(&p, end, &n))
                return RF_PB_WIRE_OK;
            continue;
        case 1:
            p += 8;
            continue;
        case 5:
            p += 4;
            continue;
        case 2:
            break;
        default:
            return RF_PB_WIRE_OK; /* groups, or not a message at all: unpack says so */
        }
        if (!read_varint(&p, end, &n) || n > (uint64_t)(end - p))
            return RF_PB_WIRE_OK;
        f = key >> 3 <= UINT32_MAX
                ? protobuf_c_message_descriptor_get_field(desc, (unsigned)(key >> 3))
                : NULL;
        if (f != NULL &&
            (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)) {
            int k = snprintf(path + path_len, path_size - path_len, "%s%s", path_len ? "." : "",
                             f->name);
            size_t sub = path_len + (k > 0 ? (size_t)k : 0);

            if (sub >= path_size)
                sub = path_size - 1;
            if (f->type == PROTOBUF_C_TYPE_STRING && memchr(p, 0, (size_t)n) != NULL)
                return RF_PB_WIRE_NUL;
            if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
                sub_fault = scan(f->descriptor, p, p + n, path, path_size, sub, depth + 1);
                if (sub_fault != RF_PB_WIRE_OK)
                    return sub_fault;
            }
            path[path_len] = '\0';
        }
        p += n;
    }
    return RF_PB_WIRE_OK;
}

enum rf_pb_wire rf_pb_wire_check(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                                 size_t len, char *path, size_t path_size)
{
    if (path_size == 0)
        return RF_PB_WIRE_OK;
    path[0] = '\0';
    return scan(desc, data, data + len, path, path_size, 0, 0);
}

void rf_pb_strip_unknown(ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;

    msg->n_unknown_fields = 0;
    msg->unknown_fields = NULL;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        char *at = (char *)msg + f->offset;

        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(size_t *)(void *)((char *)msg + f->quantifier_offset);
            ProtobufCMessage **items = *(ProtobufCMessage ***)(void *)at;

            for (size_t k = 0; k < n; k++)
                if (items[k] != NULL)
                    rf_pb_strip_unknown(items[k]);
        } else if (*(ProtobufCMessage **)(void *)at != NULL) {
            rf_pb_strip_unknown(*(ProtobufCMessage **)(void *)at);
        }
    }
}

bool rf_pb_find_nul_string(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                           char *path, size_t path_size)
{
    return rf_pb_wire_check(desc, data, len, path, path_size) == RF_PB_WIRE_NUL;
}

size_t rf_pb_element_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return 8;
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_FLOAT:
        return sizeof(float);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    default: /* the 32-bit integers and enums */
        return 4;
    }
}

void *rf_pb_new(struct rf_arena *a, const ProtobufCMessageDescriptor *desc)
{
    void *m = rf_arena_alloc(a, desc->sizeof_message);

    protobuf_c_message_init(desc, m);
    return m;
}

uint8_t *rf_pb_pack(struct rf_arena *a, const ProtobufCMessage *msg, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = rf_arena_alloc(a, n);

    *len = protobuf_c_message_pack(msg, buf);
    return buf;
}

Google__Protobuf__Timestamp *rf_pb_timestamp(struct rf_arena *a, int64_t us)
{
    Google__Protobuf__Timestamp *ts = rf_pb_new(a, &google__protobuf__timestamp__descriptor);
    int64_t secs = us / RF_USEC_PER_SEC, rem = us % RF_USEC_PER_SEC;

    if (rem < 0) {
        rem += RF_USEC_PER_SEC;
        secs -= 1;
    }
    ts->seconds = secs;
    ts->nanos = (int32_t)(rem * 1000);
    return ts;
}

bool rf_pb_timestamp_us(const Google__Protobuf__Timestamp *ts, int64_t *us)
{
    if (ts->nanos < 0 || ts->nanos > 999999999)
        return false;
    if (ts->seconds < RF_TIME_MIN_US / RF_USEC_PER_SEC ||
        ts->seconds > RF_TIME_MAX_US / RF_USEC_PER_SEC)
        return false;
    *us = ts->seconds * RF_USEC_PER_SEC + ts->nanos / 1000;
    return true;
}

const char *rf_pb_enum_name(const ProtobufCEnumDescriptor *desc, int value)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(desc, value);

    return v == NULL ? NULL : v->name;
}

bool rf_pb_enum_value(const ProtobufCEnumDescriptor *desc, const char *name, int *value)
{
    for (unsigned i = 0; i < desc->n_values; i++) {
        if (strcmp(desc->values[i].name, name) == 0) {
            *value = desc->values[i].value;
            return true;
        }
    }
    return false;
}

/* Length of the prefix shared by desc's names: value 0's name less "UNSPECIFIED". */
static size_t enum_prefix_len(const ProtobufCEnumDescriptor *desc)
{
    const char *zero = rf_pb_enum_name(desc, 0);
    size_t n = zero == NULL ? 0 : strlen(zero);

    if (n < 11 || strcmp(zero + n - 11, "UNSPECIFIED") != 0)
        return 0;
    return n - 11;
}

const char *rf_pb_enum_short_name(const ProtobufCEnumDescriptor *desc, int value)
{
    const char *name = rf_pb_enum_name(desc, value);
    size_t prefix = enum_prefix_len(desc);

    if (name == NULL || strlen(name) <= prefix)
        return NULL;
    return name + prefix;
}

bool rf_pb_enum_from_short(const ProtobufCEnumDescriptor *desc, const char *name, int *value)
{
    size_t prefix = enum_prefix_len(desc);

    for (unsigned i = 0; i < desc->n_values; i++) {
        const char *full = desc->values[i].name;

        if (desc->values[i].value != 0 && strlen(full) > prefix &&
            strcmp(full + prefix, name) == 0) {
            *value = desc->values[i].value;
            return true;
        }
    }
    return false;
}

int rf_pb_enum_of_short(const ProtobufCEnumDescriptor *desc, const char *name)
{
    int v = 0;

    if (name != NULL)
        rf_pb_enum_from_short(desc, name, &v);
    return v;
}
