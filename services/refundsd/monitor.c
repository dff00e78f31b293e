/*
 * Database health and housekeeping (see monitor.h). One thread, one
 * connection, a check every REFUNDS_HEALTH_INTERVAL_MS; changes of the
 * verdict are logged once, not every interval.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "idempotency.h"
#include "monitor.h"
#include "refunds/db.h"
#include "refunds/log.h"
#include "refunds/migrate.h"
#include "refunds/timeutil.h"
#include "refunds/xalloc.h"

/* How many expired idempotency keys one statement deletes. */
#define EXPIRE_BATCH 1000
/* A health check that takes longer than this counts as a failure. */
#define CHECK_BOUND_US (2 * RF_USEC_PER_SEC)

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

struct rf_monitor *rf_monitor_start(const struct rf_settings *settings)
{
    struct rf_monitor *m = rf_xcalloc(1, sizeof *m);

    m->settings = settings;
    m->db =
        rf_db_create(settings->database_url, "refundsd-monitor", settings->statement_timeout_ms);
    m->arena = rf_arena_create(0);
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->wake, NULL);
    atomic_init(&m->serving, false);
    atomic_init(&m->draining, false);
    m->next_expire = 0;
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
