/*
 * connect_schema.h — Kafka Connect's schema model, which is what Debezium's
 * records carry and what converters (Avro, JSON, string) turn into bytes.
 * Modelling it, rather than going straight to Avro, keeps tidewater's
 * output identical to Debezium's for every converter.
 *
 * Schemas are immutable once built and reference-counted, because several
 * cached records (per relation, per expanded payload shape) share them.
 */
#ifndef TW_CONNECT_SCHEMA_H
#define TW_CONNECT_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/common.h"
#include "pg/value.h"

typedef enum tw_cs_type {
    TW_CS_BOOLEAN,
    TW_CS_INT8,
    TW_CS_INT16,
    TW_CS_INT32,
    TW_CS_INT64,
    TW_CS_FLOAT32,
    TW_CS_FLOAT64,
    TW_CS_STRING,
    TW_CS_BYTES,
    TW_CS_ARRAY,
    TW_CS_STRUCT,
    TW_CS_MAP, /* keys in `key`, values in `elem` */
} tw_cs_type_t;

typedef struct tw_cs tw_cs_t;

/* How a datum is rendered into its schema where the Connect type alone does
 * not say (Debezium's type-mode options): set by tw_cs_for_column, read by
 * datum.c. */
typedef enum tw_cs_render {
    TW_CS_RENDER_PLAIN = 0,
    TW_CS_RENDER_BASE64,         /* bytea as a base64 string */
    TW_CS_RENDER_BASE64_URL,     /* ... base64 with the URL-safe alphabet */
    TW_CS_RENDER_HEX,            /* ... lower-case hex */
    TW_CS_RENDER_ISO_DATE,       /* time.precision.mode=isostring */
    TW_CS_RENDER_ISO_TIME,
    TW_CS_RENDER_ISO_TIMESTAMP,
    TW_CS_RENDER_NANOS,          /* time/timestamp as int64 nanoseconds */
    TW_CS_RENDER_MONEY,          /* money text ("-$1,234.56") as a number */
    TW_CS_RENDER_WKB,            /* a point's text as its OGC WKB bytes */
    TW_CS_RENDER_BITS,           /* bit/varbit as io.debezium.data.Bits */
    TW_CS_RENDER_ZONED_TIME,     /* timetz as the UTC time, "04:41:12Z" */
    TW_CS_RENDER_ZONED_TIMESTAMP, /* timestamptz in UTC, fraction of frac_digits */
    TW_CS_RENDER_HSTORE_JSON,    /* an hstore as a JSON object string */
} tw_cs_render_t;

/* Debezium's type-mode options (PostgresConnectorConfig). */
typedef enum tw_decimal_mode {
    TW_DECIMAL_PRECISE,
    TW_DECIMAL_DOUBLE,
    TW_DECIMAL_STRING,
} tw_decimal_mode_t;
typedef enum tw_time_mode {
    TW_TIME_ADAPTIVE,
    TW_TIME_ADAPTIVE_TIME_MICROSECONDS,
    TW_TIME_CONNECT,
    TW_TIME_ISOSTRING,
    TW_TIME_MICROSECONDS,
    TW_TIME_NANOSECONDS,
} tw_time_mode_t;
typedef enum tw_binary_mode {
    TW_BINARY_BYTES,
    TW_BINARY_BASE64,
    TW_BINARY_BASE64_URL_SAFE,
    TW_BINARY_HEX,
} tw_binary_mode_t;
typedef enum tw_interval_mode {
    TW_INTERVAL_NUMERIC,
    TW_INTERVAL_STRING,
} tw_interval_mode_t;
typedef enum tw_hstore_mode {
    TW_HSTORE_JSON,
    TW_HSTORE_MAP,
} tw_hstore_mode_t;

typedef struct tw_cs_options {
    int decimal;  /* tw_decimal_mode_t */
    int time;     /* tw_time_mode_t */
    int binary;   /* tw_binary_mode_t */
    int interval; /* tw_interval_mode_t */
    int money_fraction_digits; /* scale of money in precise mode (Debezium: 2) */
    bool include_unknown; /* include.unknown.datatypes (codec/unknown_type.h) */
    int hstore;           /* tw_hstore_mode_t */
} tw_cs_options_t;

/* Debezium's defaults: precise, adaptive, bytes, numeric, 2. */
extern const tw_cs_options_t tw_cs_options_default;

typedef struct tw_cs_field {
    char *name;
    tw_cs_t *schema;
} tw_cs_field_t;

