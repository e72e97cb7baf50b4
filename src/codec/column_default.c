/*
 * column_default.c — a column's DEFAULT as Debezium's Connect default.
 *
 * Debezium reads the expression text (pg_get_expr's) with two patterns: a
 * function call at the start ("now()", "nextval('s'::regclass)",
 * "(gen_random_uuid())") or one of CURRENT_TIMESTAMP, CURRENT_TIME,
 * CURRENT_DATE, LOCALTIME, LOCALTIMESTAMP stands for a per-type
 * placeholder; otherwise it takes the first '...' literal, or the bare
 * expression. It then parses that text as its Java type and converts it
 * like a value of the column, under the connector's type modes. Types it
 * has no parser for (bytea, money, arrays, timetz, "char", name, oid,
 * geometric, network and range types, domains) get no default, and nor
 * does anything that fails to parse. Here the text is parsed as a
 * PostgreSQL value of the column's type and converted by the same code as
 * the column's values, so every type mode gives what its values give.
 */
#include "codec/column_default.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec/datum.h"
#include "util/arena.h"

/* ^\(?[A-Za-z0-9_.]+\( ... \) — the closing bracket anywhere after the
 * opening one on the same line. */
static bool is_function_call(const char *expr)
{
    const char *p = expr;
    size_t n = 0;

    if (*p == '(')
        p++;
    while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.')
        n++;
    if (n == 0 || p[n] != '(')
        return false;
    for (p += n + 1; *p && *p != '\n' && *p != '\r'; p++)
        if (*p == ')')
            return true;
    return false;
}

static bool is_current_datetime(const char *expr)
{
    static const char *const names[] = {"current_timestamp", "current_time", "current_date",
                                        "localtime", "localtimestamp"};
    size_t i;

    for (i = 0; i < TW_ARRAY_SIZE(names); i++)
        if (strcasecmp(expr, names[i]) == 0)
            return true;
    return false;
}

char *tw_column_default_text(const char *expr, const char *placeholder)
{
    const char *q;
    tw_buf_t out = TW_BUF_INIT;
    char *text;

    if (is_function_call(expr) || is_current_datetime(expr))
        return tw_strdup(placeholder);
    q = strchr(expr, '\'');
    if (q == NULL)
        return strncmp(expr, "NULL::", 6) == 0 ? NULL : tw_strdup(expr);
    /* The first literal; '' inside it is one quote. */
    for (q++; *q; q++) {
        if (*q == '\'') {
            if (q[1] != '\'')
                break;
            q++;
        }
        tw_buf_append_char(&out, *q);
    }
    if (*q != '\'') {
        tw_buf_free(&out);
        return NULL;
    }
    text = tw_strndup(out.data ? out.data : "", out.len);
    tw_buf_free(&out);
    return text;
}

/* An enum's default: the quoted label before the ::type cast, taken as
 * written (Debezium does not undo doubled quotes there). */
static json_t *enum_default(const char *expr)
{
    const char *cast = NULL, *p;
    size_t len;

    for (p = strstr(expr, "::"); p; p = strstr(p + 2, "::"))
        cast = p;
    if (cast == NULL)
        return NULL;
    len = (size_t)(cast - expr);
    if (len < 2 || expr[0] != '\'' || expr[len - 1] != '\'')
        return NULL;
    return json_stringn(expr + 1, len - 2);
}

/* Java's Integer.parseInt family: an optional sign, then decimal digits,
 * within [min, max]. */
