/*
 * A per-process cache of the replies that read one case — GetCase's (packed
 * refunds.v1.Case) and GetRefundTrace's of the whole case in the customer's
 * language (packed refunds.v1.RefundTrace) — so that reading a case usually
 * costs no database round trip.
 *
 * It is kept correct by invalidation, never by guessing: every UPDATE of a
 * case row sends a NOTIFY (migration 0002) that the cache listener turns into
 * rf_case_cache_invalidate, on every replica; a replica's own mutations
 * invalidate synchronously on commit, so a caller always reads its own
 * writes. refundsd's own transactions send that NOTIFY right after their
 * COMMIT, in a transaction of its own, instead of in it (migration 0012,
 * rf_db_defer_announcements: notifying commits are serialised by PostgreSQL
 * and would not group-commit); every other writer still notifies at its
 * commit. The one guarantee that costs: if refundsd dies, or its connection
 * drops, between a COMMIT and that NOTIFY, the other replicas are never told
 * and may serve their copy of the case from before the change until the
 * entry's TTL (REFUNDS_CASE_CACHE_TTL_MS, 60 s by default) — the replica that
 * wrote has dropped its own copy already, and a failed NOTIFY is logged
 * (event announce_failed). A read stores its result only if no invalidation happened since it
 * began (rf_case_cache_generation), so a slow read can never put back a
 * version older than one already announced. While the listener is not
 * connected the cache is disabled and empty: notifications may be missed, so
 * every read goes to the database. Entries also expire: at the due time of a
 * pending approval (sla_breached is computed at read time) and after a TTL.
 *
 * Invariant the rest of the code keeps: whatever GetCase returns changes only
 * together with an UPDATE of the case's row (interactions and approvals are
 * written by the same statement that bumps cases.version); what the trace
 * shows besides (a refund's provider view, findings, follow-up tasks) is
 * announced on the same channel by triggers (migration 0009). Invalidating a
 * case drops every reply of it.
 *
 * Thread-safe; lookups and stores lock one of several shards.
 */
#ifndef REFUNDS_CASE_CACHE_H
#define REFUNDS_CASE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refunds/arena.h"

struct rf_case_cache;

/* Which reply of a case an entry holds. */
enum rf_cached {
    RF_CACHED_CASE,  /* GetCase */
    RF_CACHED_TRACE, /* GetRefundTrace of the case, in the customer's language */
};

/* Creates a cache of at most capacity_bytes (0: a cache that never holds anything), disabled. */
struct rf_case_cache *rf_case_cache_create(size_t capacity_bytes);

/* Frees the cache and its entries; NULL is a no-op. */
void rf_case_cache_destroy(struct rf_case_cache *c);

/* Enables the cache, or disables and empties it. */
void rf_case_cache_set_enabled(struct rf_case_cache *c, bool enabled);

/* The invalidation generation: read it before querying the database for a case. */
uint64_t rf_case_cache_generation(const struct rf_case_cache *c);

/*
 * Finds kind's reply of case case_id, valid at now_us; on a hit copies it into
 * arena a and returns true.
 */
bool rf_case_cache_get(struct rf_case_cache *c, enum rf_cached kind, const char *case_id,
                       int64_t now_us, struct rf_arena *a, const uint8_t **data, size_t *len);

/*
 * Stores kind's reply of case case_id at version, valid until valid_until_us, read
 * after generation was taken. Ignored when the cache is disabled, when an
 * invalidation happened since, when it is not newer than what is held, or
 * when it is larger than a thirty-second of the capacity (half of a shard).
 */
void rf_case_cache_put(struct rf_case_cache *c, enum rf_cached kind, const char *case_id,
                       long long version, int64_t valid_until_us, const uint8_t *data, size_t len,
                       uint64_t generation);

/* Drops every reply of case id and starts a new generation: the case changed. */
void rf_case_cache_invalidate(struct rf_case_cache *c, const char *id);

/* Counters since creation, for logs and tests. */
struct rf_case_cache_stats {
    uint64_t hits, misses, stores, invalidations;
    size_t entries, bytes;
};
void rf_case_cache_stats(struct rf_case_cache *c, struct rf_case_cache_stats *out);

#endif
