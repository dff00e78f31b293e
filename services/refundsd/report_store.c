/*
 * SQL of the policy report (see report_store.h). Four statements, each one
 * pass over the range (the cases_by_created index for a part of the table,
 * a sequential scan when the range is most of it), in one read-only
 * snapshot: the figures of each group and of all (GROUPING SETS of the
 * group and the empty set share one sort, which the percentiles need), the
 * amounts of each group and currency, and the money of the refunds of those
 * cases, and the satisfaction answers on those cases (follow_ups.score,
 * counted per score so that nps.h alone says who is a promoter). The amounts
 * and the answers are plain sums, so their totals are added up here from the
 * groups' rows: without GROUPING SETS PostgreSQL aggregates them in parallel
 * workers (partial aggregation does not take grouping sets), 1.3-1.7 s ->
 * 0.65-0.86 s and 1.5-1.6 s -> 0.57 s over a year of 1,000,000 cases. One
 * prepared statement per ordered pair of dimensions (and per single
 * dimension), built once: the grouping keys are
 * column expressions chosen from a fixed table, never text from the request.
 * $1 and $2 are the range; $3, in the figures, the time as of which a
 * pending approval is overdue.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refunds/pb.h"
#include "nps.h"
#include "report_store.h"

/* The grouping key of each refunds.v1.ReportDimension; [0] is "no second dimension". */
static const char *const keys[] = {
    [0] = "''::text",
    [REFUNDS__V1__REPORT_DIMENSION__REPORT_DIMENSION_REASON] = "lower(c.reason_code)",
    [REFUNDS__V1__REPORT_DIMENSION__REPORT_DIMENSION_CATEGORY] = "lower(c.product_category)",
    [REFUNDS__V1__REPORT_DIMENSION__REPORT_DIMENSION_CHANNEL] = "lower(c.channel)",
    [REFUNDS__V1__REPORT_DIMENSION__REPORT_DIMENSION_POLICY_VERSION] =
        "coalesce(c.policy_version::text, 'none')",
    [REFUNDS__V1__REPORT_DIMENSION__REPORT_DIMENSION_TIER] = "coalesce(lower(c.tier), 'none')",
};
#define N_KEYS (sizeof keys / sizeof keys[0])

/* The cases of the range, as the figures and the amounts read them. */
#define RANGE " FROM cases c WHERE c.created_at >= $1 AND c.created_at < $2"

/*
 * Each group's cases by outcome (of the denials, those whose customer took an
 * alternative: AcceptAlternative's accepted_alternatives), the time from the
 * first contact to the decision (withdrawn cases have none), the breaches and
 * the approvals overdue now. An accepted alternative and an overdue approval
 * are hashed subplans over small tables or partial indexes, not a lookup per
 * case.
 */
#define FIGURES_FMT                                                                                \
    "SELECT k1, k2, grouping(k1, k2), count(*),"                                                   \
    " count(*) FILTER (WHERE outcome = 'APPROVED_FULL'),"                                          \
    " count(*) FILTER (WHERE outcome = 'APPROVED_PARTIAL'),"                                       \
    " count(*) FILTER (WHERE outcome = 'DENIED'),"                                                 \
    " count(*) FILTER (WHERE outcome = 'ALTERNATIVE_OFFERED'),"                                    \
    " count(*) FILTER (WHERE accepted), count(*) FILTER (WHERE outcome = 'WITHDRAWN'),"            \
    " count(*) FILTER (WHERE outcome IS NULL),"                                                    \
    " percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY to_decision),"                       \
    " count(*) FILTER (WHERE sla_breached), count(*) FILTER (WHERE overdue)"                       \
    " FROM (SELECT %s AS k1, %s AS k2, c.outcome, c.sla_breached,"                                 \
    " CASE WHEN c.outcome <> 'WITHDRAWN'"                                                          \
    " THEN floor(extract(epoch FROM c.decided_at - c.created_at))::bigint END AS to_decision,"     \
    " c.outcome IN ('DENIED', 'ALTERNATIVE_OFFERED')"                                              \
    " AND c.id IN (SELECT case_id FROM accepted_alternatives) AS accepted,"                        \
    " c.state = 'PENDING_APPROVAL' AND c.id IN (SELECT case_id FROM approvals"                     \
    " WHERE state = 'PENDING' AND due_at < $3) AS overdue" RANGE ") b"                             \
    " GROUP BY GROUPING SETS ((k1, k2), ()) ORDER BY grouping(k1, k2), k1, k2"

