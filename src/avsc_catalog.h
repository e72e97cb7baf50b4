/*
 * avsc_catalog.h — a catalogue of hand-written Avro schema files (*.avsc),
 * for "contract-first" event schemas: the schemas are the contract, and
 * payloads are checked and encoded against them (json_avro.h).
 *
 * tw_avsc_catalog_load reads every *.avsc file of a directory (in name
 * order), each holding one named schema or a JSON array of them. Named types
 * may refer to named types of any other file of the directory, by full name
 * or by short name resolved against the enclosing namespace (Avro 1.11,
 * "Names"); when that fails, a short name is also looked up in the null
 * namespace, as the Java implementation does.
 *
 * Every problem is a load error naming the file: bad JSON (line:column),
 * unknown type names, duplicate full names, invalid schemas (bad names,
 * records without fields, defaults that do not match their field's type
 * (judged by the check the caller passes, normally
 * tw_json_avro_encode_default),
 * decimal parameters out of range, known logical types on the wrong
 * underlying type), and anything avro-c rejects in the generated text.
 *
 * For each named record the catalogue builds a self-contained schema text
 * (see tw_avsc_schema_text) to register in a schema registry.
 */
#ifndef TW_AVSC_CATALOG_H
#define TW_AVSC_CATALOG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

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

/* The type's keyword in schema JSON ("record", "int", ...). Inline so that
 * avsc_render.c needs nothing from avsc_catalog.c. */
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

typedef struct tw_avsc_catalog tw_avsc_catalog_t;

/* Checks a field's default value against the field's schema by encoding
 * it into scratch (tw_json_avro_encode_default has this shape). The
 * catalogue takes it as a parameter because encoding is a layer above it:
 * json_avro uses the catalogue's types, so the catalogue must not call
 * json_avro itself. */
struct tw_buf;
typedef tw_err_t (*tw_avsc_default_check_fn)(const tw_avsc_schema_t *schema, const json_t *value,
                                             struct tw_buf *scratch, char *errstr,
                                             size_t errstr_size);

/* Loads dir/ *.avsc. check_default (NULL: defaults are not checked) judges
 * every field default once all types are complete. On success *out is owned
 * by the caller (destroy it); on failure *out is NULL and errstr says which
 * file and what is wrong. */
tw_err_t tw_avsc_catalog_load(const char *dir, tw_avsc_default_check_fn check_default,
                              tw_avsc_catalog_t **out, char *errstr, size_t errstr_size);
void tw_avsc_catalog_destroy(tw_avsc_catalog_t *cat); /* accepts NULL */

/* A record by full name, or by short name when exactly one record has it.
 * NULL when not found or ambiguous. The result is borrowed from cat. */
const tw_avsc_schema_t *tw_avsc_catalog_find(const tw_avsc_catalog_t *cat, const char *name);

/* Every named record, in file order then definition order (for tooling).
 * Use ->fullname, ->file and ->text of each. */
size_t tw_avsc_catalog_record_count(const tw_avsc_catalog_t *cat);
const tw_avsc_schema_t *tw_avsc_catalog_record_at(const tw_avsc_catalog_t *cat, size_t i);
/* The first other record of the catalogue that uses record (as a field
 * type, array item, map value or union branch), or NULL. A record nothing
 * uses is an event record; one that is used is part of another's schema. */
const tw_avsc_schema_t *tw_avsc_catalog_user_of(const tw_avsc_catalog_t *cat,
                                                const tw_avsc_schema_t *record);

/* "int", "record com.example.Address", "decimal(10,2)", ...: how a schema is
 * named in error messages. Returns buf. */
const char *tw_avsc_schema_describe(const tw_avsc_schema_t *schema, char *buf, size_t buf_size);

/* The name a union branch has in Avro's JSON encoding ({"name": value}):
 * the full name of named types, else the type name ("long", "array"). */
const char *tw_avsc_schema_type_name(const tw_avsc_schema_t *schema);

#endif /* TW_AVSC_CATALOG_H */
