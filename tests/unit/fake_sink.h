/*
 * fake_sink.h — a Kafka producer stand-in for the progress-mode tests:
 * records wait until poll, which reports them to the progress mode (as
 * librdkafka's delivery callbacks do); each call can be told to fail. And
 * the set-up those tests share: a progress mode with its delivery tracker
 * and failure flag, driven by the fake.
 */
#ifndef TW_TEST_FAKE_SINK_H
#define TW_TEST_FAKE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

void fake_poll(void *o, int ms);
tw_err_t fake_produce(void *o, const tw_kafka_record_t *rec, char *errstr, size_t errstr_size);
/* The sink a progress mode is made with: f's operations. */
tw_progress_sink_t fake_sink(fake_sink_t *f);
/* The pipeline's wait hook: serve reports, keep waiting. */
bool fake_wait(void *opaque, int ms);
/* Produces one record of the open transaction, as the pipeline does. */
void fake_record(fake_sink_t *f, tw_delivery_t *delivery, const char *topic);

/* ---- the progress-mode tests' fixture ---- */

typedef struct progress_fixture {
    tw_config_t cfg; /* the caller's to fill before making the mode */
    tw_delivery_t *delivery;
    tw_failure_t failure;
    fake_sink_t sink;
    tw_progress_t *pr;
} progress_fixture_t;

/* Zeroes fx and makes its delivery tracker. */
void progress_fixture_init(progress_fixture_t *fx);
/* Takes pr (made with fake_sink(&fx->sink), fx->delivery, &fx->failure):
 * the fake reports to it, and it waits through the fake. */
void progress_fixture_attach(progress_fixture_t *fx, tw_progress_t *pr);
void progress_fixture_clear(progress_fixture_t *fx);
/* Reads one source transaction of n records (commit_ts 1000), as the
 * pipeline does; fails the test if the mode refuses or skips it. */
void progress_fixture_read_txn(progress_fixture_t *fx, tw_lsn_t commit, tw_lsn_t end, int n);

#endif /* TW_TEST_FAKE_SINK_H */
