/*
 * Request idempotency (AIP-155): a mutation's request_id is claimed in the
 * call's transaction before the handler runs, together with a fingerprint of
 * who sent what; a retry with the same id and fingerprint gets the stored
 * reply, the same id with anything else is refused. The claim holds the key's
 * row lock until commit, so a concurrent duplicate waits and then replays.
 */
#ifndef REFUNDS_IDEMPOTENCY_H
#define REFUNDS_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#include "refunds/ctx.h"
#include "refunds/crypto.h"

/* SHA-256 over the caller's subject, the method path and the packed request. */
void rf_idempotency_fingerprint(const char *subject, const char *method_path,
                                const uint8_t *request, size_t len, uint8_t out[RF_SHA256_LEN]);

/*
 * Claims request_id for this call (inside its transaction). When the id was
 * already used with the same fingerprint, *reply and *reply_len are set to the
 * first answer and RF_OK returned; when claimed anew, *reply is NULL. The same
 * id with another fingerprint fails with INVALID_ARGUMENT on request_id.
 */
enum rf_code rf_idempotency_claim(struct rf_ctx *ctx, const char *method_path,
                                  const uint8_t fingerprint[RF_SHA256_LEN], const uint8_t **reply,
                                  size_t *reply_len);

/* Stores the reply of a claimed request_id (same transaction). */
enum rf_code rf_idempotency_complete(struct rf_ctx *ctx, const uint8_t *reply, size_t len);

/* Deletes up to limit keys created before cutoff_us; stores how many in *deleted. */
enum rf_code rf_idempotency_expire(struct rf_db *db, struct rf_arena *a, struct rf_error *err,
                                   int64_t cutoff_us, int limit, int *deleted);

/* Every statement of idempotency_store.c, NULL-terminated (see store_statements.h); static. */
const struct rf_stmt *const *rf_idempotency_statements(void);

#endif
