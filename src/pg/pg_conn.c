/*
 * pg_conn.c — connecting to PostgreSQL, translating its refusals into
 * actionable messages, and preparing the publication and slot.
 */
#include "pg/pg_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "config/filter.h"
#include "util/log.h"

void tw_pg_describe(const tw_config_t *cfg, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s:%d/%s as %s", cfg->db_hostname, cfg->db_port, cfg->db_dbname,
             cfg->db_user);
}

/* libpq ends messages with a newline; trim it so they fit in one log line. */
static void trim_message(char *msg)
{
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
}

/* Turns a libpq connection failure into a sentence with the fix. */
static tw_err_t explain_connect_failure(const tw_config_t *cfg, bool replication,
                                        const char *libpq_msg, char *errstr,
                                        size_t errstr_size)
{
    char where[512], detail[1024];
    const char *hint;

    tw_pg_describe(cfg, where, sizeof(where));
    snprintf(detail, sizeof(detail), "%s", libpq_msg ? libpq_msg : "unknown error");
    trim_message(detail);

    if (strstr(detail, "password authentication failed") ||
        strstr(detail, "no password supplied") || strstr(detail, "fe_sendauth"))
        hint = "PostgreSQL rejected the credentials: check database.user and "
               "database.password";
    else if (strstr(detail, "must be superuser or replication role") ||
             strstr(detail, "permission denied to start WAL sender") ||
             strstr(detail, "must have the REPLICATION attribute"))
        hint = "the user lacks the REPLICATION attribute: run ALTER ROLE <user> WITH "
               "REPLICATION as a superuser";
    else if (strstr(detail, "no pg_hba.conf entry for replication"))
        hint = "pg_hba.conf does not allow replication connections for this user and "
               "address: add a line like `host replication <user> <address>/32 scram-sha-256` "
               "and reload PostgreSQL";
    else if (strstr(detail, "no pg_hba.conf entry"))
        hint = "pg_hba.conf does not allow this user and address: add an entry and reload "
               "PostgreSQL";
    else if (strstr(detail, "does not exist") && strstr(detail, "database"))
        hint = "the database does not exist: check database.dbname";
    else if (strstr(detail, "does not exist") && strstr(detail, "role"))
        hint = "the user does not exist: check database.user";
    else if (strstr(detail, "Connection refused") || strstr(detail, "could not translate") ||
             strstr(detail, "timeout expired") || strstr(detail, "No route to host") ||
             strstr(detail, "Network is unreachable") || strstr(detail, "No such file"))
        hint = "cannot reach PostgreSQL: check database.hostname and database.port, and that "
               "the server is running and listening there";
    else if (strstr(detail, "SSL") || strstr(detail, "certificate"))
        hint = "the TLS handshake failed: check database.sslmode, database.sslrootcert, "
               "database.sslcert and database.sslkey";
    else if (strstr(detail, "too many connections") || strstr(detail, "number of requested "
                                                                      "standby connections"))
        hint = "the server has no free connection or WAL sender slot: raise max_connections "
               "or max_wal_senders";
    else
        hint = "connection failed";
    return tw_errf(TW_ERR_PG, errstr, errstr_size, "%s%s (%s): %s", hint,
                   replication ? " [replication connection]" : "", where, detail);
}

/* One entry of a libpq host list (a,b,...) that never leaves the machine. */
static bool host_is_local(const char *host, size_t len)
{
    static const char *const local[] = {"localhost", "127.0.0.1", "::1"};
    size_t i;

    if (len == 0 || host[0] == '/' || host[0] == '@')
        return true; /* libpq's default or a Unix socket directory */
    for (i = 0; i < TW_ARRAY_SIZE(local); i++)
        if (strlen(local[i]) == len && strncmp(host, local[i], len) == 0)
            return true;
    return false;
}

