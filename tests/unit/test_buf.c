/*
 * test_buf.c — the growable buffer, JSON string escaping, base64, UTF-8
 * validation and the arena.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"

static void json(const char *in, size_t len, const char *expect)
{
    tw_buf_t buf = TW_BUF_INIT;
    tw_buf_append_json_string(&buf, in, len);
    assert_string_equal(buf.data, expect);
    tw_buf_free(&buf);
}

static void test_json_escapes_controls_and_quotes(void **state)
{
    (void)state;
    json("plain", 5, "\"plain\"");
    json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    json("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"");
    json("\x01\x1f", 2, "\"\\u0001\\u001f\"");
    json("nul\0x", 5, "\"nul\\u0000x\"");
}

static void test_json_keeps_valid_utf8_and_replaces_invalid(void **state)
{
    (void)state;
    json("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x8C\x8A", 15, "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x8C\x8A\"");
    json("\xFF", 1, "\"\xEF\xBF\xBD\"");
    json("\xC0\xAF", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");       /* overlong '/' */
    json("\xED\xA0\x80", 3, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\""); /* surrogate */
    json("\xE2\x82", 2, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");       /* truncated */
}

static void test_utf8_valid(void **state)
{
    (void)state;
    assert_true(tw_utf8_valid("", 0));
    assert_true(tw_utf8_valid("abc \xC3\xA9", 6));
    assert_false(tw_utf8_valid("\xC3", 1));
    assert_false(tw_utf8_valid("\xF5\x80\x80\x80", 4));
}

static void b64(const char *in, const char *expect)
{
    tw_buf_t buf = TW_BUF_INIT;
    tw_buf_append_base64(&buf, (const uint8_t *)in, strlen(in));
    assert_string_equal(buf.data, expect);
    tw_buf_free(&buf);
}

static void test_base64_rfc4648_vectors(void **state)
{
    (void)state;
    b64("", "");
    b64("f", "Zg==");
    b64("fo", "Zm8=");
    b64("foo", "Zm9v");
    b64("foob", "Zm9vYg==");
    b64("fooba", "Zm9vYmE=");
    b64("foobar", "Zm9vYmFy");
}

static void test_printf_grows(void **state)
{
    tw_buf_t buf = TW_BUF_INIT;
    char big[1000];
    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    tw_buf_printf(&buf, "%s-%d", big, 42);
    assert_int_equal(buf.len, 999 + 3);
    assert_string_equal(buf.data + 999, "-42");
    tw_buf_reset(&buf);
    assert_int_equal(buf.len, 0);
    assert_string_equal(buf.data, "");
    tw_buf_free(&buf);
}

static void test_arena_alignment_and_reset(void **state)
{
    tw_arena_t *arena = tw_arena_new(64);
    void *a, *b, *big;
    (void)state;
    a = tw_arena_alloc(arena, 1);
    b = tw_arena_alloc(arena, 8);
    assert_int_equal((uintptr_t)a % _Alignof(max_align_t), 0);
    assert_int_equal((uintptr_t)b % _Alignof(max_align_t), 0);
    big = tw_arena_alloc(arena, 10000); /* larger than a block */
    memset(big, 1, 10000);
    assert_true(tw_arena_used(arena) >= 10009);
    tw_arena_reset(arena);
    assert_int_equal(tw_arena_used(arena), 0);
    a = tw_arena_alloc(arena, 16);
    memset(a, 2, 16);
    tw_arena_destroy(arena);
    tw_arena_destroy(NULL);
}

/* tw_buf_append_i64 writes what "%lld" would, extremes included. */
static void test_append_i64_matches_printf(void **state)
{
    static const int64_t values[] = {0, 1, -1, 9, 10, -10, 123456789, INT32_MAX, INT32_MIN,
                                     INT64_MAX, INT64_MIN, INT64_MIN + 1, 1000000000000LL};
    tw_buf_t b = TW_BUF_INIT;
    char expect[32];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        tw_buf_reset(&b);
        tw_buf_append_str(&b, "x=");
        tw_buf_append_i64(&b, values[i]);
        snprintf(expect, sizeof(expect), "x=%lld", (long long)values[i]);
        assert_string_equal(b.data, expect);
        assert_int_equal(b.len, strlen(expect));
    }
    tw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escapes_controls_and_quotes),
        cmocka_unit_test(test_json_keeps_valid_utf8_and_replaces_invalid),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_append_i64_matches_printf),
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_printf_grows),
        cmocka_unit_test(test_arena_alignment_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
