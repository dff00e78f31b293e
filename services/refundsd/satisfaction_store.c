/*
 * SQL of satisfaction answers for reports (see satisfaction_store.h). One
 * statement serves every grouping: the dimensions are parameters choosing
 * among fixed column expressions, never SQL text from a caller. It returns
 * the count of each score per group; nps.h classifies them.
 */
#include <string.h>

#include "satisfaction_store.h"

/* The outcome of a case as reports name it; a, x are its latest approval and acceptance. */
#define OUTCOME_SQL                                                                                \
    "CASE WHEN x.case_id IS NOT NULL THEN 'alternative_accepted'"                                  \
    " WHEN a.decision = 'APPROVE' AND a.approved_minor >= c.requested_minor THEN 'approved_full'"  \
    " WHEN a.decision = 'APPROVE' THEN 'approved_partial'"                                         \
    " WHEN a.decision IN ('DENY', 'OFFER_ALTERNATIVE') THEN 'denied'"                              \
    " WHEN c.state = 'WITHDRAWN' THEN 'withdrawn' ELSE 'undecided' END"

/* A dimension's key: $n names it (OUTCOME, REASON, CATEGORY, CHANNEL, or '' for none). */
#define KEY_SQL(n)                                                                                 \
    "CASE " n "::text WHEN 'OUTCOME' THEN s.outcome WHEN 'REASON' THEN s.reason_code"              \
    " WHEN 'CATEGORY' THEN s.product_category WHEN 'CHANNEL' THEN s.channel ELSE '' END"

static const struct rf_stmt nps = {
    "satisfaction_nps",
    "WITH s AS (SELECT f.score, " OUTCOME_SQL " AS outcome, c.reason_code, c.product_category,"
    " c.channel FROM follow_ups f JOIN cases c ON c.id = f.case_id"
    " LEFT JOIN LATERAL (SELECT decision, approved_minor FROM approvals WHERE case_id = c.id"
    " ORDER BY id DESC LIMIT 1) a ON true"
    " LEFT JOIN accepted_alternatives x ON x.case_id = c.id"
    " WHERE f.score IS NOT NULL AND f.closed_at >= $1 AND f.closed_at < $2)"
    " SELECT " KEY_SQL("$3") " AS k1, " KEY_SQL(
        "$4") " AS k2, s.score, count(*)"
              " FROM s GROUP BY k1, k2, s.score ORDER BY k1, k2, s.score"};

static const char *const dimension_names[] = {
    [RF_NPS_BY_OUTCOME] = "OUTCOME",
    [RF_NPS_BY_REASON] = "REASON",
    [RF_NPS_BY_CATEGORY] = "CATEGORY",
    [RF_NPS_BY_CHANNEL] = "CHANNEL",
};

static void bound(struct rf_ctx *ctx, struct rf_params *p, int64_t us, const char *none)
{
    if (us == 0)
        rf_param_text(p, none);
    else
        rf_param_time(p, ctx->arena, us);
}

enum rf_code rf_satisfaction_store_nps(struct rf_ctx *ctx, int64_t from_us, int64_t to_us,
                                       const enum rf_nps_dimension *dims, size_t n_dims,
                                       struct rf_nps_group **out, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&p);
    bound(ctx, &p, from_us, "-infinity");
    bound(ctx, &p, to_us, "infinity");
    for (size_t i = 0; i < RF_NPS_GROUP_BY_MAX; i++)
        rf_param_text(&p,
                      i < n_dims && dims[i] >= RF_NPS_BY_OUTCOME && dims[i] <= RF_NPS_DIMENSION_MAX
                          ? dimension_names[dims[i]]
                          : "");
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &nps, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = 0;
    *out = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **out);
    for (int r = 0; r < rows; r++) {
        const char *k1 = rf_db_text(res, r, 0), *k2 = rf_db_text(res, r, 1);
        struct rf_nps_group *g = *n > 0 ? &(*out)[*n - 1] : NULL;
        long long count = rf_db_int(res, r, 3);
        int score = (int)rf_db_int(res, r, 2);

        /* Rows come grouped by keys: a new group starts where the keys change. */
        if (g == NULL || strcmp(g->keys[0], k1) != 0 || strcmp(g->keys[1], k2) != 0) {
            g = &(*out)[(*n)++];
            g->keys[0] = rf_arena_strdup(ctx->arena, k1);
            g->keys[1] = rf_arena_strdup(ctx->arena, k2);
        }
        rf_nps_add(&g->nps, score, count);
    }
    return RF_OK;
}

const struct rf_stmt *const *rf_satisfaction_store_statements(void)
{
    static const struct rf_stmt *const all[] = {&nps, NULL};

    return all;
}
