/*
 * Typed readers of environment variables (see include/refunds/config.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "refunds/config.h"

const char *rf_env_str(const char *name, const char *def)
{
    const char *v = getenv(name);

    return (v == NULL || v[0] == '\0') ? def : v;
}

enum rf_code rf_env_int(const char *name, long long def, long long min, long long max,
                        long long *out, struct rf_error *err)
{
    const char *v = rf_env_str(name, NULL);
    char *end;
    long long n;

    if (v == NULL) {
        *out = def;
        return RF_OK;
    }
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "%s must be an integer from %lld to %lld, not \"%s\"", name, min, max, v);
    *out = n;
    return RF_OK;
}

enum rf_code rf_env_bool(const char *name, bool def, bool *out, struct rf_error *err)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    const char *v = rf_env_str(name, NULL);

    if (v == NULL) {
        *out = def;
        return RF_OK;
    }
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return RF_OK;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return RF_OK;
        }
    }
    return rf_fail(err, RF_INVALID_ARGUMENT, "%s must be true or false, not \"%s\"", name, v);
}

enum rf_code rf_env_read_ints(const struct rf_env_int *table, size_t n, void *settings,
                              struct rf_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct rf_env_int *t = &table[i];
        enum rf_code code = rf_env_int(t->name, t->def, t->min, t->max,
                                       (long long *)(void *)((char *)settings + t->offset), err);

        if (code != RF_OK)
            return code;
    }
    return RF_OK;
}
