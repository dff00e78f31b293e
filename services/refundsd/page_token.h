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

#include "refunds/arena.h"
#include "refunds/crypto.h"
#include "refunds/status.h"

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

/* Largest page; larger page_size values are lowered to it (AIP-158). */
#define RF_PAGE_SIZE_MAX     500
#define RF_PAGE_SIZE_DEFAULT 50

/* The page size a list serves for a requested page_size (validated >= 0). */
int rf_page_size(int32_t requested);

/* Where a list request starts: its filters' fingerprint and the cursor of its page token. */
struct rf_page {
    uint8_t fingerprint[RF_PAGE_FINGERPRINT_LEN];
    struct rf_page_cursor cursor; /* zero when there was no token */
    bool has_cursor;
};

/*
 * Starts paging the list whose name and filter values are parts (n strings): reads
 * token (empty for the first page) into pg. INVALID_ARGUMENT with a violation on
 * page_token when it is not a token of this list with these filters.
 */
enum rf_code rf_page_begin(const char *const *parts, size_t n, const char *token,
                           struct rf_page *pg, struct rf_error *err);

/* The next page's token, after the item at (time_us, id), in arena a. */
char *rf_page_next_token(struct rf_arena *a, const struct rf_page *pg, int64_t time_us,
                         const char *id);

#endif
