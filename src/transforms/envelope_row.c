/*
 * envelope_row.c — the datums of a change event (envelope_row.h): rows
 * read from pgoutput tuples with Debezium's stand-ins for what the server
 * did not send, and the small values the envelope is assembled from.
 */
#include "transforms/envelope_row.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
static tw_value_t *new_value(tw_arena_t *arena, tw_value_kind_t kind)
{
    tw_value_t *v = tw_arena_alloc(arena, sizeof(*v));

    memset(v, 0, sizeof(*v));
    v->kind = kind;
    return v;
}

tw_datum_t tw_envelope_text(tw_arena_t *arena, const char *s)
{
    tw_datum_t d = {NULL, NULL, NULL};
    tw_value_t *v;
    size_t len;
    char *copy;

    if (s == NULL) {
        d.pg = new_value(arena, TW_VALUE_NULL);
        return d;
    }
    len = strlen(s);
    copy = tw_arena_alloc(arena, len + 1);
    memcpy(copy, s, len + 1);
    v = new_value(arena, TW_VALUE_TEXT);
    v->u.str.ptr = copy;
    v->u.str.len = len;
    d.pg = v;
    return d;
}

tw_datum_t tw_envelope_int(tw_arena_t *arena, int64_t i)
{
    tw_datum_t d = {NULL, NULL, NULL};
    tw_value_t *v = new_value(arena, TW_VALUE_INT);

    v->u.i = i;
    d.pg = v;
    return d;
}

tw_datum_t tw_envelope_null(void)
{
    tw_datum_t d = {NULL, NULL, NULL};
    return d;
}

/* PostgreSQL array types whose unchanged TOASTed values Debezium 3.6 writes
 * a placeholder of its own for (UnchangedToastedReplicationMessageColumn,
 * by the column's type name); any other array is null. */
enum {
    OID_JSON_ARRAY = 199,
    OID_BYTEA_ARRAY = 1001,
    OID_INT4_ARRAY = 1007,
    OID_TEXT_ARRAY = 1009,
    OID_BPCHAR_ARRAY = 1014,
    OID_VARCHAR_ARRAY = 1015,
    OID_INT8_ARRAY = 1016,
    OID_DATE_ARRAY = 1182,
    OID_UUID_ARRAY = 2951,
    OID_JSONB_ARRAY = 3807
};

/* An hstore's placeholder: Debezium's map {placeholder: placeholder},
 * here in hstore's text form for codec/hstore.c to read. */
static void hstore_placeholder(const char *text, tw_arena_t *arena, tw_value_t *out)
{
    size_t len = strlen(text);
    char *t = tw_arena_alloc(arena, 4 * len + 8), *q = t;
    int k;

    for (k = 0; k < 2; k++) {
        size_t i;
        *q++ = '"';
        for (i = 0; i < len; i++) {
            if (text[i] == '"' || text[i] == '\\')
                *q++ = '\\';
            *q++ = text[i];
        }
        *q++ = '"';
        if (k == 0) {
            *q++ = '=';
            *q++ = '>';
        }
    }
    out->kind = TW_VALUE_TEXT;
    out->u.str.ptr = t;
    out->u.str.len = (size_t)(q - t);
}

/* java.util.UUID.nameUUIDFromBytes: an MD5 (version 3) UUID, as text. */
static const char *name_uuid(const char *text, tw_arena_t *arena)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char *out = tw_arena_alloc(arena, 37);

    EVP_Digest(text, strlen(text), md, &mdlen, EVP_md5(), NULL);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x30);
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
             md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
             md[12], md[13], md[14], md[15]);
    return out;
}

static void set_text(tw_value_t *out, const char *text)
{
    out->kind = TW_VALUE_TEXT;
    out->u.str.ptr = text;
    out->u.str.len = strlen(text);
}

/* The placeholder as text, or as its bytes where the Connect type is bytes
 * (binary.handling.mode=bytes): Debezium's string and binary converters. */
