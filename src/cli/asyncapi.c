/*
 * asyncapi.c — the AsyncAPI 3.0.0 document of what a connector sends: per
 * outbox transform with declared payload schemas, one channel (the routed
 * topics), one send operation, and one message per event record.
 *
 * Event records are told from the records they use: a record that another
 * record refers to (a field type, an array item, a union branch) is part of
 * that record's schema and never sent on its own; every other record is an
 * event record. payload.schema.mapping can name any record as an event's,
 * used elsewhere or not.
 */
#include "cli/asyncapi.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec/avsc_catalog.h"
#include "util/buf.h"
#include "transforms/contract.h"
#include "codec/converter.h"
#include "transforms/outbox_router.h"
#include "config/props.h"
#include "codec/registry.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0.0"
#endif

/* As AsyncAPI 3.0.0 names Avro schemas written as JSON (Multi Format
 * Schema Object, schemaFormat). */
#define AVRO_SCHEMA_FORMAT "application/vnd.apache.avro+json;version=1.9.0"
/* The Avro specification's media type for binary-encoded data. */
#define AVRO_CONTENT_TYPE "avro/binary"
#define KAFKA_BINDING_VERSION "0.5.0"
#define DEFAULT_ROUTE_REGEX "(?<routedByValue>.*)"

/* The event type that selects record by its own name: the short name when
 * it finds this record, else the full name. */
static const char *record_event_type(const tw_avsc_catalog_t *cat, const tw_avsc_schema_t *record)
{
    const char *dot = strrchr(record->fullname, '.');
    const char *shortname = dot ? dot + 1 : record->fullname;

    return tw_avsc_catalog_find(cat, shortname) == record ? shortname : record->fullname;
}

/* An identifier AsyncAPI accepts as a key ([A-Za-z0-9_-], plus '.' when
 * dots are allowed), made unique among the keys of obj. */
static char *component_key(const char *name, bool dots, json_t *obj)
{
    tw_buf_t key = TW_BUF_INIT;
    size_t base_len, suffix = 2;
    const char *p;

    for (p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || (dots && c == '.');
        tw_buf_append_char(&key, ok ? c : '_');
    }
    if (key.len == 0)
        tw_buf_append_char(&key, '_');
    base_len = key.len;
    while (json_object_get(obj, key.data)) {
        key.len = base_len;
        key.data[key.len] = '\0';
        tw_buf_printf(&key, "_%zu", suffix++);
    }
    return key.data;
}

/* {"$ref": "#/<printf>"} */
static json_t *json_ref(const char *fmt, ...) TW_PRINTF(1, 2);
static json_t *json_ref(const char *fmt, ...)
{
    char pointer[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(pointer, sizeof(pointer), fmt, ap);
    va_end(ap);
    return json_pack("{s:s}", "$ref", pointer);
}

/*
 * Turns route.topic.replacement into a channel address: ${name} and $N
 * (Matcher.replaceFirst's group references) become the address expressions
 * {name} and {groupN}; \c is a literal c. Each expression gets a Parameter
 * Object in params.
 */
static void route_address(const tw_transform_config_t *transform, tw_buf_t *address, json_t *params)
{
    const tw_outbox_config_t *ob = &transform->outbox;
    const char *p = ob->route_topic_replacement;
    bool default_regex = strcmp(ob->route_topic_regex, DEFAULT_ROUTE_REGEX) == 0;

    while (*p) {
        tw_buf_t name = TW_BUF_INIT, desc = TW_BUF_INIT;
        bool numbered = false;

        if (p[0] == '\\' && p[1]) {
            tw_buf_append_char(address, p[1]);
            p += 2;
            continue;
        }
        if (p[0] == '$' && p[1] == '{' && strchr(p + 2, '}')) {
            const char *end = strchr(p + 2, '}');
            tw_buf_append(&name, p + 2, (size_t)(end - p - 2));
            p = end + 1;
        } else if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
            tw_buf_append_str(&name, "group");
            for (p++; *p >= '0' && *p <= '9'; p++)
                tw_buf_append_char(&name, *p);
            numbered = true;
        } else {
            tw_buf_append_char(address, *p++);
            continue;
        }
        tw_buf_printf(address, "{%s}", name.data);
        if (default_regex && strcmp(name.data, "routedByValue") == 0) {
            tw_buf_printf(&desc,
                          "The value of the outbox column `%s` (transforms.%s.route.by.field) "
                          "of each event, as it is: the default route.topic.regex `%s` "
                          "captures all of it.",
                          ob->route_by_field, transform->name, DEFAULT_ROUTE_REGEX);
        } else {
            if (numbered)
                tw_buf_printf(&desc, "Capture group %s", name.data + strlen("group"));
            else
                tw_buf_printf(&desc, "Capture group `%s`", name.data);
            tw_buf_printf(&desc,
                          " of transforms.%s.route.topic.regex `%s`, which must match the whole "
                          "value of the outbox column `%s` (transforms.%s.route.by.field); the "
                          "topic is transforms.%s.route.topic.replacement `%s` with the groups "
                          "filled in. A value the regex does not match is itself the topic "
                          "name.",
                          transform->name, ob->route_topic_regex, ob->route_by_field,
                          transform->name, transform->name, ob->route_topic_replacement);
        }
        if (json_object_get(params, name.data) == NULL)
            json_object_set_new(params, name.data, json_pack("{s:s}", "description", desc.data));
        tw_buf_free(&name);
        tw_buf_free(&desc);
    }
    if (address->data == NULL)
        tw_buf_append_str(address, "");
}

