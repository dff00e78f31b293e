/*
 * The helpers of common.h: dying with a message, the monotonic clock and a
 * sleep that survives signals. Nothing here knows gRPC or the API.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common.h"

void rf_loadgen_die(const char *fmt, ...)
{
    va_list ap;

    fputs("refunds-loadgen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(RF_LOADGEN_EXIT_FAILED);
}

int64_t rf_loadgen_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * RF_NSEC_PER_SEC + ts.tv_nsec;
}

void rf_loadgen_sleep_ns(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / RF_NSEC_PER_SEC), (long)(ns % RF_NSEC_PER_SEC)};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
