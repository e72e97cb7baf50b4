/*
 * json_avro.c — strict JSON → Avro binary encoding against a catalogue
 * schema (rules in json_avro.h).
 *
 * Numbers are handled as text: an int must be written as an integer
 * literal, a decimal keeps every digit. When the payload comes as JSON text
 * the literal digits of each number are recovered by a small lexer whose
 * tokens are matched, in document order, with the number nodes jansson
 * built (jansson keeps object keys in insertion order).
 */
#include "codec/json_avro.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avro_binary.h"
#include "codec/avro_literal.h"

#define TW_JSON_AVRO_SHOW_MAX 40 /* longest value quoted in an error */

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

static tw_err_t encode(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                       tw_buf_t *out);

/* ---- numbers as text -------------------------------------------------- */

static int compare_tokens(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const num_token_t *)a)->node;
    uintptr_t y = (uintptr_t)((const num_token_t *)b)->node;
    return x < y ? -1 : x > y;
}

static void number_text(const enc_ctx_t *ctx, const json_t *value, num_text_t *nt)
{
    if (ctx->numbers) {
        num_token_t key = {value, NULL, 0};
        const num_token_t *tok =
            bsearch(&key, ctx->numbers, ctx->n_numbers, sizeof(key), compare_tokens);
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

const char *tw_json_error_reason(const json_error_t *jerr)
{
    /* By code: jansson's text quotes the input near the error. */
    switch (json_error_code(jerr)) {
    case json_error_out_of_memory: return "out of memory";
    case json_error_stack_overflow: return "nested too deeply";
    case json_error_invalid_utf8: return "invalid UTF-8";
    case json_error_premature_end_of_input: return "unexpected end of input";
    case json_error_end_of_input_expected: return "text after the end of the JSON value";
    case json_error_invalid_syntax: return "invalid syntax";
    case json_error_null_character: return "\\u0000 in a string";
    case json_error_null_byte_in_key: return "NUL byte in an object key";
    case json_error_duplicate_key: return "duplicate object key";
    case json_error_numeric_overflow: return "number out of range";
    default: return "invalid JSON";
    }
}

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
        number_text(ctx, value, &nt);
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

static tw_err_t fail(enc_ctx_t *ctx, const char *fmt, ...) TW_PRINTF(2, 3);

/* "<path>: <message>" into errstr. */
static tw_err_t fail(enc_ctx_t *ctx, const char *fmt, ...)
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
    tw_err_t err = fail(ctx, "%s", msg->data);
    tw_buf_free(msg);
    return err;
}

static tw_err_t mismatch(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value)
{
    tw_buf_t msg = TW_BUF_INIT;
    char expected[256];

    tw_buf_printf(&msg, "expected %s, got ",
                  tw_avsc_schema_describe(schema, expected, sizeof(expected)));
    append_got(ctx, &msg, value);
    return fail_buf(ctx, &msg);
}

/* "<path>: <prefix><shown value><suffix>" */
static tw_err_t fail_value(enc_ctx_t *ctx, const char *prefix, const json_t *value,
                           const char *suffix)
{
    tw_buf_t msg = TW_BUF_INIT;

    tw_buf_append_str(&msg, prefix);
    append_shown(ctx, &msg, value);
    tw_buf_append_str(&msg, suffix);
    return fail_buf(ctx, &msg);
}

static bool is_identifier(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

/* Appends ".key" (or ["key"] when it is no identifier); returns the length
 * to restore. */
static size_t path_push_key(enc_ctx_t *ctx, const char *key)
{
    size_t mark = ctx->path.len;

    if (is_identifier(key)) {
        tw_buf_printf(&ctx->path, ".%s", key);
    } else {
        tw_buf_append_char(&ctx->path, '[');
        tw_buf_append_json_string(&ctx->path, key, strlen(key));
        tw_buf_append_char(&ctx->path, ']');
    }
    return mark;
}

/* A map key: "[*]" when values are hidden, since a map's keys are as much
 * the writer's data as its values. */
static size_t path_push_data_key(enc_ctx_t *ctx, const char *key)
{
    size_t mark = ctx->path.len;

    if (!ctx->hide_values)
        return path_push_key(ctx, key);
    tw_buf_append_str(&ctx->path, "[*]");
    return mark;
}

static void path_pop(enc_ctx_t *ctx, size_t mark)
{
    ctx->path.len = mark;
    ctx->path.data[mark] = '\0';
}

/* ---- primitive pieces ------------------------------------------------- */

/* An integer literal into [min, max]; errors name the value. */
static tw_err_t get_integer(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                            int64_t min, int64_t max, const char *type, int64_t *out)
{
    num_text_t nt;
    long long v;
    char *end;
    tw_err_t err = TW_OK;

    if (!json_is_number(value))
        return mismatch(ctx, schema, value);
    number_text(ctx, value, &nt);
    if (!nt.integral) {
        err = mismatch(ctx, schema, value);
        goto cleanup;
    }
    errno = 0;
    v = strtoll(nt.s, &end, 10);
    if (errno == ERANGE || *end != '\0' || v < min || v > max) {
        err = fail(ctx, "%s out of range for %s", ctx->hide_values ? "number" : nt.s, type);
        goto cleanup;
    }
    *out = v;
cleanup:
    free(nt.s);
    return err;
}

/* bytes, fixed, and the bytes behind a decimal */
static tw_err_t encode_bytes(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                             tw_buf_t *out)
{
    tw_buf_t data = TW_BUF_INIT;
    const char *s = json_string_value(value);
    size_t len = json_string_length(value);
    tw_err_t err = TW_OK;

    if (!json_is_string(value))
        return mismatch(ctx, schema, value);
    if (ctx->default_mode ? !tw_avro_literal_latin1(s, len, &data)
                          : !tw_avro_literal_base64(s, len, &data)) {
        err = fail_value(ctx,
                         ctx->default_mode ? "invalid bytes default " : "invalid base64 string ",
                         value,
                         ctx->default_mode ? " (code points 0-255 expected)"
                                           : " (bytes are given as base64)");
        goto cleanup;
    }
    if (schema->type == TW_AVSC_FIXED) {
        if (data.len != schema->size) {
            err = fail(ctx, "fixed %s needs %zu bytes, got %zu", schema->fullname, schema->size,
                       data.len);
            goto cleanup;
        }
        tw_buf_append(out, data.data, data.len);
    } else {
        tw_avro_write_bytes(out, data.data, data.len);
    }
cleanup:
    tw_buf_free(&data);
    return err;
}

/* ---- logical types ---------------------------------------------------- */


static tw_err_t encode_decimal(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                               tw_buf_t *out)
{
    char described[64];
    num_text_t nt = {NULL, false};
    const char *s, *p;
    tw_buf_t digit_buf = TW_BUF_INIT, bytes = TW_BUF_INIT;
    bool negative = false;
    long frac = 0, exponent = 0;
    size_t start;
    tw_err_t err = TW_OK;

    tw_avsc_schema_describe(schema, described, sizeof(described));
    if (json_is_string(value)) {
        s = json_string_value(value);
    } else if (json_is_number(value)) {
        number_text(ctx, value, &nt);
        s = nt.s;
    } else {
        return mismatch(ctx, schema, value);
    }
    /* [+-]digits[.digits][(e|E)[+-]digits] */
    p = s;
    if (*p == '-' || *p == '+')
        negative = *p++ == '-';
    if (*p < '0' || *p > '9')
        goto malformed;
    while (*p >= '0' && *p <= '9')
        tw_buf_append_char(&digit_buf, *p++);
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            goto malformed;
        while (*p >= '0' && *p <= '9') {
            tw_buf_append_char(&digit_buf, *p++);
            frac++;
        }
    }
    if (*p == 'e' || *p == 'E') {
        char *end;
        errno = 0;
        exponent = strtol(p + 1, &end, 10);
        if (end == p + 1 || (p[1] != '-' && p[1] != '+' && (p[1] < '0' || p[1] > '9')) ||
            errno == ERANGE || exponent > 10000 || exponent < -10000)
            goto malformed;
        p = end;
    }
    if (*p != '\0' || digit_buf.len > 10000)
        goto malformed;
    frac -= exponent;
    for (; frac < 0; frac++)
        tw_buf_append_char(&digit_buf, '0');
    if (frac > schema->scale) {
        char what[256];
        snprintf(what, sizeof(what), " has %ld fractional digits, more than the scale of %s",
                 frac, described);
        err = fail_value(ctx, "", value, what);
        goto cleanup;
    }
    for (; frac < schema->scale; frac++)
        tw_buf_append_char(&digit_buf, '0');
    for (start = 0; start < digit_buf.len && digit_buf.data[start] == '0'; start++)
        ;
    if (digit_buf.len - start > (size_t)schema->precision) {
        char what[256];
        snprintf(what, sizeof(what), " has %zu digits, more than the precision of %s",
                 digit_buf.len - start, described);
        err = fail_value(ctx, "", value, what);
        goto cleanup;
    }
    tw_avro_literal_unscaled(digit_buf.data + start, digit_buf.len - start,
                             negative && start < digit_buf.len, &bytes);
    if (schema->type == TW_AVSC_FIXED) {
        if (bytes.len > schema->size) {
            err = fail_value(ctx, "", value, " does not fit in its fixed size");
            goto cleanup;
        }
        for (size_t k = bytes.len; k < schema->size; k++)
            tw_buf_append_char(out, (bytes.data[0] & 0x80) ? (char)0xFF : 0);
        tw_buf_append(out, bytes.data, bytes.len);
    } else {
        tw_avro_write_bytes(out, bytes.data, bytes.len);
    }
    goto cleanup;
malformed:
    err = fail_value(ctx, "invalid decimal ", value, "");
cleanup:
    free(nt.s);
    tw_buf_free(&digit_buf);
    tw_buf_free(&bytes);
    return err;
}

static tw_err_t encode_logical(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                               tw_buf_t *out)
{
    const char *s = json_string_value(value);
    size_t len = json_string_length(value);
    bool is_int = schema->type == TW_AVSC_INT;
    char described[64];
    int unit_digits = 0;
    bool local = false;
    int64_t v;
    tw_avro_time_result_t r;
    tw_err_t err;

    if (schema->logical == TW_AVSC_LOGICAL_DECIMAL)
        return encode_decimal(ctx, schema, value, out);
    if (schema->logical == TW_AVSC_LOGICAL_UUID) {
        if (!json_is_string(value))
            return mismatch(ctx, schema, value);
        if (!tw_avro_literal_uuid(s, len))
            return fail_value(ctx, "invalid uuid ", value, " (expected 8-4-4-4-12 hex digits)");
        tw_avro_write_bytes(out, s, len);
        return TW_OK;
    }
    /* The rest are int or long underneath: an integer is taken as is. */
    if (json_is_number(value)) {
        err = get_integer(ctx, schema, value, is_int ? INT32_MIN : INT64_MIN,
                          is_int ? INT32_MAX : INT64_MAX, is_int ? "int" : "long", &v);
        if (err == TW_OK)
            tw_avro_write_long(out, v);
        return err;
    }
    if (!json_is_string(value))
        return mismatch(ctx, schema, value);
    tw_avsc_schema_describe(schema, described, sizeof(described));
    switch (schema->logical) {
    case TW_AVSC_LOGICAL_DATE:
        if (len != 10 || !tw_avro_literal_date(s, len, &v))
            return fail_value(ctx, "invalid date ", value, " (expected YYYY-MM-DD)");
        tw_avro_write_long(out, v);
        return TW_OK;
    case TW_AVSC_LOGICAL_TIME_MILLIS:
    case TW_AVSC_LOGICAL_TIME_MICROS: {
        size_t used = 0;
        unit_digits = schema->logical == TW_AVSC_LOGICAL_TIME_MILLIS ? 3 : 6;
        r = tw_avro_literal_time(s, len, unit_digits, &v, &used);
        if (r == TW_AVRO_TIME_OK && used != len)
            r = TW_AVRO_TIME_MALFORMED;
        break;
    }
    case TW_AVSC_LOGICAL_LOCAL_TIMESTAMP_MILLIS:
    case TW_AVSC_LOGICAL_LOCAL_TIMESTAMP_MICROS:
        local = true;
        /* fall through */
    default:
        unit_digits = (schema->logical == TW_AVSC_LOGICAL_TIMESTAMP_MILLIS ||
                       schema->logical == TW_AVSC_LOGICAL_LOCAL_TIMESTAMP_MILLIS)
                          ? 3
                          : 6;
        r = tw_avro_literal_timestamp(s, len, unit_digits, local, &v);
        break;
    }
    if (r == TW_AVRO_TIME_TOO_PRECISE) {
        char what[256];
        snprintf(what, sizeof(what), " has more fractional-second digits than %s holds (%d)",
                 described, unit_digits);
        return fail_value(ctx, "", value, what);
    }
    if (r != TW_AVRO_TIME_OK) {
        char what[256];
        bool is_time = schema->logical == TW_AVSC_LOGICAL_TIME_MILLIS ||
                       schema->logical == TW_AVSC_LOGICAL_TIME_MICROS;
        snprintf(what, sizeof(what), " (expected %s)",
                 is_time ? "HH:MM:SS[.fraction]"
                 : local ? "YYYY-MM-DDTHH:MM:SS[.fraction] without zone or with Z"
                         : "YYYY-MM-DDTHH:MM:SS[.fraction] and Z or +HH:MM/-HH:MM");
        tw_buf_t prefix = TW_BUF_INIT;
        tw_buf_printf(&prefix, "invalid %s ", described);
        err = fail_value(ctx, prefix.data, value, what);
        tw_buf_free(&prefix);
        return err;
    }
    tw_avro_write_long(out, v);
    return TW_OK;
}

/* ---- complex types ---------------------------------------------------- */

static tw_err_t encode_record(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                              tw_buf_t *out)
{
    tw_err_t err;

    if (!json_is_object(value))
        return mismatch(ctx, schema, value);
    if (ctx->unknown_fields == TW_JSON_AVRO_UNKNOWN_FAIL && !ctx->default_mode) {
        const char *key;
        const json_t *member;

        json_object_foreach((json_t *)value, key, member) {
            size_t i;
            for (i = 0; i < schema->n_fields; i++)
                if (strcmp(schema->fields[i].name, key) == 0)
                    break;
            if (i == schema->n_fields) {
                /* A field name is structure, like a column name: shown. */
                size_t mark = path_push_key(ctx, key);
                err = fail(ctx, "unknown field (unknown.fields=fail)");
                path_pop(ctx, mark);
                return err;
            }
        }
    }
    for (size_t i = 0; i < schema->n_fields; i++) {
        const tw_avsc_field_t *field = &schema->fields[i];
        const json_t *member = json_object_get(value, field->name);
        size_t mark;

        if (member == NULL && field->default_value == NULL)
            return fail(ctx, "missing required field \"%s\"", field->name);
        mark = path_push_key(ctx, field->name);
        if (member) {
            err = encode(ctx, field->schema, member, out);
        } else {
            /* The default is in the schema's JSON form, not the payload's. */
            bool was_default = ctx->default_mode;
            ctx->default_mode = true;
            err = encode(ctx, field->schema, field->default_value, out);
            ctx->default_mode = was_default;
        }
        path_pop(ctx, mark);
        if (err)
            return err;
    }
    return TW_OK;
}

static tw_err_t encode_array(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                             tw_buf_t *out)
{
    size_t n = json_array_size(value);

    if (!json_is_array(value))
        return mismatch(ctx, schema, value);
    /* One block holding every item, then the empty block that ends it. */
    if (n > 0)
        tw_avro_write_long(out, (int64_t)n);
    for (size_t i = 0; i < n; i++) {
        size_t mark = ctx->path.len;
        tw_err_t err;

        tw_buf_printf(&ctx->path, "[%zu]", i);
        err = encode(ctx, schema->items, json_array_get(value, i), out);
        path_pop(ctx, mark);
        if (err)
            return err;
    }
    tw_avro_write_long(out, 0);
    return TW_OK;
}

static tw_err_t encode_map(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                           tw_buf_t *out)
{
    const char *key;
    const json_t *member;

    if (!json_is_object(value))
        return mismatch(ctx, schema, value);
    if (json_object_size(value) > 0)
        tw_avro_write_long(out, (int64_t)json_object_size(value));
    json_object_foreach((json_t *)value, key, member) {
        size_t mark = path_push_data_key(ctx, key);
        tw_err_t err;

        tw_avro_write_bytes(out, key, strlen(key));
        err = encode(ctx, schema->items, member, out);
        path_pop(ctx, mark);
        if (err)
            return err;
    }
    tw_avro_write_long(out, 0);
    return TW_OK;
}

/* Could a value of this JSON kind be meant for this branch? Decides which
 * branch's error is worth reporting when none takes the value. */
static bool kind_fits(const tw_avsc_schema_t *schema, const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_NULL:
        return schema->type == TW_AVSC_NULL;
    case JSON_TRUE:
    case JSON_FALSE:
        return schema->type == TW_AVSC_BOOLEAN;
    case JSON_INTEGER:
    case JSON_REAL:
        return (schema->type >= TW_AVSC_INT && schema->type <= TW_AVSC_DOUBLE) ||
               schema->logical == TW_AVSC_LOGICAL_DECIMAL;
    case JSON_STRING:
        return schema->type == TW_AVSC_STRING || schema->type == TW_AVSC_BYTES ||
               schema->type == TW_AVSC_FIXED || schema->type == TW_AVSC_ENUM ||
               schema->logical != TW_AVSC_LOGICAL_NONE;
    case JSON_OBJECT:
        return schema->type == TW_AVSC_RECORD || schema->type == TW_AVSC_MAP;
    case JSON_ARRAY:
        return schema->type == TW_AVSC_ARRAY;
    }
    return false;
}

