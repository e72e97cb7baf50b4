/*
 * devbroker.c — tidewater-devbroker: a Kafka broker for development and tests.
 *
 * It is librdkafka's mock cluster (rdkafka_mock.h) wrapped in a process so
 * that kcat, python3-confluent-kafka and tidewater itself can talk to it over
 * real TCP, plus a line-based control channel on 127.0.0.1 through which a
 * test can inject faults (brokers down, RTT, request errors) while clients
 * are connected.
 *
 * It is NOT Kafka: data lives in memory, replication is simulated and
 * transactions write no markers. Development and tests only.
 *
 * Threads: the mock cluster runs its own thread(s) inside a producer handle
 * created only to host it; everything in this file runs in the main thread,
 * which serves the control sockets with ppoll(). All rd_kafka_mock_*() calls
 * used here are thread-safe (they enqueue an op to the mock thread and wait
 * for its reply).
 */
/* ppoll() and accept4(); configure passes -D_GNU_SOURCE too. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <librdkafka/rdkafka.h>
/* rdkafka_mock.h refuses to compile unless rdkafka.h came first. */
#include <librdkafka/rdkafka_mock.h>

#ifdef PACKAGE_VERSION
#define TW_VERSION PACKAGE_VERSION
#else
#define TW_VERSION "0.1.0"
#endif

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

static volatile sig_atomic_t stop_signal;

