/*
 * transform_envelope.c — Debezium's change-event envelope: what a captured
 * table that no configured transform routes becomes. One record per row
 * change on <topic.prefix>.<schema>.<table>, keyed by the primary key,
 * with the value {before, after, source, transaction, op, ts_ms, ts_us,
 * ts_ns}; a delete is followed by a tombstone (tombstones.on.delete), an
 * update that changes the key becomes a delete (and tombstone) of the old
 * key and a create of the new one, as Debezium does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/column_schema.h"
#include "codec/unknown_type.h"
#include "pg/catalog.h"
#include "transforms/column_rules.h"
#include "transforms/envelope_message.h"
#include "transforms/envelope_row.h"
#include "transforms/key_columns.h"
#include "util/buf.h"
#include "util/decimal.h"
#include "util/log.h"
#include "transforms/transform.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0.0"
#endif

/* The source block's fields, in Debezium's order. */
enum {
    SRC_VERSION,
    SRC_CONNECTOR,
    SRC_NAME,
    SRC_TS_MS,
    SRC_SNAPSHOT,
    SRC_DB,
    SRC_SEQUENCE,
    SRC_TS_US,
    SRC_TS_NS,
    SRC_SCHEMA,
    SRC_TABLE,
    SRC_TXID,
    SRC_LSN,
    SRC_XMIN,
    SRC_ORIGIN,
    SRC_ORIGIN_LSN,
    SRC_NFIELDS
};

/* The envelope's fields, in Debezium's order. */
enum { ENV_BEFORE, ENV_AFTER, ENV_SOURCE, ENV_TRANSACTION, ENV_OP, ENV_TS_MS, ENV_TS_US,
       ENV_TS_NS, ENV_NFIELDS };

typedef struct envelope {
    const tw_config_t *cfg;
    PGconn *catalog; /* borrowed; NULL: keys from the replica identity */
    bool skip_update, skip_delete, skip_truncate;
    tw_key_columns_t *key_columns; /* message.key.columns */
    tw_column_rules_t *column_rules; /* column.*: filters, masks; NULL: none */
    tw_cs_t *source_schema;
    tw_cs_t *transaction_schema;
    /* provide.transaction.metadata: the connector's counts of the
     * transaction's events (borrowed; NULL when off), which also count the
     * rows other transforms take (transform.c) */
    tw_txn_metadata_t *txnmeta;
    tw_envelope_message_t *messages; /* logical decoding messages' "m" events */
    /* "\nschema.table.column\n" of each column left out for its type, so
     * that it is logged once per process, not at every Relation message */
    tw_buf_t announced;
} envelope_t;

typedef struct env_binding {
    envelope_t *env;
    char *topic;
    tw_cs_t *key_schema; /* NULL: the table has no primary key (null keys) */
    int *key_cols;       /* column index of each key field */
    size_t nkey;
    tw_cs_t *value_schema;
    tw_cs_t *row_schema; /* every column, unmapped: what rows are read as */
    /* With column rules: the value's columns and each one's mapper (NULL:
     * none); value_cols NULL: the value is the row. */
    int *value_cols;
    const tw_column_rule_t **value_rules;
    size_t nvalue;
    /* Per column, by Debezium's type mapping (include.unknown.datatypes):
     * left out of the value, or written as bytes; NULL: neither happens. */
    bool *dropped;
    char *as_bytes; /* 0: no; 'b': bytes; 'a': an array of bytes; 'h': hstore[]'s
                     * elements (read whole, written as hstores) */
    tw_cs_t *envelope_schema;
    char *collection; /* "schema.table": what the transaction's events are counted by */
} env_binding_t;

