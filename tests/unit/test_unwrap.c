/*
 * test_unwrap.c — ExtractNewRecordState on change events built by hand in
 * the shape Debezium's PostgreSQL connector gives them (key
 * <prefix>.<schema>.<table>.Key, value ...Envelope with before, after,
 * source (io.debezium.connector.postgresql.Source), transaction, op,
 * ts_ms, ts_us, ts_ns): every delete.tombstone.handling.mode on creates,
 * deletes, tombstones and truncates; add.fields, add.headers (and their
 * prefixes and renames), route.by.field, drop.fields.*,
 * replace.null.with.default; records that are no envelope pass; derived
 * schemas are built once. Outputs are compared as JsonConverter text
 * (schemas.enable=true) through converter.c, with what Debezium writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "codec/converter.h"
#include "transforms/transform.h"
#include "transforms/unwrap.h"

#include "change_event_builder.h"
#include "config_text.h"

/* ---- config ---- */

#define BASE                                                                                   \
    "topic.prefix=srv\ndatabase.user=u\ndatabase.dbname=d\n"                                   \
    "transforms=unwrap\n"                                                                      \
    "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState\n"

static void expect_config_error(const char *text, const char *needle)
{
    tw_config_t cfg;
    char errstr[512];

    assert_int_equal(config_from_text(text, &cfg, errstr, sizeof(errstr)), TW_ERR_CONFIG);
    if (strstr(errstr, needle) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", errstr, needle);
    tw_config_clear(&cfg);
}

static void test_config(void **state)
{
    tw_config_t cfg;
    tw_transform_chain_t *chain = NULL;
    tw_unwrap_t *u = NULL;
    char errstr[512];

    (void)state;
    assert_int_equal(config_from_text(BASE, &cfg, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(cfg.transforms[0].kind, TW_TRANSFORM_UNWRAP);
    /* Debezium's defaults. */
    assert_int_equal(cfg.transforms[0].unwrap.delete_mode, TW_UNWRAP_TOMBSTONE);
    assert_string_equal(cfg.transforms[0].unwrap.add_fields_prefix, "__");
    assert_string_equal(cfg.transforms[0].unwrap.add_headers_prefix, "__");
    assert_string_equal(cfg.transforms[0].unwrap.route_by_field, "");
    assert_true(cfg.transforms[0].unwrap.replace_null_with_default);
    assert_false(cfg.transforms[0].unwrap.drop_fields_from_key);
    assert_true(cfg.transforms[0].unwrap.drop_fields_keep_schema_compatible);
    assert_null(cfg.transforms[0].unwrap.drop_fields_header_name);
    /* A record transform: it never takes a table's changes itself. */
    assert_int_equal(tw_transform_chain_new(&cfg, &chain, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_transform_chain_find(chain, "srv.public.customers"), -1);
    tw_transform_chain_destroy(chain);
    tw_config_clear(&cfg);
    /* Listed before a transform that makes records, it is refused. */
    assert_int_equal(
        config_from_text(BASE "transforms=unwrap,o\n"
                              "transforms.o.type=io.debezium.transforms.outbox.EventRouter\n",
                         &cfg, errstr, sizeof(errstr)),
        TW_OK);
    assert_int_equal(tw_transform_chain_new(&cfg, &chain, errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "list o before"));
    tw_config_clear(&cfg);

    assert_int_equal(config_from_text(BASE
                                      "transforms.unwrap.delete.tombstone.handling.mode=rewrite\n"
                                      "transforms.unwrap.add.fields=op,source.ts_ms:ts\n"
                                      "transforms.unwrap.add.headers=op\n"
                                      "transforms.unwrap.add.fields.prefix=m_\n"
                                      "transforms.unwrap.route.by.field=region\n",
                                      &cfg, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(cfg.transforms[0].unwrap.delete_mode, TW_UNWRAP_REWRITE);
    assert_string_equal(cfg.transforms[0].unwrap.add_fields, "op,source.ts_ms:ts");
    assert_string_equal(cfg.transforms[0].unwrap.route_by_field, "region");
    tw_config_clear(&cfg);

    /* An outbox key on an unwrap transform is unknown, and the reverse. */
    expect_config_error(BASE "transforms.unwrap.table.field.event.id=id\n",
                        "unknown config key \"transforms.unwrap.table.field.event.id\"");
    expect_config_error("topic.prefix=srv\ndatabase.user=u\ndatabase.dbname=d\n"
                        "transforms=o\n"
                        "transforms.o.type=io.debezium.transforms.outbox.EventRouter\n"
                        "transforms.o.add.fields=op\n",
                        "unknown config key \"transforms.o.add.fields\"");
    expect_config_error(BASE "transforms.unwrap.add.field=op\n", "did you mean");
    expect_config_error(BASE "transforms.unwrap.delete.tombstone.handling.mode=rewrite_all\n",
                        "delete.tombstone.handling.mode");
    /* Removed in Debezium 3.2. */
    expect_config_error(BASE "transforms.unwrap.delete.handling.mode=rewrite\n",
                        "delete.tombstone.handling.mode");
    expect_config_error(BASE "transforms.unwrap.drop.tombstones=false\n",
                        "rewrite-with-tombstone");
    expect_config_error("topic.prefix=srv\ndatabase.user=u\ndatabase.dbname=d\n"
                        "transforms=x\ntransforms.x.type=io.debezium.transforms.Nope\n",
                        "transforms.x.type");

    /* add.fields items that are not field, struct.field or field:name. */
    assert_int_equal(config_from_text(BASE "transforms.unwrap.add.fields=op:a:b\n", &cfg, errstr,
                                      sizeof(errstr)),
                     TW_OK);
    assert_int_equal(tw_unwrap_new(&cfg.transforms[0].unwrap, "unwrap", &u, errstr,
                                   sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "transforms.unwrap.add.fields: \"op:a:b\""));
    assert_null(u);
    tw_config_clear(&cfg);
}

/* ---- change events as Debezium's PostgreSQL connector shapes them ---- */

typedef struct fixture {
    tw_arena_t *arena;
    ceb_t b; /* the change events and their schemas */
    tw_converter_t *json;
    tw_converter_config_t json_cfg;
    tw_config_t cfg;
    tw_unwrap_t *u;
} fixture_t;

static const tw_datum_t none = {NULL, NULL, NULL};

static void setup_with(fixture_t *f, const char *options)
{
    char text[2048], errstr[512];

    memset(f, 0, sizeof(*f));
    f->arena = tw_arena_new(4096);
    ceb_init(&f->b, f->arena);
    f->json_cfg.kind = TW_CONVERTER_JSON;
    f->json_cfg.schemas_enable = true;
    assert_int_equal(tw_converter_new(&f->json_cfg, false, &f->json, errstr, sizeof(errstr)),
                     TW_OK);
    snprintf(text, sizeof(text), "%s%s", BASE, options);
    if (config_from_text(text, &f->cfg, errstr, sizeof(errstr)) != TW_OK)
        fail_msg("config: %s", errstr);
    if (tw_unwrap_new(&f->cfg.transforms[0].unwrap, "unwrap", &f->u, errstr, sizeof(errstr)))
        fail_msg("unwrap: %s", errstr);
}

static void teardown(fixture_t *f)
{
    tw_unwrap_destroy(f->u);
    tw_config_clear(&f->cfg);
    tw_converter_destroy(f->json);
    ceb_clear(&f->b);
    tw_arena_destroy(f->arena);
}

static tw_record_t apply(fixture_t *f, const tw_record_t *in, bool expect_emitted)
{
    tw_record_t out;
    bool emitted;
    char errstr[512];

    if (tw_unwrap_apply(f->u, in, f->arena, &out, &emitted, errstr, sizeof(errstr)))
        fail_msg("apply: %s", errstr);
    assert_int_equal(emitted, expect_emitted);
    return out;
}

/* The value (or key) as JsonConverter writes it; "TOMBSTONE" for no
 * schema. Compared as JSON, so key order inside objects is free but field
 * order (arrays) is not. */
static void expect_json(fixture_t *f, const tw_cs_t *schema, const tw_datum_t *datum,
                        const char *expected)
{
    char errstr[512];
    json_t *got, *want;
    json_error_t jerr;

    if (schema == NULL) {
        assert_string_equal("TOMBSTONE", expected);
        return;
    }
    if (ceb_encode(f->json, "t", schema, datum, &got, errstr, sizeof(errstr)))
        fail_msg("encode: %s", errstr);
    want = json_loads(expected, 0, &jerr);
    if (want == NULL)
        fail_msg("bad expectation %s: %s", expected, jerr.text);
    if (!json_equal(got, want)) {
        char *text = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fail_msg("got  %s\nwant %s", text, expected);
    }
    json_decref(got);
    json_decref(want);
}

#define ROW_FIELDS                                                                             \
    "[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"                               \
    "{\"type\":\"string\",\"optional\":true,\"field\":\"first_name\"},"                        \
    "{\"type\":\"string\",\"optional\":true,\"default\":\"none@example.com\","                 \
    "\"field\":\"email\"},"                                                                    \
    "{\"type\":\"string\",\"optional\":true,\"field\":\"region\"}"
#define DELETED_FIELD ",{\"type\":\"string\",\"optional\":true,\"field\":\"__deleted\"}"
#define VALUE_NAME "\"name\":\"srv.public.customers.Value\""
/* A delete's null value keeps the envelope's optional Value schema. */
#define AFTER_SCHEMA                                                                           \
    "{\"type\":\"struct\",\"fields\":" ROW_FIELDS "],\"optional\":true," VALUE_NAME "}"
/* Every row that has a value went through Debezium's add.fields step
 * (even with no fields to add) and maybe InsertField: a required copy. */
#define REBUILT(extra)                                                                         \
    "{\"type\":\"struct\",\"fields\":" ROW_FIELDS extra "],\"optional\":false," VALUE_NAME "}"

#define ANNE "\"id\":1,\"first_name\":\"Anne\",\"email\":\"annek@noanswer.org\",\"region\":\"eu\""
#define ANNE2 "\"id\":1,\"first_name\":\"Anne Marie\",\"email\":\"annek@noanswer.org\",\"region\":\"eu\""

static void test_default_mode(void **state)
{
    fixture_t f;
    tw_record_t in, out;

    (void)state;
    setup_with(&f, "");
    /* create, update: the new row as it is, key, topic and timestamp kept */
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" REBUILT("") ",\"payload\":{" ANNE "}}");
    assert_ptr_not_equal(out.value_schema, f.b.row);
    assert_ptr_equal(out.key_schema, f.b.key);
    assert_string_equal(out.topic, "srv.public.customers");
    assert_int_equal(out.timestamp_ms, 1559033904900);
    assert_int_equal(out.nheaders, 0);
    in = ceb_event(&f.b, "u", ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"),
                   ceb_row(&f.b, 1, "Anne Marie", "annek@noanswer.org", "eu"), 1);
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" REBUILT("") ",\"payload\":{" ANNE2 "}}");
    /* a snapshot read likewise */
    in = ceb_event(&f.b, "r", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" REBUILT("") ",\"payload\":{" ANNE "}}");
    /* delete (tombstone mode): a null value that keeps the row schema */
    in = ceb_event(&f.b, "d", ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), none, 1);
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" AFTER_SCHEMA ",\"payload\":null}");
    expect_json(&f, out.key_schema, &out.key,
                "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":"
                "false,\"field\":\"id\"}],\"optional\":false,\"name\":\"srv.public.customers."
                "Key\"},\"payload\":{\"id\":1}}");
    /* the tombstone after it: dropped */
    in = ceb_tombstone(&f.b, 1);
    apply(&f, &in, false);
    /* truncate (no before, no after): dropped */
    in = ceb_event(&f.b, "t", none, none, 0);
    in.key_schema = NULL;
    apply(&f, &in, false);
    assert_int_equal(tw_unwrap_cached_schemas(f.u), 1);
    teardown(&f);
}

static void test_delete_modes(void **state)
{
    static const struct {
        const char *mode;
        const char *create;    /* JSON of the value, NULL: dropped */
        const char *remove;    /* JSON of the delete's value, NULL: dropped */
        const char *tombstone; /* "TOMBSTONE" when kept */
    } cases[] = {
        {"tombstone", "{\"schema\":" REBUILT("") ",\"payload\":{" ANNE "}}",
         "{\"schema\":" AFTER_SCHEMA ",\"payload\":null}", NULL},
        {"drop", "{\"schema\":" REBUILT("") ",\"payload\":{" ANNE "}}", NULL, NULL},
        {"rewrite",
         "{\"schema\":" REBUILT(DELETED_FIELD) ",\"payload\":{" ANNE ",\"__deleted\":\"false\"}}",
         "{\"schema\":" REBUILT(DELETED_FIELD) ",\"payload\":{" ANNE ",\"__deleted\":\"true\"}}",
         NULL},
        {"rewrite-with-tombstone",
         "{\"schema\":" REBUILT(DELETED_FIELD) ",\"payload\":{" ANNE ",\"__deleted\":\"false\"}}",
         "{\"schema\":" REBUILT(DELETED_FIELD) ",\"payload\":{" ANNE ",\"__deleted\":\"true\"}}",
         "TOMBSTONE"},
        {"delete-to-tombstone", "{\"schema\":" REBUILT("") ",\"payload\":{" ANNE "}}",
         "TOMBSTONE", NULL},
    };
    size_t i;
    char options[256];

    (void)state;
    for (i = 0; i < TW_ARRAY_SIZE(cases); i++) {
        fixture_t f;
        tw_record_t in, out;
        snprintf(options, sizeof(options),
                 "transforms.unwrap.delete.tombstone.handling.mode=%s\n", cases[i].mode);
        setup_with(&f, options);
        print_message("# mode %s\n", cases[i].mode);
        in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
        out = apply(&f, &in, true);
        expect_json(&f, out.value_schema, &out.value, cases[i].create);
        in = ceb_event(&f.b, "d", ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), none, 1);
        out = apply(&f, &in, cases[i].remove != NULL);
        if (cases[i].remove) {
            expect_json(&f, out.value_schema, &out.value, cases[i].remove);
            assert_ptr_equal(out.key_schema, f.b.key);
        }
        in = ceb_tombstone(&f.b, 1);
        out = apply(&f, &in, cases[i].tombstone != NULL);
        if (cases[i].tombstone) {
            assert_null(out.value_schema);
            assert_ptr_equal(out.key_schema, f.b.key);
        }
        /* a delete whose old row PostgreSQL did not send (REPLICA IDENTITY
         * NOTHING) reads like a truncate: dropped in every mode */
        in = ceb_event(&f.b, "d", none, none, 1);
        apply(&f, &in, false);
        teardown(&f);
    }
}

#define ADDED                                                                                  \
    ",{\"type\":\"string\",\"optional\":true,\"field\":\"__op\"}"                              \
    ",{\"type\":\"string\",\"optional\":true,\"field\":\"__table\"}"                           \
    ",{\"type\":\"int64\",\"optional\":true,\"field\":\"__lsn\"}"                              \
    ",{\"type\":\"int64\",\"optional\":true,\"field\":\"__source_ts_ms\"}"                     \
    ",{\"type\":\"int64\",\"optional\":true,\"field\":\"__event_ts\"}"                         \
    ",{\"type\":\"string\",\"optional\":true,\"field\":\"__id\"}"                              \
    ",{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1," \
    "\"parameters\":{\"allowed\":\"true,first,first_in_data_collection,last_in_data_"         \
    "collection,last,false,incremental\"},\"field\":\"__snapshot\"}"
#define ADDED_VALUES(op)                                                                       \
    ",\"__op\":\"" op "\",\"__table\":\"customers\",\"__lsn\":24023128,"                       \
    "\"__source_ts_ms\":1559033904863,\"__event_ts\":1559033904900,\"__id\":null,"             \
    "\"__snapshot\":\"false\""

static void test_add_fields(void **state)
{
    fixture_t f;
    tw_record_t in, out, first;
    int i;

    (void)state;
    /* op and ts_ms from the envelope, id from transaction (null here: no
     * transaction metadata), the rest from source; f:NEW renames; a name
     * the envelope lacks adds nothing; the snapshot Enum keeps its
     * name and parameters but not its default. */
    setup_with(&f, "transforms.unwrap.add.fields=op,table,lsn,source.ts_ms,ts_ms:event_ts,id,"
                   "nosuch,snapshot\n");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    first = out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" REBUILT(ADDED) ",\"payload\":{" ANNE ADDED_VALUES("c") "}}");
    /* A delete in tombstone mode has no value to add to. */
    in = ceb_event(&f.b, "d", ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), none, 1);
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" AFTER_SCHEMA ",\"payload\":null}");
    /* Built once: a thousand more events reuse the schema. */
    for (i = 0; i < 1000; i++) {
        in = ceb_event(&f.b, "u", ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"),
                       ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
        out = apply(&f, &in, true);
        assert_ptr_equal(out.value_schema, first.value_schema);
        tw_arena_reset(f.arena);
    }
    assert_int_equal(tw_unwrap_cached_schemas(f.u), 1);
    teardown(&f);

    /* With rewrite, the fields follow __deleted, on deletes too; a prefix. */
    setup_with(&f, "transforms.unwrap.add.fields=op,lsn:pos\n"
                   "transforms.unwrap.add.fields.prefix=meta_\n"
                   "transforms.unwrap.delete.tombstone.handling.mode=rewrite\n");
    in = ceb_event(&f.b, "d", ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), none, 1);
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" REBUILT(DELETED_FIELD ",{\"type\":\"string\",\"optional\":true,"
                                                     "\"field\":\"meta_op\"},{\"type\":\"int64\","
                                                     "\"optional\":true,\"field\":\"meta_pos\"}")
                ",\"payload\":{" ANNE ",\"__deleted\":\"true\",\"meta_op\":\"d\","
                "\"meta_pos\":24023128}}");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" REBUILT(DELETED_FIELD ",{\"type\":\"string\",\"optional\":true,"
                                                     "\"field\":\"meta_op\"},{\"type\":\"int64\","
                                                     "\"optional\":true,\"field\":\"meta_pos\"}")
                ",\"payload\":{" ANNE ",\"__deleted\":\"false\",\"meta_op\":\"c\","
                "\"meta_pos\":24023128}}");
    /* __deleted once, add.fields once: both events share the schemas */
    assert_int_equal(tw_unwrap_cached_schemas(f.u), 2);
    teardown(&f);

    /* A struct the envelope lacks is an error for the record. */
    setup_with(&f, "transforms.unwrap.add.fields=nosuch.field\n");
    {
        char errstr[256];
        bool emitted;
        in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
        assert_int_equal(tw_unwrap_apply(f.u, &in, f.arena, &out, &emitted, errstr,
                                         sizeof(errstr)),
                         TW_ERR_MALFORMED);
        assert_non_null(strstr(errstr, "nosuch"));
    }
    teardown(&f);
}

