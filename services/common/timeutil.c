/*
 * Clocks and calendar conversions on int64 microseconds since the epoch (see
 * include/refunds/timeutil.h). The civil-date algorithms are Howard Hinnant's
 * well-known day-count formulas, valid for the whole proleptic Gregorian range.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "refunds/timeutil.h"

int64_t rf_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * RF_USEC_PER_SEC + ts.tv_nsec / 1000;
}

int64_t rf_monotonic_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * RF_USEC_PER_SEC + ts.tv_nsec / 1000;
}

void rf_sleep_ms(long long ms)
{
    struct timespec left = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    if (ms <= 0)
        return;
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}

int64_t rf_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

struct parts {
    int64_t year;
    unsigned month, day, hour, min, sec;
    long usec;
};

static void split(int64_t us, struct parts *p)
{
    int64_t secs = us / RF_USEC_PER_SEC, rem = us % RF_USEC_PER_SEC;
    int64_t days, sod;

    if (rem < 0) {
        rem += RF_USEC_PER_SEC;
        secs -= 1;
    }
    days = secs / 86400;
    sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days -= 1;
    }
    civil_from_days(days, &p->year, &p->month, &p->day);
    p->hour = (unsigned)(sod / 3600);
    p->min = (unsigned)(sod / 60 % 60);
    p->sec = (unsigned)(sod % 60);
    p->usec = (long)rem;
}

void rf_time_civil_date(int64_t us, int64_t *year, unsigned *month, unsigned *day)
{
    struct parts p;

    split(us, &p);
    *year = p.year;
    *month = p.month;
    *day = p.day;
}

int rf_time_format_rfc3339(int64_t us, char *buf, size_t size)
{
    struct parts p;

    split(us, &p);
    if (p.usec == 0)
        return snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)p.year, p.month,
                        p.day, p.hour, p.min, p.sec);
    return snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02u.%06ldZ", (long long)p.year, p.month,
                    p.day, p.hour, p.min, p.sec, p.usec);
}

int rf_time_format_sql(int64_t us, char *buf, size_t size)
{
    struct parts p;

    split(us, &p);
    return snprintf(buf, size, "%04lld-%02u-%02u %02u:%02u:%02u.%06ld+00", (long long)p.year,
                    p.month, p.day, p.hour, p.min, p.sec, p.usec);
}

/* Reads exactly n digits at *s into *v and advances *s. */
static bool digits(const char **s, int n, unsigned *v)
{
    unsigned x = 0;

    for (int i = 0; i < n; i++) {
        char c = (*s)[i];

        if (c < '0' || c > '9')
            return false;
        x = x * 10 + (unsigned)(c - '0');
    }
    *s += n;
    *v = x;
    return true;
}

static bool days_in_month_ok(unsigned y, unsigned m, unsigned d)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/*
 * Parses "YYYY-MM-DD" then, when sep is found, "hh:mm:ss[.frac]"; leaves *s
 * after what was read. sep is 'T' (also 't') for RFC 3339, ' ' for PostgreSQL.
 */
static bool parse_datetime(const char **s, char sep, bool time_required, int64_t *us)
{
    unsigned y, mo, d, h = 0, mi = 0, se = 0;
    long frac = 0;
    const char *p = *s;

    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || !days_in_month_ok(y, mo, d))
        return false;
    if (*p == sep || (sep == 'T' && *p == 't')) {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
            !digits(&p, 2, &se) || h > 23 || mi > 59 || se > 59)
            return false;
        if (*p == '.') {
            int n = 0;

            p++;
            if (*p < '0' || *p > '9')
                return false;
            for (; *p >= '0' && *p <= '9'; p++, n++) {
                if (n < 6)
                    frac = frac * 10 + (*p - '0');
            }
            for (; n < 6; n++)
                frac *= 10;
        }
    } else if (time_required) {
        return false;
    }
    *us = (rf_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * RF_USEC_PER_SEC + frac;
    *s = p;
    return true;
}

bool rf_time_parse_rfc3339(const char *s, int64_t *us)
{
    int64_t t;
    unsigned oh, om;
    int sign;
    const char *start = s;

    if (!parse_datetime(&s, 'T', false, &t))
        return false;
    /* A bare date is midnight UTC and ends there; a date-time needs its offset (RFC 3339). */
    if (s - start == 10) {
        if (*s != '\0')
            return false;
        *us = t;
        return true;
    }
    if ((*s == 'Z' || *s == 'z') && s[1] == '\0') {
        *us = t;
        return true;
    }
    if (*s != '+' && *s != '-')
        return false;
    sign = *s++ == '+' ? 1 : -1;
    if (!digits(&s, 2, &oh) || *s++ != ':' || !digits(&s, 2, &om) || *s != '\0' || oh > 23 ||
        om > 59)
        return false;
    *us = t - sign * (int64_t)(oh * 3600 + om * 60) * RF_USEC_PER_SEC;
    return true;
}

bool rf_time_parse_sql(const char *s, int64_t *us)
{
    int64_t t;

    if (!parse_datetime(&s, ' ', true, &t))
        return false;
    if (strcmp(s, "+00") != 0)
        return false;
    *us = t;
    return true;
}

/*
 * Business time: microseconds of weekday elapsed since Monday 1969-12-29
 * 00:00 UTC, the Monday before the epoch. Weekends add nothing, so every
 * Saturday and Sunday instant has the business time of the Monday 00:00
 * after it. Days since the epoch d fall on weekday (d + 3) mod 7, Monday 0:
 * 1970-01-01 was a Thursday.
 */
#define DAY_US        (86400LL * RF_USEC_PER_SEC)
#define BUSINESS_WEEK (5 * DAY_US)

static int64_t clamp_time(int64_t us)
{
    return us < RF_TIME_MIN_US ? RF_TIME_MIN_US : us > RF_TIME_MAX_US ? RF_TIME_MAX_US : us;
}

/* Floor division and its non-negative remainder, for times before the epoch. */
static int64_t floor_div(int64_t a, int64_t b, int64_t *rem)
{
    int64_t q = a / b, r = a % b;

    if (r < 0) {
        r += b;
        q -= 1;
    }
    *rem = r;
    return q;
}

static int64_t business_time(int64_t us)
{
    int64_t sod, wd;
    int64_t days = floor_div(us, DAY_US, &sod);
    int64_t week = floor_div(days + 3, 7, &wd);

    return week * BUSINESS_WEEK + (wd < 5 ? wd * DAY_US + sod : BUSINESS_WEEK);
}

/* The weekday instant whose business time is b. */
static int64_t from_business_time(int64_t b)
{
    int64_t r, week = floor_div(b, BUSINESS_WEEK, &r);

    return (week * 7 + r / DAY_US - 3) * DAY_US + r % DAY_US;
}

int64_t rf_business_days_add(int64_t us, int days)
{
    /*
     * The Timestamp range is about 2.6 million business days long: clamping
     * days to 4 million keeps days * DAY_US far from overflowing, and the
     * result is clamped anyway.
     */
    int64_t n = days > 4000000 ? 4000000 : days < -4000000 ? -4000000 : days;

    return clamp_time(from_business_time(business_time(clamp_time(us)) + n * DAY_US));
}

int rf_business_days_between(int64_t from_us, int64_t to_us)
{
    int64_t d = business_time(clamp_time(to_us)) - business_time(clamp_time(from_us));

    return (int)(d / DAY_US);
}
