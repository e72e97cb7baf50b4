/*
 * props.h — raw connector properties in file order, before validation:
 * Kafka Connect .properties files, the JSON body of a Connect REST
 * `POST /connectors`, and the config providers that keep secrets out of them.
 */
#ifndef TW_PROPS_H
#define TW_PROPS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/common.h"

/* Raw key/value pairs in file order, before validation. */
typedef struct tw_props tw_props_t;

tw_props_t *tw_props_new(void);
void tw_props_destroy(tw_props_t *props); /* accepts NULL */
/* Adds or replaces. `origin` (e.g. "file.properties:12") is copied. */
void tw_props_set(tw_props_t *props, const char *key, const char *value, const char *origin);
const char *tw_props_get(const tw_props_t *props, const char *key);
/* Removes key (nothing if absent). */
void tw_props_remove(tw_props_t *props, const char *key);
/* Gives key's entry the name new_key, keeping its value, origin and
 * reference; an entry already named new_key is removed. */
void tw_props_rename(tw_props_t *props, const char *key, const char *new_key);
size_t tw_props_count(const tw_props_t *props);
/* Entry i's value as messages may show it: after tw_props_resolve, a value
 * that came through ${env:}/${file:}/${dir:} is shown as its reference
 * (e.g. "${env:DB_PORT}"), never resolved. Valid while props lives. */
const char *tw_props_shown(const tw_props_t *props, size_t i);
/* i-th entry in insertion order. */
void tw_props_entry(const tw_props_t *props, size_t i, const char **key, const char **value,
                    const char **origin);

/* A new set holding the entries whose key starts with prefix, with the
 * prefix removed ("producer.linger.ms" -> "linger.ms"). Owned by the caller. */
tw_props_t *tw_props_subset(const tw_props_t *props, const char *prefix);

/* Parses text as .properties, or as JSON when its first non-blank character
 * is '{' (either {"name":..., "config":{...}} or a flat map). `source` names
 * the input in messages. */
tw_err_t tw_props_parse(tw_props_t *props, const char *text, size_t len, const char *source,
                        char *errstr, size_t errstr_size);
tw_err_t tw_props_load_file(tw_props_t *props, const char *path, char *errstr,
                            size_t errstr_size);

/* Replaces ${env:VAR} and ${file:/path:key} references in every value.
 * An unset variable or missing file/key is an error naming the config key. */
tw_err_t tw_props_resolve(tw_props_t *props, char *errstr, size_t errstr_size);

/* Reads a whole file into out (appending). */
tw_err_t tw_props_read_file(const char *path, tw_buf_t *out, char *errstr, size_t errstr_size);

#endif /* TW_PROPS_H */