static void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply_set(char *reply, size_t reply_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void log_msg(const char *fmt, ...)
{
    va_list ap;
    char line[CONTROL_REPLY_MAX + 256];

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* One fprintf per line so lines from librdkafka's log thread and ours
     * do not interleave mid-line. */
    fprintf(stderr, "%s: %s\n", DEVBROKER_PROG, line);
}

static void reply_set(char *reply, size_t reply_size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reply, reply_size, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------
 * Name tables and strict parsing
 * ------------------------------------------------------------------------ */

/* Kafka protocol API keys, so tests can write `request-errors Produce ...`.
 * librdkafka keeps its own table private (rdkafka_proto.h). */
static const char *const api_key_names[] = {
    [0] = "Produce",
    [1] = "Fetch",
    [2] = "ListOffsets",
    [3] = "Metadata",
    [4] = "LeaderAndIsr",
    [5] = "StopReplica",
    [6] = "UpdateMetadata",
    [7] = "ControlledShutdown",
    [8] = "OffsetCommit",
    [9] = "OffsetFetch",
    [10] = "FindCoordinator",
    [11] = "JoinGroup",
    [12] = "Heartbeat",
    [13] = "LeaveGroup",
    [14] = "SyncGroup",
    [15] = "DescribeGroups",
    [16] = "ListGroups",
    [17] = "SaslHandshake",
    [18] = "ApiVersions",
    [19] = "CreateTopics",
    [20] = "DeleteTopics",
    [21] = "DeleteRecords",
    [22] = "InitProducerId",
    [23] = "OffsetForLeaderEpoch",
    [24] = "AddPartitionsToTxn",
    [25] = "AddOffsetsToTxn",
    [26] = "EndTxn",
    [27] = "WriteTxnMarkers",
    [28] = "TxnOffsetCommit",
    [29] = "DescribeAcls",
    [30] = "CreateAcls",
    [31] = "DeleteAcls",
    [32] = "DescribeConfigs",
    [33] = "AlterConfigs",
    [34] = "AlterReplicaLogDirs",
    [35] = "DescribeLogDirs",
    [36] = "SaslAuthenticate",
    [37] = "CreatePartitions",
    [38] = "CreateDelegationToken",
    [39] = "RenewDelegationToken",
    [40] = "ExpireDelegationToken",
    [41] = "DescribeDelegationToken",
    [42] = "DeleteGroups",
    [43] = "ElectLeaders",
    [44] = "IncrementalAlterConfigs",
    [45] = "AlterPartitionReassignments",
    [46] = "ListPartitionReassignments",
    [47] = "OffsetDelete",
};

/* Newer Kafka names for codes whose librdkafka 2.0.2 name is the old one. */
static const struct {
    const char *alias;
    rd_kafka_resp_err_t err;
} err_aliases[] = {
    {"NOT_LEADER_OR_FOLLOWER", RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION},
};

/* Whole-string base-10 integer in [min, max]; no trailing junk, no overflow. */
static bool parse_long(const char *text, long min, long max, long *value)
{
    char *end;
    long parsed;

    if (!*text || isspace((unsigned char)*text))
        return false;
    errno = 0;
    parsed = strtol(text, &end, 10);
    if (errno || *end || parsed < min || parsed > max)
        return false;
    *value = parsed;
    return true;
}

static bool parse_api_key(const char *text, int16_t *api_key)
{
    long number;
    size_t i;

    for (i = 0; i < sizeof(api_key_names) / sizeof(api_key_names[0]); i++) {
        if (!strcasecmp(text, api_key_names[i])) {
            *api_key = (int16_t)i;
            return true;
        }
    }
    if (!parse_long(text, 0, INT16_MAX, &number))
        return false;
    *api_key = (int16_t)number;
    return true;
}

static const char *api_key_name(int16_t api_key)
{
    if (api_key >= 0 && (size_t)api_key < sizeof(api_key_names) / sizeof(api_key_names[0]))
        return api_key_names[api_key];
    return "?";
}

/* Accepts librdkafka's names as rd_kafka_err2name() prints them
 * ("NOT_LEADER_FOR_PARTITION", "_TRANSPORT"), with the enum prefix
 * ("RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION"), any case, or a number. */
static bool parse_err_code(const char *text, rd_kafka_resp_err_t *err)
{
    static const char prefix[] = "RD_KAFKA_RESP_ERR_";
    const struct rd_kafka_err_desc *descs;
    size_t desc_cnt;
    size_t i;
    long number;

    if (!strncasecmp(text, prefix, sizeof(prefix) - 1))
        text += sizeof(prefix) - 1;

    rd_kafka_get_err_descs(&descs, &desc_cnt);
    for (i = 0; i < desc_cnt; i++) {
        if (descs[i].name && !strcasecmp(text, descs[i].name)) {
            *err = descs[i].code;
            return true;
        }
    }
    for (i = 0; i < sizeof(err_aliases) / sizeof(err_aliases[0]); i++) {
        if (!strcasecmp(text, err_aliases[i].alias)) {
            *err = err_aliases[i].err;
            return true;
        }
    }
    /* Kafka error codes are int16 on the wire; librdkafka's internal ones
     * (-200..-1) fit too, and _TRANSPORT means "drop the connection". */
    if (!parse_long(text, INT16_MIN, INT16_MAX, &number))
        return false;
    *err = (rd_kafka_resp_err_t)number;
    return true;
}

/* Kafka's legal topic names: [a-zA-Z0-9._-]{1,249}, not "." or "..". */
static bool topic_name_valid(const char *name)
{
    size_t len = strlen(name);
    size_t i;

    if (len == 0 || len > DEVBROKER_TOPIC_NAME_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
        return false;
    for (i = 0; i < len; i++) {
        if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
            return false;
    }
    return true;
}

/* Checks a partition count and replication factor against a cluster of
 * broker_cnt brokers; fills errstr on failure. */
static bool topic_shape_valid(long partition_cnt, long replication_factor, int broker_cnt,
                              char *errstr, size_t errstr_size)
{
    if (partition_cnt < 1 || partition_cnt > DEVBROKER_MAX_PARTITIONS) {
        snprintf(errstr, errstr_size, "partition count must be 1..%d", DEVBROKER_MAX_PARTITIONS);
        return false;
    }
    /* Real Kafka refuses INVALID_REPLICATION_FACTOR here; do the same so a
     * test cannot rely on something a real cluster would reject. */
    if (replication_factor < 1 || replication_factor > broker_cnt) {
        snprintf(errstr, errstr_size, "replication factor must be 1..%d (the broker count)",
                 broker_cnt);
        return false;
    }
    return true;
}

/* Broker ids in the mock are 1..N; "all" (or -1) addresses every broker. */
static bool parse_broker_id(const tw_devbroker_t *db, const char *text, int32_t *broker_id)
{
    long id;

    if (!strcasecmp(text, "all")) {
        *broker_id = -1;
        return true;
    }
    if (!parse_long(text, -1, db->broker_cnt, &id) || id == 0)
        return false;
    *broker_id = (int32_t)id;
    return true;
}

/* ------------------------------------------------------------------------
 * Control commands. Each handler fills `reply` with "ok ..." or "error ...".
 * ------------------------------------------------------------------------ */

typedef void (*cmd_handler_t)(tw_devbroker_t *db, int argc, char **argv, char *reply,
                              size_t reply_size);

typedef struct tw_devbroker_cmd {
    const char *name;
    int min_argc; /* including the command name */
    int max_argc;
    const char *usage;
    cmd_handler_t handler;
} tw_devbroker_cmd_t;

static void cmd_ping(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size)
{
    (void)db, (void)argc, (void)argv;
    reply_set(reply, reply_size, "ok pong");
}

static void cmd_bootstraps(tw_devbroker_t *db, int argc, char **argv, char *reply,
                           size_t reply_size)
{
    (void)argc, (void)argv;
    reply_set(reply, reply_size, "ok %s", rd_kafka_mock_cluster_bootstraps(db->mcluster));
}

static void set_broker_up(tw_devbroker_t *db, char **argv, bool up, char *reply, size_t reply_size)
{
    int32_t broker_id;
    rd_kafka_resp_err_t err;

    if (!parse_broker_id(db, argv[1], &broker_id)) {
        reply_set(reply, reply_size, "error bad broker id '%.64s': expected 1..%d or all", argv[1],
                  db->broker_cnt);
        return;
    }
    err = up ? rd_kafka_mock_broker_set_up(db->mcluster, broker_id)
             : rd_kafka_mock_broker_set_down(db->mcluster, broker_id);
    if (err) {
        reply_set(reply, reply_size, "error %s: %s", argv[0], rd_kafka_err2str(err));
        return;
    }
    reply_set(reply, reply_size, "ok broker %s %s", argv[1], up ? "up" : "down");
    if (!db->quiet)
        log_msg("broker %s set %s", argv[1], up ? "up" : "down");
}

static void cmd_broker_down(tw_devbroker_t *db, int argc, char **argv, char *reply,
                            size_t reply_size)
{
    (void)argc;
    set_broker_up(db, argv, false, reply, reply_size);
}

static void cmd_broker_up(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size)
{
    (void)argc;
    set_broker_up(db, argv, true, reply, reply_size);
}

static void cmd_rtt(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size)
{
    int32_t broker_id;
    long rtt_ms;
    rd_kafka_resp_err_t err;

    (void)argc;
    if (!parse_broker_id(db, argv[1], &broker_id)) {
        reply_set(reply, reply_size, "error bad broker id '%.64s': expected 1..%d or all", argv[1],
                  db->broker_cnt);
        return;
    }
    if (!parse_long(argv[2], 0, DEVBROKER_MAX_RTT_MS, &rtt_ms)) {
        reply_set(reply, reply_size, "error bad rtt '%.64s': expected 0..%d ms", argv[2],
                  DEVBROKER_MAX_RTT_MS);
        return;
    }
    err = rd_kafka_mock_broker_set_rtt(db->mcluster, broker_id, (int)rtt_ms);
    if (err) {
        reply_set(reply, reply_size, "error rtt: %s", rd_kafka_err2str(err));
        return;
    }
    reply_set(reply, reply_size, "ok broker %s rtt %ld ms", argv[1], rtt_ms);
    if (!db->quiet)
        log_msg("broker %s rtt set to %ld ms", argv[1], rtt_ms);
}

static void cmd_request_errors(tw_devbroker_t *db, int argc, char **argv, char *reply,
                               size_t reply_size)
{
    int16_t api_key;
    rd_kafka_resp_err_t err;
    rd_kafka_resp_err_t *errs;
    long count = 1;
    long i;

    if (!parse_api_key(argv[1], &api_key)) {
        reply_set(reply, reply_size,
                  "error unknown API key '%.64s': use a name like Produce or a number", argv[1]);
        return;
    }
    if (!parse_err_code(argv[2], &err)) {
        reply_set(reply, reply_size,
                  "error unknown error code '%.64s': use a name like "
                  "NOT_LEADER_FOR_PARTITION or a number",
                  argv[2]);
        return;
    }
    if (argc > 3 && !parse_long(argv[3], 1, DEVBROKER_MAX_ERROR_COUNT, &count)) {
        reply_set(reply, reply_size, "error bad count '%.64s': expected 1..%d", argv[3],
                  DEVBROKER_MAX_ERROR_COUNT);
        return;
    }
    errs = malloc((size_t)count * sizeof(*errs));
    if (!errs) {
        reply_set(reply, reply_size, "error out of memory");
        return;
    }
    for (i = 0; i < count; i++)
        errs[i] = err;
    rd_kafka_mock_push_request_errors_array(db->mcluster, api_key, (size_t)count, errs);
    free(errs);

    reply_set(reply, reply_size, "ok next %ld %s (%d) requests fail with %s (%d)", count,
              api_key_name(api_key), api_key, rd_kafka_err2name(err), (int)err);
    if (!db->quiet)
        log_msg("next %ld %s (%d) requests fail with %s (%d)", count, api_key_name(api_key),
                api_key, rd_kafka_err2name(err), (int)err);
}

static void cmd_create_topic(tw_devbroker_t *db, int argc, char **argv, char *reply,
                             size_t reply_size)
{
    long partition_cnt;
    long replication_factor = 1;
    char errstr[128];
    rd_kafka_resp_err_t err;

    if (!topic_name_valid(argv[1])) {
        reply_set(reply, reply_size, "error bad topic name '%.64s': use 1..%d of [a-zA-Z0-9._-]",
                  argv[1], DEVBROKER_TOPIC_NAME_MAX);
        return;
    }
    if (!parse_long(argv[2], 1, DEVBROKER_MAX_PARTITIONS, &partition_cnt) ||
        (argc > 3 && !parse_long(argv[3], 1, INT_MAX, &replication_factor))) {
        reply_set(reply, reply_size, "error partitions and replication must be numbers");
        return;
    }
    if (!topic_shape_valid(partition_cnt, replication_factor, db->broker_cnt, errstr,
                           sizeof(errstr))) {
        reply_set(reply, reply_size, "error %s", errstr);
        return;
    }
    err = rd_kafka_mock_topic_create(db->mcluster, argv[1], (int)partition_cnt,
                                     (int)replication_factor);
    if (err) {
        reply_set(reply, reply_size, "error cannot create topic %s: %s", argv[1],
                  rd_kafka_err2str(err));
        return;
    }
    reply_set(reply, reply_size, "ok created topic %s with %ld partitions", argv[1], partition_cnt);
    if (!db->quiet)
        log_msg("created topic %s with %ld partitions", argv[1], partition_cnt);
}

static void cmd_leader(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size)
{
    long partition;
    int32_t broker_id;
    rd_kafka_resp_err_t err;

    (void)argc;
    if (!topic_name_valid(argv[1])) {
        reply_set(reply, reply_size, "error bad topic name '%.64s'", argv[1]);
        return;
    }
    if (!parse_long(argv[2], 0, DEVBROKER_MAX_PARTITIONS - 1, &partition)) {
        reply_set(reply, reply_size, "error bad partition '%.64s'", argv[2]);
        return;
    }
    /* -1 ("none") makes the partition leaderless, which the mock supports. */
    if (!strcasecmp(argv[3], "none")) {
        broker_id = -1;
    } else if (!parse_broker_id(db, argv[3], &broker_id) || broker_id == -1) {
        reply_set(reply, reply_size, "error bad broker id '%.64s': expected 1..%d or none", argv[3],
                  db->broker_cnt);
        return;
    }
    err = rd_kafka_mock_partition_set_leader(db->mcluster, argv[1], (int32_t)partition, broker_id);
    if (err) {
        reply_set(reply, reply_size, "error leader: %s", rd_kafka_err2str(err));
        return;
    }
    reply_set(reply, reply_size, "ok %s [%ld] leader %s", argv[1], partition, argv[3]);
    if (!db->quiet)
        log_msg("%s [%ld] leader set to %s", argv[1], partition, argv[3]);
}

static void cmd_help(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size);

static void cmd_quit(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size)
{
    (void)db, (void)argc, (void)argv;
    /* control_execute() notices `quit` and closes after flushing this. */
    reply_set(reply, reply_size, "ok bye");
}

static const tw_devbroker_cmd_t commands[] = {
    {"ping", 1, 1, "ping", cmd_ping},
    {"bootstraps", 1, 1, "bootstraps", cmd_bootstraps},
    {"broker-down", 2, 2, "broker-down <id|all>", cmd_broker_down},
    {"broker-up", 2, 2, "broker-up <id|all>", cmd_broker_up},
    {"rtt", 3, 3, "rtt <id|all> <ms>", cmd_rtt},
    {"request-errors", 3, 4, "request-errors <api> <error> [<count>]", cmd_request_errors},
    {"create-topic", 3, 4, "create-topic <name> <partitions> [<replication>]", cmd_create_topic},
    {"leader", 4, 4, "leader <topic> <partition> <id|none>", cmd_leader},
    {"help", 1, 1, "help", cmd_help},
    {"quit", 1, 1, "quit", cmd_quit},
};

static void cmd_help(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size)
{
    size_t used;
    size_t i;

    (void)db, (void)argc, (void)argv;
    used = (size_t)snprintf(reply, reply_size, "ok");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]) && used < reply_size; i++)
        used += (size_t)snprintf(reply + used, reply_size - used, "%s%s", i ? "; " : " ",
                                 commands[i].usage);
}

