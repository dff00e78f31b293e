/*
 * SQL of the refunds issued for a case (see refund_store.h). Statuses are
 * stored by name ("NOT_CHECKED", "SUCCEEDED"), as refunds.v1.ProviderStatus
 * spells them without its prefix.
 */
#include <stdio.h>
#include <string.h>

#include "refund_store.h"
#include "refunds/audit.h"
#include "refunds/names.h"
#include "refunds/pb.h"

#define REFUND_COLUMNS                                                                             \
    "id, case_id, provider, provider_refund_id, provider_payment_id, amount_minor, currency,"      \
    " issued_at, recorded_at, recorded_by, exceeds_approved, currency_differs, observed_status,"   \
    " reference, reference_type, received_at, coalesce(received_by, ''), payment_method,"           \
    " succeeded_at, window_from, window_to, pending_reason, failure_reason, reference_status,"     \
    " card_refund_type"

enum col {
    R_ID,
    R_CASE,
    R_PROVIDER,
    R_PROVIDER_REFUND_ID,
    R_PROVIDER_PAYMENT_ID,
    R_AMOUNT,
    R_CURRENCY,
    R_ISSUED_AT,
    R_RECORDED_AT,
    R_RECORDED_BY,
    R_EXCEEDS,
    R_CURRENCY_DIFFERS,
    R_STATUS,
    R_REFERENCE,
    R_REFERENCE_TYPE,
    R_RECEIVED_AT,
    R_RECEIVED_BY,
    R_PAYMENT_METHOD,
    R_SUCCEEDED_AT,
    R_WINDOW_FROM,
    R_WINDOW_TO,
    R_PENDING_REASON,
    R_FAILURE_REASON,
    R_REFERENCE_STATUS,
    R_CARD_REFUND_TYPE,
};

static const struct rf_stmt list_refunds = {"refund_list", "SELECT " REFUND_COLUMNS
                                                           " FROM refunds WHERE case_id = $1"
                                                           " ORDER BY recorded_at, id"};

static const struct rf_stmt find_refund = {"refund_find",
                                           "SELECT " REFUND_COLUMNS " FROM refunds"
                                           " WHERE provider = $1 AND provider_refund_id = $2"};

/*
 * The change shape of case_store.h; then $14 id, $15 provider, $16 its refund id, $17 its
 * payment id, $18 amount, $19 currency, $20 payment method, $21 the case's
 * currency, $22 issued at, $23 the approved amount.
 */
static const struct rf_stmt issue_refund = {
    "refund_issue",
    RF_CASE_CHANGE_UPDATE ", refunded_minor = refunded_minor"
                          " + CASE WHEN $19 = $21 THEN $18::bigint ELSE 0 END" RF_CASE_CHANGE_WHERE
                          " RETURNING id, refunded_minor),"
                          " r AS (INSERT INTO refunds (id, case_id, provider, provider_refund_id,"
                          " provider_payment_id, amount_minor, currency, payment_method,"
                          " case_currency, approved_minor, issued_at, recorded_at, recorded_by,"
                          " exceeds_approved, currency_differs)"
                          " SELECT $14, u.id, $15, $16, $17, $18, $19, $20, $21, $23, $22, $3,"
                          " $4, " RF_REFUNDS_OUT_SQL("u.id", "$21") " + CASE WHEN $19 = $21 THEN $18::bigint ELSE 0"
                          " END > $23::bigint, $19 <> $21 FROM u RETURNING id),"
                          " k AS (INSERT INTO refund_checks (refund_id, next_check_at) SELECT id, $3 FROM r),"
                          " o AS (UPDATE findings SET state = 'CLOSED', closed_at = $3,"
                          " updated_at = $3,"
                          " close_reason = 'it was recorded as issued for cases/' || $1"
                          " WHERE provider = $15 AND provider_refund_id = $16"
                          " AND kind = 'ORPHAN_AT_PROVIDER' AND state = 'OPEN'"
                          " AND EXISTS (SELECT 1 FROM u))" RF_AUDIT_INSERT_FROM_U};

