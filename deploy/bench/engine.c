/*
 * The call engine of engine.h: channels, call slots, starting a batch,
 * judging a completed one, and the closed and open loops.
 */
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "common.h"
#include "engine.h"

/* How long a completion may wait to be read while the open loop sleeps to the next start. */
#define POLL_SLICE_NS (100 * 1000LL)
/* Below this the open loop sleeps itself: the queue's own deadlines are whole milliseconds. */
#define BLOCKING_WAIT_MIN_NS (2 * RF_NSEC_PER_MSEC)
#define CONNECT_TIMEOUT_MS   5000

struct rf_loadgen_conn {
    grpc_channel *channel;
    void *method_handle;
};

static gpr_timespec deadline_in_ns(int64_t ns)
{
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_nanos(ns, GPR_TIMESPAN));
}

static void connections_create(struct rf_loadgen *lg)
{
    const struct rf_loadgen_options *opt = lg->opt;
    grpc_arg args[2];
    grpc_channel_args channel_args = {2, args};
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();

    /* Channels to one target share one connection unless each has its own pool. */
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL;
    args[0].value.integer = 1;
    /* No retry policy is configured; the retry filter would only add work. */
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = GRPC_ARG_ENABLE_RETRIES;
    args[1].value.integer = 0;
    lg->conns = calloc(lg->n_conns, sizeof *lg->conns);
    if (lg->conns == NULL)
        abort();
    for (size_t i = 0; i < lg->n_conns; i++) {
        struct rf_loadgen_conn *c = &lg->conns[i];
        gpr_timespec deadline = deadline_in_ns(CONNECT_TIMEOUT_MS * RF_NSEC_PER_MSEC);
        grpc_connectivity_state state;

        c->channel = grpc_channel_create(opt->addr, creds, &channel_args);
        c->method_handle = grpc_channel_register_call(
            c->channel, rf_loadgen_methods[opt->method].path, NULL, NULL);
        state = grpc_channel_check_connectivity_state(c->channel, 1);
        while (state != GRPC_CHANNEL_READY) {
            grpc_event ev;

            if (state == GRPC_CHANNEL_SHUTDOWN)
                rf_loadgen_die("could not connect to %s: the channel shut down", opt->addr);
            grpc_channel_watch_connectivity_state(c->channel, state, deadline, lg->cq, c);
            ev = grpc_completion_queue_next(lg->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
            if (ev.type != GRPC_OP_COMPLETE || !ev.success)
                rf_loadgen_die("could not connect to %s within %d ms", opt->addr,
                               CONNECT_TIMEOUT_MS);
            state = grpc_channel_check_connectivity_state(c->channel, 0);
        }
    }
    grpc_channel_credentials_release(creds);
}

static void slots_create(struct rf_loadgen *lg, long n)
{
    lg->slots = calloc((size_t)n, sizeof *lg->slots);
    if (lg->slots == NULL)
        abort();
    for (long i = n - 1; i >= 0; i--) {
        lg->slots[i].next_free = lg->free_slots;
        lg->free_slots = &lg->slots[i];
    }
}

void rf_loadgen_connect(struct rf_loadgen *lg, const struct rf_loadgen_options *opt,
                        struct rf_loadgen_fixtures *fixtures, size_t n_conns)
{
    *lg = (struct rf_loadgen){.opt = opt, .fixtures = fixtures, .n_conns = n_conns};
    lg->expected_reply = -1;
    lg->cq = grpc_completion_queue_create_for_next(NULL);
    if (opt->token != NULL && opt->token[0] != '\0') {
        size_t n = strlen(opt->token) + sizeof "Bearer ";

        lg->authorization = malloc(n);
        if (lg->authorization == NULL)
            abort();
        snprintf(lg->authorization, n, "Bearer %s", opt->token);
        lg->auth.key = grpc_slice_from_static_string("authorization");
        lg->auth.value = grpc_slice_from_static_string(lg->authorization);
    }
    connections_create(lg);
    slots_create(lg, opt->rate > 0 ? opt->max_in_flight
                                   : (opt->concurrency > 0 ? opt->concurrency : 1));
}

/* Starts the next call in a free slot; start_ns is when it counts from. */
static void issue(struct rf_loadgen *lg, int64_t start_ns)
{
    struct rf_loadgen_slot *s = lg->free_slots;
    size_t conn = lg->next_conn++ % lg->n_conns;
    struct rf_loadgen_conn *c = &lg->conns[conn];
    grpc_slice body = rf_loadgen_fixtures_next(lg->fixtures);
    grpc_op ops[6];
    grpc_call_error rc;

    lg->free_slots = s->next_free;
    lg->in_flight++;
    s->start_ns = start_ns;
    s->conn = conn;
    s->sent = grpc_raw_byte_buffer_create(&body, 1);
    grpc_slice_unref(body);
    s->received = NULL;
    s->status = GRPC_STATUS_UNKNOWN;
    s->details = grpc_empty_slice();
    grpc_metadata_array_init(&s->initial);
    grpc_metadata_array_init(&s->trailing);
    s->call = grpc_channel_create_registered_call(
        c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, lg->cq, c->method_handle,
        deadline_in_ns(lg->opt->timeout_ms * RF_NSEC_PER_MSEC), NULL);

    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = lg->authorization != NULL ? 1 : 0;
    ops[0].data.send_initial_metadata.metadata = lg->authorization != NULL ? &lg->auth : NULL;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = s->sent;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &s->received;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &s->trailing;
    ops[5].data.recv_status_on_client.status = &s->status;
    ops[5].data.recv_status_on_client.status_details = &s->details;
    rc = grpc_call_start_batch(s->call, ops, 6, s, NULL);
    if (rc != GRPC_CALL_OK)
        rf_loadgen_die("could not start a call of %s: %s", rf_loadgen_methods[lg->opt->method].path,
                       grpc_call_error_to_string(rc));
}

/* What the completed call in s came to: a gRPC status code or one of RF_LOADGEN_CODE_*. */
static int outcome(const struct rf_loadgen *lg, const struct rf_loadgen_slot *s, bool success)
{
    if (!success)
        return RF_LOADGEN_CODE_BATCH_FAILED;
    if (s->status != GRPC_STATUS_OK)
        return s->status >= 0 && s->status <= GRPC_STATUS_UNAUTHENTICATED ? (int)s->status
                                                                          : GRPC_STATUS_UNKNOWN;
    if (s->received == NULL)
        return RF_LOADGEN_CODE_NO_MESSAGE;
    if (lg->expected_reply >= 0 && (long)grpc_byte_buffer_length(s->received) != lg->expected_reply)
        return RF_LOADGEN_CODE_REPLY_SIZE;
    return GRPC_STATUS_OK;
}

void rf_loadgen_release(struct rf_loadgen *lg, struct rf_loadgen_slot *s)
{
    grpc_call_unref(s->call);
    grpc_byte_buffer_destroy(s->sent);
    if (s->received != NULL)
        grpc_byte_buffer_destroy(s->received);
    grpc_metadata_array_destroy(&s->initial);
    grpc_metadata_array_destroy(&s->trailing);
    grpc_slice_unref(s->details);
    s->call = NULL;
    s->next_free = lg->free_slots;
    lg->free_slots = s;
    lg->in_flight--;
}

/* Counts the call in s, which completed at done_ns with code, and logs it when asked. */
static void record(struct rf_loadgen *lg, struct rf_loadgen_stats *st,
                   const struct rf_loadgen_slot *s, int code, int64_t done_ns)
{
    int64_t latency_ns = done_ns - s->start_ns;

    st->counts[code]++;
    if (code == GRPC_STATUS_OK)
        rf_loadgen_samples_add(&st->latency, latency_ns);
    if (lg->log != NULL)
        fprintf(lg->log, "%.3f\t%s\t%.3f\t%zu\n",
                (double)(s->start_ns - lg->window_ns) / RF_NSEC_PER_MSEC,
                rf_loadgen_code_names[code], (double)latency_ns / RF_NSEC_PER_MSEC, s->conn);
}

struct rf_loadgen_slot *rf_loadgen_call_once(struct rf_loadgen *lg, int *code)
{
    struct rf_loadgen_slot *s = lg->free_slots;
    grpc_event ev;

    issue(lg, rf_loadgen_now_ns());
    ev = grpc_completion_queue_next(lg->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    if (ev.type != GRPC_OP_COMPLETE || ev.tag != s)
        rf_loadgen_die("the call of %s did not complete", rf_loadgen_methods[lg->opt->method].path);
    *code = outcome(lg, s, ev.success);
    if (*code != GRPC_STATUS_OK)
        rf_loadgen_die("%s failed: %s: %.*s", rf_loadgen_methods[lg->opt->method].path,
                       rf_loadgen_code_names[*code], (int)GRPC_SLICE_LENGTH(s->details),
                       (const char *)GRPC_SLICE_START_PTR(s->details));
    return s;
}

void rf_loadgen_run_closed(struct rf_loadgen *lg, struct rf_loadgen_stats *st)
{
    const struct rf_loadgen_options *opt = lg->opt;
    int64_t start = rf_loadgen_now_ns();
    int64_t window = start + (int64_t)(opt->warmup_s * RF_NSEC_PER_SEC);
    int64_t end = window + (int64_t)(opt->duration_s * RF_NSEC_PER_SEC);
    bool issuing = true;

    lg->window_ns = window;
    for (long i = 0; i < opt->concurrency; i++)
        issue(lg, rf_loadgen_now_ns());
    while (lg->in_flight > 0) {
        grpc_event ev =
            grpc_completion_queue_next(lg->cq,
                                       issuing ? deadline_in_ns(end - rf_loadgen_now_ns())
                                               : gpr_inf_future(GPR_CLOCK_MONOTONIC),
                                       NULL);
        struct rf_loadgen_slot *s;
        int64_t t = rf_loadgen_now_ns();

        if (t >= end)
            issuing = false;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        s = ev.tag;
        if (t >= window && t < end)
            record(lg, st, s, outcome(lg, s, ev.success), t);
        rf_loadgen_release(lg, s);
        if (issuing)
            issue(lg, t);
    }
}

void rf_loadgen_run_open(struct rf_loadgen *lg, struct rf_loadgen_stats *st)
{
    const struct rf_loadgen_options *opt = lg->opt;
    int64_t t0 = rf_loadgen_now_ns();
    int64_t window = t0 + (int64_t)(opt->warmup_s * RF_NSEC_PER_SEC);
    int64_t end = window + (int64_t)(opt->duration_s * RF_NSEC_PER_SEC);
    double interval_ns = (double)RF_NSEC_PER_SEC / opt->rate;
    long long k = 0;
    int64_t next = t0;
    bool issuing = true;

    lg->window_ns = window;

    for (;;) {
        int64_t t = rf_loadgen_now_ns();
        grpc_event ev;

        while (issuing && next <= t) {
            if (next >= end) {
                issuing = false;
                break;
            }
            if (lg->free_slots != NULL) {
                if (next >= window)
                    rf_loadgen_samples_add(&st->issue_lag, t - next);
                issue(lg, next);
            } else if (next >= window) {
                st->dropped++;
            }
            k++;
            next = t0 + (int64_t)((double)k * interval_ns);
        }
        if (!issuing && lg->in_flight == 0)
            break;
        if (!issuing) {
            ev = grpc_completion_queue_next(lg->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        } else if (next - t >= BLOCKING_WAIT_MIN_NS) {
            /* The queue rounds its deadline up to a whole millisecond: ask for one early. */
            ev = grpc_completion_queue_next(lg->cq, deadline_in_ns(next - t - RF_NSEC_PER_MSEC),
                                            NULL);
        } else {
            ev = grpc_completion_queue_next(lg->cq, gpr_inf_past(GPR_CLOCK_MONOTONIC), NULL);
            if (ev.type == GRPC_QUEUE_TIMEOUT) {
                int64_t left = next - rf_loadgen_now_ns();

                if (left > 0)
                    rf_loadgen_sleep_ns(left < POLL_SLICE_NS ? left : POLL_SLICE_NS);
                continue;
            }
        }
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        {
            struct rf_loadgen_slot *s = ev.tag;

            if (s->start_ns >= window)
                record(lg, st, s, outcome(lg, s, ev.success), rf_loadgen_now_ns());
            rf_loadgen_release(lg, s);
        }
    }
}

void rf_loadgen_disconnect(struct rf_loadgen *lg)
{
    for (size_t i = 0; i < lg->n_conns; i++)
        grpc_channel_destroy(lg->conns[i].channel);
    grpc_completion_queue_shutdown(lg->cq);
    while (grpc_completion_queue_next(lg->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
           GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(lg->cq);
    free(lg->conns);
    free(lg->slots);
    free(lg->authorization);
    *lg = (struct rf_loadgen){0};
}
