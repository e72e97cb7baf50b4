/*
 * unwrap.c — ExtractNewRecordState (see unwrap.h). Debezium builds it from
 * Kafka Connect's ExtractField, InsertField and ReplaceField; the steps
 * here keep their order and their schema rules: a struct they rebuild is a
 * required copy of the original (name, version, doc, parameters kept) and
 * InsertField/ReplaceField read null fields through their defaults.
 */
#include "transforms/unwrap.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "codec/datum.h"

/* An add.fields / add.headers item. */
typedef struct field_ref {
    char *strct;    /* the envelope field holding it ("source", ...), NULL: the envelope */
    char *field;    /* its name there */
    char *new_name; /* the added field or header, prefix included */
} field_ref_t;

/* Where an add.fields / add.headers item points in an envelope schema: the
 * schema of the field (NULL: the envelope has no such field, and Debezium
 * then adds nothing) and how to read it (see read_ref). */
typedef struct ref_place {
    int strct; /* index of the struct in the envelope, or -1 */
    int field; /* index in that struct, or in the envelope when in_envelope */
    bool in_envelope;
    const tw_cs_t *schema;
} ref_place_t;

enum derivation {
    DERIVE_DELETED, /* + __deleted (InsertField) */
    DERIVE_ADDED,   /* + add.fields */
    DERIVE_DROPPED, /* - the fields a header names (ReplaceField) */
    PLACES_FIELDS,  /* where each add.fields item is in an envelope (no schema) */
    PLACES_HEADERS, /* where each add.headers item is */
};

/* A derived struct schema and where each of its fields comes from. */
typedef struct derived {
    int kind;
    tw_cs_t *from;     /* derived from (a reference, so the address stays unique) */
    tw_cs_t *envelope; /* DERIVE_ADDED: the envelope the added fields come from */
    char *names;       /* DERIVE_DROPPED: the dropped names, comma-joined */
    tw_cs_t *schema;
    int *source; /* per field of schema: its index in `from`, or -1 - k: the k-th extra */
    ref_place_t *places; /* PLACES_*: one per item */
    struct derived *next;
} derived_t;

#define CACHE_BUCKETS 256

struct tw_unwrap {
    const tw_unwrap_config_t *cfg;
    char *name;
    field_ref_t *fields;
    size_t nfields;
    field_ref_t *headers;
    size_t nheaders;
    derived_t *cache[CACHE_BUCKETS];
    size_t ncached;
    json_t *deleted_true, *deleted_false;
    tw_buf_t scratch, text;
};

static const tw_datum_t null_datum = {NULL, NULL, NULL};

/* ------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------ */

/* Splits s at sep as Java's String.split does (trailing empty parts
 * dropped) into at most max + 1 parts: more than max means too many. */
static size_t split(const char *s, char sep, char **parts, size_t max)
{
    size_t n = 0;
    const char *p = s, *end;

    for (;;) {
        end = strchr(p, sep);
        if (n == max) {
            parts[n++] = tw_strdup(p);
            break;
        }
        parts[n++] = tw_strndup(p, end ? (size_t)(end - p) : strlen(p));
        if (end == NULL)
            break;
        p = end + 1;
    }
    while (n > 0 && parts[n - 1][0] == '\0')
        free(parts[--n]);
    return n;
}

static void free_parts(char **parts, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(parts[i]);
}

/* Debezium's home of an unqualified name: the envelope's own fields, the
 * transaction block's, or else source. */
static const char *struct_of(const char *field)
{
    static const char *const top[] = {"op", "ts_ms", "ts_us", "ts_ns"};
    static const char *const txn[] = {"id", "total_order", "data_collection_order"};
    size_t i;

    for (i = 0; i < TW_ARRAY_SIZE(top); i++)
        if (strcmp(field, top[i]) == 0)
            return NULL;
    for (i = 0; i < TW_ARRAY_SIZE(txn); i++)
        if (strcmp(field, txn[i]) == 0)
            return "transaction";
    return "source";
}

