/*
 * SQL of the audit chain's verification and checkpoints (see
 * audit_verify_store.h). A case comes back with its events as one row per
 * event (LEFT JOIN: a case without events is one row of NULLs), a checkpoint
 * with its heads as one row per head, each head joined to its case and to the
 * stored event of its seq: one round trip per page, read in the order the
 * hashes need (events by seq, heads by case id).
 */
#include <string.h>

#include "audit_verify_store.h"
#include "refunds/encode.h"

/* Arbitrary, fixed key of the advisory lock held while taking a checkpoint. */
#define CHECKPOINT_LOCK_KEY "7402511737"

#define CASE_COLUMNS                                                                               \
    "c.id, c.updated_at, c.audit_seq, c.audit_head, e.seq, e.occurred_at, e.actor,"                \
    " e.actor_role, e.method, e.old_state, e.new_state, e.request_id, e.prev_hash, e.hash"

enum case_col {
    C_ID,
    C_UPDATED,
    C_HEAD_SEQ,
    C_HEAD,
    E_SEQ,
    E_OCCURRED,
    E_ACTOR,
    E_ROLE,
    E_METHOD,
    E_OLD,
    E_NEW,
    E_REQUEST,
    E_PREV,
    E_HASH,
};

static const struct rf_stmt load_case = {
    "audit_case_load",
    "SELECT " CASE_COLUMNS " FROM cases c"
    " LEFT JOIN audit_events e ON e.case_id = c.id WHERE c.id = $1 ORDER BY e.seq"};

static const struct rf_stmt cases_page = {
    "audit_cases_page",
    "WITH c AS (SELECT id, updated_at, audit_seq, audit_head FROM cases"
    " WHERE updated_at >= $1::timestamptz AND created_at < $2::timestamptz"
    " AND (updated_at, id) > ($3::timestamptz, $4::uuid) ORDER BY updated_at, id LIMIT $5)"
    " SELECT " CASE_COLUMNS " FROM c LEFT JOIN audit_events e ON e.case_id = c.id"
    " ORDER BY c.updated_at, c.id, e.seq"};

#define CHECKPOINT_COLUMNS                                                                         \
    "k.id, k.taken_at, k.n_heads, k.prev_hash, k.heads_hash, k.hash, k.signature, p.hash,"         \
    " h.case_id, h.seq, h.head, c.id IS NOT NULL, e.hash"
#define CHECKPOINT_JOINS                                                                           \
    " LEFT JOIN audit_checkpoints p ON p.id = k.id - 1"                                            \
    " LEFT JOIN audit_checkpoint_heads h ON h.checkpoint_id = k.id"                                \
    " LEFT JOIN cases c ON c.id = h.case_id"                                                       \
    " LEFT JOIN audit_events e ON e.case_id = h.case_id AND e.seq = h.seq"

enum checkpoint_col {
    K_ID,
    K_TAKEN,
    K_N_HEADS,
    K_PREV,
    K_HEADS_HASH,
    K_HASH,
    K_SIGNATURE,
    K_PRED_HASH,
    H_CASE,
    H_SEQ,
    H_HEAD,
    H_CASE_EXISTS,
    H_EVENT_HASH,
    K_RANGE_LAST, /* checkpoints_page only */
};

static const struct rf_stmt checkpoints_of_case = {
    "audit_checkpoints_of_case",
    "SELECT " CHECKPOINT_COLUMNS " FROM audit_checkpoints k" CHECKPOINT_JOINS
    " WHERE k.id IN (SELECT checkpoint_id FROM audit_checkpoint_heads WHERE case_id = $1)"
    " ORDER BY k.id, h.case_id"};

/*
 * The range's checkpoints are those from the first taken at or after its start
 * to the first taken at or after its end (else the newest). The running sum of
 * heads stops the page once max_heads are read; the window streams under the
 * LIMIT, so a page reads no more of the range than it returns.
 */
static const struct rf_stmt checkpoints_page = {
    "audit_checkpoints_page",
    "WITH b AS (SELECT (SELECT id FROM audit_checkpoints WHERE taken_at >= $1::timestamptz"
    " ORDER BY taken_at, id LIMIT 1) AS lo,"
    " coalesce((SELECT id FROM audit_checkpoints WHERE taken_at >= $2::timestamptz"
    " ORDER BY taken_at, id LIMIT 1), (SELECT max(id) FROM audit_checkpoints)) AS hi),"
    " s AS (SELECT k.id, sum(k.n_heads) OVER (ORDER BY k.id) - k.n_heads AS before"
    " FROM audit_checkpoints k, b WHERE k.id > $3 AND k.id >= b.lo AND k.id <= b.hi"
    " ORDER BY k.id LIMIT $4)"
    " SELECT " CHECKPOINT_COLUMNS ", b.hi FROM s JOIN audit_checkpoints k ON k.id = s.id"
    " CROSS JOIN b" CHECKPOINT_JOINS " WHERE s.before < $5::bigint ORDER BY k.id, h.case_id"};

