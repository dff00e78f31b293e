/*
 * PostgreSQL access for one thread: a connection that (re)connects by itself,
 * lazily prepared statements, transactions, query parameters, typed result
 * accessors, client deadlines and the mapping of SQLSTATEs to status codes.
 *
 * Statements are static `struct rf_stmt` values defined in the *_store.c
 * files; each connection prepares a statement the first time it runs it. A
 * struct rf_db belongs to one thread. Results are registered on the caller's
 * arena and cleared with it.
 *
 * Deadlines: rf_db_set_deadline bounds every following statement. When it
 * passes, the statement is cancelled on the server and the call fails with
 * DEADLINE_EXCEEDED; the transaction, if any, is then rolled back by the caller.
 *
 * Lost connections: a BEGIN or a statement outside a transaction that fails
 * because the server went away is retried once on a new connection (nothing
 * can have been written); inside a transaction the failure is UNAVAILABLE and
 * the next call reconnects.
 */
#ifndef REFUNDS_DB_H
#define REFUNDS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "refunds/arena.h"
#include "refunds/status.h"

#define RF_DB_PARAMS_MAX 40

/* A prepared statement: its name (for logs and PREPARE) and SQL with $n parameters. */
struct rf_stmt {
    const char *name;
    const char *sql;
};

/* Parameters of one statement; values point into the caller's memory or arena. */
struct rf_params {
    int n;
    const char *values[RF_DB_PARAMS_MAX];
    int lengths[RF_DB_PARAMS_MAX];
    int formats[RF_DB_PARAMS_MAX];
};

struct rf_db;

/*
 * Creates an unconnected handle for conninfo (a libpq URI or key=value
 * string). The session is set to UTC, ISO dates and the given statement
 * timeout backstop (milliseconds) whatever the client deadline.
 */
struct rf_db *rf_db_create(const char *conninfo, const char *application_name,
                           long long statement_timeout_ms);

/*
 * Makes the case-change NOTIFYs of this handle's transactions follow their
 * COMMIT instead of being part of it (migration 0012), so that its commits can
 * group-commit: each rf_db_begin sets refunds.defer_notify for its
 * transaction, the triggers collect the changed case ids in it, and
 * rf_db_commit reads them in the message that carries the COMMIT and, once it
 * succeeded, sends one NOTIFY channel, '<id>' per case in a transaction of its
 * own that does not wait for its flush: one more round trip after a COMMIT
 * that changed cases. Sending them can fail after the data was
 * committed (the connection dropping, the process dying): that is logged, not
 * returned, and listeners elsewhere miss the change (services/refundsd/case_cache.h).
 * Statements run outside rf_db_begin keep the NOTIFY in their own commit.
 * Call it before the first transaction; channel is copied.
 */
void rf_db_defer_announcements(struct rf_db *db, const char *channel);

/*
 * The statements of this layer (the deferred announcements' NOTIFY), NULL
 * terminated, static: for the statement registry (refunds-loadgen
 * --print-sql), so that the benchmarks replay them as refundsd sends them.
 */
const struct rf_stmt *const *rf_db_statements(void);

/* Closes the connection and frees the handle; NULL is a no-op. */
void rf_db_destroy(struct rf_db *db);

/* Connects if not connected. UNAVAILABLE when the server cannot be reached. */
enum rf_code rf_db_ensure(struct rf_db *db, struct rf_error *err);

/* Drops the connection; the next use reconnects. */
void rf_db_disconnect(struct rf_db *db);

/* Bounds the following statements by a CLOCK_MONOTONIC time in microseconds; 0 removes the bound.
 */
void rf_db_set_deadline(struct rf_db *db, int64_t deadline_mono_us);

/*
 * From any thread: ends the wait of the statement in progress as a passed deadline would
 * (cancelled on the server) and makes it, and every later BEGIN or statement, fail with
 * UNAVAILABLE "the server is shutting down: retry the call"; ROLLBACK still runs. For a
 * server that must stop: what was not committed is rolled back, so a retry is safe. Final.
 */
void rf_db_interrupt(struct rf_db *db);

/* Starts a READ COMMITTED transaction. */
enum rf_code rf_db_begin(struct rf_db *db, struct rf_error *err);

/* Commits; on failure the transaction is gone and the error says why. */
enum rf_code rf_db_commit(struct rf_db *db, struct rf_error *err);

/* Rolls back if a transaction is open; never fails (a broken connection is dropped). */
void rf_db_rollback(struct rf_db *db);