static tw_err_t parse_refs(const char *list, const char *prefix, const char *key,
                           const char *name, field_ref_t **out, size_t *nout, char *errstr,
                           size_t errstr_size)
{
    char **items = NULL, *parts[3], *names[3];
    size_t n = tw_config_split_list(list, &items), i, np, nn;
    field_ref_t *refs = tw_calloc(n ? n : 1, sizeof(*refs));
    tw_err_t err = TW_OK;
    tw_buf_t buf = TW_BUF_INIT;

    *out = refs;
    *nout = 0;
    for (i = 0; err == TW_OK && i < n; i++) {
        field_ref_t *ref = &refs[i];
        np = split(items[i], ':', parts, 2);
        nn = np >= 1 ? split(parts[0], '.', names, 2) : 0;
        if (np < 1 || np > 2 || nn < 1)
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "transforms.%s.%s: \"%s\" is not a field, struct.field, or "
                          "field:new_name",
                          name, key, items[i]);
        if (err == TW_OK) {
            /* "a.b.c" reads b in a, as Debezium does. */
            ref->field = tw_strdup(nn == 1 ? names[0] : names[1]);
            if (nn == 1)
                ref->strct = struct_of(ref->field) ? tw_strdup(struct_of(ref->field)) : NULL;
            else
                ref->strct = tw_strdup(names[0]);
            tw_buf_reset(&buf);
            tw_buf_append_str(&buf, prefix);
            if (np == 2)
                tw_buf_append_str(&buf, parts[1]);
            else if (nn == 1)
                tw_buf_append_str(&buf, ref->field);
            else
                tw_buf_printf(&buf, "%s_%s", ref->strct, ref->field);
            ref->new_name = tw_strdup(buf.data);
            (*nout)++;
        }
        free_parts(names, nn);
        free_parts(parts, np);
    }
    tw_buf_free(&buf);
    tw_config_free_list(items, n);
    return err;
}

static void free_refs(field_ref_t *refs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(refs[i].strct);
        free(refs[i].field);
        free(refs[i].new_name);
    }
    free(refs);
}

tw_err_t tw_unwrap_new(const tw_unwrap_config_t *cfg, const char *name, tw_unwrap_t **out,
                       char *errstr, size_t errstr_size)
{
    tw_unwrap_t *u = tw_calloc(1, sizeof(*u));
    tw_err_t err;

    *out = NULL;
    u->cfg = cfg;
    u->name = tw_strdup(name);
    u->deleted_true = json_string("true");
    u->deleted_false = json_string("false");
    err = parse_refs(cfg->add_fields, cfg->add_fields_prefix ? cfg->add_fields_prefix : "",
                     "add.fields", name, &u->fields, &u->nfields, errstr, errstr_size);
    if (err == TW_OK)
        err = parse_refs(cfg->add_headers, cfg->add_headers_prefix ? cfg->add_headers_prefix : "",
                         "add.headers", name, &u->headers, &u->nheaders, errstr, errstr_size);
    if (err) {
        tw_unwrap_destroy(u);
        return err;
    }
    *out = u;
    return TW_OK;
}

void tw_unwrap_destroy(tw_unwrap_t *u)
{
    size_t i;

    if (u == NULL)
        return;
    for (i = 0; i < CACHE_BUCKETS; i++) {
        derived_t *d = u->cache[i], *next;
        for (; d; d = next) {
            next = d->next;
            tw_cs_unref(d->from);
            tw_cs_unref(d->envelope);
            tw_cs_unref(d->schema);
            free(d->names);
            free(d->source);
            free(d->places);
            free(d);
        }
    }
    free_refs(u->fields, u->nfields);
    free_refs(u->headers, u->nheaders);
    json_decref(u->deleted_true);
    json_decref(u->deleted_false);
    tw_buf_free(&u->scratch);
    tw_buf_free(&u->text);
    free(u->name);
    free(u);
}

size_t tw_unwrap_cached_schemas(const tw_unwrap_t *u)
{
    return u->ncached;
}

/* ------------------------------------------------------------------------
 * Schemas
 * ------------------------------------------------------------------------ */

/* Kafka Connect's SchemaUtil.copySchemaBasics: type, name, version, doc and
 * parameters; no default, and required unless `optional`. Struct fields
 * and array elements are kept (Connect's copy would leave a struct empty
 * and then fail to hold the value). */
static tw_cs_t *copy_basics(const tw_cs_t *src, bool optional, bool with_fields)
{
    tw_cs_t *copy = tw_cs_new(src->type, optional, src->name);
    size_t i;

    copy->version = src->version;
    copy->doc = src->doc;
    copy->parameters = src->parameters ? json_deep_copy(src->parameters) : NULL;
    if (src->elem)
        copy->elem = tw_cs_ref(src->elem);
    if (src->key)
        copy->key = tw_cs_ref(src->key);
    for (i = 0; with_fields && i < src->nfields; i++)
        tw_cs_add_field(copy, src->fields[i].name, tw_cs_ref(src->fields[i].schema));
    return copy;
}

