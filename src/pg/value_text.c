/*
 * value_text.c — pgoutput column values in PostgreSQL's text output format
 * → typed values: the scalar types (arrays are value_text_array.c).
 *
 * This runs once per column on the replication hot path, so parsing is done
 * by hand over (pointer, length) slices: no malloc (the arena only when bytes
 * have to be built), no sscanf, and no copy except a small stack buffer for
 * strtod. Calendar arithmetic is calendar.h's (proleptic Gregorian, as
 * PostgreSQL counts, BC included).
 *
 * strtod/strtof follow LC_NUMERIC. tidewater never calls setlocale, so the
 * "C" locale (decimal point '.') is in force; that is what makes them safe
 * to use here.
 */
#include "pg/value.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/calendar.h"
#include "pg/value_internal.h"
#include "pg/value_text_internal.h"

/* The longest float text we parse; PostgreSQL's shortest-exact output is
 * at most 24 characters ("-2.2250738585072014e-308"). */
#define FLOAT_TEXT_MAX 63

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool slice_equals(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && memcmp(s, lit, n) == 0;
}

static bool cur_eat_str(cursor_t *c, const char *s)
{
    size_t n = strlen(s);

    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, s, n) == 0) {
        c->p += n;
        return true;
    }
    return false;
}

/* An optional ".f" of 1..6 digits as microseconds. PostgreSQL keeps
 * microsecond precision, so a seventh digit is not its output. */
static bool cur_fraction(cursor_t *c, int64_t *micros)
{
    int64_t v = 0;
    int n = 0;

    *micros = 0;
    if (!cur_eat(c, '.'))
        return true;
    while (c->p < c->end && is_digit(*c->p)) {
        if (n == 6)
            return false;
        v = v * 10 + (*c->p++ - '0');
        n++;
    }
    if (n == 0)
        return false;
    for (; n < 6; n++)
        v *= 10;
    *micros = v;
    return true;
}

/* ":MM:SS[.ffffff]" after the hours; minutes and seconds are range-checked. */
static bool cur_min_sec(cursor_t *c, int64_t *micros)
{
    int64_t minutes, seconds, frac;

    if (!cur_eat(c, ':') || !cur_digits(c, 2, 2, &minutes) || minutes > 59 || !cur_eat(c, ':') ||
        !cur_digits(c, 2, 2, &seconds) || seconds > 59 || !cur_fraction(c, &frac))
        return false;
    *micros = minutes * TW_USECS_PER_MINUTE + seconds * TW_USECS_PER_SEC + frac;
    return true;
}

/* "Y...-MM-DD" (year of at least one digit; PostgreSQL pads to four and
 * goes up to seven for dates) as year/month/day, not yet validated. */
static bool cur_ymd(cursor_t *c, int64_t *year, int *month, int *day)
{
    int64_t m, d;

    if (!cur_digits(c, 1, 7, year) || !cur_eat(c, '-') || !cur_digits(c, 2, 2, &m) ||
        !cur_eat(c, '-') || !cur_digits(c, 2, 2, &d))
        return false;
    *month = (int)m;
    *day = (int)d;
    return true;
}

/* Turns a printed year (no year 0; " BC" seen or not) into an astronomical
 * year and checks the day exists in it. */
static bool civil_validate(int64_t *year, int month, int day, bool bc)
{
    if (*year == 0 || month < 1 || month > 12 || day < 1)
        return false;
    if (bc)
        *year = 1 - *year;
    return day <= tw_calendar_days_in_month(*year, month);
}

/* "infinity" / "-infinity", as PostgreSQL prints infinite dates and
 * timestamps. */
static bool text_infinity(const text_in_t *in, tw_value_special_t *special)
{
    if (slice_equals(in->text, in->len, "infinity"))
        *special = TW_VALUE_POS_INFINITY;
    else if (slice_equals(in->text, in->len, "-infinity"))
        *special = TW_VALUE_NEG_INFINITY;
    else
        return false;
    return true;
}

/* ------------------------------------------------------------------------
 * Text format, per type
 * ------------------------------------------------------------------------ */

static tw_err_t unknown_from_text(const text_in_t *in, tw_value_t *out)
{
    tw_value_init(out, in->oid, TW_VALUE_TEXT);
    out->unknown_type = true;
    out->u.str.ptr = in->text;
    out->u.str.len = in->len;
    return TW_OK;
}

