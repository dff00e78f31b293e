/*
 * The parsed guidelines of this process, by version: a stored version never
 * changes, so a version parsed once (policy.h) is kept and shared by every
 * thread until the server stops, and an evaluation costs no parsing. Which
 * version is current is always asked of the database (another replica may
 * have stored a newer one); only the documents are cached. Not for storing
 * versions (policy_store.h) or judging cases (evaluate.h).
 */
#ifndef REFUNDS_POLICY_CACHE_H
#define REFUNDS_POLICY_CACHE_H

#include <stdint.h>

#include "policy.h"
#include "refunds/ctx.h"

struct rf_policy_cache;

/* An empty cache; never NULL. */
struct rf_policy_cache *rf_policy_cache_create(void);

/* Frees the cache and every policy it handed out; NULL is a no-op. */
void rf_policy_cache_destroy(struct rf_policy_cache *c);

/*
 * The parsed policy of version (0: the current one, which costs a query),
 * with its version set, into *out: from the cache, or read and parsed with
 * ctx (and kept, up to a fixed number of versions; beyond that it lives in
 * ctx's arena). What the cache keeps lives until rf_policy_cache_destroy.
 * Fails as the store fails (NOT_FOUND for an unknown version); DATA_LOSS when
 * a stored document no longer parses.
 */
enum rf_code rf_policy_cache_get(struct rf_policy_cache *c, struct rf_ctx *ctx, int64_t version,
                                 const struct rf_policy **out);

/* The highest version the cache holds, or NULL when it holds none: a guess at the current one. */
const struct rf_policy *rf_policy_cache_latest(struct rf_policy_cache *c);

#endif
