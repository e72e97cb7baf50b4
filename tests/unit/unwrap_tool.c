/*
 * unwrap_tool.c — tidewater's ExtractNewRecordState (unwrap.c) on the cases
 * of tests/integration/unwrap_cases.json, printing one JSON line per event
 * as tests/integration/unwrap_oracle/UnwrapOracle.java prints Debezium's:
 * {case, emitted, topic, key, value, headers}, key and value as
 * JsonConverter (schemas.enable=true) writes them. test_unwrap_diff.py
 * compares the two. The change events are built as Debezium's PostgreSQL
 * connector shapes them (the same schemas as the oracle's).
 *
 * Usage: unwrap_tool unwrap_cases.json
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "codec/converter.h"
#include "config/props.h"
#include "transforms/unwrap.h"

static tw_cs_t *key_schema, *row_schema, *source_schema, *txn_schema, *envelope_schema;
static tw_arena_t *arena;
static json_t *keep; /* owns the JSON leaves datums point at */
static const tw_datum_t none = {NULL, NULL, NULL};

static void add(tw_cs_t *s, const char *name, tw_cs_type_t type, bool optional)
{
    tw_cs_add_field(s, name, tw_cs_new(type, optional, NULL));
}

static void build_schemas(void)
{
    tw_cs_t *email, *snapshot;

    key_schema = tw_cs_new(TW_CS_STRUCT, false, "srv.public.customers.Key");
    add(key_schema, "id", TW_CS_INT32, false);

    row_schema = tw_cs_new(TW_CS_STRUCT, true, "srv.public.customers.Value");
    add(row_schema, "id", TW_CS_INT32, false);
    add(row_schema, "first_name", TW_CS_STRING, true);
    email = tw_cs_new(TW_CS_STRING, true, NULL);
    email->default_value = json_string("none@example.com");
    tw_cs_add_field(row_schema, "email", email);
    add(row_schema, "region", TW_CS_STRING, true);

    source_schema = tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.postgresql.Source");
    add(source_schema, "version", TW_CS_STRING, false);
    add(source_schema, "connector", TW_CS_STRING, false);
    add(source_schema, "name", TW_CS_STRING, false);
    add(source_schema, "ts_ms", TW_CS_INT64, false);
    snapshot = tw_cs_new(TW_CS_STRING, true, "io.debezium.data.Enum");
    snapshot->version = 1;
    tw_cs_set_param(snapshot, "allowed",
                    "true,first,first_in_data_collection,last_in_data_collection,last,false,"
                    "incremental");
    snapshot->default_value = json_string("false");
    tw_cs_add_field(source_schema, "snapshot", snapshot);
    add(source_schema, "db", TW_CS_STRING, false);
    add(source_schema, "sequence", TW_CS_STRING, true);
    add(source_schema, "ts_us", TW_CS_INT64, true);
    add(source_schema, "ts_ns", TW_CS_INT64, true);
    add(source_schema, "schema", TW_CS_STRING, false);
    add(source_schema, "table", TW_CS_STRING, false);
    add(source_schema, "txId", TW_CS_INT64, true);
    add(source_schema, "lsn", TW_CS_INT64, true);
    add(source_schema, "xmin", TW_CS_INT64, true);

    txn_schema = tw_cs_new(TW_CS_STRUCT, true, "event.block");
    txn_schema->version = 1;
    add(txn_schema, "id", TW_CS_STRING, false);
    add(txn_schema, "total_order", TW_CS_INT64, false);
    add(txn_schema, "data_collection_order", TW_CS_INT64, false);

    envelope_schema = tw_cs_new(TW_CS_STRUCT, false, "srv.public.customers.Envelope");
    envelope_schema->version = 2;
    tw_cs_add_field(envelope_schema, "before", tw_cs_ref(row_schema));
    tw_cs_add_field(envelope_schema, "after", tw_cs_ref(row_schema));
    tw_cs_add_field(envelope_schema, "source", tw_cs_ref(source_schema));
    tw_cs_add_field(envelope_schema, "transaction", tw_cs_ref(txn_schema));
    add(envelope_schema, "op", TW_CS_STRING, false);
    add(envelope_schema, "ts_ms", TW_CS_INT64, true);
    add(envelope_schema, "ts_us", TW_CS_INT64, true);
    add(envelope_schema, "ts_ns", TW_CS_INT64, true);
}

/* PostgreSQL values, as transform_envelope.c fills them. */
static tw_datum_t pg_text(const char *s)
{
    tw_value_t *v = tw_arena_alloc(arena, sizeof(*v));
    tw_datum_t d = {NULL, NULL, NULL};

    memset(v, 0, sizeof(*v));
    v->kind = s ? TW_VALUE_TEXT : TW_VALUE_NULL;
    v->type_oid = 25;
    if (s) {
        v->u.str.ptr = s;
        v->u.str.len = strlen(s);
    }
    d.pg = v;
    return d;
}

