/*
 * unwrap.c — ExtractNewRecordState (see unwrap.h). Debezium builds it from
 * Kafka Connect's ExtractField, InsertField and ReplaceField; the steps
 * here keep their order and their schema rules: a struct they rebuild is a
 * required copy of the original (name, version, doc, parameters kept) and
 * InsertField/ReplaceField read null fields through their defaults.
 *
 * This file parses the options and owns the transform's state; the
 * derived schemas are in unwrap_schema.c, the record steps in
 * unwrap_apply.c.
 */
#include "transforms/unwrap_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

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
