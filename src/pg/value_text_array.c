/*
 * value_text_array.c — arrays in PostgreSQL's text output format
 * (array_out's braces, quotes, escapes, NULLs and dimension bounds) →
 * typed array values, and tw_value_from_text, which picks arrays or
 * scalars. Separate from the scalar parsers because the array grammar is
 * its own small parser; each element goes through the scalar one.
 */
#include "pg/value.h"

#include <stdio.h>

#include "pg/value_internal.h"
#include "pg/value_text_internal.h"

/* ------------------------------------------------------------------------
 * Text arrays
 * ------------------------------------------------------------------------ */

static bool is_array_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Counts the elements of the brace level whose inside starts at p and sets
 * *close to its '}'. Quotes and escapes are skipped, nested levels counted
 * as one element each. Returns -1 when the level is not closed (or a quote
 * is left open). */
static long array_count_elems(const char *p, const char *end, const char **close)
{
    long commas = 0;
    int depth = 0;
    bool quoted = false, blank = true;

    for (; p < end; p++) {
        if (*p == '\\') {
            if (p + 1 < end)
                p++;
            blank = false;
            continue;
        }
        if (*p == '"')
            quoted = !quoted;
        else if (quoted)
            ;
        else if (*p == '{')
            depth++;
        else if (*p == '}' && depth == 0) {
            *close = p;
            return blank ? 0 : commas + 1;
        } else if (*p == '}')
            depth--;
        else if (*p == ',' && depth == 0)
            commas++;
        if (!is_array_space(*p))
            blank = false;
    }
    return -1;
}

static bool is_null_literal(const char *s, size_t len)
{
    return len == 4 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'u' && (s[2] | 0x20) == 'l' &&
           (s[3] | 0x20) == 'l';
}

/* Reads one element starting at *pp (just after '{' or ',') and leaves *pp
 * on the ',' or the closing brace. array_out quotes an element when it has
 * to and backslash-escapes '"' and '\' inside the quotes; array_in also
 * takes escapes outside quotes and ignores whitespace around elements, and
 * so does this. An element without quotes or escapes stays a slice of the
 * input; only the others are copied (into the arena) to resolve them.
 * Returns false on an empty unquoted element or a dangling backslash. */
static bool array_next_elem(tw_arena_t *arena, const char **pp, const char *end, const char **elem,
                            size_t *elem_len, bool *is_null)
{
    const char *p = *pp, *start, *stop;
    bool in_quotes = false, needs_copy = false;
    size_t n = 0, keep = 0;
    char *copy;

    while (p < end && is_array_space(*p))
        p++;
    start = p;
    for (; p < end && (in_quotes || *p != ','); p++) {
        if (*p == '\\') {
            if (p + 1 == end)
                return false; /* it escapes the closing brace */
            needs_copy = true;
            p++;
        } else if (*p == '"') {
            needs_copy = true;
            in_quotes = !in_quotes;
        }
    }
    *pp = stop = p;
    *is_null = false;
    if (!needs_copy) {
        while (stop > start && is_array_space(stop[-1]))
            stop--;
        *elem = start;
        *elem_len = (size_t)(stop - start);
        *is_null = is_null_literal(start, *elem_len);
        return *elem_len > 0;
    }
    /* Whitespace is kept inside quotes and after an escape; trailing
     * unquoted whitespace is dropped, which `keep` tracks. */
    copy = tw_arena_alloc(arena, (size_t)(stop - start));
    in_quotes = false;
    for (p = start; p < stop; p++) {
        if (*p == '"') {
            in_quotes = !in_quotes;
            keep = n;
        } else if (*p == '\\') {
            copy[n++] = *++p;
            keep = n;
        } else {
            copy[n++] = *p;
            if (in_quotes || !is_array_space(*p))
                keep = n;
        }
    }
    *elem = copy;
    *elem_len = keep;
    return true;
}

/* One brace level: *pp is on its '{' and is left after its '}'. A level
 * holds either sub-levels (one per row of a multi-dimensional array) or
 * elements, never both. *index numbers elements across levels, for error
 * messages. */
