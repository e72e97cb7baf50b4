/*
 * value.c — what the value layer shares: type names, the array element
 * types, and the questions asked of a parsed value (numeric scale and
 * typmod, timestamps from 1970).
 *
 * The layer's other parts: value_text.c parses the text output format,
 * value_binary.c the binary send format, value_json.c renders values as
 * `tidewater tail` prints them.
 */
#include "pg/value.h"

#include <stdio.h>
#include <string.h>

#include "util/calendar.h"
#include "pg/value_internal.h"

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

void tw_value_type_label(uint32_t oid, char *out, size_t size)
{
    uint32_t elem = tw_value_array_elem_oid(oid);
    const char *name = type_name(elem ? elem : oid);

    if (name == NULL)
        snprintf(out, size, "type %u", (unsigned)oid);
    else
        snprintf(out, size, "%s%s", name, elem ? "[]" : "");
}

void tw_value_uuid_format(tw_value_t *out)
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

/* Only a cheap sanity check: the server validated the document on input,
 * and a full parse per column would cost more than everything else here.
 * It catches a wrong type OID or a truncated value, which would otherwise
 * be embedded raw and break the JSON it is written into. */
bool tw_value_looks_like_json(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    if (i == len)
        return false;
    return strchr("{[\"-0123456789tfn", s[i]) != NULL && s[i] != '\0';
}

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
    case TW_OID_TIMETZ_ARRAY: return TW_OID_TIMETZ;
    }
    return 0;
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
