/*
 * SQL of what the reconciler wrote, as the Reconciliation service reads it:
 * its runs (reconciliation_runs with their counts per kind and totals per
 * currency) and its findings (migration 0004). Reads build the API's messages
 * in the context's arena. The reconciler's own writes are
 * workers/reconciler/recon_store.c.
 */
#ifndef REFUNDS_RECON_STORE_H
#define REFUNDS_RECON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/crypto.h"
#include "refunds/ctx.h"
#include "refunds/v1/reconciliation.pb-c.h"

/* A run still RUNNING whose worker has not reported for this long is shown ABANDONED. */
#define RF_RUN_STALE_US (5LL * 60 * 1000000)

/* Run id (a UUID); NOT_FOUND when there is none. */
enum rf_code rf_run_store_get(struct rf_ctx *ctx, const char *id, Refunds__V1__Run **out);

/* Runs newest first, before (before_us, before_id) when before_id is not NULL; at most limit. */
enum rf_code rf_run_store_list(struct rf_ctx *ctx, int64_t before_us, const char *before_id,
                               int limit, Refunds__V1__Run ***runs, size_t *n);

/* Filters of ListFindings; NULL members are not filtered on. */
struct rf_finding_filter {
    const char *kind;     /* "FAILED" */
    const char *state;    /* "OPEN" */
    const char *provider; /* "stripe" */
    const char *currency; /* "EUR" */
    const char *case_id;  /* a case's UUID */
    int64_t before_us;    /* keyset cursor: opened before (before_us, before_id) */
    const char *before_id;
    int limit;
};

/* Findings newest first (by open time, then id). */
enum rf_code rf_finding_store_list(struct rf_ctx *ctx, const struct rf_finding_filter *f,
                                   Refunds__V1__Finding ***findings, size_t *n);

/*
 * The export's next chunk: findings that pass f (its cursor members unused)
 * opened after (after_us, after_id) — INT64_MIN and NULL for the start — and
 * before before_us (INT64_MAX: no end), oldest first, at most f->limit, as
 * rows in ctx's arena.
 */
enum rf_code rf_finding_store_export(struct rf_ctx *ctx, const struct rf_finding_filter *f,
                                     int64_t after_us, const char *after_id, int64_t before_us,
                                     Refunds__V1__FindingRow ***rows, size_t *n);

/* Finding id, and its case's id ("" for an orphan); NOT_FOUND when there is none. */
enum rf_code rf_finding_store_get(struct rf_ctx *ctx, const char *id, Refunds__V1__Finding **out,
                                  char case_id[RF_UUID_TEXT_LEN + 1]);

/*
 * Resolves the open finding id (resolution a Resolution short name) by ctx's actor
 * at ctx's time with note, and cancels its open follow-up; *applied is false when it
 * was no longer open.
 */
enum rf_code rf_finding_store_resolve(struct rf_ctx *ctx, const char *id, const char *resolution,
                                      const char *note, bool *applied);

/*
 * Every statement of recon_store.c, NULL-terminated, for the statement
 * registry (store_statements.h): static storage, never freed. The filtered
 * list and export statements, built at first use, are built by this call if
 * they were not yet.
 */
const struct rf_stmt *const *rf_recon_store_statements(void);

#endif
