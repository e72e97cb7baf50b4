/*
 * topic_creation.c — creating a missing topic through librdkafka's admin
 * API with the settings of its topic.creation group (config/topic_groups.h).
 */
#include "kafka/topic_creation.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

/* TW_OK with *exists set, or TW_ERR_AGAIN when the cluster did not answer. */
static tw_err_t topic_exists(rd_kafka_t *rk, const char *topic, int timeout_ms, bool *exists,
                             char *errstr, size_t errstr_size)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err;

    if (rkt == NULL)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "librdkafka refuses the topic name (%s)",
                       rd_kafka_err2str(rd_kafka_last_error()));
    err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (err)
        return tw_errf(TW_ERR_AGAIN, errstr, errstr_size,
                       "cannot ask Kafka whether topic %s exists: %s", topic,
                       rd_kafka_err2str(err));
    err = md->topic_cnt > 0 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    rd_kafka_metadata_destroy(md);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        *exists = true;
        return TW_OK;
    }
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        *exists = false;
        return TW_OK;
    }
    if (err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        return tw_errf(TW_ERR_AGAIN, errstr, errstr_size, "topic %s has no leader yet", topic);
    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                   "cannot read the metadata of topic %s: %s (check the producer's ACLs: "
                   "topic creation needs Describe and Create on the topic)",
                   topic, rd_kafka_err2str(err));
}

tw_err_t tw_topic_creation_ensure(const tw_topic_groups_t *groups, rd_kafka_t *rk,
                                  const char *topic, int timeout_ms, char *errstr,
                                  size_t errstr_size)
{
    const tw_topic_group_t *g = tw_topic_groups_for(groups, topic);
    rd_kafka_NewTopic_t *nt = NULL;
    rd_kafka_AdminOptions_t *options = NULL;
    rd_kafka_queue_t *queue = NULL;
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_CreateTopics_result_t *result;
    const rd_kafka_topic_result_t **results;
    rd_kafka_resp_err_t rerr;
    char why[512];
    size_t i, n;
    bool exists = false;
    tw_err_t err;

    err = topic_exists(rk, topic, timeout_ms, &exists, errstr, errstr_size);
    if (err || exists)
        return err;
    nt = rd_kafka_NewTopic_new(topic, g->partitions, g->replication_factor, why, sizeof(why));
    if (nt == NULL)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "cannot create topic %s (topic creation group \"%s\"): %s", topic,
                       g->name, why);
    n = tw_props_count(g->configs);
    for (i = 0; i < n; i++) {
        const char *name, *value, *origin;
        tw_props_entry(g->configs, i, &name, &value, &origin);
        rd_kafka_NewTopic_set_config(nt, name, value);
    }
    options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, why, sizeof(why));
    rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, why, sizeof(why));
    queue = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, options, queue);
    ev = rd_kafka_queue_poll(queue, timeout_ms + 1000);
    if (ev == NULL) {
        err = tw_errf(TW_ERR_AGAIN, errstr, errstr_size,
                      "Kafka did not answer the request to create topic %s in time", topic);
        goto out;
    }
    rerr = rd_kafka_event_error(ev);
    result = rd_kafka_event_CreateTopics_result(ev);
    if (rerr == RD_KAFKA_RESP_ERR_NO_ERROR && result) {
        results = rd_kafka_CreateTopics_result_topics(result, &n);
        rerr = n > 0 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        snprintf(why, sizeof(why), "%s",
                 n > 0 && rd_kafka_topic_result_error_string(results[0])
                     ? rd_kafka_topic_result_error_string(results[0])
                     : rd_kafka_err2str(rerr));
    } else {
        snprintf(why, sizeof(why), "%s", rd_kafka_event_error_string(ev));
    }
    if (rerr == RD_KAFKA_RESP_ERR_NO_ERROR) {
        tw_log(TW_LOG_INFO, "KAFKA",
               "created topic %s (topic creation group \"%s\": partitions %d, replication "
               "factor %d, %zu topic config%s)",
               topic, g->name, g->partitions, g->replication_factor,
               tw_props_count(g->configs), tw_props_count(g->configs) == 1 ? "" : "s");
    } else if (rerr == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        /* Someone else created it meanwhile: as good. */
    } else if (rerr == RD_KAFKA_RESP_ERR__TIMED_OUT || rerr == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
               rerr == RD_KAFKA_RESP_ERR__TRANSPORT || rerr == RD_KAFKA_RESP_ERR_NOT_CONTROLLER) {
        err = tw_errf(TW_ERR_AGAIN, errstr, errstr_size, "creating topic %s: %s", topic, why);
    } else {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "Kafka refused to create topic %s with topic creation group \"%s\" "
                      "(partitions %d, replication factor %d): %s: %s; change "
                      "topic.creation.%s.* (-1 takes the broker's default) or create the topic "
                      "yourself",
                      topic, g->name, g->partitions, g->replication_factor,
                      rd_kafka_err2name(rerr), why, g->name);
    }
out:
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(nt);
    return err;
}
