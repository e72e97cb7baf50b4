/*
 * change_event_builder.c — see change_event_builder.h.
 */
#include "change_event_builder.h"

#include <string.h>

#include "util/buf.h"

const tw_datum_t ceb_none = {NULL, NULL, NULL};

static tw_cs_t *field(tw_cs_t *s, const char *name, tw_cs_type_t type, bool optional)
{
    tw_cs_t *f = tw_cs_new(type, optional, NULL);

    tw_cs_add_field(s, name, f);
    return f;
}

static tw_cs_t *source_schema(void)
{
    tw_cs_t *s = tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.postgresql.Source");
    tw_cs_t *snapshot;

    field(s, "version", TW_CS_STRING, false);
    field(s, "connector", TW_CS_STRING, false);
    field(s, "name", TW_CS_STRING, false);
    field(s, "ts_ms", TW_CS_INT64, false);
    snapshot = tw_cs_new(TW_CS_STRING, true, "io.debezium.data.Enum");
    snapshot->version = 1;
    tw_cs_set_param(snapshot, "allowed",
                    "true,first,first_in_data_collection,last_in_data_collection,last,false,"
                    "incremental");
    snapshot->default_value = json_string("false");
    tw_cs_add_field(s, "snapshot", snapshot);
    field(s, "db", TW_CS_STRING, false);
    field(s, "sequence", TW_CS_STRING, true);
    field(s, "ts_us", TW_CS_INT64, true);
    field(s, "ts_ns", TW_CS_INT64, true);
    field(s, "schema", TW_CS_STRING, false);
    field(s, "table", TW_CS_STRING, false);
    field(s, "txId", TW_CS_INT64, true);
    field(s, "lsn", TW_CS_INT64, true);
    field(s, "xmin", TW_CS_INT64, true);
    return s;
}

void ceb_init(ceb_t *b, tw_arena_t *arena)
{
    tw_cs_t *email;

    memset(b, 0, sizeof(*b));
    b->arena = arena;
    b->keep = json_array();

    b->key = tw_cs_new(TW_CS_STRUCT, false, "srv.public.customers.Key");
    field(b->key, "id", TW_CS_INT32, false);

    b->row = tw_cs_new(TW_CS_STRUCT, true, "srv.public.customers.Value");
    field(b->row, "id", TW_CS_INT32, false);
    field(b->row, "first_name", TW_CS_STRING, true);
    email = field(b->row, "email", TW_CS_STRING, true);
    email->default_value = json_string("none@example.com");
    field(b->row, "region", TW_CS_STRING, true);

    b->source = source_schema();

    b->txn = tw_cs_new(TW_CS_STRUCT, true, "event.block");
    b->txn->version = 1;
    field(b->txn, "id", TW_CS_STRING, false);
    field(b->txn, "total_order", TW_CS_INT64, false);
    field(b->txn, "data_collection_order", TW_CS_INT64, false);

    b->envelope = tw_cs_new(TW_CS_STRUCT, false, "srv.public.customers.Envelope");
    b->envelope->version = 2;
    tw_cs_add_field(b->envelope, "before", tw_cs_ref(b->row));
    tw_cs_add_field(b->envelope, "after", tw_cs_ref(b->row));
    tw_cs_add_field(b->envelope, "source", tw_cs_ref(b->source));
    tw_cs_add_field(b->envelope, "transaction", tw_cs_ref(b->txn));
    field(b->envelope, "op", TW_CS_STRING, false);
    field(b->envelope, "ts_ms", TW_CS_INT64, true);
    field(b->envelope, "ts_us", TW_CS_INT64, true);
    field(b->envelope, "ts_ns", TW_CS_INT64, true);
}

void ceb_clear(ceb_t *b)
{
    tw_cs_unref(b->key);
    tw_cs_unref(b->row);
    tw_cs_unref(b->source);
    tw_cs_unref(b->txn);
    tw_cs_unref(b->envelope);
    json_decref(b->keep);
    memset(b, 0, sizeof(*b));
}

static tw_datum_t *fields(ceb_t *b, size_t n)
{
    return tw_arena_alloc(b->arena, n * sizeof(tw_datum_t));
}

static tw_datum_t j(ceb_t *b, json_t *value)
{
    tw_datum_t d = {NULL, NULL, NULL};

    json_array_append_new(b->keep, value);
    d.json = value;
    return d;
}

static tw_datum_t str_or_null(ceb_t *b, const char *s)
{
    return j(b, s ? json_string(s) : json_null());
}

