/*
 * avsc_parse.c — the .avsc grammar for the catalogue: names and
 * namespaces, primitive, complex and logical types, unions, and the two
 * parser passes avsc_catalog.c drives — declaring every named type (pass
 * 2) and filling each in with its references resolved (pass 3) — plus the
 * descriptions of types used in messages. Separate from the loader, which
 * deals with files, passes and lookups.
 */
#include "codec/avsc_catalog_internal.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* Primitive types written as a bare name share these nodes. */
#define PRIMITIVE(t) {.type = (t)}
static const tw_avsc_schema_t primitives[] = {
    PRIMITIVE(TW_AVSC_NULL),   PRIMITIVE(TW_AVSC_BOOLEAN), PRIMITIVE(TW_AVSC_INT),
    PRIMITIVE(TW_AVSC_LONG),   PRIMITIVE(TW_AVSC_FLOAT),   PRIMITIVE(TW_AVSC_DOUBLE),
    PRIMITIVE(TW_AVSC_BYTES),  PRIMITIVE(TW_AVSC_STRING),
};

static const struct {
    const char *name;
    tw_avsc_logical_t logical;
    tw_avsc_type_t base; /* the underlying type it requires (decimal: see below) */
} logical_types[] = {
    {"decimal", TW_AVSC_LOGICAL_DECIMAL, TW_AVSC_BYTES},
    {"uuid", TW_AVSC_LOGICAL_UUID, TW_AVSC_STRING},
    {"date", TW_AVSC_LOGICAL_DATE, TW_AVSC_INT},
    {"time-millis", TW_AVSC_LOGICAL_TIME_MILLIS, TW_AVSC_INT},
    {"time-micros", TW_AVSC_LOGICAL_TIME_MICROS, TW_AVSC_LONG},
    {"timestamp-millis", TW_AVSC_LOGICAL_TIMESTAMP_MILLIS, TW_AVSC_LONG},
    {"timestamp-micros", TW_AVSC_LOGICAL_TIMESTAMP_MICROS, TW_AVSC_LONG},
    {"local-timestamp-millis", TW_AVSC_LOGICAL_LOCAL_TIMESTAMP_MILLIS, TW_AVSC_LONG},
    {"local-timestamp-micros", TW_AVSC_LOGICAL_LOCAL_TIMESTAMP_MICROS, TW_AVSC_LONG},
};

char *tw_avsc_parse_strdup(tw_arena_t *arena, const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = tw_arena_alloc(arena, n);
    memcpy(copy, s, n);
    return copy;
}

static int primitive_type(const char *name)
{
    for (size_t i = 0; i < TW_ARRAY_SIZE(primitives); i++)
        if (strcmp(tw_avsc_type_keyword(primitives[i].type), name) == 0)
            return (int)primitives[i].type;
    return -1;
}

