/*
 * value.h — turns one pgoutput column value (text or binary format) into a
 * typed value according to its PostgreSQL type OID.
 *
 * Text slices in a value point into the input (zero-copy); anything that has
 * to be built (decoded bytea, array elements, numeric and high-byte "char"
 * text rebuilt from the binary format) is allocated from the arena the
 * caller passes. A value is therefore valid until the input is freed or the
 * arena is reset.
 *
 * Types without a mapping are never dropped: they come back as
 * TW_VALUE_TEXT with `unknown_type` set, holding PostgreSQL's text form.
 */
#ifndef TW_VALUE_H
#define TW_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/common.h"

/* Built-in type OIDs (pg_type.dat); stable across PostgreSQL versions. */
enum {
    TW_OID_BOOL = 16,
    TW_OID_BYTEA = 17,
    TW_OID_CHAR = 18,
    TW_OID_NAME = 19,
    TW_OID_INT8 = 20,
    TW_OID_INT2 = 21,
    TW_OID_INT4 = 23,
    TW_OID_TEXT = 25,
    TW_OID_OID = 26,
    TW_OID_JSON = 114,
    TW_OID_FLOAT4 = 700,
    TW_OID_FLOAT8 = 701,
    TW_OID_BPCHAR = 1042,
    TW_OID_VARCHAR = 1043,
    TW_OID_DATE = 1082,
    TW_OID_TIME = 1083,
    TW_OID_TIMESTAMP = 1114,
    TW_OID_TIMESTAMPTZ = 1184,
    TW_OID_INTERVAL = 1186,
    TW_OID_TIMETZ = 1266,
    TW_OID_NUMERIC = 1700,
    TW_OID_UUID = 2950,
    TW_OID_JSONB = 3802,
    /* mapped by connect_schema.c; their values are PostgreSQL's text */
    TW_OID_XML = 142,
    TW_OID_POINT = 600,
    TW_OID_MONEY = 790,
    TW_OID_BIT = 1560,
    TW_OID_VARBIT = 1562,
    TW_OID_TSVECTOR = 3614,
    /* arrays of the above (any number of dimensions) */
    TW_OID_BOOL_ARRAY = 1000,
    TW_OID_BYTEA_ARRAY = 1001,
    TW_OID_CHAR_ARRAY = 1002,
    TW_OID_NAME_ARRAY = 1003,
    TW_OID_INT2_ARRAY = 1005,
    TW_OID_INT4_ARRAY = 1007,
    TW_OID_TEXT_ARRAY = 1009,
    TW_OID_BPCHAR_ARRAY = 1014,
    TW_OID_VARCHAR_ARRAY = 1015,
    TW_OID_INT8_ARRAY = 1016,
    TW_OID_FLOAT4_ARRAY = 1021,
    TW_OID_FLOAT8_ARRAY = 1022,
    TW_OID_OID_ARRAY = 1028,
    TW_OID_TIMESTAMP_ARRAY = 1115,
    TW_OID_DATE_ARRAY = 1182,
    TW_OID_TIME_ARRAY = 1183,
    TW_OID_TIMESTAMPTZ_ARRAY = 1185,
    TW_OID_INTERVAL_ARRAY = 1187,
    TW_OID_NUMERIC_ARRAY = 1231,
    TW_OID_UUID_ARRAY = 2951,
    TW_OID_JSON_ARRAY = 199,
    TW_OID_JSONB_ARRAY = 3807,
    TW_OID_TIMETZ_ARRAY = 1270, /* elements stay PostgreSQL's text (or send bytes) */
};

typedef enum tw_value_kind {
    TW_VALUE_NULL,
    TW_VALUE_UNCHANGED_TOAST, /* the server did not send it; no value exists */
    TW_VALUE_BOOL,
    TW_VALUE_INT,       /* int2, int4, int8 (and oid) */
    TW_VALUE_FLOAT,     /* float4, float8; NaN and infinities allowed */
    TW_VALUE_NUMERIC,   /* exact decimal kept as its canonical text */
    TW_VALUE_TEXT,      /* text, varchar, bpchar, name, "char", enums, unknown types */
    TW_VALUE_BYTES,     /* bytea, decoded */
    TW_VALUE_UUID,      /* 16 bytes plus the canonical text */
    TW_VALUE_JSON,      /* json, jsonb: the JSON text as PostgreSQL prints it */
    TW_VALUE_DATE,      /* days since 1970-01-01 */
    TW_VALUE_TIME,      /* microseconds since midnight */
    TW_VALUE_TIMESTAMP, /* microseconds since 2000-01-01 00:00, no zone */
    TW_VALUE_TIMESTAMPTZ, /* microseconds since 2000-01-01 00:00 UTC */
    TW_VALUE_INTERVAL,  /* months, days, microseconds (PostgreSQL's own split) */
    TW_VALUE_ARRAY,     /* array of one of the above; a multi-dimensional
                         * array is an array of arrays (its elements are
                         * TW_VALUE_ARRAY of the same type_oid), row-major
                         * as PostgreSQL stores it. Lower bounds are not
                         * kept: [0:1]={1,2} is [1,2]. */
} tw_value_kind_t;

