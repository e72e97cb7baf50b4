/*
 * outbox_router_internal.h — what the outbox router's files share: the
 * router and binding structs, the per-row call state and the helpers each
 * step uses. Not for use outside src/transforms/outbox_*.c; everyone else
 * goes through outbox_router.h. Calls between the files run one way:
 * outbox_router.c → outbox_placements.c, outbox_value.c → outbox_columns.c.
 */
#ifndef TW_OUTBOX_ROUTER_INTERNAL_H
#define TW_OUTBOX_ROUTER_INTERNAL_H

#include "transforms/outbox_router.h"
#include "transforms/column_rules.h"

#include "util/buf.h"
#include "util/jregex.h"
#include "codec/datum.h"
#include "codec/json_avro.h"
#include "kafka/kafka_sink.h"

typedef enum placement_kind {
    PLACE_HEADER,
    PLACE_ENVELOPE,
    PLACE_PARTITION,
} placement_kind_t;

typedef struct placement {
    char *column;
    char *alias;
    placement_kind_t kind;
} placement_t;

#define MAX_HEADERS 64
#define TOPIC_CACHE_SIZE 1024 /* power of two; routed values are few in practice */
#define MAX_ENVELOPES 512      /* envelope schemas cached per outbox table */

/* Routed value → topic, so the route regex runs once per distinct value
 * rather than once per record. */
typedef struct topic_cache_entry {
    char *routed;
    char *topic;
    bool valid; /* the topic passed tw_kafka_topic_check */
} topic_cache_entry_t;

struct tw_outbox_router {
    const tw_transform_config_t *cfg;
    const tw_outbox_config_t *ob;
    char *topic_prefix;
    tw_jregex_t *route_regex;
    placement_t *placements;
    size_t nplacements;
    bool has_envelope;
    /* Per-call scratch, reused. */
    tw_kafka_header_t headers[MAX_HEADERS];
    tw_buf_t scratch;
    tw_buf_t text;                        /* header and route values, reused */
    topic_cache_entry_t topics[TOPIC_CACHE_SIZE];
    size_t ntopics;
    tw_cs_t *expanded_schema; /* owned until the next call */
    json_t *expanded_json;
    tw_outbox_binding_t *message_binding; /* for table-less events */
    tw_column_rules_t *rules; /* column.*: filters and mappers; NULL: none */
};

/* An envelope struct schema for one routed value (and schema version). */
typedef struct envelope_schema {
    char *routed;
    int version;
    tw_cs_t *shape; /* the expanded payload's schema it was made for, or NULL */
    tw_cs_t *schema;
} envelope_schema_t;

struct tw_outbox_binding {
    int id_col, key_col, payload_col, route_col, ts_col, version_col, tracing_col;
    int type_col; /* contract-first payloads only, else -1 */
    int *placement_col; /* per router placement; -1 when missing and tolerated */
    tw_cs_t **col_schema; /* per relation column */
    bool *as_bytes; /* per column: an unknown type placed as bytes; NULL: none */
    /* Per column: its column.* mapper (mask, hash, truncation), applied to
     * the value as Debezium does before its EventRouter; NULL: none. */
    const tw_column_rule_t **col_rule;
    uint16_t ncols;
    char *value_name_prefix; /* "<prefix>.<schema>.<table>." */
    envelope_schema_t *envelopes;
    size_t nenvelopes;
};

/* One row being routed: what the steps below share. */
typedef struct route_call {
    tw_outbox_router_t *router;
    tw_outbox_binding_t *b;
    const tw_change_t *change;
    tw_arena_t *arena;
    tw_record_t *record;
    const char *event_id;
    const char *routed; /* the route column's value, as text */
    size_t nheaders;
    tw_datum_t *datums; /* the envelope's fields; [0] is the payload */
    size_t nfields;
} route_call_t;

/* The value of column col of the row, or returns err from the caller. */
#define COLUMN(rc, var, col)                                                                   \
    do {                                                                                       \
        var = tw_outbox_column_value((rc)->b, (rc)->change, col, (rc)->arena, &err, errstr,      \
                                     errstr_size);                                             \
        if (err)                                                                               \
            return err;                                                                        \
    } while (0)

/* ---- outbox_columns.c: the lowest part ---- */

/* Copies len bytes into the arena as a NUL-terminated string. */
char *tw_outbox_strndup(tw_arena_t *arena, const char *s, size_t len);
/* Column col of the change's new row, read into the arena and mapped by
 * the binding's column rule; *err on failure. */
tw_value_t *tw_outbox_column_value(const tw_outbox_binding_t *b, const tw_change_t *change,
                                   int col, tw_arena_t *arena, tw_err_t *err, char *errstr,
                                   size_t errstr_size);

/* ---- outbox_router.c: called by outbox_message.c ---- */

/* tw_outbox_bind with the given column rules (NULL for none: logical
 * messages have no columns for them to name). */
tw_err_t tw_outbox_bind_rules(tw_outbox_router_t *router, const tw_rel_t *rel,
                              const bool *not_null, const tw_column_rules_t *rules,
                              tw_outbox_binding_t **out, char *errstr, size_t errstr_size);

/* ---- outbox_placements.c and outbox_value.c: called by outbox_router.c ---- */

/* A header's value as Connect's SimpleHeaderConverter writes it (NULL for
 * null); the text lives in the arena. */
tw_err_t tw_outbox_header_value(tw_outbox_router_t *router, const tw_datum_t *datum,
                                const tw_cs_t *schema, tw_arena_t *arena, tw_kafka_header_t *h,
                                char *errstr, size_t errstr_size);
/* Route steps after the topic, key and timestamp: placements, then value. */
tw_err_t tw_outbox_route_placements(route_call_t *rc, char *errstr, size_t errstr_size);
tw_err_t tw_outbox_route_value(route_call_t *rc, char *errstr, size_t errstr_size);

#endif /* TW_OUTBOX_ROUTER_INTERNAL_H */
