/*
 * One pass of the reconciler (see pass.h): its run row, then its lanes —
 * REFUNDS_RECON_THREADS threads, each with its own PostgreSQL and Redis
 * connections and batch arena, claiming batches until none is due and then
 * sharing the orphan scan's chunks — then the run's end. Lanes share nothing
 * but the run, the cut-off, the stop flag and the scan's chunk counters:
 * FOR UPDATE SKIP LOCKED keeps two lanes (as two reconcilers) off the same
 * refunds, so PostgreSQL works on one batch while another is looked up and
 * classified, on as many cores as there are lanes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The most (provider, day) indexes the orphan scan reads: every provider, 91 days each. */
#define SCAN_DAYS_MAX (RF_RECON_PROVIDERS_MAX * 91)

/* One day index of the orphan scan, shared by the lanes: the next chunk to read, and the end. */
struct scan_day {
    const char *provider;
    int64_t day_us;
    atomic_long next_chunk;
    atomic_bool done;
};

/* What the lanes of one pass share. */
struct pass_shared {
    const char *run_id;
    int64_t due_before;    /* the run's cut-off */
    atomic_llong frontier; /* the latest due time claimed so far: where the next claim starts */
    struct scan_day *days;
    size_t n_days;
};

/* One thread of a pass: its connections, its batch context and what it did. */
struct lane {
    struct rf_recon_worker *w;
    struct pass_shared *shared;
    struct rf_ctx ctx;      /* lane 0 uses the worker's own (w->ctx), the others their own */
    struct rf_cache *cache; /* lane 0: w->cache */
    struct rf_pass_stats stats;
    enum rf_code code;
    pthread_t thread;
};

/*
 * After a failure of code: logs it, waits, and says whether to try again: not
 * when a stop was asked for, nor (give_up) once the failures have lasted too long.
 */
static bool retry(struct rf_recon_worker *w, const struct rf_ctx *ctx, struct backoff *b,
                  enum rf_code code, const char *what)
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
    rf_log_str(&l, "error", ctx->err.message);
    if (ctx->err.detail[0] != '\0')
        rf_log_str(&l, "detail", ctx->err.detail);
    rf_log_int(&l, "wait_ms", b->wait_ms);
    rf_log_end(&l);
    if (w->give_up && now - b->failing_since > w->settings->give_up_s * RF_USEC_PER_SEC)
        return false;
    for (long long waited = 0; waited < b->wait_ms && !atomic_load(w->stop); waited += 50)
        rf_sleep_ms(50);
    return !atomic_load(w->stop);
}

static void reset(struct rf_ctx *ctx)
{
    rf_arena_reset(ctx->arena);
    rf_error_clear(&ctx->err);
    ctx->now_us = rf_now_us();
}

/*
 * Claims the batch: from the frontier (what this pass's lanes claimed last:
 * the refunds due before it are checked or held by another lane, so a claim
 * from the start of the due index would walk over them, and over the dead
 * index entries of every refund already checked); and, when that gives less
 * than a batch, from the start, for refunds left behind it (a batch rolled
 * back, a refund another reconciler held). A lane ends only when both are
 * empty, so nothing due is left out of the pass.
 */
static enum rf_code claim(struct lane *ln, struct rf_claimed **out, size_t *n)
{
    struct rf_ctx *ctx = &ln->ctx;
    struct pass_shared *sh = ln->shared;
    int limit = (int)ln->w->settings->batch;
    int64_t from = atomic_load(&sh->frontier), seen;
    struct rf_due *due, *behind, *all;
    size_t n_behind = 0;
    enum rf_code code = rf_recon_store_lock_due(ctx, from, sh->due_before, limit, &due, n);

    if (code != RF_OK)
        return code;
    if (*n > 0) {
        seen = due[*n - 1].due_us;
        for (long long f = from;
             f < seen && !atomic_compare_exchange_weak(&sh->frontier, &f, seen);)
            ;
    }
    if (*n < (size_t)limit && from > 0) {
        code = rf_recon_store_lock_due(ctx, 0, from - 1, limit - (int)*n, &behind, &n_behind);
        if (code != RF_OK)
            return code;
    }
    if (n_behind > 0) {
        all = rf_arena_calloc(ctx->arena, *n + n_behind + 1, sizeof *all);
        memcpy(all, behind, n_behind * sizeof *all);
        memcpy(all + n_behind, due, *n * sizeof *all);
        due = all;
        *n += n_behind;
    }
    return rf_recon_store_read(ctx, due, *n, out);
}

