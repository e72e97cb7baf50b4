/*
 * props.c — raw connector properties: .properties and Connect-JSON parsing,
 * and the ${env:}, ${file:}, ${dir:} config providers.
 */
#include "config/props.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* ------------------------------------------------------------------------
 * Raw properties
 * ------------------------------------------------------------------------ */

typedef struct tw_prop {
    char *key;
    char *value;
    char *origin;
    char *reference; /* the text before ${...} resolution, or NULL */
} tw_prop_t;

struct tw_props {
    tw_prop_t *items;
    size_t n, cap;
};

tw_props_t *tw_props_new(void)
{
    return tw_calloc(1, sizeof(tw_props_t));
}

void tw_props_destroy(tw_props_t *props)
{
    size_t i;

    if (props == NULL)
        return;
    for (i = 0; i < props->n; i++) {
        free(props->items[i].key);
        free(props->items[i].value);
        free(props->items[i].origin);
        free(props->items[i].reference);
    }
    free(props->items);
    free(props);
}

static tw_prop_t *props_find(const tw_props_t *props, const char *key)
{
    size_t i;

    for (i = 0; i < props->n; i++)
        if (strcmp(props->items[i].key, key) == 0)
            return &props->items[i];
    return NULL;
}

void tw_props_set(tw_props_t *props, const char *key, const char *value, const char *origin)
{
    tw_prop_t *prop = props_find(props, key);

    if (prop) {
        /* Like java.util.Properties: a later line wins. */
        free(prop->value);
        free(prop->origin);
        free(prop->reference);
    } else {
        if (props->n == props->cap) {
            props->cap = props->cap ? props->cap * 2 : 32;
            props->items = tw_realloc(props->items, props->cap * sizeof(*props->items));
        }
        prop = &props->items[props->n++];
        prop->key = tw_strdup(key);
    }
    prop->value = tw_strdup(value);
    prop->origin = tw_strdup(origin ? origin : "");
    prop->reference = NULL;
}

void tw_props_remove(tw_props_t *props, const char *key)
{
    tw_prop_t *prop = props_find(props, key);
    size_t i;

    if (prop == NULL)
        return;
    i = (size_t)(prop - props->items);
    free(prop->key);
    free(prop->value);
    free(prop->origin);
    free(prop->reference);
    memmove(&props->items[i], &props->items[i + 1], (props->n - i - 1) * sizeof(*prop));
    props->n--;
}

void tw_props_rename(tw_props_t *props, const char *key, const char *new_key)
{
    tw_prop_t *prop;

    if (strcmp(key, new_key) == 0 || props_find(props, key) == NULL)
        return;
    tw_props_remove(props, new_key);
    prop = props_find(props, key);
    free(prop->key);
    prop->key = tw_strdup(new_key);
}

const char *tw_props_get(const tw_props_t *props, const char *key)
{
    tw_prop_t *prop = props_find(props, key);
    return prop ? prop->value : NULL;
}

const char *tw_props_shown(const tw_props_t *props, size_t i)
{
    const tw_prop_t *prop = &props->items[i];
    return prop->reference ? prop->reference : prop->value;
}

size_t tw_props_count(const tw_props_t *props)
{
    return props->n;
}

void tw_props_entry(const tw_props_t *props, size_t i, const char **key, const char **value,
                    const char **origin)
{
    *key = props->items[i].key;
    *value = props->items[i].value;
    if (origin)
        *origin = props->items[i].origin;
}

tw_props_t *tw_props_subset(const tw_props_t *props, const char *prefix)
{
    tw_props_t *subset = tw_props_new();
    size_t plen = strlen(prefix), i;

    for (i = 0; i < props->n; i++) {
        const tw_prop_t *prop = &props->items[i];
        if (strncmp(prop->key, prefix, plen) == 0 && prop->key[plen] != '\0') {
            tw_props_set(subset, prop->key + plen, prop->value, prop->origin);
            if (prop->reference)
                subset->items[subset->n - 1].reference = tw_strdup(prop->reference);
        }
    }
    return subset;
}

/* Appends one code point as UTF-8 (for \uXXXX escapes). */
static void append_utf8(tw_buf_t *out, uint32_t cp)
{
    char b[4];

    if (cp < 0x80) {
        tw_buf_append_char(out, (char)cp);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        tw_buf_append(out, b, 2);
    } else {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        tw_buf_append(out, b, 3);
    }
}

/*
 * Reads one element (key or value) of a .properties logical line starting at
 * *pos, unescaping as java.util.Properties does. For a key, stops at the
 * first unescaped '=', ':' or blank. Line continuations (a trailing odd
 * backslash) join the next line with its leading blanks removed.
 */
