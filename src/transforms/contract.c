/*
 * contract.c — event type → declared record, payload → Avro, declared
 * schema → registry id.
 */
#include "transforms/contract.h"

#include <stdlib.h>
#include <string.h>

#include "codec/converter.h"
#include "codec/json_avro.h"
#include "util/log.h"

typedef struct mapping {
    char *event_type;
    const tw_avsc_schema_t *schema;
} mapping_t;

/* A schema's id under one subject. */
typedef struct memo {
    const tw_avsc_schema_t *schema;
    char *subject;
    int32_t id;
} memo_t;

struct tw_contract {
    const tw_outbox_config_t *ob;
    char *key_prefix; /* "transforms.<name>." for messages */
    tw_avsc_catalog_t *catalog;
    mapping_t *mappings;
    size_t nmappings;
    memo_t *memos;
    size_t nmemos, memos_cap;
    tw_buf_t subject;
};

static tw_err_t parse_mapping(tw_contract_t *c, char *errstr, size_t errstr_size)
{
    char **items = NULL;
    size_t n = tw_config_split_list(c->ob->payload_schema_mapping, &items), i;
    tw_err_t err = TW_OK;

    c->mappings = tw_calloc(n ? n : 1, sizeof(*c->mappings));
    for (i = 0; i < n && err == TW_OK; i++) {
        char *colon = strrchr(items[i], ':');
        const tw_avsc_schema_t *s;
        if (colon == NULL || colon == items[i] || colon[1] == '\0') {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%spayload.schema.mapping: \"%s\" is not eventType:record.Name",
                          c->key_prefix, items[i]);
            break;
        }
        *colon = '\0';
        s = tw_avsc_catalog_find(c->catalog, colon + 1);
        if (s == NULL || s->type != TW_AVSC_RECORD) {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%spayload.schema.mapping: event type \"%s\" maps to \"%s\", which is "
                          "not a record in %s",
                          c->key_prefix, items[i], colon + 1, c->ob->payload_schema_dir);
            break;
        }
        c->mappings[c->nmappings].event_type = tw_strdup(items[i]);
        c->mappings[c->nmappings++].schema = s;
    }
    tw_config_free_list(items, n);
    return err;
}

tw_err_t tw_contract_new(const tw_transform_config_t *transform, tw_contract_t **out, char *errstr,
                         size_t errstr_size)
{
    tw_contract_t *c = tw_calloc(1, sizeof(*c));
    char why[1024];
    tw_buf_t prefix = TW_BUF_INIT;
    tw_err_t err;

    *out = NULL;
    c->ob = &transform->outbox;
    tw_buf_printf(&prefix, "transforms.%s.", transform->name);
    c->key_prefix = prefix.data;
    err = tw_avsc_catalog_load(c->ob->payload_schema_dir, tw_json_avro_encode_default,
                               &c->catalog, why, sizeof(why));
    if (err)
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "%spayload.schema.dir: %s", c->key_prefix,
                      why);
    if (err == TW_OK && tw_avsc_catalog_record_count(c->catalog) == 0)
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "%spayload.schema.dir: %s declares no record; add the events' .avsc "
                      "files",
                      c->key_prefix, c->ob->payload_schema_dir);
    if (err == TW_OK)
        err = parse_mapping(c, errstr, errstr_size);
    if (err) {
        tw_contract_destroy(c);
        return err;
    }
    tw_log(TW_LOG_INFO, "SCHEMA", "%s: %zu declared event records from %s", transform->name,
           tw_avsc_catalog_record_count(c->catalog), c->ob->payload_schema_dir);
    *out = c;
    return TW_OK;
}

void tw_contract_destroy(tw_contract_t *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->nmappings; i++)
        free(c->mappings[i].event_type);
    free(c->mappings);
    for (i = 0; i < c->nmemos; i++)
        free(c->memos[i].subject);
    free(c->memos);
    tw_avsc_catalog_destroy(c->catalog);
    tw_buf_free(&c->subject);
    free(c->key_prefix);
    free(c);
}

const tw_avsc_catalog_t *tw_contract_catalog(const tw_contract_t *c)
{
    return c->catalog;
}

tw_err_t tw_contract_schema_for(tw_contract_t *c, const char *event_type,
                                const tw_avsc_schema_t **schema, char *errstr, size_t errstr_size)
{
    const tw_avsc_schema_t *s = NULL;
    size_t i;

    for (i = 0; i < c->nmappings && s == NULL; i++)
        if (strcmp(c->mappings[i].event_type, event_type) == 0)
            s = c->mappings[i].schema;
    if (s == NULL)
        s = tw_avsc_catalog_find(c->catalog, event_type);
    if (s == NULL || s->type != TW_AVSC_RECORD)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "event type \"%s\" has no declared record in %s (name a record after "
                       "it, or map it in %spayload.schema.mapping)",
                       event_type, c->ob->payload_schema_dir, c->key_prefix);
    *schema = s;
    return TW_OK;
}

