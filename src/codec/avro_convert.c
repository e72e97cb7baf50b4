/*
 * avro_convert.c — Avro schema generation (jansson) and binary encoding.
 */
#include "codec/avro_convert.h"

#include <avro.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avro_binary.h"
#include "codec/datum.h"
#include "codec/hstore.h"

void tw_avro_sanitize_name(char *name)
{
    char *p;

    for (p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '.'))
            *p = '_';
    /* Each dot-separated part must not start with a digit. */
    for (p = name; *p; p++)
        if ((p == name || p[-1] == '.') && isdigit((unsigned char)*p))
            *p = '_';
}

/* Named types defined so far in the schema being generated: a name seen
 * again is emitted as a reference, as Avro requires. */
typedef struct named_types {
    char **names;
    size_t n;
} named_types_t;

static bool named_seen(named_types_t *seen, const char *fullname)
{
    size_t i;

    for (i = 0; i < seen->n; i++)
        if (strcmp(seen->names[i], fullname) == 0)
            return true;
    seen->names = tw_realloc(seen->names, (seen->n + 1) * sizeof(char *));
    seen->names[seen->n++] = tw_strdup(fullname);
    return false;
}

/* AvroData writes bytes (a Decimal's unscaled bytes too) as a string of
 * one ISO-8859-1 character per byte. */
static json_t *latin1_text(const unsigned char *p, size_t len)
{
    tw_buf_t latin1 = TW_BUF_INIT;
    json_t *out;
    size_t i;

    for (i = 0; p && i < len; i++) {
        if (p[i] < 0x80) {
            tw_buf_append_char(&latin1, (char)p[i]);
        } else {
            tw_buf_append_char(&latin1, (char)(0xC0 | (p[i] >> 6)));
            tw_buf_append_char(&latin1, (char)(0x80 | (p[i] & 0x3F)));
        }
    }
    out = json_stringn(latin1.data ? latin1.data : "", latin1.len);
    tw_buf_free(&latin1);
    return out;
}

/* A Connect default as AvroData writes it into a schema: bytes as above,
 * structs as objects of their sanitized field names. */
static const tw_cs_default_style_t avro_style = {latin1_text, tw_avro_sanitize_name};

static json_t *avro_default(const tw_cs_t *schema, const json_t *value)
{
    return tw_cs_default_json(schema, value, &avro_style);
}

/* AvroData's order: connect.doc, connect.version, connect.parameters,
 * connect.default, connect.name. */
static void add_connect_props(json_t *avro, const tw_cs_t *schema)
{
    if (schema->doc)
        json_object_set_new(avro, "connect.doc", json_string(schema->doc));
    if (schema->version)
        json_object_set_new(avro, "connect.version", json_integer(schema->version));
    if (schema->parameters)
        json_object_set(avro, "connect.parameters", schema->parameters);
    if (schema->default_value)
        json_object_set_new(avro, "connect.default", avro_default(schema, schema->default_value));
    if (schema->name)
        json_object_set_new(avro, "connect.name", json_string(schema->name));
}

static json_t *avro_type(const tw_cs_t *schema, named_types_t *seen);

static json_t *record_type(const tw_cs_t *schema, named_types_t *seen)
{
    char *fullname = tw_strdup(schema->name ? schema->name
                                            : "io.confluent.connect.avro.ConnectDefault");
    char *dot;
    json_t *record, *fields;
    size_t i;

    tw_avro_sanitize_name(fullname);
    if (named_seen(seen, fullname)) {
        json_t *ref = json_string(fullname);
        free(fullname);
        return ref;
    }
    record = json_object();
    json_object_set_new(record, "type", json_string("record"));
    dot = strrchr(fullname, '.');
    if (dot) {
        *dot = '\0';
        json_object_set_new(record, "name", json_string(dot + 1));
        json_object_set_new(record, "namespace", json_string(fullname));
        *dot = '.';
    } else {
        json_object_set_new(record, "name", json_string(fullname));
    }
    fields = json_array();
    for (i = 0; i < schema->nfields; i++) {
        json_t *field = json_object();
        char *fname = tw_strdup(schema->fields[i].name);
        tw_avro_sanitize_name(fname);
        json_object_set_new(field, "name", json_string(fname));
        free(fname);
        json_object_set_new(field, "type", avro_type(schema->fields[i].schema, seen));
        /* The Connect default, else null for an optional field (whose
         * union then starts with "null"). */
        if (schema->fields[i].schema->default_value)
            json_object_set_new(field, "default",
                                avro_default(schema->fields[i].schema,
                                             schema->fields[i].schema->default_value));
        else if (schema->fields[i].schema->optional)
            json_object_set_new(field, "default", json_null());
        json_array_append_new(fields, field);
    }
    json_object_set_new(record, "fields", fields);
    if (schema->doc)
        json_object_set_new(record, "connect.doc", json_string(schema->doc));
    if (schema->version)
        json_object_set_new(record, "connect.version", json_integer(schema->version));
    if (schema->default_value)
        json_object_set_new(record, "connect.default",
                            avro_default(schema, schema->default_value));
    if (schema->name)
        json_object_set_new(record, "connect.name", json_string(fullname));
    free(fullname);
    return record;
}

