/*
 * offsets_topic.c — encoding the exactly-once checkpoint, and reading the
 * newest one back with a short-lived consumer.
 */
#include "progress/offsets_topic.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

void tw_offsets_topic_key(const char *connector, const char *slot, tw_buf_t *out)
{
    tw_buf_reset(out);
    tw_buf_append_char(out, '[');
    tw_buf_append_json_string(out, connector, strlen(connector));
    tw_buf_append_str(out, ",{\"slot\":");
    tw_buf_append_json_string(out, slot, strlen(slot));
    tw_buf_append_str(out, "}]");
}

void tw_offsets_topic_value(const tw_offset_origin_t *origin, int64_t generation,
                            const tw_offset_t *offset, tw_lsn_t prev_commit_lsn,
                            const tw_offsets_range_t *ranges, size_t nranges, tw_buf_t *out)
{
    size_t i;

    tw_buf_reset(out);
    tw_buf_append_str(out, "{\"slot\":");
    tw_buf_append_json_string(out, origin->slot, strlen(origin->slot));
    tw_buf_printf(out,
                  ",\"commit_lsn\":\"" TW_LSN_FMT "\",\"end_lsn\":\"" TW_LSN_FMT
                  "\",\"commit_ts_us\":%lld,\"txn_commit_ts_us\":%lld,"
                  "\"prev_commit_lsn\":\"" TW_LSN_FMT "\",\"records\":[",
                  TW_LSN_ARGS(offset->commit_lsn), TW_LSN_ARGS(offset->end_lsn),
                  (long long)offset->commit_ts, (long long)offset->txn_commit_ts,
                  TW_LSN_ARGS(prev_commit_lsn));
    for (i = 0; i < nranges; i++) {
        tw_buf_append_str(out, i ? ",{\"topic\":" : "{\"topic\":");
        tw_buf_append_json_string(out, ranges[i].topic, strlen(ranges[i].topic));
        tw_buf_printf(out, ",\"partition\":%d,\"first\":%lld,\"last\":%lld}",
                      (int)ranges[i].partition, (long long)ranges[i].first,
                      (long long)ranges[i].last);
    }
    tw_buf_append_str(out, "]");
    if (origin->system_id[0]) {
        tw_buf_append_str(out, ",\"system_id\":");
        tw_buf_append_json_string(out, origin->system_id, strlen(origin->system_id));
        tw_buf_printf(out, ",\"timeline\":%u,\"database\":", (unsigned)origin->timeline);
        tw_buf_append_json_string(out, origin->database, strlen(origin->database));
        tw_buf_printf(out, ",\"database_oid\":%u", (unsigned)origin->database_oid);
    }
    tw_buf_printf(out, ",\"generation\":%lld}", (long long)generation);
}

void tw_offsets_topic_reset_value(const char *slot, int64_t generation, int64_t now_us,
                                  tw_buf_t *out)
{
    tw_buf_reset(out);
    tw_buf_append_str(out, "{\"slot\":");
    tw_buf_append_json_string(out, slot, strlen(slot));
    tw_buf_printf(out, ",\"reset\":true,\"generation\":%lld,\"reset_at_us\":%lld}",
                  (long long)generation, (long long)now_us);
}

