/*
 * The generic unary call path, independent of gRPC: authenticate the caller
 * against the method's roles, decode the request with the method's protobuf-c
 * descriptor, validate it, run the handler (for mutations inside one
 * transaction with request_id idempotency, retried on ABORTED), and encode
 * the reply or the error's google.rpc.Status details. server.c moves bytes
 * between gRPC and this function.
 */
#ifndef REFUNDS_DISPATCH_H
#define REFUNDS_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "call.h"

/* A method as registered: its table entry, its service's state, gRPC path and request_id field. */
struct rf_bound_method {
    const struct rf_method *method;
    void *service_state;                              /* what the handler gets as call->service */
    char path[192];                                   /* "/refunds.v1.RefundCases/OpenCase" */
    const ProtobufCFieldDescriptor *request_id_field; /* mutations only */
    void *grpc_handle;                                /* from grpc_server_register_method */
};

/* What goes back: the packed reply on success, the packed google.rpc.Status details (or NULL) on
 * error. */
struct rf_reply {
    const uint8_t *data;
    size_t len;
    const uint8_t *details;
    size_t details_len;
};

/*
 * Binds entry of service (whose handlers get service_state): fills bm and checks that the table
 * agrees with the descriptor (types, and a string request_id on mutations). INTERNAL naming the
 * method when it does not: a programming error caught at start.
 */
enum rf_code rf_dispatch_bind(const ProtobufCServiceDescriptor *service,
                              const ProtobufCMethodDescriptor *desc, const struct rf_method *entry,
                              void *service_state, struct rf_bound_method *bm,
                              struct rf_error *err);

/*
 * The checks every call passes before its handler: the caller against the
 * method's roles, the request decoded and validated; *msg is the request, in
 * the call's arena. On error the status details are packed into *reply.
 */
enum rf_code rf_dispatch_prepare(struct rf_call *call, const struct rf_bound_method *bm,
                                 const struct rf_auth *auth, const char *authorization,
                                 size_t auth_len, const uint8_t *request, size_t len,
                                 ProtobufCMessage **msg, struct rf_reply *reply);

/*
 * Runs one unary call. authorization is the "authorization" metadata value (NULL
 * when absent). Everything in *reply is in the call's arena. Returns the
 * status, whose client message is call->err.message.
 */
enum rf_code rf_dispatch(struct rf_call *call, const struct rf_bound_method *bm,
                         const struct rf_auth *auth, const char *authorization, size_t auth_len,
                         const uint8_t *request, size_t len, struct rf_reply *reply);

#endif