/*
 * The same shape; $14 one refund's id or NULL for all, $15 the note. Each
 * refund is due for a check at once, and its refund_checks row is updated
 * before the refund's: a reconciler checking the refund holds that row (its
 * claim locks nothing else) and may write the refund's, so taking the rows in
 * the reconciler's order waits for its batch instead of deadlocking with it.
 */
static const struct rf_stmt confirm_receipt = {
    "refund_confirm", RF_CASE_CHANGE_UPDATE RF_CASE_CHANGE_WHERE
    " RETURNING id),"
    " k AS (UPDATE refund_checks SET next_check_at = $3 WHERE refund_id IN (SELECT id FROM refunds"
    " WHERE case_id = (SELECT id FROM u) AND received_at IS NULL"
    " AND ($14::uuid IS NULL OR id = $14::uuid)) RETURNING refund_id),"
    " r AS (UPDATE refunds SET received_at = $3, received_by = $4, received_note = $15"
    " WHERE id IN (SELECT refund_id FROM k) AND received_at IS NULL)" RF_AUDIT_INSERT_FROM_U};

static char *text(struct rf_ctx *ctx, const PGresult *res, int row, int col)
{
    const char *v = rf_db_text(res, row, col);

    return rf_arena_strdup(ctx->arena, v == NULL ? "" : v);
}

static int64_t time_or_zero(const PGresult *res, int row, int col)
{
    return rf_db_is_null(res, row, col) ? 0 : rf_db_time(res, row, col);
}

static void refund_from_row(struct rf_ctx *ctx, const PGresult *res, int row, const char *case_name,
                            struct rf_refund_row *out)
{
    Refunds__V1__Refund *r = rf_pb_new(ctx->arena, &refunds__v1__refund__descriptor);
    Refunds__V1__Money *m = rf_pb_new(ctx->arena, &refunds__v1__money__descriptor);
    int status = 0;

    snprintf(out->id, sizeof out->id, "%s", rf_db_text(res, row, R_ID));
    snprintf(out->case_id, sizeof out->case_id, "%s", rf_db_text(res, row, R_CASE));
    r->name = rf_arena_printf(
        ctx->arena, "%s/refunds/%s",
        case_name != NULL ? case_name : rf_name_format(ctx->arena, "cases", out->case_id), out->id);
    r->provider = text(ctx, res, row, R_PROVIDER);
    r->provider_refund_id = text(ctx, res, row, R_PROVIDER_REFUND_ID);
    r->provider_payment_id = text(ctx, res, row, R_PROVIDER_PAYMENT_ID);
    m->amount_minor = rf_db_int(res, row, R_AMOUNT);
    m->currency = text(ctx, res, row, R_CURRENCY);
    r->amount = m;
    r->issue_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, R_ISSUED_AT));
    r->record_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, R_RECORDED_AT));
    r->recorded_by = text(ctx, res, row, R_RECORDED_BY);
    r->exceeds_approved = rf_db_text(res, row, R_EXCEEDS)[0] == 't';
    r->currency_differs = rf_db_text(res, row, R_CURRENCY_DIFFERS)[0] == 't';
    rf_pb_enum_from_short(&refunds__v1__provider_status__descriptor, rf_db_text(res, row, R_STATUS),
                          &status);
    r->provider_status = status;
    r->transfer_reference = text(ctx, res, row, R_REFERENCE);
    r->transfer_reference_type = text(ctx, res, row, R_REFERENCE_TYPE);
    out->received = !rf_db_is_null(res, row, R_RECEIVED_AT);
    if (out->received)
        r->receipt_confirm_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, R_RECEIVED_AT));
    r->receipt_confirmed_by = text(ctx, res, row, R_RECEIVED_BY);
    out->pb = r;
    out->payment_method = text(ctx, res, row, R_PAYMENT_METHOD);
    out->succeeded_us = time_or_zero(res, row, R_SUCCEEDED_AT);
    out->window_from_us = time_or_zero(res, row, R_WINDOW_FROM);
    out->window_to_us = time_or_zero(res, row, R_WINDOW_TO);
    out->received_us = time_or_zero(res, row, R_RECEIVED_AT);
    out->pending_reason = text(ctx, res, row, R_PENDING_REASON);
    out->failure_reason = text(ctx, res, row, R_FAILURE_REASON);
    out->reference_status = text(ctx, res, row, R_REFERENCE_STATUS);
    out->card_refund_type = text(ctx, res, row, R_CARD_REFUND_TYPE);
}

