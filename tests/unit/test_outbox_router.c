/*
 * test_outbox_router.c — the Outbox Event Router (outbox_router.c) routing
 * rows of a fake outbox relation, and outbox logical messages, to records;
 * the records' keys and values are rendered with the JSON converter so the
 * checks read as what lands in Kafka.
 *
 * The relation is built as the relation cache holds one (names, type OIDs,
 * typmods) and rows as pgoutput sends them (PostgreSQL's text output), so
 * no server is needed. Expected topics, keys, headers and values follow
 * Debezium's EventRouter defaults (reference.md): topic
 * outbox.event.<aggregatetype>, key = aggregateid, header id = event id,
 * value = the payload, timestamp = the commit time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "config/config.h"
#include "codec/converter.h"
#include "transforms/outbox_router.h"

#define EVENT_ID "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
#define COMMIT_TS_US INT64_C(1700000000123456)

#define COMMON                                                                                 \
    "topic.prefix=t\ndatabase.user=u\ndatabase.dbname=d\n"                                     \
    "key.converter=org.apache.kafka.connect.json.JsonConverter\n"                              \
    "key.converter.schemas.enable=false\n"                                                     \
    "value.converter=org.apache.kafka.connect.json.JsonConverter\n"                            \
    "value.converter.schemas.enable=false\n"                                                   \
    "transforms=o\ntransforms.o.type=io.debezium.transforms.outbox.EventRouter\n"

/* public.outbox: the columns Debezium's documentation uses, plus a
 * timestamp and a column no option names. */
enum { C_ID, C_AGGTYPE, C_AGGID, C_TYPE, C_PAYLOAD, C_CREATED, C_NOTE, NCOLS };
static const struct {
    const char *name;
    uint32_t oid;
    bool not_null;
} columns[NCOLS] = {
    {"id", TW_OID_UUID, true},
    {"aggregatetype", TW_OID_VARCHAR, true},
    {"aggregateid", TW_OID_VARCHAR, true},
    {"type", TW_OID_VARCHAR, true},
    {"payload", TW_OID_JSONB, false},
    {"created_at", TW_OID_TIMESTAMPTZ, false},
    {"note", TW_OID_TEXT, false},
};

typedef struct fx {
    tw_config_t cfg;
    bool cfg_loaded;
    tw_outbox_router_t *router;
    tw_outbox_binding_t *binding;
    tw_converter_t *key_conv, *value_conv;
    tw_arena_t *arena;
    tw_rel_col_t relcols[NCOLS];
    tw_rel_t rel;
    tw_pgoutput_col_t cols[NCOLS];
    tw_pgoutput_tuple_t tuple;
    tw_txn_t txn;
    tw_change_t change;
    tw_record_t record;
    const char *event_id;
    tw_outbox_result_t result;
    tw_buf_t out;
    char errstr[1024];
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));
    size_t i;

    assert_non_null(fx);
    fx->arena = tw_arena_new(8192);
    for (i = 0; i < NCOLS; i++) {
        fx->relcols[i].name = (char *)columns[i].name;
        fx->relcols[i].type_oid = fx->relcols[i].value_oid = columns[i].oid;
        fx->relcols[i].typmod = fx->relcols[i].value_typmod = -1;
        fx->relcols[i].is_key = i == C_ID;
    }
    fx->rel.relid = 16384;
    fx->rel.nspname = "public";
    fx->rel.relname = "outbox";
    fx->rel.replident = 'd';
    fx->rel.ncols = NCOLS;
    fx->rel.cols = fx->relcols;
    fx->rel.schema_version = 1;
    fx->rel.captured = true;
    fx->tuple.ncols = NCOLS;
    fx->tuple.cols = fx->cols;
    fx->txn.xid = 900;
    fx->txn.commit_lsn = 0x16B3748;
    fx->txn.commit_ts = COMMIT_TS_US;
    fx->change.op = TW_CHANGE_INSERT;
    fx->change.lsn = 0x16B3700;
    fx->change.rel = &fx->rel;
    fx->change.new_tuple = &fx->tuple;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;

    tw_outbox_binding_destroy(fx->binding);
    tw_outbox_router_destroy(fx->router);
    tw_converter_destroy(fx->key_conv);
    tw_converter_destroy(fx->value_conv);
    if (fx->cfg_loaded)
        tw_config_clear(&fx->cfg);
    tw_arena_destroy(fx->arena);
    tw_buf_free(&fx->out);
    free(fx);
    return 0;
}

