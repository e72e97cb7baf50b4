/*
 * test_changefeed.c — the change feed (changefeed.c) replaying messages
 * captured from a real PostgreSQL 15 (tests/fixtures/pgoutput/, made by
 * tests/fixtures/capture_pgoutput.py, which documents each scenario's SQL)
 * into a recording sink.
 *
 * What it checks: a sink sees whole committed transactions, each change
 * between its Begin and Commit; streamed transactions reach it only at
 * Stream Commit, without the changes of a rolled-back subtransaction, and
 * an aborted one never; non-transactional messages arrive without a
 * transaction; the table and prefix filters drop what they exclude; a sink
 * error stops the feed and is passed up; two-phase messages (never asked
 * for) are an error.
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

#include "util/arena.h"
#include "pg/changefeed.h"

#include "pgoutput_fixtures.h"

/* ---- the recording sink ------------------------------------------------ */

typedef struct event {
    char kind;       /* 'B', 'C', or the change op */
    char table[64];  /* "schema.table" for I, U, D, T */
    int64_t id;      /* first column (I, U: new row; D: old key), -1 if none */
    char old_kind;   /* U, D */
    bool has_txn;    /* M: transactional */
    uint32_t xid;    /* of the transaction, 0 without one */
    char prefix[32]; /* M */
    char content[64];
    uint32_t content_len;
    int64_t commit_ts; /* B: the transaction's; M outside one: the last transaction's */
} event_t;

typedef struct recorder {
    event_t *events;
    size_t n, cap;
    bool open;                /* between begin and commit */
    tw_lsn_t begin_commit_lsn; /* what Begin announced */
    bool begin_streamed;
    size_t fail_at; /* change number (1-based) that returns an error; 0: none */
    size_t changes;
    tw_arena_t *arena;
} recorder_t;

static event_t *push(recorder_t *r, char kind)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->events = realloc(r->events, r->cap * sizeof(*r->events));
        assert_non_null(r->events);
    }
    memset(&r->events[r->n], 0, sizeof(r->events[0]));
    r->events[r->n].kind = kind;
    r->events[r->n].id = -1;
    return &r->events[r->n++];
}

static tw_err_t rec_begin(void *opaque, const tw_txn_t *txn, char *errstr, size_t errstr_size)
{
    recorder_t *r = opaque;
    event_t *e = push(r, 'B');

    (void)errstr;
    (void)errstr_size;
    assert_false(r->open);
    if (!txn->streamed)
        assert_int_equal(txn->end_lsn, 0); /* known only at its commit */
    assert_true(txn->commit_lsn != 0);
    assert_true(txn->commit_ts > INT64_C(1577836800000000)); /* after 2020 */
    r->open = true;
    r->begin_commit_lsn = txn->commit_lsn;
    r->begin_streamed = txn->streamed;
    e->xid = txn->xid;
    e->commit_ts = txn->commit_ts;
    return TW_OK;
}

static int64_t first_column(recorder_t *r, const tw_rel_t *rel, const tw_pgoutput_tuple_t *tuple)
{
    tw_value_t v;
    char why[256];

    if (tuple == NULL)
        return -1;
    assert_int_equal(tw_change_column_value(rel, tuple, 0, r->arena, &v, why, sizeof(why)),
                     TW_OK);
    assert_int_equal(v.kind, TW_VALUE_INT);
    return v.u.i;
}

