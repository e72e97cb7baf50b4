/*
 * change_event_builder.h — change-event records built by hand in the shape
 * Debezium's PostgreSQL connector gives them, for the tests of
 * ExtractNewRecordState (test_unwrap.c) and for unwrap_tool.c, which runs
 * the same transform on the cases Debezium's own is run on: key
 * srv.public.customers.Key {id}, value ...Envelope {before, after, source
 * (io.debezium.connector.postgresql.Source), transaction, op, ts_ms, ts_us,
 * ts_ns}, rows {id, first_name, email (default "none@example.com"),
 * region}.
 *
 * Datums are a mix of decoded PostgreSQL values and JSON leaves, as
 * transform_envelope.c and the column rules make them, so that the
 * transform meets both kinds.
 */
#ifndef TW_TEST_CHANGE_EVENT_BUILDER_H
#define TW_TEST_CHANGE_EVENT_BUILDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "codec/converter.h"

typedef struct ceb {
    tw_arena_t *arena; /* the datums' memory; the caller's, reset as it likes */
    json_t *keep;      /* owns the JSON leaves datums point at */
    tw_cs_t *key, *row, *source, *txn, *envelope;
} ceb_t;

/* A null datum: no row, no transaction block. */
extern const tw_datum_t ceb_none;

/* Builds the schemas; datums go into arena. */
void ceb_init(ceb_t *b, tw_arena_t *arena);
void ceb_clear(ceb_t *b);

/* A row; id and region as decoded PostgreSQL values, first_name and email
 * as JSON; a NULL string is SQL NULL. */
tw_datum_t ceb_row(ceb_t *b, int64_t id, const char *first_name, const char *email,
                   const char *region);

/* A change event (op "c", "u", "d", "r" or "t"); before and after may be
 * ceb_none. Topic srv.public.customers, key {id: key_id}, no transaction
 * block (provide.transaction.metadata=false). */
tw_record_t ceb_event(ceb_t *b, const char *op, tw_datum_t before, tw_datum_t after,
                      int64_t key_id);
/* The same with a transaction block (provide.transaction.metadata=true). */
tw_record_t ceb_event_in_txn(ceb_t *b, const char *op, tw_datum_t before, tw_datum_t after,
                             int64_t key_id);
/* Debezium's tombstone after a delete: the key, no value, no value schema. */
tw_record_t ceb_tombstone(ceb_t *b, int64_t key_id);

/* schema and datum as conv (a JsonConverter) writes them for topic, parsed back into *out; an error
 * (encoding, or text that is no JSON) leaves its message in errstr. */
tw_err_t ceb_encode(tw_converter_t *conv, const char *topic, const tw_cs_t *schema,
                    const tw_datum_t *datum, json_t **out, char *errstr, size_t errstr_size);

#endif /* TW_TEST_CHANGE_EVENT_BUILDER_H */
