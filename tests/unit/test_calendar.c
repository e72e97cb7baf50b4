/*
 * test_calendar.c — unit tests for calendar.c across PostgreSQL's whole
 * range (4714-11-24 BC .. 5874897-12-31 for dates, 294276-12-31 for
 * timestamps).
 *
 * References, independent of the code under test:
 *  - Python's datetime (date.toordinal() - date(1970, 1, 1).toordinal())
 *    for years 1..9999 (ANCHORS);
 *  - the Gregorian calendar repeats every 400 years (146097 days) exactly,
 *    which carries those anchors to every year PostgreSQL accepts;
 *  - PostgreSQL 15's own send output (the vectors of test_value.c, checked
 *    by value_vectors.py) for the ends of its range;
 *  - a day-by-day walk with a naive successor function (the next day of
 *    the month, or the first of the next month) over the whole date range.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/calendar.h"
#include "cli/tail.h"

typedef struct {
    int64_t year;
    int month, day;
    int64_t days; /* since 1970-01-01 */
} anchor_t;

/* From Python 3: date(y, m, d).toordinal() - date(1970, 1, 1).toordinal(). */
static const anchor_t ANCHORS[] = {
    {1, 1, 1, -719162},      {1, 2, 28, -719104},      {1, 3, 1, -719103},
    {4, 2, 29, -718008},     {100, 2, 28, -682945},    {100, 3, 1, -682944},
    {400, 2, 29, -573372},   {1582, 10, 15, -141427},  {1600, 2, 29, -135081},
    {1899, 12, 31, -25568},  {1900, 3, 1, -25508},     {1969, 12, 31, -1},
    {1970, 1, 1, 0},         {2000, 1, 1, 10957},      {2000, 2, 29, 11016},
    {2000, 3, 1, 11017},     {2024, 2, 29, 19782},     {2100, 3, 1, 47541},
    {2400, 12, 31, 157419},  {9999, 12, 31, 2932896},
};

#define N_ANCHORS (sizeof(ANCHORS) / sizeof(ANCHORS[0]))
#define FIRST_DAY INT64_C(-2440588) /* 4714-11-24 BC (year -4713) */
#define LAST_DAY INT64_C(2145042905) /* 5874897-12-31 */
#define LAST_TIMESTAMP_DAY INT64_C(106762939) /* 294276-12-31 */

static void test_python_anchors(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ANCHORS; i++) {
        const anchor_t *a = &ANCHORS[i];
        int64_t year;
        int month, day;

        assert_int_equal(tw_calendar_days_from_civil(a->year, a->month, a->day), a->days);
        tw_calendar_civil_from_days(a->days, &year, &month, &day);
        assert_int_equal(year, a->year);
        assert_int_equal(month, a->month);
        assert_int_equal(day, a->day);
    }
}

/* Each anchor moved by whole 400-year cycles to every year PostgreSQL has,
 * BC ones included. */
static void test_400_year_cycles(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ANCHORS; i++) {
        const anchor_t *a = &ANCHORS[i];
        for (int64_t k = -13; k <= 14688; k++) {
            int64_t year = a->year + 400 * k, days = a->days + 146097 * k, y;
            int month, day;

            if (days < FIRST_DAY || days > LAST_DAY)
                continue;
            assert_int_equal(tw_calendar_days_from_civil(year, a->month, a->day), days);
            tw_calendar_civil_from_days(days, &y, &month, &day);
            assert_int_equal(y, year);
            assert_int_equal(month, a->month);
            assert_int_equal(day, a->day);
        }
    }
}

