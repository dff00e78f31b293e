/*
 * One registry of the SQL statements of refunds_store (the *_store.c files),
 * so that tools take the statement texts from the code instead of copying
 * them: refunds-loadgen --print-sql prints one for deploy/bench/run's pgbench
 * scripts. It only finds and lists statements; running them is rf_db_exec's
 * job, and each store keeps its statements next to the code that binds their
 * parameters. Every *_store.c of refunds_store is in it. Not in it: the
 * statements of refunds_common (services/common: the audit chain's append,
 * the migrations' bookkeeping), and those of workers/reconciler/recon_store.c,
 * which belongs to the refunds-reconciler executable: refunds_store is a
 * library the reconciler links, so it cannot reach into the reconciler, and
 * those statements run only on the reconciler's own connection.
 */
#ifndef REFUNDS_STORE_STATEMENTS_H
#define REFUNDS_STORE_STATEMENTS_H

#include <stddef.h>

#include "refunds/db.h"

/*
 * The statement called name (its prepared-statement name, e.g. "case_get_full"),
 * or NULL when no store has one by that name. The statement is static: never freed.
 */
const struct rf_stmt *rf_store_statement(const char *name);

/*
 * The i-th statement of the registry, from 0, in a fixed order (store by
 * store, each in its own order), or NULL past the last: iterate with
 * for (i = 0; (s = rf_store_statement_at(i)) != NULL; i++). Static, never freed.
 */
const struct rf_stmt *rf_store_statement_at(size_t i);

#endif
