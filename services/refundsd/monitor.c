/*
 * Database health and housekeeping (see monitor.h). One thread, one
 * connection, a check every REFUNDS_HEALTH_INTERVAL_MS; changes of the
 * verdict are logged once, not every interval. Each audit checkpoint is
 * logged with its hash, so that the log, kept apart from the database, can
 * vouch for the newest checkpoints too.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_verify_store.h"
#include "cache_listener.h"
#include "idempotency.h"
#include "monitor.h"
#include "refunds/db.h"
#include "refunds/encode.h"
#include "refunds/log.h"
#include "refunds/migrate.h"
#include "refunds/timeutil.h"
#include "refunds/xalloc.h"

/* How many expired idempotency keys one statement deletes. */
#define EXPIRE_BATCH 1000
/* A health check that takes longer than this counts as a failure. */
#define CHECK_BOUND_US (2 * RF_USEC_PER_SEC)
/* Most checkpoints one round takes while a backlog waits; the next round goes on with it. */
#define CHECKPOINTS_PER_ROUND 20

struct rf_monitor {
    const struct rf_settings *settings;
    struct rf_db *db;
    struct rf_arena *arena;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    atomic_bool serving;
    atomic_bool draining; /* lame duck: NOT_SERVING whatever the database says */
    bool reported;        /* a verdict was logged already */
    int64_t next_expire;
    int64_t next_checkpoint;
    uint8_t checkpoint_key[RF_KEY_LEN];
};

static void check(struct rf_monitor *m)
{
    struct rf_error err;
    int version = 0;
    bool ok;
    enum rf_code code;

    rf_error_clear(&err);
    rf_arena_reset(m->arena);
    rf_db_set_deadline(m->db, rf_monotonic_us() + CHECK_BOUND_US);
    code = rf_migrate_version(m->db, m->arena, &err, &version);
    ok = code == RF_OK && version >= rf_migrate_latest();
    if (ok != atomic_load(&m->serving) || !m->reported) {
        if (ok)
            rf_log_msg(RF_LOG_INFO, "health", "SERVING: database reachable, schema version %d",
                       version);
        else if (code != RF_OK)
            rf_log_msg(RF_LOG_WARN, "health", "NOT_SERVING: %s (%s)", err.message, err.detail);
        else
            rf_log_msg(RF_LOG_WARN, "health",
                       "NOT_SERVING: schema version %d, this binary needs %d: run refundsd migrate",
                       version, rf_migrate_latest());
        m->reported = true;
    }
    atomic_store(&m->serving, ok);
}

static void expire_keys(struct rf_monitor *m)
{
    int64_t cutoff = rf_now_us() - m->settings->idempotency_ttl_hours * 3600 * RF_USEC_PER_SEC;
    struct rf_error err;
    int deleted = 0, total = 0;

    rf_error_clear(&err);
    do {
        rf_arena_reset(m->arena);
        rf_db_set_deadline(m->db, rf_monotonic_us() + 10 * RF_USEC_PER_SEC);
        if (rf_idempotency_expire(m->db, m->arena, &err, cutoff, EXPIRE_BATCH, &deleted) != RF_OK) {
            rf_log_msg(RF_LOG_WARN, "idempotency_expire", "%s (%s)", err.message, err.detail);
            return;
        }
        total += deleted;
    } while (deleted == EXPIRE_BATCH);
    if (total > 0)
        rf_log_msg(RF_LOG_INFO, "idempotency_expire", "deleted %d expired idempotency keys", total);
}

