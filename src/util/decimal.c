/*
 * decimal.c — integers as decimal digits (see decimal.h).
 */
#include "util/decimal.h"

size_t tw_decimal_u64(char *out, uint64_t v, int min_digits)
{
    char tmp[24];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n < (size_t)min_digits && n < sizeof(tmp))
        tmp[n++] = '0';
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

size_t tw_decimal_i64(char *out, int64_t v)
{
    if (v < 0) {
        out[0] = '-';
        /* Through unsigned arithmetic, so INT64_MIN negates without overflow. */
        return 1 + tw_decimal_u64(out + 1, (uint64_t)0 - (uint64_t)v, 1);
    }
    return tw_decimal_u64(out, (uint64_t)v, 1);
}
