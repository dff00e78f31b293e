/*
 * refundsd: the gRPC server of refunds. `refundsd serve` (the default) runs
 * it until SIGTERM or SIGINT, then drains in-flight calls and exits 0;
 * `refundsd migrate` applies the schema migrations; `refundsd version`
 * prints what this binary is; `refundsd report-sql DIM[,DIM]` prints the SQL
 * GetPolicyReport runs (for EXPLAIN and the benchmark, which take it from
 * here rather than from a copy). Configuration is from the environment
 * (settings.c; docs/operations.md).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <grpc/grpc.h>

#include "audit_checkpoint.h"
#include "auth.h"
#include "cache_listener.h"
#include "case_cache.h"
#include "case_change.h"
#include "case_store.h"
#include "monitor.h"
#include "policy_cache.h"
#include "refunds/log.h"
#include "refunds/migrate.h"
#include "refunds/render.h"
#include "reconciliation.h"
#include "refunds/pb.h"
#include "report_store.h"
#include "server.h"
#include "server_key.h"
#include "services.h"
#include "tracking.h"

#ifndef RF_VERSION
#define RF_VERSION "dev"
#endif

/* Where customers are sent when REFUNDS_SUPPORT_CONTACT is not set (a warning says so). */
#define DEFAULT_SUPPORT_CONTACT "support@example.com"
/* Where decision messages link to when REFUNDS_TRACKING_BASE_URL is not set (likewise). */
#define DEFAULT_TRACKING_BASE_URL "https://shop.example.com/refunds/track/"

static int usage(FILE *to)
{
    fputs("usage: refundsd [serve | migrate | version | report-sql DIM[,DIM]]\n"
          "  serve       run the gRPC server (default)\n"
          "  migrate     apply the database migrations and exit\n"
          "  version     print the version and schema version and exit\n"
          "  report-sql  print the three statements of GetPolicyReport grouped by one or two\n"
          "              of reason, category, channel, policy_version, tier ($1, $2: the\n"
          "              range; $3: the time pending approvals are overdue at)\n"
          "Configuration comes from REFUNDS_* environment variables; see docs/operations.md.\n",
          to);
    return to == stdout ? 0 : 2;
}

/* Prints the report's SQL for the dimensions named in list ("reason,category"). */
static int report_sql(const char *list)
{
    int dims[RF_REPORT_DIMS_MAX];
    size_t n = 0;
    char name[64];

    while (*list != '\0') {
        size_t len = strcspn(list, ",");
        int v = 0;

        snprintf(name, sizeof name, "%.*s", (int)len, list);
        for (char *p = name; *p != '\0'; p++)
            *p = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
        if (n == RF_REPORT_DIMS_MAX ||
            !rf_pb_enum_from_short(&refunds__v1__report_dimension__descriptor, name, &v) ||
            (n == 1 && dims[0] == v)) {
            fprintf(stderr, "refundsd: report-sql takes one or two distinct dimensions of reason, "
                            "category, channel, policy_version, tier\n");
            return 2;
        }
        dims[n++] = v;
        list += len + (list[len] == ',');
    }
    if (n == 0)
        return usage(stderr);
    fputs(rf_report_store_sql(dims, n), stdout);
    return 0;
}

static int migrate(const struct rf_settings *s)
{
    struct rf_db *db = rf_db_create(s->migrate_database_url, "refundsd-migrate", 600000);
    struct rf_error err;
    int applied = 0;
    enum rf_code code;

    rf_error_clear(&err);
    code = rf_migrate_apply(db, &err, &applied);
    rf_db_destroy(db);
    if (code != RF_OK) {
        rf_log_msg(RF_LOG_ERROR, "migrate", "%s (%s)", err.message, err.detail);
        return 1;
    }
    rf_log_msg(RF_LOG_INFO, "migrate", "applied %d migration%s; schema version %d", applied,
               applied == 1 ? "" : "s", rf_migrate_latest());
    return 0;
}

static void log_cache_stats(struct rf_case_cache *cache)
{
    struct rf_case_cache_stats st;
    struct rf_logline l;

    rf_case_cache_stats(cache, &st);
    rf_log_begin(&l, RF_LOG_INFO, "case_cache");
    rf_log_int(&l, "hits", (long long)st.hits);
    rf_log_int(&l, "misses", (long long)st.misses);
    rf_log_int(&l, "stores", (long long)st.stores);
    rf_log_int(&l, "invalidations", (long long)st.invalidations);
    rf_log_end(&l);
}

