/*
 * Unit tests of refunds-loadgen's statistics (deploy/bench/stats.c): the
 * nearest-rank percentiles the benchmark reports (the same rule as the
 * bench's Python for h2load and pgbench, so that the figures compare), on
 * samples added in any order, and an empty set reading 0.
 */
#include <criterion/criterion.h>

#include "common.h"
#include "stats.h"

Test(stats, percentiles_are_nearest_rank_over_sorted_samples)
{
    struct rf_loadgen_samples s = {0};

    /* 1..100 ms, added in reverse. */
    for (int i = 100; i >= 1; i--)
        rf_loadgen_samples_add(&s, i * RF_NSEC_PER_MSEC);
    rf_loadgen_samples_sort(&s);
    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 50), 50.0, 1e-9);
    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 99), 99.0, 1e-9);
    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 100), 100.0, 1e-9);
    /* Rank ceil(0.5 * 100 / 100) = 1: the smallest. */
    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 0.5), 1.0, 1e-9);
    rf_loadgen_samples_cleanup(&s);
    cr_assert_eq(s.n, 0);
}

Test(stats, a_percentile_between_ranks_takes_the_next_rank_up)
{
    struct rf_loadgen_samples s = {0};

    /* 10 samples: p99 is rank ceil(9.9) = 10, p50 rank 5, p91 rank ceil(9.1) = 10. */
    for (int i = 1; i <= 10; i++)
        rf_loadgen_samples_add(&s, i * RF_NSEC_PER_MSEC);
    rf_loadgen_samples_sort(&s);
    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 99), 10.0, 1e-9);
    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 50), 5.0, 1e-9);
    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 91), 10.0, 1e-9);
    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 90), 9.0, 1e-9);
    rf_loadgen_samples_cleanup(&s);
}

Test(stats, samples_grow_past_their_first_allocation)
{
    struct rf_loadgen_samples s = {0};

    for (int i = 0; i < 200000; i++)
        rf_loadgen_samples_add(&s, 200000 - i);
    cr_assert_eq(s.n, 200000);
    rf_loadgen_samples_sort(&s);
    cr_assert_eq(s.ns[0], 1);
    cr_assert_eq(s.ns[199999], 200000);
    rf_loadgen_samples_cleanup(&s);
}

Test(stats, no_samples_read_as_zero)
{
    struct rf_loadgen_samples s = {0};

    cr_assert_float_eq(rf_loadgen_percentile_ms(&s, 99), 0.0, 1e-12);
}
