/*
 * The generic unary gRPC call of refundctl (see client.h): pack the request,
 * send it in one batch of six operations on a pluck completion queue, wait
 * for that batch, and turn the answer into a reply message or an error
 * record. Field violations come from the google.rpc.Status the server puts in
 * the grpc-status-details-bin trailer (gRPC core hands -bin values over
 * already base64-decoded). What the user sees is print.c's and json.c's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "client.h"
#include "google/protobuf/any.pb-c.h"
#include "google/rpc/error_details.pb-c.h"
#include "google/rpc/status.pb-c.h"
#include "refunds/pb.h"
#include "refunds/xalloc.h"

#define STATUS_DETAILS_KEY "grpc-status-details-bin"
#define BAD_REQUEST_TYPE   "google.rpc.BadRequest"

struct rf_client {
    grpc_channel *channel;
    grpc_completion_queue *cq;
    char *authorization; /* "Bearer <token>", or NULL to send none */
    int64_t timeout_ms;
};

struct rf_client *rf_client_create(const char *addr, const char *token, int64_t timeout_ms)
{
    struct rf_client *c = rf_xcalloc(1, sizeof *c);
    grpc_channel_credentials *creds;

    grpc_init();
    creds = grpc_insecure_credentials_create();
    c->channel = grpc_channel_create(addr, creds, NULL);
    grpc_channel_credentials_release(creds);
    c->cq = grpc_completion_queue_create_for_pluck(NULL);
    c->timeout_ms = timeout_ms;
    if (token != NULL && token[0] != '\0') {
        size_t n = strlen(token) + sizeof "Bearer ";

        c->authorization = rf_xmalloc(n);
        snprintf(c->authorization, n, "Bearer %s", token);
    }
    return c;
}

void rf_client_destroy(struct rf_client *c)
{
    if (c == NULL)
        return;
    /* Every batch was plucked, so the queue is empty and shuts down at once. */
    grpc_completion_queue_shutdown(c->cq);
    while (grpc_completion_queue_pluck(
               c->cq, NULL,
               gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_seconds(1, GPR_TIMESPAN)),
               NULL)
               .type == GRPC_OP_COMPLETE)
        ;
    grpc_completion_queue_destroy(c->cq);
    grpc_channel_destroy(c->channel);
    free(c->authorization);
    free(c);
    grpc_shutdown();
}

/* The value of key in md, or NULL. */
static const grpc_slice *find_metadata(const grpc_metadata_array *md, const char *key)
{
    for (size_t i = 0; i < md->count; i++) {
        if (grpc_slice_str_cmp(md->metadata[i].key, key) == 0)
            return &md->metadata[i].value;
    }
    return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Adds the field violations of the google.rpc.Status in details (BadRequest
 * entries; other detail types are skipped) to err. Undecodable details are
 * ignored: the status code and message still say what went wrong.
 */
static void read_violations(struct rf_arena *a, const grpc_slice *details, struct rf_error *err)
{
    Google__Rpc__Status *status = (Google__Rpc__Status *)rf_pb_unpack(
        a, &google__rpc__status__descriptor, GRPC_SLICE_START_PTR(*details),
        GRPC_SLICE_LENGTH(*details));

    if (status == NULL)
        return;
    for (size_t i = 0; i < status->n_details; i++) {
        const Google__Protobuf__Any *any = status->details[i];
        Google__Rpc__BadRequest *bad;

        if (any->type_url == NULL || !ends_with(any->type_url, "/" BAD_REQUEST_TYPE))
            continue;
        bad = (Google__Rpc__BadRequest *)rf_pb_unpack(a, &google__rpc__bad_request__descriptor,
                                                      any->value.data, any->value.len);
        if (bad == NULL)
            continue;
        for (size_t j = 0; j < bad->n_field_violations; j++) {
            const Google__Rpc__BadRequest__FieldViolation *v = bad->field_violations[j];

            rf_violation_add(err, v->field, "%s", v->description);
        }
    }
}

/* Copies the reply message out of buf into the arena and decodes it as desc. */
static enum rf_code read_reply(struct rf_arena *a, grpc_byte_buffer *buf,
                               const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply,
                               struct rf_error *err)
{
    grpc_byte_buffer_reader reader;
    grpc_slice all;

    if (buf == NULL || !grpc_byte_buffer_reader_init(&reader, buf))
        return rf_fail(err, RF_INTERNAL, "the server answered OK without a %s message", desc->name);
    all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    *reply = rf_pb_unpack(a, desc, GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all));
    grpc_slice_unref(all);
    if (*reply == NULL)
        return rf_fail(err, RF_INTERNAL, "the server's reply is not a valid %s message",
                       desc->name);
    return RF_OK;
}

