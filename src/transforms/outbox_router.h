/*
 * outbox_router.h — Debezium's Outbox Event Router
 * (io.debezium.transforms.outbox.EventRouter) as a pure function from a
 * change of an outbox table to a Kafka record:
 *
 *   INSERT → one record: key = table.field.event.key, header `id` = event id,
 *            topic = route.topic.replacement applied to route.by.field
 *            through route.topic.regex, value = the payload (or an envelope
 *            struct when columns are placed in it), timestamp = the
 *            timestamp column or the commit time;
 *   DELETE, TRUNCATE → nothing (insert-then-delete keeps the table empty);
 *   UPDATE → TW_OUTBOX_INVALID_OP: the caller applies
 *            table.op.invalid.behavior.
 *
 * pg_logical_emit_message events with the configured prefix whose content
 * is a JSON object holding the same fields are routed the same way.
 *
 * Column positions and schemas are resolved once per relation schema
 * version (a binding), so routing a row does no lookups by name.
 */
#ifndef TW_OUTBOX_ROUTER_H
#define TW_OUTBOX_ROUTER_H

#include <stdbool.h>

#include "util/arena.h"
#include "pg/changefeed.h"
#include "config/config.h"
#include "codec/record.h"
#include "pg/relcache.h"

typedef enum tw_outbox_result {
    TW_OUTBOX_EMIT,       /* the record is filled in */
    TW_OUTBOX_IGNORE,     /* a delete or truncate: dropped, as Debezium does */
    TW_OUTBOX_INVALID_OP, /* an update of an outbox row */
} tw_outbox_result_t;

typedef struct tw_outbox_router tw_outbox_router_t;
typedef struct tw_outbox_binding tw_outbox_binding_t;

/* transform is borrowed and must outlive the router. */
tw_err_t tw_outbox_router_new(const tw_transform_config_t *transform, const char *topic_prefix,
                              tw_outbox_router_t **router, char *errstr, size_t errstr_size);
void tw_outbox_router_destroy(tw_outbox_router_t *router); /* accepts NULL */
/* The connector's column.* filters and mappers (column_rules.h), applied
 * to outbox rows as Debezium applies them before its EventRouter: set
 * before binding. */
tw_err_t tw_outbox_router_set_column_rules(tw_outbox_router_t *router, const tw_config_t *cfg,
                                           char *errstr, size_t errstr_size);

/* Resolves the configured columns in rel. not_null[i] says whether column
 * i is NOT NULL (required in the schemas). A configured column the table
 * lacks is an error that names it. */
tw_err_t tw_outbox_bind(tw_outbox_router_t *router, const tw_rel_t *rel, const bool *not_null,
                        tw_outbox_binding_t **binding, char *errstr, size_t errstr_size);
void tw_outbox_binding_destroy(tw_outbox_binding_t *binding); /* accepts NULL */

/* Routes one change of the bound relation. The record (and the event id
 * string, for messages about it) stay valid until the next route call or
 * until the arena is reset. A row the router cannot route (a null route
 * column, a payload that is not JSON with expansion on) is TW_ERR_MALFORMED
 * with errstr naming the event and the problem. */
tw_err_t tw_outbox_route(tw_outbox_router_t *router, tw_outbox_binding_t *binding,
                         const tw_txn_t *txn, const tw_change_t *change, tw_arena_t *arena,
                         tw_record_t *record, const char **event_id,
                         tw_outbox_result_t *result, char *errstr, size_t errstr_size);

/* True when message events with this prefix are routed as outbox rows. */
bool tw_outbox_router_takes_message(const tw_outbox_router_t *router, const char *prefix);
/* Routes a logical message whose content is a JSON object of outbox fields. */
tw_err_t tw_outbox_route_message(tw_outbox_router_t *router, const tw_txn_t *txn,
                                 const tw_change_t *change, tw_arena_t *arena,
                                 tw_record_t *record, const char **event_id, char *errstr,
                                 size_t errstr_size);

#endif /* TW_OUTBOX_ROUTER_H */