/* For DATE, TIMESTAMP, TIMESTAMPTZ and NUMERIC (and INTERVAL, which has
 * infinities from PostgreSQL 17 on): values with no finite representation.
 * Infinite dates and timestamps also hold INT64_MAX / INT64_MIN in u.i so
 * they still sort correctly. */
typedef enum tw_value_special {
    TW_VALUE_FINITE = 0,
    TW_VALUE_POS_INFINITY,
    TW_VALUE_NEG_INFINITY,
    TW_VALUE_NAN, /* numeric only */
} tw_value_special_t;

typedef struct tw_value tw_value_t;

struct tw_value {
    tw_value_kind_t kind;
    tw_value_special_t special;
    uint32_t type_oid; /* the PostgreSQL type it came from */
    bool unknown_type; /* TEXT fallback for a type without a mapping */
    union {
        bool b;
        int64_t i;   /* INT; also DATE (days since 1970), TIME (microseconds since
                      * midnight), TIMESTAMP[TZ] (microseconds since 2000:
                      * PostgreSQL's own epoch, so every value it accepts, up
                      * to 294276 AD, fits; tw_value_unix_micros converts) */
        double f;    /* FLOAT */
        struct {
            const char *ptr; /* TEXT, JSON, NUMERIC (e.g. "-12.3400"): not NUL-terminated */
            size_t len;
        } str;
        struct {
            const uint8_t *ptr; /* BYTES */
            size_t len;
        } bytes;
        struct {
            uint8_t bytes[16];
            char text[37]; /* canonical lower-case 8-4-4-4-12, NUL-terminated */
        } uuid;
        struct {
            int32_t months;
            int32_t days;
            int64_t micros;
        } interval;
        struct {
            uint32_t nelems;
            tw_value_t *elems; /* from the arena; elements may be NULL kind */
            uint32_t elem_oid;
        } array;
    } u;
};

/* For NUMERIC: scale (digits after the point) of the canonical text; and
 * precision/scale from a numeric(p,s) typmod (-1 if unconstrained). */
int tw_value_numeric_scale(const tw_value_t *value);
void tw_value_numeric_typmod(int32_t typmod, int *precision, int *scale);

/* A TIMESTAMP or TIMESTAMPTZ value in microseconds since 1970-01-01 UTC.
 * False (and *out untouched) for infinities and for the finite values
 * after 294247-01-10 04:00:54.775807, which int64 cannot hold in that
 * epoch: a target that needs it has to report the record, not clamp it. */
bool tw_value_unix_micros(const tw_value_t *value, int64_t *out);

/* Element type of a built-in array type; 0 if not an array type known
 * here. */
uint32_t tw_value_array_elem_oid(uint32_t array_oid);

/* Parses PostgreSQL's text output of a value of type_oid. The walsender
 * session runs with DateStyle=ISO, IntervalStyle=postgres, TimeZone=UTC,
 * extra_float_digits=3 and bytea_output=hex (pg_conn sets them), but
 * timestamptz parsing honours any explicit offset anyway.
 * Returns TW_ERR_MALFORMED (with errstr naming the type and the text) when
 * the text is not a valid value of the type. */
tw_err_t tw_value_from_text(uint32_t type_oid, int32_t typmod, const char *text, size_t len,
                            tw_arena_t *arena, tw_value_t *out, char *errstr,
                            size_t errstr_size);

/* Parses the binary send format of a value (pgoutput with binary 'true').
 * Types without a binary mapping here come back as TW_VALUE_BYTES with
 * unknown_type set, since no text form exists. server_version (e.g. 150004,
 * 0 if unknown = newest) matters where the format changed meaning: only
 * from PostgreSQL 17 are the largest and smallest intervals infinities. */
tw_err_t tw_value_from_binary(uint32_t type_oid, int32_t typmod, int server_version,
                              const uint8_t *data, size_t len, tw_arena_t *arena, tw_value_t *out,
                              char *errstr, size_t errstr_size);

/* Appends the value as JSON, as `tidewater tail` prints it: ints and floats
 * as numbers (non-finite floats as strings "NaN", "Infinity", "-Infinity";
 * negative zero as -0.0), numeric as a string, json/jsonb as a string
 * holding PostgreSQL's text of the document (so json 'null' is "null", not
 * SQL NULL's null, and a document's newlines are escaped), bool as true/false, bytea as
 * base64, uuid as its text, date as "YYYY-MM-DD", time as "HH:MM:SS[.ffffff]",
 * timestamp as "YYYY-MM-DDTHH:MM:SS[.ffffff]", timestamptz the same with "Z",
 * interval as ISO-8601 "P1Y2M3DT4H5M6.5S", infinities as "infinity" /
 * "-infinity", arrays as JSON arrays, unchanged TOAST as
 * "__debezium_unavailable_value". */
struct tw_buf;
void tw_value_append_json(struct tw_buf *buf, const tw_value_t *value);

#endif /* TW_VALUE_H */