bool tw_pg_tls_unverified(const tw_config_t *cfg, char *why, size_t why_size)
{
    const char *mode = cfg->db_sslmode ? cfg->db_sslmode : "prefer";
    const char *host = cfg->db_hostname ? cfg->db_hostname : "", *comma;
    bool remote = false;

    if (strncmp(mode, "verify-", 7) == 0)
        return false;
    for (;;) {
        comma = strchr(host, ',');
        if (!host_is_local(host, comma ? (size_t)(comma - host) : strlen(host)))
            remote = true;
        if (comma == NULL)
            break;
        host = comma + 1;
    }
    if (!remote)
        return false;
    snprintf(why, why_size,
             "database.sslmode=%s does not verify the PostgreSQL server's certificate%s, so "
             "the password and the change stream to %s can be read or altered on the way: "
             "set database.sslmode=verify-full (with database.sslrootcert)",
             mode,
             strcmp(mode, "require") == 0 ? "" : " and falls back to unencrypted connections",
             cfg->db_hostname);
    return true;
}

tw_err_t tw_pg_connect(const tw_config_t *cfg, bool replication, PGconn **conn, char *errstr,
                       size_t errstr_size)
{
    const char *keys[24], *values[24];
    char port[16], timeout[16];
    int n = 0;
    tw_err_t err;

#define ADD(k, v)                                                                              \
    do {                                                                                       \
        if ((v) != NULL && (v)[0] != '\0') {                                                   \
            keys[n] = (k);                                                                     \
            values[n] = (v);                                                                   \
            n++;                                                                               \
        }                                                                                      \
    } while (0)

    snprintf(port, sizeof(port), "%d", cfg->db_port);
    /* libpq counts whole seconds, and treats 1 as 2; round up. */
    snprintf(timeout, sizeof(timeout), "%d", TW_MAX((cfg->db_connect_timeout_ms + 999) / 1000, 2));
    ADD("host", cfg->db_hostname);
    ADD("port", port);
    ADD("user", cfg->db_user);
    ADD("password", cfg->db_password);
    ADD("dbname", cfg->db_dbname);
    ADD("sslmode", cfg->db_sslmode);
    ADD("sslrootcert", cfg->db_sslrootcert);
    ADD("sslcert", cfg->db_sslcert);
    ADD("sslkey", cfg->db_sslkey);
    ADD("sslpassword", cfg->db_sslpassword);
    ADD("connect_timeout", timeout);
    ADD("keepalives", cfg->db_tcp_keepalive ? "1" : "0");
    ADD("application_name", cfg->name);
    ADD("options", TW_PG_SESSION_OPTIONS);
    if (replication)
        ADD("replication", "database");
    keys[n] = NULL;
    values[n] = NULL;
#undef ADD

    *conn = PQconnectdbParams(keys, values, 0);
    if (*conn == NULL)
        return tw_errf(TW_ERR_NOMEM, errstr, errstr_size, "libpq could not allocate a connection");
    if (PQstatus(*conn) != CONNECTION_OK) {
        err = explain_connect_failure(cfg, replication, PQerrorMessage(*conn), errstr,
                                      errstr_size);
        PQfinish(*conn);
        *conn = NULL;
        return err;
    }
    return TW_OK;
}

int tw_pg_proto_version(int server_version)
{
    if (server_version >= 160000)
        return 4;
    if (server_version >= 150000)
        return 3;
    if (server_version >= 140000)
        return 2;
    return 1;
}

/* Runs a query with text parameters; returns the result if its status is
 * `expect`, else NULL with errstr filled ("<what>: <server message>"). */
static PGresult *run(PGconn *conn, ExecStatusType expect, const char *what, const char *sql,
                     int nparams, const char *const *params, char *errstr, size_t errstr_size)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    char msg[1024];

    if (res && PQresultStatus(res) == expect)
        return res;
    snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
    trim_message(msg);
    tw_errf(TW_ERR_PG, errstr, errstr_size, "%s: %s", what, msg);
    PQclear(res);
    return NULL;
}

/* The same for a replication connection, which speaks only the simple
 * query protocol. */
