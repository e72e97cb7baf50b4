/*
 * test_pgoutput.c — the pgoutput decoder against messages captured from a
 * real PostgreSQL 15 (tests/fixtures/pgoutput/, made by
 * tests/fixtures/capture_pgoutput.py) and against hand-made byte vectors for
 * what the server cannot be made to send: protocol 4, and broken input.
 *
 * Fixture values that change on every capture (xids, LSNs, timestamps,
 * relation OIDs) are checked through their relationships only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg/pgoutput.h"

#include "pgoutput_fixtures.h"

/* Built-in type OIDs, fixed in every PostgreSQL. */
#define BOOLOID 16
#define BYTEAOID 17
#define INT4OID 23
#define TEXTOID 25
#define VARCHAROID 1043
#define NUMERICOID 1700

/* 2020-01-01 in microseconds since 2000-01-01: every capture is later. */
#define PG_TS_2020 INT64_C(631152000000000)

/* ---- helpers: decoding from an exact-size copy ------------------------ */

/* Every decode reads from a heap copy of exactly the input's length, so
 * AddressSanitizer catches a read one byte past the end. The copy lives
 * until the next decode, like the buffers the decoder's results point into. */
static uint8_t *exact_copy;
static char errstr[512];

static tw_err_t decode_exact(tw_pgoutput_t *dec, const uint8_t *data, size_t len,
                             bool in_stream, tw_pgoutput_msg_t *msg)
{
    free(exact_copy);
    exact_copy = malloc(len ? len : 1);
    assert_non_null(exact_copy);
    if (len)
        memcpy(exact_copy, data, len);
    errstr[0] = '\0';
    return tw_pgoutput_decode(dec, exact_copy, len, in_stream, msg, errstr, sizeof(errstr));
}

static int free_exact_copy(void **state)
{
    (void)state;
    free(exact_copy);
    exact_copy = NULL;
    return 0;
}

/* ---- helpers: replaying a fixture ------------------------------------- */

/* Walks a fixture's records in order, deciding in_stream from Stream Start
 * and Stream Stop as a real consumer must. */
typedef struct replay {
    pgo_fixture_t fx;
    bool in_stream;
    tw_pgoutput_t *dec;
} replay_t;

static void replay_open(replay_t *r, const char *name, int proto_version)
{
    memset(r, 0, sizeof(*r));
    pgo_fixture_load(&r->fx, name);
    r->dec = tw_pgoutput_new(proto_version, false);
}

static void replay_close(replay_t *r)
{
    tw_pgoutput_destroy(r->dec);
    pgo_fixture_free(&r->fx);
}

/* The next record's bytes, or false at the end of the file. */
static bool replay_record(replay_t *r, const uint8_t **data, uint32_t *len)
{
    return pgo_fixture_next(&r->fx, data, len);
}

/* A consumer learns that a stream block starts or ends from the messages. */
static void replay_track_stream(replay_t *r, const tw_pgoutput_msg_t *msg)
{
    if (msg->type == TW_PGOUTPUT_STREAM_START)
        r->in_stream = true;
    else if (msg->type == TW_PGOUTPUT_STREAM_STOP)
        r->in_stream = false;
}

/* Decodes the next record; false at the end of the file. */
static bool replay_next(replay_t *r, tw_pgoutput_msg_t *msg)
{
    const uint8_t *data;
    uint32_t len;

    if (!replay_record(r, &data, &len))
        return false;
    if (decode_exact(r->dec, data, len, r->in_stream, msg) != TW_OK)
        fail_msg("%s record %zu: %s", r->fx.name, r->fx.index, errstr);
    replay_track_stream(r, msg);
    return true;
}

static void expect_msg(replay_t *r, tw_pgoutput_msgtype_t type, tw_pgoutput_msg_t *msg)
{
    if (!replay_next(r, msg))
        fail_msg("%s ended where a %s message was expected", r->fx.name,
                 tw_pgoutput_msgtype_name(type));
    if (msg->type != type)
        fail_msg("%s record %zu is %s, expected %s", r->fx.name, r->fx.index,
                 tw_pgoutput_msgtype_name(msg->type), tw_pgoutput_msgtype_name(type));
}

static void expect_end(replay_t *r)
{
    tw_pgoutput_msg_t msg;

    if (replay_next(r, &msg))
        fail_msg("%s has an unexpected %s message at record %zu", r->fx.name,
                 tw_pgoutput_msgtype_name(msg.type), r->fx.index);
    assert_false(r->in_stream);
}

/* ---- helpers: checking decoded values ---------------------------------- */

/* Column expectations for assert_tuple, matched by pointer. */
static const char COL_NULL[] = "<null>";
static const char COL_UNCHANGED[] = "<unchanged toast>";

static void assert_col_text(const tw_pgoutput_col_t *col, const char *text)
{
    assert_int_equal(col->kind, TW_PGOUTPUT_COL_TEXT);
    assert_int_equal(col->len, strlen(text));
    assert_non_null(col->data);
    if (col->len)
        assert_memory_equal(col->data, text, col->len);
}

static void assert_col_bytes(const tw_pgoutput_col_t *col, char kind, const void *bytes,
                             size_t len)
{
    assert_int_equal(col->kind, kind);
    assert_int_equal(col->len, len);
    assert_non_null(col->data);
    if (len)
        assert_memory_equal(col->data, bytes, len);
}

static void assert_col_absent(const tw_pgoutput_col_t *col, char kind)
{
    assert_int_equal(col->kind, kind);
    assert_int_equal(col->len, 0);
    assert_null(col->data);
}

/* assert_tuple(tuple, 3, "1", COL_NULL, "x"): text values, NULLs and
 * unchanged TOAST values, column by column. */
static void assert_tuple(const tw_pgoutput_tuple_t *tuple, int ncols, ...)
{
    va_list ap;
    int i;

    assert_int_equal(tuple->ncols, ncols);
    va_start(ap, ncols);
    for (i = 0; i < ncols; i++) {
        const char *want = va_arg(ap, const char *);
        if (want == COL_NULL)
            assert_col_absent(&tuple->cols[i], TW_PGOUTPUT_COL_NULL);
        else if (want == COL_UNCHANGED)
            assert_col_absent(&tuple->cols[i], TW_PGOUTPUT_COL_UNCHANGED_TOAST);
        else
            assert_col_text(&tuple->cols[i], want);
    }
    va_end(ap);
}

static void assert_attr(const tw_pgoutput_attr_t *attr, const char *name, uint32_t type_oid,
                        int32_t typmod, bool key)
{
    assert_string_equal(attr->name, name);
    assert_int_equal(attr->type_oid, type_oid);
    assert_int_equal(attr->typmod, typmod);
    assert_int_equal(attr->flags, key ? TW_PGOUTPUT_ATTR_KEY : 0);
}

static void assert_relation(const tw_pgoutput_msg_t *msg, const char *relname, char replident,
                            uint16_t natts)
{
    assert_int_equal(msg->type, TW_PGOUTPUT_RELATION);
    assert_string_equal(msg->u.relation.nspname, "public");
    assert_string_equal(msg->u.relation.relname, relname);
    assert_int_equal(msg->u.relation.replident, replident);
    assert_int_equal(msg->u.relation.natts, natts);
    assert_true(msg->u.relation.relid >= 16384); /* a user table */
}

/* Checks a Begin against its Commit: the Begin announces the commit LSN and
 * time the Commit then carries. */
static void assert_commit_matches(const tw_pgoutput_msg_t *begin, const tw_pgoutput_msg_t *commit)
{
    assert_int_equal(commit->u.commit.flags, 0);
    assert_int_equal(commit->u.commit.commit_lsn, begin->u.begin.final_lsn);
    assert_true(commit->u.commit.end_lsn > commit->u.commit.commit_lsn);
    assert_int_equal(commit->u.commit.commit_ts, begin->u.begin.commit_ts);
}

/* Reads Begin, checks it, and returns it for the matching Commit. */
static tw_pgoutput_msg_t expect_begin(replay_t *r)
{
    tw_pgoutput_msg_t begin;

    expect_msg(r, TW_PGOUTPUT_BEGIN, &begin);
    assert_false(begin.has_xid);
    assert_true(begin.u.begin.xid != 0);
    assert_true(begin.u.begin.final_lsn != 0);
    assert_true(begin.u.begin.commit_ts > PG_TS_2020);
    return begin;
}

static void expect_commit(replay_t *r, const tw_pgoutput_msg_t *begin)
{
    tw_pgoutput_msg_t commit;

    expect_msg(r, TW_PGOUTPUT_COMMIT, &commit);
    assert_commit_matches(begin, &commit);
}

/* ---- fixtures: every record of every file ------------------------------ */

static const struct {
    const char *name;
    int proto_version;
} all_fixtures[] = {
    {"basic_default", 1},
    {"replident_full", 1},
    {"replident_index", 1},
    {"update_pk", 1},
    {"toast_unchanged", 1},
    {"add_column", 1},
    {"enum_type", 1},
    {"nulls", 1},
    {"binary", 1},
    {"origin", 1},
    {"messages", 1},
    {"stream_subabort", 2},
    {"stream_abort", 2},
    {"stream_abort_late", 2},
    {"stream_subabort_first_touch", 2},
    {"twophase_commit", 3},
    {"twophase_rollback", 3},
    {"twophase_rollback_late", 3},
    {"stream_prepare", 3},
};

