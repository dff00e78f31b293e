/*
 * Unit tests of the Adyen settlement-details mapper
 * (workers/psp_load/adyen.c): columns by name in any order, the journal
 * types that are refunds, exact amounts in 0-, 2- and 3-decimal currencies,
 * Creation Date in its TimeZone, the time zone table, and faults that name
 * their column.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "adyen.h"
#include "refunds/timeutil.h"

#define TAKEN_AT (1795341600LL * RF_USEC_PER_SEC) /* 2026-11-22T10:00:00Z */

static const char header[] =
    "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,"
    "Creation Date,TimeZone,Type,Modification Reference,Gross Currency,Gross Debit (GC),"
    "Gross Credit (GC),Exchange Rate,Net Currency,Net Debit (NC),Net Credit (NC),Batch Number";

static struct rf_arena *a;
static FILE *f;
static struct rf_csv *csv;
static struct rf_adyen_columns cols;

static void teardown(void)
{
    rf_csv_close(csv);
    if (f != NULL)
        fclose(f);
    rf_arena_destroy(a);
    csv = NULL;
    f = NULL;
    a = NULL;
}

TestSuite(adyen, .fini = teardown);

/* Reads the header and one line from text (kept in a static buffer); the line is returned. */
static struct rf_csv_row start(const char *head, const char *line)
{
    static char text[4096];
    struct rf_csv_row row;
    struct rf_error err;

    snprintf(text, sizeof text, "%s\n%s\n", head, line);
    a = rf_arena_create(0);
    f = fmemopen(text, strlen(text), "r");
    csv = rf_csv_open(f);
    rf_error_clear(&err);
    cr_assert_eq(rf_csv_next(csv, &row, &err), RF_READ_ITEM);
    cr_assert_eq(rf_adyen_columns_find(&row, &cols, &err), RF_OK, "%s", err.message);
    cr_assert_eq(rf_csv_next(csv, &row, &err), RF_READ_ITEM, "%s", err.message);
    return row;
}

static enum rf_code map(const struct rf_csv_row *row, struct rf_psp_record *r, bool *skipped,
                        struct rf_error *err)
{
    struct rf_adyen_context ctx = {
        .provider = "adyen", .taken_at_us = TAKEN_AT, .source = "batch_412.csv:2"};

    rf_error_clear(err);
    return rf_adyen_map(a, row, &cols, &ctx, r, skipped, err);
}

static struct rf_psp_record map_ok(const char *line)
{
    struct rf_csv_row row = start(header, line);
    struct rf_psp_record r;
    struct rf_error err;
    bool skipped = true;

    cr_assert_eq(map(&row, &r, &skipped, &err), RF_OK, "%s", err.message);
    cr_assert_not(skipped);
    return r;
}

static const char *map_error(const char *line)
{
    static struct rf_error err;
    struct rf_csv_row row = start(header, line);
    struct rf_psp_record r;
    bool skipped;

    cr_assert_eq(map(&row, &r, &skipped, &err), RF_INVALID_ARGUMENT, "%s", line);
    return err.message;
}

Test(adyen, a_refunded_line_is_a_succeeded_refund)
{
    struct rf_psp_record r = map_ok("ExampleShop,ExampleShopEU,8816178952380553,ORD-1001,visa,"
                                    "2026-11-21 15:02:47,CET,Refunded,8826179011234561,EUR,49.99,"
                                    ",1,EUR,50.11,,412");

    cr_assert_str_eq(r.provider, "adyen");
    cr_assert_str_eq(r.provider_refund_id, "8826179011234561");
    cr_assert_str_eq(r.payment_ref, "8816178952380553");
    cr_assert_eq(r.status, RF_PSP_SUCCEEDED);
    cr_assert_eq(r.amount_minor, 4999);
    cr_assert_str_eq(r.currency, "EUR");
    /* 15:02:47 CET is 14:02:47Z (Python: datetime(2026,11,21,14,2,47,tzinfo=utc)). */
    cr_assert_eq(r.created_at_us, 1795269767LL * RF_USEC_PER_SEC);
    cr_assert_eq(r.updated_at_us, TAKEN_AT);
    cr_assert_eq(r.reference_status, RF_PSP_REF_NONE, "the report carries no references");
    cr_assert_str_eq(r.reference, "");
    cr_assert_str_eq(r.source, "batch_412.csv:2");
}