static unsigned cache_hash(int kind, const tw_cs_t *from, const tw_cs_t *envelope,
                           const char *names)
{
    uint64_t h = (uint64_t)(uintptr_t)from * 0x9E3779B97F4A7C15ULL;

    h ^= (uint64_t)(uintptr_t)envelope * 0xC2B2AE3D27D4EB4FULL;
    h ^= (uint64_t)kind;
    for (; names && *names; names++)
        h = (h ^ (unsigned char)*names) * 0x100000001B3ULL;
    return (unsigned)((h >> 29) ^ h) % CACHE_BUCKETS;
}

static derived_t *cache_find(tw_unwrap_t *u, int kind, const tw_cs_t *from,
                             const tw_cs_t *envelope, const char *names)
{
    derived_t *d = u->cache[cache_hash(kind, from, envelope, names)];

    for (; d; d = d->next)
        if (d->kind == kind && d->from == from && d->envelope == envelope &&
            (names == NULL ? d->names == NULL : d->names && strcmp(d->names, names) == 0))
            return d;
    return NULL;
}

static derived_t *cache_add(tw_unwrap_t *u, int kind, const tw_cs_t *from,
                            const tw_cs_t *envelope, const char *names, tw_cs_t *schema,
                            int *source)
{
    unsigned b = cache_hash(kind, from, envelope, names);
    derived_t *d = tw_calloc(1, sizeof(*d));

    d->kind = kind;
    d->from = tw_cs_ref((tw_cs_t *)from);
    d->envelope = envelope ? tw_cs_ref((tw_cs_t *)envelope) : NULL;
    d->names = names ? tw_strdup(names) : NULL;
    d->schema = schema;
    d->source = source;
    d->next = u->cache[b];
    u->cache[b] = d;
    if (schema)
        u->ncached++;
    return d;
}

static tw_err_t add_field_once(tw_cs_t *schema, const char *name, tw_cs_t *field,
                               const char *what, char *errstr, size_t errstr_size)
{
    if (tw_cs_field_index(schema, name) >= 0) {
        tw_cs_unref(field);
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "%s adds field \"%s\" to %s, which already has one by that name", what,
                       name, schema->name ? schema->name : "the row");
    }
    tw_cs_add_field(schema, name, field);
    return TW_OK;
}

/* The row plus `__deleted` (an optional string), as InsertField adds it. */
static tw_err_t derive_deleted(tw_unwrap_t *u, const tw_cs_t *from, derived_t **out,
                               char *errstr, size_t errstr_size)
{
    tw_cs_t *schema;
    int *source;
    size_t i;
    tw_err_t err;

    *out = cache_find(u, DERIVE_DELETED, from, NULL, NULL);
    if (*out)
        return TW_OK;
    schema = copy_basics(from, false, true);
    err = add_field_once(schema, "__deleted", tw_cs_new(TW_CS_STRING, true, NULL),
                         "delete.tombstone.handling.mode=rewrite", errstr, errstr_size);
    if (err) {
        tw_cs_unref(schema);
        return err;
    }
    source = tw_calloc(schema->nfields, sizeof(int));
    for (i = 0; i < from->nfields; i++)
        source[i] = (int)i;
    source[from->nfields] = -1;
    *out = cache_add(u, DERIVE_DELETED, from, NULL, NULL, schema, source);
    return TW_OK;
}

/* Places one item in an envelope schema, as Debezium looks it up: in its
 * struct, else in the envelope; a struct the envelope lacks is an error. */
static tw_err_t place_ref(const tw_unwrap_t *u, const field_ref_t *ref, const char *key,
                          const tw_cs_t *env, ref_place_t *place, char *errstr,
                          size_t errstr_size)
{
    const tw_cs_t *parent = env;
    int i;

    memset(place, 0, sizeof(*place));
    place->strct = -1;
    if (ref->strct) {
        place->strct = tw_cs_field_index(env, ref->strct);
        if (place->strct < 0 || env->fields[place->strct].schema->type != TW_CS_STRUCT)
            return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                           "transforms.%s.%s: %s.%s names no struct \"%s\" in the change "
                           "event %s",
                           u->name, key, ref->strct, ref->field, ref->strct,
                           env->name ? env->name : "");
        parent = env->fields[place->strct].schema;
    }
    i = tw_cs_field_index(parent, ref->field);
    if (i < 0 && parent != env) {
        /* Debezium falls back to a field of the envelope itself (one an
         * earlier transform may have added). */
        i = tw_cs_field_index(env, ref->field);
        place->in_envelope = true;
        parent = env;
    }
    if (i < 0)
        return TW_OK;
    place->field = i;
    place->schema = parent->fields[i].schema;
    return TW_OK;
}

