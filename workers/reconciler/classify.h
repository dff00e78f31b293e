/*
 * The reconciler's pure core: given one issued refund as we recorded it, the
 * payment provider's record of it (when the cache has one) and how fresh the
 * provider's data is, decide what is wrong, what to tell whom, and when to
 * look again. No I/O, no clock, no globals: the caller passes "now", and
 * everything returned lives in the caller's arena. Not for reading Redis or
 * PostgreSQL, nor for storing findings (the reconciler's loop and store do
 * that with the verdict); docs/reconciliation.md explains each finding kind,
 * every window and its source, and the REFUNDS_RECON_* variables.
 *
 * The verdict's contract with the store: `decided` holds the kinds whose
 * truth this pass established and `present` (a subset) those that hold now.
 * The store opens a finding for each present kind (one open finding per
 * refund and kind), closes open findings of the kinds in decided & ~present
 * with the close reason given, and leaves every other kind untouched. So a
 * kind is left undecided whenever the data to judge it is missing: no
 * finding is ever closed for lack of data.
 */
#ifndef REFUNDS_RECON_CLASSIFY_H
#define REFUNDS_RECON_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "refunds/arena.h"
#include "refunds/status.h"
#include "recon_config.h"

/*
 * A refund's status at the provider, as the cache normalises it (DESIGN.md:
 * psp:<provider>:refund:<id> field "status"), plus two that only the
 * classifier reports: UNKNOWN (no usable provider data) and NOT_FOUND (fresh
 * provider data without this refund).
 */
enum rf_recon_status {
    RF_RECON_UNKNOWN,
    RF_RECON_NOT_FOUND,
    RF_RECON_PENDING,
    RF_RECON_REQUIRES_ACTION,
    RF_RECON_SUCCEEDED,
    RF_RECON_FAILED,
    RF_RECON_CANCELED,
    RF_RECON_REVERSED,
    RF_RECON_NOT_CLEARED,
};
#define RF_RECON_STATUSES (RF_RECON_NOT_CLEARED + 1)

/* "UNKNOWN", "NOT_FOUND", "PENDING", ...: stable names for SQL and the API; NULL out of range. */
const char *rf_recon_status_name(enum rf_recon_status s);

/*
 * Parses the cache's status word ("pending", "requires_action", "succeeded",
 * "failed", "canceled", "reversed", "not_cleared") into *out; false for
 * anything else, "unknown" and "not_found" included.
 */
bool rf_recon_status_parse(const char *word, enum rf_recon_status *out);

/* What can be wrong with a refund. The values index arrays and bit masks; never reorder. */
enum rf_finding_kind {
    RF_FINDING_NOT_FOUND_AT_PROVIDER,
    RF_FINDING_FAILED,
    RF_FINDING_REVERSED,
    RF_FINDING_STUCK_PENDING,
    RF_FINDING_REQUIRES_CUSTOMER_ACTION,
    RF_FINDING_NOT_CLEARED,
    RF_FINDING_AMOUNT_MISMATCH,
    RF_FINDING_CURRENCY_MISMATCH,
    RF_FINDING_DUPLICATE_REFUND,
    RF_FINDING_ORPHAN_AT_PROVIDER,
    RF_FINDING_NO_TRACE_REFERENCE,
    RF_FINDING_OVERDUE_AT_CUSTOMER,
};
#define RF_FINDING_KINDS  (RF_FINDING_OVERDUE_AT_CUSTOMER + 1)
#define RF_FINDING_BIT(k) (1u << (k))

/* "NOT_FOUND_AT_PROVIDER", "FAILED", ...: stable names for SQL and the API; NULL out of range. */
const char *rf_finding_kind_name(enum rf_finding_kind k);

/* The kind named name (exactly as rf_finding_kind_name spells it); false if none. */
bool rf_finding_kind_parse(const char *name, enum rf_finding_kind *out);

/* Who a proactive follow-up goes to. */
enum rf_recon_audience {
    RF_AUDIENCE_NONE,           /* no follow-up is due */
    RF_AUDIENCE_CUSTOMER_AGENT, /* the agent talks to the customer */
    RF_AUDIENCE_FINANCE,        /* our own books are wrong */
};

/* "NONE", "CUSTOMER_AGENT", "FINANCE"; NULL out of range. */
const char *rf_recon_audience_name(enum rf_recon_audience a);

/* The refund as we recorded it. Strings are never written; NULL reads as "". */
struct rf_recon_ours {
    const char *provider;           /* lower-case provider name, "stripe" */
    const char *provider_refund_id; /* the provider's id of this refund, "re_..." */
    const char *payment_method;     /* arrival-table method name, e.g. "card" (refunds/arrival.h) */
    int64_t amount_minor;           /* this refund, in minor units of currency */
    const char *currency;           /* ISO 4217, "EUR" */
    int64_t issued_at_us;           /* when we recorded it issued (RecordRefundIssued) */
    bool receipt_confirmed;         /* the customer (or an agent) confirmed the money arrived */
    /* The case's books: */
    int64_t case_approved_minor; /* the amount approved for the case, in case_currency */
    const char *case_currency;   /* the case's currency; "" when unknown */
    int64_t
        case_issued_total_minor; /* all refunds of the case in case_currency, this one included */
};

/*
 * The provider's record, when the cache has one (psp:<provider>:refund:<id>).
 * Strings are never written; NULL reads as "". Times are microseconds since
 * the epoch, 0 when the record does not carry them.
 */
