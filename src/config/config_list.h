/*
 * config_list.h — comma-separated list values (`table.include.list`,
 * `schema.registry.url`, ...) split into trimmed items. Its own header so
 * that readers of lists (filter.c) need not include the whole
 * configuration.
 */
#ifndef TW_CONFIG_LIST_H
#define TW_CONFIG_LIST_H

#include <stddef.h>

/* Splits a comma-separated list value into trimmed, non-empty items.
 * Returns the number of items; *items is allocated, free with
 * tw_config_free_list. */
size_t tw_config_split_list(const char *value, char ***items);
void tw_config_free_list(char **items, size_t n);

#endif /* TW_CONFIG_LIST_H */