static tw_err_t props_read_element(const char *text, size_t len, size_t *pos, bool is_key,
                                   tw_buf_t *out, int *lineno, const char *source,
                                   char *errstr, size_t errstr_size)
{
    size_t i = *pos;

    while (i < len && text[i] != '\n' && text[i] != '\r') {
        char c = text[i];

        if (is_key && (c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f'))
            break;
        if (c != '\\') {
            tw_buf_append_char(out, c);
            i++;
            continue;
        }
        i++;
        if (i >= len)
            break; /* a lone trailing backslash at end of input is dropped */
        c = text[i];
        if (c == '\n' || c == '\r') {
            /* continuation: skip the line break and the next line's indent */
            if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
                i++;
            i++;
            (*lineno)++;
            while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\f'))
                i++;
            continue;
        }
        i++;
        switch (c) {
        case 't': tw_buf_append_char(out, '\t'); break;
        case 'n': tw_buf_append_char(out, '\n'); break;
        case 'r': tw_buf_append_char(out, '\r'); break;
        case 'f': tw_buf_append_char(out, '\f'); break;
        case 'u': {
            uint32_t cp = 0;
            int k;
            for (k = 0; k < 4; k++, i++) {
                if (i >= len || !isxdigit((unsigned char)text[i]))
                    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                                   "%s:%d: malformed \\uXXXX escape", source, *lineno);
                cp = cp * 16 + (uint32_t)(isdigit((unsigned char)text[i])
                                              ? text[i] - '0'
                                              : (tolower((unsigned char)text[i]) - 'a' + 10));
            }
            append_utf8(out, cp);
            break;
        }
        default: tw_buf_append_char(out, c);
        }
    }
    *pos = i;
    return TW_OK;
}

static tw_err_t props_parse_properties(tw_props_t *props, const char *text, size_t len,
                                       const char *source, char *errstr, size_t errstr_size)
{
    tw_buf_t key = TW_BUF_INIT, value = TW_BUF_INIT;
    char origin[512];
    size_t i = 0;
    int lineno = 1;
    tw_err_t err = TW_OK;

    while (i < len) {
        int start_line = lineno;

        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\f'))
            i++;
        if (i < len && (text[i] == '#' || text[i] == '!')) {
            while (i < len && text[i] != '\n' && text[i] != '\r')
                i++;
        } else if (i < len && text[i] != '\n' && text[i] != '\r') {
            tw_buf_reset(&key);
            tw_buf_reset(&value);
            err = props_read_element(text, len, &i, true, &key, &lineno, source, errstr,
                                     errstr_size);
            if (err)
                goto cleanup;
            while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\f'))
                i++;
            if (i < len && (text[i] == '=' || text[i] == ':'))
                i++;
            while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\f'))
                i++;
            err = props_read_element(text, len, &i, false, &value, &lineno, source, errstr,
                                     errstr_size);
            if (err)
                goto cleanup;
            /* Trailing blanks are part of a Java value, but in a connector
             * file they are always an accident (a password with a trailing
             * space is a classic); strip them. */
            while (value.len > 0 && (value.data[value.len - 1] == ' ' ||
                                     value.data[value.len - 1] == '\t')) {
                value.data[--value.len] = '\0';
            }
            snprintf(origin, sizeof(origin), "%s:%d", source, start_line);
            tw_props_set(props, key.data ? key.data : "", value.data ? value.data : "",
                         origin);
        }
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        lineno++;
    }
cleanup:
    tw_buf_free(&key);
    tw_buf_free(&value);
    return err;
}

static tw_err_t props_parse_json(tw_props_t *props, const char *text, size_t len,
                                 const char *source, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root, *config, *name, *value;
    const char *key;
    char origin[512];
    tw_err_t err = TW_OK;

    root = json_loadb(text, len, 0, &jerr);
    if (root == NULL)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "%s:%d:%d: invalid JSON: %s",
                       source, jerr.line, jerr.column, jerr.text);
    if (!json_is_object(root)) {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "%s: expected a JSON object like {\"name\": ..., \"config\": {...}}",
                      source);
        goto cleanup;
    }
    /* The Connect REST body nests the map under "config" and names the
     * connector beside it; a bare map is accepted too. */
    config = json_object_get(root, "config");
    name = json_object_get(root, "name");
    if (config != NULL) {
        if (!json_is_object(config)) {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: \"config\" must be a JSON object", source);
            goto cleanup;
        }
        if (json_is_string(name)) {
            snprintf(origin, sizeof(origin), "%s:name", source);
            tw_props_set(props, "name", json_string_value(name), origin);
        }
    } else {
        config = root;
    }
    json_object_foreach(config, key, value) {
        char num[64];
        const char *v;

        snprintf(origin, sizeof(origin), "%s:%s", source, key);
        if (json_is_string(value)) {
            v = json_string_value(value);
        } else if (json_is_integer(value)) {
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
            v = num;
        } else if (json_is_real(value)) {
            snprintf(num, sizeof(num), "%.17g", json_real_value(value));
            v = num;
        } else if (json_is_boolean(value)) {
            v = json_is_true(value) ? "true" : "false";
        } else if (json_is_null(value)) {
            continue; /* Connect treats null as "not set" */
        } else {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: config key \"%s\" must be a string, number or boolean", source,
                          key);
            goto cleanup;
        }
        tw_props_set(props, key, v, origin);
    }
