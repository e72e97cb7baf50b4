/*
 * changefeed.c — routes each decoded message: transaction boundaries and
 * changes to the sink, schema messages to the relation cache, and streamed
 * chunks through the spool.
 *
 * Relation messages inside a streamed transaction describe the relation as
 * that transaction saw it, which may be older than a description the server
 * sent meanwhile for other transactions (ALTER SCHEMA ... RENAME in another
 * session while the streamed transaction is open). So a replay decodes
 * against its own overlay of relations, and the shared cache only ever
 * takes a description newer, in order of receipt, than the one it holds.
 */
#include "pg/changefeed.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "pg/catalog.h"
#include "config/filter.h"
#include "util/log.h"
#include "pg/spool.h"

/* A Relation message that arrived inside a streamed transaction. When the
 * transaction commits, the server counts the relation as described for
 * everything after it (unless an invalidation intervened, which makes it
 * send a new description anyway), so the newest of these may update the
 * shared cache then — even when the subtransaction it came in rolled back. */
typedef struct spooled_rel {
    uint32_t top_xid;
    uint32_t relid;
    uint64_t seq; /* order of receipt, as tw_rel_t.received_seq */
    uint8_t *data;
    size_t len;
} spooled_rel_t;

struct tw_changefeed {
    tw_sink_t sink;
    tw_pgoutput_t *decoder;
    tw_pgoutput_t *replay_decoder; /* separate scratch: replay runs inside a decode */
    tw_relcache_t *relcache;
    tw_spool_t *spool;
    tw_filter_t *tables;
    tw_filter_t *prefixes;
    tw_buf_t name; /* scratch for "schema.table" */
    PGconn *catalog; /* borrowed; NULL: domain columns stay unresolved */

    bool in_txn;       /* between Begin and Commit */
    tw_txn_t txn;      /* the open (or replaying) transaction */
    tw_lsn_t last_end_lsn; /* end of the last committed transaction, or the LSN of a
                            * later non-transactional message; 0: none yet */
    int64_t last_commit_ts; /* commit time of the last committed transaction */
    char *origin;      /* owned copy for txn.origin */
    bool in_stream;    /* between Stream Start and Stream Stop */
    uint32_t stream_xid;
    const tw_rel_t **truncated; /* scratch for Truncate */
    size_t truncated_cap;

    uint64_t rel_seq;          /* Relation messages received so far */
    tw_relcache_t *overlay;    /* relations described by the replaying transaction */
    spooled_rel_t *spooled;    /* Relation messages of open streamed transactions */
    size_t nspooled, capspooled;
    tw_changefeed_tick_cb tick; /* called now and then during a long replay */
    void *tick_opaque;
};

/* Counts transaction starts across sessions (a feed lives for one): the
 * resend of a transaction whose first delivery a reconnect interrupted
 * gets a new serial, so per-transaction state restarts. */
static uint64_t txn_serial;

static int64_t pg_to_unix_us(int64_t pg_us)
{
    return pg_us + TW_PG_EPOCH_OFFSET_US;
}