/* The ends of PostgreSQL's range, as its send functions encode them. */
static void test_postgres_extremes(void **state)
{
    int64_t year;
    int month, day;

    (void)state;
    /* date '4714-11-24 BC' is int32 0xffda97a7 days since 2000 */
    assert_int_equal(tw_calendar_days_from_civil(-4713, 11, 24),
                     (int64_t)(int32_t)0xffda97a7 + TW_CALENDAR_PG_EPOCH_DAYS);
    /* date '5874897-12-31' is 0x7fda970c */
    assert_int_equal(tw_calendar_days_from_civil(5874897, 12, 31),
                     (int64_t)0x7fda970c + TW_CALENDAR_PG_EPOCH_DAYS);
    tw_calendar_civil_from_days(LAST_DAY, &year, &month, &day);
    assert_int_equal(year, 5874897);
    assert_int_equal(month, 12);
    assert_int_equal(day, 31);
    /* timestamp '294276-12-31 23:59:59.999999' is 0x7fffff5bb3b29fff */
    assert_int_equal(tw_calendar_days_from_civil(294276, 12, 31),
                     tw_calendar_floor_div((int64_t)0x7fffff5bb3b29fffULL, TW_USECS_PER_DAY) +
                         TW_CALENDAR_PG_EPOCH_DAYS);
    assert_int_equal(tw_calendar_days_from_civil(294276, 12, 31), LAST_TIMESTAMP_DAY);
}

/* Every day from 4714-11-24 BC to 294276-12-31 (PostgreSQL's timestamp
 * range; the 400-year cycles above reach the dates beyond):
 * civil_from_days gives the naive successor of the day before, and
 * days_from_civil takes it back. */
static void test_every_day(void **state)
{
    int64_t year = -4713, y;
    int month = 11, day = 24, m, d;

    (void)state;
    for (int64_t days = FIRST_DAY; days <= LAST_TIMESTAMP_DAY; days++) {
        tw_calendar_civil_from_days(days, &y, &m, &d);
        if (y != year || m != month || d != day)
            fail_msg("day %lld is %lld-%d-%d, expected %lld-%d-%d", (long long)days,
                     (long long)y, m, d, (long long)year, month, day);
        /* the inverse on a sample (every day would double the run time) */
        if ((days & 0x3FF) == 0 || days < FIRST_DAY + 1000000)
            assert_int_equal(tw_calendar_days_from_civil(year, month, day), days);
        if (day < tw_calendar_days_in_month(year, month)) {
            day++;
        } else {
            day = 1;
            if (++month == 13) {
                month = 1;
                year++;
            }
        }
    }
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_true(tw_calendar_is_leap_year(2000));
    assert_true(tw_calendar_is_leap_year(2024));
    assert_false(tw_calendar_is_leap_year(1900));
    assert_false(tw_calendar_is_leap_year(2023));
    assert_true(tw_calendar_is_leap_year(0));     /* 1 BC */
    assert_true(tw_calendar_is_leap_year(-4));    /* 5 BC */
    assert_false(tw_calendar_is_leap_year(-100)); /* 101 BC */
    assert_true(tw_calendar_is_leap_year(-400));  /* 401 BC */
    assert_int_equal(tw_calendar_days_in_month(0, 2), 29);
    assert_int_equal(tw_calendar_days_in_month(-1, 2), 28);
    assert_int_equal(tw_calendar_days_in_month(2023, 4), 30);
    assert_int_equal(tw_calendar_days_in_month(2023, 12), 31);
}

static void test_floor_div(void **state)
{
    (void)state;
    assert_int_equal(tw_calendar_floor_div(7, 2), 3);
    assert_int_equal(tw_calendar_floor_div(-7, 2), -4);
    assert_int_equal(tw_calendar_floor_div(-8, 2), -4);
    assert_int_equal(tw_calendar_floor_div(0, 5), 0);
    assert_int_equal(tw_calendar_floor_div(-1, TW_USECS_PER_DAY), -1);
}

static void test_pg_to_unix(void **state)
{
    int64_t v = 42;

    (void)state;
    assert_true(tw_calendar_pg_to_unix_micros(0, &v));
    assert_int_equal(v, INT64_C(946684800000000));
    /* 294247-01-10 04:00:54.775807 is the last one int64 holds from 1970 */
    assert_true(tw_calendar_pg_to_unix_micros(INT64_MAX - INT64_C(946684800000000), &v));
    assert_int_equal(v, INT64_MAX);
    v = 42;
    assert_false(tw_calendar_pg_to_unix_micros(INT64_MAX - INT64_C(946684800000000) + 1, &v));
    assert_int_equal(v, 42);
    assert_true(tw_calendar_pg_to_unix_micros(INT64_MIN, &v));
}

