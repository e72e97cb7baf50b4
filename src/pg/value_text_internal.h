/*
 * value_text_internal.h — what value_text.c (scalars) and
 * value_text_array.c (arrays) share: the parser's input, its error
 * messages and the text cursor. Inline because they run once per column on
 * the replication hot path. Not for other modules.
 */
#ifndef TW_VALUE_TEXT_INTERNAL_H
#define TW_VALUE_TEXT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "pg/value.h"
#include "pg/value_internal.h"

/* Everything a text parser needs, so each type's parser takes two
 * arguments. */
typedef struct text_in {
    uint32_t oid;
    const char *text;
    size_t len;
    tw_arena_t *arena;
    char *errstr;
    size_t errstr_size;
} text_in_t;

/* why may be NULL. */
static inline tw_err_t text_error(const text_in_t *in, tw_err_t err, const char *why)
{
    char name[32];

    /* The length, never the text: a value is row content, and this
     * message reaches logs, dead-letter headers and /healthz. */
    if (in->errstr == NULL || in->errstr_size == 0)
        return err;
    tw_value_type_label(in->oid, name, sizeof(name));
    return tw_errf(err, in->errstr, in->errstr_size, "invalid %s value (%zu bytes)%s%s", name,
                   in->len, why ? ": " : "", why ? why : "");
}

static inline tw_err_t text_malformed(const text_in_t *in, const char *why)
{
    return text_error(in, TW_ERR_MALFORMED, why);
}

/* ------------------------------------------------------------------------
 * Text scanning
 * ------------------------------------------------------------------------ */

typedef struct cursor {
    const char *p;
    const char *end;
} cursor_t;

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool cur_eat(cursor_t *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* Reads min..max decimal digits (max ≤ 18, so no overflow). Stops after
 * max digits: a following digit then fails whatever the caller expects
 * next. */
static inline bool cur_digits(cursor_t *c, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int n = 0;

    while (c->p < c->end && n < max && is_digit(*c->p)) {
        v = v * 10 + (*c->p - '0');
        c->p++;
        n++;
    }
    if (n < min || (c->p < c->end && is_digit(*c->p)))
        return false;
    *out = v;
    return true;
}

/* The parser for one scalar type's text (value_text.c); unknown types
 * keep their text. */
tw_err_t tw_value_text_scalar(const text_in_t *in, tw_value_t *out);

#endif /* TW_VALUE_TEXT_INTERNAL_H */
