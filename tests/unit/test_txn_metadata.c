/*
 * test_txn_metadata.c — the transaction metadata and heartbeat records:
 * configuration, topics, per-table counts, and their JsonConverter form
 * (schemas as Debezium 3.6's SchemaFactory builds them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "codec/converter.h"
#include "transforms/heartbeat_record.h"
#include "transforms/txn_metadata.h"

#include "config_text.h"

#define MINIMAL "topic.prefix=shop\ndatabase.user=u\ndatabase.dbname=d\n"

static void load(const char *text, tw_config_t *cfg)
{
    char errstr[512];

    if (config_from_text(text, cfg, errstr, sizeof(errstr)))
        fail_msg("%s", errstr);
}

/* The record's key or value as JsonConverter (schemas.enable=true) writes it. */
static json_t *as_json(const tw_config_t *cfg, const tw_record_t *rec, bool key)
{
    tw_converter_t *conv;
    tw_buf_t out = TW_BUF_INIT;
    char errstr[512];
    json_t *j;

    assert_int_equal(tw_converter_new(key ? &cfg->key_converter : &cfg->value_converter, key,
                                      &conv, errstr, sizeof(errstr)),
                     TW_OK);
    if (tw_converter_encode(conv, rec->topic, (tw_cs_t *)(key ? rec->key_schema : rec->value_schema),
                            key ? &rec->key : &rec->value, &out, errstr, sizeof(errstr)) != TW_OK)
        fail_msg("%s", errstr);
    j = json_loadb(out.data, out.len, 0, NULL);
    assert_non_null(j);
    tw_buf_free(&out);
    tw_converter_destroy(conv);
    return j;
}

#define JSON_CONVERTERS                                                                            \
    "key.converter=org.apache.kafka.connect.json.JsonConverter\n"                                  \
    "value.converter=org.apache.kafka.connect.json.JsonConverter\n"

static void expect_json(json_t *got, const char *want)
{
    json_t *w = json_loads(want, 0, NULL);
    char *g;

    assert_non_null(w);
    if (!json_equal(got, w)) {
        g = json_dumps(got, JSON_SORT_KEYS);
        fail_msg("got %s\nwant %s", g, want);
    }
    json_decref(w);
    json_decref(got);
}

static void test_off_by_default(void **state)
{
    tw_config_t cfg;
    (void)state;
    load(MINIMAL, &cfg);
    assert_false(cfg.provide_transaction_metadata);
    assert_null(tw_txn_metadata_new(&cfg));
    assert_null(tw_heartbeat_record_new(&cfg));
    tw_config_clear(&cfg);
}

static void test_topics(void **state)
{
    tw_config_t cfg;
    tw_txn_metadata_t *m;
    tw_heartbeat_record_t *h;
    (void)state;
    load(MINIMAL "provide.transaction.metadata=true\nheartbeat.interval.ms=1000\n", &cfg);
    m = tw_txn_metadata_new(&cfg);
    h = tw_heartbeat_record_new(&cfg);
    assert_string_equal(tw_txn_metadata_topic(m), "shop.transaction");
    assert_string_equal(tw_heartbeat_record_topic(h), "__debezium-heartbeat.shop");
    tw_txn_metadata_destroy(m);
    tw_heartbeat_record_destroy(h);
    tw_config_clear(&cfg);
    load(MINIMAL "provide.transaction.metadata=true\ntopic.transaction=tx\n"
                 "heartbeat.interval.ms=1000\ntopic.heartbeat.prefix=hb\n",
         &cfg);
    m = tw_txn_metadata_new(&cfg);
    h = tw_heartbeat_record_new(&cfg);
    assert_string_equal(tw_txn_metadata_topic(m), "shop.tx");
    assert_string_equal(tw_heartbeat_record_topic(h), "hb.shop");
    tw_txn_metadata_destroy(m);
    tw_heartbeat_record_destroy(h);
    tw_config_clear(&cfg);
    /* topic.heartbeat.name (Debezium 3.6) wins over the prefix. */
    load(MINIMAL "heartbeat.interval.ms=1000\ntopic.heartbeat.prefix=hb\n"
                 "topic.heartbeat.name=beats\n",
         &cfg);
    h = tw_heartbeat_record_new(&cfg);
    assert_string_equal(tw_heartbeat_record_topic(h), "beats");
    tw_heartbeat_record_destroy(h);
    tw_config_clear(&cfg);
}

