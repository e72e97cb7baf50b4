/*
 * json_avro_errors.c — the lowest part of the JSON → Avro encoder: a
 * number's literal text and the error messages ("<path>: ..."), which
 * quote values by that text. Both json_avro.c (structure) and
 * json_avro_logical.c (leaves) call down into this file; it calls neither,
 * so calls between the parts run one way.
 */
#include "codec/json_avro_internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TW_JSON_AVRO_SHOW_MAX 40 /* longest value quoted in an error */

/* ---- numbers as text -------------------------------------------------- */

int tw_json_avro_compare_tokens(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const num_token_t *)a)->node;
    uintptr_t y = (uintptr_t)((const num_token_t *)b)->node;
    return x < y ? -1 : x > y;
}

void tw_json_avro_number_text(const enc_ctx_t *ctx, const json_t *value, num_text_t *nt)
{
    if (ctx->numbers) {
        num_token_t key = {value, NULL, 0};
        const num_token_t *tok =
            bsearch(&key, ctx->numbers, ctx->n_numbers, sizeof(key), tw_json_avro_compare_tokens);
        if (tok) {
            nt->s = tw_strndup(tok->text, tok->len);
            nt->integral = strpbrk(nt->s, ".eE") == NULL;
            return;
        }
    }
    if (json_is_integer(value)) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        nt->s = tw_strdup(buf);
        nt->integral = true;
        return;
    }
    /* A json_real has lost its text: its shortest round-trip form is what
     * the author most likely wrote. Shown with ".0" so it reads as a real. */
    {
        double d = json_real_value(value);
        char buf[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof(buf), "%.*g", prec, d);
            if (strtod(buf, NULL) == d)
                break;
        }
        if (strpbrk(buf, ".eEni") == NULL)
            strcat(buf, ".0");
        nt->s = tw_strdup(buf);
        nt->integral = false;
    }
}

/* ---- error messages --------------------------------------------------- */

/* A value as quoted in messages, cut to TW_JSON_AVRO_SHOW_MAX bytes. */
static void append_shown(const enc_ctx_t *ctx, tw_buf_t *b, const json_t *value)
{
    if (ctx->hide_values && json_is_string(value)) {
        size_t len = json_string_length(value);
        tw_buf_printf(b, "(%zu byte%s)", len, len == 1 ? "" : "s");
    } else if (ctx->hide_values && json_is_number(value)) {
        tw_buf_append_str(b, "(value not shown)");
    } else if (json_is_string(value)) {
        const char *s = json_string_value(value);
        size_t len = json_string_length(value), cut = len;

        if (cut > TW_JSON_AVRO_SHOW_MAX) {
            cut = TW_JSON_AVRO_SHOW_MAX;
            while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
                cut--; /* do not split a UTF-8 sequence */
        }
        tw_buf_append_json_string(b, s, cut);
        if (cut < len) {
            b->len--; /* reopen the quotes for the ellipsis */
            tw_buf_append_str(b, "...\"");
        }
    } else if (json_is_number(value)) {
        num_text_t nt;
        tw_json_avro_number_text(ctx, value, &nt);
        if (strlen(nt.s) > TW_JSON_AVRO_SHOW_MAX)
            tw_buf_printf(b, "%.*s...", TW_JSON_AVRO_SHOW_MAX, nt.s);
        else
            tw_buf_append_str(b, nt.s);
        free(nt.s);
    } else if (json_is_true(value)) {
        tw_buf_append_str(b, "true");
    } else if (json_is_false(value)) {
        tw_buf_append_str(b, "false");
    } else if (json_is_null(value)) {
        tw_buf_append_str(b, "null");
    } else {
        tw_buf_append_str(b, json_is_object(value) ? "object" : "array");
    }
}

/* "string "x"", "number 1.5", "boolean true", "null", "object", "array" */
static void append_got(const enc_ctx_t *ctx, tw_buf_t *b, const json_t *value)
{
    if (json_is_string(value))
        tw_buf_append_str(b, "string ");
    else if (json_is_number(value))
        tw_buf_append_str(b, "number ");
    else if (json_is_boolean(value))
        tw_buf_append_str(b, "boolean ");
    append_shown(ctx, b, value);
}

/* "<path>: <message>" into errstr. */
tw_err_t tw_json_avro_fail(enc_ctx_t *ctx, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tw_errf(TW_ERR_REJECTED, ctx->errstr, ctx->errstr_size, "%s: %s", ctx->path.data,
                   msg);
}

/* "<path>: <what>" where what is built by the caller (e.g. with append_got). */
static tw_err_t fail_buf(enc_ctx_t *ctx, tw_buf_t *msg)
{
    tw_err_t err = tw_json_avro_fail(ctx, "%s", msg->data);
    tw_buf_free(msg);
    return err;
}

tw_err_t tw_json_avro_mismatch(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value)
{
    tw_buf_t msg = TW_BUF_INIT;
    char expected[256];

    tw_buf_printf(&msg, "expected %s, got ",
                  tw_avsc_schema_describe(schema, expected, sizeof(expected)));
    append_got(ctx, &msg, value);
    return fail_buf(ctx, &msg);
}

/* "<path>: <prefix><shown value><suffix>" */
tw_err_t tw_json_avro_fail_value(enc_ctx_t *ctx, const char *prefix, const json_t *value,
                                 const char *suffix)
{
    tw_buf_t msg = TW_BUF_INIT;

    tw_buf_append_str(&msg, prefix);
    append_shown(ctx, &msg, value);
    tw_buf_append_str(&msg, suffix);
    return fail_buf(ctx, &msg);
}