/* Avro names: [A-Za-z_][A-Za-z0-9_]* */
static bool valid_name(const char *s, size_t len)
{
    if (len == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

/* A full name or namespace: valid names separated by dots. */
static bool valid_dotted(const char *s)
{
    const char *start = s;

    for (const char *p = s;; p++) {
        if (*p == '.' || *p == '\0') {
            if (!valid_name(start, (size_t)(p - start)))
                return false;
            if (*p == '\0')
                return true;
            start = p + 1;
        }
    }
}

const char *tw_avsc_parse_str_member(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    /* Names with an embedded NUL (JSON "\u0000") are not names. */
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

/* Full name of a named definition per the specification's three cases:
 * a dotted name is already full; else the "namespace" attribute; else the
 * enclosing namespace. Also returns the namespace (NULL when null). */
static tw_err_t definition_name(load_ctx_t *ctx, const json_t *def, const char *enclosing,
                                char **fullname, char **name_space)
{
    const char *name = tw_avsc_parse_str_member(def, "name");
    const json_t *ns_json = json_object_get(def, "namespace");
    const char *ns = enclosing;
    const char *dot;
    tw_buf_t full = TW_BUF_INIT;

    if (name == NULL)
        return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size, "%s: a %s has no \"name\"",
                       ctx->file, tw_avsc_parse_str_member(def, "type"));
    if (ns_json && !json_is_string(ns_json))
        return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size,
                       "%s: \"namespace\" of \"%s\" is not a string", ctx->file, name);
    if (!valid_dotted(name))
        return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size,
                       "%s: invalid name \"%s\" (names match [A-Za-z_][A-Za-z0-9_]*, "
                       "dot-separated)",
                       ctx->file, name);
    dot = strrchr(name, '.');
    if (dot) {
        *fullname = tw_strdup(name);
        *name_space = tw_strndup(name, (size_t)(dot - name));
        return TW_OK;
    }
    if (ns_json)
        ns = json_string_value(ns_json)[0] ? json_string_value(ns_json) : NULL;
    if (ns && !valid_dotted(ns))
        return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size,
                       "%s: invalid namespace \"%s\" of \"%s\"", ctx->file, ns, name);
    if (primitive_type(name) >= 0)
        return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size,
                       "%s: a named type cannot be called \"%s\"", ctx->file, name);
    if (ns)
        tw_buf_printf(&full, "%s.%s", ns, name);
    else
        tw_buf_append_str(&full, name);
    *fullname = full.data;
    *name_space = ns ? tw_strdup(ns) : NULL;
    return TW_OK;
}

static tw_avsc_schema_t *lookup_named(const tw_avsc_catalog_t *cat, const char *fullname)
{
    for (size_t i = 0; i < cat->n_named; i++)
        if (strcmp(cat->named[i]->fullname, fullname) == 0)
            return cat->named[i];
    return NULL;
}

bool tw_avsc_parse_is_named_kind(const char *t)
{
    return t && (strcmp(t, "record") == 0 || strcmp(t, "enum") == 0 || strcmp(t, "fixed") == 0);
}

/* ---- pass 2: declare every named type --------------------------------- */

static tw_err_t declare_named(load_ctx_t *ctx, const json_t *def, const char *enclosing)
{
    tw_avsc_catalog_t *cat = ctx->cat;
    const char *kind = tw_avsc_parse_str_member(def, "type");
    char *fullname = NULL, *ns = NULL;
    tw_avsc_schema_t *node, *other;
    tw_err_t err;

    err = definition_name(ctx, def, enclosing, &fullname, &ns);
    if (err)
        goto cleanup;
    other = lookup_named(cat, fullname);
    if (other) {
        err = tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size,
                      "%s: duplicate type name \"%s\" (also defined in %s)", ctx->file, fullname,
                      other->file);
        goto cleanup;
    }
    node = tw_arena_alloc(cat->arena, sizeof(*node));
    memset(node, 0, sizeof(*node));
    node->type = strcmp(kind, "record") == 0 ? TW_AVSC_RECORD
                 : strcmp(kind, "enum") == 0 ? TW_AVSC_ENUM
                                             : TW_AVSC_FIXED;
    node->fullname = tw_avsc_parse_strdup(cat->arena, fullname);
    node->name_space = ns ? tw_avsc_parse_strdup(cat->arena, ns) : NULL;
    node->file = ctx->file;
    node->json = def;
    if (cat->n_named == cat->cap_named) {
        cat->cap_named = cat->cap_named ? 2 * cat->cap_named : 16;
        cat->named = tw_realloc(cat->named, cat->cap_named * sizeof(*cat->named));
    }
    cat->named[cat->n_named++] = node;

    /* Nested definitions inherit this type's namespace. */
    if (node->type == TW_AVSC_RECORD) {
        const json_t *fields = json_object_get(def, "fields");
        size_t i;
        const json_t *field;

        json_array_foreach(fields, i, field) {
            err = tw_avsc_parse_declare(ctx, json_object_get(field, "type"), node->name_space);
            if (err)
                goto cleanup;
        }
    }
