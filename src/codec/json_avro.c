/*
 * json_avro.c — strict JSON → Avro binary encoding against a catalogue
 * schema (rules in json_avro.h).
 *
 * Numbers are handled as text: an int must be written as an integer
 * literal, a decimal keeps every digit. When the payload comes as JSON text
 * the literal digits of each number are recovered by a small lexer whose
 * tokens are matched, in document order, with the number nodes jansson
 * built (jansson keeps object keys in insertion order).
 *
 * This file holds the structure (records, arrays, maps, unions) and the
 * lexer; integers, bytes, decimals and the other logical types are in
 * json_avro_logical.c, numbers as text and the error messages in
 * json_avro_errors.c. Calls run one way: json_avro.c → json_avro_logical.c
 * → json_avro_errors.c.
 */
#include "codec/json_avro_internal.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avro_binary.h"
#include "codec/avro_literal.h"

static tw_err_t encode(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                       tw_buf_t *out);

/* ---- jansson's parse errors ------------------------------------------- */

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

/* ---- complex types ---------------------------------------------------- */

static tw_err_t encode_record(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                              tw_buf_t *out)
{
    tw_err_t err;

    if (!json_is_object(value))
        return tw_json_avro_mismatch(ctx, schema, value);
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
                err = tw_json_avro_fail(ctx, "unknown field (unknown.fields=fail)");
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
            return tw_json_avro_fail(ctx, "missing required field \"%s\"", field->name);
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
        return tw_json_avro_mismatch(ctx, schema, value);
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
        return tw_json_avro_mismatch(ctx, schema, value);
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
    return tw_json_avro_mismatch(ctx, schema, value);
}

static tw_err_t encode(enc_ctx_t *ctx, const tw_avsc_schema_t *schema, const json_t *value,
                       tw_buf_t *out)
{
    int64_t v;
    tw_err_t err;

    if (schema->logical != TW_AVSC_LOGICAL_NONE && !ctx->default_mode)
        return tw_json_avro_encode_logical(ctx, schema, value, out);
    switch (schema->type) {
    case TW_AVSC_NULL:
        return json_is_null(value) ? TW_OK : tw_json_avro_mismatch(ctx, schema, value);
    case TW_AVSC_BOOLEAN:
        if (!json_is_boolean(value))
            return tw_json_avro_mismatch(ctx, schema, value);
        tw_avro_write_boolean(out, json_is_true(value));
        return TW_OK;
    case TW_AVSC_INT:
    case TW_AVSC_LONG: {
        bool is_int = schema->type == TW_AVSC_INT;
        err = tw_json_avro_get_integer(ctx, schema, value, is_int ? INT32_MIN : INT64_MIN,
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
            return tw_json_avro_mismatch(ctx, schema, value);
        tw_json_avro_number_text(ctx, value, &nt);
        d = strtod(nt.s, NULL);
        if (schema->type == TW_AVSC_FLOAT && fabs(d) > FLT_MAX) {
            err = tw_json_avro_fail(ctx, "%s out of range for float",
                                    ctx->hide_values ? "number" : nt.s);
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
            return tw_json_avro_mismatch(ctx, schema, value);
        if (!tw_utf8_valid(json_string_value(value), json_string_length(value)))
            return tw_json_avro_fail(ctx, "string is not valid UTF-8");
        tw_avro_write_bytes(out, json_string_value(value), json_string_length(value));
        return TW_OK;
    case TW_AVSC_BYTES:
    case TW_AVSC_FIXED: return tw_json_avro_encode_bytes(ctx, schema, value, out);
    case TW_AVSC_ENUM: {
        tw_buf_t allowed = TW_BUF_INIT;

        if (!json_is_string(value))
            return tw_json_avro_mismatch(ctx, schema, value);
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
        err = tw_json_avro_fail_value(ctx, "enum symbol ", value, allowed.data);
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
    qsort(tokens, n, sizeof(*tokens), tw_json_avro_compare_tokens);
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
