/*
 * unknown_type.c — which column types Debezium's PostgreSQL connector
 * knows (PostgresValueConverter's schema mapping, 3.6), and the bytes it
 * writes for the others with include.unknown.datatypes=true.
 */
#include "codec/unknown_type.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/converter.h"
#include "util/buf.h"

#define FIRST_USER_OID 16384

/* Built-in types with a Debezium mapping (besides arrays). */
static const uint32_t mapped_scalars[] = {
    16,   17,   18,   19,   20,   21,   23,   25,   26,   114,  142,  700,  701,  790,
    1042, 1043, 1082, 1083, 1114, 1184, 1186, 1266, 1560, 1562, 1700, 2950, 3802, 3614,
    600,  /* point */
    869,  650,  829,  774, /* inet, cidr, macaddr, macaddr8 */
    3904, 3906, 3908, 3910, 3912, 3926, /* the six built-in range types */
};
/* Built-in array types Debezium names one by one. */
static const uint32_t mapped_arrays[] = {
    1005, 1007, 1016, 1028, 1002, 1015, 1009, 1014, 1041, 651,  1040, 775,
    3905, 3907, 3909, 3911, 3913, 3927, 1231, 1021, 1022, 1000, 1182, 2951,
    3807, 199,  1183, 1270, 1115, 1185, 1001, 1561,
};
/* Array types it leaves out even with include.unknown.datatypes=true:
 * money[], name[], interval[], varbit[], xml[], point[], refcursor[]. */
static const uint32_t unmapped_arrays[] = {791, 1003, 1187, 1563, 143, 1017, 2201};
/* Extension types it maps by name (their OIDs differ per database). */
static const char *const mapped_names[] = {
    "citext", "hstore", "ltree", "isbn", "geometry", "geography", "vector", "halfvec",
    "sparsevec",
};
static const char *const mapped_array_names[] = {
    "_citext", "_hstore", "_ltree", "_geometry", "_geography",
};

enum { GEO_NONE, GEO_BOX = 603, GEO_CIRCLE = 718, GEO_LINE = 628, GEO_LSEG = 601,
       GEO_PATH = 602, GEO_POLYGON = 604 };

static bool in(uint32_t oid, const uint32_t *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (list[i] == oid)
            return true;
    return false;
}

static bool named(const char *name, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; name && i < n; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

#define IN(oid, list) in(oid, list, sizeof(list) / sizeof(list[0]))
#define NAMED(name, list) named(name, list, sizeof(list) / sizeof(list[0]))

tw_type_support_t tw_unknown_type_support(const tw_rel_col_t *col)
{
    uint32_t oid = col->value_oid;

    if (!col->type_known)
        return TW_TYPE_MAPPED;
    if (col->elem_oid != 0) {
        if (IN(oid, unmapped_arrays))
            return TW_TYPE_UNMAPPED_ARRAY;
        if (IN(oid, mapped_arrays) || NAMED(col->type_name, mapped_array_names))
            return TW_TYPE_MAPPED;
        /* Other arrays map as their element does: enums do, domains do
         * not (Debezium's own note: only include.unknown.datatypes). */
        if (col->elem_oid < FIRST_USER_OID)
            return IN(col->elem_oid, mapped_scalars) ? TW_TYPE_MAPPED : TW_TYPE_UNKNOWN_ARRAY;
        return col->elem_typtype == 'e' ? TW_TYPE_MAPPED : TW_TYPE_UNKNOWN_ARRAY;
    }
    if (oid < FIRST_USER_OID)
        return IN(oid, mapped_scalars) ? TW_TYPE_MAPPED : TW_TYPE_UNKNOWN;
    if (col->typtype == 'e' || col->enum_labels || NAMED(col->type_name, mapped_names))
        return TW_TYPE_MAPPED;
    return TW_TYPE_UNKNOWN;
}

const char *tw_unknown_type_reason(tw_type_support_t support)
{
    switch (support) {
    case TW_TYPE_UNKNOWN: return "a type Debezium has no mapping for";
    case TW_TYPE_UNKNOWN_ARRAY: return "an array of a type Debezium has no mapping for";
    case TW_TYPE_UNMAPPED_ARRAY: return "an array type Debezium leaves out";
    case TW_TYPE_MAPPED: break;
    }
    return "a mapped type";
}

/* Re-prints PostgreSQL's text of a geometric value the JDBC driver's way:
 * the punctuation stays, each number becomes a Java double. */
static tw_err_t geo_text(const char *s, size_t len, tw_buf_t *out, char *errstr,
                         size_t errstr_size)
{
    char num[64], *end;
    size_t i = 0, n;
    double d;

    while (i < len) {
        if (strchr("()[]{}<>,", s[i]) != NULL) {
            tw_buf_append_char(out, s[i++]);
            continue;
        }
        for (n = 0; i + n < len && strchr("()[]{}<>,", s[i + n]) == NULL; n++)
            ;
        if (n >= sizeof(num))
            goto bad;
        memcpy(num, s + i, n);
        num[n] = '\0';
        d = strtod(num, &end);
        if (end == num || *end != '\0')
            goto bad;
        tw_converter_append_java_double(out, d, false);
        i += n;
    }
    return TW_OK;
bad:
    return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                   "geometric value \"%.*s\" does not parse", (int)TW_MIN(len, 80), s);
}