Test(adyen, a_reversed_refund_is_credited_and_wins_over_its_refund)
{
    struct rf_psp_record r = map_ok("ExampleShop,ExampleShopEU,8876178612234567,ORD-4004,visa,"
                                    "2026-11-19 11:20:00,CET,RefundedReversed,8886178944567894,"
                                    "EUR,,25.00,1,EUR,,25.00,412");

    cr_assert_eq(r.status, RF_PSP_REVERSED);
    cr_assert_eq(r.amount_minor, 2500);
    cr_assert_eq(r.updated_at_us, TAKEN_AT + 1);
}

Test(adyen, zero_and_three_decimal_currencies_convert_exactly)
{
    struct rf_psp_record r = map_ok("S,JP,8836178830012345,ORD-2002,mc,2026-11-21 10:30:00,JST,"
                                    "Refunded,8846179022345672,JPY,8800,,1,JPY,8812,,412");

    cr_assert_eq(r.amount_minor, 8800);
    /* 10:30 JST is 01:30Z (Python: datetime(2026,11,21,1,30,tzinfo=utc).timestamp()). */
    cr_assert_eq(r.created_at_us, 1795224600LL * RF_USEC_PER_SEC);
    teardown();
    r = map_ok("S,KW,8856178711123456,ORD-3003,visa,2026-11-21 18:45:10,+03:00,Refunded,"
               "8866179033456783,KWD,12.345,,1,KWD,12.355,,412");
    cr_assert_eq(r.amount_minor, 12345);
    cr_assert_str_eq(r.currency, "KWD");
}

Test(adyen, columns_are_found_by_name_in_any_order)
{
    struct rf_csv_row row =
        start("Batch Number,Type,Gross Credit (GC),Extra Column,Gross Debit (GC),Gross Currency,"
              "TimeZone,Creation Date,Modification Reference,Psp Reference",
              "7,Refunded,,x,1.50,GBP,BST,2026-07-01 12:00:00,MOD1,PSP1");
    struct rf_psp_record r;
    struct rf_error err;
    bool skipped;

    cr_assert_eq(map(&row, &r, &skipped, &err), RF_OK, "%s", err.message);
    cr_assert_eq(r.amount_minor, 150);
    cr_assert_str_eq(r.provider_refund_id, "MOD1");
    cr_assert_str_eq(r.payment_ref, "PSP1");
}

Test(adyen, lines_that_are_not_refunds_are_skipped)
{
    static const char *const lines[] = {
        "S,EU,8816178952380553,ORD-1001,visa,2026-11-20 09:14:03,CET,Settled,8816178952380553,"
        "EUR,,49.99,1,EUR,,49.21,412",
        "S,EU,,,,2026-11-22 04:55:40,CET,Fee,Transaction Fees November 2026,EUR,,,,EUR,1.25,,412",
        "S,EU,,,,2026-11-22 05:00:00,CET,MerchantPayout,\"Payout, batch 412\",EUR,,,,EUR,,,412",
        "S,EU,1,O,visa,2026-11-22 05:00:00,CET,Chargeback,2,EUR,10.00,,1,EUR,10.00,,412",
    };

    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct rf_csv_row row = start(header, lines[i]);
        struct rf_psp_record r;
        struct rf_error err;
        bool skipped = false;

        cr_assert_eq(map(&row, &r, &skipped, &err), RF_OK, "%s", err.message);
        cr_assert(skipped, "%s", lines[i]);
        teardown();
    }
}