static tw_err_t rec_change(void *opaque, const tw_txn_t *txn, const tw_change_t *c,
                           char *errstr, size_t errstr_size)
{
    recorder_t *r = opaque;
    event_t *e = push(r, (char)c->op);

    if (++r->changes == r->fail_at)
        return tw_errf(TW_ERR_REJECTED, errstr, errstr_size, "the sink says stop");
    e->xid = txn ? txn->xid : 0;
    e->has_txn = txn != NULL;
    if (txn) {
        assert_true(r->open);
        assert_int_equal(txn->commit_lsn, r->begin_commit_lsn);
    }
    if (c->op == TW_CHANGE_MESSAGE) {
        snprintf(e->prefix, sizeof(e->prefix), "%s", c->prefix);
        e->content_len = c->content_len;
        e->commit_ts = c->last_commit_ts;
        memcpy(e->content, c->content,
               c->content_len < sizeof(e->content) ? c->content_len : sizeof(e->content));
        return TW_OK;
    }
    assert_non_null(txn); /* row changes always belong to one */
    assert_non_null(c->rel);
    snprintf(e->table, sizeof(e->table), "%s.%s", c->rel->nspname, c->rel->relname);
    e->old_kind = c->old_kind;
    switch (c->op) {
    case TW_CHANGE_INSERT: e->id = first_column(r, c->rel, c->new_tuple); break;
    case TW_CHANGE_UPDATE: e->id = first_column(r, c->rel, c->new_tuple); break;
    case TW_CHANGE_DELETE: e->id = first_column(r, c->rel, c->old_tuple); break;
    default: break;
    }
    tw_arena_reset(r->arena);
    return TW_OK;
}

static tw_err_t rec_commit(void *opaque, const tw_txn_t *txn, char *errstr, size_t errstr_size)
{
    recorder_t *r = opaque;
    event_t *e = push(r, 'C');

    (void)errstr;
    (void)errstr_size;
    assert_true(r->open);
    assert_int_equal(txn->commit_lsn, r->begin_commit_lsn);
    assert_true(txn->end_lsn > txn->commit_lsn);
    assert_int_equal(txn->streamed, r->begin_streamed);
    r->open = false;
    e->xid = txn->xid;
    return TW_OK;
}

/* ---- running a fixture through a feed ---------------------------------- */

typedef struct run {
    tw_config_t cfg;
    char spool_dir[64];
    recorder_t rec;
    tw_changefeed_t *feed;
    char errstr[512];
} run_t;

static int setup(void **state)
{
    run_t *run = calloc(1, sizeof(*run));

    assert_non_null(run);
    snprintf(run->spool_dir, sizeof(run->spool_dir), "/tmp/tw-test-changefeed-XXXXXX");
    assert_non_null(mkdtemp(run->spool_dir));
    run->cfg.spool_dir = run->spool_dir;
    run->cfg.spool_max_bytes = 0;
    run->cfg.pgoutput_streaming = TW_STREAMING_ON;
    run->rec.arena = tw_arena_new(4096);
    *state = run;
    return 0;
}

static int teardown(void **state)
{
    run_t *run = *state;

    tw_changefeed_destroy(run->feed);
    tw_arena_destroy(run->rec.arena);
    free(run->rec.events);
    /* The spool deletes its files as transactions settle: an empty
     * directory is what it must leave. */
    assert_int_equal(rmdir(run->spool_dir), 0);
    free(run);
    return 0;
}

/* Feeds every message of the fixture; returns the first error. */
static tw_err_t feed_fixture(run_t *run, const char *name, int proto_version)
{
    static const tw_sink_t sink_template = {NULL, rec_begin, rec_change, rec_commit};
    tw_sink_t sink = sink_template;
    pgo_fixture_t fx;
    const uint8_t *data;
    uint32_t len;
    tw_lsn_t lsn = 0x1000000;
    tw_err_t err = TW_OK;

    pgo_fixture_load(&fx, name);
    sink.opaque = &run->rec;
    if (run->feed == NULL)
        assert_int_equal(tw_changefeed_new(&run->cfg, proto_version, &sink, &run->feed,
                                           run->errstr, sizeof(run->errstr)),
                         TW_OK);
    while (err == TW_OK && pgo_fixture_next(&fx, &data, &len)) {
        /* An exact-size copy: ASan sees a read past the message. */
        uint8_t *msg = malloc(len ? len : 1);

        assert_non_null(msg);
        memcpy(msg, data, len);
        err = tw_changefeed_process(run->feed, lsn, msg, len, run->errstr, sizeof(run->errstr));
        free(msg);
        lsn += 0x100;
    }
    pgo_fixture_free(&fx);
    return err;
}

