/*
 * PostgreSQL access for one thread (see include/refunds/db.h): connection
 * upkeep, lazily prepared statements, deadline-bounded waits with server-side
 * cancellation, SQLSTATE-to-status mapping, and the case-change NOTIFYs a
 * transaction defers to after its COMMIT. SQL text lives in the *_store.c
 * files, never here, save the two statements of those deferred NOTIFYs, which
 * are part of COMMIT (migration 0012).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refunds/db.h"
#include "refunds/encode.h"
#include "refunds/log.h"
#include "refunds/timeutil.h"
#include "refunds/xalloc.h"

/* How long a cancelled statement may take to report back before the connection is dropped. */
#define CANCEL_GRACE_US (2 * RF_USEC_PER_SEC)
/* Bound on ROLLBACK, which runs whatever the caller's deadline. */
#define ROLLBACK_BOUND_US (5 * RF_USEC_PER_SEC)
/* Bound on reading and sending deferred announcements, which run whatever the caller's deadline. */
#define ANNOUNCE_BOUND_US (5 * RF_USEC_PER_SEC)

struct rf_db {
    char *conninfo;
    char *application_name;
    char options[160];
    char *announce_channel; /* rf_db_defer_announcements; NULL: the triggers notify in the
                               transaction */
    PGconn *conn;
    PGcancel *cancel;
    bool in_tx;
    bool lost; /* the last failure was the connection going away */
    int64_t deadline;
    atomic_bool interrupted; /* rf_db_interrupt: every wait ends, every statement fails */
    int wake[2];             /* a byte here wakes a wait to see interrupted */
    const struct rf_stmt **prepared;
    size_t n_prepared;
    size_t cap_prepared;
};

#define xstrdup rf_xstrdup

void rf_db_interrupt(struct rf_db *db)
{
    atomic_store(&db->interrupted, true);
    while (write(db->wake[1], "x", 1) < 0 && errno == EINTR)
        ;
}

/* The failure of a statement that rf_db_interrupt stopped, or that it kept from starting. */
static enum rf_code fail_interrupted(struct rf_error *err, const char *what)
{
    rf_error_detail(err, "%s: interrupted: the server is shutting down", what);
    return rf_fail(err, RF_UNAVAILABLE, "the server is shutting down: retry the call");
}

struct rf_db *rf_db_create(const char *conninfo, const char *application_name,
                           long long statement_timeout_ms)
{
    struct rf_db *db = rf_xcalloc(1, sizeof *db);

    atomic_init(&db->interrupted, false);
    if (pipe(db->wake) != 0)
        abort();
    for (int i = 0; i < 2; i++) {
        fcntl(db->wake[i], F_SETFD, FD_CLOEXEC);
        fcntl(db->wake[i], F_SETFL, O_NONBLOCK);
    }
    db->conninfo = xstrdup(conninfo);
    db->application_name = xstrdup(application_name);
    db->announce_channel = NULL;
    /* UTC and ISO so that rf_db_time can parse what the server prints; the
     * timeouts are backstops behind the client deadlines. */
    snprintf(db->options, sizeof db->options,
             "-c TimeZone=UTC -c DateStyle=ISO -c statement_timeout=%lld "
             "-c idle_in_transaction_session_timeout=%lld",
             statement_timeout_ms, statement_timeout_ms);
    return db;
}

void rf_db_disconnect(struct rf_db *db)
{
    if (db->cancel != NULL)
        PQfreeCancel(db->cancel);
    if (db->conn != NULL)
        PQfinish(db->conn);
    db->cancel = NULL;
    db->conn = NULL;
    /* in_tx stays as it is: a transaction whose connection is gone is lost, and
     * every statement of it must fail until the caller rolls back. */
    db->n_prepared = 0;
}

/* True when the transaction in progress lost its connection. */
static bool tx_lost(const struct rf_db *db)
{
    return db->in_tx && db->conn == NULL;
}

