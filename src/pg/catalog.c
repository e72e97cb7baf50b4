/*
 * catalog.c — pg_class, pg_attribute and pg_type lookups.
 */
#include "pg/catalog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* PostgreSQL's FirstNormalObjectId: built-in types are below it. */
#define FIRST_USER_OID 16384

/* One catalog query; NULL when it fails, with errstr "<what>: <the
 * server's message>". */
static PGresult *query(PGconn *conn, const char *sql, int nparams, const char *const *params,
                       char *errstr, size_t errstr_size, const char *what_fmt, ...)
    __attribute__((format(printf, 7, 8)));

static PGresult *query(PGconn *conn, const char *sql, int nparams, const char *const *params,
                       char *errstr, size_t errstr_size, const char *what_fmt, ...)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    char what[512];
    va_list ap;

    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        return res;
    PQclear(res);
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof(what), what_fmt, ap);
    va_end(ap);
    tw_errf(TW_ERR_PG, errstr, errstr_size, "%s: %s", what, PQerrorMessage(conn));
    return NULL;
}

tw_err_t tw_catalog_not_null(PGconn *conn, const tw_rel_t *rel, bool *not_null, char *errstr,
                             size_t errstr_size)
{
    char relid[16];
    const char *params[1] = {relid};
    PGresult *res;
    int row;
    uint16_t i;

    for (i = 0; i < rel->ncols; i++)
        not_null[i] = false;
    if (conn == NULL)
        return TW_OK;
    snprintf(relid, sizeof(relid), "%u", rel->relid);
    res = query(conn,
                "SELECT attname, attnotnull FROM pg_attribute "
                "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped",
                1, params, errstr, errstr_size, "reading columns of %s.%s", rel->nspname,
                rel->relname);
    if (res == NULL)
        return TW_ERR_PG;
    for (row = 0; row < PQntuples(res); row++) {
        int col = tw_rel_col_index(rel, PQgetvalue(res, row, 0));
        if (col >= 0)
            not_null[col] = strcmp(PQgetvalue(res, row, 1), "t") == 0;
    }
    PQclear(res);
    return TW_OK;
}

static tw_err_t resolve_domains(PGconn *conn, tw_rel_t *rel, char *errstr, size_t errstr_size)
{
    tw_buf_t oids = TW_BUF_INIT;
    const char *params[1];
    PGresult *res = NULL;
    tw_err_t err = TW_OK;
    int row;
    uint16_t i;

    if (conn == NULL)
        return TW_OK;
    tw_buf_append_char(&oids, '{');
    for (i = 0; i < rel->ncols; i++) {
        if (rel->cols[i].type_oid >= FIRST_USER_OID)
            tw_buf_printf(&oids, "%s%u", oids.len > 1 ? "," : "", rel->cols[i].type_oid);
    }
    if (oids.len == 1)
        goto cleanup;
    tw_buf_append_char(&oids, '}');
    params[0] = oids.data;
    /* Walks each domain down to its base; the typmod is the one of the
     * domain nearest the column that has one, as for getBaseTypeAndTypmod.
     * An enum (or a domain over one) reads as text: enum_out and enum_send
     * both give the label, so both pgoutput modes agree. */
    res = query(conn,
                "WITH RECURSIVE chain(start, base, typmod) AS ("
                " SELECT oid, oid, -1 FROM pg_type"
                " WHERE oid = ANY($1::oid[]) AND typtype IN ('d', 'e')"
                " UNION ALL"
                " SELECT c.start, t.typbasetype,"
                " CASE WHEN c.typmod >= 0 THEN c.typmod ELSE t.typtypmod END"
                " FROM chain c JOIN pg_type t ON t.oid = c.base WHERE t.typtype = 'd')"
                " SELECT c.start, CASE WHEN t.typtype = 'e' THEN 25 ELSE c.base END,"
                " c.typmod, CASE WHEN t.typtype = 'e' THEN (SELECT string_agg(enumlabel,"
                " ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid) END"
                " FROM chain c"
                " JOIN pg_type t ON t.oid = c.base WHERE t.typtype <> 'd'",
                1, params, errstr, errstr_size,
                "resolving the domain and enum column types of %s.%s", rel->nspname,
                rel->relname);
    if (res == NULL)
        err = TW_ERR_PG;
    for (row = 0; row < PQntuples(res); row++) { /* none when res is NULL */
        uint32_t domain = (uint32_t)strtoul(PQgetvalue(res, row, 0), NULL, 10);
        for (i = 0; i < rel->ncols; i++) {
            if (rel->cols[i].type_oid != domain)
                continue;
            rel->cols[i].value_oid = (uint32_t)strtoul(PQgetvalue(res, row, 1), NULL, 10);
            rel->cols[i].value_typmod = (int32_t)strtol(PQgetvalue(res, row, 2), NULL, 10);
            free(rel->cols[i].enum_labels);
            rel->cols[i].enum_labels =
                PQgetisnull(res, row, 3) ? NULL : tw_strdup(PQgetvalue(res, row, 3));
        }
    }

cleanup:
    PQclear(res);
    tw_buf_free(&oids);
    return err;
}

