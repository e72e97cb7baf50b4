/*
 * record.h — a Kafka Connect-style record: what a transform (the outbox
 * router) hands to the converters and the Kafka sink. Schemas say how to
 * encode; datums say what.
 */
#ifndef TW_RECORD_H
#define TW_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/connect_schema.h"
#include "codec/header.h"
#include "pg/value.h"

/* One value to encode against a schema: a PostgreSQL value, a JSON value
 * (an expanded payload), or a struct a transform assembled (one datum per
 * schema field). All NULL, or a NULL-kind pg value, or a JSON null: null. */
typedef struct tw_datum {
    const tw_value_t *pg;
    const json_t *json;
    const struct tw_datum *fields;
} tw_datum_t;

static inline bool tw_datum_is_null(const tw_datum_t *datum)
{
    if (datum->pg)
        return datum->pg->kind == TW_VALUE_NULL;
    if (datum->json)
        return json_is_null(datum->json);
    return datum->fields == NULL;
}

typedef struct tw_record {
    const char *topic;
    int32_t partition; /* TW_PARTITION_ANY */
    int64_t timestamp_ms;
    const tw_cs_t *key_schema; /* NULL: null key */
    tw_datum_t key;
    const tw_cs_t *value_schema; /* NULL: tombstone */
    tw_datum_t value;
    const tw_header_t *headers;
    size_t nheaders;
    /* Contract-first payloads (payload.schema.dir): the event type and the
     * payload as JSON text, for the pipeline to convert to the declared
     * record instead of encoding value. NULL otherwise. */
    const char *event_type;
    const char *payload_json;
    size_t payload_json_len;
} tw_record_t;

#endif /* TW_RECORD_H */
