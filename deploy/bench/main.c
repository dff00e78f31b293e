/*
 * refunds-loadgen: the load generator of deploy/bench/run (see engine.h for
 * how it measures). main runs one mode: a measured run, printed as one line
 * of JSON (stats.h); --print-case, which opens one case for the benchmark;
 * --dump-request, which writes gRPC frames for h2load; and --print-sql and
 * --list-sql, which print the statements of refundsd's stores so that the
 * bench's pgbench scripts are generated from the code. It is a measuring
 * tool, not a client library: the CLI client is services/refundctl.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>

#include "common.h"
#include "engine.h"
#include "grpc/health/v1/health.pb-c.h"
#include "pgbench_sql.h"
#include "refunds/arena.h"
#include "refunds/pb.h"
#include "store_statements.h"

/* The whole reply of the call in s, a slice the caller unrefs. */
static grpc_slice reply_bytes(struct rf_loadgen_slot *s)
{
    grpc_byte_buffer_reader reader;
    grpc_slice all;

    if (!grpc_byte_buffer_reader_init(&reader, s->received))
        rf_loadgen_die("could not read the reply");
    all = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    return all;
}

/* --print-case: opens one case and prints its name. */
static void print_case(struct rf_loadgen *lg)
{
    struct rf_arena *a = rf_arena_create(0);
    Refunds__V1__Case *c;
    int code;
    struct rf_loadgen_slot *s = rf_loadgen_call_once(lg, &code);
    grpc_slice all = reply_bytes(s);

    c = (Refunds__V1__Case *)rf_pb_unpack(a, &refunds__v1__case__descriptor,
                                          GRPC_SLICE_START_PTR(all), GRPC_SLICE_LENGTH(all));
    if (c == NULL)
        rf_loadgen_die("the OpenCase reply is not a refunds.v1.Case");
    printf("%s\n", c->name);
    grpc_slice_unref(all);
    rf_loadgen_release(lg, s);
    rf_arena_destroy(a);
}

/*
 * --dump-request: writes the request as a gRPC frame (flag 0, big-endian
 * length, message) for h2load -d, makes the call once, and prints the sizes
 * h2load's data count must match. A health check that is not SERVING fails.
 */
static void dump_request(struct rf_loadgen *lg)
{
    const struct rf_loadgen_options *opt = lg->opt;
    grpc_slice body = lg->fixtures->fixed;
    size_t len = GRPC_SLICE_LENGTH(body);
    uint8_t header[5] = {0, (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                         (uint8_t)len};
    FILE *f = fopen(opt->dump_file, "wb");
    size_t reply_len;
    int code;
    struct rf_loadgen_slot *s;

    if (f == NULL)
        rf_loadgen_die("could not open %s: %s", opt->dump_file, strerror(errno));
    if (fwrite(header, 1, sizeof header, f) != sizeof header ||
        fwrite(GRPC_SLICE_START_PTR(body), 1, len, f) != len || fclose(f) != 0)
        rf_loadgen_die("could not write %s: %s", opt->dump_file, strerror(errno));
    s = rf_loadgen_call_once(lg, &code);
    reply_len = grpc_byte_buffer_length(s->received);
    if (opt->method == RF_LOADGEN_CHECK) {
        /* HealthCheckResponse is field 1 (status) alone: 08 01 is SERVING. */
        grpc_slice all = reply_bytes(s);
        bool serving = GRPC_SLICE_LENGTH(all) == 2 && GRPC_SLICE_START_PTR(all)[0] == 0x08 &&
                       GRPC_SLICE_START_PTR(all)[1] ==
                           GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;

        grpc_slice_unref(all);
        if (!serving)
            rf_loadgen_die("the server is not SERVING yet");
    }
    printf("{\"method\":\"%s\",\"request_bytes\":%zu,\"reply_bytes\":%zu,"
           "\"data_bytes_per_call\":%zu}\n",
           rf_loadgen_methods[opt->method].name, len, reply_len, 5 + reply_len);
    rf_loadgen_release(lg, s);
}

/* --print-sql NAME [--pgbench]: the statement's text, or its pgbench command. */
static int print_sql(const struct rf_loadgen_options *opt)
{
    const struct rf_stmt *st = rf_store_statement(opt->print_sql);
    char *text;

    if (st == NULL) {
        fprintf(stderr, "refunds-loadgen: no statement is called \"%s\" (--list-sql lists them)\n",
                opt->print_sql);
        return RF_LOADGEN_EXIT_FAILED;
    }
    if (!opt->pgbench) {
        printf("%s\n", st->sql);
        return 0;
    }
    text = rf_pgbench_sql(st->sql, opt->binds, RF_DB_PARAMS_MAX);
    /* pgbench ends a command at a semicolon, not at the end of the line. */
    printf("%s;\n", text);
    free(text);
    return 0;
}

/* --list-sql: the names of the statements, one a line. */
static void list_sql(void)
{
    const struct rf_stmt *st;

    for (size_t i = 0; (st = rf_store_statement_at(i)) != NULL; i++)
        printf("%s\n", st->name);
}

/* A measured run: one call first, then the loop, then the report. */
static void run(struct rf_loadgen *lg, struct rf_loadgen_stats *st)
{
    const struct rf_loadgen_options *opt = lg->opt;
    int code;
    /* One call first: it proves the setup, and for fixed requests tells the reply's size. */
    struct rf_loadgen_slot *s = rf_loadgen_call_once(lg, &code);

    if (!lg->fixtures->vary)
        lg->expected_reply = (long)grpc_byte_buffer_length(s->received);
    rf_loadgen_release(lg, s);
    if (opt->log_file != NULL && (lg->log = fopen(opt->log_file, "w")) == NULL)
        rf_loadgen_die("could not open %s: %s", opt->log_file, strerror(errno));
    if (opt->rate > 0)
        rf_loadgen_run_open(lg, st);
    else
        rf_loadgen_run_closed(lg, st);
    st->window_ns = lg->window_ns;
    st->cases = lg->fixtures->n_cases;
    st->distinct_cases = rf_loadgen_fixtures_distinct(lg->fixtures);
    rf_loadgen_report(stdout, opt, st);
    if (lg->log != NULL && fclose(lg->log) != 0)
        rf_loadgen_die("could not write %s: %s", opt->log_file, strerror(errno));
    lg->log = NULL;
}

int main(int argc, char **argv)
{
    struct rf_loadgen_options opt;
    struct rf_loadgen_fixtures fixtures;
    struct rf_loadgen lg;
    struct rf_loadgen_stats st = {0};
    int rc = rf_loadgen_options_parse(argc, argv, &opt);

    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (opt.list_sql) {
        list_sql();
        return fflush(stdout) == 0 ? 0 : RF_LOADGEN_EXIT_FAILED;
    }
    if (opt.print_sql != NULL) {
        rc = print_sql(&opt);
        return fflush(stdout) == 0 ? rc : RF_LOADGEN_EXIT_FAILED;
    }
    grpc_init();
    rf_loadgen_fixtures_init(&fixtures, &opt);
    rf_loadgen_connect(&lg, &opt, &fixtures,
                       opt.print_case || opt.dump_file != NULL ? 1 : (size_t)opt.connections);
    if (opt.print_case)
        print_case(&lg);
    else if (opt.dump_file != NULL)
        dump_request(&lg);
    else
        run(&lg, &st);
    rf_loadgen_disconnect(&lg);
    rf_loadgen_fixtures_cleanup(&fixtures);
    rf_loadgen_stats_cleanup(&st);
    grpc_shutdown();
    return fflush(stdout) == 0 ? 0 : RF_LOADGEN_EXIT_FAILED;
}
