/*
 * kafka_sink.c — librdkafka producer set-up, produce, delivery reports.
 */
#include "kafka/kafka_sink.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"
#include "kafka/topic_creation.h"

typedef struct topic_entry {
    char *name;
    unsigned hash;
    rd_kafka_topic_t *rkt;
    uint64_t acked_records; /* updated by delivery reports (the caller's thread) */
    uint64_t acked_bytes;
    struct topic_entry *next;                /* in its hash bucket */
    struct topic_entry *newer, *older;       /* by last use */
} topic_entry_t;

#define TOPIC_BUCKETS 256

/* Kafka's own limit on topic names (249, so that partition directory names
 * fit in 255 bytes). */
#define TOPIC_NAME_MAX 249

struct tw_kafka_sink {
    rd_kafka_t *rk;
    tw_kafka_report_cb cb;
    void *cb_opaque;
    topic_entry_t *topics[TOPIC_BUCKETS];
    topic_entry_t *newest, *oldest; /* the same entries by last use */
    size_t ntopics;                 /* entries, at most max_topics */
    size_t max_topics;
    const tw_topic_groups_t *topic_creation; /* NULL: topics are not created here */
    uint64_t other_records; /* acknowledged for topics no longer (or never) kept */
    uint64_t other_bytes;
    size_t max_message_bytes;
    bool brokers_down; /* to log the state change once */
    /* A refused login or TLS handshake: librdkafka retries those forever,
     * but no retry fixes a wrong password or an untrusted CA. */
    rd_kafka_resp_err_t setup_err;
    char setup_why[512];
    int wake[2];         /* written when reports are queued while the main loop sleeps */
    unsigned idle_polls; /* tw_kafka_sink_poll calls that found no report waiting */
    /* Shared with librdkafka's threads (on_queue_event). */
    atomic_bool reports_waiting; /* an event was queued since the last serve */
    atomic_bool sleeping;        /* the main loop waits on wake[0] (tw_kafka_sink_sleep) */
    atomic_bool piped;           /* a byte is in the pipe (or being written) */
    atomic_bool sleep_aware;     /* someone calls tw_kafka_sink_sleep: else always pipe */
    char *bootstrap;
};

/* Property names whose values must never appear in messages. */
static bool is_secret(const char *name)
{
    return strstr(name, "password") || strstr(name, "secret") || strstr(name, "sasl.jaas") ||
           strstr(name, ".key") || strstr(name, "key.pem") || strstr(name, "token");
}

/* shown: the value as messages may show it (a ${...} reference for one
 * that came from a config provider, see tw_props_shown). */
static tw_err_t conf_set_shown(rd_kafka_conf_t *conf, const char *name, const char *value,
                               const char *shown, const char *origin, char *errstr,
                               size_t errstr_size)
{
    char why[512];

    if (rd_kafka_conf_set(conf, name, value, why, sizeof(why)) != RD_KAFKA_CONF_OK)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s%sproducer.%s=%s is not accepted by librdkafka: %s", origin ? origin : "",
                       origin && *origin ? ": " : "", name, is_secret(name) ? "(hidden)" : shown,
                       strcmp(shown, value) != 0 ? "its reason would quote the value, which "
                                                   "comes from a config provider"
                                                 : why);
    return TW_OK;
}

static tw_err_t conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                         const char *origin, char *errstr, size_t errstr_size)
{
    return conf_set_shown(conf, name, value, value, origin, errstr, errstr_size);
}

/* Broker answers that describe an outage, not the record: librdkafka
 * retries them, and reports one only when the retries (producer.retries)
 * ran out. Such a record was never refused, and no error policy may skip
 * it. */
static bool outage_error(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
        return true;
    default:
        return false;
    }
}

static unsigned topic_hash(const char *name)
{
    unsigned h = 5381;

    for (; *name; name++)
        h = h * 33 + (unsigned char)*name;
    return h;
}

