/*
 * Splits a JSON file into its objects, one at a time, in memory bounded by
 * the largest object, so that a file of millions of refunds is read in
 * constant memory. Three layouts are recognised from the first bytes:
 *
 *   [ {...}, {...} ]                          a top-level array of objects
 *   {"object": "list", "data": [ {...} ], ...} a list envelope: the elements of
 *                                             the first object's "data" array
 *   {...}\n{...}\n                            one object after another (NDJSON;
 *                                             any whitespace may separate them)
 *
 * The splitter only finds where each object begins and ends (strings and
 * nesting); the caller parses each one (jansson's json_loadb), which checks
 * that it is valid JSON. Members of the envelope other than "data" are
 * skipped without being parsed. Not for JSON in general: only these three
 * layouts of objects.
 */
#ifndef REFUNDS_PSP_LOAD_JSON_STREAM_H
#define REFUNDS_PSP_LOAD_JSON_STREAM_H

#include <stddef.h>
#include <stdio.h>

#include "read.h"
#include "refunds/status.h"

#define RF_JSON_OBJECT_MAX (1 << 20)

enum rf_json_layout {
    RF_JSON_UNKNOWN, /* nothing read yet */
    RF_JSON_ARRAY,
    RF_JSON_ENVELOPE,
    RF_JSON_LINES,
};

/* One object; text belongs to the splitter and is valid until the next rf_json_stream_next. */
struct rf_json_item {
    const char *text; /* the object's bytes, NUL-terminated (len excludes the NUL) */
    size_t len;
    long index; /* from 0: the element's index, or the object's number in a file of lines */
    long line;  /* the line the object starts on, from 1 */
    /*
     * Where it is, for messages: "[3]" in an array or envelope, the line
     * ("12") in a file of lines. On error: where the fault is.
     */
    char where[32];
};

struct rf_json_stream;

/* Starts splitting f (not owned). Objects longer than max_object bytes (0: RF_JSON_OBJECT_MAX) are
 * errors. */
struct rf_json_stream *rf_json_stream_open(FILE *f, size_t max_object);

/* Frees the splitter; NULL is a no-op. */
void rf_json_stream_close(struct rf_json_stream *s);

/*
 * Finds the next object. RF_READ_END after the last one (and only whitespace
 * after the layout's end); RF_READ_ERROR with INVALID_ARGUMENT and the reason
 * in err (item->where says where) when the file is not one of the layouts or
 * is truncated, UNAVAILABLE when it cannot be read. After an error the
 * splitter must not be used again.
 */
enum rf_read rf_json_stream_next(struct rf_json_stream *s, struct rf_json_item *item,
                                 struct rf_error *err);

/* The layout found (RF_JSON_UNKNOWN before the first call). */
enum rf_json_layout rf_json_stream_layout(const struct rf_json_stream *s);

#endif
