/*
 * test_confirm.c — the delivery rule: the confirmed position never passes
 * what was received or what Kafka holds, and skips agree with PostgreSQL's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "progress/confirm.h"

static tw_lsn_t position(tw_lsn_t delivered, tw_lsn_t received, bool settled)
{
    tw_confirm_state_t st = {delivered, received, settled};
    return tw_confirm_position(&st);
}

static void test_busy_pipeline_confirms_what_kafka_holds(void **state)
{
    (void)state;
    assert_int_equal(position(0x100, 0x900, false), 0x100);
    assert_int_equal(position(0, 0x900, false), 0);
}

static void test_settled_pipeline_follows_the_server(void **state)
{
    (void)state;
    assert_int_equal(position(0x100, 0x900, true), 0x900);
}

/* Case 1 of the delivery-rule issue: a checkpoint from another database
 * (or one not yet seen on this connection) is ahead of the server. */
static void test_never_beyond_what_was_received(void **state)
{
    (void)state;
    assert_int_equal(position(0x8384658, 0, false), 0);
    assert_int_equal(position(0x8384658, 0, true), 0);
    assert_int_equal(position(0x8384658, 0x1000, false), 0x1000);
}

/* Case 2: a non-transactional message whose LSN (the end of its record)
 * equals the next transaction's commit LSN covers the message, not the
 * transaction. */
static void test_message_sharing_a_commit_lsn(void **state)
{
    tw_lsn_t message = 0x5000, commit = 0x5000;
    (void)state;
    assert_true(tw_confirm_message_done(message, message));
    assert_false(tw_confirm_txn_done(commit, message));
    assert_true(tw_confirm_txn_done(commit, commit + 0x30)); /* its own end */
    assert_false(tw_confirm_message_done(message + 8, message));
    assert_false(tw_confirm_message_done(0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_pipeline_confirms_what_kafka_holds),
        cmocka_unit_test(test_settled_pipeline_follows_the_server),
        cmocka_unit_test(test_never_beyond_what_was_received),
        cmocka_unit_test(test_message_sharing_a_commit_lsn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