static topic_entry_t *topic_find(tw_kafka_sink_t *sink, const char *name, unsigned hash)
{
    topic_entry_t *t;

    for (t = sink->topics[hash % TOPIC_BUCKETS]; t; t = t->next)
        if (t->hash == hash && strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

static void lru_unlink(tw_kafka_sink_t *sink, topic_entry_t *t)
{
    if (t->newer)
        t->newer->older = t->older;
    else
        sink->newest = t->older;
    if (t->older)
        t->older->newer = t->newer;
    else
        sink->oldest = t->newer;
    t->newer = t->older = NULL;
}

static void lru_push_newest(tw_kafka_sink_t *sink, topic_entry_t *t)
{
    t->older = sink->newest;
    t->newer = NULL;
    if (sink->newest)
        sink->newest->newer = t;
    sink->newest = t;
    if (sink->oldest == NULL)
        sink->oldest = t;
}

/* Drops the least recently used handle; what Kafka acknowledged for its
 * topic moves to the "(other)" counts, so totals never go backwards. Its
 * records still in flight keep their own reference to librdkafka's topic. */
static void topic_evict_oldest(tw_kafka_sink_t *sink)
{
    topic_entry_t *t = sink->oldest, **pp;

    lru_unlink(sink, t);
    for (pp = &sink->topics[t->hash % TOPIC_BUCKETS]; *pp != t; pp = &(*pp)->next)
        ;
    *pp = t->next;
    sink->other_records += t->acked_records;
    sink->other_bytes += t->acked_bytes;
    rd_kafka_topic_destroy(t->rkt);
    free(t->name);
    free(t);
    sink->ntopics--;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    tw_kafka_sink_t *sink = opaque;
    tw_kafka_report_t report;
    char errbuf[512];

    (void)rk;
    memset(&report, 0, sizeof(report));
    report.opaque = msg->_private;
    report.topic = msg->rkt ? rd_kafka_topic_name(msg->rkt) : "";
    report.partition = msg->partition;
    report.offset = msg->offset;
    report.key = msg->key;
    report.key_len = msg->key_len;
    report.value = msg->payload;
    report.value_len = msg->len;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR && msg->rkt) {
        /* By name, not through the handle's opaque: a handle may have been
         * evicted (and librdkafka may hand the same topic object to a new
         * one) while this record was in flight. */
        topic_entry_t *t = topic_find(sink, report.topic, topic_hash(report.topic));
        if (t) {
            t->acked_records++;
            t->acked_bytes += msg->key_len + msg->len;
        } else {
            sink->other_records++;
            sink->other_bytes += msg->key_len + msg->len;
        }
    }
    if (msg->err) {
        /* Not rd_kafka_message_errstr: for a produced record it returns
         * the payload, which is not NUL-terminated (and is row content). */
        snprintf(errbuf, sizeof(errbuf), "%s: %s", rd_kafka_err2name(msg->err),
                 rd_kafka_err2str(msg->err));
        report.err = TW_ERR_KAFKA;
        /* Broker error codes are positive; local ones negative, and of
         * those only a missing topic or partition is Kafka's answer. */
        report.refused = (msg->err > 0 && !outage_error(msg->err)) ||
                         msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                         msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
        report.errstr = errbuf;
    }
    sink->cb(sink->cb_opaque, &report);
}

/* librdkafka queued an event (a delivery report, an error) for the main
 * loop. Called from librdkafka's threads with the queue locked: only
 * flags and a pipe write. seq_cst atomics: either this sees `sleeping`, or
 * tw_kafka_sink_sleep sees `reports_waiting`. */
static void on_queue_event(rd_kafka_t *rk, void *opaque)
{
    tw_kafka_sink_t *sink = opaque;
    ssize_t rc;

    (void)rk;
    atomic_store(&sink->reports_waiting, true);
    if ((atomic_load(&sink->sleeping) || !atomic_load(&sink->sleep_aware)) &&
        !atomic_exchange(&sink->piped, true)) {
        rc = write(sink->wake[1], "1", 1);
        (void)rc; /* a full pipe wakes the reader as well */
    }
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    tw_kafka_sink_t *sink = opaque;

    (void)rk;
    /* A TLS alert is the peer refusing the handshake (for example a
     * missing client certificate), not a network outage. */
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__SSL ||
        (err == RD_KAFKA_RESP_ERR__TRANSPORT && strstr(reason, "SSL routines") &&
         strstr(reason, " alert "))) {
        /* The first one says what is wrong; tw_kafka_sink_fatal stops. */
        if (!sink->setup_err) {
            sink->setup_err = err;
            snprintf(sink->setup_why, sizeof(sink->setup_why), "%s", reason);
        }
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        if (!sink->brokers_down)
            tw_log(TW_LOG_WARNING, "KAFKA", "all brokers are down (%s); records wait in the "
                                            "queue and will be sent when Kafka is back", reason);
        sink->brokers_down = true;
        return;
    }
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE) {
        tw_log(TW_LOG_DEBUG, "KAFKA", "%s: %s", rd_kafka_err2name(err), reason);
        return;
    }
    tw_log(TW_LOG_WARNING, "KAFKA", "%s: %s", rd_kafka_err2name(err), reason);
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    /* librdkafka's levels are syslog's, like ours. */
    if (level <= TW_LOG_WARNING)
        tw_log(level <= TW_LOG_ERROR ? TW_LOG_ERROR : TW_LOG_WARNING, "KAFKA", "%s: %s", fac,
               buf);
    else if (tw_log_enabled(TW_LOG_DEBUG))
        tw_log(TW_LOG_DEBUG, "KAFKA", "%s: %s", fac, buf);
}

