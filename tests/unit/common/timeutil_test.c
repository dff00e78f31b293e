/*
 * Unit tests of the calendar conversions and time text forms
 * (services/common/timeutil.c): day counts against known dates, RFC 3339 and
 * PostgreSQL round trips (before 1970, leap days, the Timestamp range),
 * offsets, fractions and rejected inputs; business days across weekends,
 * month and year ends, leap days and before 1970, with zero and negative
 * counts. The clocks are not tested here.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "refunds/timeutil.h"

#define DAY_US  (86400LL * RF_USEC_PER_SEC)
#define HOUR_US (3600LL * RF_USEC_PER_SEC)

Test(timeutil, days_from_civil_agrees_with_known_dates)
{
    /*
     * Computed independently with Python:
     *   (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days
     */
    static const struct {
        int64_t y;
        unsigned m, d;
        int64_t days;
    } want[] = {
        {1970, 1, 1, 0},         {1969, 12, 31, -1},    {2000, 2, 29, 11016},
        {2000, 3, 1, 11017},     {1900, 3, 1, -25508},  {1, 1, 1, -719162},
        {9999, 12, 31, 2932896}, {2026, 11, 22, 20779}, {1600, 2, 29, -135081},
        {1582, 10, 15, -141427},
    };

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_eq(rf_days_from_civil(want[i].y, want[i].m, want[i].d), want[i].days,
                     "%04lld-%02u-%02u", (long long)want[i].y, want[i].m, want[i].d);
}

static const char *rfc3339(int64_t us)
{
    static char buf[64];
    int n = rf_time_format_rfc3339(us, buf, sizeof buf);

    cr_assert_eq((size_t)n, strlen(buf));
    return buf;
}

static const char *sql(int64_t us)
{
    static char buf[64];
    int n = rf_time_format_sql(us, buf, sizeof buf);

    cr_assert_eq((size_t)n, strlen(buf));
    return buf;
}

Test(timeutil, formats_rfc3339_with_a_fraction_only_when_needed)
{
    /* 1795341600 is 2026-11-22T10:00:00Z (Python: datetime(2026,11,22,10,tzinfo=utc).timestamp()).
     */
    int64_t t = 1795341600LL * RF_USEC_PER_SEC;

    cr_assert_str_eq(rfc3339(0), "1970-01-01T00:00:00Z");
    cr_assert_str_eq(rfc3339(1), "1970-01-01T00:00:00.000001Z");
    cr_assert_str_eq(rfc3339(t), "2026-11-22T10:00:00Z");
    cr_assert_str_eq(rfc3339(t + 123456), "2026-11-22T10:00:00.123456Z");
}

Test(timeutil, formats_times_before_1970)
{
    cr_assert_str_eq(rfc3339(-1), "1969-12-31T23:59:59.999999Z");
    cr_assert_str_eq(rfc3339(-DAY_US), "1969-12-31T00:00:00Z");
    cr_assert_str_eq(rfc3339(-25508 * DAY_US + 1), "1900-03-01T00:00:00.000001Z");
    cr_assert_str_eq(rfc3339(RF_TIME_MIN_US), "0001-01-01T00:00:00Z");
    cr_assert_str_eq(rfc3339(RF_TIME_MAX_US), "9999-12-31T23:59:59.999999Z");
}

Test(timeutil, formats_leap_days)
{
    cr_assert_str_eq(rfc3339(11016 * DAY_US + 12 * HOUR_US), "2000-02-29T12:00:00Z");
    cr_assert_str_eq(rfc3339(-135081 * DAY_US), "1600-02-29T00:00:00Z");
}

static const int64_t samples[] = {
    0,
    1,
    -1,
    999999,
    -999999,
    -1000000,
    86399LL * RF_USEC_PER_SEC + 999999,
    -DAY_US,
    11016 * DAY_US,               /* 2000-02-29 */
    11016 * DAY_US + DAY_US - 1,  /* its last microsecond */
    19782 * DAY_US + 5 * HOUR_US, /* 2024-02-29T05:00:00Z */
    -135081 * DAY_US + 7,         /* 1600-02-29 */
    -25508 * DAY_US - 1,          /* 1900-02-28T23:59:59.999999Z */
    1795341600123456LL,
    RF_TIME_MIN_US,
    RF_TIME_MIN_US + 1,
    RF_TIME_MAX_US,
    RF_TIME_MAX_US - 999999,
};