static const struct rf_stmt latest = {
    "audit_checkpoint_latest", "SELECT id, hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1"};

static const struct rf_stmt take_lock = {
    "audit_checkpoint_lock", "SELECT pg_try_advisory_xact_lock(" CHECKPOINT_LOCK_KEY ")"};

/*
 * The cases whose chain moved past their mark, as the snapshot has them: no
 * lock, so a call changing a case never waits for a checkpoint (migration
 * 0011). A merge of the two primary keys in id order, stopping at $1 moved.
 */
static const struct rf_stmt moved_cases = {
    "audit_checkpoint_moved", "SELECT c.id, c.audit_seq, c.audit_head FROM cases c LEFT JOIN "
                              "audit_marks m ON m.case_id = c.id"
                              " WHERE c.audit_seq <> coalesce(m.seq, 0) ORDER BY c.id LIMIT $1"};

/*
 * The checkpoint, its heads and the cases' marks in one statement. A case
 * that moved on since it was read keeps audit_seq above its mark, so the next
 * checkpoint records it again; a mark never goes back.
 */
static const struct rf_stmt insert_checkpoint = {
    "audit_checkpoint_insert",
    "WITH k AS (INSERT INTO audit_checkpoints (id, taken_at, n_heads, prev_hash, heads_hash,"
    " hash, signature) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id),"
    " h AS (INSERT INTO audit_checkpoint_heads (checkpoint_id, case_id, seq, head)"
    " SELECT k.id, t.c, t.s, decode(t.h, 'hex') FROM k,"
    " unnest($8::uuid[], $9::integer[], $10::text[]) AS t(c, s, h) RETURNING case_id, seq)"
    " INSERT INTO audit_marks (case_id, seq) SELECT case_id, seq FROM h"
    " ON CONFLICT (case_id) DO UPDATE SET seq = EXCLUDED.seq WHERE audit_marks.seq < EXCLUDED.seq"};

enum rf_code rf_audit_verify_begin(struct rf_ctx *ctx)
{
    enum rf_code code = rf_ctx_begin(ctx);

    if (code == RF_OK)
        code = rf_db_exec_script(ctx->db, &ctx->err,
                                 "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    return code;
}

/* A bytea column of 32 bytes; zeros when it is NULL or not that (which then fails to verify). */
static void hash_of(const PGresult *res, int row, int col, uint8_t out[RF_SHA256_LEN])
{
    if (!rf_db_bytea(res, row, col, out, RF_SHA256_LEN))
        memset(out, 0, RF_SHA256_LEN);
}

static const char *text_of(const PGresult *res, int row, int col)
{
    const char *s = rf_db_text(res, row, col);

    return s != NULL ? s : "";
}

/* Groups res's rows (ordered by case, then seq) into cases with their events. */
static void cases_from(struct rf_ctx *ctx, const PGresult *res, struct rf_audit_case **out,
                       size_t *n)
{
    int rows = PQntuples(res);
    size_t count = 0;
    struct rf_audit_case *cases;

    for (int r = 0; r < rows; r++) {
        if (r == 0 || strcmp(rf_db_text(res, r, C_ID), rf_db_text(res, r - 1, C_ID)) != 0)
            count++;
    }
    cases = rf_arena_calloc(ctx->arena, count + 1, sizeof *cases);
    *out = cases;
    *n = count;
    for (int r = 0, k = -1; r < rows; r++) {
        struct rf_audit_case *c;
        struct rf_audit_row *row;

        if (r == 0 || strcmp(rf_db_text(res, r, C_ID), rf_db_text(res, r - 1, C_ID)) != 0) {
            int end = r;

            c = &cases[++k];
            c->case_id = rf_db_text(res, r, C_ID);
            c->updated_us = rf_db_time(res, r, C_UPDATED);
            c->head_seq = (int)rf_db_int(res, r, C_HEAD_SEQ);
            hash_of(res, r, C_HEAD, c->head);
            while (end < rows && strcmp(rf_db_text(res, end, C_ID), c->case_id) == 0)
                end++;
            c->rows = rf_arena_calloc(ctx->arena, (size_t)(end - r) + 1, sizeof *c->rows);
        }
        c = &cases[k];
        if (rf_db_is_null(res, r, E_SEQ))
            continue;
        row = &c->rows[c->n_rows++];
        row->ev.case_id = c->case_id;
        row->ev.seq = (int)rf_db_int(res, r, E_SEQ);
        row->ev.occurred_us = rf_db_time(res, r, E_OCCURRED);
        row->ev.actor = text_of(res, r, E_ACTOR);
        row->ev.actor_role = text_of(res, r, E_ROLE);
        row->ev.method = text_of(res, r, E_METHOD);
        row->ev.old_state = text_of(res, r, E_OLD);
        row->ev.new_state = text_of(res, r, E_NEW);
        row->ev.request_id = text_of(res, r, E_REQUEST);
        hash_of(res, r, E_PREV, row->prev_hash);
        hash_of(res, r, E_HASH, row->hash);
    }
}

enum rf_code rf_audit_case_load(struct rf_ctx *ctx, const char *case_id, struct rf_audit_case **out)
{
    struct rf_audit_case *cases;
    struct rf_params p;
    PGresult *res;
    size_t n;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &load_case, &p, &res);
    if (code != RF_OK)
        return code;
    cases_from(ctx, res, &cases, &n);
    *out = n > 0 ? &cases[0] : NULL;
    return RF_OK;
}

