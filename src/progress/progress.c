/*
 * progress.c — what both progress modes share (see progress.h): opening
 * and closing source transactions in the delivery tracker, the skip rules
 * of confirm.h, the drain, and the real producer behind the sink table.
 */
#include "progress/progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "progress/confirm.h"

void tw_failure_set(tw_failure_t *failure, const char *why)
{
    if (!failure->failed) {
        failure->failed = true;
        snprintf(failure->why, sizeof(failure->why), "%s", why);
    }
}

int64_t tw_progress_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int64_t tw_progress_now_ms(void)
{
    return tw_progress_now_us() / 1000;
}

/* ------------------------------------------------------------------ the real producer */

static tw_err_t k_produce(void *o, const tw_kafka_record_t *r, char *e, size_t n)
{
    return tw_kafka_sink_produce(o, r, e, n);
}
static void k_poll(void *o, int ms)
{
    tw_kafka_sink_poll(o, ms);
}
static size_t k_outstanding(void *o)
{
    return tw_kafka_sink_outstanding(o);
}
static tw_err_t k_init(void *o, int ms, char *e, size_t n)
{
    return tw_kafka_sink_init_txns(o, ms, e, n);
}
static tw_err_t k_begin(void *o, char *e, size_t n)
{
    return tw_kafka_sink_begin_txn(o, e, n);
}
static tw_err_t k_commit(void *o, int ms, char *e, size_t n)
{
    return tw_kafka_sink_commit_txn(o, ms, e, n);
}
static tw_err_t k_abort(void *o, int ms, char *e, size_t n)
{
    return tw_kafka_sink_abort_txn(o, ms, e, n);
}

tw_progress_sink_t tw_progress_kafka_sink(tw_kafka_sink_t *sink)
{
    tw_progress_sink_t s = {sink, k_produce, k_poll, k_outstanding, k_init,
                            k_begin, k_commit, k_abort};
    return s;
}

/* ------------------------------------------------------------------ life cycle */

void tw_progress_init(tw_progress_t *pr, const tw_progress_ops_t *ops, const tw_config_t *cfg,
                      tw_progress_sink_t sink, tw_delivery_t *delivery, tw_failure_t *failure)
{
    pr->ops = ops;
    pr->cfg = cfg;
    pr->sink = sink;
    pr->delivery = delivery;
    pr->failure = failure;
    snprintf(pr->origin.slot, sizeof(pr->origin.slot), "%s", cfg->slot_name);
}

void tw_progress_destroy(tw_progress_t *pr)
{
    if (pr)
        pr->ops->destroy(pr);
}

void tw_progress_set_wait(tw_progress_t *pr, tw_progress_wait_fn fn, void *opaque)
{
    pr->wait = fn;
    pr->wait_opaque = opaque;
}

tw_err_t tw_progress_start(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    tw_err_t err = pr->ops->start(pr, errstr, errstr_size);

    if (err == TW_OK)
        pr->flush_lsn = pr->offset.end_lsn;
    return err;
}

/* ------------------------------------------------------------------ source transactions */

