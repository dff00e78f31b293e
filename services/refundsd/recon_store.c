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
    " r.refunds_checked, r.unknown, r.batches, r.provider_scanned, r.orphans, r.refunds_woken,"    \
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
    U_WOKEN,
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

/*
 * One prepared statement per combination of filters, like ListCases
 * (case_store.c): the list's (newest first, from a keyset cursor) and the
 * export's (oldest first, after a keyset cursor, before an open time).
 */
#define FINDING_FILTERS 5
struct filtered {
    char sql[1 << FINDING_FILTERS][1024];
    char names[1 << FINDING_FILTERS][24];
    struct rf_stmt stmts[1 << FINDING_FILTERS];
};
static struct filtered list_q, export_q;
static pthread_once_t filtered_once = PTHREAD_ONCE_INIT;

/* What the export reads of a finding (see enum export_col). */
#define EXPORT_COLUMNS                                                                             \
    "f.id, f.case_id, f.refund_id, f.provider, f.provider_refund_id, f.kind, f.state,"             \
    " f.amount_minor, f.currency, r.approved_minor, r.case_currency, f.reference, f.opened_at,"    \
    " f.closed_at, f.close_reason, f.resolution, f.resolved_by, f.resolved_at, f.resolution_note"

enum export_col {
    X_ID,
    X_CASE,
    X_REFUND,
    X_PROVIDER,
    X_PROVIDER_REFUND_ID,
    X_KIND,
    X_STATE,
    X_AMOUNT,
    X_CURRENCY,
    X_APPROVED,
    X_APPROVED_CURRENCY,
    X_REFERENCE,
    X_OPENED,
    X_CLOSED,
    X_CLOSE_REASON,
    X_RESOLUTION,
    X_RESOLVED_BY,
    X_RESOLVED_AT,
    X_RESOLUTION_NOTE,
};

/* head ends in a WHERE clause; the filters are $first..; tail orders and limits. */
static void build_filtered(struct filtered *q, const char *prefix, const char *head, int first,
                           const char *tail)
{
    static const char *const columns[FINDING_FILTERS] = {"f.kind", "f.state", "f.provider",
                                                         "f.currency", "f.case_id"};

    for (int mask = 0; mask < 1 << FINDING_FILTERS; mask++) {
        int len = snprintf(q->sql[mask], sizeof q->sql[mask], "%s", head);
        int param = first;

        for (int k = 0; k < FINDING_FILTERS; k++) {
            if (mask & (1 << k))
                len += snprintf(q->sql[mask] + len, sizeof q->sql[mask] - (size_t)len,
                                " AND %s = $%d%s", columns[k], param++,
                                k == FINDING_FILTERS - 1 ? "::uuid" : "");
        }
        snprintf(q->sql[mask] + len, sizeof q->sql[mask] - (size_t)len, "%s", tail);
        snprintf(q->names[mask], sizeof q->names[mask], "%s_%d", prefix, mask);
        q->stmts[mask].name = q->names[mask];
        q->stmts[mask].sql = q->sql[mask];
    }
}

static void build_filtered_stmts(void)
{
    build_filtered(&list_q, "finding_list",
                   "SELECT " FINDING_COLUMNS " FROM findings f"
                   " WHERE (f.opened_at, f.id) < ($1::timestamptz, $2::uuid)",
                   4, " ORDER BY f.opened_at DESC, f.id DESC LIMIT $3");
    build_filtered(&export_q, "finding_export",
                   "SELECT " EXPORT_COLUMNS " FROM findings f LEFT JOIN refunds r"
                   " ON r.id = f.refund_id WHERE (f.opened_at, f.id) > ($1::timestamptz, $2::uuid)"
                   " AND f.opened_at < $3::timestamptz",
                   5, " ORDER BY f.opened_at, f.id LIMIT $4");
}

/* Adds the filters that are set, as the statements of mask expect them; returns mask. */
static int add_filters(struct rf_params *p, const struct rf_finding_filter *f)
{
    const char *values[FINDING_FILTERS] = {f->kind, f->state, f->provider, f->currency, f->case_id};
    int mask = 0;

    for (int k = 0; k < FINDING_FILTERS; k++) {
        if (values[k] != NULL) {
            mask |= 1 << k;
            rf_param_text(p, values[k]);
        }
    }
    return mask;
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
    r->refunds_woken = rf_db_int(res, row, U_WOKEN);
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
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int mask, rows;

    pthread_once(&filtered_once, build_filtered_stmts);
    rf_params_init(&p);
    rf_param_keyset_before(&p, ctx->arena, f->before_us, f->before_id);
    rf_param_int(&p, ctx->arena, f->limit);
    mask = add_filters(&p, f);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &list_q.stmts[mask], &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = (size_t)rows;
    *findings = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **findings);
    for (int r = 0; r < rows; r++)
        (*findings)[r] = finding_from_row(ctx, res, r);
    return RF_OK;
}

