/*
 * The command line of refunds-loadgen: the methods it can call, what a run
 * is (closed or open loop, for how long, over how many connections, which
 * cases), and the one-shot modes (--print-case, --dump-request, --print-sql).
 * Parsing only: nothing here connects or measures.
 */
#ifndef REFUNDS_BENCH_OPTIONS_H
#define REFUNDS_BENCH_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "picker.h"
#include "refunds/db.h"

enum rf_loadgen_method { RF_LOADGEN_CHECK, RF_LOADGEN_GET_CASE, RF_LOADGEN_OPEN_CASE };

/* A method's name on the command line and its gRPC path. */
struct rf_loadgen_method_info {
    const char *name;
    const char *path;
};

/* Indexed by enum rf_loadgen_method. */
extern const struct rf_loadgen_method_info rf_loadgen_methods[3];

struct rf_loadgen_options {
    const char *addr;
    const char *token;
    const char *case_name;  /* --case: GetCase of this one case */
    const char *cases_file; /* --cases-file: GetCase of cases picked from this list */
    struct rf_loadgen_mix mix;
    uint64_t seed;
    const char *dump_file;
    const char *log_file;
    enum rf_loadgen_method method;
    long concurrency;
    double rate;
    double duration_s;
    double warmup_s;
    long connections;
    long max_in_flight;
    long timeout_ms;
    bool print_case;
    /* --print-sql NAME [--pgbench] [--bind N=TEXT]...; --list-sql */
    const char *print_sql;
    bool list_sql;
    bool pgbench;
    const char *binds[RF_DB_PARAMS_MAX];
};

/* Writes the usage text to out. */
void rf_loadgen_usage(FILE *out);

/*
 * Parses argv into opt (argv's strings are referenced, not copied). Returns 0,
 * -1 after printing the usage for --help, or RF_LOADGEN_EXIT_USAGE after
 * printing what is wrong and the usage to stderr.
 */
int rf_loadgen_options_parse(int argc, char **argv, struct rf_loadgen_options *opt);

#endif
