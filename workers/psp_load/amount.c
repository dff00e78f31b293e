/*
 * Major-unit decimal text to minor units (see amount.h): the integer and
 * fraction digits are read separately and scaled by powers of ten, each step
 * checked against the money limit. Parsing only; which currency has how many
 * digits is refunds/money.h's.
 */
#include <stdio.h>

#include "amount.h"
#include "refunds/money.h"

static bool refuse(char *why, size_t why_size, const char *reason)
{
    snprintf(why, why_size, "%s", reason);
    return false;
}

bool rf_amount_from_major(const char *s, int digits, int64_t *minor, char *why, size_t why_size)
{
    int64_t whole = 0, frac = 0, scale = 1;
    int n_whole = 0, n_frac = 0;
    const char *p = s;

    if (*p == '\0')
        return refuse(why, why_size, "is empty");
    if (*p == '-' || *p == '+')
        return refuse(why, why_size, "must be a plain amount without a sign");
    for (; *p >= '0' && *p <= '9'; p++, n_whole++) {
        if (whole > RF_MONEY_MAX_MINOR)
            return refuse(why, why_size, "is too large");
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, n_frac++) {
            if (n_frac < 18)
                frac = frac * 10 + (*p - '0');
        }
        if (n_frac == 0)
            return refuse(why, why_size, "is not a decimal number (a point needs digits after it)");
    }
    if (*p != '\0' || n_whole == 0)
        return refuse(why, why_size,
                      "is not a decimal number (digits with an optional '.' and decimals)");
    if (n_frac > digits) {
        snprintf(why, why_size, "has %d decimal place%s; the currency has %d", n_frac,
                 n_frac == 1 ? "" : "s", digits);
        return false;
    }
    for (int i = 0; i < digits; i++)
        scale *= 10;
    for (int i = n_frac; i < digits; i++)
        frac *= 10;
    if (whole > (RF_MONEY_MAX_MINOR - frac) / scale)
        return refuse(why, why_size, "is larger than 10^15 minor units");
    *minor = whole * scale + frac;
    return true;
}
