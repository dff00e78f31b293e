/*
 * gRPC C core plumbing (see server.h): registration, the request slots kept
 * outstanding per method, the worker loop, turning a call's bytes into an
 * rf_dispatch call and its result into one batch, the access log, shutdown.
 * What a call means is decided in dispatch.c and the handlers, not here.
 *
 * Threads share one completion queue. Each incoming call arrives as the
 * completion of a request slot; the thread that takes it posts a fresh slot
 * for the same method, runs the call synchronously (blocking on PostgreSQL is
 * fine: other threads keep serving), and starts one batch with the reply and
 * status. That batch's completion may be taken by any thread, which frees the
 * slot, so nothing of the slot is touched after grpc_call_start_batch.
 *
 * Server-streaming methods (a table entry with .stream) are served apart, by
 * REFUNDS_STREAM_THREADS threads, each with a completion queue, a PostgreSQL
 * connection and a request slot per streaming method of its own: a slow
 * reader then holds one streaming thread, never a unary worker. Each send
 * waits for its completion (flow control is the backpressure), with
 * REFUNDS_STREAM_STALL_MS as the longest wait.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "cache_listener.h"
#include "dispatch.h"
#include "listener.h"
#include "refunds/log.h"
#include "refunds/timeutil.h"
#include "refunds/xalloc.h"
#include "server.h"
#include "status_details.h"

#define CALL_ARENA_CHUNK (64 * 1024)
/* After the grace and the database interrupts, how long calls may take to answer. */
#define LAST_RESORT_MS 3000

enum slot_phase { SLOT_REQUESTED, SLOT_REPLYING };

/* One requested call, then the same call while its reply is being sent. */
struct slot {
    enum slot_phase phase;
    const struct rf_bound_method *bm; /* NULL: any unregistered method */
    grpc_call *call;
    gpr_timespec deadline;
    grpc_metadata_array metadata;
    grpc_byte_buffer *payload;
    grpc_call_details details; /* unregistered methods only */
    grpc_byte_buffer *reply;
    grpc_slice status_message;
    grpc_metadata trailer;
    size_t n_trailers;
    int cancelled;
};

struct worker {
    struct rf_server *srv;
    pthread_t thread;
    struct rf_call call;
};

/* A thread that serves streaming calls, one at a time, on a queue of its own. */
struct streamer {
    struct rf_server *srv;
    pthread_t thread;
    grpc_completion_queue *cq;
    struct rf_call call;
    struct rf_arena *chunk; /* rf_stream_arena */
    /* Calls of other streaming methods that arrived while one was served. */
    struct slot **ready;
    size_t n_ready;
};

/* The sending side of the streaming call a streamer serves (call.h). */
struct rf_stream {
    struct streamer *t;
    struct slot *s;
    bool sent_metadata;
    bool gone;         /* a send failed: the client cancelled or went away */
    long long messages;
    /* Addresses used as the tags of this call's batches, and which of them completed. */
    char send_tag, status_tag, close_tag;
    bool close_done, close_ok;
};

struct rf_server {
    const struct rf_settings *settings;
    const struct rf_auth *auth;
    grpc_server *grpc;
    struct rf_listener *listener;
    grpc_completion_queue *cq;
    grpc_completion_queue *shutdown_cq;
    struct rf_bound_method *methods;
    size_t n_methods;
    struct worker *workers;
    int n_workers;
    struct streamer *streamers;
    int n_streamers;
    size_t n_stream_methods;
    int port;
    int slots_per_method;
    atomic_bool stopping;
    atomic_int busy; /* workers between taking a call and starting its reply batch, and
                        streaming calls taken and not yet ended */
    bool started;
};

static void slot_free(struct slot *s)
{
    if (s->call != NULL)
        grpc_call_unref(s->call);
    grpc_metadata_array_destroy(&s->metadata);
    if (s->bm == NULL)
        grpc_call_details_destroy(&s->details);
    if (s->payload != NULL)
        grpc_byte_buffer_destroy(s->payload);
    if (s->reply != NULL)
        grpc_byte_buffer_destroy(s->reply);
    grpc_slice_unref(s->status_message);
    if (s->n_trailers > 0)
        grpc_slice_unref(s->trailer.value);
    free(s);
}

