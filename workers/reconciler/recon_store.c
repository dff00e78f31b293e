/*
 * SQL of the reconciler (see recon_store.h). A batch's writes take whole
 * arrays (unnest), sent in PostgreSQL's binary form (recon_array.h), so that
 * a batch costs a handful of statements whatever its size and no element is
 * formatted or parsed as text; statuses and kinds are stored by their stable
 * names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "recon_array.h"
#include "recon_store.h"
#include "refund_store.h"
#include "refunds/crypto.h"

static const struct rf_stmt start_run = {
    "recon_start_run",
    "INSERT INTO reconciliation_runs (id, worker, state, started_at, heartbeat_at, due_before,"
    " lag_seconds, refunds_woken) SELECT $1, $2, 'RUNNING', $3, $3, $3, coalesce(extract(epoch"
    " FROM $3 - (SELECT min(next_check_at) FROM refund_checks WHERE next_check_at <= $3))::bigint,"
    " 0), $4"};

static const struct rf_stmt finish_run = {
    "recon_finish_run", "UPDATE reconciliation_runs SET state = $3, finished_at = $2,"
                        " heartbeat_at = $2 WHERE id = $1"};

/*
 * Makes due now ($1) up to $4 refunds of provider $2 awaiting its data
 * (migration 0016), last checked before its data was loaded ($3) and not due
 * already: the first after refund $5 in id order, so that the chunks of a
 * wake read each entry of the index once. The update's conditions repeat the
 * choice's so that a row a batch held meanwhile is judged again as that batch
 * left it.
 * Returns the refunds chosen, the last one's id, and the refunds woken.
 * Both read the partial index refund_checks_awaiting, the first as a range.
 */
static const struct rf_stmt wake = {
    "recon_wake",
    "WITH c AS MATERIALIZED (SELECT refund_id FROM refund_checks WHERE awaiting = $2"
    " AND refund_id > $5 AND checked_at < $3 AND next_check_at > $1 ORDER BY refund_id LIMIT $4),"
    " u AS (UPDATE refund_checks k SET next_check_at = $1"
    " WHERE k.refund_id = ANY (ARRAY(SELECT refund_id FROM c)) AND k.awaiting = $2"
    " AND k.checked_at < $3 AND k.next_check_at > $1 RETURNING 1)"
    " SELECT (SELECT count(*) FROM c), (SELECT refund_id FROM c ORDER BY 1 DESC LIMIT 1),"
    " (SELECT count(*) FROM u)"};

/* The claim's lock: the refund_checks rows only (migration 0010 says why). */
static const struct rf_stmt lock_due = {
    "recon_lock_due", "SELECT refund_id, next_check_at, checks FROM refund_checks"
                      " WHERE next_check_at <= $1 AND next_check_at >= $3"
                      " ORDER BY next_check_at LIMIT $2 FOR UPDATE SKIP LOCKED"};

enum lock_col { L_ID, L_DUE, L_CHECKS };

/*
 * The claimed refunds, read after their lock in a statement of its own: its
 * snapshot, taken once the locks are held, has every change committed before
 * (a receipt confirmed while the claim waited, say), and no writer of a
 * refund's row can commit another while its refund_checks row is locked.
 * $1 the ids, $2 their checks so far.
 */
static const struct rf_stmt read_claimed = {
    "recon_read_claimed",
    "SELECT r.id, r.case_id, r.provider, r.provider_refund_id, r.payment_method, r.amount_minor,"
    " r.currency, r.issued_at, r.received_at IS NOT NULL, r.case_currency, r.approved_minor,"
    " " RF_REFUNDS_OUT_SQL("r.case_id", "r.case_currency") ", r.observed_status, r.reference,"
    " r.observations, CASE WHEN v.checks > 0 THEN (SELECT string_agg(f.kind, ',')"
    " FROM findings f WHERE f.provider = r.provider AND f.provider_refund_id = r.provider_refund_id"
    " AND f.state = 'OPEN') END"
    " FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS v(id, checks, ord)"
    " JOIN refunds r ON r.id = v.id ORDER BY v.ord"};

enum claim_col {
    K_ID,
    K_CASE,
    K_PROVIDER,
    K_PROVIDER_REFUND_ID,
    K_METHOD,
    K_AMOUNT,
    K_CURRENCY,
    K_ISSUED,
    K_RECEIVED,
    K_CASE_CURRENCY,
    K_APPROVED,
    K_REFUNDED,
    K_STATUS,
    K_REFERENCE,
    K_OBSERVATIONS,
    K_OPEN_KINDS,
};

/*
 * The batch's checks: $1 now, $2 the run; then one array per column, one
 * element per refund. Every refund's refund_checks row gets its next check;
 * its refund row is written only when what was observed changed (a check that
 * found nothing new writes nothing there), and then, when the provider's
 * status or the reference is new (obs), the timeline's next step is inserted
 * from the updated row.
 */
