/*
 * value_binary.c — pgoutput column values in PostgreSQL's binary send
 * format (pgoutput with binary 'true') → typed values.
 *
 * Each type's reader mirrors the type's send function. Like the text
 * parsers, they run once per column and allocate from the arena only what
 * has to be built (numeric and high-byte "char" text, array elements).
 */
#include "pg/value.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/calendar.h"
#include "pg/value_internal.h"

typedef struct binary_in {
    uint32_t oid;
    const uint8_t *data;
    size_t len;
    tw_arena_t *arena;
    char *errstr;
    size_t errstr_size;
    int server_version; /* 0: unknown, taken as the newest */
} binary_in_t;

static tw_err_t binary_malformed(const binary_in_t *in, const char *why)
{
    char name[32];

    if (in->errstr == NULL || in->errstr_size == 0)
        return TW_ERR_MALFORMED;
    tw_value_type_label(in->oid, name, sizeof(name));
    return tw_errf(TW_ERR_MALFORMED, in->errstr, in->errstr_size,
                   "invalid binary %s value (%zu bytes): %s", name, in->len, why);
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
    tw_value_init(out, in->oid, TW_VALUE_BYTES);
    out->unknown_type = true;
    out->u.bytes.ptr = in->data;
    out->u.bytes.len = in->len;
    return TW_OK;
}

/* boolrecv treats any non-zero byte as true. */
static tw_err_t bool_from_binary(const binary_in_t *in, tw_value_t *out)
{
    tw_value_init(out, in->oid, TW_VALUE_BOOL);
    if (in->len != 1)
        return binary_wrong_length(in, 1);
    out->u.b = in->data[0] != 0;
    return TW_OK;
}

static tw_err_t int_from_binary(const binary_in_t *in, tw_value_t *out)
{
    size_t want = in->oid == TW_OID_INT2 ? 2 : in->oid == TW_OID_INT8 ? 8 : 4;

    tw_value_init(out, in->oid, TW_VALUE_INT);
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
    tw_value_init(out, in->oid, TW_VALUE_FLOAT);
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

    tw_value_init(out, in->oid, TW_VALUE_NUMERIC);
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
    tw_value_init(out, in->oid, TW_VALUE_TEXT);
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

    tw_value_init(out, in->oid, TW_VALUE_TEXT);
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
    tw_value_init(out, in->oid, TW_VALUE_BYTES);
    out->u.bytes.ptr = in->data;
    out->u.bytes.len = in->len;
    return TW_OK;
}

static tw_err_t uuid_from_binary(const binary_in_t *in, tw_value_t *out)
{
    tw_value_init(out, in->oid, TW_VALUE_UUID);
    if (in->len != 16)
        return binary_wrong_length(in, 16);
    memcpy(out->u.uuid.bytes, in->data, 16);
    tw_value_uuid_format(out);
    return TW_OK;
}

/* json_send is the text; jsonb_send prefixes it with a format version byte,
 * only version 1 exists. */
static tw_err_t json_from_binary(const binary_in_t *in, tw_value_t *out)
{
    size_t skip = 0;

    tw_value_init(out, in->oid, TW_VALUE_JSON);
    if (in->oid == TW_OID_JSONB) {
        if (in->len < 1 || in->data[0] != 1)
            return binary_malformed(in, "unknown jsonb version");
        skip = 1;
    }
    out->u.str.ptr = (const char *)in->data + skip;
    out->u.str.len = in->len - skip;
    if (!tw_value_looks_like_json(out->u.str.ptr, out->u.str.len))
        return binary_malformed(in, "not JSON");
    return TW_OK;
}

/* int32 days since 2000-01-01; INT32_MIN/MAX are -infinity/infinity. */
static tw_err_t date_from_binary(const binary_in_t *in, tw_value_t *out)
{
    int32_t days;

    tw_value_init(out, in->oid, TW_VALUE_DATE);
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
    tw_value_init(out, in->oid, TW_VALUE_TIME);
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

    tw_value_init(out, in->oid,
               in->oid == TW_OID_TIMESTAMPTZ ? TW_VALUE_TIMESTAMPTZ : TW_VALUE_TIMESTAMP);
    if (in->len != 8)
        return binary_wrong_length(in, 8);
    v = (int64_t)read_be64(in->data);
    if (v == INT64_MAX || v == INT64_MIN) {
        out->special = v == INT64_MAX ? TW_VALUE_POS_INFINITY : TW_VALUE_NEG_INFINITY;
        out->u.i = v;
        return TW_OK;
    }
    /* PostgreSQL's timestamp_recv refuses these too; formatting them
     * would overflow. */
    if (v < TW_CALENDAR_PG_TIMESTAMP_MIN || v >= TW_CALENDAR_PG_TIMESTAMP_END)
        return binary_malformed(in, "timestamp out of range");
    out->u.i = v;
    return TW_OK;
}

/* int64 microseconds, int32 days, int32 months. PostgreSQL 17 encodes
 * infinite intervals as all three fields at their maximum (minimum); before
 * 17 those are the largest and smallest finite intervals. */
static tw_err_t interval_from_binary(const binary_in_t *in, tw_value_t *out)
{
    tw_value_init(out, in->oid, TW_VALUE_INTERVAL);
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
            tw_value_init(&elems[i], elem_oid, TW_VALUE_NULL);
            continue;
        }
        if (elem_len < 0 || elem_len > end - p)
            return binary_malformed(in, "truncated element");
        elem_in.data = p;
        elem_in.len = (size_t)elem_len;
        err = scalar_from_binary(&elem_in, &elems[i]);
        if (err != TW_OK) {
            char name[32];
            tw_value_type_label(in->oid, name, sizeof(name));
            return tw_errf(err, in->errstr, in->errstr_size,
                           "invalid binary %s value: element %d: %s", name, (int)*index, elem_err);
        }
        p += elem_len;
    }
    *pp = p;
    tw_value_init(out, in->oid, TW_VALUE_ARRAY);
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
    int32_t ndim, flags, dims[TW_VALUE_ARRAY_MAX_DIMS], index = 0, d;
    uint64_t total = 1;
    tw_err_t err;

    if (in->len < 12)
        return binary_malformed(in, "short header");
    ndim = (int32_t)read_be32(p);
    flags = (int32_t)read_be32(p + 4);
    if (ndim < 0 || ndim > TW_VALUE_ARRAY_MAX_DIMS || (flags != 0 && flags != 1))
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
        tw_value_init(out, in->oid, TW_VALUE_ARRAY);
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
