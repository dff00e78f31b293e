/*
 * Making and checking customers' tracking tokens (see tracking_token.h):
 * the byte layout, the signature, and a verification whose work does not
 * depend on what is wrong with the token. Nothing here knows cases beyond
 * their id.
 */
#include <string.h>

#include "refunds/encode.h"
#include "tracking_token.h"

#define VERSION      1
#define ID_AT        1
#define EXPIRY_AT    (ID_AT + 16)
#define SIGNED_BYTES (EXPIRY_AT + 8)
#define MAC_BYTES    16
#define TOKEN_BYTES  (SIGNED_BYTES + MAC_BYTES)

_Static_assert(RF_TRACKING_TOKEN_LEN == (TOKEN_BYTES * 4 + 2) / 3, "token length in base64url");

/*
 * Decoded instead of a token of the wrong length, so that a token of any length costs the
 * same: valid base64url of TOKEN_BYTES bytes, with version 0 and no valid signature.
 */
static const char decoy_text[RF_TRACKING_TOKEN_LEN + 1] =
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

void rf_tracking_key_init(struct rf_tracking_key *k, const uint8_t master[RF_KEY_LEN], int days)
{
    rf_key_derive(master, "tracking-token", k->key);
    k->lifetime_s = (int64_t)days * 86400;
}

/* The 16 bytes of a canonical UUID text; false when s is not one. */
static bool uuid_bytes(const char *s, uint8_t out[16])
{
    char hex[33];
    size_t n = 0;

    if (s == NULL || !rf_uuid_valid(s))
        return false;
    for (const char *p = s; *p != '\0'; p++)
        if (*p != '-')
            hex[n++] = *p;
    hex[n] = '\0';
    return rf_hex_decode(hex, out, 16);
}

static void uuid_text(const uint8_t b[16], char out[RF_UUID_TEXT_LEN + 1])
{
    char hex[33];

    rf_hex_encode(b, 16, hex);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = '\0';
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

bool rf_tracking_token_make(const struct rf_tracking_key *k, const char *case_id, int64_t expires_s,
                            char out[RF_TRACKING_TOKEN_LEN + 1])
{
    uint8_t raw[TOKEN_BYTES], mac[RF_SHA256_LEN];

    out[0] = '\0';
    raw[0] = VERSION;
    if (!uuid_bytes(case_id, raw + ID_AT))
        return false;
    put_be64(raw + EXPIRY_AT, (uint64_t)expires_s);
    rf_hmac_sha256(k->key, sizeof k->key, raw, SIGNED_BYTES, mac);
    memcpy(raw + SIGNED_BYTES, mac, MAC_BYTES);
    rf_base64url_encode(raw, TOKEN_BYTES, out);
    return true;
}

bool rf_tracking_token_for_case(const struct rf_tracking_key *k, const char *case_id,
                                int64_t created_us, char out[RF_TRACKING_TOKEN_LEN + 1])
{
    int64_t created_s = created_us / 1000000 - (created_us % 1000000 < 0);

    return rf_tracking_token_make(k, case_id, created_s + k->lifetime_s, out);
}

bool rf_tracking_token_verify(const struct rf_tracking_key *k, const char *token, int64_t now_us,
                              char case_id[RF_UUID_TEXT_LEN + 1])
{
    /* One byte more than a token, so that a longer decoding is seen, not cut. */
    uint8_t raw[TOKEN_BYTES + 1], mac[RF_SHA256_LEN];
    size_t len = strnlen(token, RF_TRACKING_TOKEN_LEN + 1), n = 0;
    const char *text = len == RF_TRACKING_TOKEN_LEN ? token : decoy_text;
    int64_t now_s = now_us / 1000000 - (now_us % 1000000 < 0);
    bool ok;

    /*
     * Every check is made and combined with & (no short circuit): whatever is wrong, the
     * same steps run, the signature is computed over what was decoded (zeros if nothing)
     * and compared in full in constant time.
     */
    memset(raw, 0, sizeof raw);
    ok = len == RF_TRACKING_TOKEN_LEN;
    ok &= rf_base64url_decode(text, raw, sizeof raw, &n);
    ok &= n == TOKEN_BYTES;
    ok &= raw[0] == VERSION;
    rf_hmac_sha256(k->key, sizeof k->key, raw, SIGNED_BYTES, mac);
    ok &= rf_ct_equal(mac, raw + SIGNED_BYTES, MAC_BYTES);
    ok &= (uint64_t)now_s < get_be64(raw + EXPIRY_AT) && now_s >= 0;
    uuid_text(raw + ID_AT, case_id);
    return ok;
}
