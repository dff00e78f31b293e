/*
 * refundctl's gRPC client: one insecure channel to the server and one generic
 * unary call driven by protobuf-c descriptors, so that every method of every
 * service goes through the same code. A failed call comes back as the status
 * code, message and field violations the server sent (decoded from the
 * grpc-status-details-bin trailer). Nothing here knows the refunds API or
 * prints anything.
 */
#ifndef REFUNDS_CLIENT_H
#define REFUNDS_CLIENT_H

#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "refunds/arena.h"
#include "refunds/status.h"

struct rf_client;

/*
 * Initialises gRPC and opens a channel to addr (HOST:PORT or any gRPC
 * target). token, when neither NULL nor empty, is sent with every call as
 * "authorization: Bearer <token>"; it must be printable ASCII without spaces
 * (the caller checks). Each call may take timeout_ms. Connecting is lazy: an
 * unreachable server shows as UNAVAILABLE on the first call. Never NULL;
 * destroy with rf_client_destroy.
 */
struct rf_client *rf_client_create(const char *addr, const char *token, int64_t timeout_ms);

/* Closes the channel, frees the client and shuts gRPC down. NULL is a no-op. */
void rf_client_destroy(struct rf_client *c);

/*
 * Calls method of service with request (which must be of method->input's
 * type) and waits for the answer. On success stores the reply, unpacked into
 * arena a, in *reply and returns RF_OK. Otherwise returns the call's status
 * code and fills err with the server's message and field violations; a call
 * that never reached the server is UNAVAILABLE or DEADLINE_EXCEEDED as gRPC
 * reports it, and a reply that does not decode is INTERNAL.
 */
enum rf_code rf_client_call(struct rf_client *c, const ProtobufCServiceDescriptor *service,
                            const ProtobufCMethodDescriptor *method,
                            const ProtobufCMessage *request, struct rf_arena *a,
                            ProtobufCMessage **reply, struct rf_error *err);

/* Called with each message of a server stream, decoded into an arena reset before the next;
 * a nonzero return cancels the call. */
typedef int (*rf_client_message_fn)(void *arg, const ProtobufCMessage *msg, struct rf_arena *a);

/*
 * Calls the server-streaming method with request and hands each message to
 * fn(arg, ...) as it arrives, reading the next only when fn has returned (so a
 * slow consumer slows the server, not memory). timeout_ms bounds the whole
 * stream; 0 for none. Returns the call's status as rf_client_call does;
 * CANCELLED when fn stopped it or a message did not decode (INTERNAL then).
 */
enum rf_code rf_client_stream(struct rf_client *c, const ProtobufCServiceDescriptor *service,
                              const ProtobufCMethodDescriptor *method,
                              const ProtobufCMessage *request, int64_t timeout_ms,
                              rf_client_message_fn fn, void *arg, struct rf_arena *a,
                              struct rf_error *err);

#endif
