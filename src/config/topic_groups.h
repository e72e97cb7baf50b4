/*
 * topic_groups.h — Kafka Connect's topic.creation.* keys for source
 * connectors (KIP-158) as data: the groups named in topic.creation.groups,
 * each with include/exclude regular expressions, partitions, replication
 * factor and topic configs, and the `default` group for every other topic.
 *
 * As in Connect, topic creation is on only when
 * topic.creation.default.replication.factor and
 * topic.creation.default.partitions are both set (and topic.creation.enable
 * is not false). Creating a topic with its group's settings is
 * kafka/topic_creation.h's job; this module only reads and checks the keys.
 */
#ifndef TW_TOPIC_GROUPS_H
#define TW_TOPIC_GROUPS_H

#include "util/common.h"
#include "config/props.h"

typedef struct tw_topic_groups tw_topic_groups_t;

/* What a topic of a group is created with. */
typedef struct tw_topic_group {
    char *name;
    int replication_factor; /* -1: the broker's default.replication.factor */
    int partitions;         /* -1: the broker's num.partitions */
    tw_props_t *configs;    /* every other topic.creation.<group>.<key>: a topic config */
} tw_topic_group_t;

/* Reads the topic.creation.* keys of a connector's properties. *out is
 * NULL when topic creation is off. TW_ERR_CONFIG names a bad key. */
tw_err_t tw_topic_groups_new(const tw_props_t *props, tw_topic_groups_t **out, char *errstr,
                             size_t errstr_size);
void tw_topic_groups_destroy(tw_topic_groups_t *groups); /* accepts NULL */

/* The first group whose include list matches the whole topic name and
 * whose exclude list does not; else the default group. */
const tw_topic_group_t *tw_topic_groups_for(const tw_topic_groups_t *groups, const char *topic);

#endif /* TW_TOPIC_GROUPS_H */