Test(timeutil, rfc3339_round_trips)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        int64_t back = 42;
        const char *s = rfc3339(samples[i]);

        cr_assert(rf_time_parse_rfc3339(s, &back), "%s did not parse", s);
        cr_assert_eq(back, samples[i], "%s gave %lld, not %lld", s, (long long)back,
                     (long long)samples[i]);
    }
}

Test(timeutil, rfc3339_round_trips_over_many_times)
{
    /* A fixed LCG over the whole Timestamp range, so a failure is repeatable. */
    uint64_t x = 0x9e3779b97f4a7c15u;
    uint64_t span = (uint64_t)(RF_TIME_MAX_US - RF_TIME_MIN_US);

    for (int i = 0; i < 20000; i++) {
        int64_t t, back = 0;
        const char *s;

        x = x * 6364136223846793005u + 1442695040888963407u;
        t = RF_TIME_MIN_US + (int64_t)((x >> 1) % span);
        s = rfc3339(t);
        cr_assert(rf_time_parse_rfc3339(s, &back), "%s did not parse", s);
        cr_assert_eq(back, t, "%s", s);
        s = sql(t);
        cr_assert(rf_time_parse_sql(s, &back), "%s did not parse", s);
        cr_assert_eq(back, t, "%s", s);
    }
}

Test(timeutil, sql_form_round_trips)
{
    cr_assert_str_eq(sql(0), "1970-01-01 00:00:00.000000+00");
    cr_assert_str_eq(sql(1795341600123456LL), "2026-11-22 10:00:00.123456+00");
    cr_assert_str_eq(sql(-1), "1969-12-31 23:59:59.999999+00");
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        int64_t back = 42;
        const char *s = sql(samples[i]);

        cr_assert(rf_time_parse_sql(s, &back), "%s did not parse", s);
        cr_assert_eq(back, samples[i], "%s", s);
    }
}

Test(timeutil, sql_parse_accepts_what_postgresql_prints)
{
    int64_t us = 0;

    /* PostgreSQL drops trailing zeros of the fraction, and the fraction when it is zero. */
    cr_assert(rf_time_parse_sql("2026-11-22 10:00:00+00", &us));
    cr_assert_eq(us, 1795341600LL * RF_USEC_PER_SEC);
    cr_assert(rf_time_parse_sql("2026-11-22 10:00:00.5+00", &us));
    cr_assert_eq(us, 1795341600LL * RF_USEC_PER_SEC + 500000);
}

Test(timeutil, sql_parse_rejects_other_forms)
{
    static const char *const bad[] = {
        "2026-11-22T10:00:00+00",
        "2026-11-22 10:00:00+01",
        "2026-11-22 10:00:00",
        "2026-11-22 10:00:00Z",
        "2026-11-22",
        "2026-11-22 10:00:00+00 ",
        "2026-02-29 10:00:00+00",
        "",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us;

        cr_assert_not(rf_time_parse_sql(bad[i], &us), "\"%s\" was accepted", bad[i]);
    }
}

static int64_t parse(const char *s)
{
    int64_t us = 0;

    cr_assert(rf_time_parse_rfc3339(s, &us), "\"%s\" was rejected", s);
    return us;
}

Test(timeutil, rfc3339_offsets_are_applied)
{
    int64_t utc = parse("2026-11-22T09:00:00.5Z");

    cr_assert_eq(parse("2026-11-22T10:00:00.5+01:00"), utc);
    cr_assert_eq(parse("2026-11-22T03:30:00.5-05:30"), utc);
    cr_assert_eq(parse("2026-11-22T09:00:00.5+00:00"), utc);
    cr_assert_eq(parse("2026-11-22T09:00:00.5-00:00"), utc);
    /* Across a day and a year boundary. */
    cr_assert_eq(parse("2027-01-01T00:30:00+01:00"), parse("2026-12-31T23:30:00Z"));
    cr_assert_eq(parse("1969-12-31T20:00:00-04:00"), 0);
}

Test(timeutil, rfc3339_accepts_lower_case_t_and_z)
{
    cr_assert_eq(parse("2026-11-22t10:00:00z"), parse("2026-11-22T10:00:00Z"));
}