/* boolout prints exactly "t" or "f". */
static tw_err_t bool_from_text(const text_in_t *in, tw_value_t *out)
{
    tw_value_init(out, in->oid, TW_VALUE_BOOL);
    if (in->len == 1 && (in->text[0] == 't' || in->text[0] == 'f')) {
        out->u.b = in->text[0] == 't';
        return TW_OK;
    }
    return text_malformed(in, NULL);
}

/* Decimal integer within [min, max]; accumulates the magnitude unsigned so
 * INT64_MIN parses without overflow. */
static bool parse_int(const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s, *end = s + len;
    bool neg = false;
    uint64_t mag = 0, limit;

    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    if (p == end)
        return false;
    limit = neg ? (uint64_t)0 - (uint64_t)min : (uint64_t)max; /* 0 for oid */
    for (; p < end; p++) {
        unsigned d = (unsigned)(unsigned char)*p - '0';
        if (d > 9 || mag > limit / 10 || (mag == limit / 10 && d > limit % 10))
            return false;
        mag = mag * 10 + d;
    }
    if (!neg)
        *out = (int64_t)mag;
    else
        *out = mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
    return true;
}

static tw_err_t int_from_text(const text_in_t *in, tw_value_t *out)
{
    int64_t min, max;

    switch (in->oid) {
    case TW_OID_INT2:
        min = INT16_MIN;
        max = INT16_MAX;
        break;
    case TW_OID_INT4:
        min = INT32_MIN;
        max = INT32_MAX;
        break;
    case TW_OID_OID: /* oidout prints it unsigned */
        min = 0;
        max = UINT32_MAX;
        break;
    default:
        min = INT64_MIN;
        max = INT64_MAX;
        break;
    }
    tw_value_init(out, in->oid, TW_VALUE_INT);
    if (!parse_int(in->text, in->len, min, max, &out->u.i))
        return text_malformed(in, "not an integer in the type's range");
    return TW_OK;
}

/* [+-] (digits [. digits*] | . digits) [(e|E) [+-] digits]: plain decimal
 * only, so strtod's hex floats, "inf" and "nan" spellings never get in. */
static bool is_decimal_float(const char *s, size_t len)
{
    cursor_t c = {s, s + len};
    size_t int_digits = 0, frac_digits = 0;

    if (!cur_eat(&c, '-'))
        cur_eat(&c, '+');
    for (; c.p < c.end && is_digit(*c.p); c.p++)
        int_digits++;
    if (cur_eat(&c, '.')) {
        for (; c.p < c.end && is_digit(*c.p); c.p++)
            frac_digits++;
    }
    if (int_digits + frac_digits == 0)
        return false;
    if (cur_eat(&c, 'e') || cur_eat(&c, 'E')) {
        if (!cur_eat(&c, '-'))
            cur_eat(&c, '+');
        if (c.p == c.end)
            return false;
        for (; c.p < c.end && is_digit(*c.p); c.p++)
            ;
    }
    return c.p == c.end;
}

/* float4 is parsed with strtof, not strtod-then-narrow, so the value is the
 * float nearest the text (double rounding could pick a neighbour). */
static tw_err_t float_from_text(const text_in_t *in, tw_value_t *out)
{
    char tmp[FLOAT_TEXT_MAX + 1];
    double v;

    tw_value_init(out, in->oid, TW_VALUE_FLOAT);
    if (slice_equals(in->text, in->len, "NaN")) {
        out->u.f = NAN;
        return TW_OK;
    }
    if (slice_equals(in->text, in->len, "Infinity") ||
        slice_equals(in->text, in->len, "-Infinity")) {
        out->u.f = in->text[0] == '-' ? -INFINITY : INFINITY;
        return TW_OK;
    }
    if (in->len > FLOAT_TEXT_MAX || !is_decimal_float(in->text, in->len))
        return text_malformed(in, NULL);
    memcpy(tmp, in->text, in->len);
    tmp[in->len] = '\0';
    errno = 0;
    if (in->oid == TW_OID_FLOAT4)
        v = strtof(tmp, NULL); /* is_decimal_float vouched for the whole text */
    else
        v = strtod(tmp, NULL);
    /* ERANGE on a subnormal result is fine (PostgreSQL prints those); only
     * overflow to infinity and underflow to zero mean the text is out of
     * the type's range. */
    if (errno == ERANGE && (v == 0 || isinf(v)))
        return text_malformed(in, "out of range");
    out->u.f = v;
    return TW_OK;
}