/* One event record of a transform and the event types that select it. */
typedef struct event_message {
    const tw_avsc_schema_t *record;
    tw_buf_t types; /* "A", "B" */
    const char *first_type;
} event_message_t;

typedef struct event_list {
    event_message_t *items;
    size_t n;
} event_list_t;

static event_message_t *event_for(event_list_t *list, const tw_avsc_schema_t *record,
                                  const char *type)
{
    size_t i;
    event_message_t *m;

    for (i = 0; i < list->n; i++) {
        if (list->items[i].record == record) {
            tw_buf_printf(&list->items[i].types, ", `%s`", type);
            return &list->items[i];
        }
    }
    list->items = tw_realloc(list->items, (list->n + 1) * sizeof(*list->items));
    m = &list->items[list->n++];
    memset(m, 0, sizeof(*m));
    m->record = record;
    m->first_type = type;
    tw_buf_printf(&m->types, "`%s`", type);
    return m;
}

static void event_list_free(event_list_t *list)
{
    for (size_t i = 0; i < list->n; i++)
        tw_buf_free(&list->items[i].types);
    free(list->items);
}

/* The mapped records first (in mapping order), then every other event
 * record, selected by its own name. Event types point into the contract or
 * its catalogue. */
static tw_err_t transform_events(const tw_transform_config_t *transform,
                                 const tw_contract_t *contract, event_list_t *list, char *errstr,
                                 size_t errstr_size)
{
    const tw_avsc_catalog_t *cat = tw_contract_catalog(contract);
    size_t i, n = tw_avsc_catalog_record_count(cat);

    for (i = 0; i < tw_contract_mapping_count(contract); i++) {
        const tw_avsc_schema_t *record;
        const char *type = tw_contract_mapping_at(contract, i, &record);
        event_for(list, record, type);
    }
    for (i = 0; i < n; i++) {
        const tw_avsc_schema_t *record = tw_avsc_catalog_record_at(cat, i);
        bool listed = false;
        size_t j;

        for (j = 0; j < list->n; j++)
            listed = listed || list->items[j].record == record;
        if (!listed && tw_contract_is_event_record(contract, record))
            event_for(list, record, record_event_type(cat, record));
    }
    if (list->n == 0)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "transforms.%s.payload.schema.dir %s: no event records", transform->name,
                       transform->outbox.payload_schema_dir);
    return TW_OK;
}

static const char *strategy_class(int strategy)
{
    switch (strategy) {
    case TW_SUBJECT_RECORD_NAME: return "io.confluent.kafka.serializers.subject.RecordNameStrategy";
    case TW_SUBJECT_TOPIC_RECORD_NAME:
        return "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy";
    default: return "io.confluent.kafka.serializers.subject.TopicNameStrategy";
    }
}

static const char *converter_name(int kind)
{
    switch (kind) {
    case TW_CONVERTER_AVRO: return "AvroConverter";
    case TW_CONVERTER_JSON: return "JsonConverter";
    case TW_CONVERTER_BYTES: return "ByteArrayConverter";
    case TW_CONVERTER_BINARY_DATA: return "BinaryDataConverter";
    default: return "StringConverter";
    }
}

