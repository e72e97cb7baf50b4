/*
 * pg_conn.h — PostgreSQL connections and the checks and set-up that must
 * happen before streaming: wal_level, the REPLICATION privilege, the
 * publication (per publication.autocreate.mode) and the slot.
 *
 * Two connections are used: a normal one for catalog queries and DDL (it
 * gives better error messages than a walsender and stays usable while the
 * replication connection is in COPY mode), and a `replication=database` one
 * for IDENTIFY_SYSTEM and START_REPLICATION.
 *
 * Errors are translated into sentences that say what is wrong and how to
 * fix it; libpq's own text is kept at the end for the details.
 */
#ifndef TW_PG_CONN_H
#define TW_PG_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "util/common.h"
#include "config/config.h"

/* Session settings that fix the text format of values the walsender sends
 * (value_text.c parses exactly these styles). */
#define TW_PG_SESSION_OPTIONS                                                                  \
    "-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3 "    \
    "-c bytea_output=hex"

/* Opens a connection; `replication` adds replication=database. On failure
 * *conn is NULL and errstr explains (never containing the password). */
tw_err_t tw_pg_connect(const tw_config_t *cfg, bool replication, PGconn **conn, char *errstr,
                       size_t errstr_size);

/* True when the connection's TLS does not verify the server (database.
 * sslmode disable, allow, prefer or require) and database.hostname is not
 * local (a Unix socket, localhost, 127.0.0.1 or ::1): the password and the
 * change stream can then be read or altered on the way. why says so, naming
 * the key and verify-full. */
bool tw_pg_tls_unverified(const tw_config_t *cfg, char *why, size_t why_size);

/* "host:port/dbname as user", for log lines. */
void tw_pg_describe(const tw_config_t *cfg, char *out, size_t out_size);

/* What tw_pg_prepare found and did. */
typedef struct tw_pg_setup {
    int server_version;    /* e.g. 150004 */
    int proto_version;     /* highest pgoutput protocol the server speaks */
    bool slot_created;     /* the slot did not exist and was created */
    tw_lsn_t slot_confirmed_flush;
    bool publication_created;
    bool publication_altered;
    int publication_tables; /* tables in the publication (-1: FOR ALL TABLES) */
} tw_pg_setup_t;

/* Runs every check and creates/alters the publication and slot as the
 * config says. `conn` is a normal (non-replication) connection. */
tw_err_t tw_pg_prepare(PGconn *conn, const tw_config_t *cfg, tw_pg_setup_t *setup, char *errstr,
                       size_t errstr_size);

/* The individual checks tw_pg_prepare runs, for `tidewater check`. */
tw_err_t tw_pg_check_wal_level(PGconn *conn, char *errstr, size_t errstr_size);
tw_err_t tw_pg_check_replication_privilege(PGconn *conn, const char *user, char *errstr,
                                           size_t errstr_size);
/* exists / all_tables / number of tables of the publication. */
tw_err_t tw_pg_publication_info(PGconn *conn, const char *name, bool *exists, bool *all_tables,
                                int *ntables, char *errstr, size_t errstr_size);

/* The slot's state, for `check` and tests. exists=false when missing. */
typedef struct tw_pg_slot_info {
    bool exists;
    bool active;
    int active_pid;
    char plugin[64];
    char database[128];
    uint32_t database_oid;
    tw_lsn_t confirmed_flush;
    tw_lsn_t restart_lsn;
    /* reserved, extended, unreserved or lost (PostgreSQL 13+; "" before):
     * whether the WAL the slot needs is still there. */
    char wal_status[16];
    /* Anything was ever decoded from it (pg_stat_replication_slots,
     * PostgreSQL 14+; true when unknown). Statistics can be reset, so this
     * only tells a slot created beforehand from one in use. */
    bool decoded;
} tw_pg_slot_info_t;

tw_err_t tw_pg_slot_info(PGconn *conn, const char *slot, tw_pg_slot_info_t *info, char *errstr,
                         size_t errstr_size);

/* IDENTIFY_SYSTEM's answer, on a replication connection. */
typedef struct tw_pg_identity {
    char system_id[32]; /* the cluster's system identifier, decimal */
    uint32_t timeline;
    tw_lsn_t xlogpos;   /* the server's current WAL flush position */
    char dbname[128];
} tw_pg_identity_t;

tw_err_t tw_pg_identify_system(PGconn *repl, tw_pg_identity_t *id, char *errstr,
                               size_t errstr_size);

/* The OID of the connected database (a normal connection). */
tw_err_t tw_pg_database_oid(PGconn *conn, uint32_t *oid, char *errstr, size_t errstr_size);

/* Where timeline `tli` ended in the history of the server's `current`
 * timeline (TIMELINE_HISTORY, replication connection): *ancestor=false when
 * `tli` is not in that history. */
tw_err_t tw_pg_timeline_switchpoint(PGconn *repl, uint32_t current, uint32_t tli, bool *ancestor,
                                    tw_lsn_t *switchpoint, char *errstr, size_t errstr_size);

/* Drops the slot (slot.drop.on.stop). */
tw_err_t tw_pg_drop_slot(PGconn *conn, const char *slot, char *errstr, size_t errstr_size);

/* Highest pgoutput protocol version for a server_version_num. */
int tw_pg_proto_version(int server_version);

#endif /* TW_PG_CONN_H */
