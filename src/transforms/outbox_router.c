/*
 * outbox_router.c — binding outbox columns per relation and routing rows.
 */
#include "transforms/outbox_router.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avro_convert.h"
#include "util/buf.h"
#include "codec/converter.h"
#include "codec/datum.h"
#include "util/jregex.h"
#include "codec/json_avro.h"
#include "codec/unknown_type.h"
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
    uint16_t ncols;
    char *value_name_prefix; /* "<prefix>.<schema>.<table>." */
    envelope_schema_t *envelopes;
    size_t nenvelopes;
};

static void free_placements(tw_outbox_router_t *router)
{
    size_t i;

    for (i = 0; i < router->nplacements; i++) {
        free(router->placements[i].column);
        free(router->placements[i].alias);
    }
    free(router->placements);
}

static tw_err_t parse_placements(tw_outbox_router_t *router, const char *list, const char *key,
                                 char *errstr, size_t errstr_size)
{
    char **items = NULL;
    size_t n = tw_config_split_list(list, &items), i;
    tw_err_t err = TW_OK;

    router->placements = tw_calloc(n ? n : 1, sizeof(placement_t));
    for (i = 0; i < n && err == TW_OK; i++) {
        char *parts[4] = {NULL, NULL, NULL, NULL};
        char *copy = tw_strdup(items[i]), *p = copy;
        int np = 0;
        placement_t *pl = &router->placements[router->nplacements];

        while (np < 4) {
            parts[np++] = p;
            p = strchr(p, ':');
            if (p == NULL)
                break;
            *p++ = '\0';
        }
        if (np < 2 || np > 3 || parts[0][0] == '\0' || (p && np == 4)) {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: \"%s\" is not column:placement[:alias] (placement header, "
                          "envelope or partition)",
                          key, items[i]);
        } else if (strcasecmp(parts[1], "header") == 0 ||
                   strcasecmp(parts[1], "envelope") == 0 ||
                   strcasecmp(parts[1], "partition") == 0) {
            pl->kind = strcasecmp(parts[1], "header") == 0     ? PLACE_HEADER
                       : strcasecmp(parts[1], "envelope") == 0 ? PLACE_ENVELOPE
                                                               : PLACE_PARTITION;
            pl->column = tw_strdup(parts[0]);
            pl->alias = tw_strdup(np == 3 && parts[2][0] ? parts[2] : parts[0]);
            if (pl->kind == PLACE_ENVELOPE)
                router->has_envelope = true;
            router->nplacements++;
        } else {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: placement \"%s\" in \"%s\" is not header, envelope or partition",
                          key, parts[1], items[i]);
        }
        free(copy);
    }
    tw_config_free_list(items, n);
    return err;
}

tw_err_t tw_outbox_router_new(const tw_transform_config_t *transform, const char *topic_prefix,
                              tw_outbox_router_t **out, char *errstr, size_t errstr_size)
{
    tw_outbox_router_t *router = tw_calloc(1, sizeof(*router));
    char key[256];
    tw_err_t err;

    *out = NULL;
    router->cfg = transform;
    router->ob = &transform->outbox;
    router->topic_prefix = tw_strdup(topic_prefix);
    snprintf(key, sizeof(key), "transforms.%s.route.topic.regex", transform->name);
    err = tw_jregex_compile(router->ob->route_topic_regex, key, &router->route_regex, errstr,
                            errstr_size);
    if (err == TW_OK) {
        snprintf(key, sizeof(key), "transforms.%s.route.topic.replacement", transform->name);
        err = tw_jregex_check_replacement(router->route_regex, router->ob->route_topic_replacement,
                                          key, errstr, errstr_size);
    }
    if (err == TW_OK) {
        snprintf(key, sizeof(key), "transforms.%s.table.fields.additional.placement",
                 transform->name);
        err = parse_placements(router, router->ob->fields_additional_placement, key, errstr,
                               errstr_size);
    }
    /* A declared payload record is the whole value: nothing to wrap it in,
     * nothing to infer. */
    if (err == TW_OK && router->ob->payload_schema_dir && router->has_envelope)
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "transforms.%s.payload.schema.dir: with declared payload records the value "
                      "is the record itself, so table.fields.additional.placement cannot use "
                      "envelope; place those fields in headers instead",
                      transform->name);
    if (err == TW_OK && router->ob->payload_schema_dir && router->ob->expand_json_payload)
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "transforms.%s.payload.schema.dir replaces table.expand.json.payload "
                      "(declared records instead of inferred ones); set only one",
                      transform->name);
    if (err) {
        tw_outbox_router_destroy(router);
        return err;
    }
    *out = router;
    return TW_OK;
}