/* Posts a request for the next call of bm (NULL: of any unregistered method) on cq. */
static void request_slot_on(struct rf_server *srv, const struct rf_bound_method *bm,
                            grpc_completion_queue *cq)
{
    struct slot *s = rf_xcalloc(1, sizeof *s);
    grpc_call_error rc;

    s->phase = SLOT_REQUESTED;
    s->bm = bm;
    s->status_message = grpc_empty_slice();
    grpc_metadata_array_init(&s->metadata);
    if (bm != NULL) {
        rc = grpc_server_request_registered_call(srv->grpc, bm->grpc_handle, &s->call, &s->deadline,
                                                 &s->metadata, &s->payload, cq, cq, s);
    } else {
        grpc_call_details_init(&s->details);
        rc = grpc_server_request_call(srv->grpc, &s->call, &s->details, &s->metadata, cq, cq, s);
    }
    if (rc != GRPC_CALL_OK) {
        if (!atomic_load(&srv->stopping))
            rf_log_msg(RF_LOG_ERROR, "grpc", "could not request a call: grpc_call_error %d", rc);
        slot_free(s);
    }
}

static void request_slot(struct rf_server *srv, const struct rf_bound_method *bm)
{
    request_slot_on(srv, bm, srv->cq);
}

static bool is_stream(const struct rf_bound_method *bm)
{
    return bm != NULL && bm->method->stream != NULL;
}

/* The value of metadata key, or NULL. */
static const char *find_metadata(const grpc_metadata_array *md, const char *key, size_t *len)
{
    for (size_t i = 0; i < md->count; i++) {
        if (grpc_slice_str_cmp(md->metadata[i].key, key) == 0) {
            *len = GRPC_SLICE_LENGTH(md->metadata[i].value);
            return (const char *)GRPC_SLICE_START_PTR(md->metadata[i].value);
        }
    }
    return NULL;
}

/* Copies the request message into the arena; false when the call carried none. */
static bool read_payload(struct rf_call *call, grpc_byte_buffer *payload, const uint8_t **data,
                         size_t *len)
{
    grpc_byte_buffer_reader reader;
    grpc_slice all;
    uint8_t *copy;

    if (payload == NULL || !grpc_byte_buffer_reader_init(&reader, payload))
        return false;
    all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    *len = GRPC_SLICE_LENGTH(all);
    copy = rf_arena_alloc(call->ctx.arena, *len);
    memcpy(copy, GRPC_SLICE_START_PTR(all), *len);
    grpc_slice_unref(all);
    *data = copy;
    return true;
}

/* Microseconds left before the client's deadline, or the default when it set none. */
static int64_t time_left(const struct rf_settings *settings, gpr_timespec deadline)
{
    gpr_timespec left;

    if (gpr_time_cmp(deadline, gpr_inf_future(deadline.clock_type)) == 0)
        return settings->default_deadline_ms * 1000;
    left = gpr_time_sub(deadline, gpr_now(deadline.clock_type));
    return (int64_t)left.tv_sec * RF_USEC_PER_SEC + left.tv_nsec / 1000;
}

static void access_log(const struct rf_call *call, const char *path, enum rf_code code,
                       int64_t started, unsigned flags, long long messages)
{
    struct rf_logline l;
    enum rf_log_level level = RF_LOG_INFO;

    if (code == RF_INTERNAL || code == RF_UNKNOWN || code == RF_DATA_LOSS)
        level = RF_LOG_ERROR;
    else if (code == RF_UNAVAILABLE || code == RF_DEADLINE_EXCEEDED)
        level = RF_LOG_WARN;
    else if (code == RF_OK && (flags & RF_METHOD_QUIET))
        level = RF_LOG_DEBUG;
    rf_log_begin(&l, level, "rpc");
    rf_log_str(&l, "method", path);
    rf_log_str(&l, "code", rf_code_name(code));
    rf_log_ms(&l, "ms", (double)(rf_monotonic_us() - started) / 1000.0);
    if (call->ctx.actor.subject != NULL && call->ctx.actor.subject[0] != '\0')
        rf_log_str(&l, "subject", call->ctx.actor.subject);
    rf_log_str(&l, "request_id", call->ctx.request_id);
    rf_log_str(&l, "resource", call->resource);
    if (messages >= 0)
        rf_log_int(&l, "messages", messages);
    if (code != RF_OK) {
        rf_log_str(&l, "error", call->ctx.err.message);
        if (call->ctx.err.detail[0] != '\0')
            rf_log_str(&l, "detail", call->ctx.err.detail);
    }
    rf_log_end(&l);
}