/* Copies at most 64 bytes of untrusted text for echoing in a reply,
 * replacing non-ASCII bytes so replies stay one clean line. */
static void sanitize_echo(const char *text, char *out, size_t out_size)
{
    size_t i;

    for (i = 0; text[i] && i + 1 < out_size && i < 64; i++)
        out[i] = (text[i] & 0x80) ? '?' : text[i];
    out[i] = '\0';
}

/* Runs one command line (no newline, NUL-terminated, may be modified).
 * Returns false if the client asked to quit. An empty line gets no reply. */
static bool control_execute(tw_devbroker_t *db, char *line, char *reply, size_t reply_size)
{
    char *argv[CONTROL_MAX_ARGS + 1];
    int argc = 0;
    char *save = NULL;
    char *token;
    char echo[80];
    size_t i;

    reply[0] = '\0';
    for (i = 0; line[i]; i++) {
        unsigned char c = (unsigned char)line[i];
        /* Binary garbage gets one error, not a misparse. */
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            reply_set(reply, reply_size, "error line contains control characters");
            return true;
        }
    }
    for (token = strtok_r(line, " \t", &save); token && argc <= CONTROL_MAX_ARGS;
         token = strtok_r(NULL, " \t", &save))
        argv[argc++] = token;
    if (argc == 0)
        return true;

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const tw_devbroker_cmd_t *cmd = &commands[i];

        if (strcasecmp(argv[0], cmd->name))
            continue;
        if (argc < cmd->min_argc || argc > cmd->max_argc) {
            reply_set(reply, reply_size, "error usage: %s", cmd->usage);
            return true;
        }
        cmd->handler(db, argc, argv, reply, reply_size);
        return cmd->handler != cmd_quit;
    }
    sanitize_echo(argv[0], echo, sizeof(echo));
    reply_set(reply, reply_size, "error unknown command '%s': try help", echo);
    return true;
}

