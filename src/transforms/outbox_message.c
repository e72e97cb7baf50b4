/*
 * outbox_message.c — outbox events sent with pg_logical_emit_message: the
 * JSON object of outbox fields is presented as a one-row outbox table and
 * routed like a row. Separate because it is the only part of the router
 * that reads JSON messages rather than table rows.
 */
#include "transforms/outbox_router_internal.h"

#include <stdlib.h>
#include <string.h>

/* Adds name to the list unless it is NULL or already there. */
static void add_name(const char **names, size_t *n, const char *name)
{
    size_t i;

    if (name == NULL)
        return;
    for (i = 0; i < *n; i++)
        if (strcmp(names[i], name) == 0)
            return;
    names[(*n)++] = name;
}

/* The configured outbox fields, each once: the one-row table's columns.
 * names has room for 8 + the placements. */
static size_t message_field_names(const tw_outbox_router_t *router, const char **names)
{
    const tw_outbox_config_t *ob = router->ob;
    size_t n = 0, i;

    add_name(names, &n, ob->field_event_id);
    add_name(names, &n, ob->field_event_key);
    add_name(names, &n, ob->field_event_payload);
    add_name(names, &n, ob->route_by_field);
    add_name(names, &n, ob->field_event_type);
    add_name(names, &n, ob->field_event_timestamp);
    add_name(names, &n, ob->field_event_schema_version);
    for (i = 0; i < router->nplacements; i++)
        add_name(names, &n, router->placements[i].column);
    return n;
}

/* The column descriptions and the row's text values for the n fields of
 * doc (missing and null fields are NULL columns). */
static void message_columns(const tw_outbox_config_t *ob, json_t *doc, const char **names,
                            size_t n, tw_arena_t *arena, tw_pgoutput_attr_t *attrs,
                            tw_pgoutput_col_t *cols, bool *not_null)
{
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *f = json_object_get(doc, names[i]);
        bool is_payload = strcmp(names[i], ob->field_event_payload) == 0;
        const char *text;
        memset(&attrs[i], 0, sizeof(attrs[i]));
        attrs[i].name = names[i];
        attrs[i].type_oid = is_payload         ? TW_OID_JSON
                            : json_is_integer(f) ? TW_OID_INT8
                                                 : TW_OID_TEXT;
        attrs[i].typmod = -1;
        not_null[i] = i == 0; /* the event id */
        cols[i].kind = TW_PGOUTPUT_COL_TEXT;
        if (f == NULL || json_is_null(f)) {
            cols[i].kind = TW_PGOUTPUT_COL_NULL;
            cols[i].data = NULL;
            cols[i].len = 0;
            continue;
        }
        if (json_is_string(f) && !is_payload) {
            text = tw_outbox_strndup(arena, json_string_value(f), json_string_length(f));
        } else {
            char *dump = json_dumps(f, JSON_COMPACT | JSON_ENCODE_ANY);
            text = tw_outbox_strndup(arena, dump, strlen(dump));
            free(dump);
        }
        cols[i].data = text;
        cols[i].len = (uint32_t)strlen(text);
    }
}

tw_err_t tw_outbox_route_message(tw_outbox_router_t *router, const tw_txn_t *txn,
                                 const tw_change_t *change, tw_arena_t *arena,
                                 tw_record_t *record, const char **event_id, char *errstr,
                                 size_t errstr_size)
{
    const tw_outbox_config_t *ob = router->ob;
    size_t cap = 8 + router->nplacements, n;
    const char **names = tw_arena_alloc(arena, cap * sizeof(char *));
    tw_pgoutput_attr_t *attrs;
    tw_pgoutput_col_t *cols;
    tw_pgoutput_tuple_t tuple;
    tw_pgoutput_msg_t relmsg;
    tw_relcache_t *cache;
    tw_rel_t *rel;
    bool *not_null;
    json_error_t jerr;
    json_t *doc;
    tw_change_t row;
    tw_outbox_result_t result;
    tw_err_t err;

    *event_id = "";
    doc = json_loadb(change->content, change->content_len, 0, &jerr);
    if (doc == NULL || !json_is_object(doc)) {
        json_decref(doc);
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "logical message with prefix \"%s\" at " TW_LSN_FMT
                       " is not a JSON object of outbox fields (%s)",
                       change->prefix, TW_LSN_ARGS(change->lsn),
                       doc ? "not an object" : tw_json_error_reason(&jerr));
    }
    /* Present the message as a one-row outbox table, so the same routing
     * applies. Fields are text except the payload (JSON) and integers. */
    n = message_field_names(router, names);
    attrs = tw_arena_alloc(arena, n * sizeof(*attrs));
    cols = tw_arena_alloc(arena, n * sizeof(*cols));
    not_null = tw_arena_alloc(arena, n * sizeof(bool));
    message_columns(ob, doc, names, n, arena, attrs, cols, not_null);
    memset(&relmsg, 0, sizeof(relmsg));
    relmsg.type = TW_PGOUTPUT_RELATION;
    relmsg.u.relation.relid = 1;
    relmsg.u.relation.nspname = "message";
    relmsg.u.relation.relname = change->prefix;
    relmsg.u.relation.replident = 'n';
    relmsg.u.relation.natts = (uint16_t)n;
    relmsg.u.relation.attrs = attrs;
    cache = tw_relcache_new();
    rel = tw_relcache_update(cache, &relmsg);
    tw_outbox_binding_destroy(router->message_binding);
    router->message_binding = NULL;
    err = tw_outbox_bind_rules(router, rel, not_null, NULL, &router->message_binding, errstr,
                               errstr_size);
    if (err == TW_OK) {
        tuple.ncols = (uint16_t)n;
        tuple.cols = cols;
        memset(&row, 0, sizeof(row));
        row.op = TW_CHANGE_INSERT;
        row.lsn = change->lsn;
        row.rel = rel;
        row.new_tuple = &tuple;
        err = tw_outbox_route(router, router->message_binding, txn, &row, arena, record, event_id,
                              &result, errstr, errstr_size);
    }
    json_decref(doc);
    /* The record's schemas live in the binding (kept until the next
     * message) and its strings in the arena; the relation is not needed. */
    tw_relcache_destroy(cache);
    return err;
}
