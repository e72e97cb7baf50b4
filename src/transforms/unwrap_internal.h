/*
 * unwrap_internal.h — what the ExtractNewRecordState files share: the
 * transform's state, the derived-schema cache entries, and the schema
 * helpers (unwrap_schema.c) that the record steps (unwrap_apply.c) use.
 * Not for other modules, which use unwrap.h.
 */
#ifndef TW_UNWRAP_INTERNAL_H
#define TW_UNWRAP_INTERNAL_H

#include "transforms/unwrap.h"

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
 * then adds nothing) and how to read it (see tw_unwrap_read_ref). */
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

/* Field i of a struct datum (null when the struct is null). */
tw_datum_t tw_unwrap_get_field(const tw_datum_t *datum, const tw_cs_t *schema, int i,
                               tw_arena_t *arena);
/* The places of add.fields (kind PLACES_FIELDS) or add.headers
 * (PLACES_HEADERS) items in an envelope schema; cached. */
tw_err_t tw_unwrap_places_for(tw_unwrap_t *u, int kind, const tw_cs_t *env,
                              const ref_place_t **out, char *errstr, size_t errstr_size);
/* The value of a placed reference in an envelope datum. */
tw_datum_t tw_unwrap_read_ref(const ref_place_t *place, const tw_cs_t *env_schema,
                              const tw_datum_t *env, tw_arena_t *arena);
/* Derived row schemas (cached; owned by the transform). */
tw_err_t tw_unwrap_derive_deleted(tw_unwrap_t *u, const tw_cs_t *from, derived_t **out,
                                  char *errstr, size_t errstr_size);
tw_err_t tw_unwrap_derive_added(tw_unwrap_t *u, const tw_cs_t *from, const tw_cs_t *env,
                                derived_t **out, char *errstr, size_t errstr_size);
derived_t *tw_unwrap_derive_dropped(tw_unwrap_t *u, const tw_cs_t *from, const char *names);
/* A struct datum for d->schema from `from` and the extras (see
 * unwrap_schema.c). */
tw_datum_t tw_unwrap_assemble(const derived_t *d, const tw_datum_t *from,
                              const tw_datum_t *extras, bool defaults, tw_arena_t *arena);

#endif /* TW_UNWRAP_INTERNAL_H */
