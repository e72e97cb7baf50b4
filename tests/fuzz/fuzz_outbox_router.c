/*
 * fuzz_outbox_router.c — libFuzzer target for the outbox router: arbitrary
 * bytes as the content of an outbox logical message (a JSON object of
 * outbox fields — the row an application writes), routed by three router
 * configurations (plain; expanded JSON payload with envelope and header
 * placements; tombstone on empty payload), then the record's key and value
 * encoded by the JSON converter. Row in, record or error out: a record's
 * topic must pass Kafka's name rules, an error must fill errstr.
 *
 * Build: make -f tests/fuzz/fuzz.mk _build/fuzz/fuzz_outbox_router
 * Seeds: tests/fuzz/corpus/outbox_router/
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "config/config.h"
#include "codec/converter.h"
#include "kafka/kafka_sink.h"
#include "transforms/outbox_router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define COMMON                                                                                 \
    "topic.prefix=t\ndatabase.user=u\ndatabase.dbname=d\n"                                     \
    "key.converter=org.apache.kafka.connect.json.JsonConverter\n"                              \
    "value.converter=org.apache.kafka.connect.json.JsonConverter\n"                            \
    "transforms=o\ntransforms.o.type=io.debezium.transforms.outbox.EventRouter\n"              \
    "transforms.o.message.prefix=outbox\n"

static const char *const variants[] = {
    COMMON,
    COMMON "transforms.o.table.expand.json.payload=true\n"
           "transforms.o.table.fields.additional.placement=type:envelope:eventType,"
           "type:header:eventType,aggregateid:header\n",
    COMMON "transforms.o.route.tombstone.on.empty.payload=true\n"
           "transforms.o.route.topic.replacement=${routedByValue}\n",
};

typedef struct variant {
    tw_config_t cfg;
    tw_outbox_router_t *router;
    tw_converter_t *key_conv, *value_conv;
} variant_t;

static variant_t routers[sizeof(variants) / sizeof(variants[0])];
static tw_arena_t *arena;

static void setup(void)
{
    char errstr[1024];
    size_t i;

    arena = tw_arena_new(65536);
    for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        variant_t *v = &routers[i];
        tw_props_t *props = tw_props_new();
        if (tw_props_parse(props, variants[i], strlen(variants[i]), "fuzz", errstr,
                           sizeof(errstr)) ||
            tw_config_from_props(props, &v->cfg, errstr, sizeof(errstr)) ||
            tw_outbox_router_new(&v->cfg.transforms[0], v->cfg.topic_prefix, &v->router,
                                 errstr, sizeof(errstr)) ||
            tw_converter_new(&v->cfg.key_converter, true, &v->key_conv, errstr,
                             sizeof(errstr)) ||
            tw_converter_new(&v->cfg.value_converter, false, &v->value_conv, errstr,
                             sizeof(errstr)))
            abort(); /* the harness is wrong, not the input */
        tw_props_destroy(props);
    }
}

static void check_error(const char *errstr)
{
    if (errstr[0] == '\0' || memchr(errstr, '\0', 1024) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errstr[1024], why[256];
    tw_buf_t out = TW_BUF_INIT;
    tw_change_t change;
    tw_txn_t txn;
    size_t i;

    if (arena == NULL)
        setup();
    memset(&change, 0, sizeof(change));
    change.op = TW_CHANGE_MESSAGE;
    change.lsn = 0x16B3748;
    change.transactional = true;
    change.prefix = "outbox";
    change.content = (const char *)data;
    change.content_len = (uint32_t)size;
    memset(&txn, 0, sizeof(txn));
    txn.xid = 42;
    txn.commit_ts = 1700000000000000;
    for (i = 0; i < sizeof(routers) / sizeof(routers[0]); i++) {
        variant_t *v = &routers[i];
        tw_record_t record;
        const char *event_id = NULL;
        tw_err_t err;

        tw_arena_reset(arena);
        errstr[0] = '\0';
        err = tw_outbox_route_message(v->router, &txn, &change, arena, &record, &event_id,
                                      errstr, sizeof(errstr));
        if (err) {
            check_error(errstr);
            continue;
        }
        if (record.topic == NULL || !tw_kafka_topic_check(record.topic, why, sizeof(why)))
            abort(); /* the router let a name through that Kafka refuses */
        if (record.key_schema) {
            errstr[0] = '\0';
            if (tw_converter_encode(v->key_conv, record.topic, (tw_cs_t *)record.key_schema,
                                    &record.key, &out, errstr, sizeof(errstr)))
                check_error(errstr);
        }
        if (record.value_schema) {
            errstr[0] = '\0';
            if (tw_converter_encode(v->value_conv, record.topic, (tw_cs_t *)record.value_schema,
                                    &record.value, &out, errstr, sizeof(errstr)))
                check_error(errstr);
        }
    }
    tw_buf_free(&out);
    return 0;
}
