/*
 * SQL of the reconciler (tables of migrations 0004 and 0010): a pass's run
 * row and its counters, claiming a batch of the refunds due (their
 * refund_checks rows locked FOR UPDATE SKIP LOCKED, so that several
 * reconcilers share the work and each refund is checked once, then the
 * refunds read), and writing what a batch found — each refund's next check,
 * its observed state when that changed and the new steps of its timeline,
 * findings opened, updated and closed, and the run's counts — as whole
 * arrays, one statement each, in the batch's one transaction. The NOTIFY that
 * drops refundsd's cached copies of a case whose refunds' view changed comes
 * from migration 0009's trigger on refunds. Every function takes the batch's
 * struct rf_ctx. The classification is classify.c; Redis is lookup.c.
 */
#ifndef REFUNDS_RECON_STORE_H
#define REFUNDS_RECON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "refunds/crypto.h"
#include "refunds/ctx.h"

/* One refund of a batch, as claimed: what the classifier needs of our record. */
struct rf_claimed {
    char id[RF_UUID_TEXT_LEN + 1];
    char case_id[RF_UUID_TEXT_LEN + 1];
    struct rf_recon_ours ours;
    const char *observed_status; /* the status stored before this check ("NOT_CHECKED") */
    const char *reference;       /* the reference stored before */
    int observations;            /* rows in its timeline so far */
    /*
     * Checked (and committed) before. A refund never checked has no finding,
     * open or resolved: every finding of a refund is opened by a check of it.
     */
    bool checked_before;
    /*
     * RF_FINDING_BIT of each kind with an open finding when claimed: the
     * kinds a close can apply to (the read looks only when checked_before).
     */
    uint32_t open_kinds;
    int64_t due_us; /* its next_check_at when claimed */
};

/*
 * Starts a run of worker: its row (RUNNING) with now as the pass's cut-off,
 * the lag of the oldest refund due and the refunds its wake made due (woken).
 * The run's id goes to run_id.
 */
enum rf_code rf_recon_store_start_run(struct rf_ctx *ctx, const char *run_id, const char *worker,
                                      long long woken);

/* Ends the run at ctx->now_us: FINISHED when complete, else ABANDONED (stopped part way). */
enum rf_code rf_recon_store_finish_run(struct rf_ctx *ctx, const char *run_id, bool complete);

/*
 * One chunk of a wake: up to limit refunds of provider awaiting its data
 * (NOT_FOUND or UNKNOWN at their last check), the first after refund id after
 * in id order, last checked before loaded_at_us (when its data was loaded)
 * and not due yet, become due at ctx->now_us. *chosen is how many it chose
 * (fewer than limit: the last chunk), after becomes the last one's id,
 * *woken how many it made due (fewer when a batch checked some meanwhile).
 * Start with after the nil UUID; one statement each.
 */
enum rf_code rf_recon_store_wake(struct rf_ctx *ctx, const char *provider, int64_t loaded_at_us,
                                 int limit, char after[RF_UUID_TEXT_LEN + 1], long long *chosen,
                                 long long *woken);

/* A refund due for a check, as its claim locked it. */
struct rf_due {
    char id[RF_UUID_TEXT_LEN + 1];
    int64_t due_us; /* its next_check_at */
    int checks;     /* checks committed before this one */
};

/*
 * Claims (locks, in ctx's transaction) up to limit refunds due from from_us
 * to due_before_us (both included), the oldest due first, skipping those
 * another transaction holds: their refund_checks rows, nothing else. *out is
 * an arena array of *n, in due order. Read them with rf_recon_store_read.
 */
enum rf_code rf_recon_store_lock_due(struct rf_ctx *ctx, int64_t from_us, int64_t due_before_us,
                                     int limit, struct rf_due **out, size_t *n);

/*
 * Reads the n refunds that due names (claimed by rf_recon_store_lock_due in
 * this transaction): *out, an arena array of n in the same order. INTERNAL
 * when one has no refund row (migration 0010's foreign key rules that out).
 */
enum rf_code rf_recon_store_read(struct rf_ctx *ctx, const struct rf_due *due, size_t n,
                                 struct rf_claimed **out);

/* What a batch found, to be written by rf_recon_store_write. */
struct rf_batch_result {
    const struct rf_claimed *refunds;
    const struct rf_recon_verdict *verdicts;   /* one per refund */
    const struct rf_recon_provider *providers; /* one per refund: what the cache said */
    size_t n;
    size_t unknown; /* refunds whose provider data was unknown */
};

/* Counts of what rf_recon_store_write did, per finding kind. */
struct rf_batch_counts {
    long long opened[RF_FINDING_KINDS];
    long long closed[RF_FINDING_KINDS];
};

/*
 * Writes the batch's results for run run_id (see the file's comment) and adds
 * them to the run's counters; counts what it opened and closed in *counts.
 */
enum rf_code rf_recon_store_write(struct rf_ctx *ctx, const char *run_id,
                                  const struct rf_batch_result *r, struct rf_batch_counts *counts);

/* A provider refund we never issued, with its finding. */
struct rf_orphan {
    const char *provider;
    const char *provider_refund_id;
    int64_t amount_minor;
    const char *currency;
    int64_t provider_updated_at_us;
    struct rf_recon_finding finding;
};

/*
 * Of the n provider refund ids of provider, those we never recorded as issued:
 * *out, an arena array of *n_out ids (one statement, linear in n).
 */
enum rf_code rf_recon_store_never_issued(struct rf_ctx *ctx, const char *provider,
                                         const char *const *ids, size_t n, const char ***out,
                                         size_t *n_out);

/*
 * Opens (or keeps open) an ORPHAN_AT_PROVIDER finding for each of the n
 * orphans, and adds scanned and the orphans to the run's counters; the
 * findings newly opened are counted in *opened.
 */
enum rf_code rf_recon_store_orphans(struct rf_ctx *ctx, const char *run_id,
                                    const struct rf_orphan *orphans, size_t n, long long scanned,
                                    long long *opened);

#endif