static double be_double(const uint8_t *p)
{
    uint64_t u = 0;
    double d;
    int i;

    for (i = 0; i < 8; i++)
        u = (u << 8) | p[i];
    memcpy(&d, &u, sizeof(d));
    return d;
}

static uint32_t be_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Points "(x,y),(x,y)..." from n pairs of big-endian doubles. */
static void points(const uint8_t *p, size_t n, tw_buf_t *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (i)
            tw_buf_append_char(out, ',');
        tw_buf_append_char(out, '(');
        tw_converter_append_java_double(out, be_double(p + 16 * i), false);
        tw_buf_append_char(out, ',');
        tw_converter_append_java_double(out, be_double(p + 16 * i + 8), false);
        tw_buf_append_char(out, ')');
    }
}

/* The same from the binary send format. */
static tw_err_t geo_binary(uint32_t oid, const uint8_t *p, size_t len, tw_buf_t *out,
                           char *errstr, size_t errstr_size)
{
    size_t n;
    int i;

    switch (oid) {
    case GEO_BOX:
    case GEO_LSEG:
        if (len != 32)
            break;
        tw_buf_append_str(out, oid == GEO_LSEG ? "[" : "");
        points(p, 2, out);
        tw_buf_append_str(out, oid == GEO_LSEG ? "]" : "");
        return TW_OK;
    case GEO_CIRCLE:
    case GEO_LINE:
        if (len != 24)
            break;
        tw_buf_append_str(out, oid == GEO_CIRCLE ? "<(" : "{");
        for (i = 0; i < 3; i++) {
            if (i)
                tw_buf_append_str(out, oid == GEO_CIRCLE && i == 2 ? ")," : ",");
            tw_converter_append_java_double(out, be_double(p + 8 * i), false);
        }
        tw_buf_append_str(out, oid == GEO_CIRCLE ? ">" : "}");
        return TW_OK;
    case GEO_PATH:
        if (len < 5 || (n = be_u32(p + 1)) > (len - 5) / 16 || len != 5 + 16 * n)
            break;
        tw_buf_append_char(out, p[0] ? '(' : '[');
        points(p + 5, n, out);
        tw_buf_append_char(out, p[0] ? ')' : ']');
        return TW_OK;
    case GEO_POLYGON:
        if (len < 4 || (n = be_u32(p)) > (len - 4) / 16 || len != 4 + 16 * n)
            break;
        tw_buf_append_char(out, '(');
        points(p + 4, n, out);
        tw_buf_append_char(out, ')');
        return TW_OK;
    }
    return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                   "geometric value of type %u: %zu bytes do not decode", (unsigned)oid, len);
}

static bool geometric(uint32_t oid)
{
    return oid == GEO_BOX || oid == GEO_CIRCLE || oid == GEO_LINE || oid == GEO_LSEG ||
           oid == GEO_PATH || oid == GEO_POLYGON;
}

