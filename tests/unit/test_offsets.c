/*
 * test_offsets.c — the checkpoint file round-trips, refuses another slot's
 * file and malformed content, and treats a missing file as "none yet".
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

#include "offsets.h"
#include "offsets_topic.h"

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
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static void test_missing_file_means_no_offset(void **state)
{
    tw_offset_t off;
    bool found = true;
    char errstr[256];
    (void)state;
    assert_int_equal(tw_offsets_load(path, "s", &off, &found, errstr, sizeof(errstr)), TW_OK);
    assert_false(found);
}

static void test_round_trip(void **state)
{
    tw_offset_t in = {((tw_lsn_t)0x16 << 32) | 0xB374D848, ((tw_lsn_t)0x16 << 32) | 0xB374D900,
                      1732284000123456};
    tw_offset_t out;
    bool found;
    char errstr[256];
    (void)state;
    assert_int_equal(tw_offsets_store(path, "my_slot", &in, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_offsets_load(path, "my_slot", &out, &found, errstr, sizeof(errstr)),
                     TW_OK);
    assert_true(found);
    assert_int_equal(out.commit_lsn, in.commit_lsn);
    assert_int_equal(out.end_lsn, in.end_lsn);
    assert_int_equal(out.commit_ts, in.commit_ts);
    /* No temp file left behind. */
    {
        char tmp[160];
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        assert_int_not_equal(access(tmp, F_OK), 0);
    }
}

static void test_other_slot_is_refused(void **state)
{
    tw_offset_t in = {1, 2, 3}, out;
    bool found;
    char errstr[256];
    (void)state;
    assert_int_equal(tw_offsets_store(path, "slot_a", &in, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_offsets_load(path, "slot_b", &out, &found, errstr, sizeof(errstr)),
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
    assert_int_not_equal(tw_offsets_load(path, "s", &out, &found, errstr, sizeof(errstr)),
                         TW_OK);
    assert_non_null(strstr(errstr, "malformed"));
    f = fopen(path, "w");
    fputs("not json", f);
    fclose(f);
    assert_int_not_equal(tw_offsets_load(path, "s", &out, &found, errstr, sizeof(errstr)),
                         TW_OK);
    assert_non_null(strstr(errstr, "unreadable"));
}

/* The exactly-once checkpoint record: key per connector and slot, value
 * that parses back, names its ranges, and refuses another slot. */
static void test_topic_record(void **state)
{
    tw_offset_t in = {0x16B3748, 0x16B3780, 1732284000000000}, out;
    tw_offsets_range_t ranges[2] = {{(char *)"outbox.event.\"q\"", 1, 120, 131},
                                    {(char *)"dlq", 0, 7, 7}};
    tw_buf_t buf = TW_BUF_INIT;
    char errstr[256];
    (void)state;

    tw_offsets_topic_key("orders", "slot\"1", &buf);
    assert_string_equal(buf.data, "[\"orders\",{\"slot\":\"slot\\\"1\"}]");
    tw_offsets_topic_value("s", &in, 0x1000, ranges, 2, &buf);
    assert_string_equal(buf.data,
                        "{\"slot\":\"s\",\"commit_lsn\":\"0/16B3748\",\"end_lsn\":\"0/16B3780\","
                        "\"commit_ts_us\":1732284000000000,\"prev_commit_lsn\":\"0/1000\","
                        "\"records\":[{\"topic\":\"outbox.event.\\\"q\\\"\",\"partition\":1,"
                        "\"first\":120,\"last\":131},{\"topic\":\"dlq\",\"partition\":0,"
                        "\"first\":7,\"last\":7}]}");
    assert_int_equal(tw_offsets_topic_parse(buf.data, buf.len, "s", &out, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(out.commit_lsn, in.commit_lsn);
    assert_int_equal(out.end_lsn, in.end_lsn);
    assert_int_equal(out.commit_ts, in.commit_ts);
    assert_int_equal(tw_offsets_topic_parse(buf.data, buf.len, "other", &out, errstr,
                                            sizeof(errstr)),
                     TW_ERR_MALFORMED);
    assert_non_null(strstr(errstr, "belongs to slot \"s\", not \"other\""));
    assert_int_equal(tw_offsets_topic_parse("{\"slot\":\"s\"}", 12, "s", &out, errstr,
                                            sizeof(errstr)),
                     TW_ERR_MALFORMED);
    assert_int_equal(tw_offsets_topic_parse("nope", 4, "s", &out, errstr, sizeof(errstr)),
                     TW_ERR_MALFORMED);
    tw_buf_free(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_missing_file_means_no_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_slot_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_file_is_an_error, setup, teardown),
        cmocka_unit_test(test_topic_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
