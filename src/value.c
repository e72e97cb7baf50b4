/*
 * value.c — pgoutput column values (text and binary formats) → typed values,
 * and the JSON rendering `tidewater tail` prints.
 *
 * This runs once per column on the replication hot path, so parsing is done
 * by hand over (pointer, length) slices: no malloc (the arena only when bytes
 * have to be built), no sscanf, and no copy except a small stack buffer for
 * strtod. Calendar arithmetic is calendar.h's (proleptic Gregorian, as
 * PostgreSQL counts, BC included).
 *
 * strtod/strtof and snprintf("%g") follow LC_NUMERIC. tidewater never calls
 * setlocale, so the "C" locale (decimal point '.') is in force; that is what
 * makes them safe to use here.
 */
#include "value.h"

#include <float.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"


/* At most this much of a bad value is quoted in an error message. */
/* The longest float text we parse; PostgreSQL's shortest-exact output is
 * at most 24 characters ("-2.2250738585072014e-308"). */
#define FLOAT_TEXT_MAX 63

/* ------------------------------------------------------------------------
 * Type names and errors
 * ------------------------------------------------------------------------ */

static const char *type_name(uint32_t oid)
{
    switch (oid) {
    case TW_OID_BOOL: return "bool";
    case TW_OID_BYTEA: return "bytea";
    case TW_OID_CHAR: return "\"char\"";
    case TW_OID_NAME: return "name";
    case TW_OID_INT8: return "int8";
    case TW_OID_INT2: return "int2";
    case TW_OID_INT4: return "int4";
    case TW_OID_TEXT: return "text";
    case TW_OID_OID: return "oid";
    case TW_OID_JSON: return "json";
    case TW_OID_FLOAT4: return "float4";
    case TW_OID_FLOAT8: return "float8";
    case TW_OID_BPCHAR: return "bpchar";
    case TW_OID_VARCHAR: return "varchar";
    case TW_OID_DATE: return "date";
    case TW_OID_TIME: return "time";
    case TW_OID_TIMESTAMP: return "timestamp";
    case TW_OID_TIMESTAMPTZ: return "timestamptz";
    case TW_OID_INTERVAL: return "interval";
    case TW_OID_NUMERIC: return "numeric";
    case TW_OID_UUID: return "uuid";
    case TW_OID_JSONB: return "jsonb";
    }
    return NULL;
}

/* "int4", "int4[]" or "type 12345", for error messages. */
static void type_label(uint32_t oid, char *out, size_t size)
{
    uint32_t elem = tw_value_array_elem_oid(oid);
    const char *name = type_name(elem ? elem : oid);

    if (name == NULL)
        snprintf(out, size, "type %u", (unsigned)oid);
    else
        snprintf(out, size, "%s%s", name, elem ? "[]" : "");
}

/* Everything a text parser needs, so each type's parser takes two
 * arguments. */
typedef struct text_in {
    uint32_t oid;
    const char *text;
    size_t len;
    tw_arena_t *arena;
    char *errstr;
    size_t errstr_size;
} text_in_t;

typedef struct binary_in {
    uint32_t oid;
    const uint8_t *data;
    size_t len;
    tw_arena_t *arena;
    char *errstr;
    size_t errstr_size;
    int server_version; /* 0: unknown, taken as the newest */
} binary_in_t;

/* why may be NULL. */
static tw_err_t text_error(const text_in_t *in, tw_err_t err, const char *why)
{
    char name[32];

    /* The length, never the text: a value is row content, and this
     * message reaches logs, dead-letter headers and /healthz. */
    if (in->errstr == NULL || in->errstr_size == 0)
        return err;
    type_label(in->oid, name, sizeof(name));
    return tw_errf(err, in->errstr, in->errstr_size, "invalid %s value (%zu bytes)%s%s", name,
                   in->len, why ? ": " : "", why ? why : "");
}

static tw_err_t text_malformed(const text_in_t *in, const char *why)
{
    return text_error(in, TW_ERR_MALFORMED, why);
}

static tw_err_t binary_malformed(const binary_in_t *in, const char *why)
{
    char name[32];

    if (in->errstr == NULL || in->errstr_size == 0)
        return TW_ERR_MALFORMED;
    type_label(in->oid, name, sizeof(name));
    return tw_errf(TW_ERR_MALFORMED, in->errstr, in->errstr_size,
                   "invalid binary %s value (%zu bytes): %s", name, in->len, why);
}

static void value_init(tw_value_t *out, uint32_t oid, tw_value_kind_t kind)
{
    out->kind = kind;
    out->special = TW_VALUE_FINITE;
    out->type_oid = oid;
    out->unknown_type = false;
}

/* ------------------------------------------------------------------------
 * Text scanning
 * ------------------------------------------------------------------------ */

typedef struct cursor {
    const char *p;
    const char *end;
} cursor_t;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

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