cleanup:
    free(fullname);
    free(ns);
    return err;
}

tw_err_t tw_avsc_parse_declare(load_ctx_t *ctx, const json_t *json, const char *enclosing)
{
    const char *kind;
    size_t i;
    const json_t *item;
    tw_err_t err;

    if (json_is_array(json)) {
        json_array_foreach(json, i, item) {
            err = tw_avsc_parse_declare(ctx, item, enclosing);
            if (err)
                return err;
        }
        return TW_OK;
    }
    if (!json_is_object(json))
        return TW_OK; /* names and malformed input are dealt with in pass 3 */
    kind = tw_avsc_parse_str_member(json, "type");
    if (tw_avsc_parse_is_named_kind(kind))
        return declare_named(ctx, json, enclosing);
    if (kind && strcmp(kind, "array") == 0)
        return tw_avsc_parse_declare(ctx, json_object_get(json, "items"), enclosing);
    if (kind && strcmp(kind, "map") == 0)
        return tw_avsc_parse_declare(ctx, json_object_get(json, "values"), enclosing);
    return tw_avsc_parse_declare(ctx, json_object_get(json, "type"), enclosing);
}

/* ---- pass 3: fill in named types, resolving references ---------------- */

static tw_err_t schema_error(load_ctx_t *ctx, const char *fmt, ...) TW_PRINTF(2, 3);

/* "<file>: <message> in field "f" of record "r"" */
static tw_err_t schema_error(load_ctx_t *ctx, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ctx->field)
        return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size,
                       "%s: %s in field \"%s\" of record \"%s\"", ctx->file, msg, ctx->field,
                       ctx->record);
    if (ctx->record)
        return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size, "%s: %s in \"%s\"",
                       ctx->file, msg, ctx->record);
    return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size, "%s: %s", ctx->file, msg);
}

static tw_err_t parse(load_ctx_t *ctx, const json_t *json, const char *ns,
                      const tw_avsc_schema_t **out);

/* A reference by name: primitive, full name, short name in the enclosing
 * namespace, then short name in the null namespace. */
static tw_err_t resolve(load_ctx_t *ctx, const char *name, const char *ns,
                        const tw_avsc_schema_t **out)
{
    int prim = primitive_type(name);
    tw_avsc_schema_t *node = NULL;

    if (prim >= 0) {
        *out = &primitives[prim];
        return TW_OK;
    }
    if (strchr(name, '.') == NULL && ns) {
        tw_buf_t full = TW_BUF_INIT;
        tw_buf_printf(&full, "%s.%s", ns, name);
        node = lookup_named(ctx->cat, full.data);
        tw_buf_free(&full);
    }
    if (node == NULL)
        node = lookup_named(ctx->cat, name);
    if (node == NULL) {
        if (strchr(name, '.') == NULL && ns)
            return schema_error(ctx, "unknown type \"%s\" (looked up as \"%s.%s\" and \"%s\")",
                                name, ns, name, name);
        return schema_error(ctx, "unknown type \"%s\"", name);
    }
    *out = node;
    return TW_OK;
}

static tw_err_t parse_union(load_ctx_t *ctx, const json_t *json, const char *ns,
                            const tw_avsc_schema_t **out)
{
    tw_avsc_catalog_t *cat = ctx->cat;
    size_t n = json_array_size(json), i;
    const tw_avsc_schema_t **branches = tw_arena_alloc(cat->arena, (n ? n : 1) * sizeof(*branches));
    tw_avsc_schema_t *node;
    tw_err_t err;

    if (n == 0)
        return schema_error(ctx, "empty union");
    for (i = 0; i < n; i++) {
        err = parse(ctx, json_array_get(json, i), ns, &branches[i]);
        if (err)
            return err;
        if (branches[i]->type == TW_AVSC_UNION)
            return schema_error(ctx, "a union cannot directly contain a union");
        /* The specification forbids two branches of the same type, except
         * named types of different names. */
        for (size_t j = 0; j < i; j++) {
            bool same = branches[j]->type == branches[i]->type &&
                        (branches[i]->fullname == NULL ||
                         strcmp(branches[i]->fullname, branches[j]->fullname) == 0);
            if (same)
                return schema_error(ctx, "union has two branches of type \"%s\"",
                                    tw_avsc_schema_type_name(branches[i]));
        }
    }
    node = tw_arena_alloc(cat->arena, sizeof(*node));
    memset(node, 0, sizeof(*node));
    node->type = TW_AVSC_UNION;
    node->branches = branches;
    node->n_branches = n;
    node->json = json;
    *out = node;
    return TW_OK;
}

