/*
 * refunds-loadgen: the load generator of deploy/bench/run. One client thread
 * and one completion queue keep many unary calls in flight over a few HTTP/2
 * connections: each call is one batch of the six client operations, and a
 * completed call is replaced by the next one. Closed loop (--concurrency C)
 * keeps C calls in flight; open loop (--rate R) starts calls on a fixed
 * schedule and measures each from its scheduled start, so that a server (or a
 * client) that falls behind shows as latency instead of silently lowering the
 * rate. Latency percentiles are exact, from every sample. It also opens one
 * case for the benchmark (--print-case) and writes gRPC frames for h2load
 * (--dump-request). It is a measuring tool, not a client library: the CLI
 * client is services/refundctl.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "grpc/health/v1/health.pb-c.h"
#include "refunds/arena.h"
#include "refunds/crypto.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/v1/cases.pb-c.h"

#define EXIT_FAILED       1
#define EXIT_USAGE        2
#define NSEC_PER_MSEC     1000000LL
#define NSEC_PER_SEC      1000000000LL
#define MAX_REQUEST_BYTES 4096
/* In the open loop, calls beyond this many in flight are dropped (and counted). */
#define DEFAULT_MAX_IN_FLIGHT 4096
/* How long a completion may wait to be read while the open loop sleeps to the next start. */
#define POLL_SLICE_NS (100 * 1000LL)
/* Below this the open loop sleeps itself: the queue's own deadlines are whole milliseconds. */
#define BLOCKING_WAIT_MIN_NS (2 * NSEC_PER_MSEC)
#define CONNECT_TIMEOUT_MS   5000
/* Status codes 0-16 are gRPC's; these three are the client's own findings. */
#define CODE_NO_MESSAGE   17
#define CODE_REPLY_SIZE   18
#define CODE_BATCH_FAILED 19
#define N_CODES           20

static const char *const code_names[N_CODES] = {
    [GRPC_STATUS_OK] = "OK",
    [GRPC_STATUS_CANCELLED] = "CANCELLED",
    [GRPC_STATUS_UNKNOWN] = "UNKNOWN",
    [GRPC_STATUS_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
    [GRPC_STATUS_DEADLINE_EXCEEDED] = "DEADLINE_EXCEEDED",
    [GRPC_STATUS_NOT_FOUND] = "NOT_FOUND",
    [GRPC_STATUS_ALREADY_EXISTS] = "ALREADY_EXISTS",
    [GRPC_STATUS_PERMISSION_DENIED] = "PERMISSION_DENIED",
    [GRPC_STATUS_RESOURCE_EXHAUSTED] = "RESOURCE_EXHAUSTED",
    [GRPC_STATUS_FAILED_PRECONDITION] = "FAILED_PRECONDITION",
    [GRPC_STATUS_ABORTED] = "ABORTED",
    [GRPC_STATUS_OUT_OF_RANGE] = "OUT_OF_RANGE",
    [GRPC_STATUS_UNIMPLEMENTED] = "UNIMPLEMENTED",
    [GRPC_STATUS_INTERNAL] = "INTERNAL",
    [GRPC_STATUS_UNAVAILABLE] = "UNAVAILABLE",
    [GRPC_STATUS_DATA_LOSS] = "DATA_LOSS",
    [GRPC_STATUS_UNAUTHENTICATED] = "UNAUTHENTICATED",
    [CODE_NO_MESSAGE] = "OK_WITHOUT_MESSAGE",
    [CODE_REPLY_SIZE] = "OK_WITH_WRONG_REPLY_SIZE",
    [CODE_BATCH_FAILED] = "BATCH_FAILED",
};

enum method_id { METHOD_CHECK, METHOD_GET_CASE, METHOD_OPEN_CASE };

struct method_info {
    const char *name;
    const char *path;
};

static const struct method_info methods[] = {
    [METHOD_CHECK] = {"Check", "/grpc.health.v1.Health/Check"},
    [METHOD_GET_CASE] = {"GetCase", "/refunds.v1.RefundCases/GetCase"},
    [METHOD_OPEN_CASE] = {"OpenCase", "/refunds.v1.RefundCases/OpenCase"},
};

struct options {
    const char *addr;
    const char *token;
    const char *case_name;
    const char *dump_file;
    const char *log_file;
    enum method_id method;
    long concurrency;
    double rate;
    double duration_s;
    double warmup_s;
    long connections;
    long max_in_flight;
    long timeout_ms;
    bool print_case;
};

struct connection {
    grpc_channel *channel;
    void *method_handle;
};

/* One call in flight; reused for the next call once its batch completes. */
struct slot {
    grpc_call *call;
    grpc_byte_buffer *sent;
    grpc_byte_buffer *received;
    grpc_metadata_array initial;
    grpc_metadata_array trailing;
    grpc_status_code status;
    grpc_slice details;
    int64_t start_ns; /* scheduled start (open loop) or actual start */
    struct slot *next_free;
};

/* A growing array of durations, sorted before it is read. */
struct samples {
    int64_t *ns;
    size_t n;
    size_t cap;
};

/* What a run measured. */
struct stats {
    struct samples latency;   /* of the successful calls counted */
    struct samples issue_lag; /* open loop: how late the client started each call */
    long long counts[N_CODES];
    long long dropped;
};

struct loadgen {
    const struct options *opt;
    grpc_completion_queue *cq;
    FILE *log;         /* --log-file: one line per counted call, or NULL */
    int64_t window_ns; /* when the measured window starts */
    struct connection *conns;
    size_t next_conn;
    grpc_metadata auth;
    char *authorization;
    struct slot *slots;
    struct slot *free_slots;
    long in_flight;
    grpc_slice fixed_request; /* Check and GetCase send the same bytes every time */
    long expected_reply;      /* bytes of a correct reply, -1 when they vary */
    Refunds__V1__OpenCaseRequest open;
    Refunds__V1__Customer customer;
    Refunds__V1__Product product;
    Refunds__V1__Money paid;
    Refunds__V1__Money requested;
    Refunds__V1__Payment payment;
    Google__Protobuf__Timestamp purchased;
    char request_id[RF_UUID_TEXT_LEN + 1];
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;

    fputs("refunds-loadgen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(EXIT_FAILED);
}

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC)};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static gpr_timespec deadline_in_ns(int64_t ns)
{
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_nanos(ns, GPR_TIMESPAN));
}

