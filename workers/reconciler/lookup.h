/*
 * What the reconciler reads from the provider cache (Redis, layout in
 * refunds/psp.h and docs/provider-cache.md), turned into the classifier's
 * input. No decisions here (classify.c) and no SQL (recon_store.c). A record
 * that is there but cannot be read is present with an unknown status, so the
 * classifier never takes it for missing.
 */
#ifndef REFUNDS_RECON_LOOKUP_H
#define REFUNDS_RECON_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "recon_store.h"
#include "refunds/cache.h"

/*
 * Reads, in one pipeline, the record of each of the n claimed refunds and the
 * snapshot of each of their providers, into providers[i] and snapshots[i].
 * Strings are in arena a. UNAVAILABLE when Redis cannot be reached or refuses
 * a command: the caller writes nothing from a batch it could not read.
 */
enum rf_code rf_recon_lookup(struct rf_cache *cache, struct rf_arena *a,
                             const struct rf_claimed *refunds, size_t n,
                             struct rf_recon_provider *providers,
                             struct rf_recon_snapshot *snapshots, struct rf_error *err);

/* The snapshots of the n providers, in one pipeline, into out[i]. */
enum rf_code rf_recon_snapshots(struct rf_cache *cache, struct rf_arena *a,
                                const char *const *providers, size_t n,
                                struct rf_recon_snapshot *out, struct rf_error *err);

/*
 * Up to count ids of provider's refunds created on the UTC day of day_us, from
 * position start of the day's index (psp:<provider>:created:<day>, by created
 * time); fewer at the end. *ids is an arena array of *n.
 */
enum rf_code rf_recon_day_index(struct rf_cache *cache, struct rf_arena *a, const char *provider,
                                int64_t day_us, long start, long count, const char ***ids,
                                size_t *n, struct rf_error *err);

/* The records of the n ids of provider, in one pipeline, into out[i]. */
enum rf_code rf_recon_records(struct rf_cache *cache, struct rf_arena *a, const char *provider,
                              const char *const *ids, size_t n, struct rf_recon_provider *out,
                              struct rf_error *err);

#endif
