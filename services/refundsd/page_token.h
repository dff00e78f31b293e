/*
 * Opaque page tokens for keyset pagination (AIP-158): the position after the
 * last item of a page (a time and a case id) plus a fingerprint of the
 * request's filters, so a token used with other filters is refused rather
 * than silently giving a wrong page. Pure; base64url text.
 */
#ifndef REFUNDS_PAGE_TOKEN_H
#define REFUNDS_PAGE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/crypto.h"

#define RF_PAGE_TOKEN_MAX       64
#define RF_PAGE_FINGERPRINT_LEN 8

struct rf_page_cursor {
    int64_t time_us;               /* 0 when the order is by id alone */
    char id[RF_UUID_TEXT_LEN + 1]; /* lower-case UUID text */
};

/* Fingerprint of a list's name and filter values (n strings, order matters). */
void rf_page_fingerprint(const char *const *parts, size_t n, uint8_t out[RF_PAGE_FINGERPRINT_LEN]);

/* Writes the token for cursor into out (RF_PAGE_TOKEN_MAX bytes). */
void rf_page_token_encode(const uint8_t fingerprint[RF_PAGE_FINGERPRINT_LEN],
                          const struct rf_page_cursor *cursor, char *out);

/* Reads a token; false when it is malformed or was made for other filters. */
bool rf_page_token_decode(const char *token, const uint8_t fingerprint[RF_PAGE_FINGERPRINT_LEN],
                          struct rf_page_cursor *cursor);

#endif