static tw_err_t array_text_level(const text_in_t *in, uint32_t elem_oid, const char **pp,
                                 const char *end, int depth, long *index, tw_value_t *out)
{
    const char *p = *pp + 1, *close = NULL;
    tw_value_t *elems = NULL;
    long count, i;
    bool rows = false;
    tw_err_t err;

    if (depth > TW_VALUE_ARRAY_MAX_DIMS)
        return text_malformed(in, "too many dimensions");
    count = array_count_elems(p, end, &close);
    if (count < 0)
        return text_malformed(in, "unterminated array or quote");
    if (count > 0)
        elems = tw_arena_alloc(in->arena, (size_t)count * sizeof(*elems));
    for (i = 0; i < count; i++) {
        char elem_err[160], why[200];
        text_in_t elem_in = {elem_oid, NULL, 0, in->arena, elem_err, sizeof(elem_err)};
        bool is_null;

        while (p < close && is_array_space(*p))
            p++;
        if (i > 0) {
            if (p == close || *p != ',')
                return text_malformed(in, NULL);
            p++;
            while (p < close && is_array_space(*p))
                p++;
        }
        if (p < close && *p == '{') {
            if (i > 0 && !rows)
                return text_malformed(in, "mixed elements and sub-arrays");
            rows = true;
            err = array_text_level(in, elem_oid, &p, close, depth + 1, index, &elems[i]);
            if (err != TW_OK)
                return err;
            continue;
        }
        if (rows)
            return text_malformed(in, "mixed elements and sub-arrays");
        ++*index;
        if (!array_next_elem(in->arena, &p, close, &elem_in.text, &elem_in.len, &is_null))
            return text_malformed(in, "empty element");
        if (is_null) {
            tw_value_init(&elems[i], elem_oid, TW_VALUE_NULL);
            continue;
        }
        err = tw_value_text_scalar(&elem_in, &elems[i]);
        if (err != TW_OK) {
            snprintf(why, sizeof(why), "element %ld: %s", *index, elem_err);
            return text_error(in, err, why);
        }
    }
    while (p < close && is_array_space(*p))
        p++;
    if (p != close)
        return text_malformed(in, NULL);
    *pp = close + 1;
    tw_value_init(out, in->oid, TW_VALUE_ARRAY);
    out->u.array.nelems = (uint32_t)count;
    out->u.array.elems = elems;
    out->u.array.elem_oid = elem_oid;
    return TW_OK;
}

/* array_out's "{a,b,NULL}", "{{1,2},{3,4}}" for several dimensions, and a
 * "[0:1]=" prefix when a lower bound is not 1. Several dimensions become
 * nested arrays; lower bounds are dropped (JSON arrays have none — the
 * elements are kept, in order, as pgjdbc and so Debezium keep them). */
static tw_err_t array_from_text(const text_in_t *in, uint32_t elem_oid, tw_value_t *out)
{
    cursor_t c = {in->text, in->text + in->len};
    long index = 0;
    bool bounds = false;
    tw_err_t err;

    while (cur_eat(&c, '[')) {
        bounds = true;
        int64_t bound;
        cur_eat(&c, '-');
        if (!cur_digits(&c, 1, 10, &bound) || !cur_eat(&c, ':'))
            return text_malformed(in, "bad dimension bounds");
        cur_eat(&c, '-');
        if (!cur_digits(&c, 1, 10, &bound) || !cur_eat(&c, ']'))
            return text_malformed(in, "bad dimension bounds");
        if (cur_eat(&c, '=')) {
            bounds = false;
            break;
        }
    }
    if (bounds)
        return text_malformed(in, "bad dimension bounds");
    if (c.p == c.end || *c.p != '{')
        return text_malformed(in, NULL);
    err = array_text_level(in, elem_oid, &c.p, c.end, 1, &index, out);
    if (err == TW_OK && c.p != c.end)
        return text_malformed(in, "trailing text");
    return err;
}

tw_err_t tw_value_from_text(uint32_t type_oid, int32_t typmod, const char *text, size_t len,
                            tw_arena_t *arena, tw_value_t *out, char *errstr, size_t errstr_size)
{
    text_in_t in = {type_oid, text, len, arena, errstr, errstr_size};
    uint32_t elem_oid = tw_value_array_elem_oid(type_oid);

    (void)typmod; /* the text form is already rounded/padded to it */
    if (elem_oid != 0)
        return array_from_text(&in, elem_oid, out);
    return tw_value_text_scalar(&in, out);
}
