/*
 * config_load.c — validation of raw properties into tw_config_t: the
 * connector's own keys, then each scope (converters, transforms,
 * predicates), then the rules that span keys.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "config/client_keys.h"
#include "config/config_internal.h"
#include "config/filter.h"
#include "config/topic_groups.h"

/* Prefixes whose keys are not in the connector table. */
static bool is_scoped_key(const char *name)
{
    static const char *const prefixes[] = {
        "key.converter", "value.converter", "transforms.", "predicates.", "producer.",
        "config.providers", "topic.creation.",
    };
    size_t i;

    for (i = 0; i < TW_ARRAY_SIZE(prefixes); i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* Debezium's column.mask.hash.<algorithm>.with.salt.<salt>,
 * column.mask.with.<n>.chars and column.truncate.to.<n>.chars. */
static bool is_column_rule(const char *name)
{
    size_t n = strlen(name);

    if (strncmp(name, "column.mask.hash.", 17) == 0 && strstr(name + 17, ".with.salt.") != NULL)
        return true;
    if (n > 6 && strcmp(name + n - 6, ".chars") == 0 &&
        (strncmp(name, "column.mask.with.", 17) == 0 ||
         strncmp(name, "column.truncate.to.", 19) == 0))
        return true;
    return false;
}

/* The closest top-level key, among tidewater's and Debezium's. */
static bool suggest_top(const char *name, char *out, size_t out_size)
{
    char a[256], b[256];
    bool has_a = tw_conf_scope_suggest(&tw_conf_scope_connector, "", name, a, sizeof(a));
    bool has_b = tw_conf_scope_suggest(&tw_conf_scope_debezium, "", name, b, sizeof(b));

    if (has_a && has_b && tw_config_edit_distance(name, b) < tw_config_edit_distance(name, a))
        has_a = false;
    if (!has_a && !has_b)
        return false;
    snprintf(out, out_size, "%s", has_a ? a : b);
    return true;
}

/* D12: Debezium 3.6 names table.fields.additional.error.on.missing
 * table.field.additional.missing, with values error and ignore. */
static tw_err_t apply_additional_missing(const tw_props_t *props, tw_config_t *cfg,
                                         char *errstr, size_t errstr_size)
{
    char key[512];
    size_t i;

    for (i = 0; i < cfg->ntransforms; i++) {
        tw_outbox_config_t *ob = &cfg->transforms[i].outbox;
        bool on_error;
        if (ob->field_additional_missing == NULL)
            continue;
        on_error = strcmp(ob->field_additional_missing, "error") == 0;
        snprintf(key, sizeof(key), "transforms.%s.table.fields.additional.error.on.missing",
                 cfg->transforms[i].name);
        if (tw_props_get(props, key) && ob->fields_additional_error_on_missing != on_error)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "transforms.%s.table.field.additional.missing=%s contradicts %s=%s; "
                           "keep one of the two keys",
                           cfg->transforms[i].name, ob->field_additional_missing, key,
                           ob->fields_additional_error_on_missing ? "true" : "false");
        ob->fields_additional_error_on_missing = on_error;
    }
    return TW_OK;
}

/* Appends each schema pattern, as a pattern of schema.table names, to a
 * table list. */
static void append_schema_patterns(char **list, const char *schemas)
{
    tw_buf_t buf = TW_BUF_INIT;
    char **items = NULL;
    size_t n = tw_config_split_list(schemas, &items), i;

    if (*list && (*list)[0])
        tw_buf_append_str(&buf, *list);
    for (i = 0; i < n; i++)
        tw_buf_printf(&buf, "%s(?:%s)\\..+", buf.len ? "," : "", items[i]);
    tw_config_free_list(items, n);
    free(*list);
    *list = buf.data;
}

/* The schema a table pattern names literally: a run of name characters
 * followed by `\.` or `.` (Debezium's examples write both), copied into
 * out; false when the pattern starts otherwise (e.g. `.*\.outbox`). */
static bool literal_schema(const char *pattern, char *out, size_t out_size)
{
    size_t n = strspn(pattern, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    if (n == 0 || n >= out_size || (pattern[n] != '.' && strncmp(pattern + n, "\\.", 2) != 0))
        return false;
    memcpy(out, pattern, n);
    out[n] = '\0';
    return true;
}

/* schema.include.list and table.include.list together (Debezium's outbox
 * example sets both): Debezium captures a table only if both lists match
 * it. Where each table pattern starts with its schema's name, that is the
 * table patterns whose schema the schema list matches; others can match
 * nothing and are dropped. A table pattern without a literal schema cannot
 * be intersected here and is an error saying so. */
static tw_err_t intersect_schema_list(tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    tw_filter_t *schemas = NULL;
    tw_buf_t kept = TW_BUF_INIT;
    char **items = NULL, schema[128];
    size_t n = tw_config_split_list(cfg->table_include_list, &items), i;
    tw_err_t err;

    err = tw_filter_new(cfg->schema_include_list, NULL, "schema.include.list", NULL, &schemas,
                        errstr, errstr_size);
    for (i = 0; err == TW_OK && i < n; i++) {
        if (!literal_schema(items[i], schema, sizeof(schema)))
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "schema.include.list=%s and table.include.list=%s are both set, and "
                          "the table pattern \"%s\" does not start with a schema name: drop "
                          "schema.include.list, or name the schema in each table pattern "
                          "(e.g. public\\.outbox)",
                          cfg->schema_include_list, cfg->table_include_list, items[i]);
        else if (tw_filter_match(schemas, schema))
            tw_buf_printf(&kept, "%s%s", kept.len ? "," : "", items[i]);
    }
    if (err == TW_OK && kept.len == 0)
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "schema.include.list=%s excludes the schema of every table in "
                      "table.include.list=%s: nothing would be captured",
                      cfg->schema_include_list, cfg->table_include_list);
    if (err == TW_OK) {
        free(cfg->table_include_list);
        cfg->table_include_list = kept.data;
        kept = (tw_buf_t)TW_BUF_INIT;
    }
    tw_buf_free(&kept);
    tw_config_free_list(items, n);
    tw_filter_destroy(schemas);
    return err;
}

