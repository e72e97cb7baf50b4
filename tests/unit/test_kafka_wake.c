/*
 * test_kafka_wake.c — delivery reports wake a sleeping main loop through
 * the sink's pipe, and cost no pipe traffic while it is awake (the loop
 * serves them between messages). The broker is librdkafka's in-process
 * mock cluster (test.mock.num.brokers): no network beyond loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <time.h>

#include "kafka/kafka_sink.h"

static int reports;

static void on_report(void *opaque, const tw_kafka_report_t *report)
{
    (void)opaque;
    assert_int_equal(report->err, TW_OK);
    reports++;
}

static tw_kafka_sink_t *new_sink(tw_props_t **props)
{
    tw_kafka_sink_t *sink = NULL;
    char errstr[512];

    *props = tw_props_new();
    tw_props_set(*props, "test.mock.num.brokers", "1", "test");
    assert_int_equal(tw_kafka_sink_new(NULL, *props, NULL, on_report, NULL, &sink,
                                       errstr, sizeof(errstr)),
                     TW_OK);
    return sink;
}

static void produce_one(tw_kafka_sink_t *sink)
{
    tw_kafka_record_t rec = {0};
    char errstr[256];

    rec.topic = "wake-test";
    rec.partition = 0;
    rec.key = "k";
    rec.key_len = 1;
    rec.value = "v";
    rec.value_len = 1;
    assert_int_equal(tw_kafka_sink_produce(sink, &rec, errstr, sizeof(errstr)), TW_OK);
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd pfd = {fd, POLLIN, 0};

    return poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & POLLIN);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_a_sleeping_loop_is_woken_and_the_pipe_emptied(void **state)
{
    tw_props_t *props;
    tw_kafka_sink_t *sink = new_sink(&props);
    int fd = tw_kafka_sink_wake_fd(sink);
    (void)state;

    assert_true(fd >= 0);
    reports = 0;
    produce_one(sink);
    assert_true(tw_kafka_sink_sleep(sink, true)); /* nothing waits yet */
    assert_true(readable(fd, 5000));              /* the report wakes the sleeper */
    tw_kafka_sink_sleep(sink, false);
    tw_kafka_sink_poll(sink, 0);
    assert_int_equal(reports, 1);
    /* A byte left in the pipe would make every later wait return at once. */
    assert_false(readable(fd, 0));
    tw_kafka_sink_destroy(sink);
    tw_props_destroy(props);
}

static void test_an_awake_loop_gets_no_pipe_traffic_but_its_reports(void **state)
{
    tw_props_t *props;
    tw_kafka_sink_t *sink = new_sink(&props);
    int fd = tw_kafka_sink_wake_fd(sink);
    (void)state;

    reports = 0;
    /* The loop announced itself once (it sleeps at times), is awake now. */
    assert_true(tw_kafka_sink_sleep(sink, true));
    tw_kafka_sink_sleep(sink, false);
    produce_one(sink);
    sleep_ms(1000); /* the report is queued meanwhile */
    assert_false(readable(fd, 0));
    /* About to sleep with a report waiting: told not to. */
    assert_false(tw_kafka_sink_sleep(sink, true));
    tw_kafka_sink_poll(sink, 0);
    assert_int_equal(reports, 1);
    assert_true(tw_kafka_sink_sleep(sink, true)); /* served: nothing waits */
    tw_kafka_sink_sleep(sink, false);
    tw_kafka_sink_destroy(sink);
    tw_props_destroy(props);
}

static void test_without_a_sleeper_the_pipe_is_written_as_before(void **state)
{
    tw_props_t *props;
    tw_kafka_sink_t *sink = new_sink(&props);
    int fd = tw_kafka_sink_wake_fd(sink);
    (void)state;

    reports = 0;
    produce_one(sink);
    assert_true(readable(fd, 5000));
    tw_kafka_sink_poll(sink, 0);
    assert_int_equal(reports, 1);
    assert_false(readable(fd, 0));
    tw_kafka_sink_destroy(sink);
    tw_props_destroy(props);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_sleeping_loop_is_woken_and_the_pipe_emptied),
        cmocka_unit_test(test_an_awake_loop_gets_no_pipe_traffic_but_its_reports),
        cmocka_unit_test(test_without_a_sleeper_the_pipe_is_written_as_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