/* The places of add.fields (or add.headers) items in an envelope schema,
 * worked out once per schema. */
static tw_err_t places_for(tw_unwrap_t *u, int kind, const tw_cs_t *env,
                           const ref_place_t **out, char *errstr, size_t errstr_size)
{
    derived_t *d = cache_find(u, kind, env, NULL, NULL);
    const field_ref_t *refs = kind == PLACES_FIELDS ? u->fields : u->headers;
    size_t n = kind == PLACES_FIELDS ? u->nfields : u->nheaders, i;
    const char *key = kind == PLACES_FIELDS ? "add.fields" : "add.headers";
    ref_place_t *places;
    tw_err_t err;

    if (d == NULL) {
        places = tw_calloc(n ? n : 1, sizeof(*places));
        for (i = 0; i < n; i++) {
            err = place_ref(u, &refs[i], key, env, &places[i], errstr, errstr_size);
            if (err) {
                free(places);
                return err;
            }
        }
        d = cache_add(u, kind, env, NULL, NULL, NULL, NULL);
        d->places = places;
    }
    *out = d->places;
    return TW_OK;
}

static tw_datum_t get_field(const tw_datum_t *datum, const tw_cs_t *schema, int i,
                            tw_arena_t *arena)
{
    tw_value_t *scratch;
    tw_datum_t field;

    if (datum->fields)
        return datum->fields[i];
    if (tw_datum_is_null(datum))
        return null_datum;
    scratch = tw_arena_alloc(arena, sizeof(*scratch));
    field = tw_datum_field(datum, schema, (size_t)i, scratch);
    return field;
}

/* The value of a placed reference: null when its struct is null (e.g. no
 * transaction block), as Debezium reads it. */
static tw_datum_t read_ref(const ref_place_t *place, const tw_cs_t *env_schema,
                           const tw_datum_t *env, tw_arena_t *arena)
{
    tw_datum_t parent = *env;

    if (place->strct >= 0) {
        parent = get_field(env, env_schema, place->strct, arena);
        if (tw_datum_is_null(&parent))
            return null_datum;
        if (!place->in_envelope)
            return get_field(&parent, env_schema->fields[place->strct].schema, place->field,
                             arena);
    }
    return get_field(env, env_schema, place->field, arena);
}

/* The row plus the add.fields the envelope has, each an optional copy of
 * its envelope field's schema without its default. */
static tw_err_t derive_added(tw_unwrap_t *u, const tw_cs_t *from, const tw_cs_t *env,
                             derived_t **out, char *errstr, size_t errstr_size)
{
    const ref_place_t *places;
    tw_cs_t *schema;
    int *source;
    size_t i, k = 0;
    tw_err_t err;

    *out = cache_find(u, DERIVE_ADDED, from, env, NULL);
    if (*out)
        return TW_OK;
    err = places_for(u, PLACES_FIELDS, env, &places, errstr, errstr_size);
    if (err)
        return err;
    schema = copy_basics(from, false, true);
    for (i = 0; err == TW_OK && i < u->nfields; i++)
        if (places[i].schema)
            err = add_field_once(schema, u->fields[i].new_name,
                                 copy_basics(places[i].schema, true, true), "add.fields", errstr,
                                 errstr_size);
    if (err) {
        tw_cs_unref(schema);
        return err;
    }
    source = tw_calloc(schema->nfields ? schema->nfields : 1, sizeof(int));
    for (i = 0; i < schema->nfields; i++)
        source[i] = i < from->nfields ? (int)i : -1 - (int)k++;
    *out = cache_add(u, DERIVE_ADDED, from, env, NULL, schema, source);
    return TW_OK;
}

/* The row without the fields named in `names` (comma-joined), as
 * ReplaceField's exclude leaves it. */