tw_err_t tw_changefeed_new(const tw_config_t *cfg, int proto_version, const tw_sink_t *sink,
                           tw_changefeed_t **feed_out, char *errstr, size_t errstr_size)
{
    tw_changefeed_t *feed = tw_calloc(1, sizeof(*feed));
    tw_err_t err;

    *feed_out = NULL;
    feed->sink = *sink;
    feed->decoder = tw_pgoutput_new(proto_version, false);
    feed->replay_decoder = tw_pgoutput_new(proto_version, false);
    feed->relcache = tw_relcache_new();
    feed->spool = tw_spool_new(cfg->spool_dir, cfg->spool_max_bytes);
    err = tw_filter_new(cfg->table_include_list, cfg->table_exclude_list, "table.include.list",
                        "table.exclude.list", &feed->tables, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_filter_new(cfg->message_prefix_include_list, cfg->message_prefix_exclude_list,
                            "message.prefix.include.list", "message.prefix.exclude.list",
                            &feed->prefixes, errstr, errstr_size);
    /* The spool is used only when the server streams. */
    if (err == TW_OK && proto_version >= 2 && cfg->pgoutput_streaming == TW_STREAMING_ON)
        err = tw_spool_check(feed->spool, errstr, errstr_size);
    if (err) {
        tw_changefeed_destroy(feed);
        return err;
    }
    *feed_out = feed;
    return TW_OK;
}

void tw_changefeed_destroy(tw_changefeed_t *feed)
{
    if (feed == NULL)
        return;
    tw_pgoutput_destroy(feed->decoder);
    tw_pgoutput_destroy(feed->replay_decoder);
    tw_relcache_destroy(feed->relcache);
    tw_spool_destroy(feed->spool);
    tw_filter_destroy(feed->tables);
    tw_filter_destroy(feed->prefixes);
    tw_buf_free(&feed->name);
    free(feed->origin);
    free(feed->truncated);
    tw_relcache_destroy(feed->overlay);
    while (feed->nspooled > 0)
        free(feed->spooled[--feed->nspooled].data);
    free(feed->spooled);
    free(feed);
}

void tw_changefeed_resume(tw_changefeed_t *feed, tw_lsn_t last_end_lsn, int64_t last_commit_ts)
{
    feed->last_end_lsn = last_end_lsn;
    feed->last_commit_ts = last_commit_ts;
}

void tw_changefeed_set_tick(tw_changefeed_t *feed, tw_changefeed_tick_cb tick, void *opaque)
{
    feed->tick = tick;
    feed->tick_opaque = opaque;
}

bool tw_changefeed_in_txn(const tw_changefeed_t *feed)
{
    return feed->in_txn;
}

tw_relcache_t *tw_changefeed_relcache(tw_changefeed_t *feed)
{
    return feed->relcache;
}

void tw_changefeed_set_catalog(tw_changefeed_t *feed, PGconn *conn)
{
    feed->catalog = conn;
}

/* Applies a Relation message to `cache` (the shared one, or a replay's
 * overlay); *out is the description it made. */
static tw_err_t apply_relation(tw_changefeed_t *feed, tw_relcache_t *cache,
                               const tw_pgoutput_msg_t *msg, tw_rel_t **out, char *errstr,
                               size_t errstr_size)
{
    tw_rel_t *rel = tw_relcache_update(cache, msg);

    tw_buf_reset(&feed->name);
    tw_buf_printf(&feed->name, "%s.%s", rel->nspname, rel->relname);
    rel->captured = tw_filter_match(feed->tables, feed->name.data);
    *out = rel;
    /* Only captured tables' values are read; a catalog round trip per
     * Relation message of the others would be wasted. */
    if (!rel->captured)
        return TW_OK;
    if (tw_catalog_domain_bases(feed->catalog, rel, errstr, errstr_size) != TW_OK)
        return TW_ERR_PG;
    /* Column defaults become schema defaults, as in Debezium's schemas. */
    return tw_catalog_defaults(feed->catalog, rel, errstr, errstr_size);
}

/* Remembers a Relation message being spooled for top_xid. */
static void remember_spooled_rel(tw_changefeed_t *feed, uint32_t top_xid, uint32_t relid,
                                 const uint8_t *data, size_t len)
{
    spooled_rel_t *sr;

    if (feed->nspooled == feed->capspooled) {
        feed->capspooled = feed->capspooled ? feed->capspooled * 2 : 8;
        feed->spooled = tw_realloc(feed->spooled, feed->capspooled * sizeof(*feed->spooled));
    }
    sr = &feed->spooled[feed->nspooled++];
    sr->top_xid = top_xid;
    sr->relid = relid;
    sr->seq = ++feed->rel_seq;
    sr->data = tw_malloc(len ? len : 1);
    memcpy(sr->data, data, len);
    sr->len = len;
}

/* Forgets top_xid's spooled Relation messages; when `merge`, first gives
 * the shared cache each one newer than what it holds (in order, so the
 * newest wins). */
static tw_err_t settle_spooled_rels(tw_changefeed_t *feed, uint32_t top_xid, bool merge,
                                    char *errstr, size_t errstr_size)
{
    tw_err_t err = TW_OK;
    size_t i, kept = 0;

    for (i = 0; i < feed->nspooled; i++) {
        spooled_rel_t *sr = &feed->spooled[i];
        if (sr->top_xid != top_xid) {
            feed->spooled[kept++] = *sr;
            continue;
        }
        if (merge && err == TW_OK) {
            tw_rel_t *shared = tw_relcache_get(feed->relcache, sr->relid);
            tw_pgoutput_msg_t msg;
            if (shared == NULL || shared->received_seq < sr->seq) {
                err = tw_pgoutput_decode(feed->replay_decoder, sr->data, sr->len, true, &msg,
                                         errstr, errstr_size);
                tw_rel_t *rel;
                if (err == TW_OK)
                    err = apply_relation(feed, feed->relcache, &msg, &rel, errstr, errstr_size);
                if (err == TW_OK)
                    rel->received_seq = sr->seq;
            }
        }
        free(sr->data);
    }
    feed->nspooled = kept;
    return err;
}

static tw_err_t lookup_rel(tw_changefeed_t *feed, uint32_t relid, const char *what,
                           tw_rel_t **rel, char *errstr, size_t errstr_size)
{
    /* A replaying transaction sees its own descriptions first. */
    *rel = feed->overlay ? tw_relcache_get(feed->overlay, relid) : NULL;
    if (*rel == NULL)
        *rel = tw_relcache_get(feed->relcache, relid);
    if (*rel == NULL)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "%s for relation %u, which no Relation message described", what, relid);
    return TW_OK;
}

