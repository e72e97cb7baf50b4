/*
 * confirm.h — the delivery rule, in one place: how far the replication
 * slot may be confirmed, and which resent events a checkpoint already
 * covers.
 *
 * The position confirmed to PostgreSQL (and written to a checkpoint) is
 * never beyond
 *   (a) what this connection received from this server, and
 *   (b) the newest transaction or message whose records Kafka holds along
 *       with everything before it (committed, in exactly-once mode) —
 * except that while nothing read is undelivered, the slot may follow the
 * server's reported WAL end, so an idle slot never pins WAL. That idle
 * promotion is allowed only while the pipeline is healthy: never with a
 * record in flight or a transaction half read, never after a failure or an
 * aborted Kafka transaction in this session.
 *
 * Skips follow PostgreSQL's own rules, so tidewater and the server agree on
 * what a position covers: a transaction is done when its commit LSN is
 * before the position; a non-transactional message (whose LSN is the end
 * of its WAL record) when its LSN is at or before it.
 */
#ifndef TW_CONFIRM_H
#define TW_CONFIRM_H

#include <stdbool.h>

#include "util/common.h"

typedef struct tw_confirm_state {
    tw_lsn_t delivered; /* (b); 0 before anything was delivered */
    tw_lsn_t received;  /* (a): highest XLogData or keepalive position */
    bool settled;       /* nothing read is undelivered, and the session is healthy */
} tw_confirm_state_t;

/* The position the slot may be confirmed at now (0: confirm nothing). */
tw_lsn_t tw_confirm_position(const tw_confirm_state_t *state);

/* A transaction committed at commit_lsn is covered by position. */
bool tw_confirm_txn_done(tw_lsn_t commit_lsn, tw_lsn_t position);

/* A non-transactional logical message at lsn is covered by position. */
bool tw_confirm_message_done(tw_lsn_t lsn, tw_lsn_t position);

#endif /* TW_CONFIRM_H */
