/*
 * column_schema.c — a relation column's Connect schema (see
 * column_schema.h). Its own file because the default needs the datum
 * readers (column_default.c), which need connect_schema.c: kept in
 * connect_schema.c it would make a call cycle.
 */
#include "codec/column_schema.h"

#include <string.h>

#include "codec/column_default.h"
#include "pg/relcache.h"

tw_cs_t *tw_cs_for_rel_col(const struct tw_rel_col *col, bool optional)
{
    bool is_enum = col->enum_labels != NULL;
    tw_cs_t *schema;

    /* An extension type: known by name (its OID differs per database). */
    if (col->type_name && col->elem_oid == 0 && strcmp(col->type_name, "hstore") == 0)
        return tw_cs_for_hstore(optional);
    if (col->type_name && col->elem_oid != 0 && strcmp(col->type_name, "_hstore") == 0) {
        schema = tw_cs_new(TW_CS_ARRAY, optional, NULL);
        schema->elem = tw_cs_for_hstore(true);
        return schema;
    }
    schema = tw_cs_for_column(col->value_oid, col->value_typmod, optional);

    if (col->enum_labels && schema->type == TW_CS_STRING && schema->name == NULL) {
        schema->name = tw_strdup("io.debezium.data.Enum");
        schema->version = 1;
        tw_cs_set_param(schema, "allowed", col->enum_labels);
    }
    /* Debezium reads the DEFAULT of a column of a built-in type or an
     * enum; a domain's column (whose value type is its base type) has
     * none. */
    if (col->default_expr && (is_enum || col->type_oid == col->value_oid))
        schema->default_value = tw_column_default(schema, col->value_oid, col->value_typmod,
                                                  is_enum, col->default_expr);
    return schema;
}
