/*
 * The case mix of picker.h. The generator is splitmix64 (Steele, Lea and
 * Flood, "Fast splittable pseudorandom number generators", 2014): small,
 * fast, good enough to pick cases, and the same sequence on every machine for
 * a given seed. Not for anything that needs secrecy.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "picker.h"

static uint64_t next64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n): the top 53 bits as a fraction of n. */
static size_t below(uint64_t *state, size_t n)
{
    size_t i = (size_t)((double)(next64(state) >> 11) * 0x1.0p-53 * (double)n);

    return i < n ? i : n - 1;
}

static bool parse_pct(const char *s, char stop, const char **end, double *out)
{
    char *e;
    double v = strtod(s, &e);

    if (e == s || *e != stop || !(v > 0 && v < 100))
        return false;
    *end = e;
    *out = v;
    return true;
}

bool rf_loadgen_mix_parse(const char *text, struct rf_loadgen_mix *mix)
{
    struct rf_loadgen_mix m = {0};
    const char *p;

    if (strcmp(text, "uniform") == 0) {
        *mix = m;
        return true;
    }
    if (strncmp(text, "hot:", 4) != 0)
        return false;
    if (!parse_pct(text + 4, ':', &p, &m.hot_share_pct) ||
        !parse_pct(p + 1, '\0', &p, &m.hot_cases_pct))
        return false;
    *mix = m;
    return true;
}

void rf_loadgen_mix_format(const struct rf_loadgen_mix *mix, char *out, size_t size)
{
    if (mix->hot_share_pct == 0)
        snprintf(out, size, "uniform");
    else
        snprintf(out, size, "hot:%g:%g", mix->hot_share_pct, mix->hot_cases_pct);
}

void rf_loadgen_picker_init(struct rf_loadgen_picker *p, const struct rf_loadgen_mix *mix, size_t n,
                            uint64_t seed)
{
    p->mix = *mix;
    p->n = n;
    p->state = seed;
    p->hot = 0;
    if (mix->hot_share_pct > 0) {
        /* The same rounding as deploy/bench/run's pgbench script: up, at least one. */
        p->hot = (size_t)ceil((double)n * mix->hot_cases_pct / 100.0);
        if (p->hot < 1)
            p->hot = 1;
        if (p->hot > n)
            p->hot = n;
    }
}

size_t rf_loadgen_picker_next(struct rf_loadgen_picker *p)
{
    if (p->hot == 0 || p->hot == p->n)
        return below(&p->state, p->n);
    /* A draw in [0, 100) decides hot or not, as pgbench's random(1, 100) <= SHARE does. */
    if ((double)below(&p->state, 1000000) < p->mix.hot_share_pct * 10000.0)
        return below(&p->state, p->hot);
    return p->hot + below(&p->state, p->n - p->hot);
}
