/*
 * Unit tests of the validating pass (workers/psp_load/load.c) on whole files
 * in memory: every fault reported with its file, position and field, the
 * JSON parser's errors at their line in the file, sources, skipped items,
 * the fault limit, and a sink that fails. No Redis: the sink collects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "load.h"
#include "refunds/timeutil.h"

#define TAKEN_AT (1795341600LL * RF_USEC_PER_SEC)

struct collected {
    int records;
    char sources[16][64];
    char providers[16][40];
    int faults;
    char messages[16][512];
    bool fail_sink;
};

static enum rf_code on_record(void *arg, struct rf_arena *a, const struct rf_psp_record *r,
                              struct rf_error *err)
{
    struct collected *c = arg;

    (void)a;
    if (c->fail_sink)
        return rf_fail(err, RF_UNAVAILABLE, "the spool is full");
    if (c->records < 16) {
        snprintf(c->sources[c->records], sizeof c->sources[0], "%s", r->source);
        snprintf(c->providers[c->records], sizeof c->providers[0], "%s", r->provider);
    }
    c->records++;
    return RF_OK;
}

static void on_fault(void *arg, const char *message)
{
    struct collected *c = arg;

    if (c->faults < 16)
        snprintf(c->messages[c->faults], sizeof c->messages[0], "%s", message);
    c->faults++;
}

static int threads; /* of every scan */

static enum rf_code scan(const char *text, enum rf_load_format format, const char *name,
                         struct collected *c, struct rf_load_counts *counts, struct rf_error *err)
{
    struct rf_load_options o = {
        .format = format, .taken_at_us = TAKEN_AT, .name = name, .threads = threads};
    struct rf_load_sink sink = {.record = on_record, .fault = on_fault, .arg = c};
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    enum rf_code code;

    cr_assert_not_null(f);
    rf_error_clear(err);
    code = rf_load_scan(f, &o, &sink, counts, err);
    fclose(f);
    return code;
}

#define REFUND(id, amount, currency)                                                               \
    "{\"id\":\"" id "\",\"object\":\"refund\",\"amount\":" amount ",\"currency\":\"" currency      \
    "\",\"created\":1794820364,\"status\":\"succeeded\",\"charge\":\"ch_1\"}"

Test(load, a_valid_stripe_file_gives_every_record_with_its_source)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(scan("[" REFUND("re_1", "100", "eur") "," REFUND("re_2", "200", "usd") "]",
                      RF_LOAD_STRIPE, "refunds.json", &c, &n, &err),
                 RF_OK, "%s", err.message);
    cr_assert_eq(n.items, 2);
    cr_assert_eq(n.records, 2);
    cr_assert_eq(n.faults, 0);
    cr_assert_str_eq(c.sources[0], "refunds.json:[0]");
    cr_assert_str_eq(c.sources[1], "refunds.json:[1]");
    cr_assert_str_eq(c.providers[0], "stripe");
}

Test(load, every_bad_object_is_reported_with_file_index_and_field)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(
        scan("{\"object\":\"list\",\"data\":[" REFUND("re_0", "100", "eur") "," REFUND(
                 "re_1", "1.5", "eur") "," REFUND("re_2", "100", "eur") "," REFUND("re_3", "25.5",
                                                                                   "xyz") "]}",
             RF_LOAD_STRIPE, "stripe-refunds.json", &c, &n, &err),
        RF_INVALID_ARGUMENT);
    cr_assert_eq(n.faults, 2);
    cr_assert_str_eq(c.messages[0], "stripe-refunds.json:[1]: amount: must be a positive integer");
    cr_assert_str_eq(c.messages[1], "stripe-refunds.json:[3]: amount: must be a positive integer");
    cr_assert_str_eq(err.message, c.messages[0], "err holds the first fault");
    cr_assert_eq(n.records, 2, "the good ones were still validated");
}

Test(load, events_one_per_line_are_reported_by_line)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(
        scan("{\"object\":\"event\",\"type\":\"charge.succeeded\",\"created\":1795000000,\"data\":{"
             "}}\n"
             "{\"object\":\"event\",\"type\":\"refund.updated\",\"created\":1795000000,"
             "\"data\":{\"object\":" REFUND(
                 "re_1", "100",
                 "eur") "}}\n"
                        "{\"object\":\"event\",\"type\":\"refund.failed\",\"created\":1795000000,"
                        "\"data\":{\"object\":" REFUND("re_2", "100", "zzz") "}}\n",
             RF_LOAD_STRIPE, "events.ndjson", &c, &n, &err),
        RF_INVALID_ARGUMENT);
    cr_assert_eq(n.items, 3);
    cr_assert_eq(n.skipped, 1);
    cr_assert_eq(n.records, 1);
    cr_assert_str_eq(c.sources[0], "events.ndjson:2");
    cr_assert_str_eq(c.messages[0],
                     "events.ndjson:3: data.object.currency: is not an active ISO 4217 currency");
}