static size_t count(const recorder_t *r, char kind, const char *table)
{
    size_t i, n = 0;

    for (i = 0; i < r->n; i++)
        if (r->events[i].kind == kind &&
            (table == NULL || strcmp(r->events[i].table, table) == 0))
            n++;
    return n;
}

/* The kinds of all events in order, e.g. "BccC". */
static const char *kinds(const recorder_t *r)
{
    static char out[64];
    size_t i;

    for (i = 0; i < r->n && i + 1 < sizeof(out); i++)
        out[i] = r->events[i].kind;
    out[i] = '\0';
    return out;
}

/* ---- tests ------------------------------------------------------------- */

/* Two inserts in one transaction, then an update, a delete and a truncate,
 * each its own transaction. */
static void test_basic_transactions(void **state)
{
    run_t *run = *state;
    const event_t *e;

    assert_int_equal(feed_fixture(run, "basic_default", 1), TW_OK);
    e = run->rec.events;
    assert_string_equal(kinds(&run->rec), "BccCBuCBdCBtC");
    assert_string_equal(e[1].table, "public.items");
    assert_int_equal(e[1].id, 1);
    assert_int_equal(e[2].id, 2);
    assert_int_equal(e[1].xid, e[0].xid);
    assert_int_equal(e[5].id, 1);      /* UPDATE ... WHERE id = 1 */
    assert_int_equal(e[5].old_kind, 0); /* replica identity default, key unchanged */
    assert_int_equal(e[8].id, 2);      /* DELETE ... WHERE id = 2: the old key */
    assert_int_equal(e[8].old_kind, 'K');
    assert_string_equal(e[11].table, "public.items");
    assert_false(tw_changefeed_in_txn(run->feed));
}

/* A transactional message inside its transaction, non-transactional ones
 * alone, with their content as sent. */
static void test_logical_messages(void **state)
{
    run_t *run = *state;
    const event_t *e;

    assert_int_equal(feed_fixture(run, "messages", 1), TW_OK);
    e = run->rec.events;
    assert_string_equal(kinds(&run->rec), "BmcCmm");
    assert_true(e[1].has_txn);
    assert_string_equal(e[1].prefix, "tw.txn");
    assert_int_equal(e[1].content_len, strlen("hello in a transaction"));
    assert_memory_equal(e[1].content, "hello in a transaction", e[1].content_len);
    assert_int_equal(e[2].id, 10);
    assert_false(e[4].has_txn);
    assert_string_equal(e[4].prefix, "tw.notxn");
    assert_memory_equal(e[4].content, "hello outside", e[4].content_len);
    assert_false(e[5].has_txn);
    assert_string_equal(e[5].prefix, "tw.bytes");
    assert_int_equal(e[5].content_len, 5);
    assert_memory_equal(e[5].content, "\x00\x01\x02\x03\xff", 5);
    /* Outside a transaction: the commit time of the one before (Debezium's
     * source time for such a message). */
    assert_true(e[0].commit_ts > 0);
    assert_int_equal(e[4].commit_ts, e[0].commit_ts);
    assert_int_equal(e[5].commit_ts, e[0].commit_ts);
}

/* A streamed transaction with a rolled-back savepoint: one transaction at
 * Stream Commit, 750 rows plus the last one, none of the savepoint's
 * (ids above 100000), the message in its place. */
