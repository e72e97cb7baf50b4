/*
 * datum.c — typed access to datums for converters.
 */
#include "codec/datum.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/hstore.h"
#include "util/calendar.h"
#include "pg/datum_pgtext.h"

static tw_err_t kind_mismatch(const tw_cs_t *schema, const char *what, char *errstr,
                              size_t errstr_size)
{
    return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                   "cannot encode %s as %s%s%s", what,
                   schema->name ? schema->name : "", schema->name ? " " : "",
                   schema->type == TW_CS_STRING ? "string" : "this schema type");
}

static bool is_special(const tw_value_t *v)
{
    return v->special != TW_VALUE_FINITE;
}

bool tw_datum_null_for(const tw_datum_t *datum, const tw_cs_t *schema)
{
    const tw_value_t *v = datum->pg;

    if (tw_datum_is_null(datum))
        return true;
    return v && v->kind == TW_VALUE_NUMERIC && v->special != TW_VALUE_FINITE &&
           (schema->type == TW_CS_BYTES || schema->type == TW_CS_STRUCT);
}

int64_t tw_micro_duration(int32_t months, int32_t days, int64_t micros)
{
    const double days_per_month = 365.25 / 12.0;
    double total_days = months * days_per_month + days;
    double total = total_days * 86400000000.0 + (double)micros;

    /* Beyond int64 (an interval of more than ~292,000 years) Debezium's
     * double-to-long conversion saturates; so does this. */
    if (total >= 9223372036854775807.0)
        return INT64_MAX;
    if (total <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)llround(total_days * 86400000000.0) + micros;
}

/* What Debezium writes for PostgreSQL's infinite dates and timestamps in
 * its numeric schemas: a date's day count is PostgreSQL's int32 infinity
 * moved to 1970 in 32-bit arithmetic (wrapping for +infinity); timestamps
 * are pgjdbc's infinity constants (milliseconds) read as microseconds, or
 * divided to milliseconds; nanoseconds saturate. */
static int64_t infinite_epoch_value(const tw_value_t *v, const tw_cs_t *schema)
{
    bool pos = v->special == TW_VALUE_POS_INFINITY;
    const char *name = schema->name ? schema->name : "";
    int64_t micros = pos ? INT64_C(9223372036825200000) : -INT64_C(9223372036832400000);

    if (v->kind == TW_VALUE_DATE)
        return (int32_t)(uint32_t)((pos ? (uint32_t)INT32_MAX : (uint32_t)INT32_MIN) +
                                   (uint32_t)TW_CALENDAR_PG_EPOCH_DAYS);
    if (schema->render == TW_CS_RENDER_NANOS)
        return pos ? INT64_MAX : INT64_MIN;
    if (strcmp(name, "io.debezium.time.Timestamp") == 0 ||
        strcmp(name, "org.apache.kafka.connect.data.Timestamp") == 0)
        return micros / 1000;
    return micros;
}