/* Delivers one change-bearing message (I, U, D, T, M) to the sink. `txn` is
 * NULL for a non-transactional logical message. */
static tw_err_t emit_change(tw_changefeed_t *feed, const tw_txn_t *txn, tw_lsn_t lsn,
                            const tw_pgoutput_msg_t *msg, char *errstr, size_t errstr_size)
{
    tw_change_t change;
    tw_rel_t *rel;
    tw_err_t err;
    uint32_t i;

    memset(&change, 0, sizeof(change));
    change.lsn = lsn;
    switch (msg->type) {
    case TW_PGOUTPUT_INSERT:
        err = lookup_rel(feed, msg->u.insert.relid, "Insert", &rel, errstr, errstr_size);
        if (err || !rel->captured)
            return err;
        change.op = TW_CHANGE_INSERT;
        change.rel = rel;
        change.new_tuple = &msg->u.insert.newtup;
        break;
    case TW_PGOUTPUT_UPDATE:
        err = lookup_rel(feed, msg->u.update.relid, "Update", &rel, errstr, errstr_size);
        if (err || !rel->captured)
            return err;
        change.op = TW_CHANGE_UPDATE;
        change.rel = rel;
        change.old_kind = msg->u.update.old_kind;
        change.old_tuple = msg->u.update.old_kind ? &msg->u.update.oldtup : NULL;
        change.new_tuple = &msg->u.update.newtup;
        break;
    case TW_PGOUTPUT_DELETE:
        err = lookup_rel(feed, msg->u.delete.relid, "Delete", &rel, errstr, errstr_size);
        if (err || !rel->captured)
            return err;
        change.op = TW_CHANGE_DELETE;
        change.rel = rel;
        change.old_kind = msg->u.delete.old_kind;
        change.old_tuple = &msg->u.delete.oldtup;
        break;
    case TW_PGOUTPUT_TRUNCATE:
        change.op = TW_CHANGE_TRUNCATE;
        change.truncate_options = msg->u.truncate.options;
        for (i = 0; i < msg->u.truncate.nrels; i++) {
            err = lookup_rel(feed, msg->u.truncate.relids[i], "Truncate", &rel, errstr,
                             errstr_size);
            if (err)
                return err;
            if (!rel->captured)
                continue;
            change.rel = rel;
            err = feed->sink.change(feed->sink.opaque, txn, &change, errstr, errstr_size);
            if (err)
                return err;
        }
        return TW_OK;
    case TW_PGOUTPUT_MESSAGE:
        if (!tw_filter_match(feed->prefixes, msg->u.message.prefix)) {
            /* Debezium filters messages after it has taken a lone one's
             * position as completely processed (see below). */
            if (txn == NULL)
                feed->last_end_lsn = msg->u.message.lsn ? msg->u.message.lsn : lsn;
            return TW_OK;
        }
        change.op = TW_CHANGE_MESSAGE;
        change.transactional = (msg->u.message.flags & 1) != 0;
        change.lsn = msg->u.message.lsn ? msg->u.message.lsn : lsn;
        change.prefix = msg->u.message.prefix;
        change.content = msg->u.message.content;
        change.content_len = msg->u.message.content_len;
        change.last_commit_ts = feed->last_commit_ts;
        break;
    default:
        return TW_OK;
    }
    err = feed->sink.change(feed->sink.opaque, txn, &change, errstr, errstr_size);
    /* Debezium counts a message outside a transaction as the last position
     * completely processed: the next transaction's source.sequence starts
     * with it. */
    if (err == TW_OK && txn == NULL && change.op == TW_CHANGE_MESSAGE)
        feed->last_end_lsn = change.lsn;
    return err;
}

