/*
 * test_offsets.c — the checkpoint file round-trips with its origin,
 * refuses another slot's file and malformed content, treats a missing file
 * as "none yet", reads an older file without identity, and is written
 * safely (unique temporary file, mode 0600, no symlink followed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "progress/offsets.h"
#include "progress/offsets_topic.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/tw-offsets-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/offsets.json", dir);
    return 0;
}

static int teardown(void **state)
{
    char other[160];
    (void)state;
    unlink(path);
    snprintf(other, sizeof(other), "%s.tmp", path);
    unlink(other);
    snprintf(other, sizeof(other), "%s/victim", dir);
    unlink(other);
    rmdir(dir);
    return 0;
}

static tw_offset_origin_t origin_of(const char *slot)
{
    tw_offset_origin_t o;
    memset(&o, 0, sizeof(o));
    snprintf(o.slot, sizeof(o.slot), "%s", slot);
    snprintf(o.system_id, sizeof(o.system_id), "7301234567890123456");
    o.timeline = 3;
    snprintf(o.database, sizeof(o.database), "orders \"eu\"");
    o.database_oid = 16384;
    return o;
}

static void test_missing_file_means_no_offset(void **state)
{
    tw_offset_t off;
    bool found = true;
    char errstr[256];
    (void)state;
    assert_int_equal(tw_offsets_load(path, "s", &off, NULL, &found, errstr, sizeof(errstr)),
                     TW_OK);
    assert_false(found);
}

static void test_round_trip(void **state)
{
    tw_offset_t in = {((tw_lsn_t)0x16 << 32) | 0xB374D848, ((tw_lsn_t)0x16 << 32) | 0xB374D900,
                      1732284000123456, 1732284000000001};
    tw_offset_t out;
    tw_offset_origin_t origin = origin_of("my_slot"), got;
    bool found;
    char errstr[256];
    struct stat st;
    (void)state;
    assert_int_equal(tw_offsets_store(path, &origin, &in, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_offsets_load(path, "my_slot", &out, &got, &found, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(found);
    assert_int_equal(out.commit_lsn, in.commit_lsn);
    assert_int_equal(out.end_lsn, in.end_lsn);
    assert_int_equal(out.commit_ts, in.commit_ts);
    assert_int_equal(out.txn_commit_ts, in.txn_commit_ts);
    assert_string_equal(got.slot, "my_slot");
    assert_string_equal(got.system_id, "7301234567890123456");
    assert_int_equal(got.timeline, 3);
    assert_string_equal(got.database, "orders \"eu\"");
    assert_int_equal(got.database_oid, 16384);
    /* Only the file itself: no temporary file left behind, private mode. */
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    {
        char cmd[200];
        FILE *ls;
        int n = 0;
        snprintf(cmd, sizeof(cmd), "ls -A %s", dir);
        ls = popen(cmd, "r");
        while (fgets(cmd, sizeof(cmd), ls))
            n++;
        pclose(ls);
        assert_int_equal(n, 1);
    }
}

/* A file written before checkpoints recorded their origin still loads,
 * with an empty system_id (origin.h then decides whether to accept it). */