tw_err_t tw_datum_int64(const tw_datum_t *datum, const tw_cs_t *schema, int64_t *out,
                        char *errstr, size_t errstr_size)
{
    const tw_value_t *v = datum->pg;
    const char *name = schema->name ? schema->name : "";

    if (datum->json) {
        if (!json_is_integer(datum->json))
            return kind_mismatch(schema, "a non-integer JSON value", errstr, errstr_size);
        *out = json_integer_value(datum->json);
        return TW_OK;
    }
    if (v == NULL)
        return kind_mismatch(schema, "a struct", errstr, errstr_size);
    if ((v->kind == TW_VALUE_DATE || v->kind == TW_VALUE_TIMESTAMP ||
         v->kind == TW_VALUE_TIMESTAMPTZ) && is_special(v)) {
        *out = infinite_epoch_value(v, schema);
        return TW_OK;
    }
    if (v->kind == TW_VALUE_INTERVAL && is_special(v))
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "an infinite date/time value has no %s representation", name);
    switch (v->kind) {
    case TW_VALUE_INT:
    case TW_VALUE_DATE:
        *out = v->u.i;
        return TW_OK;
    case TW_VALUE_TIME:
        /* io.debezium.time.Time and Connect's Time count milliseconds. */
        if (schema->render == TW_CS_RENDER_NANOS)
            *out = v->u.i * 1000;
        else if (strcmp(name, "io.debezium.time.Time") == 0 ||
                 strcmp(name, "org.apache.kafka.connect.data.Time") == 0)
            *out = v->u.i / 1000;
        else
            *out = v->u.i;
        return TW_OK;
    case TW_VALUE_TIMESTAMP:
    case TW_VALUE_TIMESTAMPTZ:
        /* io.debezium.time.Timestamp counts milliseconds since 1970, which
         * hold every PostgreSQL timestamp; microseconds since 1970 end in
         * 294247 AD, before PostgreSQL's range does. */
        if (strcmp(name, "io.debezium.time.Timestamp") == 0 ||
            strcmp(name, "org.apache.kafka.connect.data.Timestamp") == 0) {
            int64_t ms = v->u.i / 1000 - (v->u.i % 1000 < 0 ? 1 : 0);
            *out = ms + TW_PG_EPOCH_OFFSET_US / 1000;
            return TW_OK;
        }
        if (!tw_value_unix_micros(v, out))
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "a timestamp after 294247-01-10 04:00:54.775807 has no %s "
                           "representation (int64 microseconds since 1970)",
                           name[0] ? name : "int64");
        if (schema->render == TW_CS_RENDER_NANOS) {
            if (*out > INT64_MAX / 1000 || *out < INT64_MIN / 1000)
                return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                               "a timestamp outside 1677-09-21..2262-04-11 has no %s "
                               "representation (int64 nanoseconds since 1970)",
                               name);
            *out *= 1000;
        }
        return TW_OK;
    case TW_VALUE_INTERVAL:
        *out = tw_micro_duration(v->u.interval.months, v->u.interval.days,
                                 v->u.interval.micros);
        return TW_OK;
    case TW_VALUE_BOOL:
        *out = v->u.b;
        return TW_OK;
    default: return kind_mismatch(schema, "a non-integer value", errstr, errstr_size);
    }
}

/* Decimal text as the nearest double. */
static double text_to_double(const char *s, size_t len)
{
    char local[64], *copy = len < sizeof(local) ? local : tw_malloc(len + 1);
    double d;

    memcpy(copy, s, len);
    copy[len] = '\0';
    d = strtod(copy, NULL);
    if (copy != local)
        free(copy);
    return d;
}

tw_err_t tw_datum_double(const tw_datum_t *datum, const tw_cs_t *schema, double *out,
                         char *errstr, size_t errstr_size)
{
    if (datum->json) {
        /* JSON has no NaN or infinities: a schema default keeps them as the
         * strings Java prints (column_default.c). */
        const char *s = json_string_value(datum->json);
        if (s && (strcmp(s, "NaN") == 0 || strcmp(s, "Infinity") == 0 ||
                  strcmp(s, "-Infinity") == 0)) {
            *out = s[0] == 'N' ? NAN : s[0] == '-' ? -INFINITY : INFINITY;
            return TW_OK;
        }
        if (!json_is_number(datum->json))
            return kind_mismatch(schema, "a non-numeric JSON value", errstr, errstr_size);
        *out = json_number_value(datum->json);
        return TW_OK;
    }
    if (datum->pg && datum->pg->kind == TW_VALUE_FLOAT) {
        *out = datum->pg->u.f;
        return TW_OK;
    }
    if (datum->pg && datum->pg->kind == TW_VALUE_INT) {
        *out = (double)datum->pg->u.i;
        return TW_OK;
    }
    if (datum->pg && datum->pg->kind == TW_VALUE_NUMERIC) {
        /* decimal.handling.mode=double */
        if (datum->pg->special == TW_VALUE_NAN)
            *out = NAN;
        else if (datum->pg->special != TW_VALUE_FINITE)
            *out = datum->pg->special == TW_VALUE_POS_INFINITY ? INFINITY : -INFINITY;
        else
            *out = text_to_double(datum->pg->u.str.ptr, datum->pg->u.str.len);
        return TW_OK;
    }
    if (datum->pg && schema->render == TW_CS_RENDER_MONEY) {
        tw_buf_t digits = TW_BUF_INIT;
        bool ok = tw_pgtext_money(datum->pg, &digits);
        if (ok)
            *out = text_to_double(digits.data, digits.len);
        tw_buf_free(&digits);
        if (ok)
            return TW_OK;
    }
    return kind_mismatch(schema, "a non-numeric value", errstr, errstr_size);
}

