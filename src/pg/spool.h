/*
 * spool.h — keeps the messages of streamed in-progress transactions on disk
 * until their Stream Commit, so memory does not grow with transaction size.
 *
 * With `streaming 'on'` the server sends a large transaction in chunks
 * before it commits; it may still abort, wholly or one subtransaction at a
 * time. Each top-level transaction gets an unlinked temporary file of
 * records (length, LSN, raw pgoutput bytes). Aborting a subtransaction
 * truncates the file at the subtransaction's first record: everything after
 * that point belongs to it or to its children, because a subtransaction
 * released into its parent can no longer be rolled back on its own.
 */
#ifndef TW_SPOOL_H
#define TW_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

/* Errors: TW_ERR_LOCAL when a spool file cannot be created, written or read
 * (reconnecting to the server would only fail the same way), TW_ERR_NOMEM
 * when spool.max.bytes would be exceeded. */
typedef struct tw_spool tw_spool_t;

/* dir: where temporary files go; max_bytes: bound on all spooled bytes
 * together (0 = unlimited). */
tw_spool_t *tw_spool_new(const char *dir, int64_t max_bytes);
/* Discards every spooled transaction. Accepts NULL. */
void tw_spool_destroy(tw_spool_t *spool);

/* Creates and removes a file in the spool directory, so that an unusable
 * directory is reported at start-up rather than at the first streamed
 * transaction. */
tw_err_t tw_spool_check(const tw_spool_t *spool, char *errstr, size_t errstr_size);

/* Appends one message of top-level transaction top_xid, made by
 * (sub)transaction change_xid. */
tw_err_t tw_spool_append(tw_spool_t *spool, uint32_t top_xid, uint32_t change_xid, tw_lsn_t lsn,
                         const uint8_t *msg, size_t len, char *errstr, size_t errstr_size);

/* Stream Abort: subxid == top_xid drops the whole transaction; otherwise the
 * subtransaction's messages (and everything spooled after them) vanish. */
tw_err_t tw_spool_abort(tw_spool_t *spool, uint32_t top_xid, uint32_t subxid, char *errstr,
                        size_t errstr_size);

/* Called for each spooled message in order; `msg` is valid only during the
 * call. A non-zero return stops the replay and is returned. */
typedef tw_err_t (*tw_spool_replay_cb)(void *opaque, tw_lsn_t lsn, const uint8_t *msg,
                                       size_t len, char *errstr, size_t errstr_size);

/* Stream Commit: replays top_xid's messages, then discards them. A
 * transaction never spooled replays nothing. */
tw_err_t tw_spool_replay(tw_spool_t *spool, uint32_t top_xid, tw_spool_replay_cb cb,
                         void *opaque, char *errstr, size_t errstr_size);

/* Bytes currently spooled, and transactions currently open. */
int64_t tw_spool_bytes(const tw_spool_t *spool);
size_t tw_spool_count(const tw_spool_t *spool);

#endif /* TW_SPOOL_H */
