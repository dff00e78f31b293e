/*
 * Arrival windows per payment method (see include/refunds/arrival.h): the
 * default table, the parser of overrides and the window arithmetic on top
 * of the business-day clock of timeutil.c. Not for choosing what to do about
 * a late refund: the reconciler's classifier does that.
 */
#include <string.h>

#include "refunds/arrival.h"
#include "refunds/timeutil.h"

static const char *const method_names[RF_ARRIVAL_METHODS] = {
    [RF_ARRIVAL_CARD] = "card",
    [RF_ARRIVAL_BANK_TRANSFER] = "bank_transfer",
    [RF_ARRIVAL_DIRECT_DEBIT] = "direct_debit",
    [RF_ARRIVAL_PAYPAL] = "paypal",
    [RF_ARRIVAL_WALLET] = "wallet",
    [RF_ARRIVAL_CASH] = "cash",
    [RF_ARRIVAL_OTHER] = "other",
    [RF_ARRIVAL_STORE_CREDIT] = "store_credit",
};

/* The sources of these numbers are in docs/reconciliation.md ("Windows and defaults"). */
static const struct rf_arrival_table defaults = {{
    /* Stripe: refunds appear 5-10 business days after submission (Visa, Mastercard). */
    [RF_ARRIVAL_CARD] = {5, 10},
    /* Credit transfers settle in 1 business day (SEPA SCT), slower rails in up to 5. */
    [RF_ARRIVAL_BANK_TRANSFER] = {1, 5},
    /* A direct-debit refund is paid back as a credit transfer to the same account. */
    [RF_ARRIVAL_DIRECT_DEBIT] = {1, 5},
    /* PayPal and wallets credit the balance at once, a funding card within days. */
    [RF_ARRIVAL_PAYPAL] = {0, 3},
    [RF_ARRIVAL_WALLET] = {0, 3},
    /* Handed over in person, or credited to the customer's account with us: at once. */
    [RF_ARRIVAL_CASH] = {0, 0},
    /* Unknown rails: as slow as the slowest common one, cards. */
    [RF_ARRIVAL_OTHER] = {5, 10},
    [RF_ARRIVAL_STORE_CREDIT] = {0, 0},
}};

void rf_arrival_table_init(struct rf_arrival_table *t)
{
    *t = defaults;
}

const struct rf_arrival_table *rf_arrival_defaults(void)
{
    return &defaults;
}

const char *rf_arrival_method_name(enum rf_arrival_method m)
{
    if ((int)m < 0 || m >= RF_ARRIVAL_METHODS)
        return NULL;
    return method_names[m];
}

/* Looks up the n bytes at name; false when they name no method. */
static bool method_lookup(const char *name, size_t n, enum rf_arrival_method *out)
{
    for (int i = 0; i < RF_ARRIVAL_METHODS; i++) {
        if (strlen(method_names[i]) == n && memcmp(method_names[i], name, n) == 0) {
            *out = (enum rf_arrival_method)i;
            return true;
        }
    }
    return false;
}

bool rf_arrival_method_parse(const char *name, enum rf_arrival_method *out)
{
    return name != NULL && method_lookup(name, strlen(name), out);
}

static const char *skip_spaces(const char *s, const char *end)
{
    while (s < end && *s == ' ')
        s++;
    return s;
}

/* Reads a day count (digits only) at *s, before end, into *v; false when none or too large. */
static bool read_days(const char **s, const char *end, int *v)
{
    const char *p = *s;
    int x = 0;

    if (p == end || *p < '0' || *p > '9')
        return false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        x = x * 10 + (*p - '0');
        if (x > RF_ARRIVAL_MAX_DAYS)
            return false;
    }
    *s = p;
    *v = x;
    return true;
}

/*
 * Parses one entry, the bytes [s, end) without the surrounding spaces, into
 * *m and *r. On failure fills err with a message quoting the entry.
 */
static enum rf_code parse_entry(const char *s, const char *end, enum rf_arrival_method *m,
                                struct rf_arrival_range *r, struct rf_error *err)
{
    int len = (int)(end - s);
    const char *eq = memchr(s, '=', (size_t)(end - s));
    const char *name_end, *p;

    if (eq == NULL)
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "invalid arrival window \"%.*s\": expected method=from-to, e.g. card=5-10",
                       len, s);
    for (name_end = eq; name_end > s && name_end[-1] == ' ';)
        name_end--;
    if (!method_lookup(s, (size_t)(name_end - s), m))
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "invalid arrival window \"%.*s\": unknown method \"%.*s\" (known: card, "
                       "bank_transfer, direct_debit, paypal, wallet, cash, other, store_credit)",
                       len, s, (int)(name_end - s), s);
    p = skip_spaces(eq + 1, end);
    if (!read_days(&p, end, &r->from_days) || (p = skip_spaces(p, end)) == end || *p++ != '-' ||
        (p = skip_spaces(p, end), !read_days(&p, end, &r->to_days)) || p != end)
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "invalid arrival window \"%.*s\": expected from-to business days, two "
                       "whole numbers from 0 to %d, e.g. card=5-10",
                       len, s, RF_ARRIVAL_MAX_DAYS);
    if (r->from_days > r->to_days)
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "invalid arrival window \"%.*s\": the first day is after the last", len, s);
    return RF_OK;
}

enum rf_code rf_arrival_table_parse(struct rf_arrival_table *t, const char *spec,
                                    struct rf_error *err)
{
    struct rf_arrival_table next = *t;
    bool seen[RF_ARRIVAL_METHODS] = {false};
    const char *s = spec, *spec_end = spec + strlen(spec);

    if (skip_spaces(s, spec_end) == spec_end)
        return RF_OK;
    for (;;) {
        const char *comma = memchr(s, ',', (size_t)(spec_end - s));
        const char *end = comma == NULL ? spec_end : comma;
        const char *b = skip_spaces(s, end), *e = end;
        enum rf_arrival_method m = 0;
        struct rf_arrival_range r = {0, 0};
        enum rf_code code;

        while (e > b && e[-1] == ' ')
            e--;
        if (b == e)
            return rf_fail(err, RF_INVALID_ARGUMENT,
                           "invalid arrival windows \"%s\": an entry is empty", spec);
        code = parse_entry(b, e, &m, &r, err);
        if (code != RF_OK)
            return code;
        if (seen[m])
            return rf_fail(err, RF_INVALID_ARGUMENT,
                           "invalid arrival window \"%.*s\": %s is given twice", (int)(e - b), b,
                           method_names[m]);
        seen[m] = true;
        next.range[m] = r;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    *t = next;
    return RF_OK;
}

bool rf_arrival_window(const struct rf_arrival_table *t, const char *method_name,
                       int64_t success_us, int64_t *from_us, int64_t *to_us)
{
    enum rf_arrival_method m;

    if (!rf_arrival_method_parse(method_name, &m))
        return false;
    *from_us = rf_business_days_add(success_us, t->range[m].from_days);
    *to_us = rf_business_days_add(success_us, t->range[m].to_days);
    return true;
}

enum rf_window_position rf_window_position(int64_t from_us, int64_t to_us, int64_t now_us)
{
    if (now_us < from_us)
        return RF_WINDOW_BEFORE;
    if (now_us > to_us)
        return RF_WINDOW_PAST;
    return RF_WINDOW_INSIDE;
}

const char *rf_window_position_name(enum rf_window_position p)
{
    switch (p) {
    case RF_WINDOW_BEFORE:
        return "BEFORE";
    case RF_WINDOW_INSIDE:
        return "INSIDE";
    case RF_WINDOW_PAST:
        return "PAST";
    }
    return NULL;
}
