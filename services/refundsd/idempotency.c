/*
 * The pure part of idempotency: the request fingerprint. The SQL is in
 * idempotency_store.c.
 */
#include <string.h>

#include "idempotency.h"

void rf_idempotency_fingerprint(const char *subject, const char *method_path,
                                const uint8_t *request, size_t len, uint8_t out[RF_SHA256_LEN])
{
    struct rf_sha256 *h = rf_sha256_begin();

    rf_sha256_field(h, "refunds.idempotency.v1", 22);
    rf_sha256_field(h, subject, strlen(subject));
    rf_sha256_field(h, method_path, strlen(method_path));
    rf_sha256_field(h, request, len);
    rf_sha256_end(h, out);
}
