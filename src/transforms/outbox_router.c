/*
 * outbox_router.c — the outbox router's set-up and its routing: parsing
 * the placements, binding the configured columns per relation, and per row
 * the id header, the topic (route regex, cached), the key and the
 * timestamp. Headers and other placements are in outbox_placements.c, the
 * value in outbox_value.c, message events in outbox_message.c, the small
 * helpers they all use in outbox_columns.c. Calls run one way:
 * outbox_message.c → outbox_router.c → outbox_placements.c and
 * outbox_value.c → outbox_columns.c, never back.
 */
#include "transforms/outbox_router_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avro_convert.h"
#include "codec/converter.h"
#include "codec/column_schema.h"
#include "codec/unknown_type.h"

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
    tw_column_rules_destroy(router->rules);
    free(router);
}

tw_err_t tw_outbox_router_set_column_rules(tw_outbox_router_t *router, const tw_config_t *cfg,
                                           char *errstr, size_t errstr_size)
{
    tw_column_rules_destroy(router->rules);
    router->rules = NULL;
    return tw_column_rules_new(cfg, &router->rules, errstr, errstr_size);
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
    free(binding->col_rule);
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

/* Every column the router reads, checked for types Debezium cannot map. */
static tw_err_t unknown_columns(const tw_outbox_router_t *router, const tw_rel_t *rel,
                                tw_outbox_binding_t *b, const bool *not_null, char *errstr,
                                size_t errstr_size)
{
    const int roles[] = {b->id_col, b->key_col,     b->payload_col, b->route_col,
                         b->ts_col, b->version_col, b->tracing_col, b->type_col};
    static const char *const role_keys[] = {
        "table.field.event.id",        "table.field.event.key",
        "table.field.event.payload",   "route.by.field",
        "table.field.event.timestamp", "table.field.event.schema.version",
        "tracing.span.context.field",  "table.field.event.type"};
    tw_err_t err = TW_OK;
    size_t i;

    for (i = 0; err == TW_OK && i < sizeof(roles) / sizeof(roles[0]); i++)
        err = unknown_column(router, rel, b, roles[i], role_keys[i], false, not_null, errstr,
                             errstr_size);
    for (i = 0; err == TW_OK && i < router->nplacements; i++)
        err = unknown_column(router, rel, b, b->placement_col[i],
                             "table.fields.additional.placement", true, not_null, errstr,
                             errstr_size);
    return err;
}

/* Column filters and mappers, as Debezium applies them to the row before
 * its EventRouter reads it: a column they leave out is missing to the
 * router (its task fails on a missing event field, so that is refused
 * here, before any row; a missing placement follows
 * table.fields.additional.error.on.missing), and a mapped column is read
 * masked, hashed or truncated, its schema carrying the mapper's
 * parameters. */
static tw_err_t column_rules(const tw_outbox_router_t *router, const tw_rel_t *rel,
                             const tw_column_rules_t *rules, tw_outbox_binding_t *b,
                             char *errstr, size_t errstr_size)
{
    const int roles[] = {b->id_col, b->key_col, b->payload_col, b->route_col,
                         b->ts_col, b->version_col, b->type_col};
    static const char *const role_keys[] = {
        "table.field.event.id",        "table.field.event.key",
        "table.field.event.payload",   "route.by.field",
        "table.field.event.timestamp", "table.field.event.schema.version",
        "table.field.event.type"};
    const tw_column_rule_t *rule;
    size_t i;

    for (i = 0; i < TW_ARRAY_SIZE(roles); i++)
        if (roles[i] >= 0 &&
            !tw_column_rules_keep(rules, rel->nspname, rel->relname, rel->cols[roles[i]].name))
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "transforms.%s.%s: column \"%s\" of %s.%s is left out by "
                           "column.include.list/column.exclude.list, which apply before the "
                           "outbox router (Debezium's task fails on the missing field); keep "
                           "the column in change events or name another one",
                           router->cfg->name, role_keys[i], rel->cols[roles[i]].name,
                           rel->nspname, rel->relname);
    /* The tracing column is optional: left out, there is none. */
    if (b->tracing_col >= 0 && !tw_column_rules_keep(rules, rel->nspname, rel->relname,
                                                     rel->cols[b->tracing_col].name))
        b->tracing_col = -1;
    for (i = 0; i < router->nplacements; i++) {
        int col = b->placement_col[i];
        if (col < 0 || tw_column_rules_keep(rules, rel->nspname, rel->relname, rel->cols[col].name))
            continue;
        if (router->ob->fields_additional_error_on_missing)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "transforms.%s.table.fields.additional.placement: column \"%s\" of "
                           "%s.%s is left out by column.include.list/column.exclude.list, which "
                           "apply before the outbox router, so it is missing; keep the column, "
                           "or set table.fields.additional.error.on.missing=false to place "
                           "nothing",
                           router->cfg->name, rel->cols[col].name, rel->nspname, rel->relname);
        b->placement_col[i] = -1;
    }
    for (i = 0; i < rel->ncols; i++) {
        rule = tw_column_rules_find(rules, rel->nspname, rel->relname, rel->cols[i].name);
        if (rule == NULL)
            continue;
        if (b->col_rule == NULL)
            b->col_rule = tw_calloc(rel->ncols, sizeof(*b->col_rule));
        b->col_rule[i] = rule;
        tw_column_rule_shape(rule, &rel->cols[i], rel->cols[i].type_name, b->col_schema[i]);
    }
    return TW_OK;
}

tw_err_t tw_outbox_bind(tw_outbox_router_t *router, const tw_rel_t *rel, const bool *not_null,
                        tw_outbox_binding_t **out, char *errstr, size_t errstr_size)
{
    return tw_outbox_bind_rules(router, rel, not_null, router->rules, out, errstr, errstr_size);
}

tw_err_t tw_outbox_bind_rules(tw_outbox_router_t *router, const tw_rel_t *rel,
                              const bool *not_null, const tw_column_rules_t *rules,
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
    if (err == TW_OK)
        err = unknown_columns(router, rel, b, not_null, errstr, errstr_size);
    if (err == TW_OK && rules)
        err = column_rules(router, rel, rules, b, errstr, errstr_size);
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

static void reset_call(tw_outbox_router_t *router)
{
    tw_cs_unref(router->expanded_schema);
    router->expanded_schema = NULL;
    json_decref(router->expanded_json);
    router->expanded_json = NULL;
}

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
        err = tw_outbox_header_value(router, &d, b->col_schema[b->id_col], rc->arena, &h, errstr,
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
        rc->routed = tw_outbox_strndup(rc->arena, router->text.data ? router->text.data : "",
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
        err = tw_outbox_route_placements(&rc, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_outbox_route_value(&rc, errstr, errstr_size);
    *event_id = rc.event_id;
    return err;
}

bool tw_outbox_router_takes_message(const tw_outbox_router_t *router, const char *prefix)
{
    return router->ob->message_prefix && strcmp(router->ob->message_prefix, prefix) == 0;
}
