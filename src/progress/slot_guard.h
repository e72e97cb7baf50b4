/*
 * slot_guard.h — notices a replication slot that something other than
 * tidewater moved: dropped and created again under the same name,
 * advanced with pg_replication_slot_advance(), or read by another
 * consumer. The server never sends the changes before a slot's confirmed
 * position, so such a slot has skipped them without a word.
 *
 * Before tidewater confirms a position to the server it records, in a
 * small file, the highest position it may have confirmed for this slot of
 * this server and database (the high-water mark). At each connect, a slot
 * confirmed beyond that mark was moved by someone else, and tidewater
 * stops, saying what may have been lost and how to accept it
 * (`tidewater offsets reset`, which removes the file).
 */
#ifndef TW_SLOT_GUARD_H
#define TW_SLOT_GUARD_H

#include <stdbool.h>

#include "util/common.h"
#include "progress/offsets.h"

typedef struct tw_slot_guard tw_slot_guard_t;

/* path: where the mark is kept; settled_interval_ms: how often it may be
 * written while nothing read is undelivered (see tw_slot_guard_allow). */
tw_slot_guard_t *tw_slot_guard_new(const char *path, int settled_interval_ms);
void tw_slot_guard_destroy(tw_slot_guard_t *guard); /* accepts NULL */

/* At each connect, once the slot exists (created: tidewater just created
 * it). TW_ERR_STATE when the slot is confirmed beyond the mark recorded
 * for this server, database and slot; errstr says what happened and what
 * to do (config_path for the reset hint). */
tw_err_t tw_slot_guard_check(tw_slot_guard_t *guard, const tw_offset_origin_t *server,
                             tw_lsn_t slot_confirmed, bool created, const char *config_path,
                             char *errstr, size_t errstr_size);

/* How soon a position beyond the mark may be written down (each write
 * syncs the disk):
 *   BUSY     records are in flight: at most once per
 *            TW_SLOT_GUARD_WRITE_INTERVAL_MS, so a busy stream does not
 *            sync for every transaction;
 *   SETTLED  everything read is delivered: at most once per the
 *            settled interval given to tw_slot_guard_new, so a stream
 *            that has caught up is confirmed about as soon as the server
 *            is next told, not up to a second later;
 *   NOW      a final confirmation before stopping. */
typedef enum tw_guard_pace { TW_GUARD_BUSY, TW_GUARD_SETTLED, TW_GUARD_NOW } tw_guard_pace_t;

/* The position the slot may be confirmed at, at most lsn: lsn once the
 * mark covers it (written first when it does not, paced as above; the
 * mark until then), or lsn when the mark cannot be written (logged once).
 * 0 before tw_slot_guard_check. */
#define TW_SLOT_GUARD_WRITE_INTERVAL_MS 1000
tw_lsn_t tw_slot_guard_allow(tw_slot_guard_t *guard, tw_lsn_t lsn, tw_guard_pace_t pace);

/* The mark recorded at path for slot (0: none); for `tidewater offsets show`. */
tw_lsn_t tw_slot_guard_peek(const char *path, const char *slot);

/* Removes the file at path (missing is fine). */
tw_err_t tw_slot_guard_remove(const char *path, char *errstr, size_t errstr_size);

#endif /* TW_SLOT_GUARD_H */