/* ------------------------------------------------------------------------
 * Control channel sockets
 * ------------------------------------------------------------------------ */

static int control_listen(int port, int *bound_port, char *errstr, size_t errstr_size)
{
    struct sockaddr_in sin;
    socklen_t sin_len = sizeof(sin);
    int on = 1;
    int fd;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "cannot create control socket: %s", strerror(errno));
        return -1;
    }
    /* Lets a fixed --control-port be reused right after a previous run
     * whose connections are still in TIME_WAIT. */
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));

    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    /* Loopback only: the control channel has no authentication. */
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        snprintf(errstr, errstr_size, "cannot bind control port 127.0.0.1:%d: %s", port,
                 strerror(errno));
        goto fail;
    }
    if (listen(fd, 16) < 0 || getsockname(fd, (struct sockaddr *)&sin, &sin_len) < 0) {
        snprintf(errstr, errstr_size, "cannot listen on control port 127.0.0.1:%d: %s", port,
                 strerror(errno));
        goto fail;
    }
    *bound_port = ntohs(sin.sin_port);
    return fd;

fail:
    close(fd);
    return -1;
}

static void client_close(tw_devbroker_client_t *client)
{
    if (client->fd >= 0)
        close(client->fd);
    client->fd = -1;
    client->in_len = 0;
    client->out_len = 0;
    client->discarding = false;
    client->closing = false;
}