static tw_cs_t *source_schema_new(void)
{
    tw_cs_t *s = tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.postgresql.Source");

    s->version = 1;
    tw_cs_t *snapshot = tw_cs_new(TW_CS_STRING, true, "io.debezium.data.Enum");

    snapshot->version = 1;
    snapshot->default_value = json_string("false");
    tw_cs_set_param(snapshot, "allowed",
                    "true,first,first_in_data_collection,last_in_data_collection,last,false,"
                    "incremental");
    tw_cs_add_field(s, "version", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(s, "connector", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(s, "name", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(s, "ts_ms", tw_cs_new(TW_CS_INT64, false, NULL));
    tw_cs_add_field(s, "snapshot", snapshot);
    tw_cs_add_field(s, "db", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(s, "sequence", tw_cs_new(TW_CS_STRING, true, NULL));
    tw_cs_add_field(s, "ts_us", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(s, "ts_ns", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(s, "schema", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(s, "table", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(s, "txId", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(s, "lsn", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(s, "xmin", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(s, "origin", tw_cs_new(TW_CS_STRING, true, NULL));
    tw_cs_add_field(s, "origin_lsn", tw_cs_new(TW_CS_INT64, true, NULL));
    return s;
}

static tw_cs_t *transaction_schema_new(void)
{
    tw_cs_t *s = tw_cs_new(TW_CS_STRUCT, true, "event.block");

    s->version = 1;
    tw_cs_add_field(s, "id", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(s, "total_order", tw_cs_new(TW_CS_INT64, false, NULL));
    tw_cs_add_field(s, "data_collection_order", tw_cs_new(TW_CS_INT64, false, NULL));
    return s;
}

static bool has_op(const char *list, const char *op)
{
    char **items = NULL;
    size_t n = tw_config_split_list(list ? list : "", &items), i;
    bool found = false;

    for (i = 0; i < n; i++)
        found = found || strcmp(items[i], op) == 0;
    tw_config_free_list(items, n);
    return found;
}

tw_err_t tw_transform_envelope_new(const tw_config_t *cfg, void **state, char *errstr,
                                   size_t errstr_size)
{
    envelope_t *env = tw_calloc(1, sizeof(*env));
    tw_err_t err;

    env->cfg = cfg;
    env->skip_update = has_op(cfg->skipped_operations, "u");
    env->skip_delete = has_op(cfg->skipped_operations, "d");
    env->skip_truncate = has_op(cfg->skipped_operations, "t");
    env->source_schema = source_schema_new();
    env->transaction_schema = transaction_schema_new();
    env->messages =
        tw_envelope_message_new(cfg->topic_prefix, env->source_schema, env->transaction_schema);
    err = tw_key_columns_new(cfg->message_key_columns, &env->key_columns, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_column_rules_new(cfg, &env->column_rules, errstr, errstr_size);
    *state = env; /* destroyed with the chain, also on error */
    return err;
}

void tw_transform_envelope_set_catalog(void *state, PGconn *conn)
{
    ((envelope_t *)state)->catalog = conn;
}

void tw_transform_envelope_set_txn_metadata(void *state, tw_txn_metadata_t *m)
{
    ((envelope_t *)state)->txnmeta = m;
}

bool tw_transform_envelope_skips(const void *state, const tw_change_t *change)
{
    const envelope_t *env = state;

    return (change->op == TW_CHANGE_UPDATE && env->skip_update) ||
           (change->op == TW_CHANGE_DELETE && env->skip_delete) ||
           (change->op == TW_CHANGE_TRUNCATE && env->skip_truncate);
}

static void envelope_destroy(void *state)
{
    envelope_t *env = state;

    tw_cs_unref(env->source_schema);
    tw_cs_unref(env->transaction_schema);
    tw_envelope_message_destroy(env->messages);
    tw_key_columns_destroy(env->key_columns);
    tw_column_rules_destroy(env->column_rules);
    tw_buf_free(&env->announced);
    free(env);
}

static tw_err_t envelope_create(const tw_config_t *cfg, const tw_transform_config_t *config,
                                void **state, char *errstr, size_t errstr_size)
{
    (void)cfg;
    (void)config;
    (void)state;
    /* Never configured by name: the chain creates it for every connector. */
    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                   "the change-event envelope is not a configurable transform");
}

static void envelope_unbind(void *binding)
{
    env_binding_t *b = binding;

    if (b == NULL)
        return;
    free(b->topic);
    free(b->collection);
    free(b->key_cols);
    free(b->value_cols);
    free(b->value_rules);
    free(b->dropped);
    free(b->as_bytes);
    tw_cs_unref(b->key_schema);
    tw_cs_unref(b->value_schema);
    tw_cs_unref(b->row_schema);
    tw_cs_unref(b->envelope_schema);
    free(b);
}

/* The table's primary-key columns in key order (Debezium keys records by
 * the primary key whatever the replica identity). Without a catalog
 * connection, the replica identity's columns under REPLICA IDENTITY
 * DEFAULT, which are the primary key's. */
static tw_err_t primary_key(envelope_t *env, const tw_rel_t *rel, env_binding_t *b,
                            char *errstr, size_t errstr_size)
{
    uint16_t i;

    b->key_cols = tw_calloc(rel->ncols ? rel->ncols : 1, sizeof(int));
    if (env->catalog)
        return tw_catalog_primary_key(env->catalog, rel, b->key_cols, &b->nkey, errstr,
                                      errstr_size);
    for (i = 0; i < rel->ncols; i++)
        if (rel->replident == 'd' && rel->cols[i].is_key)
            b->key_cols[b->nkey++] = i;
    return TW_OK;
}

/* message.key.columns named this table's key columns. */
static tw_err_t configured_key(const tw_rel_t *rel, char *const *columns, size_t n,
                               env_binding_t *b, char *errstr, size_t errstr_size)
{
    size_t i;
    int col;

    b->key_cols = tw_calloc(n, sizeof(int));
    for (i = 0; i < n; i++) {
        col = tw_rel_col_index(rel, columns[i]);
        if (col < 0)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "message.key.columns names column \"%s\" for %s.%s, which has no "
                           "such column",
                           columns[i], rel->nspname, rel->relname);
        b->key_cols[b->nkey++] = col;
    }
    return TW_OK;
}

/* pg_type.typname of a column's type, for column.propagate.source.type;
 * NULL without a catalog connection. */
static char *type_name(envelope_t *env, uint32_t oid)
{
    return env->catalog ? tw_catalog_type_name(env->catalog, oid) : NULL;
}

/* A column's schema in the Value struct: bytes (or an array of required
 * bytes, as Debezium's) for a type Debezium does not know that
 * include.unknown.datatypes=true keeps. */
static tw_cs_t *column_schema(const env_binding_t *b, const tw_rel_t *rel, size_t i,
                              bool optional)
{
    tw_cs_t *schema;

    if (b->as_bytes && b->as_bytes[i] == 'b')
        return tw_cs_for_column(TW_OID_BYTEA, -1, optional);
    if (b->as_bytes && b->as_bytes[i] == 'a') {
        schema = tw_cs_new(TW_CS_ARRAY, optional, NULL);
        schema->elem = tw_cs_for_column(TW_OID_BYTEA, -1, false);
        return schema;
    }
    return tw_cs_for_rel_col(&rel->cols[i], optional);
}

/* Debezium's connector has no mapping for some column types: it leaves
 * such a column out of its records, or (include.unknown.datatypes=true)
 * writes it as bytes; a few array types stay out either way. Each column
 * left out is logged once, so that nothing disappears unannounced. An
 * hstore[] (read whole: its element type is an extension's) is split into
 * its hstores here too. */
static void unknown_columns(envelope_t *env, const tw_rel_t *rel, env_binding_t *b)
{
    bool include = tw_cs_options()->include_unknown;
    tw_type_support_t support;
    tw_buf_t key = TW_BUF_INIT;
    size_t i;

    for (i = 0; i < rel->ncols; i++) {
        const tw_rel_col_t *col = &rel->cols[i];
        support = tw_unknown_type_support(col);
        if (support == TW_TYPE_MAPPED && col->elem_oid && col->type_name &&
            strcmp(col->type_name, "_hstore") == 0) {
            if (b->dropped == NULL) {
                b->dropped = tw_calloc(rel->ncols, sizeof(bool));
                b->as_bytes = tw_calloc(rel->ncols, 1);
            }
            b->as_bytes[i] = 'h';
            continue;
        }
        if (support == TW_TYPE_MAPPED)
            continue;
        if (b->dropped == NULL) {
            b->dropped = tw_calloc(rel->ncols, sizeof(bool));
            b->as_bytes = tw_calloc(rel->ncols, 1);
        }
        if ((support == TW_TYPE_UNKNOWN || support == TW_TYPE_UNKNOWN_ARRAY) && include) {
            b->as_bytes[i] = support == TW_TYPE_UNKNOWN ? 'b' : 'a';
            continue;
        }
        b->dropped[i] = true;
        tw_buf_reset(&key);
        tw_buf_printf(&key, "\n%s.%s.%s\n", rel->nspname, rel->relname, col->name);
        if (env->announced.data && strstr(env->announced.data, key.data))
            continue;
        tw_buf_append(&env->announced, key.data, key.len);
        tw_log(TW_LOG_WARNING, "ENVELOPE",
               "column \"%s\" of %s.%s (type %s) is left out of change events: it is %s%s",
               col->name, rel->nspname, rel->relname, col->type_name ? col->type_name : "?",
               tw_unknown_type_reason(support),
               support == TW_TYPE_UNKNOWN
                   ? "; include.unknown.datatypes=true writes it as bytes holding its text"
               : support == TW_TYPE_UNKNOWN_ARRAY
                   ? "; include.unknown.datatypes=true writes it as an array of bytes"
                   : "");
    }
    tw_buf_free(&key);
}

/* Values of columns written as bytes: their text's bytes (the JDBC
 * driver's form for geometric types), as Debezium writes them. */
static tw_err_t unknown_values(const env_binding_t *b, const tw_rel_t *rel, tw_datum_t *row,
                               tw_arena_t *arena, char *errstr, size_t errstr_size)
{
    tw_value_t *v;
    tw_err_t err;
    size_t i;

    for (i = 0; b->as_bytes && i < rel->ncols; i++) {
        if (!b->as_bytes[i])
            continue;
        v = tw_arena_alloc(arena, sizeof(*v));
        if (b->as_bytes[i] == 'a')
            err = tw_unknown_array_bytes(row->fields[i].pg, rel->cols[i].elem_oid, arena, v,
                                         errstr, errstr_size);
        else if (b->as_bytes[i] == 'h')
            err = tw_unknown_array_split(row->fields[i].pg, rel->cols[i].elem_oid, arena, v,
                                         errstr, errstr_size);
        else
            err = tw_unknown_type_bytes(row->fields[i].pg, arena, v, errstr, errstr_size);
        if (err)
            return err;
        /* tw_envelope_row allocated the fields in the arena: ours to change */
        ((tw_datum_t *)row->fields)[i].pg = v;
    }
    return TW_OK;
}

/* The Value struct under column rules: the columns kept, each schema
 * with its mapper's parameters. `name` is the struct's name. */
static tw_cs_t *shaped_value(envelope_t *env, const tw_rel_t *rel, const bool *not_null,
                             env_binding_t *b, const char *name)
{
    tw_cs_t *value = tw_cs_new(TW_CS_STRUCT, true, name);
    const tw_column_rule_t *rule;
    tw_cs_t *field;
    char *typname;
    size_t i;

    b->value_cols = tw_calloc(rel->ncols ? rel->ncols : 1, sizeof(int));
    b->value_rules = tw_calloc(rel->ncols ? rel->ncols : 1, sizeof(*b->value_rules));
    for (i = 0; i < rel->ncols; i++) {
        const tw_rel_col_t *col = &rel->cols[i];
        if (!tw_column_rules_keep(env->column_rules, rel->nspname, rel->relname, col->name) ||
            (b->dropped && b->dropped[i]))
            continue;
        rule = tw_column_rules_find(env->column_rules, rel->nspname, rel->relname, col->name);
        field = column_schema(b, rel, i, !not_null[i]);
        if (rule) {
            typname = type_name(env, col->type_oid);
            tw_column_rule_shape(rule, col, typname, field);
            free(typname);
        }
        tw_cs_add_field(value, col->name, field);
        b->value_cols[b->nvalue] = (int)i;
        b->value_rules[b->nvalue++] = rule;
    }
    return value;
}

/* A row's Value struct under column rules: kept columns, mapped. */
static tw_datum_t shaped_row(const env_binding_t *b, const tw_rel_t *rel, const tw_datum_t *row,
                             tw_arena_t *arena)
{
    tw_datum_t d = {NULL, NULL, NULL};
    tw_datum_t *fields = tw_arena_alloc(arena, (b->nvalue ? b->nvalue : 1) * sizeof(*fields));
    tw_value_t *v;
    size_t i;

    for (i = 0; i < b->nvalue; i++) {
        fields[i] = row->fields[b->value_cols[i]];
        /* A truncation is done where the string is formatted: after
         * formatting, as Debezium cuts the converted value (codec/datum.c). */
        if (b->value_rules[i] == NULL || tw_column_rule_truncates(b->value_rules[i]))
            continue;
        v = tw_arena_alloc(arena, sizeof(*v));
        *v = *fields[i].pg;
        tw_column_rule_apply(b->value_rules[i], &rel->cols[b->value_cols[i]], v, arena);
        fields[i].pg = v;
    }
    d.fields = fields;
    return d;
}

static tw_err_t envelope_bind(void *state, const tw_rel_t *rel, const bool *not_null,
                              void **binding, char *errstr, size_t errstr_size)
{
    envelope_t *env = state;
    env_binding_t *b = tw_calloc(1, sizeof(*b));
    const char *prefix = env->cfg->topic_prefix;
    size_t len = strlen(prefix) + strlen(rel->nspname) + strlen(rel->relname) + 16;
    char *name = tw_malloc(len);
    tw_cs_t *value_opt;
    char *const *columns;
    size_t ncolumns;
    tw_err_t err;
    size_t i;

    b->env = env;
    b->topic = tw_malloc(len);
    snprintf(b->topic, len, "%s.%s.%s", prefix, rel->nspname, rel->relname);
    snprintf(name, len, "%s.%s", rel->nspname, rel->relname);
    b->collection = tw_strdup(name);
    columns = tw_key_columns_for(env->key_columns, name, &ncolumns);
    if (columns)
        err = configured_key(rel, columns, ncolumns, b, errstr, errstr_size);
    else
        err = primary_key(env, rel, b, errstr, errstr_size);
    if (err) {
        free(name);
        envelope_unbind(b);
        return err;
    }
    unknown_columns(env, rel, b);
    for (i = 0; b->dropped && i < b->nkey; i++)
        if (b->dropped[b->key_cols[i]]) {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "key column \"%s\" of %s.%s has %s (type %s), which change events "
                          "leave out; name other columns in message.key.columns%s",
                          rel->cols[b->key_cols[i]].name, rel->nspname, rel->relname,
                          tw_unknown_type_reason(tw_unknown_type_support(
                              &rel->cols[b->key_cols[i]])),
                          rel->cols[b->key_cols[i]].type_name,
                          tw_unknown_type_support(&rel->cols[b->key_cols[i]]) == TW_TYPE_UNKNOWN
                              ? " or set include.unknown.datatypes=true"
                              : "");
            free(name);
            envelope_unbind(b);
            return err;
        }
    if (b->nkey > 0) {
        snprintf(name, len, "%s.Key", b->topic);
        b->key_schema = tw_cs_new(TW_CS_STRUCT, false, name);
        for (i = 0; i < b->nkey; i++) {
            const tw_rel_col_t *col = &rel->cols[b->key_cols[i]];
            /* A key column column.exclude.list leaves out of the value is
             * optional in Debezium's key schema (it keeps no NOT NULL for
             * columns it filters out); so here. */
            bool optional = !not_null[b->key_cols[i]] ||
                            !tw_column_rules_keep(env->column_rules, rel->nspname,
                                                  rel->relname, col->name);
            tw_cs_add_field(b->key_schema, col->name,
                            column_schema(b, rel, (size_t)b->key_cols[i], optional));
        }
    }
    /* before and after share one optional Value schema. */
    snprintf(name, len, "%s.Value", b->topic);
    value_opt = tw_cs_new(TW_CS_STRUCT, true, name);
    for (i = 0; i < rel->ncols; i++)
        tw_cs_add_field(value_opt, rel->cols[i].name, column_schema(b, rel, i, !not_null[i]));
    b->row_schema = value_opt;
    b->value_schema = env->column_rules || b->dropped
                          ? shaped_value(env, rel, not_null, b, name)
                          : tw_cs_ref(value_opt);
    value_opt = b->value_schema;
    snprintf(name, len, "%s.Envelope", b->topic);
    b->envelope_schema = tw_cs_new(TW_CS_STRUCT, false, name);
    b->envelope_schema->version = 2;
    tw_cs_add_field(b->envelope_schema, "before", tw_cs_ref(value_opt));
    tw_cs_add_field(b->envelope_schema, "after", tw_cs_ref(value_opt));
    tw_cs_add_field(b->envelope_schema, "source", tw_cs_ref(env->source_schema));
    tw_cs_add_field(b->envelope_schema, "transaction", tw_cs_ref(env->transaction_schema));
    tw_cs_add_field(b->envelope_schema, "op", tw_cs_new(TW_CS_STRING, false, NULL));
    tw_cs_add_field(b->envelope_schema, "ts_ms", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(b->envelope_schema, "ts_us", tw_cs_new(TW_CS_INT64, true, NULL));
    tw_cs_add_field(b->envelope_schema, "ts_ns", tw_cs_new(TW_CS_INT64, true, NULL));
    free(name);
    *binding = b;
    return TW_OK;
}

/* Every captured prefix (message.prefix.include/exclude.list chose them)
 * that no configured transform takes. */
static bool envelope_takes_message(void *state, const char *prefix)
{
    (void)state;
    (void)prefix;
    return true;
}

/* ------------------------------------------------------------------ datums */

/* The key struct from a Value struct's datums. */
static tw_datum_t key_datum(const env_binding_t *b, const tw_datum_t *row, tw_arena_t *arena)
{
    tw_datum_t d = {NULL, NULL, NULL};
    tw_datum_t *fields;
    size_t i;

    if (b->key_schema == NULL || row == NULL)
        return d;
    fields = tw_arena_alloc(arena, b->nkey * sizeof(*fields));
    for (i = 0; i < b->nkey; i++)
        fields[i] = row->fields[b->key_cols[i]];
    d.fields = fields;
    return d;
}

static bool key_changed(const env_binding_t *b, const tw_datum_t *before, const tw_datum_t *after)
{
    size_t i;

    for (i = 0; i < b->nkey; i++)
        if (!tw_envelope_same_value(before->fields[b->key_cols[i]].pg,
                                    after->fields[b->key_cols[i]].pg))
            return true;
    return false;
}

/* schema, table: "" for a logical decoding message, as Debezium's. */
/* source.sequence: ["last position completely processed","this change's"],
 * null for the first when there is none. out has room for 64 bytes. */
static void sequence_text(char *out, tw_lsn_t done, tw_lsn_t lsn)
{
    char *p = out;

    *p++ = '[';
    if (done) {
        *p++ = '"';
        p += tw_decimal_u64(p, done, 1);
        *p++ = '"';
    } else {
        memcpy(p, "null", 4);
        p += 4;
    }
    memcpy(p, ",\"", 2);
    p += 2;
    p += tw_decimal_u64(p, lsn, 1);
    memcpy(p, "\"]", 3); /* and the terminating NUL */
}

static tw_datum_t source_datum(const envelope_t *env, const char *schema, const char *table,
                               const tw_txn_t *txn, const tw_change_t *change, int64_t now_us,
                               tw_arena_t *arena)
{
    tw_datum_t *f = tw_arena_alloc(arena, SRC_NFIELDS * sizeof(*f));
    tw_datum_t d = {NULL, NULL, NULL};
    /* A message outside a transaction has no commit time: Debezium's is
     * the last transaction's, else the time it is read. */
    int64_t commit_us = txn ? txn->commit_ts
                            : change->last_commit_ts ? change->last_commit_ts : now_us;
    char *sequence = tw_arena_alloc(arena, 64);

    /* [the last position completely processed, this change's]: the end of
     * the transaction before this one, none for the first of a session. */
    if (txn == NULL) /* a message outside a transaction: itself, completely */
        sequence_text(sequence, change->lsn, change->lsn);
    else
        sequence_text(sequence, txn->prev_end_lsn, change->lsn);
    f[SRC_VERSION] = tw_envelope_text(arena, PACKAGE_VERSION);
    f[SRC_CONNECTOR] = tw_envelope_text(arena, "postgresql");
    f[SRC_NAME] = tw_envelope_text(arena, env->cfg->topic_prefix);
    f[SRC_TS_MS] = tw_envelope_int(arena, commit_us / 1000);
    f[SRC_SNAPSHOT] = tw_envelope_text(arena, "false");
    f[SRC_DB] = tw_envelope_text(arena, env->cfg->db_dbname ? env->cfg->db_dbname : "");
    f[SRC_SEQUENCE] = tw_envelope_text(arena, sequence);
    f[SRC_TS_US] = tw_envelope_int(arena, commit_us);
    f[SRC_TS_NS] = tw_envelope_int(arena, commit_us * 1000);
    f[SRC_SCHEMA] = tw_envelope_text(arena, schema);
    f[SRC_TABLE] = tw_envelope_text(arena, table);
    f[SRC_TXID] = txn ? tw_envelope_int(arena, txn->xid) : tw_envelope_null();
    f[SRC_LSN] = tw_envelope_int(arena, (int64_t)change->lsn);
    f[SRC_XMIN] = tw_envelope_null();
    f[SRC_ORIGIN] = txn && txn->origin ? tw_envelope_text(arena, txn->origin) : tw_envelope_null();
    f[SRC_ORIGIN_LSN] = txn && txn->origin ? tw_envelope_int(arena, (int64_t)txn->origin_lsn)
                                           : tw_envelope_null();
    d.fields = f;
    return d;
}

/* ------------------------------------------------------------------ records */

typedef struct emit {
    env_binding_t *b;
    const tw_txn_t *txn; /* NULL outside a transaction */
    const tw_rel_t *rel;
    tw_datum_t source;
    int64_t now_us;    /* the envelope's ts_*: processing time, as Debezium's */
    int64_t commit_ms; /* the record's timestamp */
    tw_lsn_t change_lsn;
    tw_arena_t *arena;
    tw_record_t *records;
    size_t n;
} emit_t;

static tw_record_t *next_record(emit_t *e, const tw_datum_t *key)
{
    tw_record_t *r = &e->records[e->n++];

    memset(r, 0, sizeof(*r));
    r->topic = e->b->topic;
    r->partition = TW_PARTITION_ANY;
    r->timestamp_ms = e->commit_ms; /* as for outbox records: the same on every replay */
    r->key_schema = e->b->key_schema;
    r->key = *key;
    return r;
}

/* Debezium's transaction block: the transaction's id as Debezium forms
 * it for PostgreSQL — the xid and the LSN of the event at hand, so ids
 * differ within a transaction — then this event's place among the
 * transaction's events and among its collection's, from 1. It counts the
 * event (collection: its table; NULL: a transactional message, a
 * collection of its own) in the connector's counts, which also hold the
 * transaction's rows of tables other transforms take, as Debezium counts
 * every event before its transforms. Tombstones are not events; the two
 * records of a key change are two. */
static tw_datum_t transaction_block(envelope_t *env, const tw_txn_t *txn, tw_lsn_t lsn,
                                    const char *collection, tw_arena_t *arena)
{
    tw_datum_t d = {NULL, NULL, NULL};
    tw_datum_t *f;
    int64_t total, order = 1;
    char *id, *p;

    if (env->txnmeta == NULL || txn == NULL)
        return d;
    if (collection)
        tw_txn_metadata_count(env->txnmeta, collection, &total, &order);
    else
        tw_txn_metadata_count_message(env->txnmeta, lsn, &total);
    f = tw_arena_alloc(arena, 3 * sizeof(*f));
    id = tw_arena_alloc(arena, 40);
    p = id + tw_decimal_u64(id, txn->xid, 1);
    *p++ = ':';
    p[tw_decimal_u64(p, lsn, 1)] = '\0';
    f[0] = tw_envelope_text(arena, id);
    f[1] = tw_envelope_int(arena, total);
    f[2] = tw_envelope_int(arena, order);
    d.fields = f;
    return d;
}

static void add_event(emit_t *e, char op, const tw_datum_t *key, const tw_datum_t *before,
                      const tw_datum_t *after)
{
    tw_record_t *r = next_record(e, key);
    tw_datum_t *f = tw_arena_alloc(e->arena, ENV_NFIELDS * sizeof(*f));
    char ops[2] = {op, '\0'};

    f[ENV_BEFORE] = before ? *before : tw_envelope_null();
    f[ENV_AFTER] = after ? *after : tw_envelope_null();
    if (e->b->value_cols && before)
        f[ENV_BEFORE] = shaped_row(e->b, e->rel, before, e->arena);
    if (e->b->value_cols && after)
        f[ENV_AFTER] = shaped_row(e->b, e->rel, after, e->arena);
    f[ENV_SOURCE] = e->source;
    f[ENV_TRANSACTION] =
        transaction_block(e->b->env, e->txn, e->change_lsn, e->b->collection, e->arena);
    f[ENV_OP] = tw_envelope_text(e->arena, ops);
    f[ENV_TS_MS] = tw_envelope_int(e->arena, e->now_us / 1000);
    f[ENV_TS_US] = tw_envelope_int(e->arena, e->now_us);
    f[ENV_TS_NS] = tw_envelope_int(e->arena, e->now_us * 1000);
    r->value_schema = e->b->envelope_schema;
    r->value.fields = f;
}

static void add_header(emit_t *e, const char *name, const char *json)
{
    tw_record_t *r = &e->records[e->n - 1];
    tw_header_t *h = tw_arena_alloc(e->arena, sizeof(*h));

    h->name = name;
    h->value = json;
    h->len = strlen(json);
    r->headers = h;
    r->nheaders = 1;
}

static void add_tombstone(emit_t *e, const tw_datum_t *key)
{
    if (e->b->env->cfg->tombstones_on_delete)
        next_record(e, key); /* value_schema NULL: a tombstone (a null key too without one) */
}

static int64_t now_micros(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A logical decoding message: its record's timestamp is the commit time
 * (the same on every replay), or the time it is read when it has none. A
 * transactional one gets a transaction block, as change events do; Debezium
 * counts each message as a collection of its own (txn_metadata.h), so its
 * data_collection_order is 1. */
static tw_err_t message_event(envelope_t *env, const tw_txn_t *txn, const tw_change_t *change,
                              tw_arena_t *arena, tw_transform_out_t *out)
{
    int64_t now_us = now_micros();
    tw_datum_t source = source_datum(env, "", "", txn, change, now_us, arena);
    tw_datum_t block = transaction_block(env, txn, change->lsn, NULL, arena);

    out->records = tw_arena_alloc(arena, sizeof(tw_record_t));
    out->nrecords = 1;
    tw_envelope_message_make(env->messages, change, source, block, now_us,
                             (txn ? txn->commit_ts : now_us) / 1000, arena, out->records);
    return TW_OK;
}

static tw_err_t envelope_apply(void *state, void *binding, const tw_txn_t *txn,
                               const tw_change_t *change, tw_arena_t *arena,
                               tw_transform_out_t *out, char *errstr, size_t errstr_size)
{
    envelope_t *env = state;
    env_binding_t *b = binding;
    const tw_rel_t *rel = change->rel;
    tw_datum_t before, after, key, old_key;
    bool has_before = false;
    emit_t e;
    tw_err_t err = TW_OK;

    if (change->op == TW_CHANGE_MESSAGE)
        return message_event(env, txn, change, arena, out);
    if (tw_transform_envelope_skips(env, change))
        return TW_OK;
    memset(&e, 0, sizeof(e));
    e.b = b;
    e.txn = txn;
    e.rel = rel;
    e.change_lsn = change->lsn;
    e.arena = arena;
    e.now_us = now_micros();
    e.commit_ms = txn ? txn->commit_ts / 1000 : e.now_us / 1000;
    e.records = tw_arena_alloc(arena, 4 * sizeof(tw_record_t));
    e.source = source_datum(env, rel->nspname, rel->relname, txn, change, e.now_us, arena);
    if (change->old_tuple) {
        /* The whole old row (FULL), or the identity's columns with the
         * rest null (DEFAULT, INDEX). */
        err = tw_envelope_row(b->row_schema, env->cfg->unavailable_value_placeholder, rel,
                              change->old_tuple, NULL, arena, &before, errstr, errstr_size);
        if (err == TW_OK)
            err = unknown_values(b, rel, &before, arena, errstr, errstr_size);
        has_before = err == TW_OK;
    }
    if (err == TW_OK && change->new_tuple)
        err = tw_envelope_row(b->row_schema, env->cfg->unavailable_value_placeholder, rel,
                              change->new_tuple,
                              change->old_kind == 'O' ? change->old_tuple : NULL, arena, &after,
                              errstr, errstr_size);
    if (err == TW_OK && change->new_tuple)
        err = unknown_values(b, rel, &after, arena, errstr, errstr_size);
    if (err)
        return err;
    switch (change->op) {
    case TW_CHANGE_INSERT:
        key = key_datum(b, &after, arena);
        add_event(&e, 'c', &key, NULL, &after);
        break;
    case TW_CHANGE_UPDATE:
        key = key_datum(b, &after, arena);
        if (has_before && b->key_schema && key_changed(b, &before, &after)) {
            /* A new key is a new row to a keyed consumer. */
            /* Each says where the row went or came from, as Debezium's headers do. */
            const char *new_json = tw_envelope_key_json(b->key_schema, &key, arena), *old_json;
            old_key = key_datum(b, &before, arena);
            old_json = tw_envelope_key_json(b->key_schema, &old_key, arena);
            add_event(&e, 'd', &old_key, &before, NULL);
            add_header(&e, "__debezium.newkey", new_json);
            if (env->cfg->tombstones_on_delete) {
                add_tombstone(&e, &old_key);
                add_header(&e, "__debezium.newkey", new_json);
            }
            add_event(&e, 'c', &key, NULL, &after);
            add_header(&e, "__debezium.oldkey", old_json);
        } else {
            add_event(&e, 'u', &key, has_before ? &before : NULL, &after);
        }
        break;
    case TW_CHANGE_DELETE:
        key = key_datum(b, has_before ? &before : NULL, arena);
        add_event(&e, 'd', &key, has_before ? &before : NULL, NULL);
        add_tombstone(&e, &key);
        break;
    case TW_CHANGE_TRUNCATE:
        key = tw_envelope_null();
        e.b = b;
        add_event(&e, 't', &key, NULL, NULL);
        e.records[e.n - 1].key_schema = NULL;
        break;
    default:
        return tw_errf(TW_ERR_STATE, errstr, errstr_size, "unexpected change kind '%c'",
                       (char)change->op);
    }
    out->records = e.records;
    out->nrecords = e.n;
    return TW_OK;
}

const tw_transform_ops_t tw_transform_envelope_ops = {
    .type = "io.debezium.connector.postgresql.PostgresConnector",
    .create = envelope_create,
    .destroy = envelope_destroy,
    .bind = envelope_bind,
    .unbind = envelope_unbind,
    .takes_message = envelope_takes_message,
    .apply = envelope_apply,
};
