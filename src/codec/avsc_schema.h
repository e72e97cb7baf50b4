/*
 * avsc_schema.h — the nodes of a parsed Avro schema graph, as the
 * catalogue (avsc_catalog.h) builds them and its users (json_avro.h,
 * avsc_render.h, contract.h, asyncapi.h) read them. Types only: the
 * modules that build and read the graph each have their own header.
 */
#ifndef TW_AVSC_SCHEMA_H
#define TW_AVSC_SCHEMA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tw_avsc_type {
    TW_AVSC_NULL,
    TW_AVSC_BOOLEAN,
    TW_AVSC_INT,
    TW_AVSC_LONG,
    TW_AVSC_FLOAT,
    TW_AVSC_DOUBLE,
    TW_AVSC_BYTES,
    TW_AVSC_STRING,
    TW_AVSC_RECORD,
    TW_AVSC_ENUM,
    TW_AVSC_FIXED,
    TW_AVSC_ARRAY,
    TW_AVSC_MAP,
    TW_AVSC_UNION,
} tw_avsc_type_t;

/* The type's keyword in schema JSON ("record", "int", ...). */
static inline const char *tw_avsc_type_keyword(tw_avsc_type_t type)
{
    static const char *const names[] = {
        [TW_AVSC_NULL] = "null",     [TW_AVSC_BOOLEAN] = "boolean", [TW_AVSC_INT] = "int",
        [TW_AVSC_LONG] = "long",     [TW_AVSC_FLOAT] = "float",     [TW_AVSC_DOUBLE] = "double",
        [TW_AVSC_BYTES] = "bytes",   [TW_AVSC_STRING] = "string",   [TW_AVSC_RECORD] = "record",
        [TW_AVSC_ENUM] = "enum",     [TW_AVSC_FIXED] = "fixed",     [TW_AVSC_ARRAY] = "array",
        [TW_AVSC_MAP] = "map",       [TW_AVSC_UNION] = "union",
    };
    return names[type];
}

/* The logical types tidewater understands; any other logicalType is kept
 * in the schema text and otherwise ignored, as the specification says. */
typedef enum tw_avsc_logical {
    TW_AVSC_LOGICAL_NONE,
    TW_AVSC_LOGICAL_DECIMAL,                /* bytes or fixed */
    TW_AVSC_LOGICAL_UUID,                   /* string */
    TW_AVSC_LOGICAL_DATE,                   /* int */
    TW_AVSC_LOGICAL_TIME_MILLIS,            /* int */
    TW_AVSC_LOGICAL_TIME_MICROS,            /* long */
    TW_AVSC_LOGICAL_TIMESTAMP_MILLIS,       /* long */
    TW_AVSC_LOGICAL_TIMESTAMP_MICROS,       /* long */
    TW_AVSC_LOGICAL_LOCAL_TIMESTAMP_MILLIS, /* long */
    TW_AVSC_LOGICAL_LOCAL_TIMESTAMP_MICROS, /* long */
} tw_avsc_logical_t;

typedef struct tw_avsc_schema tw_avsc_schema_t;

typedef struct tw_avsc_field {
    const char *name;
    const tw_avsc_schema_t *schema;
    const json_t *default_value; /* NULL when the field has no default */
} tw_avsc_field_t;

/*
 * One node of a parsed schema. Named types (record, enum, fixed) exist once
 * and every reference points at that node, so a graph may be cyclic
 * (recursive records). Everything is owned by the catalogue and read-only
 * for users; pointers stay valid until tw_avsc_catalog_destroy.
 */
struct tw_avsc_schema {
    tw_avsc_type_t type;
    tw_avsc_logical_t logical;
    int precision, scale; /* decimal */

    /* Named types only. */
    const char *fullname;
    const char *name_space; /* NULL for the null namespace */
    const char *file;       /* path of the defining .avsc file */

    const tw_avsc_field_t *fields; /* record */
    size_t n_fields;
    const char *const *symbols; /* enum */
    size_t n_symbols;
    size_t size;                    /* fixed */
    const tw_avsc_schema_t *items;  /* array items, map values */
    const tw_avsc_schema_t *const *branches; /* union */
    size_t n_branches;

    const char *text; /* records: the self-contained schema text; else NULL */

    const json_t *json; /* the definition as written (borrowed from the file) */
};

#endif /* TW_AVSC_SCHEMA_H */