/* The first transaction of a process counts nothing (a streamed one
 * without captured changes): an END with no collections, and no sorting of
 * the still-unallocated table list (UBSan stops on qsort(NULL, 0)). */
static void test_first_transaction_empty(void **state)
{
    tw_config_t cfg;
    tw_txn_metadata_t *m;
    tw_record_t rec;
    json_t *v;
    (void)state;
    load(MINIMAL JSON_CONVERTERS "provide.transaction.metadata=true\n", &cfg);
    m = tw_txn_metadata_new(&cfg);
    tw_txn_metadata_begin(m, 9, 100, 0, &rec);
    tw_txn_metadata_end(m, 9, 200, 0, &rec);
    v = as_json(&cfg, &rec, false);
    assert_int_equal(json_array_size(json_object_get(json_object_get(v, "payload"),
                                                     "data_collections")),
                     0);
    json_decref(v);
    tw_txn_metadata_destroy(m);
    tw_config_clear(&cfg);
}

static void test_begin_end(void **state)
{
    tw_config_t cfg;
    tw_txn_metadata_t *m;
    tw_record_t rec;
    (void)state;
    load(MINIMAL JSON_CONVERTERS "provide.transaction.metadata=true\n", &cfg);
    m = tw_txn_metadata_new(&cfg);
    /* 2024-01-02T03:04:05.678901Z */
    tw_txn_metadata_begin(m, 771, 0x16B3748, 1704164645678901LL, &rec);
    assert_string_equal(rec.topic, "shop.transaction");
    assert_int_equal(rec.partition, TW_PARTITION_ANY);
    expect_json(as_json(&cfg, &rec, true),
                "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":"
                "false,\"field\":\"id\"}],\"optional\":false,\"name\":"
                "\"io.debezium.connector.common.TransactionMetadataKey\",\"version\":1},"
                "\"payload\":{\"id\":\"771:23803720\"}}");
    expect_json(as_json(&cfg, &rec, false),
                "{\"schema\":{\"type\":\"struct\",\"fields\":["
                "{\"type\":\"string\",\"optional\":false,\"field\":\"status\"},"
                "{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
                "{\"type\":\"int64\",\"optional\":true,\"field\":\"event_count\"},"
                "{\"type\":\"array\",\"items\":{\"type\":\"struct\",\"fields\":["
                "{\"type\":\"string\",\"optional\":false,\"field\":\"data_collection\"},"
                "{\"type\":\"int64\",\"optional\":false,\"field\":\"event_count\"}],"
                "\"optional\":true,\"name\":\"event.collection\",\"version\":1},"
                "\"optional\":true,\"field\":\"data_collections\"},"
                "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}],"
                "\"optional\":false,\"name\":\"io.debezium.connector.common."
                "TransactionMetadataValue\",\"version\":1},"
                "\"payload\":{\"status\":\"BEGIN\",\"id\":\"771:23803720\",\"event_count\":null,"
                "\"data_collections\":null,\"ts_ms\":1704164645678}}");
    /* Counted per table, listed in java.util.HashMap's order as Debezium
     * lists them (buckets of 16: public.outbox 2, \u017c\u00f3\u0142w.t 7,
     * inv.items 13 — worked out from String.hashCode()), not as they came. */
    int64_t total, order;
    tw_txn_metadata_count(m, "inv.items", NULL, NULL);
    tw_txn_metadata_count(m, "public.outbox", NULL, NULL);
    tw_txn_metadata_count(m, "public.outbox", &total, &order);
    assert_int_equal(total, 3); /* the per-event block's total_order */
    assert_int_equal(order, 2); /* and data_collection_order */
    tw_txn_metadata_count(m, "\xc5\xbc\xc3\xb3\xc5\x82w.t", &total, &order);
    assert_int_equal(total, 4);
    assert_int_equal(order, 1);
    tw_txn_metadata_count(m, "public.outbox", &total, &order);
    assert_int_equal(total, 5);
    assert_int_equal(order, 3);
    tw_txn_metadata_end(m, 771, 0x16B3800, 1704164645678901LL, &rec);
    json_t *v = as_json(&cfg, &rec, false);
    expect_json(json_incref(json_object_get(v, "payload")),
                "{\"status\":\"END\",\"id\":\"771:23803904\",\"event_count\":5,"
                "\"data_collections\":[{\"data_collection\":\"public.outbox\",\"event_count\":3},"
                "{\"data_collection\":\"\\u017c\\u00f3\\u0142w.t\",\"event_count\":1},"
                "{\"data_collection\":\"inv.items\",\"event_count\":1}],\"ts_ms\":1704164645678}");
    json_decref(v);
    /* The next transaction starts from zero. */
    tw_txn_metadata_begin(m, 772, 100, 0, &rec);
    tw_txn_metadata_end(m, 772, 200, 0, &rec);
    v = as_json(&cfg, &rec, false);
    expect_json(json_incref(json_object_get(v, "payload")),
                "{\"status\":\"END\",\"id\":\"772:200\",\"event_count\":0,"
                "\"data_collections\":[],\"ts_ms\":0}");
    json_decref(v);
    /* Messages: a collection each, named as Debezium 3.6's identity-named
     * ids (the hash from the LSN: the same message, the same name). */
    {
        static const char ident[] = "io.debezium.connector.postgresql."
                                    "LogicalDecodingMessageMonitor$LogicalDecodingMessageId@";
        json_t *colls;
        const char *a, *b;
        tw_txn_metadata_begin(m, 773, 100, 0, &rec);
        tw_txn_metadata_count_message(m, 0x1000, NULL);
        tw_txn_metadata_count_message(m, 0x1040, NULL);
        tw_txn_metadata_end(m, 773, 200, 0, &rec);
        v = as_json(&cfg, &rec, false);
        colls = json_object_get(json_object_get(v, "payload"), "data_collections");
        assert_int_equal(json_array_size(colls), 2);
        a = json_string_value(json_object_get(json_array_get(colls, 0), "data_collection"));
        b = json_string_value(json_object_get(json_array_get(colls, 1), "data_collection"));
        assert_int_equal(strncmp(a, ident, strlen(ident)), 0);
        assert_int_equal(strncmp(b, ident, strlen(ident)), 0);
        assert_true(strlen(a) > strlen(ident) && strcmp(a, b) != 0);
        assert_int_equal(
            json_integer_value(json_object_get(json_array_get(colls, 0), "event_count")), 1);
        json_decref(v);
    }
    tw_txn_metadata_destroy(m);
    tw_config_clear(&cfg);
}

