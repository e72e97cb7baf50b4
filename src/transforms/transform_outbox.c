/*
 * transform_outbox.c — the Outbox Event Router (outbox_router.h) as a
 * transform: an outbox row or logical message becomes one record; deletes
 * and truncates none; an update follows table.op.invalid.behavior.
 */
#include <stdio.h>
#include <stdlib.h>

#include "util/log.h"
#include "transforms/outbox_router.h"
#include "transforms/transform.h"

typedef struct outbox {
    tw_outbox_router_t *router;
    const tw_transform_config_t *config;
} outbox_t;

static void outbox_destroy(void *state)
{
    outbox_t *ob = state;

    tw_outbox_router_destroy(ob->router);
    free(ob);
}

static tw_err_t outbox_create(const tw_config_t *cfg, const tw_transform_config_t *config,
                              void **state, char *errstr, size_t errstr_size)
{
    outbox_t *ob = tw_calloc(1, sizeof(*ob));
    tw_err_t err;

    ob->config = config;
    err = tw_outbox_router_new(config, cfg->topic_prefix, &ob->router, errstr, errstr_size);
    /* Debezium's column filters and mappers shape the row before its
     * EventRouter reads it. */
    if (err == TW_OK)
        err = tw_outbox_router_set_column_rules(ob->router, cfg, errstr, errstr_size);
    if (err) {
        tw_outbox_router_destroy(ob->router);
        free(ob);
        return err;
    }
    *state = ob;
    return TW_OK;
}

static tw_err_t outbox_bind(void *state, const tw_rel_t *rel, const bool *not_null,
                            void **binding, char *errstr, size_t errstr_size)
{
    outbox_t *ob = state;

    return tw_outbox_bind(ob->router, rel, not_null, (tw_outbox_binding_t **)binding, errstr,
                          errstr_size);
}

static void outbox_unbind(void *binding)
{
    tw_outbox_binding_destroy(binding);
}

static bool outbox_takes_message(void *state, const char *prefix)
{
    return tw_outbox_router_takes_message(((outbox_t *)state)->router, prefix);
}

/* Outbox rows are insert-only: an update is fatal, or logged and dropped. */
static tw_err_t invalid_op(const outbox_t *ob, const tw_change_t *change, char *errstr,
                           size_t errstr_size)
{
    int behavior = ob->config->outbox.op_invalid_behavior;
    const tw_rel_t *rel = change->rel;

    if (behavior == TW_INVALID_OP_FATAL)
        return tw_errf(TW_ERR_REJECTED, errstr, errstr_size,
                       "UPDATE of outbox table %s.%s at " TW_LSN_FMT
                       " and table.op.invalid.behavior=fatal; outbox rows are insert-only",
                       rel->nspname, rel->relname, TW_LSN_ARGS(change->lsn));
    tw_log(behavior == TW_INVALID_OP_ERROR ? TW_LOG_ERROR : TW_LOG_WARNING, "ROUTER",
           "UPDATE of outbox table %s.%s at " TW_LSN_FMT " ignored "
           "(table.op.invalid.behavior=%s); outbox rows are insert-only",
           rel->nspname, rel->relname, TW_LSN_ARGS(change->lsn),
           behavior == TW_INVALID_OP_ERROR ? "error" : "warn");
    return TW_OK;
}

static tw_err_t outbox_apply(void *state, void *binding, const tw_txn_t *txn,
                             const tw_change_t *change, tw_arena_t *arena,
                             tw_transform_out_t *out, char *errstr, size_t errstr_size)
{
    outbox_t *ob = state;
    tw_outbox_result_t result = TW_OUTBOX_EMIT;
    tw_record_t *record = tw_arena_alloc(arena, sizeof(*record));
    tw_err_t err;

    if (change->op == TW_CHANGE_MESSAGE)
        err = tw_outbox_route_message(ob->router, txn, change, arena, record, &out->event_id, errstr,
                                      errstr_size);
    else
        err = tw_outbox_route(ob->router, binding, txn, change, arena, record, &out->event_id,
                              &result, errstr, errstr_size);
    if (err)
        return err;
    if (result == TW_OUTBOX_INVALID_OP)
        return invalid_op(ob, change, errstr, errstr_size);
    if (result == TW_OUTBOX_EMIT) {
        out->records = record;
        out->nrecords = 1;
    }
    return TW_OK;
}

const tw_transform_ops_t tw_transform_outbox_ops = {
    .type = "io.debezium.transforms.outbox.EventRouter",
    .create = outbox_create,
    .destroy = outbox_destroy,
    .bind = outbox_bind,
    .unbind = outbox_unbind,
    .takes_message = outbox_takes_message,
    .apply = outbox_apply,
};