Test(load, invalid_json_is_reported_at_its_line_in_the_file)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(scan("[\n" REFUND("re_1", "100", "eur") ",\n{\n  \"id\": \"re_2\",\n  \"amount\": "
                                                         "1e\n}\n]",
                      RF_LOAD_STRIPE, "x.json", &c, &n, &err),
                 RF_INVALID_ARGUMENT);
    cr_assert_eq(n.faults, 1);
    cr_assert(strncmp(c.messages[0], "x.json:[1]: invalid JSON on line 5: ", 36) == 0, "%s",
              c.messages[0]);
}

Test(load, duplicate_members_are_refused)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(scan("[{\"id\":\"re_1\",\"amount\":100,\"amount\":1000000}]", RF_LOAD_STRIPE,
                      "x.json", &c, &n, &err),
                 RF_INVALID_ARGUMENT);
    cr_assert(strstr(c.messages[0], "duplicate") != NULL, "%s", c.messages[0]);
}

Test(load, a_nul_character_in_a_string_is_invalid_json)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(
        scan("[" REFUND("re_\\u0000x", "100", "eur") "]", RF_LOAD_STRIPE, "x.json", &c, &n, &err),
        RF_INVALID_ARGUMENT);
    cr_assert(strncmp(c.messages[0], "x.json:[0]: invalid JSON on line 1: ", 36) == 0, "%s",
              c.messages[0]);
}

Test(load, a_truncated_file_is_refused_as_a_whole)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(scan("[" REFUND("re_1", "100", "eur") ",{\"id\":\"re_2\",", RF_LOAD_STRIPE,
                      "x.json", &c, &n, &err),
                 RF_INVALID_ARGUMENT);
    cr_assert_str_eq(c.messages[0], "x.json:[1]: the file ends inside an object (truncated?)");
}

static const char adyen_header[] = "Psp Reference,Creation Date,TimeZone,Type,Modification "
                                   "Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC)\n";

Test(load, adyen_faults_give_line_and_column)
{
    char text[2048];
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    snprintf(text, sizeof text,
             "%s"
             "P1,2026-11-21 15:02:47,CET,Refunded,M1,EUR,49.99,\n"
             "P2,2026-11-21 15:02:47,CET,Settled,P2,EUR,,10.00\n"
             "\"P3\",2026-11-21 15:02:47,XYZ,Refunded,M3,EUR,1.00,\n"
             "P4,2026-11-21 15:02:47,CET,Refunded,\"M\n4\",EUR,1.2.3,\n"
             "P5,2026-11-21 15:02:47,CET,Refunded,M5,EUR,1.00,\n",
             adyen_header);
    cr_assert_eq(scan(text, RF_LOAD_ADYEN, "batch_4.csv", &c, &n, &err), RF_INVALID_ARGUMENT);
    cr_assert_eq(n.items, 5);
    cr_assert_eq(n.skipped, 1);
    cr_assert_eq(n.records, 2);
    cr_assert_str_eq(c.sources[0], "batch_4.csv:2");
    cr_assert_str_eq(c.sources[1], "batch_4.csv:7", "line numbers count the embedded line break");
    cr_assert_str_eq(c.messages[0], "batch_4.csv:4: TimeZone: unknown time zone \"XYZ\" (use UTC, "
                                    "an abbreviation such as CET or an offset such as +01:00)");
    cr_assert_str_eq(c.messages[1],
                     "batch_4.csv:5: Modification Reference: contains a control character");
}

Test(load, a_bad_header_or_an_empty_file_fails_the_file)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(scan("\xEF\xBB\xBFprovider,status\n", RF_LOAD_GENERIC, "g.csv", &c, &n, &err),
                 RF_INVALID_ARGUMENT);
    cr_assert_str_eq(c.messages[0], "g.csv:1: header: missing column \"provider_refund_id\"");
    memset(&c, 0, sizeof c);
    cr_assert_eq(scan("\n\n", RF_LOAD_ADYEN, "a.csv", &c, &n, &err), RF_INVALID_ARGUMENT);
    cr_assert_str_eq(c.messages[0], "a.csv: the file is empty: it needs a header row");
}

Test(load, malformed_csv_stops_the_scan_at_its_line)
{
    char text[2048];
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    snprintf(text, sizeof text, "%sP1,2026-11-21 15:02:47,CET,Refunded,M\"1,EUR,1.00,\n",
             adyen_header);
    cr_assert_eq(scan(text, RF_LOAD_ADYEN, "a.csv", &c, &n, &err), RF_INVALID_ARGUMENT);
    cr_assert_str_eq(c.messages[0], "a.csv:2: a quote inside a field that does not start with one");
}

