/*
 * pg_session.h — what `tidewater run` and `tidewater tail` share when they
 * open a replication session: the server's identity checked with
 * IDENTIFY_SYSTEM (the database must be the configured one), and the
 * stream started with the options the configuration and server allow.
 */
#ifndef TW_PG_SESSION_H
#define TW_PG_SESSION_H

#include <libpq-fe.h>

#include "util/common.h"
#include "config/config.h"
#include "pg/pg_conn.h"
#include "pg/repl_stream.h"

/* IDENTIFY_SYSTEM on the replication connection; logs the identity. An
 * error when the connection is to another database than db.dbname. */
tw_err_t tw_pg_session_identify(PGconn *repl, const tw_config_t *cfg, tw_pg_identity_t *id,
                                char *errstr, size_t errstr_size);

/* Starts streaming the slot on repl (setup from tw_pg_prepare); wake_fd,
 * if not -1, interrupts waits for the server (see repl_stream.h). *stream
 * is set even on failure (destroy it). */
tw_err_t tw_pg_session_stream(PGconn *repl, const tw_config_t *cfg, const tw_pg_setup_t *setup,
                              int wake_fd, tw_repl_stream_t **stream, char *errstr,
                              size_t errstr_size);

#endif /* TW_PG_SESSION_H */
