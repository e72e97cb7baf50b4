/*
 * pipeline.h — `tidewater run`'s sink: each committed change goes through
 * the transforms (the outbox router), the key and value converters and the
 * Kafka producer, and the delivery tracker turns acknowledgements into the
 * position the slot may be confirmed at.
 *
 * It outlives PostgreSQL reconnections: the producer, converters, schema
 * caches, tracker and offsets stay; only the catalog connection changes.
 *
 * Waiting — for room in the producer's queue, for a slot in the tracker,
 * for the registry to come back — happens through the wait hook, which the
 * caller uses to keep the replication connection alive (status updates)
 * and to notice a stop request. Nothing is dropped while waiting: reading
 * from PostgreSQL simply pauses.
 */
#ifndef TW_PIPELINE_H
#define TW_PIPELINE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "pg/changefeed.h"
#include "config/config.h"
#include "progress/offsets.h"

typedef struct tw_pipeline tw_pipeline_t;

/* Sleeps up to ms while serving the caller's duties; returns false when
 * the pipeline should give up waiting (a stop was requested). */
typedef bool (*tw_pipeline_wait_fn)(void *opaque, int ms);

/* cfg must outlive the pipeline. Loads the offsets file (at-least-once
 * mode). Talks to no Kafka broker. */
tw_err_t tw_pipeline_new(const tw_config_t *cfg, tw_pipeline_t **pipeline, char *errstr,
                         size_t errstr_size);
void tw_pipeline_destroy(tw_pipeline_t *pipeline); /* accepts NULL; does not flush */
/* Exactly-once mode: initializes Kafka transactions — which fences any
 * other process with the same transactional.id, so only `tidewater run`
 * calls it — and reads the checkpoint from the offsets topic. A no-op in
 * at-least-once mode (the offsets file is read by tw_pipeline_new). */
tw_err_t tw_pipeline_start(tw_pipeline_t *pipeline, char *errstr, size_t errstr_size);

tw_sink_t tw_pipeline_sink(tw_pipeline_t *pipeline);
void tw_pipeline_set_wait(tw_pipeline_t *pipeline, tw_pipeline_wait_fn fn, void *opaque);
/* Normal connection used to read column nullability; may be NULL. */
void tw_pipeline_set_catalog(tw_pipeline_t *pipeline, PGconn *conn);

/* Checks, before streaming, that every published table a transform
 * applies to has the columns the transform needs; an error names the
 * table and the column. */
tw_err_t tw_pipeline_preflight(tw_pipeline_t *pipeline, PGconn *conn, char *errstr,
                               size_t errstr_size);

/* Readable when delivery reports wait (see tw_kafka_sink_wake_fd). */
int tw_pipeline_wake_fd(const tw_pipeline_t *pipeline);
/* Around a wait on the wake fd (tw_kafka_sink_sleep). */
bool tw_pipeline_sleep(tw_pipeline_t *pipeline, bool sleeping);

/* Serves delivery reports for up to timeout_ms, retires delivered
 * transactions and rewrites the offsets file when due. */
tw_err_t tw_pipeline_poll(tw_pipeline_t *pipeline, int timeout_ms, char *errstr,
                          size_t errstr_size);

/* Exactly-once mode: PostgreSQL has nothing more to send right now, a
 * transaction.boundary=poll moment; commits the Kafka transaction. An
 * aborted one returns TW_ERR_IO: reconnect, and the server resends. */
tw_err_t tw_pipeline_end_batch(tw_pipeline_t *pipeline, char *errstr, size_t errstr_size);
/* Writes Debezium's heartbeat record (heartbeat_record.h) when
 * heartbeat.interval.ms is set. It carries no source position, so the slot
 * is confirmed as without it; in exactly-once mode it goes into the open
 * Kafka transaction or one of its own. TW_ERR_AGAIN inside a source
 * transaction: try again after it. */
