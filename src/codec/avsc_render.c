/*
 * avsc_render.c — pass 5 of loading the catalogue: a record's
 * self-contained schema text (every named type it uses written out in full
 * at its first use, by full name afterwards), checked by avro-c.
 */
#include "codec/avsc_render.h"

#include <avro.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

typedef struct render_ctx {
    const tw_avsc_schema_t **defined; /* named types already written out */
    size_t n_defined;
} render_ctx_t;

static json_t *render(render_ctx_t *rc, const tw_avsc_schema_t *node, const char *out_ns);

/* Aliases are relative to the type's namespace; written out with full names
 * because the text drops "namespace". */
static json_t *render_aliases(const tw_avsc_schema_t *node, const json_t *aliases)
{
    json_t *out = json_array();
    size_t i;
    const json_t *alias;

    json_array_foreach(aliases, i, alias) {
        const char *a = json_string_value(alias);
        if (strchr(a, '.') == NULL && node->name_space) {
            tw_buf_t full = TW_BUF_INIT;
            tw_buf_printf(&full, "%s.%s", node->name_space, a);
            json_array_append_new(out, json_string(full.data));
            tw_buf_free(&full);
        } else {
            json_array_append_new(out, json_string(a));
        }
    }
    return out;
}

static json_t *render_named(render_ctx_t *rc, const tw_avsc_schema_t *node, const char *out_ns)
{
    json_t *out = json_object();
    const char *key;
    const json_t *value;

    rc->defined[rc->n_defined++] = node;
    json_object_set_new(out, "type", json_string(tw_avsc_type_keyword(node->type)));
    json_object_set_new(out, "name", json_string(node->fullname));
    /* A name without dots would otherwise land in the enclosing namespace. */
    if (node->name_space == NULL && out_ns)
        json_object_set_new(out, "namespace", json_string(""));
    json_object_foreach((json_t *)node->json, key, value) {
        if (strcmp(key, "type") == 0 || strcmp(key, "name") == 0 ||
            strcmp(key, "namespace") == 0)
            continue;
        if (strcmp(key, "aliases") == 0) {
            json_object_set_new(out, key, render_aliases(node, value));
        } else if (strcmp(key, "fields") == 0) {
            json_t *fields = json_array();
            for (size_t i = 0; i < node->n_fields; i++) {
                json_t *field = json_object();
                const char *fkey;
                const json_t *fvalue;

                json_object_foreach((json_t *)json_array_get(value, i), fkey, fvalue) {
                    if (strcmp(fkey, "type") == 0)
                        json_object_set_new(field, fkey,
                                            render(rc, node->fields[i].schema, node->name_space));
                    else
                        json_object_set_new(field, fkey, json_deep_copy(fvalue));
                }
                json_array_append_new(fields, field);
            }
            json_object_set_new(out, key, fields);
        } else {
            json_object_set_new(out, key, json_deep_copy(value));
        }
    }
    return out;
}

static json_t *render(render_ctx_t *rc, const tw_avsc_schema_t *node, const char *out_ns)
{
    json_t *out;
    const char *key;
    const json_t *value;

    switch (node->type) {
    case TW_AVSC_RECORD:
    case TW_AVSC_ENUM:
    case TW_AVSC_FIXED:
        for (size_t i = 0; i < rc->n_defined; i++)
            if (rc->defined[i] == node)
                return json_string(node->fullname);
        return render_named(rc, node, out_ns);
    case TW_AVSC_UNION:
        out = json_array();
        for (size_t i = 0; i < node->n_branches; i++)
            json_array_append_new(out, render(rc, node->branches[i], out_ns));
        return out;
    case TW_AVSC_ARRAY:
    case TW_AVSC_MAP:
        out = json_object();
        json_object_foreach((json_t *)node->json, key, value) {
            if (strcmp(key, "items") == 0 || strcmp(key, "values") == 0)
                json_object_set_new(out, key, render(rc, node->items, out_ns));
            else
                json_object_set_new(out, key, json_deep_copy(value));
        }
        return out;
    default:
        /* Primitives: the bare name, or the object with its attributes. */
        if (json_is_object(node->json))
            return json_deep_copy(node->json);
        return json_string(tw_avsc_type_keyword(node->type));
    }
}

tw_err_t tw_avsc_render_record(const tw_avsc_schema_t *record, size_t n_named, char **out,
                               char *errstr, size_t errstr_size)
{
    render_ctx_t rc = {tw_calloc(n_named ? n_named : 1, sizeof(*rc.defined)), 0};
    json_t *json = render(&rc, record, NULL);
    char *text = json_dumps(json, JSON_COMPACT);
    char *check = NULL;
    avro_schema_t avro = NULL;
    tw_err_t err = TW_OK;

    /* avro-c is what encodes and checks schemas elsewhere in tidewater:
     * a text it rejects must not get as far as a registry. Its JSON parser
     * refuses "\u0000", which bytes defaults legitimately use (a decimal's
     * zero), so it checks a copy where that escape reads "\u0001". */
    check = tw_strdup(text);
    for (char *p = check; (p = strstr(p, "\\u0000")) != NULL; p += 6)
        p[5] = '1';
    if (avro_schema_from_json_length(check, strlen(check), &avro) != 0) {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "%s: avro-c rejects record \"%s\": %s",
                      record->file, record->fullname, avro_strerror());
        goto cleanup;
    }
    *out = text;
    text = NULL;
cleanup:
    if (avro)
        avro_schema_decref(avro);
    free(check);
    free(text);
    json_decref(json);
    free(rc.defined);
    return err;
}
