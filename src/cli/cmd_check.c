/*
 * cmd_check.c — each check prints "ok" or "FAIL" with what to fix; the
 * exit status is 0 only when all pass. Nothing is created or altered.
 */
#include "cli/cmd_check.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/connector_load.h"
#include "config/config.h"
#include "util/log.h"
#include "pg/pg_conn.h"
#include "pipeline.h"

typedef struct check_run {
    int failed;
} check_run_t;

static void report(check_run_t *run, const char *what, tw_err_t err, const char *detail)
{
    printf("%-4s %-12s %s\n", err == TW_OK ? "ok" : "FAIL", what, detail);
    if (err != TW_OK)
        run->failed++;
}

static void check_postgres(check_run_t *run, const tw_config_t *cfg, tw_pipeline_t *pipeline)
{
    PGconn *conn = NULL, *repl = NULL;
    char errstr[2048], line[2600], where[512];
    tw_pg_slot_info_t slot;
    bool exists, all_tables;
    int ntables;
    tw_err_t err;

    tw_pg_describe(cfg, where, sizeof(where));
    /* A warning, not a failure: sslmode=prefer is libpq's default too. */
    if (tw_pg_tls_unverified(cfg, errstr, sizeof(errstr)))
        printf("%-4s %-12s %s\n", "WARN", "tls", errstr);
    err = tw_pg_connect(cfg, false, &conn, errstr, sizeof(errstr));
    if (err) {
        report(run, "postgres", err, errstr);
        return;
    }
    snprintf(line, sizeof(line), "connected to %s (server %d)", where, PQserverVersion(conn));
    report(run, "postgres", TW_OK, line);
    err = tw_pg_check_wal_level(conn, errstr, sizeof(errstr));
    report(run, "wal_level", err, err ? errstr : "logical");
    err = tw_pg_check_replication_privilege(conn, cfg->db_user, errstr, sizeof(errstr));
    report(run, "privilege", err, err ? errstr : "the user may read replication slots");

    err = tw_pg_publication_info(conn, cfg->publication_name, &exists, &all_tables, &ntables,
                                 errstr, sizeof(errstr));
    if (err == TW_OK && !exists && cfg->publication_mode == TW_PUBLICATION_DISABLED) {
        snprintf(errstr, sizeof(errstr),
                 "publication \"%s\" does not exist and publication.autocreate.mode=disabled: "
                 "create it or change the mode",
                 cfg->publication_name);
        err = TW_ERR_PG;
    } else if (err == TW_OK) {
        if (!exists)
            snprintf(errstr, sizeof(errstr), "\"%s\" does not exist yet; run creates it (%s)",
                     cfg->publication_name,
                     cfg->publication_mode == TW_PUBLICATION_FILTERED ? "filtered" : "mode");
        else if (all_tables)
            snprintf(errstr, sizeof(errstr), "\"%s\" exists, FOR ALL TABLES",
                     cfg->publication_name);
        else
            snprintf(errstr, sizeof(errstr), "\"%s\" exists with %d table%s",
                     cfg->publication_name, ntables, ntables == 1 ? "" : "s");
    }
    report(run, "publication", err, errstr);

    err = tw_pg_slot_info(conn, cfg->slot_name, &slot, errstr, sizeof(errstr));
    if (err == TW_OK) {
        if (!slot.exists) {
            snprintf(errstr, sizeof(errstr), "\"%s\" does not exist yet; run creates it",
                     cfg->slot_name);
        } else if (strcmp(slot.plugin, "pgoutput") != 0) {
            snprintf(errstr, sizeof(errstr),
                     "\"%s\" uses plugin \"%s\"; tidewater needs pgoutput: drop it or choose "
                     "another slot.name",
                     cfg->slot_name, slot.plugin);
            err = TW_ERR_PG;
        } else if (slot.active) {
            snprintf(errstr, sizeof(errstr),
                     "\"%s\" is in use by server process %d: stop that reader or choose "
                     "another slot.name",
                     cfg->slot_name, slot.active_pid);
            err = TW_ERR_PG;
        } else {
            snprintf(errstr, sizeof(errstr), "\"%s\" exists, confirmed up to " TW_LSN_FMT,
                     cfg->slot_name, TW_LSN_ARGS(slot.confirmed_flush));
        }
    }
    report(run, "slot", err, errstr);

    if (pipeline) {
        err = tw_pipeline_preflight(pipeline, conn, errstr, sizeof(errstr));
        report(run, "outbox", err, err ? errstr : "captured tables have the configured columns");
    }
    err = tw_pg_connect(cfg, true, &repl, errstr, sizeof(errstr));
    report(run, "replication", err, err ? errstr : "replication connection accepted");
    if (repl)
        PQfinish(repl);
    PQfinish(conn);
}

