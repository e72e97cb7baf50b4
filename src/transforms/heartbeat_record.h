/*
 * heartbeat_record.h — Debezium's heartbeat record: key {serverName:
 * topic.prefix}, value {ts_ms}, partition 0, to topic.heartbeat.name or
 * <topic.heartbeat.prefix>.<topic.prefix>.
 *
 * It is not a source event: it carries no position, so it never moves the
 * slot (the pipeline produces it outside the delivery tracker, inside a
 * Kafka transaction of its own or of the moment in exactly-once mode).
 */
#ifndef TW_HEARTBEAT_RECORD_H
#define TW_HEARTBEAT_RECORD_H

#include "config/config.h"
#include "codec/record.h"

typedef struct tw_heartbeat_record tw_heartbeat_record_t;

/* NULL when heartbeat.interval.ms is 0. */
tw_heartbeat_record_t *tw_heartbeat_record_new(const tw_config_t *cfg);
void tw_heartbeat_record_destroy(tw_heartbeat_record_t *h); /* accepts NULL */
const char *tw_heartbeat_record_topic(const tw_heartbeat_record_t *h);
/* Fills *out (valid until the next call) for a beat at now_ms. */
void tw_heartbeat_record_make(tw_heartbeat_record_t *h, int64_t now_ms, tw_record_t *out);

#endif /* TW_HEARTBEAT_RECORD_H */
