/*
 * The requests refunds-loadgen sends: a health check, a GetCase of one case
 * or of cases picked from a list, and an OpenCase like the integration tests'
 * (a new request_id each call). It packs request bodies into gRPC slices;
 * sending them is engine.c's, judging replies is not its business either.
 */
#ifndef REFUNDS_BENCH_FIXTURES_H
#define REFUNDS_BENCH_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <grpc/slice.h>

#include "options.h"
#include "picker.h"
#include "refunds/crypto.h"
#include "refunds/v1/cases.pb-c.h"

/* The request bodies of one run; embedded, set up by rf_loadgen_fixtures_init. */
struct rf_loadgen_fixtures {
    const struct rf_loadgen_options *opt;
    grpc_slice fixed; /* the body of a one-case GetCase or Check, and the first OpenCase */
    bool vary;        /* whether each call gets a new body */
    /* OpenCase: the message and its parts */
    Refunds__V1__OpenCaseRequest open;
    Refunds__V1__Customer customer;
    Refunds__V1__Product product;
    Refunds__V1__Money paid;
    Refunds__V1__Money requested;
    Refunds__V1__Payment payment;
    Google__Protobuf__Timestamp purchased;
    char request_id[RF_UUID_TEXT_LEN + 1];
    /* GetCase with --cases-file: the names, the mix, and which were read */
    char *cases_text;
    char **cases;
    size_t n_cases;
    struct rf_loadgen_picker picker;
    uint8_t *seen;
    size_t distinct;
};

/*
 * Sets up the bodies opt asks for; reads opt->cases_file (one case name a
 * line, "cases/ID"). Dies when the file cannot be read or holds a line that
 * is not a case name. Release with rf_loadgen_fixtures_cleanup.
 */
void rf_loadgen_fixtures_init(struct rf_loadgen_fixtures *f, const struct rf_loadgen_options *opt);

/*
 * The body of the next call, a reference the caller unrefs: the same bytes,
 * an OpenCase with a new request_id, or a GetCase of the next case of the mix.
 */
grpc_slice rf_loadgen_fixtures_next(struct rf_loadgen_fixtures *f);

/* How many different cases rf_loadgen_fixtures_next has asked for so far (cases list only). */
size_t rf_loadgen_fixtures_distinct(const struct rf_loadgen_fixtures *f);

/* Frees what f holds. */
void rf_loadgen_fixtures_cleanup(struct rf_loadgen_fixtures *f);

#endif