static Google__Protobuf__Timestamp *time_or_null(struct rf_ctx *ctx, const PGresult *res, int row,
                                                 int col)
{
    return rf_db_is_null(res, row, col) ? NULL : rf_pb_timestamp(ctx->arena, rf_db_time(res, row, col));
}

static Refunds__V1__FindingRow *export_row(struct rf_ctx *ctx, const PGresult *res, int row)
{
    Refunds__V1__FindingRow *x = rf_pb_new(ctx->arena, &refunds__v1__finding_row__descriptor);

    x->finding = rf_name_format(ctx->arena, "findings", rf_db_text(res, row, X_ID));
    if (!rf_db_is_null(res, row, X_CASE)) {
        x->case_ = rf_name_format(ctx->arena, "cases", rf_db_text(res, row, X_CASE));
        if (!rf_db_is_null(res, row, X_REFUND))
            x->refund = rf_arena_printf(ctx->arena, "%s/refunds/%s", x->case_,
                                        rf_db_text(res, row, X_REFUND));
    }
    x->provider = text(ctx, res, row, X_PROVIDER);
    x->provider_refund_id = text(ctx, res, row, X_PROVIDER_REFUND_ID);
    x->kind = enum_of(&refunds__v1__finding_kind__descriptor, rf_db_text(res, row, X_KIND));
    x->state = enum_of(&refunds__v1__finding_state__descriptor, rf_db_text(res, row, X_STATE));
    x->amount_minor = rf_db_int(res, row, X_AMOUNT);
    x->currency = text(ctx, res, row, X_CURRENCY);
    if (!rf_db_is_null(res, row, X_APPROVED))
        x->approved_minor = rf_db_int(res, row, X_APPROVED);
    x->approved_currency = text(ctx, res, row, X_APPROVED_CURRENCY);
    x->transfer_reference = text(ctx, res, row, X_REFERENCE);
    x->open_time = time_or_null(ctx, res, row, X_OPENED);
    x->close_time = time_or_null(ctx, res, row, X_CLOSED);
    x->close_reason = text(ctx, res, row, X_CLOSE_REASON);
    x->resolution =
        enum_of(&refunds__v1__resolution__descriptor, rf_db_text(res, row, X_RESOLUTION));
    x->resolved_by = text(ctx, res, row, X_RESOLVED_BY);
    x->resolve_time = time_or_null(ctx, res, row, X_RESOLVED_AT);
    x->resolution_note = text(ctx, res, row, X_RESOLUTION_NOTE);
    return x;
}

enum rf_code rf_finding_store_export(struct rf_ctx *ctx, const struct rf_finding_filter *f,
                                     int64_t after_us, const char *after_id, int64_t before_us,
                                     Refunds__V1__FindingRow ***rows, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int mask, count;

    pthread_once(&filtered_once, build_filtered_stmts);
    rf_params_init(&p);
    if (after_us == INT64_MIN)
        rf_param_text(&p, "-infinity");
    else
        rf_param_time(&p, ctx->arena, after_us);
    rf_param_text(&p, after_id != NULL ? after_id : "00000000-0000-0000-0000-000000000000");
    if (before_us == INT64_MAX)
        rf_param_text(&p, "infinity");
    else
        rf_param_time(&p, ctx->arena, before_us);
    rf_param_int(&p, ctx->arena, f->limit);
    mask = add_filters(&p, f);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &export_q.stmts[mask], &p, &res);
    if (code != RF_OK)
        return code;
    count = PQntuples(res);
    *n = (size_t)count;
    *rows = rf_arena_calloc(ctx->arena, (size_t)count + 1, sizeof **rows);
    for (int r = 0; r < count; r++)
        (*rows)[r] = export_row(ctx, res, r);
    return RF_OK;
}

/* The static statements, then the list's and the export's, NULL-terminated. */
static const struct rf_stmt *all_stmts[4 + 2 * (1 << FINDING_FILTERS) + 1];
static pthread_once_t all_once = PTHREAD_ONCE_INIT;

static void list_all_stmts(void)
{
    size_t n = 0;

    pthread_once(&filtered_once, build_filtered_stmts);
    all_stmts[n++] = &get_run;
    all_stmts[n++] = &list_runs;
    all_stmts[n++] = &get_finding;
    all_stmts[n++] = &resolve_finding;
    for (int mask = 0; mask < 1 << FINDING_FILTERS; mask++) {
        all_stmts[n++] = &list_q.stmts[mask];
        all_stmts[n++] = &export_q.stmts[mask];
    }
    all_stmts[n] = NULL;
}

const struct rf_stmt *const *rf_recon_store_statements(void)
{
    pthread_once(&all_once, list_all_stmts);
    return all_stmts;
}
