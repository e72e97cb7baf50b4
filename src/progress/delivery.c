/*
 * delivery.c — a ring of in-flight transactions indexed by a monotonically
 * increasing sequence number (seq % capacity).
 */
#include "progress/delivery.h"

#include <stdlib.h>

typedef struct txn_slot {
    tw_delivery_seq_t seq; /* which transaction holds the slot now */
    tw_lsn_t commit_lsn;
    tw_lsn_t end_lsn;
    int64_t commit_ts;
    uint64_t pending;
    bool committed;
    bool failed;
} txn_slot_t;

struct tw_delivery {
    txn_slot_t *ring;
    size_t capacity;
    tw_delivery_seq_t head; /* oldest unfinished */
    tw_delivery_seq_t next; /* next to begin */
    tw_delivery_seq_t observed; /* done transactions reported by next_done */
    uint64_t inflight_records;
    uint64_t stale_reports;
};

tw_delivery_t *tw_delivery_new(size_t max_txns)
{
    tw_delivery_t *delivery = tw_calloc(1, sizeof(*delivery));

    delivery->capacity = max_txns ? max_txns : 1;
    delivery->ring = tw_calloc(delivery->capacity, sizeof(txn_slot_t));
    return delivery;
}

void tw_delivery_destroy(tw_delivery_t *delivery)
{
    if (delivery == NULL)
        return;
    free(delivery->ring);
    free(delivery);
}

static txn_slot_t *slot_of(const tw_delivery_t *delivery, tw_delivery_seq_t seq)
{
    return &delivery->ring[seq % delivery->capacity];
}

/* The transaction seq if it is still tracked; NULL for one that was
 * dropped by tw_delivery_reset (its slot may hold a newer transaction). */
static txn_slot_t *tracked(const tw_delivery_t *delivery, tw_delivery_seq_t seq)
{
    txn_slot_t *slot;

    if (seq < delivery->head || seq >= delivery->next)
        return NULL;
    slot = slot_of(delivery, seq);
    return slot->seq == seq ? slot : NULL;
}

bool tw_delivery_full(const tw_delivery_t *delivery)
{
    return delivery->next - delivery->head >= delivery->capacity;
}

bool tw_delivery_idle(const tw_delivery_t *delivery)
{
    return delivery->head == delivery->next;
}

tw_delivery_seq_t tw_delivery_begin(tw_delivery_t *delivery, tw_lsn_t commit_lsn,
                                    int64_t commit_ts)
{
    tw_delivery_seq_t seq = delivery->next++;
    txn_slot_t *slot = slot_of(delivery, seq);

    slot->seq = seq;
    slot->commit_lsn = commit_lsn;
    slot->end_lsn = 0;
    slot->commit_ts = commit_ts;
    slot->pending = 0;
    slot->committed = false;
    slot->failed = false;
    return seq;
}

void tw_delivery_add(tw_delivery_t *delivery, tw_delivery_seq_t seq)
{
    txn_slot_t *slot = tracked(delivery, seq);

    if (slot == NULL)
        return;
    slot->pending++;
    delivery->inflight_records++;
}

void tw_delivery_commit(tw_delivery_t *delivery, tw_delivery_seq_t seq, tw_lsn_t end_lsn)
{
    txn_slot_t *slot = tracked(delivery, seq);

    if (slot == NULL)
        return;
    slot->end_lsn = end_lsn;
    slot->committed = true;
}

void tw_delivery_ack(tw_delivery_t *delivery, tw_delivery_seq_t seq, bool ok)
{
    txn_slot_t *slot = tracked(delivery, seq);

    if (slot == NULL) {
        delivery->stale_reports++;
        return;
    }
    if (slot->pending > 0) {
        slot->pending--;
        delivery->inflight_records--;
    }
    if (!ok)
        slot->failed = true;
}

bool tw_delivery_advance(tw_delivery_t *delivery, tw_lsn_t *end_lsn, tw_lsn_t *commit_lsn,
                         int64_t *commit_ts, int64_t *txn_commit_ts)
{
    bool advanced = false;

    while (delivery->head < delivery->next) {
        txn_slot_t *slot = slot_of(delivery, delivery->head);
        if (!slot->committed || slot->pending > 0 || slot->failed)
            break;
        *end_lsn = slot->end_lsn;
        *commit_lsn = slot->commit_lsn;
        *commit_ts = slot->commit_ts;
        if (txn_commit_ts && slot->commit_ts > 0)
            *txn_commit_ts = slot->commit_ts;
        delivery->head++;
        advanced = true;
    }
    return advanced;
}

void tw_delivery_reset(tw_delivery_t *delivery)
{
    delivery->head = delivery->next;
    delivery->observed = delivery->next;
    delivery->inflight_records = 0;
}

uint64_t tw_delivery_stale_reports(const tw_delivery_t *delivery)
{
    return delivery->stale_reports;
}

bool tw_delivery_next_done(tw_delivery_t *delivery, int64_t *commit_ts)
{
    txn_slot_t *slot;

    if (delivery->observed < delivery->head)
        delivery->observed = delivery->head;
    if (delivery->observed >= delivery->next)
        return false;
    slot = slot_of(delivery, delivery->observed);
    if (!slot->committed || slot->pending > 0 || slot->failed)
        return false;
    *commit_ts = slot->commit_ts;
    delivery->observed++;
    return true;
}

bool tw_delivery_blocked(const tw_delivery_t *delivery)
{
    return delivery->head < delivery->next && slot_of(delivery, delivery->head)->failed;
}

size_t tw_delivery_inflight_txns(const tw_delivery_t *delivery)
{
    return (size_t)(delivery->next - delivery->head);
}

uint64_t tw_delivery_inflight_records(const tw_delivery_t *delivery)
{
    return delivery->inflight_records;
}
