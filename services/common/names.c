/*
 * Resource names (see include/refunds/names.h).
 */
#include <ctype.h>
#include <string.h>

#include "refunds/names.h"

bool rf_name_parse(const char *name, const char *collection, char id[RF_UUID_TEXT_LEN + 1])
{
    size_t n = strlen(collection);

    if (strncmp(name, collection, n) != 0 || name[n] != '/' || !rf_uuid_valid(name + n + 1))
        return false;
    for (int i = 0; i <= RF_UUID_TEXT_LEN; i++)
        id[i] = (char)tolower((unsigned char)name[n + 1 + i]);
    return true;
}

char *rf_name_format(struct rf_arena *a, const char *collection, const char *id)
{
    return rf_arena_printf(a, "%s/%s", collection, id);
}

const char *rf_name_id(const char *name)
{
    const char *slash = strchr(name, '/');

    return slash == NULL ? name : slash + 1;
}
