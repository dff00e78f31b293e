/*
 * SQL of the reconciler's runs and findings as refundsd reads them (see
 * recon_store.h). A run's counts per kind and totals per currency and a
 * finding's evidence come back as JSON from PostgreSQL and are read with
 * jansson: one round trip per list.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "recon_store.h"
#include "refunds/names.h"
#include "refunds/pb.h"

#define RUN_COLUMNS                                                                                \
    "r.id, r.worker, r.state, r.started_at, r.finished_at, r.heartbeat_at, r.lag_seconds,"         \
    " r.refunds_checked, r.unknown, r.batches, r.provider_scanned, r.orphans,"                     \
    " (SELECT coalesce(json_agg(json_build_array(k.kind, k.opened, k.closed) ORDER BY k.kind),"    \
    " '[]') FROM run_kind_counts k WHERE k.run_id = r.id),"                                        \
    " (SELECT coalesce(json_agg(json_build_array(t.currency, t.refunds, t.amount_minor)"           \
    " ORDER BY t.currency), '[]') FROM run_currency_totals t WHERE t.run_id = r.id)"

enum run_col {
    U_ID,
    U_WORKER,
    U_STATE,
    U_STARTED,
    U_FINISHED,
    U_HEARTBEAT,
    U_LAG,
    U_CHECKED,
    U_UNKNOWN,
    U_BATCHES,
    U_SCANNED,
    U_ORPHANS,
    U_KINDS,
    U_TOTALS,
};

static const struct rf_stmt get_run = {"run_get", "SELECT " RUN_COLUMNS
                                                  " FROM reconciliation_runs r WHERE r.id = $1"};
static const struct rf_stmt list_runs = {"run_list",
                                         "SELECT " RUN_COLUMNS " FROM reconciliation_runs r"
                                         " WHERE (r.started_at, r.id) < ($1::timestamptz, $2::uuid)"
                                         " ORDER BY r.started_at DESC, r.id DESC LIMIT $3"};

#define FINDING_COLUMNS                                                                            \
    "f.id, f.kind, f.state, f.refund_id, f.case_id, f.provider, f.provider_refund_id,"             \
    " f.amount_minor, f.currency, f.reference, f.evidence, f.action, f.audience, f.opened_at,"     \
    " f.updated_at, f.closed_at, f.close_reason, f.opened_run, f.closed_run, f.resolution,"        \
    " f.resolution_note, f.resolved_by, f.resolved_at"

enum finding_col {
    F_ID,
    F_KIND,
    F_STATE,
    F_REFUND,
    F_CASE,
    F_PROVIDER,
    F_PROVIDER_REFUND_ID,
    F_AMOUNT,
    F_CURRENCY,
    F_REFERENCE,
    F_EVIDENCE,
    F_ACTION,
    F_AUDIENCE,
    F_OPENED,
    F_UPDATED,
    F_CLOSED,
    F_CLOSE_REASON,
    F_OPENED_RUN,
    F_CLOSED_RUN,
    F_RESOLUTION,
    F_RESOLUTION_NOTE,
    F_RESOLVED_BY,
    F_RESOLVED_AT,
};

static const struct rf_stmt get_finding = {
    "finding_get", "SELECT " FINDING_COLUMNS " FROM findings f WHERE f.id = $1"};

/* Resolves an open finding, and cancels its open follow-up task with the resolution. */
static const struct rf_stmt resolve_finding = {
    "finding_resolve",
    "WITH f AS (UPDATE findings SET state = 'RESOLVED', resolution = $2, resolution_note = $3,"
    " resolved_by = $4, resolved_at = $5, closed_at = $5, updated_at = $5"
    " WHERE id = $1 AND state = 'OPEN' RETURNING id),"
    " t AS (UPDATE follow_ups SET state = 'CANCELLED', closed_at = $5, closed_by = $4,"
    " outcome = 'no longer needed: the finding was resolved (' || lower($2) || ')'"
    " WHERE finding_id = (SELECT id FROM f) AND state = 'OPEN')"
    " SELECT 1 FROM f"};

