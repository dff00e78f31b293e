/*
 * Filling request messages from command-line text, generically: a field is
 * named by its path of proto field names ("customer.email"), its type comes
 * from the protobuf-c descriptor, and the text is parsed accordingly (string,
 * integer, bool, enum short name, google.protobuf.Timestamp; repeated fields
 * append). This is parsing only: whether a value is acceptable is the
 * server's call, and its field violations are what the user sees.
 */
#ifndef REFUNDS_FIELD_H
#define REFUNDS_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

#include "refunds/arena.h"

/*
 * Sets the field at path in msg from text, creating the messages on the way
 * (in arena a) when they are unset; a repeated field gets text appended.
 * Enum values are written the command-line way: the short name in any case,
 * '-' for '_' ("in-person" for CHANNEL_IN_PERSON). Strings are copied into
 * the arena. Returns false with a reason for the user in why (e.g. "expected
 * one of: email, phone") when text does not parse as the field's type; a path
 * that names no settable field is a programming error and aborts.
 */
bool rf_field_set(struct rf_arena *a, ProtobufCMessage *msg, const char *path, const char *text,
                  char *why, size_t why_size);

/*
 * The value of the string field at path, or NULL when a message on the way
 * is unset or msg has no such string field. The string is msg's own.
 */
const char *rf_field_string(const ProtobufCMessage *msg, const char *path);

/* The message field at path, or NULL when it (or a message on the way) is unset or absent. */
ProtobufCMessage *rf_field_message(const ProtobufCMessage *msg, const char *path);

/*
 * The descriptor of the field at path in messages of type d, or NULL when
 * there is no such field. Needs no message: used to describe flags.
 */
const ProtobufCFieldDescriptor *rf_field_find(const ProtobufCMessageDescriptor *d,
                                              const char *path);

/* True when msg's descriptor has a field named name (not a path). */
bool rf_field_exists(const ProtobufCMessage *msg, const char *name);

/*
 * Writes the command-line spellings of desc's values ("email, phone, chat")
 * into buf, value 0 left out; truncated to size.
 */
void rf_field_enum_choices(const ProtobufCEnumDescriptor *desc, char *buf, size_t size);

/*
 * Appends the elements of every repeated field of from to the same field of
 * to (both of the same type); the merged arrays live in arena a and share
 * their elements with from. Used to gather the pages of a list into one reply.
 */
void rf_field_append_repeated(struct rf_arena *a, ProtobufCMessage *to,
                              const ProtobufCMessage *from);

/*
 * Sets every field of to that is not repeated to the value of the same field
 * of from (both of the same type); strings and messages are shared with from.
 * With rf_field_append_repeated, what gathers the pages of a list into one
 * reply: every page's items and the last page's other fields (its
 * next_page_token, and the totals so far of a reply that carries them).
 */
void rf_field_take_singular(ProtobufCMessage *to, const ProtobufCMessage *from);

#endif