static bool cur_eat(cursor_t *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
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

/* Reads min..max decimal digits (max ≤ 18, so no overflow). Stops after
 * max digits: a following digit then fails whatever the caller expects
 * next. */
static bool cur_digits(cursor_t *c, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int n = 0;

    while (c->p < c->end && n < max && is_digit(*c->p)) {
        v = v * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    if (n < min || (c->p < c->end && is_digit(*c->p)))
        return false;
    *out = v;
    return true;
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
    value_init(out, in->oid, TW_VALUE_TEXT);
    out->unknown_type = true;
    out->u.str.ptr = in->text;
    out->u.str.len = in->len;
    return TW_OK;
}

/* boolout prints exactly "t" or "f". */
static tw_err_t bool_from_text(const text_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_BOOL);
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
    value_init(out, in->oid, TW_VALUE_INT);
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

    value_init(out, in->oid, TW_VALUE_FLOAT);
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

    value_init(out, in->oid, TW_VALUE_NUMERIC);
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
    value_init(out, in->oid, TW_VALUE_TEXT);
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
    value_init(out, in->oid, TW_VALUE_BYTES);
    if (in->len >= 2 && in->text[0] == '\\' && in->text[1] == 'x')
        return bytea_hex_from_text(in, out);
    return bytea_escape_from_text(in, out);
}

static void uuid_format(tw_value_t *out)
{
    static const char hex[] = "0123456789abcdef";
    char *t = out->u.uuid.text;
    int i;

    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *t++ = '-';
        *t++ = hex[out->u.uuid.bytes[i] >> 4];
        *t++ = hex[out->u.uuid.bytes[i] & 0xF];
    }
    *t = '\0';
}

/* uuid_out always prints the canonical form; like uuid_in we also take
 * upper case, braces, and a hyphen after any group of four digits. */
static tw_err_t uuid_from_text(const text_in_t *in, tw_value_t *out)
{
    cursor_t c = {in->text, in->text + in->len};
    bool brace = cur_eat(&c, '{');
    int i;

    value_init(out, in->oid, TW_VALUE_UUID);
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
    uuid_format(out);
    return TW_OK;
}

/* Only a cheap sanity check: the server validated the document on input,
 * and a full parse per column would cost more than everything else here.
 * It catches a wrong type OID or a truncated value, which would otherwise
 * be embedded raw and break the JSON it is written into. */
static bool looks_like_json(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (i == len)
        return false;
    return strchr("{[\"-0123456789tfn", s[i]) != NULL && s[i] != '\0';
}

static tw_err_t json_from_text(const text_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_JSON);
    if (!looks_like_json(in->text, in->len))
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

    value_init(out, in->oid, TW_VALUE_DATE);
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

    value_init(out, in->oid, TW_VALUE_TIME);
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

    value_init(out, in->oid, with_tz ? TW_VALUE_TIMESTAMPTZ : TW_VALUE_TIMESTAMP);
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
        out->u.i == INT64_MAX || out->u.i == INT64_MIN)
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

    value_init(out, in->oid, TW_VALUE_INTERVAL);
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

static tw_err_t scalar_from_text(const text_in_t *in, tw_value_t *out)
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

/* ------------------------------------------------------------------------
 * Text arrays
 * ------------------------------------------------------------------------ */

static bool is_array_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Counts the elements of the brace level whose inside starts at p and sets
 * *close to its '}'. Quotes and escapes are skipped, nested levels counted
 * as one element each. Returns -1 when the level is not closed (or a quote
 * is left open). */
static long array_count_elems(const char *p, const char *end, const char **close)
{
    long commas = 0;
    int depth = 0;
    bool quoted = false, blank = true;

    for (; p < end; p++) {
        if (*p == '\\') {
            if (p + 1 < end)
                p++;
            blank = false;
            continue;
        }
        if (*p == '"')
            quoted = !quoted;
        else if (quoted)
            ;
        else if (*p == '{')
            depth++;
        else if (*p == '}' && depth == 0) {
            *close = p;
            return blank ? 0 : commas + 1;
        } else if (*p == '}')
            depth--;
        else if (*p == ',' && depth == 0)
            commas++;
        if (!is_array_space(*p))
            blank = false;
    }
    return -1;
}

static bool is_null_literal(const char *s, size_t len)
{
    return len == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' &&
           (s[3] | 0x20) == 'l';
}

/* Reads one element starting at *pp (just after '{' or ',') and leaves *pp
 * on the ',' or the closing brace. array_out quotes an element when it has
 * to and backslash-escapes '"' and '\' inside the quotes; array_in also
 * takes escapes outside quotes and ignores whitespace around elements, and
 * so does this. An element without quotes or escapes stays a slice of the
 * input; only the others are copied (into the arena) to resolve them.
 * Returns false on an empty unquoted element or a dangling backslash. */
static bool array_next_elem(tw_arena_t *arena, const char **pp, const char *end, const char **elem,
                            size_t *elem_len, bool *is_null)
{
    const char *p = *pp, *start, *stop;
    bool in_quotes = false, needs_copy = false;
    size_t n = 0, keep = 0;
    char *copy;

    while (p < end && is_array_space(*p))
        p++;
    start = p;
    for (; p < end && (in_quotes || *p != ','); p++) {
        if (*p == '\\') {
            if (p + 1 == end)
                return false; /* it escapes the closing brace */
            needs_copy = true;
            p++;
        } else if (*p == '"') {
            needs_copy = true;
            in_quotes = !in_quotes;
        }
    }
    *pp = stop = p;
    *is_null = false;
    if (!needs_copy) {
        while (stop > start && is_array_space(stop[-1]))
            stop--;
        *elem = start;
        *elem_len = (size_t)(stop - start);
        *is_null = is_null_literal(start, *elem_len);
        return *elem_len > 0;
    }
    /* Whitespace is kept inside quotes and after an escape; trailing
     * unquoted whitespace is dropped, which `keep` tracks. */
    copy = tw_arena_alloc(arena, (size_t)(stop - start));
    in_quotes = false;
    for (p = start; p < stop; p++) {
        if (*p == '"') {
            in_quotes = !in_quotes;
            keep = n;
        } else if (*p == '\\') {
            copy[n++] = *++p;
            keep = n;
        } else {
            copy[n++] = *p;
            if (in_quotes || !is_array_space(*p))
                keep = n;
        }
    }
    *elem = copy;
    *elem_len = keep;
    return true;
}