static derived_t *derive_dropped(tw_unwrap_t *u, const tw_cs_t *from, const char *names)
{
    derived_t *d = cache_find(u, DERIVE_DROPPED, from, NULL, names);
    tw_cs_t *schema;
    int *source;
    size_t i, n = 0, len;
    const char *p;
    bool dropped;

    if (d)
        return d;
    schema = copy_basics(from, false, false);
    source = tw_calloc(from->nfields ? from->nfields : 1, sizeof(int));
    for (i = 0; i < from->nfields; i++) {
        len = strlen(from->fields[i].name);
        dropped = false;
        for (p = names; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
            if (strcspn(p, ",") == len && strncmp(p, from->fields[i].name, len) == 0)
                dropped = true;
        if (dropped)
            continue;
        tw_cs_add_field(schema, from->fields[i].name, tw_cs_ref(from->fields[i].schema));
        source[n++] = (int)i;
    }
    return cache_add(u, DERIVE_DROPPED, from, NULL, names, schema, source);
}

/* A struct datum for d->schema from the `from` datum and the extras. With
 * defaults, a null field whose schema has a default reads as the default
 * (Struct.get, which InsertField and ReplaceField use). */
static tw_datum_t assemble(const derived_t *d, const tw_datum_t *from, const tw_datum_t *extras,
                           bool defaults, tw_arena_t *arena)
{
    tw_datum_t out = {NULL, NULL, NULL};
    tw_datum_t *fields = tw_arena_alloc(arena, (d->schema->nfields + 1) * sizeof(*fields));
    const tw_cs_t *fs;
    size_t i;

    for (i = 0; i < d->schema->nfields; i++) {
        if (d->source[i] < 0) {
            fields[i] = extras[-1 - d->source[i]];
            continue;
        }
        fields[i] = get_field(from, d->from, d->source[i], arena);
        fs = d->from->fields[d->source[i]].schema;
        if (defaults && fs->default_value && tw_datum_is_null(&fields[i])) {
            fields[i] = null_datum;
            fields[i].json = fs->default_value;
        }
    }
    out.fields = fields;
    return out;
}

/* ------------------------------------------------------------------------
 * The steps
 * ------------------------------------------------------------------------ */

static bool is_envelope(const tw_cs_t *schema)
{
    size_t len;

    if (schema == NULL || schema->name == NULL)
        return false;
    len = strlen(schema->name);
    return len >= 9 && strcmp(schema->name + len - 9, ".Envelope") == 0;
}

static const char *arena_strndup(tw_arena_t *arena, const char *s, size_t len)
{
    char *copy = tw_arena_alloc(arena, len + 1);

    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

/* add.headers: the envelope's fields as headers (SimpleHeaderConverter's
 * text); on a tombstone only op, as "d". */
static tw_err_t add_headers(tw_unwrap_t *u, const tw_record_t *in, bool tombstone,
                            tw_arena_t *arena, tw_record_t *out, char *errstr,
                            size_t errstr_size)
{
    tw_header_t *headers =
        tw_arena_alloc(arena, (in->nheaders + u->nheaders + 1) * sizeof(*headers));
    size_t n = in->nheaders, i;
    const ref_place_t *places = NULL;
    tw_datum_t value;
    tw_err_t err;

    if (in->nheaders)
        memcpy(headers, in->headers, in->nheaders * sizeof(*headers));
    if (!tombstone) {
        err = places_for(u, PLACES_HEADERS, in->value_schema, &places, errstr, errstr_size);
        if (err)
            return err;
    }
    for (i = 0; i < u->nheaders; i++) {
        const field_ref_t *ref = &u->headers[i];
        if (tombstone) {
            if (strcmp(ref->field, "op") == 0)
                headers[n++] = (tw_header_t){ref->new_name, "d", 1};
            continue;
        }
        if (places[i].schema == NULL)
            continue;
        value = read_ref(&places[i], in->value_schema, &in->value, arena);
        headers[n] = (tw_header_t){ref->new_name, NULL, 0};
        if (!tw_datum_is_null(&value)) {
            tw_buf_reset(&u->text);
            err = tw_datum_header_string(&value, places[i].schema, &u->text, &u->scratch, errstr,
                                         errstr_size);
            if (err)
                return err;
            headers[n].value = arena_strndup(arena, u->text.data ? u->text.data : "",
                                             u->text.len);
            headers[n].len = u->text.len;
        }
        n++;
    }
    out->headers = headers;
    out->nheaders = n;
    return TW_OK;
}

/* route.by.field: a string field of `row` names the topic; null or blank
 * keeps it. */
static tw_err_t route(tw_unwrap_t *u, const tw_cs_t *row_schema, const tw_datum_t *row,
                      tw_arena_t *arena, tw_record_t *out, char *errstr, size_t errstr_size)
{
    const char *field = u->cfg->route_by_field, *s;
    tw_datum_t value;
    size_t len, i;
    int index;
    tw_err_t err;

    index = tw_cs_field_index(row_schema, field);
    if (index < 0 || row_schema->fields[index].schema->type != TW_CS_STRING)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "transforms.%s.route.by.field=%s: %s has no string field %s", u->name,
                       field, row_schema->name ? row_schema->name : "the row", field);
    value = get_field(row, row_schema, index, arena);
    if (tw_datum_is_null(&value))
        return TW_OK;
    err = tw_datum_string(&value, row_schema->fields[index].schema, &u->scratch, &s, &len,
                          errstr, errstr_size);
    if (err)
        return err;
    for (i = 0; i < len && isspace((unsigned char)s[i]); i++)
        ;
    if (i < len)
        out->topic = arena_strndup(arena, s, len);
    return TW_OK;
}

static tw_err_t add_fields(tw_unwrap_t *u, const tw_record_t *in, tw_arena_t *arena,
                           tw_record_t *out, char *errstr, size_t errstr_size)
{
    derived_t *d;
    tw_datum_t *extras = tw_arena_alloc(arena, (u->nfields + 1) * sizeof(*extras));
    const ref_place_t *places;
    size_t i, k = 0;
    tw_err_t err;

    err = derive_added(u, out->value_schema, in->value_schema, &d, errstr, errstr_size);
    if (err == TW_OK)
        err = places_for(u, PLACES_FIELDS, in->value_schema, &places, errstr, errstr_size);
    if (err)
        return err;
    for (i = 0; i < u->nfields; i++)
        if (places[i].schema)
            extras[k++] = read_ref(&places[i], in->value_schema, &in->value, arena);
    out->value = assemble(d, &out->value, extras, false, arena);
    out->value_schema = d->schema;
    return TW_OK;
}

/* The fields of `schema` to drop: all named ones, or with
 * drop.fields.keep.schema.compatible only the optional ones it has.
 * Comma-joined into `names`; false if none. */
static bool fields_to_drop(const tw_unwrap_t *u, const tw_cs_t *schema, const json_t *list,
                           tw_buf_t *names)
{
    size_t i, j;

    tw_buf_reset(names);
    if (!u->cfg->drop_fields_keep_schema_compatible) {
        for (j = 0; j < json_array_size(list); j++)
            tw_buf_printf(names, "%s%s", j ? "," : "",
                          json_string_value(json_array_get(list, j)));
        return true;
    }
    for (i = 0; i < schema->nfields; i++) {
        if (!schema->fields[i].schema->optional)
            continue;
        for (j = 0; j < json_array_size(list); j++)
            if (strcmp(json_string_value(json_array_get(list, j)), schema->fields[i].name) == 0)
                break;
        if (j < json_array_size(list))
            tw_buf_printf(names, "%s%s", names->len ? "," : "", schema->fields[i].name);
    }
    return names->len > 0;
}

/* drop.fields.header.name: the header holds a JSON array of field names
 * (how Kafka Connect's header converter writes a list of strings). */
static tw_err_t drop_fields(tw_unwrap_t *u, tw_arena_t *arena, tw_record_t *out, char *errstr,
                            size_t errstr_size)
{
    const char *hname = u->cfg->drop_fields_header_name;
    const tw_header_t *header = NULL;
    json_t *list;
    json_error_t jerr;
    tw_buf_t names = TW_BUF_INIT;
    derived_t *d;
    size_t i;
    tw_err_t err = TW_OK;

    for (i = 0; i < out->nheaders && header == NULL; i++)
        if (strcmp(out->headers[i].name, hname) == 0)
            header = &out->headers[i];
    if (header == NULL || header->value == NULL)
        return TW_OK;
    list = json_loadb(header->value, header->len, 0, &jerr);
    for (i = 0; list && json_is_array(list) && i < json_array_size(list); i++)
        if (!json_is_string(json_array_get(list, i)))
            break;
    if (list == NULL || !json_is_array(list) || i < json_array_size(list)) {
        json_decref(list);
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "transforms.%s.drop.fields.header.name=%s: the header is not a JSON "
                       "array of field names",
                       u->name, hname);
    }
    if (json_array_size(list) == 0)
        goto cleanup;
    if (u->cfg->drop_fields_from_key && out->key_schema && out->key_schema->type == TW_CS_STRUCT &&
        !tw_datum_is_null(&out->key) && fields_to_drop(u, out->key_schema, list, &names)) {
        d = derive_dropped(u, out->key_schema, names.data);
        out->key = assemble(d, &out->key, NULL, true, arena);
        out->key_schema = d->schema;
    }
    if (out->value_schema && out->value_schema->type == TW_CS_STRUCT &&
        !tw_datum_is_null(&out->value) && fields_to_drop(u, out->value_schema, list, &names)) {
        d = derive_dropped(u, out->value_schema, names.data);
        out->value = assemble(d, &out->value, NULL, true, arena);
        out->value_schema = d->schema;
    }
cleanup:
    tw_buf_free(&names);
    json_decref(list);
    return err;
}

