/*
 * Turns a statement of the code (PostgreSQL's $n parameters) into a pgbench
 * command, so that deploy/bench/run generates its pgbench scripts from the
 * statements refundsd runs instead of pasting copies. Pure: text in, text
 * out. Not for running SQL, and not a SQL parser: it knows string literals
 * and quoted identifiers, which is all the stores' statements use.
 */
#ifndef REFUNDS_BENCH_PGBENCH_SQL_H
#define REFUNDS_BENCH_PGBENCH_SQL_H

#include <stddef.h>

/*
 * Rewrites every $n of sql outside '...' literals and "..." identifiers:
 * into binds[n-1] verbatim when n <= n_binds and binds[n-1] is not NULL (a
 * pgbench variable such as ":k" or an SQL expression computed per
 * transaction), otherwise into the pgbench variable :pn. A '$' not followed
 * by a digit stays as it is. Returns a malloc'd string the caller frees;
 * aborts when out of memory.
 */
char *rf_pgbench_sql(const char *sql, const char *const *binds, size_t n_binds);

#endif
