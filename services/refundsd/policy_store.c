/*
 * SQL of the stored guidelines (see policy_store.h). Versions are numbered
 * by the store: the next is the current plus one, under an advisory lock so
 * that two updates never race for a number.
 */
#include <string.h>

#include "policy_store.h"

/* Arbitrary, fixed key of the advisory lock that serialises new versions. */
#define POLICY_LOCK_KEY "7402511738"

#define POLICY_COLUMNS                                                                             \
    "p.version, p.author, p.created_at, p.note,"                                                   \
    " p.version = (SELECT max(version) FROM policies)"

enum col { P_VERSION, P_AUTHOR, P_CREATED, P_NOTE, P_CURRENT, P_DOCUMENT };

static const struct rf_stmt get_version = {
    "policy_get",
    "SELECT " POLICY_COLUMNS ", p.document::text FROM policies p WHERE p.version = $1"};
static const struct rf_stmt get_current = {
    "policy_get_current", "SELECT " POLICY_COLUMNS ", p.document::text FROM policies p"
                          " ORDER BY p.version DESC LIMIT 1"};
static const struct rf_stmt current = {"policy_current", "SELECT max(version) FROM policies"};
static const struct rf_stmt list = {"policy_list",
                                    "SELECT " POLICY_COLUMNS " FROM policies p WHERE p.version < $1"
                                    " ORDER BY p.version DESC LIMIT $2"};
static const struct rf_stmt lock = {"policy_lock",
                                    "SELECT pg_advisory_xact_lock(" POLICY_LOCK_KEY ")"};
/*
 * The next version, unless the edit was made from another version ($5) or
 * changes nothing (jsonb compares meaning, not spelling). Its result: the
 * current version, the new one (NULL when none was stored), and whether the
 * document is the current one's.
 */
static const struct rf_stmt insert = {
    "policy_insert",
    "WITH cur AS (SELECT version, document FROM policies ORDER BY version DESC LIMIT 1),"
    " ins AS (INSERT INTO policies (version, document, author, created_at, note)"
    " SELECT cur.version + 1, $1::jsonb, $2, $3, $4 FROM cur"
    " WHERE ($5::bigint = 0 OR cur.version = $5) AND cur.document <> $1::jsonb"
    " RETURNING version)"
    " SELECT cur.version, (SELECT version FROM ins), cur.document = $1::jsonb FROM cur"};

static char *text(struct rf_ctx *ctx, const PGresult *res, int row, int col)
{
    const char *v = rf_db_text(res, row, col);

    return rf_arena_strdup(ctx->arena, v == NULL ? "" : v);
}

static void from_row(struct rf_ctx *ctx, const PGresult *res, int row, bool with_document,
                     struct rf_policy_row *out)
{
    out->version = rf_db_int(res, row, P_VERSION);
    out->author = text(ctx, res, row, P_AUTHOR);
    out->created_us = rf_db_time(res, row, P_CREATED);
    out->note = text(ctx, res, row, P_NOTE);
    out->current = strcmp(rf_db_text(res, row, P_CURRENT), "t") == 0;
    out->document = with_document ? text(ctx, res, row, P_DOCUMENT) : NULL;
}

enum rf_code rf_policy_store_get(struct rf_ctx *ctx, int64_t version, struct rf_policy_row *out)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    if (version > 0)
        rf_param_int(&p, ctx->arena, version);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, version > 0 ? &get_version : &get_current,
                      version > 0 ? &p : NULL, &res);
    if (code != RF_OK)
        return code;
    if (PQntuples(res) == 0)
        return version > 0 ? rf_fail(&ctx->err, RF_NOT_FOUND, "policy version %lld does not exist",
                                     (long long)version)
                           : rf_fail(&ctx->err, RF_FAILED_PRECONDITION,
                                     "no policy is stored: run refundsd migrate");
    from_row(ctx, res, 0, true, out);
    return RF_OK;
}

enum rf_code rf_policy_store_current(struct rf_ctx *ctx, int64_t *version)
{
    PGresult *res;
    enum rf_code code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &current, NULL, &res);

    if (code != RF_OK)
        return code;
    if (rf_db_is_null(res, 0, 0))
        return rf_fail(&ctx->err, RF_FAILED_PRECONDITION,
                       "no policy is stored: run refundsd migrate");
    *version = rf_db_int(res, 0, 0);
    return RF_OK;
}

enum rf_code rf_policy_store_list(struct rf_ctx *ctx, int64_t before, int limit,
                                  struct rf_policy_row **rows, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_int(&p, ctx->arena, before > 0 ? before : INT64_MAX);
    rf_param_int(&p, ctx->arena, limit);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &list, &p, &res);
    if (code != RF_OK)
        return code;
    *n = (size_t)PQntuples(res);
    *rows = rf_arena_calloc(ctx->arena, *n + 1, sizeof **rows);
    for (size_t i = 0; i < *n; i++)
        from_row(ctx, res, (int)i, false, &(*rows)[i]);
    return RF_OK;
}

enum rf_code rf_policy_store_insert(struct rf_ctx *ctx, const char *document, const char *note,
                                    int64_t base, struct rf_policy_row *out)
{
    struct rf_params p;
    PGresult *res;
    long long cur;
    enum rf_code code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &lock, NULL, NULL);

    if (code != RF_OK)
        return code;
    rf_params_init(&p);
    rf_param_text(&p, document);
    rf_param_text(&p, ctx->actor.subject);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_text(&p, note);
    rf_param_int(&p, ctx->arena, base);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &insert, &p, &res);
    if (code != RF_OK)
        return code;
    if (PQntuples(res) == 0)
        return rf_fail(&ctx->err, RF_FAILED_PRECONDITION,
                       "no policy is stored: run refundsd migrate");
    cur = rf_db_int(res, 0, 0);
    if (rf_db_is_null(res, 0, 1)) {
        if (base != 0 && base != cur)
            return rf_fail(&ctx->err, RF_FAILED_PRECONDITION,
                           "base_version %lld is not the current policy: version %lld was stored "
                           "since; start again from version %lld",
                           (long long)base, cur, cur);
        return rf_fail(&ctx->err, RF_FAILED_PRECONDITION,
                       "the document means the same as the current version %lld: nothing to store",
                       cur);
    }
    out->version = rf_db_int(res, 0, 1);
    out->document = document;
    out->author = ctx->actor.subject;
    out->created_us = ctx->now_us;
    out->note = note;
    out->current = true;
    return RF_OK;
}

const struct rf_stmt *const *rf_policy_store_statements(void)
{
    static const struct rf_stmt *const all[] = {&get_version, &get_current, &current, &list,
                                                &lock,        &insert,      NULL};

    return all;
}
