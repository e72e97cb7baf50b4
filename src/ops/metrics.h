/*
 * metrics.h — the numbers an operator watches, and the pipeline's state.
 *
 * The main loop owns the live counters and publishes a snapshot a few times
 * a second; the HTTP server's thread renders only snapshots, under a mutex,
 * so the hot path takes no lock.
 */
#ifndef TW_METRICS_H
#define TW_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/common.h"
#include "ops/histogram.h"

typedef enum tw_state {
    TW_STATE_STARTING,
    TW_STATE_STREAMING,
    TW_STATE_PAUSED,       /* backpressure or a dependency away: reading paused */
    TW_STATE_RECONNECTING, /* PostgreSQL connection lost */
    TW_STATE_STOPPING,
} tw_state_t;

const char *tw_state_name(tw_state_t state);

typedef struct tw_topic_counts {
    char topic[256]; /* Kafka topic names have at most 249 characters */
    uint64_t records;
    uint64_t bytes;
} tw_topic_counts_t;

typedef struct tw_metrics_snapshot {
    tw_state_t state;
    int64_t state_since_us;
    uint64_t transactions;      /* delivered completely */
    uint64_t records_inflight;
    uint64_t delivery_errors;   /* records Kafka refused for good */
    uint64_t dlq_records;
    uint64_t skipped_records;
    uint64_t registry_calls;
    uint64_t registry_errors;
    uint64_t reconnects;
    uint64_t kafka_commits; /* exactly-once mode: Kafka transactions committed */
    uint64_t kafka_aborts;  /* and aborted (their source transactions are read again) */
    bool slot_unreserved; /* the slot's wal_status was unreserved at the last connect */
    tw_lsn_t server_wal_end;
    tw_lsn_t flushed_lsn;
    int64_t last_delivered_commit_us; /* commit time of the newest delivered transaction */
    int64_t last_progress_us;         /* when flushed_lsn or transactions last moved */
    bool idle;                        /* nothing in flight */
    tw_histogram_t latency;           /* commit → acknowledged */
    /* Per-topic series (the Kafka sink bounds how many, topics.tracked.max;
     * the rest are counted under topic="(other)"). Owned by the snapshot. */
    size_t ntopics;
    size_t topics_cap;
    tw_topic_counts_t *topics;
} tw_metrics_snapshot_t;

/* Zeroes a snapshot, keeping its topic buffer for reuse. */
void tw_metrics_snapshot_reset(tw_metrics_snapshot_t *snapshot);
void tw_metrics_snapshot_add_topic(tw_metrics_snapshot_t *snapshot, const char *topic,
                                   uint64_t records, uint64_t bytes);
/* Frees the topic buffer (the snapshot itself is the caller's). */
void tw_metrics_snapshot_clear(tw_metrics_snapshot_t *snapshot);

typedef struct tw_metrics tw_metrics_t;

tw_metrics_t *tw_metrics_new(void);
void tw_metrics_destroy(tw_metrics_t *metrics); /* accepts NULL */

/* Main thread: changes the state (logging the change once). */
void tw_metrics_set_state(tw_metrics_t *metrics, tw_state_t state);
tw_state_t tw_metrics_state(const tw_metrics_t *metrics);
/* Main thread: replaces the published snapshot (state fields are kept). */
void tw_metrics_publish(tw_metrics_t *metrics, const tw_metrics_snapshot_t *snapshot);

/* Any thread: Prometheus text exposition format. */
void tw_metrics_render(tw_metrics_t *metrics, tw_buf_t *out);
/* Any thread: healthy unless failed, or stuck (work waiting and no progress)
 * for longer than stuck_ms; `why` says what is wrong. */
bool tw_metrics_healthy(tw_metrics_t *metrics, int64_t stuck_ms, char *why, size_t why_size);
/* Main thread: the pipeline failed for good. */
void tw_metrics_set_failed(tw_metrics_t *metrics, const char *why);

#endif /* TW_METRICS_H */
