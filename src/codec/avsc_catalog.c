/*
 * avsc_catalog.c — load a directory of .avsc files into one graph of
 * schema nodes and build each record's self-contained schema text.
 *
 * Loading runs in passes so that references work across files whatever
 * their order: (1) parse every file, (2) declare every named type, nested
 * ones included, under its full name, (3) fill in each named type, resolving
 * references through the names declared in (2), (4) check field defaults,
 * (5) render each record's text and have avro-c parse it.
 *
 * This file runs the passes over the files and answers lookups; the
 * schema grammar itself (names, types, logical types, references) is
 * avsc_parse.c's.
 */
#include "codec/avsc_catalog_internal.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "codec/avsc_render.h"
#include "util/buf.h"

/* ---- loading ---------------------------------------------------------- */

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.avsc file names of dir, sorted. */
static tw_err_t list_files(const char *dir, char ***names, size_t *n_names, char *errstr,
                           size_t errstr_size)
{
    DIR *d = opendir(dir);
    struct dirent *entry;
    size_t n = 0, cap = 0;
    char **list = NULL;

    if (d == NULL)
        return tw_errf(TW_ERR_IO, errstr, errstr_size, "cannot open schema directory %s: %m",
                       dir);
    while ((entry = readdir(d)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len <= 5 || strcmp(entry->d_name + len - 5, ".avsc") != 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            list = tw_realloc(list, cap * sizeof(*list));
        }
        list[n++] = tw_strdup(entry->d_name);
    }
    closedir(d);
    if (n)
        qsort(list, n, sizeof(*list), compare_names);
    *names = list;
    *n_names = n;
    return TW_OK;
}

/* ---- which records are parts of others ---- */

static size_t record_index(const tw_avsc_catalog_t *cat, const tw_avsc_schema_t *record)
{
    size_t i;

    for (i = 0; i < cat->n_records; i++)
        if (cat->records[i] == record)
            return i;
    return cat->n_records;
}

/* Marks owner as the user of every record schema refers to, without
 * descending into those records (they are walked as owners themselves),
 * so recursive types end. */
static void mark_users(tw_avsc_catalog_t *cat, const tw_avsc_schema_t *owner,
                       const tw_avsc_schema_t *schema)
{
    size_t i;

    switch (schema->type) {
    case TW_AVSC_RECORD:
        if (schema != owner) {
            i = record_index(cat, schema);
            if (i < cat->n_records && cat->users[i] == NULL)
                cat->users[i] = owner;
        }
        break;
    case TW_AVSC_ARRAY:
    case TW_AVSC_MAP: mark_users(cat, owner, schema->items); break;
    case TW_AVSC_UNION:
        for (i = 0; i < schema->n_branches; i++)
            mark_users(cat, owner, schema->branches[i]);
        break;
    default: break;
    }
}

static void find_users(tw_avsc_catalog_t *cat)
{
    size_t i, f;

    cat->users = tw_calloc(cat->n_records ? cat->n_records : 1, sizeof(*cat->users));
    for (i = 0; i < cat->n_records; i++)
        for (f = 0; f < cat->records[i]->n_fields; f++)
            mark_users(cat, cat->records[i], cat->records[i]->fields[f].schema);
}

const tw_avsc_schema_t *tw_avsc_catalog_user_of(const tw_avsc_catalog_t *cat,
                                                const tw_avsc_schema_t *record)
{
    size_t i = record_index(cat, record);

    return i < cat->n_records ? cat->users[i] : NULL;
}

/* Pass 1: parse every file; paths[i] is the path of names[i]. */
static tw_err_t parse_files(tw_avsc_catalog_t *cat, const char *dir, char **names,
                            size_t n_names, const char **paths, char *errstr, size_t errstr_size)
{
    cat->docs = tw_calloc(n_names, sizeof(*cat->docs));
    for (size_t i = 0; i < n_names; i++) {
        tw_buf_t path = TW_BUF_INIT;
        json_error_t jerr;

        tw_buf_printf(&path, "%s/%s", dir, names[i]);
        paths[i] = tw_avsc_parse_strdup(cat->arena, path.data);
        tw_buf_free(&path);
        cat->docs[i] = json_load_file(
            paths[i], JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
        if (cat->docs[i] == NULL)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "%s:%d:%d: invalid JSON: %s",
                           paths[i], jerr.line, jerr.column, jerr.text);
        cat->n_docs++;
    }
    return TW_OK;
}

/* Pass 2: declare every named type, so that pass 3 can resolve references
 * to types of files it has not reached yet. */
static tw_err_t declare_files(load_ctx_t *ctx, const char **paths)
{
    tw_avsc_catalog_t *cat = ctx->cat;
    tw_err_t err;

    for (size_t i = 0; i < cat->n_docs; i++) {
        json_t *doc = cat->docs[i];
        size_t n_top = json_is_array(doc) ? json_array_size(doc) : 1;

        ctx->file = paths[i];
        if (json_is_array(doc) && n_top == 0)
            return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size,
                           "%s: empty array of schemas", paths[i]);
        for (size_t k = 0; k < n_top; k++) {
            const json_t *top = json_is_array(doc) ? json_array_get(doc, k) : doc;
            if (!json_is_object(top) ||
                !tw_avsc_parse_is_named_kind(tw_avsc_parse_str_member(top, "type")))
                return tw_errf(TW_ERR_CONFIG, ctx->errstr, ctx->errstr_size,
                               "%s: a schema file holds a named record, enum or fixed, or an "
                               "array of them",
                               paths[i]);
            err = tw_avsc_parse_declare(ctx, top, NULL);
            if (err)
                return err;
        }
    }
    return TW_OK;
}

