/*
 * unwrap_tool.c — tidewater's ExtractNewRecordState (unwrap.c) on the cases
 * of tests/integration/unwrap_cases.json, printing one JSON line per event
 * as tests/integration/unwrap_oracle/UnwrapOracle.java prints Debezium's:
 * {case, emitted, topic, key, value, headers}, key and value as
 * JsonConverter (schemas.enable=true) writes them. test_unwrap_diff.py
 * compares the two. The change events are built as Debezium's PostgreSQL
 * connector shapes them (the same schemas as the oracle's), by
 * change_event_builder.c, which test_unwrap.c builds its events with too.
 *
 * Usage: unwrap_tool unwrap_cases.json
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "codec/converter.h"
#include "transforms/unwrap.h"

#include "change_event_builder.h"
#include "config_text.h"

static tw_arena_t *arena;
static ceb_t b; /* the change events and their schemas */

/* A row of the case file: {id, first_name, email, region}, or null. */
static tw_datum_t row(const json_t *r)
{
    if (r == NULL || json_is_null(r))
        return ceb_none;
    return ceb_row(&b, json_integer_value(json_object_get(r, "id")),
                   json_string_value(json_object_get(r, "first_name")),
                   json_string_value(json_object_get(r, "email")),
                   json_string_value(json_object_get(r, "region")));
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

/* One event of the case file: {op, before, after, txn, headers}, or
 * {tombstone, key, headers}. */
static tw_record_t record(const json_t *ev)
{
    tw_record_t r;
    tw_datum_t before, after;
    int64_t id;

    if (json_object_get(ev, "tombstone")) {
        r = ceb_tombstone(&b, json_integer_value(json_object_get(ev, "key")));
    } else {
        before = row(json_object_get(ev, "before"));
        after = row(json_object_get(ev, "after"));
        /* The key is the row's; a truncate (neither) has none. */
        id = after.fields ? after.fields[0].pg->u.i : before.fields ? before.fields[0].pg->u.i : 0;
        if (json_object_get(ev, "txn"))
            r = ceb_event_in_txn(&b, json_string_value(json_object_get(ev, "op")), before, after,
                                 id);
        else
            r = ceb_event(&b, json_string_value(json_object_get(ev, "op")), before, after, id);
        if (after.fields == NULL && before.fields == NULL) {
            r.key_schema = NULL;
            r.key = ceb_none;
        }
    }
    set_headers(&r, json_object_get(ev, "headers"));
    return r;
}

static json_t *encode(tw_converter_t *conv, const tw_record_t *r, bool is_key)
{
    const tw_cs_t *schema = is_key ? r->key_schema : r->value_schema;
    json_t *out;
    char errstr[512];

    if (schema == NULL)
        return json_null();
    if (ceb_encode(conv, r->topic, schema, is_key ? &r->key : &r->value, &out, errstr,
                   sizeof(errstr))) {
        fprintf(stderr, "unwrap_tool: encoding: %s\n", errstr);
        exit(2);
    }
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
    ceb_init(&b, arena);
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
        tw_config_t cfg;
        tw_unwrap_t *u = NULL;
        tw_err_t err;

        tw_buf_append_str(&text, "topic.prefix=srv\ndatabase.user=u\ndatabase.dbname=d\n"
                                 "transforms=unwrap\ntransforms.unwrap.type="
                                 "io.debezium.transforms.ExtractNewRecordState\n");
        json_object_foreach(json_object_get(c, "options"), name, value)
            tw_buf_printf(&text, "transforms.unwrap.%s=%s\n", name, json_string_value(value));
        err = config_from_text(text.data, &cfg, errstr, sizeof(errstr));
        if (err == TW_OK)
            err = tw_unwrap_new(&cfg.transforms[0].unwrap, "unwrap", &u, errstr, sizeof(errstr));
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
    ceb_clear(&b);
    json_decref(doc);
    tw_arena_destroy(arena);
    return status;
}
