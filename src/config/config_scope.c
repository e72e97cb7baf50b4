/*
 * config_scope.c — applying one key table to the struct it describes:
 * parsing each value by its type, defaults, required keys, clearing, and
 * the closest known key for a typo.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "config/config_internal.h"

size_t tw_config_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t *row = tw_malloc((lb + 1) * sizeof(size_t));
    size_t result;

    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    result = row[lb];
    free(row);
    return result;
}

const tw_conf_key_t *tw_conf_scope_find(const tw_conf_scope_t *scope, const char *name)
{
    size_t i;

    for (i = 0; i < scope->nkeys; i++)
        if (strcmp(scope->keys[i].name, name) == 0)
            return &scope->keys[i];
    return NULL;
}

/* Full name of a key in a scope instance: prefix "." name (or just prefix
 * for the scope's own key, like `key.converter`). */
void tw_conf_full_name(const char *prefix, const char *name, char *out, size_t out_size)
{
    if (prefix[0] == '\0')
        snprintf(out, out_size, "%s", name);
    else if (name[0] == '\0')
        snprintf(out, out_size, "%s", prefix);
    else
        snprintf(out, out_size, "%s.%s", prefix, name);
}

/* The closest key name in a scope (as the user would write it), or NULL. */
bool tw_conf_scope_suggest(const tw_conf_scope_t *scope, const char *prefix, const char *name,
                           char *out, size_t out_size)
{
    size_t best_distance = SIZE_MAX, limit = TW_MAX(strlen(name) / 3, (size_t)2), i;
    const char *best = NULL;

    for (i = 0; i < scope->nkeys; i++) {
        size_t d = tw_config_edit_distance(name, scope->keys[i].name);
        if (d < best_distance) {
            best_distance = d;
            best = scope->keys[i].name;
        }
    }
    if (best == NULL || best_distance > limit)
        return false;
    tw_conf_full_name(prefix, best, out, out_size);
    return true;
}

static bool enum_index(const char *allowed, const char *value, int *index)
{
    const char *p = allowed;
    size_t vlen = strlen(value);
    int i = 0;

    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vlen && strncasecmp(p, value, n) == 0) {
            *index = i;
            return true;
        }
        i++;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

/* The index-th alternative of an allowed list, copied. */
static char *enum_name(const char *allowed, int index)
{
    const char *p = allowed, *bar;
    int k;

    for (k = 0; k < index; k++)
        p = strchr(p, '|') + 1;
    bar = strchr(p, '|');
    return tw_strndup(p, bar ? (size_t)(bar - p) : strlen(p));
}

static bool parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    if (strcasecmp(s, "true") == 0) {
        *out = true;
        return true;
    }
    if (strcasecmp(s, "false") == 0) {
        *out = false;
        return true;
    }
    return false;
}

static tw_err_t not_allowed(const char *origin, const char *name, const char *value,
                            const char *note, const char *allowed, char *errstr,
                            size_t errstr_size)
{
    tw_buf_t list = TW_BUF_INIT;
    const char *p;
    tw_err_t err;

    for (p = allowed; *p; p++) {
        if (*p == '|')
            tw_buf_append_str(&list, ", ");
        else
            tw_buf_append_char(&list, *p);
    }
    err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                  "%s: %s=\"%s\" is not allowed%s; use one of: %s", origin, name, value, note,
                  list.data);
    tw_buf_free(&list);
    return err;
}

/* A Debezium value tidewater does not implement: say why, and what it does. */
static tw_err_t limited(const char *origin, const char *name, const char *value,
                        const char *note, const tw_conf_key_t *key, char *errstr,
                        size_t errstr_size)
{
    tw_buf_t list = TW_BUF_INIT;
    const char *p;
    tw_err_t err;

    for (p = key->allowed; *p; p++) {
        if (*p == '|')
            tw_buf_append_str(&list, ", ");
        else
            tw_buf_append_char(&list, *p);
    }
    err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                  "%s: %s=\"%s\" is not supported by tidewater%s: %s Supported: %s.", origin,
                  name, value, note, key->doc, list.data);
    tw_buf_free(&list);
    return err;
}

/* Parses one value into base+offset. `name` is the full key for messages;
 * `shown` is the value as messages may show it (tw_props_shown): a value
 * from a config provider may be a secret under the wrong key. */