static const struct rf_stmt write_checks = {
    "recon_write_checks",
    "WITH v AS (SELECT * FROM unnest($3::uuid[], $4::text[], $5::timestamptz[],"
    " $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],"
    " $12::text[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::int[],"
    " $17::text[]) AS v(id, status, pua, succeeded, pending, failure, ref, ref_type, ref_status,"
    " card_type, wfrom, wto, next, obs, awaiting)),"
    " c AS (UPDATE refund_checks k SET next_check_at = v.next, checks = k.checks + 1,"
    " checked_at = $1, awaiting = v.awaiting FROM v WHERE k.refund_id = v.id),"
    " u AS (UPDATE refunds r SET observed_status = v.status, observed_at = $1,"
    " provider_updated_at = v.pua, succeeded_at = coalesce(r.succeeded_at, v.succeeded),"
    " pending_reason = v.pending, failure_reason = v.failure, reference = v.ref,"
    " reference_type = v.ref_type, reference_status = v.ref_status,"
    " card_refund_type = v.card_type, window_from = v.wfrom, window_to = v.wto,"
    " observations = r.observations + v.obs FROM v WHERE r.id = v.id"
    " AND (r.observed_status, r.provider_updated_at, r.succeeded_at, r.pending_reason,"
    " r.failure_reason, r.reference, r.reference_type, r.reference_status, r.card_refund_type,"
    " r.window_from, r.window_to, v.obs) IS DISTINCT FROM (v.status, v.pua,"
    " coalesce(r.succeeded_at, v.succeeded), v.pending, v.failure, v.ref, v.ref_type,"
    " v.ref_status, v.card_type, v.wfrom, v.wto, 0)"
    " RETURNING r.id, r.observations, r.observed_status, r.provider_updated_at, r.reference,"
    " v.obs)"
    " INSERT INTO provider_observations (refund_id, seq, status, first_seen_at,"
    " provider_updated_at, reference, run_id)"
    " SELECT u.id, u.observations, u.observed_status, $1, u.provider_updated_at, u.reference, $2"
    " FROM u WHERE u.obs > 0"};

/*
 * Opens the findings that hold and have no open one (nor a resolved one about
 * the same provider record), and refreshes open ones whose evidence changed;
 * the result counts what was opened, by kind. $1 now, $2 the run.
 */
static const struct rf_stmt upsert_findings = {
    "recon_upsert_findings",
    "WITH v AS (SELECT * FROM unnest($3::uuid[], $4::text[], $5::uuid[], $6::uuid[], $7::text[],"
    " $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],"
    " $15::timestamptz[]) AS v(id, kind, refund_id, case_id, provider, prid, amount, currency,"
    " ref, evidence, action, audience, pua)),"
    " ins AS (INSERT INTO findings (id, kind, state, refund_id, case_id, provider,"
    " provider_refund_id, amount_minor, currency, reference, evidence, action, audience,"
    " provider_updated_at, opened_at, updated_at, opened_run)"
    " SELECT v.id, v.kind, 'OPEN', v.refund_id, v.case_id, v.provider, v.prid, v.amount,"
    " v.currency, v.ref, v.evidence::jsonb, v.action, v.audience, v.pua, $1, $1, $2 FROM v"
    " WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.provider = v.provider"
    " AND f.provider_refund_id = v.prid AND f.kind = v.kind AND (f.state = 'OPEN'"
    " OR (f.state = 'RESOLVED' AND f.provider_updated_at IS NOT DISTINCT FROM v.pua)))"
    " ON CONFLICT (provider, provider_refund_id, kind) WHERE state = 'OPEN' DO NOTHING"
    " RETURNING kind),"
    " upd AS (UPDATE findings f SET evidence = v.evidence::jsonb, action = v.action,"
    " audience = v.audience, reference = v.ref, provider_updated_at = v.pua, updated_at = $1"
    " FROM v WHERE f.provider = v.provider AND f.provider_refund_id = v.prid"
    " AND f.kind = v.kind AND f.state = 'OPEN' AND (f.evidence <> v.evidence::jsonb"
    " OR f.action <> v.action OR f.reference <> v.ref))"
    " SELECT kind, count(*) FROM ins GROUP BY kind"};

/*
 * The findings of refunds checked for the first time, which have none yet
 * (every finding of a refund is opened by a check of it): opened, without
 * upsert_findings' look for an open or resolved one. Same parameters.
 */
static const struct rf_stmt insert_findings = {
    "recon_insert_findings",
    "WITH ins AS (INSERT INTO findings (id, kind, state, refund_id, case_id, provider,"
    " provider_refund_id, amount_minor, currency, reference, evidence, action, audience,"
    " provider_updated_at, opened_at, updated_at, opened_run)"
    " SELECT v.id, v.kind, 'OPEN', v.refund_id, v.case_id, v.provider, v.prid, v.amount,"
    " v.currency, v.ref, v.evidence::jsonb, v.action, v.audience, v.pua, $1, $1, $2"
    " FROM unnest($3::uuid[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::text[],"
    " $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],"
    " $15::timestamptz[]) AS v(id, kind, refund_id, case_id, provider, prid, amount, currency,"
    " ref, evidence, action, audience, pua)"
    " ON CONFLICT (provider, provider_refund_id, kind) WHERE state = 'OPEN' DO NOTHING"
    " RETURNING kind)"
    " SELECT kind, count(*) FROM ins GROUP BY kind"};

