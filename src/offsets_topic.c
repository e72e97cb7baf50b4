/*
 * offsets_topic.c — encoding the exactly-once checkpoint, and reading the
 * newest one back with a short-lived consumer.
 */
#include "offsets_topic.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

void tw_offsets_topic_key(const char *connector, const char *slot, tw_buf_t *out)
{
    tw_buf_reset(out);
    tw_buf_append_char(out, '[');
    tw_buf_append_json_string(out, connector, strlen(connector));
    tw_buf_append_str(out, ",{\"slot\":");
    tw_buf_append_json_string(out, slot, strlen(slot));
    tw_buf_append_str(out, "}]");
}

void tw_offsets_topic_value(const char *slot, const tw_offset_t *offset, tw_lsn_t prev_commit_lsn,
                            const tw_offsets_range_t *ranges, size_t nranges, tw_buf_t *out)
{
    size_t i;

    tw_buf_reset(out);
    tw_buf_append_str(out, "{\"slot\":");
    tw_buf_append_json_string(out, slot, strlen(slot));
    tw_buf_printf(out,
                  ",\"commit_lsn\":\"" TW_LSN_FMT "\",\"end_lsn\":\"" TW_LSN_FMT
                  "\",\"commit_ts_us\":%lld,\"prev_commit_lsn\":\"" TW_LSN_FMT "\",\"records\":[",
                  TW_LSN_ARGS(offset->commit_lsn), TW_LSN_ARGS(offset->end_lsn),
                  (long long)offset->commit_ts, TW_LSN_ARGS(prev_commit_lsn));
    for (i = 0; i < nranges; i++) {
        tw_buf_append_str(out, i ? ",{\"topic\":" : "{\"topic\":");
        tw_buf_append_json_string(out, ranges[i].topic, strlen(ranges[i].topic));
        tw_buf_printf(out, ",\"partition\":%d,\"first\":%lld,\"last\":%lld}",
                      (int)ranges[i].partition, (long long)ranges[i].first,
                      (long long)ranges[i].last);
    }
    tw_buf_append_str(out, "]}");
}

tw_err_t tw_offsets_topic_parse(const void *value, size_t len, const char *slot,
                                tw_offset_t *offset, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root = json_loadb(value, len, 0, &jerr);
    const char *s = NULL, *commit = NULL, *end = NULL;
    json_int_t ts = 0;
    tw_err_t err = TW_OK;

    memset(offset, 0, sizeof(*offset));
    if (root == NULL)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "not JSON (%s)", jerr.text);
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s:s, s:s, s?:I}", "slot", &s, "commit_lsn", &commit,
                       "end_lsn", &end, "commit_ts_us", &ts) != 0)
        err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "%s", jerr.text);
    else if (!tw_lsn_parse(commit, &offset->commit_lsn) || !tw_lsn_parse(end, &offset->end_lsn))
        err =
            tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "bad LSN \"%s\" or \"%s\"", commit, end);
    else if (strcmp(s, slot) != 0)
        err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                      "it belongs to slot \"%s\", not \"%s\"", s, slot);
    else
        offset->commit_ts = ts;
    json_decref(root);
    return err;
}

/* ------------------------------------------------------------------ reading */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The client settings a consumer shares with the producer: where and how
 * to connect, never what to produce. */
static bool is_connection_property(const char *name)
{
    static const char *const prefixes[] = {"security.", "ssl.",        "sasl.",       "socket.",
                                           "broker.",   "client.dns.", "api.version."};
    size_t i;

    for (i = 0; i < TW_ARRAY_SIZE(prefixes); i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return strcmp(name, "client.id") == 0;
}

static void on_reader_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= TW_LOG_ERROR)
        tw_log(TW_LOG_WARNING, "CKPT", "offsets reader: %s: %s", fac, buf);
    else if (tw_log_enabled(TW_LOG_DEBUG))
        tw_log(TW_LOG_DEBUG, "CKPT", "offsets reader: %s: %s", fac, buf);
}