/* Settings the delivery contract depends on cannot be weakened. */
static tw_err_t check_contract(const char *name, const char *value, const char *shown,
                               const char *origin, char *errstr, size_t errstr_size)
{
    if (strcmp(name, "enable.idempotence") == 0 && strcasecmp(value, "true") != 0)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s: producer.enable.idempotence=%s is refused: without idempotence a "
                       "retry can reorder or duplicate one key's records; remove the setting",
                       origin, shown);
    if ((strcmp(name, "acks") == 0 || strcmp(name, "request.required.acks") == 0) &&
        strcmp(value, "all") != 0 && strcmp(value, "-1") != 0)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s: producer.%s=%s is refused: tidewater confirms the slot only after "
                       "every in-sync replica has a record (acks=all); remove the setting",
                       origin, name, shown);
    return TW_OK;
}

tw_err_t tw_kafka_sink_new(const char *bootstrap, const tw_props_t *props,
                           const char *transactional_id, tw_kafka_report_cb cb, void *cb_opaque,
                           tw_kafka_sink_t **out, char *errstr, size_t errstr_size)
{
    static const char *const defaults[][2] = {
        {"enable.idempotence", "true"}, {"acks", "all"},
        {"partitioner", "murmur2_random"}, {"compression.type", "lz4"},
        {"linger.ms", "5"}, {"message.timeout.ms", "0"},
        /* Bound the producer's buffer (librdkafka defaults to 1 GB): when it
         * is full, reading from PostgreSQL pauses instead of memory growing. */
        {"queue.buffering.max.kbytes", "8192"},
        {"client.id", "tidewater"},
    };
    tw_kafka_sink_t *sink = tw_calloc(1, sizeof(*sink));
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char why[512], value[64];
    size_t i, n = props ? tw_props_count(props) : 0, size = sizeof(value);
    tw_err_t err = TW_OK;

    *out = NULL;
    sink->cb = cb;
    sink->cb_opaque = cb_opaque;
    sink->bootstrap = tw_strdup(bootstrap ? bootstrap : "");
    sink->max_topics = TW_KAFKA_SINK_MAX_TOPICS;
    for (i = 0; i < TW_ARRAY_SIZE(defaults) && err == TW_OK; i++) {
        /* A transaction must end within transaction.timeout.ms, and
         * librdkafka sizes the message timeout from it: an outage aborts
         * the transaction, and its source transactions are read again. */
        if (transactional_id && strcmp(defaults[i][0], "message.timeout.ms") == 0)
            continue;
        err = conf_set(conf, defaults[i][0], defaults[i][1], "default", errstr, errstr_size);
    }
    if (err == TW_OK && transactional_id)
        err = conf_set(conf, "transactional.id", transactional_id, "exactly.once.support",
                       errstr, errstr_size);
    if (err == TW_OK && bootstrap)
        err = conf_set(conf, "bootstrap.servers", bootstrap, "bootstrap.servers", errstr,
                       errstr_size);
    for (i = 0; i < n && err == TW_OK; i++) {
        const char *name, *v, *origin;
        tw_props_entry(props, i, &name, &v, &origin);
        err = check_contract(name, v, tw_props_shown(props, i), origin, errstr, errstr_size);
        if (err == TW_OK)
            err = conf_set_shown(conf, name, v, tw_props_shown(props, i), origin, errstr,
                                 errstr_size);
    }
    if (err) {
        rd_kafka_conf_destroy(conf);
        free(sink->bootstrap);
        free(sink);
        return err;
    }
    if (rd_kafka_conf_get(conf, "message.max.bytes", value, &size) == RD_KAFKA_CONF_OK)
        sink->max_message_bytes = (size_t)strtoull(value, NULL, 10);
    rd_kafka_conf_set_opaque(conf, sink);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    sink->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (sink->rk == NULL) {
        free(sink->bootstrap);
        free(sink);
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "cannot create the Kafka producer: %s",
                       why);
    }
    /* Delivery reports should wake the main loop at once, not when its
     * next PostgreSQL read times out: that delay is latency. But a busy
     * loop serves them anyway, and a write to the pipe plus a read (or a
     * poll() woken by it) costs system calls and a context switch per
     * report: the pipe is written only while the loop sleeps. */
    if (pipe(sink->wake) == 0) {
        rd_kafka_queue_t *main_queue = rd_kafka_queue_get_main(sink->rk);
        fcntl(sink->wake[0], F_SETFL, O_NONBLOCK);
        fcntl(sink->wake[1], F_SETFL, O_NONBLOCK);
        rd_kafka_queue_cb_event_enable(main_queue, on_queue_event, sink);
        rd_kafka_queue_destroy(main_queue);
    } else {
        sink->wake[0] = sink->wake[1] = -1;
    }
    *out = sink;
    return TW_OK;
}

