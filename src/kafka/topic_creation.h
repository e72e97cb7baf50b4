/*
 * topic_creation.h — Kafka Connect's topic creation for source connectors
 * (KIP-158): before the first record goes to a topic that does not exist,
 * the topic is created with the partitions, replication factor and topic
 * configs of its topic.creation group (config/topic_groups.h reads the
 * groups; this module talks to Kafka).
 *
 * The producer then stops asking the broker to auto-create topics, so
 * every new topic gets these settings.
 */
#ifndef TW_TOPIC_CREATION_H
#define TW_TOPIC_CREATION_H

#include <librdkafka/rdkafka.h>

#include "util/common.h"
#include "config/topic_groups.h"

/* Creates topic unless it exists. TW_ERR_AGAIN: Kafka did not answer in
 * time, try again later; TW_ERR_CONFIG: Kafka refused to create it (errstr
 * says why and which keys decide). */
tw_err_t tw_topic_creation_ensure(const tw_topic_groups_t *groups, rd_kafka_t *rk,
                                  const char *topic, int timeout_ms, char *errstr,
                                  size_t errstr_size);

#endif /* TW_TOPIC_CREATION_H */
