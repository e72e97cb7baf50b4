/*
 * cmd_offsets.c — showing and resetting the checkpoint.
 *
 * show reads the checkpoint (file, or offsets topic without initializing
 * transactions, so a running connector is not fenced) and the server's
 * identity and slot, and says whether `run` would accept them. reset
 * removes the offsets file, or in exactly-once mode commits a reset record
 * of the next generation to the offsets topic with the connector's
 * transactional.id (fencing a connector still running with it).
 */
#include "cli/cmd_offsets.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cli/connector_load.h"
#include "util/buf.h"
#include "config/config.h"
#include "kafka/kafka_sink.h"
#include "util/log.h"
#include "progress/offsets.h"
#include "progress/offsets_topic.h"
#include "progress/origin.h"
#include "progress/slot_guard.h"
#include "pg/pg_conn.h"

static void offsets_usage(FILE *out)
{
    fprintf(out,
            "usage: tidewater offsets show CONFIG\n"
            "       tidewater offsets reset CONFIG --yes\n"
            "\n"
            "show: prints the checkpoint (the position delivered to Kafka), the server,\n"
            "database and slot it was written for, the slot's state, and whether\n"
            "`tidewater run` would accept it. Exits 0 when it would.\n"
            "\n"
            "reset: discards the checkpoint — removes the offsets file, or in\n"
            "exactly-once mode commits a reset record to the offsets topic — so the\n"
            "next run starts from the slot's position (or creates the slot at the\n"
            "server's current position). Events between the checkpoint and that\n"
            "position are then not sent (or sent again). Stop the connector first.\n"
            "The only way to make tidewater accept a checkpoint's loss, another\n"
            "server or another database. Refuses without --yes.\n");
}

/* The checkpoint as stored. */
typedef struct stored {
    char where[1024];
    bool found, topic_missing, reset;
    int64_t generation;
    tw_offset_t offset;
    tw_offset_origin_t origin;
} stored_t;

static tw_err_t read_checkpoint(const tw_config_t *cfg, stored_t *st, char *errstr,
                                size_t errstr_size)
{
    tw_offsets_topic_state_t ts;
    tw_buf_t key = TW_BUF_INIT;
    tw_err_t err;

    memset(st, 0, sizeof(*st));
    if (!cfg->exactly_once) {
        snprintf(st->where, sizeof(st->where), "offsets file %s", cfg->offsets_file);
        return tw_offsets_load(cfg->offsets_file, cfg->slot_name, &st->offset, &st->origin,
                               &st->found, errstr, errstr_size);
    }
    tw_offsets_topic_key(cfg->name, cfg->slot_name, &key);
    snprintf(st->where, sizeof(st->where), "offsets topic %s (key %s)", cfg->offsets_topic,
             key.data);
    err = tw_offsets_topic_load(cfg->bootstrap_servers, cfg->producer, cfg->offsets_topic, key.data,
                                cfg->slot_name, 30000, &ts, errstr, errstr_size);
    tw_buf_free(&key);
    if (err)
        return err;
    st->found = ts.found;
    st->topic_missing = ts.topic_missing;
    st->reset = ts.reset;
    st->generation = ts.generation;
    st->offset = ts.offset;
    st->origin = ts.origin;
    return TW_OK;
}