static bool dropping_fields(const tw_unwrap_t *u)
{
    const char *p = u->cfg->drop_fields_header_name;

    for (; p && *p; p++)
        if (!isspace((unsigned char)*p))
            return true;
    return false;
}

static bool routing(const tw_unwrap_t *u)
{
    return u->cfg->route_by_field && u->cfg->route_by_field[0];
}

static bool rewriting(const tw_unwrap_t *u)
{
    return u->cfg->delete_mode == TW_UNWRAP_REWRITE ||
           u->cfg->delete_mode == TW_UNWRAP_REWRITE_WITH_TOMBSTONE;
}

/* An insert, update or read: the new row state. */
static tw_err_t flatten_change(tw_unwrap_t *u, const tw_record_t *in, int after,
                               tw_arena_t *arena, tw_record_t *out, char *errstr,
                               size_t errstr_size)
{
    tw_datum_t extra = {NULL, NULL, NULL};
    derived_t *d;
    tw_err_t err = TW_OK;

    out->value_schema = in->value_schema->fields[after].schema;
    out->value = get_field(&in->value, in->value_schema, after, arena);
    if (rewriting(u) && out->value_schema->type == TW_CS_STRUCT) {
        err = derive_deleted(u, out->value_schema, &d, errstr, errstr_size);
        if (err)
            return err;
        extra.json = u->deleted_false;
        out->value = assemble(d, &out->value, &extra, u->cfg->replace_null_with_default, arena);
        out->value_schema = d->schema;
    }
    if (routing(u))
        err = route(u, out->value_schema, &out->value, arena, out, errstr, errstr_size);
    /* Debezium runs its add.fields step even with no fields to add, and
     * that step rebuilds the row schema as a required struct: a flattened
     * row's schema is never the envelope's optional one. */
    if (err == TW_OK)
        err = add_fields(u, in, arena, out, errstr, errstr_size);
    if (err == TW_OK && dropping_fields(u))
        err = drop_fields(u, arena, out, errstr, errstr_size);
    return err;
}

