/*
 * refundsd's configuration, read once from the environment at start
 * (docs/operations.md lists every variable). Immutable afterwards and shared
 * read-only by all threads.
 */
#ifndef REFUNDS_SETTINGS_H
#define REFUNDS_SETTINGS_H

#include <stdbool.h>

#include "refunds/arrival.h"
#include "refunds/log.h"
#include "refunds/status.h"

struct rf_settings {
    const char *grpc_addr;              /* REFUNDS_GRPC_ADDR */
    const char *database_url;           /* REFUNDS_DATABASE_URL */
    const char *migrate_database_url;   /* REFUNDS_MIGRATE_DATABASE_URL, else database_url */
    const char *tokens_file;            /* REFUNDS_TOKENS_FILE */
    const char *server_key_file;        /* REFUNDS_SERVER_KEY_FILE; NULL: a key per process */
    long long threads;                  /* REFUNDS_THREADS */
    long long stream_threads;           /* REFUNDS_STREAM_THREADS: streaming calls at once */
    long long stream_stall_ms;          /* REFUNDS_STREAM_STALL_MS: a reader that takes nothing */
    long long default_deadline_ms;      /* REFUNDS_DEFAULT_DEADLINE_MS: calls without a deadline */
    long long statement_timeout_ms;     /* REFUNDS_STATEMENT_TIMEOUT_MS: server-side backstop */
    long long drain_ms;                 /* REFUNDS_DRAIN_MS: lame duck before the GOAWAY */
    long long max_connection_age_ms;    /* REFUNDS_MAX_CONNECTION_AGE_MS */
    long long shutdown_grace_ms;        /* REFUNDS_SHUTDOWN_GRACE_MS */
    long long approval_sla_seconds;     /* REFUNDS_APPROVAL_SLA_SECONDS: 0, the policy's SLA */
    long long idempotency_ttl_hours;    /* REFUNDS_IDEMPOTENCY_TTL_HOURS (at least 24) */
    long long health_interval_ms;       /* REFUNDS_HEALTH_INTERVAL_MS */
    long long housekeeping_interval_ms; /* REFUNDS_HOUSEKEEPING_INTERVAL_MS: expiry of old keys */
    long long max_message_bytes;        /* REFUNDS_MAX_MESSAGE_BYTES */
    long long case_cache_mb;     /* REFUNDS_CASE_CACHE_MB: GetCase reply cache; 0 turns it off */
    long long case_cache_ttl_ms; /* REFUNDS_CASE_CACHE_TTL_MS: longest life of an entry */
    bool allow_insecure_remote;  /* REFUNDS_ALLOW_INSECURE_REMOTE */
    /* REFUNDS_TEST_DELAY_AFTER_COMMIT_MS: tests only (0, off, in production): a mutation waits
     * this long between its COMMIT and what follows it, to widen the window a retry can hit. */
    long long test_delay_after_commit_ms;
    /* REFUNDS_TRACKING_TOKEN_DAYS: how long a customer's tracking token lasts */
    long long tracking_token_days;
    /* REFUNDS_SUPPORT_CONTACT: how customers reach support (an address), for their status texts */
    const char *support_contact;
    /* REFUNDS_AUDIT_CHECKPOINT_INTERVAL_S: how often the heads that moved are checkpointed */
    long long audit_checkpoint_interval_s;
    enum rf_log_level log_level; /* REFUNDS_LOG_LEVEL */
    /* REFUNDS_RECON_ARRIVAL_WINDOWS, read as the reconciler reads it: the defaults overridden. */
    struct rf_arrival_table arrival;
    const char *merchant_name; /* REFUNDS_MERCHANT_NAME: the shop on the customer's statement */
    /* REFUNDS_REPORT_WORK_MEM_MB: PostgreSQL's work_mem for a GetPolicyReport's sorts */
    long long report_work_mem_mb;
    /* REFUNDS_TRACKING_BASE_URL: the customer's status page, to which the case's tracking token
     * is appended in decision messages; NULL when not set (main.c warns and uses an example) */
    const char *tracking_base_url;
    long long offer_valid_days;        /* REFUNDS_OFFER_VALID_DAYS: to accept an alternative */
    long long store_credit_valid_days; /* REFUNDS_STORE_CREDIT_VALID_DAYS: to spend store credit */
    long long voucher_percent;         /* REFUNDS_VOUCHER_PERCENT: of the requested amount */
    /* REFUNDS_SATISFACTION_DELAY_DAYS: business days from a denial delivered, or the money
     * confirmed, to the satisfaction follow-up's due time */
    long long satisfaction_delay_days;
    /* REFUNDS_SUPERVISOR_ASSIGNEE: who gets the follow-up of a detractor (a subject or a queue) */
    const char *supervisor_assignee;
};

/* Reads the environment into s; INVALID_ARGUMENT naming the variable on a bad value. */
enum rf_code rf_settings_load(struct rf_settings *s, struct rf_error *err);

/* True when addr ("host:port") names a loopback address. */
bool rf_settings_addr_is_loopback(const char *addr);

#endif
