/*
 * The generic unary call path (see dispatch.h). No method-specific code: the
 * method table says what to check and run.
 */
#include <stdio.h>
#include <string.h>

#include "dispatch.h"
#include "idempotency.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/validate.h"
#include "status_details.h"

/* Attempts of a mutation whose transaction is aborted by a deadlock or serialization failure. */
#define MUTATION_ATTEMPTS 3

enum rf_code rf_dispatch_bind(const ProtobufCServiceDescriptor *service,
                              const ProtobufCMethodDescriptor *desc, const struct rf_method *entry,
                              void *service_state, struct rf_bound_method *bm, struct rf_error *err)
{
    memset(bm, 0, sizeof *bm);
    bm->method = entry;
    bm->service_state = service_state;
    snprintf(bm->path, sizeof bm->path, "/%s/%s", service->name, desc->name);
    if (entry->input != desc->input || entry->output != desc->output)
        return rf_fail(err, RF_INTERNAL,
                       "method table entry %s does not match the descriptor's types", bm->path);
    if ((entry->handler == NULL) == (entry->stream == NULL))
        return rf_fail(err, RF_INTERNAL, "method table entry %s needs a handler or a stream",
                       bm->path);
    if (entry->stream != NULL && (entry->flags & RF_METHOD_MUTATION))
        return rf_fail(err, RF_INTERNAL, "streaming method %s cannot be a mutation", bm->path);
    if (entry->flags & RF_METHOD_MUTATION) {
        bm->request_id_field =
            protobuf_c_message_descriptor_get_field_by_name(desc->input, "request_id");
        if (bm->request_id_field == NULL || bm->request_id_field->type != PROTOBUF_C_TYPE_STRING ||
            bm->request_id_field->label == PROTOBUF_C_LABEL_REPEATED)
            return rf_fail(err, RF_INTERNAL, "mutation %s has no string request_id field",
                           bm->path);
    }
    return RF_OK;
}

static enum rf_code authorize(struct rf_call *call, const struct rf_bound_method *bm,
                              const struct rf_auth *auth, const char *header, size_t len)
{
    struct rf_ctx *ctx = &call->ctx;
    enum rf_code code;

    ctx->actor.subject = "";
    ctx->actor.role = 0;
    if (bm->method->roles == 0)
        return RF_OK;
    code = rf_auth_identify(auth, header, len, &ctx->actor, &ctx->err);
    if (code != RF_OK)
        return code;
    if ((ctx->actor.role & bm->method->roles) == 0)
        return rf_fail(&ctx->err, RF_PERMISSION_DENIED, "role %s may not call %s",
                       rf_role_name(ctx->actor.role), bm->method->name);
    return RF_OK;
}

static void check_request_id(struct rf_call *call, const struct rf_bound_method *bm,
                             const ProtobufCMessage *msg)
{
    const char *id =
        *(char *const *)(const void *)((const char *)msg + bm->request_id_field->offset);

    if (id == NULL || id[0] == '\0')
        rf_violation_add(
            &call->ctx.err, "request_id",
            "is required: a new unique id (a UUID) per change, reused only to retry it");
    else if (!rf_request_id_valid(id))
        rf_violation_add(&call->ctx.err, "request_id",
                         "must be 1 to 128 characters of letters, digits and ._:-");
    else
        call->ctx.request_id = id;
}

/* The handler's reply: what it packed itself, or out packed now. */
static void take_reply(struct rf_call *call, const ProtobufCMessage *out, struct rf_reply *reply)
{
    if (call->reply_raw != NULL) {
        reply->data = call->reply_raw;
        reply->len = call->reply_raw_len;
    } else {
        reply->data = rf_pb_pack(call->ctx.arena, out, &reply->len);
    }
}

/* The test-only wait between a mutation's COMMIT and its other on-commit hooks. */
static void delay_after_commit(void *arg)
{
    const struct rf_settings *settings = arg;

    rf_sleep_ms(settings->test_delay_after_commit_ms);
}

