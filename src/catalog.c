/*
 * catalog.c — pg_attribute lookups.
 */
#include "catalog.h"

#include <stdio.h>
#include <string.h>

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
    res = PQexecParams(conn,
                       "SELECT attname, attnotnull FROM pg_attribute "
                       "WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped",
                       1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        tw_errf(TW_ERR_PG, errstr, errstr_size, "reading columns of %s.%s: %s", rel->nspname,
                rel->relname, PQerrorMessage(conn));
        PQclear(res);
        return TW_ERR_PG;
    }
    for (row = 0; row < PQntuples(res); row++) {
        int col = tw_rel_col_index(rel, PQgetvalue(res, row, 0));
        if (col >= 0)
            not_null[col] = strcmp(PQgetvalue(res, row, 1), "t") == 0;
    }
    PQclear(res);
    return TW_OK;
}
