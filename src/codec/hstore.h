/*
 * hstore.h — hstore values as Debezium writes them
 * (hstore.handling.mode): a Connect map of string to optional string, or
 * a JSON object string. Both list the pairs in java.util.HashMap order,
 * because the PostgreSQL JDBC driver reads an hstore into a HashMap and
 * Debezium writes that map's iteration order.
 */
#ifndef TW_HSTORE_H
#define TW_HSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/common.h"
#include "pg/value.h"

typedef struct tw_hstore_pair {
    const char *key;
    size_t key_len;
    const char *value; /* NULL: SQL NULL */
    size_t value_len;
} tw_hstore_pair_t;

typedef struct tw_hstore {
    tw_hstore_pair_t *pairs; /* in HashMap order */
    size_t n;
    tw_buf_t store; /* unescaped keys and values */
} tw_hstore_t;

#define TW_HSTORE_INIT {NULL, 0, TW_BUF_INIT}

/* Reads an hstore value: PostgreSQL's text ("k"=>"v", "n"=>NULL) or, from
 * binary pgoutput, hstore_send's bytes. Reuses h's memory. A value that
 * does not parse is TW_ERR_MALFORMED. */
tw_err_t tw_hstore_parse(const tw_value_t *value, tw_hstore_t *h, char *errstr,
                         size_t errstr_size);
void tw_hstore_free(tw_hstore_t *h);

/* Appends the pairs as a compact JSON object ({"k":"v","n":null}), as
 * Debezium's hstore.handling.mode=json writes it. */
void tw_hstore_append_json(tw_buf_t *out, const tw_hstore_t *h);

#endif /* TW_HSTORE_H */