/* The call of path with the client's token; the deadline timeout_ms from now (0: none). */
static grpc_call *new_call(struct rf_client *c, const char *path, int64_t timeout_ms)
{
    gpr_timespec deadline =
        timeout_ms > 0 ? gpr_time_add(gpr_now(GPR_CLOCK_REALTIME),
                                      gpr_time_from_millis(timeout_ms, GPR_TIMESPAN))
                       : gpr_inf_future(GPR_CLOCK_REALTIME);

    /* The method slice need only live through grpc_channel_create_call. */
    return grpc_channel_create_call(c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, c->cq,
                                    grpc_slice_from_static_string(path), NULL, deadline, NULL);
}

/*
 * The request's three operations (initial metadata with the token, the message,
 * the half-close) into ops; returns how many. *sent is the packed request, for the
 * caller to destroy.
 */
static size_t send_ops(struct rf_client *c, struct rf_arena *a, const ProtobufCMessage *request,
                       grpc_metadata *auth, grpc_byte_buffer **sent, grpc_op *ops)
{
    size_t packed_len, n = 0;
    const uint8_t *packed = rf_pb_pack(a, request, &packed_len);
    grpc_slice body = grpc_slice_from_copied_buffer((const char *)packed, packed_len);

    *sent = grpc_raw_byte_buffer_create(&body, 1);
    grpc_slice_unref(body);
    ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
    if (c->authorization != NULL) {
        memset(auth, 0, sizeof *auth);
        auth->key = grpc_slice_from_static_string("authorization");
        auth->value = grpc_slice_from_static_string(c->authorization);
        ops[n].data.send_initial_metadata.count = 1;
        ops[n].data.send_initial_metadata.metadata = auth;
    }
    n++;
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n].data.send_message.send_message = *sent;
    n++;
    ops[n].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    n++;
    return n;
}

/* The call's status as a code, and on failure the server's message and violations in err. */
static enum rf_code status_of(struct rf_arena *a, grpc_status_code status, grpc_slice message,
                              const grpc_metadata_array *trailing, struct rf_error *err)
{
    enum rf_code code = status >= GRPC_STATUS_OK && status <= GRPC_STATUS_UNAUTHENTICATED
                            ? (enum rf_code)status
                            : RF_UNKNOWN;
    const grpc_slice *details;

    if (code == RF_OK)
        return RF_OK;
    rf_fail(err, code, "%.*s", (int)GRPC_SLICE_LENGTH(message),
            (const char *)GRPC_SLICE_START_PTR(message));
    details = find_metadata(trailing, STATUS_DETAILS_KEY);
    if (details != NULL)
        read_violations(a, details, err);
    return code;
}

