/*
 * test_origin.c — which checkpoints may be used with which server, and
 * what the slot's health means (origin.h's decision, without a server).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "progress/origin.h"

#define SYSID "7301234567890123456"

/* A healthy start: a checkpoint of this server, database and slot. */
static tw_origin_facts_t base(void)
{
    tw_origin_facts_t f;

    memset(&f, 0, sizeof(f));
    f.where = "offsets file /var/lib/tidewater/c/c.offsets.json";
    f.config_path = "c.properties";
    f.found = true;
    f.offset.commit_lsn = 0x5000;
    f.offset.end_lsn = 0x5030;
    snprintf(f.origin.system_id, sizeof(f.origin.system_id), SYSID);
    f.origin.timeline = 1;
    snprintf(f.origin.database, sizeof(f.origin.database), "orders");
    f.origin.database_oid = 16384;
    snprintf(f.origin.slot, sizeof(f.origin.slot), "s");
    snprintf(f.server.system_id, sizeof(f.server.system_id), SYSID);
    f.server.timeline = 1;
    f.server.xlogpos = 0x9000;
    snprintf(f.server.dbname, sizeof(f.server.dbname), "orders");
    f.database_oid = 16384;
    f.slot_name = "s";
    f.slot.exists = true;
    snprintf(f.slot.database, sizeof(f.slot.database), "orders");
    f.slot.database_oid = 16384;
    f.slot.confirmed_flush = 0x4000;
    f.slot.decoded = true;
    snprintf(f.slot.wal_status, sizeof(f.slot.wal_status), "reserved");
    return f;
}

static tw_err_t decide(const tw_origin_facts_t *f, tw_origin_verdict_t *v, char *errstr,
                       size_t size)
{
    errstr[0] = '\0';
    return tw_origin_check(f, v, errstr, size);
}

static void expect_refusal(const tw_origin_facts_t *f, const char *a, const char *b)
{
    tw_origin_verdict_t v;
    char errstr[2048];

    assert_int_equal(decide(f, &v, errstr, sizeof(errstr)), TW_ERR_STATE);
    if (strstr(errstr, a) == NULL || (b && strstr(errstr, b) == NULL))
        fail_msg("expected \"%s\" and \"%s\" in: %s", a, b ? b : "", errstr);
    /* Every refusal names the way out. */
    assert_non_null(strstr(errstr, "tidewater offsets reset c.properties --yes"));
}

static void test_matching_checkpoint_is_accepted(void **state)
{
    tw_origin_facts_t f = base();
    tw_origin_verdict_t v;
    char errstr[2048];
    (void)state;
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
    assert_false(v.slot_busy);
    assert_false(v.unreserved);
    assert_false(v.adopt);
    assert_string_equal(v.notice, "");
}

static void test_no_checkpoint_is_a_fresh_start(void **state)
{
    tw_origin_facts_t f = base();
    tw_origin_verdict_t v;
    char errstr[2048];
    (void)state;
    f.found = false;
    f.slot.exists = false;
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
    f.slot.exists = true; /* the offsets file was removed: replay from the slot */
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
}

static void test_other_server_is_refused(void **state)
{
    tw_origin_facts_t f = base();
    (void)state;
    snprintf(f.server.system_id, sizeof(f.server.system_id), "7399999999999999999");
    expect_refusal(&f, "written for PostgreSQL system " SYSID, "this server is system 7399");
}

static void test_other_database_is_refused(void **state)
{
    tw_origin_facts_t f = base();
    (void)state;
    snprintf(f.server.dbname, sizeof(f.server.dbname), "billing");
    expect_refusal(&f, "written for database \"orders\"", "connected to database \"billing\"");
    f = base();
    f.database_oid = 20000; /* same name, new database */
    expect_refusal(&f, "dropped and created again", NULL);
}

static void test_beyond_the_servers_wal_is_refused(void **state)
{
    tw_origin_facts_t f = base();
    (void)state;
    f.offset.end_lsn = 0x9001;
    expect_refusal(&f, "beyond this server's current WAL position 0/9000", "offsets file");
    /* The case 1: an old file without identity, beyond the WAL. */
    f.origin.system_id[0] = '\0';
    expect_refusal(&f, "beyond this server's current WAL position", NULL);
}

static void test_old_file_within_the_wal_is_accepted_with_a_notice(void **state)
{
    tw_origin_facts_t f = base();
    tw_origin_verdict_t v;
    char errstr[2048];
    (void)state;
    memset(&f.origin, 0, sizeof(f.origin));
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
    assert_true(v.adopt);
    assert_non_null(strstr(v.notice, "records no server identity"));
}

static void test_missing_slot_with_a_checkpoint_is_refused(void **state)
{
    tw_origin_facts_t f = base();
    (void)state;
    f.slot.exists = false;
    expect_refusal(&f, "replication slot \"s\" does not exist", "creating a fresh slot");
}

static void test_slot_health(void **state)
{
    tw_origin_facts_t f = base();
    tw_origin_verdict_t v;
    char errstr[2048];
    (void)state;
    snprintf(f.slot.wal_status, sizeof(f.slot.wal_status), "lost");
    expect_refusal(&f, "wal_status=lost", "pg_drop_replication_slot('s')");
    f.found = false; /* lost is lost, checkpoint or not */
    expect_refusal(&f, "wal_status=lost", NULL);

    f = base();
    snprintf(f.slot.wal_status, sizeof(f.slot.wal_status), "unreserved");
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
    assert_true(v.unreserved);

    f = base();
    f.slot.active = true;
    f.slot.active_pid = 4242;
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
    assert_true(v.slot_busy);
}

static void test_timelines(void **state)
{
    tw_origin_facts_t f = base();
    tw_origin_verdict_t v;
    char errstr[2048];
    (void)state;
    /* Promoted after the checkpoint: still valid. */
    f.server.timeline = 2;
    f.timeline_ancestor = true;
    f.timeline_switch = 0x6000;
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
    assert_true(v.adopt);
    assert_non_null(strstr(v.notice, "timeline 2 since 0/6000"));
    /* The checkpoint lies past the point where the histories part. */
    f.timeline_switch = 0x5000;
    expect_refusal(&f, "left that timeline at 0/5000", NULL);
    /* Not in the server's history at all. */
    f.timeline_ancestor = false;
    expect_refusal(&f, "not in the history", NULL);
}

static void test_missing_offsets_topic(void **state)
{
    tw_origin_facts_t f = base();
    tw_origin_verdict_t v;
    char errstr[2048];
    (void)state;
    f.where = "offsets topic tw-offsets";
    f.found = false;
    f.topic_missing = true;
    expect_refusal(&f, "offsets topic tw-offsets does not exist or holds no record",
                   "replication slot \"s\" does");
    f.slot.decoded = false; /* created beforehand, never read: a first start */
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
    f.slot.exists = false; /* a first start */
    assert_int_equal(decide(&f, &v, errstr, sizeof(errstr)), TW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matching_checkpoint_is_accepted),
        cmocka_unit_test(test_no_checkpoint_is_a_fresh_start),
        cmocka_unit_test(test_other_server_is_refused),
        cmocka_unit_test(test_other_database_is_refused),
        cmocka_unit_test(test_beyond_the_servers_wal_is_refused),
        cmocka_unit_test(test_old_file_within_the_wal_is_accepted_with_a_notice),
        cmocka_unit_test(test_missing_slot_with_a_checkpoint_is_refused),
        cmocka_unit_test(test_slot_health),
        cmocka_unit_test(test_timelines),
        cmocka_unit_test(test_missing_offsets_topic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
