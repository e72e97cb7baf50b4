/*
 * origin.h — whether a checkpoint may be used with the server tidewater
 * is connected to, and whether the slot can still deliver what follows it.
 *
 * A checkpoint's LSNs make tidewater skip transactions as already
 * delivered and let it confirm the slot; applied to another cluster, a
 * recreated database or slot, a restored backup or a diverged timeline,
 * they skip events that never reached Kafka. So before anything is
 * skipped or confirmed (at start-up and at each reconnect) the checkpoint's
 * origin is compared with IDENTIFY_SYSTEM and pg_replication_slots, and a
 * mismatch stops the connector with a message saying what differs, what
 * may have been lost and how to proceed (`tidewater offsets reset`, the
 * only way to accept another database).
 */
#ifndef TW_ORIGIN_H
#define TW_ORIGIN_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "util/common.h"
#include "config/config.h"
#include "progress/offsets.h"
#include "pg/pg_conn.h"

/* Everything the decision needs, gathered from the checkpoint and the
 * server. */
typedef struct tw_origin_facts {
    const char *where;       /* "offsets file PATH" or "offsets topic T", for messages */
    const char *config_path; /* for the `tidewater offsets reset` hint */
    bool found;              /* a checkpoint exists */
    bool topic_missing;      /* exactly-once: the offsets topic does not exist, or holds no
                              * record at all (not even a first start's) for this connector */
    tw_offset_t offset;
    tw_offset_origin_t origin; /* the checkpoint's (system_id "" in an older one) */
    tw_pg_identity_t server;   /* IDENTIFY_SYSTEM */
    uint32_t database_oid;     /* of the database connected to */
    const char *slot_name;
    tw_pg_slot_info_t slot;
    bool timeline_ancestor;    /* the checkpoint's timeline is in the server's history */
    tw_lsn_t timeline_switch;  /* and ended there */
} tw_origin_facts_t;

typedef struct tw_origin_verdict {
    bool slot_busy;       /* another process streams the slot: wait and retry */
    bool unreserved;      /* wal_status=unreserved: the slot is about to lose WAL */
    bool adopt;           /* the checkpoint lacks (or has an older) identity: record it */
    char notice[1024];    /* something to log at notice level, or "" */
} tw_origin_verdict_t;

/* The decision alone (no I/O): TW_OK, with verdict filled, or TW_ERR_STATE
 * with errstr explaining. A busy slot is TW_OK with slot_busy set. */
tw_err_t tw_origin_check(const tw_origin_facts_t *facts, tw_origin_verdict_t *verdict,
                         char *errstr, size_t errstr_size);

/* Gathers the facts (IDENTIFY_SYSTEM on repl, the slot and database OID on
 * conn, the timeline history when timelines differ) into facts, whose
 * checkpoint fields the caller has set, then decides. server_origin
 * receives the identity to write with the next checkpoint. */
tw_err_t tw_origin_verify(PGconn *conn, PGconn *repl, const tw_config_t *cfg,
                          tw_origin_facts_t *facts, tw_offset_origin_t *server_origin,
                          tw_origin_verdict_t *verdict, char *errstr, size_t errstr_size);

#endif /* TW_ORIGIN_H */