/* The largest precision a fixed of `size` bytes can hold:
 * floor(log10(2^(8*size-1) - 1)). */
static int fixed_max_precision(size_t size)
{
    if (size == 0)
        return 0;
    if (size > 128)
        return INT_MAX;
    return (int)floor(log10(pow(2.0, 8.0 * (double)size - 1.0) - 1.0));
}

/* Reads "logicalType" of a definition into node, or errors out when a
 * logical type we know is used wrongly. Unknown logical types are kept in
 * the text and otherwise ignored, as the specification asks. */
static tw_err_t parse_logical(load_ctx_t *ctx, const json_t *def, tw_avsc_schema_t *node)
{
    const char *lt = tw_avsc_parse_str_member(def, "logicalType");
    size_t i;

    if (lt == NULL)
        return TW_OK;
    for (i = 0; i < TW_ARRAY_SIZE(logical_types); i++)
        if (strcmp(logical_types[i].name, lt) == 0)
            break;
    if (i == TW_ARRAY_SIZE(logical_types))
        return TW_OK;
    if (logical_types[i].logical == TW_AVSC_LOGICAL_DECIMAL) {
        const json_t *p = json_object_get(def, "precision");
        const json_t *s = json_object_get(def, "scale");

        if (node->type != TW_AVSC_BYTES && node->type != TW_AVSC_FIXED)
            return schema_error(ctx, "logicalType \"decimal\" requires bytes or fixed, not %s",
                                tw_avsc_type_keyword(node->type));
        if (!json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > 1000)
            return schema_error(ctx, "decimal needs an integer \"precision\" from 1 to 1000");
        if (s && (!json_is_integer(s) || json_integer_value(s) < 0 ||
                  json_integer_value(s) > json_integer_value(p)))
            return schema_error(ctx, "decimal \"scale\" must be an integer from 0 to the "
                                     "precision");
        node->precision = (int)json_integer_value(p);
        node->scale = s ? (int)json_integer_value(s) : 0;
        if (node->type == TW_AVSC_FIXED && node->precision > fixed_max_precision(node->size))
            return schema_error(ctx, "decimal precision %d does not fit in fixed of size %zu",
                                node->precision, node->size);
    } else if (node->type != logical_types[i].base) {
        return schema_error(ctx, "logicalType \"%s\" requires %s, not %s", lt,
                            tw_avsc_type_keyword(logical_types[i].base),
                            tw_avsc_type_keyword(node->type));
    }
    node->logical = logical_types[i].logical;
    return TW_OK;
}