struct tw_cs {
    int refcount;
    tw_cs_type_t type;
    bool optional;
    char *name; /* semantic or record name, e.g. "io.debezium.data.Json"; NULL if none */
    int version; /* 0: none */
    const char *doc; /* a static string, or NULL; JsonConverter shows it */
    tw_cs_render_t render;
    /* The field's Connect default (a column's DEFAULT), NULL if none: the
     * Connect value as JSON — integers (also dates and times in their
     * units), reals, booleans, strings, and BYTES as a string of the raw
     * bytes (not valid UTF-8, never dumped as it is: JsonConverter shows
     * them in base64, AvroData as ISO-8859-1 characters). */
    json_t *default_value;
    int frac_digits; /* ZonedTimestamp/ZonedTime: fraction digits shown (-1: trimmed) */
    /* STRING: column.truncate.to.<n>.chars, the most UTF-16 code units a
     * value keeps (0: no limit); datum.c cuts the text it produces. */
    int truncate_chars;
    /* connect.parameters, as a JSON object of string values (or NULL). */
    json_t *parameters;
    tw_cs_t *elem;          /* ARRAY; MAP: the values */
    tw_cs_t *key;           /* MAP: the keys */
    tw_cs_field_t *fields;  /* STRUCT */
    size_t nfields;
    /* Converter memo: the Avro schema text, and schema ids by subject (one
     * schema serves several topics) — so encoding a record looks nothing up. */
    char *avro_text;
    char *connect_json_text; /* JsonConverter's "schema" text, made once */
    struct {
        char *subject;
        uint32_t subject_hash; /* FNV-1a of subject, compared first */
        int32_t id;
    } memo[32];
    unsigned memo_next; /* round-robin replacement */
};

tw_cs_t *tw_cs_new(tw_cs_type_t type, bool optional, const char *name);
tw_cs_t *tw_cs_ref(tw_cs_t *schema);
void tw_cs_unref(tw_cs_t *schema); /* accepts NULL */
/* Adds a field; takes ownership of the field schema's reference. */
void tw_cs_add_field(tw_cs_t *record, const char *name, tw_cs_t *field_schema);
void tw_cs_set_param(tw_cs_t *schema, const char *key, const char *value);
int tw_cs_field_index(const tw_cs_t *record, const char *name);
/* Same types and field names, recursively (names and optionality aside):
 * enough to tell inferred schemas apart. */
bool tw_cs_same_shape(const tw_cs_t *a, const tw_cs_t *b);

/* Debezium's mapping of a PostgreSQL column to a Connect schema (default
 * decimal.handling.mode=precise, time.precision.mode=adaptive): see
 * reference.md. `type_name` is the schema-qualified name of a non-built-in
 * type from a Type message (NULL if unknown); types without a mapping
 * become optional strings holding PostgreSQL's text. */
tw_cs_t *tw_cs_for_column(uint32_t type_oid, int32_t typmod, bool optional);
/* The same with explicit type modes (tw_cs_for_column uses the ones
 * tw_cs_set_options last set, Debezium's defaults until then). */
tw_cs_t *tw_cs_for_column_opts(uint32_t type_oid, int32_t typmod, bool optional,
                               const tw_cs_options_t *opts);
/* An hstore column's schema under hstore.handling.mode: an
 * io.debezium.data.Json string, or a map of string to optional string. */
tw_cs_t *tw_cs_for_hstore(bool optional);
/* Sets the process-wide type modes (from the connector config, at start). */
void tw_cs_set_options(const tw_cs_options_t *opts);
const tw_cs_options_t *tw_cs_options(void);

/* Connect's schema for a JSON value, as Debezium's outbox router infers it
 * for table.expand.json.payload: objects → structs (fields in document
 * order), arrays → arrays of the first element's schema, strings, int64,
 * float64, booleans; a null field is left out (keep_nulls=false) or an
 * optional bytes field (keep_nulls=true). `name` names the top struct.
 * Returns NULL with errstr for arrays mixing element types. */
tw_cs_t *tw_cs_infer_json(const json_t *json, const char *name, bool keep_nulls, char *errstr,
                          size_t errstr_size);

/* How a converter writes a schema's default value: bytes (a Decimal's
 * unscaled bytes too) through `bytes`; struct field names copied and
 * rewritten by `field_name` (NULL: as they are). */
typedef struct tw_cs_default_style {
    json_t *(*bytes)(const unsigned char *p, size_t len);
    void (*field_name)(char *name);
} tw_cs_default_style_t;

/* A default kept on a schema (the Connect value, connect_schema.h's form)
 * in a converter's style: null as null, arrays item by item, structs as
 * objects of their fields, the rest as kept. New reference. */
json_t *tw_cs_default_json(const tw_cs_t *schema, const json_t *value,
                           const tw_cs_default_style_t *style);

/* JsonConverter's schema description ({"type":"struct","fields":[...],
 * "optional":false,"name":...}). New reference. */
json_t *tw_cs_to_connect_json(const tw_cs_t *schema);

#endif /* TW_CONNECT_SCHEMA_H */