int tw_kafka_sink_wake_fd(const tw_kafka_sink_t *sink)
{
    return sink->wake[0];
}

void tw_kafka_sink_destroy(tw_kafka_sink_t *sink)
{
    size_t i;

    if (sink == NULL)
        return;
    for (i = 0; i < TOPIC_BUCKETS; i++) {
        topic_entry_t *t = sink->topics[i];
        while (t) {
            topic_entry_t *next = t->next;
            rd_kafka_topic_destroy(t->rkt);
            free(t->name);
            free(t);
            t = next;
        }
    }
    /* Purge what is still queued so destroy does not wait for it. */
    rd_kafka_purge(sink->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(sink->rk, 0);
    rd_kafka_destroy(sink->rk);
    if (sink->wake[0] >= 0) {
        close(sink->wake[0]);
        close(sink->wake[1]);
    }
    free(sink->bootstrap);
    free(sink);
}

bool tw_kafka_topic_check(const char *name, char *errstr, size_t errstr_size)
{
    size_t i, len = strlen(name);

    if (len == 0) {
        tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "the topic name is empty");
        return false;
    }
    if (len > TOPIC_NAME_MAX) {
        tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                "the topic name is %zu characters long; Kafka allows at most %d", len,
                TOPIC_NAME_MAX);
        return false;
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                "the topic name is \"%s\", which Kafka forbids", name);
        return false;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            /* The position, not the character: the name may be row content. */
            tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                    "the topic name has a character Kafka forbids at position %zu (Kafka "
                    "allows only ASCII letters, digits, '.', '_' and '-')",
                    i + 1);
            return false;
        }
    }
    return true;
}