static PGresult *run_repl(PGconn *repl, const char *what, const char *command, char *errstr,
                          size_t errstr_size)
{
    PGresult *res = PQexec(repl, command);
    char msg[1024];

    if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
        return res;
    snprintf(msg, sizeof(msg), "%s", PQerrorMessage(repl));
    trim_message(msg);
    tw_errf(TW_ERR_PG, errstr, errstr_size, "%s: %s", what, msg);
    PQclear(res);
    return NULL;
}

tw_err_t tw_pg_check_wal_level(PGconn *conn, char *errstr, size_t errstr_size)
{
    PGresult *res = run(conn, PGRES_TUPLES_OK, "reading wal_level", "SHOW wal_level", 0, NULL,
                        errstr, errstr_size);
    tw_err_t err = TW_OK;

    if (res == NULL)
        return TW_ERR_PG;
    if (strcmp(PQgetvalue(res, 0, 0), "logical") != 0)
        err = tw_errf(TW_ERR_PG, errstr, errstr_size,
                      "PostgreSQL runs with wal_level=%s, but logical decoding needs "
                      "wal_level=logical: run ALTER SYSTEM SET wal_level = logical (or set it in "
                      "postgresql.conf) and restart PostgreSQL",
                      PQgetvalue(res, 0, 0));
    PQclear(res);
    return err;
}

tw_err_t tw_pg_check_replication_privilege(PGconn *conn, const char *user, char *errstr,
                                           size_t errstr_size)
{
    PGresult *res = run(conn, PGRES_TUPLES_OK, "reading the role's attributes",
                        "SELECT rolreplication OR rolsuper FROM pg_roles "
                        "WHERE rolname = current_user",
                        0, NULL, errstr, errstr_size);
    tw_err_t err = TW_OK;

    if (res == NULL)
        return TW_ERR_PG;
    if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0)
        err = tw_errf(TW_ERR_PG, errstr, errstr_size,
                      "user \"%s\" lacks the REPLICATION attribute needed to read a replication "
                      "slot: run ALTER ROLE \"%s\" WITH REPLICATION as a superuser",
                      user, user);
    PQclear(res);
    return err;
}

/* Appends the publication's table list ("a"."b", "c"."d") for DDL.
 * `kept` (or NULL) holds, per table already in the publication, its column
 * list and row filter as DDL (" (a, b) WHERE (x > 0)"), so that changing
 * the table set does not drop what a user narrowed. */
static void append_table_list(PGconn *conn, tw_buf_t *sql, char **tables, size_t n,
                              PGresult *kept)
{
    size_t i;
    int row;

    for (i = 0; i < n; i++) {
        /* tables[i] is "schema<TAB>table" so names with dots stay intact. */
        char *tab = strchr(tables[i], '\t');
        size_t nsplen = (size_t)(tab - tables[i]);
        char *nsp = PQescapeIdentifier(conn, tables[i], nsplen);
        char *rel = PQescapeIdentifier(conn, tab + 1, strlen(tab + 1));
        tw_buf_printf(sql, "%s%s.%s", i ? ", " : "", nsp, rel);
        for (row = 0; kept && row < PQntuples(kept); row++) {
            const char *knsp = PQgetvalue(kept, row, 0);
            if (strlen(knsp) == nsplen && strncmp(knsp, tables[i], nsplen) == 0 &&
                strcmp(PQgetvalue(kept, row, 1), tab + 1) == 0)
                tw_buf_append_str(sql, PQgetvalue(kept, row, 2));
        }
        PQfreemem(nsp);
        PQfreemem(rel);
    }
}

/* The column lists and row filters (PostgreSQL 15+) of the publication's
 * tables, as append_table_list takes them; NULL before 15 or on error
 * (errstr set only then). */
