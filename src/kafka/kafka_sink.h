/*
 * kafka_sink.h — the librdkafka producer: idempotent, acks=all, Java-
 * compatible key partitioning, headers, and delivery reports that drive the
 * checkpoint.
 *
 * Properties are passed through to librdkafka (the `producer.` prefix
 * already removed), so TLS and SASL work as librdkafka documents them.
 * tidewater's defaults, applied unless the user sets the property:
 *   enable.idempotence=true, acks=all, partitioner=murmur2_random (what the
 *   Java client does with a key), compression.type=lz4, linger.ms=5,
 *   message.timeout.ms=0 (retry forever: an outage pauses, never loses),
 *   queue.buffering.max.kbytes=8192 (memory bounded by configuration).
 * Setting enable.idempotence=false or acks to anything but all is refused:
 * it would break the delivery contract.
 */
#ifndef TW_KAFKA_SINK_H
#define TW_KAFKA_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"
#include "codec/header.h"
#include "config/props.h"
#include "config/topic_groups.h"

#define TW_KAFKA_PARTITION_ANY TW_PARTITION_ANY

/* Topic handles (and per-topic /metrics series) the sink keeps by default
 * (topics.tracked.max): routed topics come from row content, so their
 * number is bounded here. Past the bound the least recently used topic's
 * handle goes and its acknowledged counts move to
 * TW_KAFKA_SINK_OTHER_TOPICS, a name Kafka cannot have. */
#define TW_KAFKA_SINK_MAX_TOPICS 1000
#define TW_KAFKA_SINK_OTHER_TOPICS "(other)"

typedef tw_header_t tw_kafka_header_t;

typedef struct tw_kafka_record {
    const char *topic;
    int32_t partition; /* TW_KAFKA_PARTITION_ANY: chosen from the key */
    const void *key;   /* NULL: null key */
    size_t key_len;
    const void *value; /* NULL: tombstone */
    size_t value_len;
    const tw_kafka_header_t *headers;
    size_t nheaders;
    int64_t timestamp_ms; /* 0: the producer's current time */
    void *opaque;         /* returned in the delivery report */
} tw_kafka_record_t;

/* Outcome of one record, from tw_kafka_sink_poll's thread (the caller's).
 * err is TW_OK on success; errstr is NULL then. */
typedef struct tw_kafka_report {
    void *opaque;
    tw_err_t err;
    const char *errstr; /* librdkafka's error name and text */
    bool refused;       /* Kafka answered with an error for this record; false for
                         * one that was only not delivered (timed out, purged) */
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key; /* the record's bytes, for a dead-letter copy */
    size_t key_len;
    const void *value;
    size_t value_len;
} tw_kafka_report_t;

typedef void (*tw_kafka_report_cb)(void *cb_opaque, const tw_kafka_report_t *report);

typedef struct tw_kafka_sink tw_kafka_sink_t;

/* bootstrap: comma-separated host:port list. props: producer properties
 * (may be NULL), borrowed. transactional_id: NULL, or the id of a
 * transactional producer (exactly-once mode; call tw_kafka_sink_init_txns
 * before producing). On error errstr names the property and why. */
tw_err_t tw_kafka_sink_new(const char *bootstrap, const tw_props_t *props,
                           const char *transactional_id, tw_kafka_report_cb cb, void *cb_opaque,
                           tw_kafka_sink_t **sink, char *errstr, size_t errstr_size);
/* Flushes nothing: call tw_kafka_sink_flush first for an orderly stop.
 * Accepts NULL. */
void tw_kafka_sink_destroy(tw_kafka_sink_t *sink);

/* Kafka's rules for a topic name: 1 to 249 characters of [A-Za-z0-9._-],
 * not "." or "..". On false errstr names the rule broken (and the position),
 * never the name, which may be row content. */
bool tw_kafka_topic_check(const char *name, char *errstr, size_t errstr_size);

/* Enqueues a copy of the record. TW_ERR_MALFORMED when the topic name
 * breaks Kafka's rules (tw_kafka_topic_check). TW_ERR_AGAIN when the local queue is full
 * (poll, then retry); TW_ERR_REJECTED when the record can never be sent
 * (e.g. larger than message.max.bytes) — errstr says which and why. */
