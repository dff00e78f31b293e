/*
 * Resource names (AIP-122): "cases/{uuid}", "findings/{uuid}". One parser and
 * one printer for every collection, so that no code slices a name by hand.
 * Pure.
 */
#ifndef REFUNDS_NAMES_H
#define REFUNDS_NAMES_H

#include <stdbool.h>

#include "refunds/arena.h"
#include "refunds/crypto.h"

/*
 * Parses "<collection>/<uuid>" (the uuid in either case) into id, in lower
 * case; false when name is not exactly that.
 */
bool rf_name_parse(const char *name, const char *collection, char id[RF_UUID_TEXT_LEN + 1]);

/* "<collection>/<id>" in the arena. */
char *rf_name_format(struct rf_arena *a, const char *collection, const char *id);

/* The id part of a name this service made ("cases/..." -> "..."): what follows the first '/'. */
const char *rf_name_id(const char *name);

#endif