/*
 * The SEND_STATUS_FROM_SERVER op of a call that ends with code: on failure the
 * error's message and, when the reply has them, the google.rpc.Status details
 * as a trailer. The slices live in s until slot_free.
 */
static void status_op(grpc_op *op, struct slot *s, enum rf_code code, const struct rf_error *err,
                      const struct rf_reply *reply)
{
    if (code != RF_OK) {
        s->status_message = grpc_slice_from_copied_string(err->message);
        if (reply->details != NULL) {
            s->trailer.key = grpc_slice_from_static_string(RF_STATUS_DETAILS_KEY);
            s->trailer.value =
                grpc_slice_from_copied_buffer((const char *)reply->details, reply->details_len);
            s->n_trailers = 1;
        }
    }
    op->op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    op->data.send_status_from_server.status = (grpc_status_code)code;
    op->data.send_status_from_server.status_details = code == RF_OK ? NULL : &s->status_message;
    op->data.send_status_from_server.trailing_metadata_count = s->n_trailers;
    op->data.send_status_from_server.trailing_metadata = s->n_trailers ? &s->trailer : NULL;
}

/* Readies a thread's call context for the next call. */
static void reset_call(struct rf_call *call)
{
    rf_arena_reset(call->ctx.arena);
    rf_error_clear(&call->ctx.err);
    call->ctx.now_us = rf_now_us();
    call->ctx.actor.subject = NULL;
    call->ctx.request_id = NULL;
    call->ctx.hooks = NULL;
    call->resource = NULL;
}

/*
 * The deadline and request checks before a call's dispatch: DEADLINE_EXCEEDED or
 * INVALID_ARGUMENT, else OK with the request bytes and the authorization header.
 */
static enum rf_code start_call(struct rf_server *srv, struct rf_call *call, struct slot *s,
                               int64_t started, const uint8_t **request, size_t *request_len,
                               const char **authorization, size_t *auth_len)
{
    int64_t left = time_left(srv->settings, s->deadline);

    call->deadline_mono_us = started + left;
    /* A stream without a deadline runs as long as its client reads; each query is bounded. */
    if (is_stream(s->bm) && gpr_time_cmp(s->deadline, gpr_inf_future(s->deadline.clock_type)) == 0)
        call->deadline_mono_us = 0;
    rf_db_set_deadline(call->ctx.db, call->deadline_mono_us);
    *authorization = find_metadata(&s->metadata, "authorization", auth_len);
    if (left <= 0)
        return rf_fail(&call->ctx.err, RF_DEADLINE_EXCEEDED,
                       "the deadline passed before the call started");
    if (!read_payload(call, s->payload, request, request_len))
        return rf_fail(&call->ctx.err, RF_INVALID_ARGUMENT, "the call carried no request message");
    return RF_OK;
}

