/*
 * converter.c — subject naming and schema ids (Avro), JSON and string
 * rendering of datums, raw bytes (with BinaryDataConverter's delegate).
 */
#include "codec/converter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avro_binary.h"
#include "codec/avro_convert.h"
#include "codec/datum.h"
#include "codec/hstore.h"

struct tw_converter {
    const tw_converter_config_t *cfg;
    bool is_key;
    tw_registry_t *registry;
    tw_converter_t *delegate; /* BinaryDataConverter's, for non-bytes */
    tw_buf_t scratch;
    tw_buf_t subject;
};

tw_err_t tw_converter_new(const tw_converter_config_t *cfg, bool is_key, tw_converter_t **out,
                          char *errstr, size_t errstr_size)
{
    tw_converter_t *conv = tw_calloc(1, sizeof(*conv));
    tw_err_t err = TW_OK;

    *out = NULL;
    conv->cfg = cfg;
    conv->is_key = is_key;
    if (cfg->kind == TW_CONVERTER_AVRO)
        err = tw_registry_new(cfg, is_key ? "key.converter" : "value.converter",
                              &conv->registry, errstr, errstr_size);
    if (err == TW_OK && cfg->kind == TW_CONVERTER_BINARY_DATA && cfg->delegate)
        err = tw_converter_new(cfg->delegate, is_key, &conv->delegate, errstr, errstr_size);
    if (err) {
        tw_converter_destroy(conv);
        return err;
    }
    *out = conv;
    return TW_OK;
}

void tw_converter_destroy(tw_converter_t *conv)
{
    if (conv == NULL)
        return;
    tw_registry_destroy(conv->registry);
    tw_converter_destroy(conv->delegate);
    tw_buf_free(&conv->scratch);
    tw_buf_free(&conv->subject);
    free(conv);
}

tw_registry_t *tw_converter_registry(tw_converter_t *conv)
{
    if (conv->registry == NULL && conv->delegate)
        return conv->delegate->registry;
    return conv->registry;
}

void tw_subject_name(int strategy, bool is_key, const char *topic, const char *record_name,
                     tw_buf_t *out)
{
    tw_buf_reset(out);
    if (strategy == TW_SUBJECT_TOPIC_NAME) {
        tw_buf_append_str(out, topic);
        tw_buf_append_str(out, is_key ? "-key" : "-value");
    } else if (strategy == TW_SUBJECT_RECORD_NAME) {
        tw_buf_append_str(out, record_name);
    } else {
        tw_buf_append_str(out, topic);
        tw_buf_append_char(out, '-');
        tw_buf_append_str(out, record_name);
    }
}

/* Subject per the configured strategy. The record name is only worked
 * out when the strategy uses it. */
static void subject_for(tw_converter_t *conv, const char *topic, const tw_cs_t *schema)
{
    int strategy = conv->is_key ? conv->cfg->key_subject_strategy
                                : conv->cfg->value_subject_strategy;

    tw_subject_name(strategy, conv->is_key, topic,
                    strategy == TW_SUBJECT_TOPIC_NAME ? NULL : tw_avro_record_name(schema),
                    &conv->subject);
}