static tw_err_t parse_object(load_ctx_t *ctx, const json_t *json, const char *ns,
                             const tw_avsc_schema_t **out)
{
    tw_avsc_catalog_t *cat = ctx->cat;
    const json_t *type = json_object_get(json, "type");
    const char *kind = json_string_value(type);
    tw_avsc_schema_t *node;
    int prim;
    tw_err_t err;

    if (type == NULL)
        return schema_error(ctx, "schema object without \"type\"");
    if (json_is_object(type) || json_is_array(type))
        return parse(ctx, type, ns, out);
    if (kind == NULL)
        return schema_error(ctx, "\"type\" must be a string, object or array");
    if (tw_avsc_parse_is_named_kind(kind)) {
        char *fullname = NULL, *def_ns = NULL;
        err = definition_name(ctx, json, ns, &fullname, &def_ns);
        if (err == TW_OK) {
            *out = lookup_named(cat, fullname); /* declared in pass 2 */
            if (*out == NULL)
                err = schema_error(ctx, "internal error: \"%s\" was not declared", fullname);
        }
        free(fullname);
        free(def_ns);
        return err;
    }
    if (strcmp(kind, "array") == 0 || strcmp(kind, "map") == 0) {
        const char *key = kind[0] == 'a' ? "items" : "values";
        const json_t *items = json_object_get(json, key);

        if (items == NULL)
            return schema_error(ctx, "%s without \"%s\"", kind, key);
        node = tw_arena_alloc(cat->arena, sizeof(*node));
        memset(node, 0, sizeof(*node));
        node->type = kind[0] == 'a' ? TW_AVSC_ARRAY : TW_AVSC_MAP;
        node->json = json;
        err = parse(ctx, items, ns, &node->items);
        if (err)
            return err;
        *out = node;
        return TW_OK;
    }
    prim = primitive_type(kind);
    if (prim < 0) /* {"type": "com.example.Name"} */
        return resolve(ctx, kind, ns, out);
    node = tw_arena_alloc(cat->arena, sizeof(*node));
    memset(node, 0, sizeof(*node));
    node->type = (tw_avsc_type_t)prim;
    node->json = json; /* keeps logicalType and other attributes for the text */
    err = parse_logical(ctx, json, node);
    if (err)
        return err;
    *out = node;
    return TW_OK;
}

static tw_err_t parse(load_ctx_t *ctx, const json_t *json, const char *ns,
                      const tw_avsc_schema_t **out)
{
    if (json_is_string(json))
        return resolve(ctx, json_string_value(json), ns, out);
    if (json_is_array(json))
        return parse_union(ctx, json, ns, out);
    if (json_is_object(json))
        return parse_object(ctx, json, ns, out);
    return schema_error(ctx, "a schema must be a type name, an object or an array");
}

static tw_err_t fill_record(load_ctx_t *ctx, tw_avsc_schema_t *node)
{
    const json_t *fields_json = json_object_get(node->json, "fields");
    size_t n, i;
    tw_avsc_field_t *fields;
    tw_err_t err;

    if (!json_is_array(fields_json))
        return schema_error(ctx, "record has no \"fields\" array");
    n = json_array_size(fields_json);
    fields = tw_arena_alloc(ctx->cat->arena, (n ? n : 1) * sizeof(*fields));
    for (i = 0; i < n; i++) {
        const json_t *f = json_array_get(fields_json, i);
        const char *name = tw_avsc_parse_str_member(f, "name");

        if (!json_is_object(f) || name == NULL)
            return schema_error(ctx, "field %zu has no \"name\"", i);
        if (!valid_name(name, strlen(name)))
            return schema_error(ctx, "invalid field name \"%s\"", name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(fields[j].name, name) == 0)
                return schema_error(ctx, "duplicate field name \"%s\"", name);
        fields[i].name = name;
        ctx->field = name;
        if (json_object_get(f, "type") == NULL)
            return schema_error(ctx, "field without \"type\"");
        err = parse(ctx, json_object_get(f, "type"), node->name_space, &fields[i].schema);
        if (err)
            return err;
        fields[i].default_value = json_object_get(f, "default");
        ctx->field = NULL;
    }
    node->fields = fields;
    node->n_fields = n;
    return TW_OK;
}

