/*
 * Reads refundsd's settings from the environment (see settings.h). Defaults
 * suit the local run; production sets at least REFUNDS_DATABASE_URL and
 * REFUNDS_TOKENS_FILE.
 */
#include <stddef.h>
#include <string.h>

#include "refunds/config.h"
#include "refunds/validate.h"
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

#define INT(var, field, def, min, max)                                                             \
    {                                                                                              \
        var, offsetof(struct rf_settings, field), def, min, max                                    \
    }

/* Every integer setting: variable, field, default, bounds. docs/operations.md lists them. */
static const struct rf_env_int ints[] = {
    INT("REFUNDS_THREADS", threads, 4, 1, 256),
    INT("REFUNDS_STREAM_THREADS", stream_threads, 2, 1, 64),
    INT("REFUNDS_STREAM_STALL_MS", stream_stall_ms, 60000, 100, 3600000),
    INT("REFUNDS_DEFAULT_DEADLINE_MS", default_deadline_ms, 30000, 1, 3600000),
    INT("REFUNDS_STATEMENT_TIMEOUT_MS", statement_timeout_ms, 60000, 100, 3600000),
    INT("REFUNDS_MAX_CONNECTION_AGE_MS", max_connection_age_ms, 10000, 100, 86400000),
    /* -1: the default follows the connection age (see below). */
    INT("REFUNDS_DRAIN_MS", drain_ms, -1, 0, 600000),
    INT("REFUNDS_SHUTDOWN_GRACE_MS", shutdown_grace_ms, 10000, 0, 600000),
    /* 0: the policy's SLA for the priority; more: every escalation is due that late (drills,
       tests). */
    INT("REFUNDS_APPROVAL_SLA_SECONDS", approval_sla_seconds, 0, 0, 90LL * 86400),
    INT("REFUNDS_IDEMPOTENCY_TTL_HOURS", idempotency_ttl_hours, 48, 24, 24 * 365),
    INT("REFUNDS_HEALTH_INTERVAL_MS", health_interval_ms, 1000, 50, 60000),
    INT("REFUNDS_HOUSEKEEPING_INTERVAL_MS", housekeeping_interval_ms, 60000, 100, 86400000),
    INT("REFUNDS_AUDIT_CHECKPOINT_INTERVAL_S", audit_checkpoint_interval_s, 300, 1, 86400),
    INT("REFUNDS_MAX_MESSAGE_BYTES", max_message_bytes, 1 << 20, 1024, 64 << 20),
    INT("REFUNDS_CASE_CACHE_MB", case_cache_mb, 64, 0, 65536),
    INT("REFUNDS_CASE_CACHE_TTL_MS", case_cache_ttl_ms, 60000, 100, 86400000),
    INT("REFUNDS_TRACKING_TOKEN_DAYS", tracking_token_days, 400, 1, 3650),
    INT("REFUNDS_TEST_DELAY_AFTER_COMMIT_MS", test_delay_after_commit_ms, 0, 0, 60000),
    INT("REFUNDS_REPORT_WORK_MEM_MB", report_work_mem_mb, 256, 4, 16384),
    INT("REFUNDS_OFFER_VALID_DAYS", offer_valid_days, 30, 1, 365),
    INT("REFUNDS_STORE_CREDIT_VALID_DAYS", store_credit_valid_days, 365, 1, 3650),
    INT("REFUNDS_VOUCHER_PERCENT", voucher_percent, 10, 1, 100),
    INT("REFUNDS_SATISFACTION_DELAY_DAYS", satisfaction_delay_days, 3, 0, 60),
};

/* Longest REFUNDS_TRACKING_BASE_URL: the token (55 characters) must still fit a message line. */
#define TRACKING_BASE_URL_MAX 300

