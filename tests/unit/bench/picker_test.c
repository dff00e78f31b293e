/*
 * Unit tests of the case mix of refunds-loadgen (deploy/bench/picker.c):
 * the mix's text form, that a seed repeats its sequence, that uniform picks
 * cover every case about equally, and that a hot mix sends its share of
 * reads to its hot cases, as deploy/bench/run's pgbench scripts do. Fixed
 * seeds; the bounds are many standard deviations wide, so they do not flake.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "picker.h"

Test(picker, uniform_and_hot_mixes_parse_and_format_back)
{
    struct rf_loadgen_mix m = {.hot_share_pct = 5};
    char text[32];

    cr_assert(rf_loadgen_mix_parse("uniform", &m));
    cr_assert_eq(m.hot_share_pct, 0);
    rf_loadgen_mix_format(&m, text, sizeof text);
    cr_assert_str_eq(text, "uniform");
    cr_assert(rf_loadgen_mix_parse("hot:90:1", &m));
    cr_assert_eq(m.hot_share_pct, 90);
    cr_assert_eq(m.hot_cases_pct, 1);
    rf_loadgen_mix_format(&m, text, sizeof text);
    cr_assert_str_eq(text, "hot:90:1");
    cr_assert(rf_loadgen_mix_parse("hot:99.5:0.1", &m));
    cr_assert_float_eq(m.hot_cases_pct, 0.1, 1e-12);
}

Test(picker, malformed_mixes_are_refused_and_leave_the_mix_unchanged)
{
    static const char *const bad[] = {
        "",         "hot",        "hot:",    "hot:90",     "hot:90:", "hot:0:1", "hot:100:1",
        "hot:90:0", "hot:90:100", "hot:x:1", "hot:90:1:2", "zipf",    "Uniform"};
    struct rf_loadgen_mix m = {.hot_share_pct = 7, .hot_cases_pct = 3};

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_not(rf_loadgen_mix_parse(bad[i], &m), "%s", bad[i]);
        cr_assert_eq(m.hot_share_pct, 7, "%s", bad[i]);
        cr_assert_eq(m.hot_cases_pct, 3, "%s", bad[i]);
    }
}

Test(picker, the_same_seed_gives_the_same_cases_and_another_seed_others)
{
    struct rf_loadgen_mix uniform = {0};
    struct rf_loadgen_picker a, b, c;
    int same_as_c = 0;

    rf_loadgen_picker_init(&a, &uniform, 100000, 42);
    rf_loadgen_picker_init(&b, &uniform, 100000, 42);
    rf_loadgen_picker_init(&c, &uniform, 100000, 43);
    for (int i = 0; i < 1000; i++) {
        size_t x = rf_loadgen_picker_next(&a);

        cr_assert_eq(x, rf_loadgen_picker_next(&b), "pick %d", i);
        same_as_c += x == rf_loadgen_picker_next(&c);
    }
    cr_assert_lt(same_as_c, 5);
}

Test(picker, uniform_picks_stay_in_range_and_cover_every_case_about_equally)
{
    enum { N = 100, DRAWS = 1000000 };
    struct rf_loadgen_mix uniform = {0};
    struct rf_loadgen_picker p;
    long hits[N] = {0};

    rf_loadgen_picker_init(&p, &uniform, N, 7);
    for (int i = 0; i < DRAWS; i++) {
        size_t x = rf_loadgen_picker_next(&p);

        cr_assert_lt(x, N);
        hits[x]++;
    }
    /* 10,000 expected each, standard deviation ~100. */
    for (int i = 0; i < N; i++)
        cr_assert(hits[i] > 9400 && hits[i] < 10600, "case %d read %ld times", i, hits[i]);
}

Test(picker, a_hot_mix_sends_its_share_to_the_first_cases)
{
    enum { N = 100000, DRAWS = 1000000 };
    struct rf_loadgen_mix hot;
    struct rf_loadgen_picker p;
    long on_hot = 0;
    uint8_t *cold_seen = calloc(N, 1);
    size_t cold_distinct = 0;

    cr_assert(rf_loadgen_mix_parse("hot:90:1", &hot));
    rf_loadgen_picker_init(&p, &hot, N, 11);
    cr_assert_eq(p.hot, 1000);
    for (int i = 0; i < DRAWS; i++) {
        size_t x = rf_loadgen_picker_next(&p);

        cr_assert_lt(x, N);
        if (x < 1000) {
            on_hot++;
        } else if (!cold_seen[x]) {
            cold_seen[x] = 1;
            cold_distinct++;
        }
    }
    /* 900,000 expected, standard deviation 300. */
    cr_assert(on_hot > 897000 && on_hot < 903000, "%ld reads on the hot cases", on_hot);
    /* 100,000 reads over 99,000 cold cases reach ~63 % of them: spread, not stuck. */
    cr_assert(cold_distinct > 60000 && cold_distinct < 66000, "%zu cold cases", cold_distinct);
    free(cold_seen);
}

Test(picker, the_hot_set_is_rounded_up_and_never_empty)
{
    struct rf_loadgen_mix hot = {.hot_share_pct = 90, .hot_cases_pct = 1};
    struct rf_loadgen_picker p;

    rf_loadgen_picker_init(&p, &hot, 150, 1);
    cr_assert_eq(p.hot, 2);
    rf_loadgen_picker_init(&p, &hot, 10, 1);
    cr_assert_eq(p.hot, 1);
    /* One case in all: every read is of it. */
    rf_loadgen_picker_init(&p, &hot, 1, 1);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(rf_loadgen_picker_next(&p), 0);
}