/* PostgreSQL's limit on array dimensions (MAXDIM). */
#define ARRAY_MAX_DIMS 6

/* One brace level: *pp is on its '{' and is left after its '}'. A level
 * holds either sub-levels (one per row of a multi-dimensional array) or
 * elements, never both. *index numbers elements across levels, for error
 * messages. */
static tw_err_t array_text_level(const text_in_t *in, uint32_t elem_oid, const char **pp,
                                 const char *end, int depth, long *index, tw_value_t *out)
{
    const char *p = *pp + 1, *close = NULL;
    tw_value_t *elems = NULL;
    long count, i;
    bool rows = false;
    tw_err_t err;

    if (depth > ARRAY_MAX_DIMS)
        return text_malformed(in, "too many dimensions");
    count = array_count_elems(p, end, &close);
    if (count < 0)
        return text_malformed(in, "unterminated array or quote");
    if (count > 0)
        elems = tw_arena_alloc(in->arena, (size_t)count * sizeof(*elems));
    for (i = 0; i < count; i++) {
        char elem_err[160], why[200];
        text_in_t elem_in = {elem_oid, NULL, 0, in->arena, elem_err, sizeof(elem_err)};
        bool is_null;

        while (p < close && is_array_space(*p))
            p++;
        if (i > 0) {
            if (p == close || *p != ',')
                return text_malformed(in, NULL);
            p++;
            while (p < close && is_array_space(*p))
                p++;
        }
        if (p < close && *p == '{') {
            if (i > 0 && !rows)
                return text_malformed(in, "mixed elements and sub-arrays");
            rows = true;
            err = array_text_level(in, elem_oid, &p, close, depth + 1, index, &elems[i]);
            if (err != TW_OK)
                return err;
            continue;
        }
        if (rows)
            return text_malformed(in, "mixed elements and sub-arrays");
        ++*index;
        if (!array_next_elem(in->arena, &p, close, &elem_in.text, &elem_in.len, &is_null))
            return text_malformed(in, "empty element");
        if (is_null) {
            value_init(&elems[i], elem_oid, TW_VALUE_NULL);
            continue;
        }
        err = scalar_from_text(&elem_in, &elems[i]);
        if (err != TW_OK) {
            snprintf(why, sizeof(why), "element %ld: %s", *index, elem_err);
            return text_error(in, err, why);
        }
    }
    while (p < close && is_array_space(*p))
        p++;
    if (p != close)
        return text_malformed(in, NULL);
    *pp = close + 1;
    value_init(out, in->oid, TW_VALUE_ARRAY);
    out->u.array.nelems = (uint32_t)count;
    out->u.array.elems = elems;
    out->u.array.elem_oid = elem_oid;
    return TW_OK;
}

/* array_out's "{a,b,NULL}", "{{1,2},{3,4}}" for several dimensions, and a
 * "[0:1]=" prefix when a lower bound is not 1. Several dimensions become
 * nested arrays; lower bounds are dropped (JSON arrays have none — the
 * elements are kept, in order, as pgjdbc and so Debezium keep them). */
static tw_err_t array_from_text(const text_in_t *in, uint32_t elem_oid, tw_value_t *out)
{
    cursor_t c = {in->text, in->text + in->len};
    long index = 0;
    bool bounds = false;
    tw_err_t err;

    while (cur_eat(&c, '[')) {
        bounds = true;
        int64_t bound;
        cur_eat(&c, '-');
        if (!cur_digits(&c, 1, 10, &bound) || !cur_eat(&c, ':'))
            return text_malformed(in, "bad dimension bounds");
        cur_eat(&c, '-');
        if (!cur_digits(&c, 1, 10, &bound) || !cur_eat(&c, ']'))
            return text_malformed(in, "bad dimension bounds");
        if (cur_eat(&c, '=')) {
            bounds = false;
            break;
        }
    }
    if (bounds)
        return text_malformed(in, "bad dimension bounds");
    if (c.p == c.end || *c.p != '{')
        return text_malformed(in, NULL);
    err = array_text_level(in, elem_oid, &c.p, c.end, 1, &index, out);
    if (err == TW_OK && c.p != c.end)
        return text_malformed(in, "trailing text");
    return err;
}

/* ------------------------------------------------------------------------
 * Binary format (each type's send function), per type
 * ------------------------------------------------------------------------ */

static uint16_t read_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t read_be64(const uint8_t *p)
{
    return (uint64_t)read_be32(p) << 32 | read_be32(p + 4);
}

static tw_err_t binary_wrong_length(const binary_in_t *in, size_t want)
{
    char why[48];
    snprintf(why, sizeof(why), "expected %zu bytes", want);
    return binary_malformed(in, why);
}

static tw_err_t unknown_from_binary(const binary_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_BYTES);
    out->unknown_type = true;
    out->u.bytes.ptr = in->data;
    out->u.bytes.len = in->len;
    return TW_OK;
}

/* boolrecv treats any non-zero byte as true. */
static tw_err_t bool_from_binary(const binary_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_BOOL);
    if (in->len != 1)
        return binary_wrong_length(in, 1);
    out->u.b = in->data[0] != 0;
    return TW_OK;
}

static tw_err_t int_from_binary(const binary_in_t *in, tw_value_t *out)
{
    size_t want = in->oid == TW_OID_INT2 ? 2 : in->oid == TW_OID_INT8 ? 8 : 4;

    value_init(out, in->oid, TW_VALUE_INT);
    if (in->len != want)
        return binary_wrong_length(in, want);
    if (want == 2)
        out->u.i = (int16_t)read_be16(in->data);
    else if (want == 8)
        out->u.i = (int64_t)read_be64(in->data);
    else if (in->oid == TW_OID_OID)
        out->u.i = read_be32(in->data);
    else
        out->u.i = (int32_t)read_be32(in->data);
    return TW_OK;
}