static enum rf_code fail_lost(struct rf_error *err, const char *what)
{
    rf_error_detail(err, "%s: the transaction was lost with its connection", what);
    return rf_fail(err, RF_UNAVAILABLE, "database unavailable");
}

void rf_db_destroy(struct rf_db *db)
{
    if (db == NULL)
        return;
    rf_db_disconnect(db);
    close(db->wake[0]);
    close(db->wake[1]);
    free(db->prepared);
    free(db->conninfo);
    free(db->application_name);
    free(db->announce_channel);
    free(db);
}

/* Server NOTICEs ("relation already exists, skipping") are not errors: dropped. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

enum rf_code rf_db_ensure(struct rf_db *db, struct rf_error *err)
{
    const char *keys[] = {"dbname",          "application_name", "options",
                          "client_encoding", "connect_timeout",  NULL};
    const char *vals[] = {db->conninfo, db->application_name, db->options, "UTF8", "3", NULL};

    if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
        return RF_OK;
    rf_db_disconnect(db);
    db->conn = PQconnectdbParams(keys, vals, 1);
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        rf_error_detail(err, "could not connect to PostgreSQL: %s",
                        db->conn ? PQerrorMessage(db->conn) : "out of memory");
        rf_db_disconnect(db);
        db->lost = false;
        return rf_fail(err, RF_UNAVAILABLE, "database unavailable");
    }
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
    db->cancel = PQgetCancel(db->conn);
    return RF_OK;
}

void rf_db_set_deadline(struct rf_db *db, int64_t deadline_mono_us)
{
    db->deadline = deadline_mono_us;
}

bool rf_db_in_transaction(const struct rf_db *db)
{
    return db->in_tx;
}

void rf_db_defer_announcements(struct rf_db *db, const char *channel)
{
    free(db->announce_channel);
    db->announce_channel = xstrdup(channel);
}

/* Maps a failed result (or a failed connection when res is NULL) to a status. */
static enum rf_code classify(struct rf_db *db, struct rf_error *err, const PGresult *res,
                             const char *what, bool deadline_passed)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    /* The primary message and the constraint only: DETAIL can quote a whole
     * row ("Failing row contains (...)"), customer data included, and this
     * goes to the log. */
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    bool bad = PQstatus(db->conn) != CONNECTION_OK;

    if (msg == NULL)
        msg = PQerrorMessage(db->conn);
    rf_error_detail(err, "%s failed: sqlstate %s: %s%s%s", what, state ? state : "none", msg,
                    constraint ? "; constraint " : "", constraint ? constraint : "");
    db->lost = false;
    if (bad || state == NULL || strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
        strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
        db->lost = true;
        rf_db_disconnect(db);
        return rf_fail(err, RF_UNAVAILABLE, "database unavailable");
    }
    if (strcmp(state, "57014") == 0 || deadline_passed)
        return rf_fail(err, RF_DEADLINE_EXCEEDED,
                       "deadline exceeded while waiting for the database");
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return rf_fail(err, RF_ABORTED,
                       "the transaction conflicted with a concurrent one; retry it");
    if (strcmp(state, "23505") == 0)
        return rf_fail(err, RF_ALREADY_EXISTS, "the record already exists");
    if (strncmp(state, "53", 2) == 0)
        return rf_fail(err, RF_UNAVAILABLE, "database overloaded");
    return rf_fail(err, RF_INTERNAL, "internal error");
}

/*
 * Waits for the results of what was sent and keeps the first error, or else
 * the last result, in *out (which the caller clears). When rows is not NULL,
 * the first result with rows goes there instead (the caller clears it; NULL
 * on failure). Honours the deadline by cancelling on the server, then waiting
 * a short grace for the error.
 */