static tw_err_t encode_union(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                             tw_buf_t *out)
{
    size_t start = out->len, fitting = 0;
    char *saved_errstr = ctx->errstr;
    size_t saved_size = ctx->errstr_size;
    char branch_err[1024], fit_err[1024] = "";
    const char *key;
    const json_t *inner;

    /* A default is always for the first branch. */
    if (ctx->default_mode) {
        tw_avro_write_union_index(out, 0);
        return encode(ctx, schema->branches[0], value, out);
    }
    /* The first branch that takes the value as is, in declared order. */
    for (size_t i = 0; i < schema->n_branches; i++) {
        tw_err_t err;

        ctx->errstr = branch_err;
        ctx->errstr_size = sizeof(branch_err);
        tw_avro_write_union_index(out, (int)i);
        err = encode(ctx, schema->branches[i], value, out);
        ctx->errstr = saved_errstr;
        ctx->errstr_size = saved_size;
        if (err == TW_OK)
            return TW_OK;
        out->len = start;
        if (kind_fits(schema->branches[i], value) && fitting++ == 0)
            memcpy(fit_err, branch_err, sizeof(fit_err));
    }
    /* Avro's JSON encoding of unions: {"<branch type name>": value}. */
    if (json_is_object(value) && json_object_size(value) == 1) {
        json_object_foreach((json_t *)value, key, inner) {
            for (size_t i = 0; i < schema->n_branches; i++) {
                if (strcmp(tw_avsc_schema_type_name(schema->branches[i]), key) != 0)
                    continue;
                tw_avro_write_union_index(out, (int)i);
                tw_err_t err = encode(ctx, schema->branches[i], inner, out);
                if (err)
                    out->len = start;
                return err;
            }
        }
    }
    if (out->data)
        out->data[start] = '\0';
    /* One plausible branch: its error is the precise one (e.g. a bad field
     * deep inside the record of ["null", Record]). */
    if (fitting == 1)
        return tw_errf(TW_ERR_REJECTED, ctx->errstr, ctx->errstr_size, "%s", fit_err);
    return mismatch(ctx, schema, value);
}

