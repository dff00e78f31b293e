/*
 * protobuf-c helpers shared by the server, the client and the workers: an
 * arena-backed ProtobufCAllocator, pack/unpack into an arena, Timestamps,
 * enum names. No gRPC here.
 */
#ifndef REFUNDS_PB_H
#define REFUNDS_PB_H

#include <stdbool.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "google/protobuf/timestamp.pb-c.h"
#include "refunds/arena.h"

/* An allocator whose allocations come from a (never freed until reset). */
void rf_pb_allocator_init(ProtobufCAllocator *alloc, struct rf_arena *a);

/* Unpacks len bytes as desc into the arena; NULL when the bytes are not a valid message. */
ProtobufCMessage *rf_pb_unpack(struct rf_arena *a, const ProtobufCMessageDescriptor *desc,
                               const uint8_t *data, size_t len);

/*
 * Scans the wire bytes of a desc message for a string field holding a NUL
 * byte, which protobuf-c would silently cut short at unpack. Returns true and
 * writes the field's path ("customer.name") into path when one is found;
 * false when none is (or the bytes are not a message: unpack reports that).
 */
bool rf_pb_find_nul_string(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                           char *path, size_t path_size);

/* What rf_pb_wire_check finds in wire bytes that protobuf-c's unpack lets through. */
enum rf_pb_wire {
    RF_PB_WIRE_OK,
    RF_PB_WIRE_NUL,        /* a string field holds a NUL byte (unpack would cut it short) */
    RF_PB_WIRE_FIELD_ZERO, /* a field numbered 0, which no protobuf runtime accepts */
};

/*
 * Scans the wire bytes of a desc message, its known sub-messages included, for
 * the faults above; the first found is returned and path names where it is
 * ("customer.name" for a NUL; the sub-message holding it, "" at the top, for a
 * field 0). Bytes that are not a message give RF_PB_WIRE_OK: unpack reports that.
 */
enum rf_pb_wire rf_pb_wire_check(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                                 size_t len, char *path, size_t path_size);

/*
 * Forgets the unknown fields of msg and of every sub-message, so that nothing a
 * client sent that this service does not know is copied into a reply or stored.
 */
void rf_pb_strip_unknown(ProtobufCMessage *msg);

/* Bytes of one element of a repeated field of type t, as protobuf-c lays them out. */
size_t rf_pb_element_size(ProtobufCType t);

/* A new, initialised message of type desc in the arena. */
void *rf_pb_new(struct rf_arena *a, const ProtobufCMessageDescriptor *desc);

/* Packs msg into the arena and stores its length in *len. */
uint8_t *rf_pb_pack(struct rf_arena *a, const ProtobufCMessage *msg, size_t *len);

/* A Timestamp in the arena for us microseconds since the epoch. */
Google__Protobuf__Timestamp *rf_pb_timestamp(struct rf_arena *a, int64_t us);

/*
 * Converts ts to microseconds (nanoseconds truncated); false when nanos is
 * outside [0, 1e9) or the time outside years 1 to 9999, as the Timestamp
 * definition requires.
 */
bool rf_pb_timestamp_us(const Google__Protobuf__Timestamp *ts, int64_t *us);

/* The name of value in desc, or NULL when desc has no such value. */
const char *rf_pb_enum_name(const ProtobufCEnumDescriptor *desc, int value);

/* The value named name in desc (full name, e.g. "CASE_STATE_OPEN"); false if none. */
bool rf_pb_enum_value(const ProtobufCEnumDescriptor *desc, const char *name, int *value);

/*
 * The name of value without its enum's prefix: "OPEN" for CASE_STATE_OPEN.
 * The prefix is taken from value 0, which by convention is <PREFIX>UNSPECIFIED.
 * NULL when desc has no such value. The string is the descriptor's own.
 */
const char *rf_pb_enum_short_name(const ProtobufCEnumDescriptor *desc, int value);

/* The value whose short name is name; false if none (or name is "UNSPECIFIED"). */
bool rf_pb_enum_from_short(const ProtobufCEnumDescriptor *desc, const char *name, int *value);

/* The value of the short name (rf_pb_enum_from_short); 0 for NULL or a name desc lacks. */
int rf_pb_enum_of_short(const ProtobufCEnumDescriptor *desc, const char *name);

#endif
