/*
 * transform.c — the configured transforms, their predicates, and the
 * choice of the one that applies (see transform.h).
 */
#include "transforms/transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jregex.h"
#include "transforms/unwrap.h"

/* Every transform type tidewater knows, by tw_transform_kind_t. */
static const tw_transform_ops_t *const known_types[] = {
    [TW_TRANSFORM_OUTBOX] = &tw_transform_outbox_ops,
};

typedef struct transform {
    const tw_transform_ops_t *ops; /* NULL for a record transform */
    void *state;
    /* A record transform (ExtractNewRecordState): it takes the records the
     * others make, not changes. */
    tw_unwrap_t *unwrap;
    tw_jregex_t *predicate; /* its predicate's pattern, or NULL */
    bool negate;
} transform_t;

struct tw_transform_chain {
    transform_t *transforms;
    size_t n;
    tw_txn_metadata_t *txnmeta; /* borrowed; NULL: no transaction metadata */
};

struct tw_transform_binding {
    const transform_t *transform;
    int index;
    void *binding;
};

static const tw_transform_ops_t *find_type(int kind)
{
    if (kind < 0 || (size_t)kind >= sizeof(known_types) / sizeof(known_types[0]))
        return NULL;
    return known_types[kind];
}

tw_err_t tw_transform_chain_new(const tw_config_t *cfg, tw_transform_chain_t **out,
                                char *errstr, size_t errstr_size)
{
    tw_transform_chain_t *chain = tw_calloc(1, sizeof(*chain));
    char key[256];
    tw_err_t err = TW_OK;
    bool unwrap_seen = false;
    size_t i;

    chain->transforms = tw_calloc(cfg->ntransforms + 1, sizeof(*chain->transforms));
    chain->n = cfg->ntransforms;
    /* The envelope comes last, past every configured transform. */
    chain->transforms[chain->n].ops = &tw_transform_envelope_ops;
    err = tw_transform_envelope_new(cfg, &chain->transforms[chain->n].state, errstr, errstr_size);
    for (i = 0; err == TW_OK && i < cfg->ntransforms; i++) {
        const tw_transform_config_t *t = &cfg->transforms[i];
        transform_t *tr = &chain->transforms[i];
        if (t->kind == TW_TRANSFORM_UNWRAP) {
            err = tw_unwrap_new(&t->unwrap, t->name, &tr->unwrap, errstr, errstr_size);
            unwrap_seen = true;
        } else if (unwrap_seen) {
            /* Connect would hand this one the flattened records; tidewater
             * applies record transforms to what the others make. */
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "transforms: list %s before every "
                          "io.debezium.transforms.ExtractNewRecordState transform, which "
                          "flattens the records the others make",
                          t->name);
            break;
        } else {
            tr->ops = find_type(t->kind);
        }
        if (err)
            break;
        if (tr->ops == NULL && tr->unwrap == NULL) {
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "transforms.%s.type: not a transform tidewater has", t->name);
            break;
        }
        if (tr->ops)
            err = tr->ops->create(cfg, t, &tr->state, errstr, errstr_size);
        if (err == TW_OK && t->predicate) {
            const tw_predicate_config_t *pred = tw_config_find_predicate(cfg, t->predicate);
            snprintf(key, sizeof(key), "predicates.%s.pattern", pred->name);
            err = tw_jregex_compile(pred->pattern, key, &tr->predicate, errstr, errstr_size);
            tr->negate = t->negate;
        }
    }
    if (err) {
        tw_transform_chain_destroy(chain);
        return err;
    }
    *out = chain;
    return TW_OK;
}

void tw_transform_chain_destroy(tw_transform_chain_t *chain)
{
    size_t i;

    if (chain == NULL)
        return;
    for (i = 0; i <= chain->n; i++) {
        transform_t *tr = &chain->transforms[i];
        if (tr->ops && tr->state)
            tr->ops->destroy(tr->state);
        tw_unwrap_destroy(tr->unwrap);
        tw_jregex_destroy(tr->predicate);
    }
    free(chain->transforms);
    free(chain);
}

static bool applies(const transform_t *tr, const char *topic)
{
    bool match = tr->predicate == NULL || tw_jregex_matches(tr->predicate, topic);

    return tr->predicate && tr->negate ? !match : match;
}

int tw_transform_chain_find(const tw_transform_chain_t *chain, const char *topic)
{
    size_t i;

    for (i = 0; i < chain->n; i++)
        if (chain->transforms[i].unwrap == NULL && applies(&chain->transforms[i], topic))
            return (int)i;
    return -1;
}

