/*
 * txn_metadata.c — BEGIN and END records of Debezium's transaction
 * metadata topic (txn_metadata.h), with the schemas Debezium's
 * SchemaFactory gives them.
 */
#include "txn_metadata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Tables of one transaction, in the order their first event came. */
typedef struct table_count {
    char *table;
    int64_t count;
} table_count_t;

struct tw_txn_metadata {
    char *topic;
    tw_cs_t *key_schema, *value_schema;
    json_t *key, *value;
    table_count_t *tables;
    size_t ntables, cap;
    size_t last; /* the table counted last: a transaction's rows come in runs */
    int64_t total;
};

tw_txn_metadata_t *tw_txn_metadata_new(const tw_config_t *cfg)
{
    tw_txn_metadata_t *m;
    tw_buf_t topic = TW_BUF_INIT;
    tw_cs_t *per_table, *list;

    if (!cfg->provide_transaction_metadata)
        return NULL;
    m = tw_calloc(1, sizeof(*m));
    tw_buf_printf(&topic, "%s.%s", cfg->topic_prefix, cfg->transaction_topic);
    m->topic = tw_strdup(topic.data);
    tw_buf_free(&topic);
    m->key_schema =
        tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.common.TransactionMetadataKey");
    m->key_schema->version = 1;
    tw_cs_add_field(m->key_schema, "id", tw_cs_new(TW_CS_STRING, false, NULL));
    per_table = tw_cs_new(TW_CS_STRUCT, true, "event.collection");
    per_table->version = 1;
    tw_cs_add_field(per_table, "data_collection", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(per_table, "event_count", tw_cs_new(TW_CS_INT64, false, NULL));
    list = tw_cs_new(TW_CS_ARRAY, true, NULL);
    list->elem = per_table;
    m->value_schema =
        tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.common.TransactionMetadataValue");
    m->value_schema->version = 1;
    tw_cs_add_field(m->value_schema, "status", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(m->value_schema, "id", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(m->value_schema, "event_count", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(m->value_schema, "data_collections", list);
    tw_cs_add_field(m->value_schema, "ts_ms", tw_cs_new(TW_CS_INT64, false, NULL));
    return m;
}

static void forget_counts(tw_txn_metadata_t *m)
{
    size_t i;

    for (i = 0; i < m->ntables; i++)
        free(m->tables[i].table);
    m->ntables = 0;
    m->last = 0;
    m->total = 0;
}

void tw_txn_metadata_destroy(tw_txn_metadata_t *m)
{
    if (m == NULL)
        return;
    forget_counts(m);
    free(m->tables);
    free(m->topic);
    tw_cs_unref(m->key_schema);
    tw_cs_unref(m->value_schema);
    json_decref(m->key);
    json_decref(m->value);
    free(m);
}

const char *tw_txn_metadata_topic(const tw_txn_metadata_t *m)
{
    return m->topic;
}

/* commit_ts_us is the commit time PostgreSQL sends with Begin and Commit
 * alike; Debezium writes it in milliseconds. */
static void make_record(tw_txn_metadata_t *m, const char *status, uint32_t xid, tw_lsn_t lsn,
                        int64_t commit_ts_us, json_t *count, json_t *tables, tw_record_t *out)
{
    char id[48];
    int64_t ts_ms = commit_ts_us / 1000 - (commit_ts_us % 1000 < 0);

    snprintf(id, sizeof(id), "%u:%llu", xid, (unsigned long long)lsn);
    json_decref(m->key);
    json_decref(m->value);
    m->key = json_pack("{s:s}", "id", id);
    m->value = json_pack("{s:s,s:s,s:o,s:o,s:I}", "status", status, "id", id, "event_count", count,
                         "data_collections", tables, "ts_ms", (json_int_t)ts_ms);
    memset(out, 0, sizeof(*out));
    out->topic = m->topic;
    out->partition = TW_PARTITION_ANY; /* by key, as Debezium leaves it */
    out->key_schema = m->key_schema;
    out->key.json = m->key;
    out->value_schema = m->value_schema;
    out->value.json = m->value;
}

void tw_txn_metadata_begin(tw_txn_metadata_t *m, uint32_t xid, tw_lsn_t lsn, int64_t commit_ts_us,
                           tw_record_t *out)
{
    forget_counts(m);
    make_record(m, "BEGIN", xid, lsn, commit_ts_us, json_null(), json_null(), out);
}

void tw_txn_metadata_count(tw_txn_metadata_t *m, const char *table)
{
    size_t i;

    m->total++;
    if (m->ntables > 0 && strcmp(m->tables[m->last].table, table) == 0) {
        m->tables[m->last].count++;
        return;
    }
    for (i = 0; i < m->ntables; i++) {
        if (strcmp(m->tables[i].table, table) == 0) {
            m->tables[i].count++;
            m->last = i;
            return;
        }
    }
    if (m->ntables == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 8;
        m->tables = tw_realloc(m->tables, m->cap * sizeof(*m->tables));
    }
    m->tables[m->ntables].table = tw_strdup(table);
    m->tables[m->ntables].count = 1;
    m->last = m->ntables++;
}

void tw_txn_metadata_end(tw_txn_metadata_t *m, uint32_t xid, tw_lsn_t lsn, int64_t commit_ts_us,
                         tw_record_t *out)
{
    json_t *tables = json_array();
    size_t i;

    for (i = 0; i < m->ntables; i++)
        json_array_append_new(tables, json_pack("{s:s,s:I}", "data_collection", m->tables[i].table,
                                                "event_count", (json_int_t)m->tables[i].count));
    make_record(m, "END", xid, lsn, commit_ts_us, json_integer(m->total), tables, out);
    forget_counts(m);
}