static enum rf_code await(struct rf_db *db, struct rf_error *err, const char *what,
                          int64_t deadline, bool interruptible, PGresult **rows, PGresult **out)
{
    PGresult *keep = NULL;
    int64_t cancel_at = 0;
    bool passed = false, stopped = false;
    int sock = PQsocket(db->conn);

    for (;;) {
        PGresult *r;

        while (PQisBusy(db->conn)) {
            int timeout = -1;
            struct pollfd pfd[2] = {{.fd = sock, .events = POLLIN},
                                    {.fd = db->wake[0], .events = POLLIN}};
            int64_t now = rf_monotonic_us();

            if (!passed && interruptible && atomic_load(&db->interrupted)) {
                /* Stopped like a passed deadline: cancelled on the server, then UNAVAILABLE. */
                stopped = true;
                deadline = now;
            }
            if (passed && now - cancel_at > CANCEL_GRACE_US) {
                /* The server does not answer even the cancel: give the connection up. */
                if (keep != NULL)
                    PQclear(keep);
                rf_error_detail(err, "%s: no answer %lld ms after the cancel request", what,
                                (long long)(CANCEL_GRACE_US / 1000));
                db->lost = false;
                rf_db_disconnect(db);
                return stopped ? fail_interrupted(err, what)
                               : rf_fail(err, RF_DEADLINE_EXCEEDED,
                                         "deadline exceeded while waiting for the database");
            }
            if (!passed && deadline != 0 && now >= deadline) {
                char ebuf[256];

                passed = true;
                cancel_at = now;
                if (db->cancel == NULL || !PQcancel(db->cancel, ebuf, sizeof ebuf))
                    cancel_at = now - CANCEL_GRACE_US; /* no cancel possible: drop at once */
                continue;
            }
            if (passed)
                timeout = (int)((cancel_at + CANCEL_GRACE_US - now) / 1000) + 1;
            else if (deadline != 0)
                timeout = (int)((deadline - now) / 1000) + 1;
            if (poll(pfd, interruptible && !passed ? 2 : 1, timeout) < 0 && errno != EINTR) {
                if (keep != NULL)
                    PQclear(keep);
                rf_error_detail(err, "%s: poll failed: %s", what, strerror(errno));
                db->lost = true;
                rf_db_disconnect(db);
                return rf_fail(err, RF_UNAVAILABLE, "database unavailable");
            }
            /* On a broken connection this fails, libpq marks the connection
             * bad and the error result comes from PQgetResult below. */
            if (!PQconsumeInput(db->conn))
                break;
        }
        r = PQgetResult(db->conn);
        if (r == NULL)
            break;
        if (rows != NULL && *rows == NULL && PQresultStatus(r) == PGRES_TUPLES_OK) {
            *rows = r;
        } else if (keep == NULL || PQresultStatus(keep) != PGRES_FATAL_ERROR) {
            if (keep != NULL)
                PQclear(keep);
            keep = r;
        } else {
            PQclear(r);
        }
        if (PQstatus(db->conn) != CONNECTION_OK)
            break;
    }
    if (keep == NULL || PQresultStatus(keep) == PGRES_FATAL_ERROR ||
        PQresultStatus(keep) == PGRES_BAD_RESPONSE || PQstatus(db->conn) != CONNECTION_OK) {
        enum rf_code code = classify(db, err, keep, what, passed);

        if (keep != NULL)
            PQclear(keep);
        if (rows != NULL && *rows != NULL) {
            PQclear(*rows);
            *rows = NULL;
        }
        return stopped ? fail_interrupted(err, what) : code;
    }
    *out = keep;
    return RF_OK;
}

static bool is_prepared(const struct rf_db *db, const struct rf_stmt *stmt)
{
    for (size_t i = 0; i < db->n_prepared; i++) {
        if (db->prepared[i] == stmt)
            return true;
    }
    return false;
}

static void mark_prepared(struct rf_db *db, const struct rf_stmt *stmt)
{
    if (db->n_prepared == db->cap_prepared) {
        size_t cap = db->cap_prepared ? db->cap_prepared * 2 : 32;
        db->prepared = rf_xrealloc(db->prepared, cap * sizeof *db->prepared);
        db->cap_prepared = cap;
    }
    db->prepared[db->n_prepared++] = stmt;
}