static void scalar_placeholder(const char *text, const tw_cs_t *schema, tw_value_t *out)
{
    if (schema->type == TW_CS_BYTES && schema->name == NULL) {
        out->kind = TW_VALUE_BYTES;
        out->u.bytes.ptr = (const uint8_t *)text;
        out->u.bytes.len = strlen(text);
    } else {
        set_text(out, text);
    }
}

/* What Debezium writes for an unchanged TOASTed value the server did not
 * send, by the column's type (oid): for a string or bytes field
 * unavailable.value.placeholder as text or as its bytes; for arrays of
 * text, json and jsonb, of bytea and of uuid one element (the text, its
 * bytes, or the version-3 UUID of its bytes); for int4[], date[] and
 * int8[] the placeholder's bytes as numbers (signed, as Java's bytes are).
 * Fields of other types cannot hold it: null (a numeric, a float8[]). */
static void placeholder(const char *text, uint32_t oid, const tw_cs_t *schema,
                        tw_arena_t *arena, tw_value_t *out)
{
    size_t i, len = strlen(text);
    tw_value_t *elems;

    memset(out, 0, sizeof(*out));
    out->kind = TW_VALUE_NULL;
    if (schema->type == TW_CS_MAP || schema->render == TW_CS_RENDER_HSTORE_JSON) {
        hstore_placeholder(text, arena, out);
        return;
    }
    if (schema->type != TW_CS_ARRAY) {
        if (schema->type == TW_CS_STRING || (schema->type == TW_CS_BYTES && !schema->name))
            scalar_placeholder(text, schema, out);
        return;
    }
    switch (oid) {
    case OID_TEXT_ARRAY:
    case OID_VARCHAR_ARRAY:
    case OID_BPCHAR_ARRAY:
    case OID_JSON_ARRAY:
    case OID_JSONB_ARRAY:
    case OID_BYTEA_ARRAY:
    case OID_UUID_ARRAY:
        elems = tw_arena_alloc(arena, sizeof(*elems));
        memset(elems, 0, sizeof(*elems));
        if (oid == OID_UUID_ARRAY)
            set_text(elems, name_uuid(text, arena));
        else
            scalar_placeholder(text, schema->elem, elems);
        out->u.array.nelems = 1;
        break;
    case OID_INT4_ARRAY:
    case OID_DATE_ARRAY:
    case OID_INT8_ARRAY:
        elems = tw_arena_alloc(arena, (len ? len : 1) * sizeof(*elems));
        memset(elems, 0, (len ? len : 1) * sizeof(*elems));
        for (i = 0; i < len; i++) {
            elems[i].kind = TW_VALUE_INT;
            elems[i].u.i = (int8_t)text[i];
        }
        out->u.array.nelems = (uint32_t)len;
        break;
    default:
        return;
    }
    out->kind = TW_VALUE_ARRAY;
    out->u.array.elems = elems;
    out->u.array.elem_oid = elems[0].kind == TW_VALUE_INT     ? TW_OID_INT8
                            : elems[0].kind == TW_VALUE_BYTES ? TW_OID_BYTEA
                                                              : TW_OID_TEXT;
}

/* A NOT NULL column the old row does not hold (a DELETE's or key-changing
 * UPDATE's before-image under REPLICA IDENTITY DEFAULT or INDEX has the
 * identity's columns only): Debezium's converters write their fallback for
 * the required field — the epoch for dates, times and timestamps, zero for
 * numbers, money, intervals and the point (0,0), and the Connect type's
 * zero otherwise ("" even for a uuid or an inet, empty bytes for bits, an
 * empty array). A column with a DEFAULT is left null: the converters write
 * the default for it. The first kinds are PostgreSQL values, so that every
 * mode renders them as it renders a real one; this is their text. */
