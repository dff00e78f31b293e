/*
 * Byte encodings used at the edges: hex (hashes in SQL and logs) and
 * unpadded base64url (page tokens). Pure functions, no allocation.
 */
#ifndef REFUNDS_ENCODE_H
#define REFUNDS_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes 2n lower-case hex digits and a NUL to out (2n + 1 bytes). */
void rf_hex_encode(const uint8_t *in, size_t n, char *out);

/* Decodes exactly 2n hex digits into out; false if hex is not that. */
bool rf_hex_decode(const char *hex, uint8_t *out, size_t n);

/* Length of the unpadded base64url text of n bytes, without the NUL. */
size_t rf_base64url_len(size_t n);

/* Writes the unpadded base64url of in and a NUL (rf_base64url_len(n) + 1 bytes). */
void rf_base64url_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decodes unpadded base64url text into out (at most cap bytes) and stores the
 * length in *n; false on a bad character, a bad length or too little room.
 */
bool rf_base64url_decode(const char *text, uint8_t *out, size_t cap, size_t *n);

#endif
