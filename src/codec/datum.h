/*
 * datum.h — reading a datum as the primitive its Connect schema asks for,
 * applying Debezium's semantic types: Date (days), Time (ms), MicroTime,
 * Timestamp (ms), MicroTimestamp, MicroDuration, ZonedTimestamp (ISO-8601
 * string), Decimal (unscaled two's-complement bytes), VariableScaleDecimal.
 * Shared by every converter so Avro, JSON and string output agree.
 */
#ifndef TW_DATUM_H
#define TW_DATUM_H

#include "util/buf.h"
#include "util/common.h"
#include "codec/record.h"

/* Null as the schema sees it: a null datum, or a numeric NaN/infinity in a
 * Decimal or VariableScaleDecimal schema, which Debezium writes as null
 * (decimal.handling.mode=double and string keep them). */
bool tw_datum_null_for(const tw_datum_t *datum, const tw_cs_t *schema);

/* Integer for INT8/16/32/64 schemas. */
tw_err_t tw_datum_int64(const tw_datum_t *datum, const tw_cs_t *schema, int64_t *out,
                        char *errstr, size_t errstr_size);
tw_err_t tw_datum_double(const tw_datum_t *datum, const tw_cs_t *schema, double *out,
                         char *errstr, size_t errstr_size);
tw_err_t tw_datum_bool(const tw_datum_t *datum, const tw_cs_t *schema, bool *out,
                       char *errstr, size_t errstr_size);
/* Text for STRING schemas; *s points into the datum or into scratch. */
tw_err_t tw_datum_string(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                         const char **s, size_t *len, char *errstr, size_t errstr_size);
/* The same, except that a lone high surrogate left by truncate_chars is
 * kept in its three-byte (WTF-8) form instead of '?': for JsonConverter,
 * whose Jackson escapes it as \uXXXX. */
tw_err_t tw_datum_string_wtf8(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                              const char **s, size_t *len, char *errstr, size_t errstr_size);
/* Bytes for BYTES schemas (bytea, or a Decimal's unscaled value). */
tw_err_t tw_datum_bytes(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *scratch,
                        const uint8_t **p, size_t *len, char *errstr, size_t errstr_size);

/* The pairs of a MAP datum (an hstore value), in the order Debezium
 * writes them (codec/hstore.h). */
struct tw_hstore;
tw_err_t tw_datum_hstore(const tw_datum_t *datum, const tw_cs_t *schema, struct tw_hstore *h,
                         char *errstr, size_t errstr_size);

/* Appends the datum as Kafka Connect's SimpleHeaderConverter writes a
 * header value: strings as they are, numbers and booleans in decimal text,
 * bytes raw, arrays and structs as JSON. */
tw_err_t tw_datum_header_string(const tw_datum_t *datum, const tw_cs_t *schema, tw_buf_t *out,
                                tw_buf_t *scratch, char *errstr, size_t errstr_size);

/* The i-th element of an ARRAY datum, and the count. */
size_t tw_datum_array_len(const tw_datum_t *datum);
tw_datum_t tw_datum_array_elem(const tw_datum_t *datum, size_t i);
/* The field of a STRUCT datum matching schema field i. For a PostgreSQL
 * VariableScaleDecimal the two synthetic fields are served from `scratch`
 * values the caller provides. */
tw_datum_t tw_datum_field(const tw_datum_t *datum, const tw_cs_t *schema, size_t i,
                          tw_value_t *scratch);

/* Decimal digits ("-123.4500") as the unscaled integer at `scale`, in
 * big-endian two's complement, minimal length (Java BigInteger.toByteArray). */
tw_err_t tw_decimal_unscaled_bytes(const char *text, size_t len, int scale, tw_buf_t *out,
                                   char *errstr, size_t errstr_size);
/* Debezium's MicroDuration: months count 365.25/12 days. */
int64_t tw_micro_duration(int32_t months, int32_t days, int64_t micros);

#endif /* TW_DATUM_H */