enum rf_code rf_refund_store_list(struct rf_ctx *ctx, const char *case_id, const char *case_name,
                                  struct rf_refund_row **out, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &list_refunds, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = (size_t)rows;
    *out = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **out);
    for (int r = 0; r < rows; r++)
        refund_from_row(ctx, res, r, case_name, &(*out)[r]);
    return RF_OK;
}

enum rf_code rf_refund_store_find(struct rf_ctx *ctx, const char *provider,
                                  const char *provider_refund_id, struct rf_refund_row *out,
                                  bool *found)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, provider);
    rf_param_text(&p, provider_refund_id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &find_refund, &p, &res);
    if (code != RF_OK)
        return code;
    *found = PQntuples(res) == 1;
    if (*found)
        refund_from_row(ctx, res, 0, NULL, out);
    return RF_OK;
}

enum rf_code rf_refund_store_issue(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                   const struct rf_refund_issue *r, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, r->id); /* $14 */
    rf_param_text(&p, r->provider);
    rf_param_text(&p, r->provider_refund_id);
    rf_param_text(&p, r->provider_payment_id);
    rf_param_int(&p, ctx->arena, r->amount_minor); /* $18 */
    rf_param_text(&p, r->currency);
    rf_param_text(&p, r->payment_method);
    rf_param_text(&p, r->case_currency); /* $21 */
    rf_param_time(&p, ctx->arena, r->issued_at_us);
    rf_param_int(&p, ctx->arena, r->approved_minor); /* $23 */
    return rf_case_run_change(ctx, &issue_refund, &p, applied);
}

enum rf_code rf_refund_store_confirm(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                     const char *refund_id, const char *note, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, refund_id); /* $14, NULL for all */
    rf_param_text(&p, note);
    return rf_case_run_change(ctx, &confirm_receipt, &p, applied);
}

static const struct rf_stmt observations = {
    "refund_observations",
    "SELECT o.refund_id, o.seq, o.status, o.first_seen_at, o.reference"
    " FROM provider_observations o JOIN refunds r ON r.id = o.refund_id WHERE r.case_id = $1"
    " ORDER BY o.first_seen_at, o.refund_id, o.seq LIMIT $2"};

enum rf_code rf_refund_store_observations(struct rf_ctx *ctx, const char *case_id,
                                          struct rf_refund_observation **out, size_t *n,
                                          bool *truncated)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    rf_param_int(&p, ctx->arena, RF_TRACE_MAX_OBSERVATIONS + 1);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &observations, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *truncated = rows > RF_TRACE_MAX_OBSERVATIONS;
    if (*truncated)
        rows = RF_TRACE_MAX_OBSERVATIONS;
    *n = (size_t)rows;
    *out = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **out);
    for (int r = 0; r < rows; r++) {
        struct rf_refund_observation *o = &(*out)[r];

        o->refund_id = text(ctx, res, r, 0);
        o->seq = (int)rf_db_int(res, r, 1);
        o->status = text(ctx, res, r, 2);
        o->first_seen_us = rf_db_time(res, r, 3);
        o->reference = text(ctx, res, r, 4);
    }
    return RF_OK;
}

const struct rf_stmt *const *rf_refund_store_statements(void)
{
    static const struct rf_stmt *const all[] = {&list_refunds,    &find_refund,  &issue_refund,
                                                &confirm_receipt, &observations, NULL};

    return all;
}
