/*
 * refundsd's listening socket (see listener.c for why it is not gRPC's own):
 * open binds and listens at start, start hands accepted connections to the
 * gRPC server, close stops accepting — new connections are refused from then
 * on, while those already accepted keep being served — and destroy frees it.
 */
#ifndef REFUNDS_LISTENER_H
#define REFUNDS_LISTENER_H

#include <grpc/grpc.h>

#include "refunds/status.h"

struct rf_listener;

/*
 * Binds addr ("127.0.0.1:50051", "[::1]:0", "localhost:50051", "unix:/path"),
 * with SO_REUSEADDR but never SO_REUSEPORT, so that a second server on the
 * same port fails instead of splitting the traffic. UNAVAILABLE (in use,
 * unresolvable) or INVALID_ARGUMENT naming the address when it cannot.
 */
enum rf_code rf_listener_open(const char *addr, struct rf_listener **out, struct rf_error *err);

/* The bound TCP port (the one chosen for port 0); 0 for a unix socket. */
int rf_listener_port(const struct rf_listener *l);

/* Starts the accept thread; server must have been started (grpc_server_start). */
void rf_listener_start(struct rf_listener *l, grpc_server *server);

/* Stops accepting and closes the socket; accepted connections are left alone. Idempotent. */
void rf_listener_close(struct rf_listener *l);

/* Closes (if open) and frees; NULL is a no-op. */
void rf_listener_destroy(struct rf_listener *l);

#endif
