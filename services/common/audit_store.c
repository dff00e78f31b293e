/*
 * SQL of the audit chain (see include/refunds/audit.h): appending events, for
 * refundsd's calls and the workers' batches alike, through the same struct
 * rf_ctx. The table is append-only for the service's role (migration 0001).
 */
#include "refunds/audit.h"

/* Moves the head only from where the link chains: of two concurrent appends one applies. */
static const struct rf_stmt append_event = {
    "audit_append", "WITH u AS (UPDATE cases SET audit_seq = $2, audit_head = $11,"
                    " version = version + 1, updated_at = $3 WHERE id = $1 AND audit_seq = $2 - 1"
                    " AND audit_head = $10 RETURNING id)" RF_AUDIT_INSERT_FROM_U};

const struct rf_stmt *const *rf_audit_store_statements(void)
{
    static const struct rf_stmt *const all[] = {&append_event, NULL};

    return all;
}

void rf_audit_params(struct rf_params *p, struct rf_ctx *ctx, const char *case_id,
                     const struct rf_audit_link *link)
{
    const char *role = rf_role_name(ctx->actor.role);

    rf_params_init(p);
    rf_param_text(p, case_id);
    rf_param_int(p, ctx->arena, link->seq);
    rf_param_time(p, ctx->arena, ctx->now_us);
    rf_param_text(p, ctx->actor.subject);
    rf_param_text(p, role != NULL ? role : "");
    rf_param_text(p, ctx->method);
    rf_param_text(p, link->old_state);
    rf_param_text(p, link->new_state);
    rf_param_text(p, ctx->request_id != NULL ? ctx->request_id : "");
    rf_param_bytea(p, link->prev, RF_SHA256_LEN);
    rf_param_bytea(p, link->hash, RF_SHA256_LEN);
}

enum rf_code rf_audit_append(struct rf_ctx *ctx, const char *case_id,
                             const struct rf_audit_link *link, bool *applied)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_audit_params(&p, ctx, case_id, link);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &append_event, &p, &res);
    if (code == RF_OK)
        *applied = PQntuples(res) == 1;
    return code;
}
