/*
 * progress_ktxn.c — exactly-once mode: Kafka transactions that each carry
 * whole source transactions and the checkpoint naming how far they reach
 * (offsets_topic.h), committed at transaction.boundary, aborted and read
 * again from PostgreSQL when Kafka refuses them.
 */
#include "progress/progress_ktxn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "progress/offsets_topic.h"
#include "progress/origin.h"

/* The delivery-report opaque of the checkpoint record, which belongs to
 * no source transaction. */
#define CHECKPOINT_OPAQUE ((void *)UINTPTR_MAX)
/* transaction.boundary=poll commits at least this often under load. */
#define POLL_BOUNDARY_MAX_MS 100
/* Aborts in a row (Kafka refusing records) before giving up. */
#define MAX_CONSECUTIVE_ABORTS 10

/* The Kafka transaction being filled. It holds the records of whole
 * source transactions only; through is the newest of them, which its
 * checkpoint record will name. */
typedef struct progress_ktxn {
    tw_progress_t base;
    bool missing; /* no topic, or no record of this connector */
    bool absent;  /* no topic at all (so create it) */
    int64_t generation; /* of the newest record (resets count) */
    bool open;
    bool has_source;
    bool failed;  /* a record failed: the transaction must be aborted */
    bool ending;  /* committing or aborting: waits must not start another */
    bool discarding; /* reports of an aborted transaction's records */
    char failure[512];
    int64_t started_ms;
    tw_offset_t through;
    tw_offsets_range_t *ranges; /* offsets its records got, per partition */
    size_t nranges, ranges_cap;
    int consecutive_aborts;
    tw_buf_t ckpt_key, ckpt_value;
} progress_ktxn_t;

/* Remembers which offsets the open Kafka transaction's records got. */
static void note_range(progress_ktxn_t *k, const char *topic, int32_t partition, int64_t offset)
{
    tw_offsets_range_t *r;
    size_t i;

    for (i = 0; i < k->nranges; i++) {
        r = &k->ranges[i];
        if (r->partition == partition && strcmp(r->topic, topic) == 0) {
            r->first = TW_MIN(r->first, offset);
            r->last = TW_MAX(r->last, offset);
            return;
        }
    }
    if (k->nranges == k->ranges_cap) {
        k->ranges_cap = k->ranges_cap ? 2 * k->ranges_cap : 16;
        k->ranges = tw_realloc(k->ranges, k->ranges_cap * sizeof(*k->ranges));
    }
    r = &k->ranges[k->nranges++];
    r->topic = tw_strdup(topic);
    r->partition = partition;
    r->first = r->last = offset;
}

static void ktxn_clear_ranges(progress_ktxn_t *k)
{
    size_t i;

    for (i = 0; i < k->nranges; i++)
        free(k->ranges[i].topic);
    k->nranges = 0;
}

/* Exactly-once mode: a failed record dooms its Kafka transaction, which
 * is aborted and read again from PostgreSQL; there is no dead-letter copy
 * for what Kafka refuses, since it would share the doomed transaction. */
static void ktxn_report(progress_ktxn_t *k, const tw_kafka_report_t *report)
{
    tw_delivery_seq_t seq = (tw_delivery_seq_t)(uintptr_t)report->opaque;

    if (k->discarding)
        return;
    if (report->err != TW_OK) {
        k->base.counts.delivery_errors++;
        if (!k->failed)
            snprintf(k->failure, sizeof(k->failure), "Kafka refused a record for %s: %s",
                     report->topic, report->errstr);
        k->failed = true;
        return;
    }
    if (report->opaque == CHECKPOINT_OPAQUE || report->opaque == TW_PROGRESS_AUX_OPAQUE)
        return;
    note_range(k, report->topic, report->partition, report->offset);
    tw_delivery_ack(k->base.delivery, seq, true);
}