/* schema.include.list / schema.exclude.list as table patterns, so every
 * reader of the table lists (publication, filter) honours them. */
static tw_err_t fold_schema_lists(tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    bool has_schemas = cfg->schema_include_list && cfg->schema_include_list[0];

    if (has_schemas && cfg->table_include_list && cfg->table_include_list[0])
        return intersect_schema_list(cfg, errstr, errstr_size);
    if (has_schemas)
        append_schema_patterns(&cfg->table_include_list, cfg->schema_include_list);
    if (cfg->schema_exclude_list && cfg->schema_exclude_list[0])
        append_schema_patterns(&cfg->table_exclude_list, cfg->schema_exclude_list);
    return TW_OK;
}

/* Every `<family>.<name>.` key must belong to a name listed in `family`. */
static tw_err_t check_listed(const tw_props_t *props, const char *family, char **names,
                             size_t n, char *errstr, size_t errstr_size)
{
    size_t flen = strlen(family), i, k;

    for (i = 0; i < tw_props_count(props); i++) {
        const char *name, *value, *origin, *rest, *dot;
        bool listed = false;

        tw_props_entry(props, i, &name, &value, &origin);
        if (strncmp(name, family, flen) != 0 || name[flen] != '.')
            continue;
        rest = name + flen + 1;
        dot = strchr(rest, '.');
        for (k = 0; dot && k < n; k++)
            if (strlen(names[k]) == (size_t)(dot - rest) &&
                strncmp(names[k], rest, (size_t)(dot - rest)) == 0)
                listed = true;
        if (!listed)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: config key \"%s\" belongs to no %s listed in %s=%s; add its "
                           "name to %s or remove the key",
                           origin, name, family[0] == 't' ? "transform" : "predicate", family,
                           tw_props_get(props, family) ? tw_props_get(props, family) : "",
                           family);
    }
    return TW_OK;
}

/* The key table of one transform: its class decides which keys it has. */
static const tw_conf_scope_t *scope_for(const tw_conf_scope_t *scope, const tw_props_t *props,
                                        const char *prefix)
{
    char key[300];
    const char *type;

    if (scope != &tw_conf_scope_transform)
        return scope;
    snprintf(key, sizeof(key), "%s.type", prefix);
    type = tw_props_get(props, key);
    if (type && strcmp(type, UNWRAP_CLASS) == 0)
        return &tw_conf_scope_unwrap;
    return scope;
}

