/*
 * progress.h — how far the connector has delivered, and how that is made
 * durable: one small ops table per progress mode.
 *
 *   at-least-once (progress_file.c): records are acknowledged one by one,
 *     the delivery tracker (delivery.h) turns acknowledgements into a
 *     position, and the offsets file (offsets.h) keeps it.
 *   exactly-once (progress_ktxn.c): records go into Kafka transactions
 *     that carry whole source transactions and a checkpoint record in the
 *     offsets topic (offsets_topic.h); committed means delivered.
 *
 * The pipeline routes and encodes; it tells its progress mode when a
 * source transaction opens and closes, hands it delivery reports, and asks
 * it where the slot may be confirmed. The mode talks to Kafka only through
 * tw_progress_sink_t, so it can be tested with a fake sink.
 *
 * Generic code (progress.c) holds what both modes share: the checkpoint,
 * the open source transaction, the skip rules of confirm.h, the `tainted`
 * flag after an aborted Kafka transaction, and the delivery counters.
 */
#ifndef TW_PROGRESS_H
#define TW_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "progress/delivery.h"
#include "ops/histogram.h"
#include "kafka/kafka_sink.h"
#include "progress/offsets.h"

/* What a progress mode needs from the Kafka producer. */
typedef struct tw_progress_sink {
    void *opaque;
    tw_err_t (*produce)(void *opaque, const tw_kafka_record_t *record, char *errstr,
                        size_t errstr_size);
    void (*poll)(void *opaque, int timeout_ms);
    size_t (*outstanding)(void *opaque);
    tw_err_t (*init_txns)(void *opaque, int timeout_ms, char *errstr, size_t errstr_size);
    tw_err_t (*begin_txn)(void *opaque, char *errstr, size_t errstr_size);
    tw_err_t (*commit_txn)(void *opaque, int timeout_ms, char *errstr, size_t errstr_size);
    tw_err_t (*abort_txn)(void *opaque, int timeout_ms, char *errstr, size_t errstr_size);
} tw_progress_sink_t;

/* The real producer behind a tw_progress_sink_t. */
tw_progress_sink_t tw_progress_kafka_sink(tw_kafka_sink_t *sink);

/* The connector must stop: the first reason is kept. Owned by the
 * pipeline, shared with its progress mode. */
typedef struct tw_failure {
    bool failed;
    char why[1024];
} tw_failure_t;

void tw_failure_set(tw_failure_t *failure, const char *why);

/* Sleeps up to ms while serving the caller's duties; false: stop waiting. */
typedef bool (*tw_progress_wait_fn)(void *opaque, int ms);

typedef struct tw_progress tw_progress_t;
struct tw_origin_facts;

/* The mode-specific steps. Generic code calls them; see progress.c. */
typedef struct tw_progress_ops {
    const char *name;
    /* Loads the checkpoint (talks to Kafka in exactly-once mode). */
    tw_err_t (*start)(tw_progress_t *pr, char *errstr, size_t errstr_size);
    /* Before a source transaction opens (room in the tracker is waited for
     * afterwards). */
    tw_err_t (*begin)(tw_progress_t *pr, char *errstr, size_t errstr_size);
    /* A delivery report; false leaves a failed one to the pipeline's error
     * policy (the record is acknowledged there). */
    bool (*report)(tw_progress_t *pr, const tw_kafka_report_t *report);
    /* A record could not be handed to the producer (err): true when the
     * mode dealt with it, *out being the result. */
    bool (*produce_failed)(tw_progress_t *pr, tw_err_t err, char *errstr, size_t errstr_size,
                           tw_err_t *out);
    /* A source transaction (or lone message) is read whole. */
    void (*closed)(tw_progress_t *pr, const tw_offset_t *through);
    /* After delivery reports were served. */
    tw_err_t (*poll)(tw_progress_t *pr, char *errstr, size_t errstr_size);
    /* A moment to commit: after a source transaction (stream_idle false)
     * or when PostgreSQL has nothing more to send (true). */
    tw_err_t (*boundary)(tw_progress_t *pr, bool stream_idle, char *errstr, size_t errstr_size);
    /* Before the drain waits for records in flight, and after. */
    tw_err_t (*drain)(tw_progress_t *pr, char *errstr, size_t errstr_size);
    tw_err_t (*drained)(tw_progress_t *pr, char *errstr, size_t errstr_size);
    /* A record that belongs to no source transaction (a heartbeat) is
     * about to be produced with TW_PROGRESS_AUX_OPAQUE. */
    tw_err_t (*aux)(tw_progress_t *pr, char *errstr, size_t errstr_size);
    /* A lost PostgreSQL connection: drop what is not delivered. */
    void (*reset)(tw_progress_t *pr);
    /* Records are held back until a commit (a Kafka transaction is open). */
    bool (*holding)(const tw_progress_t *pr);
    void (*origin_facts)(const tw_progress_t *pr, struct tw_origin_facts *facts, char *where,
                         size_t where_size);
    tw_err_t (*adopt_origin)(tw_progress_t *pr, bool rewrite, char *errstr, size_t errstr_size);
    void (*destroy)(tw_progress_t *pr);
} tw_progress_ops_t;

