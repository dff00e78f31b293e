/*
 * refunds.v1.Reconciliation/VerifyAuditChain and its part of the service's
 * method table: finance recomputes the audit chain of a case, or of every
 * case changed in a time range, and checks the signed checkpoints that
 * recorded their heads (docs/audit.md). One case is one page; a range is
 * paged, first its cases, then its checkpoints, so that no call reads more
 * than a page of either. Judging is audit_verify.c's and audit_checkpoint.c's,
 * the SQL audit_verify_store.c's, the request and its token audit_request.c's;
 * this file puts them together into the reply. Nothing is written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit_request.h"
#include "audit_verify_store.h"
#include "page_token.h"
#include "refunds/encode.h"
#include "refunds/names.h"
#include "refunds/pb.h"
#include "reconciliation.h"
#include "services.h"

/* Most heads a page of checkpoints reads (at least one checkpoint is read whatever its size). */
#define HEADS_PER_PAGE 5000

/* The faults one page found, and the totals so far. */
struct report {
    struct rf_arena *arena;
    Refunds__V1__AuditFault **faults;
    size_t n, cap;
    struct rf_audit_totals totals;
};

static void add_fault(struct report *rep, enum rf_audit_fault kind, const char *case_id, int seq,
                      long long checkpoint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void add_fault(struct report *rep, enum rf_audit_fault kind, const char *case_id, int seq,
                      long long checkpoint, const char *fmt, ...)
{
    Refunds__V1__AuditFault *f = rf_pb_new(rep->arena, &refunds__v1__audit_fault__descriptor);
    char message[256];
    va_list ap;

    if (rep->n == rep->cap) {
        Refunds__V1__AuditFault **bigger;

        rep->cap = rep->cap == 0 ? 16 : rep->cap * 2;
        bigger = rf_arena_calloc(rep->arena, rep->cap, sizeof *bigger);
        if (rep->n > 0)
            memcpy(bigger, rep->faults, rep->n * sizeof *bigger);
        rep->faults = bigger;
    }
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    f->kind = (Refunds__V1__AuditFaultKind)kind;
    if (case_id != NULL)
        f->case_ = rf_name_format(rep->arena, "cases", case_id);
    f->seq = seq;
    if (checkpoint > 0)
        f->checkpoint = rf_arena_printf(rep->arena, "checkpoints/%lld", checkpoint);
    f->message = rf_arena_strdup(rep->arena, message);
    rep->faults[rep->n++] = f;
    rep->totals.faults++;
}

static void check_chain(struct report *rep, const struct rf_audit_case *c)
{
    struct rf_audit_finding f;

    rf_audit_verify_chain(c->rows, c->n_rows, c->head_seq, c->head, &f);
    rep->totals.cases++;
    rep->totals.events += (int64_t)c->n_rows;
    if (f.fault != RF_AUDIT_OK)
        add_fault(rep, f.fault, c->case_id, f.seq, 0, "%s", f.message);
}

/* The index of this page's fault of case_id found through a checkpoint; -1 when none. */
static long head_fault_of(const struct report *rep, const char *case_id)
{
    for (size_t i = 0; i < rep->n; i++) {
        const Refunds__V1__AuditFault *f = rep->faults[i];

        if (f->checkpoint[0] != '\0' && f->case_[0] != '\0' &&
            strcmp(rf_name_id(f->case_), case_id) == 0)
            return (long)i;
    }
    return -1;
}

/*
 * Judges one recorded head. A case gets one such fault per page: the oldest
 * checkpoint's (where a rewrite shows first), except that a case gone whole
 * is reported with the newest head recorded of it, its last known event.
 */
static void check_head(struct report *rep, const struct rf_audit_stored_checkpoint *s, size_t i)
{
    const struct rf_audit_head *h = &s->heads[i];
    const struct rf_audit_head_state *st = &s->states[i];
    enum rf_audit_fault f =
        rf_audit_verify_head(st->case_exists, st->event_exists ? st->event_hash : NULL, h->hash);
    long earlier;

    rep->totals.heads++;
    if (f == RF_AUDIT_OK)
        return;
    earlier = head_fault_of(rep, h->case_id);
    if (earlier >= 0) {
        if (f != RF_AUDIT_REMOVED_CASE || (int)rep->faults[earlier]->kind != (int)f)
            return;
        /* Gone, and recorded again by a newer checkpoint: the newer record replaces it. */
        memmove(&rep->faults[earlier], &rep->faults[earlier + 1],
                (rep->n - (size_t)earlier - 1) * sizeof rep->faults[0]);
        rep->n--;
        rep->totals.faults--;
    }
    if (f == RF_AUDIT_REMOVED_CASE)
        add_fault(rep, f, h->case_id, h->seq, s->ck.id,
                  "the case no longer exists: checkpoint %lld recorded its event %d", s->ck.id,
                  h->seq);
    else if (f == RF_AUDIT_REMOVED)
        add_fault(rep, f, h->case_id, h->seq, s->ck.id,
                  "event %d, which checkpoint %lld recorded as the case's head, is not stored",
                  h->seq, s->ck.id);
    else
        add_fault(rep, f, h->case_id, h->seq, s->ck.id,
                  "event %d is not the one checkpoint %lld recorded: its stored hash differs",
                  h->seq, s->ck.id);
}

/* Checks each checkpoint and the heads it recorded (only those of only_case, unless NULL). */
static void check_checkpoints(struct report *rep, const uint8_t key[RF_KEY_LEN],
                              const struct rf_audit_stored_checkpoint *cks, size_t n,
                              const char *only_case)
{
    for (size_t k = 0; k < n; k++) {
        const struct rf_audit_stored_checkpoint *s = &cks[k];
        char why[200];
        enum rf_audit_fault f = rf_audit_checkpoint_check(
            key, &s->ck, s->has_pred ? s->pred_hash : NULL, s->heads, s->n_heads, why, sizeof why);

        rep->totals.checkpoints++;
        if (f != RF_AUDIT_OK)
            add_fault(rep, f, NULL, 0, s->ck.id, "%s", why);
        for (size_t i = 0; i < s->n_heads; i++) {
            if (only_case == NULL || strcmp(s->heads[i].case_id, only_case) == 0)
                check_head(rep, s, i);
        }
    }
}

static enum rf_code verify_case(struct rf_call *call, const uint8_t key[RF_KEY_LEN],
                                const char *name, struct report *rep)
{
    struct rf_ctx *ctx = &call->ctx;
    char id[RF_UUID_TEXT_LEN + 1];
    struct rf_audit_stored_checkpoint *cks;
    struct rf_audit_case *c;
    size_t n;
    enum rf_code code;

    rf_name_parse(name, "cases", id);
    code = rf_audit_case_load(ctx, id, &c);
    if (code == RF_OK)
        code = rf_audit_checkpoints_of_case(ctx, id, &cks, &n);
    if (code != RF_OK)
        return code;
    /* Gone, but a checkpoint knows it: that is the fault to report, not NOT_FOUND. */
    if (c == NULL && n == 0)
        return rf_fail(&ctx->err, RF_NOT_FOUND, "case \"%s\" does not exist", name);
    if (c != NULL)
        check_chain(rep, c);
    check_checkpoints(rep, key, cks, n, id);
    return RF_OK;
}

static enum rf_code verify_range(struct rf_call *call, const uint8_t key[RF_KEY_LEN],
                                 const Refunds__V1__VerifyAuditChainRequest *in, struct report *rep,
                                 char **next_token)
{
    struct rf_ctx *ctx = &call->ctx;
    int page_size = rf_page_size(in->page_size);
    struct rf_audit_range range;
    struct rf_audit_cursor cur;
    enum rf_code code;

    rf_audit_request_range(in, &range);
    if (!rf_audit_token_decode(in->page_token, &range, &cur)) {
        rf_violation_add(&ctx->err, "page_token",
                         "is not a page token of a verification of this time range");
        return rf_error_from_violations(&ctx->err);
    }
    rep->totals = cur.totals;
    if (cur.phase == RF_AUDIT_PHASE_CASES) {
        struct rf_audit_case *cases;
        size_t n;

        code = rf_audit_cases_page(ctx, &range, cur.after_us,
                                   cur.after_id[0] != '\0' ? cur.after_id : NULL, page_size, &cases,
                                   &n);
        if (code != RF_OK)
            return code;
        for (size_t i = 0; i < n; i++)
            check_chain(rep, &cases[i]);
        if (n == (size_t)page_size) {
            cur.after_us = cases[n - 1].updated_us;
            snprintf(cur.after_id, sizeof cur.after_id, "%s", cases[n - 1].case_id);
            cur.totals = rep->totals;
            *next_token = rf_audit_token_encode(ctx->arena, &range, &cur);
            return RF_OK;
        }
        /* The cases are done: the checkpoints begin on this page. */
        cur.phase = RF_AUDIT_PHASE_CHECKPOINTS;
        cur.after_checkpoint = 0;
    }
    {
        struct rf_audit_stored_checkpoint *cks;
        size_t n;
        bool more;

        code = rf_audit_checkpoints_page(ctx, &range, cur.after_checkpoint, page_size,
                                         HEADS_PER_PAGE, &cks, &n, &more);
        if (code != RF_OK)
            return code;
        check_checkpoints(rep, key, cks, n, NULL);
        if (more && n > 0) {
            cur.after_checkpoint = cks[n - 1].ck.id;
            cur.totals = rep->totals;
            *next_token = rf_audit_token_encode(ctx->arena, &range, &cur);
        }
    }
    return RF_OK;
}

RF_HANDLER(verify_audit_chain, Refunds__V1__VerifyAuditChainRequest,
           Refunds__V1__VerifyAuditChainResponse)
{
    const struct rf_recon_service *state = rf_recon(call);
    struct rf_ctx *ctx = &call->ctx;
    struct report rep = {.arena = ctx->arena};
    char *next_token = NULL;
    uint8_t latest_hash[RF_SHA256_LEN];
    long long latest_id = 0;
    enum rf_code code;

    if (in->case_[0] != '\0')
        call->resource = in->case_;
    code = rf_audit_verify_begin(ctx);
    if (code == RF_OK)
        code = in->case_[0] != '\0'
                   ? verify_case(call, state->checkpoint_key, in->case_, &rep)
                   : verify_range(call, state->checkpoint_key, in, &rep, &next_token);
    if (code == RF_OK)
        code = rf_audit_checkpoint_latest(ctx, &latest_id, latest_hash);
    rf_ctx_rollback(ctx);
    if (code != RF_OK)
        return code;
    out->cases_checked = rep.totals.cases;
    out->events_checked = rep.totals.events;
    out->checkpoints_checked = rep.totals.checkpoints;
    out->heads_checked = rep.totals.heads;
    out->faults_found = rep.totals.faults;
    out->faults = rep.faults;
    out->n_faults = rep.n;
    if (next_token != NULL)
        out->next_page_token = next_token;
    if (latest_id > 0) {
        char *hex = rf_arena_alloc(ctx->arena, 2 * RF_SHA256_LEN + 1);

        rf_hex_encode(latest_hash, RF_SHA256_LEN, hex);
        out->latest_checkpoint = rf_arena_printf(ctx->arena, "checkpoints/%lld", latest_id);
        out->latest_checkpoint_hash = hex;
    }
    return RF_OK;
}

RF_VALIDATOR(rf_validate_verify_audit_chain, Refunds__V1__VerifyAuditChainRequest);

/* Who may call what. docs/api.md shows the same table. */
static const struct rf_method methods[] = {
    {
        .name = "VerifyAuditChain",
        .input = &refunds__v1__verify_audit_chain_request__descriptor,
        .output = &refunds__v1__verify_audit_chain_response__descriptor,
        .validate = rf_validate_verify_audit_chain_entry,
        .handler = verify_audit_chain_entry,
        .roles = RF_ROLE_FINANCE | RF_ROLE_ADMIN,
    },
};

RF_METHOD_PART(rf_audit_methods, methods);