void tw_outbox_router_destroy(tw_outbox_router_t *router)
{
    if (router == NULL)
        return;
    tw_jregex_destroy(router->route_regex);
    free_placements(router);
    free(router->topic_prefix);
    tw_buf_free(&router->scratch);
    tw_buf_free(&router->text);
    for (size_t i = 0; i < TOPIC_CACHE_SIZE; i++) {
        free(router->topics[i].routed);
        free(router->topics[i].topic);
    }
    tw_cs_unref(router->expanded_schema);
    json_decref(router->expanded_json);
    tw_outbox_binding_destroy(router->message_binding);
    free(router);
}

void tw_outbox_binding_destroy(tw_outbox_binding_t *binding)
{
    size_t i;

    if (binding == NULL)
        return;
    for (i = 0; i < binding->ncols; i++)
        tw_cs_unref(binding->col_schema[i]);
    for (i = 0; i < binding->nenvelopes; i++) {
        free(binding->envelopes[i].routed);
        tw_cs_unref(binding->envelopes[i].shape);
        tw_cs_unref(binding->envelopes[i].schema);
    }
    free(binding->envelopes);
    free(binding->col_schema);
    free(binding->as_bytes);
    free(binding->placement_col);
    free(binding->value_name_prefix);
    free(binding);
}

/* Column index of a configured name; -1 (and errstr) when the table lacks
 * it and it is required. */
static tw_err_t find_column(const tw_rel_t *rel, const char *name, const char *key,
                            const tw_transform_config_t *cfg, bool required, int *index,
                            char *errstr, size_t errstr_size)
{
    *index = name ? tw_rel_col_index(rel, name) : -1;
    if (*index < 0 && required && name)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "outbox table %s.%s has no column \"%s\" (transforms.%s.%s); add the "
                       "column or point the option at an existing one",
                       rel->nspname, rel->relname, name, cfg->name, key);
    return TW_OK;
}

/* A column the router reads whose type Debezium has no mapping for:
 * Debezium's task fails on it, unless include.unknown.datatypes=true lets
 * an additional placement carry it as bytes. Refused here, before any row. */
static tw_err_t unknown_column(const tw_outbox_router_t *router, const tw_rel_t *rel,
                               tw_outbox_binding_t *b, int col, const char *key,
                               bool placement, const bool *not_null, char *errstr,
                               size_t errstr_size)
{
    tw_type_support_t support;
    bool include = tw_cs_options()->include_unknown;

    if (col < 0 || (support = tw_unknown_type_support(&rel->cols[col])) == TW_TYPE_MAPPED)
        return TW_OK;
    if (support == TW_TYPE_UNKNOWN && include && placement) {
        if (b->as_bytes == NULL)
            b->as_bytes = tw_calloc(rel->ncols, sizeof(bool));
        b->as_bytes[col] = true;
        tw_cs_unref(b->col_schema[col]);
        b->col_schema[col] = tw_cs_for_column(TW_OID_BYTEA, -1, !not_null[col]);
        return TW_OK;
    }
    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                   "transforms.%s.%s: column \"%s\" of %s.%s has %s (type %s), which Debezium "
                   "leaves out of its records; %s",
                   router->cfg->name, key, rel->cols[col].name, rel->nspname, rel->relname,
                   tw_unknown_type_reason(support),
                   rel->cols[col].type_name ? rel->cols[col].type_name : "?",
                   support == TW_TYPE_UNKNOWN && placement
                       ? "set include.unknown.datatypes=true to place it as bytes holding its "
                         "text, or place a column of a mapped type (e.g. text)"
                       : "use a column of a mapped type (e.g. text, cast from it)");
}

