/*
 * json_avro_internal.h — what the parts of the JSON → Avro encoder share:
 * json_avro.c (the structure), json_avro_logical.c (integers, bytes,
 * decimals and the other logical types) and json_avro_errors.c (numbers as
 * text, error messages). Calls between them run one way, in that order.
 * Not for other modules, which use json_avro.h.
 */
#ifndef TW_JSON_AVRO_INTERNAL_H
#define TW_JSON_AVRO_INTERNAL_H

#include "codec/json_avro.h"

#include "util/buf.h"

/* The literal text of one number of a JSON text. */
typedef struct num_token {
    const json_t *node;
    const char *text;
    size_t len;
} num_token_t;

typedef struct enc_ctx {
    tw_json_avro_unknown_t unknown_fields;
    bool hide_values;  /* messages describe values, never quote them */
    bool default_mode; /* reading a schema default, not a payload */
    tw_buf_t path;     /* "$.a[2].b" of the value being encoded */
    const num_token_t *numbers; /* sorted by node; NULL for json_t input */
    size_t n_numbers;
    char *errstr;
    size_t errstr_size;
} enc_ctx_t;

/* A number's text and whether it is an integer literal. */
typedef struct num_text {
    char *s; /* owned, NUL-terminated */
    bool integral;
} num_text_t;

/* ---- json_avro_errors.c ---- */

/* Orders num_token_t by node, for qsort and bsearch of ctx->numbers. */
int tw_json_avro_compare_tokens(const void *a, const void *b);

/* A number's literal text (from the lexed JSON text when there is one);
 * the caller frees nt->s. */
void tw_json_avro_number_text(const enc_ctx_t *ctx, const json_t *value, num_text_t *nt);

/* Error messages, all "<path>: ..." into ctx->errstr; they return
 * TW_ERR_REJECTED. */
tw_err_t tw_json_avro_fail(enc_ctx_t *ctx, const char *fmt, ...) TW_PRINTF(2, 3);
tw_err_t tw_json_avro_mismatch(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value);
tw_err_t tw_json_avro_fail_value(enc_ctx_t *ctx, const char *prefix, const json_t *value,
                                 const char *suffix);

/* ---- json_avro_logical.c: the leaves ---- */
tw_err_t tw_json_avro_get_integer(enc_ctx_t *ctx, const tw_avsc_schema_t *schema,
                                  const json_t *value, int64_t min, int64_t max, const char *type,
                                  int64_t *out);
tw_err_t tw_json_avro_encode_bytes(enc_ctx_t *ctx, const tw_avsc_schema_t *schema,
                                   const json_t *value, tw_buf_t *out);
tw_err_t tw_json_avro_encode_logical(enc_ctx_t *ctx, const tw_avsc_schema_t *schema,
                                     const json_t *value, tw_buf_t *out);

#endif /* TW_JSON_AVRO_INTERNAL_H */
