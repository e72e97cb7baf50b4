/*
 * unwrap.h — Debezium's ExtractNewRecordState
 * (io.debezium.transforms.ExtractNewRecordState): a change-event envelope
 * record ({before, after, source, transaction, op, ts_ms, ...}, value
 * schema named "*.Envelope") becomes the flat row state that sink
 * connectors want, with deletes and tombstones handled per
 * delete.tombstone.handling.mode and envelope fields copied into the value
 * (add.fields) or the headers (add.headers).
 *
 * A pure record -> record step: it reads one record and writes at most one,
 * as a Kafka Connect transformation does. Records that are not envelopes
 * nor tombstones (an outbox event, a heartbeat) pass unchanged.
 *
 * Derived value and key schemas are built once per input schema and kept
 * (reference-counted, named as Debezium names them: the row's Value or Key
 * schema name), so encoding them finds the converters' memo filled.
 */
#ifndef TW_UNWRAP_H
#define TW_UNWRAP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/common.h"
#include "config/config.h"
#include "codec/record.h"

typedef struct tw_unwrap tw_unwrap_t;

/* Checks and compiles the options (add.fields/add.headers lists); cfg must
 * outlive the transform. `name` is the transform's name, for errors. */
tw_err_t tw_unwrap_new(const tw_unwrap_config_t *cfg, const char *name, tw_unwrap_t **unwrap,
                       char *errstr, size_t errstr_size);
void tw_unwrap_destroy(tw_unwrap_t *unwrap); /* accepts NULL */

/*
 * Flattens one record. *emitted is false when the record is dropped (a
 * tombstone, a delete or a truncate the mode drops). On success `out` holds
 * the record to send; its strings, headers and datums live in `arena` or
 * are borrowed from `in` (valid while both are), its schemas are borrowed
 * from `in` or from the transform's cache (valid until tw_unwrap_destroy).
 * TW_ERR_MALFORMED: the record cannot be flattened as configured (e.g.
 * route.by.field names a field the row lacks); the error policy decides.
 */
tw_err_t tw_unwrap_apply(tw_unwrap_t *unwrap, const tw_record_t *in, tw_arena_t *arena,
                         tw_record_t *out, bool *emitted, char *errstr, size_t errstr_size);

/*
 * Flattens the records one change became, in order: out[i] and emitted[i]
 * for in[i]; where `selected` is given, records it leaves false pass as
 * they are (another transform's predicate chose them). Like
 * tw_unwrap_apply, plus one thing a record alone cannot show: Debezium
 * hands a delete and the tombstone after it one headers object, and
 * add.headers adds to it in place, so that tombstone also carries the
 * headers added to the delete, then its own.
 */
tw_err_t tw_unwrap_apply_records(tw_unwrap_t *unwrap, const tw_record_t *in, const bool *selected,
                                 size_t n, tw_arena_t *arena, tw_record_t *out, bool *emitted,
                                 char *errstr, size_t errstr_size);

/* Number of derived schemas cached (for tests: built once, not per record). */
size_t tw_unwrap_cached_schemas(const tw_unwrap_t *unwrap);

#endif /* TW_UNWRAP_H */
