/*
 * test_progress_file.c — at-least-once progress against a fake producer:
 * acknowledged transactions advance the position and the offsets file,
 * delivered ones are skipped after a restart (confirm.h's rules), a reset
 * drops what was not delivered, and nothing is ever held back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_sink.h"
#include "progress/progress_file.h"

typedef struct fixture {
    progress_fixture_t p;
    char dir[64], path[128];
} fixture_t;

/* (Re)opens the mode on the offsets file, as a restart does. */
static void open_progress(fixture_t *fx)
{
    progress_fixture_t *p = &fx->p;
    tw_progress_t *pr = NULL;
    char errstr[256];

    memset(&p->sink, 0, sizeof(p->sink));
    assert_int_equal(tw_progress_file_new(&p->cfg, fake_sink(&p->sink), p->delivery, &p->failure,
                                          &pr, errstr, sizeof(errstr)),
                     TW_OK);
    progress_fixture_attach(p, pr);
    assert_int_equal(tw_progress_start(pr, errstr, sizeof(errstr)), TW_OK);
}

static int setup(void **state)
{
    fixture_t *fx = malloc(sizeof(*fx));

    progress_fixture_init(&fx->p);
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/tw-progress-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/offsets.json", fx->dir);
    fx->p.cfg.slot_name = "s1";
    fx->p.cfg.offsets_file = fx->path;
    fx->p.cfg.offset_flush_interval_ms = 0;
    open_progress(fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;

    progress_fixture_clear(&fx->p);
    unlink(fx->path);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void test_acknowledged_transactions_advance_and_persist(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];
    tw_offset_t loaded;
    tw_offset_origin_t origin;
    bool found;

    assert_int_equal(tw_progress_flush_lsn(fx->p.pr), 0);
    progress_fixture_read_txn(&fx->p, 0x100, 0x130, 2);
    /* Not acknowledged yet: nothing moves, nothing is written. */
    assert_int_equal(tw_progress_poll(fx->p.pr, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_progress_flush_lsn(fx->p.pr), 0);
    assert_int_equal(access(fx->path, F_OK), -1);
    fake_poll(&fx->p.sink, 0);
    assert_int_equal(tw_progress_poll(fx->p.pr, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_progress_flush_lsn(fx->p.pr), 0x130);
    assert_int_equal(tw_progress_counts(fx->p.pr)->transactions, 1);
    assert_int_equal(tw_offsets_load(fx->path, "s1", &loaded, &origin, &found, errstr,
                                     sizeof(errstr)),
                     TW_OK);
    assert_true(found);
    assert_int_equal(loaded.commit_lsn, 0x100);
    assert_int_equal(loaded.end_lsn, 0x130);
    /* Never held back, never a commit to wait for. */
    assert_false(tw_progress_commit_pending(fx->p.pr));
    assert_true(tw_progress_quiet(fx->p.pr));
    assert_int_equal(fx->p.sink.begins + fx->p.sink.commits, 0);
}

static void test_delivered_transactions_are_skipped_after_a_restart(void **state)
{
    fixture_t *fx = *state;
    tw_offset_t through = {0x200, 0x230, 0, 0};
    char errstr[256];
    bool skip;

    progress_fixture_read_txn(&fx->p, 0x200, 0x230, 1);
    assert_int_equal(tw_progress_drain(fx->p.pr, 100, errstr, sizeof(errstr)), TW_OK);
    tw_progress_destroy(fx->p.pr);
    open_progress(fx);
    assert_int_equal(tw_progress_flush_lsn(fx->p.pr), 0x230);
    /* The same transaction resent: skipped, and its end closes the skip. */
    assert_int_equal(tw_progress_txn_begin(fx->p.pr, 0x200, 0, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(skip);
    assert_true(tw_progress_skipping(fx->p.pr));
    assert_int_equal(tw_progress_txn_end(fx->p.pr, &through, errstr, sizeof(errstr)), TW_OK);
    assert_false(tw_progress_skipping(fx->p.pr));
    /* One committing at the checkpoint's end is new (commit_lsn < position). */
    assert_int_equal(tw_progress_txn_begin(fx->p.pr, 0x230, 0, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    assert_false(skip);
    /* A lone message at the end LSN is covered; one after it is not. */
    assert_true(tw_progress_message_done(fx->p.pr, 0x230));
    assert_false(tw_progress_message_done(fx->p.pr, 0x238));
}

static void test_a_lone_message_is_its_own_unit(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];

    assert_int_equal(tw_progress_message_begin(fx->p.pr, 0x300, errstr, sizeof(errstr)), TW_OK);
    fake_record(&fx->p.sink, fx->p.delivery, "m");
    tw_progress_message_end(fx->p.pr, 0x300);
    fake_poll(&fx->p.sink, 0);
    assert_int_equal(tw_progress_poll(fx->p.pr, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_progress_flush_lsn(fx->p.pr), 0x300);
}

static void test_reset_drops_what_was_not_delivered(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];
    tw_delivery_seq_t before;
    bool skip;

    progress_fixture_read_txn(&fx->p, 0x100, 0x130, 1);
    fake_poll(&fx->p.sink, 0);
    assert_int_equal(tw_progress_poll(fx->p.pr, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_progress_txn_begin(fx->p.pr, 0x200, 0, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    before = tw_progress_seq(fx->p.pr);
    fake_record(&fx->p.sink, fx->p.delivery, "t");
    assert_false(tw_progress_quiet(fx->p.pr));
    tw_progress_reset(fx->p.pr);
    assert_true(tw_progress_quiet(fx->p.pr));
    assert_true(tw_delivery_idle(fx->p.delivery));
    /* The late report counts for nothing, and the position stays. */
    fake_poll(&fx->p.sink, 0);
    assert_int_equal(tw_progress_poll(fx->p.pr, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_progress_flush_lsn(fx->p.pr), 0x130);
    /* New transactions get new sequence numbers. */
    assert_int_equal(tw_progress_txn_begin(fx->p.pr, 0x200, 0, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(tw_progress_seq(fx->p.pr) > before);
}

static void test_a_refused_record_is_left_to_the_error_policy(void **state)
{
    fixture_t *fx = *state;
    tw_kafka_report_t r;

    memset(&r, 0, sizeof(r));
    r.err = TW_ERR_KAFKA;
    r.refused = true;
    r.topic = "t";
    r.errstr = "MSG_SIZE_TOO_LARGE";
    assert_false(tw_progress_report(fx->p.pr, &r));
    r.err = TW_OK;
    assert_true(tw_progress_report(fx->p.pr, &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_acknowledged_transactions_advance_and_persist,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_delivered_transactions_are_skipped_after_a_restart,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_lone_message_is_its_own_unit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_drops_what_was_not_delivered, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_refused_record_is_left_to_the_error_policy, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