static tw_err_t conf_apply(const tw_conf_key_t *key, const char *name, const char *value,
                           const char *shown, const char *origin, void *base, char *errstr,
                           size_t errstr_size)
{
    char *field = (char *)base + key->offset;
    const char *note = strcmp(shown, value) != 0
                           ? " (the value comes from a config provider and is not shown)"
                           : "";
    int64_t i64, lo, hi;
    int idx;
    bool b;

    switch (key->type) {
    case TW_CONF_STRING:
    case TW_CONF_LIST:
        free(*(char **)field);
        *(char **)field = tw_strdup(value);
        return TW_OK;
    case TW_CONF_INT:
    case TW_CONF_INT64:
        if (!parse_int64(value, &i64))
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: %s=\"%s\" is not an integer%s", origin, name, shown, note);
        if (key->allowed && sscanf(key->allowed, "%" SCNd64 "..%" SCNd64, &lo, &hi) == 2 &&
            (i64 < lo || i64 > hi))
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: %s=%s is out of range; allowed: %s%s", origin, name, shown,
                           key->allowed, note);
        if (key->type == TW_CONF_INT)
            *(int *)field = (int)i64;
        else
            *(int64_t *)field = i64;
        return TW_OK;
    case TW_CONF_BOOL:
        if (!parse_bool(value, &b))
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: %s=\"%s\" is not a boolean; use true or false%s", origin,
                           name, shown, note);
        *(bool *)field = b;
        return TW_OK;
    case TW_CONF_ENUM:
    case TW_CONF_CHOICE:
        if (!enum_index(key->allowed, value, &idx) && (key->flags & TW_CONF_LIMITED))
            return limited(origin, name, shown, note, key, errstr, errstr_size);
        if (!enum_index(key->allowed, value, &idx))
            return not_allowed(origin, name, shown, note, key->allowed, errstr, errstr_size);
        if (key->type == TW_CONF_ENUM) {
            *(int *)field = idx;
        } else {
            free(*(char **)field);
            *(char **)field = enum_name(key->allowed, idx);
        }
        return TW_OK;
    }
    return TW_ERR_STATE;
}

static void add_note(tw_config_t *cfg, const char *origin, const char *name,
                     const char *shown, const char *doc)
{
    tw_buf_t line = TW_BUF_INIT;

    tw_buf_printf(&line, "%s: %s=%s is accepted for Debezium compatibility and does not "
                         "change what tidewater emits: %s",
                  origin, name, shown, doc);
    cfg->notes = tw_realloc(cfg->notes, (cfg->nnotes + 1) * sizeof(char *));
    cfg->notes[cfg->nnotes++] = line.data;
}

/* skipped.operations=c would drop every outbox event. */
static tw_err_t check_skipped_operations(const char *origin, const char *value, char *errstr,
                                         size_t errstr_size)
{
    char **items = NULL;
    size_t n = tw_config_split_list(value, &items), i;
    tw_err_t err = TW_OK;

    for (i = 0; err == TW_OK && i < n; i++) {
        if (strcmp(items[i], "c") == 0)
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: skipped.operations=%s skips inserts, which are the outbox "
                          "events tidewater routes; remove c (supported: none, t, u, d)",
                          origin, value);
        else if (strcmp(items[i], "none") != 0 && strcmp(items[i], "t") != 0 &&
                 strcmp(items[i], "u") != 0 && strcmp(items[i], "d") != 0)
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: skipped.operations has \"%s\"; use a comma-separated list of "
                          "c, u, d, t, or none",
                          origin, items[i]);
    }
    tw_config_free_list(items, n);
    return err;
}

/* conf_apply, plus what Debezium-compatibility keys need: a key without a
 * field is checked into scratch storage and dropped, an unsupported key is
 * an error, and a noted key leaves one note in cfg. */
tw_err_t tw_conf_key_apply(const tw_conf_key_t *key, const char *name, const char *value,
                           const char *shown, const char *origin, void *base, tw_config_t *cfg,
                           char *errstr, size_t errstr_size)
{
    union {
        char *str;
        int64_t i64;
        int i;
        bool b;
    } scratch;
    const char *p;
    tw_err_t err;

    if (!(key->flags & TW_CONF_NOSTORE)) {
        err = conf_apply(key, name, value, shown, origin, base, errstr, errstr_size);
        if (err == TW_OK && strcmp(name, "skipped.operations") == 0)
            err = check_skipped_operations(origin, value, errstr, errstr_size);
        return err;
    }
    for (p = value; isspace((unsigned char)*p); p++)
        ;
    if ((key->flags & TW_CONF_UNSUPPORTED) && *p != '\0')
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s: %s is not supported by tidewater: %s Remove the key.", origin, name,
                       key->doc);
    memset(&scratch, 0, sizeof(scratch));
    /* NOSTORE keys have offset 0, so base is the scratch. */
    err = conf_apply(key, name, value, shown, origin, &scratch, errstr, errstr_size);
    if (key->type == TW_CONF_STRING || key->type == TW_CONF_LIST || key->type == TW_CONF_CHOICE)
        free(scratch.str);
    if (err == TW_OK && (key->flags & TW_CONF_NOTE) && cfg)
        add_note(cfg, origin, name, shown, key->doc);
    return err;
}

