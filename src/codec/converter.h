/*
 * converter.h — Kafka Connect converters for record keys and values:
 * io.confluent.connect.avro.AvroConverter (Confluent wire format with a
 * registered schema id), org.apache.kafka.connect.json.JsonConverter (with
 * or without the schema envelope),
 * org.apache.kafka.connect.storage.StringConverter,
 * org.apache.kafka.connect.converters.ByteArrayConverter (bytea only) and
 * io.debezium.converters.BinaryDataConverter (bytea as it is, anything else
 * through its delegate converter).
 */
#ifndef TW_CONVERTER_H
#define TW_CONVERTER_H

#include <stdbool.h>

#include "util/buf.h"
#include "util/common.h"
#include "config/config.h"
#include "codec/record.h"
#include "codec/registry.h"

typedef struct tw_converter tw_converter_t;

/* is_key selects the subject suffix and strategy. cfg must outlive it. */
tw_err_t tw_converter_new(const tw_converter_config_t *cfg, bool is_key,
                          tw_converter_t **converter, char *errstr, size_t errstr_size);
void tw_converter_destroy(tw_converter_t *converter); /* accepts NULL */

/* Appends d as Java's Double.toString (Float.toString when single) writes
 * it, as JsonConverter and the header converter do: 0.1, 1.0E-7, 1.5E300. */
void tw_converter_append_java_double(tw_buf_t *out, double d, bool single);

/* Whether a NULL value with a schema encodes to something rather than to no
 * value (a tombstone): JsonConverter with schemas.enable=true writes
 * {"schema":...,"payload":null}; Avro and strings write nothing. */
bool tw_converter_encodes_null(const tw_converter_t *converter);

/* Encodes datum (schema must not be NULL) for topic into out (reset first).
 * TW_ERR_UNAVAILABLE: the registry is down, retry later; TW_ERR_REJECTED:
 * the registry refused the schema (e.g. 409); TW_ERR_MALFORMED: the value
 * does not fit its schema. */
tw_err_t tw_converter_encode(tw_converter_t *converter, const char *topic, tw_cs_t *schema,
                             const tw_datum_t *datum, tw_buf_t *out, char *errstr,
                             size_t errstr_size);

/* The registry subject of a record's key or value under a subject-name
 * strategy (Confluent's names): <topic>-key|-value, <record>, or
 * <topic>-<record>. Replaces out's contents. */
void tw_subject_name(int strategy, bool is_key, const char *topic, const char *record_name,
                     tw_buf_t *out);

/* The registry client, or NULL for converters without one. */
tw_registry_t *tw_converter_registry(tw_converter_t *converter);

#endif /* TW_CONVERTER_H */