tw_err_t tw_datum_bool(const tw_datum_t *datum, const tw_cs_t *schema, bool *out,
                       char *errstr, size_t errstr_size)
{
    if (datum->json && json_is_boolean(datum->json)) {
        *out = json_is_true(datum->json);
        return TW_OK;
    }
    if (datum->pg && datum->pg->kind == TW_VALUE_BOOL) {
        *out = datum->pg->u.b;
        return TW_OK;
    }
    if (datum->pg && (datum->pg->type_oid == TW_OID_BIT || datum->pg->type_oid == TW_OID_VARBIT)) {
        /* bit(1): Debezium's boolean. */
        tw_buf_t bits = TW_BUF_INIT;
        bool ok = tw_pgtext_bits(datum->pg, &bits);
        *out = ok && bits.len > 0;
        tw_buf_free(&bits);
        if (ok)
            return TW_OK;
    }
    return kind_mismatch(schema, "a non-boolean value", errstr, errstr_size);
}

static void append_hex(tw_buf_t *out, const uint8_t *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        tw_buf_append_char(out, hex[p[i] >> 4]);
        tw_buf_append_char(out, hex[p[i] & 15]);
    }
}

/* binary.handling.mode base64, base64-url-safe (Java's URL encoder keeps
 * the padding) and hex. */
static void append_binary_text(tw_buf_t *out, const uint8_t *p, size_t len, tw_cs_render_t how)
{
    size_t i, start = out->len;

    if (how == TW_CS_RENDER_HEX) {
        append_hex(out, p, len);
        return;
    }
    tw_buf_append_base64(out, p, len);
    if (how == TW_CS_RENDER_BASE64_URL)
        for (i = start; i < out->len; i++)
            out->data[i] = out->data[i] == '+' ? '-' : out->data[i] == '/' ? '_' : out->data[i];
}

/* ZonedTimestamp: UTC, the fraction padded to the column's precision as
 * Debezium writes it ("2024-02-29T11:34:56.789000Z" for timestamptz(6)). */
static void append_zoned_timestamp(tw_buf_t *out, const tw_value_t *v, int digits)
{
    char text[TW_CALENDAR_TEXT_MAX];
    size_t n = tw_calendar_format_pg_timestamp(text, v->u.i), i;
    int64_t frac = tw_calendar_floor_div(v->u.i, TW_USECS_PER_SEC);
    char num[24];

    frac = v->u.i - frac * TW_USECS_PER_SEC;
    for (i = 0; i < n && text[i] != '.'; i++)
        ;
    tw_buf_append(out, text, i); /* without the trimmed fraction */
    if (digits > 0) {
        snprintf(num, sizeof(num), "%06lld", (long long)frac);
        tw_buf_append_char(out, '.');
        tw_buf_append(out, num, (size_t)(digits > 6 ? 6 : digits));
    }
    tw_buf_append_char(out, 'Z');
}

/* io.debezium.time.Interval: every component, each with its own sign,
 * as pgjdbc's PGInterval splits PostgreSQL's text ("P-1Y-2M3DT0H0M-6.5S"):
 * years and months from the months, hours, minutes and seconds (with up to
 * six fraction digits, trailing zeros dropped) from the microseconds. */
static void append_debezium_interval(tw_buf_t *out, const tw_value_t *v)
{
    int64_t us = v->u.interval.micros;
    int64_t hours = us / TW_USECS_PER_HOUR, minutes, secs, frac;
    char digits[24];
    int n;

    us -= hours * TW_USECS_PER_HOUR;
    minutes = us / TW_USECS_PER_MINUTE;
    us -= minutes * TW_USECS_PER_MINUTE;
    secs = us / TW_USECS_PER_SEC;
    frac = us - secs * TW_USECS_PER_SEC;
    tw_buf_printf(out, "P%dY%dM%dDT%lldH%lldM", v->u.interval.months / 12,
                  v->u.interval.months % 12, v->u.interval.days, (long long)hours,
                  (long long)minutes);
    if (us < 0)
        tw_buf_append_char(out, '-');
    tw_buf_printf(out, "%lld", (long long)(secs < 0 ? -secs : secs));
    if (frac != 0) {
        snprintf(digits, sizeof(digits), "%06lld", (long long)(frac < 0 ? -frac : frac));
        for (n = 6; n > 0 && digits[n - 1] == '0'; n--)
            ;
        tw_buf_append_char(out, '.');
        tw_buf_append(out, digits, (size_t)n);
    }
    tw_buf_append_char(out, 'S');
}

