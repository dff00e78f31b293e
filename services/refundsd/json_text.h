/*
 * The few jansson helpers the server's pure JSON code shares (the policy
 * document, its diff, the evaluation record): failing loudly where jansson
 * only fails for want of memory, and writing a value as compact text with
 * sorted keys into an arena, the one form refunds stores and compares. Not
 * for the proto3 JSON mapping (refundctl's json.c) or for parsing.
 */
#ifndef REFUNDS_JSON_TEXT_H
#define REFUNDS_JSON_TEXT_H

#include <stddef.h>

#include <jansson.h>

#include "refunds/arena.h"

/* Returns v; aborts when it is NULL, as the arena does when memory runs out. */
json_t *rf_json_must(json_t *v);

/* Sets obj[key] to v, taking v's reference; aborts when jansson cannot (no memory, NULL v). */
void rf_json_set(json_t *obj, const char *key, json_t *v);

/* Appends v to array, taking v's reference; aborts when jansson cannot. */
void rf_json_append(json_t *array, json_t *v);

/* The keys of obj sorted in byte order, in a (NULL-terminated); *n is how many. */
const char **rf_json_sorted_keys(struct rf_arena *a, json_t *obj, size_t *n);

/*
 * Writes jansson's parse error as "line L, column C: reason" into buf (size
 * bytes), every byte outside printable ASCII shown as '?', so that the text
 * can be cut anywhere and still be valid UTF-8 for a gRPC status.
 */
void rf_json_error_text(const json_error_t *e, char *buf, size_t size);

/*
 * v as compact JSON (no spaces, object keys sorted in byte order, UTF-8 as
 * is); any value, scalars included. NUL-terminated, in a; never NULL.
 */
char *rf_json_canonical(struct rf_arena *a, const json_t *v);

#endif
