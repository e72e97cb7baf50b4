/*
 * txn_metadata.c — BEGIN and END records of Debezium's transaction
 * metadata topic (txn_metadata.h), with the schemas Debezium's
 * SchemaFactory gives them.
 */
#include "transforms/txn_metadata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/java_hash.h"

/* Tables of one transaction, in the order their first event came. */
typedef struct table_count {
    char *table;
    int64_t count;
    uint32_t bucket; /* in Debezium's HashMap, at END */
    size_t seq;      /* first-event order */
} table_count_t;

/* Debezium keeps the counts in one java.util.HashMap per connector task,
 * cleared (never shrunk) after each transaction, and lists them in the
 * map's iteration order: by bucket — the spread String.hashCode() masked
 * to the table size, which starts at 16 and doubles once more than 3/4
 * full — then by insertion within a bucket. Reproducing that order keeps
 * END records byte-identical for transactions over several tables. */
#define JAVA_HASHMAP_INITIAL 16

struct tw_txn_metadata {
    char *topic;
    tw_cs_t *key_schema, *value_schema;
    /* The record being made: struct datums over values, so a transaction
     * allocates nothing but its END's list of tables. */
    char id[48];
    tw_value_t id_value, status, count, ts;
    tw_datum_t key_fields[1], value_fields[5];
    json_t *collections; /* END's data_collections, or NULL */
    table_count_t *tables;
    size_t ntables, cap;
    size_t last; /* the table counted last: a transaction's rows come in runs */
    int64_t total;
    uint32_t java_capacity; /* Debezium's HashMap table size so far */
};

static int by_java_order(const void *a, const void *b)
{
    const table_count_t *x = a, *y = b;

    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

tw_txn_metadata_t *tw_txn_metadata_new(const tw_config_t *cfg)
{
    tw_txn_metadata_t *m;
    tw_buf_t topic = TW_BUF_INIT;
    tw_cs_t *per_table, *list;

    if (!cfg->provide_transaction_metadata)
        return NULL;
    m = tw_calloc(1, sizeof(*m));
    m->java_capacity = JAVA_HASHMAP_INITIAL;
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
    json_decref(m->collections);
    free(m);
}

const char *tw_txn_metadata_topic(const tw_txn_metadata_t *m)
{
    return m->topic;
}

static void text_value(tw_value_t *v, const char *text)
{
    memset(v, 0, sizeof(*v));
    v->kind = TW_VALUE_TEXT;
    v->u.str.ptr = text;
    v->u.str.len = strlen(text);
}

static void int_value(tw_value_t *v, int64_t i)
{
    memset(v, 0, sizeof(*v));
    v->kind = TW_VALUE_INT;
    v->u.i = i;
}

/* commit_ts_us is the commit time PostgreSQL sends with Begin and Commit
 * alike; Debezium writes it in milliseconds. count < 0: BEGIN's null
 * event_count; collections (taken) is END's list, NULL for BEGIN. */
static void make_record(tw_txn_metadata_t *m, const char *status, uint32_t xid, tw_lsn_t lsn,
                        int64_t commit_ts_us, int64_t count, json_t *collections,
                        tw_record_t *out)
{
    int64_t ts_ms = commit_ts_us / 1000 - (commit_ts_us % 1000 < 0);

    snprintf(m->id, sizeof(m->id), "%u:%llu", xid, (unsigned long long)lsn);
    text_value(&m->id_value, m->id);
    text_value(&m->status, status);
    int_value(&m->ts, ts_ms);
    if (count < 0) {
        memset(&m->count, 0, sizeof(m->count));
        m->count.kind = TW_VALUE_NULL;
    } else {
        int_value(&m->count, count);
    }
    json_decref(m->collections);
    m->collections = collections;
    memset(m->key_fields, 0, sizeof(m->key_fields));
    memset(m->value_fields, 0, sizeof(m->value_fields));
    m->key_fields[0].pg = &m->id_value;
    m->value_fields[0].pg = &m->status;
    m->value_fields[1].pg = &m->id_value;
    m->value_fields[2].pg = &m->count;
    m->value_fields[3].json = collections ? collections : json_null();
    m->value_fields[4].pg = &m->ts;
    memset(out, 0, sizeof(*out));
    out->topic = m->topic;
    out->partition = TW_PARTITION_ANY; /* by key, as Debezium leaves it */
    out->key_schema = m->key_schema;
    out->key.fields = m->key_fields;
    out->value_schema = m->value_schema;
    out->value.fields = m->value_fields;
}

void tw_txn_metadata_begin(tw_txn_metadata_t *m, uint32_t xid, tw_lsn_t lsn, int64_t commit_ts_us,
                           tw_record_t *out)
{
    forget_counts(m);
    make_record(m, "BEGIN", xid, lsn, commit_ts_us, -1, NULL, out);
}

void tw_txn_metadata_count(tw_txn_metadata_t *m, const char *table, int64_t *total_order,
                           int64_t *collection_order)
{
    size_t i;
    int64_t unused;

    if (collection_order == NULL)
        collection_order = &unused;
    if (total_order)
        *total_order = m->total + 1;
    m->total++;
    if (m->ntables > 0 && strcmp(m->tables[m->last].table, table) == 0) {
        *collection_order = ++m->tables[m->last].count;
        return;
    }
    for (i = 0; i < m->ntables; i++) {
        if (strcmp(m->tables[i].table, table) == 0) {
            *collection_order = ++m->tables[i].count;
            m->last = i;
            return;
        }
    }
    *collection_order = 1;
    if (m->ntables == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 8;
        m->tables = tw_realloc(m->tables, m->cap * sizeof(*m->tables));
    }
    m->tables[m->ntables].table = tw_strdup(table);
    m->tables[m->ntables].count = 1;
    m->tables[m->ntables].seq = m->ntables;
    m->last = m->ntables++;
    if (m->ntables > (size_t)m->java_capacity / 4 * 3)
        m->java_capacity *= 2;
}

void tw_txn_metadata_count_message(tw_txn_metadata_t *m, tw_lsn_t lsn, int64_t *total_order)
{
    char name[128];
    uint64_t h = lsn * 0x9E3779B97F4A7C15ULL; /* spread the LSN's bits */
    uint32_t id = (uint32_t)(h >> 33); /* 31 bits, as HotSpot's identity hashes */

    snprintf(name, sizeof(name),
             "io.debezium.connector.postgresql.LogicalDecodingMessageMonitor$"
             "LogicalDecodingMessageId@%x",
             id ? id : 1);
    tw_txn_metadata_count(m, name, total_order, NULL);
}

void tw_txn_metadata_end(tw_txn_metadata_t *m, uint32_t xid, tw_lsn_t lsn, int64_t commit_ts_us,
                         tw_record_t *out)
{
    json_t *tables = json_array();
    size_t i;

    for (i = 0; i < m->ntables; i++)
        m->tables[i].bucket = tw_java_hashmap_bucket(
            tw_java_string_hash(m->tables[i].table, strlen(m->tables[i].table)),
            m->java_capacity);
    if (m->ntables > 1) /* tables is NULL before the first table is counted */
        qsort(m->tables, m->ntables, sizeof(*m->tables), by_java_order);
    for (i = 0; i < m->ntables; i++)
        json_array_append_new(tables, json_pack("{s:s,s:I}", "data_collection", m->tables[i].table,
                                                "event_count", (json_int_t)m->tables[i].count));
    make_record(m, "END", xid, lsn, commit_ts_us, m->total, tables, out);
    forget_counts(m);
}
