/*
 * json_avro_logical.c — the leaves of the strict JSON → Avro encoding
 * (rules in json_avro.h): integers in range, bytes and fixed, decimals
 * that keep every digit, and the logical types (dates, times, timestamps,
 * UUIDs). Separate from the structural encoder because each leaf has its
 * own checks and messages. json_avro.c calls into this file; this file
 * calls only down, into json_avro_errors.c (numbers as text, messages),
 * never back (json_avro_internal.h).
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

/* ---- primitive pieces ------------------------------------------------- */

/* An integer literal into [min, max]; errors name the value. */
tw_err_t tw_json_avro_get_integer(enc_ctx_t *ctx, const tw_avsc_schema_t *schema,
                                  const json_t *value, int64_t min, int64_t max, const char *type,
                                  int64_t *out)
{
    num_text_t nt;
    long long v;
    char *end;
    tw_err_t err = TW_OK;

    if (!json_is_number(value))
        return tw_json_avro_mismatch(ctx, schema, value);
    tw_json_avro_number_text(ctx, value, &nt);
    if (!nt.integral) {
        err = tw_json_avro_mismatch(ctx, schema, value);
        goto cleanup;
    }
    errno = 0;
    v = strtoll(nt.s, &end, 10);
    if (errno == ERANGE || *end != '\0' || v < min || v > max) {
        err = tw_json_avro_fail(ctx, "%s out of range for %s", ctx->hide_values ? "number" : nt.s,
                                type);
        goto cleanup;
    }
    *out = v;
cleanup:
    free(nt.s);
    return err;
}

/* bytes, fixed, and the bytes behind a decimal */
tw_err_t tw_json_avro_encode_bytes(enc_ctx_t *ctx, const tw_avsc_schema_t *schema,
                                   const json_t *value, tw_buf_t *out)
{
    tw_buf_t data = TW_BUF_INIT;
    const char *s = json_string_value(value);
    size_t len = json_string_length(value);
    tw_err_t err = TW_OK;

    if (!json_is_string(value))
        return tw_json_avro_mismatch(ctx, schema, value);
    if (ctx->default_mode ? !tw_avro_literal_latin1(s, len, &data)
                          : !tw_avro_literal_base64(s, len, &data)) {
        err = tw_json_avro_fail_value(
            ctx, ctx->default_mode ? "invalid bytes default " : "invalid base64 string ", value,
            ctx->default_mode ? " (code points 0-255 expected)" : " (bytes are given as base64)");
        goto cleanup;
    }
    if (schema->type == TW_AVSC_FIXED) {
        if (data.len != schema->size) {
            err = tw_json_avro_fail(ctx, "fixed %s needs %zu bytes, got %zu", schema->fullname,
                                    schema->size, data.len);
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
        tw_json_avro_number_text(ctx, value, &nt);
        s = nt.s;
    } else {
        return tw_json_avro_mismatch(ctx, schema, value);
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
        err = tw_json_avro_fail_value(ctx, "", value, what);
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
        err = tw_json_avro_fail_value(ctx, "", value, what);
        goto cleanup;
    }
    tw_avro_literal_unscaled(digit_buf.data + start, digit_buf.len - start,
                             negative && start < digit_buf.len, &bytes);
    if (schema->type == TW_AVSC_FIXED) {
        if (bytes.len > schema->size) {
            err = tw_json_avro_fail_value(ctx, "", value, " does not fit in its fixed size");
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
    err = tw_json_avro_fail_value(ctx, "invalid decimal ", value, "");
cleanup:
    free(nt.s);
    tw_buf_free(&digit_buf);
    tw_buf_free(&bytes);
    return err;
}

tw_err_t tw_json_avro_encode_logical(enc_ctx_t *ctx, const tw_avsc_schema_t *schema,
                                     const json_t *value, tw_buf_t *out)
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
            return tw_json_avro_mismatch(ctx, schema, value);
        if (!tw_avro_literal_uuid(s, len))
            return tw_json_avro_fail_value(ctx, "invalid uuid ", value,
                                           " (expected 8-4-4-4-12 hex digits)");
        tw_avro_write_bytes(out, s, len);
        return TW_OK;
    }
    /* The rest are int or long underneath: an integer is taken as is. */
    if (json_is_number(value)) {
        err = tw_json_avro_get_integer(ctx, schema, value, is_int ? INT32_MIN : INT64_MIN,
                                       is_int ? INT32_MAX : INT64_MAX, is_int ? "int" : "long", &v);
        if (err == TW_OK)
            tw_avro_write_long(out, v);
        return err;
    }
    if (!json_is_string(value))
        return tw_json_avro_mismatch(ctx, schema, value);
    tw_avsc_schema_describe(schema, described, sizeof(described));
    switch (schema->logical) {
    case TW_AVSC_LOGICAL_DATE:
        if (len != 10 || !tw_avro_literal_date(s, len, &v))
            return tw_json_avro_fail_value(ctx, "invalid date ", value, " (expected YYYY-MM-DD)");
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
        return tw_json_avro_fail_value(ctx, "", value, what);
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
        err = tw_json_avro_fail_value(ctx, prefix.data, value, what);
        tw_buf_free(&prefix);
        return err;
    }
    tw_avro_write_long(out, v);
    return TW_OK;
}