static const char *text_of(size_t (*fn)(char *, int64_t), int64_t arg)
{
    static char out[TW_CALENDAR_TEXT_MAX + 1];
    out[fn(out, arg)] = '\0';
    return out;
}

static void test_format(void **state)
{
    char out[TW_CALENDAR_TEXT_MAX + 1];

    (void)state;
    assert_string_equal(text_of(tw_calendar_format_date, 0), "1970-01-01");
    assert_string_equal(text_of(tw_calendar_format_date, -719163), "0000-12-31");
    assert_string_equal(text_of(tw_calendar_format_date, -719529), "-0001-12-31");
    assert_string_equal(text_of(tw_calendar_format_date, FIRST_DAY), "-4713-11-24");
    assert_string_equal(text_of(tw_calendar_format_date, 2932896), "9999-12-31");
    assert_string_equal(text_of(tw_calendar_format_date, 2932897), "+10000-01-01");
    assert_string_equal(text_of(tw_calendar_format_date, LAST_DAY), "+5874897-12-31");
    assert_string_equal(text_of(tw_calendar_format_time, 0), "00:00:00");
    assert_string_equal(text_of(tw_calendar_format_time, INT64_C(45296500000)), "12:34:56.5");
    assert_string_equal(text_of(tw_calendar_format_time, INT64_C(45296000001)),
                        "12:34:56.000001");
    assert_string_equal(text_of(tw_calendar_format_time, TW_USECS_PER_DAY), "24:00:00");
    /* PostgreSQL's largest and smallest timestamps (send output of
     * test_value.c) */
    assert_string_equal(text_of(tw_calendar_format_pg_timestamp, (int64_t)0x7fffff5bb3b29fffULL),
                        "+294276-12-31T23:59:59.999999");
    assert_string_equal(text_of(tw_calendar_format_pg_timestamp, (int64_t)0xfd0f7cc1411fa000ULL),
                        "-4713-11-24T00:00:00");
    assert_string_equal(text_of(tw_calendar_format_pg_timestamp, -1), "1999-12-31T23:59:59.999999");
    out[tw_calendar_format_duration(out, 0, 0, 0)] = '\0';
    assert_string_equal(out, "PT0S");
    out[tw_calendar_format_duration(out, 14, 3, INT64_C(14706500000))] = '\0';
    assert_string_equal(out, "P1Y2M3DT4H5M6.5S");
    out[tw_calendar_format_duration(out, 0, -1, 2 * TW_USECS_PER_HOUR)] = '\0';
    assert_string_equal(out, "P-1DT2H");
    out[tw_calendar_format_duration(out, -13, 0, -TW_USECS_PER_MINUTE - 1)] = '\0';
    assert_string_equal(out, "P-1Y-1MT-1M-0.000001S");
    /* the longest: every field at its most negative */
    out[tw_calendar_format_duration(out, INT32_MIN, INT32_MIN, INT64_MIN)] = '\0';
    assert_string_equal(out, "P-178956970Y-8M-2147483648DT-2562047788H-54.775808S");
}

/* tail's commit_ts text, once made with gmtime_r: the same bytes as the C
 * library's calendar for every second from year 1 to 9999. */
static void test_tail_commit_ts(void **state)
{
    uint64_t x = 88172645463325252ULL; /* xorshift64 */
    const int64_t lo = INT64_C(-62135596800000000), hi = INT64_C(253402300799999999);

    (void)state;
    for (int i = 0; i < 200000; i++) {
        char got[64], want[64];
        int64_t us, secs;
        time_t t;
        struct tm tm;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        us = i < 3 ? (int64_t[]){0, -1, lo}[i] : lo + (int64_t)(x % (uint64_t)(hi - lo));
        secs = tw_calendar_floor_div(us, TW_USECS_PER_SEC);
        t = (time_t)secs;
        assert_non_null(gmtime_r(&t, &tm));
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(us - secs * TW_USECS_PER_SEC));
        tw_format_timestamp_utc(us, got, sizeof(got));
        assert_string_equal(got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_anchors),
        cmocka_unit_test(test_400_year_cycles),
        cmocka_unit_test(test_postgres_extremes),
        cmocka_unit_test(test_every_day),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_floor_div),
        cmocka_unit_test(test_pg_to_unix),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_tail_commit_ts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