/* Runs the call of slot s and starts the batch that answers it. */
static void serve(struct worker *w, struct slot *s)
{
    struct rf_server *srv = w->srv;
    struct rf_call *call = &w->call;
    struct rf_reply reply = {0};
    const uint8_t *request = NULL;
    size_t request_len = 0, auth_len = 0;
    const char *authorization;
    char path[192];
    enum rf_code code;
    int64_t started = rf_monotonic_us();
    grpc_op ops[4];
    size_t n = 0;
    grpc_call_error rc;

    reset_call(call);
    if (s->bm == NULL) {
        size_t len = GRPC_SLICE_LENGTH(s->details.method);

        snprintf(path, sizeof path, "%.*s", (int)(len < 160 ? len : 160),
                 (const char *)GRPC_SLICE_START_PTR(s->details.method));
        code = rf_fail(&call->ctx.err, RF_UNIMPLEMENTED, "unknown method %s", path);
    } else {
        snprintf(path, sizeof path, "%s", s->bm->path);
        code = start_call(srv, call, s, started, &request, &request_len, &authorization,
                          &auth_len);
        if (code == RF_OK)
            code = rf_dispatch(call, s->bm, srv->auth, authorization, auth_len, request,
                               request_len, &reply);
    }

    memset(ops, 0, sizeof ops);
    ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
    n++;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n].data.recv_close_on_server.cancelled = &s->cancelled;
    n++;
    if (code == RF_OK) {
        grpc_slice body = grpc_slice_from_copied_buffer((const char *)reply.data, reply.len);

        s->reply = grpc_raw_byte_buffer_create(&body, 1);
        grpc_slice_unref(body);
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = s->reply;
        n++;
    }
    status_op(&ops[n++], s, code, &call->ctx.err, &reply);

    access_log(call, path, code, started, s->bm ? s->bm->method->flags : 0, -1);
    /* From here on the slot belongs to whichever thread takes the batch's completion. */
    s->phase = SLOT_REPLYING;
    rc = grpc_call_start_batch(s->call, ops, n, s, NULL);
    if (rc != GRPC_CALL_OK) {
        rf_log_msg(RF_LOG_ERROR, "grpc", "could not send the reply of %s: grpc_call_error %d", path,
                   rc);
        slot_free(s);
    }
    atomic_fetch_sub(&srv->busy, 1);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct rf_server *srv = w->srv;

    for (;;) {
        grpc_event ev =
            grpc_completion_queue_next(srv->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        struct slot *s;

        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        s = ev.tag;
        if (s->phase == SLOT_REPLYING || !ev.success) {
            slot_free(s);
            continue;
        }
        /* Keep as many requests outstanding as before this call arrived. */
        atomic_fetch_add(&srv->busy, 1);
        if (!atomic_load(&srv->stopping))
            request_slot(srv, s->bm);
        serve(w, s);
    }
    return NULL;
}

/* True for a tag of the streaming call t serves now (else it is a request slot). */
static bool is_op_tag(const struct rf_stream *st, const void *tag)
{
    return st != NULL &&
           (tag == &st->send_tag || tag == &st->status_tag || tag == &st->close_tag);
}

/* Keeps a slot that completed while t served another call, to serve it next. */
static void keep_slot(struct streamer *t, struct slot *s, bool success)
{
    if (!success) {
        slot_free(s); /* the server is shutting down: no call came */
        return;
    }
    /* The call is held from here to the end of serve_stream: shutdown waits for it. */
    atomic_fetch_add(&t->srv->busy, 1);
    if (!atomic_load(&t->srv->stopping))
        request_slot_on(t->srv, s->bm, t->cq);
    t->ready[t->n_ready++] = s;
}

/*
 * Waits until the batch tagged tag completes, keeping slots that arrive in
 * between and noting the close (RECV_CLOSE_ON_SERVER, which may complete while
 * a send or the status is awaited); returns its success. *timed_out when
 * deadline passed first (the batch is then still running).
 */
static bool wait_tag(struct streamer *t, struct rf_stream *st, void *tag, gpr_timespec deadline,
                     bool *timed_out)
{
    *timed_out = false;
    if (tag == &st->close_tag && st->close_done)
        return st->close_ok;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(t->cq, deadline, NULL);

        if (ev.type == GRPC_QUEUE_TIMEOUT) {
            *timed_out = true;
            return false;
        }
        if (ev.type != GRPC_OP_COMPLETE)
            return false;
        if (ev.tag == tag)
            return ev.success != 0;
        if (ev.tag == &st->close_tag) {
            st->close_done = true;
            st->close_ok = ev.success != 0;
        } else if (!is_op_tag(st, ev.tag)) {
            keep_slot(t, ev.tag, ev.success != 0);
        }
    }
}

static bool wait_done(struct streamer *t, struct rf_stream *st, void *tag)
{
    bool timed_out;

    return wait_tag(t, st, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), &timed_out);
}

struct rf_arena *rf_stream_arena(struct rf_stream *st)
{
    return st->t->chunk;
}

enum rf_code rf_stream_send(struct rf_stream *st, const ProtobufCMessage *msg)
{
    struct rf_call *call = &st->t->call;
    size_t len = protobuf_c_message_get_packed_size(msg);
    grpc_slice body = grpc_slice_malloc(len);
    grpc_byte_buffer *bb;
    grpc_op ops[2];
    size_t n = 0;
    bool ok = false, timed_out = false;
    gpr_timespec stall;

    protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(body));
    bb = grpc_raw_byte_buffer_create(&body, 1);
    grpc_slice_unref(body);
    rf_arena_reset(st->t->chunk);
    memset(ops, 0, sizeof ops);
    if (!st->sent_metadata) {
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
        st->sent_metadata = true;
    }
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n].data.send_message.send_message = bb;
    n++;
    if (!st->gone && grpc_call_start_batch(st->s->call, ops, n, &st->send_tag, NULL) == GRPC_CALL_OK) {
        stall = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                             gpr_time_from_millis(st->t->srv->settings->stream_stall_ms,
                                                  GPR_TIMESPAN));
        ok = wait_tag(st->t, st, &st->send_tag, stall, &timed_out);
        if (timed_out) {
            /* The client took nothing for that long: end the call, then its send fails. */
            grpc_call_cancel_with_status(st->s->call, GRPC_STATUS_DEADLINE_EXCEEDED,
                                         "the client read nothing for REFUNDS_STREAM_STALL_MS",
                                         NULL);
            wait_done(st->t, st, &st->send_tag);
            ok = false;
        }
    }
    grpc_byte_buffer_destroy(bb);
    if (ok) {
        st->messages++;
        return RF_OK;
    }
    st->gone = true;
    return rf_fail(&call->ctx.err, RF_CANCELLED,
                   timed_out ? "the client read nothing for %lld ms"
                             : "the client cancelled the call or went away",
                   st->t->srv->settings->stream_stall_ms);
}

/* Serves one streaming call from its arrival to its end. */
static void serve_stream(struct streamer *t, struct slot *s)
{
    struct rf_server *srv = t->srv;
    struct rf_call *call = &t->call;
    struct rf_stream st = {.t = t, .s = s};
    struct rf_reply reply = {0};
    ProtobufCMessage *msg = NULL;
    const uint8_t *request = NULL;
    size_t request_len = 0, auth_len = 0, n = 0;
    const char *authorization = NULL;
    int64_t started = rf_monotonic_us();
    enum rf_code code;
    grpc_op close_op, ops[2];

    reset_call(call);
    rf_arena_reset(t->chunk);
    memset(&close_op, 0, sizeof close_op);
    close_op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    close_op.data.recv_close_on_server.cancelled = &s->cancelled;
    if (grpc_call_start_batch(s->call, &close_op, 1, &st.close_tag, NULL) != GRPC_CALL_OK) {
        rf_log_msg(RF_LOG_ERROR, "grpc", "could not start %s", s->bm->path);
        slot_free(s);
        atomic_fetch_sub(&srv->busy, 1);
        return;
    }
    code = start_call(srv, call, s, started, &request, &request_len, &authorization, &auth_len);
    if (code == RF_OK)
        code = rf_dispatch_prepare(call, s->bm, srv->auth, authorization, auth_len, request,
                                   request_len, &msg, &reply);
    if (code == RF_OK) {
        code = s->bm->method->stream(call, msg, &st);
        if (code != RF_OK)
            reply.details =
                rf_status_details_pack(call->ctx.arena, &call->ctx.err, &reply.details_len);
    }
    memset(ops, 0, sizeof ops);
    if (!st.sent_metadata)
        ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
    status_op(&ops[n++], s, code, &call->ctx.err, &reply);
    if (grpc_call_start_batch(s->call, ops, n, &st.status_tag, NULL) == GRPC_CALL_OK)
        wait_done(t, &st, &st.status_tag);
    wait_done(t, &st, &st.close_tag);
    access_log(call, s->bm->path, code, started, s->bm->method->flags, st.messages);
    rf_arena_reset(t->chunk);
    slot_free(s);
    atomic_fetch_sub(&srv->busy, 1);
}

