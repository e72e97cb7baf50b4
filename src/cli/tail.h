/*
 * tail.h — the sink behind `tidewater tail`: one JSON object per change on
 * a stream, written out at each commit so --ack confirms only what was written.
 *
 *   {"op":"c|u|d|t|m","schema":...,"table":...,"lsn":"X/X","xid":N,
 *    "commit_ts":"ISO-8601","key":{...}|null,"before":{...}|null,"after":{...}|null}
 *
 * Logical messages print "prefix", "transactional" and "content" (a string
 * when the bytes are UTF-8, else "content_base64").
 */
#ifndef TW_TAIL_H
#define TW_TAIL_H

#include <stdio.h>

#include "pg/changefeed.h"

typedef struct tw_tail tw_tail_t;

/* out is borrowed; placeholder stands in for unchanged TOAST values. The
 * tail writes to out's descriptor directly (out is flushed first), and a
 * transaction's lines are written out by its commit at the latest; lines
 * of a transaction still open when the tail is destroyed are dropped. */
tw_tail_t *tw_tail_new(FILE *out, const char *placeholder);
void tw_tail_destroy(tw_tail_t *tail); /* accepts NULL */

/* Called every 100 ms or so while output is blocked (a reader that does
 * not keep up), so the caller can keep its connection alive. A non-zero
 * return is passed up from the sink. */
void tw_tail_set_wait(tw_tail_t *tail, tw_changefeed_tick_cb wait, void *opaque);

/* The sink to hand to tw_changefeed_new (opaque = tail). */
tw_sink_t tw_tail_sink(tw_tail_t *tail);

/* End LSN of the last transaction written and flushed to `out`. */
tw_lsn_t tw_tail_flushed_lsn(const tw_tail_t *tail);
/* Number of JSON lines written. */
uint64_t tw_tail_lines(const tw_tail_t *tail);

/* Formats microseconds since 1970 UTC as "YYYY-MM-DDTHH:MM:SS.ffffffZ". */
void tw_format_timestamp_utc(int64_t unix_us, char *out, size_t out_size);

#endif /* TW_TAIL_H */
