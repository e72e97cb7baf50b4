/*
 * test_histogram.c — quantiles within the buckets' 2% resolution.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ops/histogram.h"

static void test_quantiles(void **state)
{
    static tw_histogram_t h;
    int64_t p50, p99;
    int i;
    (void)state;
    memset(&h, 0, sizeof(h));
    assert_int_equal(tw_histogram_quantile(&h, 0.5), 0);
    for (i = 1; i <= 1000; i++)
        tw_histogram_record(&h, i * 1000); /* 1..1000 ms */
    p50 = tw_histogram_quantile(&h, 0.5);
    p99 = tw_histogram_quantile(&h, 0.99);
    assert_true(p50 >= 500000 && p50 <= 510000);
    assert_true(p99 >= 990000 && p99 <= 1000000);
    assert_int_equal(tw_histogram_quantile(&h, 1.0), 1000000);
    assert_int_equal(h.max_us, 1000000);
    assert_int_equal(h.total, 1000);
    assert_int_equal(tw_histogram_count_le(&h, 1000000000), 1000);
    assert_true(tw_histogram_count_le(&h, 100000) >= 98 && tw_histogram_count_le(&h, 100000) <= 100);
    tw_histogram_record(&h, -5); /* clock skew: counted as 0 */
    assert_int_equal(h.total, 1001);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_quantiles)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
