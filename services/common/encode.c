/*
 * Hex and unpadded base64url (RFC 4648 section 5) codecs.
 */
#include <string.h>

#include "refunds/encode.h"

static const char hexdigits[] = "0123456789abcdef";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void rf_hex_encode(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdigits[in[i] >> 4];
        out[2 * i + 1] = hexdigits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool rf_hex_decode(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi, lo;

        if (hex[2 * i] == '\0' || hex[2 * i + 1] == '\0')
            return false;
        hi = hexval(hex[2 * i]);
        lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return hex[2 * n] == '\0';
}

size_t rf_base64url_len(size_t n)
{
    return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

void rf_base64url_encode(const uint8_t *in, size_t n, char *out)
{
    size_t i = 0, o = 0;

    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

        out[o++] = b64url[v >> 18];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)in[i] << 16;

        out[o++] = b64url[v >> 18];
        out[o++] = b64url[v >> 12 & 63];
    } else if (n - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;

        out[o++] = b64url[v >> 18];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
    }
    out[o] = '\0';
}

static int b64val(char c)
{
    const char *p = c == '\0' ? NULL : strchr(b64url, c);

    return p == NULL ? -1 : (int)(p - b64url);
}

bool rf_base64url_decode(const char *text, uint8_t *out, size_t cap, size_t *n)
{
    size_t len = strlen(text), o = 0, i = 0;
    unsigned acc = 0;
    int bits = 0;

    if (len % 4 == 1)
        return false;
    for (; i < len; i++) {
        int v = b64val(text[i]);

        if (v < 0)
            return false;
        acc = (acc << 6 | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return false;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* The bits left over must be zero, so that every text decodes from one encoding only. */
    if ((acc & ((1u << bits) - 1)) != 0)
        return false;
    *n = o;
    return true;
}
