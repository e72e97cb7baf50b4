/*
 * test_log.c — log lines: one per call, whatever the message holds.
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

#include "util/log.h"

/* Runs tw_log with stderr sent to a temporary file; returns what it wrote. */
static char *capture(bool json, const char *arg)
{
    char path[] = "/tmp/tw-test-log-XXXXXX";
    int fd = mkstemp(path), saved = dup(STDERR_FILENO);
    static char out[4096];
    ssize_t n;

    assert_true(fd >= 0 && saved >= 0);
    unlink(path);
    dup2(fd, STDERR_FILENO);
    tw_log_set_json(json);
    tw_log(TW_LOG_WARNING, "ROUTER", "event type \"%s\" has no declared record", arg);
    tw_log_set_json(false);
    dup2(saved, STDERR_FILENO);
    close(saved);
    n = pread(fd, out, sizeof(out) - 1, 0);
    close(fd);
    assert_true(n > 0);
    out[n] = '\0';
    return out;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_plain_escapes_control_characters(void **state)
{
    const char *forged = "Evil\n2026-11-29T00:00:00.000Z error PGREPL: forged\r\x1b[2J\t\x7f";
    char *line;

    (void)state;
    line = capture(false, forged);
    assert_int_equal(count_lines(line), 1);
    assert_non_null(strstr(line, "Evil\\n2026-11-29T00:00:00.000Z error PGREPL: forged\\r"
                                 "\\x1b[2J\\t\\x7f\" has no declared record\n"));
    assert_null(strchr(line, '\r'));
    assert_null(strchr(line, '\x1b'));
}

static void test_json_escapes_control_characters(void **state)
{
    char *line;

    (void)state;
    line = capture(true, "a\nb\x01");
    assert_int_equal(count_lines(line), 1);
    assert_non_null(strstr(line, "a\\nb\\u0001"));
    assert_int_equal(line[0], '{');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_escapes_control_characters),
        cmocka_unit_test(test_json_escapes_control_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
