/*
 * heartbeat_record.c — Debezium's heartbeat record (heartbeat_record.h),
 * with the schemas Debezium's SchemaFactory gives it.
 */
#include "transforms/heartbeat_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

struct tw_heartbeat_record {
    char *topic;
    tw_cs_t *key_schema, *value_schema;
    json_t *key, *value;
};

tw_heartbeat_record_t *tw_heartbeat_record_new(const tw_config_t *cfg)
{
    tw_heartbeat_record_t *h;
    tw_buf_t topic = TW_BUF_INIT;

    if (cfg->heartbeat_interval_ms <= 0)
        return NULL;
    h = tw_calloc(1, sizeof(*h));
    if (cfg->heartbeat_topic_name && cfg->heartbeat_topic_name[0])
        tw_buf_printf(&topic, "%s", cfg->heartbeat_topic_name);
    else
        tw_buf_printf(&topic, "%s.%s", cfg->heartbeat_topic_prefix, cfg->topic_prefix);
    h->topic = tw_strdup(topic.data);
    tw_buf_free(&topic);
    h->key_schema = tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.common.ServerNameKey");
    h->key_schema->version = 1;
    tw_cs_add_field(h->key_schema, "serverName", tw_cs_new(TW_CS_STRING, false, NULL));
    h->value_schema = tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.common.Heartbeat");
    h->value_schema->version = 1;
    tw_cs_add_field(h->value_schema, "ts_ms", tw_cs_new(TW_CS_INT64, false, NULL));
    h->key = json_pack("{s:s}", "serverName", cfg->topic_prefix);
    h->value = json_object();
    return h;
}

void tw_heartbeat_record_destroy(tw_heartbeat_record_t *h)
{
    if (h == NULL)
        return;
    free(h->topic);
    tw_cs_unref(h->key_schema);
    tw_cs_unref(h->value_schema);
    json_decref(h->key);
    json_decref(h->value);
    free(h);
}

const char *tw_heartbeat_record_topic(const tw_heartbeat_record_t *h)
{
    return h->topic;
}

void tw_heartbeat_record_make(tw_heartbeat_record_t *h, int64_t now_ms, tw_record_t *out)
{
    json_object_set_new(h->value, "ts_ms", json_integer(now_ms));
    memset(out, 0, sizeof(*out));
    out->topic = h->topic;
    out->partition = 0; /* Debezium writes every heartbeat to partition 0 */
    out->key_schema = h->key_schema;
    out->key.json = h->key;
    out->value_schema = h->value_schema;
    out->value.json = h->value;
}
