/*
 * avro_literal.h — the text forms a JSON payload (or a schema default) uses
 * for Avro values that JSON has no type for: base64 and code-point bytes,
 * dates, times, timestamps, uuids, and a decimal's unscaled bytes.
 *
 * Pure functions on (pointer, length) text, no JSON and no schema: the
 * rules about which form goes with which Avro type live in json_avro.c.
 */
#ifndef TW_AVRO_LITERAL_H
#define TW_AVRO_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef enum tw_avro_time_result {
    TW_AVRO_TIME_OK,
    TW_AVRO_TIME_MALFORMED,
    TW_AVRO_TIME_TOO_PRECISE, /* more fractional digits than the unit holds */
} tw_avro_time_result_t;

/* Strict RFC 4648 base64 with padding, appended to out; false on anything
 * else (out may then hold part of the bytes). */
bool tw_avro_literal_base64(const char *s, size_t len, tw_buf_t *out);

/* A schema default for bytes/fixed: each code point 0-255 (UTF-8) is one
 * byte; false for a code point above 255. */
bool tw_avro_literal_latin1(const char *s, size_t len, tw_buf_t *out);

/* "YYYY-MM-DD" in the first 10 characters of s, as days since 1970-01-01;
 * false when malformed or no such day. */
bool tw_avro_literal_date(const char *s, size_t len, int64_t *days);

/* "HH:MM:SS[.fraction]" at the start of s, in units of 10^-unit_digits
 * seconds; *used is how many characters it took. */
tw_avro_time_result_t tw_avro_literal_time(const char *s, size_t len, int unit_digits,
                                           int64_t *value, size_t *used);

/* "YYYY-MM-DDTHH:MM:SS[.f]" then "Z", "±HH:MM" or (local only) nothing, in
 * units of 10^-unit_digits seconds since the epoch (UTC). */
tw_avro_time_result_t tw_avro_literal_timestamp(const char *s, size_t len, int unit_digits,
                                                bool local, int64_t *value);

/* 8-4-4-4-12 hex digits, either case. */
bool tw_avro_literal_uuid(const char *s, size_t len);

/* Appends the unscaled value of n decimal digits (negated when negative)
 * as minimal two's-complement big-endian bytes. */
void tw_avro_literal_unscaled(const char *digit_chars, size_t n, bool negative, tw_buf_t *out);

#endif /* TW_AVRO_LITERAL_H */
