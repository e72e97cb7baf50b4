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
 *                 "first": 120, "last": 131}, ...],
 *    "system_id": "7301234567890123456", "timeline": 1, "database": "orders",
 *    "database_oid": 16384, "generation": 0}
 * or, written by `tidewater offsets reset`, a reset record:
 *   {"slot": "debezium", "reset": true, "generation": 1, "reset_at_us": ...}
 * The generation grows with each reset, so the newest checkpoint is the one
 * with the highest (generation, commit_lsn) in whichever partition it is
 * (a reset starts LSNs over when it accepts another database).
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

#include "util/buf.h"
#include "util/common.h"
#include "progress/offsets.h"
#include "config/props.h"

/* The offsets a Kafka transaction's records got in one partition. */
typedef struct tw_offsets_range {
    char *topic;
    int32_t partition;
    int64_t first, last;
} tw_offsets_range_t;

void tw_offsets_topic_key(const char *connector, const char *slot, tw_buf_t *out);
void tw_offsets_topic_value(const tw_offset_origin_t *origin, int64_t generation,
                            const tw_offset_t *offset, tw_lsn_t prev_commit_lsn,
                            const tw_offsets_range_t *ranges, size_t nranges, tw_buf_t *out);
void tw_offsets_topic_reset_value(const char *slot, int64_t generation, int64_t now_us,
                                  tw_buf_t *out);

/* One parsed value. */
typedef struct tw_offsets_topic_record {
    bool reset;         /* a reset record: no position */
    int64_t generation;
    tw_offset_t offset;
    tw_offset_origin_t origin; /* system_id "" in a record of an older tidewater */
} tw_offsets_topic_record_t;

/* Parses a value. An error names what is wrong; a record of another slot
 * is an error too (keys are per slot, so it means a corrupted topic). */
tw_err_t tw_offsets_topic_parse(const void *value, size_t len, const char *slot,
                                tw_offsets_topic_record_t *rec, char *errstr, size_t errstr_size);

/* What the topic holds for one key. */
typedef struct tw_offsets_topic_state {
    bool topic_missing; /* the topic does not exist */
    bool found;         /* a checkpoint (not reset) is the newest record */
    bool reset;         /* a reset record is the newest */
    int64_t generation; /* of the newest record; new checkpoints carry it */
    tw_offset_t offset;
    tw_offset_origin_t origin;
} tw_offsets_topic_state_t;

/*
 * Reads the offsets topic from the beginning to the high watermark each
 * partition had when called (read_committed, so an open transaction of
 * another producer is waited for, never read past) and returns the newest
 * record under key by (generation, commit_lsn) across partitions. Does not
 * create a missing topic (topic_missing tells). client_props: the
 * producer.* properties; their connection settings (security.*, ssl.*,
 * sasl.*, ...) are used for the reading consumer too.
 */
tw_err_t tw_offsets_topic_load(const char *bootstrap, const tw_props_t *client_props,
                               const char *topic, const char *key, const char *slot, int timeout_ms,
                               tw_offsets_topic_state_t *state, char *errstr, size_t errstr_size);

/* Creates the topic, compacted, as Kafka Connect creates its offsets
 * topic. Best effort: a refusal is logged, as the first produce may
 * auto-create it. */
void tw_offsets_topic_create(const char *bootstrap, const tw_props_t *client_props,
                             const char *topic, int timeout_ms);

#endif /* TW_OFFSETS_TOPIC_H */