static bool java_parse_int(const char *s, long long min, long long max, long long *out)
{
    const char *p = s;
    char *end;
    long long v;

    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* A float default Java reads as NaN or an infinity, kept as the string
 * Java prints (JSON numbers have none; datum.c reads it back): JsonConverter
 * shows it so, "NaN". NULL for anything else. */
static json_t *java_non_finite(const char *s)
{
    while (*s && (unsigned char)*s <= ' ')
        s++;
    if (strcmp(s, "NaN") == 0)
        return json_string("NaN");
    if (strcmp(s, "Infinity") == 0 || strcmp(s, "+Infinity") == 0)
        return json_string("Infinity");
    if (strcmp(s, "-Infinity") == 0)
        return json_string("-Infinity");
    return NULL;
}

/* Java's Double.parseDouble for the decimal forms (surrounding blanks and
 * a trailing f/F/d/D allowed); finite values (java_non_finite has the
 * others). */
static bool java_parse_double(const char *s, bool single, double *out)
{
    char *copy, *end, *p;
    size_t len;
    double d;
    bool ok;

    while (*s && (unsigned char)*s <= ' ')
        s++;
    copy = tw_strdup(s);
    len = strlen(copy);
    while (len > 0 && (unsigned char)copy[len - 1] <= ' ')
        copy[--len] = '\0';
    if (len > 0 && strchr("fFdD", copy[len - 1]))
        copy[--len] = '\0';
    for (p = copy; *p; p++)
        if (!(isdigit((unsigned char)*p) || strchr("+-.eE", *p)))
            break;
    d = strtod(copy, &end);
    ok = len > 0 && *p == '\0' && *end == '\0' && isfinite(d);
    free(copy);
    if (!ok)
        return false;
    if (single) {
        /* A Java Float holds the nearest float; its decimal form is the
         * shortest that reads back as that float. */
        char digits[32];
        int prec;
        float f = (float)d;
        if (!isfinite(f))
            return false;
        for (prec = 1; prec < 9; prec++) {
            snprintf(digits, sizeof(digits), "%.*g", prec, (double)f);
            if (strtof(digits, NULL) == f)
                break;
        }
        snprintf(digits, sizeof(digits), "%.*g", prec, (double)f);
        d = strtod(digits, NULL);
    }
    *out = d;
    return true;
}

/* The Connect value of a PostgreSQL value in `schema`, as the column's
 * values are converted; NULL where it is no default Debezium keeps (a
 * null, an infinity, a struct). */
static json_t *connect_value(const tw_cs_t *schema, const tw_value_t *v)
{
    tw_datum_t datum = {v, NULL, NULL};
    tw_buf_t scratch = TW_BUF_INIT;
    char err[256];
    const char *s;
    const uint8_t *p;
    size_t len;
    int64_t i64;
    double d;
    bool b;
    json_t *out = NULL;

    if (v->special != TW_VALUE_FINITE || tw_datum_null_for(&datum, schema))
        return NULL;
    switch (schema->type) {
    case TW_CS_INT8:
    case TW_CS_INT16:
    case TW_CS_INT32:
    case TW_CS_INT64:
        if (tw_datum_int64(&datum, schema, &i64, err, sizeof(err)) == TW_OK)
            out = json_integer(i64);
        break;
    case TW_CS_FLOAT32:
    case TW_CS_FLOAT64:
        if (tw_datum_double(&datum, schema, &d, err, sizeof(err)) == TW_OK && isfinite(d))
            out = json_real(d);
        break;
    case TW_CS_BOOLEAN:
        if (tw_datum_bool(&datum, schema, &b, err, sizeof(err)) == TW_OK)
            out = json_boolean(b);
        break;
    case TW_CS_STRING:
        if (tw_datum_string(&datum, schema, &scratch, &s, &len, err, sizeof(err)) == TW_OK)
            out = json_stringn(s, len);
        break;
    case TW_CS_BYTES:
        /* Raw bytes: the converters write them as their format wants. */
        if (tw_datum_bytes(&datum, schema, &scratch, &p, &len, err, sizeof(err)) == TW_OK)
            out = json_stringn_nocheck((const char *)p, len);
        break;
    default: break; /* Debezium drops struct defaults (KAFKA-12694) */
    }
    tw_buf_free(&scratch);
    return out;
}

/* Decimal digits with at least a numeric(p,s) column's scale, zeros
 * added: Debezium raises a default's scale to the column's (1.5 in a
 * numeric(12,3) is 1.500, which decimal.handling.mode=string shows). */
static char *numeric_at_scale(const char *text, int32_t typmod)
{
    int precision, scale, have = 0;
    const char *dot = strchr(text, '.');
    tw_buf_t out = TW_BUF_INIT;
    char *res;

    tw_value_numeric_typmod(typmod, &precision, &scale);
    if (precision < 0 || strpbrk(text, "eE") != NULL)
        return tw_strdup(text);
    if (dot)
        have = (int)strlen(dot + 1);
    tw_buf_append_str(&out, text);
    if (dot == NULL && scale > 0)
        tw_buf_append_char(&out, '.');
    for (; have < scale; have++)
        tw_buf_append_char(&out, '0');
    res = tw_strndup(out.data, out.len);
    tw_buf_free(&out);
    return res;
}

/* Parses `text` as a value of the type and converts it. */
static json_t *parsed_default(const tw_cs_t *schema, uint32_t type_oid, int32_t typmod,
                              const char *text)
{
    tw_arena_t *arena = tw_arena_new(1024);
    tw_value_t value;
    char err[256];
    json_t *out = NULL;

    if (tw_value_from_text(type_oid, typmod, text, strlen(text), arena, &value, err, sizeof(err)) ==
        TW_OK)
        out = connect_value(schema, &value);
    tw_arena_destroy(arena);
    return out;
}

/* The text Debezium's PostgresDefaultValueConverter puts in place of a
 * computed DEFAULT (now(), nextval(...)) for a column of this type: a
 * zero, the epoch, an empty string; NULL where it has no parser. */
static const char *computed_placeholder(uint32_t type_oid)
{
    switch (type_oid) {
    case TW_OID_BOOL: return "false";
    case TW_OID_BIT: return "00";
    case TW_OID_VARBIT: return "0";
    case TW_OID_TEXT:
    case TW_OID_VARCHAR:
    case TW_OID_BPCHAR:
    case TW_OID_XML: return "";
    case TW_OID_JSON:
    case TW_OID_JSONB: return "{}";
    case TW_OID_UUID: return "00000000-0000-0000-0000-000000000000";
    case TW_OID_INT2:
    case TW_OID_INT4:
    case TW_OID_INT8: return "0";
    case TW_OID_FLOAT4:
    case TW_OID_FLOAT8:
    case TW_OID_NUMERIC: return "0.0";
    /* The epoch (Debezium's "1970-01-01", "00:00"); an interval of zero
     * (its "epoch" reads as no fields). */
    case TW_OID_DATE: return "1970-01-01";
    case TW_OID_TIME: return "00:00:00";
    case TW_OID_TIMESTAMP: return "1970-01-01 00:00:00";
    case TW_OID_TIMESTAMPTZ: return "1970-01-01 00:00:00+00";
    case TW_OID_INTERVAL: return "00:00:00";
    default: return NULL; /* no parser in Debezium */
    }
}

json_t *tw_column_default(const tw_cs_t *schema, uint32_t type_oid, int32_t typmod, bool is_enum,
                          const char *expr)
{
    const char *placeholder;
    char *text;
    long long ll;
    double d;
    json_t *out = NULL;
    bool null_default = strncmp(expr, "NULL::", 6) == 0;

    if (is_enum)
        return schema->type == TW_CS_STRING ? enum_default(expr) : NULL;
    placeholder = computed_placeholder(type_oid);
    if (placeholder == NULL)
        return NULL;
    text = tw_column_default_text(expr, placeholder);
    if (text == NULL)
        return NULL;
    switch (type_oid) {
    case TW_OID_BOOL:
        if (!null_default && schema->type == TW_CS_BOOLEAN)
            out = json_boolean(strcasecmp(text, "true") == 0);
        break;
    case TW_OID_BIT:
    case TW_OID_VARBIT:
        /* One bit is a boolean (bit(1)'s schema); bit strings are
         * converted like values (io.debezium.data.Bits). */
        if (schema->type == TW_CS_BOOLEAN && strlen(text) == 1)
            out = json_boolean(strcmp(text, "1") == 0);
        else if (schema->type == TW_CS_BYTES)
            out = parsed_default(schema, type_oid, typmod, text);
        break;
    case TW_OID_DATE:
        /* Debezium reads an infinite date as LocalDate's last (first) day
         * and counts its epoch days in an int, wrapping: 365241780471 and
         * -365243219162 modulo 2^32. */
        if (schema->name && strcmp(schema->name, "io.debezium.time.Date") == 0 &&
            (strcmp(text, "infinity") == 0 || strcmp(text, "-infinity") == 0))
            out = json_integer(text[0] == '-' ? -170999002 : 169560311);
        else
            out = parsed_default(schema, type_oid, typmod, text);
        break;
    case TW_OID_INT2:
    case TW_OID_INT4:
    case TW_OID_INT8:
        if (!null_default && schema->type != TW_CS_STRING &&
            java_parse_int(text,
                           type_oid == TW_OID_INT2   ? -32768
                           : type_oid == TW_OID_INT4 ? INT32_MIN
                                                     : INT64_MIN,
                           type_oid == TW_OID_INT2   ? 32767
                           : type_oid == TW_OID_INT4 ? INT32_MAX
                                                     : INT64_MAX,
                           &ll))
            out = json_integer(ll);
        break;
    case TW_OID_FLOAT4:
    case TW_OID_FLOAT8:
        if (null_default)
            break;
        if (java_parse_double(text, type_oid == TW_OID_FLOAT4, &d))
            out = json_real(d);
        else
            out = java_non_finite(text);
        break;
    case TW_OID_NUMERIC:
        if (!null_default) {
            char *scaled = numeric_at_scale(text, typmod);
            out = parsed_default(schema, type_oid, typmod, scaled);
            free(scaled);
        }
        break;
    case TW_OID_TEXT:
    case TW_OID_VARCHAR:
    case TW_OID_BPCHAR:
    case TW_OID_XML:
    case TW_OID_JSON:
    case TW_OID_JSONB:
        if (schema->type == TW_CS_STRING)
            out = json_string(text);
        break;
    default: out = parsed_default(schema, type_oid, typmod, text); break;
    }
    free(text);
    return out;
}