/* time.precision.mode=isostring: the local date/time, marked UTC;
 * infinities as the dates Debezium's numbers for them denote. False (and
 * nothing appended) for a value this rendering does not cover. */
static bool append_iso_local(tw_buf_t *scratch, const tw_value_t *v, const tw_cs_t *schema)
{
    char text[TW_CALENDAR_TEXT_MAX];

    if (v->special != TW_VALUE_FINITE && v->kind == TW_VALUE_DATE)
        tw_buf_append(scratch, text,
                      tw_calendar_format_date(text, infinite_epoch_value(v, schema)));
    else if (v->special != TW_VALUE_FINITE &&
             (v->kind == TW_VALUE_TIMESTAMP || v->kind == TW_VALUE_TIMESTAMPTZ)) {
        /* microseconds since 1970, beyond PostgreSQL's own range */
        int64_t us = infinite_epoch_value(v, schema);
        int64_t days = tw_calendar_floor_div(us, TW_USECS_PER_DAY);
        int64_t rem = us % TW_USECS_PER_DAY; /* days * a day may not fit */
        tw_buf_append(scratch, text, tw_calendar_format_date(text, days));
        tw_buf_append_char(scratch, 'T');
        tw_buf_append(scratch, text,
                      tw_calendar_format_time(text, rem < 0 ? rem + TW_USECS_PER_DAY : rem));
    } else if (v->special != TW_VALUE_FINITE)
        return false;
    else if (v->kind == TW_VALUE_DATE)
        tw_buf_append(scratch, text, tw_calendar_format_date(text, v->u.i));
    else if (v->kind == TW_VALUE_TIME) /* a LocalTime: 24:00:00 is 00:00:00 */
        tw_buf_append(scratch, text, tw_calendar_format_time(text, v->u.i % TW_USECS_PER_DAY));
    else if (v->kind == TW_VALUE_TIMESTAMP)
        tw_buf_append(scratch, text, tw_calendar_format_pg_timestamp(text, v->u.i));
    else
        return false;
    tw_buf_append_char(scratch, 'Z');
    return true;
}