/* Replays one spooled message of a committed streamed transaction. */
static tw_err_t replay_one(void *opaque, tw_lsn_t lsn, const uint8_t *data, size_t len,
                           char *errstr, size_t errstr_size)
{
    tw_changefeed_t *feed = opaque;
    tw_pgoutput_msg_t msg;
    tw_rel_t *rel;
    tw_err_t err;

    /* Let the caller keep its connection alive through a long replay (one
     * message may take long: a schema to register). The callback only
     * looks at the clock unless an update is due. */
    if (feed->tick) {
        err = feed->tick(feed->tick_opaque, errstr, errstr_size);
        if (err)
            return err;
    }
    err = tw_pgoutput_decode(feed->replay_decoder, data, len, true, &msg, errstr, errstr_size);
    if (err)
        return err;
    switch (msg.type) {
    case TW_PGOUTPUT_RELATION:
        return apply_relation(feed, feed->overlay, &msg, &rel, errstr, errstr_size);
    case TW_PGOUTPUT_TYPE:
        tw_relcache_update_type(feed->relcache, &msg);
        return TW_OK;
    default:
        return emit_change(feed, &feed->txn, lsn, &msg, errstr, errstr_size);
    }
}

static tw_err_t stream_commit(tw_changefeed_t *feed, const tw_pgoutput_msg_t *msg,
                              char *errstr, size_t errstr_size)
{
    tw_err_t err;

    memset(&feed->txn, 0, sizeof(feed->txn));
    feed->txn.xid = msg->u.stream_commit.xid;
    feed->txn.commit_lsn = msg->u.stream_commit.commit_lsn;
    feed->txn.end_lsn = msg->u.stream_commit.end_lsn;
    feed->txn.prev_end_lsn = feed->last_end_lsn;
    feed->last_end_lsn = msg->u.stream_commit.end_lsn;
    feed->last_commit_ts = pg_to_unix_us(msg->u.stream_commit.commit_ts);
    feed->txn.commit_ts = pg_to_unix_us(msg->u.stream_commit.commit_ts);
    feed->txn.streamed = true;
    feed->txn.serial = ++txn_serial;
    feed->in_txn = true;
    feed->overlay = tw_relcache_new();
    tw_relcache_set_server_version(feed->overlay, tw_relcache_server_version(feed->relcache));
    err = feed->sink.begin(feed->sink.opaque, &feed->txn, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_spool_replay(feed->spool, feed->txn.xid, replay_one, feed, errstr,
                              errstr_size);
    if (err == TW_OK)
        err = feed->sink.commit(feed->sink.opaque, &feed->txn, errstr, errstr_size);
    /* The sink is done with the overlay's relations (and their derived
     * state) once the commit returns. */
    tw_relcache_destroy(feed->overlay);
    feed->overlay = NULL;
    if (err == TW_OK)
        err = settle_spooled_rels(feed, feed->txn.xid, true, errstr, errstr_size);
    /* A replay that failed or was stopped (even before the sink could
     * begin: no room in the delivery tracker) leaves the transaction half
     * read, so the slot must not follow the server past its commit. */
    if (err == TW_OK)
        feed->in_txn = false;
    return err;
}

static tw_err_t unexpected(const tw_pgoutput_msg_t *msg, const char *why, char *errstr,
                           size_t errstr_size)
{
    return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "unexpected %s message: %s",
                   tw_pgoutput_msgtype_name(msg->type), why);
}

/* Begin and Commit of a transaction sent whole: opens or closes feed->txn
 * and tells the sink. */
