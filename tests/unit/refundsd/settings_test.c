/*
 * Unit tests of refundsd's settings (services/refundsd/settings.c): safe
 * defaults, errors that name the variable and repeat the bad value, and which
 * listen addresses count as loopback. Criterion runs every test in its own
 * process, so the environment changes here do not leak between tests.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "settings.h"
#include "test_env.h"

static struct rf_settings s;
static struct rf_error err;

/* Starts every test from an environment without any REFUNDS_* variable. */
static void clean_env(void)
{
    test_clear_env("REFUNDS_");
    memset(&s, 0, sizeof s);
    rf_error_clear(&err);
}

TestSuite(settings, .init = clean_env);

static void set(const char *name, const char *value)
{
    test_set_env(name, value);
}

/* Loading fails with INVALID_ARGUMENT and a message naming name and showing value. */
static void expect_refused(const char *name, const char *value)
{
    set(name, value);
    cr_assert_eq(rf_settings_load(&s, &err), RF_INVALID_ARGUMENT, "%s=%s accepted", name, value);
    cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, name) != NULL, "\"%s\" does not name %s", err.message, name);
    cr_assert(strstr(err.message, value) != NULL, "\"%s\" does not show \"%s\"", err.message,
              value);
}

Test(settings, defaults_load_and_are_safe)
{
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_not_null(s.grpc_addr);
    cr_assert(rf_settings_addr_is_loopback(s.grpc_addr), "default address %s is not loopback",
              s.grpc_addr);
    cr_assert_not(s.allow_insecure_remote);
    cr_assert_null(s.tokens_file);
    cr_assert_not_null(s.database_url);
    cr_assert_str_eq(s.migrate_database_url, s.database_url);
    cr_assert_eq(s.log_level, RF_LOG_INFO);
}

Test(settings, defaults_are_those_docs_operations_md_promises)
{
    /* The "Default" column of the table in docs/operations.md. */
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(s.grpc_addr, "127.0.0.1:50051");
    cr_assert_str_eq(s.database_url, "postgresql:///refunds");
    cr_assert_eq(s.threads, 4);
    cr_assert_eq(s.default_deadline_ms, 30000);
    cr_assert_eq(s.statement_timeout_ms, 60000);
    cr_assert_eq(s.shutdown_grace_ms, 10000);
    cr_assert_eq(s.approval_sla_seconds, 0, "0: the policy's SLA decides");
    cr_assert_eq(s.idempotency_ttl_hours, 48);
    cr_assert_eq(s.health_interval_ms, 1000);
    cr_assert_eq(s.housekeeping_interval_ms, 60000);
    cr_assert_eq(s.audit_checkpoint_interval_s, 300);
    cr_assert_eq(s.max_message_bytes, 1048576);
    cr_assert_eq(s.case_cache_mb, 64);
    cr_assert_eq(s.case_cache_ttl_ms, 60000);
    cr_assert_eq(s.report_work_mem_mb, 256);
    cr_assert_null(s.tracking_base_url, "unset: main.c warns and links to an example");
    cr_assert_eq(s.offer_valid_days, 30);
    cr_assert_eq(s.store_credit_valid_days, 365);
    cr_assert_eq(s.voucher_percent, 10);
    cr_assert_eq(s.satisfaction_delay_days, 3);
    cr_assert_str_eq(s.supervisor_assignee, "supervisor");
}

Test(settings, defaults_respect_their_own_bounds)
{
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_geq(s.threads, 1);
    cr_assert_geq(s.idempotency_ttl_hours, 24, "settings.h: at least 24 hours");
    /* The statement timeout is a backstop behind the call deadline, so it is not shorter. */
    cr_assert_geq(s.statement_timeout_ms, s.default_deadline_ms);
    cr_assert_geq(s.approval_sla_seconds, 0);
    cr_assert_gt(s.health_interval_ms, 0);
    cr_assert_geq(s.shutdown_grace_ms, 0);
    cr_assert_geq(s.max_message_bytes, 1024);
}

