/*
 * Configuration from environment variables (12-factor): typed readers with
 * defaults and bounds that name the variable when its value is wrong. Each
 * binary keeps its own configuration struct; this file only reads values.
 */
#ifndef REFUNDS_CONFIG_H
#define REFUNDS_CONFIG_H

#include <stdbool.h>

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

#endif