int tw_cmd_check(int argc, char **argv)
{
    check_run_t run = {0};
    tw_config_t cfg;
    tw_pipeline_t *pipeline = NULL;
    char errstr[2048];
    bool config_only = false;
    tw_err_t err;

    if (argc == 3 && strcmp(argv[1], "--config-only") == 0) {
        config_only = true;
        argv++;
        argc--;
    }
    if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: tidewater check [--config-only] CONFIG\n\n"
                "Validates CONFIG and tries PostgreSQL, Kafka and the schema registry\n"
                "without changing anything. Prints one line per check; exits 0 only if\n"
                "all pass. --config-only: validate CONFIG (and print its notes) only.\n");
        return argc == 2 ? 0 : 2;
    }
    /* Library chatter would interleave with the report. */
    tw_log_set_level(TW_LOG_ERROR);
    err = tw_connector_load(argv[1], &cfg, errstr, sizeof(errstr));
    report(&run, "config", err, err ? errstr : argv[1]);
    if (err) {
        tw_config_clear(&cfg);
        printf("1 check failed\n");
        return 1;
    }
    /* Debezium keys accepted without effect: the same lines `run` logs. */
    for (size_t i = 0; i < cfg.nnotes; i++)
        printf("%-4s %-12s %s\n", "note", "config", cfg.notes[i]);
    if (config_only) {
        tw_config_clear(&cfg);
        printf("config is valid\n");
        return 0;
    }
    if (cfg.exactly_once) {
        snprintf(errstr, sizeof(errstr), "offsets topic %s (exactly-once)", cfg.offsets_topic);
    } else {
        snprintf(errstr, sizeof(errstr), "offsets file %s (%s; state.dir %s)", cfg.offsets_file,
                 access(cfg.offsets_file, F_OK) == 0 ? "exists" : "not written yet",
                 cfg.state_dir);
    }
    report(&run, "checkpoint", TW_OK, errstr);
    err = tw_pipeline_new(&cfg, &pipeline, errstr, sizeof(errstr));
    report(&run, "pipeline", err, err ? errstr : "transforms and converters are usable");
    check_postgres(&run, &cfg, pipeline);
    if (pipeline) {
        err = tw_pipeline_ping(pipeline, errstr, sizeof(errstr));
        if (err == TW_OK) {
            char line[2200];
            snprintf(line, sizeof(line), "%s reachable (%s)", cfg.bootstrap_servers, errstr);
            report(&run, "kafka", err, line);
        } else {
            report(&run, "kafka", err, errstr);
        }
        if (cfg.exactly_once) {
            char line[1024];
            /* Not initialized here: that would fence a running instance. */
            snprintf(line, sizeof(line),
                     "transactional.id %s, checkpoints in topic %s (transactions are "
                     "initialized by `tidewater run` only)",
                     cfg.transactional_id, cfg.offsets_topic);
            report(&run, "exactly-once", TW_OK, line);
        }
        errstr[0] = '\0';
        err = tw_pipeline_registry_ping(pipeline, true, errstr, sizeof(errstr));
        report(&run, "registry", err, err ? errstr : (errstr[0] ? errstr : "key registry answers"));
        errstr[0] = '\0';
        err = tw_pipeline_registry_ping(pipeline, false, errstr, sizeof(errstr));
        report(&run, "registry", err,
               err ? errstr : (errstr[0] ? errstr : "value registry answers"));
    }
    tw_pipeline_destroy(pipeline);
    tw_config_clear(&cfg);
    if (run.failed)
        printf("%d check%s failed\n", run.failed, run.failed == 1 ? "" : "s");
    else
        printf("all checks passed\n");
    return run.failed ? 1 : 0;
}
