/*
 * devbroker_internal.h — what the parts of tidewater-devbroker share: its
 * bounds, the broker and control-client state, and the helpers each part
 * calls. Calls between the parts run one way: devbroker.c (the program) →
 * devbroker_control.c (the sockets) → devbroker_commands.c (the commands,
 * log and reply). The test broker is its own program (not in
 * libtidewater); nothing else includes this.
 */
#ifndef TW_DEVBROKER_INTERNAL_H
#define TW_DEVBROKER_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <librdkafka/rdkafka.h>
/* rdkafka_mock.h refuses to compile unless rdkafka.h came first. */
#include <librdkafka/rdkafka_mock.h>

#define DEVBROKER_PROG "tidewater-devbroker"

/* Bounds. Generous for tests, small enough that a buggy or hostile control
 * client cannot make us allocate without limit. */
#define DEVBROKER_MAX_BROKERS 32
#define DEVBROKER_MAX_PARTITIONS 1000
#define DEVBROKER_MAX_ERROR_COUNT 10000
#define DEVBROKER_MAX_RTT_MS 600000
#define DEVBROKER_TOPIC_NAME_MAX 249 /* Kafka's own limit */
#define CONTROL_MAX_CLIENTS 16
#define CONTROL_LINE_MAX 1024
#define CONTROL_REPLY_MAX 2048
#define CONTROL_OUT_MAX (8 * CONTROL_REPLY_MAX)
#define CONTROL_MAX_ARGS 8

/* One --topic NAME[:PARTITIONS[:REPLICATION]] option, parsed. */
typedef struct tw_devbroker_topic {
    char name[DEVBROKER_TOPIC_NAME_MAX + 1];
    int partition_cnt;
    int replication_factor;
} tw_devbroker_topic_t;

typedef struct tw_devbroker_opts {
    int broker_cnt;
    tw_devbroker_topic_t *topics; /* owned, topic_cnt entries */
    int topic_cnt;
    const char *bootstrap_file; /* borrowed from argv */
    const char *control_file;   /* borrowed from argv */
    int control_port;
    bool quiet;
} tw_devbroker_opts_t;

/* One control connection. Replies are queued in `out` and flushed when the
 * socket is writable, so a client that pipelines commands without reading
 * replies gets back-pressure (we stop reading it) instead of blocking us. */
typedef struct tw_devbroker_client {
    int fd; /* -1: slot free */
    char in[CONTROL_LINE_MAX];
    size_t in_len;
    bool discarding; /* inside an over-long line: drop input up to '\n' */
    char out[CONTROL_OUT_MAX];
    size_t out_len;
    bool closing; /* peer sent EOF or `quit`: close once `out` is flushed */
} tw_devbroker_client_t;

typedef struct tw_devbroker {
    rd_kafka_t *rk; /* hosts the mock cluster; never produces */
    rd_kafka_mock_cluster_t *mcluster;
    int broker_cnt;
    int listen_fd;
    int control_port;
    bool quiet;
    bool wrote_control_file; /* remove on exit: stale addresses mislead */
    bool wrote_bootstrap_file;
    tw_devbroker_client_t clients[CONTROL_MAX_CLIENTS];
} tw_devbroker_t;

/* Set by SIGTERM/SIGINT (devbroker.c's handler); the control loop
 * (devbroker_control.c, which defines it) returns when it is. */
extern volatile sig_atomic_t tw_devbroker_stop_signal;

/* ---- devbroker_commands.c, the lowest part ---- */

/* One line on stderr, prefixed with the program name. */
void tw_devbroker_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Formats a control reply ("ok ..." or "error ..."). */
void tw_devbroker_reply(char *reply, size_t reply_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Strict parsing shared by the options and the commands. */
bool tw_devbroker_parse_long(const char *text, long min, long max, long *value);
bool tw_devbroker_topic_name_valid(const char *name);
bool tw_devbroker_topic_shape_valid(long partition_cnt, long replication_factor, int broker_cnt,
                                    char *errstr, size_t errstr_size);
/* Runs one command line; false when the client asked to quit. */
bool tw_devbroker_control_execute(tw_devbroker_t *db, char *line, char *reply, size_t reply_size);

/* ---- devbroker_control.c: the control channel ---- */
int tw_devbroker_control_listen(int port, int *bound_port, char *errstr, size_t errstr_size);
void tw_devbroker_client_close(tw_devbroker_client_t *client);
int tw_devbroker_control_serve(tw_devbroker_t *db, const sigset_t *wait_mask);

#endif /* TW_DEVBROKER_INTERNAL_H */
