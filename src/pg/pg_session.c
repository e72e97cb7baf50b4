/*
 * pg_session.c — opening a replication session (see pg_session.h).
 */
#include "pg/pg_session.h"

#include <string.h>

#include "util/log.h"

tw_err_t tw_pg_session_identify(PGconn *repl, const tw_config_t *cfg, tw_pg_identity_t *id,
                                char *errstr, size_t errstr_size)
{
    tw_err_t err = tw_pg_identify_system(repl, id, errstr, errstr_size);

    if (err)
        return err;
    if (cfg->db_dbname && strcmp(id->dbname, cfg->db_dbname) != 0)
        return tw_errf(TW_ERR_PG, errstr, errstr_size,
                       "replication connection is to database \"%s\", expected \"%s\"",
                       id->dbname, cfg->db_dbname);
    tw_log(TW_LOG_INFO, "PGREPL", "system %s, timeline %u, WAL at " TW_LSN_FMT ", database %s",
           id->system_id, id->timeline, TW_LSN_ARGS(id->xlogpos), id->dbname);
    return TW_OK;
}

tw_err_t tw_pg_session_stream(PGconn *repl, const tw_config_t *cfg, const tw_pg_setup_t *setup,
                              int wake_fd, tw_repl_stream_t **stream, char *errstr,
                              size_t errstr_size)
{
    tw_repl_options_t ropts;

    memset(&ropts, 0, sizeof(ropts));
    ropts.slot_name = cfg->slot_name;
    ropts.publication_name = cfg->publication_name;
    ropts.proto_version = setup->proto_version;
    ropts.messages = setup->server_version >= 140000;
    ropts.streaming = setup->proto_version >= 2 && cfg->pgoutput_streaming == TW_STREAMING_ON;
    ropts.binary = cfg->binary_mode && setup->server_version >= 140000;
    ropts.status_interval_ms = cfg->status_update_interval_ms;
    *stream = tw_repl_stream_new(repl);
    if (wake_fd >= 0)
        tw_repl_stream_set_wake_fd(*stream, wake_fd);
    return tw_repl_stream_start(*stream, &ropts, errstr, errstr_size);
}