Test(load, generic_rows_keep_their_providers)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(scan("provider,provider_refund_id,payment_ref,status,amount_minor,currency,"
                      "reference,reference_type,reference_status,created_at,updated_at\n"
                      "paypal,A,,succeeded,100,EUR,,,,2026-11-20T10:00:00Z,2026-11-21T08:00:00Z\n"
                      "klarna,B,,pending,100,SEK,,,,2026-11-20T10:00:00Z,2026-11-21T08:00:00Z\n",
                      RF_LOAD_GENERIC, "g.csv", &c, &n, &err),
                 RF_OK, "%s", err.message);
    cr_assert_str_eq(c.providers[0], "paypal");
    cr_assert_str_eq(c.providers[1], "klarna");
    cr_assert_str_eq(c.sources[1], "g.csv:3");
}

Test(load, the_scan_stops_after_ten_faults)
{
    char text[8192];
    size_t len = 0;
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    len += (size_t)snprintf(text + len, sizeof text - len, "[");
    for (int i = 0; i < 30; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s{\"id\":\"re_%d\"}", i ? "," : "",
                                i);
    snprintf(text + len, sizeof text - len, "]");
    cr_assert_eq(scan(text, RF_LOAD_STRIPE, "x.json", &c, &n, &err), RF_INVALID_ARGUMENT);
    cr_assert_eq(n.faults, 10);
    cr_assert_eq(n.items, 10);
}

Test(load, a_failing_sink_stops_the_scan_with_its_code)
{
    struct collected c = {.fail_sink = true};
    struct rf_load_counts n;
    struct rf_error err;

    cr_assert_eq(scan("[" REFUND("re_1", "100", "eur") "," REFUND("re_2", "100", "eur") "]",
                      RF_LOAD_STRIPE, "x.json", &c, &n, &err),
                 RF_UNAVAILABLE);
    cr_assert_str_eq(err.message, "the spool is full");
    cr_assert_eq(n.items, 1);
}

Test(load, formats_are_named)
{
    enum rf_load_format f;

    cr_assert(rf_load_format_parse("adyen", &f));
    cr_assert_eq(f, RF_LOAD_ADYEN);
    cr_assert(rf_load_format_parse("generic", &f));
    cr_assert_eq(f, RF_LOAD_GENERIC);
    cr_assert_not(rf_load_format_parse("Stripe", &f));
}

/* A file of 300 objects, eight of them broken (every 37th from [5]), then a truncated one. */
static char *mixed_file(void)
{
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);

    len += (size_t)snprintf(text + len, cap - len, "{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "%s{\"id\":\"re_%d\",\"amount\":%s,\"currency\":\"eur\","
                                "\"created\":1794820364,\"status\":\"pending\"}\n",
                                i ? "," : "", i, i % 37 == 5 ? "1.5" : "100");
    snprintf(text + len, cap - len, ",{\"id\":\"re_cut\",");
    return text;
}

Test(load, parsing_threads_give_the_same_records_and_faults_in_file_order)
{
    char *text = mixed_file();
    struct collected one = {0}, many = {0};
    struct rf_load_counts n1, n2;
    struct rf_error e1, e2;

    threads = 0;
    cr_assert_eq(scan(text, RF_LOAD_STRIPE, "x.json", &one, &n1, &e1), RF_INVALID_ARGUMENT);
    threads = 3;
    cr_assert_eq(scan(text, RF_LOAD_STRIPE, "x.json", &many, &n2, &e2), RF_INVALID_ARGUMENT);
    cr_assert_eq(n1.items, 300);
    cr_assert_eq(n1.faults, 9);
    cr_assert_eq(n1.records, 292);
    cr_assert_eq(n2.items, n1.items);
    cr_assert_eq(n2.records, n1.records);
    cr_assert_eq(n2.faults, n1.faults);
    cr_assert_str_eq(one.messages[0], "x.json:[5]: amount: must be a positive integer");
    cr_assert_str_eq(one.messages[7], "x.json:[264]: amount: must be a positive integer");
    cr_assert_str_eq(one.messages[8], "x.json:[300]: the file ends inside an object (truncated?)");
    for (int i = 0; i < 9; i++)
        cr_assert_str_eq(many.messages[i], one.messages[i], "fault %d", i);
    for (int i = 0; i < 16; i++)
        cr_assert_str_eq(many.sources[i], one.sources[i], "record %d", i);
    cr_assert_str_eq(e2.message, e1.message);
    free(text);
}

Test(load, with_parsing_threads_the_truncated_end_is_reported_after_the_objects_before_it)
{
    struct collected c = {0};
    struct rf_load_counts n;
    struct rf_error err;

    threads = 2;
    cr_assert_eq(scan("[" REFUND("re_1", "100", "eur") "," REFUND("re_2", "1.5", "eur") ",{\"id\":",
                      RF_LOAD_STRIPE, "x.json", &c, &n, &err),
                 RF_INVALID_ARGUMENT);
    cr_assert_eq(c.faults, 2);
    cr_assert_str_eq(c.messages[0], "x.json:[1]: amount: must be a positive integer");
    cr_assert_str_eq(c.messages[1], "x.json:[2]: the file ends inside an object (truncated?)");
    cr_assert_eq(n.records, 1);
}
