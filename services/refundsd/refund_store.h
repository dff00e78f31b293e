/*
 * SQL of the refunds issued for a case (table refunds, migration 0004): the
 * RecordRefundIssued and ConfirmRefundReceived changes, each one statement
 * shaped like every case change (case_store.h: the case updated only if it
 * still has the version and state read, its own rows, its audit event), and
 * the reads that fill Case.refunds. What the reconciler observes of each
 * refund is the reconciler's store (workers/reconciler/recon_store.c).
 */
#ifndef REFUNDS_REFUND_STORE_H
#define REFUNDS_REFUND_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "case_store.h"
#include "refunds/ctx.h"
#include "refunds/v1/cases.pb-c.h"

/*
 * SQL of the money a case has out in currency cur: its refunds in cur, less those
 * the provider says came back (failed, cancelled, reversed). A refund sent again
 * after a failure is then not "more than approved". case_id and cur are SQL
 * expressions. The reconciler judges duplicates with the same sum.
 */
#define RF_REFUNDS_OUT_SQL(case_id, cur)                                                           \
    "(SELECT coalesce(sum(o.amount_minor), 0) FROM refunds o WHERE o.case_id = " case_id            \
    " AND o.currency = " cur " AND o.observed_status NOT IN ('FAILED', 'CANCELED', 'REVERSED'))"

/* A refund as read, with what the handlers need beyond its API view. */
struct rf_refund_row {
    Refunds__V1__Refund *pb;
    char id[RF_UUID_TEXT_LEN + 1];
    char case_id[RF_UUID_TEXT_LEN + 1];
    bool received; /* receipt confirmed */
    /* What the reconciler saw last, for the trace; times are 0 when not known. */
    const char *payment_method; /* as arrival windows name it ("card") */
    int64_t succeeded_us;       /* when the provider was first seen to succeed */
    int64_t window_from_us, window_to_us; /* the arrival window, once succeeded */
    int64_t received_us;
    const char *pending_reason, *failure_reason;
    const char *reference_status; /* "pending" | "available" | "unavailable" | "" */
    const char *card_refund_type; /* Stripe: "pending" | "refund" | "reversal" | "" */
};

/*
 * The refunds of case case_id, oldest first, into *out (*n of them), in the
 * arena. case_name is the case's resource name, for the refunds' names.
 */
enum rf_code rf_refund_store_list(struct rf_ctx *ctx, const char *case_id, const char *case_name,
                                  struct rf_refund_row **out, size_t *n);

/* One step of a refund's money as the reconciler saw it (provider_observations). */
struct rf_refund_observation {
    const char *refund_id;
    int seq;
    const char *status; /* "PENDING", "SUCCEEDED": a ProviderStatus short name */
    int64_t first_seen_us;
    const char *reference; /* the transfer reference known then, or "" */
};

/* The most steps of a case's refunds the trace reads. */
#define RF_TRACE_MAX_OBSERVATIONS 500

/*
 * The first RF_TRACE_MAX_OBSERVATIONS steps of the refunds of case case_id,
 * oldest first, into *out (*n of them), in the arena; *truncated when there were more.
 */
enum rf_code rf_refund_store_observations(struct rf_ctx *ctx, const char *case_id,
                                          struct rf_refund_observation **out, size_t *n,
                                          bool *truncated);

/*
 * The refund the provider knows as provider/provider_refund_id, whatever its
 * case; *found false when none.
 */
enum rf_code rf_refund_store_find(struct rf_ctx *ctx, const char *provider,
                                  const char *provider_refund_id, struct rf_refund_row *out,
                                  bool *found);

/* What RecordRefundIssued records. */
struct rf_refund_issue {
    const char *id; /* the new refund's UUID */
    const char *provider;
    const char *provider_refund_id;
    const char *provider_payment_id;
    int64_t amount_minor;
    const char *currency;
    const char *payment_method; /* the case's, as arrival windows name it ("card") */
    int64_t issued_at_us;
    /* The case's books, for the marks: the approved amount in the case's currency. */
    int64_t approved_minor;
    const char *case_currency;
};

/*
 * Records the refund on the case ch changes (its state to ch->to), marked
 * exceeds_approved when the case's refunds in its currency, this one included,
 * come to more than approved, and currency_differs when it is in another
 * currency; due for the reconciler at once. Closes an open ORPHAN_AT_PROVIDER
 * finding of the same provider refund (it was issued after all). *applied is
 * false when the case no longer had the version and state read. A refund the
 * provider id of which is already recorded fails with ALREADY_EXISTS.
 */
enum rf_code rf_refund_store_issue(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                   const struct rf_refund_issue *r, bool *applied);

/*
 * Confirms receipt of refund refund_id of the case ch changes, or of every
 * unconfirmed refund of it when refund_id is NULL, by ctx's actor at ctx's
 * time with note; each is due for the reconciler at once (so that findings the
 * confirmation answers close). The case moves to ch->to.
 */
enum rf_code rf_refund_store_confirm(struct rf_ctx *ctx, const struct rf_case_change *ch,
                                     const char *refund_id, const char *note, bool *applied);

/* Every statement of refund_store.c, NULL-terminated, for the statement registry
 * (store_statements.h): static storage, never freed. */
const struct rf_stmt *const *rf_refund_store_statements(void);

#endif