Test(settings, reads_the_variables)
{
    set("REFUNDS_GRPC_ADDR", "0.0.0.0:6000");
    set("REFUNDS_DATABASE_URL", "postgresql://app@db/refunds");
    set("REFUNDS_TOKENS_FILE", "/etc/refunds/tokens");
    set("REFUNDS_THREADS", "16");
    set("REFUNDS_IDEMPOTENCY_TTL_HOURS", "24");
    set("REFUNDS_ALLOW_INSECURE_REMOTE", "TRUE");
    set("REFUNDS_LOG_LEVEL", "debug");
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(s.grpc_addr, "0.0.0.0:6000");
    cr_assert_str_eq(s.database_url, "postgresql://app@db/refunds");
    cr_assert_str_eq(s.migrate_database_url, "postgresql://app@db/refunds",
                     "the migration URL falls back to the database URL");
    cr_assert_str_eq(s.tokens_file, "/etc/refunds/tokens");
    cr_assert_eq(s.threads, 16);
    cr_assert_eq(s.idempotency_ttl_hours, 24);
    cr_assert(s.allow_insecure_remote);
    cr_assert_eq(s.log_level, RF_LOG_DEBUG);
}

Test(settings, a_separate_migration_url_is_kept)
{
    set("REFUNDS_DATABASE_URL", "postgresql://app@db/refunds");
    set("REFUNDS_MIGRATE_DATABASE_URL", "postgresql://owner@db/refunds");
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(s.migrate_database_url, "postgresql://owner@db/refunds");
}

Test(settings, an_empty_variable_counts_as_unset)
{
    struct rf_settings def;

    cr_assert_eq(rf_settings_load(&def, &err), RF_OK);
    set("REFUNDS_THREADS", "");
    set("REFUNDS_GRPC_ADDR", "");
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_eq(s.threads, def.threads);
    cr_assert_str_eq(s.grpc_addr, def.grpc_addr);
}

Test(settings, a_non_integer_is_refused_by_name)
{
    expect_refused("REFUNDS_THREADS", "four");
}

Test(settings, an_integer_with_trailing_text_is_refused_by_name)
{
    expect_refused("REFUNDS_DEFAULT_DEADLINE_MS", "30s");
}

Test(settings, an_integer_below_its_minimum_is_refused_by_name)
{
    expect_refused("REFUNDS_THREADS", "0");
}

Test(settings, an_integer_above_its_maximum_is_refused_by_name)
{
    expect_refused("REFUNDS_MAX_MESSAGE_BYTES", "1073741824");
}

Test(settings, an_integer_that_overflows_is_refused_by_name)
{
    expect_refused("REFUNDS_SHUTDOWN_GRACE_MS", "99999999999999999999");
}

Test(settings, an_idempotency_ttl_under_a_day_is_refused)
{
    expect_refused("REFUNDS_IDEMPOTENCY_TTL_HOURS", "23");
}

Test(settings, a_bad_boolean_is_refused_by_name)
{
    expect_refused("REFUNDS_ALLOW_INSECURE_REMOTE", "maybe");
}

Test(settings, the_approval_sla_override_is_off_by_default_and_never_negative)
{
    set("REFUNDS_APPROVAL_SLA_SECONDS", "1");
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_eq(s.approval_sla_seconds, 1);
    expect_refused("REFUNDS_APPROVAL_SLA_SECONDS", "-1");
}

Test(settings, a_bad_log_level_is_refused_by_name)
{
    expect_refused("REFUNDS_LOG_LEVEL", "verbose");
}

Test(settings, every_integer_variable_names_itself_when_bad)
{
    static const char *const ints[] = {
        "REFUNDS_THREADS",
        "REFUNDS_DEFAULT_DEADLINE_MS",
        "REFUNDS_STATEMENT_TIMEOUT_MS",
        "REFUNDS_SHUTDOWN_GRACE_MS",
        "REFUNDS_APPROVAL_SLA_SECONDS",
        "REFUNDS_IDEMPOTENCY_TTL_HOURS",
        "REFUNDS_HEALTH_INTERVAL_MS",
        "REFUNDS_HOUSEKEEPING_INTERVAL_MS",
        "REFUNDS_AUDIT_CHECKPOINT_INTERVAL_S",
        "REFUNDS_MAX_MESSAGE_BYTES",
        "REFUNDS_CASE_CACHE_MB",
        "REFUNDS_CASE_CACHE_TTL_MS",
        "REFUNDS_REPORT_WORK_MEM_MB",
        "REFUNDS_OFFER_VALID_DAYS",
        "REFUNDS_STORE_CREDIT_VALID_DAYS",
        "REFUNDS_VOUCHER_PERCENT",
        "REFUNDS_SATISFACTION_DELAY_DAYS",
    };

    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        clean_env();
        expect_refused(ints[i], "x1");
    }
}