/* Closes findings whose cause went away, and cancels their open follow-up tasks with the reason. */
static const struct rf_stmt close_findings = {
    "recon_close_findings",
    "WITH c AS (UPDATE findings f SET state = 'CLOSED', closed_at = $1, updated_at = $1,"
    " close_reason = v.reason, closed_run = $2 FROM unnest($3::text[], $4::text[], $5::text[],"
    " $6::text[]) AS v(provider, prid, kind, reason) WHERE f.provider = v.provider"
    " AND f.provider_refund_id = v.prid AND f.kind = v.kind AND f.state = 'OPEN'"
    " RETURNING f.id, f.kind, v.reason),"
    " t AS (UPDATE follow_ups u SET state = 'CANCELLED', closed_at = $1,"
    " closed_by = 'refunds-reconciler', outcome = 'no longer needed: ' || c.reason FROM c"
    " WHERE u.finding_id = c.id AND u.state = 'OPEN')"
    " SELECT kind, count(*) FROM c GROUP BY kind"};

/*
 * A follow-up task for each open finding that needs one, once per finding: for the
 * case's agent (contact the customer first) or for finance (our own books). $1 now.
 */
static const struct rf_stmt open_follow_ups = {
    "recon_open_follow_ups",
    "INSERT INTO follow_ups (id, case_id, finding_id, kind, reason, due_at, assignee, state,"
    " created_at, created_by)"
    " SELECT v.id, f.case_id, f.id, CASE WHEN v.audience = 'FINANCE' THEN 'FINANCE_REVIEW'"
    " ELSE 'CONTACT_CUSTOMER' END, f.action, $1, CASE WHEN v.audience = 'FINANCE'"
    " OR c.id IS NULL THEN 'finance' ELSE c.assignee END, 'OPEN', $1, 'refunds-reconciler'"
    " FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])"
    " AS v(id, provider, prid, kind, audience)"
    " JOIN findings f ON f.provider = v.provider AND f.provider_refund_id = v.prid"
    " AND f.kind = v.kind AND f.state = 'OPEN' LEFT JOIN cases c ON c.id = f.case_id"
    " ON CONFLICT (finding_id) DO NOTHING"};

/* The run's counters, by kind and by currency, added to in the batch's transaction. */
static const struct rf_stmt run_progress = {
    "recon_run_progress",
    "WITH a AS (UPDATE reconciliation_runs SET refunds_checked = refunds_checked + $3,"
    " unknown = unknown + $4, batches = batches + $5, provider_scanned = provider_scanned + $6,"
    " orphans = orphans + $7, heartbeat_at = $2 WHERE id = $1),"
    " k AS (INSERT INTO run_kind_counts (run_id, kind, opened, closed)"
    " SELECT $1, v.kind, v.opened, v.closed FROM unnest($8::text[], $9::bigint[], $10::bigint[])"
    " AS v(kind, opened, closed) WHERE v.opened > 0 OR v.closed > 0"
    " ON CONFLICT (run_id, kind) DO UPDATE SET opened = run_kind_counts.opened + EXCLUDED.opened,"
    " closed = run_kind_counts.closed + EXCLUDED.closed)"
    " INSERT INTO run_currency_totals (run_id, currency, refunds, amount_minor)"
    " SELECT $1, v.currency, count(*), sum(v.amount) FROM unnest($11::text[], $12::bigint[])"
    " AS v(currency, amount) GROUP BY v.currency"
    " ON CONFLICT (run_id, currency) DO UPDATE SET refunds = run_currency_totals.refunds"
    " + EXCLUDED.refunds, amount_minor = run_currency_totals.amount_minor + EXCLUDED.amount_minor"};

static const struct rf_stmt never_issued = {
    "recon_never_issued",
    "SELECT v.id FROM unnest($2::text[]) AS v(id) WHERE NOT EXISTS"
    " (SELECT 1 FROM refunds r WHERE r.provider = $1 AND r.provider_refund_id = v.id)"};

enum rf_code rf_recon_store_start_run(struct rf_ctx *ctx, const char *run_id, const char *worker,
                                      long long woken)
{
    struct rf_params p;

    rf_params_init(&p);
    rf_param_text(&p, run_id);
    rf_param_text(&p, worker);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_int(&p, ctx->arena, woken);
    return rf_db_exec(ctx->db, ctx->arena, &ctx->err, &start_run, &p, NULL);
}

