/*
 * Page tokens (see page_token.h). Layout before base64url: version byte 1,
 * 8-byte filter fingerprint, 8-byte big-endian time, 16-byte UUID.
 */
#include <stdio.h>
#include <string.h>

#include "page_token.h"
#include "refunds/encode.h"

#define TOKEN_VERSION 1
#define TOKEN_BYTES   (1 + RF_PAGE_FINGERPRINT_LEN + 8 + 16)

void rf_page_fingerprint(const char *const *parts, size_t n, uint8_t out[RF_PAGE_FINGERPRINT_LEN])
{
    struct rf_sha256 *h = rf_sha256_begin();
    uint8_t full[RF_SHA256_LEN];

    for (size_t i = 0; i < n; i++)
        rf_sha256_field(h, parts[i], strlen(parts[i]));
    rf_sha256_end(h, full);
    memcpy(out, full, RF_PAGE_FINGERPRINT_LEN);
}

static bool uuid_bytes(const char *text, uint8_t out[16])
{
    char hex[33];
    size_t k = 0;

    for (const char *p = text; *p != '\0' && k < 32; p++) {
        if (*p != '-')
            hex[k++] = *p;
    }
    hex[k] = '\0';
    return k == 32 && rf_hex_decode(hex, out, 16);
}

void rf_page_token_encode(const uint8_t fingerprint[RF_PAGE_FINGERPRINT_LEN],
                          const struct rf_page_cursor *cursor, char *out)
{
    uint8_t b[TOKEN_BYTES];
    uint64_t t = (uint64_t)cursor->time_us;

    b[0] = TOKEN_VERSION;
    memcpy(b + 1, fingerprint, RF_PAGE_FINGERPRINT_LEN);
    for (int i = 0; i < 8; i++)
        b[1 + RF_PAGE_FINGERPRINT_LEN + i] = (uint8_t)(t >> (56 - 8 * i));
    if (!uuid_bytes(cursor->id, b + 1 + RF_PAGE_FINGERPRINT_LEN + 8))
        memset(b + 1 + RF_PAGE_FINGERPRINT_LEN + 8, 0, 16);
    rf_base64url_encode(b, sizeof b, out);
}

bool rf_page_token_decode(const char *token, const uint8_t fingerprint[RF_PAGE_FINGERPRINT_LEN],
                          struct rf_page_cursor *cursor)
{
    uint8_t b[TOKEN_BYTES + 1];
    const uint8_t *u;
    size_t n;
    uint64_t t = 0;

    if (strlen(token) >= RF_PAGE_TOKEN_MAX || !rf_base64url_decode(token, b, sizeof b, &n) ||
        n != TOKEN_BYTES || b[0] != TOKEN_VERSION ||
        memcmp(b + 1, fingerprint, RF_PAGE_FINGERPRINT_LEN) != 0)
        return false;
    for (int i = 0; i < 8; i++)
        t = t << 8 | b[1 + RF_PAGE_FINGERPRINT_LEN + i];
    cursor->time_us = (int64_t)t;
    u = b + 1 + RF_PAGE_FINGERPRINT_LEN + 8;
    snprintf(cursor->id, sizeof cursor->id,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
             u[15]);
    return true;
}

int rf_page_size(int32_t requested)
{
    if (requested <= 0)
        return RF_PAGE_SIZE_DEFAULT;
    return requested > RF_PAGE_SIZE_MAX ? RF_PAGE_SIZE_MAX : requested;
}

enum rf_code rf_page_begin(const char *const *parts, size_t n, const char *token,
                           struct rf_page *pg, struct rf_error *err)
{
    memset(pg, 0, sizeof *pg);
    rf_page_fingerprint(parts, n, pg->fingerprint);
    pg->has_cursor = token[0] != '\0';
    if (pg->has_cursor && !rf_page_token_decode(token, pg->fingerprint, &pg->cursor)) {
        rf_violation_add(err, "page_token", "is not a page token of this list with these filters");
        return rf_error_from_violations(err);
    }
    return RF_OK;
}

char *rf_page_next_token(struct rf_arena *a, const struct rf_page *pg, int64_t time_us,
                         const char *id)
{
    struct rf_page_cursor cursor = {.time_us = time_us};
    char *token = rf_arena_alloc(a, RF_PAGE_TOKEN_MAX);

    snprintf(cursor.id, sizeof cursor.id, "%s", id);
    rf_page_token_encode(pg->fingerprint, &cursor, token);
    return token;
}
