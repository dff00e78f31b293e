/*
 * The audit chain's hash and links (see include/refunds/audit.h and
 * docs/audit.md). Storage of events is in audit_store.c.
 */
#include <stdio.h>
#include <string.h>

#include "refunds/audit.h"

const uint8_t rf_audit_genesis[RF_SHA256_LEN];

static void netstring(struct rf_sha256 *h, const char *s)
{
    rf_sha256_field(h, s, strlen(s));
}

void rf_audit_chain_hash(const uint8_t prev[RF_SHA256_LEN], const struct rf_audit_event *ev,
                         uint8_t out[RF_SHA256_LEN])
{
    struct rf_sha256 *h = rf_sha256_begin();
    char num[32];

    rf_sha256_update(h, prev, RF_SHA256_LEN);
    netstring(h, "refunds.audit.v1");
    netstring(h, ev->case_id);
    snprintf(num, sizeof num, "%d", ev->seq);
    netstring(h, num);
    snprintf(num, sizeof num, "%lld", (long long)ev->occurred_us);
    netstring(h, num);
    netstring(h, ev->actor);
    netstring(h, ev->actor_role);
    netstring(h, ev->method);
    netstring(h, ev->old_state);
    netstring(h, ev->new_state);
    netstring(h, ev->request_id);
    rf_sha256_end(h, out);
}

void rf_audit_link_next(const struct rf_ctx *ctx, const char *case_id, int head_seq,
                        const uint8_t head[RF_SHA256_LEN], const char *old_state,
                        const char *new_state, struct rf_audit_link *out)
{
    struct rf_audit_event ev = {
        .case_id = case_id,
        .seq = head_seq + 1,
        .occurred_us = ctx->now_us,
        .actor = ctx->actor.subject,
        .actor_role = rf_role_name(ctx->actor.role) != NULL ? rf_role_name(ctx->actor.role) : "",
        .method = ctx->method,
        .old_state = old_state,
        .new_state = new_state,
        .request_id = ctx->request_id != NULL ? ctx->request_id : "",
    };

    out->seq = ev.seq;
    memcpy(out->prev, head_seq == 0 ? rf_audit_genesis : head, RF_SHA256_LEN);
    out->old_state = old_state;
    out->new_state = new_state;
    rf_audit_chain_hash(out->prev, &ev, out->hash);
}
