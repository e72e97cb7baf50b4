/*
 * relcache.h — what the server told us about each relation (from pgoutput
 * Relation messages) and each non-built-in type (from Type messages).
 *
 * The server sends a Relation message before the first change to a relation
 * after any invalidation, so each one fully replaces the cached entry. An
 * entry's address never changes once created (replacement is in place), so
 * callers may keep a pointer; `schema_version` increments only when the
 * column list really changed, so caches derived from a relation (e.g. an
 * Avro schema) are keyed by (relid, schema_version).
 */
#ifndef TW_RELCACHE_H
#define TW_RELCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/common.h"
#include "pg/pgoutput.h"

typedef struct tw_rel_col {
    char *name;
    uint32_t type_oid;
    int32_t typmod;
    /* The type its values are read as: type_oid, or for a domain the base
     * type (and the domain's typmod), which sends and prints the same
     * bytes; text for an enum. Set from the catalog when there is one. */
    uint32_t value_oid;
    int32_t value_typmod;
    bool is_key; /* part of the replica identity */
    /* From the catalog (NULL without one): an enum's labels in their order,
     * comma-joined (also for a domain over an enum), and the column's
     * DEFAULT expression as pg_get_expr prints it. */
    char *enum_labels;
    char *default_expr;
    /* What pg_type says of value_oid (set with the catalog, else
     * type_known false): its typname, typtype ('b' base, 'c' composite,
     * 'd' domain, 'e' enum, 'r' range, 'm' multirange, 'p' pseudo) and, for
     * an array type, its element type and the element's typtype (0
     * otherwise). Converters decide from these which types Debezium has a
     * mapping for. */
    bool type_known;
    char typtype;
    uint32_t elem_oid;
    char elem_typtype;
    char *type_name;
} tw_rel_col_t;

typedef struct tw_rel {
    uint32_t relid;
    char *nspname; /* "pg_catalog" when the server sent "" */
    char *relname;
    char replident; /* 'd', 'n', 'f', 'i' */
    uint16_t ncols;
    tw_rel_col_t *cols;
    uint32_t schema_version; /* 1 for the first Relation message of a relid */
    bool captured; /* the change feed's table filter verdict, set on each update */
    uint64_t received_seq; /* the change feed's order of receipt of this description */
    int server_version; /* the cache's, for send formats that changed (0: unknown) */
    /* One slot for the consumer's derived per-relation state. Freed with
     * opaque_free when the schema version changes or the cache is destroyed. */
    void *opaque;
    void (*opaque_free)(void *opaque);
} tw_rel_t;

typedef struct tw_relcache tw_relcache_t;

tw_relcache_t *tw_relcache_new(void);
void tw_relcache_destroy(tw_relcache_t *cache); /* accepts NULL */

/* Adds or replaces the relation described by a Relation message (strings
 * are copied). Returns the entry, owned by the cache. */
tw_rel_t *tw_relcache_update(tw_relcache_t *cache, const tw_pgoutput_msg_t *relation_msg);

/* The server's version (PQserverVersion), copied into each relation the
 * cache describes from then on: binary values are read by it. */
void tw_relcache_set_server_version(tw_relcache_t *cache, int server_version);
int tw_relcache_server_version(const tw_relcache_t *cache);

/* NULL if the server never described relid: a protocol violation the caller
 * reports. */
tw_rel_t *tw_relcache_get(const tw_relcache_t *cache, uint32_t relid);

/* Remembers a Type message (non-built-in type OID → schema-qualified name). */
void tw_relcache_update_type(tw_relcache_t *cache, const tw_pgoutput_msg_t *type_msg);
/* "schema.name" of a type seen in a Type message, or NULL. */
const char *tw_relcache_type_name(const tw_relcache_t *cache, uint32_t type_oid);

/* Index of the column named `name`, or -1. */
int tw_rel_col_index(const tw_rel_t *rel, const char *name);

#endif /* TW_RELCACHE_H */
