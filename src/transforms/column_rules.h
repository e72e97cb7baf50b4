/*
 * column_rules.h — Debezium's column filters and column mappers for change
 * events: column.include.list / column.exclude.list leave columns out of
 * a value; column.truncate.to.<n>.chars, column.mask.with.<n>.chars,
 * column.mask.hash[.v2].<algorithm>.with.salt.<salt> and
 * column.propagate.source.type change a column's value or its schema's
 * parameters. Every list holds regular expressions matched against the
 * whole "<schema>.<table>.<column>", case-insensitively, as Debezium's
 * are. A column takes the first mapper naming it, in Debezium's order:
 * truncations, masks, hashes, then source types (keys in file order within
 * each). Keys are never mapped: Debezium maps values only.
 */
#ifndef TW_COLUMN_RULES_H
#define TW_COLUMN_RULES_H

#include <stdbool.h>

#include "util/arena.h"
#include "config/config.h"
#include "codec/connect_schema.h"
#include "pg/relcache.h"
#include "pg/value.h"

typedef struct tw_column_rules tw_column_rules_t;
typedef struct tw_column_rule tw_column_rule_t;

/* NULL in *out when the config has no column rules. */
tw_err_t tw_column_rules_new(const tw_config_t *cfg, tw_column_rules_t **out, char *errstr,
                             size_t errstr_size);
void tw_column_rules_destroy(tw_column_rules_t *rules); /* accepts NULL */

/* Whether a column's value goes into change events. */
bool tw_column_rules_keep(const tw_column_rules_t *rules, const char *schema, const char *table,
                          const char *column);
/* The mapper for a column, or NULL. */
const tw_column_rule_t *tw_column_rules_find(const tw_column_rules_t *rules, const char *schema,
                                             const char *table, const char *column);

/* Adds the rule's schema parameters to a column's value schema (a schema
 * of its own). `type_name` is pg_type.typname (NULL if unknown). */
void tw_column_rule_shape(const tw_column_rule_t *rule, const tw_rel_col_t *col,
                          const char *type_name, tw_cs_t *schema);

/* Whether the rule is a truncation: change events leave it to the
 * converters, which cut the text they format (tw_cs_t.truncate_chars, set
 * by tw_column_rule_shape), so the value need not be mapped. */
bool tw_column_rule_truncates(const tw_column_rule_t *rule);

/* Maps one value in place (copies into the arena). */
void tw_column_rule_apply(const tw_column_rule_t *rule, const tw_rel_col_t *col, tw_value_t *v,
                          tw_arena_t *arena);

#endif /* TW_COLUMN_RULES_H */