/* Queues one reply line. The caller guarantees room (see client_can_run). */
static void client_queue_reply(tw_devbroker_client_t *client, const char *reply)
{
    size_t len = strlen(reply);

    if (client->out_len + len + 1 > sizeof(client->out))
        return; /* cannot happen while CONTROL_REPLY_MAX bounds replies */
    memcpy(client->out + client->out_len, reply, len);
    client->out[client->out_len + len] = '\n';
    client->out_len += len + 1;
}

/* Room for one more reply? If not, stop executing (and reading) until the
 * client reads what we already sent. */
static bool client_can_run(const tw_devbroker_client_t *client)
{
    return client->out_len + CONTROL_REPLY_MAX + 1 <= sizeof(client->out);
}

/* Executes every complete line buffered for this client, as far as output
 * room allows. */
static void client_run_lines(tw_devbroker_t *db, tw_devbroker_client_t *client)
{
    char line[CONTROL_LINE_MAX + 1];
    char reply[CONTROL_REPLY_MAX];

    while (!client->closing && client_can_run(client)) {
        char *newline = memchr(client->in, '\n', client->in_len);
        size_t line_len;
        bool has_nul;

        if (!newline) {
            if (client->in_len == sizeof(client->in)) {
                /* A full buffer without a newline: refuse the line and skip
                 * the rest of it as it arrives. */
                client->in_len = 0;
                client->discarding = true;
                reply_set(reply, sizeof(reply), "error line too long (max %d bytes)",
                          CONTROL_LINE_MAX - 1);
                client_queue_reply(client, reply);
            }
            return;
        }
        line_len = (size_t)(newline - client->in);
        /* A NUL would hide the rest of the line from the C string checks. */
        has_nul = memchr(client->in, '\0', line_len) != NULL;
        memcpy(line, client->in, line_len);
        line[line_len] = '\0';
        if (line_len > 0 && line[line_len - 1] == '\r') /* telnet, nc -C */
            line[line_len - 1] = '\0';
        client->in_len -= line_len + 1;
        memmove(client->in, newline + 1, client->in_len);

        if (has_nul) {
            client_queue_reply(client, "error line contains control characters");
            continue;
        }
        if (!control_execute(db, line, reply, sizeof(reply)))
            client->closing = true;
        if (reply[0])
            client_queue_reply(client, reply);
    }
}

/* Appends newly received bytes, dropping the tail of an over-long line. */
static void client_take_input(tw_devbroker_client_t *client, const char *data, size_t len)
{
    if (client->discarding) {
        const char *newline = memchr(data, '\n', len);

        if (!newline)
            return;
        client->discarding = false;
        len -= (size_t)(newline + 1 - data);
        data = newline + 1;
    }
    memcpy(client->in + client->in_len, data, len);
    client->in_len += len;
}

static void client_on_readable(tw_devbroker_t *db, tw_devbroker_client_t *client)
{
    char data[CONTROL_LINE_MAX];
    size_t room = sizeof(client->in) - client->in_len;
    ssize_t n;

    /* Never read more than fits, so input is never lost or truncated. With
     * no room (lines wait for output space), a recv() of 0 bytes would look
     * like EOF: leave the bytes in the socket until there is room. */
    if (room == 0)
        return;
    n = recv(client->fd, data, room < sizeof(data) ? room : sizeof(data), 0);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            client_close(client);
        return;
    }
    if (n == 0) {
        /* An unterminated last line is dropped: it may be cut short
         * ("broker-down 1" of "broker-down 12"), so it is not run. Replies
         * already queued are still flushed to a half-closed peer. */
        client->closing = true;
        client->in_len = 0;
        return;
    }
    client_take_input(client, data, (size_t)n);
    client_run_lines(db, client);
}

static void client_on_writable(tw_devbroker_client_t *client)
{
    ssize_t n;

    /* MSG_NOSIGNAL: a peer that vanished must not kill us with SIGPIPE. */
    n = send(client->fd, client->out, client->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            client_close(client);
        return;
    }
    client->out_len -= (size_t)n;
    memmove(client->out, client->out + n, client->out_len);
}

