/*
 * Unit tests of the Stripe mapper (workers/psp_load/stripe.c) on objects
 * shaped like Stripe's: every field of a card refund, payment_ref from
 * payment_intent or charge (ids or expanded objects), reversals without a
 * reference, absent versus null members, events of each kind, and broken
 * objects, each refused with the field that is wrong.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/timeutil.h"
#include "stripe.h"

#define TAKEN_AT (1795341600LL * RF_USEC_PER_SEC) /* 2026-11-22T10:00:00Z */

static struct rf_arena *a;

static void setup(void)
{
    a = rf_arena_create(0);
}

static void teardown(void)
{
    rf_arena_destroy(a);
}

TestSuite(stripe, .init = setup, .fini = teardown);

static const char card_refund[] =
    "{\"id\":\"re_3QfR7u2eZvKYlo2C1nA4xk9P\",\"object\":\"refund\",\"amount\":4999,"
    "\"balance_transaction\":\"txn_1\",\"charge\":\"ch_3QfR7u2eZvKYlo2C1cL0rT8m\","
    "\"created\":1794820364,\"currency\":\"eur\",\"destination_details\":{\"card\":{"
    "\"reference\":\"74987654321098765432101\",\"reference_status\":\"available\","
    "\"reference_type\":\"acquirer_reference_number\",\"type\":\"refund\"},\"type\":\"card\"},"
    "\"metadata\":{\"case\":\"cases/1\"},\"payment_intent\":\"pi_3QfR7u2eZvKYlo2C1w5sV3Jk\","
    "\"reason\":\"requested_by_customer\",\"receipt_number\":null,\"status\":\"succeeded\"}";

/* Maps text; returns the code, the message in err. */
static enum rf_code map(const char *text, struct rf_psp_record *r, bool *skipped,
                        struct rf_error *err)
{
    struct rf_stripe_context ctx = {
        .provider = "stripe", .taken_at_us = TAKEN_AT, .source = "refunds.json:[0]"};
    json_error_t jerr;
    json_t *obj = json_loads(text, 0, &jerr);
    enum rf_code code;

    cr_assert_not_null(obj, "test JSON: %s", jerr.text);
    rf_error_clear(err);
    code = rf_stripe_map(a, obj, &ctx, r, skipped, err);
    json_decref(obj);
    return code;
}

static struct rf_psp_record map_ok(const char *text)
{
    struct rf_psp_record r;
    struct rf_error err;
    bool skipped = true;

    cr_assert_eq(map(text, &r, &skipped, &err), RF_OK, "%s", err.message);
    cr_assert_not(skipped);
    return r;
}

static const char *map_error(const char *text)
{
    static struct rf_error err;
    struct rf_psp_record r;
    bool skipped;

    cr_assert_eq(map(text, &r, &skipped, &err), RF_INVALID_ARGUMENT, "%s", text);
    return err.message;
}

/* card_refund with the text old replaced by new (which must occur once). */
static const char *edited(const char *old, const char *new)
{
    static char buf[4096];
    const char *at = strstr(card_refund, old);

    cr_assert_not_null(at, "%s", old);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - card_refund), card_refund, new,
             at + strlen(old));
    return buf;
}

Test(stripe, a_card_refund_maps_every_field)
{
    struct rf_psp_record r = map_ok(card_refund);

    cr_assert_str_eq(r.provider, "stripe");
    cr_assert_str_eq(r.provider_refund_id, "re_3QfR7u2eZvKYlo2C1nA4xk9P");
    cr_assert_eq(r.status, RF_PSP_SUCCEEDED);
    cr_assert_eq(r.amount_minor, 4999);
    cr_assert_str_eq(r.currency, "EUR", "Stripe's lower case becomes ISO upper case");
    cr_assert_str_eq(r.payment_ref, "pi_3QfR7u2eZvKYlo2C1w5sV3Jk");
    cr_assert_str_eq(r.reference, "74987654321098765432101");
    cr_assert_str_eq(r.reference_type, "acquirer_reference_number");
    cr_assert_eq(r.reference_status, RF_PSP_REF_AVAILABLE);
    cr_assert_str_eq(r.destination_type, "card");
    cr_assert_str_eq(r.card_refund_type, "refund");
    cr_assert_str_eq(r.pending_reason, "");
    cr_assert_str_eq(r.failure_reason, "");
    cr_assert_eq(r.created_at_us, 1794820364LL * RF_USEC_PER_SEC);
    cr_assert_eq(r.updated_at_us, TAKEN_AT, "a refund outside an event was seen at taken_at");
    cr_assert_eq(r.succeeded_at_us, 0);
    cr_assert_str_eq(r.source, "refunds.json:[0]");
}

