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

#include "codec/avsc_schema.h"
#include "util/common.h"

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
