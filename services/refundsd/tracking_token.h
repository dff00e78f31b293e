/*
 * The customer's tracking token (Case.tracking_token, refunds.v1.Tracking):
 * an opaque text that names one case and nothing else, signed with a key
 * derived from the server's master key (purpose "tracking-token"), and
 * expiring. Its 41 bytes, written as 55 characters of unpadded base64url:
 *
 *   version (1 byte, 1) | case UUID (16 bytes) | expiry (Unix seconds,
 *   8 bytes big-endian) | HMAC-SHA256 of the 25 bytes before, truncated to 16
 *
 * A case's token is a function of its id and creation time (expiry =
 * created + the configured lifetime), so every read of a case gives the same
 * token. Verification does the same work and takes the same time whatever is
 * wrong with a token (its text, length, version, signature or expiry) and
 * answers only "valid" or "not": a caller learns nothing about why. Pure: no
 * I/O, no clock, no global state. Not for authenticating callers of the API
 * (auth.c) and not for deciding what the customer sees (tracking_view.h).
 */
#ifndef REFUNDS_TRACKING_TOKEN_H
#define REFUNDS_TRACKING_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "refunds/crypto.h"

/* Characters of a token, without the NUL. */
#define RF_TRACKING_TOKEN_LEN 55
/* Days a token is valid after its case was created, unless configured otherwise. */
#define RF_TRACKING_TOKEN_DAYS 400

/* The key tokens are signed with, and how long they last. A plain value. */
struct rf_tracking_key {
    uint8_t key[RF_KEY_LEN];
    int64_t lifetime_s; /* from the case's creation to the token's expiry */
};

/*
 * Fills k with the key derived from the server's master key for purpose
 * "tracking-token" (rf_key_derive) and a lifetime of days days.
 */
void rf_tracking_key_init(struct rf_tracking_key *k, const uint8_t master[RF_KEY_LEN], int days);

/*
 * Writes the token naming case_id (a UUID in canonical text, either case)
 * that expires at expires_s (Unix seconds) into out, with its NUL. Returns
 * false, writing an empty string, when case_id is not a UUID.
 */
bool rf_tracking_token_make(const struct rf_tracking_key *k, const char *case_id, int64_t expires_s,
                            char out[RF_TRACKING_TOKEN_LEN + 1]);

/*
 * The token of case case_id created at created_us: it expires k->lifetime_s
 * after the creation's whole second. Returns what rf_tracking_token_make does.
 */
bool rf_tracking_token_for_case(const struct rf_tracking_key *k, const char *case_id,
                                int64_t created_us, char out[RF_TRACKING_TOKEN_LEN + 1]);

/*
 * Checks token at now_us: true when it is a token made with k that has not
 * expired (valid up to, not including, its expiry second), with the case it
 * names in case_id (lower-case canonical text). False for anything else: not
 * base64url, another length or version, a signature that does not match (of
 * another key, or a token changed in any bit), expired. The work done is the
 * same in every case (the signature is computed and compared in full even
 * when the text could not be decoded), and case_id is always written, so a
 * caller that must not branch before its own equal work can do that work
 * first. token may be any NUL-terminated text.
 */
bool rf_tracking_token_verify(const struct rf_tracking_key *k, const char *token, int64_t now_us,
                              char case_id[RF_UUID_TEXT_LEN + 1]);

#endif
