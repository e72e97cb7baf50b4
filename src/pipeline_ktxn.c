/*
 * pipeline_ktxn.c — exactly-once mode: Kafka transactions that each carry
 * whole source transactions and the checkpoint naming how far they reach
 * (offsets_topic.h), committed at transaction.boundary, aborted and read
 * again from PostgreSQL when Kafka refuses them.
 */
#include "pipeline_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Remembers which offsets the open Kafka transaction's records got. */
static void note_range(tw_pipeline_t *p, const char *topic, int32_t partition, int64_t offset)
{
    tw_offsets_range_t *r;
    size_t i;

    for (i = 0; i < p->nranges; i++) {
        r = &p->ranges[i];
        if (r->partition == partition && strcmp(r->topic, topic) == 0) {
            r->first = TW_MIN(r->first, offset);
            r->last = TW_MAX(r->last, offset);
            return;
        }
    }
    if (p->nranges == p->ranges_cap) {
        p->ranges_cap = p->ranges_cap ? 2 * p->ranges_cap : 16;
        p->ranges = tw_realloc(p->ranges, p->ranges_cap * sizeof(*p->ranges));
    }
    r = &p->ranges[p->nranges++];
    r->topic = tw_strdup(topic);
    r->partition = partition;
    r->first = r->last = offset;
}

void tw_ktxn_clear_ranges(tw_pipeline_t *p)
{
    size_t i;

    for (i = 0; i < p->nranges; i++)
        free(p->ranges[i].topic);
    p->nranges = 0;
}

/* Exactly-once mode: a failed record dooms its Kafka transaction, which
 * is aborted and read again from PostgreSQL; there is no dead-letter copy
 * for what Kafka refuses, since it would share the doomed transaction. */
void tw_ktxn_report(tw_pipeline_t *p, const tw_kafka_report_t *report)
{
    tw_delivery_seq_t seq = (tw_delivery_seq_t)(uintptr_t)report->opaque;

    if (p->discarding)
        return;
    if (report->err != TW_OK) {
        p->delivery_errors++;
        if (!p->ktxn_failed)
            snprintf(p->ktxn_failure, sizeof(p->ktxn_failure), "Kafka refused a record for %s: %s",
                     report->topic, report->errstr);
        p->ktxn_failed = true;
        return;
    }
    if (report->opaque == CHECKPOINT_OPAQUE)
        return;
    note_range(p, report->topic, report->partition, report->offset);
    tw_delivery_ack(p->delivery, seq, true);
}

tw_err_t tw_ktxn_begin(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    if (!p->eos || p->ktxn_open)
        return TW_OK;
    err = tw_kafka_sink_begin_txn(p->sink, errstr, errstr_size);
    if (err)
        return err == TW_ERR_KAFKA ? err : TW_ERR_IO;
    p->ktxn_open = true;
    p->ktxn_has_source = false;
    p->ktxn_failed = false;
    p->ktxn_started_ms = tw_pipeline_now_ms();
    tw_ktxn_clear_ranges(p);
    return TW_OK;
}

/* Forgets every source transaction of the aborted Kafka transaction: none
 * was confirmed to PostgreSQL, which sends them again after a reconnect. */
static void forget_ktxn(tw_pipeline_t *p)
{
    tw_delivery_reset(p->delivery);
    /* The tracker now looks idle, but what was read is not delivered: the
     * slot must not follow the server until a new session starts over. */
    p->tainted = true;
    p->ktxn_open = false;
    p->in_txn = false;
    p->skipping = false;
    tw_ktxn_clear_ranges(p);
}

tw_err_t tw_ktxn_abort(tw_pipeline_t *p, const char *why, char *errstr, size_t errstr_size)
{
    int64_t deadline;
    bool logged = false;
    char detail[512];
    tw_err_t err;

    if (!p->ktxn_open)
        return TW_OK;
    p->ktxn_ending = true;
    p->discarding = true;
    /* Until the abort is through no new transaction can begin; a
     * coordinator that cannot be reached is waited for. */
    for (;;) {
        err = tw_kafka_sink_abort_txn(p->sink, 10000, detail, sizeof(detail));
        if (err != TW_ERR_AGAIN)
            break;
        if (!logged)
            tw_log(TW_LOG_WARNING, "KAFKA", "%s; retrying", detail);
        logged = true;
        if (!p->wait(p->wait_opaque, 500)) {
            p->ktxn_ending = p->discarding = false;
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
        }
    }
    /* The aborted records' reports (purged, or acknowledged before the
     * abort) must not count for the transactions that follow. */
    deadline = tw_pipeline_now_ms() + 30000;
    while (tw_kafka_sink_outstanding(p->sink) > 0 && tw_pipeline_now_ms() < deadline)
        tw_kafka_sink_poll(p->sink, 50);
    tw_kafka_sink_poll(p->sink, 0);
    p->discarding = false;
    p->ktxn_ending = false;
    forget_ktxn(p);
    p->kafka_aborts++;
    if (err == TW_ERR_KAFKA) {
        tw_pipeline_fail(p, detail);
        return tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "%s", detail);
    }
    if (++p->consecutive_aborts >= MAX_CONSECUTIVE_ABORTS) {
        snprintf(detail, sizeof(detail),
                 "%d Kafka transactions in a row had to be aborted, the last because %s; "
                 "stopping without advancing the slot",
                 p->consecutive_aborts, why);
        tw_pipeline_fail(p, detail);
        return tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "%s", detail);
    }
    /* TW_ERR_IO: the caller reconnects, and the server resends. */
    return tw_errf(TW_ERR_IO, errstr, errstr_size,
                   "Kafka transaction aborted because %s; reading again from " TW_LSN_FMT, why,
                   TW_LSN_ARGS(p->offset.end_lsn));
}