static tw_datum_t pg_int(int64_t i, uint32_t oid)
{
    tw_value_t *v = tw_arena_alloc(arena, sizeof(*v));
    tw_datum_t d = {NULL, NULL, NULL};

    memset(v, 0, sizeof(*v));
    v->kind = TW_VALUE_INT;
    v->type_oid = oid;
    v->u.i = i;
    d.pg = v;
    return d;
}

static tw_datum_t *fields(size_t n)
{
    return tw_arena_alloc(arena, n * sizeof(tw_datum_t));
}

static tw_datum_t row(const json_t *r)
{
    tw_datum_t d = {NULL, NULL, NULL}, *v;
    static const char *const names[] = {"first_name", "email", "region"};
    size_t i;

    if (r == NULL || json_is_null(r))
        return none;
    v = fields(4);
    v[0] = pg_int(json_integer_value(json_object_get(r, "id")), 23);
    for (i = 0; i < 3; i++)
        v[i + 1] = pg_text(json_string_value(json_object_get(r, names[i])));
    d.fields = v;
    return d;
}

static tw_datum_t source(void)
{
    tw_datum_t d = {NULL, NULL, NULL}, *v = fields(14);

    v[0] = pg_text("3.6.1.Final");
    v[1] = pg_text("postgresql");
    v[2] = pg_text("srv");
    v[3] = pg_int(1559033904863, 20);
    v[4] = pg_text("false");
    v[5] = pg_text("postgres");
    v[6] = pg_text("[\"24023119\",\"24023128\"]");
    v[7] = pg_int(1559033904863123, 20);
    v[8] = pg_int(1559033904863123000, 20);
    v[9] = pg_text("public");
    v[10] = pg_text("customers");
    v[11] = pg_int(555, 20);
    v[12] = pg_int(24023128, 20);
    v[13] = pg_text(NULL);
    d.fields = v;
    return d;
}

static tw_datum_t key_of(int64_t id)
{
    tw_datum_t d = {NULL, NULL, NULL}, *v = fields(1);

    v[0] = pg_int(id, 23);
    d.fields = v;
    return d;
}

static void set_headers(tw_record_t *r, const json_t *hs)
{
    tw_header_t *headers;
    const char *name;
    json_t *value;
    size_t n = 0;

    if (hs == NULL)
        return;
    headers = tw_arena_alloc(arena, (json_object_size(hs) + 1) * sizeof(*headers));
    json_object_foreach((json_t *)hs, name, value) {
        char *text = json_is_array(value) ? json_dumps(value, JSON_COMPACT)
                                          : strdup(json_string_value(value));
        size_t len = strlen(text);
        char *copy = tw_arena_alloc(arena, len + 1);
        memcpy(copy, text, len + 1);
        free(text);
        headers[n++] = (tw_header_t){name, copy, len};
    }
    r->headers = headers;
    r->nheaders = n;
}

static tw_record_t record(const json_t *ev)
{
    tw_record_t r;
    tw_datum_t before, after, *v, *t;

    memset(&r, 0, sizeof(r));
    r.topic = "srv.public.customers";
    r.partition = TW_PARTITION_ANY;
    r.timestamp_ms = 1559033904900;
    set_headers(&r, json_object_get(ev, "headers"));
    if (json_object_get(ev, "tombstone")) {
        r.key_schema = key_schema;
        r.key = key_of(json_integer_value(json_object_get(ev, "key")));
        return r;
    }
    before = row(json_object_get(ev, "before"));
    after = row(json_object_get(ev, "after"));
    v = fields(8);
    v[0] = before;
    v[1] = after;
    v[2] = source();
    v[3] = none;
    if (json_object_get(ev, "txn")) {
        t = fields(3);
        t[0] = pg_text("555:24023128");
        t[1] = pg_int(3, 20);
        t[2] = pg_int(2, 20);
        v[3].fields = t;
    }
    v[4] = pg_text(json_string_value(json_object_get(ev, "op")));
    v[5] = pg_int(1559033904900, 20);
    v[6] = pg_int(1559033904900111, 20);
    v[7] = pg_int(1559033904900111222, 20);
    r.value_schema = envelope_schema;
    r.value.fields = v;
    if (after.fields || before.fields) {
        r.key_schema = key_schema;
        r.key = key_of(after.fields ? after.fields[0].pg->u.i : before.fields[0].pg->u.i);
    }
    return r;
}

static json_t *encode(tw_converter_t *conv, const tw_record_t *r, bool is_key)
{
    const tw_cs_t *schema = is_key ? r->key_schema : r->value_schema;
    const tw_datum_t *datum = is_key ? &r->key : &r->value;
    tw_buf_t buf = TW_BUF_INIT;
    json_error_t jerr;
    json_t *out;
    char errstr[512];

    if (schema == NULL)
        return json_null();
    if (tw_converter_encode(conv, r->topic, (tw_cs_t *)schema, datum, &buf, errstr,
                            sizeof(errstr))) {
        fprintf(stderr, "unwrap_tool: encoding: %s\n", errstr);
        exit(2);
    }
    out = json_loadb(buf.data, buf.len, 0, &jerr);
    tw_buf_free(&buf);
    return out;
}