static tw_err_t string_of(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                          const char **s, size_t *len, char *errstr, size_t errstr_size)
{
    const tw_value_t *v = datum->pg;
    char text[TW_CALENDAR_TEXT_MAX];
    int64_t micros;

    if (datum->json) {
        if (!json_is_string(datum->json))
            return kind_mismatch(schema, "a non-string JSON value", errstr, errstr_size);
        *s = json_string_value(datum->json);
        *len = json_string_length(datum->json);
        return TW_OK;
    }
    if (v == NULL)
        return kind_mismatch(schema, "a struct", errstr, errstr_size);
    tw_buf_reset(scratch);
    switch (schema->render) {
    case TW_CS_RENDER_BASE64:
    case TW_CS_RENDER_BASE64_URL:
    case TW_CS_RENDER_HEX:
        if (v->kind != TW_VALUE_BYTES)
            return kind_mismatch(schema, "a non-bytea value", errstr, errstr_size);
        append_binary_text(scratch, v->u.bytes.ptr, v->u.bytes.len, schema->render);
        goto scratch_out;
    case TW_CS_RENDER_HSTORE_JSON: {
        tw_hstore_t h = TW_HSTORE_INIT;
        tw_err_t err = tw_hstore_parse(v, &h, errstr, errstr_size);
        if (err == TW_OK)
            tw_hstore_append_json(scratch, &h);
        tw_hstore_free(&h);
        if (err)
            return err;
        goto scratch_out;
    }
    case TW_CS_RENDER_MONEY:
        if (!tw_pgtext_money(v, scratch))
            return kind_mismatch(schema, "a value not in money's form", errstr, errstr_size);
        goto scratch_out;
    case TW_CS_RENDER_ISO_DATE:
    case TW_CS_RENDER_ISO_TIME:
    case TW_CS_RENDER_ISO_TIMESTAMP:
        if (!append_iso_local(scratch, v, schema))
            break;
        goto scratch_out;
    case TW_CS_RENDER_ZONED_TIME:
        if (!tw_pgtext_timetz_utc(v, &micros))
            return kind_mismatch(schema, "a value not in timetz's form", errstr, errstr_size);
        tw_buf_append(scratch, text, tw_calendar_format_time(text, micros));
        tw_buf_append_char(scratch, 'Z');
        goto scratch_out;
    case TW_CS_RENDER_ZONED_TIMESTAMP:
        if (v->kind == TW_VALUE_TIMESTAMPTZ && v->special == TW_VALUE_FINITE &&
            schema->frac_digits >= 0) {
            append_zoned_timestamp(scratch, v, schema->frac_digits);
            goto scratch_out;
        }
        break;
    default: break;
    }
    if (v->kind == TW_VALUE_NUMERIC && v->special != TW_VALUE_FINITE) {
        /* decimal.handling.mode=string: Debezium names the special value. */
        *s = v->special == TW_VALUE_NAN            ? "NAN"
             : v->special == TW_VALUE_POS_INFINITY ? "POSITIVE_INFINITY"
                                                   : "NEGATIVE_INFINITY";
        *len = strlen(*s);
        return TW_OK;
    }
    if (v->kind == TW_VALUE_INTERVAL && v->special == TW_VALUE_FINITE && schema->name &&
        strcmp(schema->name, "io.debezium.time.Interval") == 0) {
        append_debezium_interval(scratch, v);
        goto scratch_out;
    }
    switch (v->kind) {
    case TW_VALUE_TEXT:
    case TW_VALUE_JSON:
    case TW_VALUE_NUMERIC:
        *s = v->u.str.ptr;
        *len = v->u.str.len;
        return TW_OK;
    case TW_VALUE_UUID:
        *s = v->u.uuid.text;
        *len = strlen(v->u.uuid.text);
        return TW_OK;
    default:
        /* Anything else with a string schema: the same ISO-8601 rendering
         * `tail` prints, without the JSON quotes. */
        tw_value_append_json(scratch, v);
        if (scratch->len >= 2 && scratch->data[0] == '"') {
            *s = scratch->data + 1;
            *len = scratch->len - 2;
        } else {
            *s = scratch->data;
            *len = scratch->len;
        }
        return TW_OK;
    }
scratch_out:
    *s = scratch->data;
    *len = scratch->len;
    return TW_OK;
}

/* The text, cut to the schema's truncate_chars UTF-16 code units. A
 * supplementary character cut in half leaves its high surrogate: as '?'
 * (what Java's UTF-8 encoding writes for it), or with `wtf8` as its
 * three-byte form (ED A0..AF xx), which JsonConverter's writer escapes. */
static tw_err_t string_cut(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                           bool wtf8, const char **s, size_t *len, char *errstr,
                           size_t errstr_size)
{
    tw_err_t err = string_of(datum, schema, scratch, s, len, errstr, errstr_size);
    const unsigned char *u;
    size_t keep, at;
    uint32_t cp, hi = 0;
    bool half;

    if (err || schema->truncate_chars <= 0)
        return err;
    /* A null read as the schema's default keeps the whole default: in
     * Debezium the mapper cut the (null) value, not the default Connect
     * puts in its place. */
    if (datum->pg == NULL && datum->json != NULL && datum->json == schema->default_value)
        return TW_OK;
    /* After formatting, as Debezium's mapper cuts the converted String:
     * zoned times, intervals and numerics in string modes too. */
    keep = tw_utf16_prefix(*s, *len, (size_t)schema->truncate_chars, &half);
    if (!half) {
        *len = keep;
        return TW_OK;
    }
    u = (const unsigned char *)*s + keep; /* the 4-byte character cut */
    if (keep + 4 <= *len) {
        cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
             ((uint32_t)(u[2] & 0x3F) << 6) | (uint32_t)(u[3] & 0x3F);
        hi = 0xD800 + ((cp - 0x10000) >> 10);
    } else {
        wtf8 = false; /* not a whole character: only '?' can stand for it */
    }
    if (scratch->data && *s >= scratch->data && *s < scratch->data + scratch->len) {
        at = (size_t)(*s - scratch->data);
        scratch->len = at + keep;
    } else {
        at = 0;
        tw_buf_reset(scratch);
        tw_buf_append(scratch, *s, keep);
    }
    if (wtf8) {
        tw_buf_append_char(scratch, (char)(0xE0 | (hi >> 12)));
        tw_buf_append_char(scratch, (char)(0x80 | ((hi >> 6) & 0x3F)));
        tw_buf_append_char(scratch, (char)(0x80 | (hi & 0x3F)));
    } else {
        tw_buf_append_char(scratch, '?');
    }
    *s = scratch->data + at;
    *len = scratch->len - at;
    return TW_OK;
}

