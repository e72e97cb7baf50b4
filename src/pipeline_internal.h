/*
 * pipeline_internal.h — what pipeline.c (set-up, routing, the produce
 * path) and pipeline_errors.c (error policy, dead letters, delivery
 * reports) share: the pipeline's state and the two entry points into the
 * error side. Not for other modules, which use pipeline.h.
 */
#ifndef TW_PIPELINE_INTERNAL_H
#define TW_PIPELINE_INTERNAL_H

#include "pipeline.h"

#include "util/arena.h"
#include "codec/avro_binary.h"
#include "util/buf.h"
#include "pg/catalog.h"
#include "transforms/contract.h"
#include "codec/converter.h"
#include "progress/delivery.h"
#include "config/filter.h"
#include "transforms/heartbeat_record.h"
#include "kafka/kafka_sink.h"
#include "util/log.h"
#include "ops/metrics.h"
#include "progress/progress.h"
#include "transforms/transform.h"
#include "transforms/txn_metadata.h"

struct tw_pipeline {
    const tw_config_t *cfg;
    tw_kafka_sink_t *sink;
    tw_converter_t *key_conv;
    tw_converter_t *value_conv;
    tw_transform_chain_t *chain;
    tw_contract_t **contracts; /* per transform: its declared payloads, or NULL */
    tw_delivery_t *delivery;
    tw_progress_t *progress; /* at-least-once or exactly-once */
    tw_txn_metadata_t *txnmeta;      /* provide.transaction.metadata, or NULL */
    tw_heartbeat_record_t *heartbeat; /* heartbeat.interval.ms > 0, or NULL */
    bool aux; /* producing a record without a source position (a heartbeat) */
    bool txnmeta_begin_due; /* a streamed transaction's BEGIN waits for its first change */
    PGconn *catalog;
    tw_pipeline_wait_fn wait;
    void *wait_opaque;

    tw_arena_t *arena;
    tw_buf_t key_buf, value_buf, name_buf;
    tw_failure_t failure;
    uint64_t dlq_records, skipped_records;
    uint64_t records, delivery_errors;
    size_t scratch_peak; /* most per-change scratch memory ever in use */
};

typedef struct error_context {
    const char *kind;     /* "conversion", "registry", "kafka", "routing" */
    const char *message;
    const char *table;    /* schema.table, or NULL */
    tw_lsn_t lsn;
    uint32_t xid;
    const char *event_id;
    const char *topic;    /* intended topic, or NULL */
    bool too_large;       /* Kafka refused the record for its size */
} error_context_t;

/* A record could not be produced: applies errors.tolerance (stop, send to
 * the dead-letter topic, or skip and say so). errstr is rewritten when it
 * stops. key and value (either may be NULL) go into the dead letter. */
tw_err_t tw_pipeline_record_error(tw_pipeline_t *p, const error_context_t *in, const void *key,
                                  size_t key_len, const void *value, size_t value_len,
                                  char *errstr, size_t errstr_size);
/* The producer's delivery report callback; opaque is the pipeline. */
void tw_pipeline_on_report(void *opaque, const tw_kafka_report_t *report);

#endif /* TW_PIPELINE_INTERNAL_H */
