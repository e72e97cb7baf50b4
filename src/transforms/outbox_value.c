/*
 * outbox_value.c — the outbox router's record value: a tombstone, a
 * declared (contract-first) payload, the payload column, its JSON expansion
 * with an inferred schema, and the envelope struct when fields are placed
 * in it (with its schema cache). Separate from the routing because value
 * schemas have their own lifetimes and caches.
 */
#include "transforms/outbox_router_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avro_convert.h"

static const envelope_schema_t *envelope_for(tw_outbox_router_t *router,
                                             tw_outbox_binding_t *b, const char *routed,
                                             int version, tw_cs_t *shape)
{
    tw_buf_t name = TW_BUF_INIT;
    tw_cs_t *schema;
    size_t i;

    /* Debezium keeps one envelope schema per schema version (per table) or,
     * without a version column, per payload schema (one for a column, one
     * per shape of expanded JSON), named after the routed value of the
     * first event that needed it. */
    for (i = 0; i < b->nenvelopes; i++)
        if (b->envelopes[i].version == version &&
            (shape == NULL ? b->envelopes[i].shape == NULL
                           : b->envelopes[i].shape != NULL &&
                                 tw_cs_same_shape(b->envelopes[i].shape, shape)))
            return &b->envelopes[i];
    tw_buf_printf(&name, "%s%s.Value", b->value_name_prefix, routed);
    tw_avro_sanitize_name(name.data);
    schema = tw_cs_new(TW_CS_STRUCT, false, name.data);
    schema->version = version;
    tw_cs_add_field(schema, "payload", tw_cs_ref(b->col_schema[b->payload_col]));
    for (i = 0; i < router->nplacements; i++)
        if (router->placements[i].kind == PLACE_ENVELOPE && b->placement_col[i] >= 0)
            tw_cs_add_field(schema, router->placements[i].alias,
                            tw_cs_ref(b->col_schema[b->placement_col[i]]));
    tw_buf_free(&name);
    /* Routed values come from rows: bound the cache like the topic cache
     * (evict everything; a schema is kept alive by its references). */
    if (b->nenvelopes >= MAX_ENVELOPES) {
        for (i = 0; i < b->nenvelopes; i++) {
            free(b->envelopes[i].routed);
            tw_cs_unref(b->envelopes[i].schema);
        }
        b->nenvelopes = 0;
    }
    b->envelopes = tw_realloc(b->envelopes, (b->nenvelopes + 1) * sizeof(envelope_schema_t));
    b->envelopes[b->nenvelopes].routed = tw_strdup(routed);
    b->envelopes[b->nenvelopes].version = version;
    b->envelopes[b->nenvelopes].shape = shape ? tw_cs_ref(shape) : NULL;
    b->envelopes[b->nenvelopes].schema = schema;
    return &b->envelopes[b->nenvelopes++];
}

/* Parses a JSON payload for table.expand.json.payload and infers its
 * schema, as Debezium does: only objects and arrays expand. */
static tw_err_t expand_payload(tw_outbox_router_t *router, const char *text, size_t len,
                               const char *event_id, const tw_datum_t **value_datum,
                               tw_datum_t *datum, const tw_cs_t **schema, char *errstr,
                               size_t errstr_size)
{
    json_error_t jerr;
    char detail[256];
    size_t i = 0;

    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i == len || (text[i] != '{' && text[i] != '['))
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "event %s: payload is not a JSON object or array, but "
                       "table.expand.json.payload=true needs one",
                       event_id);
    router->expanded_json = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
    if (router->expanded_json == NULL)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "event %s: payload is not valid JSON (line %d, column %d: %s); "
                       "table.expand.json.payload=true needs JSON payloads",
                       event_id, jerr.line, jerr.column, tw_json_error_reason(&jerr));
    router->expanded_schema =
        tw_cs_infer_json(router->expanded_json, router->ob->field_event_payload,
                         router->ob->json_payload_null_behavior == TW_JSON_NULL_OPTIONAL_BYTES,
                         detail, sizeof(detail));
    if (router->expanded_schema == NULL)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "event %s: %s", event_id, detail);
    datum->json = router->expanded_json;
    *value_datum = datum;
    *schema = router->expanded_schema;
    return TW_OK;
}

static bool payload_is_empty(const tw_value_t *v)
{
    size_t i;

    if (v->kind == TW_VALUE_NULL)
        return true;
    if (v->kind != TW_VALUE_TEXT && v->kind != TW_VALUE_JSON)
        return false;
    for (i = 0; i < v->u.str.len; i++)
        if (!isspace((unsigned char)v->u.str.ptr[i]))
            return false;
    return true;
}

/* Contract-first: hand the pipeline the event type and the payload's JSON
 * text; it converts them to the declared record. */