enum rf_code rf_recon_store_wake(struct rf_ctx *ctx, const char *provider, int64_t loaded_at_us,
                                 int limit, char after[RF_UUID_TEXT_LEN + 1], long long *chosen,
                                 long long *woken)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    rf_params_init(&p);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_text(&p, provider);
    rf_param_time(&p, ctx->arena, loaded_at_us);
    rf_param_int(&p, ctx->arena, limit);
    rf_param_text(&p, after);
    *chosen = *woken = 0;
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &wake, &p, &res);
    if (code != RF_OK)
        return code;
    *chosen = strtoll(rf_db_text(res, 0, 0), NULL, 10);
    *woken = strtoll(rf_db_text(res, 0, 2), NULL, 10);
    if (*chosen > 0)
        snprintf(after, RF_UUID_TEXT_LEN + 1, "%s", rf_db_text(res, 0, 1));
    return RF_OK;
}

enum rf_code rf_recon_store_finish_run(struct rf_ctx *ctx, const char *run_id, bool complete)
{
    struct rf_params p;

    rf_params_init(&p);
    rf_param_text(&p, run_id);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_text(&p, complete ? "FINISHED" : "ABANDONED");
    return rf_db_exec(ctx->db, ctx->arena, &ctx->err, &finish_run, &p, NULL);
}

static char *text(struct rf_ctx *ctx, const PGresult *res, int row, int col)
{
    const char *v = rf_db_text(res, row, col);

    return rf_arena_strdup(ctx->arena, v == NULL ? "" : v);
}

/* The bits of the comma-separated kinds ("FAILED,STUCK_PENDING"); NULL is none. */
static uint32_t open_kinds(const char *list)
{
    uint32_t bits = 0;

    while (list != NULL && *list != '\0') {
        const char *end = strchr(list, ',');
        size_t len = end != NULL ? (size_t)(end - list) : strlen(list);
        char name[64];
        enum rf_finding_kind k;

        if (len < sizeof name) {
            memcpy(name, list, len);
            name[len] = '\0';
            if (rf_finding_kind_parse(name, &k))
                bits |= RF_FINDING_BIT(k);
        }
        list = end != NULL ? end + 1 : NULL;
    }
    return bits;
}

enum rf_code rf_recon_store_lock_due(struct rf_ctx *ctx, int64_t from_us, int64_t due_before_us,
                                     int limit, struct rf_due **out, size_t *n)
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    rf_params_init(&p);
    rf_param_time(&p, ctx->arena, due_before_us);
    rf_param_int(&p, ctx->arena, limit);
    rf_param_time(&p, ctx->arena, from_us);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &lock_due, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *n = (size_t)rows;
    *out = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **out);
    for (int r = 0; r < rows; r++) {
        struct rf_due *d = &(*out)[r];

        snprintf(d->id, sizeof d->id, "%s", rf_db_text(res, r, L_ID));
        d->due_us = rf_db_time(res, r, L_DUE);
        d->checks = (int)rf_db_int(res, r, L_CHECKS);
    }
    return RF_OK;
}

enum rf_code rf_recon_store_read(struct rf_ctx *ctx, const struct rf_due *due, size_t n,
                                 struct rf_claimed **out)
{
    struct rf_recon_array ids, checks;
    struct rf_params p;
    PGresult *res;
    enum rf_code code;

    *out = rf_arena_calloc(ctx->arena, n + 1, sizeof **out);
    if (n == 0)
        return RF_OK;
    rf_recon_array_init(&ids, ctx->arena, RF_RECON_ARRAY_UUID, n);
    rf_recon_array_init(&checks, ctx->arena, RF_RECON_ARRAY_INT4, n);
    for (size_t i = 0; i < n; i++) {
        rf_recon_array_uuid(&ids, due[i].id);
        rf_recon_array_int(&checks, due[i].checks);
    }
    rf_params_init(&p);
    rf_recon_array_param(&p, &ids);
    rf_recon_array_param(&p, &checks);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &read_claimed, &p, &res);
    if (code != RF_OK)
        return code;
    if ((size_t)PQntuples(res) != n)
        return rf_fail(&ctx->err, RF_INTERNAL, "could not read the claimed refunds: %d of %zu found",
                       PQntuples(res), n);
    for (size_t i = 0; i < n; i++) {
        struct rf_claimed *c = &(*out)[i];
        int r = (int)i;

        snprintf(c->id, sizeof c->id, "%s", rf_db_text(res, r, K_ID));
        snprintf(c->case_id, sizeof c->case_id, "%s", rf_db_text(res, r, K_CASE));
        c->ours.provider = text(ctx, res, r, K_PROVIDER);
        c->ours.provider_refund_id = text(ctx, res, r, K_PROVIDER_REFUND_ID);
        c->ours.payment_method = text(ctx, res, r, K_METHOD);
        c->ours.amount_minor = rf_db_int(res, r, K_AMOUNT);
        c->ours.currency = text(ctx, res, r, K_CURRENCY);
        c->ours.issued_at_us = rf_db_time(res, r, K_ISSUED);
        c->ours.receipt_confirmed = rf_db_text(res, r, K_RECEIVED)[0] == 't';
        c->ours.case_currency = text(ctx, res, r, K_CASE_CURRENCY);
        c->ours.case_approved_minor = rf_db_int(res, r, K_APPROVED);
        c->ours.case_issued_total_minor = rf_db_int(res, r, K_REFUNDED);
        c->observed_status = text(ctx, res, r, K_STATUS);
        c->reference = text(ctx, res, r, K_REFERENCE);
        c->observations = (int)rf_db_int(res, r, K_OBSERVATIONS);
        c->checked_before = due[i].checks > 0;
        c->open_kinds = open_kinds(rf_db_text(res, r, K_OPEN_KINDS));
        c->due_us = due[i].due_us;
    }
    return RF_OK;
}