/* Stream control messages that name their transaction wherever they are. */
static bool names_own_xid(tw_pgoutput_msgtype_t type)
{
    return type == TW_PGOUTPUT_STREAM_START || type == TW_PGOUTPUT_STREAM_COMMIT ||
           type == TW_PGOUTPUT_STREAM_ABORT || type == TW_PGOUTPUT_STREAM_PREPARE;
}

/* Every record decodes, stream blocks are closed, and has_xid is set for
 * exactly the messages inside a block and the stream control messages. */
static void test_fixtures_all_decode(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < TW_ARRAY_SIZE(all_fixtures); i++) {
        replay_t r;
        tw_pgoutput_msg_t msg;
        size_t count = 0;

        replay_open(&r, all_fixtures[i].name, all_fixtures[i].proto_version);
        while (replay_next(&r, &msg)) {
            count++;
            if (r.in_stream || names_own_xid(msg.type))
                assert_true(msg.has_xid);
            else
                assert_false(msg.has_xid);
        }
        assert_true(count > 0);
        assert_false(r.in_stream);
        replay_close(&r);
    }
}

/* Every proper prefix of every captured message is rejected, never read
 * past: the exact-size copies let ASan see any overread. */
static void test_fixtures_every_prefix_is_malformed(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < TW_ARRAY_SIZE(all_fixtures); i++) {
        replay_t r;
        const uint8_t *data;
        uint32_t len, cut;
        tw_pgoutput_msg_t msg;

        replay_open(&r, all_fixtures[i].name, all_fixtures[i].proto_version);
        while (replay_record(&r, &data, &len)) {
            bool in_stream = r.in_stream;
            for (cut = 0; cut < len; cut++) {
                assert_int_equal(decode_exact(r.dec, data, cut, in_stream, &msg),
                                 TW_ERR_MALFORMED);
                assert_true(errstr[0] != '\0');
            }
            assert_int_equal(decode_exact(r.dec, data, len, in_stream, &msg), TW_OK);
            replay_track_stream(&r, &msg);
        }
        replay_close(&r);
    }
}

/* ---- fixtures: one per scenario ----------------------------------------- */