static rd_kafka_t *new_reader(const char *bootstrap, const tw_props_t *client_props, char *errstr,
                              size_t errstr_size)
{
    static const char *const settings[][2] = {
        {"group.id", "tidewater-offsets-reader"}, /* never joined: partitions are assigned */
        {"enable.auto.commit", "false"},           {"isolation.level", "read_committed"},
        {"enable.partition.eof", "true"},          {"auto.offset.reset", "earliest"},
        {"client.id", "tidewater-offsets-reader"},
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char why[512];
    size_t i, n = client_props ? tw_props_count(client_props) : 0;
    rd_kafka_t *rk;

    for (i = 0; i < TW_ARRAY_SIZE(settings); i++)
        rd_kafka_conf_set(conf, settings[i][0], settings[i][1], why, sizeof(why));
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, why, sizeof(why)) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "bootstrap.servers: %s", why);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        const char *name, *value, *origin;
        tw_props_entry(client_props, i, &name, &value, &origin);
        /* Accepted by the producer already, so an error here cannot be
         * the user's: ignore it rather than fail a second time. */
        if (is_connection_property(name))
            rd_kafka_conf_set(conf, name, value, why, sizeof(why));
    }
    rd_kafka_conf_set_log_cb(conf, on_reader_log);
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof(why));
    if (rk == NULL)
        tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "cannot create the offsets topic reader: %s",
                why);
    return rk;
}

/* Compacted, as Kafka Connect creates its offsets topic. Best effort: a
 * cluster without the admin API may still auto-create it. */
static void create_topic(rd_kafka_t *rk, const char *topic, int timeout_ms)
{
    char why[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, -1, why, sizeof(why));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_event_t *ev;

    if (nt == NULL)
        goto out;
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms, why, sizeof(why));
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
    ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    if (ev) {
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        const rd_kafka_topic_result_t **tr;
        size_t n = 0;
        rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
        const char *msg = rd_kafka_event_error_string(ev);

        if (err == RD_KAFKA_RESP_ERR_NO_ERROR && res) {
            tr = rd_kafka_CreateTopics_result_topics(res, &n);
            if (n == 1) {
                err = rd_kafka_topic_result_error(tr[0]);
                msg = rd_kafka_topic_result_error_string(tr[0]);
            }
        }
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            tw_log(TW_LOG_NOTICE, "CKPT", "created offsets topic %s (cleanup.policy=compact)",
                   topic);
        else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            tw_log(TW_LOG_NOTICE, "CKPT",
                   "could not create offsets topic %s (%s: %s); relying on the broker to "
                   "auto-create it — better create it yourself with cleanup.policy=compact",
                   topic, rd_kafka_err2name(err), msg ? msg : "");
        rd_kafka_event_destroy(ev);
    }
out:
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
}

/* Consumes the assigned partitions to their end; the newest value under
 * key wins (the topic is compacted by key, so log order is history). */
static tw_err_t consume_to_end(rd_kafka_t *rk, const char *topic, int nparts, const char *key,
                               const char *slot, int64_t deadline, tw_offset_t *offset, bool *found,
                               char *errstr, size_t errstr_size)
{
    size_t key_len = strlen(key);
    int at_end = 0;
    char why[512];

    while (at_end < nparts) {
        rd_kafka_message_t *m;
        if (mono_ms() > deadline)
            return tw_errf(TW_ERR_UNAVAILABLE, errstr, errstr_size,
                           "timed out reading offsets topic %s to its end (%d of %d partitions "
                           "read); is Kafka reachable?",
                           topic, at_end, nparts);
        m = rd_kafka_consumer_poll(rk, 200);
        if (m == NULL)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            at_end++;
        } else if (m->err) {
            tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "reading offsets topic %s: %s", topic,
                    rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            return TW_ERR_KAFKA;
        } else if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
            if (m->payload == NULL) {
                *found = false; /* a tombstone: the checkpoint was deleted */
            } else if (tw_offsets_topic_parse(m->payload, m->len, slot, offset, why, sizeof(why)) !=
                       TW_OK) {
                tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                        "offsets topic %s, partition %d, offset %lld holds an unreadable "
                        "checkpoint for %s: %s; fix the topic (or point offset.storage.topic "
                        "elsewhere, which replays from the slot's position)",
                        topic, (int)m->partition, (long long)m->offset, key, why);
                rd_kafka_message_destroy(m);
                return TW_ERR_MALFORMED;
            } else {
                *found = true;
            }
        }
        rd_kafka_message_destroy(m);
    }
    return TW_OK;
}

