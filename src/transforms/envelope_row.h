/*
 * envelope_row.h — the datums a change event (transform_envelope.c) is
 * made of: a row of a pgoutput tuple as the table's Value struct, and the
 * scalar values of the source block and the envelope.
 */
#ifndef TW_ENVELOPE_ROW_H
#define TW_ENVELOPE_ROW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "pg/changefeed.h"
#include "codec/connect_schema.h"
#include "codec/record.h"

/* Values in the arena: a copy of s (NULL: null), an integer, null. */
tw_datum_t tw_envelope_text(tw_arena_t *arena, const char *s);
tw_datum_t tw_envelope_int(tw_arena_t *arena, int64_t i);
tw_datum_t tw_envelope_null(void);

/* A tuple as the Value struct (one field datum per column). An unchanged
 * TOASTed value comes from `old` (the whole old row under REPLICA IDENTITY
 * FULL, or NULL), else is `unavailable` (unavailable.value.placeholder) as
 * Debezium writes it for strings, bytes and text arrays, null otherwise. A
 * NULL in a required field (a column a key-only old row lacks) is
 * Debezium's converters' fallback for its type (the epoch, zero, "", empty
 * bytes or array). */
tw_err_t tw_envelope_row(const tw_cs_t *value_schema, const char *unavailable,
                         const tw_rel_t *rel, const tw_pgoutput_tuple_t *tuple,
                         const tw_pgoutput_tuple_t *old, tw_arena_t *arena, tw_datum_t *out,
                         char *errstr, size_t errstr_size);

/* Whether two key values are equal (false for kinds not compared: arrays,
 * intervals — treated as changed). */
bool tw_envelope_same_value(const tw_value_t *a, const tw_value_t *b);

/* A key struct as compact JSON ({"id":3}), Debezium's __debezium.oldkey /
 * __debezium.newkey header text. In the arena. */
const char *tw_envelope_key_json(const tw_cs_t *key_schema, const tw_datum_t *key,
                                 tw_arena_t *arena);

#endif /* TW_ENVELOPE_ROW_H */
