/*
 * envelope_message.h — Debezium's change event for a PostgreSQL logical
 * decoding message (pg_logical_emit_message) that no transform takes: one
 * record on <topic.prefix>.message, op "m", keyed by the message's prefix
 * (io.debezium.connector.postgresql.MessageKey), the value
 * io.debezium.connector.postgresql.MessageValue {op, ts_ms, source,
 * transaction, message {prefix, content}}. The content follows binary.handling.mode.
 * transform_envelope.c makes the source block and calls this.
 */
#ifndef TW_ENVELOPE_MESSAGE_H
#define TW_ENVELOPE_MESSAGE_H

#include <stdint.h>

#include "util/arena.h"
#include "pg/changefeed.h"
#include "codec/connect_schema.h"
#include "codec/record.h"

typedef struct tw_envelope_message tw_envelope_message_t;

/* The connector's Source struct and the transaction block's schema
 * (references are kept). */
tw_envelope_message_t *tw_envelope_message_new(const char *topic_prefix, tw_cs_t *source_schema,
                                               tw_cs_t *transaction_schema);
void tw_envelope_message_destroy(tw_envelope_message_t *m); /* accepts NULL */

/* The record for `change` (a TW_CHANGE_MESSAGE) with this source block
 * and transaction block (a null datum: none); now_us: the processing time
 * (the value's ts_ms); timestamp_ms: the record's timestamp. Datums in the
 * arena. */
void tw_envelope_message_make(const tw_envelope_message_t *m, const tw_change_t *change,
                              tw_datum_t source, tw_datum_t transaction, int64_t now_us,
                              int64_t timestamp_ms, tw_arena_t *arena, tw_record_t *out);

#endif /* TW_ENVELOPE_MESSAGE_H */
