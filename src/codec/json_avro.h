/*
 * json_avro.h — encode a JSON payload as Avro binary against a declared
 * schema from the catalogue (avsc_catalog.h), checking it strictly.
 *
 * Nothing is coerced: no string to number, number to string or real to
 * integer. Integral types accept only JSON integers and are range-checked.
 * Missing record fields get their declared default, encoded per the field's
 * schema; a missing field without a default is an error.
 *
 * Choices the Avro specification leaves open:
 *   - bytes and fixed take a base64 string (RFC 4648, standard alphabet,
 *     with padding); fixed checks the decoded length.
 *   - enum: an unknown symbol is an error, even when the enum declares a
 *     default (that default is for readers resolving schemas, not writers).
 *   - unions: the first branch, in declared order, that the value encodes
 *     into without error wins — so 5 against ["int","long"] is an int.
 *     When no branch takes the value as is, Avro's JSON-encoding form
 *     {"<type name>": value} (full name for named types) selects a branch.
 *   - decimal: from a JSON string ("12.345") or a JSON number, using the
 *     number's decimal text (no binary floating point round trip when the
 *     payload is given as text). Fewer fractional digits than the scale are
 *     padded with zeros; more are an error, as are more digits than the
 *     precision. bytes hold the minimal two's-complement big-endian
 *     unscaled value; fixed sign-extends it to the fixed size.
 *   - date: "YYYY-MM-DD" or int days. time-millis/micros: "HH:MM:SS[.f]" or
 *     an integer. timestamp-*: "YYYY-MM-DDTHH:MM:SS[.f]" with "Z" or
 *     "±HH:MM"; local-timestamp-*: the same without zone (or "Z"); both also
 *     take an integer in epoch units. More fractional digits than the unit
 *     holds is an error, never a truncation. uuid: 8-4-4-4-12 hex digits.
 *
 * Errors name the JSON path and what was expected, e.g.
 *   $.lineItems[2].quantity: expected int, got string "x"
 *   $.customer: missing required field "email"
 *   $.qty: 3000000000 out of range for int
 * On error nothing is left appended to the output buffer.
 */
#ifndef TW_JSON_AVRO_H
#define TW_JSON_AVRO_H

#include <jansson.h>
#include <stddef.h>

#include "codec/avsc_catalog.h"
#include "util/buf.h"
#include "util/common.h"

typedef enum tw_json_avro_unknown {
    TW_JSON_AVRO_UNKNOWN_IGNORE = 0, /* fields the schema lacks are skipped (default) */
    TW_JSON_AVRO_UNKNOWN_FAIL,       /* ... or are an error */
} tw_json_avro_unknown_t;

typedef struct tw_json_avro_opts {
    tw_json_avro_unknown_t unknown_fields;
    /* Messages describe values by type and size, never quote them, and
     * show map keys as [*]: for payloads written by applications, whose
     * content must not reach logs (the schemas CLI shows values). */
    bool hide_values;
} tw_json_avro_opts_t;

/* Appends the Avro binary encoding of value to out. schema and value are
 * borrowed for the call; opts may be NULL (defaults). JSON reals given as
 * json_t have lost their text, so decimal uses their shortest round-trip
 * representation; prefer tw_json_avro_encode_text for exact decimals. */
tw_err_t tw_json_avro_encode(const tw_avsc_schema_t *schema, const json_t *value,
                             const tw_json_avro_opts_t *opts, tw_buf_t *out, char *errstr,
                             size_t errstr_size);

/* The same from JSON text: every number is read from its literal digits,
 * so integers beyond int64 are reported as out of range and decimals are
 * exact. Duplicate object keys are an error. */
tw_err_t tw_json_avro_encode_text(const tw_avsc_schema_t *schema, const char *text, size_t len,
                                  const tw_json_avro_opts_t *opts, tw_buf_t *out, char *errstr,
                                  size_t errstr_size);

/* Encodes a schema default value as the Avro specification reads them:
 * bytes and fixed as strings of code points 0-255, logical types as their
 * underlying type, a union's value for its first branch. Used for missing
 * fields and by the catalogue to check defaults at load time. */
tw_err_t tw_json_avro_encode_default(const tw_avsc_schema_t *schema, const json_t *value,
                                     tw_buf_t *out, char *errstr, size_t errstr_size);

/* jansson's error as a fixed phrase by its code ("invalid syntax"):
 * jansson's own text quotes the input near the error. */
const char *tw_json_error_reason(const json_error_t *jerr);

#endif /* TW_JSON_AVRO_H */