/* A delete: per delete.tombstone.handling.mode. */
static tw_err_t flatten_delete(tw_unwrap_t *u, const tw_record_t *in, int before, int after,
                               tw_arena_t *arena, tw_record_t *out, bool *emitted, char *errstr,
                               size_t errstr_size)
{
    const tw_cs_t *before_schema = in->value_schema->fields[before].schema;
    tw_datum_t old = get_field(&in->value, in->value_schema, before, arena);
    tw_datum_t extra = {NULL, NULL, NULL};
    derived_t *d;
    tw_err_t err = TW_OK;

    switch (u->cfg->delete_mode) {
    case TW_UNWRAP_DROP: *emitted = false; return TW_OK;
    case TW_UNWRAP_TOMBSTONE:
        /* A null value that keeps the row's schema (JsonConverter with
         * schemas shows it); Debezium's own tombstone has neither. */
        out->value_schema = in->value_schema->fields[after].schema;
        out->value = null_datum;
        break;
    case TW_UNWRAP_DELETE_TO_TOMBSTONE:
        out->value_schema = NULL;
        out->value = null_datum;
        break;
    default:
        out->value_schema = before_schema;
        out->value = old;
        if (before_schema->type == TW_CS_STRUCT) {
            err = derive_deleted(u, before_schema, &d, errstr, errstr_size);
            if (err)
                return err;
            extra.json = u->deleted_true;
            out->value = assemble(d, &old, &extra, u->cfg->replace_null_with_default, arena);
            out->value_schema = d->schema;
        }
        break;
    }
    if (routing(u))
        err = route(u, before_schema, &old, arena, out, errstr, errstr_size);
    if (err == TW_OK && dropping_fields(u))
        err = drop_fields(u, arena, out, errstr, errstr_size);
    if (err == TW_OK && out->value_schema && !tw_datum_is_null(&out->value))
        err = add_fields(u, in, arena, out, errstr, errstr_size);
    return err;
}