static const tw_header_t *header(const tw_record_t *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return &r->headers[i];
    return NULL;
}

static void expect_header(const tw_record_t *r, const char *name, const char *value)
{
    const tw_header_t *h = header(r, name);

    if (h == NULL)
        fail_msg("no header %s", name);
    if (value == NULL) {
        assert_null(h->value);
        return;
    }
    assert_non_null(h->value);
    assert_int_equal(h->len, strlen(value));
    assert_memory_equal(h->value, value, h->len);
}

static void test_add_headers(void **state)
{
    fixture_t f;
    tw_record_t in, out;
    tw_header_t kept = {"existing", "x", 1};

    (void)state;
    setup_with(&f, "transforms.unwrap.add.headers=op,source.ts_ms,db:database,id,lsn\n"
                   "transforms.unwrap.add.headers.prefix=h_\n"
                   "transforms.unwrap.delete.tombstone.handling.mode=rewrite-with-tombstone\n");
    in = ceb_event(&f.b, "u", ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"),
                   ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    in.headers = &kept;
    in.nheaders = 1;
    out = apply(&f, &in, true);
    assert_int_equal(out.nheaders, 6);
    expect_header(&out, "existing", "x");
    expect_header(&out, "h_op", "u");
    expect_header(&out, "h_source_ts_ms", "1559033904863");
    expect_header(&out, "h_database", "postgres");
    expect_header(&out, "h_id", NULL); /* no transaction block: a null header */
    expect_header(&out, "h_lsn", "24023128");
    /* the value has no added fields */
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":" REBUILT(DELETED_FIELD) ",\"payload\":{" ANNE
                ",\"__deleted\":\"false\"}}");
    /* a tombstone gets only op, as "d" */
    in = ceb_tombstone(&f.b, 1);
    out = apply(&f, &in, true);
    assert_int_equal(out.nheaders, 1);
    expect_header(&out, "h_op", "d");
    /* a record that is no change event passes untouched, without headers */
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    in.value_schema = f.b.row;
    in.value = ceb_row(&f.b, 7, "Outbox", "o@example.com", "us");
    out = apply(&f, &in, true);
    assert_int_equal(out.nheaders, 0);
    assert_ptr_equal(out.value_schema, f.b.row);
    assert_ptr_equal(out.value.fields, in.value.fields);
    assert_string_equal(out.topic, in.topic);
    teardown(&f);
}

