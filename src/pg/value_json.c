/*
 * value_json.c — typed values as JSON, as `tidewater tail` prints them
 * (value.h, tw_value_append_json, says how each kind is written).
 *
 * snprintf("%g") and strtod follow LC_NUMERIC. tidewater never calls
 * setlocale, so the "C" locale (decimal point '.') is in force; that is
 * what makes them safe to use here.
 */
#include "pg/value.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/buf.h"
#include "util/calendar.h"

/* Decimal text of v, as the hot path's snprintf would print it. */
static size_t format_int(char *out, int64_t v)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char tmp[24];
    size_t n = 0, len = 0;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        out[len++] = '-';
    while (n > 0)
        out[len++] = tmp[--n];
    return len;
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