static tw_err_t fill_enum(load_ctx_t *ctx, tw_avsc_schema_t *node)
{
    const json_t *symbols_json = json_object_get(node->json, "symbols");
    const json_t *def = json_object_get(node->json, "default");
    size_t n, i;
    const char **symbols;
    bool default_found = false;

    if (!json_is_array(symbols_json) || json_array_size(symbols_json) == 0)
        return schema_error(ctx, "enum has no \"symbols\"");
    n = json_array_size(symbols_json);
    symbols = tw_arena_alloc(ctx->cat->arena, n * sizeof(*symbols));
    for (i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(symbols_json, i));
        if (s == NULL || !valid_name(s, strlen(s)))
            return schema_error(ctx, "invalid enum symbol %s%s%s", s ? "\"" : "",
                                s ? s : "(not a string)", s ? "\"" : "");
        for (size_t j = 0; j < i; j++)
            if (strcmp(symbols[j], s) == 0)
                return schema_error(ctx, "duplicate enum symbol \"%s\"", s);
        symbols[i] = s;
        if (json_is_string(def) && strcmp(s, json_string_value(def)) == 0)
            default_found = true;
    }
    if (def && !default_found)
        return schema_error(ctx, "enum default is not one of its symbols");
    node->symbols = symbols;
    node->n_symbols = n;
    return TW_OK;
}

tw_err_t tw_avsc_parse_fill_named(load_ctx_t *ctx, tw_avsc_schema_t *node)
{
    const json_t *aliases = json_object_get(node->json, "aliases");
    size_t i;
    const json_t *alias;

    ctx->file = node->file;
    ctx->record = node->fullname;
    ctx->field = NULL;
    if (aliases) {
        if (!json_is_array(aliases))
            return schema_error(ctx, "\"aliases\" must be an array of names");
        json_array_foreach(aliases, i, alias) {
            if (!json_is_string(alias) || !valid_dotted(json_string_value(alias)))
                return schema_error(ctx, "invalid alias");
        }
    }
    switch (node->type) {
    case TW_AVSC_RECORD:
        return fill_record(ctx, node);
    case TW_AVSC_ENUM:
        return fill_enum(ctx, node);
    case TW_AVSC_FIXED: {
        const json_t *size = json_object_get(node->json, "size");
        if (!json_is_integer(size) || json_integer_value(size) < 0 ||
            json_integer_value(size) > INT32_MAX)
            return schema_error(ctx, "fixed needs a non-negative integer \"size\"");
        node->size = (size_t)json_integer_value(size);
        return parse_logical(ctx, node->json, node);
    }
    default:
        return TW_OK;
    }
}

const char *tw_avsc_schema_type_name(const tw_avsc_schema_t *schema)
{
    return schema->fullname ? schema->fullname : tw_avsc_type_keyword(schema->type);
}

const char *tw_avsc_schema_describe(const tw_avsc_schema_t *schema, char *buf, size_t buf_size)
{
    if (schema->logical == TW_AVSC_LOGICAL_DECIMAL) {
        snprintf(buf, buf_size, "decimal(%d,%d)", schema->precision, schema->scale);
    } else if (schema->logical != TW_AVSC_LOGICAL_NONE) {
        for (size_t i = 0; i < TW_ARRAY_SIZE(logical_types); i++)
            if (logical_types[i].logical == schema->logical)
                snprintf(buf, buf_size, "%s", logical_types[i].name);
    } else if (schema->fullname) {
        snprintf(buf, buf_size, "%s %s", tw_avsc_type_keyword(schema->type), schema->fullname);
    } else if (schema->type == TW_AVSC_UNION) {
        tw_buf_t b = TW_BUF_INIT;
        tw_buf_append_str(&b, "union [");
        for (size_t i = 0; i < schema->n_branches; i++)
            tw_buf_printf(&b, "%s%s", i ? ", " : "",
                          tw_avsc_schema_type_name(schema->branches[i]));
        tw_buf_append_char(&b, ']');
        snprintf(buf, buf_size, "%s", b.data);
        tw_buf_free(&b);
    } else {
        snprintf(buf, buf_size, "%s", tw_avsc_type_keyword(schema->type));
    }
    return buf;
}