static void test_a_change_s_records(void **state)
{
    fixture_t f;
    tw_record_t in[4], out[4];
    bool emitted[4], selected[4] = {true, true, true, false};
    char errstr[256];

    (void)state;
    setup_with(&f, "transforms.unwrap.add.headers=op\n"
                   "transforms.unwrap.delete.tombstone.handling.mode=rewrite-with-tombstone\n");
    in[0] = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "a@b", "eu"), 1);
    in[1] = ceb_event(&f.b, "d", ceb_row(&f.b, 1, "Anne", "a@b", "eu"), none, 1);
    in[2] = ceb_tombstone(&f.b, 1);
    in[3] = ceb_event(&f.b, "c", none, ceb_row(&f.b, 2, "Bob", "b@c", "us"), 2);
    assert_int_equal(tw_unwrap_apply_records(f.u, in, selected, 4, f.arena, out, emitted,
                                             errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(emitted[0] && emitted[1] && emitted[2] && emitted[3]);
    assert_int_equal(out[0].nheaders, 1);
    expect_header(&out[1], "__op", "d");
    assert_int_equal(out[1].nheaders, 1);
    /* The tombstone shares the delete's headers (Debezium's one headers
     * object): the delete's __op, then its own. */
    assert_int_equal(out[2].nheaders, 2);
    assert_string_equal(out[2].headers[0].name, "__op");
    assert_string_equal(out[2].headers[1].name, "__op");
    assert_null(out[2].value_schema);
    /* Not selected: passed as it is, still an envelope. */
    assert_ptr_equal(out[3].value_schema, f.b.envelope);
    assert_int_equal(out[3].nheaders, 0);
    /* A tombstone alone gets only its own. */
    assert_int_equal(tw_unwrap_apply_records(f.u, &in[2], NULL, 1, f.arena, out, emitted,
                                             errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(out[0].nheaders, 1);
    teardown(&f);
}

static void test_route_by_field(void **state)
{
    fixture_t f;
    tw_record_t in, out;
    char errstr[256];
    bool emitted;

    (void)state;
    setup_with(&f, "transforms.unwrap.route.by.field=region\n"
                   "transforms.unwrap.delete.tombstone.handling.mode=rewrite\n");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    out = apply(&f, &in, true);
    assert_string_equal(out.topic, "eu");
    /* a delete routes by the old row */
    in = ceb_event(&f.b, "d", ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "us"), none, 1);
    out = apply(&f, &in, true);
    assert_string_equal(out.topic, "us");
    /* null or blank keeps the topic */
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", NULL), 1);
    out = apply(&f, &in, true);
    assert_string_equal(out.topic, "srv.public.customers");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "  "), 1);
    out = apply(&f, &in, true);
    assert_string_equal(out.topic, "srv.public.customers");
    teardown(&f);

    setup_with(&f, "transforms.unwrap.route.by.field=id\n");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    assert_int_equal(
        tw_unwrap_apply(f.u, &in, f.arena, &out, &emitted, errstr, sizeof(errstr)),
        TW_ERR_MALFORMED);
    assert_non_null(strstr(errstr, "route.by.field=id"));
    teardown(&f);
}