/* The finding's evidence as stored: [[key, value], ...], in the arena. */
static const char *evidence_json(struct rf_ctx *ctx, const struct rf_recon_finding *f)
{
    json_t *arr = json_array();
    char *s;
    const char *copy;

    for (int i = 0; i < f->n_evidence; i++)
        json_array_append_new(arr, json_pack("[ss]", f->evidence[i].key, f->evidence[i].value));
    s = json_dumps(arr, JSON_COMPACT);
    if (s == NULL)
        abort(); /* jansson fails only for want of memory */
    copy = rf_arena_strdup(ctx->arena, s);
    free(s);
    json_decref(arr);
    return copy;
}

/* Adds the (kind, count) rows of res to counts. */
static void add_counts(const PGresult *res, long long counts[RF_FINDING_KINDS])
{
    for (int r = 0; r < PQntuples(res); r++) {
        enum rf_finding_kind k;

        if (rf_finding_kind_parse(rf_db_text(res, r, 0), &k))
            counts[k] += rf_db_int(res, r, 1);
    }
}

/* The arrays of findings to open or refresh, one element per finding. */
struct finding_arrays {
    struct rf_recon_array id, kind, refund, case_id, provider, prid, amount, currency, ref,
        evidence, action, audience, pua;
    size_t n;
    /* The findings among them that need a follow-up task now. */
    struct rf_array fu_id, fu_provider, fu_prid, fu_kind, fu_audience;
    size_t n_follow_ups;
};

/* Empty arrays for about expect findings, typed as upsert_findings' parameters. */
static void finding_arrays_init(struct finding_arrays *fa, struct rf_arena *a, size_t expect)
{
    struct {
        struct rf_recon_array *arr;
        enum rf_recon_array_type type;
    } all[] = {
        {&fa->id, RF_RECON_ARRAY_UUID},         {&fa->kind, RF_RECON_ARRAY_TEXT},
        {&fa->refund, RF_RECON_ARRAY_UUID},     {&fa->case_id, RF_RECON_ARRAY_UUID},
        {&fa->provider, RF_RECON_ARRAY_TEXT},   {&fa->prid, RF_RECON_ARRAY_TEXT},
        {&fa->amount, RF_RECON_ARRAY_INT8},     {&fa->currency, RF_RECON_ARRAY_TEXT},
        {&fa->ref, RF_RECON_ARRAY_TEXT},        {&fa->evidence, RF_RECON_ARRAY_TEXT},
        {&fa->action, RF_RECON_ARRAY_TEXT},     {&fa->audience, RF_RECON_ARRAY_TEXT},
        {&fa->pua, RF_RECON_ARRAY_TIMESTAMPTZ},
    };

    struct rf_array *fu[] = {&fa->fu_id, &fa->fu_provider, &fa->fu_prid, &fa->fu_kind,
                             &fa->fu_audience};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        rf_recon_array_init(all[i].arr, a, all[i].type, expect);
    for (size_t i = 0; i < sizeof fu / sizeof fu[0]; i++)
        rf_array_init(fu[i], a);
    fa->n = 0;
    fa->n_follow_ups = 0;
}