/*
 * Fills the state of refunds.v1.Tracking, and gives every Case read from now on its tracking
 * token (signed with key, derived from the master key): called before any thread reads a case.
 */
static void tracking_init(const struct rf_settings *s, const uint8_t master[RF_KEY_LEN],
                          const struct rf_templates *templates, struct rf_tracking_key *key,
                          struct rf_tracking_state *st)
{
    if (s->support_contact == NULL)
        rf_log_msg(RF_LOG_WARN, "start",
                   "REFUNDS_SUPPORT_CONTACT is not set: customers are told to contact %s",
                   DEFAULT_SUPPORT_CONTACT);
    rf_tracking_key_init(key, master, (int)s->tracking_token_days);
    rf_case_store_set_tracking_key(key);
    st->key = key;
    st->templates = templates;
    st->arrival = &s->arrival;
    st->support_contact = s->support_contact != NULL ? s->support_contact : DEFAULT_SUPPORT_CONTACT;
}

/*
 * The lame-duck phase of a graceful stop: health says NOT_SERVING at once, so that load
 * balancers and Kubernetes probes stop routing here; new connections are refused; every call
 * that still arrives on an open connection is served as usual for REFUNDS_DRAIN_MS, long enough
 * for each connection to reach its maximum age and be sent away with a GOAWAY while the server
 * still serves. A second signal ends the wait early. Then the caller shuts the server down,
 * letting the calls in flight finish (rf_server_shutdown).
 */
static void lame_duck(const struct rf_settings *s, struct rf_monitor *monitor,
                      struct rf_server *srv, const sigset_t *signals, int sig)
{
    struct timespec wait = {(time_t)(s->drain_ms / 1000), (long)(s->drain_ms % 1000) * 1000000L};
    siginfo_t info;

    rf_monitor_set_draining(monitor);
    rf_server_stop_accepting(srv);
    rf_log_msg(RF_LOG_INFO, "shutdown",
               "%s received: NOT_SERVING, still serving for %lld ms, then up to %lld ms for the "
               "calls in flight",
               sig == SIGINT ? "SIGINT" : "SIGTERM", s->drain_ms, s->shutdown_grace_ms);
    if (s->drain_ms > 0 && sigtimedwait(signals, &info, &wait) > 0)
        rf_log_msg(RF_LOG_INFO, "shutdown", "a second signal: ending the drain early");
}

