/*
 * pgoutput_fixtures.h — the pgoutput messages captured from a real
 * PostgreSQL (tests/fixtures/pgoutput/<name>.bin, made by
 * tests/fixtures/capture_pgoutput.py), for the decoder's tests
 * (test_pgoutput.c) and the change feed's (test_changefeed.c).
 *
 * A file holds records of a 4-byte big-endian length, then one message as
 * the walsender sent it. The directory is $TW_FIXTURES_DIR (make check
 * sets it), else tests/fixtures. Errors fail the running cmocka test.
 */
#ifndef TW_TEST_PGOUTPUT_FIXTURES_H
#define TW_TEST_PGOUTPUT_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pgo_fixture {
    const char *name;
    uint8_t *data; /* the whole file */
    size_t size;
    size_t pos;   /* offset of the next record */
    size_t index; /* number of the next record */
} pgo_fixture_t;

/* Reads the whole file of fixture name (no directory, no ".bin"). */
void pgo_fixture_load(pgo_fixture_t *fx, const char *name);
void pgo_fixture_free(pgo_fixture_t *fx);

/* The next record's message, pointing into fx->data; false at the end of
 * the file. A truncated record fails the test. */
bool pgo_fixture_next(pgo_fixture_t *fx, const uint8_t **msg, uint32_t *len);

#endif /* TW_TEST_PGOUTPUT_FIXTURES_H */