/* The handle for a topic: its cached entry t (found by the caller with
 * hash h; made most recently used), or a new entry when t is NULL; past
 * max_topics the least recently used one goes (a routed topic comes from
 * row content, so the number of distinct names is not ours to choose).
 * NULL when librdkafka refuses the name. */
static rd_kafka_topic_t *topic_handle(tw_kafka_sink_t *sink, const char *name, unsigned h,
                                      topic_entry_t *t)
{
    rd_kafka_topic_t *rkt;

    if (t) {
        if (sink->newest != t) {
            lru_unlink(sink, t);
            lru_push_newest(sink, t);
        }
        return t->rkt;
    }
    /* Start from the configured defaults: a fresh topic conf would lose
     * partitioner=murmur2_random (and every producer.* topic property). */
    rkt = rd_kafka_topic_new(sink->rk, name, rd_kafka_default_topic_conf_dup(sink->rk));
    if (rkt == NULL)
        return NULL;
    while (sink->ntopics >= sink->max_topics && sink->oldest)
        topic_evict_oldest(sink);
    t = tw_calloc(1, sizeof(*t));
    t->rkt = rkt;
    t->name = tw_strdup(name);
    t->hash = h;
    t->next = sink->topics[h % TOPIC_BUCKETS];
    sink->topics[h % TOPIC_BUCKETS] = t;
    lru_push_newest(sink, t);
    sink->ntopics++;
    return t->rkt;
}

void tw_kafka_sink_set_topic_creation(tw_kafka_sink_t *sink, const tw_topic_groups_t *groups)
{
    sink->topic_creation = groups;
}

void tw_kafka_sink_set_max_topics(tw_kafka_sink_t *sink, size_t max_topics)
{
    sink->max_topics = max_topics > 0 ? max_topics : 1;
    while (sink->ntopics > sink->max_topics)
        topic_evict_oldest(sink);
}