Test(stripe, payment_ref_falls_back_to_the_charge)
{
    struct rf_psp_record r = map_ok(edited("\"pi_3QfR7u2eZvKYlo2C1w5sV3Jk\"", "null"));

    cr_assert_str_eq(r.payment_ref, "ch_3QfR7u2eZvKYlo2C1cL0rT8m");
    r = map_ok(edited("\"payment_intent\":\"pi_3QfR7u2eZvKYlo2C1w5sV3Jk\",", ""));
    cr_assert_str_eq(r.payment_ref, "ch_3QfR7u2eZvKYlo2C1cL0rT8m", "an absent key is like null");
}

Test(stripe, expanded_charge_and_payment_intent_give_their_ids)
{
    struct rf_psp_record r =
        map_ok(edited("\"pi_3QfR7u2eZvKYlo2C1w5sV3Jk\"",
                      "{\"id\":\"pi_expanded\",\"object\":\"payment_intent\"}"));

    cr_assert_str_eq(r.payment_ref, "pi_expanded");
    cr_assert_str_eq(map_error(edited("\"pi_3QfR7u2eZvKYlo2C1w5sV3Jk\"", "{\"id\":7}")),
                     "payment_intent.id: must be a string or null");
}

Test(stripe, a_reversal_has_no_reference_at_all)
{
    struct rf_psp_record r = map_ok(
        edited("{\"reference\":\"74987654321098765432101\",\"reference_status\":\"available\","
               "\"reference_type\":\"acquirer_reference_number\",\"type\":\"refund\"}",
               "{\"type\":\"reversal\"}"));

    cr_assert_str_eq(r.card_refund_type, "reversal");
    cr_assert_str_eq(r.reference, "");
    cr_assert_str_eq(r.reference_type, "");
    cr_assert_eq(r.reference_status, RF_PSP_REF_NONE);
}

Test(stripe, a_pending_reference_may_be_null)
{
    struct rf_psp_record r = map_ok(
        edited("\"reference\":\"74987654321098765432101\",\"reference_status\":\"available\"",
               "\"reference\":null,\"reference_status\":\"pending\""));

    cr_assert_str_eq(r.reference, "");
    cr_assert_eq(r.reference_status, RF_PSP_REF_PENDING);
}

Test(stripe, a_refund_without_destination_details_is_fine)
{
    struct rf_psp_record r =
        map_ok("{\"id\":\"re_1\",\"amount\":100,\"currency\":\"jpy\",\"created\":1794820364,"
               "\"status\":\"pending\",\"pending_reason\":\"charge_pending\",\"charge\":\"ch_1\"}");

    cr_assert_eq(r.status, RF_PSP_PENDING);
    cr_assert_str_eq(r.pending_reason, "charge_pending");
    cr_assert_str_eq(r.currency, "JPY");
    cr_assert_str_eq(r.destination_type, "");
    cr_assert_eq(r.reference_status, RF_PSP_REF_NONE);
}

Test(stripe, another_destination_type_reads_its_own_sub_object)
{
    struct rf_psp_record r = map_ok(edited(
        "\"destination_details\":{\"card\":{\"reference\":\"74987654321098765432101\","
        "\"reference_status\":\"available\",\"reference_type\":\"acquirer_reference_number\","
        "\"type\":\"refund\"},\"type\":\"card\"}",
        "\"destination_details\":{\"type\":\"us_bank_transfer\",\"us_bank_transfer\":"
        "{\"reference\":\"TRACE123\",\"reference_status\":\"available\"}}"));

    cr_assert_str_eq(r.destination_type, "us_bank_transfer");
    cr_assert_str_eq(r.reference, "TRACE123");
    cr_assert_eq(r.reference_status, RF_PSP_REF_AVAILABLE);
    cr_assert_str_eq(r.card_refund_type, "", "only cards have a refund type");
}

Test(stripe, a_failed_refund_keeps_its_failure_reason)
{
    struct rf_psp_record r =
        map_ok(edited("\"status\":\"succeeded\"",
                      "\"status\":\"failed\",\"failure_reason\":\"expired_or_canceled_card\""));

    cr_assert_eq(r.status, RF_PSP_FAILED);
    cr_assert_str_eq(r.failure_reason, "expired_or_canceled_card");
}

Test(stripe, refund_events_take_the_time_of_the_event)
{
    static char event[4096];
    const char *types[] = {"refund.created", "refund.updated", "refund.failed"};

    for (int i = 0; i < 3; i++) {
        struct rf_psp_record r;

        snprintf(event, sizeof event,
                 "{\"id\":\"evt_1\",\"object\":\"event\",\"api_version\":\"2024-06-20\","
                 "\"created\":1795000000,\"data\":{\"object\":%s,\"previous_attributes\":"
                 "{\"status\":\"pending\"}},\"livemode\":true,\"type\":\"%s\"}",
                 card_refund, types[i]);
        r = map_ok(event);
        cr_assert_str_eq(r.provider_refund_id, "re_3QfR7u2eZvKYlo2C1nA4xk9P");
        cr_assert_eq(r.updated_at_us, 1795000000LL * RF_USEC_PER_SEC, "%s", types[i]);
    }
}

