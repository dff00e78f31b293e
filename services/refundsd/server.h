/*
 * The gRPC server on gRPC C core: registers every method of the given
 * services from their protobuf-c descriptors, answers unknown methods
 * UNIMPLEMENTED, and serves calls on a fixed pool of threads sharing one
 * completion queue, each thread with its own PostgreSQL connection.
 */
#ifndef REFUNDS_SERVER_H
#define REFUNDS_SERVER_H

#include <stddef.h>

#include "auth.h"
#include "call.h"
#include "settings.h"

struct rf_server;

/*
 * Creates the server, registers the services' methods (each handler reaching
 * its service's state as call->service) and binds
 * settings->grpc_addr (plain text: settings.c refuses a non-loopback
 * address unless told otherwise). grpc_init() must have been called.
 */
enum rf_code rf_server_create(const struct rf_settings *settings,
                              const struct rf_service_binding *services, size_t n_services,
                              const struct rf_auth *auth, struct rf_server **out,
                              struct rf_error *err);

/* The bound port (useful with port 0). */
int rf_server_port(const struct rf_server *srv);

/* Starts the worker threads. */
void rf_server_start(struct rf_server *srv);

/*
 * The lame duck's first step: closes the listening socket, so that new connections are
 * refused while the connections already open keep being served (and are moved away by
 * their GOAWAY at REFUNDS_MAX_CONNECTION_AGE_MS).
 */
void rf_server_stop_accepting(struct rf_server *srv);

/*
 * Stops accepting calls (GOAWAY on every connection), lets those in flight finish for up to the
 * shutdown grace period, cancels what remains, and joins the threads.
 */
void rf_server_shutdown(struct rf_server *srv);

/* Frees everything; after rf_server_shutdown (or instead of start). */
void rf_server_destroy(struct rf_server *srv);

#endif
