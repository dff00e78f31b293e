/*
 * Money as integer minor units of an ISO 4217 currency: the list of active
 * currency codes with their minor-unit digits, and formatting for humans,
 * both the neutral "EUR 19.99" of logs and CLIs and the customer's own
 * ("€19.99", "19,99 €"). Arithmetic stays in int64; nothing here uses
 * floating point or the C library's locale.
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

/*
 * Writes amount as a customer reads it in the language lang (a BCP 47 tag,
 * falling back as rf_locale_get does: de-AT -> de, unknown -> en) into buf;
 * returns what snprintf returns (the full length even when buf is too small).
 * Groups of three integer digits are always separated, four-digit amounts
 * included, and the currency's own number of minor digits is shown (none for
 * JPY, three for KWD).
 *   en: symbol before the amount, no space: "€1,234.56", "$1,234.56",
 *       "£1,234.56", "¥1,235"; any other currency by its code and a space:
 *       "KWD 1,234.567", "CHF 1,234.56".
 *   es, de: the amount, a space, then the symbol or code: "1.234,56 €",
 *       "1.234,56 US$", "1.234,567 KWD".
 * Symbols are used for EUR €, GBP £, JPY ¥ and USD ($ where the symbol comes
 * first, "US$" where it follows, as Spanish writes it since "$" is also the
 * peso sign); every other currency is written with its ISO code, so no
 * customer has to guess which dollar or franc is meant. The space is an
 * ASCII space, which SMS can carry in GSM-7. A negative amount starts with
 * '-': "-€5.00", "-5,00 €". An unknown code is written with two digits.
 */
int rf_money_format_lang(int64_t minor, const char *currency, const char *lang, char *buf,
                         size_t size);

#endif
