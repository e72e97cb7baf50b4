/*
 * fake_sink.h — a Kafka producer stand-in for the progress-mode tests:
 * records wait until poll, which reports them to the progress mode (as
 * librdkafka's delivery callbacks do); each call can be told to fail.
 */
#ifndef TW_TEST_FAKE_SINK_H
#define TW_TEST_FAKE_SINK_H

#include <string.h>

#include "progress/progress.h"

#define FAKE_MAX 64

typedef struct fake_sink {
    tw_progress_t *pr; /* gets the delivery reports */
    struct {
        char topic[64];
        void *opaque;
    } pending[FAKE_MAX];
    size_t npending;
    int64_t next_offset;
    /* what the next calls answer */
    tw_err_t produce_err, commit_err, begin_err;
    bool refuse_next; /* the next reported record is refused */
    /* what was asked */
    int produced, begins, commits, aborts, inits;
    char last_topic[64];
} fake_sink_t;

static void fake_poll(void *o, int ms)
{
    fake_sink_t *f = o;
    size_t i;

    (void)ms;
    for (i = 0; i < f->npending; i++) {
        tw_kafka_report_t r;
        memset(&r, 0, sizeof(r));
        r.opaque = f->pending[i].opaque;
        r.topic = f->pending[i].topic;
        r.offset = f->next_offset++;
        r.err = TW_OK;
        r.errstr = "";
        if (f->refuse_next) {
            f->refuse_next = false;
            r.err = TW_ERR_KAFKA;
            r.refused = true;
            r.errstr = "MSG_SIZE_TOO_LARGE: too large";
        }
        tw_progress_report(f->pr, &r);
    }
    f->npending = 0;
}

static tw_err_t fake_produce(void *o, const tw_kafka_record_t *rec, char *errstr,
                             size_t errstr_size)
{
    fake_sink_t *f = o;

    if (f->produce_err)
        return tw_errf(f->produce_err, errstr, errstr_size, "fake produce failure");
    snprintf(f->pending[f->npending].topic, sizeof(f->pending[0].topic), "%s", rec->topic);
    snprintf(f->last_topic, sizeof(f->last_topic), "%s", rec->topic);
    f->pending[f->npending++].opaque = rec->opaque;
    f->produced++;
    return TW_OK;
}

static size_t fake_outstanding(void *o)
{
    return ((fake_sink_t *)o)->npending;
}

static tw_err_t fake_init(void *o, int ms, char *errstr, size_t errstr_size)
{
    (void)ms;
    (void)errstr;
    (void)errstr_size;
    ((fake_sink_t *)o)->inits++;
    return TW_OK;
}

static tw_err_t fake_begin(void *o, char *errstr, size_t errstr_size)
{
    fake_sink_t *f = o;

    f->begins++;
    if (f->begin_err)
        return tw_errf(f->begin_err, errstr, errstr_size, "fake begin failure");
    return TW_OK;
}

static tw_err_t fake_commit(void *o, int ms, char *errstr, size_t errstr_size)
{
    fake_sink_t *f = o;

    (void)ms;
    f->commits++;
    if (f->commit_err)
        return tw_errf(f->commit_err, errstr, errstr_size, "fake commit failure");
    return TW_OK;
}

static tw_err_t fake_abort(void *o, int ms, char *errstr, size_t errstr_size)
{
    fake_sink_t *f = o;

    (void)ms;
    (void)errstr;
    (void)errstr_size;
    f->aborts++;
    f->npending = 0; /* purged */
    return TW_OK;
}

static tw_progress_sink_t fake_sink(fake_sink_t *f)
{
    tw_progress_sink_t s = {f,         fake_produce, fake_poll,   fake_outstanding,
                            fake_init, fake_begin,   fake_commit, fake_abort};
    return s;
}

/* The pipeline's wait hook: serve reports, keep waiting. */
static bool fake_wait(void *opaque, int ms)
{
    fake_poll(opaque, ms);
    return true;
}

/* Produces one record of the open transaction, as the pipeline does. */
static void fake_record(fake_sink_t *f, tw_delivery_t *delivery, const char *topic)
{
    tw_kafka_record_t rec;
    char errstr[128];

    memset(&rec, 0, sizeof(rec));
    rec.topic = topic;
    rec.opaque = (void *)(uintptr_t)tw_progress_seq(f->pr);
    if (fake_produce(f, &rec, errstr, sizeof(errstr)) == TW_OK)
        tw_delivery_add(delivery, tw_progress_seq(f->pr));
}

#endif /* TW_TEST_FAKE_SINK_H */
