/*
 * What every part of refunds-loadgen shares: its exit statuses, the
 * monotonic clock in nanoseconds, and dying with a message. A measuring tool
 * has no one to hand an error back to, so a failed setup or system call ends
 * the run (exit 1) with the reason on stderr. Not for anything with state.
 */
#ifndef REFUNDS_BENCH_COMMON_H
#define REFUNDS_BENCH_COMMON_H

#include <stdint.h>

#define RF_LOADGEN_EXIT_FAILED 1
#define RF_LOADGEN_EXIT_USAGE  2
#define RF_NSEC_PER_MSEC       1000000LL
#define RF_NSEC_PER_SEC        1000000000LL

/* Prints "refunds-loadgen: " and the message to stderr and exits with RF_LOADGEN_EXIT_FAILED. */
void rf_loadgen_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t rf_loadgen_now_ns(void);

/* Sleeps ns nanoseconds, resuming after signals. */
void rf_loadgen_sleep_ns(int64_t ns);

#endif
