/*
 * The background thread that watches the database for grpc.health.v1 (the
 * server is SERVING while PostgreSQL answers and has this binary's schema)
 * and does housekeeping: it expires old idempotency keys and takes the signed
 * audit checkpoints (docs/audit.md). It has its own connection, so a health
 * probe never waits behind a busy call.
 */
#ifndef REFUNDS_MONITOR_H
#define REFUNDS_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "refunds/crypto.h"
#include "settings.h"

struct rf_monitor;

/*
 * Starts the thread; the first check runs before this returns. Audit
 * checkpoints are signed with checkpoint_key (copied), the key derived from
 * the server's for RF_AUDIT_CHECKPOINT_PURPOSE.
 */
struct rf_monitor *rf_monitor_start(const struct rf_settings *settings,
                                    const uint8_t checkpoint_key[RF_KEY_LEN]);

/* Stops and joins the thread, closes its connection, frees m. NULL is a no-op. */
void rf_monitor_stop(struct rf_monitor *m);

/* The last check's verdict, false once draining. Thread-safe. */
bool rf_monitor_serving(const struct rf_monitor *m);

/*
 * Starts the lame-duck phase: from now on health answers NOT_SERVING, so that load
 * balancers and Kubernetes stop sending calls here, while the server still serves
 * what arrives. There is no way back. Thread-safe.
 */
void rf_monitor_set_draining(struct rf_monitor *m);

#endif