static void control_accept(tw_devbroker_t *db)
{
    static const char busy[] = "error too many control connections\n";
    int fd;
    int i;

    while ((fd = accept4(db->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        for (i = 0; i < CONTROL_MAX_CLIENTS && db->clients[i].fd >= 0; i++)
            ;
        if (i == CONTROL_MAX_CLIENTS) {
            (void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            close(fd);
            continue;
        }
        client_close(&db->clients[i]);
        db->clients[i].fd = fd;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
        log_msg("cannot accept control connection: %s", strerror(errno));
}

/* Serves the control channel until SIGTERM/SIGINT. Those signals are blocked
 * everywhere except inside ppoll(), so they always interrupt it here rather
 * than landing in a librdkafka thread. */
static int control_serve(tw_devbroker_t *db, const sigset_t *wait_mask)
{
    struct pollfd pfds[CONTROL_MAX_CLIENTS + 1];
    int slot_of[CONTROL_MAX_CLIENTS + 1];
    nfds_t nfds;
    int i;

    while (!stop_signal) {
        nfds = 0;
        pfds[nfds].fd = db->listen_fd;
        pfds[nfds].events = POLLIN;
        slot_of[nfds++] = -1;
        for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
            tw_devbroker_client_t *client = &db->clients[i];

            if (client->fd < 0)
                continue;
            /* Lines left over from back-pressure run once room appears. */
            client_run_lines(db, client);
            if (client->closing && client->out_len == 0) {
                client_close(client);
                continue;
            }
            pfds[nfds].fd = client->fd;
            pfds[nfds].events = (short)((client->out_len ? POLLOUT : 0) |
                                        (!client->closing && client_can_run(client) &&
                                                 client->in_len < sizeof(client->in)
                                             ? POLLIN
                                             : 0));
            slot_of[nfds++] = i;
        }

        if (ppoll(pfds, nfds, NULL, wait_mask) < 0) {
            if (errno == EINTR)
                continue;
            log_msg("poll failed: %s", strerror(errno));
            return -1;
        }

        for (i = 0; i < (int)nfds; i++) {
            tw_devbroker_client_t *client;

            if (!pfds[i].revents)
                continue;
            if (slot_of[i] < 0) {
                control_accept(db);
                continue;
            }
            client = &db->clients[slot_of[i]];
            if (pfds[i].revents & POLLOUT)
                client_on_writable(client);
            if (client->fd >= 0 && (pfds[i].revents & (POLLIN | POLLHUP)))
                client_on_readable(db, client);
            if (client->fd >= 0 && (pfds[i].revents & (POLLERR | POLLNVAL)))
                client_close(client);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * Startup, files, shutdown
 * ------------------------------------------------------------------------ */

/* Writes `content` to `path` via a temporary file and rename(), so a test
 * polling for the file never reads it half-written. */
static bool write_file_atomic(const char *path, const char *content, char *errstr,
                              size_t errstr_size)
{
    char tmp[PATH_MAX];
    size_t len = strlen(content);
    size_t done = 0;
    ssize_t n;
    int fd;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
        snprintf(errstr, errstr_size, "path too long: %s", path);
        return false;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "cannot create %s: %s", tmp, strerror(errno));
        return false;
    }
    while (done < len) {
        n = write(fd, content + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(errstr, errstr_size, "cannot write %s: %s", tmp, strerror(errno));
            goto fail;
        }
        done += (size_t)n;
    }
    if (close(fd) < 0) {
        fd = -1;
        snprintf(errstr, errstr_size, "cannot write %s: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        snprintf(errstr, errstr_size, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        goto fail;
    }
    return true;

fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return false;
}

/* librdkafka logs from its own threads; route them through our prefix. */
static void rdkafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    /* The host handle has no bootstrap.servers on purpose (it only hosts the
     * cluster and must not consume injected errors with its own requests),
     * so this warning is noise. */
    if (!strcmp(fac, "CONFWARN") && strstr(buf, "bootstrap.servers"))
        return;
    log_msg("librdkafka %d %s: %s", level, fac, buf);
}

static bool cluster_start(tw_devbroker_t *db, const tw_devbroker_opts_t *opts, char *errstr,
                          size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int i;

    if (rd_kafka_conf_set(conf, "client.id", DEVBROKER_PROG, errstr, errstr_size) !=
            RD_KAFKA_CONF_OK ||
        (opts->quiet &&
         rd_kafka_conf_set(conf, "log_level", "3", errstr, errstr_size) != RD_KAFKA_CONF_OK)) {
        rd_kafka_conf_destroy(conf);
        return false;
    }
    rd_kafka_conf_set_log_cb(conf, rdkafka_log_cb);

    /* rd_kafka_new() takes ownership of conf on success only. */
    db->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (!db->rk) {
        rd_kafka_conf_destroy(conf);
        return false;
    }
    db->mcluster = rd_kafka_mock_cluster_new(db->rk, opts->broker_cnt);
    if (!db->mcluster) {
        snprintf(errstr, errstr_size, "cannot create mock cluster with %d brokers",
                 opts->broker_cnt);
        return false;
    }
    db->broker_cnt = opts->broker_cnt;

    for (i = 0; i < opts->topic_cnt; i++) {
        const tw_devbroker_topic_t *topic = &opts->topics[i];
        rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
            db->mcluster, topic->name, topic->partition_cnt, topic->replication_factor);

        if (err) {
            snprintf(errstr, errstr_size, "cannot create topic %s: %s", topic->name,
                     rd_kafka_err2str(err));
            return false;
        }
    }
    return true;
}

static void cluster_stop(tw_devbroker_t *db)
{
    /* The cluster lives inside rk, so it goes first. */
    if (db->mcluster)
        rd_kafka_mock_cluster_destroy(db->mcluster);
    db->mcluster = NULL;
    if (db->rk)
        rd_kafka_destroy(db->rk);
    db->rk = NULL;
}

/* Publishes where to connect. The bootstrap file is written last: it is the
 * readiness signal, so when it exists the brokers, topics and control
 * channel are all up. */
static bool announce(tw_devbroker_t *db, const tw_devbroker_opts_t *opts, char *errstr,
                     size_t errstr_size)
{
    const char *bootstraps = rd_kafka_mock_cluster_bootstraps(db->mcluster);
    char content[CONTROL_REPLY_MAX];

    snprintf(content, sizeof(content), "127.0.0.1:%d\n", db->control_port);
    if (opts->control_file) {
        if (!write_file_atomic(opts->control_file, content, errstr, errstr_size))
            return false;
        db->wrote_control_file = true;
    }
    snprintf(content, sizeof(content), "%s\n", bootstraps);
    if (opts->bootstrap_file) {
        if (!write_file_atomic(opts->bootstrap_file, content, errstr, errstr_size))
            return false;
        db->wrote_bootstrap_file = true;
    }

    printf("bootstrap.servers=%s\ncontrol=127.0.0.1:%d\n", bootstraps, db->control_port);
    fflush(stdout);
    return true;
}

static void on_stop_signal(int signo)
{
    stop_signal = signo;
}

/* Blocks SIGTERM/SIGINT (before any librdkafka thread exists, so the threads
 * inherit the mask) and returns in wait_mask the mask ppoll() should wait
 * with, in which they are deliverable. */
static void signals_setup(sigset_t *wait_mask)
{
    struct sigaction sa;
    sigset_t block;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, wait_mask);
    sigdelset(wait_mask, SIGTERM);
    sigdelset(wait_mask, SIGINT);
}

/* ------------------------------------------------------------------------
 * Command line
 * ------------------------------------------------------------------------ */

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [OPTION]...\n"
            "Run a Kafka broker for development and tests (librdkafka's mock cluster;\n"
            "data lives in memory). Not for production.\n"
            "\n"
            "  --brokers N              number of brokers, ids 1..N (default 1, max %d)\n"
            "  --topic NAME[:P[:R]]     pre-create a topic with P partitions (default 1)\n"
            "                           and replication R (default 1); repeatable\n"
            "  --bootstrap-file PATH    write the bootstrap.servers list here when ready\n"
            "  --control-file PATH      write the control address (127.0.0.1:PORT) here\n"
            "  --control-port PORT      control channel port on 127.0.0.1 (default 0: any)\n"
            "  --quiet                  log only errors to stderr\n"
            "  --help                   show this help and exit\n"
            "  --version                show the version and exit\n"
            "\n"
            "Prints bootstrap.servers=LIST and control=ADDR on stdout when ready and runs\n"
            "until SIGTERM or SIGINT. Control channel: one command per line, one reply\n"
            "line (\"ok ...\" or \"error ...\"); send \"help\" for the commands.\n",
            DEVBROKER_PROG, DEVBROKER_MAX_BROKERS);
}

