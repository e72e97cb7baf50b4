/*
 * key_columns.h — message.key.columns: which columns key the change
 * events of a table instead of its primary key. Entries are
 * `<schema.table regex>:<column>,<column>` separated by ';'; the first
 * entry whose pattern matches the whole "schema.table" applies.
 */
#ifndef TW_KEY_COLUMNS_H
#define TW_KEY_COLUMNS_H

#include <stddef.h>

#include "util/common.h"

typedef struct tw_key_columns tw_key_columns_t;

/* value NULL or blank: no entries (*out is still set). */
tw_err_t tw_key_columns_new(const char *value, tw_key_columns_t **out, char *errstr,
                            size_t errstr_size);
void tw_key_columns_destroy(tw_key_columns_t *kc); /* accepts NULL */

/* The columns configured for `table` ("schema.table"), in order, or NULL
 * (then *n is 0) when no entry matches. Owned by kc. */
char *const *tw_key_columns_for(const tw_key_columns_t *kc, const char *table, size_t *n);

#endif /* TW_KEY_COLUMNS_H */