/*
 * One wait while a Kafka transaction ends. A stop request does not cut it
 * short — the transaction is worth finishing — for up to
 * shutdown.timeout.ms; a failed pipeline does. Returns false to give up.
 */
static bool wait_ending(tw_pipeline_t *p, int ms, int64_t *stop_deadline)
{
    if (p->wait(p->wait_opaque, ms))
        return true;
    if (p->failed)
        return false;
    if (*stop_deadline == 0)
        *stop_deadline = tw_pipeline_now_ms() + p->cfg->shutdown_timeout_ms;
    return tw_pipeline_now_ms() < *stop_deadline;
}

/* Waits for the acknowledgement of every record of the open transaction,
 * so their offsets are known for the checkpoint record. */
static tw_err_t await_acks(tw_pipeline_t *p, int64_t *stop_deadline, char *errstr,
                           size_t errstr_size)
{
    while (tw_kafka_sink_outstanding(p->sink) > 0 && !p->ktxn_failed) {
        if (!wait_ending(p, 50, stop_deadline))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    return TW_OK;
}

static tw_err_t produce_checkpoint(tw_pipeline_t *p, int64_t *stop_deadline, char *errstr,
                                   size_t errstr_size)
{
    tw_kafka_record_t rec;
    tw_err_t err;

    tw_offsets_topic_value(&p->origin, p->generation, &p->ktxn_through, p->offset.commit_lsn,
                           p->ranges, p->nranges, &p->ckpt_value);
    memset(&rec, 0, sizeof(rec));
    rec.topic = p->cfg->offsets_topic;
    rec.partition = TW_KAFKA_PARTITION_ANY;
    rec.key = p->ckpt_key.data;
    rec.key_len = p->ckpt_key.len;
    rec.value = p->ckpt_value.data;
    rec.value_len = p->ckpt_value.len;
    rec.opaque = CHECKPOINT_OPAQUE;
    while ((err = tw_kafka_sink_produce(p->sink, &rec, errstr, errstr_size)) == TW_ERR_AGAIN)
        if (!wait_ending(p, 50, stop_deadline))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    return err;
}

/* The Kafka transaction is committed: its source transactions are
 * delivered, and the slot may be confirmed through the newest. */
static void retire_ktxn(tw_pipeline_t *p)
{
    tw_lsn_t end, commit;
    int64_t ts;

    while (tw_delivery_next_done(p->delivery, &ts)) {
        if (ts > 0)
            tw_histogram_record(&p->latency, tw_pipeline_now_us() - ts);
        p->transactions++;
    }
    tw_delivery_advance(p->delivery, &end, &commit, &ts);
    if (p->ktxn_has_source) {
        p->offset = p->ktxn_through;
        p->offset_found = true;
        p->flush_lsn = p->ktxn_through.end_lsn;
        if (p->ktxn_through.commit_ts > 0)
            p->last_delivered_commit_us = p->ktxn_through.commit_ts;
    }
    p->ktxn_open = false;
    p->consecutive_aborts = 0;
    p->kafka_commits++;
    tw_ktxn_clear_ranges(p);
}

/*
 * Commits the open Kafka transaction: every record acknowledged, then the
 * checkpoint record, then the commit itself. Only between source
 * transactions. A transaction that cannot commit is aborted and the
 * caller is told to reconnect (TW_ERR_IO); a fenced producer is fatal.
 */
static tw_err_t commit_ktxn_steps(tw_pipeline_t *p, char *errstr, size_t errstr_size);

tw_err_t tw_ktxn_commit(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    if (!p->ktxn_open || p->in_txn || p->ktxn_ending)
        return TW_OK;
    p->ktxn_ending = true;
    err = commit_ktxn_steps(p, errstr, errstr_size);
    p->ktxn_ending = false;
    return err;
}

static tw_err_t commit_ktxn_steps(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    int64_t stop_deadline = 0;
    bool logged = false;
    tw_err_t err;

    err = await_acks(p, &stop_deadline, errstr, errstr_size);
    if (err)
        return err;
    if (p->ktxn_failed) {
        char why[512];
        snprintf(why, sizeof(why), "%s", p->ktxn_failure);
        return tw_ktxn_abort(p, why, errstr, errstr_size);
    }
    if (p->ktxn_has_source) {
        err = produce_checkpoint(p, &stop_deadline, errstr, errstr_size);
        if (err == TW_ERR_STOPPING)
            return err;
        if (err) {
            char why[512];
            snprintf(why, sizeof(why), "the checkpoint record failed: %s", errstr);
            return tw_ktxn_abort(p, why, errstr, errstr_size);
        }
    }
    for (;;) {
        err = tw_kafka_sink_commit_txn(p->sink, 10000, errstr, errstr_size);
        if (err != TW_ERR_AGAIN)
            break;
        if (!logged)
            tw_log(TW_LOG_WARNING, "KAFKA", "%s; retrying the commit", errstr);
        logged = true;
        if (!wait_ending(p, 100, &stop_deadline))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    if (err == TW_ERR_REJECTED || (err == TW_OK && p->ktxn_failed)) {
        char why[512];
        snprintf(why, sizeof(why), "%s", err ? errstr : p->ktxn_failure);
        return tw_ktxn_abort(p, why, errstr, errstr_size);
    }
    if (err) {
        tw_pipeline_fail(p, errstr);
        return err;
    }
    if (logged)
        tw_log(TW_LOG_NOTICE, "KAFKA", "Kafka transaction committed after retrying");
    retire_ktxn(p);
    return TW_OK;
}

/* Commits when the transaction.boundary says so. stream_idle: PostgreSQL
 * has nothing more to send right now. */
tw_err_t tw_ktxn_boundary(tw_pipeline_t *p, bool stream_idle, char *errstr, size_t errstr_size)
{
    int64_t age;

    if (!p->ktxn_open || p->in_txn)
        return TW_OK;
    age = tw_pipeline_now_ms() - p->ktxn_started_ms;
    if (p->cfg->transaction_boundary == TW_TRANSACTION_BOUNDARY_INTERVAL
            ? age >= p->cfg->transaction_boundary_interval_ms
            : stream_idle || age >= POLL_BOUNDARY_MAX_MS)
        return tw_ktxn_commit(p, errstr, errstr_size);
    return TW_OK;
}

/* Fences a previous instance (aborting what it left open), then reads the
 * checkpoint it committed last. */
tw_err_t tw_ktxn_start(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    const tw_config_t *cfg = p->cfg;
    int64_t deadline = tw_pipeline_now_ms() + 60000;
    tw_offsets_topic_state_t state;
    tw_err_t err;

    for (;;) {
        err = tw_kafka_sink_init_txns(p->sink, 10000, errstr, errstr_size);
        if (err != TW_ERR_AGAIN || tw_pipeline_now_ms() > deadline)
            break;
        tw_log(TW_LOG_WARNING, "KAFKA", "%s; retrying", errstr);
    }
    if (err)
        return tw_errf(err, errstr, errstr_size,
                       "%s (transactional.id %s); exactly-once mode needs Kafka reachable at "
                       "start-up and a broker with transactions",
                       errstr[0] ? errstr : "initializing transactions failed",
                       cfg->transactional_id);
    tw_offsets_topic_key(cfg->name, cfg->slot_name, &p->ckpt_key);
    /* Read after init_transactions: the fenced instance's open transaction
     * is resolved, so the newest committed checkpoint is visible. */
    err = tw_offsets_topic_load(cfg->bootstrap_servers, cfg->producer, cfg->offsets_topic,
                                p->ckpt_key.data, cfg->slot_name, 60000, &state, errstr,
                                errstr_size);
    if (err)
        return err;
    p->offset = state.offset;
    p->offset_found = state.found;
    p->origin = state.origin;
    snprintf(p->origin.slot, sizeof(p->origin.slot), "%s", cfg->slot_name);
    p->generation = state.generation;
    /* Every first start leaves a record (tw_pipeline_adopt_origin), so a
     * topic without one for this connector lost it, or is new: which of
     * the two, origin.h decides from whether the slot exists. */
    p->offsets_topic_missing = state.topic_missing || (!state.found && !state.reset);
    p->offsets_topic_absent = state.topic_missing;
    if (p->offset_found)
        tw_log(TW_LOG_INFO, "CKPT",
               "offsets topic %s: delivered through commit " TW_LSN_FMT
               " (exactly-once, transactional.id %s)",
               cfg->offsets_topic, TW_LSN_ARGS(p->offset.commit_lsn), cfg->transactional_id);
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