tw_err_t tw_unknown_type_bytes(const tw_value_t *in, tw_arena_t *arena, tw_value_t *out,
                               char *errstr, size_t errstr_size)
{
    tw_buf_t buf = TW_BUF_INIT;
    tw_err_t err = TW_OK;
    uint8_t *copy;

    *out = *in;
    /* NULLs, and what stands in for a value (a placeholder, a zero value)
     * already has the bytes schema's form. */
    if (!in->unknown_type || in->kind == TW_VALUE_NULL || in->kind == TW_VALUE_UNCHANGED_TOAST)
        return TW_OK;
    if (in->kind == TW_VALUE_TEXT && geometric(in->type_oid))
        err = geo_text(in->u.str.ptr, in->u.str.len, &buf, errstr, errstr_size);
    else if (in->kind == TW_VALUE_BYTES && geometric(in->type_oid))
        err = geo_binary(in->type_oid, in->u.bytes.ptr, in->u.bytes.len, &buf, errstr,
                         errstr_size);
    else if (in->kind == TW_VALUE_TEXT || in->kind == TW_VALUE_JSON ||
             in->kind == TW_VALUE_NUMERIC)
        tw_buf_append(&buf, in->u.str.ptr, in->u.str.len);
    else if (in->kind == TW_VALUE_BYTES)
        tw_buf_append(&buf, in->u.bytes.ptr, in->u.bytes.len);
    else
        err = tw_errf(TW_ERR_STATE, errstr, errstr_size,
                      "a value of type %u has no text to write as bytes", (unsigned)in->type_oid);
    if (err == TW_OK) {
        copy = tw_arena_alloc(arena, buf.len ? buf.len : 1);
        if (buf.len)
            memcpy(copy, buf.data, buf.len);
        out->kind = TW_VALUE_BYTES;
        out->unknown_type = true;
        out->u.bytes.ptr = copy;
        out->u.bytes.len = buf.len;
    }
    tw_buf_free(&buf);
    return err;
}

/* One element's bytes, as a value of its own type read from text or send
 * bytes; raw: the element value itself (its text or send bytes). */
static tw_err_t element_bytes(uint32_t elem_oid, bool text, bool raw, const char *p,
                              size_t len, tw_arena_t *arena, tw_value_t *out, char *errstr,
                              size_t errstr_size)
{
    tw_value_t v;

    memset(&v, 0, sizeof(v));
    v.type_oid = elem_oid;
    v.unknown_type = true;
    if (text) {
        v.kind = TW_VALUE_TEXT;
        v.u.str.ptr = p;
        v.u.str.len = len;
    } else {
        v.kind = TW_VALUE_BYTES;
        v.u.bytes.ptr = (const uint8_t *)p;
        v.u.bytes.len = len;
    }
    if (raw) {
        *out = v;
        return TW_OK;
    }
    return tw_unknown_type_bytes(&v, arena, out, errstr, errstr_size);
}

static tw_err_t null_element(char *errstr, size_t errstr_size)
{
    return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                   "an array element of a type without a mapping is NULL, which "
                   "include.unknown.datatypes's array of (required) bytes cannot hold, as in "
                   "Debezium");
}

/* array_out's text: {a,b} (box's delimiter is ';'), elements quoted when
 * they need it, with backslash escapes. One dimension only. */
static tw_err_t array_text(const char *s, size_t len, uint32_t elem_oid, bool raw,
                           tw_arena_t *arena, tw_value_t *out, char *errstr, size_t errstr_size)
{
    char delim = elem_oid == GEO_BOX ? ';' : ',';
    const char *p = s, *end = s + len;
    tw_value_t *elems = NULL;
    size_t n = 0, cap = 0;
    tw_err_t err = TW_OK;

    if (len < 2 || s[0] != '{' || s[len - 1] != '}' || (len > 2 && s[1] == '{'))
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "array of type %u: only one-dimensional arrays are written as bytes",
                       (unsigned)elem_oid);
    p++;
    end--;
    while (err == TW_OK && p < end) {
        char *elem = tw_arena_alloc(arena, (size_t)(end - p) + 1);
        size_t m = 0;
        bool quoted = false, was_quoted = false;
        for (; p < end && (quoted || *p != delim); p++) {
            if (*p == '"') {
                quoted = !quoted;
                was_quoted = true;
            } else if (*p == '\\' && p + 1 < end) {
                elem[m++] = *++p;
            } else {
                elem[m++] = *p;
            }
        }
        if (p < end)
            p++; /* the delimiter */
        if (n == cap) {
            tw_value_t *grown;
            cap = cap ? cap * 2 : 8;
            grown = tw_arena_alloc(arena, cap * sizeof(*grown));
            if (n)
                memcpy(grown, elems, n * sizeof(*grown));
            elems = grown;
        }
        if (!was_quoted && m == 4 && strncmp(elem, "NULL", 4) == 0) {
            if (!raw)
                err = null_element(errstr, errstr_size);
            memset(&elems[n], 0, sizeof(elems[n]));
            elems[n].kind = TW_VALUE_NULL;
            elems[n++].type_oid = elem_oid;
        } else {
            err = element_bytes(elem_oid, true, raw, elem, m, arena, &elems[n++], errstr,
                                errstr_size);
        }
    }
    out->u.array.nelems = (uint32_t)n;
    out->u.array.elems = elems;
    return err;
}