tw_err_t tw_offsets_topic_load(const char *bootstrap, const tw_props_t *client_props,
                               const char *topic, const char *key, const char *slot, int timeout_ms,
                               tw_offset_t *offset, bool *found, char *errstr, size_t errstr_size)
{
    int64_t deadline = mono_ms() + timeout_ms;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_partition_list_t *parts = NULL;
    rd_kafka_topic_t *rkt;
    rd_kafka_resp_err_t kerr;
    rd_kafka_t *rk;
    tw_err_t err = TW_OK;
    int i, nparts = 0;

    memset(offset, 0, sizeof(*offset));
    *found = false;
    rk = new_reader(bootstrap, client_props, errstr, errstr_size);
    if (rk == NULL)
        return TW_ERR_CONFIG;
    rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rkt == NULL) {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size, "offsets topic %s: %s", topic,
                      rd_kafka_err2str(rd_kafka_last_error()));
        goto out;
    }
    kerr = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    if (kerr != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err = tw_errf(TW_ERR_UNAVAILABLE, errstr, errstr_size,
                      "cannot read metadata of offsets topic %s: %s; check bootstrap.servers",
                      topic, rd_kafka_err2str(kerr));
        goto out;
    }
    if (md->topic_cnt != 1 || md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        /* No topic yet: nothing was ever committed. */
        create_topic(rk, topic, TW_MIN(timeout_ms, 3000));
        goto out;
    }
    if (md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err = tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "offsets topic %s: %s", topic,
                      rd_kafka_err2str(md->topics[0].err));
        goto out;
    }
    parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
    for (i = 0; i < md->topics[0].partition_cnt; i++) {
        int64_t low = 0, high = 0;
        int32_t id = md->topics[0].partitions[i].id;
        kerr = rd_kafka_query_watermark_offsets(rk, topic, id, &low, &high,
                                                (int)TW_MAX(deadline - mono_ms(), 1));
        if (kerr != RD_KAFKA_RESP_ERR_NO_ERROR) {
            err = tw_errf(TW_ERR_UNAVAILABLE, errstr, errstr_size,
                          "cannot read the end of offsets topic %s [%d]: %s", topic, (int)id,
                          rd_kafka_err2str(kerr));
            goto out;
        }
        if (high > low) { /* an empty partition would never report its end */
            rd_kafka_topic_partition_list_add(parts, topic, id)->offset = RD_KAFKA_OFFSET_BEGINNING;
            nparts++;
        }
    }
    if (nparts == 0)
        goto out;
    kerr = rd_kafka_assign(rk, parts);
    if (kerr != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err = tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "reading offsets topic %s: %s", topic,
                      rd_kafka_err2str(kerr));
        goto out;
    }
    err =
        consume_to_end(rk, topic, nparts, key, slot, deadline, offset, found, errstr, errstr_size);
out:
    if (parts)
        rd_kafka_topic_partition_list_destroy(parts);
    if (md)
        rd_kafka_metadata_destroy(md);
    if (rkt)
        rd_kafka_topic_destroy(rkt);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (err != TW_OK || !*found)
        memset(offset, 0, sizeof(*offset));
    return err;
}