/* Takes one checkpoint in its own transaction; true when it was full (more cases wait). */
static bool take_checkpoint(struct rf_monitor *m)
{
    struct rf_ctx ctx = {
        .arena = m->arena,
        .db = m->db,
        .now_us = rf_now_us(),
        .actor = {"refundsd", RF_ROLE_SERVICE},
        .method = "AuditCheckpoint",
    };
    struct rf_audit_checkpoint ck;
    char hex[2 * RF_SHA256_LEN + 1];
    struct rf_logline l;
    bool taken = false;
    enum rf_code code;

    rf_error_clear(&ctx.err);
    rf_arena_reset(m->arena);
    rf_db_set_deadline(m->db, rf_monotonic_us() + 10 * RF_USEC_PER_SEC);
    code = rf_ctx_begin(&ctx);
    if (code == RF_OK)
        code = rf_audit_checkpoint_take(&ctx, m->checkpoint_key, RF_AUDIT_CHECKPOINT_HEADS_MAX, &ck,
                                        &taken);
    if (code == RF_OK && taken)
        code = rf_ctx_commit(&ctx);
    if (code != RF_OK || !taken) {
        rf_ctx_rollback(&ctx);
        /* ALREADY_EXISTS: another replica took this checkpoint first, which is as good. */
        if (code != RF_OK && code != RF_ALREADY_EXISTS)
            rf_log_msg(RF_LOG_WARN, "audit_checkpoint", "%s (%s)", ctx.err.message, ctx.err.detail);
        return false;
    }
    rf_hex_encode(ck.hash, RF_SHA256_LEN, hex);
    rf_log_begin(&l, RF_LOG_INFO, "audit_checkpoint");
    rf_log_int(&l, "checkpoint", ck.id);
    rf_log_int(&l, "heads", ck.n_heads);
    rf_log_str(&l, "hash", hex);
    rf_log_end(&l);
    return ck.n_heads == RF_AUDIT_CHECKPOINT_HEADS_MAX;
}

static void take_checkpoints(struct rf_monitor *m)
{
    bool more = true;

    for (int i = 0; i < CHECKPOINTS_PER_ROUND && more; i++)
        more = take_checkpoint(m);
    m->next_checkpoint =
        more ? 0 : rf_monotonic_us() + m->settings->audit_checkpoint_interval_s * RF_USEC_PER_SEC;
}

static void *run(void *arg)
{
    struct rf_monitor *m = arg;

    pthread_mutex_lock(&m->lock);
    while (!m->stop) {
        struct timespec until;
        int64_t wake_us;

        pthread_mutex_unlock(&m->lock);
        check(m);
        if (atomic_load(&m->serving) && rf_monotonic_us() >= m->next_expire) {
            expire_keys(m);
            m->next_expire = rf_monotonic_us() + m->settings->housekeeping_interval_ms * 1000;
        }
        if (atomic_load(&m->serving) && rf_monotonic_us() >= m->next_checkpoint)
            take_checkpoints(m);
        pthread_mutex_lock(&m->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        wake_us = (int64_t)until.tv_nsec / 1000 + m->settings->health_interval_ms * 1000;
        until.tv_sec += wake_us / RF_USEC_PER_SEC;
        until.tv_nsec = (long)(wake_us % RF_USEC_PER_SEC) * 1000;
        while (!m->stop && pthread_cond_timedwait(&m->wake, &m->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

struct rf_monitor *rf_monitor_start(const struct rf_settings *settings,
                                    const uint8_t checkpoint_key[RF_KEY_LEN])
{
    struct rf_monitor *m = rf_xcalloc(1, sizeof *m);

    m->settings = settings;
    memcpy(m->checkpoint_key, checkpoint_key, RF_KEY_LEN);
    m->db =
        rf_db_create(settings->database_url, "refundsd-monitor", settings->statement_timeout_ms);
    /* The audit checkpoint marks the cases it covers: their announcements follow its COMMIT. */
    rf_db_defer_announcements(m->db, RF_CASES_CHANNEL);
    m->arena = rf_arena_create(0);
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->wake, NULL);
    atomic_init(&m->serving, false);
    atomic_init(&m->draining, false);
    m->next_expire = 0;
    m->next_checkpoint = 0;
    check(m);
    if (pthread_create(&m->thread, NULL, run, m) != 0)
        abort();
    return m;
}

void rf_monitor_stop(struct rf_monitor *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->lock);
    m->stop = true;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    rf_db_destroy(m->db);
    rf_arena_destroy(m->arena);
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

bool rf_monitor_serving(const struct rf_monitor *m)
{
    return atomic_load(&m->serving) && !atomic_load(&m->draining);
}

void rf_monitor_set_draining(struct rf_monitor *m)
{
    atomic_store(&m->draining, true);
}