/* Runs a mutation in a transaction, replaying the first answer of a repeated request_id. */
static enum rf_code run_mutation(struct rf_call *call, const struct rf_bound_method *bm,
                                 const ProtobufCMessage *msg, struct rf_reply *reply)
{
    const struct rf_method *m = bm->method;
    struct rf_ctx *ctx = &call->ctx;
    uint8_t fingerprint[RF_SHA256_LEN];
    size_t packed_len;
    const uint8_t *packed = rf_pb_pack(ctx->arena, msg, &packed_len);
    enum rf_code code = RF_OK;

    rf_idempotency_fingerprint(ctx->actor.subject, bm->path, packed, packed_len, fingerprint);
    for (int attempt = 1; attempt <= MUTATION_ATTEMPTS; attempt++) {
        ProtobufCMessage *out = rf_pb_new(ctx->arena, m->output);
        const uint8_t *stored = NULL;
        size_t stored_len = 0;

        rf_error_clear(&ctx->err);
        call->reply_raw = NULL;
        code = rf_ctx_begin(ctx);
        if (code == RF_OK && call->settings->test_delay_after_commit_ms > 0)
            rf_ctx_on_commit(ctx, delay_after_commit, (void *)call->settings);
        if (code == RF_OK)
            code = rf_idempotency_claim(ctx, bm->path, fingerprint, &stored, &stored_len);
        if (code == RF_OK && stored != NULL) {
            /* A retry: answer what the first call answered, change nothing. */
            rf_ctx_rollback(ctx);
            if (m->replayed != NULL)
                m->replayed(call, msg);
            reply->data = stored;
            reply->len = stored_len;
            return RF_OK;
        }
        if (code == RF_OK)
            code = m->handler(call, msg, out);
        if (code == RF_OK) {
            take_reply(call, out, reply);
            code = rf_idempotency_complete(ctx, reply->data, reply->len);
        }
        /* The on-commit hooks (dropping cached copies) run before the reply leaves. */
        if (code == RF_OK)
            code = rf_ctx_commit(ctx);
        if (code == RF_OK)
            return RF_OK;
        rf_ctx_rollback(ctx);
        if (code != RF_ABORTED)
            break;
    }
    reply->data = NULL;
    reply->len = 0;
    return code;
}

static void begin_call(struct rf_call *call, const struct rf_bound_method *bm,
                       struct rf_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    call->ctx.method = bm->method->name;
    call->ctx.request_id = NULL;
    call->ctx.hooks = NULL;
    call->service = bm->service_state;
    call->resource = NULL;
    call->reply_raw = NULL;
}

static enum rf_code decode(struct rf_call *call, const struct rf_bound_method *bm,
                           const struct rf_auth *auth, const char *authorization, size_t auth_len,
                           const uint8_t *request, size_t len, ProtobufCMessage **out)
{
    const struct rf_method *m = bm->method;
    ProtobufCMessage *msg;
    char nul_path[128];
    enum rf_code code = authorize(call, bm, auth, authorization, auth_len);

    if (code != RF_OK)
        return code;
    msg = rf_pb_unpack(call->ctx.arena, m->input, request, len);
    if (msg == NULL)
        return rf_fail(&call->ctx.err, RF_INVALID_ARGUMENT, "the request is not a valid %s message",
                       m->input->name);
    switch (rf_pb_wire_check(m->input, request, len, nul_path, sizeof nul_path)) {
    case RF_PB_WIRE_OK:
        break;
    case RF_PB_WIRE_NUL:
        rf_violation_add(&call->ctx.err, nul_path, "must not contain NUL characters");
        break;
    case RF_PB_WIRE_FIELD_ZERO:
        return rf_fail(&call->ctx.err, RF_INVALID_ARGUMENT,
                       "the request is not a valid %s message: it has a field numbered 0%s%s",
                       m->input->name, nul_path[0] ? " in " : "", nul_path);
    }
    /* Nothing the client sent that we do not know goes into a reply or into storage. */
    rf_pb_strip_unknown(msg);
    if (m->flags & RF_METHOD_MUTATION)
        check_request_id(call, bm, msg);
    if (m->validate != NULL)
        m->validate(msg, call->ctx.now_us, &call->ctx.err);
    *out = msg;
    return rf_error_from_violations(&call->ctx.err);
}

static void pack_details(struct rf_call *call, enum rf_code code, struct rf_reply *reply)
{
    if (code != RF_OK)
        reply->details =
            rf_status_details_pack(call->ctx.arena, &call->ctx.err, &reply->details_len);
}

enum rf_code rf_dispatch_prepare(struct rf_call *call, const struct rf_bound_method *bm,
                                 const struct rf_auth *auth, const char *authorization,
                                 size_t auth_len, const uint8_t *request, size_t len,
                                 ProtobufCMessage **msg, struct rf_reply *reply)
{
    enum rf_code code;

    begin_call(call, bm, reply);
    code = decode(call, bm, auth, authorization, auth_len, request, len, msg);
    pack_details(call, code, reply);
    return code;
}

enum rf_code rf_dispatch(struct rf_call *call, const struct rf_bound_method *bm,
                         const struct rf_auth *auth, const char *authorization, size_t auth_len,
                         const uint8_t *request, size_t len, struct rf_reply *reply)
{
    const struct rf_method *m = bm->method;
    ProtobufCMessage *msg = NULL;
    enum rf_code code;

    begin_call(call, bm, reply);
    code = decode(call, bm, auth, authorization, auth_len, request, len, &msg);
    if (code == RF_OK && m->handler == NULL)
        code = rf_fail(&call->ctx.err, RF_INTERNAL, "%s is a streaming method", bm->path);
    else if (code == RF_OK && (m->flags & RF_METHOD_MUTATION)) {
        code = run_mutation(call, bm, msg, reply);
    } else if (code == RF_OK) {
        ProtobufCMessage *out = rf_pb_new(call->ctx.arena, m->output);

        code = m->handler(call, msg, out);
        if (code == RF_OK)
            take_reply(call, out, reply);
    }
    pack_details(call, code, reply);
    return code;
}