cleanup:
    json_decref(root);
    return err;
}

tw_err_t tw_props_parse(tw_props_t *props, const char *text, size_t len, const char *source,
                        char *errstr, size_t errstr_size)
{
    size_t i = 0;

    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i < len && text[i] == '{')
        return props_parse_json(props, text, len, source, errstr, errstr_size);
    return props_parse_properties(props, text, len, source, errstr, errstr_size);
}

tw_err_t tw_props_read_file(const char *path, tw_buf_t *out, char *errstr,
                                size_t errstr_size)
{
    FILE *f = fopen(path, "rb");
    char chunk[8192];
    size_t n;

    if (f == NULL)
        return tw_errf(TW_ERR_IO, errstr, errstr_size, "cannot open %s: %s", path,
                       strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        tw_buf_append(out, chunk, n);
    if (ferror(f)) {
        fclose(f);
        return tw_errf(TW_ERR_IO, errstr, errstr_size, "cannot read %s: %s", path,
                       strerror(errno));
    }
    fclose(f);
    return TW_OK;
}

tw_err_t tw_props_load_file(tw_props_t *props, const char *path, char *errstr,
                            size_t errstr_size)
{
    tw_buf_t text = TW_BUF_INIT;
    tw_err_t err;

    err = tw_props_read_file(path, &text, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_props_parse(props, text.data ? text.data : "", text.len, path, errstr,
                             errstr_size);
    tw_buf_free(&text);
    return err;
}

/* ------------------------------------------------------------------------
 * Config providers: ${env:VAR}, ${file:/path:key}, ${dir:/path:file}
 * ------------------------------------------------------------------------ */

/* Looks `key` up in a .properties file, for ${file:path:key} — the same
 * lookup Kafka's FileConfigProvider does. */
static tw_err_t provider_file(const char *path, const char *key, tw_buf_t *out,
                              char *errstr, size_t errstr_size)
{
    tw_props_t *file_props = tw_props_new();
    const char *value;
    tw_err_t err;

    err = tw_props_load_file(file_props, path, errstr, errstr_size);
    if (err == TW_OK) {
        value = tw_props_get(file_props, key);
        if (value == NULL)
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "key \"%s\" not found in %s",
                          key, path);
        else
            tw_buf_append_str(out, value);
    }
    tw_props_destroy(file_props);
    return err;
}

/* ${dir:/path:file} reads a whole file, like Kafka's DirectoryConfigProvider
 * (the shape Kubernetes secret mounts have). A final newline is dropped. */
static tw_err_t provider_dir(const char *dir, const char *file, tw_buf_t *out, char *errstr,
                             size_t errstr_size)
{
    tw_buf_t path = TW_BUF_INIT, content = TW_BUF_INIT;
    tw_err_t err;

    if (strchr(file, '/') != NULL)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "file name \"%s\" must not contain '/'", file);
    tw_buf_printf(&path, "%s/%s", dir, file);
    err = tw_props_read_file(path.data, &content, errstr, errstr_size);
    if (err == TW_OK) {
        while (content.len > 0 && (content.data[content.len - 1] == '\n' ||
                                   content.data[content.len - 1] == '\r'))
            content.len--;
        tw_buf_append(out, content.data ? content.data : "", content.len);
    }
    tw_buf_free(&path);
    tw_buf_free(&content);
    return err;
}

/* KIP-993's allowed.paths: with config.providers.<file|dir>.param.allowed.paths
 * set, a provider reads only at or below one of its comma-separated paths.
 * Symbolic links and ".." are resolved first (realpath), so neither leads
 * out. A path that does not resolve is left to the read to report. */