tw_err_t tw_datum_string(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                         const char **s, size_t *len, char *errstr, size_t errstr_size)
{
    return string_cut(datum, schema, scratch, false, s, len, errstr, errstr_size);
}

tw_err_t tw_datum_string_wtf8(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                              const char **s, size_t *len, char *errstr, size_t errstr_size)
{
    return string_cut(datum, schema, scratch, true, s, len, errstr, errstr_size);
}

/* Multiplies the big-endian magnitude in mag[0..n) by 10 and adds digit. */
static void mag_mul10_add(uint8_t *mag, size_t n, unsigned digit)
{
    unsigned carry = digit;
    size_t i = n;

    while (i-- > 0) {
        unsigned v = mag[i] * 10u + carry;
        mag[i] = (uint8_t)v;
        carry = v >> 8;
    }
}

tw_err_t tw_decimal_unscaled_bytes(const char *text, size_t len, int scale, tw_buf_t *out,
                                   char *errstr, size_t errstr_size)
{
    size_t i = 0, ndigits = 0, frac = 0, nbytes, k;
    bool negative = false, seen_point = false;
    uint8_t *mag;
    size_t first;

    if (i < len && (text[i] == '-' || text[i] == '+'))
        negative = text[i++] == '-';
    for (k = i; k < len; k++) {
        if (text[k] == '.' && !seen_point) {
            seen_point = true;
        } else if (text[k] >= '0' && text[k] <= '9') {
            ndigits++;
            if (seen_point)
                frac++;
        } else {
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "a numeric (%zu characters) cannot be encoded as a Decimal", len);
        }
    }
    if (ndigits == 0 || (int)frac > scale)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "a numeric (%zu characters) does not fit a Decimal of scale %d", len,
                       scale);
    /* Every decimal digit needs under half a byte; one more byte for the sign. */
    nbytes = (ndigits + (size_t)scale - frac) / 2 + 2;
    mag = tw_calloc(nbytes, 1);
    for (k = i; k < len; k++)
        if (text[k] != '.')
            mag_mul10_add(mag, nbytes, (unsigned)(text[k] - '0'));
    for (k = frac; k < (size_t)scale; k++)
        mag_mul10_add(mag, nbytes, 0);
    if (negative) {
        /* Two's complement: invert and add one. */
        unsigned carry = 1;
        for (k = nbytes; k-- > 0;) {
            unsigned v = (uint8_t)~mag[k] + carry;
            mag[k] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    /* Minimal length: drop leading bytes that only repeat the sign. */
    first = 0;
    while (first + 1 < nbytes &&
           ((mag[first] == 0x00 && !(mag[first + 1] & 0x80)) ||
            (mag[first] == 0xFF && (mag[first + 1] & 0x80))))
        first++;
    tw_buf_append(out, mag + first, nbytes - first);
    free(mag);
    return TW_OK;
}

tw_err_t tw_datum_bytes(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                        const uint8_t **p, size_t *len, char *errstr, size_t errstr_size)
{
    const tw_value_t *v = datum->pg;
    tw_err_t err;

    if (v && schema->render == TW_CS_RENDER_WKB) {
        double x, y;
        if (!tw_pgtext_point(v, &x, &y))
            return kind_mismatch(schema, "a value not in point's form", errstr, errstr_size);
        tw_buf_reset(scratch);
        tw_pgtext_wkb_point(x, y, scratch);
        *p = (const uint8_t *)scratch->data;
        *len = scratch->len;
        return TW_OK;
    }
    if (v && schema->render == TW_CS_RENDER_BITS) {
        if (!tw_pgtext_bits(v, scratch))
            return kind_mismatch(schema, "a value not in bit's form", errstr, errstr_size);
        *p = (const uint8_t *)scratch->data;
        *len = scratch->len;
        return TW_OK;
    }
    if (v && schema->render == TW_CS_RENDER_MONEY) {
        const char *scale = json_string_value(json_object_get(schema->parameters, "scale"));
        tw_buf_t digits = TW_BUF_INIT;
        if (!tw_pgtext_money(v, &digits)) {
            tw_buf_free(&digits);
            return kind_mismatch(schema, "a value not in money's form", errstr, errstr_size);
        }
        tw_buf_reset(scratch);
        err = tw_decimal_unscaled_bytes(digits.data, digits.len, scale ? atoi(scale) : 2,
                                        scratch, errstr, errstr_size);
        tw_buf_free(&digits);
        if (err)
            return err;
        *p = (const uint8_t *)scratch->data;
        *len = scratch->len;
        return TW_OK;
    }
    if (v && v->kind == TW_VALUE_BYTES) {
        *p = v->u.bytes.ptr;
        *len = v->u.bytes.len;
        return TW_OK;
    }
    if (v && v->kind == TW_VALUE_NUMERIC) {
        /* A Decimal's scale is in its schema; VariableScaleDecimal's value
         * field uses the number's own scale. */
        const char *scale = schema->parameters
                                ? json_string_value(json_object_get(schema->parameters, "scale"))
                                : NULL;
        if (v->special != TW_VALUE_FINITE)
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "numeric NaN or infinity has no Decimal representation");
        tw_buf_reset(scratch);
        err = tw_decimal_unscaled_bytes(v->u.str.ptr, v->u.str.len,
                                        scale ? atoi(scale) : tw_value_numeric_scale(v), scratch,
                                        errstr, errstr_size);
        if (err)
            return err;
        *p = (const uint8_t *)scratch->data;
        *len = scratch->len;
        return TW_OK;
    }
    if (datum->json && json_is_string(datum->json)) {
        *p = (const uint8_t *)json_string_value(datum->json);
        *len = json_string_length(datum->json);
        return TW_OK;
    }
    return kind_mismatch(schema, "a non-bytes value", errstr, errstr_size);
}

