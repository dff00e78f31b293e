/*
 * SQL of the policy report (GetPolicyReport): the outcomes, times, SLA
 * breaches, amounts per currency and money figures of the cases first
 * contacted in a time range, grouped by one or two dimensions, computed by
 * PostgreSQL: three grouped statements in one read-only snapshot, each one
 * pass over the range (the cases_by_created index), never a query per
 * group. What it counts lives on the case rows (migration 0007); the money
 * figures come from the refunds (received_at) and findings of those cases.
 * Not for checking the request (policies.c) or printing it (refundctl).
 */
#ifndef REFUNDS_REPORT_STORE_H
#define REFUNDS_REPORT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "refunds/ctx.h"
#include "refunds/v1/policy.pb-c.h"

/* At most this many dimensions group a report. */
#define RF_REPORT_DIMS_MAX 2

/*
 * Fills out's rows (sorted by keys), total and compute_time (ctx's time, as
 * of which pending approvals are overdue) for the cases created in [from_us,
 * to_us), grouped by the n_dims (1 or 2, distinct) refunds.v1.ReportDimension
 * values in dims; everything in ctx's arena. Runs in a transaction of its
 * own (so it must be called outside one), read only and repeatable read,
 * with JIT off and work_mem_mb megabytes of work_mem for its sorts. The
 * request is checked by the caller: dimensions out of range abort.
 */
enum rf_code rf_report_store_policy(struct rf_ctx *ctx, int64_t from_us, int64_t to_us,
                                    const int *dims, size_t n_dims, int work_mem_mb,
                                    Refunds__V1__PolicyReport *out);

/*
 * The three statements of the report grouped by dims (as above), each ending
 * in ";\n": for EXPLAIN and the benchmark, which take the SQL from here.
 * Static storage; never NULL.
 */
const char *rf_report_store_sql(const int *dims, size_t n_dims);

/*
 * Every statement of report_store.c, NULL-terminated, for the statement
 * registry (store_statements.h): static storage, never freed. The grouped
 * statements (one per part and pair of dimensions GetPolicyReport accepts),
 * built at first use, are built by this call if they were not yet.
 */
const struct rf_stmt *const *rf_report_store_statements(void);

#endif
