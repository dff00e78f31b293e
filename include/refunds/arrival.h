/*
 * Arrival windows: when refunded money should be visible to the customer,
 * per payment method, counted in business days (refunds/timeutil.h) from the
 * provider's success. A window is a range of business days, e.g. card 5-10:
 * no sooner than 5 and no later than 10 business days after success. The
 * table holds defaults from the providers' documentation (docs/reconciliation.md
 * gives each source) and can be overridden from a text such as
 * "card=5-10,paypal=0-3". Pure: no I/O, no allocation, no global state.
 * Not for deciding what is wrong with a refund (workers/reconciler/classify.h
 * does that with these windows).
 */
#ifndef REFUNDS_ARRIVAL_H
#define REFUNDS_ARRIVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "refunds/status.h"

/*
 * The methods, named as the refunds.v1.PaymentMethod short names in lower
 * case, plus store credit. The values index struct rf_arrival_table.
 */
enum rf_arrival_method {
    RF_ARRIVAL_CARD,
    RF_ARRIVAL_BANK_TRANSFER,
    RF_ARRIVAL_DIRECT_DEBIT,
    RF_ARRIVAL_PAYPAL,
    RF_ARRIVAL_WALLET,
    RF_ARRIVAL_CASH,
    RF_ARRIVAL_OTHER,
    RF_ARRIVAL_STORE_CREDIT,
};
#define RF_ARRIVAL_METHODS (RF_ARRIVAL_STORE_CREDIT + 1)

/* The longest window end accepted, in business days (about a year and a half). */
#define RF_ARRIVAL_MAX_DAYS 400

/* Business days after success: the money should arrive within [from_days, to_days]. */
struct rf_arrival_range {
    int from_days;
    int to_days;
};

/* One range per method, indexed by enum rf_arrival_method. A plain value: copy it freely. */
struct rf_arrival_table {
    struct rf_arrival_range range[RF_ARRIVAL_METHODS];
};

/*
 * Where an instant lies against a window [from, to]: BEFORE from, INSIDE it
 * (both ends included), PAST to.
 */
enum rf_window_position { RF_WINDOW_BEFORE, RF_WINDOW_INSIDE, RF_WINDOW_PAST };

/*
 * Fills t with the defaults: card 5-10, bank_transfer 1-5, direct_debit 1-5,
 * paypal 0-3, wallet 0-3, cash 0-0, store_credit 0-0, other 5-10.
 */
void rf_arrival_table_init(struct rf_arrival_table *t);

/* A table of the defaults, static and read-only (what rf_arrival_table_init writes). */
const struct rf_arrival_table *rf_arrival_defaults(void);

/* The method's name ("card", "store_credit"); NULL for a value out of range. */
const char *rf_arrival_method_name(enum rf_arrival_method m);

/* The method named name (exactly, lower case); false when there is none (NULL included). */
bool rf_arrival_method_parse(const char *name, enum rf_arrival_method *out);

/*
 * Overrides entries of t from spec: comma-separated "method=from-to"
 * entries, e.g. "card=5-10,paypal=0-3"; spaces around entries and around
 * '=' and '-' are allowed, an empty (or all-space) spec changes nothing.
 * Methods not named keep what t holds. Fails with INVALID_ARGUMENT and a
 * message quoting the bad entry for an unknown method, a malformed entry, a
 * day count outside 0..RF_ARRIVAL_MAX_DAYS, from after to, a method given
 * twice or an empty entry; t is then left unchanged.
 */
enum rf_code rf_arrival_table_parse(struct rf_arrival_table *t, const char *spec,
                                    struct rf_error *err);

/*
 * The window of method_name for money the provider reports succeeded at
 * success_us: *from_us = rf_business_days_add(success_us, from_days) and
 * *to_us likewise with to_days. A 0-day end on a weekend is therefore the
 * next Monday 00:00 UTC (timeutil.h). Returns false, and writes nothing,
 * when method_name is not a method of the table (callers that must have a
 * window use "other").
 */
bool rf_arrival_window(const struct rf_arrival_table *t, const char *method_name,
                       int64_t success_us, int64_t *from_us, int64_t *to_us);

/* Where now lies against [from_us, to_us]: both ends are INSIDE. */
enum rf_window_position rf_window_position(int64_t from_us, int64_t to_us, int64_t now_us);

/* "BEFORE", "INSIDE" or "PAST"; NULL for a value out of range. */
const char *rf_window_position_name(enum rf_window_position p);

#endif
