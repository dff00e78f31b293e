/*
 * Which case each GetCase of a run reads, when the run reads many: a mix
 * (uniform over all cases, or a hot set taking a share of the reads) and a
 * seeded pseudo-random generator, so that a run can be repeated call for call.
 * deploy/bench/run gives pgbench the same mix (docs/performance.md). Pure: it
 * picks indexes, it knows no case names, files or gRPC.
 */
#ifndef REFUNDS_BENCH_PICKER_H
#define REFUNDS_BENCH_PICKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How reads spread over n cases. */
struct rf_loadgen_mix {
    /* 0: uniform. Otherwise hot_share_pct % of the reads go, uniformly, to the first
     * hot_cases_pct % of the cases (at least one), the rest uniformly to the others. */
    double hot_share_pct;
    double hot_cases_pct;
};

/*
 * Parses "uniform" or "hot:SHARE:CASES" (percentages, e.g. "hot:90:1": 90 % of
 * the reads on 1 % of the cases; 0 < SHARE < 100, 0 < CASES < 100) into mix.
 * False, leaving mix unchanged, when text is anything else.
 */
bool rf_loadgen_mix_parse(const char *text, struct rf_loadgen_mix *mix);

/* Writes mix back in the form rf_loadgen_mix_parse reads, into out (NUL-terminated). */
void rf_loadgen_mix_format(const struct rf_loadgen_mix *mix, char *out, size_t size);

/* A mix over n cases with its generator; embedded, no resources. */
struct rf_loadgen_picker {
    struct rf_loadgen_mix mix;
    size_t n;
    size_t hot; /* how many cases are hot (0 for uniform) */
    uint64_t state;
};

/* Sets up p to pick among n >= 1 cases by mix, from seed (any value). */
void rf_loadgen_picker_init(struct rf_loadgen_picker *p, const struct rf_loadgen_mix *mix, size_t n,
                            uint64_t seed);

/* The index (0 .. n-1) of the next case to read. */
size_t rf_loadgen_picker_next(struct rf_loadgen_picker *p);

#endif