/* One prepared statement per combination of filters, like ListCases (case_store.c). */
#define FINDING_FILTERS 5
static char list_sql[1 << FINDING_FILTERS][1024];
static struct rf_stmt list_stmts[1 << FINDING_FILTERS];
static pthread_once_t list_once = PTHREAD_ONCE_INIT;

static void build_list_stmts(void)
{
    static const char *const columns[FINDING_FILTERS] = {"f.kind", "f.state", "f.provider",
                                                         "f.currency", "f.case_id"};
    static char names[1 << FINDING_FILTERS][24];

    for (int mask = 0; mask < 1 << FINDING_FILTERS; mask++) {
        int len = snprintf(list_sql[mask], sizeof list_sql[mask],
                           "SELECT " FINDING_COLUMNS " FROM findings f"
                           " WHERE (f.opened_at, f.id) < ($1::timestamptz, $2::uuid)");
        int param = 4;

        for (int k = 0; k < FINDING_FILTERS; k++) {
            if (mask & (1 << k))
                len += snprintf(list_sql[mask] + len, sizeof list_sql[mask] - (size_t)len,
                                " AND %s = $%d%s", columns[k], param++,
                                k == FINDING_FILTERS - 1 ? "::uuid" : "");
        }
        snprintf(list_sql[mask] + len, sizeof list_sql[mask] - (size_t)len,
                 " ORDER BY f.opened_at DESC, f.id DESC LIMIT $3");
        snprintf(names[mask], sizeof names[mask], "finding_list_%d", mask);
        list_stmts[mask].name = names[mask];
        list_stmts[mask].sql = list_sql[mask];
    }
}

static char *text(struct rf_ctx *ctx, const PGresult *res, int row, int col)
{
    const char *v = rf_db_text(res, row, col);

    return rf_arena_strdup(ctx->arena, v == NULL ? "" : v);
}

static int enum_of(const ProtobufCEnumDescriptor *desc, const char *name)
{
    int v = 0;

    if (name != NULL)
        rf_pb_enum_from_short(desc, name, &v);
    return v;
}

/* A JSON text PostgreSQL made; NULL (logged as INTERNAL by the caller) when it is not JSON. */
static json_t *json_of(const PGresult *res, int row, int col)
{
    const char *s = rf_db_text(res, row, col);

    return s == NULL ? NULL : json_loads(s, 0, NULL);
}

static Refunds__V1__Run *run_from_row(struct rf_ctx *ctx, const PGresult *res, int row)
{
    Refunds__V1__Run *r = rf_pb_new(ctx->arena, &refunds__v1__run__descriptor);
    int64_t started = rf_db_time(res, row, U_STARTED), ended;
    json_t *kinds = json_of(res, row, U_KINDS), *totals = json_of(res, row, U_TOTALS);
    size_t i;
    json_t *item;

    r->name = rf_name_format(ctx->arena, "runs", rf_db_text(res, row, U_ID));
    r->worker = text(ctx, res, row, U_WORKER);
    r->state = enum_of(&refunds__v1__run_state__descriptor, rf_db_text(res, row, U_STATE));
    ended = rf_db_is_null(res, row, U_FINISHED) ? rf_db_time(res, row, U_HEARTBEAT)
                                                : rf_db_time(res, row, U_FINISHED);
    if (r->state == REFUNDS__V1__RUN_STATE__RUN_STATE_RUNNING &&
        ctx->now_us - ended > RF_RUN_STALE_US)
        r->state = REFUNDS__V1__RUN_STATE__RUN_STATE_ABANDONED;
    r->start_time = rf_pb_timestamp(ctx->arena, started);
    if (!rf_db_is_null(res, row, U_FINISHED))
        r->end_time = rf_pb_timestamp(ctx->arena, ended);
    r->lag_seconds = rf_db_int(res, row, U_LAG);
    r->refunds_checked = rf_db_int(res, row, U_CHECKED);
    r->unknown = rf_db_int(res, row, U_UNKNOWN);
    r->batches = rf_db_int(res, row, U_BATCHES);
    r->provider_refunds_scanned = rf_db_int(res, row, U_SCANNED);
    r->orphans = rf_db_int(res, row, U_ORPHANS);
    if (ended > started)
        r->refunds_per_second = (double)r->refunds_checked * 1e6 / (double)(ended - started);
    if (json_is_array(kinds)) {
        r->findings = rf_arena_calloc(ctx->arena, json_array_size(kinds) + 1, sizeof *r->findings);
        json_array_foreach(kinds, i, item)
        {
            Refunds__V1__KindCount *k = rf_pb_new(ctx->arena, &refunds__v1__kind_count__descriptor);

            k->kind = enum_of(&refunds__v1__finding_kind__descriptor,
                              json_string_value(json_array_get(item, 0)));
            k->opened = json_integer_value(json_array_get(item, 1));
            k->closed = json_integer_value(json_array_get(item, 2));
            r->findings[r->n_findings++] = k;
        }
    }
    if (json_is_array(totals)) {
        r->amounts = rf_arena_calloc(ctx->arena, json_array_size(totals) + 1, sizeof *r->amounts);
        json_array_foreach(totals, i, item)
        {
            Refunds__V1__CurrencyTotal *t =
                rf_pb_new(ctx->arena, &refunds__v1__currency_total__descriptor);

            t->currency = rf_arena_strdup(ctx->arena, json_string_value(json_array_get(item, 0)));
            t->refunds = json_integer_value(json_array_get(item, 1));
            t->amount_minor = json_integer_value(json_array_get(item, 2));
            r->amounts[r->n_amounts++] = t;
        }
    }
    json_decref(kinds);
    json_decref(totals);
    return r;
}