Test(adyen, faults_name_their_column)
{
    static const struct {
        const char *line, *message;
    } cases[] = {
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,,2,EUR,1.00,,1,EUR,1.00,,412", "Type: is empty"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,XYZ,Refunded,2,EUR,1.00,,1,EUR,1.00,,412",
         "TimeZone: unknown time zone \"XYZ\" (use UTC, an abbreviation such as CET or an offset "
         "such as +01:00)"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,,Refunded,2,EUR,1.00,,1,EUR,1.00,,412",
         "TimeZone: is empty"},
        {"S,EU,1,O,visa,21/11/2026 15:02,CET,Refunded,2,EUR,1.00,,1,EUR,1.00,,412",
         "Creation Date: must be YYYY-MM-DD HH:MM:SS"},
        {"S,EU,1,O,visa,2026-02-30 15:02:47,CET,Refunded,2,EUR,1.00,,1,EUR,1.00,,412",
         "Creation Date: must be YYYY-MM-DD HH:MM:SS"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,EUR,\"1,50\",,1,EUR,1.00,,412",
         "Gross Debit (GC): \"1,50\" is not a decimal number (digits with an optional '.' and "
         "decimals)"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,EUR,1.2.3,,1,EUR,1.00,,412",
         "Gross Debit (GC): \"1.2.3\" is not a decimal number (digits with an optional '.' and "
         "decimals)"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,EUR,10.005,,1,EUR,1.00,,412",
         "Gross Debit (GC): \"10.005\" has 3 decimal places; the currency has 2"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,JPY,88.5,,1,EUR,1.00,,412",
         "Gross Debit (GC): \"88.5\" has 1 decimal place; the currency has 0"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,EUR,,1.00,1,EUR,1.00,,412",
         "Gross Debit (GC): is empty (a Refunded line debits the amount)"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,RefundedReversed,2,EUR,1.00,,1,EUR,1.00,,412",
         "Gross Credit (GC): is empty (a RefundedReversed line credits the amount)"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,EUR,0.00,,1,EUR,1.00,,412",
         "Gross Debit (GC): must be more than zero"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,EURO,1.00,,1,EUR,1.00,,412",
         "Gross Currency: \"EURO\" is not an active ISO 4217 code"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,eur,1.00,,1,EUR,1.00,,412",
         "Gross Currency: \"eur\" is not an active ISO 4217 code"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,,EUR,1.00,,1,EUR,1.00,,412",
         "Modification Reference: is empty"},
        {"S,EU,1,O,visa,2026-11-21 15:02:47,CET,Refunded,2,EUR,1.00", "the line has 11 fields; "
                                                                      "the header has 17"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_assert_str_eq(map_error(cases[i].line), cases[i].message, "case %zu", i);
        teardown();
    }
}

Test(adyen, a_header_without_a_needed_column_is_refused)
{
    struct rf_adyen_columns c;
    struct rf_csv_row row;
    struct rf_error err;
    static char text[] = "Psp Reference,Type,Creation Date,TimeZone\n";

    f = fmemopen(text, strlen(text), "r");
    csv = rf_csv_open(f);
    a = rf_arena_create(0);
    rf_error_clear(&err);
    cr_assert_eq(rf_csv_next(csv, &row, &err), RF_READ_ITEM);
    cr_assert_eq(rf_adyen_columns_find(&row, &c, &err), RF_INVALID_ARGUMENT);
    cr_assert_str_eq(err.message, "header: missing column \"Modification Reference\" (is this a "
                                  "Settlement details report?)");
}

Test(adyen, a_header_naming_a_column_twice_is_refused)
{
    struct rf_adyen_columns c;
    struct rf_csv_row row;
    struct rf_error err;
    static char text[4096];

    snprintf(text, sizeof text, "%s,Type\n", header);
    f = fmemopen(text, strlen(text), "r");
    csv = rf_csv_open(f);
    a = rf_arena_create(0);
    rf_error_clear(&err);
    cr_assert_eq(rf_csv_next(csv, &row, &err), RF_READ_ITEM);
    cr_assert_eq(rf_adyen_columns_find(&row, &c, &err), RF_INVALID_ARGUMENT);
    cr_assert_str_eq(err.message, "header: column \"Type\" appears twice");
}

Test(adyen, time_zones_give_their_offsets)
{
    static const struct {
        const char *zone;
        int minutes;
    } want[] = {
        {"UTC", 0},          {"GMT", 0},         {"CET", 60},      {"CEST", 120},
        {"WET", 0},          {"WEST", 60},       {"EET", 120},     {"EEST", 180},
        {"BST", 60},         {"EST", -300},      {"EDT", -240},    {"CST", -360},
        {"CDT", -300},       {"MST", -420},      {"MDT", -360},    {"PST", -480},
        {"PDT", -420},       {"AEST", 600},      {"AEDT", 660},    {"JST", 540},
        {"SGT", 480},        {"+01:00", 60},     {"-05:30", -330}, {"+0100", 60},
        {"-0330", -210},     {"+01", 60},        {"+1", 60},       {"UTC+1", 60},
        {"GMT-03:00", -180}, {"UTC+05:45", 345}, {"+14:00", 840},  {"-12:00", -720},
    };

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int m = 9999;

        cr_assert(rf_adyen_zone_offset(want[i].zone, &m), "%s", want[i].zone);
        cr_assert_eq(m, want[i].minutes, "%s", want[i].zone);
    }
}

Test(adyen, unknown_or_ambiguous_zones_are_refused)
{
    static const char *const bad[] = {"",       "IST",   "AST",    "XYZ",  "cet",  "Europe/Paris",
                                      "+15:00", "+1:00", "+01:60", "UTC+", "+123", "CET+1"};
    int m;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_adyen_zone_offset(bad[i], &m), "\"%s\"", bad[i]);
}
