/*
 * offsets.h — the persisted checkpoint: the commit LSN of the newest source
 * transaction whose records Kafka has all acknowledged.
 *
 * PostgreSQL resends from the slot's confirmed_flush_lsn after a restart,
 * which lags behind what was delivered by up to a status interval; the
 * offsets file lets tidewater skip the transactions it already delivered,
 * so an orderly restart produces no duplicates and a crash at most the
 * unacknowledged window. Written atomically: temp file, fsync, rename, fsync
 * of the directory.
 */
#ifndef TW_OFFSETS_H
#define TW_OFFSETS_H

#include <stdbool.h>
#include <stdint.h>

#include "common.h"

typedef struct tw_offset {
    tw_lsn_t commit_lsn; /* newest delivered transaction's commit LSN */
    tw_lsn_t end_lsn;    /* and its end LSN (where the slot may be confirmed) */
    int64_t commit_ts;   /* microseconds since 1970 */
} tw_offset_t;

/* Reads the file. found=false (and TW_OK) when it does not exist yet.
 * A file that exists but cannot be parsed, or belongs to another slot, is
 * an error — guessing would risk loss or duplicates. */
tw_err_t tw_offsets_load(const char *path, const char *slot_name, tw_offset_t *offset,
                         bool *found, char *errstr, size_t errstr_size);

tw_err_t tw_offsets_store(const char *path, const char *slot_name, const tw_offset_t *offset,
                          char *errstr, size_t errstr_size);

#endif /* TW_OFFSETS_H */
