/*
 * What a handler sees of a call, and the declarative method tables that map
 * each RPC to its handler, request validator and allowed roles.
 *
 * A call embeds the context every store function takes (struct rf_ctx:
 * arena, database, error, clock, actor, method, request id, on-commit hooks),
 * so the SQL and the audit chain serve a worker's batch as they serve a call.
 * The plumbing (server.c, dispatch.c) knows no resource: what one resource
 * needs after COMMIT goes through an on-commit hook, and a service's own
 * state (a cache, a monitor) through the one pointer the service was bound
 * with (call->service), never through a field of its own here. Handlers never
 * touch gRPC.
 */
#ifndef REFUNDS_CALL_H
#define REFUNDS_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "refunds/ctx.h"
#include "refunds/roles.h"
#include "settings.h"

struct rf_call {
    struct rf_ctx ctx; /* what the store functions take: &call->ctx */
    const struct rf_settings *settings;
    void *service;        /* the state the call's service was bound with (main.c) */
    const char *resource; /* the name of what the call is about, for the access log */
    const uint8_t
        *reply_raw; /* a handler's reply already packed (a cache hit); out is then ignored */
    size_t reply_raw_len;
    int64_t deadline_mono_us; /* the client's deadline (or the default), monotonic */
};

/* Runs fn(arg) after the call's transaction commits; dropped if it rolls back. */
static inline void rf_call_on_commit(struct rf_call *call, void (*fn)(void *arg), void *arg)
{
    rf_ctx_on_commit(&call->ctx, fn, arg);
}

/* A handler: reads in, fills out (initialised, allocated in the call's arena). */
typedef enum rf_code (*rf_handler_fn)(struct rf_call *call, const ProtobufCMessage *in,
                                      ProtobufCMessage *out);

/*
 * Called instead of the handler when a mutation is a retry whose first answer is replayed:
 * whatever the first attempt does after its commit for the caller's sake (drop a cached copy
 * of what it changed) must happen before the replayed answer leaves too, because the first
 * attempt may not have got that far yet.
 */
typedef void (*rf_replayed_fn)(struct rf_call *call, const ProtobufCMessage *in);

/*
 * The sending side of a server-streaming call (server.c runs it on a thread
 * of its own, outside the unary workers).
 */
struct rf_stream;

/*
 * Sends msg and waits until gRPC has taken it: a client that reads slowly
 * slows the sender (HTTP/2 flow control), so memory stays bounded. Resets
 * rf_stream_arena afterwards. CANCELLED when the client cancelled or went
 * away, or read nothing for REFUNDS_STREAM_STALL_MS (the call is then
 * cancelled): stop producing and return the code.
 */
enum rf_code rf_stream_send(struct rf_stream *s, const ProtobufCMessage *msg);

/* An arena for what one message needs, reset by every rf_stream_send. */
struct rf_arena *rf_stream_arena(struct rf_stream *s);

/*
 * A server-streaming handler: reads in (in the call's arena, valid to the end)
 * and sends any number of messages; the status it returns ends the call.
 */
typedef enum rf_code (*rf_stream_fn)(struct rf_call *call, const ProtobufCMessage *in,
                                     struct rf_stream *out);

/* A validator: checks in without I/O and records field violations in err. */
typedef void (*rf_validator_fn)(const ProtobufCMessage *in, int64_t now_us, struct rf_error *err);

/* Methods with this flag change state: they carry request_id and run in one transaction. */
#define RF_METHOD_MUTATION 1u
/* Successful calls of methods with this flag (health probes) are logged at debug level only. */
#define RF_METHOD_QUIET 2u

/* One row of a method table. Rows are written with designated fields, one per line. */
struct rf_method {
    const char *name;                        /* as in the service descriptor */
    const ProtobufCMessageDescriptor *input; /* checked against the descriptor at start */
    const ProtobufCMessageDescriptor *output;
    rf_validator_fn validate; /* may be NULL */
    rf_handler_fn handler;    /* unary methods */
    rf_stream_fn stream;      /* server-streaming methods instead (the descriptor cannot say) */
    unsigned roles; /* allowed roles; 0: no authentication needed */
    unsigned flags;
    rf_replayed_fn replayed; /* mutations only; may be NULL */
};

/* The part of a service's method table that one file of RPCs defines. */
struct rf_method_part {
    const struct rf_method *methods;
    size_t n_methods;
};

/* Defines a struct rf_method_part named part from the array methods. */
#define RF_METHOD_PART(part, methods)                                                              \
    const struct rf_method_part part = {methods, sizeof methods / sizeof methods[0]}

/* A protobuf service and the parts of its method table, gathered from the files of its RPCs. */
struct rf_service {
    const ProtobufCServiceDescriptor *descriptor;
    const struct rf_method_part *const *parts;
    size_t n_parts;
    /* When true every method of the descriptor must have an entry (start fails otherwise);
     * when false the others are left unregistered and answered UNIMPLEMENTED. */
    bool complete;
};

/* A service as the server serves it: with the state its handlers reach as call->service. */
struct rf_service_binding {
    const struct rf_service *service;
    void *state;
};

/*
 * Defines name##_entry, the generic handler that calls the typed handler
 * name(struct rf_call *, const Req *, Resp *), so handlers keep their types
 * and no function is called through a pointer of the wrong type. Written
 * `RF_HANDLER(name, Req, Resp);` with the semicolon, so that code indexers see
 * the handler's declaration.
 */
#define RF_HANDLER(name, Req, Resp)                                                                \
    static enum rf_code name(struct rf_call *call, const Req *in, Resp *out);                      \
    static enum rf_code name##_entry(struct rf_call *call, const ProtobufCMessage *in,             \
                                     ProtobufCMessage *out)                                        \
    {                                                                                              \
        return name(call, (const Req *)(const void *)in, (Resp *)(void *)out);                     \
    }                                                                                              \
    static enum rf_code name(struct rf_call *call, const Req *in, Resp *out)

/* The same for a streaming handler name(struct rf_call *, const Req *, struct rf_stream *). */
#define RF_STREAM_HANDLER(name, Req)                                                               \
    static enum rf_code name(struct rf_call *call, const Req *in, struct rf_stream *out);          \
    static enum rf_code name##_entry(struct rf_call *call, const ProtobufCMessage *in,             \
                                     struct rf_stream *out)                                        \
    {                                                                                              \
        return name(call, (const Req *)(const void *)in, out);                                     \
    }                                                                                              \
    static enum rf_code name(struct rf_call *call, const Req *in, struct rf_stream *out)

/* The same for a validator name(const Req *, int64_t now_us, struct rf_error *). */
#define RF_VALIDATOR(name, Req)                                                                    \
    static void name##_entry(const ProtobufCMessage *in, int64_t now_us, struct rf_error *err)     \
    {                                                                                              \
        name((const Req *)(const void *)in, now_us, err);                                          \
    }                                                                                              \
    static void name##_entry(const ProtobufCMessage *in, int64_t now_us, struct rf_error *err)

#endif
