/*
 * What every RPC that changes an existing case does around its one SQL
 * statement, shared by the files of RefundCases RPCs (cases.c, approvals.c,
 * and those to come): read the case, check the caller's etag and that the
 * case's state allows the change (case_state.c's table), compute the change's
 * audit link, and after the statement tell "a concurrent call won" from
 * success, reply with the case as it is now, and drop the cached copy once
 * the transaction commits (an on-commit hook) or when a retry replays the
 * answer. Also the state of the RefundCases service: what its handlers reach
 * as call->service.
 */
#ifndef REFUNDS_CASE_CHANGE_H
#define REFUNDS_CASE_CHANGE_H

#include <stdbool.h>

#include "call.h"
#include "case_cache.h"
#include "case_state.h"
#include "case_store.h"

struct rf_policy_cache;
struct rf_templates;
struct rf_tracking_key;

/* The state refunds.v1.RefundCases is bound with (main.c). */
struct rf_cases_state {
    struct rf_case_cache *cache; /* GetCase replies of this replica */
    /* The decision messages (communication.c): the embedded templates, compiled once at start;
     * the key of customers' tracking tokens (AcceptAlternative from the shop's website); how
     * customers reach support (REFUNDS_SUPPORT_CONTACT, or the default main.c warns about);
     * the status page the tracking token is appended to (REFUNDS_TRACKING_BASE_URL, likewise). */
    const struct rf_templates *templates;
    const struct rf_tracking_key *tracking_key;
    const char *support_contact;
    const char *tracking_base_url;
    struct rf_policy_cache *policies; /* the parsed guidelines (evaluation, SLA, tiers) */
};

/* The RefundCases state of a call of one of its methods. */
static inline struct rf_cases_state *rf_cases(const struct rf_call *call)
{
    return call->service;
}

/*
 * Reads the case name names (already validated) into row, with its interactions
 * when full, and notes it as the call's resource. NOT_FOUND when it does not exist.
 */
enum rf_code rf_case_load(struct rf_call *call, const char *name, bool full,
                          struct rf_case_row *row);

/*
 * Checks the caller's etag against row (unless etag is NULL: a change that
 * reports a fact, such as a refund the payments system issued), then (unless event is NULL) that
 * event is allowed from the case's state, and fills ch: the state it leads to and its audit link.
 * FAILED_PRECONDITION naming the stale etag or the states allowed.
 */
enum rf_code rf_case_prepare_change(struct rf_call *call, const struct rf_case_row *row,
                                    const char *etag, const enum rf_case_event *event,
                                    struct rf_case_change *ch);

/* rf_case_load (without interactions), then rf_case_prepare_change. */
enum rf_code rf_case_load_for_change(struct rf_call *call, const char *name, const char *etag,
                                     const enum rf_case_event *event, struct rf_case_row *row,
                                     struct rf_case_change *ch);

/*
 * Ends a change: passes a failure (code) on; a statement that applied to
 * nothing (!applied) means a concurrent call won (FAILED_PRECONDITION); else
 * out is the case as it is now, and its cached copy is dropped once the
 * transaction commits.
 */
enum rf_code rf_case_finish_change(struct rf_call *call, enum rf_code code,
                                   const struct rf_case_row *before, bool applied,
                                   Refunds__V1__Case *out);

/*
 * rf_case_finish_change for a change that knows what it wrote: out is
 * *after, the case as the change left it, built by the caller from what it
 * read and what its statement changed, instead of read back (one statement
 * less). Only for changes whose every effect on the API view the caller
 * knows; an integration test must compare the reply with GetCase's.
 */
enum rf_code rf_case_finish_change_as(struct rf_call *call, enum rf_code code,
                                      const struct rf_case_row *before, bool applied,
                                      const Refunds__V1__Case *after, Refunds__V1__Case *out);

/*
 * Drops the RefundCases cache's copy of case case_id once the call's
 * transaction commits: for a change made with a store statement of its own,
 * after it applied (rf_case_finish_change does it for the usual ones).
 */
void rf_case_changed(struct rf_call *call, const char *case_id);

/*
 * Appends the call's event (ctx's method, actor, request id) to the audit chain
 * of case case_id without changing its state — a follow-up completed, a finding
 * resolved — in the call's transaction; the case's version moves on and its
 * copy in cache (the replica's case cache, whichever service the call is of) is
 * dropped on commit. ABORTED (the dispatcher retries) when a
 * concurrent change moved the chain first.
 */
enum rf_code rf_case_record_event(struct rf_call *call, struct rf_case_cache *cache,
                                  const char *case_id);

/*
 * The replayed hook of the case mutations (struct rf_method.replayed): drops
 * the cached copy of the case the request names, because the first attempt
 * may not have done so yet.
 */
void rf_case_replayed(struct rf_call *call, const ProtobufCMessage *in);

#endif
