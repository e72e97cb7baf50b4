/*
 * txn_metadata.h — Debezium's transaction metadata topic
 * (provide.transaction.metadata): a BEGIN record before a source
 * transaction's first record and an END record, with its change events
 * counted per table, after its last. The pipeline produces both in the
 * transaction's own unit of delivery, so they are delivered (or, in
 * exactly-once mode, committed) together with its records.
 *
 * Ids are "<xid>:<lsn>" as Debezium's PostgreSQL connector forms them: the
 * LSN is that of the message at hand (the Begin's, then the Commit's), so
 * BEGIN and END carry different ids.
 */
#ifndef TW_TXN_METADATA_H
#define TW_TXN_METADATA_H

#include "config/config.h"
#include "codec/record.h"

typedef struct tw_txn_metadata tw_txn_metadata_t;

/* NULL when provide.transaction.metadata is off. */
tw_txn_metadata_t *tw_txn_metadata_new(const tw_config_t *cfg);
void tw_txn_metadata_destroy(tw_txn_metadata_t *m); /* accepts NULL */

const char *tw_txn_metadata_topic(const tw_txn_metadata_t *m);

/* A transaction opens: forgets the previous counts and fills *out with its
 * BEGIN record (valid until the next call). lsn: the Begin message's. */
void tw_txn_metadata_begin(tw_txn_metadata_t *m, uint32_t xid, tw_lsn_t lsn, int64_t commit_ts_us,
                           tw_record_t *out);
/* One event of table ("schema.table"), counted as Debezium counts them:
 * every change event its connector makes of a captured row change (two
 * for a key change; none for skipped.operations), before any transform,
 * so also the rows a transform such as the outbox router then drops. Sets
 * (when not NULL) the event's 1-based place in the transaction and among
 * the table's events — the total_order and data_collection_order of
 * Debezium's per-event transaction block. */
void tw_txn_metadata_count(tw_txn_metadata_t *m, const char *table, int64_t *total_order,
                           int64_t *collection_order);
/* One transactional message event (lsn: the message's; *total_order, when
 * not NULL, as tw_txn_metadata_count sets it). Debezium 3.6
 * counts each under a collection of its own, named by the Java identity of
 * a fresh id object (its class name, '@', the identity hash in hex); the
 * hash, random in Debezium, is here one of the message's LSN. */
void tw_txn_metadata_count_message(tw_txn_metadata_t *m, tw_lsn_t lsn, int64_t *total_order);
/* The transaction's END record (lsn: the Commit message's). */
void tw_txn_metadata_end(tw_txn_metadata_t *m, uint32_t xid, tw_lsn_t lsn, int64_t commit_ts_us,
                         tw_record_t *out);

#endif /* TW_TXN_METADATA_H */
