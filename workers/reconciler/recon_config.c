/*
 * The reconciler's windows and intervals (see recon_config.h): defaults,
 * each with its source, and the REFUNDS_RECON_* variables that override
 * them. docs/reconciliation.md has the same table for operators.
 */
#include <stddef.h>

#include "recon_config.h"
#include "refunds/config.h"
#include "refunds/timeutil.h"

#define SECOND_US RF_USEC_PER_SEC
#define HOUR_US   (3600 * SECOND_US)
#define DAY_US    (24 * HOUR_US)

void rf_recon_config_defaults(struct rf_recon_config *c)
{
    /*
     * Two days for a refund we recorded issued to show up at the provider:
     * the payments system may submit it late, and settlement files (Adyen's
     * settlement details report) come once a day.
     */
    c->not_found_grace_us = 48 * HOUR_US;
    /* Daily provider files (Adyen batches its settlement reports daily) plus two hours' slack. */
    c->max_snapshot_age_us = 26 * HOUR_US;
    /*
     * Stripe submits a refund at once when the balance covers it; pending
     * for days means insufficient funds or an unsettled charge
     * (Stripe Refund.pending_reason).
     */
    c->stuck_pending_business_days = 3;
    /* By then the customer has waited a working week: tell them. */
    c->stuck_follow_up_business_days = 5;
    /* Stripe: the ARN takes 1-3 business days to come back from the banking partners. */
    c->reference_business_days = 3;
    c->arrival = rf_arrival_defaults();
    c->recheck_unknown_us = 15 * 60 * SECOND_US;
    c->recheck_pending_us = HOUR_US;
    c->recheck_reference_us = 6 * HOUR_US;
    c->recheck_finding_us = DAY_US;
}

enum rf_code rf_recon_config_from_env(struct rf_recon_config *c, struct rf_arrival_table *arrival,
                                      struct rf_error *err)
{
    /*
     * Each duration in seconds, each window in business days: the variable,
     * its bounds and the field, whose default rf_recon_config_defaults set.
     */
    const struct {
        const char *name;
        long long min, max;
        int64_t *us;
        int *days;
    } vars[] = {
        {"REFUNDS_RECON_NOT_FOUND_GRACE_SECONDS", 0, 30 * 86400, &c->not_found_grace_us, NULL},
        {"REFUNDS_RECON_MAX_SNAPSHOT_AGE_SECONDS", 60, 30 * 86400, &c->max_snapshot_age_us, NULL},
        {"REFUNDS_RECON_STUCK_PENDING_BUSINESS_DAYS", 0, 60, NULL, &c->stuck_pending_business_days},
        {"REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS", 0, 60, NULL,
         &c->stuck_follow_up_business_days},
        {"REFUNDS_RECON_REFERENCE_BUSINESS_DAYS", 0, 60, NULL, &c->reference_business_days},
        {"REFUNDS_RECON_RECHECK_UNKNOWN_SECONDS", 1, 7 * 86400, &c->recheck_unknown_us, NULL},
        {"REFUNDS_RECON_RECHECK_PENDING_SECONDS", 1, 7 * 86400, &c->recheck_pending_us, NULL},
        {"REFUNDS_RECON_RECHECK_REFERENCE_SECONDS", 1, 7 * 86400, &c->recheck_reference_us, NULL},
        {"REFUNDS_RECON_RECHECK_FINDING_SECONDS", 1, 7 * 86400, &c->recheck_finding_us, NULL},
    };
    const char *windows = rf_env_str("REFUNDS_RECON_ARRIVAL_WINDOWS", "");
    struct rf_error parse_err;

    rf_recon_config_defaults(c);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        long long def = vars[i].us != NULL ? *vars[i].us / SECOND_US : *vars[i].days, v;
        enum rf_code code = rf_env_int(vars[i].name, def, vars[i].min, vars[i].max, &v, err);

        if (code != RF_OK)
            return code;
        if (vars[i].us != NULL)
            *vars[i].us = (int64_t)v * SECOND_US;
        else
            *vars[i].days = (int)v;
    }
    if (c->stuck_follow_up_business_days < c->stuck_pending_business_days)
        return rf_fail(err, RF_INVALID_ARGUMENT,
                       "REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS (%d) must not be less than "
                       "REFUNDS_RECON_STUCK_PENDING_BUSINESS_DAYS (%d)",
                       c->stuck_follow_up_business_days, c->stuck_pending_business_days);
    rf_arrival_table_init(arrival);
    rf_error_clear(&parse_err);
    if (rf_arrival_table_parse(arrival, windows, &parse_err) != RF_OK)
        return rf_fail(err, RF_INVALID_ARGUMENT, "REFUNDS_RECON_ARRIVAL_WINDOWS: %s",
                       parse_err.message);
    c->arrival = arrival;
    return RF_OK;
}
