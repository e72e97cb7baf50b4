/*
 * cmd_run.c — sessions against PostgreSQL (connect, prepare, stream),
 * reconnecting with backoff, around one long-lived pipeline.
 */
#include "cli/cmd_run.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/connector_load.h"
#include "pg/changefeed.h"
#include "config/config.h"
#include "progress/confirm.h"
#include "util/log.h"
#include "pg/pg_conn.h"
#include "pg/pg_session.h"
#include "ops/histogram.h"
#include "ops/http.h"
#include "ops/metrics.h"
#include "progress/origin.h"
#include "pipeline.h"
#include "pg/repl_stream.h"
#include "util/signals.h"
#include "progress/slot_guard.h"

typedef struct run_ctx {
    const tw_config_t *cfg;
    tw_pipeline_t *pipeline;
    PGconn *conn;
    PGconn *repl;
    tw_repl_stream_t *stream;
    tw_changefeed_t *feed;
    tw_pg_setup_t setup;
    int64_t last_status_us;
    int64_t last_heartbeat_us;
    bool heartbeat_record_due; /* a beat's record waits for the end of a transaction */
    tw_metrics_t *metrics;
    tw_metrics_snapshot_t *snapshot; /* scratch for publishing */
    int64_t last_publish_us;
    uint64_t reconnects;
    bool streamed_once; /* later connection failures are outages, not set-up errors */
    int64_t stop_deadline_us; /* a stop was requested: when waiting ends (0: not yet) */
    const char *config_path;
    bool slot_busy;       /* another process streams the slot: wait, then retry */
    bool slot_unreserved; /* wal_status=unreserved at the last connect */
    bool half_read; /* a message of this session was not fully handed over */
    tw_slot_guard_t *guard;       /* the slot's high-water mark */
    tw_offset_origin_t server_id; /* of the server connected to (verify_origin) */
    unsigned reads_unpolled; /* messages read since delivery reports were last served */
} run_ctx_t;

