/*
 * SHA-256, random bytes, UUIDv7 and constant-time comparison on OpenSSL 3
 * (see include/refunds/crypto.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "refunds/crypto.h"

struct rf_sha256 {
    EVP_MD_CTX *ctx;
};

static void die(const char *what)
{
    fprintf(stderr, "refunds: OpenSSL %s failed\n", what);
    abort();
}

void rf_sha256(const void *data, size_t len, uint8_t out[RF_SHA256_LEN])
{
    unsigned int n = 0;

    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != RF_SHA256_LEN)
        die("SHA-256");
}

void rf_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                    uint8_t out[RF_SHA256_LEN])
{
    unsigned int n = 0;

    if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) == NULL || n != RF_SHA256_LEN)
        die("HMAC-SHA256");
}

void rf_key_derive(const uint8_t master[RF_KEY_LEN], const char *purpose, uint8_t out[RF_KEY_LEN])
{
    rf_hmac_sha256(master, RF_KEY_LEN, purpose, strlen(purpose), out);
}

struct rf_sha256 *rf_sha256_begin(void)
{
    struct rf_sha256 *h = malloc(sizeof *h);

    if (h == NULL)
        die("allocation");
    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
        die("SHA-256 init");
    return h;
}

void rf_sha256_update(struct rf_sha256 *h, const void *data, size_t len)
{
    if (EVP_DigestUpdate(h->ctx, data, len) != 1)
        die("SHA-256 update");
}

void rf_sha256_end(struct rf_sha256 *h, uint8_t out[RF_SHA256_LEN])
{
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != RF_SHA256_LEN)
        die("SHA-256 final");
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

void rf_sha256_field(struct rf_sha256 *h, const void *data, size_t len)
{
    char prefix[24];
    int k = snprintf(prefix, sizeof prefix, "%zu:", len);

    rf_sha256_update(h, prefix, (size_t)k);
    rf_sha256_update(h, data, len);
    rf_sha256_update(h, ",", 1);
}

void rf_random_bytes(void *buf, size_t n)
{
    if (n > 0 && RAND_bytes(buf, (int)n) != 1)
        die("RAND_bytes");
}

/* The counter's bits: rand_a (12) and the top 30 of rand_b; the lower 32 stay random. */
#define UUID_COUNTER_BITS 42
#define UUID_COUNTER_MAX  ((1ULL << UUID_COUNTER_BITS) - 1)

void rf_uuid_v7_next(struct rf_uuid_state *st, int64_t unix_ms, char out[RF_UUID_TEXT_LEN + 1])
{
    uint8_t b[16], r[10];
    uint64_t ms = unix_ms < 0 ? 0 : (uint64_t)unix_ms, counter;

    rf_random_bytes(r, sizeof r);
    if (ms > st->last_ms) {
        /* A new millisecond: a random counter with its top bit clear, so that it has room. */
        st->last_ms = ms;
        st->counter = 0;
        for (int i = 0; i < 6; i++)
            st->counter = st->counter << 8 | r[4 + i];
        st->counter &= UUID_COUNTER_MAX >> 1;
    } else if (st->counter < UUID_COUNTER_MAX) {
        /* The same millisecond, or the clock went back: count on from the last id. */
        st->counter++;
    } else {
        /* The counter is spent: borrow the next millisecond (RFC 9562 6.2, method 1). */
        st->last_ms++;
        st->counter = 0;
    }
    ms = st->last_ms;
    counter = st->counter;
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(ms >> (40 - 8 * i));
    b[6] = (uint8_t)(0x70 | ((counter >> 38) & 0x0f)); /* version 7, counter bits 41-38 */
    b[7] = (uint8_t)(counter >> 30);
    b[8] = (uint8_t)(0x80 | ((counter >> 24) & 0x3f)); /* RFC 9562 variant, bits 29-24 */
    b[9] = (uint8_t)(counter >> 16);
    b[10] = (uint8_t)(counter >> 8);
    b[11] = (uint8_t)counter;
    memcpy(b + 12, r, 4);
    snprintf(out, RF_UUID_TEXT_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

static pthread_mutex_t uuid_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rf_uuid_state uuid_state;

void rf_uuid_v7(int64_t unix_ms, char out[RF_UUID_TEXT_LEN + 1])
{
    pthread_mutex_lock(&uuid_lock);
    rf_uuid_v7_next(&uuid_state, unix_ms, out);
    pthread_mutex_unlock(&uuid_lock);
}

bool rf_uuid_valid(const char *s)
{
    for (int i = 0; i < RF_UUID_TEXT_LEN; i++) {
        char c = s[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return s[RF_UUID_TEXT_LEN] == '\0';
}

bool rf_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