/* Configures the router with COMMON plus extra properties; returns the
 * first error (bind included). */
static tw_err_t configure(fx_t *fx, const char *extra)
{
    char text[2048];
    bool not_null[NCOLS];
    tw_props_t *props = tw_props_new();
    tw_err_t err;
    size_t i;

    snprintf(text, sizeof(text), "%s%s", COMMON, extra);
    for (i = 0; i < NCOLS; i++)
        not_null[i] = columns[i].not_null;
    err = tw_props_parse(props, text, strlen(text), "test", fx->errstr, sizeof(fx->errstr));
    assert_int_equal(err, TW_OK);
    err = tw_config_from_props(props, &fx->cfg, fx->errstr, sizeof(fx->errstr));
    tw_props_destroy(props);
    if (err)
        fail_msg("config: %s", fx->errstr);
    fx->cfg_loaded = true;
    assert_int_equal(tw_converter_new(&fx->cfg.key_converter, true, &fx->key_conv, fx->errstr,
                                      sizeof(fx->errstr)),
                     TW_OK);
    assert_int_equal(tw_converter_new(&fx->cfg.value_converter, false, &fx->value_conv,
                                      fx->errstr, sizeof(fx->errstr)),
                     TW_OK);
    err = tw_outbox_router_new(&fx->cfg.transforms[0], fx->cfg.topic_prefix, &fx->router,
                               fx->errstr, sizeof(fx->errstr));
    if (err == TW_OK)
        err = tw_outbox_router_set_column_rules(fx->router, &fx->cfg, fx->errstr,
                                                sizeof(fx->errstr));
    if (err == TW_OK)
        err = tw_outbox_bind(fx->router, &fx->rel, not_null, &fx->binding, fx->errstr,
                             sizeof(fx->errstr));
    return err;
}

/* Column values as PostgreSQL prints them; NULL is SQL NULL. */
static void row(fx_t *fx, const char *aggtype, const char *aggid, const char *type,
                const char *payload, const char *created, const char *note)
{
    const char *text[NCOLS] = {EVENT_ID, aggtype, aggid, type, payload, created, note};
    size_t i;

    for (i = 0; i < NCOLS; i++) {
        fx->cols[i].kind = text[i] ? TW_PGOUTPUT_COL_TEXT : TW_PGOUTPUT_COL_NULL;
        fx->cols[i].data = text[i];
        fx->cols[i].len = text[i] ? (uint32_t)strlen(text[i]) : 0;
    }
}

static tw_err_t route(fx_t *fx)
{
    tw_arena_reset(fx->arena);
    fx->errstr[0] = '\0';
    return tw_outbox_route(fx->router, fx->binding, &fx->txn, &fx->change, fx->arena,
                           &fx->record, &fx->event_id, &fx->result, fx->errstr,
                           sizeof(fx->errstr));
}

/* The key or value as the JSON converter writes it; "<null>" for none. */
static const char *rendered(fx_t *fx, bool key)
{
    const tw_cs_t *schema = key ? fx->record.key_schema : fx->record.value_schema;
    tw_err_t err;

    if (schema == NULL)
        return "<null>";
    err = tw_converter_encode(key ? fx->key_conv : fx->value_conv, fx->record.topic,
                              (tw_cs_t *)schema, key ? &fx->record.key : &fx->record.value,
                              &fx->out, fx->errstr, sizeof(fx->errstr));
    if (err)
        fail_msg("encode: %s", fx->errstr);
    return fx->out.data ? fx->out.data : "";
}

/* The value of header name, NUL-terminated, or NULL when absent; "<null>"
 * for a header with a null value. */
static const char *header(const fx_t *fx, const char *name)
{
    static char value[256];
    size_t i;

    for (i = 0; i < fx->record.nheaders; i++) {
        const tw_header_t *h = &fx->record.headers[i];
        if (strcmp(h->name, name) != 0)
            continue;
        if (h->value == NULL)
            return "<null>";
        assert_true(h->len < sizeof(value));
        memcpy(value, h->value, h->len);
        value[h->len] = '\0';
        return value;
    }
    return NULL;
}

/* ---- tests ----------------------------------------------------------------- */