static tw_err_t encode(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                       tw_buf_t *out)
{
    int64_t v;
    tw_err_t err;

    if (schema->logical != TW_AVSC_LOGICAL_NONE && !ctx->default_mode)
        return encode_logical(ctx, schema, value, out);
    switch (schema->type) {
    case TW_AVSC_NULL:
        return json_is_null(value) ? TW_OK : mismatch(ctx, schema, value);
    case TW_AVSC_BOOLEAN:
        if (!json_is_boolean(value))
            return mismatch(ctx, schema, value);
        tw_avro_write_boolean(out, json_is_true(value));
        return TW_OK;
    case TW_AVSC_INT:
    case TW_AVSC_LONG: {
        bool is_int = schema->type == TW_AVSC_INT;
        err = get_integer(ctx, schema, value, is_int ? INT32_MIN : INT64_MIN,
                          is_int ? INT32_MAX : INT64_MAX, is_int ? "int" : "long", &v);
        if (err == TW_OK)
            tw_avro_write_long(out, v);
        return err;
    }
    case TW_AVSC_FLOAT:
    case TW_AVSC_DOUBLE: {
        num_text_t nt;
        double d;

        if (!json_is_number(value))
            return mismatch(ctx, schema, value);
        number_text(ctx, value, &nt);
        d = strtod(nt.s, NULL);
        if (schema->type == TW_AVSC_FLOAT && fabs(d) > FLT_MAX) {
            err = fail(ctx, "%s out of range for float", ctx->hide_values ? "number" : nt.s);
            free(nt.s);
            return err;
        }
        free(nt.s);
        if (schema->type == TW_AVSC_FLOAT)
            tw_avro_write_float(out, (float)d);
        else
            tw_avro_write_double(out, d);
        return TW_OK;
    }
    case TW_AVSC_STRING:
        if (!json_is_string(value))
            return mismatch(ctx, schema, value);
        if (!tw_utf8_valid(json_string_value(value), json_string_length(value)))
            return fail(ctx, "string is not valid UTF-8");
        tw_avro_write_bytes(out, json_string_value(value), json_string_length(value));
        return TW_OK;
    case TW_AVSC_BYTES:
    case TW_AVSC_FIXED:
        return encode_bytes(ctx, schema, value, out);
    case TW_AVSC_ENUM: {
        tw_buf_t allowed = TW_BUF_INIT;

        if (!json_is_string(value))
            return mismatch(ctx, schema, value);
        for (size_t i = 0; i < schema->n_symbols; i++) {
            if (strcmp(schema->symbols[i], json_string_value(value)) == 0) {
                tw_avro_write_long(out, (int64_t)i);
                return TW_OK;
            }
        }
        /* An enum's "default" only serves readers resolving an old schema:
         * a writer must not turn an unknown symbol into it. */
        tw_buf_append_str(&allowed, " not allowed (allowed: ");
        for (size_t i = 0; i < schema->n_symbols; i++)
            tw_buf_printf(&allowed, "%s%s", i ? ", " : "", schema->symbols[i]);
        tw_buf_append_char(&allowed, ')');
        err = fail_value(ctx, "enum symbol ", value, allowed.data);
        tw_buf_free(&allowed);
        return err;
    }
    case TW_AVSC_RECORD:
        return encode_record(ctx, schema, value, out);
    case TW_AVSC_ARRAY:
        return encode_array(ctx, schema, value, out);
    case TW_AVSC_MAP:
        return encode_map(ctx, schema, value, out);
    case TW_AVSC_UNION:
        return encode_union(ctx, schema, value, out);
    }
    return tw_errf(TW_ERR_STATE, ctx->errstr, ctx->errstr_size, "unknown schema type");
}

