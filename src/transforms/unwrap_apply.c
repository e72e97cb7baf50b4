/*
 * unwrap_apply.c — ExtractNewRecordState's per-record steps in Debezium's
 * order: add.headers, flattening (the new row, or the delete per
 * delete.tombstone.handling.mode), route.by.field, add.fields and
 * drop.fields.header.name. Separate from the option parsing and the schema
 * derivation, which run once.
 */
#include "transforms/unwrap_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
        err =
            tw_unwrap_places_for(u, PLACES_HEADERS, in->value_schema, &places, errstr, errstr_size);
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
        value = tw_unwrap_read_ref(&places[i], in->value_schema, &in->value, arena);
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
    value = tw_unwrap_get_field(row, row_schema, index, arena);
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

    err = tw_unwrap_derive_added(u, out->value_schema, in->value_schema, &d, errstr, errstr_size);
    if (err == TW_OK)
        err =
            tw_unwrap_places_for(u, PLACES_FIELDS, in->value_schema, &places, errstr, errstr_size);
    if (err)
        return err;
    for (i = 0; i < u->nfields; i++)
        if (places[i].schema)
            extras[k++] = tw_unwrap_read_ref(&places[i], in->value_schema, &in->value, arena);
    out->value = tw_unwrap_assemble(d, &out->value, extras, false, arena);
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
        d = tw_unwrap_derive_dropped(u, out->key_schema, names.data);
        out->key = tw_unwrap_assemble(d, &out->key, NULL, true, arena);
        out->key_schema = d->schema;
    }
    if (out->value_schema && out->value_schema->type == TW_CS_STRUCT &&
        !tw_datum_is_null(&out->value) && fields_to_drop(u, out->value_schema, list, &names)) {
        d = tw_unwrap_derive_dropped(u, out->value_schema, names.data);
        out->value = tw_unwrap_assemble(d, &out->value, NULL, true, arena);
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
    out->value = tw_unwrap_get_field(&in->value, in->value_schema, after, arena);
    if (rewriting(u) && out->value_schema->type == TW_CS_STRUCT) {
        err = tw_unwrap_derive_deleted(u, out->value_schema, &d, errstr, errstr_size);
        if (err)
            return err;
        extra.json = u->deleted_false;
        out->value =
            tw_unwrap_assemble(d, &out->value, &extra, u->cfg->replace_null_with_default, arena);
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
    tw_datum_t old = tw_unwrap_get_field(&in->value, in->value_schema, before, arena);
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
            err = tw_unwrap_derive_deleted(u, before_schema, &d, errstr, errstr_size);
            if (err)
                return err;
            extra.json = u->deleted_true;
            out->value =
                tw_unwrap_assemble(d, &old, &extra, u->cfg->replace_null_with_default, arena);
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
    after = tw_unwrap_get_field(&in->value, in->value_schema, a, arena);
    before = tw_unwrap_get_field(&in->value, in->value_schema, b, arena);
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