static tw_err_t apply_named_scopes(const tw_props_t *props, const char *family,
                                   const tw_conf_scope_t *scope, size_t elem_size,
                                   size_t name_offset, void **array_out, size_t *n_out,
                                   tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    const char *list = tw_props_get(props, family);
    char **names = NULL, prefix[256];
    size_t n = tw_config_split_list(list, &names), i;
    char *array = tw_calloc(n ? n : 1, elem_size);
    tw_err_t err;

    *array_out = array;
    *n_out = 0;
    err = check_listed(props, family, names, n, errstr, errstr_size);
    for (i = 0; err == TW_OK && i < n; i++) {
        void *elem = array + i * elem_size;
        *(char **)((char *)elem + name_offset) = tw_strdup(names[i]);
        (*n_out)++;
        snprintf(prefix, sizeof(prefix), "%s.%s", family, names[i]);
        err = tw_conf_scope_apply(scope_for(scope, props, prefix), prefix, props, elem, cfg,
                                  errstr, errstr_size);
    }
    tw_config_free_list(names, n);
    return err;
}

static tw_err_t check_predicates_exist(const tw_config_t *cfg, char *errstr,
                                       size_t errstr_size)
{
    size_t i;

    for (i = 0; i < cfg->ntransforms; i++) {
        const char *p = cfg->transforms[i].predicate;
        if (p && tw_config_find_predicate(cfg, p) == NULL)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "transforms.%s.predicate=%s names no predicate listed in "
                           "predicates; add it there with predicates.%s.type and .pattern",
                           cfg->transforms[i].name, p, p);
    }
    return TW_OK;
}

/* Exactly-once needs a transactional producer of its own id, and a
 * transactional id without it would stall every produce. */
static tw_err_t apply_exactly_once(tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    const char *id = tw_props_get(cfg->producer, "transactional.id");
    tw_buf_t buf = TW_BUF_INIT;

    cfg->exactly_once = cfg->exactly_once_support == TW_EXACTLY_ONCE_REQUIRED ||
                        cfg->exactly_once_source_support == TW_EOS_SOURCE_ENABLED;
    if (!cfg->exactly_once) {
        if (id)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "producer.transactional.id is set but exactly-once delivery is off; "
                           "set exactly.once.support=required, or remove the key");
        return TW_OK;
    }
    if (id)
        tw_buf_append_str(&buf, id);
    else
        tw_buf_printf(&buf, "tidewater-%s", cfg->name);
    cfg->transactional_id = buf.data;
    if (cfg->offsets_storage_topic && cfg->offsets_storage_topic[0])
        cfg->offsets_topic = cfg->offsets_storage_topic;
    else
        cfg->offsets_topic = cfg->offset_storage_topic;
    if (cfg->offsets_topic == NULL || cfg->offsets_topic[0] == '\0')
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "offset.storage.topic must name a topic in exactly-once mode");
    return TW_OK;
}

/* Never the working directory: a checkpoint found there by accident (a
 * reused connector name, another checkout) would be applied to whatever
 * database the config names. */
static void default_state_paths(tw_config_t *cfg)
{
    const char *systemd = getenv("STATE_DIRECTORY");
    tw_buf_t path = TW_BUF_INIT;

    if (cfg->state_dir == NULL || cfg->state_dir[0] == '\0') {
        free(cfg->state_dir);
        if (systemd && systemd[0])
            /* systemd lists one directory per StateDirectory= entry, ':'-separated. */
            tw_buf_append(&path, systemd, strcspn(systemd, ":"));
        else
            tw_buf_printf(&path, "/var/lib/tidewater/%s", cfg->name);
        cfg->state_dir = path.data;
        path = (tw_buf_t)TW_BUF_INIT;
    }
    if (cfg->offsets_file == NULL) {
        tw_buf_printf(&path, "%s/%s.offsets.json", cfg->state_dir, cfg->name);
        cfg->offsets_file = path.data;
        path = (tw_buf_t)TW_BUF_INIT;
    }
    /* Beside the offsets file, in both delivery modes (slot_guard.h). */
    tw_buf_printf(&path, "%s.slot", cfg->offsets_file);
    cfg->slot_guard_file = path.data;
}