/* The range's start, or -infinity. */
static void param_start(struct rf_params *p, struct rf_arena *a, const struct rf_audit_range *r)
{
    if (r->has_start)
        rf_param_time(p, a, r->start_us);
    else
        rf_param_text(p, "-infinity");
}

/* The range's end, or infinity. */
static void param_end(struct rf_params *p, struct rf_arena *a, const struct rf_audit_range *r)
{
    if (r->has_end)
        rf_param_time(p, a, r->end_us);
    else
        rf_param_text(p, "infinity");
}

enum rf_code rf_audit_cases_page(struct rf_ctx *ctx, const struct rf_audit_range *range,
                                 int64_t after_us, const char *after_id, int limit,
                                 struct rf_audit_case **cases, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    param_start(&p, ctx->arena, range);
    param_end(&p, ctx->arena, range);
    rf_param_keyset_after(&p, ctx->arena, after_us, after_id);
    rf_param_int(&p, ctx->arena, limit);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &cases_page, &p, &res);
    if (code == RF_OK)
        cases_from(ctx, res, cases, n);
    return code;
}

/* Groups res's rows (ordered by checkpoint, then case) into checkpoints with their heads. */
static void checkpoints_from(struct rf_ctx *ctx, const PGresult *res,
                             struct rf_audit_stored_checkpoint **out, size_t *n)
{
    int rows = PQntuples(res);
    size_t count = 0;
    struct rf_audit_stored_checkpoint *cks;

    for (int r = 0; r < rows; r++) {
        if (r == 0 || rf_db_int(res, r, K_ID) != rf_db_int(res, r - 1, K_ID))
            count++;
    }
    cks = rf_arena_calloc(ctx->arena, count + 1, sizeof *cks);
    *out = cks;
    *n = count;
    for (int r = 0, k = -1; r < rows; r++) {
        struct rf_audit_stored_checkpoint *s;
        struct rf_audit_head *h;
        struct rf_audit_head_state *st;

        if (r == 0 || rf_db_int(res, r, K_ID) != rf_db_int(res, r - 1, K_ID)) {
            int end = r;

            s = &cks[++k];
            s->ck.id = rf_db_int(res, r, K_ID);
            s->ck.taken_us = rf_db_time(res, r, K_TAKEN);
            s->ck.n_heads = rf_db_int(res, r, K_N_HEADS);
            hash_of(res, r, K_PREV, s->ck.prev_hash);
            hash_of(res, r, K_HEADS_HASH, s->ck.heads_hash);
            hash_of(res, r, K_HASH, s->ck.hash);
            hash_of(res, r, K_SIGNATURE, s->ck.signature);
            s->has_pred = !rf_db_is_null(res, r, K_PRED_HASH);
            hash_of(res, r, K_PRED_HASH, s->pred_hash);
            while (end < rows && rf_db_int(res, end, K_ID) == s->ck.id)
                end++;
            s->heads = rf_arena_calloc(ctx->arena, (size_t)(end - r) + 1, sizeof *s->heads);
            s->states = rf_arena_calloc(ctx->arena, (size_t)(end - r) + 1, sizeof *s->states);
        }
        s = &cks[k];
        if (rf_db_is_null(res, r, H_CASE))
            continue;
        h = &s->heads[s->n_heads];
        st = &s->states[s->n_heads++];
        h->case_id = rf_db_text(res, r, H_CASE);
        h->seq = (int)rf_db_int(res, r, H_SEQ);
        hash_of(res, r, H_HEAD, h->hash);
        st->case_exists = strcmp(text_of(res, r, H_CASE_EXISTS), "t") == 0;
        st->event_exists = !rf_db_is_null(res, r, H_EVENT_HASH);
        hash_of(res, r, H_EVENT_HASH, st->event_hash);
    }
}