/* pg_type's facts of each column's value type (after resolve_domains):
 * one round trip per relation, when it is first seen or changes. */
static tw_err_t type_facts(PGconn *conn, tw_rel_t *rel, char *errstr, size_t errstr_size)
{
    tw_buf_t oids = TW_BUF_INIT;
    const char *params[1];
    PGresult *res;
    tw_err_t err = TW_OK;
    uint32_t oid;
    int row;
    uint16_t i;

    tw_buf_append_char(&oids, '{');
    for (i = 0; i < rel->ncols; i++)
        tw_buf_printf(&oids, "%s%u", i ? "," : "", rel->cols[i].value_oid);
    tw_buf_append_char(&oids, '}');
    params[0] = oids.data;
    res = query(conn,
                "SELECT t.oid, t.typname, t.typtype,"
                " CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE 0 END, e.typtype"
                " FROM pg_type t LEFT JOIN pg_type e"
                " ON e.oid = t.typelem AND t.typcategory = 'A'"
                " WHERE t.oid = ANY($1::oid[])",
                1, params, errstr, errstr_size, "reading the column types of %s.%s",
                rel->nspname, rel->relname);
    if (res == NULL)
        err = TW_ERR_PG;
    for (row = 0; row < PQntuples(res); row++) { /* none when res is NULL */
        oid = (uint32_t)strtoul(PQgetvalue(res, row, 0), NULL, 10);
        for (i = 0; i < rel->ncols; i++) {
            tw_rel_col_t *col = &rel->cols[i];
            if (col->value_oid != oid)
                continue;
            free(col->type_name);
            col->type_name = tw_strdup(PQgetvalue(res, row, 1));
            col->typtype = PQgetvalue(res, row, 2)[0];
            col->elem_oid = (uint32_t)strtoul(PQgetvalue(res, row, 3), NULL, 10);
            col->elem_typtype = PQgetisnull(res, row, 4) ? 0 : PQgetvalue(res, row, 4)[0];
            col->type_known = true;
        }
    }
    PQclear(res);
    tw_buf_free(&oids);
    return err;
}

tw_err_t tw_catalog_domain_bases(PGconn *conn, tw_rel_t *rel, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    if (conn == NULL)
        return TW_OK;
    err = resolve_domains(conn, rel, errstr, errstr_size);
    return err ? err : type_facts(conn, rel, errstr, errstr_size);
}

tw_err_t tw_catalog_defaults(PGconn *conn, tw_rel_t *rel, char *errstr, size_t errstr_size)
{
    char relid[16];
    const char *params[1] = {relid};
    PGresult *res;
    int row, col;

    if (conn == NULL)
        return TW_OK;
    snprintf(relid, sizeof(relid), "%u", rel->relid);
    res = query(conn,
                "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d "
                "JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                "WHERE d.adrelid = $1::oid AND NOT a.attisdropped",
                1, params, errstr, errstr_size, "reading column defaults of %s.%s",
                rel->nspname, rel->relname);
    if (res == NULL)
        return TW_ERR_PG;
    for (row = 0; row < PQntuples(res); row++) {
        col = tw_rel_col_index(rel, PQgetvalue(res, row, 0));
        if (col < 0)
            continue;
        free(rel->cols[col].default_expr);
        rel->cols[col].default_expr = tw_strdup(PQgetvalue(res, row, 1));
    }
    PQclear(res);
    return TW_OK;
}

tw_err_t tw_catalog_each_table(PGconn *conn, tw_catalog_table_fn fn, void *opaque, char *errstr,
                               size_t errstr_size)
{
    PGresult *res = query(conn, "SELECT n.nspname, c.relname FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
                                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                                "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2",
                          0, NULL, errstr, errstr_size, "listing tables");
    tw_err_t err = res ? TW_OK : TW_ERR_PG;
    int i;

    for (i = 0; err == TW_OK && i < PQntuples(res); i++)
        err = fn(opaque, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), errstr, errstr_size);
    PQclear(res);
    return err;
}

