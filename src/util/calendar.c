/*
 * calendar.c — proleptic Gregorian date arithmetic and ISO 8601 texts.
 *
 * days-from-civil and back count in 400-year eras (146097 days each), which
 * makes the arithmetic exact for negative years without a table. The
 * formatters write digits by hand rather than through snprintf: they run
 * once per date column on the `tail` path.
 */
#include "util/calendar.h"

#include "util/common.h"
#include "util/decimal.h"

bool tw_calendar_is_leap_year(int64_t year)
{
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int tw_calendar_days_in_month(int64_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && tw_calendar_is_leap_year(year) ? 29 : days[month - 1];
}

int64_t tw_calendar_days_from_civil(int64_t year, int month, int day)
{
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t year_of_era = y - era * 400;
    int64_t shifted_month = month > 2 ? month - 3 : month + 9; /* March = 0 */
    int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

    return era * 146097 + day_of_era - 719468;
}

void tw_calendar_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t day_of_era = z - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t shifted_month = (5 * day_of_year + 2) / 153;

    *day = (int)(day_of_year - (153 * shifted_month + 2) / 5 + 1);
    *month = (int)(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

int64_t tw_calendar_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool tw_calendar_pg_to_unix_micros(int64_t pg_us, int64_t *unix_us)
{
    int64_t v;

    if (__builtin_add_overflow(pg_us, TW_PG_EPOCH_OFFSET_US, &v))
        return false;
    *unix_us = v;
    return true;
}

/* ------------------------------------------------------------------------
 * ISO 8601 texts
 * ------------------------------------------------------------------------ */

/* Four digits for 0000-9999; outside that, the expanded form with a
 * mandatory sign ("+10000", "-0043"), as ISO 8601 and java.time write
 * astronomical years: PostgreSQL's "0044-03-15 BC" is "-0043-03-15". */
static size_t format_year(char *out, int64_t year)
{
    if (year >= 0 && year <= 9999)
        return tw_decimal_u64(out, (uint64_t)year, 4);
    out[0] = year < 0 ? '-' : '+';
    return 1 + tw_decimal_u64(out + 1, year < 0 ? (uint64_t)0 - (uint64_t)year : (uint64_t)year, 4);
}

/* ".f" with trailing zeros trimmed; nothing for whole seconds. */
static size_t format_fraction(char *out, uint64_t micros)
{
    int digits = 6;

    if (micros == 0)
        return 0;
    while (micros % 10 == 0) {
        micros /= 10;
        digits--;
    }
    out[0] = '.';
    return 1 + tw_decimal_u64(out + 1, micros, digits);
}

size_t tw_calendar_format_date(char *out, int64_t days)
{
    int64_t year;
    int month, day;
    size_t n;

    tw_calendar_civil_from_days(days, &year, &month, &day);
    n = format_year(out, year);
    out[n++] = '-';
    n += tw_decimal_u64(out + n, (uint64_t)month, 2);
    out[n++] = '-';
    n += tw_decimal_u64(out + n, (uint64_t)day, 2);
    return n;
}

size_t tw_calendar_format_time(char *out, int64_t micros)
{
    uint64_t v = (uint64_t)micros;
    size_t n = tw_decimal_u64(out, v / (uint64_t)TW_USECS_PER_HOUR, 2);

    out[n++] = ':';
    n += tw_decimal_u64(out + n, v / (uint64_t)TW_USECS_PER_MINUTE % 60, 2);
    out[n++] = ':';
    n += tw_decimal_u64(out + n, v / (uint64_t)TW_USECS_PER_SEC % 60, 2);
    return n + format_fraction(out + n, v % (uint64_t)TW_USECS_PER_SEC);
}

size_t tw_calendar_format_pg_timestamp(char *out, int64_t pg_us)
{
    int64_t days = tw_calendar_floor_div(pg_us, TW_USECS_PER_DAY);
    size_t n = tw_calendar_format_date(out, days + TW_CALENDAR_PG_EPOCH_DAYS);

    out[n++] = 'T';
    return n + tw_calendar_format_time(out + n, pg_us - days * TW_USECS_PER_DAY);
}

/* One signed component of the time part: "-5H". */
static size_t format_time_component(char *out, bool negative, uint64_t v, char unit)
{
    size_t n = 0;

    if (negative)
        out[n++] = '-';
    n += tw_decimal_u64(out + n, v, 1);
    out[n++] = unit;
    return n;
}

size_t tw_calendar_format_duration(char *out, int32_t months, int32_t days, int64_t micros)
{
    size_t n = 0;
    int32_t years = months / 12;
    uint64_t mag = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
    bool negative = micros < 0;

    months %= 12;
    out[n++] = 'P';
    if (years != 0) {
        n += tw_decimal_i64(out + n, years);
        out[n++] = 'Y';
    }
    if (months != 0) {
        n += tw_decimal_i64(out + n, months);
        out[n++] = 'M';
    }
    if (days != 0) {
        n += tw_decimal_i64(out + n, days);
        out[n++] = 'D';
    }
    if (mag != 0) {
        uint64_t hours = mag / (uint64_t)TW_USECS_PER_HOUR;
        uint64_t minutes = mag / (uint64_t)TW_USECS_PER_MINUTE % 60;
        uint64_t seconds = mag / (uint64_t)TW_USECS_PER_SEC % 60;
        uint64_t frac = mag % (uint64_t)TW_USECS_PER_SEC;

        out[n++] = 'T';
        if (hours != 0)
            n += format_time_component(out + n, negative, hours, 'H');
        if (minutes != 0)
            n += format_time_component(out + n, negative, minutes, 'M');
        if (seconds != 0 || frac != 0) {
            if (negative)
                out[n++] = '-';
            n += tw_decimal_u64(out + n, seconds, 1);
            n += format_fraction(out + n, frac);
            out[n++] = 'S';
        }
    }
    if (n == 1) {
        out[n++] = 'T';
        out[n++] = '0';
        out[n++] = 'S';
    }
    return n;
}