Test(stripe, other_events_are_skipped)
{
    struct rf_psp_record r;
    struct rf_error err;
    bool skipped = false;

    cr_assert_eq(map("{\"id\":\"evt_2\",\"object\":\"event\",\"created\":1795000000,"
                     "\"type\":\"charge.succeeded\",\"data\":{\"object\":{\"id\":\"ch_1\"}}}",
                     &r, &skipped, &err),
                 RF_OK);
    cr_assert(skipped);
}

Test(stripe, broken_refunds_name_the_field)
{
    static const struct {
        const char *old, *new, *message;
    } cases[] = {
        {"\"amount\":4999", "\"amount\":25.5", "amount: must be a positive integer"},
        {"\"amount\":4999", "\"amount\":0", "amount: must be a positive integer"},
        {"\"amount\":4999", "\"amount\":-100", "amount: must be a positive integer"},
        {"\"amount\":4999", "\"amount\":\"4999\"", "amount: must be a positive integer"},
        {"\"amount\":4999,", "", "amount: must be a positive integer"},
        {"\"amount\":4999", "\"amount\":1000000000000001", "amount: is larger than 10^15"},
        {"\"currency\":\"eur\"", "\"currency\":\"xyz\"",
         "currency: is not an active ISO 4217 currency"},
        {"\"currency\":\"eur\"", "\"currency\":\"euro\"",
         "currency: must be a three-letter ISO 4217 code"},
        {"\"currency\":\"eur\"", "\"currency\":\"e1r\"",
         "currency: must be a three-letter ISO 4217 code"},
        {"\"currency\":\"eur\"", "\"currency\":null",
         "currency: must be a three-letter ISO 4217 code"},
        {"\"status\":\"succeeded\"", "\"status\":\"done\"",
         "status: must be one of pending, requires_action, succeeded, failed, canceled"},
        {"\"status\":\"succeeded\"", "\"status\":\"reversed\"",
         "status: must be one of pending, requires_action, succeeded, failed, canceled"},
        {"\"created\":1794820364", "\"created\":\"yesterday\"",
         "created: must be a Unix time in seconds"},
        {"\"created\":1794820364", "\"created\":-5",
         "created: must be a Unix time in seconds from 1970 to 9999"},
        {"\"id\":\"re_3QfR7u2eZvKYlo2C1nA4xk9P\"", "\"id\":\"\"", "id: must be a non-empty string"},
        {"\"id\":\"re_3QfR7u2eZvKYlo2C1nA4xk9P\"", "\"id\":42", "id: must be a string or null"},
        {"\"id\":\"re_3QfR7u2eZvKYlo2C1nA4xk9P\"", "\"id\":\"re_\\nx\"",
         "id: contains a control character"},
        {"\"object\":\"refund\"", "\"object\":\"charge\"",
         "object: must be \"refund\" or \"event\""},
        {"\"reference_status\":\"available\"", "\"reference_status\":\"maybe\"",
         "destination_details.card.reference_status: must be pending, available, unavailable or "
         "null"},
        {"\"type\":\"refund\"", "\"type\":\"chargeback\"",
         "destination_details.card.type: must be pending, refund, reversal or null"},
        {"\"reference_type\":\"acquirer_reference_number\"", "\"reference_type\":[]",
         "destination_details.card.reference_type: must be a string or null"},
        {"\"status\":\"succeeded\"", "\"status\":\"pending\",\"pending_reason\":7",
         "pending_reason: must be a string or null"},
        {"\"charge\":\"ch_3QfR7u2eZvKYlo2C1cL0rT8m\"", "\"charge\":true",
         "charge: must be a string or null"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_str_eq(map_error(edited(cases[i].old, cases[i].new)), cases[i].message,
                         "case %zu", i);
    cr_assert_str_eq(map_error("{\"id\":\"re_1\",\"amount\":1,\"currency\":\"eur\",\"created\":1,"
                               "\"status\":\"pending\",\"destination_details\":\"card\"}"),
                     "destination_details: must be an object or null");
}

Test(stripe, broken_events_name_the_field_inside_data_object)
{
    static char event[4096];

    snprintf(event, sizeof event,
             "{\"object\":\"event\",\"created\":1795000000,\"type\":\"refund.updated\","
             "\"data\":{\"object\":%s}}",
             edited("\"amount\":4999", "\"amount\":25.5"));
    cr_assert_str_eq(map_error(event), "data.object.amount: must be a positive integer");
    cr_assert_str_eq(map_error("{\"object\":\"event\",\"created\":1795000000,"
                               "\"type\":\"refund.updated\",\"data\":{}}"),
                     "data.object: must be the refund object");
    cr_assert_str_eq(map_error("{\"object\":\"event\",\"type\":\"refund.updated\",\"data\":{}}"),
                     "created: must be a Unix time in seconds");
    cr_assert_str_eq(map_error("{\"object\":\"event\",\"created\":1795000000,\"data\":{}}"),
                     "type: must be the event's type");
}
