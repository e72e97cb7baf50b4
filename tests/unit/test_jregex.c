/*
 * test_jregex.c — Java-style patterns and replacements as RegexRouter and
 * TopicNameMatches use them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/jregex.h"

static tw_jregex_t *compile(const char *pattern)
{
    tw_jregex_t *re = NULL;
    char errstr[256];
    if (tw_jregex_compile(pattern, "test", &re, errstr, sizeof(errstr)) != TW_OK)
        fail_msg("%s", errstr);
    return re;
}

static void expect_replace(const char *pattern, const char *text, const char *replacement,
                           const char *expect)
{
    tw_jregex_t *re = compile(pattern);
    tw_buf_t out = TW_BUF_INIT;
    char errstr[256];
    assert_int_equal(tw_jregex_check_replacement(re, replacement, "r", errstr, sizeof(errstr)),
                     TW_OK);
    if (expect) {
        assert_true(tw_jregex_replace(re, text, replacement, &out));
        assert_string_equal(out.data, expect);
    } else {
        assert_false(tw_jregex_replace(re, text, replacement, &out));
        assert_int_equal(out.len, 0);
    }
    tw_buf_free(&out);
    tw_jregex_destroy(re);
}

static void test_debezium_default_route(void **state)
{
    (void)state;
    expect_replace("(?<routedByValue>.*)", "Order", "outbox.event.${routedByValue}",
                   "outbox.event.Order");
    expect_replace("(?<routedByValue>.*)", "", "outbox.event.${routedByValue}", "outbox.event.");
}

static void test_numbered_and_noncapturing_groups(void **state)
{
    (void)state;
    expect_replace("(?:customer|client)-(\\d+)", "client-42", "c$1", "c42");
    expect_replace("(\\w+)\\.(\\w+)", "shop.orders", "$2_$1", "orders_shop");
    expect_replace("(a)(?<second>b)", "ab", "${second}$1\\$", "ba$");
    expect_replace("(\\d+)", "12x", "$1", NULL); /* whole-text match only */
}

static void test_matches_is_anchored(void **state)
{
    tw_jregex_t *re = compile("tw\\.public\\.outbox");
    (void)state;
    assert_true(tw_jregex_matches(re, "tw.public.outbox"));
    assert_false(tw_jregex_matches(re, "tw.public.outbox_archive"));
    assert_false(tw_jregex_matches(re, "xtw.public.outbox"));
    tw_jregex_destroy(re);
    re = compile("[\\w.-]+\\s?");
    assert_true(tw_jregex_matches(re, "a-b.c_d "));
    tw_jregex_destroy(re);
}

static void test_errors(void **state)
{
    tw_jregex_t *re = NULL;
    char errstr[256];
    (void)state;
    assert_int_equal(tw_jregex_compile("(unclosed", "route.topic.regex", &re, errstr,
                                       sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "route.topic.regex"));
    assert_int_equal(tw_jregex_compile("(?=look)", "k", &re, errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "does not support"));
    re = compile("(?<a>x)");
    assert_int_equal(tw_jregex_check_replacement(re, "${b}", "route.topic.replacement", errstr,
                                                 sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "route.topic.replacement"));
    assert_int_equal(tw_jregex_check_replacement(re, "$2", "k", errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    tw_jregex_destroy(re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debezium_default_route),
        cmocka_unit_test(test_numbered_and_noncapturing_groups),
        cmocka_unit_test(test_matches_is_anchored),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
