/*
 * column_default.h — a column's DEFAULT as the Connect default of its
 * schema, read as Debezium's PostgreSQL connector reads it
 * (PostgresDefaultValueConverter): a constant of a type it knows, parsed
 * and converted like a value of the column; a function call or
 * CURRENT_TIMESTAMP and its kin as that type's placeholder (0, the epoch,
 * "", false, the nil UUID); anything else, no default.
 */
#ifndef TW_COLUMN_DEFAULT_H
#define TW_COLUMN_DEFAULT_H

#include <jansson.h>

#include "codec/connect_schema.h"

/* The default of a column of type `type_oid` (its own type, not a domain's
 * base: Debezium gives domains none) with schema `schema` (from
 * tw_cs_for_column_opts of that type), from `expr` as pg_get_expr prints
 * it. `is_enum`: the type is an enum (schema a string). Returns the Connect
 * value as connect_schema.h keeps defaults (bytes as raw bytes), or NULL. */
json_t *tw_column_default(const tw_cs_t *schema, uint32_t type_oid, int32_t typmod, bool is_enum,
                          const char *expr);

/* The text Debezium takes from a DEFAULT expression: the placeholder for a
 * function call or a CURRENT_DATE-like keyword, else the first quoted
 * literal (quotes doubled inside it undone), else the expression itself;
 * NULL for NULL::type. Exposed for the unit tests. */
char *tw_column_default_text(const char *expr, const char *placeholder);

#endif /* TW_COLUMN_DEFAULT_H */