static int serve(const struct rf_settings *s)
{
    struct rf_auth *auth = NULL;
    struct rf_cases_state cases;
    struct rf_recon_service recon;
    struct rf_tracking_state tracking;
    struct rf_tracking_key tracking_key;
    struct rf_templates *templates = NULL;
    uint8_t server_key[RF_KEY_LEN];
    bool ephemeral_key = false;
    struct rf_monitor *monitor;
    struct rf_case_cache *cache;
    struct rf_policy_cache *policies;
    struct rf_cache_listener *listener = NULL;
    struct rf_server *srv = NULL;
    struct rf_error err;
    sigset_t signals;
    int sig = 0;
    enum rf_code code;

    rf_error_clear(&err);
    if (s->tokens_file == NULL) {
        rf_log_msg(RF_LOG_ERROR, "start",
                   "REFUNDS_TOKENS_FILE is not set: every call needs a caller");
        return 2;
    }
    code = rf_auth_load(s->tokens_file, &auth, &err);
    if (code == RF_OK)
        code = rf_server_key_load(s->server_key_file, server_key, &ephemeral_key, &err);
    if (code == RF_OK)
        code =
            rf_templates_create(rf_template_sources, rf_template_sources_count, &templates, &err);
    if (code != RF_OK) {
        rf_log_msg(RF_LOG_ERROR, "start", "%s", err.message);
        rf_templates_destroy(templates);
        rf_auth_destroy(auth);
        return 2;
    }
    if (ephemeral_key)
        rf_log_msg(RF_LOG_WARN, "start",
                   "REFUNDS_SERVER_KEY_FILE is not set: a key of this process signs tracking "
                   "tokens and audit checkpoints, and nothing it signed survives a restart");
    tracking_init(s, server_key, templates, &tracking_key, &tracking);
    /* gRPC's threads inherit this mask, so the signals reach sigwait below only. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    grpc_init();
    rf_key_derive(server_key, RF_AUDIT_CHECKPOINT_PURPOSE, recon.checkpoint_key);
    monitor = rf_monitor_start(s, recon.checkpoint_key);
    cache = rf_case_cache_create((size_t)s->case_cache_mb << 20);
    if (s->case_cache_mb > 0)
        listener = rf_cache_listener_start(s, cache);
    policies = rf_policy_cache_create();
    cases.cache = cache;
    cases.policies = policies;
    cases.templates = templates;
    cases.tracking_key = &tracking_key;
    cases.support_contact = tracking.support_contact;
    cases.tracking_base_url =
        s->tracking_base_url != NULL ? s->tracking_base_url : DEFAULT_TRACKING_BASE_URL;
    if (s->tracking_base_url == NULL)
        rf_log_msg(RF_LOG_WARN, "start",
                   "REFUNDS_TRACKING_BASE_URL is not set: decision messages link to %s",
                   DEFAULT_TRACKING_BASE_URL);
    recon.cache = cache;
    recon.templates = templates;
    {
        /* Each service with the state its handlers reach as call->service; it outlives srv. */
        const struct rf_service_binding services[] = {
            {&rf_refund_cases_service, &cases}, {&rf_reconciliation_service, &recon},
            {&rf_tracking_service, &tracking},  {&rf_policies_service, policies},
            {&rf_health_service, monitor},
        };

        code =
            rf_server_create(s, services, sizeof services / sizeof services[0], auth, &srv, &err);
    }
    if (code != RF_OK) {
        rf_log_msg(RF_LOG_ERROR, "start", "%s", err.message);
        rf_cache_listener_stop(listener);
        rf_case_cache_destroy(cache);
        rf_policy_cache_destroy(policies);
        rf_monitor_stop(monitor);
        rf_auth_destroy(auth);
        rf_templates_destroy(templates);
        grpc_shutdown();
        return 1;
    }
    rf_server_start(srv);
    if (s->drain_ms < s->max_connection_age_ms * 11 / 10)
        rf_log_msg(RF_LOG_WARN, "start",
                   "REFUNDS_DRAIN_MS (%lld) is shorter than REFUNDS_MAX_CONNECTION_AGE_MS plus its "
                   "10%% jitter (%lld): clients still connected when the drain ends may see calls "
                   "that arrive during the stop cancelled",
                   s->drain_ms, s->max_connection_age_ms * 11 / 10);
    {
        struct rf_logline l;

        rf_log_begin(&l, RF_LOG_INFO, "listening");
        rf_log_str(&l, "addr", s->grpc_addr);
        rf_log_int(&l, "port", rf_server_port(srv));
        rf_log_int(&l, "threads", s->threads);
        rf_log_int(&l, "tokens", (long long)rf_auth_count(auth));
        rf_log_str(&l, "version", RF_VERSION);
        rf_log_end(&l);
    }
    sigwait(&signals, &sig);
    lame_duck(s, monitor, srv, &signals, sig);
    rf_server_shutdown(srv);
    rf_server_destroy(srv);
    rf_cache_listener_stop(listener);
    log_cache_stats(cache);
    rf_case_cache_destroy(cache);
    rf_policy_cache_destroy(policies);
    rf_monitor_stop(monitor);
    rf_auth_destroy(auth);
    rf_templates_destroy(templates);
    grpc_shutdown();
    rf_log_msg(RF_LOG_INFO, "shutdown", "stopped");
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "serve";
    struct rf_settings settings;
    struct rf_error err;

    if (argc == 3 && strcmp(cmd, "report-sql") == 0)
        return report_sql(argv[2]);
    if (argc > 2)
        return usage(stderr);
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0)
        return usage(stdout);
    if (strcmp(cmd, "version") == 0) {
        printf("refundsd %s (schema %d)\n", RF_VERSION, rf_migrate_latest());
        return 0;
    }
    if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0)
        return usage(stderr);
    rf_error_clear(&err);
    if (rf_settings_load(&settings, &err) != RF_OK) {
        fprintf(stderr, "refundsd: %s\n", err.message);
        return 2;
    }
    rf_log_init("refundsd", settings.log_level);
    return strcmp(cmd, "migrate") == 0 ? migrate(&settings) : serve(&settings);
}
