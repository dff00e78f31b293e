/*
 * Reads refunds-reconciler's settings (see settings.h): one table of the
 * integers, as refundsd does, and the strings.
 */
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "refunds/config.h"
#include "settings.h"

#define INT(var, field, def, min, max)                                                             \
    {                                                                                              \
        var, offsetof(struct rf_recon_settings, field), def, min, max                              \
    }

static const struct rf_env_int ints[] = {
    INT("REFUNDS_RECONCILE_INTERVAL_S", interval_s, 60, 1, 86400),
    INT("REFUNDS_RECON_BATCH", batch, 2000, 1000, 100000),
    INT("REFUNDS_RECON_THREADS", threads, 2, 1, 16),
    INT("REFUNDS_RECON_WAKE_CHUNK", wake_chunk, 10000, 1, 1000000),
    INT("REFUNDS_RECON_ORPHAN_DAYS", orphan_days, 7, 0, 90),
    INT("REFUNDS_RECON_ORPHAN_GRACE_SECONDS", orphan_grace_s, 3600, 0, 30 * 86400),
    INT("REFUNDS_RECON_RETRY_MAX_MS", retry_max_ms, 30000, 10, 600000),
    INT("REFUNDS_RECON_GIVE_UP_SECONDS", give_up_s, 600, 1, 86400),
    INT("REFUNDS_STATEMENT_TIMEOUT_MS", statement_timeout_ms, 60000, 100, 3600000),
    INT("REFUNDS_REDIS_TIMEOUT_MS", redis_timeout_ms, 5000, 10, 600000),
    INT("REFUNDS_RECON_TEST_BATCH_DELAY_MS", test_batch_delay_ms, 0, 0, 60000),
};

enum rf_code rf_recon_settings_load(struct rf_recon_settings *s, struct rf_error *err)
{
    static char worker[300];
    const char *level = rf_env_str("REFUNDS_LOG_LEVEL", "info");
    char host[256] = "localhost";

    gethostname(host, sizeof host - 1);
    snprintf(worker, sizeof worker, "%s:%ld", host, (long)getpid());
    s->database_url = rf_env_str("REFUNDS_DATABASE_URL", "postgresql:///refunds");
    s->redis_url = rf_env_str("REFUNDS_REDIS_URL", "redis://127.0.0.1:6379");
    s->worker = rf_env_str("REFUNDS_RECON_WORKER", worker);
    s->providers = rf_env_str("REFUNDS_RECON_PROVIDERS", "stripe,adyen,paypal,checkout,other");
    if (!rf_log_level_parse(level, &s->log_level))
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "REFUNDS_LOG_LEVEL must be debug, info, warn or error, not \"%s\"", level);
    return rf_env_read_ints(ints, sizeof ints / sizeof ints[0], s, err);
}
