/*
 * config_internal.h — the key tables' types, shared only by the parts of
 * the config module: config.c (the tables), config_scope.c (applying one
 * table to a struct), config_load.c (assembling tw_config_t) and
 * config_docs.c (`config-docs`). Calls between them run one way:
 * config_load.c → config_scope.c → config_list.c (comma lists, declared in
 * config.h), never back.
 */
#ifndef TW_CONFIG_INTERNAL_H
#define TW_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "config/config.h"

typedef enum tw_conf_type {
    TW_CONF_STRING,
    TW_CONF_INT,
    TW_CONF_INT64,
    TW_CONF_BOOL,
    TW_CONF_ENUM,   /* one of `allowed` ('|'-separated), stored as its index (int) */
    TW_CONF_CHOICE, /* one of `allowed`, stored as the canonical string */
    TW_CONF_LIST,   /* comma-separated; stored as the raw string */
} tw_conf_type_t;

#define TW_CONF_REQUIRED 0x01
#define TW_CONF_SECRET 0x02
#define TW_CONF_NOSTORE 0x04     /* a Debezium key with no field: checked, then dropped */
#define TW_CONF_NOTE 0x08        /* when set, one note (why it changes nothing) is logged */
#define TW_CONF_LIMITED 0x10     /* Debezium has more values; the doc says why not here */
#define TW_CONF_UNSUPPORTED 0x20 /* any non-empty value is an error */

typedef struct tw_conf_key {
    const char *name;
    tw_conf_type_t type;
    const char *default_value; /* NULL: unset */
    const char *allowed;       /* ENUM/CHOICE: "a|b|c"; INT: "min..max" */
    unsigned flags;
    size_t offset; /* into the scope's struct */
    const char *doc;
} tw_conf_key_t;

/* A family of keys sharing a prefix, e.g. every `transforms.<name>.`. */
typedef struct tw_conf_scope {
    const char *label; /* how docs print the prefix: "transforms.<name>." */
    const tw_conf_key_t *keys;
    size_t nkeys;
} tw_conf_scope_t;


#define UNWRAP_CLASS "io.debezium.transforms.ExtractNewRecordState"

/* BinaryDataConverter's delegate: its class is under
 * <key|value>.converter.DELEGATE, its options under that name. The
 * converter scope skips such keys; config_converter.c reads them. */
#define DELEGATE "delegate.converter.type"
static inline bool tw_conf_is_delegate_key(const char *rel)
{
    return strncmp(rel, "delegate.converter.", 19) == 0;
}

/* The tables (config.c). */
extern const tw_conf_scope_t tw_conf_scope_connector;
extern const tw_conf_scope_t tw_conf_scope_debezium;
extern const tw_conf_scope_t tw_conf_scope_key_converter;
extern const tw_conf_scope_t tw_conf_scope_value_converter;
extern const tw_conf_scope_t tw_conf_scope_transform;
extern const tw_conf_scope_t tw_conf_scope_unwrap; /* transforms of type UNWRAP_CLASS */
extern const tw_conf_scope_t tw_conf_scope_predicate;

/* Applying a table (config_scope.c). */
const tw_conf_key_t *tw_conf_scope_find(const tw_conf_scope_t *scope, const char *name);

/* Full name of a key in a scope instance: prefix "." name (or just prefix
 * for the scope's own key, like `key.converter`). */
void tw_conf_full_name(const char *prefix, const char *name, char *out, size_t out_size);

/* The closest key name in a scope (as the user would write it), if any is
 * close enough. */
bool tw_conf_scope_suggest(const tw_conf_scope_t *scope, const char *prefix, const char *name,
                           char *out, size_t out_size);

/* TW_ERR_CONFIG for a key nobody reads: "did you mean" the hint when one
 * was found (hint NULL: none), else where the keys are listed. */
tw_err_t tw_conf_unknown_key(const char *origin, const char *name, const char *hint,
                             char *errstr, size_t errstr_size);

/* Parses one value of `key` into its field at base + key->offset, with
 * what Debezium-compatibility keys need (see config_scope.c). `shown` is
 * the value as messages may show it (tw_props_shown); notes go to cfg. */
tw_err_t tw_conf_key_apply(const tw_conf_key_t *key, const char *name, const char *value,
                           const char *shown, const char *origin, void *base, tw_config_t *cfg,
                           char *errstr, size_t errstr_size);

tw_err_t tw_conf_scope_defaults(const tw_conf_scope_t *scope, void *base, char *errstr,
                                size_t errstr_size);
/* Frees a scope instance's strings (secrets wiped first). */
void tw_conf_scope_clear(const tw_conf_scope_t *scope, void *base);

/* Applies every property under `prefix` (e.g. "transforms.outbox") to one
 * scope instance at `base`, after its defaults; then checks required keys.
 * An unknown key under the prefix is an error with a suggestion. */
tw_err_t tw_conf_scope_apply(const tw_conf_scope_t *scope, const char *prefix,
                             const tw_props_t *props, void *base, tw_config_t *cfg,
                             char *errstr, size_t errstr_size);

/* What the converter keys need beyond their table (config_converter.c):
 * BinaryDataConverter's delegates, and ByteArrayConverter's refusal of
 * records known at load to be Structs. */
tw_err_t tw_conf_apply_delegates(const tw_props_t *props, tw_config_t *cfg, char *errstr,
                                 size_t errstr_size);
tw_err_t tw_conf_check_byte_array(const tw_config_t *cfg, char *errstr, size_t errstr_size);

#endif /* TW_CONFIG_INTERNAL_H */