tw_err_t tw_conf_scope_defaults(const tw_conf_scope_t *scope, void *base, char *errstr,
                                size_t errstr_size)
{
    size_t i;
    tw_err_t err;

    for (i = 0; i < scope->nkeys; i++) {
        const tw_conf_key_t *key = &scope->keys[i];
        if (key->default_value == NULL || (key->flags & TW_CONF_NOSTORE))
            continue;
        err = conf_apply(key, key->name, key->default_value, key->default_value, "default",
                         base, errstr, errstr_size);
        if (err)
            return err;
    }
    return TW_OK;
}

void tw_conf_scope_clear(const tw_conf_scope_t *scope, void *base)
{
    size_t i;

    for (i = 0; i < scope->nkeys; i++) {
        const tw_conf_key_t *key = &scope->keys[i];
        char **field;
        if ((key->type != TW_CONF_STRING && key->type != TW_CONF_LIST &&
             key->type != TW_CONF_CHOICE) ||
            (key->flags & TW_CONF_NOSTORE))
            continue;
        field = (char **)((char *)base + key->offset);
        if (*field && (key->flags & TW_CONF_SECRET))
            memset(*field, 0, strlen(*field));
        free(*field);
        *field = NULL;
    }
}

tw_err_t tw_conf_unknown_key(const char *origin, const char *name, const char *hint,
                             char *errstr, size_t errstr_size)
{
    if (hint)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s: unknown config key \"%s\"; did you mean \"%s\"?", origin, name,
                       hint);
    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                   "%s: unknown config key \"%s\"; `tidewater config-docs` lists every key",
                   origin, name);
}

/*
 * Applies every property under `prefix` (e.g. "transforms.outbox") to one
 * scope instance at `base`, after its defaults; then checks required keys.
 * An unknown key under the prefix is an error with a suggestion.
 */
tw_err_t tw_conf_scope_apply(const tw_conf_scope_t *scope, const char *prefix,
                             const tw_props_t *props, void *base, tw_config_t *cfg,
                             char *errstr, size_t errstr_size)
{
    size_t plen = strlen(prefix), i;
    char fullname[256], hint[256];
    tw_err_t err;

    err = tw_conf_scope_defaults(scope, base, errstr, errstr_size);
    if (err)
        return err;
    for (i = 0; i < tw_props_count(props); i++) {
        const char *name, *value, *origin, *rel;
        const tw_conf_key_t *key;

        tw_props_entry(props, i, &name, &value, &origin);
        if (plen > 0 && (strncmp(name, prefix, plen) != 0 ||
                         (name[plen] != '\0' && name[plen] != '.')))
            continue;
        rel = plen == 0 ? name : name[plen] == '.' ? name + plen + 1 : "";
        if ((scope == &tw_conf_scope_key_converter || scope == &tw_conf_scope_value_converter) &&
            tw_conf_is_delegate_key(rel))
            continue; /* config_converter.c reads them */
        key = tw_conf_scope_find(scope, rel);
        if (key == NULL) {
            bool close = tw_conf_scope_suggest(scope, prefix, rel, hint, sizeof(hint));

            return tw_conf_unknown_key(origin, name, close ? hint : NULL, errstr, errstr_size);
        }
        err = tw_conf_key_apply(key, name, value, tw_props_shown(props, i), origin, base, cfg,
                                errstr, errstr_size);
        if (err)
            return err;
    }
    for (i = 0; i < scope->nkeys; i++) {
        const tw_conf_key_t *key = &scope->keys[i];
        tw_conf_full_name(prefix, key->name, fullname, sizeof(fullname));
        if ((key->flags & TW_CONF_REQUIRED) && tw_props_get(props, fullname) == NULL)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "missing required config key \"%s\": %s", fullname, key->doc);
        if ((key->flags & TW_CONF_REQUIRED) && key->type == TW_CONF_STRING &&
            (*(char **)((char *)base + key->offset))[0] == '\0')
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "config key \"%s\" must not be empty: %s", fullname, key->doc);
    }
    return TW_OK;
}