enum rf_code rf_run_store_get(struct rf_ctx *ctx, const char *id, Refunds__V1__Run **out)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &get_run, &p, &res);
    if (code != RF_OK)
        return code;
    if (PQntuples(res) == 0)
        return rf_fail(&ctx->err, RF_NOT_FOUND, "run \"runs/%s\" does not exist", id);
    *out = run_from_row(ctx, res, 0);
    return RF_OK;
}

enum rf_code rf_run_store_list(struct rf_ctx *ctx, int64_t before_us, const char *before_id,
                               int limit, Refunds__V1__Run ***runs, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&p);
    rf_param_keyset_before(&p, ctx->arena, before_us, before_id);
    rf_param_int(&p, ctx->arena, limit);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &list_runs, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = (size_t)rows;
    *runs = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **runs);
    for (int r = 0; r < rows; r++)
        (*runs)[r] = run_from_row(ctx, res, r);
    return RF_OK;
}

static Refunds__V1__Finding *finding_from_row(struct rf_ctx *ctx, const PGresult *res, int row)
{
    Refunds__V1__Finding *f = rf_pb_new(ctx->arena, &refunds__v1__finding__descriptor);
    Refunds__V1__Money *m = rf_pb_new(ctx->arena, &refunds__v1__money__descriptor);
    json_t *evidence = json_of(res, row, F_EVIDENCE), *item;
    size_t i;

    f->name = rf_name_format(ctx->arena, "findings", rf_db_text(res, row, F_ID));
    f->kind = enum_of(&refunds__v1__finding_kind__descriptor, rf_db_text(res, row, F_KIND));
    f->state = enum_of(&refunds__v1__finding_state__descriptor, rf_db_text(res, row, F_STATE));
    if (!rf_db_is_null(res, row, F_CASE)) {
        f->case_ = rf_name_format(ctx->arena, "cases", rf_db_text(res, row, F_CASE));
        if (!rf_db_is_null(res, row, F_REFUND))
            f->refund = rf_arena_printf(ctx->arena, "%s/refunds/%s", f->case_,
                                        rf_db_text(res, row, F_REFUND));
    }
    f->provider = text(ctx, res, row, F_PROVIDER);
    f->provider_refund_id = text(ctx, res, row, F_PROVIDER_REFUND_ID);
    m->amount_minor = rf_db_int(res, row, F_AMOUNT);
    m->currency = text(ctx, res, row, F_CURRENCY);
    f->amount = m;
    f->transfer_reference = text(ctx, res, row, F_REFERENCE);
    if (json_is_array(evidence)) {
        f->evidence =
            rf_arena_calloc(ctx->arena, json_array_size(evidence) + 1, sizeof *f->evidence);
        json_array_foreach(evidence, i, item)
        {
            Refunds__V1__Evidence *e = rf_pb_new(ctx->arena, &refunds__v1__evidence__descriptor);
            const char *k = json_string_value(json_array_get(item, 0));
            const char *v = json_string_value(json_array_get(item, 1));

            e->key = rf_arena_strdup(ctx->arena, k != NULL ? k : "");
            e->value = rf_arena_strdup(ctx->arena, v != NULL ? v : "");
            f->evidence[f->n_evidence++] = e;
        }
    }
    json_decref(evidence);
    f->suggested_action = text(ctx, res, row, F_ACTION);
    f->audience = enum_of(&refunds__v1__audience__descriptor, rf_db_text(res, row, F_AUDIENCE));
    f->open_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, F_OPENED));
    f->update_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, F_UPDATED));
    if (!rf_db_is_null(res, row, F_CLOSED))
        f->close_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, F_CLOSED));
    f->close_reason = text(ctx, res, row, F_CLOSE_REASON);
    f->opened_by_run = rf_name_format(ctx->arena, "runs", rf_db_text(res, row, F_OPENED_RUN));
    if (!rf_db_is_null(res, row, F_CLOSED_RUN))
        f->closed_by_run = rf_name_format(ctx->arena, "runs", rf_db_text(res, row, F_CLOSED_RUN));
    f->resolution =
        enum_of(&refunds__v1__resolution__descriptor, rf_db_text(res, row, F_RESOLUTION));
    f->resolution_note = text(ctx, res, row, F_RESOLUTION_NOTE);
    f->resolved_by = text(ctx, res, row, F_RESOLVED_BY);
    if (!rf_db_is_null(res, row, F_RESOLVED_AT))
        f->resolve_time = rf_pb_timestamp(ctx->arena, rf_db_time(res, row, F_RESOLVED_AT));
    return f;
}