static void test_stream_commit_without_subabort(void **state)
{
    run_t *run = *state;
    const recorder_t *r = &run->rec;
    size_t i, message_at = 0;

    assert_int_equal(feed_fixture(run, "stream_subabort", 2), TW_OK);
    assert_int_equal(count(r, 'B', NULL), 1);
    assert_int_equal(count(r, 'C', NULL), 1);
    assert_true(r->begin_streamed);
    assert_int_equal(r->events[0].kind, 'B');
    assert_int_equal(r->events[r->n - 1].kind, 'C');
    assert_int_equal(count(r, 'c', "public.bulk"), 750 + 1);
    for (i = 0; i < r->n; i++) {
        assert_true(r->events[i].id <= 100000);
        if (r->events[i].kind == 'm')
            message_at = i;
        else if (r->events[i].kind == 'c')
            assert_int_equal(r->events[i].xid, r->events[0].xid);
    }
    /* In WAL order: after the 750 rows, before 'last' (id 0). */
    assert_int_equal(message_at, 751);
    assert_string_equal(r->events[message_at].prefix, "tw.stream");
    assert_int_equal(r->events[r->n - 2].id, 0);
}

/* A streamed transaction that rolls back reaches the sink not at all,
 * whether its changes were streamed (live) or not (late). */
static void test_stream_abort(void **state)
{
    run_t *run = *state;

    assert_int_equal(feed_fixture(run, "stream_abort", 2), TW_OK);
    assert_int_equal(run->rec.n, 0);
    assert_int_equal(feed_fixture(run, "stream_abort_late", 2), TW_OK);
    assert_int_equal(run->rec.n, 0);
}

/* A table first touched in a rolled-back savepoint: its Relation message is
 * sent again, and only the row after the savepoint arrives. */
static void test_stream_subabort_first_touch(void **state)
{
    run_t *run = *state;
    const recorder_t *r = &run->rec;

    assert_int_equal(feed_fixture(run, "stream_subabort_first_touch", 2), TW_OK);
    assert_string_equal(kinds(r), "BccC");
    assert_string_equal(r->events[1].table, "public.orders");
    assert_int_equal(r->events[1].id, 30);
    assert_string_equal(r->events[2].table, "public.bulk_sub");
    assert_int_equal(r->events[2].id, 0);
}

/* table.exclude.list drops a table's rows, message.prefix.exclude.list a
 * prefix; the transaction itself still arrives. */
static void test_filters(void **state)
{
    run_t *run = *state;

    run->cfg.table_exclude_list = "public\\.bulk";
    run->cfg.message_prefix_exclude_list = "tw\\.notxn";
    assert_int_equal(feed_fixture(run, "stream_subabort", 2), TW_OK);
    assert_string_equal(kinds(&run->rec), "BmC");
    run->rec.n = 0;
    assert_int_equal(feed_fixture(run, "messages", 1), TW_OK);
    assert_string_equal(kinds(&run->rec), "BmcCm");
    assert_string_equal(run->rec.events[4].prefix, "tw.bytes");
}

/* A sink error stops the feed at that change and comes back unchanged. */
static void test_sink_error_stops(void **state)
{
    run_t *run = *state;

    run->rec.fail_at = 2;
    assert_int_equal(feed_fixture(run, "basic_default", 1), TW_ERR_REJECTED);
    assert_string_equal(run->errstr, "the sink says stop");
    assert_string_equal(kinds(&run->rec), "Bcc");
    assert_true(tw_changefeed_in_txn(run->feed));
}

/* The same in a replayed stream: the replay stops and the error is passed
 * up from Stream Commit. */
static void test_sink_error_in_replay(void **state)
{
    run_t *run = *state;

    run->rec.fail_at = 10;
    assert_int_equal(feed_fixture(run, "stream_subabort", 2), TW_ERR_REJECTED);
    assert_non_null(strstr(run->errstr, "the sink says stop"));
    assert_int_equal(count(&run->rec, 'C', NULL), 0);
}

/* tidewater never asks for two_phase: such messages are a protocol error
 * that names them, not something to skip. */
static void test_twophase_refused(void **state)
{
    run_t *run = *state;

    assert_int_equal(feed_fixture(run, "twophase_commit", 3), TW_ERR_MALFORMED);
    assert_non_null(strstr(run->errstr, "two-phase decoding was not requested"));
    assert_int_equal(run->rec.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basic_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logical_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_commit_without_subabort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_subabort_first_touch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_error_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_error_in_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_twophase_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