/* IEEE 754 in network byte order; memcpy reinterprets the bits. */
static tw_err_t float_from_binary(const binary_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_FLOAT);
    if (in->oid == TW_OID_FLOAT4) {
        uint32_t bits;
        float f;
        if (in->len != 4)
            return binary_wrong_length(in, 4);
        bits = read_be32(in->data);
        memcpy(&f, &bits, sizeof(f));
        out->u.f = f;
    } else {
        uint64_t bits;
        if (in->len != 8)
            return binary_wrong_length(in, 8);
        bits = read_be64(in->data);
        memcpy(&out->u.f, &bits, sizeof(out->u.f));
    }
    return TW_OK;
}

/* Sign words of numeric_send. */
enum {
    NUMERIC_POS = 0x0000,
    NUMERIC_NEG = 0x4000,
    NUMERIC_NAN = 0xC000,
    NUMERIC_PINF = 0xD000,
    NUMERIC_NINF = 0xF000,
};

/* Writes the four decimal digits of one base-10000 digit; with `trim`,
 * without its leading zeros (but at least one digit). */
static size_t format_base10000(char *out, unsigned digit, bool trim)
{
    char d[4] = {(char)('0' + digit / 1000), (char)('0' + digit / 100 % 10),
                 (char)('0' + digit / 10 % 10), (char)('0' + digit % 10)};
    size_t skip = 0;

    if (trim)
        while (skip < 3 && d[skip] == '0')
            skip++;
    memcpy(out, d + skip, 4 - skip);
    return 4 - skip;
}

/* numeric_send: int16 ndigits, int16 weight (of the first digit, in
 * base-10000 places), uint16 sign, uint16 dscale (decimal digits after the
 * point), then ndigits base-10000 digits. Rebuilt into the same text
 * numeric_out prints, in the arena, so binary and text streams agree and
 * nothing goes through floating point. */
static tw_err_t numeric_from_binary(const binary_in_t *in, tw_value_t *out)
{
    int ndigits, weight, dscale, w;
    unsigned sign;
    const uint8_t *digits;
    char *text, *t;
    bool leading = true;

    value_init(out, in->oid, TW_VALUE_NUMERIC);
    if (in->len < 8)
        return binary_malformed(in, "short header");
    /* numeric_recv reads the digit count unsigned: a number of 131072
     * integer digits has 32768 base-10000 digits, more than int16 holds. */
    ndigits = read_be16(in->data);
    weight = (int16_t)read_be16(in->data + 2);
    sign = read_be16(in->data + 4);
    dscale = read_be16(in->data + 6);
    digits = in->data + 8;
    if (in->len != 8 + 2 * (size_t)ndigits)
        return binary_malformed(in, "digit count does not match the length");
    switch (sign) {
    case NUMERIC_POS:
    case NUMERIC_NEG: break;
    case NUMERIC_NAN:
        out->special = TW_VALUE_NAN;
        out->u.str.ptr = "NaN";
        out->u.str.len = 3;
        return TW_OK;
    case NUMERIC_PINF:
    case NUMERIC_NINF:
        out->special = sign == NUMERIC_PINF ? TW_VALUE_POS_INFINITY : TW_VALUE_NEG_INFINITY;
        out->u.str.ptr = sign == NUMERIC_PINF ? "Infinity" : "-Infinity";
        out->u.str.len = sign == NUMERIC_PINF ? 8 : 9;
        return TW_OK;
    default: return binary_malformed(in, "invalid sign");
    }
    if (dscale > 0x3FFF) /* the field has 14 bits in PostgreSQL's storage */
        return binary_malformed(in, "invalid display scale");
    for (w = 0; w < ndigits; w++) {
        if (read_be16(digits + 2 * w) > 9999)
            return binary_malformed(in, "digit out of range");
    }

    /* sign + integer part + point + dscale digits (+3 for the last group) */
    t = text = tw_arena_alloc(in->arena, 2 + (weight >= 0 ? 4 * (size_t)(weight + 1) : 1) +
                                             (size_t)dscale + 4);
    if (sign == NUMERIC_NEG)
        *t++ = '-';
    /* digits[k] has weight `weight - k`; places without a digit are 0. */
    for (w = weight; w >= 0; w--) {
        int k = weight - w;
        unsigned d = k < ndigits ? read_be16(digits + 2 * k) : 0;
        if (leading && d == 0 && w > 0)
            continue; /* non-normalised leading zero groups */
        t += format_base10000(t, d, leading);
        leading = false;
    }
    if (weight < 0)
        *t++ = '0';
    if (dscale > 0) {
        char *frac = t + 1;
        *t++ = '.';
        for (w = -1; t - frac < dscale; w--) {
            int k = weight - w;
            unsigned d = k >= 0 && k < ndigits ? read_be16(digits + 2 * k) : 0;
            t += format_base10000(t, d, false);
        }
        t = frac + dscale; /* the last group may run past the scale */
    }
    out->u.str.ptr = text;
    out->u.str.len = (size_t)(t - text);
    return TW_OK;
}

static tw_err_t string_from_binary(const binary_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_TEXT);
    out->u.str.ptr = (const char *)in->data;
    out->u.str.len = in->len;
    return TW_OK;
}

