/*
 * Samples, percentiles and the JSON report of stats.h.
 */
#include <stdlib.h>

#include <grpc/status.h>

#include "common.h"
#include "stats.h"

const char *const rf_loadgen_code_names[RF_LOADGEN_N_CODES] = {
    [GRPC_STATUS_OK] = "OK",
    [GRPC_STATUS_CANCELLED] = "CANCELLED",
    [GRPC_STATUS_UNKNOWN] = "UNKNOWN",
    [GRPC_STATUS_INVALID_ARGUMENT] = "INVALID_ARGUMENT",
    [GRPC_STATUS_DEADLINE_EXCEEDED] = "DEADLINE_EXCEEDED",
    [GRPC_STATUS_NOT_FOUND] = "NOT_FOUND",
    [GRPC_STATUS_ALREADY_EXISTS] = "ALREADY_EXISTS",
    [GRPC_STATUS_PERMISSION_DENIED] = "PERMISSION_DENIED",
    [GRPC_STATUS_RESOURCE_EXHAUSTED] = "RESOURCE_EXHAUSTED",
    [GRPC_STATUS_FAILED_PRECONDITION] = "FAILED_PRECONDITION",
    [GRPC_STATUS_ABORTED] = "ABORTED",
    [GRPC_STATUS_OUT_OF_RANGE] = "OUT_OF_RANGE",
    [GRPC_STATUS_UNIMPLEMENTED] = "UNIMPLEMENTED",
    [GRPC_STATUS_INTERNAL] = "INTERNAL",
    [GRPC_STATUS_UNAVAILABLE] = "UNAVAILABLE",
    [GRPC_STATUS_DATA_LOSS] = "DATA_LOSS",
    [GRPC_STATUS_UNAUTHENTICATED] = "UNAUTHENTICATED",
    [RF_LOADGEN_CODE_NO_MESSAGE] = "OK_WITHOUT_MESSAGE",
    [RF_LOADGEN_CODE_REPLY_SIZE] = "OK_WITH_WRONG_REPLY_SIZE",
    [RF_LOADGEN_CODE_BATCH_FAILED] = "BATCH_FAILED",
};

void rf_loadgen_samples_add(struct rf_loadgen_samples *s, int64_t ns)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 65536;
        int64_t *p = realloc(s->ns, cap * sizeof *p);

        if (p == NULL)
            abort();
        s->ns = p;
        s->cap = cap;
    }
    s->ns[s->n++] = ns;
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

void rf_loadgen_samples_sort(struct rf_loadgen_samples *s)
{
    if (s->n > 0)
        qsort(s->ns, s->n, sizeof *s->ns, compare_i64);
}

double rf_loadgen_percentile_ms(const struct rf_loadgen_samples *s, double p)
{
    size_t rank;

    if (s->n == 0)
        return 0.0;
    rank = (size_t)((p / 100.0) * (double)s->n + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > s->n)
        rank = s->n;
    return (double)s->ns[rank - 1] / (double)RF_NSEC_PER_MSEC;
}

void rf_loadgen_samples_cleanup(struct rf_loadgen_samples *s)
{
    free(s->ns);
    *s = (struct rf_loadgen_samples){0};
}

void rf_loadgen_report(FILE *out, const struct rf_loadgen_options *opt, struct rf_loadgen_stats *st)
{
    long long errors = 0;
    const char *sep = "";

    rf_loadgen_samples_sort(&st->latency);
    rf_loadgen_samples_sort(&st->issue_lag);
    fprintf(out, "{\"method\":\"%s\",\"mode\":\"%s\",", rf_loadgen_methods[opt->method].name,
            opt->rate > 0 ? "open" : "closed");
    if (opt->rate > 0)
        fprintf(out, "\"rate\":%.1f,", opt->rate);
    else
        fprintf(out, "\"concurrency\":%ld,", opt->concurrency);
    if (opt->cases_file != NULL) {
        char mix[64];

        rf_loadgen_mix_format(&opt->mix, mix, sizeof mix);
        fprintf(out, "\"cases\":%zu,\"mix\":\"%s\",\"seed\":%llu,\"distinct_cases\":%zu,",
                st->cases, mix, (unsigned long long)opt->seed, st->distinct_cases);
    }
    fprintf(out, "\"connections\":%ld,\"seconds\":%.3f,\"requests_ok\":%lld,\"errors\":{",
            opt->connections, opt->duration_s, st->counts[GRPC_STATUS_OK]);
    for (int c = 1; c < RF_LOADGEN_N_CODES; c++) {
        if (st->counts[c] == 0)
            continue;
        fprintf(out, "%s\"%s\":%lld", sep, rf_loadgen_code_names[c], st->counts[c]);
        sep = ",";
        errors += st->counts[c];
    }
    fprintf(out, "},\"error_count\":%lld,", errors);
    if (opt->rate > 0)
        fprintf(out, "\"dropped\":%lld,\"issue_lag_p99_ms\":%.3f,\"issue_lag_max_ms\":%.3f,",
                st->dropped, rf_loadgen_percentile_ms(&st->issue_lag, 99),
                rf_loadgen_percentile_ms(&st->issue_lag, 100));
    fprintf(out, "\"window_mono_ms\":%.3f,", (double)st->window_ns / RF_NSEC_PER_MSEC);
    fprintf(out, "\"rps\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
            (double)st->counts[GRPC_STATUS_OK] / opt->duration_s,
            rf_loadgen_percentile_ms(&st->latency, 50), rf_loadgen_percentile_ms(&st->latency, 90),
            rf_loadgen_percentile_ms(&st->latency, 99),
            rf_loadgen_percentile_ms(&st->latency, 100));
}

void rf_loadgen_stats_cleanup(struct rf_loadgen_stats *st)
{
    rf_loadgen_samples_cleanup(&st->latency);
    rf_loadgen_samples_cleanup(&st->issue_lag);
}
