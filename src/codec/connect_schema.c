/*
 * connect_schema.c — building Connect schemas: Debezium's PostgreSQL type
 * mapping, JSON schema inference, and JsonConverter's schema rendering.
 */
#include "codec/connect_schema.h"

#include "util/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

tw_cs_t *tw_cs_new(tw_cs_type_t type, bool optional, const char *name)
{
    tw_cs_t *schema = tw_calloc(1, sizeof(*schema));

    schema->refcount = 1;
    schema->type = type;
    schema->optional = optional;
    schema->name = name ? tw_strdup(name) : NULL;
    return schema;
}

tw_cs_t *tw_cs_ref(tw_cs_t *schema)
{
    schema->refcount++;
    return schema;
}

void tw_cs_unref(tw_cs_t *schema)
{
    size_t i;

    if (schema == NULL || --schema->refcount > 0)
        return;
    for (i = 0; i < schema->nfields; i++) {
        free(schema->fields[i].name);
        tw_cs_unref(schema->fields[i].schema);
    }
    free(schema->fields);
    tw_cs_unref(schema->elem);
    tw_cs_unref(schema->key);
    json_decref(schema->parameters);
    json_decref(schema->default_value);
    free(schema->avro_text);
    free(schema->connect_json_text);
    for (i = 0; i < TW_ARRAY_SIZE(schema->memo); i++)
        free(schema->memo[i].subject);
    free(schema->name);
    free(schema);
}

void tw_cs_add_field(tw_cs_t *record, const char *name, tw_cs_t *field_schema)
{
    record->fields = tw_realloc(record->fields, (record->nfields + 1) * sizeof(tw_cs_field_t));
    record->fields[record->nfields].name = tw_strdup(name);
    record->fields[record->nfields].schema = field_schema;
    record->nfields++;
}

void tw_cs_set_param(tw_cs_t *schema, const char *key, const char *value)
{
    if (schema->parameters == NULL)
        schema->parameters = json_object();
    json_object_set_new(schema->parameters, key, json_string(value));
}

