/*
 * One pass of the reconciler (see pass.h).
 */
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "lookup.h"
#include "pass.h"
#include "recon_store.h"
#include "refunds/crypto.h"
#include "refunds/log.h"
#include "refunds/timeutil.h"

/* Ids of a provider's day index read per round trip in the orphan scan. */
#define ORPHAN_CHUNK 5000
#define DAY_US       (86400LL * RF_USEC_PER_SEC)

/* Backoff between attempts of a step that failed: doubling from 200 ms to the configured most. */
struct backoff {
    long long wait_ms;
    int64_t failing_since;
};

/*
 * After a failure of code: logs it, waits, and says whether to try again: not
 * when a stop was asked for, nor (give_up) once the failures have lasted too long.
 */
static bool retry(struct rf_recon_worker *w, struct backoff *b, enum rf_code code, const char *what)
{
    struct rf_logline l;
    int64_t now = rf_monotonic_us();

    if (b->failing_since == 0)
        b->failing_since = now;
    b->wait_ms = b->wait_ms == 0 ? 200 : b->wait_ms * 2;
    if (b->wait_ms > w->settings->retry_max_ms)
        b->wait_ms = w->settings->retry_max_ms;
    rf_log_begin(&l, RF_LOG_WARN, "retry");
    rf_log_str(&l, "step", what);
    rf_log_str(&l, "code", rf_code_name(code));
    rf_log_str(&l, "error", w->ctx.err.message);
    if (w->ctx.err.detail[0] != '\0')
        rf_log_str(&l, "detail", w->ctx.err.detail);
    rf_log_int(&l, "wait_ms", b->wait_ms);
    rf_log_end(&l);
    if (w->give_up && now - b->failing_since > w->settings->give_up_s * RF_USEC_PER_SEC)
        return false;
    for (long long waited = 0; waited < b->wait_ms && !atomic_load(w->stop); waited += 50)
        rf_sleep_ms(50);
    return !atomic_load(w->stop);
}

static void reset(struct rf_recon_worker *w)
{
    rf_arena_reset(w->ctx.arena);
    rf_error_clear(&w->ctx.err);
    w->ctx.now_us = rf_now_us();
}

/*
 * One batch in one transaction: claim, look up, classify, write, commit.
 * *n is how many it claimed (0: nothing is due any more).
 */
static enum rf_code batch(struct rf_recon_worker *w, const char *run_id, int64_t due_before,
                          size_t *n, struct rf_pass_stats *stats, const char **step)
{
    struct rf_ctx *ctx = &w->ctx;
    struct rf_claimed *claimed;
    struct rf_recon_provider *providers;
    struct rf_recon_snapshot *snapshots;
    struct rf_recon_verdict *verdicts;
    struct rf_batch_result result = {0};
    struct rf_batch_counts counts;
    enum rf_code code;

    *n = 0;
    *step = "claim";
    code = rf_ctx_begin(ctx);
    if (code == RF_OK)
        code = rf_recon_store_claim(ctx, due_before, (int)w->settings->batch, &claimed, n);
    if (code != RF_OK || *n == 0)
        goto out;
    providers = rf_arena_calloc(ctx->arena, *n, sizeof *providers);
    snapshots = rf_arena_calloc(ctx->arena, *n, sizeof *snapshots);
    verdicts = rf_arena_calloc(ctx->arena, *n, sizeof *verdicts);
    *step = "lookup";
    code = rf_recon_lookup(w->cache, ctx->arena, claimed, *n, providers, snapshots, &ctx->err);
    if (code != RF_OK)
        goto out;
    for (size_t i = 0; i < *n; i++) {
        rf_recon_classify(ctx->arena, &claimed[i].ours, &providers[i], &snapshots[i], w->config,
                          ctx->now_us, &verdicts[i]);
        result.unknown += !verdicts[i].known;
    }
    result.refunds = claimed;
    result.verdicts = verdicts;
    result.providers = providers;
    result.n = *n;
    *step = "write";
    code = rf_recon_store_write(ctx, run_id, &result, &counts);
    if (code == RF_OK)
        code = rf_ctx_commit(ctx);
    if (code == RF_OK) {
        stats->checked += (long long)*n;
        stats->unknown += (long long)result.unknown;
        stats->batches++;
        for (int k = 0; k < RF_FINDING_KINDS; k++) {
            stats->opened += counts.opened[k];
            stats->closed += counts.closed[k];
        }
    }
out:
    if (code != RF_OK)
        rf_ctx_rollback(ctx);
    else if (*n == 0)
        rf_ctx_rollback(ctx); /* nothing claimed: end the empty transaction */
    return code;
}

/* The provider names of the comma-separated list, in the arena. */
static size_t provider_list(struct rf_arena *a, const char *list, const char **out, size_t max)
{
    char *copy = rf_arena_strdup(a, list), *save = NULL;
    size_t n = 0;

    for (char *p = strtok_r(copy, ", ", &save); p != NULL && n < max;
         p = strtok_r(NULL, ", ", &save))
        out[n++] = p;
    return n;
}

/*
 * Orphans among one chunk of a provider's day index: the ids we never issued,
 * whose records are older than the grace period. One transaction.
 */
