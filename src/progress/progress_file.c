/*
 * progress_file.c — at-least-once mode: each acknowledged record counts
 * at once, the delivery tracker turns acknowledgements into a position,
 * and the offsets file keeps it (rewritten every offset.flush.interval.ms).
 */
#include "progress/progress_file.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "progress/origin.h"

typedef struct progress_file {
    tw_progress_t base;
    bool offset_dirty;
    int64_t offset_written_ms;
} progress_file_t;

static tw_err_t store_offsets(progress_file_t *f, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    if (!f->offset_dirty)
        return TW_OK;
    err = tw_offsets_store(f->base.cfg->offsets_file, &f->base.origin, &f->base.offset, errstr,
                           errstr_size);
    if (err == TW_OK) {
        f->offset_dirty = false;
        f->offset_written_ms = tw_progress_now_ms();
    }
    return err;
}

/* The file was read by tw_progress_file_new. */
static tw_err_t file_start(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    (void)pr;
    (void)errstr;
    (void)errstr_size;
    return TW_OK;
}

static tw_err_t file_begin(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    (void)pr;
    (void)errstr;
    (void)errstr_size;
    return TW_OK;
}

/* Positionless records need no preparation: they are not tracked. */
static tw_err_t file_aux(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    (void)pr;
    (void)errstr;
    (void)errstr_size;
    return TW_OK;
}

/* A delivered record counts; a failed one goes to the error policy. */
static bool file_report(tw_progress_t *pr, const tw_kafka_report_t *report)
{
    /* A positionless record (a heartbeat) counts for nothing either way;
     * a lost one is only worth a warning, the next beat replaces it. */
    if (report->opaque == TW_PROGRESS_AUX_OPAQUE) {
        if (report->err != TW_OK)
            tw_log(TW_LOG_WARNING, "KAFKA", "heartbeat record for %s failed: %s",
                   report->topic, report->errstr);
        return true;
    }
    if (report->err != TW_OK)
        return false;
    tw_delivery_ack(pr->delivery, (tw_delivery_seq_t)(uintptr_t)report->opaque, true);
    return true;
}

static bool file_produce_failed(tw_progress_t *pr, tw_err_t err, char *errstr,
                                size_t errstr_size, tw_err_t *out)
{
    (void)pr;
    (void)err;
    (void)errstr;
    (void)errstr_size;
    (void)out;
    return false;
}

static void file_closed(tw_progress_t *pr, const tw_offset_t *through)
{
    (void)pr;
    (void)through;
}

/* Delivered transactions advance the checkpoint; the file is rewritten
 * when due. */
static tw_err_t file_poll(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    progress_file_t *f = (progress_file_t *)pr;
    tw_lsn_t end, commit;
    int64_t ts;

    tw_progress_retire(pr);
    if (tw_delivery_advance(pr->delivery, &end, &commit, &ts, &pr->offset.txn_commit_ts)) {
        pr->flush_lsn = end;
        if (ts > 0)
            pr->counts.last_delivered_commit_us = ts;
        pr->offset.end_lsn = end;
        pr->offset.commit_lsn = commit;
        pr->offset.commit_ts = ts;
        pr->offset_found = true;
        f->offset_dirty = true;
    }
    if (f->offset_dirty &&
        tw_progress_now_ms() - f->offset_written_ms >= pr->cfg->offset_flush_interval_ms)
        return store_offsets(f, errstr, errstr_size);
    return TW_OK;
}

static tw_err_t file_boundary(tw_progress_t *pr, bool stream_idle, char *errstr,
                              size_t errstr_size)
{
    (void)pr;
    (void)stream_idle;
    (void)errstr;
    (void)errstr_size;
    return TW_OK;
}

static tw_err_t file_drain(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    return file_begin(pr, errstr, errstr_size);
}

static tw_err_t file_drained(tw_progress_t *pr, char *errstr, size_t errstr_size)
{
    return store_offsets((progress_file_t *)pr, errstr, errstr_size);
}

static void file_reset(tw_progress_t *pr)
{
    (void)pr;
}

static bool file_holding(const tw_progress_t *pr)
{
    (void)pr;
    return false;
}

static void file_origin_facts(const tw_progress_t *pr, tw_origin_facts_t *facts, char *where,
                              size_t where_size)
{
    snprintf(where, where_size, "offsets file %s", pr->cfg->offsets_file);
    facts->where = where;
    facts->found = pr->offset_found;
    facts->topic_missing = false;
    facts->offset = pr->offset;
    facts->origin = pr->origin;
}

static tw_err_t file_adopt_origin(tw_progress_t *pr, bool rewrite, char *errstr,
                                  size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    /* A checkpoint that lacked the server's identity gets it at the next
     * write, even if nothing new is delivered. */
    if (rewrite && pr->offset_found)
        ((progress_file_t *)pr)->offset_dirty = true;
    return TW_OK;
}

static void file_destroy(tw_progress_t *pr)
{
    free(pr);
}

static const tw_progress_ops_t file_ops = {
    .name = "at-least-once",
    .start = file_start,
    .begin = file_begin,
    .report = file_report,
    .aux = file_aux,
    .produce_failed = file_produce_failed,
    .closed = file_closed,
    .poll = file_poll,
    .boundary = file_boundary,
    .drain = file_drain,
    .drained = file_drained,
    .reset = file_reset,
    .holding = file_holding,
    .origin_facts = file_origin_facts,
    .adopt_origin = file_adopt_origin,
    .destroy = file_destroy,
};

tw_err_t tw_progress_file_new(const tw_config_t *cfg, tw_progress_sink_t sink,
                              tw_delivery_t *delivery, tw_failure_t *failure,
                              tw_progress_t **out, char *errstr, size_t errstr_size)
{
    progress_file_t *f = tw_calloc(1, sizeof(*f));
    tw_progress_t *pr = &f->base;
    tw_err_t err;

    *out = NULL;
    tw_progress_init(pr, &file_ops, cfg, sink, delivery, failure);
    err = tw_offsets_load(cfg->offsets_file, cfg->slot_name, &pr->offset, &pr->origin,
                          &pr->offset_found, errstr, errstr_size);
    if (err) {
        free(f);
        return err;
    }
    snprintf(pr->origin.slot, sizeof(pr->origin.slot), "%s", cfg->slot_name);
    if (pr->offset_found)
        tw_log(TW_LOG_INFO, "CKPT", "offsets file %s: delivered through commit " TW_LSN_FMT,
               cfg->offsets_file, TW_LSN_ARGS(pr->offset.commit_lsn));
    else
        tw_log(TW_LOG_INFO, "CKPT", "offsets file %s does not exist yet; starting from the "
                                    "slot's position",
               cfg->offsets_file);
    pr->flush_lsn = pr->offset.end_lsn;
    *out = pr;
    return TW_OK;
}
