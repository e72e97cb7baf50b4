/*
 * pgoutput_fixtures.c — see pgoutput_fixtures.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgoutput_fixtures.h"

void pgo_fixture_load(pgo_fixture_t *fx, const char *name)
{
    const char *dir = getenv("TW_FIXTURES_DIR");
    char path[1024];
    FILE *f;
    long size;

    memset(fx, 0, sizeof(*fx));
    fx->name = name;
    snprintf(path, sizeof(path), "%s/pgoutput/%s.bin", dir ? dir : "tests/fixtures", name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open fixture %s (set TW_FIXTURES_DIR)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    fx->size = (size_t)size;
    fx->data = malloc(fx->size);
    assert_non_null(fx->data);
    assert_int_equal(fread(fx->data, 1, fx->size, f), fx->size);
    fclose(f);
}

void pgo_fixture_free(pgo_fixture_t *fx)
{
    free(fx->data);
    fx->data = NULL;
}

bool pgo_fixture_next(pgo_fixture_t *fx, const uint8_t **msg, uint32_t *len)
{
    const uint8_t *p = fx->data + fx->pos;

    if (fx->pos == fx->size)
        return false;
    if (fx->size - fx->pos < 4)
        fail_msg("%s: record %zu: a truncated length", fx->name, fx->index);
    *len = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    if (fx->size - fx->pos - 4 < *len)
        fail_msg("%s: record %zu: %u bytes announced, %zu left", fx->name, fx->index, *len,
                 fx->size - fx->pos - 4);
    *msg = p + 4;
    fx->pos += 4 + (size_t)*len;
    fx->index++;
    return true;
}
