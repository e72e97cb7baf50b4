/*
 * test_key_columns.c — message.key.columns entries: parsing, the first
 * matching pattern, and errors that say how to write them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "transforms/key_columns.h"

static void test_entries_match_in_order(void **state)
{
    tw_key_columns_t *kc = NULL;
    char errstr[256];
    char *const *cols;
    size_t n = 99;
    (void)state;

    assert_int_equal(tw_key_columns_new(" public.orders : a , b ;inv\\..*:code; ", &kc, errstr,
                                        sizeof(errstr)),
                     TW_OK);
    cols = tw_key_columns_for(kc, "public.orders", &n);
    assert_int_equal(n, 2);
    assert_string_equal(cols[0], "a");
    assert_string_equal(cols[1], "b");
    cols = tw_key_columns_for(kc, "inv.parts", &n);
    assert_int_equal(n, 1);
    assert_string_equal(cols[0], "code");
    /* The pattern matches the whole name. */
    assert_null(tw_key_columns_for(kc, "public.orders2", &n));
    assert_int_equal(n, 0);
    assert_null(tw_key_columns_for(kc, "xinv.parts", &n));
    tw_key_columns_destroy(kc);
    assert_int_equal(tw_key_columns_new(NULL, &kc, errstr, sizeof(errstr)), TW_OK);
    assert_null(tw_key_columns_for(kc, "public.orders", &n));
    tw_key_columns_destroy(kc);
}

static void test_errors(void **state)
{
    tw_key_columns_t *kc = NULL;
    char errstr[256];
    (void)state;

    assert_int_equal(tw_key_columns_new("public.orders", &kc, errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_null(kc);
    assert_non_null(strstr(errstr, "has no ':'"));
    assert_int_equal(tw_key_columns_new("public.orders:", &kc, errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "at least one column"));
    assert_int_equal(tw_key_columns_new("public.(orders:a", &kc, errstr, sizeof(errstr)),
                     TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "message.key.columns"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_match_in_order),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
