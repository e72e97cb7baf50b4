/*
 * outbox_placements.c — the outbox router's extra columns: Kafka headers
 * (rendered as Connect's SimpleHeaderConverter writes them), envelope
 * fields, the partition, and OpenTelemetry tracing headers. Separate from
 * the routing because header rendering is its own small converter.
 */
#include "transforms/outbox_router_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "codec/converter.h"
#include "codec/unknown_type.h"

/* Appends the decimal digits of a Decimal's unscaled value (big-endian
 * two's complement) with `scale` digits after the point, in plain
 * notation: "1.500" for 0x05dc at scale 3. */
static void append_unscaled(tw_buf_t *out, const uint8_t *p, size_t len, int scale)
{
    uint8_t *mag = tw_malloc(len ? len : 1);
    char *digits = tw_malloc(len * 3 + 2); /* 2.41 digits per byte, at most */
    bool negative = len > 0 && (p[0] & 0x80);
    size_t n = 0, i, start = 0;
    unsigned carry;

    /* The magnitude: the two's complement negated when negative. */
    carry = 1;
    for (i = len; i-- > 0;) {
        unsigned b = negative ? (unsigned)(uint8_t)~p[i] + carry : p[i];
        mag[i] = (uint8_t)b;
        carry = negative ? b >> 8 : 0;
    }
    /* Least significant digit first, by repeated division by ten. */
    while (start < len) {
        unsigned rem = 0;
        for (i = start; i < len; i++) {
            unsigned cur = (rem << 8) | mag[i];
            mag[i] = (uint8_t)(cur / 10);
            rem = cur % 10;
        }
        digits[n++] = (char)('0' + rem);
        while (start < len && mag[start] == 0)
            start++;
    }
    while (n <= (size_t)(scale > 0 ? scale : 0))
        digits[n++] = '0'; /* at least one digit before the point */
    if (negative)
        tw_buf_append_char(out, '-');
    for (i = n; i-- > 0;) {
        tw_buf_append_char(out, digits[i]);
        if (scale > 0 && i == (size_t)scale)
            tw_buf_append_char(out, '.');
    }
    for (; scale < 0; scale++)
        tw_buf_append_char(out, '0');
    free(digits);
    free(mag);
}

/* Header values are strings as Kafka Connect's SimpleHeaderConverter
 * writes them: decimals in plain notation, bytes in base64, doubles as Java
 * prints them, structs (VariableScaleDecimal) as JSON objects with base64
 * bytes. */
static tw_err_t header_text(tw_outbox_router_t *router, const tw_datum_t *datum,
                            const tw_cs_t *schema, char *errstr, size_t errstr_size)
{
    const uint8_t *p;
    size_t len, i;
    double d;
    int64_t i64;
    tw_err_t err;

    if (schema->type == TW_CS_BYTES && schema->name &&
        strcmp(schema->name, "org.apache.kafka.connect.data.Decimal") == 0) {
        const char *scale;
        if (datum->pg && datum->pg->kind == TW_VALUE_NUMERIC &&
            datum->pg->special == TW_VALUE_FINITE) {
            tw_buf_append(&router->text, datum->pg->u.str.ptr, datum->pg->u.str.len);
            return TW_OK;
        }
        /* Anything else with a Decimal's schema (a column's DEFAULT, held
         * as its unscaled bytes; money) is a BigDecimal to Connect too. */
        scale = json_string_value(json_object_get(schema->parameters, "scale"));
        err = tw_datum_bytes(datum, schema, &router->scratch, &p, &len, errstr, errstr_size);
        if (err == TW_OK)
            append_unscaled(&router->text, p, len, scale ? atoi(scale) : 0);
        return err;
    }
    switch (schema->type) {
    case TW_CS_BYTES:
        err = tw_datum_bytes(datum, schema, &router->scratch, &p, &len, errstr, errstr_size);
        if (err == TW_OK)
            tw_buf_append_base64(&router->text, p, len);
        return err;
    case TW_CS_FLOAT32:
    case TW_CS_FLOAT64:
        err = tw_datum_double(datum, schema, &d, errstr, errstr_size);
        if (err == TW_OK)
            tw_converter_append_java_double(&router->text, d, schema->type == TW_CS_FLOAT32);
        return err;
    case TW_CS_STRUCT:
        if (!schema->name || strcmp(schema->name, "io.debezium.data.VariableScaleDecimal") != 0)
            break;
        tw_buf_append_char(&router->text, '{');
        for (i = 0; i < schema->nfields; i++) {
            tw_value_t synthetic;
            tw_datum_t field = tw_datum_field(datum, schema, i, &synthetic);
            tw_buf_printf(&router->text, "%s\"%s\":", i ? "," : "", schema->fields[i].name);
            if (schema->fields[i].schema->type == TW_CS_BYTES) {
                err = tw_datum_bytes(&field, schema->fields[i].schema, &router->scratch, &p,
                                     &len, errstr, errstr_size);
                if (err)
                    return err;
                tw_buf_append_char(&router->text, '"');
                tw_buf_append_base64(&router->text, p, len);
                tw_buf_append_char(&router->text, '"');
            } else {
                err = tw_datum_int64(&field, schema->fields[i].schema, &i64, errstr,
                                     errstr_size);
                if (err)
                    return err;
                tw_buf_printf(&router->text, "%lld", (long long)i64);
            }
        }
        tw_buf_append_char(&router->text, '}');
        return TW_OK;
    default: break;
    }
    return tw_datum_header_string(datum, schema, &router->text, &router->scratch, errstr,
                                  errstr_size);
}