/* Opens a tracked transaction, waiting for room in the tracker. */
static tw_err_t open_txn(tw_progress_t *pr, tw_lsn_t commit_lsn, int64_t commit_ts,
                         char *errstr, size_t errstr_size)
{
    tw_err_t err = pr->ops->begin(pr, errstr, errstr_size);

    if (err)
        return err;
    /* Read but not yet tracked counts as half read: once the acks that
     * make room arrive, the tracker is idle, and a status update sent
     * from this wait must not cover a logical message (which has no
     * Begin to hold the change feed in a transaction). */
    pr->in_txn = true;
    while (tw_delivery_full(pr->delivery)) {
        if (!pr->wait(pr->wait_opaque, 50))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    pr->seq = tw_delivery_begin(pr->delivery, commit_lsn, commit_ts);
    return TW_OK;
}

tw_err_t tw_progress_txn_begin(tw_progress_t *pr, tw_lsn_t commit_lsn, int64_t commit_ts,
                               bool *skip, char *errstr, size_t errstr_size)
{
    /* Delivered before a restart: PostgreSQL resends from the slot's
     * confirmed position, which lags the checkpoint. */
    pr->skipping = pr->offset_found && tw_confirm_txn_done(commit_lsn, pr->offset.end_lsn);
    *skip = pr->skipping;
    if (pr->skipping)
        return TW_OK;
    return open_txn(pr, commit_lsn, commit_ts, errstr, errstr_size);
}

tw_err_t tw_progress_txn_end(tw_progress_t *pr, const tw_offset_t *through, char *errstr,
                             size_t errstr_size)
{
    if (pr->skipping) {
        pr->skipping = false;
        return TW_OK;
    }
    tw_delivery_commit(pr->delivery, pr->seq, through->end_lsn);
    pr->in_txn = false;
    pr->ops->closed(pr, through);
    return pr->ops->boundary(pr, false, errstr, errstr_size);
}

bool tw_progress_message_done(const tw_progress_t *pr, tw_lsn_t lsn)
{
    /* A non-transactional message's LSN is the end of its WAL record,
     * which may also be the commit LSN of the transaction that follows:
     * the position that covers the message is its LSN itself, which
     * leaves that transaction to be sent again (see confirm.h). */
    return pr->offset_found && tw_confirm_message_done(lsn, pr->offset.end_lsn);
}

tw_err_t tw_progress_message_begin(tw_progress_t *pr, tw_lsn_t lsn, char *errstr,
                                   size_t errstr_size)
{
    return open_txn(pr, lsn, 0, errstr, errstr_size);
}

void tw_progress_message_end(tw_progress_t *pr, tw_lsn_t lsn)
{
    tw_offset_t through = {0};

    through.commit_lsn = lsn;
    through.end_lsn = lsn;
    tw_delivery_commit(pr->delivery, pr->seq, lsn);
    pr->in_txn = false;
    pr->ops->closed(pr, &through);
}

void tw_progress_resume_point(const tw_progress_t *pr, tw_lsn_t *end_lsn, int64_t *commit_ts)
{
    *end_lsn = pr->offset_found ? pr->offset.end_lsn : 0;
    *commit_ts = pr->offset_found ? pr->offset.txn_commit_ts : 0;
}

/* ------------------------------------------------------------------ delivery */

tw_err_t tw_progress_aux(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    return pr->ops->aux(pr, errstr, errstr_size);
}

bool tw_progress_report(tw_progress_t *pr, const tw_kafka_report_t *report)
{
    return pr->ops->report(pr, report);
}

bool tw_progress_produce_failed(tw_progress_t *pr, tw_err_t err, char *errstr,
                                size_t errstr_size, tw_err_t *out)
{
    return pr->ops->produce_failed(pr, err, errstr, errstr_size, out);
}

tw_err_t tw_progress_poll(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    return pr->ops->poll(pr, errstr, errstr_size);
}

tw_err_t tw_progress_boundary(tw_progress_t *pr, bool stream_idle, char *errstr,
                              size_t errstr_size)
{
    return pr->ops->boundary(pr, stream_idle, errstr, errstr_size);
}

bool tw_progress_commit_pending(const tw_progress_t *pr)
{
    return pr->ops->holding(pr) && !pr->in_txn;
}

void tw_progress_retire(tw_progress_t *pr)
{
    int64_t ts;

    while (tw_delivery_next_done(pr->delivery, &ts)) {
        /* commit_ts is 0 for messages without one (non-transactional). */
        if (ts > 0)
            tw_histogram_record(&pr->counts.latency, tw_progress_now_us() - ts);
        pr->counts.transactions++;
    }
}

void tw_progress_forget(tw_progress_t *pr)
{
    tw_delivery_reset(pr->delivery);
    /* The tracker now looks idle, but what was read is not delivered: the
     * slot must not follow the server until a new session starts over. */
    pr->tainted = true;
    pr->in_txn = false;
    pr->skipping = false;
}

tw_err_t tw_progress_drain(tw_progress_t *pr, int timeout_ms, char *errstr,
                           size_t errstr_size)
{
    int64_t deadline = tw_progress_now_ms() + timeout_ms;
    tw_err_t err;

    err = pr->ops->drain(pr, errstr, errstr_size);
    if (err)
        return err;
    while (pr->sink.outstanding(pr->sink.opaque) > 0 && tw_progress_now_ms() < deadline &&
           !pr->failure->failed)
        pr->sink.poll(pr->sink.opaque, 50);
    pr->sink.poll(pr->sink.opaque, 0);
    err = pr->ops->poll(pr, errstr, errstr_size);
    if (err == TW_OK)
        err = pr->ops->drained(pr, errstr, errstr_size);
    return err;
}

void tw_progress_reset(tw_progress_t *pr)
{
    pr->ops->reset(pr);
    /* An abort a stop cut short keeps the half-read state, so the final
     * drain aborts rather than commits part of a source transaction. */
    if (pr->ops->holding(pr))
        return;
    /* What was not delivered is dropped; the server sends it again from
     * the confirmed position, and the new session delivers it anew.
     * Records still in flight (the drain gave up) find their transactions
     * gone when their reports arrive, and count for nothing. */
    tw_delivery_reset(pr->delivery);
    pr->in_txn = false;
    pr->skipping = false;
    pr->tainted = false;
}

bool tw_progress_quiet(const tw_progress_t *pr)
{
    return !pr->tainted && !pr->in_txn && !pr->ops->holding(pr);
}

void tw_progress_origin_facts(const tw_progress_t *pr, struct tw_origin_facts *facts,
                              char *where, size_t where_size)
{
    pr->ops->origin_facts(pr, facts, where, where_size);
}

tw_err_t tw_progress_adopt_origin(tw_progress_t *pr, const tw_offset_origin_t *origin,
                                  bool rewrite, char *errstr, size_t errstr_size)
{
    pr->origin = *origin;
    return pr->ops->adopt_origin(pr, rewrite, errstr, errstr_size);
}