static void finding_arrays_add(struct rf_ctx *ctx, struct finding_arrays *fa, const char *refund_id,
                               const char *case_id, const char *provider, const char *prid,
                               int64_t amount, const char *currency, const char *reference,
                               int64_t pua, const struct rf_recon_finding *f)
{
    char id[RF_UUID_TEXT_LEN + 1];

    rf_uuid_v7(ctx->now_us / 1000, id);
    rf_recon_array_uuid(&fa->id, id);
    rf_recon_array_text(&fa->kind, rf_finding_kind_name(f->kind));
    rf_recon_array_uuid(&fa->refund, refund_id);
    rf_recon_array_uuid(&fa->case_id, case_id);
    rf_recon_array_text(&fa->provider, provider);
    rf_recon_array_text(&fa->prid, prid);
    rf_recon_array_int(&fa->amount, amount);
    rf_recon_array_text(&fa->currency, currency);
    rf_recon_array_text(&fa->ref, reference != NULL ? reference : "");
    rf_recon_array_text(&fa->evidence, evidence_json(ctx, f));
    rf_recon_array_text(&fa->action, f->action);
    rf_recon_array_text(&fa->audience, rf_recon_audience_name(f->audience));
    rf_recon_array_time(&fa->pua, pua);
    fa->n++;
    if (f->follow_up) {
        rf_uuid_v7(ctx->now_us / 1000, id);
        rf_array_text(&fa->fu_id, id);
        rf_array_text(&fa->fu_provider, provider);
        rf_array_text(&fa->fu_prid, prid);
        rf_array_text(&fa->fu_kind, rf_finding_kind_name(f->kind));
        rf_array_text(&fa->fu_audience, rf_recon_audience_name(f->audience));
        fa->n_follow_ups++;
    }
}

/* Runs stmt (upsert_findings or insert_findings) on the arrays; counts what it opened. */
static enum rf_code write_findings(struct rf_ctx *ctx, const struct rf_stmt *stmt,
                                   const char *run_id, struct finding_arrays *fa,
                                   long long opened[RF_FINDING_KINDS])
{
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    struct rf_recon_array *cols[] = {&fa->id,       &fa->kind,     &fa->refund, &fa->case_id,
                                     &fa->provider, &fa->prid,     &fa->amount, &fa->currency,
                                     &fa->ref,      &fa->evidence, &fa->action, &fa->audience,
                                     &fa->pua};

    if (fa->n == 0)
        return RF_OK;
    rf_params_init(&p);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_text(&p, run_id);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        rf_recon_array_param(&p, cols[i]);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, stmt, &p, &res);
    if (code != RF_OK)
        return code;
    add_counts(res, opened);
    if (fa->n_follow_ups == 0)
        return RF_OK;
    rf_params_init(&p);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_text(&p, rf_array_done(&fa->fu_id));
    rf_param_text(&p, rf_array_done(&fa->fu_provider));
    rf_param_text(&p, rf_array_done(&fa->fu_prid));
    rf_param_text(&p, rf_array_done(&fa->fu_kind));
    rf_param_text(&p, rf_array_done(&fa->fu_audience));
    return rf_db_exec(ctx->db, ctx->arena, &ctx->err, &open_follow_ups, &p, NULL);
}

/* The observed status as stored: the classifier's name of it. */
static const char *status_name(const struct rf_recon_verdict *v)
{
    return rf_recon_status_name(v->observed);
}

/* Every refund's check (write_checks), one element of each array per refund. */
static enum rf_code write_refunds(struct rf_ctx *ctx, const struct rf_batch_result *r,
                                  const char *run_id)
{
    struct rf_recon_array id, status, pua, succ, pending, failure, ref, ref_type, ref_status, card,
        wfrom, wto, next, obs, awaiting;
    /* In write_checks' order of parameters, with their types. */
    struct {
        struct rf_recon_array *arr;
        enum rf_recon_array_type type;
    } cols[] = {{&id, RF_RECON_ARRAY_UUID},           {&status, RF_RECON_ARRAY_TEXT},
                {&pua, RF_RECON_ARRAY_TIMESTAMPTZ},   {&succ, RF_RECON_ARRAY_TIMESTAMPTZ},
                {&pending, RF_RECON_ARRAY_TEXT},      {&failure, RF_RECON_ARRAY_TEXT},
                {&ref, RF_RECON_ARRAY_TEXT},          {&ref_type, RF_RECON_ARRAY_TEXT},
                {&ref_status, RF_RECON_ARRAY_TEXT},   {&card, RF_RECON_ARRAY_TEXT},
                {&wfrom, RF_RECON_ARRAY_TIMESTAMPTZ}, {&wto, RF_RECON_ARRAY_TIMESTAMPTZ},
                {&next, RF_RECON_ARRAY_TIMESTAMPTZ},  {&obs, RF_RECON_ARRAY_INT4},
                {&awaiting, RF_RECON_ARRAY_TEXT}};
    struct rf_params p;

    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        rf_recon_array_init(cols[i].arr, ctx->arena, cols[i].type, r->n);
    for (size_t i = 0; i < r->n; i++) {
        const struct rf_claimed *c = &r->refunds[i];
        const struct rf_recon_verdict *v = &r->verdicts[i];
        const struct rf_recon_provider *pv = &r->providers[i];
        const char *st = status_name(v);
        const char *reference = v->reference != NULL ? v->reference : "";
        /* A new step of the money's timeline: another status, or its reference arriving. */
        bool step = v->observed != RF_RECON_UNKNOWN &&
                    (strcmp(st, c->observed_status) != 0 || strcmp(reference, c->reference) != 0);
        bool known = v->known && pv->present;

        rf_recon_array_uuid(&id, c->id);
        rf_recon_array_text(&status, st);
        rf_recon_array_time(&pua, known ? pv->updated_at_us : 0);
        rf_recon_array_time(&succ, known ? pv->succeeded_at_us : 0);
        rf_recon_array_text(&pending, known ? pv->pending_reason : "");
        rf_recon_array_text(&failure, known ? pv->failure_reason : "");
        rf_recon_array_text(&ref, reference);
        rf_recon_array_text(&ref_type, v->reference_type != NULL ? v->reference_type : "");
        rf_recon_array_text(&ref_status, known && pv->reference_status ? pv->reference_status : "");
        rf_recon_array_text(&card, known && pv->card_refund_type ? pv->card_refund_type : "");
        rf_recon_array_time(&wfrom, v->window_from_us);
        rf_recon_array_time(&wto, v->window_to_us);
        rf_recon_array_time(&next, v->next_check_at_us);
        rf_recon_array_int(&obs, step ? 1 : 0);
        /* No record, or no current data: woken when its provider's next data is loaded. */
        rf_recon_array_text(&awaiting, v->observed == RF_RECON_NOT_FOUND ||
                                               v->observed == RF_RECON_UNKNOWN
                                           ? c->ours.provider
                                           : NULL);
    }
    rf_params_init(&p);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_text(&p, run_id);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        rf_recon_array_param(&p, cols[i].arr);
    return rf_db_exec(ctx->db, ctx->arena, &ctx->err, &write_checks, &p, NULL);
}

