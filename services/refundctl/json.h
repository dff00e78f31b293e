/*
 * The proto3 JSON mapping of any protobuf-c message, for `refundctl --json`,
 * built with jansson by walking the message descriptor: lowerCamelCase field
 * names, enums by their full names, 64-bit integers as strings, bytes as
 * base64, google.protobuf.Timestamp as RFC 3339 in UTC, fields at their
 * default left out, repeated fields as arrays. Also the JSON form of a failed
 * call. Not a parser: refundctl never reads JSON.
 */
#ifndef REFUNDS_JSON_H
#define REFUNDS_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "refunds/status.h"

/* The proto3 JSON value of msg: a new reference the caller must json_decref. */
json_t *rf_json_message(const ProtobufCMessage *msg);

/*
 * The JSON of a failed call: {"code": "INVALID_ARGUMENT", "message": ...,
 * "fieldViolations": [{"field": ..., "description": ...}]}, the last only
 * when there are violations. A new reference.
 */
json_t *rf_json_error(const struct rf_error *err);

/*
 * Writes value to out followed by a newline, indented by two spaces when
 * pretty is true, else on one line; text past ASCII is written as \u escapes,
 * so the output is plain ASCII. Returns 0, or -1 when writing failed.
 */
int rf_json_write(FILE *out, const json_t *value, bool pretty);

#endif
