/*
 * test_delivery.c — the flush position only passes transactions that are
 * committed and fully acknowledged, in order, and never a failed one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "progress/delivery.h"

static void expect_advance(tw_delivery_t *d, tw_lsn_t end, tw_lsn_t commit)
{
    tw_lsn_t e = 0, c = 0;
    int64_t ts = 0;
    assert_true(tw_delivery_advance(d, &e, &c, &ts, NULL));
    assert_int_equal(e, end);
    assert_int_equal(c, commit);
}

static void expect_no_advance(tw_delivery_t *d)
{
    tw_lsn_t e = 0, c = 0;
    int64_t ts = 0;
    assert_false(tw_delivery_advance(d, &e, &c, &ts, NULL));
}

static void test_out_of_order_acks_advance_in_order(void **state)
{
    tw_delivery_t *d = tw_delivery_new(8);
    tw_delivery_seq_t t1, t2;
    (void)state;
    t1 = tw_delivery_begin(d, 100, 0);
    tw_delivery_add(d, t1);
    tw_delivery_add(d, t1);
    tw_delivery_commit(d, t1, 110);
    t2 = tw_delivery_begin(d, 200, 0);
    tw_delivery_add(d, t2);
    tw_delivery_commit(d, t2, 210);
    assert_int_equal(tw_delivery_inflight_records(d), 3);

    tw_delivery_ack(d, t2, true); /* the later transaction finishes first */
    expect_no_advance(d);
    tw_delivery_ack(d, t1, true);
    expect_no_advance(d);
    assert_false(tw_delivery_idle(d));
    tw_delivery_ack(d, t1, true);
    expect_advance(d, 210, 200); /* both retire; the newest is reported */
    assert_true(tw_delivery_idle(d));
    assert_int_equal(tw_delivery_inflight_records(d), 0);
    tw_delivery_destroy(d);
}

static void test_uncommitted_transaction_holds_position(void **state)
{
    tw_delivery_t *d = tw_delivery_new(8);
    tw_delivery_seq_t t1;
    (void)state;
    t1 = tw_delivery_begin(d, 100, 0);
    tw_delivery_add(d, t1);
    tw_delivery_ack(d, t1, true);
    expect_no_advance(d); /* no Commit seen yet */
    tw_delivery_commit(d, t1, 120);
    expect_advance(d, 120, 100);
    tw_delivery_destroy(d);
}

static void test_empty_transaction_is_done_at_commit(void **state)
{
    tw_delivery_t *d = tw_delivery_new(8);
    (void)state;
    tw_delivery_commit(d, tw_delivery_begin(d, 5, 0), 9);
    expect_advance(d, 9, 5);
    tw_delivery_destroy(d);
}

static void test_failed_record_blocks_forever(void **state)
{
    tw_delivery_t *d = tw_delivery_new(8);
    tw_delivery_seq_t t1, t2;
    (void)state;
    t1 = tw_delivery_begin(d, 100, 0);
    tw_delivery_add(d, t1);
    tw_delivery_commit(d, t1, 110);
    t2 = tw_delivery_begin(d, 200, 0);
    tw_delivery_commit(d, t2, 210);
    tw_delivery_ack(d, t1, false);
    expect_no_advance(d);
    assert_true(tw_delivery_blocked(d));
    tw_delivery_destroy(d);
}

static void test_ring_bounds_transactions(void **state)
{
    tw_delivery_t *d = tw_delivery_new(2);
    tw_delivery_seq_t a, b, c;
    (void)state;
    a = tw_delivery_begin(d, 1, 0);
    tw_delivery_add(d, a);
    b = tw_delivery_begin(d, 2, 0);
    assert_true(tw_delivery_full(d));
    tw_delivery_commit(d, a, 11);
    tw_delivery_commit(d, b, 12);
    expect_no_advance(d);
    tw_delivery_ack(d, a, true);
    expect_advance(d, 12, 2);
    assert_false(tw_delivery_full(d));
    /* Sequence numbers keep growing; slots are reused. */
    c = tw_delivery_begin(d, 3, 0);
    assert_int_equal(c, 2);
    tw_delivery_commit(d, c, 13);
    expect_advance(d, 13, 3);
    tw_delivery_destroy(d);
}

/* Case 4 of the delivery-rule issue: after a reconnect dropped the
 * unfinished transactions, late reports of their records must not count
 * for transactions of the new session that landed in the same ring slot. */
static void test_late_reports_after_reset_touch_nothing(void **state)
{
    tw_delivery_t *d = tw_delivery_new(2);
    tw_delivery_seq_t old1, old2, new1;
    (void)state;
    old1 = tw_delivery_begin(d, 100, 0);
    tw_delivery_add(d, old1);
    tw_delivery_commit(d, old1, 110);
    old2 = tw_delivery_begin(d, 200, 0);
    tw_delivery_add(d, old2);
    tw_delivery_reset(d);
    assert_true(tw_delivery_idle(d));
    assert_int_equal(tw_delivery_inflight_records(d), 0);

    new1 = tw_delivery_begin(d, 100, 0); /* the server resends old1 */
    assert_true(new1 != old1);
    tw_delivery_add(d, new1);
    tw_delivery_add(d, new1);
    tw_delivery_commit(d, new1, 110);
    tw_delivery_ack(d, old1, true); /* late: same ring slot as new1 or old2 */
    tw_delivery_ack(d, old2, false);
    assert_int_equal(tw_delivery_stale_reports(d), 2);
    assert_int_equal(tw_delivery_inflight_records(d), 2);
    expect_no_advance(d);
    assert_false(tw_delivery_blocked(d));
    tw_delivery_ack(d, new1, true);
    tw_delivery_ack(d, new1, true);
    expect_advance(d, 110, 100);
    tw_delivery_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_of_order_acks_advance_in_order),
        cmocka_unit_test(test_uncommitted_transaction_holds_position),
        cmocka_unit_test(test_empty_transaction_is_done_at_commit),
        cmocka_unit_test(test_failed_record_blocks_forever),
        cmocka_unit_test(test_ring_bounds_transactions),
        cmocka_unit_test(test_late_reports_after_reset_touch_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