typedef struct tw_progress_counts {
    uint64_t transactions; /* delivered completely */
    uint64_t delivery_errors;
    uint64_t kafka_commits, kafka_aborts;
    int64_t last_delivered_commit_us;
    tw_histogram_t latency; /* commit → every record acknowledged, per transaction */
} tw_progress_counts_t;

/* The state every mode has; a mode's own struct begins with it. */
struct tw_progress {
    const tw_progress_ops_t *ops;
    const tw_config_t *cfg;
    tw_progress_sink_t sink;
    tw_delivery_t *delivery; /* the pipeline's */
    tw_failure_t *failure;   /* the pipeline's */
    tw_progress_wait_fn wait;
    void *wait_opaque;

    tw_offset_t offset; /* the persisted checkpoint (loaded, then advanced) */
    bool offset_found;
    /* Where the checkpoint came from: as loaded, until adopted after
     * origin.h accepted it. */
    tw_offset_origin_t origin;
    tw_lsn_t flush_lsn;

    bool in_txn;   /* a source transaction is open in the tracker */
    bool skipping; /* already delivered before a restart */
    bool tainted;  /* a Kafka transaction was aborted in this session */
    tw_delivery_seq_t seq;
    tw_progress_counts_t counts;
};

/* The mode the configuration asks for (exactly.once.support). Defined in
 * progress_modes.c, the one file that knows every mode: generic code here
 * reaches a mode only through its ops table, and the modes call down into
 * progress.c, so the calls run one way. */
tw_err_t tw_progress_new(const tw_config_t *cfg, tw_progress_sink_t sink, tw_delivery_t *delivery,
                         tw_failure_t *failure, tw_progress_t **out, char *errstr,
                         size_t errstr_size);

void tw_progress_destroy(tw_progress_t *pr); /* accepts NULL */
void tw_progress_set_wait(tw_progress_t *pr, tw_progress_wait_fn fn, void *opaque);
tw_err_t tw_progress_start(tw_progress_t *pr, char *errstr, size_t errstr_size);

/* A source transaction begins: *skip when it was delivered before a
 * restart (its changes are to be skipped); otherwise it is opened, waiting
 * for room in the tracker. */
tw_err_t tw_progress_txn_begin(tw_progress_t *pr, tw_lsn_t commit_lsn, int64_t commit_ts,
                               bool *skip, char *errstr, size_t errstr_size);
/* Its end (through: its commit and end LSN): it is closed in the tracker,
 * and the mode may commit (transaction.boundary). Ends a skip. */
tw_err_t tw_progress_txn_end(tw_progress_t *pr, const tw_offset_t *through, char *errstr,
                             size_t errstr_size);