/*
 * One batch in one transaction: claim, look up, classify, write, commit.
 * *n is how many it claimed (0: nothing is due any more).
 */
static enum rf_code batch(struct lane *ln, size_t *n, const char **step)
{
    struct rf_recon_worker *w = ln->w;
    struct rf_ctx *ctx = &ln->ctx;
    struct rf_pass_stats *stats = &ln->stats;
    const char *run_id = ln->shared->run_id;
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
        code = claim(ln, &claimed, n);
    if (code != RF_OK || *n == 0)
        goto out;
    providers = rf_arena_calloc(ctx->arena, *n, sizeof *providers);
    snapshots = rf_arena_calloc(ctx->arena, *n, sizeof *snapshots);
    verdicts = rf_arena_calloc(ctx->arena, *n, sizeof *verdicts);
    *step = "lookup";
    code = rf_recon_lookup(ln->cache, ctx->arena, claimed, *n, providers, snapshots, &ctx->err);
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
static enum rf_code orphan_chunk(struct lane *ln, const char *provider, const char *const *ids,
                                 size_t n, long long *opened)
{
    struct rf_recon_worker *w = ln->w;
    struct rf_ctx *ctx = &ln->ctx;
    const char *run_id = ln->shared->run_id;
    const char **unknown;
    size_t n_unknown = 0, n_orphans = 0;
    struct rf_recon_provider *records;
    struct rf_orphan *orphans;
    enum rf_code code = rf_recon_store_never_issued(ctx, provider, ids, n, &unknown, &n_unknown);

    if (code != RF_OK)
        return code;
    records = rf_arena_calloc(ctx->arena, n_unknown + 1, sizeof *records);
    orphans = rf_arena_calloc(ctx->arena, n_unknown + 1, sizeof *orphans);
    code =
        rf_recon_records(ln->cache, ctx->arena, provider, unknown, n_unknown, records, &ctx->err);
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

/*
 * The day indexes of every provider over the orphan window, oldest day first,
 * for the lanes to share; *n of them in arena a.
 */
static struct scan_day *scan_days(struct rf_recon_worker *w, struct rf_arena *a, size_t *n)
{
    const char *providers[RF_RECON_PROVIDERS_MAX];
    size_t n_providers =
        provider_list(a, w->settings->providers, providers, RF_RECON_PROVIDERS_MAX);
    int64_t today = rf_now_us();
    struct scan_day *days = rf_arena_calloc(a, SCAN_DAYS_MAX, sizeof *days);

    *n = 0;
    for (size_t p = 0; p < n_providers; p++) {
        for (long long d = w->settings->orphan_days; d >= 0 && *n < SCAN_DAYS_MAX; d--) {
            struct scan_day *day = &days[(*n)++];

            day->provider = providers[p];
            day->day_us = today - d * DAY_US;
            atomic_init(&day->next_chunk, 0);
            atomic_init(&day->done, false);
        }
    }
    return days;
}

/*
 * The lane's share of the orphan scan: chunks of the day indexes, each taken
 * by one lane (the next unread of its day), until every day is read to its end.
 */
static enum rf_code scan_orphans(struct lane *ln)
{
    struct rf_recon_worker *w = ln->w;
    struct pass_shared *sh = ln->shared;
    enum rf_code code = RF_OK;

    for (size_t d = 0; d < sh->n_days && code == RF_OK; d++) {
        struct scan_day *day = &sh->days[d];

        while (code == RF_OK && !atomic_load(&day->done) && !atomic_load(w->stop)) {
            long start = atomic_fetch_add(&day->next_chunk, 1) * ORPHAN_CHUNK;
            struct backoff b = {0, 0};
            const char **ids;
            size_t n = 0;
            long long opened = 0;

            for (;;) {
                reset(&ln->ctx);
                code = rf_recon_day_index(ln->cache, ln->ctx.arena, day->provider, day->day_us,
                                          start, ORPHAN_CHUNK, &ids, &n, &ln->ctx.err);
                if (code == RF_OK && n > 0)
                    code = orphan_chunk(ln, day->provider, ids, n, &opened);
                if (code == RF_OK || !retry(w, &ln->ctx, &b, code, "orphans"))
                    break;
            }
            if (code != RF_OK)
                break;
            ln->stats.scanned += (long long)n;
            ln->stats.opened += opened;
            ln->stats.orphans += opened;
            if (n < ORPHAN_CHUNK)
                atomic_store(&day->done, true);
        }
    }
    return atomic_load(w->stop) ? RF_OK : code;
}

/*
 * A lane's part of the pass: batches until none is due (or a stop), then its
 * share of the orphan scan, which may overlap other lanes' last batches (it
 * asks only whether a refund was ever recorded, which no batch changes).
 * Sets ln->code.
 */
static void *run_lane(void *arg)
{
    struct lane *ln = arg;
    struct rf_recon_worker *w = ln->w;
    enum rf_code code = RF_OK;

    for (;;) {
        struct backoff b = {0, 0};
        const char *step = "";
        size_t n = 0;

        if (atomic_load(w->stop)) {
            ln->stats.stopped = true;
            break;
        }
        for (;;) {
            reset(&ln->ctx);
            code = batch(ln, &n, &step);
            if (code == RF_OK || !retry(w, &ln->ctx, &b, code, step))
                break;
        }
        if (code != RF_OK) {
            if (atomic_load(w->stop)) {
                ln->stats.stopped = true;
                code = RF_OK;
            }
            ln->code = code;
            return NULL;
        }
        if (n == 0)
            break;
        if (w->settings->test_batch_delay_ms > 0)
            rf_sleep_ms(w->settings->test_batch_delay_ms);
    }
    if (!ln->stats.stopped)
        code = scan_orphans(ln);
    ln->stats.stopped = ln->stats.stopped || atomic_load(w->stop);
    ln->code = code;
    return NULL;
}

/* Logs a step of the wake that failed; the next pass tries it again. */
static void wake_failed(const struct rf_ctx *ctx, const char *provider)
{
    struct rf_logline l;

    rf_log_begin(&l, RF_LOG_WARN, "wake_failed");
    if (provider != NULL)
        rf_log_str(&l, "provider", provider);
    rf_log_str(&l, "error", ctx->err.message);
    if (ctx->err.detail[0] != '\0')
        rf_log_str(&l, "detail", ctx->err.detail);
    rf_log_end(&l);
}

/*
 * Before the pass's cut-off: for each provider whose snapshot was loaded
 * since the last wake, the refunds whose last check came before the load and
 * found none of its data become due now, so that this pass checks them
 * against the data just loaded (migration 0016). Without it, a refund
 * checked just before its provider's file arrived would wait for its
 * scheduled check, an hour later. The first pass of a process wakes every
 * provider's (the statement skips refunds checked since the load, so that
 * costs nothing twice). A failure here is logged and left to the next pass:
 * the batches meet the same database or Redis, and retry. Returns how many
 * refunds it made due.
 */
static long long wake(struct rf_recon_worker *w)
{
    struct rf_ctx *ctx = &w->ctx;
    const char *providers[RF_RECON_PROVIDERS_MAX];
    struct rf_recon_snapshot snap[RF_RECON_PROVIDERS_MAX];
    size_t n;
    long long total = 0;

    reset(ctx);
    n = provider_list(ctx->arena, w->settings->providers, providers, RF_RECON_PROVIDERS_MAX);
    if (rf_recon_snapshots(w->cache, ctx->arena, providers, n, snap, &ctx->err) != RF_OK) {
        wake_failed(ctx, NULL);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        long long woken = 0;
        char loaded[40];
        struct rf_logline l;
        char after[RF_UUID_TEXT_LEN + 1] = "00000000-0000-0000-0000-000000000000";
        long long chosen = w->settings->wake_chunk, chunk_woken;
        enum rf_code code = RF_OK;

        if (snap[i].loaded_at_us == 0 || snap[i].loaded_at_us == w->loaded_seen[i])
            continue;
        /* In statements of REFUNDS_RECON_WAKE_CHUNK, each short, however many await (an outage). */
        while (code == RF_OK && chosen == w->settings->wake_chunk && !atomic_load(w->stop)) {
            code = rf_recon_store_wake(ctx, providers[i], snap[i].loaded_at_us,
                                       (int)w->settings->wake_chunk, after, &chosen, &chunk_woken);
            woken += chunk_woken;
        }
        total += woken;
        if (code != RF_OK) {
            wake_failed(ctx, providers[i]);
            continue;
        }
        w->loaded_seen[i] = snap[i].loaded_at_us;
        if (woken == 0)
            continue;
        rf_time_format_rfc3339(snap[i].loaded_at_us, loaded, sizeof loaded);
        rf_log_begin(&l, RF_LOG_INFO, "woken");
        rf_log_str(&l, "provider", providers[i]);
        rf_log_str(&l, "loaded_at", loaded);
        rf_log_int(&l, "refunds", woken);
        rf_log_end(&l);
    }
    return total;
}

enum run_step { RUN_START, RUN_FINISHED, RUN_ABANDONED };

/*
 * A statement outside a batch (start and end of the run), retried like a
 * batch; woken is what the start records (the wake's count).
 */
static enum rf_code run_step(struct rf_recon_worker *w, const char *run_id, enum run_step step,
                             long long woken)
{
    struct backoff b = {0, 0};
    enum rf_code code;

    for (;;) {
        reset(&w->ctx);
        code = step == RUN_START
                   ? rf_recon_store_start_run(&w->ctx, run_id, w->settings->worker, woken)
                   : rf_recon_store_finish_run(&w->ctx, run_id, step == RUN_FINISHED);
        if (code == RF_OK ||
            !retry(w, &w->ctx, &b, code, step == RUN_START ? "start run" : "end run"))
            return code;
    }
}

/* Lane i > 0: its own arena and connections, like main.c's for lane 0. */
static void lane_open(struct lane *ln, const struct rf_recon_worker *w)
{
    struct rf_error err;

    ln->ctx.arena = rf_arena_create(1 << 20);
    ln->ctx.db = rf_db_create(w->settings->database_url, "refunds-reconciler",
                              w->settings->statement_timeout_ms);
    ln->ctx.actor = w->ctx.actor;
    ln->ctx.method = w->ctx.method;
    /* The URL parsed for w->cache already: creating another cannot fail. */
    ln->cache =
        rf_cache_create(w->settings->redis_url, 3000, (int)w->settings->redis_timeout_ms, &err);
    if (ln->cache == NULL)
        abort();
}

static void lane_close(struct lane *ln)
{
    rf_cache_destroy(ln->cache);
    rf_db_destroy(ln->ctx.db);
    rf_arena_destroy(ln->ctx.arena);
}

enum rf_code rf_recon_pass(struct rf_recon_worker *w, struct rf_pass_stats *stats)
{
    char run_id[RF_UUID_TEXT_LEN + 1];
    int64_t started = rf_monotonic_us();
    int n_lanes = (int)w->settings->threads;
    struct lane *lanes = calloc((size_t)n_lanes, sizeof *lanes);
    struct rf_arena *scan = rf_arena_create(0);
    struct pass_shared shared = {0};
    enum rf_code code;

    if (lanes == NULL)
        abort(); /* out of memory */
    memset(stats, 0, sizeof *stats);
    stats->woken = wake(w);
    rf_uuid_v7(rf_now_us() / 1000, run_id);
    code = run_step(w, run_id, RUN_START, stats->woken);
    if (code != RF_OK)
        goto out;
    shared.run_id = run_id;
    shared.due_before = w->ctx.now_us; /* the cut-off: what is due from now on is the next pass's */
    atomic_init(&shared.frontier, 0);
    shared.days = scan_days(w, scan, &shared.n_days);
    for (int i = 0; i < n_lanes; i++) {
        lanes[i].w = w;
        lanes[i].shared = &shared;
        if (i == 0) {
            lanes[i].ctx = w->ctx;
            lanes[i].cache = w->cache;
        } else {
            lane_open(&lanes[i], w);
        }
    }
    for (int i = 1; i < n_lanes; i++)
        pthread_create(&lanes[i].thread, NULL, run_lane, &lanes[i]);
    run_lane(&lanes[0]);
    for (int i = 1; i < n_lanes; i++)
        pthread_join(lanes[i].thread, NULL);
    w->ctx = lanes[0].ctx; /* lane 0 ran on the worker's own context */
    for (int i = 0; i < n_lanes; i++) {
        const struct rf_pass_stats *st = &lanes[i].stats;

        stats->checked += st->checked;
        stats->unknown += st->unknown;
        stats->batches += st->batches;
        stats->opened += st->opened;
        stats->closed += st->closed;
        stats->scanned += st->scanned;
        stats->orphans += st->orphans;
        stats->stopped = stats->stopped || st->stopped;
        if (lanes[i].code != RF_OK && code == RF_OK) {
            code = lanes[i].code;
            w->ctx.err = lanes[i].ctx.err; /* main.c logs it */
        }
        if (i > 0)
            lane_close(&lanes[i]);
    }
    if (code != RF_OK)
        goto out;
    stats->stopped = stats->stopped || atomic_load(w->stop);
    /* A pass cut short by a stop ends ABANDONED: what it did not check, the next one does. */
    code = run_step(w, run_id, stats->stopped ? RUN_ABANDONED : RUN_FINISHED, 0);
    stats->seconds = (double)(rf_monotonic_us() - started) / 1e6;
out:
    rf_arena_destroy(scan);
    free(lanes);
    return code;
}
