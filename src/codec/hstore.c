/*
 * hstore.c — reading hstore values and putting their pairs in the order
 * Debezium writes them.
 */
#include "codec/hstore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/java_hash.h"

/* Where a pair's strings are in h->store while it grows. */
typedef struct pending {
    size_t key, key_len, value, value_len;
    bool null;
    uint32_t bucket;
    size_t seq;
} pending_t;

static tw_err_t malformed(const tw_value_t *value, const char *why, char *errstr,
                          size_t errstr_size)
{
    (void)value;
    return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "hstore value does not parse: %s",
                   why);
}

/* A quoted string of hstore_out at *p ('"' ... '"', with \" and \\
 * escapes), unescaped into store. */
static bool quoted(const char **pp, const char *end, tw_buf_t *store, size_t *off, size_t *len)
{
    const char *p = *pp;

    if (p >= end || *p != '"')
        return false;
    *off = store->len;
    for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end)
            p++;
        tw_buf_append_char(store, *p);
    }
    if (p >= end)
        return false;
    *len = store->len - *off;
    *pp = p + 1;
    return true;
}

static size_t parse_text(const char *p, const char *end, tw_hstore_t *h, pending_t **out,
                         const char **why)
{
    pending_t *pend = NULL;
    size_t n = 0, cap = 0;

    while (p < end && *p == ' ')
        p++;
    while (p < end) {
        pending_t pr;
        memset(&pr, 0, sizeof(pr));
        if (!quoted(&p, end, &h->store, &pr.key, &pr.key_len)) {
            *why = "expected a quoted key";
            goto bad;
        }
        if (end - p < 2 || p[0] != '=' || p[1] != '>') {
            *why = "expected =>";
            goto bad;
        }
        p += 2;
        if (end - p >= 4 && memcmp(p, "NULL", 4) == 0) {
            pr.null = true;
            p += 4;
        } else if (!quoted(&p, end, &h->store, &pr.value, &pr.value_len)) {
            *why = "expected a quoted value or NULL";
            goto bad;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            pend = tw_realloc(pend, cap * sizeof(*pend));
        }
        pend[n++] = pr;
        if (p < end && *p == ',')
            p++;
        while (p < end && *p == ' ')
            p++;
    }
    *out = pend;
    return n;
bad:
    free(pend);
    *out = NULL;
    return SIZE_MAX;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* hstore_send: count, then per pair key length, key, value length (-1:
 * NULL), value. */
static size_t parse_binary(const uint8_t *p, size_t len, tw_hstore_t *h, pending_t **out,
                           const char **why)
{
    pending_t *pend = NULL;
    size_t n, i, at = 4;
    uint32_t klen, vlen;

    *out = NULL;
    *why = "truncated";
    if (len < 4 || (n = be32(p)) > len / 8)
        return SIZE_MAX;
    pend = tw_calloc(n ? n : 1, sizeof(*pend));
    for (i = 0; i < n; i++) {
        if (len - at < 4 || (klen = be32(p + at)) > len - at - 4)
            goto bad;
        at += 4;
        pend[i].key = h->store.len;
        pend[i].key_len = klen;
        tw_buf_append(&h->store, p + at, klen);
        at += klen;
        if (len - at < 4)
            goto bad;
        vlen = be32(p + at);
        at += 4;
        if (vlen == UINT32_MAX) {
            pend[i].null = true;
            continue;
        }
        if (vlen > len - at)
            goto bad;
        pend[i].value = h->store.len;
        pend[i].value_len = vlen;
        tw_buf_append(&h->store, p + at, vlen);
        at += vlen;
    }
    if (at != len) {
        *why = "trailing bytes";
        goto bad;
    }
    *out = pend;
    return n;
bad:
    free(pend);
    return SIZE_MAX;
}

static int by_java_order(const void *a, const void *b)
{
    const pending_t *x = a, *y = b;

    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

tw_err_t tw_hstore_parse(const tw_value_t *value, tw_hstore_t *h, char *errstr,
                         size_t errstr_size)
{
    pending_t *pend = NULL;
    const char *why = "not an hstore value";
    uint32_t capacity;
    size_t n = SIZE_MAX, i;

    tw_buf_reset(&h->store);
    h->n = 0;
    if (value->kind == TW_VALUE_TEXT)
        n = parse_text(value->u.str.ptr, value->u.str.ptr + value->u.str.len, h, &pend, &why);
    else if (value->kind == TW_VALUE_BYTES)
        n = parse_binary(value->u.bytes.ptr, value->u.bytes.len, h, &pend, &why);
    if (n == SIZE_MAX)
        return malformed(value, why, errstr, errstr_size);
    /* pgjdbc puts the pairs into a HashMap in hstore_out's order; Debezium
     * iterates the map. */
    capacity = tw_java_hashmap_capacity(n);
    for (i = 0; i < n; i++) {
        pend[i].seq = i;
        pend[i].bucket = tw_java_hashmap_bucket(
            tw_java_string_hash(h->store.data + pend[i].key, pend[i].key_len), capacity);
    }
    if (n > 1)
        qsort(pend, n, sizeof(*pend), by_java_order);
    h->pairs = tw_realloc(h->pairs, (n ? n : 1) * sizeof(*h->pairs));
    for (i = 0; i < n; i++) {
        h->pairs[i].key = h->store.data ? h->store.data + pend[i].key : "";
        h->pairs[i].key_len = pend[i].key_len;
        h->pairs[i].value =
            pend[i].null ? NULL : h->store.data ? h->store.data + pend[i].value : "";
        h->pairs[i].value_len = pend[i].value_len;
    }
    h->n = n;
    free(pend);
    return TW_OK;
}

void tw_hstore_free(tw_hstore_t *h)
{
    free(h->pairs);
    tw_buf_free(&h->store);
    h->pairs = NULL;
    h->n = 0;
}

void tw_hstore_append_json(tw_buf_t *out, const tw_hstore_t *h)
{
    size_t i;

    tw_buf_append_char(out, '{');
    for (i = 0; i < h->n; i++) {
        if (i)
            tw_buf_append_char(out, ',');
        tw_buf_append_json_string(out, h->pairs[i].key, h->pairs[i].key_len);
        tw_buf_append_char(out, ':');
        if (h->pairs[i].value)
            tw_buf_append_json_string(out, h->pairs[i].value, h->pairs[i].value_len);
        else
            tw_buf_append_str(out, "null");
    }
    tw_buf_append_char(out, '}');
}
