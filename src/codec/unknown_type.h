/*
 * unknown_type.h — the column types Debezium's PostgreSQL connector has no
 * mapping for (include.unknown.datatypes), and the bytes it writes for
 * them when asked to include them.
 *
 * Debezium leaves such a column out of its schemas and values by default;
 * with include.unknown.datatypes=true it writes bytes (per
 * binary.handling.mode). A few array types it leaves out either way.
 */
#ifndef TW_UNKNOWN_TYPE_H
#define TW_UNKNOWN_TYPE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/common.h"
#include "pg/relcache.h"
#include "pg/value.h"

typedef enum tw_type_support {
    TW_TYPE_MAPPED,        /* Debezium maps it (tidewater writes its form) */
    TW_TYPE_UNKNOWN,       /* left out; bytes with include.unknown.datatypes */
    TW_TYPE_UNKNOWN_ARRAY, /* an array of unknown elements: left out; an
                            * array of bytes with include.unknown.datatypes */
    TW_TYPE_UNMAPPED_ARRAY, /* money[], name[], interval[], varbit[], xml[],
                             * point[], refcursor[]: left out either way */
} tw_type_support_t;

/* How Debezium treats the column's value type. A column whose type facts
 * were not read from the catalog (col->type_known false) is MAPPED. */
tw_type_support_t tw_unknown_type_support(const tw_rel_col_t *col);

/* A short reason for the log: "a type Debezium has no mapping for", ... */
const char *tw_unknown_type_reason(tw_type_support_t support);

/* The value as Debezium writes an unknown type's value: the bytes of its
 * text, with box, circle, line, lseg, path and polygon re-formatted as the
 * PostgreSQL JDBC driver prints them (coordinates as Java doubles, "1.0").
 * From binary pgoutput, geometric values are decoded, other types keep
 * their send bytes. Only values read as an unknown type (unknown_type
 * set) are converted; others (NULL, placeholders) are copied. A geometric
 * value that does not parse is TW_ERR_MALFORMED. */
tw_err_t tw_unknown_type_bytes(const tw_value_t *in, tw_arena_t *arena, tw_value_t *out,
                               char *errstr, size_t errstr_size);

/* The same for an array of an unknown type (elem_oid): an ARRAY of BYTES
 * values, one per element. One dimension only; a NULL element is
 * TW_ERR_MALFORMED (Debezium's array of required bytes cannot hold it
 * either). */
tw_err_t tw_unknown_array_bytes(const tw_value_t *in, uint32_t elem_oid, tw_arena_t *arena,
                                tw_value_t *out, char *errstr, size_t errstr_size);

/* An array of a type tidewater reads no elements of (read whole, as
 * unknown_type TEXT or send BYTES) as an ARRAY of its elements, each its
 * own text (or send bytes) with unknown_type set; NULL elements kept. For
 * extension types whose elements have a mapping (hstore[]). */
tw_err_t tw_unknown_array_split(const tw_value_t *in, uint32_t elem_oid, tw_arena_t *arena,
                                tw_value_t *out, char *errstr, size_t errstr_size);

#endif /* TW_UNKNOWN_TYPE_H */