tw_err_t tw_offsets_topic_parse(const void *value, size_t len, const char *slot,
                                tw_offsets_topic_record_t *rec, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root = json_loadb(value, len, 0, &jerr);
    const char *s = NULL, *commit = NULL, *end = NULL, *sysid = NULL, *db = NULL;
    json_int_t ts = 0, txn_ts = -1, gen = 0, tli = 0, oid = 0;
    int reset = 0;
    tw_err_t err = TW_OK;

    memset(rec, 0, sizeof(*rec));
    if (root == NULL)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "not JSON (%s)", jerr.text);
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s?:b, s?:I}", "slot", &s, "reset", &reset,
                       "generation", &gen) != 0)
        err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "%s", jerr.text);
    else if (strcmp(s, slot) != 0)
        err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                      "it belongs to slot \"%s\", not \"%s\"", s, slot);
    else if (reset)
        rec->reset = true;
    else if (json_unpack_ex(root, &jerr, 0, "{s:s, s:s, s?:I, s?:I, s?:s, s?:I, s?:s, s?:I}",
                            "commit_lsn", &commit, "end_lsn", &end, "commit_ts_us", &ts,
                            "txn_commit_ts_us", &txn_ts, "system_id", &sysid, "timeline",
                            &tli, "database", &db, "database_oid", &oid) != 0)
        err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "%s", jerr.text);
    else if (!tw_lsn_parse(commit, &rec->offset.commit_lsn) ||
             !tw_lsn_parse(end, &rec->offset.end_lsn))
        err =
            tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "bad LSN \"%s\" or \"%s\"", commit, end);
    if (err == TW_OK) {
        rec->offset.commit_ts = ts;
        /* Missing in checkpoints of older versions. */
        rec->offset.txn_commit_ts = txn_ts >= 0 ? txn_ts : ts;
        rec->generation = gen;
        snprintf(rec->origin.slot, sizeof(rec->origin.slot), "%s", s);
        if (sysid) {
            snprintf(rec->origin.system_id, sizeof(rec->origin.system_id), "%s", sysid);
            rec->origin.timeline = (uint32_t)tli;
            snprintf(rec->origin.database, sizeof(rec->origin.database), "%s", db ? db : "");
            rec->origin.database_oid = (uint32_t)oid;
        }
    } else {
        memset(rec, 0, sizeof(*rec));
    }
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

/* The newest record of one partition (log order is history there). */
typedef struct partition_read {
    int32_t id;
    int64_t high; /* read until here */
    bool done;
    bool has;     /* a record (not a tombstone) is the newest */
    tw_offsets_topic_record_t rec;
} partition_read_t;

static partition_read_t *find_partition(partition_read_t *parts, int n, int32_t id)
{
    int i;

    for (i = 0; i < n; i++)
        if (parts[i].id == id)
            return &parts[i];
    return NULL;
}

/* Consumes the assigned partitions up to their high watermarks. With
 * read_committed, the end reported is the last stable offset: another
 * producer's open transaction (a shared offsets topic) hides what follows,
 * so reading goes on until it is resolved rather than stopping short of
 * the newest checkpoint. */
static tw_err_t consume_to_end(rd_kafka_t *rk, const char *topic, partition_read_t *parts,
                               int nparts, const char *key, const char *slot, int64_t deadline,
                               char *errstr, size_t errstr_size)
{
    size_t key_len = strlen(key);
    int done = 0;
    char why[512];

    while (done < nparts) {
        rd_kafka_message_t *m;
        partition_read_t *pr;
        if (mono_ms() > deadline) {
            int i;
            for (i = 0; i < nparts && parts[i].done; i++)
                ;
            return tw_errf(TW_ERR_UNAVAILABLE, errstr, errstr_size,
                           "timed out reading offsets topic %s to its end (%d of %d partitions "
                           "read; partition %d not read up to offset %lld, perhaps held back "
                           "by another producer's open transaction); is Kafka reachable?",
                           topic, done, nparts, i < nparts ? (int)parts[i].id : -1,
                           i < nparts ? (long long)parts[i].high : -1LL);
        }
        m = rd_kafka_consumer_poll(rk, 200);
        if (m == NULL)
            continue;
        pr = find_partition(parts, nparts, m->partition);
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            /* m->offset is where reading stopped. */
            if (pr && !pr->done && m->offset >= pr->high) {
                pr->done = true;
                done++;
            }
        } else if (m->err) {
            tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "reading offsets topic %s: %s", topic,
                    rd_kafka_err2str(m->err));
            rd_kafka_message_destroy(m);
            return TW_ERR_KAFKA;
        } else if (pr && m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
            if (m->payload == NULL) {
                pr->has = false; /* a tombstone: the checkpoint was deleted */
            } else if (tw_offsets_topic_parse(m->payload, m->len, slot, &pr->rec, why,
                                              sizeof(why)) != TW_OK) {
                tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                        "offsets topic %s, partition %d, offset %lld holds an unreadable "
                        "checkpoint for %s: %s; fix the topic (or point offset.storage.topic "
                        "elsewhere, which replays from the slot's position)",
                        topic, (int)m->partition, (long long)m->offset, key, why);
                rd_kafka_message_destroy(m);
                return TW_ERR_MALFORMED;
            } else {
                pr->has = true;
            }
        }
        rd_kafka_message_destroy(m);
    }
    return TW_OK;
}

