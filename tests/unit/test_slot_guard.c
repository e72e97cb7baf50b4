/*
 * test_slot_guard.c — the slot's high-water mark: recorded at the first
 * connect and for a slot tidewater creates, raised before a position is
 * confirmed (busy, at most once a second; caught up, at most once per the
 * settled interval; at once when asked), and a slot confirmed
 * beyond it is refused; a mark of another server, database or slot does
 * not apply.
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

#include "progress/slot_guard.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/tw-guard-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/offsets.json.slot", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

static tw_offset_origin_t server(const char *sysid, uint32_t oid)
{
    tw_offset_origin_t o;

    memset(&o, 0, sizeof(o));
    snprintf(o.system_id, sizeof(o.system_id), "%s", sysid);
    o.database_oid = oid;
    snprintf(o.slot, sizeof(o.slot), "orders");
    return o;
}

static void test_mark_follows_confirmations(void **state)
{
    tw_offset_origin_t s = server("7301", 16384);
    tw_slot_guard_t *g = tw_slot_guard_new(path, 400);
    char errstr[1024];
    struct stat st;

    (void)state;
    assert_int_equal(tw_slot_guard_allow(g, 0x5000, TW_GUARD_NOW), 0); /* not checked yet */
    assert_int_equal(tw_slot_guard_check(g, &s, 0x1000, false, "c.properties", errstr,
                                         sizeof(errstr)),
                     TW_OK);
    assert_int_equal(tw_slot_guard_peek(path, "orders"), 0x1000);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(tw_slot_guard_allow(g, 0x800, TW_GUARD_BUSY), 0x800); /* below the mark */
    assert_int_equal(tw_slot_guard_allow(g, 0x2000, TW_GUARD_BUSY), 0x2000);
    assert_int_equal(tw_slot_guard_peek(path, "orders"), 0x2000);
    /* Within a second of the last write: capped at the mark, unless now. */
    assert_int_equal(tw_slot_guard_allow(g, 0x3000, TW_GUARD_BUSY), 0x2000);
    assert_int_equal(tw_slot_guard_allow(g, 0x3000, TW_GUARD_NOW), 0x3000);
    assert_int_equal(tw_slot_guard_peek(path, "orders"), 0x3000);
    /* Caught up, the settled interval (400 ms here: long beside a slow
     * disk's fsync, which the interval counts from) paces the writes;
     * busy, the second still does. */
    assert_int_equal(tw_slot_guard_allow(g, 0x3100, TW_GUARD_SETTLED), 0x3000);
    usleep(450 * 1000);
    assert_int_equal(tw_slot_guard_allow(g, 0x3200, TW_GUARD_BUSY), 0x3000);
    assert_int_equal(tw_slot_guard_allow(g, 0x3200, TW_GUARD_SETTLED), 0x3200);
    assert_int_equal(tw_slot_guard_peek(path, "orders"), 0x3200);
    assert_int_equal(tw_slot_guard_allow(g, 0x3300, TW_GUARD_SETTLED), 0x3200);
    tw_slot_guard_destroy(g);

    /* A restart: the slot at or below the mark is fine... */
    g = tw_slot_guard_new(path, 400);
    assert_int_equal(tw_slot_guard_check(g, &s, 0x3000, false, "c.properties", errstr,
                                         sizeof(errstr)),
                     TW_OK);
    /* ...beyond it, someone else moved the slot. */
    assert_int_equal(tw_slot_guard_check(g, &s, 0x3201, false, "c.properties", errstr,
                                         sizeof(errstr)),
                     TW_ERR_STATE);
    assert_non_null(strstr(errstr, "beyond the highest position tidewater ever confirmed"));
    assert_non_null(strstr(errstr, "tidewater offsets reset c.properties --yes"));
    /* A slot tidewater just created starts a new mark. */
    assert_int_equal(tw_slot_guard_check(g, &s, 0x9000, true, "c.properties", errstr,
                                         sizeof(errstr)),
                     TW_OK);
    assert_int_equal(tw_slot_guard_peek(path, "orders"), 0x9000);
    tw_slot_guard_destroy(g);
}

static void test_other_identity_does_not_apply(void **state)
{
    tw_offset_origin_t a = server("7301", 16384), b = server("7301", 16999);
    tw_slot_guard_t *g = tw_slot_guard_new(path, 400);
    char errstr[1024];

    (void)state;
    assert_int_equal(tw_slot_guard_check(g, &a, 0x1000, false, NULL, errstr, sizeof(errstr)),
                     TW_OK);
    /* Another database (accepted by `offsets reset`): its slot's position
     * is where the new mark starts. */
    assert_int_equal(tw_slot_guard_check(g, &b, 0x8000, false, NULL, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(tw_slot_guard_peek(path, "orders"), 0x8000);
    assert_int_equal(tw_slot_guard_remove(path, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_slot_guard_peek(path, "orders"), 0);
    assert_int_equal(tw_slot_guard_remove(path, errstr, sizeof(errstr)), TW_OK);
    tw_slot_guard_destroy(g);
}

static void test_malformed_file_is_an_error(void **state)
{
    tw_offset_origin_t s = server("7301", 16384);
    tw_slot_guard_t *g = tw_slot_guard_new(path, 400);
    char errstr[1024];
    FILE *f = fopen(path, "w");

    (void)state;
    fputs("{\"slot\": 1}", f);
    fclose(f);
    assert_int_equal(tw_slot_guard_check(g, &s, 0x1000, false, NULL, errstr, sizeof(errstr)),
                     TW_ERR_IO);
    assert_non_null(strstr(errstr, "malformed"));
    tw_slot_guard_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mark_follows_confirmations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_identity_does_not_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_file_is_an_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
