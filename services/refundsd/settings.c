/*
 * Reads refundsd's settings from the environment (see settings.h). Defaults
 * suit the local run; production sets at least REFUNDS_DATABASE_URL and
 * REFUNDS_TOKENS_FILE.
 */
#include <string.h>

#include "refunds/config.h"
#include "settings.h"

/* True when host (not NUL-terminated, n bytes) is a dotted IPv4 address in 127.0.0.0/8. */
static bool ipv4_loopback(const char *host, size_t n)
{
    int dots = 0;

    if (n < 9 || strncmp(host, "127.", 4) != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (host[i] == '.')
            dots++;
        else if (host[i] < '0' || host[i] > '9')
            return false;
    }
    return dots == 3;
}

bool rf_settings_addr_is_loopback(const char *addr)
{
    const char *colon;
    size_t n;

    if (strncmp(addr, "unix:", 5) == 0)
        return true;
    if (strncmp(addr, "ipv4:", 5) == 0 || strncmp(addr, "ipv6:", 5) == 0)
        addr += 5;
    colon = strrchr(addr, ':');
    if (colon == NULL)
        return false;
    n = (size_t)(colon - addr);
    return (n == 9 && strncmp(addr, "localhost", 9) == 0) ||
           (n == 5 && strncmp(addr, "[::1]", 5) == 0) || ipv4_loopback(addr, n);
}

enum rf_code rf_settings_load(struct rf_settings *s, struct rf_error *err)
{
    const char *level = rf_env_str("REFUNDS_LOG_LEVEL", "info");
    enum rf_code code = RF_OK;

    s->grpc_addr = rf_env_str("REFUNDS_GRPC_ADDR", "127.0.0.1:50051");
    s->database_url = rf_env_str("REFUNDS_DATABASE_URL", "postgresql:///refunds");
    s->migrate_database_url = rf_env_str("REFUNDS_MIGRATE_DATABASE_URL", s->database_url);
    s->tokens_file = rf_env_str("REFUNDS_TOKENS_FILE", NULL);
    if (!rf_log_level_parse(level, &s->log_level))
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "REFUNDS_LOG_LEVEL must be debug, info, warn or error, not \"%s\"", level);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_THREADS", 4, 1, 256, &s->threads, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_DEFAULT_DEADLINE_MS", 30000, 1, 3600000, &s->default_deadline_ms,
                          err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_STATEMENT_TIMEOUT_MS", 60000, 100, 3600000,
                          &s->statement_timeout_ms, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_MAX_CONNECTION_AGE_MS", 10000, 100, 86400000,
                          &s->max_connection_age_ms, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_DRAIN_MS", s->max_connection_age_ms * 11 / 10 + 1000, 0, 600000,
                          &s->drain_ms, err);
    if (code == RF_OK)
        code =
            rf_env_int("REFUNDS_SHUTDOWN_GRACE_MS", 10000, 0, 600000, &s->shutdown_grace_ms, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_APPROVAL_SLA_SECONDS", 86400, 1, 90LL * 86400,
                          &s->approval_sla_seconds, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_IDEMPOTENCY_TTL_HOURS", 48, 24, 24 * 365,
                          &s->idempotency_ttl_hours, err);
    if (code == RF_OK)
        code =
            rf_env_int("REFUNDS_HEALTH_INTERVAL_MS", 1000, 50, 60000, &s->health_interval_ms, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_HOUSEKEEPING_INTERVAL_MS", 60000, 100, 86400000,
                          &s->housekeeping_interval_ms, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_MAX_MESSAGE_BYTES", 1 << 20, 1024, 64 << 20,
                          &s->max_message_bytes, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_CASE_CACHE_MB", 64, 0, 65536, &s->case_cache_mb, err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_CASE_CACHE_TTL_MS", 60000, 100, 86400000, &s->case_cache_ttl_ms,
                          err);
    if (code == RF_OK)
        code = rf_env_int("REFUNDS_TEST_DELAY_AFTER_COMMIT_MS", 0, 0, 60000,
                          &s->test_delay_after_commit_ms, err);
    if (code == RF_OK)
        code = rf_env_bool("REFUNDS_ALLOW_INSECURE_REMOTE", false, &s->allow_insecure_remote, err);
    if (code == RF_OK && !s->allow_insecure_remote && !rf_settings_addr_is_loopback(s->grpc_addr))
        code =
            rf_fail(err, RF_INVALID_ARGUMENT,
                    "REFUNDS_GRPC_ADDR %s is not a loopback address and calls are not encrypted: "
                    "set REFUNDS_ALLOW_INSECURE_REMOTE=true only behind a TLS-terminating proxy",
                    s->grpc_addr);
    return code;
}