Test(timeutil, rfc3339_fractions_are_scaled_and_truncated_to_microseconds)
{
    int64_t base = parse("2026-11-22T10:00:00Z");

    cr_assert_eq(parse("2026-11-22T10:00:00.5Z") - base, 500000);
    cr_assert_eq(parse("2026-11-22T10:00:00.000001Z") - base, 1);
    cr_assert_eq(parse("2026-11-22T10:00:00.1234569Z") - base, 123456);
    cr_assert_eq(parse("2026-11-22T10:00:00.999999999Z") - base, 999999);
}

Test(timeutil, a_bare_date_is_midnight_utc)
{
    cr_assert_eq(parse("2026-11-22"), 20779 * DAY_US);
    cr_assert_eq(parse("1969-12-31"), -DAY_US);
}

Test(timeutil, leap_days_are_accepted_only_in_leap_years)
{
    int64_t us;

    cr_assert_eq(parse("2000-02-29T00:00:00Z"), 11016 * DAY_US);
    cr_assert_eq(parse("2024-02-29T00:00:00Z"), 19782 * DAY_US);
    cr_assert_eq(parse("1600-02-29T00:00:00Z"), -135081 * DAY_US);
    cr_assert_not(rf_time_parse_rfc3339("2026-02-29T00:00:00Z", &us));
    cr_assert_not(rf_time_parse_rfc3339("2026-02-29", &us));
    cr_assert_not(rf_time_parse_rfc3339("1900-02-29T00:00:00Z", &us));
    cr_assert_not(rf_time_parse_rfc3339("2100-02-29T00:00:00Z", &us));
}

Test(timeutil, rfc3339_rejects_invalid_dates_and_times)
{
    static const char *const bad[] = {
        "2026-02-30T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T10:60:00Z",
        "2026-01-01T10:00:60Z",
        "2026-1-01T00:00:00Z",
        "26-01-01T00:00:00Z",
        "2026-01-01T10:00Z",
        "2026-01-01T10:00:00.Z",
        "2026-01-01T10:00:00+0100",
        "2026-01-01T10:00:00+24:00",
        "2026-01-01T10:00:00+01:60",
        "2026-01-01T10:00:00Z ",
        " 2026-01-01T10:00:00Z",
        "2026-01-01 10:00:00Z",
        "2026/01/01",
        "",
        "2026-01-01T10:00:00ZZ",
        "2026-01-01T10:00:00+01",
        "yyyy-mm-ddThh:mm:ssZ",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us = 7;

        cr_assert_not(rf_time_parse_rfc3339(bad[i], &us), "\"%s\" was accepted", bad[i]);
        cr_assert_eq(us, 7, "\"%s\" wrote the result", bad[i]);
    }
}

/*
 * RFC 3339 section 5.6: a date-time always has a time offset. A local time
 * read as UTC would be silently wrong by the sender's offset.
 */
Test(timeutil, rfc3339_rejects_a_date_time_without_an_offset)
{
    int64_t us;

    cr_assert_not(rf_time_parse_rfc3339("2026-11-22T10:00:00", &us));
    cr_assert_not(rf_time_parse_rfc3339("2026-11-22T10:00:00.5", &us));
}

/* Neither RFC 3339 nor a bare date: an offset needs a time to apply to. */
Test(timeutil, rfc3339_rejects_a_bare_date_with_an_offset)
{
    int64_t us;

    cr_assert_not(rf_time_parse_rfc3339("2026-11-22Z", &us));
    cr_assert_not(rf_time_parse_rfc3339("2026-11-22+01:00", &us));
}

/*
 * Known answers computed independently with Python's datetime, stepping one
 * calendar day at a time (not the formula under test):
 *
 *   def add(dt, n):
 *       if dt.weekday() >= 5:   # a weekend instant counts as Monday 00:00
 *           dt = (dt + timedelta(days=7 - dt.weekday())).replace(
 *               hour=0, minute=0, second=0, microsecond=0)
 *       step = 1 if n > 0 else -1
 *       for _ in range(abs(n)):
 *           dt += timedelta(days=step)
 *           while dt.weekday() >= 5:
 *               dt += timedelta(days=step)
 *       return dt
 *
 * 2026-11-20 is a Friday, 2026-11-21 a Saturday, 2026-11-23 a Monday.
 */
