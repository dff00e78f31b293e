/*
 * ISO 4217 currencies and money formatting (see include/refunds/money.h).
 * The table lists the active alphabetic codes with the digits of their minor
 * unit, sorted for binary search. Funds codes are kept (BOV, CLF, ...);
 * precious metals and test codes (XAU, XTS, XXX) are not money we refund.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refunds/locale.h"
#include "refunds/money.h"

struct currency {
    char code[4];
    signed char digits;
};

static const struct currency currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
    {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0},
    {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2},
    {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2},
    {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2},
    {"SLL", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2},
    {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2},
    {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4},
    {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2},
    {"XCG", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2}, {"ZWL", 2},
};

static int cmp_code(const void *key, const void *elem)
{
    return strcmp(key, ((const struct currency *)elem)->code);
}

int rf_currency_digits(const char *code)
{
    const struct currency *c;

    if (code == NULL || strlen(code) != 3)
        return -1;
    c = bsearch(code, currencies, sizeof currencies / sizeof currencies[0], sizeof currencies[0],
                cmp_code);
    return c == NULL ? -1 : c->digits;
}

bool rf_currency_valid(const char *code)
{
    return rf_currency_digits(code) >= 0;
}

int rf_money_format(int64_t minor, const char *currency, char *buf, size_t size)
{
    int digits = rf_currency_digits(currency);
    /* Work on the magnitude as unsigned so that INT64_MIN does not overflow. */
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;

    if (digits < 0)
        digits = 2;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    if (digits == 0)
        return snprintf(buf, size, "%s %s%llu", currency, minor < 0 ? "-" : "",
                        (unsigned long long)mag);
    return snprintf(buf, size, "%s %s%llu.%0*llu", currency, minor < 0 ? "-" : "",
                    (unsigned long long)(mag / scale), digits, (unsigned long long)(mag % scale));
}

/* The currencies written with a symbol; the others are written with their code. */
static const struct {
    char code[4];
    const char *before; /* where the symbol comes first (en) */
    const char *after;  /* where it follows the amount (es, de) */
} symbols[] = {
    {"EUR", "€", "€"},
    {"GBP", "£", "£"},
    {"JPY", "¥", "¥"},
    {"USD", "$", "US$"},
};

int rf_money_format_lang(int64_t minor, const char *currency, const char *lang, char *buf,
                         size_t size)
{
    const struct rf_locale *l = rf_locale_get(lang);
    int digits = rf_currency_digits(currency);
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1, units;
    /* 20 digits, 6 group separators of up to 3 bytes, the decimal one and the minor digits. */
    char num[64], rev[32];
    size_t n = 0, len = 0;
    const char *sym = NULL, *sign = minor < 0 ? "-" : "";

    if (digits < 0)
        digits = 2;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    units = mag / scale;
    /* The integer digits backwards, so the groups are counted from the right. */
    do {
        rev[n++] = (char)('0' + units % 10);
        units /= 10;
    } while (units > 0);
    for (size_t i = n; i > 0; i--) {
        size_t gl = strlen(l->group);

        num[len++] = rev[i - 1];
        if (i > 1 && (i - 1) % 3 == 0) {
            memcpy(num + len, l->group, gl);
            len += gl;
        }
    }
    num[len] = '\0';
    if (digits > 0)
        snprintf(num + len, sizeof num - len, "%s%0*llu", l->decimal, digits,
                 (unsigned long long)(mag % scale));
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (strcmp(symbols[i].code, currency) == 0)
            sym = l->symbol_first ? symbols[i].before : symbols[i].after;
    }
    if (!l->symbol_first)
        return snprintf(buf, size, "%s%s %s", sign, num, sym != NULL ? sym : currency);
    if (sym != NULL)
        return snprintf(buf, size, "%s%s%s", sign, sym, num);
    return snprintf(buf, size, "%s%s %s", sign, currency, num);
}
