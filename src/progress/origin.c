/*
 * origin.c — comparing a checkpoint's origin with the server, and the
 * replication slot's health.
 */
#include "progress/origin.h"

#include <stdio.h>
#include <string.h>

/* The way out, named in every refusal. */
static const char *reset_hint(const tw_origin_facts_t *f, char *buf, size_t size)
{
    snprintf(buf, size, "`tidewater offsets reset %s --yes`",
             f->config_path ? f->config_path : "CONFIG");
    return buf;
}

static tw_err_t refuse_lost_slot(const tw_origin_facts_t *f, char *errstr, size_t errstr_size)
{
    char hint[1200];

    return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                   "replication slot \"%s\" was invalidated by the server (wal_status=lost, "
                   "usually max_slot_wal_keep_size): the WAL after " TW_LSN_FMT
                   " it still needed was removed, so the changes committed since then can no "
                   "longer be read and are missing from Kafka. To go on from now and accept "
                   "the gap: drop the slot (SELECT pg_drop_replication_slot('%s')), run %s, "
                   "and start again; then re-synchronize consumers for the missing period",
                   f->slot_name, TW_LSN_ARGS(f->slot.restart_lsn), f->slot_name,
                   reset_hint(f, hint, sizeof(hint)));
}

/* The checkpoint's identity against the server's; TW_OK or a refusal. */
static tw_err_t check_identity(const tw_origin_facts_t *f, tw_origin_verdict_t *v, char *errstr,
                               size_t errstr_size)
{
    const tw_offset_origin_t *o = &f->origin;
    char hint[1200];

    if (strcmp(o->system_id, f->server.system_id) != 0)
        return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                       "%s was written for PostgreSQL system %s, but this server is system %s "
                       "(another cluster, or one re-created or restored from a backup): its "
                       "position (commit " TW_LSN_FMT ") means nothing here, and using it could "
                       "skip transactions never sent to Kafka. Nothing was skipped or "
                       "confirmed. If this server is the one to stream from, run %s (changes "
                       "the old server had after that checkpoint and the new one never "
                       "streamed are not recovered) and start again",
                       f->where, o->system_id, f->server.system_id,
                       TW_LSN_ARGS(f->offset.commit_lsn), reset_hint(f, hint, sizeof(hint)));
    if (strcmp(o->database, f->server.dbname) != 0 ||
        (o->database_oid != 0 && f->database_oid != 0 && o->database_oid != f->database_oid))
        return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                       "%s was written for database \"%s\" (OID %u), but tidewater is connected "
                       "to database \"%s\" (OID %u)%s: its position (commit " TW_LSN_FMT
                       ") belongs to the other database, and using it could skip transactions "
                       "never sent to Kafka. Nothing was skipped or confirmed. If this database "
                       "is the one to stream from, run %s and start again",
                       f->where, o->database, (unsigned)o->database_oid, f->server.dbname,
                       (unsigned)f->database_oid,
                       strcmp(o->database, f->server.dbname) == 0
                           ? " (the database was dropped and created again)"
                           : "",
                       TW_LSN_ARGS(f->offset.commit_lsn), reset_hint(f, hint, sizeof(hint)));
    if (o->timeline != f->server.timeline) {
        if (o->timeline < f->server.timeline && f->timeline_ancestor &&
            f->offset.end_lsn <= f->timeline_switch) {
            snprintf(v->notice, sizeof(v->notice),
                     "%s was written on timeline %u; the server is on timeline %u since "
                     TW_LSN_FMT " (a promotion), after the checkpoint's " TW_LSN_FMT
                     ", so it still applies",
                     f->where, (unsigned)o->timeline, (unsigned)f->server.timeline,
                     TW_LSN_ARGS(f->timeline_switch), TW_LSN_ARGS(f->offset.end_lsn));
            v->adopt = true;
            return TW_OK;
        }
        if (o->timeline < f->server.timeline && f->timeline_ancestor)
            return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                           "%s reaches " TW_LSN_FMT " on timeline %u, but this server left that "
                           "timeline at " TW_LSN_FMT " (a failover or point-in-time recovery): "
                           "transactions after that point were delivered to Kafka from WAL "
                           "this server does not have, and its own transactions there would be "
                           "skipped as delivered. Nothing was skipped or confirmed. Check Kafka "
                           "for events the database no longer has, then run %s and start "
                           "again",
                           f->where, TW_LSN_ARGS(f->offset.end_lsn), (unsigned)o->timeline,
                           TW_LSN_ARGS(f->timeline_switch), reset_hint(f, hint, sizeof(hint)));
        return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                       "%s was written on timeline %u, which is not in the history of this "
                       "server's timeline %u (a restore from backup or an unrelated standby): "
                       "its position (commit " TW_LSN_FMT ") does not describe this WAL. "
                       "Nothing was skipped or confirmed. If this server is the one to stream "
                       "from, run %s and start again",
                       f->where, (unsigned)o->timeline, (unsigned)f->server.timeline,
                       TW_LSN_ARGS(f->offset.commit_lsn), reset_hint(f, hint, sizeof(hint)));
    }
    return TW_OK;
}