static void test_fixture_basic_default(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    uint32_t relid, first_xid;
    (void)state;

    replay_open(&r, "basic_default", 1);

    /* Two inserts in one transaction. */
    begin = expect_begin(&r);
    first_xid = begin.u.begin.xid;
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "items", 'd', 4);
    assert_attr(&m.u.relation.attrs[0], "id", INT4OID, -1, true);
    assert_attr(&m.u.relation.attrs[1], "name", TEXTOID, -1, false);
    assert_attr(&m.u.relation.attrs[2], "price", NUMERICOID, ((10 << 16) | 2) + 4, false);
    assert_attr(&m.u.relation.attrs[3], "note", VARCHAROID, 20 + 4, false);
    relid = m.u.relation.relid;
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_int_equal(m.u.insert.relid, relid);
    assert_tuple(&m.u.insert.newtup, 4, "1", "apple", "1.50", "red");
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_int_equal(m.u.insert.relid, relid);
    assert_tuple(&m.u.insert.newtup, 4, "2", "banana", "0.25", COL_NULL);
    expect_commit(&r, &begin);

    /* Updating a non-key column sends no old tuple. */
    begin = expect_begin(&r);
    assert_true(begin.u.begin.xid != first_xid);
    expect_msg(&r, TW_PGOUTPUT_UPDATE, &m);
    assert_int_equal(m.u.update.relid, relid);
    assert_int_equal(m.u.update.old_kind, 0);
    assert_int_equal(m.u.update.oldtup.ncols, 0);
    assert_tuple(&m.u.update.newtup, 4, "1", "apple", "1.75", "red");
    expect_commit(&r, &begin);

    /* A delete sends the key, the other columns as NULL. */
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_DELETE, &m);
    assert_int_equal(m.u.delete.relid, relid);
    assert_int_equal(m.u.delete.old_kind, 'K');
    assert_tuple(&m.u.delete.oldtup, 4, "2", COL_NULL, COL_NULL, COL_NULL);
    expect_commit(&r, &begin);

    /* TRUNCATE gives the table a new file, and the server describes the
     * relation again before the Truncate. */
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "items", 'd', 4);
    assert_int_equal(m.u.relation.relid, relid);
    expect_msg(&r, TW_PGOUTPUT_TRUNCATE, &m);
    assert_int_equal(m.u.truncate.nrels, 1);
    assert_int_equal(m.u.truncate.relids[0], relid);
    assert_int_equal(m.u.truncate.options, 0);
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_replident_full_sends_old_row(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    uint32_t relid;
    (void)state;

    replay_open(&r, "replident_full", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "items_full", 'f', 3);
    /* With REPLICA IDENTITY FULL every column is part of the key. */
    assert_attr(&m.u.relation.attrs[0], "id", INT4OID, -1, true);
    assert_attr(&m.u.relation.attrs[1], "name", TEXTOID, -1, true);
    assert_attr(&m.u.relation.attrs[2], "qty", INT4OID, -1, true);
    relid = m.u.relation.relid;
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_tuple(&m.u.insert.newtup, 3, "1", "bolt", "10");
    expect_commit(&r, &begin);

    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_UPDATE, &m);
    assert_int_equal(m.u.update.relid, relid);
    assert_int_equal(m.u.update.old_kind, 'O');
    assert_tuple(&m.u.update.oldtup, 3, "1", "bolt", "10");
    assert_tuple(&m.u.update.newtup, 3, "1", "bolt", "11");
    expect_commit(&r, &begin);

    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_DELETE, &m);
    assert_int_equal(m.u.delete.old_kind, 'O');
    assert_tuple(&m.u.delete.oldtup, 3, "1", "bolt", "11");
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_replident_index(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    (void)state;

    replay_open(&r, "replident_index", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "items_idx", 'i', 3);
    assert_attr(&m.u.relation.attrs[0], "id", INT4OID, -1, false);
    assert_attr(&m.u.relation.attrs[1], "code", TEXTOID, -1, true);
    assert_attr(&m.u.relation.attrs[2], "qty", INT4OID, -1, false);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    expect_commit(&r, &begin);

    /* Changing the identity column sends its old value as 'K'. */
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_UPDATE, &m);
    assert_int_equal(m.u.update.old_kind, 'K');
    assert_tuple(&m.u.update.oldtup, 3, COL_NULL, "A-1", COL_NULL);
    assert_tuple(&m.u.update.newtup, 3, "1", "A-2", "5");
    expect_commit(&r, &begin);

    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_DELETE, &m);
    assert_int_equal(m.u.delete.old_kind, 'K');
    assert_tuple(&m.u.delete.oldtup, 3, COL_NULL, "A-2", COL_NULL);
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_update_of_primary_key_sends_old_key(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    (void)state;

    replay_open(&r, "update_pk", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "accounts", 'd', 2);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_tuple(&m.u.insert.newtup, 2, "1", "ann");
    expect_commit(&r, &begin);

    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_UPDATE, &m);
    assert_int_equal(m.u.update.old_kind, 'K');
    assert_tuple(&m.u.update.oldtup, 2, "1", COL_NULL);
    assert_tuple(&m.u.update.newtup, 2, "2", "ann");
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_unchanged_toast_column(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    (void)state;

    replay_open(&r, "toast_unchanged", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "docs", 'd', 3);
    expect_msg(&r, TW_PGOUTPUT_UPDATE, &m);
    assert_int_equal(m.u.update.old_kind, 0);
    assert_tuple(&m.u.update.newtup, 3, "1", "second", COL_UNCHANGED);
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_add_column_sends_relation_again(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    uint32_t relid;
    (void)state;

    replay_open(&r, "add_column", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "evolving", 'd', 2);
    relid = m.u.relation.relid;
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_tuple(&m.u.insert.newtup, 2, "1", "one");
    expect_commit(&r, &begin);

    /* The ALTER TABLE itself sends nothing (empty transactions are skipped). */
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "evolving", 'd', 3);
    assert_int_equal(m.u.relation.relid, relid);
    assert_attr(&m.u.relation.attrs[2], "b", INT4OID, -1, false);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_int_equal(m.u.insert.relid, relid);
    assert_tuple(&m.u.insert.newtup, 3, "2", "two", "8");
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_enum_type_message(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    uint32_t mood_oid;
    (void)state;

    replay_open(&r, "enum_type", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_TYPE, &m);
    assert_string_equal(m.u.type.nspname, "public");
    assert_string_equal(m.u.type.typname, "mood");
    mood_oid = m.u.type.type_oid;
    assert_true(mood_oid >= 16384);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "moods", 'd', 2);
    assert_attr(&m.u.relation.attrs[1], "m", mood_oid, -1, false);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_tuple(&m.u.insert.newtup, 2, "1", "happy");
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_nulls_and_empty_strings(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    (void)state;

    replay_open(&r, "nulls", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "nullable", 'd', 4);
    assert_attr(&m.u.relation.attrs[3], "b", BOOLOID, -1, false);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_tuple(&m.u.insert.newtup, 4, "1", COL_NULL, COL_NULL, COL_NULL);
    /* An empty string is a 't' of length 0, with a non-NULL pointer. */
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_tuple(&m.u.insert.newtup, 4, "2", "", "0", "f");
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_binary_values(void **state)
{
    static const uint8_t int4_one[] = {0, 0, 0, 1};
    static const uint8_t bool_true[] = {1};
    static const uint8_t raw[] = {0x00, 0xff, 0x10};
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    (void)state;

    replay_open(&r, "binary", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "typed", 'd', 4);
    assert_attr(&m.u.relation.attrs[2], "b", BOOLOID, -1, false);
    assert_attr(&m.u.relation.attrs[3], "raw", BYTEAOID, -1, false);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_int_equal(m.u.insert.newtup.ncols, 4);
    assert_col_bytes(&m.u.insert.newtup.cols[0], 'b', int4_one, sizeof(int4_one));
    assert_col_bytes(&m.u.insert.newtup.cols[1], 'b', "bin", 3);
    assert_col_bytes(&m.u.insert.newtup.cols[2], 'b', bool_true, sizeof(bool_true));
    assert_col_bytes(&m.u.insert.newtup.cols[3], 'b', raw, sizeof(raw));
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_origin(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    (void)state;

    replay_open(&r, "origin", 1);
    expect_msg(&r, TW_PGOUTPUT_BEGIN, &begin);
    /* A session that set up an origin without pg_replication_origin_xact_setup
     * commits with the origin's timestamp and LSN, which are zero. */
    assert_int_equal(begin.u.begin.commit_ts, 0);
    expect_msg(&r, TW_PGOUTPUT_ORIGIN, &m);
    assert_string_equal(m.u.origin.name, "tw_origin");
    assert_int_equal(m.u.origin.commit_lsn, 0);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "orders", 'd', 2);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_tuple(&m.u.insert.newtup, 2, "1", "from elsewhere");
    expect_commit(&r, &begin);
    expect_end(&r);
    replay_close(&r);
}

static void assert_logical_message(const tw_pgoutput_msg_t *m, bool transactional,
                                   const char *prefix, const void *content, size_t len)
{
    assert_int_equal(m->u.message.flags, transactional ? 1 : 0);
    assert_true(m->u.message.lsn != 0);
    assert_string_equal(m->u.message.prefix, prefix);
    assert_int_equal(m->u.message.content_len, len);
    assert_memory_equal(m->u.message.content, content, len);
}

static void test_fixture_logical_messages(void **state)
{
    static const uint8_t bytes[] = {0x00, 0x01, 0x02, 0x03, 0xff};
    replay_t r;
    tw_pgoutput_msg_t begin, m;
    tw_lsn_t lsn;
    (void)state;

    replay_open(&r, "messages", 1);
    begin = expect_begin(&r);
    expect_msg(&r, TW_PGOUTPUT_MESSAGE, &m);
    assert_logical_message(&m, true, "tw.txn", "hello in a transaction", 22);
    assert_true(m.u.message.lsn < begin.u.begin.final_lsn);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    expect_commit(&r, &begin);

    /* Non-transactional messages come alone, outside Begin/Commit. */
    expect_msg(&r, TW_PGOUTPUT_MESSAGE, &m);
    assert_logical_message(&m, false, "tw.notxn", "hello outside", 13);
    lsn = m.u.message.lsn;
    expect_msg(&r, TW_PGOUTPUT_MESSAGE, &m);
    assert_logical_message(&m, false, "tw.bytes", bytes, sizeof(bytes));
    assert_true(m.u.message.lsn > lsn);
    expect_end(&r);
    replay_close(&r);
}

/* Starts with the column "v" of a bulk row, e.g. "row 17" or "sub 100003". */
static bool value_starts_with(const tw_pgoutput_tuple_t *tuple, const char *prefix)
{
    const tw_pgoutput_col_t *v = &tuple->cols[1];

    return v->kind == 't' && v->len >= strlen(prefix) &&
           memcmp(v->data, prefix, strlen(prefix)) == 0;
}

static void test_fixture_stream_with_rolled_back_savepoint(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t m;
    uint32_t xid, relid, subxid = 0, after_xid = 0;
    unsigned blocks = 1, top_rows = 0, sub_rows = 0, last_rows = 0, messages = 0;
    bool aborted = false, committed = false;
    (void)state;

    replay_open(&r, "stream_subabort", 2);
    expect_msg(&r, TW_PGOUTPUT_STREAM_START, &m);
    assert_int_equal(m.u.stream_start.first_segment, 1);
    xid = m.u.stream_start.xid;
    assert_true(m.has_xid);
    assert_int_equal(m.xid, xid);

    /* The schema goes inside the stream, tagged with the transaction. */
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "bulk", 'd', 2);
    assert_true(m.has_xid);
    assert_int_equal(m.xid, xid);
    relid = m.u.relation.relid;

    while (!committed && replay_next(&r, &m)) {
        switch (m.type) {
        case TW_PGOUTPUT_STREAM_START:
            assert_int_equal(m.u.stream_start.xid, xid);
            assert_int_equal(m.u.stream_start.first_segment, 0);
            blocks++;
            break;
        case TW_PGOUTPUT_STREAM_STOP:
            break;
        case TW_PGOUTPUT_INSERT:
            assert_true(r.in_stream);
            assert_true(m.has_xid);
            assert_int_equal(m.u.insert.relid, relid);
            if (value_starts_with(&m.u.insert.newtup, "row ")) {
                /* Changes of the top transaction carry its xid. */
                assert_int_equal(m.xid, xid);
                assert_int_equal(sub_rows, 0);
                top_rows++;
            } else if (value_starts_with(&m.u.insert.newtup, "sub ")) {
                /* Changes made in a savepoint carry the subtransaction's xid. */
                assert_true(m.xid != xid);
                if (subxid == 0)
                    subxid = m.xid;
                assert_int_equal(m.xid, subxid);
                assert_false(aborted);
                sub_rows++;
            } else {
                assert_tuple(&m.u.insert.newtup, 2, "0", "last");
                assert_true(aborted);
                assert_int_equal(m.xid, after_xid);
                last_rows++;
            }
            break;
        case TW_PGOUTPUT_MESSAGE:
            assert_true(m.has_xid);
            assert_int_equal(m.xid, xid);
            assert_logical_message(&m, true, "tw.stream", "inside the stream", 17);
            assert_int_equal(top_rows, 750);
            messages++;
            break;
        case TW_PGOUTPUT_STREAM_ABORT:
            /* Only the savepoint is rolled back: subxid names it. */
            assert_false(r.in_stream);
            assert_int_equal(m.u.stream_abort.xid, xid);
            assert_int_equal(m.u.stream_abort.subxid, subxid);
            assert_true(m.u.stream_abort.subxid != m.u.stream_abort.xid);
            assert_false(m.u.stream_abort.has_abort_info);
            aborted = true;
            break;
        case TW_PGOUTPUT_RELATION:
            /* After the abort the relation is described again, tagged with
             * the new subtransaction that the last insert ran in. */
            assert_true(aborted);
            assert_int_equal(m.u.relation.relid, relid);
            assert_true(m.xid != xid && m.xid != subxid);
            after_xid = m.xid;
            break;
        case TW_PGOUTPUT_STREAM_COMMIT:
            assert_false(r.in_stream);
            assert_int_equal(m.u.stream_commit.xid, xid);
            assert_int_equal(m.u.stream_commit.flags, 0);
            assert_true(m.u.stream_commit.end_lsn > m.u.stream_commit.commit_lsn);
            assert_true(m.u.stream_commit.commit_ts > PG_TS_2020);
            committed = true;
            break;
        default:
            fail_msg("unexpected %s message", tw_pgoutput_msgtype_name(m.type));
        }
    }
    assert_true(committed);
    assert_true(blocks >= 3);
    assert_int_equal(top_rows, 750);
    assert_true(sub_rows > 0 && sub_rows <= 750); /* those streamed before the abort */
    assert_int_equal(last_rows, 1);
    assert_int_equal(messages, 1);
    expect_end(&r);
    replay_close(&r);
}

/* A table first changed inside a rolled-back savepoint: its Relation message
 * belonged to the savepoint, so the server sends it again afterwards. */
static void test_fixture_stream_relation_resent_after_subabort(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t m;
    uint32_t xid, subxid, next_subxid, relid;
    unsigned sub_rows = 0;
    (void)state;

    replay_open(&r, "stream_subabort_first_touch", 2);
    expect_msg(&r, TW_PGOUTPUT_STREAM_START, &m);
    xid = m.u.stream_start.xid;
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "orders", 'd', 2);
    assert_int_equal(m.xid, xid);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_int_equal(m.xid, xid);
    assert_tuple(&m.u.insert.newtup, 2, "30", "before the savepoint");

    /* The Relation goes out with the change that needs it, so it carries
     * the savepoint's subxid. */
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "bulk_sub", 'd', 2);
    subxid = m.xid;
    assert_true(subxid != xid);
    relid = m.u.relation.relid;
    while (replay_next(&r, &m) && m.type != TW_PGOUTPUT_STREAM_ABORT) {
        if (m.type == TW_PGOUTPUT_INSERT) {
            assert_int_equal(m.xid, subxid);
            assert_true(value_starts_with(&m.u.insert.newtup, "sub "));
            sub_rows++;
        } else if (m.type == TW_PGOUTPUT_STREAM_START) {
            assert_int_equal(m.u.stream_start.first_segment, 0);
        } else {
            assert_int_equal(m.type, TW_PGOUTPUT_STREAM_STOP);
        }
    }
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_ABORT);
    assert_int_equal(m.u.stream_abort.xid, xid);
    assert_int_equal(m.u.stream_abort.subxid, subxid);
    assert_true(sub_rows > 0);

    expect_msg(&r, TW_PGOUTPUT_STREAM_START, &m);
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_int_equal(m.u.relation.relid, relid);
    next_subxid = m.xid;
    assert_true(next_subxid != xid && next_subxid != subxid);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_int_equal(m.xid, next_subxid);
    assert_tuple(&m.u.insert.newtup, 2, "0", "after");
    expect_msg(&r, TW_PGOUTPUT_STREAM_STOP, &m);
    expect_msg(&r, TW_PGOUTPUT_STREAM_COMMIT, &m);
    assert_int_equal(m.u.stream_commit.xid, xid);
    expect_end(&r);
    replay_close(&r);
}