size_t tw_datum_array_len(const tw_datum_t *datum)
{
    if (datum->json)
        return json_array_size(datum->json);
    if (datum->pg && datum->pg->kind == TW_VALUE_ARRAY)
        return datum->pg->u.array.nelems;
    return 0;
}

tw_datum_t tw_datum_array_elem(const tw_datum_t *datum, size_t i)
{
    tw_datum_t elem = {NULL, NULL, NULL};

    if (datum->json)
        elem.json = json_array_get(datum->json, i);
    else
        elem.pg = &datum->pg->u.array.elems[i];
    return elem;
}

tw_datum_t tw_datum_field(const tw_datum_t *datum, const tw_cs_t *schema, size_t i,
                          tw_value_t *scratch)
{
    tw_datum_t field = {NULL, NULL, NULL};

    if (datum->fields) {
        field = datum->fields[i];
    } else if (datum->json) {
        field.json = json_object_get(datum->json, schema->fields[i].name);
        if (field.json == NULL)
            field.json = json_null();
    } else if (datum->pg && schema->name &&
               strcmp(schema->name, "io.debezium.data.geometry.Point") == 0) {
        /* {x, y, wkb, srid}: the coordinates, the WKB built from the same
         * value (its schema renders it), no SRID. */
        double x = 0, y = 0;
        memset(scratch, 0, sizeof(*scratch));
        if (i < 2 && tw_pgtext_point(datum->pg, &x, &y)) {
            scratch->kind = TW_VALUE_FLOAT;
            scratch->type_oid = TW_OID_FLOAT8;
            scratch->u.f = i == 0 ? x : y;
        } else if (i == 2) {
            *scratch = *datum->pg;
        } else {
            scratch->kind = TW_VALUE_NULL;
        }
        field.pg = scratch;
    } else if (datum->pg && datum->pg->kind == TW_VALUE_NUMERIC) {
        /* VariableScaleDecimal {scale, value}: the value is the unscaled
         * integer at the text's own scale. */
        memset(scratch, 0, sizeof(*scratch));
        if (i == 0) {
            scratch->kind = TW_VALUE_INT;
            scratch->u.i = tw_value_numeric_scale(datum->pg);
        } else {
            *scratch = *datum->pg;
        }
        field.pg = scratch;
    }
    return field;
}