static void test_drop_fields(void **state)
{
    fixture_t f;
    tw_record_t in, out;
    tw_header_t drop = {"drop", "[\"email\",\"id\"]", 14};
    tw_header_t bad = {"drop", "email", 5};
    char errstr[256];
    bool emitted;

    (void)state;
    /* keep.schema.compatible (default): only optional fields go; the key
     * is left alone */
    setup_with(&f, "transforms.unwrap.drop.fields.header.name=drop\n");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    in.headers = &drop;
    in.nheaders = 1;
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":"
                "false,\"field\":\"id\"},{\"type\":\"string\",\"optional\":true,\"field\":"
                "\"first_name\"},{\"type\":\"string\",\"optional\":true,\"field\":\"region\"}],"
                "\"optional\":false," VALUE_NAME "},\"payload\":{\"id\":1,\"first_name\":"
                "\"Anne\",\"region\":\"eu\"}}");
    assert_ptr_equal(out.key_schema, f.b.key);
    /* no header: nothing dropped */
    in.nheaders = 0;
    out = apply(&f, &in, true);
    assert_int_equal(out.value_schema->nfields, 4);
    /* a header that is no list of names */
    in.headers = &bad;
    in.nheaders = 1;
    assert_int_equal(
        tw_unwrap_apply(f.u, &in, f.arena, &out, &emitted, errstr, sizeof(errstr)),
        TW_ERR_MALFORMED);
    assert_non_null(strstr(errstr, "drop.fields.header.name=drop"));
    teardown(&f);

    /* every named field goes, from the key too */
    setup_with(&f, "transforms.unwrap.drop.fields.header.name=drop\n"
                   "transforms.unwrap.drop.fields.keep.schema.compatible=false\n"
                   "transforms.unwrap.drop.fields.from.key=true\n");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", "annek@noanswer.org", "eu"), 1);
    in.headers = &drop;
    in.nheaders = 1;
    out = apply(&f, &in, true);
    expect_json(&f, out.value_schema, &out.value,
                "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":"
                "true,\"field\":\"first_name\"},{\"type\":\"string\",\"optional\":true,"
                "\"field\":\"region\"}],\"optional\":false," VALUE_NAME "},\"payload\":{"
                "\"first_name\":\"Anne\",\"region\":\"eu\"}}");
    expect_json(&f, out.key_schema, &out.key,
                "{\"schema\":{\"type\":\"struct\",\"fields\":[],\"optional\":false,\"name\":"
                "\"srv.public.customers.Key\"},\"payload\":{}}");
    /* the same names again: the same schemas */
    {
        const tw_cs_t *value_schema = out.value_schema, *key_schema = out.key_schema;
        out = apply(&f, &in, true);
        assert_ptr_equal(out.value_schema, value_schema);
        assert_ptr_equal(out.key_schema, key_schema);
    }
    teardown(&f);
}