tw_err_t tw_pipeline_heartbeat(tw_pipeline_t *pipeline, char *errstr, size_t errstr_size);
/* Exactly-once mode: a Kafka transaction holds complete source
 * transactions and could be committed now (so do not sleep in a read). */
bool tw_pipeline_commit_pending(const tw_pipeline_t *pipeline);

/* End LSN of the newest transaction delivered along with all before it
 * (0 before the first). */
tw_lsn_t tw_pipeline_flush_lsn(const tw_pipeline_t *pipeline);
/* What a new session's change feed resumes from (tw_progress_resume_point). */
void tw_pipeline_resume_point(const tw_pipeline_t *pipeline, tw_lsn_t *end_lsn,
                              int64_t *commit_ts);
/* Everything read has been delivered and the session is healthy: no
 * record in flight, no transaction half read or in an open Kafka
 * transaction, no failure, no aborted Kafka transaction or undrained
 * records since the session began. Only then may the slot follow the
 * server's WAL end (confirm.h). */
bool tw_pipeline_settled(const tw_pipeline_t *pipeline);

/* A record failed for good with errors.tolerance=none, or the producer hit
 * a fatal error: the connector must stop. errstr says why. */
bool tw_pipeline_failed(tw_pipeline_t *pipeline, char *errstr, size_t errstr_size);

/* Waits up to timeout_ms for every record in flight, then stores the
 * offsets. TW_ERR_AGAIN if records remain. */
tw_err_t tw_pipeline_drain(tw_pipeline_t *pipeline, int timeout_ms, char *errstr,
                           size_t errstr_size);

/* After a lost PostgreSQL connection, once drained as far as possible:
 * forget what was not delivered (the server will send it again). */
void tw_pipeline_reset_partial(tw_pipeline_t *pipeline);

/* The key or value converter's registry answers (TW_OK, with a note in
 * errstr, when that converter uses none). For `tidewater check`. */
tw_err_t tw_pipeline_registry_ping(tw_pipeline_t *pipeline, bool key, char *errstr,
                                   size_t errstr_size);

typedef struct tw_pipeline_stats {
    uint64_t records;          /* produced to their topics */
    uint64_t transactions;     /* delivered completely */
    uint64_t dlq_records;
    uint64_t skipped_records;  /* errors.tolerance=all without a dead-letter topic */
    uint64_t inflight_records;
    size_t scratch_peak_bytes; /* per-change working memory high-water mark */
    const struct tw_histogram *latency; /* commit → acknowledged, microseconds */
} tw_pipeline_stats_t;

void tw_pipeline_stats(const tw_pipeline_t *pipeline, tw_pipeline_stats_t *stats);

/* Fills the pipeline's part of a metrics snapshot (counters, topics,
 * latency, flushed position, idleness). */
struct tw_metrics_snapshot;
void tw_pipeline_fill_snapshot(tw_pipeline_t *pipeline, struct tw_metrics_snapshot *snap);

/* The checkpoint's side of origin.h's facts (found, position, origin, a
 * missing offsets topic); facts->where points into where. */
struct tw_origin_facts;
void tw_pipeline_origin_facts(const tw_pipeline_t *pipeline, struct tw_origin_facts *facts,
                              char *where, size_t where_size);
/* After origin.h accepted the checkpoint: the server's identity goes into
 * every checkpoint written from now on (rewrite: at the next offsets-file
 * write even if nothing new is delivered, for a checkpoint that lacked it),
 * and a missing offsets topic is created with a first-start record. */
tw_err_t tw_pipeline_adopt_origin(tw_pipeline_t *pipeline, const tw_offset_origin_t *origin,
                                  bool rewrite, char *errstr, size_t errstr_size);

/* Kafka reachability, for `tidewater check`. */
tw_err_t tw_pipeline_ping(tw_pipeline_t *pipeline, char *errstr, size_t errstr_size);

#endif /* TW_PIPELINE_H */