/* A non-transactional message at lsn: skip it (delivered before)? */
bool tw_progress_message_done(const tw_progress_t *pr, tw_lsn_t lsn);
/* Opens a unit of delivery for one lone message, and closes it. */
tw_err_t tw_progress_message_begin(tw_progress_t *pr, tw_lsn_t lsn, char *errstr,
                                   size_t errstr_size);
void tw_progress_message_end(tw_progress_t *pr, tw_lsn_t lsn);

/* The delivery-report opaque of a record that carries no source position
 * (a heartbeat): it is never tracked, so it never moves the slot. */
#define TW_PROGRESS_AUX_OPAQUE ((void *)(UINTPTR_MAX - 1))

/* Readies the mode for a TW_PROGRESS_AUX_OPAQUE record: exactly-once mode
 * opens a Kafka transaction if none is open (a transactional producer
 * writes nothing outside one); it commits at the next boundary without a
 * checkpoint of its own. At-least-once mode needs nothing. */
tw_err_t tw_progress_aux(tw_progress_t *pr, char *errstr, size_t errstr_size);

/* The sequence number records of the open transaction carry. */
static inline tw_delivery_seq_t tw_progress_seq(const tw_progress_t *pr)
{
    return pr->seq;
}
static inline bool tw_progress_skipping(const tw_progress_t *pr)
{
    return pr->skipping;
}
static inline bool tw_progress_in_txn(const tw_progress_t *pr)
{
    return pr->in_txn;
}

/* Where the source stream resumes after a (re)start: the end of the last
 * transaction or message delivered and the newest delivered transaction's
 * commit time (both 0 without a checkpoint), which the change feed takes
 * as the last it read. */
void tw_progress_resume_point(const tw_progress_t *pr, tw_lsn_t *end_lsn, int64_t *commit_ts);

bool tw_progress_report(tw_progress_t *pr, const tw_kafka_report_t *report);
bool tw_progress_produce_failed(tw_progress_t *pr, tw_err_t err, char *errstr,
                                size_t errstr_size, tw_err_t *out);
tw_err_t tw_progress_poll(tw_progress_t *pr, char *errstr, size_t errstr_size);
tw_err_t tw_progress_boundary(tw_progress_t *pr, bool stream_idle, char *errstr,
                              size_t errstr_size);
/* A commit could happen now (so do not sleep in a read). */
bool tw_progress_commit_pending(const tw_progress_t *pr);
/* Waits up to timeout_ms for records in flight, then makes the position
 * durable. */
tw_err_t tw_progress_drain(tw_progress_t *pr, int timeout_ms, char *errstr,
                           size_t errstr_size);
void tw_progress_reset(tw_progress_t *pr);
/* Nothing half read, held back or lost since the session began. */
bool tw_progress_quiet(const tw_progress_t *pr);

static inline tw_lsn_t tw_progress_flush_lsn(const tw_progress_t *pr)
{
    return pr->flush_lsn;
}
static inline const tw_progress_counts_t *tw_progress_counts(const tw_progress_t *pr)
{
    return &pr->counts;
}
void tw_progress_origin_facts(const tw_progress_t *pr, struct tw_origin_facts *facts,
                              char *where, size_t where_size);
tw_err_t tw_progress_adopt_origin(tw_progress_t *pr, const tw_offset_origin_t *origin,
                                  bool rewrite, char *errstr, size_t errstr_size);

/* ---- for the modes ---- */

void tw_progress_init(tw_progress_t *pr, const tw_progress_ops_t *ops, const tw_config_t *cfg,
                      tw_progress_sink_t sink, tw_delivery_t *delivery, tw_failure_t *failure);
/* Counts the source transactions delivered since the last call. */
void tw_progress_retire(tw_progress_t *pr);
/* An aborted Kafka transaction: forget what was read (none of it was
 * confirmed to PostgreSQL, which sends it again after a reconnect). */
void tw_progress_forget(tw_progress_t *pr);
int64_t tw_progress_now_us(void);
int64_t tw_progress_now_ms(void);

#endif /* TW_PROGRESS_H */