/* ---- Requests ---------------------------------------------------------- */

/* Writes a random (version 4) UUID into out. */
static void random_uuid(char out[RF_UUID_TEXT_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    size_t k = 0;

    rf_random_bytes(b, sizeof b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[b[i] >> 4];
        out[k++] = hex[b[i] & 15];
    }
    out[k] = '\0';
}

/* The OpenCase request of tests/integration/harness.py's open_request, request_id aside. */
static void open_request_init(struct loadgen *lg)
{
    Refunds__V1__OpenCaseRequest *r = &lg->open;

    refunds__v1__open_case_request__init(r);
    refunds__v1__customer__init(&lg->customer);
    refunds__v1__product__init(&lg->product);
    refunds__v1__money__init(&lg->paid);
    refunds__v1__money__init(&lg->requested);
    refunds__v1__payment__init(&lg->payment);
    google__protobuf__timestamp__init(&lg->purchased);
    lg->customer.name = "Ana P\xc3\xa9rez";
    lg->customer.email = "ana.perez@example.com";
    lg->customer.phone = "+34 600 123 456";
    lg->customer.preferred_language = "es";
    lg->product.order_id = "ORD-1001";
    lg->product.sku = "KET-42";
    lg->product.name = "Electric kettle";
    lg->product.category = "kitchen";
    lg->purchased.seconds = rf_now_us() / RF_USEC_PER_SEC - 60 * 86400;
    lg->paid.amount_minor = 4999;
    lg->paid.currency = "EUR";
    lg->requested = lg->paid;
    lg->payment.method = REFUNDS__V1__PAYMENT_METHOD__PAYMENT_METHOD_CARD;
    lg->payment.provider = "stripe";
    lg->payment.provider_payment_id = "pi_123";
    r->request_id = lg->request_id;
    r->channel = REFUNDS__V1__CHANNEL__CHANNEL_EMAIL;
    r->customer = &lg->customer;
    r->product = &lg->product;
    r->purchase_time = &lg->purchased;
    r->amount_paid = &lg->paid;
    r->requested_amount = &lg->requested;
    r->payment = &lg->payment;
    r->reason_code = REFUNDS__V1__REASON_CODE__REASON_CODE_DEFECTIVE;
    r->reason_text = "Stopped heating after two months.";
    r->contact_summary = "Customer wrote in; we acknowledged the same day.";
}

static grpc_slice pack_slice(const ProtobufCMessage *msg)
{
    uint8_t buf[MAX_REQUEST_BYTES];
    size_t len = protobuf_c_message_get_packed_size(msg);

    if (len > sizeof buf)
        die("a %s of %zu bytes is too large", msg->descriptor->name, len);
    protobuf_c_message_pack(msg, buf);
    return grpc_slice_from_copied_buffer((const char *)buf, len);
}

/* The body of the next call: the same bytes, or an OpenCase with a new request_id. */
static grpc_slice next_request(struct loadgen *lg)
{
    /* --dump-request sends the very bytes it wrote, so that h2load, which repeats
     * them, gets the stored answer of that first call back every time. */
    if (lg->opt->method != METHOD_OPEN_CASE || lg->opt->dump_file != NULL)
        return grpc_slice_ref(lg->fixed_request);
    random_uuid(lg->request_id);
    return pack_slice(&lg->open.base);
}

static void requests_init(struct loadgen *lg)
{
    Grpc__Health__V1__HealthCheckRequest check = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    Refunds__V1__GetCaseRequest get = REFUNDS__V1__GET_CASE_REQUEST__INIT;

    lg->expected_reply = -1;
    switch (lg->opt->method) {
    case METHOD_CHECK:
        lg->fixed_request = pack_slice(&check.base);
        break;
    case METHOD_GET_CASE:
        get.name = (char *)lg->opt->case_name;
        lg->fixed_request = pack_slice(&get.base);
        break;
    case METHOD_OPEN_CASE:
        open_request_init(lg);
        random_uuid(lg->request_id);
        lg->fixed_request = pack_slice(&lg->open.base);
        break;
    }
}

/* ---- Calls ------------------------------------------------------------- */

static void connections_create(struct loadgen *lg)
{
    const struct options *opt = lg->opt;
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
    lg->conns = calloc((size_t)opt->connections, sizeof *lg->conns);
    if (lg->conns == NULL)
        abort();
    for (long i = 0; i < opt->connections; i++) {
        struct connection *c = &lg->conns[i];
        gpr_timespec deadline = deadline_in_ns(CONNECT_TIMEOUT_MS * NSEC_PER_MSEC);
        grpc_connectivity_state state;

        c->channel = grpc_channel_create(opt->addr, creds, &channel_args);
        c->method_handle =
            grpc_channel_register_call(c->channel, methods[opt->method].path, NULL, NULL);
        state = grpc_channel_check_connectivity_state(c->channel, 1);
        while (state != GRPC_CHANNEL_READY) {
            grpc_event ev;

            if (state == GRPC_CHANNEL_SHUTDOWN)
                die("could not connect to %s: the channel shut down", opt->addr);
            grpc_channel_watch_connectivity_state(c->channel, state, deadline, lg->cq, c);
            ev = grpc_completion_queue_next(lg->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
            if (ev.type != GRPC_OP_COMPLETE || !ev.success)
                die("could not connect to %s within %d ms", opt->addr, CONNECT_TIMEOUT_MS);
            state = grpc_channel_check_connectivity_state(c->channel, 0);
        }
    }
    grpc_channel_credentials_release(creds);
}

static void slots_create(struct loadgen *lg, long n)
{
    lg->slots = calloc((size_t)n, sizeof *lg->slots);
    if (lg->slots == NULL)
        abort();
    for (long i = n - 1; i >= 0; i--) {
        lg->slots[i].next_free = lg->free_slots;
        lg->free_slots = &lg->slots[i];
    }
}

/* Starts the next call in a free slot; start_ns is when it counts from. */
static void issue(struct loadgen *lg, int64_t start_ns)
{
    struct slot *s = lg->free_slots;
    struct connection *c = &lg->conns[lg->next_conn++ % (size_t)lg->opt->connections];
    grpc_slice body = next_request(lg);
    grpc_op ops[6];
    grpc_call_error rc;

    lg->free_slots = s->next_free;
    lg->in_flight++;
    s->start_ns = start_ns;
    s->sent = grpc_raw_byte_buffer_create(&body, 1);
    grpc_slice_unref(body);
    s->received = NULL;
    s->status = GRPC_STATUS_UNKNOWN;
    s->details = grpc_empty_slice();
    grpc_metadata_array_init(&s->initial);
    grpc_metadata_array_init(&s->trailing);
    s->call = grpc_channel_create_registered_call(
        c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, lg->cq, c->method_handle,
        deadline_in_ns(lg->opt->timeout_ms * NSEC_PER_MSEC), NULL);

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
        die("could not start a call of %s: %s", methods[lg->opt->method].path,
            grpc_call_error_to_string(rc));
}

/* What the completed call in s came to: a gRPC status code or one of CODE_*. */
static int outcome(const struct loadgen *lg, const struct slot *s, bool success)
{
    if (!success)
        return CODE_BATCH_FAILED;
    if (s->status != GRPC_STATUS_OK)
        return s->status >= 0 && s->status <= GRPC_STATUS_UNAUTHENTICATED ? (int)s->status
                                                                          : GRPC_STATUS_UNKNOWN;
    if (s->received == NULL)
        return CODE_NO_MESSAGE;
    if (lg->expected_reply >= 0 && (long)grpc_byte_buffer_length(s->received) != lg->expected_reply)
        return CODE_REPLY_SIZE;
    return GRPC_STATUS_OK;
}

/* Frees what the call in s holds and puts s back on the free list. */
static void release(struct loadgen *lg, struct slot *s)
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

static void add_sample(struct samples *s, int64_t ns)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 65536;
        int64_t *p = realloc(s->ns, cap * sizeof *p);

        if (p == NULL)
            abort();
        s->ns = p;
        s->cap = cap;
    }
    s->ns[s->n++] = ns;
}

