/*
 * devbroker_commands.c — tidewater-devbroker's control commands (ping,
 * broker-down/up, rtt, request-errors, create-topic, leader, help, quit):
 * strict parsing of their arguments and API/error names, the handlers that
 * call the mock cluster, and the dispatcher for one command line. Separate
 * from the sockets that carry the lines (devbroker_control.c). The lowest
 * part of the program: it also holds the log and reply helpers that
 * devbroker.c and devbroker_control.c call, and calls neither of them.
 */
/* ppoll() and accept4(); configure passes -D_GNU_SOURCE too. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kafka/devbroker_internal.h"

/* ------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------ */

void tw_devbroker_log(const char *fmt, ...)
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

void tw_devbroker_reply(char *reply, size_t reply_size, const char *fmt, ...)
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
bool tw_devbroker_parse_long(const char *text, long min, long max, long *value)
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
    if (!tw_devbroker_parse_long(text, 0, INT16_MAX, &number))
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
    if (!tw_devbroker_parse_long(text, INT16_MIN, INT16_MAX, &number))
        return false;
    *err = (rd_kafka_resp_err_t)number;
    return true;
}

/* Kafka's legal topic names: [a-zA-Z0-9._-]{1,249}, not "." or "..". */
bool tw_devbroker_topic_name_valid(const char *name)
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
bool tw_devbroker_topic_shape_valid(long partition_cnt, long replication_factor, int broker_cnt,
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
    if (!tw_devbroker_parse_long(text, -1, db->broker_cnt, &id) || id == 0)
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
    tw_devbroker_reply(reply, reply_size, "ok pong");
}

static void cmd_bootstraps(tw_devbroker_t *db, int argc, char **argv, char *reply,
                           size_t reply_size)
{
    (void)argc, (void)argv;
    tw_devbroker_reply(reply, reply_size, "ok %s", rd_kafka_mock_cluster_bootstraps(db->mcluster));
}

static void set_broker_up(tw_devbroker_t *db, char **argv, bool up, char *reply, size_t reply_size)
{
    int32_t broker_id;
    rd_kafka_resp_err_t err;

    if (!parse_broker_id(db, argv[1], &broker_id)) {
        tw_devbroker_reply(reply, reply_size, "error bad broker id '%.64s': expected 1..%d or all",
                           argv[1], db->broker_cnt);
        return;
    }
    err = up ? rd_kafka_mock_broker_set_up(db->mcluster, broker_id)
             : rd_kafka_mock_broker_set_down(db->mcluster, broker_id);
    if (err) {
        tw_devbroker_reply(reply, reply_size, "error %s: %s", argv[0], rd_kafka_err2str(err));
        return;
    }
    tw_devbroker_reply(reply, reply_size, "ok broker %s %s", argv[1], up ? "up" : "down");
    if (!db->quiet)
        tw_devbroker_log("broker %s set %s", argv[1], up ? "up" : "down");
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
        tw_devbroker_reply(reply, reply_size, "error bad broker id '%.64s': expected 1..%d or all",
                           argv[1], db->broker_cnt);
        return;
    }
    if (!tw_devbroker_parse_long(argv[2], 0, DEVBROKER_MAX_RTT_MS, &rtt_ms)) {
        tw_devbroker_reply(reply, reply_size, "error bad rtt '%.64s': expected 0..%d ms", argv[2],
                           DEVBROKER_MAX_RTT_MS);
        return;
    }
    err = rd_kafka_mock_broker_set_rtt(db->mcluster, broker_id, (int)rtt_ms);
    if (err) {
        tw_devbroker_reply(reply, reply_size, "error rtt: %s", rd_kafka_err2str(err));
        return;
    }
    tw_devbroker_reply(reply, reply_size, "ok broker %s rtt %ld ms", argv[1], rtt_ms);
    if (!db->quiet)
        tw_devbroker_log("broker %s rtt set to %ld ms", argv[1], rtt_ms);
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
        tw_devbroker_reply(reply, reply_size,
                           "error unknown API key '%.64s': use a name like Produce or a number",
                           argv[1]);
        return;
    }
    if (!parse_err_code(argv[2], &err)) {
        tw_devbroker_reply(reply, reply_size,
                           "error unknown error code '%.64s': use a name like "
                           "NOT_LEADER_FOR_PARTITION or a number",
                           argv[2]);
        return;
    }
    if (argc > 3 && !tw_devbroker_parse_long(argv[3], 1, DEVBROKER_MAX_ERROR_COUNT, &count)) {
        tw_devbroker_reply(reply, reply_size, "error bad count '%.64s': expected 1..%d", argv[3],
                           DEVBROKER_MAX_ERROR_COUNT);
        return;
    }
    errs = malloc((size_t)count * sizeof(*errs));
    if (!errs) {
        tw_devbroker_reply(reply, reply_size, "error out of memory");
        return;
    }
    for (i = 0; i < count; i++)
        errs[i] = err;
    rd_kafka_mock_push_request_errors_array(db->mcluster, api_key, (size_t)count, errs);
    free(errs);

    tw_devbroker_reply(reply, reply_size, "ok next %ld %s (%d) requests fail with %s (%d)", count,
                       api_key_name(api_key), api_key, rd_kafka_err2name(err), (int)err);
    if (!db->quiet)
        tw_devbroker_log("next %ld %s (%d) requests fail with %s (%d)", count,
                         api_key_name(api_key), api_key, rd_kafka_err2name(err), (int)err);
}