/* The connector's own keys and Debezium's: each known key applied, a
 * column rule kept for column_rules.h, a scoped key left to its scope, any
 * other an error with the closest known key. */
static tw_err_t apply_top_keys(const tw_props_t *props, tw_config_t *cfg, char *errstr,
                               size_t errstr_size)
{
    size_t i;
    tw_err_t err;

    for (i = 0; i < tw_props_count(props); i++) {
        const char *name, *value, *origin;
        const tw_conf_key_t *key;
        char hint[256];

        tw_props_entry(props, i, &name, &value, &origin);
        if (strcmp(name, "transforms") == 0 || strcmp(name, "predicates") == 0)
            continue;
        key = tw_conf_scope_find(&tw_conf_scope_connector, name);
        if (key == NULL)
            key = tw_conf_scope_find(&tw_conf_scope_debezium, name);
        if (key == NULL) {
            if (is_scoped_key(name))
                continue;
            if (is_column_rule(name)) { /* column_rules.h reads them */
                if (cfg->column_rules == NULL)
                    cfg->column_rules = tw_props_new();
                tw_props_set(cfg->column_rules, name, value, origin);
                continue;
            }
            return tw_conf_unknown_key(origin, name,
                                       suggest_top(name, hint, sizeof(hint)) ? hint : NULL,
                                       errstr, errstr_size);
        }
        err = tw_conf_key_apply(key, name, value, tw_props_shown(props, i), origin, cfg, cfg,
                                errstr, errstr_size);
        if (err)
            return err;
    }
    return TW_OK;
}

static tw_err_t check_required_top(const tw_props_t *props, const tw_config_t *cfg,
                                   char *errstr, size_t errstr_size)
{
    size_t i;

    for (i = 0; i < tw_conf_scope_connector.nkeys; i++) {
        const tw_conf_key_t *key = &tw_conf_scope_connector.keys[i];
        if ((key->flags & TW_CONF_REQUIRED) && tw_props_get(props, key->name) == NULL)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "missing required config key \"%s\": %s", key->name, key->doc);
        if ((key->flags & TW_CONF_REQUIRED) && key->type == TW_CONF_STRING &&
            (*(char *const *)((const char *)cfg + key->offset))[0] == '\0')
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "config key \"%s\" must not be empty: %s", key->name, key->doc);
    }
    return TW_OK;
}