static void test_defaults(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, ""), TW_OK);
    row(fx, "Order", "o-17", "OrderCreated", "{\"qty\": 2, \"sku\": \"A-1\"}", NULL, "n");
    assert_int_equal(route(fx), TW_OK);
    assert_int_equal(fx->result, TW_OUTBOX_EMIT);
    assert_string_equal(fx->record.topic, "outbox.event.Order");
    assert_string_equal(fx->event_id, EVENT_ID);
    assert_string_equal(rendered(fx, true), "\"o-17\"");
    /* jsonb without expansion: the document's text, as a string */
    assert_string_equal(rendered(fx, false), "\"{\\\"qty\\\": 2, \\\"sku\\\": \\\"A-1\\\"}\"");
    assert_string_equal(header(fx, "id"), EVENT_ID);
    assert_int_equal(fx->record.nheaders, 1);
    assert_true(fx->record.timestamp_ms == COMMIT_TS_US / 1000);
    assert_null(fx->record.payload_json);
}

/* Debezium drops deletes and truncates of the outbox table (rows are
 * inserted and deleted in one go) and treats updates as invalid. */
static void test_operations(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, ""), TW_OK);
    row(fx, "Order", "o-1", "T", "{}", NULL, NULL);
    fx->change.op = TW_CHANGE_DELETE;
    fx->change.old_tuple = &fx->tuple;
    fx->change.new_tuple = NULL;
    assert_int_equal(route(fx), TW_OK);
    assert_int_equal(fx->result, TW_OUTBOX_IGNORE);
    fx->change.op = TW_CHANGE_TRUNCATE;
    assert_int_equal(route(fx), TW_OK);
    assert_int_equal(fx->result, TW_OUTBOX_IGNORE);
    fx->change.op = TW_CHANGE_UPDATE;
    fx->change.new_tuple = &fx->tuple;
    assert_int_equal(route(fx), TW_OK);
    assert_int_equal(fx->result, TW_OUTBOX_INVALID_OP);
}

static void test_topic_regex_and_replacement(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, "transforms.o.route.topic.regex=(?<routedByValue>[a-z]+)s\n"
                                   "transforms.o.route.topic.replacement=${routedByValue}.events\n"),
                     TW_OK);
    row(fx, "orders", "o-1", "T", "{}", NULL, NULL);
    assert_int_equal(route(fx), TW_OK);
    assert_string_equal(fx->record.topic, "order.events");
}

/* A null route column cannot name a topic: an error naming the event. */
static void test_null_route_column(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, ""), TW_OK);
    row(fx, NULL, "o-1", "T", "{}", NULL, NULL);
    assert_int_equal(route(fx), TW_ERR_MALFORMED);
    assert_non_null(strstr(fx->errstr, "aggregatetype"));
    assert_string_equal(fx->event_id, EVENT_ID);
}

/* table.expand.json.payload: the payload becomes a struct; extra columns
 * go to headers and the envelope as placed. */
static void test_expand_and_placements(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, "transforms.o.table.expand.json.payload=true\n"
                                   "transforms.o.table.fields.additional.placement="
                                   "type:header:eventType,type:envelope:eventType,note:header\n"),
                     TW_OK);
    row(fx, "Order", "o-2", "OrderShipped", "{\"qty\": 2, \"sku\": \"A-1\"}", NULL, NULL);
    assert_int_equal(route(fx), TW_OK);
    assert_string_equal(header(fx, "eventType"), "OrderShipped");
    assert_string_equal(header(fx, "note"), "<null>");
    assert_string_equal(header(fx, "id"), EVENT_ID);
    assert_string_equal(rendered(fx, false),
                        "{\"payload\":{\"qty\":2,\"sku\":\"A-1\"},\"eventType\":\"OrderShipped\"}");
}

/* A null numeric(p,s) with a DEFAULT placed as a header: Connect reads
 * the default, a BigDecimal at the column's scale, and its header
 * converter prints the digits (not the unscaled bytes in base64). */