int main(int argc, char **argv)
{
    json_error_t jerr;
    json_t *doc, *c, *ev, *line, *headers, *pair, *value;
    tw_converter_config_t json_cfg;
    tw_converter_t *keys, *values;
    size_t i, k, h;
    char errstr[512];
    const char *name;
    int status = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: unwrap_tool unwrap_cases.json\n");
        return 2;
    }
    doc = json_load_file(argv[1], 0, &jerr);
    if (doc == NULL) {
        fprintf(stderr, "unwrap_tool: %s: %s\n", argv[1], jerr.text);
        return 2;
    }
    arena = tw_arena_new(65536);
    keep = json_array();
    build_schemas();
    memset(&json_cfg, 0, sizeof(json_cfg));
    json_cfg.kind = TW_CONVERTER_JSON;
    json_cfg.schemas_enable = true;
    if (tw_converter_new(&json_cfg, true, &keys, errstr, sizeof(errstr)) ||
        tw_converter_new(&json_cfg, false, &values, errstr, sizeof(errstr))) {
        fprintf(stderr, "unwrap_tool: %s\n", errstr);
        return 2;
    }
    json_array_foreach(json_object_get(doc, "cases"), i, c) {
        tw_buf_t text = TW_BUF_INIT;
        tw_props_t *props = tw_props_new();
        tw_config_t cfg;
        tw_unwrap_t *u = NULL;
        tw_err_t err;

        tw_buf_append_str(&text, "topic.prefix=srv\ndatabase.user=u\ndatabase.dbname=d\n"
                                 "transforms=unwrap\ntransforms.unwrap.type="
                                 "io.debezium.transforms.ExtractNewRecordState\n");
        json_object_foreach(json_object_get(c, "options"), name, value)
            tw_buf_printf(&text, "transforms.unwrap.%s=%s\n", name, json_string_value(value));
        memset(&cfg, 0, sizeof(cfg));
        err = tw_props_parse(props, text.data, text.len, "case", errstr, sizeof(errstr));
        if (err == TW_OK)
            err = tw_props_resolve(props, errstr, sizeof(errstr));
        if (err == TW_OK)
            err = tw_config_from_props(props, &cfg, errstr, sizeof(errstr));
        if (err == TW_OK)
            err = tw_unwrap_new(&cfg.transforms[0].unwrap, "unwrap", &u, errstr, sizeof(errstr));
        tw_props_destroy(props);
        tw_buf_free(&text);
        if (err) {
            fprintf(stderr, "unwrap_tool: case %s: %s\n",
                    json_string_value(json_object_get(c, "name")), errstr);
            return 2;
        }
        /* One batch per case, as one change's records: a tombstone right
         * after a delete shares its headers (tw_unwrap_apply_records). */
        {
            size_t nev = json_array_size(json_object_get(c, "events"));
            tw_record_t *in = tw_arena_alloc(arena, (nev + 1) * sizeof(*in));
            tw_record_t *out = tw_arena_alloc(arena, (nev + 1) * sizeof(*out));
            bool *emitted = tw_arena_alloc(arena, nev + 1);
            json_array_foreach(json_object_get(c, "events"), k, ev)
                in[k] = record(ev);
            err = tw_unwrap_apply_records(u, in, NULL, nev, arena, out, emitted, errstr,
                                          sizeof(errstr));
            if (err) {
                fprintf(stderr, "unwrap_tool: case %s: %s\n",
                        json_string_value(json_object_get(c, "name")), errstr);
                status = 1;
                nev = 0;
            }
            for (k = 0; k < nev; k++) {
                line = json_object();
                json_object_set(line, "case", json_object_get(c, "name"));
                json_object_set_new(line, "emitted", json_boolean(emitted[k]));
                if (emitted[k]) {
                    json_object_set_new(line, "topic", json_string(out[k].topic));
                    json_object_set_new(line, "key", encode(keys, &out[k], true));
                    json_object_set_new(line, "value", encode(values, &out[k], false));
                    headers = json_array();
                    for (h = 0; h < out[k].nheaders; h++) {
                        pair = json_array();
                        json_array_append_new(pair, json_string(out[k].headers[h].name));
                        json_array_append_new(pair,
                                              out[k].headers[h].value
                                                  ? json_stringn(out[k].headers[h].value,
                                                                 out[k].headers[h].len)
                                                  : json_null());
                        json_array_append_new(headers, pair);
                    }
                    json_object_set_new(line, "headers", headers);
                }
                {
                    char *dumped = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
                    printf("%s\n", dumped);
                    free(dumped);
                }
                json_decref(line);
            }
            tw_arena_reset(arena);
        }
        tw_unwrap_destroy(u);
        tw_config_clear(&cfg);
    }
    tw_converter_destroy(keys);
    tw_converter_destroy(values);
    tw_cs_unref(key_schema);
    tw_cs_unref(row_schema);
    tw_cs_unref(source_schema);
    tw_cs_unref(txn_schema);
    tw_cs_unref(envelope_schema);
    json_decref(keep);
    json_decref(doc);
    tw_arena_destroy(arena);
    return status;
}