enum rf_code rf_finding_store_get(struct rf_ctx *ctx, const char *id, Refunds__V1__Finding **out,
                                  char case_id[RF_UUID_TEXT_LEN + 1])
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &get_finding, &p, &res);
    if (code != RF_OK)
        return code;
    if (PQntuples(res) == 0)
        return rf_fail(&ctx->err, RF_NOT_FOUND, "finding \"findings/%s\" does not exist", id);
    *out = finding_from_row(ctx, res, 0);
    snprintf(case_id, RF_UUID_TEXT_LEN + 1, "%s",
             rf_db_is_null(res, 0, F_CASE) ? "" : rf_db_text(res, 0, F_CASE));
    return RF_OK;
}

enum rf_code rf_finding_store_resolve(struct rf_ctx *ctx, const char *id, const char *resolution,
                                      const char *note, bool *applied)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, id);
    rf_param_text(&p, resolution);
    rf_param_text(&p, note);
    rf_param_text(&p, ctx->actor.subject);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &resolve_finding, &p, &res);
    if (code == RF_OK)
        *applied = PQntuples(res) == 1;
    return code;
}

enum rf_code rf_finding_store_list(struct rf_ctx *ctx, const struct rf_finding_filter *f,
                                   Refunds__V1__Finding ***findings, size_t *n)
{
    const char *values[FINDING_FILTERS] = {f->kind, f->state, f->provider, f->currency, f->case_id};
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int mask = 0, rows;

    pthread_once(&list_once, build_list_stmts);
    rf_params_init(&p);
    rf_param_keyset_before(&p, ctx->arena, f->before_us, f->before_id);
    rf_param_int(&p, ctx->arena, f->limit);
    for (int k = 0; k < FINDING_FILTERS; k++) {
        if (values[k] != NULL) {
            mask |= 1 << k;
            rf_param_text(&p, values[k]);
        }
    }
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &list_stmts[mask], &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = (size_t)rows;
    *findings = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **findings);
    for (int r = 0; r < rows; r++)
        (*findings)[r] = finding_from_row(ctx, res, r);
    return RF_OK;
}