static json_t *required_type(const tw_cs_t *schema, named_types_t *seen)
{
    json_t *avro;
    const char *base = NULL;
    const char *connect_type = NULL;

    switch (schema->type) {
    case TW_CS_BOOLEAN: base = "boolean"; break;
    case TW_CS_INT8: base = "int"; connect_type = "int8"; break;
    case TW_CS_INT16: base = "int"; connect_type = "int16"; break;
    case TW_CS_INT32: base = "int"; break;
    case TW_CS_INT64: base = "long"; break;
    case TW_CS_FLOAT32: base = "float"; break;
    case TW_CS_FLOAT64: base = "double"; break;
    case TW_CS_STRING: base = "string"; break;
    case TW_CS_BYTES: base = "bytes"; break;
    case TW_CS_ARRAY:
        avro = json_object();
        json_object_set_new(avro, "type", json_string("array"));
        json_object_set_new(avro, "items", avro_type(schema->elem, seen));
        add_connect_props(avro, schema);
        return avro;
    case TW_CS_STRUCT: return record_type(schema, seen);
    case TW_CS_MAP:
        /* AvroData: string keys make an Avro map (tidewater's maps have them). */
        avro = json_object();
        json_object_set_new(avro, "type", json_string("map"));
        json_object_set_new(avro, "values", avro_type(schema->elem, seen));
        add_connect_props(avro, schema);
        return avro;
    }
    if (!connect_type && !schema->name && !schema->version && !schema->parameters &&
        !schema->default_value)
        return json_string(base);
    avro = json_object();
    json_object_set_new(avro, "type", json_string(base));
    if (schema->name && strcmp(schema->name, "org.apache.kafka.connect.data.Decimal") == 0) {
        const char *scale = json_string_value(json_object_get(schema->parameters, "scale"));
        const char *precision =
            json_string_value(json_object_get(schema->parameters, "connect.decimal.precision"));
        json_object_set_new(avro, "scale", json_integer(scale ? atoi(scale) : 0));
        json_object_set_new(avro, "precision", json_integer(precision ? atoi(precision) : 64));
    }
    if (connect_type)
        json_object_set_new(avro, "connect.type", json_string(connect_type));
    add_connect_props(avro, schema);
    if (schema->name && strcmp(schema->name, "org.apache.kafka.connect.data.Decimal") == 0)
        json_object_set_new(avro, "logicalType", json_string("decimal"));
    return avro;
}

static json_t *avro_type(const tw_cs_t *schema, named_types_t *seen)
{
    json_t *union_type;

    if (!schema->optional)
        return required_type(schema, seen);
    /* An Avro field's default must match the union's first branch: with a
     * Connect default AvroData puts the type first, else "null". */
    union_type = json_array();
    if (schema->default_value) {
        json_array_append_new(union_type, required_type(schema, seen));
        json_array_append_new(union_type, json_string("null"));
    } else {
        json_array_append_new(union_type, json_string("null"));
        json_array_append_new(union_type, required_type(schema, seen));
    }
    return union_type;
}