/* Prepares stmt on the connection if it is not yet, runs it and waits for it until deadline. */
static enum rf_code run_prepared(struct rf_db *db, struct rf_error *err, const struct rf_stmt *stmt,
                                 const struct rf_params *params, int64_t deadline,
                                 bool interruptible, PGresult **out)
{
    enum rf_code code;
    PGresult *r = NULL;

    if (!is_prepared(db, stmt)) {
        if (!PQsendPrepare(db->conn, stmt->name, stmt->sql, 0, NULL))
            return classify(db, err, NULL, stmt->name, false);
        code = await(db, err, stmt->name, deadline, interruptible, NULL, &r);
        if (code != RF_OK)
            return code;
        PQclear(r);
        mark_prepared(db, stmt);
    }
    if (!PQsendQueryPrepared(db->conn, stmt->name, params ? params->n : 0,
                             params ? params->values : NULL, params ? params->lengths : NULL,
                             params ? params->formats : NULL, 0))
        return classify(db, err, NULL, stmt->name, false);
    return await(db, err, stmt->name, deadline, interruptible, NULL, out);
}

static enum rf_code exec_once(struct rf_db *db, struct rf_error *err, const struct rf_stmt *stmt,
                              const struct rf_params *params, PGresult **out)
{
    enum rf_code code;

    if (tx_lost(db))
        return fail_lost(err, stmt->name);
    if (atomic_load(&db->interrupted))
        return fail_interrupted(err, stmt->name);
    if (db->deadline != 0 && rf_monotonic_us() >= db->deadline)
        return rf_fail(err, RF_DEADLINE_EXCEEDED,
                       "deadline exceeded before the database was asked");
    code = rf_db_ensure(db, err);
    if (code != RF_OK)
        return code;
    return run_prepared(db, err, stmt, params, db->deadline, true, out);
}

static void clear_result(void *res)
{
    PQclear(res);
}

enum rf_code rf_db_exec(struct rf_db *db, struct rf_arena *a, struct rf_error *err,
                        const struct rf_stmt *stmt, const struct rf_params *params, PGresult **res)
{
    PGresult *r = NULL;
    bool had_conn = db->conn != NULL, in_tx = db->in_tx;
    enum rf_code code = exec_once(db, err, stmt, params, &r);

    /* Outside a transaction a statement on a connection that turned out dead
     * is sent again once on a new one: nothing of it can have run. Inside
     * one, never: the transaction is gone and the call must fail. */
    if (code == RF_UNAVAILABLE && db->lost && had_conn && !in_tx)
        code = exec_once(db, err, stmt, params, &r);
    if (code != RF_OK)
        return code;
    rf_arena_defer(a, clear_result, r);
    if (res != NULL)
        *res = r;
    return RF_OK;
}

/*
 * Runs simple-protocol SQL and discards its result, but for its command tag
 * (tag_out) and, when rows is not NULL, the first result with rows (see await).
 */
static enum rf_code simple(struct rf_db *db, struct rf_error *err, const char *sql,
                           int64_t deadline, const char **tag_out, char *tag, size_t tag_size,
                           PGresult **rows)
{
    PGresult *r = NULL;
    enum rf_code code;

    if (tx_lost(db))
        return fail_lost(err, sql);
    code = rf_db_ensure(db, err);
    if (code != RF_OK)
        return code;
    if (!PQsendQuery(db->conn, sql))
        return classify(db, err, NULL, sql, false);
    /* ROLLBACK always runs to its end: it is what an interrupted call needs. */
    code = await(db, err, sql, deadline, strcmp(sql, "ROLLBACK") != 0, rows, &r);
    if (code != RF_OK)
        return code;
    if (tag_out != NULL) {
        snprintf(tag, tag_size, "%s", PQcmdStatus(r));
        *tag_out = tag;
    }
    PQclear(r);
    return RF_OK;
}

