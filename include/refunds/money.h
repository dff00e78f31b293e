/*
 * Money as integer minor units of an ISO 4217 currency: the list of active
 * currency codes with their minor-unit digits, and formatting for humans.
 * Arithmetic stays in int64; nothing here uses floating point.
 */
#ifndef REFUNDS_MONEY_H
#define REFUNDS_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest amount accepted anywhere, in minor units (10^15). */
#define RF_MONEY_MAX_MINOR 1000000000000000LL

/* Digits of the minor unit of code ("EUR" 2, "JPY" 0, "KWD" 3); -1 if code is not an active ISO
 * 4217 code. */
int rf_currency_digits(const char *code);

/* True when code is an active ISO 4217 alphabetic code (upper case). */
bool rf_currency_valid(const char *code);

/*
 * Writes amount as "EUR 19.99" (code, space, major units with the currency's
 * digits) into buf; returns what snprintf returns. An unknown code is printed
 * with two digits.
 */
int rf_money_format(int64_t minor, const char *currency, char *buf, size_t size);

#endif
