/*
 * changefeed.h — turns the sequence of pgoutput messages into committed
 * transactions for a sink: begin, each change, commit.
 *
 * It owns the decoder, the relation cache and the spool. Changes of
 * streamed transactions are spooled and reach the sink only at Stream
 * Commit (and never, if the transaction or their subtransaction aborts), so
 * a sink always sees whole committed transactions in commit order, with the
 * relation schemas that applied to them. Tables and message prefixes outside
 * the include/exclude lists are dropped here.
 */
#ifndef TW_CHANGEFEED_H
#define TW_CHANGEFEED_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/common.h"
#include "config/config.h"
#include "pg/pgoutput.h"
#include "pg/relcache.h"
#include "pg/value.h"

typedef struct tw_txn {
    uint32_t xid;
    tw_lsn_t begin_lsn;  /* where the server sent Begin from (the first WAL record); 0 if streamed */
    tw_lsn_t commit_lsn; /* LSN of the commit record (Begin's final LSN) */
    tw_lsn_t end_lsn;    /* end of the commit record; 0 until commit */
    tw_lsn_t prev_end_lsn; /* end_lsn of the transaction committed before this one
                            * (or a lone message's LSN), in this session or as the
                            * checkpoint has it (tw_changefeed_resume); 0: none */
    int64_t commit_ts;   /* microseconds since 1970-01-01 UTC */
    const char *origin;  /* replication origin name, or NULL */
    tw_lsn_t origin_lsn; /* the commit's LSN on the origin (0 without an origin) */
    bool streamed;       /* arrived in chunks before its commit */
    uint64_t serial;     /* distinct for each transaction start read in this process: a
                          * resent transaction is told from its interrupted first delivery */
} tw_txn_t;

typedef enum tw_change_op {
    TW_CHANGE_INSERT = 'c',
    TW_CHANGE_UPDATE = 'u',
    TW_CHANGE_DELETE = 'd',
    TW_CHANGE_TRUNCATE = 't',
    TW_CHANGE_MESSAGE = 'm',
} tw_change_op_t;

/* One change. Everything it points to is valid only during the sink call. */
typedef struct tw_change {
    tw_change_op_t op;
    tw_lsn_t lsn;       /* WAL position of the change */
    const tw_rel_t *rel; /* I, U, D, T (T: one call per truncated relation) */
    char old_kind;       /* 'K' (key columns only) or 'O' (whole row), 0: no old tuple */
    const tw_pgoutput_tuple_t *old_tuple; /* U, D; NULL when the server sent none */
    const tw_pgoutput_tuple_t *new_tuple; /* I, U */
    uint8_t truncate_options;             /* bit 0 CASCADE, bit 1 RESTART IDENTITY */
    bool transactional;                   /* M */
    const char *prefix;                   /* M */
    const char *content;                  /* M, not NUL-terminated */
    uint32_t content_len;
    /* M outside a transaction: the commit time of the last transaction
     * read before it (Debezium's source time for it), 0: none yet. */
    int64_t last_commit_ts;
} tw_change_t;

/* Callbacks; a non-zero return stops processing and is passed up.
 * Non-transactional logical messages arrive through `change` with txn NULL. */
typedef struct tw_sink {
    void *opaque;
    tw_err_t (*begin)(void *opaque, const tw_txn_t *txn, char *errstr, size_t errstr_size);
    tw_err_t (*change)(void *opaque, const tw_txn_t *txn, const tw_change_t *change,
                       char *errstr, size_t errstr_size);
    tw_err_t (*commit)(void *opaque, const tw_txn_t *txn, char *errstr, size_t errstr_size);
} tw_sink_t;

typedef struct tw_changefeed tw_changefeed_t;

/* The sink is copied; its opaque pointer is borrowed. */
tw_err_t tw_changefeed_new(const tw_config_t *cfg, int proto_version, const tw_sink_t *sink,
                           tw_changefeed_t **feed, char *errstr, size_t errstr_size);
void tw_changefeed_destroy(tw_changefeed_t *feed); /* accepts NULL */

/* Feeds one XLogData payload that started at `lsn`. */
tw_err_t tw_changefeed_process(tw_changefeed_t *feed, tw_lsn_t lsn, const uint8_t *data,
                               size_t len, char *errstr, size_t errstr_size);

/* True between a Begin and its Commit (streamed chunks do not count: the
 * server resends a streamed transaction whole if we restart before its
 * commit). */
bool tw_changefeed_in_txn(const tw_changefeed_t *feed);

tw_relcache_t *tw_changefeed_relcache(tw_changefeed_t *feed);

/* Called before each message of a streamed transaction being replayed
 * (which may take long, with no reads from the server), so the caller can
 * send standby status updates when due; keep it cheap. A non-zero return stops the
 * replay and is passed up. */
typedef tw_err_t (*tw_changefeed_tick_cb)(void *opaque, char *errstr, size_t errstr_size);
void tw_changefeed_set_tick(tw_changefeed_t *feed, tw_changefeed_tick_cb tick, void *opaque);
/* The last transaction read before this feed started: its end LSN (or a
 * non-transactional message's LSN) and commit time, as a checkpoint keeps
 * them. The first transaction's source.sequence then starts with that LSN,
 * and a message read before any transaction takes that time, as in one
 * session (and as Debezium's do after a restart). */
void tw_changefeed_resume(tw_changefeed_t *feed, tw_lsn_t last_end_lsn, int64_t last_commit_ts);
/* A normal (non-replication) connection for catalog lookups the protocol
 * does not cover (a domain column's base type, whether a type is an enum);
 * borrowed, must outlive the feed's use of it. Without one, domain and enum
 * columns read as types without a mapping. */
void tw_changefeed_set_catalog(tw_changefeed_t *feed, PGconn *conn);

/* Typed value of column `col` of a tuple, using the relation's type for it.
 * NULL and unchanged-TOAST columns come back as those kinds. */
tw_err_t tw_change_column_value(const tw_rel_t *rel, const tw_pgoutput_tuple_t *tuple,
                                uint16_t col, tw_arena_t *arena, tw_value_t *out, char *errstr,
                                size_t errstr_size);

#endif /* TW_CHANGEFEED_H */
