/*
 * refunds-loadgen's command line (options.h): the method table, the usage
 * text and the parser with its checks of what goes with what.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "options.h"

/* In the open loop, calls beyond this many in flight are dropped (and counted). */
#define DEFAULT_MAX_IN_FLIGHT 4096

const struct rf_loadgen_method_info rf_loadgen_methods[3] = {
    [RF_LOADGEN_CHECK] = {"Check", "/grpc.health.v1.Health/Check"},
    [RF_LOADGEN_GET_CASE] = {"GetCase", "/refunds.v1.RefundCases/GetCase"},
    [RF_LOADGEN_OPEN_CASE] = {"OpenCase", "/refunds.v1.RefundCases/OpenCase"},
};

void rf_loadgen_usage(FILE *out)
{
    fputs("usage: refunds-loadgen --addr HOST:PORT [--token T] --method Check|GetCase|OpenCase\n"
          "                       [--case cases/ID | --cases-file FILE [--mix MIX] [--seed N]]\n"
          "                       (--concurrency C | --rate R) [--duration S] [--warmup S]\n"
          "                       [--connections N] [--max-in-flight N] [--timeout-ms MS]\n"
          "                       [--log-file FILE]\n"
          "       refunds-loadgen --addr HOST:PORT --token T --print-case\n"
          "       refunds-loadgen --addr HOST:PORT [--token T] --dump-request FILE --method M\n"
          "                       [--case cases/ID]\n"
          "       refunds-loadgen --print-sql NAME [--pgbench [--bind N=TEXT]...]\n"
          "       refunds-loadgen --list-sql\n"
          "Prints one line of JSON: requests, errors by gRPC code, rate, latency percentiles.\n"
          "Closed loop (--concurrency) keeps C calls in flight; open loop (--rate) starts R calls\n"
          "a second on a fixed schedule and measures each from its scheduled start.\n"
          "--cases-file reads one case name a line; each GetCase reads one, picked by MIX:\n"
          "uniform (the default), or hot:SHARE:CASES (SHARE % of the reads on the first CASES %\n"
          "of the file, e.g. hot:90:1). --log-file writes a line per counted call: start (ms\n"
          "into the window), code, ms, connection. --print-sql prints a statement of refundsd's\n"
          "stores; with --pgbench as a pgbench command: $n becomes the variable :pn, or TEXT.\n",
          out);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("refunds-loadgen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    rf_loadgen_usage(stderr);
    return RF_LOADGEN_EXIT_USAGE;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

/* --bind N=TEXT: parameter $N of --print-sql becomes TEXT. */
static bool parse_bind(const char *v, struct rf_loadgen_options *opt)
{
    const char *eq = strchr(v, '=');
    char num[8];
    long n;

    if (eq == NULL || eq == v || (size_t)(eq - v) >= sizeof num)
        return false;
    memcpy(num, v, (size_t)(eq - v));
    num[eq - v] = '\0';
    if (!parse_long(num, 1, RF_DB_PARAMS_MAX, &n))
        return false;
    opt->binds[n - 1] = eq + 1;
    return true;
}

/* The flags without a value. */
static bool parse_switch(const char *flag, struct rf_loadgen_options *opt)
{
    if (strcmp(flag, "--print-case") == 0)
        opt->print_case = true;
    else if (strcmp(flag, "--pgbench") == 0)
        opt->pgbench = true;
    else if (strcmp(flag, "--list-sql") == 0)
        opt->list_sql = true;
    else
        return false;
    return true;
}

/* What goes with what, once every flag is read. */
static int check(struct rf_loadgen_options *opt, bool have_method, bool have_binds)
{
    if (opt->print_sql != NULL || opt->list_sql) {
        if (have_binds && !opt->pgbench)
            return usage_error("--bind goes with --pgbench");
        return 0;
    }
    if (opt->pgbench || have_binds)
        return usage_error("--pgbench and --bind go with --print-sql");
    if (opt->addr == NULL)
        return usage_error("--addr is required");
    if (opt->print_case) {
        opt->method = RF_LOADGEN_OPEN_CASE;
        have_method = true;
    }
    if (!have_method)
        return usage_error("--method is required");
    if (opt->case_name != NULL && opt->cases_file != NULL)
        return usage_error("give one of --case and --cases-file");
    if (opt->method == RF_LOADGEN_GET_CASE && opt->case_name == NULL && opt->cases_file == NULL)
        return usage_error("--method GetCase needs --case cases/ID or --cases-file FILE");
    if (opt->cases_file != NULL && opt->method != RF_LOADGEN_GET_CASE)
        return usage_error("--cases-file goes with --method GetCase");
    if (opt->cases_file != NULL && opt->dump_file != NULL)
        return usage_error("--dump-request writes one request: give --case, not --cases-file");
    if (opt->print_case || opt->dump_file != NULL)
        return 0;
    if ((opt->concurrency > 0) == (opt->rate > 0))
        return usage_error("give one of --concurrency C (closed loop) or --rate R (open loop)");
    return 0;
}

int rf_loadgen_options_parse(int argc, char **argv, struct rf_loadgen_options *opt)
{
    bool have_method = false, have_binds = false;

    *opt = (struct rf_loadgen_options){.concurrency = 0,
                                       .seed = 1,
                                       .duration_s = 10,
                                       .warmup_s = 2,
                                       .connections = 4,
                                       .max_in_flight = DEFAULT_MAX_IN_FLIGHT,
                                       .timeout_ms = 10000};
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        long seed;

        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            rf_loadgen_usage(stdout);
            return -1;
        }
        if (parse_switch(flag, opt))
            continue;
        if (strncmp(flag, "--", 2) != 0)
            return usage_error("unexpected argument %s", flag);
        if (v == NULL)
            return usage_error("%s needs a value", flag);
        i++;
        if (strcmp(flag, "--addr") == 0) {
            opt->addr = v;
        } else if (strcmp(flag, "--token") == 0) {
            opt->token = v;
        } else if (strcmp(flag, "--case") == 0) {
            opt->case_name = v;
        } else if (strcmp(flag, "--cases-file") == 0) {
            opt->cases_file = v;
        } else if (strcmp(flag, "--mix") == 0) {
            ok = rf_loadgen_mix_parse(v, &opt->mix);
        } else if (strcmp(flag, "--seed") == 0) {
            ok = parse_long(v, 0, 0x7fffffffL, &seed);
            opt->seed = (uint64_t)seed;
        } else if (strcmp(flag, "--log-file") == 0) {
            opt->log_file = v;
        } else if (strcmp(flag, "--dump-request") == 0) {
            opt->dump_file = v;
        } else if (strcmp(flag, "--print-sql") == 0) {
            opt->print_sql = v;
        } else if (strcmp(flag, "--bind") == 0) {
            ok = parse_bind(v, opt);
            have_binds = true;
        } else if (strcmp(flag, "--method") == 0) {
            size_t m;

            for (m = 0; m < sizeof rf_loadgen_methods / sizeof rf_loadgen_methods[0]; m++) {
                if (strcmp(v, rf_loadgen_methods[m].name) == 0)
                    break;
            }
            ok = m < sizeof rf_loadgen_methods / sizeof rf_loadgen_methods[0];
            opt->method = (enum rf_loadgen_method)m;
            have_method = ok;
        } else if (strcmp(flag, "--concurrency") == 0) {
            ok = parse_long(v, 1, 100000, &opt->concurrency);
        } else if (strcmp(flag, "--rate") == 0) {
            ok = parse_double(v, 0.001, 1e7, &opt->rate);
        } else if (strcmp(flag, "--duration") == 0) {
            ok = parse_double(v, 0.001, 86400, &opt->duration_s);
        } else if (strcmp(flag, "--warmup") == 0) {
            ok = parse_double(v, 0, 86400, &opt->warmup_s);
        } else if (strcmp(flag, "--connections") == 0) {
            ok = parse_long(v, 1, 1024, &opt->connections);
        } else if (strcmp(flag, "--max-in-flight") == 0) {
            ok = parse_long(v, 1, 1000000, &opt->max_in_flight);
        } else if (strcmp(flag, "--timeout-ms") == 0) {
            ok = parse_long(v, 1, 3600000, &opt->timeout_ms);
        } else {
            return usage_error("unknown flag %s", flag);
        }
        if (!ok)
            return usage_error("bad value for %s: %s", flag, v);
    }
    return check(opt, have_method, have_binds);
}
