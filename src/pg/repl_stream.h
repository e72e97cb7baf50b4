/*
 * repl_stream.h — the streaming half of the replication protocol:
 * START_REPLICATION, reading CopyData frames, answering keepalives and
 * sending standby status updates with separate write and flush positions.
 *
 * The write position is what we have received; the flush position is what
 * the caller says is safely handled (for `run`: acknowledged by Kafka) — the
 * only one that lets the server recycle WAL. A flush of 0 tells the server
 * nothing, so the slot does not move.
 */
#ifndef TW_REPL_STREAM_H
#define TW_REPL_STREAM_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/common.h"

typedef struct tw_repl_stream tw_repl_stream_t;

typedef struct tw_repl_options {
    const char *slot_name;
    const char *publication_name;
    tw_lsn_t start_lsn;    /* 0: from the slot's confirmed_flush_lsn */
    int proto_version;     /* 1..4 */
    bool messages;         /* logical decoding messages (PostgreSQL 14+) */
    bool streaming;        /* stream in-progress transactions (proto >= 2) */
    bool binary;           /* binary column values (PostgreSQL 14+) */
    int status_interval_ms;
} tw_repl_options_t;

/* One XLogData frame. `data` is valid until the next tw_repl_stream_read. */
typedef struct tw_repl_msg {
    tw_lsn_t start_lsn; /* WAL position of the decoded change */
    tw_lsn_t wal_end;   /* the server's current end of WAL */
    int64_t send_time;  /* microseconds since 2000-01-01 */
    const uint8_t *data;
    size_t len;
} tw_repl_msg_t;

/* conn is a replication=database connection, borrowed for the stream's
 * lifetime. */
tw_repl_stream_t *tw_repl_stream_new(PGconn *conn);
void tw_repl_stream_destroy(tw_repl_stream_t *stream); /* accepts NULL; leaves conn open */

/* Builds START_REPLICATION (identifiers quoted) and enters COPY mode. */
tw_err_t tw_repl_stream_start(tw_repl_stream_t *stream, const tw_repl_options_t *opts,
                              char *errstr, size_t errstr_size);

/* The START_REPLICATION command for opts (for logs and tests). Owned by the
 * caller (free()). */
char *tw_repl_stream_command(PGconn *conn, const tw_repl_options_t *opts);

/* Waits up to timeout_ms for an XLogData frame. Keepalives are handled here:
 * their wal_end is remembered and a reply is sent when the server asks.
 * Status updates are sent when the interval has passed.
 * Returns TW_OK with *got set when a frame arrived; TW_OK with *got false on
 * timeout; TW_ERR_PG when the connection failed or the server ended COPY. */
tw_err_t tw_repl_stream_read(tw_repl_stream_t *stream, int timeout_ms, tw_repl_msg_t *msg,
                             bool *got, char *errstr, size_t errstr_size);

/* Also wake tw_repl_stream_read when fd becomes readable (-1: none), e.g.
 * for Kafka delivery reports; the read then returns with *got false. */
void tw_repl_stream_set_wake_fd(tw_repl_stream_t *stream, int fd);

/* Called around a wait that includes the wake fd: with sleeping true
 * before it (returning false means work waits already: the read then
 * returns with *got false instead of waiting), with sleeping false after
 * it (return value ignored). See tw_kafka_sink_sleep. */
typedef bool (*tw_repl_sleep_cb)(void *opaque, bool sleeping);
void tw_repl_stream_set_sleep_cb(tw_repl_stream_t *stream, tw_repl_sleep_cb cb, void *opaque);

/* Sets the position reported as flushed from now on (never moves back). */
void tw_repl_stream_set_flush(tw_repl_stream_t *stream, tw_lsn_t flush);
tw_lsn_t tw_repl_stream_flush(const tw_repl_stream_t *stream);
/* Highest WAL end the server reported (in XLogData or keepalives). */
tw_lsn_t tw_repl_stream_server_wal_end(const tw_repl_stream_t *stream);
/* Highest position received (end of the last XLogData frame's start). */
tw_lsn_t tw_repl_stream_received(const tw_repl_stream_t *stream);

/* Sends a status update now. */
tw_err_t tw_repl_stream_send_status(tw_repl_stream_t *stream, bool reply_requested,
                                    char *errstr, size_t errstr_size);

/* Sends a status update if the status interval has passed since the last
 * one, with the positions as they are. For callers busy elsewhere (replaying
 * a streamed transaction, blocked on output): without it the server ends
 * the connection after wal_sender_timeout. */
tw_err_t tw_repl_stream_status_if_due(tw_repl_stream_t *stream, char *errstr,
                                      size_t errstr_size);

/* Ends COPY (CopyDone) after a final status update, and drains results. */
tw_err_t tw_repl_stream_stop(tw_repl_stream_t *stream, char *errstr, size_t errstr_size);

/* Current time in the protocol's unit (microseconds since 2000-01-01). */
int64_t tw_repl_now(void);

#endif /* TW_REPL_STREAM_H */