/* The headers schema: `id`, the columns placed as headers, trace context. */
static json_t *message_headers(const tw_transform_config_t *transform)
{
    const tw_outbox_config_t *ob = &transform->outbox;
    json_t *props = json_object();
    char **items = NULL;
    size_t n = 0, i;
    tw_buf_t desc = TW_BUF_INIT;

    tw_buf_printf(&desc,
                  "The event id: the value of the outbox column `%s` "
                  "(transforms.%s.table.field.event.id) as text. Consumers use it to drop "
                  "duplicates.",
                  ob->field_event_id, transform->name);
    json_object_set_new(props, "id",
                        json_pack("{s:s, s:s}", "type", "string", "description", desc.data));
    if (ob->fields_additional_placement)
        n = tw_config_split_list(ob->fields_additional_placement, &items);
    for (i = 0; i < n; i++) {
        char *parts[3] = {items[i], NULL, NULL};
        char *colon = strchr(items[i], ':');
        const char *alias;

        if (colon == NULL)
            continue;
        *colon = '\0';
        parts[1] = colon + 1;
        colon = strchr(parts[1], ':');
        if (colon) {
            *colon = '\0';
            parts[2] = colon + 1;
        }
        if (strcasecmp(parts[1], "header") != 0)
            continue;
        alias = parts[2] && parts[2][0] ? parts[2] : parts[0];
        tw_buf_reset(&desc);
        tw_buf_printf(&desc,
                      "The outbox column `%s` as text (transforms.%s."
                      "table.fields.additional.placement); absent value when the column is "
                      "NULL.",
                      parts[0], transform->name);
        json_object_set_new(props, alias,
                            json_pack("{s:s, s:s}", "type", "string", "description", desc.data));
    }
    tw_config_free_list(items, n);
    tw_buf_reset(&desc);
    tw_buf_printf(&desc,
                  "W3C trace context, copied from the outbox column `%s` "
                  "(transforms.%s.tracing.span.context.field) when the table has it and the row "
                  "holds one.",
                  ob->tracing_span_context_field, transform->name);
    json_object_set_new(props, "traceparent",
                        json_pack("{s:s, s:s}", "type", "string", "description", desc.data));
    json_object_set_new(props, "tracestate",
                        json_pack("{s:s, s:s}", "type", "string", "description", desc.data));
    tw_buf_free(&desc);
    return json_pack("{s:s, s:o, s:[s]}", "type", "object", "properties", props, "required", "id");
}

/*
 * AsyncAPI's Avro schema definition (avroSchema_v1.json) wants the simple
 * name in "name" and the namespace in "namespace", while the self-contained
 * text writes full names. Avro gives both spellings one meaning (a dotted
 * name is a full name, and its namespace then encloses nested definitions),
 * so the definitions are rewritten in place; aliases in the same namespace
 * become simple names too. Only schema positions are walked, never default
 * values, which are data.
 */
static void split_avro_names(json_t *schema)
{
    const char *type, *name, *dot;
    json_t *fields, *field, *aliases, *alias;
    size_t i;

    if (json_is_array(schema)) {
        json_array_foreach(schema, i, field) split_avro_names(field);
        return;
    }
    if (!json_is_object(schema) || !json_is_string(json_object_get(schema, "type")))
        return;
    type = json_string_value(json_object_get(schema, "type"));
    if (strcmp(type, "array") == 0) {
        split_avro_names(json_object_get(schema, "items"));
        return;
    }
    if (strcmp(type, "map") == 0) {
        split_avro_names(json_object_get(schema, "values"));
        return;
    }
    if (strcmp(type, "record") != 0 && strcmp(type, "error") != 0 && strcmp(type, "enum") != 0 &&
        strcmp(type, "fixed") != 0)
        return;
    name = json_string_value(json_object_get(schema, "name"));
    dot = name ? strrchr(name, '.') : NULL;
    if (dot) {
        size_t ns_len = (size_t)(dot - name);
        char *space = tw_strdup(name);
        space[ns_len] = '\0';
        json_object_set_new(schema, "namespace", json_string(space));
        json_object_set_new(schema, "name", json_string(space + ns_len + 1));
        aliases = json_object_get(schema, "aliases");
        json_array_foreach(aliases, i, alias)
        {
            const char *text = json_string_value(alias);
            if (text && strncmp(text, space, ns_len) == 0 && text[ns_len] == '.' &&
                strchr(text + ns_len + 1, '.') == NULL)
                json_array_set_new(aliases, i, json_string(text + ns_len + 1));
        }
        free(space);
    }
    fields = json_object_get(schema, "fields");
    json_array_foreach(fields, i, field) split_avro_names(json_object_get(field, "type"));
}