static tw_err_t check_allowed(const tw_props_t *props, const char *provider, const char *path,
                              char *errstr, size_t errstr_size)
{
    char key[64], real[PATH_MAX], allowed_real[PATH_MAX];
    const char *allowed, *p, *end;

    snprintf(key, sizeof(key), "config.providers.%s.param.allowed.paths", provider);
    allowed = tw_props_get(props, key);
    if (allowed == NULL || realpath(path, real) == NULL)
        return TW_OK;
    for (p = allowed; *p; p = *end ? end + 1 : end) {
        char *entry;
        size_t n;
        end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        while (p < end && *p == ' ')
            p++;
        entry = tw_strndup(p, (size_t)(end - p));
        if (entry[0] && realpath(entry, allowed_real)) {
            n = strlen(allowed_real);
            if (strncmp(real, allowed_real, n) == 0 &&
                (real[n] == '\0' || real[n] == '/' || strcmp(allowed_real, "/") == 0)) {
                free(entry);
                return TW_OK;
            }
        }
        free(entry);
    }
    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                   "%s is outside %s (%s); move the file or extend the list", path, key,
                   allowed);
}

static tw_err_t resolve_reference(const tw_props_t *props, const char *ref, size_t ref_len,
                                  tw_buf_t *out, char *errstr, size_t errstr_size)
{
    char *spec = tw_strndup(ref, ref_len);
    char *colon = strchr(spec, ':');
    char *last;
    tw_err_t err = TW_OK;

    if (colon == NULL) {
        /* Not a provider reference (like the router's ${routedByValue});
         * Kafka's ConfigTransformer leaves these alone too. */
        tw_buf_printf(out, "${%s}", spec);
        goto cleanup;
    }
    *colon = '\0';
    if (strcmp(spec, "env") == 0) {
        const char *v = getenv(colon + 1);
        if (v == NULL)
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "environment variable %s is not set (referenced as ${env:%s})",
                          colon + 1, colon + 1);
        else
            tw_buf_append_str(out, v);
    } else if (strcmp(spec, "file") == 0 || strcmp(spec, "dir") == 0) {
        /* The path may itself contain ':'; the key is after the last one. */
        last = strrchr(colon + 1, ':');
        if (last == NULL || last == colon + 1 || last[1] == '\0') {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "\"${%s:%s}\" needs a path and a key: ${%s:/path:key}", spec,
                          colon + 1, spec);
            goto cleanup;
        }
        *last = '\0';
        if (spec[0] == 'f') {
            err = check_allowed(props, spec, colon + 1, errstr, errstr_size);
            if (err == TW_OK)
                err = provider_file(colon + 1, last + 1, out, errstr, errstr_size);
        } else {
            tw_buf_t path = TW_BUF_INIT;
            tw_buf_printf(&path, "%s/%s", colon + 1, last + 1);
            err = check_allowed(props, spec, path.data, errstr, errstr_size);
            tw_buf_free(&path);
            if (err == TW_OK)
                err = provider_dir(colon + 1, last + 1, out, errstr, errstr_size);
        }
    } else {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "unknown config provider \"%s\"; known: env, file, dir", spec);
    }
cleanup:
    free(spec);
    return err;
}

tw_err_t tw_props_resolve(tw_props_t *props, char *errstr, size_t errstr_size)
{
    tw_buf_t out = TW_BUF_INIT;
    char detail[512];
    size_t i;
    tw_err_t err = TW_OK;

    for (i = 0; i < props->n; i++) {
        const char *v = props->items[i].value;
        const char *p;

        if (strstr(v, "${") == NULL)
            continue;
        tw_buf_reset(&out);
        for (p = v; *p;) {
            const char *end;
            if (p[0] != '$' || p[1] != '{') {
                tw_buf_append_char(&out, *p++);
                continue;
            }
            end = strchr(p + 2, '}');
            if (end == NULL) {
                err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                              "%s: config key %s: unterminated \"${\" reference",
                              props->items[i].origin, props->items[i].key);
                goto cleanup;
            }
            err = resolve_reference(props, p + 2, (size_t)(end - p - 2), &out, detail,
                                    sizeof(detail));
            if (err) {
                tw_errf(err, errstr, errstr_size, "%s: config key %s: %s",
                        props->items[i].origin, props->items[i].key, detail);
                goto cleanup;
            }
            p = end + 1;
        }
        /* Keep the reference for messages: a resolved value may be a secret
         * given under the wrong key, and must not be echoed. */
        if (strcmp(out.data ? out.data : "", v) != 0 && props->items[i].reference == NULL)
            props->items[i].reference = tw_strdup(v);
        free(props->items[i].value);
        props->items[i].value = tw_strdup(out.data ? out.data : "");
    }
cleanup:
    tw_buf_free(&out);
    return err;
}
