/*
 * test_spool.c — streamed transactions on disk: replay order, subtransaction
 * aborts truncating exactly their part, whole aborts, the size bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "pg/spool.h"

typedef struct collected {
    tw_buf_t text; /* "lsn:payload;" for each replayed record */
    int calls;
} collected_t;

static tw_err_t collect(void *opaque, tw_lsn_t lsn, const uint8_t *msg, size_t len,
                        char *errstr, size_t errstr_size)
{
    collected_t *c = opaque;
    (void)errstr;
    (void)errstr_size;
    tw_buf_printf(&c->text, "%llu:", (unsigned long long)lsn);
    tw_buf_append(&c->text, msg, len);
    tw_buf_append_char(&c->text, ';');
    c->calls++;
    return TW_OK;
}

static void append(tw_spool_t *spool, uint32_t top, uint32_t sub, tw_lsn_t lsn, const char *s)
{
    char errstr[256];
    assert_int_equal(tw_spool_append(spool, top, sub, lsn, (const uint8_t *)s, strlen(s),
                                     errstr, sizeof(errstr)),
                     TW_OK);
}

static const char *replay(tw_spool_t *spool, uint32_t top, collected_t *c)
{
    char errstr[256];
    tw_buf_reset(&c->text);
    tw_buf_append_str(&c->text, "");
    assert_int_equal(tw_spool_replay(spool, top, collect, c, errstr, sizeof(errstr)), TW_OK);
    return c->text.data;
}

static void test_replay_in_order_and_interleaved_transactions(void **state)
{
    tw_spool_t *spool = tw_spool_new("/tmp", 0);
    collected_t c = {TW_BUF_INIT, 0};
    (void)state;
    append(spool, 100, 100, 1, "a");
    append(spool, 200, 200, 2, "x");
    append(spool, 100, 100, 3, "b");
    append(spool, 100, 101, 4, "c");
    assert_int_equal(tw_spool_count(spool), 2);
    assert_string_equal(replay(spool, 100, &c), "1:a;3:b;4:c;");
    assert_int_equal(tw_spool_count(spool), 1);
    /* Replaying consumed it. */
    assert_string_equal(replay(spool, 100, &c), "");
    assert_string_equal(replay(spool, 200, &c), "2:x;");
    assert_int_equal(tw_spool_bytes(spool), 0);
    tw_buf_free(&c.text);
    tw_spool_destroy(spool);
}

