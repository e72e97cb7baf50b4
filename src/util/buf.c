/*
 * buf.c — growable byte buffer and the JSON/base64 writers built on it.
 */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/decimal.h"

void tw_buf_free(tw_buf_t *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

void tw_buf_reserve(tw_buf_t *buf, size_t extra)
{
    size_t need = buf->len + extra + 1;
    size_t cap;

    if (need <= buf->cap)
        return;
    cap = buf->cap ? buf->cap : 256;
    while (cap < need)
        cap *= 2;
    buf->data = tw_realloc(buf->data, cap);
    buf->cap = cap;
}

void tw_buf_append(tw_buf_t *buf, const void *data, size_t len)
{
    tw_buf_reserve(buf, len);
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void tw_buf_append_str(tw_buf_t *buf, const char *s)
{
    tw_buf_append(buf, s, strlen(s));
}

void tw_buf_append_char(tw_buf_t *buf, char c)
{
    tw_buf_reserve(buf, 1);
    buf->data[buf->len++] = c;
    buf->data[buf->len] = '\0';
}

void tw_buf_append_i64(tw_buf_t *buf, int64_t v)
{
    tw_buf_reserve(buf, 21);
    buf->len += tw_decimal_i64(buf->data + buf->len, v);
    buf->data[buf->len] = '\0';
}

void tw_buf_printf(tw_buf_t *buf, const char *fmt, ...)
{
    va_list ap;
    int n;

    tw_buf_reserve(buf, 64);
    va_start(ap, fmt);
    n = vsnprintf(buf->data + buf->len, buf->cap - buf->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= buf->cap - buf->len) {
        tw_buf_reserve(buf, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(buf->data + buf->len, buf->cap - buf->len, fmt, ap);
        va_end(ap);
    }
    buf->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n, i;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* Reject overlong forms, surrogates and values past U+10FFFF. */
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

bool tw_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;

    while (p < end) {
        size_t n = utf8_seq_len(p, (size_t)(end - p));
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

void tw_buf_append_json_string(tw_buf_t *buf, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;

    /* Worst case every byte becomes \u00XX (6 bytes) or U+FFFD (3 bytes). */
    tw_buf_reserve(buf, len * 6 + 2);
    buf->data[buf->len++] = '"';
    while (p < end) {
        unsigned char c = *p;
        char *out = buf->data + buf->len;

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *out = (char)c;
            buf->len++;
            p++;
            continue;
        }
        if (c < 0x80) {
            out[0] = '\\';
            switch (c) {
            case '"': out[1] = '"'; buf->len += 2; break;
            case '\\': out[1] = '\\'; buf->len += 2; break;
            case '\n': out[1] = 'n'; buf->len += 2; break;
            case '\r': out[1] = 'r'; buf->len += 2; break;
            case '\t': out[1] = 't'; buf->len += 2; break;
            case '\b': out[1] = 'b'; buf->len += 2; break;
            case '\f': out[1] = 'f'; buf->len += 2; break;
            default:
                out[1] = 'u';
                out[2] = '0';
                out[3] = '0';
                out[4] = hex[c >> 4];
                out[5] = hex[c & 0xF];
                buf->len += 6;
            }
            p++;
            continue;
        }
        {
            size_t n = utf8_seq_len(p, (size_t)(end - p));
            if (n == 0) {
                memcpy(out, "\xEF\xBF\xBD", 3);
                buf->len += 3;
                p++;
            } else {
                memcpy(out, p, n);
                buf->len += n;
                p += n;
            }
        }
    }
    buf->data[buf->len++] = '"';
    buf->data[buf->len] = '\0';
}

void tw_buf_append_base64(tw_buf_t *buf, const uint8_t *data, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    char *out;

    tw_buf_reserve(buf, (len + 2) / 3 * 4);
    out = buf->data + buf->len;
    for (i = 0; i + 2 < len; i += 3) {
        uint32_t v = ((uint32_t)data[i] << 16) | ((uint32_t)data[i + 1] << 8) | data[i + 2];
        *out++ = alphabet[(v >> 18) & 63];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = alphabet[(v >> 6) & 63];
        *out++ = alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)data[i + 1] << 8;
        *out++ = alphabet[(v >> 18) & 63];
        *out++ = alphabet[(v >> 12) & 63];
        *out++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
        *out++ = '=';
    }
    buf->len = (size_t)(out - buf->data);
    buf->data[buf->len] = '\0';
}