static tw_err_t ktxn_begin(progress_ktxn_t *k, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    if (k->open)
        return TW_OK;
    err = k->base.sink.begin_txn(k->base.sink.opaque, errstr, errstr_size);
    if (err)
        return err == TW_ERR_KAFKA ? err : TW_ERR_IO;
    k->open = true;
    k->has_source = false;
    k->failed = false;
    k->started_ms = tw_progress_now_ms();
    ktxn_clear_ranges(k);
    return TW_OK;
}

/* Forgets every source transaction of the aborted Kafka transaction: none
 * was confirmed to PostgreSQL, which sends them again after a reconnect. */
static void forget_ktxn(progress_ktxn_t *k)
{
    tw_progress_forget(&k->base);
    k->open = false;
    ktxn_clear_ranges(k);
}

static tw_err_t ktxn_abort(progress_ktxn_t *k, const char *why, char *errstr, size_t errstr_size)
{
    int64_t deadline;
    bool logged = false;
    char detail[512];
    tw_err_t err;

    if (!k->open)
        return TW_OK;
    k->ending = true;
    k->discarding = true;
    /* Until the abort is through no new transaction can begin; a
     * coordinator that cannot be reached is waited for. */
    for (;;) {
        err = k->base.sink.abort_txn(k->base.sink.opaque, 10000, detail, sizeof(detail));
        if (err != TW_ERR_AGAIN)
            break;
        if (!logged)
            tw_log(TW_LOG_WARNING, "KAFKA", "%s; retrying", detail);
        logged = true;
        if (!k->base.wait(k->base.wait_opaque, 500)) {
            k->ending = k->discarding = false;
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
        }
    }
    /* The aborted records' reports (purged, or acknowledged before the
     * abort) must not count for the transactions that follow. */
    deadline = tw_progress_now_ms() + 30000;
    while (k->base.sink.outstanding(k->base.sink.opaque) > 0 && tw_progress_now_ms() < deadline)
        k->base.sink.poll(k->base.sink.opaque, 50);
    k->base.sink.poll(k->base.sink.opaque, 0);
    k->discarding = false;
    k->ending = false;
    forget_ktxn(k);
    k->base.counts.kafka_aborts++;
    if (err == TW_ERR_KAFKA) {
        tw_failure_set(k->base.failure, detail);
        return tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "%s", detail);
    }
    if (++k->consecutive_aborts >= MAX_CONSECUTIVE_ABORTS) {
        snprintf(detail, sizeof(detail),
                 "%d Kafka transactions in a row had to be aborted, the last because %s; "
                 "stopping without advancing the slot",
                 k->consecutive_aborts, why);
        tw_failure_set(k->base.failure, detail);
        return tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "%s", detail);
    }
    /* TW_ERR_IO: the caller reconnects, and the server resends. */
    return tw_errf(TW_ERR_IO, errstr, errstr_size,
                   "Kafka transaction aborted because %s; reading again from " TW_LSN_FMT, why,
                   TW_LSN_ARGS(k->base.offset.end_lsn));
}

/*
 * One wait while a Kafka transaction ends. A stop request does not cut it
 * short — the transaction is worth finishing — for up to
 * shutdown.timeout.ms; a failed pipeline does. Returns false to give up.
 */
static bool wait_ending(progress_ktxn_t *k, int ms, int64_t *stop_deadline)
{
    if (k->base.wait(k->base.wait_opaque, ms))
        return true;
    if (k->base.failure->failed)
        return false;
    if (*stop_deadline == 0)
        *stop_deadline = tw_progress_now_ms() + k->base.cfg->shutdown_timeout_ms;
    return tw_progress_now_ms() < *stop_deadline;
}

/* Waits for the acknowledgement of every record of the open transaction,
 * so their offsets are known for the checkpoint record. */