/* Requested, approved and refunded per group and currency (the totals per currency: run()). */
#define AMOUNTS_FMT                                                                                \
    "SELECT k1, k2, currency, count(*), sum(requested_minor),"                                     \
    " coalesce(sum(approved_minor), 0), coalesce(sum(refunded_minor), 0)"                          \
    " FROM (SELECT %s AS k1, %s AS k2, c.currency, c.requested_minor, c.approved_minor,"           \
    " c.refunded_minor" RANGE ") b"                                                                \
    " GROUP BY k1, k2, currency ORDER BY k1, k2, currency"

/*
 * The refunds issued for the group's cases: those with a reconciliation
 * finding of any kind, and the time from the decision to each confirmed
 * receipt (refunds.received_at).
 */
#define MONEY_FMT                                                                                  \
    "SELECT k1, k2, grouping(k1, k2), count(*), count(*) FILTER (WHERE finding), count(to_money)," \
    " percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY to_money)"                           \
    " FROM (SELECT %s AS k1, %s AS k2,"                                                            \
    " r.id IN (SELECT refund_id FROM findings WHERE refund_id IS NOT NULL) AS finding,"            \
    " floor(extract(epoch FROM r.received_at - c.decided_at))::bigint AS to_money"                 \
    " FROM refunds r JOIN cases c ON c.id = r.case_id"                                             \
    " WHERE c.created_at >= $1 AND c.created_at < $2) b"                                           \
    " GROUP BY GROUPING SETS ((k1, k2), ()) ORDER BY grouping(k1, k2), k1, k2"

/*
 * The answers to the satisfaction question on the group's cases, per score
 * (at most eleven rows per group), whenever they were given (the totals: run()).
 */
#define NPS_FMT                                                                                    \
    "SELECT k1, k2, score, count(*)"                                                               \
    " FROM (SELECT %s AS k1, %s AS k2, f.score"                                                    \
    " FROM follow_ups f JOIN cases c ON c.id = f.case_id"                                          \
    " WHERE f.score IS NOT NULL AND c.created_at >= $1 AND c.created_at < $2) b"                   \
    " GROUP BY k1, k2, score ORDER BY k1, k2, score"

enum part { FIGURES, AMOUNTS, MONEY, NPS, PARTS };

static const char *const part_names[PARTS] = {"figures", "amounts", "money", "nps"};

/* Part p's statement with the keys k1 and k2 into buf; what snprintf returns. */
static int format(char *buf, size_t size, enum part p, const char *k1, const char *k2)
{
    switch (p) {
    case FIGURES:
        return snprintf(buf, size, FIGURES_FMT, k1, k2);
    case AMOUNTS:
        return snprintf(buf, size, AMOUNTS_FMT, k1, k2);
    case NPS:
        return snprintf(buf, size, NPS_FMT, k1, k2);
    default:
        return snprintf(buf, size, MONEY_FMT, k1, k2);
    }
}

/* Columns of each part's result, after k1, k2 (and the currency of the amounts), grouping. */
enum {
    F_K1,
    F_K2,
    F_G,
    F_CASES,
    F_FULL,
    F_PARTIAL,
    F_DENIED,
    F_OFFERED,
    F_ACCEPTED,
    F_WITHDRAWN,
    F_UNDECIDED,
    F_DECISION_P,
    F_BREACHES,
    F_OVERDUE
};
enum { A_K1, A_K2, A_CURRENCY, A_CASES, A_REQUESTED, A_APPROVED, A_REFUNDED };
enum { M_K1, M_K2, M_G, M_REFUNDS, M_FINDING, M_CONFIRMED, M_P };
enum { N_K1, N_K2, N_SCORE, N_COUNT };
/* The column of grouping(k1, k2) in each part's result; -1: groups' rows only. */
static const int grouping_col[PARTS] = {F_G, -1, M_G, -1};

