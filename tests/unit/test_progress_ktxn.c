/*
 * test_progress_ktxn.c — exactly-once progress against a fake producer:
 * source transactions go into one Kafka transaction, committed at the
 * transaction.boundary with a checkpoint record; a refused record aborts
 * it, taints the session until a reset (the slot must not follow the
 * server), and the position stays where the last commit left it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_sink.h"
#include "progress/origin.h"
#include "progress/progress_ktxn.h"

typedef struct fixture {
    tw_config_t cfg;
    tw_delivery_t *delivery;
    tw_failure_t failure;
    fake_sink_t sink;
    tw_progress_t *pr;
} fixture_t;

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof(*fx));

    fx->cfg.name = "c1";
    fx->cfg.slot_name = "s1";
    fx->cfg.offsets_topic = "offsets";
    fx->cfg.transactional_id = "tid";
    fx->cfg.exactly_once = true;
    fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_INTERVAL;
    fx->cfg.transaction_boundary_interval_ms = 3600 * 1000;
    fx->cfg.shutdown_timeout_ms = 1000;
    fx->delivery = tw_delivery_new(4);
    fx->pr = tw_progress_ktxn_new(&fx->cfg, fake_sink(&fx->sink), fx->delivery, &fx->failure);
    fx->sink.pr = fx->pr;
    tw_progress_set_wait(fx->pr, fake_wait, &fx->sink);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;

    tw_progress_destroy(fx->pr);
    tw_delivery_destroy(fx->delivery);
    free(fx);
    return 0;
}

static void read_txn(fixture_t *fx, tw_lsn_t commit, tw_lsn_t end, int n)
{
    tw_offset_t through = {commit, end, 1000, 1000};
    char errstr[256];
    bool skip;
    int i;

    assert_int_equal(tw_progress_txn_begin(fx->pr, commit, 1000, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    assert_false(skip);
    for (i = 0; i < n; i++)
        fake_record(&fx->sink, fx->delivery, "t");
    assert_int_equal(tw_progress_txn_end(fx->pr, &through, errstr, sizeof(errstr)), TW_OK);
}

static void test_source_transactions_commit_with_a_checkpoint(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];

    read_txn(fx, 0x100, 0x130, 2);
    read_txn(fx, 0x200, 0x230, 1);
    assert_int_equal(fx->sink.begins, 1); /* one Kafka transaction for both */
    assert_int_equal(fx->sink.commits, 0);
    /* Acknowledged is not delivered: only the commit counts. */
    fake_poll(&fx->sink, 0);
    assert_int_equal(tw_progress_poll(fx->pr, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_progress_flush_lsn(fx->pr), 0);
    assert_true(tw_progress_commit_pending(fx->pr));
    assert_false(tw_progress_quiet(fx->pr));
    /* Interval boundary not reached: an idle stream does not commit. */
    assert_int_equal(tw_progress_boundary(fx->pr, true, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(fx->sink.commits, 0);
    fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_POLL;
    assert_int_equal(tw_progress_boundary(fx->pr, true, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(fx->sink.commits, 1);
    assert_int_equal(fx->sink.produced, 4); /* three records and the checkpoint */
    assert_string_equal(fx->sink.last_topic, "offsets");
    assert_int_equal(tw_progress_flush_lsn(fx->pr), 0x230);
    assert_int_equal(tw_progress_counts(fx->pr)->transactions, 2);
    assert_int_equal(tw_progress_counts(fx->pr)->kafka_commits, 1);
    assert_true(tw_progress_quiet(fx->pr));
    assert_false(tw_progress_commit_pending(fx->pr));
}

static void test_no_commit_inside_a_source_transaction(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];
    bool skip;

    fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_POLL;
    assert_int_equal(tw_progress_txn_begin(fx->pr, 0x100, 0, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    fake_record(&fx->sink, fx->delivery, "t");
    assert_int_equal(tw_progress_boundary(fx->pr, true, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(fx->sink.commits, 0);
    assert_false(tw_progress_commit_pending(fx->pr));
}

static void test_a_refused_record_aborts_and_taints(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];
    tw_delivery_seq_t before;

    read_txn(fx, 0x100, 0x130, 1);
    fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_POLL;
    assert_int_equal(tw_progress_boundary(fx->pr, true, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(fx->sink.commits, 1);
    assert_int_equal(tw_progress_flush_lsn(fx->pr), 0x130);
    /* The next Kafka transaction's record is refused: it is aborted at
     * the boundary, not committed. */
    fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_INTERVAL;
    read_txn(fx, 0x200, 0x230, 1);
    before = tw_progress_seq(fx->pr);
    fx->sink.refuse_next = true;
    fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_POLL;
    assert_int_equal(tw_progress_boundary(fx->pr, true, errstr, sizeof(errstr)), TW_ERR_IO);
    assert_non_null(strstr(errstr, "Kafka transaction aborted because Kafka refused a record"));
    assert_int_equal(fx->sink.aborts, 1);
    assert_int_equal(tw_progress_counts(fx->pr)->kafka_aborts, 1);
    assert_int_equal(tw_progress_counts(fx->pr)->delivery_errors, 1);
    /* Nothing of it counts; the session is tainted until a reset. */
    assert_int_equal(fx->sink.commits, 1);
    assert_int_equal(tw_progress_flush_lsn(fx->pr), 0x130);
    assert_true(tw_delivery_idle(fx->delivery));
    assert_false(tw_progress_quiet(fx->pr));
    tw_progress_reset(fx->pr);
    assert_true(tw_progress_quiet(fx->pr));
    read_txn(fx, 0x200, 0x230, 1);
    assert_true(tw_progress_seq(fx->pr) > before); /* sequence numbers stay unique */
    assert_false(fx->failure.failed);
}

static void test_an_abortable_produce_error_aborts(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];
    tw_err_t out = TW_OK;
    bool skip;

    assert_int_equal(tw_progress_txn_begin(fx->pr, 0x100, 0, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    snprintf(errstr, sizeof(errstr), "the transaction hit an abortable error");
    assert_false(tw_progress_produce_failed(fx->pr, TW_ERR_REJECTED, errstr, sizeof(errstr),
                                            &out));
    assert_true(tw_progress_produce_failed(fx->pr, TW_ERR_IO, errstr, sizeof(errstr), &out));
    assert_int_equal(out, TW_ERR_IO);
    assert_int_equal(fx->sink.aborts, 1);
    assert_false(tw_progress_in_txn(fx->pr));
    assert_false(tw_progress_quiet(fx->pr));
}

static void test_drain_commits_whole_and_aborts_half_read(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];
    bool skip;

    read_txn(fx, 0x100, 0x130, 1);
    assert_int_equal(tw_progress_drain(fx->pr, 100, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(fx->sink.commits, 1);
    assert_int_equal(tw_progress_flush_lsn(fx->pr), 0x130);
    assert_int_equal(tw_progress_txn_begin(fx->pr, 0x200, 0, &skip, errstr, sizeof(errstr)),
                     TW_OK);
    fake_record(&fx->sink, fx->delivery, "t");
    assert_int_equal(tw_progress_drain(fx->pr, 100, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(fx->sink.aborts, 1);
    assert_int_equal(fx->sink.commits, 1);
    assert_int_equal(tw_progress_flush_lsn(fx->pr), 0x130);
}

static void test_too_many_aborts_stop_the_connector(void **state)
{
    fixture_t *fx = *state;
    char errstr[256];
    tw_err_t err = TW_OK;
    int i;

    fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_POLL;
    for (i = 0; i < 10; i++) {
        fx->sink.refuse_next = true;
        tw_progress_reset(fx->pr);
        fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_INTERVAL;
        read_txn(fx, 0x100, 0x130, 1);
        fx->cfg.transaction_boundary = TW_TRANSACTION_BOUNDARY_POLL;
        err = tw_progress_boundary(fx->pr, true, errstr, sizeof(errstr));
    }
    assert_int_equal(err, TW_ERR_KAFKA);
    assert_true(fx->failure.failed);
    assert_non_null(strstr(fx->failure.why, "10 Kafka transactions in a row"));
}

static void test_origin_facts_name_the_topic(void **state)
{
    fixture_t *fx = *state;
    tw_origin_facts_t facts;
    char where[256];

    memset(&facts, 0, sizeof(facts));
    tw_progress_origin_facts(fx->pr, &facts, where, sizeof(where));
    assert_non_null(strstr(facts.where, "offsets topic offsets"));
    assert_false(facts.found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_source_transactions_commit_with_a_checkpoint, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_commit_inside_a_source_transaction, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_refused_record_aborts_and_taints, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_abortable_produce_error_aborts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drain_commits_whole_and_aborts_half_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_too_many_aborts_stop_the_connector, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_origin_facts_name_the_topic, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