Test(timeutil, business_days_add_agrees_with_known_answers)
{
    static const struct {
        const char *start;
        int days;
        const char *want;
    } cases[] = {
        /* The rule of the header: weekday keeps its time, weekend starts on Monday 00:00. */
        {"2026-11-20T10:00:00Z", 1, "2026-11-23T10:00:00Z"},
        {"2026-11-19T10:00:00Z", 1, "2026-11-20T10:00:00Z"},
        {"2026-11-21T10:00:00Z", 1, "2026-11-24T00:00:00Z"},
        {"2026-11-21T10:00:00Z", 0, "2026-11-23T00:00:00Z"},
        {"2026-11-22T23:59:59.999999Z", 0, "2026-11-23T00:00:00Z"},
        {"2026-11-23T00:00:00Z", 0, "2026-11-23T00:00:00Z"},
        {"2026-11-20T23:59:59.999999Z", 0, "2026-11-20T23:59:59.999999Z"},
        {"2026-11-20T23:59:59.999999Z", 1, "2026-11-23T23:59:59.999999Z"},
        {"2026-11-23T10:00:00Z", 5, "2026-11-30T10:00:00Z"},
        {"2026-11-23T10:00:00Z", 10, "2026-12-07T10:00:00Z"},
        {"2026-11-21T10:00:00Z", 10, "2026-12-07T00:00:00Z"},
        {"2026-11-23T10:00:00Z", 261, "2027-11-23T10:00:00Z"},
        /* Backwards. */
        {"2026-11-23T10:00:00Z", -1, "2026-11-20T10:00:00Z"},
        {"2026-11-22T23:00:00Z", -1, "2026-11-20T00:00:00Z"},
        {"2026-11-21T10:00:00Z", -5, "2026-11-16T00:00:00Z"},
        {"2026-11-25T08:30:00Z", -3, "2026-11-20T08:30:00Z"},
        /* Month and year ends. */
        {"2026-01-30T15:00:00Z", 1, "2026-02-02T15:00:00Z"},
        {"2026-02-27T12:00:00Z", 1, "2026-03-02T12:00:00Z"},
        {"2026-02-28T12:00:00Z", 3, "2026-03-05T00:00:00Z"},
        {"2026-12-31T09:00:00Z", 2, "2027-01-04T09:00:00Z"},
        {"2026-12-26T09:00:00Z", 5, "2027-01-04T00:00:00Z"},
        {"2027-01-01T09:00:00Z", -1, "2026-12-31T09:00:00Z"},
        /* Leap days. */
        {"2024-02-28T12:00:00Z", 1, "2024-02-29T12:00:00Z"},
        {"2024-02-28T12:00:00Z", 2, "2024-03-01T12:00:00Z"},
        {"2024-02-29T12:00:00Z", 1, "2024-03-01T12:00:00Z"},
        {"2024-03-01T12:00:00Z", -1, "2024-02-29T12:00:00Z"},
        {"2028-02-26T12:00:00Z", 2, "2028-03-01T00:00:00Z"},
        /* The epoch was a Thursday; negative microseconds. */
        {"1970-01-01T00:00:00Z", 1, "1970-01-02T00:00:00Z"},
        {"1970-01-02T12:00:00Z", 1, "1970-01-05T12:00:00Z"},
        {"1969-12-27T12:00:00Z", 0, "1969-12-29T00:00:00Z"},
        {"1969-12-31T23:59:59Z", 3, "1970-01-05T23:59:59Z"},
        {"1900-03-01T06:00:00Z", -2, "1900-02-27T06:00:00Z"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = rf_business_days_add(parse(cases[i].start), cases[i].days);

        cr_assert_str_eq(rfc3339(got), cases[i].want, "%s %+d", cases[i].start, cases[i].days);
    }
}

/*
 * Known answers from Python: the weekday microseconds between the two
 * instants (summing each weekday's overlap with [from, to]) floor-divided by
 * a day, negated when to is before from.
 */
Test(timeutil, business_days_between_agrees_with_known_answers)
{
    static const struct {
        const char *from, *to;
        int want;
    } cases[] = {
        {"2026-11-20T10:00:00Z", "2026-11-23T09:59:59Z", 0},
        {"2026-11-20T10:00:00Z", "2026-11-23T10:00:00Z", 1},
        {"2026-11-21T10:00:00Z", "2026-11-22T20:00:00Z", 0},
        {"2026-11-21T10:00:00Z", "2026-11-24T00:00:00Z", 1},
        {"2026-11-20T00:00:00Z", "2026-11-21T10:00:00Z", 1},
        {"2026-11-23T10:00:00Z", "2026-11-20T10:00:00Z", -1},
        {"2026-11-24T00:00:00Z", "2026-11-21T10:00:00Z", -1},
        {"2026-11-23T10:00:00Z", "2026-12-07T10:00:00Z", 10},
        {"2026-11-23T10:00:00Z", "2026-12-07T09:00:00Z", 9},
        {"2026-12-30T12:00:00Z", "2027-01-05T12:00:00Z", 4},
        {"2024-02-28T00:00:00Z", "2024-03-04T00:00:00Z", 3},
        {"2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", 0},
        {"2026-11-23T10:00:00Z", "2027-11-23T10:00:00Z", 261},
        {"1969-12-25T00:00:00Z", "1970-01-08T00:00:00Z", 10},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(rf_business_days_between(parse(cases[i].from), parse(cases[i].to)),
                     cases[i].want, "%s to %s", cases[i].from, cases[i].to);
}

/* True when us falls on a Saturday or Sunday (days since the epoch: Thursday is 0). */
static bool on_weekend(int64_t us)
{
    int64_t days = us / DAY_US - (us % DAY_US < 0);
    int64_t wd = ((days % 7) + 7 + 3) % 7; /* Monday 0 */

    return wd >= 5;
}

Test(timeutil, business_days_between_inverts_add_over_many_times)
{
    /* A fixed LCG over 1900 to 2100, so a failure is repeatable. */
    uint64_t x = 0x2545f4914f6cdd1du;
    int64_t lo = parse("1900-01-01T00:00:00Z"), span = parse("2100-01-01T00:00:00Z") - lo;

    for (int i = 0; i < 20000; i++) {
        int64_t t, sum;
        int n;

        x = x * 6364136223846793005u + 1442695040888963407u;
        t = lo + (int64_t)((x >> 1) % (uint64_t)span);
        n = (int)((x >> 40) % 801) - 400;
        sum = rf_business_days_add(t, n);
        cr_assert_not(on_weekend(sum), "%s %+d fell on a weekend", rfc3339(t), n);
        cr_assert_eq(rf_business_days_between(t, sum), n, "%s %+d", rfc3339(t), n);
        cr_assert_eq(rf_business_days_between(sum, t), -n, "%s %+d", rfc3339(t), n);
        /* The clock never runs backwards. */
        cr_assert_geq(rf_business_days_add(t, n + 1), sum, "%s %+d", rfc3339(t), n);
    }
}

Test(timeutil, business_days_add_of_zero_keeps_weekday_instants)
{
    int64_t t = parse("2026-11-20T23:59:59.999999Z");

    for (int i = 0; i < 5 * 24; i++) {
        int64_t u = t - (int64_t)i * HOUR_US; /* back through Friday to Monday */

        cr_assert_eq(rf_business_days_add(u, 0), u, "%s", rfc3339(u));
    }
}

Test(timeutil, business_days_are_clamped_to_the_timestamp_range)
{
    cr_assert_eq(rf_business_days_add(RF_TIME_MAX_US, 1000000000), RF_TIME_MAX_US);
    cr_assert_eq(rf_business_days_add(RF_TIME_MIN_US, -1000000000), RF_TIME_MIN_US);
    cr_assert_eq(rf_business_days_add(INT64_MAX, 0), RF_TIME_MAX_US);
    cr_assert_eq(rf_business_days_add(INT64_MIN, 0), RF_TIME_MIN_US);
    cr_assert_str_eq(rfc3339(rf_business_days_add(0, INT32_MAX)), "9999-12-31T23:59:59.999999Z");
    /* 0001-01-01 was a Monday: one business day before it is outside the range. */
    cr_assert_eq(rf_business_days_add(RF_TIME_MIN_US + HOUR_US, -1), RF_TIME_MIN_US);
    cr_assert_gt(rf_business_days_between(RF_TIME_MIN_US, RF_TIME_MAX_US), 2600000);
    cr_assert_eq(rf_business_days_between(INT64_MIN, INT64_MAX),
                 rf_business_days_between(RF_TIME_MIN_US, RF_TIME_MAX_US));
}