tw_err_t tw_unwrap_apply(tw_unwrap_t *u, const tw_record_t *in, tw_arena_t *arena,
                         tw_record_t *out, bool *emitted, char *errstr, size_t errstr_size)
{
    bool tombstone = in->value_schema == NULL || tw_datum_is_null(&in->value);
    bool envelope = !tombstone && is_envelope(in->value_schema);
    tw_datum_t before, after;
    int b, a;
    tw_err_t err;

    *out = *in;
    *emitted = true;
    if ((envelope || tombstone) && u->nheaders) {
        err = add_headers(u, in, tombstone, arena, out, errstr, errstr_size);
        if (err)
            return err;
    }
    if (tombstone) {
        *emitted = u->cfg->delete_mode == TW_UNWRAP_REWRITE_WITH_TOMBSTONE;
        return TW_OK;
    }
    if (!envelope)
        return TW_OK;
    a = tw_cs_field_index(in->value_schema, "after");
    b = tw_cs_field_index(in->value_schema, "before");
    if (a < 0 || b < 0)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "transforms.%s: change event %s has no %s field", u->name,
                       in->value_schema->name, a < 0 ? "after" : "before");
    after = get_field(&in->value, in->value_schema, a, arena);
    before = get_field(&in->value, in->value_schema, b, arena);
    if (tw_datum_is_null(&after) && tw_datum_is_null(&before)) {
        /* A truncate (or a delete without the old row): Debezium drops it. */
        *emitted = false;
        return TW_OK;
    }
    if (tw_datum_is_null(&after))
        return flatten_delete(u, in, b, a, arena, out, emitted, errstr, errstr_size);
    return flatten_change(u, in, a, arena, out, errstr, errstr_size);
}

/* An envelope whose op is "d". */
static bool is_delete(tw_unwrap_t *u, const tw_record_t *r)
{
    tw_datum_t op;
    const char *s;
    size_t len;
    char errstr[8];
    int i;

    if (r->value_schema == NULL || tw_datum_is_null(&r->value) || !is_envelope(r->value_schema))
        return false;
    i = tw_cs_field_index(r->value_schema, "op");
    if (i < 0 || r->value_schema->fields[i].schema->type != TW_CS_STRING)
        return false;
    op = r->value.fields ? r->value.fields[i] : null_datum;
    if (tw_datum_is_null(&op) || tw_datum_string(&op, r->value_schema->fields[i].schema,
                                                 &u->scratch, &s, &len, errstr, sizeof(errstr)))
        return false;
    return len == 1 && s[0] == 'd';
}

tw_err_t tw_unwrap_apply_records(tw_unwrap_t *u, const tw_record_t *in, const bool *selected,
                                 size_t n, tw_arena_t *arena, tw_record_t *out, bool *emitted,
                                 char *errstr, size_t errstr_size)
{
    const tw_header_t *shared = NULL;
    size_t nshared = 0, i;
    tw_record_t r;
    tw_err_t err;

    for (i = 0; i < n; i++) {
        if (selected && !selected[i]) {
            out[i] = in[i];
            emitted[i] = true;
            shared = NULL;
            continue;
        }
        r = in[i];
        if (shared && (r.value_schema == NULL || tw_datum_is_null(&r.value))) {
            r.headers = shared;
            r.nheaders = nshared;
        }
        shared = NULL;
        err = tw_unwrap_apply(u, &r, arena, &out[i], &emitted[i], errstr, errstr_size);
        if (err)
            return err;
        /* The delete's headers as add.headers left them, dropped or not. */
        if (u->nheaders && is_delete(u, &in[i])) {
            shared = out[i].headers;
            nshared = out[i].nheaders;
        }
    }
    return TW_OK;
}