/* True inside rf_db_begin .. commit/rollback. */
bool rf_db_in_transaction(const struct rf_db *db);

/*
 * Runs stmt with params (NULL for none). On success *res (when res is not
 * NULL) holds the result, cleared with arena a. Errors are mapped: class 08
 * and server shutdown -> UNAVAILABLE, 40001/40P01 -> ABORTED, 23505 ->
 * ALREADY_EXISTS, 57014 -> DEADLINE_EXCEEDED when our deadline passed,
 * anything else -> INTERNAL; the SQL error goes to err->detail only.
 */
enum rf_code rf_db_exec(struct rf_db *db, struct rf_arena *a, struct rf_error *err,
                        const struct rf_stmt *stmt, const struct rf_params *params, PGresult **res);

/* Runs SQL text (several statements allowed) without parameters, for migrations and admin. */
enum rf_code rf_db_exec_script(struct rf_db *db, struct rf_error *err, const char *sql);

/*
 * Subscribes this connection to NOTIFY channel (an identifier, quoted here).
 * Notifications are then read with rf_db_notifications.
 */
enum rf_code rf_db_listen(struct rf_db *db, struct rf_error *err, const char *channel);

/*
 * Waits up to timeout_ms for notifications on a listening connection and
 * calls fn(arg, payload) for each that arrived. UNAVAILABLE when the
 * connection is lost: the caller must assume it missed notifications.
 */
enum rf_code rf_db_notifications(struct rf_db *db, struct rf_error *err, int timeout_ms,
                                 void (*fn)(void *arg, const char *payload), void *arg);

/* Parameter builders: each appends one parameter (aborts past RF_DB_PARAMS_MAX). */
void rf_params_init(struct rf_params *p);
void rf_param_text(struct rf_params *p, const char *s); /* NULL is SQL NULL */
void rf_param_int(struct rf_params *p, struct rf_arena *a, long long v);
void rf_param_time(struct rf_params *p, struct rf_arena *a, int64_t us);
void rf_param_bytea(struct rf_params *p, const uint8_t *data, size_t len);
/*
 * The two parameters of a newest-first keyset page, "(time, id) < ($n, $n+1)": the
 * cursor's time and id, or, for the first page (before_id NULL), 'infinity' and the
 * largest UUID.
 */
void rf_param_keyset_before(struct rf_params *p, struct rf_arena *a, int64_t before_us,
                            const char *before_id);
/*
 * The same for an oldest-first page, "(time, id) > ($n, $n+1)": the cursor's
 * time and id, or, for the first page (after_id NULL), '-infinity' and the
 * smallest UUID.
 */
void rf_param_keyset_after(struct rf_params *p, struct rf_arena *a, int64_t after_us,
                           const char *after_id);

/*
 * A PostgreSQL array literal ("{\"a\",NULL}") built element by element in an
 * arena, for the bulk statements that take a whole batch as arrays
 * (UPDATE ... FROM unnest($1::uuid[], $2::text[], ...)). Elements are quoted
 * and escaped; NULL is SQL NULL. Finish with rf_array_text and pass it with
 * rf_param_text.
 */
struct rf_array {
    struct rf_arena *arena;
    char *buf;
    size_t len, cap;
    size_t n;
};

void rf_array_init(struct rf_array *arr, struct rf_arena *a);
void rf_array_text(struct rf_array *arr, const char *s); /* NULL is SQL NULL */
void rf_array_int(struct rf_array *arr, long long v);
void rf_array_time(struct rf_array *arr, int64_t us); /* 0 is SQL NULL */
void rf_array_bool(struct rf_array *arr, bool v);
/* The literal, NUL-terminated, in the arena; the array can take no more elements. */
const char *rf_array_done(struct rf_array *arr);

/* Result accessors. rf_db_text gives NULL for SQL NULL; the others give 0 / false. */
const char *rf_db_text(const PGresult *res, int row, int col);
bool rf_db_is_null(const PGresult *res, int row, int col);
/* A copy of the text of the cell in a; "" for SQL NULL. Never NULL. */
char *rf_db_text_copy(struct rf_arena *a, const PGresult *res, int row, int col);
long long rf_db_int(const PGresult *res, int row, int col);
int64_t rf_db_time(const PGresult *res, int row, int col);
/* Decodes a bytea column of exactly len bytes into out; false otherwise. */
bool rf_db_bytea(const PGresult *res, int row, int col, uint8_t *out, size_t len);

#endif
