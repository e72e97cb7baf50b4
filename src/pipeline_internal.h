/*
 * pipeline_internal.h — the pipeline's state, shared by pipeline.c (routing,
 * encoding, dead letters, at-least-once progress) and pipeline_ktxn.c
 * (exactly-once mode's Kafka transactions). Not for other modules.
 */
#ifndef TW_PIPELINE_INTERNAL_H
#define TW_PIPELINE_INTERNAL_H

#include <stdint.h>
#include <sys/time.h>

#include "arena.h"
#include "buf.h"
#include "contract.h"
#include "converter.h"
#include "delivery.h"
#include "histogram.h"
#include "jregex.h"
#include "kafka_sink.h"
#include "offsets_topic.h"
#include "outbox_router.h"
#include "pipeline.h"

/* The delivery-report opaque of the checkpoint record (exactly-once mode),
 * which belongs to no source transaction. */
#define CHECKPOINT_OPAQUE ((void *)UINTPTR_MAX)
/* transaction.boundary=poll commits at least this often under load. */
#define POLL_BOUNDARY_MAX_MS 100
/* Aborts in a row (Kafka refusing records) before giving up. */
#define MAX_CONSECUTIVE_ABORTS 10

struct tw_pipeline {
    const tw_config_t *cfg;
    tw_kafka_sink_t *sink;
    tw_converter_t *key_conv;
    tw_converter_t *value_conv;
    tw_outbox_router_t **routers; /* one per transform */
    tw_contract_t **contracts;    /* per transform: its declared payloads, or NULL */
    tw_jregex_t **predicates;     /* per transform: its predicate's pattern, or NULL */
    tw_delivery_t *delivery;
    PGconn *catalog;
    tw_pipeline_wait_fn wait;
    void *wait_opaque;

    tw_offset_t offset; /* the persisted checkpoint (loaded, then advanced) */
    bool offset_found;
    /* Where the checkpoint came from: as loaded, until tw_pipeline_adopt_origin
     * records the server's identity after origin.h accepted the checkpoint. */
    tw_offset_origin_t origin;
    bool offsets_topic_missing; /* exactly-once: no topic, or no record of this connector */
    bool offsets_topic_absent;  /* exactly-once: no topic at all (so create it) */
    int64_t generation;         /* exactly-once: of the newest record (resets count) */
    bool offset_dirty;
    int64_t offset_written_ms;
    tw_lsn_t flush_lsn;

    /* The transaction being read. */
    bool in_txn;
    bool skipping; /* already delivered before a restart */
    tw_delivery_seq_t seq;

    tw_arena_t *arena;
    tw_buf_t key_buf, value_buf, name_buf;
    bool failed;
    bool tainted; /* a Kafka transaction was aborted in this session */
    char failure[1024];
    uint64_t dlq_records, skipped_records;
    uint64_t records, transactions, delivery_errors;
    int64_t last_delivered_commit_us;
    size_t scratch_peak;    /* most per-change scratch memory ever in use */
    tw_histogram_t latency; /* commit → every record acknowledged, per transaction */

    /* Exactly-once mode: the Kafka transaction being filled. It holds the
     * records of whole source transactions only; ktxn_through is the
     * newest of them, which its checkpoint record will name. */
    bool eos;
    bool ktxn_open;
    bool ktxn_has_source;
    bool ktxn_failed; /* a record failed: the transaction must be aborted */
    bool ktxn_ending; /* committing or aborting: waits must not start another */
    bool discarding;  /* reports of an aborted transaction's records */
    char ktxn_failure[512];
    int64_t ktxn_started_ms;
    tw_offset_t ktxn_through;
    tw_offsets_range_t *ranges; /* offsets its records got, per partition */
    size_t nranges, ranges_cap;
    int consecutive_aborts;
    uint64_t kafka_commits, kafka_aborts;
    tw_buf_t ckpt_key, ckpt_value;
};

static inline int64_t tw_pipeline_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static inline int64_t tw_pipeline_now_ms(void)
{
    return tw_pipeline_now_us() / 1000;
}

/* Marks the pipeline failed (the first reason is kept): the connector stops. */
void tw_pipeline_fail(tw_pipeline_t *p, const char *why);

/* ---- exactly-once mode (pipeline_ktxn.c) ---- */

/* Fences older instances and loads the checkpoint from the offsets topic. */
tw_err_t tw_ktxn_start(tw_pipeline_t *p, char *errstr, size_t errstr_size);
/* A delivery report. */
void tw_ktxn_report(tw_pipeline_t *p, const tw_kafka_report_t *report);
/* Begins a Kafka transaction unless one is open. */
tw_err_t tw_ktxn_begin(tw_pipeline_t *p, char *errstr, size_t errstr_size);
/* Commits the open Kafka transaction (between source transactions only).
 * TW_ERR_IO: it was aborted instead; reconnect and read again. */
tw_err_t tw_ktxn_commit(tw_pipeline_t *p, char *errstr, size_t errstr_size);
/* Aborts it; its source transactions are forgotten, to be read again.
 * Returns TW_ERR_IO (reconnect) or, after too many, TW_ERR_KAFKA. */
tw_err_t tw_ktxn_abort(tw_pipeline_t *p, const char *why, char *errstr, size_t errstr_size);
/* Commits when transaction.boundary says so. */
tw_err_t tw_ktxn_boundary(tw_pipeline_t *p, bool stream_idle, char *errstr, size_t errstr_size);
/* Frees the per-partition offset ranges. */
void tw_ktxn_clear_ranges(tw_pipeline_t *p);

#endif /* TW_PIPELINE_INTERNAL_H */