tw_err_t tw_kafka_sink_produce(tw_kafka_sink_t *sink, const tw_kafka_record_t *record,
                               char *errstr, size_t errstr_size)
{
    rd_kafka_headers_t *headers = NULL;
    rd_kafka_topic_t *rkt;
    rd_kafka_resp_err_t err;
    size_t i, size = record->key_len + record->value_len;
    unsigned h = topic_hash(record->topic);
    topic_entry_t *cached = topic_find(sink, record->topic, h);
    char why[256];

    /* librdkafka takes names a broker refuses (and returns no handle for
     * some): check Kafka's rules first, naming the rule, not the name. A
     * cached topic passed them already. */
    if (!cached && !tw_kafka_topic_check(record->topic, why, sizeof(why)))
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "cannot produce: %s", why);
    for (i = 0; i < record->nheaders; i++)
        size += strlen(record->headers[i].name) + record->headers[i].len;
    if (sink->max_message_bytes && size > sink->max_message_bytes)
        return tw_errf(TW_ERR_REJECTED, errstr, errstr_size,
                       "record for topic %s is %zu bytes, over message.max.bytes=%zu; raise "
                       "producer.message.max.bytes (and the topic's max.message.bytes)",
                       record->topic, size, sink->max_message_bytes);
    if (record->nheaders > 0) {
        headers = rd_kafka_headers_new(record->nheaders);
        for (i = 0; i < record->nheaders; i++)
            rd_kafka_header_add(headers, record->headers[i].name, -1, record->headers[i].value,
                                record->headers[i].value ? (ssize_t)record->headers[i].len : 0);
    }
    /* A topic not seen lately may have to be created first (Connect's
     * topic.creation groups); a slow or refused creation keeps the record. */
    if (sink->topic_creation && !cached) {
        tw_err_t cerr = tw_topic_creation_ensure(sink->topic_creation, sink->rk, record->topic,
                                                 5000, errstr, errstr_size);
        if (cerr) {
            if (headers) /* librdkafka's destroy does not take NULL */
                rd_kafka_headers_destroy(headers);
            if (cerr == TW_ERR_AGAIN)
                tw_log(TW_LOG_WARNING, "KAFKA", "%s; retrying", errstr);
            return cerr;
        }
    }
    rkt = topic_handle(sink, record->topic, h, cached);
    if (rkt == NULL) {
        if (headers)
            rd_kafka_headers_destroy(headers);
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "librdkafka refuses the topic name (%s)",
                       rd_kafka_err2str(rd_kafka_last_error()));
    }
    err = rd_kafka_producev(
        sink->rk, RD_KAFKA_V_RKT(rkt),
        RD_KAFKA_V_PARTITION(record->partition == TW_KAFKA_PARTITION_ANY ? RD_KAFKA_PARTITION_UA
                                                                         : record->partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(record->key, record->key ? record->key_len : 0),
        RD_KAFKA_V_VALUE((void *)record->value, record->value ? record->value_len : 0),
        RD_KAFKA_V_TIMESTAMP(record->timestamp_ms), RD_KAFKA_V_OPAQUE(record->opaque),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return TW_OK; /* librdkafka owns the headers now */
    if (headers)
        rd_kafka_headers_destroy(headers);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        return TW_ERR_AGAIN;
    /* A transactional producer refuses new records once its transaction
     * hit an abortable error: the transaction's fault, not the record's. */
    if (err == RD_KAFKA_RESP_ERR__STATE)
        return tw_errf(TW_ERR_IO, errstr, errstr_size,
                       "producing to %s: the Kafka transaction can no longer take records (%s)",
                       record->topic, rd_kafka_err2str(err));
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        return tw_errf(TW_ERR_REJECTED, errstr, errstr_size,
                       "record for topic %s is too large for message.max.bytes=%zu; raise "
                       "producer.message.max.bytes",
                       record->topic, sink->max_message_bytes);
    return tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "producing to %s: %s", record->topic,
                   rd_kafka_err2str(err));
}

bool tw_kafka_sink_sleep(tw_kafka_sink_t *sink, bool sleeping)
{
    if (sink->wake[0] < 0)
        return true;
    if (!sleeping) {
        atomic_store(&sink->sleeping, false);
        return true;
    }
    atomic_store(&sink->sleep_aware, true);
    atomic_store(&sink->sleeping, true);
    if (!atomic_load(&sink->reports_waiting))
        return true;
    atomic_store(&sink->sleeping, false);
    return false;
}

int tw_kafka_sink_poll(tw_kafka_sink_t *sink, int timeout_ms)
{
    char drain[64];
    bool woken = sink->wake[0] < 0;
    int n = 0;

    /* Empty the wake-up pipe first, only when something was written to
     * it: an empty read is a system call for nothing. `piped` is cleared
     * only once the byte is read (on_queue_event sets it before writing):
     * a byte left behind would wake every later wait. */
    if (sink->wake[0] >= 0 && atomic_load(&sink->piped) &&
        read(sink->wake[0], drain, sizeof(drain)) > 0)
        atomic_store(&sink->piped, false); /* one byte per setting of `piped` */
    /* Cleared before serving: an event queued from here on sets it again. */
    if (sink->wake[0] >= 0 && atomic_exchange(&sink->reports_waiting, false))
        woken = true;
    /* An empty rd_kafka_poll costs about as much as serving a report, and
     * the main loop polls every few messages it reads. Every 32nd call
     * serves anyway, as a safety net. */
    if (woken || timeout_ms != 0 || ++sink->idle_polls % 32 == 0)
        n = rd_kafka_poll(sink->rk, timeout_ms);

    if (n > 0 && sink->brokers_down) {
        sink->brokers_down = false;
        tw_log(TW_LOG_NOTICE, "KAFKA", "deliveries resumed");
    }
    return n;
}

