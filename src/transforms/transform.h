/*
 * transform.h — the transform chain: rows from the change feed become
 * records through the configured transforms, as in Kafka Connect. Each
 * transform sits behind one small ops table; the pipeline knows no
 * transform by name. A change goes to the first transform (in configured
 * order) whose predicate matches the topic it would have; that transform
 * turns it into zero or more records for the converters and the sink.
 *
 * Transforms today: the Outbox Event Router (transform_outbox.c), and the
 * change-event envelope (transform_envelope.c) as the default for tables
 * no configured transform takes. Record transforms (ExtractNewRecordState,
 * unwrap.c) make no records of their own: listed after those, each takes
 * the records made, in configured order, where its predicate matches the
 * record's topic, as Kafka Connect chains transforms.
 */
#ifndef TW_TRANSFORM_H
#define TW_TRANSFORM_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "util/arena.h"
#include "pg/changefeed.h"
#include "config/config.h"
#include "codec/record.h"
#include "pg/relcache.h"
#include "transforms/txn_metadata.h"

/* What one change became. */
typedef struct tw_transform_out {
    tw_record_t *records; /* in the arena */
    size_t nrecords;      /* 0: dropped (on purpose, and logged if need be) */
    const char *event_id; /* for error messages and dead-letter headers, or NULL */
} tw_transform_out_t;

typedef struct tw_transform_ops {
    const char *type; /* transforms.<name>.type */
    /* cfg is the connector's (topic.prefix, column rules); both outlive
     * the transform. */
    tw_err_t (*create)(const tw_config_t *cfg, const tw_transform_config_t *config,
                       void **state, char *errstr, size_t errstr_size);
    void (*destroy)(void *state);
    /* Checks a relation has what the transform needs (not_null[i] for
     * each column) and keeps how to read it; an error names the column. */
    tw_err_t (*bind)(void *state, const tw_rel_t *rel, const bool *not_null, void **binding,
                     char *errstr, size_t errstr_size);
    void (*unbind)(void *binding);
    /* Logical messages: whether the transform takes this prefix. */
    bool (*takes_message)(void *state, const char *prefix);
    /* One change (binding NULL for a logical message). TW_ERR_MALFORMED:
     * this row cannot be routed (the error policy decides); others stop. */
    tw_err_t (*apply)(void *state, void *binding, const tw_txn_t *txn, const tw_change_t *change,
                      tw_arena_t *arena, tw_transform_out_t *out, char *errstr,
                      size_t errstr_size);
} tw_transform_ops_t;

extern const tw_transform_ops_t tw_transform_outbox_ops;
/* Debezium's change-event envelope (transform_envelope.c): not configured
 * by name, it is the chain's default for a table no transform takes. */
extern const tw_transform_ops_t tw_transform_envelope_ops;
tw_err_t tw_transform_envelope_new(const tw_config_t *cfg, void **state, char *errstr,
                                   size_t errstr_size);
void tw_transform_envelope_set_catalog(void *state, PGconn *conn);
void tw_transform_envelope_set_txn_metadata(void *state, tw_txn_metadata_t *m);
/* Whether skipped.operations leaves the change out of change events. */
bool tw_transform_envelope_skips(const void *state, const tw_change_t *change);

typedef struct tw_transform_chain tw_transform_chain_t;
/* Per relation: which transform applies and its binding. */
typedef struct tw_transform_binding tw_transform_binding_t;

tw_err_t tw_transform_chain_new(const tw_config_t *cfg, tw_transform_chain_t **chain,
                                char *errstr, size_t errstr_size);
void tw_transform_chain_destroy(tw_transform_chain_t *chain); /* accepts NULL */

/* The index of the first transform that applies to a record whose topic
 * would be `topic` (Kafka Connect evaluates each predicate on it), or -1. */
int tw_transform_chain_find(const tw_transform_chain_t *chain, const char *topic);
/* The index of the change-event envelope, for a captured table no
 * configured transform applies to. */
int tw_transform_chain_default(const tw_transform_chain_t *chain);
/* The catalog connection the envelope reads primary keys over (borrowed). */
void tw_transform_chain_set_catalog(tw_transform_chain_t *chain, PGconn *conn);
/* provide.transaction.metadata: the counts every change of a transaction
 * adds to as it enters the chain (borrowed; NULL: off). Debezium counts
 * each change event its connector makes before any transform, so a row
 * the outbox router takes (or drops) counts as the change event it would
 * have been; the envelope counts the events it makes. */
void tw_transform_chain_set_txn_metadata(tw_transform_chain_t *chain, tw_txn_metadata_t *m);

tw_err_t tw_transform_chain_bind(tw_transform_chain_t *chain, int transform, const tw_rel_t *rel,
                                 const bool *not_null, tw_transform_binding_t **binding,
                                 char *errstr, size_t errstr_size);
void tw_transform_binding_destroy(tw_transform_binding_t *binding); /* accepts NULL */
int tw_transform_binding_index(const tw_transform_binding_t *binding);

bool tw_transform_chain_takes_message(const tw_transform_chain_t *chain, int transform,
                                      const char *prefix);
/* binding NULL: a logical message for transform `transform`. */
tw_err_t tw_transform_chain_apply(tw_transform_chain_t *chain, int transform,
                                  tw_transform_binding_t *binding, const tw_txn_t *txn,
                                  const tw_change_t *change, tw_arena_t *arena,
                                  tw_transform_out_t *out, char *errstr, size_t errstr_size);

#endif /* TW_TRANSFORM_H */