/* numeric_out never uses an exponent (numeric_in accepts "1E+20", but it
 * prints 100000000000000000000), so the canonical text is
 * [-]digits[.digits] or NaN / Infinity / -Infinity. It is kept as the slice,
 * never through a double, so no digit is lost. */
static tw_err_t numeric_from_text(const text_in_t *in, tw_value_t *out)
{
    cursor_t c = {in->text, in->text + in->len};

    tw_value_init(out, in->oid, TW_VALUE_NUMERIC);
    out->u.str.ptr = in->text;
    out->u.str.len = in->len;
    if (slice_equals(in->text, in->len, "NaN")) {
        out->special = TW_VALUE_NAN;
        return TW_OK;
    }
    if (slice_equals(in->text, in->len, "Infinity")) {
        out->special = TW_VALUE_POS_INFINITY;
        return TW_OK;
    }
    if (slice_equals(in->text, in->len, "-Infinity")) {
        out->special = TW_VALUE_NEG_INFINITY;
        return TW_OK;
    }
    cur_eat(&c, '-');
    while (c.p < c.end && is_digit(*c.p))
        c.p++;
    if (c.p == in->text || (c.p == in->text + 1 && in->text[0] == '-'))
        return text_malformed(in, NULL);
    if (cur_eat(&c, '.')) {
        const char *frac = c.p;
        while (c.p < c.end && is_digit(*c.p))
            c.p++;
        if (c.p == frac)
            return text_malformed(in, NULL);
    }
    if (c.p != c.end)
        return text_malformed(in, NULL);
    return TW_OK;
}

/* text, varchar, bpchar (blank padding kept, as PostgreSQL sends it), name,
 * "char": the slice as is. */
static tw_err_t string_from_text(const text_in_t *in, tw_value_t *out)
{
    tw_value_init(out, in->oid, TW_VALUE_TEXT);
    out->u.str.ptr = in->text;
    out->u.str.len = in->len;
    return TW_OK;
}