/* ---- entry points ----------------------------------------------------- */

static tw_err_t run(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                    tw_buf_t *out)
{
    size_t start = out->len;
    tw_err_t err;

    tw_buf_append_str(&ctx->path, "$");
    err = encode(ctx, schema, value, out);
    if (err) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    tw_buf_free(&ctx->path);
    return err;
}

tw_err_t tw_json_avro_encode(const tw_avsc_schema_t *schema, const json_t *value,
                             const tw_json_avro_opts_t *opts, tw_buf_t *out, char *errstr,
                             size_t errstr_size)
{
    enc_ctx_t ctx = {.errstr = errstr, .errstr_size = errstr_size};

    ctx.unknown_fields = opts ? opts->unknown_fields : TW_JSON_AVRO_UNKNOWN_IGNORE;
    ctx.hide_values = opts && opts->hide_values;
    return run(&ctx, schema, value, out);
}

tw_err_t tw_json_avro_encode_default(const tw_avsc_schema_t *schema, const json_t *value,
                                     tw_buf_t *out, char *errstr, size_t errstr_size)
{
    enc_ctx_t ctx = {.default_mode = true, .errstr = errstr, .errstr_size = errstr_size};

    return run(&ctx, schema, value, out);
}

/* The number literals of a (valid) JSON text, in document order. */
static size_t lex_numbers(const char *text, size_t len, num_token_t *tokens)
{
    size_t n = 0;

    for (size_t i = 0; i < len;) {
        char c = text[i];
        if (c == '"') {
            for (i++; i < len && text[i] != '"'; i++)
                if (text[i] == '\\')
                    i++;
            i++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t s = i;
            while (i < len && strchr("0123456789+-.eE", text[i]) && text[i] != '\0')
                i++;
            if (tokens) {
                tokens[n].text = text + s;
                tokens[n].len = i - s;
            }
            n++;
        } else {
            i++;
        }
    }
    return n;
}