static PGresult *narrowed_tables(PGconn *conn, const char *pubname, bool *failed, char *errstr,
                                 size_t errstr_size)
{
    const char *params[1] = {pubname};
    PGresult *res;

    *failed = false;
    if (PQserverVersion(conn) < 150000)
        return NULL;
    res = run(conn, PGRES_TUPLES_OK, "reading the publication's column lists and row filters",
              "SELECT n.nspname, c.relname,"
              " CASE WHEN pr.prattrs IS NULL THEN '' ELSE ' (' || (SELECT"
              " string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a"
              " WHERE a.attrelid = c.oid AND a.attnum = ANY (pr.prattrs)) || ')' END ||"
              " CASE WHEN pr.prqual IS NULL THEN '' ELSE"
              " ' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')' END"
              " FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid"
              " JOIN pg_class c ON c.oid = pr.prrelid"
              " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.pubname = $1",
              1, params, errstr, errstr_size);
    *failed = res == NULL;
    return res;
}

/* Tables matching table.include.list / table.exclude.list, as
 * "schema<TAB>table" strings sorted by name. */
static tw_err_t matching_tables(PGconn *conn, const tw_config_t *cfg, char ***tables_out,
                                size_t *n_out, char *errstr, size_t errstr_size)
{
    tw_filter_t *filter = NULL;
    PGresult *res = NULL;
    char **tables = NULL;
    size_t n = 0;
    int i;
    tw_err_t err;

    err = tw_filter_new(cfg->table_include_list, cfg->table_exclude_list, "table.include.list",
                        "table.exclude.list", &filter, errstr, errstr_size);
    if (err)
        return err;
    res = run(conn, PGRES_TUPLES_OK, "listing tables",
              "SELECT n.nspname, c.relname FROM pg_class c "
              "JOIN pg_namespace n ON n.oid = c.relnamespace "
              "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
              "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
              "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
              "ORDER BY 1, 2",
              0, NULL, errstr, errstr_size);
    if (res == NULL) {
        err = TW_ERR_PG;
        goto cleanup;
    }
    tables = tw_calloc((size_t)PQntuples(res) + 1, sizeof(char *));
    for (i = 0; i < PQntuples(res); i++) {
        tw_buf_t name = TW_BUF_INIT;
        tw_buf_printf(&name, "%s.%s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
        if (tw_filter_match(filter, name.data)) {
            tw_buf_reset(&name);
            tw_buf_printf(&name, "%s\t%s", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
            tables[n++] = name.data;
        } else {
            tw_buf_free(&name);
        }
    }
cleanup:
    PQclear(res);
    tw_filter_destroy(filter);
    *tables_out = tables;
    *n_out = n;
    return err;
}

static bool same_tables(PGresult *current, char **wanted, size_t n)
{
    size_t i;

    if ((size_t)PQntuples(current) != n)
        return false;
    for (i = 0; i < n; i++) {
        char *tab = strchr(wanted[i], '\t');
        size_t nsplen = (size_t)(tab - wanted[i]);
        const char *nsp = PQgetvalue(current, (int)i, 0);
        if (strlen(nsp) != nsplen || strncmp(nsp, wanted[i], nsplen) != 0 ||
            strcmp(PQgetvalue(current, (int)i, 1), tab + 1) != 0)
            return false;
    }
    return true;
}

/* publication.autocreate.mode=filtered: the publication must list exactly
 * the tables the include/exclude lists match; appends to sql the statement
 * that makes it so, if any. */
static tw_err_t filtered_publication(PGconn *conn, const tw_config_t *cfg, const char *pubident,
                                     bool exists, bool all_tables, tw_pg_setup_t *setup,
                                     tw_buf_t *sql, char *errstr, size_t errstr_size)
{
    const char *params[1] = {cfg->publication_name};
    PGresult *current = NULL;
    char **tables = NULL;
    size_t ntables = 0;
    tw_err_t err;

    if (exists && all_tables)
        return tw_errf(TW_ERR_PG, errstr, errstr_size,
                       "publication \"%s\" is FOR ALL TABLES, which "
                       "publication.autocreate.mode=filtered cannot narrow: drop it, name "
                       "another publication.name, or use all_tables",
                       cfg->publication_name);
    err = matching_tables(conn, cfg, &tables, &ntables, errstr, errstr_size);
    if (err)
        goto cleanup;
    if (ntables == 0) {
        err = tw_errf(TW_ERR_PG, errstr, errstr_size,
                      "publication.autocreate.mode=filtered, but no table matches "
                      "table.include.list=\"%s\"%s%s: check the patterns (they are "
                      "anchored regular expressions on schema.table)",
                      cfg->table_include_list ? cfg->table_include_list : "",
                      cfg->table_exclude_list ? " and table.exclude.list=" : "",
                      cfg->table_exclude_list ? cfg->table_exclude_list : "");
        goto cleanup;
    }
    if (!exists) {
        tw_buf_printf(sql, "CREATE PUBLICATION %s FOR TABLE ", pubident);
        append_table_list(conn, sql, tables, ntables, NULL);
        setup->publication_created = true;
    } else {
        current = run(conn, PGRES_TUPLES_OK, "listing the publication's tables",
                      "SELECT schemaname, tablename FROM pg_publication_tables "
                      "WHERE pubname = $1 ORDER BY 1, 2",
                      1, params, errstr, errstr_size);
        if (current == NULL) {
            err = TW_ERR_PG;
            goto cleanup;
        }
        if (!same_tables(current, tables, ntables)) {
            bool failed;
            PGresult *kept = narrowed_tables(conn, cfg->publication_name, &failed, errstr,
                                             errstr_size);
            if (failed) {
                err = TW_ERR_PG;
                goto cleanup;
            }
            tw_buf_printf(sql, "ALTER PUBLICATION %s SET TABLE ", pubident);
            append_table_list(conn, sql, tables, ntables, kept);
            PQclear(kept);
            setup->publication_altered = true;
        }
    }
    setup->publication_tables = (int)ntables;
cleanup:
    PQclear(current);
    tw_config_free_list(tables, ntables);
    return err;
}

/* Runs the CREATE or ALTER PUBLICATION statement prepare_publication built. */
static tw_err_t apply_publication_sql(PGconn *conn, const tw_config_t *cfg,
                                      const tw_pg_setup_t *setup, const char *sql, char *errstr,
                                      size_t errstr_size)
{
    PGresult *res = run(conn, PGRES_COMMAND_OK, "creating the publication", sql, 0, NULL,
                        errstr, errstr_size);

    if (res == NULL) {
        if (strstr(errstr, "must be superuser") || strstr(errstr, "permission denied"))
            tw_errf(TW_ERR_PG, errstr, errstr_size,
                    "cannot create or alter publication \"%s\": the user lacks the "
                    "privilege (FOR ALL TABLES needs a superuser, FOR TABLE needs table "
                    "ownership); create it as an administrator and set "
                    "publication.autocreate.mode=disabled, or use filtered mode with "
                    "owned tables. Server said: %s",
                    cfg->publication_name, PQerrorMessage(conn));
        return TW_ERR_PG;
    }
    PQclear(res);
    tw_log(TW_LOG_NOTICE, "PGREPL", "%s publication \"%s\"",
           setup->publication_altered ? "altered" : "created", cfg->publication_name);
    return TW_OK;
}

static tw_err_t prepare_publication(PGconn *conn, const tw_config_t *cfg, tw_pg_setup_t *setup,
                                    char *errstr, size_t errstr_size)
{
    const char *params[1] = {cfg->publication_name};
    char *pubident = PQescapeIdentifier(conn, cfg->publication_name,
                                        strlen(cfg->publication_name));
    PGresult *res;
    tw_buf_t sql = TW_BUF_INIT;
    bool exists, all_tables = false;
    tw_err_t err = TW_OK;

    res = run(conn, PGRES_TUPLES_OK, "looking up the publication",
              "SELECT puballtables FROM pg_publication WHERE pubname = $1", 1, params, errstr,
              errstr_size);
    if (res == NULL) {
        err = TW_ERR_PG;
        goto cleanup;
    }
    exists = PQntuples(res) == 1;
    if (exists)
        all_tables = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);

    switch (cfg->publication_mode) {
    case TW_PUBLICATION_DISABLED:
        if (!exists)
            err = tw_errf(TW_ERR_PG, errstr, errstr_size,
                          "publication \"%s\" does not exist and publication.autocreate.mode="
                          "disabled: create it (CREATE PUBLICATION \"%s\" FOR TABLE ...) or set "
                          "publication.autocreate.mode to filtered or all_tables",
                          cfg->publication_name, cfg->publication_name);
        break;
    case TW_PUBLICATION_NO_TABLES:
        if (!exists) {
            tw_buf_printf(&sql, "CREATE PUBLICATION %s", pubident);
            setup->publication_created = true;
        }
        break;
    case TW_PUBLICATION_ALL_TABLES:
        if (!exists) {
            tw_buf_printf(&sql, "CREATE PUBLICATION %s FOR ALL TABLES", pubident);
            setup->publication_created = true;
        }
        break;
    case TW_PUBLICATION_FILTERED:
        err = filtered_publication(conn, cfg, pubident, exists, all_tables, setup, &sql, errstr,
                                   errstr_size);
        break;
    }
    if (err == TW_OK && sql.len > 0)
        err = apply_publication_sql(conn, cfg, setup, sql.data, errstr, errstr_size);
    if (err == TW_OK && cfg->publication_mode != TW_PUBLICATION_FILTERED)
        setup->publication_tables = all_tables || cfg->publication_mode ==
                                                      TW_PUBLICATION_ALL_TABLES ? -1 : 0;
cleanup:
    tw_buf_free(&sql);
    PQfreemem(pubident);
    return err;
}

tw_err_t tw_pg_publication_info(PGconn *conn, const char *name, bool *exists, bool *all_tables,
                                int *ntables, char *errstr, size_t errstr_size)
{
    const char *params[1] = {name};
    PGresult *res = run(conn, PGRES_TUPLES_OK, "looking up the publication",
                        "SELECT p.puballtables, (SELECT count(*) FROM pg_publication_tables t "
                        "WHERE t.pubname = p.pubname) FROM pg_publication p WHERE p.pubname = $1",
                        1, params, errstr, errstr_size);

    if (res == NULL)
        return TW_ERR_PG;
    *exists = PQntuples(res) == 1;
    *all_tables = *exists && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    *ntables = *exists ? atoi(PQgetvalue(res, 0, 1)) : 0;
    PQclear(res);
    return TW_OK;
}

tw_err_t tw_pg_slot_info(PGconn *conn, const char *slot, tw_pg_slot_info_t *info, char *errstr,
                         size_t errstr_size)
{
    const char *params[1] = {slot};
    PGresult *res;

    memset(info, 0, sizeof(*info));
    /* wal_status is PostgreSQL 13+, decoding statistics 14+. */
    res = run(conn, PGRES_TUPLES_OK, "looking up the replication slot",
              PQserverVersion(conn) >= 140000
                  ? "SELECT coalesce(plugin, ''), active, coalesce(active_pid, 0), "
                    "coalesce(database, ''), coalesce(confirmed_flush_lsn::text, '0/0'), "
                    "coalesce(datoid::int8, 0), coalesce(restart_lsn::text, '0/0'), "
                    "coalesce(wal_status, ''), coalesce((SELECT s.total_txns + s.total_bytes "
                    "FROM pg_stat_replication_slots s WHERE s.slot_name = r.slot_name), 0) > 0 "
                    "FROM pg_replication_slots r WHERE slot_name = $1"
              : PQserverVersion(conn) >= 130000
                  ? "SELECT coalesce(plugin, ''), active, coalesce(active_pid, 0), "
                    "coalesce(database, ''), coalesce(confirmed_flush_lsn::text, '0/0'), "
                    "coalesce(datoid::int8, 0), coalesce(restart_lsn::text, '0/0'), "
                    "coalesce(wal_status, ''), true "
                    "FROM pg_replication_slots WHERE slot_name = $1"
                  : "SELECT coalesce(plugin, ''), active, coalesce(active_pid, 0), "
                    "coalesce(database, ''), coalesce(confirmed_flush_lsn::text, '0/0'), "
                    "coalesce(datoid::int8, 0), coalesce(restart_lsn::text, '0/0'), '', true "
                    "FROM pg_replication_slots WHERE slot_name = $1",
              1, params, errstr, errstr_size);
    if (res == NULL)
        return TW_ERR_PG;
    if (PQntuples(res) == 1) {
        info->exists = true;
        snprintf(info->plugin, sizeof(info->plugin), "%s", PQgetvalue(res, 0, 0));
        info->active = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        info->active_pid = atoi(PQgetvalue(res, 0, 2));
        snprintf(info->database, sizeof(info->database), "%s", PQgetvalue(res, 0, 3));
        tw_lsn_parse(PQgetvalue(res, 0, 4), &info->confirmed_flush);
        info->database_oid = (uint32_t)strtoul(PQgetvalue(res, 0, 5), NULL, 10);
        tw_lsn_parse(PQgetvalue(res, 0, 6), &info->restart_lsn);
        snprintf(info->wal_status, sizeof(info->wal_status), "%s", PQgetvalue(res, 0, 7));
        info->decoded = strcmp(PQgetvalue(res, 0, 8), "t") == 0;
    }
    PQclear(res);
    return TW_OK;
}

tw_err_t tw_pg_identify_system(PGconn *repl, tw_pg_identity_t *id, char *errstr,
                               size_t errstr_size)
{
    PGresult *res = run_repl(repl, "IDENTIFY_SYSTEM", "IDENTIFY_SYSTEM", errstr, errstr_size);
    tw_err_t err = TW_OK;

    memset(id, 0, sizeof(*id));
    if (res == NULL)
        return TW_ERR_PG;
    if (PQntuples(res) != 1 || PQnfields(res) < 4 ||
        !tw_lsn_parse(PQgetvalue(res, 0, 2), &id->xlogpos)) {
        err = tw_errf(TW_ERR_PG, errstr, errstr_size,
                      "IDENTIFY_SYSTEM returned an unexpected answer (%d rows, %d fields)",
                      PQntuples(res), PQnfields(res));
    } else {
        snprintf(id->system_id, sizeof(id->system_id), "%s", PQgetvalue(res, 0, 0));
        id->timeline = (uint32_t)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
        snprintf(id->dbname, sizeof(id->dbname), "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return err;
}

tw_err_t tw_pg_database_oid(PGconn *conn, uint32_t *oid, char *errstr, size_t errstr_size)
{
    PGresult *res = run(conn, PGRES_TUPLES_OK, "looking up the database",
                        "SELECT oid::int8 FROM pg_database WHERE datname = current_database()",
                        0, NULL, errstr, errstr_size);

    *oid = 0;
    if (res == NULL)
        return TW_ERR_PG;
    if (PQntuples(res) == 1)
        *oid = (uint32_t)strtoul(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return TW_OK;
}

tw_err_t tw_pg_timeline_switchpoint(PGconn *repl, uint32_t current, uint32_t tli, bool *ancestor,
                                    tw_lsn_t *switchpoint, char *errstr, size_t errstr_size)
{
    char sql[64];
    PGresult *res;
    const char *line;

    *ancestor = false;
    *switchpoint = 0;
    if (tli >= current || current <= 1)
        return TW_OK;
    snprintf(sql, sizeof(sql), "TIMELINE_HISTORY %u", (unsigned)current);
    res = run_repl(repl, "TIMELINE_HISTORY", sql, errstr, errstr_size);
    if (res == NULL)
        return TW_ERR_PG;
    /* Lines "parent_tli<TAB>switchpoint<TAB>reason": where each ancestor
     * timeline ended. */
    line = PQntuples(res) == 1 && PQnfields(res) >= 2 ? PQgetvalue(res, 0, 1) : "";
    while (*line) {
        unsigned long parent;
        unsigned hi, lo;
        if (sscanf(line, "%lu %X/%X", &parent, &hi, &lo) == 3 && parent == tli) {
            *ancestor = true;
            *switchpoint = ((tw_lsn_t)hi << 32) | lo;
            break;
        }
        line = strchr(line, '\n');
        if (line == NULL)
            break;
        line++;
    }
    PQclear(res);
    return TW_OK;
}

static tw_err_t prepare_slot(PGconn *conn, const tw_config_t *cfg, tw_pg_setup_t *setup,
                             char *errstr, size_t errstr_size)
{
    const char *params[1] = {cfg->slot_name};
    tw_pg_slot_info_t info;
    PGresult *res;
    tw_err_t err;

    err = tw_pg_slot_info(conn, cfg->slot_name, &info, errstr, errstr_size);
    if (err)
        return err;
    if (!info.exists) {
        res = run(conn, PGRES_TUPLES_OK, "creating the replication slot",
                  "SELECT lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')", 1,
                  params, errstr, errstr_size);
        if (res == NULL) {
            /* Someone else may have created it in between; look again. */
            if (tw_pg_slot_info(conn, cfg->slot_name, &info, NULL, 0) != TW_OK || !info.exists)
                return TW_ERR_PG;
        } else {
            tw_lsn_parse(PQgetvalue(res, 0, 0), &setup->slot_confirmed_flush);
            PQclear(res);
            setup->slot_created = true;
            tw_log(TW_LOG_NOTICE, "PGREPL", "created replication slot \"%s\" at " TW_LSN_FMT,
                   cfg->slot_name, TW_LSN_ARGS(setup->slot_confirmed_flush));
            return TW_OK;
        }
    }
    if (strcmp(info.plugin, "pgoutput") != 0)
        return tw_errf(TW_ERR_PG, errstr, errstr_size,
                       "replication slot \"%s\" uses plugin \"%s\", but tidewater reads "
                       "pgoutput: drop the slot or choose another slot.name",
                       cfg->slot_name, info.plugin[0] ? info.plugin : "(physical)");
    if (strcmp(info.database, cfg->db_dbname) != 0)
        return tw_errf(TW_ERR_PG, errstr, errstr_size,
                       "replication slot \"%s\" belongs to database \"%s\", not \"%s\": choose "
                       "another slot.name",
                       cfg->slot_name, info.database, cfg->db_dbname);
    if (info.active)
        return tw_errf(TW_ERR_PG, errstr, errstr_size,
                       "replication slot \"%s\" is already in use by server process %d (another "
                       "tidewater or Debezium reading it?): stop that reader, or give this "
                       "connector its own slot.name",
                       cfg->slot_name, info.active_pid);
    setup->slot_confirmed_flush = info.confirmed_flush;
    return TW_OK;
}

tw_err_t tw_pg_prepare(PGconn *conn, const tw_config_t *cfg, tw_pg_setup_t *setup, char *errstr,
                       size_t errstr_size)
{
    tw_err_t err;

    memset(setup, 0, sizeof(*setup));
    setup->server_version = PQserverVersion(conn);
    setup->proto_version = tw_pg_proto_version(setup->server_version);
    if (setup->server_version < 100000)
        return tw_errf(TW_ERR_UNSUPPORTED, errstr, errstr_size,
                       "PostgreSQL %d.%d has no pgoutput plugin; tidewater needs PostgreSQL 10 "
                       "or later",
                       setup->server_version / 10000, setup->server_version / 100 % 100);
    err = tw_pg_check_wal_level(conn, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_pg_check_replication_privilege(conn, cfg->db_user, errstr, errstr_size);
    if (err == TW_OK)
        err = prepare_publication(conn, cfg, setup, errstr, errstr_size);
    if (err == TW_OK)
        err = prepare_slot(conn, cfg, setup, errstr, errstr_size);
    return err;
}

tw_err_t tw_pg_drop_slot(PGconn *conn, const char *slot, char *errstr, size_t errstr_size)
{
    const char *params[1] = {slot};
    PGresult *res = run(conn, PGRES_TUPLES_OK, "dropping the replication slot",
                        "SELECT pg_drop_replication_slot($1)", 1, params, errstr, errstr_size);

    if (res == NULL)
        return TW_ERR_PG;
    PQclear(res);
    return TW_OK;
}