static void test_subtransaction_abort_truncates_its_part(void **state)
{
    tw_spool_t *spool = tw_spool_new("/tmp", 0);
    collected_t c = {TW_BUF_INIT, 0};
    char errstr[256];
    (void)state;
    /* top; savepoint s1 (released); top again; savepoint s2 with nested s3,
     * rolled back; then more top-level work after the rollback. */
    append(spool, 10, 10, 1, "top1");
    append(spool, 10, 11, 2, "s1");
    append(spool, 10, 10, 3, "top2");
    append(spool, 10, 12, 4, "s2a");
    append(spool, 10, 13, 5, "s3");
    append(spool, 10, 12, 6, "s2b");
    assert_int_equal(tw_spool_abort(spool, 10, 13, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_spool_abort(spool, 10, 12, errstr, sizeof(errstr)), TW_OK);
    append(spool, 10, 10, 7, "top3");
    /* Aborting an xid that made no changes is harmless. */
    assert_int_equal(tw_spool_abort(spool, 10, 99, errstr, sizeof(errstr)), TW_OK);
    assert_string_equal(replay(spool, 10, &c), "1:top1;2:s1;3:top2;7:top3;");
    tw_buf_free(&c.text);
    tw_spool_destroy(spool);
}

static void test_parent_abort_before_child_abort(void **state)
{
    tw_spool_t *spool = tw_spool_new("/tmp", 0);
    collected_t c = {TW_BUF_INIT, 0};
    char errstr[256];
    (void)state;
    append(spool, 10, 10, 1, "keep");
    append(spool, 10, 11, 2, "outer");
    append(spool, 10, 12, 3, "inner");
    assert_int_equal(tw_spool_abort(spool, 10, 11, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_spool_abort(spool, 10, 12, errstr, sizeof(errstr)), TW_OK);
    /* The inner xid appears again later: it must get a fresh mark. */
    append(spool, 10, 12, 4, "late");
    assert_string_equal(replay(spool, 10, &c), "1:keep;4:late;");
    tw_buf_free(&c.text);
    tw_spool_destroy(spool);
}

static void test_whole_abort_discards(void **state)
{
    tw_spool_t *spool = tw_spool_new("/tmp", 0);
    collected_t c = {TW_BUF_INIT, 0};
    char errstr[256];
    (void)state;
    append(spool, 7, 7, 1, "gone");
    append(spool, 7, 8, 2, "gone too");
    assert_int_equal(tw_spool_abort(spool, 7, 7, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_spool_count(spool), 0);
    assert_int_equal(tw_spool_bytes(spool), 0);
    assert_string_equal(replay(spool, 7, &c), "");
    assert_int_equal(c.calls, 0);
    tw_buf_free(&c.text);
    tw_spool_destroy(spool);
}

static void test_size_bound_is_an_error_not_a_loss(void **state)
{
    tw_spool_t *spool = tw_spool_new("/tmp", 100);
    char big[90], errstr[256];
    (void)state;
    memset(big, 'x', sizeof(big));
    assert_int_equal(tw_spool_append(spool, 1, 1, 1, (const uint8_t *)big, 50, errstr,
                                     sizeof(errstr)),
                     TW_OK);
    assert_int_equal(tw_spool_append(spool, 1, 1, 2, (const uint8_t *)big, 50, errstr,
                                     sizeof(errstr)),
                     TW_ERR_NOMEM);
    assert_non_null(strstr(errstr, "spool.max.bytes=100"));
    tw_spool_destroy(spool);
}

static void test_unwritable_dir_is_reported(void **state)
{
    tw_spool_t *spool = tw_spool_new("/nonexistent/dir", 0);
    char errstr[256];
    (void)state;
    assert_int_equal(tw_spool_append(spool, 1, 1, 1, (const uint8_t *)"x", 1, errstr,
                                     sizeof(errstr)),
                     TW_ERR_LOCAL);
    assert_non_null(strstr(errstr, "spool.dir"));
    tw_spool_destroy(spool);
}

static void test_check_reports_an_unusable_dir_up_front(void **state)
{
    tw_spool_t *good = tw_spool_new("/tmp", 0);
    tw_spool_t *bad = tw_spool_new("/nonexistent/dir", 0);
    char errstr[256];
    (void)state;
    assert_int_equal(tw_spool_check(good, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_spool_check(bad, errstr, sizeof(errstr)), TW_ERR_LOCAL);
    assert_non_null(strstr(errstr, "/nonexistent/dir"));
    assert_non_null(strstr(errstr, "spool.dir"));
    tw_spool_destroy(good);
    tw_spool_destroy(bad);
}

static void test_large_transaction_round_trip(void **state)
{
    tw_spool_t *spool = tw_spool_new("/tmp", 0);
    collected_t c = {TW_BUF_INIT, 0};
    char errstr[256], payload[300];
    int i;
    (void)state;
    memset(payload, 'p', sizeof(payload));
    for (i = 0; i < 20000; i++)
        assert_int_equal(tw_spool_append(spool, 5, (uint32_t)(5 + i % 3), (tw_lsn_t)i,
                                         (const uint8_t *)payload, sizeof(payload), errstr,
                                         sizeof(errstr)),
                         TW_OK);
    assert_int_equal(tw_spool_replay(spool, 5, collect, &c, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(c.calls, 20000);
    tw_buf_free(&c.text);
    tw_spool_destroy(spool);
}

/* A transaction with 50,000 savepoints: each subtransaction's xid is looked
 * up at every change and at its abort, which must not cost a scan of all
 * earlier ones. Every other one rolls back; the rest must replay in order. */
static void test_many_subtransactions(void **state)
{
    enum { NSUB = 50000 };
    tw_spool_t *spool = tw_spool_new("/tmp", 0);
    collected_t c = {TW_BUF_INIT, 0};
    char errstr[256], payload[16];
    struct timespec t0, t1;
    tw_buf_t expected = TW_BUF_INIT;
    uint32_t sub;
    tw_lsn_t lsn = 1;
    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    append(spool, 1000, 1000, lsn++, "first");
    tw_buf_printf(&expected, "1:first;");
    for (sub = 1001; sub < 1001 + NSUB; sub++) {
        int n;
        /* Two changes per subtransaction: the second finds its mark. */
        for (n = 0; n < 2; n++) {
            snprintf(payload, sizeof(payload), "%u.%d", sub, n);
            append(spool, 1000, sub, lsn, payload);
            if (sub % 2 == 0)
                tw_buf_printf(&expected, "%llu:%s;", (unsigned long long)lsn, payload);
            lsn++;
        }
        if (sub % 2 == 1)
            assert_int_equal(tw_spool_abort(spool, 1000, sub, errstr, sizeof(errstr)), TW_OK);
    }
    /* Aborting a long-released subtransaction after everything else is
     * still found: it drops the tail from its first change on. */
    assert_int_equal(tw_spool_abort(spool, 1000, 1001 + NSUB - 3, errstr, sizeof(errstr)),
                     TW_OK);
    {
        /* Cut the expectation after the last record before that subxact. */
        char marker[32];
        char *cut;
        snprintf(marker, sizeof(marker), ":%u.0;", 1001 + NSUB - 3);
        cut = strstr(expected.data, marker);
        assert_non_null(cut);
        while (cut > expected.data && cut[-1] != ';')
            cut--;
        expected.len = (size_t)(cut - expected.data);
        expected.data[expected.len] = '\0';
    }
    assert_string_equal(replay(spool, 1000, &c), expected.data);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_message("%d subtransactions spooled, half aborted, replayed in %.3f s\n", NSUB,
                  (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    tw_buf_free(&expected);
    tw_buf_free(&c.text);
    tw_spool_destroy(spool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_in_order_and_interleaved_transactions),
        cmocka_unit_test(test_subtransaction_abort_truncates_its_part),
        cmocka_unit_test(test_parent_abort_before_child_abort),
        cmocka_unit_test(test_whole_abort_discards),
        cmocka_unit_test(test_size_bound_is_an_error_not_a_loss),
        cmocka_unit_test(test_unwritable_dir_is_reported),
        cmocka_unit_test(test_check_reports_an_unusable_dir_up_front),
        cmocka_unit_test(test_large_transaction_round_trip),
        cmocka_unit_test(test_many_subtransactions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