/* Reads stream blocks of inserts up to the message that ends the stream;
 * returns the number of blocks and counts the inserts. */
static unsigned read_stream_blocks(replay_t *r, uint32_t xid, const char *relname,
                                   tw_pgoutput_msg_t *end, unsigned *rows)
{
    unsigned blocks = 0;
    uint32_t relid = 0;

    *rows = 0;
    while (replay_next(r, end)) {
        switch (end->type) {
        case TW_PGOUTPUT_STREAM_START:
            assert_int_equal(end->u.stream_start.xid, xid);
            assert_int_equal(end->u.stream_start.first_segment, blocks == 0);
            blocks++;
            break;
        case TW_PGOUTPUT_STREAM_STOP:
            break;
        case TW_PGOUTPUT_RELATION:
            assert_relation(end, relname, 'd', 2);
            assert_int_equal(end->xid, xid);
            relid = end->u.relation.relid;
            break;
        case TW_PGOUTPUT_INSERT:
            assert_true(r->in_stream);
            assert_int_equal(end->xid, xid);
            assert_int_equal(end->u.insert.relid, relid);
            assert_true(value_starts_with(&end->u.insert.newtup, "row "));
            (*rows)++;
            break;
        default:
            return blocks;
        }
    }
    fail_msg("%s ended inside a stream", r->fx.name);
    return 0;
}

/* The xid of the first Stream Start, without consuming it. */
static uint32_t peek_stream_xid(const char *name)
{
    pgo_fixture_t fx;
    uint32_t xid;

    pgo_fixture_load(&fx, name);
    assert_true(fx.size >= 4 + 6 && fx.data[4] == 'S');
    xid = ((uint32_t)fx.data[5] << 24) | ((uint32_t)fx.data[6] << 16) |
          ((uint32_t)fx.data[7] << 8) | fx.data[8];
    pgo_fixture_free(&fx);
    return xid;
}

static void test_fixture_stream_aborted_entirely(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t m;
    uint32_t xid = peek_stream_xid("stream_abort");
    unsigned blocks, rows;
    (void)state;

    replay_open(&r, "stream_abort", 2);
    blocks = read_stream_blocks(&r, xid, "bulk_abort", &m, &rows);
    assert_true(blocks >= 2);
    /* What was still buffered when the transaction rolled back is never sent. */
    assert_true(rows > 0 && rows <= 1500);
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_ABORT);
    assert_int_equal(m.u.stream_abort.xid, xid);
    assert_int_equal(m.u.stream_abort.subxid, xid);
    assert_false(m.u.stream_abort.has_abort_info);
    expect_end(&r);
    replay_close(&r);
}

/* Decoded after the rollback, the server notices the abort at once and
 * sends an empty stream block. */
static void test_fixture_stream_aborted_decoded_late(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t m;
    uint32_t xid;
    (void)state;

    replay_open(&r, "stream_abort_late", 2);
    expect_msg(&r, TW_PGOUTPUT_STREAM_START, &m);
    assert_int_equal(m.u.stream_start.first_segment, 1);
    xid = m.u.stream_start.xid;
    expect_msg(&r, TW_PGOUTPUT_STREAM_STOP, &m);
    assert_false(m.has_xid);
    expect_msg(&r, TW_PGOUTPUT_STREAM_ABORT, &m);
    assert_int_equal(m.u.stream_abort.xid, xid);
    assert_int_equal(m.u.stream_abort.subxid, xid);
    expect_end(&r);
    replay_close(&r);
}

static tw_pgoutput_msg_t expect_begin_prepare(replay_t *r, const char *gid)
{
    tw_pgoutput_msg_t m;

    expect_msg(r, TW_PGOUTPUT_BEGIN_PREPARE, &m);
    assert_false(m.has_xid);
    assert_string_equal(m.u.twophase.gid, gid);
    assert_true(m.u.twophase.xid != 0);
    assert_true(m.u.twophase.end_lsn > m.u.twophase.prepare_lsn);
    assert_true(m.u.twophase.prepare_ts > PG_TS_2020);
    return m;
}

/* A Prepare repeats what its Begin Prepare announced. (The gid is passed on
 * its own: a kept message's strings point into a buffer since freed.) */
static tw_pgoutput_msg_t expect_prepare(replay_t *r, const tw_pgoutput_msg_t *bp,
                                        const char *gid)
{
    tw_pgoutput_msg_t m;

    expect_msg(r, TW_PGOUTPUT_PREPARE, &m);
    assert_int_equal(m.u.twophase.flags, 0);
    assert_int_equal(m.u.twophase.prepare_lsn, bp->u.twophase.prepare_lsn);
    assert_int_equal(m.u.twophase.end_lsn, bp->u.twophase.end_lsn);
    assert_int_equal(m.u.twophase.prepare_ts, bp->u.twophase.prepare_ts);
    assert_int_equal(m.u.twophase.xid, bp->u.twophase.xid);
    assert_string_equal(m.u.twophase.gid, gid);
    return m;
}

static void test_fixture_twophase_commit(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t bp, prepare, m;
    (void)state;

    replay_open(&r, "twophase_commit", 3);
    bp = expect_begin_prepare(&r, "tw-gid-commit");
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    assert_relation(&m, "orders", 'd', 2);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_false(m.has_xid);
    assert_tuple(&m.u.insert.newtup, 2, "20", "prepared");
    prepare = expect_prepare(&r, &bp, "tw-gid-commit");

    expect_msg(&r, TW_PGOUTPUT_COMMIT_PREPARED, &m);
    assert_int_equal(m.u.twophase.flags, 0);
    assert_int_equal(m.u.twophase.xid, bp.u.twophase.xid);
    assert_string_equal(m.u.twophase.gid, "tw-gid-commit");
    assert_true(m.u.twophase.commit_lsn >= prepare.u.twophase.end_lsn);
    assert_true(m.u.twophase.end_lsn > m.u.twophase.commit_lsn);
    assert_true(m.u.twophase.commit_ts >= prepare.u.twophase.prepare_ts);
    assert_int_equal(m.u.twophase.prepare_lsn, 0);
    expect_end(&r);
    replay_close(&r);
}

static void expect_rollback_prepared(replay_t *r, const tw_pgoutput_msg_t *prepare,
                                     const char *gid)
{
    tw_pgoutput_msg_t m;

    expect_msg(r, TW_PGOUTPUT_ROLLBACK_PREPARED, &m);
    assert_int_equal(m.u.twophase.flags, 0);
    assert_int_equal(m.u.twophase.xid, prepare->u.twophase.xid);
    assert_string_equal(m.u.twophase.gid, gid);
    assert_int_equal(m.u.twophase.prepare_end_lsn, prepare->u.twophase.end_lsn);
    assert_true(m.u.twophase.rollback_end_lsn > m.u.twophase.prepare_end_lsn);
    assert_int_equal(m.u.twophase.prepare_ts, prepare->u.twophase.prepare_ts);
    assert_true(m.u.twophase.rollback_ts >= m.u.twophase.prepare_ts);
}

static void test_fixture_twophase_rollback(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t bp, prepare, m;
    (void)state;

    replay_open(&r, "twophase_rollback", 3);
    bp = expect_begin_prepare(&r, "tw-gid-rollback");
    expect_msg(&r, TW_PGOUTPUT_RELATION, &m);
    expect_msg(&r, TW_PGOUTPUT_INSERT, &m);
    assert_tuple(&m.u.insert.newtup, 2, "21", "rolled back");
    prepare = expect_prepare(&r, &bp, "tw-gid-rollback");
    expect_rollback_prepared(&r, &prepare, "tw-gid-rollback");
    expect_end(&r);
    replay_close(&r);
}

/* Decoded after the rollback, the prepared transaction arrives empty. */
static void test_fixture_twophase_rollback_decoded_late(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t bp, prepare;
    (void)state;

    replay_open(&r, "twophase_rollback_late", 3);
    bp = expect_begin_prepare(&r, "tw-gid-rollback-late");
    prepare = expect_prepare(&r, &bp, "tw-gid-rollback-late");
    expect_rollback_prepared(&r, &prepare, "tw-gid-rollback-late");
    expect_end(&r);
    replay_close(&r);
}

static void test_fixture_stream_prepare(void **state)
{
    replay_t r;
    tw_pgoutput_msg_t m;
    uint32_t xid = peek_stream_xid("stream_prepare");
    unsigned blocks, rows;
    tw_lsn_t end_lsn;
    (void)state;

    replay_open(&r, "stream_prepare", 3);
    blocks = read_stream_blocks(&r, xid, "bulk_2pc", &m, &rows);
    assert_true(blocks >= 2);
    /* At PREPARE everything is streamed. */
    assert_int_equal(rows, 1500);
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_PREPARE);
    assert_true(m.has_xid);
    assert_int_equal(m.xid, xid);
    assert_int_equal(m.u.twophase.xid, xid);
    assert_int_equal(m.u.twophase.flags, 0);
    assert_string_equal(m.u.twophase.gid, "tw-gid-stream");
    assert_true(m.u.twophase.end_lsn > m.u.twophase.prepare_lsn);
    end_lsn = m.u.twophase.end_lsn;

    expect_msg(&r, TW_PGOUTPUT_COMMIT_PREPARED, &m);
    assert_int_equal(m.u.twophase.xid, xid);
    assert_string_equal(m.u.twophase.gid, "tw-gid-stream");
    assert_true(m.u.twophase.commit_lsn >= end_lsn);
    expect_end(&r);
    replay_close(&r);
}