tw_err_t tw_kafka_sink_flush(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                             size_t errstr_size)
{
    if (rd_kafka_flush(sink->rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return tw_errf(TW_ERR_AGAIN, errstr, errstr_size,
                       "%d records were still unacknowledged after %d ms",
                       rd_kafka_outq_len(sink->rk), timeout_ms);
    return TW_OK;
}

/* librdkafka before 2.6.1 repeats its nonce in the SCRAM client-final
 * message; Kafka 4 brokers check it strictly and refuse even the right
 * password, so a refused SCRAM login there needs this hint. */
static bool scram_nonce_bug(const tw_kafka_sink_t *sink)
{
    char mech[64];
    size_t n = sizeof(mech);

    if (rd_kafka_version() >= 0x020601ff)
        return false;
    if (rd_kafka_conf_get(rd_kafka_conf(sink->rk), "sasl.mechanisms", mech, &n) !=
        RD_KAFKA_CONF_OK)
        return false;
    return strncasecmp(mech, "SCRAM-", 6) == 0;
}

static tw_err_t setup_error(tw_kafka_sink_t *sink, char *errstr, size_t errstr_size)
{
    if (sink->setup_err == RD_KAFKA_RESP_ERR__AUTHENTICATION)
        return tw_errf(TW_ERR_KAFKA, errstr, errstr_size,
                       "Kafka refused tidewater's login (%s); check producer.sasl.mechanism, "
                       "producer.sasl.username and producer.sasl.password (and the user's "
                       "credentials on the brokers)%s%s%s",
                       sink->setup_why,
                       scram_nonce_bug(sink) ? "; note: this librdkafka (" : "",
                       scram_nonce_bug(sink) ? rd_kafka_version_str() : "",
                       scram_nonce_bug(sink) ? ") is older than 2.6.1, which cannot log in with "
                                               "SCRAM to Kafka 4 brokers even with the right "
                                               "password: install librdkafka 2.6.1 or newer, "
                                               "or use SASL PLAIN over TLS"
                                             : "");
    return tw_errf(TW_ERR_KAFKA, errstr, errstr_size,
                   "TLS with Kafka failed (%s); check producer.ssl.ca.location (the CA that "
                   "signed the brokers' certificates), that the bootstrap.servers host names "
                   "match those certificates, and producer.ssl.certificate.location and "
                   "producer.ssl.key.location if the brokers require a client certificate",
                   sink->setup_why);
}

bool tw_kafka_sink_refused(const tw_kafka_sink_t *sink)
{
    return sink->setup_err != RD_KAFKA_RESP_ERR_NO_ERROR;
}

tw_err_t tw_kafka_sink_fatal(tw_kafka_sink_t *sink, char *errstr, size_t errstr_size)
{
    char why[512];
    rd_kafka_resp_err_t err = rd_kafka_fatal_error(sink->rk, why, sizeof(why));

    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && sink->setup_err)
        return setup_error(sink, errstr, errstr_size);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return TW_OK;
    if (err == RD_KAFKA_RESP_ERR__FENCED) {
        char txid[256];
        size_t n = sizeof(txid);

        if (rd_kafka_conf_get(rd_kafka_conf(sink->rk), "transactional.id", txid, &n) !=
            RD_KAFKA_CONF_OK)
            snprintf(txid, sizeof(txid), "?");
        return tw_errf(TW_ERR_KAFKA, errstr, errstr_size,
                       "Kafka fenced this producer: another one started with transactional.id "
                       "%s (a second tidewater with the same connector name or "
                       "producer.transactional.id?); stopping without writing more; run one "
                       "instance per transactional.id (%s)",
                       txid, why);
    }
    return tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "fatal Kafka producer error %s: %s",
                   rd_kafka_err2name(err), why);
}