tw_err_t tw_origin_check(const tw_origin_facts_t *f, tw_origin_verdict_t *v, char *errstr,
                         size_t errstr_size)
{
    char hint[1200];
    tw_err_t err;

    memset(v, 0, sizeof(*v));
    if (f->slot.exists && f->slot.active) {
        v->slot_busy = true;
        return TW_OK;
    }
    if (f->slot.exists && strcmp(f->slot.wal_status, "lost") == 0)
        return refuse_lost_slot(f, errstr, errstr_size);
    v->unreserved = f->slot.exists && strcmp(f->slot.wal_status, "unreserved") == 0;

    if (!f->found) {
        /* A slot created beforehand and never read is a first start. */
        if (f->topic_missing && f->slot.exists && f->slot.decoded)
            return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                           "%s does not exist or holds no record of this connector, but "
                           "replication slot \"%s\" does (confirmed up to " TW_LSN_FMT
                           "): the topic holding the checkpoint was deleted (or another "
                           "offset.storage.topic is configured, or the broker does not show it "
                           "yet), and starting without it could send events again or, if the "
                           "slot was advanced, skip them. If the topic is only unavailable, "
                           "wait and start again; if you accept starting from the slot's "
                           "position, run %s",
                           f->where, f->slot_name, TW_LSN_ARGS(f->slot.confirmed_flush),
                           reset_hint(f, hint, sizeof(hint)));
        return TW_OK;
    }
    /* What differs says more than a position or a missing slot does. */
    if (f->origin.system_id[0]) {
        err = check_identity(f, v, errstr, errstr_size);
        if (err)
            return err;
    }
    if (f->offset.end_lsn > f->server.xlogpos)
        return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                       "%s says delivered through commit " TW_LSN_FMT " (end " TW_LSN_FMT
                       "), beyond this server's current WAL position " TW_LSN_FMT
                       ": it was written by another server, or before this one was restored or "
                       "re-created, and using it would skip every transaction up to there "
                       "without sending it and confirm the slot past the server's WAL. Nothing "
                       "was skipped or confirmed. If this server is the one to stream from, "
                       "run %s and start again",
                       f->where, TW_LSN_ARGS(f->offset.commit_lsn), TW_LSN_ARGS(f->offset.end_lsn),
                       TW_LSN_ARGS(f->server.xlogpos), reset_hint(f, hint, sizeof(hint)));
    if (!f->slot.exists)
        return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                       "replication slot \"%s\" does not exist, but %s says delivered through "
                       "commit " TW_LSN_FMT ": the slot was dropped (or this is another "
                       "server), so the changes committed after that checkpoint may be gone, "
                       "and creating a fresh slot would skip them silently. Nothing was "
                       "created. If you accept the gap (and re-synchronize consumers for it), "
                       "run %s and start again; a new slot is then created at the server's "
                       "current position",
                       f->slot_name, f->where, TW_LSN_ARGS(f->offset.commit_lsn),
                       reset_hint(f, hint, sizeof(hint)));
    if (f->origin.system_id[0] == '\0') {
        snprintf(v->notice, sizeof(v->notice),
                 "%s records no server identity (written by an older tidewater); accepted "
                 "because its position " TW_LSN_FMT " is within this server's WAL (" TW_LSN_FMT
                 "); the identity is recorded with the next checkpoint",
                 f->where, TW_LSN_ARGS(f->offset.end_lsn), TW_LSN_ARGS(f->server.xlogpos));
        v->adopt = true;
        return TW_OK;
    }
    return TW_OK;
}

tw_err_t tw_origin_verify(PGconn *conn, PGconn *repl, const tw_config_t *cfg,
                          tw_origin_facts_t *f, tw_offset_origin_t *server_origin,
                          tw_origin_verdict_t *verdict, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    f->slot_name = cfg->slot_name;
    err = tw_pg_identify_system(repl, &f->server, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_pg_database_oid(conn, &f->database_oid, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_pg_slot_info(conn, cfg->slot_name, &f->slot, errstr, errstr_size);
    if (err == TW_OK && f->found && f->origin.system_id[0] &&
        f->origin.timeline != f->server.timeline)
        err = tw_pg_timeline_switchpoint(repl, f->server.timeline, f->origin.timeline,
                                         &f->timeline_ancestor, &f->timeline_switch, errstr,
                                         errstr_size);
    if (err)
        return err;
    memset(server_origin, 0, sizeof(*server_origin));
    snprintf(server_origin->system_id, sizeof(server_origin->system_id), "%s",
             f->server.system_id);
    server_origin->timeline = f->server.timeline;
    snprintf(server_origin->database, sizeof(server_origin->database), "%s", f->server.dbname);
    server_origin->database_oid = f->database_oid;
    snprintf(server_origin->slot, sizeof(server_origin->slot), "%s", cfg->slot_name);
    return tw_origin_check(f, verdict, errstr, errstr_size);
}