static tw_err_t txn_boundary(tw_changefeed_t *feed, tw_lsn_t lsn, const tw_pgoutput_msg_t *msg,
                             char *errstr, size_t errstr_size)
{
    if (msg->type == TW_PGOUTPUT_BEGIN) {
        if (feed->in_txn)
            return unexpected(msg, "previous transaction has no Commit", errstr, errstr_size);
        memset(&feed->txn, 0, sizeof(feed->txn));
        feed->txn.xid = msg->u.begin.xid;
        feed->txn.begin_lsn = lsn;
        feed->txn.commit_lsn = msg->u.begin.final_lsn;
        feed->txn.prev_end_lsn = feed->last_end_lsn;
        feed->txn.commit_ts = pg_to_unix_us(msg->u.begin.commit_ts);
        free(feed->origin);
        feed->origin = NULL;
        feed->in_txn = true;
        feed->txn.serial = ++txn_serial;
        return feed->sink.begin(feed->sink.opaque, &feed->txn, errstr, errstr_size);
    }
    if (!feed->in_txn)
        return unexpected(msg, "no transaction is open", errstr, errstr_size);
    feed->txn.end_lsn = msg->u.commit.end_lsn;
    feed->last_end_lsn = msg->u.commit.end_lsn;
    feed->last_commit_ts = feed->txn.commit_ts;
    feed->in_txn = false;
    return feed->sink.commit(feed->sink.opaque, &feed->txn, errstr, errstr_size);
}

/* Stream Start / Stop / Commit / Abort of a streamed (in-progress)
 * transaction; its changes wait in the spool until Stream Commit. */
static tw_err_t stream_control(tw_changefeed_t *feed, const tw_pgoutput_msg_t *msg, char *errstr,
                               size_t errstr_size)
{
    switch (msg->type) {
    case TW_PGOUTPUT_STREAM_START:
        if (feed->in_stream)
            return unexpected(msg, "stream already started", errstr, errstr_size);
        feed->in_stream = true;
        feed->stream_xid = msg->u.stream_start.xid;
        return TW_OK;
    case TW_PGOUTPUT_STREAM_STOP:
        if (!feed->in_stream)
            return unexpected(msg, "no stream is open", errstr, errstr_size);
        feed->in_stream = false;
        return TW_OK;
    case TW_PGOUTPUT_STREAM_COMMIT:
        if (feed->in_txn || feed->in_stream)
            return unexpected(msg, "inside another transaction or stream block", errstr,
                              errstr_size);
        return stream_commit(feed, msg, errstr, errstr_size);
    default: /* TW_PGOUTPUT_STREAM_ABORT */
        if (msg->u.stream_abort.subxid == msg->u.stream_abort.xid)
            settle_spooled_rels(feed, msg->u.stream_abort.xid, false, NULL, 0);
        return tw_spool_abort(feed->spool, msg->u.stream_abort.xid, msg->u.stream_abort.subxid,
                              errstr, errstr_size);
    }
}