/* charsend sends the byte itself; charout (PostgreSQL 15 on) prints a byte
 * with the high bit set as backslash and three octal digits, NUL as the
 * empty string, anything else as itself. Built the same way here, so binary
 * and text streams agree and the output stays valid UTF-8. */
static tw_err_t char_from_binary(const binary_in_t *in, tw_value_t *out)
{
    uint8_t c;
    char *text;

    value_init(out, in->oid, TW_VALUE_TEXT);
    if (in->len != 1)
        return binary_wrong_length(in, 1);
    c = in->data[0];
    if (c < 0x80) {
        out->u.str.ptr = (const char *)in->data;
        out->u.str.len = c == 0 ? 0 : 1;
        return TW_OK;
    }
    text = tw_arena_alloc(in->arena, 4);
    text[0] = '\\';
    text[1] = (char)('0' + (c >> 6));
    text[2] = (char)('0' + ((c >> 3) & 7));
    text[3] = (char)('0' + (c & 7));
    out->u.str.ptr = text;
    out->u.str.len = 4;
    return TW_OK;
}

static tw_err_t bytea_from_binary(const binary_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_BYTES);
    out->u.bytes.ptr = in->data;
    out->u.bytes.len = in->len;
    return TW_OK;
}

static tw_err_t uuid_from_binary(const binary_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_UUID);
    if (in->len != 16)
        return binary_wrong_length(in, 16);
    memcpy(out->u.uuid.bytes, in->data, 16);
    uuid_format(out);
    return TW_OK;
}

/* json_send is the text; jsonb_send prefixes it with a format version byte,
 * only version 1 exists. */
static tw_err_t json_from_binary(const binary_in_t *in, tw_value_t *out)
{
    size_t skip = 0;

    value_init(out, in->oid, TW_VALUE_JSON);
    if (in->oid == TW_OID_JSONB) {
        if (in->len < 1 || in->data[0] != 1)
            return binary_malformed(in, "unknown jsonb version");
        skip = 1;
    }
    out->u.str.ptr = (const char *)in->data + skip;
    out->u.str.len = in->len - skip;
    if (!looks_like_json(out->u.str.ptr, out->u.str.len))
        return binary_malformed(in, "not JSON");
    return TW_OK;
}

/* int32 days since 2000-01-01; INT32_MIN/MAX are -infinity/infinity. */
static tw_err_t date_from_binary(const binary_in_t *in, tw_value_t *out)
{
    int32_t days;

    value_init(out, in->oid, TW_VALUE_DATE);
    if (in->len != 4)
        return binary_wrong_length(in, 4);
    days = (int32_t)read_be32(in->data);
    if (days == INT32_MAX || days == INT32_MIN) {
        out->special = days == INT32_MAX ? TW_VALUE_POS_INFINITY : TW_VALUE_NEG_INFINITY;
        out->u.i = days == INT32_MAX ? INT64_MAX : INT64_MIN;
        return TW_OK;
    }
    out->u.i = (int64_t)days + TW_CALENDAR_PG_EPOCH_DAYS;
    return TW_OK;
}

static tw_err_t time_from_binary(const binary_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_TIME);
    if (in->len != 8)
        return binary_wrong_length(in, 8);
    out->u.i = (int64_t)read_be64(in->data);
    if (out->u.i < 0 || out->u.i > TW_USECS_PER_DAY)
        return binary_malformed(in, "time of day out of range");
    return TW_OK;
}

/* int64 microseconds since 2000-01-01 (UTC for timestamptz); INT64_MIN/MAX
 * are -infinity/infinity. */
static tw_err_t timestamp_from_binary(const binary_in_t *in, tw_value_t *out)
{
    int64_t v;

    value_init(out, in->oid,
               in->oid == TW_OID_TIMESTAMPTZ ? TW_VALUE_TIMESTAMPTZ : TW_VALUE_TIMESTAMP);
    if (in->len != 8)
        return binary_wrong_length(in, 8);
    v = (int64_t)read_be64(in->data);
    if (v == INT64_MAX || v == INT64_MIN) {
        out->special = v == INT64_MAX ? TW_VALUE_POS_INFINITY : TW_VALUE_NEG_INFINITY;
        out->u.i = v;
        return TW_OK;
    }
    out->u.i = v;
    return TW_OK;
}

/* int64 microseconds, int32 days, int32 months. PostgreSQL 17 encodes
 * infinite intervals as all three fields at their maximum (minimum); before
 * 17 those are the largest and smallest finite intervals. */
static tw_err_t interval_from_binary(const binary_in_t *in, tw_value_t *out)
{
    value_init(out, in->oid, TW_VALUE_INTERVAL);
    if (in->len != 16)
        return binary_wrong_length(in, 16);
    out->u.interval.micros = (int64_t)read_be64(in->data);
    out->u.interval.days = (int32_t)read_be32(in->data + 8);
    out->u.interval.months = (int32_t)read_be32(in->data + 12);
    if (in->server_version != 0 && in->server_version < 170000)
        return TW_OK;
    if (out->u.interval.months == INT32_MAX && out->u.interval.days == INT32_MAX &&
        out->u.interval.micros == INT64_MAX)
        out->special = TW_VALUE_POS_INFINITY;
    else if (out->u.interval.months == INT32_MIN && out->u.interval.days == INT32_MIN &&
             out->u.interval.micros == INT64_MIN)
        out->special = TW_VALUE_NEG_INFINITY;
    return TW_OK;
}