Test(settings, the_tracking_base_url_is_an_http_url_a_token_can_follow)
{
    set("REFUNDS_TRACKING_BASE_URL", "https://shop.example/refunds?t=");
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(s.tracking_base_url, "https://shop.example/refunds?t=");
    clean_env();
    expect_refused("REFUNDS_TRACKING_BASE_URL", "ftp://shop.example/");
    clean_env();
    expect_refused("REFUNDS_TRACKING_BASE_URL", "https://shop.example/a b/");
}

Test(settings, the_supervisor_is_a_subject)
{
    set("REFUNDS_SUPERVISOR_ASSIGNEE", "team-leads");
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(s.supervisor_assignee, "team-leads");
    clean_env();
    expect_refused("REFUNDS_SUPERVISOR_ASSIGNEE", "two words");
}

Test(settings, a_voucher_is_a_percentage)
{
    expect_refused("REFUNDS_VOUCHER_PERCENT", "101");
}

Test(settings, loopback_addresses)
{
    static const char *const yes[] = {
        "127.0.0.1:50051",
        "127.1.2.3:1",
        "localhost:50051",
        "[::1]:50051",
        "ipv4:127.0.0.1:50051",
        "ipv6:[::1]:50051",
        "unix:/run/refunds/grpc.sock",
    };

    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(rf_settings_addr_is_loopback(yes[i]), "%s", yes[i]);
}

Test(settings, a_remote_address_is_refused_unless_insecure_remote_is_allowed)
{
    setenv("REFUNDS_GRPC_ADDR", "10.0.0.5:50051", 1);
    cr_assert_eq(rf_settings_load(&s, &err), RF_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "REFUNDS_GRPC_ADDR") != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "REFUNDS_ALLOW_INSECURE_REMOTE") != NULL, "%s", err.message);
    setenv("REFUNDS_ALLOW_INSECURE_REMOTE", "true", 1);
    rf_error_clear(&err);
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert(s.allow_insecure_remote);
}

Test(settings, non_loopback_addresses)
{
    static const char *const no[] = {
        "0.0.0.0:50051",
        "[::]:50051",
        "10.0.0.5:50051",
        "192.168.1.1:443",
        "example.com:50051",
        "localhost.example.com:50051",
        "1127.0.0.1:50051",
        "ipv4:0.0.0.0:50051",
        "",
        "[::1.2.3.4]:50051",
        "::1:50051",
        /* Regression: a host name that merely starts with "127." is not loopback. */
        "127.example.com:50051",
        "127.0.0.1.nip.io:50051",
        "127.0.0.1",
    };

    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert_not(rf_settings_addr_is_loopback(no[i]), "%s", no[i]);
}

Test(settings, arrival_windows_are_read_as_the_reconciler_reads_them)
{
    set("REFUNDS_RECON_ARRIVAL_WINDOWS", "card=3-7");
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_eq(s.arrival.range[RF_ARRIVAL_CARD].from_days, 3);
    cr_assert_eq(s.arrival.range[RF_ARRIVAL_CARD].to_days, 7);
    cr_assert_eq(s.arrival.range[RF_ARRIVAL_PAYPAL].to_days, 3, "the others keep the defaults");
    expect_refused("REFUNDS_RECON_ARRIVAL_WINDOWS", "card=9-2");
}

Test(settings, the_merchant_name_is_one_line_of_text)
{
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(s.merchant_name, "Example Shop");
    set("REFUNDS_MERCHANT_NAME", "Cafetera Ibérica S.L.");
    cr_assert_eq(rf_settings_load(&s, &err), RF_OK, "%s", err.message);
    cr_assert_str_eq(s.merchant_name, "Cafetera Ibérica S.L.");
    set("REFUNDS_MERCHANT_NAME", "Shop\nBcc: x");
    cr_assert_eq(rf_settings_load(&s, &err), RF_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "REFUNDS_MERCHANT_NAME") != NULL, "%s", err.message);
    set("REFUNDS_MERCHANT_NAME", "   ");
    cr_assert_eq(rf_settings_load(&s, &err), RF_INVALID_ARGUMENT);
}
