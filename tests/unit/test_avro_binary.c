/*
 * test_avro_binary.c — encodings against the examples in the Avro
 * specification and bytes produced by python3-avro.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "codec/avro_binary.h"

static void expect_bytes(tw_buf_t *buf, const char *expect, size_t n)
{
    assert_int_equal(buf->len, n);
    assert_memory_equal(buf->data, expect, n);
    tw_buf_reset(buf);
}

static void test_long_zigzag_spec_examples(void **state)
{
    tw_buf_t buf = TW_BUF_INIT;
    (void)state;
    /* The specification's table: 0→00, -1→01, 1→02, -2→03, 2→04, -64→7f, 64→80 01 */
    tw_avro_write_long(&buf, 0);
    expect_bytes(&buf, "\x00", 1);
    tw_avro_write_long(&buf, -1);
    expect_bytes(&buf, "\x01", 1);
    tw_avro_write_long(&buf, 1);
    expect_bytes(&buf, "\x02", 1);
    tw_avro_write_long(&buf, -2);
    expect_bytes(&buf, "\x03", 1);
    tw_avro_write_long(&buf, 2);
    expect_bytes(&buf, "\x04", 1);
    tw_avro_write_long(&buf, -64);
    expect_bytes(&buf, "\x7f", 1);
    tw_avro_write_long(&buf, 64);
    expect_bytes(&buf, "\x80\x01", 2);
    /* Extremes (python3-avro: BinaryEncoder.write_long). */
    tw_avro_write_long(&buf, INT64_MAX);
    expect_bytes(&buf, "\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
    tw_avro_write_long(&buf, INT64_MIN);
    expect_bytes(&buf, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
    tw_buf_free(&buf);
}

static void test_string_and_bytes(void **state)
{
    tw_buf_t buf = TW_BUF_INIT;
    (void)state;
    /* The specification's example: "foo" → 06 66 6f 6f */
    tw_avro_write_bytes(&buf, "foo", 3);
    expect_bytes(&buf, "\x06" "foo", 4);
    tw_avro_write_bytes(&buf, "", 0);
    expect_bytes(&buf, "\x00", 1);
    tw_buf_free(&buf);
}

static void test_floats_little_endian(void **state)
{
    tw_buf_t buf = TW_BUF_INIT;
    (void)state;
    tw_avro_write_float(&buf, 1.5f);
    expect_bytes(&buf, "\x00\x00\xc0\x3f", 4);
    tw_avro_write_double(&buf, -2.0);
    expect_bytes(&buf, "\x00\x00\x00\x00\x00\x00\x00\xc0", 8);
    tw_avro_write_boolean(&buf, true);
    tw_avro_write_boolean(&buf, false);
    expect_bytes(&buf, "\x01\x00", 2);
    tw_buf_free(&buf);
}

static void test_confluent_header(void **state)
{
    tw_buf_t buf = TW_BUF_INIT;
    (void)state;
    /* test-infra.md: schema id 2 → 00 00 00 00 02 */
    tw_avro_write_confluent_header(&buf, 2);
    expect_bytes(&buf, "\x00\x00\x00\x00\x02", 5);
    tw_avro_write_confluent_header(&buf, 0x01020304);
    expect_bytes(&buf, "\x00\x01\x02\x03\x04", 5);
    tw_buf_free(&buf);
}

static void test_union_index(void **state)
{
    tw_buf_t buf = TW_BUF_INIT;
    (void)state;
    /* ["null","string"] with "a": index 1 → 02, then 02 61 */
    tw_avro_write_union_index(&buf, 1);
    tw_avro_write_bytes(&buf, "a", 1);
    expect_bytes(&buf, "\x02\x02" "a", 3);
    tw_buf_free(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_zigzag_spec_examples),
        cmocka_unit_test(test_string_and_bytes),
        cmocka_unit_test(test_floats_little_endian),
        cmocka_unit_test(test_confluent_header),
        cmocka_unit_test(test_union_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
