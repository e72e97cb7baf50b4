/*
 * envelope_message.c — logical decoding messages as Debezium's "m" change
 * events (see envelope_message.h).
 */
#include "transforms/envelope_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transforms/envelope_row.h"
#include "pg/value.h"

struct tw_envelope_message {
    char *topic;
    tw_cs_t *key_schema;
    tw_cs_t *value_schema;
};

/* The value's fields, in Debezium's order; and the message block's. */
enum { MSG_OP, MSG_TS_MS, MSG_SOURCE, MSG_TRANSACTION, MSG_MESSAGE, MSG_NFIELDS };
enum { BLOCK_PREFIX, BLOCK_CONTENT, BLOCK_NFIELDS };

tw_envelope_message_t *tw_envelope_message_new(const char *topic_prefix, tw_cs_t *source_schema,
                                               tw_cs_t *transaction_schema)
{
    tw_envelope_message_t *m = tw_calloc(1, sizeof(*m));
    size_t len = strlen(topic_prefix) + sizeof(".message");
    tw_cs_t *block;

    m->topic = tw_malloc(len);
    snprintf(m->topic, len, "%s.message", topic_prefix);
    /* A struct rather than the bare prefix, so that the key can grow. */
    m->key_schema = tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.postgresql.MessageKey");
    m->key_schema->version = 1;
    tw_cs_add_field(m->key_schema, "prefix", tw_cs_new(TW_CS_STRING, true, NULL));
    /* Both optional: pg_logical_emit_message takes NULLs, though logical
     * decoding never delivers them. The content is bytes, or a string in
     * the binary.handling.mode's encoding, as a bytea column's is. */
    block = tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.postgresql.Message");
    block->version = 1;
    tw_cs_add_field(block, "prefix", tw_cs_new(TW_CS_STRING, true, NULL));
    tw_cs_add_field(block, "content", tw_cs_for_column(TW_OID_BYTEA, -1, true));
    m->value_schema =
        tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.postgresql.MessageValue");
    m->value_schema->version = 1;
    tw_cs_add_field(m->value_schema, "op", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(m->value_schema, "ts_ms", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(m->value_schema, "source", tw_cs_ref(source_schema));
    tw_cs_add_field(m->value_schema, "transaction", tw_cs_ref(transaction_schema));
    tw_cs_add_field(m->value_schema, "message", block);
    return m;
}

void tw_envelope_message_destroy(tw_envelope_message_t *m)
{
    if (m == NULL)
        return;
    free(m->topic);
    tw_cs_unref(m->key_schema);
    tw_cs_unref(m->value_schema);
    free(m);
}

static tw_datum_t content_datum(const tw_change_t *change, tw_arena_t *arena)
{
    tw_datum_t d = {NULL, NULL, NULL};
    tw_value_t *v = tw_arena_alloc(arena, sizeof(*v));
    uint8_t *copy = tw_arena_alloc(arena, change->content_len ? change->content_len : 1);

    memset(v, 0, sizeof(*v));
    v->kind = TW_VALUE_BYTES;
    v->type_oid = TW_OID_BYTEA;
    if (change->content_len)
        memcpy(copy, change->content, change->content_len);
    v->u.bytes.ptr = copy;
    v->u.bytes.len = change->content_len;
    d.pg = v;
    return d;
}

void tw_envelope_message_make(const tw_envelope_message_t *m, const tw_change_t *change,
                              tw_datum_t source, tw_datum_t transaction, int64_t now_us,
                              int64_t timestamp_ms, tw_arena_t *arena, tw_record_t *out)
{
    tw_datum_t *key = tw_arena_alloc(arena, sizeof(*key));
    tw_datum_t *block = tw_arena_alloc(arena, BLOCK_NFIELDS * sizeof(*block));
    tw_datum_t *f = tw_arena_alloc(arena, MSG_NFIELDS * sizeof(*f));

    memset(out, 0, sizeof(*out));
    key[0] = tw_envelope_text(arena, change->prefix);
    block[BLOCK_PREFIX] = key[0];
    block[BLOCK_CONTENT] = content_datum(change, arena);
    f[MSG_OP] = tw_envelope_text(arena, "m");
    f[MSG_TS_MS] = tw_envelope_int(arena, now_us / 1000);
    f[MSG_SOURCE] = source;
    f[MSG_TRANSACTION] = transaction;
    f[MSG_MESSAGE].pg = NULL;
    f[MSG_MESSAGE].json = NULL;
    f[MSG_MESSAGE].fields = block;
    out->topic = m->topic;
    out->partition = TW_PARTITION_ANY;
    out->timestamp_ms = timestamp_ms;
    out->key_schema = m->key_schema;
    out->key.fields = key;
    out->value_schema = m->value_schema;
    out->value.fields = f;
}
