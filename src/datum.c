/*
 * datum.c — typed access to datums for converters.
 */
#include "datum.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tail.h"

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

int64_t tw_micro_duration(int32_t months, int32_t days, int64_t micros)
{
    const double days_per_month = 365.25 / 12.0;
    double total_days = months * days_per_month + days;
    return (int64_t)llround(total_days * 86400000000.0) + micros;
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
         v->kind == TW_VALUE_TIMESTAMPTZ || v->kind == TW_VALUE_INTERVAL) && is_special(v))
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "an infinite date/time value has no %s representation", name);
    switch (v->kind) {
    case TW_VALUE_INT:
    case TW_VALUE_DATE:
        *out = v->u.i;
        return TW_OK;
    case TW_VALUE_TIME:
        /* io.debezium.time.Time counts milliseconds. */
        *out = strcmp(name, "io.debezium.time.Time") == 0 ? v->u.i / 1000 : v->u.i;
        return TW_OK;
    case TW_VALUE_TIMESTAMP:
    case TW_VALUE_TIMESTAMPTZ:
        /* io.debezium.time.Timestamp counts milliseconds since 1970, which
         * hold every PostgreSQL timestamp; microseconds since 1970 end in
         * 294247 AD, before PostgreSQL's range does. */
        if (strcmp(name, "io.debezium.time.Timestamp") == 0) {
            int64_t ms = v->u.i / 1000 - (v->u.i % 1000 < 0 ? 1 : 0);
            *out = ms + TW_PG_EPOCH_OFFSET_US / 1000;
            return TW_OK;
        }
        if (!tw_value_unix_micros(v, out))
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "a timestamp after 294247-01-10 04:00:54.775807 has no %s "
                           "representation (int64 microseconds since 1970)",
                           name[0] ? name : "int64");
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

tw_err_t tw_datum_double(const tw_datum_t *datum, const tw_cs_t *schema, double *out,
                         char *errstr, size_t errstr_size)
{
    if (datum->json) {
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
    return kind_mismatch(schema, "a non-boolean value", errstr, errstr_size);
}

tw_err_t tw_datum_string(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                         const char **s, size_t *len, char *errstr, size_t errstr_size)
{
    const tw_value_t *v = datum->pg;

    if (datum->json) {
        if (!json_is_string(datum->json))
            return kind_mismatch(schema, "a non-string JSON value", errstr, errstr_size);
        *s = json_string_value(datum->json);
        *len = json_string_length(datum->json);
        return TW_OK;
    }
    if (v == NULL)
        return kind_mismatch(schema, "a struct", errstr, errstr_size);
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
        /* ZonedTimestamp and anything else with a string schema: the same
         * ISO-8601 rendering `tail` prints, without the JSON quotes. */
        tw_buf_reset(scratch);
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
        tw_buf_printf(out, "\"%s\":", schema->fields[i].name);
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
            tw_buf_printf(out, "%lld", (long long)i64);
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