/* array_send: dimensions, flags, element type, per dimension its length
 * and lower bound, then each element's length (-1: NULL) and bytes. */
static tw_err_t array_binary(const uint8_t *p, size_t len, uint32_t elem_oid, bool raw,
                             tw_arena_t *arena, tw_value_t *out, char *errstr,
                             size_t errstr_size)
{
    uint32_t ndim, n, i, elen;
    size_t at = 12;
    tw_err_t err = TW_OK;

    if (len < 12 || (ndim = be_u32(p)) > 1)
        goto bad;
    n = 0;
    if (ndim == 1) {
        if (len < 20)
            goto bad;
        n = be_u32(p + 12);
        at = 20;
    }
    if (n > (len - at) / 4)
        goto bad;
    out->u.array.elems = tw_arena_alloc(arena, (n ? n : 1) * sizeof(tw_value_t));
    out->u.array.nelems = n;
    for (i = 0; err == TW_OK && i < n; i++) {
        if (len - at < 4)
            goto bad;
        elen = be_u32(p + at);
        at += 4;
        if (elen == UINT32_MAX) {
            if (!raw)
                return null_element(errstr, errstr_size);
            memset(&out->u.array.elems[i], 0, sizeof(tw_value_t));
            out->u.array.elems[i].kind = TW_VALUE_NULL;
            continue;
        }
        if (elen > len - at)
            goto bad;
        err = element_bytes(elem_oid, false, raw, (const char *)p + at, elen, arena,
                            &out->u.array.elems[i], errstr, errstr_size);
        at += elen;
    }
    return err;
bad:
    return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                   "array of type %u: %zu bytes do not decode as a one-dimensional array",
                   (unsigned)elem_oid, len);
}

static tw_err_t split_array(const tw_value_t *in, uint32_t elem_oid, bool raw,
                            tw_arena_t *arena, tw_value_t *out, char *errstr,
                            size_t errstr_size)
{
    *out = *in;
    if (!in->unknown_type || in->kind == TW_VALUE_NULL || in->kind == TW_VALUE_UNCHANGED_TOAST)
        return TW_OK;
    out->kind = TW_VALUE_ARRAY;
    out->u.array.elem_oid = raw ? elem_oid : TW_OID_BYTEA;
    out->u.array.nelems = 0;
    out->u.array.elems = NULL;
    if (in->kind == TW_VALUE_TEXT)
        return array_text(in->u.str.ptr, in->u.str.len, elem_oid, raw, arena, out, errstr,
                          errstr_size);
    if (in->kind == TW_VALUE_BYTES)
        return array_binary(in->u.bytes.ptr, in->u.bytes.len, elem_oid, raw, arena, out,
                            errstr, errstr_size);
    return tw_errf(TW_ERR_STATE, errstr, errstr_size,
                   "an array of type %u has no text to write as bytes", (unsigned)elem_oid);
}

tw_err_t tw_unknown_array_bytes(const tw_value_t *in, uint32_t elem_oid, tw_arena_t *arena,
                                tw_value_t *out, char *errstr, size_t errstr_size)
{
    return split_array(in, elem_oid, false, arena, out, errstr, errstr_size);
}

tw_err_t tw_unknown_array_split(const tw_value_t *in, uint32_t elem_oid, tw_arena_t *arena,
                                tw_value_t *out, char *errstr, size_t errstr_size)
{
    return split_array(in, elem_oid, true, arena, out, errstr, errstr_size);
}