/* Parses NAME[:PARTITIONS[:REPLICATION]]; the counts are checked against the
 * broker count later, once every option is known. */
static bool parse_topic_spec(const char *spec, tw_devbroker_topic_t *topic, char *errstr,
                             size_t errstr_size)
{
    char buf[DEVBROKER_TOPIC_NAME_MAX + 64];
    char *partitions;
    char *replication = NULL;
    long value;

    if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf)) {
        snprintf(errstr, errstr_size, "--topic '%.64s...': too long", spec);
        return false;
    }
    partitions = strchr(buf, ':');
    if (partitions) {
        *partitions++ = '\0';
        replication = strchr(partitions, ':');
        if (replication)
            *replication++ = '\0';
    }
    if (!topic_name_valid(buf)) {
        snprintf(errstr, errstr_size, "--topic '%s': name must be 1..%d of [a-zA-Z0-9._-]", spec,
                 DEVBROKER_TOPIC_NAME_MAX);
        return false;
    }
    memcpy(topic->name, buf, strlen(buf) + 1); /* fits: topic_name_valid checked */
    topic->partition_cnt = 1;
    topic->replication_factor = 1;
    if (partitions) {
        if (!parse_long(partitions, 1, INT_MAX, &value)) {
            snprintf(errstr, errstr_size, "--topic '%s': partitions must be a positive number",
                     spec);
            return false;
        }
        topic->partition_cnt = (int)value;
    }
    if (replication) {
        if (!parse_long(replication, 1, INT_MAX, &value)) {
            snprintf(errstr, errstr_size, "--topic '%s': replication must be a positive number",
                     spec);
            return false;
        }
        topic->replication_factor = (int)value;
    }
    return true;
}