static tw_err_t scalar_from_binary(const binary_in_t *in, tw_value_t *out)
{
    switch (in->oid) {
    case TW_OID_BOOL: return bool_from_binary(in, out);
    case TW_OID_INT2:
    case TW_OID_INT4:
    case TW_OID_INT8:
    case TW_OID_OID: return int_from_binary(in, out);
    case TW_OID_FLOAT4:
    case TW_OID_FLOAT8: return float_from_binary(in, out);
    case TW_OID_NUMERIC: return numeric_from_binary(in, out);
    case TW_OID_TEXT:
    case TW_OID_VARCHAR:
    case TW_OID_BPCHAR:
    case TW_OID_NAME: return string_from_binary(in, out);
    case TW_OID_CHAR: return char_from_binary(in, out);
    case TW_OID_BYTEA: return bytea_from_binary(in, out);
    case TW_OID_UUID: return uuid_from_binary(in, out);
    case TW_OID_JSON:
    case TW_OID_JSONB: return json_from_binary(in, out);
    case TW_OID_DATE: return date_from_binary(in, out);
    case TW_OID_TIME: return time_from_binary(in, out);
    case TW_OID_TIMESTAMP:
    case TW_OID_TIMESTAMPTZ: return timestamp_from_binary(in, out);
    case TW_OID_INTERVAL: return interval_from_binary(in, out);
    }
    return unknown_from_binary(in, out);
}

/* One dimension of a binary array: dims[0] elements, each a sub-array of
 * the remaining dimensions or, in the last one, an element as int32 length
 * (-1 for NULL) and its send-format bytes. */
static tw_err_t array_binary_level(const binary_in_t *in, uint32_t elem_oid, const int32_t *dims,
                                   int ndim, const uint8_t **pp, const uint8_t *end,
                                   int32_t *index, tw_value_t *out)
{
    const uint8_t *p = *pp;
    tw_value_t *elems = tw_arena_alloc(in->arena, (size_t)dims[0] * sizeof(*elems));
    int32_t i;
    tw_err_t err;

    for (i = 0; i < dims[0]; i++) {
        char elem_err[160];
        binary_in_t elem_in = {elem_oid, NULL,     0, in->arena, elem_err, sizeof(elem_err),
                               in->server_version};
        int32_t elem_len;

        if (ndim > 1) {
            err = array_binary_level(in, elem_oid, dims + 1, ndim - 1, &p, end, index, &elems[i]);
            if (err != TW_OK)
                return err;
            continue;
        }
        ++*index;
        if (end - p < 4)
            return binary_malformed(in, "truncated");
        elem_len = (int32_t)read_be32(p);
        p += 4;
        if (elem_len == -1) {
            value_init(&elems[i], elem_oid, TW_VALUE_NULL);
            continue;
        }
        if (elem_len < 0 || elem_len > end - p)
            return binary_malformed(in, "truncated element");
        elem_in.data = p;
        elem_in.len = (size_t)elem_len;
        err = scalar_from_binary(&elem_in, &elems[i]);
        if (err != TW_OK) {
            char name[32];
            type_label(in->oid, name, sizeof(name));
            return tw_errf(err, in->errstr, in->errstr_size,
                           "invalid binary %s value: element %d: %s", name, (int)*index, elem_err);
        }
        p += elem_len;
    }
    *pp = p;
    value_init(out, in->oid, TW_VALUE_ARRAY);
    out->u.array.nelems = (uint32_t)dims[0];
    out->u.array.elems = elems;
    out->u.array.elem_oid = elem_oid;
    return TW_OK;
}

/* array_send: int32 ndim, int32 has-nulls flag, uint32 element OID, then
 * (int32 length, int32 lower bound) per dimension, then the elements in
 * row-major order. As in the text format, several dimensions become nested
 * arrays and lower bounds are dropped. */
static tw_err_t array_from_binary(const binary_in_t *in, uint32_t elem_oid, tw_value_t *out)
{
    const uint8_t *p = in->data, *end = in->data + in->len;
    int32_t ndim, flags, dims[ARRAY_MAX_DIMS], index = 0, d;
    uint64_t total = 1;
    tw_err_t err;

    if (in->len < 12)
        return binary_malformed(in, "short header");
    ndim = (int32_t)read_be32(p);
    flags = (int32_t)read_be32(p + 4);
    if (ndim < 0 || ndim > ARRAY_MAX_DIMS || (flags != 0 && flags != 1))
        return binary_malformed(in, "invalid header");
    if (read_be32(p + 8) != elem_oid)
        return binary_malformed(in, "unexpected element type");
    p += 12;
    if ((size_t)(end - p) < 8 * (size_t)ndim)
        return binary_malformed(in, "short header");
    for (d = 0; d < ndim; d++, p += 8)
        dims[d] = (int32_t)read_be32(p);
    /* Every element takes at least its 4-byte length, which bounds every
     * level's allocation by the input size. */
    for (d = 0; d < ndim; d++) {
        if (dims[d] < 0 ||
            (dims[d] > 0 && total > (uint64_t)(end - p) / 4 / (uint64_t)dims[d]))
            return binary_malformed(in, "invalid element count");
        total *= (uint64_t)dims[d];
    }
    if (ndim == 0 || total == 0) {
        /* array_send writes an empty array with no dimensions */
        if (p != end)
            return binary_malformed(in, "trailing bytes");
        value_init(out, in->oid, TW_VALUE_ARRAY);
        out->u.array.nelems = 0;
        out->u.array.elems = NULL;
        out->u.array.elem_oid = elem_oid;
        return TW_OK;
    }
    err = array_binary_level(in, elem_oid, dims, ndim, &p, end, &index, out);
    if (err == TW_OK && p != end)
        return binary_malformed(in, "trailing bytes");
    return err;
}

/* ------------------------------------------------------------------------
 * Public entry points
 * ------------------------------------------------------------------------ */

