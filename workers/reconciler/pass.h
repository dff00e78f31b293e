/*
 * One pass of the reconciler over the refunds due for a check: its run row,
 * the batches (claim, look up in Redis, classify, write — one transaction
 * each, so that a crash loses nothing and duplicates nothing), then the scan
 * for provider refunds we never issued; both on REFUNDS_RECON_THREADS
 * threads at once, each with its own connections. A failure of Redis or
 * PostgreSQL rolls the batch back and is retried with backoff; nothing is
 * written from data that could not be read. The loop of passes and the
 * signals are main.c's.
 */
#ifndef REFUNDS_RECON_PASS_H
#define REFUNDS_RECON_PASS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "recon_config.h"
#include "refunds/cache.h"
#include "refunds/ctx.h"
#include "settings.h"

/* The most providers REFUNDS_RECON_PROVIDERS may name. */
#define RF_RECON_PROVIDERS_MAX 16

/* What a pass needs and keeps between passes; one per process. */
struct rf_recon_worker {
    const struct rf_recon_settings *settings;
    const struct rf_recon_config *config;
    struct rf_ctx ctx;      /* the first thread's batch context: arena reset per batch */
    struct rf_cache *cache; /* the first thread's Redis (the others open their own per pass) */
    atomic_bool *stop;      /* set by SIGTERM: finish the batch, then stop */
    bool give_up;           /* --once: fail after settings->give_up_s of retries */
    /*
     * Per provider of settings->providers, in its order: the loaded_at of its
     * snapshot when a pass last woke its refunds awaiting data (0: never).
     */
    int64_t loaded_seen[RF_RECON_PROVIDERS_MAX];
};

/* What a pass did, for its log line. */
struct rf_pass_stats {
    long long checked, unknown, batches, opened, closed, scanned, orphans;
    long long woken; /* made due by the wake before the pass */
    double seconds;
    bool stopped; /* it ended early: a stop was asked for */
};

/*
 * Runs one pass. RF_OK when it finished (or stopped at a stop request after a
 * batch); UNAVAILABLE when, with give_up set, the database or Redis stayed
 * away for too long.
 */
enum rf_code rf_recon_pass(struct rf_recon_worker *w, struct rf_pass_stats *stats);

#endif
