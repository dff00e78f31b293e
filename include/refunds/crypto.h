/*
 * The cryptography refunds uses, on OpenSSL 3: SHA-256 (audit chain,
 * idempotency fingerprints, token lookup), random bytes and UUIDv7 case ids,
 * constant-time comparison. Failures of the library abort: they mean a broken
 * installation, not bad input.
 */
#ifndef REFUNDS_CRYPTO_H
#define REFUNDS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RF_SHA256_LEN    32
#define RF_UUID_TEXT_LEN 36

struct rf_sha256;

/* SHA-256 of one buffer. */
void rf_sha256(const void *data, size_t len, uint8_t out[RF_SHA256_LEN]);

/* Incremental SHA-256: begin, update any number of times, end (which frees it). */
struct rf_sha256 *rf_sha256_begin(void);
void rf_sha256_update(struct rf_sha256 *h, const void *data, size_t len);
void rf_sha256_end(struct rf_sha256 *h, uint8_t out[RF_SHA256_LEN]);

/*
 * Feeds len bytes as a netstring ("<decimal len>:<bytes>,"), the framing every
 * hash of several fields uses here, so that no two field lists hash alike.
 */
void rf_sha256_field(struct rf_sha256 *h, const void *data, size_t len);

/* HMAC-SHA256 of data under key. */
void rf_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                    uint8_t out[RF_SHA256_LEN]);

/* Bytes of a server key (REFUNDS_SERVER_KEY_FILE) and of the keys derived from it. */
#define RF_KEY_LEN 32

/*
 * The key for one purpose ("tracking-token", "audit-checkpoint") derived from
 * the server's master key: HMAC-SHA256(master, purpose), so that no two uses
 * share a key and the master itself signs nothing.
 */
void rf_key_derive(const uint8_t master[RF_KEY_LEN], const char *purpose, uint8_t out[RF_KEY_LEN]);

/* Fills buf with n cryptographically strong random bytes. */
void rf_random_bytes(void *buf, size_t n);

/*
 * Writes a UUIDv7 (RFC 9562: 48-bit Unix milliseconds, then a 42-bit counter
 * and 32 random bits) as 36 lower-case characters and a NUL. Ids made by one
 * process are strictly increasing, also within one millisecond and when the
 * clock goes back (RFC 9562 6.2, method 1: the counter starts at a random
 * value each millisecond and counts on; when it is spent the timestamp moves
 * on by one), which keeps the primary key index append-mostly. Thread-safe.
 */
void rf_uuid_v7(int64_t unix_ms, char out[RF_UUID_TEXT_LEN + 1]);

/* The generator's state: the last id's millisecond and counter. Zero it to start. */
struct rf_uuid_state {
    uint64_t last_ms;
    uint64_t counter;
};

/* rf_uuid_v7 with the caller's state (not locked): for tests and single-threaded users. */
void rf_uuid_v7_next(struct rf_uuid_state *st, int64_t unix_ms, char out[RF_UUID_TEXT_LEN + 1]);

/* True when s is a UUID in canonical text form (any version, either case). */
bool rf_uuid_valid(const char *s);

/* Compares n bytes in time independent of their content. */
bool rf_ct_equal(const void *a, const void *b, size_t n);

#endif