static const char *zero_text(uint32_t oid, int32_t typmod, char *buf, size_t size)
{
    int scale;

    switch (oid) {
    case TW_OID_DATE:
        return "1970-01-01";
    case TW_OID_TIME:
    case TW_OID_INTERVAL:
        return "00:00:00";
    case TW_OID_TIMETZ:
        return "00:00:00+00";
    case TW_OID_TIMESTAMP:
        return "1970-01-01 00:00:00";
    case TW_OID_MONEY:
        return "$0.00";
    case TW_OID_POINT:
        return "(0,0)";
    case TW_OID_BYTEA: /* bytes, which binary.handling.mode renders */
        return "\\x";
    case TW_OID_VARBIT:
        return "0";
    case TW_OID_BIT: /* its length is the typmod; no bit set is empty Bits */
        if (typmod <= 0)
            return "0";
        if ((size_t)typmod + 1 > size)
            return NULL;
        memset(buf, '0', (size_t)typmod);
        buf[typmod] = '\0';
        return buf;
    case TW_OID_NUMERIC:
        /* The column's scale: decimal.handling.mode=string writes "0.000"
         * for numeric(12,3). (PostgreSQL 15 allows a negative scale: its
         * zero is "0".) */
        scale = typmod >= 4 ? (int16_t)((uint32_t)(typmod - 4) & 0xffff) : 0;
        if (scale <= 0)
            return "0";
        if ((size_t)scale + 3 > size)
            return NULL;
        buf[0] = '0';
        buf[1] = '.';
        memset(buf + 2, '0', (size_t)scale);
        buf[scale + 2] = '\0';
        return buf;
    default:
        return NULL;
    }
}

/* The fallback value itself: a parsed zero_text, else the Connect type's
 * zero. */
static void fallback(const tw_rel_col_t *col, const tw_cs_t *schema, tw_arena_t *arena,
                     tw_value_t *out)
{
    static const char zero[] = "0";
    char buf[1024], detail[128], *copy;
    const char *text = zero_text(col->value_oid, col->value_typmod, buf, sizeof(buf));

    if (text) {
        /* The parsed value may point into its text: the arena's copy. */
        copy = tw_arena_alloc(arena, strlen(text) + 1);
        memcpy(copy, text, strlen(text) + 1);
        if (tw_value_from_text(col->value_oid, col->value_typmod, copy, strlen(copy), arena, out,
                               detail, sizeof(detail)) == TW_OK)
            return;
    }
    memset(out, 0, sizeof(*out));
    if (col->value_oid == TW_OID_TIMESTAMPTZ) {
        /* Debezium's ZonedTimestamp fallback has no fraction, whatever the
         * column's precision: the string as it is. */
        out->kind = TW_VALUE_TEXT;
        out->u.str.ptr = "1970-01-01T00:00:00Z";
        out->u.str.len = strlen(out->u.str.ptr);
        return;
    }
    switch (schema->type) {
    case TW_CS_BOOLEAN:
        out->kind = TW_VALUE_BOOL;
        break;
    case TW_CS_INT8:
    case TW_CS_INT16:
    case TW_CS_INT32:
    case TW_CS_INT64:
        out->kind = TW_VALUE_INT;
        break;
    case TW_CS_FLOAT32:
    case TW_CS_FLOAT64:
        out->kind = TW_VALUE_FLOAT;
        break;
    case TW_CS_STRING:
    case TW_CS_MAP: /* an hstore: "" is the empty one */
        out->kind = TW_VALUE_TEXT;
        out->u.str.ptr = zero;
        break;
    case TW_CS_BYTES:
    case TW_CS_STRUCT:
        if (schema->name && strcmp(schema->name, "org.apache.kafka.connect.data.Decimal") != 0 &&
            strcmp(schema->name, "io.debezium.data.VariableScaleDecimal") != 0) {
            out->kind = TW_VALUE_BYTES;
            break;
        }
        out->kind = schema->name ? TW_VALUE_NUMERIC : TW_VALUE_BYTES;
        out->u.str.ptr = zero;
        out->u.str.len = schema->name ? 1 : 0;
        break;
    case TW_CS_ARRAY:
        out->kind = TW_VALUE_ARRAY;
        break;
    }
}

/* A row as the Value struct. `old` (may be NULL) supplies the values of
 * unchanged TOASTed columns when the server sent the whole old row. */