enum {
    OPT_BROKERS = 256,
    OPT_TOPIC,
    OPT_BOOTSTRAP_FILE,
    OPT_CONTROL_FILE,
    OPT_CONTROL_PORT,
    OPT_QUIET,
    OPT_HELP,
    OPT_VERSION,
};

/* Returns 0 to run, -1 to exit 0 (--help/--version), 2 on a usage error
 * (already reported). */
static int parse_args(int argc, char **argv, tw_devbroker_opts_t *opts)
{
    static const struct option longopts[] = {
        {"brokers", required_argument, NULL, OPT_BROKERS},
        {"topic", required_argument, NULL, OPT_TOPIC},
        {"bootstrap-file", required_argument, NULL, OPT_BOOTSTRAP_FILE},
        {"control-file", required_argument, NULL, OPT_CONTROL_FILE},
        {"control-port", required_argument, NULL, OPT_CONTROL_PORT},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    char errstr[512];
    long value;
    int opt;
    int i;

    opts->broker_cnt = 1;
    opts->control_port = 0;
    /* Every --topic fits: there are fewer than argc of them. */
    opts->topics = calloc((size_t)argc, sizeof(*opts->topics));
    if (!opts->topics) {
        log_msg("out of memory");
        return 2;
    }

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_BROKERS:
            if (!parse_long(optarg, 1, DEVBROKER_MAX_BROKERS, &value)) {
                log_msg("--brokers '%s': expected 1..%d", optarg, DEVBROKER_MAX_BROKERS);
                return 2;
            }
            opts->broker_cnt = (int)value;
            break;
        case OPT_TOPIC:
            if (!parse_topic_spec(optarg, &opts->topics[opts->topic_cnt], errstr, sizeof(errstr))) {
                log_msg("%s", errstr);
                return 2;
            }
            opts->topic_cnt++;
            break;
        case OPT_BOOTSTRAP_FILE: opts->bootstrap_file = optarg; break;
        case OPT_CONTROL_FILE: opts->control_file = optarg; break;
        case OPT_CONTROL_PORT:
            if (!parse_long(optarg, 0, 65535, &value)) {
                log_msg("--control-port '%s': expected 0..65535", optarg);
                return 2;
            }
            opts->control_port = (int)value;
            break;
        case OPT_QUIET: opts->quiet = true; break;
        case OPT_HELP: usage(stdout); return -1;
        case OPT_VERSION:
            printf("%s %s (librdkafka %s)\n", DEVBROKER_PROG, TW_VERSION, rd_kafka_version_str());
            return -1;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        log_msg("unexpected argument '%s'; see --help", argv[optind]);
        return 2;
    }
    for (i = 0; i < opts->topic_cnt; i++) {
        if (!topic_shape_valid(opts->topics[i].partition_cnt, opts->topics[i].replication_factor,
                               opts->broker_cnt, errstr, sizeof(errstr))) {
            log_msg("--topic %s: %s", opts->topics[i].name, errstr);
            return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    tw_devbroker_opts_t opts;
    tw_devbroker_t db;
    sigset_t wait_mask;
    char errstr[2 * PATH_MAX + 256]; /* room for "cannot rename TMP to PATH: ..." */
    int status = 1;
    int rc;
    int i;

    memset(&opts, 0, sizeof(opts));
    memset(&db, 0, sizeof(db));
    db.listen_fd = -1;
    for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
        db.clients[i].fd = -1;

    rc = parse_args(argc, argv, &opts);
    if (rc != 0) {
        status = rc < 0 ? 0 : rc;
        goto cleanup;
    }
    db.quiet = opts.quiet;

    signals_setup(&wait_mask);

    db.listen_fd = control_listen(opts.control_port, &db.control_port, errstr, sizeof(errstr));
    if (db.listen_fd < 0) {
        log_msg("%s", errstr);
        goto cleanup;
    }
    if (!cluster_start(&db, &opts, errstr, sizeof(errstr))) {
        log_msg("%s", errstr);
        goto cleanup;
    }
    if (!announce(&db, &opts, errstr, sizeof(errstr))) {
        log_msg("%s", errstr);
        goto cleanup;
    }
    if (!db.quiet)
        log_msg("%d broker(s) at %s, control on 127.0.0.1:%d", db.broker_cnt,
                rd_kafka_mock_cluster_bootstraps(db.mcluster), db.control_port);

    if (control_serve(&db, &wait_mask) == 0) {
        status = 0;
        if (!db.quiet)
            log_msg("stopping on signal %d", (int)stop_signal);
    }

cleanup:
    for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
        client_close(&db.clients[i]);
    if (db.listen_fd >= 0)
        close(db.listen_fd);
    /* Stale address files would send the next reader to dead ports. The
     * bootstrap file goes first: it is what readers wait for. */
    if (db.wrote_bootstrap_file)
        unlink(opts.bootstrap_file);
    if (db.wrote_control_file)
        unlink(opts.control_file);
    cluster_stop(&db);
    free(opts.topics);
    return status;
}