static void cmd_create_topic(tw_devbroker_t *db, int argc, char **argv, char *reply,
                             size_t reply_size)
{
    long partition_cnt;
    long replication_factor = 1;
    char errstr[128];
    rd_kafka_resp_err_t err;

    if (!tw_devbroker_topic_name_valid(argv[1])) {
        tw_devbroker_reply(reply, reply_size,
                           "error bad topic name '%.64s': use 1..%d of [a-zA-Z0-9._-]", argv[1],
                           DEVBROKER_TOPIC_NAME_MAX);
        return;
    }
    if (!tw_devbroker_parse_long(argv[2], 1, DEVBROKER_MAX_PARTITIONS, &partition_cnt) ||
        (argc > 3 && !tw_devbroker_parse_long(argv[3], 1, INT_MAX, &replication_factor))) {
        tw_devbroker_reply(reply, reply_size, "error partitions and replication must be numbers");
        return;
    }
    if (!tw_devbroker_topic_shape_valid(partition_cnt, replication_factor, db->broker_cnt, errstr,
                                        sizeof(errstr))) {
        tw_devbroker_reply(reply, reply_size, "error %s", errstr);
        return;
    }
    err = rd_kafka_mock_topic_create(db->mcluster, argv[1], (int)partition_cnt,
                                     (int)replication_factor);
    if (err) {
        tw_devbroker_reply(reply, reply_size, "error cannot create topic %s: %s", argv[1],
                           rd_kafka_err2str(err));
        return;
    }
    tw_devbroker_reply(reply, reply_size, "ok created topic %s with %ld partitions", argv[1],
                       partition_cnt);
    if (!db->quiet)
        tw_devbroker_log("created topic %s with %ld partitions", argv[1], partition_cnt);
}

static void cmd_leader(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size)
{
    long partition;
    int32_t broker_id;
    rd_kafka_resp_err_t err;

    (void)argc;
    if (!tw_devbroker_topic_name_valid(argv[1])) {
        tw_devbroker_reply(reply, reply_size, "error bad topic name '%.64s'", argv[1]);
        return;
    }
    if (!tw_devbroker_parse_long(argv[2], 0, DEVBROKER_MAX_PARTITIONS - 1, &partition)) {
        tw_devbroker_reply(reply, reply_size, "error bad partition '%.64s'", argv[2]);
        return;
    }
    /* -1 ("none") makes the partition leaderless, which the mock supports. */
    if (!strcasecmp(argv[3], "none")) {
        broker_id = -1;
    } else if (!parse_broker_id(db, argv[3], &broker_id) || broker_id == -1) {
        tw_devbroker_reply(reply, reply_size, "error bad broker id '%.64s': expected 1..%d or none",
                           argv[3], db->broker_cnt);
        return;
    }
    err = rd_kafka_mock_partition_set_leader(db->mcluster, argv[1], (int32_t)partition, broker_id);
    if (err) {
        tw_devbroker_reply(reply, reply_size, "error leader: %s", rd_kafka_err2str(err));
        return;
    }
    tw_devbroker_reply(reply, reply_size, "ok %s [%ld] leader %s", argv[1], partition, argv[3]);
    if (!db->quiet)
        tw_devbroker_log("%s [%ld] leader set to %s", argv[1], partition, argv[3]);
}

static void cmd_help(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size);

static void cmd_quit(tw_devbroker_t *db, int argc, char **argv, char *reply, size_t reply_size)
{
    (void)db, (void)argc, (void)argv;
    /* tw_devbroker_control_execute() notices `quit` and closes after flushing this. */
    tw_devbroker_reply(reply, reply_size, "ok bye");
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
bool tw_devbroker_control_execute(tw_devbroker_t *db, char *line, char *reply, size_t reply_size)
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
            tw_devbroker_reply(reply, reply_size, "error line contains control characters");
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
            tw_devbroker_reply(reply, reply_size, "error usage: %s", cmd->usage);
            return true;
        }
        cmd->handler(db, argc, argv, reply, reply_size);
        return cmd->handler != cmd_quit;
    }
    sanitize_echo(argv[0], echo, sizeof(echo));
    tw_devbroker_reply(reply, reply_size, "error unknown command '%s': try help", echo);
    return true;
}
