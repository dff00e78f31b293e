/*
 * refunds-reconciler's configuration, read once from the environment
 * (docs/reconciliation.md lists every variable; the classifier's windows are
 * recon_config.h's). Immutable afterwards.
 */
#ifndef REFUNDS_RECON_SETTINGS_H
#define REFUNDS_RECON_SETTINGS_H

#include "refunds/log.h"
#include "refunds/status.h"

struct rf_recon_settings {
    const char *database_url; /* REFUNDS_DATABASE_URL */
    const char *redis_url;    /* REFUNDS_REDIS_URL */
    const char *worker;       /* REFUNDS_RECON_WORKER: this instance's name; host:pid by default */
    const char *providers;    /* REFUNDS_RECON_PROVIDERS: scanned for orphans, comma-separated */
    long long interval_s;     /* REFUNDS_RECONCILE_INTERVAL_S: between passes of the daemon */
    long long batch;          /* REFUNDS_RECON_BATCH: refunds per batch (one transaction) */
    long long threads;        /* REFUNDS_RECON_THREADS: batches in progress at once (pass.c) */
    long long wake_chunk;     /* REFUNDS_RECON_WAKE_CHUNK: refunds woken per statement (pass.c) */
    long long orphan_days;    /* REFUNDS_RECON_ORPHAN_DAYS: days of provider refunds scanned */
    long long orphan_grace_s; /* REFUNDS_RECON_ORPHAN_GRACE_SECONDS: younger ones are not orphans */
    long long retry_max_ms;   /* REFUNDS_RECON_RETRY_MAX_MS: longest wait between retries */
    long long give_up_s;      /* REFUNDS_RECON_GIVE_UP_SECONDS: --once fails after this long down */
    long long statement_timeout_ms; /* REFUNDS_STATEMENT_TIMEOUT_MS */
    long long redis_timeout_ms;     /* REFUNDS_REDIS_TIMEOUT_MS */
    long long test_batch_delay_ms;  /* REFUNDS_RECON_TEST_BATCH_DELAY_MS: tests only, 0 */
    enum rf_log_level log_level;    /* REFUNDS_LOG_LEVEL */
};

/* Reads the environment into s; INVALID_ARGUMENT naming the variable on a bad value. */
enum rf_code rf_recon_settings_load(struct rf_recon_settings *s, struct rf_error *err);

#endif
