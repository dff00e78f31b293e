/*
 * SQL of request idempotency (see idempotency.h).
 */
#include <stdlib.h>
#include <string.h>

#include "idempotency.h"

static const struct rf_stmt claim_key = {
    "idempotency_claim",
    "INSERT INTO idempotency_keys (request_id, method, request_hash, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (request_id) DO NOTHING RETURNING 1"};
static const struct rf_stmt read_key = {
    "idempotency_read",
    "SELECT request_hash, response FROM idempotency_keys WHERE request_id = $1"};
static const struct rf_stmt complete_key = {
    "idempotency_complete", "UPDATE idempotency_keys SET response = $2 WHERE request_id = $1"};
static const struct rf_stmt expire_keys = {
    "idempotency_expire",
    "DELETE FROM idempotency_keys WHERE request_id IN ("
    " SELECT request_id FROM idempotency_keys WHERE created_at < $1 LIMIT $2)"};

const struct rf_stmt *const *rf_idempotency_statements(void)
{
    static const struct rf_stmt *const all[] = {&claim_key, &read_key, &complete_key, &expire_keys,
                                                NULL};

    return all;
}

enum rf_code rf_idempotency_claim(struct rf_ctx *ctx, const char *method_path,
                                  const uint8_t fingerprint[RF_SHA256_LEN], const uint8_t **reply,
                                  size_t *reply_len)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    uint8_t stored[RF_SHA256_LEN];
    size_t n;

    *reply = NULL;
    *reply_len = 0;
    /* Twice at most: the key can expire between a conflict and the read. */
    for (int attempt = 0; attempt < 2; attempt++) {
        rf_params_init(&p);
        rf_param_text(&p, ctx->request_id);
        rf_param_text(&p, method_path);
        rf_param_bytea(&p, fingerprint, RF_SHA256_LEN);
        rf_param_time(&p, ctx->arena, ctx->now_us);
        code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &claim_key, &p, &res);
        if (code != RF_OK)
            return code;
        if (PQntuples(res) == 1)
            return RF_OK;
        rf_params_init(&p);
        rf_param_text(&p, ctx->request_id);
        code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &read_key, &p, &res);
        if (code != RF_OK)
            return code;
        if (PQntuples(res) == 0)
            continue;
        if (!rf_db_bytea(res, 0, 0, stored, sizeof stored) ||
            memcmp(stored, fingerprint, RF_SHA256_LEN) != 0) {
            rf_violation_add(&ctx->err, "request_id",
                             "was already used for a different request; use a new request_id");
            return rf_error_from_violations(&ctx->err);
        }
        if (rf_db_is_null(res, 0, 1)) {
            rf_error_detail(&ctx->err, "idempotency key %s has no stored reply", ctx->request_id);
            return rf_fail(&ctx->err, RF_INTERNAL, "internal error");
        }
        *reply = PQunescapeBytea((const unsigned char *)rf_db_text(res, 0, 1), &n);
        if (*reply == NULL)
            return rf_fail(&ctx->err, RF_INTERNAL, "internal error");
        rf_arena_defer(ctx->arena, PQfreemem, (void *)*reply);
        *reply_len = n;
        return RF_OK;
    }
    rf_error_detail(&ctx->err, "idempotency key %s vanished twice while claimed", ctx->request_id);
    return rf_fail(&ctx->err, RF_ABORTED, "request_id could not be claimed; retry the call");
}

enum rf_code rf_idempotency_complete(struct rf_ctx *ctx, const uint8_t *reply, size_t len)
{
    struct rf_params p;

    rf_params_init(&p);
    rf_param_text(&p, ctx->request_id);
    rf_param_bytea(&p, reply, len);
    return rf_db_exec(ctx->db, ctx->arena, &ctx->err, &complete_key, &p, NULL);
}

enum rf_code rf_idempotency_expire(struct rf_db *db, struct rf_arena *a, struct rf_error *err,
                                   int64_t cutoff_us, int limit, int *deleted)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_time(&p, a, cutoff_us);
    rf_param_int(&p, a, limit);
    code = rf_db_exec(db, a, err, &expire_keys, &p, &res);
    if (code == RF_OK)
        *deleted = atoi(PQcmdTuples(res));
    return code;
}
