/*
 * Exact conversion of a decimal amount in major units ("12.50", as Adyen's
 * reports write money) to integer minor units of a currency with a given
 * number of decimal places (EUR 2, JPY 0, KWD 3). Integer arithmetic only:
 * no floating point ever touches the value. Pure.
 */
#ifndef REFUNDS_PSP_LOAD_AMOUNT_H
#define REFUNDS_PSP_LOAD_AMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Converts s, digits with at most one '.' followed by at most `digits`
 * decimals ("1500", "12.5", "0.125"), into *minor. Refuses (false, with a
 * reason such as "has 3 decimal places; the currency has 2" in why) an empty
 * text, a sign, thousands separators ("1,50"), a second point ("1.2.3"), a
 * point without digits on both sides, too many decimals, and amounts above
 * RF_MONEY_MAX_MINOR minor units. Zero is accepted.
 */
bool rf_amount_from_major(const char *s, int digits, int64_t *minor, char *why, size_t why_size);

#endif