tw_err_t tw_changefeed_process(tw_changefeed_t *feed, tw_lsn_t lsn, const uint8_t *data, size_t len,
                               char *errstr, size_t errstr_size)
{
    tw_pgoutput_msg_t msg;
    tw_rel_t *rel;
    tw_err_t err;

    err = tw_pgoutput_decode(feed->decoder, data, len, feed->in_stream, &msg, errstr,
                             errstr_size);
    if (err)
        return err;

    /* Inside a stream block everything belongs to the streamed transaction
     * and waits in the spool; schema messages too, since they describe the
     * relation as that (uncommitted) transaction sees it. */
    if (feed->in_stream && msg.has_xid && msg.type != TW_PGOUTPUT_STREAM_START &&
        msg.type != TW_PGOUTPUT_STREAM_COMMIT && msg.type != TW_PGOUTPUT_STREAM_ABORT &&
        msg.type != TW_PGOUTPUT_STREAM_PREPARE) {
        err = tw_spool_append(feed->spool, feed->stream_xid, msg.xid, lsn, data, len, errstr,
                              errstr_size);
        if (err == TW_OK && msg.type == TW_PGOUTPUT_RELATION)
            remember_spooled_rel(feed, feed->stream_xid, msg.u.relation.relid, data, len);
        return err;
    }

    switch (msg.type) {
    case TW_PGOUTPUT_BEGIN:
    case TW_PGOUTPUT_COMMIT: return txn_boundary(feed, lsn, &msg, errstr, errstr_size);
    case TW_PGOUTPUT_ORIGIN:
        free(feed->origin);
        feed->origin = tw_strdup(msg.u.origin.name);
        feed->txn.origin = feed->origin;
        feed->txn.origin_lsn = msg.u.origin.commit_lsn;
        return TW_OK;
    case TW_PGOUTPUT_RELATION:
        err = apply_relation(feed, feed->relcache, &msg, &rel, errstr, errstr_size);
        if (err == TW_OK)
            rel->received_seq = ++feed->rel_seq;
        return err;
    case TW_PGOUTPUT_TYPE:
        tw_relcache_update_type(feed->relcache, &msg);
        return TW_OK;
    case TW_PGOUTPUT_INSERT:
    case TW_PGOUTPUT_UPDATE:
    case TW_PGOUTPUT_DELETE:
    case TW_PGOUTPUT_TRUNCATE:
        if (!feed->in_txn)
            return unexpected(&msg, "change outside a transaction", errstr, errstr_size);
        return emit_change(feed, &feed->txn, lsn, &msg, errstr, errstr_size);
    case TW_PGOUTPUT_MESSAGE:
        if ((msg.u.message.flags & 1) && !feed->in_txn)
            return unexpected(&msg, "transactional message outside a transaction", errstr,
                              errstr_size);
        return emit_change(feed, (msg.u.message.flags & 1) ? &feed->txn : NULL, lsn, &msg,
                           errstr, errstr_size);
    case TW_PGOUTPUT_STREAM_START:
    case TW_PGOUTPUT_STREAM_STOP:
    case TW_PGOUTPUT_STREAM_COMMIT:
    case TW_PGOUTPUT_STREAM_ABORT: return stream_control(feed, &msg, errstr, errstr_size);
    case TW_PGOUTPUT_BEGIN_PREPARE:
    case TW_PGOUTPUT_PREPARE:
    case TW_PGOUTPUT_COMMIT_PREPARED:
    case TW_PGOUTPUT_ROLLBACK_PREPARED:
    case TW_PGOUTPUT_STREAM_PREPARE:
        /* tidewater never asks for two_phase, so a server sending these is
         * not speaking the protocol we negotiated. */
        return unexpected(&msg, "two-phase decoding was not requested", errstr, errstr_size);
    }
    return unexpected(&msg, "not handled", errstr, errstr_size);
}

tw_err_t tw_change_column_value(const tw_rel_t *rel, const tw_pgoutput_tuple_t *tuple,
                                uint16_t col, tw_arena_t *arena, tw_value_t *out, char *errstr,
                                size_t errstr_size)
{
    const tw_pgoutput_col_t *c;
    const tw_rel_col_t *rc;
    char detail[256];
    tw_err_t err;

    if (col >= tuple->ncols || col >= rel->ncols)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "%s.%s: tuple has %u columns, relation %u", rel->nspname, rel->relname,
                       tuple->ncols, rel->ncols);
    c = &tuple->cols[col];
    rc = &rel->cols[col];
    memset(out, 0, sizeof(*out));
    out->type_oid = rc->value_oid;
    switch (c->kind) {
    case TW_PGOUTPUT_COL_NULL:
        out->kind = TW_VALUE_NULL;
        return TW_OK;
    case TW_PGOUTPUT_COL_UNCHANGED_TOAST:
        out->kind = TW_VALUE_UNCHANGED_TOAST;
        return TW_OK;
    case TW_PGOUTPUT_COL_TEXT:
        err = tw_value_from_text(rc->value_oid, rc->value_typmod, c->data, c->len, arena, out,
                                 detail, sizeof(detail));
        break;
    default:
        err = tw_value_from_binary(rc->value_oid, rc->value_typmod, rel->server_version,
                                   (const uint8_t *)c->data, c->len,
                                   arena, out, detail, sizeof(detail));
        break;
    }
    if (err)
        return tw_errf(err, errstr, errstr_size, "%s.%s column %s: %s", rel->nspname,
                       rel->relname, rc->name, detail);
    return TW_OK;
}