/* Pass 4: field defaults, now that every type is complete. */
static tw_err_t check_defaults(const tw_avsc_catalog_t *cat, tw_avsc_default_check_fn check,
                               char *errstr, size_t errstr_size)
{
    tw_buf_t scratch = TW_BUF_INIT;
    char why[512];
    tw_err_t err = TW_OK;

    for (size_t i = 0; check != NULL && err == TW_OK && i < cat->n_named; i++) {
        const tw_avsc_schema_t *node = cat->named[i];
        for (size_t f = 0; err == TW_OK && f < node->n_fields; f++) {
            const tw_avsc_field_t *field = &node->fields[f];
            if (field->default_value == NULL)
                continue;
            tw_buf_reset(&scratch);
            if (check(field->schema, field->default_value, &scratch, why, sizeof(why)) != TW_OK)
                err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                              "%s: default of field \"%s\" of record \"%s\" does not match its "
                              "type: %s",
                              node->file, field->name, node->fullname, why);
        }
    }
    tw_buf_free(&scratch);
    return err;
}

/* Pass 5: records and their texts. */
static tw_err_t render_records(tw_avsc_catalog_t *cat, char *errstr, size_t errstr_size)
{
    char *text = NULL;
    tw_err_t err;

    cat->records = tw_calloc(cat->n_named ? cat->n_named : 1, sizeof(*cat->records));
    for (size_t i = 0; i < cat->n_named; i++) {
        if (cat->named[i]->type != TW_AVSC_RECORD)
            continue;
        err = tw_avsc_render_record(cat->named[i], cat->n_named, &text, errstr, errstr_size);
        if (err)
            return err;
        cat->named[i]->text = tw_avsc_parse_strdup(cat->arena, text);
        free(text);
        cat->records[cat->n_records++] = cat->named[i];
    }
    return TW_OK;
}

tw_err_t tw_avsc_catalog_load(const char *dir, tw_avsc_default_check_fn check_default,
                              tw_avsc_catalog_t **out, char *errstr, size_t errstr_size)
{
    tw_avsc_catalog_t *cat = tw_calloc(1, sizeof(*cat));
    load_ctx_t ctx = {.cat = cat, .errstr = errstr, .errstr_size = errstr_size};
    char **names = NULL;
    const char **paths;
    size_t n_names = 0, i;
    tw_err_t err;

    *out = NULL;
    cat->arena = tw_arena_new(16384);
    err = list_files(dir, &names, &n_names, errstr, errstr_size);
    if (err)
        goto cleanup;
    if (n_names == 0) {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "no .avsc files in %s", dir);
        goto cleanup;
    }
    paths = tw_arena_alloc(cat->arena, n_names * sizeof(*paths));
    err = parse_files(cat, dir, names, n_names, paths, errstr, errstr_size);
    if (err == TW_OK)
        err = declare_files(&ctx, paths);
    /* Pass 3: fill every named type. */
    for (i = 0; err == TW_OK && i < cat->n_named; i++)
        err = tw_avsc_parse_fill_named(&ctx, cat->named[i]);
    if (err == TW_OK)
        err = check_defaults(cat, check_default, errstr, errstr_size);
    if (err == TW_OK)
        err = render_records(cat, errstr, errstr_size);
    if (err)
        goto cleanup;
    find_users(cat);
    *out = cat;
    cat = NULL;
cleanup:
    for (i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    tw_avsc_catalog_destroy(cat);
    return err;
}

void tw_avsc_catalog_destroy(tw_avsc_catalog_t *cat)
{
    if (cat == NULL)
        return;
    for (size_t i = 0; i < cat->n_docs; i++)
        json_decref(cat->docs[i]);
    free(cat->docs);
    free(cat->named);
    free(cat->records);
    free(cat->users);
    tw_arena_destroy(cat->arena);
    free(cat);
}

const tw_avsc_schema_t *tw_avsc_catalog_find(const tw_avsc_catalog_t *cat, const char *name)
{
    const tw_avsc_schema_t *found = NULL;

    for (size_t i = 0; i < cat->n_records; i++)
        if (strcmp(cat->records[i]->fullname, name) == 0)
            return cat->records[i];
    if (strchr(name, '.'))
        return NULL;
    for (size_t i = 0; i < cat->n_records; i++) {
        const char *full = cat->records[i]->fullname;
        const char *dot = strrchr(full, '.');
        if (strcmp(dot ? dot + 1 : full, name) != 0)
            continue;
        if (found)
            return NULL; /* ambiguous */
        found = cat->records[i];
    }
    return found;
}

size_t tw_avsc_catalog_record_count(const tw_avsc_catalog_t *cat)
{
    return cat->n_records;
}

const tw_avsc_schema_t *tw_avsc_catalog_record_at(const tw_avsc_catalog_t *cat, size_t i)
{
    return i < cat->n_records ? cat->records[i] : NULL;
}
