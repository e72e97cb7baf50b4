/*
 * topic_creation.h — Kafka Connect's topic creation for source connectors
 * (KIP-158): before the first record goes to a topic that does not exist,
 * the topic is created with the partitions, replication factor and topic
 * configs of the first `topic.creation.groups` group whose include list
 * matches the name (and exclude list does not), or of the `default` group.
 *
 * As in Connect, it is on only when topic.creation.default.replication.factor
 * and topic.creation.default.partitions are both set (and
 * topic.creation.enable is not false); the producer then stops asking the
 * broker to auto-create topics, so every new topic gets these settings.
 */
#ifndef TW_TOPIC_CREATION_H
#define TW_TOPIC_CREATION_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>

#include "util/common.h"
#include "config/props.h"

typedef struct tw_topic_creation tw_topic_creation_t;

/* Reads the topic.creation.* keys of a connector's properties. *out is
 * NULL when topic creation is off. TW_ERR_CONFIG names a bad key. */
tw_err_t tw_topic_creation_new(const tw_props_t *props, tw_topic_creation_t **out,
                               char *errstr, size_t errstr_size);
void tw_topic_creation_destroy(tw_topic_creation_t *tc); /* accepts NULL */

/* The group that applies to a topic ("default" when none does). */
const char *tw_topic_creation_group(const tw_topic_creation_t *tc, const char *topic);

/* Creates topic unless it exists. TW_ERR_AGAIN: Kafka did not answer in
 * time, try again later; TW_ERR_CONFIG: Kafka refused to create it (errstr
 * says why and which keys decide). */
tw_err_t tw_topic_creation_ensure(const tw_topic_creation_t *tc, rd_kafka_t *rk,
                                  const char *topic, int timeout_ms, char *errstr,
                                  size_t errstr_size);

#endif /* TW_TOPIC_CREATION_H */
