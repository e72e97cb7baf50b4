/*
 * catalog.h — what pgoutput does not say about a relation but Debezium's
 * schemas need: which columns are NOT NULL (required vs optional fields),
 * and which base type a domain column's values have.
 * Read over the normal (non-replication) connection when a relation's
 * schema version is first seen.
 */
#ifndef TW_CATALOG_H
#define TW_CATALOG_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "util/common.h"
#include "pg/relcache.h"

/* Fills not_null[i] for each of rel's columns (by name). Columns the
 * catalog no longer has (dropped since) are treated as nullable. conn may
 * be NULL: then every column is nullable. */
tw_err_t tw_catalog_not_null(PGconn *conn, const tw_rel_t *rel, bool *not_null, char *errstr,
                             size_t errstr_size);

/* Sets value_oid/value_typmod of rel's domain columns to the domain's base
 * type (through domains over domains), so their values read as that type,
 * and of enum columns to text (the label, in both formats).
 * Arrays of a domain are left alone: their binary form names the domain as
 * the element type. Only columns of user-defined types (OID >= 16384) are
 * looked up; conn may be NULL (nothing is resolved). Then sets every
 * column's pg_type facts (type_known, typtype, elem_oid, type_name). */
tw_err_t tw_catalog_domain_bases(PGconn *conn, tw_rel_t *rel, char *errstr, size_t errstr_size);
/* Also sets enum_labels of enum columns (above), and here default_expr of
 * every column with a DEFAULT; conn may be NULL. */
tw_err_t tw_catalog_defaults(PGconn *conn, tw_rel_t *rel, char *errstr, size_t errstr_size);

/* rel's primary-key columns as indexes into rel->cols, in key order (not
 * column order): cols gets up to rel->ncols entries, *n how many. None
 * for a table without a primary key. */
tw_err_t tw_catalog_primary_key(PGconn *conn, const tw_rel_t *rel, int *cols, size_t *n,
                                char *errstr, size_t errstr_size);

/* pg_type.typname of a type (malloc'd), or NULL if the catalog does not
 * answer. */
char *tw_catalog_type_name(PGconn *conn, uint32_t oid);

/* Calls fn for every table the connector could capture (ordinary and
 * partitioned tables, not partitions, no system schemas), whether or not
 * the publication holds it yet, in name order. */
typedef tw_err_t (*tw_catalog_table_fn)(void *opaque, const char *nspname, const char *relname,
                                        char *errstr, size_t errstr_size);
tw_err_t tw_catalog_each_table(PGconn *conn, tw_catalog_table_fn fn, void *opaque, char *errstr,
                               size_t errstr_size);

/* A table's columns as the change feed will describe them (domains as
 * their base types), and each column's NOT NULL, read from the catalog.
 * Free both with tw_catalog_rel_free. */
tw_err_t tw_catalog_describe(PGconn *conn, const char *nspname, const char *relname,
                             tw_rel_t **rel, bool **not_null, char *errstr, size_t errstr_size);
void tw_catalog_rel_free(tw_rel_t *rel, bool *not_null); /* accepts NULL */

/* Narrows a tw_catalog_describe result to the columns publication
 * `pubname` publishes of the table (PostgreSQL 15 column lists), as its
 * Relation messages will describe it; the names left out are appended to
 * left_out (comma-separated). Nothing changes without a column list. */
struct tw_buf;
tw_err_t tw_catalog_publication_columns(PGconn *conn, const char *pubname, tw_rel_t *rel,
                                        bool *not_null, struct tw_buf *left_out, char *errstr,
                                        size_t errstr_size);

#endif /* TW_CATALOG_H */