static tw_err_t await_acks(progress_ktxn_t *k, int64_t *stop_deadline, char *errstr,
                           size_t errstr_size)
{
    while (k->base.sink.outstanding(k->base.sink.opaque) > 0 && !k->failed) {
        if (!wait_ending(k, 50, stop_deadline))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    return TW_OK;
}

static tw_err_t produce_checkpoint(progress_ktxn_t *k, int64_t *stop_deadline, char *errstr,
                                   size_t errstr_size)
{
    tw_kafka_record_t rec;
    tw_err_t err;

    tw_offsets_topic_value(&k->base.origin, k->generation, &k->through, k->base.offset.commit_lsn,
                           k->ranges, k->nranges, &k->ckpt_value);
    memset(&rec, 0, sizeof(rec));
    rec.topic = k->base.cfg->offsets_topic;
    rec.partition = TW_KAFKA_PARTITION_ANY;
    rec.key = k->ckpt_key.data;
    rec.key_len = k->ckpt_key.len;
    rec.value = k->ckpt_value.data;
    rec.value_len = k->ckpt_value.len;
    rec.opaque = CHECKPOINT_OPAQUE;
    while ((err = k->base.sink.produce(k->base.sink.opaque, &rec, errstr, errstr_size)) == TW_ERR_AGAIN)
        if (!wait_ending(k, 50, stop_deadline))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    return err;
}

/* The Kafka transaction is committed: its source transactions are
 * delivered, and the slot may be confirmed through the newest. */
static void retire_ktxn(progress_ktxn_t *k)
{
    tw_lsn_t end, commit;
    int64_t ts;

    tw_progress_retire(&k->base);
    tw_delivery_advance(k->base.delivery, &end, &commit, &ts, NULL);
    if (k->has_source) {
        k->base.offset = k->through;
        k->base.offset_found = true;
        k->base.flush_lsn = k->through.end_lsn;
        if (k->through.commit_ts > 0)
            k->base.counts.last_delivered_commit_us = k->through.commit_ts;
    }
    k->open = false;
    k->consecutive_aborts = 0;
    k->base.counts.kafka_commits++;
    ktxn_clear_ranges(k);
}

/*
 * Commits the open Kafka transaction: every record acknowledged, then the
 * checkpoint record, then the commit itself. Only between source
 * transactions. A transaction that cannot commit is aborted and the
 * caller is told to reconnect (TW_ERR_IO); a fenced producer is fatal.
 */
static tw_err_t commit_ktxn_steps(progress_ktxn_t *k, char *errstr, size_t errstr_size);

static tw_err_t ktxn_commit(progress_ktxn_t *k, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    if (!k->open || k->base.in_txn || k->ending)
        return TW_OK;
    k->ending = true;
    err = commit_ktxn_steps(k, errstr, errstr_size);
    k->ending = false;
    return err;
}

static tw_err_t commit_ktxn_steps(progress_ktxn_t *k, char *errstr, size_t errstr_size)
{
    int64_t stop_deadline = 0;
    bool logged = false;
    tw_err_t err;

    err = await_acks(k, &stop_deadline, errstr, errstr_size);
    if (err)
        return err;
    if (k->failed) {
        char why[512];
        snprintf(why, sizeof(why), "%s", k->failure);
        return ktxn_abort(k, why, errstr, errstr_size);
    }
    if (k->has_source) {
        err = produce_checkpoint(k, &stop_deadline, errstr, errstr_size);
        if (err == TW_ERR_STOPPING)
            return err;
        if (err) {
            char why[512];
            snprintf(why, sizeof(why), "the checkpoint record failed: %s", errstr);
            return ktxn_abort(k, why, errstr, errstr_size);
        }
    }
    for (;;) {
        err = k->base.sink.commit_txn(k->base.sink.opaque, 10000, errstr, errstr_size);
        if (err != TW_ERR_AGAIN)
            break;
        if (!logged)
            tw_log(TW_LOG_WARNING, "KAFKA", "%s; retrying the commit", errstr);
        logged = true;
        if (!wait_ending(k, 100, &stop_deadline))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    if (err == TW_ERR_REJECTED || (err == TW_OK && k->failed)) {
        char why[512];
        snprintf(why, sizeof(why), "%s", err ? errstr : k->failure);
        return ktxn_abort(k, why, errstr, errstr_size);
    }
    if (err) {
        tw_failure_set(k->base.failure, errstr);
        return err;
    }
    if (logged)
        tw_log(TW_LOG_NOTICE, "KAFKA", "Kafka transaction committed after retrying");
    retire_ktxn(k);
    return TW_OK;
}

/* Commits when the transaction.boundary says so. stream_idle: PostgreSQL
 * has nothing more to send right now. */
static tw_err_t ktxn_boundary(progress_ktxn_t *k, bool stream_idle, char *errstr, size_t errstr_size)
{
    int64_t age;

    if (!k->open || k->base.in_txn)
        return TW_OK;
    age = tw_progress_now_ms() - k->started_ms;
    if (k->base.cfg->transaction_boundary == TW_TRANSACTION_BOUNDARY_INTERVAL
            ? age >= k->base.cfg->transaction_boundary_interval_ms
            : stream_idle || age >= POLL_BOUNDARY_MAX_MS)
        return ktxn_commit(k, errstr, errstr_size);
    return TW_OK;
}

/* Fences a previous instance (aborting what it left open), then reads the
 * checkpoint it committed last. */
static tw_err_t ktxn_start(progress_ktxn_t *k, char *errstr, size_t errstr_size)
{
    const tw_config_t *cfg = k->base.cfg;
    int64_t deadline = tw_progress_now_ms() + 60000;
    tw_offsets_topic_state_t state;
    tw_err_t err;

    for (;;) {
        err = k->base.sink.init_txns(k->base.sink.opaque, 10000, errstr, errstr_size);
        if (err != TW_ERR_AGAIN || tw_progress_now_ms() > deadline)
            break;
        tw_log(TW_LOG_WARNING, "KAFKA", "%s; retrying", errstr);
    }
    if (err)
        return tw_errf(err, errstr, errstr_size,
                       "%s (transactional.id %s); exactly-once mode needs Kafka reachable at "
                       "start-up and a broker with transactions",
                       errstr[0] ? errstr : "initializing transactions failed",
                       cfg->transactional_id);
    tw_offsets_topic_key(cfg->name, cfg->slot_name, &k->ckpt_key);
    /* Read after init_transactions: the fenced instance's open transaction
     * is resolved, so the newest committed checkpoint is visible. */
    err = tw_offsets_topic_load(cfg->bootstrap_servers, cfg->producer, cfg->offsets_topic,
                                k->ckpt_key.data, cfg->slot_name, 60000, &state, errstr,
                                errstr_size);
    if (err)
        return err;
    k->base.offset = state.offset;
    k->base.offset_found = state.found;
    k->base.origin = state.origin;
    snprintf(k->base.origin.slot, sizeof(k->base.origin.slot), "%s", cfg->slot_name);
    k->generation = state.generation;
    /* Every first start leaves a record (ktxn_adopt_origin), so a
     * topic without one for this connector lost it, or is new: which of
     * the two, origin.h decides from whether the slot exists. */
    k->missing = state.topic_missing || (!state.found && !state.reset);
    k->absent = state.topic_missing;
    if (k->base.offset_found)
        tw_log(TW_LOG_INFO, "CKPT",
               "offsets topic %s: delivered through commit " TW_LSN_FMT
               " (exactly-once, transactional.id %s)",
               cfg->offsets_topic, TW_LSN_ARGS(k->base.offset.commit_lsn), cfg->transactional_id);
    else
        tw_log(TW_LOG_INFO, "CKPT",
               "offsets topic %s %s; starting from the slot's position (exactly-once, "
               "transactional.id %s)",
               cfg->offsets_topic,
               state.topic_missing ? "does not exist yet"
               : state.reset ? "holds no position (a first start, or `tidewater offsets reset`)"
                             : "holds no position for this connector yet",
               cfg->transactional_id);
    return TW_OK;
}

/* ------------------------------------------------------------------ checkpoint provenance */

static void ktxn_origin_facts(const tw_progress_t *pr, tw_origin_facts_t *facts, char *where,
                              size_t where_size)
{
    const progress_ktxn_t *k = (const progress_ktxn_t *)pr;

    snprintf(where, where_size, "offsets topic %s (key %s)", pr->cfg->offsets_topic,
             k->ckpt_key.data ? k->ckpt_key.data : "");
    facts->where = where;
    facts->found = pr->offset_found;
    facts->topic_missing = k->missing;
    facts->offset = pr->offset;
    facts->origin = pr->origin;
}

/* A first start: the topic is created and given a start record (a reset
 * of the current generation), so from now on a missing topic means a
 * deleted one — even on brokers that create topics only when first
 * written to. */
static tw_err_t mark_first_start(progress_ktxn_t *k, char *errstr, size_t errstr_size)
{
    const tw_config_t *cfg = k->base.cfg;
    tw_progress_sink_t *sink = &k->base.sink;
    tw_kafka_record_t rec;
    tw_buf_t value = TW_BUF_INIT;
    tw_err_t err;

    if (k->absent)
        tw_offsets_topic_create(cfg->bootstrap_servers, cfg->producer, cfg->offsets_topic, 3000);
    tw_offsets_topic_reset_value(cfg->slot_name, k->generation, tw_progress_now_us(), &value);
    memset(&rec, 0, sizeof(rec));
    rec.topic = cfg->offsets_topic;
    rec.partition = TW_KAFKA_PARTITION_ANY;
    rec.key = k->ckpt_key.data;
    rec.key_len = k->ckpt_key.len;
    rec.value = value.data;
    rec.value_len = value.len;
    rec.opaque = CHECKPOINT_OPAQUE;
    err = sink->begin_txn(sink->opaque, errstr, errstr_size);
    if (err == TW_OK)
        err = sink->produce(sink->opaque, &rec, errstr, errstr_size);
    if (err == TW_OK)
        err = sink->commit_txn(sink->opaque, 30000, errstr, errstr_size);
    else
        sink->abort_txn(sink->opaque, 10000, NULL, 0);
    k->failed = false; /* a refused start record is reported here, not by a transaction */
    tw_buf_free(&value);
    if (err)
        return tw_errf(TW_ERR_KAFKA, errstr, errstr_size,
                       "cannot write the first record to offsets topic %s: %s",
                       cfg->offsets_topic, errstr);
    tw_log(TW_LOG_NOTICE, "CKPT", "offsets topic %s: first start of this connector recorded",
           cfg->offsets_topic);
    return TW_OK;
}

static tw_err_t ktxn_adopt_origin(tw_progress_t *pr, bool rewrite, char *errstr,
                                  size_t errstr_size)
{
    progress_ktxn_t *k = (progress_ktxn_t *)pr;
    tw_err_t err;

    (void)rewrite; /* every checkpoint record is new */
    if (k->missing) {
        err = mark_first_start(k, errstr, errstr_size);
        if (err)
            return err;
        k->missing = k->absent = false;
    }
    return TW_OK;
}

/* ------------------------------------------------------------------ the ops table */

static tw_err_t op_start(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    return ktxn_start((progress_ktxn_t *)pr, errstr, errstr_size);
}

/* The tracker empties only when the Kafka transaction commits, so commit
 * it rather than wait for room; then make sure one is open. */
static tw_err_t op_begin(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    progress_ktxn_t *k = (progress_ktxn_t *)pr;
    tw_err_t err;

    if (tw_delivery_full(pr->delivery)) {
        err = ktxn_commit(k, errstr, errstr_size);
        if (err)
            return err;
    }
    return ktxn_begin(k, errstr, errstr_size);
}

/* A positionless record joins the open Kafka transaction, or opens one
 * that commits at the next boundary; with no source transaction in it,
 * its commit writes no checkpoint and moves nothing (retire_ktxn). A
 * failed one dooms the transaction like any other record. */
static tw_err_t op_aux(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    return ktxn_begin((progress_ktxn_t *)pr, errstr, errstr_size);
}

static bool op_report(tw_progress_t *pr, const tw_kafka_report_t *report)
{
    ktxn_report((progress_ktxn_t *)pr, report);
    return true;
}

/* The open Kafka transaction failed (an abortable error arrived between
 * records): abort it; the server resends its source transactions after
 * the reconnect. */
static bool op_produce_failed(tw_progress_t *pr, tw_err_t err, char *errstr,
                              size_t errstr_size, tw_err_t *out)
{
    char why[512];

    if (err != TW_ERR_IO)
        return false;
    snprintf(why, sizeof(why), "%s", errstr);
    *out = ktxn_abort((progress_ktxn_t *)pr, why, errstr, errstr_size);
    return true;
}

static void op_closed(tw_progress_t *pr, const tw_offset_t *through)
{
    progress_ktxn_t *k = (progress_ktxn_t *)pr;
    /* A lone message has no commit time: the last transaction's stays. */
    int64_t txn_ts = k->has_source ? k->through.txn_commit_ts : k->base.offset.txn_commit_ts;

    k->through = *through;
    k->through.txn_commit_ts = through->commit_ts > 0 ? through->commit_ts : txn_ts;
    k->has_source = true;
}

/* Delivered means committed, which the boundary handles. */
static tw_err_t op_poll(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    return ktxn_boundary((progress_ktxn_t *)pr, false, errstr, errstr_size);
}

static tw_err_t op_boundary(tw_progress_t *pr, bool stream_idle, char *errstr,
                            size_t errstr_size)
{
    return ktxn_boundary((progress_ktxn_t *)pr, stream_idle, errstr, errstr_size);
}

/* Complete source transactions are committed; a half-read one (a lost
 * connection) or a failure aborts them all, to be read again. */
static tw_err_t op_drain(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    progress_ktxn_t *k = (progress_ktxn_t *)pr;
    tw_err_t err;

    if (!k->open)
        return TW_OK;
    if (pr->in_txn || pr->failure->failed)
        err = ktxn_abort(k, pr->failure->failed ? "the connector is stopping on an error"
                                                : "the connection to PostgreSQL was lost",
                         errstr, errstr_size);
    else
        err = ktxn_commit(k, errstr, errstr_size);
    return err == TW_ERR_IO ? TW_OK : err; /* aborted: nothing to wait for */
}

static tw_err_t op_drained(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    (void)pr;
    (void)errstr;
    (void)errstr_size;
    return TW_OK;
}

static void op_reset(tw_progress_t *pr)
{
    progress_ktxn_t *k = (progress_ktxn_t *)pr;
    char errstr[512];

    if (k->open)
        ktxn_abort(k, "the connection to PostgreSQL was lost", errstr, sizeof(errstr));
}

static bool op_holding(const tw_progress_t *pr)
{
    return ((const progress_ktxn_t *)pr)->open;
}

static void op_destroy(tw_progress_t *pr)
{
    progress_ktxn_t *k = (progress_ktxn_t *)pr;

    tw_buf_free(&k->ckpt_key);
    tw_buf_free(&k->ckpt_value);
    ktxn_clear_ranges(k);
    free(k->ranges);
    free(k);
}

static const tw_progress_ops_t ktxn_ops = {
    .name = "exactly-once",
    .start = op_start,
    .begin = op_begin,
    .report = op_report,
    .aux = op_aux,
    .produce_failed = op_produce_failed,
    .closed = op_closed,
    .poll = op_poll,
    .boundary = op_boundary,
    .drain = op_drain,
    .drained = op_drained,
    .reset = op_reset,
    .holding = op_holding,
    .origin_facts = ktxn_origin_facts,
    .adopt_origin = ktxn_adopt_origin,
    .destroy = op_destroy,
};

tw_progress_t *tw_progress_ktxn_new(const tw_config_t *cfg, tw_progress_sink_t sink,
                                    tw_delivery_t *delivery, tw_failure_t *failure)
{
    progress_ktxn_t *k = tw_calloc(1, sizeof(*k));

    tw_progress_init(&k->base, &ktxn_ops, cfg, sink, delivery, failure);
    return &k->base;
}