static json_t *message_object(const tw_config_t *cfg, const tw_transform_config_t *transform,
                              const event_message_t *event, const char *address, char *errstr,
                              size_t errstr_size)
{
    const tw_outbox_config_t *ob = &transform->outbox;
    const tw_avsc_schema_t *record = event->record;
    const json_t *doc = json_object_get(record->json, "doc");
    json_t *schema, *message, *kafka;
    json_error_t jerr;
    tw_buf_t desc = TW_BUF_INIT, subject = TW_BUF_INIT, key_desc = TW_BUF_INIT;

    schema = json_loads(record->text, JSON_ALLOW_NUL, &jerr);
    if (schema == NULL) {
        tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "schema text of %s: %s", record->fullname,
                jerr.text);
        return NULL;
    }
    split_avro_names(schema);
    tw_subject_name(cfg->value_converter.value_subject_strategy, false, address, record->fullname,
                    &subject);
    if (json_is_string(doc))
        tw_buf_printf(&desc, "%s\n\n", json_string_value(doc));
    tw_buf_printf(&desc,
                  "Sent for each outbox row whose column `%s` (transforms.%s."
                  "table.field.event.type) is %s. The row's `%s` column "
                  "(transforms.%s.table.field.event.payload) is converted to the Avro record "
                  "`%s` declared in `%s` and written with Confluent's AvroConverter framing "
                  "(magic byte 0, the 4-byte schema id, Avro binary); the schema is registered "
                  "under subject `%s`.",
                  ob->field_event_type, transform->name, event->types.data, ob->field_event_payload,
                  transform->name, record->fullname, record->file, subject.data);
    if (ob->route_tombstone_on_empty_payload)
        tw_buf_append_str(&desc, " A NULL or empty payload is sent as a tombstone (no value).");

    tw_buf_printf(&key_desc,
                  "The record key: the outbox column `%s` (transforms.%s.table.field.event.key) "
                  "as a string, written by the key converter (%s%s). One aggregate's events "
                  "share a key, hence a partition, and stay in order.",
                  ob->field_event_key, transform->name, converter_name(cfg->key_converter.kind),
                  cfg->key_converter.kind == TW_CONVERTER_AVRO ? ", Avro \"string\"" : "");

    kafka = json_pack("{s:{s:s, s:s}}", "key", "type", "string", "description", key_desc.data);
    if (cfg->value_converter.kind == TW_CONVERTER_AVRO) {
        json_object_set_new(kafka, "schemaIdLocation", json_string("payload"));
        json_object_set_new(kafka, "schemaIdPayloadEncoding", json_string("confluent"));
        json_object_set_new(
            kafka, "schemaLookupStrategy",
            json_string(strategy_class(cfg->value_converter.value_subject_strategy)));
    }
    json_object_set_new(kafka, "bindingVersion", json_string(KAFKA_BINDING_VERSION));

    message = json_object();
    json_object_set_new(message, "name", json_string(event->first_type));
    json_object_set_new(message, "title", json_string(record->fullname));
    if (json_is_string(doc))
        json_object_set_new(message, "summary", json_copy((json_t *)doc));
    json_object_set_new(message, "description", json_string(desc.data));
    json_object_set_new(message, "contentType", json_string(AVRO_CONTENT_TYPE));
    json_object_set_new(message, "headers", message_headers(transform));
    json_object_set_new(
        message, "payload",
        json_pack("{s:s, s:o}", "schemaFormat", AVRO_SCHEMA_FORMAT, "schema", schema));
    json_object_set_new(message, "bindings", json_pack("{s:o}", "kafka", kafka));
    tw_buf_free(&desc);
    tw_buf_free(&subject);
    tw_buf_free(&key_desc);
    return message;
}