char *tw_avro_schema_text(const tw_cs_t *schema, char *errstr, size_t errstr_size)
{
    named_types_t seen = {NULL, 0};
    json_t *avro = avro_type(schema, &seen);
    char *text = json_dumps(avro, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    avro_schema_t parsed = NULL;
    size_t i;

    json_decref(avro);
    for (i = 0; i < seen.n; i++)
        free(seen.names[i]);
    free(seen.names);
    if (avro_schema_from_json_length(text, strlen(text), &parsed) != 0) {
        tw_errf(TW_ERR_STATE, errstr, errstr_size,
                "generated an Avro schema avro-c rejects (%s): %s — please report this",
                avro_strerror(), text);
        free(text);
        return NULL;
    }
    avro_schema_decref(parsed);
    return text;
}

const char *tw_avro_record_name(const tw_cs_t *schema)
{
    /* What Confluent's AvroSchema.name() gives: the full name of a record,
     * else the Avro type's own name ("union" for an optional value). */
    if (schema->optional)
        return "union";
    switch (schema->type) {
    case TW_CS_STRUCT: return schema->name ? schema->name : "io.confluent.connect.avro.ConnectDefault";
    case TW_CS_BOOLEAN: return "boolean";
    case TW_CS_INT8:
    case TW_CS_INT16:
    case TW_CS_INT32: return "int";
    case TW_CS_INT64: return "long";
    case TW_CS_FLOAT32: return "float";
    case TW_CS_FLOAT64: return "double";
    case TW_CS_STRING: return "string";
    case TW_CS_BYTES: return "bytes";
    case TW_CS_ARRAY: return "array";
    case TW_CS_MAP: return "map";
    }
    return "string";
}

/* Where in the record a value sits ("$.after.tags[2]"), for error
 * messages only: a chain of frames on the stack, written out when an error
 * needs it (formatting it for every field cost more than encoding). */
typedef struct value_path {
    const struct value_path *parent;
    const char *field; /* NULL: an array element */
    size_t index;
} value_path_t;

static const value_path_t root_path = {NULL, "$", 0};

static size_t path_format(const value_path_t *path, char *out, size_t size)
{
    size_t len = path->parent ? path_format(path->parent, out, size) : 0;
    int n;

    if (path->parent == NULL)
        n = snprintf(out, size, "%s", path->field);
    else if (path->field)
        n = snprintf(out + len, size - len, ".%s", path->field);
    else
        n = snprintf(out + len, size - len, "[%zu]", path->index);
    return n < 0 ? len : TW_MIN(len + (size_t)n, size - 1);
}

static tw_err_t path_error(tw_err_t err, const value_path_t *path, char *errstr,
                           size_t errstr_size, const char *what)
{
    char where[256];

    path_format(path, where, sizeof(where));
    return tw_errf(err, errstr, errstr_size, "%s: %s", where, what);
}

static tw_err_t encode(tw_buf_t *buf, const tw_cs_t *schema, const tw_datum_t *datum,
                       tw_buf_t *scratch, const value_path_t *path, char *errstr,
                       size_t errstr_size);

static tw_err_t field_error(tw_err_t err, const value_path_t *path, char *errstr,
                           size_t errstr_size)
{
    char inner[512];

    snprintf(inner, sizeof(inner), "%s", errstr ? errstr : "");
    return path_error(err, path, errstr, errstr_size, inner);
}

/* An hstore as an Avro map: one block of every pair, then the empty
 * block; each value as the map's (optional string) value schema. */
static tw_err_t encode_map(tw_buf_t *buf, const tw_cs_t *schema, const tw_datum_t *datum,
                           tw_buf_t *scratch, const value_path_t *path, char *errstr,
                           size_t errstr_size)
{
    tw_hstore_t h = TW_HSTORE_INIT;
    tw_err_t err = tw_datum_hstore(datum, schema, &h, errstr, errstr_size);
    size_t i;

    if (err)
        return field_error(err, path, errstr, errstr_size);
    if (h.n > 0)
        tw_avro_write_long(buf, (int64_t)h.n);
    for (i = 0; err == TW_OK && i < h.n; i++) {
        tw_value_t v;
        tw_datum_t d = {&v, NULL, NULL};
        memset(&v, 0, sizeof(v));
        v.kind = h.pairs[i].value ? TW_VALUE_TEXT : TW_VALUE_NULL;
        v.u.str.ptr = h.pairs[i].value;
        v.u.str.len = h.pairs[i].value_len;
        tw_avro_write_bytes(buf, h.pairs[i].key, h.pairs[i].key_len);
        err = encode(buf, schema->elem, &d, scratch, path, errstr, errstr_size);
    }
    if (err == TW_OK)
        tw_avro_write_long(buf, 0);
    tw_hstore_free(&h);
    return err; /* a value's error names its path already */
}

static tw_err_t encode_required(tw_buf_t *buf, const tw_cs_t *schema, const tw_datum_t *datum,
                                tw_buf_t *scratch, const value_path_t *path, char *errstr,
                                size_t errstr_size)
{
    int64_t i64;
    double d;
    bool b;
    const char *s;
    const uint8_t *p;
    size_t len, i, n;
    tw_err_t err = TW_OK;

    switch (schema->type) {
    case TW_CS_BOOLEAN:
        err = tw_datum_bool(datum, schema, &b, errstr, errstr_size);
        if (err == TW_OK)
            tw_avro_write_boolean(buf, b);
        break;
    case TW_CS_INT8:
    case TW_CS_INT16:
    case TW_CS_INT32:
    case TW_CS_INT64:
        err = tw_datum_int64(datum, schema, &i64, errstr, errstr_size);
        if (err == TW_OK)
            tw_avro_write_long(buf, i64);
        break;
    case TW_CS_FLOAT32:
        err = tw_datum_double(datum, schema, &d, errstr, errstr_size);
        if (err == TW_OK)
            tw_avro_write_float(buf, (float)d);
        break;
    case TW_CS_FLOAT64:
        err = tw_datum_double(datum, schema, &d, errstr, errstr_size);
        if (err == TW_OK)
            tw_avro_write_double(buf, d);
        break;
    case TW_CS_STRING:
        err = tw_datum_string(datum, schema, scratch, &s, &len, errstr, errstr_size);
        if (err == TW_OK)
            tw_avro_write_bytes(buf, s, len);
        break;
    case TW_CS_BYTES:
        err = tw_datum_bytes(datum, schema, scratch, &p, &len, errstr, errstr_size);
        if (err == TW_OK)
            tw_avro_write_bytes(buf, p, len);
        break;
    case TW_CS_ARRAY:
        n = tw_datum_array_len(datum);
        /* One block holding every item, then the empty block that ends it. */
        if (n > 0)
            tw_avro_write_long(buf, (int64_t)n);
        for (i = 0; i < n && err == TW_OK; i++) {
            tw_datum_t elem = tw_datum_array_elem(datum, i);
            value_path_t elem_path = {path, NULL, i};
            err = encode(buf, schema->elem, &elem, scratch, &elem_path, errstr, errstr_size);
        }
        tw_avro_write_long(buf, 0);
        return err;
    case TW_CS_MAP:
        return encode_map(buf, schema, datum, scratch, path, errstr, errstr_size);
    case TW_CS_STRUCT:
        for (i = 0; i < schema->nfields && err == TW_OK; i++) {
            tw_value_t synthetic;
            tw_datum_t field = tw_datum_field(datum, schema, i, &synthetic);
            value_path_t field_path = {path, schema->fields[i].name, 0};
            err = encode(buf, schema->fields[i].schema, &field, scratch, &field_path, errstr,
                         errstr_size);
        }
        return err;
    }
    if (err)
        return field_error(err, path, errstr, errstr_size);
    return TW_OK;
}

static tw_err_t encode(tw_buf_t *buf, const tw_cs_t *schema, const tw_datum_t *datum,
                       tw_buf_t *scratch, const value_path_t *path, char *errstr,
                       size_t errstr_size)
{
    bool is_null = tw_datum_null_for(datum, schema);
    tw_datum_t def = {NULL, schema->default_value, NULL};

    /* A null field with a schema default reads as the default (Connect's
     * Struct.get, which AvroData uses). */
    if (is_null && schema->default_value) {
        datum = &def;
        is_null = false;
    }
    if (datum->pg && datum->pg->kind == TW_VALUE_UNCHANGED_TOAST)
        return path_error(TW_ERR_MALFORMED, path, errstr, errstr_size,
                          "the server did not send this unchanged TOASTed value");
    if (schema->optional) {
        /* The branch order avro_type chose (a default puts "null" second). */
        if (schema->default_value)
            tw_avro_write_union_index(buf, is_null ? 1 : 0);
        else
            tw_avro_write_union_index(buf, is_null ? 0 : 1);
        if (is_null)
            return TW_OK;
    } else if (is_null) {
        return path_error(TW_ERR_MALFORMED, path, errstr, errstr_size,
                          "null for a required (NOT NULL) schema");
    }
    return encode_required(buf, schema, datum, scratch, path, errstr, errstr_size);
}

tw_err_t tw_avro_encode(tw_buf_t *buf, const tw_cs_t *schema, const tw_datum_t *datum,
                        tw_buf_t *scratch, char *errstr, size_t errstr_size)
{
    return encode(buf, schema, datum, scratch, &root_path, errstr, errstr_size);
}
