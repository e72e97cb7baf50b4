/*
 * offsets.h — the persisted checkpoint: the commit LSN of the newest source
 * transaction whose records Kafka has all acknowledged, and where it came
 * from.
 *
 * PostgreSQL resends from the slot's confirmed_flush_lsn after a restart,
 * which lags behind what was delivered by up to a status interval; the
 * offsets file lets tidewater skip the transactions it already delivered,
 * so an orderly restart produces no duplicates and a crash at most the
 * unacknowledged window.
 *
 * An LSN means something only on the server (and timeline) that wrote it:
 * the origin names the server, database and slot, so a checkpoint is never
 * applied to a database it does not describe (origin.h decides).
 *
 * Written atomically: a temporary file with a unique name in the same
 * directory (mode 0600, never through a symlink), fsync, rename, fsync of
 * the directory.
 */
#ifndef TW_OFFSETS_H
#define TW_OFFSETS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/common.h"

typedef struct tw_offset {
    tw_lsn_t commit_lsn; /* newest delivered transaction's commit LSN */
    tw_lsn_t end_lsn;    /* and its end LSN (where the slot may be confirmed) */
    int64_t commit_ts;   /* microseconds since 1970 */
    /* The commit time of the newest transaction through end_lsn: commit_ts,
     * unless the newest unit was a non-transactional message (which has
     * none of its own). A restart resumes with it and end_lsn as the last
     * transaction read, as Debezium resumes from its stored offsets:
     * end_lsn opens source.sequence, and this is the source.ts_ms of a
     * message read before any transaction. 0 when unknown. */
    int64_t txn_commit_ts;
} tw_offset_t;

/* Where a checkpoint's LSNs come from. system_id is empty in a checkpoint
 * written by a tidewater that did not record it. */
typedef struct tw_offset_origin {
    char system_id[32];    /* IDENTIFY_SYSTEM's systemid, decimal */
    uint32_t timeline;     /* the server's timeline when written */
    char database[128];    /* database name */
    uint32_t database_oid; /* its OID: a dropped and recreated database gets another */
    char slot[128];        /* replication slot */
} tw_offset_origin_t;

/* Reads the file. found=false (and TW_OK) when it does not exist yet.
 * A file that exists but cannot be parsed, or belongs to another slot, is
 * an error — guessing would risk loss or duplicates. origin (may be NULL)
 * receives the identity fields the file has. */
tw_err_t tw_offsets_load(const char *path, const char *slot_name, tw_offset_t *offset,
                         tw_offset_origin_t *origin, bool *found, char *errstr,
                         size_t errstr_size);

/* Writes the file; origin->slot must be set, the other identity fields are
 * written when system_id is. */
tw_err_t tw_offsets_store(const char *path, const tw_offset_origin_t *origin,
                          const tw_offset_t *offset, char *errstr, size_t errstr_size);

/* Replaces the file at path with data, as the offsets file is (see the
 * top of this file); `what` names the file in errors. */
tw_err_t tw_offsets_replace_file(const char *path, const char *what, const char *data,
                                 size_t len, char *errstr, size_t errstr_size);

/* Creates the directory that will hold path (and its parents) with mode
 * 0700 where missing. An error names the directory and the fix. */
tw_err_t tw_offsets_make_dir(const char *path, char *errstr, size_t errstr_size);

#endif /* TW_OFFSETS_H */