static void *streamer_main(void *arg)
{
    struct streamer *t = arg;

    for (;;) {
        grpc_event ev;
        struct slot *s;

        if (t->n_ready > 0) {
            s = t->ready[0];
            memmove(t->ready, t->ready + 1, --t->n_ready * sizeof *t->ready);
            serve_stream(t, s);
            continue;
        }
        ev = grpc_completion_queue_next(t->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            break;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        keep_slot(t, ev.tag, ev.success != 0);
    }
    return NULL;
}

/* The entry of the method named name in the parts of svc's table; NULL when none has it. */
static const struct rf_method *find_entry(const struct rf_service *svc, const char *name)
{
    for (size_t p = 0; p < svc->n_parts; p++) {
        const struct rf_method_part *part = svc->parts[p];

        for (size_t e = 0; e < part->n_methods; e++) {
            if (strcmp(part->methods[e].name, name) == 0)
                return &part->methods[e];
        }
    }
    return NULL;
}

/* Registers every method of every service, its table entry gathered from the service's parts. */
static enum rf_code bind_services(struct rf_server *srv, const struct rf_service_binding *services,
                                  size_t n_services, struct rf_error *err)
{
    size_t total = 0;

    for (size_t i = 0; i < n_services; i++)
        total += services[i].service->descriptor->n_methods;
    srv->methods = rf_xcalloc(total, sizeof *srv->methods);
    for (size_t i = 0; i < n_services; i++) {
        const struct rf_service *svc = services[i].service;

        for (unsigned k = 0; k < svc->descriptor->n_methods; k++) {
            const ProtobufCMethodDescriptor *desc = &svc->descriptor->methods[k];
            const struct rf_method *entry = find_entry(svc, desc->name);
            struct rf_bound_method *bm = &srv->methods[srv->n_methods];
            enum rf_code code;

            if (entry == NULL) {
                if (svc->complete)
                    return rf_fail(err, RF_INTERNAL, "method /%s/%s has no handler",
                                   svc->descriptor->name, desc->name);
                continue;
            }
            code = rf_dispatch_bind(svc->descriptor, desc, entry, services[i].state, bm, err);
            if (code != RF_OK)
                return code;
            bm->grpc_handle = grpc_server_register_method(
                srv->grpc, bm->path, NULL, GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
            if (bm->grpc_handle == NULL)
                return rf_fail(err, RF_INTERNAL, "could not register %s", bm->path);
            if (is_stream(bm))
                srv->n_stream_methods++;
            srv->n_methods++;
        }
    }
    return RF_OK;
}

enum rf_code rf_server_create(const struct rf_settings *settings,
                              const struct rf_service_binding *services, size_t n_services,
                              const struct rf_auth *auth, struct rf_server **out,
                              struct rf_error *err)
{
    struct rf_server *srv;
    grpc_arg args[6];
    grpc_channel_args channel_args = {6, args};
    enum rf_code code;

    srv = rf_xcalloc(1, sizeof *srv);
    srv->settings = settings;
    srv->auth = auth;
    srv->n_workers = (int)settings->threads;
    srv->slots_per_method = srv->n_workers * 2;
    atomic_init(&srv->stopping, false);
    atomic_init(&srv->busy, 0);
    /* Without this a second server on the same port binds silently and takes half the calls. */
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = GRPC_ARG_ALLOW_REUSEPORT;
    args[0].value.integer = 0;
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[1].value.integer = (int)settings->max_message_bytes;
    args[2].type = GRPC_ARG_INTEGER;
    args[2].key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
    args[2].value.integer = 16 << 20;
    /*
     * Connections are recycled at this age with a GOAWAY while the server keeps serving (the
     * calls in flight finish; the client opens a new connection), which spreads clients over
     * replicas and lets the lame duck move every client away before the server shuts down.
     */
    args[3].type = GRPC_ARG_INTEGER;
    args[3].key = GRPC_ARG_MAX_CONNECTION_AGE_MS;
    args[3].value.integer = (int)settings->max_connection_age_ms;
    args[4].type = GRPC_ARG_INTEGER;
    args[4].key = GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS;
    args[4].value.integer = INT_MAX; /* never cut a call short: deadlines bound them */
    /* An idle connection is closed as soon: so that no idle client holds a stopping server. */
    args[5].type = GRPC_ARG_INTEGER;
    args[5].key = GRPC_ARG_MAX_CONNECTION_IDLE_MS;
    args[5].value.integer = (int)settings->max_connection_age_ms;
    srv->grpc = grpc_server_create(&channel_args, NULL);
    srv->cq = grpc_completion_queue_create_for_next(NULL);
    srv->shutdown_cq = grpc_completion_queue_create_for_pluck(NULL);
    grpc_server_register_completion_queue(srv->grpc, srv->cq, NULL);
    grpc_server_register_completion_queue(srv->grpc, srv->shutdown_cq, NULL);
    code = bind_services(srv, services, n_services, err);
    if (code == RF_OK && srv->n_stream_methods > 0) {
        srv->n_streamers = (int)settings->stream_threads;
        srv->streamers = rf_xcalloc((size_t)srv->n_streamers, sizeof *srv->streamers);
        for (int i = 0; i < srv->n_streamers; i++) {
            srv->streamers[i].cq = grpc_completion_queue_create_for_next(NULL);
            grpc_server_register_completion_queue(srv->grpc, srv->streamers[i].cq, NULL);
        }
    }
    if (code == RF_OK)
        code = rf_listener_open(settings->grpc_addr, &srv->listener, err);
    if (code == RF_OK)
        srv->port = rf_listener_port(srv->listener);
    if (code != RF_OK) {
        rf_server_destroy(srv);
        return code;
    }
    *out = srv;
    return RF_OK;
}

int rf_server_port(const struct rf_server *srv)
{
    return srv->port;
}

void rf_server_start(struct rf_server *srv)
{
    grpc_server_start(srv->grpc);
    srv->started = true;
    rf_listener_start(srv->listener, srv->grpc);
    for (size_t i = 0; i < srv->n_methods; i++) {
        for (int k = 0; k < srv->slots_per_method && !is_stream(&srv->methods[i]); k++)
            request_slot(srv, &srv->methods[i]);
    }
    for (int i = 0; i < srv->n_streamers; i++) {
        struct streamer *t = &srv->streamers[i];

        t->srv = srv;
        t->call.ctx.arena = rf_arena_create(CALL_ARENA_CHUNK);
        t->call.ctx.db = rf_db_create(srv->settings->database_url, "refundsd-stream",
                                      srv->settings->statement_timeout_ms);
        rf_db_defer_announcements(t->call.ctx.db, RF_CASES_CHANNEL);
        t->call.settings = srv->settings;
        t->chunk = rf_arena_create(CALL_ARENA_CHUNK);
        t->ready = rf_xcalloc(srv->n_stream_methods, sizeof *t->ready);
        for (size_t m = 0; m < srv->n_methods; m++)
            if (is_stream(&srv->methods[m]))
                request_slot_on(srv, &srv->methods[m], t->cq);
        if (pthread_create(&t->thread, NULL, streamer_main, t) != 0)
            abort();
    }
    for (int k = 0; k < srv->n_workers; k++)
        request_slot(srv, NULL);
    srv->workers = rf_xcalloc((size_t)srv->n_workers, sizeof *srv->workers);
    for (int i = 0; i < srv->n_workers; i++) {
        struct worker *w = &srv->workers[i];

        w->srv = srv;
        w->call.ctx.arena = rf_arena_create(CALL_ARENA_CHUNK);
        w->call.ctx.db = rf_db_create(srv->settings->database_url, "refundsd",
                                      srv->settings->statement_timeout_ms);
        /* Case changes are announced after COMMIT, so commits group (case_cache.h). */
        rf_db_defer_announcements(w->call.ctx.db, RF_CASES_CHANNEL);
        w->call.settings = srv->settings;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
            abort();
    }
}

void rf_server_stop_accepting(struct rf_server *srv)
{
    rf_listener_close(srv->listener);
}

/*
 * Stops the database work of every worker: each call waiting on it rolls back and answers
 * UNAVAILABLE (retry), which a client recovers from, where CANCELLED it would not retry.
 */
static void interrupt_workers(struct rf_server *srv, const char *why)
{
    rf_log_msg(RF_LOG_WARN, "shutdown", "%s: interrupting their database work", why);
    for (int i = 0; i < srv->n_workers && srv->workers != NULL; i++)
        rf_db_interrupt(srv->workers[i].call.ctx.db);
    for (int i = 0; i < srv->n_streamers && srv->started; i++)
        rf_db_interrupt(srv->streamers[i].call.ctx.db);
}

void rf_server_shutdown(struct rf_server *srv)
{
    int64_t grace_end = rf_monotonic_us() + srv->settings->shutdown_grace_ms * 1000;
    bool interrupted = false;
    grpc_event ev;

    rf_listener_close(srv->listener);
    atomic_store(&srv->stopping, true);
    grpc_server_shutdown_and_notify(srv->grpc, srv->shutdown_cq, srv);
    rf_log_msg(RF_LOG_INFO, "shutdown", "GOAWAY sent: waiting for the calls in flight");
    ev = grpc_completion_queue_pluck(
        srv->shutdown_cq, srv,
        gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                     gpr_time_from_millis(srv->settings->shutdown_grace_ms, GPR_TIMESPAN)),
        NULL);
    if (ev.type == GRPC_QUEUE_TIMEOUT) {
        interrupt_workers(srv, "calls still running at the end of the grace period");
        interrupted = true;
        ev = grpc_completion_queue_pluck(
            srv->shutdown_cq, srv,
            gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                         gpr_time_from_millis(LAST_RESORT_MS, GPR_TIMESPAN)),
            NULL);
    }
    if (ev.type == GRPC_QUEUE_TIMEOUT) {
        rf_log_msg(RF_LOG_WARN, "shutdown", "calls still running: cancelling them");
        grpc_server_cancel_all_calls(srv->grpc);
        grpc_completion_queue_pluck(srv->shutdown_cq, srv, gpr_inf_future(GPR_CLOCK_MONOTONIC),
                                    NULL);
    }
    /*
     * gRPC counts a call as done once its client has gone (a passed deadline, a cancel), but a
     * worker may still be running its handler and will start a reply batch on the queue: the
     * queue may only shut down once no worker holds a call.
     */
    while (atomic_load(&srv->busy) > 0) {
        if (!interrupted && rf_monotonic_us() >= grace_end) {
            interrupt_workers(srv, "handlers still running at the end of the grace period");
            interrupted = true;
        }
        rf_sleep_ms(1);
    }
    rf_log_msg(RF_LOG_INFO, "shutdown", "no call left: stopping the workers");
    grpc_completion_queue_shutdown(srv->cq);
    for (int i = 0; i < srv->n_workers && srv->workers != NULL; i++)
        pthread_join(srv->workers[i].thread, NULL);
    /* Every call is over (the server's shutdown waited for streams too): end their threads. */
    for (int i = 0; i < srv->n_streamers; i++) {
        grpc_completion_queue_shutdown(srv->streamers[i].cq);
        pthread_join(srv->streamers[i].thread, NULL);
    }
}