static enum rf_code write_closes(struct rf_ctx *ctx, const char *run_id,
                                 const struct rf_batch_result *r,
                                 long long closed[RF_FINDING_KINDS])
{
    struct rf_recon_array provider, prid, kind, reason;
    struct rf_params p;
    PGresult *res;
    size_t n = 0;
    enum rf_code code;

    rf_recon_array_init(&provider, ctx->arena, RF_RECON_ARRAY_TEXT, 0);
    rf_recon_array_init(&prid, ctx->arena, RF_RECON_ARRAY_TEXT, 0);
    rf_recon_array_init(&kind, ctx->arena, RF_RECON_ARRAY_TEXT, 0);
    rf_recon_array_init(&reason, ctx->arena, RF_RECON_ARRAY_TEXT, 0);
    for (size_t i = 0; i < r->n; i++) {
        const struct rf_recon_verdict *v = &r->verdicts[i];
        /* Only kinds open when claimed: no one else opens a finding of a refund we hold. */
        uint32_t gone = v->decided & ~v->present & r->refunds[i].open_kinds;

        for (int k = 0; k < RF_FINDING_KINDS; k++) {
            if ((gone & RF_FINDING_BIT(k)) == 0 || v->close_reason[k] == NULL)
                continue;
            rf_recon_array_text(&provider, r->refunds[i].ours.provider);
            rf_recon_array_text(&prid, r->refunds[i].ours.provider_refund_id);
            rf_recon_array_text(&kind, rf_finding_kind_name((enum rf_finding_kind)k));
            rf_recon_array_text(&reason, v->close_reason[k]);
            n++;
        }
    }
    if (n == 0)
        return RF_OK;
    rf_params_init(&p);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_text(&p, run_id);
    rf_recon_array_param(&p, &provider);
    rf_recon_array_param(&p, &prid);
    rf_recon_array_param(&p, &kind);
    rf_recon_array_param(&p, &reason);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &close_findings, &p, &res);
    if (code == RF_OK)
        add_counts(res, closed);
    return code;
}

/* Adds a batch to the run's counters; currencies are the checked refunds'. */
static enum rf_code progress(struct rf_ctx *ctx, const char *run_id, long long checked,
                             long long unknown, long long batches, long long scanned,
                             long long orphans, const struct rf_batch_counts *counts,
                             const struct rf_batch_result *r)
{
    struct rf_recon_array kinds, opened, closed, currency, amount;
    struct rf_params p;

    rf_recon_array_init(&kinds, ctx->arena, RF_RECON_ARRAY_TEXT, RF_FINDING_KINDS);
    rf_recon_array_init(&opened, ctx->arena, RF_RECON_ARRAY_INT8, RF_FINDING_KINDS);
    rf_recon_array_init(&closed, ctx->arena, RF_RECON_ARRAY_INT8, RF_FINDING_KINDS);
    rf_recon_array_init(&currency, ctx->arena, RF_RECON_ARRAY_TEXT, r != NULL ? r->n : 0);
    rf_recon_array_init(&amount, ctx->arena, RF_RECON_ARRAY_INT8, r != NULL ? r->n : 0);
    for (int k = 0; k < RF_FINDING_KINDS; k++) {
        rf_recon_array_text(&kinds, rf_finding_kind_name((enum rf_finding_kind)k));
        rf_recon_array_int(&opened, counts->opened[k]);
        rf_recon_array_int(&closed, counts->closed[k]);
    }
    for (size_t i = 0; r != NULL && i < r->n; i++) {
        rf_recon_array_text(&currency, r->refunds[i].ours.currency);
        rf_recon_array_int(&amount, r->refunds[i].ours.amount_minor);
    }
    rf_params_init(&p);
    rf_param_text(&p, run_id);
    rf_param_time(&p, ctx->arena, ctx->now_us);
    rf_param_int(&p, ctx->arena, checked);
    rf_param_int(&p, ctx->arena, unknown);
    rf_param_int(&p, ctx->arena, batches);
    rf_param_int(&p, ctx->arena, scanned);
    rf_param_int(&p, ctx->arena, orphans);
    rf_recon_array_param(&p, &kinds);
    rf_recon_array_param(&p, &opened);
    rf_recon_array_param(&p, &closed);
    rf_recon_array_param(&p, &currency);
    rf_recon_array_param(&p, &amount);
    return rf_db_exec(ctx->db, ctx->arena, &ctx->err, &run_progress, &p, NULL);
}

