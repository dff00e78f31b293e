/*
 * What a run of refunds-loadgen measured and how it is reported: the outcome
 * codes (gRPC's and the client's own findings), exact latency percentiles
 * over every sample, and the one line of JSON the bench reads. Pure apart
 * from printing: no gRPC calls, no clock.
 */
#ifndef REFUNDS_BENCH_STATS_H
#define REFUNDS_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "options.h"

/* Status codes 0-16 are gRPC's; these three are the client's own findings. */
#define RF_LOADGEN_CODE_NO_MESSAGE   17
#define RF_LOADGEN_CODE_REPLY_SIZE   18
#define RF_LOADGEN_CODE_BATCH_FAILED 19
#define RF_LOADGEN_N_CODES           20

/* "OK", "NOT_FOUND", ... "BATCH_FAILED", indexed by code. */
extern const char *const rf_loadgen_code_names[RF_LOADGEN_N_CODES];

/* A growing array of durations in nanoseconds; zero-initialised is empty. */
struct rf_loadgen_samples {
    int64_t *ns;
    size_t n;
    size_t cap;
};

/* Appends one duration (aborts when out of memory). */
void rf_loadgen_samples_add(struct rf_loadgen_samples *s, int64_t ns);

/* Sorts the samples, which rf_loadgen_percentile_ms needs. */
void rf_loadgen_samples_sort(struct rf_loadgen_samples *s);

/* The nearest-rank percentile p (0-100] of sorted samples, in ms; 0 without samples. */
double rf_loadgen_percentile_ms(const struct rf_loadgen_samples *s, double p);

/* Frees the samples' memory; s is empty again. */
void rf_loadgen_samples_cleanup(struct rf_loadgen_samples *s);

/* What a run measured. */
struct rf_loadgen_stats {
    struct rf_loadgen_samples latency;   /* of the successful calls counted */
    struct rf_loadgen_samples issue_lag; /* open loop: how late the client started each call */
    long long counts[RF_LOADGEN_N_CODES];
    long long dropped;
    /* --cases-file: how many cases the list has, and how many different ones the run read
     * (warm-up included: what a cache on the server saw). */
    size_t cases;
    size_t distinct_cases;
    int64_t window_ns; /* when the measured window began, CLOCK_MONOTONIC */
};

/*
 * Prints the run's line of JSON to out: method, mode, calls OK, errors by
 * code, rate over opt->duration_s, p50/p90/p99/max; the open loop's drops and
 * issue lag; with a cases list its size, mix and the distinct cases read;
 * and when the window began (CLOCK_MONOTONIC ms, to line the run up with
 * other clocks' samples).
 * Sorts the samples.
 */
void rf_loadgen_report(FILE *out, const struct rf_loadgen_options *opt,
                       struct rf_loadgen_stats *st);

/* Frees the samples of st. */
void rf_loadgen_stats_cleanup(struct rf_loadgen_stats *st);

#endif
