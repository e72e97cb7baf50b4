/*
 * offsets_topic.h — the checkpoint kept in a Kafka topic, for
 * exactly.once.support=required.
 *
 * In that mode each Kafka transaction carries, besides the records of some
 * whole source transactions, one record in the offsets topic saying how far
 * they reach. Kafka commits both or neither, so on start-up the newest
 * committed offsets record (read with isolation.level=read_committed) says
 * exactly which source transactions already reached their topics, and
 * tidewater skips them when PostgreSQL sends them again.
 *
 * Key (JSON, like Kafka Connect's offsets keys; one per connector and slot):
 *   ["outbox-connector", {"slot": "debezium"}]
 * Value:
 *   {"slot": "debezium", "commit_lsn": "0/16B3748", "end_lsn": "0/16B3780",
 *    "commit_ts_us": 1732284000000000, "prev_commit_lsn": "0/16B2000",
 *    "records": [{"topic": "outbox.event.order", "partition": 1,
 *                 "first": 120, "last": 131}, ...]}
 * prev_commit_lsn is the checkpoint the transaction started from, and
 * records lists the offsets its data records got: together they let a
 * checker that cannot see transaction markers tell committed transactions
 * from aborted ones (see scripts/torture).
 */
#ifndef TW_OFFSETS_TOPIC_H
#define TW_OFFSETS_TOPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "common.h"
#include "offsets.h"
#include "props.h"

/* The offsets a Kafka transaction's records got in one partition. */
typedef struct tw_offsets_range {
    char *topic;
    int32_t partition;
    int64_t first, last;
} tw_offsets_range_t;

void tw_offsets_topic_key(const char *connector, const char *slot, tw_buf_t *out);
void tw_offsets_topic_value(const char *slot, const tw_offset_t *offset, tw_lsn_t prev_commit_lsn,
                            const tw_offsets_range_t *ranges, size_t nranges, tw_buf_t *out);
/* Parses a value. An error names what is wrong; a record of another slot
 * is an error too (keys are per slot, so it means a corrupted topic). */
tw_err_t tw_offsets_topic_parse(const void *value, size_t len, const char *slot,
                                tw_offset_t *offset, char *errstr, size_t errstr_size);

/*
 * Reads the offsets topic from the beginning to its end (read_committed)
 * and returns the newest checkpoint stored under key. found=false when the
 * topic is empty or holds none. Creates the topic (compacted) when it does
 * not exist; a broker that refuses to create it is only warned about, as
 * the first produce may auto-create it. client_props: the producer.*
 * properties; their security settings (security.*, ssl.*, sasl.*) are
 * used for the reading consumer too.
 */
tw_err_t tw_offsets_topic_load(const char *bootstrap, const tw_props_t *client_props,
                               const char *topic, const char *key, const char *slot, int timeout_ms,
                               tw_offset_t *offset, bool *found, char *errstr, size_t errstr_size);

#endif /* TW_OFFSETS_TOPIC_H */