static uint32_t fnv1a(uint32_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

#define FNV1A_INIT 2166136261u

/* The memoized id for the subject topic gives under the topic-name
 * strategy, found without writing the subject out: records for one topic
 * come in long runs, so this is the common case. */
static bool memo_by_topic(const tw_converter_t *conv, const char *topic, const tw_cs_t *schema,
                          int32_t *id)
{
    const char *suffix = conv->is_key ? "-key" : "-value";
    uint32_t h = fnv1a(fnv1a(FNV1A_INIT, topic), suffix);
    size_t i, n;

    for (i = 0; i < TW_ARRAY_SIZE(schema->memo); i++) {
        const char *subject = schema->memo[i].subject;
        if (subject == NULL || schema->memo[i].subject_hash != h)
            continue;
        n = strlen(topic);
        if (strncmp(subject, topic, n) == 0 && strcmp(subject + n, suffix) == 0) {
            *id = schema->memo[i].id;
            return true;
        }
    }
    return false;
}

static tw_err_t schema_id(tw_converter_t *conv, const char *topic, tw_cs_t *schema, int32_t *id,
                          char *errstr, size_t errstr_size)
{
    unsigned slot;
    uint32_t h;
    size_t i;
    tw_err_t err;

    if ((conv->is_key ? conv->cfg->key_subject_strategy : conv->cfg->value_subject_strategy) ==
            TW_SUBJECT_TOPIC_NAME &&
        memo_by_topic(conv, topic, schema, id))
        return TW_OK;
    subject_for(conv, topic, schema);
    h = fnv1a(FNV1A_INIT, conv->subject.data);
    for (i = 0; i < TW_ARRAY_SIZE(schema->memo); i++) {
        if (schema->memo[i].subject && schema->memo[i].subject_hash == h &&
            strcmp(schema->memo[i].subject, conv->subject.data) == 0) {
            *id = schema->memo[i].id;
            return TW_OK;
        }
    }
    if (schema->avro_text == NULL) {
        schema->avro_text = tw_avro_schema_text(schema, errstr, errstr_size);
        if (schema->avro_text == NULL)
            return TW_ERR_STATE;
    }
    if (conv->cfg->auto_register)
        err = tw_registry_register(conv->registry, conv->subject.data, schema->avro_text, id,
                                   errstr, errstr_size);
    else if (conv->cfg->use_latest_version)
        err = tw_registry_latest(conv->registry, conv->subject.data, id, errstr, errstr_size);
    else
        err = tw_registry_lookup(conv->registry, conv->subject.data, schema->avro_text, id,
                                 errstr, errstr_size);
    if (err)
        return err;
    slot = schema->memo_next++ % TW_ARRAY_SIZE(schema->memo);
    free(schema->memo[slot].subject);
    schema->memo[slot].subject = tw_strdup(conv->subject.data);
    schema->memo[slot].subject_hash = h;
    schema->memo[slot].id = *id;
    return TW_OK;
}

/* A double as Java's Double.toString (Float.toString for float32) writes it:
 * the shortest digits that read back the same; plain between 1e-3 and 1e7,
 * else d.dddE<exp>. JsonConverter (Jackson) and Kafka Connect's header
 * converter write numbers that way. */
void tw_converter_append_java_double(tw_buf_t *out, double d, bool single)
{
    char digits[40], *e;
    int prec, exp;
    size_t n;

    if (!isfinite(d)) {
        tw_buf_append_str(out, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        tw_buf_append_str(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    for (prec = 0; prec < 17; prec++) {
        snprintf(digits, sizeof(digits), "%.*e", prec, d);
        if (single ? strtof(digits, NULL) == (float)d : strtod(digits, NULL) == d)
            break;
    }
    e = strchr(digits, 'e');
    exp = atoi(e + 1);
    *e = '\0';
    if (exp >= -3 && exp < 7) {
        /* Plain: move the point; at least one digit after it. */
        const char *p = digits;
        char mant[40];
        size_t m = 0, i;
        if (*p == '-') {
            tw_buf_append_char(out, '-');
            p++;
        }
        for (; *p; p++)
            if (*p != '.')
                mant[m++] = *p;
        if (exp < 0) {
            tw_buf_append_str(out, "0.");
            for (i = 0; i < (size_t)(-exp - 1); i++)
                tw_buf_append_char(out, '0');
            tw_buf_append(out, mant, m);
        } else {
            for (i = 0; i <= (size_t)exp; i++)
                tw_buf_append_char(out, i < m ? mant[i] : '0');
            tw_buf_append_char(out, '.');
            if ((size_t)exp + 1 < m)
                tw_buf_append(out, mant + exp + 1, m - exp - 1);
            else
                tw_buf_append_char(out, '0');
        }
        return;
    }
    n = strlen(digits);
    tw_buf_append(out, digits, n);
    if (!strchr(digits, '.'))
        tw_buf_append_str(out, ".0");
    tw_buf_printf(out, "E%d", exp);
}

/* A JSON string as JsonConverter (Jackson) writes it: like
 * tw_buf_append_json_string, but characters beyond U+FFFF as \uXXXX\uXXXX
 * surrogate-pair escapes, and a lone surrogate (in its three-byte form,
 * which only a truncation leaves: tw_datum_string_wtf8) as \uXXXX. */
static void append_jackson_string(tw_buf_t *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, start = 0, mark;

    tw_buf_append_char(out, '"');
    while (i <= len) {
        bool four = i + 3 < len && p[i] >= 0xF0 && p[i] <= 0xF4 && (p[i + 1] & 0xC0) == 0x80 &&
                    (p[i + 2] & 0xC0) == 0x80 && (p[i + 3] & 0xC0) == 0x80;
        bool lone = i + 2 < len && p[i] == 0xED && p[i + 1] >= 0xA0 && p[i + 1] <= 0xBF &&
                    (p[i + 2] & 0xC0) == 0x80;
        if (i < len && !four && !lone) {
            i++;
            continue;
        }
        if (i > start) {
            /* The segment before, escaped, without its quotes. */
            mark = out->len;
            tw_buf_append_json_string(out, s + start, i - start);
            memmove(out->data + mark, out->data + mark + 1, out->len - mark - 2);
            out->len -= 2;
        }
        if (i == len)
            break;
        if (lone) {
            tw_buf_printf(out, "\\u%04X",
                          ((p[i] & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu));
            i += 3;
            start = i;
            continue;
        }
        {
            uint32_t cp = ((uint32_t)(p[i] & 0x07) << 18) | ((uint32_t)(p[i + 1] & 0x3F) << 12) |
                          ((uint32_t)(p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
            cp -= 0x10000;
            tw_buf_printf(out, "\\u%04X\\u%04X", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        }
        i += 4;
        start = i;
    }
    tw_buf_append_char(out, '"');
}

/* A JSON document as JsonConverter's Jackson writes it: compact, doubles
 * in Java's form (a schema default 0.1, not 0.10000000000000001), strings
 * with Jackson's escapes. */
static void append_jackson_json(tw_buf_t *out, const json_t *json)
{
    const char *key;
    const json_t *v;
    size_t i;
    bool first = true;

    switch (json_typeof(json)) {
    case JSON_OBJECT:
        tw_buf_append_char(out, '{');
        json_object_foreach((json_t *)json, key, v) {
            if (!first)
                tw_buf_append_char(out, ',');
            first = false;
            append_jackson_string(out, key, strlen(key));
            tw_buf_append_char(out, ':');
            append_jackson_json(out, v);
        }
        tw_buf_append_char(out, '}');
        return;
    case JSON_ARRAY:
        tw_buf_append_char(out, '[');
        for (i = 0; i < json_array_size(json); i++) {
            if (i)
                tw_buf_append_char(out, ',');
            append_jackson_json(out, json_array_get(json, i));
        }
        tw_buf_append_char(out, ']');
        return;
    case JSON_STRING:
        append_jackson_string(out, json_string_value(json), json_string_length(json));
        return;
    case JSON_INTEGER: tw_buf_append_i64(out, json_integer_value(json)); return;
    case JSON_REAL:
        tw_converter_append_java_double(out, json_real_value(json), false);
        return;
    case JSON_TRUE: tw_buf_append_str(out, "true"); return;
    case JSON_FALSE: tw_buf_append_str(out, "false"); return;
    case JSON_NULL: tw_buf_append_str(out, "null"); return;
    }
}

static tw_err_t json_value(tw_converter_t *conv, tw_buf_t *out, const tw_cs_t *schema,
                           const tw_datum_t *datum, char *errstr, size_t errstr_size);

static tw_err_t json_required(tw_converter_t *conv, tw_buf_t *out, const tw_cs_t *schema,
                              const tw_datum_t *datum, char *errstr, size_t errstr_size)
{
    const char *s;
    const uint8_t *p;
    size_t len, i;
    int64_t i64;
    double d;
    bool b;
    tw_err_t err = TW_OK;

    switch (schema->type) {
    case TW_CS_BOOLEAN:
        err = tw_datum_bool(datum, schema, &b, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append_str(out, b ? "true" : "false");
        return err;
    case TW_CS_INT8:
    case TW_CS_INT16:
    case TW_CS_INT32:
    case TW_CS_INT64:
        err = tw_datum_int64(datum, schema, &i64, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append_i64(out, i64);
        return err;
    case TW_CS_FLOAT32:
    case TW_CS_FLOAT64:
        err = tw_datum_double(datum, schema, &d, errstr, errstr_size);
        if (err == TW_OK) {
            if (isfinite(d))
                tw_converter_append_java_double(out, d, schema->type == TW_CS_FLOAT32);
            else
                tw_buf_printf(out, "\"%s\"", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        }
        return err;
    case TW_CS_STRING:
        err = tw_datum_string_wtf8(datum, schema, &conv->scratch, &s, &len, errstr, errstr_size);
        if (err == TW_OK)
            append_jackson_string(out, s, len);
        return err;
    case TW_CS_BYTES:
        /* JsonConverter writes bytes (and Decimal's unscaled bytes) as base64. */
        err = tw_datum_bytes(datum, schema, &conv->scratch, &p, &len, errstr, errstr_size);
        if (err == TW_OK) {
            tw_buf_append_char(out, '"');
            tw_buf_append_base64(out, p, len);
            tw_buf_append_char(out, '"');
        }
        return err;
    case TW_CS_ARRAY:
        tw_buf_append_char(out, '[');
        for (i = 0; i < tw_datum_array_len(datum) && err == TW_OK; i++) {
            tw_datum_t elem = tw_datum_array_elem(datum, i);
            if (i)
                tw_buf_append_char(out, ',');
            err = json_value(conv, out, schema->elem, &elem, errstr, errstr_size);
        }
        tw_buf_append_char(out, ']');
        return err;
    case TW_CS_MAP: {
        /* JsonConverter writes a map with string keys as an object. */
        tw_hstore_t h = TW_HSTORE_INIT;
        err = tw_datum_hstore(datum, schema, &h, errstr, errstr_size);
        tw_buf_append_char(out, '{');
        for (i = 0; err == TW_OK && i < h.n; i++) {
            if (i)
                tw_buf_append_char(out, ',');
            append_jackson_string(out, h.pairs[i].key, h.pairs[i].key_len);
            tw_buf_append_char(out, ':');
            if (h.pairs[i].value)
                append_jackson_string(out, h.pairs[i].value, h.pairs[i].value_len);
            else
                tw_buf_append_str(out, "null");
        }
        tw_buf_append_char(out, '}');
        tw_hstore_free(&h);
        return err;
    }
    case TW_CS_STRUCT:
        tw_buf_append_char(out, '{');
        for (i = 0; i < schema->nfields && err == TW_OK; i++) {
            tw_value_t synthetic;
            tw_datum_t field = tw_datum_field(datum, schema, i, &synthetic);
            if (i)
                tw_buf_append_char(out, ',');
            tw_buf_append_json_string(out, schema->fields[i].name,
                                      strlen(schema->fields[i].name));
            tw_buf_append_char(out, ':');
            err = json_value(conv, out, schema->fields[i].schema, &field, errstr, errstr_size);
        }
        tw_buf_append_char(out, '}');
        return err;
    }
    return TW_OK;
}

static tw_err_t json_value(tw_converter_t *conv, tw_buf_t *out, const tw_cs_t *schema,
                           const tw_datum_t *datum, char *errstr, size_t errstr_size)
{
    if (tw_datum_null_for(datum, schema) && schema->default_value) {
        /* JsonConverter (replace.null.with.default=true, Kafka's default)
         * writes a null field's schema default instead. */
        tw_datum_t def = {NULL, schema->default_value, NULL};
        return json_required(conv, out, schema, &def, errstr, errstr_size);
    }
    if (tw_datum_null_for(datum, schema)) {
        if (!schema->optional)
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "null for a required (NOT NULL) schema");
        tw_buf_append_str(out, "null");
        return TW_OK;
    }
    return json_required(conv, out, schema, datum, errstr, errstr_size);
}

bool tw_converter_encodes_null(const tw_converter_t *conv)
{
    return conv->cfg->kind == TW_CONVERTER_JSON && conv->cfg->schemas_enable;
}

/* StringConverter writes value.toString() of the Connect value: a Struct
 * as Struct{name=value,...} without its null fields, a list as
 * [a, b], numbers and booleans as Java prints them. Bytes have no stable
 * Java form (an array's identity hash): they are written as base64. */
static tw_err_t java_string(tw_converter_t *conv, tw_buf_t *out, const tw_cs_t *schema,
                            const tw_datum_t *datum, char *errstr, size_t errstr_size)
{
    const uint8_t *p;
    size_t i, len;
    double d;
    bool first = true;
    tw_err_t err = TW_OK;

    if (tw_datum_is_null(datum)) {
        tw_buf_append_str(out, "null");
        return TW_OK;
    }
    switch (schema->type) {
    case TW_CS_FLOAT32:
    case TW_CS_FLOAT64:
        err = tw_datum_double(datum, schema, &d, errstr, errstr_size);
        if (err == TW_OK)
            tw_converter_append_java_double(out, d, schema->type == TW_CS_FLOAT32);
        return err;
    case TW_CS_BYTES:
        if (schema->name && strcmp(schema->name, "org.apache.kafka.connect.data.Decimal") == 0)
            break; /* BigDecimal prints its digits */
        err = tw_datum_bytes(datum, schema, &conv->scratch, &p, &len, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append_base64(out, p, len);
        return err;
    case TW_CS_MAP: {
        /* java.util.HashMap.toString(): {k=v, n=null} */
        tw_hstore_t h = TW_HSTORE_INIT;
        err = tw_datum_hstore(datum, schema, &h, errstr, errstr_size);
        tw_buf_append_char(out, '{');
        for (i = 0; err == TW_OK && i < h.n; i++) {
            if (i)
                tw_buf_append_str(out, ", ");
            tw_buf_append(out, h.pairs[i].key, h.pairs[i].key_len);
            tw_buf_append_char(out, '=');
            if (h.pairs[i].value)
                tw_buf_append(out, h.pairs[i].value, h.pairs[i].value_len);
            else
                tw_buf_append_str(out, "null");
        }
        tw_buf_append_char(out, '}');
        tw_hstore_free(&h);
        return err;
    }
    case TW_CS_ARRAY:
        if (datum->pg)
            break;
        tw_buf_append_char(out, '[');
        for (i = 0; i < tw_datum_array_len(datum) && err == TW_OK; i++) {
            tw_datum_t elem = tw_datum_array_elem(datum, i);
            if (i)
                tw_buf_append_str(out, ", ");
            err = java_string(conv, out, schema->elem, &elem, errstr, errstr_size);
        }
        tw_buf_append_char(out, ']');
        return err;
    case TW_CS_STRUCT:
        if (datum->pg)
            break;
        tw_buf_append_str(out, "Struct{");
        for (i = 0; i < schema->nfields && err == TW_OK; i++) {
            tw_value_t synthetic;
            tw_datum_t field = tw_datum_field(datum, schema, i, &synthetic);
            if (tw_datum_is_null(&field))
                continue;
            if (!first)
                tw_buf_append_char(out, ',');
            first = false;
            tw_buf_append_str(out, schema->fields[i].name);
            tw_buf_append_char(out, '=');
            err = java_string(conv, out, schema->fields[i].schema, &field, errstr, errstr_size);
        }
        tw_buf_append_char(out, '}');
        return err;
    default: break;
    }
    return tw_datum_header_string(datum, schema, out, &conv->scratch, errstr, errstr_size);
}

/* A bytea, not a Decimal's unscaled bytes: what ByteArrayConverter and
 * BinaryDataConverter write as they are. */
static bool plain_bytes(const tw_cs_t *schema)
{
    return schema->type == TW_CS_BYTES &&
           (schema->name == NULL ||
            strcmp(schema->name, "org.apache.kafka.connect.data.Decimal") != 0);
}

/* ByteArrayConverter, and BinaryDataConverter without a delegate: a
 * bytea's bytes as they are, nothing for NULL (a tombstone). Like Kafka's
 * and Debezium's converters they take BYTES only, so a text, jsonb or
 * numeric (Decimal) column is an error naming the column's schema. */
static tw_err_t raw_bytes(tw_converter_t *conv, const char *topic, const tw_cs_t *schema,
                          const tw_datum_t *datum, tw_buf_t *out, char *errstr,
                          size_t errstr_size)
{
    static const char *const names[] = {"boolean", "int8",   "int16", "int32",
                                        "int64",   "float32", "float64", "string",
                                        "bytes",   "array",  "struct"};
    const char *side = conv->is_key ? "key" : "value";
    const uint8_t *p;
    size_t len;
    tw_err_t err;

    if (!plain_bytes(schema))
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "%s.converter=%s writes bytea (BYTES) only, but the %s for topic %s is "
                       "a %s%s%s; make the column bytea (for the outbox: the payload column, "
                       "table.field.event.payload), %s",
                       side,
                       conv->cfg->kind == TW_CONVERTER_BYTES ? "ByteArrayConverter"
                                                             : "BinaryDataConverter",
                       side, topic,
                       schema->type < TW_ARRAY_SIZE(names) ? names[schema->type] : "?",
                       schema->name ? " " : "", schema->name ? schema->name : "",
                       conv->cfg->kind == TW_CONVERTER_BYTES
                           ? "or use another converter"
                           : "or name a converter for the rest in "
                             "<key|value>.converter.delegate.converter.type");
    if (tw_datum_is_null(datum))
        return TW_OK;
    err = tw_datum_bytes(datum, schema, &conv->scratch, &p, &len, errstr, errstr_size);
    if (err == TW_OK)
        tw_buf_append(out, p, len);
    return err;
}

tw_err_t tw_converter_encode(tw_converter_t *conv, const char *topic, tw_cs_t *schema,
                             const tw_datum_t *datum, tw_buf_t *out, char *errstr,
                             size_t errstr_size)
{
    int32_t id;
    tw_err_t err;

    tw_buf_reset(out);
    switch (conv->cfg->kind) {
    case TW_CONVERTER_AVRO:
        err = schema_id(conv, topic, schema, &id, errstr, errstr_size);
        if (err)
            return err;
        tw_avro_write_confluent_header(out, id);
        return tw_avro_encode(out, schema, datum, &conv->scratch, errstr, errstr_size);
    case TW_CONVERTER_JSON:
        if (conv->cfg->schemas_enable) {
            /* The schema's text once per schema, not per record: a change
             * event's envelope schema is kilobytes of JSON. */
            if (schema->connect_json_text == NULL) {
                json_t *js = tw_cs_to_connect_json(schema);
                tw_buf_t text = TW_BUF_INIT;
                append_jackson_json(&text, js);
                schema->connect_json_text = tw_strndup(text.data, text.len);
                tw_buf_free(&text);
                json_decref(js);
            }
            tw_buf_append_str(out, "{\"schema\":");
            tw_buf_append_str(out, schema->connect_json_text);
            tw_buf_append_str(out, ",\"payload\":");
            err = json_value(conv, out, schema, datum, errstr, errstr_size);
            tw_buf_append_char(out, '}');
            return err;
        }
        return json_value(conv, out, schema, datum, errstr, errstr_size);
    case TW_CONVERTER_STRING:
        if (tw_datum_is_null(datum))
            return TW_OK;
        return java_string(conv, out, schema, datum, errstr, errstr_size);
    case TW_CONVERTER_BYTES:
        return raw_bytes(conv, topic, schema, datum, out, errstr, errstr_size);
    case TW_CONVERTER_BINARY_DATA:
        if (conv->delegate && !plain_bytes(schema))
            return tw_converter_encode(conv->delegate, topic, schema, datum, out, errstr,
                                       errstr_size);
        return raw_bytes(conv, topic, schema, datum, out, errstr, errstr_size);
    }
    return TW_ERR_STATE;
}
