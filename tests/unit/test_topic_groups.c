/*
 * test_topic_groups.c — the topic.creation.* groups without Kafka: when
 * creation is on, which group a topic takes, what groups inherit from
 * `default`, and the errors that name the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "config/topic_groups.h"

#define DEFAULTS                                                                               \
    "topic.creation.default.replication.factor=3\n"                                            \
    "topic.creation.default.partitions=-1\n"

static tw_err_t groups_from(const char *text, tw_topic_groups_t **out, char *errstr,
                            size_t errstr_size)
{
    tw_props_t *props = tw_props_new();
    tw_err_t err = tw_props_parse(props, text, strlen(text), "test.properties", errstr,
                                  errstr_size);

    *out = NULL;
    if (err == TW_OK)
        err = tw_topic_groups_new(props, out, errstr, errstr_size);
    tw_props_destroy(props);
    return err;
}

static void test_off_unless_both_defaults(void **state)
{
    tw_topic_groups_t *g;
    char errstr[512];
    (void)state;

    assert_int_equal(groups_from("topic.prefix=t\n", &g, errstr, sizeof(errstr)), TW_OK);
    assert_null(g);
    assert_int_equal(groups_from(DEFAULTS "topic.creation.enable=false\n", &g, errstr,
                                 sizeof(errstr)),
                     TW_OK);
    assert_null(g);
    assert_int_equal(groups_from("topic.creation.default.partitions=2\n", &g, errstr,
                                 sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "topic.creation.default.replication.factor is not"));
    assert_int_equal(groups_from(DEFAULTS "topic.creation.enable=maybe\n", &g, errstr,
                                 sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "topic.creation.enable=maybe"));
}

static void test_first_matching_group_else_default(void **state)
{
    const tw_topic_group_t *grp;
    tw_topic_groups_t *g;
    char errstr[512];
    (void)state;

    assert_int_equal(groups_from(DEFAULTS "topic.creation.groups=compacted, other\n"
                                          "topic.creation.compacted.include=orders\\\\..*\n"
                                          "topic.creation.compacted.exclude=.*\\\\.tmp\n"
                                          "topic.creation.compacted.partitions=2\n"
                                          "topic.creation.compacted.cleanup.policy=compact\n"
                                          "topic.creation.other.include=orders\\\\..*, audit\n"
                                          "topic.creation.other.replication.factor=1\n"
                                          "topic.creation.default.retention.ms=1000\n",
                                 &g, errstr, sizeof(errstr)),
                     TW_OK);
    assert_non_null(g);

    grp = tw_topic_groups_for(g, "orders.created");
    assert_string_equal(grp->name, "compacted");
    assert_int_equal(grp->partitions, 2);
    assert_int_equal(grp->replication_factor, 3); /* from default */
    assert_string_equal(tw_props_get(grp->configs, "cleanup.policy"), "compact");
    assert_null(tw_props_get(grp->configs, "retention.ms")); /* configs are not inherited */

    /* Excluded from the first group: the next one that includes it. */
    grp = tw_topic_groups_for(g, "orders.x.tmp");
    assert_string_equal(grp->name, "other");
    assert_int_equal(grp->partitions, -1);
    assert_int_equal(grp->replication_factor, 1);

    /* Include lists match the whole name. */
    assert_string_equal(tw_topic_groups_for(g, "audit")->name, "other");
    grp = tw_topic_groups_for(g, "audit.log");
    assert_string_equal(grp->name, "default");
    assert_string_equal(tw_props_get(grp->configs, "retention.ms"), "1000");
    tw_topic_groups_destroy(g);
}

static void test_bad_groups_name_the_key(void **state)
{
    static const struct {
        const char *text, *fragment;
    } bad[] = {
        {DEFAULTS "topic.creation.other.partitions=2\n",
         "group \"other\" is not listed in topic.creation.groups"},
        {DEFAULTS "topic.creation.groups=g\n", "group \"g\" has no topic.creation.g.include"},
        {DEFAULTS "topic.creation.groups=g\ntopic.creation.g.include=(unclosed\n",
         "topic.creation.g.include"},
        {DEFAULTS "topic.creation.default.include=x\n", "the default group applies"},
        {DEFAULTS "topic.creation.default.partitions=0\n",
         "topic.creation.default.partitions=0: expected a positive integer, or -1"},
        {DEFAULTS "topic.creation.x=1\n", "unknown config key \"topic.creation.x\""},
    };
    tw_topic_groups_t *g;
    char errstr[512];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errstr[0] = '\0';
        assert_int_equal(groups_from(bad[i].text, &g, errstr, sizeof(errstr)), TW_ERR_CONFIG);
        assert_null(g);
        if (!strstr(errstr, bad[i].fragment))
            fail_msg("message \"%s\" lacks \"%s\"", errstr, bad[i].fragment);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_unless_both_defaults),
        cmocka_unit_test(test_first_matching_group_else_default),
        cmocka_unit_test(test_bad_groups_name_the_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
