/*
 * column_schema.h — the Connect schema of one relation column as a change
 * event or an outbox placement carries it: the type mapping of
 * connect_schema.h for its value type, plus what the catalog knows (an
 * enum's labels, hstore by name, the column DEFAULT as the schema default).
 * Above connect_schema.c and column_default.c, which it combines.
 */
#ifndef TW_COLUMN_SCHEMA_H
#define TW_COLUMN_SCHEMA_H

#include <stdbool.h>

#include "codec/connect_schema.h"

struct tw_rel_col;

/* A relation column's schema: tw_cs_for_column of its value type, plus an
 * enum's io.debezium.data.Enum name and `allowed` labels, hstore per
 * hstore.handling.mode, and the column DEFAULT as the schema default where
 * Debezium reads one (column_default.h). */
tw_cs_t *tw_cs_for_rel_col(const struct tw_rel_col *col, bool optional);

#endif /* TW_COLUMN_SCHEMA_H */
