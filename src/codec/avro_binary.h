/*
 * avro_binary.h — Avro binary encoding primitives (Avro 1.11 specification,
 * "Binary Encoding") and the Confluent wire-format header, appended to a
 * reusable buffer.
 *
 * tidewater generates its schemas itself, so it encodes records by writing
 * their fields in schema order with these primitives: no per-record
 * allocation, no generic value tree. avro-c parses and checks every
 * generated schema once (avro_schema.c).
 */
#ifndef TW_AVRO_BINARY_H
#define TW_AVRO_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Confluent framing: magic byte 0, then the schema id as 4 big-endian bytes. */
#define TW_CONFLUENT_HEADER_SIZE 5
void tw_avro_write_confluent_header(tw_buf_t *buf, int32_t schema_id);

/* int and long share the zig-zag variable-length encoding. */
void tw_avro_write_long(tw_buf_t *buf, int64_t v);
void tw_avro_write_boolean(tw_buf_t *buf, bool v);
void tw_avro_write_float(tw_buf_t *buf, float v);   /* 4 bytes little-endian */
void tw_avro_write_double(tw_buf_t *buf, double v); /* 8 bytes little-endian */
/* bytes and string: length as long, then the bytes. */
void tw_avro_write_bytes(tw_buf_t *buf, const void *data, size_t len);
/* A union's branch index (0-based). */
static inline void tw_avro_write_union_index(tw_buf_t *buf, int index)
{
    tw_avro_write_long(buf, index);
}

#endif /* TW_AVRO_BINARY_H */
