/*
 * The engine of refunds-loadgen: one client thread and one completion queue
 * keep many unary calls in flight over a few HTTP/2 connections. Each call is
 * one batch of the six client operations, and a completed call is replaced
 * by the next one. Closed loop keeps C calls in flight; open loop starts calls
 * on a fixed schedule and measures each from its scheduled start, so that a
 * server (or a client) that falls behind shows as latency instead of
 * silently lowering the rate. What to send is fixtures.c's; counting is
 * stats.c's.
 */
#ifndef REFUNDS_BENCH_ENGINE_H
#define REFUNDS_BENCH_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <grpc/grpc.h>

#include "fixtures.h"
#include "options.h"
#include "stats.h"

/* One call in flight; reused for the next call once its batch completes. */
struct rf_loadgen_slot {
    grpc_call *call;
    grpc_byte_buffer *sent;
    grpc_byte_buffer *received;
    grpc_metadata_array initial;
    grpc_metadata_array trailing;
    grpc_status_code status;
    grpc_slice details;
    int64_t start_ns; /* scheduled start (open loop) or actual start */
    size_t conn;      /* which connection carries it */
    struct rf_loadgen_slot *next_free;
};

struct rf_loadgen_conn;

/* A client: connections, slots and the bodies to send. */
struct rf_loadgen {
    const struct rf_loadgen_options *opt;
    struct rf_loadgen_fixtures *fixtures;
    grpc_completion_queue *cq;
    FILE *log;         /* --log-file: one line per counted call, or NULL */
    int64_t window_ns; /* when the measured window starts */
    struct rf_loadgen_conn *conns;
    size_t n_conns;
    size_t next_conn;
    grpc_metadata auth;
    char *authorization;
    struct rf_loadgen_slot *slots;
    struct rf_loadgen_slot *free_slots;
    long in_flight;
    long expected_reply; /* bytes of a correct reply, -1 when they vary */
};

/*
 * Sets up lg for opt (a Bearer token when opt->token is set), connects
 * n_conns channels to opt->addr and waits until each is ready, and makes the
 * call slots (max_in_flight for the open loop, concurrency for the closed
 * one, 1 otherwise). grpc_init must have been called. Dies when a channel
 * does not connect within 5 s. Release with rf_loadgen_disconnect.
 */
void rf_loadgen_connect(struct rf_loadgen *lg, const struct rf_loadgen_options *opt,
                        struct rf_loadgen_fixtures *fixtures, size_t n_conns);

/*
 * Runs one call to completion and returns its slot, which the caller gives
 * back with rf_loadgen_release; *code is its outcome. Dies when it fails.
 */
struct rf_loadgen_slot *rf_loadgen_call_once(struct rf_loadgen *lg, int *code);

/* Frees what the call in s holds and puts s back on the free list. */
void rf_loadgen_release(struct rf_loadgen *lg, struct rf_loadgen_slot *s);

/* Closed loop: keeps opt->concurrency calls in flight; counts the calls that end in the window. */
void rf_loadgen_run_closed(struct rf_loadgen *lg, struct rf_loadgen_stats *st);

/*
 * Open loop: starts a call every 1/rate seconds on a fixed schedule and
 * measures each from its scheduled start; counts the calls scheduled inside
 * the window, and waits for all of them. A call due while max_in_flight are
 * in flight is dropped (counted in st->dropped).
 */
void rf_loadgen_run_open(struct rf_loadgen *lg, struct rf_loadgen_stats *st);

/* Closes the channels, drains and destroys the queue, frees the slots. */
void rf_loadgen_disconnect(struct rf_loadgen *lg);

#endif