struct rf_recon_provider {
    bool present;                /* false: the cache has no record of this refund */
    enum rf_recon_status status; /* PENDING .. NOT_CLEARED; anything else makes the data unknown */
    const char *pending_reason;  /* why it is pending ("insufficient_funds"), or "" */
    const char *failure_reason;  /* why it failed ("expired_or_canceled_card"), or "" */
    int64_t amount_minor;
    const char *currency;       /* ISO 4217 in either case ("usd" from Stripe); "" = not given */
    const char *reference;      /* the ARN or equivalent, or "" */
    const char *reference_type; /* "acquirer_reference_number", ... or "" */
    /* "pending" | "available" | "unavailable" | "" = the provider format carries no references */
    const char *reference_status;
    const char *destination_type; /* "card", ... or "" */
    const char *card_refund_type; /* Stripe: "pending" | "refund" | "reversal" | "" */
    int64_t created_at_us, updated_at_us;
    /*
     * When the cache first saw it succeeded; 0 = never seen succeeded. A
     * SUCCEEDED record without it takes updated_at (else created_at, else
     * our issued_at) as the success for its windows.
     */
    int64_t succeeded_at_us;
};

/* The provider's snapshot (psp:<provider>:snapshot). */
struct rf_recon_snapshot {
    bool present;        /* false: no snapshot of this provider was ever loaded */
    int64_t taken_at_us; /* when the provider's data was current */
    int64_t loaded_at_us; /* when it was loaded into the cache (0: not said) */
};

/* One piece of evidence: what the provider or our record said. Both strings non-NULL. */
struct rf_recon_evidence {
    const char *key;   /* "provider_status", "our_amount", ... */
    const char *value; /* as a person reads it: "failed", "JPY 1000", "2026-11-23T10:00:00Z" */
};

#define RF_RECON_EVIDENCE_MAX 16

/* A kind that holds now, with why and what to do about it. */
struct rf_recon_finding {
    enum rf_finding_kind kind;
    int n_evidence;
    struct rf_recon_evidence evidence[RF_RECON_EVIDENCE_MAX];
    const char *action;              /* the suggested next action, in plain words for an agent */
    bool follow_up;                  /* a proactive follow-up is due now */
    enum rf_recon_audience audience; /* whom it goes to; NONE exactly when follow_up is false */
};

struct rf_recon_verdict {
    /*
     * false when the provider data is unknown: no record in the cache and
     * no fresh snapshot (absent, or older than max_snapshot_age), or a
     * record whose status is not one of the provider statuses. Then only
     * our own books are judged (DUPLICATE_REFUND, a CURRENCY_MISMATCH
     * between refund and case, and receipt confirmation closing
     * OVERDUE_AT_CUSTOMER and NO_TRACE_REFERENCE).
     */
    bool known;
    uint32_t decided; /* RF_FINDING_BIT of each kind this pass judged */
    uint32_t present; /* the judged kinds that hold now; a subset of decided */
    struct rf_recon_finding finding[RF_FINDING_KINDS]; /* valid for the present kinds */
    const char *close_reason[RF_FINDING_KINDS];        /* non-NULL exactly for decided & ~present */
    enum rf_recon_status observed; /* the provider's status, or UNKNOWN / NOT_FOUND */
    const char *reference;         /* the reference to show the agent, NULL when none */
    const char *reference_type;    /* its type, NULL when none (or not given) */
    int64_t window_from_us;        /* the arrival window when the provider reports success; */
    int64_t window_to_us;          /* both 0 otherwise */
    /*
     * When to check again; 0 = never (final). Unknown: now + recheck_unknown.
     * Money confirmed, nothing present and every kind decided: final (with a
     * kind undecided, an open finding of it would be stranded). A present
     * finding: now + recheck_finding. Otherwise pending or not yet at the
     * provider: now + recheck_pending; a succeeded card refund whose
     * reference should come: now + recheck_reference; a success with its
     * reference (or none expected): at the window's end. Never later than one
     * second after the next window end that could change the verdict (stuck,
     * stuck follow-up, reference due, arrival window), so nothing is noticed
     * late.
     */
    int64_t next_check_at_us;
    /*
     * The money can be taken as arrived: receipt confirmed, or the provider
     * reports success, the arrival window is over and nothing is present.
     * (While receipt is unconfirmed, a success past its window is
     * OVERDUE_AT_CUSTOMER, so in practice this follows the confirmation.)
     */
    bool money_confirmed;
};

/*
 * Classifies one issued refund at now_us and fills *out entirely. ours, prov,
 * snap and cfg are read only; every string of the verdict (evidence, action,
 * close reasons, the reference) is in arena a or static and lives until a
 * is reset; nothing points into the inputs, which may be freed right after
 * the call (a redisReply, say). Never fails: odd input (an unknown payment method, a provider
 * currency in lower case, missing times) is handled as its field comments
 * say and shows in the evidence.
 */
void rf_recon_classify(struct rf_arena *a, const struct rf_recon_ours *ours,
                       const struct rf_recon_provider *prov, const struct rf_recon_snapshot *snap,
                       const struct rf_recon_config *cfg, int64_t now_us,
                       struct rf_recon_verdict *out);

/*
 * The ORPHAN_AT_PROVIDER finding for a provider refund we never issued:
 * provider and provider_refund_id name it (the cache key), prov is its
 * record. Fills *out (follow-up to FINANCE); strings in arena a. The caller
 * decides that we never issued it; this only words the finding.
 */
void rf_recon_classify_orphan(struct rf_arena *a, const char *provider,
                              const char *provider_refund_id, const struct rf_recon_provider *prov,
                              struct rf_recon_finding *out);

#endif