static void format_time(int64_t us, char *out, size_t size)
{
    time_t secs = (time_t)(us / 1000000);
    struct tm tm;

    if (us <= 0 || gmtime_r(&secs, &tm) == NULL) {
        snprintf(out, size, "unknown");
        return;
    }
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_checkpoint(const tw_config_t *cfg, const stored_t *st)
{
    char when[64];

    printf("%-12s %s (%s)\n", "checkpoint", st->where,
           cfg->exactly_once ? "exactly-once" : "at-least-once");
    if (!st->found) {
        printf("%-12s none: %s\n", "position",
               st->topic_missing ? "the topic does not exist"
               : st->reset       ? "reset by `tidewater offsets reset`; run starts from the slot"
               : cfg->exactly_once ? "no record for this connector and slot"
                                   : "the file does not exist");
        return;
    }
    format_time(st->offset.commit_ts, when, sizeof(when));
    printf("%-12s delivered through commit " TW_LSN_FMT " (end " TW_LSN_FMT "), committed %s\n",
           "position", TW_LSN_ARGS(st->offset.commit_lsn), TW_LSN_ARGS(st->offset.end_lsn), when);
    if (st->origin.system_id[0])
        printf("%-12s system %s, timeline %u, database \"%s\" (OID %u), slot \"%s\"\n",
               "written for", st->origin.system_id, (unsigned)st->origin.timeline,
               st->origin.database, (unsigned)st->origin.database_oid, st->origin.slot);
    else
        printf("%-12s slot \"%s\"; no server identity (written by an older tidewater)\n",
               "written for", st->origin.slot);
    if (tw_slot_guard_peek(cfg->slot_guard_file, cfg->slot_name) != 0)
        printf("%-12s the slot was never confirmed beyond " TW_LSN_FMT " by tidewater (%s)\n",
               "high-water", TW_LSN_ARGS(tw_slot_guard_peek(cfg->slot_guard_file, cfg->slot_name)),
               cfg->slot_guard_file);
}

static void print_slot(const char *name, const tw_pg_slot_info_t *slot)
{
    if (!slot->exists) {
        printf("%-12s \"%s\" does not exist\n", "slot", name);
        return;
    }
    printf("%-12s \"%s\" in database \"%s\" (OID %u): confirmed_flush_lsn " TW_LSN_FMT
           ", restart_lsn " TW_LSN_FMT ", wal_status %s, %s",
           "slot", name, slot->database, (unsigned)slot->database_oid,
           TW_LSN_ARGS(slot->confirmed_flush), TW_LSN_ARGS(slot->restart_lsn),
           slot->wal_status[0] ? slot->wal_status : "(unknown)",
           slot->active ? "active" : "inactive");
    if (slot->active)
        printf(" (server process %d)", slot->active_pid);
    printf("\n");
}

static int offsets_show(const tw_config_t *cfg, const char *config_path)
{
    PGconn *conn = NULL, *repl = NULL;
    tw_origin_facts_t facts;
    tw_origin_verdict_t verdict;
    tw_offset_origin_t server;
    stored_t st;
    char errstr[2048];
    int status = 1;
    tw_err_t err;

    err = read_checkpoint(cfg, &st, errstr, sizeof(errstr));
    if (err) {
        fprintf(stderr, "tidewater: %s\n", errstr);
        return 1;
    }
    print_checkpoint(cfg, &st);
    err = tw_pg_connect(cfg, false, &conn, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_pg_connect(cfg, true, &repl, errstr, sizeof(errstr));
    if (err) {
        printf("%-12s unreachable: %s\n", "server", errstr);
        goto cleanup;
    }
    memset(&facts, 0, sizeof(facts));
    facts.where = st.where;
    facts.config_path = config_path;
    facts.found = st.found;
    facts.topic_missing = st.topic_missing;
    facts.offset = st.offset;
    facts.origin = st.origin;
    err = tw_origin_verify(conn, repl, cfg, &facts, &server, &verdict, errstr, sizeof(errstr));
    if (facts.server.system_id[0]) {
        printf("%-12s system %s, timeline %u, database \"%s\" (OID %u), WAL at " TW_LSN_FMT "\n",
               "server", facts.server.system_id, (unsigned)facts.server.timeline,
               facts.server.dbname, (unsigned)facts.database_oid,
               TW_LSN_ARGS(facts.server.xlogpos));
        print_slot(cfg->slot_name, &facts.slot);
    }
    if (err == TW_ERR_STATE) {
        printf("%-12s REFUSED: %s\n", "verdict", errstr);
    } else if (err) {
        printf("%-12s cannot tell: %s\n", "verdict", errstr);
    } else {
        if (verdict.unreserved)
            printf("%-12s the slot's WAL is unreserved: it will be invalidated unless it "
                   "catches up\n",
                   "warning");
        if (verdict.notice[0])
            printf("%-12s %s\n", "note", verdict.notice);
        printf("%-12s ok: `tidewater run` would %s%s\n", "verdict",
               st.found ? "skip what the checkpoint says was delivered"
                        : "start from the slot's position",
               verdict.slot_busy ? " once the slot is free (it is in use now)" : "");
        status = 0;
    }
cleanup:
    if (repl)
        PQfinish(repl);
    if (conn)
        PQfinish(conn);
    return status;
}

/* The slot must not be streamed while its checkpoint is reset: the running
 * connector would write the file again. Unreachable PostgreSQL is no
 * reason to refuse (a reset may be what a lost server calls for). */
static bool connector_running(const tw_config_t *cfg)
{
    PGconn *conn = NULL;
    tw_pg_slot_info_t slot;
    char errstr[1024];
    bool running = false;

    if (tw_pg_connect(cfg, false, &conn, errstr, sizeof(errstr)) != TW_OK) {
        fprintf(stderr, "tidewater: note: cannot check whether the slot is in use (%s)\n",
                errstr);
        return false;
    }
    if (tw_pg_slot_info(conn, cfg->slot_name, &slot, errstr, sizeof(errstr)) == TW_OK &&
        slot.exists && slot.active) {
        fprintf(stderr,
                "tidewater: replication slot \"%s\" is being streamed by server process %d: "
                "stop the connector before resetting its offsets\n",
                cfg->slot_name, slot.active_pid);
        running = true;
    }
    PQfinish(conn);
    return running;
}

static int reset_file(const tw_config_t *cfg)
{
    char *copy, *dir;
    int fd;

    if (unlink(cfg->offsets_file) != 0) {
        if (errno == ENOENT) {
            printf("offsets file %s does not exist; nothing to reset\n", cfg->offsets_file);
            return 0;
        }
        fprintf(stderr, "tidewater: cannot remove offsets file %s: %s\n", cfg->offsets_file,
                strerror(errno));
        return 1;
    }
    copy = tw_strdup(cfg->offsets_file);
    dir = dirname(copy);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
    printf("removed offsets file %s; the next run starts from the slot's position\n",
           cfg->offsets_file);
    return 0;
}

static void ignore_report(void *opaque, const tw_kafka_report_t *report)
{
    (void)opaque;
    (void)report;
}

/* A reset record of the next generation, committed with the connector's
 * transactional.id: a newer generation than any checkpoint, so start-up
 * takes it as the newest, whatever partition holds what. */
static int reset_topic(const tw_config_t *cfg, const stored_t *st)
{
    tw_kafka_sink_t *sink = NULL;
    tw_kafka_record_t rec;
    tw_buf_t key = TW_BUF_INIT, value = TW_BUF_INIT;
    struct timeval tv;
    char errstr[1024];
    tw_err_t err;
    int status = 1;

    if (st->topic_missing)
        tw_offsets_topic_create(cfg->bootstrap_servers, cfg->producer, cfg->offsets_topic, 5000);
    err = tw_kafka_sink_new(cfg->bootstrap_servers, cfg->producer, cfg->transactional_id,
                            ignore_report, NULL, &sink, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_kafka_sink_init_txns(sink, 30000, errstr, sizeof(errstr));
    if (err == TW_OK)
        err = tw_kafka_sink_begin_txn(sink, errstr, sizeof(errstr));
    if (err == TW_OK) {
        gettimeofday(&tv, NULL);
        tw_offsets_topic_key(cfg->name, cfg->slot_name, &key);
        tw_offsets_topic_reset_value(cfg->slot_name, st->generation + 1,
                                     (int64_t)tv.tv_sec * 1000000 + tv.tv_usec, &value);
        memset(&rec, 0, sizeof(rec));
        rec.topic = cfg->offsets_topic;
        rec.partition = TW_KAFKA_PARTITION_ANY;
        rec.key = key.data;
        rec.key_len = key.len;
        rec.value = value.data;
        rec.value_len = value.len;
        err = tw_kafka_sink_produce(sink, &rec, errstr, sizeof(errstr));
    }
    if (err == TW_OK)
        err = tw_kafka_sink_commit_txn(sink, 30000, errstr, sizeof(errstr));
    if (err) {
        fprintf(stderr, "tidewater: cannot write the reset record to offsets topic %s: %s\n",
                cfg->offsets_topic, errstr);
    } else {
        printf("committed a reset record (generation %lld) to offsets topic %s; the next run "
               "starts from the slot's position\n",
               (long long)(st->generation + 1), cfg->offsets_topic);
        status = 0;
    }
    tw_kafka_sink_destroy(sink);
    tw_buf_free(&key);
    tw_buf_free(&value);
    return status;
}

static int offsets_reset(const tw_config_t *cfg, const char *config_path, bool yes)
{
    stored_t st;
    char errstr[2048];
    tw_err_t err;
    int status;

    err = read_checkpoint(cfg, &st, errstr, sizeof(errstr));
    if (err && cfg->exactly_once) {
        fprintf(stderr, "tidewater: %s\n", errstr);
        return 1;
    }
    if (err) /* an unreadable file can be reset too */
        printf("%-12s %s is unreadable: %s\n", "checkpoint", cfg->offsets_file, errstr);
    else
        print_checkpoint(cfg, &st);
    if (!yes) {
        fprintf(stderr,
                "tidewater: not resetting without --yes. A reset makes the next run start "
                "from the slot's position (or create the slot at the server's current "
                "position): events committed between the checkpoint and there are not sent, "
                "or are sent again. Stop the connector, then run `tidewater offsets reset %s "
                "--yes`\n",
                config_path);
        return 1;
    }
    if (connector_running(cfg))
        return 1;
    status = cfg->exactly_once ? reset_topic(cfg, &st) : reset_file(cfg);
    if (status == 0 && access(cfg->slot_guard_file, F_OK) == 0) {
        /* The mark belongs to the history just discarded: a slot moved
         * since is accepted from now on. */
        if (tw_slot_guard_remove(cfg->slot_guard_file, errstr, sizeof(errstr)) != TW_OK) {
            fprintf(stderr, "tidewater: %s\n", errstr);
            return 1;
        }
        printf("removed the slot's high-water mark %s\n", cfg->slot_guard_file);
    }
    return status;
}

int tw_cmd_offsets(int argc, char **argv)
{
    const char *action = argc > 1 ? argv[1] : NULL, *config_path = NULL;
    tw_config_t cfg;
    char errstr[2048];
    bool yes = false;
    int i, status;
    tw_err_t err;

    if (action && (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0)) {
        offsets_usage(stdout);
        return 0;
    }
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--yes") == 0 && action && strcmp(action, "reset") == 0)
            yes = true;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            offsets_usage(stdout);
            return 0;
        } else if (config_path == NULL && argv[i][0] != '-')
            config_path = argv[i];
        else {
            offsets_usage(stderr);
            return 2;
        }
    }
    if (action == NULL || config_path == NULL ||
        (strcmp(action, "show") != 0 && strcmp(action, "reset") != 0)) {
        offsets_usage(stderr);
        return 2;
    }
    /* Library chatter would interleave with the report. */
    tw_log_set_level(TW_LOG_ERROR);
    err = tw_connector_load(config_path, &cfg, errstr, sizeof(errstr));
    if (err) {
        fprintf(stderr, "tidewater: %s\n", errstr);
        tw_config_clear(&cfg);
        return 2;
    }
    if (cfg.exactly_once && cfg.bootstrap_servers == NULL) {
        fprintf(stderr, "tidewater: bootstrap.servers is required to read offsets topic %s\n",
                cfg.offsets_topic);
        tw_config_clear(&cfg);
        return 2;
    }
    status = strcmp(action, "show") == 0 ? offsets_show(&cfg, config_path)
                                         : offsets_reset(&cfg, config_path, yes);
    tw_config_clear(&cfg);
    return status;
}
