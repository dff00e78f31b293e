/*
 * Reads the server's master key (see server_key.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "refunds/encode.h"
#include "server_key.h"

enum rf_code rf_server_key_load(const char *path, uint8_t key[RF_KEY_LEN], bool *ephemeral,
                                struct rf_error *err)
{
    char buf[256], *p, *end;
    size_t n;
    FILE *f;

    *ephemeral = path == NULL;
    if (path == NULL) {
        rf_random_bytes(key, RF_KEY_LEN);
        return RF_OK;
    }
    f = fopen(path, "r");
    if (f == NULL)
        return rf_fail(err, RF_NOT_FOUND, "could not read REFUNDS_SERVER_KEY_FILE \"%s\": %s", path,
                       strerror(errno));
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (p = buf; isspace((unsigned char)*p); p++)
        ;
    for (end = p + strlen(p); end > p && isspace((unsigned char)end[-1]); end--)
        ;
    *end = '\0';
    if (strlen(p) != 2 * RF_KEY_LEN || !rf_hex_decode(p, key, RF_KEY_LEN))
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "REFUNDS_SERVER_KEY_FILE \"%s\" must hold 64 hex digits (32 random bytes, "
                       "e.g. openssl rand -hex 32)",
                       path);
    return RF_OK;
}
