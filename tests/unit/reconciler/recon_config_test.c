/*
 * Unit tests of the reconciler's windows and intervals
 * (workers/reconciler/recon_config.c): the defaults docs/reconciliation.md
 * promises, each REFUNDS_RECON_* variable taking effect, and refusals that
 * name the variable. Criterion runs every test in its own process, so the
 * environment changes here do not leak between tests.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "recon_config.h"
#include "refunds/timeutil.h"
#include "test_env.h"

#define SEC  RF_USEC_PER_SEC
#define HOUR (3600 * SEC)

static struct rf_recon_config c;
static struct rf_arrival_table t;
static struct rf_error err;

/* Starts every test from an environment without any REFUNDS_RECON_* variable. */
static void clean_env(void)
{
    test_clear_env("REFUNDS_RECON_");
    memset(&c, 0, sizeof c);
    rf_error_clear(&err);
}

TestSuite(recon_config, .init = clean_env);

static void set(const char *name, const char *value)
{
    test_set_env(name, value);
}

static void expect_defaults(const struct rf_recon_config *d)
{
    /* The "Default" column of the table in docs/reconciliation.md. */
    cr_assert_eq(d->not_found_grace_us, 48 * HOUR);
    cr_assert_eq(d->max_snapshot_age_us, 26 * HOUR);
    cr_assert_eq(d->stuck_pending_business_days, 3);
    cr_assert_eq(d->stuck_follow_up_business_days, 5);
    cr_assert_eq(d->reference_business_days, 3);
    cr_assert_eq(d->recheck_unknown_us, 15 * 60 * SEC);
    cr_assert_eq(d->recheck_pending_us, HOUR);
    cr_assert_eq(d->recheck_reference_us, 6 * HOUR);
    cr_assert_eq(d->recheck_finding_us, 24 * HOUR);
}

Test(recon_config, defaults_are_those_docs_reconciliation_md_promises)
{
    rf_recon_config_defaults(&c);
    expect_defaults(&c);
    cr_assert_eq(c.arrival, rf_arrival_defaults());
}

Test(recon_config, an_empty_environment_gives_the_defaults)
{
    set("REFUNDS_RECON_REFERENCE_BUSINESS_DAYS", ""); /* empty reads as unset */
    cr_assert_eq(rf_recon_config_from_env(&c, &t, &err), RF_OK, "%s", err.message);
    expect_defaults(&c);
    cr_assert_eq(c.arrival, &t);
    cr_assert_eq(memcmp(&t, rf_arrival_defaults(), sizeof t), 0);
}

Test(recon_config, every_variable_takes_effect)
{
    set("REFUNDS_RECON_NOT_FOUND_GRACE_SECONDS", "3600");
    set("REFUNDS_RECON_MAX_SNAPSHOT_AGE_SECONDS", "7200");
    set("REFUNDS_RECON_STUCK_PENDING_BUSINESS_DAYS", "2");
    set("REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS", "4");
    set("REFUNDS_RECON_REFERENCE_BUSINESS_DAYS", "1");
    set("REFUNDS_RECON_RECHECK_UNKNOWN_SECONDS", "60");
    set("REFUNDS_RECON_RECHECK_PENDING_SECONDS", "120");
    set("REFUNDS_RECON_RECHECK_REFERENCE_SECONDS", "180");
    set("REFUNDS_RECON_RECHECK_FINDING_SECONDS", "240");
    set("REFUNDS_RECON_ARRIVAL_WINDOWS", "card=2-4");
    cr_assert_eq(rf_recon_config_from_env(&c, &t, &err), RF_OK, "%s", err.message);
    cr_assert_eq(c.not_found_grace_us, HOUR);
    cr_assert_eq(c.max_snapshot_age_us, 2 * HOUR);
    cr_assert_eq(c.stuck_pending_business_days, 2);
    cr_assert_eq(c.stuck_follow_up_business_days, 4);
    cr_assert_eq(c.reference_business_days, 1);
    cr_assert_eq(c.recheck_unknown_us, 60 * SEC);
    cr_assert_eq(c.recheck_pending_us, 120 * SEC);
    cr_assert_eq(c.recheck_reference_us, 180 * SEC);
    cr_assert_eq(c.recheck_finding_us, 240 * SEC);
    cr_assert_eq(c.arrival->range[RF_ARRIVAL_CARD].from_days, 2);
    cr_assert_eq(c.arrival->range[RF_ARRIVAL_CARD].to_days, 4);
    cr_assert_eq(c.arrival->range[RF_ARRIVAL_PAYPAL].to_days, 3, "other methods keep defaults");
}