static char sql[PARTS][N_KEYS][N_KEYS][2048];
static char names[PARTS][N_KEYS][N_KEYS][32];
static struct rf_stmt stmts[PARTS][N_KEYS][N_KEYS];
static char whole[N_KEYS][N_KEYS][PARTS * 2048 + 8];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const struct rf_stmt read_only = {
    "policy_report_snapshot", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"};
/*
 * For this transaction only: JIT compiling the plan of a million-row
 * aggregate costs seconds and saves less, and the percentiles sort in memory.
 */
static const struct rf_stmt settings = {
    "policy_report_settings",
    "SELECT set_config('jit', 'off', true), set_config('work_mem', $1 || 'MB', true)"};

static void build(void)
{
    for (size_t a = 1; a < N_KEYS; a++) {
        for (size_t b = 0; b < N_KEYS; b++) {
            size_t len = 0;

            for (int p = 0; p < PARTS; p++) {
                int n = format(sql[p][a][b], sizeof sql[p][a][b], (enum part)p, keys[a], keys[b]);

                if (n < 0 || (size_t)n >= sizeof sql[p][a][b])
                    abort(); /* a programming error: the buffer is too small */
                snprintf(names[p][a][b], sizeof names[p][a][b], "policy_report_%s_%zu_%zu",
                         part_names[p], a, b);
                stmts[p][a][b] = (struct rf_stmt){names[p][a][b], sql[p][a][b]};
                len += (size_t)snprintf(whole[a][b] + len, sizeof whole[a][b] - len, "%s;\n",
                                        sql[p][a][b]);
            }
        }
    }
}

/* The pair of key indexes of dims; aborts on what the handler should have refused. */
static void pair(const int *dims, size_t n_dims, size_t *a, size_t *b)
{
    int x = n_dims > 0 ? dims[0] : 0, y = n_dims > 1 ? dims[1] : 0;

    if (n_dims < 1 || n_dims > RF_REPORT_DIMS_MAX || x < 1 || (size_t)x >= N_KEYS || y < 0 ||
        (size_t)y >= N_KEYS || x == y)
        abort();
    pthread_once(&once, build);
    *a = (size_t)x;
    *b = (size_t)y;
}

const char *rf_report_store_sql(const int *dims, size_t n_dims)
{
    size_t a, b;

    pair(dims, n_dims, &a, &b);
    return whole[a][b];
}

static int64_t num(const PGresult *res, int row, int col)
{
    return rf_db_int(res, row, col);
}

/* The element i (1-based) of an int8[] text ("{7200,36000}"); 0 when NULL or absent. */
static int64_t element(const PGresult *res, int row, int col, int i)
{
    const char *s = rf_db_text(res, row, col);

    if (s == NULL || *s != '{')
        return 0;
    for (s++; --i > 0 && *s != '\0'; s++)
        s += strcspn(s, ",}");
    return strncmp(s, "NULL", 4) == 0 ? 0 : strtoll(s, NULL, 10);
}

static Refunds__V1__PolicyReportRow *new_row(struct rf_ctx *ctx, const PGresult *res, int row,
                                             size_t n_dims, bool total)
{
    Refunds__V1__PolicyReportRow *r =
        rf_pb_new(ctx->arena, &refunds__v1__policy_report_row__descriptor);

    r->keys = rf_arena_calloc(ctx->arena, n_dims + 1, sizeof *r->keys);
    for (size_t i = 0; !total && i < n_dims; i++)
        r->keys[r->n_keys++] = rf_arena_strdup(ctx->arena, rf_db_text(res, row, (int)i));
    return r;
}

static void figures(const PGresult *res, int row, Refunds__V1__PolicyReportRow *r)
{
    int64_t approved, decided;

    r->cases = num(res, row, F_CASES);
    r->approved_full = num(res, row, F_FULL);
    r->approved_partial = num(res, row, F_PARTIAL);
    r->denied = num(res, row, F_DENIED);
    r->alternative_offered = num(res, row, F_OFFERED);
    r->alternative_accepted = num(res, row, F_ACCEPTED);
    r->withdrawn = num(res, row, F_WITHDRAWN);
    r->undecided = num(res, row, F_UNDECIDED);
    approved = r->approved_full + r->approved_partial;
    decided = approved + r->denied + r->alternative_offered;
    r->approval_rate = decided > 0 ? (double)approved / (double)decided : 0.0;
    r->decision_p50_seconds = element(res, row, F_DECISION_P, 1);
    r->decision_p90_seconds = element(res, row, F_DECISION_P, 2);
    r->sla_breaches = num(res, row, F_BREACHES);
    r->overdue_pending = num(res, row, F_OVERDUE);
}

/*
 * The row of out with keys k1 (and k2), or the total when the grouping column
 * g_col (if any: -1 is none) is not 0; NULL when none.
 */
static Refunds__V1__PolicyReportRow *find_row(Refunds__V1__PolicyReport *out, const PGresult *res,
                                              int row, int g_col, size_t n_dims)
{
    if (g_col >= 0 && num(res, row, g_col) != 0)
        return out->total;
    for (size_t i = 0; i < out->n_rows; i++) {
        Refunds__V1__PolicyReportRow *r = out->rows[i];
        bool same = true;

        for (size_t k = 0; k < n_dims && same; k++)
            same = strcmp(r->keys[k], rf_db_text(res, row, (int)k)) == 0;
        if (same)
            return r;
    }
    return NULL;
}

static Refunds__V1__ReportAmounts *amounts(struct rf_ctx *ctx, const PGresult *res, int row)
{
    Refunds__V1__ReportAmounts *m = rf_pb_new(ctx->arena, &refunds__v1__report_amounts__descriptor);

    m->currency = rf_arena_strdup(ctx->arena, rf_db_text(res, row, A_CURRENCY));
    m->cases = num(res, row, A_CASES);
    m->requested_minor = num(res, row, A_REQUESTED);
    m->approved_minor = num(res, row, A_APPROVED);
    m->refunded_minor = num(res, row, A_REFUNDED);
    return m;
}

/* Adds a group's amounts m to the total's in its currency (room for rows entries). */
static void amounts_add_total(struct rf_ctx *ctx, Refunds__V1__PolicyReportRow *total,
                              const Refunds__V1__ReportAmounts *m, int rows)
{
    Refunds__V1__ReportAmounts *t = NULL;

    for (size_t i = 0; i < total->n_amounts && t == NULL; i++) {
        if (strcmp(total->amounts[i]->currency, m->currency) == 0)
            t = total->amounts[i];
    }
    if (t == NULL) {
        if (total->amounts == NULL)
            total->amounts = rf_arena_calloc(ctx->arena, (size_t)rows, sizeof *total->amounts);
        t = rf_pb_new(ctx->arena, &refunds__v1__report_amounts__descriptor);
        t->currency = m->currency;
        total->amounts[total->n_amounts++] = t;
    }
    t->cases += m->cases;
    t->requested_minor += m->requested_minor;
    t->approved_minor += m->approved_minor;
    t->refunded_minor += m->refunded_minor;
}

static int by_currency(const void *a, const void *b)
{
    const Refunds__V1__ReportAmounts *x = *(Refunds__V1__ReportAmounts *const *)a,
                                     *y = *(Refunds__V1__ReportAmounts *const *)b;

    return strcmp(x->currency, y->currency);
}

static void money(const PGresult *res, int row, Refunds__V1__PolicyReportRow *r)
{
    r->refunds = num(res, row, M_REFUNDS);
    r->refunds_with_finding = num(res, row, M_FINDING);
    r->finding_share = r->refunds > 0 ? (double)r->refunds_with_finding / (double)r->refunds : 0.0;
    r->money_confirmed = num(res, row, M_CONFIRMED);
    r->money_p50_seconds = element(res, row, M_P, 1);
    r->money_p90_seconds = element(res, row, M_P, 2);
}

/* Adds count answers of score to r's satisfaction figures. */
static void nps_add(Refunds__V1__PolicyReportRow *r, int score, int64_t count)
{
    struct rf_nps n = {r->nps_promoters, r->nps_passives, r->nps_detractors};

    rf_nps_add(&n, score, count);
    r->nps_promoters = n.promoters;
    r->nps_passives = n.passives;
    r->nps_detractors = n.detractors;
    r->nps_answers = rf_nps_answers(&n);
    r->has_nps = rf_nps_score(&n, &r->nps);
}

/* Runs part p of the report into out. */
static enum rf_code run(struct rf_ctx *ctx, enum part p, size_t a, size_t b, size_t n_dims,
                        int64_t from_us, int64_t to_us, Refunds__V1__PolicyReport *out)
{
    struct rf_params params;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&params);
    rf_param_time(&params, ctx->arena, from_us);
    rf_param_time(&params, ctx->arena, to_us);
    if (p == FIGURES)
        rf_param_time(&params, ctx->arena, ctx->now_us);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &stmts[p][a][b], &params, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    if (p == FIGURES)
        out->rows = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof *out->rows);
    else if (out->total == NULL) /* not reached: the figures' empty grouping set gives a row */
        out->total = rf_pb_new(ctx->arena, &refunds__v1__policy_report_row__descriptor);
    for (int i = 0; i < rows; i++) {
        Refunds__V1__PolicyReportRow *r;

        if (p == FIGURES) {
            bool total = num(res, i, F_G) != 0;

            r = new_row(ctx, res, i, n_dims, total);
            figures(res, i, r);
            if (total)
                out->total = r;
            else
                out->rows[out->n_rows++] = r;
        } else if ((r = find_row(out, res, i, grouping_col[p], n_dims)) == NULL) {
            /* Not reached: every case the amounts or refunds count is a case of a group. */
        } else if (p == AMOUNTS) {
            /* Room for as many currencies as the result has rows: a few hundred at most. */
            if (r->amounts == NULL)
                r->amounts = rf_arena_calloc(ctx->arena, (size_t)rows, sizeof *r->amounts);
            r->amounts[r->n_amounts] = amounts(ctx, res, i);
            amounts_add_total(ctx, out->total, r->amounts[r->n_amounts++], rows);
        } else if (p == NPS) {
            nps_add(r, (int)num(res, i, N_SCORE), num(res, i, N_COUNT));
            nps_add(out->total, (int)num(res, i, N_SCORE), num(res, i, N_COUNT));
        } else {
            money(res, i, r);
        }
    }
    if (p == AMOUNTS && out->total->n_amounts > 1) /* in currency order, as each group's */
        qsort(out->total->amounts, out->total->n_amounts, sizeof *out->total->amounts,
              by_currency);
    return RF_OK;
}