tw_err_t tw_outbox_bind(tw_outbox_router_t *router, const tw_rel_t *rel, const bool *not_null,
                        tw_outbox_binding_t **out, char *errstr, size_t errstr_size)
{
    const tw_outbox_config_t *ob = router->ob;
    const tw_transform_config_t *cfg = router->cfg;
    tw_outbox_binding_t *b = tw_calloc(1, sizeof(*b));
    tw_buf_t name = TW_BUF_INIT;
    tw_err_t err;
    size_t i;

    *out = NULL;
    b->ncols = rel->ncols;
    b->col_schema = tw_calloc(rel->ncols ? rel->ncols : 1, sizeof(tw_cs_t *));
    /* By the type the values have: a domain column's is its base type. */
    for (i = 0; i < rel->ncols; i++)
        b->col_schema[i] = tw_cs_for_rel_col(&rel->cols[i], !not_null[i]);
    b->placement_col = tw_calloc(router->nplacements ? router->nplacements : 1, sizeof(int));
    err = find_column(rel, ob->field_event_id, "table.field.event.id", cfg, true, &b->id_col,
                      errstr, errstr_size);
    if (err == TW_OK)
        err = find_column(rel, ob->field_event_key, "table.field.event.key", cfg, true,
                          &b->key_col, errstr, errstr_size);
    if (err == TW_OK)
        err = find_column(rel, ob->field_event_payload, "table.field.event.payload", cfg, true,
                          &b->payload_col, errstr, errstr_size);
    if (err == TW_OK)
        err = find_column(rel, ob->route_by_field, "route.by.field", cfg, true, &b->route_col,
                          errstr, errstr_size);
    if (err == TW_OK)
        err = find_column(rel, ob->field_event_timestamp, "table.field.event.timestamp", cfg,
                          true, &b->ts_col, errstr, errstr_size);
    if (err == TW_OK)
        err = find_column(rel, ob->field_event_schema_version,
                          "table.field.event.schema.version", cfg, true, &b->version_col, errstr,
                          errstr_size);
    if (err == TW_OK)
        err = find_column(rel, ob->tracing_span_context_field, "tracing.span.context.field", cfg,
                          false, &b->tracing_col, errstr, errstr_size);
    b->type_col = -1;
    if (err == TW_OK && ob->payload_schema_dir)
        err = find_column(rel, ob->field_event_type, "table.field.event.type", cfg, true,
                          &b->type_col, errstr, errstr_size);
    for (i = 0; err == TW_OK && i < router->nplacements; i++)
        err = find_column(rel, router->placements[i].column, "table.fields.additional.placement",
                          cfg, ob->fields_additional_error_on_missing, &b->placement_col[i],
                          errstr, errstr_size);
    {
        const int roles[] = {b->id_col,  b->key_col,     b->payload_col, b->route_col,
                             b->ts_col,  b->version_col, b->tracing_col, b->type_col};
        static const char *const role_keys[] = {
            "table.field.event.id",        "table.field.event.key",
            "table.field.event.payload",   "route.by.field",
            "table.field.event.timestamp", "table.field.event.schema.version",
            "tracing.span.context.field",  "table.field.event.type"};
        for (i = 0; err == TW_OK && i < sizeof(roles) / sizeof(roles[0]); i++)
            err = unknown_column(router, rel, b, roles[i], role_keys[i], false, not_null,
                                 errstr, errstr_size);
        for (i = 0; err == TW_OK && i < router->nplacements; i++)
            err = unknown_column(router, rel, b, b->placement_col[i],
                                 "table.fields.additional.placement", true, not_null, errstr,
                                 errstr_size);
    }
    if (err == TW_OK && b->ts_col >= 0) {
        uint32_t t = rel->cols[b->ts_col].value_oid;
        if (t != TW_OID_TIMESTAMP && t != TW_OID_TIMESTAMPTZ && t != TW_OID_INT8)
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "transforms.%s.table.field.event.timestamp: column \"%s\" of %s.%s "
                          "must be timestamp, timestamptz or bigint (milliseconds)",
                          cfg->name, ob->field_event_timestamp, rel->nspname, rel->relname);
    }
    if (err) {
        tw_outbox_binding_destroy(b);
        return err;
    }
    /* Debezium names the envelope "<after schema namespace>.<routed>.Value". */
    tw_buf_printf(&name, "%s.%s.%s.", router->topic_prefix, rel->nspname, rel->relname);
    b->value_name_prefix = name.data;
    *out = b;
    return TW_OK;
}

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