/* ---- hand-made vectors: builder ----------------------------------------- */

typedef struct bytes {
    uint8_t data[2048];
    size_t len;
} bytes_t;

static void put_u8(bytes_t *b, uint8_t v)
{
    assert_true(b->len < sizeof(b->data));
    b->data[b->len++] = v;
}

static void put_u16(bytes_t *b, uint16_t v)
{
    put_u8(b, (uint8_t)(v >> 8));
    put_u8(b, (uint8_t)v);
}

static void put_u32(bytes_t *b, uint32_t v)
{
    put_u16(b, (uint16_t)(v >> 16));
    put_u16(b, (uint16_t)v);
}

static void put_u64(bytes_t *b, uint64_t v)
{
    put_u32(b, (uint32_t)(v >> 32));
    put_u32(b, (uint32_t)v);
}

static void put_raw(bytes_t *b, const void *p, size_t n)
{
    const uint8_t *s = p;
    size_t i;

    for (i = 0; i < n; i++)
        put_u8(b, s[i]);
}

/* A protocol String: the characters and the NUL. */
static void put_str(bytes_t *b, const char *s)
{
    put_raw(b, s, strlen(s) + 1);
}

static void put_text_col(bytes_t *b, const char *s)
{
    put_u8(b, 't');
    put_u32(b, (uint32_t)strlen(s));
    put_raw(b, s, strlen(s));
}

/* The vectors below, built once and shared by the per-type tests and the
 * truncation test. Values are arbitrary but distinct, so a field read from
 * the wrong offset shows. */
#define XID 0x01020304u
#define SUBXID 0x01020305u
#define LSN1 UINT64_C(0x0000001600B374D8)
#define LSN2 UINT64_C(0x0000001600B37510)
#define TS1 INT64_C(0x0002D7A1B2C3D4E5)
#define TS2 INT64_C(0x0002D7A1B2C3D4F6)

static bytes_t vec_begin(void)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'B');
    put_u64(&b, LSN1);
    put_u64(&b, (uint64_t)TS1);
    put_u32(&b, XID);
    return b;
}

static bytes_t vec_commit(void)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'C');
    put_u8(&b, 0);
    put_u64(&b, LSN1);
    put_u64(&b, LSN2);
    put_u64(&b, (uint64_t)TS1);
    return b;
}

static bytes_t vec_origin(void)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'O');
    put_u64(&b, LSN2);
    put_str(&b, "upstream");
    return b;
}

static void put_xid_if(bytes_t *b, bool in_stream)
{
    if (in_stream)
        put_u32(b, SUBXID);
}

static bytes_t vec_relation(bool in_stream)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'R');
    put_xid_if(&b, in_stream);
    put_u32(&b, 16400);
    put_str(&b, "");
    put_str(&b, "pg_things");
    put_u8(&b, 'i');
    put_u16(&b, 2);
    put_u8(&b, 1);
    put_str(&b, "id");
    put_u32(&b, INT4OID);
    put_u32(&b, 0xffffffffu);
    put_u8(&b, 0);
    put_str(&b, "label");
    put_u32(&b, VARCHAROID);
    put_u32(&b, 36);
    return b;
}

static bytes_t vec_type(bool in_stream)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'Y');
    put_xid_if(&b, in_stream);
    put_u32(&b, 16500);
    put_str(&b, "shop");
    put_str(&b, "status");
    return b;
}

/* A tuple with one column of each kind: 't', 'n', 'u', 'b'. */
static void put_four_kinds(bytes_t *b)
{
    put_u16(b, 4);
    put_text_col(b, "42");
    put_u8(b, 'n');
    put_u8(b, 'u');
    put_u8(b, 'b');
    put_u32(b, 2);
    put_u8(b, 0xbe);
    put_u8(b, 0xef);
}

static void assert_four_kinds(const tw_pgoutput_tuple_t *t)
{
    static const uint8_t beef[] = {0xbe, 0xef};

    assert_int_equal(t->ncols, 4);
    assert_col_text(&t->cols[0], "42");
    assert_col_absent(&t->cols[1], 'n');
    assert_col_absent(&t->cols[2], 'u');
    assert_col_bytes(&t->cols[3], 'b', beef, sizeof(beef));
}

static bytes_t vec_insert(bool in_stream)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'I');
    put_xid_if(&b, in_stream);
    put_u32(&b, 16400);
    put_u8(&b, 'N');
    put_four_kinds(&b);
    return b;
}

static bytes_t vec_update(bool in_stream, char old_kind)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'U');
    put_xid_if(&b, in_stream);
    put_u32(&b, 16400);
    if (old_kind) {
        put_u8(&b, (uint8_t)old_kind);
        put_u16(&b, 2);
        put_text_col(&b, "41");
        put_u8(&b, 'n');
    }
    put_u8(&b, 'N');
    put_four_kinds(&b);
    return b;
}

static bytes_t vec_delete(bool in_stream)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'D');
    put_xid_if(&b, in_stream);
    put_u32(&b, 16400);
    put_u8(&b, 'O');
    put_four_kinds(&b);
    return b;
}

static bytes_t vec_truncate(bool in_stream)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'T');
    put_xid_if(&b, in_stream);
    put_u32(&b, 3);
    put_u8(&b, 3); /* CASCADE | RESTART IDENTITY */
    put_u32(&b, 16400);
    put_u32(&b, 16401);
    put_u32(&b, 16402);
    return b;
}

static bytes_t vec_message(bool in_stream)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'M');
    put_xid_if(&b, in_stream);
    put_u8(&b, 1);
    put_u64(&b, LSN1);
    put_str(&b, "outbox");
    put_u32(&b, 3);
    put_raw(&b, "a\0b", 3);
    return b;
}

static bytes_t vec_stream_start(void)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'S');
    put_u32(&b, XID);
    put_u8(&b, 1);
    return b;
}

static bytes_t vec_stream_stop(void)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'E');
    return b;
}

static bytes_t vec_stream_commit(void)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'c');
    put_u32(&b, XID);
    put_u8(&b, 0);
    put_u64(&b, LSN1);
    put_u64(&b, LSN2);
    put_u64(&b, (uint64_t)TS1);
    return b;
}

static bytes_t vec_stream_abort(bool abort_info)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, 'A');
    put_u32(&b, XID);
    put_u32(&b, SUBXID);
    if (abort_info) {
        put_u64(&b, LSN2);
        put_u64(&b, (uint64_t)TS2);
    }
    return b;
}

/* Begin Prepare has no flags byte; the other four start with one. */
static bytes_t vec_twophase(char type)
{
    bytes_t b = {{0}, 0};
    put_u8(&b, (uint8_t)type);
    if (type != 'b')
        put_u8(&b, 0);
    put_u64(&b, LSN1);
    put_u64(&b, LSN2);
    put_u64(&b, (uint64_t)TS1);
    if (type == 'r')
        put_u64(&b, (uint64_t)TS2);
    put_u32(&b, XID);
    put_str(&b, "gid-7");
    return b;
}

static void decode_ok(tw_pgoutput_t *dec, const bytes_t *b, bool in_stream,
                      tw_pgoutput_msg_t *msg)
{
    if (decode_exact(dec, b->data, b->len, in_stream, msg) != TW_OK)
        fail_msg("decode failed: %s", errstr);
}

static void decode_bad(tw_pgoutput_t *dec, const bytes_t *b, bool in_stream,
                       const char *errstr_part)
{
    tw_pgoutput_msg_t msg;

    assert_int_equal(decode_exact(dec, b->data, b->len, in_stream, &msg), TW_ERR_MALFORMED);
    if (strstr(errstr, errstr_part) == NULL)
        fail_msg("errstr \"%s\" does not contain \"%s\"", errstr, errstr_part);
}

/* ---- hand-made vectors: one test per message type ----------------------- */

static void test_vector_begin_commit_origin(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(1, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    (void)state;

    b = vec_begin();
    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_BEGIN);
    assert_int_equal(m.u.begin.final_lsn, LSN1);
    assert_int_equal(m.u.begin.commit_ts, TS1);
    assert_int_equal(m.u.begin.xid, XID);
    assert_false(m.has_xid);

    b = vec_commit();
    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_COMMIT);
    assert_int_equal(m.u.commit.flags, 0);
    assert_int_equal(m.u.commit.commit_lsn, LSN1);
    assert_int_equal(m.u.commit.end_lsn, LSN2);
    assert_int_equal(m.u.commit.commit_ts, TS1);

    b = vec_origin();
    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_ORIGIN);
    assert_int_equal(m.u.origin.commit_lsn, LSN2);
    assert_string_equal(m.u.origin.name, "upstream");
    tw_pgoutput_destroy(dec);
}

