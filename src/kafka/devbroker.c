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
 *
 * This file holds the program: options, the mock cluster, the address
 * files, signals and main(). The control sockets are in
 * devbroker_control.c, the control commands (and the log and reply helpers
 * every part uses) in devbroker_commands.c. Calls run one way: devbroker.c
 * → devbroker_control.c → devbroker_commands.c, never back.
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

#include "kafka/devbroker_internal.h"

#ifdef PACKAGE_VERSION
#define TW_VERSION PACKAGE_VERSION
#else
#define TW_VERSION "0.1.0"
#endif

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
    tw_devbroker_log("librdkafka %d %s: %s", level, fac, buf);
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
    tw_devbroker_stop_signal = signo;
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
    if (!tw_devbroker_topic_name_valid(buf)) {
        snprintf(errstr, errstr_size, "--topic '%s': name must be 1..%d of [a-zA-Z0-9._-]", spec,
                 DEVBROKER_TOPIC_NAME_MAX);
        return false;
    }
    memcpy(topic->name, buf, strlen(buf) + 1); /* fits: tw_devbroker_topic_name_valid checked */
    topic->partition_cnt = 1;
    topic->replication_factor = 1;
    if (partitions) {
        if (!tw_devbroker_parse_long(partitions, 1, INT_MAX, &value)) {
            snprintf(errstr, errstr_size, "--topic '%s': partitions must be a positive number",
                     spec);
            return false;
        }
        topic->partition_cnt = (int)value;
    }
    if (replication) {
        if (!tw_devbroker_parse_long(replication, 1, INT_MAX, &value)) {
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
        tw_devbroker_log("out of memory");
        return 2;
    }

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_BROKERS:
            if (!tw_devbroker_parse_long(optarg, 1, DEVBROKER_MAX_BROKERS, &value)) {
                tw_devbroker_log("--brokers '%s': expected 1..%d", optarg, DEVBROKER_MAX_BROKERS);
                return 2;
            }
            opts->broker_cnt = (int)value;
            break;
        case OPT_TOPIC:
            if (!parse_topic_spec(optarg, &opts->topics[opts->topic_cnt], errstr, sizeof(errstr))) {
                tw_devbroker_log("%s", errstr);
                return 2;
            }
            opts->topic_cnt++;
            break;
        case OPT_BOOTSTRAP_FILE: opts->bootstrap_file = optarg; break;
        case OPT_CONTROL_FILE: opts->control_file = optarg; break;
        case OPT_CONTROL_PORT:
            if (!tw_devbroker_parse_long(optarg, 0, 65535, &value)) {
                tw_devbroker_log("--control-port '%s': expected 0..65535", optarg);
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
        tw_devbroker_log("unexpected argument '%s'; see --help", argv[optind]);
        return 2;
    }
    for (i = 0; i < opts->topic_cnt; i++) {
        if (!tw_devbroker_topic_shape_valid(opts->topics[i].partition_cnt,
                                            opts->topics[i].replication_factor, opts->broker_cnt,
                                            errstr, sizeof(errstr))) {
            tw_devbroker_log("--topic %s: %s", opts->topics[i].name, errstr);
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

    db.listen_fd =
        tw_devbroker_control_listen(opts.control_port, &db.control_port, errstr, sizeof(errstr));
    if (db.listen_fd < 0) {
        tw_devbroker_log("%s", errstr);
        goto cleanup;
    }
    if (!cluster_start(&db, &opts, errstr, sizeof(errstr))) {
        tw_devbroker_log("%s", errstr);
        goto cleanup;
    }
    if (!announce(&db, &opts, errstr, sizeof(errstr))) {
        tw_devbroker_log("%s", errstr);
        goto cleanup;
    }
    if (!db.quiet)
        tw_devbroker_log("%d broker(s) at %s, control on 127.0.0.1:%d", db.broker_cnt,
                         rd_kafka_mock_cluster_bootstraps(db.mcluster), db.control_port);

    if (tw_devbroker_control_serve(&db, &wait_mask) == 0) {
        status = 0;
        if (!db.quiet)
            tw_devbroker_log("stopping on signal %d", (int)tw_devbroker_stop_signal);
    }

cleanup:
    for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
        tw_devbroker_client_close(&db.clients[i]);
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