/* Copies len bytes into the arena as a NUL-terminated string. */
static char *arena_strndup(tw_arena_t *arena, const char *s, size_t len)
{
    char *p = tw_arena_alloc(arena, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Header values are strings as Kafka Connect's SimpleHeaderConverter
 * writes them: decimals in plain notation, bytes in base64, doubles as Java
 * prints them, structs (VariableScaleDecimal) as JSON objects with base64
 * bytes. */
static tw_err_t header_text(tw_outbox_router_t *router, const tw_datum_t *datum,
                            const tw_cs_t *schema, char *errstr, size_t errstr_size)
{
    const uint8_t *p;
    size_t len, i;
    double d;
    int64_t i64;
    tw_err_t err;

    if (schema->type == TW_CS_BYTES && schema->name &&
        strcmp(schema->name, "org.apache.kafka.connect.data.Decimal") == 0 && datum->pg &&
        datum->pg->kind == TW_VALUE_NUMERIC && datum->pg->special == TW_VALUE_FINITE) {
        tw_buf_append(&router->text, datum->pg->u.str.ptr, datum->pg->u.str.len);
        return TW_OK;
    }
    switch (schema->type) {
    case TW_CS_BYTES:
        err = tw_datum_bytes(datum, schema, &router->scratch, &p, &len, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append_base64(&router->text, p, len);
        return err;
    case TW_CS_FLOAT32:
    case TW_CS_FLOAT64:
        err = tw_datum_double(datum, schema, &d, errstr, errstr_size);
        if (err == TW_OK)
            tw_converter_append_java_double(&router->text, d, schema->type == TW_CS_FLOAT32);
        return err;
    case TW_CS_STRUCT:
        if (!schema->name || strcmp(schema->name, "io.debezium.data.VariableScaleDecimal") != 0)
            break;
        tw_buf_append_char(&router->text, '{');
        for (i = 0; i < schema->nfields; i++) {
            tw_value_t synthetic;
            tw_datum_t field = tw_datum_field(datum, schema, i, &synthetic);
            tw_buf_printf(&router->text, "%s\"%s\":", i ? "," : "", schema->fields[i].name);
            if (schema->fields[i].schema->type == TW_CS_BYTES) {
                err = tw_datum_bytes(&field, schema->fields[i].schema, &router->scratch, &p,
                                     &len, errstr, errstr_size);
                if (err)
                    return err;
                tw_buf_append_char(&router->text, '"');
                tw_buf_append_base64(&router->text, p, len);
                tw_buf_append_char(&router->text, '"');
            } else {
                err = tw_datum_int64(&field, schema->fields[i].schema, &i64, errstr,
                                     errstr_size);
                if (err)
                    return err;
                tw_buf_printf(&router->text, "%lld", (long long)i64);
            }
        }
        tw_buf_append_char(&router->text, '}');
        return TW_OK;
    default: break;
    }
    return tw_datum_header_string(datum, schema, &router->text, &router->scratch, errstr,
                                  errstr_size);
}

static tw_err_t header_value(tw_outbox_router_t *router, const tw_datum_t *datum,
                             const tw_cs_t *schema, tw_arena_t *arena, tw_kafka_header_t *h,
                             char *errstr, size_t errstr_size)
{
    tw_datum_t def = {NULL, schema->default_value, NULL};
    tw_err_t err;

    /* A null column with a DEFAULT reads as the default, as Connect's
     * Struct.get gives it to Debezium's router. */
    if (schema->default_value && tw_datum_null_for(datum, schema))
        datum = &def;
    if (tw_datum_null_for(datum, schema)) {
        h->value = NULL;
        h->len = 0;
        return TW_OK;
    }
    tw_buf_reset(&router->text);
    err = header_text(router, datum, schema, errstr, errstr_size);
    if (err == TW_OK) {
        h->value = arena_strndup(arena, router->text.data ? router->text.data : "",
                                 router->text.len);
        h->len = router->text.len;
    }
    return err;
}

/* Adds headers from an OpenTelemetry span-context column, which holds
 * java.util.Properties text such as "traceparent=00-...". */
static size_t tracing_headers(const tw_value_t *v, tw_arena_t *arena, tw_kafka_header_t *h,
                              size_t room)
{
    const char *p, *end;
    size_t n = 0;

    if (v->kind != TW_VALUE_TEXT)
        return 0;
    p = v->u.str.ptr;
    end = p + v->u.str.len;
    while (p < end && n < room) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        const char *eq = memchr(p, '=', (size_t)(line_end - p));
        if (eq && p[0] != '#' && (strncmp(p, "traceparent", 11) == 0 ||
                                  strncmp(p, "tracestate", 10) == 0)) {
            const char *vend = line_end;
            while (vend > eq + 1 && isspace((unsigned char)vend[-1]))
                vend--;
            h[n].name = arena_strndup(arena, p, (size_t)(eq - p));
            h[n].value = arena_strndup(arena, eq + 1, (size_t)(vend - eq - 1));
            h[n].len = (size_t)(vend - eq - 1);
            n++;
        }
        p = eol ? eol + 1 : end;
    }
    return n;
}

static tw_value_t *column_value(const tw_change_t *change, int col, tw_arena_t *arena,
                                tw_err_t *err, char *errstr, size_t errstr_size)
{
    tw_value_t *v = tw_arena_alloc(arena, sizeof(*v));

    *err = tw_change_column_value(change->rel, change->new_tuple, (uint16_t)col, arena, v,
                                  errstr, errstr_size);
    return v;
}

static unsigned string_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The routed topic for a route-column value: RegexRouter leaves the value
 * unchanged when the regex does not match. Cached per value, with whether
 * Kafka can take the name (*valid), so neither runs per record. */
static const char *route_topic(tw_outbox_router_t *router, const char *routed, bool *valid)
{
    size_t i = string_hash(routed) & (TOPIC_CACHE_SIZE - 1);
    tw_buf_t topic = TW_BUF_INIT;
    char why[200];

    for (; router->topics[i].routed; i = (i + 1) & (TOPIC_CACHE_SIZE - 1))
        if (strcmp(router->topics[i].routed, routed) == 0) {
            *valid = router->topics[i].valid;
            return router->topics[i].topic;
        }
    if (!tw_jregex_replace(router->route_regex, routed, router->ob->route_topic_replacement,
                           &topic))
        tw_buf_append_str(&topic, routed);
    if (topic.data == NULL)
        tw_buf_append_str(&topic, "");
    /* Keep the table at most half full; past that, evict everything (a
     * route column with thousands of values is unusual). */
    if (router->ntopics >= TOPIC_CACHE_SIZE / 2) {
        for (size_t k = 0; k < TOPIC_CACHE_SIZE; k++) {
            free(router->topics[k].routed);
            free(router->topics[k].topic);
            router->topics[k].routed = router->topics[k].topic = NULL;
        }
        router->ntopics = 0;
        i = string_hash(routed) & (TOPIC_CACHE_SIZE - 1);
    }
    router->topics[i].routed = tw_strdup(routed);
    router->topics[i].topic = topic.data;
    router->topics[i].valid = *valid = tw_kafka_topic_check(topic.data, why, sizeof(why));
    router->ntopics++;
    return topic.data;
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

static void reset_call(tw_outbox_router_t *router)
{
    tw_cs_unref(router->expanded_schema);
    router->expanded_schema = NULL;
    json_decref(router->expanded_json);
    router->expanded_json = NULL;
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

    type = column_value(change, b->type_col, arena, &err, errstr, errstr_size);
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
    record->event_type = arena_strndup(arena, router->text.data ? router->text.data : "",
                                       router->text.len);
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
        var = column_value((rc)->change, col, (rc)->arena, &err, errstr, errstr_size);         \
        if (err)                                                                               \
            return err;                                                                        \
    } while (0)

/* The id header (the event id for messages) and the topic from the route
 * column. */
static tw_err_t route_topic_of(route_call_t *rc, char *errstr, size_t errstr_size)
{
    tw_outbox_router_t *router = rc->router;
    const tw_outbox_config_t *ob = router->ob;
    tw_outbox_binding_t *b = rc->b;
    tw_value_t *id, *route;
    tw_err_t err;
    bool valid;

    COLUMN(rc, id, b->id_col);
    {
        tw_kafka_header_t h = {"id", NULL, 0};
        tw_datum_t d = {id, NULL, NULL};
        err = header_value(router, &d, b->col_schema[b->id_col], rc->arena, &h, errstr,
                           errstr_size);
        if (err)
            return err;
        rc->event_id = h.value ? (const char *)h.value : "(null id)";
        router->headers[rc->nheaders++] = h;
    }
    COLUMN(rc, route, b->route_col);
    if (route->kind == TW_VALUE_NULL)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "event %s: route column \"%s\" is null, so there is no topic to route to",
                       rc->event_id, ob->route_by_field);
    {
        tw_datum_t d = {route, NULL, NULL};
        tw_cs_t *s = b->col_schema[b->route_col];
        tw_buf_reset(&router->text);
        err = tw_datum_header_string(&d, s, &router->text, &router->scratch, errstr,
                                     errstr_size);
        if (err)
            return err;
        rc->routed = arena_strndup(rc->arena, router->text.data ? router->text.data : "",
                                   router->text.len);
    }
    rc->record->topic = route_topic(router, rc->routed, &valid);
    if (!valid) {
        /* The route column is application data: a name Kafka refuses is
         * this record's error, not a reason to stop or crash. */
        char why[200];
        if (!tw_kafka_topic_check(rc->record->topic, why, sizeof(why)))
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "event %s: route column \"%s\" gives a topic Kafka cannot take: %s",
                           rc->event_id, ob->route_by_field, why);
    }
    rc->record->partition = TW_KAFKA_PARTITION_ANY;
    return TW_OK;
}

/* The key, and the timestamp: the commit's, or the timestamp column's. */
static tw_err_t route_key_and_time(route_call_t *rc, const tw_txn_t *txn, char *errstr,
                                   size_t errstr_size)
{
    tw_outbox_binding_t *b = rc->b;
    tw_record_t *record = rc->record;
    tw_value_t *key, *v;
    tw_err_t err;

    COLUMN(rc, key, b->key_col);
    record->key_schema = b->col_schema[b->key_col];
    record->key.pg = key;
    /* A NULL key keeps its schema: the converter decides whether that is no
     * key (Avro, strings) or {"schema":...,"payload":null} (JsonConverter
     * with schemas), as in Kafka Connect. */

    record->timestamp_ms = txn ? txn->commit_ts / 1000 : 0;
    if (b->ts_col >= 0) {
        COLUMN(rc, v, b->ts_col);
        /* Milliseconds since 1970 (counted from PostgreSQL's microseconds
         * since 2000) hold every finite timestamp. */
        if ((v->kind == TW_VALUE_TIMESTAMP || v->kind == TW_VALUE_TIMESTAMPTZ) && !v->special)
            record->timestamp_ms = v->u.i / 1000 - (v->u.i % 1000 < 0 ? 1 : 0) +
                                   TW_PG_EPOCH_OFFSET_US / 1000;
        else if (v->kind == TW_VALUE_INT)
            record->timestamp_ms = v->u.i;
    }
    return TW_OK;
}

/* Extra columns, in configuration order: headers, envelope fields, the
 * partition; then the tracing headers. */
static tw_err_t route_placements(route_call_t *rc, char *errstr, size_t errstr_size)
{
    tw_outbox_router_t *router = rc->router;
    tw_outbox_binding_t *b = rc->b;
    tw_value_t *v;
    tw_err_t err;
    size_t i;

    rc->datums = tw_arena_alloc(rc->arena, (router->nplacements + 1) * sizeof(tw_datum_t));
    rc->nfields = 1;
    for (i = 0; i < router->nplacements; i++) {
        const placement_t *pl = &router->placements[i];
        int col = b->placement_col[i];
        tw_datum_t d = {NULL, NULL, NULL};
        if (col < 0)
            continue;
        COLUMN(rc, v, col);
        if (b->as_bytes && b->as_bytes[col]) {
            tw_value_t *raw = v;
            v = tw_arena_alloc(rc->arena, sizeof(*v));
            err = tw_unknown_type_bytes(raw, rc->arena, v, errstr, errstr_size);
            if (err)
                return err;
        }
        d.pg = v;
        if (pl->kind == PLACE_HEADER && rc->nheaders < MAX_HEADERS) {
            tw_kafka_header_t h = {pl->alias, NULL, 0};
            err = header_value(router, &d, b->col_schema[col], rc->arena, &h, errstr,
                               errstr_size);
            if (err)
                return err;
            router->headers[rc->nheaders++] = h;
        } else if (pl->kind == PLACE_ENVELOPE) {
            rc->datums[rc->nfields++] = d;
        } else if (pl->kind == PLACE_PARTITION) {
            /* NULL sets no partition: the producer partitions by key, as
             * Kafka Connect does for a record whose partition is null. */
            if (v->kind == TW_VALUE_NULL)
                continue;
            if (v->kind != TW_VALUE_INT)
                return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                               "event %s: partition column \"%s\" must be an integer",
                               rc->event_id, pl->column);
            rc->record->partition = (int32_t)v->u.i;
        }
    }
    if (b->tracing_col >= 0) {
        COLUMN(rc, v, b->tracing_col);
        rc->nheaders += tracing_headers(v, rc->arena, router->headers + rc->nheaders,
                                        MAX_HEADERS - rc->nheaders);
    }
    rc->record->headers = router->headers;
    rc->record->nheaders = rc->nheaders;
    return TW_OK;
}

