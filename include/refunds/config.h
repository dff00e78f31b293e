/*
 * Configuration from environment variables (12-factor): typed readers with
 * defaults and bounds that name the variable when its value is wrong. Each
 * binary keeps its own configuration struct; this file only reads values.
 */
#ifndef REFUNDS_CONFIG_H
#define REFUNDS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "refunds/status.h"

/* The variable's value, or def when it is unset or empty. Not copied. */
const char *rf_env_str(const char *name, const char *def);

/*
 * Reads an integer variable into *out: def when unset or empty; fails with
 * INVALID_ARGUMENT naming the variable when it is not an integer in [min, max].
 */
enum rf_code rf_env_int(const char *name, long long def, long long min, long long max,
                        long long *out, struct rf_error *err);

/* Reads a boolean ("1", "true", "yes", "on" / "0", "false", "no", "off"). */
enum rf_code rf_env_bool(const char *name, bool def, bool *out, struct rf_error *err);

/*
 * One integer setting of a table that rf_env_read_ints reads: the variable, where
 * its value goes in the caller's settings struct (offsetof of a long long field),
 * its default and its bounds. A binary's settings are one such table, so that the
 * variables, defaults and bounds read as data, in one place.
 */
struct rf_env_int {
    const char *name;
    size_t offset;
    long long def;
    long long min;
    long long max;
};

/*
 * Reads every variable of table (n rows) into the long long fields of settings;
 * stops at the first bad value with INVALID_ARGUMENT naming it (rf_env_int).
 */
enum rf_code rf_env_read_ints(const struct rf_env_int *table, size_t n, void *settings,
                              struct rf_error *err);

#endif