tw_err_t tw_envelope_row(const tw_cs_t *value_schema, const char *unavailable,
                         const tw_rel_t *rel, const tw_pgoutput_tuple_t *tuple,
                         const tw_pgoutput_tuple_t *old, tw_arena_t *arena, tw_datum_t *out,
                         char *errstr, size_t errstr_size)
{
    tw_datum_t *fields = tw_arena_alloc(arena, (rel->ncols ? rel->ncols : 1) * sizeof(*fields));
    tw_value_t *values = tw_arena_alloc(arena, (rel->ncols ? rel->ncols : 1) * sizeof(*values));
    tw_err_t err;
    uint16_t i;

    for (i = 0; i < rel->ncols; i++) {
        err = tw_change_column_value(rel, tuple, i, arena, &values[i], errstr, errstr_size);
        if (err == TW_OK && values[i].kind == TW_VALUE_UNCHANGED_TOAST && old)
            err = tw_change_column_value(rel, old, i, arena, &values[i], errstr, errstr_size);
        if (err)
            return err;
        if (values[i].kind == TW_VALUE_UNCHANGED_TOAST)
            placeholder(unavailable, rel->cols[i].type_oid, value_schema->fields[i].schema,
                        arena, &values[i]);
        else if (values[i].kind == TW_VALUE_NULL && !value_schema->fields[i].schema->optional &&
                 !value_schema->fields[i].schema->default_value)
            fallback(&rel->cols[i], value_schema->fields[i].schema, arena, &values[i]);
        fields[i].pg = &values[i];
        fields[i].json = NULL;
        fields[i].fields = NULL;
    }
    out->pg = NULL;
    out->json = NULL;
    out->fields = fields;
    return TW_OK;
}

bool tw_envelope_same_value(const tw_value_t *a, const tw_value_t *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case TW_VALUE_NULL:
        return true;
    case TW_VALUE_BOOL:
        return a->u.b == b->u.b;
    case TW_VALUE_INT:
    case TW_VALUE_DATE:
    case TW_VALUE_TIME:
    case TW_VALUE_TIMESTAMP:
    case TW_VALUE_TIMESTAMPTZ:
        return a->u.i == b->u.i;
    case TW_VALUE_FLOAT:
        return a->u.f == b->u.f;
    case TW_VALUE_UUID:
        return memcmp(a->u.uuid.bytes, b->u.uuid.bytes, 16) == 0;
    case TW_VALUE_BYTES:
        return a->u.bytes.len == b->u.bytes.len &&
               memcmp(a->u.bytes.ptr, b->u.bytes.ptr, a->u.bytes.len) == 0;
    case TW_VALUE_TEXT:
    case TW_VALUE_JSON:
    case TW_VALUE_NUMERIC:
        return a->u.str.len == b->u.str.len &&
               memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
    default:
        return false; /* arrays, intervals: not key material worth comparing; assume changed */
    }
}

/* A key as compact JSON, for the __debezium.oldkey/newkey headers. */
const char *tw_envelope_key_json(const tw_cs_t *key_schema, const tw_datum_t *key,
                                 tw_arena_t *arena)
{
    tw_buf_t buf = TW_BUF_INIT;
    char *out;
    size_t i;

    tw_buf_append_char(&buf, '{');
    for (i = 0; i < key_schema->nfields; i++) {
        const char *name = key_schema->fields[i].name;
        const tw_cs_t *fs = key_schema->fields[i].schema;
        if (i)
            tw_buf_append_char(&buf, ',');
        tw_buf_append_json_string(&buf, name, strlen(name));
        tw_buf_append_char(&buf, ':');
        if (key->fields[i].pg->kind == TW_VALUE_NULL && fs->default_value &&
            fs->type != TW_CS_BYTES) {
            /* A column the before-image lacks: its default (row's fallback). */
            char *text = json_dumps(fs->default_value, JSON_COMPACT | JSON_ENCODE_ANY);
            tw_buf_append_str(&buf, text ? text : "null");
            free(text);
        } else {
            tw_value_append_json(&buf, key->fields[i].pg);
        }
    }
    tw_buf_append_char(&buf, '}');
    out = tw_arena_alloc(arena, buf.len + 1);
    memcpy(out, buf.data, buf.len + 1);
    tw_buf_free(&buf);
    return out;
}
