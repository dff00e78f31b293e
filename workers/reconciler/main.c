/*
 * refunds-reconciler: checks every issued refund against the payment
 * provider's records cached in Redis and writes findings (docs/reconciliation.md).
 * As a daemon it runs a pass every REFUNDS_RECONCILE_INTERVAL_S until SIGTERM
 * or SIGINT, which lets the batch in progress commit and exits 0; with --once
 * it runs one full pass and exits 0 when it finished (1 when the database or
 * Redis stayed away longer than REFUNDS_RECON_GIVE_UP_SECONDS). Configuration
 * from the environment (settings.c, recon_config.c); JSON logs like refundsd.
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "pass.h"
#include "refunds/log.h"
#include "refunds/timeutil.h"

static atomic_bool stop;

static void *watch_signals(void *arg)
{
    sigset_t *signals = arg;
    int sig = 0;

    sigwait(signals, &sig);
    rf_log_msg(RF_LOG_INFO, "shutdown", "%s received: finishing the batch in progress",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
    atomic_store(&stop, true);
    return NULL;
}

static void log_pass(const struct rf_pass_stats *st)
{
    struct rf_logline l;

    rf_log_begin(&l, RF_LOG_INFO, "pass");
    rf_log_int(&l, "checked", st->checked);
    rf_log_int(&l, "unknown", st->unknown);
    rf_log_int(&l, "woken", st->woken);
    rf_log_int(&l, "batches", st->batches);
    rf_log_int(&l, "opened", st->opened);
    rf_log_int(&l, "closed", st->closed);
    rf_log_int(&l, "provider_scanned", st->scanned);
    rf_log_int(&l, "orphans", st->orphans);
    rf_log_ms(&l, "seconds", st->seconds);
    rf_log_int(&l, "refunds_per_second",
               st->seconds > 0 ? (long long)((double)st->checked / st->seconds) : 0);
    rf_log_str(&l, "ended", st->stopped ? "stopped" : "finished");
    rf_log_end(&l);
}

static int usage(FILE *to)
{
    fputs("usage: refunds-reconciler [--once]\n"
          "  (no option)  run a pass every REFUNDS_RECONCILE_INTERVAL_S until SIGTERM\n"
          "  --once       run one full pass and exit (0 when it finished)\n"
          "Configuration comes from REFUNDS_* environment variables; see docs/reconciliation.md.\n",
          to);
    return to == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    struct rf_recon_settings settings;
    struct rf_recon_config config;
    struct rf_arrival_table arrival;
    struct rf_recon_worker w = {0};
    struct rf_error err;
    sigset_t signals;
    pthread_t watcher;
    bool once = false;
    int rc = 0;

    /*
     * No fastbins: a batch mallocs and frees some 60,000 small hiredis reply
     * objects, whose free chunks glibc then consolidated in one sweep at the
     * batch's next large free (a fifth of the worker's CPU).
     */
    mallopt(M_MXFAST, 0);
    if (argc > 2)
        return usage(stderr);
    if (argc == 2) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
            return usage(stdout);
        if (strcmp(argv[1], "--once") != 0)
            return usage(stderr);
        once = true;
    }
    rf_error_clear(&err);
    if (rf_recon_settings_load(&settings, &err) != RF_OK ||
        rf_recon_config_from_env(&config, &arrival, &err) != RF_OK) {
        fprintf(stderr, "refunds-reconciler: %s\n", err.message);
        return 2;
    }
    rf_log_init("refunds-reconciler", settings.log_level);
    w.cache = rf_cache_create(settings.redis_url, 3000, (int)settings.redis_timeout_ms, &err);
    if (w.cache == NULL) {
        fprintf(stderr, "refunds-reconciler: REFUNDS_REDIS_URL: %s\n", err.message);
        return 2;
    }
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    atomic_init(&stop, false);
    pthread_create(&watcher, NULL, watch_signals, &signals);
    pthread_detach(watcher);

    w.settings = &settings;
    w.config = &config;
    w.stop = &stop;
    w.give_up = once;
    w.ctx.arena = rf_arena_create(1 << 20);
    w.ctx.db =
        rf_db_create(settings.database_url, "refunds-reconciler", settings.statement_timeout_ms);
    w.ctx.actor.subject = "refunds-reconciler";
    w.ctx.actor.role = RF_ROLE_SERVICE;
    w.ctx.method = "Reconcile";
    rf_log_msg(RF_LOG_INFO, "start", "%s, batches of %lld on %lld threads, %s", settings.worker,
               settings.batch, settings.threads, once ? "one pass" : "a pass at every interval");
    for (;;) {
        struct rf_pass_stats st;
        enum rf_code code = rf_recon_pass(&w, &st);

        if (code != RF_OK) {
            rf_log_msg(RF_LOG_ERROR, "pass", "gave up: %s", w.ctx.err.message);
            rc = 1;
            break;
        }
        log_pass(&st);
        if (once || atomic_load(&stop))
            break;
        for (long long waited = 0; waited < settings.interval_s * 1000 && !atomic_load(&stop);
             waited += 100)
            rf_sleep_ms(100);
        if (atomic_load(&stop))
            break;
    }
    rf_db_destroy(w.ctx.db);
    rf_arena_destroy(w.ctx.arena);
    rf_cache_destroy(w.cache);
    rf_log_msg(RF_LOG_INFO, "shutdown", "stopped");
    return rc;
}
