/*
 * The cache's invalidation listener (see cache_listener.h). One thread, one
 * connection, a poll every quarter second so that it stops promptly.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache_listener.h"
#include "refunds/crypto.h"
#include "refunds/db.h"
#include "refunds/log.h"
#include "refunds/timeutil.h"
#include "refunds/xalloc.h"

#define POLL_MS  250
#define RETRY_MS 1000

struct rf_cache_listener {
    struct rf_case_cache *cache;
    struct rf_db *db;
    pthread_t thread;
    atomic_bool stop;
};

/*
 * A payload is one case id or several, comma-separated (migration 0015: a
 * statement's changes in notifications of up to 200 ids). A part too long to
 * be an id names no cached case.
 */
static void on_notify(void *arg, const char *payload)
{
    char id[RF_UUID_TEXT_LEN + 1];

    for (const char *p = payload;; p++) {
        const char *end = strchr(p, ',');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

        if (n > 0 && n < sizeof id) {
            memcpy(id, p, n);
            id[n] = '\0';
            rf_case_cache_invalidate(arg, id);
        }
        if (end == NULL)
            return;
        p = end;
    }
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static void *run(void *arg)
{
    struct rf_cache_listener *l = arg;
    struct rf_error err;
    bool listening = false;

    while (!atomic_load(&l->stop)) {
        rf_error_clear(&err);
        if (!listening) {
            rf_db_set_deadline(l->db, rf_monotonic_us() + 5 * RF_USEC_PER_SEC);
            if (rf_db_listen(l->db, &err, RF_CASES_CHANNEL) != RF_OK) {
                for (long waited = 0; waited < RETRY_MS && !atomic_load(&l->stop);
                     waited += POLL_MS)
                    pause_ms(POLL_MS);
                continue;
            }
            rf_db_set_deadline(l->db, 0);
            /* Whatever changed while nobody listened is unknown: start empty. */
            rf_case_cache_set_enabled(l->cache, false);
            rf_case_cache_set_enabled(l->cache, true);
            listening = true;
            rf_log_msg(RF_LOG_INFO, "case_cache", "listening for case changes: cache enabled");
        }
        if (rf_db_notifications(l->db, &err, POLL_MS, on_notify, l->cache) != RF_OK) {
            rf_case_cache_set_enabled(l->cache, false);
            listening = false;
            rf_log_msg(RF_LOG_WARN, "case_cache",
                       "lost the listening connection: cache disabled (%s)", err.detail);
        }
    }
    rf_case_cache_set_enabled(l->cache, false);
    return NULL;
}

struct rf_cache_listener *rf_cache_listener_start(const struct rf_settings *settings,
                                                  struct rf_case_cache *c)
{
    struct rf_cache_listener *l = rf_xcalloc(1, sizeof *l);

    l->cache = c;
    l->db =
        rf_db_create(settings->database_url, "refundsd-listener", settings->statement_timeout_ms);
    atomic_init(&l->stop, false);
    if (pthread_create(&l->thread, NULL, run, l) != 0)
        abort();
    return l;
}

void rf_cache_listener_stop(struct rf_cache_listener *l)
{
    if (l == NULL)
        return;
    atomic_store(&l->stop, true);
    pthread_join(l->thread, NULL);
    rf_db_destroy(l->db);
    free(l);
}
