/*
 * The state refunds.v1.Tracking is bound with (main.c): what its handler
 * (tracking.c) needs to check a customer's token and render their view. Not
 * for the token's format (tracking_token.h) or the view (tracking_view.h).
 */
#ifndef REFUNDS_TRACKING_H
#define REFUNDS_TRACKING_H

#include "refunds/arrival.h"
#include "refunds/render.h"
#include "tracking_token.h"

struct rf_tracking_state {
    const struct rf_tracking_key *key;      /* checks tokens (and signs them: case_store.h) */
    const struct rf_templates *templates;   /* the embedded set, compiled once at start */
    const struct rf_arrival_table *arrival; /* windows of refunds not yet reported a success */
    const char *support_contact;            /* REFUNDS_SUPPORT_CONTACT */
};

#endif