enum rf_code rf_report_store_policy(struct rf_ctx *ctx, int64_t from_us, int64_t to_us,
                                    const int *dims, size_t n_dims, int work_mem_mb,
                                    Refunds__V1__PolicyReport *out)
{
    struct rf_params p;
    size_t a, b;
    enum rf_code code;

    pair(dims, n_dims, &a, &b);
    rf_params_init(&p);
    rf_param_int(&p, ctx->arena, work_mem_mb);
    code = rf_db_begin(ctx->db, &ctx->err);
    if (code == RF_OK)
        code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &read_only, NULL, NULL);
    if (code == RF_OK)
        code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &settings, &p, NULL);
    for (int part = 0; part < PARTS && code == RF_OK; part++)
        code = run(ctx, (enum part)part, a, b, n_dims, from_us, to_us, out);
    if (code == RF_OK)
        code = rf_db_commit(ctx->db, &ctx->err);
    else
        rf_db_rollback(ctx->db);
    if (code != RF_OK)
        return code;
    if (out->total == NULL) /* not reached: the empty grouping set always gives a row */
        out->total = rf_pb_new(ctx->arena, &refunds__v1__policy_report_row__descriptor);
    out->compute_time = rf_pb_timestamp(ctx->arena, ctx->now_us);
    return RF_OK;
}

/* The two static statements, then each part's for every pair pair() accepts, NULL-terminated. */
static const struct rf_stmt *all_stmts[2 + PARTS * N_KEYS * N_KEYS + 1];
static pthread_once_t all_once = PTHREAD_ONCE_INIT;

static void list_all_stmts(void)
{
    size_t n = 0;

    pthread_once(&once, build);
    all_stmts[n++] = &read_only;
    all_stmts[n++] = &settings;
    for (size_t a = 1; a < N_KEYS; a++) {
        for (size_t b = 0; b < N_KEYS; b++) {
            if (b == a)
                continue; /* built, never run: pair() refuses a dimension twice */
            for (int p = 0; p < PARTS; p++)
                all_stmts[n++] = &stmts[p][a][b];
        }
    }
    all_stmts[n] = NULL;
}

const struct rf_stmt *const *rf_report_store_statements(void)
{
    pthread_once(&all_once, list_all_stmts);
    return all_stmts;
}