static void test_vector_relation(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    int in_stream;
    (void)state;

    for (in_stream = 0; in_stream <= 1; in_stream++) {
        b = vec_relation(in_stream);
        decode_ok(dec, &b, in_stream, &m);
        assert_int_equal(m.type, TW_PGOUTPUT_RELATION);
        assert_int_equal(m.has_xid, in_stream);
        assert_int_equal(m.xid, in_stream ? SUBXID : 0);
        assert_int_equal(m.u.relation.relid, 16400);
        assert_string_equal(m.u.relation.nspname, ""); /* pg_catalog */
        assert_string_equal(m.u.relation.relname, "pg_things");
        assert_int_equal(m.u.relation.replident, 'i');
        assert_int_equal(m.u.relation.natts, 2);
        assert_attr(&m.u.relation.attrs[0], "id", INT4OID, -1, true);
        assert_attr(&m.u.relation.attrs[1], "label", VARCHAROID, 36, false);
    }
    tw_pgoutput_destroy(dec);
}

static void test_vector_type(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    int in_stream;
    (void)state;

    for (in_stream = 0; in_stream <= 1; in_stream++) {
        b = vec_type(in_stream);
        decode_ok(dec, &b, in_stream, &m);
        assert_int_equal(m.type, TW_PGOUTPUT_TYPE);
        assert_int_equal(m.has_xid, in_stream);
        assert_int_equal(m.u.type.type_oid, 16500);
        assert_string_equal(m.u.type.nspname, "shop");
        assert_string_equal(m.u.type.typname, "status");
    }
    tw_pgoutput_destroy(dec);
}

static void test_vector_insert_every_column_kind(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    int in_stream;
    (void)state;

    for (in_stream = 0; in_stream <= 1; in_stream++) {
        b = vec_insert(in_stream);
        decode_ok(dec, &b, in_stream, &m);
        assert_int_equal(m.type, TW_PGOUTPUT_INSERT);
        assert_int_equal(m.has_xid, in_stream);
        assert_int_equal(m.xid, in_stream ? SUBXID : 0);
        assert_int_equal(m.u.insert.relid, 16400);
        assert_four_kinds(&m.u.insert.newtup);
    }
    tw_pgoutput_destroy(dec);
}

static void test_vector_update_with_and_without_old_tuple(void **state)
{
    static const char old_kinds[] = {0, 'K', 'O'};
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    size_t i;
    int in_stream;
    (void)state;

    for (in_stream = 0; in_stream <= 1; in_stream++) {
        for (i = 0; i < sizeof(old_kinds); i++) {
            b = vec_update(in_stream, old_kinds[i]);
            decode_ok(dec, &b, in_stream, &m);
            assert_int_equal(m.type, TW_PGOUTPUT_UPDATE);
            assert_int_equal(m.has_xid, in_stream);
            assert_int_equal(m.u.update.relid, 16400);
            assert_int_equal(m.u.update.old_kind, old_kinds[i]);
            if (old_kinds[i])
                assert_tuple(&m.u.update.oldtup, 2, "41", COL_NULL);
            else
                assert_int_equal(m.u.update.oldtup.ncols, 0);
            assert_four_kinds(&m.u.update.newtup);
        }
    }
    tw_pgoutput_destroy(dec);
}

static void test_vector_delete(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    int in_stream;
    (void)state;

    for (in_stream = 0; in_stream <= 1; in_stream++) {
        b = vec_delete(in_stream);
        decode_ok(dec, &b, in_stream, &m);
        assert_int_equal(m.type, TW_PGOUTPUT_DELETE);
        assert_int_equal(m.has_xid, in_stream);
        assert_int_equal(m.u.delete.old_kind, 'O');
        assert_four_kinds(&m.u.delete.oldtup);
    }
    tw_pgoutput_destroy(dec);
}

static void test_vector_truncate(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    int in_stream;
    (void)state;

    for (in_stream = 0; in_stream <= 1; in_stream++) {
        b = vec_truncate(in_stream);
        decode_ok(dec, &b, in_stream, &m);
        assert_int_equal(m.type, TW_PGOUTPUT_TRUNCATE);
        assert_int_equal(m.has_xid, in_stream);
        assert_int_equal(m.u.truncate.options, 3);
        assert_int_equal(m.u.truncate.nrels, 3);
        assert_int_equal(m.u.truncate.relids[0], 16400);
        assert_int_equal(m.u.truncate.relids[1], 16401);
        assert_int_equal(m.u.truncate.relids[2], 16402);
    }
    tw_pgoutput_destroy(dec);
}

static void test_vector_logical_message(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    int in_stream;
    (void)state;

    for (in_stream = 0; in_stream <= 1; in_stream++) {
        b = vec_message(in_stream);
        decode_ok(dec, &b, in_stream, &m);
        assert_int_equal(m.type, TW_PGOUTPUT_MESSAGE);
        assert_int_equal(m.has_xid, in_stream);
        assert_int_equal(m.xid, in_stream ? SUBXID : 0);
        assert_int_equal(m.u.message.flags, 1);
        assert_int_equal(m.u.message.lsn, LSN1);
        assert_string_equal(m.u.message.prefix, "outbox");
        /* Content is bytes, NULs included. */
        assert_int_equal(m.u.message.content_len, 3);
        assert_memory_equal(m.u.message.content, "a\0b", 3);
    }
    tw_pgoutput_destroy(dec);
}

static void test_vector_stream_start_stop_commit(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    (void)state;

    b = vec_stream_start();
    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_START);
    assert_int_equal(m.u.stream_start.xid, XID);
    assert_int_equal(m.u.stream_start.first_segment, 1);
    assert_true(m.has_xid);
    assert_int_equal(m.xid, XID);

    b = vec_stream_stop();
    decode_ok(dec, &b, true, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_STOP);
    assert_false(m.has_xid);

    b = vec_stream_commit();
    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_COMMIT);
    assert_int_equal(m.u.stream_commit.xid, XID);
    assert_int_equal(m.u.stream_commit.flags, 0);
    assert_int_equal(m.u.stream_commit.commit_lsn, LSN1);
    assert_int_equal(m.u.stream_commit.end_lsn, LSN2);
    assert_int_equal(m.u.stream_commit.commit_ts, TS1);
    assert_true(m.has_xid);
    assert_int_equal(m.xid, XID);
    tw_pgoutput_destroy(dec);
}

static void test_vector_stream_abort_without_abort_info(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_msg_t m;
    bytes_t b = vec_stream_abort(false);
    (void)state;

    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_ABORT);
    assert_int_equal(m.u.stream_abort.xid, XID);
    assert_int_equal(m.u.stream_abort.subxid, SUBXID);
    assert_false(m.u.stream_abort.has_abort_info);
    assert_int_equal(m.u.stream_abort.abort_lsn, 0);
    assert_true(m.has_xid);
    assert_int_equal(m.xid, XID);
    tw_pgoutput_destroy(dec);
}

static void test_vector_stream_abort_protocol4_parallel(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(4, true);
    tw_pgoutput_msg_t m;
    bytes_t b = vec_stream_abort(true);
    (void)state;

    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_ABORT);
    assert_int_equal(m.u.stream_abort.xid, XID);
    assert_int_equal(m.u.stream_abort.subxid, SUBXID);
    assert_true(m.u.stream_abort.has_abort_info);
    assert_int_equal(m.u.stream_abort.abort_lsn, LSN2);
    assert_int_equal(m.u.stream_abort.abort_ts, TS2);

    /* Streaming parallel promised the abort info: its absence is an error. */
    b = vec_stream_abort(false);
    decode_bad(dec, &b, false, "Stream Abort message truncated: need 8 bytes for abort LSN");
    tw_pgoutput_destroy(dec);
}

/* Protocol 4 without streaming = parallel sends the protocol-2 layout. */
static void test_vector_stream_abort_protocol4_not_parallel(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(4, false);
    tw_pgoutput_msg_t m;
    bytes_t b = vec_stream_abort(false);
    (void)state;

    decode_ok(dec, &b, false, &m);
    assert_false(m.u.stream_abort.has_abort_info);
    b = vec_stream_abort(true);
    decode_bad(dec, &b, false, "16 trailing bytes");
    tw_pgoutput_destroy(dec);

    /* parallel_streaming alone, below protocol 4, changes nothing. */
    dec = tw_pgoutput_new(3, true);
    b = vec_stream_abort(false);
    decode_ok(dec, &b, false, &m);
    assert_false(m.u.stream_abort.has_abort_info);
    tw_pgoutput_destroy(dec);
}

static void test_vector_begin_prepare(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(3, false);
    tw_pgoutput_msg_t m;
    bytes_t b = vec_twophase('b');
    (void)state;

    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_BEGIN_PREPARE);
    assert_int_equal(m.u.twophase.flags, 0);
    assert_int_equal(m.u.twophase.prepare_lsn, LSN1);
    assert_int_equal(m.u.twophase.end_lsn, LSN2);
    assert_int_equal(m.u.twophase.prepare_ts, TS1);
    assert_int_equal(m.u.twophase.xid, XID);
    assert_string_equal(m.u.twophase.gid, "gid-7");
    assert_false(m.has_xid);
    tw_pgoutput_destroy(dec);
}

