/*
 * decimal.h — integers as decimal digits, without printf: the per-event
 * texts (timestamps, positions, JSON numbers) are written often enough
 * that printf's format parsing showed in profiles.
 */
#ifndef TW_DECIMAL_H
#define TW_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* Writes the digits of v at out, zero-padded to at least min_digits (up to
 * 20); returns how many were written (no NUL). */
size_t tw_decimal_u64(char *out, uint64_t v, int min_digits);

/* Writes v as "%lld" would, at most 20 characters (no NUL). */
size_t tw_decimal_i64(char *out, int64_t v);

#endif /* TW_DECIMAL_H */