/* The value: a tombstone, a declared payload, the payload column (expanded
 * from JSON if asked), wrapped in the envelope when fields join it. */
static tw_err_t route_value(route_call_t *rc, char *errstr, size_t errstr_size)
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

#undef COLUMN

tw_err_t tw_outbox_route(tw_outbox_router_t *router, tw_outbox_binding_t *b, const tw_txn_t *txn,
                         const tw_change_t *change, tw_arena_t *arena, tw_record_t *record,
                         const char **event_id, tw_outbox_result_t *result, char *errstr,
                         size_t errstr_size)
{
    route_call_t rc;
    tw_err_t err;

    reset_call(router);
    memset(record, 0, sizeof(*record));
    *event_id = "";
    if (change->op == TW_CHANGE_DELETE || change->op == TW_CHANGE_TRUNCATE) {
        *result = TW_OUTBOX_IGNORE;
        return TW_OK;
    }
    if (change->op == TW_CHANGE_UPDATE) {
        *result = TW_OUTBOX_INVALID_OP;
        return TW_OK;
    }
    *result = TW_OUTBOX_EMIT;
    memset(&rc, 0, sizeof(rc));
    rc.router = router;
    rc.b = b;
    rc.change = change;
    rc.arena = arena;
    rc.record = record;
    rc.event_id = "";
    err = route_topic_of(&rc, errstr, errstr_size);
    if (err == TW_OK)
        err = route_key_and_time(&rc, txn, errstr, errstr_size);
    if (err == TW_OK)
        err = route_placements(&rc, errstr, errstr_size);
    if (err == TW_OK)
        err = route_value(&rc, errstr, errstr_size);
    *event_id = rc.event_id;
    return err;
}

