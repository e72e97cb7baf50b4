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

#include "buf.h"
#include "common.h"
#include "value.h"

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
} tw_cs_type_t;

typedef struct tw_cs tw_cs_t;

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
    /* connect.parameters, as a JSON object of string values (or NULL). */
    json_t *parameters;
    tw_cs_t *elem;          /* ARRAY */
    tw_cs_field_t *fields;  /* STRUCT */
    size_t nfields;
    /* Converter memo: the Avro schema text, and schema ids by subject (one
     * schema serves several topics) — so encoding a record looks nothing up. */
    char *avro_text;
    char *connect_json_text; /* JsonConverter's "schema" text, made once */
    struct {
        char *subject;
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

/* Connect's schema for a JSON value, as Debezium's outbox router infers it
 * for table.expand.json.payload: objects → structs (fields in document
 * order), arrays → arrays of the first element's schema, strings, int64,
 * float64, booleans; a null field is left out (keep_nulls=false) or an
 * optional bytes field (keep_nulls=true). `name` names the top struct.
 * Returns NULL with errstr for arrays mixing element types. */
tw_cs_t *tw_cs_infer_json(const json_t *json, const char *name, bool keep_nulls, char *errstr,
                          size_t errstr_size);

/* JsonConverter's schema description ({"type":"struct","fields":[...],
 * "optional":false,"name":...}). New reference. */
json_t *tw_cs_to_connect_json(const tw_cs_t *schema);

#endif /* TW_CONNECT_SCHEMA_H */