static tw_err_t declared_payload(tw_outbox_router_t *router, tw_outbox_binding_t *b,
                                 const tw_change_t *change, const tw_value_t *payload,
                                 tw_arena_t *arena, const char *event_id, tw_record_t *record,
                                 char *errstr, size_t errstr_size)
{
    const tw_outbox_config_t *ob = router->ob;
    tw_datum_t d = {NULL, NULL, NULL};
    tw_value_t *type;
    tw_err_t err = TW_OK;

    type = tw_outbox_column_value(b, change, b->type_col, arena, &err, errstr, errstr_size);
    if (err)
        return err;
    if (type->kind == TW_VALUE_NULL)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "event %s: event type column \"%s\" is null, so there is no declared "
                       "record to check the payload against",
                       event_id, ob->field_event_type);
    d.pg = type;
    tw_buf_reset(&router->text);
    err = tw_datum_header_string(&d, b->col_schema[b->type_col], &router->text,
                                 &router->scratch, errstr, errstr_size);
    if (err)
        return err;
    record->event_type =
        tw_outbox_strndup(arena, router->text.data ? router->text.data : "", router->text.len);
    if (payload->kind == TW_VALUE_NULL) {
        record->payload_json = "null";
        record->payload_json_len = 4;
    } else if (payload->kind == TW_VALUE_TEXT || payload->kind == TW_VALUE_JSON) {
        record->payload_json = payload->u.str.ptr;
        record->payload_json_len = payload->u.str.len;
    } else {
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "event %s: payload.schema.dir needs column \"%s\" to hold JSON (json, "
                       "jsonb or text)",
                       event_id, ob->field_event_payload);
    }
    record->value_schema = b->col_schema[b->payload_col]; /* not a tombstone */
    record->value.pg = payload;
    return TW_OK;
}

/* The value: a tombstone, a declared payload, the payload column (expanded
 * from JSON if asked), wrapped in the envelope when fields join it. */
tw_err_t tw_outbox_route_value(route_call_t *rc, char *errstr, size_t errstr_size)
{
    tw_outbox_router_t *router = rc->router;
    const tw_outbox_config_t *ob = router->ob;
    tw_outbox_binding_t *b = rc->b;
    tw_record_t *record = rc->record;
    tw_datum_t *datums = rc->datums, *value_datum;
    const tw_cs_t *value_schema;
    tw_value_t *payload, *v;
    tw_err_t err;
    size_t i;

    COLUMN(rc, payload, b->payload_col);
    datums[0].pg = payload;
    datums[0].json = NULL;
    datums[0].fields = NULL;
    value_datum = &datums[0];
    value_schema = b->col_schema[b->payload_col];
    if (ob->route_tombstone_on_empty_payload && payload_is_empty(payload)) {
        record->value_schema = NULL; /* tombstone; the key is kept */
        return TW_OK;
    }
    if (b->type_col >= 0)
        return declared_payload(router, b, rc->change, payload, rc->arena, rc->event_id, record,
                                errstr, errstr_size);
    if (ob->expand_json_payload && payload->kind != TW_VALUE_NULL) {
        if (payload->kind != TW_VALUE_TEXT && payload->kind != TW_VALUE_JSON)
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "event %s: table.expand.json.payload=true, but column \"%s\" is not "
                           "text or json",
                           rc->event_id, ob->field_event_payload);
        err = expand_payload(router, payload->u.str.ptr, payload->u.str.len, rc->event_id,
                             (const tw_datum_t **)&value_datum, &datums[0], &value_schema,
                             errstr, errstr_size);
        if (err)
            return err;
        datums[0].pg = NULL;
    }
    if (router->has_envelope) {
        int version = 0;
        const envelope_schema_t *env;
        tw_datum_t *outer = tw_arena_alloc(rc->arena, sizeof(*outer));
        if (b->version_col >= 0) {
            COLUMN(rc, v, b->version_col);
            version = v->kind == TW_VALUE_INT ? (int)v->u.i : 0;
        }
        env = envelope_for(router, b, rc->routed, version,
                           b->version_col < 0 ? router->expanded_schema : NULL);
        /* An expanded payload changes the payload field's schema per record. */
        if (router->expanded_schema) {
            tw_cs_t *s = tw_cs_new(TW_CS_STRUCT, false, env->schema->name);
            s->version = version;
            tw_cs_add_field(s, "payload", tw_cs_ref(router->expanded_schema));
            for (i = 1; i < env->schema->nfields; i++)
                tw_cs_add_field(s, env->schema->fields[i].name,
                                tw_cs_ref(env->schema->fields[i].schema));
            tw_cs_unref(router->expanded_schema);
            router->expanded_schema = s;
            value_schema = s;
        } else {
            value_schema = env->schema;
        }
        outer->pg = NULL;
        outer->json = NULL;
        outer->fields = datums;
        value_datum = outer;
    }
    record->value_schema = value_schema;
    record->value = *value_datum;
    return TW_OK;
}