/* The newest across partitions: highest generation, then highest commit
 * LSN (a reset record, having no LSN, wins only by its generation). */
static void pick_newest(const partition_read_t *parts, int nparts, tw_offsets_topic_state_t *state)
{
    const tw_offsets_topic_record_t *best = NULL;
    int i;

    for (i = 0; i < nparts; i++) {
        const tw_offsets_topic_record_t *r = &parts[i].rec;
        if (!parts[i].has)
            continue;
        if (best == NULL || r->generation > best->generation ||
            (r->generation == best->generation && !r->reset &&
             (best->reset || r->offset.commit_lsn > best->offset.commit_lsn)))
            best = r;
    }
    if (best == NULL)
        return;
    state->generation = best->generation;
    state->reset = best->reset;
    state->found = !best->reset;
    if (state->found) {
        state->offset = best->offset;
        state->origin = best->origin;
    }
}

tw_err_t tw_offsets_topic_load(const char *bootstrap, const tw_props_t *client_props,
                               const char *topic, const char *key, const char *slot, int timeout_ms,
                               tw_offsets_topic_state_t *state, char *errstr, size_t errstr_size)
{
    int64_t deadline = mono_ms() + timeout_ms;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_partition_list_t *assign = NULL;
    partition_read_t *parts = NULL;
    rd_kafka_topic_t *rkt;
    rd_kafka_resp_err_t kerr;
    rd_kafka_t *rk;
    tw_err_t err = TW_OK;
    int i, nparts = 0;

    memset(state, 0, sizeof(*state));
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
        state->topic_missing = true; /* the caller decides whether that may be a first start */
        goto out;
    }
    if (md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err = tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "offsets topic %s: %s", topic,
                      rd_kafka_err2str(md->topics[0].err));
        goto out;
    }
    parts = tw_calloc((size_t)md->topics[0].partition_cnt + 1, sizeof(*parts));
    assign = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
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
            rd_kafka_topic_partition_list_add(assign, topic, id)->offset =
                RD_KAFKA_OFFSET_BEGINNING;
            parts[nparts].id = id;
            parts[nparts].high = high;
            nparts++;
        }
    }
    if (nparts == 0)
        goto out;
    kerr = rd_kafka_assign(rk, assign);
    if (kerr != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err = tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "reading offsets topic %s: %s", topic,
                      rd_kafka_err2str(kerr));
        goto out;
    }
    err = consume_to_end(rk, topic, parts, nparts, key, slot, deadline, errstr, errstr_size);
    if (err == TW_OK)
        pick_newest(parts, nparts, state);
out:
    free(parts);
    if (assign)
        rd_kafka_topic_partition_list_destroy(assign);
    if (md)
        rd_kafka_metadata_destroy(md);
    if (rkt)
        rd_kafka_topic_destroy(rkt);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (err != TW_OK) {
        bool missing = state->topic_missing;
        memset(state, 0, sizeof(*state));
        state->topic_missing = missing;
    }
    return err;
}

void tw_offsets_topic_create(const char *bootstrap, const tw_props_t *client_props,
                             const char *topic, int timeout_ms)
{
    char errstr[512];
    rd_kafka_t *rk = new_reader(bootstrap, client_props, errstr, sizeof(errstr));

    if (rk == NULL) {
        tw_log(TW_LOG_WARNING, "CKPT", "%s", errstr);
        return;
    }
    create_topic(rk, topic, timeout_ms);
    rd_kafka_destroy(rk);
}