/* Adds the channel, the operation and the messages of one transform. */
static tw_err_t describe_transform(const tw_config_t *cfg, const tw_transform_config_t *transform,
                                   json_t *channels, json_t *operations, json_t *messages,
                                   size_t *n_messages, char *errstr, size_t errstr_size)
{
    const tw_outbox_config_t *ob = &transform->outbox;
    tw_outbox_router_t *router = NULL;
    tw_contract_t *contract = NULL;
    event_list_t events = {NULL, 0};
    char *channel_id = NULL;
    size_t i;
    tw_buf_t address = TW_BUF_INIT, text = TW_BUF_INIT, op_key = TW_BUF_INIT;
    json_t *channel = NULL, *operation, *params = json_object(), *channel_messages = json_object();
    json_t *operation_messages = json_array();
    tw_err_t err;

    /* The router's own checks: regex, replacement groups, placements. */
    err = tw_outbox_router_new(transform, cfg->topic_prefix, &router, errstr, errstr_size);
    if (err)
        goto cleanup;
    /* The connector's own loading of the directory and the mapping. */
    err = tw_contract_new(transform, &contract, errstr, errstr_size);
    if (err)
        goto cleanup;
    err = transform_events(transform, contract, &events, errstr, errstr_size);
    if (err)
        goto cleanup;

    route_address(transform, &address, params);
    channel_id = component_key(transform->name, false, channels);
    for (i = 0; i < events.n; i++) {
        char *key = component_key(events.items[i].first_type, true, messages);
        json_t *message =
            message_object(cfg, transform, &events.items[i], address.data, errstr, errstr_size);
        if (message == NULL) {
            free(key);
            err = TW_ERR_MALFORMED;
            goto cleanup;
        }
        json_object_set_new(messages, key, message);
        json_object_set_new(channel_messages, key, json_ref("#/components/messages/%s", key));
        json_array_append_new(operation_messages,
                              json_ref("#/channels/%s/messages/%s", channel_id, key));
        (*n_messages)++;
        free(key);
    }

    tw_buf_reset(&text);
    tw_buf_printf(&text,
                  "The topics transform `%s` (io.debezium.transforms.outbox.EventRouter) routes "
                  "outbox events to: route.topic.replacement `%s` applied to the value of the "
                  "column `%s` (route.by.field) through route.topic.regex `%s`.",
                  transform->name, ob->route_topic_replacement, ob->route_by_field,
                  ob->route_topic_regex);
    channel = json_object();
    json_object_set_new(channel, "address", json_string(address.data));
    json_object_set_new(channel, "title", json_string("Outbox events"));
    json_object_set_new(channel, "description", json_string(text.data));
    json_object_set_new(channel, "messages", channel_messages);
    channel_messages = NULL;
    if (json_object_size(params))
        json_object_set(channel, "parameters", params);
    json_object_set_new(channels, channel_id, channel);

    tw_buf_reset(&text);
    tw_buf_printf(&text,
                  "tidewater reads committed INSERTs of the outbox table from a PostgreSQL "
                  "logical replication slot and sends one Kafka record per event row, in "
                  "commit order, with the producer's acks=all and idempotence; the slot is "
                  "confirmed only past events Kafka acknowledged (at-least-once, or "
                  "exactly-once with exactly.once.support). UPDATEs of outbox rows follow "
                  "table.op.invalid.behavior; DELETEs are not sent. A payload that does not "
                  "fit its record is handled by errors.tolerance (%s).",
                  cfg->errors_tolerance == TW_ERRORS_TOLERANCE_ALL
                      ? "all: sent to the dead-letter topic when one is configured"
                      : "none: tidewater stops");
    tw_buf_printf(&op_key, "send-%s", channel_id); /* unique as channel ids are */
    operation = json_object();
    json_object_set_new(operation, "action", json_string("send"));
    json_object_set_new(operation, "channel", json_ref("#/channels/%s", channel_id));
    json_object_set_new(operation, "title", json_string("Relay outbox events to Kafka"));
    json_object_set_new(operation, "description", json_string(text.data));
    json_object_set_new(operation, "messages", operation_messages);
    operation_messages = NULL;
    json_object_set_new(operations, op_key.data, operation);

cleanup:
    json_decref(params);
    json_decref(channel_messages);
    json_decref(operation_messages);
    free(channel_id);
    tw_buf_free(&address);
    tw_buf_free(&text);
    tw_buf_free(&op_key);
    event_list_free(&events);
    tw_contract_destroy(contract);
    tw_outbox_router_destroy(router);
    return err;
}