tw_err_t tw_kafka_sink_ping(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                            size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(sink->rk, 0, NULL, &md, timeout_ms);
    int brokers;

    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_poll(sink->rk, 0); /* delivers a refused login to on_error */
        if (sink->setup_err)
            return setup_error(sink, errstr, errstr_size);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return tw_errf(TW_ERR_UNAVAILABLE, errstr, errstr_size,
                       "cannot reach Kafka at %s: %s; check bootstrap.servers (and "
                       "producer.security.protocol, TLS and SASL settings)",
                       sink->bootstrap, rd_kafka_err2str(err));
    brokers = md->broker_cnt;
    rd_kafka_metadata_destroy(md);
    tw_errf(TW_OK, errstr, errstr_size, "%d broker%s", brokers, brokers == 1 ? "" : "s");
    return TW_OK;
}

void tw_kafka_sink_topic_counts(tw_kafka_sink_t *sink,
                                void (*fn)(void *opaque, const char *topic, uint64_t records,
                                           uint64_t bytes),
                                void *opaque)
{
    size_t i;
    topic_entry_t *t;

    for (i = 0; i < TOPIC_BUCKETS; i++)
        for (t = sink->topics[i]; t; t = t->next)
            fn(opaque, t->name, t->acked_records, t->acked_bytes);
    if (sink->other_records > 0)
        fn(opaque, TW_KAFKA_SINK_OTHER_TOPICS, sink->other_records, sink->other_bytes);
}

size_t tw_kafka_sink_outstanding(tw_kafka_sink_t *sink)
{
    return (size_t)rd_kafka_outq_len(sink->rk);
}

size_t tw_kafka_sink_max_message_bytes(const tw_kafka_sink_t *sink)
{
    return sink->max_message_bytes;
}

/* ------------------------------------------------------------------ transactions */

/* Sorts a transactional API error into what the caller should do. */
static tw_err_t txn_error(rd_kafka_error_t *error, const char *what, char *errstr,
                          size_t errstr_size)
{
    tw_err_t err = TW_ERR_KAFKA;

    if (error == NULL)
        return TW_OK;
    if (rd_kafka_error_txn_requires_abort(error))
        err = TW_ERR_REJECTED;
    else if (rd_kafka_error_is_retriable(error))
        err = TW_ERR_AGAIN;
    else if (rd_kafka_error_is_fatal(error))
        err = TW_ERR_KAFKA;
    tw_errf(err, errstr, errstr_size, "%s: %s: %s", what, rd_kafka_error_name(error),
            rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return err;
}

tw_err_t tw_kafka_sink_init_txns(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                                 size_t errstr_size)
{
    return txn_error(rd_kafka_init_transactions(sink->rk, timeout_ms),
                     "initializing Kafka transactions", errstr, errstr_size);
}

tw_err_t tw_kafka_sink_begin_txn(tw_kafka_sink_t *sink, char *errstr, size_t errstr_size)
{
    return txn_error(rd_kafka_begin_transaction(sink->rk), "beginning a Kafka transaction",
                     errstr, errstr_size);
}

tw_err_t tw_kafka_sink_commit_txn(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                                  size_t errstr_size)
{
    return txn_error(rd_kafka_commit_transaction(sink->rk, timeout_ms),
                     "committing a Kafka transaction", errstr, errstr_size);
}

tw_err_t tw_kafka_sink_abort_txn(tw_kafka_sink_t *sink, int timeout_ms, char *errstr,
                                 size_t errstr_size)
{
    return txn_error(rd_kafka_abort_transaction(sink->rk, timeout_ms),
                     "aborting a Kafka transaction", errstr, errstr_size);
}