/* Converters, transforms and predicates: one scope instance each. */
static tw_err_t apply_scopes(const tw_props_t *props, tw_config_t *cfg, char *errstr,
                             size_t errstr_size)
{
    tw_err_t err;

    err = tw_conf_scope_apply(&tw_conf_scope_key_converter, "key.converter", props,
                              &cfg->key_converter, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_conf_scope_apply(&tw_conf_scope_value_converter, "value.converter", props,
                                  &cfg->value_converter, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_conf_apply_delegates(props, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = apply_named_scopes(props, "transforms", &tw_conf_scope_transform,
                                 sizeof(tw_transform_config_t),
                                 offsetof(tw_transform_config_t, name),
                                 (void **)&cfg->transforms, &cfg->ntransforms, cfg, errstr,
                                 errstr_size);
    if (err == TW_OK)
        err = apply_named_scopes(props, "predicates", &tw_conf_scope_predicate,
                                 sizeof(tw_predicate_config_t),
                                 offsetof(tw_predicate_config_t, name),
                                 (void **)&cfg->predicates, &cfg->npredicates, cfg, errstr,
                                 errstr_size);
    return err;
}

/* producer.*, with Java client keys translated, and topic.creation.*. */
static tw_err_t apply_worker(const tw_props_t *props, tw_config_t *cfg, char *errstr,
                             size_t errstr_size)
{
    tw_err_t err;

    cfg->producer = tw_props_subset(props, "producer.");
    err = tw_client_keys_from_java(cfg->producer, "producer.", errstr, errstr_size);
    if (err == TW_OK)
        err = tw_topic_groups_new(props, &cfg->topic_creation, errstr, errstr_size);
    /* Topics tidewater creates get their group's settings, not the
     * broker's auto-creation defaults. */
    if (err == TW_OK && cfg->topic_creation &&
        tw_props_get(cfg->producer, "allow.auto.create.topics") == NULL)
        tw_props_set(cfg->producer, "allow.auto.create.topics", "false", "topic.creation");
    return err;
}

tw_err_t tw_config_from_props(const tw_props_t *props, tw_config_t *cfg, char *errstr,
                              size_t errstr_size)
{
    tw_err_t err;

    memset(cfg, 0, sizeof(*cfg));
    err = tw_conf_scope_defaults(&tw_conf_scope_connector, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = apply_top_keys(props, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = check_required_top(props, cfg, errstr, errstr_size);
    if (err)
        return err;
    /* A Debezium config without snapshot.mode asks for Debezium's default,
     * initial: say that tidewater does not take that snapshot. */
    if (tw_props_get(props, "connector.class") && tw_props_get(props, "snapshot.mode") == NULL) {
        cfg->notes = tw_realloc(cfg->notes, (cfg->nnotes + 1) * sizeof(char *));
        cfg->notes[cfg->nnotes++] = tw_strdup(
            "snapshot.mode is not set: Debezium's default (initial) would first emit every row "
            "of the captured tables; tidewater takes no snapshots and streams from the slot's "
            "position (no_data). Set snapshot.mode=no_data to say so.");
    }
    err = apply_scopes(props, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = check_predicates_exist(cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_conf_check_byte_array(cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = apply_additional_missing(props, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = fold_schema_lists(cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = apply_worker(props, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = apply_exactly_once(cfg, errstr, errstr_size);
    if (err == TW_OK)
        default_state_paths(cfg);
    return err;
}

void tw_config_clear(tw_config_t *cfg)
{
    size_t i;

    tw_conf_scope_clear(&tw_conf_scope_connector, cfg);
    tw_conf_scope_clear(&tw_conf_scope_debezium, cfg);
    if (cfg->key_converter.delegate) {
        tw_conf_scope_clear(&tw_conf_scope_key_converter, cfg->key_converter.delegate);
        free(cfg->key_converter.delegate);
    }
    if (cfg->value_converter.delegate) {
        tw_conf_scope_clear(&tw_conf_scope_value_converter, cfg->value_converter.delegate);
        free(cfg->value_converter.delegate);
    }
    tw_conf_scope_clear(&tw_conf_scope_key_converter, &cfg->key_converter);
    tw_conf_scope_clear(&tw_conf_scope_value_converter, &cfg->value_converter);
    for (i = 0; i < cfg->ntransforms; i++) {
        tw_conf_scope_clear(cfg->transforms[i].kind == TW_TRANSFORM_UNWRAP
                                ? &tw_conf_scope_unwrap
                                : &tw_conf_scope_transform,
                            &cfg->transforms[i]);
        free(cfg->transforms[i].name);
    }
    free(cfg->transforms);
    for (i = 0; i < cfg->npredicates; i++) {
        tw_conf_scope_clear(&tw_conf_scope_predicate, &cfg->predicates[i]);
        free(cfg->predicates[i].name);
    }
    free(cfg->predicates);
    tw_props_destroy(cfg->producer);
    tw_props_destroy(cfg->column_rules);
    tw_topic_groups_destroy(cfg->topic_creation);
    free(cfg->slot_guard_file);
    for (i = 0; i < cfg->nnotes; i++)
        free(cfg->notes[i]);
    free(cfg->notes);
    free(cfg->offsets_file);
    free(cfg->transactional_id);
    memset(cfg, 0, sizeof(*cfg));
}

tw_err_t tw_config_load(const char *path, tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    tw_props_t *props = tw_props_new();
    tw_err_t err;

    memset(cfg, 0, sizeof(*cfg));
    err = tw_props_load_file(props, path, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_props_resolve(props, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_config_from_props(props, cfg, errstr, errstr_size);
    tw_props_destroy(props);
    return err;
}

const tw_transform_config_t *tw_config_find_transform(const tw_config_t *cfg, int kind)
{
    size_t i;

    for (i = 0; i < cfg->ntransforms; i++)
        if (cfg->transforms[i].kind == kind)
            return &cfg->transforms[i];
    return NULL;
}

const tw_predicate_config_t *tw_config_find_predicate(const tw_config_t *cfg, const char *name)
{
    size_t i;

    for (i = 0; i < cfg->npredicates; i++)
        if (strcmp(cfg->predicates[i].name, name) == 0)
            return &cfg->predicates[i];
    return NULL;
}