enum rf_code rf_audit_checkpoints_of_case(struct rf_ctx *ctx, const char *case_id,
                                          struct rf_audit_stored_checkpoint **out, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_text(&p, case_id);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &checkpoints_of_case, &p, &res);
    if (code == RF_OK)
        checkpoints_from(ctx, res, out, n);
    return code;
}

enum rf_code rf_audit_checkpoints_page(struct rf_ctx *ctx, const struct rf_audit_range *range,
                                       long long after_id, int limit, long long max_heads,
                                       struct rf_audit_stored_checkpoint **out, size_t *n,
                                       bool *more)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&p);
    param_start(&p, ctx->arena, range);
    param_end(&p, ctx->arena, range);
    rf_param_int(&p, ctx->arena, after_id);
    rf_param_int(&p, ctx->arena, limit);
    rf_param_int(&p, ctx->arena, max_heads);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &checkpoints_page, &p, &res);
    if (code != RF_OK)
        return code;
    checkpoints_from(ctx, res, out, n);
    rows = PQntuples(res);
    *more = rows > 0 && rf_db_int(res, rows - 1, K_ID) < rf_db_int(res, rows - 1, K_RANGE_LAST);
    return RF_OK;
}

enum rf_code rf_audit_checkpoint_latest(struct rf_ctx *ctx, long long *id,
                                        uint8_t hash[RF_SHA256_LEN])
{
    PGresult *res;
    enum rf_code code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &latest, NULL, &res);

    *id = 0;
    memset(hash, 0, RF_SHA256_LEN);
    if (code == RF_OK && PQntuples(res) == 1) {
        *id = rf_db_int(res, 0, 0);
        hash_of(res, 0, 1, hash);
    }
    return code;
}

enum rf_code rf_audit_checkpoint_take(struct rf_ctx *ctx, const uint8_t key[RF_KEY_LEN],
                                      int max_heads, struct rf_audit_checkpoint *out, bool *taken)
{
    struct rf_array ids, seqs, hashes;
    struct rf_audit_head *heads;
    struct rf_params p;
    PGresult *res;
    long long prev_id;
    int rows;
    enum rf_code code;

    *taken = false;
    memset(out, 0, sizeof *out);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &take_lock, NULL, &res);
    if (code != RF_OK || strcmp(text_of(res, 0, 0), "t") != 0)
        return code;
    code = rf_audit_checkpoint_latest(ctx, &prev_id, out->prev_hash);
    if (code != RF_OK)
        return code;
    rf_params_init(&p);
    rf_param_int(&p, ctx->arena, max_heads);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &moved_cases, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    if (rows == 0)
        return RF_OK;
    heads = rf_arena_calloc(ctx->arena, (size_t)rows, sizeof *heads);
    rf_array_init(&ids, ctx->arena);
    rf_array_init(&seqs, ctx->arena);
    rf_array_init(&hashes, ctx->arena);
    for (int r = 0; r < rows; r++) {
        char hex[2 * RF_SHA256_LEN + 1];

        heads[r].case_id = rf_db_text(res, r, 0);
        heads[r].seq = (int)rf_db_int(res, r, 1);
        hash_of(res, r, 2, heads[r].hash);
        rf_hex_encode(heads[r].hash, RF_SHA256_LEN, hex);
        rf_array_text(&ids, heads[r].case_id);
        rf_array_int(&seqs, heads[r].seq);
        rf_array_text(&hashes, hex);
    }
    out->id = prev_id + 1;
    out->taken_us = ctx->now_us;
    rf_audit_checkpoint_seal(key, out, heads, (size_t)rows);
    rf_params_init(&p);
    rf_param_int(&p, ctx->arena, out->id);
    rf_param_time(&p, ctx->arena, out->taken_us);
    rf_param_int(&p, ctx->arena, out->n_heads);
    rf_param_bytea(&p, out->prev_hash, RF_SHA256_LEN);
    rf_param_bytea(&p, out->heads_hash, RF_SHA256_LEN);
    rf_param_bytea(&p, out->hash, RF_SHA256_LEN);
    rf_param_bytea(&p, out->signature, RF_SHA256_LEN);
    rf_param_text(&p, rf_array_done(&ids));
    rf_param_text(&p, rf_array_done(&seqs));
    rf_param_text(&p, rf_array_done(&hashes));
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &insert_checkpoint, &p, NULL);
    *taken = code == RF_OK;
    return code;
}

const struct rf_stmt *const *rf_audit_verify_statements(void)
{
    static const struct rf_stmt *const all[] = {
        &load_case, &cases_page, &checkpoints_of_case, &checkpoints_page,
        &latest,    &take_lock,  &moved_cases,         &insert_checkpoint,
        NULL};

    return all;
}
