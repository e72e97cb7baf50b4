/*
 * datum_pgtext.h — values of types value*.c keeps as PostgreSQL's text (or
 * send bytes in pgoutput's binary mode), read as Debezium's schemas for
 * them need. Each returns false when the value is not of that form.
 */
#ifndef TW_DATUM_PGTEXT_H
#define TW_DATUM_PGTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "pg/value.h"

/* money as decimal digits ("-1234.56"). */
bool tw_pgtext_money(const tw_value_t *v, tw_buf_t *digits);
/* timetz as microseconds since midnight UTC. */
bool tw_pgtext_timetz_utc(const tw_value_t *v, int64_t *micros);
/* point's coordinates, and its OGC WKB (little-endian) as Debezium writes it. */
bool tw_pgtext_point(const tw_value_t *v, double *x, double *y);
void tw_pgtext_wkb_point(double x, double y, tw_buf_t *out);
/* bit/varbit as io.debezium.data.Bits bytes (BitSet.toByteArray). */
bool tw_pgtext_bits(const tw_value_t *v, tw_buf_t *out);

#endif /* TW_DATUM_PGTEXT_H */