enum rf_code rf_db_begin(struct rf_db *db, struct rf_error *err)
{
    /* Deferring is per transaction, never per session: a statement outside
     * one commits by itself, and what its triggers deferred would be lost. */
    const char *begin =
        db->announce_channel != NULL ? "BEGIN; SET LOCAL refunds.defer_notify = on" : "BEGIN";
    bool had_conn;
    enum rf_code code;

    rf_db_rollback(db);
    if (atomic_load(&db->interrupted))
        return fail_interrupted(err, "BEGIN");
    had_conn = db->conn != NULL;
    if (db->deadline != 0 && rf_monotonic_us() >= db->deadline)
        return rf_fail(err, RF_DEADLINE_EXCEEDED,
                       "deadline exceeded before the database was asked");
    code = simple(db, err, begin, db->deadline, NULL, NULL, 0, NULL);
    if (code == RF_UNAVAILABLE && db->lost && had_conn)
        code = simple(db, err, begin, db->deadline, NULL, NULL, 0, NULL);
    if (code == RF_OK)
        db->in_tx = true;
    return code;
}

/*
 * The NOTIFYs of the case ids a transaction's triggers deferred (migration
 * 0012), in a transaction of their own that does not wait for its commit
 * record's flush: the lock that serialises notifying commits is then held
 * only for a moment, and nothing is lost if that commit is: the data it
 * announces is already durable, and a lost announcement costs at most a cached
 * copy kept until its TTL.
 */
static const struct rf_stmt send_announcements = {
    "db_send_announcements",
    "SELECT set_config('synchronous_commit', 'off', true), count(pg_notify($1, c))"
    " FROM unnest(string_to_array($2, ',')) AS c"};

const struct rf_stmt *const *rf_db_statements(void)
{
    static const struct rf_stmt *const all[] = {&send_announcements, NULL};

    return all;
}

/* Sends the NOTIFYs of a committed transaction; a failure is logged, never returned. */
static void announce(struct rf_db *db, const char *ids)
{
    struct rf_error err;
    struct rf_params p;
    PGresult *r = NULL;

    rf_error_clear(&err);
    rf_params_init(&p);
    rf_param_text(&p, db->announce_channel);
    rf_param_text(&p, ids);
    if (db->conn == NULL ||
        run_prepared(db, &err, &send_announcements, &p, rf_monotonic_us() + ANNOUNCE_BOUND_US,
                     false, &r) != RF_OK) {
        rf_log_msg(RF_LOG_WARN, "announce_failed",
                   "could not announce committed changes of cases %.200s on %s: other "
                   "replicas may serve their cached copies until these expire (%s)",
                   ids, db->announce_channel, db->conn == NULL ? "no connection" : err.detail);
        return;
    }
    PQclear(r);
}

enum rf_code rf_db_commit(struct rf_db *db, struct rf_error *err)
{
    /* The deferred ids (comma-separated) read in the same message as the
     * COMMIT: no round trip of its own. */
    static const char read_and_commit[] =
        "SELECT current_setting('refunds.announce', true); COMMIT";
    char tag[32];
    const char *got = NULL;
    PGresult *pending = NULL;
    bool deferring;
    enum rf_code code;