tw_err_t tw_outbox_header_value(tw_outbox_router_t *router, const tw_datum_t *datum,
                                const tw_cs_t *schema, tw_arena_t *arena, tw_kafka_header_t *h,
                                char *errstr, size_t errstr_size)
{
    tw_datum_t def = {NULL, schema->default_value, NULL};
    tw_err_t err;

    /* A null column with a DEFAULT reads as the default, as Connect's
     * Struct.get gives it to Debezium's router. */
    if (schema->default_value && tw_datum_null_for(datum, schema))
        datum = &def;
    if (tw_datum_null_for(datum, schema)) {
        h->value = NULL;
        h->len = 0;
        return TW_OK;
    }
    tw_buf_reset(&router->text);
    err = header_text(router, datum, schema, errstr, errstr_size);
    if (err == TW_OK) {
        h->value =
            tw_outbox_strndup(arena, router->text.data ? router->text.data : "", router->text.len);
        h->len = router->text.len;
    }
    return err;
}

/* Adds headers from an OpenTelemetry span-context column, which holds
 * java.util.Properties text such as "traceparent=00-...". */
static size_t tracing_headers(const tw_value_t *v, tw_arena_t *arena, tw_kafka_header_t *h,
                              size_t room)
{
    const char *p, *end;
    size_t n = 0;

    if (v->kind != TW_VALUE_TEXT)
        return 0;
    p = v->u.str.ptr;
    end = p + v->u.str.len;
    while (p < end && n < room) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        const char *eq = memchr(p, '=', (size_t)(line_end - p));
        if (eq && p[0] != '#' && (strncmp(p, "traceparent", 11) == 0 ||
                                  strncmp(p, "tracestate", 10) == 0)) {
            const char *vend = line_end;
            while (vend > eq + 1 && isspace((unsigned char)vend[-1]))
                vend--;
            h[n].name = tw_outbox_strndup(arena, p, (size_t)(eq - p));
            h[n].value = tw_outbox_strndup(arena, eq + 1, (size_t)(vend - eq - 1));
            h[n].len = (size_t)(vend - eq - 1);
            n++;
        }
        p = eol ? eol + 1 : end;
    }
    return n;
}

/* Extra columns, in configuration order: headers, envelope fields, the
 * partition; then the tracing headers. */
tw_err_t tw_outbox_route_placements(route_call_t *rc, char *errstr, size_t errstr_size)
{
    tw_outbox_router_t *router = rc->router;
    tw_outbox_binding_t *b = rc->b;
    tw_value_t *v;
    tw_err_t err;
    size_t i;

    rc->datums = tw_arena_alloc(rc->arena, (router->nplacements + 1) * sizeof(tw_datum_t));
    rc->nfields = 1;
    for (i = 0; i < router->nplacements; i++) {
        const placement_t *pl = &router->placements[i];
        int col = b->placement_col[i];
        tw_datum_t d = {NULL, NULL, NULL};
        if (col < 0)
            continue;
        COLUMN(rc, v, col);
        if (b->as_bytes && b->as_bytes[col]) {
            tw_value_t *raw = v;
            v = tw_arena_alloc(rc->arena, sizeof(*v));
            err = tw_unknown_type_bytes(raw, rc->arena, v, errstr, errstr_size);
            if (err)
                return err;
        }
        d.pg = v;
        if (pl->kind == PLACE_HEADER && rc->nheaders < MAX_HEADERS) {
            tw_kafka_header_t h = {pl->alias, NULL, 0};
            err = tw_outbox_header_value(router, &d, b->col_schema[col], rc->arena, &h, errstr,
                                         errstr_size);
            if (err)
                return err;
            router->headers[rc->nheaders++] = h;
        } else if (pl->kind == PLACE_ENVELOPE) {
            rc->datums[rc->nfields++] = d;
        } else if (pl->kind == PLACE_PARTITION) {
            /* NULL sets no partition: the producer partitions by key, as
             * Kafka Connect does for a record whose partition is null. */
            if (v->kind == TW_VALUE_NULL)
                continue;
            if (v->kind != TW_VALUE_INT)
                return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                               "event %s: partition column \"%s\" must be an integer",
                               rc->event_id, pl->column);
            rc->record->partition = (int32_t)v->u.i;
        }
    }
    if (b->tracing_col >= 0) {
        COLUMN(rc, v, b->tracing_col);
        rc->nheaders += tracing_headers(v, rc->arena, router->headers + rc->nheaders,
                                        MAX_HEADERS - rc->nheaders);
    }
    rc->record->headers = router->headers;
    rc->record->nheaders = rc->nheaders;
    return TW_OK;
}
