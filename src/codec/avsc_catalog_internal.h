/*
 * avsc_catalog_internal.h — what the catalogue's loader (avsc_catalog.c)
 * and its schema parser (avsc_parse.c) share: the catalogue, the loading
 * context for error messages, and the parser's entry points for passes 2
 * and 3. Not for other modules, which use avsc_catalog.h.
 */
#ifndef TW_AVSC_CATALOG_INTERNAL_H
#define TW_AVSC_CATALOG_INTERNAL_H

#include "codec/avsc_catalog.h"

#include "util/arena.h"

struct tw_avsc_catalog {
    tw_arena_t *arena; /* every node, field array and string */
    json_t **docs;     /* the parsed files (nodes borrow from them) */
    size_t n_docs;
    tw_avsc_schema_t **named; /* every named type, in declaration order */
    size_t n_named, cap_named;
    const tw_avsc_schema_t **records;
    size_t n_records;
    const tw_avsc_schema_t **users; /* per record: the first other record using it */
};

/* What is being loaded, for error messages. */
typedef struct load_ctx {
    tw_avsc_catalog_t *cat;
    const char *file;
    const char *record; /* full name of the record being filled */
    const char *field;  /* field being parsed, or NULL */
    char *errstr;
    size_t errstr_size;
} load_ctx_t;

/* Helpers of the parser the loader uses too (avsc_parse.c). */
char *tw_avsc_parse_strdup(tw_arena_t *arena, const char *s); /* into the arena */
/* The string member key of obj; NULL when missing, not a string or
 * holding a NUL. */
const char *tw_avsc_parse_str_member(const json_t *obj, const char *key);
/* "record", "enum" or "fixed": the kinds a schema file may hold. */
bool tw_avsc_parse_is_named_kind(const char *t);
/* Pass 2: declares the named type json (and those nested in it) under its
 * full name; enclosing is the namespace it inherits, or NULL. */
tw_err_t tw_avsc_parse_declare(load_ctx_t *ctx, const json_t *json, const char *enclosing);
/* Pass 3: fills in a declared type, resolving its references. */
tw_err_t tw_avsc_parse_fill_named(load_ctx_t *ctx, tw_avsc_schema_t *node);

#endif /* TW_AVSC_CATALOG_INTERNAL_H */