    if (tx_lost(db)) {
        db->in_tx = false;
        return fail_lost(err, "COMMIT");
    }
    /* A transaction that had failed announces nothing: its COMMIT answers ROLLBACK. */
    deferring = db->announce_channel != NULL && PQtransactionStatus(db->conn) == PQTRANS_INTRANS;
    code = simple(db, err, deferring ? read_and_commit : "COMMIT", db->deadline, &got, tag,
                  sizeof tag, deferring ? &pending : NULL);
    /* Stopped before its COMMIT ran (a deadline or an interruption during the
     * read): the transaction is still open on the server. */
    if (code != RF_OK && db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        rf_db_rollback(db);
    db->in_tx = false;
    if (code != RF_OK)
        goto out;
    /* COMMIT of a transaction that had failed reports ROLLBACK, not an error. */
    if (strcmp(got, "COMMIT") != 0) {
        rf_error_detail(err, "COMMIT answered %s", got);
        code = rf_fail(err, RF_ABORTED, "the transaction was rolled back; retry it");
        goto out;
    }
    if (pending != NULL && PQntuples(pending) == 1 && !PQgetisnull(pending, 0, 0) &&
        PQgetvalue(pending, 0, 0)[0] != '\0')
        announce(db, PQgetvalue(pending, 0, 0));
out:
    if (pending != NULL)
        PQclear(pending);
    return code;
}

void rf_db_rollback(struct rf_db *db)
{
    struct rf_error ignored;

    if (!db->in_tx)
        return;
    db->in_tx = false;
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
        return;
    if (simple(db, &ignored, "ROLLBACK", rf_monotonic_us() + ROLLBACK_BOUND_US, NULL, NULL, 0,
               NULL) != RF_OK)
        rf_db_disconnect(db);
}

enum rf_code rf_db_exec_script(struct rf_db *db, struct rf_error *err, const char *sql)
{
    return simple(db, err, sql, db->deadline, NULL, NULL, 0, NULL);
}

enum rf_code rf_db_listen(struct rf_db *db, struct rf_error *err, const char *channel)
{
    enum rf_code code = rf_db_ensure(db, err);
    char *quoted, *sql;

    if (code != RF_OK)
        return code;
    quoted = PQescapeIdentifier(db->conn, channel, strlen(channel));
    if (quoted == NULL)
        return classify(db, err, NULL, "LISTEN", false);
    sql = rf_xmalloc(strlen(quoted) + sizeof "LISTEN ");
    strcpy(sql, "LISTEN ");
    strcat(sql, quoted);
    PQfreemem(quoted);
    code = simple(db, err, sql, db->deadline, NULL, NULL, 0, NULL);
    free(sql);
    return code;
}

enum rf_code rf_db_notifications(struct rf_db *db, struct rf_error *err, int timeout_ms,
                                 void (*fn)(void *arg, const char *payload), void *arg)
{
    struct pollfd pfd;
    PGnotify *n;

    if (db->conn == NULL)
        return rf_fail(err, RF_UNAVAILABLE, "database unavailable");
    pfd.fd = PQsocket(db->conn);
    pfd.events = POLLIN;
    if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR) {
        rf_error_detail(err, "poll failed: %s", strerror(errno));
        rf_db_disconnect(db);
        return rf_fail(err, RF_UNAVAILABLE, "database unavailable");
    }
    if (!PQconsumeInput(db->conn) || PQstatus(db->conn) != CONNECTION_OK) {
        rf_error_detail(err, "listening connection lost: %s", PQerrorMessage(db->conn));
        rf_db_disconnect(db);
        return rf_fail(err, RF_UNAVAILABLE, "database unavailable");
    }
    while ((n = PQnotifies(db->conn)) != NULL) {
        fn(arg, n->extra);
        PQfreemem(n);
    }
    return RF_OK;
}

void rf_params_init(struct rf_params *p)
{
    p->n = 0;
}

static void push(struct rf_params *p, const char *v, int len, int fmt)
{
    if (p->n >= RF_DB_PARAMS_MAX) {
        fputs("refunds: too many SQL parameters\n", stderr);
        abort();
    }
    p->values[p->n] = v;
    p->lengths[p->n] = len;
    p->formats[p->n] = fmt;
    p->n++;
}

void rf_param_text(struct rf_params *p, const char *s)
{
    push(p, s, 0, 0);
}

void rf_param_int(struct rf_params *p, struct rf_arena *a, long long v)
{
    push(p, rf_arena_printf(a, "%lld", v), 0, 0);
}

void rf_param_time(struct rf_params *p, struct rf_arena *a, int64_t us)
{
    char *buf = rf_arena_alloc(a, 48);

    rf_time_format_sql(us, buf, 48);
    push(p, buf, 0, 0);
}

void rf_param_keyset_before(struct rf_params *p, struct rf_arena *a, int64_t before_us,
                            const char *before_id)
{
    if (before_id == NULL) {
        rf_param_text(p, "infinity");
        rf_param_text(p, "ffffffff-ffff-ffff-ffff-ffffffffffff");
    } else {
        rf_param_time(p, a, before_us);
        rf_param_text(p, before_id);
    }
}