/* Decoded PostgreSQL values, as transform_envelope.c fills them. */
static tw_datum_t pg_text(ceb_t *b, const char *s)
{
    tw_value_t *v = tw_arena_alloc(b->arena, sizeof(*v));
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

static tw_datum_t pg_int(ceb_t *b, int64_t i, uint32_t type_oid)
{
    tw_value_t *v = tw_arena_alloc(b->arena, sizeof(*v));
    tw_datum_t d = {NULL, NULL, NULL};

    memset(v, 0, sizeof(*v));
    v->kind = TW_VALUE_INT;
    v->type_oid = type_oid;
    v->u.i = i;
    d.pg = v;
    return d;
}

#define INT4OID 23
#define INT8OID 20

tw_datum_t ceb_row(ceb_t *b, int64_t id, const char *first_name, const char *email,
                   const char *region)
{
    tw_datum_t d = {NULL, NULL, NULL}, *v = fields(b, 4);

    v[0] = pg_int(b, id, INT4OID);
    v[1] = str_or_null(b, first_name);
    v[2] = str_or_null(b, email);
    v[3] = pg_text(b, region);
    d.fields = v;
    return d;
}

static tw_datum_t source(ceb_t *b)
{
    tw_datum_t d = {NULL, NULL, NULL}, *v = fields(b, 14);

    v[0] = pg_text(b, "3.6.1.Final");
    v[1] = pg_text(b, "postgresql");
    v[2] = pg_text(b, "srv");
    v[3] = pg_int(b, 1559033904863, INT8OID);
    v[4] = pg_text(b, "false");
    v[5] = pg_text(b, "postgres");
    v[6] = j(b, json_string("[\"24023119\",\"24023128\"]"));
    v[7] = pg_int(b, 1559033904863123, INT8OID);
    v[8] = pg_int(b, 1559033904863123000, INT8OID);
    v[9] = pg_text(b, "public");
    v[10] = pg_text(b, "customers");
    v[11] = pg_int(b, 555, INT8OID);
    v[12] = pg_int(b, 24023128, INT8OID);
    v[13] = j(b, json_null());
    d.fields = v;
    return d;
}

static tw_datum_t txn_block(ceb_t *b)
{
    tw_datum_t d = {NULL, NULL, NULL}, *v = fields(b, 3);

    v[0] = pg_text(b, "555:24023128");
    v[1] = pg_int(b, 3, INT8OID);
    v[2] = pg_int(b, 2, INT8OID);
    d.fields = v;
    return d;
}

static tw_record_t event(ceb_t *b, const char *op, tw_datum_t before, tw_datum_t after,
                         int64_t key_id, tw_datum_t txn)
{
    tw_record_t r;
    tw_datum_t *v = fields(b, 8), *k = fields(b, 1);

    memset(&r, 0, sizeof(r));
    k[0] = pg_int(b, key_id, INT4OID);
    v[0] = before;
    v[1] = after;
    v[2] = source(b);
    v[3] = txn;
    v[4] = pg_text(b, op);
    v[5] = pg_int(b, 1559033904900, INT8OID);
    v[6] = pg_int(b, 1559033904900111, INT8OID);
    v[7] = pg_int(b, 1559033904900111222, INT8OID);
    r.topic = "srv.public.customers";
    r.partition = TW_PARTITION_ANY;
    r.timestamp_ms = 1559033904900;
    r.key_schema = b->key;
    r.key.fields = k;
    r.value_schema = b->envelope;
    r.value.fields = v;
    return r;
}

tw_record_t ceb_event(ceb_t *b, const char *op, tw_datum_t before, tw_datum_t after, int64_t key_id)
{
    return event(b, op, before, after, key_id, ceb_none);
}

tw_record_t ceb_event_in_txn(ceb_t *b, const char *op, tw_datum_t before, tw_datum_t after,
                             int64_t key_id)
{
    return event(b, op, before, after, key_id, txn_block(b));
}

tw_record_t ceb_tombstone(ceb_t *b, int64_t key_id)
{
    tw_record_t r = ceb_event(b, "d", ceb_none, ceb_none, key_id);

    r.value_schema = NULL;
    r.value = ceb_none;
    return r;
}

tw_err_t ceb_encode(tw_converter_t *conv, const char *topic, const tw_cs_t *schema,
                    const tw_datum_t *datum, json_t **out, char *errstr, size_t errstr_size)
{
    tw_buf_t buf = TW_BUF_INIT;
    json_error_t jerr;
    tw_err_t err;

    *out = NULL;
    err = tw_converter_encode(conv, topic, (tw_cs_t *)schema, datum, &buf, errstr, errstr_size);
    if (err == TW_OK) {
        *out = json_loadb(buf.data, buf.len, 0, &jerr);
        if (*out == NULL)
            err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "not JSON (%s): %.*s", jerr.text,
                          (int)buf.len, buf.data);
    }
    tw_buf_free(&buf);
    return err;
}