bool tw_outbox_router_takes_message(const tw_outbox_router_t *router, const char *prefix)
{
    return router->ob->message_prefix && strcmp(router->ob->message_prefix, prefix) == 0;
}

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

tw_err_t tw_outbox_route_message(tw_outbox_router_t *router, const tw_txn_t *txn,
                                 const tw_change_t *change, tw_arena_t *arena,
                                 tw_record_t *record, const char **event_id, char *errstr,
                                 size_t errstr_size)
{
    const tw_outbox_config_t *ob = router->ob;
    size_t cap = 8 + router->nplacements, n = 0, i;
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
    add_name(names, &n, ob->field_event_id);
    add_name(names, &n, ob->field_event_key);
    add_name(names, &n, ob->field_event_payload);
    add_name(names, &n, ob->route_by_field);
    add_name(names, &n, ob->field_event_type);
    add_name(names, &n, ob->field_event_timestamp);
    add_name(names, &n, ob->field_event_schema_version);
    for (i = 0; i < router->nplacements; i++)
        add_name(names, &n, router->placements[i].column);
    attrs = tw_arena_alloc(arena, n * sizeof(*attrs));
    cols = tw_arena_alloc(arena, n * sizeof(*cols));
    not_null = tw_arena_alloc(arena, n * sizeof(bool));
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
            text = arena_strndup(arena, json_string_value(f), json_string_length(f));
        } else {
            char *dump = json_dumps(f, JSON_COMPACT | JSON_ENCODE_ANY);
            text = arena_strndup(arena, dump, strlen(dump));
            free(dump);
        }
        cols[i].data = text;
        cols[i].len = (uint32_t)strlen(text);
    }
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
    err = tw_outbox_bind(router, rel, not_null, &router->message_binding, errstr, errstr_size);
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