static void test_decimal_default_header(void **state)
{
    static const struct {
        const char *expr, *header;
    } cases[] = {
        {"1.5", "1.500"},
        {"'-1.5'::numeric", "-1.500"},
        {"'-0.001'::numeric", "-0.001"},
        {"123456789.25", "123456789.250"},
        {"0", "0.000"},
    };
    bool not_null[NCOLS] = {true, true, true, true, false, false, false};
    fx_t *fx = *state;
    size_t i;

    fx->relcols[C_NOTE].type_oid = fx->relcols[C_NOTE].value_oid = TW_OID_NUMERIC;
    fx->relcols[C_NOTE].typmod = fx->relcols[C_NOTE].value_typmod = ((12 << 16) | 3) + 4;
    fx->relcols[C_NOTE].default_expr = (char *)cases[0].expr;
    assert_int_equal(configure(fx, "transforms.o.table.fields.additional.placement="
                                   "note:header\n"),
                     TW_OK);
    for (i = 0; i < TW_ARRAY_SIZE(cases); i++) {
        tw_outbox_binding_destroy(fx->binding);
        fx->binding = NULL;
        fx->relcols[C_NOTE].default_expr = (char *)cases[i].expr;
        assert_int_equal(tw_outbox_bind(fx->router, &fx->rel, not_null, &fx->binding,
                                        fx->errstr, sizeof(fx->errstr)),
                         TW_OK);
        row(fx, "Order", "o-1", "OrderCreated", "{}", NULL, NULL);
        assert_int_equal(route(fx), TW_OK);
        assert_string_equal(header(fx, "note"), cases[i].header);
        /* A value is printed as PostgreSQL has it. */
        row(fx, "Order", "o-1", "OrderCreated", "{}", NULL, "-12.345");
        assert_int_equal(route(fx), TW_OK);
        assert_string_equal(header(fx, "note"), "-12.345");
    }
}

/* A money column is a Decimal (scale 2) to Debezium: a header holds its
 * digits, not the unscaled bytes in base64. */
static void test_money_header(void **state)
{
    fx_t *fx = *state;

    fx->relcols[C_NOTE].type_oid = fx->relcols[C_NOTE].value_oid = TW_OID_MONEY;
    assert_int_equal(configure(fx, "transforms.o.table.fields.additional.placement="
                                   "note:header\n"),
                     TW_OK);
    row(fx, "Order", "o-1", "OrderCreated", "{}", NULL, "-$1,234.56");
    assert_int_equal(route(fx), TW_OK);
    assert_string_equal(header(fx, "note"), "-1234.56");
    row(fx, "Order", "o-1", "OrderCreated", "{}", NULL, "$0.05");
    assert_int_equal(route(fx), TW_OK);
    assert_string_equal(header(fx, "note"), "0.05");
}

/* Column mappers apply to the outbox row before routing, as Debezium
 * applies them before its EventRouter: a placed header masked, the key
 * hashed (salt first, then the text's bytes), the payload truncated. */
static void test_column_mappers(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, "column.mask.with.5.chars=public\\.outbox\\.note\n"
                                   "column.mask.hash.v2.SHA-256.with.salt.s=PUBLIC.OUTBOX."
                                   "AGGREGATEID\n"
                                   "column.truncate.to.3.chars=public\\.outbox\\.payload\n"
                                   "transforms.o.table.fields.additional.placement="
                                   "note:header,type:header\n"),
                     TW_OK);
    row(fx, "Order", "o-1", "OrderCreated", "{\"qty\": 2}", NULL, "secret");
    assert_int_equal(route(fx), TW_OK);
    assert_string_equal(header(fx, "note"), "*****");
    assert_string_equal(header(fx, "type"), "OrderCreated");
    assert_string_equal(rendered(fx, true),
                        "\"93f52e172185cc0deb2d64147e7d4ba75ffaf114888c3077091e7d3916dc8534\"");
    assert_string_equal(rendered(fx, false), "\"{\\\"q\"");
    assert_string_equal(fx->record.topic, "outbox.event.Order"); /* not mapped */
}

/* A column the filters leave out is missing to the router: an event
 * field is refused before any row; a placement follows
 * table.fields.additional.error.on.missing. */
