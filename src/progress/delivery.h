/*
 * delivery.h — the delivery contract's bookkeeping: which source
 * transactions still have records in flight to Kafka, and so how far the
 * replication slot may be confirmed.
 *
 * Transactions enter in commit order and sit in a ring. Each counts its
 * records not yet acknowledged. A transaction is done once its Commit was
 * seen and its count is zero; the flush position is the end LSN of the
 * newest transaction that is done along with every earlier one. A record
 * that failed for good marks its transaction failed, and the position never
 * passes a failed transaction.
 *
 * The ring's size bounds memory whatever the load: when it is full the
 * caller stops reading from PostgreSQL until acknowledgements free a slot.
 */
#ifndef TW_DELIVERY_H
#define TW_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef struct tw_delivery tw_delivery_t;

/* A handle on one transaction in the ring: records carry it in their
 * delivery-report opaque. Handles are never reused, not even across
 * tw_delivery_reset, so a late report can never count for another
 * transaction. */
typedef uint64_t tw_delivery_seq_t;

tw_delivery_t *tw_delivery_new(size_t max_txns);
void tw_delivery_destroy(tw_delivery_t *delivery); /* accepts NULL */

/* True when no new transaction can begin until acknowledgements arrive. */
bool tw_delivery_full(const tw_delivery_t *delivery);
/* True when nothing is in flight: every transaction begun is done and was
 * retired by tw_delivery_advance. */
bool tw_delivery_idle(const tw_delivery_t *delivery);

/* Opens a transaction. Must not be called when full. */
tw_delivery_seq_t tw_delivery_begin(tw_delivery_t *delivery, tw_lsn_t commit_lsn,
                                    int64_t commit_ts);
/* One more record produced for the transaction. */
void tw_delivery_add(tw_delivery_t *delivery, tw_delivery_seq_t seq);
/* The transaction's Commit was seen; end_lsn is where the slot may then be
 * confirmed. */
void tw_delivery_commit(tw_delivery_t *delivery, tw_delivery_seq_t seq, tw_lsn_t end_lsn);
/* A record's delivery report. ok=false marks the transaction failed.
 * A report for a transaction dropped by tw_delivery_reset is ignored (and
 * counted: tw_delivery_stale_reports). */
void tw_delivery_ack(tw_delivery_t *delivery, tw_delivery_seq_t seq, bool ok);

/* Drops every transaction not yet retired — the server will send them
 * again — keeping the sequence going, so their late reports are told
 * apart from those of transactions begun afterwards. */
void tw_delivery_reset(tw_delivery_t *delivery);
uint64_t tw_delivery_stale_reports(const tw_delivery_t *delivery);

/* Retires done transactions from the head of the ring and reports the
 * newest one: its end LSN, commit LSN and commit time. txn_commit_ts (may
 * be NULL) gets the newest nonzero commit time among them, and is left as
 * it is when all had none (non-transactional messages). Returns false when
 * none retired since the last call. */
bool tw_delivery_advance(tw_delivery_t *delivery, tw_lsn_t *end_lsn, tw_lsn_t *commit_lsn,
                         int64_t *commit_ts, int64_t *txn_commit_ts);

/* Reports, once each, transactions that became done (in order, not yet
 * retired): for latency measurement. Returns false when there is none. */
bool tw_delivery_next_done(tw_delivery_t *delivery, int64_t *commit_ts);

/* True when the oldest unfinished transaction has a failed record. */
bool tw_delivery_blocked(const tw_delivery_t *delivery);

size_t tw_delivery_inflight_txns(const tw_delivery_t *delivery);
uint64_t tw_delivery_inflight_records(const tw_delivery_t *delivery);

#endif /* TW_DELIVERY_H */
