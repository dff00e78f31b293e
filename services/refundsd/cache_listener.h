/*
 * The thread that keeps the case cache honest: it LISTENs on the
 * refunds_cases channel (every UPDATE of a case row notifies it, migration
 * 0002; refundsd's own writes right after their COMMIT, migration 0012) and
 * invalidates the cases named in each notification (one id, or several
 * comma-separated: migration 0015). The cache is enabled only while this
 * connection is up and listening; losing it disables and empties the cache
 * until it is listening again.
 */
#ifndef REFUNDS_CACHE_LISTENER_H
#define REFUNDS_CACHE_LISTENER_H

#include "case_cache.h"
#include "settings.h"

#define RF_CASES_CHANNEL "refunds_cases"

struct rf_cache_listener;

/* Starts the thread for cache c. */
struct rf_cache_listener *rf_cache_listener_start(const struct rf_settings *settings,
                                                  struct rf_case_cache *c);

/* Stops and joins it (within a fraction of a second), closes its connection; NULL is a no-op. */
void rf_cache_listener_stop(struct rf_cache_listener *l);

#endif