enum rf_code rf_recon_store_write(struct rf_ctx *ctx, const char *run_id,
                                  const struct rf_batch_result *r, struct rf_batch_counts *counts)
{
    struct finding_arrays fresh, again; /* of refunds checked for the first time; the others */
    enum rf_code code;

    memset(counts, 0, sizeof *counts);
    finding_arrays_init(&fresh, ctx->arena, r->n / 4);
    finding_arrays_init(&again, ctx->arena, 0);
    for (size_t i = 0; i < r->n; i++) {
        const struct rf_claimed *c = &r->refunds[i];
        const struct rf_recon_verdict *v = &r->verdicts[i];

        for (int k = 0; k < RF_FINDING_KINDS; k++) {
            if ((v->present & RF_FINDING_BIT(k)) == 0)
                continue;
            finding_arrays_add(
                ctx, c->checked_before ? &again : &fresh, c->id, c->case_id, c->ours.provider,
                c->ours.provider_refund_id, c->ours.amount_minor, c->ours.currency, v->reference,
                r->providers[i].present ? r->providers[i].updated_at_us : 0, &v->finding[k]);
        }
    }
    code = write_refunds(ctx, r, run_id);
    if (code == RF_OK)
        code = write_findings(ctx, &insert_findings, run_id, &fresh, counts->opened);
    if (code == RF_OK)
        code = write_findings(ctx, &upsert_findings, run_id, &again, counts->opened);
    if (code == RF_OK)
        code = write_closes(ctx, run_id, r, counts->closed);
    if (code == RF_OK)
        code = progress(ctx, run_id, (long long)r->n, (long long)r->unknown, 1, 0, 0, counts, r);
    return code;
}

enum rf_code rf_recon_store_never_issued(struct rf_ctx *ctx, const char *provider,
                                         const char *const *ids, size_t n, const char ***out,
                                         size_t *n_out)
{
    struct rf_recon_array arr;
    struct rf_params p;
    PGresult *res;
    enum rf_code code;
    int rows;

    *n_out = 0;
    *out = NULL;
    if (n == 0)
        return RF_OK;
    rf_recon_array_init(&arr, ctx->arena, RF_RECON_ARRAY_TEXT, n);
    for (size_t i = 0; i < n; i++)
        rf_recon_array_text(&arr, ids[i]);
    rf_params_init(&p);
    rf_param_text(&p, provider);
    rf_recon_array_param(&p, &arr);
    code = rf_db_exec(ctx->db, ctx->arena, &ctx->err, &never_issued, &p, &res);
    if (code != RF_OK)
        return code;
    rows = PQntuples(res);
    *out = rf_arena_calloc(ctx->arena, (size_t)rows + 1, sizeof **out);
    for (int r = 0; r < rows; r++)
        (*out)[r] = text(ctx, res, r, 0);
    *n_out = (size_t)rows;
    return RF_OK;
}

enum rf_code rf_recon_store_orphans(struct rf_ctx *ctx, const char *run_id,
                                    const struct rf_orphan *orphans, size_t n, long long scanned,
                                    long long *opened)
{
    struct finding_arrays fa;
    struct rf_batch_counts counts = {{0}, {0}};
    enum rf_code code;

    finding_arrays_init(&fa, ctx->arena, n);
    for (size_t i = 0; i < n; i++)
        finding_arrays_add(ctx, &fa, NULL, NULL, orphans[i].provider, orphans[i].provider_refund_id,
                           orphans[i].amount_minor, orphans[i].currency, "",
                           orphans[i].provider_updated_at_us, &orphans[i].finding);
    code = write_findings(ctx, &upsert_findings, run_id, &fa, counts.opened);
    *opened = counts.opened[RF_FINDING_ORPHAN_AT_PROVIDER];
    if (code == RF_OK)
        code = progress(ctx, run_id, 0, 0, 0, scanned, (long long)n, &counts, NULL);
    return code;
}
