/*
 * avro_literal.c — text forms of Avro bytes and logical values (see
 * avro_literal.h); moved out of json_avro.c unchanged.
 */
#include "codec/avro_literal.h"

#include <stdlib.h>

#include "util/calendar.h"
#include "util/common.h"

static int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Strict RFC 4648 base64 with padding; false on anything else. */
bool tw_avro_literal_base64(const char *s, size_t len, tw_buf_t *out)
{
    if (len % 4 != 0)
        return false;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad) {
                return false; /* data after padding */
            } else if ((v[k] = base64_value(s[i + k])) < 0) {
                return false;
            }
        }
        uint32_t n =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        char b[3] = {(char)(n >> 16), (char)(n >> 8), (char)n};
        tw_buf_append(out, b, (size_t)(3 - pad));
    }
    return true;
}

/* A schema default for bytes/fixed: each code point 0-255 is one byte. */
bool tw_avro_literal_latin1(const char *s, size_t len, tw_buf_t *out)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;

    while (p < end) {
        if (*p < 0x80) {
            tw_buf_append_char(out, (char)*p++);
        } else if ((*p & 0xE0) == 0xC0 && p + 1 < end && *p <= 0xC3) {
            tw_buf_append_char(out, (char)(((p[0] & 0x1F) << 6) | (p[1] & 0x3F)));
            p += 2;
        } else {
            return false;
        }
    }
    return true;
}


/* n decimal digits at s; -1 when any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DD" at s (10 characters); false when malformed or no such day. */
bool tw_avro_literal_date(const char *s, size_t len, int64_t *days)
{
    int y, m, d;

    if (len < 10 || s[4] != '-' || s[7] != '-')
        return false;
    y = digits(s, 4);
    m = digits(s + 5, 2);
    d = digits(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > tw_calendar_days_in_month(y, m))
        return false;
    *days = tw_calendar_days_from_civil(y, m, d);
    return true;
}

/* "HH:MM:SS[.fraction]" at s, in units of 10^-unit_digits seconds; *used is
 * how many characters it took. */
tw_avro_time_result_t tw_avro_literal_time(const char *s, size_t len, int unit_digits,
                                           int64_t *value, size_t *used)
{
    int h, m, sec;
    size_t i = 8;
    int64_t frac = 0;
    int n_frac = 0;

    if (len < 8 || s[2] != ':' || s[5] != ':')
        return TW_AVRO_TIME_MALFORMED;
    h = digits(s, 2);
    m = digits(s + 3, 2);
    sec = digits(s + 6, 2);
    if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59)
        return TW_AVRO_TIME_MALFORMED;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (++n_frac > unit_digits)
                return TW_AVRO_TIME_TOO_PRECISE;
            frac = frac * 10 + (s[i] - '0');
        }
        if (n_frac == 0)
            return TW_AVRO_TIME_MALFORMED;
    }
    for (; n_frac < unit_digits; n_frac++)
        frac *= 10;
    int64_t unit = 1;
    for (int k = 0; k < unit_digits; k++)
        unit *= 10;
    *value = ((int64_t)h * 3600 + m * 60 + sec) * unit + frac;
    *used = i;
    return TW_AVRO_TIME_OK;
}

/* "YYYY-MM-DDTHH:MM:SS[.f]" then "Z", "±HH:MM" or (local) nothing. */
tw_avro_time_result_t tw_avro_literal_timestamp(const char *s, size_t len, int unit_digits,
                                                bool local, int64_t *value)
{
    int64_t days, tod, unit = 1, offset_min = 0;
    size_t used;
    tw_avro_time_result_t r;

    for (int k = 0; k < unit_digits; k++)
        unit *= 10;
    if (len < 19 || !tw_avro_literal_date(s, 10, &days) || s[10] != 'T')
        return TW_AVRO_TIME_MALFORMED;
    r = tw_avro_literal_time(s + 11, len - 11, unit_digits, &tod, &used);
    if (r != TW_AVRO_TIME_OK)
        return r;
    s += 11 + used;
    len -= 11 + used;
    if (len == 1 && s[0] == 'Z') {
        /* UTC */
    } else if (len == 0 && local) {
        /* a local timestamp has no zone */
    } else if (len == 6 && !local && (s[0] == '+' || s[0] == '-') && s[3] == ':') {
        int oh = digits(s + 1, 2), om = digits(s + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return TW_AVRO_TIME_MALFORMED;
        offset_min = (oh * 60 + om) * (s[0] == '-' ? -1 : 1);
    } else {
        return TW_AVRO_TIME_MALFORMED;
    }
    /* 12:00+02:00 is 10:00 UTC */
    *value = days * 86400 * unit + tod - offset_min * 60 * unit;
    return TW_AVRO_TIME_OK;
}

bool tw_avro_literal_uuid(const char *s, size_t len)
{
    if (len != 36)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/* The unscaled value of a decimal text as minimal two's-complement
 * big-endian bytes. Digits are shifted into a base-256 big number one at a
 * time: precision is bounded (1000) so quadratic time is fine. */
void tw_avro_literal_unscaled(const char *digit_chars, size_t n, bool negative, tw_buf_t *out)
{
    size_t cap = n / 2 + 2, first;
    unsigned char *mag = tw_calloc(cap, 1);

    for (size_t i = 0; i < n; i++) {
        unsigned carry = (unsigned)(digit_chars[i] - '0');
        for (size_t j = cap; j-- > 0;) {
            unsigned t = mag[j] * 10u + carry;
            mag[j] = (unsigned char)t;
            carry = t >> 8;
        }
    }
    /* Keep one byte of headroom so the sign bit of the first byte is 0. */
    for (first = 0; first + 1 < cap && mag[first] == 0 && !(mag[first + 1] & 0x80); first++)
        ;
    if (negative) {
        unsigned carry = 1;
        for (size_t j = cap; j-- > first;) {
            unsigned t = (unsigned char)~mag[j] + carry;
            mag[j] = (unsigned char)t;
            carry = t >> 8;
        }
        /* Drop sign bytes the next byte already implies. */
        while (first + 1 < cap && mag[first] == 0xFF && (mag[first + 1] & 0x80))
            first++;
    }
    tw_buf_append(out, mag + first, cap - first);
    free(mag);
}