static void test_heartbeat(void **state)
{
    tw_config_t cfg;
    tw_heartbeat_record_t *h;
    tw_record_t rec;
    (void)state;
    load(MINIMAL JSON_CONVERTERS "heartbeat.interval.ms=500\n", &cfg);
    h = tw_heartbeat_record_new(&cfg);
    tw_heartbeat_record_make(h, 1704164645678LL, &rec);
    assert_int_equal(rec.partition, 0);
    expect_json(as_json(&cfg, &rec, true),
                "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":"
                "false,\"field\":\"serverName\"}],\"optional\":false,\"name\":"
                "\"io.debezium.connector.common.ServerNameKey\",\"version\":1},"
                "\"payload\":{\"serverName\":\"shop\"}}");
    expect_json(as_json(&cfg, &rec, false),
                "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":"
                "false,\"field\":\"ts_ms\"}],\"optional\":false,\"name\":"
                "\"io.debezium.connector.common.Heartbeat\",\"version\":1},"
                "\"payload\":{\"ts_ms\":1704164645678}}");
    tw_heartbeat_record_destroy(h);
    tw_config_clear(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_by_default),
        cmocka_unit_test(test_topics),
        cmocka_unit_test(test_first_transaction_empty),
        cmocka_unit_test(test_begin_end),
        cmocka_unit_test(test_heartbeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
