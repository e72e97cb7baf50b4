/*
 * unwrap_schema.c — the schemas ExtractNewRecordState derives (the row
 * plus __deleted, plus add.fields, minus dropped fields), where add.fields
 * and add.headers items sit in an envelope, and the cache that makes each
 * of these once per source schema. Separate from the record steps because
 * this is schema work done once, not per record; the datums built here
 * only follow the derived layout.
 */
#include "transforms/unwrap_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
tw_err_t tw_unwrap_derive_deleted(tw_unwrap_t *u, const tw_cs_t *from, derived_t **out,
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
tw_err_t tw_unwrap_places_for(tw_unwrap_t *u, int kind, const tw_cs_t *env, const ref_place_t **out,
                              char *errstr, size_t errstr_size)
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

tw_datum_t tw_unwrap_get_field(const tw_datum_t *datum, const tw_cs_t *schema, int i,
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
tw_datum_t tw_unwrap_read_ref(const ref_place_t *place, const tw_cs_t *env_schema,
                              const tw_datum_t *env, tw_arena_t *arena)
{
    tw_datum_t parent = *env;

    if (place->strct >= 0) {
        parent = tw_unwrap_get_field(env, env_schema, place->strct, arena);
        if (tw_datum_is_null(&parent))
            return null_datum;
        if (!place->in_envelope)
            return tw_unwrap_get_field(&parent, env_schema->fields[place->strct].schema,
                                       place->field, arena);
    }
    return tw_unwrap_get_field(env, env_schema, place->field, arena);
}

/* The row plus the add.fields the envelope has, each an optional copy of
 * its envelope field's schema without its default. */
tw_err_t tw_unwrap_derive_added(tw_unwrap_t *u, const tw_cs_t *from, const tw_cs_t *env,
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
    err = tw_unwrap_places_for(u, PLACES_FIELDS, env, &places, errstr, errstr_size);
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
derived_t *tw_unwrap_derive_dropped(tw_unwrap_t *u, const tw_cs_t *from, const char *names)
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
tw_datum_t tw_unwrap_assemble(const derived_t *d, const tw_datum_t *from, const tw_datum_t *extras,
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
        fields[i] = tw_unwrap_get_field(from, d->from, d->source[i], arena);
        fs = d->from->fields[d->source[i]].schema;
        if (defaults && fs->default_value && tw_datum_is_null(&fields[i])) {
            fields[i] = null_datum;
            fields[i].json = fs->default_value;
        }
    }
    out.fields = fields;
    return out;
}
