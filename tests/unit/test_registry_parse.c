/*
 * test_registry_parse.c — parsing registry answers, including bodies that
 * are not NUL-terminated (the fuzzer's regression case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "codec/registry.h"

/* An exact-size heap copy: ASan flags any read past its end. */
static char *exact(const char *s, size_t *len)
{
    char *p;
    *len = strlen(s);
    p = malloc(*len ? *len : 1);
    memcpy(p, s, *len);
    return p;
}

static void test_parse_id(void **state)
{
    char errstr[256];
    int32_t id = 0;
    size_t len;
    char *body = exact("{\"id\": 42}", &len);
    (void)state;
    assert_int_equal(tw_registry_parse_id(body, len, &id, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(id, 42);
    free(body);
    body = exact("{\"id\": -1}", &len);
    assert_int_equal(tw_registry_parse_id(body, len, &id, errstr, sizeof(errstr)),
                     TW_ERR_UNAVAILABLE);
    free(body);
    /* Regression: the error message read past a short unterminated body. */
    body = exact("{x", &len);
    assert_int_equal(tw_registry_parse_id(body, len, &id, errstr, sizeof(errstr)),
                     TW_ERR_UNAVAILABLE);
    assert_non_null(strstr(errstr, "without a valid id: {x"));
    free(body);
    assert_int_equal(tw_registry_parse_id(NULL, 0, &id, errstr, sizeof(errstr)),
                     TW_ERR_UNAVAILABLE);
}

static void test_parse_error(void **state)
{
    char msg[256];
    size_t len;
    char *body = exact("{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}", &len);
    (void)state;
    tw_registry_parse_error(body, len, msg, sizeof(msg));
    assert_string_equal(msg, "Subject 'x' not found.");
    free(body);
    body = exact("HTTP 502 Bad Gateway", &len);
    tw_registry_parse_error(body, len, msg, sizeof(msg));
    assert_string_equal(msg, "HTTP 502 Bad Gateway");
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_id),
        cmocka_unit_test(test_parse_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
