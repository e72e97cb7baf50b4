/*
 * fuzz_value.c — libFuzzer target for the value parsers (value_text.c and
 * value_binary.c) and the JSON output of what they return (value_json.c).
 *
 * Input layout: byte 0 picks the type OID from the table below (every type
 * value.h maps, their arrays, and one OID it does not know), byte 1 picks
 * text or binary format and the server version, bytes 2..5 are the typmod
 * (big-endian), the rest is the value. The value is copied into a buffer of
 * exactly its size, so a read past its end is an AddressSanitizer report.
 *
 * Checks: on success, the value's slices lie inside the input or were
 * allocated (ASan sees every byte read), and tw_value_append_json writes a
 * JSON text that jansson accepts; on failure, errstr was filled and
 * terminated.
 *
 * Seeds: tests/fuzz/corpus/value/ (one file per type and format).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"
#include "pg/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t oids[] = {
    TW_OID_BOOL,           TW_OID_BYTEA,           TW_OID_CHAR,
    TW_OID_NAME,           TW_OID_INT8,            TW_OID_INT2,
    TW_OID_INT4,           TW_OID_TEXT,            TW_OID_OID,
    TW_OID_JSON,           TW_OID_FLOAT4,          TW_OID_FLOAT8,
    TW_OID_BPCHAR,         TW_OID_VARCHAR,         TW_OID_DATE,
    TW_OID_TIME,           TW_OID_TIMESTAMP,       TW_OID_TIMESTAMPTZ,
    TW_OID_INTERVAL,       TW_OID_TIMETZ,          TW_OID_NUMERIC,
    TW_OID_UUID,           TW_OID_JSONB,           TW_OID_BOOL_ARRAY,
    TW_OID_BYTEA_ARRAY,    TW_OID_CHAR_ARRAY,      TW_OID_NAME_ARRAY,
    TW_OID_INT2_ARRAY,     TW_OID_INT4_ARRAY,      TW_OID_TEXT_ARRAY,
    TW_OID_BPCHAR_ARRAY,   TW_OID_VARCHAR_ARRAY,   TW_OID_INT8_ARRAY,
    TW_OID_FLOAT4_ARRAY,   TW_OID_FLOAT8_ARRAY,    TW_OID_OID_ARRAY,
    TW_OID_TIMESTAMP_ARRAY, TW_OID_DATE_ARRAY,     TW_OID_TIME_ARRAY,
    TW_OID_TIMESTAMPTZ_ARRAY, TW_OID_INTERVAL_ARRAY, TW_OID_NUMERIC_ARRAY,
    TW_OID_UUID_ARRAY,     TW_OID_JSON_ARRAY,      TW_OID_JSONB_ARRAY,
    600 /* point: no mapping, comes back as text or bytes */,
};

/* Keeps the compiler from dropping the reads. */
static volatile uint64_t sink;

static uint64_t touch(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint64_t sum = 0;
    size_t i;

    if (p == NULL && len != 0)
        abort();
    for (i = 0; i < len; i++)
        sum += b[i];
    return sum;
}

static uint64_t touch_value(const tw_value_t *v, int depth)
{
    uint32_t i;
    uint64_t sum = (uint64_t)v->kind;

    if (depth > 8) /* PostgreSQL allows 6 dimensions */
        abort();
    switch (v->kind) {
    case TW_VALUE_NUMERIC:
    case TW_VALUE_TEXT:
    case TW_VALUE_JSON:
        sum += touch(v->u.str.ptr, v->u.str.len);
        break;
    case TW_VALUE_BYTES:
        sum += touch(v->u.bytes.ptr, v->u.bytes.len);
        break;
    case TW_VALUE_UUID:
        if (memchr(v->u.uuid.text, '\0', sizeof(v->u.uuid.text)) == NULL)
            abort();
        break;
    case TW_VALUE_ARRAY:
        for (i = 0; i < v->u.array.nelems; i++)
            sum += touch_value(&v->u.array.elems[i], depth + 1);
        break;
    default:
        break;
    }
    if (v->kind == TW_VALUE_NUMERIC && v->special == TW_VALUE_FINITE)
        sum += (uint64_t)tw_value_numeric_scale(v);
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int versions[] = {0, 150004, 170000, 100000};
    tw_arena_t *arena;
    tw_buf_t out = {0};
    tw_value_t value;
    char errstr[256];
    uint8_t *copy;
    uint32_t oid;
    int32_t typmod;
    size_t len;
    bool binary;
    int version;
    tw_err_t err;
    int64_t micros;

    if (size < 6)
        return 0;
    oid = oids[data[0] % (sizeof(oids) / sizeof(oids[0]))];
    binary = data[1] & 1;
    version = versions[(data[1] >> 1) & 3];
    typmod = (int32_t)((uint32_t)data[2] << 24 | (uint32_t)data[3] << 16 |
                       (uint32_t)data[4] << 8 | data[5]);
    len = size - 6;
    /* Exactly len bytes (malloc(0) may return NULL: keep one byte). */
    copy = malloc(len ? len : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data + 6, len);

    arena = tw_arena_new(256);
    errstr[0] = '\0';
    if (binary)
        err = tw_value_from_binary(oid, typmod, version, copy, len, arena, &value, errstr,
                                   sizeof(errstr));
    else
        err = tw_value_from_text(oid, typmod, (const char *)copy, len, arena, &value, errstr,
                                 sizeof(errstr));
    if (err == TW_OK) {
        json_error_t jerr;
        json_t *doc;

        sink += touch_value(&value, 0);
        if (tw_value_unix_micros(&value, &micros))
            sink += (uint64_t)micros;
        tw_value_append_json(&out, &value);
        doc = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (doc == NULL)
            abort(); /* tail would print a line no JSON reader accepts */
        json_decref(doc);
    } else if (errstr[0] == '\0' || memchr(errstr, '\0', sizeof(errstr)) == NULL) {
        abort();
    }
    tw_buf_free(&out);
    tw_arena_destroy(arena);
    free(copy);
    return 0;
}