tw_err_t tw_catalog_describe(PGconn *conn, const char *nspname, const char *relname,
                             tw_rel_t **out, bool **not_null_out, char *errstr,
                             size_t errstr_size)
{
    const char *params[2] = {nspname, relname};
    tw_rel_t *rel;
    bool *not_null;
    PGresult *res;
    tw_err_t err;
    int i, n;

    *out = NULL;
    *not_null_out = NULL;
    res = query(conn,
                "SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull "
                "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 "
                "AND NOT a.attisdropped ORDER BY a.attnum",
                2, params, errstr, errstr_size, "reading columns of %s.%s", nspname,
                relname);
    if (res == NULL)
        return TW_ERR_PG;
    n = PQntuples(res);
    rel = tw_calloc(1, sizeof(*rel));
    rel->relid = 1;
    rel->nspname = tw_strdup(nspname);
    rel->relname = tw_strdup(relname);
    rel->replident = 'd';
    rel->ncols = (uint16_t)n;
    rel->cols = tw_calloc(n ? (size_t)n : 1, sizeof(*rel->cols));
    rel->schema_version = 1;
    not_null = tw_calloc(n ? (size_t)n : 1, sizeof(bool));
    for (i = 0; i < n; i++) {
        tw_rel_col_t *col = &rel->cols[i];
        col->name = tw_strdup(PQgetvalue(res, i, 0));
        col->type_oid = (uint32_t)strtoul(PQgetvalue(res, i, 1), NULL, 10);
        col->typmod = atoi(PQgetvalue(res, i, 2));
        col->value_oid = col->type_oid;
        col->value_typmod = col->typmod;
        not_null[i] = strcmp(PQgetvalue(res, i, 3), "t") == 0;
    }
    PQclear(res);
    err = tw_catalog_domain_bases(conn, rel, errstr, errstr_size);
    if (err) {
        tw_catalog_rel_free(rel, not_null);
        return err;
    }
    *out = rel;
    *not_null_out = not_null;
    return TW_OK;
}

tw_err_t tw_catalog_publication_columns(PGconn *conn, const char *pubname, tw_rel_t *rel,
                                        bool *not_null, tw_buf_t *left_out, char *errstr,
                                        size_t errstr_size)
{
    const char *params[3] = {pubname, rel->nspname, rel->relname};
    PGresult *res;
    uint16_t i, kept = 0;
    int row;
    bool listed;

    /* Column lists (pg_publication_rel.prattrs) exist from PostgreSQL 15. */
    if (conn == NULL || PQserverVersion(conn) < 150000)
        return TW_OK;
    res = query(conn,
                "SELECT a.attname FROM pg_publication_rel pr "
                "JOIN pg_publication p ON p.oid = pr.prpubid "
                "JOIN pg_class c ON c.oid = pr.prrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (pr.prattrs) "
                "WHERE p.pubname = $1 AND n.nspname = $2 AND c.relname = $3 "
                "AND pr.prattrs IS NOT NULL",
                3, params, errstr, errstr_size,
                "reading publication \"%s\"'s column list for %s.%s", pubname,
                rel->nspname, rel->relname);
    if (res == NULL)
        return TW_ERR_PG;
    if (PQntuples(res) == 0) { /* no column list: every column */
        PQclear(res);
        return TW_OK;
    }
    for (i = 0; i < rel->ncols; i++) {
        listed = false;
        for (row = 0; row < PQntuples(res) && !listed; row++)
            listed = strcmp(PQgetvalue(res, row, 0), rel->cols[i].name) == 0;
        if (!listed) {
            tw_buf_printf(left_out, "%s%s", left_out->len ? ", " : "", rel->cols[i].name);
            free(rel->cols[i].name);
            free(rel->cols[i].enum_labels);
            free(rel->cols[i].default_expr);
            free(rel->cols[i].type_name);
            continue;
        }
        rel->cols[kept] = rel->cols[i];
        not_null[kept++] = not_null[i];
    }
    rel->ncols = kept;
    PQclear(res);
    return TW_OK;
}

void tw_catalog_rel_free(tw_rel_t *rel, bool *not_null)
{
    uint16_t i;

    free(not_null);
    if (rel == NULL)
        return;
    for (i = 0; i < rel->ncols; i++) {
        free(rel->cols[i].name);
        free(rel->cols[i].enum_labels);
        free(rel->cols[i].default_expr);
        free(rel->cols[i].type_name);
    }
    free(rel->cols);
    free(rel->nspname);
    free(rel->relname);
    free(rel);
}

tw_err_t tw_catalog_primary_key(PGconn *conn, const tw_rel_t *rel, int *cols, size_t *n,
                                char *errstr, size_t errstr_size)
{
    char relid[16];
    const char *params[1] = {relid};
    PGresult *res;
    int row, col;

    *n = 0;
    snprintf(relid, sizeof(relid), "%u", rel->relid);
    res = query(conn,
                "SELECT a.attname FROM pg_index i "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY (i.indkey) "
                "WHERE i.indrelid = $1::oid AND i.indisprimary "
                "ORDER BY array_position(i.indkey::int2[], a.attnum)",
                1, params, errstr, errstr_size, "reading the primary key of %s.%s",
                rel->nspname, rel->relname);
    if (res == NULL)
        return TW_ERR_PG;
    for (row = 0; row < PQntuples(res) && *n < rel->ncols; row++) {
        col = tw_rel_col_index(rel, PQgetvalue(res, row, 0));
        if (col >= 0)
            cols[(*n)++] = col;
    }
    PQclear(res);
    return TW_OK;
}

char *tw_catalog_type_name(PGconn *conn, uint32_t oid)
{
    char text[16];
    const char *params[1] = {text};
    PGresult *res;
    char *out = NULL;

    snprintf(text, sizeof(text), "%u", oid);
    res = PQexecParams(conn, "SELECT typname FROM pg_type WHERE oid = $1::oid", 1, NULL, params,
                       NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        out = tw_strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return out;
}
