/*
 * value_internal.h — what the value layer's parts (value.c, value_text.c,
 * value_binary.c, value_json.c) share; not for other modules, which use
 * value.h.
 */
#ifndef TW_VALUE_INTERNAL_H
#define TW_VALUE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pg/value.h"

/* PostgreSQL's limit on array dimensions (MAXDIM). */
#define TW_VALUE_ARRAY_MAX_DIMS 6

/* Inline: it runs once per column on the replication hot path. */
static inline void tw_value_init(tw_value_t *out, uint32_t oid, tw_value_kind_t kind)
{
    out->kind = kind;
    out->special = TW_VALUE_FINITE;
    out->type_oid = oid;
    out->unknown_type = false;
}

/* "int4", "int4[]" or "type 12345", for error messages. */
void tw_value_type_label(uint32_t oid, char *out, size_t size);

/* Fills out->u.uuid.text, the canonical lower-case 8-4-4-4-12 form, from
 * out->u.uuid.bytes. */
void tw_value_uuid_format(tw_value_t *out);

/* Only a cheap sanity check of json/jsonb text: the server validated the
 * document on input, and a full parse per column would cost more than
 * everything else here. It catches a wrong type OID or a truncated value,
 * which would otherwise be embedded raw and break the JSON it is written
 * into. */
bool tw_value_looks_like_json(const char *s, size_t len);

#endif /* TW_VALUE_INTERNAL_H */