static void test_replace_null_with_default(void **state)
{
    fixture_t f;
    tw_record_t in, out;

    (void)state;
    /* rewrite (InsertField) reads a null email through its default */
    setup_with(&f, "transforms.unwrap.delete.tombstone.handling.mode=rewrite\n");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", NULL, "eu"), 1);
    out = apply(&f, &in, true);
    assert_non_null(out.value.fields[2].json);
    assert_string_equal(json_string_value(out.value.fields[2].json), "none@example.com");
    assert_true(tw_datum_is_null(&out.value.fields[1]) == false);
    teardown(&f);

    setup_with(&f, "transforms.unwrap.delete.tombstone.handling.mode=rewrite\n"
                   "transforms.unwrap.replace.null.with.default=false\n");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", NULL, "eu"), 1);
    out = apply(&f, &in, true);
    assert_true(tw_datum_is_null(&out.value.fields[2]));
    teardown(&f);

    /* without rewrite the row is passed as it is: null stays null */
    setup_with(&f, "");
    in = ceb_event(&f.b, "c", none, ceb_row(&f.b, 1, "Anne", NULL, "eu"), 1);
    out = apply(&f, &in, true);
    assert_true(tw_datum_is_null(&out.value.fields[2]));
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_default_mode),
        cmocka_unit_test(test_delete_modes),
        cmocka_unit_test(test_add_fields),
        cmocka_unit_test(test_add_headers),
        cmocka_unit_test(test_a_change_s_records),
        cmocka_unit_test(test_route_by_field),
        cmocka_unit_test(test_drop_fields),
        cmocka_unit_test(test_replace_null_with_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
