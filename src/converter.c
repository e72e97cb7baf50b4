/*
 * converter.c — subject naming and schema ids (Avro), JSON and string
 * rendering of datums.
 */
#include "converter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avro_binary.h"
#include "avro_convert.h"
#include "datum.h"

struct tw_converter {
    const tw_converter_config_t *cfg;
    bool is_key;
    tw_registry_t *registry;
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
    if (err) {
        free(conv);
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
    tw_buf_free(&conv->scratch);
    tw_buf_free(&conv->subject);
    free(conv);
}

tw_registry_t *tw_converter_registry(tw_converter_t *conv)
{
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

static tw_err_t schema_id(tw_converter_t *conv, const char *topic, tw_cs_t *schema, int32_t *id,
                          char *errstr, size_t errstr_size)
{
    unsigned slot;
    size_t i;
    tw_err_t err;

    subject_for(conv, topic, schema);
    for (i = 0; i < TW_ARRAY_SIZE(schema->memo); i++) {
        if (schema->memo[i].subject && strcmp(schema->memo[i].subject, conv->subject.data) == 0) {
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
    schema->memo[slot].id = *id;
    return TW_OK;
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
            tw_buf_printf(out, "%lld", (long long)i64);
        return err;
    case TW_CS_FLOAT32:
    case TW_CS_FLOAT64:
        err = tw_datum_double(datum, schema, &d, errstr, errstr_size);
        if (err == TW_OK) {
            if (isfinite(d))
                tw_buf_printf(out, "%.17g", d);
            else
                tw_buf_printf(out, "\"%s\"", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        }
        return err;
    case TW_CS_STRING:
        err = tw_datum_string(datum, schema, &conv->scratch, &s, &len, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append_json_string(out, s, len);
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
    if (tw_datum_is_null(datum)) {
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
            json_t *js = tw_cs_to_connect_json(schema);
            char *text = json_dumps(js, JSON_COMPACT | JSON_PRESERVE_ORDER);
            tw_buf_append_str(out, "{\"schema\":");
            tw_buf_append_str(out, text);
            tw_buf_append_str(out, ",\"payload\":");
            free(text);
            json_decref(js);
            err = json_value(conv, out, schema, datum, errstr, errstr_size);
            tw_buf_append_char(out, '}');
            return err;
        }
        return json_value(conv, out, schema, datum, errstr, errstr_size);
    case TW_CONVERTER_STRING:
        if (tw_datum_is_null(datum))
            return TW_OK;
        return tw_datum_header_string(datum, schema, out, &conv->scratch, errstr, errstr_size);
    }
    return TW_ERR_STATE;
}