tw_err_t tw_kafka_sink_produce(tw_kafka_sink_t *sink, const tw_kafka_record_t *record,
                               char *errstr, size_t errstr_size);

/* Serves delivery reports (calling the callback) for up to timeout_ms.
 * Returns the number of events served. */
int tw_kafka_sink_poll(tw_kafka_sink_t *sink, int timeout_ms);

/* Waits up to timeout_ms for every queued record's report. TW_ERR_AGAIN if
 * some are still outstanding then. */
tw_err_t tw_kafka_sink_flush(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                             size_t errstr_size);

/* TW_OK while the producer can go on; after a fatal error (e.g. the
 * idempotent producer's sequence was broken) an error naming it. */
tw_err_t tw_kafka_sink_fatal(tw_kafka_sink_t *sink, char *errstr, size_t errstr_size);

/* Whether the brokers refused the login (SASL) or the TLS handshake. */
bool tw_kafka_sink_refused(const tw_kafka_sink_t *sink);

/* Asks the cluster for metadata (for `tidewater check`). */
tw_err_t tw_kafka_sink_ping(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                            size_t errstr_size);

/* Creates each topic not produced to lately, unless it exists, with the
 * settings of its topic.creation group (groups borrowed; NULL: off). Produce
 * then returns TW_ERR_AGAIN while Kafka does not answer, TW_ERR_CONFIG
 * when Kafka refuses to create the topic. */
void tw_kafka_sink_set_topic_creation(tw_kafka_sink_t *sink, const tw_topic_groups_t *groups);

/* Keeps at most max_topics topic handles (least recently used go first). */
void tw_kafka_sink_set_max_topics(tw_kafka_sink_t *sink, size_t max_topics);

/* Calls fn for every topic produced to, with records and key+value bytes
 * Kafka acknowledged. */
void tw_kafka_sink_topic_counts(tw_kafka_sink_t *sink,
                                void (*fn)(void *opaque, const char *topic, uint64_t records,
                                           uint64_t bytes),
                                void *opaque);

/* A file descriptor that becomes readable when delivery reports wait to be
 * served, so a poll() loop can wake for them; tw_kafka_sink_poll drains it.
 * Once tw_kafka_sink_sleep has been called, it is written to only while
 * the caller sleeps (between tw_kafka_sink_sleep(true) and (false)). */
int tw_kafka_sink_wake_fd(const tw_kafka_sink_t *sink);

/* Around a wait on the wake fd: sleeping true before it returns false
 * (and the caller should not wait) when reports already wait; sleeping
 * false after it. A loop that reads without waiting serves reports by
 * calling tw_kafka_sink_poll, which costs no system call when none wait. */
bool tw_kafka_sink_sleep(tw_kafka_sink_t *sink, bool sleeping);

/* Records queued or in flight. */
size_t tw_kafka_sink_outstanding(tw_kafka_sink_t *sink);
/* The effective message.max.bytes (records larger are refused locally). */
size_t tw_kafka_sink_max_message_bytes(const tw_kafka_sink_t *sink);

/*
 * Kafka transactions (a sink made with a transactional_id). Each returns
 * TW_OK; TW_ERR_AGAIN when the same call may be retried; TW_ERR_REJECTED
 * when the transaction must be aborted (its records are then discarded by
 * read_committed consumers and must be produced again); TW_ERR_KAFKA when
 * the producer is unusable (e.g. fenced by another instance with the same
 * transactional.id). errstr says which and why.
 */
/* Fences older instances with the same id and aborts what they left open. */
tw_err_t tw_kafka_sink_init_txns(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                                 size_t errstr_size);
tw_err_t tw_kafka_sink_begin_txn(tw_kafka_sink_t *sink, char *errstr, size_t errstr_size);
/* Waits for every record's acknowledgement (serving delivery reports),
 * then commits. */
tw_err_t tw_kafka_sink_commit_txn(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                                  size_t errstr_size);
tw_err_t tw_kafka_sink_abort_txn(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                                 size_t errstr_size);

#endif /* TW_KAFKA_SINK_H */
