/*
 * relcache.c — open-addressing hash tables from relation and type OIDs to
 * their descriptions.
 */
#include "pg/relcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small uint32 → pointer map; key 0 marks an empty slot, which is safe
 * because InvalidOid (0) is never a relation or type. */
typedef struct oid_map {
    uint32_t *keys;
    void **values;
    size_t cap; /* power of two */
    size_t n;
} oid_map_t;

typedef struct type_entry {
    uint32_t oid;
    char *name;
} type_entry_t;

struct tw_relcache {
    oid_map_t rels;
    oid_map_t types;
    int server_version;
};

void tw_relcache_set_server_version(tw_relcache_t *cache, int server_version)
{
    cache->server_version = server_version;
}

int tw_relcache_server_version(const tw_relcache_t *cache)
{
    return cache->server_version;
}

static size_t oid_slot(uint32_t oid, size_t cap)
{
    /* Fibonacci hashing spreads sequential OIDs across the table. */
    return (size_t)((oid * UINT32_C(2654435769)) & (cap - 1));
}

static void *oid_map_get(const oid_map_t *map, uint32_t oid)
{
    size_t i;

    if (map->cap == 0)
        return NULL;
    for (i = oid_slot(oid, map->cap); map->keys[i] != 0; i = (i + 1) & (map->cap - 1))
        if (map->keys[i] == oid)
            return map->values[i];
    return NULL;
}

static void oid_map_put(oid_map_t *map, uint32_t oid, void *value);

static void oid_map_grow(oid_map_t *map)
{
    oid_map_t bigger = {NULL, NULL, map->cap ? map->cap * 2 : 64, 0};
    size_t i;

    bigger.keys = tw_calloc(bigger.cap, sizeof(uint32_t));
    bigger.values = tw_calloc(bigger.cap, sizeof(void *));
    for (i = 0; i < map->cap; i++)
        if (map->keys[i] != 0)
            oid_map_put(&bigger, map->keys[i], map->values[i]);
    free(map->keys);
    free(map->values);
    *map = bigger;
}

static void oid_map_put(oid_map_t *map, uint32_t oid, void *value)
{
    size_t i;

    if ((map->n + 1) * 4 > map->cap * 3)
        oid_map_grow(map);
    for (i = oid_slot(oid, map->cap); map->keys[i] != 0; i = (i + 1) & (map->cap - 1)) {
        if (map->keys[i] == oid) {
            map->values[i] = value;
            return;
        }
    }
    map->keys[i] = oid;
    map->values[i] = value;
    map->n++;
}

tw_relcache_t *tw_relcache_new(void)
{
    return tw_calloc(1, sizeof(tw_relcache_t));
}

static void rel_free_columns(tw_rel_t *rel)
{
    uint16_t i;

    for (i = 0; i < rel->ncols; i++) {
        free(rel->cols[i].name);
        free(rel->cols[i].enum_labels);
        free(rel->cols[i].default_expr);
        free(rel->cols[i].type_name);
    }
    free(rel->cols);
    rel->cols = NULL;
    rel->ncols = 0;
}

static void rel_free_opaque(tw_rel_t *rel)
{
    if (rel->opaque && rel->opaque_free)
        rel->opaque_free(rel->opaque);
    rel->opaque = NULL;
    rel->opaque_free = NULL;
}

void tw_relcache_destroy(tw_relcache_t *cache)
{
    size_t i;

    if (cache == NULL)
        return;
    for (i = 0; i < cache->rels.cap; i++) {
        tw_rel_t *rel = cache->rels.values[i];
        if (cache->rels.keys[i] == 0)
            continue;
        rel_free_opaque(rel);
        rel_free_columns(rel);
        free(rel->nspname);
        free(rel->relname);
        free(rel);
    }
    for (i = 0; i < cache->types.cap; i++) {
        type_entry_t *type = cache->types.values[i];
        if (cache->types.keys[i] == 0)
            continue;
        free(type->name);
        free(type);
    }
    free(cache->rels.keys);
    free(cache->rels.values);
    free(cache->types.keys);
    free(cache->types.values);
    free(cache);
}

