/*
 * avsc_render.h — the self-contained schema text of one catalogue record,
 * as a schema registry receives it: named types it uses are written out in
 * full at their first use (with full names, so no "namespace" is needed)
 * and referenced by full name afterwards. avro-c must accept the text.
 *
 * Used by avsc_catalog.c when it loads; reads the schema graph only.
 */
#ifndef TW_AVSC_RENDER_H
#define TW_AVSC_RENDER_H

#include <stddef.h>

#include "codec/avsc_schema.h"
#include "util/common.h"

/* *out is the compact JSON text (malloc'd, the caller frees it). n_named is
 * the number of named types in the catalogue (bounds the ones written out).
 * TW_ERR_CONFIG, naming the file and record, when avro-c rejects the text. */
tw_err_t tw_avsc_render_record(const tw_avsc_schema_t *record, size_t n_named, char **out,
                               char *errstr, size_t errstr_size);

#endif /* TW_AVSC_RENDER_H */
