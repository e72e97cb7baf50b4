/*
 * avro_convert.h — Confluent's AvroConverter, for tidewater's schemas:
 * Connect schema → Avro schema JSON (the same shapes Confluent's AvroData
 * produces: optional → ["null", T] with default null, connect.name /
 * connect.version / connect.parameters properties, Decimal logical types),
 * and datum → Avro binary.
 *
 * Schemas are generated once per relation schema version (or per expanded
 * payload shape) and parsed by avro-c to prove them valid before they are
 * registered; records are then encoded field by field into a reused buffer.
 */
#ifndef TW_AVRO_CONVERT_H
#define TW_AVRO_CONVERT_H

#include "util/buf.h"
#include "util/common.h"
#include "codec/record.h"

/* The Avro schema as compact JSON text (caller frees), checked by avro-c.
 * NULL with errstr if avro-c rejects it (a bug, reported as such). */
char *tw_avro_schema_text(const tw_cs_t *schema, char *errstr, size_t errstr_size);

/* The Avro schema's name as Confluent's serializers see it (the full name
 * of a record, else the type name, "union" for an optional value): what
 * RecordNameStrategy and TopicRecordNameStrategy put in subjects. */
const char *tw_avro_record_name(const tw_cs_t *schema);

/* Appends the Avro binary encoding of datum. `scratch` is reused working
 * space. Errors name the field path and what did not fit. */
tw_err_t tw_avro_encode(tw_buf_t *buf, const tw_cs_t *schema, const tw_datum_t *datum,
                        tw_buf_t *scratch, char *errstr, size_t errstr_size);

/* Replaces characters Avro names do not allow with '_' (in place). */
void tw_avro_sanitize_name(char *name);

#endif /* TW_AVRO_CONVERT_H */
