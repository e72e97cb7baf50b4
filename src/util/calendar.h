/*
 * calendar.h — date arithmetic on the proleptic Gregorian calendar, as
 * PostgreSQL counts dates (BC included), and their ISO 8601 texts.
 *
 * Years are astronomical: year 0 is 1 BC, -1 is 2 BC (PostgreSQL prints
 * them as "0001 BC", "0002 BC"). Days count from 1970-01-01 (day 0);
 * PostgreSQL's own date and timestamp values count from 2000-01-01, which
 * is TW_CALENDAR_PG_EPOCH_DAYS later. Everything here is exact for any
 * value PostgreSQL accepts (4714-11-24 BC to 5874897 AD for dates,
 * 294276 AD for timestamps) and uses neither the process time zone nor the
 * C library's year range (mktime, timegm, gmtime).
 */
#ifndef TW_CALENDAR_H
#define TW_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TW_USECS_PER_SEC INT64_C(1000000)
#define TW_USECS_PER_MINUTE INT64_C(60000000)
#define TW_USECS_PER_HOUR INT64_C(3600000000)
#define TW_USECS_PER_DAY INT64_C(86400000000)
/* Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define TW_CALENDAR_PG_EPOCH_DAYS 10957

/* The finite timestamps PostgreSQL accepts, in microseconds since 2000
 * (its MIN_TIMESTAMP and END_TIMESTAMP): from 4714-11-24 00:00 BC up to,
 * not including, 294277-01-01 00:00. Anything outside cannot come from a
 * server, and date arithmetic on it may overflow int64. */
#define TW_CALENDAR_PG_TIMESTAMP_MIN INT64_C(-211813488000000000)
#define TW_CALENDAR_PG_TIMESTAMP_END INT64_C(9223371331200000000)

/* Longest text a tw_calendar_format_* function writes (no NUL is written):
 * a duration of int32 years, months and days and int64 microseconds. */
#define TW_CALENDAR_TEXT_MAX 80

bool tw_calendar_is_leap_year(int64_t year);
/* month 1..12 */
int tw_calendar_days_in_month(int64_t year, int month);

/* Days since 1970-01-01 of year-month-day (not validated: use
 * tw_calendar_days_in_month first), and back. */
int64_t tw_calendar_days_from_civil(int64_t year, int month, int day);
void tw_calendar_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* a / b rounded towards minus infinity (b > 0): the day of a negative
 * timestamp is the one before, not day 0. */
int64_t tw_calendar_floor_div(int64_t a, int64_t b);

/* Microseconds since 2000-01-01 (PostgreSQL's timestamps) as microseconds
 * since 1970-01-01. False, with *unix_us untouched, when int64 cannot hold
 * the result (after 294247-01-10 04:00:54.775807). */
bool tw_calendar_pg_to_unix_micros(int64_t pg_us, int64_t *unix_us);

/* ISO 8601 texts, written to out (at least TW_CALENDAR_TEXT_MAX bytes, not
 * NUL-terminated); each returns the length written.
 *
 * Date "YYYY-MM-DD" of days since 1970; years outside 0000-9999 in the
 * expanded form with a mandatory sign ("+10000-01-01", "-0043-03-15"). */
size_t tw_calendar_format_date(char *out, int64_t days);
/* Time of day "HH:MM:SS[.f]" for 0 <= micros <= 24h; the fraction has
 * its trailing zeros trimmed and is left out for whole seconds. */
size_t tw_calendar_format_time(char *out, int64_t micros);
/* Date "T" time of microseconds since 2000-01-01 (no zone designator). */
size_t tw_calendar_format_pg_timestamp(char *out, int64_t pg_us);
/* Duration "P1Y2M3DT4H5M6.5S" from PostgreSQL's interval fields, which
 * are kept apart (a month is not 30 days, a day is not always 24 hours):
 * years and months from months (truncating, as PostgreSQL's own output
 * does), days, then hours/minutes/seconds from micros. Each component
 * carries its own sign ("-1 days +02:00:00" is "P-1DT2H"), the common
 * extension java.time uses since ISO 8601 has no negative components.
 * Zero is "PT0S". */
size_t tw_calendar_format_duration(char *out, int32_t months, int32_t days, int64_t micros);

#endif /* TW_CALENDAR_H */