static void test_file_without_identity(void **state)
{
    tw_offset_t out;
    tw_offset_origin_t got;
    bool found;
    char errstr[256];
    FILE *f = fopen(path, "w");
    (void)state;
    fputs("{\"slot\": \"s\", \"commit_lsn\": \"0/16B3748\", \"end_lsn\": \"0/16B3780\", "
          "\"commit_ts_us\": 5}\n",
          f);
    fclose(f);
    assert_int_equal(tw_offsets_load(path, "s", &out, &got, &found, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(found);
    assert_int_equal(out.end_lsn, 0x16B3780);
    /* Older files have no txn_commit_ts_us: the commit time stands in. */
    assert_int_equal(out.txn_commit_ts, 5);
    assert_string_equal(got.system_id, "");
    assert_string_equal(got.slot, "s");
}

/* Issue 11: a symlink planted at the old fixed temporary name <path>.tmp
 * is neither followed nor replaced; the target stays untouched. */
static void test_planted_symlink_is_not_followed(void **state)
{
    tw_offset_t in = {1, 2, 3, 3}, out;
    tw_offset_origin_t origin = origin_of("s");
    char tmp[160], victim[160], buf[64] = "";
    bool found;
    char errstr[256];
    FILE *f;
    (void)state;
    snprintf(victim, sizeof(victim), "%s/victim", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(victim, "w");
    fputs("precious\n", f);
    fclose(f);
    assert_int_equal(symlink(victim, tmp), 0);
    assert_int_equal(tw_offsets_store(path, &origin, &in, errstr, sizeof(errstr)), TW_OK);
    f = fopen(victim, "r");
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    assert_string_equal(buf, "precious\n");
    assert_int_equal(tw_offsets_load(path, "s", &out, NULL, &found, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(found);
    assert_int_equal(out.end_lsn, 2);
}

/* The state directory is created (mode 0700) with its parents; a file in
 * the way is a clear error. */
static void test_make_dir(void **state)
{
    char nested[200], file[220], inner[200];
    char errstr[512];
    struct stat st;
    (void)state;
    snprintf(inner, sizeof(inner), "%s/a", dir);
    snprintf(nested, sizeof(nested), "%s/a/b", dir);
    snprintf(file, sizeof(file), "%s/a/b/x.offsets.json", dir);
    assert_int_equal(tw_offsets_make_dir(file, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(stat(nested, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(tw_offsets_make_dir(file, errstr, sizeof(errstr)), TW_OK);
    rmdir(nested);
    {
        FILE *f = fopen(nested, "w");
        fclose(f);
    }
    assert_int_not_equal(tw_offsets_make_dir(file, errstr, sizeof(errstr)), TW_OK);
    assert_non_null(strstr(errstr, "is not a directory"));
    unlink(nested);
    rmdir(inner);
}

static void test_other_slot_is_refused(void **state)
{
    tw_offset_t in = {1, 2, 3, 3}, out;
    tw_offset_origin_t origin = origin_of("slot_a");
    bool found;
    char errstr[256];
    (void)state;
    assert_int_equal(tw_offsets_store(path, &origin, &in, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_offsets_load(path, "slot_b", &out, NULL, &found, errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "belongs to slot \"slot_a\""));
}

static void test_malformed_file_is_an_error(void **state)
{
    tw_offset_t out;
    bool found;
    char errstr[256];
    FILE *f = fopen(path, "w");
    (void)state;
    fputs("{\"slot\": \"s\", \"commit_lsn\": \"zz\", \"end_lsn\": \"0/1\"}", f);
    fclose(f);
    assert_int_not_equal(tw_offsets_load(path, "s", &out, NULL, &found, errstr, sizeof(errstr)),
                         TW_OK);
    assert_non_null(strstr(errstr, "malformed"));
    f = fopen(path, "w");
    fputs("not json", f);
    fclose(f);
    assert_int_not_equal(tw_offsets_load(path, "s", &out, NULL, &found, errstr, sizeof(errstr)),
                         TW_OK);
    assert_non_null(strstr(errstr, "unreadable"));
}

/* The exactly-once checkpoint record: key per connector and slot, value
 * that parses back, names its ranges, and refuses another slot. */
static void test_topic_record(void **state)
{
    tw_offset_t in = {0x16B3748, 0x16B3780, 1732284000000000, 1732283000000000};
    tw_offset_origin_t origin;
    tw_offsets_topic_record_t out;
    tw_offsets_range_t ranges[2] = {{(char *)"outbox.event.\"q\"", 1, 120, 131},
                                    {(char *)"dlq", 0, 7, 7}};
    tw_buf_t buf = TW_BUF_INIT;
    char errstr[256];
    (void)state;

    memset(&origin, 0, sizeof(origin));
    snprintf(origin.slot, sizeof(origin.slot), "s");
    tw_offsets_topic_key("orders", "slot\"1", &buf);
    assert_string_equal(buf.data, "[\"orders\",{\"slot\":\"slot\\\"1\"}]");
    tw_offsets_topic_value(&origin, 0, &in, 0x1000, ranges, 2, &buf);
    assert_string_equal(buf.data,
                        "{\"slot\":\"s\",\"commit_lsn\":\"0/16B3748\",\"end_lsn\":\"0/16B3780\","
                        "\"commit_ts_us\":1732284000000000,\"txn_commit_ts_us\":1732283000000000,"
                        "\"prev_commit_lsn\":\"0/1000\","
                        "\"records\":[{\"topic\":\"outbox.event.\\\"q\\\"\",\"partition\":1,"
                        "\"first\":120,\"last\":131},{\"topic\":\"dlq\",\"partition\":0,"
                        "\"first\":7,\"last\":7}],\"generation\":0}");
    assert_int_equal(tw_offsets_topic_parse(buf.data, buf.len, "s", &out, errstr, sizeof(errstr)),
                     TW_OK);
    assert_false(out.reset);
    assert_int_equal(out.offset.commit_lsn, in.commit_lsn);
    assert_int_equal(out.offset.end_lsn, in.end_lsn);
    assert_int_equal(out.offset.commit_ts, in.commit_ts);
    assert_int_equal(out.offset.txn_commit_ts, in.txn_commit_ts);
    assert_string_equal(out.origin.system_id, "");
    /* A checkpoint of an older version: the commit time stands in. */
    assert_int_equal(tw_offsets_topic_parse("{\"slot\":\"s\",\"commit_lsn\":\"0/1\",\"end_lsn\":"
                                            "\"0/2\",\"commit_ts_us\":9}",
                                            strlen("{\"slot\":\"s\",\"commit_lsn\":\"0/1\","
                                                   "\"end_lsn\":\"0/2\",\"commit_ts_us\":9}"),
                                            "s", &out, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(out.offset.txn_commit_ts, 9);
    assert_int_equal(tw_offsets_topic_parse(buf.data, buf.len, "other", &out, errstr,
                                            sizeof(errstr)),
                     TW_ERR_MALFORMED);
    assert_non_null(strstr(errstr, "belongs to slot \"s\", not \"other\""));
    assert_int_equal(tw_offsets_topic_parse("{\"slot\":\"s\"}", 12, "s", &out, errstr,
                                            sizeof(errstr)),
                     TW_ERR_MALFORMED);
    assert_int_equal(tw_offsets_topic_parse("nope", 4, "s", &out, errstr, sizeof(errstr)),
                     TW_ERR_MALFORMED);

    /* With its origin and generation. */
    origin = origin_of("s");
    tw_offsets_topic_value(&origin, 4, &in, 0x1000, NULL, 0, &buf);
    assert_int_equal(tw_offsets_topic_parse(buf.data, buf.len, "s", &out, errstr, sizeof(errstr)),
                     TW_OK);
    assert_string_equal(out.origin.system_id, "7301234567890123456");
    assert_int_equal(out.origin.timeline, 3);
    assert_string_equal(out.origin.database, "orders \"eu\"");
    assert_int_equal(out.origin.database_oid, 16384);
    assert_int_equal(out.generation, 4);

    /* A reset record: no position, the next generation. */
    tw_offsets_topic_reset_value("s", 5, 77, &buf);
    assert_string_equal(buf.data,
                        "{\"slot\":\"s\",\"reset\":true,\"generation\":5,\"reset_at_us\":77}");
    assert_int_equal(tw_offsets_topic_parse(buf.data, buf.len, "s", &out, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(out.reset);
    assert_int_equal(out.generation, 5);
    tw_buf_free(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_file_means_no_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_slot_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_file_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_without_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planted_symlink_is_not_followed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_make_dir, setup, teardown),
        cmocka_unit_test(test_topic_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
