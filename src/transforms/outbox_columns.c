/*
 * outbox_columns.c — the lowest part of the outbox router: reading one
 * column of the row being routed and copying text into the call's arena.
 * outbox_router.c, outbox_placements.c and outbox_value.c call these; they
 * call no other part of the router, so calls between its files run one way.
 */
#include "transforms/outbox_router_internal.h"

#include <string.h>

/* Copies len bytes into the arena as a NUL-terminated string. */
char *tw_outbox_strndup(tw_arena_t *arena, const char *s, size_t len)
{
    char *p = tw_arena_alloc(arena, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

tw_value_t *tw_outbox_column_value(const tw_outbox_binding_t *b, const tw_change_t *change,
                                   int col, tw_arena_t *arena, tw_err_t *err, char *errstr,
                                   size_t errstr_size)
{
    tw_value_t *v = tw_arena_alloc(arena, sizeof(*v));

    *err = tw_change_column_value(change->rel, change->new_tuple, (uint16_t)col, arena, v,
                                  errstr, errstr_size);
    if (*err == TW_OK && b->col_rule && b->col_rule[col])
        tw_column_rule_apply(b->col_rule[col], &change->rel->cols[col], v, arena);
    return v;
}
