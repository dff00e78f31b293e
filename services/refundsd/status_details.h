/*
 * gRPC's richer error model: the google.rpc.Status sent in the
 * grpc-status-details-bin trailer, carrying field violations as a
 * google.rpc.BadRequest so that clients in any language can show them. Pure.
 */
#ifndef REFUNDS_STATUS_DETAILS_H
#define REFUNDS_STATUS_DETAILS_H

#include <stddef.h>
#include <stdint.h>

#include "refunds/arena.h"
#include "refunds/status.h"

#define RF_STATUS_DETAILS_KEY   "grpc-status-details-bin"
#define RF_BAD_REQUEST_TYPE_URL "type.googleapis.com/google.rpc.BadRequest"

/*
 * Packs err as google.rpc.Status (code, message, and a BadRequest with its
 * violations) into the arena; NULL when err has no violations to send.
 */
uint8_t *rf_status_details_pack(struct rf_arena *a, const struct rf_error *err, size_t *len);

#endif
