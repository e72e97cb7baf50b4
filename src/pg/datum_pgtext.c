/*
 * datum_pgtext.c — reading the PostgreSQL types that value*.c keeps as
 * PostgreSQL's text (or, with pgoutput's binary mode, as their send bytes)
 * into what Debezium's schemas for them hold: money as a decimal, timetz
 * as the UTC time it denotes, point as two doubles, bit strings as bits.
 */
#include "pg/datum_pgtext.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/calendar.h"

static uint64_t be_u64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static bool as_text(const tw_value_t *v, const char **s, size_t *len)
{
    if (v->kind != TW_VALUE_TEXT)
        return false;
    *s = v->u.str.ptr;
    *len = v->u.str.len;
    return true;
}

bool tw_pgtext_money(const tw_value_t *v, tw_buf_t *digits)
{
    const char *s;
    size_t len, i;
    bool negative = false, any = false;

    tw_buf_reset(digits);
    if (v->kind == TW_VALUE_BYTES && v->u.bytes.len == 8) {
        /* cash_send: int64 in the currency's smallest unit; with lc_monetary
         * C (the walsender's default) that is cents. */
        int64_t cents = (int64_t)be_u64(v->u.bytes.ptr);
        uint64_t mag = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
        tw_buf_printf(digits, "%s%llu.%02llu", cents < 0 ? "-" : "",
                      (unsigned long long)(mag / 100), (unsigned long long)(mag % 100));
        return true;
    }
    if (!as_text(v, &s, &len))
        return false;
    /* cash_out: an optional sign or parentheses, a currency symbol,
     * thousands separators and the locale's decimal point. */
    for (i = 0; i < len; i++)
        if (s[i] == '-' || s[i] == '(')
            negative = true;
    if (negative)
        tw_buf_append_char(digits, '-');
    for (i = 0; i < len; i++) {
        if (isdigit((unsigned char)s[i])) {
            tw_buf_append_char(digits, s[i]);
            any = true;
        } else if (s[i] == '.') {
            tw_buf_append_char(digits, '.');
        }
    }
    return any;
}

bool tw_pgtext_timetz_utc(const tw_value_t *v, int64_t *micros)
{
    const char *s;
    size_t len, i = 0;
    int64_t t = 0, frac = 0, scale = 100000, off = 0;
    int hh, mm, ss, sign;
    long parts[3] = {0, 0, 0};
    int np = 0;

    if (v->kind == TW_VALUE_BYTES && v->u.bytes.len == 12) {
        /* timetz_send: int64 microseconds, int32 zone in seconds west of UTC. */
        const uint8_t *z = v->u.bytes.ptr + 8;
        int32_t west = (int32_t)(((uint32_t)z[0] << 24) | ((uint32_t)z[1] << 16) |
                                 ((uint32_t)z[2] << 8) | z[3]);
        t = (int64_t)be_u64(v->u.bytes.ptr) + (int64_t)west * TW_USECS_PER_SEC;
        goto wrap;
    }
    if (!as_text(v, &s, &len) || len < 9)
        return false;
    if (sscanf(s, "%2d:%2d:%2d", &hh, &mm, &ss) != 3)
        return false;
    i = 8;
    if (i < len && s[i] == '.') {
        for (i++; i < len && isdigit((unsigned char)s[i]); i++) {
            frac += (s[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (i >= len || (s[i] != '+' && s[i] != '-'))
        return false;
    sign = s[i++] == '-' ? -1 : 1;
    while (i < len && np < 3) {
        long n = 0;
        if (!isdigit((unsigned char)s[i]))
            return false;
        while (i < len && isdigit((unsigned char)s[i]))
            n = n * 10 + (s[i++] - '0');
        parts[np++] = n;
        if (i < len && s[i] == ':')
            i++;
    }
    off = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    t = ((int64_t)hh * 3600 + mm * 60 + ss) * TW_USECS_PER_SEC + frac - off * TW_USECS_PER_SEC;
wrap:
    t %= TW_USECS_PER_DAY;
    if (t < 0)
        t += TW_USECS_PER_DAY;
    *micros = t;
    return true;
}

bool tw_pgtext_point(const tw_value_t *v, double *x, double *y)
{
    const char *s;
    size_t len;
    char tmp[128];
    union {
        uint64_t u;
        double d;
    } cv;

    if (v->kind == TW_VALUE_BYTES && v->u.bytes.len == 16) {
        cv.u = be_u64(v->u.bytes.ptr);
        *x = cv.d;
        cv.u = be_u64(v->u.bytes.ptr + 8);
        *y = cv.d;
        return true;
    }
    if (!as_text(v, &s, &len) || len >= sizeof(tmp))
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return sscanf(tmp, " ( %lf , %lf )", x, y) == 2;
}

void tw_pgtext_wkb_point(double x, double y, tw_buf_t *out)
{
    /* OGC well-known binary, little-endian: byte order 1, type 1 (Point). */
    uint8_t wkb[21];
    union {
        uint64_t u;
        double d;
    } cv;
    int i;

    wkb[0] = 1;
    wkb[1] = 1;
    wkb[2] = wkb[3] = wkb[4] = 0;
    cv.d = x;
    for (i = 0; i < 8; i++)
        wkb[5 + i] = (uint8_t)(cv.u >> (8 * i));
    cv.d = y;
    for (i = 0; i < 8; i++)
        wkb[13 + i] = (uint8_t)(cv.u >> (8 * i));
    tw_buf_append(out, wkb, sizeof(wkb));
}

/* java.util.BitSet.toByteArray of a bit string read as a binary number
 * (the last character is bit 0): little-endian bytes, without trailing zero
 * bytes — what Debezium's Bits holds. */
static bool bits_from_text(const char *s, size_t len, tw_buf_t *out)
{
    size_t i, nbytes = (len + 7) / 8;
    uint8_t *bytes = tw_calloc(nbytes ? nbytes : 1, 1);

    for (i = 0; i < len; i++) {
        size_t bit = len - 1 - i;
        if (s[i] == '1') {
            bytes[bit / 8] |= (uint8_t)(1u << (bit % 8));
        } else if (s[i] != '0') {
            free(bytes);
            return false;
        }
    }
    while (nbytes > 0 && bytes[nbytes - 1] == 0)
        nbytes--;
    tw_buf_append(out, bytes, nbytes);
    free(bytes);
    return true;
}

bool tw_pgtext_bits(const tw_value_t *v, tw_buf_t *out)
{
    const char *s;
    size_t len, i, nbits;
    char *text;
    bool ok;

    tw_buf_reset(out);
    if (v->kind == TW_VALUE_BYTES && v->u.bytes.len >= 4) {
        /* bit_send: int32 bit count, then the bits, most significant first. */
        const uint8_t *p = v->u.bytes.ptr;
        nbits = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
        if (v->u.bytes.len < 4 + (nbits + 7) / 8)
            return false;
        text = tw_calloc(nbits + 1, 1);
        for (i = 0; i < nbits; i++)
            text[i] = (p[4 + i / 8] >> (7 - i % 8)) & 1 ? '1' : '0';
        ok = bits_from_text(text, nbits, out);
        free(text);
        return ok;
    }
    if (!as_text(v, &s, &len))
        return false;
    return bits_from_text(s, len, out);
}