int tw_transform_chain_default(const tw_transform_chain_t *chain)
{
    return (int)chain->n;
}

void tw_transform_chain_set_catalog(tw_transform_chain_t *chain, PGconn *conn)
{
    tw_transform_envelope_set_catalog(chain->transforms[chain->n].state, conn);
}

void tw_transform_chain_set_txn_metadata(tw_transform_chain_t *chain, tw_txn_metadata_t *m)
{
    chain->txnmeta = m;
    tw_transform_envelope_set_txn_metadata(chain->transforms[chain->n].state, m);
}

/* A row change of a table a configured transform takes, counted as the
 * change event Debezium's connector would have made of it before its
 * transforms ran (unless skipped.operations leaves it out). A key change
 * is one here, two (delete, create) in Debezium: the router does not know
 * the table's key. */
static void count_row(const tw_transform_chain_t *chain, const tw_change_t *change)
{
    const tw_rel_t *rel = change->rel;
    char table[512];

    if (tw_transform_envelope_skips(chain->transforms[chain->n].state, change))
        return;
    snprintf(table, sizeof(table), "%s.%s", rel->nspname, rel->relname);
    tw_txn_metadata_count(chain->txnmeta, table, NULL, NULL);
}

tw_err_t tw_transform_chain_bind(tw_transform_chain_t *chain, int index, const tw_rel_t *rel,
                                 const bool *not_null, tw_transform_binding_t **out,
                                 char *errstr, size_t errstr_size)
{
    const transform_t *tr = &chain->transforms[index];
    tw_transform_binding_t *b = tw_calloc(1, sizeof(*b));
    tw_err_t err;

    b->transform = tr;
    b->index = index;
    err = tr->ops->bind(tr->state, rel, not_null, &b->binding, errstr, errstr_size);
    if (err) {
        free(b);
        *out = NULL;
        return err;
    }
    *out = b;
    return TW_OK;
}

void tw_transform_binding_destroy(tw_transform_binding_t *b)
{
    if (b == NULL)
        return;
    b->transform->ops->unbind(b->binding);
    free(b);
}

int tw_transform_binding_index(const tw_transform_binding_t *b)
{
    return b->index;
}

bool tw_transform_chain_takes_message(const tw_transform_chain_t *chain, int index,
                                      const char *prefix)
{
    const transform_t *tr = &chain->transforms[index];
    return tr->ops->takes_message(tr->state, prefix);
}

static tw_err_t apply_record_transform(const transform_t *tr, tw_arena_t *arena,
                                       tw_transform_out_t *out, char *errstr,
                                       size_t errstr_size)
{
    size_t n = out->nrecords, i, kept = 0;
    tw_record_t *records = tw_arena_alloc(arena, n * sizeof(*records));
    bool *selected = tw_arena_alloc(arena, n * 2 * sizeof(bool)), *emitted = selected + n;
    tw_err_t err;

    for (i = 0; i < n; i++)
        selected[i] = applies(tr, out->records[i].topic);
    err = tw_unwrap_apply_records(tr->unwrap, out->records, selected, n, arena, records, emitted,
                                  errstr, errstr_size);
    if (err)
        return err;
    for (i = 0; i < n; i++)
        if (emitted[i])
            records[kept++] = records[i];
    out->records = records;
    out->nrecords = kept;
    return TW_OK;
}

tw_err_t tw_transform_chain_apply(tw_transform_chain_t *chain, int index,
                                  tw_transform_binding_t *binding, const tw_txn_t *txn,
                                  const tw_change_t *change, tw_arena_t *arena,
                                  tw_transform_out_t *out, char *errstr, size_t errstr_size)
{
    const transform_t *tr = &chain->transforms[index];
    tw_err_t err;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (chain->txnmeta && txn && binding && (size_t)index != chain->n)
        count_row(chain, change);
    err = tr->ops->apply(tr->state, binding ? binding->binding : NULL, txn, change, arena, out,
                         errstr, errstr_size);
    /* Then each record transform, in configured order, on the records as
     * they are by then (its predicate tests their topic, as Connect does). */
    for (i = 0; err == TW_OK && i < chain->n; i++)
        if (chain->transforms[i].unwrap && out->nrecords)
            err = apply_record_transform(&chain->transforms[i], arena, out, errstr,
                                         errstr_size);
    return err;
}