uint32_t tw_value_array_elem_oid(uint32_t array_oid)
{
    switch (array_oid) {
    case TW_OID_BOOL_ARRAY: return TW_OID_BOOL;
    case TW_OID_BYTEA_ARRAY: return TW_OID_BYTEA;
    case TW_OID_CHAR_ARRAY: return TW_OID_CHAR;
    case TW_OID_NAME_ARRAY: return TW_OID_NAME;
    case TW_OID_INT2_ARRAY: return TW_OID_INT2;
    case TW_OID_INT4_ARRAY: return TW_OID_INT4;
    case TW_OID_TEXT_ARRAY: return TW_OID_TEXT;
    case TW_OID_BPCHAR_ARRAY: return TW_OID_BPCHAR;
    case TW_OID_VARCHAR_ARRAY: return TW_OID_VARCHAR;
    case TW_OID_INT8_ARRAY: return TW_OID_INT8;
    case TW_OID_FLOAT4_ARRAY: return TW_OID_FLOAT4;
    case TW_OID_FLOAT8_ARRAY: return TW_OID_FLOAT8;
    case TW_OID_OID_ARRAY: return TW_OID_OID;
    case TW_OID_TIMESTAMP_ARRAY: return TW_OID_TIMESTAMP;
    case TW_OID_DATE_ARRAY: return TW_OID_DATE;
    case TW_OID_TIME_ARRAY: return TW_OID_TIME;
    case TW_OID_TIMESTAMPTZ_ARRAY: return TW_OID_TIMESTAMPTZ;
    case TW_OID_INTERVAL_ARRAY: return TW_OID_INTERVAL;
    case TW_OID_NUMERIC_ARRAY: return TW_OID_NUMERIC;
    case TW_OID_UUID_ARRAY: return TW_OID_UUID;
    case TW_OID_JSON_ARRAY: return TW_OID_JSON;
    case TW_OID_JSONB_ARRAY: return TW_OID_JSONB;
    }
    return 0;
}

tw_err_t tw_value_from_text(uint32_t type_oid, int32_t typmod, const char *text, size_t len,
                            tw_arena_t *arena, tw_value_t *out, char *errstr, size_t errstr_size)
{
    text_in_t in = {type_oid, text, len, arena, errstr, errstr_size};
    uint32_t elem_oid = tw_value_array_elem_oid(type_oid);

    (void)typmod; /* the text form is already rounded/padded to it */
    if (elem_oid != 0)
        return array_from_text(&in, elem_oid, out);
    return scalar_from_text(&in, out);
}

tw_err_t tw_value_from_binary(uint32_t type_oid, int32_t typmod, int server_version,
                              const uint8_t *data, size_t len, tw_arena_t *arena, tw_value_t *out,
                              char *errstr, size_t errstr_size)
{
    binary_in_t in = {type_oid, data, len, arena, errstr, errstr_size, server_version};
    uint32_t elem_oid = tw_value_array_elem_oid(type_oid);

    (void)typmod; /* the send format carries its own scale */
    if (elem_oid != 0)
        return array_from_binary(&in, elem_oid, out);
    return scalar_from_binary(&in, out);
}

bool tw_value_unix_micros(const tw_value_t *value, int64_t *out)
{
    if ((value->kind != TW_VALUE_TIMESTAMP && value->kind != TW_VALUE_TIMESTAMPTZ) ||
        value->special != TW_VALUE_FINITE)
        return false;
    return tw_calendar_pg_to_unix_micros(value->u.i, out);
}

int tw_value_numeric_scale(const tw_value_t *value)
{
    const char *dot;

    if (value->kind != TW_VALUE_NUMERIC || value->special != TW_VALUE_FINITE)
        return 0;
    dot = memchr(value->u.str.ptr, '.', value->u.str.len);
    return dot ? (int)(value->u.str.ptr + value->u.str.len - dot - 1) : 0;
}

/* A numeric(p,s) typmod is ((p << 16) | (s & 0x7FF)) + 4 (the varlena
 * header size, for historical reasons). Since PostgreSQL 15 the scale may be
 * negative or larger than p: it is an 11-bit two's-complement field. */
void tw_value_numeric_typmod(int32_t typmod, int *precision, int *scale)
{
    int32_t t;

    if (typmod < 4) {
        *precision = -1;
        *scale = -1;
        return;
    }
    t = typmod - 4;
    *precision = (t >> 16) & 0xFFFF;
    *scale = ((t & 0x7FF) ^ 0x400) - 0x400;
}

/* ------------------------------------------------------------------------
 * JSON rendering
 * ------------------------------------------------------------------------ */

/* Decimal digits of v, zero-padded to at least min_digits. */
static size_t format_uint(char *out, uint64_t v, int min_digits)
{
    char tmp[24];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n < (size_t)min_digits)
        tmp[n++] = '0';
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static size_t format_int(char *out, int64_t v)
{
    if (v < 0) {
        out[0] = '-';
        return 1 + format_uint(out + 1, (uint64_t)0 - (uint64_t)v, 1);
    }
    return format_uint(out, (uint64_t)v, 1);
}

/* Shortest text that reads back as the same value. For normal numbers
 * "%.*g" at FLT_DIG/DBL_DIG precision already is the shortest form when it
 * round-trips (any decimal of that many digits maps to a distinct binary
 * value), so most values take one snprintf; subnormals have less precision,
 * so there the search starts at one digit. */
