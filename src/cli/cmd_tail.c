/*
 * cmd_tail.c — connect, prepare, stream, print; stop on a signal or at
 * --endpos.
 */
#include "cli/cmd_tail.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/connector_load.h"
#include "pg/changefeed.h"
#include "progress/confirm.h"
#include "config/config.h"
#include "util/log.h"
#include "pg/pg_conn.h"
#include "pg/pg_session.h"
#include "pg/repl_stream.h"
#include "util/signals.h"
#include "cli/tail.h"

typedef struct tail_opts {
    const char *config_path;
    bool ack;
    tw_lsn_t endpos; /* 0: run until stopped */
} tail_opts_t;

static void tail_usage(FILE *out)
{
    fprintf(out,
            "usage: tidewater tail [--ack] [--endpos LSN] CONFIG\n"
            "\n"
            "Streams the replication slot named in CONFIG and prints one JSON object per\n"
            "committed change on standard output. Kafka and the registry are not used.\n"
            "\n"
            "  --ack          confirm printed transactions to the server, so the slot\n"
            "                 advances (by default the slot is left where it was)\n"
            "  --endpos LSN   stop once everything committed before LSN is printed\n"
            "  -h, --help     show this help\n");
}

static int parse_tail_args(int argc, char **argv, tail_opts_t *opts)
{
    static const struct option long_opts[] = {
        {"ack", no_argument, NULL, 'a'},
        {"endpos", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(opts, 0, sizeof(*opts));
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'a': opts->ack = true; break;
        case 'e':
            if (!tw_lsn_parse(optarg, &opts->endpos)) {
                fprintf(stderr, "tidewater tail: --endpos \"%s\" is not an LSN like 0/16B3748\n",
                        optarg);
                return 2;
            }
            break;
        case 'h': tail_usage(stdout); return -1;
        default: tail_usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        tail_usage(stderr);
        return 2;
    }
    opts->config_path = argv[optind];
    return 0;
}

/* While replaying a streamed transaction or blocked on output: keep the
 * server from timing us out. The flush position is left as it is. */
static tw_err_t keep_alive(void *opaque, char *errstr, size_t errstr_size)
{
    return tw_repl_stream_status_if_due(opaque, errstr, errstr_size);
}

/* The main loop: read frames, feed the change feed, keep the status flowing.
 * Returns when stopped by a signal, at endpos, or on error. */
static tw_err_t stream_loop(tw_repl_stream_t *stream, tw_changefeed_t *feed, tw_tail_t *tail,
                            const tail_opts_t *opts, char *errstr, size_t errstr_size)
{
    tw_repl_msg_t msg;
    bool got;
    tw_err_t err;

    while (!tw_signals_stop_requested()) {
        err = tw_repl_stream_read(stream, 1000, &msg, &got, errstr, errstr_size);
        if (err)
            return err;
        if (got) {
            err = tw_changefeed_process(feed, msg.start_lsn, msg.data, msg.len, errstr,
                                        errstr_size);
            if (err)
                return err;
        }
        if (opts->ack) {
            /* With nothing half-printed, everything the server has sent is
             * handled: the slot may follow its WAL end (confirm.h). */
            tw_confirm_state_t state = {
                tw_tail_flushed_lsn(tail),
                TW_MAX(tw_repl_stream_received(stream), tw_repl_stream_server_wal_end(stream)),
                !tw_changefeed_in_txn(feed)};
            tw_repl_stream_set_flush(stream, tw_confirm_position(&state));
        }
        if (opts->endpos && !tw_changefeed_in_txn(feed) &&
            (tw_tail_flushed_lsn(tail) >= opts->endpos ||
             tw_repl_stream_server_wal_end(stream) >= opts->endpos ||
             tw_repl_stream_received(stream) >= opts->endpos)) {
            tw_log(TW_LOG_INFO, "PGREPL", "reached end position " TW_LSN_FMT,
                   TW_LSN_ARGS(opts->endpos));
            return TW_OK;
        }
    }
    tw_log(TW_LOG_INFO, "PGREPL", "%s received, stopping", tw_signals_stop_reason());
    return TW_OK;
}

int tw_cmd_tail(int argc, char **argv)
{
    tail_opts_t opts;
    tw_config_t cfg;
    tw_pg_setup_t setup;
    tw_pg_identity_t server;
    PGconn *conn = NULL, *repl = NULL;
    tw_repl_stream_t *stream = NULL;
    tw_changefeed_t *feed = NULL;
    tw_tail_t *tail = NULL;
    tw_sink_t sink;
    char errstr[2048], where[512];
    tw_log_level_t level;
    tw_err_t err;
    int status = 1, rc;

    rc = parse_tail_args(argc, argv, &opts);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    err = tw_connector_load(opts.config_path, &cfg, errstr, sizeof(errstr));
    if (err) {
        fprintf(stderr, "tidewater: %s\n", errstr);
        tw_config_clear(&cfg);
        return 2;
    }
    if (tw_log_level_parse(cfg.log_level, &level))
        tw_log_set_level(level);
    tw_log_set_json(cfg.log_json);
    tw_signals_install();

    tw_pg_describe(&cfg, where, sizeof(where));
    tw_log(TW_LOG_INFO, "PGREPL", "connecting to %s", where);
    err = tw_pg_connect(&cfg, false, &conn, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_pg_prepare(conn, &cfg, &setup, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_pg_connect(&cfg, true, &repl, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_pg_session_identify(repl, &cfg, &server, errstr, sizeof(errstr));
    if (err)
        goto cleanup;

    tail = tw_tail_new(stdout, cfg.unavailable_value_placeholder);
    sink = tw_tail_sink(tail);
    err = tw_changefeed_new(&cfg, setup.proto_version, &sink, &feed, errstr, sizeof(errstr));
    if (err)
        goto cleanup;
    tw_relcache_set_server_version(tw_changefeed_relcache(feed), setup.server_version);
    tw_changefeed_set_catalog(feed, conn);

    err = tw_pg_session_stream(repl, &cfg, &setup, -1, &stream, errstr, sizeof(errstr));
    if (err)
        goto cleanup;
    tw_changefeed_set_tick(feed, keep_alive, stream);
    tw_tail_set_wait(tail, keep_alive, stream);
    tw_log(TW_LOG_INFO, "PGREPL", "streaming slot \"%s\" from " TW_LSN_FMT " (protocol %d)%s",
           cfg.slot_name, TW_LSN_ARGS(setup.slot_confirmed_flush), setup.proto_version,
           opts.ack ? ", confirming printed changes" : ", slot position left unchanged");

    err = stream_loop(stream, feed, tail, &opts, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_repl_stream_stop(stream, errstr, sizeof(errstr));
    if (err == TW_OK) {
        tw_log(TW_LOG_INFO, "PGREPL", "printed %llu changes; confirmed " TW_LSN_FMT,
               (unsigned long long)tw_tail_lines(tail), TW_LSN_ARGS(tw_repl_stream_flush(stream)));
        status = 0;
    }
cleanup:
    if (err)
        tw_log(TW_LOG_ERROR, "PGREPL", "%s", errstr);
    tw_repl_stream_destroy(stream);
    tw_changefeed_destroy(feed);
    tw_tail_destroy(tail);
    if (repl)
        PQfinish(repl);
    if (conn)
        PQfinish(conn);
    tw_config_clear(&cfg);
    return status;
}
