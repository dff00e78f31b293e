/*
 * What a handler sees of a call: the call context (arena, error, database
 * connection, caller, clock, deadline) and the declarative method table that
 * maps each RPC to its handler, request validator and allowed roles. The
 * gRPC plumbing is in server.c and dispatch.c; handlers never touch gRPC.
 */
#ifndef REFUNDS_CALL_H
#define REFUNDS_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "refunds/arena.h"
#include "refunds/db.h"
#include "refunds/status.h"
#include "settings.h"

/* Roles, as bits so that a method lists the roles it allows as one mask. */
enum rf_role {
    RF_ROLE_SERVICE = 1u << 0,
    RF_ROLE_AGENT = 1u << 1,
    RF_ROLE_APPROVER = 1u << 2,
    RF_ROLE_FINANCE = 1u << 3,
    RF_ROLE_ADMIN = 1u << 4,
};
#define RF_ROLES_ALL                                                                               \
    (RF_ROLE_SERVICE | RF_ROLE_AGENT | RF_ROLE_APPROVER | RF_ROLE_FINANCE | RF_ROLE_ADMIN)

/* "agent" for RF_ROLE_AGENT; NULL for anything that is not exactly one role. */
const char *rf_role_name(unsigned role);

/* The role named s; 0 when s names none. */
unsigned rf_role_parse(const char *s);

struct rf_actor {
    const char *subject; /* who; "" for unauthenticated methods */
    unsigned role;       /* one RF_ROLE_* bit */
};

struct rf_monitor;
struct rf_case_cache;

struct rf_call {
    struct rf_arena *arena; /* reset after every call */
    struct rf_error err;    /* filled by whatever fails */
    struct rf_db *db;       /* this thread's connection */
    const struct rf_settings *settings;
    const struct rf_monitor *monitor; /* database health, for grpc.health.v1 */
    struct rf_case_cache *cache;      /* GetCase replies, shared by all threads */
    struct rf_actor actor;
    const char *method;     /* short name, e.g. "DecideCase" */
    const char *request_id; /* of a mutation; NULL for reads */
    const char *case_id;    /* set by handlers for the access log */
    const char *
        changed_case; /* id of an existing case a mutation changed (the cache drops it on commit) */
    const uint8_t
        *reply_raw; /* a handler's reply already packed (a cache hit); out is then ignored */
    size_t reply_raw_len;
    int64_t now_us;           /* wall clock at arrival: the one time a call writes */
    int64_t deadline_mono_us; /* the client's deadline (or the default), monotonic */
};

/* A handler: reads in, fills out (initialised, allocated in the call's arena). */
typedef enum rf_code (*rf_handler_fn)(struct rf_call *call, const ProtobufCMessage *in,
                                      ProtobufCMessage *out);

/*
 * Called instead of the handler when a mutation is a retry whose first answer is replayed:
 * whatever the first attempt would do after its commit for the caller's sake (drop a cached
 * copy of what it changed) must happen before the replayed answer leaves too, because the
 * first attempt may not have got that far yet.
 */
typedef void (*rf_replayed_fn)(struct rf_call *call, const ProtobufCMessage *in);

/* A validator: checks in without I/O and records field violations in err. */
typedef void (*rf_validator_fn)(const ProtobufCMessage *in, int64_t now_us, struct rf_error *err);

/* Methods with this flag change state: they carry request_id and run in one transaction. */
#define RF_METHOD_MUTATION 1u
/* Successful calls of methods with this flag (health probes) are logged at debug level only. */
#define RF_METHOD_QUIET 2u

struct rf_method {
    const char *name;                        /* as in the service descriptor */
    const ProtobufCMessageDescriptor *input; /* checked against the descriptor at start */
    const ProtobufCMessageDescriptor *output;
    rf_validator_fn validate; /* may be NULL */
    rf_handler_fn handler;
    unsigned roles; /* allowed roles; 0: no authentication needed */
    unsigned flags;
    rf_replayed_fn replayed; /* mutations only; may be NULL */
};

struct rf_service {
    const ProtobufCServiceDescriptor *descriptor;
    const struct rf_method *methods;
    size_t n_methods;
    /* When true every method of the descriptor must have an entry (start fails otherwise);
     * when false the others are left unregistered and answered UNIMPLEMENTED. */
    bool complete;
};

/*
 * Defines name##_entry, the generic handler that calls the typed handler
 * name(struct rf_call *, const Req *, Resp *), so handlers keep their types
 * and no function is called through a pointer of the wrong type.
 */
#define RF_HANDLER(name, Req, Resp)                                                                \
    static enum rf_code name(struct rf_call *call, const Req *in, Resp *out);                      \
    static enum rf_code name##_entry(struct rf_call *call, const ProtobufCMessage *in,             \
                                     ProtobufCMessage *out)                                        \
    {                                                                                              \
        return name(call, (const Req *)(const void *)in, (Resp *)(void *)out);                     \
    }

/* The same for a validator name(const Req *, int64_t now_us, struct rf_error *). */
#define RF_VALIDATOR(name, Req)                                                                    \
    static void name##_entry(const ProtobufCMessage *in, int64_t now_us, struct rf_error *err)     \
    {                                                                                              \
        name((const Req *)(const void *)in, now_us, err);                                          \
    }

#endif