static void test_column_filters(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, "column.exclude.list=public\\.outbox\\.payload\n"),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(fx->errstr, "table.field.event.payload"));
    assert_non_null(strstr(fx->errstr, "column.exclude.list"));
    teardown(state);
    setup(state);
    fx = *state;
    assert_int_equal(configure(fx, "column.include.list=public\\.outbox\\.(id|aggregate.*|"
                                   "type|payload)\n"
                                   "transforms.o.table.fields.additional.placement=note:header\n"),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(fx->errstr, "\"note\""));
    teardown(state);
    setup(state);
    fx = *state;
    assert_int_equal(configure(fx, "column.exclude.list=public\\.outbox\\.note\n"
                                   "transforms.o.table.fields.additional.placement=note:header\n"
                                   "transforms.o.table.fields.additional.error.on.missing=false\n"),
                     TW_OK);
    row(fx, "Order", "o-1", "OrderCreated", "{}", NULL, "n");
    assert_int_equal(route(fx), TW_OK);
    assert_null(header(fx, "note"));
    assert_string_equal(header(fx, "id"), EVENT_ID);
}

/* With expansion on, a payload that is not JSON is a malformed row. */
static void test_expand_bad_payload(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, "transforms.o.table.expand.json.payload=true\n"), TW_OK);
    row(fx, "Order", "o-3", "T", "{\"qty\": [1, \"two\"]}", NULL, NULL);
    assert_int_equal(route(fx), TW_ERR_MALFORMED);
    assert_true(strlen(fx->errstr) > 0);
}

/* route.tombstone.on.empty.payload: a null payload is a tombstone with
 * the key kept. */
static void test_tombstone(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, "transforms.o.route.tombstone.on.empty.payload=true\n"),
                     TW_OK);
    row(fx, "Order", "o-4", "OrderDeleted", NULL, NULL, NULL);
    assert_int_equal(route(fx), TW_OK);
    assert_int_equal(fx->result, TW_OUTBOX_EMIT);
    assert_string_equal(rendered(fx, false), "<null>");
    assert_string_equal(rendered(fx, true), "\"o-4\"");
}

/* table.field.event.timestamp: the record's timestamp is the column's, in
 * milliseconds. */
static void test_timestamp_column(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, "transforms.o.table.field.event.timestamp=created_at\n"),
                     TW_OK);
    row(fx, "Order", "o-5", "T", "{}", "2023-11-14 22:13:20.5+00", NULL);
    assert_int_equal(route(fx), TW_OK);
    assert_true(fx->record.timestamp_ms == INT64_C(1700000000500));
}

/* A configured column the table lacks is an error at bind time that names
 * the column. */
static void test_bind_missing_column(void **state)
{
    fx_t *fx = *state;

    assert_int_equal(configure(fx, "transforms.o.route.by.field=destination\n"),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(fx->errstr, "destination"));
    assert_null(fx->binding);
}

/* An outbox logical message routes like a row. */
static void test_message(void **state)
{
    fx_t *fx = *state;
    static const char content[] = "{\"id\": \"e-1\", \"aggregatetype\": \"Invoice\","
                                  " \"aggregateid\": \"i-9\", \"type\": \"InvoicePaid\","
                                  " \"payload\": {\"total\": 12}}";
    tw_change_t msg = {0};

    assert_int_equal(configure(fx, "transforms.o.message.prefix=outbox\n"), TW_OK);
    assert_true(tw_outbox_router_takes_message(fx->router, "outbox"));
    assert_false(tw_outbox_router_takes_message(fx->router, "other"));
    msg.op = TW_CHANGE_MESSAGE;
    msg.lsn = 0x16B3748;
    msg.transactional = true;
    msg.prefix = "outbox";
    msg.content = content;
    msg.content_len = (uint32_t)strlen(content);
    assert_int_equal(tw_outbox_route_message(fx->router, &fx->txn, &msg, fx->arena, &fx->record,
                                             &fx->event_id, fx->errstr, sizeof(fx->errstr)),
                     TW_OK);
    assert_string_equal(fx->record.topic, "outbox.event.Invoice");
    assert_string_equal(fx->event_id, "e-1");
    assert_string_equal(rendered(fx, true), "\"i-9\"");
    assert_string_equal(header(fx, "id"), "e-1");
    /* not JSON: an error that says so */
    msg.content = "not json";
    msg.content_len = 8;
    assert_int_equal(tw_outbox_route_message(fx->router, &fx->txn, &msg, fx->arena, &fx->record,
                                             &fx->event_id, fx->errstr, sizeof(fx->errstr)),
                     TW_ERR_MALFORMED);
    assert_non_null(strstr(fx->errstr, "is not a JSON object of outbox fields"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topic_regex_and_replacement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_route_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expand_and_placements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expand_bad_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decimal_default_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_money_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_column_mappers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_column_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tombstone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamp_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_missing_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
