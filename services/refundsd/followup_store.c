/*
 * SQL of follow-up tasks (see followup_store.h).
 */
#include <stdio.h>
#include <string.h>

#include "followup_store.h"
#include "refunds/names.h"
#include "refunds/pb.h"

#define FOLLOWUP_COLUMNS                                                                           \
    "id, case_id, kind, state, reason, due_at, assignee, finding_id, outcome, created_at,"         \
    " closed_at, coalesce(closed_by, ''), score, comment"

enum col {
    F_ID,
    F_CASE,
    F_KIND,
    F_STATE,
    F_REASON,
    F_DUE,
    F_ASSIGNEE,
    F_FINDING,
    F_OUTCOME,
    F_CREATED,
    F_CLOSED,
    F_CLOSED_BY,
    F_SCORE,
    F_COMMENT,
};

static const struct rf_stmt due = {
    "followup_due", "SELECT " FOLLOWUP_COLUMNS " FROM follow_ups WHERE assignee = $1"
                    " AND state = 'OPEN' AND due_at <= $2 AND (due_at, id) > ($3::timestamptz,"
                    " $4::uuid) ORDER BY due_at, id LIMIT $5"};

static const struct rf_stmt get = {"followup_get",
                                   "SELECT " FOLLOWUP_COLUMNS " FROM follow_ups WHERE id = $1"};

static const struct rf_stmt complete = {
    "followup_complete", "UPDATE follow_ups SET state = 'DONE', outcome = $2, closed_at = $3,"
                         " closed_by = $4, score = $5, comment = $6"
                         " WHERE id = $1 AND state = 'OPEN' RETURNING 1"};

static char *text(struct rf_ctx *ctx, const PGresult *res, int row, int col)
{
    return rf_db_text_copy(ctx->arena, res, row, col);
}

static Refunds__V1__FollowUp *from_row(struct rf_ctx *ctx, const PGresult *res, int row)
{
    Refunds__V1__FollowUp *f = rf_pb_new(ctx->arena, &refunds__v1__follow_up__descriptor);
    int v = 0;
    int64_t due_at = rf_db_time(res, row, F_DUE);

    f->name = rf_name_format(ctx->arena, "followups", rf_db_text(res, row, F_ID));
    if (!rf_db_is_null(res, row, F_CASE))
        f->case_ = rf_name_format(ctx->arena, "cases", rf_db_text(res, row, F_CASE));
    rf_pb_enum_from_short(&refunds__v1__follow_up_kind__descriptor, rf_db_text(res, row, F_KIND),
                          &v);
    f->kind = v;
    v = 0;
    rf_pb_enum_from_short(&refunds__v1__follow_up_state__descriptor, rf_db_text(res, row, F_STATE),
                          &v);
    f->state = v;
    f->reason = text(ctx, res, row, F_REASON);
    f->due_time = rf_pb_timestamp(ctx->arena, due_at);
    f->overdue =
        f->state == REFUNDS__V1__FOLLOW_UP_STATE__FOLLOW_UP_STATE_OPEN && due_at < ctx->now_us;
    f->assignee = text(ctx, res, row, F_ASSIGNEE);
    if (!rf_db_is_null(res, row, F_FINDING))
        f->finding = rf_name_format(ctx->arena, "findings", rf_db_text(res, row, F_FINDING));
    f->outcome = text(ctx, res, row, F_OUTCOME);
    f->create_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, F_CREATED));
    if (!rf_db_is_null(res, row, F_CLOSED))
        f->close_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, F_CLOSED));
    f->closed_by = text(ctx, res, row, F_CLOSED_BY);
    if (!rf_db_is_null(res, row, F_SCORE)) {
        Refunds__V1__Satisfaction *sat =
            rf_pb_new(ctx->arena, &refunds__v1__satisfaction__descriptor);

        sat->score = (int32_t)rf_db_int(res, row, F_SCORE);
        sat->comment = text(ctx, res, row, F_COMMENT);
        f->satisfaction = sat;
    }
    return f;
}

enum rf_code rf_followup_store_due(struct rf_ctx *ctx, const char *assignee, int64_t due_before_us,
                                   int64_t after_us, const char *after_id, int limit,
                                   Refunds__V1__FollowUp ***out, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&p);
    rf_param_text(&p, assignee);
    if (due_before_us == 0)
        rf_param_text(&p, "infinity");
    else
        rf_param_time(&p, ctx->arena, due_before_us);
    rf_param_keyset_after(&p, ctx->arena, after_us, after_id);
    rf_param_int(&p, ctx->arena, limit);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &due, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = (size_t)rows;
    *out = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **out);
    for (int r = 0; r < rows; r++)
        (*out)[r] = from_row(ctx, res, r);
    return RF_OK;
}