/* Starts the batch of ops tagged tag and waits for it; false when it failed. */
static bool run_batch(struct rf_client *c, grpc_call *call, const grpc_op *ops, size_t n, void *tag)
{
    grpc_event ev;

    if (grpc_call_start_batch(call, ops, n, tag, NULL) != GRPC_CALL_OK)
        return false;
    ev = grpc_completion_queue_pluck(c->cq, tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    return ev.type == GRPC_OP_COMPLETE && ev.success;
}

enum rf_code rf_client_call(struct rf_client *c, const ProtobufCServiceDescriptor *service,
                            const ProtobufCMethodDescriptor *method,
                            const ProtobufCMessage *request, struct rf_arena *a,
                            ProtobufCMessage **reply, struct rf_error *err)
{
    char *path = rf_arena_printf(a, "/%s/%s", service->name, method->name);
    grpc_metadata auth;
    grpc_metadata_array initial, trailing;
    grpc_byte_buffer *sent = NULL, *received = NULL;
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice message = grpc_empty_slice();
    grpc_call *call = NULL;
    grpc_op ops[6];
    size_t n;
    enum rf_code code;

    *reply = NULL;
    rf_error_clear(err);
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    if (request->descriptor != method->input) {
        code = rf_fail(err, RF_INTERNAL, "%s takes %s, not %s", path, method->input->name,
                       request->descriptor->name);
        goto out;
    }
    call = new_call(c, path, c->timeout_ms);
    memset(ops, 0, sizeof ops);
    n = send_ops(c, a, request, &auth, &sent, ops);
    ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[n].data.recv_initial_metadata.recv_initial_metadata = &initial;
    n++;
    ops[n].op = GRPC_OP_RECV_MESSAGE;
    ops[n].data.recv_message.recv_message = &received;
    n++;
    ops[n].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[n].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[n].data.recv_status_on_client.status = &status;
    ops[n].data.recv_status_on_client.status_details = &message;
    n++;
    if (!run_batch(c, call, ops, n, call)) {
        code = rf_fail(err, RF_INTERNAL, "the call of %s did not complete", path);
        goto out;
    }
    code = status_of(a, status, message, &trailing, err);
    if (code == RF_OK)
        code = read_reply(a, received, method->output, reply, err);
out:
    if (call != NULL)
        grpc_call_unref(call);
    if (sent != NULL)
        grpc_byte_buffer_destroy(sent);
    if (received != NULL)
        grpc_byte_buffer_destroy(received);
    grpc_slice_unref(message);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    return code;
}

enum rf_code rf_client_stream(struct rf_client *c, const ProtobufCServiceDescriptor *service,
                              const ProtobufCMethodDescriptor *method,
                              const ProtobufCMessage *request, int64_t timeout_ms,
                              rf_client_message_fn fn, void *arg, struct rf_arena *a,
                              struct rf_error *err)
{
    char *path = rf_arena_printf(a, "/%s/%s", service->name, method->name);
    struct rf_arena *each = rf_arena_create(0);
    grpc_metadata auth;
    grpc_metadata_array initial, trailing;
    grpc_byte_buffer *sent = NULL;
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice message = grpc_empty_slice();
    grpc_call *call = new_call(c, path, timeout_ms);
    grpc_op ops[4], recv, st;
    bool stopped = false;
    int tag_send, tag_recv, tag_status;
    size_t n;
    enum rf_code code = RF_OK;

    rf_error_clear(err);
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    memset(ops, 0, sizeof ops);
    memset(&st, 0, sizeof st);
    st.op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    st.data.recv_status_on_client.trailing_metadata = &trailing;
    st.data.recv_status_on_client.status = &status;
    st.data.recv_status_on_client.status_details = &message;
    n = send_ops(c, a, request, &auth, &sent, ops);
    ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[n].data.recv_initial_metadata.recv_initial_metadata = &initial;
    n++;
    /* The status arrives at the end; its batch is started first so that none is missed. */
    if (grpc_call_start_batch(call, &st, 1, &tag_status, NULL) != GRPC_CALL_OK ||
        !run_batch(c, call, ops, n, &tag_send))
        stopped = true;
    while (!stopped) {
        grpc_byte_buffer *received = NULL;
        ProtobufCMessage *msg;

        memset(&recv, 0, sizeof recv);
        recv.op = GRPC_OP_RECV_MESSAGE;
        recv.data.recv_message.recv_message = &received;
        if (!run_batch(c, call, &recv, 1, &tag_recv) || received == NULL)
            break; /* the end of the stream, or the call failed: the status says */
        rf_arena_reset(each);
        code = read_reply(each, received, method->output, &msg, err);
        grpc_byte_buffer_destroy(received);
        if (code == RF_OK && fn(arg, msg, each) != 0)
            code = rf_fail(err, RF_CANCELLED, "stopped by refundctl");
        if (code != RF_OK) {
            grpc_call_cancel(call, NULL);
            stopped = true;
        }
    }
    grpc_completion_queue_pluck(c->cq, &tag_status, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (code == RF_OK)
        code = status_of(a, status, message, &trailing, err);
    grpc_call_unref(call);
    if (sent != NULL)
        grpc_byte_buffer_destroy(sent);
    grpc_slice_unref(message);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    rf_arena_destroy(each);
    return code;
}