/* True when the message describes exactly the columns rel already has. */
static bool same_columns(const tw_rel_t *rel, const tw_pgoutput_msg_t *msg)
{
    uint16_t i;

    if (rel->ncols != msg->u.relation.natts)
        return false;
    for (i = 0; i < rel->ncols; i++) {
        const tw_pgoutput_attr_t *attr = &msg->u.relation.attrs[i];
        const tw_rel_col_t *col = &rel->cols[i];
        if (col->type_oid != attr->type_oid || col->typmod != attr->typmod ||
            col->is_key != ((attr->flags & TW_PGOUTPUT_ATTR_KEY) != 0) ||
            strcmp(col->name, attr->name) != 0)
            return false;
    }
    return true;
}

tw_rel_t *tw_relcache_update(tw_relcache_t *cache, const tw_pgoutput_msg_t *msg)
{
    uint32_t relid = msg->u.relation.relid;
    tw_rel_t *rel = oid_map_get(&cache->rels, relid);
    const char *nspname = msg->u.relation.nspname;
    uint16_t i;

    if (rel == NULL) {
        rel = tw_calloc(1, sizeof(*rel));
        rel->relid = relid;
        rel->server_version = cache->server_version;
        oid_map_put(&cache->rels, relid, rel);
    } else if (same_columns(rel, msg) && strcmp(rel->relname, msg->u.relation.relname) == 0) {
        /* A re-send after an unrelated invalidation: only the replica
         * identity (or the schema name, on ALTER TABLE SET SCHEMA) can differ
         * without the columns changing. */
        if (strcmp(rel->nspname, nspname[0] ? nspname : "pg_catalog") != 0) {
            free(rel->nspname);
            rel->nspname = tw_strdup(nspname[0] ? nspname : "pg_catalog");
            rel->schema_version++;
            rel_free_opaque(rel);
        }
        if (rel->replident != msg->u.relation.replident) {
            rel->replident = msg->u.relation.replident;
            rel->schema_version++;
            rel_free_opaque(rel);
        }
        return rel;
    }
    rel->server_version = cache->server_version;
    rel_free_opaque(rel);
    rel_free_columns(rel);
    free(rel->nspname);
    free(rel->relname);
    /* The protocol sends "" for pg_catalog to save bytes. */
    rel->nspname = tw_strdup(nspname[0] ? nspname : "pg_catalog");
    rel->relname = tw_strdup(msg->u.relation.relname);
    rel->replident = msg->u.relation.replident;
    rel->ncols = msg->u.relation.natts;
    rel->cols = tw_calloc(rel->ncols ? rel->ncols : 1, sizeof(tw_rel_col_t));
    for (i = 0; i < rel->ncols; i++) {
        const tw_pgoutput_attr_t *attr = &msg->u.relation.attrs[i];
        rel->cols[i].name = tw_strdup(attr->name);
        rel->cols[i].type_oid = attr->type_oid;
        rel->cols[i].typmod = attr->typmod;
        rel->cols[i].value_oid = attr->type_oid;
        rel->cols[i].value_typmod = attr->typmod;
        rel->cols[i].is_key = (attr->flags & TW_PGOUTPUT_ATTR_KEY) != 0;
    }
    rel->schema_version++;
    return rel;
}

tw_rel_t *tw_relcache_get(const tw_relcache_t *cache, uint32_t relid)
{
    return oid_map_get(&cache->rels, relid);
}

void tw_relcache_update_type(tw_relcache_t *cache, const tw_pgoutput_msg_t *msg)
{
    type_entry_t *type = oid_map_get(&cache->types, msg->u.type.type_oid);
    const char *nsp = msg->u.type.nspname[0] ? msg->u.type.nspname : "pg_catalog";
    size_t len = strlen(nsp) + strlen(msg->u.type.typname) + 2;

    if (type == NULL) {
        type = tw_calloc(1, sizeof(*type));
        type->oid = msg->u.type.type_oid;
        oid_map_put(&cache->types, type->oid, type);
    }
    free(type->name);
    type->name = tw_malloc(len);
    snprintf(type->name, len, "%s.%s", nsp, msg->u.type.typname);
}

const char *tw_relcache_type_name(const tw_relcache_t *cache, uint32_t type_oid)
{
    type_entry_t *type = oid_map_get(&cache->types, type_oid);
    return type ? type->name : NULL;
}

int tw_rel_col_index(const tw_rel_t *rel, const char *name)
{
    uint16_t i;

    for (i = 0; i < rel->ncols; i++)
        if (strcmp(rel->cols[i].name, name) == 0)
            return i;
    return -1;
}
