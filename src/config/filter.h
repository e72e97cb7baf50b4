/*
 * filter.h — Debezium-style include/exclude lists: comma-separated regular
 * expressions, each anchored at both ends, matched against a name such as
 * "schema.table" or a logical-message prefix.
 */
#ifndef TW_FILTER_H
#define TW_FILTER_H

#include <stdbool.h>

#include "util/common.h"

typedef struct tw_filter tw_filter_t;

/* Either list may be NULL or empty. `what` names the config keys in errors
 * (e.g. "table.include.list"). */
tw_err_t tw_filter_new(const char *include_list, const char *exclude_list,
                       const char *include_key, const char *exclude_key, tw_filter_t **filter,
                       char *errstr, size_t errstr_size);
void tw_filter_destroy(tw_filter_t *filter); /* accepts NULL */

/* True when the name matches an include pattern (or there are none) and no
 * exclude pattern. A NULL filter matches everything. */
bool tw_filter_match(const tw_filter_t *filter, const char *name);

/* True when an include list was given. */
bool tw_filter_has_include(const tw_filter_t *filter);

#endif /* TW_FILTER_H */