/* Counts the call in s, which completed at done_ns with code, and logs it when asked. */
static void record(struct loadgen *lg, struct stats *st, const struct slot *s, int code,
                   int64_t done_ns)
{
    int64_t latency_ns = done_ns - s->start_ns;

    st->counts[code]++;
    if (code == GRPC_STATUS_OK)
        add_sample(&st->latency, latency_ns);
    if (lg->log != NULL)
        fprintf(lg->log, "%.3f\t%s\t%.3f\n", (double)(s->start_ns - lg->window_ns) / NSEC_PER_MSEC,
                code_names[code], (double)latency_ns / NSEC_PER_MSEC);
}

/* Runs one call to completion; the caller releases the slot. */
static struct slot *call_once(struct loadgen *lg, int *code)
{
    struct slot *s = lg->free_slots;
    grpc_event ev;

    issue(lg, now_ns());
    ev = grpc_completion_queue_next(lg->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    if (ev.type != GRPC_OP_COMPLETE || ev.tag != s)
        die("the call of %s did not complete", methods[lg->opt->method].path);
    *code = outcome(lg, s, ev.success);
    if (*code != GRPC_STATUS_OK)
        die("%s failed: %s: %.*s", methods[lg->opt->method].path, code_names[*code],
            (int)GRPC_SLICE_LENGTH(s->details), (const char *)GRPC_SLICE_START_PTR(s->details));
    return s;
}

/* ---- Runs -------------------------------------------------------------- */

/* Keeps opt->concurrency calls in flight; counts the calls that end inside the window. */
static void run_closed(struct loadgen *lg, struct stats *st)
{
    const struct options *opt = lg->opt;
    int64_t start = now_ns();
    int64_t window = start + (int64_t)(opt->warmup_s * NSEC_PER_SEC);
    int64_t end = window + (int64_t)(opt->duration_s * NSEC_PER_SEC);
    bool issuing = true;

    lg->window_ns = window;
    for (long i = 0; i < opt->concurrency; i++)
        issue(lg, now_ns());
    while (lg->in_flight > 0) {
        grpc_event ev = grpc_completion_queue_next(
            lg->cq, issuing ? deadline_in_ns(end - now_ns()) : gpr_inf_future(GPR_CLOCK_MONOTONIC),
            NULL);
        struct slot *s;
        int64_t t = now_ns();

        if (t >= end)
            issuing = false;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        s = ev.tag;
        if (t >= window && t < end)
            record(lg, st, s, outcome(lg, s, ev.success), t);
        release(lg, s);
        if (issuing)
            issue(lg, t);
    }
}

/*
 * Starts a call every 1/rate seconds on a fixed schedule and measures each
 * from its scheduled start; counts the calls scheduled inside the window, and
 * waits for all of them. A call due while max_in_flight are in flight is dropped.
 */
static void run_open(struct loadgen *lg, struct stats *st)
{
    const struct options *opt = lg->opt;
    int64_t t0 = now_ns();
    int64_t window = t0 + (int64_t)(opt->warmup_s * NSEC_PER_SEC);
    int64_t end = window + (int64_t)(opt->duration_s * NSEC_PER_SEC);
    double interval_ns = (double)NSEC_PER_SEC / opt->rate;
    long long k = 0;
    int64_t next = t0;
    bool issuing = true;

    lg->window_ns = window;

    for (;;) {
        int64_t t = now_ns();
        grpc_event ev;

        while (issuing && next <= t) {
            if (next >= end) {
                issuing = false;
                break;
            }
            if (lg->free_slots != NULL) {
                if (next >= window)
                    add_sample(&st->issue_lag, t - next);
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
            ev = grpc_completion_queue_next(lg->cq, deadline_in_ns(next - t - NSEC_PER_MSEC), NULL);
        } else {
            ev = grpc_completion_queue_next(lg->cq, gpr_inf_past(GPR_CLOCK_MONOTONIC), NULL);
            if (ev.type == GRPC_QUEUE_TIMEOUT) {
                int64_t left = next - now_ns();

                if (left > 0)
                    sleep_ns(left < POLL_SLICE_NS ? left : POLL_SLICE_NS);
                continue;
            }
        }
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        {
            struct slot *s = ev.tag;

            if (s->start_ns >= window)
                record(lg, st, s, outcome(lg, s, ev.success), now_ns());
            release(lg, s);
        }
    }
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The nearest-rank percentile p (0-100] of the sorted samples, in ms; 0 without samples. */
static double percentile_ms(const struct samples *s, double p)
{
    size_t rank;

    if (s->n == 0)
        return 0.0;
    rank = (size_t)((p / 100.0) * (double)s->n + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > s->n)
        rank = s->n;
    return (double)s->ns[rank - 1] / (double)NSEC_PER_MSEC;
}

static void print_report(const struct options *opt, struct stats *st)
{
    long long errors = 0;
    const char *sep = "";

    qsort(st->latency.ns, st->latency.n, sizeof *st->latency.ns, compare_i64);
    qsort(st->issue_lag.ns, st->issue_lag.n, sizeof *st->issue_lag.ns, compare_i64);
    printf("{\"method\":\"%s\",\"mode\":\"%s\",", methods[opt->method].name,
           opt->rate > 0 ? "open" : "closed");
    if (opt->rate > 0)
        printf("\"rate\":%.1f,", opt->rate);
    else
        printf("\"concurrency\":%ld,", opt->concurrency);
    printf("\"connections\":%ld,\"seconds\":%.3f,\"requests_ok\":%lld,\"errors\":{",
           opt->connections, opt->duration_s, st->counts[GRPC_STATUS_OK]);
    for (int c = 1; c < N_CODES; c++) {
        if (st->counts[c] == 0)
            continue;
        printf("%s\"%s\":%lld", sep, code_names[c], st->counts[c]);
        sep = ",";
        errors += st->counts[c];
    }
    printf("},\"error_count\":%lld,", errors);
    if (opt->rate > 0)
        printf("\"dropped\":%lld,\"issue_lag_p99_ms\":%.3f,\"issue_lag_max_ms\":%.3f,", st->dropped,
               percentile_ms(&st->issue_lag, 99), percentile_ms(&st->issue_lag, 100));
    printf("\"rps\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
           (double)st->counts[GRPC_STATUS_OK] / opt->duration_s, percentile_ms(&st->latency, 50),
           percentile_ms(&st->latency, 90), percentile_ms(&st->latency, 99),
           percentile_ms(&st->latency, 100));
}

/* --print-case: opens one case and prints its name. */
static void print_case(struct loadgen *lg)
{
    struct rf_arena *a = rf_arena_create(0);
    grpc_byte_buffer_reader reader;
    Refunds__V1__Case *c;
    grpc_slice all;
    int code;
    struct slot *s = call_once(lg, &code);

    if (!grpc_byte_buffer_reader_init(&reader, s->received))
        die("could not read the OpenCase reply");
    all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    c = (Refunds__V1__Case *)rf_pb_unpack(a, &refunds__v1__case__descriptor,
                                          GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all));
    if (c == NULL)
        die("the OpenCase reply is not a refunds.v1.Case");
    printf("%s\n", c->name);
    grpc_slice_unref(all);
    release(lg, s);
    rf_arena_destroy(a);
}

/*
 * --dump-request: writes the request as a gRPC frame (flag 0, big-endian
 * length, message) for h2load -d, makes the call once, and prints the sizes
 * h2load's data count must match. A health check that is not SERVING fails.
 */
static void dump_request(struct loadgen *lg)
{
    const struct options *opt = lg->opt;
    size_t len = GRPC_SLICE_LENGTH(lg->fixed_request);
    uint8_t header[5] = {0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                         (uint8_t)len};
    FILE *f = fopen(opt->dump_file, "wb");
    size_t reply_len;
    int code;
    struct slot *s;

    if (f == NULL)
        die("could not open %s: %s", opt->dump_file, strerror(errno));
    if (fwrite(header, 1, sizeof header, f) != sizeof header ||
        fwrite(GRPC_SLICE_START_PTR(lg->fixed_request), 1, len, f) != len || fclose(f) != 0)
        die("could not write %s: %s", opt->dump_file, strerror(errno));
    s = call_once(lg, &code);
    reply_len = grpc_byte_buffer_length(s->received);
    if (opt->method == METHOD_CHECK) {
        /* HealthCheckResponse is field 1 (status) alone: 08 01 is SERVING. */
        grpc_byte_buffer_reader reader;
        grpc_slice all;
        bool serving;

        grpc_byte_buffer_reader_init(&reader, s->received);
        all = grpc_byte_buffer_reader_readall(&reader);
        grpc_byte_buffer_reader_destroy(&reader);
        serving = GRPC_SLICE_LENGTH(all) == 2 && GRPC_SLICE_START_PTR(all)[0] == 0x08 &&
                  GRPC_SLICE_START_PTR(all)[1] ==
                      GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
        grpc_slice_unref(all);
        if (!serving)
            die("the server is not SERVING yet");
    }
    printf("{\"method\":\"%s\",\"request_bytes\":%zu,\"reply_bytes\":%zu,"
           "\"data_bytes_per_call\":%zu}\n",
           methods[opt->method].name, len, reply_len, 5 + reply_len);
    release(lg, s);
}

/* ---- Command line ------------------------------------------------------ */

static void usage(FILE *out)
{
    fputs("usage: refunds-loadgen --addr HOST:PORT [--token T] --method Check|GetCase|OpenCase\n"
          "                       [--case cases/ID] (--concurrency C | --rate R)\n"
          "                       [--duration S] [--warmup S] [--connections N]\n"
          "                       [--max-in-flight N] [--timeout-ms MS] [--log-file FILE]\n"
          "       refunds-loadgen --addr HOST:PORT --token T --print-case\n"
          "       refunds-loadgen --addr HOST:PORT [--token T] --dump-request FILE --method M\n"
          "                       [--case cases/ID]\n"
          "Prints one line of JSON: requests, errors by gRPC code, rate, latency percentiles.\n"
          "Closed loop (--concurrency) keeps C calls in flight; open loop (--rate) starts R calls\n"
          "a second on a fixed schedule and measures each from its scheduled start.\n"
          "--log-file writes a line per counted call: start (ms into the window), code, ms.\n",
          out);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("refunds-loadgen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    usage(stderr);
    return EXIT_USAGE;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

/* Parses argv into opt; returns 0, or the exit status of a usage error (-1: --help). */
static int parse_args(int argc, char **argv, struct options *opt)
{
    bool have_method = false;

    *opt = (struct options){.concurrency = 0,
                            .duration_s = 10,
                            .warmup_s = 2,
                            .connections = 4,
                            .max_in_flight = DEFAULT_MAX_IN_FLIGHT,
                            .timeout_ms = 10000};
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;

        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            usage(stdout);
            return -1;
        }
        if (strcmp(flag, "--print-case") == 0) {
            opt->print_case = true;
            continue;
        }
        if (strncmp(flag, "--", 2) != 0)
            return usage_error("unexpected argument %s", flag);
        if (v == NULL)
            return usage_error("%s needs a value", flag);
        i++;
        if (strcmp(flag, "--addr") == 0) {
            opt->addr = v;
        } else if (strcmp(flag, "--token") == 0) {
            opt->token = v;
        } else if (strcmp(flag, "--case") == 0) {
            opt->case_name = v;
        } else if (strcmp(flag, "--log-file") == 0) {
            opt->log_file = v;
        } else if (strcmp(flag, "--dump-request") == 0) {
            opt->dump_file = v;
        } else if (strcmp(flag, "--method") == 0) {
            size_t m;

            for (m = 0; m < sizeof methods / sizeof methods[0]; m++) {
                if (strcmp(v, methods[m].name) == 0)
                    break;
            }
            ok = m < sizeof methods / sizeof methods[0];
            opt->method = (enum method_id)m;
            have_method = ok;
        } else if (strcmp(flag, "--concurrency") == 0) {
            ok = parse_long(v, 1, 100000, &opt->concurrency);
        } else if (strcmp(flag, "--rate") == 0) {
            ok = parse_double(v, 0.001, 1e7, &opt->rate);
        } else if (strcmp(flag, "--duration") == 0) {
            ok = parse_double(v, 0.001, 86400, &opt->duration_s);
        } else if (strcmp(flag, "--warmup") == 0) {
            ok = parse_double(v, 0, 86400, &opt->warmup_s);
        } else if (strcmp(flag, "--connections") == 0) {
            ok = parse_long(v, 1, 1024, &opt->connections);
        } else if (strcmp(flag, "--max-in-flight") == 0) {
            ok = parse_long(v, 1, 1000000, &opt->max_in_flight);
        } else if (strcmp(flag, "--timeout-ms") == 0) {
            ok = parse_long(v, 1, 3600000, &opt->timeout_ms);
        } else {
            return usage_error("unknown flag %s", flag);
        }
        if (!ok)
            return usage_error("bad value for %s: %s", flag, v);
    }
    if (opt->addr == NULL)
        return usage_error("--addr is required");
    if (opt->print_case) {
        opt->method = METHOD_OPEN_CASE;
        have_method = true;
    }
    if (!have_method)
        return usage_error("--method is required");
    if (opt->method == METHOD_GET_CASE && opt->case_name == NULL)
        return usage_error("--method GetCase needs --case cases/ID");
    if (opt->print_case || opt->dump_file != NULL)
        return 0;
    if ((opt->concurrency > 0) == (opt->rate > 0))
        return usage_error("give one of --concurrency C (closed loop) or --rate R (open loop)");
    return 0;
}

int main(int argc, char **argv)
{
    struct options opt;
    struct loadgen lg = {.opt = &opt};
    struct stats st = {0};
    int rc = parse_args(argc, argv, &opt);

    if (rc != 0)
        return rc < 0 ? 0 : rc;
    grpc_init();
    lg.cq = grpc_completion_queue_create_for_next(NULL);
    if (opt.token != NULL && opt.token[0] != '\0') {
        size_t n = strlen(opt.token) + sizeof "Bearer ";

        lg.authorization = malloc(n);
        if (lg.authorization == NULL)
            abort();
        snprintf(lg.authorization, n, "Bearer %s", opt.token);
        lg.auth.key = grpc_slice_from_static_string("authorization");
        lg.auth.value = grpc_slice_from_static_string(lg.authorization);
    }
    requests_init(&lg);
    if (opt.print_case || opt.dump_file != NULL)
        opt.connections = 1;
    connections_create(&lg);
    slots_create(&lg,
                 opt.rate > 0 ? opt.max_in_flight : (opt.concurrency > 0 ? opt.concurrency : 1));

    if (opt.print_case) {
        print_case(&lg);
    } else if (opt.dump_file != NULL) {
        dump_request(&lg);
    } else {
        /* One call first: it proves the setup, and for fixed requests tells the reply's size. */
        int code;
        struct slot *s = call_once(&lg, &code);

        if (opt.method != METHOD_OPEN_CASE)
            lg.expected_reply = (long)grpc_byte_buffer_length(s->received);
        release(&lg, s);
        if (opt.log_file != NULL && (lg.log = fopen(opt.log_file, "w")) == NULL)
            die("could not open %s: %s", opt.log_file, strerror(errno));
        if (opt.rate > 0)
            run_open(&lg, &st);
        else
            run_closed(&lg, &st);
        print_report(&opt, &st);
        if (lg.log != NULL && fclose(lg.log) != 0)
            die("could not write %s: %s", opt.log_file, strerror(errno));
    }

    for (long i = 0; i < opt.connections; i++)
        grpc_channel_destroy(lg.conns[i].channel);
    grpc_completion_queue_shutdown(lg.cq);
    while (grpc_completion_queue_next(lg.cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL).type !=
           GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(lg.cq);
    grpc_slice_unref(lg.fixed_request);
    free(lg.conns);
    free(lg.slots);
    free(lg.authorization);
    free(st.latency.ns);
    free(st.issue_lag.ns);
    grpc_shutdown();
    return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
}