int tw_cs_field_index(const tw_cs_t *record, const char *name)
{
    size_t i;

    for (i = 0; i < record->nfields; i++)
        if (strcmp(record->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

static tw_cs_t *named(tw_cs_type_t type, bool optional, const char *name, int version)
{
    tw_cs_t *schema = tw_cs_new(type, optional, name);
    schema->version = version;
    return schema;
}

/* time/timestamp typmod is the fractional-second precision; -1 means 6. */
static int time_precision(int32_t typmod)
{
    return typmod < 0 ? 6 : typmod;
}

const tw_cs_options_t tw_cs_options_default = {TW_DECIMAL_PRECISE, TW_TIME_ADAPTIVE,
                                               TW_BINARY_BYTES, TW_INTERVAL_NUMERIC, 2, false,
                                               TW_HSTORE_JSON};
static tw_cs_options_t current_options = {TW_DECIMAL_PRECISE, TW_TIME_ADAPTIVE, TW_BINARY_BYTES,
                                          TW_INTERVAL_NUMERIC, 2, false, TW_HSTORE_JSON};

void tw_cs_set_options(const tw_cs_options_t *opts)
{
    current_options = *opts;
}

const tw_cs_options_t *tw_cs_options(void)
{
    return &current_options;
}

static tw_cs_t *rendered(tw_cs_type_t type, bool optional, const char *name, int version,
                         tw_cs_render_t render)
{
    tw_cs_t *schema = named(type, optional, name, version);
    schema->render = render;
    return schema;
}

/* A Connect Decimal of the given scale (precision when known, >= 0). */
static tw_cs_t *decimal(bool optional, int precision, int scale)
{
    char num[16];
    tw_cs_t *schema = named(TW_CS_BYTES, optional, "org.apache.kafka.connect.data.Decimal", 1);

    snprintf(num, sizeof(num), "%d", scale);
    tw_cs_set_param(schema, "scale", num);
    if (precision >= 0) {
        snprintf(num, sizeof(num), "%d", precision);
        tw_cs_set_param(schema, "connect.decimal.precision", num);
    }
    return schema;
}

static tw_cs_t *numeric_schema(int32_t typmod, bool optional, const tw_cs_options_t *opts)
{
    int precision, scale;
    tw_cs_t *schema;

    if (opts->decimal == TW_DECIMAL_DOUBLE)
        return tw_cs_new(TW_CS_FLOAT64, optional, NULL);
    if (opts->decimal == TW_DECIMAL_STRING)
        return tw_cs_new(TW_CS_STRING, optional, NULL);
    tw_value_numeric_typmod(typmod, &precision, &scale);
    if (precision < 0) {
        /* Unconstrained numeric: each value carries its own scale. */
        schema = named(TW_CS_STRUCT, optional, "io.debezium.data.VariableScaleDecimal", 1);
        schema->doc = "Variable scaled decimal"; /* Debezium's schema doc */
        tw_cs_add_field(schema, "scale", tw_cs_new(TW_CS_INT32, false, NULL));
        tw_cs_add_field(schema, "value", tw_cs_new(TW_CS_BYTES, false, NULL));
        return schema;
    }
    return decimal(optional, precision, scale);
}

/* date, time and timestamp per time.precision.mode. */
static tw_cs_t *temporal_schema(uint32_t oid, int32_t typmod, bool optional,
                                const tw_cs_options_t *opts)
{
    int precision = time_precision(typmod);
    int mode = opts->time;

    if (mode == TW_TIME_ISOSTRING) {
        if (oid == TW_OID_DATE)
            return rendered(TW_CS_STRING, optional, "io.debezium.time.IsoDate", 1,
                            TW_CS_RENDER_ISO_DATE);
        if (oid == TW_OID_TIME)
            return rendered(TW_CS_STRING, optional, "io.debezium.time.IsoTime", 1,
                            TW_CS_RENDER_ISO_TIME);
        return rendered(TW_CS_STRING, optional, "io.debezium.time.IsoTimestamp", 1,
                        TW_CS_RENDER_ISO_TIMESTAMP);
    }
    if (mode == TW_TIME_CONNECT) {
        if (oid == TW_OID_DATE)
            return named(TW_CS_INT32, optional, "org.apache.kafka.connect.data.Date", 1);
        if (oid == TW_OID_TIME)
            return named(TW_CS_INT32, optional, "org.apache.kafka.connect.data.Time", 1);
        return named(TW_CS_INT64, optional, "org.apache.kafka.connect.data.Timestamp", 1);
    }
    if (oid == TW_OID_DATE)
        return named(TW_CS_INT32, optional, "io.debezium.time.Date", 1);
    if (mode == TW_TIME_NANOSECONDS)
        return rendered(TW_CS_INT64, optional,
                        oid == TW_OID_TIME ? "io.debezium.time.NanoTime"
                                           : "io.debezium.time.NanoTimestamp",
                        1, TW_CS_RENDER_NANOS);
    if (oid == TW_OID_TIME) {
        /* adaptive: milliseconds when that loses nothing. */
        if (mode == TW_TIME_ADAPTIVE && precision <= 3)
            return named(TW_CS_INT32, optional, "io.debezium.time.Time", 1);
        return named(TW_CS_INT64, optional, "io.debezium.time.MicroTime", 1);
    }
    if (mode != TW_TIME_MICROSECONDS && precision <= 3)
        return named(TW_CS_INT64, optional, "io.debezium.time.Timestamp", 1);
    return named(TW_CS_INT64, optional, "io.debezium.time.MicroTimestamp", 1);
}

static tw_cs_t *scalar_for_type(uint32_t oid, int32_t typmod, bool optional,
                                const tw_cs_options_t *opts)
{
    char num[16];
    tw_cs_t *schema;

    switch (oid) {
    case TW_OID_BOOL: return tw_cs_new(TW_CS_BOOLEAN, optional, NULL);
    case TW_OID_INT2: return tw_cs_new(TW_CS_INT16, optional, NULL);
    case TW_OID_INT4: return tw_cs_new(TW_CS_INT32, optional, NULL);
    case TW_OID_INT8:
    case TW_OID_OID: return tw_cs_new(TW_CS_INT64, optional, NULL);
    case TW_OID_FLOAT4: return tw_cs_new(TW_CS_FLOAT32, optional, NULL);
    case TW_OID_FLOAT8: return tw_cs_new(TW_CS_FLOAT64, optional, NULL);
    case TW_OID_TEXT:
    case TW_OID_VARCHAR:
    case TW_OID_BPCHAR:
    case TW_OID_NAME:
    case TW_OID_CHAR: return tw_cs_new(TW_CS_STRING, optional, NULL);
    case TW_OID_BYTEA:
        switch (opts->binary) {
        case TW_BINARY_BASE64:
            return rendered(TW_CS_STRING, optional, NULL, 0, TW_CS_RENDER_BASE64);
        case TW_BINARY_BASE64_URL_SAFE:
            return rendered(TW_CS_STRING, optional, NULL, 0, TW_CS_RENDER_BASE64_URL);
        case TW_BINARY_HEX: return rendered(TW_CS_STRING, optional, NULL, 0, TW_CS_RENDER_HEX);
        }
        return tw_cs_new(TW_CS_BYTES, optional, NULL);
    case TW_OID_UUID: return named(TW_CS_STRING, optional, "io.debezium.data.Uuid", 1);
    case TW_OID_JSON:
    case TW_OID_JSONB: return named(TW_CS_STRING, optional, "io.debezium.data.Json", 1);
    case TW_OID_XML: return named(TW_CS_STRING, optional, "io.debezium.data.Xml", 1);
    case TW_OID_TSVECTOR: return named(TW_CS_STRING, optional, "io.debezium.data.Tsvector", 1);
    case TW_OID_DATE:
    case TW_OID_TIME:
    case TW_OID_TIMESTAMP: return temporal_schema(oid, typmod, optional, opts);
    case TW_OID_TIMESTAMPTZ:
        schema = rendered(TW_CS_STRING, optional, "io.debezium.time.ZonedTimestamp", 1,
                          TW_CS_RENDER_ZONED_TIMESTAMP);
        /* Debezium shows the column's precision's worth of fraction digits. */
        schema->frac_digits = time_precision(typmod);
        return schema;
    case TW_OID_TIMETZ:
        schema = rendered(TW_CS_STRING, optional, "io.debezium.time.ZonedTime", 1,
                          TW_CS_RENDER_ZONED_TIME);
        schema->frac_digits = -1;
        return schema;
    case TW_OID_INTERVAL:
        if (opts->interval == TW_INTERVAL_STRING)
            return named(TW_CS_STRING, optional, "io.debezium.time.Interval", 1);
        return named(TW_CS_INT64, optional, "io.debezium.time.MicroDuration", 1);
    case TW_OID_NUMERIC: return numeric_schema(typmod, optional, opts);
    case TW_OID_MONEY:
        if (opts->decimal == TW_DECIMAL_DOUBLE)
            return rendered(TW_CS_FLOAT64, optional, NULL, 0, TW_CS_RENDER_MONEY);
        if (opts->decimal == TW_DECIMAL_STRING)
            return rendered(TW_CS_STRING, optional, NULL, 0, TW_CS_RENDER_MONEY);
        schema = decimal(optional, -1, opts->money_fraction_digits);
        schema->render = TW_CS_RENDER_MONEY;
        return schema;
    case TW_OID_BIT:
    case TW_OID_VARBIT:
        /* bit(1) is a boolean; longer bit strings io.debezium.data.Bits. */
        if (oid == TW_OID_BIT && typmod <= 1)
            return tw_cs_new(TW_CS_BOOLEAN, optional, NULL);
        schema = rendered(TW_CS_BYTES, optional, "io.debezium.data.Bits", 1, TW_CS_RENDER_BITS);
        snprintf(num, sizeof(num), "%d", typmod < 0 ? 2147483647 : typmod);
        tw_cs_set_param(schema, "length", num);
        return schema;
    case TW_OID_POINT:
        schema = named(TW_CS_STRUCT, optional, "io.debezium.data.geometry.Point", 1);
        schema->doc = "Geometry (POINT)"; /* Debezium's schema doc */
        tw_cs_add_field(schema, "x", tw_cs_new(TW_CS_FLOAT64, false, NULL));
        tw_cs_add_field(schema, "y", tw_cs_new(TW_CS_FLOAT64, false, NULL));
        tw_cs_add_field(schema, "wkb", rendered(TW_CS_BYTES, true, NULL, 0, TW_CS_RENDER_WKB));
        tw_cs_add_field(schema, "srid", tw_cs_new(TW_CS_INT32, true, NULL));
        return schema;
    }
    /* Enums, ranges, network addresses and every type without a mapping:
     * PostgreSQL's text form. */
    return tw_cs_new(TW_CS_STRING, optional, NULL);
}

tw_cs_t *tw_cs_for_column_opts(uint32_t type_oid, int32_t typmod, bool optional,
                               const tw_cs_options_t *opts)
{
    uint32_t elem = tw_value_array_elem_oid(type_oid);
    tw_cs_t *schema;

    if (elem == 0)
        return scalar_for_type(type_oid, typmod, optional, opts);
    schema = tw_cs_new(TW_CS_ARRAY, optional, NULL);
    /* Array elements may be NULL in PostgreSQL. */
    schema->elem = scalar_for_type(elem, typmod, true, opts);
    return schema;
}

tw_cs_t *tw_cs_for_column(uint32_t type_oid, int32_t typmod, bool optional)
{
    return tw_cs_for_column_opts(type_oid, typmod, optional, &current_options);
}

/* hstore.handling.mode: Debezium's io.debezium.data.Json string, or a
 * map of string to optional string (codec/hstore.h writes the values). */
tw_cs_t *tw_cs_for_hstore(bool optional)
{
    tw_cs_t *schema;

    if (current_options.hstore == TW_HSTORE_JSON)
        return rendered(TW_CS_STRING, optional, "io.debezium.data.Json", 1,
                        TW_CS_RENDER_HSTORE_JSON);
    schema = tw_cs_new(TW_CS_MAP, optional, NULL);
    schema->key = tw_cs_new(TW_CS_STRING, false, NULL);
    schema->elem = tw_cs_new(TW_CS_STRING, true, NULL);
    return schema;
}


static bool same_shape(const tw_cs_t *a, const tw_cs_t *b)
{
    size_t i;

    if (a->type != b->type || a->nfields != b->nfields)
        return false;
    if (a->type == TW_CS_ARRAY)
        return same_shape(a->elem, b->elem);
    if (a->type == TW_CS_MAP)
        return same_shape(a->key, b->key) && same_shape(a->elem, b->elem);
    for (i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
            !same_shape(a->fields[i].schema, b->fields[i].schema))
            return false;
    return true;
}

bool tw_cs_same_shape(const tw_cs_t *a, const tw_cs_t *b)
{
    return same_shape(a, b);
}

static tw_cs_t *infer(const json_t *json, const char *name, bool keep_nulls, char *errstr,
                      size_t errstr_size);

/* Adds b's fields that a lacks to a (Debezium merges the object schemas of
 * an array's elements); false if a field both have differs in shape. */
static bool merge_struct(tw_cs_t *a, const tw_cs_t *b)
{
    size_t i;
    int j;

    for (i = 0; i < b->nfields; i++) {
        j = tw_cs_field_index(a, b->fields[i].name);
        if (j < 0)
            tw_cs_add_field(a, b->fields[i].name, tw_cs_ref(b->fields[i].schema));
        else if (!same_shape(a->fields[j].schema, b->fields[i].schema))
            return false;
    }
    return true;
}

/* The element schema of a non-empty array: the first non-null element's,
 * with every object element's fields merged in. */
static tw_cs_t *infer_elements(const json_t *json, const char *name, bool keep_nulls,
                               char *errstr, size_t errstr_size)
{
    tw_cs_t *elem = NULL, *field;
    size_t i;

    for (i = 0; i < json_array_size(json); i++) {
        if (json_is_null(json_array_get(json, i)))
            continue;
        field = infer(json_array_get(json, i), name, keep_nulls, errstr, errstr_size);
        if (field == NULL) {
            tw_cs_unref(elem);
            return NULL;
        }
        if (elem == NULL) {
            elem = field;
            continue;
        }
        if (!(elem->type == TW_CS_STRUCT && field->type == TW_CS_STRUCT
                  ? merge_struct(elem, field)
                  : same_shape(elem, field))) {
            tw_cs_unref(field);
            tw_cs_unref(elem);
            tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                    "array \"%s\" mixes element types; an inferred schema needs every "
                    "element to have the same type",
                    name);
            return NULL;
        }
        tw_cs_unref(field);
    }
    /* Only nulls: no element type; Debezium's fallback is optional strings. */
    return elem ? elem : tw_cs_new(TW_CS_STRING, true, NULL);
}

/* Debezium's inference (io.debezium.transforms.outbox.JsonSchemaData):
 * objects become optional structs named by their path from the payload
 * column ("payload.customer.address"), integers int32 when they fit, else
 * int64, other numbers float64; null fields and empty arrays carry no type
 * and are left out (nulls become optional bytes with keep_nulls). */
static tw_cs_t *infer(const json_t *json, const char *name, bool keep_nulls, char *errstr,
                      size_t errstr_size)
{
    tw_cs_t *schema, *field;
    const char *key;
    json_t *value;
    tw_buf_t path = TW_BUF_INIT;

    switch (json_typeof(json)) {
    case JSON_OBJECT:
        schema = tw_cs_new(TW_CS_STRUCT, true, name);
        json_object_foreach((json_t *)json, key, value) {
            if (json_is_null(value)) {
                if (keep_nulls)
                    tw_cs_add_field(schema, key, tw_cs_new(TW_CS_BYTES, true, NULL));
                continue;
            }
            if (json_is_array(value) && json_array_size(value) == 0)
                continue;
            tw_buf_reset(&path);
            if (name && *name)
                tw_buf_printf(&path, "%s.", name);
            tw_buf_append_str(&path, key);
            field = infer(value, path.data, keep_nulls, errstr, errstr_size);
            if (field == NULL) {
                tw_buf_free(&path);
                tw_cs_unref(schema);
                return NULL;
            }
            tw_cs_add_field(schema, key, field);
        }
        tw_buf_free(&path);
        return schema;
    case JSON_ARRAY:
        field = infer_elements(json, name, keep_nulls, errstr, errstr_size);
        if (field == NULL)
            return NULL;
        schema = tw_cs_new(TW_CS_ARRAY, true, NULL);
        schema->elem = field;
        return schema;
    case JSON_STRING: return tw_cs_new(TW_CS_STRING, true, NULL);
    case JSON_INTEGER:
        return tw_cs_new(json_integer_value(json) >= INT32_MIN &&
                                 json_integer_value(json) <= INT32_MAX
                             ? TW_CS_INT32
                             : TW_CS_INT64,
                         true, NULL);
    case JSON_REAL: return tw_cs_new(TW_CS_FLOAT64, true, NULL);
    case JSON_TRUE:
    case JSON_FALSE: return tw_cs_new(TW_CS_BOOLEAN, true, NULL);
    case JSON_NULL: return tw_cs_new(TW_CS_BYTES, true, NULL);
    }
    tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "unexpected JSON value");
    return NULL;
}

tw_cs_t *tw_cs_infer_json(const json_t *json, const char *name, bool keep_nulls, char *errstr,
                          size_t errstr_size)
{
    return infer(json, name, keep_nulls, errstr, errstr_size);
}

static const char *connect_type_name(tw_cs_type_t type)
{
    switch (type) {
    case TW_CS_BOOLEAN: return "boolean";
    case TW_CS_INT8: return "int8";
    case TW_CS_INT16: return "int16";
    case TW_CS_INT32: return "int32";
    case TW_CS_INT64: return "int64";
    case TW_CS_FLOAT32: return "float";
    case TW_CS_FLOAT64: return "double";
    case TW_CS_STRING: return "string";
    case TW_CS_BYTES: return "bytes";
    case TW_CS_ARRAY: return "array";
    case TW_CS_STRUCT: return "struct";
    case TW_CS_MAP: return "map";
    }
    return "string";
}

json_t *tw_cs_default_json(const tw_cs_t *schema, const json_t *value,
                           const tw_cs_default_style_t *style)
{
    json_t *out;
    size_t i;

    if (value == NULL || json_is_null(value))
        return json_null();
    switch (schema->type) {
    case TW_CS_BYTES:
        return style->bytes((const unsigned char *)json_string_value(value),
                            json_string_length(value));
    case TW_CS_ARRAY:
        out = json_array();
        for (i = 0; i < json_array_size(value); i++)
            json_array_append_new(out, tw_cs_default_json(schema->elem,
                                                          json_array_get(value, i), style));
        return out;
    case TW_CS_STRUCT:
        out = json_object();
        for (i = 0; i < schema->nfields; i++) {
            const char *name = schema->fields[i].name;
            char *renamed = style->field_name ? tw_strdup(name) : NULL;
            if (renamed)
                style->field_name(renamed);
            json_object_set_new(out, renamed ? renamed : name,
                                tw_cs_default_json(schema->fields[i].schema,
                                                   json_object_get(value, name), style));
            free(renamed);
        }
        return out;
    default: return json_incref((json_t *)value);
    }
}

/* JsonConverter writes bytes (decimal.format=BASE64 too) in base64. */
static json_t *base64_text(const unsigned char *p, size_t len)
{
    tw_buf_t b64 = TW_BUF_INIT;
    json_t *out;

    tw_buf_append_base64(&b64, p, len);
    out = json_stringn(b64.data ? b64.data : "", b64.len);
    tw_buf_free(&b64);
    return out;
}

static const tw_cs_default_style_t connect_json_style = {base64_text, NULL};

json_t *tw_cs_to_connect_json(const tw_cs_t *schema)
{
    json_t *out = json_object();
    size_t i;

    json_object_set_new(out, "type", json_string(connect_type_name(schema->type)));
    if (schema->type == TW_CS_ARRAY)
        json_object_set_new(out, "items", tw_cs_to_connect_json(schema->elem));
    if (schema->type == TW_CS_MAP) {
        json_object_set_new(out, "keys", tw_cs_to_connect_json(schema->key));
        json_object_set_new(out, "values", tw_cs_to_connect_json(schema->elem));
    }
    if (schema->type == TW_CS_STRUCT) {
        json_t *fields = json_array();
        for (i = 0; i < schema->nfields; i++) {
            json_t *f = tw_cs_to_connect_json(schema->fields[i].schema);
            json_object_set_new(f, "field", json_string(schema->fields[i].name));
            json_array_append_new(fields, f);
        }
        json_object_set_new(out, "fields", fields);
    }
    json_object_set_new(out, "optional", json_boolean(schema->optional));
    if (schema->name)
        json_object_set_new(out, "name", json_string(schema->name));
    if (schema->version)
        json_object_set_new(out, "version", json_integer(schema->version));
    if (schema->doc)
        json_object_set_new(out, "doc", json_string(schema->doc));
    if (schema->parameters)
        json_object_set(out, "parameters", schema->parameters);
    /* JsonConverter writes the default last. */
    if (schema->default_value)
        json_object_set_new(out, "default", tw_cs_default_json(schema, schema->default_value, &connect_json_style));
    return out;
}
