/*
 * Unit tests of the arrival windows (services/common/arrival.c): the
 * defaults the documentation promises, method names against the
 * refunds.v1.PaymentMethod descriptor, the override parser and its errors
 * (each quoting the bad entry, leaving the table unchanged), windows across
 * weekends, and the position of an instant at each end of a window.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/arrival.h"
#include "refunds/pb.h"
#include "refunds/timeutil.h"
#include "refunds/v1/cases.pb-c.h"
#include "test_time.h"

Test(arrival, defaults_are_those_docs_reconciliation_md_lists)
{
    static const struct {
        const char *method;
        int from, to;
    } want[] = {
        {"card", 5, 10},  {"bank_transfer", 1, 5}, {"direct_debit", 1, 5}, {"paypal", 0, 3},
        {"wallet", 0, 3}, {"cash", 0, 0},          {"store_credit", 0, 0}, {"other", 5, 10},
    };
    struct rf_arrival_table t;

    memset(&t, 0x5a, sizeof t);
    rf_arrival_table_init(&t);
    cr_assert_eq(memcmp(&t, rf_arrival_defaults(), sizeof t), 0);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        enum rf_arrival_method m;

        cr_assert(rf_arrival_method_parse(want[i].method, &m), "%s", want[i].method);
        cr_assert_eq(t.range[m].from_days, want[i].from, "%s", want[i].method);
        cr_assert_eq(t.range[m].to_days, want[i].to, "%s", want[i].method);
    }
}

Test(arrival, method_names_are_the_payment_method_short_names_in_lower_case)
{
    const ProtobufCEnumDescriptor *d = &refunds__v1__payment_method__descriptor;
    unsigned checked = 0;

    for (unsigned i = 0; i < d->n_values; i++) {
        const char *shortname = rf_pb_enum_short_name(d, d->values[i].value);
        char lower[64];
        enum rf_arrival_method m;
        size_t k;

        if (d->values[i].value == 0)
            continue;
        for (k = 0; shortname[k] != '\0' && k + 1 < sizeof lower; k++)
            lower[k] = (char)(shortname[k] >= 'A' && shortname[k] <= 'Z' ? shortname[k] + 32
                                                                         : shortname[k]);
        lower[k] = '\0';
        cr_assert(rf_arrival_method_parse(lower, &m), "no window for PaymentMethod %s", lower);
        cr_assert_str_eq(rf_arrival_method_name(m), lower);
        checked++;
    }
    cr_assert_eq(checked, RF_ARRIVAL_METHODS - 1, "only store_credit is not in the proto");
    cr_assert_str_eq(rf_arrival_method_name(RF_ARRIVAL_STORE_CREDIT), "store_credit");
}

Test(arrival, unknown_method_names_are_refused)
{
    static const char *const bad[] = {"", "CARD", "Card", "card ", "credit_card", "unspecified"};
    enum rf_arrival_method m;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(rf_arrival_method_parse(bad[i], &m), "\"%s\" accepted", bad[i]);
    cr_assert_not(rf_arrival_method_parse(NULL, &m));
    cr_assert_null(rf_arrival_method_name((enum rf_arrival_method)RF_ARRIVAL_METHODS));
    cr_assert_null(rf_arrival_method_name((enum rf_arrival_method) - 1));
}

Test(arrival, overrides_change_only_the_methods_they_name)
{
    struct rf_arrival_table t;
    struct rf_error err;

    rf_arrival_table_init(&t);
    rf_error_clear(&err);
    cr_assert_eq(rf_arrival_table_parse(&t, "card=3-7, paypal = 1 - 2 ,store_credit=0-1", &err),
                 RF_OK, "%s", err.message);
    cr_assert_eq(t.range[RF_ARRIVAL_CARD].from_days, 3);
    cr_assert_eq(t.range[RF_ARRIVAL_CARD].to_days, 7);
    cr_assert_eq(t.range[RF_ARRIVAL_PAYPAL].from_days, 1);
    cr_assert_eq(t.range[RF_ARRIVAL_PAYPAL].to_days, 2);
    cr_assert_eq(t.range[RF_ARRIVAL_STORE_CREDIT].to_days, 1);
    for (int m = 0; m < RF_ARRIVAL_METHODS; m++) {
        if (m == RF_ARRIVAL_CARD || m == RF_ARRIVAL_PAYPAL || m == RF_ARRIVAL_STORE_CREDIT)
            continue;
        cr_assert_eq(memcmp(&t.range[m], &rf_arrival_defaults()->range[m], sizeof t.range[m]), 0,
                     "%s changed", rf_arrival_method_name((enum rf_arrival_method)m));
    }
}

Test(arrival, an_empty_override_changes_nothing)
{
    struct rf_arrival_table t;
    struct rf_error err;

    rf_arrival_table_init(&t);
    cr_assert_eq(rf_arrival_table_parse(&t, "", &err), RF_OK);
    cr_assert_eq(rf_arrival_table_parse(&t, "   ", &err), RF_OK);
    cr_assert_eq(memcmp(&t, rf_arrival_defaults(), sizeof t), 0);
}

Test(arrival, the_largest_window_is_accepted)
{
    struct rf_arrival_table t;
    struct rf_error err;

    rf_arrival_table_init(&t);
    cr_assert_eq(rf_arrival_table_parse(&t, "other=400-400", &err), RF_OK, "%s", err.message);
    cr_assert_eq(t.range[RF_ARRIVAL_OTHER].from_days, RF_ARRIVAL_MAX_DAYS);
}

Test(arrival, bad_overrides_are_refused_naming_the_entry_and_change_nothing)
{
    static const struct {
        const char *spec, *quoted, *why;
    } bad[] = {
        {"card=5-10,bitcoin=1-2", "\"bitcoin=1-2\"", "unknown method \"bitcoin\""},
        {"CARD=5-10", "\"CARD=5-10\"", "unknown method"},
        {"card=10-5", "\"card=10-5\"", "first day is after the last"},
        {"card", "\"card\"", "method=from-to"},
        {"card=5", "\"card=5\"", "from-to"},
        {"card=5-", "\"card=5-\"", "from-to"},
        {"card=-5-10", "\"card=-5-10\"", "from-to"},
        {"card=5-10x", "\"card=5-10x\"", "from-to"},
        {"card=5 10", "\"card=5 10\"", "from-to"},
        {"card=1-401", "\"card=1-401\"", "0 to 400"},
        {"card=1-99999999999", "\"card=1-99999999999\"", "from-to"},
        {"card=5-10,card=1-2", "\"card=1-2\"", "card is given twice"},
        {"card=5-10,,paypal=0-3", "\"card=5-10,,paypal=0-3\"", "an entry is empty"},
        {"card=5-10,", "\"card=5-10,\"", "an entry is empty"},
        {"=5-10", "\"=5-10\"", "unknown method \"\""},
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct rf_arrival_table t;
        struct rf_error err;

        rf_arrival_table_init(&t);
        rf_error_clear(&err);
        cr_assert_eq(rf_arrival_table_parse(&t, bad[i].spec, &err), RF_INVALID_ARGUMENT,
                     "\"%s\" accepted", bad[i].spec);
        cr_assert_eq(err.code, RF_INVALID_ARGUMENT);
        cr_assert(strstr(err.message, bad[i].quoted) != NULL, "\"%s\": message \"%s\" lacks %s",
                  bad[i].spec, err.message, bad[i].quoted);
        cr_assert(strstr(err.message, bad[i].why) != NULL, "\"%s\": message \"%s\" lacks \"%s\"",
                  bad[i].spec, err.message, bad[i].why);
        cr_assert_eq(memcmp(&t, rf_arrival_defaults(), sizeof t), 0, "\"%s\" changed the table",
                     bad[i].spec);
    }
}

/* Expected ends from the Python business-day stepper in timeutil_test.c. */
Test(arrival, windows_count_business_days_from_success)
{
    static const struct {
        const char *method, *success, *from, *to;
    } cases[] = {
        /* Friday: the window keeps the time of day. */
        {"card", "2026-11-20T10:00:00Z", "2026-11-27T10:00:00Z", "2026-12-04T10:00:00Z"},
        /* Saturday: counted from Monday 00:00. */
        {"card", "2026-11-21T10:00:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z"},
        {"cash", "2026-11-21T10:00:00Z", "2026-11-23T00:00:00Z", "2026-11-23T00:00:00Z"},
        {"store_credit", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z"},
        /* No holiday calendar: Christmas Day counts. */
        {"bank_transfer", "2026-12-24T16:30:00Z", "2026-12-25T16:30:00Z", "2026-12-31T16:30:00Z"},
        {"paypal", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", "2026-11-26T10:00:00Z"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t from = 0, to = 0;

        cr_assert(rf_arrival_window(rf_arrival_defaults(), cases[i].method,
                                    test_at(cases[i].success), &from, &to),
                  "%s", cases[i].method);
        cr_assert_str_eq(test_text(from), cases[i].from, "%s %s", cases[i].method,
                         cases[i].success);
        cr_assert_str_eq(test_text(to), cases[i].to, "%s %s", cases[i].method, cases[i].success);
    }
}

Test(arrival, windows_follow_the_overrides)
{
    struct rf_arrival_table t;
    struct rf_error err;
    int64_t from = 0, to = 0;

    rf_arrival_table_init(&t);
    cr_assert_eq(rf_arrival_table_parse(&t, "card=1-2", &err), RF_OK);
    cr_assert(rf_arrival_window(&t, "card", test_at("2026-11-20T10:00:00Z"), &from, &to));
    cr_assert_str_eq(test_text(from), "2026-11-23T10:00:00Z");
    cr_assert_str_eq(test_text(to), "2026-11-24T10:00:00Z");
}

Test(arrival, a_window_of_an_unknown_method_is_refused_and_nothing_written)
{
    int64_t from = 7, to = 8;

    cr_assert_not(rf_arrival_window(rf_arrival_defaults(), "cheque", 0, &from, &to));
    cr_assert_not(rf_arrival_window(rf_arrival_defaults(), NULL, 0, &from, &to));
    cr_assert_eq(from, 7);
    cr_assert_eq(to, 8);
}

Test(arrival, window_position_includes_both_ends)
{
    int64_t from = test_at("2026-11-27T10:00:00Z"), to = test_at("2026-12-04T10:00:00Z");

    cr_assert_eq(rf_window_position(from, to, from - RF_USEC_PER_SEC), RF_WINDOW_BEFORE);
    cr_assert_eq(rf_window_position(from, to, from - 1), RF_WINDOW_BEFORE);
    cr_assert_eq(rf_window_position(from, to, from), RF_WINDOW_INSIDE);
    cr_assert_eq(rf_window_position(from, to, to), RF_WINDOW_INSIDE);
    cr_assert_eq(rf_window_position(from, to, to + 1), RF_WINDOW_PAST);
    cr_assert_eq(rf_window_position(from, to, to + RF_USEC_PER_SEC), RF_WINDOW_PAST);
    /* A 0-0 window is one instant. */
    cr_assert_eq(rf_window_position(to, to, to), RF_WINDOW_INSIDE);
    cr_assert_eq(rf_window_position(to, to, to + RF_USEC_PER_SEC), RF_WINDOW_PAST);
}

Test(arrival, window_positions_have_names)
{
    cr_assert_str_eq(rf_window_position_name(RF_WINDOW_BEFORE), "BEFORE");
    cr_assert_str_eq(rf_window_position_name(RF_WINDOW_INSIDE), "INSIDE");
    cr_assert_str_eq(rf_window_position_name(RF_WINDOW_PAST), "PAST");
    cr_assert_null(rf_window_position_name((enum rf_window_position)3));
}