static json_t *servers_object(const tw_config_t *cfg)
{
    char **brokers = NULL, **urls = NULL, shown_url[1024];
    size_t n_brokers, n_urls = 0;
    const char *protocol = tw_props_get(cfg->producer, "security.protocol");
    json_t *server, *kafka;
    tw_buf_t desc = TW_BUF_INIT;

    n_brokers = tw_config_split_list(cfg->bootstrap_servers, &brokers);
    if (n_brokers == 0) {
        tw_config_free_list(brokers, n_brokers);
        return NULL;
    }
    tw_buf_printf(&desc, "The Kafka cluster of bootstrap.servers (%s).", cfg->bootstrap_servers);
    server = json_pack(
        "{s:s, s:s, s:s}", "host", brokers[0], "protocol",
        protocol && (strcasecmp(protocol, "SSL") == 0 || strcasecmp(protocol, "SASL_SSL") == 0)
            ? "kafka-secure"
            : "kafka",
        "description", desc.data);
    kafka = json_object();
    if (cfg->value_converter.kind == TW_CONVERTER_AVRO && cfg->value_converter.registry_url) {
        n_urls = tw_config_split_list(cfg->value_converter.registry_url, &urls);
        if (n_urls) {
            tw_url_without_userinfo(urls[0], shown_url, sizeof(shown_url));
            json_object_set_new(kafka, "schemaRegistryUrl", json_string(shown_url));
            json_object_set_new(kafka, "schemaRegistryVendor", json_string("confluent"));
        }
    }
    json_object_set_new(kafka, "bindingVersion", json_string(KAFKA_BINDING_VERSION));
    json_object_set_new(server, "bindings", json_pack("{s:o}", "kafka", kafka));
    tw_config_free_list(brokers, n_brokers);
    tw_config_free_list(urls, n_urls);
    tw_buf_free(&desc);
    return json_pack("{s:o}", "kafka", server);
}

tw_err_t tw_asyncapi_build(const tw_config_t *cfg, const char *info_version, json_t **out,
                           size_t *n_channels, size_t *n_messages, char *errstr,
                           size_t errstr_size)
{
    json_t *doc = NULL, *channels = json_object(), *operations = json_object(),
           *messages = json_object(), *servers;
    tw_buf_t desc = TW_BUF_INIT;
    size_t i;
    tw_err_t err = TW_OK;

    *out = NULL;
    *n_channels = 0;
    *n_messages = 0;
    for (i = 0; i < cfg->ntransforms; i++) {
        const tw_transform_config_t *transform = &cfg->transforms[i];
        if (transform->kind != TW_TRANSFORM_OUTBOX || transform->outbox.payload_schema_dir == NULL)
            continue;
        err = describe_transform(cfg, transform, channels, operations, messages, n_messages,
                                 errstr, errstr_size);
        if (err)
            goto cleanup;
        (*n_channels)++;
    }
    if (*n_channels == 0)
        goto cleanup;

    tw_buf_printf(&desc,
                  "The events connector `%s` relays from PostgreSQL outbox tables to Kafka "
                  "with tidewater, as Debezium's Outbox Event Router would: one Kafka record "
                  "per committed outbox row, its payload declared by an Avro record "
                  "(contract-first schemas). Generated by `tidewater schemas asyncapi` "
                  "(tidewater %s).",
                  cfg->name, PACKAGE_VERSION);
    doc = json_object();
    json_object_set_new(doc, "asyncapi", json_string("3.0.0"));
    json_object_set_new(doc, "info",
                        json_pack("{s:s, s:s, s:s}", "title", cfg->name, "version", info_version,
                                  "description", desc.data));
    servers = cfg->bootstrap_servers ? servers_object(cfg) : NULL;
    if (servers)
        json_object_set_new(doc, "servers", servers);
    json_object_set_new(doc, "defaultContentType", json_string(AVRO_CONTENT_TYPE));
    json_object_set(doc, "channels", channels);
    json_object_set(doc, "operations", operations);
    json_object_set_new(doc, "components", json_pack("{s:O}", "messages", messages));
    *out = doc;

cleanup:
    tw_buf_free(&desc);
    json_decref(channels);
    json_decref(operations);
    json_decref(messages);
    return err;
}