/* Loading fails with INVALID_ARGUMENT and a message naming name and showing what. */
static void expect_refused(const char *name, const char *value, const char *what)
{
    clean_env();
    set(name, value);
    cr_assert_eq(rf_recon_config_from_env(&c, &t, &err), RF_INVALID_ARGUMENT, "%s=%s accepted",
                 name, value);
    cr_assert(strstr(err.message, name) != NULL, "\"%s\" does not name %s", err.message, name);
    cr_assert(strstr(err.message, what) != NULL, "\"%s\" does not show \"%s\"", err.message, what);
}

Test(recon_config, bad_values_are_refused_naming_the_variable)
{
    expect_refused("REFUNDS_RECON_NOT_FOUND_GRACE_SECONDS", "-1", "-1");
    expect_refused("REFUNDS_RECON_NOT_FOUND_GRACE_SECONDS", "2d", "2d");
    expect_refused("REFUNDS_RECON_MAX_SNAPSHOT_AGE_SECONDS", "59", "59");
    expect_refused("REFUNDS_RECON_STUCK_PENDING_BUSINESS_DAYS", "61", "61");
    expect_refused("REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS", "x", "x");
    expect_refused("REFUNDS_RECON_REFERENCE_BUSINESS_DAYS", "3.5", "3.5");
    expect_refused("REFUNDS_RECON_RECHECK_UNKNOWN_SECONDS", "0", "0");
    expect_refused("REFUNDS_RECON_RECHECK_PENDING_SECONDS", "604801", "604801");
    expect_refused("REFUNDS_RECON_RECHECK_REFERENCE_SECONDS", " ", " ");
    expect_refused("REFUNDS_RECON_RECHECK_FINDING_SECONDS", "1e3", "1e3");
    expect_refused("REFUNDS_RECON_ARRIVAL_WINDOWS", "card=10-5", "\"card=10-5\"");
    expect_refused("REFUNDS_RECON_ARRIVAL_WINDOWS", "card=5-10,iou=1-2", "unknown method \"iou\"");
}

Test(recon_config, a_follow_up_before_a_refund_is_stuck_is_refused)
{
    set("REFUNDS_RECON_STUCK_PENDING_BUSINESS_DAYS", "4");
    set("REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS", "3");
    cr_assert_eq(rf_recon_config_from_env(&c, &t, &err), RF_INVALID_ARGUMENT);
    cr_assert(strstr(err.message, "REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS") != NULL, "%s",
              err.message);
    cr_assert(strstr(err.message, "REFUNDS_RECON_STUCK_PENDING_BUSINESS_DAYS") != NULL, "%s",
              err.message);
    /* Equal is allowed: the follow-up is due as soon as the refund is stuck. */
    set("REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS", "4");
    cr_assert_eq(rf_recon_config_from_env(&c, &t, &err), RF_OK, "%s", err.message);
}

Test(recon_config, the_bounds_themselves_are_accepted)
{
    set("REFUNDS_RECON_NOT_FOUND_GRACE_SECONDS", "0");
    set("REFUNDS_RECON_MAX_SNAPSHOT_AGE_SECONDS", "2592000");
    set("REFUNDS_RECON_STUCK_PENDING_BUSINESS_DAYS", "60");
    set("REFUNDS_RECON_STUCK_FOLLOW_UP_BUSINESS_DAYS", "60");
    set("REFUNDS_RECON_RECHECK_FINDING_SECONDS", "604800");
    cr_assert_eq(rf_recon_config_from_env(&c, &t, &err), RF_OK, "%s", err.message);
    cr_assert_eq(c.not_found_grace_us, 0);
    cr_assert_eq(c.max_snapshot_age_us, 30 * 24 * HOUR);
    cr_assert_eq(c.recheck_finding_us, 7 * 24 * HOUR);
}