void rf_server_destroy(struct rf_server *srv)
{
    if (srv == NULL)
        return;
    if (!srv->started) {
        /* Never started: no calls, so the queues only need to be shut down. */
        grpc_server_shutdown_and_notify(srv->grpc, srv->shutdown_cq, srv);
        grpc_server_cancel_all_calls(srv->grpc);
        grpc_completion_queue_pluck(srv->shutdown_cq, srv, gpr_inf_future(GPR_CLOCK_MONOTONIC),
                                    NULL);
        grpc_completion_queue_shutdown(srv->cq);
        while (
            grpc_completion_queue_next(srv->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
            GRPC_QUEUE_SHUTDOWN)
            ;
        for (int i = 0; i < srv->n_streamers; i++) {
            grpc_completion_queue_shutdown(srv->streamers[i].cq);
            while (grpc_completion_queue_next(srv->streamers[i].cq,
                                              gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL)
                       .type != GRPC_QUEUE_SHUTDOWN)
                ;
        }
    }
    rf_listener_destroy(srv->listener);
    grpc_server_destroy(srv->grpc);
    grpc_completion_queue_destroy(srv->cq);
    grpc_completion_queue_shutdown(srv->shutdown_cq);
    while (grpc_completion_queue_pluck(srv->shutdown_cq, NULL, gpr_inf_future(GPR_CLOCK_MONOTONIC),
                                       NULL)
               .type != GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(srv->shutdown_cq);
    for (int i = 0; srv->workers != NULL && i < srv->n_workers; i++) {
        rf_db_destroy(srv->workers[i].call.ctx.db);
        rf_arena_destroy(srv->workers[i].call.ctx.arena);
    }
    for (int i = 0; i < srv->n_streamers; i++) {
        struct streamer *t = &srv->streamers[i];

        grpc_completion_queue_destroy(t->cq);
        if (srv->started) {
            rf_db_destroy(t->call.ctx.db);
            rf_arena_destroy(t->call.ctx.arena);
            rf_arena_destroy(t->chunk);
            free(t->ready);
        }
    }
    free(srv->streamers);
    free(srv->workers);
    free(srv->methods);
    free(srv);
}
