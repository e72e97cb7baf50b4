/*
 * avsc_texts.h — a schema catalogue loaded from schema texts, for the tests
 * of the catalogue (test_avsc_catalog.c) and of JSON to Avro
 * (test_json_avro.c).
 */
#ifndef TW_TEST_AVSC_TEXTS_H
#define TW_TEST_AVSC_TEXTS_H

#include <stddef.h>

#include "codec/avsc_catalog.h"

/* Writes texts as s00.avsc, s01.avsc... to a scratch directory, loads it
 * (with tw_json_avro_encode_default) and removes it again; returns the
 * load's error and leaves its message in message, with the directory
 * removed ("" on success). The catalogue goes to *out, or is destroyed
 * with out NULL. */
tw_err_t avsc_load_texts(const char *const *texts, size_t n, char *message, size_t size,
                         tw_avsc_catalog_t **out);

#endif /* TW_TEST_AVSC_TEXTS_H */