/* Pairs number nodes, in document order, with the lexed tokens. */
static void assign_numbers(const json_t *value, num_token_t *tokens, size_t n, size_t *next)
{
    const char *key;
    const json_t *member;
    size_t i;

    if (json_is_number(value)) {
        if (*next < n)
            tokens[*next].node = value;
        (*next)++;
    } else if (json_is_object(value)) {
        json_object_foreach((json_t *)value, key, member)
            assign_numbers(member, tokens, n, next);
    } else if (json_is_array(value)) {
        json_array_foreach(value, i, member)
            assign_numbers(member, tokens, n, next);
    }
}

tw_err_t tw_json_avro_encode_text(const tw_avsc_schema_t *schema, const char *text, size_t len,
                                  const tw_json_avro_opts_t *opts, tw_buf_t *out, char *errstr,
                                  size_t errstr_size)
{
    enc_ctx_t ctx = {.errstr = errstr, .errstr_size = errstr_size};
    json_error_t jerr;
    json_t *value;
    num_token_t *tokens = NULL;
    size_t n, assigned = 0;
    tw_err_t err;

    /* Every number as a real: jansson then accepts integers of any size,
     * and the literal text decides what they are. */
    value = json_loadb(text, len,
                       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
                           JSON_DECODE_INT_AS_REAL,
                       &jerr);
    if (value == NULL)
        return tw_errf(TW_ERR_REJECTED, errstr, errstr_size,
                       "$: invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
                       opts && opts->hide_values ? tw_json_error_reason(&jerr) : jerr.text);
    n = lex_numbers(text, len, NULL);
    tokens = tw_calloc(n ? n : 1, sizeof(*tokens));
    lex_numbers(text, len, tokens);
    assign_numbers(value, tokens, n, &assigned);
    if (assigned != n) {
        err = tw_errf(TW_ERR_STATE, errstr, errstr_size,
                      "$: internal error: %zu numbers parsed but %zu lexed", assigned, n);
        goto cleanup;
    }
    qsort(tokens, n, sizeof(*tokens), compare_tokens);
    ctx.numbers = tokens;
    ctx.n_numbers = n;
    ctx.unknown_fields = opts ? opts->unknown_fields : TW_JSON_AVRO_UNKNOWN_IGNORE;
    ctx.hide_values = opts && opts->hide_values;
    err = run(&ctx, schema, value, out);
cleanup:
    free(tokens);
    json_decref(value);
    return err;
}