static tw_err_t bytea_hex_from_text(const text_in_t *in, tw_value_t *out)
{
    size_t digits = in->len - 2, i;
    uint8_t *bytes;

    if (digits % 2 != 0)
        return text_malformed(in, "odd number of hex digits");
    bytes = digits ? tw_arena_alloc(in->arena, digits / 2) : NULL;
    for (i = 0; i < digits / 2; i++) {
        int hi = hex_value(in->text[2 + 2 * i]), lo = hex_value(in->text[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return text_malformed(in, "invalid hex digit");
        bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    out->u.bytes.ptr = bytes ? bytes : (const uint8_t *)in->text;
    out->u.bytes.len = digits / 2;
    return TW_OK;
}

/* The pre-9.0 "escape" output: bytes as themselves, "\\" for a backslash,
 * "\ooo" (octal) for anything else. Accepted in case a server runs with
 * bytea_output=escape despite what pg_conn asks for. */
static tw_err_t bytea_escape_from_text(const text_in_t *in, tw_value_t *out)
{
    uint8_t *bytes = in->len ? tw_arena_alloc(in->arena, in->len) : NULL;
    size_t i = 0, n = 0;

    while (i < in->len) {
        const char *p = in->text + i;
        if (*p != '\\') {
            bytes[n++] = (uint8_t)*p;
            i++;
        } else if (i + 1 < in->len && p[1] == '\\') {
            bytes[n++] = '\\';
            i += 2;
        } else if (i + 3 < in->len && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                   p[3] >= '0' && p[3] <= '7') {
            bytes[n++] = (uint8_t)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
            i += 4;
        } else {
            return text_malformed(in, "invalid escape");
        }
    }
    out->u.bytes.ptr = bytes ? bytes : (const uint8_t *)in->text;
    out->u.bytes.len = n;
    return TW_OK;
}

static tw_err_t bytea_from_text(const text_in_t *in, tw_value_t *out)
{
    tw_value_init(out, in->oid, TW_VALUE_BYTES);
    if (in->len >= 2 && in->text[0] == '\\' && in->text[1] == 'x')
        return bytea_hex_from_text(in, out);
    return bytea_escape_from_text(in, out);
}

/* uuid_out always prints the canonical form; like uuid_in we also take
 * upper case, braces, and a hyphen after any group of four digits. */
static int lower_hex_value(unsigned char c)
{
    if ((unsigned)(c - '0') < 10)
        return c - '0';
    if ((unsigned)(c - 'a') < 6)
        return c - 'a' + 10;
    return -1;
}

/* The form uuid_out always sends (36 characters, lower-case, hyphens at
 * 8, 13, 18 and 23), which is then already the canonical text. False for
 * anything else, which the general parser below handles. */
static bool uuid_from_canonical(const text_in_t *in, tw_value_t *out)
{
    const unsigned char *t = (const unsigned char *)in->text;
    int i, k = 0;

    if (in->len != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-')
        return false;
    for (i = 0; i < 36; i += 2) {
        int hi, lo;
        if (i == 8 || i == 13 || i == 18 || i == 23)
            i++;
        hi = lower_hex_value(t[i]);
        lo = lower_hex_value(t[i + 1]);
        if ((hi | lo) < 0)
            return false;
        out->u.uuid.bytes[k++] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(out->u.uuid.text, in->text, 36);
    out->u.uuid.text[36] = '\0';
    return true;
}

static tw_err_t uuid_from_text(const text_in_t *in, tw_value_t *out)
{
    cursor_t c = {in->text, in->text + in->len};
    bool brace = cur_eat(&c, '{');
    int i;

    tw_value_init(out, in->oid, TW_VALUE_UUID);
    if (uuid_from_canonical(in, out))
        return TW_OK;
    for (i = 0; i < 32; i++) {
        int v = c.p < c.end ? hex_value(*c.p) : -1;
        if (v < 0)
            return text_malformed(in, NULL);
        c.p++;
        if (i % 2 == 0)
            out->u.uuid.bytes[i / 2] = (uint8_t)(v << 4);
        else
            out->u.uuid.bytes[i / 2] |= (uint8_t)v;
        if (i % 4 == 3 && i != 31)
            cur_eat(&c, '-');
    }
    if ((brace && !cur_eat(&c, '}')) || c.p != c.end)
        return text_malformed(in, NULL);
    tw_value_uuid_format(out);
    return TW_OK;
}

static tw_err_t json_from_text(const text_in_t *in, tw_value_t *out)
{
    tw_value_init(out, in->oid, TW_VALUE_JSON);
    if (!tw_value_looks_like_json(in->text, in->len))
        return text_malformed(in, NULL);
    out->u.str.ptr = in->text;
    out->u.str.len = in->len;
    return TW_OK;
}

/* "YYYY-MM-DD[ BC]", infinity, -infinity → days since 1970-01-01. */
static tw_err_t date_from_text(const text_in_t *in, tw_value_t *out)
{
    cursor_t c = {in->text, in->text + in->len};
    int64_t year;
    int month, day;
    bool bc;

    tw_value_init(out, in->oid, TW_VALUE_DATE);
    if (text_infinity(in, &out->special)) {
        out->u.i = out->special == TW_VALUE_POS_INFINITY ? INT64_MAX : INT64_MIN;
        return TW_OK;
    }
    if (!cur_ymd(&c, &year, &month, &day))
        return text_malformed(in, NULL);
    bc = cur_eat_str(&c, " BC");
    if (c.p != c.end || !civil_validate(&year, month, day, bc))
        return text_malformed(in, NULL);
    out->u.i = tw_calendar_days_from_civil(year, month, day);
    return TW_OK;
}

/* "HH:MM:SS[.ffffff]"; 24:00:00 is a valid time of day in PostgreSQL (the
 * end of the day), anything past it is not. */
static tw_err_t time_from_text(const text_in_t *in, tw_value_t *out)
{
    cursor_t c = {in->text, in->text + in->len};
    int64_t hours, rest;

    tw_value_init(out, in->oid, TW_VALUE_TIME);
    if (!cur_digits(&c, 2, 2, &hours) || hours > 24 || !cur_min_sec(&c, &rest) || c.p != c.end ||
        (hours == 24 && rest != 0))
        return text_malformed(in, NULL);
    out->u.i = hours * TW_USECS_PER_HOUR + rest;
    return TW_OK;
}

/* A UTC offset after a timestamptz: "+HH", "+HH:MM" or "+HH:MM:SS" (old
 * local mean times like +05:53:28 have seconds), "Z", or nothing (the
 * session runs in UTC). In seconds east of Greenwich. */
static bool cur_utc_offset(cursor_t *c, int64_t *seconds)
{
    int64_t h, m = 0, s = 0;
    bool neg;

    *seconds = 0;
    if (cur_eat(c, 'Z'))
        return true;
    if (c->p == c->end || (*c->p != '+' && *c->p != '-'))
        return true;
    neg = *c->p++ == '-';
    if (!cur_digits(c, 2, 2, &h))
        return false;
    if (cur_eat(c, ':')) {
        if (!cur_digits(c, 2, 2, &m) || m > 59)
            return false;
        if (cur_eat(c, ':') && (!cur_digits(c, 2, 2, &s) || s > 59))
            return false;
    }
    *seconds = (neg ? -1 : 1) * (h * 3600 + m * 60 + s);
    return true;
}

/* days * TW_USECS_PER_DAY + micros without overflow. */
static bool days_to_micros(int64_t days, int64_t micros, int64_t *out)
{
    int64_t v;
    return !__builtin_mul_overflow(days, TW_USECS_PER_DAY, &v) &&
           !__builtin_add_overflow(v, micros, out);
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff][offset][ BC]" (ISO DateStyle; 'T' taken
 * too). For timestamptz the offset is subtracted to get UTC. Counted from
 * 2000 as PostgreSQL does, so its whole range (4714 BC to 294276 AD) fits;
 * only years far beyond it overflow, and the infinity sentinels are not
 * finite values. */
static tw_err_t timestamp_from_text(const text_in_t *in, tw_value_t *out)
{
    bool with_tz = in->oid == TW_OID_TIMESTAMPTZ;
    cursor_t c = {in->text, in->text + in->len};
    int64_t year, hours, rest, offset = 0, days;
    int month, day;
    bool bc;

    tw_value_init(out, in->oid, with_tz ? TW_VALUE_TIMESTAMPTZ : TW_VALUE_TIMESTAMP);
    if (text_infinity(in, &out->special)) {
        out->u.i = out->special == TW_VALUE_POS_INFINITY ? INT64_MAX : INT64_MIN;
        return TW_OK;
    }
    if (!cur_ymd(&c, &year, &month, &day) || !(cur_eat(&c, ' ') || cur_eat(&c, 'T')) ||
        !cur_digits(&c, 2, 2, &hours) || hours > 23 || !cur_min_sec(&c, &rest))
        return text_malformed(in, NULL);
    if (with_tz && !cur_utc_offset(&c, &offset))
        return text_malformed(in, "bad UTC offset");
    bc = cur_eat_str(&c, " BC");
    if (c.p != c.end || !civil_validate(&year, month, day, bc))
        return text_malformed(in, NULL);
    days = tw_calendar_days_from_civil(year, month, day) - TW_CALENDAR_PG_EPOCH_DAYS;
    if (!days_to_micros(days, hours * TW_USECS_PER_HOUR + rest - offset * TW_USECS_PER_SEC,
                        &out->u.i) ||
        out->u.i < TW_CALENDAR_PG_TIMESTAMP_MIN || out->u.i >= TW_CALENDAR_PG_TIMESTAMP_END)
        return text_malformed(in, "out of range");
    return TW_OK;
}

/* The time part of a postgres-style interval, "[+-]H+:MM:SS[.ffffff]"; hours
 * are unbounded (up to 2562047788 for the largest interval). */
static bool interval_time_part(cursor_t *c, bool neg, int64_t hours, int64_t *micros)
{
    int64_t rest;
    uint64_t mag;

    if (!cur_min_sec(c, &rest) || (uint64_t)hours > UINT64_MAX / (uint64_t)TW_USECS_PER_HOUR)
        return false;
    mag = (uint64_t)hours * (uint64_t)TW_USECS_PER_HOUR;
    if (mag > UINT64_MAX - (uint64_t)rest)
        return false;
    mag += (uint64_t)rest;
    if (mag > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return false;
    *micros = !neg ? (int64_t)mag : mag == 0 ? 0 : -(int64_t)(mag - 1) - 1;
    return true;
}

/* The unit after a count: 1 = years, 2 = months, 3 = days, 0 = unknown.
 * PostgreSQL prints "1 year" but "-1 years"; both forms are taken. */
static int interval_unit(cursor_t *c)
{
    static const char *const units[] = {"years", "year", "mons", "mon", "days", "day"};
    const char *word = c->p;
    size_t n, i;

    while (c->p < c->end && *c->p != ' ')
        c->p++;
    n = (size_t)(c->p - word);
    for (i = 0; i < TW_ARRAY_SIZE(units); i++) {
        if (slice_equals(word, n, units[i]))
            return (int)(i / 2) + 1;
    }
    return 0;
}

/* IntervalStyle=postgres output: "[N year[s]] [N mon[s]] [N day[s]]
 * [[+-]HH:MM:SS[.f]]", fields in that order, each signed on its own
 * ("-1 days +02:00:00"); "00:00:00" for zero. Infinity is PostgreSQL 17's. */
static tw_err_t interval_from_text(const text_in_t *in, tw_value_t *out)
{
    cursor_t c = {in->text, in->text + in->len};
    int64_t months = 0, days = 0, micros = 0;
    int last_unit = 0; /* 1..3 as interval_unit, 4 once the time part is read */

    tw_value_init(out, in->oid, TW_VALUE_INTERVAL);
    if (text_infinity(in, &out->special)) {
        bool pos = out->special == TW_VALUE_POS_INFINITY;
        out->u.interval.months = pos ? INT32_MAX : INT32_MIN;
        out->u.interval.days = pos ? INT32_MAX : INT32_MIN;
        out->u.interval.micros = pos ? INT64_MAX : INT64_MIN;
        return TW_OK;
    }
    if (in->len == 0)
        return text_malformed(in, NULL);
    while (c.p < c.end) {
        bool neg = false;
        int64_t n;
        int unit;

        if (last_unit == 4 || (last_unit != 0 && !cur_eat(&c, ' ')))
            return text_malformed(in, NULL);
        if (cur_eat(&c, '-'))
            neg = true;
        else
            cur_eat(&c, '+');
        if (!cur_digits(&c, 1, 10, &n))
            return text_malformed(in, NULL);
        if (c.p < c.end && *c.p == ':') {
            if (!interval_time_part(&c, neg, n, &micros))
                return text_malformed(in, NULL);
            last_unit = 4;
            continue;
        }
        if (!cur_eat(&c, ' ') || (unit = interval_unit(&c)) == 0 || unit <= last_unit)
            return text_malformed(in, NULL);
        last_unit = unit;
        if (neg)
            n = -n;
        if (unit == 1)
            months += n * 12;
        else if (unit == 2)
            months += n;
        else
            days = n;
    }
    if (months < INT32_MIN || months > INT32_MAX || days < INT32_MIN || days > INT32_MAX)
        return text_malformed(in, "out of range");
    out->u.interval.months = (int32_t)months;
    out->u.interval.days = (int32_t)days;
    out->u.interval.micros = micros;
    return TW_OK;
}

tw_err_t tw_value_text_scalar(const text_in_t *in, tw_value_t *out)
{
    switch (in->oid) {
    case TW_OID_BOOL: return bool_from_text(in, out);
    case TW_OID_INT2:
    case TW_OID_INT4:
    case TW_OID_INT8:
    case TW_OID_OID: return int_from_text(in, out);
    case TW_OID_FLOAT4:
    case TW_OID_FLOAT8: return float_from_text(in, out);
    case TW_OID_NUMERIC: return numeric_from_text(in, out);
    case TW_OID_TEXT:
    case TW_OID_VARCHAR:
    case TW_OID_BPCHAR:
    case TW_OID_NAME:
    case TW_OID_CHAR: return string_from_text(in, out);
    case TW_OID_BYTEA: return bytea_from_text(in, out);
    case TW_OID_UUID: return uuid_from_text(in, out);
    case TW_OID_JSON:
    case TW_OID_JSONB: return json_from_text(in, out);
    case TW_OID_DATE: return date_from_text(in, out);
    case TW_OID_TIME: return time_from_text(in, out);
    case TW_OID_TIMESTAMP:
    case TW_OID_TIMESTAMPTZ: return timestamp_from_text(in, out);
    case TW_OID_INTERVAL: return interval_from_text(in, out);
    }
    return unknown_from_text(in, out);
}