static void test_vector_prepare_and_stream_prepare(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(3, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    (void)state;

    b = vec_twophase('P');
    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_PREPARE);
    assert_int_equal(m.u.twophase.prepare_lsn, LSN1);
    assert_int_equal(m.u.twophase.end_lsn, LSN2);
    assert_int_equal(m.u.twophase.prepare_ts, TS1);
    assert_int_equal(m.u.twophase.xid, XID);
    assert_string_equal(m.u.twophase.gid, "gid-7");
    assert_false(m.has_xid);

    b = vec_twophase('p');
    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_STREAM_PREPARE);
    assert_int_equal(m.u.twophase.prepare_lsn, LSN1);
    assert_int_equal(m.u.twophase.end_lsn, LSN2);
    assert_int_equal(m.u.twophase.xid, XID);
    assert_string_equal(m.u.twophase.gid, "gid-7");
    assert_true(m.has_xid);
    assert_int_equal(m.xid, XID);
    tw_pgoutput_destroy(dec);
}

static void test_vector_commit_prepared(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(3, false);
    tw_pgoutput_msg_t m;
    bytes_t b = vec_twophase('K');
    (void)state;

    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_COMMIT_PREPARED);
    assert_int_equal(m.u.twophase.commit_lsn, LSN1);
    assert_int_equal(m.u.twophase.end_lsn, LSN2);
    assert_int_equal(m.u.twophase.commit_ts, TS1);
    assert_int_equal(m.u.twophase.prepare_lsn, 0);
    assert_int_equal(m.u.twophase.xid, XID);
    assert_string_equal(m.u.twophase.gid, "gid-7");
    tw_pgoutput_destroy(dec);
}

static void test_vector_rollback_prepared(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(3, false);
    tw_pgoutput_msg_t m;
    bytes_t b = vec_twophase('r');
    (void)state;

    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.type, TW_PGOUTPUT_ROLLBACK_PREPARED);
    assert_int_equal(m.u.twophase.prepare_end_lsn, LSN1);
    assert_int_equal(m.u.twophase.rollback_end_lsn, LSN2);
    assert_int_equal(m.u.twophase.prepare_ts, TS1);
    assert_int_equal(m.u.twophase.rollback_ts, TS2);
    assert_int_equal(m.u.twophase.xid, XID);
    assert_string_equal(m.u.twophase.gid, "gid-7");
    tw_pgoutput_destroy(dec);
}

/* ---- hand-made vectors: broken input ------------------------------------ */

static bytes_t all_vectors[40];
static size_t n_all_vectors;
static bool all_vectors_in_stream[40];

static void add_vector(bytes_t b, bool in_stream)
{
    assert_true(n_all_vectors < TW_ARRAY_SIZE(all_vectors));
    all_vectors_in_stream[n_all_vectors] = in_stream;
    all_vectors[n_all_vectors++] = b;
}

static void build_all_vectors(void)
{
    int s;

    n_all_vectors = 0;
    add_vector(vec_begin(), false);
    add_vector(vec_commit(), false);
    add_vector(vec_origin(), false);
    for (s = 0; s <= 1; s++) {
        add_vector(vec_relation(s), s);
        add_vector(vec_type(s), s);
        add_vector(vec_insert(s), s);
        add_vector(vec_update(s, 0), s);
        add_vector(vec_update(s, 'K'), s);
        add_vector(vec_delete(s), s);
        add_vector(vec_truncate(s), s);
        add_vector(vec_message(s), s);
    }
    add_vector(vec_stream_start(), false);
    add_vector(vec_stream_stop(), true);
    add_vector(vec_stream_commit(), false);
    add_vector(vec_twophase('b'), false);
    add_vector(vec_twophase('P'), false);
    add_vector(vec_twophase('K'), false);
    add_vector(vec_twophase('r'), false);
    add_vector(vec_twophase('p'), false);
}

static void test_truncated_vectors_are_malformed(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    tw_pgoutput_t *dec4 = tw_pgoutput_new(4, true);
    tw_pgoutput_msg_t m;
    bytes_t abort4 = vec_stream_abort(true);
    size_t i, cut;
    (void)state;

    build_all_vectors();
    for (i = 0; i < n_all_vectors; i++) {
        const bytes_t *b = &all_vectors[i];
        for (cut = 0; cut < b->len; cut++) {
            if (decode_exact(dec, b->data, cut, all_vectors_in_stream[i], &m) !=
                TW_ERR_MALFORMED)
                fail_msg("%s vector cut to %zu of %zu bytes was accepted",
                         tw_pgoutput_msgtype_name(b->data[0]), cut, b->len);
            assert_true(errstr[0] != '\0');
        }
        assert_int_equal(decode_exact(dec, b->data, b->len, all_vectors_in_stream[i], &m), TW_OK);
    }
    for (cut = 0; cut < abort4.len; cut++)
        assert_int_equal(decode_exact(dec4, abort4.data, cut, false, &m), TW_ERR_MALFORMED);
    tw_pgoutput_destroy(dec);
    tw_pgoutput_destroy(dec4);
}