enum rf_code rf_followup_store_get(struct rf_ctx *ctx, const char *id, struct rf_followup_row *out)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &get, &p, &res);
    if (code != RF_OK)
        return code;
    if (PQntuples(res) == 0)
        return rf_fail(&ctx->err, RF_NOT_FOUND, "follow-up \"followups/%s\" does not exist", id);
    out->pb = from_row(ctx, res, 0);
    snprintf(out->id, sizeof out->id, "%s", rf_db_text(res, 0, F_ID));
    snprintf(out->case_id, sizeof out->case_id, "%s",
             rf_db_is_null(res, 0, F_CASE) ? "" : rf_db_text(res, 0, F_CASE));
    snprintf(out->kind, sizeof out->kind, "%s", rf_db_text(res, 0, F_KIND));
    out->open = strcmp(rf_db_text(res, 0, F_STATE), "OPEN") == 0;
    return RF_OK;
}

enum rf_code rf_followup_store_complete(struct rf_ctx *ctx, const char *id, const char *outcome,
                                        const Refunds__V1__Satisfaction *answer, bool *applied)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, id);
    rf_param_text(&p, outcome);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_text(&p, ctx->actor.subject);
    if (answer != NULL)
        rf_param_int(&p, ctx->arena, answer->score);
    else
        rf_param_text(&p, NULL);
    rf_param_text(&p, answer != NULL ? answer->comment : "");
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &complete, &p, &res);
    if (code == RF_OK)
        *applied = PQntuples(res) == 1;
    return code;
}

static const struct rf_stmt next_contact = {
    "followup_next_contact", "SELECT min(due_at) FROM follow_ups WHERE case_id = $1"
                             " AND state = 'OPEN' AND kind = 'CONTACT_CUSTOMER'"};

enum rf_code rf_followup_store_next_contact(struct rf_ctx *ctx, const char *case_id,
                                            int64_t *due_us)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &next_contact, &p, &res);
    if (code == RF_OK)
        *due_us = rf_db_is_null(res, 0, 0) ? 0 : rf_db_time(res, 0, 0);
    return code;
}

/*
 * A follow-up task opened on a case, and its audit event: the case changes as
 * every change does (to $8, which may be its own state); the task goes to the
 * case's assignee unless $18 names one.
 */
static const struct rf_stmt schedule = {
    "followup_schedule",
    RF_CASE_CHANGE_UPDATE RF_CASE_CHANGE_WHERE " RETURNING id, state, assignee),"
    " f AS (INSERT INTO follow_ups (id, case_id, kind, reason, due_at, assignee, state,"
    " created_at, created_by) SELECT $14, u.id, $15, $16, $17, coalesce(nullif($18, ''),"
    " u.assignee), 'OPEN', $3, $4 FROM u)" RF_AUDIT_INSERT_FROM_U};

enum rf_code rf_followup_store_schedule(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                        const struct rf_followup_new *f, bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    rf_param_text(&p, f->id); /* $14 */
    rf_param_text(&p, f->kind);
    rf_param_text(&p, f->reason);
    rf_param_time(&p, ctx->arena, f->due_us);
    rf_param_text(&p, f->assignee != NULL ? f->assignee : "");
    return rf_case_run_change(ctx, &schedule, &p, applied);
}

static const struct rf_stmt open_count = {
    "followup_open_count", "SELECT count(*) FROM follow_ups WHERE case_id = $1 AND state = 'OPEN'"
                           " AND ($2::text IS NULL OR kind = $2)"};

enum rf_code rf_followup_store_open_count(struct rf_ctx *ctx, const char *case_id, const char *kind,
                                          long long *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    rf_param_text(&p, kind);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &open_count, &p, &res);
    if (code == RF_OK)
        *n = rf_db_int(res, 0, 0);
    return code;
}

/* The case moves on (CLOSED) only while none of its follow-ups is open. */
static const struct rf_stmt close_case = {
    "followup_close_case",
    RF_CASE_CHANGE_UPDATE RF_CASE_CHANGE_WHERE " AND NOT EXISTS (SELECT 1 FROM follow_ups"
    " WHERE case_id = $1 AND state = 'OPEN') RETURNING id, state)" RF_AUDIT_INSERT_FROM_U};

enum rf_code rf_followup_store_close_case(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                          bool *applied)
{
    struct rf_params p;

    rf_case_change_params(ctx, ch, &p);
    return rf_case_run_change(ctx, &close_case, &p, applied);
}

const struct rf_stmt *const *rf_followup_store_statements(void)
{
    static const struct rf_stmt *const all[] = {&due,      &get,        &complete,   &next_contact,
                                                &schedule, &open_count, &close_case, NULL};

    return all;
}