tw_err_t tw_contract_encode(tw_contract_t *c, const tw_avsc_schema_t *schema, const char *json,
                            size_t len, tw_buf_t *out, char *errstr, size_t errstr_size)
{
    /* Payloads are application data: messages name the path and the
     * expected type, never the value (they reach logs and DLQ headers). */
    tw_json_avro_opts_t opts = {.unknown_fields = c->ob->payload_schema_unknown_fields == 1
                                                      ? TW_JSON_AVRO_UNKNOWN_FAIL
                                                      : TW_JSON_AVRO_UNKNOWN_IGNORE,
                                .hide_values = true};
    char why[1024];
    tw_err_t err = tw_json_avro_encode_text(schema, json, len, &opts, out, why, sizeof(why));

    if (err)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "payload does not match %s (%s): %s",
                       schema->fullname, schema->file, why);
    return TW_OK;
}

static void remember(tw_contract_t *c, const tw_avsc_schema_t *schema, int32_t id)
{
    if (c->nmemos == c->memos_cap) {
        c->memos_cap = c->memos_cap ? 2 * c->memos_cap : 16;
        c->memos = tw_realloc(c->memos, c->memos_cap * sizeof(*c->memos));
    }
    c->memos[c->nmemos].schema = schema;
    c->memos[c->nmemos].subject = tw_strdup(c->subject.data);
    c->memos[c->nmemos++].id = id;
}

/* A new subject gets the configured compatibility level before its first
 * version, so the rule holds from the start. */
static tw_err_t prepare_subject(tw_contract_t *c, tw_registry_t *reg, char *errstr,
                                size_t errstr_size)
{
    bool exists;
    tw_err_t err;

    if (c->ob->payload_schema_compatibility_level == NULL)
        return TW_OK;
    err = tw_registry_subject_exists(reg, c->subject.data, &exists, errstr, errstr_size);
    if (err == TW_OK && !exists)
        err = tw_registry_set_compatibility(
            reg, c->subject.data, c->ob->payload_schema_compatibility_level, errstr, errstr_size);
    return err;
}

static tw_err_t resolve_id(tw_contract_t *c, tw_registry_t *reg, const tw_converter_config_t *conv,
                           const tw_avsc_schema_t *schema, int32_t *id, char *errstr,
                           size_t errstr_size)
{
    int32_t latest;
    tw_err_t err;

    if (conv->auto_register) {
        err = prepare_subject(c, reg, errstr, errstr_size);
        if (err == TW_OK)
            err = tw_registry_register(reg, c->subject.data, schema->text, id, errstr, errstr_size);
        return err;
    }
    err = tw_registry_lookup(reg, c->subject.data, schema->text, id, errstr, errstr_size);
    if (err == TW_OK && conv->use_latest_version) {
        /* Records are written with the declared schema, so it must be
         * the one consumers are told is the latest. */
        err = tw_registry_latest(reg, c->subject.data, &latest, errstr, errstr_size);
        if (err == TW_OK && latest != *id)
            err = tw_errf(TW_ERR_REJECTED, errstr, errstr_size,
                          "the latest version of subject \"%s\" is schema id %d, not the one "
                          "declared in %s (id %d); register the file's schema or update the "
                          "file",
                          c->subject.data, latest, schema->file, *id);
    }
    return err;
}

tw_err_t tw_contract_schema_id(tw_contract_t *c, tw_registry_t *reg,
                               const tw_converter_config_t *conv, const char *topic,
                               const tw_avsc_schema_t *schema, int32_t *id, char *errstr,
                               size_t errstr_size)
{
    char why[1024];
    tw_err_t err;
    size_t i;

    tw_subject_name(conv->value_subject_strategy, false, topic, schema->fullname, &c->subject);
    for (i = 0; i < c->nmemos; i++) {
        if (c->memos[i].schema == schema && strcmp(c->memos[i].subject, c->subject.data) == 0) {
            *id = c->memos[i].id;
            return TW_OK;
        }
    }
    err = resolve_id(c, reg, conv, schema, id, why, sizeof(why));
    if (err == TW_OK)
        remember(c, schema, *id);
    else if (err == TW_ERR_REJECTED)
        tw_errf(err, errstr, errstr_size, "schema %s from %s under subject \"%s\": %s",
                schema->fullname, schema->file, c->subject.data, why);
    else
        tw_errf(err, errstr, errstr_size, "%s", why);
    return err;
}

size_t tw_contract_mapping_count(const tw_contract_t *c)
{
    return c->nmappings;
}

const char *tw_contract_mapping_at(const tw_contract_t *c, size_t i,
                                   const tw_avsc_schema_t **record)
{
    *record = c->mappings[i].schema;
    return c->mappings[i].event_type;
}

bool tw_contract_is_event_record(const tw_contract_t *c, const tw_avsc_schema_t *record)
{
    size_t i;

    for (i = 0; i < c->nmappings; i++)
        if (c->mappings[i].schema == record)
            return true;
    return tw_avsc_catalog_user_of(c->catalog, record) == NULL;
}

tw_err_t tw_contract_preflight(tw_contract_t *c, tw_registry_t *reg,
                               const tw_converter_config_t *conv, char *errstr, size_t errstr_size)
{
    size_t i, n = tw_avsc_catalog_record_count(c->catalog);
    int32_t id;
    tw_err_t err = TW_OK;

    if (conv->auto_register || conv->value_subject_strategy != TW_SUBJECT_RECORD_NAME)
        return TW_OK;
    for (i = 0; i < n && err == TW_OK; i++) {
        const tw_avsc_schema_t *record = tw_avsc_catalog_record_at(c->catalog, i);
        if (tw_contract_is_event_record(c, record))
            err = tw_contract_schema_id(c, reg, conv, "", record, &id, errstr, errstr_size);
    }
    return err;
}