static void run_usage(FILE *out)
{
    fprintf(out, "usage: tidewater run CONFIG\n"
                 "\n"
                 "Streams the replication slot named in CONFIG to Kafka: each outbox row\n"
                 "becomes a keyed record, each change to another captured table a Debezium\n"
                 "change event, encoded by the configured converters. The slot is\n"
                 "confirmed only up to what Kafka has acknowledged. SIGTERM or SIGINT lets\n"
                 "the current transaction finish and be acknowledged, for up to\n"
                 "shutdown.timeout.ms; what is not delivered by then is sent again after a\n"
                 "restart.\n");
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The only place `run` moves the position reported to the server: the
 * delivery rule of confirm.h, fed with what the pipeline delivered and
 * what this connection received. */
static void update_flush_now(run_ctx_t *ctx, bool final)
{
    tw_confirm_state_t state;
    tw_guard_pace_t pace;

    if (ctx->stream == NULL)
        return;
    state.delivered = tw_pipeline_flush_lsn(ctx->pipeline);
    state.received = TW_MAX(tw_repl_stream_received(ctx->stream),
                            tw_repl_stream_server_wal_end(ctx->stream));
    state.settled = tw_pipeline_settled(ctx->pipeline) && ctx->feed &&
                    !tw_changefeed_in_txn(ctx->feed) && !ctx->half_read;
    pace = final ? TW_GUARD_NOW : state.settled ? TW_GUARD_SETTLED : TW_GUARD_BUSY;
    /* The slot's high-water mark is recorded before the server hears of
     * a position (slot_guard.h). */
    tw_repl_stream_set_flush(ctx->stream,
                             tw_slot_guard_allow(ctx->guard, tw_confirm_position(&state), pace));
}

static void update_flush(run_ctx_t *ctx)
{
    update_flush_now(ctx, false);
}

/* A stop request lets the transaction being read finish, up to
 * shutdown.timeout.ms after the request. False once that time is up. */
static bool stop_grace_left(run_ctx_t *ctx)
{
    int64_t now = tw_repl_now();

    if (!tw_signals_stop_requested())
        return true;
    if (ctx->stop_deadline_us == 0) {
        ctx->stop_deadline_us = now + (int64_t)ctx->cfg->shutdown_timeout_ms * 1000;
        tw_log(TW_LOG_INFO, "PGREPL",
               "%s received; finishing the current transaction (up to %d ms)",
               tw_signals_stop_reason() ? tw_signals_stop_reason() : "stop",
               ctx->cfg->shutdown_timeout_ms);
    }
    return now < ctx->stop_deadline_us;
}

/* What is left of the stop's time for the final acknowledgements; at
 * least a tenth of shutdown.timeout.ms, so a transaction read at the last
 * moment still has a chance. */
static int drain_budget_ms(run_ctx_t *ctx)
{
    int64_t left;

    if (ctx->stop_deadline_us == 0)
        return ctx->cfg->shutdown_timeout_ms;
    left = (ctx->stop_deadline_us - tw_repl_now()) / 1000;
    return (int)TW_MAX(left, (int64_t)ctx->cfg->shutdown_timeout_ms / 10);
}

/* Hands the HTTP thread a fresh snapshot, a few times a second. */
static void publish_metrics(run_ctx_t *ctx, bool force)
{
    int64_t now = tw_repl_now();

    if (!force && now - ctx->last_publish_us < 200000)
        return;
    ctx->last_publish_us = now;
    tw_metrics_snapshot_reset(ctx->snapshot);
    tw_pipeline_fill_snapshot(ctx->pipeline, ctx->snapshot);
    ctx->snapshot->reconnects = ctx->reconnects;
    ctx->snapshot->slot_unreserved = ctx->slot_unreserved;
    ctx->snapshot->server_wal_end = ctx->stream ? tw_repl_stream_server_wal_end(ctx->stream) : 0;
    if (ctx->stream)
        ctx->snapshot->flushed_lsn = tw_repl_stream_flush(ctx->stream);
    tw_metrics_publish(ctx->metrics, ctx->snapshot);
}

/* Called by the pipeline while it waits (full queue, registry down):
 * keep Kafka's callbacks flowing and the walsender from timing out. */
static bool run_wait(void *opaque, int ms)
{
    run_ctx_t *ctx = opaque;
    char errstr[512];
    int64_t now;

    tw_metrics_set_state(ctx->metrics, TW_STATE_PAUSED);
    tw_pipeline_poll(ctx->pipeline, ms, errstr, sizeof(errstr));
    publish_metrics(ctx, false);
    if (ctx->stream) {
        now = tw_repl_now();
        if (now - ctx->last_status_us > 1000000) {
            update_flush(ctx);
            tw_repl_stream_send_status(ctx->stream, false, errstr, sizeof(errstr));
            ctx->last_status_us = now;
        }
    }
    /* A stop request ends a wait only once its grace time is over: the
     * transaction being read is worth finishing, but Kafka or the registry
     * may not come back. */
    return stop_grace_left(ctx) && !tw_pipeline_failed(ctx->pipeline, NULL, 0);
}

/* Called while a long streamed transaction is replayed: keep the server
 * from timing us out. The flush position is left as it is. */
static tw_err_t run_tick(void *opaque, char *errstr, size_t errstr_size)
{
    run_ctx_t *ctx = opaque;

    return ctx->stream ? tw_repl_stream_status_if_due(ctx->stream, errstr, errstr_size) : TW_OK;
}

/* The stream is about to wait (or has waited) for PostgreSQL and for
 * delivery reports: only then do reports need the wake-up pipe. */
static bool run_sleep(void *opaque, bool sleeping)
{
    run_ctx_t *ctx = opaque;

    return tw_pipeline_sleep(ctx->pipeline, sleeping);
}

static void close_session(run_ctx_t *ctx)
{
    tw_repl_stream_destroy(ctx->stream);
    ctx->stream = NULL;
    tw_changefeed_destroy(ctx->feed);
    ctx->feed = NULL;
    if (ctx->repl)
        PQfinish(ctx->repl);
    ctx->repl = NULL;
    tw_pipeline_set_catalog(ctx->pipeline, NULL);
    if (ctx->conn)
        PQfinish(ctx->conn);
    ctx->conn = NULL;
}

/* Before anything is skipped, confirmed or created: does the checkpoint
 * describe this server, database and slot, and can the slot still deliver
 * what follows it (origin.h)? */
static tw_err_t verify_origin(run_ctx_t *ctx, char *errstr, size_t errstr_size)
{
    tw_origin_facts_t facts;
    tw_origin_verdict_t verdict;
    tw_offset_origin_t server;
    char where[1024];
    tw_err_t err;

    memset(&facts, 0, sizeof(facts));
    tw_pipeline_origin_facts(ctx->pipeline, &facts, where, sizeof(where));
    facts.config_path = ctx->config_path;
    err = tw_origin_verify(ctx->conn, ctx->repl, ctx->cfg, &facts, &server, &verdict, errstr,
                           errstr_size);
    if (err)
        return err;
    if (verdict.slot_busy) {
        ctx->slot_busy = true;
        return tw_errf(TW_ERR_PG, errstr, errstr_size,
                       "replication slot \"%s\" is in use by server process %d (another "
                       "tidewater, or the previous connection not yet closed)",
                       ctx->cfg->slot_name, facts.slot.active_pid);
    }
    if (verdict.unreserved && !ctx->slot_unreserved)
        tw_log(TW_LOG_WARNING, "PGREPL",
               "replication slot \"%s\" has wal_status=unreserved: the server keeps more WAL "
               "for it than max_slot_wal_keep_size allows and will invalidate it at the next "
               "checkpoint unless it catches up; changes not yet read would then be lost. "
               "Raise max_slot_wal_keep_size or make sure tidewater keeps up",
               ctx->cfg->slot_name);
    ctx->slot_unreserved = verdict.unreserved;
    if (verdict.notice[0])
        tw_log(TW_LOG_NOTICE, "CKPT", "%s", verdict.notice);
    ctx->server_id = server;
    return tw_pipeline_adopt_origin(ctx->pipeline, &server, verdict.adopt, errstr, errstr_size);
}

static tw_err_t open_session(run_ctx_t *ctx, char *errstr, size_t errstr_size)
{
    const tw_config_t *cfg = ctx->cfg;
    tw_sink_t sink = tw_pipeline_sink(ctx->pipeline);
    tw_lsn_t resume_lsn;
    int64_t resume_ts;
    tw_err_t err;

    ctx->slot_busy = false;
    err = tw_pg_connect(cfg, false, &ctx->conn, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_pg_connect(cfg, true, &ctx->repl, errstr, errstr_size);
    if (err == TW_OK)
        err = verify_origin(ctx, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_pg_prepare(ctx->conn, cfg, &ctx->setup, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_slot_guard_check(ctx->guard, &ctx->server_id, ctx->setup.slot_confirmed_flush,
                                  ctx->setup.slot_created, ctx->config_path, errstr,
                                  errstr_size);
    if (err == TW_OK)
        err = tw_pipeline_preflight(ctx->pipeline, ctx->conn, errstr, errstr_size);
    if (err)
        return err;
    tw_pipeline_set_catalog(ctx->pipeline, ctx->conn);
    err = tw_changefeed_new(cfg, ctx->setup.proto_version, &sink, &ctx->feed, errstr,
                            errstr_size);
    if (err)
        return err;
    tw_changefeed_set_tick(ctx->feed, run_tick, ctx);
    /* The server resends from the slot's confirmed position, at or before
     * the checkpoint: transactions it resends move these on as they pass. */
    tw_pipeline_resume_point(ctx->pipeline, &resume_lsn, &resume_ts);
    tw_changefeed_resume(ctx->feed, resume_lsn, resume_ts);
    tw_relcache_set_server_version(tw_changefeed_relcache(ctx->feed), ctx->setup.server_version);
    tw_changefeed_set_catalog(ctx->feed, ctx->conn);
    ctx->half_read = false;
    err = tw_pg_session_stream(ctx->repl, cfg, &ctx->setup, tw_pipeline_wake_fd(ctx->pipeline),
                               &ctx->stream, errstr, errstr_size);
    if (err == TW_OK)
        tw_repl_stream_set_sleep_cb(ctx->stream, run_sleep, ctx);
    if (err == TW_OK)
        tw_log(TW_LOG_INFO, "PGREPL", "streaming slot \"%s\" from " TW_LSN_FMT " (protocol %d)",
               cfg->slot_name, TW_LSN_ARGS(ctx->setup.slot_confirmed_flush),
               ctx->setup.proto_version);
    return err;
}

/* Debezium's heartbeat: run the action query (if any), write the heartbeat
 * record and send a status update. A failing query is logged, not fatal:
 * it only helps WAL move. Only a failure of the Kafka transaction a record
 * needs (exactly-once mode) is returned. */
static tw_err_t heartbeat(run_ctx_t *ctx, char *errstr, size_t errstr_size)
{
    int64_t now = tw_repl_now();
    tw_err_t err;

    if (ctx->heartbeat_record_due) {
        err = tw_pipeline_heartbeat(ctx->pipeline, errstr, errstr_size);
        if (err != TW_ERR_AGAIN)
            ctx->heartbeat_record_due = false;
        if (err && err != TW_ERR_AGAIN)
            return err;
    }
    if (ctx->cfg->heartbeat_interval_ms <= 0 ||
        now - ctx->last_heartbeat_us < (int64_t)ctx->cfg->heartbeat_interval_ms * 1000)
        return TW_OK;
    ctx->last_heartbeat_us = now;
    err = tw_pipeline_heartbeat(ctx->pipeline, errstr, errstr_size);
    ctx->heartbeat_record_due = err == TW_ERR_AGAIN;
    if (err && err != TW_ERR_AGAIN)
        return err;
    if (ctx->cfg->heartbeat_action_query && ctx->conn) {
        PGresult *res = PQexec(ctx->conn, ctx->cfg->heartbeat_action_query);
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
            tw_log(TW_LOG_WARNING, "PGREPL", "heartbeat.action.query failed: %s",
                   PQerrorMessage(ctx->conn));
        PQclear(res);
    }
    update_flush(ctx);
    if (tw_repl_stream_send_status(ctx->stream, false, errstr, errstr_size) != TW_OK)
        tw_log(TW_LOG_WARNING, "PGREPL", "heartbeat status update failed: %s", errstr);
    return TW_OK;
}

/* Reads until stopped or the connection fails. Stops only between
 * transactions, so an orderly stop never leaves half a transaction in
 * Kafka to be sent again. */
static tw_err_t stream_loop(run_ctx_t *ctx, char *errstr, size_t errstr_size)
{
    tw_repl_msg_t msg;
    bool got;
    tw_err_t err;

    for (;;) {
        if (tw_pipeline_failed(ctx->pipeline, errstr, errstr_size))
            return TW_ERR_KAFKA;
        if (tw_signals_stop_requested() && !tw_changefeed_in_txn(ctx->feed))
            return TW_OK;
        if (!stop_grace_left(ctx))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size,
                           "the current transaction did not finish within "
                           "shutdown.timeout.ms");
        /* A Kafka transaction ready to commit must not wait for a read to
         * time out: look for data without sleeping, commit if none. */
        err = tw_repl_stream_read(ctx->stream, tw_pipeline_commit_pending(ctx->pipeline) ? 0 : 100,
                                  &msg, &got, errstr, errstr_size);
        if (err)
            return err;
        if (got) {
            err = tw_changefeed_process(ctx->feed, msg.start_lsn, msg.data, msg.len, errstr,
                                        errstr_size);
            /* Received but not handed over (e.g. a stop while a logical
             * message or a Stream Commit waited for room in the delivery
             * tracker): once the final drain empties the tracker the
             * pipeline looks settled, yet this message was never sent. */
            if (err)
                ctx->half_read = true;
        } else
            err = tw_pipeline_end_batch(ctx->pipeline, errstr, errstr_size);
        if (err)
            return err;
        /* Delivery reports after a read that found nothing, and otherwise
         * every 16th message: looking for them costs a system call even
         * when none wait, and a busy stream delivers ~100k messages/s. */
        if (!got || ++ctx->reads_unpolled >= 16) {
            ctx->reads_unpolled = 0;
            err = tw_pipeline_poll(ctx->pipeline, 0, errstr, errstr_size);
            if (err)
                return err;
        }
        update_flush(ctx);
        err = heartbeat(ctx, errstr, errstr_size);
        if (err)
            return err;
        tw_metrics_set_state(ctx->metrics, TW_STATE_STREAMING);
        publish_metrics(ctx, false);
    }
}

/* Connection-level failures are retried; everything else stops. */
static bool retriable(tw_err_t err)
{
    return err == TW_ERR_PG || err == TW_ERR_IO;
}

static tw_err_t shutdown_pipeline(run_ctx_t *ctx, char *errstr, size_t errstr_size)
{
    tw_err_t err = tw_pipeline_drain(ctx->pipeline, drain_budget_ms(ctx), errstr, errstr_size);
    tw_pipeline_stats_t stats;
    char detail[512];

    tw_pipeline_stats(ctx->pipeline, &stats);
    tw_log(TW_LOG_INFO, "KAFKA",
           "%llu records in %llu transactions delivered; per-record scratch peak %zu bytes; "
           "commit-to-ack latency p50 %.1f ms, p99 %.1f ms, max %.1f ms",
           (unsigned long long)stats.records, (unsigned long long)stats.transactions,
           stats.scratch_peak_bytes,
           tw_histogram_quantile(stats.latency, 0.5) / 1000.0,
           tw_histogram_quantile(stats.latency, 0.99) / 1000.0,
           stats.latency->max_us / 1000.0);
    if (ctx->stream) {
        update_flush_now(ctx, true);
        if (tw_repl_stream_stop(ctx->stream, detail, sizeof(detail)) != TW_OK)
            tw_log(TW_LOG_WARNING, "PGREPL", "final status update failed: %s", detail);
        else
            tw_log(TW_LOG_INFO, "PGREPL", "confirmed " TW_LSN_FMT " to the server",
                   TW_LSN_ARGS(tw_repl_stream_flush(ctx->stream)));
    }
    return err;
}

/* True when a registry URL list sends basic-auth credentials over plain
 * http (from basic.auth.user.info or user:password@ in the URL). */
static bool registry_credentials_in_clear(const tw_converter_config_t *c)
{
    bool creds = (c->basic_auth_user_info && c->basic_auth_user_info[0]) ||
                 (c->basic_auth_source == TW_BASIC_AUTH_URL && c->registry_url &&
                  strchr(c->registry_url, '@'));
    const char *p;

    if (!creds || c->registry_url == NULL)
        return false;
    for (p = c->registry_url; p; p = strchr(p, ',')) {
        while (*p == ',' || *p == ' ')
            p++;
        if (strncasecmp(p, "http://", 7) == 0)
            return true;
    }
    return false;
}

/* Start-up warnings about what could expose data or credentials, and the
 * descriptor limit raised to the hard limit (sockets to PostgreSQL, Kafka
 * brokers and the metrics endpoint add up). */
static void warn_exposure(const tw_config_t *cfg, char *buf, size_t size)
{
    struct rlimit rl;

    if (tw_pg_tls_unverified(cfg, buf, size))
        tw_log(TW_LOG_WARNING, "PGREPL", "%s", buf);
    if (registry_credentials_in_clear(&cfg->key_converter))
        tw_log(TW_LOG_WARNING, "SR", "key.converter.schema.registry.url is plain http but "
                                     "carries basic-auth credentials: use https");
    if (registry_credentials_in_clear(&cfg->value_converter))
        tw_log(TW_LOG_WARNING, "SR", "value.converter.schema.registry.url is plain http but "
                                     "carries basic-auth credentials: use https");
    if (cfg->value_converter.delegate &&
        registry_credentials_in_clear(cfg->value_converter.delegate))
        tw_log(TW_LOG_WARNING, "SR", "value.converter.delegate.converter.type.schema.registry.url "
                                     "is plain http but carries basic-auth credentials: use https");
    if (cfg->key_converter.delegate && registry_credentials_in_clear(cfg->key_converter.delegate))
        tw_log(TW_LOG_WARNING, "SR", "key.converter.delegate.converter.type.schema.registry.url "
                                     "is plain http but carries basic-auth credentials: use https");
    if (geteuid() == 0)
        tw_log(TW_LOG_WARNING, "CONFIG", "running as root: run tidewater as a dedicated user "
                                         "that alone can read its configuration (chmod 0600)");
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rlim_t was = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
            tw_log(TW_LOG_DEBUG, "CONFIG", "file-descriptor limit raised from %llu to %llu",
                   (unsigned long long)was, (unsigned long long)rl.rlim_max);
    }
}

/* Loads the connector file and applies its logging settings. Exit status
 * 2 on a bad file, else 0. */
static int load_config(const char *path, tw_config_t *cfg)
{
    tw_log_level_t level;
    char errstr[2048];

    if (tw_connector_load(path, cfg, errstr, sizeof(errstr)) != TW_OK) {
        fprintf(stderr, "tidewater: %s\n", errstr);
        tw_config_clear(cfg);
        return 2;
    }
    if (tw_log_level_parse(cfg->log_level, &level))
        tw_log_set_level(level);
    tw_log_set_json(cfg->log_json);
    warn_exposure(cfg, errstr, sizeof(errstr));
    for (size_t i = 0; i < cfg->nnotes; i++)
        tw_log(TW_LOG_NOTICE, "CONFIG", "%s", cfg->notes[i]);
    return 0;
}

/* After a session ended with err (not a stop): TW_OK to connect again,
 * after the backoff, or err itself when it needs a person. */
static tw_err_t before_reconnect(run_ctx_t *ctx, tw_err_t err, const tw_pipeline_stats_t *before,
                                 int *backoff_ms, char *errstr, size_t errstr_size)
{
    tw_pipeline_stats_t after;

    /* Set-up errors (bad privileges, a missing publication) need a
     * person, and so do data errors with errors.tolerance=none; a
     * connection lost while streaming is retried. */
    if (!retriable(err) || !ctx->streamed_once)
        return err;
    /* Only a session that delivered something starts the backoff over:
     * one that fails the same way each time must not retry every 500 ms. */
    tw_pipeline_stats(ctx->pipeline, &after);
    if (after.transactions > before->transactions)
        *backoff_ms = 500;
    tw_log(TW_LOG_WARNING, "PGREPL", "%s; reconnecting in %d ms", errstr, *backoff_ms);
    tw_metrics_set_state(ctx->metrics, TW_STATE_RECONNECTING);
    ctx->reconnects++;
    publish_metrics(ctx, true);
    /* Deliver what is in flight, then forget the half-read transaction:
     * the server sends it again from the confirmed position. Close this
     * session first, so nothing of it is confirmed after the reset (which
     * forgets what was not delivered). */
    while (tw_pipeline_drain(ctx->pipeline, 1000, errstr, errstr_size) == TW_ERR_AGAIN &&
           !tw_signals_stop_requested() && !tw_pipeline_failed(ctx->pipeline, NULL, 0))
        ;
    if (tw_pipeline_failed(ctx->pipeline, errstr, errstr_size))
        return TW_ERR_KAFKA; /* a record failed for good while draining */
    close_session(ctx);
    tw_pipeline_reset_partial(ctx->pipeline);
    sleep_ms(*backoff_ms);
    *backoff_ms = TW_MIN(*backoff_ms * 2, ctx->cfg->reconnect_backoff_max_ms);
    return TW_OK;
}

/* Sessions, one after another, until a stop request (TW_OK) or an error
 * that needs a person (returned, errstr says why). */
static tw_err_t run_sessions(run_ctx_t *ctx, char *errstr, size_t errstr_size)
{
    char where[512];
    int backoff_ms = 500;
    bool busy_logged = false;
    tw_err_t err;

    tw_pg_describe(ctx->cfg, where, sizeof(where));
    while (!tw_signals_stop_requested()) {
        tw_pipeline_stats_t before;

        if (!busy_logged)
            tw_log(TW_LOG_INFO, "PGREPL", "connecting to %s", where);
        tw_pipeline_stats(ctx->pipeline, &before);
        err = open_session(ctx, errstr, errstr_size);
        if (err == TW_OK && busy_logged)
            tw_log(TW_LOG_NOTICE, "PGREPL", "replication slot \"%s\" is free again",
                   ctx->cfg->slot_name);
        if (!ctx->slot_busy)
            busy_logged = false;
        if (err == TW_OK) {
            ctx->streamed_once = true;
            err = stream_loop(ctx, errstr, errstr_size);
        }
        /* A fatal Kafka error ends waits like a stop request does, but it
         * is a failure (exit status 1), not an orderly stop. */
        if ((err == TW_OK || err == TW_ERR_STOPPING) &&
            tw_pipeline_failed(ctx->pipeline, errstr, errstr_size))
            return TW_ERR_KAFKA;
        if (err == TW_OK || err == TW_ERR_STOPPING)
            return TW_OK; /* stop requested */
        if (ctx->slot_busy) {
            /* Not an error: a connector being replaced, or our own previous
             * walsender still exiting. Said once, then waited for. */
            if (!busy_logged)
                tw_log(TW_LOG_WARNING, "PGREPL", "%s; waiting for it to be released", errstr);
            busy_logged = true;
            close_session(ctx);
            for (int waited = 0; waited < 2000 && !tw_signals_stop_requested(); waited += 100)
                sleep_ms(100);
            continue;
        }
        err = before_reconnect(ctx, err, &before, &backoff_ms, errstr, errstr_size);
        if (err)
            return err;
    }
    return TW_OK;
}

/* slot.drop.on.stop, after an orderly stop. */
static void drop_slot(run_ctx_t *ctx)
{
    char errstr[1024];

    tw_repl_stream_destroy(ctx->stream);
    ctx->stream = NULL;
    if (ctx->repl)
        PQfinish(ctx->repl);
    ctx->repl = NULL;
    if (tw_pg_drop_slot(ctx->conn, ctx->cfg->slot_name, errstr, sizeof(errstr)) == TW_OK)
        tw_log(TW_LOG_NOTICE, "PGREPL", "dropped slot \"%s\" (slot.drop.on.stop)",
               ctx->cfg->slot_name);
    else
        tw_log(TW_LOG_WARNING, "PGREPL", "%s", errstr);
}

int tw_cmd_run(int argc, char **argv)
{
    run_ctx_t ctx;
    tw_config_t cfg;
    tw_http_t *http = NULL;
    char errstr[2048];
    int status;
    tw_err_t err;

    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        run_usage(stdout);
        return 0;
    }
    if (argc != 2) {
        run_usage(stderr);
        return 2;
    }
    status = load_config(argv[1], &cfg);
    if (status)
        return status;
    tw_signals_install();

    memset(&ctx, 0, sizeof(ctx));
    ctx.cfg = &cfg;
    ctx.config_path = argv[1];
    err = cfg.exactly_once ? TW_OK : tw_offsets_make_dir(cfg.offsets_file, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_pipeline_new(&cfg, &ctx.pipeline, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_pipeline_start(ctx.pipeline, errstr, sizeof(errstr));
    if (err) {
        fprintf(stderr, "tidewater: %s\n", errstr);
        tw_pipeline_destroy(ctx.pipeline);
        tw_config_clear(&cfg);
        return err == TW_ERR_CONFIG ? 2 : 1;
    }
    tw_pipeline_set_wait(ctx.pipeline, run_wait, &ctx);
    ctx.metrics = tw_metrics_new();
    ctx.snapshot = tw_calloc(1, sizeof(*ctx.snapshot));
    /* Caught up, the mark need not be written more often than the
     * server is told a position. */
    ctx.guard = tw_slot_guard_new(cfg.slot_guard_file, cfg.status_update_interval_ms);
    status = 1;
    if (cfg.metrics_port > 0) {
        err = tw_http_start(cfg.metrics_bind_address, cfg.metrics_port, ctx.metrics,
                            cfg.health_stuck_threshold_ms, &http, errstr, sizeof(errstr));
        if (err) {
            fprintf(stderr, "tidewater: %s\n", errstr);
            status = 2;
            goto cleanup;
        }
        tw_log(TW_LOG_INFO, "HTTP", "serving /metrics and /healthz on %s:%d",
               cfg.metrics_bind_address, cfg.metrics_port);
    }
    err = run_sessions(&ctx, errstr, sizeof(errstr));
    if (err == TW_OK) {
        tw_log(TW_LOG_INFO, "PGREPL", "%s received, stopping",
               tw_signals_stop_reason() ? tw_signals_stop_reason() : "stop");
        status = 0;
    } else {
        tw_log(TW_LOG_ERROR, "PGREPL", "%s", errstr);
        tw_metrics_set_failed(ctx.metrics, errstr);
    }
    tw_metrics_set_state(ctx.metrics, TW_STATE_STOPPING);
    /* Keep what was delivered: store the offsets, confirm acknowledged
     * transactions, never past a failure. */
    if (shutdown_pipeline(&ctx, errstr, sizeof(errstr)) != TW_OK)
        tw_log(TW_LOG_WARNING, "KAFKA", "%s", errstr);
cleanup:
    if (status == 0 && cfg.slot_drop_on_stop && ctx.conn)
        drop_slot(&ctx);
    close_session(&ctx);
    tw_http_stop(http);
    tw_metrics_destroy(ctx.metrics);
    tw_metrics_snapshot_clear(ctx.snapshot);
    free(ctx.snapshot);
    tw_slot_guard_destroy(ctx.guard);
    tw_pipeline_destroy(ctx.pipeline);
    tw_config_clear(&cfg);
    return status;
}