/* An http(s) URL of printable ASCII without spaces, to which a token can be appended. */
static bool base_url_valid(const char *u)
{
    size_t n = strlen(u);

    if (n > TRACKING_BASE_URL_MAX ||
        (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0))
        return false;
    for (const char *p = u; *p != '\0'; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

enum rf_code rf_settings_load(struct rf_settings *s, struct rf_error *err)
{
    const char *level = rf_env_str("REFUNDS_LOG_LEVEL", "info");
    enum rf_code code;

    s->grpc_addr = rf_env_str("REFUNDS_GRPC_ADDR", "127.0.0.1:50051");
    s->database_url = rf_env_str("REFUNDS_DATABASE_URL", "postgresql:///refunds");
    s->migrate_database_url = rf_env_str("REFUNDS_MIGRATE_DATABASE_URL", s->database_url);
    s->tokens_file = rf_env_str("REFUNDS_TOKENS_FILE", NULL);
    s->server_key_file = rf_env_str("REFUNDS_SERVER_KEY_FILE", NULL);
    s->support_contact = rf_env_str("REFUNDS_SUPPORT_CONTACT", NULL);
    if (!rf_log_level_parse(level, &s->log_level))
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "REFUNDS_LOG_LEVEL must be debug, info, warn or error, not \"%s\"", level);
    code = rf_env_read_ints(ints, sizeof ints / sizeof ints[0], s, err);
    /* Long enough for every connection to get its GOAWAY (age + 10 % jitter) and a second. */
    if (code == RF_OK && s->drain_ms < 0)
        s->drain_ms = s->max_connection_age_ms * 11 / 10 + 1000;
    if (code == RF_OK)
        code = rf_env_bool("REFUNDS_ALLOW_INSECURE_REMOTE", false, &s->allow_insecure_remote, err);
    rf_arrival_table_init(&s->arrival);
    if (code == RF_OK) {
        struct rf_error parse_err;

        rf_error_clear(&parse_err);
        if (rf_arrival_table_parse(&s->arrival, rf_env_str("REFUNDS_RECON_ARRIVAL_WINDOWS", ""),
                                   &parse_err) != RF_OK)
            code = rf_fail(err, RF_INVALID_ARGUMENT, "REFUNDS_RECON_ARRIVAL_WINDOWS: %s",
                           parse_err.message);
    }
    s->merchant_name = rf_env_str("REFUNDS_MERCHANT_NAME", "Example Shop");
    if (code == RF_OK && (!rf_text_has_content(s->merchant_name) ||
                          rf_text_check(s->merchant_name, 100, 0) != RF_TEXT_OK))
        code = rf_fail(err, RF_INVALID_ARGUMENT,
                       "REFUNDS_MERCHANT_NAME must be one line of 1 to 100 characters, as the "
                       "customer's bank statement shows the shop");
    s->tracking_base_url = rf_env_str("REFUNDS_TRACKING_BASE_URL", NULL);
    if (code == RF_OK && s->tracking_base_url != NULL && !base_url_valid(s->tracking_base_url))
        code = rf_fail(err, RF_INVALID_ARGUMENT,
                       "REFUNDS_TRACKING_BASE_URL must be an http or https URL of at most %d "
                       "printable characters without spaces, to which the tracking token is "
                       "appended, not \"%.80s\"",
                       TRACKING_BASE_URL_MAX, s->tracking_base_url);
    s->supervisor_assignee = rf_env_str("REFUNDS_SUPERVISOR_ASSIGNEE", "supervisor");
    if (code == RF_OK && !rf_subject_valid(s->supervisor_assignee))
        code = rf_fail(err, RF_INVALID_ARGUMENT,
                       "REFUNDS_SUPERVISOR_ASSIGNEE must be a subject of letters, digits and "
                       "._@:+-, not \"%.80s\"",
                       s->supervisor_assignee);
    if (code == RF_OK && !s->allow_insecure_remote && !rf_settings_addr_is_loopback(s->grpc_addr))
        code =
            rf_fail(err, RF_INVALID_ARGUMENT,
                    "REFUNDS_GRPC_ADDR %s is not a loopback address and calls are not encrypted: "
                    "set REFUNDS_ALLOW_INSECURE_REMOTE=true only behind a TLS-terminating proxy",
                    s->grpc_addr);
    return code;
}