static void append_float(tw_buf_t *buf, double v, bool single)
{
    char tmp[40];
    int prec, max_prec = single ? 9 : 17; /* digits that always round-trip */

    if (isnan(v)) {
        tw_buf_append_str(buf, "\"NaN\"");
        return;
    }
    if (isinf(v)) {
        tw_buf_append_str(buf, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    /* PostgreSQL prints "-0", but most JSON readers take "-0" for the
     * integer 0 and drop the sign; "-0.0" reads back as the same double. */
    if (v == 0 && signbit(v)) {
        tw_buf_append_str(buf, "-0.0");
        return;
    }
    if (single)
        prec = fabsf((float)v) < FLT_MIN ? 1 : FLT_DIG;
    else
        prec = fabs(v) < DBL_MIN ? 1 : DBL_DIG;
    /* At most 17 significant digits: "%g" output fits tmp with room to
     * spare (the length check only keeps the compiler's analysis happy). */
    for (;; prec++) {
        int len = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (len < 0 || (size_t)len >= sizeof(tmp))
            break;
        if (prec == max_prec || (single ? strtof(tmp, NULL) == (float)v : strtod(tmp, NULL) == v)) {
            tw_buf_append(buf, tmp, (size_t)len);
            return;
        }
    }
    tw_buf_append_str(buf, "null");
}

static void append_int(tw_buf_t *buf, int64_t v)
{
    char tmp[24];
    tw_buf_append(buf, tmp, format_int(tmp, v));
}

static void append_infinity(tw_buf_t *buf, tw_value_special_t special)
{
    tw_buf_append_str(buf, special == TW_VALUE_POS_INFINITY ? "\"infinity\"" : "\"-infinity\"");
}

/* Date, time or timestamp as an ISO 8601 JSON string. */
static void append_datetime(tw_buf_t *buf, const tw_value_t *value)
{
    char tmp[TW_CALENDAR_TEXT_MAX + 3];
    size_t n = 0;

    if (value->special != TW_VALUE_FINITE) {
        append_infinity(buf, value->special);
        return;
    }
    tmp[n++] = '"';
    switch (value->kind) {
    case TW_VALUE_DATE: n += tw_calendar_format_date(tmp + n, value->u.i); break;
    case TW_VALUE_TIME: n += tw_calendar_format_time(tmp + n, value->u.i); break;
    default: /* microseconds since 2000 */
        n += tw_calendar_format_pg_timestamp(tmp + n, value->u.i);
        if (value->kind == TW_VALUE_TIMESTAMPTZ)
            tmp[n++] = 'Z';
    }
    tmp[n++] = '"';
    tw_buf_append(buf, tmp, n);
}

/* ISO 8601 duration (tw_calendar_format_duration says how). */
static void append_interval(tw_buf_t *buf, const tw_value_t *value)
{
    char tmp[TW_CALENDAR_TEXT_MAX + 2];
    size_t n = 0;

    if (value->special != TW_VALUE_FINITE) {
        append_infinity(buf, value->special);
        return;
    }
    tmp[n++] = '"';
    n += tw_calendar_format_duration(tmp + n, value->u.interval.months, value->u.interval.days,
                                     value->u.interval.micros);
    tmp[n++] = '"';
    tw_buf_append(buf, tmp, n);
}

void tw_value_append_json(tw_buf_t *buf, const tw_value_t *value)
{
    uint32_t i;

    switch (value->kind) {
    case TW_VALUE_NULL: tw_buf_append_str(buf, "null"); return;
    case TW_VALUE_UNCHANGED_TOAST:
        /* Debezium's placeholder, so consumers written for it work. */
        tw_buf_append_str(buf, "\"__debezium_unavailable_value\"");
        return;
    case TW_VALUE_BOOL: tw_buf_append_str(buf, value->u.b ? "true" : "false"); return;
    case TW_VALUE_INT: append_int(buf, value->u.i); return;
    case TW_VALUE_FLOAT: append_float(buf, value->u.f, value->type_oid == TW_OID_FLOAT4); return;
    case TW_VALUE_NUMERIC:
        /* A string: most JSON parsers would turn a number into a double and
         * lose digits. Non-finite values keep numeric_out's spelling ("NaN",
         * "Infinity", "-Infinity"), as floats do. */
    case TW_VALUE_TEXT: tw_buf_append_json_string(buf, value->u.str.ptr, value->u.str.len); return;
    case TW_VALUE_BYTES:
        tw_buf_append_char(buf, '"');
        tw_buf_append_base64(buf, value->u.bytes.ptr, value->u.bytes.len);
        tw_buf_append_char(buf, '"');
        return;
    case TW_VALUE_UUID:
        tw_buf_append_char(buf, '"');
        tw_buf_append(buf, value->u.uuid.text, 36);
        tw_buf_append_char(buf, '"');
        return;
    case TW_VALUE_JSON:
        /* A string, as Debezium's io.debezium.data.Json: embedded, json
         * 'null' would print as SQL NULL does, and a json document's own
         * newlines would break the one-object-per-line output. */
        tw_buf_append_json_string(buf, value->u.str.ptr, value->u.str.len);
        return;
    case TW_VALUE_DATE:
    case TW_VALUE_TIME:
    case TW_VALUE_TIMESTAMP:
    case TW_VALUE_TIMESTAMPTZ: append_datetime(buf, value); return;
    case TW_VALUE_INTERVAL: append_interval(buf, value); return;
    case TW_VALUE_ARRAY:
        tw_buf_append_char(buf, '[');
        for (i = 0; i < value->u.array.nelems; i++) {
            if (i > 0)
                tw_buf_append_char(buf, ',');
            tw_value_append_json(buf, &value->u.array.elems[i]);
        }
        tw_buf_append_char(buf, ']');
        return;
    }
    tw_buf_append_str(buf, "null");
}