void rf_param_keyset_after(struct rf_params *p, struct rf_arena *a, int64_t after_us,
                           const char *after_id)
{
    if (after_id == NULL) {
        rf_param_text(p, "-infinity");
        rf_param_text(p, "00000000-0000-0000-0000-000000000000");
    } else {
        rf_param_time(p, a, after_us);
        rf_param_text(p, after_id);
    }
}

void rf_param_bytea(struct rf_params *p, const uint8_t *data, size_t len)
{
    push(p, (const char *)data, (int)len, 1);
}

const char *rf_db_text(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

char *rf_db_text_copy(struct rf_arena *a, const PGresult *res, int row, int col)
{
    const char *v = rf_db_text(res, row, col);

    return rf_arena_strdup(a, v == NULL ? "" : v);
}

bool rf_db_is_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) != 0;
}

long long rf_db_int(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

int64_t rf_db_time(const PGresult *res, int row, int col)
{
    int64_t us = 0;

    if (!PQgetisnull(res, row, col))
        rf_time_parse_sql(PQgetvalue(res, row, col), &us);
    return us;
}

bool rf_db_bytea(const PGresult *res, int row, int col, uint8_t *out, size_t len)
{
    const char *v = PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);

    /* Text output of bytea is "\x" and hex digits (bytea_output = hex). */
    if (v == NULL || v[0] != '\\' || v[1] != 'x')
        return false;
    return rf_hex_decode(v + 2, out, len);
}

void rf_array_init(struct rf_array *arr, struct rf_arena *a)
{
    arr->arena = a;
    arr->cap = 256;
    arr->buf = rf_arena_alloc(a, arr->cap);
    arr->buf[0] = '{';
    arr->len = 1;
    arr->n = 0;
}

/* Room for need more bytes (and the closing brace and NUL). */
static void array_reserve(struct rf_array *arr, size_t need)
{
    char *bigger;

    if (arr->len + need + 2 <= arr->cap)
        return;
    while (arr->len + need + 2 > arr->cap)
        arr->cap *= 2;
    bigger = rf_arena_alloc(arr->arena, arr->cap);
    memcpy(bigger, arr->buf, arr->len);
    arr->buf = bigger;
}

static void array_sep(struct rf_array *arr)
{
    if (arr->n++ > 0)
        arr->buf[arr->len++] = ',';
}

void rf_array_text(struct rf_array *arr, const char *s)
{
    size_t n;

    if (s == NULL) {
        array_reserve(arr, 5);
        array_sep(arr);
        memcpy(arr->buf + arr->len, "NULL", 4);
        arr->len += 4;
        return;
    }
    n = strlen(s);
    array_reserve(arr, 2 * n + 3);
    array_sep(arr);
    arr->buf[arr->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            arr->buf[arr->len++] = '\\';
        arr->buf[arr->len++] = s[i];
    }
    arr->buf[arr->len++] = '"';
}

void rf_array_int(struct rf_array *arr, long long v)
{
    array_reserve(arr, 24);
    array_sep(arr);
    arr->len += (size_t)snprintf(arr->buf + arr->len, 22, "%lld", v);
}

void rf_array_time(struct rf_array *arr, int64_t us)
{
    char t[48];

    if (us == 0) {
        rf_array_text(arr, NULL);
        return;
    }
    rf_time_format_sql(us, t, sizeof t);
    rf_array_text(arr, t);
}

void rf_array_bool(struct rf_array *arr, bool v)
{
    array_reserve(arr, 2);
    array_sep(arr);
    arr->buf[arr->len++] = v ? 't' : 'f';
}

const char *rf_array_done(struct rf_array *arr)
{
    array_reserve(arr, 0);
    arr->buf[arr->len++] = '}';
    arr->buf[arr->len] = '\0';
    return arr->buf;
}