static enum rf_code orphan_chunk(struct rf_recon_worker *w, const char *run_id,
                                 const char *provider, const char *const *ids, size_t n,
                                 long long *opened)
{
    struct rf_ctx *ctx = &w->ctx;
    const char **unknown;
    size_t n_unknown = 0, n_orphans = 0;
    struct rf_recon_provider *records;
    struct rf_orphan *orphans;
    enum rf_code code = rf_recon_store_never_issued(ctx, provider, ids, n, &unknown, &n_unknown);

    if (code != RF_OK)
        return code;
    records = rf_arena_calloc(ctx->arena, n_unknown + 1, sizeof *records);
    orphans = rf_arena_calloc(ctx->arena, n_unknown + 1, sizeof *orphans);
    code = rf_recon_records(w->cache, ctx->arena, provider, unknown, n_unknown, records, &ctx->err);
    if (code != RF_OK)
        return code;
    for (size_t i = 0; i < n_unknown; i++) {
        const struct rf_recon_provider *r = &records[i];
        struct rf_orphan *o = &orphans[n_orphans];

        /* Only readable records past the grace: the payments system records a refund soon after. */
        if (!r->present || r->status == RF_RECON_UNKNOWN ||
            r->created_at_us > ctx->now_us - w->settings->orphan_grace_s * RF_USEC_PER_SEC)
            continue;
        o->provider = provider;
        o->provider_refund_id = unknown[i];
        o->amount_minor = r->amount_minor;
        o->currency = r->currency;
        o->provider_updated_at_us = r->updated_at_us;
        rf_recon_classify_orphan(ctx->arena, provider, unknown[i], r, &o->finding);
        n_orphans++;
    }
    code = rf_ctx_begin(ctx);
    if (code == RF_OK)
        code = rf_recon_store_orphans(ctx, run_id, orphans, n_orphans, (long long)n, opened);
    if (code == RF_OK)
        code = rf_ctx_commit(ctx);
    else
        rf_ctx_rollback(ctx);
    return code;
}

/* Scans the day indexes of every provider over the orphan window. */
static enum rf_code scan_orphans(struct rf_recon_worker *w, const char *run_id,
                                 struct rf_pass_stats *stats)
{
    const char *providers[16];
    struct rf_arena *list = rf_arena_create(0);
    size_t n_providers = provider_list(list, w->settings->providers, providers, 16);
    int64_t today = rf_now_us();
    enum rf_code code = RF_OK;

    for (size_t p = 0; p < n_providers && code == RF_OK; p++) {
        for (long long d = w->settings->orphan_days; d >= 0 && code == RF_OK; d--) {
            for (long start = 0; code == RF_OK && !atomic_load(w->stop); start += ORPHAN_CHUNK) {
                struct backoff b = {0, 0};
                const char **ids;
                size_t n = 0;
                long long opened = 0;

                for (;;) {
                    reset(w);
                    code =
                        rf_recon_day_index(w->cache, w->ctx.arena, providers[p], today - d * DAY_US,
                                           start, ORPHAN_CHUNK, &ids, &n, &w->ctx.err);
                    if (code == RF_OK && n > 0)
                        code = orphan_chunk(w, run_id, providers[p], ids, n, &opened);
                    if (code == RF_OK || !retry(w, &b, code, "orphans"))
                        break;
                }
                if (code != RF_OK)
                    break;
                stats->scanned += (long long)n;
                stats->opened += opened;
                stats->orphans += opened;
                if (n < ORPHAN_CHUNK)
                    break;
            }
        }
    }
    rf_arena_destroy(list);
    return atomic_load(w->stop) ? RF_OK : code;
}

enum run_step { RUN_START, RUN_FINISHED, RUN_ABANDONED };

/* A statement outside a batch (start and end of the run), retried like a batch. */
static enum rf_code run_step(struct rf_recon_worker *w, const char *run_id, enum run_step step)
{
    struct backoff b = {0, 0};
    enum rf_code code;

    for (;;) {
        reset(w);
        code = step == RUN_START ? rf_recon_store_start_run(&w->ctx, run_id, w->settings->worker)
                                 : rf_recon_store_finish_run(&w->ctx, run_id, step == RUN_FINISHED);
        if (code == RF_OK || !retry(w, &b, code, step == RUN_START ? "start run" : "end run"))
            return code;
    }
}

enum rf_code rf_recon_pass(struct rf_recon_worker *w, struct rf_pass_stats *stats)
{
    char run_id[RF_UUID_TEXT_LEN + 1];
    int64_t started = rf_monotonic_us(), due_before;
    enum rf_code code;

    memset(stats, 0, sizeof *stats);
    rf_uuid_v7(rf_now_us() / 1000, run_id);
    code = run_step(w, run_id, RUN_START);
    if (code != RF_OK)
        return code;
    due_before = w->ctx.now_us; /* the run's cut-off: what is due from now on is the next pass's */
    for (;;) {
        struct backoff b = {0, 0};
        const char *step = "";
        size_t n = 0;

        if (atomic_load(w->stop)) {
            stats->stopped = true;
            break;
        }
        for (;;) {
            reset(w);
            code = batch(w, run_id, due_before, &n, stats, &step);
            if (code == RF_OK || !retry(w, &b, code, step))
                break;
        }
        if (code != RF_OK) {
            if (atomic_load(w->stop)) {
                stats->stopped = true;
                break;
            }
            return code;
        }
        if (n == 0)
            break;
        if (w->settings->test_batch_delay_ms > 0)
            rf_sleep_ms(w->settings->test_batch_delay_ms);
    }
    if (!stats->stopped) {
        code = scan_orphans(w, run_id, stats);
        if (code != RF_OK)
            return code;
    }
    stats->stopped = stats->stopped || atomic_load(w->stop);
    /* A pass cut short by a stop ends ABANDONED: what it did not check, the next one does. */
    code = run_step(w, run_id, stats->stopped ? RUN_ABANDONED : RUN_FINISHED);
    stats->seconds = (double)(rf_monotonic_us() - started) / 1e6;
    return code;
}
