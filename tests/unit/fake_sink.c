/*
 * fake_sink.c — see fake_sink.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fake_sink.h"

void fake_poll(void *o, int ms)
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

tw_err_t fake_produce(void *o, const tw_kafka_record_t *rec, char *errstr, size_t errstr_size)
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

tw_progress_sink_t fake_sink(fake_sink_t *f)
{
    tw_progress_sink_t s = {f,         fake_produce, fake_poll,   fake_outstanding,
                            fake_init, fake_begin,   fake_commit, fake_abort};
    return s;
}

bool fake_wait(void *opaque, int ms)
{
    fake_poll(opaque, ms);
    return true;
}

void fake_record(fake_sink_t *f, tw_delivery_t *delivery, const char *topic)
{
    tw_kafka_record_t rec;
    char errstr[128];

    memset(&rec, 0, sizeof(rec));
    rec.topic = topic;
    rec.opaque = (void *)(uintptr_t)tw_progress_seq(f->pr);
    if (fake_produce(f, &rec, errstr, sizeof(errstr)) == TW_OK)
        tw_delivery_add(delivery, tw_progress_seq(f->pr));
}

void progress_fixture_init(progress_fixture_t *fx)
{
    memset(fx, 0, sizeof(*fx));
    fx->delivery = tw_delivery_new(4);
}

void progress_fixture_attach(progress_fixture_t *fx, tw_progress_t *pr)
{
    assert_non_null(pr);
    fx->pr = pr;
    fx->sink.pr = pr;
    tw_progress_set_wait(pr, fake_wait, &fx->sink);
}

void progress_fixture_clear(progress_fixture_t *fx)
{
    tw_progress_destroy(fx->pr);
    tw_delivery_destroy(fx->delivery);
    memset(fx, 0, sizeof(*fx));
}

void progress_fixture_read_txn(progress_fixture_t *fx, tw_lsn_t commit, tw_lsn_t end, int n)
{
    tw_offset_t through = {commit, end, 1000, 1000};
    char errstr[256];
    bool skip;
    int i;

    assert_int_equal(tw_progress_txn_begin(fx->pr, commit, 1000, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    assert_false(skip);
    assert_true(tw_progress_in_txn(fx->pr));
    for (i = 0; i < n; i++)
        fake_record(&fx->sink, fx->delivery, "t");
    assert_int_equal(tw_progress_txn_end(fx->pr, &through, errstr, sizeof(errstr)), TW_OK);
    assert_false(tw_progress_in_txn(fx->pr));
}