static void test_truncation_errstr_names_field_and_offset(void **state)
{
    static const uint8_t insert[] = {'I', 0x00, 0x00};
    tw_pgoutput_t *dec = tw_pgoutput_new(1, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    (void)state;

    assert_int_equal(decode_exact(dec, insert, sizeof(insert), false, &m), TW_ERR_MALFORMED);
    assert_string_equal(errstr,
                        "Insert message truncated: need 4 bytes for relation id at offset 1, "
                        "have 2");

    /* Inside a tuple, the column is named too. */
    b = vec_insert(false);
    b.len -= 1;
    decode_bad(dec, &b, false,
               "Insert message truncated: need 2 bytes for value of new tuple column 3 at "
               "offset 22, have 1");
    tw_pgoutput_destroy(dec);
}

static void test_empty_input(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(1, false);
    tw_pgoutput_msg_t m;
    (void)state;

    assert_int_equal(decode_exact(dec, NULL, 0, false, &m), TW_ERR_MALFORMED);
    assert_string_equal(errstr, "empty message");
    tw_pgoutput_destroy(dec);
}

static void test_missing_nul_terminator(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(1, false);
    bytes_t b = {{0}, 0};
    (void)state;

    /* A Type message whose type name runs to the end of the input. */
    put_u8(&b, 'Y');
    put_u32(&b, 16500);
    put_str(&b, "shop");
    put_raw(&b, "status", 6);
    decode_bad(dec, &b, false,
               "Type message malformed: type name at offset 10 has no NUL terminator");

    /* A Relation whose namespace swallows everything: no NUL at all. */
    b.len = 0;
    put_u8(&b, 'R');
    put_u32(&b, 16400);
    put_raw(&b, "public", 6);
    decode_bad(dec, &b, false, "namespace at offset 5 has no NUL terminator");

    /* A column name inside a Relation. */
    b.len = 0;
    put_u8(&b, 'R');
    put_u32(&b, 16400);
    put_str(&b, "public");
    put_str(&b, "t");
    put_u8(&b, 'd');
    put_u16(&b, 1);
    put_u8(&b, 0);
    put_raw(&b, "colname-without-end", 19);
    decode_bad(dec, &b, false, "name of column 0 at offset 18 has no NUL terminator");
    tw_pgoutput_destroy(dec);
}

static void test_unknown_column_kind(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(1, false);
    bytes_t b = {{0}, 0};
    (void)state;

    put_u8(&b, 'I');
    put_u32(&b, 16400);
    put_u8(&b, 'N');
    put_u16(&b, 2);
    put_text_col(&b, "1");
    put_u8(&b, 'x');
    decode_bad(dec, &b, false,
               "Insert message malformed: unknown kind 0x78 of new tuple column 1 at offset 14");
    tw_pgoutput_destroy(dec);
}

static void test_unknown_message_type(void **state)
{
    static const uint8_t z[] = {'Z', 0, 0, 0, 0};
    tw_pgoutput_t *dec = tw_pgoutput_new(4, true);
    tw_pgoutput_msg_t m;
    (void)state;

    assert_int_equal(decode_exact(dec, z, sizeof(z), false, &m), TW_ERR_MALFORMED);
    assert_string_equal(errstr, "unknown message type 0x5a");
    assert_int_equal(decode_exact(dec, (const uint8_t *)"\xff", 1, false, &m), TW_ERR_MALFORMED);
    assert_string_equal(errstr, "unknown message type 0xff");
    tw_pgoutput_destroy(dec);
}

static void test_trailing_garbage(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    bytes_t b;
    (void)state;

    b = vec_begin();
    put_u8(&b, 0);
    decode_bad(dec, &b, false,
               "Begin message malformed: 1 trailing byte after the message ends at offset 21");
    b = vec_stream_stop();
    put_u32(&b, 7);
    decode_bad(dec, &b, false, "Stream Stop message malformed: 4 trailing bytes");
    /* A streamed change decoded as if outside the stream: the xid is taken
     * for the relation id and everything after it is misread. */
    b = vec_insert(true);
    decode_bad(dec, &b, false, "Insert message malformed");
    tw_pgoutput_destroy(dec);
}

static void test_bad_tuple_markers(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(1, false);
    bytes_t b;
    (void)state;

    b = vec_insert(false);
    b.data[5] = 'K';
    decode_bad(dec, &b, false, "expected tuple marker 'N' at offset 5, got 0x4b");

    b = vec_update(false, 0);
    b.data[5] = 'X';
    decode_bad(dec, &b, false, "expected tuple marker 'K', 'O' or 'N' at offset 5, got 0x58");

    b = vec_update(false, 'O');
    b.data[5 + 1 + 2 + 7 + 1] = 'O'; /* the 'N' after the old tuple */
    decode_bad(dec, &b, false, "expected tuple marker 'N' at offset 16, got 0x4f");

    b = vec_delete(false);
    b.data[5] = 'N';
    decode_bad(dec, &b, false, "expected tuple marker 'K' or 'O' at offset 5, got 0x4e");
    tw_pgoutput_destroy(dec);
}

/* Lengths and counts near their maximum must fail on the bytes at hand,
 * without allocating for what they claim. */
static void test_huge_declared_lengths(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(2, false);
    bytes_t b;
    (void)state;

    /* A column value of 4 GB. */
    b.len = 0;
    put_u8(&b, 'I');
    put_u32(&b, 16400);
    put_u8(&b, 'N');
    put_u16(&b, 1);
    put_u8(&b, 't');
    put_u32(&b, 0xffffffffu);
    put_raw(&b, "abc", 3);
    decode_bad(dec, &b, false, "need 4294967295 bytes for value of new tuple column 0");

    /* 65535 columns in 3 bytes. */
    b.len = 0;
    put_u8(&b, 'I');
    put_u32(&b, 16400);
    put_u8(&b, 'N');
    put_u16(&b, 0xffff);
    put_raw(&b, "nnn", 3);
    decode_bad(dec, &b, false, "new tuple column count 65535 needs at least 65535 bytes");

    /* 65535 relation columns. */
    b.len = 0;
    put_u8(&b, 'R');
    put_u32(&b, 16400);
    put_str(&b, "public");
    put_str(&b, "t");
    put_u8(&b, 'd');
    put_u16(&b, 0xffff);
    decode_bad(dec, &b, false, "column count 65535 needs at least 655350 bytes");

    /* 4 billion truncated relations. */
    b.len = 0;
    put_u8(&b, 'T');
    put_u32(&b, 0xffffffffu);
    put_u8(&b, 0);
    put_u32(&b, 16400);
    decode_bad(dec, &b, false, "relation count 4294967295 needs at least");

    /* A logical message of 4 GB. */
    b = vec_message(false);
    b.len -= 3 + 4;
    put_u32(&b, 0xfffffff0u);
    put_raw(&b, "a", 1);
    decode_bad(dec, &b, false, "need 4294967280 bytes for content");
    tw_pgoutput_destroy(dec);
}

static void test_errstr_may_be_null(void **state)
{
    static const uint8_t bad[] = {'I', 0};
    tw_pgoutput_t *dec = tw_pgoutput_new(1, false);
    tw_pgoutput_msg_t m;
    (void)state;

    assert_int_equal(tw_pgoutput_decode(dec, bad, sizeof(bad), false, &m, NULL, 0),
                     TW_ERR_MALFORMED);
    assert_int_equal(tw_pgoutput_decode(dec, bad, 0, false, &m, NULL, 0), TW_ERR_MALFORMED);
    tw_pgoutput_destroy(dec);
}

/* An Insert of `width` columns: "first", then NULLs, then "last". */
static bytes_t vec_wide_insert(uint16_t width)
{
    bytes_t b = {{0}, 0};
    uint16_t i;

    put_u8(&b, 'I');
    put_u32(&b, 16400);
    put_u8(&b, 'N');
    put_u16(&b, width);
    put_text_col(&b, "first");
    for (i = 2; i < width; i++)
        put_u8(&b, 'n');
    put_text_col(&b, "last");
    return b;
}

/* The scratch arrays grow for a wide row and keep serving narrow ones. */
static void test_scratch_grows_and_is_reused(void **state)
{
    tw_pgoutput_t *dec = tw_pgoutput_new(1, false);
    tw_pgoutput_msg_t m;
    bytes_t b;
    (void)state;

    b = vec_wide_insert(2);
    decode_ok(dec, &b, false, &m);
    assert_tuple(&m.u.insert.newtup, 2, "first", "last");

    b = vec_wide_insert(1000);
    decode_ok(dec, &b, false, &m);
    assert_int_equal(m.u.insert.newtup.ncols, 1000);
    assert_col_text(&m.u.insert.newtup.cols[0], "first");
    assert_col_absent(&m.u.insert.newtup.cols[500], 'n');
    assert_col_text(&m.u.insert.newtup.cols[999], "last");

    b = vec_wide_insert(3);
    decode_ok(dec, &b, false, &m);
    assert_tuple(&m.u.insert.newtup, 3, "first", COL_NULL, "last");
    tw_pgoutput_destroy(dec);
}

static void test_msgtype_names(void **state)
{
    (void)state;
    assert_string_equal(tw_pgoutput_msgtype_name('B'), "Begin");
    assert_string_equal(tw_pgoutput_msgtype_name('C'), "Commit");
    assert_string_equal(tw_pgoutput_msgtype_name('O'), "Origin");
    assert_string_equal(tw_pgoutput_msgtype_name('R'), "Relation");
    assert_string_equal(tw_pgoutput_msgtype_name('Y'), "Type");
    assert_string_equal(tw_pgoutput_msgtype_name('I'), "Insert");
    assert_string_equal(tw_pgoutput_msgtype_name('U'), "Update");
    assert_string_equal(tw_pgoutput_msgtype_name('D'), "Delete");
    assert_string_equal(tw_pgoutput_msgtype_name('T'), "Truncate");
    assert_string_equal(tw_pgoutput_msgtype_name('M'), "Message");
    assert_string_equal(tw_pgoutput_msgtype_name('S'), "Stream Start");
    assert_string_equal(tw_pgoutput_msgtype_name('E'), "Stream Stop");
    assert_string_equal(tw_pgoutput_msgtype_name('c'), "Stream Commit");
    assert_string_equal(tw_pgoutput_msgtype_name('A'), "Stream Abort");
    assert_string_equal(tw_pgoutput_msgtype_name('b'), "Begin Prepare");
    assert_string_equal(tw_pgoutput_msgtype_name('P'), "Prepare");
    assert_string_equal(tw_pgoutput_msgtype_name('K'), "Commit Prepared");
    assert_string_equal(tw_pgoutput_msgtype_name('r'), "Rollback Prepared");
    assert_string_equal(tw_pgoutput_msgtype_name('p'), "Stream Prepare");
    assert_string_equal(tw_pgoutput_msgtype_name('Z'), "unknown");
    assert_string_equal(tw_pgoutput_msgtype_name(-1), "unknown");
    assert_string_equal(tw_pgoutput_msgtype_name(0x142), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_all_decode),
        cmocka_unit_test(test_fixtures_every_prefix_is_malformed),
        cmocka_unit_test(test_fixture_basic_default),
        cmocka_unit_test(test_fixture_replident_full_sends_old_row),
        cmocka_unit_test(test_fixture_replident_index),
        cmocka_unit_test(test_fixture_update_of_primary_key_sends_old_key),
        cmocka_unit_test(test_fixture_unchanged_toast_column),
        cmocka_unit_test(test_fixture_add_column_sends_relation_again),
        cmocka_unit_test(test_fixture_enum_type_message),
        cmocka_unit_test(test_fixture_nulls_and_empty_strings),
        cmocka_unit_test(test_fixture_binary_values),
        cmocka_unit_test(test_fixture_origin),
        cmocka_unit_test(test_fixture_logical_messages),
        cmocka_unit_test(test_fixture_stream_with_rolled_back_savepoint),
        cmocka_unit_test(test_fixture_stream_relation_resent_after_subabort),
        cmocka_unit_test(test_fixture_stream_aborted_entirely),
        cmocka_unit_test(test_fixture_stream_aborted_decoded_late),
        cmocka_unit_test(test_fixture_twophase_commit),
        cmocka_unit_test(test_fixture_twophase_rollback),
        cmocka_unit_test(test_fixture_twophase_rollback_decoded_late),
        cmocka_unit_test(test_fixture_stream_prepare),
        cmocka_unit_test(test_vector_begin_commit_origin),
        cmocka_unit_test(test_vector_relation),
        cmocka_unit_test(test_vector_type),
        cmocka_unit_test(test_vector_insert_every_column_kind),
        cmocka_unit_test(test_vector_update_with_and_without_old_tuple),
        cmocka_unit_test(test_vector_delete),
        cmocka_unit_test(test_vector_truncate),
        cmocka_unit_test(test_vector_logical_message),
        cmocka_unit_test(test_vector_stream_start_stop_commit),
        cmocka_unit_test(test_vector_stream_abort_without_abort_info),
        cmocka_unit_test(test_vector_stream_abort_protocol4_parallel),
        cmocka_unit_test(test_vector_stream_abort_protocol4_not_parallel),
        cmocka_unit_test(test_vector_begin_prepare),
        cmocka_unit_test(test_vector_prepare_and_stream_prepare),
        cmocka_unit_test(test_vector_commit_prepared),
        cmocka_unit_test(test_vector_rollback_prepared),
        cmocka_unit_test(test_truncated_vectors_are_malformed),
        cmocka_unit_test(test_truncation_errstr_names_field_and_offset),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_missing_nul_terminator),
        cmocka_unit_test(test_unknown_column_kind),
        cmocka_unit_test(test_unknown_message_type),
        cmocka_unit_test(test_trailing_garbage),
        cmocka_unit_test(test_bad_tuple_markers),
        cmocka_unit_test(test_huge_declared_lengths),
        cmocka_unit_test(test_errstr_may_be_null),
        cmocka_unit_test(test_scratch_grows_and_is_reused),
        cmocka_unit_test(test_msgtype_names),
    };
    return cmocka_run_group_tests(tests, NULL, free_exact_copy);
}