/* A struct assembled field by field (a transform's, e.g. a change event's
 * `source` or `after` that add.headers names), as Kafka Connect's Values
 * writes a Struct header: {"name":value,...}, strings quoted with only
 * backslashes and double quotes escaped, a null field read through its
 * schema's default. */
static tw_err_t header_struct(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *out,
                              tw_buf_t *scratch, char *errstr, size_t errstr_size)
{
    const char *s;
    size_t len, i, k;
    tw_err_t err = TW_OK;

    tw_buf_append_char(out, '{');
    for (i = 0; err == TW_OK && i < schema->nfields; i++) {
        const tw_cs_t *fs = schema->fields[i].schema;
        tw_datum_t field = datum->fields[i];
        if (i)
            tw_buf_append_char(out, ',');
        tw_buf_append_char(out, '"');
        tw_buf_append_str(out, schema->fields[i].name);
        tw_buf_append_str(out, "\":");
        if (tw_datum_is_null(&field) && fs->default_value) {
            field = (tw_datum_t){NULL, fs->default_value, NULL};
        }
        if (tw_datum_is_null(&field)) {
            tw_buf_append_str(out, "null");
        } else if (fs->type == TW_CS_STRING) {
            err = tw_datum_string(&field, fs, scratch, &s, &len, errstr, errstr_size);
            tw_buf_append_char(out, '"');
            for (k = 0; err == TW_OK && k < len; k++) {
                if (s[k] == '\\' || s[k] == '"')
                    tw_buf_append_char(out, '\\');
                tw_buf_append_char(out, s[k]);
            }
            tw_buf_append_char(out, '"');
        } else {
            err = tw_datum_header_string(&field, fs, out, scratch, errstr, errstr_size);
        }
    }
    tw_buf_append_char(out, '}');
    return err;
}

tw_err_t tw_datum_hstore(const tw_datum_t *datum, const tw_cs_t *schema, tw_hstore_t *h,
                         char *errstr, size_t errstr_size)
{
    if (datum->pg == NULL)
        return kind_mismatch(schema, "a value that is not an hstore", errstr, errstr_size);
    return tw_hstore_parse(datum->pg, h, errstr, errstr_size);
}

tw_err_t tw_datum_header_string(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *out,
                                tw_buf_t *scratch, char *errstr, size_t errstr_size)
{
    const char *s;
    const uint8_t *p;
    size_t len;
    int64_t i64;
    double d;
    bool b;
    tw_err_t err = TW_OK;

    switch (schema->type) {
    case TW_CS_MAP: {
        tw_hstore_t h = TW_HSTORE_INIT;
        err = tw_datum_hstore(datum, schema, &h, errstr, errstr_size);
        if (err == TW_OK)
            tw_hstore_append_json(out, &h);
        tw_hstore_free(&h);
        return err;
    }
    case TW_CS_STRING:
        err = tw_datum_string(datum, schema, scratch, &s, &len, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append(out, s, len);
        return err;
    case TW_CS_BYTES:
        err = tw_datum_bytes(datum, schema, scratch, &p, &len, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append(out, p, len);
        return err;
    case TW_CS_BOOLEAN:
        err = tw_datum_bool(datum, schema, &b, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append_str(out, b ? "true" : "false");
        return err;
    case TW_CS_FLOAT32:
    case TW_CS_FLOAT64:
        err = tw_datum_double(datum, schema, &d, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_printf(out, "%.17g", d);
        return err;
    case TW_CS_INT8:
    case TW_CS_INT16:
    case TW_CS_INT32:
    case TW_CS_INT64:
        err = tw_datum_int64(datum, schema, &i64, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append_i64(out, i64);
        return err;
    case TW_CS_ARRAY:
    case TW_CS_STRUCT:
        if (datum->fields && schema->type == TW_CS_STRUCT)
            return header_struct(datum, schema, out, scratch, errstr, errstr_size);
        if (datum->pg)
            tw_value_append_json(out, datum->pg);
        else if (datum->json) {
            char *text = json_dumps(datum->json, JSON_COMPACT | JSON_ENCODE_ANY);
            tw_buf_append_str(out, text ? text : "null");
            free(text);
        }
        return TW_OK;
    }
    return TW_OK;
}
