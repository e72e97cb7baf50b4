/*
 * config_converter.c — what the converter keys need beyond their table:
 * BinaryDataConverter's delegate converter (a converter scope again, under
 * <key|value>.converter.delegate.converter.type), and ByteArrayConverter's
 * refusal, at load, of records known to be Structs.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_internal.h"

/* BinaryDataConverter's delegate: the converter scope again, under
 * <prefix>.delegate.converter.type (its class) and that name's sub-keys,
 * as Debezium hands them to the delegate. */
static tw_err_t apply_delegate(const tw_conf_scope_t *scope, const char *prefix,
                               const tw_props_t *props, tw_converter_config_t *conv,
                               tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    char name[128], stem[128];
    const char *cls;
    size_t i, nlen;
    tw_err_t err = TW_OK;

    snprintf(name, sizeof(name), "%s." DELEGATE, prefix);
    snprintf(stem, sizeof(stem), "%s.delegate.converter.", prefix);
    nlen = strlen(name);
    cls = tw_props_get(props, name);
    if (cls && conv->kind != TW_CONVERTER_BINARY_DATA)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s is an option of io.debezium.converters.BinaryDataConverter; set "
                       "%s=io.debezium.converters.BinaryDataConverter, or remove it",
                       name, prefix);
    if (cls && strcmp(cls, "io.debezium.converters.BinaryDataConverter") == 0)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s=%s: a BinaryDataConverter cannot delegate to another; name "
                       "JsonConverter, AvroConverter or StringConverter",
                       name, cls);
    if (cls) {
        conv->delegate = tw_calloc(1, sizeof(*conv->delegate));
        err = tw_conf_scope_apply(scope, name, props, conv->delegate, cfg, errstr, errstr_size);
    }
    for (i = 0; err == TW_OK && i < tw_props_count(props); i++) {
        const char *n, *v, *origin;
        tw_props_entry(props, i, &n, &v, &origin);
        if (strncmp(n, stem, strlen(stem)) != 0)
            continue;
        if (strncmp(n, name, nlen) == 0 && (n[nlen] == '\0' || n[nlen] == '.')) {
            if (cls == NULL)
                err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                              "%s: %s configures a delegate converter, but %s is not set; "
                              "set it (with %s=io.debezium.converters.BinaryDataConverter) "
                              "or remove the key",
                              origin, n, name, prefix);
            continue;
        }
        /* Debezium hands the delegate only the keys under `name.`. */
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "%s: %s never reaches the delegate converter: BinaryDataConverter passes "
                      "it only the keys under %s. (e.g. %s.schema.registry.url)",
                      origin, n, name, name);
    }
    return err;
}

/* Whether a table.fields.additional.placement list (column:placement[:alias],
 * comma-separated) places a column in the envelope. */
static bool places_in_envelope(const char *list)
{
    const char *p = list;

    while (p && *p) {
        const char *end = p + strcspn(p, ",");
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon) {
            const char *pl = colon + 1;
            size_t n = strcspn(pl, ":,");
            while (n && pl[n - 1] == ' ')
                n--;
            while (n && *pl == ' ')
                pl++, n--;
            if (n == 8 && strncmp(pl, "envelope", 8) == 0)
                return true;
        }
        p = *end ? end + 1 : end;
    }
    return false;
}

/* ByteArrayConverter writes BYTES only; Kafka's converter throws on any
 * other schema (the task fails at that record). Records known here to be
 * structs are refused at load, not at the first one: change events (no
 * outbox transform), an outbox envelope placement, heartbeats and
 * transaction metadata. A bytea check per record stays in converter.c. */
static tw_err_t check_byte_array_converter(const tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    const char *which[2] = {"key.converter", "value.converter"};
    const tw_converter_config_t *conv[2] = {&cfg->key_converter, &cfg->value_converter};
    const char *why = NULL;
    bool outbox = false;
    size_t i, j;

    for (i = 0; i < cfg->ntransforms; i++)
        if (cfg->transforms[i].kind == TW_TRANSFORM_OUTBOX)
            outbox = true;
    for (j = 0; j < 2; j++) {
        /* BinaryDataConverter hands non-bytes to its delegate, if any. */
        if (conv[j]->kind != TW_CONVERTER_BYTES &&
            (conv[j]->kind != TW_CONVERTER_BINARY_DATA || conv[j]->delegate))
            continue;
        if (!outbox)
            why = "change events have a Struct key and value; use it with the outbox "
                  "transform (transforms.<name>.type=io.debezium.transforms.outbox.EventRouter)";
        else if (cfg->heartbeat_interval_ms > 0)
            why = "heartbeat records (heartbeat.interval.ms) are Structs; set "
                  "heartbeat.interval.ms=0";
        else if (cfg->provide_transaction_metadata)
            why = "transaction metadata records are Structs; set "
                  "provide.transaction.metadata=false";
        for (i = 0; why == NULL && j == 1 && i < cfg->ntransforms; i++)
            if (cfg->transforms[i].kind == TW_TRANSFORM_OUTBOX &&
                places_in_envelope(cfg->transforms[i].outbox.fields_additional_placement))
                why = "table.fields.additional.placement with :envelope makes the value a "
                      "Struct; place those columns in headers";
        if (why && conv[j]->kind == TW_CONVERTER_BYTES)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s=org.apache.kafka.connect.converters.ByteArrayConverter writes "
                           "bytea (BYTES) only, as in Kafka Connect: %s; or use JsonConverter, "
                           "AvroConverter or StringConverter",
                           which[j], why);
        if (why)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s=io.debezium.converters.BinaryDataConverter without %s." DELEGATE
                           " writes bytea (BYTES) only: %s; or name a converter for "
                           "the rest in %s." DELEGATE " (e.g. "
                           "org.apache.kafka.connect.json.JsonConverter)",
                           which[j], which[j], why, which[j]);
    }
    return TW_OK;
}

tw_err_t tw_conf_apply_delegates(const tw_props_t *props, tw_config_t *cfg, char *errstr,
                                 size_t errstr_size)
{
    tw_err_t err = apply_delegate(&tw_conf_scope_key_converter, "key.converter", props,
                                  &cfg->key_converter, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = apply_delegate(&tw_conf_scope_value_converter, "value.converter", props,
                             &cfg->value_converter, cfg, errstr, errstr_size);
    return err;
}

tw_err_t tw_conf_check_byte_array(const tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    return check_byte_array_converter(cfg, errstr, errstr_size);
}
